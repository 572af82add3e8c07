/* tcp_proc.c - TCP in /proc: /proc/net/tcp in Linux's tcp4_seq_show format
 * (listeners first, then established and TIME-WAIT sockets, lines padded to
 * 149 characters) and /proc/net/tcp6 (tcp6_seq_show: AF_INET6 sockets, the
 * in6_addr's four u32 words each as %08X, lines not padded), the "Tcp:" lines of /proc/net/snmp (printed by the IPv4
 * snmp file through ip_snmp_register) and /proc/net/nstack/tcp with the
 * TcpExt-like counters nstack keeps. */
#include <errno.h>

#include "ipv4/tcp.h"
#include "ipv4/tcp_minisocks.h"

#define TCP_SEQ_WIDTH 149	/* Linux's TMPSZ - 1 */
#define USER_HZ 100

static long to_clock_t(int64_t ns)
{
	return (long)(ns / (int64_t)(NS_PER_SEC / USER_HZ));
}

/* local and remote address:port, as tcp4_seq_show or tcp6_seq_show print them */
static void tcp_seq_addr(struct seq_buf *s, const struct tcp_sock *tp, bool v6)
{
	const struct inet_sock *in = &tp->inet;

	if (!v6) {
		seq_printf(s, "%08X:%04X %08X:%04X", htonl(in->inet_rcv_saddr), in->inet_num,
			   htonl(in->inet_daddr), in->inet_dport);
		return;
	}
	for (int k = 0; k < 2; k++) {
		const uint8_t *a = k ? tcp6_sk(tp)->v6_daddr : tcp6_sk(tp)->v6_rcv_saddr;

		/* s6_addr32[i] with %08X on a little-endian host */
		for (int j = 0; j < 16; j += 4)
			seq_printf(s, "%02X%02X%02X%02X", a[j + 3], a[j + 2], a[j + 1], a[j]);
		seq_printf(s, k ? ":%04X" : ":%04X ", k ? in->inet_dport : in->inet_num);
	}
}

static void tcp_seq_end(struct seq_buf *s, size_t start, bool v6)
{
	if (v6)
		seq_puts(s, "\n");
	else
		seq_pad_line(s, start, TCP_SEQ_WIDTH, '\n');
}

static void tcp_seq_sock(struct seq_buf *s, int i, struct tcp_sock *tp, uint64_t now, bool v6)
{
	struct sock *sk = tp_sk(tp);
	size_t start = s->len;
	int timer_active = 0;
	int64_t delta = 0;
	int rx_queue;

	if (tcp_timer_armed(tp, TCP_TIMER_RTX)) {
		timer_active = tp->pending == ICSK_TIME_PROBE0 ? 4 : 1;
		delta = (int64_t)(tp->timer_when[TCP_TIMER_RTX] - now);
	} else if (tcp_timer_armed(tp, TCP_TIMER_KEEP)) {
		timer_active = 2;
		delta = (int64_t)(tp->timer_when[TCP_TIMER_KEEP] - now);
	}
	if (sk->sk_state == TCP_LISTEN)
		rx_queue = sk->sk_ack_backlog;
	else
		rx_queue = NS_MAX((int)(tp->rcv_nxt - tp->copied_seq), 0);
	seq_printf(s, "%4d: ", i);
	tcp_seq_addr(s, tp, v6);
	seq_printf(s, " %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016lx %lu %lu %u %u %d",
		   sk->sk_state,
		   sk->sk_state == TCP_LISTEN ? 0 : tp->write_seq - tp->snd_una, rx_queue,
		   timer_active, (unsigned long)to_clock_t(delta), tp->retransmits, 0U,
		   tp->probes_out, (unsigned long)sk->sk_ino, sk->sk_refcnt, 0UL,
		   (unsigned long)(tp->rto / NS_PER_MS), (unsigned long)(tp->ato / NS_PER_MS),
		   (unsigned)(tp->ack_quick << 1 | tp->ack_pingpong), tp->snd_cwnd,
		   sk->sk_state == TCP_LISTEN ? 0
					     : (tp->snd_ssthresh >= TCP_INFINITE_SSTHRESH
							? -1
							: (int)tp->snd_ssthresh));
	tcp_seq_end(s, start, v6);
}

/* get_timewait4_sock / get_timewait6_sock: timer 3, refcount 3 (the
 * hash, the port and the timer hold a Linux bucket), no inode */
static void tcp_seq_tw(struct seq_buf *s, int i, const struct tcp_timewait_sock *tw,
		       uint64_t now, bool v6)
{
	size_t start = s->len;

	seq_printf(s, "%4d: ", i);
	if (!v6) {
		seq_printf(s, "%08X:%04X %08X:%04X", htonl(tw->rcv_saddr), tw->num, htonl(tw->daddr),
			   tw->dport);
	} else {
		for (int k = 0; k < 2; k++) {
			const uint8_t *a = k ? tw->daddr6 : tw->rcv_saddr6;

			for (int j = 0; j < 16; j += 4)
				seq_printf(s, "%02X%02X%02X%02X", a[j + 3], a[j + 2], a[j + 1], a[j]);
			seq_printf(s, k ? ":%04X" : ":%04X ", k ? tw->dport : tw->num);
		}
	}
	seq_printf(s, " %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %016lx",
		   TCP_TIME_WAIT, 0, 0, 3, (unsigned long)to_clock_t((int64_t)tcp_tw_left(tw, now)),
		   0, 0, 0, 0, 3, 0UL);
	tcp_seq_end(s, start, v6);
}

/* /proc/net/tcp (family AF_INET) and /proc/net/tcp6 (AF_INET6) */
int tcp_seq_show_family(struct ns_stack *stack, struct seq_buf *s, int family)
{
	struct netns_tcp *tn = stack->tcp;
	uint64_t now = ns_now(stack);
	size_t start = s->len;
	bool v6 = family == AF_INET6;
	int i = 0;

	if (v6) {
		seq_puts(s, "  sl  local_address                         remote_address                "
			    "        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	} else {
		seq_puts(s, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
			    "   uid  timeout inode");
		seq_pad_line(s, start, TCP_SEQ_WIDTH, '\n');
	}
	/* listeners first, like Linux's listening_hash walk */
	for (uint32_t b = 0; b <= tn->lhash.mask; b++) {
		struct sock *sk;

		hlist_for_each_entry(sk, &tn->lhash.buckets[b], sk_node)
			if (sk->sk_family == family)
				tcp_seq_sock(s, i++, tcp_sk(sk), now, v6);
	}
	for (uint32_t b = 0; b <= tn->ehash.mask; b++) {
		struct sock *sk;

		hlist_for_each_entry(sk, &tn->ehash.buckets[b], sk_node)
			if (sk->sk_family == family)
				tcp_seq_sock(s, i++, tcp_sk(sk), now, v6);
	}
	/* TIME-WAIT buckets (Linux finds them in the same ehash walk) */
	{
		const struct tcp_timewait_sock *tw;

		tcp_tw_for_each(tw, tn)
			if (tw->family == family)
				tcp_seq_tw(s, i++, tw, now, v6);
	}
	return 0;
}

static int tcp_seq_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	return tcp_seq_show_family(stack, s, AF_INET);
}

static unsigned int tcp_curr_estab(struct netns_tcp *tn)
{
	struct tcp_sock *tp;
	unsigned int n = 0;

	list_for_each_entry(tp, &tn->all, all_node)
		if (tp_sk(tp)->sk_state == TCP_ESTABLISHED || tp_sk(tp)->sk_state == TCP_CLOSE_WAIT)
			n++;
	return n;
}

/* The Tcp lines of /proc/net/snmp (Linux's snmp_seq_show_tcp_udp). */
int tcp_snmp_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct netns_tcp *tn = stack->tcp;
	const uint64_t *m;

	(void)data;
	if (!tn)
		return 0;
	m = tn->mib;
	seq_puts(s, "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
		    "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n");
	seq_printf(s, "Tcp: 1 200 120000 -1 %llu %llu %llu %llu %u %llu %llu %llu %llu %llu %llu\n",
		   (unsigned long long)m[TCP_MIB_ACTIVEOPENS],
		   (unsigned long long)m[TCP_MIB_PASSIVEOPENS],
		   (unsigned long long)m[TCP_MIB_ATTEMPTFAILS],
		   (unsigned long long)m[TCP_MIB_ESTABRESETS], tcp_curr_estab(tn),
		   (unsigned long long)m[TCP_MIB_INSEGS], (unsigned long long)m[TCP_MIB_OUTSEGS],
		   (unsigned long long)m[TCP_MIB_RETRANSSEGS], (unsigned long long)m[TCP_MIB_INERRS],
		   (unsigned long long)m[TCP_MIB_OUTRSTS], (unsigned long long)m[TCP_MIB_CSUMERRORS]);
	return 0;
}

static const char *const tcp_ext_names[TCP_MIB_MAX] = {
	[TCP_MIB_LISTENOVERFLOWS] = "ListenOverflows", [TCP_MIB_LISTENDROPS] = "ListenDrops",
	[TCP_MIB_HPHITS] = "TCPHPHits", [TCP_MIB_PUREACKS] = "TCPPureAcks",
	[TCP_MIB_HPACKS] = "TCPHPAcks",
	[TCP_MIB_OFODROP] = "TCPOFODrop", [TCP_MIB_PAWSESTABREJECTED] = "PAWSEstab",
	[TCP_MIB_TIMEOUTS] = "TCPTimeouts", [TCP_MIB_FASTRETRANS] = "TCPFastRetrans",
	[TCP_MIB_TWRECYCLED] = "TWRecycled", [TCP_MIB_TWOVERFLOW] = "TCPTimeWaitOverflow",
	[TCP_MIB_ABORTONCLOSE] = "TCPAbortOnClose", [TCP_MIB_ABORTONLINGER] = "TCPAbortOnLinger",
	[TCP_MIB_ABORTONTIMEOUT] = "TCPAbortOnTimeout", [TCP_MIB_DELAYEDACKS] = "DelayedACKs",
	[TCP_MIB_ZEROWINDOWPROBES] = "TCPWinProbe", [TCP_MIB_RCVPRUNED] = "RcvPruned",
	[TCP_MIB_SACKRECOVERY] = "TCPSackRecovery", [TCP_MIB_SACKREORDER] = "TCPSACKReorder",
	[TCP_MIB_LOSSPROBES] = "TCPLossProbes",
	[TCP_MIB_LOSSPROBERECOVERY] = "TCPLossProbeRecovery",
	[TCP_MIB_SYNCOOKIESSENT] = "SyncookiesSent", [TCP_MIB_SYNCOOKIESRECV] = "SyncookiesRecv",
	[TCP_MIB_SYNCOOKIESFAILED] = "SyncookiesFailed",
	[TCP_MIB_CHALLENGEACK] = "TCPChallengeACK", [TCP_MIB_SYNCHALLENGE] = "TCPSYNChallenge",
	[TCP_MIB_OFOQUEUE] = "TCPOFOQueue", [TCP_MIB_OFOMERGE] = "TCPOFOMerge",
	[TCP_MIB_PRUNECALLED] = "PruneCalled", [TCP_MIB_OFOPRUNED] = "OfoPruned",
	[TCP_MIB_DSACKRECV] = "TCPDSACKRecv", [TCP_MIB_DSACKOLDSENT] = "TCPDSACKOldSent",
	[TCP_MIB_DSACKOFOSENT] = "TCPDSACKOfoSent", [TCP_MIB_SACKDISCARD] = "TCPSACKDiscard",
	[TCP_MIB_ABORTONDATA] = "TCPAbortOnData",
	[TCP_MIB_ACKSKIPPEDCHALLENGE] = "TCPACKSkippedChallenge",
	[TCP_MIB_MEMORYPRESSURES] = "TCPMemoryPressures", [TCP_MIB_DSACKUNDO] = "TCPDSACKUndo",
	[TCP_MIB_TW] = "TW", [TCP_MIB_TWKILLED] = "TWKilled",
	[TCP_MIB_ACKSKIPPEDTIMEWAIT] = "TCPACKSkippedTimeWait",
};

/* /proc/net/nstack/tcp: "Name value" per line */
static int tcp_ext_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	for (int i = TCP_MIB_LISTENOVERFLOWS; i < TCP_MIB_MAX; i++)
		seq_printf(s, "%s %llu\n", tcp_ext_names[i], (unsigned long long)stack->tcp->mib[i]);
	seq_printf(s, "TimeWaitSockets %u\n", stack->tcp->tw_count);
	return 0;
}

/* The TcpExt: line pair of /proc/net/netstat (Linux's netstat_seq_show:
 * a line of names, a line of values). */
static int tcp_netstat_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct netns_tcp *tn = stack->tcp;

	(void)data;
	if (!tn)
		return 0;
	seq_puts(s, "TcpExt:");
	for (int i = TCP_MIB_LISTENOVERFLOWS; i < TCP_MIB_MAX; i++)
		seq_printf(s, " %s", tcp_ext_names[i]);
	seq_puts(s, "\nTcpExt:");
	for (int i = TCP_MIB_LISTENOVERFLOWS; i < TCP_MIB_MAX; i++)
		seq_printf(s, " %llu", (unsigned long long)tn->mib[i]);
	seq_putc(s, '\n');
	return 0;
}

int tcp_proc_init(struct ns_stack *stack)
{
	int err = proc_create(stack, "/proc/net/tcp", tcp_seq_show, NULL, NULL);

	if (!err)
		err = proc_create(stack, "/proc/net/nstack/tcp", tcp_ext_show, NULL, NULL);
	if (!err)
		err = ip_snmp_register(stack, tcp_snmp_show);
	if (!err)
		err = ip_netstat_register(stack, tcp_netstat_show);
	return err;
}

void tcp_proc_exit(struct ns_stack *stack)
{
	proc_remove(stack, "/proc/net/tcp");
	proc_remove(stack, "/proc/net/nstack/tcp");
}
