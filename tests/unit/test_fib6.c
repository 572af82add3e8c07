/* test_fib6.c - the IPv6 LPM trie against a linear reference: random
 * prefixes with shared stems, lookups, deletes that prune nodes, metrics
 * and devices on one prefix, walks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "ipv6/fib6.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t xr(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool pmatch(const uint8_t *a, const uint8_t *p, unsigned int plen)
{
	for (unsigned int i = 0; i < plen; i++)
		if (((a[i / 8] ^ p[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

#define N 3000
struct ref {
	uint8_t dst[16];
	uint8_t plen;
	int oif;
	bool live;
};
static struct ref refs[N];

static void rand_prefix(struct ref *r)
{
	/* few stems so prefixes nest and share paths */
	static const uint8_t stems[4][2] = { { 0x20, 0x01 }, { 0xfd, 0x00 }, { 0x20, 0x02 }, { 0xfe, 0x80 } };
	unsigned int s = (unsigned int)(xr() % 4);

	memset(r->dst, 0, 16);
	r->dst[0] = stems[s][0];
	r->dst[1] = stems[s][1];
	for (int i = 2; i < 16; i++)
		r->dst[i] = (uint8_t)(xr() % 4 == 0 ? xr() : 0);
	r->plen = (uint8_t)(xr() % 129);
	for (unsigned int i = r->plen; i < 128; i++)
		r->dst[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static int ref_lookup(const uint8_t *a)
{
	int best = -1;

	for (int i = 0; i < N; i++)
		if (refs[i].live && pmatch(a, refs[i].dst, refs[i].plen) &&
		    (best < 0 || refs[i].plen > refs[best].plen))
			best = i;
	return best;
}

static int count_cb(struct fib6_info *r, void *ctx)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static void test_random_against_linear(void **state)
{
	struct fib6_table *t = fib6_table_new(254);
	int live = 0, walked = 0;

	(void)state;
	for (int i = 0; i < N; i++) {
		struct fib6_info r = { .metric = 1 };
		bool dup = false;

		rand_prefix(&refs[i]);
		for (int j = 0; j < i && !dup; j++)
			dup = refs[j].live && refs[j].plen == refs[i].plen &&
			      memcmp(refs[j].dst, refs[i].dst, 16) == 0;
		if (dup)
			continue;
		memcpy(r.dst, refs[i].dst, 16);
		r.plen = refs[i].plen;
		r.ifindex = i + 1;
		assert_int_equal(fib6_add(t, &r), 0);
		refs[i].live = true;
		refs[i].oif = i + 1;
		live++;
	}
	assert_int_equal(t->routes, live);
	/* delete a third: the trie prunes */
	for (int i = 0; i < N; i += 3) {
		struct fib6_info r = { 0 };

		if (!refs[i].live)
			continue;
		memcpy(r.dst, refs[i].dst, 16);
		r.plen = refs[i].plen;
		assert_int_equal(fib6_del(t, &r), 0);
		assert_int_equal(fib6_del(t, &r), -ESRCH);
		refs[i].live = false;
		live--;
	}
	assert_int_equal(t->routes, live);
	assert_true(t->nodes <= 2 * (unsigned int)live + 1);
	for (int k = 0; k < 20000; k++) {
		uint8_t a[16];
		int want;
		struct fib6_info *got;

		if (k % 2) {
			struct ref tmp;

			rand_prefix(&tmp);
			memcpy(a, tmp.dst, 16);
			a[15] ^= (uint8_t)xr();
		} else {
			for (int i = 0; i < 16; i++)
				a[i] = (uint8_t)xr();
		}
		want = ref_lookup(a);
		got = fib6_lookup(t, a, 0);
		if (want < 0) {
			assert_null(got);
		} else {
			assert_non_null(got);
			assert_int_equal(got->plen, refs[want].plen);
			assert_int_equal(got->ifindex, refs[want].oif);
		}
	}
	fib6_walk(t, count_cb, &walked);
	assert_int_equal(walked, live);
	fib6_table_free(t);
}

static void test_metrics_devices_and_exact(void **state)
{
	struct fib6_table *t = fib6_table_new(254);
	struct fib6_info r = { .dst = { 0xfd }, .plen = 8, .metric = 1024, .ifindex = 2 };
	uint8_t a[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(fib6_add(t, &r), 0);
	assert_int_equal(fib6_add(t, &r), -EEXIST);
	r.type = RTN_UNICAST;	/* 0 and UNICAST are the same route */
	assert_int_equal(fib6_add(t, &r), -EEXIST);
	r.metric = 256;
	r.ifindex = 3;
	assert_int_equal(fib6_add(t, &r), 0);
	assert_int_equal(fib6_lookup(t, a, 0)->ifindex, 3);	/* lower metric first */
	assert_int_equal(fib6_lookup(t, a, 2)->ifindex, 2);	/* by device */
	r.plen = 129;
	assert_int_equal(fib6_add(t, &r), -EINVAL);
	r.plen = 128;
	r.dst[15] = 1;
	assert_int_equal(fib6_add(t, &r), 0);
	assert_int_equal(fib6_lookup(t, a, 0)->plen, 128);
	assert_non_null(fib6_find(t, a, 128));
	assert_null(fib6_find(t, a, 64));
	fib6_flush_oif(t, 3);
	assert_int_equal(t->routes, 1);
	assert_int_equal(fib6_lookup(t, a, 0)->ifindex, 2);
	fib6_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_linear),
		cmocka_unit_test(test_metrics_devices_and_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
