/* test_udp6.c - UDP over IPv6 through the socket API: two stacks over a
 * pipe with NDP between them, sendto/recvfrom with sockaddr_in6, connect,
 * port unreachable as ECONNREFUSED, bind errors, IPV6_V6ONLY and
 * IPV6_UNICAST_HOPS, /proc/net/udp6 and the Udp6 counters. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "nstack/socket.h"
#include "ipv6/ipv6.h"
#include "ipv4/devinet.h"

struct pair {
	struct test_stack *a, *b;
	struct net_device *da, *db;
	uint8_t aa[16], ba[16];
};

static void settle2(struct pair *p)
{
	for (int i = 0; i < 400; i++) {
		int w = ns_stack_step(p->a->stack) + ns_stack_step(p->b->stack);

		if (!w && !ns_stack_busy(p->a->stack) && !ns_stack_busy(p->b->stack)) {
			p->a->clock.now += 1000000;
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
	test_stack_ipv6(p->a);
	test_stack_ipv6(p->b);
	assert_int_equal(ns_pipe_create(p->a->stack, "p0", p->b->stack, "p0", 0, &p->da, &p->db), 0);
	assert_int_equal(ns_dev_set_up(p->da, true), 0);
	assert_int_equal(ns_dev_set_up(p->db, true), 0);
	assert_int_equal(ipv6_addr_parse("fd00::1", p->aa), 0);
	assert_int_equal(ipv6_addr_parse("fd00::2", p->ba), 0);
	assert_int_equal(ipv6_addr_add(p->da, p->aa, 64, IFA_F_NODAD), 0);
	assert_int_equal(ipv6_addr_add(p->db, p->ba, 64, IFA_F_NODAD), 0);
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
	test_stack_free(p->a);
	test_stack_free(p->b);
	free(p);
	return 0;
}

static struct sockaddr_in6 sin6_of(const uint8_t *a, uint16_t port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (a)
		memcpy(s.sin6_addr.s6_addr, a, 16);
	return s;
}

static int udp6_socket(struct ns_stack *s)
{
	int fd = ns_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	return fd;
}

static void test_sendto_recvfrom_and_reply(void **state)
{
	struct pair *p = *state;
	int sa = udp6_socket(p->a->stack), sb = udp6_socket(p->b->stack);
	struct sockaddr_in6 any = sin6_of(NULL, 5000), to = sin6_of(p->ba, 5000), from;
	socklen_t fl = sizeof(from);
	char buf[64];
	char *txt;

	assert_int_equal(ns_bind(p->b->stack, sb, (struct sockaddr *)&any, sizeof(any)), 0);
	assert_int_equal(ns_sendto(p->a->stack, sa, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)), 5);
	settle2(p);
	assert_int_equal(ns_recvfrom(p->b->stack, sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(fl, sizeof(from));
	assert_int_equal(from.sin6_family, AF_INET6);
	assert_memory_equal(from.sin6_addr.s6_addr, p->aa, 16);
	/* the reply goes back to the sender's ephemeral port */
	assert_int_equal(ns_sendto(p->b->stack, sb, "world!", 6, 0, (struct sockaddr *)&from, fl), 6);
	settle2(p);
	fl = sizeof(from);
	assert_int_equal(ns_recvfrom(p->a->stack, sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 6);
	assert_memory_equal(from.sin6_addr.s6_addr, p->ba, 16);
	assert_int_equal(ntohs(from.sin6_port), 5000);
	/* /proc/net/udp6: B's wildcard socket on port 5000 (0x1388) */
	txt = ns_proc_read(p->b->stack, "/proc/net/udp6", NULL);
	assert_non_null(strstr(txt, "  sl  local_address                         remote_address"));
	assert_non_null(strstr(txt, ": 00000000000000000000000000000000:1388 "
				    "00000000000000000000000000000000:0000 07 "));
	free(txt);
	txt = ns_proc_read(p->b->stack, "/proc/net/snmp6", NULL);
	assert_non_null(strstr(txt, "Udp6InDatagrams                 1\n"));
	assert_non_null(strstr(txt, "Udp6OutDatagrams                1\n"));
	free(txt);
}

static void test_connected_refused(void **state)
{
	struct pair *p = *state;
	int sa = udp6_socket(p->a->stack);
	struct sockaddr_in6 to = sin6_of(p->ba, 7777), peer;
	socklen_t pl = sizeof(peer);
	char buf[8];

	assert_int_equal(ns_connect(p->a->stack, sa, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(ns_getpeername(p->a->stack, sa, (struct sockaddr *)&peer, &pl), 0);
	assert_int_equal(ntohs(peer.sin6_port), 7777);
	assert_int_equal(ns_send(p->a->stack, sa, "x", 1, 0), 1);
	settle2(p);
	/* nobody on 7777: ICMPv6 port unreachable -> ECONNREFUSED */
	assert_int_equal(ns_recv(p->a->stack, sa, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ECONNREFUSED);
	{
		char *txt = ns_proc_read(p->b->stack, "/proc/net/snmp6", NULL);

		assert_non_null(strstr(txt, "Udp6NoPorts                     1\n"));
		free(txt);
	}
}

static void test_bind_errors_and_options(void **state)
{
	struct pair *p = *state;
	int s1 = udp6_socket(p->a->stack), s2 = udp6_socket(p->a->stack);
	uint8_t other[16], ll[16], mapped[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 0, 1 };
	struct sockaddr_in6 sa;
	int v = 1;
	socklen_t vl = sizeof(v);

	assert_int_equal(ipv6_addr_parse("fd00::99", other), 0);
	assert_int_equal(ipv6_addr_parse("fe80::1", ll), 0);
	sa = sin6_of(other, 6000);
	assert_int_equal(ns_bind(p->a->stack, s1, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EADDRNOTAVAIL);
	sa = sin6_of(ll, 6000);
	assert_int_equal(ns_bind(p->a->stack, s1, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EINVAL);	/* link-local without a scope id */
	sa = sin6_of(mapped, 6000);
	assert_int_equal(ns_bind(p->a->stack, s1, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EADDRNOTAVAIL);	/* 198.18.0.1 is not ours here */
	assert_int_equal(ns_setsockopt(p->a->stack, s1, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), 0);
	v = 0;
	assert_int_equal(ns_getsockopt(p->a->stack, s1, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vl), 0);
	assert_int_equal(v, 1);
	sa = sin6_of(p->aa, 6000);
	assert_int_equal(ns_bind(p->a->stack, s1, (struct sockaddr *)&sa, sizeof(sa)), 0);
	sa = sin6_of(NULL, 6000);
	assert_int_equal(ns_bind(p->a->stack, s2, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EADDRINUSE);
	/* after bind, V6ONLY is fixed */
	assert_int_equal(ns_setsockopt(p->a->stack, s1, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), -1);
	v = 300;
	assert_int_equal(ns_setsockopt(p->a->stack, s2, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)), -1);
	v = 7;
	assert_int_equal(ns_setsockopt(p->a->stack, s2, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)), 0);
}

/* RFC 3493 3.7: a dual-stack socket talks IPv4 through v4-mapped addresses */
static void test_v4mapped_dual_stack(void **state)
{
	struct pair *p = *state;
	int s4 = ns_socket(p->a->stack, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int s6 = udp6_socket(p->b->stack), only = udp6_socket(p->b->stack);
	struct sockaddr_in6 any = sin6_of(NULL, 5000), from6;
	struct sockaddr_in to4 = { .sin_family = AF_INET, .sin_port = htons(5000),
				   .sin_addr.s_addr = htonl(0xC6120002u) }, from4;
	uint8_t mapped_a[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 0, 1 };
	socklen_t fl = sizeof(from6), fl4 = sizeof(from4);
	char buf[32];
	int one = 1;

	assert_true(s4 >= 0);
	assert_int_equal(inet_addr_add(p->da, 0xC6120001u, 24, NULL), 0);
	assert_int_equal(inet_addr_add(p->db, 0xC6120002u, 24, NULL), 0);
	assert_int_equal(ns_bind(p->b->stack, s6, (struct sockaddr *)&any, sizeof(any)), 0);
	assert_int_equal(ns_sendto(p->a->stack, s4, "v4", 2, 0, (struct sockaddr *)&to4, sizeof(to4)), 2);
	settle2(p);
	assert_int_equal(ns_recvfrom(p->b->stack, s6, buf, sizeof(buf), 0, (struct sockaddr *)&from6, &fl), 2);
	assert_memory_equal(from6.sin6_addr.s6_addr, mapped_a, 16);
	/* the answer to the mapped address leaves as IPv4 */
	assert_int_equal(ns_sendto(p->b->stack, s6, "back", 4, 0, (struct sockaddr *)&from6, fl), 4);
	settle2(p);
	assert_int_equal(ns_recvfrom(p->a->stack, s4, buf, sizeof(buf), 0, (struct sockaddr *)&from4, &fl4), 4);
	assert_int_equal(ntohl(from4.sin_addr.s_addr), 0xC6120002u);
	assert_int_equal(ntohs(from4.sin_port), 5000);
	/* an IPv6-only socket neither binds nor sends IPv4 */
	assert_int_equal(ns_setsockopt(p->b->stack, only, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), 0);
	assert_int_equal(ns_sendto(p->b->stack, only, "x", 1, 0, (struct sockaddr *)&from6, fl), -1);
	assert_int_equal(errno, ENETUNREACH);
}

/* to ourselves: our global address and ::1 go through lo */
static void test_loopback(void **state)
{
	struct pair *p = *state;
	int s1 = udp6_socket(p->a->stack), s2 = udp6_socket(p->a->stack);
	uint8_t lo[16] = { [15] = 1 };
	struct sockaddr_in6 any = sin6_of(NULL, 7000), to = sin6_of(p->aa, 7000), from;
	socklen_t fl = sizeof(from);
	char buf[16];

	assert_int_equal(ns_bind(p->a->stack, s1, (struct sockaddr *)&any, sizeof(any)), 0);
	assert_int_equal(ns_sendto(p->a->stack, s2, "self", 4, 0, (struct sockaddr *)&to, sizeof(to)), 4);
	to = sin6_of(lo, 7000);
	assert_int_equal(ns_sendto(p->a->stack, s2, "lo", 2, 0, (struct sockaddr *)&to, sizeof(to)), 2);
	settle2(p);
	assert_int_equal(ns_recvfrom(p->a->stack, s1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 4);
	assert_memory_equal(from.sin6_addr.s6_addr, p->aa, 16);
	fl = sizeof(from);
	assert_int_equal(ns_recvfrom(p->a->stack, s1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2);
	assert_memory_equal(from.sin6_addr.s6_addr, lo, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sendto_recvfrom_and_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connected_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_errors_and_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4mapped_dual_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
