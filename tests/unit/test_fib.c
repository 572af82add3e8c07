/* test_fib.c - the IPv4 FIB against a naive reference (linear scan: longest
 * prefix, then lowest metric), plus Linux's `ip route` add/replace/append/del
 * semantics, flush by device, the route limit and /proc/net/route text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4/fib.h"

#define ADD     (NLM_F_CREATE | NLM_F_EXCL)
#define REPLACE (NLM_F_CREATE | NLM_F_REPLACE)
#define CHANGE  (NLM_F_REPLACE)
#define APPEND  (NLM_F_CREATE | NLM_F_APPEND)
#define PREPEND (NLM_F_CREATE)

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static uint32_t mask_of(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

static struct fib_route rt(uint32_t dst, unsigned len, uint32_t metric, int oif)
{
	struct fib_route r = { .dst = dst, .dst_len = (uint8_t)len, .type = RTN_UNICAST,
			       .protocol = RTPROT_STATIC, .priority = metric, .oif = oif };
	return r;
}

/* ---- naive reference ---- */
struct ref {
	struct fib_route *r;
	size_t n, cap;
};

static void ref_add(struct ref *f, const struct fib_route *r)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->r = realloc(f->r, f->cap * sizeof(*f->r));
		assert_non_null(f->r);
	}
	f->r[f->n++] = *r;
}

static ssize_t ref_find(const struct ref *f, uint32_t dst, unsigned len, uint32_t metric)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->r[i].dst == dst && f->r[i].dst_len == len && f->r[i].priority == metric &&
		    f->r[i].tos == 0)
			return (ssize_t)i;
	return -1;
}

static const struct fib_route *ref_lookup(const struct ref *f, uint32_t a)
{
	const struct fib_route *best = NULL;

	for (size_t i = 0; i < f->n; i++) {
		const struct fib_route *r = &f->r[i];

		if (r->tos || (a & mask_of(r->dst_len)) != r->dst)
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->priority < best->priority))
			best = r;
	}
	return best;
}

/* fib_table_lookup_nh() names the next hop of fib_table_lookup()'s route. */
static void check_nh(const struct fib_table *t, uint32_t a)
{
	const struct fib_route *r = fib_table_lookup(t, a);
	const struct fib_nh *nh = fib_table_lookup_nh(t, a);

	if (!r) {
		assert_null(nh);
		return;
	}
	assert_non_null(nh);
	if (nh->gateway != r->gateway || nh->oif != r->oif || nh->mtu != r->mtu ||
	    nh->type != r->type || nh->scope != r->scope)
		fail_msg("addr %08x: next hop %08x dev %d mtu %u type %u, route %08x dev %d mtu %u type %u",
			 a, nh->gateway, nh->oif, nh->mtu, nh->type, r->gateway, r->oif, r->mtu, r->type);
}

static void check_addr(const struct fib_table *t, const struct ref *f, uint32_t a)
{
	const struct fib_route *got = fib_table_lookup(t, a), *want = ref_lookup(f, a);

	check_nh(t, a);

	if (!want) {
		if (got)
			fail_msg("addr %08x: got %08x/%u, want none", a, got->dst, got->dst_len);
		return;
	}
	if (!got)
		fail_msg("addr %08x: got none, want %08x/%u", a, want->dst, want->dst_len);
	if (got->dst != want->dst || got->dst_len != want->dst_len ||
	    got->priority != want->priority || got->oif != want->oif)
		fail_msg("addr %08x: got %08x/%u m%u, want %08x/%u m%u", a, got->dst, got->dst_len,
			 got->priority, want->dst, want->dst_len, want->priority);
}

/* Random addresses, plus addresses at and around each route's edges. */
static void check_many(const struct fib_table *t, const struct ref *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = rnd();

		if (i & 1)   /* half of them inside 10.0.0.0/6, where tests crowd */
			a = (a & 0x03ffffff) | 0x08000000;
		check_addr(t, f, a);
	}
	for (size_t i = 0; i < f->n; i++) {
		uint32_t lo = f->r[i].dst, hi = lo | ~mask_of(f->r[i].dst_len);

		check_addr(t, f, lo);
		check_addr(t, f, hi);
		check_addr(t, f, lo - 1);
		check_addr(t, f, hi + 1);
		check_addr(t, f, lo | (rnd() & ~mask_of(f->r[i].dst_len)));
	}
}

static void assert_empty_accel(const struct fib_table *t)
{
	assert_int_equal(t->lines_live, 0);
	for (uint32_t i = 0; i < (1u << FIB_DIR_BITS); i++)
		assert_int_equal(t->dir[i], 0);
	assert_int_equal(fib_table_verify(t), 0);
}

/* ---- tests ---- */

/* Next hops: routes with equal next hops share a slot; past FIB_NH_SHARED
 * distinct ones, lookups fall back to the route's own copy; a replace that
 * changes the next hop is seen at once; deletes free the slots. */
static void test_next_hops(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	const unsigned n = FIB_NH_SHARED + 40;
	uint32_t live = 0;

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		struct fib_route r = rt(IP(20, i >> 8, i & 255, 0), 24, 0, 1);

		r.gateway = IP(10, 0, 0, 1 + i % (FIB_NH_SHARED + 20));   /* > FIB_NH_SHARED distinct */
		assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct fib_nh *nh = fib_table_lookup_nh(t, IP(20, i >> 8, i & 255, 9));

		assert_non_null(nh);
		assert_int_equal(nh->gateway, IP(10, 0, 0, 1 + i % (FIB_NH_SHARED + 20)));
		assert_int_equal(nh->oif, 1);
		assert_int_equal(nh->type, RTN_UNICAST);
		check_nh(t, IP(20, i >> 8, i & 255, 9));
	}
	/* the first routes share slots with the last ones (same gateway) */
	assert_ptr_equal(fib_table_lookup_nh(t, IP(20, 0, 0, 1)),
			 fib_table_lookup_nh(t, IP(20, 0, FIB_NH_SHARED + 20, 1)));
	for (unsigned i = 1; i < FIB_NH_SHARED; i++)
		live += t->nh[i].refcnt != 0;
	assert_int_equal(live, FIB_NH_SHARED - 1);

	/* `ip route change` of a route's gateway and mtu */
	{
		struct fib_route r = rt(IP(20, 0, 5, 0), 24, 0, 2);
		const struct fib_nh *nh;

		r.gateway = IP(10, 9, 9, 9);
		r.mtu = 1400;
		assert_int_equal(fib_table_insert(t, &r, CHANGE), 0);
		nh = fib_table_lookup_nh(t, IP(20, 0, 5, 77));
		assert_non_null(nh);
		assert_int_equal(nh->gateway, IP(10, 9, 9, 9));
		assert_int_equal(nh->oif, 2);
		assert_int_equal(nh->mtu, 1400);
	}
	/* a more specific route, then its removal: the covering route's next hop again */
	{
		struct fib_route r = rt(IP(20, 0, 6, 128), 25, 0, 3), m = { .dst = r.dst, .dst_len = 25 };

		assert_int_equal(fib_table_insert(t, &r, ADD), 0);
		assert_int_equal(fib_table_lookup_nh(t, IP(20, 0, 6, 200))->oif, 3);
		assert_int_equal(fib_table_delete(t, &m), 0);
		assert_int_equal(fib_table_lookup_nh(t, IP(20, 0, 6, 200))->oif, 1);
	}
	for (unsigned i = 0; i < n; i++) {
		struct fib_route m = { .dst = IP(20, i >> 8, i & 255, 0), .dst_len = 24 };

		assert_int_equal(fib_table_delete(t, &m), 0);
	}
	for (unsigned i = 1; i < FIB_NH_SHARED; i++)
		assert_int_equal(t->nh[i].refcnt, 0);
	assert_null(fib_table_lookup_nh(t, IP(20, 0, 0, 1)));
	assert_empty_accel(t);
	fib_table_free(t);
}

static void test_empty(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);

	assert_non_null(t);
	assert_null(fib_table_lookup(t, 0));
	assert_null(fib_table_lookup(t, IP(10, 0, 0, 1)));
	assert_int_equal(fib_table_count(t), 0);
	assert_true(fib_table_mem(t) < 2 * 1024 * 1024);   /* mostly the untouched direct table */
	fib_table_free(t);
	fib_table_free(NULL);
}

static void test_default_and_host(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_route d = rt(0, 0, 0, 1), h = rt(IP(10, 1, 2, 3), 32, 0, 2);
	const struct fib_route *r;

	d.gateway = IP(192, 168, 1, 1);
	assert_int_equal(fib_table_insert(t, &d, ADD), 0);
	assert_int_equal(fib_table_insert(t, &h, ADD), 0);
	r = fib_table_lookup(t, IP(8, 8, 8, 8));
	assert_non_null(r);
	assert_int_equal(r->dst_len, 0);
	assert_int_equal(r->gateway, IP(192, 168, 1, 1));
	assert_int_equal(fib_table_lookup(t, 0xffffffffu)->dst_len, 0);
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 2, 3))->oif, 2);
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 2, 2))->oif, 1);
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 2, 4))->oif, 1);
	assert_int_equal(fib_table_delete(t, &d), 0);
	assert_null(fib_table_lookup(t, IP(8, 8, 8, 8)));
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 2, 3))->oif, 2);
	assert_int_equal(fib_table_delete(t, &h), 0);
	assert_null(fib_table_lookup(t, IP(10, 1, 2, 3)));
	assert_empty_accel(t);
	fib_table_free(t);
}

/* Nested prefixes at every level boundary, inserted and deleted in every
 * order of a few permutations, checked on every address of the /16. */
static void test_boundaries(void **state)
{
	static const unsigned lens[] = { 16, 17, 24, 25, 32, 8, 23 };
	const unsigned nl = ARRAY_SIZE(lens);
	const uint32_t base = IP(10, 1, 0, 128);

	rng_state = 0x1234567;
	for (int round = 0; round < 12; round++) {
		struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
		struct ref f = { 0 };
		unsigned order[ARRAY_SIZE(lens)];

		for (unsigned i = 0; i < nl; i++)
			order[i] = i;
		for (unsigned i = nl - 1; i > 0; i--) {
			unsigned j = rnd() % (i + 1), x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
		for (unsigned k = 0; k < nl; k++) {
			unsigned len = lens[order[k]];
			struct fib_route r = rt(base & mask_of(len), len, 10, (int)len);

			assert_int_equal(fib_table_insert(t, &r, ADD), 0);
			ref_add(&f, &r);
			for (uint32_t a = IP(10, 1, 0, 0); a < IP(10, 1, 4, 0); a++)
				check_addr(t, &f, a);
			check_many(t, &f, 200);
		}
		while (f.n) {
			size_t i = rnd() % f.n;

			assert_int_equal(fib_table_delete(t, &f.r[i]), 0);
			f.r[i] = f.r[--f.n];
			for (uint32_t a = IP(10, 1, 0, 0); a < IP(10, 1, 4, 0); a++)
				check_addr(t, &f, a);
			check_many(t, &f, 200);
		}
		assert_empty_accel(t);
		free(f.r);
		fib_table_free(t);
	}
}

static unsigned random_len(void)
{
	unsigned x = rnd() % 100;

	if (x < 40)
		return 24;
	if (x < 70)
		return 16 + rnd() % 8;
	if (x < 85)
		return 25 + rnd() % 8;
	return rnd() % 16;
}

static void test_random_vs_reference(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct ref f = { 0 };

	rng_state = 0xdeadbeefcafeULL;
	for (int i = 0; i < 4000; i++) {
		unsigned len = random_len();
		/* A small pool of top bytes so prefixes overlap a lot. */
		uint32_t dst = ((rnd() % 4 + 10) << 24 | (rnd() & 0x00ffffff)) & mask_of(len);
		struct fib_route r = rt(dst, len, rnd() % 4, (int)(rnd() % 8) + 1);
		int want = ref_find(&f, dst, len, r.priority) >= 0 ? -EEXIST : 0;

		assert_int_equal(fib_table_insert(t, &r, ADD), want);
		if (!want)
			ref_add(&f, &r);
	}
	assert_int_equal(fib_table_count(t), f.n);
	assert_int_equal(fib_table_verify(t), 0);
	check_many(t, &f, 5000);

	/* The bulk lookup agrees with the single one, for odd batch sizes too. */
	for (unsigned n = 0; n < 40; n += 7) {
		uint32_t a[40];
		const struct fib_route *res[40];

		for (unsigned i = 0; i < n; i++)
			a[i] = (rnd() & 0x03ffffff) | 0x08000000;
		const struct fib_nh *nhs[40];

		fib_table_lookup_bulk(t, a, res, n);
		fib_table_lookup_nh_bulk(t, a, nhs, n);
		for (unsigned i = 0; i < n; i++) {
			assert_ptr_equal(res[i], fib_table_lookup(t, a[i]));
			assert_ptr_equal(nhs[i], fib_table_lookup_nh(t, a[i]));
		}
	}

	/* Random deletes, with checks along the way. */
	for (int round = 0; round < 4; round++) {
		for (size_t k = f.n / 3; k > 0; k--) {
			size_t i = rnd() % f.n;
			struct fib_route m = { .dst = f.r[i].dst, .dst_len = f.r[i].dst_len,
					       .priority = f.r[i].priority };

			assert_int_equal(fib_table_delete(t, &m), 0);
			f.r[i] = f.r[--f.n];
		}
		assert_int_equal(fib_table_count(t), f.n);
		check_many(t, &f, 3000);
	}
	while (f.n) {
		assert_int_equal(fib_table_delete(t, &f.r[f.n - 1]), 0);
		f.n--;
	}
	assert_empty_accel(t);
	assert_int_equal(fib_table_count(t), 0);
	free(f.r);
	fib_table_free(t);
}

/* Interleaved random inserts and deletes against the reference, in a table
 * big enough for the /24 next-hop cache (FIB_T24_MIN prefixes), with a few
 * /18s crowded enough for flat blocks (more than FIB_LINE_RANGES ranges) and
 * growing and shrinking between formats; the accelerator's invariants are
 * checked along the way (fib_table_verify also compares the cache). */
static void test_churn_vs_reference(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct ref f = { 0 };

	(void)state;
	rng_state = 0x5eed1234abcdULL;
	for (int step = 0; step < 12000; step++) {
		if (f.n && rnd() % 3 == 0) {
			size_t i = rnd() % f.n;

			assert_int_equal(fib_table_delete(t, &f.r[i]), 0);
			f.r[i] = f.r[--f.n];
		} else {
			unsigned x = rnd() % 100, len = x < 50 ? 24 : x < 70 ? 25 + rnd() % 8 :
							 x < 90 ? 17 + rnd() % 7 : rnd() % 17;
			/* most inside two /18s (flat blocks), the rest in 10/8 */
			uint32_t dst = x & 1 ? IP(10, 1, 0, 0) | (rnd() & 0x7fff) : IP(10, 0, 0, 0) | (rnd() & 0xffffff);
			struct fib_route r = rt(dst & mask_of(len), len, rnd() % 3, (int)(rnd() % 4) + 1);
			int want = ref_find(&f, r.dst, len, r.priority) >= 0 ? -EEXIST : 0;

			r.gateway = rnd() % 5 ? IP(10, 255, 0, 1 + rnd() % 16) : 0;
			assert_int_equal(fib_table_insert(t, &r, ADD), want);
			if (!want)
				ref_add(&f, &r);
		}
		if (step % 1500 == 1499) {
			assert_int_equal(fib_table_verify(t), 0);
			check_many(t, &f, 2000);
		}
	}
	assert_true(t->t24_on);
	while (f.n) {
		assert_int_equal(fib_table_delete(t, &f.r[f.n - 1]), 0);
		f.n--;
		if (f.n % 997 == 0)
			assert_int_equal(fib_table_verify(t), 0);
	}
	assert_empty_accel(t);
	free(f.r);
	fib_table_free(t);
}

/* The line pool is bounded: past it, an insert fails with -ENOMEM and
 * leaves the table as it was; a delete still works, and frees room. */
static void test_line_pool_limit(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_route r;
	unsigned i, added = 0;
	int err = 0;

	(void)state;
	t->lines_max = 64;
	for (i = 0; i < 1000 && !err; i++) {   /* one /24 per /18: one line each */
		r = rt(IP(30, i >> 2, (i & 3) << 6, 0), 24, 0, 1);
		err = fib_table_insert(t, &r, ADD);
		added += !err;
	}
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(added, 64);
	assert_int_equal(fib_table_count(t), 64);
	assert_null(fib_table_lookup(t, r.dst));
	assert_null(fib_table_lookup_nh(t, r.dst));
	assert_int_equal(fib_table_verify(t), 0);
	/* a route covering a whole /18 needs no line */
	r = rt(IP(31, 0, 0, 0), 18, 0, 2);
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = rt(IP(30, 0, 0, 0), 24, 0, 1);
	assert_int_equal(fib_table_delete(t, &r), 0);
	r = rt(IP(30, 200, 0, 0), 24, 0, 1);
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	assert_int_equal(fib_table_lookup(t, IP(30, 200, 0, 9))->dst, r.dst);
	assert_int_equal(fib_table_verify(t), 0);
	fib_table_free(t);
}

static void test_metric(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_route a = rt(IP(10, 0, 0, 0), 8, 300, 3), b = rt(IP(10, 0, 0, 0), 8, 100, 1),
			 c = rt(IP(10, 0, 0, 0), 8, 200, 2);

	assert_int_equal(fib_table_insert(t, &a, ADD), 0);
	assert_int_equal(fib_table_lookup(t, IP(10, 9, 9, 9))->oif, 3);
	assert_int_equal(fib_table_insert(t, &b, ADD), 0);
	assert_int_equal(fib_table_insert(t, &c, ADD), 0);
	assert_int_equal(fib_table_lookup(t, IP(10, 9, 9, 9))->priority, 100);
	assert_int_equal(fib_table_delete(t, &b), 0);
	assert_int_equal(fib_table_lookup(t, IP(10, 9, 9, 9))->priority, 200);
	/* A TOS route is never picked by a TOS-less lookup. */
	struct fib_route tos = rt(IP(10, 0, 0, 0), 8, 0, 9);
	tos.tos = 0x10;
	assert_int_equal(fib_table_insert(t, &tos, ADD), 0);
	assert_int_equal(fib_table_lookup(t, IP(10, 9, 9, 9))->oif, 2);
	struct fib_route tos2 = rt(IP(10, 1, 0, 0), 16, 0, 9);
	tos2.tos = 0x10;
	assert_int_equal(fib_table_insert(t, &tos2, ADD), 0);
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 9, 9))->oif, 2);
	struct fib_route m = { .dst = IP(10, 1, 0, 0), .dst_len = 16 };
	assert_int_equal(fib_table_delete(t, &m), -ESRCH);   /* TOS must match */
	m.tos = 0x10;
	assert_int_equal(fib_table_delete(t, &m), 0);
	assert_int_equal(fib_table_count(t), 3);
	fib_table_free(t);
}

static void test_semantics(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_route r = rt(IP(172, 16, 0, 0), 12, 50, 1), g;
	const struct fib_route *got;

	/* ip route add: EEXIST on same prefix + metric (+ tos). */
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	g = r;
	g.oif = 2;
	assert_int_equal(fib_table_insert(t, &g, ADD), -EEXIST);
	/* ip route append: a different route with the same key goes after. */
	assert_int_equal(fib_table_insert(t, &g, APPEND), 0);
	assert_int_equal(fib_table_insert(t, &g, APPEND), -EEXIST);   /* identical */
	assert_int_equal(fib_table_lookup(t, IP(172, 20, 0, 1))->oif, 1);
	/* ip route prepend: goes before. */
	g.oif = 3;
	assert_int_equal(fib_table_insert(t, &g, PREPEND), 0);
	assert_int_equal(fib_table_lookup(t, IP(172, 20, 0, 1))->oif, 3);
	assert_int_equal(fib_table_count(t), 3);
	/* ip route replace: replaces the first route with the key. */
	g.oif = 4;
	g.gateway = IP(172, 16, 0, 1);
	assert_int_equal(fib_table_insert(t, &g, REPLACE), 0);
	got = fib_table_lookup(t, IP(172, 20, 0, 1));
	assert_int_equal(got->oif, 4);
	assert_int_equal(got->gateway, IP(172, 16, 0, 1));
	assert_int_equal(fib_table_count(t), 3);
	assert_int_equal(fib_table_insert(t, &g, REPLACE), 0);       /* no-op */
	r.oif = 2;
	assert_int_equal(fib_table_insert(t, &r, REPLACE), -EEXIST); /* not the first */
	/* replace creates; change does not. */
	struct fib_route n = rt(IP(172, 16, 0, 0), 12, 60, 7);
	assert_int_equal(fib_table_insert(t, &n, CHANGE), -ENOENT);
	assert_int_equal(fib_table_insert(t, &n, REPLACE), 0);
	assert_int_equal(fib_table_count(t), 4);
	assert_int_equal(fib_table_insert(t, &n, 0), -EEXIST);   /* identical, no flags */
	/* ip route del: wildcard match deletes the first; ESRCH when none. */
	struct fib_route m = { .dst = IP(172, 16, 0, 0), .dst_len = 12 };
	assert_int_equal(fib_table_delete(t, &m), 0);               /* oif 4 */
	assert_int_equal(fib_table_lookup(t, IP(172, 20, 0, 1))->oif, 1);
	m.oif = 2;
	assert_int_equal(fib_table_delete(t, &m), 0);
	assert_int_equal(fib_table_delete(t, &m), -ESRCH);
	m.oif = 0;
	m.priority = 60;
	m.protocol = RTPROT_KERNEL;
	assert_int_equal(fib_table_delete(t, &m), -ESRCH);
	m.protocol = RTPROT_STATIC;
	m.scope = FIB_SCOPE_ANY;
	assert_int_equal(fib_table_delete(t, &m), 0);
	assert_int_equal(fib_table_lookup(t, IP(172, 20, 0, 1))->oif, 1);
	m.priority = 0;
	assert_int_equal(fib_table_delete(t, &m), 0);
	assert_int_equal(fib_table_delete(t, &m), -ESRCH);
	struct fib_route none = { .dst = IP(1, 2, 3, 0), .dst_len = 24 };
	assert_int_equal(fib_table_delete(t, &none), -ESRCH);
	assert_int_equal(fib_table_count(t), 0);
	assert_null(fib_table_lookup(t, IP(172, 20, 0, 1)));
	assert_empty_accel(t);
	fib_table_free(t);
}

static void test_types_and_validation(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_LOCAL);
	struct fib_route r = { .dst = IP(10, 0, 0, 0), .dst_len = 8, .type = RTN_UNREACHABLE };
	struct fib_route bad;

	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(10, 1, 0, 0), .dst_len = 16, .type = RTN_BLACKHOLE };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(10, 1, 1, 0), .dst_len = 24, .type = RTN_PROHIBIT };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(10, 1, 1, 1), .dst_len = 32, .type = RTN_LOCAL,
				.scope = RT_SCOPE_HOST, .protocol = RTPROT_KERNEL, .oif = 1,
				.prefsrc = IP(10, 1, 1, 1) };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	assert_int_equal(fib_route_error(fib_table_lookup(t, IP(10, 2, 0, 0))->type), -EHOSTUNREACH);
	assert_int_equal(fib_route_error(fib_table_lookup(t, IP(10, 1, 2, 0))->type), -EINVAL);
	assert_int_equal(fib_route_error(fib_table_lookup(t, IP(10, 1, 1, 2))->type), -EACCES);
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 1, 1))->type, RTN_LOCAL);
	assert_int_equal(fib_table_lookup(t, IP(10, 1, 1, 1))->prefsrc, IP(10, 1, 1, 1));
	assert_int_equal(fib_route_error(RTN_LOCAL), 0);

	bad = rt(IP(10, 0, 0, 1), 24, 0, 1);           /* host bits set */
	assert_int_equal(fib_table_insert(t, &bad, ADD), -EINVAL);
	bad = rt(0, 33, 0, 1);
	assert_int_equal(fib_table_insert(t, &bad, ADD), -EINVAL);
	bad = rt(IP(11, 0, 0, 0), 8, 0, 1);
	bad.type = 42;
	assert_int_equal(fib_table_insert(t, &bad, ADD), -EINVAL);
	bad.type = RTN_BLACKHOLE;                        /* no device allowed */
	assert_int_equal(fib_table_insert(t, &bad, ADD), -EINVAL);
	bad = rt(IP(11, 0, 0, 0), 8, 0, 1);
	bad.scope = RT_SCOPE_HOST;
	bad.gateway = IP(1, 1, 1, 1);
	assert_int_equal(fib_table_insert(t, &bad, ADD), -EINVAL);
	bad.gateway = 0;
	bad.scope = RT_SCOPE_NOWHERE;
	assert_int_equal(fib_table_insert(t, &bad, ADD), -EINVAL);
	bad = rt(IP(11, 0, 0, 0), 8, 0, 1);
	bad.type = 0;                                    /* defaults to unicast */
	assert_int_equal(fib_table_insert(t, &bad, ADD), 0);
	assert_int_equal(fib_table_lookup(t, IP(11, 0, 0, 1))->type, RTN_UNICAST);
	struct fib_route m = { .dst = IP(10, 0, 0, 1), .dst_len = 8 };
	assert_int_equal(fib_table_delete(t, &m), -EINVAL);
	assert_int_equal(fib_table_count(t), 5);
	fib_table_free(t);
}

static void test_flush_oif(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct ref f = { 0 };

	rng_state = 99;
	for (int i = 0; i < 2000; i++) {
		unsigned len = random_len();
		struct fib_route r = rt(rnd() & mask_of(len), len, rnd() % 3, (int)(rnd() % 3) + 1);

		if (fib_table_insert(t, &r, ADD) == 0 && r.oif != 2)
			ref_add(&f, &r);
	}
	int before = (int)fib_table_count(t);
	int n = fib_table_flush_oif(t, 2);
	assert_true(n > 0);
	assert_int_equal(fib_table_count(t), (uint32_t)(before - n));
	assert_int_equal(fib_table_count(t), f.n);
	assert_int_equal(fib_table_flush_oif(t, 2), 0);
	check_many(t, &f, 5000);
	fib_table_flush_oif(t, 1);
	fib_table_flush_oif(t, 3);
	assert_int_equal(fib_table_count(t), 0);
	assert_empty_accel(t);
	free(f.r);
	fib_table_free(t);
}

static void test_limit(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_route r;

	fib_table_set_max(t, 3);
	for (unsigned i = 0; i < 3; i++) {
		r = rt(IP(10, i, 0, 0), 16, 0, 1);
		assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	}
	r = rt(IP(10, 3, 0, 0), 16, 0, 1);
	assert_int_equal(fib_table_insert(t, &r, ADD), -ENOSPC);
	assert_null(fib_table_lookup(t, IP(10, 3, 0, 1)));
	r = rt(IP(10, 0, 0, 0), 16, 0, 5);
	assert_int_equal(fib_table_insert(t, &r, REPLACE), 0);   /* no growth */
	assert_int_equal(fib_table_count(t), 3);
	assert_int_equal(fib_table_delete(t, &r), 0);
	r = rt(IP(10, 3, 0, 0), 16, 0, 1);
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	fib_table_set_max(t, 0);
	r = rt(IP(10, 4, 0, 0), 16, 0, 1);
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	fib_table_free(t);
}

struct walk_ctx {
	char out[1024];
	size_t off;
};

static int walk_cb(const struct fib_route *r, void *ctx)
{
	struct walk_ctx *w = ctx;

	w->off += (size_t)snprintf(w->out + w->off, sizeof(w->out) - w->off, "%08x/%u m%u;",
				   r->dst, r->dst_len, r->priority);
	return 0;
}

static int walk_stop(const struct fib_route *r, void *ctx)
{
	return ++*(int *)ctx == 2 ? 77 : 0;
}

static void test_walk_order(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct walk_ctx w = { .off = 0 };
	struct fib_route rs[] = {
		rt(IP(10, 0, 0, 0), 8, 5, 1), rt(IP(10, 0, 0, 0), 24, 0, 1),
		rt(IP(10, 0, 0, 0), 8, 1, 1), rt(0, 0, 0, 1), rt(IP(9, 0, 0, 0), 8, 0, 1),
	};
	int n = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(rs); i++)
		assert_int_equal(fib_table_insert(t, &rs[i], ADD), 0);
	assert_int_equal(fib_table_walk(t, walk_cb, &w), 0);
	assert_string_equal(w.out, "00000000/0 m0;09000000/8 m0;0a000000/24 m0;"
				   "0a000000/8 m1;0a000000/8 m5;");
	assert_int_equal(fib_table_walk(t, walk_stop, &n), 77);
	fib_table_free(t);
}

static const char *ifname_cb(int oif, void *ctx)
{
	static const char *const names[] = { NULL, "lo", "eth0", "eth1" };

	return oif > 0 && oif < 4 ? names[oif] : NULL;
}

/* One expected line: the fields, padded with spaces to 127 columns. */
static void expect_line(char *dst, const char *fields)
{
	size_t n = strlen(fields);

	memcpy(dst, fields, n);
	memset(dst + n, ' ', 127 - n);
	dst[127] = '\n';
	dst[128] = '\0';
}

static void test_proc_net_route(void **state)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_route r;
	char want[8 * 129] = "", line[129], got[2048];

	r = (struct fib_route){ .dst = 0, .dst_len = 0, .type = RTN_UNICAST, .protocol = RTPROT_STATIC,
				.priority = 100, .gateway = IP(192, 168, 1, 1), .oif = 2 };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(192, 168, 1, 0), .dst_len = 24, .type = RTN_UNICAST,
				.scope = RT_SCOPE_LINK, .protocol = RTPROT_KERNEL, .priority = 100,
				.oif = 2, .prefsrc = IP(192, 168, 1, 10) };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(10, 0, 0, 1), .dst_len = 32, .type = RTN_UNICAST,
				.protocol = RTPROT_BOOT, .gateway = IP(192, 168, 1, 254), .oif = 3 };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(10, 9, 0, 0), .dst_len = 16, .type = RTN_UNREACHABLE };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(192, 168, 1, 255), .dst_len = 32, .type = RTN_BROADCAST,
				.scope = RT_SCOPE_LINK, .protocol = RTPROT_KERNEL, .oif = 2 };
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);
	r = (struct fib_route){ .dst = IP(172, 17, 0, 0), .dst_len = 16, .type = RTN_UNICAST,
				.priority = 4294967295u, .oif = 9 };   /* unknown device */
	assert_int_equal(fib_table_insert(t, &r, ADD), 0);

	expect_line(line, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	strcat(want, line);
	expect_line(line, "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0");
	strcat(want, line);
	expect_line(line, "eth1\t0100000A\tFE01A8C0\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0");
	strcat(want, line);
	expect_line(line, "*\t0000090A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0");
	strcat(want, line);
	expect_line(line, "*\t000011AC\t00000000\t0001\t0\t0\t-1\t0000FFFF\t0\t0\t0");
	strcat(want, line);
	expect_line(line, "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0");
	strcat(want, line);

	ssize_t n = fib_table_proc_dump(t, ifname_cb, NULL, got, sizeof(got));
	assert_int_equal(n, (ssize_t)strlen(want));
	assert_int_equal(n, 6 * FIB_PROC_LINE_LEN);
	assert_string_equal(got, want);

	/* Truncation behaves like snprintf. */
	char small[200];
	assert_int_equal(fib_table_proc_dump(t, ifname_cb, NULL, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);
	fib_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_default_and_host),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_churn_vs_reference),
		cmocka_unit_test(test_line_pool_limit),
		cmocka_unit_test(test_metric),
		cmocka_unit_test(test_semantics),
		cmocka_unit_test(test_types_and_validation),
		cmocka_unit_test(test_flush_oif),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_walk_order),
		cmocka_unit_test(test_proc_net_route),
		cmocka_unit_test(test_next_hops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
