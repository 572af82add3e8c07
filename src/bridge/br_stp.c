/* br_stp.c - IEEE 802.1D-1998 spanning tree (clause 8): root election,
 * root and designated port selection, port states through listening and
 * learning to forwarding, topology change notification, and the timers
 * (hello 2 s, max age 20 s, forward delay 15 s, hold 1 s). Off by default
 * (stp_state 0): then every enabled port forwards at once. BPDU encoding
 * is in br_stp_bpdu.c. Linux counterparts: net/bridge/br_stp.c,
 * br_stp_if.c, br_stp_timer.c. */
#include <string.h>

#include "bridge/br_private.h"
#include "bridge/br_stp.h"

static uint64_t now_ns(const struct net_bridge *br)
{
	return ns_now(dev_net(br->dev));
}

static struct net_bridge_port *br_get_port(struct net_bridge *br, uint16_t port_no)
{
	struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list)
		if (p->port_no == port_no)
			return p;
	return NULL;
}

bool br_is_root_bridge(const struct net_bridge *br)
{
	return !memcmp(&br->bridge_id, &br->designated_root, sizeof(bridge_id));
}

static bool br_is_designated_port(const struct net_bridge_port *p)
{
	return !memcmp(&p->designated_bridge, &p->br->bridge_id, sizeof(bridge_id)) &&
	       p->designated_port == p->port_id;
}

const char *br_port_role(const struct net_bridge_port *p)
{
	if (p->state == BR_STATE_DISABLED)
		return "disabled";
	if (p->port_no == p->br->root_port)
		return "root";
	return br_is_designated_port(p) ? "designated" : "alternate";
}

static int id_cmp(const bridge_id *a, const bridge_id *b)
{
	return memcmp(a, b, sizeof(*a));
}

/* 8.6.8.3 (root selection): is p a better root port than root_port? */
static bool br_should_become_root_port(const struct net_bridge_port *p, uint16_t root_port)
{
	struct net_bridge *br = p->br;
	struct net_bridge_port *rp;
	int t;

	if (p->state == BR_STATE_DISABLED || br_is_designated_port(p))
		return false;
	if (id_cmp(&br->bridge_id, &p->designated_root) <= 0)
		return false;
	if (!root_port)
		return true;
	rp = br_get_port(br, root_port);
	t = id_cmp(&p->designated_root, &rp->designated_root);
	if (t)
		return t < 0;
	if (p->designated_cost + p->path_cost != rp->designated_cost + rp->path_cost)
		return p->designated_cost + p->path_cost < rp->designated_cost + rp->path_cost;
	t = id_cmp(&p->designated_bridge, &rp->designated_bridge);
	if (t)
		return t < 0;
	if (p->designated_port != rp->designated_port)
		return p->designated_port < rp->designated_port;
	return p->port_id < rp->port_id;
}

static void br_root_selection(struct net_bridge *br)
{
	struct net_bridge_port *p, *rp;
	uint16_t root_port = 0;

	list_for_each_entry(p, &br->port_list, list)
		if (br_should_become_root_port(p, root_port))
			root_port = p->port_no;
	br->root_port = root_port;
	if (!root_port) {
		br->designated_root = br->bridge_id;
		br->root_path_cost = 0;
		return;
	}
	rp = br_get_port(br, root_port);
	br->designated_root = rp->designated_root;
	br->root_path_cost = rp->designated_cost + rp->path_cost;
}

/* 8.6.10 */
static void br_become_designated_port(struct net_bridge_port *p)
{
	struct net_bridge *br = p->br;

	p->designated_root = br->designated_root;
	p->designated_cost = br->root_path_cost;
	p->designated_bridge = br->bridge_id;
	p->designated_port = p->port_id;
}

static bool br_should_become_designated_port(const struct net_bridge_port *p)
{
	struct net_bridge *br = p->br;
	int t;

	if (br_is_designated_port(p))
		return true;
	if (id_cmp(&p->designated_root, &br->designated_root))
		return true;
	if (br->root_path_cost != p->designated_cost)
		return br->root_path_cost < p->designated_cost;
	t = id_cmp(&br->bridge_id, &p->designated_bridge);
	if (t)
		return t < 0;
	return p->port_id < p->designated_port;
}

/* 8.6.9 */
static void br_designated_port_selection(struct net_bridge *br)
{
	struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list)
		if (p->state != BR_STATE_DISABLED && br_should_become_designated_port(p))
			br_become_designated_port(p);
}

/* 8.6.7 */
static void br_configuration_update(struct net_bridge *br)
{
	br_root_selection(br);
	br_designated_port_selection(br);
}

/* 8.6.4 */
static void br_transmit_config(struct net_bridge_port *p)
{
	struct net_bridge *br = p->br;
	struct br_config_bpdu bpdu;
	uint64_t now = now_ns(br);

	if (timer_pending(&p->hold_timer)) {
		p->config_pending = true;
		return;
	}
	bpdu.topology_change = br->topology_change;
	bpdu.topology_change_ack = p->topology_change_ack;
	bpdu.root = br->designated_root;
	bpdu.root_path_cost = br->root_path_cost;
	bpdu.bridge_id = br->bridge_id;
	bpdu.port_id = p->port_id;
	bpdu.message_age = 0;
	if (!br_is_root_bridge(br)) {
		struct net_bridge_port *root = br_get_port(br, br->root_port);
		uint64_t left = root && timer_pending(&root->message_age_timer) &&
					root->message_age_timer.expires > now
				? root->message_age_timer.expires - now
				: 0;

		/* 8.6.4.3.1: age grows by at least one tick per hop */
		bpdu.message_age = br->max_age - left + BR_MESSAGE_AGE_INCR;
	}
	bpdu.max_age = br->max_age;
	bpdu.hello_time = br->hello_time;
	bpdu.forward_delay = br->forward_delay;
	if (bpdu.message_age < br->max_age) {
		br_send_config_bpdu(p, &bpdu);
		p->topology_change_ack = false;
		p->config_pending = false;
		mod_timer(&p->hold_timer, now + BR_HOLD_TIME);
	}
}

/* 8.6.3 */
static void br_config_bpdu_generation(struct net_bridge *br)
{
	struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list)
		if (p->state != BR_STATE_DISABLED && br_is_designated_port(p))
			br_transmit_config(p);
}

/* 8.6.6 */
static void br_transmit_tcn(struct net_bridge *br)
{
	struct net_bridge_port *p = br_get_port(br, br->root_port);

	if (p)
		br_send_tcn_bpdu(p);
}

void br_topology_change_detection(struct net_bridge *br)
{
	uint64_t now = now_ns(br);

	if (!br->stp_enabled || !(br->dev->flags & IFF_UP))
		return;
	/* 8.6.14 */
	if (br_is_root_bridge(br)) {
		br->topology_change = true;
		mod_timer(&br->topology_change_timer,
			  now + br->bridge_forward_delay + br->bridge_max_age);
	} else if (!br->topology_change_detected) {
		br_transmit_tcn(br);
		mod_timer(&br->tcn_timer, now + br->bridge_hello_time);
	}
	br->topology_change_detected = true;
}

static void br_make_blocking(struct net_bridge_port *p)
{
	if (p->state == BR_STATE_DISABLED || p->state == BR_STATE_BLOCKING)
		return;
	if (p->state == BR_STATE_FORWARDING || p->state == BR_STATE_LEARNING)
		br_topology_change_detection(p->br);
	br_set_state(p, BR_STATE_BLOCKING);
	del_timer(&p->forward_delay_timer);
}

static void br_make_forwarding(struct net_bridge_port *p)
{
	struct net_bridge *br = p->br;

	if (p->state != BR_STATE_BLOCKING)
		return;
	if (!br->stp_enabled || br->forward_delay == 0) {
		br_set_state(p, BR_STATE_FORWARDING);
		return;
	}
	br_set_state(p, BR_STATE_LISTENING);
	mod_timer(&p->forward_delay_timer, now_ns(br) + br->forward_delay);
}

/* 8.6.11 */
static void br_port_state_selection(struct net_bridge *br)
{
	struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list) {
		if (p->state == BR_STATE_DISABLED)
			continue;
		if (p->port_no == br->root_port) {
			p->config_pending = false;
			p->topology_change_ack = false;
			br_make_forwarding(p);
		} else if (br_is_designated_port(p)) {
			del_timer(&p->message_age_timer);
			br_make_forwarding(p);
		} else {
			p->config_pending = false;
			p->topology_change_ack = false;
			br_make_blocking(p);
		}
	}
}

static void br_become_root_bridge(struct net_bridge *br)
{
	br->max_age = br->bridge_max_age;
	br->hello_time = br->bridge_hello_time;
	br->forward_delay = br->bridge_forward_delay;
	br_topology_change_detection(br);
	del_timer(&br->tcn_timer);
	if (br->stp_enabled && (br->dev->flags & IFF_UP)) {
		br_config_bpdu_generation(br);
		mod_timer(&br->hello_timer, now_ns(br) + br->hello_time);
	}
}

/* 8.6.2: is the received information better than what p holds? */
static bool br_supersedes_port_info(const struct net_bridge_port *p,
				    const struct br_config_bpdu *bpdu)
{
	int t = id_cmp(&bpdu->root, &p->designated_root);

	if (t)
		return t < 0;
	if (bpdu->root_path_cost != p->designated_cost)
		return bpdu->root_path_cost < p->designated_cost;
	t = id_cmp(&bpdu->bridge_id, &p->designated_bridge);
	if (t)
		return t < 0;
	if (id_cmp(&bpdu->bridge_id, &p->br->bridge_id))
		return true;
	return bpdu->port_id <= p->designated_port;
}

/* 8.7.1 */
void br_received_config_bpdu(struct net_bridge_port *p, const struct br_config_bpdu *bpdu)
{
	struct net_bridge *br = p->br;
	bool was_root = br_is_root_bridge(br);
	uint64_t now = now_ns(br);

	if (!br_supersedes_port_info(p, bpdu)) {
		if (br_is_designated_port(p))
			br_transmit_config(p);	/* 8.6.5 reply */
		return;
	}
	/* 8.6.2 record configuration information */
	p->designated_root = bpdu->root;
	p->designated_cost = bpdu->root_path_cost;
	p->designated_bridge = bpdu->bridge_id;
	p->designated_port = bpdu->port_id;
	mod_timer(&p->message_age_timer, now + bpdu->max_age - bpdu->message_age);
	br_configuration_update(br);
	br_port_state_selection(br);
	if (!br_is_root_bridge(br) && was_root) {
		del_timer(&br->hello_timer);
		if (br->topology_change_detected) {
			del_timer(&br->topology_change_timer);
			br_transmit_tcn(br);
			mod_timer(&br->tcn_timer, now + br->bridge_hello_time);
		}
	}
	if (p->port_no == br->root_port) {
		/* 8.6.3 record configuration timeout values */
		br->max_age = bpdu->max_age;
		br->hello_time = bpdu->hello_time;
		br->forward_delay = bpdu->forward_delay;
		br->topology_change = bpdu->topology_change;
		br_config_bpdu_generation(br);
		if (bpdu->topology_change_ack) {
			br->topology_change_detected = false;
			del_timer(&br->tcn_timer);
		}
	}
}

/* 8.7.2 */
void br_received_tcn_bpdu(struct net_bridge_port *p)
{
	if (!br_is_designated_port(p))
		return;
	br_topology_change_detection(p->br);
	p->topology_change_ack = true;	/* 8.6.16 */
	br_transmit_config(p);
}

/* ---- timers (8.7.3-8.7.8) ----------------------------------------------------------- */
static void br_hello_timer_expired(struct timer_list *t)
{
	struct net_bridge *br = from_timer(br, t, hello_timer);

	if (!br->stp_enabled || !(br->dev->flags & IFF_UP))
		return;
	br_config_bpdu_generation(br);
	mod_timer(&br->hello_timer, now_ns(br) + br->hello_time);
}

static void br_message_age_timer_expired(struct timer_list *t)
{
	struct net_bridge_port *p = from_timer(p, t, message_age_timer);
	struct net_bridge *br = p->br;
	bool was_root;

	if (p->state == BR_STATE_DISABLED)
		return;
	was_root = br_is_root_bridge(br);
	br_become_designated_port(p);
	br_configuration_update(br);
	br_port_state_selection(br);
	if (br_is_root_bridge(br) && !was_root)
		br_become_root_bridge(br);
}

static bool br_is_designated_for_some_port(const struct net_bridge *br)
{
	const struct net_bridge_port *p;

	list_for_each_entry(p, &br->port_list, list)
		if (p->state != BR_STATE_DISABLED &&
		    !memcmp(&p->designated_bridge, &br->bridge_id, sizeof(bridge_id)))
			return true;
	return false;
}

static void br_forward_delay_timer_expired(struct timer_list *t)
{
	struct net_bridge_port *p = from_timer(p, t, forward_delay_timer);
	struct net_bridge *br = p->br;

	if (p->state == BR_STATE_LISTENING) {
		br_set_state(p, BR_STATE_LEARNING);
		mod_timer(&p->forward_delay_timer, now_ns(br) + br->forward_delay);
	} else if (p->state == BR_STATE_LEARNING) {
		br_set_state(p, BR_STATE_FORWARDING);
		if (br_is_designated_for_some_port(br))
			br_topology_change_detection(br);
	}
}

static void br_hold_timer_expired(struct timer_list *t)
{
	struct net_bridge_port *p = from_timer(p, t, hold_timer);

	if (p->config_pending)
		br_transmit_config(p);
}

static void br_tcn_timer_expired(struct timer_list *t)
{
	struct net_bridge *br = from_timer(br, t, tcn_timer);

	if (br_is_root_bridge(br) || !(br->dev->flags & IFF_UP))
		return;
	br_transmit_tcn(br);
	mod_timer(&br->tcn_timer, now_ns(br) + br->bridge_hello_time);
}

static void br_topology_change_timer_expired(struct timer_list *t)
{
	struct net_bridge *br = from_timer(br, t, topology_change_timer);

	br->topology_change_detected = false;
	br->topology_change = false;
}

/* ---- bridge and port life ------------------------------------------------------------ */
void br_stp_init_bridge(struct net_bridge *br)
{
	struct ns_stack *stack = dev_net(br->dev);

	br->bridge_id.prio[0] = 0x80;	/* priority 32768 */
	br->bridge_id.prio[1] = 0x00;
	memcpy(br->bridge_id.addr, br->dev->dev_addr, ETH_ALEN);
	br->designated_root = br->bridge_id;
	br->bridge_max_age = br->max_age = BR_MAX_AGE;
	br->bridge_hello_time = br->hello_time = BR_HELLO_TIME;
	br->bridge_forward_delay = br->forward_delay = BR_FORWARD_DELAY;
	timer_setup(&br->hello_timer, stack, br_hello_timer_expired);
	timer_setup(&br->tcn_timer, stack, br_tcn_timer_expired);
	timer_setup(&br->topology_change_timer, stack, br_topology_change_timer_expired);
}

void br_stp_fini_bridge(struct net_bridge *br)
{
	del_timer(&br->hello_timer);
	del_timer(&br->tcn_timer);
	del_timer(&br->topology_change_timer);
}

void br_stp_init_port(struct net_bridge_port *p)
{
	struct ns_stack *stack = dev_net(p->dev);

	p->priority = 32;	/* Linux's default port priority (0..63) */
	p->path_cost = 100;	/* Linux's default when the link speed is unknown */
	p->port_id = (uint16_t)((p->priority << 10) | (p->port_no & 0x3ff));
	timer_setup(&p->message_age_timer, stack, br_message_age_timer_expired);
	timer_setup(&p->forward_delay_timer, stack, br_forward_delay_timer_expired);
	timer_setup(&p->hold_timer, stack, br_hold_timer_expired);
}

void br_stp_fini_port(struct net_bridge_port *p)
{
	del_timer(&p->message_age_timer);
	del_timer(&p->forward_delay_timer);
	del_timer(&p->hold_timer);
}

/* 8.8.1 initialisation of a port */
void br_stp_enable_port(struct net_bridge_port *p)
{
	br_become_designated_port(p);
	br_set_state(p, BR_STATE_BLOCKING);
	p->topology_change_ack = false;
	p->config_pending = false;
	br_port_state_selection(p->br);
}

/* 8.8.3 */
void br_stp_disable_port(struct net_bridge_port *p)
{
	struct net_bridge *br = p->br;
	bool was_root = br_is_root_bridge(br);

	if (p->state == BR_STATE_DISABLED)
		return;
	br_become_designated_port(p);
	br_set_state(p, BR_STATE_DISABLED);
	p->topology_change_ack = false;
	p->config_pending = false;
	del_timer(&p->message_age_timer);
	del_timer(&p->forward_delay_timer);
	del_timer(&p->hold_timer);
	br_fdb_delete_by_port(br, p, false);
	br_configuration_update(br);
	br_port_state_selection(br);
	if (br_is_root_bridge(br) && !was_root)
		br_become_root_bridge(br);
}

static bool port_usable(const struct net_bridge_port *p)
{
	return (p->br->dev->flags & IFF_UP) && (p->dev->flags & IFF_UP) && netif_carrier_ok(p->dev);
}

void br_stp_port_changed(struct net_bridge_port *p)
{
	if (port_usable(p) && p->state == BR_STATE_DISABLED)
		br_stp_enable_port(p);
	else if (!port_usable(p) && p->state != BR_STATE_DISABLED)
		br_stp_disable_port(p);
}

/* Turn STP on or off (or restart it when the bridge comes up): every port
 * starts over from blocking. */
void br_stp_set_enabled(struct net_bridge *br, bool on)
{
	struct net_bridge_port *p;

	br->stp_enabled = on;
	del_timer(&br->hello_timer);
	del_timer(&br->tcn_timer);
	del_timer(&br->topology_change_timer);
	br->topology_change = br->topology_change_detected = false;
	list_for_each_entry(p, &br->port_list, list) {
		del_timer(&p->message_age_timer);
		del_timer(&p->forward_delay_timer);
		br_set_state(p, BR_STATE_DISABLED);
	}
	br->designated_root = br->bridge_id;
	br->root_port = 0;
	br->root_path_cost = 0;
	br->max_age = br->bridge_max_age;
	br->hello_time = br->bridge_hello_time;
	br->forward_delay = br->bridge_forward_delay;
	if (!(br->dev->flags & IFF_UP))
		return;
	list_for_each_entry(p, &br->port_list, list)
		if ((p->dev->flags & IFF_UP) && netif_carrier_ok(p->dev))
			br_stp_enable_port(p);
	if (on) {
		br_config_bpdu_generation(br);
		mod_timer(&br->hello_timer, now_ns(br) + br->hello_time);
	}
}

/* br_stp_recalculate_bridge_id / br_stp_change_bridge_id */
void br_stp_recalculate_bridge_id(struct net_bridge *br)
{
	bool was_root = br_is_root_bridge(br);
	struct net_bridge_port *p;
	uint8_t old[ETH_ALEN];

	if (ether_addr_equal(br->bridge_id.addr, br->dev->dev_addr))
		return;
	memcpy(old, br->bridge_id.addr, ETH_ALEN);
	memcpy(br->bridge_id.addr, br->dev->dev_addr, ETH_ALEN);
	list_for_each_entry(p, &br->port_list, list) {
		if (ether_addr_equal(p->designated_bridge.addr, old))
			memcpy(p->designated_bridge.addr, br->dev->dev_addr, ETH_ALEN);
		if (ether_addr_equal(p->designated_root.addr, old))
			memcpy(p->designated_root.addr, br->dev->dev_addr, ETH_ALEN);
	}
	if (ether_addr_equal(br->designated_root.addr, old))
		memcpy(br->designated_root.addr, br->dev->dev_addr, ETH_ALEN);
	br_configuration_update(br);
	br_port_state_selection(br);
	if (br_is_root_bridge(br) && !was_root)
		br_become_root_bridge(br);
}
