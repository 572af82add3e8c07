/* test_tcp_cubic.c - CUBIC (RFC 9438) as the default congestion control:
 * the sysctls and TCP_CONGESTION, the window curve after a loss against
 * W_cubic(t) = C (t - K)^3 + W_max, the TCP-friendly region, fast
 * convergence, and HyStart leaving slow start on an ACK train. */
#include <math.h>

#include "tcp_testutil.h"

static struct tcp_sock *last_tcp_sock(struct ns_stack *s)
{
	return container_of(s->tcp->all.prev, struct tcp_sock, all_node);
}

static char *sysctl_read(struct ns_stack *s, const char *path)
{
	char *t = ns_proc_read(s, path, NULL);

	assert_non_null(t);
	return t;
}

/* net.ipv4.tcp_congestion_control (default cubic), the available list,
 * TCP_CONGESTION per socket. */
static void test_cubic_default_and_sockopt(void **state)
{
	struct tfx f;
	char name[16];
	socklen_t l = sizeof(name);
	char *t;
	int fd, fd2;

	(void)state;
	tfx_init(&f);
	t = sysctl_read(f.s, "/proc/sys/net/ipv4/tcp_congestion_control");
	assert_string_equal(t, "cubic\n");
	free(t);
	t = sysctl_read(f.s, "/proc/sys/net/ipv4/tcp_available_congestion_control");
	assert_string_equal(t, "cubic reno\n");
	free(t);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM, 0);
	assert_int_equal(ns_getsockopt(f.s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &l), 0);
	assert_string_equal(name, "cubic");
	assert_int_equal(ns_setsockopt(f.s, fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), 0);
	l = sizeof(name);
	assert_int_equal(ns_getsockopt(f.s, fd, IPPROTO_TCP, TCP_CONGESTION, name, &l), 0);
	assert_string_equal(name, "reno");
	assert_int_equal(ns_setsockopt(f.s, fd, IPPROTO_TCP, TCP_CONGESTION, "vegas", 5), -1);
	assert_int_equal(errno, ENOENT);
	assert_true(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_congestion_control", "bbr") < 0);
	assert_int_equal(ns_proc_write(f.s, "/proc/sys/net/ipv4/tcp_congestion_control", "reno"), 0);
	fd2 = ns_socket(f.s, AF_INET, SOCK_STREAM, 0);
	l = sizeof(name);
	assert_int_equal(ns_getsockopt(f.s, fd2, IPPROTO_TCP, TCP_CONGESTION, name, &l), 0);
	assert_string_equal(name, "reno");
	ns_close(f.s, fd);
	ns_close(f.s, fd2);
	test_stack_free(f.ts);
}

/* Drive one congestion-avoidance RTT of a bulk sender (each flight fills
 * cwnd: tcp_is_cwnd_limited): cwnd ACKs of one segment. */
static void one_rtt(struct tfx *f, struct tcp_sock *tp, uint64_t rtt)
{
	uint32_t n = tp->snd_cwnd;

	tp->is_cwnd_limited = true;

	f->ts->clock.now += rtt;
	for (uint32_t i = 0; i < n; i++)
		tp->ca_ops->cong_avoid(tp, tp->snd_una, 1);
}

/* RFC 9438 4.2: after a loss at W_max = 100 the window follows
 * W_cubic(t) = 0.4 (t - K)^3 + 100, K = cbrt(100 * 0.3 / 0.4) = 4.22 s;
 * Linux (and we) aim at W_cubic(t + RTT). Sampled each second up to 7 s,
 * within 5% or 3 segments. */
static void test_cubic_curve(void **state)
{
	struct tfx f;
	struct tcp_sock *tp;
	const double C = 0.4, wmax = 100, rtt = 0.1;
	double K = cbrt(wmax * (1 - 0.7) / C);
	int fd;

	(void)state;
	tfx_init(&f);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM, 0);
	tp = last_tcp_sock(f.s);
	assert_string_equal(tp->ca_ops->name, "cubic");
	tp->ca_ops->init(tp);
	tp->ca_ops->pkts_acked(tp, 1, 100000);	/* min RTT 100 ms */
	tp->snd_cwnd = 100;
	/* RFC 9438 4.6: beta 0.7 */
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	assert_int_equal(tp->snd_ssthresh, 70);	/* 100 * 717 / 1024 */
	tp->snd_cwnd = tp->snd_ssthresh;
	for (int sec = 1; sec <= 7; sec++) {
		double w;

		for (int r = 0; r < 10; r++)
			one_rtt(&f, tp, 100 * MS);
		w = C * pow(sec + rtt - K, 3) + wmax;
		print_message("t=%d s cwnd %u W_cubic(t+RTT) %.1f\n", sec, tp->snd_cwnd, w);
		assert_true(fabs(tp->snd_cwnd - w) <= fmax(3.0, 0.05 * w));
	}
	/* RFC 9438 4.7 fast convergence: a loss below the old W_max lowers
	 * W_max to cwnd (1 + beta) / 2 */
	tp->snd_cwnd = 90;
	tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = 120;
	assert_int_equal(tp->ca_ops->ssthresh(tp), 120 * 717 / 1024);
	ns_close(f.s, fd);
	test_stack_free(f.ts);
}

/* RFC 9438 4.3: with a short RTT and small W_max the Reno-friendly
 * estimate leads: cwnd grows at least like AIMD with alpha 0.53. */
static void test_cubic_friendly_region(void **state)
{
	struct tfx f;
	struct tcp_sock *tp;
	int fd;

	(void)state;
	tfx_init(&f);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM, 0);
	tp = last_tcp_sock(f.s);
	tp->ca_ops->init(tp);
	tp->ca_ops->pkts_acked(tp, 1, 1000);	/* 1 ms */
	tp->snd_cwnd = 20;
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh;
	/* 200 RTTs of 1 ms: cubic alone, K = 2.47 s away, would barely move */
	for (int r = 0; r < 200; r++)
		one_rtt(&f, tp, MS);
	/* W_est = 14 + 0.53 * 200 = 120 */
	print_message("friendly: cwnd %u after 200 RTTs\n", tp->snd_cwnd);
	assert_true(tp->snd_cwnd >= 100 && tp->snd_cwnd <= 140);
	ns_close(f.s, fd);
	test_stack_free(f.ts);
}

/* HyStart's ACK train: in slow start at cwnd >= 16, ACKs spaced < 2 ms
 * spanning more than min_RTT / 2 end slow start (ssthresh = cwnd). */
static void test_hystart_ack_train(void **state)
{
	struct tfx f;
	struct tcp_sock *tp;
	int fd;

	(void)state;
	tfx_init(&f);
	fd = ns_socket(f.s, AF_INET, SOCK_STREAM, 0);
	tp = last_tcp_sock(f.s);
	tp->ca_ops->init(tp);
	tp->snd_cwnd = 32;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_una = 1000;
	tp->snd_nxt = 1000 + 32 * 1448;
	tp->ca_ops->init(tp);	/* round ends at snd_nxt */
	for (int i = 0; i < 40 && tp->snd_ssthresh == TCP_INFINITE_SSTHRESH; i++) {
		f.ts->clock.now += MS;	/* ACKs 1 ms apart, min RTT 20 ms */
		tp->ca_ops->pkts_acked(tp, 1, 20000);
	}
	assert_int_equal(tp->snd_ssthresh, 32);
	ns_close(f.s, fd);
	test_stack_free(f.ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cubic_default_and_sockopt),
		cmocka_unit_test(test_cubic_curve),
		cmocka_unit_test(test_cubic_friendly_region),
		cmocka_unit_test(test_hystart_ack_train),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
