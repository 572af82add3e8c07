/* test_cmd_ipv6.c - the IPv6 halves of the ip commands: ip -6 addr
 * (flags, lifetimes, brief, JSON), add/del with nodad, ip -6 route
 * show/add/del (gateway, reject types, table local), ip -6 neigh
 * add/show/del, and the errors. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_addr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_and_neigh, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
