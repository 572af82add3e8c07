/* core.c - netfilter hook registration and traversal (see core.h). */
#include <errno.h>
#include <stdlib.h>

#include "netfilter/core.h"

int nf_register_net_hook(struct ns_stack *stack, const struct nf_hook_ops *ops)
{
	struct nf_hook_entries *e;
	unsigned int i;

	if (!stack->nf || !ops || !ops->hook || ops->pf >= NFPROTO_NUMPROTO ||
	    ops->hooknum >= NF_MAX_HOOKS)
		return -EINVAL;
	e = &stack->nf->hooks[ops->pf][ops->hooknum];
	for (i = 0; i < e->num; i++)
		if (e->ops[i] == ops)
			return -EEXIST;
	if (e->num >= NF_MAX_HOOKS_PER_POINT)
		return -ENOSPC;
	/* keep priority order; equal priorities run in registration order */
	for (i = e->num; i > 0 && e->ops[i - 1]->priority > ops->priority; i--)
		e->ops[i] = e->ops[i - 1];
	e->ops[i] = ops;
	e->num++;
	return 0;
}

void nf_unregister_net_hook(struct ns_stack *stack, const struct nf_hook_ops *ops)
{
	struct nf_hook_entries *e;

	if (!stack->nf || !ops || ops->pf >= NFPROTO_NUMPROTO || ops->hooknum >= NF_MAX_HOOKS)
		return;
	e = &stack->nf->hooks[ops->pf][ops->hooknum];
	for (unsigned int i = 0; i < e->num; i++) {
		if (e->ops[i] != ops)
			continue;
		for (; i + 1 < e->num; i++)
			e->ops[i] = e->ops[i + 1];
		e->num--;
		return;
	}
}

int nf_hook_slow(struct sk_buff *skb, struct nf_hook_state *state,
		 const struct nf_hook_entries *e)
{
	for (unsigned int i = 0; i < e->num; i++) {
		unsigned int verdict = e->ops[i]->hook(e->ops[i]->priv, skb, state);

		switch (verdict) {
		case NF_ACCEPT:
			break;
		case NF_STOLEN:
			return 0;
		case NF_DROP:
		default:
			kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
			return -EPERM;
		}
	}
	return 1;
}

int netfilter_init(struct ns_stack *stack)
{
	stack->nf = calloc(1, sizeof(*stack->nf));
	return stack->nf ? 0 : -ENOMEM;
}

void netfilter_exit(struct ns_stack *stack)
{
	free(stack->nf);
	stack->nf = NULL;
}
