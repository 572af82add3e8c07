/* route.h - IPv4 routing glue over the FIB (Linux's net/ipv4/route.c):
 * the LOCAL and MAIN tables, input route decisions, the learned path-MTU
 * exception cache, `ip route get`. ip_route_output is declared in ip.h. */
#ifndef NSTACK_IPV4_ROUTE_H
#define NSTACK_IPV4_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/stack.h"
#include "ipv4/fib.h"
#include "ipv4/ip.h"

/* Route decision for a received datagram (IPCB filled by ip_rcv). */
enum ip_input_verdict {
	IP_INPUT_LOCAL,		/* deliver (IPCB rt_type set) */
	IP_INPUT_FORWARD,	/* forward: see IPFWD_CB */
	IP_INPUT_DROPPED,	/* consumed: dropped or answered with ICMP */
};
/* Decide what to do with skb. Consumes skb when IP_INPUT_DROPPED. */
enum ip_input_verdict ip_route_input(struct ns_stack *stack, struct sk_buff *skb);

/* A cached forwarding destination (Linux's dst_entry / rtable cached in
 * fib_nh): the output device and, once the first packet went out, the
 * neighbour for one (output ifindex, next hop). ip_route_input points
 * skb->dst at it, so the forward and output steps neither search devices by
 * index nor hash the neighbour table again. A hint, never an authority:
 * valid only while genid equals softnet.dst_genid (bumped when a device
 * changes, a neighbour is freed, a route, address or PMTU changes) and
 * oif/nexthop equal the skb's IPPRIV ones (see ip_dst_check). Sockets'
 * cached routes (struct ip_sk_dst) point at one as their neighbour hint. */
struct dst_entry {
	uint32_t genid;
	int oif;
	uint32_t nexthop;		/* host order */
	struct net_device *dev;		/* NULL: empty slot */
	struct neighbour *neigh;	/* NULL: not resolved through ARP yet (or never) */
};
#define IP_DST_CACHE_SIZE 256		/* direct-mapped; a collision just refills */

/* The dst for (dev, nexthop), filled when absent or stale. Never NULL. */
struct dst_entry *ip_dst_get(struct ns_stack *stack, struct net_device *dev, uint32_t nexthop);

/* skb's dst when it still describes (oif, nexthop), else NULL. */
static inline struct dst_entry *ip_dst_check(const struct ns_stack *stack,
					     struct dst_entry *dst, int oif, uint32_t nexthop)
{
	if (dst && dst->genid == stack->softnet.dst_genid && dst->oif == oif &&
	    dst->nexthop == nexthop && dst->dev)
		return dst;
	return NULL;
}

/* A socket's cached output route (Linux's sk_dst_cache checked by
 * __sk_dst_check against rt_genid): ip_route_output's answer for one flow
 * key. Valid while genid equals softnet.dst_genid, bumped on every change
 * that could alter the answer (a FIB insert/delete/flush, an address
 * add/delete, a device event, a neighbour freed, a learned PMTU), and,
 * when a learned PMTU shaped res.mtu, until it expires. The key holds
 * everything the lookup reads from the flow (a setsockopt changing the
 * device, TOS or mark changes the key, so it misses). Entries sit in a
 * per-stack direct-mapped table shared by sockets with the same key; a
 * socket keeps its slot index (sk_dst_slot), so a hit costs neither a hash
 * nor a lookup, and a collision just refills. */
struct ip_sk_dst {
	uint32_t genid;
	/* key */
	uint32_t daddr;
	uint32_t saddr;			/* as asked: 0 lets the route choose */
	int oif;
	uint32_t mark;
	uint8_t tos;			/* RT_TOS bits only: ECN bits do not route */
	uint8_t flags;			/* FLOWI_FLAG_BROADCAST */
	/* answer */
	uint64_t expires;		/* ns: the learned PMTU in res.mtu expires, 0: none */
	struct ip_route_result res;	/* res.dev NULL: empty slot */
};
#define IP_SK_DST_SIZE 256

/* A cached input route for local delivery (Linux caches the local input
 * rtable, rt_cache / sk_rx_dst, so a datagram to a local address skips the
 * FIB walk): "the FIB says daddr is RTN_LOCAL". route_input still runs every
 * per-datagram check (martian sources and destinations, the in_device) and
 * counts as before; only the lookup, which reads daddr alone, is skipped.
 * Valid while genid equals softnet.dst_genid (a FIB change, an address
 * added or removed, a device event bump it: then the FIB decides again).
 * Direct-mapped by daddr; daddr 0 (never looked up: a martian) marks an
 * empty slot; a collision just refills. */
struct ip_rx_dst {
	uint32_t genid;
	uint32_t daddr;			/* host order */
};
#define IP_RX_DST_SIZE 64

/* Something that routes read changed: every cached route is stale. */
static inline void rt_genid_bump_ipv4(struct ns_stack *stack)
{
	stack->softnet.dst_genid++;
}
#define IP_RT_TOS_MASK 0x1c		/* Linux's IPTOS_RT_MASK */

/* ip_route_input for n <= IP_ROUTE_LIST_MAX received datagrams at once
 * (Linux's ip_list_rcv_finish): the FIB lookups are batched so that their
 * cache misses overlap. verdict[i] as ip_route_input's for skbs[i]; the
 * dropped ones are consumed. Nothing is delivered or forwarded here. */
#define IP_ROUTE_LIST_MAX 64
void ip_route_input_list(struct ns_stack *stack, struct sk_buff **skbs, unsigned int n,
			 enum ip_input_verdict *verdict);

/* The two default tables; lookup LOCAL first, then MAIN (Linux's default
 * rules). NULL when neither matches. */
const struct fib_route *fib_lookup(struct ns_stack *stack, uint32_t daddr);
struct fib_table *fib_get_table(struct ns_stack *stack, uint32_t id);

/* Learned path MTU (RFC 1191) for daddr: recorded from ICMP frag-needed,
 * expires after route/mtu_expires. */
void ip_rt_update_pmtu(struct ns_stack *stack, uint32_t daddr, unsigned int mtu);
/* 0 when none is recorded or it expired. */
unsigned int ip_rt_get_pmtu(struct ns_stack *stack, uint32_t daddr, uint64_t *expires_ns);


/* `ip route get ADDR [from SRC] [iif DEV] [oif DEV]`: prints Linux's text
 * (e.g. "10.0.0.2 dev eth0 src 10.0.0.1 uid 0 \n    cache \n") into buf.
 * Returns the length (snprintf-like) or -errno (the route error). */
int ip_route_get(struct ns_stack *stack, uint32_t daddr, uint32_t saddr, int oif,
		 char *buf, size_t len);

int ip_route_init(struct ns_stack *stack);
void ip_route_exit(struct ns_stack *stack);

#endif
