/* stack.c - stack instances and their loop.
 *
 * The loop is Linux's softirq processing in one thread, run to completion:
 * timers (run_timer_softirq), then NAPI polling within netdev_budget
 * (net_rx_action), then transmit queues (net_tx_action). When idle with a
 * real clock it sleeps in epoll_wait on the drivers' file descriptors until
 * the next timer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/netdevice.h"
#include "core/proc.h"
#include "core/stack.h"
#include "core/subsys.h"

struct ns_watch {
	int fd;
	ns_fd_cb cb;
	void *ctx;
	struct ns_watch *next;
};

/* Watches are few (one per driver fd); kept on a list owned by the stack. */
struct ns_watch_list {
	struct ns_watch *head;
};

static struct ns_watch_list *watch_list(struct ns_stack *stack);

/* ---- PRNG: splitmix64-seeded xorshift64* ---------------------------------------- */
uint64_t ns_random(struct ns_stack *stack)
{
	uint64_t x = stack->rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	stack->rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

uint32_t ns_random_below(struct ns_stack *stack, uint32_t n)
{
	return n ? (uint32_t)(((uint64_t)ns_random_u32(stack) * n) >> 32) : 0;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

void ns_log(struct ns_stack *stack, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nstack[%s]: ", stack->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- lifecycle ------------------------------------------------------------------------ */
static void core_defaults(struct netns_core *c)
{
	c->rmem_default = 212992;
	c->wmem_default = 212992;
	c->rmem_max = 212992;
	c->wmem_max = 212992;
	c->netdev_max_backlog = 1000;
	c->netdev_budget = 300;
	c->netdev_budget_usecs = 2000;
	c->dev_weight = 64;
	c->somaxconn = 4096;
}

struct ns_stack_private {
	struct ns_stack stack;
	struct ns_watch_list watches;
	unsigned int subsys_up;
};

static struct ns_watch_list *watch_list(struct ns_stack *stack)
{
	return &container_of(stack, struct ns_stack_private, stack)->watches;
}

struct ns_stack *ns_stack_create(const struct ns_stack_config *cfg)
{
	struct ns_stack_config def = { 0 };
	struct ns_stack_private *priv;
	struct ns_stack *stack;

	if (!cfg)
		cfg = &def;
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return NULL;
	stack = &priv->stack;
	snprintf(stack->name, sizeof(stack->name), "%s", cfg->name ? cfg->name : "ns");
	stack->clock = cfg->clock ? cfg->clock : ns_clock_monotonic();
	stack->seed = cfg->seed;
	stack->single_thread = cfg->single_thread;
	if (!stack->seed && getrandom(&stack->seed, sizeof(stack->seed), 0) != sizeof(stack->seed))
		stack->seed = (uint64_t)ns_now(stack) ^ (uint64_t)getpid();
	stack->rng_state = splitmix64(stack->seed) | 1;
	core_defaults(&stack->core);
	stack->epfd = -1;

	stack->skb_pool = skb_pool_create(cfg->skb_mem_max);
	stack->timers = timer_base_create(ns_now(stack));
	stack->proc = proc_tree_create();
	stack->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!stack->skb_pool || !stack->timers || !stack->proc || stack->epfd < 0)
		goto fail;

	for (priv->subsys_up = 0; priv->subsys_up < ns_subsystem_count; priv->subsys_up++) {
		int rc = ns_subsystems[priv->subsys_up].init(stack);

		if (rc) {
			ns_log(stack, "init of %s failed: %s", ns_subsystems[priv->subsys_up].name,
			       strerror(-rc));
			errno = -rc;
			goto fail;
		}
	}
	return stack;
fail:
	ns_stack_destroy(stack);
	return NULL;
}

void ns_stack_destroy(struct ns_stack *stack)
{
	struct ns_stack_private *priv;
	struct ns_watch *w, *n;

	if (!stack)
		return;
	priv = container_of(stack, struct ns_stack_private, stack);
	netdev_down_all(stack);
	while (priv->subsys_up > 0) {
		const struct ns_subsys *s = &ns_subsystems[--priv->subsys_up];

		if (s->exit)
			s->exit(stack);
	}
	for (w = priv->watches.head; w; w = n) {
		n = w->next;
		free(w);
	}
	if (stack->epfd >= 0)
		close(stack->epfd);
	proc_tree_destroy(stack->proc);
	timer_base_destroy(stack->timers);
	skb_pool_destroy(stack->skb_pool);
	free(priv);
}

const char *ns_stack_name(const struct ns_stack *stack)
{
	return stack->name;
}

uint64_t ns_stack_now(struct ns_stack *stack)
{
	return ns_now(stack);
}

int ns_stack_fd(struct ns_stack *stack)
{
	return stack->epfd;
}

/* ---- fd watches ------------------------------------------------------------------------- */
int ns_stack_watch_fd(struct ns_stack *stack, int fd, uint32_t events, ns_fd_cb cb, void *ctx)
{
	struct ns_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->cb = cb;
	w->ctx = ctx;
	ev.data.ptr = w;
	if (epoll_ctl(stack->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = errno;

		free(w);
		return -err;
	}
	w->next = watch_list(stack)->head;
	watch_list(stack)->head = w;
	stack->poll_fds++;
	return 0;
}

static struct ns_watch *watch_find(struct ns_stack *stack, int fd)
{
	for (struct ns_watch *w = watch_list(stack)->head; w; w = w->next)
		if (w->fd == fd)
			return w;
	return NULL;
}

int ns_stack_rewatch_fd(struct ns_stack *stack, int fd, uint32_t events, ns_fd_cb cb, void *ctx)
{
	struct ns_watch *w = watch_find(stack, fd);
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOENT;
	w->cb = cb;
	w->ctx = ctx;
	ev.data.ptr = w;
	return epoll_ctl(stack->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void ns_stack_unwatch_fd(struct ns_stack *stack, int fd)
{
	for (struct ns_watch **pp = &watch_list(stack)->head; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			struct ns_watch *w = *pp;

			epoll_ctl(stack->epfd, EPOLL_CTL_DEL, fd, NULL);
			*pp = w->next;
			free(w);
			stack->poll_fds--;
			return;
		}
	}
}

/* ---- the loop --------------------------------------------------------------------------- */
bool ns_stack_busy(struct ns_stack *stack)
{
	return !list_empty(&stack->softnet.poll_list) || !list_empty(&stack->softnet.output_queue);
}

uint64_t ns_stack_next_timer(struct ns_stack *stack)
{
	return timer_base_next(stack->timers);
}

int ns_stack_step(struct ns_stack *stack)
{
	uint64_t now = ns_now(stack);
	int work;

	/* one clock read per round: timers, NAPI timestamps and netem see the
	 * same "now", like one softirq run */
	stack->softnet.poll_now = now;
	work = timer_base_run(stack->timers, now);
	work += net_rx_action(stack);
	work += net_tx_action(stack);
	stack->softnet.poll_now = 0;
	return work;
}

static int poll_fds(struct ns_stack *stack, int timeout_ms)
{
	struct epoll_event evs[32];
	int n = epoll_wait(stack->epfd, evs, 32, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct ns_watch *w = evs[i].data.ptr;

		w->cb(w->ctx, evs[i].events);
	}
	return n;
}

int ns_stack_run_once(struct ns_stack *stack, int timeout_ms)
{
	int work = ns_stack_step(stack);
	int wait_ms = 0;
	int rc;

	if (!work && !ns_stack_busy(stack) && !stack->clock->is_virtual) {
		uint64_t next = ns_stack_next_timer(stack);
		uint64_t now = ns_now(stack);

		wait_ms = timeout_ms;
		if (next != UINT64_MAX) {
			uint64_t ms = next > now ? (next - now + 999999) / 1000000 : 0;

			if (wait_ms < 0 || ms < (uint64_t)wait_ms)
				wait_ms = (int)ms;
		}
	}
	rc = poll_fds(stack, wait_ms);
	if (rc < 0)
		return rc;
	if (rc > 0)
		work += ns_stack_step(stack);
	return work;
}

int ns_stack_run(struct ns_stack *stack, volatile int *stop)
{
	while (!*stop) {
		int rc = ns_stack_run_once(stack, 100);

		if (rc < 0)
			return rc;
	}
	return 0;
}
