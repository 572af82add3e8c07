/* tapctl.c - integration-test helper: attach one stack to a Linux TAP, TUN
 * or (AF_PACKET) interface, optionally capture to pcap, send N test frames
 * and run the loop for a while, then print the stack's /proc/net/dev.
 *
 *   tapctl (--tap IF | --tun IF | --packet IF) [--pcap FILE] [--count N]
 *          [--seconds S] [--name NAME]
 *
 * Ethernet test frames: broadcast, ethertype 0x88b5 (IEEE 802 local
 * experimental), payload "nstack-test-frame <i>". TUN test packets: IPv4,
 * protocol 253 (RFC 3692 experimental), 198.18.0.2 -> 198.18.0.1, same
 * payload. Prints "ready" on stderr once the device is up. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/netdevice.h"
#include "core/stack.h"
#include "ethernet/eth.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "wire/checksum.h"

#define ETH_P_TEST 0x88b5
#define TEST_PAYLOAD 46
#define IPPROTO_TEST 253

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int send_eth(struct net_device *dev, int i)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), TEST_PAYLOAD);
	char *p;

	if (!skb)
		return -ENOBUFS;
	p = skb_put(skb, TEST_PAYLOAD);
	memset(p, 0, TEST_PAYLOAD);
	snprintf(p, TEST_PAYLOAD, "nstack-test-frame %d", i);
	skb->dev = dev;
	if (dev->header_ops->create(skb, dev, ETH_P_TEST, NULL, NULL, skb->len) < 0) {
		kfree_skb(skb);
		return -EINVAL;
	}
	return dev_queue_xmit(skb) == NET_XMIT_SUCCESS ? 0 : -ENOBUFS;
}

static int send_ip(struct net_device *dev, int i)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), 20 + TEST_PAYLOAD);
	uint8_t *h;

	if (!skb)
		return -ENOBUFS;
	h = skb_put(skb, 20 + TEST_PAYLOAD);
	memset(h, 0, 20 + TEST_PAYLOAD);
	h[0] = 0x45;				/* RFC 791 3.1: version 4, IHL 5 */
	put_be16(h + 2, 20 + TEST_PAYLOAD);
	put_be16(h + 4, (uint16_t)i);
	h[8] = 64;
	h[9] = IPPROTO_TEST;
	put_be32(h + 12, 0xc6120002);		/* 198.18.0.2 */
	put_be32(h + 16, 0xc6120001);		/* 198.18.0.1 */
	put_be16(h + 10, csum_fold(csum_partial(h, 20, 0)));
	snprintf((char *)h + 20, TEST_PAYLOAD, "nstack-test-frame %d", i);
	skb->dev = dev;
	skb->protocol = ETH_P_IP;
	return dev_queue_xmit(skb) == NET_XMIT_SUCCESS ? 0 : -ENOBUFS;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: tapctl (--tap IF | --tun IF | --packet IF) [--pcap FILE] "
			"[--count N] [--seconds S] [--name NAME]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *ifname = NULL, *pcap = NULL, *name = "eth0";
	int count = 3;
	double seconds = 2;
	struct ns_stack *stack;
	struct net_device *dev;
	uint64_t end;
	char *procdev;

	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage();
		if (!strcmp(a, "--tap") || !strcmp(a, "--tun") || !strcmp(a, "--packet")) {
			mode = a + 2;
			ifname = v;
		} else if (!strcmp(a, "--pcap")) {
			pcap = v;
		} else if (!strcmp(a, "--count")) {
			count = atoi(v);
		} else if (!strcmp(a, "--seconds")) {
			seconds = atof(v);
		} else if (!strcmp(a, "--name")) {
			name = v;
		} else {
			return usage();
		}
	}
	if (!mode || count < 0 || seconds < 0)
		return usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	stack = ns_stack_create(&(struct ns_stack_config){ .name = "tapctl" });
	if (!stack) {
		perror("ns_stack_create");
		return 1;
	}
	/* as the kernel side: no IPv6 autoconfiguration frames in the counts */
	ns_sysctl_set(stack, "net.ipv6.conf.default.disable_ipv6", "1");
	if (!strcmp(mode, "tap"))
		dev = ns_tap_open(stack, ifname, name);
	else if (!strcmp(mode, "tun"))
		dev = ns_tun_open(stack, ifname, name);
	else
		dev = ns_packet_open(stack, ifname, name);
	if (!dev) {
		fprintf(stderr, "tapctl: open %s %s: %s\n", mode, ifname, strerror(errno));
		ns_stack_destroy(stack);
		return 1;
	}
	if (pcap && ns_pcap_start(dev, pcap) < 0) {
		fprintf(stderr, "tapctl: pcap %s failed\n", pcap);
		ns_stack_destroy(stack);
		return 1;
	}
	ns_dev_set_up(dev, true);
	fprintf(stderr, "ready\n");	/* the test starts its Linux-side senders now */
	for (int i = 0; i < count; i++)
		if ((dev->type == ARPHRD_NONE ? send_ip(dev, i) : send_eth(dev, i)) < 0)
			fprintf(stderr, "tapctl: frame %d not queued\n", i);
	end = mono_ns() + (uint64_t)(seconds * 1e9);
	while (!stop && mono_ns() < end)
		if (ns_stack_run_once(stack, 50) < 0)
			break;
	ns_pcap_stop(dev);
	procdev = ns_proc_read(stack, "/proc/net/dev", NULL);
	if (procdev)
		fputs(procdev, stdout);
	free(procdev);
	fflush(stdout);
	ns_stack_destroy(stack);
	return 0;
}
