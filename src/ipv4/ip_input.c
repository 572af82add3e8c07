/* ip_input.c - IPv4 receive (Linux's net/ipv4/ip_input.c). ip_rcv
 * validates the RFC 791 header (RFC 1122 3.2.1.1-3.2.1.8 checks) and counts
 * every drop in the Ip: line of /proc/net/snmp, then PRE_ROUTING ->
 * ip_route_input -> local delivery (LOCAL_IN, reassembly, the protocol
 * table) or ip_forward. */
#include <errno.h>
#include <string.h>

#include "ethernet/eth.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "netfilter/core.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

/* The receive path of one datagram (ip_rcv -> ip_rcv_finish -> the route
 * verdict -> ip_local_deliver -> ip_local_deliver_finish) is one frame:
 * each step is inlined into the one before (NF_HOOK calls okfn directly
 * when no hook is registered), as a call and its register saves per layer
 * cost as much as the layer's own work. */
#define IP_RCV_INLINE static inline __attribute__((always_inline))

IP_RCV_INLINE int ip_local_deliver_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	struct netns_ipv4 *ip = stack->ipv4;
	unsigned int ihl = (skb->data[0] & 15) * 4;
	int protocol = skb->data[9];

	skb_pull(skb, ihl);
	skb_reset_transport_header(skb);
	for (int loops = 0; loops < 4; loops++) {
		const struct net_protocol *prot = ip->protos[protocol];
		int ret;

		if (!prot)
			break;
		ret = prot->handler(skb);
		if (ret >= 0) {
			IP_INC_STATS(stack, INDELIVERS);
			return 0;
		}
		/* resubmit: the handler kept the skb and names a protocol */
		protocol = -ret;
		if (protocol > 255)
			break;
	}
	IP_INC_STATS(stack, INUNKNOWNPROTOS);
	/* RFC 1122 3.2.2.1: protocol unreachable (icmp_send skips broadcasts) */
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	kfree_skb_reason(skb, SKB_DROP_REASON_IP_NOPROTO);
	return NET_RX_DROP;
}

IP_RCV_INLINE int __ip_local_deliver(struct ns_stack *stack, struct sk_buff *skb)
{
	/* RFC 791 3.2: reassemble before handing to the protocol */
	if (get_be16(skb->data + 6) & (IP_MF | IP_OFFSET)) {
		skb = ip_defrag(stack, skb);
		if (!skb)
			return 0;
	}
	return NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_IN, stack, skb, skb->dev, NULL,
		       ip_local_deliver_finish);
}

int ip_local_deliver(struct ns_stack *stack, struct sk_buff *skb)
{
	return __ip_local_deliver(stack, skb);
}

/* What ip_rcv_finish does once the route is known. */
IP_RCV_INLINE int ip_rcv_finish_verdict(struct ns_stack *stack, struct sk_buff *skb,
				 enum ip_input_verdict v)
{
	switch (v) {
	case IP_INPUT_LOCAL:
		if (IPCB(skb)->rt_type == RTN_BROADCAST)
			IP_INC_STATS(stack, INBCASTPKTS);
		else if (IPCB(skb)->rt_type == RTN_MULTICAST)
			IP_INC_STATS(stack, INMCASTPKTS);
		return __ip_local_deliver(stack, skb);
	case IP_INPUT_FORWARD:
		return ip_forward(stack, skb);
	case IP_INPUT_DROPPED:
	default:
		return NET_RX_DROP;
	}
}

IP_RCV_INLINE int ip_rcv_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	return ip_rcv_finish_verdict(stack, skb, ip_route_input(stack, skb));
}

static int ip_rcv_drop(struct ns_stack *stack, struct sk_buff *skb, enum skb_drop_reason reason)
{
	IP_INC_STATS(stack, INHDRERRORS);
	kfree_skb_reason(skb, reason);
	return NET_RX_DROP;
}

/* ip_rcv_core: RFC 791 3.1 / RFC 1122 3.2.1 header validation. Returns
 * skb with IPCB filled, or NULL when it was dropped (counted). */
IP_RCV_INLINE struct sk_buff *ip_rcv_core(struct ns_stack *stack, struct sk_buff *skb,
					  struct net_device *dev)
{
	struct ip_priv_cb *cb;
	unsigned int ihl, len;
	const uint8_t *h;

	if (skb->pkt_type == PACKET_OTHERHOST) {
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return NULL;
	}
	IP_INC_STATS(stack, INRECEIVES);
	IP_ADD_STATS(stack, INOCTETS, skb->len);
	if (!pskb_may_pull(skb, IPV4_HLEN_MIN))
		goto too_small;
	h = skb->data;
	ihl = (h[0] & 15) * 4;
	if ((h[0] >> 4) != 4 || ihl < IPV4_HLEN_MIN)
		goto hdr_error;
	if (!pskb_may_pull(skb, ihl))
		goto too_small;
	if (ip_fast_csum(h, ihl) != 0) {
		IP_INC_STATS(stack, CSUMERRORS);
		ip_rcv_drop(stack, skb, SKB_DROP_REASON_CSUM);
		return NULL;
	}
	len = get_be16(h + 2);
	if (skb->len < len) {
		IP_INC_STATS(stack, INTRUNCATEDPKTS);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return NULL;
	}
	if (len < ihl)
		goto hdr_error;
	/* link-layer padding (Ethernet minimum frame) is not ours */
	skb_trim(skb, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, (int)ihl);
	cb = IPPRIV(skb);
	memset(cb, 0, sizeof(*cb));
	cb->h.iif = skb->skb_iif ? skb->skb_iif : dev->ifindex;
	cb->h.saddr = get_be32(h + 12);
	cb->h.daddr = get_be32(h + 16);
	cb->h.ttl = h[8];
	cb->h.tos = h[1];
	cb->h.protocol = h[9];
	/* options (RFC 791 3.1) are carried, not acted on: no source routing */
	return skb;
too_small:
	ip_rcv_drop(stack, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	return NULL;
hdr_error:
	ip_rcv_drop(stack, skb, SKB_DROP_REASON_IP_INHDR);
	return NULL;
}

static int ip_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		  struct net_device *orig)
{
	struct ns_stack *stack = dev_net(dev);

	(void)pt;
	(void)orig;
	skb = ip_rcv_core(stack, skb, dev);
	if (!skb)
		return NET_RX_DROP;
	return NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, stack, skb, dev, NULL, ip_rcv_finish);
}

static inline bool prerouting_hooked(const struct ns_stack *stack)
{
	return stack->nf && stack->nf->hooks[NFPROTO_IPV4][NF_INET_PRE_ROUTING].num;
}

/* Up to IP_ROUTE_LIST_MAX validated datagrams: route them all (the FIB
 * lookups batched), then deliver or forward each (ip_list_rcv_finish). */
static void ip_list_rcv_finish(struct ns_stack *stack, struct sk_buff **skbs, unsigned int n)
{
	enum ip_input_verdict v[IP_ROUTE_LIST_MAX];

	ip_route_input_list(stack, skbs, n, v);
	for (unsigned int i = 0; i < n; i++)
		if (v[i] != IP_INPUT_DROPPED)
			ip_rcv_finish_verdict(stack, skbs[i], v[i]);
}

/* Linux's ip_list_rcv: validate the batch, then PRE_ROUTING per datagram
 * when a hook is registered there (it may rewrite the destination), else
 * route the batch in one pass. */
static void ip_list_rcv(struct sk_buff_head *list, struct packet_type *pt,
			struct net_device *orig)
{
	struct sk_buff *skbs[IP_ROUTE_LIST_MAX], *skb;
	struct ns_stack *stack = NULL;
	unsigned int n = 0;

	(void)pt;
	(void)orig;
	while ((skb = __skb_dequeue(list)) != NULL) {
		struct net_device *dev = skb->dev;

		stack = dev_net(dev);
		skb = ip_rcv_core(stack, skb, dev);
		if (!skb)
			continue;
		if (prerouting_hooked(stack)) {
			NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, stack, skb, dev, NULL,
				ip_rcv_finish);
			continue;
		}
		skbs[n++] = skb;
		if (n == IP_ROUTE_LIST_MAX) {
			ip_list_rcv_finish(stack, skbs, n);
			n = 0;
		}
	}
	if (n)
		ip_list_rcv_finish(stack, skbs, n);
}

static struct packet_type ip_packet_type_proto = {
	.type = ETH_P_IP,
	.func = ip_rcv,
	.list_func = ip_list_rcv,
	.gro_receive = inet_gro_receive,
};

int ip_input_init(struct ns_stack *stack)
{
	struct packet_type *pt = &stack->ipv4->ip_pt;

	*pt = ip_packet_type_proto;
	dev_add_pack(stack, pt);
	return 0;
}

void ip_input_exit(struct ns_stack *stack)
{
	dev_remove_pack(stack, &stack->ipv4->ip_pt);
}
