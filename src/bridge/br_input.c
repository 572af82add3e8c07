/* br_input.c - a frame arrives on a bridge port: sanity checks, spanning
 * tree BPDUs, the BROUTING and PREROUTING chains, port state, VLAN ingress,
 * learning, then forward / flood / deliver up through the bridge device.
 * Linux counterpart: net/bridge/br_input.c (br_handle_frame,
 * br_handle_frame_finish, br_pass_frame_up). */
#include "bridge/br_private.h"
#include "8021q/if_vlan.h"

/* IEEE 802.1D 7.12.6: 01-80-C2-00-00-00..0F are never forwarded, except
 * the Bridge Group Address when this bridge runs no spanning tree. */
static bool is_link_local_ether_addr(const uint8_t *a)
{
	static const uint8_t base[5] = { 0x01, 0x80, 0xc2, 0x00, 0x00 };

	return memcmp(a, base, 5) == 0 && (a[5] & 0xf0) == 0;
}

static void br_drop(struct sk_buff *skb, enum skb_drop_reason why)
{
	kfree_skb_reason(skb, why);
}

void br_pass_frame_up(struct net_bridge *br, struct sk_buff *skb, struct net_device *in)
{
	struct net_device *brdev = br->dev;
	const uint8_t *dest = eth_hdr(skb);

	if (!(brdev->flags & IFF_UP)) {
		brdev->stats.rx_dropped++;
		br_drop(skb, SKB_DROP_REASON_DEV_DOWN);
		return;
	}
	if (!ebt_hook(dev_net(brdev), NF_BR_LOCAL_IN, skb, in, brdev)) {
		br->stats.ebt_drop++;
		br_drop(skb, SKB_DROP_REASON_NETFILTER_DROP);
		return;
	}
	if (!br_allowed_egress(br, &br->vlans, skb)) {
		brdev->stats.rx_dropped++;
		br_drop(skb, SKB_DROP_REASON_VLAN);
		return;
	}
	br_handle_vlan(br, &br->vlans, skb);
	brdev->stats.rx_packets++;
	brdev->stats.rx_bytes += skb->len + ETH_HLEN;
	if (is_multicast_ether_addr(dest))
		brdev->stats.multicast += !is_broadcast_ether_addr(dest);
	else
		skb->pkt_type = ether_addr_equal(dest, brdev->dev_addr) ? PACKET_HOST
									: PACKET_OTHERHOST;
	skb->dev = brdev;
	netif_receive_skb(skb);
}

static struct net_bridge_fdb_entry *br_fdb_lookup_dst(struct net_bridge *br, const uint8_t *dest,
						      uint16_t vid)
{
	struct net_bridge_fdb_entry *f = br_fdb_find(br, dest, vid);

	if (!f && vid) {
		/* local addresses are held once, in VID 0, for every VLAN */
		f = br_fdb_find(br, dest, 0);
		if (f && !(f->flags & BR_FDB_LOCAL))
			f = NULL;
	}
	return f;
}

/* br_handle_frame_finish: after PREROUTING, in learning/forwarding state. */
static void br_handle_frame_finish(struct net_bridge_port *p, struct sk_buff *skb)
{
	struct net_bridge *br = p->br;
	const uint8_t *dest = eth_hdr(skb);
	struct net_bridge_fdb_entry *dst;
	bool local_rcv = br->dev->flags & IFF_PROMISC;
	uint16_t vid;

	if (!br_allowed_ingress(br, &p->vlans, skb, &vid)) {
		br_drop(skb, SKB_DROP_REASON_VLAN);
		return;
	}
	if (p->flags & BR_LEARNING)
		br_fdb_update(br, p, dest + ETH_ALEN, vid);
	if (p->state == BR_STATE_LEARNING) {
		br_drop(skb, SKB_DROP_REASON_BRIDGE);	/* 802.1D 7.4: learn, do not relay */
		return;
	}
	if (is_multicast_ether_addr(dest)) {
		br_flood(br, skb, p->dev, true);
		return;
	}
	dst = br_fdb_lookup_dst(br, dest, vid);
	if (dst && (dst->flags & BR_FDB_LOCAL)) {
		br_pass_frame_up(br, skb, p->dev);
		return;
	}
	if (dst && dst->dst) {
		dst->used = skb->tstamp;
		br_forward(dst->dst, skb, p->dev, local_rcv);
		return;
	}
	br_flood(br, skb, p->dev, local_rcv);	/* unknown unicast */
}

/* Bad input every port refuses: counted in the bridge's stats. */
static bool br_frame_ok(struct net_bridge_port *p, struct sk_buff *skb)
{
	struct net_bridge *br = p->br;
	const uint8_t *h = eth_hdr(skb);

	if (unlikely(skb->data - h != ETH_HLEN)) {
		br->stats.rx_runt++;
		br_drop(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return false;
	}
	if (unlikely(!is_valid_ether_addr(h + ETH_ALEN))) {
		/* 802.1D 7.8 / 802.3 3.2.3: a source is never group or zero */
		br->stats.rx_bad_src++;
		br_drop(skb, SKB_DROP_REASON_BRIDGE);
		return false;
	}
	if (unlikely(skb->vlan_present && eth_type_vlan(skb->protocol))) {
		br->stats.rx_vlan_nested++;
		br_drop(skb, SKB_DROP_REASON_VLAN);
		return false;
	}
	if (unlikely(skb->len > p->dev->mtu)) {
		br->stats.rx_jumbo++;
		br_drop(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return false;
	}
	return true;
}

rx_handler_result_t br_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct net_bridge_port *p = skb->dev->rx_handler_data;
	struct net_bridge *br = p->br;
	const uint8_t *dest;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	if (!br_frame_ok(p, skb))
		return RX_HANDLER_CONSUMED;
	dest = eth_hdr(skb);
	if (unlikely(is_link_local_ether_addr(dest))) {
		if (dest[5] != 0)
			return RX_HANDLER_PASS;	/* LLDP, 802.1X...: for the port's host */
		if (br->stp_enabled) {
			br_stp_rcv(p, skb);
			return RX_HANDLER_CONSUMED;
		}
		/* no STP here: forward BPDUs so other bridges see the loop */
	}
	if (!ebt_hook(dev_net(br->dev), NF_BR_BROUTING, skb, p->dev, NULL))
		return RX_HANDLER_PASS;	/* brouted: the port's own stack takes it */
	if (p->state != BR_STATE_FORWARDING && p->state != BR_STATE_LEARNING) {
		br->stats.rx_state_drop++;
		br_drop(skb, SKB_DROP_REASON_BRIDGE);
		return RX_HANDLER_CONSUMED;
	}
	if (ether_addr_equal(dest, br->dev->dev_addr))
		skb->pkt_type = PACKET_HOST;
	if (!ebt_hook(dev_net(br->dev), NF_BR_PRE_ROUTING, skb, p->dev, NULL)) {
		br->stats.ebt_drop++;
		br_drop(skb, SKB_DROP_REASON_NETFILTER_DROP);
		return RX_HANDLER_CONSUMED;
	}
	br_handle_frame_finish(p, skb);
	return RX_HANDLER_CONSUMED;
}
