/* devinet.h - IPv4 addresses on devices (Linux's net/ipv4/devinet.c):
 * struct in_device on dev->ip_ptr with its list of in_ifaddr, per-device
 * configuration (conf/DEV/forwarding...), and the routes an address brings
 * (fib_add_ifaddr: local, broadcast and connected subnet). */
#ifndef NSTACK_IPV4_DEVINET_H
#define NSTACK_IPV4_DEVINET_H

#include <stdint.h>

#include "core/netdevice.h"

#define IFA_F_SECONDARY      0x01
#define IFA_F_NOPREFIXROUTE  0x200

struct in_device;

struct in_ifaddr {
	struct list_head list;		/* in_dev->ifa_list, primaries first */
	struct in_device *ifa_dev;
	uint32_t ifa_local;		/* host order */
	uint32_t ifa_address;		/* peer (== local unless point-to-point) */
	uint32_t ifa_mask;
	uint32_t ifa_broadcast;		/* 0: none */
	uint8_t ifa_prefixlen;
	uint8_t ifa_scope;		/* RT_SCOPE_* */
	uint32_t ifa_flags;		/* IFA_F_* */
	char ifa_label[IFNAMSIZ];
};

/* conf/{all,default,DEV}/ values (Linux's ipv4_devconf) */
enum {
	IPV4_DEVCONF_FORWARDING,
	IPV4_DEVCONF_ACCEPT_REDIRECTS,
	IPV4_DEVCONF_SEND_REDIRECTS,
	IPV4_DEVCONF_ARP_ACCEPT,
	IPV4_DEVCONF_ARP_IGNORE,
	IPV4_DEVCONF_ARP_ANNOUNCE,
	IPV4_DEVCONF_PROXY_ARP,
	IPV4_DEVCONF_RP_FILTER,
	IPV4_DEVCONF_MAX
};
struct ipv4_devconf {
	int data[IPV4_DEVCONF_MAX];
};

struct in_device {
	struct net_device *dev;
	struct list_head ifa_list;
	unsigned int ifa_count;
	struct ipv4_devconf cnf;
	struct neigh_parms *arp_parms;
	char sysctl_name[IFNAMSIZ];	/* name its sysctl directories carry */
};

static inline struct in_device *__in_dev_get(const struct net_device *dev)
{
	return dev->ip_ptr;
}
#define IN_DEV_FORWARD(idev) ((idev)->cnf.data[IPV4_DEVCONF_FORWARDING])

/* Options of `ip addr add`; NULL means defaults (no broadcast, global scope,
 * label = device name). */
struct inet_addr_opts {
	uint32_t broadcast;		/* host order; 0 none */
	uint8_t scope;			/* RT_SCOPE_*; 0 universe (host for 127/8) */
	uint32_t flags;			/* IFA_F_NOPREFIXROUTE */
	const char *label;
};
#define INET_ADDR_MAX_PER_DEV 256

/* Add addr/plen to dev. 0, -EEXIST, -EINVAL, -ENOSPC, -ENOMEM. Creates the
 * routes (when dev is up) and sends a gratuitous ARP. */
int inet_addr_add(struct net_device *dev, uint32_t addr, unsigned int plen,
		  const struct inet_addr_opts *opts);
/* Remove addr/plen (plen 0xff: any length). A deleted primary takes its
 * secondaries along (Linux without promote_secondaries). 0 or -EADDRNOTAVAIL. */
int inet_addr_del(struct net_device *dev, uint32_t addr, unsigned int plen);
/* Walk every address of dev (primaries first). */
#define for_each_ifa(idev, ifa) list_for_each_entry(ifa, &(idev)->ifa_list, list)

/* net.ipv4.conf.all.forwarding (what ip_forward mirrors) */
int inet_forwarding_all(struct ns_stack *stack);

int devinet_init(struct ns_stack *stack);
void devinet_exit(struct ns_stack *stack);

#endif
