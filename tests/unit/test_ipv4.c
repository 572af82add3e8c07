/* test_ipv4.c - IPv4 input validation, ICMP echo and errors, rate limits,
 * fragmentation and reassembly, forwarding between two devices, addresses
 * and their routes, /proc/net/{route,snmp} formats. Frames are built with
 * the wire emitters and injected into capture devices. */
#include "ipv4_testutil.h"

#define SEC 1000000000ULL
#define US IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)
#define US2 IP4(10, 1, 0, 1)
#define PEER2 IP4(10, 1, 0, 2)

struct fx {
	struct test_stack *ts;
	struct ns_stack *s;
	struct capdev *c, *c2;
};

static void fx_init(struct fx *f, bool two)
{
	memset(f, 0, sizeof(*f));
	f->ts = test_stack_new("a", 1);
	f->s = f->ts->stack;
	f->c = capdev_new(f->ts, "eth0", MAC_US);
	assert_int_equal(inet_addr_add(f->c->dev, US, 24, NULL), 0);
	assert_int_equal(arp_neigh_add(f->c->dev, PEER, MAC_PEER, NUD_PERMANENT), 0);
	if (two) {
		f->c2 = capdev_new(f->ts, "eth1", MAC_US2);
		assert_int_equal(inet_addr_add(f->c2->dev, US2, 24, NULL), 0);
		assert_int_equal(arp_neigh_add(f->c2->dev, PEER2, MAC_PEER2, NUD_PERMANENT), 0);
	}
	test_stack_settle(f->ts);
	while (cap_next(f->c))
		;
	while (f->c2 && cap_next(f->c2))
		;
	g_rx = (struct test_rx){ 0 };
	assert_int_equal(inet_add_protocol(f->s, &test_proto, PROTO_TEST), 0);
}

static void inject(struct fx *f, struct capdev *c, const uint8_t *fr, size_t len)
{
	capdev_inject(c, fr, len);
	test_stack_settle(f->ts);
}

/* ping from PEER: expect one echo reply */
static void expect_ping_answered(struct fx *f, uint16_t seq)
{
	uint8_t fr[128];
	struct eth_repr e;
	struct ipv4_repr ip;
	struct icmp_repr r;
	const uint8_t *l4;

	inject(f, f->c, fr, mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 0x1234, seq, 64));
	l4 = parse_ip(cap_next(f->c), &e, &ip);
	assert_memory_equal(e.dst, MAC_PEER, 6);
	assert_memory_equal(e.src, MAC_US, 6);
	assert_int_equal(ip.saddr, US);
	assert_int_equal(ip.daddr, PEER);
	assert_int_equal(ip.protocol, IPPROTO_ICMP);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.type, ICMP_ECHOREPLY);
	assert_int_equal(r.un.echo.id, 0x1234);
	assert_int_equal(r.un.echo.seq, seq);
	assert_int_equal(r.data_len, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(r.data[i], i);
	assert_null(cap_next(f->c));
}

static void test_ping(void **state)
{
	struct fx f;
	uint8_t fr[128];

	(void)state;
	fx_init(&f, false);
	expect_ping_answered(&f, 1);
	assert_int_equal(ICMPSTAT(f.s, "InEchos"), 1);
	assert_int_equal(ICMPSTAT(f.s, "OutEchoReps"), 1);
	assert_int_equal(IPSTAT(f.s, "InDelivers"), 1);
	/* to the broadcast address: ignored by default, answered when allowed */
	inject(&f, f.c, fr, mk_echo(fr, MAC_BCAST, MAC_PEER, PEER, IP4(10, 0, 0, 255), 1, 2, 64));
	assert_null(cap_next(f.c));
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.icmp_echo_ignore_broadcasts", "0"), 0);
	inject(&f, f.c, fr, mk_echo(fr, MAC_BCAST, MAC_PEER, PEER, IP4(10, 0, 0, 255), 1, 3, 64));
	{
		struct eth_repr e;
		struct ipv4_repr ip;

		parse_ip(cap_next(f.c), &e, &ip);
		assert_int_equal(ip.saddr, US);
		assert_int_equal(ip.daddr, PEER);
	}
	/* icmp_echo_ignore_all */
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.icmp_echo_ignore_all", "1"), 0);
	inject(&f, f.c, fr, mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 1, 4, 64));
	assert_null(cap_next(f.c));
	test_stack_free(f.ts);
}

static void test_bad_input_counted(void **state)
{
	struct fx f;
	uint8_t fr[256];
	size_t n;
	uint16_t seq = 1;

	(void)state;
	fx_init(&f, false);
	/* truncated: 10 bytes of IPv4 */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	inject(&f, f.c, fr, 14 + 10);
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 1);
	expect_ping_answered(&f, seq++);
	/* bad header checksum */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	fr[14 + 10] ^= 0x55;
	inject(&f, f.c, fr, n);
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 2);
	assert_int_equal(IPEXT(f.s, "InCsumErrors"), 1);
	expect_ping_answered(&f, seq++);
	/* IHL 4 (checksum fixed up so only the IHL is wrong) */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	fr[14] = 0x44;
	put_be16(fr + 24, 0);
	put_be16(fr + 24, csum_fold(csum_partial(fr + 14, 20, 0)));
	inject(&f, f.c, fr, n);
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 3);
	/* version 6 in an IPv4 frame */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	fr[14] = 0x65;
	inject(&f, f.c, fr, n);
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 4);
	/* total length beyond the frame: Linux counts InTruncatedPkts (IpExt) */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	inject(&f, f.c, fr, n - 4);
	assert_int_equal(IPEXT(f.s, "InTruncatedPkts"), 1);
	/* total length below the header length */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	put_be16(fr + 16, 12);
	put_be16(fr + 24, 0);
	put_be16(fr + 24, csum_fold(csum_partial(fr + 14, 20, 0)));
	inject(&f, f.c, fr, n);
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 5);
	expect_ping_answered(&f, seq++);
	/* Ethernet padding is trimmed: 8 bytes of payload delivered */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	memset(fr + n, 0xee, 18);
	inject(&f, f.c, fr, 60);
	assert_int_equal(g_rx.count, 1);
	assert_int_equal(g_rx.last_len, 8);
	/* a frame for another host's MAC: dropped before IP counts it */
	{
		long long before = IPSTAT(f.s, "InReceives");

		n = mk_ip(fr, MAC_PEER2, MAC_PEER, PEER, US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
		inject(&f, f.c, fr, n);
		assert_int_equal(IPSTAT(f.s, "InReceives"), before);
		assert_int_equal(g_rx.count, 1);
	}
	/* not for us and forwarding off: InAddrErrors */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(10, 9, 9, 9), PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	inject(&f, f.c, fr, n);
	assert_int_equal(IPSTAT(f.s, "InAddrErrors"), 1);
	/* unknown protocol: InUnknownProtos and protocol unreachable */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, US, 254, 64, 1, 0, "abcdefgh", 8);
	inject(&f, f.c, fr, n);
	assert_int_equal(IPSTAT(f.s, "InUnknownProtos"), 1);
	{
		struct eth_repr e;
		struct ipv4_repr ip;
		struct icmp_repr r;
		const uint8_t *l4 = parse_ip(cap_next(f.c), &e, &ip);

		assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
		assert_int_equal(r.type, ICMP_DEST_UNREACH);
		assert_int_equal(r.code, ICMP_PROT_UNREACH);
		assert_int_equal(ip.tos, 0xc0);
		assert_int_equal(r.data_len, 28);	/* the header and 8 bytes */
	}
	/* martian source */
	n = mk_ip(fr, MAC_US, MAC_PEER, IP4(224, 1, 1, 1), US, PROTO_TEST, 64, 1, 0, "abcdefgh", 8);
	inject(&f, f.c, fr, n);
	assert_int_equal(drops(f.s, SKB_DROP_REASON_IP_MARTIAN), 1);
	/* bad ICMP checksum */
	n = mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 1, 1, 64);
	fr[34 + 9] ^= 1;
	inject(&f, f.c, fr, n);
	assert_int_equal(ICMPSTAT(f.s, "InCsumErrors"), 1);
	assert_int_equal(ICMPSTAT(f.s, "InErrors"), 1);
	expect_ping_answered(&f, seq++);
	assert_int_equal(g_rx.count, 1);
	test_stack_free(f.ts);
}

static void test_fragment_out_and_reassemble_in(void **state)
{
	struct fx f;
	struct cap_frame frames[3];
	uint8_t pl[3980];
	unsigned int got = 0;
	struct cap_frame *c;

	(void)state;
	fx_init(&f, false);
	/* 4000-byte datagram at MTU 1500: 1480 + 1480 + 1020 payload bytes */
	assert_int_equal(send_test(f.s, PEER, 3980, 0), 0);
	test_stack_settle(f.ts);
	while ((c = cap_next(f.c)) != NULL) {
		struct eth_repr e;
		struct ipv4_repr ip;

		assert_true(got < 3);
		parse_ip(c, &e, &ip);
		assert_int_equal(ip.tot_len, got < 2 ? 1500 : 1040);
		assert_int_equal(ip.frag_off, got * 185);
		assert_int_equal(ip.mf, got < 2);
		assert_false(ip.df);
		frames[got++] = *c;
	}
	assert_int_equal(got, 3);
	assert_int_equal(IPSTAT(f.s, "FragOKs"), 1);
	assert_int_equal(IPSTAT(f.s, "FragCreates"), 3);
	for (unsigned int i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)(i * 7);
	/* back in, addresses swapped and out of order */
	for (int k = 2; k >= 0; k--) {
		uint8_t *fr = frames[k].data;

		memcpy(fr, MAC_US, 6);
		memcpy(fr + 6, MAC_PEER, 6);
		put_be32(fr + 14 + 12, PEER);
		put_be32(fr + 14 + 16, US);
		put_be16(fr + 24, 0);
		put_be16(fr + 24, csum_fold(csum_partial(fr + 14, 20, 0)));
		inject(&f, f.c, fr, frames[k].len);
	}
	assert_int_equal(g_rx.count, 1);
	assert_int_equal(g_rx.last_len, 3980);
	assert_memory_equal(g_rx.last, pl, 3980);
	assert_int_equal(IPSTAT(f.s, "ReasmReqds"), 3);
	assert_int_equal(IPSTAT(f.s, "ReasmOKs"), 1);
	/* DF and too big: -EMSGSIZE, nothing sent */
	assert_int_equal(send_test(f.s, PEER, 3980, FLOWI_FLAG_DF), -EMSGSIZE);
	test_stack_settle(f.ts);
	assert_null(cap_next(f.c));
	test_stack_free(f.ts);
}

static size_t mk_frag(uint8_t *fr, uint16_t id, unsigned int off, bool mf, unsigned int len)
{
	uint8_t pl[2000];

	memset(pl, (int)(off / 8), sizeof(pl));
	return mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, id,
		     (uint16_t)((off / 8) | (mf ? IP_MF : 0)), pl, len);
}

static void test_reassembly_errors(void **state)
{
	struct fx f;
	uint8_t fr[2100];

	(void)state;
	fx_init(&f, false);
	/* overlap: the whole queue dies, the final piece is then alone */
	inject(&f, f.c, fr, mk_frag(fr, 1, 0, true, 800));
	inject(&f, f.c, fr, mk_frag(fr, 1, 400, true, 800));
	assert_int_equal(IPSTAT(f.s, "ReasmFails"), 1);
	assert_int_equal(IPEXT(f.s, "ReasmOverlaps"), 1);
	inject(&f, f.c, fr, mk_frag(fr, 1, 1200, false, 100));
	assert_int_equal(g_rx.count, 0);
	/* an exact duplicate is dropped alone; the datagram completes */
	inject(&f, f.c, fr, mk_frag(fr, 2, 0, true, 800));
	inject(&f, f.c, fr, mk_frag(fr, 2, 0, true, 800));
	inject(&f, f.c, fr, mk_frag(fr, 2, 800, false, 100));
	assert_int_equal(g_rx.count, 1);
	assert_int_equal(g_rx.last_len, 900);
	/* tiny non-final fragment (4 bytes: rounds to 0) */
	inject(&f, f.c, fr, mk_frag(fr, 3, 0, true, 4));
	assert_int_equal(IPSTAT(f.s, "ReasmFails"), 2);
	/* past 65535 */
	inject(&f, f.c, fr, mk_frag(fr, 4, 0, true, 800));
	inject(&f, f.c, fr, mk_frag(fr, 4, 8189 * 8, false, 100));
	assert_int_equal(IPSTAT(f.s, "ReasmFails"), 3);
	/* a last fragment disagreeing with the known end */
	inject(&f, f.c, fr, mk_frag(fr, 5, 800, false, 100));
	inject(&f, f.c, fr, mk_frag(fr, 5, 1600, false, 100));
	assert_int_equal(IPSTAT(f.s, "ReasmFails"), 4);
	/* still answering */
	expect_ping_answered(&f, 9);
	assert_int_equal(g_rx.count, 1);
	test_stack_free(f.ts);
}

static void test_reassembly_timeout_and_memlimit(void **state)
{
	struct fx f;
	uint8_t fr[2100];
	struct eth_repr e;
	struct ipv4_repr ip;
	struct icmp_repr r;
	const uint8_t *l4;

	(void)state;
	fx_init(&f, false);
	inject(&f, f.c, fr, mk_frag(fr, 7, 0, true, 800));
	inject(&f, f.c, fr, mk_frag(fr, 8, 800, true, 800));	/* no first fragment */
	test_stack_advance(f.ts, 29 * SEC, SEC);
	assert_null(cap_next(f.c));
	test_stack_advance(f.ts, 2 * SEC, SEC);
	/* RFC 792: time exceeded, code 1, only for the queue with fragment 0 */
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(ip.daddr, PEER);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.type, ICMP_TIME_EXCEEDED);
	assert_int_equal(r.code, ICMP_EXC_FRAGTIME);
	assert_null(cap_next(f.c));
	assert_int_equal(IPSTAT(f.s, "ReasmTimeout"), 2);
	assert_int_equal(IPSTAT(f.s, "ReasmFails"), 2);
	/* memory limit: beyond ipfrag_high_thresh new fragments are refused */
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.ipfrag_high_thresh", "20000"), 0);
	for (uint16_t id = 100; id < 120; id++)
		inject(&f, f.c, fr, mk_frag(fr, id, 0, true, 800));
	assert_true(drops(f.s, SKB_DROP_REASON_FRAG_MEMLIMIT) > 0);
	assert_true(f.s->ipv4 != NULL);
	test_stack_free(f.ts);
}

static void test_forwarding(void **state)
{
	struct fx f;
	uint8_t fr[2100], pl[1200];
	size_t n;
	struct eth_repr e;
	struct ipv4_repr ip, in;
	struct icmp_repr r;
	const uint8_t *l4;

	(void)state;
	fx_init(&f, true);
	memset(pl, 0x42, sizeof(pl));
	/* ip_forward=0 (default): dropped, InAddrErrors */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, 9, 0, pl, 100);
	inject(&f, f.c, fr, n);
	assert_null(cap_next(f.c2));
	assert_int_equal(IPSTAT(f.s, "InAddrErrors"), 1);
	assert_int_equal(IPSTAT(f.s, "Forwarding"), 2);
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.ip_forward", "1"), 0);
	assert_int_equal(IPSTAT(f.s, "Forwarding"), 1);
	inject(&f, f.c, fr, n);
	parse_ip(cap_next(f.c2), &e, &ip);	/* checksum verified by the parse */
	assert_memory_equal(e.src, MAC_US2, 6);
	assert_memory_equal(e.dst, MAC_PEER2, 6);
	assert_int_equal(ip.ttl, 63);
	assert_int_equal(ip.saddr, PEER);
	assert_int_equal(ip.daddr, PEER2);
	assert_int_equal(IPSTAT(f.s, "ForwDatagrams"), 1);
	/* TTL 1: time exceeded back to the source, InHdrErrors */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 1, 10, 0, pl, 100);
	inject(&f, f.c, fr, n);
	assert_null(cap_next(f.c2));
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(ip.saddr, US);
	assert_int_equal(ip.daddr, PEER);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.type, ICMP_TIME_EXCEEDED);
	assert_int_equal(r.code, ICMP_EXC_TTL);
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 1);
	/* icmp_errors_use_inbound_ifaddr: the source is the input device's */
	ns_sysctl_set(f.s, "net.ipv4.icmp_errors_use_inbound_ifaddr", "1");
	n = mk_ip(fr, MAC_US2, MAC_PEER2, PEER, IP4(10, 0, 0, 3), PROTO_TEST, 1, 10, 0, pl, 100);
	inject(&f, f.c2, fr, n);
	parse_ip(cap_next(f.c), &e, &ip);	/* back out eth0, with eth1's address */
	assert_int_equal(ip.daddr, PEER);
	assert_int_equal(ip.saddr, US2);
	ns_sysctl_set(f.s, "net.ipv4.icmp_errors_use_inbound_ifaddr", "0");
	/* TTL 0 likewise */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 0, 11, 0, pl, 100);
	inject(&f, f.c, fr, n);
	assert_null(cap_next(f.c2));
	assert_non_null(cap_next(f.c));
	assert_int_equal(IPSTAT(f.s, "InHdrErrors"), 3);
	/* DF and bigger than the next hop's MTU: frag-needed with the MTU */
	assert_int_equal(ns_dev_set_mtu(f.c2->dev, 1000), 0);
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, 12, IP_DF, pl, 1200);
	inject(&f, f.c, fr, n);
	assert_null(cap_next(f.c2));
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.type, ICMP_DEST_UNREACH);
	assert_int_equal(r.code, ICMP_FRAG_NEEDED);
	assert_int_equal(r.un.mtu, 1000);
	{
		const uint8_t *q4;
		size_t q4len;

		assert_int_equal(icmp_parse_inner(&r, &in, &q4, &q4len), 0);
		assert_int_equal(in.id, 12);
	}
	assert_int_equal(IPSTAT(f.s, "FragFails"), 1);
	/* without DF: fragmented on the way out */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, 13, 0, pl, 1200);
	inject(&f, f.c, fr, n);
	parse_ip(cap_next(f.c2), &e, &ip);
	assert_int_equal(ip.tot_len, 996);
	assert_true(ip.mf);
	assert_int_equal(ip.ttl, 63);
	parse_ip(cap_next(f.c2), &e, &ip);
	assert_int_equal(ip.tot_len, 20 + 1200 - 976);
	assert_int_equal(ip.frag_off, 976 / 8);
	assert_false(ip.mf);
	/* no route: net unreachable */
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(192, 0, 2, 1), PROTO_TEST, 64, 14, 0, pl, 10);
	inject(&f, f.c, fr, n);
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.code, ICMP_NET_UNREACH);
	/* reject routes: blackhole silent, unreachable, prohibit */
	{
		struct fib_table *m = fib_get_table(f.s, RT_TABLE_MAIN);
		struct fib_route bh = { .dst = IP4(192, 0, 2, 0), .dst_len = 26, .type = RTN_BLACKHOLE };
		struct fib_route un = { .dst = IP4(192, 0, 2, 64), .dst_len = 26, .type = RTN_UNREACHABLE };
		struct fib_route pr = { .dst = IP4(192, 0, 2, 128), .dst_len = 26, .type = RTN_PROHIBIT };

		assert_int_equal(fib_table_insert(m, &bh, NLM_F_CREATE | NLM_F_EXCL), 0);
		assert_int_equal(fib_table_insert(m, &un, NLM_F_CREATE | NLM_F_EXCL), 0);
		assert_int_equal(fib_table_insert(m, &pr, NLM_F_CREATE | NLM_F_EXCL), 0);
	}
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(192, 0, 2, 1), PROTO_TEST, 64, 15, 0, pl, 10);
	inject(&f, f.c, fr, n);
	assert_null(cap_next(f.c));
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(192, 0, 2, 65), PROTO_TEST, 64, 16, 0, pl, 10);
	inject(&f, f.c, fr, n);
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.code, ICMP_HOST_UNREACH);
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(192, 0, 2, 129), PROTO_TEST, 64, 17, 0, pl, 10);
	inject(&f, f.c, fr, n);
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.code, ICMP_PKT_FILTERED);
	test_stack_free(f.ts);
}

/* One forwarded datagram (id) from PEER to PEER2: its frame out of eth1. */
static const struct cap_frame *forward_one(struct fx *f, uint16_t id)
{
	uint8_t fr[256], pl[10] = { 0 };

	inject(f, f->c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, id, 0, pl, 10));
	return cap_next(f->c2);
}

/* The cached dst (device + neighbour per next hop) and the neighbour's
 * cached link header follow every change: a new neighbour address, a new
 * device address, a deleted neighbour (re-resolved by ARP), a device down. */
static void test_forward_dst_cache_invalidation(void **state)
{
	static const uint8_t mac_new[6] = { 0x02, 0, 0, 0, 1, 0x99 };
	static const uint8_t us2_new[6] = { 0x02, 0, 0, 0, 1, 0x77 };
	const struct cap_frame *c;
	struct eth_repr e;
	struct ipv4_repr ip;
	struct fx f;

	(void)state;
	fx_init(&f, true);
	ns_sysctl_set(f.s, "net.ipv4.ip_forward", "1");
	for (uint16_t id = 1; id <= 3; id++) {
		parse_ip(forward_one(&f, id), &e, &ip);
		assert_memory_equal(e.dst, MAC_PEER2, 6);
		assert_memory_equal(e.src, MAC_US2, 6);
		assert_int_equal(ip.id, id);
	}
	/* the neighbour's address changes: the cached header goes with it */
	assert_int_equal(arp_neigh_add(f.c2->dev, PEER2, mac_new, NUD_PERMANENT), 0);
	parse_ip(forward_one(&f, 4), &e, &ip);
	assert_memory_equal(e.dst, mac_new, 6);
	/* the device's own address changes */
	assert_int_equal(ns_dev_set_mac(f.c2->dev, us2_new), 0);
	parse_ip(forward_one(&f, 5), &e, &ip);
	assert_memory_equal(e.src, us2_new, 6);
	assert_memory_equal(e.dst, mac_new, 6);
	/* the neighbour is deleted (freed): resolved again, the datagram waits */
	assert_int_equal(arp_neigh_del(f.c2->dev, PEER2), 0);
	c = forward_one(&f, 6);
	assert_non_null(c);
	assert_int_equal(get_be16(c->data + 12), ETH_P_ARP);
	assert_null(cap_next(f.c2));
	assert_int_equal(arp_neigh_add(f.c2->dev, PEER2, MAC_PEER2, NUD_REACHABLE), 0);
	parse_ip(cap_next(f.c2), &e, &ip);	/* the queued one, flushed */
	assert_int_equal(ip.id, 6);
	assert_memory_equal(e.dst, MAC_PEER2, 6);
	parse_ip(forward_one(&f, 7), &e, &ip);
	assert_memory_equal(e.dst, MAC_PEER2, 6);
	/* the output device goes down: nothing leaves by it */
	assert_int_equal(ns_dev_set_up(f.c2->dev, false), 0);
	assert_null(forward_one(&f, 8));
	assert_int_equal(ns_dev_set_up(f.c2->dev, true), 0);
	assert_int_equal(arp_neigh_add(f.c2->dev, PEER2, MAC_PEER2, NUD_PERMANENT), 0);
	while (cap_next(f.c2))
		;
	parse_ip(forward_one(&f, 9), &e, &ip);
	assert_int_equal(ip.id, 9);
	assert_int_equal(IPSTAT(f.s, "ForwDatagrams"), 8);
	/* the incremental checksum update of the TTL decrement (RFC 1624),
	 * over 3072 headers: every checksum value range, the carry included;
	 * the parse verifies each */
	for (unsigned int k = 0; k < 3072; k += 64) {
		uint8_t fr[256], pl[10] = { 0 };

		for (unsigned int j = k; j < k + 64; j++)
			capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST,
						     (uint8_t)(2 + j % 254), (uint16_t)(j * 7919u), 0,
						     pl, 10));
		test_stack_settle(f.ts);
		for (unsigned int j = k; j < k + 64; j++) {
			parse_ip(cap_next(f.c2), &e, &ip);
			assert_int_equal(ip.ttl, 1 + j % 254);
		}
	}
	test_stack_free(f.ts);
}

/* Datagrams queued together are received as one batch (routed in one
 * pass, then delivered or forwarded in order): each gets what it would
 * alone. */
static void test_receive_batch(void **state)
{
	uint8_t fr[256], pl[10] = { 0 };
	size_t n;
	struct fx f;
	struct eth_repr e;
	struct ipv4_repr ip;
	struct icmp_repr r;
	const uint8_t *l4;

	(void)state;
	fx_init(&f, true);
	ns_sysctl_set(f.s, "net.ipv4.ip_forward", "1");
	capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, 1, 0, pl, 10));
	capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, US, PROTO_TEST, 64, 2, 0, pl, 10));
	capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 1, 3, 0, pl, 10));
	capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(192, 0, 2, 1), PROTO_TEST, 64, 4,
				     0, pl, 10));
	n = mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, 5, 0, pl, 10);
	fr[14 + 10] ^= 1;	/* bad header checksum: dropped, counted */
	capdev_inject(f.c, fr, n);
	capdev_inject(f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 64, 6, 0, pl, 10));
	test_stack_settle(f.ts);
	parse_ip(cap_next(f.c2), &e, &ip);
	assert_int_equal(ip.id, 1);
	parse_ip(cap_next(f.c2), &e, &ip);
	assert_int_equal(ip.id, 6);
	assert_null(cap_next(f.c2));
	assert_int_equal(g_rx.count, 1);
	/* the TTL-1 one: time exceeded, the unroutable one: net unreachable
	 * (errors about different datagrams of a batch may leave in either
	 * order: routing errors are answered while the batch is routed) */
	{
		unsigned int seen = 0;

		for (int i = 0; i < 2; i++) {
			l4 = parse_ip(cap_next(f.c), &e, &ip);
			assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
			if (r.type == ICMP_TIME_EXCEEDED)
				seen |= 1;
			else if (r.type == ICMP_DEST_UNREACH && r.code == ICMP_NET_UNREACH)
				seen |= 2;
		}
		assert_int_equal(seen, 3);
	}
	assert_null(cap_next(f.c));
	assert_int_equal(IPSTAT(f.s, "InReceives"), 6);
	assert_int_equal(IPSTAT(f.s, "ForwDatagrams"), 2);
	assert_int_equal(IPSTAT(f.s, "InDelivers"), 1);
	assert_int_equal(drops(f.s, SKB_DROP_REASON_CSUM), 1);
	test_stack_free(f.ts);
}

static void test_forward_unresolved_host_unreach(void **state)
{
	struct fx f;
	uint8_t fr[256], pl[10] = { 0 };
	struct eth_repr e;
	struct ipv4_repr ip;
	struct icmp_repr r;
	const uint8_t *l4;
	struct cap_frame *c;

	(void)state;
	fx_init(&f, true);
	ns_sysctl_set(f.s, "net.ipv4.ip_forward", "1");
	inject(&f, f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, IP4(10, 1, 0, 77), PROTO_TEST, 64, 1, 0, pl, 10));
	test_stack_advance(f.ts, 4 * SEC, SEC / 2);
	while ((c = cap_next(f.c2)) != NULL)
		assert_int_equal(get_be16(c->data + 12), ETH_P_ARP);
	l4 = parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(icmp_parse(l4, ipv4_payload_len(&ip), 0, &r), 0);
	assert_int_equal(r.type, ICMP_DEST_UNREACH);
	assert_int_equal(r.code, ICMP_HOST_UNREACH);
	assert_int_equal(ip.daddr, PEER);
	test_stack_free(f.ts);
}

static void test_icmp_ratelimit(void **state)
{
	struct fx f;
	uint8_t fr[256], pl[10] = { 0 };
	unsigned int sent = 0;

	(void)state;
	fx_init(&f, true);
	ns_sysctl_set(f.s, "net.ipv4.ip_forward", "1");
	for (int i = 0; i < 20; i++)
		inject(&f, f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 1, (uint16_t)i, 0, pl, 10));
	while (cap_next(f.c))
		sent++;
	/* per destination: a burst of 6 (XRLIM_BURST_FACTOR), then one per
	 * icmp_ratelimit (1 s) */
	assert_int_equal(sent, 6);
	assert_int_equal(ICMPSTAT(f.s, "OutRateLimitHost"), 14);
	test_stack_advance(f.ts, SEC, SEC);
	for (int i = 0; i < 5; i++)
		inject(&f, f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 1, (uint16_t)i, 0, pl, 10));
	sent = 0;
	while (cap_next(f.c))
		sent++;
	assert_int_equal(sent, 1);
	/* echo replies are not in icmp_ratemask */
	for (uint16_t i = 0; i < 10; i++)
		expect_ping_answered(&f, i);
	/* global bucket: icmp_msgs_burst */
	ns_sysctl_set(f.s, "net.ipv4.icmp_ratelimit", "0");
	ns_sysctl_set(f.s, "net.ipv4.icmp_msgs_burst", "3");
	test_stack_advance(f.ts, SEC, SEC);
	for (int i = 0; i < 10; i++)
		inject(&f, f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, PEER2, PROTO_TEST, 1, (uint16_t)i, 0, pl, 10));
	sent = 0;
	while (cap_next(f.c))
		sent++;
	assert_int_equal(sent, 3);
	assert_int_equal(ICMPSTAT(f.s, "OutRateLimitGlobal"), 7);
	test_stack_free(f.ts);
}

static void test_addresses_routes_proc(void **state)
{
	struct fx f;
	char *txt, buf[256];
	struct fib_table *local, *main;
	const char *hdr = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

	(void)state;
	fx_init(&f, false);
	local = fib_get_table(f.s, RT_TABLE_LOCAL);
	main = fib_get_table(f.s, RT_TABLE_MAIN);
	/* lo got 127.0.0.1/8 at init */
	assert_ptr_equal(ip_dev_find(f.s, IP4(127, 0, 0, 1)), f.s->loopback_dev);
	assert_int_equal(inet_addr_type(f.s, IP4(127, 0, 0, 9)), RTN_LOCAL);
	assert_int_equal(inet_addr_type(f.s, US), RTN_LOCAL);
	assert_int_equal(inet_addr_type(f.s, IP4(10, 0, 0, 255)), RTN_BROADCAST);
	assert_int_equal(inet_addr_type(f.s, PEER), RTN_UNICAST);
	/* local 10.0.0.1, broadcast 10.0.0.255 (local table); 10.0.0.0/24 (main) */
	assert_int_equal(fib_table_lookup(local, US)->type, RTN_LOCAL);
	assert_int_equal(fib_table_lookup(local, US)->scope, RT_SCOPE_HOST);
	assert_int_equal(fib_table_lookup(main, PEER)->scope, RT_SCOPE_LINK);
	assert_int_equal(fib_table_lookup(main, PEER)->protocol, RTPROT_KERNEL);
	assert_int_equal(fib_table_lookup(main, PEER)->prefsrc, US);
	txt = ns_proc_read(f.s, "/proc/net/route", NULL);
	assert_non_null(txt);
	assert_int_equal(strncmp(txt, hdr, strlen(hdr)), 0);
	assert_non_null(strstr(txt, "eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"));
	free(txt);
	/* a second address in the subnet is secondary; no second subnet route */
	assert_int_equal(inet_addr_add(f.c->dev, IP4(10, 0, 0, 5), 24, NULL), 0);
	{
		struct in_ifaddr *ifa;
		int sec = 0;

		for_each_ifa((struct in_device *)f.c->dev->ip_ptr, ifa)
			sec += !!(ifa->ifa_flags & IFA_F_SECONDARY);
		assert_int_equal(sec, 1);
	}
	assert_int_equal(fib_table_count(main), 1);
	/* ip route get */
	assert_true(ip_route_get(f.s, PEER, 0, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "10.0.0.2 dev eth0 src 10.0.0.1 uid 0 \n    cache \n");
	assert_true(ip_route_get(f.s, US, 0, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "local 10.0.0.1 dev lo src 10.0.0.1 uid 0 \n    cache <local> \n");
	assert_int_equal(ip_route_get(f.s, IP4(8, 8, 8, 8), 0, 0, buf, sizeof(buf)), -ENETUNREACH);
	{
		struct fib_route dflt = { .gateway = IP4(10, 0, 0, 254), .oif = f.c->dev->ifindex };

		assert_int_equal(fib_table_insert(main, &dflt, NLM_F_CREATE | NLM_F_EXCL), 0);
	}
	assert_true(ip_route_get(f.s, IP4(8, 8, 8, 8), 0, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "8.8.8.8 via 10.0.0.254 dev eth0 src 10.0.0.1 uid 0 \n    cache \n");
	/* deleting the primary takes the secondary and the routes along */
	assert_int_equal(inet_addr_del(f.c->dev, US, 24), 0);
	assert_int_equal(inet_addr_type(f.s, IP4(10, 0, 0, 5)), RTN_UNICAST);
	assert_null(fib_table_lookup(main, PEER) && fib_table_lookup(main, PEER)->dst_len == 24 ? main : NULL);
	assert_int_equal(inet_addr_del(f.c->dev, US, 24), -EADDRNOTAVAIL);
	/* device down removes its routes; up brings the address routes back */
	assert_int_equal(inet_addr_add(f.c->dev, US, 24, NULL), 0);
	ns_dev_set_up(f.c->dev, false);
	assert_int_equal(fib_table_count(main), 0);
	assert_int_equal(inet_addr_type(f.s, US), RTN_UNICAST);
	ns_dev_set_up(f.c->dev, true);
	assert_int_equal(inet_addr_type(f.s, US), RTN_LOCAL);
	assert_int_equal(fib_table_count(main), 1);
	test_stack_free(f.ts);
}

static void test_snmp_format(void **state)
{
	struct fx f;
	char *txt;

	(void)state;
	fx_init(&f, false);
	expect_ping_answered(&f, 1);
	txt = ns_proc_read(f.s, "/proc/net/snmp", NULL);
	assert_non_null(txt);
	assert_string_equal(txt,
		"Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams "
		"InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes "
		"ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits\n"
		"Ip: 2 64 1 0 0 0 0 0 1 1 0 0 0 0 0 0 0 0 0 1\n"
		"Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs "
		"InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks "
		"InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs "
		"OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps "
		"OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps\n"
		"Icmp: 1 0 0 0 0 0 0 0 1 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 1 0 0 0 0\n"
		"IcmpMsg: InType8 OutType0\n"
		"IcmpMsg: 1 1\n"
		"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
		"EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
		"Tcp: 1 200 120000 -1 0 0 0 0 0 0 0 0 0 0 0\n"
		"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
		"InCsumErrors IgnoredMulti MemErrors\n"
		"Udp: 0 0 0 0 0 0 0 0 0\n"
		"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
		"InCsumErrors IgnoredMulti MemErrors\n"
		"UdpLite: 0 0 0 0 0 0 0 0 0\n");
	free(txt);
	txt = ns_sysctl_get(f.s, "net.ipv4.ip_local_port_range");
	assert_string_equal(txt, "32768\t60999\n");
	free(txt);
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.ip_local_port_range", "5000 4000"), -EINVAL);
	assert_int_equal(ns_sysctl_set(f.s, "net.ipv4.ip_local_port_range", "5000 x"), -EINVAL);
	{
		int lo, hi;

		inet_get_local_port_range(f.s, &lo, &hi);
		assert_int_equal(lo, 32768);
		assert_int_equal(hi, 60999);
		assert_int_equal(ip_default_ttl(f.s), 64);
	}
	test_stack_free(f.ts);
}

static void test_pmtu_and_err_handler(void **state)
{
	struct fx f;
	uint8_t fr[256], icmp[8 + 28], inner[28];
	struct icmp_repr r = { .type = ICMP_DEST_UNREACH, .code = ICMP_FRAG_NEEDED };
	struct ipv4_repr q = { .tot_len = 1400, .id = 5, .ttl = 64, .protocol = PROTO_TEST,
			       .saddr = US, .daddr = PEER, .df = true };
	struct flowi4 fl4 = { .daddr = PEER };
	struct ip_route_result res;
	char buf[256];

	(void)state;
	fx_init(&f, false);
	ipv4_emit(&q, inner, 20);
	memset(inner + 20, 0xab, 8);
	r.un.mtu = 1280;
	r.data = inner;
	r.data_len = 28;
	icmp_emit(&r, icmp, sizeof(icmp));
	inject(&f, f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, US, IPPROTO_ICMP, 64, 1, 0, icmp, sizeof(icmp)));
	assert_int_equal(g_rx.errs, 1);
	assert_int_equal(g_rx.last_err.type, ICMP_DEST_UNREACH);
	assert_int_equal(g_rx.last_err.code, ICMP_FRAG_NEEDED);
	assert_int_equal(g_rx.last_err.info, 1280);
	assert_int_equal(g_rx.last_err.daddr, PEER);
	assert_int_equal(g_rx.last_err.protocol, PROTO_TEST);
	assert_true(g_rx.last_err.l4_len >= 8);
	assert_int_equal(ip_route_output(f.s, &fl4, &res), 0);
	assert_int_equal(res.mtu, 1280);
	assert_true(ip_route_get(f.s, PEER, 0, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "10.0.0.2 dev eth0 src 10.0.0.1 uid 0 \n    cache expires 600sec mtu 1280 \n");
	/* an absurdly small MTU is clamped to route/min_pmtu */
	r.un.mtu = 100;
	icmp_emit(&r, icmp, sizeof(icmp));
	inject(&f, f.c, fr, mk_ip(fr, MAC_US, MAC_PEER, PEER, US, IPPROTO_ICMP, 64, 2, 0, icmp, sizeof(icmp)));
	assert_int_equal(ip_route_output(f.s, &fl4, &res), 0);
	assert_int_equal(res.mtu, 552);
	/* expiry */
	test_stack_advance(f.ts, 601 * SEC, 100 * SEC);
	assert_int_equal(ip_route_output(f.s, &fl4, &res), 0);
	assert_int_equal(res.mtu, 1500);
	test_stack_free(f.ts);
}

static void test_route_output_errors(void **state)
{
	struct fx f;
	struct flowi4 fl4 = { 0 };
	struct ip_route_result res;

	(void)state;
	fx_init(&f, false);
	fl4.daddr = IP4(10, 0, 0, 255);
	assert_int_equal(ip_route_output(f.s, &fl4, &res), -EACCES);
	fl4.flags = FLOWI_FLAG_BROADCAST;
	assert_int_equal(ip_route_output(f.s, &fl4, &res), 0);
	assert_int_equal(res.type, RTN_BROADCAST);
	fl4 = (struct flowi4){ .daddr = IP4(255, 255, 255, 255), .oif = f.c->dev->ifindex };
	assert_int_equal(ip_route_output(f.s, &fl4, &res), -EACCES);
	fl4.flags = FLOWI_FLAG_BROADCAST;
	assert_int_equal(ip_route_output(f.s, &fl4, &res), 0);
	assert_int_equal(fl4.saddr, US);
	fl4 = (struct flowi4){ .daddr = PEER, .saddr = IP4(10, 0, 0, 9) };
	assert_int_equal(ip_route_output(f.s, &fl4, &res), -EINVAL);
	fl4 = (struct flowi4){ .daddr = IP4(1, 2, 3, 4) };
	assert_int_equal(ip_route_output(f.s, &fl4, &res), -ENETUNREACH);
	assert_int_equal(send_test(f.s, IP4(1, 2, 3, 4), 10, 0), -ENETUNREACH);
	assert_int_equal(IPSTAT(f.s, "OutNoRoutes"), 1);
	/* local destination: through lo, delivered */
	assert_int_equal(send_test(f.s, US, 100, 0), 0);
	test_stack_settle(f.ts);
	assert_int_equal(g_rx.count, 1);
	assert_int_equal(g_rx.last_len, 100);
	assert_int_equal(send_test(f.s, IP4(127, 0, 0, 1), 60000, 0), 0);
	test_stack_settle(f.ts);
	assert_int_equal(g_rx.count, 2);
	assert_int_equal(g_rx.last_len, 60000);
	assert_int_equal(inet_del_protocol(f.s, &test_proto, PROTO_TEST), 0);
	assert_int_equal(inet_del_protocol(f.s, &test_proto, PROTO_TEST), -ENOENT);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_bad_input_counted),
		cmocka_unit_test(test_fragment_out_and_reassemble_in),
		cmocka_unit_test(test_reassembly_errors),
		cmocka_unit_test(test_reassembly_timeout_and_memlimit),
		cmocka_unit_test(test_forwarding),
		cmocka_unit_test(test_forward_unresolved_host_unreach),
		cmocka_unit_test(test_forward_dst_cache_invalidation),
		cmocka_unit_test(test_receive_batch),
		cmocka_unit_test(test_icmp_ratelimit),
		cmocka_unit_test(test_addresses_routes_proc),
		cmocka_unit_test(test_snmp_format),
		cmocka_unit_test(test_pmtu_and_err_handler),
		cmocka_unit_test(test_route_output_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
