/* fuzz_frame.c - libFuzzer harness: every input is one Ethernet frame
 * received by a device of a stack on virtual time.
 *
 * One stack and one device live across runs (static pointers are fine in
 * a test program), so state that the protocols keep (neighbour entries,
 * fragments, connections) is fuzzed too. Each run injects the frame with
 * ns_dev_rx, steps the stack and advances the clock 10 ms, so timers fire.
 * Transmitted frames are discarded. Sockets opened at init through the
 * socket API make the transport layer reachable: UDP bound to
 * 198.18.0.1:7 and [fd00::1]:7 (drained after every input) and TCP
 * listening on :80 (connections accepted and closed after every input, so
 * state stays bounded). Seeds: fuzz/seeds/ (ARP, ICMP echo, UDP, TCP SYN,
 * IPv6 neighbour solicitation to 02:00:00:00:00:01 / 198.18.0.1 /
 * fd00::1). Build: make fuzz. See fuzz_tcp.c for in-connection segments. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "nstack/socket.h"
#include "ipv4/devinet.h"
#include "ipv6/ipv6.h"

#define FUZZ_STEPS 8
#define FUZZ_TICK_NS 10000000ULL	/* 10 ms of virtual time per input */

static struct ns_vclock fuzz_clock;
static struct ns_stack *fuzz_stack;
static struct net_device *fuzz_dev;
/* UDP :7 v4, UDP :7 v6, TCP :80 v4, TCP :80 v6 (-1: family not offered) */
static int fuzz_fds[4] = { -1, -1, -1, -1 };

static int fuzz_xmit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;
}

/* A non-blocking socket bound to addr (and listening for TCP); -1 when
 * the stack does not offer the family/type (so far: TCP over IPv6). */
static int fuzz_socket(int family, int type, const struct sockaddr *addr, socklen_t len)
{
	int fd = ns_socket(fuzz_stack, family, type | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (ns_bind(fuzz_stack, fd, addr, len) != 0 ||
	    (type == SOCK_STREAM && ns_listen(fuzz_stack, fd, 8) != 0))
		abort();
	return fd;
}

static void fuzz_sockets_init(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc6120001u) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };

	a6.sin6_addr.s6_addr[0] = 0xfd;
	a6.sin6_addr.s6_addr[15] = 1;
	a4.sin_port = a6.sin6_port = htons(7);
	fuzz_fds[0] = fuzz_socket(AF_INET, SOCK_DGRAM, (struct sockaddr *)&a4, sizeof(a4));
	fuzz_fds[1] = fuzz_socket(AF_INET6, SOCK_DGRAM, (struct sockaddr *)&a6, sizeof(a6));
	a4.sin_port = a6.sin6_port = htons(80);
	fuzz_fds[2] = fuzz_socket(AF_INET, SOCK_STREAM, (struct sockaddr *)&a4, sizeof(a4));
	fuzz_fds[3] = fuzz_socket(AF_INET6, SOCK_STREAM, (struct sockaddr *)&a6, sizeof(a6));
	if (fuzz_fds[0] < 0 || fuzz_fds[1] < 0 || fuzz_fds[2] < 0)
		abort();
}

/* Read every queued datagram, accept and close every connection (bounded
 * loops: the queues are bounded, so are these). */
static void fuzz_sockets_drain(void)
{
	uint8_t buf[2048];

	for (int i = 0; i < 2; i++)
		for (int n = 0; n < 64; n++)
			if (ns_recv(fuzz_stack, fuzz_fds[i], buf, sizeof(buf), MSG_DONTWAIT) < 0)
				break;
	for (int i = 2; i < 4; i++) {
		if (fuzz_fds[i] < 0)
			continue;
		for (int n = 0; n < 16; n++) {
			int c = ns_accept4(fuzz_stack, fuzz_fds[i], NULL, NULL, SOCK_NONBLOCK);

			if (c < 0)
				break;
			ns_recv(fuzz_stack, c, buf, sizeof(buf), MSG_DONTWAIT);
			ns_close(fuzz_stack, c);
		}
	}
}

static void fuzz_init(void)
{
	static const struct ns_driver_ops ops = { .xmit = fuzz_xmit };
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct ns_stack_config cfg = { .name = "fuzz", .seed = 1 };

	ns_vclock_init(&fuzz_clock, 1000000000ULL);
	cfg.clock = &fuzz_clock.clock;
	cfg.skb_mem_max = 64u << 20;
	fuzz_stack = ns_stack_create(&cfg);
	if (!fuzz_stack)
		abort();
	fuzz_dev = ns_dev_create(fuzz_stack, "eth0", NS_LINK_ETHER, mac, 1500, &ops, NULL);
	if (!fuzz_dev || ns_dev_set_up(fuzz_dev, true) != 0)
		abort();
	/* 198.18.0.1/24 with forwarding on, so input, local delivery, ICMP,
	 * reassembly and the forwarding path are all reachable */
	if (inet_addr_add(fuzz_dev, 0xc6120001u, 24, NULL) != 0 ||
	    ns_sysctl_set(fuzz_stack, "net.ipv4.ip_forward", "1") != 0)
		abort();
	/* fd00::1/64 (no DAD, usable at once) and IPv6 forwarding, so IPv6,
	 * extension headers, reassembly, ICMPv6 and NDP are reached too; the
	 * link-local address comes with the device */
	{
		uint8_t a6[16] = { 0xfd, 0, [15] = 1 };

		if (ipv6_addr_add(fuzz_dev, a6, 64, IFA_F_NODAD) != 0 ||
		    ns_sysctl_set(fuzz_stack, "net.ipv6.conf.all.forwarding", "1") != 0)
			abort();
	}
	fuzz_sockets_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fuzz_stack)
		fuzz_init();
	ns_dev_rx(fuzz_dev, data, size);	/* runts and oversize are rejected and counted */
	for (int i = 0; i < FUZZ_STEPS; i++) {
		if (ns_stack_step(fuzz_stack) == 0 && !ns_stack_busy(fuzz_stack))
			break;
	}
	fuzz_sockets_drain();
	ns_vclock_advance(&fuzz_clock, FUZZ_TICK_NS);
	ns_stack_step(fuzz_stack);
	return 0;
}
