/* netdev.h - devices from the embedder's side: the drivers nstack ships
 * (in-memory pipe, Linux TAP and TUN), packet capture, and an API to write
 * your own driver.
 *
 * Writing a driver (see docs/drivers.md for a complete example):
 *   struct ns_driver_ops ops = { .xmit = my_send };
 *   struct net_device *dev = ns_dev_create(stack, "eth%d", NS_LINK_ETHER, mac, 1500, &ops, ctx);
 *   ns_dev_set_up(dev, true);
 *   ... when a frame arrives:   ns_dev_rx(dev, frame, len);
 *   ... when your ring has room again after xmit returned -EAGAIN: ns_dev_tx_wake(dev);
 */
#ifndef NSTACK_NETDEV_H
#define NSTACK_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nstack/nstack.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ns_link_type {
	NS_LINK_ETHER,		/* frames start with an Ethernet header */
	NS_LINK_RAW_IP,		/* bare IPv4/IPv6 packets (TUN-like) */
};

struct ns_driver_ops {
	/* Send one frame. The bytes are only valid during the call.
	 * Return 0 when taken, -EAGAIN when the driver's ring is full (the
	 * stack stops the device queue and keeps the frame until
	 * ns_dev_tx_wake()), any other -errno to drop it (counted). */
	int (*xmit)(void *ctx, const void *frame, size_t len);
	/* Called once when the device is destroyed. May be NULL. */
	void (*destroy)(void *ctx);
};

/* Register a device driven by the embedder. name may hold "%d" (e.g.
 * "eth%d") for the first free number. mac may be NULL for NS_LINK_RAW_IP
 * (or for a random locally administered address on Ethernet). */
struct net_device *ns_dev_create(struct ns_stack *stack, const char *name,
				 enum ns_link_type type, const uint8_t mac[6],
				 unsigned int mtu, const struct ns_driver_ops *ops,
				 void *ctx);
/* Hand the stack a received frame (copied). It goes through the backlog
 * queue (net.core.netdev_max_backlog). Returns 0, -ENOBUFS when the backlog
 * or the buffer pool is full (counted), -EINVAL for a runt. */
int ns_dev_rx(struct net_device *dev, const void *frame, size_t len);
/* The driver has room again after returning -EAGAIN. */
void ns_dev_tx_wake(struct net_device *dev);

/* Devices by name, up/down, MTU, MAC. */
struct net_device *ns_dev_get(struct ns_stack *stack, const char *name);
const char *ns_dev_name(const struct net_device *dev);
int ns_dev_ifindex(const struct net_device *dev);
int ns_dev_set_up(struct net_device *dev, bool up);
int ns_dev_set_mtu(struct net_device *dev, unsigned int mtu);
int ns_dev_set_mac(struct net_device *dev, const uint8_t mac[6]);
/* Transmit checksum offload (ethtool -K DEV tx on|off): TCP leaves its
 * checksum to the device, as Linux does with NETIF_F_HW_CSUM. Only in-memory
 * wires can (the pipe, off by default; lo, always on): a wire that never
 * damages a frame needs no checksum, and a frame forwarded on to another
 * device gets it completed there. 0, or -EOPNOTSUPP for other drivers. */
int ns_dev_set_tx_csum(struct net_device *dev, bool on);
/* Generic receive offload (ethtool -K DEV gro on|off): consecutive TCP
 * segments of a flow (IPv4 or IPv6) that arrive in one poll are merged before IP sees
 * them (one pass through IP and TCP, one ACK per batch). On by default on
 * drivers that support it (the pipe); never applied on a bridge port or
 * where IP forwarding is on. 0, or -EOPNOTSUPP for other drivers. */
int ns_dev_set_gro(struct net_device *dev, bool on);
/* Remove and free a device. */
void ns_dev_destroy(struct net_device *dev);

/* ---- drivers shipped with nstack ---------------------------------------- */
/* An in-memory wire joining two devices, in the same stack or in two stacks
 * driven from the same thread. ring: rx ring slots per side (0: 256). */
int ns_pipe_create(struct ns_stack *a, const char *name_a,
		   struct ns_stack *b, const char *name_b, unsigned int ring,
		   struct net_device **dev_a, struct net_device **dev_b);

/* Attach to a Linux TAP (Ethernet) or TUN (IP) interface `ifname`, creating
 * it when it does not exist (NULL ifname: the kernel picks one); the stack's
 * device is named `name` (NULL: "eth%d"), has its own random MAC and the
 * Linux interface's MTU. NULL with errno on failure. */
struct net_device *ns_tap_open(struct ns_stack *stack, const char *ifname, const char *name);
struct net_device *ns_tun_open(struct ns_stack *stack, const char *ifname, const char *name);
/* Attach to an existing Linux Ethernet interface `ifname` (e.g. one end of
 * a veth pair) with an AF_PACKET socket in promiscuous mode; the stack's
 * device is named `name` and has its own MAC. NULL with errno on failure. */
struct net_device *ns_packet_open(struct ns_stack *stack, const char *ifname, const char *name);

/* Attach to queue `queue_id` of an existing Linux Ethernet interface through
 * an AF_XDP socket (libxdp loads its default redirect program): native XDP
 * when the driver has it, else generic (SKB) mode. Frames are copied
 * between the UMEM and pool skbs. Needs CAP_NET_ADMIN, CAP_NET_RAW and
 * CAP_BPF (root). NULL with errno on failure; EOPNOTSUPP when nstack was
 * built without libxdp/libbpf; EBUSY while the queue has a socket (also for
 * a moment after one closed: the kernel frees it from a work queue).
 * cfg NULL: all defaults. */
enum ns_xdp_copy { NS_XDP_COPY_AUTO, NS_XDP_COPY, NS_XDP_ZEROCOPY };
enum ns_xdp_attach { NS_XDP_ATTACH_AUTO, NS_XDP_ATTACH_NATIVE, NS_XDP_ATTACH_GENERIC };
struct ns_xdp_config {
	unsigned int queue_id;		/* 0 */
	unsigned int frame_count;	/* UMEM frames, half receive, half transmit (0: 4096) */
	unsigned int frame_size;	/* 2048 or 4096 (0: 4096) */
	enum ns_xdp_copy copy;		/* AUTO: zero-copy when the driver offers it */
	enum ns_xdp_attach attach;	/* AUTO: native, then generic */
};
struct net_device *ns_xdp_open(struct ns_stack *stack, const char *ifname, const char *name,
			       const struct ns_xdp_config *cfg);

/* Capture every frame a device receives and sends to a pcap file that
 * tshark and Wireshark read (nanosecond timestamps from the stack clock). */
int ns_pcap_start(struct net_device *dev, const char *path);
void ns_pcap_stop(struct net_device *dev);

#ifdef __cplusplus
}
#endif
#endif
