/* tcp_offload.c - GRO for TCP over IPv4 and IPv6: which received segments
 * may be merged into one (Linux's inet_gro_receive, ipv6_gro_receive,
 * tcp4/tcp6_gro_receive and tcp_gro_receive in net/ipv4/af_inet.c,
 * net/ipv6/ip6_offload.c and tcp_offload.c; the generic half is
 * core/gro.c).
 *
 * A segment joins the flow held for its 4-tuple when it is exactly what
 * would follow: a plain network header (IPv4 without options, not a
 * fragment, DF set; IPv6 with TCP as the next header, no extension
 * header) with the same TOS / traffic class, TTL / hop limit (and IPv6
 * flow label), ACK with at most PSH, the next sequence number, the same
 * acknowledgment number, window and TCP options (so the same timestamp),
 * and no more payload than the first segment. PSH or a short segment ends
 * the batch. Anything else of a held flow first delivers what is held, so
 * a flow's segments always arrive in order. Checksums are verified before
 * merging (RFC 9293 3.1), unless the device vouched for them; the merged
 * skb leaves its TCP checksum partial, as Linux's tcp4/tcp6_gro_complete
 * do, and carries gso_size/gso_segs for TCP (receive MSS, ACK pacing). */
#include <string.h>

#include "core/gro.h"
#include "core/stack.h"
#include "ipv4/devinet.h"
#include "ipv4/ip.h"
#include "ipv6/ipv6.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define IPV4_PLAIN_HLEN 20
#define IPV6_HLEN 40

/* The fields of a received TCP frame that GRO compares. */
struct tcp_gro_view {
	const uint8_t *nh, *th;		/* network and TCP headers */
	unsigned int nhlen, thlen;
	unsigned int payload;
	uint32_t seq;
	uint8_t flags;
};

/* A sane TCP header at v->th within len bytes of network packet. */
static bool tcp_gro_parse_tcp(struct tcp_gro_view *v, unsigned int len)
{
	if (len < v->nhlen + TCP_HLEN_MIN)
		return false;
	v->thlen = (unsigned int)(v->th[12] >> 4) * 4;
	if (v->thlen < TCP_HLEN_MIN || v->nhlen + v->thlen > len)
		return false;
	v->payload = len - v->nhlen - v->thlen;
	v->seq = get_be32(v->th + 4);
	v->flags = v->th[13];
	return true;
}

/* Plain IPv4 (version 4, no options, exactly as long as the frame, not a
 * fragment) carrying TCP. */
static bool tcp4_gro_parse(const struct sk_buff *skb, struct tcp_gro_view *v)
{
	const uint8_t *h = skb->data;

	if (skb->len < IPV4_PLAIN_HLEN || h[0] != 0x45 || get_be16(h + 2) != skb->len ||
	    (get_be16(h + 6) & (IP_MF | IP_OFFSET)) || h[9] != IPPROTO_TCP)
		return false;
	v->nh = h;
	v->nhlen = IPV4_PLAIN_HLEN;
	v->th = h + IPV4_PLAIN_HLEN;
	return tcp_gro_parse_tcp(v, skb->len);
}

/* IPv6 with TCP right after the fixed header, exactly as long as the frame. */
static bool tcp6_gro_parse(const struct sk_buff *skb, struct tcp_gro_view *v)
{
	const uint8_t *h = skb->data;

	if (skb->len < IPV6_HLEN || (h[0] >> 4) != 6 || h[6] != IPPROTO_TCP ||
	    get_be16(h + 4) != skb->len - IPV6_HLEN)
		return false;
	v->nh = h;
	v->nhlen = IPV6_HLEN;
	v->th = h + IPV6_HLEN;
	return tcp_gro_parse_tcp(v, skb->len);
}

/* Data, ACK and at most PSH: the only segments that merge. */
static bool tcp_gro_flags_ok(const struct tcp_gro_view *v)
{
	return v->payload && (v->flags & ~(TCP_FLAG_ACK | TCP_FLAG_PSH)) == 0 &&
	       (v->flags & TCP_FLAG_ACK);
}

/* RFC 9293 3.1: a bad sum goes its own way, to be counted (InCsumErrors)
 * and dropped by TCP; a good one is not verified again. */
static bool tcp_gro_csum_ok(struct sk_buff *skb, const struct tcp_gro_view *v, bool v6)
{
	int rc;

	if (skb_csum_unnecessary(skb))
		return true;
	rc = v6 ? tcp_verify_ipv6(v->th, v->thlen + v->payload, v->nh + 8, v->nh + 24)
		: tcp_verify_ipv4(v->th, v->thlen + v->payload, get_be32(v->nh + 12),
				  get_be32(v->nh + 16));
	if (rc != WIRE_OK)
		return false;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return true;
}

static bool tcp4_gro_candidate(struct sk_buff *skb, const struct tcp_gro_view *v)
{
	return tcp_gro_flags_ok(v) && (get_be16(v->nh + 6) & IP_DF) &&
	       !ip_fast_csum(v->nh, IPV4_PLAIN_HLEN) && tcp_gro_csum_ok(skb, v, false);
}

static bool tcp6_gro_candidate(struct sk_buff *skb, const struct tcp_gro_view *v)
{
	return tcp_gro_flags_ok(v) && tcp_gro_csum_ok(skb, v, true);
}

/* Same addresses and ports. */
static bool tcp_gro_same_flow(const uint8_t *a, const uint8_t *b, unsigned int nhlen)
{
	if (nhlen == IPV4_PLAIN_HLEN)	/* IPv4 bytes 12..19, TCP 0..3 */
		return !memcmp(a + 12, b + 12, 8) && !memcmp(a + nhlen, b + nhlen, 4);
	return !memcmp(a + 8, b + 8, 32) && !memcmp(a + nhlen, b + nhlen, 4);
}

/* The network headers agree on what must not change inside a batch:
 * IPv4 TOS, TTL and the DF/MF bits; IPv6 version, traffic class and flow
 * label, and hop limit. */
static bool tcp_gro_same_nh(const uint8_t *a, const uint8_t *b, unsigned int nhlen)
{
	if (nhlen == IPV4_PLAIN_HLEN)
		return a[1] == b[1] && a[8] == b[8] && (a[6] & 0xe0) == (b[6] & 0xe0);
	return !memcmp(a, b, 4) && a[7] == b[7];
}

/* Linux's tcp_gro_receive flush tests: v is exactly what follows head. */
static bool tcp_gro_follows(const struct sk_buff *head, const struct sk_buff *skb,
			    const struct tcp_gro_view *v)
{
	const struct napi_gro_cb *cb = NAPI_GRO_CB(head);
	const uint8_t *hn = head->data, *ht = hn + v->nhlen;

	return head->dev == skb->dev && v->nhlen + v->thlen == cb->hdr_len &&
	       tcp_gro_same_nh(hn, v->nh, v->nhlen) && v->seq == cb->next_seq &&
	       v->payload <= cb->gso_size && skb_queue_len(&cb->segs) + 1 < GRO_MAX_SEGS &&
	       cb->hdr_len + cb->payload + v->payload <= 65535u &&
	       !memcmp(ht + 8, v->th + 8, 4) &&			/* acknowledgment */
	       !memcmp(ht + 14, v->th + 14, 2) &&			/* window */
	       !memcmp(ht + TCP_HLEN_MIN, v->th + TCP_HLEN_MIN, v->thlen - TCP_HLEN_MIN);
}

/* The last segment's flags (PSH ends a batch) and the partial checksum. */
static void tcp_gro_complete_th(struct sk_buff *m, const struct sk_buff *last, unsigned int nhlen,
				uint16_t pseudo)
{
	uint8_t *th = m->data + nhlen;

	th[13] = last->data[nhlen + 13];
	put_be16(th + 16, (uint16_t)~pseudo);
	skb_partial_csum_set(m, th, 16);
}

/* tcp4_gro_complete: lengths and checksums of a merged skb. */
static void tcp4_gro_complete(struct sk_buff *m, const struct sk_buff *last)
{
	uint8_t *iph = m->data;
	uint16_t sum;

	put_be16(iph + 2, (uint16_t)m->len);
	memset(iph + 10, 0, 2);
	sum = ip_fast_csum(iph, IPV4_PLAIN_HLEN);
	memcpy(iph + 10, &sum, 2);
	tcp_gro_complete_th(m, last, IPV4_PLAIN_HLEN,
			    csum_tcpudp_magic(get_be32(iph + 12), get_be32(iph + 16),
					      m->len - IPV4_PLAIN_HLEN, IPPROTO_TCP, 0));
}

/* tcp6_gro_complete. */
static void tcp6_gro_complete(struct sk_buff *m, const struct sk_buff *last)
{
	uint8_t *ip6h = m->data;

	put_be16(ip6h + 4, (uint16_t)(m->len - IPV6_HLEN));
	tcp_gro_complete_th(m, last, IPV6_HLEN,
			    csum_ipv6_magic(ip6h + 8, ip6h + 24, m->len - IPV6_HLEN, IPPROTO_TCP, 0));
}

static int tcp_gro_find(const struct napi_struct *napi, const struct tcp_gro_view *v)
{
	for (unsigned int i = 0; i < napi->gro_count; i++) {
		const struct sk_buff *h = napi->gro_held[i];

		/* held frames are TCP over IPv4 or IPv6: the version tells which */
		if ((h->data[0] >> 4) == (v->nh[0] >> 4) && tcp_gro_same_flow(h->data, v->nh, v->nhlen))
			return (int)i;
	}
	return -1;
}

/* Deliver the held flows between the same addresses as this frame (which
 * GRO does not take): they go first, so nothing overtakes them. */
static void tcp_gro_flush_addrs(struct napi_struct *napi, const struct sk_buff *skb, bool v6)
{
	unsigned int off = v6 ? 8 : 12, n = v6 ? 32 : 8;

	if (skb->len < (v6 ? IPV6_HLEN : IPV4_PLAIN_HLEN))
		return;
	for (unsigned int j = 0; j < napi->gro_count; j++) {
		const struct sk_buff *h = napi->gro_held[j];

		if ((h->data[0] >> 4) == (skb->data[0] >> 4) && !memcmp(h->data + off, skb->data + off, n))
			napi_gro_flush_held(napi, j--);
	}
}

/* The first segment of a batch: held until the poll ends or the flow
 * stops following. */
static void tcp_gro_start(struct napi_struct *napi, struct sk_buff *skb, const struct tcp_gro_view *v,
			  void (*complete)(struct sk_buff *, const struct sk_buff *))
{
	struct napi_gro_cb *cb = NAPI_GRO_CB(skb);

	skb_queue_head_init(&cb->segs);
	cb->complete = complete;
	cb->next_seq = v->seq + v->payload;
	cb->payload = v->payload;
	cb->gso_size = (uint16_t)v->payload;
	cb->hdr_len = (uint16_t)(v->nhlen + v->thlen);
	napi_gro_hold(napi, skb);
}

/* Both families: hold, merge or decline (the caller then delivers skb). */
static bool tcp_gro_receive(struct napi_struct *napi, struct sk_buff *skb, bool parsed, bool v6,
			    const struct tcp_gro_view *v, bool forwarding)
{
	bool candidate;
	int i;

	if (!parsed || forwarding) {
		if (napi->gro_count)
			tcp_gro_flush_addrs(napi, skb, v6);
		return false;
	}
	candidate = v6 ? tcp6_gro_candidate(skb, v) : tcp4_gro_candidate(skb, v);
	i = tcp_gro_find(napi, v);
	if (i >= 0) {
		struct sk_buff *head = napi->gro_held[i];
		struct napi_gro_cb *cb = NAPI_GRO_CB(head);

		if (candidate && tcp_gro_follows(head, skb, v)) {
			__skb_queue_tail(&cb->segs, skb);
			cb->next_seq += v->payload;
			cb->payload += v->payload;
			if ((v->flags & TCP_FLAG_PSH) || v->payload < cb->gso_size)
				napi_gro_flush_held(napi, (unsigned int)i);
			return true;
		}
		napi_gro_flush_held(napi, (unsigned int)i);
	}
	if (!candidate || (v->flags & TCP_FLAG_PSH))
		return false;
	tcp_gro_start(napi, skb, v, v6 ? tcp6_gro_complete : tcp4_gro_complete);
	return true;
}

/* Both families' entry: a forwarding device takes nothing (checked before
 * any parsing, so routed traffic pays one test). */
static bool tcp_gro_entry(struct napi_struct *napi, struct sk_buff *skb, bool v6, bool forwarding)
{
	struct tcp_gro_view v = { 0 };
	bool parsed;

	if (forwarding)
		return tcp_gro_receive(napi, skb, false, v6, &v, true);
	parsed = v6 ? tcp6_gro_parse(skb, &v) : tcp4_gro_parse(skb, &v);
	if (parsed && !napi->gro_count && !tcp_gro_flags_ok(&v))
		return false;	/* nothing held, nothing to start: requests, control */
	return tcp_gro_receive(napi, skb, parsed, v6, &v, false);
}

/* packet_type.gro_receive for ETH_P_IP. */
bool inet_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	struct in_device *idev = __in_dev_get(skb->dev);

	return tcp_gro_entry(napi, skb, false, !idev || IN_DEV_FORWARD(idev));
}

/* packet_type.gro_receive for ETH_P_IPV6 (Linux's ipv6_gro_receive). */
bool ipv6_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	return tcp_gro_entry(napi, skb, true, ipv6_forwarding(skb->dev->nd_net));
}
