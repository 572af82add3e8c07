/* br_fdb.c - the forwarding database: (MAC, VID) -> port, learnt from
 * source addresses (IEEE 802.1D 7.8 "learning process"), aged out after
 * ageing_time (7.9.2, default 300 s) by a periodic gc timer, plus static
 * and local entries that never age. The number of learnt entries is
 * bounded by fdb_max_entries: once full, new sources are not learnt (and
 * counted) so a MAC flood cannot grow memory; known hosts keep working.
 * Linux counterpart: net/bridge/br_fdb.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/br_private.h"

/* The 48-bit address as one integer (two loads, no byte loop). */
static inline uint64_t mac_u64(const uint8_t *addr)
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, addr, 4);
	memcpy(&hi, addr + 4, 2);
	return (uint64_t)lo | (uint64_t)hi << 32;
}

/* A salted multiply-xorshift mix of (address, VID) as one word: two
 * multiplies instead of a byte-serial chain of seven (it runs twice per
 * bridged frame), every input bit reaching the top bits used. */
static inline unsigned int fdb_hash(const struct net_bridge *br, const uint8_t *addr, uint16_t vid)
{
	uint64_t k = (mac_u64(addr) | (uint64_t)vid << 48) ^ br->fdb_salt;

	k *= 0x9e3779b97f4a7c15ULL;
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ULL;
	return (unsigned int)(k >> (64 - BR_FDB_HASH_BITS));
}

static void fdb_gc(struct timer_list *t)
{
	struct net_bridge *br = from_timer(br, t, gc_timer);

	br_fdb_cleanup(br);
	mod_timer(&br->gc_timer, ns_now(dev_net(br->dev)) + BR_GC_INTERVAL_NS);
}

int br_fdb_init(struct net_bridge *br)
{
	struct ns_stack *stack = dev_net(br->dev);

	for (unsigned int i = 0; i < BR_FDB_HASH_SIZE; i++)
		br->fdb_hash[i].first = NULL;
	br->fdb_salt = ns_random(stack);
	timer_setup(&br->gc_timer, stack, fdb_gc);
	mod_timer(&br->gc_timer, ns_now(stack) + BR_GC_INTERVAL_NS);
	return 0;
}

static void fdb_delete(struct net_bridge *br, struct net_bridge_fdb_entry *f)
{
	hlist_del(&f->hlist);
	br->fdb_n_entries--;
	if (!(f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC)))
		br->fdb_n_learned--;
	free(f);
}

void br_fdb_fini(struct net_bridge *br)
{
	struct hlist_node *n;
	struct net_bridge_fdb_entry *f;

	del_timer(&br->gc_timer);
	for (unsigned int i = 0; i < BR_FDB_HASH_SIZE; i++)
		hlist_for_each_entry_safe(f, n, &br->fdb_hash[i], hlist)
			fdb_delete(br, f);
}

struct net_bridge_fdb_entry *br_fdb_find(struct net_bridge *br, const uint8_t *addr, uint16_t vid)
{
	struct net_bridge_fdb_entry *f;

	uint64_t key = mac_u64(addr);

	hlist_for_each_entry(f, &br->fdb_hash[fdb_hash(br, addr, vid)], hlist)
		if (f->vid == vid && mac_u64(f->addr) == key)
			return f;
	return NULL;
}

static struct net_bridge_fdb_entry *fdb_create(struct net_bridge *br, struct net_bridge_port *dst,
					       const uint8_t *addr, uint16_t vid, uint8_t flags)
{
	struct net_bridge_fdb_entry *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->dst = dst;
	memcpy(f->addr, addr, ETH_ALEN);
	f->vid = vid;
	f->flags = flags;
	f->updated = f->used = ns_now(dev_net(br->dev));
	hlist_add_head(&f->hlist, &br->fdb_hash[fdb_hash(br, addr, vid)]);
	br->fdb_n_entries++;
	if (!(flags & (BR_FDB_LOCAL | BR_FDB_STATIC)))
		br->fdb_n_learned++;
	return f;
}

/* IEEE 802.1D 7.8: learn the source of a received frame. */
void br_fdb_update(struct net_bridge *br, struct net_bridge_port *src, const uint8_t *addr,
		   uint16_t vid)
{
	struct net_bridge_fdb_entry *f = br_fdb_find(br, addr, vid);
	uint64_t now = src->dev->nd_net->softnet.poll_now;

	if (!now)
		now = ns_now(dev_net(br->dev));
	if (likely(f)) {
		if (f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC))
			return;	/* never moved by traffic */
		f->updated = now;
		f->dst = src;	/* a station moved */
		return;
	}
	if (br->fdb_n_learned >= br->fdb_max_entries) {
		br->stats.fdb_full++;
		return;
	}
	f = fdb_create(br, src, addr, vid, 0);
	if (f)
		f->updated = now;
}

int br_fdb_add(struct net_bridge *br, struct net_bridge_port *dst, const uint8_t *addr,
	       uint16_t vid, uint8_t flags)
{
	struct net_bridge_fdb_entry *f;

	if (!is_valid_ether_addr(addr))
		return -EINVAL;
	f = br_fdb_find(br, addr, vid);
	if (f) {
		if (f->flags & BR_FDB_LOCAL)
			return -EEXIST;
		if (!(f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC)))
			br->fdb_n_learned--;	/* a learnt entry becomes static */
		f->dst = dst;
		f->flags = flags;
		return 0;
	}
	return fdb_create(br, dst, addr, vid, flags) ? 0 : -ENOMEM;
}

int br_fdb_delete(struct net_bridge *br, struct net_bridge_port *dst, const uint8_t *addr,
		  uint16_t vid)
{
	struct net_bridge_fdb_entry *f = br_fdb_find(br, addr, vid);

	if (!f || f->dst != dst)
		return -ENOENT;
	fdb_delete(br, f);
	return 0;
}

void br_fdb_insert_local(struct net_bridge *br, struct net_bridge_port *p, const uint8_t *addr)
{
	struct net_bridge_fdb_entry *f = br_fdb_find(br, addr, 0);

	if (!is_valid_ether_addr(addr))
		return;
	if (f) {
		if (f->flags & BR_FDB_LOCAL)
			return;	/* two ports with one MAC: the first keeps it */
		fdb_delete(br, f);
	}
	fdb_create(br, p, addr, 0, BR_FDB_LOCAL | BR_FDB_STATIC);
}

void br_fdb_delete_by_port(struct net_bridge *br, struct net_bridge_port *p, bool do_all)
{
	struct hlist_node *n;
	struct net_bridge_fdb_entry *f;

	for (unsigned int i = 0; i < BR_FDB_HASH_SIZE; i++)
		hlist_for_each_entry_safe(f, n, &br->fdb_hash[i], hlist)
			if (f->dst == p && p &&
			    (do_all || !(f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC))))
				fdb_delete(br, f);
}

void br_fdb_flush_dynamic(struct net_bridge *br)
{
	struct hlist_node *n;
	struct net_bridge_fdb_entry *f;

	for (unsigned int i = 0; i < BR_FDB_HASH_SIZE; i++)
		hlist_for_each_entry_safe(f, n, &br->fdb_hash[i], hlist)
			if (!(f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC)))
				fdb_delete(br, f);
}

/* IEEE 802.1D 8.3.5: during a topology change entries age out after
 * forward_delay instead of ageing_time. */
static uint64_t hold_time(const struct net_bridge *br)
{
	return br->topology_change ? br->forward_delay : br->ageing_time;
}

void br_fdb_cleanup(struct net_bridge *br)
{
	uint64_t now = ns_now(dev_net(br->dev)), hold = hold_time(br);
	struct hlist_node *n;
	struct net_bridge_fdb_entry *f;

	if (!br->fdb_n_learned || !hold)
		return;
	for (unsigned int i = 0; i < BR_FDB_HASH_SIZE; i++)
		hlist_for_each_entry_safe(f, n, &br->fdb_hash[i], hlist)
			if (!(f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC)) && f->updated + hold <= now)
				fdb_delete(br, f);
}
