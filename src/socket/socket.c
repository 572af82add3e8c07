/* socket.c - the socket system calls (Linux net/socket.c and the generic
 * parts of net/ipv4/af_inet.c): the per-stack descriptor table, argument
 * checks in Linux's order, and the wait loop that turns the non-blocking
 * proto ops into blocking calls (sock.h). Each call takes the stack lock;
 * errors come back as -1 with errno set. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "nstack/socket.h"
#include "socket/sock.h"

#define UIO_MAXIOV 1024
#define SOCK_MAX 11		/* SOCK_PACKET + 1 */
#define NS_IPPROTO_MAX 263	/* Linux's IPPROTO_MAX */

/* The tail of every public call: drop the stack lock, then rc as a system
 * call returns it (-1 with errno for a negative errno value). */
int sock_net_unlock_ret(struct ns_stack *stack, int rc)
{
	sock_net_unlock(stack);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* ---- descriptor table ------------------------------------------------------------------ */
struct ns_file *ns_fget(struct ns_stack *stack, int fd)
{
	struct netns_sock *ss = stack->sock;
	struct ns_file *f;

	if (fd < 0 || fd >= ss->files_cap || !(f = ss->files[fd]))
		return NULL;
	f->refs++;
	return f;
}

static void file_free(struct ns_stack *stack, struct ns_file *f)
{
	if (f->kind == NS_FILE_EPOLL)
		ep_free((struct ns_eventpoll *)(void *)f);
	else
		ns_obj_free(stack, f, sizeof(struct socket));
}

void ns_fput(struct ns_stack *stack, struct ns_file *f)
{
	if (--f->refs == 0)
		file_free(stack, f);
}

int ns_fd_install(struct ns_stack *stack, struct ns_file *f)
{
	struct netns_sock *ss = stack->sock;
	int fd;

	if (ss->nr_files >= ss->max_fds)
		return -EMFILE;
	for (fd = 0; fd < ss->files_cap && ss->files[fd]; fd++)
		;
	if (fd == ss->files_cap) {
		int cap = ss->files_cap ? ss->files_cap * 2 : 16;
		struct ns_file **n = realloc(ss->files, sizeof(*n) * (size_t)cap);

		if (!n)
			return -ENOMEM;
		memset(n + ss->files_cap, 0, sizeof(*n) * (size_t)(cap - ss->files_cap));
		ss->files = n;
		ss->files_cap = cap;
	}
	ss->files[fd] = f;
	ss->nr_files++;
	f->fd = fd;
	f->refs = 1;
	return fd;
}

struct ns_file *ns_fget_kind(struct ns_stack *stack, int fd, enum ns_file_kind kind,
			     int wrong_kind, int *err)
{
	struct ns_file *f = ns_fget(stack, fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->kind != kind) {
		ns_fput(stack, f);
		*err = wrong_kind;
		return NULL;
	}
	return f;
}

/* ns_fget_kind(fd, NS_FILE_SOCKET, -ENOTSOCK) inlined: every socket call
 * starts here. */
static inline struct socket *sockfd_lookup(struct ns_stack *stack, int fd, int *err)
{
	struct netns_sock *ss = stack->sock;
	struct ns_file *f;

	if (unlikely(fd < 0 || fd >= ss->files_cap || !(f = ss->files[fd]))) {
		*err = -EBADF;
		return NULL;
	}
	if (unlikely(f->kind != NS_FILE_SOCKET)) {
		*err = -ENOTSOCK;
		return NULL;
	}
	f->refs++;
	return (struct socket *)(void *)f;
}

static inline void sockfd_put(struct ns_stack *stack, struct socket *sock)
{
	if (--sock->file.refs == 0)	/* ns_fput, inline: every call ends here */
		file_free(stack, &sock->file);
}

/* sock_net_unlock_ret, inline for the data calls */
static inline int sock_unlock_ret(struct ns_stack *stack, int rc)
{
	sock_net_unlock(stack);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* ---- socket creation ---------------------------------------------------------------------- */
static void sock_init_data(struct ns_stack *stack, struct sock *sk, const struct proto *prot)
{
	struct inet_sock *inet = inet_sk(sk);

	sk->sk_net = stack;
	sk->sk_prot = prot;
	sk->sk_refcnt = 1;
	sk->sk_state = TCP_CLOSE;
	sk->sk_rcvbuf = stack->core.rmem_default;
	sk->sk_sndbuf = stack->core.wmem_default;
	sk->sk_rcvtimeo = NS_MAX_TIMEOUT;
	sk->sk_sndtimeo = NS_MAX_TIMEOUT;
	sk->sk_ino = stack->sock->next_ino++;
	skb_queue_head_init(&sk->sk_receive_queue);
	skb_queue_head_init(&sk->sk_write_queue);
	skb_queue_head_init(&sk->sk_error_queue);
	INIT_HLIST_NODE(&sk->sk_node);
	sk->sk_cb = &sock_def_callbacks;
	inet->uc_ttl = -1;
	inet->pmtudisc = IP_PMTUDISC_WANT;
}

/* Linux's inet_create: find the protosw entry, with its wildcard rules. */
static int protosw_find(struct ns_stack *stack, int family, int type, int *protocol,
			const struct proto **prot)
{
	struct inet_protosw *a;
	bool family_known = false;
	int err = -ESOCKTNOSUPPORT;

	list_for_each_entry(a, &stack->sock->protosw, list) {
		if (a->family != family)
			continue;
		family_known = true;
		if (a->type != type)
			continue;
		err = 0;
		if (*protocol == a->protocol && *protocol != IPPROTO_IP)
			break;
		if (*protocol == IPPROTO_IP) {
			*protocol = a->protocol;
			break;
		}
		err = -EPROTONOSUPPORT;
	}
	if (!family_known)
		return -EAFNOSUPPORT;
	if (!err && &a->list != &stack->sock->protosw)
		*prot = a->prot;
	return err;
}

/* A zeroed struct socket from the stack's object cache: one is made and
 * freed per connection (and malloc + memset became calloc, which in glibc
 * skips the per-thread cache). */
static struct socket *socket_zalloc(struct ns_stack *stack)
{
	return ns_obj_alloc(stack, sizeof(struct socket));
}

static void socket_free(struct ns_stack *stack, struct socket *sock)
{
	if (sock)
		ns_obj_free(stack, sock, sizeof(*sock));
}

static struct socket *socket_alloc(struct ns_stack *stack, int type, const struct proto *prot,
				   int family, int protocol, int *err)
{
	struct socket *sock = socket_zalloc(stack);
	struct sock *sk = sk_obj_alloc(stack, prot->obj_size);

	if (!sock || !sk) {
		socket_free(stack, sock);
		free(sk);
		*err = -ENOMEM;
		return NULL;
	}
	sock->file.kind = NS_FILE_SOCKET;
	sock->type = (short)type;
	sock->state = SS_UNCONNECTED;
	sock->ep_items.first = NULL;
	sock_init_data(stack, sk, prot);
	sk->sk_family = (unsigned short)family;
	sk->sk_type = (unsigned short)type;
	sk->sk_protocol = protocol;
	sk->sk_socket = sock;
	sock->sk = sk;
	stack->sock->nr_socks++;
	*err = prot->init ? prot->init(sk) : 0;
	if (*err) {
		sk->sk_socket = NULL;
		sock_put(sk);
		socket_free(stack, sock);
		return NULL;
	}
	return sock;
}

/* Drop a socket that never reached the table (or was just taken out of it). */
static void socket_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	ep_sock_release(sock);
	sock->file.closed = true;
	sock->sk = NULL;
	sk->sk_socket = NULL;
	sock_set_flag(sk, SOCK_DEAD);
	if (sk->sk_prot->close)
		sk->sk_prot->close(sk, sock_flag(sk, SOCK_LINGER) ? sk->sk_lingertime : 0);
	else
		sock_put(sk);
}

static int do_socket(struct ns_stack *stack, int family, int type, int protocol)
{
	int flags = type & ~0xf, err, fd;
	const struct proto *prot = NULL;
	struct socket *sock;

	type &= 0xf;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX || (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)))
		return -EINVAL;
	if (protocol < 0 || protocol >= NS_IPPROTO_MAX)
		return -EINVAL;
	err = protosw_find(stack, family, type, &protocol, &prot);
	if (err)
		return err;
	sock = socket_alloc(stack, type, prot, family, protocol, &err);
	if (!sock)
		return err;
	if (flags & SOCK_NONBLOCK)
		sock->flags |= O_NONBLOCK;
	fd = ns_fd_install(stack, &sock->file);
	if (fd < 0) {
		socket_release(sock);
		socket_free(stack, sock);
	}
	return fd;
}

int ns_socket(struct ns_stack *stack, int domain, int type, int protocol)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_socket(stack, domain, type, protocol));
}

/* ---- waiting ---------------------------------------------------------------------------- */
/* 0: none. A non-blocking call (timeo 0) never waits, so it reads no
 * clock: the hot path of a polling application costs no clock_gettime. */
static uint64_t deadline_of(int64_t timeo)
{
	if (timeo == NS_MAX_TIMEOUT || timeo == 0)
		return 0;
	return sock_mono_ns() + (uint64_t)timeo;
}

/* One wait between two attempts of a non-blocking op. 0: try again;
 * -EAGAIN: timed out (or cannot progress); -EBADF: closed meanwhile. */
static int sock_wait(struct socket *sock, int64_t timeo, uint64_t deadline)
{
	struct ns_stack *stack = sock->sk->sk_net;

	if (timeo == 0 || !sock_net_may_sleep(stack))
		return -EAGAIN;
	if (!sock_net_wait(stack, deadline))
		return sock->file.closed ? -EBADF : -EAGAIN;
	return sock->file.closed ? -EBADF : 0;
}

static bool sock_nonblock(const struct socket *sock, int flags)
{
	return (sock->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* ---- bind / connect / listen / accept ----------------------------------------------------- */
static int check_user_addr(const struct sockaddr *addr, socklen_t addrlen)
{
	if ((int)addrlen < 0 || addrlen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (!addr && addrlen)
		return -EFAULT;
	return 0;
}

/* Linux's inet_bind prologue. */
static int inet_bind_check(struct sock *sk, const struct sockaddr *addr, socklen_t addrlen)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)addr;

	if (addrlen < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (sin->sin_family != AF_INET &&
	    (sin->sin_family != AF_UNSPEC || sin->sin_addr.s_addr != htonl(INADDR_ANY)))
		return -EAFNOSUPPORT;
	if (sk->sk_state != TCP_CLOSE || inet_sk(sk)->inet_num)
		return -EINVAL;
	return 0;
}

static int do_bind(struct ns_stack *stack, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);

	if (!sock)
		return err;
	err = check_user_addr(addr, addrlen);
	if (!err && sock->sk->sk_family == AF_INET)
		err = inet_bind_check(sock->sk, addr, addrlen);
	if (!err)
		err = sock->sk->sk_prot->bind ? sock->sk->sk_prot->bind(sock->sk, addr, (int)addrlen)
					      : -EOPNOTSUPP;
	sockfd_put(stack, sock);
	return err;
}

int ns_bind(struct ns_stack *stack, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_bind(stack, fd, addr, addrlen));
}

/* Linux's inet_autobind: an ephemeral port before the first send/connect. */
static int inet_autobind(struct sock *sk)
{
	if (inet_sk(sk)->inet_num || !sk->sk_prot->get_port)
		return 0;
	if (sk->sk_prot->get_port(sk, 0))
		return -EAGAIN;
	return 0;
}

static int dgram_connect(struct socket *sock, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sock *sk = sock->sk;
	int err;

	if (addrlen < sizeof(addr->sa_family))
		return -EINVAL;
	if (addr->sa_family == AF_UNSPEC) {
		err = sk->sk_prot->disconnect ? sk->sk_prot->disconnect(sk, 0) : 0;
		sock->state = err ? sock->state : SS_UNCONNECTED;
		return err;
	}
	err = inet_autobind(sk);
	if (!err)
		err = sk->sk_prot->connect(sk, addr, (int)addrlen);
	if (!err)
		sock->state = SS_CONNECTED;
	return err;
}

/* Stream: the proto answers -EINPROGRESS; wait for the state change. */
static int stream_connect(struct socket *sock, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sock *sk = sock->sk;
	int64_t timeo = (sock->flags & O_NONBLOCK) ? 0 : sk->sk_sndtimeo;
	uint64_t deadline = deadline_of(timeo);
	int err;

	if (addrlen < sizeof(addr->sa_family))
		return -EINVAL;
	/* Linux's __inet_stream_connect: AF_UNSPEC disconnects (an abort;
	 * on a listener its queued children go too) */
	if (addr->sa_family == AF_UNSPEC) {
		err = sk->sk_prot->disconnect ? sk->sk_prot->disconnect(sk, 0) : 0;
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		return err;
	}
	if (sock->state == SS_CONNECTED)
		return -EISCONN;
	if (sock->state == SS_CONNECTING)
		return sock_error(sk) ?: -EALREADY;
	err = sk->sk_prot->connect(sk, addr, (int)addrlen);
	if (err != -EINPROGRESS)
		return err;
	sock->state = SS_CONNECTING;
	while (!(sock_poll_mask(sk) & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		err = sock_wait(sock, timeo, deadline);
		if (err == -EAGAIN)
			return -EINPROGRESS;
		if (err)
			return err;
	}
	err = sock_error(sk);
	sock->state = err ? SS_UNCONNECTED : SS_CONNECTED;
	return err;
}

static int do_connect(struct ns_stack *stack, int fd, const struct sockaddr *addr,
		      socklen_t addrlen)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);

	if (!sock)
		return err;
	err = check_user_addr(addr, addrlen);
	if (!err && !addr)
		err = -EINVAL;
	if (!err && !sock->sk->sk_prot->connect)
		err = -EOPNOTSUPP;
	if (!err)
		err = sock->type == SOCK_STREAM ? stream_connect(sock, addr, addrlen)
						: dgram_connect(sock, addr, addrlen);
	sockfd_put(stack, sock);
	sock_net_kick(stack);
	return err;
}

int ns_connect(struct ns_stack *stack, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_connect(stack, fd, addr, addrlen));
}

int ns_listen(struct ns_stack *stack, int fd, int backlog)
{
	int err;
	struct socket *sock;

	sock_net_lock(stack);
	sock = sockfd_lookup(stack, fd, &err);
	if (sock) {
		/* __sys_listen caps at net.core.somaxconn */
		if ((unsigned int)backlog > (unsigned int)stack->core.somaxconn)
			backlog = stack->core.somaxconn;
		err = sock->sk->sk_prot->listen ? sock->sk->sk_prot->listen(sock->sk, backlog)
						: -EOPNOTSUPP;
		sockfd_put(stack, sock);
	}
	return sock_net_unlock_ret(stack, err);
}

static int getname(struct sock *sk, struct sockaddr *addr, socklen_t *addrlen, int peer);

static int accept_install(struct ns_stack *stack, struct socket *lsock, struct sock *newsk,
			  int flags, struct sockaddr *addr, socklen_t *addrlen)
{
	struct socket *nsock = socket_zalloc(stack);
	int fd;

	if (!nsock) {
		newsk->sk_prot->close(newsk, 0);
		return -ENOMEM;
	}
	nsock->file.kind = NS_FILE_SOCKET;
	nsock->type = lsock->type;
	nsock->state = SS_CONNECTED;
	nsock->flags = (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
	nsock->ep_items.first = NULL;
	nsock->sk = newsk;
	newsk->sk_socket = nsock;
	fd = ns_fd_install(stack, &nsock->file);
	if (fd < 0) {
		socket_release(nsock);
		socket_free(stack, nsock);
		return fd;
	}
	if (addr)
		getname(newsk, addr, addrlen, 1);
	return fd;
}

static int do_accept(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen,
		     int flags)
{
	int err;
	struct socket *sock;
	struct sock *sk, *newsk;
	int64_t timeo;
	uint64_t deadline;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	sock = sockfd_lookup(stack, fd, &err);
	if (!sock)
		return err;
	sk = sock->sk;
	if (!sk->sk_prot->accept) {
		sockfd_put(stack, sock);
		return -EOPNOTSUPP;
	}
	if (addr && (!addrlen || (int)*addrlen < 0)) {
		sockfd_put(stack, sock);
		return addrlen ? -EINVAL : -EFAULT;
	}
	timeo = (sock->flags & O_NONBLOCK) ? 0 : sk->sk_rcvtimeo;
	deadline = deadline_of(timeo);
	err = 0;
	while (!(newsk = sk->sk_prot->accept(sk, 0, &err)) && err == -EAGAIN) {
		err = sock_wait(sock, timeo, deadline);
		if (err)
			break;
		sk = sock->sk;
	}
	if (newsk && sock->file.closed) {
		newsk->sk_prot->close(newsk, 0);
		err = -EBADF;
	} else if (newsk) {
		err = accept_install(stack, sock, newsk, flags, addr, addrlen);
	}
	sockfd_put(stack, sock);
	return err;
}

int ns_accept4(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen,
	       int flags)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_accept(stack, fd, addr, addrlen, flags));
}

/* ---- names ---------------------------------------------------------------------------------- */
/* Linux's inet_getname, then move_addr_to_user's truncation. */
static int getname(struct sock *sk, struct sockaddr *addr, socklen_t *addrlen, int peer)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
	const struct inet_sock *inet = inet_sk(sk);
	socklen_t len = sizeof(*sin);

	memset(&ss, 0, sizeof(ss));
	if (sk->sk_prot->getname) {
		int rc = sk->sk_prot->getname(sk, (struct sockaddr *)&ss, peer);

		if (rc < 0)
			return rc;
		len = (socklen_t)rc;
	} else {
		sin->sin_family = AF_INET;
		if (peer) {
			if (!inet->inet_dport || (peer == 1 && sk->sk_state == TCP_CLOSE &&
						  sk->sk_type == SOCK_STREAM))
				return -ENOTCONN;
			sin->sin_port = htons(inet->inet_dport);
			sin->sin_addr.s_addr = htonl(inet->inet_daddr);
		} else {
			uint32_t a = inet->inet_rcv_saddr ? inet->inet_rcv_saddr : inet->inet_saddr;

			sin->sin_port = htons(inet->inet_sport);
			sin->sin_addr.s_addr = htonl(a);
		}
	}
	memcpy(addr, &ss, NS_MIN(len, *addrlen));
	*addrlen = len;
	return 0;
}

/* A buffer and its value-result length handed in to be filled: -EFAULT
 * when either is missing, -EINVAL for a negative length (Linux's order). */
static int check_user_buf(const void *buf, const socklen_t *len)
{
	if (!buf || !len)
		return -EFAULT;
	return (int)*len < 0 ? -EINVAL : 0;
}

static int do_getname(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen,
		      int peer)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);

	if (!sock)
		return err;
	err = check_user_buf(addr, addrlen);
	if (!err)
		err = getname(sock->sk, addr, addrlen, peer);
	sockfd_put(stack, sock);
	return err;
}

int ns_getsockname(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_getname(stack, fd, addr, addrlen, 0));
}

int ns_getpeername(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_getname(stack, fd, addr, addrlen, 1));
}

/* ---- data ------------------------------------------------------------------------------------ */
#define MAX_RW_COUNT ((size_t)0x7ffff000)	/* Linux's cap on one read or write */

static int check_msg(const struct msghdr *msg, size_t *len)
{
	if (!msg || (msg->msg_iovlen && !msg->msg_iov))
		return -EFAULT;
	if (msg->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (msg->msg_name && ((int)msg->msg_namelen < 0 ||
			      msg->msg_namelen > sizeof(struct sockaddr_storage)))
		return -EINVAL;
	*len = iov_total(msg);
	if (*len > MAX_RW_COUNT)
		*len = MAX_RW_COUNT;
	return 0;
}

/* The socket behind fd, with msg checked and its length in *len; NULL with
 * *err set (-EBADF, -ENOTSOCK or check_msg's answer) otherwise. */
static struct socket *sockfd_lookup_msg(struct ns_stack *stack, int fd, const struct msghdr *msg,
					size_t *len, int *err)
{
	struct socket *sock = sockfd_lookup(stack, fd, err);

	if (sock) {
		*err = check_msg(msg, len);
		if (*err) {
			sockfd_put(stack, sock);
			return NULL;
		}
	}
	return sock;
}

/* The body of sendmsg once the socket is found and msg checked (len its
 * payload, msg_name NULL when msg_namelen is 0). Drops the socket's file
 * reference. Inlined into each entry point: send() and recv() are the
 * hottest calls, and the frame and register saves of one more level cost
 * as much as some of their checks. */
static inline __attribute__((always_inline)) ssize_t sock_sendmsg_locked(struct ns_stack *stack, struct socket *sock,
				   const struct msghdr *msg, size_t len, int flags)
{
	struct sock *sk = sock->sk;
	int64_t timeo;
	uint64_t deadline;
	int err;

	err = inet_autobind(sk);
	if (err)
		goto out;
	timeo = sock_nonblock(sock, flags) ? 0 : sk->sk_sndtimeo;
	deadline = deadline_of(timeo);
	for (;;) {
		err = sk->sk_prot->sendmsg ? sk->sk_prot->sendmsg(sk, msg, len, flags)
					   : -EOPNOTSUPP;
		if (err != -EAGAIN)
			break;
		err = sock_wait(sock, timeo, deadline);
		if (err)
			break;
	}
out:
	sockfd_put(stack, sock);
	sock_net_kick(stack);
	return err;
}

static ssize_t do_sendmsg(struct ns_stack *stack, int fd, const struct msghdr *umsg, int flags)
{
	struct msghdr msg;
	struct socket *sock;
	size_t len;
	int err;

	sock = sockfd_lookup_msg(stack, fd, umsg, &len, &err);
	if (!sock)
		return err;
	msg = *umsg;
	if (!msg.msg_namelen)
		msg.msg_name = NULL;
	return sock_sendmsg_locked(stack, sock, &msg, len, flags);
}

ssize_t ns_sendmsg(struct ns_stack *stack, int fd, const struct msghdr *msg, int flags)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, (int)do_sendmsg(stack, fd, msg, flags));
}

/* sendto and send share one body, inlined into each */
static inline __attribute__((always_inline)) ssize_t do_sendto(struct ns_stack *stack, int fd,
							       const void *buf, size_t len, int flags,
							       const struct sockaddr *dest,
							       socklen_t addrlen)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)(uintptr_t)dest, .msg_namelen = addrlen,
			      .msg_iov = &iov, .msg_iovlen = 1 };

	if (dest && ((int)addrlen < 0 || addrlen > sizeof(struct sockaddr_storage))) {
		errno = EINVAL;
		return -1;
	}
	struct socket *sock;
	int err;

	if (!dest || !addrlen) {
		msg.msg_name = NULL;
		msg.msg_namelen = 0;
	}
	if (!buf && len) {
		errno = EFAULT;
		return -1;
	}
	/* one buffer, the address checked above: check_msg has nothing to
	 * check, the msghdr is built once and the fd looked up once */
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	sock_net_lock(stack);
	sock = sockfd_lookup(stack, fd, &err);
	if (!sock)
		return sock_unlock_ret(stack, err);
	return sock_unlock_ret(stack, (int)sock_sendmsg_locked(stack, sock, &msg, len, flags));
}

ssize_t ns_sendto(struct ns_stack *stack, int fd, const void *buf, size_t len, int flags,
		  const struct sockaddr *dest, socklen_t addrlen)
{
	return do_sendto(stack, fd, buf, len, flags, dest, addrlen);
}

ssize_t ns_send(struct ns_stack *stack, int fd, const void *buf, size_t len, int flags)
{
	return do_sendto(stack, fd, buf, len, flags, NULL, 0);
}

/* The body of recvmsg once the socket is found and msg checked (len the
 * buffers' room). Drops the socket's file reference. Inlined, as
 * sock_sendmsg_locked. */
static inline __attribute__((always_inline)) ssize_t sock_recvmsg_locked(struct ns_stack *stack, struct socket *sock,
				   struct msghdr *msg, size_t len, int flags)
{
	struct sock *sk = sock->sk;
	void *control = msg->msg_control;
	size_t controllen = msg->msg_controllen;
	int64_t timeo;
	uint64_t deadline;
	int err;

	timeo = (sock_nonblock(sock, flags) || (flags & MSG_ERRQUEUE)) ? 0 : sk->sk_rcvtimeo;
	deadline = deadline_of(timeo);
	for (;;) {
		msg->msg_flags = 0;
		msg->msg_control = control;
		msg->msg_controllen = controllen;
		err = sk->sk_prot->recvmsg ? sk->sk_prot->recvmsg(sk, msg, len, flags)
					   : -EOPNOTSUPP;
		if (err != -EAGAIN)
			break;
		/* a blocking read of a socket shut down for reading: EOF */
		if ((sk->sk_shutdown & RCV_SHUTDOWN) && timeo) {
			err = 0;
			break;
		}
		err = timeo ? sock_wait(sock, timeo, deadline) : -EAGAIN;
		if (err)
			break;
	}
	/* on success msg_controllen says how much was used; a failed call
	 * leaves the caller's msghdr as it was (Linux copies back on success) */
	msg->msg_controllen = err < 0 ? controllen : controllen - msg->msg_controllen;
	msg->msg_control = control;
	if (err < 0)
		msg->msg_flags = 0;
	sockfd_put(stack, sock);
	return err;
}

static ssize_t do_recvmsg(struct ns_stack *stack, int fd, struct msghdr *msg, int flags)
{
	struct socket *sock;
	size_t len;
	int err;

	sock = sockfd_lookup_msg(stack, fd, msg, &len, &err);
	if (!sock)
		return err;
	return sock_recvmsg_locked(stack, sock, msg, len, flags);
}

ssize_t ns_recvmsg(struct ns_stack *stack, int fd, struct msghdr *msg, int flags)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, (int)do_recvmsg(stack, fd, msg, flags));
}

/* recvfrom and recv share one body, inlined into each */
static inline __attribute__((always_inline)) ssize_t do_recvfrom(struct ns_stack *stack, int fd,
								 void *buf, size_t len, int flags,
								 struct sockaddr *src,
								 socklen_t *addrlen)
{
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = &ss, .msg_namelen = sizeof(ss),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t rc;

	if (src && addrlen && (int)*addrlen < 0) {
		errno = EINVAL;
		return -1;
	}
	if (!buf && len) {
		errno = EFAULT;
		return -1;
	}
	struct socket *sock;
	int err;

	/* ss needs no clearing: a protocol that reports an address writes
	 * all msg_namelen bytes of it (Linux's recvfrom neither clears it) */
	if (!src || !addrlen)
		msg.msg_name = NULL;	/* the caller wants no address */
	msg.msg_namelen = 0;
	/* one buffer: check_msg has nothing to check, the fd is looked up once */
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	sock_net_lock(stack);
	sock = sockfd_lookup(stack, fd, &err);
	rc = sock ? sock_recvmsg_locked(stack, sock, &msg, len, flags) : err;
	rc = sock_unlock_ret(stack, (int)rc);
	if (rc >= 0 && src && addrlen) {
		if (msg.msg_namelen)	/* TCP reports none */
			memcpy(src, &ss, NS_MIN(msg.msg_namelen, *addrlen));
		*addrlen = msg.msg_namelen;
	}
	return rc;
}

ssize_t ns_recvfrom(struct ns_stack *stack, int fd, void *buf, size_t len, int flags,
		    struct sockaddr *src, socklen_t *addrlen)
{
	return do_recvfrom(stack, fd, buf, len, flags, src, addrlen);
}

ssize_t ns_recv(struct ns_stack *stack, int fd, void *buf, size_t len, int flags)
{
	return do_recvfrom(stack, fd, buf, len, flags, NULL, NULL);
}

/* ---- shutdown / close ------------------------------------------------------------------------- */
/* Linux's inet_shutdown. */
static int do_shutdown(struct ns_stack *stack, int fd, int how)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);
	struct sock *sk;

	if (!sock)
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR) {
		sockfd_put(stack, sock);
		return -EINVAL;
	}
	sk = sock->sk;
	how++;	/* SHUT_RD -> RCV_SHUTDOWN ... */
	err = 0;
	if (sk->sk_state == TCP_CLOSE)
		err = -ENOTCONN;	/* still shut down: wakes pollers (Linux) */
	sk->sk_shutdown |= (uint8_t)how;
	if (sk->sk_prot->shutdown)
		sk->sk_prot->shutdown(sk, how);
	sk_state_change(sk);
	sockfd_put(stack, sock);
	sock_net_kick(stack);
	return err;
}

int ns_shutdown(struct ns_stack *stack, int fd, int how)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_shutdown(stack, fd, how));
}

static void file_close(struct ns_stack *stack, struct ns_file *f)
{
	struct netns_sock *ss = stack->sock;

	ss->files[f->fd] = NULL;
	ss->nr_files--;
	f->closed = true;
	if (f->kind == NS_FILE_SOCKET)
		socket_release((struct socket *)(void *)f);
	if (ss->waiters)
		pthread_cond_broadcast(&ss->cond);
	ns_fput(stack, f);
}

int ns_close(struct ns_stack *stack, int fd)
{
	struct ns_file *f;
	int rc = 0;

	sock_net_lock(stack);
	f = ns_fget(stack, fd);
	if (!f) {
		rc = -EBADF;
	} else {
		file_close(stack, f);
		ns_fput(stack, f);
		sock_net_kick(stack);
	}
	return sock_net_unlock_ret(stack, rc);
}

/* ---- options, fcntl, ioctl ----------------------------------------------------------------------- */
static int do_setsockopt(struct ns_stack *stack, int fd, int level, int optname,
			 const void *optval, socklen_t optlen)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);

	if (!sock)
		return err;
	if ((int)optlen < 0)
		err = -EINVAL;
	else if (!optval && optlen)
		err = -EFAULT;
	else if (level == SOL_SOCKET)
		err = sock_setsockopt(sock, optname, optval, optlen);
	else if (sock->sk->sk_prot->setsockopt)
		err = sock->sk->sk_prot->setsockopt(sock->sk, level, optname, optval, optlen);
	else
		err = -ENOPROTOOPT;
	sockfd_put(stack, sock);
	return err;
}

int ns_setsockopt(struct ns_stack *stack, int fd, int level, int optname, const void *optval,
		  socklen_t optlen)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_setsockopt(stack, fd, level, optname, optval, optlen));
}

/* The option's level: the socket layer's own, else the protocol's. */
static int getsockopt_level(struct socket *sock, int level, int optname, void *optval,
			    socklen_t *optlen)
{
	if (level == SOL_SOCKET)
		return sock_getsockopt(sock, optname, optval, optlen);
	if (sock->sk->sk_prot->getsockopt)
		return sock->sk->sk_prot->getsockopt(sock->sk, level, optname, optval, optlen);
	return -ENOPROTOOPT;
}

static int do_getsockopt(struct ns_stack *stack, int fd, int level, int optname, void *optval,
			 socklen_t *optlen)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);

	if (!sock)
		return err;
	err = check_user_buf(optval, optlen);
	if (!err)
		err = getsockopt_level(sock, level, optname, optval, optlen);
	sockfd_put(stack, sock);
	return err;
}

int ns_getsockopt(struct ns_stack *stack, int fd, int level, int optname, void *optval,
		  socklen_t *optlen)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_getsockopt(stack, fd, level, optname, optval, optlen));
}

static int do_fcntl(struct ns_stack *stack, int fd, int cmd, long arg)
{
	struct ns_file *f = ns_fget(stack, fd);
	struct socket *sock;
	int rc = 0;

	if (!f)
		return -EBADF;
	sock = f->kind == NS_FILE_SOCKET ? (struct socket *)(void *)f : NULL;
	switch (cmd) {
	case F_GETFL:
		rc = O_RDWR | (sock ? sock->flags : 0);
		break;
	case F_SETFL:
		if (sock)
			sock->flags = (sock->flags & ~O_NONBLOCK) | ((int)arg & O_NONBLOCK);
		break;
	case F_GETFD:
	case F_SETFD:
		break;	/* FD_CLOEXEC has no meaning for ns descriptors */
	default:
		rc = -EINVAL;
	}
	ns_fput(stack, f);
	return rc;
}

int ns_fcntl(struct ns_stack *stack, int fd, int cmd, ...)
{
	va_list ap;
	long arg;
	int rc;

	va_start(ap, cmd);
	arg = (cmd == F_SETFL || cmd == F_SETFD) ? va_arg(ap, long) : 0;
	va_end(ap);
	sock_net_lock(stack);
	rc = do_fcntl(stack, fd, cmd, arg);
	return sock_net_unlock_ret(stack, rc);
}

static int do_ioctl(struct ns_stack *stack, int fd, unsigned long request, void *arg)
{
	int err;
	struct socket *sock = sockfd_lookup(stack, fd, &err);
	int v;

	if (!sock)
		return err;
	err = 0;
	if (!arg) {
		err = -EFAULT;
	} else if (request == FIONBIO) {
		memcpy(&v, arg, sizeof(v));
		sock->flags = v ? (sock->flags | O_NONBLOCK) : (sock->flags & ~O_NONBLOCK);
	} else if (request == SIOCOUTQ) {
		v = sock->sk->sk_wmem_alloc;
		memcpy(arg, &v, sizeof(v));
	} else if (sock->sk->sk_prot->ioctl) {
		err = sock->sk->sk_prot->ioctl(sock->sk, (int)request, &v);
		if (!err)
			memcpy(arg, &v, sizeof(v));
	} else {
		err = -ENOTTY;
	}
	sockfd_put(stack, sock);
	return err;
}

int ns_ioctl(struct ns_stack *stack, int fd, unsigned long request, void *arg)
{
	sock_net_lock(stack);
	return sock_net_unlock_ret(stack, do_ioctl(stack, fd, request, arg));
}

/* ---- teardown: a late subsystem whose exit closes what the application left open ---- */
int sock_files_init(struct ns_stack *stack)
{
	(void)stack;
	return 0;
}

void sock_files_exit(struct ns_stack *stack)
{
	struct netns_sock *ss = stack->sock;

	if (ss->thread_running)
		ns_stack_stop_thread(stack);
	sock_net_lock(stack);
	for (int fd = 0; fd < ss->files_cap; fd++) {
		struct ns_file *f = ns_fget(stack, fd);

		if (f) {
			file_close(stack, f);
			ns_fput(stack, f);
		}
	}
	sock_net_unlock(stack);
}
