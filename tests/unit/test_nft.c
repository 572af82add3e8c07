/* test_nft.c - the nf_tables rule engine and its nft syntax, without the
 * hook plumbing: rulesets load atomically (an error names its line and
 * leaves the running ruleset alone), list back in nft's format, and every
 * match kind, set, verdict and jump is checked against packets built with
 * the wire emitters and evaluated by nft_do_chain(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "core/proc.h"
#include "core/skbuff.h"
#include "netfilter/nf_tables.h"
#include "cmdfix.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static int setup(void **state)
{
	*state = cmd_fixture_new("nft", 11, 2);
	return 0;
}

static int teardown(void **state)
{
	cmd_fixture_free(*state);
	return 0;
}

/* ---- helpers --------------------------------------------------------------------- */
static int nft(struct cmd_fixture *f, const char *text)
{
	struct seq_buf out = { 0 };
	char err[512];
	int rc = nft_run(f->ts->stack, text, NULL, &out, err, sizeof(err));

	if (rc)
		print_message("nft: %s\n", err);
	free(out.buf);
	return rc;
}

/* Run text that must fail; returns the error message (static). */
static const char *nft_err(struct cmd_fixture *f, const char *text, int want_rc)
{
	static char err[512];
	struct seq_buf out = { 0 };
	int rc = nft_run(f->ts->stack, text, NULL, &out, err, sizeof(err));

	free(out.buf);
	assert_int_equal(rc, want_rc);
	return err;
}

static char *list(struct cmd_fixture *f)
{
	struct seq_buf out = { 0 };
	char err[512];

	assert_int_equal(nft_run(f->ts->stack, "list ruleset", NULL, &out, err, sizeof(err)), 0);
	return out.buf ? out.buf : strdup("");
}

struct pkt_spec {
	uint8_t proto;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	unsigned int payload;
	uint16_t frag_off;
};

static struct sk_buff *mkpkt(struct cmd_fixture *f, const struct pkt_spec *ps)
{
	static uint8_t zeros[1500];
	struct sk_buff *skb = alloc_skb_tx(f->ts->stack, 1600);
	struct ipv4_repr ip = { .ttl = 64, .protocol = ps->proto, .saddr = ps->saddr,
				.daddr = ps->daddr, .frag_off = ps->frag_off };
	uint8_t *l4;
	int n = 0;

	assert_non_null(skb);
	skb_reset_network_header(skb);
	l4 = (uint8_t *)skb_put(skb, 20) + 20;
	if (ps->proto == IPPROTO_TCP) {
		struct tcp_repr t = { .sport = ps->sport, .dport = ps->dport, .flags = ps->tcp_flags,
				      .window = 1000, .payload = zeros, .payload_len = ps->payload };

		n = tcp_emit_ipv4(&t, l4, 1500, ps->saddr, ps->daddr);
	} else if (ps->proto == IPPROTO_UDP) {
		struct udp_repr u = { .sport = ps->sport, .dport = ps->dport, .payload = zeros,
				      .payload_len = ps->payload };

		n = udp_emit_ipv4(&u, l4, 1500, ps->saddr, ps->daddr);
	} else if (ps->proto == IPPROTO_ICMP) {
		struct icmp_repr ic = { .type = ps->icmp_type, .code = ps->icmp_code,
					.data = zeros, .data_len = ps->payload };

		n = icmp_emit(&ic, l4, 1500);
	} else {
		n = (int)ps->payload;
	}
	assert_true(n >= 0);
	skb_put(skb, (unsigned int)n);
	ip.tot_len = (uint16_t)(20 + n);
	assert_int_equal(ipv4_emit(&ip, skb->data, 20), 20);
	return skb;
}

/* Evaluate the base chain `c` of table `t` (family ip) on a packet. */
static unsigned int eval_on(struct cmd_fixture *f, const char *t, const char *c,
			    const struct pkt_spec *ps, uint32_t ct_state, struct nft_result *res)
{
	struct nft_table *tab = nft_table_find(f->ts->stack->nft->rs, NFT_FAMILY_IP, t);
	struct nft_chain *ch = tab ? nft_chain_find(tab, c) : NULL;
	struct sk_buff *skb = mkpkt(f, ps);
	struct nft_pktinfo pkt;
	struct nft_result r;
	unsigned int v;

	assert_non_null(ch);
	assert_int_equal(nft_pktinfo_init(&pkt, skb, ch->hook, f->eth0->dev, f->eth1->dev), 0);
	if (ct_state)
		pkt.v[NFT_F_CT_STATE] = ct_state;
	v = nft_do_chain(f->ts->stack, ch, &pkt, res ? res : &r);
	consume_skb(skb);
	return v;
}

/* Load one rule `rule drop` in a fresh accept-policy chain; true when the
 * packet is dropped (the rule matched). */
static bool matches(struct cmd_fixture *f, const char *rule, const struct pkt_spec *ps, uint32_t ct)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "flush ruleset\ntable ip t {\n chain c {\n  type filter hook forward priority 0; policy accept;\n  %s drop\n }\n}\n",
		 rule);
	if (nft(f, text))
		fail_msg("rule \"%s\" did not load", rule);
	return eval_on(f, "t", "c", ps, ct, NULL) == NFT_DROP;
}

static const struct pkt_spec tcp_syn = { .proto = IPPROTO_TCP, .saddr = A(198, 18, 0, 1),
					 .daddr = A(198, 19, 1, 2), .sport = 40000, .dport = 22,
					 .tcp_flags = TCP_FLAG_SYN, .payload = 0 };
static const struct pkt_spec udp_dns = { .proto = IPPROTO_UDP, .saddr = A(198, 18, 0, 7),
					 .daddr = A(198, 19, 0, 53), .sport = 5353, .dport = 53,
					 .payload = 100 };
static const struct pkt_spec ping = { .proto = IPPROTO_ICMP, .saddr = A(198, 18, 0, 1),
				      .daddr = A(198, 19, 0, 1), .icmp_type = ICMP_ECHO,
				      .payload = 56 };

/* ---- syntax ------------------------------------------------------------------------ */
static const char *const sample =
	"table ip filter {\n"
	"\tset blocklist {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tflags interval\n"
	"\t\telements = { 10.0.0.0/8, 198.18.5.1, 198.18.6.0-198.18.6.10 }\n"
	"\t}\n"
	"\n"
	"\tset ports {\n"
	"\t\ttype inet_service\n"
	"\t\telements = { 22, 80, 443 }\n"
	"\t}\n"
	"\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy drop;\n"
	"\t\tct state established,related accept\n"
	"\t\tct state invalid drop\n"
	"\t\tiifname \"lo\" accept\n"
	"\t\tip saddr @blocklist counter packets 0 bytes 0 drop\n"
	"\t\ttcp dport @ports accept\n"
	"\t\ttcp dport { 8000-8080, 9000 } accept\n"
	"\t\tudp dport != 53 reject with icmp type admin-prohibited\n"
	"\t\ttcp flags & (syn | ack) == syn log prefix \"syn: \" reject with tcp reset\n"
	"\t\ticmp type echo-request meta length <= 1000 accept\n"
	"\t\tip saddr != 198.18.0.0/15 ip protocol udp jump checks\n"
	"\t\treject\n"
	"\t}\n"
	"\n"
	"\tchain checks {\n"
	"\t\tip ttl < 5 drop\n"
	"\t\tmeta l4proto tcp th sport 1-1023 return\n"
	"\t\toifname \"eth*\" goto more\n"
	"\t}\n"
	"\n"
	"\tchain more {\n"
	"\t\ticmp code 3 continue\n"
	"\t\tmeta mark 0x0000002a return\n"
	"\t\tmeta mark & 0x0000ff00 == 0x00000100 accept\n"
	"\t}\n"
	"}\n"
	"table ip nat {\n"
	"\tchain pre {\n"
	"\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	"\t\ttcp dport 8080 dnat to 198.18.1.2:80\n"
	"\t}\n"
	"\n"
	"\tchain post {\n"
	"\t\ttype nat hook postrouting priority 110; policy accept;\n"
	"\t\toifname \"eth1\" masquerade\n"
	"\t\tip saddr 198.18.0.0/24 snat to 198.19.0.1:1024-2047\n"
	"\t}\n"
	"}\n";

static void test_list_round_trip(void **state)
{
	struct cmd_fixture *f = *state;
	char *a, *b, *text;

	assert_int_equal(nft(f, sample), 0);
	a = list(f);
	assert_string_equal(a, sample);
	/* the listing loads again into the same ruleset */
	text = malloc(strlen(a) + 32);
	sprintf(text, "flush ruleset\n%s", a);
	assert_int_equal(nft(f, text), 0);
	b = list(f);
	assert_string_equal(a, b);
	free(text);
	free(a);
	free(b);
}

static void test_error_names_line_and_keeps_ruleset(void **state)
{
	struct cmd_fixture *f = *state;
	const char *e;
	char *before, *after;

	assert_int_equal(nft(f, sample), 0);
	before = list(f);
	e = nft_err(f,
		    "flush ruleset\n"
		    "table ip filter {\n"
		    "  chain input {\n"
		    "    type filter hook input priority 0; policy accept;\n"
		    "    tcp dport 22 accept\n"
		    "    tcp dport 70000 accept\n"
		    "  }\n"
		    "}\n",
		    -EINVAL);
	assert_non_null(strstr(e, "line 6:15: Error: could not parse inet_service value \"70000\""));
	after = list(f);
	assert_string_equal(before, after);
	free(after);

	/* errors found after parsing (references) still name the line */
	e = nft_err(f, "add rule ip filter input\\\n ip saddr @nosuch drop", -ENOENT);
	assert_non_null(strstr(e, "line 2:1: Error: Could not process rule: Set 'nosuch' does not exist"));
	e = nft_err(f, "table ip x {\n chain c {\n  jump nowhere\n }\n}", -ENOENT);
	assert_non_null(strstr(e, "line 3:"));
	assert_non_null(strstr(e, "Chain 'nowhere' does not exist"));
	/* more syntax errors */
	nft_err(f, "table ip x { chain c { tcp dport 22 frobnicate } }", -EINVAL);
	nft_err(f, "table ip x { chain c { accept drop } }", -EINVAL);
	nft_err(f, "table ip x { chain c { type filter hook sideways priority 0; } }", -EINVAL);
	nft_err(f, "table ip x { chain c { type nat hook forward priority 0; } }", -EOPNOTSUPP);
	nft_err(f, "table ip x { chain c { type filter hook input priority 0; dnat to 1.2.3.4 } }",
		-EOPNOTSUPP);
	nft_err(f, "table ip x { chain c { policy drop; } }", -EOPNOTSUPP);
	nft_err(f, "table ip x { chain c { ip saddr 1.2.3.4/33 drop } }", -EINVAL);
	nft_err(f, "table ip x { chain c { ip saddr 1.2.3.4/24 drop } }", -EINVAL);
	nft_err(f, "table ip x { chain c { tcp dport 80-20 drop } }", -EINVAL);
	nft_err(f, "table ip x { chain c { iifname < \"x\" drop } }", -EINVAL);
	nft_err(f, "table ip x { chain c { log prefix \"unterminated } }", -EINVAL);
	nft_err(f, "table ip x { set s { type ipv4_addr; elements = { 1.0.0.0/8 } } }", -EINVAL);
	nft_err(f, "table ip x { set s { type ipv4_addr; flags interval; elements = { 1.0.0.0/8, 1.2.3.4 } } }",
		-EEXIST);
	nft_err(f, "table ip x { set s { elements = { 1.2.3.4 } } }", -EINVAL);
	nft_err(f, "table ip6 x { }", -EAFNOSUPPORT);
	{
		char many[4096];
		size_t n = 0;

		for (int i = 0; i < 25; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n,
					      "table ip m%d { chain c { type filter hook input priority %d; } }\n",
					      i, i);
		nft_err(f, many, -ENOSPC);
	}
	nft_err(f, "delete table ip nosuch", -ENOENT);
	nft_err(f, "delete set ip filter blocklist", -EBUSY);
	nft_err(f, "delete rule ip filter input handle 999", -ENOENT);
	nft_err(f, "add rule ip filter input tcp dport @blocklist drop", -EINVAL);
	nft_err(f, "add rule ip filter input jump input", -EOPNOTSUPP);
	after = list(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_commands(void **state)
{
	struct cmd_fixture *f = *state;
	struct nft_chain *c;
	struct nft_table *t;
	char *s;

	assert_int_equal(nft(f, "add table ip filter"), 0);
	assert_int_equal(nft(f, "add chain ip filter input { type filter hook input priority 0; policy drop; }"), 0);
	assert_int_equal(nft(f, "add rule ip filter input tcp dport 22 accept"), 0);
	assert_int_equal(nft(f, "insert rule ip filter input ct state established accept"), 0);
	assert_int_equal(nft(f, "add rule filter input udp dport 53 accept"), 0);
	t = nft_table_find(f->ts->stack->nft->rs, NFT_FAMILY_IP, "filter");
	c = nft_chain_find(t, "input");
	assert_int_equal(c->nrules, 3);
	assert_int_equal(c->rules[0]->e[0].m.field, NFT_F_CT_STATE);
	assert_int_equal(nft(f, "delete rule ip filter input handle 2"), 0);	/* tcp dport 22 */
	c = nft_chain_find(nft_table_find(f->ts->stack->nft->rs, NFT_FAMILY_IP, "filter"), "input");
	assert_int_equal(c->nrules, 2);
	/* positions: after handle 3 (ct state), before handle 4 (udp 53) */
	assert_int_equal(nft(f, "add rule ip filter input position 3 tcp dport 1 accept"), 0);
	assert_int_equal(nft(f, "insert rule ip filter input handle 4 tcp dport 2 accept"), 0);
	c = nft_chain_find(nft_table_find(f->ts->stack->nft->rs, NFT_FAMILY_IP, "filter"), "input");
	assert_int_equal(c->nrules, 4);
	assert_int_equal(c->rules[1]->e[0].m.a, 1);
	assert_int_equal(c->rules[2]->e[0].m.a, 2);
	nft_err(f, "add rule ip filter input position 99 accept", -ENOENT);
	assert_int_equal(nft(f, "delete rule ip filter input handle 5"), 0);
	assert_int_equal(nft(f, "delete rule ip filter input handle 6"), 0);
	assert_int_equal(nft(f, "add set ip filter bl { type ipv4_addr; flags interval; }"), 0);
	assert_int_equal(nft(f, "add element ip filter bl { 198.18.0.0/16, 198.19.1.1 }"), 0);
	assert_int_equal(nft(f, "delete element ip filter bl { 198.19.1.1 }"), 0);
	assert_int_equal(nft(f, "add rule ip filter input ip saddr @bl drop"), 0);
	s = list(f);
	assert_non_null(strstr(s, "elements = { 198.18.0.0/16 }"));
	assert_non_null(strstr(s, "ct state established accept\n\t\tudp dport 53 accept\n\t\tip saddr @bl drop\n"));
	free(s);
	assert_int_equal(nft(f, "flush chain ip filter input"), 0);
	assert_int_equal(nft(f, "delete set ip filter bl"), 0);
	assert_int_equal(nft(f, "flush ruleset"), 0);
	s = list(f);
	assert_string_equal(s, "");
	free(s);
}

static void test_cmd_engine(void **state)
{
	struct cmd_fixture *f = *state;
	char path[] = "/tmp/nstack-nft-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("#!/usr/sbin/nft -f\nflush ruleset\ntable ip filter {\n"
	      "  chain input { type filter hook input priority 0; policy accept;\n"
	      "    tcp dport 22 counter accept\n  }\n}\n", fp);
	fclose(fp);
	ns_out_reset(&f->out);
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "nft -f %s", path);
	assert_int_equal(ns_exec(f->ts->stack, cmd, &f->out), 0);
	ns_out_reset(&f->out);
	assert_int_equal(ns_exec(f->ts->stack, "nft -a list ruleset", &f->out), 0);
	assert_string_equal(ns_out_text(&f->out),
			    "table ip filter { # handle 1\n"
			    "\tchain input { # handle 1\n"
			    "\t\ttype filter hook input priority filter; policy accept;\n"
			    "\t\ttcp dport 22 counter packets 0 bytes 0 accept # handle 2\n"
			    "\t}\n}\n");
	/* a bad file: error names file, line and column; nothing changes */
	fp = fopen(path, "w");
	fputs("flush ruleset\n\ntable ip filter {\n  chain input {\n    tcp sport x accept\n  }\n}\n", fp);
	fclose(fp);
	ns_out_reset(&f->out);
	assert_int_equal(ns_exec(f->ts->stack, cmd, &f->out), -EINVAL);
	char want[256];

	snprintf(want, sizeof(want), "nft: %s:5:15: Error: could not parse inet_service value \"x\"",
		 path);
	assert_string_equal(f->out.err, want);
	ns_out_reset(&f->out);
	assert_int_equal(ns_exec(f->ts->stack, "nft list tables", &f->out), 0);
	assert_string_equal(ns_out_text(&f->out), "table ip filter\n");
	/* -c checks without applying */
	fp = fopen(path, "w");
	fputs("flush ruleset\n", fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "nft -c -f %s", path);
	assert_int_equal(ns_exec(f->ts->stack, cmd, &f->out), 0);
	ns_out_reset(&f->out);
	assert_int_equal(ns_exec(f->ts->stack, "nft list tables", &f->out), 0);
	assert_string_equal(ns_out_text(&f->out), "table ip filter\n");
	unlink(path);
	assert_int_equal(ns_exec(f->ts->stack, cmd, &f->out), -ENOENT);
	assert_int_equal(ns_exec(f->ts->stack, "nft", &f->out), -EINVAL);
	assert_int_equal(ns_exec(f->ts->stack, "nft -x list ruleset", &f->out), -EINVAL);
	assert_int_equal(ns_exec(f->ts->stack, "nft list chain ip filter input", &f->out), 0);
	assert_int_equal(ns_exec(f->ts->stack, "nft flush ruleset", &f->out), 0);
}

/* ---- matches ----------------------------------------------------------------------------- */
static void test_match_addresses(void **state)
{
	struct cmd_fixture *f = *state;

	assert_true(matches(f, "ip saddr 198.18.0.1", &tcp_syn, 0));
	assert_false(matches(f, "ip saddr 198.18.0.2", &tcp_syn, 0));
	assert_true(matches(f, "ip saddr != 198.18.0.2", &tcp_syn, 0));
	assert_true(matches(f, "ip daddr 198.19.0.0/16", &tcp_syn, 0));
	assert_false(matches(f, "ip daddr != 198.19.0.0/16", &tcp_syn, 0));
	assert_true(matches(f, "ip daddr 0.0.0.0/0", &tcp_syn, 0));
	assert_true(matches(f, "ip saddr 198.18.0.0-198.18.0.5", &tcp_syn, 0));
	assert_false(matches(f, "ip saddr 198.18.0.2-198.18.0.5", &tcp_syn, 0));
	assert_true(matches(f, "ip saddr { 1.2.3.4, 198.18.0.0/24 }", &tcp_syn, 0));
	assert_false(matches(f, "ip saddr != { 1.2.3.4, 198.18.0.0/24 }", &tcp_syn, 0));
	assert_true(matches(f, "ip protocol tcp", &tcp_syn, 0));
	assert_false(matches(f, "ip protocol udp", &tcp_syn, 0));
	assert_true(matches(f, "meta l4proto { udp, icmp }", &udp_dns, 0));
	assert_true(matches(f, "ip ttl 64", &tcp_syn, 0));
	assert_true(matches(f, "ip ttl > 10", &tcp_syn, 0));
	assert_true(matches(f, "meta mark 0", &tcp_syn, 0));
	assert_false(matches(f, "meta mark 0x10", &tcp_syn, 0));
}

static void test_match_ports(void **state)
{
	struct cmd_fixture *f = *state;

	assert_true(matches(f, "tcp dport 22", &tcp_syn, 0));
	assert_true(matches(f, "tcp dport ssh", &tcp_syn, 0));
	assert_false(matches(f, "udp dport 22", &tcp_syn, 0));
	assert_true(matches(f, "th dport 22", &tcp_syn, 0));
	assert_true(matches(f, "tcp dport { 22, 80, 443 }", &tcp_syn, 0));
	assert_false(matches(f, "tcp dport { 23, 80, 443 }", &tcp_syn, 0));
	assert_true(matches(f, "tcp sport 32768-60999", &tcp_syn, 0));
	assert_true(matches(f, "tcp dport != 80", &tcp_syn, 0));
	/* the implied protocol: a UDP packet never matches tcp dport != 80 */
	assert_false(matches(f, "tcp dport != 80", &udp_dns, 0));
	assert_true(matches(f, "udp dport 53 udp sport 5353", &udp_dns, 0));
	assert_true(matches(f, "tcp dport < 1024", &tcp_syn, 0));
	assert_false(matches(f, "tcp dport >= 1024", &tcp_syn, 0));
	/* a non-first fragment has no ports */
	struct pkt_spec frag = udp_dns;

	frag.frag_off = 100;
	assert_false(matches(f, "udp dport 53", &frag, 0));
	assert_true(matches(f, "ip protocol udp", &frag, 0));
}

static void test_match_icmp_flags_state_len_if(void **state)
{
	struct cmd_fixture *f = *state;
	struct pkt_spec synack = tcp_syn, unreach = ping;

	synack.tcp_flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
	unreach.icmp_type = ICMP_DEST_UNREACH;
	unreach.icmp_code = ICMP_PORT_UNREACH;
	assert_true(matches(f, "icmp type echo-request", &ping, 0));
	assert_false(matches(f, "icmp type echo-reply", &ping, 0));
	assert_true(matches(f, "icmp type { echo-request, echo-reply }", &ping, 0));
	assert_true(matches(f, "icmp type destination-unreachable icmp code 3", &unreach, 0));
	assert_false(matches(f, "icmp code 1", &unreach, 0));
	assert_false(matches(f, "icmp type echo-request", &tcp_syn, 0));

	assert_true(matches(f, "tcp flags & (syn | ack) == syn", &tcp_syn, 0));
	assert_false(matches(f, "tcp flags & (syn | ack) == syn", &synack, 0));
	assert_true(matches(f, "tcp flags & (syn | ack) == syn | ack", &synack, 0));
	assert_true(matches(f, "tcp flags syn", &synack, 0));
	assert_false(matches(f, "tcp flags == syn", &synack, 0));
	assert_true(matches(f, "tcp flags & (fin | rst) != fin", &tcp_syn, 0));

	assert_true(matches(f, "ct state established,related", &tcp_syn, NFT_CT_RELATED));
	assert_false(matches(f, "ct state established,related", &tcp_syn, NFT_CT_NEW));
	assert_true(matches(f, "ct state new", &tcp_syn, NFT_CT_NEW));
	assert_true(matches(f, "ct state untracked", &tcp_syn, 0));
	assert_true(matches(f, "ct state != established", &tcp_syn, NFT_CT_NEW));

	assert_true(matches(f, "meta length 40", &tcp_syn, 0));
	assert_true(matches(f, "meta length > 100", &udp_dns, 0));
	assert_true(matches(f, "meta length 100-200", &udp_dns, 0));

	assert_true(matches(f, "iifname \"eth0\"", &tcp_syn, 0));
	assert_true(matches(f, "iifname eth0 oifname \"eth1\"", &tcp_syn, 0));
	assert_true(matches(f, "oifname \"eth*\"", &tcp_syn, 0));
	assert_false(matches(f, "iifname \"eth1\"", &tcp_syn, 0));
	assert_true(matches(f, "iifname != \"lo\"", &tcp_syn, 0));
}

/* ---- verdicts, chains, counters --------------------------------------------------------------- */
static void test_verdicts_and_jumps(void **state)
{
	struct cmd_fixture *f = *state;
	struct nft_result res;

	assert_int_equal(nft(f,
			     "table ip t {\n"
			     " chain c {\n"
			     "  type filter hook input priority 0; policy drop;\n"
			     "  ip saddr 198.18.0.1 jump sub\n"
			     "  udp dport 53 goto viagoto\n"
			     "  icmp type echo-request reject with icmp type admin-prohibited\n"
			     "  tcp dport 23 accept\n"
			     " }\n"
			     " chain sub {\n"
			     "  tcp dport 22 return\n"
			     "  tcp dport 80 accept\n"
			     "  tcp dport 443 reject with tcp reset\n"
			     " }\n"
			     " chain viagoto {\n"
			     "  udp sport 5353 return\n"
			     " }\n"
			     "}\n"),
			 0);
	struct pkt_spec p = tcp_syn;

	p.dport = 80;	/* jump sub: accept */
	assert_int_equal(eval_on(f, "t", "c", &p, 0, &res), NFT_ACCEPT);
	p.dport = 22;	/* jump sub: return, then the policy */
	assert_int_equal(eval_on(f, "t", "c", &p, 0, &res), NFT_DROP);
	assert_null(res.rule);
	p.dport = 23;	/* return continues after the jump */
	p.saddr = A(198, 18, 0, 9);
	assert_int_equal(eval_on(f, "t", "c", &p, 0, &res), NFT_ACCEPT);
	p.saddr = A(198, 18, 0, 1);
	p.dport = 443;
	assert_int_equal(eval_on(f, "t", "c", &p, 0, &res), NFT_DROP);
	assert_non_null(res.reject);
	assert_int_equal(res.reject->v.reject_type, NFT_REJECT_TCP_RST);
	/* goto then return: back to the base chain's caller, i.e. the policy */
	assert_int_equal(eval_on(f, "t", "c", &udp_dns, 0, &res), NFT_DROP);
	assert_null(res.reject);
	assert_int_equal(eval_on(f, "t", "c", &ping, 0, &res), NFT_DROP);
	assert_non_null(res.reject);
	assert_int_equal(res.reject->v.icmp_code, ICMP_PKT_FILTERED);
}

static void test_jump_depth_bound(void **state)
{
	struct cmd_fixture *f = *state;
	char text[8192];
	size_t n;
	const char *e;

	/* base -> c1 -> ... -> c16 is allowed; one more is not */
	for (int depth = 16; depth <= 17; depth++) {
		n = (size_t)snprintf(text, sizeof(text),
				     "flush ruleset\ntable ip t {\n chain base {\n  type filter hook input priority 0; policy drop;\n  jump c1\n }\n");
		for (int i = 1; i <= depth; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, " chain c%d {\n  %s%d\n }\n", i,
					      i < depth ? "jump c" : "tcp dport 22 accept #", i + 1);
		snprintf(text + n, sizeof(text) - n, "}\n");
		if (depth == 16) {
			assert_int_equal(nft(f, text), 0);
			assert_int_equal(eval_on(f, "t", "base", &tcp_syn, 0, NULL), NFT_ACCEPT);
		} else {
			e = nft_err(f, text, -EMLINK);
			assert_non_null(strstr(e, "deeper than 16"));
		}
	}
	e = nft_err(f,
		    "flush ruleset\ntable ip t {\n chain a {\n }\n chain b {\n  jump a\n }\n}\n"
		    "add rule ip t a jump b\n",
		    -ELOOP);
	assert_non_null(strstr(e, "loop"));
	nft_err(f, "flush ruleset\ntable ip t {\n chain a {\n  goto a\n }\n}\n", -ELOOP);
	/* a diamond lattice: 2^15 paths, validated once per chain */
	n = (size_t)snprintf(text, sizeof(text), "flush ruleset\ntable ip t {\n");
	for (int i = 1; i <= 15; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      " chain d%d {\n  tcp dport 1 jump d%d\n  tcp dport 2 goto d%d\n }\n",
				      i, i + 1, i + 1);
	snprintf(text + n, sizeof(text) - n, " chain d16 {\n  accept\n }\n}\n");
	assert_int_equal(nft(f, text), 0);
}

static void test_counters_and_log(void **state)
{
	struct cmd_fixture *f = *state;
	char *s;

	assert_int_equal(nft(f,
			     "table ip t {\n"
			     " chain c {\n"
			     "  type filter hook forward priority 0; policy accept;\n"
			     "  tcp dport 22 counter log prefix \"ssh \" drop\n"
			     "  counter\n"
			     " }\n"
			     "}\n"),
			 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(eval_on(f, "t", "c", &tcp_syn, 0, NULL), NFT_DROP);
	for (int i = 0; i < 2; i++)
		assert_int_equal(eval_on(f, "t", "c", &udp_dns, 0, NULL), NFT_ACCEPT);
	s = list(f);
	assert_non_null(strstr(s, "tcp dport 22 counter packets 3 bytes 120 log prefix \"ssh \" drop\n"));
	assert_non_null(strstr(s, "\t\tcounter packets 2 bytes 256\n"));
	free(s);
	/* counters survive a change of another chain (the ruleset is cloned) */
	assert_int_equal(nft(f, "add chain ip t other"), 0);
	s = list(f);
	assert_non_null(strstr(s, "counter packets 3 bytes 120"));
	free(s);
	/* log is rate limited: a burst of 10, then one per 100 ms */
	struct netns_nft *nn = f->ts->stack->nft;
	uint64_t logged = nn->logged;

	for (int i = 0; i < 50; i++)
		eval_on(f, "t", "c", &tcp_syn, 0, NULL);
	assert_true(nn->logged - logged <= 10);
	assert_true(nn->log_suppressed >= 40);
	f->ts->clock.now += 1000000000ull;
	logged = nn->logged;
	eval_on(f, "t", "c", &tcp_syn, 0, NULL);
	assert_int_equal(nn->logged, logged + 1);
}

/* ---- big sets ------------------------------------------------------------------------------------- */
static char *big_set_text(const char *flags, unsigned int n, bool prefixes)
{
	size_t cap = (size_t)n * 24 + 512, len;
	char *t = malloc(cap);

	len = (size_t)snprintf(t, cap, "flush ruleset\ntable ip f {\n set bl {\n  type ipv4_addr\n%s  elements = { ",
			       flags);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t a = prefixes ? A(10, 0, 0, 0) + (i << 8) : A(198, 18, 0, 0) + i * 2;

		len += (size_t)snprintf(t + len, cap - len, "%s%u.%u.%u.%u%s", i ? ", " : "", a >> 24,
					(a >> 16) & 255, (a >> 8) & 255, a & 255, prefixes ? "/24" : "");
	}
	snprintf(t + len, cap - len,
		 " }\n }\n chain c {\n  type filter hook forward priority 0; policy accept;\n  ip saddr @bl drop\n }\n}\n");
	return t;
}

static void test_sets_100k(void **state)
{
	struct cmd_fixture *f = *state;
	struct nft_set *s;
	char *text;

	/* hash set of 100 000 addresses */
	text = big_set_text("", 100000, false);
	assert_int_equal(nft(f, text), 0);
	free(text);
	s = nft_set_find(nft_table_find(f->ts->stack->nft->rs, NFT_FAMILY_IP, "f"), "bl");
	assert_int_equal(s->n, 100000);
	assert_true(nft_set_lookup(s, A(198, 18, 0, 0)));
	assert_true(nft_set_lookup(s, A(198, 18, 0, 0) + 2 * 99999));
	assert_false(nft_set_lookup(s, A(198, 18, 0, 1)));
	assert_false(nft_set_lookup(s, A(198, 18, 0, 0) + 2 * 100000));
	struct pkt_spec p = tcp_syn;

	p.saddr = A(198, 18, 0, 0) + 2 * 5000;
	assert_int_equal(eval_on(f, "f", "c", &p, 0, NULL), NFT_DROP);
	p.saddr++;
	assert_int_equal(eval_on(f, "f", "c", &p, 0, NULL), NFT_ACCEPT);
	/* the cost of a lookup in a 100 000-entry set is measured by
	 * bench_nft (make bench), not asserted here */

	/* interval set of 100 000 prefixes */
	text = big_set_text("  flags interval\n", 100000, true);
	assert_int_equal(nft(f, text), 0);
	free(text);
	s = nft_set_find(nft_table_find(f->ts->stack->nft->rs, NFT_FAMILY_IP, "f"), "bl");
	assert_int_equal(s->n, 100000);
	assert_true(nft_set_lookup(s, A(10, 0, 0, 0)));
	assert_true(nft_set_lookup(s, A(10, 0, 0, 0) + (99999u << 8) + 255));
	assert_false(nft_set_lookup(s, A(10, 0, 0, 0) + (100000u << 8)));
	assert_false(nft_set_lookup(s, A(9, 255, 255, 255)));
}

/* Mutated and truncated rulesets: every one is either loaded or refused
 * with a message, never read out of bounds (ASan), and what runs after is
 * always a ruleset that lists and loads back. */
static void test_parser_mutations(void **state)
{
	struct cmd_fixture *f = *state;
	static const char alphabet[] = "{};,:!=<>&|()\"\n #@/-.*abcdefghijklmnopqrstuvwxyz0123456789";
	static const char flush[] = "flush ruleset\n";
	size_t len = strlen(sample), fl = sizeof(flush) - 1;
	char *buf = malloc(fl + len + 1), *text = buf + fl;
	uint32_t x = 2463534242u;
	unsigned int loaded = 0;

	for (int i = 0; i < 3000; i++) {
		struct seq_buf out = { 0 };
		char err[512];
		size_t cut;
		int rc;

		memcpy(text, sample, len + 1);
		for (int k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			text[x % len] = alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
		}
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		cut = (i % 3 == 0) ? x % len : len;
		text[cut] = 0;
		/* half of them replace the running ruleset, half add to it */
		memcpy(buf, flush, fl);
		rc = nft_run(f->ts->stack, i % 2 ? buf : text, NULL, &out, err, sizeof(err));
		free(out.buf);
		if (rc == 0)
			loaded++;
		else
			assert_true(strlen(err) > 0);
	}
	print_message("%u of 3000 mutated rulesets loaded\n", loaded);
	char *a = list(f), *b;
	char *again = malloc(strlen(a) + 32);

	sprintf(again, "flush ruleset\n%s", a);
	assert_int_equal(nft(f, again), 0);
	b = list(f);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(again);
	free(buf);
}

static void test_set_unit(void **state)
{
	(void)state;
	struct nft_set *s = nft_set_new("x", NFT_T_PORT, 0, 1234), *c;
	struct nft_range clash;

	assert_int_equal(nft_set_add(s, 1, 2), -EINVAL);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(nft_set_add(s, i * 7, i * 7), 0);
	assert_int_equal(nft_set_add(s, 7, 7), 0);	/* duplicate ignored */
	assert_int_equal(s->n, 1000);
	assert_int_equal(nft_set_del(s, 14, 14), 0);
	assert_int_equal(nft_set_del(s, 14, 14), -ENOENT);
	assert_false(nft_set_lookup(s, 14));
	assert_true(nft_set_lookup(s, 21));
	c = nft_set_clone(s);
	nft_set_free(s);
	assert_true(nft_set_lookup(c, 6993));
	nft_set_free(c);
	s = nft_set_new("y", NFT_T_ADDR, NFT_SET_F_INTERVAL, 1);
	s->size = 2;
	assert_int_equal(nft_set_add(s, 10, 20), 0);
	assert_int_equal(nft_set_add(s, 20, 30), 0);
	assert_int_equal(nft_set_add(s, 40, 50), -ENFILE);
	assert_int_equal(nft_set_commit(s, &clash), -EEXIST);
	assert_int_equal(clash.lo, 20);
	assert_int_equal(nft_set_del(s, 20, 30), 0);
	assert_int_equal(nft_set_commit(s, &clash), 0);
	assert_true(nft_set_lookup(s, 15));
	assert_false(nft_set_lookup(s, 25));
	nft_set_free(s);

	/* a big interval set (with its /16 index) against a linear scan,
	 * ranges spanning several /16s included */
	struct nft_range r[600];
	uint32_t x = 12345, nr = 0, next = 0;

	s = nft_set_new("z", NFT_T_ADDR, NFT_SET_F_INTERVAL, 1);
	for (int i = 0; i < 600; i++) {
		x = x * 1103515245u + 12345u;
		uint32_t lo = next + (x >> 8) % 5000000u, hi = lo + (x % 7 == 0 ? 300000u : x % 300u);

		if (hi < lo || hi > 0xfff00000u)
			break;
		r[nr++] = (struct nft_range){ lo, hi };
		next = hi + 2;
		assert_int_equal(nft_set_add(s, lo, hi), 0);
	}
	assert_true(nr >= NFT_SET_BUCKET_MIN);
	assert_int_equal(nft_set_commit(s, NULL), 0);
	assert_non_null(s->bucket);
	c = nft_set_clone(s);
	for (uint32_t i = 0; i < 60000; i++) {
		uint32_t v = i * 71582u, want = 0;

		for (uint32_t j = 0; j < nr && !want; j++)
			want = v >= r[j].lo && v <= r[j].hi;
		assert_int_equal(nft_set_lookup(s, v), want);
		if (i % 16 == 0)
			assert_int_equal(nft_set_lookup(c, r[i % nr].hi), 1);
	}
	nft_set_free(c);
	nft_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_names_line_and_keeps_ruleset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_icmp_flags_state_len_if, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdicts_and_jumps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jump_depth_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_and_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sets_100k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parser_mutations, setup, teardown),
		cmocka_unit_test(test_set_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
