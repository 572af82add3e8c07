/* app_loop.c - the runtime of nstack's applications: one ns_epoll
 * instance per stack whose eventfd the stack loop watches; the watch
 * callback hands each ready descriptor to its handle's function. The
 * per-stack state is created on first use and torn down by the "apps"
 * subsystem's exit, before the socket layer closes what is left. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "apps/apps.h"
#include "nstack/socket.h"

#define APP_EVENTS_BATCH 64
#define APP_DISPATCH_ROUNDS 16	/* batches per loop callback: bounded work */

static void apps_on_eventfd(void *ctx, uint32_t events)
{
	(void)events;
	apps_dispatch(ctx);
}

int apps_dispatch(struct netns_apps *a)
{
	struct epoll_event ev[APP_EVENTS_BATCH];
	int total = 0;

	if (a->epfd < 0 || a->dispatching)
		return 0;
	a->dispatching = true;
	for (int round = 0; round < APP_DISPATCH_ROUNDS; round++) {
		int n = ns_epoll_wait(a->stack, a->epfd, ev, APP_EVENTS_BATCH, 0);

		if (n <= 0)
			break;
		/* A handler only frees its own handle, and the epoll item
		 * of a closed descriptor is gone before the next wait. */
		for (int i = 0; i < n; i++) {
			struct app_handle *h = ev[i].data.ptr;

			h->fn(h, ev[i].events);
		}
		total += n;
		if (n < APP_EVENTS_BATCH)
			break;
	}
	a->dispatching = false;
	return total;
}

struct netns_apps *apps_get(struct ns_stack *stack, int *err)
{
	struct netns_apps *a = stack->apps;
	int rc;

	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	if (a->epfd >= 0)
		return a;
	a->epfd = ns_epoll_create1(stack, 0);
	if (a->epfd < 0) {
		*err = -errno;
		return NULL;
	}
	a->efd = ns_epoll_event_fd(stack, a->epfd);
	rc = a->efd < 0 ? -errno : ns_stack_watch_fd(stack, a->efd, EPOLLIN, apps_on_eventfd, a);
	if (rc) {
		ns_close(stack, a->epfd);
		a->epfd = a->efd = -1;
		*err = rc;
		return NULL;
	}
	return a;
}

int app_watch(struct netns_apps *a, struct app_handle *h, uint32_t events, app_event_fn fn)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	h->fn = fn;
	h->events = events;
	if (ns_epoll_ctl(a->stack, a->epfd, EPOLL_CTL_ADD, h->fd, &ev) < 0)
		return -errno;
	return 0;
}

void app_set_events(struct netns_apps *a, struct app_handle *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (h->fd < 0 || h->events == events)
		return;
	h->events = events;
	(void)ns_epoll_ctl(a->stack, a->epfd, EPOLL_CTL_MOD, h->fd, &ev);
}

void app_close(struct netns_apps *a, struct app_handle *h)
{
	if (h->fd >= 0)
		ns_close(a->stack, h->fd);
	h->fd = -1;
}

/* ---- subsystem ------------------------------------------------------------------------------ */
void http_xfer_free_all(struct netns_apps *a);

int apps_init(struct ns_stack *stack)
{
	struct netns_apps *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->stack = stack;
	a->epfd = a->efd = -1;
	INIT_LIST_HEAD(&a->services);
	INIT_LIST_HEAD(&a->xfers);
	stack->apps = a;
	return 0;
}

void apps_exit(struct ns_stack *stack)
{
	struct netns_apps *a = stack->apps;
	struct app_service *svc, *n;

	if (!a)
		return;
	ns_stack_lock(stack);
	list_for_each_entry_safe(svc, n, &a->services, node)
		app_service_free(svc);
	http_xfer_free_all(a);
	if (a->epfd >= 0) {
		ns_stack_unwatch_fd(stack, a->efd);
		ns_close(stack, a->epfd);
	}
	stack->apps = NULL;
	ns_stack_unlock(stack);
	free(a);
}
