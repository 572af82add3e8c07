/* test_xdp.c - open-time failure edges of the AF_XDP driver (af_xdp.c):
 * bad arguments, a missing interface, a non-Ethernet one and no
 * privileges all fail cleanly with nothing registered or watched. It never
 * attaches a program: the working path needs a veth pair and is covered by
 * tests/integration/test_xdp.sh. Without libxdp every open says
 * EOPNOTSUPP. */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static void assert_nothing_left(struct test_stack *ts, unsigned int devs)
{
	assert_int_equal(ts->stack->dev_count, devs);
	assert_int_equal(ts->stack->poll_fds, 0);
}

#ifdef NSTACK_HAVE_XDP
static void test_bad_arguments(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	unsigned int devs = ts->stack->dev_count;
	struct ns_xdp_config cfg = { .frame_size = 1000 };

	(void)state;
	errno = 0;
	assert_null(ns_xdp_open(ts->stack, NULL, "eth0", NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(ns_xdp_open(ts->stack, "a-name-far-too-long-for-linux", "eth0", NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(ns_xdp_open(ts->stack, "lo", "eth0", &cfg));	/* not 2048/4096 */
	assert_int_equal(errno, EINVAL);
	cfg = (struct ns_xdp_config){ .frame_count = 10 };	/* rings too small */
	assert_null(ns_xdp_open(ts->stack, "lo", "eth0", &cfg));
	assert_int_equal(errno, EINVAL);
	cfg = (struct ns_xdp_config){ .attach = (enum ns_xdp_attach)7 };
	assert_null(ns_xdp_open(ts->stack, "lo", "eth0", &cfg));
	assert_int_equal(errno, EINVAL);
	assert_null(ns_xdp_open(ts->stack, "nst-no-such-if", "eth0", NULL));
	assert_int_equal(errno, ENODEV);
	assert_nothing_left(ts, devs);
	test_stack_free(ts);
}

/* lo is not Ethernet: refused after the UMEM was set up (as root), or at
 * the AF_XDP socket (without CAP_NET_RAW). Either way all is undone. */
static void test_not_ethernet(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	unsigned int devs = ts->stack->dev_count;

	(void)state;
	errno = 0;
	assert_null(ns_xdp_open(ts->stack, "lo", "eth0", NULL));
	assert_true(errno == EPROTONOSUPPORT || errno == EPERM);
	assert_nothing_left(ts, devs);
	test_stack_free(ts);
}

/* Without privileges the AF_XDP socket is refused: run as nobody in a child
 * (root runs the suite; an unprivileged run is this case already). */
static void test_no_privileges(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	unsigned int devs = ts->stack->dev_count;
	int status = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(2);
		errno = 0;
		if (ns_xdp_open(ts->stack, "lo", "eth0", NULL))
			_exit(3);
		if (errno != EPERM && errno != EACCES)
			_exit(4);
		_exit(ts->stack->dev_count == devs && ts->stack->poll_fds == 0 ? 0 : 5);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_nothing_left(ts, devs);
	test_stack_free(ts);
}
#else
static void test_built_without(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	unsigned int devs = ts->stack->dev_count;

	(void)state;
	errno = 0;
	assert_null(ns_xdp_open(ts->stack, "lo", "eth0", NULL));
	assert_int_equal(errno, EOPNOTSUPP);
	assert_nothing_left(ts, devs);
	test_stack_free(ts);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef NSTACK_HAVE_XDP
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_not_ethernet),
		cmocka_unit_test(test_no_privileges),
#else
		cmocka_unit_test(test_built_without),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
