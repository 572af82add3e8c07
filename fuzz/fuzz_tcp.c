/* fuzz_tcp.c - structure-aware libFuzzer harness for established TCP
 * connections. The harness is the peer (198.18.0.2) of a stack
 * (198.18.0.1/24, static ARP entry for the peer) on virtual time: it plays
 * real handshakes, one passive (peer -> :80) and one active (stack ->
 * peer:8080), from the device's xmit callback, so both connections are
 * ESTABLISHED before the first input.
 *
 * An input is a list of records, each for connection (op >> 3) & 1:
 *   op%8 0-3  segment: flags, seq/ack offsets from the connection's
 *             RCV.NXT / SND.UNA (or SND.NXT...), window, options (TS, SACK
 *             blocks relative to SND.UNA, MSS, WS, SACK-permitted, or raw
 *             option bytes) and a payload length; addresses, ports and
 *             checksums are filled in, so segments land in or near the
 *             window and reach SACK, the out-of-order queue, PAWS,
 *             challenge ACKs, zero windows and RST handling
 *   op%8 4    the application sends n*64 bytes     5  it reads (n*64, 0: all)
 *   op%8 6    virtual time advances n*5 ms (timers: RTO, TLP, probes)
 *   op%8 7    the application shuts down, closes or aborts
 * A connection that closed (or aged 256 inputs) is replaced by a new one.
 * State is kept across inputs like fuzz_frame.c. Seeds: fuzz/seeds_tcp/.
 * FUZZ_TCP_DUMP=1 in the environment prints the TCP counters after each
 * input (to see what a seed reaches). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "nstack/socket.h"
#include "core/neighbour.h"
#include "ethernet/arp.h"
#include "ipv4/devinet.h"
#include "ipv4/tcp.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define FZ_US   0xc6120001u	/* 198.18.0.1 */
#define FZ_PEER 0xc6120002u	/* 198.18.0.2 */
#define FZ_LPORT 80		/* the stack's listener */
#define FZ_PPORT 8080		/* the peer's "listener" for active opens */
#define FZ_TICK_NS 10000000ULL	/* 10 ms per input */
#define FZ_MAX_RECORDS 32
#define FZ_MAX_AGE 256		/* inputs before a connection is replaced */

static const uint8_t fz_mac_us[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t fz_mac_peer[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct ns_vclock fz_clock;
static struct ns_stack *fz_stack;
static struct net_device *fz_dev;
static int fz_lfd;

/* the last SYN-bearing segment the stack sent to the peer, and the last
 * TSval it used (the peer echoes it) */
static struct {
	bool valid;
	uint8_t flags;
	uint16_t sport, dport;
	uint32_t seq;
} fz_syn;
static uint32_t fz_last_tsval;

struct fz_conn {
	bool active;		/* opened by the stack (connect) */
	bool up;		/* handshake done, not yet replaced */
	int fd;			/* -1: closed by the application */
	uint16_t lport, pport;	/* the stack's port, the peer's */
	uint32_t tsval;		/* the peer's next TSval */
	unsigned int age;	/* inputs seen */
	unsigned int opens;	/* handshakes made (option profile, ports) */
};
static struct fz_conn fz_conns[2];

/* ---- input cursor ------------------------------------------------------------------- */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t in8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t in16(struct fz_in *in)
{
	uint16_t hi = in8(in);

	return (uint16_t)(hi << 8 | in8(in));
}

/* ---- the wire: what the stack sends, what the peer sends ------------------------------ */
static int fz_xmit(void *ctx, const void *frame, size_t len)
{
	struct eth_repr e;
	struct ipv4_repr ip;
	struct tcp_repr th;
	struct tcp_options o;
	const uint8_t *f = frame;

	(void)ctx;
	if (eth_parse(f, len, &e) < 0 || e.proto != ETH_P_IP ||
	    ipv4_parse(f + 14, len - 14, 0, &ip) < 0 || ip.protocol != IPPROTO_TCP ||
	    ipv4_payload_len(&ip) > len - 14 - ipv4_hdr_len(&ip))
		return 0;
	if (tcp_parse(f + 14 + ipv4_hdr_len(&ip), ipv4_payload_len(&ip), &th, &o) < 0)
		return 0;
	if (o.ts_ok)
		fz_last_tsval = o.tsval;
	if (th.flags & TCP_FLAG_SYN) {
		fz_syn.valid = true;
		fz_syn.flags = th.flags;
		fz_syn.sport = th.sport;
		fz_syn.dport = th.dport;
		fz_syn.seq = th.seq;
	}
	return 0;
}

static void fz_settle(void)
{
	for (int i = 0; i < 16; i++)
		if (ns_stack_step(fz_stack) == 0 && !ns_stack_busy(fz_stack))
			break;
}

/* Inject one segment from the peer; r carries ports/seq/flags/options. */
static void fz_inject(struct tcp_repr *r)
{
	uint8_t fr[14 + 20 + 1480];
	struct eth_repr e = { .proto = ETH_P_IP };
	struct ipv4_repr ip = { .id = 1, .df = true, .ttl = 64, .protocol = IPPROTO_TCP,
				.saddr = FZ_PEER, .daddr = FZ_US };
	int n;

	memcpy(e.dst, fz_mac_us, 6);
	memcpy(e.src, fz_mac_peer, 6);
	n = tcp_emit_ipv4(r, fr + 34, sizeof(fr) - 34, FZ_PEER, FZ_US);
	if (n < 0)
		return;
	ip.tot_len = (uint16_t)(20 + n);
	eth_emit(&e, fr, 14);
	ipv4_emit(&ip, fr + 14, 20);
	ns_dev_rx(fz_dev, fr, 34 + (size_t)n);
	fz_settle();
}

/* The connection's tcp_sock (any state but LISTEN), or NULL. */
static struct tcp_sock *fz_tp(const struct fz_conn *c)
{
	struct tcp_sock *tp;

	list_for_each_entry(tp, &fz_stack->tcp->all, all_node) {
		int st = tp->inet.sk.sk_state;

		if (st != TCP_LISTEN && tp->inet.inet_sport == c->lport &&
		    tp->inet.inet_dport == c->pport && tp->inet.inet_daddr == FZ_PEER)
			return tp;
	}
	return NULL;
}

/* Synchronized states the fuzzer keeps playing with. */
static bool fz_alive(const struct fz_conn *c)
{
	struct tcp_sock *tp = fz_tp(c);
	int st = tp ? tp->inet.sk.sk_state : TCP_CLOSE;

	return st != TCP_CLOSE && st != TCP_TIME_WAIT && st != TCP_SYN_SENT &&
	       st != TCP_SYN_RECV && st != TCP_NEW_SYN_RECV;
}

/* ---- handshakes ------------------------------------------------------------------------ */
/* Option profile by handshake number: all four, none, TS only, SACK+WS. */
static unsigned int fz_profile(const struct fz_conn *c)
{
	return (c->opens - 1) % 4;
}

static void fz_syn_opts(const struct fz_conn *c, struct tcp_options *o)
{
	unsigned int p = fz_profile(c);

	memset(o, 0, sizeof(*o));
	o->mss_ok = true;
	o->mss = 1460;
	o->ts_ok = p == 0 || p == 2;
	o->tsval = c->tsval;
	o->tsecr = fz_last_tsval;
	o->sack_ok = p == 0 || p == 3;
	o->ws_ok = p == 0 || p == 3;
	o->ws = 7;
}

static void fz_inject_opts(struct tcp_repr *r, const struct tcp_options *o)
{
	uint8_t ob[TCP_OPTS_MAX];
	int olen = tcp_options_emit(o, ob, sizeof(ob));

	r->opts = olen > 0 ? ob : NULL;
	r->opts_len = olen > 0 ? (size_t)olen : 0;
	fz_inject(r);
}

/* Accept pending children: ours becomes c->fd, others are closed. */
static void fz_accept_all(struct fz_conn *c)
{
	for (int i = 0; i < 16; i++) {
		struct sockaddr_in a;
		socklen_t l = sizeof(a);
		int fd = ns_accept4(fz_stack, fz_lfd, (struct sockaddr *)&a, &l, SOCK_NONBLOCK);

		if (fd < 0)
			break;
		if (c && c->up && c->fd < 0 && ntohs(a.sin_port) == c->pport)
			c->fd = fd;
		else
			ns_close(fz_stack, fd);
	}
}

static void fz_open_passive(struct fz_conn *c)
{
	uint32_t isn = 1000u + c->opens * 7919u;
	struct tcp_repr r = { .sport = c->pport, .dport = FZ_LPORT, .seq = isn,
			      .flags = TCP_FLAG_SYN, .window = 65535 };
	struct tcp_options o;

	fz_syn.valid = false;
	fz_syn_opts(c, &o);
	fz_inject_opts(&r, &o);
	if (!fz_syn.valid || fz_syn.dport != c->pport ||
	    fz_syn.flags != (TCP_FLAG_SYN | TCP_FLAG_ACK))
		return;
	r.seq = isn + 1;
	r.ack_seq = fz_syn.seq + 1;
	r.flags = TCP_FLAG_ACK;
	r.window = 1024;
	memset(&o, 0, sizeof(o));
	o.ts_ok = fz_profile(c) == 0 || fz_profile(c) == 2;
	o.tsval = ++c->tsval;
	o.tsecr = fz_last_tsval;
	fz_inject_opts(&r, &o);
	c->up = true;
	fz_accept_all(c);
}

static void fz_open_active(struct fz_conn *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(FZ_PPORT),
				 .sin_addr.s_addr = htonl(FZ_PEER) };
	uint32_t isn = 5000u + c->opens * 104729u;
	struct tcp_repr r = { .sport = FZ_PPORT, .seq = isn,
			      .flags = TCP_FLAG_SYN | TCP_FLAG_ACK, .window = 65535 };
	struct tcp_options o;

	c->fd = ns_socket(fz_stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return;
	fz_syn.valid = false;
	if (ns_connect(fz_stack, c->fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	    errno != EINPROGRESS)
		return;
	fz_settle();
	if (!fz_syn.valid || fz_syn.flags != TCP_FLAG_SYN || fz_syn.dport != FZ_PPORT)
		return;
	c->lport = fz_syn.sport;
	c->pport = FZ_PPORT;
	r.dport = c->lport;
	r.ack_seq = fz_syn.seq + 1;
	fz_syn_opts(c, &o);
	fz_inject_opts(&r, &o);
	c->up = true;
}

/* Drop the old connection (peer RST at RCV.NXT, application abort) and
 * open a new one. */
static void fz_reopen(struct fz_conn *c)
{
	struct tcp_sock *tp = fz_tp(c);

	if (tp && fz_alive(c)) {
		struct tcp_repr r = { .sport = c->pport, .dport = c->lport, .seq = tp->rcv_nxt,
				      .flags = TCP_FLAG_RST };

		fz_inject(&r);
	}
	if (c->fd >= 0) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		ns_setsockopt(fz_stack, c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		ns_close(fz_stack, c->fd);
	}
	c->fd = -1;
	c->up = false;
	c->age = 0;
	c->opens++;
	c->tsval = 100u + c->opens * 1000u;
	if (c->active) {
		fz_open_active(c);
	} else {
		c->lport = FZ_LPORT;
		c->pport = (uint16_t)(20000u + c->opens % 40000u);
		fz_open_passive(c);
	}
}

/* ---- records ------------------------------------------------------------------------------ */
/* Options of a segment record into ob/olen: structured (TS, SACK blocks,
 * MSS, WS, SACK-permitted, emitted by the codec) or raw input bytes. */
static void fz_seg_opts(struct fz_in *in, struct fz_conn *c, const struct tcp_sock *tp,
			uint8_t sel, uint8_t *ob, size_t *olen)
{
	struct tcp_options o = { 0 };
	int n;

	if (sel & 0x40) {	/* raw option bytes, padded with EOL */
		size_t k = in8(in) % (TCP_OPTS_MAX + 1);

		for (size_t i = 0; i < k; i++)
			ob[i] = in8(in);
		*olen = (k + 3) & ~(size_t)3;
		memset(ob + k, TCPOPT_EOL, *olen - k);
		return;
	}
	if (sel & 1) {	/* RFC 7323: TSval moves by a signed step (PAWS) */
		c->tsval += (uint32_t)(int32_t)(int8_t)in8(in);
		o.ts_ok = true;
		o.tsval = c->tsval;
		o.tsecr = fz_last_tsval;
	}
	o.num_sacks = (sel >> 1) & 3;
	for (unsigned int i = 0; i < o.num_sacks; i++) {	/* RFC 2018 blocks */
		uint32_t off = in16(in), len = in16(in);

		o.sacks[i].start = tp->snd_una + off;
		o.sacks[i].end = tp->snd_una + off + len;
	}
	if (sel & 8) {
		o.mss_ok = true;
		o.mss = in16(in);
	}
	if (sel & 0x10) {
		o.ws_ok = true;
		o.ws = in8(in) % (TCP_MAX_WSCALE + 1);
	}
	o.sack_ok = sel & 0x20;
	n = tcp_options_emit(&o, ob, TCP_OPTS_MAX);
	if (n < 0) {
		o.num_sacks = 0;
		n = tcp_options_emit(&o, ob, TCP_OPTS_MAX);
	}
	*olen = n > 0 ? (size_t)n : 0;
}

static uint32_t fz_ack_base(const struct tcp_sock *tp, uint8_t mode)
{
	switch (mode & 3) {
	case 0: return tp->snd_una;
	case 1: return tp->snd_nxt;
	case 2: return tp->snd_una + (tp->snd_nxt - tp->snd_una) / 2;
	default: return tp->write_seq;
	}
}

/* record: flags seq16 ack16 mode win16 optsel [opts] len8 */
static void fz_segment(struct fz_in *in, struct fz_conn *c)
{
	static uint8_t payload[1460];
	struct tcp_sock *tp = fz_tp(c);
	uint8_t flags = in8(in), mode;
	int32_t dseq = (int16_t)in16(in), dack = (int16_t)in16(in);
	uint8_t ob[TCP_OPTS_MAX + 4];
	size_t olen = 0, plen;
	struct tcp_repr r = { .sport = c->pport, .dport = c->lport, .flags = flags };

	mode = in8(in);
	r.window = in16(in);
	if (!tp)
		return;
	if (mode & 4)	/* far from the window: anywhere in sequence space */
		dseq *= 65536;
	if (mode & 8)
		dack *= 65536;
	r.seq = tp->rcv_nxt + (uint32_t)dseq;
	r.ack_seq = fz_ack_base(tp, mode) + (uint32_t)dack;
	if (flags & TCP_FLAG_URG)
		r.urg_ptr = in16(in);
	fz_seg_opts(in, c, tp, in8(in), ob, &olen);
	r.opts = olen ? ob : NULL;
	r.opts_len = olen;
	plen = (size_t)in8(in) * 8;
	if (plen > sizeof(payload) - olen)
		plen = sizeof(payload) - olen;
	memset(payload, 'a' + (r.seq & 15), plen);
	r.payload = payload;
	r.payload_len = plen;
	fz_inject(&r);
}

static void fz_app(struct fz_in *in, struct fz_conn *c, unsigned int op)
{
	static uint8_t buf[16384];
	size_t n = (size_t)in8(in) * 64;

	if (c->fd < 0)
		return;
	if (op == 4) {
		ns_send(fz_stack, c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	} else if (op == 5) {
		ns_recv(fz_stack, c->fd, buf, n ? n : sizeof(buf), MSG_DONTWAIT);
	} else if (op == 7) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		switch (n / 64 % 4) {
		case 0: ns_shutdown(fz_stack, c->fd, SHUT_WR); return;
		case 1: ns_shutdown(fz_stack, c->fd, SHUT_RD); return;
		case 3: ns_setsockopt(fz_stack, c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			/* fallthrough */
		default: ns_close(fz_stack, c->fd); c->fd = -1; return;
		}
	}
	fz_settle();
}

static void fz_advance(uint64_t ns)
{
	while (ns) {
		uint64_t step = ns < FZ_TICK_NS ? ns : FZ_TICK_NS;

		ns_vclock_advance(&fz_clock, step);
		fz_settle();
		ns -= step;
	}
}

/* ---- libFuzzer ------------------------------------------------------------------------------ */
static void fz_init(void)
{
	static const struct ns_driver_ops ops = { .xmit = fz_xmit };
	struct ns_stack_config cfg = { .name = "fuzz-tcp", .seed = 1 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(FZ_LPORT),
				 .sin_addr.s_addr = htonl(FZ_US) };

	ns_vclock_init(&fz_clock, 1000000000ULL);
	cfg.clock = &fz_clock.clock;
	cfg.skb_mem_max = 64u << 20;
	fz_stack = ns_stack_create(&cfg);
	if (!fz_stack)
		abort();
	fz_dev = ns_dev_create(fz_stack, "eth0", NS_LINK_ETHER, fz_mac_us, 1500, &ops, NULL);
	if (!fz_dev || ns_dev_set_up(fz_dev, true) != 0 ||
	    inet_addr_add(fz_dev, FZ_US, 24, NULL) != 0 ||
	    arp_neigh_add(fz_dev, FZ_PEER, fz_mac_peer, NUD_PERMANENT) != 0)
		abort();
	fz_lfd = ns_socket(fz_stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fz_lfd < 0 || ns_bind(fz_stack, fz_lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    ns_listen(fz_stack, fz_lfd, 16) != 0)
		abort();
	fz_settle();
	fz_conns[0] = (struct fz_conn){ .active = false, .fd = -1 };
	fz_conns[1] = (struct fz_conn){ .active = true, .fd = -1 };
	for (int i = 0; i < 2; i++) {
		fz_reopen(&fz_conns[i]);
		if (!fz_alive(&fz_conns[i]))	/* the handshake itself must work */
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };

	if (!fz_stack)
		fz_init();
	for (int i = 0; i < 2; i++)
		if (!fz_alive(&fz_conns[i]) || ++fz_conns[i].age > FZ_MAX_AGE)
			fz_reopen(&fz_conns[i]);
	for (int k = 0; k < FZ_MAX_RECORDS && in.n; k++) {
		uint8_t op = in8(&in);
		struct fz_conn *c = &fz_conns[(op >> 3) & 1];

		if (!c->up)
			continue;
		if (op % 8 < 4)
			fz_segment(&in, c);
		else if (op % 8 == 6)
			fz_advance((uint64_t)in8(&in) * 5000000ULL);
		else
			fz_app(&in, c, op % 8);
	}
	fz_accept_all(&fz_conns[0]);
	fz_advance(FZ_TICK_NS);
	if (getenv("FUZZ_TCP_DUMP")) {	/* what the inputs reached: TCP counters */
		char *t = ns_proc_read(fz_stack, "/proc/net/nstack/tcp", NULL);

		fprintf(stderr, "%s", t ? t : "");
		free(t);
	}
	return 0;
}
