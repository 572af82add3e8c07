/* test_ipv6.c - IPv6 on one stack with a capture device: link-local
 * formation and DAD, SLAAC from an injected RA, NS/NA and NUD, ping6,
 * fragmentation and reassembly of an 8000-byte echo, bad input dropped and
 * counted, and the /proc formats. */
#include "ipv6_testutil.h"
#include "netfilter/core.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)
#define MS(x) ((uint64_t)(x) * 1000000ull)

struct fx {
	struct test_stack *ts;
	struct capdev *c;
	uint8_t ll[16], peer_ll[16], us[16], peer[16];
};

static void fx_init(struct fx *f, bool with_global)
{
	f->ts = test_stack_new("v6", 11);
	test_stack_ipv6(f->ts);
	f->c = capdev_new(f->ts, "eth0", MAC6_US);
	A6(f->ll, "fe80::ff:fe00:1");
	A6(f->peer_ll, "fe80::ff:fe00:2");
	A6(f->us, "fd00::1");
	A6(f->peer, "fd00::2");
	if (with_global)
		assert_int_equal(ipv6_addr_add(f->c->dev, f->us, 64, IFA_F_NODAD), 0);
	test_stack_advance(f->ts, S(3), MS(10));	/* DAD of the link-local */
	f->c->taken = f->c->count;
}

static void fx_free(struct fx *f)
{
	test_stack_free(f->ts);
}

static void inject(struct fx *f, const uint8_t *frame, size_t len)
{
	capdev_inject(f->c, frame, len);
	test_stack_settle(f->ts);
}

/* ---- link-local and DAD ------------------------------------------------------------- */
static void test_linklocal_dad_ok(void **state)
{
	struct test_stack *ts = test_stack_new("v6", 1);
	struct capdev *c;
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	const struct cap_frame *fr;
	uint8_t ll[16], snm[16];

	(void)state;
	test_stack_ipv6(ts);
	c = capdev_new(ts, "eth0", MAC6_US);
	A6(ll, "fe80::ff:fe00:1");	/* EUI-64: 02:00:00 -> 00:00:00:ff:fe */
	assert_int_equal(ipv6_addr_flags(ts->stack, c->dev, ll), IFA_F_PERMANENT | IFA_F_TENTATIVE);
	assert_false(ipv6_chk_addr(ts->stack, ll, NULL));
	test_stack_advance(ts, MS(1500), MS(10));
	/* an unsolicited MLDv2 report for the solicited-node group */
	fr = next_icmp6(c, ICMPV6_MLD2_REPORT, &ip, &ic);
	assert_non_null(fr);
	assert_int_equal(ip.hop_limit, 1);
	assert_int_equal(fr->data[0], 0x33);
	/* the DAD probe: from ::, to the solicited-node group, no options */
	c->taken = 0;
	fr = next_icmp6(c, NDISC_NEIGHBOUR_SOLICITATION, &ip, &ic);
	assert_non_null(fr);
	assert_true(ipv6_addr_any(ip.saddr));
	addrconf_addr_solict_mult(ll, snm);
	assert_memory_equal(ip.daddr, snm, 16);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(ic.data_len, 16);
	assert_memory_equal(ic.data, ll, 16);
	test_stack_advance(ts, MS(1500), MS(10));
	assert_int_equal(ipv6_addr_flags(ts->stack, c->dev, ll), IFA_F_PERMANENT);
	assert_true(ipv6_chk_addr(ts->stack, ll, NULL));
	assert_true(proc_has(ts->stack, "/proc/net/if_inet6",
			     "fe80000000000000000000fffe000001 02 40 20 80     eth0\n"));
	assert_true(proc_has(ts->stack, "/proc/net/if_inet6",
			     "00000000000000000000000000000001 01 80 10 80       lo\n"));
	/* then router solicitations: 3, 4 s apart (RFC 4861 6.3.7) */
	test_stack_advance(ts, S(20), MS(100));
	c->taken = 0;
	int rs = 0;
	uint64_t last = 0;
	while ((fr = next_icmp6(c, NDISC_ROUTER_SOLICITATION, &ip, &ic)) != NULL) {
		assert_memory_equal(ip.saddr, ll, 16);
		if (rs)
			assert_int_equal(fr->time - last, S(4));
		last = fr->time;
		rs++;
	}
	assert_int_equal(rs, 3);
	test_stack_free(ts);
}

static void test_dad_duplicate_by_na(void **state)
{
	struct test_stack *ts = test_stack_new("v6", 2);
	struct capdev *c;
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	struct ndp_repr na = { .type = NDISC_NEIGHBOUR_ADVERTISEMENT, .override = true };
	uint8_t ll[16], opts[8], frame[200];
	size_t n;

	(void)state;
	test_stack_ipv6(ts);
	c = capdev_new(ts, "eth0", MAC6_US);
	A6(ll, "fe80::ff:fe00:1");
	memcpy(na.target, ll, 16);
	ndp_opt_emit_lladdr(ND_OPT_TARGET_LL_ADDR, MAC6_PEER, opts, 8);
	/* someone already holds the address and defends it */
	n = mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER, ll,
		   in6addr_linklocal_allnodes, 255, &na, opts, 8);
	capdev_inject(c, frame, n);
	test_stack_settle(ts);
	assert_int_equal(ipv6_addr_flags(ts->stack, c->dev, ll),
			 IFA_F_PERMANENT | IFA_F_TENTATIVE | IFA_F_DADFAILED);
	test_stack_advance(ts, S(10), MS(100));
	assert_false(ipv6_chk_addr(ts->stack, ll, NULL));
	/* not used: no DAD probe after the failure, no solicitation from it */
	c->taken = 0;
	assert_null(next_icmp6(c, NDISC_NEIGHBOUR_SOLICITATION, &ip, &ic));
	c->taken = 0;
	assert_null(next_icmp6(c, NDISC_ROUTER_SOLICITATION, &ip, &ic));
	assert_true(proc_has(ts->stack, "/proc/net/if_inet6", " 02 40 20 c8     eth0\n"));
	test_stack_free(ts);
}

static void test_dad_duplicate_by_ns(void **state)
{
	struct test_stack *ts = test_stack_new("v6", 3);
	struct capdev *c;
	struct ndp_repr ns = { .type = NDISC_NEIGHBOUR_SOLICITATION };
	uint8_t ll[16], snm[16], frame[200], dmac[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	size_t n;

	(void)state;
	test_stack_ipv6(ts);
	c = capdev_new(ts, "eth0", MAC6_US);
	A6(ll, "fe80::ff:fe00:1");
	memcpy(ns.target, ll, 16);
	addrconf_addr_solict_mult(ll, snm);
	/* another node probing for the same tentative address (RFC 4862 5.4.3) */
	n = mk_ndp(frame, dmac, MAC6_PEER, in6addr_any_bytes, snm, 255, &ns, NULL, 0);
	capdev_inject(c, frame, n);
	test_stack_settle(ts);
	assert_true(ipv6_addr_flags(ts->stack, c->dev, ll) & IFA_F_DADFAILED);
	test_stack_free(ts);
}

static void test_stable_privacy_iid(void **state)
{
	struct test_stack *ts = test_stack_new("v6", 4);
	struct capdev *c;
	char *txt;

	(void)state;
	test_stack_ipv6(ts);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.ipv6.conf.default.addr_gen_mode", "2"), 0);
	c = capdev_new(ts, "eth0", MAC6_US);
	test_stack_advance(ts, S(3), MS(10));
	txt = ns_proc_read(ts->stack, "/proc/net/if_inet6", NULL);
	/* a link-local, but not the EUI-64 one */
	assert_non_null(strstr(txt, "fe80000000000000"));
	assert_null(strstr(txt, "fffe000001 02"));
	free(txt);
	/* RFC 7217 6: a collision makes a new IID with DAD_Counter + 1 */
	{
		struct inet6_dev *idev = __in6_dev_get(c->dev);
		struct inet6_ifaddr *ll = list_first_entry(&idev->addr_list, struct inet6_ifaddr, if_list);
		uint8_t first[16];

		memcpy(first, ll->addr, 16);
		addrconf_dad_failure(ll);
		assert_int_equal(idev->addr_count, 2);
		ll = list_entry(idev->addr_list.prev, struct inet6_ifaddr, if_list);
		assert_int_equal(ll->dad_counter, 1);
		assert_memory_equal(ll->addr, first, 8);
		assert_memory_not_equal(ll->addr + 8, first + 8, 8);
		test_stack_advance(ts, S(3), MS(10));
		assert_true(ipv6_chk_addr(ts->stack, ll->addr, c->dev));
	}
	test_stack_free(ts);
}

/* ---- SLAAC ---------------------------------------------------------------------------- */
static size_t mk_ra(uint8_t *frame, const uint8_t *src, uint16_t router_lft, uint32_t valid,
		    uint32_t pref, uint8_t hlim)
{
	struct ndp_repr ra = { .type = NDISC_ROUTER_ADVERTISEMENT, .cur_hop_limit = 64,
			       .router_lifetime = router_lft };
	struct ndp_prefix_info pi = { .prefix_len = 64, .onlink = true, .autoconf = true,
				      .valid_lft = valid, .preferred_lft = pref };
	uint8_t opts[8 + 8 + 32];

	A6(pi.prefix, "fd00:1::");
	ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, MAC6_PEER, opts, 8);
	ndp_opt_emit_mtu(1400, opts + 8, 8);
	ndp_opt_emit_prefix_info(&pi, opts + 16, 32);
	return mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER, src,
		      in6addr_linklocal_allnodes, hlim, &ra, opts, sizeof(opts));
}

static void test_slaac_from_ra(void **state)
{
	struct fx f;
	uint8_t frame[300], addr[16];
	size_t n;

	(void)state;
	fx_init(&f, false);
	A6(addr, "fd00:1::ff:fe00:1");
	n = mk_ra(frame, f.peer_ll, 1800, 7200, 3600, 255);
	inject(&f, frame, n);
	assert_int_equal(ipv6_addr_flags(f.ts->stack, f.c->dev, addr), IFA_F_TENTATIVE);
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
			     "fe80000000000000000000fffe000002 00000400 00000001 00000000 00450003     eth0\n"));
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "fd000001000000000000000000000000 40 00000000000000000000000000000000 00 "
			     "00000000000000000000000000000000 00000100 00000001 00000000 00440001     eth0\n"));
	assert_int_equal(__in6_dev_get(f.c->dev)->mtu6, 1400);
	test_stack_advance(f.ts, S(3), MS(100));
	assert_int_equal(ipv6_addr_flags(f.ts->stack, f.c->dev, addr), 0);
	assert_true(proc_has(f.ts->stack, "/proc/net/if_inet6",
			     "fd00000100000000000000fffe000001 02 40 00 00     eth0\n"));
	/* the router lifetime ends: the default route goes */
	test_stack_advance(f.ts, S(1800), S(10));
	assert_false(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80"));
	/* preferred lifetime over: deprecated; valid over: gone */
	test_stack_advance(f.ts, S(1800), S(10));
	assert_int_equal(ipv6_addr_flags(f.ts->stack, f.c->dev, addr), IFA_F_DEPRECATED);
	test_stack_advance(f.ts, S(3600), S(10));
	assert_int_equal(ipv6_addr_flags(f.ts->stack, f.c->dev, addr), -ENOENT);
	fx_free(&f);
}

static void test_slaac_two_hour_rule(void **state)
{
	struct fx f;
	uint8_t frame[300], addr[16];
	struct inet6_ifaddr *ifp;

	(void)state;
	fx_init(&f, false);
	A6(addr, "fd00:1::ff:fe00:1");
	inject(&f, frame, mk_ra(frame, f.peer_ll, 0, 86400, 86400, 255));
	ifp = ipv6_get_ifaddr(f.ts->stack, addr, f.c->dev);
	assert_non_null(ifp);
	assert_int_equal(ifp->valid_lft, 86400);
	/* RFC 4862 5.5.3 e): a short valid lifetime is raised to two hours */
	inject(&f, frame, mk_ra(frame, f.peer_ll, 0, 60, 30, 255));
	assert_int_equal(ifp->valid_lft, 7200);
	assert_int_equal(ifp->prefered_lft, 30);
	/* no default route from a router lifetime of 0 */
	assert_false(proc_has(f.ts->stack, "/proc/net/ipv6_route", "00000400"));
	fx_free(&f);
}

static void test_slaac_bounded(void **state)
{
	struct fx f;
	uint8_t frame[300];
	struct inet6_dev *idev;

	(void)state;
	fx_init(&f, false);
	idev = __in6_dev_get(f.c->dev);
	/* 40 advertised prefixes: 16 SLAAC addresses at most */
	for (int i = 0; i < 40; i++) {
		struct ndp_repr ra = { .type = NDISC_ROUTER_ADVERTISEMENT };
		struct ndp_prefix_info pi = { .prefix_len = 64, .autoconf = true,
					      .valid_lft = 600, .preferred_lft = 600 };
		uint8_t opts[32];

		A6(pi.prefix, "fd00:100::");
		pi.prefix[5] = (uint8_t)i;
		ndp_opt_emit_prefix_info(&pi, opts, 32);
		inject(&f, frame, mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER,
					 f.peer_ll, in6addr_linklocal_allnodes, 255, &ra, opts, 32));
	}
	assert_int_equal(idev->addr_count, 1 + 16);
	fx_free(&f);
}

static void test_ra_ignored_when_forwarding_or_bad(void **state)
{
	struct fx f;
	uint8_t frame[300], addr[16];

	(void)state;
	fx_init(&f, false);
	A6(addr, "fd00:1::ff:fe00:1");
	/* hop limit 254: off-link, dropped and counted (RFC 4861 6.1.2) */
	inject(&f, frame, mk_ra(frame, f.peer_ll, 1800, 7200, 3600, 254));
	assert_int_equal(snmp6(f.ts->stack, "Icmp6InErrors"), 1);
	assert_int_equal(ipv6_addr_flags(f.ts->stack, f.c->dev, addr), -ENOENT);
	/* a router ignores RAs (accept_ra 1) */
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv6.conf.all.forwarding", "1"), 0);
	inject(&f, frame, mk_ra(frame, f.peer_ll, 1800, 7200, 3600, 255));
	assert_int_equal(ipv6_addr_flags(f.ts->stack, f.c->dev, addr), -ENOENT);
	fx_free(&f);
}

/* ---- NS / NA / NUD ---------------------------------------------------------------------- */
static void test_ns_gets_na(void **state)
{
	struct fx f;
	struct ndp_repr ns = { .type = NDISC_NEIGHBOUR_SOLICITATION }, na;
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	const struct cap_frame *fr;
	uint8_t frame[200], opts[8], snm[16], mac[6];
	struct ndp_opt o;
	size_t off = 0;
	struct neighbour *n;

	(void)state;
	fx_init(&f, true);
	memcpy(ns.target, f.us, 16);
	addrconf_addr_solict_mult(f.us, snm);
	ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, MAC6_PEER, opts, 8);
	inject(&f, frame, mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 1 }, MAC6_PEER,
				 f.peer, snm, 255, &ns, opts, 8));
	fr = next_icmp6(f.c, NDISC_NEIGHBOUR_ADVERTISEMENT, &ip, &ic);
	assert_non_null(fr);
	assert_memory_equal(fr->data, MAC6_PEER, 6);	/* learnt from the SLLA */
	assert_memory_equal(ip.saddr, f.us, 16);
	assert_memory_equal(ip.daddr, f.peer, 16);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(ndp_parse(&ic, &na), 0);
	assert_true(na.solicited && na.override && !na.router);
	assert_memory_equal(na.target, f.us, 16);
	assert_int_equal(ndp_opt_next(na.opts, na.opts_len, &off, &o), 1);
	assert_int_equal(o.type, ND_OPT_TARGET_LL_ADDR);
	assert_int_equal(ndp_opt_lladdr(&o, mac), 0);
	assert_memory_equal(mac, MAC6_US, 6);
	n = neigh_lookup(&f.ts->stack->ipv6->nd_tbl, f.peer, f.c->dev);
	assert_non_null(n);
	/* learnt STALE from the SLLA, then used for the answer (7.3.3) */
	assert_int_equal(n->nud_state, NUD_DELAY);
	/* a solicitation for an address we do not have: silence */
	A6(ns.target, "fd00::99");
	inject(&f, frame, mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 0x99 }, MAC6_PEER,
				 f.peer, snm, 255, &ns, opts, 8));
	assert_null(next_icmp6(f.c, NDISC_NEIGHBOUR_ADVERTISEMENT, &ip, &ic));
	fx_free(&f);
}

static void na_reply(struct fx *f, bool solicited)
{
	struct ndp_repr na = { .type = NDISC_NEIGHBOUR_ADVERTISEMENT, .solicited = solicited,
			       .override = true };
	uint8_t frame[200], opts[8];

	memcpy(na.target, f->peer, 16);
	ndp_opt_emit_lladdr(ND_OPT_TARGET_LL_ADDR, MAC6_PEER, opts, 8);
	inject(f, frame, mk_ndp(frame, MAC6_US, MAC6_PEER, f->peer, f->us, 255, &na, opts, 8));
}

static void peer_static(struct fx *f)
{
	assert_int_equal(neigh_add(&f->ts->stack->ipv6->nd_tbl, f->peer, f->c->dev, MAC6_PEER,
				   NUD_PERMANENT), 0);
}

static void test_ping6_resolution_and_nud(void **state)
{
	struct fx f;
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	const struct cap_frame *fr;
	uint8_t frame[300];
	struct neighbour *n;

	(void)state;
	fx_init(&f, true);
	/* an echo without prior NDP: the reply waits for resolution */
	inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 7, 1, 56, 64));
	fr = next_icmp6(f.c, NDISC_NEIGHBOUR_SOLICITATION, &ip, &ic);
	assert_non_null(fr);
	assert_int_equal(fr->data[0], 0x33);
	assert_memory_equal(ip.saddr, f.us, 16);
	na_reply(&f, true);
	fr = next_icmp6(f.c, ICMPV6_ECHO_REPLY, &ip, &ic);
	assert_non_null(fr);
	assert_memory_equal(fr->data, MAC6_PEER, 6);
	assert_int_equal(ic.un.echo.id, 7);
	assert_int_equal(ic.un.echo.seq, 1);
	assert_int_equal(ic.data_len, 56);
	assert_int_equal(ip.hop_limit, 64);
	n = neigh_lookup(&f.ts->stack->ipv6->nd_tbl, f.peer, f.c->dev);
	assert_int_equal(n->nud_state, NUD_REACHABLE);
	/* RFC 4861 7.3.3: REACHABLE -> STALE -> (traffic) DELAY -> PROBE */
	test_stack_advance(f.ts, S(60), S(1));
	assert_int_equal(n->nud_state, NUD_STALE);
	f.c->taken = f.c->count;
	inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 7, 2, 56, 64));
	assert_non_null(next_icmp6(f.c, ICMPV6_ECHO_REPLY, &ip, &ic));
	assert_int_equal(n->nud_state, NUD_DELAY);
	test_stack_advance(f.ts, S(6), MS(100));
	fr = next_icmp6(f.c, NDISC_NEIGHBOUR_SOLICITATION, &ip, &ic);
	assert_non_null(fr);
	assert_memory_equal(fr->data, MAC6_PEER, 6);	/* unicast probe */
	assert_memory_equal(ip.daddr, f.peer, 16);
	na_reply(&f, true);
	assert_int_equal(n->nud_state, NUD_REACHABLE);
	assert_int_equal(snmp6(f.ts->stack, "Icmp6InEchos"), 2);
	assert_int_equal(snmp6(f.ts->stack, "Icmp6OutEchoReplies"), 2);
	fx_free(&f);
}

/* ---- fragmentation ------------------------------------------------------------------------ */
/* Split an IPv6 packet (header at pkt) into fragments of at most `unit`
 * payload bytes; inject each. */
static void inject_fragments(struct fx *f, const uint8_t *pkt, size_t len, unsigned int unit,
			     uint32_t id)
{
	size_t payload = len - 40;
	uint8_t frame[2000];

	for (size_t off = 0; off < payload; off += unit) {
		size_t l = payload - off < unit ? payload - off : unit;
		struct ipv6_frag_repr fr = { .nexthdr = pkt[6], .frag_off = (uint16_t)(off / 8),
					     .mf = off + l < payload, .id = id };
		uint8_t body[1600];

		ipv6_frag_emit(&fr, body, 8);
		memcpy(body + 8, pkt + 40 + off, l);
		capdev_inject(f->c, frame,
			      mk_ip6(frame, MAC6_US, MAC6_PEER, pkt + 8, pkt + 24, IPPROTO_FRAGMENT,
				     pkt[7], body, 8 + l));
	}
	test_stack_settle(f->ts);
}

static void test_fragmented_8000_byte_echo(void **state)
{
	struct fx f;
	static uint8_t frame[9000], reasm[9000];
	struct ipv6_repr ip;
	struct eth_repr e;
	struct icmpv6_repr ic;
	size_t n, total = 0;
	struct cap_frame *fr;
	int frags = 0;

	(void)state;
	fx_init(&f, true);
	peer_static(&f);	/* no NDP in the way */
	n = mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 9, 1, 8000, 64);
	inject_fragments(&f, frame + 14, n - 14, 1232, 0x1234);
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmReqds"), 7);
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmOKs"), 1);
	/* the reply leaves in fragments of the link MTU */
	while ((fr = cap_next(f.c)) != NULL) {
		const uint8_t *p = parse_ip6(fr, &e, &ip);
		struct ipv6_frag_repr fh;

		if (ip.nexthdr != IPPROTO_FRAGMENT)
			continue;
		assert_true(fr->len - 14 <= 1500);
		assert_int_equal(ipv6_frag_parse(p, ip.payload_len, &fh), 0);
		assert_int_equal(fh.nexthdr, IPPROTO_ICMPV6);
		memcpy(reasm + fh.frag_off * 8, p + 8, ip.payload_len - 8u);
		if (!fh.mf)
			total = fh.frag_off * 8u + ip.payload_len - 8u;
		frags++;
	}
	assert_int_equal(frags, 6);
	assert_int_equal(total, 8008);
	assert_int_equal(icmpv6_parse(reasm, total, f.us, f.peer, 0, &ic), 0);
	assert_int_equal(ic.type, ICMPV6_ECHO_REPLY);
	for (size_t i = 0; i < 8000; i++)
		assert_int_equal(ic.data[i], (uint8_t)i);
	assert_int_equal(snmp6(f.ts->stack, "Ip6FragOKs"), 1);
	assert_int_equal(snmp6(f.ts->stack, "Ip6FragCreates"), 6);
	fx_free(&f);
}

static void test_atomic_fragment_and_timeout(void **state)
{
	struct fx f;
	static uint8_t frame[3000];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	size_t n;

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	/* RFC 6946: offset 0, M = 0: processed at once */
	n = mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 1, 1, 100, 64);
	inject_fragments(&f, frame + 14, n - 14, 1232, 1);
	assert_non_null(next_icmp6(f.c, ICMPV6_ECHO_REPLY, &ip, &ic));
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmOKs"), 0);
	/* only the first of two fragments: 60 s, then time exceeded code 1 */
	n = mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 1, 2, 2000, 64);
	{
		uint8_t pkt[2100];

		memcpy(pkt, frame + 14, n - 14);
		put_be16(pkt + 4, 1240 - 40);	/* cut: the first 1200 payload bytes */
		struct ipv6_frag_repr fh = { .nexthdr = IPPROTO_ICMPV6, .mf = true, .id = 2 };
		uint8_t body[1300], fr2[1400];

		ipv6_frag_emit(&fh, body, 8);
		memcpy(body + 8, pkt + 40, 1200);
		capdev_inject(f.c, fr2, mk_ip6(fr2, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_FRAGMENT,
					       64, body, 1208));
	}
	test_stack_advance(f.ts, S(59), S(1));
	assert_null(next_icmp6(f.c, ICMPV6_TIME_EXCEED, &ip, &ic));
	test_stack_advance(f.ts, S(2), S(1));
	assert_non_null(next_icmp6(f.c, ICMPV6_TIME_EXCEED, &ip, &ic));
	assert_int_equal(ic.code, ICMPV6_EXC_FRAGTIME);
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmTimeout"), 1);
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmFails"), 1);
	fx_free(&f);
}

/* ---- bad input ------------------------------------------------------------------------------- */
static void test_bad_headers(void **state)
{
	struct fx f;
	static uint8_t frame[4000], body[3000];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	size_t n;

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	/* truncated: 20 bytes of IPv6 */
	n = mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 1, 1, 8, 64);
	inject(&f, frame, 34);
	assert_int_equal(snmp6(f.ts->stack, "Ip6InHdrErrors"), 1);
	/* payload length past the frame */
	put_be16(frame + 18, 500);
	inject(&f, frame, n);
	assert_int_equal(snmp6(f.ts->stack, "Ip6InTruncatedPkts"), 1);
	/* version 4 in an IPv6 ethertype */
	n = mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 1, 1, 8, 64);
	frame[14] = 0x40;
	inject(&f, frame, n);
	assert_int_equal(snmp6(f.ts->stack, "Ip6InHdrErrors"), 2);
	/* a chain of 150 Destination Options headers: refused, not walked */
	for (int i = 0; i < 150; i++) {
		body[i * 8] = i == 149 ? IPPROTO_NONE : IPPROTO_DSTOPTS;
		body[i * 8 + 1] = 0;
		body[i * 8 + 2] = IPV6_TLV_PADN;
		body[i * 8 + 3] = 4;
		memset(body + i * 8 + 4, 0, 4);
	}
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_DSTOPTS, 64, body, 1200));
	assert_int_equal(snmp6(f.ts->stack, "Ip6InHdrErrors"), 3);
	/* a destination option with action 10: parameter problem code 2 */
	body[0] = IPPROTO_NONE;
	body[1] = 0;
	body[2] = 0x80 | 0x1e;	/* unknown, "discard and send ICMP" */
	body[3] = 4;
	memset(body + 4, 0, 4);
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_DSTOPTS, 64, body, 8));
	assert_non_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	assert_int_equal(ic.code, ICMPV6_UNK_OPTION);
	assert_int_equal(ic.un.pointer, 42);
	/* action 00: skipped, the packet goes on (No Next Header) */
	body[2] = 0x1e;
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_DSTOPTS, 64, body, 8));
	assert_int_equal(snmp6(f.ts->stack, "Ip6InHdrErrors"), 4);
	/* routing header type 0 with segments left: refused (RFC 5095) */
	memset(body, 0, 24);
	body[0] = IPPROTO_NONE;
	body[1] = 2;
	body[2] = 0;
	body[3] = 1;
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_ROUTING, 64, body, 24));
	assert_non_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	assert_int_equal(ic.code, ICMPV6_HDR_FIELD);
	assert_int_equal(ic.un.pointer, 42);
	/* an unknown upper-layer protocol: code 1 pointing at Next Header */
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 253, 64, body, 8));
	assert_non_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	assert_int_equal(ic.code, ICMPV6_UNK_NEXTHDR);
	assert_int_equal(ic.un.pointer, 6);
	assert_int_equal(snmp6(f.ts->stack, "Ip6InUnknownProtos"), 1);
	/* not ours and not forwarding */
	A6(body + 100, "fd00::77");
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, body + 100, IPPROTO_NONE, 64, NULL, 0));
	assert_int_equal(snmp6(f.ts->stack, "Ip6InAddrErrors"), 1);
	fx_free(&f);
}

static void test_bad_fragments(void **state)
{
	struct fx f;
	static uint8_t frame[4000], body[3000];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	struct ipv6_frag_repr fh = { .nexthdr = IPPROTO_ICMPV6, .mf = true, .id = 5 };

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	/* overlapping fragments: the whole datagram goes (RFC 5722) */
	memset(body, 0, sizeof(body));
	ipv6_frag_emit(&fh, body, 8);
	body[8] = ICMPV6_ECHO_REQUEST;
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_FRAGMENT, 64, body, 8 + 64));
	fh.frag_off = 4;	/* bytes 32.. overlap the first 64 */
	ipv6_frag_emit(&fh, body, 8);
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_FRAGMENT, 64, body, 8 + 64));
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmFails"), 1);
	fh.frag_off = 8;
	fh.mf = false;
	ipv6_frag_emit(&fh, body, 8);
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_FRAGMENT, 64, body, 8 + 16));
	assert_int_equal(snmp6(f.ts->stack, "Ip6ReasmOKs"), 0);
	/* RFC 7112: a first fragment whose chain ends before the upper header */
	fh = (struct ipv6_frag_repr){ .nexthdr = IPPROTO_DSTOPTS, .mf = true, .id = 6 };
	ipv6_frag_emit(&fh, body, 8);
	body[8] = IPPROTO_TCP;
	body[9] = 0;
	body[10] = IPV6_TLV_PADN;
	body[11] = 4;
	memset(body + 12, 0, 4);
	/* 8 bytes of options, then only 8 of the 20-byte TCP header */
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_FRAGMENT, 64, body, 8 + 16));
	assert_non_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	assert_int_equal(ic.code, 3);
	/* a non-last fragment whose length is not a multiple of 8 */
	fh = (struct ipv6_frag_repr){ .nexthdr = IPPROTO_ICMPV6, .mf = true, .id = 7 };
	ipv6_frag_emit(&fh, body, 8);
	body[8] = ICMPV6_ECHO_REQUEST;
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_FRAGMENT, 64, body, 8 + 13));
	assert_non_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	assert_int_equal(ic.un.pointer, 4);
	assert_int_equal(snmp6(f.ts->stack, "Ip6InHdrErrors"), 2);
	fx_free(&f);
}

static void test_bad_ndp(void **state)
{
	struct fx f;
	struct ndp_repr ns = { .type = NDISC_NEIGHBOUR_SOLICITATION };
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	uint8_t frame[300], snm[16], opts[8] = { ND_OPT_SOURCE_LL_ADDR, 0 }, buf[200];
	size_t n;

	(void)state;
	fx_init(&f, true);
	memcpy(ns.target, f.us, 16);
	addrconf_addr_solict_mult(f.us, snm);
	/* hop limit 64: it crossed a router (RFC 4861 7.1.1) */
	inject(&f, frame, mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 1 }, MAC6_PEER,
				 f.peer, snm, 64, &ns, NULL, 0));
	assert_null(next_icmp6(f.c, NDISC_NEIGHBOUR_ADVERTISEMENT, &ip, &ic));
	assert_int_equal(snmp6(f.ts->stack, "Icmp6InErrors"), 1);
	/* an option of length 0 (RFC 4861 4.6): built by hand, ndp_emit
	 * refuses it */
	memset(buf, 0, sizeof(buf));
	buf[0] = NDISC_NEIGHBOUR_SOLICITATION;
	memcpy(buf + 8, f.us, 16);
	memcpy(buf + 24, opts, 8);
	{
		struct icmpv6_repr r = { .type = NDISC_NEIGHBOUR_SOLICITATION, .data = buf + 8, .data_len = 24 };

		icmpv6_emit(&r, buf, 32, f.peer, snm);
	}
	n = mk_ip6(frame, (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 1 }, MAC6_PEER, f.peer, snm,
		   IPPROTO_ICMPV6, 255, buf, 32);
	inject(&f, frame, n);
	assert_null(next_icmp6(f.c, NDISC_NEIGHBOUR_ADVERTISEMENT, &ip, &ic));
	assert_int_equal(snmp6(f.ts->stack, "Icmp6InErrors"), 2);
	/* a bad checksum */
	buf[2] ^= 1;
	n = mk_ip6(frame, (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 1 }, MAC6_PEER, f.peer, snm,
		   IPPROTO_ICMPV6, 255, buf, 32);
	inject(&f, frame, n);
	assert_int_equal(snmp6(f.ts->stack, "Icmp6InCsumErrors"), 1);
	fx_free(&f);
}

static void test_icmp_error_rules_and_ratelimit(void **state)
{
	struct fx f;
	uint8_t frame[300], body[16] = { 0 }, mc[16];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	int sent = 0;

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	/* burst of 6, then one per second (icmpv6_time 1000 ms) */
	for (int i = 0; i < 20; i++)
		inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 253, 64, body, 8));
	while (next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic))
		sent++;
	assert_int_equal(sent, 6);
	assert_int_equal(snmp6(f.ts->stack, "Icmp6OutRateLimitHost"), 14);
	test_stack_advance(f.ts, S(1), MS(100));
	inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 253, 64, body, 8));
	assert_non_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	/* never about a packet sent to multicast (RFC 4443 2.4(e.3)) */
	test_stack_advance(f.ts, S(10), S(1));
	memcpy(mc, in6addr_linklocal_allnodes, 16);
	inject(&f, frame, mk_ip6(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER, f.peer_ll,
				 mc, 253, 64, body, 8));
	assert_null(next_icmp6(f.c, ICMPV6_PARAMPROB, &ip, &ic));
	fx_free(&f);
}

/* ---- redirects, router answers, RA timers, PMTU expiry ---------------------------------- */
static void test_redirect_accepted(void **state)
{
	struct fx f;
	struct ndp_repr rd = { .type = NDISC_REDIRECT };
	uint8_t frame[400], opts[8], dst[16], target[16];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;

	(void)state;
	fx_init(&f, true);
	inject(&f, frame, mk_ra(frame, f.peer_ll, 1800, 7200, 3600, 255));
	A6(dst, "fd00:99::5");
	A6(target, "fe80::77");
	memcpy(rd.target, target, 16);
	memcpy(rd.dest, dst, 16);
	ndp_opt_emit_lladdr(ND_OPT_TARGET_LL_ADDR, (const uint8_t[]){ 2, 0, 0, 0, 0, 0x77 }, opts, 8);
	/* from someone who is not our first hop for dst: ignored */
	inject(&f, frame, mk_ndp(frame, MAC6_US, MAC6_PEER, target, f.ll, 255, &rd, opts, 8));
	assert_false(proc_has(f.ts->stack, "/proc/net/ipv6_route", "fd000099000000000000000000000005 80"));
	/* from the default router: a host route through the better first hop */
	inject(&f, frame, mk_ndp(frame, MAC6_US, MAC6_PEER, f.peer_ll, f.ll, 255, &rd, opts, 8));
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "fd000099000000000000000000000005 80 00000000000000000000000000000000 00 "
			     "fe800000000000000000000000000077 00000000 00000001 00000000 00000003     eth0\n"));
	/* and traffic to dst now resolves fe80::77 (learnt from the TLLA) */
	f.c->taken = f.c->count;
	inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, dst, f.us, 1, 1, 8, 64));
	{
		const struct cap_frame *fr = next_icmp6(f.c, ICMPV6_ECHO_REPLY, &ip, &ic);

		assert_non_null(fr);
		assert_int_equal(fr->data[5], 0x77);
	}
	fx_free(&f);
}

static void test_router_answers_rs_and_ra_timers(void **state)
{
	struct fx f;
	struct ndp_repr rs = { .type = NDISC_ROUTER_SOLICITATION }, ra;
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	uint8_t frame[300], opts[8];
	struct neigh_parms *p;

	(void)state;
	fx_init(&f, true);
	/* as a host: reachable time and retrans timer come from the RA */
	{
		struct ndp_repr r = { .type = NDISC_ROUTER_ADVERTISEMENT, .cur_hop_limit = 42,
				      .reachable_time = 12000, .retrans_timer = 2500 };

		inject(&f, frame, mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER,
					 f.peer_ll, in6addr_linklocal_allnodes, 255, &r, NULL, 0));
	}
	p = __in6_dev_get(f.c->dev)->nd_parms;
	assert_int_equal(NEIGH_VAR(p, BASE_REACHABLE_TIME), 12000);
	assert_int_equal(NEIGH_VAR(p, RETRANS_TIME), 2500);
	assert_int_equal(IN6_CNF(__in6_dev_get(f.c->dev), HOP_LIMIT), 42);
	/* as a router: an RS gets an RA with our prefix */
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv6.conf.all.forwarding", "1"), 0);
	f.c->taken = f.c->count;
	ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, MAC6_PEER, opts, 8);
	inject(&f, frame, mk_ndp(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 2 }, MAC6_PEER, f.peer_ll,
				 in6addr_linklocal_allrouters, 255, &rs, opts, 8));
	assert_non_null(next_icmp6(f.c, NDISC_ROUTER_ADVERTISEMENT, &ip, &ic));
	assert_memory_equal(ip.daddr, f.peer_ll, 16);
	assert_memory_equal(ip.saddr, f.ll, 16);
	assert_int_equal(ndp_parse(&ic, &ra), 0);
	assert_int_equal(ra.router_lifetime, 1800);
	{
		struct ndp_opt o;
		struct ndp_prefix_info pi;
		size_t off = 0;
		bool found = false;

		while (ndp_opt_next(ra.opts, ra.opts_len, &off, &o) == 1)
			if (o.type == ND_OPT_PREFIX_INFO && ndp_opt_prefix_info(&o, &pi) == 0)
				found = pi.prefix_len == 64 && pi.autoconf && pi.onlink &&
					ipv6_prefix_equal(pi.prefix, f.us, 64);
		assert_true(found);
	}
	/* and periodic ones: 3 quick, then every 200..600 s */
	f.c->taken = f.c->count;
	test_stack_advance(f.ts, S(1300), S(1));
	{
		int n = 0;

		while (next_icmp6(f.c, NDISC_ROUTER_ADVERTISEMENT, &ip, &ic))
			n++;
		assert_true(n >= 4 && n <= 3 + 7);
	}
	fx_free(&f);
}

static void test_pmtu_expires(void **state)
{
	struct fx f;
	uint8_t frame[1400], inner[1300], dst[16];

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	A6(dst, "fd00::77");
	/* a Packet Too Big quoting a packet we sent to fd00::77 */
	memset(inner, 0, sizeof(inner));
	inner[0] = 0x60;
	put_be16(inner + 4, 1200);
	inner[6] = IPPROTO_ICMPV6;
	inner[7] = 64;
	memcpy(inner + 8, f.us, 16);
	memcpy(inner + 24, dst, 16);
	inner[40] = ICMPV6_ECHO_REQUEST;
	{
		uint8_t icmp[1400];
		size_t n = mk_icmp6(icmp, sizeof(icmp), ICMPV6_PKT_TOOBIG, 0, 1300, inner, 1232, f.peer, f.us);

		inject(&f, frame, mk_ip6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, IPPROTO_ICMPV6, 64, icmp, n));
	}
	assert_int_equal(ip6_pmtu_get(f.ts->stack, dst), 1300);
	/* RFC 8201 4: the estimate ages out (mtu_expires 600 s) */
	test_stack_advance(f.ts, S(601), S(10));
	assert_int_equal(ip6_pmtu_get(f.ts->stack, dst), 0);
	fx_free(&f);
}

/* ---- netfilter hooks on IPv6 ------------------------------------------------------------- */
struct hook_count {
	unsigned int seen[NF_MAX_HOOKS];
	bool drop_local_in;
};

static unsigned int count_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct hook_count *h = priv;

	(void)skb;
	h->seen[state->hook]++;
	return state->hook == NF_INET_LOCAL_IN && h->drop_local_in ? NF_DROP : NF_ACCEPT;
}

static void test_nf_hooks(void **state)
{
	struct fx f;
	struct hook_count h = { 0 };
	struct nf_hook_ops ops[5];
	uint8_t frame[300];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	for (unsigned int i = 0; i < 5; i++) {
		ops[i] = (struct nf_hook_ops){ .hook = count_hook, .priv = &h, .pf = NFPROTO_IPV6,
					       .hooknum = i };
		assert_int_equal(nf_register_net_hook(f.ts->stack, &ops[i]), 0);
	}
	inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 1, 1, 8, 64));
	assert_non_null(next_icmp6(f.c, ICMPV6_ECHO_REPLY, &ip, &ic));
	assert_int_equal(h.seen[NF_INET_PRE_ROUTING], 1);
	assert_int_equal(h.seen[NF_INET_LOCAL_IN], 1);
	assert_int_equal(h.seen[NF_INET_LOCAL_OUT], 1);
	assert_int_equal(h.seen[NF_INET_POST_ROUTING], 1);
	h.drop_local_in = true;
	inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, f.us, 1, 2, 8, 64));
	assert_null(next_icmp6(f.c, ICMPV6_ECHO_REPLY, &ip, &ic));
	assert_int_equal(f.ts->stack->drop_reasons[SKB_DROP_REASON_NETFILTER_DROP], 1);
	for (unsigned int i = 0; i < 5; i++)
		nf_unregister_net_hook(f.ts->stack, &ops[i]);
	fx_free(&f);
}

/* RFC 3810 6.2: a general query gets our memberships within the delay */
static void test_mld_query_answered(void **state)
{
	struct fx f;
	uint8_t frame[300], body[20] = { 0 }, q[64], snm[16];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	const struct cap_frame *fr;
	size_t n;

	(void)state;
	fx_init(&f, true);
	/* MLDv2 general query: max resp 2000 ms, multicast address :: */
	n = mk_icmp6(q, sizeof(q), ICMPV6_MGM_QUERY, 0, 2000u << 16, body, sizeof(body), f.peer_ll,
		     in6addr_linklocal_allnodes);
	inject(&f, frame, mk_ip6(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER, f.peer_ll,
				 in6addr_linklocal_allnodes, IPPROTO_ICMPV6, 1, q, n));
	assert_null(next_icmp6(f.c, ICMPV6_MLD2_REPORT, &ip, &ic));
	test_stack_advance(f.ts, MS(2000), MS(10));
	fr = next_icmp6(f.c, ICMPV6_MLD2_REPORT, &ip, &ic);
	assert_non_null(fr);
	assert_memory_equal(ip.saddr, f.ll, 16);
	/* fe80::ff:fe00:1 and fd00::1 share one solicited-node group */
	addrconf_addr_solict_mult(f.us, snm);
	assert_int_equal(ic.un.raw & 0xffff, 1);
	{
		bool found = false;

		for (uint32_t i = 0; i < (ic.un.raw & 0xffff); i++)
			found |= memcmp(ic.data + i * 20 + 4, snm, 16) == 0;
		assert_true(found);
	}
	/* a query from off-link (hop limit 64) is ignored */
	f.c->taken = f.c->count;
	inject(&f, frame, mk_ip6(frame, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, MAC6_PEER, f.peer_ll,
				 in6addr_linklocal_allnodes, IPPROTO_ICMPV6, 64, q, n));
	test_stack_advance(f.ts, MS(3000), MS(10));
	assert_null(next_icmp6(f.c, ICMPV6_MLD2_REPORT, &ip, &ic));
	fx_free(&f);
}

/* RFC 4861 8.2: a router forwarding back out the same link redirects */
static void test_router_sends_redirect(void **state)
{
	struct fx f;
	uint8_t frame[300], gw[16], dst[16];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	struct ndp_repr rd;
	const struct cap_frame *fr;

	(void)state;
	fx_init(&f, true);
	A6(gw, "fd00::3");
	A6(dst, "fd00:99::5");
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv6.conf.all.forwarding", "1"), 0);
	peer_static(&f);
	assert_int_equal(neigh_add(&f.ts->stack->ipv6->nd_tbl, gw, f.c->dev,
				   (const uint8_t[]){ 2, 0, 0, 0, 0, 3 }, NUD_PERMANENT), 0);
	{
		struct fib6_info r = { .plen = 48, .ifindex = f.c->dev->ifindex, .metric = 1024,
				       .flags = RTF6_UP | RTF6_GATEWAY };

		memcpy(r.dst, dst, 16);
		memcpy(r.gateway, gw, 16);
		assert_int_equal(fib6_add(f.ts->stack->ipv6->fib_main, &r), 0);
	}
	f.c->taken = f.c->count;
	inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, dst, 1, 1, 16, 64));
	fr = next_icmp6(f.c, NDISC_REDIRECT, &ip, &ic);
	assert_non_null(fr);
	assert_memory_equal(fr->data, MAC6_PEER, 6);
	assert_memory_equal(ip.saddr, f.ll, 16);
	assert_memory_equal(ip.daddr, f.peer, 16);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(ndp_parse(&ic, &rd), 0);
	assert_memory_equal(rd.target, gw, 16);
	assert_memory_equal(rd.dest, dst, 16);
	/* and the packet still went on to the gateway, hop limit 63 */
	f.c->taken = 0;
	fr = next_icmp6(f.c, ICMPV6_ECHO_REQUEST, &ip, &ic);
	assert_non_null(fr);
	assert_int_equal(fr->data[5], 3);
	assert_int_equal(ip.hop_limit, 63);
	fx_free(&f);
}

/* route types: unreachable and prohibit answer, blackhole is silent */
static void test_reject_routes(void **state)
{
	struct fx f;
	uint8_t frame[300];
	struct ipv6_repr ip;
	struct icmpv6_repr ic;
	static const struct { const char *dst; uint8_t type; int code; int err; } cases[] = {
		{ "fd00:a1::1", RTN_UNREACHABLE, ICMPV6_NOROUTE, -ENETUNREACH },
		{ "fd00:a2::1", RTN_PROHIBIT, ICMPV6_ADM_PROHIBITED, -EACCES },
		{ "fd00:a3::1", RTN_BLACKHOLE, -1, -EINVAL },
	};

	(void)state;
	fx_init(&f, true);
	peer_static(&f);
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv6.conf.all.forwarding", "1"), 0);
	for (size_t i = 0; i < 3; i++) {
		struct fib6_info r = { .plen = 32, .type = cases[i].type, .metric = 1024 };
		struct flowi6 fl6 = { 0 };
		struct ip6_route_result res;
		uint8_t dst[16];

		A6(dst, cases[i].dst);
		memcpy(r.dst, dst, 16);
		assert_int_equal(fib6_add(f.ts->stack->ipv6->fib_main, &r), 0);
		memcpy(fl6.daddr, dst, 16);
		assert_int_equal(ip6_route_output(f.ts->stack, &fl6, &res), cases[i].err);
		f.c->taken = f.c->count;
		inject(&f, frame, mk_echo6(frame, MAC6_US, MAC6_PEER, f.peer, dst, 1, 1, 8, 64));
		if (cases[i].code < 0) {
			assert_null(next_icmp6(f.c, ICMPV6_DEST_UNREACH, &ip, &ic));
		} else {
			assert_non_null(next_icmp6(f.c, ICMPV6_DEST_UNREACH, &ip, &ic));
			assert_int_equal(ic.code, cases[i].code);
		}
	}
	assert_int_equal(snmp6(f.ts->stack, "Ip6InNoRoutes"), 3);
	fx_free(&f);
}

static void test_proc_formats(void **state)
{
	struct fx f;
	char *txt, *line, *save = NULL;
	int lines = 0;

	(void)state;
	fx_init(&f, true);
	assert_true(proc_has(f.ts->stack, "/proc/net/if_inet6",
			     "fd000000000000000000000000000001 02 40 00 82     eth0\n"));
	/* connected, link-local, local and multicast routes */
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
			     "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"));
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
			     "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"));
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "fd000000000000000000000000000001 80 00000000000000000000000000000000 00 "
			     "00000000000000000000000000000000 00000000 00000001 00000000 80200001     eth0\n"));
	assert_true(proc_has(f.ts->stack, "/proc/net/ipv6_route",
			     "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 "
			     "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"));
	txt = ns_proc_read(f.ts->stack, "/proc/net/snmp6", NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "Ip6InReceives                   "));
	assert_non_null(strstr(txt, "\nIcmp6InMsgs                     "));
	assert_non_null(strstr(txt, "\nIcmp6OutNeighborSolicits        "));
	assert_non_null(strstr(txt, "\nUdp6InDatagrams                 0\n"));
	for (line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "%-32s%lu": the value starts in column 33 */
		assert_true(strlen(line) > 32);
		assert_true(line[31] == ' ' && line[32] >= '0' && line[32] <= '9');
		lines++;
	}
	assert_true(lines > 40);
	free(txt);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linklocal_dad_ok),
		cmocka_unit_test(test_dad_duplicate_by_na),
		cmocka_unit_test(test_dad_duplicate_by_ns),
		cmocka_unit_test(test_stable_privacy_iid),
		cmocka_unit_test(test_slaac_from_ra),
		cmocka_unit_test(test_slaac_two_hour_rule),
		cmocka_unit_test(test_slaac_bounded),
		cmocka_unit_test(test_ra_ignored_when_forwarding_or_bad),
		cmocka_unit_test(test_ns_gets_na),
		cmocka_unit_test(test_ping6_resolution_and_nud),
		cmocka_unit_test(test_fragmented_8000_byte_echo),
		cmocka_unit_test(test_atomic_fragment_and_timeout),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_fragments),
		cmocka_unit_test(test_bad_ndp),
		cmocka_unit_test(test_icmp_error_rules_and_ratelimit),
		cmocka_unit_test(test_redirect_accepted),
		cmocka_unit_test(test_router_answers_rs_and_ra_timers),
		cmocka_unit_test(test_pmtu_expires),
		cmocka_unit_test(test_nf_hooks),
		cmocka_unit_test(test_mld_query_answered),
		cmocka_unit_test(test_router_sends_redirect),
		cmocka_unit_test(test_reject_routes),
		cmocka_unit_test(test_proc_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
