/* nf_reject.h - the reject verdict's replies (nf_reject_ipv4.c). */
#ifndef NSTACK_NETFILTER_NF_REJECT_H
#define NSTACK_NETFILTER_NF_REJECT_H

struct ns_stack;
struct sk_buff;
struct nft_pktinfo;
struct nft_expr;

/* Answer the packet a reject verdict refused: an ICMP destination
 * unreachable with the rule's code, or a TCP RST. Does not consume skb. */
void nf_reject_ipv4(struct ns_stack *stack, struct sk_buff *skb, const struct nft_pktinfo *pkt,
		    const struct nft_expr *e);
/* RFC 9293 3.10.7.1: the reset for a segment that reached no connection.
 * 0, or -errno when none is sent (a RST, not TCP, no route). */
int nf_send_reset(struct ns_stack *stack, struct sk_buff *skb, const struct nft_pktinfo *pkt);

#endif
