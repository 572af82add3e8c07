/* test_pcap.c - the pcap writer (drivers/pcap.c): frames received and sent
 * on a capture device and on a pipe are written back byte for byte with
 * virtual-clock nanosecond timestamps; the raw-IP link type; the flush
 * timer; errors; unregistering a device ends its capture. When tshark is
 * installed, every file written must dissect without warnings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "ethernet/eth.h"
#include "wire/checksum.h"

#define ETH_P_TEST 0x88b5
#define MAX_RECS 16

struct pcap_rec {
	uint64_t ts;		/* ns */
	uint32_t incl, orig;
	uint8_t data[2048];
};

struct pcap_parsed {
	uint32_t magic, snaplen, linktype;
	uint16_t vmaj, vmin;
	unsigned int count;
	struct pcap_rec rec[MAX_RECS];
};

static void tmp_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/nstack_test_pcap_%d_%s.pcap", (int)getpid(), tag);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* Parse a whole file; every record must fit exactly (no trailing bytes). */
static void pcap_parse(const char *path, struct pcap_parsed *out)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 16];
	size_t len, off = 24;

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(len >= 24);
	memset(out, 0, sizeof(*out));
	out->magic = rd32(buf);
	out->vmaj = rd16(buf + 4);
	out->vmin = rd16(buf + 6);
	assert_int_equal(rd32(buf + 8), 0);	/* thiszone */
	assert_int_equal(rd32(buf + 12), 0);	/* sigfigs */
	out->snaplen = rd32(buf + 16);
	out->linktype = rd32(buf + 20);
	while (off < len) {
		struct pcap_rec *r = &out->rec[out->count++];

		assert_true(out->count <= MAX_RECS);
		assert_true(off + 16 <= len);
		assert_true(rd32(buf + off + 4) < 1000000000U);	/* nanoseconds field */
		r->ts = (uint64_t)rd32(buf + off) * 1000000000ULL + rd32(buf + off + 4);
		r->incl = rd32(buf + off + 8);
		r->orig = rd32(buf + off + 12);
		assert_true(r->incl <= sizeof(r->data) && off + 16 + r->incl <= len);
		memcpy(r->data, buf + off + 16, r->incl);
		off += 16 + r->incl;
	}
	assert_int_equal(off, len);
}

static void assert_header(const struct pcap_parsed *p, uint32_t linktype)
{
	assert_int_equal(p->magic, 0xa1b23c4d);
	assert_int_equal(p->vmaj, 2);
	assert_int_equal(p->vmin, 4);
	assert_int_equal(p->snaplen, 262144);
	assert_int_equal(p->linktype, linktype);
}

/* tshark must dissect the file without malformed packets or warnings. */
static void tshark_check(const char *path, unsigned int frames)
{
	char cmd[256], line[512], want[32];
	bool seen_last = false;
	FILE *p;

	if (access("/usr/bin/tshark", X_OK) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "/usr/bin/tshark -r %s -V 2>&1", path);
	snprintf(want, sizeof(want), "Frame %u:", frames);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "Malformed") || strstr(line, "Expert Info (Warning"))
			fail_msg("tshark on %s: %s", path, line);
		if (strncmp(line, want, strlen(want)) == 0)
			seen_last = true;
	}
	assert_int_equal(pclose(p), 0);
	assert_true(seen_last);
}

static void build_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, size_t len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put_be16(f + 12, ETH_P_TEST);
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)i;
}

static struct sk_buff *tx_skb(struct net_device *dev, size_t payload)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), (unsigned int)payload);

	assert_non_null(skb);
	memset(skb_put(skb, (unsigned int)payload), 0xa5, (unsigned int)payload);
	skb->dev = dev;
	assert_int_equal(dev->header_ops->create(skb, dev, ETH_P_TEST, NULL, NULL, skb->len), 14);
	return skb;
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x42 };

static void test_capdev_rx_and_tx(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct pcap_parsed *p = malloc(sizeof(*p));
	struct cap_frame *sent;
	uint8_t f[100];
	char path[128];

	(void)state;
	tmp_path(path, sizeof(path), "capdev");
	assert_int_equal(ns_pcap_start(c->dev, path), 0);
	build_frame(f, bcast, peer, sizeof(f));
	capdev_inject(c, f, sizeof(f));
	test_stack_settle(ts);
	ts->clock.now += 1500123;	/* 1.001500123 s */
	assert_int_equal(dev_queue_xmit(tx_skb(c->dev, 200)), NET_XMIT_SUCCESS);
	test_stack_settle(ts);
	ns_pcap_stop(c->dev);

	pcap_parse(path, p);
	assert_header(p, 1);
	assert_int_equal(p->count, 2);
	assert_int_equal(p->rec[0].ts, 1000000000ULL);
	assert_int_equal(p->rec[0].incl, sizeof(f));
	assert_int_equal(p->rec[0].orig, sizeof(f));
	assert_memory_equal(p->rec[0].data, f, sizeof(f));
	sent = cap_next(c);
	assert_non_null(sent);
	assert_int_equal(p->rec[1].ts, 1001500123ULL);
	assert_int_equal(p->rec[1].incl, sent->len);
	assert_int_equal(p->rec[1].orig, sent->len);
	assert_memory_equal(p->rec[1].data, sent->data, sent->len);
	tshark_check(path, 2);
	unlink(path);
	free(p);
	test_stack_free(ts);
}

static void test_pipe_both_ends(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct pcap_parsed *pa = malloc(sizeof(*pa)), *pb = malloc(sizeof(*pb));
	struct net_device *a, *b;
	char path_a[128], path_b[128];

	(void)state;
	tmp_path(path_a, sizeof(path_a), "pipe_a");
	tmp_path(path_b, sizeof(path_b), "pipe_b");
	assert_int_equal(ns_pipe_create(ts->stack, "pa", ts->stack, "pb", 0, &a, &b), 0);
	ns_dev_set_up(a, true);
	ns_dev_set_up(b, true);
	assert_int_equal(ns_pcap_start(a, path_a), 0);
	assert_int_equal(ns_pcap_start(b, path_b), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dev_queue_xmit(tx_skb(a, 50 + 10 * (size_t)i)), NET_XMIT_SUCCESS);
		test_stack_settle(ts);
		ts->clock.now += 1000;
	}
	ns_pcap_stop(a);
	ns_pcap_stop(b);
	pcap_parse(path_a, pa);
	pcap_parse(path_b, pb);
	assert_header(pa, 1);
	assert_int_equal(pa->count, 3);
	assert_int_equal(pb->count, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(pa->rec[i].incl, 64 + 10 * i);
		assert_int_equal(pa->rec[i].incl, pb->rec[i].incl);
		assert_memory_equal(pa->rec[i].data, pb->rec[i].data, pa->rec[i].incl);
		assert_memory_equal(pa->rec[i].data + 6, a->dev_addr, 6);
		assert_int_equal(pa->rec[i].ts, 1000000000ULL + 1000 * i);
		assert_int_equal(pb->rec[i].ts, pa->rec[i].ts);
	}
	tshark_check(path_a, 3);
	unlink(path_a);
	unlink(path_b);
	free(pa);
	free(pb);
	test_stack_free(ts);
}

static int discard_xmit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;
}

static void test_raw_ip_linktype(void **state)
{
	static const struct ns_driver_ops ops = { .xmit = discard_xmit };
	struct test_stack *ts = test_stack_new("t", 1);
	struct pcap_parsed *p = malloc(sizeof(*p));
	struct net_device *dev;
	uint8_t pkt[40] = { 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 253 };
	char path[128];

	(void)state;
	put_be32(pkt + 12, 0xc6120002);
	put_be32(pkt + 16, 0xc6120001);
	put_be16(pkt + 10, csum_fold(csum_partial(pkt, 20, 0)));
	tmp_path(path, sizeof(path), "rawip");
	dev = ns_dev_create(ts->stack, "tun0", NS_LINK_RAW_IP, NULL, 0, &ops, NULL);
	assert_non_null(dev);
	ns_dev_set_up(dev, true);
	assert_int_equal(ns_pcap_start(dev, path), 0);
	assert_int_equal(ns_dev_rx(dev, pkt, sizeof(pkt)), 0);
	test_stack_settle(ts);
	ns_pcap_stop(dev);
	pcap_parse(path, p);
	assert_header(p, 101);
	assert_int_equal(p->count, 1);
	assert_int_equal(p->rec[0].incl, sizeof(pkt));
	assert_memory_equal(p->rec[0].data, pkt, sizeof(pkt));
	tshark_check(path, 1);
	unlink(path);
	free(p);
	test_stack_free(ts);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_flush_within_a_second(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint8_t f[60];
	char path[128];

	(void)state;
	tmp_path(path, sizeof(path), "flush");
	assert_int_equal(ns_pcap_start(c->dev, path), 0);
	build_frame(f, bcast, peer, sizeof(f));
	capdev_inject(c, f, sizeof(f));
	test_stack_settle(ts);
	assert_int_equal(file_size(path), 0);	/* buffered */
	test_stack_advance(ts, 1100000000ULL, 100000000ULL);
	assert_int_equal(file_size(path), 24 + 16 + 60);
	ns_pcap_stop(c->dev);
	unlink(path);
	test_stack_free(ts);
}

static void test_errors(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	char path[128];

	(void)state;
	tmp_path(path, sizeof(path), "errors");
	assert_int_equal(ns_pcap_start(c->dev, NULL), -EINVAL);
	assert_int_equal(ns_pcap_start(NULL, path), -EINVAL);
	assert_int_equal(ns_pcap_start(c->dev, "/nonexistent-dir/x.pcap"), -ENOENT);
	ns_pcap_stop(c->dev);		/* not capturing: no-op */
	ns_pcap_stop(NULL);
	assert_int_equal(ns_pcap_start(c->dev, path), 0);
	assert_int_equal(ns_pcap_start(c->dev, path), -EBUSY);
	ns_pcap_stop(c->dev);
	ns_pcap_stop(c->dev);
	/* capturing again after a stop works */
	assert_int_equal(ns_pcap_start(c->dev, path), 0);
	ns_pcap_stop(c->dev);
	unlink(path);
	test_stack_free(ts);
}

static void test_unregister_ends_capture(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *a = capdev_new(ts, "eth0", NULL), *b = capdev_new(ts, "eth1", NULL);
	struct pcap_parsed *p = malloc(sizeof(*p));
	char path_a[128], path_b[128];
	uint8_t f[80];

	(void)state;
	tmp_path(path_a, sizeof(path_a), "unreg_a");
	tmp_path(path_b, sizeof(path_b), "unreg_b");
	assert_int_equal(ns_pcap_start(a->dev, path_a), 0);
	assert_int_equal(ns_pcap_start(b->dev, path_b), 0);
	build_frame(f, bcast, peer, sizeof(f));
	capdev_inject(a, f, sizeof(f));
	capdev_inject(b, f, sizeof(f));
	test_stack_settle(ts);
	ns_dev_destroy(a->dev);		/* closes a's file (leaks would show under ASan) */
	pcap_parse(path_a, p);
	assert_int_equal(p->count, 1);
	/* b keeps capturing; the stack's teardown closes it */
	capdev_inject(b, f, sizeof(f));
	test_stack_settle(ts);
	test_stack_free(ts);
	pcap_parse(path_b, p);
	assert_int_equal(p->count, 2);
	unlink(path_a);
	unlink(path_b);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capdev_rx_and_tx),
		cmocka_unit_test(test_pipe_both_ends),
		cmocka_unit_test(test_raw_ip_linktype),
		cmocka_unit_test(test_flush_within_a_second),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unregister_ends_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
