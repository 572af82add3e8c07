/* test_tcp6.c - TCP over IPv6 (src/ipv6/tcp_ipv6.c): passive and active
 * opens on a capture device with the exact SYN/SYN-ACK options (MSS 1440 =
 * 1500 - 60), data both ways and close, RST for segments without a
 * connection, /proc/net/tcp6 in Linux's format, ICMPv6 packet too big
 * lowering the MSS (RFC 8201), SYN cookies over the IPv6 4-tuple, then
 * two stacks over a pipe: a dual-stack listener taking IPv4 as
 * ::ffff:a.b.c.d, IPV6_V6ONLY, connect() to a v4-mapped address, and a
 * 4 MiB transfer checked end to end. */
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4_testutil.h"
#include "ipv6_testutil.h"
#include "nstack/socket.h"
#include "ipv4/devinet.h"
#include "ipv4/tcp.h"
#include "wire/tcp.h"

#define MS6 1000000ULL
#define PISN 1000u

struct f6 {
	struct test_stack *ts;
	struct ns_stack *s;
	struct capdev *c;
	uint8_t us[16], peer[16];
};

struct seg6 {
	struct tcp_repr th;
	struct tcp_options opt;
	struct ipv6_repr ip;
	uint8_t raw[2048];
	uint8_t pkt[2048];	/* the IPv6 packet (for an ICMPv6 quote) */
	size_t len, pkt_len;
};

static long long tcpstat_n(struct ns_stack *s, const char *n)
{
	return proc_counter(s, "/proc/net/snmp", "Tcp", n);
}

static void f6_init(struct f6 *f)
{
	memset(f, 0, sizeof(*f));
	f->ts = test_stack_new("tcp6", 11);
	f->s = f->ts->stack;
	test_stack_ipv6(f->ts);
	f->c = capdev_new(f->ts, "eth0", MAC6_US);
	A6(f->us, "fd00::1");
	A6(f->peer, "fd00::2");
	assert_int_equal(ipv6_addr_add(f->c->dev, f->us, 64, IFA_F_NODAD), 0);
	assert_int_equal(neigh_add(&f->s->ipv6->nd_tbl, f->peer, f->c->dev, MAC6_PEER,
				   NUD_PERMANENT), 0);
	test_stack_settle(f->ts);
	while (cap_next(f->c))
		;
}

static void f6_free(struct f6 *f)
{
	for (int fd = 0; fd < 32; fd++)
		ns_close(f->s, fd);
	test_stack_advance(f->ts, 200 * 1000 * MS6, 100 * MS6);
	test_stack_free(f->ts);
}

/* a segment from [fd00::2]:sport to [fd00::1]:dport */
static void tx6(struct f6 *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t win, const struct tcp_options *o, const void *data, size_t len)
{
	uint8_t seg[1600], opts[40], fr[1700];
	struct tcp_repr r = { .sport = sport, .dport = dport, .seq = seq, .ack_seq = ack,
			      .flags = flags, .window = win, .payload = data, .payload_len = len };
	int n;

	if (o) {
		int olen = tcp_options_emit(o, opts, sizeof(opts));

		assert_true(olen >= 0);
		r.opts = opts;
		r.opts_len = (size_t)olen;
	}
	n = tcp_emit_ipv6(&r, seg, sizeof(seg), f->peer, f->us);
	assert_true(n > 0);
	capdev_inject(f->c, fr, mk_ip6(fr, MAC6_US, MAC6_PEER, f->peer, f->us, IPPROTO_TCP, 64, seg,
				       (size_t)n));
	test_stack_settle(f->ts);
}

/* the next TCP/IPv6 segment sent (other frames skipped); checksum checked */
static bool rx6(struct f6 *f, struct seg6 *s)
{
	struct cap_frame *fr;
	struct eth_repr e;

	while ((fr = cap_next(f->c)) != NULL) {
		if (eth_parse(fr->data, fr->len, &e) || e.proto != ETH_P_IPV6 ||
		    ipv6_parse(fr->data + 14, fr->len - 14, &s->ip) || s->ip.nexthdr != IPPROTO_TCP)
			continue;
		s->len = s->ip.payload_len;
		memcpy(s->raw, fr->data + 54, s->len);
		s->pkt_len = 40 + s->len;
		memcpy(s->pkt, fr->data + 14, s->pkt_len);
		assert_memory_equal(s->ip.saddr, f->us, 16);
		assert_memory_equal(s->ip.daddr, f->peer, 16);
		assert_int_equal(tcp_parse_ipv6(s->raw, s->len, s->ip.saddr, s->ip.daddr, 0, &s->th,
						&s->opt), 0);
		return true;
	}
	return false;
}

static struct sockaddr_in6 sa6(const uint8_t *a, uint16_t port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (a)
		memcpy(s.sin6_addr.s6_addr, a, 16);
	return s;
}

static int listen6(struct ns_stack *s, const uint8_t *addr, uint16_t port, int v6only)
{
	struct sockaddr_in6 a = sa6(addr, port);
	int fd = ns_socket(s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	if (v6only >= 0)
		assert_int_equal(ns_setsockopt(s, fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
					       sizeof(v6only)), 0);
	assert_int_equal(ns_bind(s, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ns_listen(s, fd, 16), 0);
	return fd;
}

static const struct tcp_options syn_opts6 = { .mss_ok = true, .mss = 1440, .sack_ok = true,
					      .ts_ok = true, .tsval = 100, .ws_ok = true, .ws = 7 };

/* passive open from [fd00::2]:pport; returns the accepted fd, *isn ours */
static int open_passive(struct f6 *f, int lfd, uint16_t pport, uint32_t *isn)
{
	struct tcp_options o = { .ts_ok = true, .tsval = 101 };
	struct sockaddr_in6 peer;
	socklen_t pl = sizeof(peer);
	struct seg6 s;
	int fd;

	tx6(f, pport, 80, PISN, 0, TCP_FLAG_SYN, 65535, &syn_opts6, NULL, 0);
	assert_true(rx6(f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	*isn = s.th.seq;
	o.tsecr = s.opt.tsval;
	tx6(f, pport, 80, PISN + 1, *isn + 1, TCP_FLAG_ACK, 512, &o, NULL, 0);
	fd = ns_accept4(f->s, lfd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(pl, sizeof(peer));
	assert_int_equal(peer.sin6_family, AF_INET6);
	assert_int_equal(ntohs(peer.sin6_port), pport);
	assert_memory_equal(peer.sin6_addr.s6_addr, f->peer, 16);
	return fd;
}

/* RFC 9293 3.5 over IPv6: the SYN-ACK is MSS 1440 | SACK_PERM TS | NOP WS
 * (Linux's layout), then data both ways and an orderly close. */
static void test_passive_open_data_close(void **state)
{
	static const uint8_t want[] = { 0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a };
	struct tcp_options o = { .ts_ok = true, .tsval = 102 };
	uint8_t buf[4000], in[200];
	struct seg6 s;
	struct f6 f;
	uint32_t isn;
	int lfd, fd;

	(void)state;
	f6_init(&f);
	lfd = listen6(f.s, NULL, 80, -1);
	tx6(&f, 40000, 80, PISN, 0, TCP_FLAG_SYN, 65535, &syn_opts6, NULL, 0);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.th.ack_seq, PISN + 1);
	assert_int_equal(s.th.opts_len, 20);
	assert_memory_equal(s.th.opts, want, sizeof(want));
	assert_int_equal(s.th.opts[16], 1);
	assert_int_equal(s.th.opts[17], 3);
	assert_int_equal(s.th.opts[19], 7);
	assert_int_equal(s.opt.tsecr, 100);
	assert_int_equal(s.th.window % 1440, 0);	/* a multiple of the IPv6 MSS */
	isn = s.th.seq;
	/* the retransmitted SYN gets the same SYN-ACK */
	tx6(&f, 40000, 80, PISN, 0, TCP_FLAG_SYN, 65535, &syn_opts6, NULL, 0);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.seq, isn);
	o.tsecr = s.opt.tsval;
	tx6(&f, 40000, 80, PISN + 1, isn + 1, TCP_FLAG_ACK, 512, &o, NULL, 0);
	fd = ns_accept4(f.s, lfd, NULL, NULL, SOCK_NONBLOCK);
	assert_true(fd >= 0);
	/* peer -> us */
	memset(in, 'p', sizeof(in));
	o.tsval++;
	tx6(&f, 40000, 80, PISN + 1, isn + 1, TCP_FLAG_ACK | TCP_FLAG_PSH, 512, &o, in, 100);
	assert_int_equal(ns_recv(f.s, fd, buf, sizeof(buf), 0), 100);
	assert_memory_equal(buf, in, 100);
	/* us -> peer: segments of 1440 - 12 (timestamps) */
	memset(buf, 'u', sizeof(buf));
	assert_int_equal(ns_send(f.s, fd, buf, 3000, 0), 3000);
	test_stack_settle(f.ts);
	{
		size_t got = 0;

		while (rx6(&f, &s)) {
			if (!s.th.payload_len)
				continue;
			assert_true(s.th.payload_len <= 1428);
			assert_int_equal(s.th.seq, isn + 1 + got);
			got += s.th.payload_len;
		}
		assert_int_equal(got, 3000);
		assert_int_equal(s.th.payload_len, 3000 - 2 * 1428);
	}
	o.tsval++;
	tx6(&f, 40000, 80, PISN + 101, isn + 3001, TCP_FLAG_ACK, 512, &o, NULL, 0);
	/* close: FIN, the peer's FIN, our last ACK */
	assert_int_equal(ns_close(f.s, fd), 0);
	test_stack_settle(f.ts);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_FIN | TCP_FLAG_ACK);
	assert_int_equal(s.th.seq, isn + 3001);
	o.tsval++;
	tx6(&f, 40000, 80, PISN + 101, isn + 3002, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_ACK);
	assert_int_equal(s.th.ack_seq, PISN + 102);
	assert_true(proc_has(f.s, "/proc/net/tcp6", " 06 "));	/* TIME-WAIT */
	/* the IPv6 TIME-WAIT minisocket: a retransmitted FIN is ACKed again
	 * (RFC 9293 3.10.7.4), with the timestamp echoed; a RST ends it */
	tx6(&f, 40000, 80, PISN + 101, isn + 3002, TCP_FLAG_FIN | TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_ACK);
	assert_int_equal(s.th.seq, isn + 3002);
	assert_int_equal(s.th.ack_seq, PISN + 102);
	assert_int_equal(s.opt.tsecr, o.tsval);
	tx6(&f, 40000, 80, PISN + 102, 0, TCP_FLAG_RST, 0, NULL, NULL, 0);
	assert_false(rx6(&f, &s));
	assert_false(proc_has(f.s, "/proc/net/tcp6", " 06 "));
	f6_free(&f);
}

/* Active open: SYN with MSS 1440 | SACK_PERM TS | NOP WS 7, the source by
 * source address selection, getsockname/getpeername as sockaddr_in6. */
static void test_active_open(void **state)
{
	struct sockaddr_in6 a, name;
	socklen_t nl = sizeof(name);
	struct tcp_options o = { .mss_ok = true, .mss = 1440, .ts_ok = true, .tsval = 500,
				 .ws_ok = true, .ws = 7, .sack_ok = true };
	struct seg6 s;
	struct f6 f;
	uint8_t buf[64];
	int fd;

	(void)state;
	f6_init(&f);
	a = sa6(f.peer, 8080);
	fd = ns_socket(f.s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN);
	assert_int_equal(s.th.dport, 8080);
	assert_int_equal(s.th.opts_len, 20);
	assert_int_equal(s.th.opts[0], 2);
	assert_int_equal(get_be16(s.th.opts + 2), 1440);
	assert_int_equal(s.th.opts[4], 4);
	assert_int_equal(s.th.opts[5], 2);
	assert_int_equal(s.th.opts[6], 8);
	assert_int_equal(s.th.opts[16], 1);
	assert_int_equal(s.th.opts[17], 3);
	o.tsecr = s.opt.tsval;
	tx6(&f, 8080, s.th.sport, 7000, s.th.seq + 1, TCP_FLAG_SYN | TCP_FLAG_ACK, 65535, &o,
	    NULL, 0);
	{
		struct seg6 ack;

		assert_true(rx6(&f, &ack));
		assert_int_equal(ack.th.flags, TCP_FLAG_ACK);
		assert_int_equal(ack.th.ack_seq, 7001);
	}
	assert_int_equal(ns_getsockname(f.s, fd, (struct sockaddr *)&name, &nl), 0);
	assert_int_equal(nl, sizeof(name));
	assert_memory_equal(name.sin6_addr.s6_addr, f.us, 16);
	assert_int_equal(ntohs(name.sin6_port), s.th.sport);
	assert_int_equal(ns_getpeername(f.s, fd, (struct sockaddr *)&name, &nl), 0);
	assert_memory_equal(name.sin6_addr.s6_addr, f.peer, 16);
	assert_int_equal(tcpstat_n(f.s, "ActiveOpens"), 1);
	/* data from the peer */
	o = (struct tcp_options){ .ts_ok = true, .tsval = 501 };
	tx6(&f, 8080, s.th.sport, 7001, s.th.seq + 1, TCP_FLAG_ACK | TCP_FLAG_PSH, 1024, &o, "hi6",
	    3);
	assert_int_equal(ns_recv(f.s, fd, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "hi6", 3);
	f6_free(&f);
}

/* RFC 9293 3.10.7.1 over IPv6: no socket -> <SEQ=0><ACK=SEG.SEQ+LEN><RST,ACK>
 * for a SYN, <SEQ=SEG.ACK><RST> for an ACK, nothing for a RST; a bad
 * checksum (pseudo-header) is dropped and counted. */
static void test_rst_unknown(void **state)
{
	struct seg6 s;
	struct f6 f;

	(void)state;
	f6_init(&f);
	tx6(&f, 1234, 9, PISN, 0, TCP_FLAG_SYN, 65535, NULL, NULL, 0);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_RST | TCP_FLAG_ACK);
	assert_int_equal(s.th.seq, 0);
	assert_int_equal(s.th.ack_seq, PISN + 1);
	assert_int_equal(s.th.sport, 9);
	assert_int_equal(s.th.dport, 1234);
	tx6(&f, 1234, 9, PISN, 777, TCP_FLAG_ACK, 65535, NULL, "x", 1);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_RST);
	assert_int_equal(s.th.seq, 777);
	tx6(&f, 1234, 9, PISN, 777, TCP_FLAG_RST, 65535, NULL, NULL, 0);
	assert_false(rx6(&f, &s));
	assert_int_equal(tcpstat_n(f.s, "OutRsts"), 2);
	{
		/* an IPv4 pseudo-header checksum is wrong for IPv6 */
		uint8_t seg[40], fr[200];
		struct tcp_repr r = { .sport = 1234, .dport = 9, .seq = 1, .flags = TCP_FLAG_SYN };
		int n = tcp_emit_ipv4(&r, seg, sizeof(seg), 1, 2);

		capdev_inject(f.c, fr, mk_ip6(fr, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_TCP, 64,
					      seg, (size_t)n));
		test_stack_settle(f.ts);
		assert_false(rx6(&f, &s));
		assert_int_equal(tcpstat_n(f.s, "InCsumErrors"), 1);
	}
	f6_free(&f);
}

/* /proc/net/tcp6 as tcp6_seq_show: addresses as four %08X of the
 * in6_addr's u32 words; /proc/net/tcp does not list AF_INET6 sockets. */
static void test_proc_tcp6(void **state)
{
	struct f6 f;
	uint32_t isn;
	char *txt;
	int lfd;

	(void)state;
	f6_init(&f);
	lfd = listen6(f.s, NULL, 80, -1);
	(void)open_passive(&f, lfd, 40001, &isn);
	txt = ns_proc_read(f.s, "/proc/net/tcp6", NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "  sl  local_address                         remote_address"
				    "                        st tx_queue rx_queue tr tm->when retrnsmt"
				    "   uid  timeout inode\n"));
	assert_non_null(strstr(txt, "   0: 00000000000000000000000000000000:0050 "
				    "00000000000000000000000000000000:0000 0A "));
	assert_non_null(strstr(txt, ": 000000FD000000000000000001000000:0050 "
				    "000000FD000000000000000002000000:9C41 01 "));
	free(txt);
	assert_false(proc_has(f.s, "/proc/net/tcp", ":0050"));
	f6_free(&f);
}

/* RFC 8201 / RFC 4443 3.2: a Packet Too Big quoting our segment lowers the
 * path MTU; TCP resegments to 1280 - 60 - 12 and resends what is unacked. */
static void test_pkt_too_big(void **state)
{
	uint8_t buf[6000], icmp[1400], fr[1500];
	struct seg6 s, first;
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	struct f6 f;
	uint32_t isn;
	size_t n;
	int lfd, fd;
	bool small = false;

	(void)state;
	f6_init(&f);
	lfd = listen6(f.s, NULL, 80, -1);
	fd = open_passive(&f, lfd, 40002, &isn);
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(ns_send(f.s, fd, buf, 4000, 0), 4000);
	test_stack_settle(f.ts);
	assert_true(rx6(&f, &first));
	assert_int_equal(first.th.payload_len, 1428);
	while (rx6(&f, &s))
		;
	/* the quote: as much of the packet as fits in 1280 */
	n = mk_icmp6(icmp, sizeof(icmp), ICMPV6_PKT_TOOBIG, 0, 1280, first.pkt,
		     NS_MIN(first.pkt_len, (size_t)1232), f.peer, f.us);
	capdev_inject(f.c, fr, mk_ip6(fr, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_ICMPV6, 64,
				      icmp, n));
	test_stack_settle(f.ts);
	assert_int_equal(ns_getsockopt(f.s, fd, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_pmtu, 1280);
	assert_int_equal(ti.tcpi_snd_mss, 1280 - 60 - 12);
	while (rx6(&f, &s)) {
		if (s.th.payload_len) {
			assert_true(s.th.payload_len <= 1208);
			small = true;
		}
	}
	assert_true(small);
	f6_free(&f);
}

/* RFC 4987 3.6 over IPv6: with tcp_syncookies 2 the SYN-ACK's ISN is a
 * cookie over the IPv6 4-tuple; its ACK makes the connection, a forged
 * one gets a RST. */
static void test_syncookies6(void **state)
{
	struct tcp_options o = { .ts_ok = true, .tsval = 101 };
	struct seg6 s;
	struct f6 f;
	int lfd;

	(void)state;
	f6_init(&f);
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.tcp_syncookies", "2"), 0);
	lfd = listen6(f.s, NULL, 80, -1);
	tx6(&f, 40003, 80, PISN, 0, TCP_FLAG_SYN, 65535, &syn_opts6, NULL, 0);
	assert_true(rx6(&f, &s));
	assert_int_equal(s.th.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_int_equal(s.opt.mss, 1440);
	/* a forged ACK first */
	o.tsecr = s.opt.tsval;
	tx6(&f, 40003, 80, PISN + 1, s.th.seq + 1000, TCP_FLAG_ACK, 512, &o, NULL, 0);
	{
		struct seg6 r;

		assert_true(rx6(&f, &r));
		assert_int_equal(r.th.flags, TCP_FLAG_RST);
	}
	tx6(&f, 40003, 80, PISN + 1, s.th.seq + 1, TCP_FLAG_ACK, 512, &o, NULL, 0);
	assert_true(ns_accept4(f.s, lfd, NULL, NULL, 0) >= 0);
	f6_free(&f);
}

/* bind/connect edges: RFC 4007 6 (a link-local address needs its zone),
 * RFC 3493 5.3 (IPV6_V6ONLY has no IPv4 address), foreign addresses,
 * the wrong family or length, V6ONLY only before bind. */
static void test_bind_connect_errors(void **state)
{
	uint8_t ll[16], other[16], mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	struct sockaddr_in6 a;
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	struct f6 f;
	int fd, one = 1;

	(void)state;
	f6_init(&f);
	A6(ll, "fe80::1");
	A6(other, "fd00::99");
	fd = ns_socket(f.s, AF_INET6, SOCK_STREAM, 0);
	a = sa6(ll, 80);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINVAL);
	a = sa6(other, 80);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EADDRNOTAVAIL);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&v4, sizeof(v4)), -1);
	assert_int_equal(errno, EINVAL);	/* shorter than sockaddr_in6 */
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a) - 1), -1);
	assert_int_equal(errno, EINVAL);
	a = sa6(ll, 80);
	assert_int_equal(ns_connect(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINVAL);	/* link-local without a scope id */
	assert_int_equal(ns_setsockopt(f.s, fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), 0);
	a = sa6(mapped, 80);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EINVAL);
	a = sa6(f.us, 80);
	assert_int_equal(ns_bind(f.s, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ns_setsockopt(f.s, fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), -1);
	assert_int_equal(errno, EINVAL);
	{
		/* the port is taken for a second [fd00::1]:80 and for [::]:80 */
		int fd2 = ns_socket(f.s, AF_INET6, SOCK_STREAM, 0);

		assert_int_equal(ns_bind(f.s, fd2, (struct sockaddr *)&a, sizeof(a)), -1);
		assert_int_equal(errno, EADDRINUSE);
		a = sa6(NULL, 80);
		assert_int_equal(ns_bind(f.s, fd2, (struct sockaddr *)&a, sizeof(a)), -1);
		assert_int_equal(errno, EADDRINUSE);
	}
	f6_free(&f);
}

/* ---- two stacks over a pipe --------------------------------------------------------------- */
struct pair {
	struct test_stack *a, *b;
	struct net_device *da, *db;
	uint8_t aa[16], ba[16];
};

static void pair_init(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	p->a = test_stack_new("A", 21);
	p->b = test_stack_new("B", 22);
	test_stack_ipv6(p->a);
	test_stack_ipv6(p->b);
	assert_int_equal(ns_pipe_create(p->a->stack, "p0", p->b->stack, "p0", 0, &p->da, &p->db), 0);
	assert_int_equal(ns_dev_set_up(p->da, true), 0);
	assert_int_equal(ns_dev_set_up(p->db, true), 0);
	A6(p->aa, "fd00::1");
	A6(p->ba, "fd00::2");
	assert_int_equal(ipv6_addr_add(p->da, p->aa, 64, IFA_F_NODAD), 0);
	assert_int_equal(ipv6_addr_add(p->db, p->ba, 64, IFA_F_NODAD), 0);
	assert_int_equal(inet_addr_add(p->da, 0x0a000001, 24, NULL), 0);
	assert_int_equal(inet_addr_add(p->db, 0x0a000002, 24, NULL), 0);
}

/* run both stacks; the clock moves 1 ms when both are idle */
static void pair_run(struct pair *p, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		int w = ns_stack_step(p->a->stack) + ns_stack_step(p->b->stack);

		if (!w && !ns_stack_busy(p->a->stack) && !ns_stack_busy(p->b->stack)) {
			p->a->clock.now += MS6;
			p->b->clock.now += MS6;
		}
	}
}

static void pair_free(struct pair *p)
{
	for (int fd = 0; fd < 32; fd++) {
		ns_close(p->a->stack, fd);
		ns_close(p->b->stack, fd);
	}
	for (int i = 0; i < 300; i++) {
		pair_run(p, 10);
		p->a->clock.now += 1000 * MS6;
		p->b->clock.now += 1000 * MS6;
	}
	test_stack_free(p->a);
	test_stack_free(p->b);
}

static int accept_wait(struct pair *p, int lfd, struct sockaddr_in6 *peer)
{
	socklen_t pl = sizeof(*peer);

	for (int i = 0; i < 200; i++) {
		int fd = ns_accept4(p->b->stack, lfd, (struct sockaddr *)peer, &pl, SOCK_NONBLOCK);

		if (fd >= 0)
			return fd;
		pair_run(p, 5);
	}
	return -1;
}

/* RFC 3493 3.7: a dual-stack listener takes IPv4 connections as
 * ::ffff:a.b.c.d (listed in /proc/net/tcp6, not /proc/net/tcp); with
 * IPV6_V6ONLY it does not; connect() to ::ffff:a.b.c.d speaks IPv4. */
static void test_v4mapped(void **state)
{
	static const uint8_t mapped_a[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
	static const uint8_t mapped_b[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 2 };
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(80),
				  .sin_addr.s_addr = htonl(0x0a000002) };
	struct sockaddr_in6 peer, m = sa6(mapped_b, 80);
	socklen_t pl = sizeof(peer);
	struct pair p;
	char buf[16];
	int lfd, cfd, sfd, v6fd, lfd2, cfd2;

	(void)state;
	pair_init(&p);
	lfd = listen6(p.b->stack, NULL, 80, -1);
	cfd = ns_socket(p.a->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ns_connect(p.a->stack, cfd, (struct sockaddr *)&v4, sizeof(v4));
	sfd = accept_wait(&p, lfd, &peer);
	assert_true(sfd >= 0);
	assert_int_equal(peer.sin6_family, AF_INET6);
	assert_memory_equal(peer.sin6_addr.s6_addr, mapped_a, 16);
	assert_int_equal(ns_send(p.a->stack, cfd, "v4>", 3, 0), 3);
	assert_int_equal(ns_send(p.b->stack, sfd, "<v6", 3, 0), 3);
	pair_run(&p, 50);
	assert_int_equal(ns_recv(p.b->stack, sfd, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "v4>", 3);
	assert_int_equal(ns_recv(p.a->stack, cfd, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "<v6", 3);
	assert_true(proc_has(p.b->stack, "/proc/net/tcp6",
			     "0000000000000000FFFF00000200000A:0050 0000000000000000FFFF00000100000A:"));
	assert_false(proc_has(p.b->stack, "/proc/net/tcp", "0200000A:0050"));
	/* connect() from an AF_INET6 socket to ::ffff:10.0.0.2 goes as IPv4 */
	v6fd = ns_socket(p.a->stack, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ns_connect(p.a->stack, v6fd, (struct sockaddr *)&m, sizeof(m));
	assert_true(accept_wait(&p, lfd, &peer) >= 0);
	assert_int_equal(ns_getpeername(p.a->stack, v6fd, (struct sockaddr *)&peer, &pl), 0);
	assert_memory_equal(peer.sin6_addr.s6_addr, mapped_b, 16);
	assert_int_equal(ns_getsockname(p.a->stack, v6fd, (struct sockaddr *)&peer, &pl), 0);
	assert_memory_equal(peer.sin6_addr.s6_addr, mapped_a, 16);
	/* IPV6_V6ONLY: IPv4 is refused, mapped connects fail at once */
	lfd2 = listen6(p.b->stack, NULL, 81, 1);
	v4.sin_port = htons(81);
	cfd2 = ns_socket(p.a->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ns_connect(p.a->stack, cfd2, (struct sockaddr *)&v4, sizeof(v4));
	pair_run(&p, 50);
	{
		int err = 0;
		socklen_t el = sizeof(err);

		assert_int_equal(ns_getsockopt(p.a->stack, cfd2, SOL_SOCKET, SO_ERROR, &err, &el), 0);
		assert_int_equal(err, ECONNREFUSED);
	}
	{
		int one = 1, fd = ns_socket(p.a->stack, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);

		assert_int_equal(ns_setsockopt(p.a->stack, fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
					       sizeof(one)), 0);
		assert_int_equal(ns_connect(p.a->stack, fd, (struct sockaddr *)&m, sizeof(m)), -1);
		assert_int_equal(errno, ENETUNREACH);
	}
	(void)lfd2;
	pair_free(&p);
}

/* 4 MiB [fd00::1] -> [fd00::2] through the whole stack, checked with a
 * running hash on both ends. */
static void test_pipe_4mib(void **state)
{
	const size_t total = 4u << 20;
	uint8_t *src = malloc(65536), *dst = malloc(65536);
	struct sockaddr_in6 a, peer;
	uint64_t hs = 1469598103934665603ULL, hr = hs;
	size_t sent = 0, got = 0;
	struct pair p;
	int lfd, cfd, sfd;

	(void)state;
	pair_init(&p);
	for (size_t i = 0; i < 65536; i++)
		src[i] = (uint8_t)(i * 131 + (i >> 9));
	lfd = listen6(p.b->stack, NULL, 5001, -1);
	a = sa6(p.ba, 5001);
	cfd = ns_socket(p.a->stack, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ns_connect(p.a->stack, cfd, (struct sockaddr *)&a, sizeof(a));
	sfd = accept_wait(&p, lfd, &peer);
	assert_true(sfd >= 0);
	assert_memory_equal(peer.sin6_addr.s6_addr, p.aa, 16);
	for (int it = 0; it < 2000000 && got < total; it++) {
		if (sent < total) {
			size_t off = sent % 65536, n = NS_MIN(total - sent, 65536 - off);
			ssize_t w = ns_send(p.a->stack, cfd, src + off, n, 0);

			for (ssize_t i = 0; i < w; i++)
				hs = (hs ^ src[off + (size_t)i]) * 1099511628211ULL;
			if (w > 0)
				sent += (size_t)w;
		}
		for (;;) {
			ssize_t r = ns_recv(p.b->stack, sfd, dst, 65536, 0);

			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++)
				hr = (hr ^ dst[i]) * 1099511628211ULL;
			got += (size_t)r;
		}
		pair_run(&p, 1);
	}
	assert_int_equal(got, total);
	assert_true(hs == hr);
	free(src);
	free(dst);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passive_open_data_close),
		cmocka_unit_test(test_active_open),
		cmocka_unit_test(test_rst_unknown),
		cmocka_unit_test(test_proc_tcp6),
		cmocka_unit_test(test_pkt_too_big),
		cmocka_unit_test(test_syncookies6),
		cmocka_unit_test(test_bind_connect_errors),
		cmocka_unit_test(test_v4mapped),
		cmocka_unit_test(test_pipe_4mib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
