/* br_device.c - the bridge as a net_device: it transmits by forwarding
 * into its ports (br_dev_xmit), carries addresses like any Ethernet
 * device, and owns the per-stack bridge state (the list of bridges, the
 * notifier that releases ports going away, /proc/net/bridge). Linux
 * counterparts: net/bridge/br_device.c, br_if.c (br_add_bridge), br.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/br_private.h"
#include "core/proc.h"
#include "ethernet/eth.h"

const char *const br_port_state_names[] = {
	[BR_STATE_DISABLED] = "disabled",     [BR_STATE_LISTENING] = "listening",
	[BR_STATE_LEARNING] = "learning",     [BR_STATE_FORWARDING] = "forwarding",
	[BR_STATE_BLOCKING] = "blocking",
};

/* Frames the host sends through the bridge device. Consumes skb. */
static netdev_tx_t br_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct net_bridge *br = netdev_priv(dev);
	struct net_bridge_fdb_entry *f;
	const uint8_t *dest;
	uint16_t vid = 0;

	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	if (unlikely(skb->len < ETH_HLEN)) {
		br->stats.rx_runt++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return NETDEV_TX_OK;
	}
	skb_reset_mac_header(skb);
	skb_pull(skb, ETH_HLEN);
	if (!ebt_hook(dev_net(dev), NF_BR_LOCAL_OUT, skb, NULL, dev)) {
		br->stats.ebt_drop++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
		return NETDEV_TX_OK;
	}
	if (!br_allowed_ingress(br, &br->vlans, skb, &vid)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_VLAN);
		return NETDEV_TX_OK;
	}
	dest = eth_hdr(skb);
	if (is_multicast_ether_addr(dest)) {
		br_flood(br, skb, NULL, false);
	} else if ((f = br_fdb_find(br, dest, vid)) != NULL && f->dst) {
		br_deliver(f->dst, skb);
	} else {
		br_flood(br, skb, NULL, false);
	}
	return NETDEV_TX_OK;
}

static int br_dev_set_mac_address(struct net_device *dev, const uint8_t *addr)
{
	struct net_bridge *br = netdev_priv(dev);

	br_fdb_delete(br, NULL, dev->dev_addr, 0);
	memcpy(dev->dev_addr, addr, ETH_ALEN);
	br->addr_set = true;
	br_fdb_insert_local(br, NULL, addr);
	br_stp_recalculate_bridge_id(br);
	return 0;
}

static int br_dev_stop(struct net_device *dev)
{
	struct net_bridge *br = netdev_priv(dev);
	struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list)
		br_stp_disable_port(p);
	return 0;
}

static int br_change_mtu(struct net_device *dev, unsigned int mtu)
{
	(void)dev;
	(void)mtu;
	return 0;
}

static void br_dev_uninit(struct net_device *dev)
{
	struct net_bridge *br = netdev_priv(dev);

	while (!list_empty(&br->port_list))
		br_del_if(br, list_first_entry(&br->port_list, struct net_bridge_port, list)->dev);
	br_stp_fini_bridge(br);
	br_fdb_fini(br);
	proc_remove_prefix(dev_net(dev), br->proc_path);
	list_del(&br->br_list);
}

const struct net_device_ops br_netdev_ops = {
	.ndo_stop = br_dev_stop,
	.ndo_start_xmit = br_dev_xmit,
	.ndo_change_mtu = br_change_mtu,
	.ndo_set_mac_address = br_dev_set_mac_address,
	.ndo_uninit = br_dev_uninit,
};

struct net_bridge *br_from_dev(const struct net_device *dev)
{
	return dev && dev->netdev_ops == &br_netdev_ops ? netdev_priv(dev) : NULL;
}

static void br_dev_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &br_netdev_ops;
	dev->tx_queue_len = 0;
	dev->flags |= IFF_MASTER;
}

/* The bridge's MAC: the lowest port MAC (Linux's br_stp_recalculate_bridge_id)
 * unless one was set by hand; random while it has no ports. */
void br_recompute_addr(struct net_bridge *br)
{
	const uint8_t *lowest = NULL;
	struct net_bridge_port *p;

	if (br->addr_set)
		return;
	list_for_each_entry(p, &br->port_list, list)
		if (!lowest || memcmp(p->dev->dev_addr, lowest, ETH_ALEN) < 0)
			lowest = p->dev->dev_addr;
	if (!lowest || ether_addr_equal(lowest, br->dev->dev_addr))
		return;
	br_fdb_delete(br, NULL, br->dev->dev_addr, 0);
	memcpy(br->dev->dev_addr, lowest, ETH_ALEN);
	br_fdb_insert_local(br, NULL, lowest);
	call_netdevice_notifiers(NETDEV_CHANGEADDR, br->dev);
}

static int br_stats_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct net_bridge *br = data;
	const struct br_stats *st = &br->stats;

	(void)stack;
	seq_printf(s, "fdb_entries %u\nfdb_max_entries %u\nfdb_full %llu\n", br->fdb_n_entries,
		   br->fdb_max_entries, (unsigned long long)st->fdb_full);
	seq_printf(s, "rx_runt %llu\nrx_jumbo %llu\nrx_bad_src %llu\nrx_vlan_nested %llu\n",
		   (unsigned long long)st->rx_runt, (unsigned long long)st->rx_jumbo,
		   (unsigned long long)st->rx_bad_src, (unsigned long long)st->rx_vlan_nested);
	seq_printf(s, "rx_vlan_filtered %llu\nrx_state_drop %llu\nebt_drop %llu\n",
		   (unsigned long long)st->rx_vlan_filtered, (unsigned long long)st->rx_state_drop,
		   (unsigned long long)st->ebt_drop);
	seq_printf(s, "stp_bpdu_rx %llu\nstp_bpdu_tx %llu\nstp_bad_bpdu %llu\n",
		   (unsigned long long)st->stp_bpdu_rx, (unsigned long long)st->stp_bpdu_tx,
		   (unsigned long long)st->stp_bad_bpdu);
	return 0;
}

static int br_proc_init(struct net_bridge *br)
{
	char path[96];
	int rc;

	snprintf(br->proc_path, sizeof(br->proc_path), "/proc/net/bridge/%s/", br->dev->name);
	snprintf(path, sizeof(path), "%sstats", br->proc_path);
	rc = proc_create(dev_net(br->dev), path, br_stats_show, NULL, br);
	snprintf(path, sizeof(path), "%sfdb_max_entries", br->proc_path);
	rc |= proc_create_int(dev_net(br->dev), path, (int *)&br->fdb_max_entries, 0, 1 << 24);
	return rc ? -ENOMEM : 0;
}

struct net_bridge *br_add_bridge(struct ns_stack *stack, const char *name, int *err)
{
	struct net_device *dev;
	struct net_bridge *br;
	int rc;

	dev = alloc_netdev(stack, sizeof(*br), name, br_dev_setup);
	if (!dev) {
		*err = -ENOMEM;
		return NULL;
	}
	br = netdev_priv(dev);
	br->dev = dev;
	INIT_LIST_HEAD(&br->port_list);
	INIT_LIST_HEAD(&br->br_list);
	eth_random_addr(stack, dev->dev_addr);
	br->ageing_time = BR_AGEING_DEFAULT_NS;
	br->fdb_max_entries = BR_FDB_MAX_DEFAULT;
	br->vlan_proto = ETH_P_8021Q;
	br->default_pvid = 1;
	br_vlan_group_init(&br->vlans, br->default_pvid);
	rc = br_fdb_init(br);
	if (rc)
		goto fail;
	br_stp_init_bridge(br);
	rc = register_netdev(dev);
	if (rc) {
		br_stp_fini_bridge(br);
		br_fdb_fini(br);
		goto fail;
	}
	list_add_tail(&br->br_list, &stack->br->bridges);
	br_fdb_insert_local(br, NULL, dev->dev_addr);
	if (br_proc_init(br))
		ns_log(stack, "bridge %s: /proc entries missing", dev->name);
	return br;
fail:
	free_netdev(dev);
	*err = rc;
	return NULL;
}

void br_del_bridge(struct net_bridge *br)
{
	unregister_netdev(br->dev);
}

/* A port device changed or is going away (br_device_event in br.c). */
static int br_device_event(struct notifier_block *nb, unsigned long event, struct net_device *dev)
{
	struct net_bridge_port *p = br_port_get(dev);
	struct net_bridge *br = br_from_dev(dev);

	(void)nb;
	if (br && event == NETDEV_UP)
		br_stp_set_enabled(br, br->stp_enabled);	/* ports start over */
	if (!p)
		return 0;
	switch (event) {
	case NETDEV_UNREGISTER:
		br_del_if(p->br, dev);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		br_stp_port_changed(p);
		break;
	case NETDEV_CHANGEADDR:
		br_fdb_delete_by_port(p->br, p, true);
		br_fdb_insert_local(p->br, p, dev->dev_addr);
		br_recompute_addr(p->br);
		br_stp_recalculate_bridge_id(p->br);
		break;
	default:
		break;
	}
	return 0;
}

static int nf_call_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	seq_printf(s, "%d\n", stack->br->call_iptables);
	return 0;
}

/* net.bridge.bridge-nf-call-iptables: bridged IPv4 to the L3 netfilter
 * hooks (br_netfilter.c). 0 by default here, as without Linux's
 * br_netfilter module loaded. */
static int nf_call_write(struct ns_stack *stack, const char *value, void *data)
{
	(void)data;
	if (!strcmp(value, "0") || !strcmp(value, "0\n"))
		stack->br->call_iptables = 0;
	else if (!strcmp(value, "1") || !strcmp(value, "1\n"))
		stack->br->call_iptables = 1;
	else
		return -EINVAL;
	return 0;
}

int br_net_init(struct ns_stack *stack)
{
	struct netns_br *bn = calloc(1, sizeof(*bn));
	int rc;

	if (!bn)
		return -ENOMEM;
	INIT_LIST_HEAD(&bn->bridges);
	bn->nb.notifier_call = br_device_event;
	stack->br = bn;
	rc = ebt_net_init(stack);
	if (rc) {
		free(bn);
		stack->br = NULL;
		return rc;
	}
	register_netdevice_notifier(stack, &bn->nb);
	if (proc_create(stack, "/proc/sys/net/bridge/bridge-nf-call-iptables", nf_call_show,
			nf_call_write, NULL))
		ns_log(stack, "bridge: sysctl bridge-nf-call-iptables missing");
	return 0;
}

void br_net_exit(struct ns_stack *stack)
{
	struct netns_br *bn = stack->br;

	while (!list_empty(&bn->bridges))
		br_del_bridge(list_first_entry(&bn->bridges, struct net_bridge, br_list));
	unregister_netdevice_notifier(stack, &bn->nb);
	proc_remove(stack, "/proc/sys/net/bridge/bridge-nf-call-iptables");
	ebt_net_exit(stack);
	free(bn);
	stack->br = NULL;
}
