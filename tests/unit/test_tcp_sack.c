/* test_tcp_sack.c - SACK at the packet level: recovery of several holes
 * (RFC 6675), D-SACK both ways (RFC 2883), the SACK blocks we send (RFC 2018
 * 4), the tail loss probe (RFC 8985 7), crafted SACK floods
 * (CVE-2019-11477 class) and RFC 5961 challenge ACKs. */
#include "tcp_testutil.h"

#define PPORT 4000
#define PISN 7000000U
#define SMSS 1448U

/* Active open to a peer offering SACK (MSS 1460, TS, WS 7). */
static struct conn sack_active(struct tfx *f, uint64_t rtt)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				 .sin_addr.s_addr = htonl(PEER) };
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = 500,
				 .ws_ok = true, .ws = 7, .sack_ok = true };
	struct conn c = { .pport = PPORT, .rcv = PISN + 1, .tsval = 501 };
	struct seg s;

	c.fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(f->s, c.fd, (struct sockaddr *)&a, sizeof(a)), -1);
	test_stack_settle(f->ts);
	assert_true(rx_seg(f, &s));
	assert_true(s.opt.sack_ok);
	c.lport = s.th.sport;
	c.snd = s.th.seq + 1;
	advance(f, rtt);
	o.tsecr = s.opt.tsval;
	tx_seg(f, PPORT, c.lport, PISN, c.snd, TCP_FLAG_SYN | TCP_FLAG_ACK, 65535, &o, NULL, 0);
	expect_seg(f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	return c;
}

/* An ACK from the peer with SACK blocks (n pairs in blk). */
static void peer_sack(struct tfx *f, struct conn *c, uint32_t ack, const uint32_t *blk, int n)
{
	struct tcp_options o = { .ts_ok = true, .tsval = c->tsval++ };

	o.num_sacks = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		o.sacks[i].start = blk[2 * i];
		o.sacks[i].end = blk[2 * i + 1];
	}
	tx_seg(f, c->pport, c->lport, c->rcv, ack, TCP_FLAG_ACK, 2000, &o, NULL, 0);
}

/* Send n full segments; returns the first sequence number. */
static uint32_t send_segs(struct tfx *f, struct conn *c, int n)
{
	static uint8_t buf[64 * 1448];
	struct seg s;
	uint32_t first = c->snd;

	assert_int_equal(ns_send(f->s, c->fd, buf, (size_t)n * SMSS, 0), n * (int)SMSS);
	test_stack_settle(f->ts);
	for (int i = 0; i < n; i++) {
		assert_true(rx_seg(f, &s));
		assert_int_equal(s.th.seq, first + (uint32_t)i * SMSS);
	}
	c->snd += (uint32_t)n * SMSS;
	return first;
}

#define SEG(i) (base + (uint32_t)(i) * SMSS)

/* the next segment is data at seq (PSH may ride on the last one) */
static void expect_data(struct tfx *f, struct seg *s, uint32_t seq, uint32_t ack)
{
	assert_true(rx_seg(f, s));
	assert_int_equal(s->th.flags & ~TCP_FLAG_PSH, TCP_FLAG_ACK);
	assert_int_equal(s->th.seq, seq);
	assert_int_equal(s->th.ack_seq, ack);
	assert_true(s->th.payload_len > 0);
}

/* RFC 6675 5 / RFC 8985 6: three holes in one window - exactly the holes
 * go again, lowest first, at once (within the RTT). */
static void test_sack_recovery_holes(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	uint32_t base;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, 10 * MS);
	base = send_segs(&f, &c, 10);
	advance(&f, 10 * MS);
	/* segments 1, 4 and 7 lost: ACK 1, SACK 2-3, 5-6, 8-9 */
	{
		uint32_t blk[] = { SEG(8), SEG(10), SEG(5), SEG(7), SEG(2), SEG(4) };

		peer_sack(&f, &c, SEG(1), blk, 3);
	}
	expect_data(&f, &s, SEG(1), c.rcv);
	expect_data(&f, &s, SEG(4), c.rcv);
	expect_data(&f, &s, SEG(7), c.rcv);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tfx_info(&f, c.fd).tcpi_ca_state, TCP_CA_RECOVERY);
	assert_int_equal(tcpext(f.s, "TCPSackRecovery"), 1);
	/* the same counter in Linux's TcpExt line pair of /proc/net/netstat */
	assert_int_equal(proc_counter(f.s, "/proc/net/netstat", "TcpExt", "TCPSackRecovery"), 1);
	assert_int_equal(proc_counter(f.s, "/proc/net/netstat", "TcpExt", "TCPFastRetrans"), 1);
	assert_true(proc_counter(f.s, "/proc/net/netstat", "IpExt", "InOctets") > 0);
	/* the holes arrive: the cumulative ACK ends recovery */
	advance(&f, 10 * MS);
	peer_sack(&f, &c, SEG(10), NULL, 0);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_ca_state, TCP_CA_OPEN);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_unacked, 0);
	assert_int_equal(tcpext(f.s, "TCPTimeouts"), 0);
	/* one of three retransmissions reported duplicate: no undo */
	{
		uint32_t blk[] = { SEG(1), SEG(2) };

		peer_sack(&f, &c, SEG(10), blk, 1);
	}
	assert_int_equal(tcpext(f.s, "TCPDSACKRecv"), 1);
	assert_int_equal(tcpext(f.s, "TCPDSACKUndo"), 0);
	assert_true(tfx_info(&f, c.fd).tcpi_snd_cwnd < 10);	/* from 10 * 0.7 */
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* The scoreboard across ACKs: a block that grows, a hole that fills and
 * merges two blocks, a block that shrinks (stale): each whole segment
 * counted once. */
static void test_sack_scoreboard_across_acks(void **state)
{
	struct tfx f;
	struct conn c;
	uint32_t base;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, 10 * MS);
	base = send_segs(&f, &c, 10);
	advance(&f, 10 * MS);
	{
		uint32_t b1[] = { SEG(3), SEG(5) };
		uint32_t b2[] = { SEG(3), SEG(6) };			/* grows */
		uint32_t b3[] = { SEG(3), SEG(6), SEG(7), SEG(8) };	/* a second one */
		uint32_t b4[] = { SEG(2), SEG(8) };			/* 2 and 6 filled: merged */
		uint32_t b5[] = { SEG(4), SEG(5) };			/* inside, nothing new */

		peer_sack(&f, &c, SEG(0), b1, 1);
		assert_int_equal(tfx_info(&f, c.fd).tcpi_sacked, 2);
		peer_sack(&f, &c, SEG(0), b2, 1);
		assert_int_equal(tfx_info(&f, c.fd).tcpi_sacked, 3);
		peer_sack(&f, &c, SEG(0), b3, 2);
		assert_int_equal(tfx_info(&f, c.fd).tcpi_sacked, 4);
		peer_sack(&f, &c, SEG(0), b4, 1);
		assert_int_equal(tfx_info(&f, c.fd).tcpi_sacked, 6);
		peer_sack(&f, &c, SEG(0), b5, 1);
		assert_int_equal(tfx_info(&f, c.fd).tcpi_sacked, 6);
	}
	peer_sack(&f, &c, SEG(10), NULL, 0);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_sacked, 0);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_unacked, 0);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* RFC 2883 4: a D-SACK below the cumulative ACK reports a duplicate (our
 * spurious retransmission): counted, never marks anything, and as every
 * retransmission of the recovery was a duplicate, the cwnd reduction is
 * undone (Linux's tcp_try_undo_dsack). */
static void test_dsack_received(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	uint32_t base;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, 10 * MS);
	base = send_segs(&f, &c, 4);
	advance(&f, 10 * MS);
	{
		uint32_t blk[] = { SEG(1), SEG(4) };

		peer_sack(&f, &c, SEG(0), blk, 1);
	}
	/* 3 SACKed above segment 0: lost (DupThresh), retransmitted */
	expect_data(&f, &s, SEG(0), c.rcv);
	/* the original was only late: full ACK, then the D-SACK for the copy */
	peer_sack(&f, &c, SEG(4), NULL, 0);
	{
		uint32_t blk[] = { SEG(0), SEG(1) };

		peer_sack(&f, &c, SEG(4), blk, 1);
	}
	assert_int_equal(tcpext(f.s, "TCPDSACKRecv"), 1);
	assert_int_equal(tcpext(f.s, "TCPSACKDiscard"), 0);
	/* the only retransmission was needless: the window comes back */
	assert_int_equal(tcpext(f.s, "TCPDSACKUndo"), 1);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_cwnd, 10);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_snd_ssthresh, TCP_INFINITE_SSTHRESH);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* RFC 2018 4: our ACKs for out-of-order data carry the block of the latest
 * arrival first; RFC 2883 4.1.1: a duplicate gets a D-SACK block. */
static void test_sack_blocks_sent(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	static uint8_t d[100];
	uint32_t r0;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, MS);
	r0 = c.rcv;
	c.rcv = r0 + 200;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, d, 100);	/* [200,300) */
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, r0);
	assert_int_equal(s.opt.num_sacks, 1);
	assert_int_equal(s.opt.sacks[0].start, r0 + 200);
	assert_int_equal(s.opt.sacks[0].end, r0 + 300);
	c.rcv = r0 + 400;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, d, 100);	/* [400,500) */
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, r0);
	assert_int_equal(s.opt.num_sacks, 2);
	assert_int_equal(s.opt.sacks[0].start, r0 + 400);
	assert_int_equal(s.opt.sacks[1].start, r0 + 200);
	c.rcv = r0 + 300;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, d, 100);	/* [300,400): merges */
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, r0);
	assert_int_equal(s.opt.num_sacks, 1);
	assert_int_equal(s.opt.sacks[0].start, r0 + 200);
	assert_int_equal(s.opt.sacks[0].end, r0 + 500);
	/* fill the hole, then send [0,100) again: D-SACK */
	c.rcv = r0;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, d, 100);
	c.rcv = r0 + 100;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, d, 100);
	while (rx_seg(&f, &s))
		;
	c.rcv = r0;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, d, 100);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, r0 + 500);
	assert_int_equal(s.opt.num_sacks, 1);
	assert_int_equal(s.opt.sacks[0].start, r0);
	assert_int_equal(s.opt.sacks[0].end, r0 + 100);
	assert_int_equal(tcpext(f.s, "TCPDSACKOldSent"), 1);
	assert_true(tcpext(f.s, "TCPOFOQueue") >= 3);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* RFC 8985 7: the last three segments are lost; the probe (the last
 * segment again) goes at PTO = 2 SRTT (+2 ms), its SACK lets RACK mark the
 * other two, and no RTO fires. */
static void test_tail_loss_probe(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	uint32_t base;
	uint64_t t_ack;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, 10 * MS);
	base = send_segs(&f, &c, 10);
	advance(&f, 10 * MS);
	peer_sack(&f, &c, SEG(7), NULL, 0);
	t_ack = f.ts->clock.now;
	assert_false(rx_seg(&f, &s));
	advance(&f, 40 * MS);
	expect_data(&f, &s, SEG(9), c.rcv);
	/* 2 * SRTT (10 ms) + 2 ms, on the 1 ms test tick */
	assert_true(s.time - t_ack >= 20 * MS && s.time - t_ack <= 24 * MS);
	assert_int_equal(tcpext(f.s, "TCPLossProbes"), 1);
	{
		uint32_t blk[] = { SEG(9), SEG(10) };

		advance(&f, 10 * MS);
		peer_sack(&f, &c, SEG(7), blk, 1);
	}
	/* RACK: 7 and 8 were sent before the SACKed probe and an RTT ago */
	expect_data(&f, &s, SEG(7), c.rcv);
	expect_data(&f, &s, SEG(8), c.rcv);
	advance(&f, 10 * MS);
	peer_sack(&f, &c, SEG(10), NULL, 0);
	assert_int_equal(tfx_info(&f, c.fd).tcpi_unacked, 0);
	assert_int_equal(tcpext(f.s, "TCPTimeouts"), 0);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* A lone lost tail segment: the probe repairs it (RFC 8985 7.4),
 * counted as TCPLossProbeRecovery. */
static void test_tail_loss_probe_single(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	uint32_t base;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, 10 * MS);
	base = send_segs(&f, &c, 4);
	advance(&f, 10 * MS);
	peer_sack(&f, &c, SEG(2), NULL, 0);
	advance(&f, 60 * MS);
	expect_data(&f, &s, SEG(3), c.rcv);
	peer_sack(&f, &c, SEG(4), NULL, 0);
	assert_int_equal(tcpext(f.s, "TCPLossProbeRecovery"), 1);
	assert_int_equal(tcpext(f.s, "TCPTimeouts"), 0);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

/* CVE-2019-11477/11478 class: thousands of crafted SACK blocks (out of
 * window, reversed, overlapping, one byte, partial) never split the
 * retransmit queue nor push a counter past the segments in flight, with a
 * normal and with a tiny MSS (the peer announces 48, we clamp to 88). */
static void sack_flood(uint16_t peer_mss)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PPORT),
				 .sin_addr.s_addr = htonl(PEER) };
	struct tcp_options o = { .mss_ok = true, .mss = peer_mss, .ts_ok = true, .tsval = 500,
				 .ws_ok = true, .ws = 7, .sack_ok = true };
	static uint8_t buf[20000];
	struct tcp_sock *tp;
	uint32_t base, x = 12345, smss, qlen, nxt, maxq;
	ssize_t sent;

	tfx_init(&f);
	c.fd = ns_socket(f.s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ns_connect(f.s, c.fd, (struct sockaddr *)&a, sizeof(a));
	test_stack_settle(f.ts);
	assert_true(rx_seg(&f, &s));
	c.lport = s.th.sport;
	c.pport = PPORT;
	c.snd = s.th.seq + 1;
	c.rcv = PISN + 1;
	c.tsval = 501;
	advance(&f, 10 * MS);
	o.tsecr = s.opt.tsval;
	tx_seg(&f, PPORT, c.lport, PISN, c.snd, TCP_FLAG_SYN | TCP_FLAG_ACK, 65535, &o, NULL, 0);
	assert_true(rx_seg(&f, &s));
	tp = container_of(f.s->tcp->all.prev, struct tcp_sock, all_node);
	smss = tp->mss_cache;
	sent = ns_send(f.s, c.fd, buf, sizeof(buf), 0);	/* what the send buffer takes */
	assert_true(sent > 0);
	maxq = (uint32_t)(sent + smss - 1) / smss;
	test_stack_settle(f.ts);
	while (rx_seg(&f, &s))
		;
	base = c.snd;
	qlen = tp->rtx_queue.qlen;
	nxt = tp->snd_nxt;
	assert_int_equal(qlen, tp->packets_out);
	for (int i = 0; i < 3000; i++) {
		uint32_t blk[6];
		struct tcp_info ti;

		for (int k = 0; k < 6; k++) {
			x = x * 1103515245u + 12345u;
			switch ((x >> 8) % 6) {
			case 0: blk[k] = x; break;					/* anywhere */
			case 1: blk[k] = base + (x % (qlen + 1)) * smss; break;	/* skb edges */
			case 2: blk[k] = base + (x % qlen) * smss + 1 + (x >> 20) % (smss - 1); break;
			case 3: blk[k] = base - (x >> 12) % 70000; break;		/* below */
			case 4: blk[k] = nxt + (x >> 12) % 100; break;		/* beyond */
			default: blk[k] = k ? blk[k - 1] + 1 : base; break;	/* 1 byte */
			}
		}
		peer_sack(&f, &c, base, blk, 3);
		ti = tfx_info(&f, c.fd);
		/* SACKs open the pipe: more may go, never more than was written */
		assert_true(ti.tcpi_unacked <= maxq);
		assert_true(ti.tcpi_sacked <= ti.tcpi_unacked);
		assert_true(ti.tcpi_lost <= ti.tcpi_unacked);
		assert_true(ti.tcpi_retrans <= ti.tcpi_unacked);
		/* never split: one skb per segment sent */
		assert_int_equal(tp->rtx_queue.qlen, tp->packets_out);
		assert_int_equal(tp->rtx_queue.qlen, (tp->snd_nxt - base + smss - 1) / smss);
		while (rx_seg(&f, &s))
			assert_true(s.th.payload_len <= smss);
	}
	assert_true(tcpext(f.s, "TCPSACKDiscard") > 1000);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

static void test_sack_flood_bounded(void **state)
{
	(void)state;
	sack_flood(1460);
}

static void test_sack_flood_tiny_mss(void **state)
{
	(void)state;
	sack_flood(48);
}

/* RFC 5961 3.2 / 4: an in-window RST that is not RCV.NXT and an in-window
 * SYN get a challenge ACK, the connection lives; the per-socket limit
 * (tcp_invalid_ratelimit 500 ms) lets one through per interval. */
static void test_challenge_acks(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	uint32_t rcv;

	(void)state;
	tfx_init(&f);
	c = sack_active(&f, MS);
	rcv = c.rcv;
	advance(&f, SEC);
	c.rcv = rcv + 100;
	peer_tx(&f, &c, TCP_FLAG_RST, 2000, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, rcv);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	assert_int_equal(tcpext(f.s, "TCPChallengeACK"), 1);
	/* a SYN within 500 ms: rate limited, no ACK */
	c.rcv = rcv + 50;
	peer_tx(&f, &c, TCP_FLAG_SYN, 2000, NULL, 0);
	assert_false(rx_seg(&f, &s));
	assert_int_equal(tcpext(f.s, "TCPSYNChallenge"), 1);
	assert_int_equal(tcpext(f.s, "TCPACKSkippedChallenge"), 1);
	/* after the interval, the next one is answered */
	advance(&f, 600 * MS);
	peer_tx(&f, &c, TCP_FLAG_SYN, 2000, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd, rcv);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	assert_int_equal(tcpext(f.s, "TCPChallengeACK"), 2);
	/* RFC 5961 5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped
	 * (and challenged) */
	advance(&f, 600 * MS);
	c.rcv = rcv;
	c.snd -= 1000000;
	peer_tx(&f, &c, TCP_FLAG_ACK, 2000, NULL, 0);
	expect_seg(&f, &s, TCP_FLAG_ACK, c.snd + 1000000, rcv);
	assert_int_equal(tcpext(f.s, "TCPChallengeACK"), 3);
	/* the exact RST kills it */
	c.snd += 1000000;
	peer_tx(&f, &c, TCP_FLAG_RST, 2000, NULL, 0);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_CLOSE);
	ns_close(f.s, c.fd);
	test_stack_free(f.ts);
}

/* RFC 5961 7 with Linux's per-stack budget (CVE-2016-5696): at most
 * about tcp_challenge_ack_limit challenge ACKs per second, a random count
 * in [limit/2, 3 limit/2) so an observer cannot read the budget's use. */
static void test_challenge_ack_stack_limit(void **state)
{
	struct tfx f;
	struct conn c;
	struct seg s;
	uint32_t rcv;
	int sent[2] = { 0, 0 };

	(void)state;
	tfx_init(&f);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_invalid_ratelimit", "0"), 0);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_challenge_ack_limit", "10"), 0);
	c = sack_active(&f, MS);
	rcv = c.rcv;
	for (int sec = 0; sec < 2; sec++) {
		advance(&f, SEC);
		for (int i = 0; i < 100; i++) {
			c.rcv = rcv + 10 + (uint32_t)i;
			peer_tx(&f, &c, TCP_FLAG_RST, 2000, NULL, 0);
			while (rx_seg(&f, &s))
				sent[sec]++;
		}
		assert_true(sent[sec] >= 5 && sent[sec] < 15);
	}
	assert_int_equal(tcpext(f.s, "TCPChallengeACK"), sent[0] + sent[1]);
	assert_int_equal(tcp_state_of(f.s, c.fd), TCP_ESTABLISHED);
	close_abort(&f, c.fd);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sack_recovery_holes),
		cmocka_unit_test(test_sack_scoreboard_across_acks),
		cmocka_unit_test(test_dsack_received),
		cmocka_unit_test(test_sack_blocks_sent),
		cmocka_unit_test(test_tail_loss_probe),
		cmocka_unit_test(test_tail_loss_probe_single),
		cmocka_unit_test(test_sack_flood_bounded),
		cmocka_unit_test(test_sack_flood_tiny_mss),
		cmocka_unit_test(test_challenge_acks),
		cmocka_unit_test(test_challenge_ack_stack_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
