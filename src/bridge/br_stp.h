/* br_stp.h - spanning tree internals shared by br_stp.c (the protocol) and
 * br_stp_bpdu.c (IEEE 802.1D-1998 clause 9 encoding). */
#ifndef NSTACK_BRIDGE_BR_STP_H
#define NSTACK_BRIDGE_BR_STP_H

#include "bridge/br_private.h"

#define NS_PER_SEC 1000000000ULL
/* IEEE 802.1D-1998 8.10.2 recommended values */
#define BR_HELLO_TIME (2 * NS_PER_SEC)
#define BR_MAX_AGE (20 * NS_PER_SEC)
#define BR_FORWARD_DELAY (15 * NS_PER_SEC)
#define BR_HOLD_TIME (1 * NS_PER_SEC)
#define BR_MESSAGE_AGE_INCR (NS_PER_SEC / 256)	/* one BPDU time unit */

/* A configuration BPDU in host form; times in ns. */
struct br_config_bpdu {
	bool topology_change;
	bool topology_change_ack;
	bridge_id root;
	uint32_t root_path_cost;
	bridge_id bridge_id;
	port_id port_id;
	uint64_t message_age;
	uint64_t max_age;
	uint64_t hello_time;
	uint64_t forward_delay;
};

void br_send_config_bpdu(struct net_bridge_port *p, const struct br_config_bpdu *bpdu);
void br_send_tcn_bpdu(struct net_bridge_port *p);
void br_received_config_bpdu(struct net_bridge_port *p, const struct br_config_bpdu *bpdu);
void br_received_tcn_bpdu(struct net_bridge_port *p);

#endif
