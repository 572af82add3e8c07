/* bench_xdp.c - frames from the Linux kernel through a veth pair into
 * nstack over AF_XDP (native XDP, then generic mode), beside the same
 * measurement over AF_PACKET on that veth and over a TAP (bench_tap's
 * figure): the kernel side writes 64-byte frames with sendmmsg on an
 * AF_PACKET socket; nstack takes them (NAPI) up to a counting packet_type
 * handler. The process moves itself into a private network namespace
 * first (unshare), so nothing touches the host's interfaces. Needs root;
 * prints "skipped" otherwise or when built without AF_XDP. */
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
#define FRAMES 1000000UL

struct sink {
	struct packet_type pt;
	unsigned long n;
};

enum kind { K_XDP_NATIVE, K_XDP_GENERIC, K_PACKET, K_TAP };

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

static struct net_device *open_kind(struct ns_stack *s, enum kind k)
{
	struct ns_xdp_config cfg = { .attach = k == K_XDP_NATIVE ? NS_XDP_ATTACH_NATIVE
								  : NS_XDP_ATTACH_GENERIC };

	struct net_device *dev = NULL;

	switch (k) {
	case K_XDP_NATIVE:
	case K_XDP_GENERIC:
		/* the kernel frees a closed socket's UMEM from a work queue: the
		 * queue stays busy for a moment after the previous case */
		for (int i = 0; i < 40 && !dev; i++) {
			dev = ns_xdp_open(s, "nxb1", "eth0", &cfg);
			if (!dev && errno == EBUSY)
				usleep(50000);
			else
				break;
		}
		return dev;
	case K_PACKET:
		return ns_packet_open(s, "nxb1", "eth0");
	default:
		return ns_tap_open(s, "nsbench0", "eth0");
	}
}

/* Send FRAMES frames on `out` (kernel side), drain nstack as we go. */
static unsigned long blast(struct ns_stack *s, struct sink *sink, int fd, const uint8_t *mac)
{
	uint8_t frame[FRAME_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
	unsigned long sent = 0;

	memcpy(frame, mac, 6);
	memset(frame + 6, 0x02, 6);
	frame[12] = ETH_P_BENCH >> 8;
	frame[13] = ETH_P_BENCH & 0xff;
	memset(frame + 14, 0x5a, sizeof(frame) - 14);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < FRAMES) {
		int k = sendmmsg(fd, msgs, BATCH, 0);

		if (k > 0)
			sent += (unsigned long)k;
		for (int i = 0; i < 4; i++)
			ns_stack_run_once(s, 0);
	}
	for (int i = 0; i < 1000 && sink->n < sent; i++)
		ns_stack_run_once(s, 1);
	return sent;
}

static void run_case(enum kind k, const char *label)
{
	struct sink sink = { .pt = { .type = ETH_P_BENCH, .func = sink_rcv } };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	const char *out = k == K_TAP ? "nsbench0" : "nxb0";
	struct ns_stack *s = ns_stack_create(NULL);
	struct net_device *dev = s ? open_kind(s, k) : NULL;
	unsigned long sent;
	double t;
	int fd;

	if (!dev || link_up(k == K_TAP ? "nsbench0" : "nxb1") || ns_dev_set_up(dev, true)) {
		printf("%s: skipped (%s)\n", label, errno == EOPNOTSUPP ?
		       "built without AF_XDP" : strerror(errno));
		if (s)
			ns_stack_destroy(s);
		return;
	}
	dev_add_pack(s, &sink.pt);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = (int)if_nametoindex(out);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		printf("%s: skipped (AF_PACKET: %s)\n", label, strerror(errno));
	} else {
		t = now();
		sent = blast(s, &sink, fd, dev->dev_addr);
		t = now() - t;
		printf("%-16s %.2f M frames/s (%lu of %lu arrived)\n", label,
		       (double)sink.n / t / 1e6, sink.n, sent);
	}
	if (fd >= 0)
		close(fd);
	dev_remove_pack(s, &sink.pt);
	ns_stack_destroy(s);
}

int main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("xdp_rx: skipped (needs root for a private network namespace)\n");
		return 0;
	}
	if (system("ip link add nxb0 type veth peer name nxb1") != 0 || link_up("nxb0")) {
		printf("xdp_rx: skipped (cannot create a veth pair)\n");
		return 0;
	}
	printf("64-byte frames, kernel sendmmsg -> wire -> nstack driver -> NAPI -> packet_type:\n");
	run_case(K_XDP_NATIVE, "xdp_rx native");
	run_case(K_XDP_GENERIC, "xdp_rx generic");
	run_case(K_PACKET, "packet_rx veth");
	run_case(K_TAP, "tap_rx");
	return 0;
}
