/* test_bridge.c - the bridge, VLANs and ebtables on virtual time: learning
 * and forwarding, flooding without hairpin, aging, static entries, the FDB
 * limit under a MAC flood, VLAN isolation and tagging, VLAN devices across
 * a pipe, each ebtables rule kind with its counters, bad input, and an STP
 * triangle that converges and stops a broadcast storm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"
#include "pktcount.h"
#include "nstack/cmd.h"
#include "bridge/br_private.h"
#include "8021q/if_vlan.h"
#include "wire/eth.h"
#include "wire/vlan.h"

#define ETH_P_TEST 0x88b5
#define SEC 1000000000ULL

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct fix {
	struct test_stack *ts;
	struct capdev *port[3];
	struct net_bridge *br;
	struct ns_out out;
};

static const char *run(struct fix *f, const char *line)
{
	ns_out_reset(&f->out);
	if (ns_exec(f->ts->stack, line, &f->out))
		fail_msg("%s: %s", line, f->out.err);
	if (getenv("BR_TEST_VERBOSE"))
		fprintf(stderr, "%s\n%s", line, ns_out_text(&f->out));
	return ns_out_text(&f->out);
}

static int run_err(struct fix *f, const char *line)
{
	ns_out_reset(&f->out);
	return ns_exec(f->ts->stack, line, &f->out);
}

static struct fix *fix_new(const char *brargs)
{
	struct fix *f = calloc(1, sizeof(*f));
	static const uint8_t pmac[3][6] = { { 0x02, 0xaa, 0, 0, 0, 1 },
					    { 0x02, 0xaa, 0, 0, 0, 2 },
					    { 0x02, 0xaa, 0, 0, 0, 3 } };
	char line[128];

	assert_non_null(f);
	f->ts = test_stack_new("br", 7);
	ns_out_init(&f->out);
	for (int i = 0; i < 3; i++)
		f->port[i] = capdev_new(f->ts, "eth%d", pmac[i]);
	snprintf(line, sizeof(line), "ip link add br0 type bridge %s", brargs);
	run(f, line);
	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "ip link set eth%d master br0", i);
		run(f, line);
	}
	run(f, "ip link set br0 up");
	f->br = br_from_dev(dev_get_by_name(f->ts->stack, "br0"));
	assert_non_null(f->br);
	return f;
}

static void fix_free(struct fix *f)
{
	ns_out_free(&f->out);
	test_stack_free(f->ts);
	free(f);
}

/* Ethernet frame, optional 802.1Q tag (vid < 0: none), 60 bytes at least. */
static size_t frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, int vid, uint16_t type,
		    size_t len)
{
	struct eth_repr e;
	size_t off = ETH_HLEN;

	memcpy(e.dst, dst, 6);
	memcpy(e.src, src, 6);
	e.proto = vid >= 0 ? ETH_P_8021Q : type;
	assert_int_equal(eth_emit(&e, buf, 64), ETH_HLEN);
	if (vid >= 0) {
		struct vlan_repr v = { .vid = (uint16_t)vid, .proto = type };

		assert_int_equal(vlan_emit(&v, buf + off, 4), VLAN_HLEN);
		off += VLAN_HLEN;
	}
	if (len < 60)
		len = 60;
	memset(buf + off, 0x5a, len - off);
	return len;
}

static void inject(struct fix *f, int port, const uint8_t *dst, const uint8_t *src, int vid)
{
	uint8_t buf[128];
	size_t n = frame(buf, dst, src, vid, ETH_P_TEST, 64);

	capdev_inject(f->port[port], buf, n);
	test_stack_settle(f->ts);
}

static unsigned int pending(struct capdev *c)
{
	return c->count - c->taken;
}

static void drain(struct fix *f)
{
	for (int i = 0; i < 3; i++)
		f->port[i]->taken = f->port[i]->count;
}

/* ---- learning and forwarding ------------------------------------------------------ */
static void test_learn_forward_flood(void **state)
{
	struct fix *f = fix_new("");
	struct cap_frame *fr;

	(void)state;
	/* unknown destination: flooded to the other ports, never back (no hairpin) */
	inject(f, 0, MAC_B, MAC_A, -1);
	assert_int_equal(pending(f->port[0]), 0);
	assert_int_equal(pending(f->port[1]), 1);
	assert_int_equal(pending(f->port[2]), 1);
	fr = cap_next(f->port[1]);
	assert_memory_equal(fr->data, MAC_B, 6);
	assert_memory_equal(fr->data + 6, MAC_A, 6);
	drain(f);
	/* B answers: A is known on port 0 */
	inject(f, 1, MAC_A, MAC_B, -1);
	assert_int_equal(pending(f->port[0]), 1);
	assert_int_equal(pending(f->port[1]) + pending(f->port[2]), 0);
	drain(f);
	/* now both are known */
	inject(f, 0, MAC_B, MAC_A, -1);
	assert_int_equal(pending(f->port[1]), 1);
	assert_int_equal(pending(f->port[0]) + pending(f->port[2]), 0);
	drain(f);
	/* broadcast: every other port */
	inject(f, 2, BCAST, MAC_C, -1);
	assert_int_equal(pending(f->port[0]), 1);
	assert_int_equal(pending(f->port[1]), 1);
	assert_int_equal(pending(f->port[2]), 0);
	/* a station that moves is relearnt */
	drain(f);
	inject(f, 2, MAC_C, MAC_A, -1);
	assert_ptr_equal(br_fdb_find(f->br, MAC_A, 0)->dst->dev, f->port[2]->dev);
	/* the bridge shows it */
	assert_non_null(strstr(run(f, "bridge fdb show"), "02:00:00:00:00:0b dev eth1 master br0 \n"));
	assert_non_null(strstr(run(f, "bridge -j fdb show br br0 dev eth2"),
			       "{\"mac\":\"02:00:00:00:00:0a\",\"ifname\":\"eth2\",\"flags\":[],\"master\":\"br0\",\"state\":\"\"}"));
	assert_non_null(strstr(run(f, "bridge link show"),
			       "eth1: <UP> mtu 1500 master br0 state forwarding priority 32 cost 100"));
	/* a port leaves: its entries go, it no longer receives */
	run(f, "ip link set eth1 nomaster");
	assert_null(br_fdb_find(f->br, MAC_B, 0));
	assert_null(f->port[1]->dev->master);
	drain(f);
	inject(f, 0, BCAST, MAC_A, -1);
	assert_int_equal(pending(f->port[1]), 0);
	assert_int_equal(pending(f->port[2]), 1);
	fix_free(f);
}

/* ---- aging, static, limit ------------------------------------------------------------ */
static void test_aging_and_static(void **state)
{
	struct fix *f = fix_new("");

	(void)state;
	inject(f, 0, BCAST, MAC_A, -1);
	run(f, "bridge fdb add 02:00:00:00:00:0b dev eth1 master static");
	assert_non_null(strstr(run(f, "bridge fdb show dev eth1"),
			       "02:00:00:00:00:0b dev eth1 master br0 static"));
	test_stack_advance(f->ts, 290 * SEC, SEC);
	assert_non_null(br_fdb_find(f->br, MAC_A, 0));
	test_stack_advance(f->ts, 15 * SEC, SEC);	/* 305 s: aged out (gc every 4 s) */
	assert_null(br_fdb_find(f->br, MAC_A, 0));
	test_stack_advance(f->ts, 1000 * SEC, 10 * SEC);
	assert_non_null(br_fdb_find(f->br, MAC_B, 0));
	/* a static entry is not moved by traffic */
	inject(f, 2, BCAST, MAC_B, -1);
	assert_ptr_equal(br_fdb_find(f->br, MAC_B, 0)->dst->dev, f->port[1]->dev);
	run(f, "bridge fdb del 02:00:00:00:00:0b dev eth1");
	assert_null(br_fdb_find(f->br, MAC_B, 0));
	assert_int_equal(run_err(f, "bridge fdb del 02:00:00:00:00:0b dev eth1"), -ENOENT);
	assert_int_equal(run_err(f, "bridge fdb add 01:00:00:00:00:0b dev eth1"), -EINVAL);
	/* ageing_time is in centiseconds as in iproute2 */
	run(f, "ip link add br1 type bridge ageing_time 1000");
	assert_int_equal(br_from_dev(dev_get_by_name(f->ts->stack, "br1"))->ageing_time, 10 * SEC);
	fix_free(f);
}

static void test_fdb_limit_under_flood(void **state)
{
	struct fix *f = fix_new("");
	uint8_t buf[128], src[6] = { 0x02, 0x66 }, sink[6] = { 0x02, 0x55, 0, 0, 0, 1 };
	uint64_t r = 12345;

	(void)state;
	inject(f, 0, BCAST, MAC_A, -1);
	inject(f, 1, BCAST, MAC_B, -1);
	/* flood frames go to a host behind their own port: nothing is sent */
	run(f, "bridge fdb add 02:55:00:00:00:01 dev eth2 master static");
	drain(f);
	for (int i = 0; i < 100000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		memcpy(src + 2, &r, 4);
		capdev_inject(f->port[2], buf, frame(buf, sink, src, -1, ETH_P_TEST, 60));
		if (i % 500 == 499)
			test_stack_settle(f->ts);
	}
	test_stack_settle(f->ts);
	assert_int_equal(f->br->fdb_n_learned, BR_FDB_MAX_DEFAULT);
	assert_true(f->br->stats.fdb_full >= 100000 - BR_FDB_MAX_DEFAULT);
	assert_int_equal(pending(f->port[0]) + pending(f->port[1]), 0);
	/* known hosts still reach each other, without flooding */
	inject(f, 0, MAC_B, MAC_A, -1);
	assert_int_equal(pending(f->port[1]), 1);
	assert_int_equal(pending(f->port[2]), 0);
	assert_non_null(strstr(run(f, "cat /proc/net/bridge/br0/stats"), "fdb_full "));
	fix_free(f);
}

/* ---- VLANs --------------------------------------------------------------------------- */
static void test_vlan_filtering_isolation(void **state)
{
	struct fix *f = fix_new("vlan_filtering 1");
	struct cap_frame *fr;
	struct vlan_repr v;

	(void)state;
	/* eth0: access port VLAN 10; eth1: trunk with 10 and 20 tagged;
	 * eth2: access port VLAN 20 */
	run(f, "bridge vlan add dev eth0 vid 10 pvid untagged");
	run(f, "bridge vlan del dev eth0 vid 1");
	run(f, "bridge vlan add dev eth1 vid 10");
	run(f, "bridge vlan add dev eth1 vid 20");
	run(f, "bridge vlan add dev eth2 vid 20 pvid untagged");
	run(f, "bridge vlan del dev eth2 vid 1");
	assert_non_null(strstr(run(f, "bridge vlan show"), "eth0              10 PVID Egress Untagged\n"));
	assert_non_null(strstr(run(f, "bridge -j vlan show"),
			       "{\"ifname\":\"eth1\",\"vlans\":[{\"vlan\":1,\"flags\":[\"PVID\",\"Egress Untagged\"]},{\"vlan\":10},{\"vlan\":20}]}"));

	/* untagged from eth0 joins VLAN 10: tagged on the trunk, not on eth2 */
	inject(f, 0, BCAST, MAC_A, -1);
	assert_int_equal(pending(f->port[2]), 0);
	fr = cap_next(f->port[1]);
	assert_non_null(fr);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_8021Q);
	assert_int_equal(vlan_parse(fr->data + 14, fr->len - 14, &v), WIRE_OK);
	assert_int_equal(v.vid, 10);
	assert_int_equal(v.proto, ETH_P_TEST);
	assert_int_equal(fr->len, 68);
	/* VLAN 20 tagged from the trunk: untagged on eth2 only */
	inject(f, 1, BCAST, MAC_B, 20);
	assert_int_equal(pending(f->port[0]), 0);
	fr = cap_next(f->port[2]);
	assert_non_null(fr);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_TEST);
	assert_int_equal(fr->len, 60);
	/* VLAN 30 is nobody's: dropped at ingress and counted */
	inject(f, 1, BCAST, MAC_B, 30);
	assert_int_equal(pending(f->port[0]) + pending(f->port[2]), 0);
	assert_int_equal(f->br->stats.rx_vlan_filtered, 1);
	/* a VLAN 20 host unicasting to A (learnt in VLAN 10) never reaches it */
	inject(f, 2, MAC_A, MAC_C, -1);
	assert_int_equal(pending(f->port[0]), 0);
	assert_int_equal(pending(f->port[1]), 1);	/* flooded in VLAN 20 only */
	drain(f);
	/* the same MAC in two VLANs is two entries */
	inject(f, 1, BCAST, MAC_A, 20);
	assert_ptr_equal(br_fdb_find(f->br, MAC_A, 10)->dst->dev, f->port[0]->dev);
	assert_ptr_equal(br_fdb_find(f->br, MAC_A, 20)->dst->dev, f->port[1]->dev);
	assert_non_null(strstr(run(f, "bridge fdb show"), "dev eth1 vlan 20 master br0"));
	/* priority-tagged (VID 0) frames take the PVID */
	drain(f);
	inject(f, 2, BCAST, MAC_C, 0);
	assert_int_equal(pending(f->port[1]), 1);
	assert_int_equal(pending(f->port[0]), 0);
	/* no PVID: untagged ingress refused */
	run(f, "bridge vlan add dev eth2 vid 20 untagged");
	drain(f);
	inject(f, 2, BCAST, MAC_C, -1);
	assert_int_equal(pending(f->port[1]), 0);
	assert_int_equal(run_err(f, "bridge vlan add dev eth2 vid 4095"), -EINVAL);
	assert_int_equal(run_err(f, "bridge vlan del dev eth2 vid 33"), -ENOENT);
	fix_free(f);
}

static void test_vlan_passthrough_without_filtering(void **state)
{
	struct fix *f = fix_new("");
	struct cap_frame *fr;

	(void)state;
	inject(f, 0, BCAST, MAC_A, 42);
	fr = cap_next(f->port[1]);
	assert_non_null(fr);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_8021Q);
	assert_int_equal(get_be16(fr->data + 14) & VLAN_VID_MASK, 42);
	assert_int_equal(fr->len, 64);
	fix_free(f);
}

static struct sk_buff *test_skb(struct net_device *dev, const uint8_t *dst)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), 46);

	memset(skb_put(skb, 46), 0x77, 46);
	skb->dev = dev;
	assert_int_equal(dev->header_ops->create(skb, dev, ETH_P_TEST, dst, NULL, skb->len), 14);
	return skb;
}

static void test_local_delivery(void **state)
{
	struct fix *f = fix_new("");
	struct pkt_counter *c = calloc(1, sizeof(*c));
	struct net_device *brdev = f->br->dev;
	struct cap_frame *fr;

	(void)state;
	/* the bridge takes the lowest port MAC and has it as a local entry */
	assert_memory_equal(brdev->dev_addr, f->port[0]->dev->dev_addr, 6);
	assert_true(br_fdb_find(f->br, brdev->dev_addr, 0)->flags & BR_FDB_LOCAL);
	c->pt.type = ETH_P_TEST;
	c->pt.dev = brdev;
	c->pt.func = pkt_count_rcv;
	dev_add_pack(f->ts->stack, &c->pt);
	/* to the bridge's MAC: up through br0, not forwarded */
	inject(f, 1, brdev->dev_addr, MAC_B, -1);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->pkt_type, PACKET_HOST);
	assert_int_equal(pending(f->port[0]) + pending(f->port[2]), 0);
	/* broadcast: forwarded and delivered */
	inject(f, 1, BCAST, MAC_B, -1);
	assert_int_equal(c->n, 2);
	assert_int_equal(pending(f->port[0]), 1);
	/* to someone else: not for the host */
	inject(f, 1, MAC_C, MAC_B, -1);
	assert_int_equal(c->n, 2);
	assert_int_equal(brdev->stats.rx_packets, 2);
	/* the host sends through br0: learnt B is reached directly */
	drain(f);
	dev_queue_xmit(test_skb(brdev, MAC_B));
	test_stack_settle(f->ts);
	assert_int_equal(pending(f->port[0]) + pending(f->port[2]), 0);
	fr = cap_next(f->port[1]);
	assert_non_null(fr);
	assert_memory_equal(fr->data + 6, brdev->dev_addr, 6);
	/* OUTPUT chain */
	run(f, "ebtables -A OUTPUT -d 02:00:00:00:00:0b -j DROP");
	dev_queue_xmit(test_skb(brdev, MAC_B));
	test_stack_settle(f->ts);
	assert_int_equal(pending(f->port[1]), 0);
	/* a MAC set by hand stays */
	run(f, "ip link set br0 address 02:12:34:56:78:9a");
	run(f, "ip link set eth0 nomaster");
	assert_int_equal(brdev->dev_addr[5], 0x9a);
	dev_remove_pack(f->ts->stack, &c->pt);
	free(c);
	fix_free(f);
}

static void test_vlan_device_over_pipe(void **state)
{
	struct test_stack *a = test_stack_new("a", 1), *b = test_stack_new("b", 2);
	struct net_device *da, *db, *va, *vb, *vb20;
	struct pkt_counter *c10 = calloc(1, sizeof(*c10)), *c20 = calloc(1, sizeof(*c20));
	struct pkt_counter *craw = calloc(1, sizeof(*craw));
	int err = 0;

	(void)state;
	assert_int_equal(ns_pipe_create(a->stack, "eth0", b->stack, "eth0", 64, &da, &db), 0);
	ns_dev_set_up(da, true);
	ns_dev_set_up(db, true);
	va = vlan_dev_create(da, 10, "eth0.10", &err);
	vb = vlan_dev_create(db, 10, "eth0.10", &err);
	vb20 = vlan_dev_create(db, 20, "eth0.20", &err);
	assert_non_null(va);
	assert_non_null(vb);
	assert_non_null(vb20);
	assert_null(vlan_dev_create(db, 10, "dup", &err));
	assert_int_equal(err, -EEXIST);
	assert_null(vlan_dev_create(db, 4095, "bad", &err));
	assert_int_equal(err, -EINVAL);
	assert_int_equal(ns_dev_set_up(va, true), 0);
	assert_int_equal(ns_dev_set_up(vb, true), 0);
	assert_int_equal(ns_dev_set_up(vb20, true), 0);
	c10->pt.type = c20->pt.type = craw->pt.type = ETH_P_TEST;
	c10->pt.func = c20->pt.func = craw->pt.func = pkt_count_rcv;
	c10->pt.dev = vb;
	c20->pt.dev = vb20;
	craw->pt.dev = db;
	dev_add_pack(b->stack, &c10->pt);
	dev_add_pack(b->stack, &c20->pt);
	dev_add_pack(b->stack, &craw->pt);

	dev_queue_xmit(test_skb(va, vb->dev_addr));
	for (int i = 0; i < 10; i++) {
		test_stack_settle(a);
		test_stack_settle(b);
	}
	assert_int_equal(c10->n, 1);
	assert_int_equal(c10->pkt_type, PACKET_HOST);
	assert_int_equal(c20->n, 0);
	assert_int_equal(craw->n, 0);
	assert_int_equal(vb->stats.rx_packets, 1);
	assert_int_equal(va->stats.tx_packets, 1);
	/* untagged traffic stays on the real device */
	dev_queue_xmit(test_skb(da, db->dev_addr));
	for (int i = 0; i < 10; i++) {
		test_stack_settle(a);
		test_stack_settle(b);
	}
	assert_int_equal(craw->n, 1);
	assert_int_equal(c10->n, 1);
	/* a VLAN with no device on b is not for b's host */
	{
		struct net_device *va30 = vlan_dev_create(da, 30, "eth0.30", &err);

		ns_dev_set_up(va30, true);
		dev_queue_xmit(test_skb(va30, db->dev_addr));
		for (int i = 0; i < 10; i++) {
			test_stack_settle(a);
			test_stack_settle(b);
		}
		assert_int_equal(craw->n, 2);
		assert_int_equal(craw->pkt_type, PACKET_OTHERHOST);
	}
	dev_remove_pack(b->stack, &c10->pt);
	dev_remove_pack(b->stack, &c20->pt);
	dev_remove_pack(b->stack, &craw->pt);
	test_stack_free(a);
	test_stack_free(b);
	free(c10);
	free(c20);
	free(craw);
}

static void test_vlan_device_on_capdev_and_cmd(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct cap_frame *fr;
	struct net_device *v;

	(void)state;
	f->ts = test_stack_new("v", 3);
	ns_out_init(&f->out);
	f->port[0] = capdev_new(f->ts, "eth0", MAC_A);
	run(f, "ip link add link eth0 name eth0.7 type vlan id 7");
	assert_int_equal(run_err(f, "ip link add link eth0 name eth0.x type vlan id 7"), -EEXIST);
	assert_int_equal(run_err(f, "ip link add link eth0 name eth0.y type vlan id 0"), -EINVAL);
	assert_int_equal(run_err(f, "ip link add link nope name eth0.y type vlan id 3"), -ENODEV);
	run(f, "ip link set eth0.7 up");
	v = dev_get_by_name(f->ts->stack, "eth0.7");
	assert_memory_equal(v->dev_addr, MAC_A, 6);
	dev_queue_xmit(test_skb(v, MAC_B));
	test_stack_settle(f->ts);
	fr = cap_next(f->port[0]);
	assert_non_null(fr);
	assert_int_equal(fr->len, 64);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_8021Q);
	assert_int_equal(get_be16(fr->data + 14), 7);
	assert_int_equal(get_be16(fr->data + 16), ETH_P_TEST);
	/* the real device goes away: the VLAN device is cut loose, not freed */
	ns_dev_destroy(f->port[0]->dev);
	assert_false(v->flags & IFF_UP);
	dev_queue_xmit(test_skb(v, MAC_B));
	run(f, "ip link del eth0.7");
	ns_out_free(&f->out);
	test_stack_free(f->ts);
	free(f);
}

/* ---- bad input ------------------------------------------------------------------------- */
static void test_bad_input(void **state)
{
	struct fix *f = fix_new("");
	uint8_t buf[10000];
	size_t n;

	(void)state;
	/* runt: refused by the driver, counted on the port */
	assert_int_equal(ns_dev_rx(f->port[0]->dev, buf, 10), -EINVAL);
	assert_int_equal(f->port[0]->dev->stats.rx_length_errors, 1);
	/* jumbo */
	n = frame(buf, BCAST, MAC_A, -1, ETH_P_TEST, 9000);
	capdev_inject(f->port[0], buf, n);
	test_stack_settle(f->ts);
	assert_int_equal(f->br->stats.rx_jumbo, 1);
	/* multicast and zero source MACs */
	inject(f, 0, BCAST, BCAST, -1);
	buf[0] = 0;
	{
		static const uint8_t zero[6] = { 0 };

		inject(f, 0, BCAST, zero, -1);
	}
	assert_int_equal(f->br->stats.rx_bad_src, 2);
	/* a tag cut short */
	n = frame(buf, BCAST, MAC_A, 5, ETH_P_TEST, 60);
	capdev_inject(f->port[0], buf, 16);
	test_stack_settle(f->ts);
	assert_int_equal(f->port[0]->dev->stats.rx_length_errors, 2);
	/* nested tags */
	n = frame(buf, BCAST, MAC_A, 5, ETH_P_8021Q, 64);
	put_be16(buf + 18, 0x0006);
	put_be16(buf + 20, ETH_P_TEST);
	capdev_inject(f->port[0], buf, n);
	test_stack_settle(f->ts);
	assert_int_equal(f->br->stats.rx_vlan_nested, 1);
	/* nothing of it went anywhere, no FDB entry was made */
	assert_int_equal(pending(f->port[1]) + pending(f->port[2]), 0);
	assert_null(br_fdb_find(f->br, MAC_A, 0));
	assert_non_null(strstr(run(f, "cat /proc/net/bridge/br0/stats"), "rx_bad_src 2\n"));
	fix_free(f);
}

/* ---- ebtables -------------------------------------------------------------------------- */
static void expect_forwarded(struct fix *f, int in, const uint8_t *dst, const uint8_t *src,
			     int vid, int port, unsigned int n)
{
	drain(f);
	inject(f, in, dst, src, vid);
	assert_int_equal(pending(f->port[port]), n);
}

static void test_ebtables_rules(void **state)
{
	struct fix *f = fix_new("");

	(void)state;
	/* learn A on eth0, B on eth1, C on eth2 */
	inject(f, 0, BCAST, MAC_A, -1);
	inject(f, 1, BCAST, MAC_B, -1);
	inject(f, 2, BCAST, MAC_C, -1);

	/* -s */
	run(f, "ebtables -A FORWARD -s 02:00:00:00:00:0a -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);
	expect_forwarded(f, 2, MAC_B, MAC_C, -1, 1, 1);
	assert_non_null(strstr(run(f, "ebtables -L --Lc"),
			       "Bridge chain: FORWARD, entries: 1, policy: ACCEPT\n-s 2:0:0:0:0:a -j DROP , pcnt = 1 -- bcnt = 50\n"));
	run(f, "ebtables -D FORWARD -s 02:00:00:00:00:0a -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	/* -s with a mask */
	run(f, "ebtables -A FORWARD -s 02:00:00:00:00:00/ff:ff:ff:ff:ff:f0 -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);
	run(f, "ebtables -F FORWARD");
	/* -d, negated */
	run(f, "ebtables -A FORWARD -d ! 02:00:00:00:00:0b -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	expect_forwarded(f, 0, MAC_C, MAC_A, -1, 2, 0);
	run(f, "ebtables -F");
	/* -p */
	run(f, "ebtables -A FORWARD -p 0x88b5 -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);
	run(f, "ebtables -F FORWARD");
	run(f, "ebtables -A FORWARD -p ARP -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	run(f, "ebtables -F FORWARD");
	/* --vlan-id (and -p 802_1Q for tagged frames) */
	run(f, "ebtables -A FORWARD -p 802_1Q --vlan-id 10 -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, 10, 1, 0);
	expect_forwarded(f, 0, MAC_B, MAC_A, 11, 1, 1);
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	run(f, "ebtables -F FORWARD");
	/* -i, -o */
	run(f, "ebtables -A FORWARD -i eth2 -j DROP");
	expect_forwarded(f, 2, MAC_B, MAC_C, -1, 1, 0);
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	run(f, "ebtables -F FORWARD");
	run(f, "ebtables -A FORWARD -o eth1 -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);
	expect_forwarded(f, 0, MAC_C, MAC_A, -1, 2, 1);
	run(f, "ebtables -F FORWARD");
	run(f, "ebtables -A FORWARD -o eth+ -j DROP");	/* a name prefix */
	expect_forwarded(f, 0, MAC_C, MAC_A, -1, 2, 0);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -o eth+ -o eth1 -j DROP"), -EINVAL);
	fix_free(f);
}

/* Fill chain with n rules "-s 02:ee:00:00:HH:LL -j DROP" no test frame matches. */
static void add_filler(struct fix *f, const char *chain, unsigned int base, unsigned int n)
{
	char line[128];

	for (unsigned int i = base; i < base + n; i++) {
		snprintf(line, sizeof(line), "ebtables -A %s -s 02:ee:00:00:%02x:%02x -j DROP", chain,
			 i >> 8, i & 0xff);
		run(f, line);
	}
}

/* Long chains are walked through the rule index (only the rules that can
 * match a frame's addresses, plus the generic ones): verdicts, rule order,
 * jumps and counters must be those of the plain walk, before and after
 * rules are deleted. */
static void test_ebtables_indexed_chain(void **state)
{
	struct fix *f = fix_new("");

	(void)state;
	inject(f, 0, BCAST, MAC_A, -1);
	inject(f, 1, BCAST, MAC_B, -1);
	inject(f, 2, BCAST, MAC_C, -1);
	add_filler(f, "FORWARD", 0, 20);
	run(f, "ebtables -A FORWARD -s 02:00:00:00:00:0a -j CONTINUE");	/* 21: keyed, counts */
	add_filler(f, "FORWARD", 20, 20);
	run(f, "ebtables -A FORWARD -o eth1 -j DROP");			/* 42: generic */
	run(f, "ebtables -A FORWARD -s 02:00:00:00:00:0a -j ACCEPT");	/* 43: keyed */
	run(f, "ebtables -A FORWARD -d 02:00:00:00:00:0a -j DROP");	/* 44: keyed by dst */
	run(f, "ebtables -N SUB");
	add_filler(f, "SUB", 100, 20);
	run(f, "ebtables -A SUB -s 02:00:00:00:00:0c -j RETURN");
	run(f, "ebtables -A SUB -j DROP");
	run(f, "ebtables -A FORWARD -j SUB");				/* 45: jump */
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);	/* 21 continues, 42 drops */
	expect_forwarded(f, 0, MAC_C, MAC_A, -1, 2, 1);	/* 21, then 43 accepts */
	expect_forwarded(f, 2, MAC_A, MAC_C, -1, 0, 0);	/* 44 drops by destination */
	expect_forwarded(f, 2, MAC_B, MAC_C, -1, 1, 0);	/* 42 drops before the jump */
	expect_forwarded(f, 1, MAC_C, MAC_B, -1, 2, 0);	/* SUB: no RETURN for B, DROP */
	assert_non_null(strstr(run(f, "ebtables -L FORWARD --Ln --Lc"),
			       "21. -s 2:0:0:0:0:a -j CONTINUE , pcnt = 2 -- bcnt = 100\n"));
	assert_non_null(strstr(run(f, "ebtables -L FORWARD --Ln --Lc"),
			       "42. -o eth1 -j DROP , pcnt = 2 -- bcnt = 100\n"
			       "43. -s 2:0:0:0:0:a -j ACCEPT , pcnt = 1 -- bcnt = 50\n"
			       "44. -d 2:0:0:0:0:a -j DROP , pcnt = 1 -- bcnt = 50\n"
			       "45. -j SUB , pcnt = 1 -- bcnt = 50\n"));
	assert_non_null(strstr(run(f, "ebtables -L SUB --Ln --Lc"),
			       "21. -s 2:0:0:0:0:c -j RETURN , pcnt = 0 -- bcnt = 0\n"
			       "22. -j DROP , pcnt = 1 -- bcnt = 50\n"));
	/* C's frames to A... via SUB: delete the -d rule; C returns from SUB */
	run(f, "ebtables -D FORWARD 44");
	expect_forwarded(f, 2, MAC_A, MAC_C, -1, 0, 1);
	assert_non_null(strstr(run(f, "ebtables -L SUB --Ln --Lc"),
			       "21. -s 2:0:0:0:0:c -j RETURN , pcnt = 1 -- bcnt = 50\n"));
	/* the keyed ACCEPT gone, A's frames to C go on to SUB and are dropped */
	run(f, "ebtables -D FORWARD 43");
	expect_forwarded(f, 0, MAC_C, MAC_A, -1, 2, 0);
	/* a rule inserted first is seen first */
	run(f, "ebtables -I FORWARD 1 -s 02:00:00:00:00:0a -j ACCEPT");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	run(f, "ebtables -F FORWARD");
	run(f, "ebtables -F SUB");
	run(f, "ebtables -X SUB");
	expect_forwarded(f, 1, MAC_C, MAC_B, -1, 2, 1);
	fix_free(f);
}

static void test_ebtables_policy_chains_counters(void **state)
{
	struct fix *f = fix_new("");

	(void)state;
	inject(f, 0, BCAST, MAC_A, -1);
	inject(f, 1, BCAST, MAC_B, -1);
	/* policy DROP with an ACCEPT exception */
	run(f, "ebtables -P FORWARD DROP");
	run(f, "ebtables -A FORWARD -o eth1 -j ACCEPT");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	expect_forwarded(f, 1, MAC_A, MAC_B, -1, 0, 0);
	run(f, "ebtables -P FORWARD ACCEPT");
	run(f, "ebtables -F FORWARD");
	/* user chain with CONTINUE and RETURN */
	run(f, "ebtables -N FILT");
	run(f, "ebtables -A FILT -s 02:00:00:00:00:0b -j CONTINUE");
	run(f, "ebtables -A FILT -s 02:00:00:00:00:0b -j RETURN");
	run(f, "ebtables -A FILT -j DROP");
	run(f, "ebtables -A FORWARD -j FILT");
	expect_forwarded(f, 1, MAC_A, MAC_B, -1, 0, 1);	/* RETURNed, then policy ACCEPT */
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);	/* reached the DROP */
	assert_non_null(strstr(run(f, "ebtables -L FILT --Ln --Lc"),
			       "1. -s 2:0:0:0:0:b -j CONTINUE , pcnt = 1 -- bcnt = 50\n"
			       "2. -s 2:0:0:0:0:b -j RETURN , pcnt = 1 -- bcnt = 50\n"
			       "3. -j DROP , pcnt = 1 -- bcnt = 50\n"));
	assert_int_equal(run_err(f, "ebtables -X FILT"), -EBUSY);
	run(f, "ebtables -Z");
	assert_non_null(strstr(run(f, "ebtables -L --Lc"), "-j FILT , pcnt = 0 -- bcnt = 0"));
	run(f, "ebtables -D FORWARD 1");
	run(f, "ebtables -F FILT");
	run(f, "ebtables -X FILT");
	/* INPUT and OUTPUT see only local traffic; -I inserts first */
	run(f, "ebtables -A INPUT -j DROP");
	run(f, "ebtables -I INPUT 1 -s 02:00:00:00:00:0a -j ACCEPT");
	assert_non_null(strstr(run(f, "ebtables -L INPUT --Ln"), "1. -s 2:0:0:0:0:a -j ACCEPT\n2. -j DROP\n"));
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	/* nat and broute tables */
	run(f, "ebtables -t nat -A PREROUTING -i eth0 -j DROP");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);
	run(f, "ebtables -t nat -F");
	run(f, "ebtables -t broute -A BROUTING -i eth0 -j DROP");	/* routed, not bridged */
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 0);
	run(f, "ebtables -t broute -F");
	expect_forwarded(f, 0, MAC_B, MAC_A, -1, 1, 1);
	/* errors */
	assert_int_equal(run_err(f, "ebtables -A NOPE -j DROP"), -ENOENT);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -j NOWHERE"), -ENOENT);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -s zz -j DROP"), -EINVAL);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -s 02:00:00:00:00:01"), -EINVAL);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -j RETURN"), -EINVAL);
	assert_int_equal(run_err(f, "ebtables -t frob -L"), -ENOENT);
	assert_int_equal(run_err(f, "ebtables -t broute -A FORWARD -j DROP"), -ENOENT);
	assert_int_equal(run_err(f, "ebtables -P FORWARD MAYBE"), -EINVAL);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -p 0x12 -j DROP"), -EINVAL);
	assert_int_equal(run_err(f, "ebtables -A FORWARD -s 02:00:00:00:00:01 -s 02:00:00:00:00:02 -j DROP"),
			 -EINVAL);
	assert_int_equal(run_err(f, "ebtables -D FORWARD 9"), -EINVAL);
	assert_int_equal(run_err(f, "sysctl -w net.bridge.bridge-nf-call-iptables=2"), -EINVAL);
	run(f, "sysctl -w net.bridge.bridge-nf-call-iptables=1");
	run(f, "sysctl -w net.bridge.bridge-nf-call-iptables=0");
	fix_free(f);
}

/* ---- commands' failure edges ----------------------------------------------------------- */
static void test_bridge_cmd_errors(void **state)
{
	struct fix *f = fix_new("");

	(void)state;
	assert_int_equal(run_err(f, "ip link set eth0 master eth1"), -EINVAL);
	assert_int_equal(run_err(f, "ip link set eth0 master nope"), -ENODEV);
	run(f, "ip link add br1 type bridge");
	assert_int_equal(run_err(f, "ip link set br1 master br0"), -ELOOP);
	run(f, "ip link set eth0 master br1");	/* moves between bridges */
	assert_ptr_equal(f->port[0]->dev->master, dev_get_by_name(f->ts->stack, "br1"));
	assert_int_equal(run_err(f, "ip link add br2 type bridge frob 1"), -EINVAL);
	assert_int_equal(run_err(f, "bridge fdb add 02:00:00:00:00:01 dev lo"), -EINVAL);
	assert_int_equal(run_err(f, "bridge fdb add 02:00:00:00:00:01"), -EINVAL);
	assert_int_equal(run_err(f, "bridge vlan add dev lo vid 3"), -EOPNOTSUPP);
	assert_int_equal(run_err(f, "bridge fdb frob"), -EINVAL);
	assert_non_null(strstr(run(f, "ip link show eth1"), "master br0"));
	run(f, "ip link del br0");	/* ports are released */
	assert_null(f->port[1]->dev->master);
	assert_false(f->port[1]->dev->flags & IFF_PROMISC);
	fix_free(f);
}

/* ---- STP triangle ---------------------------------------------------------------------- */
#define NB 3
struct tri {
	struct test_stack *ts[NB];
	struct net_bridge *br[NB];
	struct capdev *host;
};

static void tri_run(struct tri *t, uint64_t ns)
{
	uint64_t end = t->ts[0]->clock.now + ns;

	while (t->ts[0]->clock.now < end) {
		uint64_t now = t->ts[0]->clock.now + 10000000ULL;	/* 10 ms steps */

		for (int i = 0; i < NB; i++)
			t->ts[i]->clock.now = now;
		for (int round = 0; round < 200; round++) {
			int work = 0;

			for (int i = 0; i < NB; i++)
				work += ns_stack_step(t->ts[i]->stack);
			if (!work)
				break;
		}
	}
}

static void test_stp_triangle(void **state)
{
	struct tri t;
	struct net_device *e[NB][2];
	struct ns_out out;
	uint64_t before;
	unsigned int blocking = 0, forwarding = 0;

	(void)state;
	ns_out_init(&out);
	for (int i = 0; i < NB; i++) {
		char name[8];

		snprintf(name, sizeof(name), "s%d", i);
		t.ts[i] = test_stack_new(name, (uint64_t)i + 10);
	}
	/* s0.eth1 - s1.eth0, s1.eth1 - s2.eth0, s2.eth1 - s0.eth0 */
	for (int i = 0; i < NB; i++)
		assert_int_equal(ns_pipe_create(t.ts[i]->stack, "eth1", t.ts[(i + 1) % NB]->stack,
						"eth0", 256, &e[i][1], &e[(i + 1) % NB][0]), 0);
	t.host = capdev_new(t.ts[0], "host0", MAC_A);
	for (int i = 0; i < NB; i++) {
		struct ns_stack *s = t.ts[i]->stack;

		assert_int_equal(ns_exec(s, "ip link add br0 type bridge stp_state 1", &out), 0);
		assert_int_equal(ns_exec(s, "ip link set eth0 master br0", &out), 0);
		assert_int_equal(ns_exec(s, "ip link set eth1 master br0", &out), 0);
		assert_int_equal(ns_exec(s, "ip link set eth0 up", &out), 0);
		assert_int_equal(ns_exec(s, "ip link set eth1 up", &out), 0);
		assert_int_equal(ns_exec(s, "ip link set br0 up", &out), 0);
		t.br[i] = br_from_dev(dev_get_by_name(s, "br0"));
	}
	assert_int_equal(ns_exec(t.ts[0]->stack, "ip link set host0 master br0", &out), 0);
	/* listening: nothing forwards yet */
	tri_run(&t, SEC);
	for (int i = 0; i < NB; i++) {
		struct net_bridge_port *p;

		list_for_each_entry(p, &t.br[i]->port_list, list)
			assert_int_not_equal(p->state, BR_STATE_FORWARDING);
	}
	/* 2 x forward_delay later the tree has converged */
	tri_run(&t, 40 * SEC);
	for (int i = 0; i < NB; i++) {
		struct net_bridge_port *p;

		assert_memory_equal(&t.br[i]->designated_root, &t.br[0]->designated_root,
				    sizeof(bridge_id));
		list_for_each_entry(p, &t.br[i]->port_list, list) {
			blocking += p->state == BR_STATE_BLOCKING;
			forwarding += p->state == BR_STATE_FORWARDING;
		}
	}
	assert_int_equal(blocking, 1);
	assert_int_equal(forwarding, 6);
	{
		int roots = 0;

		for (int i = 0; i < NB; i++)
			roots += br_is_root_bridge(t.br[i]);
		assert_int_equal(roots, 1);
	}
	ns_out_reset(&out);
	assert_int_equal(ns_exec(t.ts[1]->stack, "bridge -d link show", &out), 0);
	assert_non_null(strstr(ns_out_text(&out), "root"));
	/* a broadcast reaches every bridge once and does not loop */
	before = 0;
	for (int i = 0; i < NB; i++)
		before += t.br[i]->dev->stats.rx_packets;
	{
		uint8_t buf[64];

		capdev_inject(t.host, buf, frame(buf, BCAST, MAC_A, -1, ETH_P_TEST, 60));
	}
	tri_run(&t, 5 * SEC);
	if (getenv("BR_TEST_VERBOSE"))
		for (int i = 0; i < NB; i++) {
			struct net_bridge_port *p;

			fprintf(stderr, "br%d rx %llu root %d rp %u\n", i,
				(unsigned long long)t.br[i]->dev->stats.rx_packets,
				br_is_root_bridge(t.br[i]), t.br[i]->root_port);
			list_for_each_entry(p, &t.br[i]->port_list, list)
				fprintf(stderr, "  %s %s %s\n", p->dev->name, br_port_state_names[p->state],
					br_port_role(p));
		}
	{
		uint64_t after = 0;

		for (int i = 0; i < NB; i++)
			after += t.br[i]->dev->stats.rx_packets;
		assert_int_equal(after - before, 3);	/* once per bridge, no storm */
	}
	{
		unsigned int echoed = 0, bpdus = 0;

		for (unsigned int i = 0; i < t.host->count; i++) {
			echoed += get_be16(t.host->frames[i].data + 12) == ETH_P_TEST;
			bpdus += t.host->frames[i].data[0] == 0x01 && t.host->frames[i].data[1] == 0x80;
		}
		assert_int_equal(echoed, 0);	/* nothing came back to the sender */
		assert_true(bpdus > 10);	/* the edge port hears hello every 2 s */
	}
	/* a link fails: the blocked port takes over after max_age + 2 fwd delay */
	for (int i = 0; i < NB; i++) {
		struct net_bridge_port *p;

		list_for_each_entry(p, &t.br[i]->port_list, list) {
			if (p->state == BR_STATE_FORWARDING && p->dev != t.host->dev &&
			    !br_is_root_bridge(t.br[i]) && p->port_no == t.br[i]->root_port) {
				ns_dev_set_up(p->dev, false);
				goto cut;
			}
		}
	}
cut:
	tri_run(&t, 60 * SEC);
	blocking = 0;
	for (int i = 0; i < NB; i++) {
		struct net_bridge_port *p;

		list_for_each_entry(p, &t.br[i]->port_list, list)
			blocking += p->state == BR_STATE_BLOCKING;
	}
	assert_int_equal(blocking, 0);
	ns_out_free(&out);
	for (int i = 0; i < NB; i++)
		test_stack_free(t.ts[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_forward_flood),
		cmocka_unit_test(test_local_delivery),
		cmocka_unit_test(test_aging_and_static),
		cmocka_unit_test(test_fdb_limit_under_flood),
		cmocka_unit_test(test_vlan_filtering_isolation),
		cmocka_unit_test(test_vlan_passthrough_without_filtering),
		cmocka_unit_test(test_vlan_device_over_pipe),
		cmocka_unit_test(test_vlan_device_on_capdev_and_cmd),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_ebtables_rules),
		cmocka_unit_test(test_ebtables_policy_chains_counters),
		cmocka_unit_test(test_ebtables_indexed_chain),
		cmocka_unit_test(test_bridge_cmd_errors),
		cmocka_unit_test(test_stp_triangle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
