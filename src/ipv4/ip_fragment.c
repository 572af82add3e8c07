/* ip_fragment.c - RFC 791 fragmentation and reassembly (Linux's
 * net/ipv4/ip_output.c ip_do_fragment and net/ipv4/ip_fragment.c).
 * Reassembly queues are keyed by (saddr, daddr, id, protocol) (RFC 791
 * 3.2), bounded by ipfrag_high_thresh bytes of truesize, expire after
 * ipfrag_time with ICMP time exceeded (code 1) when the first fragment was
 * seen, and die whole on any overlap (RFC 5722 applied to IPv4, as Linux
 * since 2018) or when the datagram would exceed 65535 bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "ipv4/netns_ipv4.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

#define NS_PER_SEC 1000000000ULL

/* ---- fragmentation ------------------------------------------------------------------- */
static void ip_hdr_csum(uint8_t *h, unsigned int hlen)
{
	put_be16(h + 10, 0);
	put_be16(h + 10, csum_fold(csum_partial(h, hlen, 0)));
}

/* RFC 791 3.1 "Options": only options with the copied flag go into every
 * fragment; Linux keeps the header length and overwrites the others with
 * NOPs (ip_options_fragment). */
static void ip_options_fragment(uint8_t *opt, unsigned int len)
{
	unsigned int i = 0;

	while (i < len) {
		unsigned int olen;

		if (opt[i] == 0)	/* end of list */
			return;
		if (opt[i] == 1) {	/* NOP */
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return;
		olen = opt[i + 1];
		if (!(opt[i] & 0x80))
			memset(opt + i, 1, olen);
		i += olen;
	}
}

int ip_do_fragment(struct ns_stack *stack, struct sk_buff *skb, unsigned int mtu,
		   int (*output)(struct ns_stack *, struct sk_buff *))
{
	uint8_t *h, hdr[IPV4_HLEN_MAX];
	unsigned int hlen, payload, unit, off;
	uint16_t fo;

	/* fragments are copies: a checksum left to the device is due now */
	if (skb_checksum_help(skb)) {
		IP_INC_STATS(stack, FRAGFAILS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return -ENOMEM;
	}
	h = skb->data;
	hlen = (h[0] & 15) * 4;
	fo = get_be16(h + 6);
	payload = skb->len - hlen;
	unit = mtu > hlen ? (mtu - hlen) & ~7u : 0;
	if (unit < 8) {
		IP_INC_STATS(stack, FRAGFAILS);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EINVAL;
	}
	memcpy(hdr, h, hlen);
	for (off = 0; off < payload; off += unit) {
		unsigned int len = NS_MIN(unit, payload - off);
		bool last = off + len >= payload;
		struct sk_buff *n = alloc_skb_tx(stack, hlen + len);
		uint8_t *p;

		if (!n) {
			IP_INC_STATS(stack, FRAGFAILS);
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return -ENOMEM;
		}
		p = skb_put(n, hlen + len);
		memcpy(p, hdr, hlen);
		memcpy(p + hlen, h + hlen + off, len);
		put_be16(p + 2, (uint16_t)(hlen + len));
		put_be16(p + 6, (uint16_t)((fo & (IP_DF | IP_CE)) |
					   (((fo & IP_OFFSET) + off / 8) & IP_OFFSET) |
					   (!last || (fo & IP_MF) ? IP_MF : 0)));
		ip_hdr_csum(p, hlen);
		if (off == 0)
			ip_options_fragment(hdr + IPV4_HLEN_MIN, hlen - IPV4_HLEN_MIN);
		skb_reset_network_header(n);
		n->dev = skb->dev;
		n->protocol = skb->protocol;
		n->priority = skb->priority;
		n->mark = skb->mark;
		memcpy(n->cb, skb->cb, sizeof(n->cb));
		IP_INC_STATS(stack, FRAGCREATES);
		output(stack, n);	/* a lost piece is the receiver's timeout */
	}
	IP_INC_STATS(stack, FRAGOKS);
	consume_skb(skb);
	return 0;
}

/* ---- reassembly -------------------------------------------------------------------------- */
#define INET_FRAG_FIRST_IN 0x01
#define INET_FRAG_LAST_IN  0x02

struct ipq {
	struct hlist_node hash;
	struct ns_stack *stack;
	uint32_t saddr, daddr;
	uint16_t id;
	uint8_t protocol;
	uint8_t flags;
	unsigned int len;	/* total payload length once known (or the highest end) */
	unsigned int meat;	/* payload bytes received */
	unsigned int max_size;	/* largest fragment */
	unsigned int mem;	/* truesize charged */
	struct sk_buff_head frags;	/* by offset */
	struct timer_list timer;
};

static unsigned int ipq_hashfn(uint32_t s, uint32_t d, uint16_t id, uint8_t p)
{
	uint32_t h = s * 0x9e3779b1u ^ d * 0x85ebca6bu ^ ((uint32_t)id << 8 | p) * 0xc2b2ae35u;

	return (h ^ (h >> 16)) & (IPQ_HASHSZ - 1);
}

static void ipq_free(struct ipq *q, enum skb_drop_reason reason)
{
	struct netns_ipv4 *ip = q->stack->ipv4;

	del_timer(&q->timer);
	hlist_del(&q->hash);
	skb_queue_purge_reason(&q->frags, reason);
	ip->frag_mem -= q->mem;
	ip->frag_queues--;
	free(q);
}

/* ip_expire: RFC 791 3.2 / RFC 1122 3.3.2 reassembly timeout */
static void ip_expire(struct timer_list *t)
{
	struct ipq *q = from_timer(q, t, timer);
	struct ns_stack *stack = q->stack;
	struct sk_buff *head = skb_peek(&q->frags);

	IP_INC_STATS(stack, REASMFAILS);
	IP_INC_STATS(stack, REASMTIMEOUT);
	/* RFC 792: time exceeded code 1, only if fragment zero arrived */
	if ((q->flags & INET_FRAG_FIRST_IN) && head && IPPRIV(head)->frag_offset == 0)
		icmp_send(head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
	ipq_free(q, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
}

static struct ipq *ip_find(struct ns_stack *stack, uint32_t s, uint32_t d, uint16_t id, uint8_t p)
{
	struct netns_ipv4 *ip = stack->ipv4;
	struct hlist_head *b = &ip->ipq_hash[ipq_hashfn(s, d, id, p)];
	struct ipq *q;

	hlist_for_each_entry(q, b, hash)
		if (q->saddr == s && q->daddr == d && q->id == id && q->protocol == p)
			return q;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->stack = stack;
	q->saddr = s;
	q->daddr = d;
	q->id = id;
	q->protocol = p;
	q->mem = sizeof(*q);
	skb_queue_head_init(&q->frags);
	timer_setup(&q->timer, stack, ip_expire);
	mod_timer(&q->timer, ns_now(stack) + (uint64_t)ip->sysctl_ipfrag_time * NS_PER_SEC);
	hlist_add_head(&q->hash, b);
	ip->frag_mem += q->mem;
	ip->frag_queues++;
	return q;
}

/* Build the datagram from the queue (ip_frag_reasm). */
static struct sk_buff *ip_frag_reasm(struct ns_stack *stack, struct ipq *q)
{
	struct sk_buff *head = skb_peek(&q->frags), *f, *n;
	unsigned int hlen = (head->data[0] & 15) * 4, total = hlen + q->len;
	uint8_t *p;

	if (total > 65535)
		return NULL;
	n = alloc_skb_tx(stack, total);
	if (!n)
		return NULL;
	p = skb_put(n, total);
	memcpy(p, head->data, hlen);
	skb_queue_walk(&q->frags, f) {
		struct ip_priv_cb *fc = IPPRIV(f);
		unsigned int fh = (f->data[0] & 15) * 4;

		memcpy(p + hlen + fc->frag_offset, f->data + fh, (size_t)(fc->frag_end - fc->frag_offset));
	}
	put_be16(p + 2, (uint16_t)total);
	put_be16(p + 6, get_be16(p + 6) & IP_DF);
	ip_hdr_csum(p, hlen);
	skb_reset_network_header(n);
	n->dev = head->dev;
	n->skb_iif = head->skb_iif;
	n->pkt_type = head->pkt_type;
	n->protocol = head->protocol;
	n->mark = head->mark;
	n->tstamp = head->tstamp;
	memcpy(n->cb, head->cb, sizeof(n->cb));
	IPCB(n)->flags |= IPSKB_REASSEMBLED;
	IPCB(n)->frag_max_size = (uint16_t)q->max_size;
	return n;
}

static struct sk_buff *ip_frag_fail(struct ns_stack *stack, struct ipq *q, struct sk_buff *skb,
				    enum skb_drop_reason reason)
{
	IP_INC_STATS(stack, REASMFAILS);
	if (q)
		ipq_free(q, reason);
	kfree_skb_reason(skb, reason);
	return NULL;
}

/* Insert skb by offset. 0, 1 for an exact duplicate, -1 for an overlap. */
static int ip_frag_insert(struct ipq *q, struct sk_buff *skb, int offset, int end)
{
	struct sk_buff *f, *after = NULL;

	skb_queue_walk(&q->frags, f) {
		struct ip_priv_cb *fc = IPPRIV(f);

		if (fc->frag_offset == offset && fc->frag_end == end)
			return 1;
		if (offset < fc->frag_end && end > fc->frag_offset)
			return -1;
		if (fc->frag_offset < offset)
			after = f;
	}
	if (after)
		__skb_queue_after(&q->frags, after, skb);
	else
		__skb_queue_head(&q->frags, skb);
	return 0;
}

struct sk_buff *ip_defrag(struct ns_stack *stack, struct sk_buff *skb)
{
	struct netns_ipv4 *ip = stack->ipv4;
	const uint8_t *h = skb->data;
	unsigned int hlen = (h[0] & 15) * 4;
	uint16_t fo = get_be16(h + 6);
	int offset = (fo & IP_OFFSET) * 8, end = offset + (int)(skb->len - hlen), rc;
	struct sk_buff *n;
	struct ipq *q;

	IP_INC_STATS(stack, REASMREQDS);
	if (ip->frag_mem > (uint64_t)ip->sysctl_ipfrag_high_thresh)
		return ip_frag_fail(stack, NULL, skb, SKB_DROP_REASON_FRAG_MEMLIMIT);
	q = ip_find(stack, get_be32(h + 12), get_be32(h + 16), get_be16(h + 4), h[9]);
	if (!q)
		return ip_frag_fail(stack, NULL, skb, SKB_DROP_REASON_NOMEM);
	if (hlen + (unsigned int)end > 65535)
		return ip_frag_fail(stack, q, skb, SKB_DROP_REASON_FRAG_TOO_FAR);
	if (!(fo & IP_MF)) {
		/* the last fragment fixes the length: RFC 791 3.2 */
		if ((unsigned int)end < q->len ||
		    ((q->flags & INET_FRAG_LAST_IN) && (unsigned int)end != q->len))
			return ip_frag_fail(stack, q, skb, SKB_DROP_REASON_FRAG_TOO_FAR);
		q->flags |= INET_FRAG_LAST_IN;
		q->len = (unsigned int)end;
	} else {
		end &= ~7;	/* non-final fragments carry multiples of 8 */
		if ((unsigned int)end > q->len) {
			if (q->flags & INET_FRAG_LAST_IN)
				return ip_frag_fail(stack, q, skb, SKB_DROP_REASON_FRAG_TOO_FAR);
			q->len = (unsigned int)end;
		}
	}
	if (end <= offset)	/* a tiny or empty fragment */
		return ip_frag_fail(stack, q, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	IPPRIV(skb)->frag_offset = offset;
	IPPRIV(skb)->frag_end = end;
	rc = ip_frag_insert(q, skb, offset, end);
	if (rc == 1) {
		kfree_skb_reason(skb, SKB_DROP_REASON_DUP_FRAG);
		return NULL;
	}
	if (rc < 0) {
		ip->mib[IPSTATS_MIB_REASM_OVERLAPS]++;
		return ip_frag_fail(stack, q, skb, SKB_DROP_REASON_FRAG_OVERLAP);
	}
	q->meat += (unsigned int)(end - offset);
	q->mem += skb->truesize;
	ip->frag_mem += skb->truesize;
	q->max_size = NS_MAX(q->max_size, skb->len);
	if (offset == 0)
		q->flags |= INET_FRAG_FIRST_IN;
	if (q->flags != (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) || q->meat != q->len)
		return NULL;
	n = ip_frag_reasm(stack, q);
	if (!n) {
		IP_INC_STATS(stack, REASMFAILS);
		ipq_free(q, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	IP_INC_STATS(stack, REASMOKS);
	ipq_free(q, SKB_DROP_REASON_CONSUMED);
	return n;
}

int ipfrag_init(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;
	int rc = 0;

	ip->sysctl_ipfrag_high_thresh = 4 * 1024 * 1024;
	ip->sysctl_ipfrag_low_thresh = 3 * 1024 * 1024;
	ip->sysctl_ipfrag_time = 30;
	ip->sysctl_ipfrag_max_dist = 64;
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/ipfrag_high_thresh",
			      &ip->sysctl_ipfrag_high_thresh, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/ipfrag_low_thresh",
			      &ip->sysctl_ipfrag_low_thresh, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/ipfrag_time", &ip->sysctl_ipfrag_time,
			      1, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/ipfrag_max_dist",
			      &ip->sysctl_ipfrag_max_dist, 0, 0x7fffffff);
	return rc ? -ENOMEM : 0;
}

void ipfrag_exit(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;

	for (unsigned int b = 0; b < IPQ_HASHSZ; b++) {
		struct ipq *q;
		struct hlist_node *tmp;

		hlist_for_each_entry_safe(q, tmp, &ip->ipq_hash[b], hash)
			ipq_free(q, SKB_DROP_REASON_NOT_SPECIFIED);
	}
}

/* A device goes away: queues holding its fragments go too (they keep
 * pointers to it). */
void ipfrag_flush_dev(struct ns_stack *stack, struct net_device *dev)
{
	struct netns_ipv4 *ip = stack->ipv4;

	for (unsigned int b = 0; b < IPQ_HASHSZ; b++) {
		struct ipq *q;
		struct hlist_node *tmp;

		hlist_for_each_entry_safe(q, tmp, &ip->ipq_hash[b], hash) {
			struct sk_buff *f;
			bool uses = false;

			skb_queue_walk(&q->frags, f)
				uses |= f->dev == dev;
			if (uses)
				ipq_free(q, SKB_DROP_REASON_DEV_DOWN);
		}
	}
}
