/* sch_generic.c - the qdisc framework: create/destroy/reset, qdisc_run
 * (dequeue into the driver, requeue when it is busy), the watchdog that
 * delayed disciplines use, the table of known disciplines, and the `tc`
 * word parsers they share. Linux counterparts: net/sched/sch_generic.c,
 * sch_api.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sch_generic.h"

static const struct Qdisc_ops *const qdisc_table[] = {
	&pfifo_fast_ops,
	&noqueue_qdisc_ops,
	&pfifo_ops,
	&netem_qdisc_ops,
};

const struct Qdisc_ops *qdisc_lookup_ops(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(qdisc_table); i++)
		if (strcmp(qdisc_table[i]->id, id) == 0)
			return qdisc_table[i];
	return NULL;
}

int qdisc_drop(struct sk_buff *skb, struct Qdisc *sch, enum skb_drop_reason reason)
{
	sch->qstats.drops++;
	kfree_skb_reason(skb, reason);
	return NET_XMIT_DROP;
}

static void qdisc_watchdog(struct timer_list *t)
{
	struct Qdisc *q = from_timer(q, t, watchdog);

	netif_schedule_dev(q->dev);
}

void qdisc_watchdog_schedule(struct Qdisc *sch, uint64_t expires)
{
	if (timer_pending(&sch->watchdog) && sch->watchdog.expires <= expires)
		return;
	mod_timer(&sch->watchdog, expires);
}

void qdisc_watchdog_cancel(struct Qdisc *sch)
{
	del_timer(&sch->watchdog);
}

struct Qdisc *qdisc_create(struct net_device *dev, const struct Qdisc_ops *ops, int argc,
			   char **argv, char *err, size_t errlen)
{
	struct Qdisc *q = aligned_alloc(64, NS_ALIGN(sizeof(*q) + ops->priv_size, 64));

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(q, 0, sizeof(*q) + ops->priv_size);
	q->ops = ops;
	q->dev = dev;
	q->parent = TC_H_ROOT;
	q->limit = dev->tx_queue_len ? dev->tx_queue_len : 1;
	skb_queue_head_init(&q->q);
	INIT_LIST_HEAD(&q->output_link);
	timer_setup(&q->watchdog, dev->nd_net, qdisc_watchdog);
	if (ops->init) {
		int rc = ops->init(q, argc, argv, err, errlen);

		if (rc) {
			del_timer(&q->watchdog);
			free(q);
			errno = -rc;
			return NULL;
		}
	} else if (argc > 0) {
		snprintf(err, errlen, "qdisc %s takes no options", ops->id);
		free(q);
		errno = EINVAL;
		return NULL;
	}
	return q;
}

void qdisc_reset(struct Qdisc *q)
{
	if (q->gso_skb) {
		kfree_skb_reason(q->gso_skb, SKB_DROP_REASON_DEV_DOWN);
		q->gso_skb = NULL;
	}
	if (q->ops->reset)
		q->ops->reset(q);
	skb_queue_purge_reason(&q->q, SKB_DROP_REASON_DEV_DOWN);
	q->qstats.qlen = 0;
	q->qstats.backlog = 0;
}

void qdisc_destroy(struct Qdisc *q)
{
	qdisc_reset(q);
	if (q->ops->destroy)
		q->ops->destroy(q);
	del_timer(&q->watchdog);
	if (q->scheduled)
		list_del(&q->output_link);
	free(q);
}

void qdisc_graft_root(struct net_device *dev, struct Qdisc *q)
{
	struct Qdisc *old = dev->qdisc;

	dev->qdisc = q;
	if (old)
		qdisc_destroy(old);
}

/* __qdisc_run: move packets to the driver until the queue empties, the
 * driver pushes back, or dev_weight is used (then reschedule). */
void qdisc_run(struct Qdisc *q)
{
	struct net_device *dev = q->dev;
	int quota = dev->nd_net->core.dev_weight;

	while (!netif_queue_stopped(dev)) {
		struct sk_buff *skb = q->gso_skb;

		if (skb)
			q->gso_skb = NULL;
		else
			skb = q->ops->dequeue(q);
		if (!skb)
			return;
		q->bstats.packets++;
		q->bstats.bytes += skb->len;
		if (dev_hard_start_xmit(skb, dev) == NETDEV_TX_BUSY) {
			/* dev_requeue_skb: keep it first in line, wait for the wake */
			q->bstats.packets--;
			q->bstats.bytes -= skb->len;
			q->gso_skb = skb;
			q->qstats.requeues++;
			if (!netif_queue_stopped(dev))
				netif_stop_queue(dev);
			return;
		}
		if (--quota <= 0) {
			netif_schedule_dev(dev);
			return;
		}
	}
}

/* __dev_xmit_skb: an idle work-conserving qdisc is skipped (Linux's
 * TCQ_F_CAN_BYPASS): the skb goes straight to the driver, counted as if it
 * had passed through. A busy driver gets it requeued like any other. */
int __dev_xmit_skb(struct sk_buff *skb, struct Qdisc *q, struct net_device *dev)
{
	int rc;

	if ((q->ops->flags & TCQ_F_CAN_BYPASS) && !q->qstats.qlen && !q->gso_skb &&
	    !netif_queue_stopped(dev)) {
		unsigned int len = skb->len;

		if (dev_hard_start_xmit(skb, dev) == NETDEV_TX_BUSY) {
			q->gso_skb = skb;
			q->qstats.requeues++;
			if (!netif_queue_stopped(dev))
				netif_stop_queue(dev);
			return NET_XMIT_SUCCESS;
		}
		q->bstats.packets++;
		q->bstats.bytes += len;
		return NET_XMIT_SUCCESS;
	}
	if (q->ops->flags & TCQ_F_NOQUEUE) {
		/* a virtual device that cannot queue: a busy driver drops */
		unsigned int len = skb->len;

		if (dev_hard_start_xmit(skb, dev) == NETDEV_TX_BUSY) {
			dev->stats.tx_dropped++;
			kfree_skb_reason(skb, SKB_DROP_REASON_QDISC_DROP);
			return NET_XMIT_DROP;
		}
		q->bstats.packets++;
		q->bstats.bytes += len;
		return NET_XMIT_SUCCESS;
	}
	rc = q->ops->enqueue(skb, q);
	if (!netif_queue_stopped(dev))
		qdisc_run(q);
	return rc;
}

/* ---- noqueue: no queue, for virtual devices (lo) ------------------------------------ */
static int noqueue_enqueue(struct sk_buff *skb, struct Qdisc *q)
{
	return qdisc_drop(skb, q, SKB_DROP_REASON_QDISC_DROP);	/* never called: bypassed */
}

static struct sk_buff *noqueue_dequeue(struct Qdisc *q)
{
	(void)q;
	return NULL;
}

const struct Qdisc_ops noqueue_qdisc_ops = {
	.id = "noqueue",
	.flags = TCQ_F_NOQUEUE,
	.enqueue = noqueue_enqueue,
	.dequeue = noqueue_dequeue,
};

/* ---- pfifo_fast: three bands by priority, like Linux's default ----------------------- */
#define PFIFO_FAST_BANDS 3
struct pfifo_fast_priv {
	struct sk_buff_head band[PFIFO_FAST_BANDS];
};

/* Linux's prio2band for TC_PRIO_* 0..15 */
static const uint8_t prio2band[16] = { 1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 };

static int pfifo_fast_enqueue(struct sk_buff *skb, struct Qdisc *q)
{
	struct pfifo_fast_priv *p = qdisc_priv(q);

	if (q->qstats.qlen >= q->limit)
		return qdisc_drop(skb, q, SKB_DROP_REASON_QDISC_DROP);
	__skb_queue_tail(&p->band[prio2band[skb->priority & 15]], skb);
	q->qstats.qlen++;
	q->qstats.backlog += skb->len;
	return NET_XMIT_SUCCESS;
}

static struct sk_buff *pfifo_fast_dequeue(struct Qdisc *q)
{
	struct pfifo_fast_priv *p = qdisc_priv(q);

	for (int b = 0; b < PFIFO_FAST_BANDS; b++) {
		struct sk_buff *skb = __skb_dequeue(&p->band[b]);

		if (skb) {
			q->qstats.qlen--;
			q->qstats.backlog -= skb->len;
			return skb;
		}
	}
	return NULL;
}

static struct sk_buff *pfifo_fast_peek(struct Qdisc *q)
{
	struct pfifo_fast_priv *p = qdisc_priv(q);

	for (int b = 0; b < PFIFO_FAST_BANDS; b++)
		if (skb_peek(&p->band[b]))
			return skb_peek(&p->band[b]);
	return NULL;
}

static void pfifo_fast_reset(struct Qdisc *q)
{
	struct pfifo_fast_priv *p = qdisc_priv(q);

	for (int b = 0; b < PFIFO_FAST_BANDS; b++)
		skb_queue_purge_reason(&p->band[b], SKB_DROP_REASON_DEV_DOWN);
	q->qstats.qlen = 0;
	q->qstats.backlog = 0;
}

static int pfifo_fast_init(struct Qdisc *q, int argc, char **argv, char *err, size_t errlen)
{
	struct pfifo_fast_priv *p = qdisc_priv(q);

	(void)argv;
	if (argc) {
		snprintf(err, errlen, "pfifo_fast takes no options");
		return -EINVAL;
	}
	for (int b = 0; b < PFIFO_FAST_BANDS; b++)
		skb_queue_head_init(&p->band[b]);
	return 0;
}

static int pfifo_fast_dump(struct Qdisc *q, char *buf, size_t len)
{
	(void)q;
	return snprintf(buf, len, "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1");
}

const struct Qdisc_ops pfifo_fast_ops = {
	.id = "pfifo_fast",
	.flags = TCQ_F_CAN_BYPASS,
	.priv_size = sizeof(struct pfifo_fast_priv),
	.enqueue = pfifo_fast_enqueue,
	.dequeue = pfifo_fast_dequeue,
	.peek = pfifo_fast_peek,
	.init = pfifo_fast_init,
	.reset = pfifo_fast_reset,
	.dump = pfifo_fast_dump,
};

/* ---- pfifo: one FIFO with a packet limit ---------------------------------------------- */
static int pfifo_enqueue(struct sk_buff *skb, struct Qdisc *q)
{
	if (q->q.qlen >= q->limit)
		return qdisc_drop(skb, q, SKB_DROP_REASON_QDISC_DROP);
	return qdisc_enqueue_tail(skb, q);
}

static struct sk_buff *pfifo_peek(struct Qdisc *q)
{
	return skb_peek(&q->q);
}

static int pfifo_init(struct Qdisc *q, int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "limit") == 0 && i + 1 < argc) {
			if (tc_parse_u32(argv[++i], &q->limit) || q->limit == 0) {
				snprintf(err, errlen, "bad limit \"%s\"", argv[i]);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "pfifo: unknown option \"%s\"", argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int pfifo_dump(struct Qdisc *q, char *buf, size_t len)
{
	return snprintf(buf, len, "limit %up", q->limit);
}

const struct Qdisc_ops pfifo_ops = {
	.id = "pfifo",
	.flags = TCQ_F_CAN_BYPASS,
	.enqueue = pfifo_enqueue,
	.dequeue = qdisc_dequeue_head,
	.peek = pfifo_peek,
	.init = pfifo_init,
	.change = pfifo_init,
	.dump = pfifo_dump,
};

/* ---- tc word parsers (tc's own units) --------------------------------------------------- */
int tc_parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (end == s || *end || errno || x > 0xffffffffUL || *s == '-')
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int tc_parse_time(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0 || !isfinite(v))
		return -EINVAL;
	if (*end == 0 || !strcmp(end, "us") || !strcmp(end, "usec") || !strcmp(end, "usecs"))
		v *= 1e3;	/* tc's default unit is microseconds */
	else if (!strcmp(end, "s") || !strcmp(end, "sec") || !strcmp(end, "secs"))
		v *= 1e9;
	else if (!strcmp(end, "ms") || !strcmp(end, "msec") || !strcmp(end, "msecs"))
		v *= 1e6;
	else if (!strcmp(end, "ns") || !strcmp(end, "nsec"))
		;
	else
		return -EINVAL;
	if (v > 3600e9)
		return -ERANGE;
	*ns = (uint64_t)(v + 0.5);
	return 0;
}

int tc_parse_percent(const char *s, uint32_t *scaled)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || strcmp(end, "%") != 0 || v < 0 || v > 100 || !isfinite(v))
		return -EINVAL;
	*scaled = v >= 100 ? 0xffffffffU : (uint32_t)(v / 100.0 * 4294967296.0);
	return 0;
}

int tc_parse_rate(const char *s, uint64_t *bytes_per_sec)
{
	static const struct { const char *unit; double bps; } units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "tbit", 1e12 },
		{ "kibit", 1024.0 }, { "mibit", 1048576.0 }, { "gibit", 1073741824.0 },
		{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v <= 0 || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(end, units[i].unit) == 0) {
			double bps = v * units[i].bps / 8.0;

			if (bps < 1 || bps > 1e15)
				return -ERANGE;
			*bytes_per_sec = (uint64_t)bps;
			return 0;
		}
	}
	if (*end == 0) {	/* bare number: bits per second, as tc */
		*bytes_per_sec = (uint64_t)(v / 8.0);
		return *bytes_per_sec ? 0 : -ERANGE;
	}
	return -EINVAL;
}

int tc_print_time(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 1000000000ULL && ns % 1000000ULL == 0)
		return snprintf(buf, len, "%gs", (double)ns / 1e9);
	if (ns >= 1000000ULL)
		return snprintf(buf, len, "%gms", (double)ns / 1e6);
	return snprintf(buf, len, "%gus", (double)ns / 1e3);
}
