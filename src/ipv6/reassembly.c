/* reassembly.c - RFC 8200 4.5 reassembly (Linux's net/ipv6/reassembly.c).
 * Queues keyed by (source, destination, identification), bounded by
 * ip6frag_high_thresh bytes of truesize and a queue count, expiring after
 * 60 s with ICMPv6 time exceeded code 1 when the first fragment was seen.
 * Any overlap kills the whole datagram (RFC 5722); a first fragment without
 * the whole header chain is refused (RFC 7112); atomic fragments go on
 * without a queue (RFC 6946). Read ipv6_frag_rcv first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipv6/netns_ipv6.h"
#include "wire/icmpv6.h"

#define NS_PER_SEC 1000000000ULL
#define IP6_FRAG_MAX_QUEUES 1024
#define ICMPV6_HDR_INCOMP 3	/* RFC 7112 / RFC 8200 4.5: header chain incomplete */

#define FQ_FIRST_IN 0x1
#define FQ_LAST_IN  0x2

struct frag6_queue {
	struct hlist_node node;
	struct ns_stack *stack;
	uint8_t saddr[16], daddr[16];
	uint32_t id;
	uint8_t flags;
	uint32_t len;		/* total payload, known once the last arrived */
	uint32_t meat;		/* payload bytes received */
	uint32_t mem;		/* truesize held */
	uint16_t max_size;
	struct sk_buff_head frags;	/* by offset */
	struct timer_list timer;
};

static unsigned int fq_hash(const uint8_t *s, const uint8_t *d, uint32_t id)
{
	uint32_t h = id;

	for (int i = 0; i < 16; i++)
		h = h * 31 + s[i] + d[i] * 7u;
	return h % IP6Q_HASHSZ;
}

static void fq_destroy(struct frag6_queue *fq, enum skb_drop_reason reason)
{
	struct netns_ipv6 *ip6 = fq->stack->ipv6;

	del_timer(&fq->timer);
	hlist_del(&fq->node);
	skb_queue_purge_reason(&fq->frags, reason);
	ip6->frag_mem -= fq->mem;
	ip6->frag_queues--;
	free(fq);
}

static void fq_kill(struct frag6_queue *fq, enum skb_drop_reason reason)
{
	IP6_INC_STATS(fq->stack, REASMFAILS);
	fq_destroy(fq, reason);
}

/* RFC 8200 4.5: 60 s after the first-arriving fragment */
static void fq_expire(struct timer_list *t)
{
	struct frag6_queue *fq = from_timer(fq, t, timer);
	struct ns_stack *stack = fq->stack;

	IP6_INC_STATS(stack, REASMTIMEOUT);
	if (fq->flags & FQ_FIRST_IN) {
		struct sk_buff *first = skb_peek(&fq->frags);

		/* only with the offset-0 fragment, about which we can speak */
		if (first && IP6PRIV(first)->frag_start == 0)
			icmp6_send(first, ICMPV6_TIME_EXCEED, ICMPV6_EXC_FRAGTIME, 0);
	}
	fq_kill(fq, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
}

static struct frag6_queue *fq_find(struct ns_stack *stack, const uint8_t *h, uint32_t id)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	struct hlist_head *b = &ip6->frag_hash[fq_hash(h + 8, h + 24, id)];
	struct frag6_queue *fq;

	hlist_for_each_entry(fq, b, node)
		if (fq->id == id && ipv6_addr_equal(fq->saddr, h + 8) && ipv6_addr_equal(fq->daddr, h + 24))
			return fq;
	if (ip6->frag_queues >= IP6_FRAG_MAX_QUEUES)
		return NULL;
	fq = calloc(1, sizeof(*fq));
	if (!fq)
		return NULL;
	fq->stack = stack;
	fq->id = id;
	memcpy(fq->saddr, h + 8, 16);
	memcpy(fq->daddr, h + 24, 16);
	skb_queue_head_init(&fq->frags);
	timer_setup(&fq->timer, stack, fq_expire);
	mod_timer(&fq->timer, ns_now(stack) + (uint64_t)ip6->sysctl_frag_time * NS_PER_SEC);
	hlist_add_head(&fq->node, b);
	ip6->frag_queues++;
	return fq;
}

/* RFC 7112 5 / RFC 8200 4.5: the first fragment carries every header up to
 * and including the upper-layer header. */
static bool frag_first_complete(struct ns_stack *stack, const struct sk_buff *skb,
				unsigned int data, uint8_t nexthdr)
{
	struct ipv6_ext_info info;
	unsigned int need;

	if (ipv6_ext_walk(skb->data + data, skb->len - data, nexthdr,
			  (unsigned int)stack->ipv6->sysctl_max_dst_opts_cnt,
			  (size_t)stack->ipv6->sysctl_max_hbh_len, &info) < 0)
		return false;
	switch (info.proto) {
	case IPPROTO_TCP: need = 20; break;
	case IPPROTO_UDP: need = 8; break;
	case IPPROTO_ICMPV6: need = 4; break;
	default: need = 0; break;
	}
	return info.offset + need <= skb->len - data;
}

/* Build the datagram: the first fragment's unfragmentable part, then every
 * payload in order (Linux's ip6_frag_reasm). */
static struct sk_buff *fq_reasm(struct frag6_queue *fq, unsigned int *next_off,
				uint8_t *nexthdr_out)
{
	struct ns_stack *stack = fq->stack;
	struct sk_buff *first = skb_peek(&fq->frags), *f, *n;
	struct ip6_priv_cb *fcb = IP6PRIV(first);
	unsigned int unfrag = fcb->frag_data - IPV6_FRAG_HLEN, total = unfrag + fq->len;
	uint8_t *p, nexthdr = first->data[unfrag];

	if (total - IPV6_HLEN > 65535) {
		fq_kill(fq, SKB_DROP_REASON_PKT_TOO_BIG);
		return NULL;
	}
	n = alloc_skb(stack, total + NS_SKB_HEADROOM);
	if (!n) {
		fq_kill(fq, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	skb_reserve(n, NS_SKB_HEADROOM);
	p = skb_put(n, total);
	memcpy(p, first->data, unfrag);
	skb_queue_walk(&fq->frags, f)
		memcpy(p + unfrag + IP6PRIV(f)->frag_start, f->data + IP6PRIV(f)->frag_data,
		       (size_t)IP6PRIV(f)->frag_end - IP6PRIV(f)->frag_start);
	/* the header before the Fragment header now names what it carried */
	p[fcb->h.nhoff] = nexthdr;
	put_be16(p + 4, (uint16_t)(total - IPV6_HLEN));
	n->dev = first->dev;
	n->skb_iif = first->skb_iif;
	n->protocol = first->protocol;
	n->pkt_type = first->pkt_type;
	n->tstamp = first->tstamp;
	skb_reset_network_header(n);
	memcpy(n->cb, first->cb, sizeof(n->cb));
	IP6CB(n)->flags |= IP6SKB_REASSEMBLED;
	IP6CB(n)->frag_max_size = fq->max_size;
	*next_off = unfrag;
	*nexthdr_out = nexthdr;
	IP6_INC_STATS(stack, REASMOKS);
	fq_destroy(fq, SKB_DROP_REASON_CONSUMED);
	return n;
}

/* Place skb in fq; false when it was dropped (and maybe the queue too). */
static bool fq_insert(struct frag6_queue *fq, struct sk_buff *skb, unsigned int start,
		      unsigned int end, bool mf)
{
	struct netns_ipv6 *ip6 = fq->stack->ipv6;
	struct sk_buff *f, *before = NULL;

	if (!mf) {
		/* the last fragment fixes the length; nothing may lie past it */
		if (((fq->flags & FQ_LAST_IN) && end != fq->len) ||
		    (!(fq->flags & FQ_LAST_IN) && end < fq->len)) {
			fq_kill(fq, SKB_DROP_REASON_FRAG_OVERLAP);
			kfree_skb_reason(skb, SKB_DROP_REASON_FRAG_OVERLAP);
			return false;
		}
	} else if (end > fq->len) {
		if (fq->flags & FQ_LAST_IN) {
			fq_kill(fq, SKB_DROP_REASON_FRAG_OVERLAP);
			kfree_skb_reason(skb, SKB_DROP_REASON_FRAG_OVERLAP);
			return false;
		}
	}
	skb_queue_walk(&fq->frags, f) {
		struct ip6_priv_cb *c = IP6PRIV(f);

		if (c->frag_start == start && c->frag_end == end) {
			/* an exact duplicate is not an overlap (Linux) */
			kfree_skb_reason(skb, SKB_DROP_REASON_DUP_FRAG);
			return false;
		}
		if (start < c->frag_end && c->frag_start < end) {
			/* RFC 5722 4: the whole datagram is discarded */
			fq_kill(fq, SKB_DROP_REASON_FRAG_OVERLAP);
			kfree_skb_reason(skb, SKB_DROP_REASON_FRAG_OVERLAP);
			return false;
		}
		if (c->frag_start < start)
			before = f;
	}
	if (before)
		__skb_queue_after(&fq->frags, before, skb);
	else
		__skb_queue_head(&fq->frags, skb);
	if (!mf) {
		fq->flags |= FQ_LAST_IN;
		fq->len = end;
	} else if (end > fq->len) {
		fq->len = end;
	}
	if (start == 0)
		fq->flags |= FQ_FIRST_IN;
	fq->meat += end - start;
	fq->mem += skb->truesize;
	ip6->frag_mem += skb->truesize;
	if (skb->len > fq->max_size)
		fq->max_size = (uint16_t)skb->len;
	return true;
}

static struct sk_buff *frag_param_prob(struct ns_stack *stack, struct sk_buff *skb, uint8_t code,
				       unsigned int ptr)
{
	IP6_INC_STATS(stack, INHDRERRORS);
	icmp6_send(skb, ICMPV6_PARAMPROB, code, ptr);
	kfree_skb_reason(skb, SKB_DROP_REASON_IP_INHDR);
	return NULL;
}

struct sk_buff *ipv6_frag_rcv(struct ns_stack *stack, struct sk_buff *skb, unsigned int off,
			      unsigned int nhoff, uint8_t *nexthdr, unsigned int *next_off)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	struct ipv6_frag_repr fr;
	struct frag6_queue *fq;
	struct ip6_priv_cb *cb = IP6PRIV(skb);
	unsigned int data = off + IPV6_FRAG_HLEN, len, start;

	if (ipv6_frag_parse(skb->data + off, skb->len - off, &fr) < 0) {
		IP6_INC_STATS(stack, INHDRERRORS);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return NULL;
	}
	IP6_INC_STATS(stack, REASMREQDS);
	len = skb->len - data;
	start = (unsigned int)fr.frag_off * 8;
	/* RFC 6946: an atomic fragment is processed as a whole datagram */
	if (!fr.mf && fr.frag_off == 0) {
		*nexthdr = fr.nexthdr;
		*next_off = data;
		return skb;
	}
	/* RFC 8200 4.5: payload of a non-last fragment a multiple of 8 */
	if (fr.mf && (len & 7))
		return frag_param_prob(stack, skb, ICMPV6_HDR_FIELD, 4);
	if (start + len > 65535)
		return frag_param_prob(stack, skb, ICMPV6_HDR_FIELD, off + 2);
	if (start == 0 && !frag_first_complete(stack, skb, data, fr.nexthdr))
		return frag_param_prob(stack, skb, ICMPV6_HDR_INCOMP, 0);
	if (ip6->frag_mem + skb->truesize > (uint64_t)ip6->sysctl_frag_high_thresh) {
		IP6_INC_STATS(stack, REASMFAILS);
		kfree_skb_reason(skb, SKB_DROP_REASON_FRAG_MEMLIMIT);
		return NULL;
	}
	fq = fq_find(stack, skb->data, fr.id);
	if (!fq) {
		IP6_INC_STATS(stack, REASMFAILS);
		kfree_skb_reason(skb, SKB_DROP_REASON_FRAG_MEMLIMIT);
		return NULL;
	}
	if (len == 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_INHDR);
		return NULL;
	}
	cb->h.nhoff = (uint16_t)nhoff;
	cb->frag_start = (uint16_t)start;
	cb->frag_end = (uint16_t)(start + len);
	cb->frag_data = (uint16_t)data;
	if (!fq_insert(fq, skb, start, start + len, fr.mf))
		return NULL;
	if (fq->flags == (FQ_FIRST_IN | FQ_LAST_IN) && fq->meat == fq->len) {
		return fq_reasm(fq, next_off, nexthdr);
	}
	return NULL;
}

int frag6_init(struct ns_stack *stack)
{
	(void)stack;
	return 0;
}

/* A device goes away: its fragments (and their queues) with it. */
void frag6_flush_dev(struct ns_stack *stack, struct net_device *dev)
{
	struct netns_ipv6 *ip6 = stack->ipv6;

	for (int i = 0; i < IP6Q_HASHSZ; i++) {
		struct hlist_node *pos = ip6->frag_hash[i].first;

		while (pos) {
			struct frag6_queue *fq = hlist_entry(pos, struct frag6_queue, node);
			struct sk_buff *first = skb_peek(&fq->frags);

			pos = pos->next;
			if (!first || first->dev == dev)
				fq_kill(fq, SKB_DROP_REASON_DEV_DOWN);
		}
	}
}

void frag6_exit(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;

	for (int i = 0; i < IP6Q_HASHSZ; i++)
		while (ip6->frag_hash[i].first)
			fq_destroy(hlist_entry(ip6->frag_hash[i].first, struct frag6_queue, node),
				   SKB_DROP_REASON_NOT_SPECIFIED);
}
