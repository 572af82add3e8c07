/* test_tcp_states.c - packet-level tests in virtual time of TCP's
 * connection states: active and simultaneous open, simultaneous close, RST
 * in each state, TIME-WAIT reopening, FIN-WAIT-2 and keepalive timeouts,
 * aborts (SO_LINGER 0, unread data), and odd input (urgent pointer, bad
 * options, SYN+FIN, LAND, PAWS). The test plays the peer; each test names
 * the RFC section it checks. Helpers in tcp_testutil.h. */
#include "tcp_testutil.h"

#define PPORT 40000
#define LPORT 80
#define PISN 1000000u

/* RFC 9293 3.5 / 3.7.1, RFC 7323 2.2-2.3: our SYN carries MSS | NOP NOP TS
 * | NOP WS (Linux's order without SACK) and an unscaled window; the
 * SYN-ACK's window is taken unscaled, the shift applies from the next
 * segment on, both ways. */
static void test_active_open_wscale(void **state)
{
	struct tfx f;
	struct seg s;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				 .sin_addr.s_addr = htonl(PEER) };
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = 500,
				 .ws_ok = true, .ws = 7 };
	static uint8_t big[10000];
	uint8_t want[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct conn c = { .pport = PPORT, .rcv = PISN + 1, .tsval = 501 };
	uint32_t tsval;
	int i;

	(void)state;
	tfx_init(&f);
	c.fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(f.s, c.fd, (struct sockaddr *)&a, sizeof(a)), -1);
	test_stack_settle(f.ts);
	assert_true(rx_seg(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN);
	assert_int_equal(s.th.opts_len, 20);
	tsval = s.opt.tsval;
	want[8] = (uint8_t)(tsval >> 24);
	want[9] = (uint8_t)(tsval >> 16);
	want[10] = (uint8_t)(tsval >> 8);
	want[11] = (uint8_t)tsval;
	assert_memory_equal(s.th.opts, want, 20);	/* TSecr 0 */
	assert_int_equal(s.th.window, 64240);
	c.lport = s.th.sport;
	c.snd = s.th.seq + 1;
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_SYN_SENT);
	/* SYN-ACK with window 4000 and shift 7: 4000 bytes, not 512000 */
	o.tsecr = tsval;
	tx_seg(&f, PPORT, c.lport, PISN, c.snd, TCP_FLAG_SYN | TCP_FLAG_ACK, 4000, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(s.th.opts_len, 12);		/* NOP NOP TS */
	assert_int_equal(s.opt.tsecr, 500);
	/* now scaled: 65536 free (half of the 128 KiB buffer) >> 7. Linux
	 * says 502 here: it caps the window at rcv_ssthresh, which starts at
	 * the SYN's 64240 and grows with data (not modelled) */
	assert_int_equal(s.th.window, 65536 >> 7);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_wnd, 4000);
	assert_int_equal(ns_send(f.s, c.fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	for (i = 0; i < 2; i++) {
		expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
		assert_int_equal(s.th.payload_len, 1448);
		c.snd += 1448;
	}
	/* 1104 bytes left in the window, less than half of it: wait (RFC 9293
	 * 3.8.6.2.1 sender SWS avoidance) */
	assert_false(rx_seg(&f, &s));
	/* the same 4000 in an ACK means 4000 << 7 */
	peer_tx(&f, &c, TCP_FLAG_ACK, 4000, NULL, 0);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_wnd, 4000 << 7);
	for (i = 0; i < 5; i++) {
		expect_seg(&f, &s, (uint8_t)(TCP_FLAG_ACK | (i == 4 ? TCP_FLAG_PSH : 0)), c.snd, c.rcv);
		assert_int_equal(s.th.payload_len, i < 4 ? 1448 : 10000 - 6 * 1448);
		c.snd += (uint32_t)s.th.payload_len;
	}
	assert_false(rx_seg(&f, &s));
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.5 figure 8: simultaneous open. SYN-SENT gets a SYN: SYN-ACK
 * with our ISN again, SYN-RECEIVED; the peer's SYN-ACK completes it and is
 * ACKed (Linux acknowledges the duplicate SYN at once). */
static void test_simultaneous_open(void **state)
{
	struct tfx f;
	struct seg s;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				 .sin_addr.s_addr = htonl(PEER) };
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = 700,
				 .ws_ok = true, .ws = 7 };
	uint32_t iss;
	uint16_t lport;
	int fd;

	(void)state;
	tfx_init(&f);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	test_stack_settle(f.ts);
	assert_true(rx_seg(&f, &s));
	iss = s.th.seq;
	lport = s.th.sport;
	/* the peer's own SYN crosses ours */
	tx_seg(&f, PPORT, lport, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_SYN | TCP_FLAG_ACK, iss, PISN + 1);
	assert_int_equal(s.opt.tsecr, 700);
	assert_int_equal(tcp_state_of(f.s, fd), TCP_SYN_RECV);
	/* its SYN-ACK */
	o.tsval = 701;
	tx_seg(&f, PPORT, lport, PISN, iss + 1, TCP_FLAG_SYN | TCP_FLAG_ACK, 65535, &o, NULL, 0);
	assert_int_equal(tcp_state_of(f.s, fd), TCP_ESTABLISHED);
	expect_seg(&f, &s, TCP_FLAG_ACK, iss + 1, PISN + 1);
	assert_false(rx_seg(&f, &s));
	/* data flows */
	{
		struct conn c = { .fd = fd, .lport = lport, .pport = PPORT, .snd = iss + 1,
				  .rcv = PISN + 1, .tsval = 702 };
		char b[8];

		peer_tx(&f, &c, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, "hi", 2);
		expect_seg(&f, &s, TCP_FLAG_ACK, iss + 1, PISN + 3);
		assert_int_equal(ns_recv(f.s, fd, b, sizeof(b), 0), 2);
	}
	assert_int_equal(tcpstat(f.s, "CurrEstab"), 1);
	close_abort(&f, fd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.6 figure 13: simultaneous close. FIN-WAIT-1 gets the peer's
 * FIN (not acking ours): ACK it, CLOSING; the ACK of our FIN: TIME-WAIT. */
static void test_simultaneous_close(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	assert_int_equal(ns_shutdown(f.s, c.fd, SHUT_WR), 0);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_FIN_WAIT1);
	peer_tx(&f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);	/* acks up to c.snd */
	c.rcv++;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd + 1, c.rcv);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSING);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_false(rx_seg(&f, &s));
	/* TIME-WAIT lives on in a minisocket; the application's socket is
	 * done (Linux's tcp_time_wait ends in tcp_done: TCP_INFO says CLOSE) */
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSE);
	ns_close(f.s, c.fd);
	assert_true(proc_has(&f, PPORT, "06"));
	advance(&f, 60 * SEC);
	assert_false(proc_has(&f, PPORT, "06"));
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.10.7.3 SYN-SENT: a RST counts only with an acceptable ACK
 * (then ECONNREFUSED); a RST is never answered. */
static void test_rst_syn_sent(void **state)
{
	struct tfx f;
	struct seg s;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				 .sin_addr.s_addr = htonl(PEER) };
	uint32_t iss;
	uint16_t lport;
	int fd;
	char b[4];

	(void)state;
	tfx_init(&f);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	test_stack_settle(f.ts);
	assert_true(rx_seg(&f, &s));
	iss = s.th.seq;
	lport = s.th.sport;
	tx_seg(&f, PPORT, lport, 5, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);		/* no ACK */
	tx_seg(&f, PPORT, lport, 5, iss, TCP_FLAG_RST | TCP_FLAG_ACK, 0, NULL, NULL, 0);
	tx_seg(&f, PPORT, lport, 5, iss + 2, TCP_FLAG_RST | TCP_FLAG_ACK, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcp_state_of(f.s, fd), TCP_SYN_SENT);
	/* an unacceptable ACK without RST gets <SEQ=SEG.ACK><CTL=RST> */
	tx_seg(&f, PPORT, lport, 5, iss + 7, TCP_FLAG_ACK, 0, NULL, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_RST, iss + 7, 0);
	assert_int_equal(tcp_state_of(f.s, fd), TCP_SYN_SENT);
	tx_seg(&f, PPORT, lport, 0, iss + 1, TCP_FLAG_RST | TCP_FLAG_ACK, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcp_state_of(f.s, fd), TCP_CLOSE);
	assert_int_equal(ns_recv(f.s, fd, b, sizeof(b), 0), -1);
	assert_int_equal(errno, ECONNREFUSED);
	assert_int_equal(tcpstat(f.s, "AttemptFails"), 1);
	ns_close(f.s, fd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.10.7.4 SYN-RECEIVED: a RST of a passive open returns to LISTEN
 * (the request dies, the listener stays); SYN+FIN is dropped in LISTEN and
 * in SYN-SENT (Linux). */
static void test_rst_syn_received_and_syn_fin(void **state)
{
	struct tfx f;
	struct seg s;
	struct tcp_options o = { .mss_ok = true, .mss = 1460 };
	uint32_t isn;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	tx_seg(&f, PPORT, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	assert_true(rx_seg(&f, &s));
	isn = s.th.seq;
	tx_seg(&f, PPORT, LPORT, PISN + 1, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	/* the request is gone: its ACK now meets the listener, RST */
	tx_seg(&f, PPORT, LPORT, PISN + 1, isn + 1, TCP_FLAG_ACK, 512, NULL, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_RST, isn + 1, 0);
	assert_int_equal(ns_accept4(f.s, lfd, NULL, NULL, 0), -1);
	/* no SYN-ACK retransmission follows */
	advance(&f, 2 * SEC);
	assert_false(rx_seg(&f, &s));
	/* SYN+FIN to the listener: dropped, no request */
	tx_seg(&f, PPORT + 1, LPORT, PISN, 0, TCP_FLAG_SYN | TCP_FLAG_FIN, 65535, &o, NULL, 0);
	assert_false(rx_seg(&f, &s));
	/* the listener still works */
	{
		struct conn c = tfx_passive(&f, lfd, LPORT, PPORT + 2, PISN, 512);

		close_abort(&f, c.fd);
		assert_true(rx_seg(&f, &s));
	}
	/* SYN+FIN+ACK in SYN-SENT: dropped */
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PPORT),
					 .sin_addr.s_addr = htonl(PEER) };
		int fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
		test_stack_settle(f.ts);
		assert_true(rx_seg(&f, &s));
		tx_seg(&f, PPORT, s.th.sport, PISN, s.th.seq + 1,
		       TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_ACK, 65535, &o, NULL, 0);
		assert_false(rx_seg(&f, &s));
		assert_int_equal(tcp_state_of(f.s, fd), TCP_SYN_SENT);
		ns_close(f.s, fd);
	}
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.10.7.4 + RFC 5961 3.2, synchronized states: a RST outside the
 * window is ignored, inside but not at RCV.NXT draws a challenge ACK, at
 * RCV.NXT it closes with ECONNRESET. */
static void test_rst_synchronized(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd;
	char b[4];

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	tx_seg(&f, PPORT, LPORT, c.rcv + 1000000, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	tx_seg(&f, PPORT, LPORT, c.rcv - 100000, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	tx_seg(&f, PPORT, LPORT, c.rcv + 10, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	tx_seg(&f, PPORT, LPORT, c.rcv, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSE);
	assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), -1);
	assert_int_equal(errno, ECONNRESET);
	assert_int_equal(tcpstat(f.s, "EstabResets"), 1);
	assert_int_equal(tcpstat(f.s, "CurrEstab"), 0);
	ns_close(f.s, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* Linux's TIME-WAIT (tcp_timewait_state_process, RFC 6191): an old SYN is
 * re-ACKed; a SYN past RCV.NXT with a newer timestamp opens a new
 * connection with ISN = old SND.NXT + 65537. */
static void test_time_wait_reopen(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .ws_ok = true, .ws = 7 };
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	ns_close(f.s, c.fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);
	c.rcv++;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_true(proc_has(&f, PPORT, "06"));
	/* an old SYN (sequence not past RCV.NXT, older timestamp): ACK */
	o.tsval = c.tsval - 2;
	tx_seg(&f, PPORT, LPORT, c.rcv - 1, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_true(proc_has(&f, PPORT, "06"));
	/* a new incarnation */
	o.tsval = c.tsval + 1000;
	tx_seg(&f, PPORT, LPORT, c.rcv + 50000, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_SYN | TCP_FLAG_ACK, c.snd + 65535 + 2, c.rcv + 50001);
	assert_false(proc_has(&f, PPORT, "06"));
	{
		struct conn c2 = { .lport = LPORT, .pport = PPORT, .rcv = c.rcv + 50001,
				   .snd = s.th.seq + 1, .tsval = o.tsval + 1 };

		peer_tx(&f, &c2, TCP_FLAG_ACK, 512, NULL, 0);
		c2.fd = ns_accept4(f.s, lfd, NULL, NULL, 0);
		assert_true(c2.fd >= 0);
		assert_int_equal(tcp_state_of(f.s, c2.fd), TCP_ESTABLISHED);
		close_abort(&f, c2.fd);
	}
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.10.4 / Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 lasts
 * tcp_fin_timeout (60 s), or TCP_LINGER2; a half-closed socket still
 * owned by the application stays. */
static void test_fin_wait2_timeout(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd, five = 5;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	ns_close(f.s, c.fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_true(proc_has(&f, PPORT, "05"));
	advance(&f, 60 * SEC - MS);
	assert_true(proc_has(&f, PPORT, "05"));
	advance(&f, MS);
	assert_false(proc_has(&f, PPORT, "05"));
	assert_false(rx_seg(&f, &s));		/* silently */

	c = tfx_passive(&f, lfd, LPORT, PPORT + 1, PISN, 512);
	assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_LINGER2, &five, sizeof(five)), 0);
	ns_close(f.s, c.fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	advance(&f, 5 * SEC);
	assert_false(proc_has(&f, PPORT + 1, "05"));

	/* not orphaned: stays in FIN-WAIT-2 */
	c = tfx_passive(&f, lfd, LPORT, PPORT + 2, PISN, 512);
	assert_int_equal(ns_shutdown(f.s, c.fd, SHUT_WR), 0);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	advance(&f, 100 * SEC);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_FIN_WAIT2);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.8.4 / RFC 1122 4.2.3.6: keepalive probes (SEG.SEQ = SND.UNA-1)
 * after TCP_KEEPIDLE, every TCP_KEEPINTVL; an answer restarts the idle
 * time; after TCP_KEEPCNT unanswered probes Linux sends a RST and reports
 * ETIMEDOUT. */
static void test_keepalive(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd, one = 1, idle = 10, intvl = 2, cnt = 3;
	uint64_t t0;
	static const uint64_t at[] = { 20, 22, 24 };

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	t0 = f.ts->clock.now;
	assert_int_equal(ns_setsockopt(f.s, c.fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), 0);
	assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)), 0);
	assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)), 0);
	assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)), 0);
	advance(&f, 10 * SEC - MS);
	assert_false(rx_seg(&f, &s));
	advance(&f, MS);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd - 1, c.rcv);
	assert_int_equal(s.th.payload_len, 0);
	assert_int_equal(s.time - t0, 10 * SEC);
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);		/* answered */
	for (size_t i = 0; i < 3; i++) {
		advance(&f, t0 + at[i] * SEC - f.ts->clock.now);
		expect_seg(&f, &s, TCP_FLAG_ACK, c.snd - 1, c.rcv);
		assert_int_equal(s.time - t0, at[i] * SEC);
		assert_false(rx_seg(&f, &s));
	}
	advance(&f, t0 + 26 * SEC - f.ts->clock.now - MS);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	advance(&f, MS);
	expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSE);
	assert_int_equal(sock_err(&f, c.fd), ETIMEDOUT);
	ns_close(f.s, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.10.4 / RFC 2525 2.17: close() with unread data sends a RST
 * (not a FIN); SO_LINGER {1, 0} aborts with a RST too. */
static void test_abortive_close(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	peer_tx(&f, &c, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, "unread", 6);
	c.rcv += 6;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	ns_close(f.s, c.fd);
	expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, c.snd, c.rcv);
	assert_false(rx_seg(&f, &s));
	assert_false(proc_has(&f, PPORT, "01"));
	assert_int_equal(tcpext(f.s, "TCPAbortOnClose"), 1);

	c = tfx_passive(&f, lfd, LPORT, PPORT + 1, PISN, 512);
	assert_int_equal(ns_send(f.s, c.fd, "x", 1, 0), 1);
	expect_seg(&f, &s, TCP_FLAG_ACK | TCP_FLAG_PSH, c.snd, c.rcv);
	close_abort(&f, c.fd);
	expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, c.snd + 1, c.rcv);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpext(f.s, "TCPAbortOnLinger"), 1);
	assert_int_equal(tcpstat(f.s, "CurrEstab"), 0);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 6093 / RFC 9293 3.8.5: urgent data stays in band; an urgent
 * pointer past the segment's data changes nothing. */
/* Linux's tcp_disconnect (connect(AF_UNSPEC)) on a listener runs
 * inet_csk_listen_stop: a child not yet accepted is reset (RFC 9293 3.10.7
 * abort), a half-open request forgotten, the listener closed. */
static void test_disconnect_listener_aborts_children(void **state)
{
	struct tfx f;
	struct seg s;
	struct sockaddr_in un = { .sin_family = AF_UNSPEC };
	struct tcp_options o = { .mss_ok = true, .mss = 1460 };
	struct conn c, c1;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c1 = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);	/* accepted: stays */
	ns_close(f.s, c1.fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c1.snd, c1.rcv);
	c1.snd++;
	peer_tx(&f, &c1, TCP_FLAG_ACK, 512, NULL, 0);	/* FIN-WAIT-2 */
	/* a second connection completes but is never accepted */
	tx_seg(&f, PPORT + 1, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	assert_true(rx_seg(&f, &s));
	c = (struct conn){ .lport = LPORT, .pport = PPORT + 1, .rcv = PISN + 1, .snd = s.th.seq + 1 };
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	/* a third only sent its SYN */
	tx_seg(&f, PPORT + 2, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	assert_true(rx_seg(&f, &s));
	assert_false(rx_seg(&f, &s));
	assert_int_equal(ns_connect(f.s, lfd, (struct sockaddr *)&un, sizeof(un)), 0);
	expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, c.snd, c.rcv);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcp_state_of(f.s, lfd), TCP_CLOSE);
	assert_false(proc_has(&f, PPORT + 1, "01"));
	assert_false(proc_has(&f, PPORT + 2, "03"));
	assert_int_equal(ns_accept4(f.s, lfd, NULL, NULL, SOCK_NONBLOCK), -1);
	assert_int_equal(errno, EINVAL);
	/* the closed first child still holds port 80: without SO_REUSEADDR a
	 * new listen conflicts with it, as on Linux */
	assert_int_equal(ns_listen(f.s, lfd, 8), -1);
	assert_int_equal(errno, EADDRINUSE);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

static void test_urgent_pointer(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	uint8_t seg[64];
	char b[16];
	int lfd, n;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	{
		struct tcp_repr r = { .sport = PPORT, .dport = LPORT, .seq = c.rcv, .ack_seq = c.snd,
				      .flags = TCP_FLAG_ACK | TCP_FLAG_URG | TCP_FLAG_PSH,
				      .window = 512, .urg_ptr = 1000, .payload = (const uint8_t *)"abcde",
				      .payload_len = 5 };

		n = tcp_emit_ipv4(&r, seg, sizeof(seg), PEER, US);
		tx_raw(&f, seg, (size_t)n);
	}
	c.rcv += 5;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), 5);
	assert_memory_equal(b, "abcde", 5);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.2 MUST-7 with Linux's tcp_parse_options: options before a
 * malformed one (length 0) count, the rest is ignored, the SYN is served:
 * the SYN-ACK carries MSS only and the peer's MSS (1200) is used. */
static void test_malformed_options(void **state)
{
	struct tfx f;
	struct seg s;
	uint8_t seg[64];
	static const uint8_t opts[] = { 2, 4, 0x04, 0xb0, 8, 0, 0, 0 };	/* MSS 1200, TS len 0 */
	struct tcp_repr r = { .sport = PPORT, .dport = LPORT, .seq = PISN, .flags = TCP_FLAG_SYN,
			      .window = 65535, .opts = opts, .opts_len = sizeof(opts) };
	int lfd, n, fd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	n = tcp_emit_ipv4(&r, seg, sizeof(seg), PEER, US);
	tx_raw(&f, seg, (size_t)n);
	assert_true(rx_seg(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.th.ack_seq, PISN + 1);
	assert_int_equal(s.th.opts_len, 4);
	assert_int_equal(s.th.opts[0], 2);
	tx_seg(&f, PPORT, LPORT, PISN + 1, s.th.seq + 1, TCP_FLAG_ACK, 65535, NULL, NULL, 0);
	fd = ns_accept4(f.s, lfd, NULL, NULL, 0);
	assert_true(fd >= 0);
	assert_int_equal(tfx_info(&f, fd).tcpi_snd_mss, 1200);
	assert_int_equal(tfx_info(&f, fd).tcpi_options, 0);
	close_abort(&f, fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 4987 / Linux (martian source): a LAND SYN (our address and port at
 * both ends) arriving from the wire is dropped. */
static void test_land_dropped(void **state)
{
	struct tfx f;
	struct seg s;
	uint8_t seg[64], fr[128];
	struct tcp_repr r = { .sport = LPORT, .dport = LPORT, .seq = PISN, .flags = TCP_FLAG_SYN,
			      .window = 65535 };
	int lfd, n;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	n = tcp_emit_ipv4(&r, seg, sizeof(seg), US, US);
	capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, US, US, IPPROTO_TCP, 64, 1, IP_DF, seg,
				     (size_t)n));
	test_stack_settle(f.ts);
	assert_false(rx_seg(&f, &s));
	advance(&f, 2 * SEC);
	assert_false(rx_seg(&f, &s));
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 7323 5.3 R1: a segment whose TSval is older than TS.Recent is
 * dropped and answered with a duplicate ACK; counted as PAWSEstab. */
static void test_paws(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_options o = { .ts_ok = true };
	char b[8];
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	peer_tx(&f, &c, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, "new", 3);
	c.rcv += 3;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	o.tsval = c.tsval - 10;			/* an old duplicate's clock */
	tx_seg(&f, PPORT, LPORT, c.rcv, c.snd, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, &o, "old", 3);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(s.opt.tsecr, c.tsval - 1);	/* TS.Recent unchanged */
	assert_int_equal(tcpext(f.s, "PAWSEstab"), 1);
	assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), 3);
	assert_memory_equal(b, "new", 3);
	assert_int_equal(ns_recv(f.s, c.fd, b, sizeof(b), 0), -1);
	assert_int_equal(errno, EAGAIN);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_open_wscale),
		cmocka_unit_test(test_simultaneous_open),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_rst_syn_sent),
		cmocka_unit_test(test_rst_syn_received_and_syn_fin),
		cmocka_unit_test(test_rst_synchronized),
		cmocka_unit_test(test_time_wait_reopen),
		cmocka_unit_test(test_fin_wait2_timeout),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_abortive_close),
		cmocka_unit_test(test_disconnect_listener_aborts_children),
		cmocka_unit_test(test_urgent_pointer),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_land_dropped),
		cmocka_unit_test(test_paws),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
