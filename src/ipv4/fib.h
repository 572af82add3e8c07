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
 *  - The lookup accelerator, DIR-18 + range lines (after DXR, Zec et al.,
 *    "DXR: towards a billion routing lookups per second"): a 2^18-entry
 *    direct table indexed by the top 18 address bits holds either a leaf
 *    (the /18 is uniform) or the index of a block in a pool of 128-byte
 *    lines describing the /18 as sorted address ranges (low 14 bits). One
 *    line holds up to 20 ranges: 19 range starts (range 0 starts at 0),
 *    searched with SIMD compares, and the 20 leaves (route id + shared next
 *    hop). A /18 with more ranges uses a "flat" block searched by binary
 *    search (rare: a full table averages ~8 ranges per /18). Each range's
 *    owner length (prefix length + 1) is kept in a parallel pool, for
 *    updates only. Adjacent ranges never share a leaf (they are merged).
 *    Updates decode the /18 concerned, rewrite its ranges and encode them
 *    again (prefixes longer than /18), or rewrite the owned leaves in place
 *    in every /18 covered (shorter prefixes). The route id of a prefix is
 *    that of its best route: the first route with TOS 0 (this API's lookups
 *    carry no TOS, as for `ip route get ADDR`).
 *  - The next-hop cache t24 (DIR-24 of bytes, 16 MB): per /24, the shared
 *    next-hop index of the one range covering it, or "slow" (split /24,
 *    unshared next hop, no route), stored XOR FIB_T24_SLOW so that untouched
 *    zero pages read as "slow" and unrouted space is never written. fib_table_lookup_nh() is then one
 *    read in a 16 MB array (L3-resident, unlike a 100+ MB trie); the range
 *    lines answer the rest. It is built once the table has FIB_T24_MIN
 *    prefixes (small tables touch none of it) and kept in step with the
 *    /18s every update rewrites (64 bytes each).
 *  Routes live in fixed-size chunks addressed by id, so a lookup turns an id
 *  into a pointer with arithmetic only, and a route never moves in memory.
 *
 * Concurrency: none. One writer, and no lookup may run during a modification
 * (the owning stack instance serializes). A pointer returned by a lookup or
 * handed to a walk callback stays valid until the next modification of the
 * table. No global state: several tables (and stack instances) coexist.
 *
 * Memory: an empty table costs about 1.5 MB of virtual memory (the direct
 * table, 16 MB of t24 mapped but untouched, scratch for updates); untouched
 * pages cost nothing. The line pool is bounded (FIB_LINES_MAX, 16 M lines,
 * 2.3 GB with the owner lengths; a full Internet table needs ~0.25 M): an
 * insert that needs more fails with -ENOMEM and leaves the table unchanged.
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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
 * A leaf is 0 (no route) or the route id in the low FIB_ID_BITS bits and,
 * above them, the index of its shared next hop in fib_table.nh (0: not
 * shared, read the route). A direct-table entry is a leaf, or FIB_DIR_EXT |
 * [FIB_DIR_FLAT |] the index of the first line of its block. */
#define FIB_DIR_BITS       18            /* direct table: top 18 address bits */
#define FIB_KEY_BITS       (32 - FIB_DIR_BITS)
#define FIB_KEY_MASK       ((1u << FIB_KEY_BITS) - 1)
#define FIB_DIR_EXT        0x80000000u   /* entry is a block of lines */
#define FIB_DIR_FLAT       0x40000000u   /* ... in the flat format */
#define FIB_DIR_IDX        0x3fffffffu
#define FIB_LINE_RANGES    20            /* ranges per line */
#define FIB_LINES_MAX      (1u << 24)    /* line pool bound */
#define FIB_ID_BITS        24            /* route ids < 16 M per table */
#define FIB_ID_MASK        ((1u << FIB_ID_BITS) - 1)
#define FIB_NH_SHARED      128           /* shared next-hop slots; slot 0 unused */
#define FIB_NH_MASK        (FIB_NH_SHARED - 1)
#define FIB_CHUNK_SHIFT    8             /* routes per chunk = 256 */
#define FIB_CHUNK_SIZE     (1u << FIB_CHUNK_SHIFT)
#define FIB_BLK_CLASSES    16            /* flat blocks of 2^0 .. 2^15 lines */
#define FIB_T24_SLOW       0x80          /* t24: ask the range lines */
#define FIB_T24_MIN        1024          /* prefixes before t24 is built */

/* One line (two cache lines, which the adjacent-line prefetcher fetches
 * together): ranges 1..19 start at start[0..18] (ascending; unused ones and
 * pad hold 0x7fff, above every key); leaf[i] is range i's leaf, the unused
 * ones repeat the last range's.
 * A flat block (several lines) holds instead: uint16_t n, uint16_t size
 * class, then n range starts (the first 0) as uint16_t, then from byte
 * FIB_FLAT_LEAVES(n) the n leaves as uint32_t. */
struct fib_line {
	uint16_t start[FIB_LINE_RANGES - 1];
	uint16_t pad;
	uint32_t leaf[FIB_LINE_RANGES];
} __attribute__((aligned(128)));
#define FIB_FLAT_LEAVES(n) ((4 + 2 * (n) + 3) & ~3u)

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
	/* Lookup accelerator (direct table + range lines), see above. */
	uint8_t *t24;               /* next-hop byte per /24 ^ FIB_T24_SLOW, see below */
	uint32_t *dir;              /* 1 << FIB_DIR_BITS entries */
	struct fib_line *lines;     /* the line pool */
	struct fib_entry **chunks;  /* route id -> chunk of FIB_CHUNK_SIZE slots */

	/* For updates only: owner lengths (prefix length + 1, 0 = none) of the
	 * uniform direct entries and of every range. */
	uint8_t *dir_len;
	uint8_t *lens;              /* FIB_LINE_RANGES per line */
	uint32_t lines_cap;         /* lines the pools have room for */
	uint32_t lines_top;         /* lines ever handed out (high-water mark) */
	uint32_t lines_live;        /* lines in blocks in use */
	uint32_t lines_max;         /* bound, FIB_LINES_MAX */
	uint32_t blk_free[FIB_BLK_CLASSES];  /* free blocks by size class, index + 1 */
	size_t lines_bytes, lens_bytes;
	void *scratch;              /* two decoded range lists, for updates */
	bool t24_on;                /* t24 maintained (the table grew large) */

	/* Route slots, carved in chunks from slabs of doubling size. */
	uint32_t nr_chunks;
	uint32_t chunks_cap;
	struct list_head free_entries;
	uint32_t slab_room;         /* chunks left in the newest slab */
	uint32_t nr_slabs;
	struct fib_entry *slab_next;
	struct { void *mem; size_t size; } slabs[32];

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

/* The range of line @l holding @key: the number of its starts <= key. */
static inline unsigned fib_line_find(const struct fib_line *l, uint32_t key)
{
#ifdef __SSE2__
	/* Starts and keys are < 0x8000: signed 16-bit compares are exact. Lanes
	 * 19..23 (pad, leaves) are cut off by bit 19. */
	const __m128i *v = (const __m128i *)l;
	__m128i k = _mm_set1_epi16((short)key);
	unsigned gt = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(_mm_cmpgt_epi16(v[0], k),
								  _mm_cmpgt_epi16(v[1], k)));
	__m128i g2 = _mm_cmpgt_epi16(v[2], k);

	gt |= (unsigned)_mm_movemask_epi8(_mm_packs_epi16(g2, g2)) << 16;
	return (unsigned)__builtin_ctz(gt | 1u << (FIB_LINE_RANGES - 1));
#else
	unsigned idx = 0;

	for (unsigned j = 0; j < FIB_LINE_RANGES - 1; j++)
		idx += l->start[j] <= key;
	return idx;
#endif
}

/* The leaf of the range of the flat block at line @li holding @key
 * (binary search). */
static inline uint32_t fib_flat_leaf(const struct fib_table *t, uint32_t li, uint32_t key)
{
	const uint16_t *s0 = (const uint16_t *)(const void *)&t->lines[li], *s;
	unsigned n = s0[0], len = n;

	for (s = s0 + 2; len > 1; len -= len / 2)
		s = s[len / 2] <= key ? s + len / 2 : s;
	return ((const uint32_t *)(const void *)((const char *)s0 + FIB_FLAT_LEAVES(n)))
		[s - (s0 + 2)];
}

/* The leaf (route id | shared next hop << FIB_ID_BITS, 0 = no route) that
 * the longest matching prefix's best route has. */
static inline uint32_t fib_table_leaf(const struct fib_table *t, uint32_t daddr)
{
	uint32_t e = t->dir[daddr >> FIB_KEY_BITS];
	const struct fib_line *l = &t->lines[e & FIB_DIR_IDX];

	if (!(e & FIB_DIR_EXT))
		return e;
	/* leaves 6..19 are in the line's second half: fetch it during the search */
	__builtin_prefetch(&l->leaf[FIB_LINE_RANGES - 1]);
	if (likely(!(e & FIB_DIR_FLAT)))
		return l->leaf[fib_line_find(l, daddr & FIB_KEY_MASK)];
	return fib_flat_leaf(t, e & FIB_DIR_IDX, daddr & FIB_KEY_MASK);
}

static inline struct fib_entry *fib_table_slot(const struct fib_table *t, uint32_t leaf)
{
	uint32_t id = leaf & FIB_ID_MASK;

	return &t->chunks[id >> FIB_CHUNK_SHIFT][id & (FIB_CHUNK_SIZE - 1)];
}

/* Longest-prefix match for @daddr (host order), as `ip route get`: the route
 * with the longest matching prefix, and among that prefix's routes with TOS
 * 0 the first in order (lowest metric). NULL when no route matches. The
 * route's type tells the caller what to do with it (see fib_route_error()). */
static inline const struct fib_route *fib_table_lookup(const struct fib_table *t, uint32_t daddr)
{
	uint32_t e = fib_table_leaf(t, daddr);

	if (unlikely(!e))
		return NULL;
	return &fib_table_slot(t, e)->route;
}

/* The next hop of a leaf (NULL: no route). */
static inline const struct fib_nh *fib_table_leaf_nh(const struct fib_table *t, uint32_t e)
{
	uint32_t nh = (e >> FIB_ID_BITS) & FIB_NH_MASK;

	if (unlikely(!e))
		return NULL;
	if (likely(nh))
		return &t->nh[nh];
	return &fib_table_slot(t, e)->nh;
}

/* The next hop of fib_table_lookup(t, daddr)'s route (NULL: no route): what
 * forwarding needs. Usually ONE memory read: the next-hop byte of the /24
 * in t24; the range lines only for /24s split by longer prefixes or with an
 * unshared next hop, unrouted space, and tables too small to build t24.
 * Valid until the next modification of the table. */
static inline const struct fib_nh *fib_table_lookup_nh(const struct fib_table *t, uint32_t daddr)
{
	unsigned b = t->t24[daddr >> 8] ^ FIB_T24_SLOW;

	if (likely(b - 1 < FIB_NH_SHARED - 1))
		return &t->nh[b];
	return fib_table_leaf_nh(t, fib_table_leaf(t, daddr));
}

/* Software pipelining for the route bulk lookup: the direct entry of the
 * address FIB_BULK_AHEAD places ahead is prefetched, and the line of the one
 * half as far ahead, so cache misses overlap. */
#define FIB_BULK_AHEAD 16
static inline void fib_bulk_prefetch(const struct fib_table *t, const uint32_t *daddr,
				     unsigned i, unsigned n)
{
	if (i + FIB_BULK_AHEAD < n)
		__builtin_prefetch(&t->dir[daddr[i + FIB_BULK_AHEAD] >> FIB_KEY_BITS]);
	if (i + FIB_BULK_AHEAD / 2 < n) {
		uint32_t e = t->dir[daddr[i + FIB_BULK_AHEAD / 2] >> FIB_KEY_BITS];

		if (e & FIB_DIR_EXT) {
			__builtin_prefetch(&t->lines[e & FIB_DIR_IDX]);
			__builtin_prefetch(&t->lines[e & FIB_DIR_IDX].leaf[FIB_LINE_RANGES - 1]);
		}
	}
}

/* fib_table_lookup() for @n addresses at once (a receive batch): res[i] is
 * the route for daddr[i]. Software-pipelined (see fib_bulk_prefetch), and
 * each route is prefetched for the caller. Same results as calling
 * fib_table_lookup() n times. */
static inline void fib_table_lookup_bulk(const struct fib_table *t, const uint32_t *daddr,
					 const struct fib_route **res, unsigned n)
{
	for (unsigned i = 0; i < NS_MIN(n, (unsigned)FIB_BULK_AHEAD); i++)
		__builtin_prefetch(&t->dir[daddr[i] >> FIB_KEY_BITS]);
	for (unsigned i = 0; i < n; i++) {
		const struct fib_route *r;

		fib_bulk_prefetch(t, daddr, i, n);
		r = fib_table_lookup(t, daddr[i]);
		if (r)
			__builtin_prefetch(r);
		res[i] = r;
	}
}

/* fib_table_lookup_nh() for @n addresses at once, software-pipelined (the
 * t24 byte FIB_BULK_AHEAD addresses ahead is prefetched). */
static inline void fib_table_lookup_nh_bulk(const struct fib_table *t, const uint32_t *daddr,
					    const struct fib_nh **res, unsigned n)
{
	for (unsigned i = 0; i < NS_MIN(n, (unsigned)FIB_BULK_AHEAD); i++)
		__builtin_prefetch(&t->t24[daddr[i] >> 8]);
	for (unsigned i = 0; i < n; i++) {
		if (i + FIB_BULK_AHEAD < n)
			__builtin_prefetch(&t->t24[daddr[i + FIB_BULK_AHEAD] >> 8]);
		res[i] = fib_table_lookup_nh(t, daddr[i]);
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

/* Check the accelerator against its invariants (for tests): every block
 * well formed, starts ascending, adjacent ranges with distinct leaves,
 * next-hop bytes matching the leaves, line accounting. 0 or -EUCLEAN. */
int fib_table_verify(const struct fib_table *t);

/* Bytes of memory the table holds (accelerator, store and routes). */
size_t fib_table_mem(const struct fib_table *t);

#endif
