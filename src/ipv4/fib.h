/* fib.h - the IPv4 routing table (Linux's FIB) as a standalone data structure.
 *
 * Read this first: struct fib_route (what a route is), fib_table_insert()
 * (Linux's `ip route add/replace/append/prepend/change` semantics) and
 * fib_table_lookup() (the hot path, inline below).
 *
 * ADDRESSES ARE uint32_t IN HOST BYTE ORDER throughout this API
 * (10.1.2.3 is 0x0a010203). Only the /proc/net/route text shows
 * network-order values, exactly as Linux prints them.
 *
 * Design: two structures kept in sync by fib.c.
 *  - The authoritative store: a hash of (prefix, length) -> struct fib_prefix,
 *    each holding its routes in Linux's alias order (TOS descending, then
 *    metric ascending, then insertion order as prepend/append dictate).
 *    Insert, delete, dump and `ip route del` matching work on it.
 *  - The lookup accelerator, DIR-16-8-8: a 65536-entry first level indexed by
 *    the top 16 address bits; an entry holds either a route id (0 = no route)
 *    or, with FIB_DIR_EXT set, the index of a 256-entry group in a pool (the
 *    next 8 bits), and a second-level entry may point likewise to a third-level
 *    group (the last 8 bits). Groups are allocated on demand and collapsed
 *    again when they become uniform. Each entry carries, on the side, the
 *    length+1 of the prefix that owns it, so updates touch only the entries the
 *    changed prefix owns. The route id of a prefix is that of its best route:
 *    the first route with TOS 0 (this API's lookups carry no TOS, as for
 *    `ip route get ADDR`).
 *  Routes live in fixed-size chunks addressed by id, so a lookup turns an id
 *  into a pointer with arithmetic only, and a route never moves in memory.
 *
 * Concurrency: none. One writer, and no lookup may run during a modification
 * (the owning stack instance serializes). A pointer returned by a lookup or
 * handed to a walk callback stays valid until the next modification of the
 * table. No global state: several tables (and stack instances) coexist.
 *
 * Memory: an empty table costs about 330 KB of zero-filled virtual memory for
 * the first level (untouched pages cost nothing), plus a few hundred bytes.
 */
#ifndef NSTACK_IPV4_FIB_H
#define NSTACK_IPV4_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>    /* NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND */
#include <linux/rtnetlink.h>  /* RTN_*, RT_SCOPE_*, RTPROT_* (Linux's values) */
#include "core/compiler.h"
#include "core/list.h"

/* One route, as `ip route` shows it. Host byte order for addresses.
 * Zero-initialize and fill what you need: type 0 is taken as RTN_UNICAST by
 * fib_table_insert(). */
struct fib_route {
	uint32_t dst;       /* prefix; host bits below dst_len must be zero */
	uint8_t dst_len;    /* 0..32 */
	uint8_t type;       /* RTN_UNICAST=1, LOCAL=2, BROADCAST=3, BLACKHOLE=6,
			     * UNREACHABLE=7, PROHIBIT=8 */
	uint8_t scope;      /* RT_SCOPE_UNIVERSE=0, LINK=253, HOST=254 */
	uint8_t protocol;   /* RTPROT_KERNEL=2, BOOT=3, STATIC=4, ... */
	uint32_t priority;  /* metric: among routes of one prefix, lowest wins */
	uint32_t gateway;   /* next hop, 0 = none (device route) */
	int oif;            /* output ifindex, 0 = none */
	uint32_t prefsrc;   /* preferred source address, 0 = none */
	uint32_t mtu;       /* route MTU metric, 0 = use the device's */
	uint8_t tos;        /* TOS selector, 0 = any */
	uint32_t flags;     /* RTNH_F_* next-hop flags (e.g. RTNH_F_ONLINK) */
};

/* Wildcard value for fib_route.scope in a fib_table_delete() match (Linux's
 * RT_SCOPE_NOWHERE, what `ip route del` sends when no scope is given). */
#define FIB_SCOPE_ANY RT_SCOPE_NOWHERE

/* What forwarding needs from a route: its next hop (Linux's fib_nh). Many
 * routes share a few next hops (a full BGP table has a handful of peers), so
 * the table keeps the distinct ones in a small dense array and the lookup
 * structure names them directly: fib_table_lookup_nh() answers without
 * touching the route (one cache miss fewer per lookup). */
struct fib_nh {
	uint32_t gateway;   /* as fib_route */
	int oif;
	uint32_t mtu;
	uint8_t type;       /* the route's type (RTN_*) */
	uint8_t scope;
	uint32_t refcnt;    /* routes using this shared slot (internal) */
};

/* ---- internals the inline lookup needs; use the functions below ----
 * An accelerator entry is 0 (no route), FIB_DIR_EXT | group index, or a
 * leaf: the route id in the low FIB_ID_BITS bits and, above them, the index
 * of its shared next hop in fib_table.nh (0: not shared, read the route). */
#define FIB_DIR_EXT        0x80000000u   /* entry is a group index */
#define FIB_ID_BITS        24            /* route ids < 16 M per table */
#define FIB_ID_MASK        ((1u << FIB_ID_BITS) - 1)
#define FIB_NH_SHARED      128           /* shared next-hop slots; slot 0 unused */
#define FIB_CHUNK_SHIFT    8             /* routes per chunk = 256 */
#define FIB_CHUNK_SIZE     (1u << FIB_CHUNK_SHIFT)

struct fib_prefix;

/* A route slot. `route` must stay first: lookups return &slot->route. */
struct fib_entry {
	struct fib_route route;
	uint32_t id;                /* index of this slot, 0 is never used */
	uint8_t nh_idx;             /* its shared next hop in fib_table.nh, 0 = none */
	struct fib_nh nh;           /* its next hop, for lookups when nh_idx is 0 */
	struct list_head list;      /* in prefix->routes, or the free list */
	struct fib_prefix *prefix;  /* owner; NULL when free */
};

struct fib_table {
	/* Lookup accelerator (DIR-16-8-8), read by fib_table_lookup(). */
	uint32_t *l1;               /* 65536 entries */
	uint32_t *grp;              /* group pool, 256 entries per group */
	struct fib_entry **chunks;  /* route id -> chunk of FIB_CHUNK_SIZE slots */

	/* Owner lengths (prefix length + 1, 0 = none) beside l1 and grp. */
	uint8_t *l1_len;
	uint8_t *grp_len;
	uint32_t grp_cap;           /* groups the pool has room for */
	uint32_t grp_top;           /* groups ever handed out (high-water mark) */
	uint32_t grp_live;          /* groups in use */
	uint32_t grp_free;          /* free-list head (FIB_DIR_EXT|idx), 0 = empty */

	/* Route slots, carved in chunks from slabs of doubling size. */
	uint32_t nr_chunks;
	uint32_t chunks_cap;
	struct list_head free_entries;
	uint32_t slab_room;         /* chunks left in the newest slab */
	uint32_t nr_slabs;
	struct fib_entry *slab_next;
	struct { void *mem; size_t size; } slabs[32];
	size_t grp_bytes;           /* mapped size of grp */

	/* Authoritative store: hash of (prefix, length). */
	struct hlist_head *hash;
	uint32_t hash_bits;
	uint32_t nr_prefixes;

	/* Shared next hops (see struct fib_nh); entries with refcnt 0 are free. */
	struct fib_nh nh[FIB_NH_SHARED];

	uint32_t id;                /* table id (RT_TABLE_MAIN = 254, ...) */
	uint32_t nr_routes;
	uint32_t max_routes;        /* 0 = unlimited */
	uint32_t *genid;            /* owner's route generation, bumped on any change (NULL: none) */
};

/* A route may have changed: cached output routes are stale (rt_genid_bump). */
static inline void fib_table_changed(struct fib_table *t)
{
	if (t->genid)
		(*t->genid)++;
}

/* ---- lifetime ---- */

/* Create an empty table with id @id. Returns NULL when out of memory. */
struct fib_table *fib_table_create(uint32_t id);
/* Free the table and every route in it. NULL is accepted. */
void fib_table_free(struct fib_table *t);

/* ---- modification ---- */

/* Add @r (copied) with the semantics of RTM_NEWROUTE and these @nlflags:
 *   `ip route add`     NLM_F_CREATE|NLM_F_EXCL: -EEXIST when a route with the
 *                      same prefix, TOS and metric exists.
 *   `ip route replace` NLM_F_CREATE|NLM_F_REPLACE: replaces the first route
 *                      with the same prefix, TOS and metric, else creates.
 *   `ip route change`  NLM_F_REPLACE: as replace, but -ENOENT if none.
 *   `ip route append`  NLM_F_CREATE|NLM_F_APPEND: adds after the routes with
 *                      the same key; -EEXIST only for an identical route.
 *   `ip route prepend` NLM_F_CREATE: adds before them; same -EEXIST rule.
 * Returns 0, -EINVAL (bad length, host bits set, bad type or scope, gateway
 * or device on a reject route, gateway on a host-scope route), -EEXIST,
 * -ENOENT, -ENOSPC (fib_table_set_max() limit) or -ENOMEM. On error the
 * table is unchanged. */
int fib_table_insert(struct fib_table *t, const struct fib_route *r, unsigned nlflags);

/* Delete the first route matching @match, like `ip route del`: dst, dst_len
 * and tos must be equal; a zero type, protocol, priority, gateway, oif,
 * prefsrc or mtu is a wildcard, and so is scope 0 or FIB_SCOPE_ANY (so unlike
 * Linux a match cannot ask for "universe scope only"); flags is ignored.
 * Returns 0 or -ESRCH (nothing matches), -EINVAL (bad prefix). */
int fib_table_delete(struct fib_table *t, const struct fib_route *match);

/* Delete every route whose oif is @oif (the device went away). Returns the
 * number of routes deleted. */
int fib_table_flush_oif(struct fib_table *t, int oif);

/* Set the maximum number of routes, 0 = unlimited. Routes already present
 * stay; inserts that would exceed it fail with -ENOSPC. */
void fib_table_set_max(struct fib_table *t, uint32_t max_routes);

static inline uint32_t fib_table_count(const struct fib_table *t)
{
	return t->nr_routes;
}

/* ---- lookup (hot path) ---- */

/* Longest-prefix match for @daddr (host order), as `ip route get`: the route
 * with the longest matching prefix, and among that prefix's routes with TOS
 * 0 the first in order (lowest metric). NULL when no route matches. The
 * route's type tells the caller what to do with it (see fib_route_error()). */
static inline uint32_t fib_table_leaf(const struct fib_table *t, uint32_t daddr)
{
	uint32_t e = t->l1[daddr >> 16];

	if (e & FIB_DIR_EXT) {
		e = t->grp[((e & ~FIB_DIR_EXT) << 8) | ((daddr >> 8) & 0xff)];
		if (e & FIB_DIR_EXT)
			e = t->grp[((e & ~FIB_DIR_EXT) << 8) | (daddr & 0xff)];
	}
	return e;
}

static inline struct fib_entry *fib_table_slot(const struct fib_table *t, uint32_t leaf)
{
	uint32_t id = leaf & FIB_ID_MASK;

	return &t->chunks[id >> FIB_CHUNK_SHIFT][id & (FIB_CHUNK_SIZE - 1)];
}

static inline const struct fib_route *fib_table_lookup(const struct fib_table *t, uint32_t daddr)
{
	uint32_t e = fib_table_leaf(t, daddr);

	if (unlikely(!e))
		return NULL;
	return &fib_table_slot(t, e)->route;
}

/* The next hop of fib_table_lookup(t, daddr)'s route (NULL: no route): what
 * forwarding needs, usually found without reading the route itself. Valid
 * until the next modification of the table. */
static inline const struct fib_nh *fib_table_lookup_nh(const struct fib_table *t, uint32_t daddr)
{
	uint32_t e = fib_table_leaf(t, daddr), nh = (e >> FIB_ID_BITS) & (FIB_NH_SHARED - 1);

	if (unlikely(!e))
		return NULL;
	if (likely(nh))
		return &t->nh[nh];
	return &fib_table_slot(t, e)->nh;
}

/* fib_table_lookup() for @n addresses at once (a receive batch): res[i] is
 * the route for daddr[i]. Software-pipelined: the second-level entry of a
 * later address and the route of an earlier one are prefetched while the
 * current one is resolved, so cache misses overlap. Same results as calling
 * fib_table_lookup() n times. */
#define FIB_BULK_AHEAD 8
static inline void fib_table_lookup_bulk(const struct fib_table *t, const uint32_t *daddr,
					 const struct fib_route **res, unsigned n)
{
	for (unsigned i = 0; i < n + FIB_BULK_AHEAD; i++) {
		if (i < n) {
			uint32_t a = daddr[i], e = t->l1[a >> 16];

			if (e & FIB_DIR_EXT)
				__builtin_prefetch(&t->grp[((e & ~FIB_DIR_EXT) << 8) | ((a >> 8) & 0xff)]);
		}
		if (i >= FIB_BULK_AHEAD) {
			unsigned j = i - FIB_BULK_AHEAD;
			const struct fib_route *r = fib_table_lookup(t, daddr[j]);

			if (r)
				__builtin_prefetch(r);
			res[j] = r;
		}
	}
}

/* fib_table_lookup_nh() for @n addresses at once, software-pipelined like
 * fib_table_lookup_bulk(): the second-level entry of a later address is
 * prefetched while an earlier one is resolved. */
static inline void fib_table_lookup_nh_bulk(const struct fib_table *t, const uint32_t *daddr,
					    const struct fib_nh **res, unsigned n)
{
	for (unsigned i = 0; i < n + FIB_BULK_AHEAD; i++) {
		if (i < n) {
			uint32_t a = daddr[i], e = t->l1[a >> 16];

			if (e & FIB_DIR_EXT)
				__builtin_prefetch(&t->grp[((e & ~FIB_DIR_EXT) << 8) | ((a >> 8) & 0xff)]);
		}
		if (i >= FIB_BULK_AHEAD)
			res[i - FIB_BULK_AHEAD] = fib_table_lookup_nh(t, daddr[i - FIB_BULK_AHEAD]);
	}
}

/* The error Linux's fib_props gives a route type: 0 for routes that forward
 * or deliver, -EINVAL blackhole, -EHOSTUNREACH unreachable, -EACCES prohibit,
 * -EAGAIN throw. */
int fib_route_error(uint8_t type);

/* ---- dumps ---- */

/* Call @cb for every route in prefix order: ascending prefix, and for equal
 * prefixes the longer length first, then the routes of one prefix in their
 * list order (the order of Linux's fib_trie dumps). A nonzero return from
 * @cb stops the walk and is returned. @cb must not modify the table.
 * Returns -ENOMEM if the ordering array cannot be allocated. */
int fib_table_walk(const struct fib_table *t,
		   int (*cb)(const struct fib_route *r, void *ctx), void *ctx);

/* Interface name for an ifindex; NULL means "no device" and prints "*". */
typedef const char *(*fib_ifname_fn)(int oif, void *ctx);

/* Length of every /proc/net/route line, '\n' included. */
#define FIB_PROC_LINE_LEN 128

/* Write the /proc/net/route header line (FIB_PROC_LINE_LEN bytes + NUL) into
 * @buf of @len bytes. Returns the line length, like snprintf. */
int fib_route_proc_header(char *buf, size_t len);
/* Write @r's /proc/net/route line (as Linux's fib_route_seq_show: padded to
 * 127 columns, addresses as %08X of the network-order value). @ifname may be
 * NULL. Returns the line length, or 0 for routes Linux does not show
 * (broadcast, multicast). Output is truncated to @len like snprintf. */
int fib_route_proc_format(const struct fib_route *r, const char *ifname, char *buf, size_t len);
/* The whole /proc/net/route text for @t into @buf (NUL-terminated, truncated
 * to @len). Returns the full length needed (excluding NUL), or -ENOMEM. */
ssize_t fib_table_proc_dump(const struct fib_table *t, fib_ifname_fn ifname, void *ctx,
			    char *buf, size_t len);

/* Bytes of memory the table holds (accelerator, store and routes). */
size_t fib_table_mem(const struct fib_table *t);

#endif
