/* nft_hooks.c - connects the running ruleset to the netfilter hook core:
 * one nf_hook_ops per base chain, at the chain's hook and priority
 * (Linux's nf_tables_register_hook). The hook function parses the packet,
 * asks conntrack for its state, runs nft_do_chain() and carries out what
 * the verdict asks: reject sends an ICMP error or a TCP RST
 * (nf_reject_ipv4.c), a nat statement binds the connection's mapping
 * (nf_nat_core.c). Rulesets are swapped whole, so re-hooking is
 * "unregister all, register the new base chains". */
#include <errno.h>
#include <stdlib.h>

#include "core/stack.h"
#include "netfilter/core.h"
#include "netfilter/nf_conntrack.h"
#include "netfilter/nf_reject.h"
#include "netfilter/nf_tables.h"

struct nft_hook_reg {
	struct nf_hook_ops ops;
	const struct nft_chain *chain;
};

struct nft_hooks {
	uint32_t n;
	struct nft_hook_reg reg[];
};

static unsigned int nft_hook_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
	const struct nft_chain *chain = priv;
	struct nft_pktinfo pkt;
	struct nft_result res;
	unsigned int v;

	/* a nat chain decides only a connection's first packet (Linux's
	 * nf_nat_inet_fn); later ones follow the mapping it bound */
	if (chain->type == NFT_CHAIN_NAT && skb->nfctinfo != IP_CT_NEW + 1)
		return nf_nat_packet(st->stack, skb, st->hook);
	/* ip_rcv validated the header; anything else is not ours to judge */
	if (nft_pktinfo_init(&pkt, skb, st->hook, st->in, st->out))
		return NF_ACCEPT;
	nft_pktinfo_set_ct(&pkt, skb);
	v = nft_do_chain(st->stack, chain, &pkt, &res);
	if (res.reject)
		nf_reject_ipv4(st->stack, skb, &pkt, res.reject);
	if (v == NFT_ACCEPT && res.nat)
		return nft_nat_eval(st->stack, skb, &pkt, res.nat);
	if (v == NFT_ACCEPT && chain->type == NFT_CHAIN_NAT)
		nf_nat_null_binding(st->stack, skb, st->hook);
	return v == NFT_ACCEPT ? NF_ACCEPT : NF_DROP;
}

static uint8_t hook_pf(void)
{
	return NFPROTO_IPV4;
}

void nft_hooks_clear(struct ns_stack *stack)
{
	struct netns_nft *nn = stack->nft;
	struct nft_hooks *h = nn ? nn->hooks : NULL;

	if (!h)
		return;
	for (uint32_t i = 0; i < h->n; i++) {
		nf_unregister_net_hook(stack, &h->reg[i].ops);
		((struct nft_chain *)h->reg[i].chain)->hook_ops = NULL;
	}
	free(h);
	nn->hooks = NULL;
}

/* Conntrack runs while some rule reads ct state or a nat chain exists. */
static bool ruleset_needs_ct(const struct nft_ruleset *rs)
{
	for (uint32_t i = 0; i < rs->ntables; i++)
		for (uint32_t j = 0; j < rs->tables[i]->nchains; j++) {
			const struct nft_chain *c = rs->tables[i]->chains[j];

			if (c->base && c->type == NFT_CHAIN_NAT)
				return true;
			for (uint32_t k = 0; k < c->nrules; k++)
				for (uint32_t x = 0; x < c->rules[k]->nexprs; x++)
					if (c->rules[k]->e[x].type == NFT_E_MATCH &&
					    c->rules[k]->e[x].m.field == NFT_F_CT_STATE)
						return true;
		}
	return false;
}

int nft_hooks_sync(struct ns_stack *stack)
{
	struct netns_nft *nn = stack->nft;
	const struct nft_ruleset *rs = nn->rs;
	struct nft_hooks *h;
	uint32_t n = 0;
	int rc = 0;

	nft_hooks_clear(stack);
	if (!stack->nf)
		return 0;
	nf_conntrack_enable(stack, ruleset_needs_ct(rs));
	for (uint32_t i = 0; i < rs->ntables; i++)
		for (uint32_t j = 0; j < rs->tables[i]->nchains; j++)
			n += rs->tables[i]->chains[j]->base;
	h = calloc(1, sizeof(*h) + n * sizeof(h->reg[0]));
	if (!h)
		return -ENOMEM;
	nn->hooks = h;
	for (uint32_t i = 0; i < rs->ntables; i++) {
		for (uint32_t j = 0; j < rs->tables[i]->nchains; j++) {
			struct nft_chain *c = rs->tables[i]->chains[j];
			struct nft_hook_reg *r = &h->reg[h->n];
			int err;

			if (!c->base)
				continue;
			r->chain = c;
			r->ops = (struct nf_hook_ops){ .hook = nft_hook_fn, .priv = c, .pf = hook_pf(),
						       .hooknum = c->hook, .priority = c->priority };
			err = nf_register_net_hook(stack, &r->ops);
			if (err) {
				ns_log(stack, "nft: chain %s cannot hook %s: %d", c->name,
				       nft_hook_name(c->hook), err);
				rc = rc ? rc : err;
				continue;
			}
			c->hook_ops = &r->ops;
			h->n++;
		}
	}
	return rc;
}
