/* bench_fib6.c - IPv6 FIB lookup rate with 250 000 random routes (a
 * full-table sized length mix: mostly /48, then /32-/47 and /29-/31, a few
 * /49-/64, all under 2000::/3 like the real table), beside a naive linear
 * table measured on far fewer lookups and extrapolated to a rate. Also
 * prints insert/delete cost and trie size. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipv6/fib6.h"

#define NR_ROUTES     250000u
#define NR_ADDRS      (1u << 20)
#define PASSES        8
#define NAIVE_LOOKUPS 200u

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned int random_len(void)
{
	unsigned int x = (unsigned int)(rnd() % 100);

	if (x < 50)
		return 48;
	if (x < 85)
		return 32 + (unsigned int)(rnd() % 16);
	if (x < 92)
		return 29 + (unsigned int)(rnd() % 3);
	return 49 + (unsigned int)(rnd() % 16);
}

static void random_prefix(uint8_t *a, unsigned int plen)
{
	uint64_t hi = rnd();

	memset(a, 0, 16);
	for (int i = 0; i < 8; i++)
		a[i] = (uint8_t)(hi >> (56 - 8 * i));
	a[0] = (uint8_t)(0x20 | (a[0] & 0x1f));	/* 2000::/3 */
	for (unsigned int i = plen; i < 64; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static bool pmatch(const uint8_t *a, const uint8_t *p, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, p, bytes))
		return false;
	return !bits || ((a[bytes] ^ p[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static const struct fib6_info *naive_lookup(const struct fib6_info *v, size_t n, const uint8_t *a)
{
	const struct fib6_info *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (pmatch(a, v[i].dst, v[i].plen) && (!best || v[i].plen > best->plen))
			best = &v[i];
	return best;
}

int main(void)
{
	struct fib6_table *t = fib6_table_new(254);
	struct fib6_info *v = calloc(NR_ROUTES, sizeof(*v));
	uint8_t (*addrs)[16] = malloc((size_t)NR_ADDRS * 16);
	unsigned int added = 0, hits = 0, mismatches = 0;
	double t0, t1, lookups;

	if (!t || !v || !addrs)
		return 1;
	for (unsigned int i = 0; i < NR_ROUTES; i++) {
		v[i].plen = (uint8_t)random_len();
		random_prefix(v[i].dst, v[i].plen);
		v[i].ifindex = (int)(i % 64) + 1;
		v[i].metric = 1024;
	}
	t0 = now();
	for (unsigned int i = 0; i < NR_ROUTES; i++)
		if (fib6_add(t, &v[i]) == 0)
			added++;
	t1 = now();
	printf("fib6: %u routes inserted (%u distinct) in %.3f s (%.0f ns/insert), %u trie nodes\n",
	       NR_ROUTES, added, t1 - t0, (t1 - t0) * 1e9 / NR_ROUTES, t->nodes);
	/* lookups: half inside known prefixes, half random in 2000::/3 */
	for (unsigned int i = 0; i < NR_ADDRS; i++) {
		if (i & 1) {
			memcpy(addrs[i], v[rnd() % NR_ROUTES].dst, 16);
			for (int b = 8; b < 16; b++)
				addrs[i][b] = (uint8_t)rnd();
			addrs[i][7] ^= (uint8_t)(rnd() & 1);
		} else {
			random_prefix(addrs[i], 64);
			for (int b = 8; b < 16; b++)
				addrs[i][b] = (uint8_t)rnd();
		}
	}
	t0 = now();
	for (int p = 0; p < PASSES; p++)
		for (unsigned int i = 0; i < NR_ADDRS; i++)
			hits += fib6_lookup(t, addrs[i], 0) != NULL;
	t1 = now();
	lookups = (double)PASSES * NR_ADDRS;
	printf("fib6 trie:   %.2f M lookups/s (%.0f ns/lookup, %.1f%% matched)\n",
	       lookups / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / lookups, 100.0 * hits / lookups);
	/* the naive table on a few addresses, checked against the trie */
	t0 = now();
	for (unsigned int i = 0; i < NAIVE_LOOKUPS; i++) {
		const struct fib6_info *n = naive_lookup(v, NR_ROUTES, addrs[i]);
		const struct fib6_info *f = fib6_lookup(t, addrs[i], 0);

		if ((n == NULL) != (f == NULL) || (n && n->plen != f->plen))
			mismatches++;
	}
	t1 = now();
	printf("naive linear: %.4f M lookups/s (%.0f ns/lookup)\n",
	       NAIVE_LOOKUPS / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / NAIVE_LOOKUPS);
	printf("trie vs linear mismatches: %u of %u\n", mismatches, NAIVE_LOOKUPS);
	t0 = now();
	for (unsigned int i = 0; i < NR_ROUTES; i++)
		fib6_del(t, &v[i]);
	t1 = now();
	printf("fib6: deleted in %.3f s, %u routes / %u nodes left\n", t1 - t0, t->routes, t->nodes);
	fib6_table_free(t);
	free(v);
	free(addrs);
	return mismatches ? 1 : 0;
}
