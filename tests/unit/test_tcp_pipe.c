/* test_tcp_pipe.c - two stacks joined by an in-memory pipe (real ARP),
 * driven in shared virtual time: a 10 MiB bulk transfer checked byte for
 * byte (FNV-1a over the stream), clean and through netem loss 1% (RFC 5681
 * fast retransmit, RFC 6675 SACK recovery, RFC 8985 RACK-TLP, RFC 6298 RTO
 * all take part), through 5% and 10% loss with reordering, and 100
 * parallel connections through one listener. */
#include "tcp_testutil.h"
#include "nstack/cmd.h"
#include "sched/sch_generic.h"

#define A_IP IP4(10, 9, 0, 1)
#define B_IP IP4(10, 9, 0, 2)

struct net2 {
	struct test_stack *a, *b;
	struct net_device *da, *db;
};

static void net2_init(struct net2 *n)
{
	n->a = test_stack_new("A", 11);
	n->b = test_stack_new("B", 12);
	assert_int_equal(ns_pipe_create(n->a->stack, "eth0", n->b->stack, "eth0", 0, &n->da, &n->db), 0);
	assert_int_equal(dev_open(n->da), 0);
	assert_int_equal(dev_open(n->db), 0);
	assert_int_equal(inet_addr_add(n->da, A_IP, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->db, B_IP, 24, NULL), 0);
}

enum { PLAIN, REORDER, DELAY };

/* netem on dev: "loss <pct> [delay 2ms [reorder 5% 50%]]", seeded */
static void netem_loss(struct net_device *dev, const char *pct, int mode)
{
	char err[128];
	char *argv[] = { "loss", (char *)pct, "seed", "42", "delay", "2ms", "reorder", "5%", "50%" };
	int argc = mode == REORDER ? 9 : mode == DELAY ? 6 : 4;
	struct Qdisc *q = qdisc_create(dev, qdisc_lookup_ops("netem"), argc, argv, err, sizeof(err));

	assert_non_null(q);
	qdisc_graft_root(dev, q);
}

/* One round: run both loops; when both are idle, move time to the next timer. */
static void step(struct net2 *n, bool progressed)
{
	int w = ns_stack_step(n->a->stack) + ns_stack_step(n->b->stack);

	if (!w && !progressed && !ns_stack_busy(n->a->stack) && !ns_stack_busy(n->b->stack)) {
		uint64_t ta = ns_stack_next_timer(n->a->stack), tb = ns_stack_next_timer(n->b->stack);
		uint64_t t = NS_MIN(ta, tb);

		if (t == UINT64_MAX)
			t = n->a->clock.now + MS;
		if (t <= n->a->clock.now)
			t = n->a->clock.now + 1000;
		n->a->clock.now = n->b->clock.now = t;
	}
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static int listen_b(struct net2 *n, uint16_t port, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = ns_socket(n->b->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(ns_bind(n->b->stack, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ns_listen(n->b->stack, fd, backlog), 0);
	return fd;
}

static int connect_a(struct net2 *n, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(B_IP) };
	int fd = ns_socket(n->a->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(ns_connect(n->a->stack, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	return fd;
}

/* Is a socket other than TIME-WAIT (st 06) in /proc/net/tcp? */
static bool closing(struct ns_stack *s)
{
	char *t = ns_proc_read(s, "/proc/net/tcp", NULL), *line = strchr(t, '\n');
	bool busy = false;

	while (line && line[1]) {
		char st[4] = { 0 };

		if (sscanf(line + 1, "%*s %*s %*s %2s", st) == 1 && strcmp(st, "06"))
			busy = true;
		line = strchr(line + 1, '\n');
	}
	free(t);
	return busy;
}

/* SO_RCVBUF for B's listener (0: auto-tuned); buffers seen at the end */
static int g_rcvbuf_set, g_rcvbuf_end, g_sndbuf_end;

static void bulk(const char *loss, int mode, size_t total, uint64_t *vtime,
		 unsigned int *retrans)
{
	struct net2 n;
	static uint8_t buf[65536], sbuf[65536];
	size_t filled = (size_t)-1;
	uint64_t hs = 0xcbf29ce484222325ULL, hr = hs, t0;
	size_t sent = 0, rcvd = 0;
	int lfd, cfd, sfd = -1;
	long rounds = 0;

	net2_init(&n);
	if (loss) {
		netem_loss(n.da, loss, mode);
		netem_loss(n.db, loss, mode);
	}
	lfd = listen_b(&n, 5001, 8);
	if (g_rcvbuf_set)
		assert_int_equal(ns_setsockopt(n.b->stack, lfd, SOL_SOCKET, SO_RCVBUF, &g_rcvbuf_set,
					       sizeof(int)), 0);
	cfd = connect_a(&n, 5001);
	t0 = n.a->clock.now;
	while (rcvd < total) {
		bool prog = false;
		ssize_t k;

		assert_true(++rounds < 20000000);
		if (sfd < 0 && (sfd = ns_accept4(n.b->stack, lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
			prog = true;
		if (sent < total) {
			size_t m = NS_MIN(sizeof(buf), total - sent);

			if (filled != sent) {
				for (size_t i = 0; i < m; i++)
					sbuf[i] = (uint8_t)((sent + i) * 7 + ((sent + i) >> 13));
				filled = sent;
			}
			k = ns_send(n.a->stack, cfd, sbuf, m, 0);
			if (k > 0) {
				hs = fnv(hs, sbuf, (size_t)k);
				sent += (size_t)k;
				prog = true;
			}
		}
		if (sfd >= 0) {
			k = ns_recv(n.b->stack, sfd, buf, sizeof(buf), 0);
			if (k > 0) {
				hr = fnv(hr, buf, (size_t)k);
				rcvd += (size_t)k;
				prog = true;
			}
		}
		step(&n, prog);
	}
	assert_int_equal(rcvd, total);
	assert_true(hs == hr);
	*vtime = n.a->clock.now - t0;
	{
		struct tcp_info ti;
		socklen_t l = sizeof(ti);

		assert_int_equal(ns_getsockopt(n.a->stack, cfd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
		*retrans = ti.tcpi_total_retrans;
		l = sizeof(int);
		assert_int_equal(ns_getsockopt(n.b->stack, sfd, SOL_SOCKET, SO_RCVBUF, &g_rcvbuf_end, &l), 0);
		l = sizeof(int);
		assert_int_equal(ns_getsockopt(n.a->stack, cfd, SOL_SOCKET, SO_SNDBUF, &g_sndbuf_end, &l), 0);
		assert_int_equal(ti.tcpi_bytes_acked + 0 <= total, true);
	}
	/* orderly close on both sides (the TIME-WAIT socket left on A is
	 * freed with the stack) */
	ns_close(n.a->stack, cfd);
	ns_close(n.b->stack, sfd);
	ns_close(n.b->stack, lfd);
	/* the closing handshake under loss may need FIN retransmissions
	 * with backoff: wait until only TIME-WAIT is left (bounded) */
	t0 = n.a->clock.now;
	while (n.a->clock.now - t0 < 2 * SEC ||
	       ((closing(n.a->stack) || closing(n.b->stack)) && n.a->clock.now - t0 < 300 * SEC))
		step(&n, false);
	assert_false(closing(n.a->stack) || closing(n.b->stack));
	assert_int_equal(tcpstat(n.a->stack, "CurrEstab"), 0);
	assert_int_equal(tcpstat(n.b->stack, "CurrEstab"), 0);
	{
		char *t = ns_proc_read(n.a->stack, "/proc/net/tcp", NULL);

		assert_non_null(strstr(t, " 06 "));	/* A closed first: TIME-WAIT */
		free(t);
	}
	test_stack_free(n.a);
	test_stack_free(n.b);
}

static void test_bulk_clean(void **state)
{
	uint64_t t;
	unsigned int r;

	(void)state;
	bulk(NULL, PLAIN, 10u << 20, &t, &r);
	assert_int_equal(r, 0);
	print_message("10 MiB clean: %.3f s virtual, %u retransmissions\n", (double)t / SEC, r);
}

static void test_bulk_loss(void **state)
{
	uint64_t t;
	unsigned int r;

	(void)state;
	bulk("1%", PLAIN, 10u << 20, &t, &r);
	assert_true(r > 0);
	print_message("10 MiB, netem loss 1%%: %.3f s virtual, %u retransmissions\n", (double)t / SEC, r);
}

/* Heavy loss with reordering (2 ms one-way delay, 5% of packets jump the
 * queue): SACK recovery (RFC 6675) and RACK (RFC 8985) carry it. */
static void heavy(const char *loss, uint64_t bound)
{
	uint64_t t;
	unsigned int r;

	bulk(loss, REORDER, 2u << 20, &t, &r);
	assert_true(r > 0);
	/* NewReno alone needed 2.03 s (5%) and 99.8 s (10%, RTO backoff) */
	assert_true(t < bound);
	print_message("2 MiB, netem loss %s delay 2ms reorder 5%%: %.3f s virtual, %u retransmissions\n",
		      loss, (double)t / SEC, r);
}

static void test_bulk_loss5_reorder(void **state)
{
	(void)state;
	heavy("5%", 1500 * MS);
}

static void test_bulk_loss10_reorder(void **state)
{
	(void)state;
	heavy("10%", 5 * SEC);
}

/* Linux's DRS (tcp_rcv_space_adjust): over a 4 ms RTT the receive buffer
 * grows past tcp_rmem[1] (131072) within tcp_rmem[2], the send buffer past
 * tcp_wmem[1] with cwnd (tcp_sndbuf_expand); SO_RCVBUF pins it, and the
 * transfer is slower for it. */
static void test_buffer_autotuning(void **state)
{
	uint64_t t_auto, t_fixed;
	unsigned int r;

	(void)state;
	g_rcvbuf_set = 0;
	bulk("0%", DELAY, 8u << 20, &t_auto, &r);
	print_message("8 MiB, 4 ms RTT, auto-tuned: %.3f s virtual, rcvbuf %d sndbuf %d\n",
		      (double)t_auto / SEC, g_rcvbuf_end, g_sndbuf_end);
	assert_true(g_rcvbuf_end > 131072 && g_rcvbuf_end <= 6291456);
	assert_true(g_sndbuf_end > 16384 && g_sndbuf_end <= 4194304);
	g_rcvbuf_set = 32768;
	bulk("0%", DELAY, 8u << 20, &t_fixed, &r);
	g_rcvbuf_set = 0;
	print_message("8 MiB, 4 ms RTT, SO_RCVBUF 32768: %.3f s virtual, rcvbuf %d\n",
		      (double)t_fixed / SEC, g_rcvbuf_end);
	assert_int_equal(g_rcvbuf_end, 65536);	/* doubled, never tuned */
	assert_true(t_fixed > t_auto);
}

/* RFC 9293 3.10.7.2: 100 connections through one listener's SYN and
 * accept queues, each echoing its own bytes. */
static void test_parallel(void **state)
{
	struct net2 n;
	int lfd, c[100], s[100];
	int accepted = 0, done = 0;
	char msg[16], got[16];

	(void)state;
	net2_init(&n);
	lfd = listen_b(&n, 7, 128);
	for (int i = 0; i < 100; i++) {
		c[i] = connect_a(&n, 7);
		s[i] = -1;
	}
	for (long r = 0; accepted < 100 && r < 100000; r++) {
		int fd = ns_accept4(n.b->stack, lfd, NULL, NULL, SOCK_NONBLOCK);

		if (fd >= 0)
			s[accepted++] = fd;
		step(&n, fd >= 0);
	}
	assert_int_equal(accepted, 100);
	assert_int_equal(tcpstat(n.b->stack, "PassiveOpens"), 100);
	assert_int_equal(tcpstat(n.a->stack, "ActiveOpens"), 100);
	for (int i = 0; i < 100; i++) {
		snprintf(msg, sizeof(msg), "conn %03d", i);
		assert_int_equal(ns_send(n.a->stack, c[i], msg, 8, 0), 8);
	}
	for (long r = 0; done < 100 && r < 100000; r++) {
		bool prog = false;

		for (int i = 0; i < 100; i++) {
			if (s[i] < 0)
				continue;
			if (ns_recv(n.b->stack, s[i], got, 8, 0) == 8) {
				assert_int_equal(ns_send(n.b->stack, s[i], got, 8, 0), 8);
				prog = true;
			}
		}
		for (int i = 0; i < 100; i++) {
			if (c[i] >= 0 && ns_recv(n.a->stack, c[i], got, 8, 0) == 8) {
				snprintf(msg, sizeof(msg), "conn %03d", i);
				assert_memory_equal(got, msg, 8);
				ns_close(n.a->stack, c[i]);
				c[i] = -1;
				done++;
				prog = true;
			}
		}
		step(&n, prog);
	}
	assert_int_equal(done, 100);
	for (int i = 0; i < 100; i++)
		ns_close(n.b->stack, s[i]);
	ns_close(n.b->stack, lfd);
	{
		uint64_t t0 = n.a->clock.now;

		while (n.a->clock.now - t0 < 2 * SEC)
			step(&n, false);
	}
	assert_int_equal(tcpstat(n.a->stack, "CurrEstab"), 0);
	test_stack_free(n.a);
	test_stack_free(n.b);
}

/* Linux's TCP small queues: with the receiver stalled (its pipe ring full,
 * so A's device queue stops), a sender with a large cwnd keeps no more
 * than tcp_limit_output_bytes of clones in its qdisc, drops none there and
 * goes on where it stopped once the receiver runs again; or (teardown) the
 * stacks are freed while A's qdisc still holds TCP clones, each releasing
 * its socket on the way (ASan checks). */
static void small_queues(bool teardown)
{
	static uint8_t buf[65536];
	struct net2 n;
	struct ns_out out;
	struct Qdisc *q;
	int lfd, cfd, sfd = -1;
	size_t rcvd = 0, sent = 0;
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	/* a pipe ring of 32 frames, so that cwnd outgrows it */
	n.a = test_stack_new("A", 11);
	n.b = test_stack_new("B", 12);
	assert_int_equal(ns_pipe_create(n.a->stack, "eth0", n.b->stack, "eth0", 32, &n.da, &n.db), 0);
	assert_int_equal(dev_open(n.da), 0);
	assert_int_equal(dev_open(n.db), 0);
	assert_int_equal(inet_addr_add(n.da, A_IP, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n.db, B_IP, 24, NULL), 0);
	ns_out_init(&out);
	assert_int_equal(ns_exec(n.a->stack, "sysctl -w net.ipv4.tcp_limit_output_bytes=65536", &out), 0);
	/* and a receive window that is no limit */
	assert_int_equal(ns_exec(n.b->stack, "sysctl -w net.core.rmem_max=8388608", &out), 0);
	ns_out_free(&out);
	lfd = listen_b(&n, 5002, 8);
	assert_int_equal(ns_setsockopt(n.b->stack, lfd, SOL_SOCKET, SO_RCVBUF, &(int){ 4 << 20 },
				       sizeof(int)), 0);
	cfd = connect_a(&n, 5002);
	/* grow cwnd: 16 MiB with both stacks running */
	for (long r = 0; rcvd < (16u << 20) && r < 2000000; r++) {
		ssize_t k;

		if (sfd < 0)
			sfd = ns_accept4(n.b->stack, lfd, NULL, NULL, SOCK_NONBLOCK);
		k = ns_send(n.a->stack, cfd, buf, sizeof(buf), 0);
		sent += k > 0 ? (size_t)k : 0;
		while (sfd >= 0 && (k = ns_recv(n.b->stack, sfd, buf, sizeof(buf), 0)) > 0)
			rcvd += (size_t)k;
		step(&n, true);
	}
	/* drain: everything acknowledged, the whole cwnd free */
	for (long r = 0; rcvd < sent && r < 2000000; r++) {
		ssize_t k;

		while ((k = ns_recv(n.b->stack, sfd, buf, sizeof(buf), 0)) > 0)
			rcvd += (size_t)k;
		step(&n, true);
	}
	for (int r = 0; r < 100; r++)
		step(&n, true);
	assert_int_equal(ns_getsockopt(n.a->stack, cfd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
	assert_true(ti.tcpi_snd_cwnd > 100);
	assert_int_equal(ti.tcpi_unacked, 0);
	/* B stops: A sends into its stopped device */
	for (int r = 0; r < 200; r++) {
		ssize_t k = ns_send(n.a->stack, cfd, buf, sizeof(buf), 0);

		sent += k > 0 ? (size_t)k : 0;
		ns_stack_step(n.a->stack);
	}
	q = n.da->qdisc;
	assert_int_equal(ns_getsockopt(n.a->stack, cfd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
	print_message("stalled receiver: cwnd %u unacked %u rtt %u, qdisc %u packets %u bytes, %u drops\n",
		      ti.tcpi_snd_cwnd, ti.tcpi_unacked, ti.tcpi_rtt, q->qstats.qlen, q->qstats.backlog, q->qstats.drops);
	assert_true(q->qstats.qlen > 0);
	assert_true(q->qstats.backlog <= 65536 + 2 * 1514);
	assert_int_equal(q->qstats.drops, 0);
	if (teardown) {
		/* A's connection is still open in FIN-WAIT-1: its queues go
		 * with the stack, so no pool check here (ASan checks) */
		ns_close(n.a->stack, cfd);
		ns_stack_destroy(n.a->stack);
		ns_stack_destroy(n.b->stack);
		free(n.a);
		free(n.b);
		return;
	}
	/* B runs again: everything sent arrives */
	for (long r = 0; rcvd < sent && r < 2000000; r++) {
		ssize_t k;

		while ((k = ns_recv(n.b->stack, sfd, buf, sizeof(buf), 0)) > 0)
			rcvd += (size_t)k;
		step(&n, true);
	}
	assert_int_equal(rcvd, sent);
	assert_int_equal(q->qstats.drops, 0);
	ns_close(n.a->stack, cfd);
	ns_close(n.b->stack, sfd);
	ns_close(n.b->stack, lfd);
	for (int r = 0; r < 2000; r++)
		step(&n, false);
	test_stack_free(n.a);
	test_stack_free(n.b);
}

static void test_small_queues(void **state)
{
	(void)state;
	small_queues(false);
}

static void test_small_queues_teardown(void **state)
{
	(void)state;
	small_queues(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_queues),
		cmocka_unit_test(test_small_queues_teardown),
		cmocka_unit_test(test_bulk_clean),
		cmocka_unit_test(test_bulk_loss),
		cmocka_unit_test(test_bulk_loss5_reorder),
		cmocka_unit_test(test_bulk_loss10_reorder),
		cmocka_unit_test(test_buffer_autotuning),
		cmocka_unit_test(test_parallel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
