/* gro.c - generic receive offload: the protocol-independent half (Linux's
 * net/core/gro.c). See gro.h; the TCP rules (IPv4, IPv6) of which frames merge are
 * in ipv4/tcp_offload.c.
 *
 * nstack's skbs are linear, so merging copies each payload once more into
 * one larger data area. The size of that area is chosen so that the memory
 * charged to the receiving socket (truesize) stays within about twice the
 * payload, as for single frames: a short batch is delivered as it came.
 *
 * GRO stays off where a frame may be forwarded rather than received (a
 * bridge port here; IP forwarding in tcp_offload.c): nstack has no
 * software GSO to cut a merged skb up again on output, and Linux turns LRO
 * off in the same places (dev_disable_lro). */
#include <string.h>

#include "core/gro.h"
#include "core/stack.h"

/* Batches of at least GRO_BIG_MIN payload bytes go into one 64 KiB area, of
 * at least GRO_MID_MIN into a 16 KiB one (at most GRO_MID_CAP bytes);
 * shorter ones are delivered frame by frame. */
#define GRO_BIG_MIN 32768u
#define GRO_MID_MIN 8192u
#define GRO_MID_CAP (16384u - 1024u)
#define GRO_IP_MAX 65535u
/* A frame this short starts no batch: it could only join a merge area
 * with many like it, and request/response or control traffic (most short
 * frames) then skips GRO's parsing altogether. */
#define GRO_MIN_FRAME 576u

static struct packet_type *gro_ptype(struct ns_stack *stack, uint16_t type)
{
	struct packet_type *pt;

	list_for_each_entry(pt, &stack->ptype_base[type & (PTYPE_HASH_SIZE - 1)], list)
		if (pt->type == type && !pt->dev && pt->gro_receive)
			return pt;
	return NULL;
}

int napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct packet_type *pt;

	if (!(dev->features & NETIF_F_GRO) || (!napi->gro_count && skb->len < GRO_MIN_FRAME) ||
	    dev->rx_handler || skb->vlan_present || skb->pkt_type != PACKET_HOST)
		return netif_receive_skb(skb);
	pt = gro_ptype(dev->nd_net, skb->protocol);
	if (pt && pt->gro_receive(napi, skb))
		return NET_RX_SUCCESS;
	return netif_receive_skb(skb);
}

void napi_gro_hold(struct napi_struct *napi, struct sk_buff *skb)
{
	if (napi->gro_count == GRO_MAX_HELD)
		napi_gro_flush_held(napi, 0);
	napi->gro_held[napi->gro_count++] = skb;
}

static unsigned int gro_payload(const struct sk_buff *skb, unsigned int hdr_len)
{
	return skb->len - hdr_len;
}

/* One skb from seg[0..k): the first frame's headers and every payload. */
static struct sk_buff *gro_merge(struct sk_buff **seg, unsigned int k, unsigned int bytes,
				 const struct napi_gro_cb *cb)
{
	struct sk_buff *first = seg[0];
	struct sk_buff *m = skb_copy_expand(first, skb_headroom(first),
					    bytes - gro_payload(first, cb->hdr_len));

	if (!m)
		return NULL;
	for (unsigned int j = 1; j < k; j++) {
		unsigned int plen = gro_payload(seg[j], cb->hdr_len);

		memcpy(skb_put(m, plen), seg[j]->data + cb->hdr_len, plen);
	}
	m->gso_size = cb->gso_size;
	m->gso_segs = (uint16_t)k;
	cb->complete(m, seg[k - 1]);
	for (unsigned int j = 0; j < k; j++)
		consume_skb(seg[j]);
	return m;
}

/* How many of seg[i..n) go into the next merged skb: 0 or 1 means the
 * next frame is delivered alone. */
static unsigned int gro_chunk(struct sk_buff **seg, unsigned int i, unsigned int n,
			      unsigned int hdr_len, unsigned int *bytes)
{
	unsigned int rem = 0, cap, k = 0;

	for (unsigned int j = i; j < n; j++)
		rem += gro_payload(seg[j], hdr_len);
	cap = rem >= GRO_BIG_MIN ? GRO_IP_MAX - hdr_len : rem >= GRO_MID_MIN ? GRO_MID_CAP : 0;
	*bytes = 0;
	while (i + k < n && *bytes + gro_payload(seg[i + k], hdr_len) <= cap)
		*bytes += gro_payload(seg[i + k++], hdr_len);
	return k;
}

/* Deliver a held flow: merged where worth it, else frame by frame. */
static void gro_flow_flush(struct sk_buff *head)
{
	struct napi_gro_cb cb = *NAPI_GRO_CB(head);
	struct sk_buff *seg[GRO_MAX_SEGS], *s;
	unsigned int n = 0, i = 0;

	seg[n++] = head;
	while (n < GRO_MAX_SEGS && (s = __skb_dequeue(&NAPI_GRO_CB(head)->segs)) != NULL)
		seg[n++] = s;
	while (i < n) {
		unsigned int bytes, k = gro_chunk(seg, i, n, cb.hdr_len, &bytes);
		struct sk_buff *m = k >= 2 ? gro_merge(seg + i, k, bytes, &cb) : NULL;

		if (m) {
			netif_receive_skb(m);
			i += k;
			continue;
		}
		/* alone, or no memory to merge: as it came */
		for (unsigned int end = i + (k >= 2 ? k : 1); i < end; i++)
			netif_receive_skb(seg[i]);
	}
}

void napi_gro_flush_held(struct napi_struct *napi, unsigned int i)
{
	struct sk_buff *head = napi->gro_held[i];

	napi->gro_count--;
	memmove(&napi->gro_held[i], &napi->gro_held[i + 1],
		(napi->gro_count - i) * sizeof(napi->gro_held[0]));
	gro_flow_flush(head);
}

void napi_gro_flush(struct napi_struct *napi)
{
	while (napi->gro_count)
		napi_gro_flush_held(napi, 0);
}

void napi_gro_drop(struct napi_struct *napi)
{
	while (napi->gro_count) {
		struct sk_buff *head = napi->gro_held[--napi->gro_count];

		skb_queue_purge_reason(&NAPI_GRO_CB(head)->segs, SKB_DROP_REASON_DEV_DOWN);
		kfree_skb_reason(head, SKB_DROP_REASON_DEV_DOWN);
	}
}
