/* test_socket_threads.c - blocking calls from application threads while
 * the stack runs its loop in its own thread (docs/threads.md): a blocking
 * recv woken by a datagram the loop thread delivers, SO_RCVTIMEO, blocking
 * sends waiting for buffer space, epoll_wait and poll woken from the loop,
 * close waking a blocked reader. Real clock; the test transport (tproto.h)
 * delivers after a delay from a timer, i.e. from the loop thread. Build with
 * -DNSTACK_TSAN=ON to run it under ThreadSanitizer. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "tproto.h"
#include "nstack/socket.h"

struct tfx {
	struct ns_stack *s;
	struct tp_state *tp;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
	struct tfx *f = calloc(1, sizeof(*f));
	struct ns_stack_config cfg = { .name = "thr", .seed = 7 };

	f->s = ns_stack_create(&cfg);
	assert_non_null(f->s);
	sock_net_lock(f->s);
	f->tp = tp_attach(f->s);
	sock_net_unlock(f->s);
	assert_int_equal(ns_stack_start_thread(f->s), 0);
	assert_int_equal(ns_stack_start_thread(f->s), -EBUSY);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct tfx *f = *state;
	const struct skb_pool_stats *st;

	for (int fd = 0; fd < 64; fd++)
		ns_close(f->s, fd);
	assert_int_equal(ns_stack_stop_thread(f->s), 0);
	assert_int_equal(ns_stack_stop_thread(f->s), -ESRCH);
	sock_net_lock(f->s);
	tp_detach(f->tp);
	sock_net_unlock(f->s);
	st = skb_pool_stats(f->s->skb_pool);
	assert_int_equal(st->in_use, 0);
	assert_int_equal(f->s->sock->nr_socks, 0);
	ns_stack_destroy(f->s);
	free(f);
	return 0;
}

static int bound(struct tfx *f, uint16_t port)
{
	int fd = ns_socket(f->s, AF_INET, SOCK_DGRAM, TPROTO);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	assert_true(fd >= 0);
	assert_int_equal(ns_bind(f->s, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static ssize_t send_to(struct tfx *f, int fd, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return ns_sendto(f->s, fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
}

struct reader {
	struct tfx *f;
	int fd;
	ssize_t rc;
	int err;
	char buf[64];
	uint64_t woke_ms;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	r->rc = ns_recv(r->f->s, r->fd, r->buf, sizeof(r->buf), 0);
	r->err = errno;
	r->woke_ms = now_ms();
	return NULL;
}

static void test_blocking_recv_woken_by_loop_thread(void **state)
{
	struct tfx *f = *state;
	struct reader r = { .f = f };
	int a = bound(f, 9001);
	pthread_t th;
	uint64_t t0;

	r.fd = bound(f, 9002);
	f->tp->delay_ns = 30 * 1000000ULL;	/* delivered by a timer, in the loop */
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	usleep(10000);
	t0 = now_ms();
	assert_int_equal(send_to(f, a, 9002, "ping", 4), 4);
	pthread_join(th, NULL);
	assert_int_equal(r.rc, 4);
	assert_memory_equal(r.buf, "ping", 4);
	assert_true(r.woke_ms - t0 >= 29);
	assert_true(r.woke_ms - t0 < 10000);	/* generous: a loaded sanitizer run is slow */
}

static void test_rcvtimeo_expires_with_eagain(void **state)
{
	struct tfx *f = *state;
	int b = bound(f, 9101);
	struct timeval tv = { 0, 50000 };
	char c;
	uint64_t t0, dt;

	assert_int_equal(ns_setsockopt(f->s, b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	t0 = now_ms();
	errno = 0;
	assert_int_equal(ns_recv(f->s, b, &c, 1, 0), -1);
	dt = now_ms() - t0;
	assert_int_equal(errno, EAGAIN);
	assert_true(dt >= 50);
	assert_true(dt < 10000);	/* generous: a loaded sanitizer run is slow */
}

static void test_close_wakes_blocked_reader(void **state)
{
	struct tfx *f = *state;
	struct reader r = { .f = f };
	pthread_t th;

	r.fd = bound(f, 9201);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	usleep(20000);
	assert_int_equal(ns_close(f->s, r.fd), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err, EBADF);
}

/* Four senders with a tiny send buffer block for space (freed by the loop
 * thread's deliveries); one receiver sleeps in epoll_wait. */
#define SENDERS 4
#define PER_SENDER 150

struct sender {
	struct tfx *f;
	int fd;
	int sent;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	char buf[200];

	memset(buf, s->fd, sizeof(buf));
	for (int i = 0; i < PER_SENDER; i++)
		if (send_to(s->f, s->fd, 9300, buf, sizeof(buf)) == sizeof(buf))
			s->sent++;
	return NULL;
}

struct ep_reader {
	struct tfx *f;
	int fd, ep;
	int got;
};

static void *ep_reader_main(void *arg)
{
	struct ep_reader *r = arg;
	struct epoll_event ev;
	char buf[256];

	while (r->got < SENDERS * PER_SENDER) {
		int n = ns_epoll_wait(r->f->s, r->ep, &ev, 1, 2000);

		if (n <= 0)
			break;
		while (ns_recv(r->f->s, r->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			r->got++;
	}
	return NULL;
}

static void test_many_threads_block_on_send_and_epoll(void **state)
{
	struct tfx *f = *state;
	struct sender s[SENDERS];
	struct ep_reader r = { .f = f };
	pthread_t ts[SENDERS], tr;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int big = 1 << 24, small = 0;

	f->tp->delay_ns = 200000;	/* 0.2 ms */
	r.fd = bound(f, 9300);
	r.ep = ns_epoll_create1(f->s, 0);
	assert_int_equal(ns_setsockopt(f->s, r.fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)), 0);
	assert_int_equal(ns_epoll_ctl(f->s, r.ep, EPOLL_CTL_ADD, r.fd, &ev), 0);
	for (int i = 0; i < SENDERS; i++) {
		s[i].f = f;
		s[i].sent = 0;
		s[i].fd = bound(f, (uint16_t)(9310 + i));
		assert_int_equal(ns_setsockopt(f->s, s[i].fd, SOL_SOCKET, SO_SNDBUF, &small,
					       sizeof(small)), 0);
	}
	assert_int_equal(pthread_create(&tr, NULL, ep_reader_main, &r), 0);
	for (int i = 0; i < SENDERS; i++)
		assert_int_equal(pthread_create(&ts[i], NULL, sender_main, &s[i]), 0);
	for (int i = 0; i < SENDERS; i++) {
		pthread_join(ts[i], NULL);
		assert_int_equal(s[i].sent, PER_SENDER);
	}
	pthread_join(tr, NULL);
	assert_int_equal(r.got, SENDERS * PER_SENDER);
}

static void test_poll_woken_from_loop(void **state)
{
	struct tfx *f = *state;
	int a = bound(f, 9401), b = bound(f, 9402);
	struct pollfd p = { .fd = b, .events = POLLIN };
	uint64_t t0 = now_ms();

	f->tp->delay_ns = 20 * 1000000ULL;
	assert_int_equal(send_to(f, a, 9402, "x", 1), 1);
	assert_int_equal(ns_poll(f->s, &p, 1, 5000), 1);
	assert_int_equal(p.revents, POLLIN);
	assert_true(now_ms() - t0 >= 19);
	assert_true(now_ms() - t0 < 10000);	/* generous: a loaded sanitizer run is slow */
	p.fd = a;
	t0 = now_ms();
	assert_int_equal(ns_poll(f->s, &p, 1, 30), 0);	/* times out */
	assert_true(now_ms() - t0 >= 30);
}

/* single_thread: no loop thread may start, calls never take the mutex
 * (it stays free for another thread to grab), UDP still flows on lo */
static void test_single_thread_stack(void **state)
{
	struct ns_stack *s;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9),
				 .sin_addr.s_addr = htonl(0x7f000001) };
	char buf[8];
	int fd;

	(void)state;
	s = ns_stack_create(&(struct ns_stack_config){ .name = "st", .seed = 5, .single_thread = true });
	assert_non_null(s);
	assert_int_equal(ns_stack_start_thread(s), -EINVAL);
	fd = ns_socket(s, AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(ns_bind(s, fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ns_stack_lock(s);	/* a no-op: the mutex itself stays free */
	assert_int_equal(pthread_mutex_trylock(&s->sock->lock), 0);
	pthread_mutex_unlock(&s->sock->lock);
	ns_stack_unlock(s);
	assert_int_equal(ns_sendto(s, fd, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)), 4);
	for (int i = 0; i < 10; i++)
		ns_stack_step(s);
	assert_int_equal(ns_recv(s, fd, buf, sizeof(buf), MSG_DONTWAIT), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(ns_close(s, fd), 0);
	ns_stack_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_blocking_recv_woken_by_loop_thread),
		T(test_rcvtimeo_expires_with_eagain),
		T(test_close_wakes_blocked_reader),
		T(test_many_threads_block_on_send_and_epoll),
		T(test_poll_woken_from_loop),
		cmocka_unit_test(test_single_thread_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
