/* devinet.c - IPv4 addresses on devices and the routes they bring (Linux's
 * net/ipv4/devinet.c and fib_add_ifaddr/fib_del_ifaddr in fib_frontend.c).
 * Read inet_addr_add, fib_add_ifaddr and devinet_netdev_event first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/neighbour.h"
#include "ethernet/arp.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"

static const char *const devconf_names[IPV4_DEVCONF_MAX] = {
	[IPV4_DEVCONF_FORWARDING] = "forwarding",
	[IPV4_DEVCONF_ACCEPT_REDIRECTS] = "accept_redirects",
	[IPV4_DEVCONF_SEND_REDIRECTS] = "send_redirects",
	[IPV4_DEVCONF_ARP_ACCEPT] = "arp_accept",
	[IPV4_DEVCONF_ARP_IGNORE] = "arp_ignore",
	[IPV4_DEVCONF_ARP_ANNOUNCE] = "arp_announce",
	[IPV4_DEVCONF_PROXY_ARP] = "proxy_arp",
	[IPV4_DEVCONF_RP_FILTER] = "rp_filter",
};

static void devconf_defaults(struct ipv4_devconf *c)
{
	memset(c, 0, sizeof(*c));
	c->data[IPV4_DEVCONF_ACCEPT_REDIRECTS] = 1;
	c->data[IPV4_DEVCONF_SEND_REDIRECTS] = 1;
}

/* ---- routes an address brings ------------------------------------------------------ */
static int fib_magic(struct net_device *dev, bool add, uint8_t type, uint32_t dst,
		     unsigned int plen, const struct in_ifaddr *prim)
{
	struct ns_stack *stack = dev_net(dev);
	struct fib_table *t = type == RTN_UNICAST ? stack->ipv4->fib_main : stack->ipv4->fib_local;
	struct fib_route r = {
		.dst = dst & inet_make_mask(plen),
		.dst_len = (uint8_t)plen,
		.type = type,
		.scope = type == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK,
		.protocol = RTPROT_KERNEL,
		.oif = dev->ifindex,
		.prefsrc = prim->ifa_local,
	};

	if (add)
		return fib_table_insert(t, &r, NLM_F_CREATE | NLM_F_APPEND);
	r.scope = FIB_SCOPE_ANY;
	return fib_table_delete(t, &r);
}

static struct in_ifaddr *inet_primary_for(struct in_device *idev, const struct in_ifaddr *ifa)
{
	struct in_ifaddr *p;

	if (!(ifa->ifa_flags & IFA_F_SECONDARY))
		return (struct in_ifaddr *)ifa;
	for_each_ifa(idev, p)
		if (!(p->ifa_flags & IFA_F_SECONDARY) && p->ifa_mask == ifa->ifa_mask &&
		    ((p->ifa_local ^ ifa->ifa_local) & ifa->ifa_mask) == 0)
			return p;
	return (struct in_ifaddr *)ifa;
}

/* fib_add_ifaddr: local /32 (table local), broadcast routes, and the
 * connected subnet (table main, scope link, proto kernel). */
static void fib_add_ifaddr(struct in_ifaddr *ifa)
{
	struct in_device *idev = ifa->ifa_dev;
	struct net_device *dev = idev->dev;
	struct in_ifaddr *prim = inet_primary_for(idev, ifa);
	uint32_t mask = ifa->ifa_mask, addr = ifa->ifa_local, prefix = addr & mask;

	fib_magic(dev, true, RTN_LOCAL, addr, 32, prim);
	if (!(dev->flags & IFF_UP))
		return;
	if (ifa->ifa_broadcast && ifa->ifa_broadcast != 0xffffffffu)
		fib_magic(dev, true, RTN_BROADCAST, ifa->ifa_broadcast, 32, prim);
	if (!ipv4_is_zeronet(prefix) && !(ifa->ifa_flags & IFA_F_SECONDARY) &&
	    (prefix != addr || ifa->ifa_prefixlen < 32)) {
		if (!(ifa->ifa_flags & IFA_F_NOPREFIXROUTE))
			fib_magic(dev, true, dev->flags & IFF_LOOPBACK ? RTN_LOCAL : RTN_UNICAST,
				  prefix, ifa->ifa_prefixlen, prim);
		/* the network broadcast address, when it makes sense */
		if (ifa->ifa_prefixlen < 31)
			fib_magic(dev, true, RTN_BROADCAST, prefix | ~mask, 32, prim);
	}
}

static bool addr_still_used(struct ns_stack *stack, const struct in_ifaddr *gone, uint32_t addr,
			    bool as_local)
{
	struct net_device *d;
	struct in_ifaddr *i;

	for_each_netdev(stack, d) {
		struct in_device *idev = __in_dev_get(d);

		if (!idev)
			continue;
		for_each_ifa(idev, i) {
			if (i == gone)
				continue;
			if (as_local && i->ifa_local == addr)
				return true;
			if (!as_local && d == gone->ifa_dev->dev &&
			    (i->ifa_broadcast == addr ||
			     ((i->ifa_local | ~i->ifa_mask) == addr && i->ifa_prefixlen < 31)))
				return true;
		}
	}
	return false;
}

/* fib_del_ifaddr, simplified: remove what this address brought unless
 * another address still needs it. */
static void fib_del_ifaddr(struct in_ifaddr *ifa)
{
	struct in_device *idev = ifa->ifa_dev;
	struct net_device *dev = idev->dev;
	struct ns_stack *stack = dev_net(dev);
	struct in_ifaddr *prim = inet_primary_for(idev, ifa);
	uint32_t mask = ifa->ifa_mask, prefix = ifa->ifa_local & mask;

	if (!(ifa->ifa_flags & IFA_F_SECONDARY) && ifa->ifa_prefixlen < 32 &&
	    !(ifa->ifa_flags & IFA_F_NOPREFIXROUTE))
		fib_magic(dev, false, dev->flags & IFF_LOOPBACK ? RTN_LOCAL : RTN_UNICAST, prefix,
			  ifa->ifa_prefixlen, prim);
	if (ifa->ifa_broadcast && !addr_still_used(stack, ifa, ifa->ifa_broadcast, false))
		fib_magic(dev, false, RTN_BROADCAST, ifa->ifa_broadcast, 32, prim);
	if (ifa->ifa_prefixlen < 31 && !addr_still_used(stack, ifa, prefix | ~mask, false))
		fib_magic(dev, false, RTN_BROADCAST, prefix | ~mask, 32, prim);
	if (!addr_still_used(stack, ifa, ifa->ifa_local, true)) {
		struct fib_route r = { .dst = ifa->ifa_local, .dst_len = 32, .type = RTN_LOCAL,
				       .scope = FIB_SCOPE_ANY, .oif = dev->ifindex };

		fib_table_delete(stack->ipv4->fib_local, &r);
	}
}

/* ---- addresses --------------------------------------------------------------------- */
int inet_addr_add(struct net_device *dev, uint32_t addr, unsigned int plen,
		  const struct inet_addr_opts *opts)
{
	struct in_device *idev = __in_dev_get(dev);
	struct in_ifaddr *ifa, *p, *pos = NULL;
	uint32_t mask;

	if (!idev)
		return -ENODEV;
	if (plen > 32 || addr == 0 || ipv4_is_multicast(addr) || ipv4_is_lbcast(addr))
		return -EINVAL;
	if (idev->ifa_count >= INET_ADDR_MAX_PER_DEV)
		return -ENOSPC;
	mask = inet_make_mask(plen);
	for_each_ifa(idev, p)
		if (p->ifa_local == addr && p->ifa_mask == mask)
			return -EEXIST;
	ifa = calloc(1, sizeof(*ifa));
	if (!ifa)
		return -ENOMEM;
	ifa->ifa_dev = idev;
	ifa->ifa_local = ifa->ifa_address = addr;
	ifa->ifa_mask = mask;
	ifa->ifa_prefixlen = (uint8_t)plen;
	if (opts) {
		ifa->ifa_broadcast = opts->broadcast;
		ifa->ifa_scope = opts->scope;
		ifa->ifa_flags = opts->flags & IFA_F_NOPREFIXROUTE;
	}
	if (!ifa->ifa_scope && ipv4_is_loopback(addr))
		ifa->ifa_scope = RT_SCOPE_HOST;
	snprintf(ifa->ifa_label, sizeof(ifa->ifa_label), "%s",
		 opts && opts->label ? opts->label : dev->name);
	/* the second address of an existing subnet is secondary (Linux's
	 * __inet_insert_ifa) */
	for_each_ifa(idev, p) {
		if (!(p->ifa_flags & IFA_F_SECONDARY) && p->ifa_mask == mask &&
		    ((p->ifa_local ^ addr) & mask) == 0) {
			ifa->ifa_flags |= IFA_F_SECONDARY;
		}
		if (!pos && (p->ifa_flags & IFA_F_SECONDARY))
			pos = p;
	}
	if (ifa->ifa_flags & IFA_F_SECONDARY || !pos)
		list_add_tail(&ifa->list, &idev->ifa_list);
	else
		list_add_tail(&ifa->list, &pos->list);	/* before the first secondary */
	idev->ifa_count++;
	fib_add_ifaddr(ifa);
	rt_genid_bump_ipv4(dev_net(dev));	/* source address choices changed */
	if ((dev->flags & IFF_UP) && !(dev->flags & (IFF_NOARP | IFF_LOOPBACK)))
		arp_ifa_added(dev, addr);
	return 0;
}

static void inet_ifa_free(struct in_device *idev, struct in_ifaddr *ifa)
{
	list_del(&ifa->list);
	idev->ifa_count--;
	free(ifa);
}

static void inet_del_one(struct in_device *idev, struct in_ifaddr *ifa)
{
	fib_del_ifaddr(ifa);
	inet_ifa_free(idev, ifa);
}

int inet_addr_del(struct net_device *dev, uint32_t addr, unsigned int plen)
{
	struct in_device *idev = __in_dev_get(dev);
	struct in_ifaddr *ifa, *p, *n;

	if (!idev)
		return -ENODEV;
	for_each_ifa(idev, ifa) {
		if (ifa->ifa_local != addr || (plen != 0xff && ifa->ifa_prefixlen != plen))
			continue;
		if (!(ifa->ifa_flags & IFA_F_SECONDARY)) {
			/* secondaries of this subnet go with their primary */
			list_for_each_entry_safe(p, n, &idev->ifa_list, list)
				if (p != ifa && (p->ifa_flags & IFA_F_SECONDARY) &&
				    p->ifa_mask == ifa->ifa_mask &&
				    ((p->ifa_local ^ addr) & ifa->ifa_mask) == 0)
					inet_del_one(idev, p);
		}
		inet_del_one(idev, ifa);
		rt_genid_bump_ipv4(dev_net(dev));	/* routes using it are gone */
		return 0;
	}
	return -EADDRNOTAVAIL;
}

/* ---- address queries (ip.h) -------------------------------------------------------- */
unsigned int inet_addr_type(struct ns_stack *stack, uint32_t addr)
{
	const struct fib_route *r;

	if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr))
		return RTN_BROADCAST;
	if (ipv4_is_multicast(addr))
		return RTN_MULTICAST;
	r = fib_table_lookup(stack->ipv4->fib_local, addr);
	if (r && (r->type == RTN_LOCAL || r->type == RTN_BROADCAST))
		return r->type;
	return RTN_UNICAST;
}

struct net_device *ip_dev_find(struct ns_stack *stack, uint32_t addr)
{
	const struct fib_route *r;
	struct net_device *d;
	struct in_ifaddr *ifa;

	for_each_netdev(stack, d) {
		struct in_device *idev = __in_dev_get(d);

		if (!idev)
			continue;
		for_each_ifa(idev, ifa)
			if (ifa->ifa_local == addr)
				return d;
	}
	r = fib_table_lookup(stack->ipv4->fib_local, addr);
	if (r && r->type == RTN_LOCAL)
		return dev_get_by_index(stack, r->oif);
	return NULL;
}

static uint32_t select_on_dev(struct in_device *idev, uint32_t dst, int scope)
{
	struct in_ifaddr *ifa;
	uint32_t any = 0;

	for_each_ifa(idev, ifa) {
		if (ifa->ifa_flags & IFA_F_SECONDARY || ifa->ifa_scope > scope)
			continue;
		if (!dst || ((ifa->ifa_local ^ dst) & ifa->ifa_mask) == 0)
			return ifa->ifa_local;
		if (!any)
			any = ifa->ifa_local;
	}
	return any;
}

uint32_t inet_select_addr(struct net_device *dev, uint32_t dst, int scope)
{
	struct in_device *idev = __in_dev_get(dev);
	struct net_device *d;
	uint32_t a = idev ? select_on_dev(idev, dst, scope) : 0;

	if (a)
		return a;
	/* Linux falls back to an address of another device with a scope
	 * narrower than link (not loopback's host-scope ones) */
	for_each_netdev(dev_net(dev), d) {
		struct in_device *o = __in_dev_get(d);

		if (o && d != dev) {
			a = select_on_dev(o, 0, NS_MIN(scope, RT_SCOPE_LINK - 1));
			if (a)
				return a;
		}
	}
	return 0;
}

/* ---- sysctls ----------------------------------------------------------------------- */
static void devconf_all_changed(struct ns_stack *stack, int *var);

static int devconf_register(struct ns_stack *stack, struct ipv4_devconf *c, const char *dir, bool all)
{
	char path[128];
	int rc = 0;

	for (int i = 0; i < IPV4_DEVCONF_MAX; i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dir, devconf_names[i]);
		if (all && i == IPV4_DEVCONF_FORWARDING)
			rc |= proc_create_int_notify(stack, path, &c->data[i], 0, 1, devconf_all_changed);
		else
			rc |= proc_create_int(stack, path, &c->data[i], 0, 0x7fffffff);
	}
	return rc ? -ENOMEM : 0;
}

/* Writing conf/all/forwarding (or ip_forward) sets it everywhere, as Linux's
 * devinet_sysctl_forward does. */
static void inet_forward_change(struct ns_stack *stack, int on)
{
	struct netns_ipv4 *ip = stack->ipv4;
	struct net_device *d;

	ip->sysctl_ip_forward = on;
	ip->devconf_all.data[IPV4_DEVCONF_FORWARDING] = on;
	ip->devconf_dflt.data[IPV4_DEVCONF_FORWARDING] = on;
	for_each_netdev(stack, d) {
		struct in_device *idev = __in_dev_get(d);

		if (idev)
			idev->cnf.data[IPV4_DEVCONF_FORWARDING] = on;
	}
}

static void devconf_all_changed(struct ns_stack *stack, int *var)
{
	inet_forward_change(stack, *var);
}

static void ip_forward_changed(struct ns_stack *stack, int *var)
{
	inet_forward_change(stack, *var);
}

int inet_forwarding_all(struct ns_stack *stack)
{
	return stack->ipv4->devconf_all.data[IPV4_DEVCONF_FORWARDING];
}

/* ---- device events ------------------------------------------------------------------ */
static struct in_device *inetdev_init(struct net_device *dev)
{
	struct ns_stack *stack = dev_net(dev);
	struct in_device *idev = calloc(1, sizeof(*idev));

	if (!idev)
		return NULL;
	idev->dev = dev;
	INIT_LIST_HEAD(&idev->ifa_list);
	idev->cnf = stack->ipv4->devconf_dflt;
	dev->ip_ptr = idev;
	snprintf(idev->sysctl_name, sizeof(idev->sysctl_name), "%s", dev->name);
	devconf_register(stack, &idev->cnf, dev->name, false);
	idev->arp_parms = arp_parms_alloc(dev);
	return idev;
}

static void inetdev_destroy(struct net_device *dev)
{
	struct in_device *idev = __in_dev_get(dev);
	struct in_ifaddr *ifa, *n;
	char path[128];

	if (!idev)
		return;
	list_for_each_entry_safe(ifa, n, &idev->ifa_list, list)
		inet_del_one(idev, ifa);
	arp_ifdown(dev);
	arp_parms_release(dev, idev->arp_parms);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/", idev->sysctl_name);
	proc_remove_prefix(dev_net(dev), path);
	dev->ip_ptr = NULL;
	free(idev);
}

static void inetdev_down(struct net_device *dev)
{
	struct ns_stack *stack = dev_net(dev);

	/* Linux's fib_disable_ip: routes through dev go, then its neighbours */
	fib_table_flush_oif(stack->ipv4->fib_local, dev->ifindex);
	fib_table_flush_oif(stack->ipv4->fib_main, dev->ifindex);
	arp_ifdown(dev);
}

static void inetdev_up(struct net_device *dev)
{
	struct in_device *idev = __in_dev_get(dev);
	struct in_ifaddr *ifa;

	if (!idev)
		return;
	if ((dev->flags & IFF_LOOPBACK) && list_empty(&idev->ifa_list)) {
		struct inet_addr_opts o = { .scope = RT_SCOPE_HOST };

		inet_addr_add(dev, 0x7f000001u, 8, &o);
		return;
	}
	for_each_ifa(idev, ifa) {
		fib_add_ifaddr(ifa);
		if (!(dev->flags & (IFF_NOARP | IFF_LOOPBACK)))
			arp_ifa_added(dev, ifa->ifa_local);
	}
}

/* conf/DEV and neigh/DEV follow the new name, keeping their values */
static void inetdev_rename(struct net_device *dev)
{
	struct in_device *idev = __in_dev_get(dev);
	struct ns_stack *stack = dev_net(dev);
	struct in_ifaddr *ifa;
	char path[128];

	if (!idev)
		return;
	for_each_ifa(idev, ifa)
		if (strcmp(ifa->ifa_label, idev->sysctl_name) == 0)
			snprintf(ifa->ifa_label, sizeof(ifa->ifa_label), "%s", dev->name);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/", idev->sysctl_name);
	proc_remove_prefix(stack, path);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/neigh/%s/", idev->sysctl_name);
	proc_remove_prefix(stack, path);
	snprintf(idev->sysctl_name, sizeof(idev->sysctl_name), "%s", dev->name);
	devconf_register(stack, &idev->cnf, dev->name, false);
	if (idev->arp_parms)
		neigh_parms_sysctl_register(idev->arp_parms, dev->name);
}

static int devinet_netdev_event(struct notifier_block *nb, unsigned long event,
				struct net_device *dev)
{
	(void)nb;
	switch (event) {
	case NETDEV_REGISTER:
		inetdev_init(dev);
		break;
	case NETDEV_UP:
		inetdev_up(dev);
		break;
	case NETDEV_DOWN:
		inetdev_down(dev);
		break;
	case NETDEV_UNREGISTER:
		ipfrag_flush_dev(dev_net(dev), dev);
		inetdev_destroy(dev);
		break;
	case NETDEV_CHANGENAME:
		inetdev_rename(dev);
		break;
	default:
		break;
	}
	return 0;
}

int devinet_init(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;
	int rc = 0;

	devconf_defaults(&ip->devconf_all);
	devconf_defaults(&ip->devconf_dflt);
	rc |= devconf_register(stack, &ip->devconf_all, "all", true);
	rc |= devconf_register(stack, &ip->devconf_dflt, "default", false);
	rc |= proc_create_int_notify(stack, "/proc/sys/net/ipv4/ip_forward", &ip->sysctl_ip_forward,
				     0, 1, ip_forward_changed);
	ip->netdev_nb.notifier_call = devinet_netdev_event;
	ip->netdev_nb.priority = 10;	/* before transports see NETDEV_DOWN */
	register_netdevice_notifier(stack, &ip->netdev_nb);
	return rc ? -ENOMEM : 0;
}

void devinet_exit(struct ns_stack *stack)
{
	struct net_device *d;

	for_each_netdev(stack, d)
		inetdev_destroy(d);
	unregister_netdevice_notifier(stack, &stack->ipv4->netdev_nb);
}
