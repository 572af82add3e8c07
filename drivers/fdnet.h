/* fdnet.h - the shared half of the drivers that talk to the Linux kernel
 * through one non-blocking file descriptor (TAP/TUN in tap.c, AF_PACKET in
 * af_packet.c), plus the raw-IP helpers shared with custom.c.
 *
 * Receive: the fd is watched for EPOLLIN; the callback schedules NAPI; the
 * driver's poll reads frames straight into pool skbs (fdnet_rx_alloc), then
 * hands each to fdnet_rx_deliver (length checks, stats, eth_receive_skb or
 * netif_receive_skb). When the pool is empty a frame is discarded from the
 * fd (fdnet_rx_discard) so a level-triggered fd never spins.
 * Transmit: fdnet_xmit calls ops->send; -EAGAIN stops the queue and watches
 * EPOLLOUT until the kernel has room, then wakes the queue. */
#ifndef NSTACK_DRIVERS_FDNET_H
#define NSTACK_DRIVERS_FDNET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/netdevice.h"
#include "nstack/netdev.h"

#define FDNET_RX_HEADROOM 64
#define FDNET_VLAN_HLEN 4	/* room for one 802.1Q tag beyond the MTU */

struct fdnet;

struct fdnet_ops {
	/* Receive up to budget frames (the driver's NAPI poll body). Returns
	 * the number of frames handled; less than budget means the fd is
	 * drained (EAGAIN). */
	int (*poll)(struct fdnet *p, int budget);
	/* Send one frame. Returns the bytes written or -errno (-EAGAIN: the
	 * kernel has no room now; try again on EPOLLOUT). */
	ssize_t (*send)(struct fdnet *p, const void *frame, size_t len);
};

/* Driver state (netdev_priv of every fd-backed device). */
struct fdnet {
	struct net_device *dev;
	const struct fdnet_ops *ops;
	int fd;			/* owned: closed at unregister */
	int ifindex;		/* Linux ifindex (AF_PACKET), 0 for TAP/TUN */
	enum ns_link_type link;
	bool tx_blocked;	/* EPOLLOUT watched after -EAGAIN */
	struct napi_struct napi;
};

/* Allocate an fd-backed device (ether_setup or raw_ip_setup by link) whose
 * private area is a struct fdnet; the caller fills fd and registers it with
 * fdnet_register. NULL on ENOMEM. */
struct net_device *fdnet_alloc(struct ns_stack *stack, const char *name,
			       enum ns_link_type link, const struct fdnet_ops *ops);
/* Adopt fd (already non-blocking), mirror mtu, give an Ethernet device a
 * random MAC, set carrier on, register and watch the fd. On failure the fd
 * is closed and the device freed; returns 0 or -errno. */
int fdnet_register(struct net_device *dev, int fd, unsigned int mtu);

/* Receive helpers for ops->poll. */
unsigned int fdnet_rx_bufsize(const struct net_device *dev);
struct sk_buff *fdnet_rx_alloc(struct fdnet *p);
/* The frame is in skb's tailroom, wire_len bytes long as the kernel reported
 * it (more than fdnet_rx_bufsize: truncated, dropped). Consumes skb. */
void fdnet_rx_deliver(struct fdnet *p, struct sk_buff *skb, size_t wire_len);
/* Pool empty: drop the next frame in the kernel queue. Returns false when
 * there was none. */
bool fdnet_rx_discard(struct fdnet *p);

/* A receive error other than EAGAIN/EINTR: log, carrier off, stop
 * watching the fd. */
void fdnet_rx_error(struct fdnet *p, int err);

/* MTU of Linux interface ifname (SIOCGIFMTU), or -errno. */
int fdnet_linux_mtu(const char *ifname);

/* ---- bare IP devices (TUN, NS_LINK_RAW_IP) ------------------------------- */
/* Device defaults for bare IP packets: no link header, no ARP. */
void raw_ip_setup(struct net_device *dev);
/* ETH_P_IP / ETH_P_IPV6 from the version nibble, 0 when not IP. */
uint16_t raw_ip_protocol(const uint8_t *pkt, unsigned int len);

#endif
