/* skbuff.h - struct sk_buff, the packet buffer every layer shares.
 *
 * A buffer is one contiguous data area:   head ... data ... tail ... end
 * `data`..`tail` holds the packet; the space before `data` is headroom for
 * headers pushed on the way down, the space after `tail` is tailroom. Each
 * layer only moves `data`: skb_pull() on the way up, skb_push() on the way
 * down, so headers are never copied. The data area is refcounted
 * (skb_shared_info at `end`), so skb_clone() shares it; a clone must not
 * write headers until skb_cow_head()/skb_unshare() gave it a private copy.
 *
 * Memory comes from the owning stack's pool (size classes with free lists),
 * never from malloc per packet. A push beyond the headroom, a put beyond the
 * tailroom or a pull beyond the data returns NULL and is counted in
 * /proc/net/nstack/skb; it never touches memory outside the buffer.
 *
 * Ownership rule: a function handed an skb either passes it on or frees it
 * (kfree_skb_reason for a drop, consume_skb when used); its return value says
 * which when that matters to the caller. */
#ifndef NSTACK_CORE_SKBUFF_H
#define NSTACK_CORE_SKBUFF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/compiler.h"
#include "core/dropreason.h"
#include "core/list.h"

struct ns_stack;
struct net_device;
struct sock;
struct dst_entry;

/* Headroom reserved by every allocation meant for transmit: Ethernet + two
 * VLAN tags + IPv6 with extension headers + TCP with options. */
#define NS_SKB_HEADROOM 192
#define SKB_CB_SIZE 48

/* pkt_type values (as Linux's if_packet.h) */
#define PACKET_HOST      0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING  4
#define PACKET_LOOPBACK  5

/* ip_summed values */
#define CHECKSUM_NONE        0
#define CHECKSUM_UNNECESSARY 1
#define CHECKSUM_COMPLETE    2
#define CHECKSUM_PARTIAL     3	/* tx: the field holds the pseudo-header sum;
				 * the device (NETIF_F_HW_CSUM) or
				 * skb_checksum_help() completes it; rx through
				 * an offloading wire: never damaged in flight */

/* At the end of the data area. Written only once the area is shared
 * (skb_clone): an skb that was never cloned leaves this cache line alone. */
struct skb_shared_info {
	uint32_t dataref;	/* sk_buffs sharing this data area; valid while skb->cloned */
};

/* Field order matters: alloc_skb() clears everything before `stack` with one
 * fixed-size memset (a few vector stores, as Linux clears up to `tail`), and
 * the fields a received frame's path reads first share the first cache lines. */
struct sk_buff {
	/* ---- cleared by alloc_skb ---- */
	/* queue linkage (sk_buff_head) */
	struct list_head list;

	struct net_device *dev;		/* rx: arrived on; tx: leaves by */
	struct sock *sk;		/* owning socket, if any */
	void (*destructor)(struct sk_buff *skb);	/* run on free (socket accounting) */
	struct dst_entry *dst;		/* routing decision, set by the network layer */
	uint64_t tstamp;		/* ns; rx: arrival, netem: time to send */

	uint16_t protocol;		/* ethertype, HOST order (Linux keeps __be16) */
	uint8_t pkt_type;		/* PACKET_* */
	uint8_t ip_summed;		/* CHECKSUM_* */
	uint8_t vlan_present;
	uint8_t nfctinfo;		/* its ip_conntrack_info + 1; 0: not seen by conntrack */
	uint8_t cloned;			/* the data area may be shared: dataref is valid */
	uint8_t head_class;		/* pool size class of the data area */
	uint16_t vlan_proto;		/* host order */
	uint16_t vlan_tci;
	int skb_iif;			/* ifindex it arrived on */
	uint32_t priority;		/* qdisc band selection (TC_PRIO_*) */
	uint32_t mark;
	uint32_t hash;
	uint32_t nfct;			/* conntrack entry id (netfilter/nf_conntrack.h), 0: none */
	uint32_t tail;			/* offset of the end of the packet from head */
	uint32_t len;			/* bytes from data to tail */

	_Alignas(8) char cb[SKB_CB_SIZE];	/* private to the layer holding the skb */

	/* ---- set by alloc_skb ---- */
	struct ns_stack *stack;		/* owner: the pool it returns to */
	unsigned char *head;		/* start of the data area */
	unsigned char *data;		/* start of the packet */
	uint32_t end;			/* offset of the end of the data area */
	uint32_t truesize;		/* memory charged to a socket for this skb */

	uint16_t mac_header;		/* offsets from head; 0xffff = unset */
	uint16_t network_header;
	uint16_t transport_header;
	uint8_t users;			/* references to this sk_buff struct (skb_get) */
	uint8_t nohdr;			/* a clone whose headers (up to its payload) were
					 * pushed by its owner alone: writable (TCP) */
	uint16_t csum_start;		/* CHECKSUM_PARTIAL only: offset from head where */
	uint16_t csum_offset;		/* the sum starts, and of its field from there */
	uint16_t gso_size;		/* rx, GRO: payload per original segment (Linux's */
	uint16_t gso_segs;		/* skb_shinfo gso_size/gso_segs); 0: one segment */
};

#define SKB_HDR_UNSET 0xffff

/* A queue of skbs with its length. */
struct sk_buff_head {
	struct list_head list;
	uint32_t qlen;
};

/* ---- allocation ------------------------------------------------------------ */
/* Allocate an skb with at least `size` bytes of data area; data == tail ==
 * head (no headroom reserved). NULL when the pool is exhausted (counted). */
struct sk_buff *alloc_skb(struct ns_stack *stack, unsigned int size);
/* Allocate for transmit: NS_SKB_HEADROOM reserved, `size` bytes of tailroom. */
struct sk_buff *alloc_skb_tx(struct ns_stack *stack, unsigned int size);
/* Allocate and copy a received frame: data points at the frame. */
struct sk_buff *skb_from_bytes(struct ns_stack *stack, const void *frame, unsigned int len,
			       unsigned int headroom);
/* Drop: count `reason` and free. NULL is ignored. */
void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason);
static inline void kfree_skb(struct sk_buff *skb)
{
	kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
}
/* Free after successful use (not a drop). */
void consume_skb(struct sk_buff *skb);
/* Take another reference to the same sk_buff struct. */
static inline struct sk_buff *skb_get(struct sk_buff *skb)
{
	skb->users++;
	return skb;
}
/* A second sk_buff sharing the data area (header fields copied). */
struct sk_buff *skb_clone(struct sk_buff *skb);
/* A private copy of header fields and data (same headroom). */
struct sk_buff *skb_copy(const struct sk_buff *skb);
/* A private copy with at least `headroom` bytes of headroom and `tailroom`. */
struct sk_buff *skb_copy_expand(const struct sk_buff *skb, unsigned int headroom,
				unsigned int tailroom);
/* Make the data area private and give it `headroom` bytes before data,
 * reallocating if needed. 0 or -ENOMEM (skb unchanged). */
int __skb_cow_head(struct sk_buff *skb, unsigned int headroom);
static inline bool skb_cloned(const struct sk_buff *skb);
static inline int skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	/* the common case (private, room enough) without a call */
	if (likely(!skb_cloned(skb) && (unsigned int)(skb->data - skb->head) >= headroom))
		return 0;
	return __skb_cow_head(skb, headroom);
}

/* A checksum that needs no verification: checked by hardware, or never
 * computed because it was offloaded and the frame never left memory
 * (Linux's skb_csum_unnecessary). */
static inline bool skb_csum_unnecessary(const struct sk_buff *skb)
{
	return skb->ip_summed == CHECKSUM_UNNECESSARY || skb->ip_summed == CHECKSUM_PARTIAL;
}

/* Mark skb CHECKSUM_PARTIAL: the checksum field at transport offset
 * @csum_offset, covering transport header to tail, holds the pseudo-header
 * sum (Linux's skb_partial_csum_set). */
static inline void skb_partial_csum_set(struct sk_buff *skb, const unsigned char *start,
					uint16_t csum_offset)
{
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (uint16_t)(start - skb->head);
	skb->csum_offset = csum_offset;
}

/* Complete a CHECKSUM_PARTIAL checksum in software (Linux's
 * skb_checksum_help): for devices without NETIF_F_HW_CSUM, and before
 * anything rewrites, fragments or corrupts the packet. 0 or -ENOMEM/-EINVAL. */
int skb_checksum_help(struct sk_buff *skb);
/* Run the destructor and detach from the owning socket. */
void skb_orphan(struct sk_buff *skb);
/* Make skb (not shared: users 1, data not cloned) look freshly received:
 * orphaned, every header field cleared (cb, dst, marks, conntrack, offsets),
 * the data kept (Linux's skb_scrub_packet, for veth-like devices that hand
 * the same skb to their peer in the same stack instead of copying it). */
void skb_scrub_packet(struct sk_buff *skb);

static inline struct skb_shared_info *skb_shinfo(const struct sk_buff *skb)
{
	return (struct skb_shared_info *)(void *)(skb->head + skb->end);
}
/* True while another sk_buff shares the data area. */
static inline bool skb_cloned(const struct sk_buff *skb)
{
	return skb->cloned && skb_shinfo(skb)->dataref != 1;
}

/* ---- data pointer moves ------------------------------------------------------ */
static inline unsigned int skb_headroom(const struct sk_buff *skb)
{
	return (unsigned int)(skb->data - skb->head);
}
static inline unsigned int skb_tailroom(const struct sk_buff *skb)
{
	return skb->end - skb->tail;
}
static inline unsigned char *skb_tail_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->tail;
}
static inline unsigned char *skb_end_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->end;
}

/* Failure paths, out of line: count and return NULL. */
void *skb_under_fail(struct sk_buff *skb);
void *skb_over_fail(struct sk_buff *skb);

/* Reserve headroom in an empty buffer. */
static inline void skb_reserve(struct sk_buff *skb, unsigned int len)
{
	if (unlikely(len > skb_tailroom(skb) || skb->len)) {
		skb_over_fail(skb);
		return;
	}
	skb->data += len;
	skb->tail += len;
}
/* Extend the data at the tail; returns the start of the new area or NULL. */
static inline void *skb_put(struct sk_buff *skb, unsigned int len)
{
	unsigned char *p;

	if (unlikely(len > skb_tailroom(skb)))
		return skb_over_fail(skb);
	p = skb_tail_pointer(skb);
	skb->tail += len;
	skb->len += len;
	return p;
}
static inline void *skb_put_data(struct sk_buff *skb, const void *src, unsigned int len)
{
	void *p = skb_put(skb, len);

	if (p)
		memcpy(p, src, len);
	return p;
}
/* Prepend len bytes (a header on the way down); NULL if no headroom. */
static inline void *skb_push(struct sk_buff *skb, unsigned int len)
{
	if (unlikely(len > skb_headroom(skb)))
		return skb_under_fail(skb);
	skb->data -= len;
	skb->len += len;
	return skb->data;
}
/* Remove len bytes from the start (a header on the way up); returns the new
 * data pointer, or NULL (nothing changed) when fewer than len bytes remain. */
static inline void *skb_pull(struct sk_buff *skb, unsigned int len)
{
	if (unlikely(len > skb->len))
		return NULL;
	skb->len -= len;
	skb->data += len;
	return skb->data;
}
/* True when at least len bytes of packet data are present (all our skbs are
 * linear, so this is a length check; named after Linux's). */
static inline bool pskb_may_pull(const struct sk_buff *skb, unsigned int len)
{
	return len <= skb->len;
}
/* Cut the packet to len bytes (no-op if already shorter). */
static inline void skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->len > len) {
		skb->tail -= skb->len - len;
		skb->len = len;
	}
}

/* ---- header offsets ------------------------------------------------------------ */
static inline void skb_reset_mac_header(struct sk_buff *skb)
{
	skb->mac_header = (uint16_t)(skb->data - skb->head);
}
static inline void skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = (uint16_t)(skb->data - skb->head);
}
static inline void skb_reset_transport_header(struct sk_buff *skb)
{
	skb->transport_header = (uint16_t)(skb->data - skb->head);
}
static inline void skb_set_network_header(struct sk_buff *skb, int offset)
{
	skb->network_header = (uint16_t)(skb->data - skb->head + offset);
}
static inline void skb_set_transport_header(struct sk_buff *skb, int offset)
{
	skb->transport_header = (uint16_t)(skb->data - skb->head + offset);
}
static inline bool skb_mac_header_was_set(const struct sk_buff *skb)
{
	return skb->mac_header != SKB_HDR_UNSET;
}
static inline unsigned char *skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}
static inline unsigned char *skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}
static inline unsigned char *skb_transport_header(const struct sk_buff *skb)
{
	return skb->head + skb->transport_header;
}
static inline int skb_network_offset(const struct sk_buff *skb)
{
	return (int)(skb_network_header(skb) - skb->data);
}
static inline int skb_transport_offset(const struct sk_buff *skb)
{
	return (int)(skb_transport_header(skb) - skb->data);
}

/* ---- queues ---------------------------------------------------------------------- */
static inline void skb_queue_head_init(struct sk_buff_head *q)
{
	INIT_LIST_HEAD(&q->list);
	q->qlen = 0;
}
static inline bool skb_queue_empty(const struct sk_buff_head *q)
{
	return list_empty(&q->list);
}
static inline uint32_t skb_queue_len(const struct sk_buff_head *q)
{
	return q->qlen;
}
static inline struct sk_buff *skb_peek(const struct sk_buff_head *q)
{
	return list_empty(&q->list) ? NULL : list_entry(q->list.next, struct sk_buff, list);
}
static inline struct sk_buff *skb_peek_tail(const struct sk_buff_head *q)
{
	return list_empty(&q->list) ? NULL : list_entry(q->list.prev, struct sk_buff, list);
}
/* The skb after skb in q, or NULL at the end. */
static inline struct sk_buff *skb_queue_next(const struct sk_buff_head *q, const struct sk_buff *skb)
{
	return skb->list.next == &q->list ? NULL : list_entry(skb->list.next, struct sk_buff, list);
}
static inline struct sk_buff *skb_queue_prev(const struct sk_buff_head *q, const struct sk_buff *skb)
{
	return skb->list.prev == &q->list ? NULL : list_entry(skb->list.prev, struct sk_buff, list);
}
static inline void __skb_queue_tail(struct sk_buff_head *q, struct sk_buff *n)
{
	list_add_tail(&n->list, &q->list);
	q->qlen++;
}
static inline void __skb_queue_head(struct sk_buff_head *q, struct sk_buff *n)
{
	list_add(&n->list, &q->list);
	q->qlen++;
}
/* Insert n after old in q. */
static inline void __skb_queue_after(struct sk_buff_head *q, struct sk_buff *old, struct sk_buff *n)
{
	list_add(&n->list, &old->list);
	q->qlen++;
}
/* Insert n before old in q. */
static inline void __skb_queue_before(struct sk_buff_head *q, struct sk_buff *old, struct sk_buff *n)
{
	list_add_tail(&n->list, &old->list);
	q->qlen++;
}
static inline void __skb_unlink(struct sk_buff *skb, struct sk_buff_head *q)
{
	list_del(&skb->list);
	q->qlen--;
}
static inline struct sk_buff *__skb_dequeue(struct sk_buff_head *q)
{
	struct sk_buff *skb = skb_peek(q);

	if (skb)
		__skb_unlink(skb, q);
	return skb;
}
static inline struct sk_buff *__skb_dequeue_tail(struct sk_buff_head *q)
{
	struct sk_buff *skb = skb_peek_tail(q);

	if (skb)
		__skb_unlink(skb, q);
	return skb;
}
/* Move every skb of from to the tail of to. */
static inline void skb_queue_splice_tail_init(struct sk_buff_head *from, struct sk_buff_head *to)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(from)) != NULL)
		__skb_queue_tail(to, skb);
}
#define skb_queue_walk(queue, skb) list_for_each_entry(skb, &(queue)->list, list)
#define skb_queue_walk_safe(queue, skb, tmp) \
	list_for_each_entry_safe(skb, tmp, &(queue)->list, list)
/* Free every skb on the list (counted with reason). */
void skb_queue_purge_reason(struct sk_buff_head *list, enum skb_drop_reason reason);
static inline void skb_queue_purge(struct sk_buff_head *list)
{
	/* a closing socket purges several queues, nearly always empty */
	if (!skb_queue_empty(list))
		skb_queue_purge_reason(list, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* For taps: the frame as it is on the wire (from the MAC header when set and
 * before data). */
static inline const unsigned char *skb_frame(const struct sk_buff *skb, unsigned int *len)
{
	if (skb_mac_header_was_set(skb) && skb->mac_header <= (uint32_t)(skb->data - skb->head)) {
		*len = skb->len + (unsigned int)(skb->data - skb_mac_header(skb));
		return skb_mac_header(skb);
	}
	*len = skb->len;
	return skb->data;
}

/* ---- the per-stack pool ------------------------------------------------------------- */
#define SKB_POOL_CLASSES 3
struct skb_pool_stats {
	uint64_t allocs, frees, alloc_fails;
	uint64_t clones, copies;
	uint64_t push_fail, put_fail;	/* headroom / tailroom exhausted */
	uint64_t in_use;		/* data areas currently allocated */
	uint64_t heads_in_use;		/* sk_buff structs currently allocated */
	uint64_t mem_bytes;		/* bytes obtained from the system */
};
struct skb_pool;
struct skb_pool *skb_pool_create(size_t mem_max);
void skb_pool_destroy(struct skb_pool *pool);
const struct skb_pool_stats *skb_pool_stats(const struct skb_pool *pool);
/* Largest packet (data area minus shared info) the pool can hold. */
unsigned int skb_pool_max_size(void);

#endif
