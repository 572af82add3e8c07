/* bench_net.h - kernel-side helpers for the benchmarks that feed nstack
 * from the Linux kernel (bench_tap, bench_xdp): bring a kernel link up,
 * open an AF_PACKET socket on it, and blast 64-byte frames with sendmmsg
 * while nstack drains them into a bench_sink. Include after defining
 * _GNU_SOURCE (struct ifreq, sendmmsg). */
#ifndef NSTACK_BENCH_NET_H
#define NSTACK_BENCH_NET_H

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define BENCH_NET_FRAME_LEN 64
#define BENCH_NET_BATCH 64

/* ip link set <ifname> up, through the kernel's ioctl; 0 or -1 (errno). */
static inline int bench_link_up(const char *ifname)
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

/* A raw AF_PACKET socket bound to the kernel interface ifname, or -1. */
static inline int bench_packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send n ETH_P_BENCH frames to `mac` on fd (kernel side), running s as we
 * go so the kernel's queue does not overflow, then until the sink has them
 * all or a second passed. Returns how many the kernel took. */
static inline unsigned long bench_blast(struct ns_stack *s, struct bench_sink *sink, int fd,
					const uint8_t *mac, unsigned long n)
{
	uint8_t frame[BENCH_NET_FRAME_LEN];
	struct mmsghdr msgs[BENCH_NET_BATCH];
	struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
	unsigned long sent = 0;

	memcpy(frame, mac, 6);
	memset(frame + 6, 0x02, 6);
	frame[12] = ETH_P_BENCH >> 8;
	frame[13] = ETH_P_BENCH & 0xff;
	memset(frame + 14, 0x5a, sizeof(frame) - 14);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BENCH_NET_BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < n) {
		int k = sendmmsg(fd, msgs, BENCH_NET_BATCH, 0);

		if (k > 0)
			sent += (unsigned long)k;
		/* drain what the device queued before the kernel's queue overflows */
		for (int i = 0; i < 4; i++)
			ns_stack_run_once(s, 0);
	}
	for (int i = 0; i < 1000 && sink->n < sent; i++)
		ns_stack_run_once(s, 1);
	return sent;
}

#endif
