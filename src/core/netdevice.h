/* netdevice.h - struct net_device and the data-link core: device
 * registration, protocol dispatch by ethertype (packet_type), NAPI and the
 * backlog on receive, dev_queue_xmit into a qdisc on transmit.
 *
 * Receive:  driver -> napi_schedule -> poll(budget) -> netif_receive_skb
 *           (or netif_rx -> backlog -> process_backlog -> netif_receive_skb)
 *           -> taps (ETH_P_ALL) -> rx_handler (bridge) -> packet_type->func
 * Transmit: dev_queue_xmit -> qdisc enqueue -> qdisc_run -> taps ->
 *           ndo_start_xmit; NETDEV_TX_BUSY stops the queue until the driver
 *           calls netif_wake_queue. Read dev.c first. */
#ifndef NSTACK_CORE_NETDEVICE_H
#define NSTACK_CORE_NETDEVICE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/skbuff.h"
#include "core/stack.h"

struct Qdisc;
struct napi_struct;

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#define MAX_ADDR_LEN 32

/* device types (ARPHRD_*) */
#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772
#define ARPHRD_NONE     0xFFFE

/* ethertypes the core itself knows (host order) */
#define ETH_P_ALL   0x0003
#define ETH_P_802_2 0x0004

/* Linux's rtnl_link_stats64 / net_device_stats */
struct net_device_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint64_t multicast, collisions;
	uint64_t rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	uint64_t rx_fifo_errors, rx_missed_errors;
	uint64_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
	uint64_t tx_heartbeat_errors, tx_window_errors;
	uint64_t rx_compressed, tx_compressed, rx_nohandler;
};

typedef enum netdev_tx {
	NETDEV_TX_OK = 0x00,	/* driver took care of the skb */
	NETDEV_TX_BUSY = 0x10,	/* ring full: the skb is handed back, queue stopped */
} netdev_tx_t;

/* qdisc/dev_queue_xmit return codes */
#define NET_XMIT_SUCCESS 0x00
#define NET_XMIT_DROP    0x01
#define NET_XMIT_CN      0x02

/* packet_type->func and rx results */
#define NET_RX_SUCCESS 0
#define NET_RX_DROP    1

struct net_device;

/* Driver operations. Only ndo_start_xmit is required. */
struct net_device_ops {
	/* dev going up (ip link set up). 0 or -errno (stays down). May be NULL. */
	int (*ndo_open)(struct net_device *dev);
	/* dev going down. May be NULL. */
	int (*ndo_stop)(struct net_device *dev);
	/* Transmit skb. Return NETDEV_TX_OK when the driver consumed the skb
	 * (sent or dropped and counted) or NETDEV_TX_BUSY, with the skb
	 * untouched, after calling netif_stop_queue(). */
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	/* Validate and apply a new MTU. May be NULL (any value in range). */
	int (*ndo_change_mtu)(struct net_device *dev, unsigned int new_mtu);
	/* Apply a new MAC. May be NULL (just copied). */
	int (*ndo_set_mac_address)(struct net_device *dev, const uint8_t *addr);
	/* Promiscuous/multicast mode changed. May be NULL. */
	void (*ndo_set_rx_mode)(struct net_device *dev);
	/* Free driver state at unregister. May be NULL. */
	void (*ndo_uninit)(struct net_device *dev);
};

/* Link-layer header construction (Ethernet's lives in ethernet/eth.c). */
struct header_ops {
	/* Push the link header for `type` (ethertype) to daddr (NULL: the
	 * device's broadcast) from saddr (NULL: the device's address).
	 * Returns the header length, or -errno. */
	int (*create)(struct sk_buff *skb, struct net_device *dev, uint16_t type,
		      const void *daddr, const void *saddr, unsigned int len);
	/* Copy the source hardware address of a received skb; returns its length. */
	int (*parse)(const struct sk_buff *skb, unsigned char *haddr);
};

/* rx_handler: the bridge (and later VLAN/macvlan-like devices) take frames
 * here before protocol dispatch. */
typedef enum rx_handler_result {
	RX_HANDLER_CONSUMED,	/* skb was used or freed by the handler */
	RX_HANDLER_ANOTHER,	/* skb->dev changed: run the receive path again */
	RX_HANDLER_EXACT,	/* deliver only to packet_types bound to this dev */
	RX_HANDLER_PASS,	/* continue as if no handler */
} rx_handler_result_t;
typedef rx_handler_result_t rx_handler_func_t(struct sk_buff **pskb);

/* dev->features (Linux's netdev_features_t bits that nstack uses) */
#define NETIF_F_HW_CSUM (1u << 0)	/* completes CHECKSUM_PARTIAL checksums itself
					 * (or, for in-memory wires, need not) */
#define NETIF_F_GRO (1u << 1)		/* generic receive offload (core/gro.c): set by
					 * drivers that receive through napi_gro_receive */

/* dev->state bits */
#define __LINK_STATE_START 0
#define __QUEUE_STATE_DRV_XOFF 1
#define __LINK_STATE_NOCARRIER 2

struct net_device {
	struct list_head dev_list;
	struct hlist_node name_hlist;
	struct hlist_node index_hlist;
	struct ns_stack *nd_net;

	char name[IFNAMSIZ];
	int ifindex;
	unsigned int flags;		/* IFF_* */
	uint32_t features;		/* NETIF_F_* offloads turned on */
	uint32_t hw_features;		/* NETIF_F_* offloads the driver can do */
	unsigned long state;		/* __LINK_STATE_*, __QUEUE_STATE_* bits */
	unsigned int mtu, min_mtu, max_mtu;
	uint16_t type;			/* ARPHRD_* */
	uint16_t hard_header_len;
	uint16_t needed_headroom;
	uint8_t addr_len;
	uint8_t dev_addr[MAX_ADDR_LEN];
	uint8_t broadcast[MAX_ADDR_LEN];
	uint8_t perm_addr[MAX_ADDR_LEN];
	unsigned int tx_queue_len;	/* qdisc limit (1000) */
	int promiscuity;		/* users wanting promiscuous mode */

	const struct net_device_ops *netdev_ops;
	const struct header_ops *header_ops;
	struct net_device_stats stats;

	rx_handler_func_t *rx_handler;
	void *rx_handler_data;
	struct net_device *master;	/* bridge this is a port of, if any */

	struct Qdisc *qdisc;		/* root qdisc (pfifo_fast by default) */
	struct list_head ptype_all;	/* taps bound to this device */
	struct list_head napi_list;

	/* protocol state */
	void *ip_ptr;			/* struct in_device */
	void *ip6_ptr;			/* struct inet6_dev */
	void *vlan_info;

	void *priv;			/* driver private area (netdev_priv) */
	int refcnt;
	bool registered;
};

static inline void *netdev_priv(const struct net_device *dev)
{
	return dev->priv;
}
static inline struct ns_stack *dev_net(const struct net_device *dev)
{
	return dev->nd_net;
}

/* ---- registration ------------------------------------------------------------- */
/* Allocate a device with sizeof_priv bytes of driver state; name may hold
 * "%d". setup fills type-specific defaults (ether_setup). */
struct net_device *alloc_netdev(struct ns_stack *stack, size_t sizeof_priv, const char *name,
				void (*setup)(struct net_device *dev));
/* Assign ifindex and name, add to the stack. 0, -EEXIST, -EINVAL, -ENFILE. */
int register_netdev(struct net_device *dev);
/* Bring down, notify, flush, remove. The device is freed. */
void unregister_netdev(struct net_device *dev);
void free_netdev(struct net_device *dev);

struct net_device *dev_get_by_name(struct ns_stack *stack, const char *name);
struct net_device *dev_get_by_index(struct ns_stack *stack, int ifindex);
#define for_each_netdev(stack, d) list_for_each_entry(d, &(stack)->dev_base_head, dev_list)

int dev_open(struct net_device *dev);
int dev_close(struct net_device *dev);
int dev_set_mtu(struct net_device *dev, unsigned int mtu);
int dev_set_mac_address(struct net_device *dev, const uint8_t *addr);
int dev_set_promiscuity(struct net_device *dev, int inc);
int dev_change_name(struct net_device *dev, const char *newname);
int dev_change_tx_queue_len(struct net_device *dev, unsigned int len);
/* Carrier (IFF_LOWER_UP / IFF_RUNNING) as the driver sees it. */
void netif_carrier_on(struct net_device *dev);
void netif_carrier_off(struct net_device *dev);
static inline bool netif_carrier_ok(const struct net_device *dev)
{
	return !(dev->state & (1UL << __LINK_STATE_NOCARRIER));
}
static inline bool netif_running(const struct net_device *dev)
{
	return dev->state & (1UL << __LINK_STATE_START);
}

/* ---- notifier chain (NETDEV_UP, ...) ---------------------------------------------- */
enum netdev_event {
	NETDEV_UP = 1,
	NETDEV_DOWN,
	NETDEV_REGISTER,
	NETDEV_UNREGISTER,
	NETDEV_CHANGEMTU,
	NETDEV_CHANGEADDR,
	NETDEV_CHANGENAME,
	NETDEV_CHANGE,		/* carrier or flags */
};
struct notifier_block {
	int (*notifier_call)(struct notifier_block *nb, unsigned long event, struct net_device *dev);
	int priority;		/* higher runs first */
	struct list_head list;
};
void register_netdevice_notifier(struct ns_stack *stack, struct notifier_block *nb);
void unregister_netdevice_notifier(struct ns_stack *stack, struct notifier_block *nb);
void call_netdevice_notifiers(unsigned long event, struct net_device *dev);

/* ---- protocol dispatch ---------------------------------------------------------------- */
struct packet_type {
	uint16_t type;		/* ethertype (host order) or ETH_P_ALL */
	struct net_device *dev;	/* NULL: any device */
	/* Receive skb (data at the network header, mac_header set). The
	 * handler owns the skb. ETH_P_ALL handlers are taps: they observe
	 * rx and tx, must not free or keep the skb (clone it to keep it) and
	 * are called for outgoing frames too (pkt_type PACKET_OUTGOING, data at
	 * the link header). */
	int (*func)(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig_dev);
	/* Optional (Linux's list_func): a batch of skbs of the same orig_dev
	 * for this handler, from the backlog's poll. Takes every skb off the
	 * list (which it may reuse) and owns them. */
	void (*list_func)(struct sk_buff_head *list, struct packet_type *pt,
			  struct net_device *orig_dev);
	/* Optional (Linux's packet_offload gro_receive): offer skb to the
	 * protocol's GRO. True: taken (held by napi, to be merged); false: the
	 * caller delivers it now. See core/gro.h. */
	bool (*gro_receive)(struct napi_struct *napi, struct sk_buff *skb);
	void *af_packet_priv;
	struct list_head list;
};
void dev_add_pack(struct ns_stack *stack, struct packet_type *pt);
void dev_remove_pack(struct ns_stack *stack, struct packet_type *pt);

int netdev_rx_handler_register(struct net_device *dev, rx_handler_func_t *handler, void *data);
void netdev_rx_handler_unregister(struct net_device *dev);

/* ---- receive ---------------------------------------------------------------------------- */
/* Deliver a received skb (protocol set, data at the network header) now.
 * Consumes it. Returns NET_RX_SUCCESS or NET_RX_DROP. */
int netif_receive_skb(struct sk_buff *skb);
/* Receive a batch (Linux's netif_receive_skb_list): each skb as
 * netif_receive_skb would, but consecutive skbs bound for the same handler
 * reach its list_func together. Empties list. */
void netif_receive_skb_list(struct sk_buff_head *list);
/* Queue on the backlog (non-NAPI drivers, loopback). NET_RX_DROP when
 * netdev_max_backlog is reached (counted in softnet_stat). */
int netif_rx(struct sk_buff *skb);

#define GRO_MAX_HELD 8	/* Linux's MAX_GRO_SKBS */
struct napi_struct {
	struct list_head poll_list;	/* on softnet.poll_list while scheduled */
	struct list_head dev_list;	/* on dev->napi_list */
	unsigned long state;		/* NAPI_STATE_* bits */
	int weight;
	/* Process up to budget frames; return how many. Returning less than
	 * budget after napi_complete_done() ends the polling round. */
	int (*poll)(struct napi_struct *napi, int budget);
	struct net_device *dev;
	struct ns_stack *stack;
	/* GRO (core/gro.h): flows held during one poll, oldest first */
	struct sk_buff *gro_held[GRO_MAX_HELD];
	unsigned int gro_count;
};
#define NAPI_STATE_SCHED 0
#define NAPI_POLL_WEIGHT 64

void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int), int weight);
void netif_napi_del(struct napi_struct *napi);
/* Schedule a poll (idempotent). */
void napi_schedule(struct napi_struct *napi);
/* The driver has no more work; returns false if it must keep polling. */
bool napi_complete_done(struct napi_struct *napi, int work_done);

/* ---- transmit ------------------------------------------------------------------------------ */
/* Queue skb for transmission on skb->dev (link header already built).
 * Consumes it. NET_XMIT_SUCCESS, NET_XMIT_DROP or NET_XMIT_CN. */
int dev_queue_xmit(struct sk_buff *skb);
/* Hand one skb to the driver, with taps; used by qdisc_run. */
netdev_tx_t dev_hard_start_xmit(struct sk_buff *skb, struct net_device *dev);
static inline void netif_stop_queue(struct net_device *dev)
{
	dev->state |= 1UL << __QUEUE_STATE_DRV_XOFF;
}
static inline bool netif_queue_stopped(const struct net_device *dev)
{
	return dev->state & (1UL << __QUEUE_STATE_DRV_XOFF);
}
/* Restart a stopped queue and schedule its qdisc. */
void netif_wake_queue(struct net_device *dev);
/* Ask the loop to run dev's qdisc (net_tx_action). */
void netif_schedule_dev(struct net_device *dev);

/* ---- loop entry points (core/dev.c) --------------------------------------------------------- */
int net_rx_action(struct ns_stack *stack);
int net_tx_action(struct ns_stack *stack);
int netdev_core_init(struct ns_stack *stack);
void netdev_core_exit(struct ns_stack *stack);
/* Take every device down (qdiscs and driver queues emptied): the first
 * step of tearing a stack down, while the protocols that own queued skbs
 * (TCP small queues charge sent clones to their socket) still exist. */
void netdev_down_all(struct ns_stack *stack);

#endif
