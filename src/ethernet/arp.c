/* arp.c - RFC 826 Address Resolution Protocol on the neighbour cache.
 * Receive: arp_rcv -> arp_process (reply to requests for our addresses,
 * learn the sender, RFC 826 "merge" of existing entries). Transmit:
 * arp_output resolves a next hop, arp_solicit sends the requests the NUD
 * state machine asks for. Read arp_process first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "ethernet/arp.h"
#include "ethernet/eth.h"
#include "ipv4/devinet.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"

static void arp_key(uint8_t key[4], uint32_t ip)
{
	put_be32(key, ip);
}

/* RFC 1112 6.4: 01:00:5e + low 23 bits of the group */
static void arp_mc_map(uint32_t ip, uint8_t *ha)
{
	ha[0] = 0x01;
	ha[1] = 0x00;
	ha[2] = 0x5e;
	ha[3] = (uint8_t)((ip >> 16) & 0x7f);
	ha[4] = (uint8_t)(ip >> 8);
	ha[5] = (uint8_t)ip;
}

int arp_send(int op, struct net_device *dev, uint32_t dest_ip, uint32_t src_ip,
	     const uint8_t *dest_hw, const uint8_t *target_hw)
{
	struct arp_repr r = { .op = (uint16_t)op, .spa = src_ip, .tpa = dest_ip };
	struct sk_buff *skb;
	uint8_t *p;

	if (!dev->header_ops || (dev->flags & IFF_NOARP) || dev->addr_len != ETH_ALEN)
		return -EINVAL;
	skb = alloc_skb_tx(dev_net(dev), ARP_HLEN);
	if (!skb)
		return -ENOBUFS;
	memcpy(r.sha, dev->dev_addr, ETH_ALEN);
	if (target_hw)
		memcpy(r.tha, target_hw, ETH_ALEN);
	p = skb_put(skb, ARP_HLEN);
	arp_emit(&r, p, ARP_HLEN);
	skb_reset_network_header(skb);
	skb->dev = dev;
	skb->protocol = ETH_P_ARP;
	if (dev->header_ops->create(skb, dev, ETH_P_ARP, dest_hw, NULL, skb->len) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return -ENOBUFS;
	}
	skb_reset_mac_header(skb);
	return dev_queue_xmit(skb) == NET_XMIT_DROP ? -ENOBUFS : 0;
}

/* ---- neighbour ops --------------------------------------------------------------- */
static void arp_solicit(struct neighbour *n, struct sk_buff *skb)
{
	struct net_device *dev = n->dev;
	struct ns_stack *stack = dev_net(dev);
	uint32_t target = get_be32(n->primary_key), saddr = 0;
	const uint8_t *dst_hw = NULL;
	int probes = n->probes;

	/* arp_announce 0: the source of the packet that needs resolution if it
	 * is ours, else the device's address for the target */
	if (skb && skb->len >= IPV4_HLEN_MIN) {
		uint32_t s = get_be32(skb->data + 12);

		if (inet_addr_type(stack, s) == RTN_LOCAL)
			saddr = s;
	}
	if (!saddr)
		saddr = inet_select_addr(dev, target, RT_SCOPE_LINK);
	probes -= NEIGH_VAR(n->parms, UCAST_PROBES);
	if (probes < 0) {
		dst_hw = n->ha;		/* PROBE: unicast to the cached address */
	} else {
		probes -= NEIGH_VAR(n->parms, APP_PROBES);
		if (probes < 0)
			return;		/* no user-space resolver */
	}
	arp_send(ARPOP_REQUEST, dev, target, saddr, dst_hw, NULL);
}

static void arp_error_report(struct neighbour *n, struct sk_buff *skb)
{
	(void)n;
	/* Linux's ipv4_link_failure: host unreachable to the source */
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

static const struct neigh_ops arp_generic_ops = {
	.solicit = arp_solicit,
	.error_report = arp_error_report,
};

static int arp_constructor(struct neighbour *n)
{
	struct net_device *dev = n->dev;
	uint32_t addr = get_be32(n->primary_key);
	unsigned int type;

	if (!dev->header_ops || (dev->flags & (IFF_NOARP | IFF_LOOPBACK))) {
		n->nud_state = NUD_NOARP;
		memcpy(n->ha, dev->dev_addr, dev->addr_len);
		return 0;
	}
	type = inet_addr_type(dev_net(dev), addr);
	if (type == RTN_MULTICAST) {
		n->nud_state = NUD_NOARP;
		arp_mc_map(addr, n->ha);
	} else if (type == RTN_BROADCAST) {
		n->nud_state = NUD_NOARP;
		memcpy(n->ha, dev->broadcast, dev->addr_len);
	} else {
		n->nud_state = NUD_NONE;
	}
	return 0;
}

/* ---- output ------------------------------------------------------------------------ */
static int arp_xmit_direct(struct net_device *dev, const uint8_t *ha, struct sk_buff *skb)
{
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	if (dev->header_ops) {
		if (dev->header_ops->create(skb, dev, ETH_P_IP, ha, NULL, skb->len) < 0) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return -ENOBUFS;
		}
		skb_reset_mac_header(skb);
	}
	return dev_queue_xmit(skb) == NET_XMIT_DROP ? -ENOBUFS : 0;
}

/* The entry arp_output resolves nexthop with on dev (created when absent);
 * NULL when no resolution applies or the table is full. */
static inline bool arp_resolves(const struct net_device *dev, uint32_t nexthop)
{
	return dev->header_ops && !(dev->flags & (IFF_NOARP | IFF_LOOPBACK)) &&
	       !ipv4_is_multicast(nexthop) && !ipv4_is_lbcast(nexthop);
}

struct neighbour *arp_neigh_for_output(struct net_device *dev, uint32_t nexthop)
{
	uint8_t key[4];

	if (!arp_resolves(dev, nexthop))
		return NULL;
	arp_key(key, nexthop);
	return __neigh_lookup(arp_table(dev_net(dev)), key, dev, true);
}

int arp_output(struct net_device *dev, uint32_t nexthop, struct sk_buff *skb)
{
	struct neighbour *n;
	uint8_t key[4], ha[ETH_ALEN];

	if (!dev->header_ops || (dev->flags & (IFF_NOARP | IFF_LOOPBACK)))
		return arp_xmit_direct(dev, NULL, skb);
	if (ipv4_is_multicast(nexthop)) {
		arp_mc_map(nexthop, ha);
		return arp_xmit_direct(dev, ha, skb);
	}
	if (ipv4_is_lbcast(nexthop))
		return arp_xmit_direct(dev, NULL, skb);
	arp_key(key, nexthop);
	n = __neigh_lookup(arp_table(dev_net(dev)), key, dev, true);
	if (!n) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
		return -ENOBUFS;
	}
	return neigh_output(n, skb);
}

/* ---- receive (RFC 826 "Packet Reception") ---------------------------------------- */
static void arp_reply_to(struct net_device *dev, const struct arp_repr *r)
{
	arp_send(ARPOP_REPLY, dev, r->spa, r->tpa, r->sha, r->sha);
}

static struct neighbour *arp_event_ns(struct net_device *dev, const struct arp_repr *r)
{
	struct neighbour *n;
	uint8_t key[4];

	arp_key(key, r->spa);
	n = __neigh_lookup(arp_table(dev_net(dev)), key, dev, true);
	if (n)
		neigh_update(n, r->sha, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
	return n;
}

static bool arp_martian_sender(uint32_t sip)
{
	return ipv4_is_multicast(sip) || ipv4_is_lbcast(sip) || ipv4_is_loopback(sip);
}

static void arp_process(struct sk_buff *skb, struct net_device *dev, const struct arp_repr *r)
{
	struct ns_stack *stack = dev_net(dev);
	struct neigh_table *tbl = arp_table(stack);
	struct in_device *idev = __in_dev_get(dev);
	struct neighbour *n;
	uint8_t key[4];
	bool is_garp;
	uint8_t state;

	if (!idev || ipv4_is_multicast(r->tpa) || ipv4_is_loopback(r->tpa) ||
	    !is_valid_ether_addr(r->sha) || arp_martian_sender(r->spa))
		return;
	if (r->op == ARPOP_REQUEST) {
		if (skb->pkt_type == PACKET_HOST)
			tbl->stats.rcv_probes_ucast++;
		else
			tbl->stats.rcv_probes_mcast++;
	}
	/* RFC 5227 2.1.1 probe (sender 0.0.0.0): answer, learn nothing */
	if (r->spa == 0) {
		if (r->op == ARPOP_REQUEST && inet_addr_type(stack, r->tpa) == RTN_LOCAL)
			arp_send(ARPOP_REPLY, dev, 0, r->tpa, r->sha, r->sha);
		return;
	}
	/* a request for one of our addresses: learn the sender, answer */
	if (r->op == ARPOP_REQUEST && inet_addr_type(stack, r->tpa) == RTN_LOCAL) {
		if (arp_event_ns(dev, r))
			arp_reply_to(dev, r);
		return;
	}
	/* RFC 826: update an existing entry ("merge_flag") */
	arp_key(key, r->spa);
	n = neigh_lookup(tbl, key, dev);
	is_garp = r->spa == r->tpa;
	if (!n && is_garp && idev->cnf.data[IPV4_DEVCONF_ARP_ACCEPT])
		n = __neigh_lookup(tbl, key, dev, true);
	if (!n)
		return;
	state = (r->op == ARPOP_REPLY && skb->pkt_type == PACKET_HOST) ? NUD_REACHABLE : NUD_STALE;
	/* locktime: the first of several answers wins (proxy races) */
	if (is_garp || ns_now(stack) > n->updated + (uint64_t)NEIGH_VAR(n->parms, LOCKTIME) * 1000000ULL)
		neigh_update(n, r->sha, state, NEIGH_UPDATE_F_OVERRIDE);
	else
		neigh_update(n, r->sha, state, 0);
}

static int arp_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		   struct net_device *orig)
{
	struct arp_repr r;
	int rc;

	(void)pt;
	(void)orig;
	if ((dev->flags & (IFF_NOARP | IFF_LOOPBACK)) || skb->pkt_type == PACKET_OTHERHOST ||
	    dev->addr_len != ETH_ALEN) {
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return NET_RX_DROP;
	}
	rc = arp_parse(skb->data, skb->len, &r);
	if (rc < 0) {
		kfree_skb_reason(skb, rc == WIRE_ETRUNC ? SKB_DROP_REASON_PKT_TOO_SMALL
							: SKB_DROP_REASON_HDR_ERROR);
		return NET_RX_DROP;
	}
	arp_process(skb, dev, &r);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

/* ---- per-device parts ---------------------------------------------------------------- */
struct neigh_parms *arp_parms_alloc(struct net_device *dev)
{
	return neigh_parms_alloc(dev, arp_table(dev_net(dev)));
}

void arp_parms_release(struct net_device *dev, struct neigh_parms *p)
{
	neigh_parms_release(arp_table(dev_net(dev)), p);
}

void arp_ifdown(struct net_device *dev)
{
	neigh_ifdown(arp_table(dev_net(dev)), dev);
}

void arp_ifa_added(struct net_device *dev, uint32_t addr)
{
	/* gratuitous ARP (RFC 5227 3): a request for our own address */
	arp_send(ARPOP_REQUEST, dev, addr, addr, NULL, NULL);
}

int arp_neigh_add(struct net_device *dev, uint32_t ip, const uint8_t *lladdr, uint8_t state)
{
	uint8_t key[4];

	arp_key(key, ip);
	return neigh_add(arp_table(dev_net(dev)), key, dev, lladdr, state);
}

int arp_neigh_del(struct net_device *dev, uint32_t ip)
{
	uint8_t key[4];

	arp_key(key, ip);
	return neigh_delete(arp_table(dev_net(dev)), key, dev);
}

struct neighbour *arp_neigh_lookup(struct net_device *dev, uint32_t ip)
{
	uint8_t key[4];

	arp_key(key, ip);
	return neigh_lookup(arp_table(dev_net(dev)), key, dev);
}

/* ---- /proc/net/arp (arp_seq_show) ------------------------------------------------------ */
#define ATF_COM  0x02
#define ATF_PERM 0x04

static void arp_show_one(struct neighbour *n, void *ctx)
{
	static const char hex[] = "0123456789abcdef";
	struct seq_buf *s = ctx;
	char ip[16], hw[3 * MAX_ADDR_LEN + 1];
	unsigned int flags = 0, k = 0;

	if (n->nud_state & NUD_NOARP)
		return;
	if (n->nud_state & NUD_PERMANENT)
		flags = ATF_PERM | ATF_COM;
	else if (n->nud_state & NUD_VALID)
		flags = ATF_COM;
	for (unsigned int j = 0; j < n->dev->addr_len; j++) {
		uint8_t b = (n->nud_state & NUD_VALID) ? n->ha[j] : 0;

		hw[k++] = hex[b >> 4];
		hw[k++] = hex[b & 15];
		hw[k++] = ':';
	}
	hw[k ? k - 1 : 0] = '\0';
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", n->primary_key[0], n->primary_key[1],
		 n->primary_key[2], n->primary_key[3]);
	seq_printf(s, "%-16s 0x%-10x0x%-10x%-17s     *        %s\n", ip, n->dev->type, flags, hw,
		   n->dev->name);
}

static int arp_proc_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	seq_puts(s, "IP address       HW type     Flags       HW address            Mask     Device\n");
	neigh_for_each(arp_table(stack), arp_show_one, s);
	return 0;
}

static int arp_stat_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct neigh_table *t = arp_table(stack);
	const struct neigh_statistics *st = &t->stats;

	(void)data;
	seq_puts(s, "entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast "
		    "rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n");
	seq_printf(s, "%08x  %08llx %08llx %08x  %08llx %08llx %08llx  %08llx %08llx  %08llx %08llx "
		      "%08llx %08llx\n",
		   t->entries, (unsigned long long)st->allocs, (unsigned long long)st->destroys, 0,
		   (unsigned long long)st->lookups, (unsigned long long)st->hits,
		   (unsigned long long)st->res_failed, (unsigned long long)st->rcv_probes_mcast,
		   (unsigned long long)st->rcv_probes_ucast, (unsigned long long)st->periodic_gc_runs,
		   (unsigned long long)st->forced_gc_runs, (unsigned long long)st->unres_discards,
		   (unsigned long long)st->table_fulls);
	return 0;
}

int arp_init(struct ns_stack *stack)
{
	struct netns_neigh *nn = calloc(1, sizeof(*nn));
	int rc;

	if (!nn)
		return -ENOMEM;
	stack->neigh = nn;
	nn->arp_tbl.id = "arp_cache";
	nn->arp_tbl.proto_dir = "ipv4";
	nn->arp_tbl.key_len = 4;
	nn->arp_tbl.protocol = ETH_P_IP;
	nn->arp_tbl.ops = &arp_generic_ops;
	nn->arp_tbl.constructor = arp_constructor;
	rc = neigh_table_init(stack, &nn->arp_tbl);
	rc |= proc_create(stack, "/proc/net/arp", arp_proc_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/net/stat/arp_cache", arp_stat_show, NULL, NULL);
	nn->arp_pt.type = ETH_P_ARP;
	nn->arp_pt.func = arp_rcv;
	dev_add_pack(stack, &nn->arp_pt);
	return rc ? -ENOMEM : 0;
}

void arp_exit(struct ns_stack *stack)
{
	if (!stack->neigh)
		return;
	dev_remove_pack(stack, &stack->neigh->arp_pt);
	neigh_table_clear(&stack->neigh->arp_tbl);
	free(stack->neigh);
	stack->neigh = NULL;
}
