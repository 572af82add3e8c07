/* test_csum_offload.c - transmit checksum offload (CHECKSUM_PARTIAL with
 * NETIF_F_HW_CSUM, as Linux's veth and lo): skb_checksum_help completes a
 * partial TCP checksum to exactly the full one and never writes into data a
 * clone shares; TCP over offloading pipes moves bytes intact; a frame that
 * arrived partial and is forwarded (or masqueraded) out of a device without
 * offload leaves with a correct checksum, which the far end verifies. */
#include "tcp_testutil.h"
#include "net3.h"
#include "netfilter/nf_tables.h"
#include "nstack/cmd.h"
#include "wire/checksum.h"
#include "wire/tcp.h"

#define A_IP IP4(198, 18, 40, 1)
#define R_IP0 IP4(198, 18, 40, 254)
#define R_IP1 IP4(198, 18, 41, 254)
#define B_IP IP4(198, 18, 41, 2)

/* a TCP segment with payload in an skb, checksum left partial */
static struct sk_buff *partial_segment(struct ns_stack *s, uint8_t *full, size_t *seglen)
{
	static const uint8_t payload[301] = { 1, 2, 3, 250, 251 };
	struct tcp_repr r = { .sport = 40000, .dport = 80, .seq = 7, .ack_seq = 9,
			      .flags = TCP_FLAG_ACK | TCP_FLAG_PSH, .window = 1000,
			      .payload = payload, .payload_len = sizeof(payload) };
	size_t len = TCP_HLEN_MIN + sizeof(payload);
	struct sk_buff *skb = alloc_skb(s, 128 + len);
	uint8_t *h;

	assert_non_null(skb);
	skb_reserve(skb, 128);
	h = skb_put(skb, (unsigned int)len);
	assert_int_equal(tcp_emit_ipv4(&r, full, len, A_IP, B_IP), (int)len);
	assert_int_equal(tcp_emit_ipv4_partial(&r, h, len, A_IP, B_IP), (int)len);
	skb_partial_csum_set(skb, h, 16);
	*seglen = len;
	return skb;
}

static void test_help_completes_the_full_checksum(void **state)
{
	struct test_stack *t = test_stack_new("H", 1);
	uint8_t full[512];
	size_t len;
	struct sk_buff *skb = partial_segment(t->stack, full, &len);

	(void)state;
	assert_true(skb_csum_unnecessary(skb));
	assert_int_equal(skb_checksum_help(skb), 0);
	assert_int_equal(skb->ip_summed, CHECKSUM_NONE);
	assert_memory_equal(skb->data, full, len);
	assert_int_equal(tcp_verify_ipv4(skb->data, len, A_IP, B_IP), WIRE_OK);
	/* nothing partial: nothing to do */
	assert_int_equal(skb_checksum_help(skb), 0);
	/* a csum_start/offset outside the packet is refused, not written */
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (uint16_t)(skb->data - skb->head);
	skb->csum_offset = (uint16_t)(len - 1);
	assert_int_equal(skb_checksum_help(skb), -EINVAL);
	kfree_skb(skb);
	test_stack_free(t);
}

static void test_help_on_a_clone_writes_a_private_copy(void **state)
{
	struct test_stack *t = test_stack_new("H", 1);
	uint8_t full[512], before[512];
	size_t len;
	struct sk_buff *skb = partial_segment(t->stack, full, &len);
	struct sk_buff *c = skb_clone(skb);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->ip_summed, CHECKSUM_PARTIAL);
	assert_int_equal(c->nohdr, 0);
	memcpy(before, skb->data, len);
	assert_int_equal(skb_checksum_help(c), 0);
	assert_memory_equal(c->data, full, len);
	/* the original still holds the pseudo-header sum and completes alike */
	assert_memory_equal(skb->data, before, len);
	assert_int_equal(skb_checksum_help(skb), 0);
	assert_memory_equal(skb->data, full, len);
	kfree_skb(c);
	kfree_skb(skb);
	test_stack_free(t);
}

static void test_feature_only_where_the_driver_can(void **state)
{
	struct test_stack *t = test_stack_new("H", 1);
	struct net_device *lo = dev_get_by_name(t->stack, "lo");
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct capdev *c = capdev_new(t, "eth0", mac);

	(void)state;
	assert_non_null(lo);
	assert_true(lo->features & NETIF_F_HW_CSUM);
	assert_int_equal(ns_dev_set_tx_csum(c->dev, true), -EOPNOTSUPP);
	assert_int_equal(ns_dev_set_tx_csum(c->dev, false), 0);
	test_stack_free(t);
}

/* ---- over pipes ------------------------------------------------------------------------------ */
static void run_until(struct net3 *n, bool (*done)(void *), void *arg)
{
	for (int i = 0; i < 200000 && !done(arg); i++) {
		int w = ns_stack_step(n->a->stack) + ns_stack_step(n->r->stack) +
			ns_stack_step(n->b->stack);

		if (!w) {
			n->a->clock.now += 1000;
			n->r->clock.now = n->b->clock.now = n->a->clock.now;
		}
	}
	assert_true(done(arg));
}

struct xfer {
	struct net3 *n;
	int cfd, lfd, sfd;
	size_t sent, rcvd, total;
	uint64_t hs, hr;
};

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static bool xfer_step(void *arg)
{
	struct xfer *x = arg;
	static uint8_t buf[16384];

	if (x->sfd < 0)
		x->sfd = ns_accept4(x->n->b->stack, x->lfd, NULL, NULL, SOCK_NONBLOCK);
	if (x->sent < x->total) {
		size_t m = NS_MIN(sizeof(buf), x->total - x->sent);
		ssize_t k;

		for (size_t i = 0; i < m; i++)
			buf[i] = (uint8_t)((x->sent + i) * 13 + ((x->sent + i) >> 9));
		k = ns_send(x->n->a->stack, x->cfd, buf, m, 0);
		if (k > 0) {
			x->hs = fnv(x->hs, buf, (size_t)k);
			x->sent += (size_t)k;
		}
	}
	if (x->sfd >= 0) {
		ssize_t k = ns_recv(x->n->b->stack, x->sfd, buf, sizeof(buf), 0);

		if (k > 0) {
			x->hr = fnv(x->hr, buf, (size_t)k);
			x->rcvd += (size_t)k;
		}
	}
	return x->rcvd == x->total;
}

/* 1 MiB from A to B:7000 through R, checked by hash */
static void transfer_a_to_b(struct net3 *n, uint32_t expect_peer)
{
	struct sockaddr_in l = { .sin_family = AF_INET, .sin_port = htons(7000) };
	struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(7000),
				 .sin_addr.s_addr = htonl(B_IP) };
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	struct xfer x = { .n = n, .sfd = -1, .total = 1 << 20,
			  .hs = 0xcbf29ce484222325ULL, .hr = 0xcbf29ce484222325ULL };

	x.lfd = ns_socket(n->b->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_bind(n->b->stack, x.lfd, (struct sockaddr *)&l, sizeof(l)), 0);
	assert_int_equal(ns_listen(n->b->stack, x.lfd, 4), 0);
	x.cfd = ns_socket(n->a->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_connect(n->a->stack, x.cfd, (struct sockaddr *)&d, sizeof(d)), -1);
	assert_int_equal(errno, EINPROGRESS);
	run_until(n, xfer_step, &x);
	assert_true(x.hs == x.hr);
	assert_int_equal(ns_getpeername(n->b->stack, x.sfd, (struct sockaddr *)&peer, &pl), 0);
	assert_int_equal(ntohl(peer.sin_addr.s_addr), expect_peer);
	/* B verified every checksum itself (its link has no offload) */
	assert_int_equal(tcpstat(n->b->stack, "InCsumErrors"), 0);
	assert_int_equal(tcpstat(n->a->stack, "InCsumErrors"), 0);
	ns_close(n->a->stack, x.cfd);
	ns_close(n->b->stack, x.sfd);
	ns_close(n->b->stack, x.lfd);
	net3_run_all(n);
}

static void offload_a_link(struct net3 *n)
{
	assert_int_equal(ns_dev_set_tx_csum(n->a0, true), 0);
	assert_int_equal(ns_dev_set_tx_csum(n->r0, true), 0);
}

static void test_forwarded_partial_completed_on_the_way_out(void **state)
{
	struct net3 n;

	(void)state;
	net3_init(&n, A_IP, R_IP0, R_IP1, B_IP);
	offload_a_link(&n);
	transfer_a_to_b(&n, A_IP);
	net3_free(&n);
}

static void test_masqueraded_partial_completed_before_nat(void **state)
{
	struct net3 n;

	(void)state;
	net3_init(&n, A_IP, R_IP0, R_IP1, B_IP);
	offload_a_link(&n);
	net3_nft(n.r->stack, "table ip nat { chain post { type nat hook postrouting priority 100;\n"
			   "  oifname \"eth1\" masquerade } }\n");
	transfer_a_to_b(&n, R_IP1);
	net3_free(&n);
}

static void test_all_links_offloaded(void **state)
{
	struct net3 n;

	(void)state;
	net3_init(&n, A_IP, R_IP0, R_IP1, B_IP);
	offload_a_link(&n);
	assert_int_equal(ns_dev_set_tx_csum(n.r1, true), 0);
	assert_int_equal(ns_dev_set_tx_csum(n.b0, true), 0);
	transfer_a_to_b(&n, A_IP);
	net3_free(&n);
}

/* UDP leaves its checksum partial too (Linux's udp4_hwcsum): 200 datagrams
 * of every size class over the offloading link, forwarded by R out of a
 * device without offload, all verified and delivered at B */
static void test_udp_partial_forwarded(void **state)
{
	struct net3 n;
	struct sockaddr_in l = { .sin_family = AF_INET, .sin_port = htons(5353) };
	struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(5353),
				 .sin_addr.s_addr = htonl(B_IP) };
	static uint8_t buf[3000];
	int a, b, got = 0;

	(void)state;
	net3_init(&n, A_IP, R_IP0, R_IP1, B_IP);
	offload_a_link(&n);
	b = ns_socket(n.b->stack, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_int_equal(ns_bind(n.b->stack, b, (struct sockaddr *)&l, sizeof(l)), 0);
	a = ns_socket(n.a->stack, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	for (int i = 0; i < 200; i++) {
		size_t len = (size_t)(i * 13) % sizeof(buf);	/* some fragmented */

		memset(buf, i, len);
		assert_int_equal(ns_sendto(n.a->stack, a, buf, len, 0, (struct sockaddr *)&d, sizeof(d)),
				 (ssize_t)len);
		net3_run_all(&n);
		if (ns_recv(n.b->stack, b, buf, sizeof(buf), 0) == (ssize_t)len)
			got++;
	}
	assert_int_equal(got, 200);
	assert_int_equal(proc_counter(n.b->stack, "/proc/net/snmp", "Udp", "InCsumErrors"), 0);
	ns_close(n.a->stack, a);
	ns_close(n.b->stack, b);
	net3_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_completes_the_full_checksum),
		cmocka_unit_test(test_help_on_a_clone_writes_a_private_copy),
		cmocka_unit_test(test_feature_only_where_the_driver_can),
		cmocka_unit_test(test_forwarded_partial_completed_on_the_way_out),
		cmocka_unit_test(test_masqueraded_partial_completed_before_nat),
		cmocka_unit_test(test_all_links_offloaded),
		cmocka_unit_test(test_udp_partial_forwarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
