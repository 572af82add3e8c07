/* test_tcp_basic.c - packet-level TCP tests in virtual time: the stack on a
 * capture device, the test plays the peer with exact segments and checks
 * exact replies at exact times. Each test names the RFC section it checks. */
#include "tcp_testutil.h"

#define PPORT 40000
#define LPORT 80
#define PISN 1000000u

static int listen_on(struct tfx *f, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(US) };
	int fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(ns_bind(f->s, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ns_listen(f->s, fd, 16), 0);
	return fd;
}

static struct tcp_options syn_opts(uint32_t tsval)
{
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = tsval,
				 .ws_ok = true, .ws = 7 };
	return o;
}

/* Passive open; returns the accepted fd, *isn our ISN. */
static int passive_open(struct tfx *f, int lfd, uint32_t *isn)
{
	struct tcp_options o = syn_opts(100);
	struct seg s;
	int fd;

	tx_seg(f, PPORT, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	assert_true(rx_seg(f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.th.ack_seq, PISN + 1);
	*isn = s.th.seq;
	o = (struct tcp_options){ .ts_ok = true, .tsval = 101, .tsecr = s.opt.tsval };
	tx_seg(f, PPORT, LPORT, PISN + 1, *isn + 1, TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_false(rx_seg(f, &s));
	fd = ns_accept4(f->s, lfd, NULL, NULL, SOCK_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(tcp_state_of(f->s, fd), TCP_ESTABLISHED);
	return fd;
}

/* RFC 9293 3.5 (three-way handshake), 3.7.1 (MSS), RFC 7323 2.2/3.2: the
 * SYN-ACK answers MSS | NOP NOP TS | NOP WS like Linux, SACK_PERM omitted
 * when the SYN did not offer it (RFC 2018 2), MSS | SACK_PERM TS | NOP WS
 * when it did. */
static void test_passive_open(void **state)
{
	struct tfx f;
	struct tcp_options o = syn_opts(100);
	struct seg s;
	static const uint8_t want_hdr[] = { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x08, 0x0a };
	uint32_t isn;
	int lfd, fd;

	(void)state;
	tfx_init(&f);
	lfd = listen_on(&f, LPORT);
	tx_seg(&f, PPORT, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	assert_true(rx_seg(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.th.ack_seq, PISN + 1);
	assert_int_equal(s.th.opts_len, 20);
	assert_memory_equal(s.th.opts, want_hdr, sizeof(want_hdr));
	assert_int_equal(s.th.opts[16], 1);		/* NOP */
	assert_int_equal(s.th.opts[17], 3);		/* WS */
	assert_int_equal(s.th.opts[19], 7);		/* shift 7 from tcp_rmem[2] */
	assert_int_equal(s.opt.tsecr, 100);
	assert_int_equal(s.th.window, 64240);		/* 44 * 1460, unscaled */
	{
		struct tcp_options so = syn_opts(50);
		struct seg s2;
		static const uint8_t want_sack[] = { 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a };

		so.sack_ok = true;
		tx_seg(&f, PPORT + 1, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &so, NULL, 0);
		assert_true(rx_seg(&f, &s2));
		assert_int_equal(s2.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
		assert_int_equal(s2.th.opts_len, 20);
		assert_memory_equal(s2.th.opts, want_sack, sizeof(want_sack));
		assert_true(s2.opt.sack_ok);
	}
	isn = s.th.seq;
	/* the retransmitted SYN gets the same SYN-ACK */
	tx_seg(&f, PPORT, LPORT, PISN, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_SYN | TCP_FLAG_ACK, isn, PISN + 1);
	assert_int_equal(ns_accept4(f.s, lfd, NULL, NULL, 0), -1);
	assert_int_equal(errno, EAGAIN);
	o = (struct tcp_options){ .ts_ok = true, .tsval = 101, .tsecr = s.opt.tsval };
	tx_seg(&f, PPORT, LPORT, PISN + 1, isn + 1, TCP_FLAG_ACK, 512, &o, NULL, 0);
	fd = ns_accept4(f.s, lfd, NULL, NULL, SOCK_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(tcpstat(f.s, "PassiveOpens"), 1);
	assert_int_equal(tcpstat(f.s, "CurrEstab"), 1);
	/* /proc/net/tcp: a listener and an established line, 150 chars each */
	{
		char *t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
		char *l2;

		assert_non_null(t);
		assert_int_equal(strchr(t, '\n') - t, 149);
		assert_non_null(strstr(t, "   0: 0100000A:0050 00000000:0000 0A "));
		l2 = strstr(t, "   1: 0100000A:0050 0200000A:9C40 01 ");
		assert_non_null(l2);
		assert_int_equal(strchr(l2, '\n') - l2, 149);
		free(t);
	}
	close_abort(&f, fd);
	expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, isn + 1, PISN + 1);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.8.6.3 / RFC 5681 4.2 / RFC 1122 4.2.3.2: data, ACK clocking,
 * quick ACKs at the start, then delayed ACKs at 40 ms (TCP_DELACK_MIN) and
 * every second full segment; window scaling of the peer's window. */
static void test_data_and_acks(void **state)
{
	struct tfx f;
	struct seg s;
	struct tcp_options o = { .ts_ok = true, .tsval = 200 };
	uint8_t buf[4096], data[1448];
	uint32_t isn, rseq = PISN + 1;
	int lfd, fd, i;

	(void)state;
	tfx_init(&f);
	lfd = listen_on(&f, LPORT);
	fd = passive_open(&f, lfd, &isn);
	memset(data, 'x', sizeof(data));
	/* first data: quick-ACK mode, ACK at once */
	tx_seg(&f, PPORT, LPORT, rseq, isn + 1, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, &o, "hello", 5);
	rseq += 5;
	expect_seg(&f, &s, TCP_FLAG_ACK, isn + 1, rseq);
	assert_int_equal(s.opt.tsecr, 200);
	assert_int_equal(ns_recv(f.s, fd, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "hello", 5);
	/* leave quick-ACK mode: in pingpong a lone segment waits 40 ms */
	{
		int one = 0;

		assert_int_equal(ns_setsockopt(f.s, fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one)), 0);
	}
	tx_seg(&f, PPORT, LPORT, rseq, isn + 1, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, &o, "abc", 3);
	rseq += 3;
	assert_false(rx_seg(&f, &s));
	advance(&f, 39 * MS);
	assert_false(rx_seg(&f, &s));
	advance(&f, 1 * MS);
	expect_seg(&f, &s, TCP_FLAG_ACK, isn + 1, rseq);
	/* two full segments: ACK after the second */
	for (i = 0; i < 2; i++) {
		tx_seg(&f, PPORT, LPORT, rseq, isn + 1, TCP_FLAG_ACK, 512, &o, data, sizeof(data));
		rseq += sizeof(data);
		if (i == 0)
			assert_false(rx_seg(&f, &s));
	}
	expect_seg(&f, &s, TCP_FLAG_ACK, isn + 1, rseq);
	assert_int_equal(ns_recv(f.s, fd, buf, sizeof(buf), 0), 3 + 2 * 1448);
	/* we send: the peer's window 512 << 7 = 65536 allows 10 segments
	 * (RFC 6928 IW10); the 11th waits for an ACK */
	{
		static uint8_t big[11 * 1448];
		uint32_t seq = isn + 1;

		memset(big, 'y', sizeof(big));
		assert_int_equal(ns_send(f.s, fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
		for (i = 0; i < 10; i++) {
			assert_true(rx_seg(&f, &s));
			assert_int_equal(s.th.seq, seq);
			assert_int_equal(s.th.payload_len, 1448);
			seq += 1448;
		}
		assert_false(rx_seg(&f, &s));
		tx_seg(&f, PPORT, LPORT, rseq, seq, TCP_FLAG_ACK, 512, &o, NULL, 0);
		assert_true(rx_seg(&f, &s));
		assert_int_equal(s.th.seq, seq);
		assert_int_equal(s.th.payload_len, 1448);
		tx_seg(&f, PPORT, LPORT, rseq, seq + 1448, TCP_FLAG_ACK, 512, &o, NULL, 0);
	}
	{
		struct tcp_info ti;
		socklen_t l = sizeof(ti);

		assert_int_equal(ns_getsockopt(f.s, fd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
		assert_int_equal(ti.tcpi_snd_mss, 1448);
		assert_int_equal(ti.tcpi_snd_wscale, 7);
		assert_int_equal(ti.tcpi_rcv_wscale, 7);
		assert_int_equal(ti.tcpi_bytes_acked, 11 * 1448);
		assert_int_equal(ti.tcpi_bytes_received, 3 + 5 + 2 * 1448);
		assert_int_equal(ti.tcpi_unacked, 0);
	}
	close_abort(&f, fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 6298 5.5 and 2.1, RFC 9293 3.8.1: SYN retransmitted at 1, 3, 7, 15,
 * 31, 63 s (tcp_syn_retries 6), then ETIMEDOUT at 127 s. */
static void test_syn_backoff_etimedout(void **state)
{
	struct tfx f;
	struct seg s;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80),
				 .sin_addr.s_addr = htonl(PEER) };
	static const uint64_t at[] = { 1, 3, 7, 15, 31, 63 };
	uint64_t t0;
	int fd, err;
	socklen_t l = sizeof(err);

	(void)state;
	tfx_init(&f);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	test_stack_settle(f.ts);
	assert_true(rx_seg(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN);
	/* MSS 1460 | SACK_PERM TS | NOP WS 7 (Linux's layout, RFC 2018 2) */
	assert_int_equal(s.th.opts_len, 20);
	assert_int_equal(s.th.opts[0], 2);
	assert_int_equal(s.th.opts[4], 4);
	assert_int_equal(s.th.opts[5], 2);
	assert_int_equal(s.th.opts[6], 8);
	assert_int_equal(s.th.opts[16], 1);
	assert_int_equal(s.th.opts[17], 3);
	assert_int_equal(s.th.window, 64240);
	t0 = s.time;
	for (size_t i = 0; i < 6; i++) {
		advance(&f, (at[i] * SEC + t0) - f.ts->clock.now - 1);
		assert_false(rx_seg(&f, &s));
		advance(&f, 1);
		assert_true(rx_seg(&f, &s));
		assert_int_equal(s.time - t0, at[i] * SEC);
		assert_int_equal(s.th.flags, TCP_FLAG_SYN);
	}
	advance(&f, (127 * SEC + t0) - f.ts->clock.now - 1);
	assert_int_equal(tcp_state_of(f.s, fd), TCP_SYN_SENT);
	advance(&f, 1);
	assert_int_equal(tcp_state_of(f.s, fd), TCP_CLOSE);
	assert_int_equal(ns_getsockopt(f.s, fd, SOL_SOCKET, SO_ERROR, &err, &l), 0);
	assert_int_equal(err, ETIMEDOUT);
	assert_int_equal(tcpstat(f.s, "AttemptFails"), 1);
	ns_close(f.s, fd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.10.7.1: segments for no connection get a RST; a RST gets
 * nothing. Bad headers are counted (InErrs, InCsumErrors) and dropped. */
static void test_unknown_and_bad_input(void **state)
{
	struct tfx f;
	struct seg s;
	uint8_t seg[64];
	struct tcp_repr r = { .sport = PPORT, .dport = 81, .seq = 5, .flags = TCP_FLAG_SYN,
			      .window = 100 };
	int n;

	(void)state;
	tfx_init(&f);
	tx_seg(&f, PPORT, 81, 5, 0, TCP_FLAG_SYN, 100, NULL, "ab", 2);
	expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, 0, 5 + 1 + 2);
	tx_seg(&f, PPORT, 81, 5, 777, TCP_FLAG_ACK, 100, NULL, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_RST, 777, 0);
	tx_seg(&f, PPORT, 81, 5, 777, TCP_FLAG_RST, 100, NULL, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpstat(f.s, "OutRsts"), 2);
	/* bad checksum */
	n = tcp_emit_ipv4(&r, seg, sizeof(seg), PEER, US);
	seg[16] ^= 1;
	tx_raw(&f, seg, (size_t)n);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpstat(f.s, "InCsumErrors"), 1);
	/* data offset < 5, and past the segment */
	n = tcp_emit_ipv4(&r, seg, sizeof(seg), PEER, US);
	seg[12] = 4 << 4;
	tx_raw(&f, seg, (size_t)n);
	seg[12] = 15 << 4;
	tx_raw(&f, seg, (size_t)n);
	/* option length 0 and 1, and running past the header: RFC 9293 3.2
	 * MUST-7 says survive them; Linux's tcp_parse_options stops parsing
	 * there and processes the segment, so the closed port answers RST */
	{
		static const uint8_t bad[][4] = { { 2, 0, 0, 0 }, { 2, 1, 0, 0 }, { 1, 1, 8, 10 } };

		for (size_t i = 0; i < 3; i++) {
			struct tcp_repr rb = r;

			rb.opts = bad[i];
			rb.opts_len = 4;
			n = tcp_emit_ipv4(&rb, seg, sizeof(seg), PEER, US);
			tx_raw(&f, seg, (size_t)n);
			expect_seg(&f, &s, TCP_FLAG_RST | TCP_FLAG_ACK, 0, 6);
		}
	}
	/* short: 10 bytes */
	tx_raw(&f, seg, 10);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpstat(f.s, "InErrs"), 1 + 2 + 1);
	test_stack_free(f.ts);
}

/* RFC 9293 3.6 / 3.10.4: active close FIN-WAIT-1 -> FIN-WAIT-2 ->
 * TIME-WAIT, which ends 60 s later; passive close CLOSE-WAIT -> LAST-ACK. */
static void test_close_sequences(void **state)
{
	struct tfx f;
	struct seg s;
	struct tcp_options o = { .ts_ok = true, .tsval = 300 };
	uint32_t isn;
	int lfd, fd;
	char *t;

	(void)state;
	tfx_init(&f);
	lfd = listen_on(&f, LPORT);
	fd = passive_open(&f, lfd, &isn);
	/* active close */
	ns_close(f.s, fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, isn + 1, PISN + 1);
	tx_seg(&f, PPORT, LPORT, PISN + 1, isn + 2, TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_false(rx_seg(&f, &s));
	tx_seg(&f, PPORT, LPORT, PISN + 1, isn + 2, TCP_FLAG_ACK | TCP_FLAG_FIN, 512, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, isn + 2, PISN + 2);
	t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
	assert_non_null(strstr(t, "0200000A:9C40 06 "));
	free(t);
	/* a retransmitted FIN is acknowledged again */
	tx_seg(&f, PPORT, LPORT, PISN + 1, isn + 2, TCP_FLAG_ACK | TCP_FLAG_FIN, 512, &o, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, isn + 2, PISN + 2);
	advance(&f, 60 * SEC - 2 * MS);
	t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
	assert_non_null(strstr(t, " 06 "));
	free(t);
	advance(&f, 3 * MS);
	t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
	assert_null(strstr(t, " 06 "));
	free(t);

	/* passive close: the peer's FIN, our delayed ACK, then our FIN */
	fd = passive_open(&f, lfd, &isn);
	tx_seg(&f, PPORT, LPORT, PISN + 1, isn + 1, TCP_FLAG_ACK | TCP_FLAG_FIN, 512, &o, NULL, 0);
	assert_int_equal(tcp_state_of(f.s, fd), TCP_CLOSE_WAIT);
	{
		char b[4];

		assert_int_equal(ns_recv(f.s, fd, b, sizeof(b), 0), 0);
	}
	ns_close(f.s, fd);
	expect_seg(&f, &s, TCP_FLAG_FIN | TCP_FLAG_ACK, isn + 1, PISN + 2);
	tx_seg(&f, PPORT, LPORT, PISN + 2, isn + 2, TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_false(rx_seg(&f, &s));
	t = ns_proc_read(f.s, "/proc/net/tcp", NULL);
	assert_null(strstr(t, "0200000A:9C40"));
	free(t);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passive_open),
		cmocka_unit_test(test_data_and_acks),
		cmocka_unit_test(test_syn_backoff_etimedout),
		cmocka_unit_test(test_unknown_and_bad_input),
		cmocka_unit_test(test_close_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
