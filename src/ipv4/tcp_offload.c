/* tcp_offload.c - GRO for TCP over IPv4: which received segments may be
 * merged into one (Linux's inet_gro_receive, tcp4_gro_receive and
 * tcp_gro_receive in net/ipv4/af_inet.c and tcp_offload.c; the generic
 * half is core/gro.c).
 *
 * A segment joins the flow held for its 4-tuple when it is exactly what
 * would follow: plain IPv4 (no options, not a fragment, DF set, the same
 * TOS and TTL), ACK with at most PSH, the next sequence number, the same
 * acknowledgment number, window and TCP options (so the same timestamp),
 * and no more payload than the first segment. PSH or a short segment ends
 * the batch. Anything else of a held flow first delivers what is held, so
 * a flow's segments always arrive in order. Checksums are verified before
 * merging (RFC 9293 3.1), unless the device vouched for them; the merged
 * skb leaves its TCP checksum partial, as Linux's tcp4_gro_complete does,
 * and carries gso_size/gso_segs for TCP (receive MSS, ACK pacing). */
#include <string.h>

#include "core/gro.h"
#include "core/stack.h"
#include "ipv4/devinet.h"
#include "ipv4/ip.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define IPV4_PLAIN_HLEN 20

/* The fields of a received IPv4/TCP frame that GRO compares. */
struct tcp4_gro_view {
	const uint8_t *iph, *th;
	unsigned int thlen;
	unsigned int payload;
	uint32_t seq;
	uint8_t flags;
};

/* Plain IPv4 (version 4, no options, exactly as long as the frame, not a
 * fragment) carrying TCP with a sane data offset. */
static bool tcp4_gro_parse(const struct sk_buff *skb, struct tcp4_gro_view *v)
{
	const uint8_t *h = skb->data;

	if (skb->len < IPV4_PLAIN_HLEN + TCP_HLEN_MIN || h[0] != 0x45 ||
	    get_be16(h + 2) != skb->len || (get_be16(h + 6) & (IP_MF | IP_OFFSET)) ||
	    h[9] != IPPROTO_TCP)
		return false;
	v->iph = h;
	v->th = h + IPV4_PLAIN_HLEN;
	v->thlen = (unsigned int)(v->th[12] >> 4) * 4;
	if (v->thlen < TCP_HLEN_MIN || IPV4_PLAIN_HLEN + v->thlen > skb->len)
		return false;
	v->payload = skb->len - IPV4_PLAIN_HLEN - v->thlen;
	v->seq = get_be32(v->th + 4);
	v->flags = v->th[13];
	return true;
}

/* May this segment be merged at all: data, ACK (and PSH) only, DF, a good
 * IPv4 header and a good (or device-verified) TCP checksum. */
static bool tcp4_gro_candidate(struct sk_buff *skb, const struct tcp4_gro_view *v)
{
	if (!v->payload || (v->flags & ~(TCP_FLAG_ACK | TCP_FLAG_PSH)) || !(v->flags & TCP_FLAG_ACK) ||
	    !(get_be16(v->iph + 6) & IP_DF) || ip_fast_csum(v->iph, IPV4_PLAIN_HLEN))
		return false;
	if (!skb_csum_unnecessary(skb)) {
		/* RFC 9293 3.1: a bad sum goes its own way, to be counted
		 * (InCsumErrors) and dropped by TCP */
		if (tcp_verify_ipv4(v->th, v->thlen + v->payload, get_be32(v->iph + 12),
				    get_be32(v->iph + 16)) != WIRE_OK)
			return false;
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	return true;
}

/* Same addresses and ports (IPv4 bytes 12..19, TCP bytes 0..3). */
static bool tcp4_same_flow(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a + 12, b + 12, 8) && !memcmp(a + IPV4_PLAIN_HLEN, b + IPV4_PLAIN_HLEN, 4);
}

/* Linux's tcp_gro_receive flush tests: v is exactly what follows head. */
static bool tcp4_gro_follows(const struct sk_buff *head, const struct sk_buff *skb,
			     const struct tcp4_gro_view *v)
{
	const struct napi_gro_cb *cb = NAPI_GRO_CB(head);
	const uint8_t *hi = head->data, *ht = hi + IPV4_PLAIN_HLEN;

	return head->dev == skb->dev && hi[1] == v->iph[1] && hi[8] == v->iph[8] &&
	       (hi[6] & 0xe0) == (v->iph[6] & 0xe0) &&
	       IPV4_PLAIN_HLEN + v->thlen == cb->hdr_len && v->seq == cb->next_seq &&
	       v->payload <= cb->gso_size && skb_queue_len(&cb->segs) + 1 < GRO_MAX_SEGS &&
	       cb->hdr_len + cb->payload + v->payload <= 65535u &&
	       !memcmp(ht + 8, v->th + 8, 4) &&			/* acknowledgment */
	       !memcmp(ht + 14, v->th + 14, 2) &&			/* window */
	       !memcmp(ht + TCP_HLEN_MIN, v->th + TCP_HLEN_MIN, v->thlen - TCP_HLEN_MIN);
}

/* tcp4_gro_complete: lengths and checksums of a merged skb. */
static void tcp4_gro_complete(struct sk_buff *m, const struct sk_buff *last)
{
	uint8_t *iph = m->data, *th = iph + IPV4_PLAIN_HLEN;
	uint16_t sum;

	put_be16(iph + 2, (uint16_t)m->len);
	memset(iph + 10, 0, 2);
	sum = ip_fast_csum(iph, IPV4_PLAIN_HLEN);
	memcpy(iph + 10, &sum, 2);
	/* the last segment's flags: PSH ends a batch */
	th[13] = last->data[IPV4_PLAIN_HLEN + 13];
	put_be16(th + 16, (uint16_t)~csum_tcpudp_magic(get_be32(iph + 12), get_be32(iph + 16),
							 m->len - IPV4_PLAIN_HLEN, IPPROTO_TCP, 0));
	skb_partial_csum_set(m, th, 16);
}

static int tcp4_gro_find(const struct napi_struct *napi, const uint8_t *iph)
{
	for (unsigned int i = 0; i < napi->gro_count; i++)
		if (tcp4_same_flow(napi->gro_held[i]->data, iph))
			return (int)i;
	return -1;
}

/* The first segment of a batch: held until the poll ends or the flow
 * stops following. */
static void tcp4_gro_start(struct napi_struct *napi, struct sk_buff *skb, const struct tcp4_gro_view *v)
{
	struct napi_gro_cb *cb = NAPI_GRO_CB(skb);

	skb_queue_head_init(&cb->segs);
	cb->complete = tcp4_gro_complete;
	cb->next_seq = v->seq + v->payload;
	cb->payload = v->payload;
	cb->gso_size = (uint16_t)v->payload;
	cb->hdr_len = (uint16_t)(IPV4_PLAIN_HLEN + v->thlen);
	napi_gro_hold(napi, skb);
}

/* packet_type.gro_receive for ETH_P_IP. */
bool inet_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	struct in_device *idev;
	struct tcp4_gro_view v;
	bool parsed = tcp4_gro_parse(skb, &v), candidate;
	int i;

	if (parsed && !napi->gro_count && (!v.payload || (v.flags & ~TCP_FLAG_ACK)))
		return false;	/* nothing held, nothing to start: requests, control */
	idev = __in_dev_get(skb->dev);
	if (!parsed || !idev || IN_DEV_FORWARD(idev)) {
		/* not for GRO; a held flow of the same addresses goes first */
		for (unsigned int j = 0; skb->len >= IPV4_PLAIN_HLEN && j < napi->gro_count; j++)
			if (!memcmp(napi->gro_held[j]->data + 12, skb->data + 12, 8))
				napi_gro_flush_held(napi, j--);
		return false;
	}
	candidate = tcp4_gro_candidate(skb, &v);
	i = tcp4_gro_find(napi, v.iph);
	if (i >= 0) {
		struct sk_buff *head = napi->gro_held[i];
		struct napi_gro_cb *cb = NAPI_GRO_CB(head);

		if (candidate && tcp4_gro_follows(head, skb, &v)) {
			__skb_queue_tail(&cb->segs, skb);
			cb->next_seq += v.payload;
			cb->payload += v.payload;
			if ((v.flags & TCP_FLAG_PSH) || v.payload < cb->gso_size)
				napi_gro_flush_held(napi, (unsigned int)i);
			return true;
		}
		napi_gro_flush_held(napi, (unsigned int)i);
	}
	if (!candidate || (v.flags & TCP_FLAG_PSH))
		return false;
	tcp4_gro_start(napi, skb, &v);
	return true;
}
