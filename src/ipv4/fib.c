/* fib.c - IPv4 routing table: the (prefix, length) hash that owns the routes,
 * and the DIR-18 + range-line lookup accelerator kept in sync with it.
 *
 * Read fib.h first. The one invariant tying the two together: every address
 * range of the accelerator (a uniform direct entry, or a range of a line)
 * holds the best route's leaf (its id and shared next-hop index, see fib.h)
 * of the longest *effective* prefix covering it (effective = has a TOS-0
 * route), and its side length byte holds that prefix's length + 1 (0 = no
 * route). Hence:
 *  - a prefix that becomes effective, or whose best route changes, overwrites
 *    the ranges in its span whose owner length is <= its own (accel_set);
 *  - a prefix that stops being effective hands exactly the ranges it owns
 *    (owner length == its own) to its longest effective ancestor
 *    (accel_clear); adjacent ranges left with one owner merge, and a /18
 *    left with one range folds back into its direct entry.
 */
#define _GNU_SOURCE   /* mremap */
#include "ipv4/fib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/route.h>   /* RTF_UP, RTF_GATEWAY, RTF_HOST, RTF_REJECT */

#define ID_MAX        FIB_ID_MASK
#define HASH_MIN_BITS 4

struct fib_prefix {
	struct hlist_node hnode;
	uint32_t dst;
	uint8_t len;
	uint32_t best;             /* leaf of the first TOS-0 route, 0 = none */
	struct list_head routes;   /* struct fib_entry, Linux alias order */
};

static inline uint32_t fib_mask(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* ---- memory for the big arrays ---------------------------------------- */

/* The direct table, the line pools and the route slabs are read at random by lookups; with a
 * full table they span hundreds of MB, and 4 KB pages would make every
 * lookup a page walk. They are mapped directly (zero-filled, untouched pages
 * cost nothing) and marked for transparent huge pages once large. */
#define HUGE_MIN (2u << 20)

static void *big_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (size >= HUGE_MIN)
		madvise(p, size, MADV_HUGEPAGE);
	return p;
}

static void *big_grow(void *old, size_t old_size, size_t size)
{
	void *p;

	if (!old)
		return big_alloc(size);
	p = mremap(old, old_size, size, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return NULL;
	if (size >= HUGE_MIN)
		madvise(p, size, MADV_HUGEPAGE);
	return p;
}

/* ---- route slots ------------------------------------------------------- */

static struct fib_entry *entry_alloc(struct fib_table *t)
{
	struct fib_entry *e, *chunk;
	uint32_t i, base;

	if (list_empty(&t->free_entries)) {
		if ((uint64_t)(t->nr_chunks + 1) * FIB_CHUNK_SIZE > ID_MAX)
			return NULL;
		if (t->nr_chunks == t->chunks_cap) {
			uint32_t cap = t->chunks_cap ? t->chunks_cap * 2 : 4;
			struct fib_entry **n = realloc(t->chunks, cap * sizeof(*n));

			if (!n)
				return NULL;
			t->chunks = n;
			t->chunks_cap = cap;
		}
		if (!t->slab_room) {
			/* Double the slot count each time, up to 16 MB slabs. */
			uint32_t n = NS_MIN(NS_MAX(t->nr_chunks, 1u), 1024u);
			size_t size = (size_t)n * FIB_CHUNK_SIZE * sizeof(*chunk);
			void *mem;

			if (t->nr_slabs == ARRAY_SIZE(t->slabs))
				return NULL;
			mem = big_alloc(size);
			if (!mem)
				return NULL;
			t->slabs[t->nr_slabs].mem = mem;
			t->slabs[t->nr_slabs++].size = size;
			t->slab_next = mem;
			t->slab_room = n;
		}
		chunk = t->slab_next;
		t->slab_next += FIB_CHUNK_SIZE;
		t->slab_room--;
		base = t->nr_chunks * FIB_CHUNK_SIZE;
		t->chunks[t->nr_chunks++] = chunk;
		for (i = 0; i < FIB_CHUNK_SIZE; i++) {
			chunk[i].id = base + i;
			if (base + i)   /* id 0 means "no route" */
				list_add_tail(&chunk[i].list, &t->free_entries);
		}
	}
	e = list_first_entry(&t->free_entries, struct fib_entry, list);
	list_del(&e->list);
	return e;
}

/* ---- shared next hops ---------------------------------------------------- */

static bool nh_same(const struct fib_nh *a, const struct fib_nh *b)
{
	return a->gateway == b->gateway && a->oif == b->oif && a->mtu == b->mtu &&
	       a->type == b->type && a->scope == b->scope;
}

/* Give e the next hop of its route: its own copy, and a shared slot (an
 * existing equal one, else a free one) unless all FIB_NH_SHARED are taken
 * by others, in which case lookups read e itself (nh_idx 0). */
static void nh_attach(struct fib_table *t, struct fib_entry *e)
{
	unsigned free_idx = 0;

	e->nh = (struct fib_nh){ .gateway = e->route.gateway, .oif = e->route.oif,
				 .mtu = e->route.mtu, .type = e->route.type,
				 .scope = e->route.scope };
	e->nh_idx = 0;
	for (unsigned i = 1; i < FIB_NH_SHARED; i++) {
		if (!t->nh[i].refcnt) {
			if (!free_idx)
				free_idx = i;
		} else if (nh_same(&t->nh[i], &e->nh)) {
			t->nh[i].refcnt++;
			e->nh_idx = (uint8_t)i;
			return;
		}
	}
	if (free_idx) {
		t->nh[free_idx] = e->nh;
		t->nh[free_idx].refcnt = 1;
		e->nh_idx = (uint8_t)free_idx;
	}
}

static void nh_detach(struct fib_table *t, struct fib_entry *e)
{
	if (e->nh_idx)
		t->nh[e->nh_idx].refcnt--;
	e->nh_idx = 0;
}

/* The accelerator's value for route slot e. */
static inline uint32_t entry_leaf(const struct fib_entry *e)
{
	return e->id | (uint32_t)e->nh_idx << FIB_ID_BITS;
}

static void entry_free(struct fib_table *t, struct fib_entry *e)
{
	nh_detach(t, e);
	e->prefix = NULL;
	list_add(&e->list, &t->free_entries);
}

/* ---- the line pool ------------------------------------------------------ */

#define DIR_SIZE   (1u << FIB_DIR_BITS)
#define KEY_SPAN   (1u << FIB_KEY_BITS)
#define LR         FIB_LINE_RANGES
#define START_PAD  0x7fffu            /* unused starts: above every key */
#define MAX_RANGES (KEY_SPAN + 1)     /* ranges in one /18, +1 for a split */
#define T24_SIZE   (1u << 24)

_Static_assert(FIB_KEY_BITS <= 15, "line starts are compared as signed 16-bit");
_Static_assert(sizeof(struct fib_line) == 128, "a line is two cache lines");

/* A decoded /18: ranges [start[i], start[i + 1]) owned by (leaf, d). */
struct ranges {
	uint16_t start[MAX_RANGES + 2];
	uint32_t leaf[MAX_RANGES + 2];
	uint8_t d[MAX_RANGES + 2];
};

static inline uint8_t leaf_nh(uint32_t leaf)
{
	return (uint8_t)((leaf >> FIB_ID_BITS) & FIB_NH_MASK);
}

static inline uint16_t *flat_hdr(const struct fib_table *t, uint32_t li)
{
	return (uint16_t *)(void *)&t->lines[li];
}

/* A flat block: u16 n, u16 size class, n starts, then n leaves (4-aligned). */
static inline uint32_t *flat_leaves(const struct fib_table *t, uint32_t li, unsigned n)
{
	return (uint32_t *)(void *)((char *)&t->lines[li] + FIB_FLAT_LEAVES(n));
}

/* Lines a flat block of n ranges needs, as a size class (2^k lines). */
static unsigned flat_class(unsigned n)
{
	unsigned lines = (FIB_FLAT_LEAVES(n) + 4 * n + sizeof(struct fib_line) - 1) /
			 sizeof(struct fib_line), k = 0;

	lines = NS_MAX(lines, (n + LR - 1) / LR);   /* room in the lens pool too */

	while ((1u << k) < lines)
		k++;
	return k;
}

static int pool_grow(struct fib_table *t, uint32_t need)
{
	uint32_t cap = t->lines_cap ? t->lines_cap : 64;
	size_t lb, nb;
	void *p;

	while (cap < need)
		cap *= 2;
	if (cap > t->lines_max)
		cap = t->lines_max;
	if (cap < need)
		return -ENOMEM;   /* the pool's bound: FIB_LINES_MAX */
	lb = (size_t)cap * sizeof(struct fib_line);
	nb = (size_t)cap * LR;
	/* Each pool keeps what it got, so a failure halfway is harmless. */
	if (lb > t->lines_bytes) {
		if (!(p = big_grow(t->lines, t->lines_bytes, lb)))
			return -ENOMEM;
		t->lines = p;
		t->lines_bytes = lb;
	}
	if (nb > t->lens_bytes) {
		if (!(p = big_grow(t->lens, t->lens_bytes, nb)))
			return -ENOMEM;
		t->lens = p;
		t->lens_bytes = nb;
	}
	t->lines_cap = cap;
	return 0;
}

/* Make sure blk_alloc(t, k) will succeed. */
static int blk_reserve(struct fib_table *t, unsigned k)
{
	if (t->blk_free[k] || t->lines_top + (1u << k) <= t->lines_cap)
		return 0;
	return pool_grow(t, t->lines_top + (1u << k));
}

/* A block of 2^k lines: from the free list of its class, else the top. */
static int blk_alloc(struct fib_table *t, unsigned k, uint32_t *out)
{
	uint32_t li;
	int err;

	if (t->blk_free[k]) {
		li = t->blk_free[k] - 1;
		memcpy(&t->blk_free[k], &t->lines[li], sizeof(uint32_t));
	} else {
		err = blk_reserve(t, k);
		if (err)
			return err;
		li = t->lines_top;
		t->lines_top += 1u << k;
	}
	t->lines_live += 1u << k;
	*out = li;
	return 0;
}

static unsigned blk_class(const struct fib_table *t, uint32_t e)
{
	return (e & FIB_DIR_FLAT) ? flat_hdr(t, e & FIB_DIR_IDX)[1] : 0;
}

/* Free the block a direct entry names. */
static void blk_free(struct fib_table *t, uint32_t e)
{
	uint32_t li = e & FIB_DIR_IDX;
	unsigned k = blk_class(t, e);

	memcpy(&t->lines[li], &t->blk_free[k], sizeof(uint32_t));
	t->blk_free[k] = li + 1;
	t->lines_live -= 1u << k;
}

/* ---- decoding and encoding one /18 -------------------------------------- */

static unsigned line_count(const struct fib_line *l)
{
	unsigned n = 1;

	for (unsigned j = 0; j < LR - 1 && l->start[j] != START_PAD && (!j || l->start[j] > l->start[j - 1]); j++)
		n++;
	return n;
}

/* Number of ranges of direct entry i. */
static unsigned chunk_count(const struct fib_table *t, uint32_t i)
{
	uint32_t e = t->dir[i];

	if (!(e & FIB_DIR_EXT))
		return 1;
	if (e & FIB_DIR_FLAT)
		return flat_hdr(t, e & FIB_DIR_IDX)[0];
	return line_count(&t->lines[e & FIB_DIR_IDX]);
}

/* Decode direct entry i into r; returns the number of ranges. */
static unsigned chunk_decode(const struct fib_table *t, uint32_t i, struct ranges *r)
{
	uint32_t e = t->dir[i], li = e & FIB_DIR_IDX;
	const uint8_t *ln = &t->lens[(size_t)li * LR];
	const uint32_t *lv;
	unsigned n;

	if (!(e & FIB_DIR_EXT)) {
		r->start[0] = 0;
		r->leaf[0] = e;
		r->d[0] = t->dir_len[i];
		return 1;
	}
	if (e & FIB_DIR_FLAT) {
		n = flat_hdr(t, li)[0];
		memcpy(r->start, flat_hdr(t, li) + 2, n * sizeof(uint16_t));
		lv = flat_leaves(t, li, n);
	} else {
		n = line_count(&t->lines[li]);
		r->start[0] = 0;
		memcpy(r->start + 1, t->lines[li].start, (n - 1) * sizeof(uint16_t));
		lv = t->lines[li].leaf;
	}
	memcpy(r->leaf, lv, n * sizeof(uint32_t));
	memcpy(r->d, ln, n);
	return n;
}

static void line_write(struct fib_table *t, uint32_t li, const struct ranges *r, unsigned n)
{
	struct fib_line *l = &t->lines[li];
	uint8_t *ln = &t->lens[(size_t)li * LR];

	l->pad = START_PAD;
	for (unsigned j = 0; j < LR; j++) {
		unsigned s = j < n ? j : n - 1;   /* unused slots repeat the last range */

		if (j)
			l->start[j - 1] = j < n ? r->start[j] : START_PAD;
		l->leaf[j] = r->leaf[s];
		ln[j] = r->d[s];
	}
}

static void flat_write(struct fib_table *t, uint32_t li, unsigned k, const struct ranges *r,
		       unsigned n)
{
	uint16_t *h = flat_hdr(t, li);

	h[0] = (uint16_t)n;
	h[1] = (uint16_t)k;
	memcpy(h + 2, r->start, n * sizeof(uint16_t));
	memcpy(flat_leaves(t, li, n), r->leaf, n * sizeof(uint32_t));
	memcpy(&t->lens[(size_t)li * LR], r->d, n);
}

/* Store the n ranges of r as direct entry i: a leaf, one line, or a flat
 * block, reusing the old block when the new ranges fit in it. Fails
 * (-ENOMEM, entry unchanged) only when a bigger block is needed and
 * blk_reserve() was not called. */
static int chunk_encode(struct fib_table *t, uint32_t i, const struct ranges *r, unsigned n)
{
	uint32_t old = t->dir[i], li;
	unsigned k;
	int err;

	if (n == 1) {
		if (old & FIB_DIR_EXT)
			blk_free(t, old);
		t->dir[i] = r->leaf[0];
		t->dir_len[i] = r->d[0];
		return 0;
	}
	if (n <= LR) {
		if ((old & FIB_DIR_EXT) && !(old & FIB_DIR_FLAT)) {
			line_write(t, old & FIB_DIR_IDX, r, n);
			return 0;
		}
		err = blk_alloc(t, 0, &li);
		if (err) {
			if (!(old & FIB_DIR_EXT))
				return err;
			/* a flat block shrinking: it still holds them */
			flat_write(t, old & FIB_DIR_IDX, blk_class(t, old), r, n);
			return 0;
		}
		line_write(t, li, r, n);
		if (old & FIB_DIR_EXT)
			blk_free(t, old);
		t->dir[i] = FIB_DIR_EXT | li;
		return 0;
	}
	k = flat_class(n);
	if (k >= FIB_BLK_CLASSES)
		return -ENOMEM;   /* cannot happen: 2^14 + 1 ranges need class 10 */
	if ((old & FIB_DIR_FLAT) && blk_class(t, old) >= k) {
		/* in place, unless a smaller block is to be had */
		if (blk_class(t, old) == k || blk_alloc(t, k, &li)) {
			flat_write(t, old & FIB_DIR_IDX, blk_class(t, old), r, n);
			return 0;
		}
	} else {
		err = blk_alloc(t, k, &li);
		if (err)
			return err;
	}
	flat_write(t, li, k, r, n);
	if (old & FIB_DIR_EXT)
		blk_free(t, old);
	t->dir[i] = FIB_DIR_EXT | FIB_DIR_FLAT | li;
	return 0;
}

/* ---- accelerator updates ------------------------------------------------- */

/* An update: ranges whose owner length is <= d (set) or == d (clear) get
 * (leaf, nd). */
struct accel_op {
	bool set;
	uint8_t d, nd;
	uint32_t leaf;
};

static inline bool op_hits(const struct accel_op *o, uint8_t dr)
{
	return o->set ? dr <= o->d : dr == o->d;
}

static inline void ranges_emit(struct ranges *out, unsigned *m, uint32_t start, uint32_t leaf,
			       uint8_t d)
{
	if (*m && out->leaf[*m - 1] == leaf)
		return;   /* same owner: the ranges merge */
	out->start[*m] = (uint16_t)start;
	out->leaf[*m] = leaf;
	out->d[*m] = d;
	(*m)++;
}

/* Apply o to the keys [lo, hi) of the n ranges in; the result, merged, goes
 * to out. Returns its length (at most n + 2). */
static unsigned ranges_apply(const struct ranges *in, unsigned n, uint32_t lo, uint32_t hi,
			     const struct accel_op *o, struct ranges *out)
{
	unsigned m = 0;

	for (unsigned j = 0; j < n; j++) {
		uint32_t a = in->start[j], b = j + 1 < n ? in->start[j + 1] : KEY_SPAN;
		uint32_t x = NS_MAX(a, lo), y = NS_MIN(b, hi);

		if (a < lo)
			ranges_emit(out, &m, a, in->leaf[j], in->d[j]);
		if (x < y) {
			if (op_hits(o, in->d[j]))
				ranges_emit(out, &m, x, o->leaf, o->nd);
			else
				ranges_emit(out, &m, x, in->leaf[j], in->d[j]);
		}
		if (b > hi)
			ranges_emit(out, &m, NS_MAX(a, hi), in->leaf[j], in->d[j]);
	}
	return m;
}

/* o over the keys [lo, hi) of direct entry i: decode, apply, encode. */
static int chunk_update(struct fib_table *t, uint32_t i, uint32_t lo, uint32_t hi,
			const struct accel_op *o)
{
	struct ranges *in = t->scratch, *out = in + 1;
	unsigned n = chunk_decode(t, i, in);

	return chunk_encode(t, i, out, ranges_apply(in, n, lo, hi, o, out));
}

/* o over all of direct entry i, for a prefix of length <= FIB_DIR_BITS. It
 * can only hit the ranges of the /18's base (the one owner covering all of
 * it, never adjacent to itself), so leaves are rewritten in place. */
static void chunk_fill(struct fib_table *t, uint32_t i, const struct accel_op *o)
{
	uint32_t e = t->dir[i], li = e & FIB_DIR_IDX;
	uint8_t *ln = &t->lens[(size_t)li * LR];
	uint32_t *lv;
	unsigned n;

	if (!(e & FIB_DIR_EXT)) {
		if (op_hits(o, t->dir_len[i])) {
			t->dir[i] = o->leaf;
			t->dir_len[i] = o->nd;
		}
		return;
	}
	if (e & FIB_DIR_FLAT) {
		n = flat_hdr(t, li)[0];
		lv = flat_leaves(t, li, n);
	} else {
		n = LR;   /* the unused slots too: they repeat the last range */
		lv = t->lines[li].leaf;
	}
	for (unsigned j = 0; j < n; j++) {
		if (op_hits(o, ln[j])) {
			lv[j] = o->leaf;
			ln[j] = o->nd;
		}
	}
}

/* ---- the next-hop cache t24 ------------------------------------------- */

/* No route is "slow" too (the lines answer NULL): t24 pages of unrouted
 * space are never written, so they cost nothing. */
static inline uint8_t t24_byte(uint32_t leaf)
{
	return leaf_nh(leaf) ? leaf_nh(leaf) : FIB_T24_SLOW;
}

#define T24_PER_DIR (1u << (FIB_KEY_BITS - 8))   /* /24s per /18: 64 */

/* The t24 bytes of the /18 at direct entry i, into o (r: scratch). */
static void t24_compute(const struct fib_table *t, uint32_t i, struct ranges *r, uint8_t *o)
{
	unsigned n, k = 0;

	if (!(t->dir[i] & FIB_DIR_EXT)) {
		memset(o, t24_byte(t->dir[i]) ^ FIB_T24_SLOW, T24_PER_DIR);
		return;
	}
	n = chunk_decode(t, i, r);
	for (uint32_t j = 0; j < T24_PER_DIR; j++) {
		uint32_t lo = j << 8, hi = lo + 256;

		while (k + 1 < n && r->start[k + 1] <= lo)
			k++;
		if (k + 1 < n && r->start[k + 1] < hi)
			o[j] = 0;   /* FIB_T24_SLOW ^ FIB_T24_SLOW: a split /24 */
		else
			o[j] = t24_byte(r->leaf[k]) ^ FIB_T24_SLOW;
	}
}

static void t24_sync(struct fib_table *t, uint32_t i)
{
	uint8_t b[T24_PER_DIR], *o = &t->t24[(size_t)i * T24_PER_DIR];

	if (!t->t24_on)
		return;
	t24_compute(t, i, t->scratch, b);
	if (memcmp(b, o, T24_PER_DIR))   /* reading a zero page allocates nothing */
		memcpy(o, b, T24_PER_DIR);
}

/* Build t24 once the table is big enough to profit from it. */
static void t24_enable(struct fib_table *t)
{
	if (t->t24_on || t->nr_prefixes < FIB_T24_MIN)
		return;
	t->t24_on = true;
	madvise(t->t24, T24_SIZE, MADV_HUGEPAGE);
	for (uint32_t i = 0; i < DIR_SIZE; i++)
		t24_sync(t, i);
}

/* Make sure accel_set() for dst/len cannot fail: reserve the block its /18
 * may need (a prefix inside one /18 adds at most two ranges). */
static int accel_prepare(struct fib_table *t, uint32_t dst, unsigned len)
{
	uint32_t i = dst >> FIB_KEY_BITS, e = t->dir[i];
	unsigned n;

	if (len <= FIB_DIR_BITS)
		return 0;
	n = chunk_count(t, i) + 2;
	if (n <= LR)
		return (e & FIB_DIR_EXT) ? 0 : blk_reserve(t, 0);
	if ((e & FIB_DIR_FLAT) && blk_class(t, e) >= flat_class(n))
		return 0;
	return blk_reserve(t, flat_class(n));
}

static void accel_apply(struct fib_table *t, uint32_t dst, unsigned len, const struct accel_op *o)
{
	uint32_t i = dst >> FIB_KEY_BITS;

	if (len <= FIB_DIR_BITS) {
		for (uint32_t j = i; j < i + (1u << (FIB_DIR_BITS - len)); j++) {
			chunk_fill(t, j, o);
			t24_sync(t, j);
		}
		return;
	}
	/* Cannot fail: accel_prepare() reserved room when dst/len was added,
	 * and an update of a prefix already present never adds ranges. */
	(void)chunk_update(t, i, dst & FIB_KEY_MASK,
			   (dst & FIB_KEY_MASK) + (1u << (32 - len)), o);
	t24_sync(t, i);
}

/* leaf now owns dst/len: overwrite every covered range owned by an equal
 * or shorter prefix. */
static void accel_set(struct fib_table *t, uint32_t dst, unsigned len, uint32_t leaf)
{
	struct accel_op o = { .set = true, .d = (uint8_t)(len + 1), .nd = (uint8_t)(len + 1),
			      .leaf = leaf };

	accel_apply(t, dst, len, &o);
}

/* dst/len is no longer effective: its ranges go to the ancestor (pleaf, pd). */
static void accel_clear(struct fib_table *t, uint32_t dst, unsigned len, uint32_t pleaf, uint8_t pd)
{
	struct accel_op o = { .set = false, .d = (uint8_t)(len + 1), .nd = pd, .leaf = pleaf };

	accel_apply(t, dst, len, &o);
}

/* One /18 against the invariants; r is scratch. */
static bool verify_dir(const struct fib_table *t, uint32_t i, struct ranges *r)
{
	uint32_t e = t->dir[i], li = e & FIB_DIR_IDX;
	uint8_t want[T24_PER_DIR];
	unsigned n;

	if (t->t24_on) {
		t24_compute(t, i, r, want);
		if (memcmp(want, &t->t24[(size_t)i * T24_PER_DIR], T24_PER_DIR))
			return false;
	}
	if (!(e & FIB_DIR_EXT))
		return !e == !t->dir_len[i];
	n = chunk_decode(t, i, r);
	if (n < 2 || li >= t->lines_top || r->start[0])
		return false;
	for (unsigned j = 0; j < n; j++) {
		if ((j && (r->start[j] <= r->start[j - 1] || r->leaf[j] == r->leaf[j - 1])) ||
		    r->start[j] >= KEY_SPAN || !r->leaf[j] != !r->d[j] ||
		    (r->leaf[j] && !fib_table_slot(t, r->leaf[j])->prefix))
			return false;
		/* a lookup of the range's start lands in it */
		if (fib_table_leaf(t, (i << FIB_KEY_BITS) | r->start[j]) != r->leaf[j])
			return false;
	}
	return true;
}

int fib_table_verify(const struct fib_table *t)
{
	struct ranges *r = malloc(sizeof(*r));
	uint32_t live = 0;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	for (uint32_t i = 0; i < DIR_SIZE && !ret; i++) {
		if (!verify_dir(t, i, r))
			ret = -EUCLEAN;
		else if (t->dir[i] & FIB_DIR_EXT)
			live += 1u << blk_class(t, t->dir[i]);
	}
	if (!ret && live != t->lines_live)
		ret = -EUCLEAN;
	free(r);
	return ret;
}

/* ---- the (prefix, length) hash ----------------------------------------- */

static inline uint32_t pfx_hash(uint32_t dst, unsigned len, uint32_t bits)
{
	uint64_t k = (((uint64_t)dst << 6) | len) * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(k >> (64 - bits));
}

static struct fib_prefix *pfx_find(const struct fib_table *t, uint32_t dst, unsigned len)
{
	struct fib_prefix *p;

	hlist_for_each_entry(p, &t->hash[pfx_hash(dst, len, t->hash_bits)], hnode)
		if (p->dst == dst && p->len == len)
			return p;
	return NULL;
}

static void hash_grow(struct fib_table *t)
{
	uint32_t bits = t->hash_bits + 1, i;
	struct hlist_head *nh = calloc((size_t)1 << bits, sizeof(*nh));
	struct hlist_node *n;
	struct fib_prefix *p;

	if (!nh)
		return;   /* keep the longer chains; still correct */
	for (i = 0; i < (1u << t->hash_bits); i++)
		hlist_for_each_entry_safe(p, n, &t->hash[i], hnode)
			hlist_add_head(&p->hnode, &nh[pfx_hash(p->dst, p->len, bits)]);
	free(t->hash);
	t->hash = nh;
	t->hash_bits = bits;
}

static struct fib_prefix *pfx_create(struct fib_table *t, uint32_t dst, unsigned len)
{
	struct fib_prefix *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dst = dst;
	p->len = (uint8_t)len;
	INIT_LIST_HEAD(&p->routes);
	hlist_add_head(&p->hnode, &t->hash[pfx_hash(dst, len, t->hash_bits)]);
	if (++t->nr_prefixes > (1u << t->hash_bits))
		hash_grow(t);
	return p;
}

static void pfx_destroy(struct fib_table *t, struct fib_prefix *p)
{
	hlist_del(&p->hnode);
	t->nr_prefixes--;
	free(p);
}

/* The best route of the longest effective proper ancestor of dst/len. */
static void pfx_parent(const struct fib_table *t, uint32_t dst, unsigned len,
		       uint32_t *pid, uint8_t *pd)
{
	for (int l = (int)len - 1; l >= 0; l--) {
		const struct fib_prefix *p = pfx_find(t, dst & fib_mask((unsigned)l), (unsigned)l);

		if (p && p->best) {
			*pid = p->best;
			*pd = (uint8_t)(l + 1);
			return;
		}
	}
	*pid = 0;
	*pd = 0;
}

/* Recompute p's best route after its list changed and push any change into
 * the accelerator. Cannot fail: a prefix becoming effective was just added
 * (accel_prepare() reserved its block), and every other change keeps or
 * lowers the number of ranges of the /18 concerned. */
static void pfx_sync(struct fib_table *t, struct fib_prefix *p)
{
	struct fib_entry *e;
	uint32_t best = 0, pid;
	uint8_t pd;

	list_for_each_entry(e, &p->routes, list) {
		if (e->route.tos == 0) {
			best = entry_leaf(e);
			break;
		}
	}
	if (best == p->best)
		return;
	p->best = best;
	if (best) {
		accel_set(t, p->dst, p->len, best);
	} else {
		pfx_parent(t, p->dst, p->len, &pid, &pd);
		accel_clear(t, p->dst, p->len, pid, pd);
	}
}

/* ---- table API --------------------------------------------------------- */

struct fib_table *fib_table_create(uint32_t id)
{
	struct fib_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id;
	INIT_LIST_HEAD(&t->free_entries);
	t->lines_max = FIB_LINES_MAX;
	t->dir = big_alloc(DIR_SIZE * sizeof(*t->dir));
	/* not big_alloc: no huge pages until t24_enable() */
	t->t24 = mmap(NULL, T24_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->t24 == MAP_FAILED)
		t->t24 = NULL;
	t->dir_len = calloc(DIR_SIZE, 1);
	t->scratch = malloc(2 * sizeof(struct ranges));
	t->hash_bits = HASH_MIN_BITS;
	t->hash = calloc((size_t)1 << t->hash_bits, sizeof(*t->hash));
	if (!t->dir || !t->t24 || !t->dir_len || !t->scratch || !t->hash) {
		fib_table_free(t);
		return NULL;
	}
	return t;
}

void fib_table_free(struct fib_table *t)
{
	struct fib_prefix *p;
	struct hlist_node *n;

	if (!t)
		return;
	if (t->hash)
		for (uint32_t i = 0; i < (1u << t->hash_bits); i++)
			hlist_for_each_entry_safe(p, n, &t->hash[i], hnode)
				free(p);
	for (uint32_t i = 0; i < t->nr_slabs; i++)
		munmap(t->slabs[i].mem, t->slabs[i].size);
	free(t->chunks);
	free(t->hash);
	if (t->lines)
		munmap(t->lines, t->lines_bytes);
	if (t->lens)
		munmap(t->lens, t->lens_bytes);
	if (t->dir)
		munmap(t->dir, DIR_SIZE * sizeof(*t->dir));
	if (t->t24)
		munmap(t->t24, T24_SIZE);
	free(t->dir_len);
	free(t->scratch);
	free(t);
}

void fib_table_set_max(struct fib_table *t, uint32_t max_routes)
{
	t->max_routes = max_routes;
}

int fib_route_error(uint8_t type)
{
	switch (type) {
	case RTN_BLACKHOLE:
		return -EINVAL;
	case RTN_UNREACHABLE:
		return -EHOSTUNREACH;
	case RTN_PROHIBIT:
		return -EACCES;
	case RTN_THROW:
		return -EAGAIN;
	default:
		return 0;
	}
}

/* The checks of Linux's rtm_to_fib_config()/fib_create_info() that apply. */
static int route_validate(const struct fib_route *r)
{
	if (r->dst_len > 32 || (r->dst & ~fib_mask(r->dst_len)))
		return -EINVAL;
	if (r->type < RTN_UNICAST || r->type > RTN_THROW)
		return -EINVAL;
	if (r->scope > RT_SCOPE_HOST)
		return -EINVAL;
	if (fib_route_error(r->type) && (r->gateway || r->oif))
		return -EINVAL;
	if (r->scope == RT_SCOPE_HOST && r->gateway)
		return -EINVAL;
	return 0;
}

/* Same type and same fib_info, for Linux's "identical route" test. */
static bool route_same(const struct fib_route *a, const struct fib_route *b)
{
	return a->type == b->type && a->scope == b->scope && a->protocol == b->protocol &&
	       a->priority == b->priority && a->gateway == b->gateway && a->oif == b->oif &&
	       a->prefsrc == b->prefsrc && a->mtu == b->mtu && a->tos == b->tos &&
	       a->flags == b->flags;
}

int fib_table_insert(struct fib_table *t, const struct fib_route *r, unsigned nlflags)
{
	struct fib_route nr = *r;
	struct fib_prefix *p, *newp = NULL;
	struct fib_entry *e, *fa = NULL;
	struct list_head *pos;
	int err;

	fib_table_changed(t);
	if (!nr.type)
		nr.type = RTN_UNICAST;
	err = route_validate(&nr);
	if (err)
		return err;

	/* fib_find_alias(): the first route with a lower TOS, or the same TOS
	 * and a metric >= ours; we insert before it (NULL: at the tail). */
	p = pfx_find(t, nr.dst, nr.dst_len);
	if (p) {
		list_for_each_entry(e, &p->routes, list) {
			if (e->route.tos < nr.tos ||
			    (e->route.tos == nr.tos && e->route.priority >= nr.priority)) {
				fa = e;
				break;
			}
		}
	}
	pos = fa ? &fa->list : (p ? &p->routes : NULL);

	if (fa && fa->route.tos == nr.tos && fa->route.priority == nr.priority) {
		struct fib_entry *fa_first = fa, *fa_match = NULL;
		struct list_head *it;

		if (nlflags & NLM_F_EXCL)
			return -EEXIST;
		for (it = &fa->list; it != &p->routes; it = it->next) {
			e = list_entry(it, struct fib_entry, list);
			if (e->route.tos != nr.tos || e->route.priority != nr.priority)
				break;
			if (route_same(&e->route, &nr)) {
				fa_match = e;
				break;
			}
		}
		if (nlflags & NLM_F_REPLACE) {
			if (fa_match)
				return fa_match == fa_first ? 0 : -EEXIST;
			/* Same TOS and metric: the list order and the best
			 * route id stay as they are. */
			fa_first->route = nr;
			/* a new next hop changes the leaf value: resync */
			nh_detach(t, fa_first);
			nh_attach(t, fa_first);
			pfx_sync(t, p);
			return 0;
		}
		if (fa_match)
			return -EEXIST;
		pos = (nlflags & NLM_F_APPEND) ? it : &fa_first->list;
	}
	if (!(nlflags & NLM_F_CREATE))
		return -ENOENT;
	if (t->max_routes && t->nr_routes >= t->max_routes)
		return -ENOSPC;

	e = entry_alloc(t);
	if (!e)
		return -ENOMEM;
	if (!p) {
		p = newp = pfx_create(t, nr.dst, nr.dst_len);
		if (!p) {
			entry_free(t, e);
			return -ENOMEM;
		}
		pos = &p->routes;
	}
	err = accel_prepare(t, nr.dst, nr.dst_len);
	if (err) {
		if (newp)
			pfx_destroy(t, newp);
		entry_free(t, e);
		return err;
	}
	e->route = nr;
	nh_attach(t, e);
	e->prefix = p;
	list_add_tail(&e->list, pos);   /* i.e. before pos */
	t->nr_routes++;
	pfx_sync(t, p);
	t24_enable(t);
	return 0;
}

static void route_remove(struct fib_table *t, struct fib_entry *e)
{
	struct fib_prefix *p = e->prefix;

	list_del(&e->list);
	entry_free(t, e);
	t->nr_routes--;
	pfx_sync(t, p);
	if (list_empty(&p->routes))
		pfx_destroy(t, p);
}

static bool route_matches(const struct fib_route *e, const struct fib_route *m)
{
	return (!m->type || e->type == m->type) &&
	       (!m->scope || m->scope == FIB_SCOPE_ANY || e->scope == m->scope) &&
	       (!m->protocol || e->protocol == m->protocol) &&
	       (!m->priority || e->priority == m->priority) &&
	       (!m->gateway || e->gateway == m->gateway) &&
	       (!m->oif || e->oif == m->oif) &&
	       (!m->prefsrc || e->prefsrc == m->prefsrc) &&
	       (!m->mtu || e->mtu == m->mtu);
}

int fib_table_delete(struct fib_table *t, const struct fib_route *m)
{
	struct fib_prefix *p;
	struct fib_entry *e;

	fib_table_changed(t);
	if (m->dst_len > 32 || (m->dst & ~fib_mask(m->dst_len)))
		return -EINVAL;
	p = pfx_find(t, m->dst, m->dst_len);
	if (!p)
		return -ESRCH;
	list_for_each_entry(e, &p->routes, list) {
		if (e->route.tos > m->tos)
			continue;
		if (e->route.tos < m->tos)
			break;
		if (route_matches(&e->route, m)) {
			route_remove(t, e);
			return 0;
		}
	}
	return -ESRCH;
}

int fib_table_flush_oif(struct fib_table *t, int oif)
{
	int n = 0;

	fib_table_changed(t);
	if (!oif)
		return 0;
	/* Walk the slots rather than the hash: removing a route may free its
	 * prefix, and the slots never move. */
	for (uint32_t c = 0; c < t->nr_chunks; c++) {
		for (uint32_t i = 0; i < FIB_CHUNK_SIZE; i++) {
			struct fib_entry *e = &t->chunks[c][i];

			if (e->prefix && e->route.oif == oif) {
				route_remove(t, e);
				n++;
			}
		}
	}
	return n;
}

/* ---- dumps ------------------------------------------------------------- */

static int pfx_cmp(const void *a, const void *b)
{
	const struct fib_prefix *x = *(const struct fib_prefix *const *)a;
	const struct fib_prefix *y = *(const struct fib_prefix *const *)b;

	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	return (int)y->len - (int)x->len;   /* longer first, as fib_trie */
}

int fib_table_walk(const struct fib_table *t,
		   int (*cb)(const struct fib_route *r, void *ctx), void *ctx)
{
	struct fib_prefix **v, *p;
	struct fib_entry *e;
	size_t n = 0;
	int ret = 0;

	if (!t->nr_prefixes)
		return 0;
	v = malloc(t->nr_prefixes * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < (1u << t->hash_bits); i++)
		hlist_for_each_entry(p, &t->hash[i], hnode)
			v[n++] = p;
	qsort(v, n, sizeof(*v), pfx_cmp);
	for (size_t i = 0; i < n && !ret; i++) {
		list_for_each_entry(e, &v[i]->routes, list) {
			ret = cb(&e->route, ctx);
			if (ret)
				break;
		}
	}
	free(v);
	return ret;
}

int fib_route_proc_header(char *buf, size_t len)
{
	return snprintf(buf, len, "%-127s\n",
			"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
			"\tWindow\tIRTT");
}

int fib_route_proc_format(const struct fib_route *r, const char *ifname, char *buf, size_t len)
{
	uint32_t mask = fib_mask(r->dst_len);
	unsigned flags = RTF_UP;
	char line[192];

	if (r->type == RTN_BROADCAST || r->type == RTN_MULTICAST)
		return 0;
	/* fib_flag_trans() */
	if (r->type == RTN_UNREACHABLE || r->type == RTN_PROHIBIT)
		flags |= RTF_REJECT;
	if (r->gateway)
		flags |= RTF_GATEWAY;
	if (mask == 0xffffffffu)
		flags |= RTF_HOST;
	/* MTU column is fib_advmss + 40 in Linux; we keep no advmss: 0. */
	snprintf(line, sizeof(line), "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u",
		 ifname ? ifname : "*", htonl(r->dst), htonl(r->gateway), flags, 0, 0u,
		 (int)r->priority, htonl(mask), 0, 0u, 0u);
	return snprintf(buf, len, "%-127s\n", line);
}

struct proc_dump_ctx {
	fib_ifname_fn ifname;
	void *ifctx;
	char *buf;
	size_t len;
	size_t off;
};

static void proc_dump_put(struct proc_dump_ctx *c, const char *s, size_t n)
{
	if (c->off < c->len) {
		size_t room = c->len - c->off;

		memcpy(c->buf + c->off, s, NS_MIN(n, room));
	}
	c->off += n;
}

static int proc_dump_one(const struct fib_route *r, void *ctx)
{
	struct proc_dump_ctx *c = ctx;
	const char *name = NULL;
	char line[256];
	int n;

	if (r->oif && c->ifname)
		name = c->ifname(r->oif, c->ifctx);
	n = fib_route_proc_format(r, name, line, sizeof(line));
	if (n > 0)
		proc_dump_put(c, line, NS_MIN((size_t)n, sizeof(line) - 1));
	return 0;
}

ssize_t fib_table_proc_dump(const struct fib_table *t, fib_ifname_fn ifname, void *ctx,
			    char *buf, size_t len)
{
	struct proc_dump_ctx c = { .ifname = ifname, .ifctx = ctx, .buf = buf, .len = len };
	char line[FIB_PROC_LINE_LEN + 1];
	int err;

	proc_dump_put(&c, line, (size_t)fib_route_proc_header(line, sizeof(line)));
	err = fib_table_walk(t, proc_dump_one, &c);
	if (err < 0)
		return err;
	if (len)
		buf[NS_MIN(c.off, len - 1)] = '\0';
	return (ssize_t)c.off;
}

size_t fib_table_mem(const struct fib_table *t)
{
	return sizeof(*t) + DIR_SIZE * (sizeof(*t->dir) + 1) + 2 * sizeof(struct ranges) +
	       (t->t24_on ? T24_SIZE : 0) +
	       t->lines_bytes + t->lens_bytes +
	       (size_t)t->chunks_cap * sizeof(*t->chunks) +
	       (size_t)(t->nr_chunks + t->slab_room) * FIB_CHUNK_SIZE * sizeof(struct fib_entry) +
	       ((size_t)1 << t->hash_bits) * sizeof(*t->hash) +
	       (size_t)t->nr_prefixes * sizeof(struct fib_prefix);
}
