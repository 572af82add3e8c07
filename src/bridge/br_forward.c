/* br_forward.c - frames leaving through bridge ports: one port (known
 * destination) or every eligible port (flooding of broadcast, multicast and
 * unknown unicast, IEEE 802.1D 7.7), never back out of the ingress port
 * unless it is in hairpin mode, only through ports in forwarding state and
 * members of the frame's VLAN. Linux counterpart: net/bridge/br_forward.c. */
#include "bridge/br_private.h"

static bool should_deliver(const struct net_bridge_port *p, const struct sk_buff *skb,
			   const struct net_device *in)
{
	return (p->dev != in || (p->flags & BR_HAIRPIN_MODE)) && p->state == BR_STATE_FORWARDING &&
	       br_allowed_egress(p->br, &p->vlans, skb);
}

/* Out of port `to`: FORWARD (bridged frames only), MTU, egress tagging,
 * POSTROUTING, then the port's qdisc. Consumes skb. */
static void __br_forward(struct net_bridge_port *to, struct sk_buff *skb, struct net_device *in)
{
	struct net_bridge *br = to->br;
	struct ns_stack *stack = dev_net(br->dev);

	if (in && !ebt_hook(stack, NF_BR_FORWARD, skb, in, to->dev)) {
		br->stats.ebt_drop++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
		return;
	}
	if (in && !br_nf_forward_ipv4(stack, skb, in, to->dev))
		return;	/* dropped or stolen by an IPv4 hook */
	if (unlikely(skb->len > to->dev->mtu)) {
		/* is_skb_forwardable: no fragmentation at layer 2 */
		br->stats.rx_jumbo++;
		to->dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return;
	}
	br_handle_vlan(br, &to->vlans, skb);
	if (!ebt_hook(stack, NF_BR_POST_ROUTING, skb, in, to->dev)) {
		br->stats.ebt_drop++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
		return;
	}
	skb_push(skb, ETH_HLEN);	/* back to the MAC header (never fails: it is there) */
	skb->dev = to->dev;
	dev_queue_xmit(skb);
}

void br_deliver(struct net_bridge_port *to, struct sk_buff *skb)
{
	if (!should_deliver(to, skb, NULL)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_BRIDGE);
		return;
	}
	__br_forward(to, skb, NULL);
}

void br_forward(struct net_bridge_port *to, struct sk_buff *skb, struct net_device *in,
		bool local_rcv)
{
	struct sk_buff *c;

	if (!should_deliver(to, skb, in)) {
		if (local_rcv)
			br_pass_frame_up(to->br, skb, in);
		else
			kfree_skb_reason(skb, SKB_DROP_REASON_BRIDGE);
		return;
	}
	if (!local_rcv) {
		__br_forward(to, skb, in);
		return;
	}
	c = skb_clone(skb);
	if (c)
		__br_forward(to, c, in);
	br_pass_frame_up(to->br, skb, in);
}

void br_flood(struct net_bridge *br, struct sk_buff *skb, struct net_device *in, bool local_rcv)
{
	struct net_bridge_port *p, *prev = NULL;
	struct sk_buff *c;

	list_for_each_entry(p, &br->port_list, list) {
		if (!(p->flags & BR_FLOOD) || !should_deliver(p, skb, in))
			continue;
		if (prev) {
			c = skb_clone(skb);
			if (c)
				__br_forward(prev, c, in);
		}
		prev = p;
	}
	if (local_rcv) {
		if (prev) {
			c = skb_clone(skb);
			if (c)
				__br_forward(prev, c, in);
		}
		br_pass_frame_up(br, skb, in);
	} else if (prev) {
		__br_forward(prev, skb, in);
	} else {
		consume_skb(skb);	/* nowhere to go: not an error */
	}
}
