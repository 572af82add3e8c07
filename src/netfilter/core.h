/* core.h - the netfilter hook core (Linux's net/netfilter/core.c): per
 * stack, per protocol family and hook point, an ordered array of hook
 * functions. NF_HOOK() runs them and continues with okfn on NF_ACCEPT.
 * With no hook registered at a point, NF_HOOK costs one branch.
 * No rule engine here: tables (iptables/nftables-like) register hooks. */
#ifndef NSTACK_NETFILTER_CORE_H
#define NSTACK_NETFILTER_CORE_H

#include <stdint.h>

#include "core/compiler.h"
#include "core/skbuff.h"
#include "core/stack.h"

enum nf_inet_hooks {
	NF_INET_PRE_ROUTING,
	NF_INET_LOCAL_IN,
	NF_INET_FORWARD,
	NF_INET_LOCAL_OUT,
	NF_INET_POST_ROUTING,
	NF_INET_NUMHOOKS
};
/* bridge hook points share the numbering (NF_BR_*), plus BROUTING */
#define NF_BR_BROUTING 5
#define NF_MAX_HOOKS 6

enum {
	NFPROTO_UNSPEC = 0,
	NFPROTO_IPV4 = 2,
	NFPROTO_ARP = 3,
	NFPROTO_BRIDGE = 7,
	NFPROTO_IPV6 = 10,
	NFPROTO_NUMPROTO = 13,
};

/* verdicts */
#define NF_DROP   0	/* the core frees the skb (reason NETFILTER_DROP) */
#define NF_ACCEPT 1	/* continue with the next hook, then okfn */
#define NF_STOLEN 2	/* the hook took the skb (queued or freed it) */

struct net_device;

/* What a hook sees besides the skb. */
struct nf_hook_state {
	uint8_t hook;
	uint8_t pf;
	struct net_device *in;	/* input device, NULL on LOCAL_OUT/POST_ROUTING */
	struct net_device *out;	/* output device, NULL on PRE_ROUTING/LOCAL_IN */
	struct ns_stack *stack;
};

/* A hook function: inspect (or modify) skb, return a verdict. It must not
 * free skb unless it returns NF_STOLEN. */
typedef unsigned int nf_hookfn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state);

struct nf_hook_ops {
	nf_hookfn *hook;
	void *priv;
	uint8_t pf;		/* NFPROTO_* */
	unsigned int hooknum;	/* NF_INET_* / NF_BR_* */
	int priority;		/* lower runs first (NF_IP_PRI_*) */
};

#define NF_MAX_HOOKS_PER_POINT 32

struct nf_hook_entries {
	unsigned int num;
	const struct nf_hook_ops *ops[NF_MAX_HOOKS_PER_POINT];
};

struct netns_nf {
	struct nf_hook_entries hooks[NFPROTO_NUMPROTO][NF_MAX_HOOKS];
};

/* 0, -EINVAL (bad pf/hook), -ENOSPC (NF_MAX_HOOKS_PER_POINT), -EEXIST. */
int nf_register_net_hook(struct ns_stack *stack, const struct nf_hook_ops *ops);
void nf_unregister_net_hook(struct ns_stack *stack, const struct nf_hook_ops *ops);

/* Continuation after a hook point (Linux's okfn). Consumes skb. */
typedef int (*nf_okfn_t)(struct ns_stack *stack, struct sk_buff *skb);

/* Run the hooks: 1 when okfn should be called (every hook accepted), 0 when
 * the skb was dropped (-EPERM returned by NF_HOOK) or stolen. */
int nf_hook_slow(struct sk_buff *skb, struct nf_hook_state *state,
		 const struct nf_hook_entries *e);

static inline int NF_HOOK(uint8_t pf, unsigned int hook, struct ns_stack *stack,
			  struct sk_buff *skb, struct net_device *in, struct net_device *out,
			  nf_okfn_t okfn)
{
	const struct nf_hook_entries *e;
	struct nf_hook_state st;
	int ret;

	if (likely(!stack->nf))
		return okfn(stack, skb);
	e = &stack->nf->hooks[pf][hook];
	if (likely(e->num == 0))
		return okfn(stack, skb);
	st = (struct nf_hook_state){ .hook = (uint8_t)hook, .pf = pf, .in = in, .out = out,
				     .stack = stack };
	ret = nf_hook_slow(skb, &st, e);
	if (ret == 1)
		return okfn(stack, skb);
	return ret;
}

int netfilter_init(struct ns_stack *stack);
void netfilter_exit(struct ns_stack *stack);

#endif
