/* neighbour.h - the protocol-independent neighbour cache (Linux's
 * net/core/neighbour.c): entries keyed by (protocol address, device), the
 * NUD state machine, the queue of packets waiting for resolution, garbage
 * collection with gc_thresh1/2/3, per-device parameters and their sysctls.
 * ARP (ethernet/arp.c) is the first user; NDP can reuse it.
 *
 * Read neigh_event_send (output of an unresolved entry), neigh_update
 * (an answer or an admin change) and neigh_timer_handler (the states)
 * first. Nothing is reference counted: the stack is single-threaded and no
 * pointer to an entry is kept across calls that may run the GC. */
#ifndef NSTACK_CORE_NEIGHBOUR_H
#define NSTACK_CORE_NEIGHBOUR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/netdevice.h"
#include "core/timer.h"

/* NUD states (include/uapi/linux/neighbour.h) */
#define NUD_NONE       0x00
#define NUD_INCOMPLETE 0x01
#define NUD_REACHABLE  0x02
#define NUD_STALE      0x04
#define NUD_DELAY      0x08
#define NUD_PROBE      0x10
#define NUD_FAILED     0x20
#define NUD_NOARP      0x40
#define NUD_PERMANENT  0x80
#define NUD_IN_TIMER   (NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE)
#define NUD_VALID      (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define NUD_CONNECTED  (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE)

/* neigh_update flags */
#define NEIGH_UPDATE_F_OVERRIDE      0x01
#define NEIGH_UPDATE_F_WEAK_OVERRIDE 0x02
#define NEIGH_UPDATE_F_ADMIN         0x80

/* Parameters (Linux's NEIGH_VAR_*); times in milliseconds. */
enum {
	NEIGH_VAR_MCAST_PROBES,
	NEIGH_VAR_UCAST_PROBES,
	NEIGH_VAR_APP_PROBES,
	NEIGH_VAR_MCAST_REPROBES,
	NEIGH_VAR_RETRANS_TIME,
	NEIGH_VAR_BASE_REACHABLE_TIME,
	NEIGH_VAR_DELAY_PROBE_TIME,
	NEIGH_VAR_GC_STALETIME,
	NEIGH_VAR_QUEUE_LEN_BYTES,
	NEIGH_VAR_QUEUE_LEN,		/* unres_qlen (packets) */
	NEIGH_VAR_PROXY_QLEN,
	NEIGH_VAR_ANYCAST_DELAY,
	NEIGH_VAR_PROXY_DELAY,
	NEIGH_VAR_LOCKTIME,
	NEIGH_VAR_DATA_MAX
};

struct neigh_table;

#define NEIGH_HH_MAX 16	/* cached link header bytes (Ethernet: 14) */

struct neigh_parms {
	struct list_head list;		/* tbl->parms_list (per-device ones) */
	struct neigh_table *tbl;
	int ifindex;			/* 0: the table's default */
	int data[NEIGH_VAR_DATA_MAX];
	uint64_t reachable_time;	/* ns: base_reachable_time * rand(0.5..1.5) */
};
#define NEIGH_VAR(p, v) ((p)->data[NEIGH_VAR_##v])

struct neighbour {
	struct hlist_node hash;
	struct list_head gc_list;	/* non-permanent entries, oldest first */
	struct neigh_table *tbl;
	struct neigh_parms *parms;
	struct net_device *dev;
	uint8_t nud_state;
	uint8_t pinned;			/* inside a callback: the GC leaves it alone */
	uint8_t ha[MAX_ADDR_LEN];	/* link-layer address when NUD_VALID */
	/* Linux's hh_cache: the link header built for ha, copied in one go on
	 * output. Valid while hh_len != 0 and hh_genid is the stack's
	 * softnet.dst_genid (a device address change bumps it); cleared when
	 * ha changes. */
	uint8_t hh_len;
	uint32_t hh_genid;
	_Alignas(8) uint8_t hh_data[NEIGH_HH_MAX];
	uint64_t updated, confirmed, used;	/* ns */
	int probes;
	struct timer_list timer;
	struct sk_buff_head arp_queue;	/* packets waiting for resolution */
	unsigned int arp_queue_len_bytes;	/* truesize sum */
	uint8_t primary_key[16];	/* protocol address, tbl->key_len bytes */
};

struct neigh_ops {
	/* Send a solicitation for n. skb is the packet that triggered it (the
	 * newest queued one) or NULL; it stays owned by the queue. */
	void (*solicit)(struct neighbour *n, struct sk_buff *skb);
	/* A queued packet could not be sent (resolution failed). Report it
	 * (ICMP host unreachable); the table frees the skb afterwards. May be
	 * NULL. */
	void (*error_report)(struct neighbour *n, struct sk_buff *skb);
};

/* /proc/net/stat/arp_cache counters */
struct neigh_statistics {
	uint64_t allocs, destroys, lookups, hits, res_failed;
	uint64_t rcv_probes_mcast, rcv_probes_ucast;
	uint64_t periodic_gc_runs, forced_gc_runs, unres_discards, table_fulls;
};

#define NEIGH_HASH_BITS 10

struct neigh_table {
	const char *id;			/* "arp_cache" */
	const char *proto_dir;		/* "ipv4": sysctls under net/<dir>/neigh */
	unsigned int key_len;
	uint16_t protocol;		/* ethertype of the packets queued (ETH_P_IP) */
	const struct neigh_ops *ops;
	/* Set up a new entry: NUD_NOARP and ha for links without resolution,
	 * broadcast or multicast keys. 0 or -errno. */
	int (*constructor)(struct neighbour *n);
	struct ns_stack *stack;
	struct neigh_parms parms;	/* default */
	struct list_head parms_list;
	int gc_interval;		/* ms, 30000 */
	int gc_thresh1, gc_thresh2, gc_thresh3;	/* 128, 512, 1024 */
	uint64_t last_flush, last_rand;
	struct hlist_head buckets[1 << NEIGH_HASH_BITS];
	uint32_t hash_rnd;
	unsigned int entries;		/* all */
	unsigned int gc_entries;	/* non-permanent: what the thresholds count */
	struct list_head gc_list;
	struct timer_list gc_timer;
	struct neigh_statistics stats;
};

/* Set up tbl (id, key_len, ops, constructor and protocol filled by the
 * caller) with Linux's default parameters; creates its default sysctls. */
int neigh_table_init(struct ns_stack *stack, struct neigh_table *tbl);
void neigh_table_clear(struct neigh_table *tbl);

struct neighbour *neigh_lookup(struct neigh_table *tbl, const void *pkey,
			       const struct net_device *dev);
/* Lookup, creating an entry (NUD_NONE) when absent and creat. NULL when the
 * table is full (gc_thresh3, counted in table_fulls) or out of memory. */
struct neighbour *__neigh_lookup(struct neigh_table *tbl, const void *pkey,
				 struct net_device *dev, bool creat);
/* Change state/address (an answer, a learnt address, an admin change).
 * 0, -EPERM (a static entry and no F_ADMIN), -EINVAL. */
int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint8_t new_state, uint32_t flags);
/* Make sure n will be resolved: 0 when the caller can send now, 1 when skb
 * was queued (or dropped) waiting for resolution. Consumes skb when 1. */
int neigh_event_send(struct neighbour *n, struct sk_buff *skb);
/* Send skb (data at the network header) to n: build the link header via
 * dev->header_ops and dev_queue_xmit, resolving first when needed.
 * Consumes skb. 0 or -errno. */
int neigh_output(struct neighbour *n, struct sk_buff *skb);
/* A confirmation of reachability from upper layers (TCP ACKs). */
void neigh_confirm(struct neighbour *n);

/* Admin (`ip neigh add/replace/del`): state NUD_PERMANENT (static),
 * NUD_REACHABLE, NUD_STALE or NUD_NOARP. */
int neigh_add(struct neigh_table *tbl, const void *pkey, struct net_device *dev,
	      const uint8_t *lladdr, uint8_t state);
int neigh_delete(struct neigh_table *tbl, const void *pkey, struct net_device *dev);
/* Device down/unregister: remove every entry of dev (NULL: all). */
void neigh_ifdown(struct neigh_table *tbl, struct net_device *dev);
/* Walk every entry (no modification from cb). */
void neigh_for_each(struct neigh_table *tbl, void (*cb)(struct neighbour *n, void *ctx),
		    void *ctx);

/* Per-device parameters (copied from the default) with their sysctls under
 * /proc/sys/net/<proto_dir>/neigh/<dev>/. */
struct neigh_parms *neigh_parms_alloc(struct net_device *dev, struct neigh_table *tbl);
void neigh_parms_release(struct neigh_table *tbl, struct neigh_parms *p);
struct neigh_parms *neigh_get_parms(struct neigh_table *tbl, const struct net_device *dev);
/* (Re)create the sysctls of p under neigh/<dir>/ (a renamed device). */
int neigh_parms_sysctl_register(struct neigh_parms *p, const char *dir);

const char *neigh_state_name(uint8_t nud_state);

#endif
