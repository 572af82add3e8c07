/* bench_tap.c - frames from the Linux kernel through a TAP into nstack:
 * the kernel side writes 64-byte frames with sendmmsg on an AF_PACKET
 * socket bound to the TAP interface; nstack reads them (NAPI over the TAP
 * fd) up to a counting packet_type handler. The process moves itself into
 * a private network namespace first (unshare), so nothing touches the
 * host's interfaces. Needs root; prints "skipped" otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_net.h"

int main(void)
{
	struct ns_stack *s;
	struct net_device *dev;
	struct bench_sink sink = BENCH_SINK_INIT(ETH_P_BENCH);
	const unsigned long n = 2000000;
	unsigned long sent;
	double t;
	int fd;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("tap_rx: skipped (needs root for a private network namespace)\n");
		return 0;
	}
	s = ns_stack_create(NULL);
	dev = s ? ns_tap_open(s, "nsbench0", "eth0") : NULL;
	if (!dev || bench_link_up("nsbench0") || ns_dev_set_up(dev, true)) {
		printf("tap_rx: skipped (cannot create a TAP: %s)\n", strerror(errno));
		return 0;
	}
	dev_add_pack(s, &sink.pt);
	fd = bench_packet_socket("nsbench0");
	if (fd < 0) {
		printf("tap_rx: skipped (AF_PACKET: %s)\n", strerror(errno));
		return 0;
	}
	t = bench_now();
	sent = bench_blast(s, &sink, fd, dev->dev_addr, n);
	t = bench_now() - t;
	printf("tap_rx: %.2f M frames/s (64-byte frames, kernel sendmmsg -> TAP -> NAPI -> packet_type; "
	       "%lu of %lu frames arrived)\n",
	       (double)sink.n / t / 1e6, sink.n, sent);
	dev_remove_pack(s, &sink.pt);
	close(fd);
	ns_stack_destroy(s);
	return 0;
}
