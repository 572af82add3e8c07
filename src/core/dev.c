/* dev.c - the data-link core (see netdevice.h): device registration and
 * state, protocol dispatch, NAPI and the backlog, and dev_queue_xmit.
 * Linux counterpart: net/core/dev.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gro.h"
#include "core/netdevice.h"
#include "core/proc.h"
#include "8021q/if_vlan.h"
#include "sched/sch_generic.h"

/* ---- names and indexes ------------------------------------------------------------- */
static unsigned int name_hash(const char *name)
{
	unsigned int h = 5381;

	while (*name)
		h = h * 33 + (unsigned char)*name++;
	return h & (NETDEV_HASHENTRIES - 1);
}

struct net_device *dev_get_by_name(struct ns_stack *stack, const char *name)
{
	struct net_device *dev;

	hlist_for_each_entry(dev, &stack->dev_name_head[name_hash(name)], name_hlist)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

struct net_device *dev_get_by_index(struct ns_stack *stack, int ifindex)
{
	struct net_device *dev;

	hlist_for_each_entry(dev, &stack->dev_index_head[(unsigned int)ifindex & (NETDEV_HASHENTRIES - 1)],
			     index_hlist)
		if (dev->ifindex == ifindex)
			return dev;
	return NULL;
}

static bool dev_valid_name(const char *name)
{
	if (!*name || strlen(name) >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || *name == ' ' || *name == '\t' || *name == '\n')
			return false;
	return true;
}

/* Resolve a "%d" template to the first free name (dev_alloc_name). */
static int dev_alloc_name(struct ns_stack *stack, const char *tmpl, char *out)
{
	const char *pct = strstr(tmpl, "%d");

	if (!pct) {
		if (!dev_valid_name(tmpl))
			return -EINVAL;
		snprintf(out, IFNAMSIZ, "%s", tmpl);
		return dev_get_by_name(stack, out) ? -EEXIST : 0;
	}
	if (strchr(pct + 1, '%'))
		return -EINVAL;
	for (int i = 0; i < 32768; i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.*s%d%s", (int)(pct - tmpl), tmpl, i, pct + 2);
		if (!dev_valid_name(buf))
			return -EINVAL;
		if (!dev_get_by_name(stack, buf)) {
			memcpy(out, buf, strlen(buf) + 1);	/* valid: < IFNAMSIZ */
			return 0;
		}
	}
	return -ENFILE;
}

/* ---- registration ------------------------------------------------------------------------ */
struct net_device *alloc_netdev(struct ns_stack *stack, size_t sizeof_priv, const char *name,
				void (*setup)(struct net_device *dev))
{
	size_t off = NS_ALIGN(sizeof(struct net_device), 64);
	struct net_device *dev = aligned_alloc(64, NS_ALIGN(off + sizeof_priv, 64));

	if (!dev)
		return NULL;
	memset(dev, 0, NS_ALIGN(off + sizeof_priv, 64));
	dev->nd_net = stack;
	dev->priv = sizeof_priv ? (char *)dev + off : NULL;
	snprintf(dev->name, IFNAMSIZ, "%s", name);
	dev->mtu = 1500;
	dev->min_mtu = 68;
	dev->max_mtu = 65535;
	dev->tx_queue_len = 1000;
	INIT_LIST_HEAD(&dev->dev_list);
	INIT_LIST_HEAD(&dev->ptype_all);
	INIT_LIST_HEAD(&dev->napi_list);
	INIT_HLIST_NODE(&dev->name_hlist);
	INIT_HLIST_NODE(&dev->index_hlist);
	dev->state = 1UL << __LINK_STATE_NOCARRIER;
	if (setup)
		setup(dev);
	return dev;
}

void free_netdev(struct net_device *dev)
{
	free(dev);
}

int register_netdev(struct net_device *dev)
{
	struct ns_stack *stack = dev->nd_net;
	char name[IFNAMSIZ];
	int rc;

	if (!dev->netdev_ops || !dev->netdev_ops->ndo_start_xmit)
		return -EINVAL;
	rc = dev_alloc_name(stack, dev->name, name);
	if (rc)
		return rc;
	memcpy(dev->name, name, IFNAMSIZ);
	dev->ifindex = ++stack->ifindex_next;
	if (!dev->qdisc) {
		char err[64];

		dev->qdisc = qdisc_create(dev, &pfifo_fast_ops, 0, NULL, err, sizeof(err));
		if (!dev->qdisc)
			return -ENOMEM;
	}
	memcpy(dev->perm_addr, dev->dev_addr, MAX_ADDR_LEN);
	list_add_tail(&dev->dev_list, &stack->dev_base_head);
	hlist_add_head(&dev->name_hlist, &stack->dev_name_head[name_hash(dev->name)]);
	hlist_add_head(&dev->index_hlist,
		       &stack->dev_index_head[(unsigned int)dev->ifindex & (NETDEV_HASHENTRIES - 1)]);
	stack->dev_count++;
	dev->registered = true;
	call_netdevice_notifiers(NETDEV_REGISTER, dev);
	return 0;
}

/* Remove dev's packets from the backlog (flush_backlog). */
static void flush_backlog(struct net_device *dev)
{
	struct sk_buff_head *q = &dev->nd_net->softnet.input_pkt_queue;
	struct sk_buff *skb, *tmp;

	skb_queue_walk_safe(q, skb, tmp) {
		if (skb->dev == dev) {
			__skb_unlink(skb, q);
			kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		}
	}
}

void unregister_netdev(struct net_device *dev)
{
	struct ns_stack *stack = dev->nd_net;
	struct packet_type *pt, *ptn;
	struct napi_struct *napi, *nn;

	if (!dev->registered) {
		free_netdev(dev);
		return;
	}
	dev_close(dev);
	call_netdevice_notifiers(NETDEV_UNREGISTER, dev);
	flush_backlog(dev);
	list_for_each_entry_safe(pt, ptn, &dev->ptype_all, list)
		list_del(&pt->list);
	list_for_each_entry_safe(napi, nn, &dev->napi_list, dev_list)
		netif_napi_del(napi);
	if (dev->qdisc) {
		qdisc_destroy(dev->qdisc);
		dev->qdisc = NULL;
	}
	if (dev->netdev_ops->ndo_uninit)
		dev->netdev_ops->ndo_uninit(dev);
	list_del(&dev->dev_list);
	hlist_del(&dev->name_hlist);
	hlist_del(&dev->index_hlist);
	stack->dev_count--;
	if (stack->loopback_dev == dev)
		stack->loopback_dev = NULL;
	dev->registered = false;
	free_netdev(dev);
}

/* ---- notifiers ---------------------------------------------------------------------------- */
void register_netdevice_notifier(struct ns_stack *stack, struct notifier_block *nb)
{
	struct notifier_block *pos;

	list_for_each_entry(pos, &stack->netdev_notifiers, list) {
		if (nb->priority > pos->priority) {
			__list_add(&nb->list, pos->list.prev, &pos->list);
			return;
		}
	}
	list_add_tail(&nb->list, &stack->netdev_notifiers);
}

void unregister_netdevice_notifier(struct ns_stack *stack, struct notifier_block *nb)
{
	(void)stack;
	list_del(&nb->list);
}

void call_netdevice_notifiers(unsigned long event, struct net_device *dev)
{
	struct notifier_block *nb, *n;

	list_for_each_entry_safe(nb, n, &dev->nd_net->netdev_notifiers, list)
		nb->notifier_call(nb, event, dev);
	/* a device went up/down/away or changed address (its own, or a
	 * stacked device's in reaction): cached dsts and link headers are
	 * stale (Linux's rt_genid_bump on these events) */
	dev->nd_net->softnet.dst_genid++;
}

/* ---- state changes -------------------------------------------------------------------------- */
int dev_open(struct net_device *dev)
{
	int rc;

	if (dev->flags & IFF_UP)
		return 0;
	if (dev->netdev_ops->ndo_open) {
		rc = dev->netdev_ops->ndo_open(dev);
		if (rc)
			return rc;
	}
	dev->state |= 1UL << __LINK_STATE_START;
	dev->state &= ~(1UL << __QUEUE_STATE_DRV_XOFF);
	dev->flags |= IFF_UP;
	if (netif_carrier_ok(dev))
		dev->flags |= IFF_RUNNING | IFF_LOWER_UP;
	call_netdevice_notifiers(NETDEV_UP, dev);
	return 0;
}

int dev_close(struct net_device *dev)
{
	if (!(dev->flags & IFF_UP))
		return 0;
	call_netdevice_notifiers(NETDEV_DOWN, dev);
	dev->flags &= ~(unsigned int)(IFF_UP | IFF_RUNNING);
	dev->state &= ~(1UL << __LINK_STATE_START);
	if (dev->netdev_ops->ndo_stop)
		dev->netdev_ops->ndo_stop(dev);
	if (dev->qdisc)
		qdisc_reset(dev->qdisc);
	flush_backlog(dev);
	return 0;
}

int dev_set_mtu(struct net_device *dev, unsigned int mtu)
{
	int rc;

	if (mtu < dev->min_mtu || mtu > dev->max_mtu)
		return -EINVAL;
	if (mtu == dev->mtu)
		return 0;
	if (dev->netdev_ops->ndo_change_mtu) {
		rc = dev->netdev_ops->ndo_change_mtu(dev, mtu);
		if (rc)
			return rc;
	}
	dev->mtu = mtu;
	call_netdevice_notifiers(NETDEV_CHANGEMTU, dev);
	return 0;
}

int dev_set_mac_address(struct net_device *dev, const uint8_t *addr)
{
	int rc;

	if (!dev->addr_len)
		return -EOPNOTSUPP;
	if (dev->addr_len == 6 && (addr[0] & 1))
		return -EADDRNOTAVAIL;	/* multicast addresses are not valid sources */
	if (dev->netdev_ops->ndo_set_mac_address) {
		rc = dev->netdev_ops->ndo_set_mac_address(dev, addr);
		if (rc)
			return rc;
	}
	memcpy(dev->dev_addr, addr, dev->addr_len);
	call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	return 0;
}

int dev_set_promiscuity(struct net_device *dev, int inc)
{
	unsigned int old = dev->flags;

	dev->promiscuity += inc;
	if (dev->promiscuity < 0)
		dev->promiscuity = 0;
	if (dev->promiscuity)
		dev->flags |= IFF_PROMISC;
	else
		dev->flags &= ~(unsigned int)IFF_PROMISC;
	if (old != dev->flags && dev->netdev_ops->ndo_set_rx_mode)
		dev->netdev_ops->ndo_set_rx_mode(dev);
	return 0;
}

int dev_change_name(struct net_device *dev, const char *newname)
{
	struct ns_stack *stack = dev->nd_net;

	if (!dev_valid_name(newname))
		return -EINVAL;
	if (dev->flags & IFF_UP)
		return -EBUSY;
	if (strcmp(dev->name, newname) == 0)
		return 0;
	if (dev_get_by_name(stack, newname))
		return -EEXIST;
	hlist_del(&dev->name_hlist);
	snprintf(dev->name, IFNAMSIZ, "%s", newname);
	hlist_add_head(&dev->name_hlist, &stack->dev_name_head[name_hash(dev->name)]);
	call_netdevice_notifiers(NETDEV_CHANGENAME, dev);
	return 0;
}

int dev_change_tx_queue_len(struct net_device *dev, unsigned int len)
{
	if (len > 0x7fffffff)
		return -EINVAL;
	dev->tx_queue_len = len;
	if (dev->qdisc && dev->qdisc->ops == &pfifo_fast_ops)
		dev->qdisc->limit = len;
	return 0;
}

void netif_carrier_on(struct net_device *dev)
{
	if (netif_carrier_ok(dev))
		return;
	dev->state &= ~(1UL << __LINK_STATE_NOCARRIER);
	if (dev->flags & IFF_UP)
		dev->flags |= IFF_RUNNING | IFF_LOWER_UP;
	if (dev->registered)
		call_netdevice_notifiers(NETDEV_CHANGE, dev);
}

void netif_carrier_off(struct net_device *dev)
{
	if (!netif_carrier_ok(dev))
		return;
	dev->state |= 1UL << __LINK_STATE_NOCARRIER;
	dev->flags &= ~(unsigned int)(IFF_RUNNING | IFF_LOWER_UP);
	if (dev->registered)
		call_netdevice_notifiers(NETDEV_CHANGE, dev);
}

/* ---- protocol registration -------------------------------------------------------------- */
static struct list_head *ptype_head(struct ns_stack *stack, const struct packet_type *pt)
{
	if (pt->type == ETH_P_ALL)
		return pt->dev ? &pt->dev->ptype_all : &stack->ptype_all;
	return &stack->ptype_base[pt->type & (PTYPE_HASH_SIZE - 1)];
}

void dev_add_pack(struct ns_stack *stack, struct packet_type *pt)
{
	list_add(&pt->list, ptype_head(stack, pt));
}

void dev_remove_pack(struct ns_stack *stack, struct packet_type *pt)
{
	(void)stack;
	list_del(&pt->list);
}

int netdev_rx_handler_register(struct net_device *dev, rx_handler_func_t *handler, void *data)
{
	if (dev->rx_handler)
		return -EBUSY;
	dev->rx_handler_data = data;
	dev->rx_handler = handler;
	return 0;
}

void netdev_rx_handler_unregister(struct net_device *dev)
{
	dev->rx_handler = NULL;
	dev->rx_handler_data = NULL;
}

/* ---- receive ------------------------------------------------------------------------------- */
/* Out of line (like the taps themselves, the uncommon case): the receive
 * and transmit fast paths keep fewer registers live. */
static __attribute__((noinline)) void deliver_taps(struct sk_buff *skb, struct list_head *taps,
						   struct net_device *orig)
{
	struct packet_type *pt;

	list_for_each_entry(pt, taps, list)
		pt->func(skb, skb->dev, pt, orig);
}

/* __netif_receive_skb_core: taps, rx_handler, then the ethertype's
 * handler. Returns the handler that is to get *pskb (*porig: the device it
 * arrived on), or NULL when the skb was consumed (rx_handler, drop: *ret
 * says which). Extra handlers of the same type get clones right away.
 * Inlined into its two callers: one frame per received packet. */
static inline __attribute__((always_inline)) struct packet_type *__netif_receive_skb_core(struct sk_buff **pskb,
						    struct net_device **porig, int *ret)
{
	struct sk_buff *skb = *pskb;
	struct net_device *orig_dev = skb->dev;
	struct ns_stack *stack = orig_dev->nd_net;
	struct packet_type *pt, *deliver = NULL;
	bool exact = false;

	*porig = orig_dev;
	*ret = NET_RX_DROP;
	skb->skb_iif = orig_dev->ifindex;
	skb_reset_network_header(skb);
	if (!skb_mac_header_was_set(skb))
		skb_reset_mac_header(skb);
another_round:
	if (eth_type_vlan(skb->protocol)) {
		skb = skb_vlan_untag(skb);
		if (!skb)
			return NULL;
	}
	if (!list_empty(&stack->ptype_all))
		deliver_taps(skb, &stack->ptype_all, orig_dev);
	if (!list_empty(&skb->dev->ptype_all))
		deliver_taps(skb, &skb->dev->ptype_all, orig_dev);

	if (skb->vlan_present && skb->dev->vlan_info) {
		if (vlan_do_receive(&skb))
			goto another_round;
		if (!skb)
			return NULL;
	}

	if (skb->dev->rx_handler) {
		switch (skb->dev->rx_handler(&skb)) {
		case RX_HANDLER_CONSUMED:
			*ret = NET_RX_SUCCESS;
			return NULL;
		case RX_HANDLER_ANOTHER:
			goto another_round;
		case RX_HANDLER_EXACT:
			exact = true;
			break;
		case RX_HANDLER_PASS:
			break;
		}
	}
	if (unlikely(skb->vlan_present)) {
		/* a VID no VLAN device took is not for this host */
		if (skb_vlan_tag_get_id(skb))
			skb->pkt_type = PACKET_OTHERHOST;
		__vlan_hwaccel_clear_tag(skb);
	}

	list_for_each_entry(pt, &stack->ptype_base[skb->protocol & (PTYPE_HASH_SIZE - 1)], list) {
		if (pt->type != skb->protocol)
			continue;
		if (pt->dev ? pt->dev != skb->dev : exact)
			continue;
		if (deliver) {
			/* more than one handler: each gets its own reference */
			struct sk_buff *c = skb_clone(skb);

			if (c)
				deliver->func(c, c->dev, deliver, orig_dev);
		}
		deliver = pt;
	}
	if (deliver) {
		*pskb = skb;
		return deliver;
	}
	skb->dev->stats.rx_nohandler++;
	kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
	return NULL;
}

/* one clock read per NAPI poll, not per packet (the clock is the hottest
 * call on the receive path otherwise) */
static inline void netif_receive_stamp(struct ns_stack *stack, struct sk_buff *skb)
{
	if (!skb->tstamp)
		skb->tstamp = stack->softnet.poll_now ? stack->softnet.poll_now : ns_now(stack);
	stack->softnet.processed++;
}

int netif_receive_skb(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->dev->nd_net;
	struct net_device *orig;
	struct packet_type *pt;
	int ret;

	netif_receive_stamp(stack, skb);
	pt = __netif_receive_skb_core(&skb, &orig, &ret);
	if (!pt)
		return ret;
	return pt->func(skb, skb->dev, pt, orig);
}

/* Hand a sublist to its handler: list_func when it has one. */
static void deliver_list(struct sk_buff_head *sub, struct packet_type *pt,
			 struct net_device *orig)
{
	struct sk_buff *skb;

	if (pt->list_func && skb_queue_len(sub) > 1) {
		pt->list_func(sub, pt, orig);
		return;
	}
	while ((skb = __skb_dequeue(sub)) != NULL)
		pt->func(skb, skb->dev, pt, orig);
}

/* Receive the first n skbs of q as one list (what they queue meanwhile
 * goes behind them and stays). */
static void __netif_receive_skb_list(struct sk_buff_head *q, uint32_t n)
{
	struct sk_buff_head sub;
	struct packet_type *cur = NULL;
	struct net_device *cur_orig = NULL;
	struct sk_buff *skb;

	skb_queue_head_init(&sub);
	while (n-- && (skb = __skb_dequeue(q)) != NULL) {
		struct net_device *orig;
		struct packet_type *pt;
		int ret;

		netif_receive_stamp(skb->dev->nd_net, skb);
		pt = __netif_receive_skb_core(&skb, &orig, &ret);
		if (!pt)
			continue;
		if (pt != cur || orig != cur_orig) {
			if (cur)
				deliver_list(&sub, cur, cur_orig);
			cur = pt;
			cur_orig = orig;
		}
		__skb_queue_tail(&sub, skb);
	}
	if (cur)
		deliver_list(&sub, cur, cur_orig);
}

void netif_receive_skb_list(struct sk_buff_head *list)
{
	while (!skb_queue_empty(list))
		__netif_receive_skb_list(list, skb_queue_len(list));
}

int netif_rx(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->dev->nd_net;
	struct softnet_data *sd = &stack->softnet;

	/* enqueue_to_backlog: bounded by netdev_max_backlog */
	if (skb_queue_len(&sd->input_pkt_queue) >= (uint32_t)stack->core.netdev_max_backlog) {
		sd->dropped++;
		skb->dev->stats.rx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_BACKLOG_FULL);
		return NET_RX_DROP;
	}
	/* stamped when processed (netif_receive_skb), like Linux with
	 * netdev_tstamp_prequeue=0: no clock read per queued packet */
	__skb_queue_tail(&sd->input_pkt_queue, skb);
	napi_schedule(sd->backlog);
	return NET_RX_SUCCESS;
}

static int process_backlog(struct napi_struct *napi, int quota)
{
	struct softnet_data *sd = &napi->stack->softnet;
	int work = 0;

	/* up to quota packets received as one list (Linux's GRO-less
	 * netif_receive_skb_list: each stage runs over the batch); what the
	 * batch itself queues (loopback) is taken in the next turn */
	while (work < quota) {
		uint32_t n = NS_MIN(skb_queue_len(&sd->input_pkt_queue), (uint32_t)(quota - work));

		if (!n)
			break;
		__netif_receive_skb_list(&sd->input_pkt_queue, n);
		work += (int)n;
	}
	if (work < quota)
		napi_complete_done(napi, work);
	return work;
}

/* ---- NAPI ---------------------------------------------------------------------------------- */
void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int), int weight)
{
	INIT_LIST_HEAD(&napi->poll_list);
	napi->state = 0;
	napi->poll = poll;
	napi->gro_count = 0;
	napi->weight = weight > 0 ? weight : NAPI_POLL_WEIGHT;
	napi->dev = dev;
	napi->stack = dev ? dev->nd_net : napi->stack;
	if (dev)
		list_add_tail(&napi->dev_list, &dev->napi_list);
	else
		INIT_LIST_HEAD(&napi->dev_list);
}

void netif_napi_del(struct napi_struct *napi)
{
	napi_gro_drop(napi);
	if (napi->state & (1UL << NAPI_STATE_SCHED)) {
		list_del(&napi->poll_list);
		napi->state &= ~(1UL << NAPI_STATE_SCHED);
	}
	list_del(&napi->dev_list);
}

void napi_schedule(struct napi_struct *napi)
{
	if (napi->state & (1UL << NAPI_STATE_SCHED))
		return;
	napi->state |= 1UL << NAPI_STATE_SCHED;
	list_add_tail(&napi->poll_list, &napi->stack->softnet.poll_list);
}

bool napi_complete_done(struct napi_struct *napi, int work_done)
{
	(void)work_done;
	if (!(napi->state & (1UL << NAPI_STATE_SCHED)))
		return true;
	napi->state &= ~(1UL << NAPI_STATE_SCHED);
	list_del(&napi->poll_list);
	return true;
}

/* net_rx_action: poll scheduled NAPI instances within netdev_budget; a
 * device that used its whole weight goes to the back of the list. */
static __attribute__((noinline)) int __net_rx_action(struct ns_stack *stack)
{
	struct softnet_data *sd = &stack->softnet;
	int budget = stack->core.netdev_budget;
	int total = 0;
	bool own_now = !sd->poll_now;

	if (own_now)
		sd->poll_now = ns_now(stack);	/* called outside ns_stack_step */

	while (!list_empty(&sd->poll_list)) {
		struct napi_struct *n = list_first_entry(&sd->poll_list, struct napi_struct, poll_list);
		int weight = n->weight;
		int work, quota;

		if (budget <= 0) {
			sd->time_squeeze++;
			break;
		}
		quota = weight < budget ? weight : budget;
		work = n->poll(n, quota);
		if (n->gro_count)
			napi_gro_flush(n);	/* GRO holds frames for one poll only */
		budget -= work;
		total += work;
		if (!(n->state & (1UL << NAPI_STATE_SCHED)))
			continue;
		if (work >= quota) {
			/* still busy: rotate to the tail */
			list_del(&n->poll_list);
			list_add_tail(&n->poll_list, &sd->poll_list);
		} else {
			/* did less than asked yet did not complete: done anyway */
			napi_complete_done(n, work);
		}
	}
	if (own_now)
		sd->poll_now = 0;
	return total;
}

/* Nothing scheduled (every other loop round): no frame, no clock. */
int net_rx_action(struct ns_stack *stack)
{
	if (list_empty(&stack->softnet.poll_list))
		return 0;
	return __net_rx_action(stack);
}

/* ---- transmit ------------------------------------------------------------------------------ */
/* Out of line: without taps, dev_hard_start_xmit is a test and a tail call. */
static __attribute__((noinline)) void dev_queue_xmit_nit(struct sk_buff *skb,
							 struct net_device *dev)
{
	struct ns_stack *stack = dev->nd_net;
	uint8_t saved = skb->pkt_type;

	skb_reset_mac_header(skb);
	skb->pkt_type = PACKET_OUTGOING;
	deliver_taps(skb, &stack->ptype_all, dev);
	deliver_taps(skb, &dev->ptype_all, dev);
	skb->pkt_type = saved;
}

netdev_tx_t dev_hard_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	if (unlikely(!list_empty(&dev->nd_net->ptype_all) || !list_empty(&dev->ptype_all)))
		dev_queue_xmit_nit(skb, dev);
	return dev->netdev_ops->ndo_start_xmit(skb, dev);
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct Qdisc *q = dev->qdisc;

	if (unlikely(!(dev->flags & IFF_UP) || !q)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return NET_XMIT_DROP;
	}
	/* validate_xmit_skb: a checksum the device will not complete is
	 * completed now, before taps, qdiscs and the driver see the frame */
	if (skb->ip_summed == CHECKSUM_PARTIAL && !(dev->features & NETIF_F_HW_CSUM) &&
	    unlikely(skb_checksum_help(skb))) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NET_XMIT_DROP;
	}
	if (unlikely(skb->vlan_present)) {
		/* validate_xmit_vlan: no device here inserts tags itself */
		skb = vlan_hwaccel_push_inside(skb);
		if (!skb) {
			dev->stats.tx_dropped++;
			return NET_XMIT_DROP;
		}
	}
	return __dev_xmit_skb(skb, q, dev);
}

void netif_schedule_dev(struct net_device *dev)
{
	struct Qdisc *q = dev->qdisc;

	if (!q || q->scheduled)
		return;
	q->scheduled = true;
	list_add_tail(&q->output_link, &dev->nd_net->softnet.output_queue);
}

void netif_wake_queue(struct net_device *dev)
{
	dev->state &= ~(1UL << __QUEUE_STATE_DRV_XOFF);
	netif_schedule_dev(dev);
}

/* net_tx_action: run the qdiscs that asked for it. */
int net_tx_action(struct ns_stack *stack)
{
	struct list_head *oq = &stack->softnet.output_queue;
	struct list_head todo;
	int n = 0;

	if (list_empty(oq))
		return 0;
	/* take the list: qdisc_run may reschedule onto a fresh one */
	todo = *oq;
	todo.next->prev = &todo;
	todo.prev->next = &todo;
	INIT_LIST_HEAD(oq);
	while (!list_empty(&todo)) {
		struct Qdisc *q = list_first_entry(&todo, struct Qdisc, output_link);

		list_del(&q->output_link);
		q->scheduled = false;
		if (!netif_queue_stopped(q->dev))
			qdisc_run(q);
		n++;
	}
	return n;
}

/* ---- init --------------------------------------------------------------------------------- */
int netdev_core_init(struct ns_stack *stack)
{
	struct softnet_data *sd = &stack->softnet;

	INIT_LIST_HEAD(&stack->dev_base_head);
	INIT_LIST_HEAD(&stack->netdev_notifiers);
	INIT_LIST_HEAD(&stack->ptype_all);
	for (int i = 0; i < PTYPE_HASH_SIZE; i++)
		INIT_LIST_HEAD(&stack->ptype_base[i]);
	INIT_LIST_HEAD(&sd->poll_list);
	INIT_LIST_HEAD(&sd->output_queue);
	skb_queue_head_init(&sd->input_pkt_queue);
	sd->backlog = calloc(1, sizeof(*sd->backlog));
	if (!sd->backlog)
		return -ENOMEM;
	sd->backlog->stack = stack;
	netif_napi_add(NULL, sd->backlog, process_backlog, stack->core.dev_weight);
	return 0;
}

void netdev_down_all(struct ns_stack *stack)
{
	struct net_device *dev;

	if (!stack->dev_base_head.next)
		return;	/* the device layer never came up */
	list_for_each_entry(dev, &stack->dev_base_head, dev_list)
		if (dev->flags & IFF_UP)
			dev_close(dev);
}

void netdev_core_exit(struct ns_stack *stack)
{
	struct net_device *dev, *n;

	/* every other device first, the loopback device last */
	list_for_each_entry_safe(dev, n, &stack->dev_base_head, dev_list)
		if (dev != stack->loopback_dev)
			unregister_netdev(dev);
	if (stack->loopback_dev)
		unregister_netdev(stack->loopback_dev);
	skb_queue_purge_reason(&stack->softnet.input_pkt_queue, SKB_DROP_REASON_DEV_DOWN);
	free(stack->softnet.backlog);
	stack->softnet.backlog = NULL;
}
