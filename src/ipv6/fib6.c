/* fib6.c - IPv6 longest-prefix match on a path-compressed binary trie.
 * See fib6.h for the shape; fib6_add (node split) and fib6_lookup first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipv6/fib6.h"

struct fib6_node {
	struct fib6_node *child[2];
	struct fib6_info *leaf;		/* routes of exactly key/plen */
	uint64_t k[2];			/* key in host order: lookups test bits
					 * and compare masked words */
	struct fib6_node *parent;
	uint8_t key[16];
	uint8_t plen;
};

static inline uint64_t be64_at(const uint8_t *p)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = (x << 8) | p[i];
	return x;
}

/* a's words (host order) agree with k on the first plen bits */
static inline bool words_match(const uint64_t a[2], const uint64_t k[2], unsigned int plen)
{
	if (plen <= 64)
		return !plen || ((a[0] ^ k[0]) >> (64 - plen)) == 0;
	return a[0] == k[0] && ((a[1] ^ k[1]) >> (128 - plen)) == 0;
}

static inline unsigned int word_bit(const uint64_t a[2], unsigned int pos)
{
	return (unsigned int)(a[pos >> 6] >> (63 - (pos & 63))) & 1;
}

static inline unsigned int addr_bit(const uint8_t *a, unsigned int pos)
{
	return (a[pos >> 3] >> (7 - (pos & 7))) & 1;
}

/* Number of leading bits a and b share, at most max. */
static unsigned int common_bits(const uint8_t *a, const uint8_t *b, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < 16 && n < max; i++) {
		uint8_t x = a[i] ^ b[i];

		if (!x) {
			n += 8;
			continue;
		}
		n += (unsigned int)__builtin_clz((unsigned int)x) - 24;
		break;
	}
	return n < max ? n : max;
}

static bool prefix_match(const uint8_t *a, const uint8_t *key, unsigned int plen)
{
	unsigned int bytes = plen >> 3, bits = plen & 7;

	if (memcmp(a, key, bytes))
		return false;
	if (!bits)
		return true;
	return ((a[bytes] ^ key[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static void mask_prefix(uint8_t *out, const uint8_t *a, unsigned int plen)
{
	memcpy(out, a, 16);
	if (plen < 128) {
		out[plen >> 3] &= (uint8_t)(0xff << (8 - (plen & 7)));
		memset(out + (plen >> 3) + 1, 0, 15 - (plen >> 3));
		if (!(plen & 7))
			out[plen >> 3] = 0;
	}
}

static struct fib6_node *node_new(struct fib6_table *t, const uint8_t *key, unsigned int plen)
{
	struct fib6_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	mask_prefix(n->key, key, plen);
	n->k[0] = be64_at(n->key);
	n->k[1] = be64_at(n->key + 8);
	n->plen = (uint8_t)plen;
	t->nodes++;
	return n;
}

struct fib6_table *fib6_table_new(uint32_t id)
{
	struct fib6_table *t = calloc(1, sizeof(*t));
	static const uint8_t zero[16];

	if (!t)
		return NULL;
	t->id = id;
	t->root = node_new(t, zero, 0);
	if (!t->root) {
		free(t);
		return NULL;
	}
	return t;
}

static void node_free_all(struct fib6_node *n)
{
	while (n) {
		struct fib6_info *r = n->leaf;

		while (r) {
			struct fib6_info *next = r->next;

			free(r);
			r = next;
		}
		node_free_all(n->child[0]);
		{
			struct fib6_node *c = n->child[1];

			free(n);
			n = c;	/* tail iteration on the right spine */
		}
	}
}

void fib6_table_free(struct fib6_table *t)
{
	if (!t)
		return;
	node_free_all(t->root);
	free(t);
}

/* Find or create the node for key/plen (Linux's fib6_add_1). */
static struct fib6_node *fib6_node_get(struct fib6_table *t, const uint8_t *key, unsigned int plen)
{
	struct fib6_node *n = t->root;

	for (;;) {
		unsigned int bit;
		struct fib6_node *c, *mid, *leaf;
		unsigned int cl;

		if (n->plen == plen)
			return n;
		bit = addr_bit(key, n->plen);
		c = n->child[bit];
		if (!c) {
			leaf = node_new(t, key, plen);
			if (!leaf)
				return NULL;
			leaf->parent = n;
			n->child[bit] = leaf;
			return leaf;
		}
		if (c->plen <= plen && prefix_match(key, c->key, c->plen)) {
			n = c;
			continue;
		}
		/* key/plen diverges from c inside c's compressed path: split */
		cl = common_bits(key, c->key, plen < c->plen ? plen : c->plen);
		if (cl == plen) {
			/* the new prefix is an ancestor of c */
			mid = node_new(t, key, plen);
			if (!mid)
				return NULL;
			mid->parent = n;
			mid->child[addr_bit(c->key, plen)] = c;
			c->parent = mid;
			n->child[bit] = mid;
			return mid;
		}
		mid = node_new(t, key, cl);
		leaf = node_new(t, key, plen);
		if (!mid || !leaf) {
			free(mid);
			free(leaf);
			return NULL;
		}
		mid->parent = n;
		mid->child[addr_bit(c->key, cl)] = c;
		mid->child[addr_bit(key, cl)] = leaf;
		c->parent = mid;
		leaf->parent = mid;
		n->child[bit] = mid;
		return leaf;
	}
}

static struct fib6_node *fib6_node_find(const struct fib6_table *t, const uint8_t *key,
					unsigned int plen)
{
	struct fib6_node *n = t->root;

	while (n && n->plen < plen && prefix_match(key, n->key, n->plen))
		n = n->child[addr_bit(key, n->plen)];
	if (n && n->plen == plen && prefix_match(key, n->key, plen))
		return n;
	return NULL;
}

static bool same_route(const struct fib6_info *a, const struct fib6_info *b)
{
	uint8_t ta = a->type ? a->type : RTN_UNICAST, tb = b->type ? b->type : RTN_UNICAST;

	return a->metric == b->metric && a->ifindex == b->ifindex &&
	       memcmp(a->gateway, b->gateway, 16) == 0 && ta == tb;
}

int fib6_add(struct fib6_table *t, const struct fib6_info *r)
{
	struct fib6_info *nr, **pp;
	struct fib6_node *n;
	uint8_t key[16];

	fib6_table_changed(t);
	if (r->plen > 128)
		return -EINVAL;
	mask_prefix(key, r->dst, r->plen);
	n = fib6_node_get(t, key, r->plen);
	if (!n)
		return -ENOMEM;
	for (pp = &n->leaf; *pp; pp = &(*pp)->next)
		if (same_route(*pp, r))
			return -EEXIST;
	nr = malloc(sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	*nr = *r;
	memcpy(nr->dst, key, 16);
	if (!nr->type)
		nr->type = RTN_UNICAST;
	for (pp = &n->leaf; *pp && (*pp)->metric <= nr->metric; pp = &(*pp)->next)
		;
	nr->next = *pp;
	*pp = nr;
	t->routes++;
	return 0;
}

/* Remove n when it holds no route and has at most one child. */
static void fib6_prune(struct fib6_table *t, struct fib6_node *n)
{
	while (n && n != t->root && !n->leaf && !(n->child[0] && n->child[1])) {
		struct fib6_node *p = n->parent, *c = n->child[0] ? n->child[0] : n->child[1];

		p->child[p->child[1] == n] = c;
		if (c)
			c->parent = p;
		free(n);
		t->nodes--;
		n = p;
	}
}

static bool del_match(const struct fib6_info *r, const struct fib6_info *want)
{
	if (want->metric && r->metric != want->metric)
		return false;
	if (want->ifindex && r->ifindex != want->ifindex)
		return false;
	for (int i = 0; i < 16; i++)
		if (want->gateway[i])
			return memcmp(r->gateway, want->gateway, 16) == 0;
	return true;
}

int fib6_del(struct fib6_table *t, const struct fib6_info *want)
{
	uint8_t key[16];
	struct fib6_node *n;

	fib6_table_changed(t);
	if (want->plen > 128)
		return -EINVAL;
	mask_prefix(key, want->dst, want->plen);
	n = fib6_node_find(t, key, want->plen);
	if (!n)
		return -ESRCH;
	for (struct fib6_info **pp = &n->leaf; *pp; pp = &(*pp)->next) {
		struct fib6_info *r = *pp;

		if (!del_match(r, want))
			continue;
		*pp = r->next;
		free(r);
		t->routes--;
		fib6_prune(t, n);
		return 0;
	}
	return -ESRCH;
}

static struct fib6_info *leaf_for_oif(struct fib6_info *r, int oif)
{
	for (; r; r = r->next)
		if (!oif || !r->ifindex || r->ifindex == oif)
			return r;
	return NULL;
}

struct fib6_info *fib6_lookup(const struct fib6_table *t, const uint8_t *addr, int oif)
{
	const struct fib6_node *n = t->root, *cand[130];
	uint64_t a[2] = { be64_at(addr), be64_at(addr + 8) };
	int nc = 0;

	/* descend by the branching bits alone, remembering the nodes that
	 * hold routes; every prefix that matches addr lies on this path, so
	 * the deepest candidate that matches is the longest match */
	while (n) {
		if (n->leaf)
			cand[nc++] = n;
		if (n->plen == 128)
			break;
		n = n->child[word_bit(a, n->plen)];
	}
	while (nc--) {
		const struct fib6_node *c = cand[nc];
		struct fib6_info *r;

		if (!words_match(a, c->k, c->plen))
			continue;
		r = leaf_for_oif(c->leaf, oif);
		if (r)
			return r;
	}
	return NULL;
}

struct fib6_info *fib6_find(const struct fib6_table *t, const uint8_t *dst, unsigned int plen)
{
	uint8_t key[16];
	struct fib6_node *n;

	if (plen > 128)
		return NULL;
	mask_prefix(key, dst, plen);
	n = fib6_node_find(t, key, plen);
	return n ? n->leaf : NULL;
}

static int walk_node(const struct fib6_node *n, int (*cb)(struct fib6_info *, void *), void *ctx)
{
	/* bounded by the trie depth (<= 129) */
	for (struct fib6_info *r = n->leaf, *next; r; r = next) {
		int rc;

		next = r->next;
		rc = cb(r, ctx);
		if (rc)
			return rc;
	}
	for (int i = 0; i < 2; i++) {
		if (n->child[i]) {
			int rc = walk_node(n->child[i], cb, ctx);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int fib6_walk(const struct fib6_table *t, int (*cb)(struct fib6_info *r, void *ctx), void *ctx)
{
	return walk_node(t->root, cb, ctx);
}

struct flush_ctx {
	int ifindex;
	struct fib6_info victim;
	bool found;
};

static int flush_find(struct fib6_info *r, void *ctx)
{
	struct flush_ctx *f = ctx;

	if (r->ifindex != f->ifindex)
		return 0;
	f->victim = *r;
	f->found = true;
	return 1;
}

void fib6_flush_oif(struct fib6_table *t, int ifindex)
{
	struct flush_ctx f = { .ifindex = ifindex };

	/* one at a time: deleting restructures the trie under a walk */
	for (;;) {
		f.found = false;
		fib6_walk(t, flush_find, &f);
		if (!f.found || fib6_del(t, &f.victim))
			return;
	}
}
