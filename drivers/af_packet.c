/* af_packet.c - attach to any existing Linux Ethernet interface (one end of
 * a veth pair, a bridge port...) through an AF_PACKET SOCK_RAW socket bound
 * to its ifindex: promiscuous membership, our own frames ignored
 * (PACKET_IGNORE_OUTGOING), recvmmsg batches, sendto. The shared
 * receive/transmit logic is in fdnet.c.
 *
 * Linux hands packet sockets frames with the VLAN tag stripped into
 * metadata when the device offloads it (veth does): PACKET_AUXDATA returns
 * it and we put the tag back in place. Checksum and segmentation offloads
 * are not undone: turn them off on the peer of a veth pair
 * (`ethtool -K peer tx off tso off gso off`) when TCP/UDP payloads matter. */
#define _GNU_SOURCE	/* recvmmsg */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/fdnet.h"
#include "ethernet/eth.h"

#define PACKET_BATCH 32
#define PACKET_MAC_LEN 12	/* destination + source addresses */

union packet_cmsg {
	char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct cmsghdr align;
};

struct packet_batch {
	struct sk_buff *skb[PACKET_BATCH];
	struct mmsghdr msg[PACKET_BATCH];
	struct iovec iov[PACKET_BATCH][2];
	union packet_cmsg ctl[PACKET_BATCH];
};

/* Receive layout: the addresses land 4 bytes in, the rest after a 4-byte
 * gap, so a stripped VLAN tag can be put back by moving 12 bytes. */
static void packet_msg_setup(struct packet_batch *b, int i)
{
	unsigned char *base = skb_tail_pointer(b->skb[i]);
	unsigned int room = skb_tailroom(b->skb[i]);

	b->iov[i][0] = (struct iovec){ base + FDNET_VLAN_HLEN, PACKET_MAC_LEN };
	b->iov[i][1] = (struct iovec){ base + FDNET_VLAN_HLEN + PACKET_MAC_LEN,
				      room - FDNET_VLAN_HLEN - PACKET_MAC_LEN };
	memset(&b->msg[i], 0, sizeof(b->msg[i]));
	b->msg[i].msg_hdr.msg_iov = b->iov[i];
	b->msg[i].msg_hdr.msg_iovlen = 2;
	b->msg[i].msg_hdr.msg_control = b->ctl[i].buf;
	b->msg[i].msg_hdr.msg_controllen = sizeof(b->ctl[i].buf);
}

static const struct tpacket_auxdata *packet_auxdata(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata)))
			return (const struct tpacket_auxdata *)(const void *)CMSG_DATA(c);
	return NULL;
}

/* Put the frame at the skb's tail pointer; returns its length on the wire. */
static size_t packet_frame_fixup(struct sk_buff *skb, struct msghdr *mh, size_t len)
{
	const struct tpacket_auxdata *aux = packet_auxdata(mh);
	unsigned char *base = skb_tail_pointer(skb);
	uint16_t tpid = ETH_P_8021Q;

	if (!aux || !(aux->tp_status & TP_STATUS_VLAN_VALID) || len < PACKET_MAC_LEN ||
	    (mh->msg_flags & MSG_TRUNC)) {
		skb_reserve(skb, FDNET_VLAN_HLEN);	/* frame starts after the gap */
		return len;
	}
	if (aux->tp_status & TP_STATUS_VLAN_TPID_VALID)
		tpid = aux->tp_vlan_tpid;
	memmove(base, base + FDNET_VLAN_HLEN, PACKET_MAC_LEN);	/* IEEE 802.1Q 9.3 */
	put_be16(base + PACKET_MAC_LEN, tpid);
	put_be16(base + PACKET_MAC_LEN + 2, aux->tp_vlan_tci);
	return len + FDNET_VLAN_HLEN;
}

/* NAPI poll body: recvmmsg batches straight into pool skbs. */
static int packet_poll(struct fdnet *p, int budget)
{
	struct packet_batch b;
	int work = 0;

	while (work < budget) {
		int want = budget - work < PACKET_BATCH ? budget - work : PACKET_BATCH;
		int n = 0, got, i;

		while (n < want && (b.skb[n] = fdnet_rx_alloc(p)) != NULL)
			packet_msg_setup(&b, n++);
		if (unlikely(!n)) {
			if (!fdnet_rx_discard(p))
				break;
			work++;
			continue;
		}
		got = recvmmsg(p->fd, b.msg, (unsigned int)n, MSG_TRUNC | MSG_DONTWAIT, NULL);
		if (got < 0) {
			int err = errno;

			for (i = 0; i < n; i++)
				consume_skb(b.skb[i]);	/* unused buffers, not drops */
			if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR)
				fdnet_rx_error(p, err);
			break;
		}
		for (i = 0; i < got; i++) {
			size_t len = packet_frame_fixup(b.skb[i], &b.msg[i].msg_hdr, b.msg[i].msg_len);

			fdnet_rx_deliver(p, b.skb[i], len);
		}
		for (; i < n; i++)
			consume_skb(b.skb[i]);
		work += got;
		if (got < n)
			break;
	}
	return work;
}

static ssize_t packet_send(struct fdnet *p, const void *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = p->ifindex,
		.sll_halen = ETH_ALEN,
	};
	ssize_t n;

	if (len >= ETH_ALEN)
		memcpy(sll.sll_addr, frame, ETH_ALEN);
	n = sendto(p->fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof(sll));
	return n < 0 ? -errno : n;
}

static const struct fdnet_ops packet_fdnet_ops = {
	.poll = packet_poll,
	.send = packet_send,
};

static int packet_setsockopts(int fd, int ifindex)
{
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
	int one = 1;

	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		return -errno;
	return 0;
}

/* An AF_PACKET socket bound to ifindex. Created with protocol 0 (receives
 * nothing) and bound with ETH_P_ALL, so no other interface's frames slip in
 * between socket() and bind(). Returns the fd or -errno. */
static int packet_socket(const char *ifname, int *ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr;
	int fd, rc;

	*ifindex = (int)if_nametoindex(ifname);
	if (!*ifindex)
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		rc = -errno;
		goto fail;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		rc = -EPROTONOSUPPORT;
		goto fail;
	}
	sll.sll_ifindex = *ifindex;
	rc = packet_setsockopts(fd, *ifindex);
	if (!rc && bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		rc = -errno;
	if (rc)
		goto fail;
	return fd;
fail:
	close(fd);
	return rc;
}

struct net_device *ns_packet_open(struct ns_stack *stack, const char *ifname, const char *name)
{
	struct net_device *dev;
	struct fdnet *p;
	int fd, ifindex, mtu, rc;

	if (!ifname || strlen(ifname) >= IFNAMSIZ) {
		errno = EINVAL;
		return NULL;
	}
	fd = packet_socket(ifname, &ifindex);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	mtu = fdnet_linux_mtu(ifname);
	dev = fdnet_alloc(stack, name ? name : "eth%d", NS_LINK_ETHER, &packet_fdnet_ops);
	if (!dev) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	p = netdev_priv(dev);
	p->ifindex = ifindex;
	rc = fdnet_register(dev, fd, mtu > 0 ? (unsigned int)mtu : 0);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	return dev;
}
