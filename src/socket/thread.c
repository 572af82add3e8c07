/* thread.c - the stack lock, sleeping API calls and the optional loop thread
 * (docs/threads.md). One mutex per stack is taken by every API call and by
 * the loop thread around each round of ns_stack_run_once; the loop thread
 * releases it while it sleeps in poll() on the drivers' epoll fd and a wakeup
 * eventfd. A call that must wait sleeps on the stack's condition variable;
 * the default socket callbacks (sock_def_wakeup) broadcast it. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/proc.h"
#include "nstack/socket.h"
#include "socket/sock.h"

static unsigned long self_id(void)
{
	return (unsigned long)pthread_self();
}

uint64_t sock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sock_net_lock_mt(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;

	if (stack->single_thread || atomic_load(&ss->owner) == self_id()) {
		ss->depth++;
		return;
	}
	pthread_mutex_lock(&ss->lock);
	atomic_store(&ss->owner, self_id());
	ss->depth = 1;
}

void sock_net_unlock_mt(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;

	if (--ss->depth == 0 && !stack->single_thread) {
		atomic_store(&ss->owner, 0);
		pthread_mutex_unlock(&ss->lock);
	}
}

bool sock_net_may_sleep(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;

	return ss->depth == 1 && atomic_load(&ss->loop_tid) != self_id();
}

/* Called with the lock held. The eventfd is written only when the loop
 * thread sleeps (or is about to: the flag is set under the lock before it
 * polls, and an eventfd stays readable), and once per sleep: a busy loop
 * costs its callers no write(2) per call. */
void sock_net_kick_mt(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;
	uint64_t one = 1;

	if (ss->loop_sleeping && atomic_load(&ss->loop_tid) != self_id()) {
		ss->loop_sleeping = false;
		(void)!write(ss->wake_fd, &one, sizeof(one));
	}
}

/* Without a loop thread the caller drives the loop itself. */
static bool wait_driving_loop(struct ns_stack *stack, uint64_t deadline)
{
	int ms = 100;

	if (stack->clock->is_virtual)
		return ns_stack_step(stack) > 0 || ns_stack_busy(stack);
	if (deadline) {
		uint64_t now = sock_mono_ns();

		if (now >= deadline)
			return false;
		if ((deadline - now + 999999) / 1000000 < (uint64_t)ms)
			ms = (int)((deadline - now + 999999) / 1000000);
	}
	ns_stack_run_once(stack, ms);
	return true;
}

bool sock_net_wait(struct ns_stack *stack, uint64_t deadline)
{
	struct netns_sock *ss = stack->sock;
	int depth = ss->depth;

	if (!ss->thread_running)
		return wait_driving_loop(stack, deadline);
	ss->waiters++;
	atomic_store(&ss->owner, 0);
	if (deadline) {
		struct timespec ts = { .tv_sec = (time_t)(deadline / 1000000000ULL),
				       .tv_nsec = (long)(deadline % 1000000000ULL) };

		pthread_cond_timedwait(&ss->cond, &ss->lock, &ts);
	} else {
		pthread_cond_wait(&ss->cond, &ss->lock);
	}
	atomic_store(&ss->owner, self_id());
	ss->depth = depth;
	ss->waiters--;
	return !deadline || sock_mono_ns() < deadline;
}

/* ---- the loop thread ----------------------------------------------------------------- */
static int loop_sleep_ms(struct ns_stack *stack)
{
	uint64_t next, now;

	if (ns_stack_busy(stack))
		return 0;
	next = ns_stack_next_timer(stack);
	if (next == UINT64_MAX)
		return 1000;
	now = ns_now(stack);
	if (next <= now)
		return 0;
	return (int)NS_MIN((next - now + 999999) / 1000000, 1000);
}

static void *loop_main(void *arg)
{
	struct ns_stack *stack = arg;
	struct netns_sock *ss = stack->sock;
	uint64_t junk;

	sock_net_lock(stack);
	atomic_store(&ss->loop_tid, self_id());
	while (!atomic_load(&ss->stop)) {
		int ms;

		ns_stack_run_once(stack, 0);
		ms = loop_sleep_ms(stack);
		if (ms) {
			struct pollfd p[2] = { { .fd = ns_stack_fd(stack), .events = POLLIN },
					       { .fd = ss->wake_fd, .events = POLLIN } };

			ss->loop_sleeping = true;
			sock_net_unlock(stack);
			poll(p, 2, ms);
			if (p[1].revents & POLLIN)
				(void)!read(ss->wake_fd, &junk, sizeof(junk));
			sock_net_lock(stack);
			ss->loop_sleeping = false;
		}
	}
	atomic_store(&ss->loop_tid, 0);
	sock_net_unlock(stack);
	return NULL;
}

int ns_stack_start_thread(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;
	int rc;

	if (stack->single_thread)
		return -EINVAL;	/* promised: no thread but the caller's */
	sock_net_lock(stack);
	if (ss->thread_running) {
		sock_net_unlock(stack);
		return -EBUSY;
	}
	atomic_store(&ss->stop, false);
	rc = pthread_create(&ss->loop_thread, NULL, loop_main, stack);
	if (!rc)
		ss->thread_running = true;
	sock_net_unlock(stack);
	return -rc;
}

int ns_stack_stop_thread(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;
	uint64_t one = 1;

	sock_net_lock(stack);
	if (!ss->thread_running || atomic_load(&ss->loop_tid) == self_id()) {
		int rc = ss->thread_running ? -EDEADLK : -ESRCH;

		sock_net_unlock(stack);
		return rc;
	}
	atomic_store(&ss->stop, true);
	(void)!write(ss->wake_fd, &one, sizeof(one));
	sock_net_unlock(stack);
	pthread_join(ss->loop_thread, NULL);
	sock_net_lock(stack);
	ss->thread_running = false;
	/* sleepers that relied on the thread now drive the loop themselves */
	pthread_cond_broadcast(&ss->cond);
	sock_net_unlock(stack);
	return 0;
}

void ns_stack_lock(struct ns_stack *stack)
{
	sock_net_lock(stack);
}

void ns_stack_unlock(struct ns_stack *stack)
{
	sock_net_unlock(stack);
}

/* ---- subsystem ---------------------------------------------------------------------------- */
int sock_subsys_init(struct ns_stack *stack)
{
	struct netns_sock *ss = calloc(1, sizeof(*ss));
	pthread_condattr_t ca;

	if (!ss)
		return -ENOMEM;
	ss->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ss->wake_fd < 0) {
		free(ss);
		return -errno;
	}
	pthread_mutex_init(&ss->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ss->cond, &ca);
	pthread_condattr_destroy(&ca);
	INIT_LIST_HEAD(&ss->protosw);
	ss->max_fds = 1024;	/* RLIMIT_NOFILE's usual soft limit */
	ss->next_ino = 1000;
	stack->sock = ss;
	return proc_create_int(stack, "/proc/sys/net/nstack/max_fds", &ss->max_fds, 8, 1 << 20);
}

void sock_subsys_exit(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;

	if (!ss)
		return;
	proc_remove(stack, "/proc/sys/net/nstack/max_fds");
	sk_cache_flush(ss);
	free(ss->files);
	close(ss->wake_fd);
	pthread_cond_destroy(&ss->cond);
	pthread_mutex_destroy(&ss->lock);
	free(ss);
	stack->sock = NULL;
}
