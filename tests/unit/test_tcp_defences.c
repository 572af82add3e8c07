/* test_tcp_defences.c - SYN cookies under a SYN flood (RFC 4987 3.6, Linux's
 * encoding), RFC 6528 ISNs, the receive side's memory bounds (out-of-order
 * queue within the receive buffer, tcp_mem pruning, unread data) and zero
 * windows that never open (RFC 9293 3.8.6.1). RFC 5961 challenge ACKs are
 * in test_tcp_sack.c, RFC 5927 ICMP checks in test_tcp_xmit.c. */
#include "tcp_testutil.h"

#define LPORT 80
#define PISN 9000000U

static int listen_backlog(struct tfx *f, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(LPORT),
				 .sin_addr.s_addr = htonl(US) };
	int fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_int_equal(ns_bind(f->s, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ns_listen(f->s, fd, backlog), 0);
	return fd;
}

static struct seg syn_from(struct tfx *f, uint16_t pport, const struct tcp_options *o)
{
	struct seg s;

	tx_seg(f, pport, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, o, NULL, 0);
	assert_true(rx_seg(f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.th.ack_seq, PISN + 1);
	return s;
}

/* RFC 4987 3.6: with the SYN queue full a SYN gets a cookie SYN-ACK and
 * leaves no state; the client's ACK completes the handshake with the MSS
 * (msstab), window scale and SACK-permitted the cookie and the TSval's low
 * bits carried; a forged ACK fails, is counted and gets a RST. */
static void test_syncookies_flood(void **state)
{
	struct tfx f;
	struct seg s;
	struct tcp_options o = { .mss_ok = true, .mss = 1400, .ts_ok = true, .tsval = 100,
				 .ws_ok = true, .ws = 5, .sack_ok = true };
	struct tcp_options a = { .ts_ok = true, .tsval = 101 };
	struct tcp_info ti;
	int lfd, fd;
	uint32_t isn;

	(void)state;
	tfx_init(&f);
	lfd = listen_backlog(&f, 2);
	syn_from(&f, 5000, &o);
	syn_from(&f, 5001, &o);
	assert_int_equal(tcpext(f.s, "SyncookiesSent"), 0);
	/* the queue is full: cookies from now on */
	s = syn_from(&f, 5002, &o);
	assert_int_equal(tcpext(f.s, "SyncookiesSent"), 1);
	assert_int_equal(s.opt.tsval & 0x3f, 5 | 0x10);	/* WS 5, SACK */
	assert_true(s.opt.sack_ok && s.opt.ws_ok);
	isn = s.th.seq;
	a.tsecr = s.opt.tsval;
	advance(&f, 100 * MS);
	tx_seg(&f, 5002, LPORT, PISN + 1, isn + 1, TCP_FLAG_ACK, 1000, &a, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpext(f.s, "SyncookiesRecv"), 1);
	fd = ns_accept4(f.s, lfd, NULL, NULL, SOCK_NONBLOCK);
	assert_true(fd >= 0);
	ti = tfx_info(&f, fd);
	assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
	assert_int_equal(ti.tcpi_snd_wscale, 5);
	assert_true(ti.tcpi_options & TCPI_OPT_SACK);
	assert_true(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	assert_int_equal(ti.tcpi_snd_mss, 1300 - 12);	/* msstab 1300, minus TS */
	/* the peer's window is scaled by the shift the cookie kept */
	{
		static uint8_t d[3000];

		assert_int_equal(ns_send(f.s, fd, d, sizeof(d), 0), (ssize_t)sizeof(d));
		test_stack_settle(f.ts);
		assert_true(rx_seg(&f, &s));
		assert_true(rx_seg(&f, &s));
		assert_true(rx_seg(&f, &s));	/* 1000 << 5 bytes of window: 3 segments */
	}
	close_abort(&f, fd);
	/* the two queued requests end (RST), their SYN-ACK timers with them */
	tx_seg(&f, 5000, LPORT, PISN + 1, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	tx_seg(&f, 5001, LPORT, PISN + 1, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	while (rx_seg(&f, &s))
		;
	/* a forged ACK: wrong cookie (tcp_syncookies 2: cookies always) */
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_syncookies", "2"), 0);
	s = syn_from(&f, 5003, &o);
	a.tsecr = s.opt.tsval;
	tx_seg(&f, 5003, LPORT, PISN + 1, s.th.seq + 1 + 77777, TCP_FLAG_ACK, 1000, &a, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_RST, s.th.seq + 1 + 77777, 0);
	assert_int_equal(tcpext(f.s, "SyncookiesFailed"), 1);
	assert_int_equal(ns_accept4(f.s, lfd, NULL, NULL, SOCK_NONBLOCK), -1);
	/* an ACK of a random ISN from a port that never sent a SYN */
	tx_seg(&f, 5004, LPORT, PISN + 1, 0xdeadbeef, TCP_FLAG_ACK, 1000, NULL, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_RST, 0xdeadbeef, 0);
	assert_int_equal(tcpext(f.s, "SyncookiesFailed"), 2);
	/* a cookie is good for at most two minute-counter ticks */
	s = syn_from(&f, 5005, &o);
	a.tsecr = s.opt.tsval;
	advance(&f, 121 * SEC);
	tx_seg(&f, 5005, LPORT, PISN + 1, s.th.seq + 1, TCP_FLAG_ACK, 1000, &a, NULL, 0);
	assert_true(rx_seg(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_RST);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* Without timestamps a cookie keeps the MSS only: no window scale, no
 * SACK (Linux's behaviour). */
static void test_syncookies_no_timestamps(void **state)
{
	struct tfx f;
	struct seg s;
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ws_ok = true, .ws = 5,
				 .sack_ok = true };
	struct tcp_info ti;
	int lfd, fd;

	(void)state;
	tfx_init(&f);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_syncookies", "2"), 0);
	lfd = listen_backlog(&f, 8);
	s = syn_from(&f, 6000, &o);
	assert_false(s.opt.ws_ok);
	assert_false(s.opt.sack_ok);
	assert_int_equal(tcpext(f.s, "SyncookiesSent"), 1);
	tx_seg(&f, 6000, LPORT, PISN + 1, s.th.seq + 1, TCP_FLAG_ACK, 65535, NULL, NULL, 0);
	fd = ns_accept4(f.s, lfd, NULL, NULL, SOCK_NONBLOCK);
	assert_true(fd >= 0);
	ti = tfx_info(&f, fd);
	assert_int_equal(ti.tcpi_snd_mss, 1460);
	assert_false(ti.tcpi_options & (TCPI_OPT_SACK | TCPI_OPT_WSCALE | TCPI_OPT_TIMESTAMPS));
	close_abort(&f, fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 6528 3: ISN = M + F(4-tuple, key). Different 4-tuples at the same
 * instant differ by the keyed hash, not by a clock step; the same 4-tuple
 * later differs by exactly the 4 us timer. */
static void test_isn_unpredictable(void **state)
{
	struct tfx f;
	struct seg s;
	uint32_t isn[4];
	int fd[4];

	(void)state;
	tfx_init(&f);
	for (int i = 0; i < 4; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9000),
					 .sin_addr.s_addr = htonl(PEER) };
		struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(40000 + (i & 1)),
					 .sin_addr.s_addr = htonl(US) };
		int one = 1;

		fd[i] = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ns_setsockopt(f.s, fd[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		assert_int_equal(ns_bind(f.s, fd[i], (struct sockaddr *)&b, sizeof(b)), 0);
		ns_connect(f.s, fd[i], (struct sockaddr *)&a, sizeof(a));
		test_stack_settle(f.ts);
		assert_true(rx_seg(&f, &s));
		isn[i] = s.th.seq;
		close_abort(&f, fd[i]);
		while (rx_seg(&f, &s))
			;
		if (i == 1)
			advance(&f, SEC);
	}
	/* ports 40000 and 40001 at the same time: far apart */
	assert_true(isn[1] - isn[0] > 1000000 && isn[0] - isn[1] > 1000000);
	/* the same tuples one second (and a few test ticks) later: + 250000 */
	assert_true(isn[2] - isn[0] >= 250000 && isn[2] - isn[0] < 252000);
	assert_true(isn[3] - isn[1] >= 250000 && isn[3] - isn[1] < 252000);
	test_stack_free(f.ts);
}

static struct tcp_sock *newest_tcp_sock(struct ns_stack *s)
{
	return container_of(s->tcp->all.prev, struct tcp_sock, all_node);
}

/* The out-of-order queue never outgrows the receive buffer: a flood of
 * segments past a hole is dropped once SO_RCVBUF (4096, doubled) is used
 * up, counted in TCPOFODrop. */
static void test_ofo_bounded_by_rcvbuf(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_sock *tp;
	static uint8_t d[1000];
	int lfd, small = 4096;
	uint32_t r0;

	(void)state;
	tfx_init(&f);
	lfd = listen_backlog(&f, 8);
	assert_int_equal(ns_setsockopt(f.s, lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	c = tfx_passive(&f, lfd, LPORT, 7000, PISN, 512);
	tp = newest_tcp_sock(f.s);
	r0 = c.rcv;
	for (int k = 1; k <= 40; k++) {
		c.rcv = r0 + (uint32_t)k * 200;	/* 100 bytes, then a hole */
		peer_tx(&f, &c, TCP_FLAG_ACK, 512, d, 100);
		assert_true(tp->inet.sk.sk_rmem_alloc <= tp->inet.sk.sk_rcvbuf);
		while (rx_seg(&f, &s))
			;
	}
	assert_true(tcpext(f.s, "TCPOFODrop") > 0);
	assert_true(tp->ooo_queue.qlen < 40);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* tcp_mem pressure (Linux's tcp_prune_ofo_queue): over tcp_mem[2] pages
 * out-of-order data is pruned from the highest sequence down for data
 * below it, the hole's filler is still taken. */
static void test_ofo_pruned_under_pressure(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_sock *tp;
	static uint8_t d[1000], got[4000];
	int lfd;
	uint32_t r0;

	(void)state;
	tfx_init(&f);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_mem", "1 2 3"), 0);
	lfd = listen_backlog(&f, 8);
	c = tfx_passive(&f, lfd, LPORT, 7001, PISN, 512);
	tp = newest_tcp_sock(f.s);
	r0 = c.rcv;
	for (int k = 8; k >= 1; k--) {
		/* lower and lower: each one is worth more than the queue's tail */
		advance(&f, MS);	/* the page count is summed once per ms */
		c.rcv = r0 + (uint32_t)k * 1000;
		peer_tx(&f, &c, TCP_FLAG_ACK, 512, d, sizeof(d));
		while (rx_seg(&f, &s))
			;
	}
	assert_true(tcpext(f.s, "PruneCalled") > 0);
	assert_true(tcpext(f.s, "OfoPruned") > 0);
	assert_true(tcpext(f.s, "TCPMemoryPressures") >= 1);
	assert_true(tp->ooo_queue.qlen < 8);
	/* the lowest out-of-order data survived: the hole's filler joins it */
	advance(&f, MS);
	c.rcv = r0;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, d, sizeof(d));
	assert_true(ns_recv(f.s, c.fd, got, sizeof(got), 0) >= 2000);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* The per-stack tcp_mem total is kept at charge/uncharge time: it always
 * equals the sum over the TCP sockets, and is back to 0 once they are gone. */
static long tcp_mem_walk(struct ns_stack *s)
{
	struct netns_tcp *tn = s->tcp;
	struct tcp_sock *tp;
	long bytes = 0;

	list_for_each_entry(tp, &tn->all, all_node)
		bytes += tp_sk(tp)->sk_rmem_alloc + tp_sk(tp)->sk_wmem_alloc;
	return bytes;
}

static void test_mem_total_tracks_sockets(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t d[1000];
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = listen_backlog(&f, 8);
	c = tfx_passive(&f, lfd, LPORT, 7002, PISN, 512);
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, d, sizeof(d));		/* unread: rmem */
	assert_int_equal(ns_send(f.s, c.fd, d, sizeof(d), 0), (ssize_t)sizeof(d)); /* unacked: wmem */
	while (rx_seg(&f, &s))
		;
	assert_true(f.s->tcp->mem_bytes >= 2 * (long)sizeof(d));
	assert_int_equal(f.s->tcp->mem_bytes, tcp_mem_walk(f.s));
	assert_int_equal(tcp_under_memory_pressure(f.s->tcp, 0), 0);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	advance(&f, MS);
	assert_int_equal(f.s->tcp->mem_bytes, tcp_mem_walk(f.s));
	assert_int_equal(f.s->tcp->mem_bytes, 0);
	test_stack_free(f.ts);
}

/* A peer that advertises a zero window and answers no probe: the
 * connection dies after tcp_retries2 (15) unanswered probes, ETIMEDOUT. */
static void test_zero_window_unanswered_dies(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t d[100];
	int lfd, n = 0;

	(void)state;
	tfx_init(&f);
	lfd = listen_backlog(&f, 8);
	c = tfx_passive(&f, lfd, LPORT, 7002, PISN, 512);
	peer_tx(&f, &c, TCP_FLAG_ACK, 0, NULL, 0);
	assert_int_equal(ns_send(f.s, c.fd, d, sizeof(d), 0), (ssize_t)sizeof(d));
	for (int i = 0; i < 3000 && tcp_state_of(f.s, c.fd) == TCP_ESTABLISHED; i++) {
		advance(&f, SEC);
		while (rx_seg(&f, &s))
			n++;
	}
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSE);
	assert_int_equal(sock_err(&f, c.fd), ETIMEDOUT);
	assert_int_equal(tcpext(f.s, "TCPWinProbe"), 15);
	assert_true(n >= 15);
	ns_close(f.s, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* A peer sends data the application never reads: the receive buffer
 * bounds what we hold, our window goes to zero and the rest is dropped
 * (RFC 9293 3.8.6.2.2). */
static void test_unread_data_bounded(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_sock *tp;
	static uint8_t d[1448];
	int lfd;
	bool zero = false;

	(void)state;
	tfx_init(&f);
	lfd = listen_backlog(&f, 8);
	c = tfx_passive(&f, lfd, LPORT, 7003, PISN, 512);
	tp = newest_tcp_sock(f.s);
	for (int k = 0; k < 400; k++) {
		peer_tx(&f, &c, TCP_FLAG_ACK, 512, d, sizeof(d));
		c.rcv += sizeof(d);
		while (rx_seg(&f, &s))
			if (s.th.window == 0)
				zero = true;
		assert_true(tp->inet.sk.sk_rmem_alloc <= tp->inet.sk.sk_rcvbuf + 4096);
	}
	assert_true(zero);
	assert_true(tp->inet.sk.sk_rcvbuf <= 6291456);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syncookies_flood),
		cmocka_unit_test(test_syncookies_no_timestamps),
		cmocka_unit_test(test_isn_unpredictable),
		cmocka_unit_test(test_ofo_bounded_by_rcvbuf),
		cmocka_unit_test(test_ofo_pruned_under_pressure),
		cmocka_unit_test(test_mem_total_tracks_sockets),
		cmocka_unit_test(test_zero_window_unanswered_dies),
		cmocka_unit_test(test_unread_data_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
