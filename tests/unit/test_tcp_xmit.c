/* test_tcp_xmit.c - packet-level tests in virtual time of TCP's sending
 * side: Nagle / TCP_NODELAY / TCP_CORK, the retransmission timer's backoff
 * up to ETIMEDOUT, fast retransmit and NewReno recovery with the
 * congestion window after each step, zero-window probes, and path MTU
 * discovery. The test plays the peer; each test names the RFC section it
 * checks. Helpers in tcp_testutil.h. */
#include "tcp_testutil.h"

#define PPORT 40000
#define LPORT 80
#define PISN 1000000u

static void setint(struct tfx *f, int fd, int opt, int v)
{
	assert_int_equal(ns_setsockopt(f->s, fd, IPPROTO_TCP, opt, &v, sizeof(v)), 0);
}

/* Run the stack until absolute virtual time t, timer to timer. */
static void run_until(struct tfx *f, uint64_t t)
{
	test_stack_advance(f->ts, t - f->ts->clock.now, 1000 * SEC);
}

/* Expect one data segment at c->snd of len bytes; advance c->snd. */
static void expect_data(struct tfx *f, struct conn *c, size_t len)
{
	struct seg s;

	assert_true(rx_seg(f, &s));
	assert_true(s.th.flags & TCP_FLAG_ACK);
	assert_int_equal(s.th.seq, c->snd);
	assert_int_equal(s.th.payload_len, len);
	c->snd += (uint32_t)len;
}

/* RFC 896, RFC 1122 4.2.3.4, Linux's Minshall variant: a small segment
 * waits while an earlier small segment is unacknowledged; small writes
 * coalesce; a full segment never waits. */
static void test_nagle(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t full[1448];
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	assert_int_equal(ns_send(f.s, c.fd, "a", 1, 0), 1);
	expect_data(&f, &c, 1);				/* nothing in flight: at once */
	assert_int_equal(ns_send(f.s, c.fd, "b", 1, 0), 1);
	assert_int_equal(ns_send(f.s, c.fd, "c", 1, 0), 1);
	assert_false(rx_seg(&f, &s));			/* held */
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);	/* acks "a" */
	expect_data(&f, &c, 2);				/* "bc" in one segment */
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_int_equal(ns_send(f.s, c.fd, full, sizeof(full), 0), (ssize_t)sizeof(full));
	expect_data(&f, &c, 1448);
	/* only a full segment in flight: a small one may go (Minshall) */
	assert_int_equal(ns_send(f.s, c.fd, "d", 1, 0), 1);
	expect_data(&f, &c, 1);
	assert_int_equal(ns_send(f.s, c.fd, "e", 1, 0), 1);
	assert_false(rx_seg(&f, &s));
	/* a full segment queued behind is not held either: the held byte and
	 * 1447 more form one full segment, the remaining byte waits */
	assert_int_equal(ns_send(f.s, c.fd, full, sizeof(full), 0), (ssize_t)sizeof(full));
	expect_data(&f, &c, 1448);
	assert_false(rx_seg(&f, &s));
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	expect_data(&f, &c, 1);
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_false(rx_seg(&f, &s));
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 1122 4.2.3.4 (the application may disable Nagle): TCP_NODELAY sends
 * small segments at once and pushes what Nagle held; TCP_CORK holds
 * partial segments even with nothing in flight until a full one forms or
 * the cork is pulled. */
static void test_nodelay_cork(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t full[1448];
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	assert_int_equal(ns_send(f.s, c.fd, "a", 1, 0), 1);
	expect_data(&f, &c, 1);
	assert_int_equal(ns_send(f.s, c.fd, "b", 1, 0), 1);
	assert_false(rx_seg(&f, &s));
	setint(&f, c.fd, TCP_NODELAY, 1);		/* pushes "b" */
	expect_data(&f, &c, 1);
	assert_int_equal(ns_send(f.s, c.fd, "c", 1, 0), 1);
	expect_data(&f, &c, 1);				/* two small in flight */
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	/* TCP_CORK wins over TCP_NODELAY */
	setint(&f, c.fd, TCP_CORK, 1);
	assert_int_equal(ns_send(f.s, c.fd, "k", 1, 0), 1);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(ns_send(f.s, c.fd, full, sizeof(full), 0), (ssize_t)sizeof(full));
	expect_data(&f, &c, 1448);
	assert_false(rx_seg(&f, &s));
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_false(rx_seg(&f, &s));			/* nothing in flight, still corked */
	setint(&f, c.fd, TCP_CORK, 0);
	expect_data(&f, &c, 1);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 6298 2.4 / 5.5 with Linux's numbers: RTO = SRTT + max(4 RTTVAR,
 * 200 ms) = 210 ms after a 10 ms handshake, doubled per timeout up to
 * 120 s; Linux gives up (ETIMEDOUT) once the time since the original
 * transmission reaches tcp_retries2 = 15's model, (2^10 - 1) * 200 ms +
 * 6 * 120 s = 924.6 s: 15 retransmissions, then nothing. */
static void test_rto_backoff_etimedout(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t data[100];
	uint64_t t0, at = 0, rto = 210 * MS;
	int n = 0;

	(void)state;
	tfx_init(&f);
	c = tfx_active(&f, PPORT, PISN, 65535, 10 * MS);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_rto, 210000);
	assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	assert_true(rx_seg(&f, &s));
	t0 = s.time;
	for (n = 0; n < 15; n++) {
		at += rto;
		run_until(&f, t0 + at - 1);
		assert_false(rx_seg(&f, &s));
		run_until(&f, t0 + at);
		assert_true(rx_seg(&f, &s));
		assert_int_equal(s.time - t0, at);
		assert_int_equal(s.th.seq, c.snd);
		assert_int_equal(s.th.payload_len, 100);
		assert_int_equal(tfx_info(&f, c.fd).tcpi_backoff, n + 1);
		rto = NS_MIN(rto * 2, 120 * SEC);
	}
	assert_int_equal(at, 814830 * MS);
	/* the 16th timeout, at 934.83 s >= 924.6 s: give up */
	run_until(&f, t0 + at + rto - 1);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	run_until(&f, t0 + at + rto);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSE);
	assert_int_equal(sock_err(&f, c.fd), ETIMEDOUT);
	assert_int_equal(tcpstat(f.s, "RetransSegs"), 15);
	assert_int_equal(tcpext(f.s, "TCPAbortOnTimeout"), 1);
	ns_close(f.s, c.fd);

	/* time, not a count: starting at RTO 1 s (no RTT sample yet) the
	 * timeouts come at 1, 3, 7, ... 847 s (13 retransmissions) and the
	 * 14th, at 967 s, is past 924.6 s */
	{
		int lfd = tfx_listen(&f, LPORT);

		c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
		assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
		assert_true(rx_seg(&f, &s));
		t0 = s.time;
		at = 0;
		rto = SEC;
		for (n = 0; n < 13; n++) {
			at += rto;
			run_until(&f, t0 + at);
			assert_true(rx_seg(&f, &s));
			assert_int_equal(s.time - t0, at);
			rto = NS_MIN(rto * 2, 120 * SEC);
		}
		assert_int_equal(at, 847 * SEC);
		run_until(&f, t0 + at + rto);
		assert_false(rx_seg(&f, &s));
		assert_int_equal(sock_err(&f, c.fd), ETIMEDOUT);
		ns_close(f.s, c.fd);
		ns_close(f.s, lfd);
	}
	test_stack_free(f.ts);
}

static void expect_ca(struct tfx *f, int fd, uint32_t cwnd, uint32_t ssthresh, uint8_t ca)
{
	struct tcp_info ti = tfx_info(f, fd);

	assert_int_equal(ti.tcpi_snd_cwnd, cwnd);
	assert_int_equal(ti.tcpi_snd_ssthresh, ssthresh);
	assert_int_equal(ti.tcpi_ca_state, ca);
}

/* RFC 5681 3.2: the third duplicate ACK retransmits the first unacked
 * segment with ssthresh = cwnd / 2 (Linux's reno: cwnd, not FlightSize);
 * RFC 3042: the first two let a new segment out each (limited transmit);
 * in recovery each further one counts as a segment that left the network
 * (Linux's sacked_out, equal to the RFC's cwnd inflation), so new data
 * goes once cwnd + dupacks exceeds the flight; RFC 6582 3.2: a partial ACK
 * retransmits the next hole at once, the full ACK ends recovery with
 * cwnd = ssthresh. */
static void test_fast_retransmit_newreno(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t data[14 * 1448];
	uint32_t base;
	int lfd, i;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	/* NewReno's halving (CUBIC, the default, keeps 0.7) */
	assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), 0);
	base = c.snd;
	assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	for (i = 0; i < 10; i++)
		expect_data(&f, &c, 1448);		/* IW10; 4 wait */
	assert_false(rx_seg(&f, &s));
	expect_ca(&f, c.fd, 10, TCP_INFINITE_SSTHRESH, TCP_CA_OPEN);
	c.snd = base;					/* the peer acks base: S0 lost */
	for (i = 10; i < 12; i++) {
		peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
		expect_seg(&f, &s, TCP_FLAG_ACK, base + (uint32_t)i * 1448, c.rcv);
		assert_int_equal(s.th.payload_len, 1448);
		assert_false(rx_seg(&f, &s));
	}
	expect_ca(&f, c.fd, 10, TCP_INFINITE_SSTHRESH, TCP_CA_DISORDER);
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);	/* the third */
	expect_seg(&f, &s, TCP_FLAG_ACK, base, c.rcv);
	assert_int_equal(s.th.payload_len, 1448);
	assert_false(rx_seg(&f, &s));
	expect_ca(&f, c.fd, 5, 5, TCP_CA_RECOVERY);
	/* dup ACKs 4..7: flight 12 >= 5 + n; 8 and 9 send S12, S13 */
	for (i = 4; i < 8; i++)
		peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_false(rx_seg(&f, &s));
	for (i = 12; i < 14; i++) {
		peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
		expect_seg(&f, &s, (uint8_t)(TCP_FLAG_ACK | (i == 13 ? TCP_FLAG_PSH : 0)),
			   base + (uint32_t)i * 1448, c.rcv);
		assert_int_equal(s.th.payload_len, 1448);
	}
	assert_false(rx_seg(&f, &s));
	expect_ca(&f, c.fd, 5, 5, TCP_CA_RECOVERY);
	/* partial ACK up to S4 (S4 was lost too): S4 goes at once */
	c.snd = base + 4 * 1448;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, base + 4 * 1448, c.rcv);
	assert_int_equal(s.th.payload_len, 1448);
	assert_false(rx_seg(&f, &s));
	expect_ca(&f, c.fd, 5, 5, TCP_CA_RECOVERY);
	/* full ACK: recovery over, cwnd = ssthresh */
	c.snd = base + 14 * 1448;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_false(rx_seg(&f, &s));
	expect_ca(&f, c.fd, 5, 5, TCP_CA_OPEN);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_total_retrans, 2);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_unacked, 0);
	assert_int_equal(tcpext(f.s, "TCPFastRetrans"), 1);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* RFC 9293 3.8.6.1 / RFC 1122 4.2.2.17: with a zero window and data
 * waiting, the persist timer sends probes (SEG.SEQ = SND.UNA - 1, Linux)
 * at RTO, then backed off; a peer that answers keeps the connection alive
 * indefinitely; when the window opens, the data goes at once. */
static void test_zero_window_probe(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t data[100];
	static const uint64_t at[] = { 1, 3, 7, 15, 31, 63, 127, 247, 367, 487, 607, 727, 847,
				       967, 1087, 1207, 1327, 1447, 1567 };
	uint64_t t0;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	peer_tx(&f, &c, TCP_FLAG_ACK, 0, NULL, 0);	/* window closes */
	t0 = f.ts->clock.now;
	assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	assert_false(rx_seg(&f, &s));
	/* RTO is 1 s (no RTT sample yet); 19 probes, past tcp_retries2 */
	for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
		run_until(&f, t0 + at[i] * SEC - 1);
		assert_false(rx_seg(&f, &s));
		run_until(&f, t0 + at[i] * SEC);
		expect_seg(&f, &s, TCP_FLAG_ACK, c.snd - 1, c.rcv);
		assert_int_equal(s.th.payload_len, 0);
		assert_false(rx_seg(&f, &s));
		peer_tx(&f, &c, TCP_FLAG_ACK, 0, NULL, 0);
		assert_false(rx_seg(&f, &s));
	}
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	assert_int_equal(tcpext(f.s, "TCPWinProbe"), ARRAY_SIZE(at));
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);	/* window opens */
	expect_data(&f, &c, 100);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_backoff, 0);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* An ICMP fragmentation-needed (RFC 1191, RFC 792) about segment seq. */
static void icmp_frag_needed(struct tfx *f, struct conn *c, uint32_t seq, uint16_t mtu,
			     unsigned int seg_len)
{
	uint8_t quote[28], icmp[8 + 28], fr[128];
	struct ipv4_repr ip = { .tot_len = (uint16_t)(20 + seg_len), .id = 1, .ttl = 64,
				.protocol = IPPROTO_TCP, .saddr = US, .daddr = PEER, .df = true };
	struct icmp_repr r = { .type = ICMP_DEST_UNREACH, .code = ICMP_FRAG_NEEDED,
			       .data = quote, .data_len = sizeof(quote) };

	assert_int_equal(ipv4_emit(&ip, quote, 20), 20);
	put_be16(quote + 20, c->lport);
	put_be16(quote + 22, c->pport);
	put_be32(quote + 24, seq);
	r.un.mtu = mtu;
	assert_int_equal(icmp_emit(&r, icmp, sizeof(icmp)), (int)sizeof(icmp));
	capdev_inject(f->c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, US, IPPROTO_ICMP, 64, 2, 0, icmp,
				      sizeof(icmp)));
	test_stack_settle(f->ts);
}

/* RFC 1191 / RFC 5927: ICMP fragmentation needed lowers the MSS to fit the
 * next-hop MTU and what was lost is resent at once at the new size
 * (Linux's tcp_simple_retransmit), without a congestion response. */
static void test_pmtu_frag_needed(void **state)
{
	struct tfx f;
	struct seg s;
	struct conn c;
	static uint8_t data[2000];
	uint32_t base;
	int lfd;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	base = c.snd;
	assert_int_equal(ns_send(f.s, c.fd, data, 1448, 0), 1448);
	expect_data(&f, &c, 1448);
	icmp_frag_needed(&f, &c, base, 1200, 20 + 12 + 1448);
	c.snd = base;
	expect_data(&f, &c, 1200 - 40 - 12);
	expect_data(&f, &c, 1448 - 1148);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_mss, 1148);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_pmtu, 1200);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_cwnd, 10);
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_ca_state, TCP_CA_OPEN);
	/* new data at the new size */
	assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	expect_data(&f, &c, 1148);
	expect_data(&f, &c, 2000 - 1148);
	/* an error quoting a sequence number not in flight is ignored */
	icmp_frag_needed(&f, &c, base - 5000, 1000, 100);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_mss, 1148);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* Drops of any reason on the stack (consumed skbs are not drops). */
static uint64_t all_drops(struct ns_stack *s)
{
	uint64_t n = 0;

	for (int r = 0; r < SKB_DROP_REASON_MAX; r++)
		if (r != SKB_DROP_REASON_CONSUMED)
			n += s->drop_reasons[r];
	return n;
}

/* A sender that fills its send buffer and waits is no packet drop (Linux's
 * tcp_sendmsg_locked checks sk_stream_memory_free before allocating): every
 * -EAGAIN of a full buffer leaves the drop counters alone, and the writer
 * goes on once the peer acknowledges. */
static void test_sndbuf_full_no_drop(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	static uint8_t data[4096];
	int lfd, sndbuf = 16384, sent = 0, eagain = 0;
	uint64_t drops0;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	assert_int_equal(ns_setsockopt(f.s, c.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	drops0 = all_drops(f.s);
	for (int i = 0; i < 200; i++) {
		ssize_t n = ns_send(f.s, c.fd, data, sizeof(data), MSG_DONTWAIT);

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			eagain++;
		} else {
			sent += (int)n;
		}
	}
	assert_true(eagain > 150);		/* the buffer filled, the writer kept trying */
	assert_true(sent > 0 && sent < 200 * (int)sizeof(data));
	assert_int_equal(all_drops(f.s), drops0);
	/* the peer acknowledges everything sent so far: room again */
	while (rx_seg(&f, &s))
		if (s.th.seq + s.th.payload_len - c.snd < (1u << 30))
			c.snd = s.th.seq + s.th.payload_len;
	peer_tx(&f, &c, TCP_FLAG_ACK, 512, NULL, 0);
	assert_true(ns_send(f.s, c.fd, data, sizeof(data), MSG_DONTWAIT) > 0);
	assert_int_equal(all_drops(f.s), drops0);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* Over the tcp_mem hard limit (Linux's sk_wmem_schedule) a sender keeps
 * only its tcp_wmem[0] guarantee, whatever its SO_SNDBUF: it waits, no skb
 * is allocated and dropped; below the limit again it goes on. */
static void test_tcp_mem_hard_limit_send(void **state)
{
	struct tfx f;
	struct conn c;
	static uint8_t data[64 * 1024];
	int lfd, sndbuf = 1 << 18;
	uint64_t drops0;
	ssize_t n;

	(void)state;
	tfx_init(&f);
	lfd = tfx_listen(&f, LPORT);
	c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
	assert_int_equal(ns_setsockopt(f.s, c.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_mem", "1 1 1"), 0);
	drops0 = all_drops(f.s);
	n = ns_send(f.s, c.fd, data, sizeof(data), MSG_DONTWAIT);
	print_message("over tcp_mem[2]: %zd bytes taken\n", n);
	assert_true(n > 0 && n < 8 * 1448);	/* about tcp_wmem[0] = 4096 of skbs */
	assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(all_drops(f.s), drops0);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_mem", "24576 32768 49152"), 0);
	assert_true(ns_send(f.s, c.fd, data, sizeof(data), MSG_DONTWAIT) > 0);
	assert_int_equal(all_drops(f.s), drops0);
	close_abort(&f, c.fd);
	ns_close(f.s, lfd);
	test_stack_free(f.ts);
}

/* The peer ACKs each of the next n full segments on its own, rtt after. */
static void ack_each(struct tfx *f, struct conn *c, int n, uint64_t rtt)
{
	advance(f, rtt);
	for (int i = 0; i < n; i++) {
		expect_data(f, c, 1448);
		peer_tx(f, c, TCP_FLAG_ACK, 512, NULL, 0);
	}
}

/* RFC 7661 / Linux's tcp_is_cwnd_limited: cwnd grows only while the
 * sender fills it. An application-limited sender in slow start gets at
 * most twice its largest flight: one segment per RTT leaves IW10 alone,
 * eight per RTT stop at 16 - for NewReno and CUBIC alike. */
static void test_cwnd_app_limited(void **state)
{
	static const char *const cc[] = { "reno", "cubic" };
	static uint8_t data[8 * 1448];

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(cc); k++) {
		struct tfx f;
		struct conn c;
		struct seg s;
		int lfd;

		tfx_init(&f);
		lfd = tfx_listen(&f, LPORT);
		c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
		assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_CONGESTION, cc[k],
					       strlen(cc[k])), 0);
		for (int r = 0; r < 30; r++) {		/* 1 segment per RTT */
			assert_int_equal(ns_send(f.s, c.fd, data, 1448, 0), 1448);
			ack_each(&f, &c, 1, 10 * MS);
			assert_false(rx_seg(&f, &s));
		}
		expect_ca(&f, c.fd, 10, TCP_INFINITE_SSTHRESH, TCP_CA_OPEN);
		for (int r = 0; r < 10; r++) {		/* 8 segments per RTT */
			assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
			ack_each(&f, &c, 8, 10 * MS);
			assert_false(rx_seg(&f, &s));
		}
		print_message("%s: app-limited cwnd %u\n", cc[k], tfx_info(&f, c.fd).tcpi_snd_cwnd);
		expect_ca(&f, c.fd, 16, TCP_INFINITE_SSTHRESH, TCP_CA_OPEN);
		close_abort(&f, c.fd);
		ns_close(f.s, lfd);
		test_stack_free(f.ts);
	}
}

/* A bulk sender fills cwnd, so slow start goes on as before (RFC 5681 3.1):
 * each ACK of the first flight adds a segment, 10 -> 20 (NewReno; CUBIC's
 * HyStart may end slow start on the same-instant ACK train at 16). */
static void test_cwnd_bulk_grows(void **state)
{
	static const char *const cc[] = { "reno", "cubic" };
	static uint8_t data[40 * 1448];

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(cc); k++) {
		struct tfx f;
		struct conn c;
		uint32_t cwnd;
		int lfd, sndbuf = 1 << 18;

		tfx_init(&f);
		lfd = tfx_listen(&f, LPORT);
		c = tfx_passive(&f, lfd, LPORT, PPORT, PISN, 512);
		assert_int_equal(ns_setsockopt(f.s, c.fd, IPPROTO_TCP, TCP_CONGESTION, cc[k],
					       strlen(cc[k])), 0);
		assert_int_equal(ns_setsockopt(f.s, c.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
					       sizeof(sndbuf)), 0);
		assert_int_equal(ns_send(f.s, c.fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
		ack_each(&f, &c, 10, 10 * MS);
		cwnd = tfx_info(&f, c.fd).tcpi_snd_cwnd;
		print_message("%s: bulk cwnd %u after one flight\n", cc[k], cwnd);
		if (k == 0)
			assert_int_equal(cwnd, 20);
		else
			assert_true(cwnd >= 16 && cwnd <= 20);
		close_abort(&f, c.fd);
		ns_close(f.s, lfd);
		test_stack_free(f.ts);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nagle),
		cmocka_unit_test(test_nodelay_cork),
		cmocka_unit_test(test_rto_backoff_etimedout),
		cmocka_unit_test(test_fast_retransmit_newreno),
		cmocka_unit_test(test_zero_window_probe),
		cmocka_unit_test(test_pmtu_frag_needed),
		cmocka_unit_test(test_sndbuf_full_no_drop),
		cmocka_unit_test(test_tcp_mem_hard_limit_send),
		cmocka_unit_test(test_cwnd_app_limited),
		cmocka_unit_test(test_cwnd_bulk_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
