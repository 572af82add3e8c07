/* ebtables.h - the L2 firewall's tables, chains and rules (Linux's
 * net/bridge/netfilter/ebtables.c with the ebt_vlan match). Three tables
 * as ebtables has them: filter (INPUT, FORWARD, OUTPUT), nat (PREROUTING,
 * OUTPUT, POSTROUTING) and broute (BROUTING, where DROP means "route it":
 * the frame goes to the port's own stack instead of being bridged). Rules
 * match source/destination MAC under a mask, EtherType, VLAN id, in/out
 * port, each optionally negated; targets ACCEPT, DROP, CONTINUE, RETURN or
 * a user chain. Every rule counts packets and bytes. The command parser is
 * src/cmd/ebtables.c. */
#ifndef NSTACK_BRIDGE_EBTABLES_H
#define NSTACK_BRIDGE_EBTABLES_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "bridge/br_private.h"

/* standard verdicts (ebtables' EBT_*); >= 0 is a jump to a user chain */
#define EBT_ACCEPT   (-1)
#define EBT_DROP     (-2)
#define EBT_CONTINUE (-3)
#define EBT_RETURN   (-4)

/* match bits (bitmask) and negation bits (invflags), as ebtables.h */
#define EBT_IPROTO   0x01
#define EBT_IIN      0x02
#define EBT_IOUT     0x04
#define EBT_ISOURCE  0x08
#define EBT_IDEST    0x10
#define EBT_IVLAN    0x20

#define EBT_CHAIN_MAXNAMELEN 32
#define EBT_MAX_CHAINS 64
#define EBT_MAX_RULES 65536	/* per table: bounded memory */
#define EBT_MAX_DEPTH 16	/* user chain jumps */

struct ebt_entry {
	uint32_t bitmask;		/* which fields are matched */
	uint32_t invflags;		/* which matches are negated */
	uint16_t ethproto;		/* host order */
	uint16_t vlan_id;
	char in[IFNAMSIZ], out[IFNAMSIZ];	/* "eth+" matches a prefix */
	uint8_t sourcemac[6], sourcemsk[6];
	uint8_t destmac[6], destmsk[6];
	int verdict;
	uint64_t pcnt, bcnt;
};

struct ebt_index;

struct ebt_chain {
	char name[EBT_CHAIN_MAXNAMELEN];
	int hook;			/* enum nf_br_hook, -1 for a user chain */
	int policy;			/* EBT_ACCEPT/DROP (user chains: RETURN) */
	struct ebt_entry *rules;
	unsigned int n, cap;
	unsigned int refs;		/* rules jumping here */
	/* Long chains: which rules can match a frame at all (ebtables.c),
	 * rebuilt on every insert/delete; NULL: walk every rule. */
	struct ebt_index *idx;
};

struct ebt_table {
	const char *name;
	unsigned int valid_hooks;	/* 1 << hook */
	struct ebt_chain *chains[EBT_MAX_CHAINS];
	unsigned int nchains;
	unsigned int nrules;
};

enum { EBT_FILTER, EBT_NAT, EBT_BROUTE, EBT_NTABLES };

struct ebt_net {
	struct ebt_table tables[EBT_NTABLES];
	unsigned int active_hooks;	/* hooks with a rule or a DROP policy */
};

struct ebt_table *ebt_find_table(struct ns_stack *stack, const char *name);
struct ebt_chain *ebt_find_chain(struct ebt_table *t, const char *name);
int ebt_chain_index(const struct ebt_table *t, const struct ebt_chain *c);
/* Insert e at position pos (0-based, n: append). 0, -ENOSPC, -ENOMEM. */
int ebt_rule_insert(struct ns_stack *stack, struct ebt_table *t, struct ebt_chain *c,
		    unsigned int pos, const struct ebt_entry *e);
void ebt_rule_delete(struct ns_stack *stack, struct ebt_table *t, struct ebt_chain *c,
		     unsigned int pos);
void ebt_chain_flush(struct ns_stack *stack, struct ebt_table *t, struct ebt_chain *c);
/* User chains. -EEXIST, -EINVAL, -ENOSPC, -ENOMEM / -EBUSY (referenced, not empty). */
int ebt_chain_new(struct ebt_table *t, const char *name);
int ebt_chain_del(struct ebt_table *t, struct ebt_chain *c);
void ebt_set_policy(struct ns_stack *stack, struct ebt_chain *c, int policy);
/* Recompute the fast-path mask after a change. */
void ebt_update_active(struct ns_stack *stack);

#endif
