/* test_socket.c - the socket layer on its own (no network layer): the
 * descriptor table, Linux's errno answers of each call (checked against a
 * Linux 6.x host on loopback with the same call sequences), SOL_SOCKET
 * options, memory accounting, poll and epoll semantics. A test transport
 * (tproto.h) moves datagrams between sockets of one stack. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <unistd.h>

#include "testlib.h"
#include "socktest.h"
#include "tproto.h"
#include "nstack/socket.h"

struct fx {
	struct test_stack *ts;
	struct ns_stack *s;
	struct tp_state *tp;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ts = test_stack_new("sock", 1);
	f->s = f->ts->stack;
	f->tp = tp_attach(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (int fd = 0; fd < 2048; fd++)
		ns_close(f->s, fd);
	assert_int_equal(f->s->sock->nr_socks, 0);
	tp_detach(f->tp);
	test_stack_free(f->ts);
	free(f);
	return 0;
}

static int tsock(struct fx *f)
{
	int fd = ns_socket(f->s, AF_INET, SOCK_DGRAM, TPROTO);

	assert_true(fd >= 0);
	return fd;
}

static int tsock_bound(struct fx *f, uint16_t port)
{
	int fd = tsock(f);
	struct sockaddr_in sin = sin_of(INADDR_LOOPBACK, port);

	assert_int_equal(ns_bind(f->s, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* ---- socket() ------------------------------------------------------------------------ */
static void test_socket_create_errnos(void **state)
{
	struct fx *f = *state;
	int fd;

	CHECK_ERR(ns_socket(f->s, 200, SOCK_DGRAM, 0), EAFNOSUPPORT);
	fd = ns_socket(f->s, AF_INET6, SOCK_DGRAM, 0);	/* UDPv6 (src/ipv6/udp6.c) */
	assert_true(fd >= 0);
	assert_int_equal(ns_close(f->s, fd), 0);
	CHECK_ERR(ns_socket(f->s, AF_INET, 99, 0), EINVAL);
	CHECK_ERR(ns_socket(f->s, AF_INET, SOCK_DGRAM | 0x100000, 0), EINVAL);
	CHECK_ERR(ns_socket(f->s, AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(ns_socket(f->s, AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	CHECK_ERR(ns_socket(f->s, AF_INET, SOCK_DGRAM, 300), EINVAL);
	CHECK_ERR(ns_socket(f->s, AF_INET, SOCK_DGRAM, -1), EINVAL);
	fd = ns_socket(f->s, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_int_equal(fd, 0);	/* lowest free descriptor; protocol 0 -> default */
	assert_int_equal(ns_fcntl(f->s, fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
}

static void test_descriptor_table_emfile_and_reuse(void **state)
{
	struct fx *f = *state;
	int fds[8];

	assert_int_equal(ns_sysctl_set(f->s, "net.nstack.max_fds", "8"), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(fds[i] = tsock(f), i);
	CHECK_ERR(ns_socket(f->s, AF_INET, SOCK_DGRAM, 0), EMFILE);
	CHECK_ERR(ns_epoll_create1(f->s, 0), EMFILE);
	assert_int_equal(ns_close(f->s, fds[3]), 0);
	CHECK_ERR(ns_close(f->s, fds[3]), EBADF);
	assert_int_equal(tsock(f), 3);
	assert_int_equal(f->s->sock->nr_socks, 8);
}

static void test_ebadf_and_enotsock_everywhere(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in sin = sin_of(INADDR_LOOPBACK, 1);
	socklen_t len = sizeof(sin);
	char b[4];
	int v = 1, ep = ns_epoll_create1(f->s, 0);

	for (int k = 0; k < 2; k++) {
		int fd = k ? ep : 77, e = k ? ENOTSOCK : EBADF;

		CHECK_ERR(ns_bind(f->s, fd, (struct sockaddr *)&sin, sizeof(sin)), e);
		CHECK_ERR(ns_connect(f->s, fd, (struct sockaddr *)&sin, sizeof(sin)), e);
		CHECK_ERR(ns_listen(f->s, fd, 1), e);
		CHECK_ERR(ns_accept4(f->s, fd, NULL, NULL, 0), e);
		CHECK_ERR(ns_send(f->s, fd, b, 1, 0), e);
		CHECK_ERR(ns_recv(f->s, fd, b, 1, 0), e);
		CHECK_ERR(ns_shutdown(f->s, fd, SHUT_RD), e);
		CHECK_ERR(ns_getsockname(f->s, fd, (struct sockaddr *)&sin, &len), e);
		CHECK_ERR(ns_getpeername(f->s, fd, (struct sockaddr *)&sin, &len), e);
		CHECK_ERR(ns_setsockopt(f->s, fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), e);
		CHECK_ERR(ns_getsockopt(f->s, fd, SOL_SOCKET, SO_REUSEADDR, &v, &len), e);
	}
	CHECK_ERR(ns_fcntl(f->s, 77, F_GETFL), EBADF);
	CHECK_ERR(ns_close(f->s, -1), EBADF);
	CHECK_ERR(ns_epoll_wait(f->s, 77, NULL, 1, 0), EBADF);
}

/* ---- bind / connect / names ------------------------------------------------------------- */
static void test_bind_and_names(void **state)
{
	struct fx *f = *state;
	int a = tsock(f), b = tsock(f);
	struct sockaddr_in sin = sin_of(INADDR_LOOPBACK, 5000), out;
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	socklen_t len = sizeof(out);

	CHECK_ERR(ns_bind(f->s, a, (struct sockaddr *)&sin, 8), EINVAL);
	CHECK_ERR(ns_bind(f->s, a, NULL, sizeof(sin)), EFAULT);
	CHECK_ERR(ns_bind(f->s, a, (struct sockaddr *)&sin, (socklen_t)-1), EINVAL);
	CHECK_ERR(ns_bind(f->s, a, (struct sockaddr *)&s6, sizeof(s6)), EAFNOSUPPORT);
	/* unbound: 0.0.0.0:0 (Linux) */
	assert_int_equal(ns_getsockname(f->s, a, (struct sockaddr *)&out, &len), 0);
	assert_int_equal(len, sizeof(out));
	assert_int_equal(out.sin_port, 0);
	assert_int_equal(ns_bind(f->s, a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CHECK_ERR(ns_bind(f->s, a, (struct sockaddr *)&sin, sizeof(sin)), EINVAL);	/* again */
	CHECK_ERR(ns_bind(f->s, b, (struct sockaddr *)&sin, sizeof(sin)), EADDRINUSE);
	assert_int_equal(ns_getsockname(f->s, a, (struct sockaddr *)&out, &len), 0);
	assert_int_equal(ntohs(out.sin_port), 5000);
	assert_int_equal(ntohl(out.sin_addr.s_addr), INADDR_LOOPBACK);
	/* truncated to *addrlen, real size returned */
	len = 4;
	memset(&out, 0xee, sizeof(out));
	assert_int_equal(ns_getsockname(f->s, a, (struct sockaddr *)&out, &len), 0);
	assert_int_equal(len, sizeof(out));
	assert_int_equal(out.sin_addr.s_addr, 0xeeeeeeee);
	len = (socklen_t)-1;
	CHECK_ERR(ns_getsockname(f->s, a, (struct sockaddr *)&out, &len), EINVAL);
	CHECK_ERR(ns_getsockname(f->s, a, NULL, &len), EFAULT);
	len = sizeof(out);
	CHECK_ERR(ns_getpeername(f->s, a, (struct sockaddr *)&out, &len), ENOTCONN);
}

static void test_connect_autobind_and_unspec(void **state)
{
	struct fx *f = *state;
	int a = tsock(f);
	struct sockaddr_in peer = sin_of(INADDR_LOOPBACK, 6000), out;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	socklen_t len = sizeof(out);

	CHECK_ERR(ns_connect(f->s, a, (struct sockaddr *)&peer, 1), EINVAL);
	CHECK_ERR(ns_connect(f->s, a, NULL, 0), EINVAL);
	assert_int_equal(ns_connect(f->s, a, (struct sockaddr *)&peer, sizeof(peer)), 0);
	assert_int_equal(ns_getsockname(f->s, a, (struct sockaddr *)&out, &len), 0);
	assert_int_equal(ntohs(out.sin_port), 40000);	/* autobound */
	assert_int_equal(ns_getpeername(f->s, a, (struct sockaddr *)&out, &len), 0);
	assert_int_equal(ntohs(out.sin_port), 6000);
	assert_int_equal(ns_connect(f->s, a, &unspec, sizeof(unspec)), 0);
	CHECK_ERR(ns_getpeername(f->s, a, (struct sockaddr *)&out, &len), ENOTCONN);
	/* datagram sockets: listen/accept are not supported (Linux: EOPNOTSUPP) */
	CHECK_ERR(ns_listen(f->s, a, 5), EOPNOTSUPP);
	CHECK_ERR(ns_accept4(f->s, a, NULL, NULL, 0), EOPNOTSUPP);
	CHECK_ERR(ns_accept4(f->s, a, NULL, NULL, 0x4), EINVAL);
}

/* ---- data path -------------------------------------------------------------------------- */
static void test_sendto_recvfrom_peek_trunc(void **state)
{
	struct fx *f = *state;
	int a = tsock_bound(f, 7001), b = tsock_bound(f, 7002);
	struct sockaddr_in to = sin_of(INADDR_LOOPBACK, 7002), from;
	socklen_t flen = sizeof(from);
	char buf[64];
	struct iovec iov[2] = { { buf, 3 }, { buf + 3, 2 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	int n;

	CHECK_ERR(ns_recv(f->s, b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_ERR(ns_send(f->s, a, "x", 1, 0), EDESTADDRREQ);
	assert_int_equal(ns_sendto(f->s, a, "hello world", 11, 0, (struct sockaddr *)&to,
				   sizeof(to)), 11);
	test_stack_settle(f->ts);
	assert_int_equal(ns_ioctl(f->s, b, FIONREAD, &n), 0);
	assert_int_equal(n, 11);
	assert_int_equal(ns_recv(f->s, b, buf, 5, MSG_PEEK | MSG_DONTWAIT), 5);
	assert_int_equal(ns_recv(f->s, b, buf, 2, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT), 11);
	assert_int_equal(ns_recvmsg(f->s, b, &msg, MSG_DONTWAIT), 5);
	assert_true(msg.msg_flags & MSG_TRUNC);
	assert_memory_equal(buf, "hello", 5);
	CHECK_ERR(ns_recvfrom(f->s, b, buf, 1, MSG_DONTWAIT, (struct sockaddr *)&from, &flen),
		  EAGAIN);
	assert_int_equal(ns_sendto(f->s, a, "", 0, 0, (struct sockaddr *)&to, sizeof(to)), 0);
	test_stack_settle(f->ts);
	assert_int_equal(ns_recvfrom(f->s, b, buf, 1, 0, (struct sockaddr *)&from, &flen), 0);
	assert_int_equal(ntohs(from.sin_port), 7001);
	CHECK_ERR(ns_sendto(f->s, a, "x", 1, MSG_OOB, (struct sockaddr *)&to, sizeof(to)),
		  EOPNOTSUPP);
	msg.msg_iovlen = 1025;
	CHECK_ERR(ns_sendmsg(f->s, a, &msg, 0), EMSGSIZE);
}

static void test_nonblocking_modes(void **state)
{
	struct fx *f = *state;
	int b = tsock_bound(f, 7100), v = 1;
	char c;

	/* without a loop thread and on virtual time, an idle stack cannot
	 * deliver anything: a blocking recv answers EAGAIN (documented) */
	CHECK_ERR(ns_recv(f->s, b, &c, 1, 0), EAGAIN);
	assert_int_equal(ns_fcntl(f->s, b, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(ns_fcntl(f->s, b, F_GETFL), O_RDWR | O_NONBLOCK);
	CHECK_ERR(ns_recv(f->s, b, &c, 1, 0), EAGAIN);
	v = 0;
	assert_int_equal(ns_ioctl(f->s, b, FIONBIO, &v), 0);
	assert_int_equal(ns_fcntl(f->s, b, F_GETFL), O_RDWR);
	CHECK_ERR(ns_fcntl(f->s, b, F_DUPFD), EINVAL);
	CHECK_ERR(ns_ioctl(f->s, b, SIOCATMARK, &v), ENOTTY);
}

static void test_rcvbuf_overflow_counts_drops(void **state)
{
	struct fx *f = *state;
	int a = tsock_bound(f, 7201), b = tsock_bound(f, 7202), v = 0, queued = 0;
	struct sockaddr_in to = sin_of(INADDR_LOOPBACK, 7202);
	char buf[100] = { 0 };

	/* the floor: 2304 bytes; each 100-byte datagram costs truesize */
	assert_int_equal(ns_setsockopt(f->s, b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
	for (int i = 0; i < 5; i++)
		ns_sendto(f->s, a, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to));
	test_stack_settle(f->ts);
	while (ns_recv(f->s, b, buf, sizeof(buf), MSG_DONTWAIT) == 100)
		queued++;
	/* Linux checks before charging: the first skb leaves 2048 +
	 * sizeof(sk_buff) < 2304 in use, so a second is accepted, then drops */
	assert_int_equal(queued, 2);
	assert_int_equal(f->tp->bound[1]->sk_drops, 3);
	assert_int_equal(f->s->drop_reasons[SKB_DROP_REASON_SOCKET_RCVBUFF], 3);
	assert_int_equal(f->tp->bound[1]->sk_rmem_alloc, 0);
}

static void test_sndbuf_full_eagain_then_writable(void **state)
{
	struct fx *f = *state;
	int a = tsock_bound(f, 7301), b = tsock_bound(f, 7302), v = 0, sent = 0, q;
	struct sockaddr_in to = sin_of(INADDR_LOOPBACK, 7302);
	struct pollfd p = { .fd = a, .events = POLLOUT };
	char buf[1000] = { 0 };

	assert_int_equal(ns_setsockopt(f->s, a, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
	f->tp->hold = true;
	while (ns_sendto(f->s, a, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&to,
			 sizeof(to)) > 0)
		sent++;
	assert_int_equal(errno, EAGAIN);
	/* Linux charges while less than sk_sndbuf (4608) is in use: 3 skbs of
	 * ~2.2 KB truesize */
	assert_int_equal(sent, 3);
	assert_int_equal(ns_ioctl(f->s, a, SIOCOUTQ, &q), 0);
	assert_true(q > 4000);
	assert_int_equal(ns_poll(f->s, &p, 1, 0), 0);
	tp_release(f->tp);
	assert_int_equal(ns_poll(f->s, &p, 1, 0), 1);
	assert_int_equal(p.revents, POLLOUT);
	(void)b;
}

static void test_shutdown_semantics(void **state)
{
	struct fx *f = *state;
	int a = tsock(f);
	struct pollfd p = { .fd = a, .events = POLLIN };
	char c;

	CHECK_ERR(ns_shutdown(f->s, a, 5), EINVAL);
	/* Linux: unconnected -> ENOTCONN, but the socket is shut down anyway */
	CHECK_ERR(ns_shutdown(f->s, a, SHUT_RD), ENOTCONN);
	assert_int_equal(ns_poll(f->s, &p, 1, 0), 1);
	assert_int_equal(p.revents, POLLIN);
	CHECK_ERR(ns_recv(f->s, a, &c, 1, MSG_DONTWAIT), EAGAIN);	/* Linux too */
	assert_int_equal(ns_recv(f->s, a, &c, 1, 0), 0);		/* blocking: EOF */
	CHECK_ERR(ns_shutdown(f->s, a, SHUT_WR), ENOTCONN);
	p.events = POLLIN | POLLRDHUP;
	assert_int_equal(ns_poll(f->s, &p, 1, 0), 1);
	assert_int_equal(p.revents, POLLIN | POLLRDHUP | POLLHUP);
}

/* ---- SOL_SOCKET options ---------------------------------------------------------------------- */
static int getint(struct fx *f, int fd, int opt)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	assert_int_equal(ns_getsockopt(f->s, fd, SOL_SOCKET, opt, &v, &len), 0);
	assert_int_equal(len, sizeof(v));
	return v;
}

static void setint(struct fx *f, int fd, int opt, int v)
{
	assert_int_equal(ns_setsockopt(f->s, fd, SOL_SOCKET, opt, &v, sizeof(v)), 0);
}

static void test_buffer_sizes_like_linux(void **state)
{
	struct fx *f = *state;
	int a = tsock(f);

	assert_int_equal(getint(f, a, SO_RCVBUF), 212992);	/* rmem_default */
	assert_int_equal(getint(f, a, SO_SNDBUF), 212992);
	setint(f, a, SO_RCVBUF, 1000);
	assert_int_equal(getint(f, a, SO_RCVBUF), 2304);	/* SOCK_MIN_RCVBUF */
	setint(f, a, SO_SNDBUF, 1000);
	assert_int_equal(getint(f, a, SO_SNDBUF), 4608);	/* SOCK_MIN_SNDBUF */
	setint(f, a, SO_RCVBUF, 50000);
	assert_int_equal(getint(f, a, SO_RCVBUF), 100000);	/* doubled */
	setint(f, a, SO_RCVBUF, 1 << 30);
	assert_int_equal(getint(f, a, SO_RCVBUF), 2 * 212992);	/* rmem_max cap */
	setint(f, a, SO_RCVBUF, -1);				/* as u32: the cap */
	assert_int_equal(getint(f, a, SO_RCVBUF), 2 * 212992);
	assert_int_equal(ns_sysctl_set(f->s, "net.core.wmem_max", "1000000"), 0);
	setint(f, a, SO_SNDBUF, 600000);
	assert_int_equal(getint(f, a, SO_SNDBUF), 1200000);
	setint(f, a, SO_RCVBUFFORCE, 1 << 24);			/* no cap */
	assert_int_equal(getint(f, a, SO_RCVBUF), 1 << 25);
	setint(f, a, SO_SNDBUFFORCE, -5);
	assert_int_equal(getint(f, a, SO_SNDBUF), 4608);
	/* new sockets take the new default */
	assert_int_equal(ns_sysctl_set(f->s, "net.core.rmem_default", "65536"), 0);
	assert_int_equal(getint(f, tsock(f), SO_RCVBUF), 65536);
}

static void test_readonly_and_flag_options(void **state)
{
	struct fx *f = *state;
	int a = tsock(f), v = 1;
	short sv = 1;
	socklen_t len = 2;
	unsigned char two[2];

	assert_int_equal(getint(f, a, SO_TYPE), SOCK_DGRAM);
	assert_int_equal(getint(f, a, SO_PROTOCOL), TPROTO);
	assert_int_equal(getint(f, a, SO_DOMAIN), AF_INET);
	assert_int_equal(getint(f, a, SO_ACCEPTCONN), 0);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_ERROR, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, 999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(ns_setsockopt(f->s, a, 999, 1, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(ns_getsockopt(f->s, a, SOL_SOCKET, 999, &v, &len), ENOPROTOOPT);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_REUSEADDR, &sv, sizeof(sv)), EINVAL);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_REUSEADDR, NULL, 4), EFAULT);
	/* getsockopt truncates to the caller's length (Linux) */
	assert_int_equal(ns_getsockopt(f->s, a, SOL_SOCKET, SO_TYPE, two, &len), 0);
	assert_int_equal(len, 2);
	assert_int_equal(two[0], SOCK_DGRAM);
	len = (socklen_t)-1;
	CHECK_ERR(ns_getsockopt(f->s, a, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
	for (int opt = 0, opts[] = { SO_REUSEADDR, SO_REUSEPORT, SO_BROADCAST, SO_KEEPALIVE };
	     opt < 4; opt++) {
		assert_int_equal(getint(f, a, opts[opt]), 0);
		setint(f, a, opts[opt], 7);
		assert_int_equal(getint(f, a, opts[opt]), 1);
		setint(f, a, opts[opt], 0);
		assert_int_equal(getint(f, a, opts[opt]), 0);
	}
	setint(f, a, SO_PRIORITY, 6);
	assert_int_equal(getint(f, a, SO_PRIORITY), 6);
	setint(f, a, SO_MARK, 0x1234);
	assert_int_equal(getint(f, a, SO_MARK), 0x1234);
}

static void test_so_error_read_and_clear(void **state)
{
	struct fx *f = *state;
	int a = tsock(f);
	struct pollfd p = { .fd = a, .events = 0 };

	sk_report_error(f->s->sock->files[a] ? ((struct socket *)(void *)f->s->sock->files[a])->sk
					     : NULL, ECONNREFUSED);
	assert_int_equal(ns_poll(f->s, &p, 1, 0), 1);
	assert_int_equal(p.revents, POLLERR);	/* always reported */
	assert_int_equal(getint(f, a, SO_ERROR), ECONNREFUSED);
	assert_int_equal(getint(f, a, SO_ERROR), 0);
	assert_int_equal(ns_poll(f->s, &p, 1, 0), 0);
}

static void test_timeouts_linger_bindtodevice(void **state)
{
	struct fx *f = *state;
	int a = tsock(f);
	struct timeval tv = { 1, 1000000 }, out;
	struct linger l = { 1, 7 }, lo;
	socklen_t len = sizeof(out);
	char name[IFNAMSIZ];

	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
	tv.tv_usec = 250000;
	assert_int_equal(ns_setsockopt(f->s, a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(ns_getsockopt(f->s, a, SOL_SOCKET, SO_SNDTIMEO, &out, &len), 0);
	assert_int_equal(len, sizeof(out));
	assert_int_equal(out.tv_sec, 1);
	assert_int_equal(out.tv_usec, 250000);
	assert_int_equal(ns_getsockopt(f->s, a, SOL_SOCKET, SO_RCVTIMEO, &out, &len), 0);
	assert_int_equal(out.tv_sec + out.tv_usec, 0);	/* forever */
	tv.tv_sec = -1;
	assert_int_equal(ns_setsockopt(f->s, a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(((struct socket *)(void *)f->s->sock->files[a])->sk->sk_rcvtimeo, 0);

	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_LINGER, &l, 4), EINVAL);
	assert_int_equal(ns_setsockopt(f->s, a, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
	len = sizeof(lo);
	assert_int_equal(ns_getsockopt(f->s, a, SOL_SOCKET, SO_LINGER, &lo, &len), 0);
	assert_int_equal(lo.l_onoff, 1);
	assert_int_equal(lo.l_linger, 7);

	len = sizeof(name);
	assert_int_equal(ns_getsockopt(f->s, a, SOL_SOCKET, SO_BINDTODEVICE, name, &len), 0);
	assert_int_equal(len, 0);
	CHECK_ERR(ns_setsockopt(f->s, a, SOL_SOCKET, SO_BINDTODEVICE, "nope0", 5), ENODEV);
	assert_int_equal(ns_setsockopt(f->s, a, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3), 0);
	len = sizeof(name);
	assert_int_equal(ns_getsockopt(f->s, a, SOL_SOCKET, SO_BINDTODEVICE, name, &len), 0);
	assert_string_equal(name, "lo");
	assert_int_equal(len, 3);
	len = 2;
	CHECK_ERR(ns_getsockopt(f->s, a, SOL_SOCKET, SO_BINDTODEVICE, name, &len), EINVAL);
	assert_int_equal(ns_setsockopt(f->s, a, SOL_SOCKET, SO_BINDTODEVICE, "", 0), 0);
	assert_int_equal(((struct socket *)(void *)f->s->sock->files[a])->sk->sk_bound_dev_if, 0);
}

/* ---- poll and epoll ---------------------------------------------------------------------------- */
static void test_poll_basics(void **state)
{
	struct fx *f = *state;
	int a = tsock_bound(f, 7401), b = tsock_bound(f, 7402);
	struct sockaddr_in to = sin_of(INADDR_LOOPBACK, 7402);
	struct pollfd p[3] = { { .fd = b, .events = POLLIN }, { .fd = 55, .events = POLLIN },
			       { .fd = -1, .events = POLLIN } };

	assert_int_equal(ns_poll(f->s, p, 3, 0), 1);
	assert_int_equal(p[0].revents, 0);
	assert_int_equal(p[1].revents, POLLNVAL);
	assert_int_equal(p[2].revents, 0);
	ns_sendto(f->s, a, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	test_stack_settle(f->ts);
	assert_int_equal(ns_poll(f->s, p, 1, 0), 1);
	assert_int_equal(p[0].revents, POLLIN);
	CHECK_ERR(ns_poll(f->s, p, 5000, 0), EINVAL);
	CHECK_ERR(ns_poll(f->s, NULL, 1, 0), EFAULT);
}

static void send_one(struct fx *f, int from, uint16_t port)
{
	struct sockaddr_in to = sin_of(INADDR_LOOPBACK, port);

	assert_int_equal(ns_sendto(f->s, from, "d", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
	test_stack_settle(f->ts);
}

static void test_epoll_level_edge_oneshot(void **state)
{
	struct fx *f = *state;
	int a = tsock_bound(f, 7501), lt = tsock_bound(f, 7502), et = tsock_bound(f, 7503);
	int os = tsock_bound(f, 7504), ep = ns_epoll_create1(f->s, 0);
	struct epoll_event ev = { .events = EPOLLIN }, out[8];
	uint64_t cnt;
	int efd = ns_epoll_event_fd(f->s, ep);
	char c;

	ev.data.u32 = 1;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, lt, &ev), 0);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u32 = 2;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, et, &ev), 0);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u32 = 3;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, os, &ev), 0);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 0);
	assert_true(read(efd, &cnt, sizeof(cnt)) < 0);	/* nothing ready: not readable */

	send_one(f, a, 7502);
	send_one(f, a, 7503);
	send_one(f, a, 7504);
	assert_int_equal(read(efd, &cnt, sizeof(cnt)), sizeof(cnt));	/* readable */
	cnt = 1;
	assert_int_equal(write(efd, &cnt, sizeof(cnt)), sizeof(cnt));	/* put it back */
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 3);
	/* level: reported again while data is queued; edge and one-shot: not */
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 1);
	assert_int_equal(out[0].data.u32, 1);
	assert_int_equal(out[0].events, EPOLLIN);
	/* a new datagram is a new edge; the one-shot item stays disabled */
	send_one(f, a, 7503);
	send_one(f, a, 7504);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 2);
	assert_int_equal(out[0].data.u32 + out[1].data.u32, 3);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u32 = 3;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_MOD, os, &ev), 0);	/* re-arm */
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 2);
	/* maxevents: the rest stays ready for the next call */
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 1, 0), 1);
	/* drained level socket drops out */
	ns_recv(f->s, lt, &c, 1, MSG_DONTWAIT);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 0);
	/* closing a socket removes it from the set */
	send_one(f, a, 7502);
	ns_close(f->s, lt);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 8, 0), 0);
	assert_true(read(efd, &cnt, sizeof(cnt)) < 0);
}

static void test_epoll_ctl_errnos(void **state)
{
	struct fx *f = *state;
	int a = tsock(f), ep = ns_epoll_create1(f->s, 0), ep2 = ns_epoll_create(f->s, 1);
	struct epoll_event ev = { .events = EPOLLIN }, out[1];

	CHECK_ERR(ns_epoll_create1(f->s, 1), EINVAL);
	CHECK_ERR(ns_epoll_create(f->s, 0), EINVAL);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, ep2, &ev), EINVAL);
	CHECK_ERR(ns_epoll_ctl(f->s, a, EPOLL_CTL_ADD, a, &ev), EINVAL);
	CHECK_ERR(ns_epoll_ctl(f->s, 99, EPOLL_CTL_ADD, a, &ev), EBADF);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, 99, &ev), EBADF);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_MOD, a, &ev), ENOENT);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_DEL, a, NULL), ENOENT);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, 9, a, &ev), EINVAL);
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, a, &ev), 0);
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, a, &ev), EEXIST);
	ev.events |= EPOLLEXCLUSIVE;
	CHECK_ERR(ns_epoll_ctl(f->s, ep, EPOLL_CTL_MOD, a, &ev), EINVAL);
	/* EPOLLOUT is reported for an idle datagram socket */
	ev.events = EPOLLOUT;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_MOD, a, &ev), 0);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 1, 0), 1);
	assert_int_equal(out[0].events, EPOLLOUT);
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_DEL, a, NULL), 0);
	CHECK_ERR(ns_epoll_wait(f->s, ep, out, 0, 0), EINVAL);
	CHECK_ERR(ns_epoll_wait(f->s, a, out, 1, 0), EINVAL);
	CHECK_ERR(ns_epoll_event_fd(f->s, a), EINVAL);
}

static void test_epoll_err_hup_rdhup_always_or_on_request(void **state)
{
	struct fx *f = *state;
	int a = tsock(f), ep = ns_epoll_create1(f->s, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out[2];
	struct sock *sk = ((struct socket *)(void *)f->s->sock->files[a])->sk;

	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_ADD, a, &ev), 0);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 2, 0), 0);
	/* an error wakes an EPOLLIN-only edge-triggered watcher with EPOLLERR */
	sk_report_error(sk, ECONNREFUSED);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 2, 0), 1);
	assert_int_equal(out[0].events, EPOLLERR);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 2, 0), 0);
	sk->sk_err = 0;
	/* SHUT_RDWR: EPOLLIN | EPOLLHUP, EPOLLRDHUP only when asked for */
	ev.events = EPOLLIN;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_MOD, a, &ev), 0);
	ns_shutdown(f->s, a, SHUT_RDWR);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 2, 0), 1);
	assert_int_equal(out[0].events, EPOLLIN | EPOLLHUP);
	ev.events = EPOLLIN | EPOLLRDHUP;
	assert_int_equal(ns_epoll_ctl(f->s, ep, EPOLL_CTL_MOD, a, &ev), 0);
	assert_int_equal(ns_epoll_wait(f->s, ep, out, 2, 0), 1);
	assert_int_equal(out[0].events, EPOLLIN | EPOLLRDHUP | EPOLLHUP);
}

/* The loop thread's eventfd is written only while it sleeps, once per
 * sleep: API calls of a busy loop cost no write(2). */
static void test_kick_only_when_loop_sleeps(void **state)
{
	struct fx *f = *state;
	struct netns_sock *ss = f->s->sock;
	uint64_t v = 0;

	ns_stack_lock(f->s);
	sock_net_kick(f->s);			/* nobody sleeps */
	assert_int_equal(read(ss->wake_fd, &v, sizeof(v)), -1);
	assert_int_equal(errno, EAGAIN);
	ss->loop_sleeping = true;
	for (int i = 0; i < 3; i++)
		sock_net_kick(f->s);
	assert_false(ss->loop_sleeping);
	assert_int_equal(read(ss->wake_fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_int_equal(v, 1);			/* one write for three kicks */
	ns_stack_unlock(f->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_socket_create_errnos),
		T(test_descriptor_table_emfile_and_reuse),
		T(test_ebadf_and_enotsock_everywhere),
		T(test_bind_and_names),
		T(test_connect_autobind_and_unspec),
		T(test_sendto_recvfrom_peek_trunc),
		T(test_nonblocking_modes),
		T(test_rcvbuf_overflow_counts_drops),
		T(test_sndbuf_full_eagain_then_writable),
		T(test_shutdown_semantics),
		T(test_buffer_sizes_like_linux),
		T(test_readonly_and_flag_options),
		T(test_so_error_read_and_clear),
		T(test_timeouts_linger_bindtodevice),
		T(test_poll_basics),
		T(test_epoll_level_edge_oneshot),
		T(test_epoll_ctl_errnos),
		T(test_epoll_err_hup_rdhup_always_or_on_request),
		T(test_kick_only_when_loop_sleeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
