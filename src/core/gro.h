/* gro.h - generic receive offload (Linux's net/core/gro.c).
 *
 * A driver's NAPI poll hands frames to napi_gro_receive() instead of
 * netif_receive_skb(). The frame's protocol (packet_type.gro_receive; IPv4 and IPv6:
 * ipv4/tcp_offload.c) may take it: consecutive full-sized segments of one
 * flow are then held on the napi_struct for the rest of the poll and
 * delivered as one skb whose gso_size/gso_segs say what it was made of.
 * IP, TCP and the socket run once per batch instead of once per segment.
 * Everything held is delivered when the poll returns (net_rx_action), so
 * GRO adds no delay beyond the poll itself. */
#ifndef NSTACK_CORE_GRO_H
#define NSTACK_CORE_GRO_H

#include "core/netdevice.h"
#include "core/skbuff.h"

/* Most segments merged into one skb (Linux: 64 KiB and MAX_SKB_FRAGS). */
#define GRO_MAX_SEGS 64

/* skb->cb of a held frame (the head of its flow). */
struct napi_gro_cb {
	struct sk_buff_head segs;	/* the frames that follow the head, in order */
	/* Fix the protocol headers of a merged skb (lengths, checksums):
	 * `last` is the last segment merged into it. */
	void (*complete)(struct sk_buff *merged, const struct sk_buff *last);
	uint32_t next_seq;		/* TCP: the sequence number that may follow */
	uint32_t payload;		/* payload bytes held, the head's included */
	uint16_t gso_size;		/* payload of the head: the full segment size */
	uint16_t hdr_len;		/* network + transport header bytes of each frame */
};
#define NAPI_GRO_CB(skb) ((struct napi_gro_cb *)(void *)(skb)->cb)

/* Receive skb (link header pulled, protocol set) with GRO when the device
 * has NETIF_F_GRO; else, or when the protocol declines, netif_receive_skb. */
int napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb);
/* Hold skb as the head of a new flow (its cb already filled); the oldest
 * flow is delivered first when GRO_MAX_HELD are held. */
void napi_gro_hold(struct napi_struct *napi, struct sk_buff *skb);
/* Deliver the held flow at index i of napi->gro_held (merged). */
void napi_gro_flush_held(struct napi_struct *napi, unsigned int i);
/* Deliver every held flow, oldest first. */
void napi_gro_flush(struct napi_struct *napi);
/* Free every held frame (the device goes away). */
void napi_gro_drop(struct napi_struct *napi);

#endif
