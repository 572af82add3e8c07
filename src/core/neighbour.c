/* neighbour.c - the generic neighbour cache (see neighbour.h). State
 * machine after Linux's net/core/neighbour.c and RFC 4861 7.3.2 (whose NUD
 * states ARP shares in Linux). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/neighbour.h"
#include "core/proc.h"
#include "ethernet/eth.h"

#define NS_PER_MS 1000000ULL
#define NEIGH_FORCED_GC_NS (5000 * NS_PER_MS)	/* Linux: 5 * HZ */

static uint64_t ms_to_ns(int ms)
{
	return ms > 0 ? (uint64_t)ms * NS_PER_MS : 0;
}

/* The clock read of this round when inside one (softnet.poll_now, set by
 * ns_stack_step and NAPI polls), else the clock: no extra read per packet. */
static inline uint64_t neigh_clock(struct ns_stack *stack)
{
	uint64_t n = stack->softnet.poll_now;

	return n ? n : ns_now(stack);
}

static uint64_t neigh_rand_reach_time(struct ns_stack *stack, int base_ms)
{
	uint64_t base = ms_to_ns(base_ms);

	/* Linux's neigh_rand_reach_time: uniform in [base/2, 3*base/2) */
	if (!base)
		return 0;
	return base / 2 + (ns_random(stack) % base);
}

static void neigh_parms_defaults(struct neigh_parms *p)
{
	static const int def[NEIGH_VAR_DATA_MAX] = {
		[NEIGH_VAR_MCAST_PROBES] = 3,
		[NEIGH_VAR_UCAST_PROBES] = 3,
		[NEIGH_VAR_APP_PROBES] = 0,
		[NEIGH_VAR_MCAST_REPROBES] = 0,
		[NEIGH_VAR_RETRANS_TIME] = 1000,
		[NEIGH_VAR_BASE_REACHABLE_TIME] = 30000,
		[NEIGH_VAR_DELAY_PROBE_TIME] = 5000,
		[NEIGH_VAR_GC_STALETIME] = 60000,
		[NEIGH_VAR_QUEUE_LEN_BYTES] = 212992,	/* SK_WMEM_MAX */
		[NEIGH_VAR_QUEUE_LEN] = 101,
		[NEIGH_VAR_PROXY_QLEN] = 64,
		[NEIGH_VAR_ANYCAST_DELAY] = 1000,
		[NEIGH_VAR_PROXY_DELAY] = 800,
		[NEIGH_VAR_LOCKTIME] = 1000,
	};
	memcpy(p->data, def, sizeof(def));
}

/* ---- sysctls: Linux shows some times in seconds, some in USER_HZ ---------------- */
static int parse_nonneg(const char *v, int *out)
{
	char *end;
	long x = strtol(v, &end, 10);

	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	if (end == v || *end || x < 0 || x > 0x7fffffff)
		return -EINVAL;
	*out = (int)x;
	return 0;
}

static int show_sec(struct ns_stack *s, struct seq_buf *b, void *d)
{
	(void)s;
	seq_printf(b, "%d\n", *(int *)d / 1000);
	return 0;
}
static int write_sec(struct ns_stack *s, const char *v, void *d)
{
	int x;

	(void)s;
	if (parse_nonneg(v, &x) || x > 0x7fffffff / 1000)
		return -EINVAL;
	*(int *)d = x * 1000;
	return 0;
}
static int show_userhz(struct ns_stack *s, struct seq_buf *b, void *d)
{
	(void)s;
	seq_printf(b, "%d\n", *(int *)d / 10);
	return 0;
}
static int write_userhz(struct ns_stack *s, const char *v, void *d)
{
	int x;

	(void)s;
	if (parse_nonneg(v, &x) || x > 0x7fffffff / 10)
		return -EINVAL;
	*(int *)d = x * 10;
	return 0;
}

struct neigh_sysctl {
	const char *name;
	int var;
	int kind;	/* 0 plain int / ms, 1 seconds, 2 USER_HZ */
};
static const struct neigh_sysctl neigh_sysctls[] = {
	{ "anycast_delay", NEIGH_VAR_ANYCAST_DELAY, 2 },
	{ "app_solicit", NEIGH_VAR_APP_PROBES, 0 },
	{ "base_reachable_time", NEIGH_VAR_BASE_REACHABLE_TIME, 1 },
	{ "base_reachable_time_ms", NEIGH_VAR_BASE_REACHABLE_TIME, 0 },
	{ "delay_first_probe_time", NEIGH_VAR_DELAY_PROBE_TIME, 1 },
	{ "gc_stale_time", NEIGH_VAR_GC_STALETIME, 1 },
	{ "locktime", NEIGH_VAR_LOCKTIME, 2 },
	{ "mcast_resolicit", NEIGH_VAR_MCAST_REPROBES, 0 },
	{ "mcast_solicit", NEIGH_VAR_MCAST_PROBES, 0 },
	{ "proxy_delay", NEIGH_VAR_PROXY_DELAY, 2 },
	{ "proxy_qlen", NEIGH_VAR_PROXY_QLEN, 0 },
	{ "retrans_time", NEIGH_VAR_RETRANS_TIME, 2 },
	{ "retrans_time_ms", NEIGH_VAR_RETRANS_TIME, 0 },
	{ "ucast_solicit", NEIGH_VAR_UCAST_PROBES, 0 },
	{ "unres_qlen", NEIGH_VAR_QUEUE_LEN, 0 },
	{ "unres_qlen_bytes", NEIGH_VAR_QUEUE_LEN_BYTES, 0 },
};

static void neigh_sysctl_path(char *buf, size_t len, const struct neigh_table *tbl,
			      const char *dir, const char *name)
{
	snprintf(buf, len, "/proc/sys/net/%s/neigh/%s/%s", tbl->proto_dir, dir, name);
}

static int neigh_sysctl_register(struct neigh_table *tbl, struct neigh_parms *p, const char *dir)
{
	char path[160];
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(neigh_sysctls); i++) {
		const struct neigh_sysctl *s = &neigh_sysctls[i];
		int *var = &p->data[s->var];

		neigh_sysctl_path(path, sizeof(path), tbl, dir, s->name);
		if (s->kind == 1)
			rc |= proc_create(tbl->stack, path, show_sec, write_sec, var);
		else if (s->kind == 2)
			rc |= proc_create(tbl->stack, path, show_userhz, write_userhz, var);
		else
			rc |= proc_create_int(tbl->stack, path, var, 0, 0x7fffffff);
	}
	return rc ? -ENOMEM : 0;
}

/* ---- hashing and lifetime -------------------------------------------------------- */
static inline uint32_t neigh_hash_len(const struct neigh_table *tbl, const uint8_t *k,
				      unsigned int len, int ifindex)
{
	uint32_t h = tbl->hash_rnd ^ (uint32_t)ifindex * 0x9e3779b1u;

	for (unsigned int i = 0; i < len; i++)
		h = (h ^ k[i]) * 0x01000193u;	/* FNV-1a with a secret offset */
	h ^= h >> 15;
	return h & ((1u << NEIGH_HASH_BITS) - 1);
}

/* ARP's 4-byte key is hashed and compared with the length a constant, so
 * the compiler unrolls the loop and compares one word instead of calling
 * memcmp: this runs for every forwarded packet. */
static inline uint32_t neigh_hash(const struct neigh_table *tbl, const void *pkey, int ifindex)
{
	if (tbl->key_len == 4) {
		const uint8_t *k = pkey;
		uint32_t h = tbl->hash_rnd ^ (uint32_t)ifindex * 0x9e3779b1u;

		/* neigh_hash_len's loop, unrolled: the same value */
		h = (h ^ k[0]) * 0x01000193u;
		h = (h ^ k[1]) * 0x01000193u;
		h = (h ^ k[2]) * 0x01000193u;
		h = (h ^ k[3]) * 0x01000193u;
		h ^= h >> 15;
		return h & ((1u << NEIGH_HASH_BITS) - 1);
	}
	return neigh_hash_len(tbl, pkey, tbl->key_len, ifindex);
}

static inline bool neigh_key_eq(const struct neigh_table *tbl, const uint8_t *a, const void *b)
{
	if (tbl->key_len == 4) {
		uint32_t x, y;

		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return x == y;
	}
	return memcmp(a, b, tbl->key_len) == 0;
}

struct neighbour *neigh_lookup(struct neigh_table *tbl, const void *pkey,
			       const struct net_device *dev)
{
	struct neighbour *n;

	tbl->stats.lookups++;
	hlist_for_each_entry(n, &tbl->buckets[neigh_hash(tbl, pkey, dev->ifindex)], hash) {
		if (n->dev == dev && neigh_key_eq(tbl, n->primary_key, pkey)) {
			tbl->stats.hits++;
			return n;
		}
	}
	return NULL;
}

static void neigh_purge_queue(struct neighbour *n, enum skb_drop_reason reason)
{
	skb_queue_purge_reason(&n->arp_queue, reason);
	n->arp_queue_len_bytes = 0;
}

static void neigh_destroy(struct neighbour *n)
{
	struct neigh_table *tbl = n->tbl;

	del_timer(&n->timer);
	neigh_purge_queue(n, SKB_DROP_REASON_NEIGH_FAILED);
	/* cached dsts may point at n (Linux holds a reference instead) */
	tbl->stack->softnet.dst_genid++;
	hlist_del(&n->hash);
	if (!list_empty(&n->gc_list)) {
		list_del(&n->gc_list);
		tbl->gc_entries--;
	}
	tbl->entries--;
	tbl->stats.destroys++;
	free(n);
}

/* Linux's neigh_forced_gc: free entries that are failed, NOARP or not
 * updated for 5 s, oldest first, down to gc_thresh2. */
static int neigh_forced_gc(struct neigh_table *tbl)
{
	int max_clean = (int)tbl->gc_entries - tbl->gc_thresh2, shrunk = 0;
	uint64_t now = ns_now(tbl->stack);
	uint64_t tref = now > NEIGH_FORCED_GC_NS ? now - NEIGH_FORCED_GC_NS : 0;
	struct neighbour *n, *tmp;

	tbl->stats.forced_gc_runs++;
	list_for_each_entry_safe(n, tmp, &tbl->gc_list, gc_list) {
		if (n->pinned)
			continue;
		if (n->nud_state == NUD_FAILED || n->nud_state == NUD_NOARP || n->updated < tref) {
			neigh_destroy(n);
			if (++shrunk >= max_clean)
				break;
		}
	}
	tbl->last_flush = now;
	return shrunk;
}

static void neigh_timer_handler(struct timer_list *t);

static struct neighbour *neigh_alloc(struct neigh_table *tbl, struct net_device *dev)
{
	uint64_t now = ns_now(tbl->stack);
	struct neighbour *n;

	if ((int)tbl->gc_entries >= tbl->gc_thresh3 ||
	    ((int)tbl->gc_entries >= tbl->gc_thresh2 && now > tbl->last_flush + NEIGH_FORCED_GC_NS)) {
		if (!neigh_forced_gc(tbl) && (int)tbl->gc_entries >= tbl->gc_thresh3) {
			tbl->stats.table_fulls++;
			return NULL;
		}
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->tbl = tbl;
	n->dev = dev;
	n->parms = neigh_get_parms(tbl, dev);
	n->updated = n->used = now;
	skb_queue_head_init(&n->arp_queue);
	timer_setup(&n->timer, tbl->stack, neigh_timer_handler);
	INIT_LIST_HEAD(&n->gc_list);
	tbl->stats.allocs++;
	return n;
}

static struct neighbour *neigh_create(struct neigh_table *tbl, const void *pkey,
				      struct net_device *dev)
{
	struct neighbour *n = neigh_alloc(tbl, dev);

	if (!n)
		return NULL;
	memcpy(n->primary_key, pkey, tbl->key_len);
	tbl->entries++;
	hlist_add_head(&n->hash, &tbl->buckets[neigh_hash(tbl, pkey, dev->ifindex)]);
	list_add_tail(&n->gc_list, &tbl->gc_list);
	tbl->gc_entries++;
	if (!timer_pending(&tbl->gc_timer))
		mod_timer(&tbl->gc_timer, ns_now(tbl->stack) +
			  ms_to_ns(NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME)) / 2);
	if (tbl->constructor && tbl->constructor(n) < 0) {
		neigh_destroy(n);
		return NULL;
	}
	/* a constructor may make it permanent-like (NOARP): it still counts
	 * for the thresholds as in Linux (only PERMANENT is exempt) */
	return n;
}

struct neighbour *__neigh_lookup(struct neigh_table *tbl, const void *pkey,
				 struct net_device *dev, bool creat)
{
	struct neighbour *n = neigh_lookup(tbl, pkey, dev);

	if (n || !creat)
		return n;
	return neigh_create(tbl, pkey, dev);
}

/* Keep gc_list membership in step with NUD_PERMANENT (Linux's
 * neigh_update_gc_list) and move recently updated entries to the tail. */
static void neigh_update_gc_list(struct neighbour *n)
{
	struct neigh_table *tbl = n->tbl;
	bool exempt = n->nud_state & NUD_PERMANENT;

	if (!list_empty(&n->gc_list)) {
		list_del(&n->gc_list);
		tbl->gc_entries--;
	}
	if (!exempt) {
		list_add_tail(&n->gc_list, &tbl->gc_list);
		tbl->gc_entries++;
	}
}

/* ---- output ---------------------------------------------------------------------- */
/* Push the cached link header (Linux's neigh_hh_output): one fixed-size
 * copy. The header is right-aligned in hh_data like Linux's. */
static inline int neigh_hh_output(struct neighbour *n, struct sk_buff *skb)
{
	unsigned int len = n->hh_len;
	uint8_t *h = skb_push(skb, len);

	if (unlikely(!h))
		return -ENOBUFS;
	if (len == 14) {
		memcpy(h, n->hh_data + 2, 14);
	} else {
		memcpy(h, n->hh_data + NEIGH_HH_MAX - len, len);
	}
	return (int)len;
}

/* Remember the header create() just pushed, for the next packets. Only
 * headers that depend on (device, type, destination) alone, as Linux's
 * header_ops->cache: Ethernet's. */
static void neigh_hh_init(struct neighbour *n, const struct sk_buff *skb, int len)
{
	if (n->dev->header_ops != &eth_header_ops || len <= 0 || len > NEIGH_HH_MAX)
		return;
	memcpy(n->hh_data + NEIGH_HH_MAX - len, skb->data, (size_t)len);
	n->hh_genid = dev_net(n->dev)->softnet.dst_genid;
	n->hh_len = (uint8_t)len;
}

static int neigh_xmit_resolved(struct neighbour *n, struct sk_buff *skb)
{
	struct net_device *dev = n->dev;

	skb->dev = dev;
	if (dev->header_ops) {
		int rc;

		if (likely(n->hh_len && n->hh_genid == dev_net(dev)->softnet.dst_genid)) {
			rc = neigh_hh_output(n, skb);
		} else {
			n->hh_len = 0;
			rc = dev->header_ops->create(skb, dev, n->tbl->protocol, n->ha, NULL, skb->len);
			if (rc > 0 && (n->nud_state & NUD_VALID))
				neigh_hh_init(n, skb, rc);
		}
		if (rc < 0) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return rc;
		}
		skb_reset_mac_header(skb);
	}
	skb->protocol = n->tbl->protocol;
	return dev_queue_xmit(skb) == NET_XMIT_DROP ? -ENOBUFS : 0;
}

static void neigh_probe(struct neighbour *n)
{
	struct sk_buff *skb = skb_peek_tail(&n->arp_queue);

	n->pinned++;
	n->tbl->ops->solicit(n, skb);
	n->pinned--;
	n->probes++;
}

static void neigh_queue(struct neighbour *n, struct sk_buff *skb)
{
	struct neigh_parms *p = n->parms;

	/* bounded: drop the oldest packets first (Linux's __neigh_event_send) */
	while (n->arp_queue.qlen &&
	       (n->arp_queue_len_bytes + skb->truesize > (unsigned int)NEIGH_VAR(p, QUEUE_LEN_BYTES) ||
		n->arp_queue.qlen >= (unsigned int)NEIGH_VAR(p, QUEUE_LEN))) {
		struct sk_buff *old = __skb_dequeue(&n->arp_queue);

		n->arp_queue_len_bytes -= old->truesize;
		n->tbl->stats.unres_discards++;
		kfree_skb_reason(old, SKB_DROP_REASON_NEIGH_QUEUEFULL);
	}
	if (skb->truesize > (unsigned int)NEIGH_VAR(p, QUEUE_LEN_BYTES) ||
	    !NEIGH_VAR(p, QUEUE_LEN)) {
		n->tbl->stats.unres_discards++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_QUEUEFULL);
		return;
	}
	__skb_queue_tail(&n->arp_queue, skb);
	n->arp_queue_len_bytes += skb->truesize;
}

int neigh_event_send(struct neighbour *n, struct sk_buff *skb)
{
	struct neigh_parms *p = n->parms;
	bool immediate_probe = false;
	uint64_t now;

	if (n->nud_state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE))
		return 0;
	now = neigh_clock(n->tbl->stack);
	n->used = now;
	if (!(n->nud_state & (NUD_STALE | NUD_INCOMPLETE))) {
		if (NEIGH_VAR(p, MCAST_PROBES) + NEIGH_VAR(p, APP_PROBES)) {
			n->probes = NEIGH_VAR(p, UCAST_PROBES);
			n->nud_state = NUD_INCOMPLETE;
			n->updated = now;
			mod_timer(&n->timer, now + NS_MAX(ms_to_ns(NEIGH_VAR(p, RETRANS_TIME)),
							   10 * NS_PER_MS));
			immediate_probe = true;
		} else {
			n->nud_state = NUD_FAILED;
			n->updated = now;
			kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
			return 1;
		}
	} else if (n->nud_state & NUD_STALE) {
		/* RFC 4861 7.3.3: first use of a STALE entry -> DELAY */
		n->nud_state = NUD_DELAY;
		n->updated = now;
		mod_timer(&n->timer, now + ms_to_ns(NEIGH_VAR(p, DELAY_PROBE_TIME)));
	}
	if (n->nud_state != NUD_INCOMPLETE)
		return 0;
	if (skb)
		neigh_queue(n, skb);
	if (immediate_probe)
		neigh_probe(n);
	return 1;
}

int neigh_output(struct neighbour *n, struct sk_buff *skb)
{
	if ((n->nud_state & NUD_CONNECTED) || !neigh_event_send(n, skb))
		return neigh_xmit_resolved(n, skb);
	return 0;
}

void neigh_confirm(struct neighbour *n)
{
	n->confirmed = neigh_clock(n->tbl->stack);
}

/* Resolution failed: report and drop what waited (Linux's neigh_invalidate). */
static void neigh_invalidate(struct neighbour *n)
{
	struct sk_buff_head q;
	struct sk_buff *skb;

	n->tbl->stats.res_failed++;
	skb_queue_head_init(&q);
	skb_queue_splice_tail_init(&n->arp_queue, &q);
	n->arp_queue_len_bytes = 0;
	n->pinned++;
	while ((skb = __skb_dequeue(&q)) != NULL) {
		if (n->tbl->ops->error_report)
			n->tbl->ops->error_report(n, skb);
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
	}
	n->pinned--;
}

static void neigh_flush_queue(struct neighbour *n)
{
	struct sk_buff_head q;
	struct sk_buff *skb;

	skb_queue_head_init(&q);
	skb_queue_splice_tail_init(&n->arp_queue, &q);
	n->arp_queue_len_bytes = 0;
	n->pinned++;
	while ((skb = __skb_dequeue(&q)) != NULL)
		neigh_xmit_resolved(n, skb);
	n->pinned--;
}

static int neigh_max_probes(const struct neighbour *n)
{
	const struct neigh_parms *p = n->parms;

	return NEIGH_VAR(p, UCAST_PROBES) + NEIGH_VAR(p, APP_PROBES) +
	       (n->nud_state & NUD_PROBE ? NEIGH_VAR(p, MCAST_REPROBES) : NEIGH_VAR(p, MCAST_PROBES));
}

/* Linux's neigh_timer_handler: REACHABLE -> DELAY/STALE, DELAY ->
 * REACHABLE/PROBE, INCOMPLETE/PROBE -> probe again or FAILED. */
static void neigh_timer_handler(struct timer_list *t)
{
	struct neighbour *n = from_timer(n, t, timer);
	struct neigh_parms *p = n->parms;
	uint64_t now = ns_now(n->tbl->stack), next = now + ms_to_ns(1000);
	uint8_t state = n->nud_state;

	if (!(state & NUD_IN_TIMER))
		return;
	if (state & NUD_REACHABLE) {
		if (now <= n->confirmed + p->reachable_time) {
			next = n->confirmed + p->reachable_time;
		} else if (now <= n->used + ms_to_ns(NEIGH_VAR(p, DELAY_PROBE_TIME))) {
			n->nud_state = NUD_DELAY;
			n->updated = now;
			next = now + ms_to_ns(NEIGH_VAR(p, DELAY_PROBE_TIME));
		} else {
			n->nud_state = NUD_STALE;
			n->updated = now;
			return;
		}
	} else if (state & NUD_DELAY) {
		if (now <= n->confirmed + ms_to_ns(NEIGH_VAR(p, DELAY_PROBE_TIME))) {
			n->nud_state = NUD_REACHABLE;
			n->updated = now;
			next = n->confirmed + p->reachable_time;
		} else {
			n->nud_state = NUD_PROBE;
			n->updated = now;
			n->probes = 0;
			next = now + NS_MAX(ms_to_ns(NEIGH_VAR(p, RETRANS_TIME)), 10 * NS_PER_MS);
		}
	} else {
		next = now + NS_MAX(ms_to_ns(NEIGH_VAR(p, RETRANS_TIME)), 10 * NS_PER_MS);
	}
	if ((n->nud_state & (NUD_INCOMPLETE | NUD_PROBE)) && n->probes >= neigh_max_probes(n)) {
		n->nud_state = NUD_FAILED;
		n->updated = now;
		neigh_invalidate(n);
		return;
	}
	if (n->nud_state & NUD_IN_TIMER)
		mod_timer(&n->timer, next);
	if (n->nud_state & (NUD_INCOMPLETE | NUD_PROBE))
		neigh_probe(n);
}

int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint8_t new_state, uint32_t flags)
{
	struct net_device *dev = n->dev;
	uint64_t now = ns_now(n->tbl->stack);
	uint8_t old = n->nud_state;
	bool changed_addr;

	if (!(flags & NEIGH_UPDATE_F_ADMIN) && (old & (NUD_NOARP | NUD_PERMANENT)))
		return -EPERM;
	if (!(new_state & NUD_VALID)) {
		del_timer(&n->timer);
		n->nud_state = new_state;
		if ((old & (NUD_INCOMPLETE | NUD_PROBE)) && (new_state & NUD_FAILED))
			neigh_invalidate(n);
		neigh_update_gc_list(n);
		return 0;
	}
	if (!dev->addr_len) {
		lladdr = n->ha;
	} else if (lladdr) {
		if ((old & NUD_VALID) && memcmp(lladdr, n->ha, dev->addr_len) == 0)
			lladdr = n->ha;
	} else {
		if (!(old & NUD_VALID))
			return -EINVAL;
		lladdr = n->ha;
	}
	if (new_state & NUD_CONNECTED)
		n->confirmed = now;
	if (old & NUD_VALID) {
		if (lladdr != n->ha && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
			if ((flags & NEIGH_UPDATE_F_WEAK_OVERRIDE) && (old & NUD_CONNECTED)) {
				lladdr = n->ha;
				new_state = NUD_STALE;
			} else {
				return 0;
			}
		} else if (lladdr == n->ha && new_state == NUD_STALE &&
			   !(flags & NEIGH_UPDATE_F_ADMIN)) {
			new_state = old;
		}
	}
	if (new_state != old || lladdr != n->ha)
		n->updated = now;
	if (new_state != old) {
		del_timer(&n->timer);
		if (new_state & NUD_PROBE)
			n->probes = 0;
		if (new_state & NUD_IN_TIMER)
			mod_timer(&n->timer, now + (new_state & NUD_REACHABLE ? n->parms->reachable_time : 0));
		n->nud_state = new_state;
	}
	changed_addr = lladdr != n->ha;
	if (changed_addr) {
		memcpy(n->ha, lladdr, dev->addr_len);
		n->hh_len = 0;	/* the cached header names the old address */
		if (!(new_state & NUD_CONNECTED))
			n->confirmed = now - NS_MIN(now, 2 * ms_to_ns(NEIGH_VAR(n->parms, BASE_REACHABLE_TIME)));
	}
	neigh_update_gc_list(n);
	if (new_state != old && !(old & NUD_VALID))
		neigh_flush_queue(n);
	return 0;
}

/* ---- admin ------------------------------------------------------------------------- */
int neigh_add(struct neigh_table *tbl, const void *pkey, struct net_device *dev,
	      const uint8_t *lladdr, uint8_t state)
{
	struct neighbour *n;

	if (!(state & (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE | NUD_NOARP)))
		return -EINVAL;
	if (dev->addr_len && !lladdr && !(state & NUD_NOARP))
		return -EINVAL;
	n = __neigh_lookup(tbl, pkey, dev, true);
	if (!n)
		return -ENOBUFS;
	return neigh_update(n, lladdr, state, NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE);
}

int neigh_delete(struct neigh_table *tbl, const void *pkey, struct net_device *dev)
{
	struct neighbour *n = neigh_lookup(tbl, pkey, dev);

	if (!n)
		return -ENOENT;
	if (n->pinned) {
		neigh_update(n, NULL, NUD_FAILED, NEIGH_UPDATE_F_ADMIN);
		return 0;
	}
	neigh_destroy(n);
	return 0;
}

void neigh_ifdown(struct neigh_table *tbl, struct net_device *dev)
{
	for (unsigned int b = 0; b < (1u << NEIGH_HASH_BITS); b++) {
		struct neighbour *n;
		struct hlist_node *tmp;

		hlist_for_each_entry_safe(n, tmp, &tbl->buckets[b], hash)
			if (!dev || n->dev == dev)
				neigh_destroy(n);
	}
}

void neigh_for_each(struct neigh_table *tbl, void (*cb)(struct neighbour *n, void *ctx), void *ctx)
{
	for (unsigned int b = 0; b < (1u << NEIGH_HASH_BITS); b++) {
		struct neighbour *n;

		hlist_for_each_entry(n, &tbl->buckets[b], hash)
			cb(n, ctx);
	}
}

/* ---- periodic GC (Linux's neigh_periodic_work) --------------------------------------- */
static void neigh_periodic(struct timer_list *t)
{
	struct neigh_table *tbl = from_timer(tbl, t, gc_timer);
	uint64_t now = ns_now(tbl->stack);
	struct neighbour *n, *tmp;
	struct neigh_parms *p;

	tbl->stats.periodic_gc_runs++;
	if (now >= tbl->last_rand + 300000 * NS_PER_MS) {
		tbl->last_rand = now;
		tbl->parms.reachable_time = neigh_rand_reach_time(tbl->stack,
					NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME));
		list_for_each_entry(p, &tbl->parms_list, list)
			p->reachable_time = neigh_rand_reach_time(tbl->stack,
					NEIGH_VAR(p, BASE_REACHABLE_TIME));
	}
	if ((int)tbl->gc_entries >= tbl->gc_thresh1) {
		list_for_each_entry_safe(n, tmp, &tbl->gc_list, gc_list) {
			if ((n->nud_state & (NUD_PERMANENT | NUD_IN_TIMER)) || n->pinned)
				continue;
			if (n->used < n->confirmed)
				n->used = n->confirmed;
			if (n->nud_state == NUD_FAILED ||
			    now > n->used + ms_to_ns(NEIGH_VAR(n->parms, GC_STALETIME)))
				neigh_destroy(n);
		}
	}
	/* an idle stack keeps no timer: re-armed by the next entry */
	if (tbl->entries)
		mod_timer(&tbl->gc_timer, now + ms_to_ns(NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME)) / 2);
}

/* ---- parameters -------------------------------------------------------------------- */
struct neigh_parms *neigh_get_parms(struct neigh_table *tbl, const struct net_device *dev)
{
	struct neigh_parms *p;

	if (dev) {
		list_for_each_entry(p, &tbl->parms_list, list)
			if (p->ifindex == dev->ifindex)
				return p;
	}
	return &tbl->parms;
}

struct neigh_parms *neigh_parms_alloc(struct net_device *dev, struct neigh_table *tbl)
{
	struct neigh_parms *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	memcpy(p->data, tbl->parms.data, sizeof(p->data));
	p->tbl = tbl;
	p->ifindex = dev->ifindex;
	p->reachable_time = neigh_rand_reach_time(tbl->stack, NEIGH_VAR(p, BASE_REACHABLE_TIME));
	list_add_tail(&p->list, &tbl->parms_list);
	if (neigh_sysctl_register(tbl, p, dev->name)) {
		neigh_parms_release(tbl, p);
		return NULL;
	}
	return p;
}

void neigh_parms_release(struct neigh_table *tbl, struct neigh_parms *p)
{
	char path[160];
	struct net_device *dev;

	if (!p || p == &tbl->parms)
		return;
	dev = dev_get_by_index(tbl->stack, p->ifindex);
	for (unsigned int b = 0; b < (1u << NEIGH_HASH_BITS); b++) {
		struct neighbour *n;

		hlist_for_each_entry(n, &tbl->buckets[b], hash)
			if (n->parms == p)
				n->parms = &tbl->parms;
	}
	if (dev) {
		neigh_sysctl_path(path, sizeof(path), tbl, dev->name, "");
		proc_remove_prefix(tbl->stack, path);
	}
	list_del(&p->list);
	free(p);
}

static int neigh_gc_sysctls(struct neigh_table *tbl)
{
	char path[160];
	int rc = 0;

	neigh_sysctl_path(path, sizeof(path), tbl, "default", "gc_interval");
	rc |= proc_create(tbl->stack, path, show_sec, write_sec, &tbl->gc_interval);
	neigh_sysctl_path(path, sizeof(path), tbl, "default", "gc_thresh1");
	rc |= proc_create_int(tbl->stack, path, &tbl->gc_thresh1, 0, 0x7fffffff);
	neigh_sysctl_path(path, sizeof(path), tbl, "default", "gc_thresh2");
	rc |= proc_create_int(tbl->stack, path, &tbl->gc_thresh2, 0, 0x7fffffff);
	neigh_sysctl_path(path, sizeof(path), tbl, "default", "gc_thresh3");
	rc |= proc_create_int(tbl->stack, path, &tbl->gc_thresh3, 0, 0x7fffffff);
	return rc ? -ENOMEM : 0;
}

int neigh_table_init(struct ns_stack *stack, struct neigh_table *tbl)
{
	uint64_t now = ns_now(stack);

	tbl->stack = stack;
	neigh_parms_defaults(&tbl->parms);
	tbl->parms.tbl = tbl;
	tbl->parms.reachable_time = neigh_rand_reach_time(stack, 30000);
	INIT_LIST_HEAD(&tbl->parms.list);
	INIT_LIST_HEAD(&tbl->parms_list);
	INIT_LIST_HEAD(&tbl->gc_list);
	tbl->gc_interval = 30000;
	tbl->gc_thresh1 = 128;
	tbl->gc_thresh2 = 512;
	tbl->gc_thresh3 = 1024;
	tbl->last_flush = tbl->last_rand = now;
	tbl->hash_rnd = ns_random_u32(stack);
	timer_setup(&tbl->gc_timer, stack, neigh_periodic);
	if (neigh_sysctl_register(tbl, &tbl->parms, "default") || neigh_gc_sysctls(tbl))
		return -ENOMEM;
	return 0;
}

void neigh_table_clear(struct neigh_table *tbl)
{
	struct neigh_parms *p, *tmp;

	del_timer(&tbl->gc_timer);
	neigh_ifdown(tbl, NULL);
	list_for_each_entry_safe(p, tmp, &tbl->parms_list, list) {
		list_del(&p->list);
		free(p);
	}
}

const char *neigh_state_name(uint8_t s)
{
	switch (s) {
	case NUD_NONE: return "NONE";
	case NUD_INCOMPLETE: return "INCOMPLETE";
	case NUD_REACHABLE: return "REACHABLE";
	case NUD_STALE: return "STALE";
	case NUD_DELAY: return "DELAY";
	case NUD_PROBE: return "PROBE";
	case NUD_FAILED: return "FAILED";
	case NUD_NOARP: return "NOARP";
	case NUD_PERMANENT: return "PERMANENT";
	default: return "?";
	}
}

int neigh_parms_sysctl_register(struct neigh_parms *p, const char *dir)
{
	return neigh_sysctl_register(p->tbl, p, dir);
}
