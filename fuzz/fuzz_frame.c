/* fuzz_frame.c - libFuzzer harness: every input is one Ethernet frame
 * received by a device of a stack on virtual time.
 *
 * One stack and one device live across runs (static pointers are fine in
 * a test program), so state that the protocols keep (neighbour entries,
 * fragments, connections) is fuzzed too. Each run injects the frame with
 * ns_dev_rx, steps the stack and advances the clock 10 ms, so timers fire.
 * Transmitted frames are discarded. Seeds: fuzz/seeds/ (ARP, ICMP echo,
 * UDP, TCP SYN, IPv6 neighbour solicitation to 02:00:00:00:00:01 /
 * 198.18.0.1 / fd00::1). Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "ipv4/devinet.h"
#include "ipv6/ipv6.h"

#define FUZZ_STEPS 8
#define FUZZ_TICK_NS 10000000ULL	/* 10 ms of virtual time per input */

static struct ns_vclock fuzz_clock;
static struct ns_stack *fuzz_stack;
static struct net_device *fuzz_dev;

static int fuzz_xmit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;
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
	ns_vclock_advance(&fuzz_clock, FUZZ_TICK_NS);
	ns_stack_step(fuzz_stack);
	return 0;
}
