/* nf_tables_core.c - rule evaluation (Linux's nft_do_chain): parse the
 * packet's headers once into nft_pktinfo, then walk the chain's rules;
 * a rule's expressions run in order and the first match that fails moves
 * on to the next rule. jump pushes the return point on a bounded stack,
 * goto does not; falling off a user chain returns, falling off a base
 * chain applies its policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/netdevice.h"
#include "core/skbuff.h"
#include "core/stack.h"
#include "netfilter/nf_tables.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

static void pkt_parse_l4(struct nft_pktinfo *pkt, const uint8_t *l4, size_t len)
{
	struct tcp_repr tcp;
	struct udp_repr udp;
	struct icmp_repr icmp;

	switch (pkt->l4proto) {
	case IPPROTO_TCP:
		if (tcp_parse(l4, len, &tcp, NULL) != WIRE_OK)
			return;
		pkt->v[NFT_F_TH_SPORT] = tcp.sport;
		pkt->v[NFT_F_TH_DPORT] = tcp.dport;
		pkt->v[NFT_F_TCP_FLAGS] = tcp.flags;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (udp_parse(l4, len, &udp) != WIRE_OK)
			return;
		pkt->v[NFT_F_TH_SPORT] = udp.sport;
		pkt->v[NFT_F_TH_DPORT] = udp.dport;
		break;
	case IPPROTO_ICMP:
		if (icmp_parse(l4, len, ICMP_PARSE_NO_CSUM, &icmp) != WIRE_OK)
			return;
		pkt->v[NFT_F_ICMP_TYPE] = icmp.type;
		pkt->v[NFT_F_ICMP_CODE] = icmp.code;
		break;
	default:
		return;
	}
	pkt->l4_ok = true;
}

int nft_pktinfo_init(struct nft_pktinfo *pkt, struct sk_buff *skb, uint8_t hook,
		     const struct net_device *in, const struct net_device *out)
{
	const uint8_t *nh = skb->network_header == SKB_HDR_UNSET ? skb->data
								 : skb_network_header(skb);
	size_t len = (size_t)(skb_tail_pointer(skb) - nh);
	struct ipv4_repr ip;

	memset(pkt, 0, sizeof(*pkt));
	pkt->skb = skb;
	pkt->hook = hook;
	pkt->in = in;
	pkt->out = out;
	pkt->v[NFT_F_CT_STATE] = NFT_CT_UNTRACKED;
	pkt->v[NFT_F_META_MARK] = skb->mark;
	if (ipv4_parse(nh, len, IPV4_PARSE_NO_CSUM, &ip) != WIRE_OK)
		return -EINVAL;
	pkt->l4proto = ip.protocol;
	pkt->v[NFT_F_IP_SADDR] = ip.saddr;
	pkt->v[NFT_F_IP_DADDR] = ip.daddr;
	pkt->v[NFT_F_IP_PROTOCOL] = ip.protocol;
	pkt->v[NFT_F_META_L4PROTO] = ip.protocol;
	pkt->v[NFT_F_IP_TTL] = ip.ttl;
	pkt->v[NFT_F_META_LENGTH] = ip.tot_len;
	pkt->thoff = (unsigned int)ipv4_hdr_len(&ip);
	/* RFC 791 3.2: only the first fragment carries the transport header */
	if (ip.frag_off == 0)
		pkt_parse_l4(pkt, nh + pkt->thoff, ip.tot_len - pkt->thoff);
	return 0;
}

/* ---- matches ------------------------------------------------------------------------- */
static bool ifname_match(const char *pattern, const struct net_device *dev)
{
	size_t n = strlen(pattern);

	if (!dev)
		return false;
	if (n && pattern[n - 1] == '*')
		return strncmp(dev->name, pattern, n - 1) == 0;
	return strcmp(dev->name, pattern) == 0;
}

static bool field_present(const struct nft_match *m, const struct nft_pktinfo *pkt)
{
	switch (m->field) {
	case NFT_F_TH_SPORT:
	case NFT_F_TH_DPORT:
		if (pkt->l4proto != IPPROTO_TCP && pkt->l4proto != IPPROTO_UDP &&
		    pkt->l4proto != IPPROTO_UDPLITE)
			return false;
		return pkt->l4_ok;
	case NFT_F_ICMP_TYPE:
	case NFT_F_ICMP_CODE:
	case NFT_F_TCP_FLAGS:
		return pkt->l4_ok;
	default:
		return true;
	}
}

static bool value_match(const struct nft_match *m, uint32_t v)
{
	switch (m->op) {
	case NFT_OP_EQ:
		return v == m->a;
	case NFT_OP_LT:
		return v < m->a;
	case NFT_OP_GT:
		return v > m->a;
	case NFT_OP_LE:
		return v <= m->a;
	case NFT_OP_GE:
		return v >= m->a;
	case NFT_OP_RANGE:
		return v >= m->a && v <= m->b;
	case NFT_OP_PREFIX:
		return (v & m->b) == m->a;
	case NFT_OP_BITS:
		return (v & m->a) != 0;
	case NFT_OP_MASKEQ:
		return (v & m->a) == m->b;
	case NFT_OP_ASET:
		return nft_aset_lookup(m->aset, v);
	case NFT_OP_SET:
		return m->set && nft_set_lookup(m->set, v);
	default:
		return false;
	}
}

bool nft_match_eval(const struct nft_match *m, const struct nft_pktinfo *pkt)
{
	bool r;

	/* the implied protocol is a separate match in nft: `tcp dport != 22`
	 * does not match a UDP packet */
	if (m->dep_proto && pkt->l4proto != m->dep_proto)
		return false;
	if (m->field == NFT_F_IIFNAME || m->field == NFT_F_OIFNAME) {
		r = ifname_match(m->name, m->field == NFT_F_IIFNAME ? pkt->in : pkt->out);
		return r != m->neg;
	}
	if (!field_present(m, pkt))
		return false;
	r = value_match(m, pkt->v[m->field]);
	return r != m->neg;
}

/* ---- log ------------------------------------------------------------------------------- */
#define NFT_LOG_RATE_NS 100000000ull	/* one message per 100 ms ... */
#define NFT_LOG_BURST 10		/* ... after a burst of 10 */

static bool log_ratelimit(struct netns_nft *nn, uint64_t now)
{
	uint64_t cap = NFT_LOG_RATE_NS * NFT_LOG_BURST;

	if (nn->log_last == 0)
		nn->log_tokens_ns = cap;
	else
		nn->log_tokens_ns += now - nn->log_last;
	if (nn->log_tokens_ns > cap)
		nn->log_tokens_ns = cap;
	nn->log_last = now ? now : 1;
	if (nn->log_tokens_ns < NFT_LOG_RATE_NS)
		return false;
	nn->log_tokens_ns -= NFT_LOG_RATE_NS;
	return true;
}

static void ip4_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* Linux's nf_log_ip format: "PREFIX IN=eth0 OUT= SRC=... DST=... LEN=..." */
bool nft_log_packet(struct ns_stack *stack, const struct nft_expr *e,
		    const struct nft_pktinfo *pkt)
{
	struct netns_nft *nn = stack->nft;
	char src[16], dst[16], ports[48] = "";
	const char *proto = "";
	char pbuf[16];

	if (!log_ratelimit(nn, ns_now(stack))) {
		nn->log_suppressed++;
		return false;
	}
	nn->logged++;
	ip4_str(pkt->v[NFT_F_IP_SADDR], src, sizeof(src));
	ip4_str(pkt->v[NFT_F_IP_DADDR], dst, sizeof(dst));
	switch (pkt->l4proto) {
	case IPPROTO_TCP: proto = "TCP"; break;
	case IPPROTO_UDP: proto = "UDP"; break;
	case IPPROTO_ICMP: proto = "ICMP"; break;
	default:
		snprintf(pbuf, sizeof(pbuf), "%u", pkt->l4proto);
		proto = pbuf;
	}
	if (pkt->l4_ok && (pkt->l4proto == IPPROTO_TCP || pkt->l4proto == IPPROTO_UDP))
		snprintf(ports, sizeof(ports), " SPT=%u DPT=%u", pkt->v[NFT_F_TH_SPORT],
			 pkt->v[NFT_F_TH_DPORT]);
	else if (pkt->l4_ok && pkt->l4proto == IPPROTO_ICMP)
		snprintf(ports, sizeof(ports), " TYPE=%u CODE=%u", pkt->v[NFT_F_ICMP_TYPE],
			 pkt->v[NFT_F_ICMP_CODE]);
	ns_log(stack, "%sIN=%s OUT=%s SRC=%s DST=%s LEN=%u TTL=%u PROTO=%s%s",
	       e->log.has_prefix ? e->log.prefix : "", pkt->in ? pkt->in->name : "",
	       pkt->out ? pkt->out->name : "", src, dst, pkt->v[NFT_F_META_LENGTH],
	       pkt->v[NFT_F_IP_TTL], proto, ports);
	return true;
}

/* ---- chains ------------------------------------------------------------------------------ */
struct nft_jumpstack {
	const struct nft_chain *chain;
	uint32_t rule;
};

enum { EVAL_NEXT_RULE, EVAL_VERDICT };

static void rule_count(struct nft_rule *r, const struct nft_pktinfo *pkt, bool *counted)
{
	if (*counted)
		return;
	*counted = true;
	r->packets++;
	r->bytes += pkt->skb ? pkt->skb->len : pkt->v[NFT_F_META_LENGTH];
}

/* Run one rule. EVAL_NEXT_RULE when a match failed or the rule had no
 * verdict; EVAL_VERDICT with *v set otherwise. */
static int eval_rule(struct ns_stack *stack, struct nft_rule *r, struct nft_pktinfo *pkt,
		     struct nft_result *res, const struct nft_expr **v)
{
	bool counted = false;

	for (uint32_t i = 0; i < r->nexprs; i++) {
		const struct nft_expr *e = &r->e[i];

		switch (e->type) {
		case NFT_E_MATCH:
			if (!nft_match_eval(&e->m, pkt))
				return EVAL_NEXT_RULE;
			break;
		case NFT_E_COUNTER:
			rule_count(r, pkt, &counted);
			break;
		case NFT_E_LOG:
			nft_log_packet(stack, e, pkt);
			break;
		case NFT_E_NAT:
			rule_count(r, pkt, &counted);
			res->nat = e;
			res->rule = r;
			*v = NULL;
			return EVAL_VERDICT;
		case NFT_E_VERDICT:
			rule_count(r, pkt, &counted);
			*v = e;
			return EVAL_VERDICT;
		}
	}
	rule_count(r, pkt, &counted);
	return EVAL_NEXT_RULE;
}

unsigned int nft_do_chain(struct ns_stack *stack, const struct nft_chain *chain,
			  struct nft_pktinfo *pkt, struct nft_result *res)
{
	struct nft_jumpstack js[NFT_JUMP_STACK_SIZE];
	unsigned int sp = 0;
	const struct nft_chain *c = chain;
	uint32_t i = 0;

	memset(res, 0, sizeof(*res));
	for (;;) {
		const struct nft_expr *v = NULL;

		if (i >= c->nrules) {
			/* end of a user chain: implicit return */
			if (sp == 0)
				return chain->policy;
			sp--;
			c = js[sp].chain;
			i = js[sp].rule;
			continue;
		}
		struct nft_rule *r = c->rules[i++];

		if (eval_rule(stack, r, pkt, res, &v) == EVAL_NEXT_RULE)
			continue;
		if (!v)		/* a nat statement: the packet is accepted */
			return NFT_ACCEPT;
		switch (v->v.code) {
		case NFT_V_ACCEPT:
			res->rule = r;
			return NFT_ACCEPT;
		case NFT_V_DROP:
			res->rule = r;
			return NFT_DROP;
		case NFT_V_REJECT:
			res->rule = r;
			res->reject = v;
			return NFT_DROP;
		case NFT_V_CONTINUE:
			break;
		case NFT_V_JUMP:
			if (sp >= NFT_JUMP_STACK_SIZE) {
				stack->nft->jump_overflow++;
				return NFT_DROP;
			}
			js[sp].chain = c;
			js[sp].rule = i;
			sp++;
			/* fall through */
		case NFT_V_GOTO:
			c = v->v.chain;
			i = 0;
			break;
		case NFT_V_RETURN:
			i = c->nrules;	/* handled as the end of the chain */
			break;
		}
	}
}
