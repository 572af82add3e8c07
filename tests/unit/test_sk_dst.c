/* test_sk_dst.c - sockets' cached output routes (Linux's sk_dst_cache
 * checked against rt_genid, src/ipv4/route.c ip_route_output_sk): a
 * connected socket sends without a FIB lookup while nothing changed, and
 * its next datagram follows every change that could alter the route: a
 * more specific route added or deleted, an address removed, a device
 * down, a learned PMTU (and its expiry), a neighbour's new MAC, a device
 * bound with SO_BINDTODEVICE; a TCP retransmission follows a new route;
 * netfilter's OUTPUT DNAT still reroutes a datagram of a cached flow.
 * IPv6 (ip6_route_output_sk): a UDPv6 flow follows a new route; a PMTU
 * invalidates. */
#include <errno.h>
#include <string.h>

#include "ipv4_testutil.h"
#include "socktest.h"
#include "ipv4/fib.h"
#include "core/proc.h"
#include "ipv4/netns_ipv4.h"
#include "ipv6/fib6.h"
#include "ipv6/ipv6.h"
#include "ipv6/netns_ipv6.h"
#include "netfilter/nf_tables.h"
#include "nstack/socket.h"

#define SEC 1000000000ULL
#define US IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)
#define US2 IP4(10, 1, 0, 1)
#define PEER2 IP4(10, 1, 0, 2)
#define DEST IP4(198, 19, 5, 7)		/* off-link: through a gateway */

struct fx {
	struct test_stack *ts;
	struct ns_stack *s;
	struct capdev *c, *c2;
	int fd;
};

static void drain(struct fx *f)
{
	while (cap_next(f->c))
		;
	while (cap_next(f->c2))
		;
}

static int route_via(struct fx *f, bool add, uint32_t dst, uint8_t len, uint32_t gw,
		     struct capdev *c)
{
	struct fib_route r = { .dst = dst, .dst_len = len, .type = RTN_UNICAST,
			       .scope = RT_SCOPE_UNIVERSE, .gateway = gw, .oif = c->dev->ifindex };

	if (add)
		return fib_table_insert(f->s->ipv4->fib_main, &r, NLM_F_CREATE | NLM_F_EXCL);
	return fib_table_delete(f->s->ipv4->fib_main, &r);
}

/* eth0 10.0.0.1/24 (default route via 10.0.0.2), eth1 10.1.0.1/24; a UDP
 * socket connected to DEST (through eth0). */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sockaddr_in d = sin_of(DEST, 9);

	f->ts = test_stack_new("a", 1);
	f->s = f->ts->stack;
	f->c = capdev_new(f->ts, "eth0", MAC_US);
	f->c2 = capdev_new(f->ts, "eth1", MAC_US2);
	assert_int_equal(inet_addr_add(f->c->dev, US, 24, NULL), 0);
	assert_int_equal(inet_addr_add(f->c2->dev, US2, 24, NULL), 0);
	assert_int_equal(arp_neigh_add(f->c->dev, PEER, MAC_PEER, NUD_PERMANENT), 0);
	assert_int_equal(arp_neigh_add(f->c2->dev, PEER2, MAC_PEER2, NUD_PERMANENT), 0);
	assert_int_equal(route_via(f, true, 0, 0, PEER, f->c), 0);
	test_stack_settle(f->ts);
	drain(f);
	f->fd = ns_socket(f->s, AF_INET, SOCK_DGRAM, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(ns_connect(f->s, f->fd, (struct sockaddr *)&d, sizeof(d)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ns_close(f->s, f->fd);
	test_stack_free(f->ts);
	free(f);
	return 0;
}

/* Send len bytes on the socket; the frame that left on c (NULL: none). */
static struct cap_frame *send_on(struct fx *f, struct capdev *c, size_t len, int want)
{
	static char buf[1500];

	assert_int_equal(ns_send(f->s, f->fd, buf, len, 0), want);
	test_stack_settle(f->ts);
	return cap_next(c);
}

static void expect_ip_frame(const struct cap_frame *fr, const uint8_t *dmac, uint32_t saddr)
{
	assert_non_null(fr);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_IP);
	assert_memory_equal(fr->data, dmac, 6);
	assert_int_equal(get_be32(fr->data + 14 + 12), saddr);
	assert_int_equal(get_be32(fr->data + 14 + 16), DEST);
}

/* The cache is used: the second datagram costs no lookup. */
static void test_cache_hit(void **state)
{
	struct fx *f = *state;
	struct netns_ipv4 *ip = f->s->ipv4;
	uint64_t slow, hit;

	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	slow = ip->rt_out_slow;
	hit = ip->rt_out_hit;
	for (int i = 0; i < 5; i++)
		expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(ip->rt_out_slow, slow);
	assert_int_equal(ip->rt_out_hit, hit + 5);
	/* a change anywhere (an unrelated route) costs one lookup, then hits */
	assert_int_equal(route_via(f, true, IP4(203, 0, 113, 0), 24, PEER2, f->c2), 0);
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(ip->rt_out_slow, slow + 1);
	assert_int_equal(ip->rt_out_hit, hit + 6);
}

/* A more specific route moves the flow; deleting it moves it back;
 * without any route the send fails as Linux's (ENETUNREACH). */
static void test_route_add_delete(void **state)
{
	struct fx *f = *state;

	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(route_via(f, true, IP4(198, 19, 5, 0), 24, PEER2, f->c2), 0);
	expect_ip_frame(send_on(f, f->c2, 10, 10), MAC_PEER2, US);
	assert_null(cap_next(f->c));
	assert_int_equal(route_via(f, false, IP4(198, 19, 5, 0), 24, PEER2, f->c2), 0);
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_null(cap_next(f->c2));
	assert_int_equal(route_via(f, false, 0, 0, PEER, f->c), 0);
	assert_null(send_on(f, f->c, 10, -1));
	assert_int_equal(errno, ENETUNREACH);
}

/* The socket's source address goes away: its datagrams are refused. */
static void test_address_removed(void **state)
{
	struct fx *f = *state;

	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	/* a second address on eth0 keeps the subnet (and the gateway) */
	assert_int_equal(inet_addr_add(f->c->dev, IP4(10, 0, 0, 9), 24, NULL), 0);
	test_stack_settle(f->ts);
	drain(f);	/* its gratuitous ARP */
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(inet_addr_del(f->c->dev, US, 24), 0);
	test_stack_settle(f->ts);
	drain(f);
	assert_null(send_on(f, f->c, 10, -1));
	assert_int_equal(errno, EINVAL);
}

/* The device of the cached route goes down: the next route takes over. */
static void test_device_down(void **state)
{
	struct fx *f = *state;

	assert_int_equal(route_via(f, true, IP4(198, 19, 5, 0), 24, PEER2, f->c2), 0);
	expect_ip_frame(send_on(f, f->c2, 10, 10), MAC_PEER2, US);
	assert_int_equal(dev_close(f->c2->dev), 0);
	test_stack_settle(f->ts);
	drain(f);
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_null(cap_next(f->c2));
	/* and the device MTU of the cached route shrinks */
	assert_int_equal(ns_dev_set_mtu(f->c->dev, 1000), 0);
	test_stack_settle(f->ts);
	drain(f);
	send_on(f, f->c, 1400, 1400);
	assert_int_equal(get_be16(f->c->frames[f->c->taken - 1].data + 14 + 6) & IP_MF, IP_MF);
}

/* A learned PMTU (ICMP frag-needed) applies to the next DF datagram and
 * stops applying when it expires. */
static void test_pmtu(void **state)
{
	struct fx *f = *state;
	int v = IP_PMTUDISC_DO;

	assert_int_equal(ns_setsockopt(f->s, f->fd, SOL_IP, IP_MTU_DISCOVER, &v, sizeof(v)), 0);
	expect_ip_frame(send_on(f, f->c, 1400, 1400), MAC_PEER, US);
	expect_ip_frame(send_on(f, f->c, 1400, 1400), MAC_PEER, US);
	ip_rt_update_pmtu(f->s, DEST, 1000);
	assert_null(send_on(f, f->c, 1400, -1));
	assert_int_equal(errno, EMSGSIZE);
	expect_ip_frame(send_on(f, f->c, 900, 900), MAC_PEER, US);
	test_stack_advance(f->ts, 601 * SEC, SEC);
	drain(f);
	expect_ip_frame(send_on(f, f->c, 1400, 1400), MAC_PEER, US);
}

/* The gateway's MAC changes; the neighbour is deleted and relearned. */
static void test_neigh_change(void **state)
{
	struct fx *f = *state;
	static const uint8_t mac_new[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct cap_frame *fr;

	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(arp_neigh_add(f->c->dev, PEER, mac_new, NUD_PERMANENT), 0);
	expect_ip_frame(send_on(f, f->c, 10, 10), mac_new, US);
	assert_int_equal(arp_neigh_del(f->c->dev, PEER), 0);
	fr = send_on(f, f->c, 10, 10);	/* waits for ARP */
	assert_non_null(fr);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_ARP);
	assert_int_equal(arp_neigh_add(f->c->dev, PEER, MAC_PEER, NUD_PERMANENT), 0);
	test_stack_settle(f->ts);
	expect_ip_frame(cap_next(f->c), MAC_PEER, US);	/* the queued one */
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
}

/* SO_BINDTODEVICE changes the flow: the next datagram leaves on eth1
 * (assumed on link, as Linux), and on eth0 again once unbound. */
static void test_bindtodevice(void **state)
{
	struct fx *f = *state;
	struct cap_frame *fr;

	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(ns_setsockopt(f->s, f->fd, SOL_SOCKET, SO_BINDTODEVICE, "eth1", 5), 0);
	fr = send_on(f, f->c2, 10, 10);
	assert_non_null(fr);
	assert_int_equal(get_be16(fr->data + 12), ETH_P_ARP);	/* who has DEST on eth1 */
	assert_null(cap_next(f->c));
	assert_int_equal(ns_setsockopt(f->s, f->fd, SOL_SOCKET, SO_BINDTODEVICE, "", 1), 0);
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
}

/* TCP: the SYN retransmitted after a route change follows the new route. */
static void test_tcp_follows_route(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in d = sin_of(DEST, 80);
	int t = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct cap_frame *fr;

	assert_true(t >= 0);
	assert_int_equal(ns_connect(f->s, t, (struct sockaddr *)&d, sizeof(d)), -1);
	assert_int_equal(errno, EINPROGRESS);
	test_stack_settle(f->ts);
	expect_ip_frame(cap_next(f->c), MAC_PEER, US);
	assert_int_equal(route_via(f, true, DEST, 32, PEER2, f->c2), 0);
	test_stack_advance(f->ts, 1100 * 1000000ULL, 10 * 1000000ULL);
	fr = cap_next(f->c2);
	expect_ip_frame(fr, MAC_PEER2, US);
	assert_int_equal(fr->data[14 + 9], IPPROTO_TCP);
	assert_null(cap_next(f->c));
	ns_close(f->s, t);
	test_stack_settle(f->ts);
}

/* A DNAT rule on OUTPUT sends the cached flow elsewhere: rerouted after
 * the hook (ip_route_me_harder), whatever the socket's cache says. */
static void test_output_dnat_reroutes(void **state)
{
	struct fx *f = *state;
	struct seq_buf out = { 0 };
	char err[256];
	struct cap_frame *fr;

	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	expect_ip_frame(send_on(f, f->c, 10, 10), MAC_PEER, US);
	assert_int_equal(nft_run(f->s,
				 "table ip nat {\n"
				 "  chain out { type nat hook output priority -100; policy accept;\n"
				 "    udp dport 9 dnat to 10.1.0.2:53\n"
				 "  }\n"
				 "}\n", NULL, &out, err, sizeof(err)), 0);
	free(out.buf);
	fr = send_on(f, f->c2, 10, 10);
	assert_non_null(fr);
	assert_memory_equal(fr->data, MAC_PEER2, 6);
	assert_int_equal(get_be32(fr->data + 14 + 16), PEER2);
	assert_null(cap_next(f->c));
}

/* IPv6: eth0 fd00::1/64 and eth1 fd00:1::1/64, ::/0 on link through
 * eth0; a UDPv6 socket bound to fd00::1 connected to fd00:9::7. What
 * leaves (the datagram or the neighbour solicitation for it) shows the
 * device chosen. */
static void test_ipv6_route_and_pmtu(void **state)
{
	struct test_stack *ts = test_stack_new("v6", 11);
	struct ns_stack *s = ts->stack;
	struct capdev *c, *c2;
	struct sockaddr_in6 src = { .sin6_family = AF_INET6 }, dst = { .sin6_family = AF_INET6,
								     .sin6_port = htons(9) };
	struct fib6_info dflt = { .type = RTN_UNICAST, .metric = 1024 }, host = dflt;
	struct netns_ipv6 *ip6 = s->ipv6;
	static char buf[1400];
	uint64_t slow;
	int fd;

	(void)state;
	test_stack_ipv6(ts);
	c = capdev_new(ts, "eth0", MAC_US);
	c2 = capdev_new(ts, "eth1", MAC_US2);
	inet_pton(AF_INET6, "fd00::1", &src.sin6_addr);
	inet_pton(AF_INET6, "fd00:9::7", &dst.sin6_addr);
	assert_int_equal(ipv6_addr_add(c->dev, (uint8_t *)&src.sin6_addr, 64, IFA_F_NODAD), 0);
	inet_pton(AF_INET6, "fd00:1::1", host.dst);
	assert_int_equal(ipv6_addr_add(c2->dev, host.dst, 64, IFA_F_NODAD), 0);
	dflt.ifindex = c->dev->ifindex;
	assert_int_equal(fib6_add(ip6->fib_main, &dflt), 0);
	test_stack_advance(ts, 3 * SEC, 10 * 1000000ULL);
	c->taken = c->count;
	c2->taken = c2->count;
	fd = ns_socket(s, AF_INET6, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(ns_bind(s, fd, (struct sockaddr *)&src, sizeof(src)), 0);
	assert_int_equal(ns_connect(s, fd, (struct sockaddr *)&dst, sizeof(dst)), 0);
	assert_int_equal(ns_send(s, fd, buf, 10, 0), 10);
	slow = ip6->rt6_out_slow;
	assert_int_equal(ns_send(s, fd, buf, 10, 0), 10);
	assert_int_equal(ns_send(s, fd, buf, 1400, 0), 1400);
	assert_int_equal(ip6->rt6_out_slow, slow);
	assert_true(ip6->rt6_out_hit >= 2);
	test_stack_settle(ts);
	assert_non_null(cap_next(c));
	assert_null(cap_next(c2));
	c->taken = c->count;
	/* a host route through eth1 */
	memcpy(host.dst, &dst.sin6_addr, 16);
	host.plen = 128;
	host.ifindex = c2->dev->ifindex;
	assert_int_equal(fib6_add(ip6->fib_main, &host), 0);
	assert_int_equal(ns_send(s, fd, buf, 10, 0), 10);
	test_stack_settle(ts);
	assert_non_null(cap_next(c2));
	assert_null(cap_next(c));
	/* a learned PMTU: looked up again once (the answer has the new MTU) */
	slow = ip6->rt6_out_slow;
	assert_int_equal(ns_send(s, fd, buf, 10, 0), 10);
	assert_int_equal(ip6->rt6_out_slow, slow);
	ip6_pmtu_update(s, (uint8_t *)&dst.sin6_addr, 1280);
	assert_int_equal(ns_send(s, fd, buf, 1400, 0), 1400);
	assert_int_equal(ns_send(s, fd, buf, 1400, 0), 1400);
	assert_int_equal(ip6->rt6_out_slow, slow + 1);
	ns_close(s, fd);
	test_stack_settle(ts);
	test_stack_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_add_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pmtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neigh_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bindtodevice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_follows_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_dnat_reroutes, setup, teardown),
		cmocka_unit_test(test_ipv6_route_and_pmtu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
