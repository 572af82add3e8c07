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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_net.h"

#define FRAMES 1000000UL

enum kind { K_XDP_NATIVE, K_XDP_GENERIC, K_PACKET, K_TAP };

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

static void run_case(enum kind k, const char *label)
{
	struct bench_sink sink = BENCH_SINK_INIT(ETH_P_BENCH);
	const char *out = k == K_TAP ? "nsbench0" : "nxb0";
	struct ns_stack *s = ns_stack_create(NULL);
	struct net_device *dev = s ? open_kind(s, k) : NULL;
	unsigned long sent;
	double t;
	int fd;

	if (!dev || bench_link_up(k == K_TAP ? "nsbench0" : "nxb1") || ns_dev_set_up(dev, true)) {
		printf("%s: skipped (%s)\n", label, errno == EOPNOTSUPP ?
		       "built without AF_XDP" : strerror(errno));
		if (s)
			ns_stack_destroy(s);
		return;
	}
	dev_add_pack(s, &sink.pt);
	fd = bench_packet_socket(out);
	if (fd < 0) {
		printf("%s: skipped (AF_PACKET: %s)\n", label, strerror(errno));
	} else {
		t = bench_now();
		sent = bench_blast(s, &sink, fd, dev->dev_addr, FRAMES);
		t = bench_now() - t;
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
	if (system("ip link add nxb0 type veth peer name nxb1") != 0 || bench_link_up("nxb0")) {
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
