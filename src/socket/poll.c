/* poll.c - ns_poll and epoll over ns descriptors (Linux fs/select.c and
 * fs/eventpoll.c). An epoll instance keeps its items on the watched
 * sockets' lists; the socket callbacks (sock_def_wakeup -> ep_sock_event)
 * put ready items on the ready list. ep_send_events re-polls each item:
 * level-triggered items go back on the list, edge-triggered ones wait for
 * the next callback, one-shot ones are disabled until EPOLL_CTL_MOD. Each
 * instance owns a kernel eventfd, readable while its ready list is not
 * empty, for the application's own event loop. */
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "nstack/socket.h"
#include "socket/sock.h"

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

struct epitem {
	struct list_head rdllink;	/* on ep->rdllist while ready */
	bool ready;
	struct hlist_node fllink;	/* on sock->ep_items */
	struct list_head eplink;	/* on ep->items */
	struct ns_eventpoll *ep;
	struct socket *sock;
	int fd;
	struct epoll_event event;
};

struct ns_eventpoll {
	struct ns_file file;		/* first */
	struct ns_stack *stack;
	struct list_head items;
	struct list_head rdllist;
	int efd;
	bool efd_set;
};

static void ep_signal(struct ns_eventpoll *ep)
{
	uint64_t one = 1;

	if (!ep->efd_set) {
		ep->efd_set = true;
		(void)!write(ep->efd, &one, sizeof(one));
	}
}

static void ep_unsignal(struct ns_eventpoll *ep)
{
	uint64_t v;

	if (ep->efd_set && list_empty(&ep->rdllist)) {
		ep->efd_set = false;
		(void)!read(ep->efd, &v, sizeof(v));
	}
}

static unsigned int item_poll(const struct epitem *epi)
{
	return sock_poll_mask(epi->sock->sk) & epi->event.events;
}

static void ep_queue(struct epitem *epi)
{
	if (epi->ready)
		return;
	epi->ready = true;
	list_add_tail(&epi->rdllink, &epi->ep->rdllist);
	ep_signal(epi->ep);
}

static void ep_dequeue(struct epitem *epi)
{
	if (epi->ready) {
		epi->ready = false;
		list_del(&epi->rdllink);
	}
}

/* ep_poll_callback */
void ep_sock_event(struct socket *sock)
{
	struct epitem *epi;

	hlist_for_each_entry(epi, &sock->ep_items, fllink) {
		if (!(epi->event.events & ~EP_PRIVATE_BITS))
			continue;	/* disabled one-shot */
		if (item_poll(epi))
			ep_queue(epi);
	}
}

static void epi_free(struct epitem *epi)
{
	ep_dequeue(epi);
	hlist_del(&epi->fllink);
	list_del(&epi->eplink);
	free(epi);
}

void ep_sock_release(struct socket *sock)
{
	struct epitem *epi;
	struct hlist_node *n;

	hlist_for_each_entry_safe(epi, n, &sock->ep_items, fllink) {
		struct ns_eventpoll *ep = epi->ep;

		epi_free(epi);
		ep_unsignal(ep);
	}
}

void ep_free(struct ns_eventpoll *ep)
{
	struct epitem *epi, *n;

	list_for_each_entry_safe(epi, n, &ep->items, eplink)
		epi_free(epi);
	close(ep->efd);
	free(ep);
}

static struct ns_eventpoll *ep_get(struct ns_stack *stack, int epfd, int *err)
{
	return (struct ns_eventpoll *)(void *)ns_fget_kind(stack, epfd, NS_FILE_EPOLL, -EINVAL, err);
}

/* ---- create ------------------------------------------------------------------------ */
static int do_epoll_create(struct ns_stack *stack, int flags)
{
	struct ns_eventpoll *ep;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->file.kind = NS_FILE_EPOLL;
	ep->stack = stack;
	INIT_LIST_HEAD(&ep->items);
	INIT_LIST_HEAD(&ep->rdllist);
	ep->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ep->efd < 0) {
		free(ep);
		return -ENFILE;
	}
	fd = ns_fd_install(stack, &ep->file);
	if (fd < 0)
		ep_free(ep);
	return fd;
}

int ns_epoll_create1(struct ns_stack *stack, int flags)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_epoll_create(stack, flags));
}

int ns_epoll_create(struct ns_stack *stack, int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ns_epoll_create1(stack, 0);
}

int ns_epoll_event_fd(struct ns_stack *stack, int epfd)
{
	struct ns_eventpoll *ep;
	int err;

	sock_net_lock(stack);
	ep = ep_get(stack, epfd, &err);
	if (ep) {
		err = ep->efd;
		ns_fput(stack, &ep->file);
	}
	return sock_net_unlock_ret(stack, err);
}

/* ---- ctl ----------------------------------------------------------------------------- */
static struct epitem *ep_find(struct ns_eventpoll *ep, struct socket *sock)
{
	struct epitem *epi;

	hlist_for_each_entry(epi, &sock->ep_items, fllink)
		if (epi->ep == ep)
			return epi;
	return NULL;
}

static int ep_insert(struct ns_eventpoll *ep, struct socket *sock, int fd,
		     const struct epoll_event *ev)
{
	struct epitem *epi = calloc(1, sizeof(*epi));

	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->sock = sock;
	epi->fd = fd;
	epi->event = *ev;
	hlist_add_head(&epi->fllink, &sock->ep_items);
	list_add_tail(&epi->eplink, &ep->items);
	if (item_poll(epi))
		ep_queue(epi);
	return 0;
}

static int ep_modify(struct epitem *epi, const struct epoll_event *ev)
{
	epi->event = *ev;
	if (item_poll(epi))
		ep_queue(epi);
	return 0;
}

static int ep_ctl_target(struct ns_eventpoll *ep, int op, struct ns_file *tf,
			 struct epoll_event *event)
{
	struct socket *sock;
	struct epitem *epi;
	struct epoll_event ev = { 0 };

	if (tf == &ep->file || tf->kind != NS_FILE_SOCKET)
		return -EINVAL;	/* no nesting of epoll instances */
	sock = (struct socket *)(void *)tf;
	if (op != EPOLL_CTL_DEL) {
		ev = *event;
		ev.events |= EPOLLERR | EPOLLHUP;
		if ((ev.events & EPOLLEXCLUSIVE) && op == EPOLL_CTL_MOD)
			return -EINVAL;
	}
	epi = ep_find(ep, sock);
	switch (op) {
	case EPOLL_CTL_ADD:
		return epi ? -EEXIST : ep_insert(ep, sock, tf->fd, &ev);
	case EPOLL_CTL_MOD:
		return epi ? ep_modify(epi, &ev) : -ENOENT;
	case EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		epi_free(epi);
		ep_unsignal(ep);
		return 0;
	}
	return -EINVAL;
}

static int do_epoll_ctl(struct ns_stack *stack, int epfd, int op, int fd,
			struct epoll_event *event)
{
	struct ns_file *ef, *tf;
	int err;

	if (op != EPOLL_CTL_DEL && !event)
		return -EFAULT;
	ef = ns_fget(stack, epfd);
	if (!ef)
		return -EBADF;
	tf = ns_fget(stack, fd);
	if (!tf) {
		ns_fput(stack, ef);
		return -EBADF;
	}
	if (ef->kind != NS_FILE_EPOLL)
		err = -EINVAL;
	else if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		err = -EINVAL;
	else
		err = ep_ctl_target((struct ns_eventpoll *)(void *)ef, op, tf, event);
	ns_fput(stack, tf);
	ns_fput(stack, ef);
	return err;
}

int ns_epoll_ctl(struct ns_stack *stack, int epfd, int op, int fd, struct epoll_event *event)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_epoll_ctl(stack, epfd, op, fd, event));
}

/* ---- wait ------------------------------------------------------------------------------ */
static int ep_send_events(struct ns_eventpoll *ep, struct epoll_event *events, int maxevents)
{
	struct list_head txlist;
	struct epitem *epi, *n;
	int count = 0;

	INIT_LIST_HEAD(&txlist);
	/* take the ready list; items re-queued by a level-triggered report
	 * go back on ep->rdllist behind anything still unprocessed */
	list_for_each_entry_safe(epi, n, &ep->rdllist, rdllink) {
		list_del(&epi->rdllink);
		list_add_tail(&epi->rdllink, &txlist);
	}
	list_for_each_entry_safe(epi, n, &txlist, rdllink) {
		unsigned int revents;

		if (count >= maxevents)
			break;
		list_del(&epi->rdllink);
		epi->ready = false;
		revents = item_poll(epi);
		if (!revents)
			continue;
		events[count].events = revents;
		events[count].data = epi->event.data;
		count++;
		if (epi->event.events & EPOLLONESHOT)
			epi->event.events &= EP_PRIVATE_BITS;
		else if (!(epi->event.events & EPOLLET))
			ep_queue(epi);
	}
	/* unprocessed items stay ready, ahead of the re-queued ones */
	while (!list_empty(&txlist)) {
		epi = list_entry(txlist.prev, struct epitem, rdllink);
		list_del(&epi->rdllink);
		list_add(&epi->rdllink, &ep->rdllist);
	}
	ep_unsignal(ep);
	return count;
}

static int do_epoll_wait(struct ns_stack *stack, int epfd, struct epoll_event *events,
			 int maxevents, int timeout_ms)
{
	struct ns_eventpoll *ep;
	uint64_t deadline = timeout_ms > 0 ? sock_mono_ns() + (uint64_t)timeout_ms * 1000000ULL : 0;
	int err, n;

	if (maxevents <= 0)
		return -EINVAL;
	ep = ep_get(stack, epfd, &err);
	if (!ep)
		return err;
	if (!events) {
		ns_fput(stack, &ep->file);
		return -EFAULT;
	}
	for (;;) {
		n = ep_send_events(ep, events, maxevents);
		if (n || timeout_ms == 0 || !sock_net_may_sleep(stack))
			break;
		if (!sock_net_wait(stack, deadline) || ep->file.closed)
			break;
	}
	if (!n && ep->file.closed)
		n = -EBADF;
	ns_fput(stack, &ep->file);
	return n;
}

int ns_epoll_wait(struct ns_stack *stack, int epfd, struct epoll_event *events, int maxevents,
		  int timeout_ms)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_epoll_wait(stack, epfd, events, maxevents, timeout_ms));
}

/* ---- poll ---------------------------------------------------------------------------------- */
static short poll_one(struct ns_stack *stack, const struct pollfd *p)
{
	struct ns_file *f;
	unsigned int mask = 0;

	if (p->fd < 0)
		return 0;
	f = ns_fget(stack, p->fd);
	if (!f)
		return POLLNVAL;
	if (f->kind == NS_FILE_SOCKET)
		mask = sock_poll_mask(((struct socket *)(void *)f)->sk);
	else if (!list_empty(&((struct ns_eventpoll *)(void *)f)->rdllist))
		mask = POLLIN | POLLRDNORM;
	ns_fput(stack, f);
	return (short)(mask & ((unsigned short)p->events | POLLERR | POLLHUP));
}

static int do_poll(struct ns_stack *stack, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	uint64_t deadline = timeout_ms > 0 ? sock_mono_ns() + (uint64_t)timeout_ms * 1000000ULL : 0;
	int count;

	if (nfds > (nfds_t)stack->sock->max_fds)
		return -EINVAL;
	if (!fds && nfds)
		return -EFAULT;
	for (;;) {
		count = 0;
		for (nfds_t i = 0; i < nfds; i++) {
			fds[i].revents = poll_one(stack, &fds[i]);
			count += fds[i].revents != 0;
		}
		if (count || timeout_ms == 0 || !sock_net_may_sleep(stack))
			return count;
		if (!sock_net_wait(stack, deadline))
			return 0;
	}
}

int ns_poll(struct ns_stack *stack, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_poll(stack, fds, nfds, timeout_ms));
}
