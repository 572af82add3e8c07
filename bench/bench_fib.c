/* bench_fib.c - IPv4 FIB lookup rate with 1 M random routes (a full-table
 * sized length mix: mostly /24, some /16-/23 and /8-/15, few longer), beside a
 * naive linear table. The naive figure is measured on far fewer lookups and
 * extrapolated to a rate. Also prints insert/delete cost and memory.
 * The routes point at NR_PEERS next hops (a full BGP table has a handful of
 * peers); the first figures are what forwarding needs, the next hop
 * (fib_table_lookup_nh), the others read the whole route. Rates are per
 * second of this thread's CPU time (see cpu_now). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "bench.h"
#include "ipv4/fib.h"

#define NR_ROUTES   1000000u
#define NR_ADDRS    (1u << 22)
#define PASSES      16
#define NAIVE_LOOKUPS 200u
#define BATCH       64u
#define NR_PEERS    64u

static unsigned random_len(void)
{
	unsigned x = bench_rnd() % 100;

	if (x < 60)
		return 24;
	if (x < 90)
		return 16 + bench_rnd() % 8;
	if (x < 95)
		return 8 + bench_rnd() % 8;
	return 25 + bench_rnd() % 8;
}

static uint32_t mask_of(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* This thread's CPU time: on a machine shared by several busy processes,
 * wall-clock rates mostly measure the time the scheduler gave us. Caches
 * are still shared, so the figures still move; compare the same binary
 * flags, and the per-lookup counts below where the kernel gives them. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Per-lookup hardware counts (instructions, cache misses) of one measured
 * loop, read with perf_event_open: steadier than wall clock on a shared
 * machine. Printed as "-" where the kernel refuses the counters. */
struct hwc {
	int fd[2];
	uint64_t v[2];
};

static int hwc_open(uint64_t config)
{
	struct perf_event_attr a = { .type = PERF_TYPE_HARDWARE, .size = sizeof(a),
				     .config = config, .disabled = 1, .exclude_kernel = 1,
				     .exclude_hv = 1 };

	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static void hwc_start(struct hwc *h)
{
	h->fd[0] = hwc_open(PERF_COUNT_HW_INSTRUCTIONS);
	h->fd[1] = hwc_open(PERF_COUNT_HW_CACHE_MISSES);
	for (int i = 0; i < 2; i++)
		if (h->fd[i] >= 0)
			ioctl(h->fd[i], PERF_EVENT_IOC_ENABLE, 0);
}

static void hwc_stop(struct hwc *h)
{
	for (int i = 0; i < 2; i++) {
		h->v[i] = 0;
		if (h->fd[i] < 0)
			continue;
		ioctl(h->fd[i], PERF_EVENT_IOC_DISABLE, 0);
		if (read(h->fd[i], &h->v[i], sizeof(h->v[i])) != sizeof(h->v[i]))
			h->fd[i] = -1;
		close(h->fd[i]);
	}
}

static const char *hwc_fmt(const struct hwc *h, double lookups, char *buf, size_t len)
{
	if (h->fd[0] < 0 || h->fd[1] < 0)
		return "instructions/cache-misses per lookup: -";
	snprintf(buf, len, "%.1f instructions, %.2f cache misses per lookup",
		 (double)h->v[0] / lookups, (double)h->v[1] / lookups);
	return buf;
}

/* The naive table: longest prefix, then lowest metric, by linear scan. */
static const struct fib_route *naive_lookup(const struct fib_route *v, size_t n, uint32_t a)
{
	const struct fib_route *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct fib_route *r = &v[i];

		if ((a & mask_of(r->dst_len)) != r->dst)
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->priority < best->priority))
			best = r;
	}
	return best;
}

/* One pass of single lookups (functions of their own, for callgrind's cache
 * simulation: NSTACK_BENCH_DIV shortens the passes, see bench.h). noipa, not
 * just noinline: the compiler would otherwise find them pure and hoist the
 * call out of the timing loop. */
static __attribute__((noipa)) uint64_t pass_nh(const struct fib_table *t, const uint32_t *a,
						  unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct fib_nh *nh = fib_table_lookup_nh(t, a[i]);

		sum += nh ? (unsigned)nh->oif + nh->gateway : 0;
	}
	return sum;
}

static __attribute__((noipa)) uint64_t pass_route(const struct fib_table *t, const uint32_t *a,
						     unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct fib_route *r = fib_table_lookup(t, a[i]);

		sum += r ? (unsigned)r->oif : 0;
	}
	return sum;
}

int main(void)
{
	struct fib_table *t = fib_table_create(RT_TABLE_MAIN);
	struct fib_table *empty = fib_table_create(RT_TABLE_LOCAL);
	struct fib_route *routes = malloc(NR_ROUTES * sizeof(*routes));
	uint32_t *addrs = malloc(NR_ADDRS * sizeof(*addrs));
	double t0, t1, ins, lk, lk_bulk, lk_ptr, naive, del, nh1, nhb;
	uint64_t sum = 0, bsum = 0, sum_ptr = 0, nsum = 0, nhsum = 0, nhbsum = 0;
	unsigned n = 0, dups = 0, miss = 0;
	int passes;
	struct hwc hw[3];
	char hb[3][96];

	if (!t || !empty || !routes || !addrs) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	/* Build: 1 M distinct prefixes. */
	for (unsigned i = 0; i < NR_ROUTES; i++) {
		unsigned len = random_len();

		routes[i] = (struct fib_route){ .dst = bench_rnd() & mask_of(len), .dst_len = (uint8_t)len,
						.type = RTN_UNICAST, .protocol = RTPROT_BOOT,
						.gateway = 0x0a000000u + 1 + i % NR_PEERS,
						.oif = (int)(i % NR_PEERS % 8) + 1 };
	}
	t0 = cpu_now();
	for (unsigned i = 0; i < NR_ROUTES; i++) {
		int err = fib_table_insert(t, &routes[i], NLM_F_CREATE | NLM_F_EXCL);

		if (!err)
			routes[n++] = routes[i];
		else if (err == -EEXIST)
			dups++;
		else {
			fprintf(stderr, "insert: %d\n", err);
			return 1;
		}
	}
	t1 = cpu_now();
	ins = t1 - t0;
	/* Top up to exactly NR_ROUTES with fresh /24s. */
	while (n < NR_ROUTES) {
		struct fib_route r = routes[0];

		r.dst = bench_rnd() & 0xffffff00u;
		r.dst_len = 24;
		if (fib_table_insert(t, &r, NLM_F_CREATE | NLM_F_EXCL) == 0)
			routes[n++] = r;
	}

	for (unsigned i = 0; i < NR_ADDRS; i++)
		addrs[i] = bench_rnd();
	passes = (int)bench_iters(PASSES, 1);

	/* FIB: the next hop (gateway and device), what forwarding needs. */
	hwc_start(&hw[0]);
	t0 = cpu_now();
	for (int p = 0; p < passes; p++)
		nhsum += pass_nh(t, addrs, NR_ADDRS);
	nh1 = (cpu_now() - t0) / ((double)passes * NR_ADDRS);
	hwc_stop(&hw[0]);

	/* The same in batches of 64 (a receive burst). */
	hwc_start(&hw[1]);
	t0 = cpu_now();
	for (int p = 0; p < passes; p++) {
		for (unsigned i = 0; i < NR_ADDRS; i += BATCH) {
			const struct fib_nh *res[BATCH];

			fib_table_lookup_nh_bulk(t, &addrs[i], res, BATCH);
			for (unsigned k = 0; k < BATCH; k++)
				nhbsum += res[k] ? (unsigned)res[k]->oif + res[k]->gateway : 0;
		}
	}
	nhb = (cpu_now() - t0) / ((double)passes * NR_ADDRS);
	hwc_stop(&hw[1]);

	/* FIB: the caller reads the chosen route (its oif). */
	hwc_start(&hw[2]);
	t0 = cpu_now();
	for (int p = 0; p < passes; p++)
		sum += pass_route(t, addrs, NR_ADDRS);
	lk = (cpu_now() - t0) / ((double)passes * NR_ADDRS);
	hwc_stop(&hw[2]);

	/* FIB, bulk API in batches of 64 (a receive burst), routes read. */
	t0 = cpu_now();
	for (int p = 0; p < passes; p++) {
		for (unsigned i = 0; i < NR_ADDRS; i += BATCH) {
			const struct fib_route *res[BATCH];

			fib_table_lookup_bulk(t, &addrs[i], res, BATCH);
			for (unsigned k = 0; k < BATCH; k++)
				bsum += res[k] ? (unsigned)res[k]->oif : 0;
		}
	}
	lk_bulk = (cpu_now() - t0) / ((double)passes * NR_ADDRS);

	/* FIB: lookup only, the route not touched. */
	t0 = cpu_now();
	for (int p = 0; p < passes; p++)
		for (unsigned i = 0; i < NR_ADDRS; i++)
			sum_ptr += (uintptr_t)fib_table_lookup(t, addrs[i]);
	lk_ptr = (cpu_now() - t0) / ((double)passes * NR_ADDRS);

	for (unsigned i = 0; i < NR_ADDRS; i++)
		miss += !fib_table_lookup(t, addrs[i]);

	/* Naive: a few lookups, cross-checked against the FIB. */
	t0 = cpu_now();
	for (unsigned i = 0; i < NAIVE_LOOKUPS; i++) {
		const struct fib_route *r = naive_lookup(routes, n, addrs[i]);
		const struct fib_route *f = fib_table_lookup(t, addrs[i]);

		nsum += r ? (unsigned)r->oif : 0;
		if ((r == NULL) != (f == NULL) ||
		    (r && (r->dst != f->dst || r->dst_len != f->dst_len))) {
			fprintf(stderr, "mismatch at %08x\n", addrs[i]);
			return 1;
		}
	}
	naive = (cpu_now() - t0) / NAIVE_LOOKUPS;

	printf("fib_lookup_nh_1M_routes: %.1f M lookups/s (the next hop forwarding needs: gateway, "
	       "device, mtu, type; %u distinct next hops)\n", 1e-6 / nh1, NR_PEERS);
	printf("  %s\n", hwc_fmt(&hw[0], (double)passes * NR_ADDRS, hb[0], sizeof(hb[0])));
	printf("fib_lookup_nh_bulk_1M_routes: %.1f M lookups/s (the same in batches of %u, prefetching)\n",
	       1e-6 / nhb, BATCH);
	printf("  %s\n", hwc_fmt(&hw[1], (double)passes * NR_ADDRS, hb[1], sizeof(hb[1])));
	printf("fib_lookup_1M_routes: %.1f M lookups/s (reading the route; naive linear: %.4f M/s, ratio %.0fx)\n",
	       1e-6 / lk, 1e-6 / naive, naive / lk);
	printf("  %s\n", hwc_fmt(&hw[2], (double)passes * NR_ADDRS, hb[2], sizeof(hb[2])));
	printf("fib_lookup_bulk_1M_routes: %.1f M lookups/s (batches of %u, prefetching; "
	       "naive linear: %.4f M/s, ratio %.0fx)\n",
	       1e-6 / lk_bulk, BATCH, 1e-6 / naive, naive / lk_bulk);
	printf("  lookup without reading the route: %.1f M lookups/s; %.1f%% of random addresses "
	       "match no route\n", 1e-6 / lk_ptr, 100.0 * miss / NR_ADDRS);
	printf("  naive figure extrapolated from %u lookups over %u routes (%.2f ms each)\n",
	       NAIVE_LOOKUPS, n, naive * 1e3);
	printf("fib_insert_1M_routes: %.2f s, %.0f ns/insert (%u duplicate prefixes rejected)\n",
	       ins, ins * 1e9 / (NR_ROUTES), dups);
	printf("fib_memory: %.1f MB for %u routes (%.0f B/route, %u lines); "
	       "empty table: %.0f KB (virtual, zero-filled)\n",
	       (double)fib_table_mem(t) / (1 << 20), fib_table_count(t),
	       (double)fib_table_mem(t) / fib_table_count(t), t->lines_live,
	       (double)fib_table_mem(empty) / 1024);

	/* Delete a tenth of the routes. */
	t0 = cpu_now();
	for (unsigned i = 0; i < NR_ROUTES / 10; i++) {
		struct fib_route m = { .dst = routes[i].dst, .dst_len = routes[i].dst_len };

		if (fib_table_delete(t, &m)) {
			fprintf(stderr, "delete failed\n");
			return 1;
		}
	}
	del = cpu_now() - t0;
	printf("fib_delete_100k_routes: %.0f ns/delete\n", del * 1e9 / (NR_ROUTES / 10));
	if (nhsum != nhbsum) {
		fprintf(stderr, "bulk next-hop lookup disagrees with single lookup\n");
		return 1;
	}
	if (bsum != sum) {
		fprintf(stderr, "bulk lookup disagrees with single lookup\n");
		return 1;
	}
	printf("(checksums %llu %llu %llu)\n", (unsigned long long)sum,
	       (unsigned long long)(sum_ptr & 0xffff), (unsigned long long)nsum);

	fib_table_free(t);
	fib_table_free(empty);
	free(routes);
	free(addrs);
	return 0;
}
