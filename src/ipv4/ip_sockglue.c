/* ip_sockglue.c - SOL_IP socket options and the IP_RECVERR error queue
 * (Linux net/ipv4/ip_sockglue.c): IP_TTL, IP_TOS, IP_RECVERR, IP_PKTINFO,
 * IP_MTU_DISCOVER, IP_MTU, with Linux's checks (int or single-byte values,
 * getsockopt answering one byte when asked for less than an int). */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <string.h>

#include "ipv4/ip.h"
#include "ipv4/udp.h"

/* Error-queue skb state (Linux's struct sock_exterr_skb). */
struct sock_exterr_skb {
	struct sock_extended_err ee;
	uint32_t offender;	/* host order */
	uint32_t addr;		/* destination of the failed datagram */
	uint16_t port;
};
#define SKB_EXT_ERR(skb) ((struct sock_exterr_skb *)(void *)((skb)->cb))

/* Options whose value may be given as an int or a single byte. */
static bool int_or_byte_opt(int optname)
{
	switch (optname) {
	case IP_TTL:
	case IP_TOS:
	case IP_RECVERR:
	case IP_PKTINFO:
	case IP_MTU_DISCOVER:
		return true;
	default:
		return false;
	}
}

static int set_int_opt(struct sock *sk, int optname, int val, socklen_t optlen)
{
	struct inet_sock *inet = inet_sk(sk);

	switch (optname) {
	case IP_TTL:
		if (optlen < 1)
			return -EINVAL;
		if (val != -1 && (val < 1 || val > 255))
			return -EINVAL;
		inet->uc_ttl = (int16_t)val;
		return 0;
	case IP_TOS:
		inet->tos = (uint8_t)val;
		return 0;
	case IP_RECVERR:
		inet->recverr = val != 0;
		if (!val)
			skb_queue_purge(&sk->sk_error_queue);
		return 0;
	case IP_PKTINFO:
		inet->pktinfo = val != 0;
		return 0;
	case IP_MTU_DISCOVER:
		if (val < IP_PMTUDISC_DONT || val > IP_PMTUDISC_OMIT)
			return -EINVAL;
		inet->pmtudisc = (uint8_t)val;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int ip_setsockopt(struct sock *sk, int level, int optname, const void *optval, socklen_t optlen)
{
	int val = 0;

	if (level != SOL_IP)
		return -ENOPROTOOPT;
	if (!int_or_byte_opt(optname))
		return -ENOPROTOOPT;
	if (optlen >= sizeof(int)) {
		memcpy(&val, optval, sizeof(val));
	} else if (optlen >= 1) {
		val = *(const unsigned char *)optval;
	}
	return set_int_opt(sk, optname, val, optlen);
}

static int ip_mtu(struct sock *sk, int *val)
{
	struct inet_sock *inet = inet_sk(sk);
	struct ip_route_result res;
	struct flowi4 fl4 = { .daddr = inet->inet_daddr, .saddr = inet->inet_saddr,
			      .oif = sk->sk_bound_dev_if, .proto = (uint8_t)sk->sk_protocol };

	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;
	if (ip_route_output(sk->sk_net, &fl4, &res))
		return -ENOTCONN;
	*val = (int)res.mtu;
	return 0;
}

int ip_getsockopt(struct sock *sk, int level, int optname, void *optval, socklen_t *optlen)
{
	struct inet_sock *inet = inet_sk(sk);
	socklen_t len = *optlen;
	int val, err;

	if (level != SOL_IP)
		return -EOPNOTSUPP;
	switch (optname) {
	case IP_TTL:
		val = inet->uc_ttl == -1 ? ip_default_ttl(sk->sk_net) : inet->uc_ttl;
		break;
	case IP_TOS:
		val = inet->tos;
		break;
	case IP_RECVERR:
		val = inet->recverr;
		break;
	case IP_PKTINFO:
		val = inet->pktinfo;
		break;
	case IP_MTU_DISCOVER:
		val = inet->pmtudisc;
		break;
	case IP_MTU:
		err = ip_mtu(sk, &val);
		if (err)
			return err;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (len < sizeof(int) && len > 0 && val >= 0 && val <= 255) {
		*(unsigned char *)optval = (unsigned char)val;
		*optlen = 1;
	} else {
		*optlen = NS_MIN(len, (socklen_t)sizeof(int));
		memcpy(optval, &val, *optlen);
	}
	return 0;
}

/* ip_icmp_error: the offender reported is the ICMP message's sender (from;
 * the datagram's destination when unknown), as Linux's SO_EE_OFFENDER. */
void ip_icmp_error(struct sock *sk, int err, uint8_t type, uint8_t code, uint32_t info,
		   uint32_t from, uint32_t daddr, uint16_t dport, const uint8_t *payload, unsigned int len)
{
	struct sock_exterr_skb *serr;
	struct sk_buff *skb;

	if (!inet_sk(sk)->recverr)
		return;
	skb = alloc_skb(sk->sk_net, len);
	if (!skb)
		return;
	skb_put_data(skb, payload, len);
	serr = SKB_EXT_ERR(skb);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_errno = (uint32_t)err;
	serr->ee.ee_origin = SO_EE_ORIGIN_ICMP;
	serr->ee.ee_type = type;
	serr->ee.ee_code = code;
	serr->ee.ee_info = info;
	serr->offender = from ? from : daddr;
	serr->addr = daddr;
	serr->port = dport;
	if (sock_queue_err_skb(sk, skb))
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
}

int ip_recv_error(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct sk_buff *skb = __skb_dequeue(&sk->sk_error_queue), *next;
	struct sockaddr_in *sin = msg->msg_name;
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in offender;
	} errhdr;
	size_t copied;

	if (!skb)
		return -EAGAIN;
	copied = skb->len;
	if (copied > len) {
		msg->msg_flags |= MSG_TRUNC;
		copied = len;
	}
	memcpy_to_msg(msg, skb->data, copied);
	if (sin) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(SKB_EXT_ERR(skb)->addr);
		sin->sin_port = htons(SKB_EXT_ERR(skb)->port);
		msg->msg_namelen = sizeof(*sin);
	}
	memset(&errhdr, 0, sizeof(errhdr));
	errhdr.ee = SKB_EXT_ERR(skb)->ee;
	errhdr.offender.sin_family = AF_INET;
	errhdr.offender.sin_addr.s_addr = htonl(SKB_EXT_ERR(skb)->offender);
	put_cmsg(msg, SOL_IP, IP_RECVERR, sizeof(errhdr), &errhdr);
	msg->msg_flags |= MSG_ERRQUEUE;
	consume_skb(skb);
	/* sock_dequeue_err_skb: the next queued error becomes sk_err */
	next = skb_peek(&sk->sk_error_queue);
	sk->sk_err = next ? (int)SKB_EXT_ERR(next)->ee.ee_errno : 0;
	return (int)copied;
}
