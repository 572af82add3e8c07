/* test_firewall.c - nf_tables on the hooks of a forwarding stack: A and B
 * talk through router R over two pipes while R filters, tracks and
 * translates. Test handlers stand in for TCP and UDP (and an experimental
 * protocol) on every stack and record what arrives, checksums verified
 * with the src/wire parsers; the real handlers are put back at teardown. */
#include "ipv4_testutil.h"
#include "net3.h"
#include "core/proc.h"
#include "ipv4/netns_ipv4.h"
#include "netfilter/nf_conntrack.h"
#include "netfilter/nf_tables.h"
#include "nstack/cmd.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define A_IP IP4(198, 18, 0, 1)
#define R_IP0 IP4(198, 18, 0, 254)
#define R_IP1 IP4(198, 19, 0, 254)
#define B_IP IP4(198, 19, 0, 1)

struct rx {
	struct ns_stack *stack;
	uint32_t saddr, daddr;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t check;		/* the transport checksum field as received */
	bool csum_ok;
};

#define RX_MAX 64
static struct rx rxlog[RX_MAX];
static unsigned int nrx;
static struct icmp_err_info last_err;
static struct ns_stack *last_err_stack;
static unsigned int nerr;

static void log_rx(struct sk_buff *skb, uint8_t proto)
{
	struct rx *r = &rxlog[nrx < RX_MAX ? nrx++ : RX_MAX - 1];
	uint32_t s = IPCB(skb)->saddr, d = IPCB(skb)->daddr;

	memset(r, 0, sizeof(*r));
	r->stack = skb->stack;
	r->saddr = s;
	r->daddr = d;
	r->proto = proto;
	if (proto == IPPROTO_TCP) {
		struct tcp_repr t;

		r->csum_ok = tcp_parse_ipv4(skb->data, skb->len, s, d, 0, &t, NULL) == WIRE_OK;
		tcp_parse(skb->data, skb->len, &t, NULL);
		r->sport = t.sport;
		r->dport = t.dport;
		r->flags = t.flags;
		r->seq = t.seq;
		r->ack = t.ack_seq;
	} else if (proto == IPPROTO_UDP) {
		struct udp_repr u;

		r->csum_ok = udp_parse_ipv4(skb->data, skb->len, s, d, 0, &u) == WIRE_OK;
		r->check = u.check;
		r->sport = u.sport;
		r->dport = u.dport;
	} else {
		r->csum_ok = true;
	}
	consume_skb(skb);
}

static int tcp_rx(struct sk_buff *skb)
{
	log_rx(skb, IPPROTO_TCP);
	return 0;
}

static int udp_rx(struct sk_buff *skb)
{
	log_rx(skb, IPPROTO_UDP);
	return 0;
}

static void test_err(struct ns_stack *stack, const struct icmp_err_info *err)
{
	last_err = *err;
	last_err_stack = stack;
	nerr++;
}

static const struct net_protocol tcp_proto = { .handler = tcp_rx, .err_handler = test_err };
static const struct net_protocol udp_proto = { .handler = udp_rx, .err_handler = test_err };

/* the real TCP and UDP handlers of A, B and R, put back at teardown */
static const struct net_protocol *saved[3][2];

static int setup(void **state)
{
	struct net3 *n = calloc(1, sizeof(*n));

	net3_init(n, A_IP, R_IP0, R_IP1, B_IP);
	struct ns_stack *ends[3] = { n->a->stack, n->b->stack, n->r->stack };

	for (int i = 0; i < 3; i++) {
		saved[i][0] = ends[i]->ipv4->protos[IPPROTO_TCP];
		saved[i][1] = ends[i]->ipv4->protos[IPPROTO_UDP];
		ends[i]->ipv4->protos[IPPROTO_TCP] = &tcp_proto;
		ends[i]->ipv4->protos[IPPROTO_UDP] = &udp_proto;
	}
	net3_run_all(n);
	nrx = 0;
	nerr = 0;
	*state = n;
	return 0;
}

static int teardown(void **state)
{
	struct net3 *n = *state;
	struct ns_stack *ends[3] = { n->a->stack, n->b->stack, n->r->stack };

	net3_run_all(n);
	for (int i = 0; i < 3; i++) {
		ends[i]->ipv4->protos[IPPROTO_TCP] = saved[i][0];
		ends[i]->ipv4->protos[IPPROTO_UDP] = saved[i][1];
	}
	net3_free(n);
	free(n);
	return 0;
}

static void send_tcp(struct ns_stack *s, uint32_t src, uint32_t dst, uint16_t sport,
		     uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct sk_buff *skb = alloc_skb_tx(s, 64);
	struct tcp_repr t = { .sport = sport, .dport = dport, .flags = flags, .seq = seq,
			      .ack_seq = ack, .window = 8192 };
	struct flowi4 fl4 = { .daddr = dst, .saddr = src, .proto = IPPROTO_TCP };
	uint8_t *p = skb_put(skb, 20);

	assert_int_equal(tcp_emit_ipv4(&t, p, 20, src, dst), 20);
	assert_int_equal(ip_send_skb4(s, skb, &fl4), 0);
}

static void send_udp(struct ns_stack *s, uint32_t src, uint32_t dst, uint16_t sport,
		     uint16_t dport)
{
	struct sk_buff *skb = alloc_skb_tx(s, 64);
	struct udp_repr u = { .sport = sport, .dport = dport, .payload = (const uint8_t *)"ping",
			      .payload_len = 4 };
	struct flowi4 fl4 = { .daddr = dst, .saddr = src, .proto = IPPROTO_UDP };
	uint8_t *p = skb_put(skb, 12);

	assert_int_equal(udp_emit_ipv4(&u, p, 12, src, dst), 12);
	assert_int_equal(ip_send_skb4(s, skb, &fl4), 0);
}

/* A UDP datagram of len payload bytes (fragmented by A when over 1472). */
static void send_udp_big(struct ns_stack *s, uint32_t src, uint32_t dst, uint16_t sport,
			 uint16_t dport, unsigned int len)
{
	struct sk_buff *skb = alloc_skb_tx(s, 8 + len);
	uint8_t *p = skb_put(skb, 8 + len);
	struct udp_repr u = { .sport = sport, .dport = dport, .payload = p + 8,
			      .payload_len = len };
	struct flowi4 fl4 = { .daddr = dst, .saddr = src, .proto = IPPROTO_UDP };

	for (unsigned int i = 0; i < len; i++)
		p[8 + i] = (uint8_t)i;
	assert_int_equal(udp_emit_ipv4(&u, p, 8 + len, src, dst), (int)(8 + len));
	assert_int_equal(ip_send_skb4(s, skb, &fl4), 0);
}

/* The last record received by stack s, or NULL. */
static const struct rx *last_rx(struct ns_stack *s)
{
	for (unsigned int i = nrx; i > 0; i--)
		if (rxlog[i - 1].stack == s)
			return &rxlog[i - 1];
	return NULL;
}

static unsigned int count_rx(struct ns_stack *s)
{
	unsigned int c = 0;

	for (unsigned int i = 0; i < nrx; i++)
		c += rxlog[i].stack == s;
	return c;
}

static const char *const fw_rules =
	"table ip fw {\n"
	"  chain forward {\n"
	"    type filter hook forward priority 0; policy drop;\n"
	"    ct state established,related accept\n"
	"    ct state invalid drop\n"
	"    iifname \"eth0\" ip daddr 198.19.0.1 tcp dport { 22, 80 } counter accept\n"
	"    iifname \"eth0\" udp dport 53 accept\n"
	"    tcp dport 23 reject with tcp reset\n"
	"    tcp dport 25 reject with icmp type admin-prohibited\n"
	"  }\n"
	"}\n";

static void test_forward_filter(void **state)
{
	struct net3 *n = *state;
	const struct rx *r;

	net3_nft(n->r->stack, fw_rules);
	/* allowed: SYN to B:22, SYN-ACK back (established), ACK */
	send_tcp(n->a->stack, A_IP, B_IP, 40000, 22, TCP_FLAG_SYN, 1000, 0);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_non_null(r);
	assert_int_equal(r->dport, 22);
	assert_true(r->csum_ok);
	send_tcp(n->b->stack, B_IP, A_IP, 22, 40000, TCP_FLAG_SYN | TCP_FLAG_ACK, 5000, 1001);
	net3_run_all(n);
	r = last_rx(n->a->stack);
	assert_non_null(r);
	assert_int_equal(r->flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	send_tcp(n->a->stack, A_IP, B_IP, 40000, 22, TCP_FLAG_ACK, 1001, 5001);
	net3_run_all(n);
	assert_int_equal(count_rx(n->b->stack), 2);
	/* dropped: port 80 to another host, port 8080 */
	send_tcp(n->a->stack, A_IP, B_IP, 40001, 8080, TCP_FLAG_SYN, 1, 0);
	net3_run_all(n);
	assert_int_equal(count_rx(n->b->stack), 2);
	assert_int_equal(count_rx(n->a->stack), 1);
	/* B cannot open connections toward A (policy drop, not established) */
	send_udp(n->b->stack, B_IP, A_IP, 5000, 53);
	net3_run_all(n);
	assert_int_equal(count_rx(n->a->stack), 1);
	/* but A's DNS query gets its answer */
	send_udp(n->a->stack, A_IP, B_IP, 3333, 53);
	net3_run_all(n);
	assert_int_equal(count_rx(n->b->stack), 3);
	send_udp(n->b->stack, B_IP, A_IP, 53, 3333);
	net3_run_all(n);
	r = last_rx(n->a->stack);
	assert_int_equal(count_rx(n->a->stack), 2);
	assert_int_equal(r->sport, 53);
	/* fragments: R gathers them to track the datagram, then sends it on
	 * in fragments again; both ends reassemble */
	send_udp_big(n->a->stack, A_IP, B_IP, 3334, 53, 4000);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_int_equal(count_rx(n->b->stack), 4);
	assert_int_equal(r->sport, 3334);
	assert_true(r->csum_ok);
	send_udp_big(n->b->stack, B_IP, A_IP, 53, 3334, 3000);
	net3_run_all(n);
	assert_int_equal(count_rx(n->a->stack), 3);
	assert_true(last_rx(n->a->stack)->csum_ok);
	assert_int_equal(IPSTAT(n->r->stack, "ReasmOKs"), 2);
	/* the rule's counter counted the SYN; the ACK was established */
	struct ns_out out;

	ns_out_init(&out);
	assert_int_equal(ns_exec(n->r->stack, "nft list chain ip fw forward", &out), 0);
	assert_non_null(strstr(ns_out_text(&out), "counter packets 1 bytes 40 accept"));
	ns_out_free(&out);
	/* the entries in Linux's format */
	char *ct = ns_proc_read(n->r->stack, "/proc/net/nf_conntrack", NULL);

	assert_non_null(strstr(ct, "ipv4     2 tcp      6 432000 ESTABLISHED src=198.18.0.1 dst=198.19.0.1 sport=40000 dport=22 src=198.19.0.1 dst=198.18.0.1 sport=22 dport=40000 [ASSURED] mark=0 zone=0 use=2\n"));
	assert_non_null(strstr(ct, "ipv4     2 udp      17 120 src=198.18.0.1 dst=198.19.0.1 sport=3333 dport=53 src=198.19.0.1 dst=198.18.0.1 sport=53 dport=3333 [ASSURED]"));
	/* flows the firewall dropped left no entry behind */
	assert_null(strstr(ct, "sport=5000"));
	assert_null(strstr(ct, "dport=8080"));
	free(ct);
}

static void send_echo(struct ns_stack *s, uint32_t dst, uint16_t id, uint16_t seq)
{
	struct sk_buff *skb = alloc_skb_tx(s, 8 + 16);
	struct icmp_repr r = { .type = ICMP_ECHO, .data_len = 16 };
	struct flowi4 fl4 = { .daddr = dst, .proto = IPPROTO_ICMP };
	uint8_t *p = skb_put(skb, 8 + 16);

	r.un.echo.id = id;
	r.un.echo.seq = seq;
	memset(p + 8, 0x5a, 16);
	r.data = p + 8;
	assert_int_equal(icmp_emit(&r, p, 8 + 16), 8 + 16);
	assert_int_equal(ip_send_skb4(s, skb, &fl4), 0);
}

static void test_icmp_echo_tracking(void **state)
{
	struct net3 *n = *state;
	char *ct;

	net3_nft(n->r->stack,
	       "table ip fw { chain forward { type filter hook forward priority 0; policy drop;\n"
	       "  ct state established,related accept\n"
	       "  iifname \"eth0\" icmp type echo-request accept } }\n");
	send_echo(n->a->stack, B_IP, 99, 1);
	net3_run_all(n);
	assert_int_equal(ICMPSTAT(n->a->stack, "InEchoReps"), 1);
	/* B's own echo toward A is new from the wrong side: dropped */
	send_echo(n->b->stack, A_IP, 98, 1);
	net3_run_all(n);
	assert_int_equal(ICMPSTAT(n->a->stack, "InEchos"), 0);
	ct = ns_proc_read(n->r->stack, "/proc/net/nf_conntrack", NULL);
	assert_non_null(strstr(ct, "ipv4     2 icmp     1 30 src=198.18.0.1 dst=198.19.0.1 type=8 code=0 id=99 src=198.19.0.1 dst=198.18.0.1 type=0 code=0 id=99 mark=0 zone=0 use=2\n"));
	free(ct);
}

static void test_reject(void **state)
{
	struct net3 *n = *state;
	const struct rx *r;

	net3_nft(n->r->stack, fw_rules);
	/* tcp reset: from B's address, acking the SYN, checksum right */
	send_tcp(n->a->stack, A_IP, B_IP, 40002, 23, TCP_FLAG_SYN, 777, 0);
	net3_run_all(n);
	assert_int_equal(count_rx(n->b->stack), 0);
	r = last_rx(n->a->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, B_IP);
	assert_int_equal(r->sport, 23);
	assert_int_equal(r->dport, 40002);
	assert_int_equal(r->flags, TCP_FLAG_RST | TCP_FLAG_ACK);
	assert_int_equal(r->ack, 778);
	assert_true(r->csum_ok);
	/* a segment with ACK: the reset takes its sequence from the ACK
	 * (the refused SYN left no connection behind: this is a new one) */
	send_tcp(n->a->stack, A_IP, B_IP, 40002, 23, TCP_FLAG_ACK, 800, 4242);
	net3_run_all(n);
	r = last_rx(n->a->stack);
	assert_int_equal(r->flags, TCP_FLAG_RST);
	assert_int_equal(r->seq, 4242);
	/* a RST is never answered */
	unsigned int before = count_rx(n->a->stack);

	send_tcp(n->a->stack, A_IP, B_IP, 40002, 23, TCP_FLAG_RST, 800, 0);
	net3_run_all(n);
	assert_int_equal(count_rx(n->a->stack), before);
	/* icmp admin-prohibited: A's TCP learns it through its err_handler */
	send_tcp(n->a->stack, A_IP, B_IP, 40003, 25, TCP_FLAG_SYN, 1, 0);
	net3_run_all(n);
	assert_int_equal(nerr, 1);
	assert_ptr_equal(last_err_stack, n->a->stack);
	assert_int_equal(last_err.type, ICMP_DEST_UNREACH);
	assert_int_equal(last_err.code, ICMP_PKT_FILTERED);
	assert_int_equal(last_err.daddr, B_IP);
	assert_int_equal(count_rx(n->b->stack), 0);
	/* a masqueraded connection's later segment refused in FORWARD (before
	 * its source is translated): R's error quotes the untranslated
	 * datagram and is still RELATED, let out by an output policy drop */
	net3_nft(n->r->stack,
	       "flush ruleset\n"
	       "table ip nat { chain post { type nat hook postrouting priority srcnat; policy accept;\n"
	       "  oifname \"eth1\" masquerade } }\n"
	       "table ip fw { chain forward { type filter hook forward priority 0; policy accept;\n"
	       "  tcp dport 26 tcp flags & ack == ack reject with icmp type admin-prohibited } }\n"
	       "table ip out { chain output { type filter hook output priority 0; policy drop;\n"
	       "  ct state related counter accept } }\n");
	send_tcp(n->a->stack, A_IP, B_IP, 40004, 26, TCP_FLAG_SYN, 1, 0);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, R_IP1);
	send_tcp(n->b->stack, B_IP, R_IP1, 26, r->sport, TCP_FLAG_SYN | TCP_FLAG_ACK, 50, 2);
	net3_run_all(n);
	send_tcp(n->a->stack, A_IP, B_IP, 40004, 26, TCP_FLAG_ACK, 2, 51);
	net3_run_all(n);
	assert_int_equal(nerr, 2);
	assert_int_equal(last_err.code, ICMP_PKT_FILTERED);
	assert_int_equal(last_err.saddr, A_IP);
}

static void test_input_policy_drop_with_conntrack(void **state)
{
	struct net3 *n = *state;

	net3_nft(n->r->stack,
	       "table ip host {\n"
	       "  chain input {\n"
	       "    type filter hook input priority 0; policy drop;\n"
	       "    ct state established,related accept\n"
	       "  }\n"
	       "}\n");
	/* A cannot reach R */
	send_udp(n->a->stack, A_IP, R_IP0, 1000, 7);
	net3_run_all(n);
	assert_int_equal(count_rx(n->r->stack), 0);
	/* R's own query to A is answered: the reply is established */
	send_udp(n->r->stack, R_IP0, A_IP, 2000, 53);
	net3_run_all(n);
	assert_int_equal(count_rx(n->a->stack), 1);
	send_udp(n->a->stack, A_IP, R_IP0, 53, 2000);
	net3_run_all(n);
	assert_int_equal(count_rx(n->r->stack), 1);
	/* R opens TCP toward B from its other address */
	send_tcp(n->r->stack, R_IP1, B_IP, 2001, 9, TCP_FLAG_SYN, 1, 0);
	net3_run_all(n);
	assert_int_equal(count_rx(n->b->stack), 1);
	/* B answers with a reset: established reply, let in */
	send_tcp(n->b->stack, B_IP, R_IP1, 9, 2001, TCP_FLAG_RST | TCP_FLAG_ACK, 0, 2);
	net3_run_all(n);
	assert_int_equal(count_rx(n->r->stack), 2);
}

/* A flood behind more idle assured flows than one early-drop scan looks at:
 * the unreplied entries are still the ones dropped, nearly none is refused. */
static void test_conntrack_flood_behind_assured(void **state)
{
	struct net3 *n = *state;
	struct netns_ct *cn = n->r->stack->ct;
	struct nf_conn *ct;
	int assured = 0;

	net3_nft(n->r->stack,
	       "table ip fw { chain forward { type filter hook forward priority 0; policy accept;\n"
	       "  ct state new counter accept } }\n");
	assert_int_equal(ns_sysctl_set(n->r->stack, "net.netfilter.nf_conntrack_max", "100"), 0);
	for (int i = 0; i < 80; i++)
		send_udp(n->a->stack, A_IP, B_IP, (uint16_t)(10000 + i), 53);
	net3_run_all(n);
	list_for_each_entry(ct, &cn->all, list)
		ct->status |= IPS_ASSURED;
	for (int i = 0; i < 200; i++) {
		send_udp(n->a->stack, A_IP, B_IP, (uint16_t)(20000 + i), 53);
		if (i % 50 == 49)
			net3_run_all(n);
	}
	net3_run_all(n);
	assert_int_equal(cn->count, 100);
	/* a scan that meets 64 assured entries in a row still refuses (and moves
	 * them back): a few of the 180 over the limit, not all of them */
	assert_int_equal(cn->stat.drop + cn->stat.early_drop, 180);
	assert_true(cn->stat.early_drop >= 160);
	list_for_each_entry(ct, &cn->all, list)
		assured += !!(ct->status & IPS_ASSURED);
	assert_int_equal(assured, 80);
}

static void test_conntrack_flood(void **state)
{
	struct net3 *n = *state;
	char *v;

	net3_nft(n->r->stack,
	       "table ip fw { chain forward { type filter hook forward priority 0; policy accept;\n"
	       "  ct state new counter accept } }\n");
	assert_int_equal(ns_sysctl_set(n->r->stack, "net.netfilter.nf_conntrack_max", "100"), 0);
	for (int i = 0; i < 400; i++) {
		send_udp(n->a->stack, A_IP, B_IP, (uint16_t)(10000 + i), 53);
		if (i % 50 == 49)
			net3_run_all(n);
	}
	net3_run_all(n);
	v = ns_sysctl_get(n->r->stack, "net.netfilter.nf_conntrack_count");
	assert_string_equal(v, "100\n");
	free(v);
	assert_true(n->r->stack->ct->stat.early_drop >= 300);
	assert_int_equal(count_rx(n->b->stack) > 0, 1);
	/* assured entries are not early-dropped: new ones are refused, counted */
	struct netns_ct *cn = n->r->stack->ct;
	struct nf_conn *ct;

	list_for_each_entry(ct, &cn->all, list)
		ct->status |= IPS_ASSURED;
	uint64_t drops = cn->stat.drop;

	send_udp(n->a->stack, A_IP, B_IP, 30000, 53);
	net3_run_all(n);
	assert_int_equal(cn->stat.drop, drops + 1);
	assert_int_equal(cn->count, 100);
	v = ns_proc_read(n->r->stack, "/proc/net/stat/nf_conntrack", NULL);
	assert_non_null(strstr(v, "early_drop"));
	free(v);
	/* a flood the firewall drops leaves nothing once the GC ran */
	net3_nft(n->r->stack, "flush ruleset\n"
	       "table ip fw { chain forward { type filter hook forward priority 0; policy drop;\n"
	       "  ct state established accept } }\n");
	nf_ct_flush(n->r->stack);
	for (int i = 0; i < 50; i++)
		send_udp(n->a->stack, A_IP, B_IP, (uint16_t)(20000 + i), 53);
	net3_run_all(n);
	assert_int_equal(cn->count, 50);
	n->r->clock.now += 1100000000ull;
	net3_run_all(n);
	assert_int_equal(cn->count, 0);
	net3_nft(n->r->stack, "flush ruleset\n"
	       "table ip fw { chain forward { type filter hook forward priority 0; policy accept;\n"
	       "  ct state new accept } }\n");
	for (int i = 0; i < 100; i++)
		send_udp(n->a->stack, A_IP, B_IP, (uint16_t)(21000 + i), 53);
	net3_run_all(n);
	assert_int_equal(cn->count, 100);
	/* entries expire: 30 s unreplied */
	n->a->clock.now += 31000000000ull;
	n->r->clock.now += 31000000000ull;
	n->b->clock.now += 31000000000ull;
	net3_run_all(n);
	assert_int_equal(cn->count, 0);
}

static void test_masquerade_and_icmp_translation(void **state)
{
	struct net3 *n = *state;
	const struct rx *r;
	uint16_t port;

	net3_nft(n->r->stack,
	       "table ip nat {\n"
	       "  chain post { type nat hook postrouting priority srcnat; policy accept;\n"
	       "    oifname \"eth1\" masquerade\n"
	       "  }\n"
	       "}\n");
	send_udp(n->a->stack, A_IP, B_IP, 4444, 53);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, R_IP1);
	assert_true(r->csum_ok);
	port = r->sport;
	send_udp(n->b->stack, B_IP, R_IP1, 53, port);
	net3_run_all(n);
	r = last_rx(n->a->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, B_IP);
	assert_int_equal(r->daddr, A_IP);
	assert_int_equal(r->dport, 4444);
	assert_true(r->csum_ok);
	assert_int_equal(port, 4444);	/* kept: it was free */
	/* R's own flow from R_IP1:4444 to B:53 would answer to the same
	 * tuple: its source port moves (Linux's null binding) */
	send_udp(n->r->stack, R_IP1, B_IP, 4444, 53);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_int_equal(r->saddr, R_IP1);
	assert_true(r->sport != 4444);
	assert_true(r->csum_ok);
	/* R's own flow holds R_IP1:5000 -> B:53; A's 5000 must move */
	send_udp(n->r->stack, R_IP1, B_IP, 5000, 53);
	net3_run_all(n);
	send_udp(n->a->stack, A_IP, B_IP, 5000, 53);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_int_equal(r->saddr, R_IP1);
	assert_true(r->sport != 5000);
	assert_true(r->sport >= 1024);
	assert_true(r->csum_ok);
	/* RFC 768: a datagram sent without checksum keeps none through NAT */
	{
		struct sk_buff *skb = alloc_skb_tx(n->a->stack, 64);
		struct udp_repr u = { .sport = 4545, .dport = 53, .payload = (const uint8_t *)"nock",
				      .payload_len = 4 };
		struct flowi4 fl4 = { .daddr = B_IP, .saddr = A_IP, .proto = IPPROTO_UDP };

		assert_int_equal(udp_emit_ipv4_nocsum(&u, skb_put(skb, 12), 12), 12);
		assert_int_equal(ip_send_skb4(n->a->stack, skb, &fl4), 0);
		net3_run_all(n);
		r = last_rx(n->b->stack);
		assert_int_equal(r->sport, 4545);
		assert_int_equal(r->saddr, R_IP1);
		assert_int_equal(r->check, 0);
	}
	/* ICMP echo through masquerade: the reply finds its way back */
	send_echo(n->a->stack, B_IP, 4242, 1);
	net3_run_all(n);
	assert_int_equal(ICMPSTAT(n->a->stack, "InEchoReps"), 1);
	/* TCP through masquerade, checksum verified at B */
	send_tcp(n->a->stack, A_IP, B_IP, 5555, 80, TCP_FLAG_SYN, 9, 0);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_int_equal(r->saddr, R_IP1);
	assert_true(r->csum_ok);
	/* an ICMP error from B about a masqueraded datagram reaches A with
	 * the quote translated back: protocol 253 is unknown at B */
	uint8_t payload[8] = { 0 };
	struct sk_buff *skb = alloc_skb_tx(n->a->stack, 16);
	struct flowi4 fl4 = { .daddr = B_IP, .proto = PROTO_TEST };
	static const struct net_protocol test_proto = { .handler = tcp_rx, .err_handler = test_err };

	assert_int_equal(inet_add_protocol(n->a->stack, &test_proto, PROTO_TEST), 0);
	skb_put_data(skb, payload, sizeof(payload));
	assert_int_equal(ip_send_skb4(n->a->stack, skb, &fl4), 0);
	net3_run_all(n);
	assert_int_equal(nerr, 1);
	assert_ptr_equal(last_err_stack, n->a->stack);
	assert_int_equal(last_err.code, ICMP_PROT_UNREACH);
	assert_int_equal(last_err.saddr, A_IP);
	assert_int_equal(last_err.daddr, B_IP);
}

static void test_dnat_port_forward(void **state)
{
	struct net3 *n = *state;
	const struct rx *r;

	net3_nft(n->r->stack,
	       "table ip nat {\n"
	       "  chain pre { type nat hook prerouting priority dstnat; policy accept;\n"
	       "    tcp dport 8080 dnat to 198.19.0.1:80\n"
	       "  }\n"
	       "}\n");
	send_tcp(n->a->stack, A_IP, R_IP0, 41000, 8080, TCP_FLAG_SYN, 100, 0);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, A_IP);
	assert_int_equal(r->daddr, B_IP);
	assert_int_equal(r->dport, 80);
	assert_true(r->csum_ok);
	send_tcp(n->b->stack, B_IP, A_IP, 80, 41000, TCP_FLAG_SYN | TCP_FLAG_ACK, 700, 101);
	net3_run_all(n);
	r = last_rx(n->a->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, R_IP0);
	assert_int_equal(r->sport, 8080);
	assert_int_equal(r->flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	assert_true(r->csum_ok);
	assert_int_equal(count_rx(n->r->stack), 0);
	char *ct = ns_proc_read(n->r->stack, "/proc/net/nf_conntrack", NULL);

	assert_non_null(strstr(ct, "SYN_RECV src=198.18.0.1 dst=198.18.0.254 sport=41000 dport=8080 src=198.19.0.1 dst=198.18.0.1 sport=80 dport=41000"));
	free(ct);
}

static void expect_sysctl(struct ns_stack *s, const char *name, const char *want)
{
	char *v = ns_sysctl_get(s, name);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void test_sysctls_and_timeouts(void **state)
{
	struct net3 *n = *state;
	struct ns_stack *r = n->r->stack;

	expect_sysctl(r, "net.netfilter.nf_conntrack_max", "65536\n");
	expect_sysctl(r, "net.netfilter.nf_conntrack_buckets", "16384\n");
	expect_sysctl(r, "net.netfilter.nf_conntrack_tcp_timeout_established", "432000\n");
	expect_sysctl(r, "net.netfilter.nf_conntrack_tcp_timeout_time_wait", "120\n");
	expect_sysctl(r, "net.netfilter.nf_conntrack_udp_timeout", "30\n");
	expect_sysctl(r, "net.netfilter.nf_conntrack_udp_timeout_stream", "120\n");
	expect_sysctl(r, "net.netfilter.nf_conntrack_icmp_timeout", "30\n");
	assert_int_equal(ns_sysctl_set(r, "net.netfilter.nf_conntrack_udp_timeout", "0"), -EINVAL);
	assert_int_equal(ns_sysctl_set(r, "net.netfilter.nf_conntrack_buckets", "1"), -EINVAL);
	assert_int_equal(ns_sysctl_set(r, "net.netfilter.nf_conntrack_udp_timeout", "5"), 0);
	net3_nft(r, "table ip fw { chain forward { type filter hook forward priority 0; policy accept;\n"
		  "  ct state new accept } }\n");
	send_udp(n->a->stack, A_IP, B_IP, 7000, 53);
	net3_run_all(n);
	assert_int_equal(r->ct->count, 1);
	n->r->clock.now += 4000000000ull;
	net3_run_all(n);
	assert_int_equal(r->ct->count, 1);
	n->r->clock.now += 2000000000ull;
	net3_run_all(n);
	assert_int_equal(r->ct->count, 0);
	/* the ruleset without ct or nat unhooks conntrack */
	net3_nft(r, "flush ruleset");
	assert_false(r->ct->enabled);
}

static void test_output_dnat_reroutes(void **state)
{
	struct net3 *n = *state;
	const struct rx *r;

	net3_nft(n->r->stack,
	       "table ip nat {\n"
	       "  chain out { type nat hook output priority -100; policy accept;\n"
	       "    udp dport 5353 dnat to 198.19.0.1:53\n"
	       "  }\n"
	       "}\n");
	/* sent toward A's link, redirected to B on the other link */
	send_udp(n->r->stack, R_IP0, IP4(198, 18, 0, 77), 6000, 5353);
	net3_run_all(n);
	r = last_rx(n->b->stack);
	assert_non_null(r);
	assert_int_equal(r->daddr, B_IP);
	assert_int_equal(r->dport, 53);
	assert_true(r->csum_ok);
	assert_int_equal(count_rx(n->a->stack), 0);
	/* B's answer comes back as from the address R asked */
	send_udp(n->b->stack, B_IP, R_IP0, 53, 6000);
	net3_run_all(n);
	r = last_rx(n->r->stack);
	assert_non_null(r);
	assert_int_equal(r->saddr, IP4(198, 18, 0, 77));
	assert_int_equal(r->sport, 5353);
	assert_true(r->csum_ok);
}

static void test_tcp_states_and_window(void **state)
{
	struct net3 *n = *state;
	struct netns_ct *cn = n->r->stack->ct;
	struct nf_conn *ct;

	net3_nft(n->r->stack,
	       "table ip fw { chain forward { type filter hook forward priority 0; policy accept;\n"
	       "  ct state invalid counter drop } }\n");
	send_tcp(n->a->stack, A_IP, B_IP, 1234, 80, TCP_FLAG_SYN, 1000, 0);
	net3_run_all(n);
	ct = list_first_entry(&cn->all, struct nf_conn, list);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_SYN_SENT);
	send_tcp(n->b->stack, B_IP, A_IP, 80, 1234, TCP_FLAG_SYN | TCP_FLAG_ACK, 9000, 1001);
	net3_run_all(n);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_SYN_RECV);
	send_tcp(n->a->stack, A_IP, B_IP, 1234, 80, TCP_FLAG_ACK, 1001, 9001);
	net3_run_all(n);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_ESTABLISHED);
	assert_true(ct->status & IPS_ASSURED);
	/* far outside the window: invalid, dropped by the rule */
	unsigned int b_rx = count_rx(n->b->stack);

	send_tcp(n->a->stack, A_IP, B_IP, 1234, 80, TCP_FLAG_ACK, 1001 + 3000000, 9001);
	net3_run_all(n);
	assert_int_equal(count_rx(n->b->stack), b_rx);
	assert_true(cn->stat.invalid >= 1);
	/* orderly close: FIN, ACK, FIN, ACK */
	send_tcp(n->a->stack, A_IP, B_IP, 1234, 80, TCP_FLAG_FIN | TCP_FLAG_ACK, 1001, 9001);
	net3_run_all(n);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_FIN_WAIT);
	send_tcp(n->b->stack, B_IP, A_IP, 80, 1234, TCP_FLAG_ACK, 9001, 1002);
	net3_run_all(n);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_CLOSE_WAIT);
	send_tcp(n->b->stack, B_IP, A_IP, 80, 1234, TCP_FLAG_FIN | TCP_FLAG_ACK, 9001, 1002);
	net3_run_all(n);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_LAST_ACK);
	send_tcp(n->a->stack, A_IP, B_IP, 1234, 80, TCP_FLAG_ACK, 1002, 9002);
	net3_run_all(n);
	assert_int_equal(ct->tcp_state, TCP_CONNTRACK_TIME_WAIT);
	assert_true(ct->timeout - ns_now(n->r->stack) <= 120000000000ull);
	/* a stray SYN-ACK with no connection is invalid */
	unsigned int a_rx = count_rx(n->a->stack);

	send_tcp(n->b->stack, B_IP, A_IP, 81, 1235, TCP_FLAG_SYN | TCP_FLAG_ACK, 1, 1);
	net3_run_all(n);
	assert_int_equal(count_rx(n->a->stack), a_rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forward_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_tracking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_policy_drop_with_conntrack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conntrack_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conntrack_flood_behind_assured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_masquerade_and_icmp_translation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dnat_port_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysctls_and_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_dnat_reroutes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_states_and_window, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
