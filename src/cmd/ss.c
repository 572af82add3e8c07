/* ss.c - `ss` as iproute2's ss 6.1 prints it, for the TCP and UDP sockets
 * of one stack: -t -u -a -l -n -p -i -s (combinable: `ss -tuanp`).
 * Columns are sized to their widest cell like ss does when stdout is not a
 * terminal: `Netid State Recv-Q Send-Q Local Address:Port Peer
 * Address:PortProcess`. -p names the stack's descriptor:
 * users:(("nstack",pid=PID,fd=N)). -i adds ss's TCP_INFO line. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ipv4/tcp.h"
#include "ipv4/tcp_minisocks.h"
#include "ipv4/udp.h"
#include "socket/sock.h"

#define SS_TCP 1
#define SS_UDP 2

struct ss_opts {
	unsigned int kinds;
	bool all, listening, numeric, process, info, summary;
};

struct ss_row {
	const char *netid, *state;
	unsigned long long rq, sq;
	char laddr[64], lport[32], raddr[64], rport[32];
	char process[64];
	struct tcp_sock *tp;	/* for -i, NULL for UDP */
};

static const char *tcp_state_name(int st)
{
	static const char *const names[] = {
		[TCP_ESTABLISHED] = "ESTAB", [TCP_SYN_SENT] = "SYN-SENT",
		[TCP_SYN_RECV] = "SYN-RECV", [TCP_FIN_WAIT1] = "FIN-WAIT-1",
		[TCP_FIN_WAIT2] = "FIN-WAIT-2", [TCP_TIME_WAIT] = "TIME-WAIT",
		[TCP_CLOSE] = "UNCONN", [TCP_CLOSE_WAIT] = "CLOSE-WAIT",
		[TCP_LAST_ACK] = "LAST-ACK", [TCP_LISTEN] = "LISTEN", [TCP_CLOSING] = "CLOSING",
		[TCP_NEW_SYN_RECV] = "SYN-RECV",
	};

	return st > 0 && st <= TCP_NEW_SYN_RECV && names[st] ? names[st] : "UNKNOWN";
}

static int parse_ss(struct cmd_ctx *c, int argc, char **argv, struct ss_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			return cmd_err(c, -EINVAL, "filters are not supported (\"%s\")", a);
		if (a[1] == '-') {
			static const struct { const char *name; char letter; } longs[] = {
				{ "tcp", 't' }, { "udp", 'u' }, { "all", 'a' }, { "listening", 'l' },
				{ "numeric", 'n' }, { "processes", 'p' }, { "info", 'i' },
				{ "summary", 's' },
			};
			char letter = 0;

			for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]); k++)
				if (!strcmp(a + 2, longs[k].name))
					letter = longs[k].letter;
			if (!letter)
				return cmd_err(c, -EINVAL, "unrecognized option '%s'", a);
			char one[3] = { '-', letter, 0 };
			char *v[1] = { one };

			if (parse_ss(c, 1, v, o))
				return -EINVAL;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			switch (*p) {
			case 't': o->kinds |= SS_TCP; break;
			case 'u': o->kinds |= SS_UDP; break;
			case 'a': o->all = true; break;
			case 'l': o->listening = true; break;
			case 'n': o->numeric = true; break;
			case 'p': o->process = true; break;
			case 'i': o->info = true; break;
			case 's': o->summary = true; break;
			case '4': break;
			default:
				return cmd_err(c, -EINVAL, "invalid option -- '%c'", *p);
			}
		}
	}
	if (!o->kinds)
		o->kinds = SS_TCP | SS_UDP;
	return 0;
}

/* The descriptor of sk in the stack's table, or -1 (orphaned sockets). */
static int sk_fd(struct ns_stack *stack, const struct sock *sk)
{
	struct netns_sock *ss = stack->sock;

	if (!sk->sk_socket)
		return -1;
	for (int fd = 0; fd < ss->files_cap; fd++) {
		struct ns_file *f = ss->files[fd];

		if (f && f->kind == NS_FILE_SOCKET && ((struct socket *)(void *)f)->sk == sk)
			return fd;
	}
	return -1;
}

static void fmt_endpoint(const struct ss_opts *o, const char *proto, uint32_t addr, uint16_t port,
			 char *a, size_t alen, char *p, size_t plen)
{
	struct in_addr in = { .s_addr = htonl(addr) };
	struct servent se, *res = NULL;
	char buf[1024];

	inet_ntop(AF_INET, &in, a, (socklen_t)alen);
	if (!port) {
		snprintf(p, plen, "*");
		return;
	}
	if (!o->numeric && !getservbyport_r(htons(port), proto, &se, buf, sizeof(buf), &res) && res) {
		snprintf(p, plen, "%s", res->s_name);
		return;
	}
	snprintf(p, plen, "%u", port);
}

static void fill_row(struct ns_stack *stack, const struct ss_opts *o, struct ss_row *r,
		     struct sock *sk, const char *netid)
{
	struct inet_sock *in = inet_sk(sk);
	int fd;

	r->netid = netid;
	fmt_endpoint(o, netid, in->inet_rcv_saddr, in->inet_num, r->laddr, sizeof(r->laddr), r->lport,
		     sizeof(r->lport));
	fmt_endpoint(o, netid, in->inet_daddr, in->inet_dport, r->raddr, sizeof(r->raddr), r->rport,
		     sizeof(r->rport));
	if (sk->sk_family == AF_INET6 && !strcmp(netid, "tcp")) {
		/* as Linux's ss: [::]:80, [fd00::1]:80, [::ffff:10.0.0.1]:80 */
		const struct tcp_sock *tp = tcp_sk(sk);
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, tcp6_sk(tp)->v6_rcv_saddr, a, sizeof(a));
		snprintf(r->laddr, sizeof(r->laddr), "[%s]", a);
		inet_ntop(AF_INET6, tcp6_sk(tp)->v6_daddr, a, sizeof(a));
		snprintf(r->raddr, sizeof(r->raddr), "[%s]", a);
	}
	r->process[0] = 0;
	if (o->process && (fd = sk_fd(stack, sk)) >= 0)
		snprintf(r->process, sizeof(r->process), "users:((\"nstack\",pid=%d,fd=%d))",
			 (int)getpid(), fd);
}

static bool want_state(const struct ss_opts *o, bool listening)
{
	if (o->all)
		return true;
	return o->listening ? listening : !listening;
}

struct ss_table {
	struct ss_row *rows;
	size_t n, cap;
};

static struct ss_row *table_add(struct ss_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct ss_row *n = realloc(t->rows, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->rows = n;
		t->cap = cap;
	}
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	return &t->rows[t->n++];
}

/* TIME-WAIT minisockets: addresses only (no socket, no process) */
static int collect_tcp_tw(struct ns_stack *stack, const struct ss_opts *o, struct ss_table *t)
{
	const struct tcp_timewait_sock *tw;

	if (!want_state(o, false))
		return 0;
	tcp_tw_for_each(tw, stack->tcp) {
		struct ss_row *r = table_add(t);

		if (!r)
			return -ENOMEM;
		r->netid = "tcp";
		fmt_endpoint(o, "tcp", tw->rcv_saddr, tw->num, r->laddr, sizeof(r->laddr), r->lport,
			     sizeof(r->lport));
		fmt_endpoint(o, "tcp", tw->daddr, tw->dport, r->raddr, sizeof(r->raddr), r->rport,
			     sizeof(r->rport));
		if (tw->family == AF_INET6) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, tw->rcv_saddr6, a, sizeof(a));
			snprintf(r->laddr, sizeof(r->laddr), "[%s]", a);
			inet_ntop(AF_INET6, tw->daddr6, a, sizeof(a));
			snprintf(r->raddr, sizeof(r->raddr), "[%s]", a);
		}
		r->state = tcp_state_name(TCP_TIME_WAIT);
	}
	return 0;
}

static int collect_tcp(struct ns_stack *stack, const struct ss_opts *o, struct ss_table *t)
{
	struct netns_tcp *tn = stack->tcp;
	struct tcp_sock *tp;

	if (!tn)
		return 0;
	list_for_each_entry(tp, &tn->all, all_node) {
		struct sock *sk = tp_sk(tp);
		bool listen = sk->sk_state == TCP_LISTEN;
		struct ss_row *r;

		if (sk->sk_state == TCP_CLOSE && !o->all)
			continue;
		if (!want_state(o, listen))
			continue;
		if (!(r = table_add(t)))
			return -ENOMEM;
		fill_row(stack, o, r, sk, "tcp");
		r->state = tcp_state_name(sk->sk_state);
		if (listen) {
			r->rq = (unsigned long long)sk->sk_ack_backlog;
			r->sq = (unsigned long long)sk->sk_max_ack_backlog;
		} else if (sk->sk_state != TCP_TIME_WAIT) {
			r->rq = (unsigned long long)NS_MAX((int32_t)(tp->rcv_nxt - tp->copied_seq), 0);
			r->sq = (unsigned long long)NS_MAX((int32_t)(tp->write_seq - tp->snd_una), 0);
			r->tp = tp;
		}
	}
	return collect_tcp_tw(stack, o, t);
}

static int collect_udp(struct ns_stack *stack, const struct ss_opts *o, struct ss_table *t)
{
	struct netns_udp *un = stack->udp;

	if (!un)
		return 0;
	for (unsigned int b = 0; b < UDP_HTABLE_SIZE; b++) {
		struct sock *sk;

		hlist_for_each_entry(sk, &un->hash[b], sk_node) {
			bool connected = sk->sk_state == TCP_ESTABLISHED;
			struct ss_row *r;

			if (!want_state(o, !connected))	/* UNCONN counts as listening */
				continue;
			if (!(r = table_add(t)))
				return -ENOMEM;
			fill_row(stack, o, r, sk, "udp");
			r->state = connected ? "ESTAB" : "UNCONN";
			r->rq = (unsigned long long)sk->sk_rmem_alloc;
			r->sq = (unsigned long long)sk->sk_wmem_alloc;
		}
	}
	return 0;
}

/* ss's sprint_bw */
static void put_rate(struct ns_out *out, const char *name, double bps)
{
	if (bps > 1e9)
		ns_out_printf(out, " %s %.1fGbps", name, bps / 1e9);
	else if (bps > 1e6)
		ns_out_printf(out, " %s %.1fMbps", name, bps / 1e6);
	else if (bps > 1e3)
		ns_out_printf(out, " %s %.1fKbps", name, bps / 1e3);
	else
		ns_out_printf(out, " %s %gbps", name, bps);
}

static unsigned long long ms_since(uint64_t now, uint64_t then)
{
	return then && now > then ? (unsigned long long)((now - then) / NS_PER_MS) : 0;
}

/* the same for a u32 ms stamp (0: never) */
static unsigned long long ms_since32(uint64_t now, uint32_t then_ms)
{
	return then_ms ? (unsigned long long)((uint32_t)(now / NS_PER_MS) - then_ms) : 0;
}

/* ss's tcp_show_info over the fields of struct tcp_info */
static void print_info(struct ns_stack *stack, struct ns_out *out, struct tcp_sock *tp)
{
	uint64_t now = ns_now(stack);
	double rtt = (tp->srtt_us >> 3) / 1000.0, rttvar = (tp->mdev_us >> 2) / 1000.0;

	ns_out_printf(out, "\t");
	if (tp->rx_opt.tstamp_ok)
		ns_out_printf(out, " ts");
	if (tp->rx_opt.sack_ok)
		ns_out_printf(out, " sack");
	ns_out_printf(out, " %s", tp->ca_ops ? tp->ca_ops->name : "reno");
	if (tp->rx_opt.wscale_ok)
		ns_out_printf(out, " wscale:%u,%u", tp->rx_opt.snd_wscale, tp->rx_opt.rcv_wscale);
	ns_out_printf(out, " rto:%llu", (unsigned long long)(tp->rto / NS_PER_MS));
	if (tp->srtt_us)
		ns_out_printf(out, " rtt:%g/%g", rtt, rttvar);
	if (tp->ato)
		ns_out_printf(out, " ato:%llu", (unsigned long long)(tp->ato / NS_PER_MS));
	ns_out_printf(out, " mss:%u pmtu:%u rcvmss:%u advmss:%u cwnd:%u", tp->mss_cache, tp->pmtu,
		      tp->rcv_mss, tp->advmss, tp->snd_cwnd);
	if (tp->snd_ssthresh < TCP_INFINITE_SSTHRESH)
		ns_out_printf(out, " ssthresh:%u", tp->snd_ssthresh);
	if (tp->bytes_sent)
		ns_out_printf(out, " bytes_sent:%llu", (unsigned long long)tp->bytes_sent);
	if (tp->bytes_retrans)
		ns_out_printf(out, " bytes_retrans:%llu", (unsigned long long)tp->bytes_retrans);
	if (tp->bytes_acked)
		ns_out_printf(out, " bytes_acked:%llu", (unsigned long long)tp->bytes_acked);
	if (tp->bytes_received)
		ns_out_printf(out, " bytes_received:%llu", (unsigned long long)tp->bytes_received);
	ns_out_printf(out, " segs_out:%u segs_in:%u", tp->segs_out, tp->segs_in);
	if (tp->data_segs_out)
		ns_out_printf(out, " data_segs_out:%u", tp->data_segs_out);
	if (tp->data_segs_in)
		ns_out_printf(out, " data_segs_in:%u", tp->data_segs_in);
	if (tp->srtt_us)
		put_rate(out, "send", (double)tp->snd_cwnd * tp->mss_cache * 8.0 * 1e6 / (tp->srtt_us >> 3 ? tp->srtt_us >> 3 : 1));
	ns_out_printf(out, " lastsnd:%llu lastrcv:%llu lastack:%llu", ms_since(now, tp->lsndtime),
		      ms_since32(now, tp->lrcvtime), ms_since(now, tp->rcv_tstamp));
	if (tp->retrans_out || tp->total_retrans)
		ns_out_printf(out, " retrans:%u/%u", tp->retrans_out, tp->total_retrans);
	ns_out_printf(out, " rcv_space:%u rcv_ssthresh:%u\n", tp->rcv_wnd, tp->rcv_ssthresh);
}

static int width_of(const struct ss_table *t, size_t hdr, size_t off_or_num, int which)
{
	size_t w = hdr;

	for (size_t i = 0; i < t->n; i++) {
		const struct ss_row *r = &t->rows[i];
		char num[32];
		size_t l;

		switch (which) {
		case 0: l = strlen(r->netid); break;
		case 1: l = strlen(r->state); break;
		case 2: l = (size_t)snprintf(num, sizeof(num), "%llu", r->rq); break;
		case 3: l = (size_t)snprintf(num, sizeof(num), "%llu", r->sq); break;
		case 4: l = strlen(r->laddr); break;
		case 5: l = strlen(r->lport); break;
		case 6: l = strlen(r->raddr); break;
		default: l = strlen(r->rport); break;
		}
		w = l > w ? l : w;
	}
	(void)off_or_num;
	return (int)w;
}

static void print_table(struct ns_stack *stack, const struct ss_opts *o, struct ss_table *t,
			struct ns_out *out)
{
	bool netid = (o->kinds & SS_TCP) && (o->kinds & SS_UDP);
	int wn = width_of(t, 5, 0, 0), ws = width_of(t, 5, 0, 1), wr = width_of(t, 6, 0, 2);
	int wq = width_of(t, 6, 0, 3), wla = width_of(t, 13, 0, 4), wlp = width_of(t, 4, 0, 5);
	int wra = width_of(t, 12, 0, 6), wrp = width_of(t, 4, 0, 7);

	if (netid)
		ns_out_printf(out, "%-*s ", wn, "Netid");
	ns_out_printf(out, "%-*s %-*s %-*s %*s:%-*s %*s:%-*sProcess\n", ws, "State", wr, "Recv-Q", wq,
		      "Send-Q", wla, "Local Address", wlp, "Port", wra, "Peer Address", wrp, "Port");
	for (size_t i = 0; i < t->n; i++) {
		const struct ss_row *r = &t->rows[i];

		if (netid)
			ns_out_printf(out, "%-*s ", wn, r->netid);
		/* ss's header runs "Port" into "Process"; rows keep a blank */
		ns_out_printf(out, "%-*s %-*llu %-*llu %*s:%-*s %*s:%-*s %s\n", ws, r->state, wr, r->rq,
			      wq, r->sq, wla, r->laddr, wlp, r->lport, wra, r->raddr, wrp, r->rport,
			      r->process[0] ? r->process : "      ");
		if (o->info && r->tp)
			print_info(stack, out, r->tp);
	}
}

static void print_summary(struct ns_stack *stack, struct ns_out *out)
{
	unsigned int tcp = 0, estab = 0, closed = 0, tw = 0, orphan = 0, udp = 0;
	struct tcp_sock *tp;

	if (stack->tcp)
		list_for_each_entry(tp, &stack->tcp->all, all_node) {
			int st = tp_sk(tp)->sk_state;

			tcp++;
			estab += st == TCP_ESTABLISHED;
			closed += st == TCP_CLOSE;
			tw += st == TCP_TIME_WAIT;
			orphan += !tp_sk(tp)->sk_socket && st != TCP_TIME_WAIT;
		}
	if (stack->tcp) {
		/* the minisockets: counted as sockets, as before they were */
		tcp += stack->tcp->tw_count;
		tw += stack->tcp->tw_count;
	}
	if (stack->udp)
		for (unsigned int b = 0; b < UDP_HTABLE_SIZE; b++) {
			struct sock *sk;

			hlist_for_each_entry(sk, &stack->udp->hash[b], sk_node)
				udp++;
		}
	ns_out_printf(out, "Total: %u\n", stack->sock->nr_socks);
	ns_out_printf(out, "TCP:   %u (estab %u, closed %u, orphaned %u, timewait %u)\n\n", tcp,
		      estab, closed, orphan, tw);
	ns_out_printf(out, "Transport Total     IP        IPv6\n");
	ns_out_printf(out, "RAW\t  %-9u %-9u %-9u\n", 0U, 0U, 0U);
	ns_out_printf(out, "UDP\t  %-9u %-9u %-9u\n", udp, udp, 0U);
	ns_out_printf(out, "TCP\t  %-9u %-9u %-9u\n", tcp - tw, tcp - tw, 0U);
	ns_out_printf(out, "INET\t  %-9u %-9u %-9u\n", tcp - tw + udp, tcp - tw + udp, 0U);
	ns_out_printf(out, "FRAG\t  %-9u %-9u %-9u\n\n", 0U, 0U, 0U);
}

int cmd_ss(struct cmd_ctx *c, int argc, char **argv)
{
	struct ss_opts o = { 0 };
	struct ss_table t = { 0 };
	int rc = parse_ss(c, argc, argv, &o);

	if (rc)
		return rc;
	if (o.summary) {
		print_summary(c->stack, c->out);
		return 0;
	}
	if (o.kinds & SS_TCP)
		rc = collect_tcp(c->stack, &o, &t);
	if (!rc && (o.kinds & SS_UDP))
		rc = collect_udp(c->stack, &o, &t);
	if (!rc)
		print_table(c->stack, &o, &t, c->out);
	free(t.rows);
	return rc ? cmd_err(c, rc, "out of memory") : 0;
}
