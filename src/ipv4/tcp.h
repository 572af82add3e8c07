/* tcp.h - TCP over IPv4 (RFC 9293, with Linux's choices where the RFC
 * leaves room): struct tcp_sock, the per-skb control block, the congestion
 * control ops table, the per-stack TCP state (hash tables, sysctls, MIB) and
 * the functions the tcp*.c files share.
 *
 * Read first: tcp_ipv4.c (tcp_v4_rcv: demultiplexing, RST for unknown
 * connections), then tcp_input.c (RFC 9293 3.10.7 "segment arrives"),
 * tcp_output.c (segment building, the send queue), tcp_timer.c, tcp.c (the
 * socket calls).
 *
 * Sequence numbers are host-order uint32_t compared with before()/after().
 * Times are ns on the stack clock unless a name says _ms or _us. */
#ifndef NSTACK_IPV4_TCP_H
#define NSTACK_IPV4_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/proc.h"
#include "core/skbuff.h"
#include "core/stack.h"
#include "core/timer.h"
#include "ipv4/ip.h"
#include "socket/sock.h"
#include "wire/tcp.h"

/* ---- states (Linux numbering; TCP_ESTABLISHED, TCP_CLOSE and TCP_LISTEN
 * come from sock.h) ------------------------------------------------------------- */
#define TCP_SYN_SENT   2
#define TCP_SYN_RECV   3
#define TCP_FIN_WAIT1  4
#define TCP_FIN_WAIT2  5
#define TCP_TIME_WAIT  6
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK   9
#define TCP_CLOSING    11
#define TCP_NEW_SYN_RECV 12

#define TCPF(s) (1u << (s))

/* congestion avoidance states (tcpi_ca_state) */
#define TCP_CA_OPEN     0
#define TCP_CA_DISORDER 1
#define TCP_CA_CWR      2
#define TCP_CA_RECOVERY 3
#define TCP_CA_LOSS     4

/* ---- constants (Linux include/net/tcp.h) --------------------------------------- */
#define TCP_MSS_DEFAULT   536U		/* RFC 9293 3.7.1: no MSS option */
#define TCP_MIN_MSS       88U
#define TCP_BASE_MSS      1024U
#define MAX_TCP_HEADER    (NS_SKB_HEADROOM)
#define TCP_TIMEWAIT_LEN  (60ULL * NS_PER_SEC)
#define TCP_FIN_TIMEOUT   60
#define TCP_RTO_MIN       (200ULL * NS_PER_MS)
#define TCP_RTO_MAX       (120ULL * NS_PER_SEC)
#define TCP_TIMEOUT_INIT  (1ULL * NS_PER_SEC)	/* RFC 6298 2.1 */
#define TCP_DELACK_MIN    (40ULL * NS_PER_MS)
#define TCP_DELACK_MAX    (200ULL * NS_PER_MS)
#define TCP_ATO_MIN       TCP_DELACK_MIN
#define TCP_INIT_CWND     10U			/* RFC 6928 */
#define TCP_RESOURCE_PROBE_INTERVAL (500ULL * NS_PER_MS)
#define TCP_KEEPALIVE_TIME  7200
#define TCP_KEEPALIVE_INTVL 75
#define TCP_KEEPALIVE_PROBES 9
#define TCP_MAX_QUICKACKS 16U
#define TCP_INFINITE_SSTHRESH 0x7fffffffU

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MS  1000000ULL
#define NS_PER_US  1000ULL

/* ---- sequence arithmetic (RFC 9293 3.4) --------------------------------------------- */
static inline bool before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
#define after(a, b) before(b, a)
/* a <= b <= c (mod 2^32) */
static inline bool between(uint32_t b, uint32_t a, uint32_t c)
{
	return c - a >= b - a;
}

/* ---- per-skb control block (Linux's struct tcp_skb_cb) --------------------------------- */
#define TCPCB_SACKED_ACKED   0x01	/* SACKed (RFC 2018): the whole skb is covered */
#define TCPCB_SACKED_RETRANS 0x02	/* retransmitted and not yet acked */
#define TCPCB_LOST           0x04	/* marked lost */
#define TCPCB_EVER_RETRANS   0x80	/* ever retransmitted (Karn) */

struct tcp_skb_cb {
	uint32_t seq;		/* first sequence number */
	uint32_t end_seq;	/* seq + SYN + FIN + data length */
	uint64_t when;		/* ns: last (re)transmission; 0: never sent */
	uint32_t ack_seq;	/* received segments: their ACK field */
	uint32_t tsval;		/* received: TSval; sent: TSval of the first send */
	uint8_t tcp_flags;	/* TCP_FLAG_* of the segment */
	uint8_t sacked;		/* TCPCB_* state for the scoreboard */
};
#define TCP_SKB_CB(skb) ((struct tcp_skb_cb *)(void *)((skb)->cb))
_Static_assert(sizeof(struct tcp_skb_cb) <= SKB_CB_SIZE, "tcp_skb_cb fits skb->cb");

/* ---- congestion control ---------------------------------------------------------------- */
struct tcp_sock;
/* Linux's struct tcp_congestion_ops; NewReno ("reno") is built in. */
struct tcp_congestion_ops {
	const char *name;
	/* connection starts (may be NULL) */
	void (*init)(struct tcp_sock *tp);
	/* slow start threshold after a loss event (required) */
	uint32_t (*ssthresh)(struct tcp_sock *tp);
	/* new data acknowledged outside recovery: grow cwnd (required) */
	void (*cong_avoid)(struct tcp_sock *tp, uint32_t ack, uint32_t acked);
	/* ca_state changes (may be NULL) */
	void (*set_state)(struct tcp_sock *tp, uint8_t new_state);
	/* cwnd to restore on a spurious loss (may be NULL: no undo) */
	uint32_t (*undo_cwnd)(struct tcp_sock *tp);
	/* an ACK acknowledged acked skbs; rtt_us the RTT sample or -1 (may
	 * be NULL) */
	void (*pkts_acked)(struct tcp_sock *tp, uint32_t acked, int64_t rtt_us);
};
extern const struct tcp_congestion_ops tcp_reno;
extern const struct tcp_congestion_ops tcp_cubic;
/* tcp_available_congestion_control: names separated by spaces */
void tcp_ca_get_available(char *buf, size_t len);
/* the stack default (tcp_congestion_control sysctl) */
const struct tcp_congestion_ops *tcp_ca_default(struct netns_tcp *tn);
void tcp_reno_cong_avoid(struct tcp_sock *tp, uint32_t ack, uint32_t acked);
uint32_t tcp_reno_ssthresh(struct tcp_sock *tp);
const struct tcp_congestion_ops *tcp_ca_find(const char *name);

/* ---- address families ------------------------------------------------------------------- */
struct request_sock;
struct netns_tcp;

/* The addresses of a segment's connection as seen from our end (a SYN, an
 * ACK for a listener, an RST to send): IPv4 host order, or IPv6 bytes
 * when ops->family is AF_INET6. */
struct tcp_addrs {
	const struct tcp_af_ops *ops;
	uint32_t laddr, raddr;
	uint8_t laddr6[16], raddr6[16];
	int iif;
};

/* A SYN-ACK's route, looked up once for its MSS and its sending (Linux
 * routes a request once, inet_csk_route_req, and hands the dst to
 * send_synack). IPv4 keeps the result; IPv6 routes again (ok false). */
struct tcp_req_route {
	struct flowi4 fl4;
	struct ip_route_result res;
	bool ok;
};

/* What differs between TCP over IPv4 and over IPv6 (Linux's
 * inet_connection_sock_af_ops plus the request/cookie/ISN hooks of
 * tcp_request_sock_ops). tcp_ipv4.c defines tcp_ipv4_ops; a dual-stack
 * AF_INET6 socket speaking to an IPv4 peer uses it too (Linux's
 * ipv6_mapped); src/ipv6/tcp_ipv6.c defines the IPv6 table. */
struct tcp_af_ops {
	int family;			/* AF_INET / AF_INET6 */
	uint16_t net_header_len;	/* 20 / 40 */
	uint16_t min_mtu;		/* 68 (RFC 791) / 1280 (RFC 8200 5) */
	/* the pseudo-header checksum into the header at h (len: TCP header
	 * + payload) */
	void (*send_check)(const struct tcp_sock *tp, uint8_t *h, size_t len);
	/* route and send a segment (data at the TCP header); consumes s */
	int (*queue_xmit)(struct tcp_sock *tp, struct sk_buff *s);
	/* route the connection; learns the source address; res->mtu, type */
	int (*route)(struct tcp_sock *tp, struct ip_route_result *res);
	/* a SYN-ACK for req: checksum and send; consumes s */
	int (*req_xmit)(struct request_sock *req, const struct tcp_repr *r, struct sk_buff *s,
			const struct tcp_req_route *rt);
	/* path MTU toward req's peer, 0: no route; may keep the route in rt */
	unsigned int (*req_mtu)(struct request_sock *req, struct tcp_req_route *rt);
	/* an RST with a's addresses (sport ours) */
	void (*send_reset)(struct ns_stack *stack, const struct tcp_addrs *a, uint16_t sport,
			   uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack);
	/* a segment without a socket from a's addresses (r complete but
	 * for the checksum: a TIME-WAIT ACK) */
	void (*send_reply)(struct ns_stack *stack, const struct tcp_addrs *a,
			   const struct tcp_repr *r);
	/* RFC 6528 ISN over the 4-tuple */
	uint32_t (*init_seq)(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
			     uint16_t rport, uint64_t now);
	/* RFC 4987 3.6 cookies over the 4-tuple */
	uint32_t (*cookie_init_seq)(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				    uint16_t rport, uint32_t seq, uint16_t *mss, uint64_t now);
	uint16_t (*cookie_check)(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				 uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now);
};
extern const struct tcp_af_ops tcp_ipv4_ops;

/* ---- the connection ---------------------------------------------------------------------- */
/* A SYN received by a listener (Linux's request_sock), on its SYN queue
 * until the handshake's ACK turns it into a child tcp_sock. */
struct request_sock {
	struct list_head node;		/* listener's syn_queue */
	struct tcp_sock *listener;
	struct timer_list timer;	/* SYN-ACK retransmission */
	const struct tcp_af_ops *af_ops;
	uint32_t laddr, raddr;		/* host order (IPv4) */
	uint8_t laddr6[16], raddr6[16];	/* IPv6 */
	uint16_t lport, rport;
	uint32_t snt_isn, rcv_isn;
	uint32_t ts_recent;
	uint16_t mss;			/* peer's MSS (clamped) */
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok, tstamp_ok, sack_ok;
	uint8_t num_retrans;
	int iif;
	uint64_t first_sent;		/* ns */
	uint32_t rcv_wnd;		/* window offered in the SYN-ACK */
	uint32_t snt_tsval;		/* TSval of a cookie SYN-ACK (0: the clock) */
};

/* Linux's tcp_options_received */
struct tcp_rx_opt {
	uint64_t ts_recent_stamp;	/* ns TS.Recent was last updated */
	uint32_t ts_recent;		/* RFC 7323 4.3: TS.Recent */
	uint32_t rcv_tsval, rcv_tsecr;	/* of the segment being processed */
	bool saw_tstamp;		/* ... carried a timestamp */
	bool tstamp_ok;			/* negotiated (RFC 7323 3.2) */
	bool wscale_ok;			/* negotiated (RFC 7323 2.2) */
	bool sack_ok;			/* SACK-permitted both ways (RFC 2018 2) */
	uint8_t snd_wscale;		/* peer's shift */
	uint8_t rcv_wscale;		/* ours */
	uint16_t mss_clamp;		/* peer's MSS, or user's TCP_MAXSEG */
	uint16_t user_mss;		/* TCP_MAXSEG */
};

#define TCP_NAGLE_OFF  1	/* TCP_NODELAY */
#define TCP_NAGLE_CORK 2	/* TCP_CORK */
#define TCP_NAGLE_PUSH 4	/* cork released: push now */

/* inet_connection_sock's ack state */
#define ICSK_ACK_SCHED 1	/* an ACK is owed */
#define ICSK_ACK_TIMER 2	/* the delayed-ACK timer is armed */
#define ICSK_ACK_PUSHED 4

/* The socket's timer events. Linux has a timer_list for each
 * (icsk_retransmit_timer, icsk_delack_timer, sk_timer) and multiplexes
 * RTO/probe0/TLP/REO on the first; here one timer_list, armed for the
 * earliest deadline, multiplexes all three (tcp_timer_arm). */
enum tcp_timer_event {
	TCP_TIMER_RTX,		/* retransmit / zero-window probe / SYN / TLP / REO (pending) */
	TCP_TIMER_DELACK,	/* delayed ACK */
	TCP_TIMER_KEEP,		/* keepalive, FIN_WAIT2, TIME_WAIT */
	TCP_TIMER_NR,
};

/* what TCP_TIMER_RTX is armed for */
#define ICSK_TIME_RETRANS 1
#define ICSK_TIME_PROBE0  3
#define ICSK_TIME_REO_TIMEOUT 4	/* RACK reordering window (RFC 8985 6.2) */
#define ICSK_TIME_LOSS_PROBE 5	/* TLP's PTO (RFC 8985 7.2) */

#define TCP_SACK_RECENT 4	/* ofo segments remembered for SACK block order */
#define TCP_FASTRETRANS_THRESH 3U	/* RFC 6675 DupThresh */
#define TCP_MAX_REORDERING 300U
#define TCP_SACK_MAX_WALK 4096U	/* skbs one ACK's SACK blocks may visit */

/* RACK state (RFC 8985 5.2, Linux's tp->rack) */
struct tcp_rack {
	uint64_t mstamp;		/* ns: send time of the most recently sent delivered skb */
	uint32_t end_seq;		/* ... its end */
	uint32_t rtt_us;		/* ... its RTT */
	uint32_t fack;			/* highest end_seq SACKed or ACKed before this ACK */
	uint32_t fack_next;		/* ... including this ACK */
	/* its flags are tcp_sock's rack_advanced and rack_reord (bitfields) */
};

/* A listener's queues (Linux's request_sock_queue, embedded there):
 * allocated by the first listen(), freed with the socket, so connections
 * do not carry them. */
struct tcp_listen_queue {
	struct list_head syn_queue;		/* struct request_sock */
	struct list_head accept_queue;		/* children (accept_node) */
	uint64_t last_synq_overflow;		/* ns: last SYN answered by a cookie */
	unsigned int syn_qlen;
};

/* Field order: grouped by use, each group padded to 8 bytes by its small
 * members, booleans as bitfields (bench_tcp reports the heap per idle
 * connection). */
struct tcp_sock {
	struct inet_sock inet;			/* first */
	const struct tcp_af_ops *af_ops;	/* the connection's family */
	struct list_head all_node;		/* netns_tcp.all (for /proc, teardown) */
	struct hlist_node bind_node;		/* bhash */

	/* send sequence space, RFC 9293 3.3.1 */
	uint32_t snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2;
	uint32_t iss;
	uint32_t write_seq;			/* end of the data queued by the user */
	uint32_t max_window;			/* largest window the peer offered */
	uint32_t snd_sml;			/* end of the last small segment sent (Minshall) */
	/* receive sequence space (IRS is not kept: nothing reads it after the SYN) */
	uint32_t rcv_nxt, rcv_wnd, rcv_wup;
	uint32_t copied_seq;			/* next byte the user reads */
	uint32_t rcv_ssthresh;
	uint32_t window_clamp;
	uint32_t mss_cache;			/* current effective send MSS (payload) */
	uint32_t pmtu;				/* path MTU in use */
	int16_t linger2;			/* TCP_LINGER2 (s, -1..2 * TCP_FIN_TIMEOUT), 0: tcp_fin_timeout */
	uint16_t rcv_segs_unacked;		/* full segments since our last ACK (saturates) */
	struct tcp_rx_opt rx_opt;

	/* congestion control, RFC 5681 / 6582 */
	const struct tcp_congestion_ops *ca_ops;
	uint32_t ca_priv[15];
	uint32_t snd_cwnd, snd_ssthresh, snd_cwnd_cnt;
	uint32_t packets_out;			/* segments in rtx_queue (sent, unacked) */
	uint32_t retrans_out;			/* retransmitted, not yet acked */
	uint32_t lost_out;			/* marked lost (TCPCB_LOST) */
	uint32_t sacked_out;			/* Reno: dup ACKs seen; part 2: SACKed */
	uint32_t high_seq;			/* RFC 6582 "recover" */
	uint32_t prior_ssthresh, prior_cwnd;
	uint32_t undo_marker;
	int undo_retrans;
	uint8_t ca_state;
	uint8_t dup_acks;
	uint8_t backoff;			/* exponent of the RTO backoff */
	uint8_t retransmits;			/* consecutive RTO retransmissions */

	/* RTT, RFC 6298 (us, srtt and mdev scaled by 8 and 4 like Linux) */
	uint32_t srtt_us;			/* << 3 */
	uint32_t mdev_us;			/* << 2 */
	uint32_t total_retrans;
	uint32_t reordering;			/* DupThresh in packets (RFC 6675 2, Linux) */
	uint64_t rto;				/* ns */
	uint64_t retrans_stamp;			/* ns of the first retransmission */

	/* ACK scheduling, Linux's icsk_ack */
	uint32_t lrcvtime;			/* ms (tcp_time_stamp_ms, as Linux's u32 jiffies):
						 * last data received; only reported */
	uint32_t ato;				/* ns (at most TCP_DELACK_MAX) */
	uint8_t ack_pending;			/* ICSK_ACK_* */
	uint8_t ack_quick;			/* quick ACKs left */
	uint8_t probes_out;			/* zero-window or keepalive probes unanswered */
	uint8_t pending;			/* ICSK_TIME_* for TCP_TIMER_RTX */
	/* keepalive (TCP_KEEPIDLE/INTVL/CNT, bounded as Linux: 32767 s,
	 * 32767 s, 127; 0: sysctl) */
	uint16_t keepalive_time, keepalive_intvl;
	/* MSS values fit 16 bits (an IP datagram is at most 65535 bytes;
	 * Linux keeps them as u16 too): set through tcp_mss_u16() */
	uint16_t advmss;			/* MSS we advertise */
	uint16_t rcv_mss;			/* estimate of the peer's segment size */
	uint8_t keepalive_probes;
	uint8_t nonagle;			/* TCP_NAGLE_* */
	uint8_t sack_recent_n : 3;		/* entries of sack_recent (<= TCP_SACK_RECENT) */
	bool ack_pingpong : 1;			/* interactive: delay ACKs */
	bool fin_queued : 1;			/* FIN in the send queue */
	bool dsack : 1;				/* a D-SACK block is owed */
	bool tlp_retrans : 1;			/* the TLP probe was a retransmission */
	bool v6only : 1;			/* IPV6_V6ONLY */
	bool in_ehash : 1;			/* sk_node is in ehash */
	bool in_lhash : 1;			/* sk_node is in lhash */
	bool bound : 1;				/* bind_node in bhash */
	bool rack_advanced : 1;			/* RACK: rack.mstamp moved on this ACK */
	bool rack_reord : 1;			/* RACK: reordering seen (RFC 8985 6.2 step 2) */
	bool is_cwnd_limited : 1;		/* the flight of this window filled cwnd */
	/* cwnd use (Linux's tcp_cwnd_validate, RFC 7661's spirit): the
	 * largest flight of the window ending at cwnd_usage_seq */
	uint32_t max_packets_out;
	uint32_t cwnd_usage_seq;

	/* timers: one wheel timer multiplexes the TCP_TIMER_* events */
	struct timer_list timer;
	uint64_t timer_when[TCP_TIMER_NR];	/* ns deadline of each event, 0: off */

	uint64_t rcv_tstamp;			/* ns: last segment with an ACK */
	uint64_t lsndtime;			/* ns: last data sent */

	/* queues */
	struct sk_buff_head rtx_queue;		/* sent, not fully acked (originals) */
	struct sk_buff_head ooo_queue;		/* received out of order, by seq */

	/* SACK receiver (RFC 2018 4, RFC 2883) */
	uint32_t sack_recent[TCP_SACK_RECENT];	/* seq of the latest ofo arrivals, newest first */
	struct tcp_sack_block dsack_blk;
	/* SACK sender: scoreboard counters above, loss detection (and
	 * reordering, next to total_retrans) */
	struct tcp_rack rack;
	struct tcp_sack_block recv_sack_cache[TCP_NUM_SACKS];	/* the last ACK's valid blocks */
	uint32_t rtt_min_us;			/* smallest RTT seen (RACK's min_RTT) */
	uint32_t tlp_high_seq;			/* RFC 8985 7.3: SND.NXT when the probe went; 0: none */
	int32_t ack_rtt_us;			/* RTT sample of the last ACK, -1: none */
	uint32_t rcv_rtt_us;			/* receiver's RTT estimate (timestamps) */
	uint64_t last_xmit;			/* ns: send time of the last data skb (unique) */
	uint64_t last_oow_ack_time;		/* ns: last challenge / out-of-window ACK (RFC 5961 7) */
	uint32_t rcvq_space_seq, rcvq_space_space;	/* DRS (tcp_rcv_space_adjust) */
	uint64_t rcvq_space_time;

	/* listener */
	struct tcp_listen_queue *lq;		/* from the first listen() on; NULL before */
	struct list_head accept_node;		/* on the listener's accept_queue */
	struct tcp_sock *parent;		/* listener while on its accept queue */

	/* statistics (TCP_INFO) */
	uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
	uint32_t segs_in, segs_out, data_segs_in, data_segs_out;
};

/* An AF_INET6 socket (the TCPv6 proto's obj_size; Linux's tcp6_sock): the
 * IPv6 addresses follow the tcp_sock, so AF_INET sockets do not carry
 * them. Only for sk_family == AF_INET6 (tcp_is_v6() implies it). */
struct tcp6_sock {
	struct tcp_sock tcp;			/* first */
	/* Linux's sk_v6_rcv_saddr, np->saddr, sk_v6_daddr */
	uint8_t v6_rcv_saddr[16], v6_saddr[16], v6_daddr[16];
};

static inline struct tcp6_sock *tcp6_sk(const struct tcp_sock *tp)
{
	return (struct tcp6_sock *)(void *)tp;
}

static inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)(void *)sk;
}
static inline struct sock *tp_sk(struct tcp_sock *tp)
{
	return &tp->inet.sk;
}
/* An MSS for tp->advmss / tp->rcv_mss: saturates at 65535 (no IPv4 or
 * IPv6 datagram without jumbograms carries more). */
static inline uint16_t tcp_mss_u16(uint32_t mss)
{
	return mss > UINT16_MAX ? UINT16_MAX : (uint16_t)mss;
}
/* Linux's tcp_is_cwnd_limited: may cwnd grow on this ACK? Only while the
 * sender fills it (RFC 7661's spirit); in slow start up to twice the
 * largest recent flight, so cwnd keeps pace with an accelerating sender. */
static inline bool tcp_is_cwnd_limited(const struct tcp_sock *tp)
{
	if (tp->is_cwnd_limited)
		return true;
	if (tp->snd_cwnd < tp->snd_ssthresh)
		return tp->snd_cwnd < 2 * (uint64_t)tp->max_packets_out;
	return false;
}

/* rcv_segs_unacked += n, saturating (only "at least 2" matters) */
static inline void tcp_segs_unacked_add(struct tcp_sock *tp, unsigned int n)
{
	unsigned int v = tp->rcv_segs_unacked + n;

	tp->rcv_segs_unacked = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
}
_Static_assert(TCP_SACK_RECENT < 8, "sack_recent_n is a 3-bit field");
_Static_assert(TCP_FIN_TIMEOUT * 2 <= INT16_MAX, "linger2 is an int16_t");
static inline uint32_t tcp_packets_in_flight(const struct tcp_sock *tp)
{
	/* RFC 6675's pipe without SACK: Linux's tcp_packets_in_flight */
	int64_t n = (int64_t)tp->packets_out - tp->sacked_out - tp->lost_out + tp->retrans_out;

	return n > 0 ? (uint32_t)n : 0;
}

/* ---- per-stack state ---------------------------------------------------------------------- */
enum tcp_mib {
	TCP_MIB_ACTIVEOPENS,
	TCP_MIB_PASSIVEOPENS,
	TCP_MIB_ATTEMPTFAILS,
	TCP_MIB_ESTABRESETS,
	TCP_MIB_INSEGS,
	TCP_MIB_OUTSEGS,
	TCP_MIB_RETRANSSEGS,
	TCP_MIB_INERRS,
	TCP_MIB_OUTRSTS,
	TCP_MIB_CSUMERRORS,
	/* TcpExt-like counters (/proc/net/nstack/tcp) */
	TCP_MIB_LISTENOVERFLOWS,
	TCP_MIB_LISTENDROPS,
	TCP_MIB_HPHITS,		/* Linux's TCPHPHits: data taken by header prediction */
	TCP_MIB_PUREACKS,	/* TCPPureAcks: an ACK-only segment, slow path */
	TCP_MIB_HPACKS,		/* TCPHPAcks: a new ACK taken by header prediction */
	TCP_MIB_OFODROP,
	TCP_MIB_PAWSESTABREJECTED,
	TCP_MIB_TIMEOUTS,
	TCP_MIB_FASTRETRANS,
	TCP_MIB_TWRECYCLED,
	TCP_MIB_TWOVERFLOW,
	TCP_MIB_ABORTONCLOSE,
	TCP_MIB_ABORTONLINGER,
	TCP_MIB_ABORTONTIMEOUT,
	TCP_MIB_DELAYEDACKS,
	TCP_MIB_ZEROWINDOWPROBES,
	TCP_MIB_RCVPRUNED,
	TCP_MIB_SACKRECOVERY,
	TCP_MIB_SACKREORDER,
	TCP_MIB_LOSSPROBES,
	TCP_MIB_LOSSPROBERECOVERY,
	TCP_MIB_SYNCOOKIESSENT,
	TCP_MIB_SYNCOOKIESRECV,
	TCP_MIB_SYNCOOKIESFAILED,
	TCP_MIB_CHALLENGEACK,
	TCP_MIB_SYNCHALLENGE,
	TCP_MIB_OFOQUEUE,
	TCP_MIB_OFOMERGE,
	TCP_MIB_PRUNECALLED,
	TCP_MIB_OFOPRUNED,
	TCP_MIB_DSACKRECV,
	TCP_MIB_DSACKOLDSENT,
	TCP_MIB_DSACKOFOSENT,
	TCP_MIB_SACKDISCARD,
	TCP_MIB_ABORTONDATA,
	TCP_MIB_ACKSKIPPEDCHALLENGE,
	TCP_MIB_MEMORYPRESSURES,
	TCP_MIB_DSACKUNDO,
	TCP_MIB_TW,		/* TIME-WAIT buckets that ran their 60 s (Linux's TW) */
	TCP_MIB_TWKILLED,	/* ... that ended early by a short timeout (Linux's TWKilled) */
	TCP_MIB_ACKSKIPPEDTIMEWAIT,	/* TCPACKSkippedTimeWait (rate limit) */
	TCP_MIB_MAX
};

struct tcp_hash {
	struct hlist_head *buckets;
	uint32_t mask;			/* size - 1 */
	uint32_t count;
};

struct netns_tcp {
	struct ns_stack *stack;
	/* net.ipv4.tcp_* sysctls (Linux defaults) */
	int tcp_rmem[3], tcp_wmem[3];
	int syn_retries, synack_retries, retries1, retries2, orphan_retries;
	int fin_timeout, max_syn_backlog, max_tw_buckets, tw_reuse;
	int keepalive_time, keepalive_intvl, keepalive_probes;
	int timestamps, window_scaling, sack, rfc1337, abort_on_overflow;
	int base_mss, min_snd_mss;
	int syncookies, invalid_ratelimit_ms, challenge_ack_limit;
	int tcp_mem[3];			/* pages: no pressure, pressure, hard limit */
	int moderate_rcvbuf;
	int limit_output_bytes;		/* tcp_limit_output_bytes: TSQ's cap */

	/* tcp_mem accounting: bytes charged to TCP sockets, kept by the
	 * socket layer's charge/uncharge (sk_memory_allocated, Linux's
	 * tcp_memory_allocated), in pages for the tcp_mem thresholds */
	long mem_bytes;
	long mem_pages;
	bool memory_pressure;
	char congestion_control[16];	/* tcp_congestion_control */

	/* RFC 5961 7 per-stack challenge-ACK budget (Linux's randomised one) */
	uint64_t challenge_timestamp;	/* s */
	uint32_t challenge_count;

	uint64_t secret[2];		/* hash / ISN keys (RFC 6528) */
	uint64_t cookie_secret[4];	/* SYN cookie keys (two SipHash keys) */
	struct tcp_hash ehash;		/* established (full sockets): 4-tuple */
	struct tcp_hash lhash;		/* listeners: by port */
	struct tcp_hash bhash;		/* bound sockets: by port */
	struct list_head all;		/* every tcp_sock */
	/* TIME-WAIT minisockets (tcp_minisocks.c): by 4-tuple, by local
	 * port (65536 chains), and in expiry order for the one timer */
	struct tcp_hash tw_ehash;
	struct hlist_head *tw_bhash;
	struct list_head tw_death_row;
	struct timer_list tw_timer;
	unsigned int tw_count;
	unsigned int orphan_count;
	uint32_t port_offset;		/* ephemeral port search start */
	uint64_t mib[TCP_MIB_MAX];
	struct inet_protosw sw;
	struct inet_protosw sw6;	/* AF_INET6 SOCK_STREAM (tcp_ipv6.c) */
	struct proto prot6;		/* tcp_prot with the AF_INET6 calls */
};

static inline struct netns_tcp *tcp_net(const struct sock *sk)
{
	return sk->sk_net->tcp;
}
#define TCP_INC_STATS(tn, f) ((tn)->mib[(f)]++)

/* ---- clock ------------------------------------------------------------------------------------ */
/* Inside a loop round the clock read of the round (Linux's tcp_mstamp per
 * softirq run): one clock_gettime per round instead of several per segment. */
static inline uint64_t tcp_clock(struct ns_stack *stack)
{
	uint64_t n = stack->softnet.poll_now;

	return n ? n : ns_now(stack);
}
/* A socket call outside the loop takes one clock read for all it does
 * (Linux's tcp_mstamp_refresh); returns whether to release it. */
static inline bool tcp_clock_hold(struct ns_stack *stack)
{
	if (stack->softnet.poll_now)
		return false;
	stack->softnet.poll_now = ns_now(stack);
	return true;
}
static inline void tcp_clock_release(struct ns_stack *stack, bool own)
{
	if (own)
		stack->softnet.poll_now = 0;
}
static inline uint64_t tcp_now(const struct tcp_sock *tp)
{
	return tcp_clock(tp->inet.sk.sk_net);
}
/* RFC 7323 5.4: TSval from the stack clock in ms */
static inline uint32_t tcp_time_stamp_ms(struct ns_stack *stack)
{
	return (uint32_t)(tcp_clock(stack) / NS_PER_MS);
}

/* ---- shared functions ---------------------------------------------------------------------------- */
/* family helpers */
static inline unsigned int tcp_net_hdr(const struct tcp_sock *tp)
{
	return tp->af_ops->net_header_len;
}
static inline bool tcp_is_v6(const struct tcp_sock *tp)
{
	return tp->af_ops->family != AF_INET;
}
/* tp's addresses as a tcp_addrs (local = the source it sends from) */
void tcp_sk_addrs(const struct tcp_sock *tp, struct tcp_addrs *a);
void tcp_req_addrs(const struct request_sock *req, struct tcp_addrs *a);

/* tcp_ipv4.c: tables */
int tcp_v4_rcv(struct sk_buff *skb);
void tcp_v4_err(struct ns_stack *stack, const struct icmp_err_info *err);
void tcp_ehash_add(struct tcp_sock *tp);
void tcp_unhash(struct sock *sk);
int tcp_v4_get_port(struct sock *sk, unsigned short snum);
void tcp_put_port(struct tcp_sock *tp);
int tcp_v4_connect_port(struct tcp_sock *tp);
int tcp_listen_hash(struct tcp_sock *tp);
int tcp_v4_listen_check(struct tcp_sock *tp);
uint32_t tcp_v4_init_seq(struct netns_tcp *tn, uint32_t saddr, uint32_t daddr, uint16_t sport,
			 uint16_t dport, uint64_t now);
/* the keyed 4-tuple hashes of the established and TIME-WAIT tables */
uint32_t tcp_hash4(const struct netns_tcp *tn, uint32_t laddr, uint16_t lport, uint32_t faddr,
		   uint16_t fport);
uint32_t tcp_hash6(const struct netns_tcp *tn, const uint8_t *laddr, uint16_t lport,
		   const uint8_t *faddr, uint16_t fport);
/* the IPv6 side of the tables (tcp_ipv6.c uses them) */
struct tcp_sock *tcp_ehash_lookup6(struct netns_tcp *tn, const uint8_t *laddr, uint16_t lport,
				   const uint8_t *faddr, uint16_t fport);
struct tcp_sock *tcp_listener_lookup6(struct netns_tcp *tn, const uint8_t *laddr, uint16_t lport,
				      const uint8_t *faddr, uint16_t fport, int iif);
int tcp_listen_rcv(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_repr *th,
		   const struct tcp_options *opt, const struct tcp_addrs *a, uint32_t tw_isn);
void tcp_reset_reply(struct ns_stack *stack, const struct tcp_addrs *a, const struct tcp_repr *th);
int tcp_connect_port(struct tcp_sock *tp);
/* The socket's error after an ICMP(v6) error (RFC 1122 4.2.3.9, RFC 5927). */
void tcp_err_apply(struct tcp_sock *tp, int errno_v, bool fatal);
void tcp_mtu_reduced(struct tcp_sock *tp, uint32_t mtu);
/* Send a RST from tp's addresses (RFC 9293 3.10.7.1: <SEQ=seq><CTL=RST>). */
void tcp_send_reset_sk(struct tcp_sock *tp, uint32_t seq);
/* Send a RST in reply to a segment (RFC 9293 3.10.7.1); tuple host order. */
void tcp_v4_send_reset(struct ns_stack *stack, uint32_t saddr, uint32_t daddr, uint16_t sport,
		       uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack);

/* tcp.c: TCP_INFO of one socket (every socket of a stack is on
 * stack->tcp->all through all_node, as the lab's plotter walks them) */
struct tcp_info;
void tcp_get_info(struct tcp_sock *tp, struct tcp_info *info);

/* tcp_input.c */
int tcp_rcv_state_process(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th,
			  const struct tcp_options *opt);
/* isn: the ISN to use (a SYN reopening TIME-WAIT), 0: pick one (RFC 6528) */
int tcp_conn_request(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_repr *th,
		     const struct tcp_options *opt, uint32_t isn, const struct tcp_addrs *a);
struct tcp_sock *tcp_check_req(struct tcp_sock *lp, struct request_sock *req,
			       struct sk_buff *skb, const struct tcp_repr *th,
			       const struct tcp_options *opt);
struct request_sock *tcp_find_req(struct tcp_sock *lp, const struct tcp_addrs *a, uint16_t rport);
void reqsk_free(struct request_sock *req);
/* DRS (Linux's tcp_rcv_space_adjust): after the user read, grow
 * sk_rcvbuf to twice what was copied in one RTT, within tcp_rmem[2]. */
void tcp_rcv_space_update(struct tcp_sock *tp);
/* tcp_mem (pages): 0 below tcp_mem[1], 1 under pressure, 2 over tcp_mem[2] */
int tcp_under_memory_pressure(struct netns_tcp *tn, uint64_t now);
void tcp_enter_loss(struct tcp_sock *tp);
void tcp_set_ca_state(struct tcp_sock *tp, uint8_t st);
void tcp_simple_retransmit(struct tcp_sock *tp);

/* tcp_syncookies.c: SYN cookies (RFC 4987 3.6) and SipHash */
uint64_t tcp_siphash(const uint64_t k[2], const uint64_t *w, unsigned int n);
uint32_t cookie_v4_init_sequence(struct netns_tcp *tn, uint32_t laddr, uint32_t raddr,
				 uint16_t lport, uint16_t rport, uint32_t seq, uint16_t *mss,
				 uint64_t now);
uint16_t cookie_v4_check(struct netns_tcp *tn, uint32_t laddr, uint32_t raddr, uint16_t lport,
			 uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now);
uint32_t cookie_init_timestamp(const struct request_sock *req, uint32_t now_ms);
bool cookie_timestamp_decode(struct netns_tcp *tn, struct request_sock *req,
			     const struct tcp_options *opt);
/* tcp_input.c: the ACK of a cookie SYN-ACK (no request sock): the child,
 * or NULL with skb consumed (a forged or stale cookie gets a RST) */
struct tcp_sock *cookie_check_ack(struct tcp_sock *lp, struct sk_buff *skb,
				  const struct tcp_repr *th, const struct tcp_options *opt,
				  const struct tcp_addrs *a);
uint32_t cookie_v6_init_sequence(struct netns_tcp *tn, const uint8_t *laddr, const uint8_t *raddr,
				 uint16_t lport, uint16_t rport, uint32_t seq, uint16_t *mss,
				 uint64_t now);
uint16_t cookie_v6_check(struct netns_tcp *tn, const uint8_t *laddr, const uint8_t *raddr,
			 uint16_t lport, uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now);

/* tcp_recovery.c: SACK scoreboard, RFC 6675 / RACK loss marking, TLP */
void tcp_rack_advance(struct tcp_sock *tp, const struct tcp_skb_cb *tcb, uint64_t now);
void tcp_skb_delivered(struct tcp_sock *tp, const struct tcp_skb_cb *tcb, uint64_t now);
void tcp_rack_ack_done(struct tcp_sock *tp);
void tcp_mark_skb_lost(struct tcp_sock *tp, struct sk_buff *skb);
uint64_t tcp_rack_detect_loss(struct tcp_sock *tp);
void tcp_6675_mark_lost(struct tcp_sock *tp);
uint32_t tcp_sacktag(struct tcp_sock *tp, const struct tcp_options *opt, uint32_t ack,
		     bool *dsack);
bool tcp_schedule_loss_probe(struct tcp_sock *tp);
void tcp_send_loss_probe(struct tcp_sock *tp);
void tcp_process_tlp_ack(struct tcp_sock *tp, uint32_t ack, bool dsack);
void tcp_rack_reo_timeout(struct tcp_sock *tp);
void tcp_set_xmit_timer(struct tcp_sock *tp);

/* tcp_output.c */
int tcp_transmit_skb(struct tcp_sock *tp, struct sk_buff *skb, bool clone);
void tcp_push(struct tcp_sock *tp);
void tcp_send_ack(struct tcp_sock *tp);
void tcp_send_delayed_ack(struct tcp_sock *tp);
int tcp_send_syn(struct tcp_sock *tp);
int tcp_send_synack(struct request_sock *req);
void tcp_send_fin(struct tcp_sock *tp);
void tcp_send_active_reset(struct tcp_sock *tp);
int tcp_retransmit_skb(struct tcp_sock *tp, struct sk_buff *skb);
void tcp_send_probe0(struct tcp_sock *tp);
int tcp_write_wakeup(struct tcp_sock *tp);
uint32_t tcp_select_window(struct tcp_sock *tp);
/* Free receive space turned into window (tcp_adv_win_scale = 1: half of
 * the buffer counts as window, the rest covers skb overhead). Inline:
 * every segment sent and every read asks. */
static inline uint32_t tcp_space(const struct tcp_sock *tp)
{
	const struct sock *sk = &tp->inet.sk;
	int free = sk->sk_rcvbuf - sk->sk_rmem_alloc;

	return free > 0 ? (uint32_t)free / 2 : 0;
}
void tcp_select_initial_window(struct netns_tcp *tn, int rcvbuf, uint32_t mss, uint32_t *rcv_wnd,
			       uint32_t *window_clamp, bool wscale_ok, uint8_t *rcv_wscale);
uint32_t tcp_sync_mss(struct tcp_sock *tp, uint32_t pmtu);
static inline uint32_t tcp_current_mss(const struct tcp_sock *tp)
{
	return tp->mss_cache;
}
int tcp_route(struct tcp_sock *tp, struct ip_route_result *res);
/* the IPv4 af_ops halves that live here */
int tcp_v4_route(struct tcp_sock *tp, struct ip_route_result *res);
void tcp_v4_send_check(const struct tcp_sock *tp, uint8_t *h, size_t len);
int tcp_v4_queue_xmit(struct tcp_sock *tp, struct sk_buff *s);
int tcp_v4_req_xmit(struct request_sock *req, const struct tcp_repr *r, struct sk_buff *s,
		    const struct tcp_req_route *rt);
unsigned int tcp_v4_req_mtu(struct request_sock *req, struct tcp_req_route *rt);
void tcp_check_probe_timer(struct tcp_sock *tp);
void tcp_sndbuf_expand(struct tcp_sock *tp);

/* tcp_timer.c */
void tcp_init_xmit_timers(struct tcp_sock *tp);
void tcp_clear_xmit_timers(struct tcp_sock *tp);
void tcp_reset_xmit_timer(struct tcp_sock *tp, uint8_t what, uint64_t when);
void tcp_rearm_rto(struct tcp_sock *tp);
void tcp_reset_keepalive_timer(struct tcp_sock *tp, uint64_t len);
void tcp_delack_timer_arm(struct tcp_sock *tp);
uint64_t tcp_keepalive_time_ns(const struct tcp_sock *tp);
void tcp_synack_timer(struct timer_list *t);
/* Arm event ev for absolute time expires (ns), or cancel it. Inline: a
 * few per segment. Outside tcp_timer_fire a pending wheel timer is never
 * later than any armed event (tcp_timer_sync keeps it so; a cancel or a
 * later deadline only moves the earliest event later), and no event is
 * armed without it. So arming one event needs no scan of the others: the
 * wheel moves only when this deadline is earlier than where the timer
 * sits. Cancelling is lazy, like Linux's sk_reset_timer users: the wheel
 * timer stays, and tcp_timer_fire finds nothing due and re-files for what
 * is left. */
static inline void tcp_timer_arm(struct tcp_sock *tp, enum tcp_timer_event ev, uint64_t expires)
{
	if (!expires)
		expires = 1;			/* 0 means "off" */
	tp->timer_when[ev] = expires;
	if (!timer_pending(&tp->timer) || expires < tp->timer.expires)
		mod_timer(&tp->timer, expires);
}
static inline void tcp_timer_cancel(struct tcp_sock *tp, enum tcp_timer_event ev)
{
	tp->timer_when[ev] = 0;
}
static inline bool tcp_timer_armed(const struct tcp_sock *tp, enum tcp_timer_event ev)
{
	return tp->timer_when[ev] != 0;
}

/* tcp.c */
void tcp_set_state_close(struct tcp_sock *tp);
/* Linux's tcp_set_state; only CLOSE has work beyond the store (several
 * changes per connection, inline) */
static inline void tcp_set_state(struct tcp_sock *tp, int state)
{
	if (state == TCP_CLOSE)
		tcp_set_state_close(tp);
	else
		tp_sk(tp)->sk_state = state;
}
void tcp_done(struct tcp_sock *tp);
void tcp_time_wait(struct tcp_sock *tp, int state, uint64_t timeo);
void tcp_reset(struct tcp_sock *tp);
void tcp_init_sock_fields(struct tcp_sock *tp);
struct tcp_sock *tcp_create_openreq_child(struct tcp_sock *lp, struct request_sock *req);
void tcp_destroy_sock(struct tcp_sock *tp);
void tcp_init_transfer(struct tcp_sock *tp);
void tcp_mtup_init(struct tcp_sock *tp);
extern const struct proto tcp_prot;

/* tcp_proc.c */
int tcp_proc_init(struct ns_stack *stack);
void tcp_proc_exit(struct ns_stack *stack);
int tcp_snmp_show(struct ns_stack *stack, struct seq_buf *s, void *data);
int tcp_seq_show_family(struct ns_stack *stack, struct seq_buf *s, int family);

/* tcp_ipv6.c (src/ipv6): AF_INET6 sockets, tcp_v6_rcv, /proc/net/tcp6 */
int tcp_v6_init(struct ns_stack *stack);
void tcp_v6_exit(struct ns_stack *stack);
/* tcp.c's socket calls the AF_INET6 proto reuses */
int tcp_sock_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			socklen_t optlen);
int tcp_sock_getsockopt(struct sock *sk, int level, int optname, void *optval,
			socklen_t *optlen);
void tcp_connect_init(struct tcp_sock *tp, unsigned int mtu);
/* after the route and the port: ISN, SYN-SENT, send the SYN (-EINPROGRESS) */
int tcp_connect_finish(struct tcp_sock *tp);

int tcp_init(struct ns_stack *stack);
void tcp_exit(struct ns_stack *stack);

#endif
