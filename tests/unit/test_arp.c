/* test_arp.c - RFC 826 ARP and the neighbour cache: replies, resolution
 * with retransmission and failure, the NUD states in virtual time, the
 * table cap under a flood, gratuitous ARP, odd packets, /proc/net/arp. */
#include "ipv4_testutil.h"

#define SEC 1000000000ULL
#define US IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)

struct fx {
	struct test_stack *ts;
	struct capdev *c;
};

static void fx_init(struct fx *f)
{
	f->ts = test_stack_new("a", 1);
	f->c = capdev_new(f->ts, "eth0", MAC_US);
	assert_int_equal(inet_addr_add(f->c->dev, US, 24, NULL), 0);
	test_stack_settle(f->ts);
	while (cap_next(f->c))
		;
}

static struct neighbour *peer_neigh(struct fx *f, uint32_t ip)
{
	return arp_neigh_lookup(f->c->dev, ip);
}

static void test_gratuitous_arp_on_add(void **state)
{
	struct test_stack *ts = test_stack_new("a", 1);
	struct capdev *c = capdev_new(ts, "eth0", MAC_US);
	struct eth_repr e;
	struct arp_repr a;

	(void)state;
	assert_int_equal(inet_addr_add(c->dev, US, 24, NULL), 0);
	test_stack_settle(ts);
	parse_arp_frame(cap_next(c), &e, &a);
	assert_memory_equal(e.dst, MAC_BCAST, 6);
	assert_memory_equal(e.src, MAC_US, 6);
	assert_int_equal(a.op, ARPOP_REQUEST);
	assert_int_equal(a.spa, US);
	assert_int_equal(a.tpa, US);
	assert_memory_equal(a.sha, MAC_US, 6);
	assert_null(cap_next(c));
	assert_int_equal(inet_addr_add(c->dev, US, 24, NULL), -EEXIST);
	test_stack_free(ts);
}

static void test_request_reply(void **state)
{
	struct fx f;
	uint8_t fr[64];
	struct eth_repr e;
	struct arp_repr a;
	struct neighbour *n;

	(void)state;
	fx_init(&f);
	capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER, PEER, NULL, US));
	test_stack_settle(f.ts);
	parse_arp_frame(cap_next(f.c), &e, &a);
	assert_memory_equal(e.dst, MAC_PEER, 6);
	assert_memory_equal(e.src, MAC_US, 6);
	assert_int_equal(a.op, ARPOP_REPLY);
	assert_memory_equal(a.sha, MAC_US, 6);
	assert_int_equal(a.spa, US);
	assert_memory_equal(a.tha, MAC_PEER, 6);
	assert_int_equal(a.tpa, PEER);
	/* the sender was learnt (STALE, as Linux's neigh_event_ns) */
	n = peer_neigh(&f, PEER);
	assert_non_null(n);
	assert_int_equal(n->nud_state, NUD_STALE);
	assert_memory_equal(n->ha, MAC_PEER, 6);
	/* a request for someone else: no answer, nothing learnt */
	capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, MAC_PEER2, ARPOP_REQUEST, MAC_PEER2,
				      IP4(10, 0, 0, 3), NULL, IP4(10, 0, 0, 9)));
	test_stack_settle(f.ts);
	assert_null(cap_next(f.c));
	assert_null(peer_neigh(&f, IP4(10, 0, 0, 3)));
	test_stack_free(f.ts);
}

static void test_resolution_queue_and_reply(void **state)
{
	struct fx f;
	uint8_t fr[64];
	struct eth_repr e;
	struct arp_repr a;
	struct ipv4_repr ip;
	struct cap_frame *c;
	uint64_t t0;

	(void)state;
	fx_init(&f);
	g_rx = (struct test_rx){ 0 };
	t0 = f.ts->clock.now;
	assert_int_equal(send_test(f.ts->stack, PEER, 100, 0), 0);
	assert_int_equal(send_test(f.ts->stack, PEER, 101, 0), 0);
	test_stack_settle(f.ts);
	/* one request, both packets queued */
	parse_arp_frame(cap_next(f.c), &e, &a);
	assert_memory_equal(e.dst, MAC_BCAST, 6);
	assert_int_equal(a.op, ARPOP_REQUEST);
	assert_int_equal(a.tpa, PEER);
	assert_int_equal(a.spa, US);
	assert_null(cap_next(f.c));
	assert_int_equal(peer_neigh(&f, PEER)->nud_state, NUD_INCOMPLETE);
	/* retrans_time later: the second request */
	test_stack_advance(f.ts, SEC, SEC / 10);
	c = cap_next(f.c);
	parse_arp_frame(c, &e, &a);
	assert_int_equal(c->time - t0, SEC);
	/* the reply delivers the queue in order */
	capdev_inject(f.c, fr, mk_arp(fr, MAC_US, MAC_PEER, ARPOP_REPLY, MAC_PEER, PEER, MAC_US, US));
	test_stack_settle(f.ts);
	parse_ip(cap_next(f.c), &e, &ip);
	assert_memory_equal(e.dst, MAC_PEER, 6);
	assert_int_equal(ip.tot_len, 120);
	parse_ip(cap_next(f.c), &e, &ip);
	assert_int_equal(ip.tot_len, 121);
	assert_null(cap_next(f.c));
	assert_int_equal(peer_neigh(&f, PEER)->nud_state, NUD_REACHABLE);
	test_stack_free(f.ts);
}

static void test_failed_after_three_probes(void **state)
{
	struct fx f;
	struct eth_repr e;
	struct arp_repr a;
	unsigned int probes = 0;
	uint64_t t0;
	struct cap_frame *c;

	(void)state;
	fx_init(&f);
	t0 = f.ts->clock.now;
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv4.neigh.eth0.unres_qlen", "2"), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(send_test(f.ts->stack, IP4(10, 0, 0, 3), 50, 0), 0);
	/* unres_qlen 2: three of five dropped and counted */
	assert_int_equal(arp_table(f.ts->stack)->stats.unres_discards, 3);
	assert_int_equal(drops(f.ts->stack, SKB_DROP_REASON_NEIGH_QUEUEFULL), 3);
	test_stack_advance(f.ts, 10 * SEC, SEC / 10);
	while ((c = cap_next(f.c)) != NULL) {
		parse_arp_frame(c, &e, &a);
		assert_int_equal(a.tpa, IP4(10, 0, 0, 3));
		assert_int_equal(c->time - t0, probes * SEC);
		probes++;
	}
	assert_int_equal(probes, 3);	/* mcast_solicit */
	assert_int_equal(peer_neigh(&f, IP4(10, 0, 0, 3))->nud_state, NUD_FAILED);
	assert_int_equal(drops(f.ts->stack, SKB_DROP_REASON_NEIGH_FAILED), 2);
	/* the local sender is told: host unreachable through lo */
	assert_int_equal(ICMPSTAT(f.ts->stack, "OutDestUnreachs"), 2);
	assert_int_equal(ICMPSTAT(f.ts->stack, "InDestUnreachs"), 2);
	test_stack_free(f.ts);
}

static void resolve_peer(struct fx *f)
{
	uint8_t fr[64];

	assert_int_equal(send_test(f->ts->stack, PEER, 10, 0), 0);
	test_stack_settle(f->ts);
	capdev_inject(f->c, fr, mk_arp(fr, MAC_US, MAC_PEER, ARPOP_REPLY, MAC_PEER, PEER, MAC_US, US));
	test_stack_settle(f->ts);
	while (cap_next(f->c))
		;
	assert_int_equal(peer_neigh(f, PEER)->nud_state, NUD_REACHABLE);
}

static void test_nud_reachable_stale_delay_probe(void **state)
{
	struct fx f;
	struct eth_repr e;
	struct arp_repr a;
	struct ipv4_repr ip;
	struct neighbour *n;

	(void)state;
	fx_init(&f);
	resolve_peer(&f);
	n = peer_neigh(&f, PEER);
	/* reachable_time is base_reachable_time (30 s) * rand(0.5, 1.5) */
	assert_true(n->parms->reachable_time >= 15 * SEC && n->parms->reachable_time < 45 * SEC);
	test_stack_advance(f.ts, 46 * SEC, SEC);
	assert_int_equal(n->nud_state, NUD_STALE);
	/* use: the packet leaves at once, the entry goes to DELAY */
	assert_int_equal(send_test(f.ts->stack, PEER, 10, 0), 0);
	test_stack_settle(f.ts);
	parse_ip(cap_next(f.c), &e, &ip);
	assert_memory_equal(e.dst, MAC_PEER, 6);
	assert_int_equal(n->nud_state, NUD_DELAY);
	/* delay_first_probe_time without confirmation: PROBE, unicast */
	test_stack_advance(f.ts, 5 * SEC, SEC / 10);
	assert_int_equal(n->nud_state, NUD_PROBE);
	parse_arp_frame(cap_next(f.c), &e, &a);
	assert_memory_equal(e.dst, MAC_PEER, 6);
	assert_int_equal(a.tpa, PEER);
	/* an answer makes it REACHABLE again */
	{
		uint8_t fr[64];

		capdev_inject(f.c, fr, mk_arp(fr, MAC_US, MAC_PEER, ARPOP_REPLY, MAC_PEER, PEER, MAC_US, US));
		test_stack_settle(f.ts);
	}
	assert_int_equal(n->nud_state, NUD_REACHABLE);
	/* once more without answers: PROBE x3 (ucast_solicit) then FAILED */
	test_stack_advance(f.ts, 46 * SEC, SEC);
	assert_int_equal(n->nud_state, NUD_STALE);
	send_test(f.ts->stack, PEER, 10, 0);
	test_stack_advance(f.ts, 5 * SEC + 4 * SEC, SEC / 10);
	assert_int_equal(n->nud_state, NUD_FAILED);
	test_stack_free(f.ts);
}

static void test_static_entry_and_proc(void **state)
{
	struct fx f;
	char *txt;

	(void)state;
	fx_init(&f);
	assert_int_equal(arp_neigh_add(f.c->dev, IP4(10, 0, 0, 7), MAC_PEER2, NUD_PERMANENT), 0);
	resolve_peer(&f);
	send_test(f.ts->stack, IP4(10, 0, 0, 9), 10, 0);	/* incomplete */
	txt = ns_proc_read(f.ts->stack, "/proc/net/arp", NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "IP address       HW type     Flags       HW address            Mask     Device\n"));
	assert_non_null(strstr(txt, "10.0.0.7         0x1         0x6         02:00:00:00:01:02     *        eth0\n"));
	assert_non_null(strstr(txt, "10.0.0.2         0x1         0x2         02:00:00:00:00:02     *        eth0\n"));
	assert_non_null(strstr(txt, "10.0.0.9         0x1         0x0         00:00:00:00:00:00     *        eth0\n"));
	free(txt);
	/* a static entry is never replaced by what the wire says */
	{
		uint8_t fr[64];

		capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER,
					      IP4(10, 0, 0, 7), NULL, US));
		test_stack_settle(f.ts);
		assert_memory_equal(peer_neigh(&f, IP4(10, 0, 0, 7))->ha, MAC_PEER2, 6);
	}
	/* the static entry survives the GC */
	test_stack_advance(f.ts, 200 * SEC, 5 * SEC);
	assert_int_equal(peer_neigh(&f, IP4(10, 0, 0, 7))->nud_state, NUD_PERMANENT);
	assert_int_equal(arp_neigh_del(f.c->dev, IP4(10, 0, 0, 7)), 0);
	assert_null(peer_neigh(&f, IP4(10, 0, 0, 7)));
	assert_int_equal(arp_neigh_del(f.c->dev, IP4(10, 0, 0, 7)), -ENOENT);
	test_stack_free(f.ts);
}

static void test_flood_cap(void **state)
{
	struct fx f;
	uint8_t fr[64], mac[6] = { 0x02, 0x11 };
	struct neigh_table *tbl;
	unsigned int max_entries = 0;

	(void)state;
	fx_init(&f);
	tbl = arp_table(f.ts->stack);
	for (uint32_t i = 0; i < 100000; i++) {
		uint32_t r = (uint32_t)ns_random(f.ts->stack);
		uint32_t sip = IP4(10, 0, 0, 0) | (r & 0x00ffffff);

		if ((sip & 0xff) == 0 || (sip & 0xff) == 255)
			sip ^= 0x10;
		memcpy(mac + 2, &r, 4);
		capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, mac, ARPOP_REQUEST, mac, sip, NULL, US));
		if (i % 500 == 499) {
			test_stack_settle(f.ts);
			f.c->count = f.c->taken = 0;	/* forget captured replies */
			if (tbl->entries > max_entries)
				max_entries = tbl->entries;
		}
	}
	test_stack_settle(f.ts);
	assert_true(max_entries <= 1024);
	assert_true(tbl->entries <= 1024);
	assert_true(tbl->stats.table_fulls > 0);
	/* time passes: the forced GC makes room for a new neighbour */
	test_stack_advance(f.ts, 6 * SEC, SEC);
	f.c->count = f.c->taken = 0;
	capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER, PEER, NULL, US));
	test_stack_settle(f.ts);
	assert_non_null(peer_neigh(&f, PEER));
	test_stack_free(f.ts);
}

static void test_odd_arp_dropped(void **state)
{
	struct fx f;
	uint8_t fr[64];

	(void)state;
	fx_init(&f);
	/* hln 7 */
	mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER, PEER, NULL, US);
	fr[14 + 4] = 7;
	capdev_inject(f.c, fr, 60);
	/* truncated: 20 bytes of ARP */
	mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER, PEER, NULL, US);
	capdev_inject(f.c, fr, 34);
	/* op 3 */
	mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER, PEER, NULL, US);
	fr[21] = 3;
	capdev_inject(f.c, fr, 60);
	/* multicast sender address */
	capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER,
				      IP4(224, 0, 0, 1), NULL, US));
	test_stack_settle(f.ts);
	assert_null(cap_next(f.c));
	assert_null(peer_neigh(&f, PEER));
	assert_int_equal(drops(f.ts->stack, SKB_DROP_REASON_HDR_ERROR), 2);
	assert_int_equal(drops(f.ts->stack, SKB_DROP_REASON_PKT_TOO_SMALL), 1);
	/* and still answers */
	capdev_inject(f.c, fr, mk_arp(fr, MAC_BCAST, MAC_PEER, ARPOP_REQUEST, MAC_PEER, PEER, NULL, US));
	test_stack_settle(f.ts);
	assert_non_null(cap_next(f.c));
	test_stack_free(f.ts);
}

static void test_sysctls_and_down(void **state)
{
	struct fx f;
	char *v;

	(void)state;
	fx_init(&f);
	v = ns_sysctl_get(f.ts->stack, "net.ipv4.neigh.default.base_reachable_time_ms");
	assert_string_equal(v, "30000\n");
	free(v);
	v = ns_sysctl_get(f.ts->stack, "net.ipv4.neigh.eth0.retrans_time");
	assert_string_equal(v, "100\n");
	free(v);
	v = ns_sysctl_get(f.ts->stack, "net.ipv4.neigh.default.gc_thresh3");
	assert_string_equal(v, "1024\n");
	free(v);
	v = ns_sysctl_get(f.ts->stack, "net.ipv4.neigh.eth0.unres_qlen_bytes");
	assert_string_equal(v, "212992\n");
	free(v);
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv4.neigh.eth0.ucast_solicit", "-1"), -EINVAL);
	/* per-device values follow a rename */
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv4.neigh.eth0.ucast_solicit", "5"), 0);
	assert_int_equal(ns_sysctl_set(f.ts->stack, "net.ipv4.conf.eth0.arp_accept", "1"), 0);
	ns_dev_set_up(f.c->dev, false);
	assert_int_equal(dev_change_name(f.c->dev, "wan0"), 0);
	assert_null(ns_sysctl_get(f.ts->stack, "net.ipv4.neigh.eth0.ucast_solicit"));
	v = ns_sysctl_get(f.ts->stack, "net.ipv4.neigh.wan0.ucast_solicit");
	assert_string_equal(v, "5\n");
	free(v);
	v = ns_sysctl_get(f.ts->stack, "net.ipv4.conf.wan0.arp_accept");
	assert_string_equal(v, "1\n");
	free(v);
	ns_dev_set_up(f.c->dev, true);
	resolve_peer(&f);
	/* down: neighbours of the device go */
	ns_dev_set_up(f.c->dev, false);
	assert_null(peer_neigh(&f, PEER));
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gratuitous_arp_on_add),
		cmocka_unit_test(test_request_reply),
		cmocka_unit_test(test_resolution_queue_and_reply),
		cmocka_unit_test(test_failed_after_three_probes),
		cmocka_unit_test(test_nud_reachable_stale_delay_probe),
		cmocka_unit_test(test_static_entry_and_proc),
		cmocka_unit_test(test_flood_cap),
		cmocka_unit_test(test_odd_arp_dropped),
		cmocka_unit_test(test_sysctls_and_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
