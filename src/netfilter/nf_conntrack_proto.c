/* nf_conntrack_proto.c - what conntrack knows of each protocol: tuples,
 * TCP's state machine (Linux's tcp_conntracks table over RFC 9293 3.3.2
 * states) with a basic window check (Guido van Rooij's "Real Stateful TCP
 * Packet Filtering in IP Filter": a segment must lie within what the peer
 * acknowledged plus its window), UDP's unreplied/stream timeouts and ICMP
 * queries. Timeouts are the nf_conntrack_*_timeout sysctls. */
#include <string.h>

#include "core/stack.h"
#include "netfilter/nf_conntrack_proto.h"
#include "wire/icmp.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define NS_PER_S 1000000000ull

uint8_t nf_ct_icmp_invert_type(uint8_t type)
{
	switch (type) {
	case ICMP_ECHO: return ICMP_ECHOREPLY;
	case ICMP_ECHOREPLY: return ICMP_ECHO;
	case ICMP_TIMESTAMP: return ICMP_TIMESTAMPREPLY;
	case ICMP_TIMESTAMPREPLY: return ICMP_TIMESTAMP;
	case ICMP_INFO_REQUEST: return ICMP_INFO_REPLY;
	case ICMP_INFO_REPLY: return ICMP_INFO_REQUEST;
	case 17: return 18;	/* address mask request/reply, RFC 950 */
	case 18: return 17;
	default: return type;
	}
}

static bool icmp_is_query(uint8_t type)
{
	return type == ICMP_ECHO || type == ICMP_TIMESTAMP || type == ICMP_INFO_REQUEST ||
	       type == 17;
}

static bool icmp_is_answer(uint8_t type)
{
	return type == ICMP_ECHOREPLY || type == ICMP_TIMESTAMPREPLY || type == ICMP_INFO_REPLY ||
	       type == 18;
}

/* Ports or ICMP id/type from the first 8 transport bytes (all an ICMP
 * error is sure to quote, RFC 792). */
static int l4_tuple(uint8_t proto, const uint8_t *l4, size_t l4len, struct nf_conntrack_tuple *t)
{
	t->proto = proto;
	t->sport = t->dport = 0;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (l4len < 4)
			return -1;
		t->sport = get_be16(l4);
		t->dport = get_be16(l4 + 2);
		return 0;
	case IPPROTO_ICMP:
		if (l4len < ICMP_HLEN || !(icmp_is_query(l4[0]) || icmp_is_answer(l4[0])))
			return -1;
		t->sport = get_be16(l4 + 4);	/* identifier */
		t->dport = (uint16_t)(l4[0] << 8 | l4[1]);
		return 0;
	default:
		return 0;
	}
}

int nf_ct_get_tuple(const struct ipv4_repr *ip, const uint8_t *l4, size_t l4len,
		    struct nf_conntrack_tuple *t)
{
	t->src = ip->saddr;
	t->dst = ip->daddr;
	if (ip->protocol == IPPROTO_TCP && l4len < TCP_HLEN_MIN)
		return -1;
	if (ip->protocol == IPPROTO_UDP && l4len < UDP_HLEN)
		return -1;
	return l4_tuple(ip->protocol, l4, l4len, t);
}

int nf_ct_icmp_inner_tuple(const uint8_t *l4, size_t l4len, struct nf_conntrack_tuple *t)
{
	struct icmp_repr r;
	struct ipv4_repr ip;
	const uint8_t *q;
	size_t qlen;

	if (icmp_parse(l4, l4len, ICMP_PARSE_NO_CSUM, &r) != WIRE_OK ||
	    icmp_parse_inner(&r, &ip, &q, &qlen) != WIRE_OK)
		return -1;
	t->src = ip.saddr;
	t->dst = ip.daddr;
	/* an error about an error is never sent (RFC 1122 3.2.2) */
	if (ip.protocol == IPPROTO_ICMP && qlen >= 1 && icmp_is_error(q[0]))
		return -1;
	return l4_tuple(ip.protocol, q, qlen, t);
}

/* ---- TCP -------------------------------------------------------------------------------- */
enum tcp_bit_set { TCP_SYN_SET, TCP_SYNACK_SET, TCP_FIN_SET, TCP_ACK_SET, TCP_RST_SET, TCP_NONE_SET };

#define sNO TCP_CONNTRACK_NONE
#define sSS TCP_CONNTRACK_SYN_SENT
#define sSR TCP_CONNTRACK_SYN_RECV
#define sES TCP_CONNTRACK_ESTABLISHED
#define sFW TCP_CONNTRACK_FIN_WAIT
#define sCW TCP_CONNTRACK_CLOSE_WAIT
#define sLA TCP_CONNTRACK_LAST_ACK
#define sTW TCP_CONNTRACK_TIME_WAIT
#define sCL TCP_CONNTRACK_CLOSE
#define sS2 TCP_CONNTRACK_SYN_SENT2
#define sIV TCP_CONNTRACK_INVALID
#define sIG TCP_CONNTRACK_IGNORE

/* Linux's tcp_conntracks[dir][flags][state] */
static const uint8_t tcp_conntracks[2][6][TCP_CONNTRACK_MAX] = {
	{ /* ORIGINAL: sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
	/*syn*/	   { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
	/*synack*/ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
	/*fin*/	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
	/*ack*/	   { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
	/*rst*/	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{ /* REPLY:    sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
	/*syn*/	   { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
	/*synack*/ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
	/*fin*/	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
	/*ack*/	   { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
	/*rst*/	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
};

static int tcp_index(uint8_t flags)
{
	if (flags & TCP_FLAG_RST)
		return TCP_RST_SET;
	if (flags & TCP_FLAG_SYN)
		return (flags & TCP_FLAG_ACK) ? TCP_SYNACK_SET : TCP_SYN_SET;
	if (flags & TCP_FLAG_FIN)
		return TCP_FIN_SET;
	if (flags & TCP_FLAG_ACK)
		return TCP_ACK_SET;
	return TCP_NONE_SET;
}

static int tcp_state_timeout(uint8_t state)
{
	static const int map[TCP_CONNTRACK_MAX] = {
		[sNO] = CT_TO_TCP_CLOSE, [sSS] = CT_TO_TCP_SYN_SENT, [sSR] = CT_TO_TCP_SYN_RECV,
		[sES] = CT_TO_TCP_ESTABLISHED, [sFW] = CT_TO_TCP_FIN_WAIT,
		[sCW] = CT_TO_TCP_CLOSE_WAIT, [sLA] = CT_TO_TCP_LAST_ACK,
		[sTW] = CT_TO_TCP_TIME_WAIT, [sCL] = CT_TO_TCP_CLOSE, [sS2] = CT_TO_TCP_SYN_SENT,
	};

	return map[state];
}

static bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* RFC 9293 3.4 sequence space: the segment must fall inside what the
 * receiver allowed (its ack + window) and not entirely before what the
 * sender already sent minus the receiver's largest window. */
static bool tcp_in_window(const struct netns_ct *cn, struct nf_conn *ct, int dir,
			  const struct tcp_repr *th, const struct tcp_options *opts)
{
	struct nf_ct_tcp_dir *snd = &ct->tcp[dir], *rcv = &ct->tcp[!dir];
	uint32_t seq = th->seq, ack = th->ack_seq, win = th->window;
	uint32_t end = seq + (uint32_t)th->payload_len + !!(th->flags & TCP_FLAG_SYN) +
		       !!(th->flags & TCP_FLAG_FIN);
	bool ok;

	if (th->flags & TCP_FLAG_SYN) {
		/* RFC 7323 2.2: the window of a SYN is never scaled */
		snd->td_scale = opts->ws_ok ? opts->ws : 0;
		if (!snd->seen || !seq_before(seq, snd->td_end - 1)) {
			snd->td_end = end;
			snd->td_maxend = end;
			snd->td_maxwin = win ? win : 1;
			snd->seen = true;
		}
	} else {
		/* scaling applies only when both SYNs offered it */
		if (snd->td_scale && rcv->td_scale)
			win <<= snd->td_scale;
		if (!snd->seen) {	/* picked up mid-stream */
			snd->td_end = end;
			snd->td_maxwin = win ? win : 1;
			snd->td_maxend = end + snd->td_maxwin;
			snd->seen = true;
		}
	}
	if (!(th->flags & TCP_FLAG_ACK))
		ack = rcv->td_end;
	ok = cn->sysctl_tcp_be_liberal || !rcv->seen || rcv->td_maxwin == 0 ||
	     (!seq_before(snd->td_maxend, seq) &&
	      !seq_before(end, snd->td_end - rcv->td_maxwin));
	if (!ok)
		return false;
	if (snd->td_maxwin < win)
		snd->td_maxwin = win;
	if (seq_before(snd->td_end, end))
		snd->td_end = end;
	if ((th->flags & TCP_FLAG_ACK) && seq_before(rcv->td_maxend, ack + (win ? win : 1)))
		rcv->td_maxend = ack + (win ? win : 1);
	return true;
}

static int tcp_packet(struct ns_stack *stack, struct nf_conn *ct, enum ip_conntrack_dir dir,
		      const uint8_t *l4, size_t l4len)
{
	struct netns_ct *cn = stack->ct;
	struct tcp_options opts;
	struct tcp_repr th;
	uint8_t old = ct->tcp_state, new;

	memset(&opts, 0, sizeof(opts));
	if (tcp_parse(l4, l4len, &th, &opts) != WIRE_OK)
		return -1;
	new = tcp_conntracks[dir][tcp_index(th.flags)][old < TCP_CONNTRACK_MAX ? old : sNO];
	if (new == sIV)
		return -1;
	if (new == sIG)		/* e.g. a retransmitted SYN-ACK: no change */
		return 0;
	if (new == sSS && (old == sTW || old == sCL)) {
		/* a new SYN reopens a closed connection: start afresh */
		memset(ct->tcp, 0, sizeof(ct->tcp));
		ct->status &= ~(uint32_t)(IPS_SEEN_REPLY | IPS_ASSURED);
	}
	if (!tcp_in_window(cn, ct, dir, &th, &opts))
		return -1;
	ct->tcp_state = new;
	if (new == sES && (dir == IP_CT_DIR_REPLY || (ct->status & IPS_SEEN_REPLY)))
		ct->status |= IPS_ASSURED;
	ct->timeout = ns_now(stack) + (uint64_t)cn->timeouts[tcp_state_timeout(new)] * NS_PER_S;
	return 0;
}

bool nf_ct_proto_new_ok(const struct netns_ct *cn, const struct nf_conntrack_tuple *t,
			const uint8_t *l4, size_t l4len)
{
	uint8_t flags;

	switch (t->proto) {
	case IPPROTO_TCP:
		if (l4len < TCP_HLEN_MIN)
			return false;
		flags = l4[13];
		if (tcp_conntracks[0][tcp_index(flags)][sNO] == sSS)
			return true;
		return cn->sysctl_tcp_loose && tcp_index(flags) == TCP_ACK_SET;
	case IPPROTO_ICMP:
		return icmp_is_query((uint8_t)(t->dport >> 8));
	default:
		return true;
	}
}

int nf_ct_proto_packet(struct ns_stack *stack, struct nf_conn *ct, enum ip_conntrack_dir dir,
		       const struct ipv4_repr *ip, const uint8_t *l4, size_t l4len)
{
	struct netns_ct *cn = stack->ct;
	uint64_t now = ns_now(stack);
	int to;

	switch (ip->protocol) {
	case IPPROTO_TCP:
		return tcp_packet(stack, ct, dir, l4, l4len);
	case IPPROTO_UDP:
		/* unreplied: 30 s; once both ways: a stream, 120 s, assured */
		if (dir == IP_CT_DIR_REPLY || (ct->status & IPS_SEEN_REPLY)) {
			ct->status |= IPS_ASSURED;
			to = cn->timeouts[CT_TO_UDP_STREAM];
		} else {
			to = cn->timeouts[CT_TO_UDP];
		}
		break;
	case IPPROTO_ICMP:
		to = cn->timeouts[CT_TO_ICMP];
		break;
	default:
		to = cn->timeouts[CT_TO_GENERIC];
		break;
	}
	ct->timeout = now + (uint64_t)to * NS_PER_S;
	return 0;
}
