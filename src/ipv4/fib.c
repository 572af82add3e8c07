/* fib.c - IPv4 routing table: the (prefix, length) hash that owns the routes,
 * and the DIR-16-8-8 lookup accelerator kept in sync with it.
 *
 * Read fib.h first. The one invariant tying the two together: every
 * accelerator entry holds the best route's leaf value (its id and shared
 * next-hop index, see fib.h) of the longest *effective* prefix covering it (effective = has a TOS-0 route), and its side length
 * byte holds that prefix's length + 1 (0 = no route). Hence:
 *  - a prefix that becomes effective, or whose best route changes, overwrites
 *    the entries in its range whose owner length is <= its own (accel_set);
 *  - a prefix that stops being effective hands exactly the entries it owns
 *    (owner length == its own) to its longest effective ancestor
 *    (accel_clear), and groups left uniform are folded back into their parent.
 */
#define _GNU_SOURCE   /* mremap */
#include "ipv4/fib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/route.h>   /* RTF_UP, RTF_GATEWAY, RTF_HOST, RTF_REJECT */

#define L1_SIZE       65536u
#define GRP_SIZE      256u
#define GRP_MAX       (1u << 24)   /* group index << 8 must fit 32 bits */
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

/* The group pool and the route slabs are read at random by lookups; with a
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

/* ---- accelerator groups ------------------------------------------------ */

static inline uint32_t *grp_ent(const struct fib_table *t, uint32_t g)
{
	return &t->grp[(size_t)g * GRP_SIZE];
}

static inline uint8_t *grp_lens(const struct fib_table *t, uint32_t g)
{
	return &t->grp_len[(size_t)g * GRP_SIZE];
}

/* A new group whose 256 entries all hold (val, len). May move the pool. */
static int grp_alloc(struct fib_table *t, uint32_t val, uint8_t len, uint32_t *out)
{
	uint32_t g, i;

	if (t->grp_free) {
		g = t->grp_free & ~FIB_DIR_EXT;
		t->grp_free = grp_ent(t, g)[0];
	} else {
		if (t->grp_top == t->grp_cap) {
			uint32_t cap = t->grp_cap ? t->grp_cap * 2 : 16;
			uint32_t *ne;
			uint8_t *nl;

			if (cap > GRP_MAX)
				cap = GRP_MAX;
			if (cap == t->grp_cap)
				return -ENOMEM;
			ne = big_grow(t->grp, t->grp_bytes, (size_t)cap * GRP_SIZE * sizeof(*ne));
			if (!ne)
				return -ENOMEM;
			t->grp = ne;
			t->grp_bytes = (size_t)cap * GRP_SIZE * sizeof(*ne);
			nl = realloc(t->grp_len, (size_t)cap * GRP_SIZE);
			if (!nl)
				return -ENOMEM;
			t->grp_len = nl;
			t->grp_cap = cap;
		}
		g = t->grp_top++;
	}
	for (i = 0; i < GRP_SIZE; i++)
		grp_ent(t, g)[i] = val;
	memset(grp_lens(t, g), len, GRP_SIZE);
	t->grp_live++;
	*out = g;
	return 0;
}

static void grp_release(struct fib_table *t, uint32_t g)
{
	grp_ent(t, g)[0] = t->grp_free;
	t->grp_free = FIB_DIR_EXT | g;
	t->grp_live--;
}

/* If the group *slot points to is uniform, fold it back into *slot. */
static void grp_try_collapse(struct fib_table *t, uint32_t *slot, uint8_t *slot_len)
{
	uint32_t g = *slot & ~FIB_DIR_EXT, v, i;
	const uint32_t *e = grp_ent(t, g);
	const uint8_t *l = grp_lens(t, g);

	v = e[0];
	if (v & FIB_DIR_EXT)
		return;
	for (i = 1; i < GRP_SIZE; i++)
		if (e[i] != v || l[i] != l[0])
			return;
	*slot = v;
	*slot_len = l[0];
	grp_release(t, g);
}

/* Make sure the groups a prefix of length @len at @dst writes into exist. */
static int accel_prepare(struct fib_table *t, uint32_t dst, unsigned len)
{
	uint32_t i1 = dst >> 16, i2 = (dst >> 8) & 0xff, g2, g3;
	int err;

	if (len <= 16)
		return 0;
	if (!(t->l1[i1] & FIB_DIR_EXT)) {
		err = grp_alloc(t, t->l1[i1], t->l1_len[i1], &g2);
		if (err)
			return err;
		t->l1[i1] = FIB_DIR_EXT | g2;
	}
	g2 = t->l1[i1] & ~FIB_DIR_EXT;
	if (len <= 24 || (grp_ent(t, g2)[i2] & FIB_DIR_EXT))
		return 0;
	err = grp_alloc(t, grp_ent(t, g2)[i2], grp_lens(t, g2)[i2], &g3);
	if (err)
		return err;
	grp_ent(t, g2)[i2] = FIB_DIR_EXT | g3;  /* pool may have moved: re-index */
	return 0;
}

static void grp_fill(struct fib_table *t, uint32_t g, unsigned lo, unsigned n,
		     uint32_t id, uint8_t d)
{
	uint32_t *e = grp_ent(t, g);
	uint8_t *l = grp_lens(t, g);

	for (unsigned i = lo; i < lo + n; i++) {
		if (e[i] & FIB_DIR_EXT) {
			grp_fill(t, e[i] & ~FIB_DIR_EXT, 0, GRP_SIZE, id, d);
		} else if (l[i] <= d) {
			e[i] = id;
			l[i] = d;
		}
	}
}

/* @id now owns dst/len: overwrite every covered entry owned by an equal or
 * shorter prefix. accel_prepare() must have succeeded for dst/len. */
static void accel_set(struct fib_table *t, uint32_t dst, unsigned len, uint32_t id)
{
	uint8_t d = (uint8_t)(len + 1);
	uint32_t i1 = dst >> 16, g2, g3;

	if (len <= 16) {
		for (uint32_t i = i1; i < i1 + (1u << (16 - len)); i++) {
			if (t->l1[i] & FIB_DIR_EXT) {
				grp_fill(t, t->l1[i] & ~FIB_DIR_EXT, 0, GRP_SIZE, id, d);
			} else if (t->l1_len[i] <= d) {
				t->l1[i] = id;
				t->l1_len[i] = d;
			}
		}
		return;
	}
	g2 = t->l1[i1] & ~FIB_DIR_EXT;
	if (len <= 24) {
		grp_fill(t, g2, (dst >> 8) & 0xff, 1u << (24 - len), id, d);
		return;
	}
	g3 = grp_ent(t, g2)[(dst >> 8) & 0xff] & ~FIB_DIR_EXT;
	grp_fill(t, g3, dst & 0xff, 1u << (32 - len), id, d);
}

static void grp_clear(struct fib_table *t, uint32_t g, unsigned lo, unsigned n,
		      uint8_t d, uint32_t pid, uint8_t pd)
{
	uint32_t *e = grp_ent(t, g);
	uint8_t *l = grp_lens(t, g);

	for (unsigned i = lo; i < lo + n; i++) {
		if (e[i] & FIB_DIR_EXT) {
			grp_clear(t, e[i] & ~FIB_DIR_EXT, 0, GRP_SIZE, d, pid, pd);
			grp_try_collapse(t, &e[i], &l[i]);
		} else if (l[i] == d) {
			e[i] = pid;
			l[i] = pd;
		}
	}
}

/* dst/len (owner length d = len + 1) is no longer effective: its entries go
 * to the ancestor (pid, pd). Frees groups that become uniform. */
static void accel_clear(struct fib_table *t, uint32_t dst, unsigned len, uint32_t pid, uint8_t pd)
{
	uint8_t d = (uint8_t)(len + 1);
	uint32_t i1 = dst >> 16, i2 = (dst >> 8) & 0xff, g2;

	if (len <= 16) {
		for (uint32_t i = i1; i < i1 + (1u << (16 - len)); i++) {
			if (t->l1[i] & FIB_DIR_EXT) {
				grp_clear(t, t->l1[i] & ~FIB_DIR_EXT, 0, GRP_SIZE, d, pid, pd);
				grp_try_collapse(t, &t->l1[i], &t->l1_len[i]);
			} else if (t->l1_len[i] == d) {
				t->l1[i] = pid;
				t->l1_len[i] = pd;
			}
		}
		return;
	}
	g2 = t->l1[i1] & ~FIB_DIR_EXT;
	if (len <= 24) {
		grp_clear(t, g2, i2, 1u << (24 - len), d, pid, pd);
	} else {
		uint32_t *slot = &grp_ent(t, g2)[i2];

		grp_clear(t, *slot & ~FIB_DIR_EXT, dst & 0xff, 1u << (32 - len), d, pid, pd);
		grp_try_collapse(t, slot, &grp_lens(t, g2)[i2]);
	}
	if (t->l1[i1] & FIB_DIR_EXT)
		grp_try_collapse(t, &t->l1[i1], &t->l1_len[i1]);
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
 * the accelerator. Groups exist: accel_prepare() ran for p when a route was
 * added, and a group under an effective prefix never collapses. */
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
	t->l1 = calloc(L1_SIZE, sizeof(*t->l1));
	t->l1_len = calloc(L1_SIZE, 1);
	t->hash_bits = HASH_MIN_BITS;
	t->hash = calloc((size_t)1 << t->hash_bits, sizeof(*t->hash));
	if (!t->l1 || !t->l1_len || !t->hash) {
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
	if (t->grp)
		munmap(t->grp, t->grp_bytes);
	free(t->grp_len);
	free(t->l1);
	free(t->l1_len);
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
	return sizeof(*t) + L1_SIZE * (sizeof(*t->l1) + 1) +
	       (size_t)t->grp_cap * GRP_SIZE * (sizeof(*t->grp) + 1) +
	       (size_t)t->chunks_cap * sizeof(*t->chunks) +
	       (size_t)(t->nr_chunks + t->slab_room) * FIB_CHUNK_SIZE * sizeof(struct fib_entry) +
	       ((size_t)1 << t->hash_bits) * sizeof(*t->hash) +
	       (size_t)t->nr_prefixes * sizeof(struct fib_prefix);
}
