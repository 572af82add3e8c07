/* ebtables.c - run the L2 firewall at the bridge hooks and keep its
 * tables (see ebtables.h). A hook with no rule and ACCEPT policies costs
 * one bit test. Linux counterpart: net/bridge/netfilter/ebtables.c
 * (ebt_do_table, ebt_basic_match) and ebt_vlan.c. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "bridge/ebtables.h"
#include "8021q/if_vlan.h"

static const struct {
	const char *table;
	unsigned int hooks;
} table_defs[EBT_NTABLES] = {
	[EBT_FILTER] = { "filter", 1u << NF_BR_LOCAL_IN | 1u << NF_BR_FORWARD | 1u << NF_BR_LOCAL_OUT },
	[EBT_NAT] = { "nat", 1u << NF_BR_PRE_ROUTING | 1u << NF_BR_LOCAL_OUT | 1u << NF_BR_POST_ROUTING },
	[EBT_BROUTE] = { "broute", 1u << NF_BR_BROUTING },
};
static const char *const hook_names[NF_BR_NUMHOOKS] = {
	[NF_BR_PRE_ROUTING] = "PREROUTING", [NF_BR_LOCAL_IN] = "INPUT",
	[NF_BR_FORWARD] = "FORWARD",	    [NF_BR_LOCAL_OUT] = "OUTPUT",
	[NF_BR_POST_ROUTING] = "POSTROUTING", [NF_BR_BROUTING] = "BROUTING",
};

static struct ebt_net *ebt_net(struct ns_stack *stack)
{
	return stack->br->ebt;
}

/* "eth+" matches every name starting with "eth" (ebt_dev_check). */
static bool dev_match(const char *pat, const struct net_device *dev)
{
	size_t n = strlen(pat);

	if (!dev)
		return false;
	if (n && pat[n - 1] == '+')
		return strncmp(pat, dev->name, n - 1) == 0;
	return strcmp(pat, dev->name) == 0;
}

static bool mac_match(const uint8_t *addr, const uint8_t *mac, const uint8_t *msk)
{
	for (int i = 0; i < ETH_ALEN; i++)
		if ((addr[i] & msk[i]) != mac[i])
			return false;
	return true;
}

#define FWINV(bool_, flag) ((bool)(bool_) ^ !!(e->invflags & (flag)))

/* ebt_basic_match plus the vlan match */
static bool ebt_match(const struct ebt_entry *e, const struct sk_buff *skb,
		      const struct net_device *in, const struct net_device *out)
{
	const uint8_t *h = eth_hdr(skb);
	/* a frame with an out-of-band tag is an 802.1Q frame to ebtables */
	uint16_t proto = skb->vlan_present ? skb->vlan_proto : get_be16(h + 12);

	if ((e->bitmask & EBT_IPROTO) && FWINV(proto != e->ethproto, EBT_IPROTO))
		return false;
	if ((e->bitmask & EBT_IIN) && FWINV(!dev_match(e->in, in), EBT_IIN))
		return false;
	if ((e->bitmask & EBT_IOUT) && FWINV(!dev_match(e->out, out), EBT_IOUT))
		return false;
	if ((e->bitmask & EBT_ISOURCE) &&
	    FWINV(!mac_match(h + ETH_ALEN, e->sourcemac, e->sourcemsk), EBT_ISOURCE))
		return false;
	if ((e->bitmask & EBT_IDEST) && FWINV(!mac_match(h, e->destmac, e->destmsk), EBT_IDEST))
		return false;
	if ((e->bitmask & EBT_IVLAN) &&
	    FWINV(!skb->vlan_present || skb_vlan_tag_get_id(skb) != e->vlan_id, EBT_IVLAN))
		return false;
	return true;
}

/* ---- the rule index ----------------------------------------------------------------
 * Most rules of a long chain match one exact MAC address and nothing else
 * ("-s 02:..:01 -j DROP"). Such a rule can only match frames with that
 * source (destination) address, so the index keeps those rules in a hash
 * by address, and every other rule in a sorted "generic" list. A frame
 * then visits, in rule order, only the generic rules and the rules keyed
 * by its own addresses (the merge of three ascending lists); each visited
 * rule is still matched in full, so verdicts, jumps and counters are those
 * of the linear walk. */
#define EBT_INDEX_MIN 16		/* shorter chains: the linear walk is as cheap */
#define EBT_NONE UINT32_MAX

struct ebt_slot {
	uint64_t key;			/* MAC + 1 (0: empty slot) */
	uint32_t first;			/* lowest rule index with this key */
};

struct ebt_index {
	uint32_t *generic, ngeneric;
	uint32_t *next;			/* per rule: next rule with the same key and kind */
	struct ebt_slot *tab[2];	/* [0] by source, [1] by destination */
	uint32_t mask;			/* slots per table - 1 */
};

static inline uint64_t mac_key(const uint8_t *mac)
{
	uint64_t k = 0;

	memcpy(&k, mac, ETH_ALEN);
	return k + 1;
}

static inline uint32_t key_hash(uint64_t k, uint32_t mask)
{
	return (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> 40) & mask;
}

/* 0: source-keyed rule, 1: destination-keyed, -1: generic. */
static int rule_kind(const struct ebt_entry *e)
{
	static const uint8_t full[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (e->invflags)
		return -1;
	if (e->bitmask == EBT_ISOURCE && !memcmp(e->sourcemsk, full, ETH_ALEN))
		return 0;
	if (e->bitmask == EBT_IDEST && !memcmp(e->destmsk, full, ETH_ALEN))
		return 1;
	return -1;
}

static void ebt_index_free(struct ebt_chain *c)
{
	if (!c->idx)
		return;
	free(c->idx->generic);
	free(c->idx->next);
	free(c->idx->tab[0]);
	free(c->idx->tab[1]);
	free(c->idx);
	c->idx = NULL;
}

static struct ebt_slot *slot_find(struct ebt_slot *tab, uint32_t mask, uint64_t key)
{
	uint32_t h = key_hash(key, mask);

	while (tab[h].key && tab[h].key != key)
		h = (h + 1) & mask;	/* never full: at most half the slots used */
	return &tab[h];
}

/* Rebuild c's index (after a change). Out of memory: no index, the chain
 * is walked rule by rule, which is always correct. */
static void ebt_index_build(struct ebt_chain *c)
{
	struct ebt_index *x;
	uint32_t slots = 16;

	ebt_index_free(c);
	if (c->n < EBT_INDEX_MIN)
		return;
	while (slots < 2 * c->n)
		slots *= 2;
	x = calloc(1, sizeof(*x));
	if (!x)
		return;
	c->idx = x;
	x->mask = slots - 1;
	x->generic = malloc(c->n * sizeof(*x->generic));
	x->next = malloc(c->n * sizeof(*x->next));
	x->tab[0] = calloc(slots, sizeof(struct ebt_slot));
	x->tab[1] = calloc(slots, sizeof(struct ebt_slot));
	if (!x->generic || !x->next || !x->tab[0] || !x->tab[1]) {
		ebt_index_free(c);
		return;
	}
	/* from the last rule back, so each list comes out ascending */
	for (uint32_t i = c->n; i-- > 0;) {
		const struct ebt_entry *e = &c->rules[i];
		int kind = rule_kind(e);
		struct ebt_slot *sl;
		uint64_t key;

		x->next[i] = EBT_NONE;
		if (kind < 0)
			continue;
		key = mac_key(kind == 0 ? e->sourcemac : e->destmac);
		sl = slot_find(x->tab[kind], x->mask, key);
		x->next[i] = sl->key ? sl->first : EBT_NONE;
		sl->key = key;
		sl->first = i;
	}
	for (uint32_t i = 0; i < c->n; i++)
		if (rule_kind(&c->rules[i]) < 0)
			x->generic[x->ngeneric++] = i;
}

/* Where a frame is in a chain's walk: the next generic rule (position in
 * x->generic) and the next rule keyed by its source / destination. */
struct ebt_cursor {
	uint32_t g, s, d;
};

static uint32_t keyed_from(const struct ebt_index *x, int kind, const uint8_t *mac, uint32_t from)
{
	const struct ebt_slot *sl = slot_find(x->tab[kind], x->mask, mac_key(mac));
	uint32_t i = sl->key ? sl->first : EBT_NONE;

	while (i < from)
		i = x->next[i];
	return i;
}

static void ebt_cursor_init(const struct ebt_chain *c, const uint8_t *h, uint32_t from,
			    struct ebt_cursor *cur)
{
	const struct ebt_index *x = c->idx;
	uint32_t lo = 0, hi;

	cur->s = cur->d = EBT_NONE;
	if (!x) {
		cur->g = from;
		return;
	}
	/* lower bound of from in the generic list */
	hi = x->ngeneric;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (x->generic[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	cur->g = lo;
	cur->s = keyed_from(x, 0, h + ETH_ALEN, from);
	cur->d = keyed_from(x, 1, h, from);
}

/* The next rule the frame can match, c->n at the end. */
static inline uint32_t ebt_cursor_next(const struct ebt_chain *c, struct ebt_cursor *cur)
{
	const struct ebt_index *x = c->idx;
	uint32_t g, i;

	if (!x)
		return cur->g < c->n ? cur->g++ : c->n;
	g = cur->g < x->ngeneric ? x->generic[cur->g] : EBT_NONE;
	i = NS_MIN(g, NS_MIN(cur->s, cur->d));
	if (i == EBT_NONE)
		return c->n;
	if (i == g)
		cur->g++;
	if (i == cur->s)
		cur->s = x->next[i];
	if (i == cur->d)
		cur->d = x->next[i];
	return i;
}

/* ebt_do_table: walk a base chain, following jumps; returns ACCEPT/DROP. */
static int ebt_do_table(struct ebt_table *t, struct ebt_chain *c, const struct sk_buff *skb,
			const struct net_device *in, const struct net_device *out)
{
	struct {
		struct ebt_chain *c;
		unsigned int i;
	} stack[EBT_MAX_DEPTH];
	const uint8_t *h = eth_hdr(skb);
	unsigned int depth = 0, i = 0;
	struct ebt_cursor cur;

	for (;;) {
		bool jumped = false;

		ebt_cursor_init(c, h, i, &cur);
		for (i = ebt_cursor_next(c, &cur); i < c->n; i = ebt_cursor_next(c, &cur)) {
			struct ebt_entry *e = &c->rules[i];

			if (!ebt_match(e, skb, in, out))
				continue;
			e->pcnt++;
			e->bcnt += skb->len;
			if (e->verdict == EBT_ACCEPT || e->verdict == EBT_DROP)
				return e->verdict;
			if (e->verdict == EBT_CONTINUE)
				continue;
			if (e->verdict == EBT_RETURN)
				break;
			if (depth == EBT_MAX_DEPTH || (unsigned int)e->verdict >= t->nchains)
				return EBT_DROP;	/* cannot happen: checked at insert */
			stack[depth].c = c;
			stack[depth++].i = i + 1;
			c = t->chains[e->verdict];
			i = 0;
			jumped = true;
			break;
		}
		if (jumped)
			continue;	/* walk the user chain from its start */
		/* end of chain or RETURN */
		if (depth == 0)
			return c->policy == EBT_RETURN ? EBT_ACCEPT : c->policy;
		if (c->policy != EBT_RETURN && i >= c->n)
			return c->policy;	/* a user chain's own policy */
		depth--;
		c = stack[depth].c;
		i = stack[depth].i;
	}
}

static struct ebt_chain *base_chain(struct ebt_table *t, enum nf_br_hook hook)
{
	for (unsigned int i = 0; i < t->nchains; i++)
		if (t->chains[i]->hook == (int)hook)
			return t->chains[i];
	return NULL;
}

/* ebt_hook's table walk, out of line: a hook with no rules (the common
 * case, four times per bridged frame) then returns without a stack frame. */
static __attribute__((noinline)) bool ebt_run_hook(struct ebt_net *en, enum nf_br_hook hook,
						   struct sk_buff *skb, const struct net_device *in,
						   const struct net_device *out)
{
	/* priority order of the tables at one hook: nat before filter */
	static const int order[] = { EBT_BROUTE, EBT_NAT, EBT_FILTER };

	for (unsigned int k = 0; k < 3; k++) {
		struct ebt_table *t = &en->tables[order[k]];
		struct ebt_chain *c;

		if (!(t->valid_hooks & (1u << hook)) || !(c = base_chain(t, hook)))
			continue;
		if (ebt_do_table(t, c, skb, in, out) == EBT_DROP)
			return false;
	}
	return true;
}

bool ebt_hook(struct ns_stack *stack, enum nf_br_hook hook, struct sk_buff *skb,
	      const struct net_device *in, const struct net_device *out)
{
	struct ebt_net *en = ebt_net(stack);

	if (likely(!(en->active_hooks & (1u << hook))))
		return true;
	return ebt_run_hook(en, hook, skb, in, out);
}

/* ---- table maintenance ------------------------------------------------------------ */
struct ebt_table *ebt_find_table(struct ns_stack *stack, const char *name)
{
	for (int i = 0; i < EBT_NTABLES; i++)
		if (!strcmp(ebt_net(stack)->tables[i].name, name))
			return &ebt_net(stack)->tables[i];
	return NULL;
}

struct ebt_chain *ebt_find_chain(struct ebt_table *t, const char *name)
{
	for (unsigned int i = 0; i < t->nchains; i++)
		if (!strcmp(t->chains[i]->name, name))
			return t->chains[i];
	return NULL;
}

int ebt_chain_index(const struct ebt_table *t, const struct ebt_chain *c)
{
	for (unsigned int i = 0; i < t->nchains; i++)
		if (t->chains[i] == c)
			return (int)i;
	return -1;
}

void ebt_update_active(struct ns_stack *stack)
{
	struct ebt_net *en = ebt_net(stack);

	en->active_hooks = 0;
	for (int k = 0; k < EBT_NTABLES; k++) {
		struct ebt_table *t = &en->tables[k];

		for (unsigned int i = 0; i < t->nchains; i++) {
			struct ebt_chain *c = t->chains[i];

			if (c->hook >= 0 && (c->n || c->policy != EBT_ACCEPT))
				en->active_hooks |= 1u << c->hook;
		}
	}
}

int ebt_rule_insert(struct ns_stack *stack, struct ebt_table *t, struct ebt_chain *c,
		    unsigned int pos, const struct ebt_entry *e)
{
	if (t->nrules >= EBT_MAX_RULES)
		return -ENOSPC;
	if (pos > c->n)
		return -EINVAL;
	if (c->n == c->cap) {
		unsigned int cap = c->cap ? c->cap * 2 : 8;
		struct ebt_entry *r = realloc(c->rules, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		c->rules = r;
		c->cap = cap;
	}
	memmove(&c->rules[pos + 1], &c->rules[pos], (c->n - pos) * sizeof(*e));
	c->rules[pos] = *e;
	c->n++;
	t->nrules++;
	if (e->verdict >= 0)
		t->chains[e->verdict]->refs++;
	ebt_index_build(c);
	ebt_update_active(stack);
	return 0;
}

void ebt_rule_delete(struct ns_stack *stack, struct ebt_table *t, struct ebt_chain *c,
		     unsigned int pos)
{
	if (c->rules[pos].verdict >= 0)
		t->chains[c->rules[pos].verdict]->refs--;
	memmove(&c->rules[pos], &c->rules[pos + 1], (c->n - pos - 1) * sizeof(c->rules[0]));
	c->n--;
	t->nrules--;
	ebt_index_build(c);
	ebt_update_active(stack);
}

void ebt_chain_flush(struct ns_stack *stack, struct ebt_table *t, struct ebt_chain *c)
{
	while (c->n)
		ebt_rule_delete(stack, t, c, c->n - 1);
}

void ebt_set_policy(struct ns_stack *stack, struct ebt_chain *c, int policy)
{
	c->policy = policy;
	ebt_update_active(stack);
}

static struct ebt_chain *chain_alloc(const char *name, int hook, int policy)
{
	struct ebt_chain *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->hook = hook;
	c->policy = policy;
	return c;
}

int ebt_chain_new(struct ebt_table *t, const char *name)
{
	if (!*name || strlen(name) >= EBT_CHAIN_MAXNAMELEN || name[0] == '-')
		return -EINVAL;
	if (ebt_find_chain(t, name))
		return -EEXIST;
	if (t->nchains == EBT_MAX_CHAINS)
		return -ENOSPC;
	t->chains[t->nchains] = chain_alloc(name, -1, EBT_RETURN);
	if (!t->chains[t->nchains])
		return -ENOMEM;
	t->nchains++;
	return 0;
}

int ebt_chain_del(struct ebt_table *t, struct ebt_chain *c)
{
	int idx = ebt_chain_index(t, c);

	if (c->hook >= 0 || idx < 0)
		return -EINVAL;
	if (c->refs || c->n)
		return -EBUSY;
	/* later chains move down one: renumber jumps */
	for (unsigned int i = 0; i < t->nchains; i++)
		for (unsigned int r = 0; r < t->chains[i]->n; r++)
			if (t->chains[i]->rules[r].verdict > idx)
				t->chains[i]->rules[r].verdict--;
	memmove(&t->chains[idx], &t->chains[idx + 1],
		(t->nchains - (unsigned int)idx - 1) * sizeof(t->chains[0]));
	t->nchains--;
	ebt_index_free(c);
	free(c->rules);
	free(c);
	return 0;
}

int ebt_net_init(struct ns_stack *stack)
{
	struct ebt_net *en = calloc(1, sizeof(*en));

	if (!en)
		return -ENOMEM;
	stack->br->ebt = en;
	for (int k = 0; k < EBT_NTABLES; k++) {
		struct ebt_table *t = &en->tables[k];

		t->name = table_defs[k].table;
		t->valid_hooks = table_defs[k].hooks;
		for (int h = 0; h < NF_BR_NUMHOOKS; h++) {
			if (!(t->valid_hooks & (1u << h)))
				continue;
			t->chains[t->nchains] = chain_alloc(hook_names[h], h, EBT_ACCEPT);
			if (!t->chains[t->nchains]) {
				ebt_net_exit(stack);
				return -ENOMEM;
			}
			t->nchains++;
		}
	}
	return 0;
}

void ebt_net_exit(struct ns_stack *stack)
{
	struct ebt_net *en = ebt_net(stack);

	for (int k = 0; k < EBT_NTABLES; k++) {
		for (unsigned int i = 0; i < en->tables[k].nchains; i++) {
			ebt_index_free(en->tables[k].chains[i]);
			free(en->tables[k].chains[i]->rules);
			free(en->tables[k].chains[i]);
		}
	}
	free(en);
	stack->br->ebt = NULL;
}
