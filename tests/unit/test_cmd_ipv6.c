/* test_cmd_ipv6.c - the IPv6 halves of the ip commands: ip -6 addr
 * (flags, lifetimes, brief, JSON), add/del with nodad, ip -6 route
 * show/add/del (gateway, reject types, table local), ip -6 neigh
 * add/show/del, and the errors; ping to IPv6 addresses between two
 * stacks over a pipe in virtual time (replies, link-local with -I and
 * %DEV, ICMPv6 errors from a forwarding peer). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "nstack/cmd.h"

static const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x01 };

struct fixture {
	struct test_stack *ts;
	struct capdev *eth0;
	struct ns_out out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->ts = test_stack_new("cmd6", 12);
	test_stack_ipv6(f->ts);
	f->eth0 = capdev_new(f->ts, "eth0", mac0);
	ns_out_init(&f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ns_out_free(&f->out);
	test_stack_free(f->ts);
	free(f);
	return 0;
}

static const char *ok(struct fixture *f, const char *line)
{
	int rc;

	ns_out_reset(&f->out);
	rc = ns_exec(f->ts->stack, line, &f->out);
	if (rc)
		fail_msg("\"%s\" failed: %d %s", line, rc, f->out.err);
	return ns_out_text(&f->out);
}

static int bad(struct fixture *f, const char *line)
{
	ns_out_reset(&f->out);
	return ns_exec(f->ts->stack, line, &f->out);
}

static void test_addr(void **state)
{
	struct fixture *f = *state;
	const char *t;

	t = ok(f, "ip -6 addr show dev eth0");
	assert_non_null(strstr(t, "    inet6 fe80::ff:fe00:1/64 scope link tentative \n"
				  "       valid_lft forever preferred_lft forever\n"));
	test_stack_advance(f->ts, 3000000000ull, 10000000ull);
	ok(f, "ip addr add fd00::1/64 dev eth0 nodad");
	ok(f, "ip -6 addr add fd00:2::1/64 dev eth0");
	t = ok(f, "ip -6 addr show dev eth0");
	assert_non_null(strstr(t, "    inet6 fe80::ff:fe00:1/64 scope link \n"));
	assert_non_null(strstr(t, "    inet6 fd00::1/64 scope global nodad \n"));
	assert_non_null(strstr(t, "    inet6 fd00:2::1/64 scope global tentative \n"));
	t = ok(f, "ip -6 -br addr show dev eth0");
	assert_non_null(strstr(t, "fe80::ff:fe00:1/64 fd00::1/64 fd00:2::1/64 \n"));
	t = ok(f, "ip -6 -j addr show dev eth0");
	assert_non_null(strstr(t, "\"family\":\"inet6\",\"local\":\"fd00::1\",\"prefixlen\":64,"
				  "\"scope\":\"global\",\"nodad\":true"));
	/* -4 hides IPv6, plain shows both */
	t = ok(f, "ip -4 addr show");
	assert_null(strstr(t, "inet6"));
	/* the connected route came with the address */
	t = ok(f, "ip -6 route");
	assert_non_null(strstr(t, "fd00::/64 dev eth0 proto kernel metric 256 pref medium\n"));
	assert_non_null(strstr(t, "fe80::/64 dev eth0 proto kernel metric 256 pref medium\n"));
	assert_int_equal(bad(f, "ip addr add fd00::1/64 dev eth0"), -EEXIST);
	assert_int_equal(bad(f, "ip addr add fd00::zz/64 dev eth0"), -EINVAL);
	assert_int_equal(bad(f, "ip -6 addr add ff02::1/64 dev eth0"), -EINVAL);
	ok(f, "ip addr del fd00::1/64 dev eth0");
	assert_int_equal(bad(f, "ip addr del fd00::1/64 dev eth0"), -EADDRNOTAVAIL);
	t = ok(f, "ip -6 route");
	assert_null(strstr(t, "fd00::/64"));
	ok(f, "ip -6 addr flush dev eth0");
	t = ok(f, "ip -6 addr show dev eth0");
	assert_null(strstr(t, "inet6"));
}

static void test_route_and_neigh(void **state)
{
	struct fixture *f = *state;
	const char *t;

	test_stack_advance(f->ts, 3000000000ull, 10000000ull);
	ok(f, "ip addr add fd00::1/64 dev eth0 nodad");
	ok(f, "ip -6 route add fd00:9::/48 via fd00::fe");
	ok(f, "ip -6 route add unreachable fd00:bad::/64");
	ok(f, "ip route add default via fe80::1 dev eth0 metric 5");
	t = ok(f, "ip -6 route show");
	assert_non_null(strstr(t, "fd00:9::/48 via fd00::fe dev eth0 proto boot metric 1024 pref medium\n"));
	assert_non_null(strstr(t, "unreachable fd00:bad::/64 dev lo proto boot metric 1024 pref medium\n"));
	assert_non_null(strstr(t, "default via fe80::1 dev eth0 proto boot metric 5 pref medium\n"));
	t = ok(f, "ip -6 route show table local");
	assert_non_null(strstr(t, "local fd00::1 dev eth0 table local proto kernel metric 0 pref medium\n"));
	assert_non_null(strstr(t, "multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n"));
	t = ok(f, "ip -6 route get fd00:9::5");
	assert_string_equal(t, "fd00:9::5 from :: via fd00::fe dev eth0 proto boot src fd00::1 metric 1024 pref medium\n");
	t = ok(f, "ip route get fd00::77");
	assert_string_equal(t, "fd00::77 from :: dev eth0 proto kernel src fd00::1 metric 256 pref medium\n");
	assert_int_equal(bad(f, "ip -6 route get fd00:bad::1"), -ENETUNREACH);
	assert_int_equal(bad(f, "ip -6 route add fd00:9::/48 via fd00::fe"), -EEXIST);
	assert_int_equal(bad(f, "ip -6 route add fd00:8::/48 via fd00:7::1"), -ENETUNREACH);
	ok(f, "ip -6 route del fd00:9::/48");
	t = ok(f, "ip -6 route show");
	assert_null(strstr(t, "fd00:9::"));
	/* neighbours */
	ok(f, "ip -6 neigh add fd00::2 lladdr 02:00:00:00:00:02 dev eth0");
	t = ok(f, "ip -6 neigh show");
	assert_non_null(strstr(t, "fd00::2 dev eth0 lladdr 02:00:00:00:00:02 PERMANENT \n"));
	t = ok(f, "ip -4 neigh show");
	assert_null(strstr(t, "fd00::2"));
	assert_int_equal(bad(f, "ip -6 neigh add fd00::2 lladdr 02:00:00:00:00:02 dev eth0"), -EEXIST);
	ok(f, "ip neigh del fd00::2 dev eth0");
	t = ok(f, "ip -6 neigh show");
	assert_null(strstr(t, "fd00::2 "));
}

/* ---- ping: two stacks over a pipe, virtual time ---------------------------------------- */
struct pair {
	struct test_stack *a, *b;
	struct net_device *a0, *b0;
};

static void pair_run(struct pair *p, uint64_t ns)
{
	ns_vclock_advance(&p->a->clock, ns);
	ns_vclock_advance(&p->b->clock, ns);
	for (int i = 0; i < 1000; i++)
		if (!ns_stack_step(p->a->stack) + !ns_stack_step(p->b->stack) == 2 &&
		    !ns_stack_busy(p->a->stack) && !ns_stack_busy(p->b->stack))
			break;
}

static void pair_exec(struct test_stack *ts, const char *line)
{
	struct ns_out o;
	int rc;

	ns_out_init(&o);
	rc = ns_exec(ts->stack, line, &o);
	if (rc)
		fail_msg("\"%s\" failed: %d %s", line, rc, o.err);
	ns_out_free(&o);
}

static void pair_init(struct pair *p)
{
	p->a = test_stack_new("A", 31);
	p->b = test_stack_new("B", 32);
	test_stack_ipv6(p->a);
	test_stack_ipv6(p->b);
	assert_int_equal(ns_pipe_create(p->a->stack, "eth0", p->b->stack, "eth0", 0, &p->a0, &p->b0), 0);
	pair_exec(p->a, "ip link set eth0 address 02:00:00:00:00:01");
	pair_exec(p->b, "ip link set eth0 address 02:00:00:00:00:02");
	pair_exec(p->a, "ip link set eth0 up");
	pair_exec(p->b, "ip link set eth0 up");
	pair_exec(p->a, "ip addr add fd00::1/64 dev eth0 nodad");
	pair_exec(p->b, "ip addr add fd00::2/64 dev eth0 nodad");
	/* link-local DAD done */
	for (int i = 0; i < 300; i++)
		pair_run(p, 10000000);
}

static void pair_free(struct pair *p)
{
	pair_run(p, 0);
	test_stack_free(p->a);
	test_stack_free(p->b);
}

/* Run a ping on A to completion (bounded), returning rc; text in o. */
static int run_ping(struct pair *p, const char *line, struct ns_out *o, uint64_t step_ns)
{
	int rc;

	ns_out_reset(o);
	rc = ns_exec(p->a->stack, line, o);
	for (int i = 0; i < 100000 && rc == -EINPROGRESS; i++) {
		pair_run(p, step_ns);
		rc = ns_exec_job_poll(o->job, o);
	}
	assert_null(o->job);
	return rc;
}

static void text_contains(const char *t, const char *want)
{
	if (!strstr(t, want))
		fail_msg("missing \"%s\" in:\n%s", want, t);
}

static void test_ping6_pipe(void **state)
{
	struct pair p;
	struct ns_out o;
	int rc;

	(void)state;
	pair_init(&p);
	ns_out_init(&o);
	/* B answers 1.5 ms late (the first echo waits for neighbour discovery too) */
	pair_exec(p.b, "tc qdisc add dev eth0 root netem delay 1.5ms");
	rc = run_ping(&p, "ping -c 3 fd00::2", &o, 100000);
	assert_int_equal(rc, 0);
	assert_string_equal(ns_out_text(&o),
		"PING fd00::2 (fd00::2) 56 data bytes\n"
		"64 bytes from fd00::2: icmp_seq=1 ttl=64 time=3.10 ms\n"
		"64 bytes from fd00::2: icmp_seq=2 ttl=64 time=1.50 ms\n"
		"64 bytes from fd00::2: icmp_seq=3 ttl=64 time=1.50 ms\n"
		"\n--- fd00::2 ping statistics ---\n"
		"3 packets transmitted, 3 received, 0% packet loss, time 2002ms\n"
		"rtt min/avg/max/mdev = 1.500/2.033/3.100/0.755 ms\n");
	pair_exec(p.b, "tc qdisc del dev eth0 root");
	/* link-local: -I names the device, or the %zone does */
	rc = run_ping(&p, "ping -6 -c 1 -I eth0 fe80::ff:fe00:2", &o, 100000);
	assert_int_equal(rc, 0);
	text_contains(ns_out_text(&o), "PING fe80::ff:fe00:2 (fe80::ff:fe00:2) from fe80::ff:fe00:1 eth0: 56 data bytes\n"
				       "64 bytes from fe80::ff:fe00:2%eth0: icmp_seq=1 ttl=64 time=");
	rc = run_ping(&p, "ping -c 1 fe80::ff:fe00:2%eth0", &o, 100000);
	assert_int_equal(rc, 0);
	text_contains(ns_out_text(&o), "PING fe80::ff:fe00:2%eth0 (fe80::ff:fe00:2%eth0) 56 data bytes\n"
				       "64 bytes from fe80::ff:fe00:2%eth0: icmp_seq=1 ttl=64 time=");
	text_contains(ns_out_text(&o), "--- fe80::ff:fe00:2%eth0 ping statistics ---\n"
				       "1 packets transmitted, 1 received, 0% packet loss");
	/* fragmented both ways, quiet */
	rc = run_ping(&p, "ping -q -c 2 -s 3000 -i 0.2 fd00::2", &o, 1000000);
	assert_int_equal(rc, 0);
	text_contains(ns_out_text(&o), "PING fd00::2 (fd00::2) 3000 data bytes\n\n--- fd00::2 ping");
	text_contains(ns_out_text(&o), "2 packets transmitted, 2 received, 0% packet loss, time 200ms\n");
	/* don't fragment and too big: a local error */
	rc = run_ping(&p, "ping -c 1 -M do -s 1500 -W 1 fd00::2", &o, 1000000);
	assert_int_equal(rc, -ETIMEDOUT);
	text_contains(ns_out_text(&o), "ping: local error: message too long, mtu=1500\n");
	text_contains(ns_out_text(&o), "1 packets transmitted, 0 received, +1 errors, 100% packet loss");
	/* parse and route errors (before B, a router, advertises a default) */
	assert_int_equal(run_ping(&p, "ping fd00::zz", &o, 0), -EINVAL);
	assert_int_equal(run_ping(&p, "ping -4 fd00::2", &o, 0), -EINVAL);
	assert_int_equal(run_ping(&p, "ping -6 198.18.0.1", &o, 0), -EINVAL);
	assert_int_equal(run_ping(&p, "ping fe80::1%nope", &o, 0), -EINVAL);
	assert_int_equal(run_ping(&p, "ping -I nope fd00::2", &o, 0), -ENODEV);
	assert_int_equal(run_ping(&p, "ping fd00:77::1", &o, 0), -ENETUNREACH);
	text_contains(o.err, "connect: Network is unreachable");
	/* B forwards and routes fd00:9::/64 to nowhere: ICMPv6 errors come back */
	pair_exec(p.b, "sysctl -w net.ipv6.conf.all.forwarding=1");
	pair_exec(p.b, "ip -6 route add unreachable fd00:9::/64");
	pair_exec(p.a, "ip -6 route add fd00:9::/64 via fd00::2");
	rc = run_ping(&p, "ping -c 1 -W 1 fd00:9::1", &o, 1000000);
	assert_int_equal(rc, -ETIMEDOUT);
	assert_string_equal(ns_out_text(&o),
		"PING fd00:9::1 (fd00:9::1) 56 data bytes\n"
		"From fd00::2 icmp_seq=1 Destination unreachable: No route\n"
		"\n--- fd00:9::1 ping statistics ---\n"
		"1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 1ms\n");
	/* a route back to A: a hop limit of 1 runs out at B */
	pair_exec(p.b, "ip -6 route add fd00:8::/64 via fd00::1");
	pair_exec(p.a, "ip -6 route add fd00:8::/64 via fd00::2");
	rc = run_ping(&p, "ping -c 1 -t 1 -W 1 fd00:8::1", &o, 1000000);
	assert_int_equal(rc, -ETIMEDOUT);
	text_contains(ns_out_text(&o), "From fd00::2 icmp_seq=1 Time exceeded: Hop limit\n");
	/* nobody there */
	rc = run_ping(&p, "ping -c 2 -i 0.5 -W 1 fd00::9", &o, 10000000);
	assert_int_equal(rc, -ETIMEDOUT);
	text_contains(ns_out_text(&o), "2 packets transmitted, 0 received, 100% packet loss, time 1500ms\n");
	ns_out_free(&o);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_addr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_and_neigh, setup, teardown),
		cmocka_unit_test(test_ping6_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
