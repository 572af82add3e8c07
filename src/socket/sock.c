/* sock.c - struct sock life and memory accounting (Linux net/core/sock.c):
 * reference counts, skb_set_owner_r/w with destructors, the bounded receive
 * and error queues, the default wakeup callbacks, datagram_poll, iovec and
 * cmsg helpers. See sock.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "socket/sock.h"

/* ---- protocol switch ------------------------------------------------------------------ */
int sock_register_protosw(struct ns_stack *stack, struct inet_protosw *p)
{
	struct inet_protosw *q;

	list_for_each_entry(q, &stack->sock->protosw, list)
		if (q->family == p->family && q->type == p->type && q->protocol == p->protocol)
			return -EEXIST;
	list_add_tail(&p->list, &stack->sock->protosw);
	return 0;
}

void sock_unregister_protosw(struct ns_stack *stack, struct inet_protosw *p)
{
	(void)stack;
	list_del(&p->list);
}

/* ---- references ------------------------------------------------------------------------- */
/* ---- the object cache: a connection's objects (a TCP socket, a passive
 * open's child, the struct socket of a descriptor, a request sock) are made
 * and freed once per connection; the socks are larger than glibc's thread
 * cache takes, and the small ones come zeroed (calloc skips that cache), so
 * each would go through the arena both ways. A few freed ones of each size
 * wait for the next (Linux's kmem caches) ---- */
void *ns_obj_alloc(struct ns_stack *stack, size_t size)
{
	struct netns_sock *ss = stack->sock;

	for (int c = 0; SK_CACHE_ON && c < SK_CACHE_CLASSES; c++) {
		if (ss->sk_cache[c].size == size && ss->sk_cache[c].n) {
			void *o = ss->sk_cache[c].obj[--ss->sk_cache[c].n];

			memset(o, 0, size);
			return o;
		}
	}
	return calloc(1, size);
}

struct sock *sk_obj_alloc(struct ns_stack *stack, size_t size)
{
	return ns_obj_alloc(stack, size);
}

void ns_obj_free(struct ns_stack *stack, void *o, size_t size)
{
	struct netns_sock *ss = stack->sock;
	int free_class = -1;

	for (int c = 0; SK_CACHE_ON && c < SK_CACHE_CLASSES; c++) {
		if (ss->sk_cache[c].size == size) {
			if (ss->sk_cache[c].n < SK_CACHE_DEPTH) {
				ss->sk_cache[c].obj[ss->sk_cache[c].n++] = o;
				return;
			}
			free(o);
			return;
		}
		if (free_class < 0 && !ss->sk_cache[c].n)
			free_class = c;
	}
	if (SK_CACHE_ON && free_class >= 0) {
		ss->sk_cache[free_class].size = size;
		ss->sk_cache[free_class].obj[0] = o;
		ss->sk_cache[free_class].n = 1;
		return;
	}
	free(o);
}

void sk_cache_flush(struct netns_sock *ss)
{
	for (int c = 0; c < SK_CACHE_CLASSES; c++) {
		while (ss->sk_cache[c].n)
			free(ss->sk_cache[c].obj[--ss->sk_cache[c].n]);
		ss->sk_cache[c].size = 0;
	}
}

void sk_free(struct sock *sk)
{
	struct netns_sock *ss = sk->sk_net->sock;

	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	skb_queue_purge(&sk->sk_write_queue);
	if (sk->sk_prot->destroy)
		sk->sk_prot->destroy(sk);
	ss->nr_socks--;
	ns_obj_free(sk->sk_net, sk, sk->sk_prot->obj_size);
}

/* ---- callbacks ---------------------------------------------------------------------------- */
void sock_def_wakeup(struct sock *sk)
{
	struct netns_sock *ss = sk->sk_net->sock;

	/* epoll items watching this socket: usually none */
	if (sk->sk_socket && sk->sk_socket->ep_items.first)
		ep_sock_event(sk->sk_socket);
	if (ss->waiters)
		pthread_cond_broadcast(&ss->cond);
}

void sock_def_write_space(struct sock *sk)
{
	/* Linux wakes writers once half the buffer is free again */
	if (sock_writeable(sk)) {
		sock_reset_flag(sk, SOCK_NOSPACE);
		sock_def_wakeup(sk);
	}
}

const struct sock_callbacks sock_def_callbacks = {
	.state_change = sock_def_wakeup,
	.data_ready = sock_def_wakeup,
	.write_space = sock_def_write_space,
	.error_report = sock_def_wakeup,
};

/* ---- accounting ----------------------------------------------------------------------------- */
void sock_rfree(struct sk_buff *skb)
{
	skb->sk->sk_rmem_alloc -= (int)skb->truesize;
	sk_mem_account(skb->sk, -(long)skb->truesize);
}

void sock_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	sk->sk_wmem_alloc -= (int)skb->truesize;
	sk_mem_account(sk, -(long)skb->truesize);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_write_space(sk);
	sock_put(sk);
}

/* Linux's __sock_queue_rcv_skb: the check is made before charging, so one
 * skb may overshoot sk_rcvbuf. */
int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_rmem_alloc >= sk->sk_rcvbuf) {
		sk->sk_drops++;
		return -ENOMEM;
	}
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_data_ready(sk);
	return 0;
}

int sock_queue_err_skb(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_rmem_alloc + (int)skb->truesize >= sk->sk_rcvbuf)
		return -ENOMEM;
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_error_queue, skb);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	return 0;
}

int sock_error(struct sock *sk)
{
	int err = sk->sk_err;

	sk->sk_err = 0;
	return -err;
}

void sk_report_error(struct sock *sk, int err)
{
	sk->sk_err = err < 0 ? -err : err;
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
}

/* ---- readiness ------------------------------------------------------------------------------ */
unsigned int datagram_poll(struct sock *sk)
{
	unsigned int mask = 0;

	if (sk->sk_err || !skb_queue_empty(&sk->sk_error_queue))
		mask |= EPOLLERR;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (sk->sk_shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (!skb_queue_empty(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (sock_writeable(sk))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	else
		sock_set_flag(sk, SOCK_NOSPACE);
	return mask;
}

unsigned int sock_poll_mask(struct sock *sk)
{
	return sk->sk_prot->poll ? sk->sk_prot->poll(sk) : datagram_poll(sk);
}

/* ---- iovecs ------------------------------------------------------------------------------------ */
size_t iov_total(const struct msghdr *msg)
{
	size_t n = 0;

	for (size_t i = 0; i < msg->msg_iovlen; i++)
		n += msg->msg_iov[i].iov_len;
	return n;
}

void memcpy_from_msg(void *dst, const struct msghdr *msg, size_t len)
{
	uint8_t *d = dst;

	if (msg->msg_iovlen == 1) {	/* send()/sendto(): one buffer */
		memcpy(d, msg->msg_iov[0].iov_base, NS_MIN(len, msg->msg_iov[0].iov_len));
		return;
	}

	for (size_t i = 0; i < msg->msg_iovlen && len; i++) {
		size_t n = NS_MIN(len, msg->msg_iov[i].iov_len);

		memcpy(d, msg->msg_iov[i].iov_base, n);
		d += n;
		len -= n;
	}
}

void memcpy_to_msg(struct msghdr *msg, const void *src, size_t len)
{
	const uint8_t *s = src;

	if (msg->msg_iovlen == 1) {	/* recv()/recvfrom(): one buffer */
		memcpy(msg->msg_iov[0].iov_base, s, NS_MIN(len, msg->msg_iov[0].iov_len));
		return;
	}

	for (size_t i = 0; i < msg->msg_iovlen && len; i++) {
		size_t n = NS_MIN(len, msg->msg_iov[i].iov_len);

		memcpy(msg->msg_iov[i].iov_base, s, n);
		s += n;
		len -= n;
	}
}

/* Linux's put_cmsg: msg_control advances as messages are written; the
 * socket layer restores it and sets msg_controllen to the bytes used. */
void put_cmsg(struct msghdr *msg, int level, int type, size_t len, const void *data)
{
	struct cmsghdr *cm = msg->msg_control;
	size_t need = CMSG_LEN(len), space = CMSG_SPACE(len);

	if (!cm || msg->msg_controllen < need) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = need;
	memcpy(CMSG_DATA(cm), data, len);
	if (space > msg->msg_controllen)
		space = msg->msg_controllen;
	msg->msg_control = (char *)msg->msg_control + space;
	msg->msg_controllen -= space;
}
