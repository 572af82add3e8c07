/* test_udp.c - UDP over IPv4 through the socket API: two stacks over an
 * in-memory pipe exchanging datagrams, checksum verification (and the zero
 * checksum RFC 768 allows), broadcast and SO_BROADCAST, port unreachable
 * -> ECONNREFUSED and the IP_RECVERR queue, receive-buffer overflow
 * counted, a 4000-byte datagram fragmented by IP, SO_REUSEPORT spreading,
 * lookup scoring, ephemeral port exhaustion, Linux's errno answers, the
 * exact /proc/net/udp format, and a blocking recv on the loop thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "testlib.h"
#include "ipv4/netns_ipv4.h"
#include "socktest.h"
#include "ipv4/devinet.h"
#include "nstack/socket.h"
#include "ipv4/udp.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#define A_ADDR 0xC6120001u	/* 198.18.0.1 */
#define B_ADDR 0xC6120002u	/* 198.18.0.2 */
#define BCAST  0xC61200FFu	/* 198.18.0.255 */

struct pair {
	struct test_stack *a, *b;
	struct net_device *da, *db;
};

static void addr_add(struct net_device *dev, uint32_t addr)
{
	struct inet_addr_opts o = { .broadcast = BCAST };

	assert_int_equal(ns_dev_set_up(dev, true), 0);
	assert_int_equal(inet_addr_add(dev, addr, 24, &o), 0);
}

/* Both stacks over virtual time until neither has work (ARP included). */
static void settle2(struct pair *p)
{
	for (int i = 0; i < 200; i++) {
		int w = ns_stack_step(p->a->stack) + ns_stack_step(p->b->stack);

		if (!w && !ns_stack_busy(p->a->stack) && !ns_stack_busy(p->b->stack)) {
			p->a->clock.now += 1000000;	/* let 1 ms timers (if any) run */
			p->b->clock.now += 1000000;
			if (!ns_stack_step(p->a->stack) && !ns_stack_step(p->b->stack) && i > 4)
				return;
		}
	}
}

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	p->a = test_stack_new("A", 1);
	p->b = test_stack_new("B", 2);
	assert_int_equal(ns_pipe_create(p->a->stack, "p0", p->b->stack, "p0", 0, &p->da, &p->db), 0);
	addr_add(p->da, A_ADDR);
	addr_add(p->db, B_ADDR);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	for (int fd = 0; fd < 64; fd++) {
		ns_close(p->a->stack, fd);
		ns_close(p->b->stack, fd);
	}
	settle2(p);
	assert_int_equal(p->a->stack->sock->nr_socks, 0);	/* no socket leaked */
	assert_int_equal(p->b->stack->sock->nr_socks, 0);
	test_stack_free(p->a);
	test_stack_free(p->b);
	free(p);
	return 0;
}

static int udp_sock(struct ns_stack *s, uint32_t addr, uint16_t port)
{
	int fd = ns_socket(s, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = sin_of(addr, port);

	assert_true(fd >= 0);
	if (port || addr)
		assert_int_equal(ns_bind(s, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static ssize_t send_to(struct ns_stack *s, int fd, uint32_t addr, uint16_t port, const void *b,
		       size_t len)
{
	struct sockaddr_in sin = sin_of(addr, port);

	return ns_sendto(s, fd, b, len, 0, (struct sockaddr *)&sin, sizeof(sin));
}

/* ---- exchange ------------------------------------------------------------------------------ */
static void test_pipe_exchange(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), b = udp_sock(B, 0, 9000);
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	char buf[64];

	assert_int_equal(send_to(A, a, B_ADDR, 9000, "hello", 5), 5);
	settle2(p);
	assert_int_equal(ns_recvfrom(B, b, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(ntohl(from.sin_addr.s_addr), A_ADDR);
	assert_true(ntohs(from.sin_port) >= 32768);	/* ephemeral, default range */
	assert_int_equal(ns_sendto(B, b, "world", 5, 0, (struct sockaddr *)&from, flen), 5);
	settle2(p);
	assert_int_equal(ns_recv(A, a, buf, sizeof(buf), MSG_DONTWAIT), 5);
	assert_int_equal(A->udp->mib.out_datagrams, 1);
	assert_int_equal(A->udp->mib.in_datagrams, 1);
	assert_int_equal(B->udp->mib.in_datagrams, 1);
}

static void test_fragmented_4000_byte_datagram(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), b = udp_sock(B, 0, 9001);
	static char big[4000], got[5000];

	for (int i = 0; i < 4000; i++)
		big[i] = (char)(i * 7);
	assert_int_equal(send_to(A, a, B_ADDR, 9001, big, sizeof(big)), 4000);
	settle2(p);
	assert_int_equal(ns_recv(B, b, got, sizeof(got), MSG_DONTWAIT), 4000);
	assert_memory_equal(got, big, 4000);
	assert_true(p->da->stats.tx_packets >= 3);	/* 1480 + 1480 + 1048 */
}

static void test_recvmsg_pktinfo_peek_trunc(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), b = udp_sock(B, 0, 9005), one = 1, n;
	char buf[4], ctl[128];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	struct in_pktinfo pi;

	assert_int_equal(ns_setsockopt(B, b, SOL_IP, IP_PKTINFO, &one, sizeof(one)), 0);
	assert_int_equal(send_to(A, a, B_ADDR, 9005, "0123456789", 10), 10);
	settle2(p);
	assert_int_equal(ns_ioctl(B, b, FIONREAD, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(ns_recv(B, b, buf, 2, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT), 10);
	assert_int_equal(ns_recvmsg(B, b, &msg, MSG_DONTWAIT), 4);
	assert_true(msg.msg_flags & MSG_TRUNC);
	assert_memory_equal(buf, "0123", 4);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, IP_PKTINFO);
	memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
	assert_int_equal(pi.ipi_ifindex, p->db->ifindex);
	assert_int_equal(ntohl(pi.ipi_addr.s_addr), B_ADDR);
	CHECK_ERR(ns_recv(B, b, buf, 2, MSG_DONTWAIT), EAGAIN);
}

/* ---- receive checks with crafted frames ------------------------------------------------------ */
static size_t build_udp_frame(uint8_t *f, const uint8_t *dmac, uint32_t src, uint32_t dst,
			      uint16_t dport, const char *pl, size_t n, int csum_mode)
{
	struct eth_repr e = { .proto = 0x0800 };
	struct ipv4_repr ip = { .tot_len = (uint16_t)(20 + 8 + n), .ttl = 64,
				.protocol = IPPROTO_UDP, .saddr = src, .daddr = dst };
	struct udp_repr u = { .sport = 5555, .dport = dport, .payload = (const uint8_t *)pl,
			      .payload_len = n };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, "\x02\x00\x00\x00\x00\x77", 6);
	eth_emit(&e, f, 14);
	ipv4_emit(&ip, f + 14, 20);
	if (csum_mode == 0)
		udp_emit_ipv4_nocsum(&u, f + 34, 8 + n);
	else
		udp_emit_ipv4(&u, f + 34, 8 + n, src, dst);
	if (csum_mode == 2)
		f[34 + 6] ^= 0x55;	/* corrupt */
	return 34 + 8 + n;
}

static void test_checksums(void **state)
{
	struct pair *p = *state;
	struct ns_stack *B = p->b->stack;
	struct capdev *c = capdev_new(p->b, "cap0", NULL);
	const uint32_t src = 0xC6120101u, dst = 0xC6120102u;	/* 198.18.1.1 -> .2 */
	int b = udp_sock(B, 0, 9002);
	uint8_t f[128];
	char buf[16];
	size_t n;

	assert_int_equal(ns_dev_set_up(c->dev, true), 0);
	assert_int_equal(inet_addr_add(c->dev, dst, 24, NULL), 0);
	n = build_udp_frame(f, c->dev->dev_addr, src, dst, 9002, "bad", 3, 2);
	capdev_inject(c, f, n);
	n = build_udp_frame(f, c->dev->dev_addr, src, dst, 9002, "zero", 4, 0);
	capdev_inject(c, f, n);
	n = build_udp_frame(f, c->dev->dev_addr, src, dst, 9002, "good", 4, 1);
	capdev_inject(c, f, n);
	test_stack_settle(p->b);
	assert_int_equal(B->udp->mib.in_csum_errors, 1);
	assert_int_equal(B->udp->mib.in_errors, 1);
	assert_int_equal(B->drop_reasons[SKB_DROP_REASON_CSUM], 1);
	/* RFC 768: a zero checksum means none was computed (IPv4) */
	assert_int_equal(ns_recv(B, b, buf, sizeof(buf), MSG_DONTWAIT), 4);
	assert_memory_equal(buf, "zero", 4);
	assert_int_equal(ns_recv(B, b, buf, sizeof(buf), MSG_DONTWAIT), 4);
	assert_memory_equal(buf, "good", 4);
	/* RFC 1122 4.1.3.4: a truncated datagram (length field > IP payload) */
	n = build_udp_frame(f, c->dev->dev_addr, src, dst, 9002, "good", 4, 1);
	put_be16(f + 34 + 4, 40);
	capdev_inject(c, f, n);
	test_stack_settle(p->b);
	assert_int_equal(B->udp->mib.in_errors, 2);
}

/* ---- broadcast ------------------------------------------------------------------------------- */
static void test_broadcast(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), b = udp_sock(B, 0, 9003), one = 1;
	struct sockaddr_in bc = sin_of(BCAST, 9003);
	char buf[16];

	CHECK_ERR(send_to(A, a, BCAST, 9003, "x", 1), EACCES);
	CHECK_ERR(send_to(A, a, INADDR_BROADCAST, 9003, "x", 1), EACCES);
	CHECK_ERR(ns_connect(A, a, (struct sockaddr *)&bc, sizeof(bc)), EACCES);
	assert_int_equal(ns_setsockopt(A, a, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)), 0);
	assert_int_equal(send_to(A, a, BCAST, 9003, "bc", 2), 2);
	settle2(p);
	assert_int_equal(ns_recv(B, b, buf, sizeof(buf), MSG_DONTWAIT), 2);
	/* no socket: ignored and counted, never an ICMP error (RFC 1122 3.2.2) */
	assert_int_equal(send_to(A, a, BCAST, 9999, "bc", 2), 2);
	settle2(p);
	assert_int_equal(B->udp->mib.ignored_multi, 1);
	assert_int_equal(B->udp->mib.no_ports, 0);
}

/* ---- ICMP errors ------------------------------------------------------------------------------ */
static void test_port_unreachable_econnrefused(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), v;
	struct sockaddr_in dst = sin_of(B_ADDR, 9999);
	socklen_t len = sizeof(v);

	assert_int_equal(ns_connect(A, a, (struct sockaddr *)&dst, sizeof(dst)), 0);
	assert_int_equal(ns_send(A, a, "x", 1, 0), 1);
	settle2(p);
	assert_int_equal(B->udp->mib.no_ports, 1);
	/* Linux: the next call reports it once, the one after works again */
	CHECK_ERR(ns_send(A, a, "x", 1, 0), ECONNREFUSED);
	assert_int_equal(ns_send(A, a, "x", 1, 0), 1);
	settle2(p);
	assert_int_equal(ns_getsockopt(A, a, SOL_SOCKET, SO_ERROR, &v, &len), 0);
	assert_int_equal(v, ECONNREFUSED);
	assert_int_equal(ns_getsockopt(A, a, SOL_SOCKET, SO_ERROR, &v, &len), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ns_send(A, a, "x", 1, 0), 1);
	settle2(p);
	CHECK_ERR(ns_recv(A, a, &v, 1, MSG_DONTWAIT), ECONNREFUSED);
}

static void test_ip_recverr_queue(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack;
	int a = udp_sock(A, 0, 0), one = 1;
	char buf[16], ctl[256];
	struct sockaddr_in from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	struct sock_extended_err *ee;

	/* unconnected without IP_RECVERR: errors are not reported */
	assert_int_equal(send_to(A, a, B_ADDR, 9998, "q", 1), 1);
	settle2(p);
	CHECK_ERR(ns_recvmsg(A, a, &msg, MSG_ERRQUEUE), EAGAIN);
	assert_int_equal(ns_setsockopt(A, a, SOL_IP, IP_RECVERR, &one, sizeof(one)), 0);
	assert_int_equal(send_to(A, a, B_ADDR, 9998, "quoted", 6), 6);
	settle2(p);
	assert_int_equal(ns_recvmsg(A, a, &msg, MSG_ERRQUEUE), 6);
	assert_true(msg.msg_flags & MSG_ERRQUEUE);
	assert_memory_equal(buf, "quoted", 6);
	assert_int_equal(ntohs(from.sin_port), 9998);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_level, SOL_IP);
	assert_int_equal(cm->cmsg_type, IP_RECVERR);
	ee = (struct sock_extended_err *)(void *)CMSG_DATA(cm);
	assert_int_equal(ee->ee_errno, ECONNREFUSED);
	assert_int_equal(ee->ee_origin, SO_EE_ORIGIN_ICMP);
	assert_int_equal(ee->ee_type, 3);
	assert_int_equal(ee->ee_code, 3);
}

/* ---- buffers ------------------------------------------------------------------------------------ */
static void test_rcvbuf_overflow_counted(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), b = udp_sock(B, 0, 9004), zero = 0, got = 0;
	char buf[200] = { 0 };

	assert_int_equal(ns_setsockopt(B, b, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(send_to(A, a, B_ADDR, 9004, buf, sizeof(buf)), 200);
	settle2(p);
	while (ns_recv(B, b, buf, sizeof(buf), MSG_DONTWAIT) == 200)
		got++;
	assert_true(got >= 1 && got < 10);
	assert_int_equal(B->udp->mib.rcvbuf_errors, (uint64_t)(10 - got));
	assert_int_equal(B->udp->mib.in_errors, (uint64_t)(10 - got));
}

/* ---- errno table (checked against Linux on loopback) ------------------------------------------ */
static void test_errno_table(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack;
	int a = udp_sock(A, 0, 0), b, c, ttl;
	static char big[65508];
	struct sockaddr_in s = sin_of(A_ADDR, 7000);
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(1) };
	socklen_t len = sizeof(ttl);
	unsigned char ttl1;

	CHECK_ERR(ns_send(A, a, "x", 1, 0), EDESTADDRREQ);
	CHECK_ERR(send_to(A, a, B_ADDR, 9000, big, 65508), EMSGSIZE);
	assert_int_equal(send_to(A, a, A_ADDR, 9, big, 65507), 65507);	/* fragmented locally */
	CHECK_ERR(send_to(A, a, B_ADDR, 0, "x", 1), EINVAL);
	CHECK_ERR(ns_sendto(A, a, "x", 1, 0, (struct sockaddr *)&s6, sizeof(s6)), EAFNOSUPPORT);
	CHECK_ERR(send_to(A, a, 0xCB007101u, 9, "x", 1), ENETUNREACH);	/* 203.0.113.1 */
	CHECK_ERR(ns_sendto(A, a, "x", 1, MSG_OOB, (struct sockaddr *)&s, sizeof(s)), EOPNOTSUPP);
	b = udp_sock(A, A_ADDR, 7000);
	c = ns_socket(A, AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR(ns_bind(A, c, (struct sockaddr *)&s, sizeof(s)), EADDRINUSE);
	s.sin_addr.s_addr = 0;
	CHECK_ERR(ns_bind(A, c, (struct sockaddr *)&s, sizeof(s)), EADDRINUSE);	/* wildcard */
	s.sin_addr.s_addr = htonl(0xC0000201u);	/* 192.0.2.1: not ours */
	CHECK_ERR(ns_bind(A, c, (struct sockaddr *)&s, sizeof(s)), EADDRNOTAVAIL);
	/* SOL_IP */
	assert_int_equal(ns_getsockopt(A, b, SOL_IP, IP_TTL, &ttl, &len), 0);
	assert_int_equal(ttl, 64);
	len = 1;
	assert_int_equal(ns_getsockopt(A, b, SOL_IP, IP_TTL, &ttl1, &len), 0);
	assert_int_equal(ttl1, 64);
	ttl = 0;
	CHECK_ERR(ns_setsockopt(A, b, SOL_IP, IP_TTL, &ttl, sizeof(ttl)), EINVAL);
	ttl = 256;
	CHECK_ERR(ns_setsockopt(A, b, SOL_IP, IP_TTL, &ttl, sizeof(ttl)), EINVAL);
	ttl1 = 5;
	assert_int_equal(ns_setsockopt(A, b, SOL_IP, IP_TTL, &ttl1, 1), 0);
	len = sizeof(ttl);
	assert_int_equal(ns_getsockopt(A, b, SOL_IP, IP_TTL, &ttl, &len), 0);
	assert_int_equal(ttl, 5);
	assert_int_equal(ns_getsockopt(A, b, SOL_IP, IP_MTU_DISCOVER, &ttl, &len), 0);
	assert_int_equal(ttl, IP_PMTUDISC_WANT);
	CHECK_ERR(ns_getsockopt(A, b, SOL_IP, IP_MTU, &ttl, &len), ENOTCONN);
	CHECK_ERR(ns_setsockopt(A, b, 999, 1, &ttl, sizeof(ttl)), ENOPROTOOPT);
	CHECK_ERR(ns_getsockopt(A, b, 999, 1, &ttl, &len), EOPNOTSUPP);
	/* SO_RCVBUF after the fact, IP_TOS as one byte */
	ttl1 = 0x10;
	assert_int_equal(ns_setsockopt(A, b, SOL_IP, IP_TOS, &ttl1, 1), 0);
	assert_int_equal(ns_getsockopt(A, b, SOL_IP, IP_TOS, &ttl, &len), 0);
	assert_int_equal(ttl, 0x10);
	settle2(p);
}

/* A connected socket sends with one route lookup (ip_send_skb4's); when
 * the route goes away the error is still the route's, before and after
 * connect alike, the datagram is freed and OutNoRoutes counts it. */
static void test_connected_send_route_errors(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack, *B = p->b->stack;
	int a = udp_sock(A, 0, 0), u = udp_sock(A, 0, 0), b = udp_sock(B, 0, 9000);
	struct sockaddr_in sb = sin_of(B_ADDR, 9000);
	uint64_t noroutes;
	char buf[8];

	assert_int_equal(ns_connect(A, a, (struct sockaddr *)&sb, sizeof(sb)), 0);
	assert_int_equal(ns_send(A, a, "c", 1, 0), 1);
	settle2(p);
	assert_int_equal(ns_recv(B, b, buf, sizeof(buf), MSG_DONTWAIT), 1);
	/* the source address disappears: the connected and the unconnected
	 * path report the same error */
	assert_int_equal(inet_addr_del(p->da, A_ADDR, 24), 0);
	noroutes = A->ipv4->mib[IPSTATS_MIB_OUTNOROUTES];
	CHECK_ERR(ns_send(A, a, "c", 1, 0), EINVAL);
	assert_int_equal(A->ipv4->mib[IPSTATS_MIB_OUTNOROUTES], noroutes + 1);
	assert_int_equal(ns_connect(A, u, (struct sockaddr *)&sb, sizeof(sb)), -1);
	assert_int_equal(errno, ENETUNREACH);
	addr_add(p->da, A_ADDR);
	assert_int_equal(ns_send(A, a, "d", 1, 0), 1);
	/* an explicit destination other than the peer takes the full path */
	CHECK_ERR(send_to(A, a, 0xCB007101u, 9, "x", 1), ENETUNREACH);	/* 203.0.113.1 */
	settle2(p);
	assert_int_equal(ns_recv(B, b, buf, sizeof(buf), MSG_DONTWAIT), 1);
	assert_int_equal(buf[0], 'd');
}

static void test_ephemeral_ports_exhausted(void **state)
{
	struct pair *p = *state;
	struct ns_stack *A = p->a->stack;
	struct sockaddr_in any = sin_of(0, 0);
	int s1, s2, s3;

	assert_int_equal(ns_sysctl_set(A, "net.ipv4.ip_local_port_range", "40000 40001"), 0);
	s1 = ns_socket(A, AF_INET, SOCK_DGRAM, 0);
	s2 = ns_socket(A, AF_INET, SOCK_DGRAM, 0);
	s3 = ns_socket(A, AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(ns_bind(A, s1, (struct sockaddr *)&any, sizeof(any)), 0);
	assert_int_equal(send_to(A, s2, B_ADDR, 9, "x", 1), 1);	/* autobind */
	CHECK_ERR(ns_bind(A, s3, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE);
	CHECK_ERR(send_to(A, s3, B_ADDR, 9, "x", 1), EAGAIN);
	settle2(p);
}

/* ---- lookup ------------------------------------------------------------------------------------ */
static void test_lookup_scoring_and_reuseport(void **state)
{
	struct pair *p = *state;
	struct ns_stack *B = p->b->stack;
	int one = 1, wild, bound, conn, rp[4], hits[4] = { 0 };
	struct sockaddr_in s = sin_of(0, 9100), peer = sin_of(A_ADDR, 5555);
	struct sock *sk;

	wild = udp_sock(B, 0, 9100);
	sk = udp4_lib_lookup(B, A_ADDR, 5555, B_ADDR, 9100, p->db->ifindex);
	assert_ptr_equal(sk, ((struct socket *)(void *)B->sock->files[wild])->sk);
	bound = ns_socket(B, AF_INET, SOCK_DGRAM, 0);
	ns_setsockopt(B, wild, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ns_setsockopt(B, bound, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	s.sin_addr.s_addr = htonl(B_ADDR);
	assert_int_equal(ns_bind(B, bound, (struct sockaddr *)&s, sizeof(s)), 0);
	sk = udp4_lib_lookup(B, A_ADDR, 5555, B_ADDR, 9100, p->db->ifindex);
	assert_ptr_equal(sk, ((struct socket *)(void *)B->sock->files[bound])->sk);
	conn = ns_socket(B, AF_INET, SOCK_DGRAM, 0);
	ns_setsockopt(B, conn, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(ns_bind(B, conn, (struct sockaddr *)&s, sizeof(s)), 0);
	assert_int_equal(ns_connect(B, conn, (struct sockaddr *)&peer, sizeof(peer)), 0);
	sk = udp4_lib_lookup(B, A_ADDR, 5555, B_ADDR, 9100, p->db->ifindex);
	assert_ptr_equal(sk, ((struct socket *)(void *)B->sock->files[conn])->sk);
	/* another peer does not match the connected socket */
	sk = udp4_lib_lookup(B, A_ADDR, 5556, B_ADDR, 9100, p->db->ifindex);
	assert_ptr_equal(sk, ((struct socket *)(void *)B->sock->files[bound])->sk);

	/* SO_REUSEPORT: a group shares the port, flows spread by hash */
	s = sin_of(0, 9200);
	for (int i = 0; i < 4; i++) {
		rp[i] = ns_socket(B, AF_INET, SOCK_DGRAM, 0);
		assert_int_equal(ns_setsockopt(B, rp[i], SOL_SOCKET, SO_REUSEPORT, &one,
					       sizeof(one)), 0);
		assert_int_equal(ns_bind(B, rp[i], (struct sockaddr *)&s, sizeof(s)), 0);
	}
	for (uint16_t sport = 1000; sport < 1400; sport++) {
		sk = udp4_lib_lookup(B, A_ADDR, sport, B_ADDR, 9200, p->db->ifindex);
		assert_ptr_equal(sk, udp4_lib_lookup(B, A_ADDR, sport, B_ADDR, 9200, 0));
		for (int i = 0; i < 4; i++)
			hits[i] += sk == ((struct socket *)(void *)B->sock->files[rp[i]])->sk;
	}
	for (int i = 0; i < 4; i++)
		assert_true(hits[i] > 50);	/* 400 flows over 4: ~100 each */
	one = ns_socket(B, AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR(ns_bind(B, one, (struct sockaddr *)&s, sizeof(s)), EADDRINUSE);
}

/* ---- /proc/net/udp ------------------------------------------------------------------------------- */
static void test_proc_net_udp_format(void **state)
{
	struct pair *p = *state;
	struct ns_stack *B = p->b->stack;
	int b = udp_sock(B, B_ADDR, 53);
	struct sockaddr_in peer = sin_of(A_ADDR, 4660);
	char *txt, expect[256];
	const char *line2;
	struct sock *sk;

	assert_int_equal(ns_connect(B, b, (struct sockaddr *)&peer, sizeof(peer)), 0);
	sk = ((struct socket *)(void *)B->sock->files[b])->sk;
	txt = ns_proc_read(B, "/proc/net/udp", NULL);
	assert_non_null(txt);
	assert_int_equal(strchr(txt, '\n') - txt, 127);
	assert_memory_equal(txt, "   sl  local_address rem_address   st tx_queue rx_queue tr "
				 "tm->when retrnsmt   uid  timeout inode ref pointer drops ", 116);
	line2 = strchr(txt, '\n') + 1;
	snprintf(expect, sizeof(expect),
		 "   53: 020012C6:0035 010012C6:1234 01 00000000:00000000 00:00000000 00000000 "
		 "    0        0 %lu 2 0000000000000000 0", (unsigned long)sk->sk_ino);
	assert_memory_equal(line2, expect, strlen(expect));
	assert_int_equal(strchr(line2, '\n') - line2, 127);
	free(txt);
}

/* ---- the loop thread ----------------------------------------------------------------------------- */
struct rd {
	struct ns_stack *s;
	int fd;
	ssize_t rc;
};

static void *rd_main(void *arg)
{
	struct rd *r = arg;
	char buf[16];

	r->rc = ns_recv(r->s, r->fd, buf, sizeof(buf), 0);
	return NULL;
}

static void test_blocking_recv_over_loopback_with_loop_thread(void **state)
{
	struct ns_stack_config cfg = { .name = "thr", .seed = 3 };
	struct ns_stack *s = ns_stack_create(&cfg);
	struct rd r = { .s = s };
	struct timeval tv = { 0, 50000 };
	struct timespec t0, t1;
	pthread_t th;
	int a, b;
	char c;

	(void)state;
	assert_int_equal(ns_stack_start_thread(s), 0);
	a = udp_sock(s, 0, 0);
	b = udp_sock(s, INADDR_LOOPBACK, 9500);
	r.fd = b;
	assert_int_equal(pthread_create(&th, NULL, rd_main, &r), 0);
	usleep(20000);
	assert_int_equal(send_to(s, a, INADDR_LOOPBACK, 9500, "ping", 4), 4);
	pthread_join(th, NULL);
	assert_int_equal(r.rc, 4);
	assert_int_equal(ns_setsockopt(s, b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(ns_recv(s, b, &c, 1, 0), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 50);
	ns_close(s, a);
	ns_close(s, b);
	assert_int_equal(ns_stack_stop_thread(s), 0);
	ns_stack_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_pipe_exchange),
		T(test_fragmented_4000_byte_datagram),
		T(test_recvmsg_pktinfo_peek_trunc),
		T(test_checksums),
		T(test_broadcast),
		T(test_port_unreachable_econnrefused),
		T(test_ip_recverr_queue),
		T(test_rcvbuf_overflow_counted),
		T(test_errno_table),
		T(test_connected_send_route_errors),
		T(test_ephemeral_ports_exhausted),
		T(test_lookup_scoring_and_reuseport),
		T(test_proc_net_udp_format),
		cmocka_unit_test(test_blocking_recv_over_loopback_with_loop_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
