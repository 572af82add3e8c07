/* nft_hooks.c - connects base chains to netfilter hooks. The hook core
 * (netfilter/core.h) arrives with the IPv4 layer; until then rulesets
 * load, list and evaluate (nft_do_chain) but see no traffic. */
#include "core/stack.h"
#include "netfilter/nf_tables.h"

int nft_hooks_sync(struct ns_stack *stack)
{
	(void)stack;
	return 0;
}

void nft_hooks_clear(struct ns_stack *stack)
{
	(void)stack;
}
