/* tproto.h - a test transport for socket-layer tests: AF_INET SOCK_DGRAM
 * protocol 253 (RFC 3692 experimental) that delivers datagrams between
 * sockets of one stack by port, after `delay_ns` (a timer, so delivery
 * happens in the loop thread), without any network layer. It exercises
 * the proto ops, memory accounting and wakeups exactly as a real transport
 * does; UDP over IPv4 is tested in test_udp.c. Header-only: included by
 * the socket tests. */
#ifndef NSTACK_TEST_TPROTO_H
#define NSTACK_TEST_TPROTO_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/timer.h"
#include "socket/sock.h"

#define TPROTO 253
#define TP_MAX_SOCKS 64

struct tp_state {
	struct ns_stack *stack;
	struct inet_protosw sw;
	struct sock *bound[TP_MAX_SOCKS];
	struct sk_buff_head pending;	/* sent, waiting for delivery */
	struct timer_list timer;
	uint64_t delay_ns;
	bool hold;			/* keep sent skbs (charged) until released */
	uint16_t next_port;
};

/* One tp_state per test; reached through the proto's sockets' stack. */
static struct tp_state *tp_of(struct ns_stack *stack);

struct tp_cb {
	uint16_t sport, dport;
};
#define TP_CB(skb) ((struct tp_cb *)(void *)(skb)->cb)

static int tp_get_port(struct sock *sk, unsigned short snum)
{
	struct tp_state *tp = tp_of(sk->sk_net);
	int slot = -1;

	if (!snum)
		snum = tp->next_port++;
	for (int i = 0; i < TP_MAX_SOCKS; i++) {
		struct sock *o = tp->bound[i];

		if (!o) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (inet_sk(o)->inet_num == snum &&
		    !(o->sk_reuse && sk->sk_reuse) && !(o->sk_reuseport && sk->sk_reuseport))
			return -EADDRINUSE;
	}
	if (slot < 0)
		return -EAGAIN;
	tp->bound[slot] = sk;
	inet_sk(sk)->inet_num = snum;
	inet_sk(sk)->inet_sport = snum;
	return 0;
}

static void tp_unhash(struct sock *sk)
{
	struct tp_state *tp = tp_of(sk->sk_net);

	for (int i = 0; i < TP_MAX_SOCKS; i++)
		if (tp->bound[i] == sk)
			tp->bound[i] = NULL;
}

static int tp_bind(struct sock *sk, const struct sockaddr *uaddr, int len)
{
	const struct sockaddr_in *sin = (const void *)uaddr;

	(void)len;
	inet_sk(sk)->inet_rcv_saddr = ntohl(sin->sin_addr.s_addr);
	return tp_get_port(sk, ntohs(sin->sin_port));
}

static int tp_connect(struct sock *sk, const struct sockaddr *uaddr, int len)
{
	const struct sockaddr_in *sin = (const void *)uaddr;

	if (len < (int)sizeof(*sin))
		return -EINVAL;
	inet_sk(sk)->inet_daddr = ntohl(sin->sin_addr.s_addr);
	inet_sk(sk)->inet_dport = ntohs(sin->sin_port);
	sk->sk_state = TCP_ESTABLISHED;
	return 0;
}

static int tp_disconnect(struct sock *sk, int flags)
{
	(void)flags;
	inet_sk(sk)->inet_daddr = 0;
	inet_sk(sk)->inet_dport = 0;
	sk->sk_state = TCP_CLOSE;
	return 0;
}

static struct sock *tp_find(struct tp_state *tp, uint16_t port)
{
	for (int i = 0; i < TP_MAX_SOCKS; i++)
		if (tp->bound[i] && inet_sk(tp->bound[i])->inet_num == port)
			return tp->bound[i];
	return NULL;
}

static void tp_deliver(struct tp_state *tp, struct sk_buff *skb)
{
	struct sock *dst = tp_find(tp, TP_CB(skb)->dport);
	struct sk_buff *rx;

	if (!dst) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
		return;
	}
	rx = skb_copy(skb);
	consume_skb(skb);	/* uncharges the sender */
	if (!rx)
		return;
	if (sock_queue_rcv_skb(dst, rx))
		kfree_skb_reason(rx, SKB_DROP_REASON_SOCKET_RCVBUFF);
}

static void tp_timer(struct timer_list *t)
{
	struct tp_state *tp = from_timer(tp, t, timer);
	struct sk_buff *skb;

	if (tp->hold)
		return;
	while ((skb = __skb_dequeue(&tp->pending)))
		tp_deliver(tp, skb);
}

static int tp_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len, int flags)
{
	struct tp_state *tp = tp_of(sk->sk_net);
	const struct sockaddr_in *sin = msg->msg_name;
	struct sk_buff *skb;
	uint16_t dport;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (sin) {
		if (msg->msg_namelen < sizeof(*sin))
			return -EINVAL;
		dport = ntohs(sin->sin_port);
	} else if (sk->sk_state == TCP_ESTABLISHED) {
		dport = inet_sk(sk)->inet_dport;
	} else {
		return -EDESTADDRREQ;
	}
	if (len > 65507)
		return -EMSGSIZE;
	skb = alloc_skb(sk->sk_net, (unsigned int)len);
	if (!skb)
		return -ENOBUFS;
	if (!sock_wmem_ok(sk, skb->truesize)) {
		consume_skb(skb);
		sock_set_flag(sk, SOCK_NOSPACE);
		return -EAGAIN;
	}
	skb_set_owner_w(skb, sk);
	memcpy_from_msg(skb_put(skb, (unsigned int)len), msg, len);
	TP_CB(skb)->sport = inet_sk(sk)->inet_num;
	TP_CB(skb)->dport = dport;
	if (!tp->hold && !tp->delay_ns) {
		tp_deliver(tp, skb);
		return (int)len;
	}
	__skb_queue_tail(&tp->pending, skb);
	if (!tp->hold)
		mod_timer(&tp->timer, ns_now(sk->sk_net) + tp->delay_ns);
	return (int)len;
}

static int tp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);
	struct sockaddr_in *sin = msg->msg_name;
	size_t copied;

	if (!skb)
		return -EAGAIN;	/* the socket layer turns it into EOF after SHUT_RD */
	copied = NS_MIN(len, (size_t)skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	memcpy_to_msg(msg, skb->data, copied);
	if (sin) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(TP_CB(skb)->sport);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		msg->msg_namelen = sizeof(*sin);
	}
	if (flags & MSG_TRUNC)
		copied = skb->len;
	if (!(flags & MSG_PEEK)) {
		__skb_unlink(skb, &sk->sk_receive_queue);
		consume_skb(skb);
	}
	return (int)copied;
}

static void tp_close(struct sock *sk, long timeout)
{
	(void)timeout;
	tp_unhash(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	sock_put(sk);
}

static int tp_ioctl(struct sock *sk, int cmd, int *karg)
{
	struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);

	if (cmd != FIONREAD)
		return -ENOTTY;
	*karg = skb ? (int)skb->len : 0;
	return 0;
}

static const struct proto tp_prot = {
	.name = "TPROTO",
	.obj_size = sizeof(struct inet_sock),
	.close = tp_close,
	.connect = tp_connect,
	.disconnect = tp_disconnect,
	.ioctl = tp_ioctl,
	.sendmsg = tp_sendmsg,
	.recvmsg = tp_recvmsg,
	.bind = tp_bind,
	.unhash = tp_unhash,
	.get_port = tp_get_port,
};

static struct tp_state *tp_states[8];

static struct tp_state *tp_of(struct ns_stack *stack)
{
	for (int i = 0; i < 8; i++)
		if (tp_states[i] && tp_states[i]->stack == stack)
			return tp_states[i];
	return NULL;
}

static struct tp_state *tp_attach(struct ns_stack *stack)
{
	struct tp_state *tp = calloc(1, sizeof(*tp));

	tp->stack = stack;
	tp->sw.family = AF_INET;
	tp->sw.type = SOCK_DGRAM;
	tp->sw.protocol = TPROTO;
	tp->sw.prot = &tp_prot;
	tp->next_port = 40000;
	skb_queue_head_init(&tp->pending);
	timer_setup(&tp->timer, stack, tp_timer);
	sock_register_protosw(stack, &tp->sw);
	for (int i = 0; i < 8; i++)
		if (!tp_states[i]) {
			tp_states[i] = tp;
			break;
		}
	return tp;
}

/* Deliver held datagrams now. */
static inline void tp_release(struct tp_state *tp)
{
	tp->hold = false;
	tp_timer(&tp->timer);
}

static inline void tp_detach(struct tp_state *tp)
{
	del_timer(&tp->timer);
	skb_queue_purge(&tp->pending);
	sock_unregister_protosw(tp->stack, &tp->sw);
	for (int i = 0; i < 8; i++)
		if (tp_states[i] == tp)
			tp_states[i] = NULL;
	free(tp);
}

#endif
