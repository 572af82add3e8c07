/* test_drivers.c - failure edges of the Linux-facing drivers (tap.c,
 * af_packet.c) that need no privileges and create no interface; the
 * working paths are covered against the kernel by
 * tests/integration/test_tap.sh. */
#include <errno.h>

#include "testlib.h"

static void test_open_errors(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	unsigned int devs = ts->stack->dev_count;

	(void)state;
	errno = 0;
	assert_null(ns_tap_open(ts->stack, "a-name-far-too-long-for-linux", "eth0"));
	assert_int_equal(errno, EINVAL);
	assert_null(ns_tun_open(ts->stack, "a-name-far-too-long-for-linux", "eth0"));
	assert_int_equal(errno, EINVAL);
	assert_null(ns_packet_open(ts->stack, NULL, "eth0"));
	assert_int_equal(errno, EINVAL);
	assert_null(ns_packet_open(ts->stack, "nst-no-such-if", "eth0"));
	assert_int_equal(errno, ENODEV);
	/* lo is not Ethernet (or the socket needs CAP_NET_RAW) */
	assert_null(ns_packet_open(ts->stack, "lo", "eth0"));
	assert_true(errno == EPROTONOSUPPORT || errno == EPERM);
	assert_int_equal(ts->stack->dev_count, devs);	/* nothing half-registered */
	assert_int_equal(ts->stack->poll_fds, 0);
	test_stack_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
