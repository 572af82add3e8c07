/* demo.c - `nstack demo` (make run): two stacks joined by an in-memory
 * wire on virtual time exchange frames of a test ethertype; netem shapes
 * the link when that discipline exists. Then each stack's `ip -s link`,
 * /proc/net/dev and `tc -s qdisc` show what happened. No root needed;
 * finishes in well under a second. */
#include <stdio.h>
#include <string.h>

#include "nstack/cmd.h"
#include "nstack/netdev.h"
#include "core/netdevice.h"
#include "core/stack.h"
#include "sched/sch_generic.h"
#include "nstack.h"

#define ETH_P_DEMO 0x88b5	/* IEEE 802 local experimental ethertype */
#define DEMO_MS 1000000ULL

struct demo_counter {
	struct packet_type pt;
	unsigned int frames;
	uint64_t bytes;
};

static int demo_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig)
{
	struct demo_counter *c = container_of(pt, struct demo_counter, pt);

	(void)dev;
	(void)orig;
	c->frames++;
	c->bytes += skb->len;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static int demo_send(struct net_device *dev, const uint8_t *dst, unsigned int payload)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), payload);

	if (!skb)
		return -1;
	memset(skb_put(skb, payload), 0x5a, payload);
	skb->dev = dev;
	if (dev->header_ops->create(skb, dev, ETH_P_DEMO, dst, NULL, skb->len) < 0) {
		kfree_skb(skb);
		return -1;
	}
	dev_queue_xmit(skb);
	return 0;
}

static int run(struct ns_stack *s, const char *line)
{
	struct ns_out out;
	int rc;

	ns_out_init(&out);
	rc = ns_exec(s, line, &out);
	fputs(ns_out_text(&out), stdout);
	if (rc)
		printf("%s: %s\n", ns_stack_name(s), out.err);
	ns_out_free(&out);
	return rc;
}

static void settle(struct ns_vclock *clk, struct ns_stack *a, struct ns_stack *b, unsigned int ms)
{
	for (unsigned int i = 0; i < ms; i++) {
		for (int round = 0; round < 64; round++)
			if (ns_stack_step(a) + ns_stack_step(b) == 0)
				break;
		ns_vclock_advance(clk, DEMO_MS);
	}
}

static void report(struct ns_stack *s)
{
	static const char *const cmds[] = { "ip -s link", "cat /proc/net/dev", "tc -s qdisc" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		printf("\n[%s]# %s\n", ns_stack_name(s), cmds[i]);
		run(s, cmds[i]);
	}
}

int nstack_demo(int argc, char **argv)
{
	struct ns_vclock clk;
	struct ns_stack *a, *b;
	struct net_device *da, *db;
	struct demo_counter ca = { .pt = { .type = ETH_P_DEMO, .func = demo_rcv } };
	struct demo_counter cb = ca;
	unsigned int sent_a = 0, sent_b = 0;

	(void)argc;
	(void)argv;
	ns_vclock_init(&clk, 1000000000ULL);
	a = ns_stack_create(&(struct ns_stack_config){ .name = "left", .clock = &clk.clock, .seed = 1 });
	b = ns_stack_create(&(struct ns_stack_config){ .name = "right", .clock = &clk.clock, .seed = 2 });
	if (!a || !b || ns_pipe_create(a, "eth0", b, "eth0", 0, &da, &db)) {
		fprintf(stderr, "nstack demo: cannot create the stacks\n");
		return 1;
	}
	dev_add_pack(a, &ca.pt);
	dev_add_pack(b, &cb.pt);
	printf("Two stacks, left and right, joined by a virtual wire (eth0 <-> eth0), virtual time.\n");
	run(a, "ip link set eth0 up");
	run(b, "ip link set eth0 up");
	if (qdisc_lookup_ops("netem")) {
		printf("[left]# tc qdisc add dev eth0 root netem delay 10ms loss 10%%\n");
		run(a, "tc qdisc add dev eth0 root netem delay 10ms loss 10%");
	} else {
		printf("note: the netem qdisc is not built yet; the wire has no delay or loss\n");
	}
	for (unsigned int ms = 0; ms < 100; ms++) {
		sent_a += demo_send(da, db->dev_addr, 100 + ms * 13) == 0;
		if (ms % 2 == 0)
			sent_b += demo_send(db, da->dev_addr, 64) == 0;
		settle(&clk, a, b, 1);
	}
	settle(&clk, a, b, 500);
	printf("left sent %u frames of ethertype 0x%04x, right received %u (%llu bytes)\n", sent_a,
	       ETH_P_DEMO, cb.frames, (unsigned long long)cb.bytes);
	printf("right sent %u frames, left received %u (%llu bytes)\n", sent_b, ca.frames,
	       (unsigned long long)ca.bytes);
	report(a);
	report(b);
	dev_remove_pack(a, &ca.pt);
	dev_remove_pack(b, &cb.pt);
	ns_stack_destroy(a);
	ns_stack_destroy(b);
	return 0;
}
