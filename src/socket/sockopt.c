/* sockopt.c - SOL_SOCKET options (Linux's sk_setsockopt/sk_getsockopt in
 * net/core/sock.c), with Linux's checks and quirks: buffer sizes are
 * doubled and capped by net.core.rmem_max/wmem_max, SO_ERROR reads and
 * clears, a negative timeout means "don't wait", {0,0} means "forever". */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>

#include "core/netdevice.h"
#include "socket/sock.h"

#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_USEC 1000LL

static void sock_wakeup_writers(struct sock *sk)
{
	sk_write_space(sk);
}

/* __sock_set_rcvbuf: the kernel doubles the value to allow for overhead */
static void set_rcvbuf(struct sock *sk, int val)
{
	val = NS_MIN(val, INT_MAX / 2);
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	sk->sk_rcvbuf = NS_MAX(val * 2, SOCK_MIN_RCVBUF);
}

static void set_sndbuf(struct sock *sk, int val)
{
	val = NS_MIN(val, INT_MAX / 2);
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	sk->sk_sndbuf = NS_MAX(val * 2, SOCK_MIN_SNDBUF);
	sock_wakeup_writers(sk);
}

/* sock_set_timeout */
static int set_timeout(int64_t *timeo, const void *optval, socklen_t optlen)
{
	struct timeval tv;

	if (optlen < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, optval, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*timeo = 0;	/* Linux warns and uses 0: never wait */
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*timeo = NS_MAX_TIMEOUT;
		return 0;
	}
	if (tv.tv_sec >= INT64_MAX / NSEC_PER_SEC - 1) {
		*timeo = NS_MAX_TIMEOUT;
		return 0;
	}
	*timeo = (int64_t)tv.tv_sec * NSEC_PER_SEC + (int64_t)tv.tv_usec * NSEC_PER_USEC;
	return 0;
}

static int get_timeout(int64_t timeo, struct timeval *tv)
{
	if (timeo == NS_MAX_TIMEOUT) {
		tv->tv_sec = 0;
		tv->tv_usec = 0;
	} else {
		tv->tv_sec = (time_t)(timeo / NSEC_PER_SEC);
		tv->tv_usec = (suseconds_t)((timeo % NSEC_PER_SEC) / NSEC_PER_USEC);
	}
	return sizeof(*tv);
}

static int set_bindtodevice(struct sock *sk, const void *optval, socklen_t optlen)
{
	char name[IFNAMSIZ];
	struct net_device *dev;

	/* sock_setbindtodevice: the name is truncated to IFNAMSIZ - 1 */
	memset(name, 0, sizeof(name));
	if (optlen > IFNAMSIZ - 1)
		optlen = IFNAMSIZ - 1;
	if (optlen)
		memcpy(name, optval, optlen);
	if (!name[0]) {
		sk->sk_bound_dev_if = 0;
		return 0;
	}
	dev = dev_get_by_name(sk->sk_net, name);
	if (!dev)
		return -ENODEV;
	sk->sk_bound_dev_if = dev->ifindex;
	return 0;
}

static int set_linger(struct sock *sk, const void *optval, socklen_t optlen)
{
	struct linger ling;

	if (optlen < sizeof(ling))
		return -EINVAL;
	memcpy(&ling, optval, sizeof(ling));
	if (!ling.l_onoff) {
		sock_reset_flag(sk, SOCK_LINGER);
	} else {
		sk->sk_lingertime = ling.l_linger < 0 ? 0 : ling.l_linger;
		sock_set_flag(sk, SOCK_LINGER);
	}
	return 0;
}

/* Options with a struct or string value. */
static int setsockopt_special(struct socket *sock, int optname, const void *optval,
			      socklen_t optlen)
{
	struct sock *sk = sock->sk;

	switch (optname) {
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		return set_timeout(&sk->sk_rcvtimeo, optval, optlen);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		return set_timeout(&sk->sk_sndtimeo, optval, optlen);
	case SO_LINGER:
		return set_linger(sk, optval, optlen);
	case SO_BINDTODEVICE:
		return set_bindtodevice(sk, optval, optlen);
	default:
		return 1;
	}
}

int sock_setsockopt(struct socket *sock, int optname, const void *optval, socklen_t optlen)
{
	struct sock *sk = sock->sk;
	struct ns_stack *stack = sk->sk_net;
	int val, rc;

	rc = setsockopt_special(sock, optname, optval, optlen);
	if (rc <= 0)
		return rc;
	if (optlen < sizeof(int))
		return -EINVAL;
	memcpy(&val, optval, sizeof(val));
	switch (optname) {
	case SO_DEBUG:
		return 0;
	case SO_REUSEADDR:
		sk->sk_reuse = val ? SK_CAN_REUSE : SK_NO_REUSE;
		return 0;
	case SO_REUSEPORT:
		sk->sk_reuseport = val ? 1 : 0;
		return 0;
	case SO_DONTROUTE:
		return 0;
	case SO_BROADCAST:
		sock_valbool_flag(sk, SOCK_BROADCAST, val);
		return 0;
	case SO_KEEPALIVE:
		sock_valbool_flag(sk, SOCK_KEEPOPEN, val);
		return 0;
	case SO_SNDBUF:
		/* min_t(u32, val, wmem_max): a negative value takes the cap */
		set_sndbuf(sk, (int)NS_MIN((uint32_t)val, (uint32_t)stack->core.wmem_max));
		return 0;
	case SO_SNDBUFFORCE:
		set_sndbuf(sk, NS_MAX(val, 0));
		return 0;
	case SO_RCVBUF:
		set_rcvbuf(sk, (int)NS_MIN((uint32_t)val, (uint32_t)stack->core.rmem_max));
		return 0;
	case SO_RCVBUFFORCE:
		set_rcvbuf(sk, NS_MAX(val, 0));
		return 0;
	case SO_PRIORITY:
		sk->sk_priority = (uint32_t)val;
		return 0;
	case SO_MARK:
		sk->sk_mark = (uint32_t)val;
		return 0;
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
	case SO_ACCEPTCONN:
	default:
		return -ENOPROTOOPT;
	}
}

/* Returns the value's length (lv) after filling *v, or -errno. */
static int getsockopt_int(struct socket *sock, int optname, int *v)
{
	struct sock *sk = sock->sk;

	switch (optname) {
	case SO_DEBUG:
	case SO_DONTROUTE:
		*v = 0;
		break;
	case SO_REUSEADDR:
		*v = sk->sk_reuse;
		break;
	case SO_REUSEPORT:
		*v = sk->sk_reuseport;
		break;
	case SO_BROADCAST:
		*v = sock_flag(sk, SOCK_BROADCAST);
		break;
	case SO_KEEPALIVE:
		*v = sock_flag(sk, SOCK_KEEPOPEN);
		break;
	case SO_SNDBUF:
		*v = sk->sk_sndbuf;
		break;
	case SO_RCVBUF:
		*v = sk->sk_rcvbuf;
		break;
	case SO_TYPE:
		*v = sock->type;
		break;
	case SO_PROTOCOL:
		*v = sk->sk_protocol;
		break;
	case SO_DOMAIN:
		*v = sk->sk_family;
		break;
	case SO_ERROR:
		*v = -sock_error(sk);
		if (!*v)
			*v = sk->sk_err_soft, sk->sk_err_soft = 0;
		break;
	case SO_ACCEPTCONN:
		*v = sk->sk_state == TCP_LISTEN;
		break;
	case SO_PRIORITY:
		*v = (int)sk->sk_priority;
		break;
	case SO_MARK:
		*v = (int)sk->sk_mark;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return sizeof(int);
}

static int getsockopt_bindtodevice(struct sock *sk, void *optval, socklen_t *optlen)
{
	struct net_device *dev = sk->sk_bound_dev_if ?
		dev_get_by_index(sk->sk_net, sk->sk_bound_dev_if) : NULL;
	size_t n;

	if (!dev) {
		*optlen = 0;
		return 0;
	}
	n = strlen(dev->name) + 1;
	if (*optlen < n)
		return -EINVAL;
	memcpy(optval, dev->name, n);
	*optlen = (socklen_t)n;
	return 0;
}

int sock_getsockopt(struct socket *sock, int optname, void *optval, socklen_t *optlen)
{
	struct sock *sk = sock->sk;
	union {
		int val;
		struct timeval tv;
		struct linger ling;
	} v;
	int lv;

	memset(&v, 0, sizeof(v));
	switch (optname) {
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		lv = get_timeout(sk->sk_rcvtimeo, &v.tv);
		break;
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		lv = get_timeout(sk->sk_sndtimeo, &v.tv);
		break;
	case SO_LINGER:
		v.ling.l_onoff = sock_flag(sk, SOCK_LINGER);
		v.ling.l_linger = sk->sk_lingertime;
		lv = sizeof(v.ling);
		break;
	case SO_BINDTODEVICE:
		return getsockopt_bindtodevice(sk, optval, optlen);
	default:
		lv = getsockopt_int(sock, optname, &v.val);
		if (lv < 0)
			return lv;
	}
	if (*optlen > (socklen_t)lv)
		*optlen = (socklen_t)lv;
	memcpy(optval, &v, *optlen);
	return 0;
}
