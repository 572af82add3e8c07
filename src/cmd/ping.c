/* ping.c - `ping`: an ICMP echo client (RFC 792) inside the stack, shaped
 * like iputils ping. It runs as an asynchronous job (include/nstack/cmd.h):
 * ns_exec sends the first request and returns -EINPROGRESS; a stack timer
 * sends the next ones every interval; replies and errors arrive through an
 * ICMP echo slot (icmp_echo_register) matched by id, then by sequence; the
 * statistics are printed when the last request is answered or the wait
 * after it (-W) runs out. Linux counterpart: iputils ping/ping.c and
 * ping_common.c (the output), net/ipv4/ping.c (the socket). An IPv6
 * destination (or -6) pings with ICMPv6 echo (RFC 4443 4.1) through
 * icmp6_echo_register, with ping6_common.c's output; a link-local one
 * needs -I DEV or ADDR%DEV. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/skbuff.h"
#include "core/stack.h"
#include "core/timer.h"
#include "ipv4/ip.h"
#include "ipv6/ipv6.h"
#include "wire/icmp.h"
#include "wire/icmpv6.h"

#define PING_MAX_SIZE 65507		/* 65535 - 20 (IP) - 8 (ICMP) */
#define PING_DUP_BITS 1024		/* duplicate detection window */

struct ping_job {
	struct ns_cmd_job job;		/* first: the generic job */
	struct icmp_echo_sock sk;
	struct icmp6_echo_sock sk6;
	struct timer_list timer;
	uint32_t daddr;
	uint8_t daddr6[16];
	int oif;			/* -I DEV or ADDR%DEV */
	bool v6;
	char dst[64];
	unsigned long count;		/* 0: until cancelled */
	unsigned int size;
	uint64_t interval, linger;	/* ns */
	uint8_t ttl;
	bool df, quiet;
	unsigned long sent, received, errors, dups;
	uint64_t start;
	uint64_t tmin, tmax, tsum;	/* us */
	double tsum2;
	uint8_t seen[PING_DUP_BITS / 8];
};

static void put_stamp(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_stamp(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void ping_destroy(struct ns_cmd_job *job)
{
	struct ping_job *pj = (struct ping_job *)job;

	del_timer(&pj->timer);
	if (pj->v6)
		icmp6_echo_unregister(job->stack, &pj->sk6);
	else
		icmp_echo_unregister(job->stack, &pj->sk);
	ns_out_free(&job->out);
	free(pj);
}

/* iputils' print_timing: 3 significant decimals below 1 ms, fewer above */
static void fmt_rtt(char *buf, size_t len, uint64_t us)
{
	if (us >= 100000)
		snprintf(buf, len, "%llu", (unsigned long long)(us / 1000));
	else if (us >= 10000)
		snprintf(buf, len, "%llu.%01llu", (unsigned long long)(us / 1000),
			 (unsigned long long)(us % 1000 / 100));
	else if (us >= 1000)
		snprintf(buf, len, "%llu.%02llu", (unsigned long long)(us / 1000),
			 (unsigned long long)(us % 1000 / 10));
	else
		snprintf(buf, len, "%llu.%03llu", (unsigned long long)(us / 1000),
			 (unsigned long long)(us % 1000));
}

/* iputils' finish(): the statistics block */
static void ping_finish(struct ping_job *pj)
{
	struct ns_out *o = &pj->job.out;
	uint64_t ms = (ns_now(pj->job.stack) - pj->start + 500000) / 1000000;

	del_timer(&pj->timer);
	ns_out_printf(o, "\n--- %s ping statistics ---\n", pj->dst);
	ns_out_printf(o, "%lu packets transmitted, %lu received", pj->sent, pj->received);
	if (pj->dups)
		ns_out_printf(o, ", +%lu duplicates", pj->dups);
	if (pj->errors)
		ns_out_printf(o, ", +%lu errors", pj->errors);
	if (pj->sent)
		ns_out_printf(o, ", %g%% packet loss, time %llums",
			      (double)(float)((double)(pj->sent - pj->received) * 100.0 /
					      (double)pj->sent),
			      (unsigned long long)ms);
	ns_out_puts(o, "\n");
	if (pj->received && pj->size >= 8) {
		uint64_t avg = pj->tsum / pj->received;
		double var = pj->tsum2 / (double)pj->received - (double)avg * (double)avg;
		uint64_t mdev = var > 0 ? (uint64_t)sqrt(var) : 0;

		ns_out_printf(o, "rtt min/avg/max/mdev = %llu.%03llu/%llu.%03llu/%llu.%03llu/%llu.%03llu ms\n",
			      (unsigned long long)(pj->tmin / 1000), (unsigned long long)(pj->tmin % 1000),
			      (unsigned long long)(avg / 1000), (unsigned long long)(avg % 1000),
			      (unsigned long long)(pj->tmax / 1000), (unsigned long long)(pj->tmax % 1000),
			      (unsigned long long)(mdev / 1000), (unsigned long long)(mdev % 1000));
	}
	pj->job.rc = 0;
	if (!pj->received) {
		snprintf(pj->job.out.err, sizeof(pj->job.out.err), "ping: no reply from %s", pj->dst);
		pj->job.rc = -ETIMEDOUT;
	}
	pj->job.done = true;
}

static bool ping_all_answered(const struct ping_job *pj)
{
	return pj->count && pj->sent >= pj->count && pj->received + pj->errors >= pj->count;
}

/* iputils' payload: the send time, then bytes counting up */
static void ping_fill(struct ping_job *pj, uint8_t *data)
{
	for (unsigned int i = 0; i < pj->size; i++)
		data[i] = (uint8_t)i;
	if (pj->size >= 8)
		put_stamp(data, ns_now(pj->job.stack));
}

static void ping_send_err(struct ping_job *pj, int rc, unsigned int mtu)
{
	if (rc == -EMSGSIZE)
		ns_out_printf(&pj->job.out, "ping: local error: message too long, mtu=%u\n", mtu);
	else
		ns_out_printf(&pj->job.out, "ping: sendmsg: %s\n", strerror(-rc));
	pj->errors++;
}

/* RFC 4443 4.1: an ICMPv6 echo request */
static void ping_send6(struct ping_job *pj, uint16_t seq)
{
	struct ns_stack *stack = pj->job.stack;
	struct flowi6 fl6 = { .oif = pj->oif, .hop_limit = pj->ttl,
			      .flags = pj->df ? FLOWI6_F_DONTFRAG : 0 };
	struct sk_buff *skb = alloc_skb_tx(stack, ICMPV6_HLEN + pj->size);
	struct ip6_route_result res;
	uint8_t *p;
	int rc;

	if (!skb) {
		ns_out_puts(&pj->job.out, "ping: sendmsg: No buffer space available\n");
		pj->errors++;
		return;
	}
	memcpy(fl6.daddr, pj->daddr6, 16);
	p = skb_put(skb, ICMPV6_HLEN + pj->size);
	memset(p, 0, ICMPV6_HLEN);
	p[0] = ICMPV6_ECHO_REQUEST;
	put_be16(p + 4, pj->sk6.id);
	put_be16(p + 6, seq);
	ping_fill(pj, p + ICMPV6_HLEN);
	rc = icmp6_echo_send(stack, skb, &fl6);
	if (rc) {
		struct flowi6 f = { .oif = pj->oif };

		memcpy(f.daddr, pj->daddr6, 16);
		res.mtu = 0;
		ip6_route_output(stack, &f, &res);
		ping_send_err(pj, rc, res.mtu);
	}
}

/* RFC 792: an ICMP echo request */
static void ping_send4(struct ping_job *pj, uint16_t seq)
{
	struct ns_stack *stack = pj->job.stack;
	struct flowi4 fl4 = { .daddr = pj->daddr, .proto = IPPROTO_ICMP, .ttl = pj->ttl,
			      .oif = pj->oif, .flags = pj->df ? FLOWI_FLAG_DF : 0 };
	struct icmp_repr r = { .type = ICMP_ECHO, .data_len = pj->size };
	struct sk_buff *skb = alloc_skb_tx(stack, 8 + pj->size);
	uint8_t *p;
	int rc;

	if (!skb) {
		ns_out_puts(&pj->job.out, "ping: sendmsg: No buffer space available\n");
		pj->errors++;
		return;
	}
	p = skb_put(skb, 8 + pj->size);
	ping_fill(pj, p + 8);
	r.un.echo.id = pj->sk.id;
	r.un.echo.seq = seq;
	r.data = p + 8;
	icmp_emit(&r, p, 8 + pj->size);
	rc = ip_send_skb4(stack, skb, &fl4);
	if (rc) {
		struct flowi4 f = { .daddr = pj->daddr, .proto = IPPROTO_ICMP, .oif = pj->oif };
		struct ip_route_result res = { 0 };

		ip_route_output(stack, &f, &res);
		ping_send_err(pj, rc, res.mtu);
	}
}

static void ping_send(struct ping_job *pj)
{
	uint16_t seq = (uint16_t)++pj->sent;

	pj->seen[seq % PING_DUP_BITS / 8] &= (uint8_t) ~(1u << (seq % 8));
	if (pj->v6)
		ping_send6(pj, seq);
	else
		ping_send4(pj, seq);
}

static void ping_timer(struct timer_list *t)
{
	struct ping_job *pj = from_timer(pj, t, timer);
	uint64_t now = ns_now(pj->job.stack);

	if (pj->count && pj->sent >= pj->count) {
		ping_finish(pj);	/* the wait after the last request ran out */
		return;
	}
	ping_send(pj);
	if (ping_all_answered(pj))
		ping_finish(pj);
	else
		mod_timer(&pj->timer, now + (pj->count && pj->sent >= pj->count ? pj->linger
										 : pj->interval));
}

static const char *unreach_text(uint8_t code)
{
	static const char *const txt[] = {
		"Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable",
		"Frag needed and DF set", "Source Route Failed",
		"Destination Net Unknown", "Destination Host Unknown",
		"Source Host Isolated", "Destination Net Prohibited",
		"Destination Host Prohibited", "Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service", "Packet filtered",
		"Precedence Violation", "Precedence Cutoff",
	};

	return code < sizeof(txt) / sizeof(txt[0]) ? txt[code] : "Dest Unreachable, Bad Code";
}

static void ping_error(struct ping_job *pj, const struct icmp_echo_event *ev)
{
	struct ns_out *o = &pj->job.out;
	char from[16];

	cmd_fmt_ip4(from, sizeof(from), ev->from);
	pj->errors++;
	ns_out_printf(o, "From %s icmp_seq=%u ", from, ev->seq);
	if (ev->type == ICMP_DEST_UNREACH && ev->code == ICMP_FRAG_NEEDED)
		ns_out_printf(o, "Frag needed and DF set (mtu = %u)\n", ev->info);
	else if (ev->type == ICMP_DEST_UNREACH)
		ns_out_printf(o, "%s\n", unreach_text(ev->code));
	else if (ev->type == ICMP_TIME_EXCEEDED)
		ns_out_puts(o, ev->code ? "Frag reassembly time exceeded\n" : "Time to live exceeded\n");
	else if (ev->type == ICMP_PARAMETERPROB)
		ns_out_printf(o, "Parameter problem: pointer = %u\n", ev->info);
	else if (ev->type == ICMP_REDIRECT)
		ns_out_puts(o, "Redirect\n");
	else
		ns_out_printf(o, "Bad ICMP type: %u\n", ev->type);
}

/* An echo reply (either family): from is already formatted */
static void ping_reply(struct ping_job *pj, uint16_t seq, const char *from, uint8_t ttl,
		       const uint8_t *data, size_t len)
{
	bool dup = pj->seen[seq % PING_DUP_BITS / 8] & (1u << (seq % 8));
	char rtt[32] = "";
	uint64_t us = 0;

	if (seq == 0 || seq > (uint16_t)pj->sent)
		return;		/* not one we sent (yet) */
	if (len >= 8 && pj->size >= 8) {
		uint64_t now = ns_now(pj->job.stack), sent = get_stamp(data);

		us = now > sent ? (now - sent) / 1000 : 0;
		fmt_rtt(rtt, sizeof(rtt), us);
	}
	pj->seen[seq % PING_DUP_BITS / 8] |= (uint8_t)(1u << (seq % 8));
	if (dup) {
		pj->dups++;
	} else {
		pj->received++;
		if (!pj->tmin || us < pj->tmin)
			pj->tmin = us;
		if (us > pj->tmax)
			pj->tmax = us;
		pj->tsum += us;
		pj->tsum2 += (double)us * (double)us;
	}
	if (pj->quiet)
		return;
	ns_out_printf(&pj->job.out, "%zu bytes from %s: icmp_seq=%u ttl=%u", 8 + len, from, seq, ttl);
	if (rtt[0])
		ns_out_printf(&pj->job.out, " time=%s ms", rtt);
	ns_out_puts(&pj->job.out, dup ? " (DUP!)\n" : "\n");
}

static void ping_rcv(struct icmp_echo_sock *sk, const struct icmp_echo_event *ev)
{
	struct ping_job *pj = container_of(sk, struct ping_job, sk);

	if (pj->job.done)
		return;
	if (ev->type == ICMP_ECHOREPLY) {
		char from[16];

		cmd_fmt_ip4(from, sizeof(from), ev->from);
		ping_reply(pj, ev->seq, from, ev->ttl, ev->data, ev->len);
	} else {
		ping_error(pj, ev);
	}
	if (ping_all_answered(pj))
		ping_finish(pj);
}

/* iputils' pr_addr: a link-local address with its %scope */
static void fmt_addr6(struct ping_job *pj, char *buf, size_t len, const uint8_t *a, int ifindex)
{
	struct net_device *dev = ifindex ? dev_get_by_index(pj->job.stack, ifindex) : NULL;
	size_t n;

	ipv6_addr_fmt(a, buf, len);
	n = strlen(buf);
	if (dev && !(dev->flags & IFF_LOOPBACK) && ipv6_addr_is_linklocal(a))
		snprintf(buf + n, len - n, "%%%s", dev->name);
}

/* iputils' print_icmp (ping6_common.c), RFC 4443 3 */
static void ping_error6(struct ping_job *pj, const struct icmp6_echo_event *ev)
{
	static const char *const unreach[] = {
		"No route", "Administratively prohibited", "Beyond scope of source address",
		"Address unreachable", "Port unreachable",
	};
	static const char *const param[] = {
		"Wrong header field ", "Unknown header ", "Unknown option ",
	};
	struct ns_out *o = &pj->job.out;
	char from[64];

	fmt_addr6(pj, from, sizeof(from), ev->from, ev->iif);
	pj->errors++;
	ns_out_printf(o, "From %s icmp_seq=%u ", from, ev->seq);
	if (ev->type == ICMPV6_DEST_UNREACH && ev->code < 5)
		ns_out_printf(o, "Destination unreachable: %s\n", unreach[ev->code]);
	else if (ev->type == ICMPV6_DEST_UNREACH)
		ns_out_printf(o, "Destination unreachable: Unknown code %u\n", ev->code);
	else if (ev->type == ICMPV6_PKT_TOOBIG)
		ns_out_printf(o, "Packet too big: mtu=%u\n", ev->info);
	else if (ev->type == ICMPV6_TIME_EXCEED && ev->code <= ICMPV6_EXC_FRAGTIME)
		ns_out_printf(o, "Time exceeded: %s\n", ev->code ? "Defragmentation failure" : "Hop limit");
	else if (ev->type == ICMPV6_TIME_EXCEED)
		ns_out_printf(o, "Time exceeded: code %u\n", ev->code);
	else if (ev->type == ICMPV6_PARAMPROB && ev->code < 3)
		ns_out_printf(o, "Parameter problem: %sat %u\n", param[ev->code], ev->info);
	else if (ev->type == ICMPV6_PARAMPROB)
		ns_out_printf(o, "Parameter problem: code %u at %u\n", ev->code, ev->info);
	else
		ns_out_printf(o, "Unknown icmp type: %u\n", ev->type);
}

static void ping_rcv6(struct icmp6_echo_sock *sk, const struct icmp6_echo_event *ev)
{
	struct ping_job *pj = container_of(sk, struct ping_job, sk6);

	if (pj->job.done)
		return;
	if (ev->type == ICMPV6_ECHO_REPLY) {
		char from[64];

		fmt_addr6(pj, from, sizeof(from), ev->from, ev->iif);
		ping_reply(pj, ev->seq, from, ev->hop_limit, ev->data, ev->len);
	} else {
		ping_error6(pj, ev);
	}
	if (ping_all_answered(pj))
		ping_finish(pj);
}

/* ---- the command ----------------------------------------------------------------------- */
static int parse_seconds(const char *s, double min, uint64_t *ns)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	v = strtod(s, &end);
	if (*end || !(v >= min) || v > 3600.0 * 24)
		return -EINVAL;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

static int ping_opt(struct cmd_ctx *c, struct ping_job *pj, const char *o, const char *v)
{
	unsigned long n;

	if (!v)
		return cmd_err(c, -EINVAL, "option requires an argument -- '%s'", o + 1);
	if (!strcmp(o, "-c")) {
		if (cmd_parse_uint(v, 0x7fffffffUL, &n) || n == 0)
			return cmd_err(c, -EINVAL, "invalid argument: '%s': out of range: 1 <= value <= 2147483647", v);
		pj->count = n;
	} else if (!strcmp(o, "-s")) {
		if (cmd_parse_uint(v, PING_MAX_SIZE, &n))
			return cmd_err(c, -EINVAL, "invalid argument: '%s': out of range: 0 <= value <= %d", v,
				       PING_MAX_SIZE);
		pj->size = (unsigned int)n;
	} else if (!strcmp(o, "-t")) {
		if (cmd_parse_uint(v, 255, &n) || n == 0)
			return cmd_err(c, -EINVAL, "invalid argument: '%s': out of range: 1 <= value <= 255", v);
		pj->ttl = (uint8_t)n;
	} else if (!strcmp(o, "-i")) {
		if (parse_seconds(v, 0.001, &pj->interval))
			return cmd_err(c, -EINVAL, "bad timing interval: %s", v);
	} else if (!strcmp(o, "-W")) {
		if (parse_seconds(v, 0.001, &pj->linger))
			return cmd_err(c, -EINVAL, "bad linger time: %s", v);
	} else if (!strcmp(o, "-I")) {
		struct net_device *dev = dev_get_by_name(c->stack, v);

		if (!dev)
			return cmd_err(c, -ENODEV, "%s: Name or service not known", v);
		pj->oif = dev->ifindex;
	} else if (!strcmp(o, "-M")) {
		if (strcmp(v, "do") && strcmp(v, "dont") && strcmp(v, "want"))
			return cmd_err(c, -EINVAL, "invalid -M argument: %s", v);
		pj->df = !strcmp(v, "do");
	} else {
		return cmd_err(c, -EINVAL, "invalid option -- '%s'", o + 1);
	}
	return 0;
}

/* ADDR or ADDR%DEV (RFC 4007 11: the zone of a link-local address) */
static int ping_parse_dst6(struct cmd_ctx *c, struct ping_job *pj, const char *dst)
{
	char addr[64];
	const char *pct = strchr(dst, '%');
	size_t n = pct ? (size_t)(pct - dst) : strlen(dst);

	if (n >= sizeof(addr) || strlen(dst) >= sizeof(pj->dst))
		return cmd_err(c, -EINVAL, "%s: Name or service not known", dst);
	memcpy(addr, dst, n);
	addr[n] = 0;
	if (ipv6_addr_parse(addr, pj->daddr6))
		return cmd_err(c, -EINVAL, "%s: Name or service not known", dst);
	if (pct) {
		struct net_device *dev = dev_get_by_name(c->stack, pct + 1);

		if (!dev)
			return cmd_err(c, -EINVAL, "%s: Name or service not known", dst);
		pj->oif = dev->ifindex;
	}
	pj->v6 = true;
	snprintf(pj->dst, sizeof(pj->dst), "%s", dst);
	return 0;
}

static int ping_parse(struct cmd_ctx *c, struct ping_job *pj, int argc, char **argv)
{
	const char *dst = NULL;
	int family = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			pj->quiet = true;
		} else if (!strcmp(argv[i], "-4") || !strcmp(argv[i], "-6")) {
			family = argv[i][1] - '0';
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = ping_opt(c, pj, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
			if (rc)
				return rc;
			i++;
		} else if (dst) {
			return cmd_err(c, -EINVAL, "usage: ping [-4|-6] [-c N] [-s SIZE] [-i SEC] [-W SEC] [-t TTL] [-M do|dont] [-I DEV] [-q] ADDR");
		} else {
			dst = argv[i];
		}
	}
	if (!dst)
		return cmd_err(c, -EINVAL, "usage error: Destination address required");
	if (family != 6 && !cmd_parse_ip4(dst, &pj->daddr)) {
		cmd_fmt_ip4(pj->dst, sizeof(pj->dst), pj->daddr);
		return 0;
	}
	if (family != 4 && strchr(dst, ':'))
		return ping_parse_dst6(c, pj, dst);
	return cmd_err(c, -EINVAL, "%s: %s", dst, family ? "Address family for hostname not supported"
						   : "Name or service not known");
}

/* ping6_run's banner: the source and device when -I named one */
static void ping_banner6(struct cmd_ctx *c, struct ping_job *pj, const uint8_t *saddr)
{
	struct net_device *dev = pj->oif ? dev_get_by_index(c->stack, pj->oif) : NULL;
	char src[64];

	ns_out_printf(c->out, "PING %s (%s) ", pj->dst, pj->dst);
	if (dev && !strchr(pj->dst, '%'))
		ns_out_printf(c->out, "from %s %s: ", ipv6_addr_fmt(saddr, src, sizeof(src)),
			      dev->name);
	ns_out_printf(c->out, "%u data bytes\n", pj->size);
}

int cmd_ping(struct cmd_ctx *c, int argc, char **argv)
{
	struct ping_job *pj = calloc(1, sizeof(*pj));
	struct flowi4 fl4 = { .proto = IPPROTO_ICMP, .flags = FLOWI_FLAG_BROADCAST };
	struct flowi6 fl6 = { .proto = IPPROTO_ICMPV6 };
	struct ip_route_result res;
	struct ip6_route_result res6;
	int rc;

	if (!pj)
		return cmd_err(c, -ENOMEM, "out of memory");
	pj->size = 56;
	pj->interval = 1000000000ULL;
	pj->linger = 10000000000ULL;
	pj->ttl = 0;
	rc = ping_parse(c, pj, argc, argv);
	if (!rc) {
		memcpy(fl6.daddr, pj->daddr6, 16);
		fl6.oif = fl4.oif = pj->oif;
		fl4.daddr = pj->daddr;
		rc = pj->v6 ? ip6_route_output(c->stack, &fl6, &res6)
			    : ip_route_output(c->stack, &fl4, &res);
		if (rc)
			rc = cmd_err(c, rc, "connect: %s", strerror(-rc));
	}
	if (!rc && (pj->v6 ? icmp6_echo_register(c->stack, &pj->sk6)
			   : icmp_echo_register(c->stack, &pj->sk)))
		rc = cmd_err(c, -EBUSY, "%d pings already running", ICMP_ECHO_SOCKS);
	if (rc) {
		free(pj);
		return rc;
	}
	pj->job.stack = c->stack;
	pj->job.destroy = ping_destroy;
	pj->sk.rcv = ping_rcv;
	pj->sk6.rcv = ping_rcv6;
	timer_setup(&pj->timer, c->stack, ping_timer);
	pj->start = ns_now(c->stack);
	if (pj->v6)
		ping_banner6(c, pj, fl6.saddr);
	else
		ns_out_printf(c->out, "PING %s (%s) %u(%u) bytes of data.\n", pj->dst, pj->dst,
			      pj->size, pj->size + 28);
	c->out->job = &pj->job;
	ping_timer(&pj->timer);	/* the first request now */
	return -EINPROGRESS;
}
