/* br_private.h - the software bridge: a net_device whose ports are other
 * devices (Linux's net/bridge). Read in this order: br_device.c (the
 * bridge device, per-stack state), br_if.c (ports), br_input.c (a frame
 * arrives on a port), br_forward.c (out of ports), br_fdb.c (forwarding
 * database), br_vlan.c (VLAN filtering), br_stp*.c (IEEE 802.1D spanning
 * tree), ebtables.c (the L2 firewall).
 *
 * Data pointer convention inside the bridge: skb->data is at the network
 * header, the 14-byte Ethernet header is at skb_mac_header(), any 802.1Q
 * tag was moved out of band by the core (skb->vlan_present). Transmitting
 * pushes the Ethernet header back; dev_queue_xmit writes the tag. */
#ifndef NSTACK_BRIDGE_BR_PRIVATE_H
#define NSTACK_BRIDGE_BR_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/netdevice.h"
#include "core/timer.h"
#include "wire/eth.h"
#include "wire/vlan.h"

#define BR_MAX_PORTS 1024
#define BR_FDB_HASH_BITS 12
#define BR_FDB_HASH_SIZE (1u << BR_FDB_HASH_BITS)
#define BR_FDB_MAX_DEFAULT 8192		/* Linux has none; a MAC flood must not grow memory */
#define BR_AGEING_DEFAULT_NS (300ULL * 1000000000ULL)	/* IEEE 802.1D 7.9.2: 300 s */
#define BR_GC_INTERVAL_NS (4ULL * 1000000000ULL)
#define NS_PER_CS 10000000ULL		/* iproute2 speaks centiseconds (USER_HZ) */

/* IEEE 802.1D 8.4 port states, numbered as Linux's BR_STATE_* */
enum br_port_state {
	BR_STATE_DISABLED = 0,
	BR_STATE_LISTENING = 1,
	BR_STATE_LEARNING = 2,
	BR_STATE_FORWARDING = 3,
	BR_STATE_BLOCKING = 4,
};
extern const char *const br_port_state_names[];

/* port flags */
#define BR_HAIRPIN_MODE 0x1
#define BR_LEARNING     0x2
#define BR_FLOOD        0x4

/* fdb entry flags */
#define BR_FDB_LOCAL      0x1	/* an address of the bridge or a port: deliver up */
#define BR_FDB_STATIC     0x2	/* never ages */
#define BR_FDB_ADDED_BY_USER 0x4

/* Per-port (and bridge "self") VLAN membership: IEEE 802.1Q 8.8.2 member
 * set and untagged set, plus the PVID for untagged/priority-tagged
 * ingress (6.9). */
struct net_bridge_vlan_group {
	uint64_t member[VLAN_N_VID / 64];
	uint64_t untagged[VLAN_N_VID / 64];
	uint16_t pvid;			/* 0: none (untagged ingress dropped) */
	uint16_t num_vlans;
};
static inline bool br_vlan_test(const uint64_t *set, uint16_t vid)
{
	return set[vid / 64] & (1ULL << (vid % 64));
}

typedef struct bridge_id {
	uint8_t prio[2];
	uint8_t addr[ETH_ALEN];
} bridge_id;
typedef uint16_t port_id;

struct net_bridge_fdb_entry {
	struct hlist_node hlist;
	struct net_bridge_port *dst;	/* NULL: the bridge device itself */
	uint8_t addr[ETH_ALEN];
	uint16_t vid;
	uint8_t flags;			/* BR_FDB_* */
	uint64_t updated;		/* last seen as a source (ns) */
	uint64_t used;			/* last used as a destination (ns) */
};

struct net_bridge_port {
	struct net_bridge *br;
	struct net_device *dev;
	struct list_head list;
	uint16_t port_no;
	uint8_t state;			/* BR_STATE_* */
	unsigned int flags;		/* BR_* */
	struct net_bridge_vlan_group vlans;

	/* STP (IEEE 802.1D-1998 8.5.5) */
	port_id port_id;
	uint8_t priority;
	uint32_t path_cost;
	bridge_id designated_root;
	uint32_t designated_cost;
	bridge_id designated_bridge;
	port_id designated_port;
	bool topology_change_ack;
	bool config_pending;
	struct timer_list message_age_timer;
	struct timer_list forward_delay_timer;
	struct timer_list hold_timer;
};

/* Counted bad input and refusals, /proc/net/bridge/BR/stats. */
struct br_stats {
	uint64_t rx_runt;		/* shorter than an Ethernet header */
	uint64_t rx_jumbo;		/* longer than the egress port allows */
	uint64_t rx_bad_src;		/* multicast or zero source MAC */
	uint64_t rx_vlan_nested;	/* a second 802.1Q tag */
	uint64_t rx_vlan_filtered;	/* VLAN not allowed on the port */
	uint64_t rx_state_drop;		/* port not learning/forwarding */
	uint64_t fdb_full;		/* learning refused: fdb_max_entries */
	uint64_t ebt_drop;		/* ebtables verdict */
	uint64_t stp_bpdu_rx, stp_bpdu_tx, stp_bad_bpdu;
};

struct net_bridge {
	struct net_device *dev;
	struct list_head br_list;	/* netns_br.bridges */
	struct list_head port_list;
	unsigned int port_count;

	/* forwarding database */
	struct hlist_head fdb_hash[BR_FDB_HASH_SIZE];
	uint64_t fdb_salt;
	unsigned int fdb_n_entries;
	unsigned int fdb_n_learned;	/* dynamic entries: what the limit bounds */
	unsigned int fdb_max_entries;
	uint64_t ageing_time;		/* ns */
	struct timer_list gc_timer;

	/* VLAN filtering (IEEE 802.1Q) */
	bool vlan_enabled;
	uint16_t vlan_proto;
	uint16_t default_pvid;
	struct net_bridge_vlan_group vlans;	/* the bridge device's own ("self") */

	/* STP (IEEE 802.1D-1998 8.5.3) */
	bool stp_enabled;
	bridge_id designated_root;
	bridge_id bridge_id;
	uint32_t root_path_cost;
	uint16_t root_port;
	uint64_t max_age, hello_time, forward_delay;		/* ns, from the root */
	uint64_t bridge_max_age, bridge_hello_time, bridge_forward_delay;
	bool topology_change;
	bool topology_change_detected;
	struct timer_list hello_timer;
	struct timer_list tcn_timer;
	struct timer_list topology_change_timer;

	bool addr_set;			/* MAC set by hand: no longer the lowest port MAC */
	struct br_stats stats;
	char proc_path[64];
};

static inline const uint8_t *eth_hdr(const struct sk_buff *skb)
{
	return skb_mac_header(skb);
}
static inline struct net_bridge_port *br_port_get(const struct net_device *dev)
{
	return dev->master ? dev->rx_handler_data : NULL;
}

/* br_device.c */
struct net_bridge *br_add_bridge(struct ns_stack *stack, const char *name, int *err);
void br_del_bridge(struct net_bridge *br);
struct net_bridge *br_from_dev(const struct net_device *dev);	/* NULL: not a bridge */
extern const struct net_device_ops br_netdev_ops;
void br_recompute_addr(struct net_bridge *br);

/* br_if.c */
int br_add_if(struct net_bridge *br, struct net_device *dev);
int br_del_if(struct net_bridge *br, struct net_device *dev);
void br_set_state(struct net_bridge_port *p, uint8_t state);

/* br_input.c */
rx_handler_result_t br_handle_frame(struct sk_buff **pskb);
void br_pass_frame_up(struct net_bridge *br, struct sk_buff *skb, struct net_device *in);

/* br_forward.c: the skb is consumed */
void br_forward(struct net_bridge_port *to, struct sk_buff *skb, struct net_device *in,
		bool local_rcv);
void br_flood(struct net_bridge *br, struct sk_buff *skb, struct net_device *in, bool local_rcv);
/* deliver from the bridge device itself (br_dev_xmit) */
void br_deliver(struct net_bridge_port *to, struct sk_buff *skb);

/* br_fdb.c */
int br_fdb_init(struct net_bridge *br);
void br_fdb_fini(struct net_bridge *br);
struct net_bridge_fdb_entry *br_fdb_find(struct net_bridge *br, const uint8_t *addr, uint16_t vid);
void br_fdb_update(struct net_bridge *br, struct net_bridge_port *src, const uint8_t *addr,
		   uint16_t vid);
/* 0, -EEXIST, -ENOSPC, -ENOMEM; dst NULL for the bridge itself */
int br_fdb_add(struct net_bridge *br, struct net_bridge_port *dst, const uint8_t *addr,
	       uint16_t vid, uint8_t flags);
int br_fdb_delete(struct net_bridge *br, struct net_bridge_port *dst, const uint8_t *addr,
		  uint16_t vid);
/* Remove the entries of port p (all when do_all, dynamic only otherwise). */
void br_fdb_delete_by_port(struct net_bridge *br, struct net_bridge_port *p, bool do_all);
void br_fdb_flush_dynamic(struct net_bridge *br);
void br_fdb_cleanup(struct net_bridge *br);
/* A local (permanent) entry for a port's or the bridge's MAC in every VLAN. */
void br_fdb_insert_local(struct net_bridge *br, struct net_bridge_port *p, const uint8_t *addr);
#define br_fdb_for_each(br, f, i) \
	for (unsigned int i = 0; i < BR_FDB_HASH_SIZE; i++) \
		hlist_for_each_entry(f, &(br)->fdb_hash[i], hlist)

/* br_vlan.c */
void br_vlan_group_init(struct net_bridge_vlan_group *vg, uint16_t pvid);
/* flags: BRIDGE_VLAN_INFO_* */
#define BRIDGE_VLAN_INFO_PVID     0x2
#define BRIDGE_VLAN_INFO_UNTAGGED 0x4
int br_vlan_add(struct net_bridge_vlan_group *vg, uint16_t vid, unsigned int flags);
int br_vlan_del(struct net_bridge_vlan_group *vg, uint16_t vid);
/* Ingress: decide the frame's VID (PVID for untagged), false to drop. */
bool br_allowed_ingress(struct net_bridge *br, const struct net_bridge_vlan_group *vg,
			struct sk_buff *skb, uint16_t *vid);
bool br_allowed_egress(const struct net_bridge *br, const struct net_bridge_vlan_group *vg,
		       const struct sk_buff *skb);
/* Egress: tag or untag per the port's untagged set. */
void br_handle_vlan(struct net_bridge *br, const struct net_bridge_vlan_group *vg,
		    struct sk_buff *skb);
/* The VID a frame belongs to (0 without filtering). */
static inline uint16_t br_get_vid(const struct net_bridge *br, const struct sk_buff *skb)
{
	return br->vlan_enabled && skb->vlan_present ? skb->vlan_tci & VLAN_VID_MASK : 0;
}

/* br_stp.c */
void br_stp_init_bridge(struct net_bridge *br);
void br_stp_fini_bridge(struct net_bridge *br);
void br_stp_init_port(struct net_bridge_port *p);
void br_stp_fini_port(struct net_bridge_port *p);
void br_stp_set_enabled(struct net_bridge *br, bool on);
void br_stp_enable_port(struct net_bridge_port *p);
void br_stp_disable_port(struct net_bridge_port *p);
void br_stp_port_changed(struct net_bridge_port *p);	/* carrier/up changed */
void br_stp_recalculate_bridge_id(struct net_bridge *br);
/* A BPDU (data at the LLC header) arrived on p. Consumes skb. */
void br_stp_rcv(struct net_bridge_port *p, struct sk_buff *skb);
bool br_is_root_bridge(const struct net_bridge *br);
const char *br_port_role(const struct net_bridge_port *p);
void br_topology_change_detection(struct net_bridge *br);

/* ebtables.c: hooks */
enum nf_br_hook {
	NF_BR_PRE_ROUTING,
	NF_BR_LOCAL_IN,
	NF_BR_FORWARD,
	NF_BR_LOCAL_OUT,
	NF_BR_POST_ROUTING,
	NF_BR_BROUTING,
	NF_BR_NUMHOOKS,
};
/* Run the ebtables chains of hook on skb (data at the network header).
 * True: let it pass. False: dropped (the caller frees it). */
bool ebt_hook(struct ns_stack *stack, enum nf_br_hook hook, struct sk_buff *skb,
	      const struct net_device *in, const struct net_device *out);

struct ebt_net;
struct netns_br {
	struct list_head bridges;
	struct notifier_block nb;
	struct ebt_net *ebt;
	int call_iptables;		/* net.bridge.bridge-nf-call-iptables */
};
int ebt_net_init(struct ns_stack *stack);
void ebt_net_exit(struct ns_stack *stack);

/* br_netfilter.c: bridged IPv4 through the IPv4 netfilter hooks when
 * net.bridge.bridge-nf-call-iptables is 1. false: the skb is gone. */
bool br_nf_forward_ipv4(struct ns_stack *stack, struct sk_buff *skb, struct net_device *in,
			struct net_device *out);

#endif
