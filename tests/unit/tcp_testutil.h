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

/* ---- a connection played from the peer's side ---------------------------------------- */
struct conn {
	int fd;
	uint16_t lport, pport;	/* our port, the peer's */
	uint32_t snd;		/* our next sequence number (SND.NXT) */
	uint32_t rcv;		/* the peer's next sequence number (our RCV.NXT) */
	uint32_t tsval;		/* the peer's next TSval (0: no timestamps) */
};

static inline int tfx_listen(struct tfx *f, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(US) };
	int fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(ns_bind(f->s, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ns_listen(f->s, fd, 16), 0);
	return fd;
}

/* A segment from the peer on c: seq c->rcv, ack c->snd, TS if negotiated. */
static inline void peer_tx(struct tfx *f, struct conn *c, uint8_t flags, uint16_t win,
			   const void *data, size_t len)
{
	struct tcp_options o = { .ts_ok = c->tsval != 0, .tsval = c->tsval };

	tx_seg(f, c->pport, c->lport, c->rcv, c->snd, flags, win, c->tsval ? &o : NULL, data, len);
	if (c->tsval)
		c->tsval++;
}

/* Passive open on listener lfd (port lport) from pport: MSS 1460, TS, WS
 * 7 offered; the handshake's ACK carries window win (scaled by 7). */
static inline struct conn tfx_passive(struct tfx *f, int lfd, uint16_t lport, uint16_t pport,
				      uint32_t pisn, uint16_t win)
{
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = 100,
				 .ws_ok = true, .ws = 7 };
	struct conn c = { .lport = lport, .pport = pport, .rcv = pisn + 1, .tsval = 101 };
	struct seg s;

	tx_seg(f, pport, lport, pisn, 0, TCP_FLAG_SYN, 65535, &o, NULL, 0);
	assert_true(rx_seg(f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	c.snd = s.th.seq + 1;
	peer_tx(f, &c, TCP_FLAG_ACK, win, NULL, 0);
	assert_false(rx_seg(f, &s));
	c.fd = ns_accept4(f->s, lfd, NULL, NULL, SOCK_NONBLOCK);
	assert_true(c.fd >= 0);
	return c;
}

/* Active open to PEER:pport; the SYN-ACK (MSS 1460, TS, WS 7, window win
 * unscaled) comes rtt later. */
static inline struct conn tfx_active(struct tfx *f, uint16_t pport, uint32_t pisn, uint16_t win,
				     uint64_t rtt)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(pport),
				 .sin_addr.s_addr = htonl(PEER) };
	struct tcp_options o = { .mss_ok = true, .mss = 1460, .ts_ok = true, .tsval = 500,
				 .ws_ok = true, .ws = 7 };
	struct conn c = { .pport = pport, .rcv = pisn + 1, .tsval = 501 };
	struct seg s;

	c.fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(c.fd >= 0);
	assert_int_equal(ns_connect(f->s, c.fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	test_stack_settle(f->ts);
	assert_true(rx_seg(f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN);
	c.lport = s.th.sport;
	c.snd = s.th.seq + 1;
	if (rtt)
		advance(f, rtt);
	o.tsecr = s.opt.tsval;
	tx_seg(f, pport, c.lport, pisn, c.snd, TCP_FLAG_SYN | TCP_FLAG_ACK, win, &o, NULL, 0);
	expect_seg(f, &s, TCP_FLAG_ACK, c.snd, c.rcv);
	return c;
}

static inline struct tcp_info tfx_info(struct tfx *f, int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	assert_int_equal(ns_getsockopt(f->s, fd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
	return ti;
}

static inline int sock_err(struct tfx *f, int fd)
{
	int err = -1;
	socklen_t l = sizeof(err);

	assert_int_equal(ns_getsockopt(f->s, fd, SOL_SOCKET, SO_ERROR, &err, &l), 0);
	return err;
}

/* "Name value" counter of /proc/net/nstack/tcp */
static inline long long tcpext(struct ns_stack *s, const char *name)
{
	char *t = ns_proc_read(s, "/proc/net/nstack/tcp", NULL), *p;
	size_t n = strlen(name);
	long long v = -1;

	assert_non_null(t);
	for (p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ') {
			v = atoll(p + n + 1);
			break;
		}
	free(t);
	return v;
}

/* Is a connection to PEER:pport in /proc/net/tcp, in state st (hex)? */
static inline bool proc_has(struct tfx *f, uint16_t pport, const char *st)
{
	char pat[32], *t = ns_proc_read(f->s, "/proc/net/tcp", NULL);
	bool r;

	snprintf(pat, sizeof(pat), "0200000A:%04X %s ", pport, st);
	r = strstr(t, pat) != NULL;
	free(t);
	return r;
}

#endif
