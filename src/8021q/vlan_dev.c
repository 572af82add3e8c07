/* vlan_dev.c - 802.1Q VLAN devices (eth0.10): an Ethernet device whose
 * frames leave tagged with its VID through the real device and which
 * receives the frames of that VID (see if_vlan.h). Linux counterparts:
 * net/8021q/vlan.c (register_vlan_dev, the notifier), vlan_dev.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "8021q/vlan.h"
#include "core/proc.h"
#include "ethernet/eth.h"

static netdev_tx_t vlan_dev_hard_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vlan_dev_priv *vp = netdev_priv(dev);
	unsigned int len = skb->len;

	if (unlikely(!vp->real_dev)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return NETDEV_TX_OK;
	}
	/* IEEE 802.1Q 9.3: the tag goes after the source MAC; it is written
	 * by dev_queue_xmit from the out-of-band copy */
	__vlan_hwaccel_put_tag(skb, vp->vlan_proto, vp->vlan_id);
	skb->dev = vp->real_dev;
	if (dev_queue_xmit(skb) == NET_XMIT_SUCCESS) {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += len;
	} else {
		dev->stats.tx_dropped++;
	}
	return NETDEV_TX_OK;
}

static int vlan_dev_open(struct net_device *dev)
{
	struct vlan_dev_priv *vp = netdev_priv(dev);

	if (!vp->real_dev || !(vp->real_dev->flags & IFF_UP))
		return -ENETDOWN;
	return 0;
}

static int vlan_dev_change_mtu(struct net_device *dev, unsigned int mtu)
{
	struct vlan_dev_priv *vp = netdev_priv(dev);

	return vp->real_dev && mtu > vp->real_dev->mtu ? -ERANGE : 0;
}

static void vlan_dev_uninit(struct net_device *dev)
{
	struct vlan_dev_priv *vp = netdev_priv(dev);
	struct vlan_info *vi;

	list_del(&vp->list);
	if (!vp->real_dev)
		return;
	vi = vp->real_dev->vlan_info;
	vi->devs[vp->vlan_id] = NULL;
	if (--vi->count == 0) {
		vp->real_dev->vlan_info = NULL;
		free(vi);
	}
	vp->real_dev = NULL;
}

const struct net_device_ops vlan_netdev_ops = {
	.ndo_open = vlan_dev_open,
	.ndo_start_xmit = vlan_dev_hard_start_xmit,
	.ndo_change_mtu = vlan_dev_change_mtu,
	.ndo_uninit = vlan_dev_uninit,
};

static void vlan_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &vlan_netdev_ops;
	dev->tx_queue_len = 0;
}

static int vlan_check(struct net_device *real_dev, uint16_t vid, const char *name)
{
	struct vlan_info *vi = real_dev->vlan_info;

	if (vid == 0 || vid >= VLAN_VID_RESERVED || real_dev->type != ARPHRD_ETHER)
		return -EINVAL;
	if (!name || !*name || strchr(name, '%'))
		return -EINVAL;
	if (vi && vi->devs[vid])
		return -EEXIST;
	return dev_get_by_name(dev_net(real_dev), name) ? -EEXIST : 0;
}

/* register_vlan_dev */
struct net_device *vlan_dev_create(struct net_device *real_dev, uint16_t vid, const char *name,
				   int *err)
{
	struct ns_stack *stack = dev_net(real_dev);
	struct vlan_info *vi = real_dev->vlan_info;
	struct net_device *dev;
	struct vlan_dev_priv *vp;
	int rc = vlan_check(real_dev, vid, name);

	if (rc)
		goto fail;
	rc = -ENOMEM;
	if (!vi) {
		vi = calloc(1, sizeof(*vi));
		if (!vi)
			goto fail;
		vi->real_dev = real_dev;
	}
	dev = alloc_netdev(stack, sizeof(*vp), name, vlan_setup);
	if (!dev)
		goto fail_vi;
	vp = netdev_priv(dev);
	vp->dev = dev;
	vp->real_dev = real_dev;
	vp->vlan_id = vid;
	vp->vlan_proto = ETH_P_8021Q;
	memcpy(dev->dev_addr, real_dev->dev_addr, ETH_ALEN);
	dev->mtu = real_dev->mtu;
	dev->max_mtu = real_dev->mtu;
	dev->needed_headroom = (uint16_t)(real_dev->needed_headroom + VLAN_HLEN);
	dev->hard_header_len = (uint16_t)(real_dev->hard_header_len + VLAN_HLEN);
	if (netif_carrier_ok(real_dev))
		dev->state &= ~(1UL << __LINK_STATE_NOCARRIER);
	rc = register_netdev(dev);
	if (rc) {
		free_netdev(dev);
		goto fail_vi;
	}
	list_add_tail(&vp->list, &stack->vlan->devs);
	vi->devs[vid] = dev;
	vi->count++;
	real_dev->vlan_info = vi;
	return dev;
fail_vi:
	if (!real_dev->vlan_info)
		free(vi);
fail:
	*err = rc;
	return NULL;
}

/* The real device changed: carrier follows it; when it goes away its VLAN
 * devices are cut loose (they stay, down and without carrier, until
 * deleted: removing them here would pull devices out from under a caller
 * walking the device list). */
static int vlan_device_event(struct notifier_block *nb, unsigned long event,
			     struct net_device *dev)
{
	struct vlan_info *vi = dev->vlan_info;

	(void)nb;
	if (!vi || is_vlan_dev(dev))
		return 0;
	for (unsigned int vid = 1; vid < VLAN_VID_RESERVED; vid++) {
		struct net_device *vdev = vi->devs[vid];

		if (!vdev)
			continue;
		if (event == NETDEV_CHANGE || event == NETDEV_UP) {
			if (netif_carrier_ok(dev))
				netif_carrier_on(vdev);
			else
				netif_carrier_off(vdev);
		} else if (event == NETDEV_DOWN) {
			dev_close(vdev);
		} else if (event == NETDEV_UNREGISTER) {
			dev_close(vdev);
			netif_carrier_off(vdev);
			((struct vlan_dev_priv *)netdev_priv(vdev))->real_dev = NULL;
		}
	}
	if (event == NETDEV_UNREGISTER) {
		dev->vlan_info = NULL;
		free(vi);
	}
	return 0;
}

int vlan_net_init(struct ns_stack *stack)
{
	struct netns_vlan *vn = calloc(1, sizeof(*vn));

	if (!vn)
		return -ENOMEM;
	INIT_LIST_HEAD(&vn->devs);
	vn->nb.notifier_call = vlan_device_event;
	register_netdevice_notifier(stack, &vn->nb);
	stack->vlan = vn;
	return 0;
}

void vlan_net_exit(struct ns_stack *stack)
{
	struct netns_vlan *vn = stack->vlan;

	while (!list_empty(&vn->devs)) {
		struct vlan_dev_priv *vp = list_first_entry(&vn->devs, struct vlan_dev_priv, list);

		unregister_netdev(vp->dev);
	}
	unregister_netdevice_notifier(stack, &vn->nb);
	free(vn);
	stack->vlan = NULL;
}
