/* pcap.c - capture what a device receives and sends into a classic pcap
 * file (nanosecond variant, magic 0xa1b23c4d) that tshark and Wireshark
 * read. The capture is an ETH_P_ALL packet_type bound to the device, so it
 * sees frames as the wire carries them (skb_frame), in both directions.
 *
 * Per-device state lives in the capture itself: it is found again through
 * the device's own tap list (dev->ptype_all), so nothing is global. Each
 * capture hooks a netdevice notifier that stops it when its device is
 * unregistered, and a timer that flushes buffered records once a second of
 * stack time. Format: https://wiki.wireshark.org/Development/LibpcapFileFormat */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/netdevice.h"
#include "core/timer.h"
#include "nstack/netdev.h"

#define PCAP_MAGIC_NSEC 0xa1b23c4dU
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 262144U
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define PCAP_FLUSH_NS 1000000000ULL
#define PCAP_BUFSIZE 65536

struct pcap_file_header {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_rec_header {
	uint32_t ts_sec, ts_nsec;
	uint32_t incl_len, orig_len;
};

struct pcap_capture {
	struct packet_type pt;		/* tap on dev->ptype_all */
	struct notifier_block nb;	/* stops the capture on NETDEV_UNREGISTER */
	struct timer_list flush_timer;	/* pending while records are unflushed */
	struct net_device *dev;
	FILE *f;
	bool failed;			/* a write failed: stop writing */
};

static int pcap_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig_dev);

static struct pcap_capture *pcap_find(struct net_device *dev)
{
	struct packet_type *pt;

	list_for_each_entry(pt, &dev->ptype_all, list)
		if (pt->func == pcap_rcv)
			return container_of(pt, struct pcap_capture, pt);
	return NULL;
}

static void pcap_write_failed(struct pcap_capture *c)
{
	if (!c->failed)
		ns_log(dev_net(c->dev), "%s: pcap write failed, capture stopped", c->dev->name);
	c->failed = true;
}

/* The tap: append one record. Observes the skb, never frees it. */
static int pcap_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig_dev)
{
	struct pcap_capture *c = container_of(pt, struct pcap_capture, pt);
	uint64_t now = ns_now(dev_net(c->dev));
	struct pcap_rec_header rh;
	const unsigned char *frame;
	unsigned int len;

	(void)dev;
	(void)orig_dev;
	if (c->failed)
		return NET_RX_SUCCESS;
	frame = skb_frame(skb, &len);
	rh.ts_sec = (uint32_t)(now / 1000000000ULL);
	rh.ts_nsec = (uint32_t)(now % 1000000000ULL);
	rh.incl_len = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
	rh.orig_len = len;
	if (fwrite(&rh, sizeof(rh), 1, c->f) != 1 ||
	    (rh.incl_len && fwrite(frame, rh.incl_len, 1, c->f) != 1)) {
		pcap_write_failed(c);
		return NET_RX_SUCCESS;
	}
	if (!timer_pending(&c->flush_timer))
		mod_timer(&c->flush_timer, now + PCAP_FLUSH_NS);
	return NET_RX_SUCCESS;
}

static void pcap_flush(struct timer_list *t)
{
	struct pcap_capture *c = from_timer(c, t, flush_timer);

	if (!c->failed && fflush(c->f) != 0)
		pcap_write_failed(c);
}

static void pcap_capture_free(struct pcap_capture *c)
{
	struct ns_stack *stack = dev_net(c->dev);

	dev_remove_pack(stack, &c->pt);
	unregister_netdevice_notifier(stack, &c->nb);
	del_timer(&c->flush_timer);
	fclose(c->f);	/* flushes */
	free(c);
}

static int pcap_netdev_event(struct notifier_block *nb, unsigned long event,
			     struct net_device *dev)
{
	struct pcap_capture *c = container_of(nb, struct pcap_capture, nb);

	if (event == NETDEV_UNREGISTER && dev == c->dev)
		pcap_capture_free(c);
	return 0;
}

static int pcap_write_header(FILE *f, const struct net_device *dev)
{
	struct pcap_file_header h = {
		.magic = PCAP_MAGIC_NSEC,	/* host order: readers detect it */
		.version_major = PCAP_VERSION_MAJOR,
		.version_minor = PCAP_VERSION_MINOR,
		.snaplen = PCAP_SNAPLEN,
		.linktype = dev->type == ARPHRD_NONE ? LINKTYPE_RAW : LINKTYPE_ETHERNET,
	};

	return fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -EIO;
}

int ns_pcap_start(struct net_device *dev, const char *path)
{
	struct pcap_capture *c;
	int rc;

	if (!dev || !path)
		return -EINVAL;
	if (pcap_find(dev))
		return -EBUSY;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->f = fopen(path, "wbe");
	if (!c->f) {
		rc = -errno;
		free(c);
		return rc;
	}
	setvbuf(c->f, NULL, _IOFBF, PCAP_BUFSIZE);
	rc = pcap_write_header(c->f, dev);
	if (rc) {
		fclose(c->f);
		free(c);
		return rc;
	}
	c->dev = dev;
	c->pt.type = ETH_P_ALL;
	c->pt.dev = dev;
	c->pt.func = pcap_rcv;
	c->nb.notifier_call = pcap_netdev_event;
	timer_setup(&c->flush_timer, dev_net(dev), pcap_flush);
	dev_add_pack(dev_net(dev), &c->pt);
	register_netdevice_notifier(dev_net(dev), &c->nb);
	return 0;
}

void ns_pcap_stop(struct net_device *dev)
{
	struct pcap_capture *c = dev ? pcap_find(dev) : NULL;

	if (c)
		pcap_capture_free(c);
}
