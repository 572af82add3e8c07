/* tcp_minisocks.c - TIME-WAIT minisockets (Linux net/ipv4/tcp_minisocks.c
 * tcp_time_wait / tcp_timewait_state_process, inet_timewait_sock.c): the
 * bucket that replaces a tcp_sock for the 2 MSL of TIME-WAIT, its tables,
 * its timer and its answers to segments (RFC 9293 3.10.7.4, RFC 7323 5,
 * RFC 6191). See tcp_minisocks.h. */
#include <stdlib.h>
#include <string.h>

#include "ipv4/tcp_minisocks.h"
#include "ipv6/ipv6.h"

#define TW_EHASH_MIN 1024U
#define TW_BHASH_SIZE 65536U	/* one chain per port */

/* ---- tables ---------------------------------------------------------------------------------- */
static void tcp_tw_timer(struct timer_list *t);

int tcp_tw_init(struct netns_tcp *tn)
{
	INIT_LIST_HEAD(&tn->tw_death_row);
	timer_setup(&tn->tw_timer, tn->stack, tcp_tw_timer);
	/* the tables come with the first bucket: a stack that never enters
	 * TIME-WAIT does not carry them */
	return 0;
}

void tcp_tw_exit(struct netns_tcp *tn)
{
	while (!list_empty(&tn->tw_death_row))
		tcp_tw_kill(list_first_entry(&tn->tw_death_row, struct tcp_timewait_sock, death_node));
	del_timer(&tn->tw_timer);
	free(tn->tw_ehash.buckets);
	free(tn->tw_bhash);
	tn->tw_ehash.buckets = NULL;
	tn->tw_bhash = NULL;
}

static bool tw_tables_alloc(struct netns_tcp *tn)
{
	if (tn->tw_ehash.buckets)
		return true;
	tn->tw_ehash.buckets = calloc(TW_EHASH_MIN, sizeof(*tn->tw_ehash.buckets));
	tn->tw_bhash = calloc(TW_BHASH_SIZE, sizeof(*tn->tw_bhash));
	if (!tn->tw_ehash.buckets || !tn->tw_bhash) {
		free(tn->tw_ehash.buckets);
		free(tn->tw_bhash);
		tn->tw_ehash.buckets = NULL;
		tn->tw_bhash = NULL;
		return false;
	}
	tn->tw_ehash.mask = TW_EHASH_MIN - 1;
	return true;
}

/* Double the 4-tuple table when it holds more buckets than chains. */
static void tw_ehash_grow(struct netns_tcp *tn)
{
	struct tcp_hash *h = &tn->tw_ehash;
	uint32_t nsize = (h->mask + 1) * 2;
	struct hlist_head *nb;

	if (nsize > (1u << 24) || !(nb = calloc(nsize, sizeof(*nb))))
		return;
	for (uint32_t i = 0; i <= h->mask; i++) {
		struct tcp_timewait_sock *tw;
		struct hlist_node *n;

		hlist_for_each_entry_safe(tw, n, &h->buckets[i], node) {
			hlist_del(&tw->node);
			hlist_add_head(&tw->node, &nb[tw->hash & (nsize - 1)]);
		}
	}
	free(h->buckets);
	h->buckets = nb;
	h->mask = nsize - 1;
}

struct hlist_head *tcp_tw_port_chain(struct netns_tcp *tn, uint16_t port)
{
	return tn->tw_bhash ? &tn->tw_bhash[port] : NULL;
}

struct tcp_timewait_sock *tcp_tw_lookup4(struct netns_tcp *tn, uint32_t h, uint32_t laddr,
					 uint16_t lport, uint32_t faddr, uint16_t fport)
{
	struct tcp_timewait_sock *tw;

	if (!tn->tw_count)
		return NULL;
	hlist_for_each_entry(tw, &tn->tw_ehash.buckets[h & tn->tw_ehash.mask], node)
		if (tw->hash == h && tw->num == lport && tw->dport == fport &&
		    tw->rcv_saddr == laddr && tw->daddr == faddr && tw->af_ops->family == AF_INET)
			return tw;
	return NULL;
}

struct tcp_timewait_sock *tcp_tw_lookup6(struct netns_tcp *tn, uint32_t h, const uint8_t *laddr,
					 uint16_t lport, const uint8_t *faddr, uint16_t fport)
{
	struct tcp_timewait_sock *tw;

	if (!tn->tw_count)
		return NULL;
	hlist_for_each_entry(tw, &tn->tw_ehash.buckets[h & tn->tw_ehash.mask], node)
		if (tw->hash == h && tw->num == lport && tw->dport == fport &&
		    tw->af_ops->family == AF_INET6 && ipv6_addr_equal(tw->rcv_saddr6, laddr) &&
		    ipv6_addr_equal(tw->daddr6, faddr))
			return tw;
	return NULL;
}

/* ---- the timer: one for the stack, armed for the head of the death row -------------------------- */
static void tw_timer_arm(struct netns_tcp *tn)
{
	struct tcp_timewait_sock *head;

	if (list_empty(&tn->tw_death_row))
		return;
	head = list_first_entry(&tn->tw_death_row, struct tcp_timewait_sock, death_node);
	if (!timer_pending(&tn->tw_timer) || tn->tw_timer.expires > head->expires)
		mod_timer(&tn->tw_timer, head->expires);
}

/* Linux's tw_timer_handler: every bucket whose 2 MSL are over goes
 * silently (RFC 9293 3.10.7.4: "delete the TCB, enter the CLOSED state"). */
static void tcp_tw_timer(struct timer_list *t)
{
	struct netns_tcp *tn = from_timer(tn, t, tw_timer);
	uint64_t now = tcp_clock(tn->stack);

	while (!list_empty(&tn->tw_death_row)) {
		struct tcp_timewait_sock *tw =
			list_first_entry(&tn->tw_death_row, struct tcp_timewait_sock, death_node);

		if (tw->expires > now)
			break;
		TCP_INC_STATS(tn, TCP_MIB_TW);
		tcp_tw_kill(tw);
	}
	tw_timer_arm(tn);
}

/* inet_twsk_reschedule: TIME-WAIT starts over (the timer is armed for an
 * earlier head and re-arms itself when it fires) */
static void tw_reschedule(struct tcp_timewait_sock *tw, uint64_t now)
{
	tw->expires = now + TCP_TIMEWAIT_LEN;
	list_del(&tw->death_node);
	list_add_tail(&tw->death_node, &tw->tn->tw_death_row);
}

void tcp_tw_kill(struct tcp_timewait_sock *tw)
{
	struct netns_tcp *tn = tw->tn;

	hlist_del(&tw->node);
	hlist_del(&tw->bind_node);
	list_del(&tw->death_node);
	tn->tw_ehash.count--;
	tn->tw_count--;
	free(tw);
}

/* ---- entering TIME-WAIT (Linux's tcp_time_wait + inet_twsk_hashdance) ------------------------------ */
/* Linux's tcp_receive_window: what is left of the window we offered */
static uint32_t tcp_receive_window(const struct tcp_sock *tp)
{
	int32_t win = (int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);

	return win < 0 ? 0 : (uint32_t)win;
}

static void tw_copy_addrs(struct tcp_timewait_sock *tw, const struct tcp_sock *tp)
{
	const struct inet_sock *in = &tp->inet;

	tw->af_ops = tp->af_ops;
	tw->family = (uint8_t)in->sk.sk_family;
	tw->rcv_saddr = in->inet_rcv_saddr;
	tw->saddr = in->inet_saddr;
	tw->daddr = in->inet_daddr;
	tw->num = in->inet_num;
	tw->dport = in->inet_dport;
	if (tw->family == AF_INET6) {
		memcpy(tw->rcv_saddr6, tcp6_sk(tp)->v6_rcv_saddr, 16);
		memcpy(tw->saddr6, tcp6_sk(tp)->v6_saddr, 16);
		memcpy(tw->daddr6, tcp6_sk(tp)->v6_daddr, 16);
	}
}

bool tcp_tw_enter(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	struct tcp_timewait_sock *tw;

	if (!tp->in_ehash)
		return false;	/* never hashed: no 4-tuple to guard */
	/* Linux's inet_twsk_alloc: over tcp_max_tw_buckets the connection
	 * just closes ("time wait bucket table overflow") */
	if (tn->tw_count >= (unsigned int)tn->max_tw_buckets || !tw_tables_alloc(tn) ||
	    !(tw = malloc(sizeof(*tw)))) {
		TCP_INC_STATS(tn, TCP_MIB_TWOVERFLOW);
		return false;
	}
	tw->tn = tn;
	tw_copy_addrs(tw, tp);
	tw->hash = sk->sk_hash;		/* tp was in the established table */
	tw->rcv_nxt = tp->rcv_nxt;
	tw->snd_nxt = tp->snd_nxt;
	tw->rcv_wnd = tcp_receive_window(tp);
	tw->rcv_wscale = tp->rx_opt.rcv_wscale;
	tw->tstamp_ok = tp->rx_opt.tstamp_ok;
	tw->ts_recent = tp->rx_opt.ts_recent;
	tw->ts_recent_stamp = tp->rx_opt.ts_recent_stamp;
	tw->last_oow_ack_time = 0;
	tw->bound_dev_if = sk->sk_bound_dev_if;
	tw->v6only = tp->v6only;
	tw->reuse = sk->sk_reuse != 0;
	tw->reuseport = sk->sk_reuseport != 0;
	tw->bind_locked = (sk->sk_userlocks & SOCK_BINDPORT_LOCK) != 0;
	tw->expires = tcp_now(tp) + TCP_TIMEWAIT_LEN;
	hlist_add_head(&tw->node, &tn->tw_ehash.buckets[tw->hash & tn->tw_ehash.mask]);
	hlist_add_head(&tw->bind_node, &tn->tw_bhash[tw->num]);
	list_add_tail(&tw->death_node, &tn->tw_death_row);
	tn->tw_count++;
	if (++tn->tw_ehash.count > tn->tw_ehash.mask + 1)
		tw_ehash_grow(tn);
	tw_timer_arm(tn);
	return true;
}

/* ---- segments for a TIME-WAIT connection ----------------------------------------------------------- */
/* RFC 7323 5.3 R1 with Linux's tcp_paws_reject (window 0: an older TSval
 * is rejected, unless TS.Recent is 24 days old or the segment is a RST). */
static bool tw_paws_reject(const struct tcp_timewait_sock *tw, const struct tcp_options *opt,
			   bool rst, uint64_t now)
{
	if (!opt->ts_ok || !tw->ts_recent_stamp)
		return false;
	if ((int32_t)(opt->tsval - tw->ts_recent) >= 0)
		return false;
	if (now - tw->ts_recent_stamp > 24ULL * 24 * 3600 * NS_PER_SEC)
		return false;
	return !rst;
}

/* Linux's tcp_oow_rate_limited for a bucket: data without SYN is never
 * limited (no ACK loop); otherwise one ACK per tcp_invalid_ratelimit. */
static bool tw_oow_rate_limited(struct tcp_timewait_sock *tw, const struct tcp_repr *th,
				uint64_t now)
{
	struct netns_tcp *tn = tw->tn;
	uint64_t gap = (uint64_t)tn->invalid_ratelimit_ms * NS_PER_MS;

	if ((th->payload_len || (th->flags & TCP_FLAG_FIN)) && !(th->flags & TCP_FLAG_SYN))
		return false;
	if (tw->last_oow_ack_time && now - tw->last_oow_ack_time < gap) {
		TCP_INC_STATS(tn, TCP_MIB_ACKSKIPPEDTIMEWAIT);
		return true;
	}
	tw->last_oow_ack_time = now;
	return false;
}

/* Linux's tcp_timewait_state_process (its TCP_TIME_WAIT part).
 * RFC 9293 3.10.7.4: in TIME-WAIT "the only thing that can arrive is a
 * retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL
 * timeout"; a RST closes (RFC 1337's hazard, as Linux with tcp_rfc1337 0);
 * RFC 1122 4.2.2.13 / RFC 6191: a SYN past RCV.NXT or with a newer
 * timestamp may open a new incarnation, its ISN above our old SND.NXT. */
enum tcp_tw_status tcp_timewait_state_process(struct tcp_timewait_sock *tw,
					      const struct tcp_repr *th,
					      const struct tcp_options *opt, uint32_t *isn)
{
	struct netns_tcp *tn = tw->tn;
	uint64_t now = tcp_clock(tn->stack);
	bool rst = th->flags & TCP_FLAG_RST;
	bool ts = opt->ts_ok && tw->ts_recent_stamp;
	bool paws_reject = tw_paws_reject(tw, opt, rst, now);
	uint32_t seg_len = (uint32_t)th->payload_len + !!(th->flags & TCP_FLAG_SYN) +
			   !!(th->flags & TCP_FLAG_FIN);

	if (!paws_reject && th->seq == tw->rcv_nxt && (!seg_len || rst)) {
		/* in window: a RST or a bare ACK */
		if (rst) {
			if (!tn->rfc1337) {
				tcp_tw_kill(tw);	/* TIME-WAIT assassination */
				return TCP_TW_SUCCESS;
			}
		} else {
			tw_reschedule(tw, now);
		}
		if (ts) {
			tw->ts_recent = opt->tsval;
			tw->ts_recent_stamp = now;
		}
		return TCP_TW_SUCCESS;
	}
	if ((th->flags & (TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_ACK)) == TCP_FLAG_SYN &&
	    !paws_reject &&
	    (after(th->seq, tw->rcv_nxt) || (ts && (int32_t)(tw->ts_recent - opt->tsval) < 0))) {
		uint32_t n = tw->snd_nxt + 65535 + 2;

		*isn = n ? n : 1;
		return TCP_TW_SYN;
	}
	if (paws_reject)
		TCP_INC_STATS(tn, TCP_MIB_PAWSESTABREJECTED);
	if (rst)
		return TCP_TW_SUCCESS;
	/* a retransmitted FIN (or anything else): ACK it; a SYN without ACK
	 * may be an old duplicate as well as a new SYN below RCV.NXT, so it
	 * does not restart the timeout */
	if (paws_reject || (th->flags & TCP_FLAG_ACK))
		tw_reschedule(tw, now);
	return tw_oow_rate_limited(tw, th, now) ? TCP_TW_SUCCESS : TCP_TW_ACK;
}

/* Linux's tcp_v4_timewait_ack / tcp_v6_timewait_ack: <SEQ=SND.NXT>
 * <ACK=RCV.NXT><CTL=ACK>, the window left at entry, the timestamp echoing
 * TS.Recent (RFC 7323 3.2: once negotiated, on every segment). */
void tcp_timewait_ack(struct tcp_timewait_sock *tw)
{
	struct ns_stack *stack = tw->tn->stack;
	uint8_t opts[12];	/* NOP NOP TS (RFC 7323 Appendix A) */
	struct tcp_repr r = { .sport = tw->num, .dport = tw->dport, .seq = tw->snd_nxt,
			      .ack_seq = tw->rcv_nxt, .flags = TCP_FLAG_ACK };
	struct tcp_addrs a = { .ops = tw->af_ops, .laddr = tw->saddr, .raddr = tw->daddr,
			       .iif = tw->bound_dev_if };
	uint32_t win = tw->rcv_wnd >> tw->rcv_wscale;

	r.window = (uint16_t)(win > 65535 ? 65535 : win);
	if (tw->tstamp_ok) {
		put_be32(opts, (uint32_t)TCPOPT_NOP << 24 | (uint32_t)TCPOPT_NOP << 16 |
			       (uint32_t)TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP);
		put_be32(opts + 4, tcp_time_stamp_ms(stack));
		put_be32(opts + 8, tw->ts_recent);
		r.opts = opts;
		r.opts_len = sizeof(opts);
	}
	if (tw->family == AF_INET6) {
		memcpy(a.laddr6, tw->saddr6, 16);
		memcpy(a.raddr6, tw->daddr6, 16);
	}
	tw->af_ops->send_reply(stack, &a, &r);
}
