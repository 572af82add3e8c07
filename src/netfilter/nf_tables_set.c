/* nf_tables_set.c - sets for the rule engine. Hash sets (exact values:
 * addresses, ports) are open-addressing tables with a per-stack seed, so a
 * lookup is one or two probes whatever the size. Interval sets (prefixes
 * and ranges: blocklists) are sorted arrays of disjoint ranges searched by
 * bisection, narrowed first by a /16 index once the set is big, so
 * 100 000 prefixes cost about what 10 do. Anonymous sets { 22, 80 } are
 * small sorted range arrays. Linux: nft_set_hash.c, nft_set_rbtree.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netfilter/nf_tables.h"

static uint32_t set_hash(uint32_t v, uint32_t seed)
{
	uint64_t x = (uint64_t)(v ^ seed) * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

struct nft_set *nft_set_new(const char *name, enum nft_vtype keytype, uint32_t flags,
			    uint32_t seed)
{
	struct nft_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	strncpy(s->name, name, sizeof(s->name) - 1);
	s->keytype = keytype;
	s->flags = flags;
	s->seed = seed;
	return s;
}

void nft_set_free(struct nft_set *s)
{
	if (!s)
		return;
	free(s->ranges);
	free(s->bucket);
	free(s->vals);
	free(s->slots);
	free(s);
}

static void *dup_array(const void *p, size_t n, size_t size)
{
	void *q;

	if (!p || n == 0)
		return NULL;
	q = malloc(n * size);
	if (q)
		memcpy(q, p, n * size);
	return q;
}

struct nft_set *nft_set_clone(const struct nft_set *s)
{
	struct nft_set *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *s;
	c->ranges = NULL;
	c->bucket = NULL;
	c->vals = NULL;
	c->slots = NULL;
	c->use = 0;
	if (s->flags & NFT_SET_F_INTERVAL) {
		c->ranges = dup_array(s->ranges, s->cap, sizeof(*s->ranges));
		c->bucket = dup_array(s->bucket, s->bucket ? NFT_SET_BUCKETS + 1 : 0,
				      sizeof(*s->bucket));
		if ((s->cap && !c->ranges) || (s->bucket && !c->bucket))
			goto fail;
	} else {
		c->vals = dup_array(s->vals, s->cap, sizeof(*s->vals));
		c->slots = dup_array(s->slots, s->nslots, sizeof(*s->slots));
		if ((s->cap && !c->vals) || (s->nslots && !c->slots))
			goto fail;
	}
	return c;
fail:
	nft_set_free(c);
	return NULL;
}

/* ---- hash sets ------------------------------------------------------------------ */
static uint32_t *hash_find_slot(const struct nft_set *s, uint32_t v)
{
	uint32_t mask = s->nslots - 1;
	uint32_t i = set_hash(v, s->seed) & mask;

	for (uint32_t probes = 0; probes < s->nslots; probes++, i = (i + 1) & mask) {
		uint32_t idx = s->slots[i];

		if (idx == 0 || s->vals[idx - 1] == v)
			return &s->slots[i];
	}
	return NULL;	/* unreachable: load stays <= 1/2 */
}

static int hash_rebuild(struct nft_set *s, uint32_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	free(s->slots);
	s->slots = slots;
	s->nslots = nslots;
	for (uint32_t i = 0; i < s->n; i++)
		*hash_find_slot(s, s->vals[i]) = i + 1;
	return 0;
}

static int grow(struct nft_set *s, size_t elem)
{
	uint32_t cap = s->cap ? s->cap * 2 : 16;
	void **arr = (s->flags & NFT_SET_F_INTERVAL) ? (void **)&s->ranges : (void **)&s->vals;
	void *p = realloc(*arr, (size_t)cap * elem);

	if (!p)
		return -ENOMEM;
	*arr = p;
	s->cap = cap;
	return 0;
}

static uint32_t set_limit(const struct nft_set *s)
{
	return s->size ? s->size : NFT_SET_MAXELEMS;
}

static int hash_add(struct nft_set *s, uint32_t v)
{
	uint32_t *slot;
	int rc;

	if (s->nslots && *hash_find_slot(s, v))
		return 0;
	if (s->n >= set_limit(s))
		return -ENFILE;
	if (s->n == s->cap && (rc = grow(s, sizeof(*s->vals))) < 0)
		return rc;
	if ((s->n + 1) * 2 > s->nslots && (rc = hash_rebuild(s, s->nslots ? s->nslots * 2 : 32)) < 0)
		return rc;
	s->vals[s->n++] = v;
	slot = hash_find_slot(s, v);
	*slot = s->n;
	return 0;
}

static int hash_del(struct nft_set *s, uint32_t v)
{
	uint32_t *slot = s->nslots ? hash_find_slot(s, v) : NULL;
	uint32_t idx;

	if (!slot || !*slot)
		return -ENOENT;
	idx = *slot - 1;
	s->vals[idx] = s->vals[--s->n];
	return hash_rebuild(s, s->nslots);
}

/* ---- interval sets ---------------------------------------------------------------- */
static int cmp_range(const void *a, const void *b)
{
	const struct nft_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int nft_set_add(struct nft_set *s, uint32_t lo, uint32_t hi)
{
	int rc;

	if (!(s->flags & NFT_SET_F_INTERVAL)) {
		if (lo != hi)
			return -EINVAL;
		return hash_add(s, lo);
	}
	if (s->n >= set_limit(s))
		return -ENFILE;
	if (s->n == s->cap && (rc = grow(s, sizeof(*s->ranges))) < 0)
		return rc;
	s->ranges[s->n++] = (struct nft_range){ lo, hi };
	s->dirty = true;
	free(s->bucket);
	s->bucket = NULL;
	return 0;
}

int nft_set_del(struct nft_set *s, uint32_t lo, uint32_t hi)
{
	if (!(s->flags & NFT_SET_F_INTERVAL))
		return lo == hi ? hash_del(s, lo) : -ENOENT;
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->ranges[i].lo == lo && s->ranges[i].hi == hi) {
			memmove(&s->ranges[i], &s->ranges[i + 1],
				(s->n - i - 1) * sizeof(*s->ranges));
			s->n--;
			s->dirty = true;
			free(s->bucket);
			s->bucket = NULL;
			return 0;
		}
	}
	return -ENOENT;
}

/* bucket[b] = first range with hi >= b << 16; bucket[65536] = n. */
static int build_buckets(struct nft_set *s)
{
	uint32_t i = 0;

	s->bucket = malloc((NFT_SET_BUCKETS + 1) * sizeof(*s->bucket));
	if (!s->bucket)
		return -ENOMEM;
	for (uint32_t b = 0; b < NFT_SET_BUCKETS; b++) {
		while (i < s->n && s->ranges[i].hi < (b << 16))
			i++;
		s->bucket[b] = i;
	}
	s->bucket[NFT_SET_BUCKETS] = s->n;
	return 0;
}

int nft_set_commit(struct nft_set *s, struct nft_range *clash)
{
	if (!(s->flags & NFT_SET_F_INTERVAL) || !s->dirty)
		return 0;
	qsort(s->ranges, s->n, sizeof(*s->ranges), cmp_range);
	/* an element added twice is one element (nft add element) */
	uint32_t out = s->n ? 1 : 0;

	for (uint32_t i = 1; i < s->n; i++)
		if (s->ranges[i].lo != s->ranges[out - 1].lo || s->ranges[i].hi != s->ranges[out - 1].hi)
			s->ranges[out++] = s->ranges[i];
	s->n = out;
	for (uint32_t i = 1; i < s->n; i++) {
		if (s->ranges[i].lo <= s->ranges[i - 1].hi) {
			if (clash)
				*clash = s->ranges[i];
			return -EEXIST;
		}
	}
	s->dirty = false;
	return s->n >= NFT_SET_BUCKET_MIN ? build_buckets(s) : 0;
}

/* Bisection over sorted disjoint ranges. */
static bool ranges_lookup(const struct nft_range *r, uint32_t n, uint32_t v)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v < r[mid].lo)
			hi = mid;
		else if (v > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool nft_set_lookup(const struct nft_set *s, uint32_t v)
{
	if (s->flags & NFT_SET_F_INTERVAL) {
		uint32_t b, lo, hi;

		if (!s->bucket)
			return ranges_lookup(s->ranges, s->n, v);
		/* a range holding v ends at or after v's /16 and starts no later
		 * than the first range of the next /16 */
		b = v >> 16;
		lo = s->bucket[b];
		hi = s->bucket[b + 1] < s->n ? s->bucket[b + 1] + 1 : s->n;
		return lo < hi && ranges_lookup(s->ranges + lo, hi - lo, v);
	}
	if (!s->nslots)
		return false;
	return *hash_find_slot(s, v) != 0;
}

/* ---- anonymous sets ------------------------------------------------------------------ */
struct nft_aset *nft_aset_build(const struct nft_range *r, uint32_t n)
{
	struct nft_aset *a = malloc(sizeof(*a) + (size_t)n * sizeof(a->r[0]));
	uint32_t out = 0;

	if (!a)
		return NULL;
	memcpy(a->r, r, (size_t)n * sizeof(*r));
	qsort(a->r, n, sizeof(*r), cmp_range);
	for (uint32_t i = 0; i < n; i++) {
		if (out && a->r[i].lo <= a->r[out - 1].hi) {
			if (a->r[i].hi > a->r[out - 1].hi)
				a->r[out - 1].hi = a->r[i].hi;
			continue;
		}
		a->r[out++] = a->r[i];
	}
	a->n = out;
	return a;
}

bool nft_aset_lookup(const struct nft_aset *s, uint32_t v)
{
	return ranges_lookup(s->r, s->n, v);
}
