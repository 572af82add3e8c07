/* bench_tap.c - frames from the Linux kernel through a TAP into nstack:
 * the kernel side writes 64-byte frames with sendmmsg on an AF_PACKET
 * socket bound to the TAP interface; nstack reads them (NAPI over the TAP
 * fd) up to a counting packet_type handler. The process moves itself into
 * a private network namespace first (unshare), so nothing touches the
 * host's interfaces. Needs root; prints "skipped" otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/netdevice.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"

#define ETH_P_BENCH 0x88b5
#define FRAME_LEN 64
#define BATCH 64

struct sink {
	struct packet_type pt;
	unsigned long n;
};

static int sink_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig)
{
	(void)dev;
	(void)orig;
	container_of(pt, struct sink, pt)->n++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int link_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

int main(void)
{
	struct ns_stack *s;
	struct net_device *dev;
	struct sink sink = { .pt = { .type = ETH_P_BENCH, .func = sink_rcv } };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t frame[FRAME_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
	const unsigned long n = 2000000;
	unsigned long sent = 0;
	double t;
	int fd;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("tap_rx: skipped (needs root for a private network namespace)\n");
		return 0;
	}
	s = ns_stack_create(NULL);
	dev = s ? ns_tap_open(s, "nsbench0", "eth0") : NULL;
	if (!dev || link_up("nsbench0") || ns_dev_set_up(dev, true)) {
		printf("tap_rx: skipped (cannot create a TAP: %s)\n", strerror(errno));
		return 0;
	}
	dev_add_pack(s, &sink.pt);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = (int)if_nametoindex("nsbench0");
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		printf("tap_rx: skipped (AF_PACKET: %s)\n", strerror(errno));
		return 0;
	}
	memcpy(frame, dev->dev_addr, 6);
	memset(frame + 6, 0x02, 6);
	frame[12] = ETH_P_BENCH >> 8;
	frame[13] = ETH_P_BENCH & 0xff;
	memset(frame + 14, 0x5a, sizeof(frame) - 14);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t = now();
	while (sent < n) {
		int k = sendmmsg(fd, msgs, BATCH, 0);

		if (k > 0)
			sent += (unsigned long)k;
		/* drain what the TAP queued before the kernel's queue overflows */
		for (int i = 0; i < 4; i++)
			ns_stack_run_once(s, 0);
	}
	for (int i = 0; i < 1000 && sink.n < sent; i++)
		ns_stack_run_once(s, 1);
	t = now() - t;
	printf("tap_rx: %.2f M frames/s (64-byte frames, kernel sendmmsg -> TAP -> NAPI -> packet_type; "
	       "%lu of %lu frames arrived)\n",
	       (double)sink.n / t / 1e6, sink.n, sent);
	dev_remove_pack(s, &sink.pt);
	close(fd);
	ns_stack_destroy(s);
	return 0;
}
