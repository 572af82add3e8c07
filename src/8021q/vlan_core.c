/* vlan_core.c - the tag moves the core needs on every device: untag on
 * receive, push the out-of-band tag on transmit, and the hand-off to VLAN
 * devices. Linux counterparts: skb_vlan_untag (net/core/skbuff.c),
 * __vlan_hwaccel_push_inside (include/linux/if_vlan.h), vlan_do_receive
 * (net/8021q/vlan_core.c). */
#include <string.h>

#include "8021q/if_vlan.h"
#include "8021q/vlan.h"
#include "wire/eth.h"

struct sk_buff *skb_vlan_untag(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct vlan_repr v;
	int rc;

	if (skb->vlan_present)
		return skb;	/* QinQ: the inner tag stays in band */
	/* IEEE 802.1Q 9.3: TCI + inner EtherType follow the TPID */
	rc = vlan_parse(skb->data, skb->len, &v);
	if (unlikely(rc != WIRE_OK)) {
		dev->stats.rx_errors++;
		if (rc == WIRE_ETRUNC)
			dev->stats.rx_length_errors++;
		else
			dev->stats.rx_frame_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_VLAN);
		return NULL;
	}
	if (skb_cloned(skb) && skb_cow_head(skb, 0)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	__vlan_hwaccel_put_tag(skb, skb->protocol, get_be16(skb->data));
	skb->protocol = v.proto < ETH_P_802_3_MIN ? ETH_P_802_2 : v.proto;
	/* slide the MAC addresses over the tag: header = dst src inner-type */
	memmove(skb_mac_header(skb) + VLAN_HLEN, skb_mac_header(skb), 2 * ETH_ALEN);
	skb->mac_header += VLAN_HLEN;
	skb_pull(skb, VLAN_HLEN);
	skb_reset_network_header(skb);
	return skb;
}

struct sk_buff *vlan_hwaccel_push_inside(struct sk_buff *skb)
{
	uint8_t *h;

	if (skb_cow_head(skb, VLAN_HLEN)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	h = skb_push(skb, VLAN_HLEN);
	memmove(h, h + VLAN_HLEN, 2 * ETH_ALEN);
	put_be16(h + 12, skb->vlan_proto ? skb->vlan_proto : ETH_P_8021Q);
	put_be16(h + 14, skb->vlan_tci);
	__vlan_hwaccel_clear_tag(skb);
	skb_reset_mac_header(skb);
	return skb;
}

bool vlan_do_receive(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct vlan_info *vi = skb->dev->vlan_info;
	struct net_device *vdev = vi->devs[skb_vlan_tag_get_id(skb)];
	struct vlan_dev_priv *vp;

	if (!vdev)
		return false;
	vp = netdev_priv(vdev);
	if (vp->vlan_proto != skb->vlan_proto)
		return false;
	if (unlikely(!(vdev->flags & IFF_UP))) {
		vdev->stats.rx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		*pskb = NULL;
		return false;
	}
	skb->dev = vdev;
	if (skb->pkt_type == PACKET_OTHERHOST &&
	    ether_addr_equal(skb_mac_header(skb), vdev->dev_addr))
		skb->pkt_type = PACKET_HOST;
	__vlan_hwaccel_clear_tag(skb);
	vdev->stats.rx_packets++;
	vdev->stats.rx_bytes += skb->len + ETH_HLEN;
	if (skb->pkt_type == PACKET_MULTICAST)
		vdev->stats.multicast++;
	return true;
}
