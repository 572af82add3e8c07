/* test_tcp_timewait.c - the TIME-WAIT minisocket (Linux's
 * tcp_timewait_sock, tcp_timewait_state_process) in virtual time: the
 * retransmitted FIN is ACKed and restarts 2 MSL (RFC 9293 3.10.7.4), a RST
 * ends it (tcp_rfc1337 0) or not (1), expiry after 60 s, a new SYN or a
 * connect() taking the 4-tuple over (RFC 6191, tcp_tw_reuse), the
 * tcp_max_tw_buckets bound, bind() conflicts, and the /proc/net/tcp and ss
 * lines. The test plays the peer (tcp_testutil.h). */
#include "tcp_testutil.h"
#include "nstack/cmd.h"

#define PPORT 40000
#define LPORT 80
#define PISN 1000000u

/* A passive connection we close first: FIN, the peer's ACK+FIN, our ACK;
 * the connection is in TIME-WAIT (its tcp_sock gone). */
static struct conn tw_setup(struct tfx *f, int *lfd)
{
	struct seg s;
	struct conn c;

	*lfd = tfx_listen(f, LPORT);
	c = tfx_passive(f, *lfd, LPORT, PPORT, PISN, 512);
	ns_close(f->s, c.fd);
	expect_seg(f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);
	c.rcv++;
	expect_seg(f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(s.opt.tsecr, c.tsval - 1);
	assert_true(proc_has(f, PPORT, "06"));
	assert_int_equal(tcpext(f->s, "TimeWaitSockets"), 1);
	return c;
}

/* RFC 9293 3.10.7.4 TIME-WAIT: "The only thing that can arrive in this
 * state is a retransmission of the remote FIN. Acknowledge it, and restart
 * the 2 MSL timeout." The ACK echoes the FIN's timestamp; a bare ACK in
 * the window gets no answer. */
static void test_tw_fin_retransmit(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd;

	(void)state;
	tfx_init(&f);
	c = tw_setup(&f, &lfd);
	advance(&f, 30 * SEC);
	c.rcv--;
	peer_tx(&f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);
	c.rcv++;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(s.th.opts_len, 12);
	assert_int_equal(s.opt.tsecr, c.tsval - 2);	/* TS.Recent: the first FIN's */
	/* bare in-window ACK: silently restarts the wait */
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_false(rx_seg(&f, &s));
	/* 2 MSL from the last segment */
	advance(&f, 60 * SEC - MS);
	assert_true(proc_has(&f, PPORT, "06"));
	advance(&f, 2 * MS);
	assert_false(proc_has(&f, PPORT, "06"));
	assert_int_equal(tcpext(f.s, "TimeWaitSockets"), 0);
	assert_int_equal(tcpext(f.s, "TW"), 1);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* Out-of-window segments are ACKed at most once per tcp_invalid_ratelimit
 * (Linux's tcp_timewait_check_oow_rate_limit), data never limited. */
static void test_tw_oow_ratelimit(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_options o = { .ts_ok = true };
	int lfd;

	(void)state;
	tfx_init(&f);
	c = tw_setup(&f, &lfd);
	o.tsval = c.tsval;
	/* an old pure ACK below RCV.NXT: ACKed once, then rate limited */
	tx_seg(&f, PPORT, LPORT, c.rcv - 1, c.snd, TCP_FLAG_ACK, 512, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	tx_seg(&f, PPORT, LPORT, c.rcv - 1, c.snd, TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpext(f.s, "TCPACKSkippedTimeWait"), 1);
	advance(&f, 500 * MS);
	tx_seg(&f, PPORT, LPORT, c.rcv - 1, c.snd, TCP_FLAG_ACK, 512, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	/* data is always answered */
	tx_seg(&f, PPORT, LPORT, c.rcv, c.snd, TCP_FLAG_ACK, 512, &o, "x", 1);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* A RST at RCV.NXT ends TIME-WAIT (TIME-WAIT assassination, RFC 1337;
 * Linux's default tcp_rfc1337 0); with tcp_rfc1337 1 it is ignored; a RST
 * out of the window never counts. */
static void test_tw_rst(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd;

	(void)state;
	tfx_init(&f);
	c = tw_setup(&f, &lfd);
	tx_seg(&f, PPORT, LPORT, c.rcv + 100000, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_true(proc_has(&f, PPORT, "06"));
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.tcp_rfc1337", "1"), 0);
	tx_seg(&f, PPORT, LPORT, c.rcv, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_true(proc_has(&f, PPORT, "06"));
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.tcp_rfc1337", "0"), 0);
	tx_seg(&f, PPORT, LPORT, c.rcv, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_false(proc_has(&f, PPORT, "06"));
	assert_int_equal(tcpext(f.s, "TimeWaitSockets"), 0);
	/* the 4-tuple is closed now: a segment gets a RST */
	tx_seg(&f, PPORT, LPORT, c.rcv, c.snd, TCP_FLAG_ACK, 512, NULL, NULL, 0);
	ns_close(f.s, lfd);
	expect_seg(&f, &s, TCP_FLAG_RST, c.snd, 0);
	test_stack_free(f.ts);
}

/* The /proc/net/tcp line (Linux's get_timewait4_sock): state 06, timer 3
 * with the jiffies left, refcount 3; ss shows TIME-WAIT. */
static void test_tw_proc_line(void **state)
{
	struct tfx f;
	struct conn c;
	struct ns_out out;
	char *t;
	int lfd;

	(void)state;
	tfx_init(&f);
	c = tw_setup(&f, &lfd);
	(void)c;
	ns_close(f.s, lfd);
	t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
	assert_non_null(strstr(t, "   0: 0100000A:0050 0200000A:9C40 06 00000000:00000000 "
				  "03:00001770 00000000     0        0 0 3 0000000000000000"));
	free(t);
	advance(&f, 10 * SEC);
	t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
	assert_non_null(strstr(t, " 06 00000000:00000000 03:00001388 "));
	free(t);
	ns_out_init(&out);
	assert_int_equal(ns_exec(f.s, "ss -tan", &out), 0);
	assert_non_null(strstr(ns_out_text(&out), "TIME-WAIT 0      0"));
	assert_non_null(strstr(ns_out_text(&out), "10.0.0.1:80"));
	ns_out_reset(&out);
	assert_int_equal(ns_exec(f.s, "ss -s", &out), 0);
	assert_non_null(strstr(ns_out_text(&out), "timewait 1)"));
	ns_out_free(&out);
	test_stack_free(f.ts);
}

/* tcp_max_tw_buckets: past the bound the connection closes without
 * TIME-WAIT (TCPTimeWaitOverflow), as Linux's inet_twsk_alloc. */
static void test_tw_bucket_limit(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	int lfd;

	(void)state;
	tfx_init(&f);
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.tcp_max_tw_buckets", "1"), 0);
	c = tw_setup(&f, &lfd);
	c = tfx_passive(&f, lfd, LPORT, PPORT + 1, PISN, 512);
	ns_close(f.s, c.fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);
	c.rcv++;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_int_equal(tcpext(f.s, "TCPTimeWaitOverflow"), 1);
	assert_int_equal(tcpext(f.s, "TimeWaitSockets"), 1);
	assert_true(proc_has(&f, PPORT, "06"));
	assert_false(proc_has(&f, PPORT + 1, "06"));
	/* no TIME-WAIT: the peer's retransmitted FIN meets CLOSED (RST) */
	c.rcv--;
	peer_tx(&f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_RST, c.snd, 0);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 1122 4.2.2.13 / RFC 6191 on the passive side: a SYN past RCV.NXT
 * with no listener left gets the TIME-WAIT ACK, not a new connection. */
static void test_tw_syn_no_listener(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true };
	int lfd;

	(void)state;
	tfx_init(&f);
	c = tw_setup(&f, &lfd);
	ns_close(f.s, lfd);
	o.tsval = c.tsval + 100;
	tx_seg(&f, PPORT, LPORT, c.rcv + 5000, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_true(proc_has(&f, PPORT, "06"));
	test_stack_free(f.ts);
}

/* An active open from US:50000 (bound with SO_REUSEADDR) to PEER:PPORT. */
static struct conn active_from(struct tfx *f, uint32_t pisn)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(50000),
				  .sin_addr.s_addr = htonl(US) };
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				    .sin_addr.s_addr = htonl(PEER) };
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = 500,
				 .ws_ok = true, .ws = 7 };
	struct conn c = { .pport = PPORT, .lport = 50000, .rcv = pisn + 1, .tsval = 501 };
	struct seg s;
	int one = 1;

	c.fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_setsockopt(f->s, c.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	assert_int_equal(ns_bind(f->s, c.fd, (struct sockaddr *)&me, sizeof(me)), 0);
	assert_int_equal(ns_connect(f->s, c.fd, (struct sockaddr *)&peer, sizeof(peer)), -1);
	assert_int_equal(errno, EINPROGRESS);
	test_stack_settle(f->ts);
	assert_true(rx_seg(f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN);
	c.snd = s.th.seq + 1;
	o.tsecr = s.opt.tsval;
	tx_seg(f, PPORT, c.lport, pisn, c.snd, TCP_FLAG_SYN | TCP_FLAG_ACK, 512, &o, NULL, 0);
	expect_seg(f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	return c;
}

/* connect() over a TIME-WAIT 4-tuple (Linux's tcp_twsk_unique): refused
 * with tcp_tw_reuse 2 off loopback; with 1, timestamps and TS.Recent a
 * second old, the new SYN starts past the old SND.NXT (TWRecycled). The
 * bucket keeps the port: bind() needs SO_REUSEADDR on both. */
static void test_tw_connect_reuse(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(50000),
				  .sin_addr.s_addr = htonl(US) };
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				    .sin_addr.s_addr = htonl(PEER) };
	int one = 1, fd;

	(void)state;
	tfx_init(&f);
	c = active_from(&f, PISN);
	ns_close(f.s, c.fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, c.snd, c.rcv);
	c.snd++;
	peer_tx(&f, &c, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, NULL, 0);
	c.rcv++;
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	assert_true(proc_has(&f, PPORT, "06"));
	/* bind() to the port without SO_REUSEADDR: in use */
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&me, sizeof(me)), -1);
	assert_int_equal(errno, EADDRINUSE);
	/* with it (the bucket has it too): shared */
	assert_int_equal(ns_setsockopt(f.s, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&me, sizeof(me)), 0);
	/* the same 4-tuple again: not with tcp_tw_reuse 2 off loopback */
	advance(&f, 2 * SEC);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&peer, sizeof(peer)), -1);
	assert_int_equal(errno, EADDRNOTAVAIL);
	assert_int_equal(tcpext(f.s, "TWRecycled"), 0);
	/* with tcp_tw_reuse 1 (timestamps, TS.Recent over a second old) the
	 * TIME-WAIT gives way and the ISN starts past its SND.NXT */
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.tcp_tw_reuse", "1"), 0);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&peer, sizeof(peer)), -1);
	assert_int_equal(errno, EINPROGRESS);
	test_stack_settle(f.ts);
	expect_seg(&f, &s, TCP_FLAG_SYN, c.snd + 65535 + 2, 0);
	assert_int_equal(tcpext(f.s, "TWRecycled"), 1);
	assert_false(proc_has(&f, PPORT, "06"));
	assert_int_equal(tcpext(f.s, "TimeWaitSockets"), 0);
	close_abort(&f, fd);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tw_fin_retransmit),
		cmocka_unit_test(test_tw_oow_ratelimit),
		cmocka_unit_test(test_tw_rst),
		cmocka_unit_test(test_tw_proc_line),
		cmocka_unit_test(test_tw_bucket_limit),
		cmocka_unit_test(test_tw_syn_no_listener),
		cmocka_unit_test(test_tw_connect_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
