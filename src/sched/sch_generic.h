/* sch_generic.h - queueing disciplines (Linux's struct Qdisc and
 * Qdisc_ops). Each device transmits through one root qdisc; dev_queue_xmit
 * enqueues, qdisc_run dequeues into the driver.
 *
 * Disciplines register a Qdisc_ops; options arrive as the words of a `tc`
 * command line ("limit 1000", "delay 5ms loss 1%"), parsed by the
 * discipline's init/change. */
#ifndef NSTACK_SCHED_SCH_GENERIC_H
#define NSTACK_SCHED_SCH_GENERIC_H

#include <stddef.h>
#include <stdint.h>

#include "core/netdevice.h"
#include "core/timer.h"

struct Qdisc;

struct gnet_stats_basic {
	uint64_t bytes;
	uint64_t packets;
};
struct gnet_stats_queue {
	uint32_t qlen;
	uint32_t backlog;	/* bytes queued */
	uint32_t drops;
	uint32_t requeues;
	uint32_t overlimits;
};

/* Qdisc_ops.flags */
#define TCQ_F_CAN_BYPASS 0x1	/* work-conserving FIFO: an empty queue may be skipped */
#define TCQ_F_NOQUEUE    0x2	/* no queue at all (virtual devices such as lo) */

struct Qdisc_ops {
	const char *id;		/* "pfifo_fast", "netem", ... */
	unsigned int flags;	/* TCQ_F_* */
	size_t priv_size;	/* bytes of qdisc_priv() */
	/* Take skb or drop it (qdisc_drop). NET_XMIT_SUCCESS / _DROP / _CN. */
	int (*enqueue)(struct sk_buff *skb, struct Qdisc *sch);
	/* Next skb to send, or NULL (nothing, or nothing due yet). */
	struct sk_buff *(*dequeue)(struct Qdisc *sch);
	/* The skb dequeue would return, left queued. May be NULL. */
	struct sk_buff *(*peek)(struct Qdisc *sch);
	/* Parse tc words; 0 or -errno with a message in err. May be NULL. */
	int (*init)(struct Qdisc *sch, int argc, char **argv, char *err, size_t errlen);
	/* Change options in place (tc qdisc change). May be NULL (-EOPNOTSUPP). */
	int (*change)(struct Qdisc *sch, int argc, char **argv, char *err, size_t errlen);
	/* Drop everything queued. */
	void (*reset)(struct Qdisc *sch);
	/* Release private state (after reset). May be NULL. */
	void (*destroy)(struct Qdisc *sch);
	/* Write the option part of `tc qdisc show` ("limit 1000 delay 5ms").
	 * Returns chars written (snprintf rules). May be NULL. */
	int (*dump)(struct Qdisc *sch, char *buf, size_t len);
};

struct Qdisc {
	const struct Qdisc_ops *ops;
	struct net_device *dev;
	uint32_t handle;		/* major:minor as 0xMMMM0000 */
	uint32_t parent;		/* TC_H_ROOT */
	uint32_t limit;			/* packets */
	struct sk_buff_head q;		/* simple disciplines queue here */
	struct sk_buff *gso_skb;	/* handed back by a busy driver */
	struct gnet_stats_basic bstats;
	struct gnet_stats_queue qstats;
	struct timer_list watchdog;	/* qdisc_watchdog_schedule */
	struct list_head output_link;	/* on softnet.output_queue */
	bool scheduled;
	_Alignas(16) unsigned char priv[];	/* ops->priv_size bytes */
};

#define TC_H_ROOT 0xFFFFFFFFU

static inline void *qdisc_priv(struct Qdisc *sch)
{
	return sch->priv;
}
static inline struct ns_stack *qdisc_net(const struct Qdisc *sch)
{
	return sch->dev->nd_net;
}

/* Helpers for disciplines */
static inline int qdisc_enqueue_tail(struct sk_buff *skb, struct Qdisc *sch)
{
	__skb_queue_tail(&sch->q, skb);
	sch->qstats.backlog += skb->len;
	sch->qstats.qlen = sch->q.qlen;
	return NET_XMIT_SUCCESS;
}
static inline struct sk_buff *qdisc_dequeue_head(struct Qdisc *sch)
{
	struct sk_buff *skb = __skb_dequeue(&sch->q);

	if (skb)
		sch->qstats.backlog -= skb->len;
	sch->qstats.qlen = sch->q.qlen;
	return skb;
}
/* Count and free a dropped skb; returns NET_XMIT_DROP. */
int qdisc_drop(struct sk_buff *skb, struct Qdisc *sch, enum skb_drop_reason reason);
/* Wake the device's tx path at absolute time `expires` ns (netem, tbf). */
void qdisc_watchdog_schedule(struct Qdisc *sch, uint64_t expires);
void qdisc_watchdog_cancel(struct Qdisc *sch);

/* The disciplines nstack knows (an immutable table in sch_api.c). */
const struct Qdisc_ops *qdisc_lookup_ops(const char *id);
/* Create a qdisc for dev from tc words; NULL with err filled on failure. */
struct Qdisc *qdisc_create(struct net_device *dev, const struct Qdisc_ops *ops, int argc,
			   char **argv, char *err, size_t errlen);
/* Replace dev's root qdisc (the old one is reset and freed). */
void qdisc_graft_root(struct net_device *dev, struct Qdisc *q);
void qdisc_destroy(struct Qdisc *q);
void qdisc_reset(struct Qdisc *q);
/* Dequeue into the driver until empty, stopped, or quota used. */
void qdisc_run(struct Qdisc *q);
/* dev_queue_xmit's path through q: bypass, noqueue or enqueue + run. */
int __dev_xmit_skb(struct sk_buff *skb, struct Qdisc *q, struct net_device *dev);

extern const struct Qdisc_ops pfifo_fast_ops;
extern const struct Qdisc_ops pfifo_ops;
extern const struct Qdisc_ops noqueue_qdisc_ops;
extern const struct Qdisc_ops netem_qdisc_ops;

/* tc helpers: "5ms" -> ns, "1%" -> fraction in 2^32 units, "1mbit" -> bytes/s */
int tc_parse_time(const char *s, uint64_t *ns);
int tc_parse_percent(const char *s, uint32_t *scaled);
int tc_parse_rate(const char *s, uint64_t *bytes_per_sec);
int tc_parse_u32(const char *s, uint32_t *v);
int tc_print_time(char *buf, size_t len, uint64_t ns);

#endif
