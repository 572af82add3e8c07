/* if_vlan.h - 802.1Q VLAN tags carried out of band (Linux's hwaccel tag in
 * skb->vlan_present/vlan_proto/vlan_tci) and VLAN devices (eth0.10) on top
 * of any Ethernet device. Linux counterparts: include/linux/if_vlan.h,
 * net/8021q/vlan_core.c, vlan_dev.c.
 *
 * Receive: the core untags every 802.1Q/802.1ad frame (skb_vlan_untag,
 * called from __netif_receive_skb_core), then hands it to the VLAN device
 * of that VID on the receiving device when one exists (vlan_do_receive).
 * Transmit: a VLAN device sets the out-of-band tag and queues the frame on
 * the real device; dev_queue_xmit writes the tag into the frame
 * (vlan_hwaccel_push_inside) before the qdisc. */
#ifndef NSTACK_8021Q_IF_VLAN_H
#define NSTACK_8021Q_IF_VLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/netdevice.h"
#include "wire/vlan.h"

static inline bool eth_type_vlan(uint16_t proto)
{
	return proto == 0x8100 || proto == 0x88A8;
}

static inline void __vlan_hwaccel_put_tag(struct sk_buff *skb, uint16_t proto, uint16_t tci)
{
	skb->vlan_present = 1;
	skb->vlan_proto = proto;
	skb->vlan_tci = tci;
}
static inline void __vlan_hwaccel_clear_tag(struct sk_buff *skb)
{
	skb->vlan_present = 0;
	skb->vlan_tci = 0;
}
static inline uint16_t skb_vlan_tag_get_id(const struct sk_buff *skb)
{
	return skb->vlan_tci & VLAN_VID_MASK;
}

/* Move the in-band tag of a received frame (data at the network header,
 * protocol 802.1Q/802.1ad) out of band: the 12 MAC bytes slide over the
 * tag. A frame already carrying an out-of-band tag keeps its inner tag in
 * band (QinQ). Returns the skb, or NULL when it was dropped (tag cut
 * short: counted as a length error on skb->dev). */
struct sk_buff *skb_vlan_untag(struct sk_buff *skb);
/* Write the out-of-band tag into the frame (data at the MAC header).
 * Returns the skb, or NULL when it was dropped (no memory). */
struct sk_buff *vlan_hwaccel_push_inside(struct sk_buff *skb);
/* Core hook: hand a tagged skb to the VLAN device of its VID on skb->dev.
 * True: skb->dev is now the VLAN device (run the receive path again).
 * False with *pskb NULL: dropped (VLAN device down). False otherwise: no
 * VLAN device for this VID. */
bool vlan_do_receive(struct sk_buff **pskb);

/* VLAN devices */
struct vlan_dev_priv {
	struct net_device *dev;
	struct net_device *real_dev;	/* NULL once the real device is gone */
	uint16_t vlan_id;
	uint16_t vlan_proto;
	struct list_head list;		/* netns_vlan.devs */
};
/* Create and register NAME (e.g. "eth0.10") on real_dev for VID 1..4094.
 * The device is down, with real_dev's MAC and MTU. NULL with *err set:
 * -EINVAL (VID, name, real device not Ethernet), -EEXIST (VID taken on
 * real_dev, or name), -ENOMEM. */
struct net_device *vlan_dev_create(struct net_device *real_dev, uint16_t vid, const char *name,
				   int *err);
extern const struct net_device_ops vlan_netdev_ops;
static inline bool is_vlan_dev(const struct net_device *dev)
{
	return dev->netdev_ops == &vlan_netdev_ops;
}

int vlan_net_init(struct ns_stack *stack);
void vlan_net_exit(struct ns_stack *stack);

#endif
