/* fib6.h - the IPv6 forwarding table: longest-prefix match on 128-bit
 * prefixes over a binary radix trie with path compression (Linux's
 * net/ipv6/ip6_fib.c keeps the same shape: fib6_node with a bit position,
 * two children and the routes of exactly that prefix).
 *
 * Every node holds one prefix (key/plen); a child's prefix extends its
 * parent's, and the bit at position parent->plen chooses the child, so a
 * lookup walks at most 129 nodes and usually log2(routes) of them. Nodes
 * without routes and with fewer than two children are removed, so the trie
 * has at most 2n nodes for n prefixes. Routes of one prefix form a list
 * ordered by metric. Control-plane calls allocate; lookups never do. */
#ifndef NSTACK_IPV6_FIB6_H
#define NSTACK_IPV6_FIB6_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/rtnetlink.h>	/* RTN_*, RTPROT_* */

/* Linux's route flags as /proc/net/ipv6_route prints them */
#define RTF6_UP        0x00000001
#define RTF6_GATEWAY   0x00000002
#define RTF6_REJECT    0x00000200
#define RTF6_DEFAULT   0x00010000
#define RTF6_ADDRCONF  0x00040000
#define RTF6_NONEXTHOP 0x00200000
#define RTF6_EXPIRES   0x00400000
#define RTF6_LOCAL     0x80000000u

struct fib6_info {
	struct fib6_info *next;		/* same prefix, ascending metric */
	uint8_t dst[16];
	uint8_t plen;
	uint8_t type;			/* RTN_UNICAST, LOCAL, MULTICAST, BLACKHOLE,
					 * UNREACHABLE, PROHIBIT (0 = UNICAST) */
	uint8_t protocol;		/* RTPROT_* */
	uint8_t gateway[16];		/* :: = on-link */
	int ifindex;			/* 0 for reject types */
	uint32_t metric;
	uint32_t flags;			/* RTF6_* */
	uint32_t mtu;			/* 0: the device's */
	uint64_t use;
};

struct fib6_node;
struct fib6_table {
	uint32_t id;			/* RT_TABLE_LOCAL / RT_TABLE_MAIN */
	struct fib6_node *root;
	unsigned int routes;
	unsigned int nodes;
	uint32_t *genid;		/* owner's route generation, bumped on any change (NULL: none) */
};

/* A route may have changed: cached output routes are stale. */
static inline void fib6_table_changed(struct fib6_table *t)
{
	if (t->genid)
		(*t->genid)++;
}

struct fib6_table *fib6_table_new(uint32_t id);
void fib6_table_free(struct fib6_table *t);
/* Add a copy of r. 0, -EEXIST (same prefix, metric, gateway and device),
 * -EINVAL (plen > 128), -ENOMEM. The host bits of dst are cleared. */
int fib6_add(struct fib6_table *t, const struct fib6_info *r);
/* Delete the route with r's prefix; metric/gateway/ifindex match when
 * nonzero/non-::. 0 or -ESRCH. */
int fib6_del(struct fib6_table *t, const struct fib6_info *r);
/* Longest prefix matching addr; the lowest metric route whose ifindex
 * accepts oif (0: any). NULL when none. */
struct fib6_info *fib6_lookup(const struct fib6_table *t, const uint8_t *addr, int oif);
/* Exact prefix (first route), or NULL. */
struct fib6_info *fib6_find(const struct fib6_table *t, const uint8_t *dst, unsigned int plen);
/* Visit every route in prefix order; cb returning nonzero stops. */
int fib6_walk(const struct fib6_table *t, int (*cb)(struct fib6_info *r, void *ctx), void *ctx);
/* Delete every route through ifindex. */
void fib6_flush_oif(struct fib6_table *t, int ifindex);

#endif
