/* socket.h - the BSD socket API of one nstack instance.
 *
 * Every call mirrors its Linux system call: same arguments (after the
 * stack), same types (struct sockaddr, struct msghdr, struct iovec,
 * struct pollfd from the C library), same return values and the same errno
 * values, so a libc shim can map one to one. Unlike the rest of nstack's
 * API, these calls return -1 and set errno (the C library's thread-local
 * errno) on failure, exactly as Linux does.
 *
 * Descriptors are small integers in a per-stack table, lowest free first,
 * bounded by /proc/sys/net/nstack/max_fds (default 1024; EMFILE beyond).
 * They are not kernel file descriptors: pass them only to ns_* calls.
 * Sockets and epoll instances share the table, as in Linux.
 *
 * Supported now: AF_INET SOCK_DGRAM (UDP). SOCK_STREAM answers
 * ESOCKTNOSUPPORT until TCP registers; other families EAFNOSUPPORT.
 *
 * Blocking: a call blocks (unless O_NONBLOCK / SOCK_NONBLOCK / MSG_DONTWAIT)
 * by sleeping on a condition variable until the stack makes progress,
 * honouring SO_RCVTIMEO / SO_SNDTIMEO (then EAGAIN). This needs someone to
 * run the stack: the loop thread (ns_stack_start_thread) or, without it, the
 * blocking call runs the loop itself. Calls made from the loop thread (from
 * a callback inside ns_stack_step) never block: they answer EAGAIN.
 * With a virtual clock and no loop thread, a blocking call that cannot
 * progress (idle stack) answers EAGAIN at once. See docs/threads.md.
 *
 * No signals are ever raised (EPIPE comes without SIGPIPE) and EINTR never
 * happens. */
#ifndef NSTACK_SOCKET_H
#define NSTACK_SOCKET_H

#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "nstack/nstack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- creation and addresses ---------------------------------------------------
 * ns_socket: a new socket descriptor. type may carry SOCK_NONBLOCK and
 * SOCK_CLOEXEC (accepted, meaningless here). Errors: EAFNOSUPPORT (family),
 * EINVAL (bad type or flags, protocol out of range), ESOCKTNOSUPPORT (no
 * protocol of that type), EPROTONOSUPPORT (protocol does not match type),
 * EMFILE (descriptor table full), ENOMEM. */
int ns_socket(struct ns_stack *stack, int domain, int type, int protocol);

/* ns_bind: give the socket a local address (port 0: ephemeral port from
 * net.ipv4.ip_local_port_range). EBADF, ENOTSOCK, EFAULT (NULL address with
 * a length), EINVAL (addrlen too short, already bound), EAFNOSUPPORT (family
 * not AF_INET), EADDRNOTAVAIL (not a local address), EADDRINUSE (taken;
 * SO_REUSEADDR / SO_REUSEPORT on every socket allow sharing), EAGAIN (no
 * ephemeral port left). */
int ns_bind(struct ns_stack *stack, int fd, const struct sockaddr *addr, socklen_t addrlen);

/* ns_connect: datagram sockets set the default peer and filter incoming
 * datagrams (AF_UNSPEC dissolves the association); binds an ephemeral port
 * first when unbound. Stream sockets connect (EINPROGRESS when
 * non-blocking; a blocking call waits up to SO_SNDTIMEO: then EINPROGRESS,
 * as Linux). EBADF, ENOTSOCK, EINVAL, EAFNOSUPPORT, ENETUNREACH, EACCES
 * (broadcast without SO_BROADCAST), EISCONN, EALREADY, ECONNREFUSED. */
int ns_connect(struct ns_stack *stack, int fd, const struct sockaddr *addr, socklen_t addrlen);

/* ns_listen / ns_accept4: stream sockets only (EOPNOTSUPP on datagram
 * sockets). accept4 flags: SOCK_NONBLOCK | SOCK_CLOEXEC, else EINVAL.
 * accept4 blocks up to SO_RCVTIMEO (EAGAIN), EINVAL when not listening,
 * EMFILE when the table is full. */
int ns_listen(struct ns_stack *stack, int fd, int backlog);
int ns_accept4(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen,
	       int flags);

/* ns_getsockname / ns_getpeername: the address is truncated to *addrlen and
 * *addrlen set to its real size. EFAULT (NULL pointers), EINVAL (*addrlen
 * negative), ENOTCONN (getpeername on an unconnected socket). */
int ns_getsockname(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen);
int ns_getpeername(struct ns_stack *stack, int fd, struct sockaddr *addr, socklen_t *addrlen);

/* ---- data ----------------------------------------------------------------------------
 * ns_sendmsg and friends: bytes sent, or -1. flags: MSG_DONTWAIT,
 * MSG_NOSIGNAL (no-op), MSG_CONFIRM/MSG_MORE (ignored for UDP).
 * EDESTADDRREQ (unconnected, no address), EISCONN (stream socket given an
 * address), EMSGSIZE (datagram > 65507 bytes, or msg_iovlen > 1024),
 * EAGAIN (send buffer full and non-blocking or SO_SNDTIMEO expired),
 * EACCES (broadcast without SO_BROADCAST), ENETUNREACH, ECONNREFUSED (an
 * earlier datagram of a connected UDP socket met a port unreachable),
 * EPIPE (stream socket shut down for writing), EOPNOTSUPP (unknown flags
 * such as MSG_OOB on UDP). */
ssize_t ns_send(struct ns_stack *stack, int fd, const void *buf, size_t len, int flags);
ssize_t ns_sendto(struct ns_stack *stack, int fd, const void *buf, size_t len, int flags,
		  const struct sockaddr *dest, socklen_t addrlen);
ssize_t ns_sendmsg(struct ns_stack *stack, int fd, const struct msghdr *msg, int flags);

/* ns_recvmsg and friends: bytes received (datagrams: the bytes copied, or
 * the datagram's full length with MSG_TRUNC; msg_flags gets MSG_TRUNC when
 * truncated), 0 after shutdown(SHUT_RD), or -1. flags: MSG_DONTWAIT,
 * MSG_PEEK (leave it queued), MSG_TRUNC, MSG_ERRQUEUE (read the IP_RECVERR
 * queue: never blocks, EAGAIN when empty; the cmsg is IP_RECVERR with a
 * struct sock_extended_err). EAGAIN (nothing queued: non-blocking or
 * SO_RCVTIMEO expired), ECONNREFUSED (pending error of a connected UDP
 * socket), ENOTCONN (stream socket not connected). Control messages:
 * IP_PKTINFO when enabled. */
ssize_t ns_recv(struct ns_stack *stack, int fd, void *buf, size_t len, int flags);
ssize_t ns_recvfrom(struct ns_stack *stack, int fd, void *buf, size_t len, int flags,
		    struct sockaddr *src, socklen_t *addrlen);
ssize_t ns_recvmsg(struct ns_stack *stack, int fd, struct msghdr *msg, int flags);

/* ns_shutdown: how SHUT_RD / SHUT_WR / SHUT_RDWR (else EINVAL). On an
 * unconnected datagram socket it answers ENOTCONN but still shuts down and
 * wakes readers (Linux does the same). */
int ns_shutdown(struct ns_stack *stack, int fd, int how);

/* ns_close: release the descriptor (a socket or an epoll instance). Threads
 * blocked in calls on it wake with EBADF. EBADF when not open. */
int ns_close(struct ns_stack *stack, int fd);

/* ---- options ----------------------------------------------------------------------------
 * SOL_SOCKET: SO_RCVBUF/SO_SNDBUF (doubled, capped by net.core.rmem_max /
 * wmem_max, floors 2304/4608), SO_RCVBUFFORCE/SO_SNDBUFFORCE (no cap),
 * SO_REUSEADDR, SO_REUSEPORT, SO_BROADCAST, SO_KEEPALIVE, SO_ERROR (read and
 * clear), SO_TYPE, SO_PROTOCOL, SO_DOMAIN, SO_ACCEPTCONN (read only),
 * SO_RCVTIMEO/SO_SNDTIMEO (struct timeval; {0,0} = forever; EDOM for
 * tv_usec out of range), SO_LINGER, SO_BINDTODEVICE (interface name;
 * ENODEV), SO_PRIORITY, SO_MARK.
 * SOL_IP (UDP): IP_TTL (1..255, -1 = default), IP_TOS, IP_RECVERR,
 * IP_PKTINFO, IP_MTU_DISCOVER.
 * Errors: EBADF, ENOTSOCK, ENOPROTOOPT (unknown option or level), EINVAL
 * (optlen too short, bad value), EFAULT (NULL optval). getsockopt truncates
 * to *optlen like Linux (EINVAL when *optlen < 0). */
int ns_setsockopt(struct ns_stack *stack, int fd, int level, int optname, const void *optval,
		  socklen_t optlen);
int ns_getsockopt(struct ns_stack *stack, int fd, int level, int optname, void *optval,
		  socklen_t *optlen);

/* ns_fcntl: F_GETFL / F_SETFL (O_NONBLOCK), F_GETFD / F_SETFD (FD_CLOEXEC,
 * kept but meaningless). Other commands: EINVAL. */
int ns_fcntl(struct ns_stack *stack, int fd, int cmd, ...);
/* ns_ioctl: FIONBIO (int *), FIONREAD/SIOCINQ (int *: size of the next
 * datagram), SIOCOUTQ (int *: bytes in the send buffer). ENOTTY otherwise. */
int ns_ioctl(struct ns_stack *stack, int fd, unsigned long request, void *arg);

/* ---- readiness ----------------------------------------------------------------------------
 * ns_poll: like poll(2) over ns descriptors (negative fd: ignored; unknown
 * fd: POLLNVAL). timeout_ms -1 waits forever, 0 never waits. Returns the
 * number of entries with events, 0 on timeout, -1 (EINVAL: nfds above
 * max_fds; EFAULT: NULL fds with nfds > 0). */
int ns_poll(struct ns_stack *stack, struct pollfd *fds, nfds_t nfds, int timeout_ms);

/* ns_epoll_*: Linux's epoll over ns descriptors. Level-triggered by
 * default; EPOLLET (edge: reported once per new event), EPOLLONESHOT
 * (disabled after one report until EPOLL_CTL_MOD). EPOLLERR and EPOLLHUP are
 * always reported. Closing a socket removes it from every epoll set.
 * epoll_create1 flags: EPOLL_CLOEXEC (else EINVAL). epoll_ctl: EBADF, EINVAL
 * (epfd is not an epoll instance, fd == epfd, bad op, an epoll fd as the
 * target: nesting is not supported), EEXIST, ENOENT. epoll_wait: EINVAL
 * (maxevents <= 0, not an epoll fd), EBADF. */
int ns_epoll_create1(struct ns_stack *stack, int flags);
int ns_epoll_create(struct ns_stack *stack, int size);	/* size > 0, else EINVAL */
int ns_epoll_ctl(struct ns_stack *stack, int epfd, int op, int fd, struct epoll_event *event);
int ns_epoll_wait(struct ns_stack *stack, int epfd, struct epoll_event *events, int maxevents,
		  int timeout_ms);
/* A kernel eventfd that is readable while the epoll instance has ready
 * entries: put it in your own event loop (with ns_stack_fd() for driver
 * input), then call ns_epoll_wait(..., 0). Owned by the instance (do not
 * close it). -1 with EBADF/EINVAL. */
int ns_epoll_event_fd(struct ns_stack *stack, int epfd);

/* ---- threads -------------------------------------------------------------------------------
 * Run the stack's loop in a thread of its own. Other threads may then call
 * any ns_* function; blocking calls sleep until the loop makes progress.
 * Both return 0 or -errno (-EBUSY: already running; -ESRCH: not running;
 * -EDEADLK: stop called from the loop thread; -EINVAL: the stack was
 * created single_thread). ns_stack_destroy stops it. */
int ns_stack_start_thread(struct ns_stack *stack);
int ns_stack_stop_thread(struct ns_stack *stack);
/* The stack lock: hold it around your own ns_stack_step / ns_dev_rx /
 * configuration calls when another thread may use the stack (the ns_*
 * socket calls and the loop thread take it themselves). Recursive. */
void ns_stack_lock(struct ns_stack *stack);
void ns_stack_unlock(struct ns_stack *stack);

#ifdef __cplusplus
}
#endif
#endif
