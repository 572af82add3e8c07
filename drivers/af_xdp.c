/* af_xdp.c - attach to one queue of an existing Linux Ethernet interface
 * through an AF_XDP socket (XSK), with libxdp's xsk.h API: the UMEM, its
 * fill and completion rings and the socket's RX and TX rings, and the
 * default XDP program (loaded by libxdp) that redirects the queue's frames
 * to the socket. Native (driver) XDP is tried first, generic (SKB) mode
 * when the driver has none; zero-copy when the driver offers it, else copy.
 *
 * Like a NIC driver, the device owns the UMEM: its first half are receive
 * buffers that cycle fill ring -> RX ring -> fill ring, the second half
 * transmit buffers that cycle free list -> TX ring -> completion ring ->
 * free list. The XSK fd is watched for EPOLLIN and schedules NAPI; the poll
 * reclaims completions, takes up to budget RX descriptors and COPIES each
 * frame into a pool skb, so the rest of the stack keeps its skb pool model
 * (a zero-copy variant wrapping UMEM frames in skbs is future work), and
 * restocks the fill ring. Transmit copies into a free UMEM frame, posts it
 * and kicks the kernel with sendto() when the ring asks for a wakeup. No
 * free frame or a full TX ring stops the queue (NETDEV_TX_BUSY) until the
 * completion path (NAPI poll, EPOLLOUT) has frames again. The kernel's
 * drop counters (XDP_STATISTICS) are folded into rx_dropped /
 * rx_missed_errors / tx_errors once a second.
 *
 * Checksum offloads are not undone: a veth peer sends TCP/UDP with
 * CHECKSUM_PARTIAL (no checksum filled in), so turn them off there
 * (`ethtool -K peer tx off`). Built only when libxdp and libbpf were found;
 * af_xdp_none.c stands in otherwise. */
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

#include "core/netdevice.h"
#include "core/stack.h"
#include "core/timer.h"
#include "ethernet/eth.h"
#include "nstack/netdev.h"

#define XDP_DEF_FRAMES 4096
#define XDP_DEF_FRAME_SIZE 4096
#define XDP_MIN_RING 32
#define XDP_RX_HEADROOM 64		/* skb headroom for the stack */
#define XDP_VLAN_HLEN 4
#define XDP_STATS_PERIOD_NS 1000000000ULL

struct xdpnet {
	struct net_device *dev;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	void *area;			/* the UMEM: 2 * ring frames */
	size_t area_len;
	uint32_t frame_size, ring;	/* ring: size of every ring, frames per half */
	uint64_t *rx_free;		/* receive frames not in the fill ring */
	uint32_t n_rx_free;
	uint64_t *tx_free;		/* transmit frames not in flight */
	uint32_t n_tx_free;
	int fd;
	uint32_t xdp_flags;		/* the attach mode that worked */
	bool watched, tx_blocked;
	struct xdp_statistics seen;	/* kernel counters already folded in */
	struct timer_list stats_timer;
	struct napi_struct napi;
};

static void xdp_event(void *ctx, uint32_t events);

static uint64_t xdp_frame_base(const struct xdpnet *x, uint64_t addr)
{
	return addr & ~(uint64_t)(x->frame_size - 1);	/* aligned chunk mode */
}

/* ---- statistics ------------------------------------------------------------------ */
static void xdp_stats_fold(struct xdpnet *x)
{
	struct xdp_statistics s;
	socklen_t len = sizeof(s);
	struct net_device_stats *st = &x->dev->stats;

	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &s, &len) < 0 || len < sizeof(s))
		return;
	st->rx_dropped += (s.rx_dropped - x->seen.rx_dropped) +
			  (s.rx_invalid_descs - x->seen.rx_invalid_descs);
	st->rx_missed_errors += (s.rx_ring_full - x->seen.rx_ring_full) +
				(s.rx_fill_ring_empty_descs - x->seen.rx_fill_ring_empty_descs);
	st->tx_errors += s.tx_invalid_descs - x->seen.tx_invalid_descs;
	x->seen = s;
}

static void xdp_stats_timer(struct timer_list *t)
{
	struct xdpnet *x = from_timer(x, t, stats_timer);

	xdp_stats_fold(x);
	mod_timer(t, ns_now(dev_net(x->dev)) + XDP_STATS_PERIOD_NS);
}

/* ---- fill ring and completion ring ------------------------------------------------ */
/* Wake the kernel driver when a ring asks for it (need_wakeup protocol). */
static void xdp_kick_tx(struct xdpnet *x)
{
	if (!xsk_ring_prod__needs_wakeup(&x->tx))
		return;
	if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN && errno != EINTR)
		x->dev->stats.tx_errors++;
}

/* Keep the fill ring stocked with every receive frame we hold. */
static void xdp_refill(struct xdpnet *x)
{
	uint32_t idx, n = x->n_rx_free;

	if (!n)
		return;
	n = xsk_ring_prod__reserve(&x->fill, n, &idx);
	for (uint32_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) = x->rx_free[--x->n_rx_free];
	xsk_ring_prod__submit(&x->fill, n);
	if (n && xsk_ring_prod__needs_wakeup(&x->fill))
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static void xdp_tx_unblock(struct xdpnet *x)
{
	if (x->tx_blocked &&
	    ns_stack_rewatch_fd(dev_net(x->dev), x->fd, EPOLLIN, xdp_event, x) == 0)
		x->tx_blocked = false;
	if (netif_queue_stopped(x->dev))
		netif_wake_queue(x->dev);
}

/* Reclaim sent frames from the completion ring; wake a stopped queue. */
static uint32_t xdp_tx_reclaim(struct xdpnet *x)
{
	uint32_t idx, n = xsk_ring_cons__peek(&x->comp, x->ring, &idx);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = *xsk_ring_cons__comp_addr(&x->comp, idx + i);

		if (likely(x->n_tx_free < x->ring))
			x->tx_free[x->n_tx_free++] = xdp_frame_base(x, addr);
	}
	if (n)
		xsk_ring_cons__release(&x->comp, n);
	if (x->n_tx_free && (x->tx_blocked || netif_queue_stopped(x->dev)))
		xdp_tx_unblock(x);
	return n;
}

/* ---- receive --------------------------------------------------------------------- */
static unsigned int xdp_rx_max(const struct net_device *dev)
{
	return dev->mtu + dev->hard_header_len + XDP_VLAN_HLEN;
}

static void xdp_rx_frame(struct xdpnet *x, const struct xdp_desc *d)
{
	struct net_device *dev = x->dev;
	struct sk_buff *skb;

	if (unlikely(d->len > xdp_rx_max(dev) || d->len < ETH_HLEN)) {
		dev->stats.rx_length_errors++;
		dev->stats.rx_errors++;
		return;
	}
	if (unlikely(!netif_running(dev))) {
		dev->stats.rx_dropped++;
		return;
	}
	skb = skb_from_bytes(dev_net(dev), xsk_umem__get_data(x->area, d->addr), d->len,
			     XDP_RX_HEADROOM);
	if (unlikely(!skb)) {
		dev->stats.rx_missed_errors++;	/* pool empty: like a NIC out of buffers */
		return;
	}
	skb->dev = dev;
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += d->len;
	eth_receive_skb(skb, dev);
}

static int xdp_napi_poll(struct napi_struct *napi, int budget)
{
	struct xdpnet *x = netdev_priv(napi->dev);
	uint32_t idx, n;

	xdp_tx_reclaim(x);
	n = xsk_ring_cons__peek(&x->rx, (uint32_t)budget, &idx);
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);

		xdp_rx_frame(x, d);
		if (likely(x->n_rx_free < x->ring))
			x->rx_free[x->n_rx_free++] = xdp_frame_base(x, d->addr);
	}
	if (n)
		xsk_ring_cons__release(&x->rx, n);
	xdp_refill(x);
	if ((int)n < budget)
		napi_complete_done(napi, (int)n);
	return (int)n;
}

static void xdp_event(void *ctx, uint32_t events)
{
	struct xdpnet *x = ctx;

	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		napi_schedule(&x->napi);
	if ((events & EPOLLOUT) && x->tx_blocked && !xdp_tx_reclaim(x))
		xdp_kick_tx(x);		/* frames still queued: push them on */
}

/* ---- transmit -------------------------------------------------------------------- */
static netdev_tx_t xdp_tx_busy(struct xdpnet *x)
{
	struct net_device *dev = x->dev;

	netif_stop_queue(dev);
	xdp_kick_tx(x);
	if (!x->tx_blocked &&
	    ns_stack_rewatch_fd(dev_net(dev), x->fd, EPOLLIN | EPOLLOUT, xdp_event, x) == 0)
		x->tx_blocked = true;
	if (!x->tx_blocked)
		netif_wake_queue(dev);	/* cannot wait: retry next round */
	return NETDEV_TX_BUSY;
}

static netdev_tx_t xdp_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct xdpnet *x = netdev_priv(dev);
	struct xdp_desc *d;
	uint32_t idx;
	uint64_t addr;

	if (unlikely(skb->len > x->frame_size)) {
		dev->stats.tx_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return NETDEV_TX_OK;
	}
	if (!x->n_tx_free)
		xdp_tx_reclaim(x);
	if (!x->n_tx_free || xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1)
		return xdp_tx_busy(x);
	addr = x->tx_free[--x->n_tx_free];
	memcpy(xsk_umem__get_data(x->area, addr), skb->data, skb->len);
	d = xsk_ring_prod__tx_desc(&x->tx, idx);
	d->addr = addr;
	d->len = skb->len;
	d->options = 0;
	xsk_ring_prod__submit(&x->tx, 1);
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	consume_skb(skb);
	xdp_kick_tx(x);
	return NETDEV_TX_OK;
}

/* ---- setup and teardown ---------------------------------------------------------- */
static void xdp_teardown(struct xdpnet *x)
{
	if (x->watched)
		ns_stack_unwatch_fd(dev_net(x->dev), x->fd);
	x->watched = false;
	del_timer(&x->stats_timer);
	if (x->xsk)
		xsk_socket__delete(x->xsk);	/* detaches libxdp's program when last */
	x->xsk = NULL;
	if (x->umem)
		xsk_umem__delete(x->umem);
	x->umem = NULL;
	if (x->area)
		munmap(x->area, x->area_len);
	x->area = NULL;
	free(x->rx_free);
	free(x->tx_free);
	x->rx_free = x->tx_free = NULL;
	x->fd = -1;
}

static void xdp_uninit(struct net_device *dev)
{
	xdp_teardown(netdev_priv(dev));
}

static const struct net_device_ops xdp_netdev_ops = {
	.ndo_start_xmit = xdp_xmit,
	.ndo_uninit = xdp_uninit,
};

static uint32_t xdp_pow2_floor(uint32_t v)
{
	uint32_t p = 1;

	while (p <= v / 2)
		p <<= 1;
	return p;
}

static int xdp_check_config(const struct ns_xdp_config *cfg, uint32_t *frame_size,
			    uint32_t *ring)
{
	uint32_t frames = cfg->frame_count ? cfg->frame_count : XDP_DEF_FRAMES;

	*frame_size = cfg->frame_size ? cfg->frame_size : XDP_DEF_FRAME_SIZE;
	/* aligned chunk mode: a power of two from 2048 to the page size */
	if ((*frame_size != 2048 && *frame_size != 4096) || frames < 2 * XDP_MIN_RING ||
	    frames > (1u << 20) || cfg->copy > NS_XDP_ZEROCOPY || cfg->attach > NS_XDP_ATTACH_GENERIC)
		return -EINVAL;
	*ring = xdp_pow2_floor(frames / 2);
	return 0;
}

static int xdp_umem_setup(struct xdpnet *x)
{
	struct xsk_umem_config uc = {
		.fill_size = x->ring, .comp_size = x->ring, .frame_size = x->frame_size,
		.frame_headroom = 0, .flags = 0,
	};
	int rc;

	x->area_len = (size_t)2 * x->ring * x->frame_size;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	x->rx_free = calloc(x->ring, sizeof(*x->rx_free));
	x->tx_free = calloc(x->ring, sizeof(*x->tx_free));
	if (!x->rx_free || !x->tx_free)
		return -ENOMEM;
	for (uint32_t i = 0; i < x->ring; i++) {
		x->rx_free[x->n_rx_free++] = (uint64_t)i * x->frame_size;
		x->tx_free[x->n_tx_free++] = (uint64_t)(x->ring + i) * x->frame_size;
	}
	rc = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fill, &x->comp, &uc);
	if (rc)
		x->umem = NULL;
	return rc < 0 ? rc : (rc ? -rc : 0);
}

static int xdp_socket_try(struct xdpnet *x, const char *ifname, uint32_t queue,
			  uint32_t xdp_flags, uint16_t bind_flags)
{
	struct xsk_socket_config sc = {
		.rx_size = x->ring, .tx_size = x->ring, .libxdp_flags = 0,
		.xdp_flags = xdp_flags, .bind_flags = (uint16_t)(bind_flags | XDP_USE_NEED_WAKEUP),
	};
	int rc = xsk_socket__create(&x->xsk, ifname, queue, x->umem, &x->rx, &x->tx, &sc);

	if (rc)
		x->xsk = NULL;
	else
		x->xdp_flags = xdp_flags;
	return rc < 0 ? rc : -rc;
}

/* Native XDP first, generic (SKB) mode when the driver has none. */
static int xdp_socket_setup(struct xdpnet *x, const char *ifname, const struct ns_xdp_config *cfg)
{
	uint16_t bind = cfg->copy == NS_XDP_COPY ? XDP_COPY :
			cfg->copy == NS_XDP_ZEROCOPY ? XDP_ZEROCOPY : 0;
	int rc = -EOPNOTSUPP;

	if (cfg->attach != NS_XDP_ATTACH_GENERIC)
		rc = xdp_socket_try(x, ifname, cfg->queue_id, XDP_FLAGS_DRV_MODE, bind);
	if (rc && cfg->attach == NS_XDP_ATTACH_AUTO && cfg->copy != NS_XDP_ZEROCOPY)
		ns_log(dev_net(x->dev), "%s: native XDP on %s failed (%s), trying generic mode",
		       x->dev->name, ifname, strerror(-rc));
	if (rc && cfg->attach != NS_XDP_ATTACH_NATIVE && cfg->copy != NS_XDP_ZEROCOPY)
		rc = xdp_socket_try(x, ifname, cfg->queue_id, XDP_FLAGS_SKB_MODE, bind);
	if (rc)
		return rc;
	x->fd = xsk_socket__fd(x->xsk);
	return 0;
}

/* The Linux interface must be Ethernet; returns its MTU or -errno. */
static int xdp_linux_link(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		rc = -errno;
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		rc = -EPROTONOSUPPORT;
	else
		rc = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(s);
	return rc;
}

static void xdp_set_mtu(struct xdpnet *x, int linux_mtu)
{
	struct net_device *dev = x->dev;
	/* the kernel puts XDP_PACKET_HEADROOM in front of every received frame */
	unsigned int room = x->frame_size - XDP_PACKET_HEADROOM - ETH_HLEN - XDP_VLAN_HLEN;

	dev->max_mtu = room;
	if (linux_mtu >= (int)dev->min_mtu)
		dev->mtu = (unsigned int)linux_mtu < room ? (unsigned int)linux_mtu : room;
}

static void xdp_log_mode(struct xdpnet *x, const char *ifname, uint32_t queue)
{
	struct xdp_options opt = { 0 };
	socklen_t len = sizeof(opt);

	getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &opt, &len);
	ns_log(dev_net(x->dev), "%s: AF_XDP on %s queue %u, %s XDP, %s, %u+%u frames of %u bytes",
	       x->dev->name, ifname, queue,
	       (x->xdp_flags & XDP_FLAGS_SKB_MODE) ? "generic" : "native",
	       (opt.flags & XDP_OPTIONS_ZEROCOPY) ? "zero-copy" : "copy mode",
	       x->ring, x->ring, x->frame_size);
}

/* Everything up to registration; on failure the caller tears down. */
static int xdp_setup(struct xdpnet *x, const char *ifname, const struct ns_xdp_config *cfg)
{
	struct ns_stack *stack = dev_net(x->dev);
	int mtu, rc;

	rc = xdp_umem_setup(x);		/* first syscall needing privileges */
	if (rc)
		return rc;
	mtu = xdp_linux_link(ifname);
	if (mtu < 0)
		return mtu;
	xdp_set_mtu(x, mtu);
	rc = xdp_socket_setup(x, ifname, cfg);
	if (rc)
		return rc;
	xdp_refill(x);
	eth_random_addr(stack, x->dev->dev_addr);	/* our own NIC, not Linux's MAC */
	x->dev->state &= ~(1UL << __LINK_STATE_NOCARRIER);
	xdp_log_mode(x, ifname, cfg->queue_id);
	return 0;
}

struct net_device *ns_xdp_open(struct ns_stack *stack, const char *ifname, const char *name,
			       const struct ns_xdp_config *cfg)
{
	static const struct ns_xdp_config defaults;
	struct net_device *dev;
	struct xdpnet *x;
	uint32_t frame_size, ring;
	int rc;

	if (!cfg)
		cfg = &defaults;
	if (!ifname || strlen(ifname) >= IFNAMSIZ || xdp_check_config(cfg, &frame_size, &ring)) {
		errno = EINVAL;
		return NULL;
	}
	if (!if_nametoindex(ifname)) {
		errno = ENODEV;
		return NULL;
	}
	dev = alloc_netdev(stack, sizeof(struct xdpnet), name ? name : "eth%d", ether_setup);
	if (!dev) {
		errno = ENOMEM;
		return NULL;
	}
	x = netdev_priv(dev);
	x->dev = dev;
	x->fd = -1;
	x->frame_size = frame_size;
	x->ring = ring;
	dev->netdev_ops = &xdp_netdev_ops;
	timer_setup(&x->stats_timer, stack, xdp_stats_timer);
	rc = xdp_setup(x, ifname, cfg);
	if (rc)
		goto fail;
	netif_napi_add(dev, &x->napi, xdp_napi_poll, stack->core.dev_weight);
	rc = register_netdev(dev);
	if (rc) {
		netif_napi_del(&x->napi);
		goto fail;
	}
	rc = ns_stack_watch_fd(stack, x->fd, EPOLLIN, xdp_event, x);
	if (rc) {
		unregister_netdev(dev);		/* ndo_uninit tears down */
		errno = -rc;
		return NULL;
	}
	x->watched = true;
	mod_timer(&x->stats_timer, ns_now(stack) + XDP_STATS_PERIOD_NS);
	return dev;
fail:
	xdp_teardown(x);
	free_netdev(dev);
	errno = -rc;
	return NULL;
}
