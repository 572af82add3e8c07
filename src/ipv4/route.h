/* route.h - IPv4 routing glue over the FIB (Linux's net/ipv4/route.c):
 * the LOCAL and MAIN tables, input route decisions, the learned path-MTU
 * exception cache, `ip route get`. ip_route_output is declared in ip.h. */
#ifndef NSTACK_IPV4_ROUTE_H
#define NSTACK_IPV4_ROUTE_H

#include <stddef.h>
#include <stdint.h>

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
