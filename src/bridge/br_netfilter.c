/* br_netfilter.c - net.bridge.bridge-nf-call-iptables: bridged IPv4 frames
 * also pass the IPv4 netfilter hooks (PRE_ROUTING, FORWARD, POST_ROUTING)
 * with the bridge ports as in/out devices, so an nftables `ip` ruleset and
 * connection tracking see traffic a bridge forwards (Linux's
 * net/bridge/br_netfilter_hooks.c). Only frames with a valid IPv4 header
 * are handed over, as br_validate_ipv4 does; the hooks run after the
 * bridge's forwarding decision (a DNAT cannot change which port a frame
 * leaves by). */
#include <errno.h>
#include <string.h>

#include "bridge/br_private.h"
#include "ipv4/ip.h"
#include "netfilter/core.h"
#include "wire/ipv4.h"

static const unsigned int br_nf_hooks[] = {
	NF_INET_PRE_ROUTING, NF_INET_FORWARD, NF_INET_POST_ROUTING,
};

/* True when skb (data at the network header) may go on; false when a hook
 * dropped or stole it (it is then gone). */
bool br_nf_forward_ipv4(struct ns_stack *stack, struct sk_buff *skb, struct net_device *in,
			struct net_device *out)
{
	char saved_cb[SKB_CB_SIZE];
	struct ipv4_repr ip;
	bool go_on = true;

	if (!stack->br->call_iptables || skb->protocol != ETH_P_IP || !stack->nf)
		return true;
	if (ipv4_parse(skb->data, skb->len, 0, &ip) != WIRE_OK)
		return true;	/* not a valid IPv4 header: bridged as plain frames */
	/* the IPv4 hooks read IPCB: lend them the control block */
	memcpy(saved_cb, skb->cb, sizeof(saved_cb));
	memset(skb->cb, 0, sizeof(skb->cb));
	IPCB(skb)->iif = in->ifindex;
	IPCB(skb)->saddr = ip.saddr;
	IPCB(skb)->daddr = ip.daddr;
	IPCB(skb)->ttl = ip.ttl;
	IPCB(skb)->tos = ip.tos;
	IPCB(skb)->protocol = ip.protocol;
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, (int)ipv4_hdr_len(&ip));
	for (size_t i = 0; i < ARRAY_SIZE(br_nf_hooks) && go_on; i++) {
		const struct nf_hook_entries *e = &stack->nf->hooks[NFPROTO_IPV4][br_nf_hooks[i]];
		struct nf_hook_state st = {
			.hook = (uint8_t)br_nf_hooks[i],
			.pf = NFPROTO_IPV4,
			.in = br_nf_hooks[i] == NF_INET_POST_ROUTING ? NULL : in,
			.out = br_nf_hooks[i] == NF_INET_PRE_ROUTING ? NULL : out,
			.stack = stack,
		};

		if (e->num && nf_hook_slow(skb, &st, e) != 1)
			go_on = false;
	}
	if (go_on)
		memcpy(skb->cb, saved_cb, sizeof(saved_cb));
	return go_on;
}
