/* br_if.c - attaching devices to a bridge as ports and detaching them.
 * A port receives through the bridge's rx_handler and is promiscuous.
 * Linux counterpart: net/bridge/br_if.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/br_private.h"
#include "8021q/if_vlan.h"

/* The bridge has carrier while one of its ports forwards (br_port_carrier_check). */
static void br_update_carrier(struct net_bridge *br)
{
	struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list) {
		if (p->state == BR_STATE_FORWARDING) {
			netif_carrier_on(br->dev);
			return;
		}
	}
	netif_carrier_off(br->dev);
}

void br_set_state(struct net_bridge_port *p, uint8_t state)
{
	if (p->state == state)
		return;
	p->state = state;
	br_update_carrier(p->br);
}

static int find_portno(const struct net_bridge *br)
{
	static const unsigned int words = BR_MAX_PORTS / 64;
	uint64_t used[BR_MAX_PORTS / 64] = { 1 };	/* port 0 is never used */
	const struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list)
		used[p->port_no / 64] |= 1ULL << (p->port_no % 64);
	for (unsigned int i = 0; i < words; i++)
		if (~used[i])
			return (int)(i * 64 + (unsigned int)__builtin_ctzll(~used[i]));
	return -EXFULL;
}

static int br_check_port(const struct net_bridge *br, const struct net_device *dev)
{
	if (dev == br->dev || br_from_dev(dev))
		return -ELOOP;	/* no bridge in a bridge */
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN)
		return -EINVAL;
	if (dev->master || dev->rx_handler)
		return -EBUSY;
	return 0;
}

int br_add_if(struct net_bridge *br, struct net_device *dev)
{
	struct net_bridge_port *p;
	int portno, rc = br_check_port(br, dev);

	if (rc)
		return rc;
	portno = find_portno(br);
	if (portno < 0)
		return portno;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->br = br;
	p->dev = dev;
	p->port_no = (uint16_t)portno;
	p->flags = BR_LEARNING | BR_FLOOD;
	p->state = BR_STATE_DISABLED;
	br_vlan_group_init(&p->vlans, br->default_pvid);
	rc = netdev_rx_handler_register(dev, br_handle_frame, p);
	if (rc) {
		free(p);
		return rc;
	}
	dev->master = br->dev;
	dev->flags |= IFF_SLAVE;
	dev_set_promiscuity(dev, 1);
	list_add_tail(&p->list, &br->port_list);
	br->port_count++;
	br_fdb_insert_local(br, p, dev->dev_addr);
	br_recompute_addr(br);
	br_stp_init_port(p);
	br_stp_recalculate_bridge_id(br);
	br_stp_port_changed(p);
	return 0;
}

int br_del_if(struct net_bridge *br, struct net_device *dev)
{
	struct net_bridge_port *p = br_port_get(dev);

	if (!p || p->br != br)
		return -EINVAL;
	br_stp_disable_port(p);
	br_stp_fini_port(p);
	br_fdb_delete_by_port(br, p, true);
	list_del(&p->list);
	br->port_count--;
	netdev_rx_handler_unregister(dev);
	dev->master = NULL;
	dev->flags &= ~(unsigned int)IFF_SLAVE;
	dev_set_promiscuity(dev, -1);
	free(p);
	br_update_carrier(br);
	br_recompute_addr(br);
	br_stp_recalculate_bridge_id(br);
	return 0;
}
