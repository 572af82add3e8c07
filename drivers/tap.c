/* tap.c - Linux TAP (Ethernet frames) and TUN (bare IP packets) devices.
 *
 * ns_tap_open attaches to /dev/net/tun with IFF_TAP|IFF_NO_PI (TUN:
 * IFF_TUN|IFF_NO_PI): an existing persistent interface of that name, or a
 * new one that lives as long as the fd. The nstack device is the NIC on the
 * far end of the wire: its own random MAC, its MTU mirrored from the Linux
 * interface at open. One read() or write() is one frame; the shared
 * receive/transmit logic is in fdnet.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drivers/fdnet.h"

/* NAPI poll body: read() frames straight into pool skbs until the fd is
 * empty or the budget is spent. */
static int tap_poll(struct fdnet *p, int budget)
{
	int work = 0;

	while (work < budget) {
		struct sk_buff *skb = fdnet_rx_alloc(p);
		ssize_t n;

		if (unlikely(!skb)) {
			if (!fdnet_rx_discard(p))
				break;
			work++;
			continue;
		}
		/* tun returns the full frame length even when it truncated it */
		n = read(p->fd, skb_tail_pointer(skb), skb_tailroom(skb));
		if (n < 0) {
			int err = errno;

			consume_skb(skb);	/* unused buffer, not a drop */
			if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR)
				fdnet_rx_error(p, err);
			break;
		}
		fdnet_rx_deliver(p, skb, (size_t)n);
		work++;
	}
	return work;
}

static ssize_t tap_send(struct fdnet *p, const void *frame, size_t len)
{
	ssize_t n = write(p->fd, frame, len);

	return n < 0 ? -errno : n;
}

static const struct fdnet_ops tap_fdnet_ops = {
	.poll = tap_poll,
	.send = tap_send,
};

static struct net_device *tuntap_open(struct ns_stack *stack, const char *ifname,
				      const char *name, short type, enum ns_link_type link)
{
	struct net_device *dev;
	struct ifreq ifr;
	int fd, mtu, rc;

	if (ifname && strlen(ifname) >= IFNAMSIZ) {
		errno = EINVAL;
		return NULL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)(type | IFF_NO_PI);
	if (ifname)
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		rc = errno;
		close(fd);
		errno = rc;
		return NULL;
	}
	mtu = fdnet_linux_mtu(ifr.ifr_name);
	dev = fdnet_alloc(stack, name ? name : "eth%d", link, &tap_fdnet_ops);
	if (!dev) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	rc = fdnet_register(dev, fd, mtu > 0 ? (unsigned int)mtu : 0);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	return dev;
}

struct net_device *ns_tap_open(struct ns_stack *stack, const char *ifname, const char *name)
{
	return tuntap_open(stack, ifname, name, IFF_TAP, NS_LINK_ETHER);
}

struct net_device *ns_tun_open(struct ns_stack *stack, const char *ifname, const char *name)
{
	return tuntap_open(stack, ifname, name, IFF_TUN, NS_LINK_RAW_IP);
}
