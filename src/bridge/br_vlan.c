/* br_vlan.c - VLAN filtering on the bridge (IEEE 802.1Q 6.9 and 8.8): per
 * port a member set, an untagged set and a PVID; untagged and
 * priority-tagged frames join the PVID's VLAN on ingress, frames of a VLAN
 * a port is not a member of are dropped at ingress and never sent out of
 * it, and the untagged set decides whether the tag leaves with the frame.
 * Off by default (vlan_filtering 0): then tags pass through unchanged.
 * Linux counterpart: net/bridge/br_vlan.c. */
#include <errno.h>
#include <string.h>

#include "bridge/br_private.h"
#include "8021q/if_vlan.h"

static void set_bit64(uint64_t *set, uint16_t vid, bool on)
{
	if (on)
		set[vid / 64] |= 1ULL << (vid % 64);
	else
		set[vid / 64] &= ~(1ULL << (vid % 64));
}

void br_vlan_group_init(struct net_bridge_vlan_group *vg, uint16_t pvid)
{
	memset(vg, 0, sizeof(*vg));
	if (pvid)
		br_vlan_add(vg, pvid, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED);
}

int br_vlan_add(struct net_bridge_vlan_group *vg, uint16_t vid, unsigned int flags)
{
	if (vid == 0 || vid >= VLAN_VID_RESERVED)
		return -EINVAL;
	if (!br_vlan_test(vg->member, vid))
		vg->num_vlans++;
	set_bit64(vg->member, vid, true);
	set_bit64(vg->untagged, vid, flags & BRIDGE_VLAN_INFO_UNTAGGED);
	if (flags & BRIDGE_VLAN_INFO_PVID)
		vg->pvid = vid;
	else if (vg->pvid == vid)
		vg->pvid = 0;	/* as Linux: re-adding without "pvid" clears it */
	return 0;
}

int br_vlan_del(struct net_bridge_vlan_group *vg, uint16_t vid)
{
	if (vid == 0 || vid >= VLAN_VID_RESERVED)
		return -EINVAL;
	if (!br_vlan_test(vg->member, vid))
		return -ENOENT;
	set_bit64(vg->member, vid, false);
	set_bit64(vg->untagged, vid, false);
	vg->num_vlans--;
	if (vg->pvid == vid)
		vg->pvid = 0;
	return 0;
}

bool br_allowed_ingress(struct net_bridge *br, const struct net_bridge_vlan_group *vg,
			struct sk_buff *skb, uint16_t *vid)
{
	uint16_t v;

	*vid = 0;
	if (!br->vlan_enabled)
		return true;
	if (skb->vlan_present && skb->vlan_proto != br->vlan_proto)
		goto drop;	/* an 802.1ad S-tag on a C-VLAN bridge */
	v = skb->vlan_present ? skb_vlan_tag_get_id(skb) : 0;
	if (v == 0) {
		/* 802.1Q 6.9: untagged and priority-tagged frames get the PVID */
		if (!vg->pvid)
			goto drop;
		v = vg->pvid;
		__vlan_hwaccel_put_tag(skb, br->vlan_proto,
				       (uint16_t)((skb->vlan_present ? skb->vlan_tci & ~VLAN_VID_MASK : 0) |
						  v));
	}
	if (!br_vlan_test(vg->member, v))
		goto drop;
	*vid = v;
	return true;
drop:
	br->stats.rx_vlan_filtered++;
	return false;
}

bool br_allowed_egress(const struct net_bridge *br, const struct net_bridge_vlan_group *vg,
		       const struct sk_buff *skb)
{
	if (!br->vlan_enabled)
		return true;
	return skb->vlan_present && br_vlan_test(vg->member, skb_vlan_tag_get_id(skb));
}

void br_handle_vlan(struct net_bridge *br, const struct net_bridge_vlan_group *vg,
		    struct sk_buff *skb)
{
	if (!br->vlan_enabled || !skb->vlan_present)
		return;
	if (br_vlan_test(vg->untagged, skb_vlan_tag_get_id(skb)))
		__vlan_hwaccel_clear_tag(skb);
}
