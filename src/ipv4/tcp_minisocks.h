/* tcp_minisocks.h - the TIME-WAIT minisocket (Linux's inet_timewait_sock /
 * tcp_timewait_sock, net/ipv4/tcp_minisocks.c, inet_timewait_sock.c).
 *
 * A connection entering TIME-WAIT gives up its tcp_sock at once; what the
 * 2 MSL wait needs (RFC 9293 3.10.7.4 TIME-WAIT: the 4-tuple, RCV.NXT,
 * SND.NXT, the window and TS.Recent, the deadline) stays in a small bucket,
 * hashed by 4-tuple (looked up after the established table misses) and by
 * local port (bind() and connect() port checks), on a death row in expiry
 * order that one per-stack timer reaps (every bucket waits the same
 * TCP_TIMEWAIT_LEN, so insertion order is expiry order; a rescheduled one
 * moves to the tail). Their number is bounded by tcp_max_tw_buckets. */
#ifndef NSTACK_IPV4_TCP_MINISOCKS_H
#define NSTACK_IPV4_TCP_MINISOCKS_H

#include "ipv4/tcp.h"

struct tcp_timewait_sock {
	struct hlist_node node;			/* tw_ehash: 4-tuple */
	struct hlist_node bind_node;		/* tw_bhash: local port */
	struct list_head death_node;		/* tw_death_row, by expiry */
	struct netns_tcp *tn;
	const struct tcp_af_ops *af_ops;	/* the connection's family */
	uint64_t expires;			/* ns: end of TIME-WAIT */
	uint64_t ts_recent_stamp;		/* ns, 0: no TS.Recent */
	uint64_t last_oow_ack_time;		/* ns: last out-of-window ACK sent */
	uint32_t hash;				/* 4-tuple hash (as sk_hash) */
	uint32_t rcv_saddr, saddr, daddr;	/* IPv4, host order */
	uint32_t rcv_nxt, snd_nxt;
	uint32_t rcv_wnd;			/* window left at entry (unscaled) */
	uint32_t ts_recent;			/* RFC 7323 TS.Recent */
	int bound_dev_if;
	uint16_t num, dport;			/* local port, remote port */
	uint8_t family;				/* sk_family of the socket */
	uint8_t rcv_wscale;
	bool tstamp_ok : 1;
	bool v6only : 1;
	bool reuse : 1;				/* SO_REUSEADDR */
	bool reuseport : 1;			/* SO_REUSEPORT */
	bool bind_locked : 1;			/* port given by bind() (SOCK_BINDPORT_LOCK) */
	/* family AF_INET6 only: sk_v6_rcv_saddr, np->saddr, sk_v6_daddr */
	uint8_t rcv_saddr6[16], saddr6[16], daddr6[16];
};

/* what tcp_timewait_state_process asks of its caller (Linux's tcp_tw_status) */
enum tcp_tw_status {
	TCP_TW_SUCCESS,		/* done: drop the segment */
	TCP_TW_ACK,		/* send tcp_timewait_ack, drop */
	TCP_TW_SYN,		/* a new incarnation: hand it to a listener with *isn */
};

int tcp_tw_init(struct netns_tcp *tn);
void tcp_tw_exit(struct netns_tcp *tn);
/* tcp_time_wait's half: a bucket for tp (false: tcp_max_tw_buckets reached) */
bool tcp_tw_enter(struct tcp_sock *tp);
/* the bucket of a 4-tuple; h: tcp_hash4/6 of it */
struct tcp_timewait_sock *tcp_tw_lookup4(struct netns_tcp *tn, uint32_t h, uint32_t laddr,
					 uint16_t lport, uint32_t faddr, uint16_t fport);
struct tcp_timewait_sock *tcp_tw_lookup6(struct netns_tcp *tn, uint32_t h, const uint8_t *laddr,
					 uint16_t lport, const uint8_t *faddr, uint16_t fport);
/* the buckets holding local port `port` (tw_bhash chain; compare ->num) */
struct hlist_head *tcp_tw_port_chain(struct netns_tcp *tn, uint16_t port);
enum tcp_tw_status tcp_timewait_state_process(struct tcp_timewait_sock *tw,
					      const struct tcp_repr *th,
					      const struct tcp_options *opt, uint32_t *isn);
/* an ACK from tw's state (Linux's tcp_v4_timewait_ack) */
void tcp_timewait_ack(struct tcp_timewait_sock *tw);
/* unhash and free (Linux's inet_twsk_deschedule_put) */
void tcp_tw_kill(struct tcp_timewait_sock *tw);
/* seconds-resolution view for /proc and ss: ns left, 0 when due */
static inline uint64_t tcp_tw_left(const struct tcp_timewait_sock *tw, uint64_t now)
{
	return tw->expires > now ? tw->expires - now : 0;
}
/* every bucket, for /proc/net/tcp and ss */
#define tcp_tw_for_each(tw, tn) list_for_each_entry(tw, &(tn)->tw_death_row, death_node)

#endif
