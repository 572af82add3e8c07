/* subsys.c - the order subsystems come up in a new stack. Devices come
 * first (the loopback device is created last, once protocols can see it). */
#include "core/subsys.h"
#include "core/netdevice.h"

int net_procfs_init(struct ns_stack *stack);
int loopback_init(struct ns_stack *stack);
int netfilter_init(struct ns_stack *stack);
void netfilter_exit(struct ns_stack *stack);
int inet_init(struct ns_stack *stack);
void inet_exit(struct ns_stack *stack);
int nf_conntrack_init(struct ns_stack *stack);
void nf_conntrack_exit(struct ns_stack *stack);
int nf_tables_init(struct ns_stack *stack);
void nf_tables_exit(struct ns_stack *stack);

const struct ns_subsys ns_subsystems[] = {
	{ "netdev", netdev_core_init, netdev_core_exit },
	{ "procfs", net_procfs_init, NULL },
	/* protocols register here, before the loopback device appears */
	{ "netfilter", netfilter_init, netfilter_exit },
	{ "ipv4", inet_init, inet_exit },
	{ "conntrack", nf_conntrack_init, nf_conntrack_exit },
	{ "nftables", nf_tables_init, nf_tables_exit },
	{ "loopback", loopback_init, NULL },
};
const unsigned int ns_subsystem_count = sizeof(ns_subsystems) / sizeof(ns_subsystems[0]);
