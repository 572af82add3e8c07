/* net3.h - the three-stack IPv4 topology of test_ipv4_pipe and
 * test_firewall: A (eth0) -- pipe -- (eth0) R (eth1) -- pipe -- (eth0) B,
 * each link a /24, A and B routing by default through R, R forwarding. */
#ifndef NSTACK_NET3_H
#define NSTACK_NET3_H

#include "testlib.h"

struct net3 {
	struct test_stack *a, *r, *b;
	struct net_device *a0, *r0, *r1, *b0;
};

/* Build the topology with these addresses (host order) and settle it. */
void net3_init(struct net3 *n, uint32_t a_ip, uint32_t r_ip0, uint32_t r_ip1, uint32_t b_ip);
/* Step all three stacks until none has work (fail_msg when they do not settle). */
void net3_run_all(struct net3 *n);
/* Settle, then free the three stacks (leak-checked). */
void net3_free(struct net3 *n);
/* A default route on s via gw out of dev (assert it is added). */
void test_add_default_route(struct ns_stack *s, struct net_device *dev, uint32_t gw);

/* Load nft rules into s, or fail_msg with nft's error. */
void net3_nft(struct ns_stack *s, const char *text);

#endif
