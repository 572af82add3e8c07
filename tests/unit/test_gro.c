/* test_gro.c - generic receive offload (core/gro.c, ipv4/tcp_offload.c)
 * between two stacks on a pipe, in virtual time: a bulk TCP transfer (IPv4
 * and IPv6) is
 * merged on receive (fewer skbs through IP and TCP, fewer ACKs, the same
 * bytes in the same order, segments still counted per segment in
 * TCP_INFO); GRO off (ethtool -K gro off) or IPv4 forwarding on delivers
 * every segment alone; damaged segments are never merged and are counted
 * as checksum errors (RFC 9293 3.1) while the stream still arrives whole. */
#include "tcp_testutil.h"
#include "core/gro.h"
#include "nstack/cmd.h"
#include "nstack/netdev.h"
#include "ethernet/arp.h"
#include "ipv6/ipv6.h"
#include "wire/checksum.h"
#include "sched/sch_generic.h"

#define A_IP IP4(10, 9, 0, 1)
#define B_IP IP4(10, 9, 0, 2)
#define TOTAL (2u << 20)

struct net2 {
	struct test_stack *a, *b;
	struct net_device *da, *db;
};

static void net2_init_af(struct net2 *n, bool v6)
{
	n->a = test_stack_new("A", 21);
	n->b = test_stack_new("B", 22);
	if (v6) {
		test_stack_ipv6(n->a);
		test_stack_ipv6(n->b);
	}
	assert_int_equal(ns_pipe_create(n->a->stack, "eth0", n->b->stack, "eth0", 0, &n->da, &n->db), 0);
	assert_int_equal(dev_open(n->da), 0);
	assert_int_equal(dev_open(n->db), 0);
	assert_int_equal(inet_addr_add(n->da, A_IP, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->db, B_IP, 24, NULL), 0);
}

static void net2_init(struct net2 *n)
{
	net2_init_af(n, false);
}

/* Run both loops; when both are idle, move time to the next timer. */
static void step(struct net2 *n, bool progressed)
{
	int w = ns_stack_step(n->a->stack) + ns_stack_step(n->b->stack);

	if (!w && !progressed && !ns_stack_busy(n->a->stack) && !ns_stack_busy(n->b->stack)) {
		uint64_t t = NS_MIN(ns_stack_next_timer(n->a->stack), ns_stack_next_timer(n->b->stack));

		if (t == UINT64_MAX || t <= n->a->clock.now)
			t = n->a->clock.now + MS;
		n->a->clock.now = n->b->clock.now = t;
	}
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

struct result {
	long long b_insegs, a_insegs, b_csum_errors;
	uint32_t b_segs_in;	/* TCP_INFO of B's socket */
};

static const uint8_t B6[16] = { 0xfd, [15] = 2 };

/* TOTAL bytes A -> B over IPv4, or IPv6 (v6), checked byte for byte; B's
 * and A's counters after. */
static void transfer_af(struct net2 *n, struct result *r, bool v6)
{
	static uint8_t sbuf[65536], rbuf[65536];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5001) };
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(5001),
				 .sin_addr.s_addr = htonl(B_IP) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(5001) };
	struct sockaddr_in6 b6 = { .sin6_family = AF_INET6, .sin6_port = htons(5001) };
	int af = v6 ? AF_INET6 : AF_INET;
	socklen_t alen = v6 ? sizeof(a6) : sizeof(a);
	uint64_t hs = 0xcbf29ce484222325ULL, hr = hs;
	size_t sent = 0, rcvd = 0;
	int lfd = ns_socket(n->b->stack, af, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int cfd = ns_socket(n->a->stack, af, SOCK_STREAM | SOCK_NONBLOCK, 0), sfd = -1;
	long rounds = 0;

	memcpy(&b6.sin6_addr, B6, 16);
	assert_int_equal(ns_bind(n->b->stack, lfd, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a,
				 alen), 0);
	assert_int_equal(ns_listen(n->b->stack, lfd, 8), 0);
	assert_int_equal(ns_connect(n->a->stack, cfd, v6 ? (struct sockaddr *)&b6 : (struct sockaddr *)&b,
				    alen), -1);
	while (rcvd < TOTAL) {
		bool prog = false;
		ssize_t k;

		assert_true(++rounds < 5000000);
		if (sfd < 0 && (sfd = ns_accept4(n->b->stack, lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
			prog = true;
		if (sent < TOTAL) {
			size_t m = NS_MIN(sizeof(sbuf), TOTAL - sent);

			for (size_t i = 0; i < m; i++)
				sbuf[i] = (uint8_t)((sent + i) * 13 + ((sent + i) >> 11));
			k = ns_send(n->a->stack, cfd, sbuf, m, 0);
			if (k > 0) {
				hs = fnv(hs, sbuf, (size_t)k);
				sent += (size_t)k;
				prog = true;
			}
		}
		if (sfd >= 0 && (k = ns_recv(n->b->stack, sfd, rbuf, sizeof(rbuf), 0)) > 0) {
			hr = fnv(hr, rbuf, (size_t)k);
			rcvd += (size_t)k;
			prog = true;
		}
		step(n, prog);
	}
	assert_int_equal(rcvd, TOTAL);
	assert_true(hs == hr);
	{
		struct tcp_info ti;
		socklen_t l = sizeof(ti);

		assert_int_equal(ns_getsockopt(n->b->stack, sfd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
		r->b_segs_in = ti.tcpi_segs_in;
	}
	r->b_insegs = tcpstat(n->b->stack, "InSegs");
	r->a_insegs = tcpstat(n->a->stack, "InSegs");
	r->b_csum_errors = tcpstat(n->b->stack, "InCsumErrors");
	ns_close(n->a->stack, cfd);
	ns_close(n->b->stack, sfd);
	ns_close(n->b->stack, lfd);
	for (int i = 0; i < 2000; i++)
		step(n, false);
	test_stack_free(n->a);
	test_stack_free(n->b);
}

static void transfer(struct net2 *n, struct result *r)
{
	transfer_af(n, r, false);
}

/* TOTAL / 1448-byte segments, at least */
#define DATA_SEGS (TOTAL / 1448)

static void test_gro_merges_bulk(void **state)
{
	struct net2 n;
	struct result r;

	(void)state;
	net2_init(&n);
	assert_true(n.db->features & NETIF_F_GRO);	/* on by default, as Linux */
	transfer(&n, &r);
	print_message("GRO on: B InSegs %lld, segs_in %u; A InSegs (ACKs) %lld\n", r.b_insegs,
		      r.b_segs_in, r.a_insegs);
	/* B's IP and TCP ran once per batch, its socket saw every segment */
	assert_true(r.b_insegs < DATA_SEGS / 3);
	assert_true(r.b_segs_in >= DATA_SEGS);
	/* one ACK per batch, not one per two segments (RFC 5681 4.2 is a
	 * "should", and Linux's GRO makes the same trade) */
	assert_true(r.a_insegs < DATA_SEGS / 6);
	assert_int_equal(r.b_csum_errors, 0);
}

/* The same over IPv6 (Linux's ipv6_gro_receive, tcp6_gro_receive). */
static void test_gro_merges_bulk_ipv6(void **state)
{
	static const uint8_t a6[16] = { 0xfd, [15] = 1 };
	struct net2 n;
	struct result r;

	(void)state;
	net2_init_af(&n, true);
	assert_int_equal(ipv6_addr_add(n.da, a6, 64, IFA_F_NODAD), 0);
	assert_int_equal(ipv6_addr_add(n.db, B6, 64, IFA_F_NODAD), 0);
	transfer_af(&n, &r, true);
	print_message("IPv6 GRO on: B InSegs %lld, segs_in %u; A InSegs (ACKs) %lld\n", r.b_insegs,
		      r.b_segs_in, r.a_insegs);
	assert_true(r.b_insegs < (TOTAL / 1428) / 3);
	assert_true(r.b_segs_in >= TOTAL / 1428);
	assert_true(r.a_insegs < (TOTAL / 1428) / 6);
}

/* A fresh pair where B first runs the command line, then the transfer. */
static void transfer_after(const char *b_line, struct result *r)
{
	struct net2 n;
	struct ns_out out;

	net2_init(&n);
	ns_out_init(&out);
	assert_int_equal(ns_exec(n.b->stack, b_line, &out), 0);
	ns_out_free(&out);
	transfer(&n, r);
}

static void test_gro_off(void **state)
{
	struct result r;

	(void)state;
	transfer_after("ethtool -K eth0 gro off", &r);
	assert_true(r.b_insegs >= DATA_SEGS);
	assert_true(r.a_insegs >= DATA_SEGS / 3);
}

/* A stack that forwards never merges: it has no GSO to cut a merged
 * packet up again (Linux's dev_disable_lro). */
static void test_gro_off_when_forwarding(void **state)
{
	struct result r;

	(void)state;
	transfer_after("sysctl -w net.ipv4.ip_forward=1", &r);
	assert_true(r.b_insegs >= DATA_SEGS);
}

/* netem corrupts some of A's frames; A leaves checksums to no one (tx
 * offload off), so B's GRO verifies each segment before merging: a damaged
 * one goes alone, TCP counts and drops it, the stream arrives whole. */
static void test_gro_bad_checksum(void **state)
{
	struct net2 n;
	struct result r;
	char err[128];
	char *argv[] = { "corrupt", "2%", "seed", "7" };
	struct Qdisc *q;

	(void)state;
	net2_init(&n);
	q = qdisc_create(n.da, qdisc_lookup_ops("netem"), 4, argv, err, sizeof(err));
	assert_non_null(q);
	qdisc_graft_root(n.da, q);
	transfer(&n, &r);
	print_message("corrupt 2%%: B InSegs %lld, InCsumErrors %lld\n", r.b_insegs, r.b_csum_errors);
	assert_true(r.b_csum_errors > 0);
	assert_true(r.b_insegs < DATA_SEGS / 2);
}

/* One frame A -> B of flow sport:80 (seq, len bytes of payload, flags),
 * built by hand and sent raw out of A's pipe end. */
static size_t build_segment(struct net2 *n, uint8_t *f, uint32_t seq, size_t len, uint8_t flags)
{
	static const uint8_t ts[12] = { 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 3 };
	static uint8_t payload[1448];
	struct tcp_repr r = { .sport = 40000, .dport = 80, .seq = seq, .ack_seq = 1,
			      .flags = flags, .window = 512, .opts = ts, .opts_len = 12,
			      .payload = payload, .payload_len = len };
	uint16_t sum;
	int tl;

	memcpy(f, n->db->dev_addr, 6);
	memcpy(f + 6, n->da->dev_addr, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	tl = tcp_emit_ipv4(&r, f + 34, 2000, A_IP, B_IP);
	assert_true(tl > 0);
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	put_be16(f + 16, (uint16_t)(20 + tl));
	put_be16(f + 20, 0x4000);	/* DF */
	f[22] = 64;
	f[23] = IPPROTO_TCP;
	put_be32(f + 26, A_IP);
	put_be32(f + 30, B_IP);
	sum = ip_fast_csum(f + 14, 20);
	memcpy(f + 24, &sum, 2);
	return 34 + (size_t)tl;
}

static void xmit_raw(struct net2 *n, const uint8_t *f, size_t len)
{
	struct sk_buff *skb = skb_from_bytes(n->a->stack, f, (unsigned int)len, 64);

	assert_non_null(skb);
	skb->dev = n->da;
	dev_queue_xmit(skb);
}

/* Bursts of consecutive full segments (so flows are held and merged) mixed
 * with damaged ones: every length field, the data offset, the IPv4 header
 * length, fragment bits and flags, cut short or overlong. Nothing may
 * crash or leak (test_stack_free checks the pools), and B keeps working. */
static void test_gro_malformed(void **state)
{
	static uint8_t f[2048];
	struct net2 n;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	uint32_t seq = 1000;

	(void)state;
	net2_init(&n);
	assert_int_equal(arp_neigh_add(n.da, B_IP, n.db->dev_addr, NUD_PERMANENT), 0);
	for (int round = 0; round < 3000; round++) {
		for (int k = 0; k < 12; k++) {
			size_t len = build_segment(&n, f, seq, 1448, TCP_FLAG_ACK);

			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			seq += 1448;
			if ((rng >> 60) < 4) {
				/* damage one byte of the headers or cut the frame */
				unsigned int at = 14 + (unsigned int)(rng >> 8) % 40;

				f[at] = (uint8_t)(rng >> 32);
				if ((rng >> 58) & 1)
					len = 14 + (rng >> 16) % (len - 14);
			} else if ((rng >> 60) == 4) {
				len = build_segment(&n, f, seq, (rng >> 20) % 1448, (uint8_t)(rng >> 40));
			}
			xmit_raw(&n, f, len);
		}
		ns_stack_step(n.a->stack);
		ns_stack_step(n.b->stack);
	}
	print_message("B: %lld InSegs, %lld InErrs, %lld InCsumErrors\n", tcpstat(n.b->stack, "InSegs"),
		      tcpstat(n.b->stack, "InErrs"), tcpstat(n.b->stack, "InCsumErrors"));
	assert_true(tcpstat(n.b->stack, "InSegs") > 0);
	/* B still answers a connection */
	{
		struct result r;

		transfer(&n, &r);	/* frees both stacks, pools checked */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gro_merges_bulk),
		cmocka_unit_test(test_gro_merges_bulk_ipv6),
		cmocka_unit_test(test_gro_off),
		cmocka_unit_test(test_gro_off_when_forwarding),
		cmocka_unit_test(test_gro_bad_checksum),
		cmocka_unit_test(test_gro_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
