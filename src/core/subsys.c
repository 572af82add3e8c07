/* subsys.c - the order subsystems come up in a new stack. Devices come
 * first (the loopback device is created last, once protocols can see it). */
#include "core/subsys.h"
#include "core/netdevice.h"

int net_procfs_init(struct ns_stack *stack);
int loopback_init(struct ns_stack *stack);
int sock_subsys_init(struct ns_stack *stack);
void sock_subsys_exit(struct ns_stack *stack);
int sock_files_init(struct ns_stack *stack);
void sock_files_exit(struct ns_stack *stack);
int netfilter_init(struct ns_stack *stack);
void netfilter_exit(struct ns_stack *stack);
int inet_init(struct ns_stack *stack);
void inet_exit(struct ns_stack *stack);
int inet6_init(struct ns_stack *stack);
void inet6_exit(struct ns_stack *stack);
int nf_conntrack_init(struct ns_stack *stack);
void nf_conntrack_exit(struct ns_stack *stack);
int nf_tables_init(struct ns_stack *stack);
void nf_tables_exit(struct ns_stack *stack);
int udp_init(struct ns_stack *stack);
void udp_exit(struct ns_stack *stack);
int tcp_init(struct ns_stack *stack);
void tcp_exit(struct ns_stack *stack);
int vlan_net_init(struct ns_stack *stack);
void vlan_net_exit(struct ns_stack *stack);
int apps_init(struct ns_stack *stack);
void apps_exit(struct ns_stack *stack);
int br_net_init(struct ns_stack *stack);
void br_net_exit(struct ns_stack *stack);

const struct ns_subsys ns_subsystems[] = {
	{ "netdev", netdev_core_init, netdev_core_exit },
	{ "procfs", net_procfs_init, NULL },
	{ "sock", sock_subsys_init, sock_subsys_exit },	/* socket state, before protocols */
	/* protocols register here, before the loopback device appears */
	{ "netfilter", netfilter_init, netfilter_exit },
	{ "ipv4", inet_init, inet_exit },
	{ "ipv6", inet6_init, inet6_exit },
	{ "8021q", vlan_net_init, vlan_net_exit },
	{ "bridge", br_net_init, br_net_exit },
	/* tcp before udp: /proc/net/snmp lists Tcp: before Udp: as Linux */
	{ "tcp", tcp_init, tcp_exit },
	{ "udp", udp_init, udp_exit },
	{ "conntrack", nf_conntrack_init, nf_conntrack_exit },
	{ "nftables", nf_tables_init, nf_tables_exit },
	/* last before loopback: its exit (run first) stops the loop thread and
	 * closes the sockets the application left open */
	{ "sockfiles", sock_files_init, sock_files_exit },
	/* applications: their exit closes their sockets before sockfiles */
	{ "apps", apps_init, apps_exit },
	{ "loopback", loopback_init, NULL },
};
const unsigned int ns_subsystem_count = sizeof(ns_subsystems) / sizeof(ns_subsystems[0]);
