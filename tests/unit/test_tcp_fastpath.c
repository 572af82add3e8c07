/* test_tcp_fastpath.c - header prediction (Linux's tcp_rcv_established
 * fast path): an RR exchange and a bulk stream in order go through it
 * (TCPHPHits, TCPHPAcks grow); anything unusual - out of order, a window
 * change, URG, an old timestamp, a duplicate ACK - takes the slow path and
 * gets the answer it always got. The test plays the peer. */
#include "tcp_testutil.h"

#define PPORT 41000
#define LPORT 8080
#define PISN 3000000u
#define WIN 512		/* the peer's window, scaled by 7 */

struct hp {
	long long hits, acks, pure;
};

static struct hp hp_read(struct tfx *f)
{
	struct hp h = { tcpext(f->s, "TCPHPHits"), tcpext(f->s, "TCPHPAcks"),
			tcpext(f->s, "TCPPureAcks") };

	return h;
}

/* the peer's data segment at c->rcv with window win; advances c->rcv */
static void peer_data(struct tfx *f, struct conn *c, uint8_t flags, uint16_t win, const char *d)
{
	peer_tx(f, c, flags, win, d, strlen(d));
	c->rcv += (uint32_t)strlen(d);
}

static void expect_recv(struct tfx *f, struct conn *c, const char *d)
{
	char b[64];
	int n = (int)strlen(d);

	assert_int_equal(ns_recv(f->s, c->fd, b, sizeof(b), 0), n);
	assert_memory_equal(b, d, (size_t)n);
}

/* Read what we sent; every segment is a pure ACK; returns the last ACK
 * number (0: none). */
static uint32_t drain_acks(struct tfx *f)
{
	struct seg s;
	uint32_t ack = 0;

	while (rx_seg(f, &s)) {
		assert_int_equal(s.th.flags, TCP_FLAG_ACK);
		assert_int_equal(s.th.payload_len, 0);
		ack = s.th.ack_seq;
	}
	return ack;
}

/* 1-byte request/response: each request (data + ACK of our last reply)
 * is predicted; our reply carries the ACK (delayed ACK, pingpong). */
static void test_rr_fast_path(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct hp h0, h;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, WIN);
	h0 = hp_read(&f);
	assert_true(h0.hits >= 0 && h0.acks >= 0 && h0.pure >= 0);
	for (int i = 0; i < 10; i++) {
		peer_data(&f, &c, TCP_FLAG_ACK | TCP_FLAG_PSH, WIN, "q");
		expect_recv(&f, &c, "q");
		assert_int_equal(ns_send(f.s, c.fd, "r", 1, 0), 1);
		test_stack_settle(f.ts);
		/* a pure ACK may come first (quick-ACK mode), then the reply */
		assert_true(rx_seg(&f, &s));
		if (!s.th.payload_len) {
			assert_int_equal(s.th.ack_seq, c.rcv);
			assert_true(rx_seg(&f, &s));
		}
		assert_int_equal(s.th.flags & ~TCP_FLAG_PSH, TCP_FLAG_ACK);
		assert_int_equal(s.th.seq, c.snd);
		assert_int_equal(s.th.ack_seq, c.rcv);
		assert_int_equal(s.th.payload_len, 1);
		assert_int_equal(s.opt.tsecr, c.tsval - 1);	/* TS.Recent advanced */
		c.snd += 1;
		advance(&f, MS);
	}
	/* the last reply's ACK alone: a predicted new ACK */
	peer_tx(&f, &c, TCP_FLAG_ACK, WIN, NULL, 0);
	assert_false(rx_seg(&f, &s));
	h = hp_read(&f);
	assert_int_equal(h.hits - h0.hits, 10);	/* every request */
	assert_int_equal(h.acks - h0.acks, 10);	/* 9 requests + the last ACK acked a reply */
	assert_int_equal(h.pure, h0.pure);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_unacked, 0);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* A bulk stream in order: predicted, one ACK every second segment
 * (RFC 5681 4.2) as on the slow path. */
static void test_bulk_fast_path(void **state)
{
	static char big[1449];
	struct tfx f;
	struct seg s;
	struct conn c;
	struct hp h0;
	char b[1500];
	int lfd, acks = 0;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, WIN);
	h0 = hp_read(&f);
	for (int i = 0; i < 20; i++) {
		peer_data(&f, &c, TCP_FLAG_ACK, WIN, big);
		while (rx_seg(&f, &s)) {
			assert_int_equal(s.th.flags, TCP_FLAG_ACK);
			assert_int_equal(s.th.ack_seq, c.rcv);
			acks++;
		}
		assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), 1448);
	}
	assert_int_equal(tcpext(f.s, "TCPHPHits") - h0.hits, 20);
	assert_true(acks >= 10 && acks <= 20);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* Out of order: the slow path - queued, a duplicate ACK at once; the
 * segment filling the hole (out-of-order data queued) is not predicted
 * either and gets its ACK at once. */
static void test_ooo_slow_path(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct hp h0;
	struct tcp_options o = { .ts_ok = true };
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, WIN);
	h0 = hp_read(&f);
	o.tsval = c.tsval++;
	tx_seg(&f, PPORT, LPORT, c.rcv + 3, c.snd, TCP_FLAG_ACK, WIN, &o, "def", 3);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);	/* dup ACK */
	peer_data(&f, &c, TCP_FLAG_ACK, WIN, "abc");
	c.rcv += 3;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);	/* the gap filled */
	expect_recv(&f, &c, "abcdef");
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits);
	assert_int_equal(tcpext(f.s, "TCPOFOQueue"), 1);
	/* the next in-order segment is predicted again */
	peer_data(&f, &c, TCP_FLAG_ACK, WIN, "g");
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits + 1);
	expect_recv(&f, &c, "g");
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* A window change, URG, an old timestamp, a duplicate ACK: all the slow
 * path, each with its usual result. */
static void test_unusual_slow_path(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct hp h0;
	struct tcp_options o = { .ts_ok = true };
	char b[8];
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, WIN);
	h0 = hp_read(&f);
	/* the window grows: slow path, data accepted, new window in use */
	peer_data(&f, &c, TCP_FLAG_ACK, WIN * 2, "w");
	expect_recv(&f, &c, "w");
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_wnd, (WIN * 2) << 7);
	/* the same window again: predicted */
	peer_data(&f, &c, TCP_FLAG_ACK, WIN * 2, "x");
	expect_recv(&f, &c, "x");
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits + 1);
	assert_int_equal(drain_acks(&f), c.rcv);	/* quick-ACK mode: at once */
	/* URG: slow path, the byte stays in-band (RFC 6093) */
	peer_data(&f, &c, TCP_FLAG_ACK | TCP_FLAG_URG, WIN * 2, "u");
	expect_recv(&f, &c, "u");
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits + 1);
	assert_int_equal(drain_acks(&f), c.rcv);
	/* an old timestamp: PAWS drops it with a duplicate ACK (RFC 7323 5.3) */
	o.tsval = c.tsval - 10;
	tx_seg(&f, PPORT, LPORT, c.rcv, c.snd, TCP_FLAG_ACK, WIN * 2, &o, "old", 3);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(s.opt.tsecr, c.tsval - 1);
	assert_int_equal(tcpext(f.s, "PAWSEstab"), 1);
	assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), -1);
	assert_int_equal(errno, EAGAIN);
	/* a pure ACK acknowledging nothing new: slow path, TCPPureAcks */
	peer_tx(&f, &c, TCP_FLAG_ACK, WIN * 2, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpext(f.s, "TCPPureAcks"), h0.pure + 1);
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits + 1);
	assert_int_equal(tcpext(f.s, "TCPHPAcks"), h0.acks);
	/* an ACK beyond SND.NXT: RFC 5961 5.2, never predicted */
	o.tsval = c.tsval++;
	tx_seg(&f, PPORT, LPORT, c.rcv, c.snd + 100, TCP_FLAG_ACK, WIN * 2, &o, "z", 1);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);		/* challenge ACK, dropped */
	assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), -1);
	assert_int_equal(tcpext(f.s, "TCPHPHits"), h0.hits + 1);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* The three counters are in /proc/net/netstat's TcpExt lines, in Linux's
 * order right after ListenDrops. */
static void test_netstat_names(void **state)
{
	struct tfx f;
	char *t;

	(void)state;
	tfx_init(&f);
	t = ns_proc_read(f.s, "/proc/net/netstat", NULL);
	assert_non_null(t);
	assert_non_null(strstr(t, " ListenDrops TCPHPHits TCPPureAcks TCPHPAcks "));
	free(t);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rr_fast_path),
		cmocka_unit_test(test_bulk_fast_path),
		cmocka_unit_test(test_ooo_slow_path),
		cmocka_unit_test(test_unusual_slow_path),
		cmocka_unit_test(test_netstat_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
