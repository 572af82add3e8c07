/* tcp_testutil.h - a stack on a capture device with a static ARP entry for
 * its peer, and helpers that inject exact TCP segments (built with the wire
 * emitters) and parse what the stack sends (header-only). */
#ifndef NSTACK_TCP_TESTUTIL_H
#define NSTACK_TCP_TESTUTIL_H

#include <fcntl.h>
#include <linux/tcp.h>
#include "ipv4_testutil.h"
#include "nstack/socket.h"
#include "wire/tcp.h"
#include "ipv4/tcp.h"

#define US IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)
#define MS 1000000ULL
#define SEC 1000000000ULL

struct tfx {
	struct test_stack *ts;
	struct ns_stack *s;
	struct capdev *c;
};

struct seg {
	struct tcp_repr th;
	struct tcp_options opt;
	uint8_t raw[2048];
	size_t len;
	uint64_t time;
};

static inline void tfx_init(struct tfx *f)
{
	memset(f, 0, sizeof(*f));
	f->ts = test_stack_new("tcp", 7);
	f->s = f->ts->stack;
	f->c = capdev_new(f->ts, "eth0", MAC_US);
	assert_int_equal(inet_addr_add(f->c->dev, US, 24, NULL), 0);
	assert_int_equal(arp_neigh_add(f->c->dev, PEER, MAC_PEER, NUD_PERMANENT), 0);
	test_stack_settle(f->ts);
	while (cap_next(f->c))
		;
}

/* Inject a segment from PEER:sport to US:dport. */
static inline void tx_seg(struct tfx *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			  uint8_t flags, uint16_t win, const struct tcp_options *o, const void *data,
			  size_t len)
{
	uint8_t seg[1600], opts[40], fr[1700];
	struct tcp_repr r = { .sport = sport, .dport = dport, .seq = seq, .ack_seq = ack,
			      .flags = flags, .window = win, .payload = data, .payload_len = len };
	int olen = 0, n;

	if (o) {
		olen = tcp_options_emit(o, opts, sizeof(opts));
		assert_true(olen >= 0);
		r.opts = opts;
		r.opts_len = (size_t)olen;
	}
	n = tcp_emit_ipv4(&r, seg, sizeof(seg), PEER, US);
	assert_true(n > 0);
	capdev_inject(f->c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, US, IPPROTO_TCP, 64, 1, IP_DF, seg,
				      (size_t)n));
	test_stack_settle(f->ts);
}

/* Inject raw TCP bytes (bad input tests). */
static inline void tx_raw(struct tfx *f, const uint8_t *seg, size_t n)
{
	uint8_t fr[1700];

	capdev_inject(f->c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, US, IPPROTO_TCP, 64, 1, IP_DF, seg, n));
	test_stack_settle(f->ts);
}

/* The next TCP segment the stack sent, or false. Checks the checksum. */
static inline bool rx_seg(struct tfx *f, struct seg *s)
{
	struct cap_frame *fr = cap_next(f->c);
	struct eth_repr e;
	struct ipv4_repr ip;
	const uint8_t *l4;

	if (!fr)
		return false;
	l4 = parse_ip(fr, &e, &ip);
	assert_int_equal(ip.protocol, IPPROTO_TCP);
	s->len = ipv4_payload_len(&ip);
	memcpy(s->raw, l4, s->len);
	s->time = fr->time;
	assert_int_equal(tcp_parse_ipv4(s->raw, s->len, ip.saddr, ip.daddr, 0, &s->th, &s->opt), 0);
	return true;
}

static inline void expect_seg(struct tfx *f, struct seg *s, uint8_t flags, uint32_t seq, uint32_t ack)
{
	assert_true(rx_seg(f, s));
	assert_int_equal(s->th.flags, flags);
	assert_int_equal(s->th.seq, seq);
	if (flags & TCP_FLAG_ACK)
		assert_int_equal(s->th.ack_seq, ack);
}

static inline void advance(struct tfx *f, uint64_t ns)
{
	test_stack_advance(f->ts, ns, MS);
}

static inline long long tcpstat(struct ns_stack *s, const char *n)
{
	return proc_counter(s, "/proc/net/snmp", "Tcp", n);
}

static inline int tcp_state_of(struct ns_stack *s, int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	assert_int_equal(ns_getsockopt(s, fd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
	return ti.tcpi_state;
}

/* close with SO_LINGER {1, 0}: RST, nothing left queued (RFC 9293 3.10.5) */
static inline void close_abort(struct tfx *f, int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	assert_int_equal(ns_setsockopt(f->s, fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
	assert_int_equal(ns_close(f->s, fd), 0);
	test_stack_settle(f->ts);
}

#endif
