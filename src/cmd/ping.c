/* ping.c - `ping`: an ICMP echo client (RFC 792) inside the stack, shaped
 * like iputils ping. It runs as an asynchronous job (include/nstack/cmd.h):
 * ns_exec sends the first request and returns -EINPROGRESS; a stack timer
 * sends the next ones every interval; replies and errors arrive through an
 * ICMP echo slot (icmp_echo_register) matched by id, then by sequence; the
 * statistics are printed when the last request is answered or the wait
 * after it (-W) runs out. Linux counterpart: iputils ping/ping.c and
 * ping_common.c (the output), net/ipv4/ping.c (the socket). */
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
#include "wire/icmp.h"

#define PING_MAX_SIZE 65507		/* 65535 - 20 (IP) - 8 (ICMP) */
#define PING_DUP_BITS 1024		/* duplicate detection window */

struct ping_job {
	struct ns_cmd_job job;		/* first: the generic job */
	struct icmp_echo_sock sk;
	struct timer_list timer;
	uint32_t daddr;
	char dst[16];
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

static void ping_send(struct ping_job *pj)
{
	struct ns_stack *stack = pj->job.stack;
	struct flowi4 fl4 = { .daddr = pj->daddr, .proto = IPPROTO_ICMP, .ttl = pj->ttl,
			      .flags = pj->df ? FLOWI_FLAG_DF : 0 };
	struct icmp_repr r = { .type = ICMP_ECHO, .data_len = pj->size };
	struct sk_buff *skb = alloc_skb_tx(stack, 8 + pj->size);
	uint16_t seq = (uint16_t)++pj->sent;
	uint8_t *p;
	int rc;

	pj->seen[seq % PING_DUP_BITS / 8] &= (uint8_t) ~(1u << (seq % 8));
	if (!skb) {
		ns_out_puts(&pj->job.out, "ping: sendmsg: No buffer space available\n");
		pj->errors++;
		return;
	}
	p = skb_put(skb, 8 + pj->size);
	/* iputils' payload: the send time, then bytes counting up */
	for (unsigned int i = 0; i < pj->size; i++)
		p[8 + i] = (uint8_t)i;
	if (pj->size >= 8)
		put_stamp(p + 8, ns_now(stack));
	r.un.echo.id = pj->sk.id;
	r.un.echo.seq = seq;
	r.data = p + 8;
	icmp_emit(&r, p, 8 + pj->size);
	rc = ip_send_skb4(stack, skb, &fl4);
	if (rc == -EMSGSIZE) {
		struct flowi4 f = { .daddr = pj->daddr, .proto = IPPROTO_ICMP };
		struct ip_route_result res;

		ip_route_output(stack, &f, &res);
		ns_out_printf(&pj->job.out, "ping: local error: message too long, mtu=%u\n", res.mtu);
		pj->errors++;
	} else if (rc) {
		ns_out_printf(&pj->job.out, "ping: sendmsg: %s\n", strerror(-rc));
		pj->errors++;
	}
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

static void ping_reply(struct ping_job *pj, const struct icmp_echo_event *ev)
{
	uint16_t seq = ev->seq;
	bool dup = pj->seen[seq % PING_DUP_BITS / 8] & (1u << (seq % 8));
	char from[16], rtt[32] = "";
	uint64_t us = 0;

	if (seq == 0 || seq > (uint16_t)pj->sent)
		return;		/* not one we sent (yet) */
	if (ev->len >= 8 && pj->size >= 8) {
		uint64_t now = ns_now(pj->job.stack), sent = get_stamp(ev->data);

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
	cmd_fmt_ip4(from, sizeof(from), ev->from);
	ns_out_printf(&pj->job.out, "%zu bytes from %s: icmp_seq=%u ttl=%u", 8 + ev->len, from, seq,
		      ev->ttl);
	if (rtt[0])
		ns_out_printf(&pj->job.out, " time=%s ms", rtt);
	ns_out_puts(&pj->job.out, dup ? " (DUP!)\n" : "\n");
}

static void ping_rcv(struct icmp_echo_sock *sk, const struct icmp_echo_event *ev)
{
	struct ping_job *pj = container_of(sk, struct ping_job, sk);

	if (pj->job.done)
		return;
	if (ev->type == ICMP_ECHOREPLY)
		ping_reply(pj, ev);
	else
		ping_error(pj, ev);
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
	} else if (!strcmp(o, "-M")) {
		if (strcmp(v, "do") && strcmp(v, "dont") && strcmp(v, "want"))
			return cmd_err(c, -EINVAL, "invalid -M argument: %s", v);
		pj->df = !strcmp(v, "do");
	} else {
		return cmd_err(c, -EINVAL, "invalid option -- '%s'", o + 1);
	}
	return 0;
}

static int ping_parse(struct cmd_ctx *c, struct ping_job *pj, int argc, char **argv)
{
	const char *dst = NULL;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			pj->quiet = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = ping_opt(c, pj, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
			if (rc)
				return rc;
			i++;
		} else if (dst) {
			return cmd_err(c, -EINVAL, "usage: ping [-c N] [-s SIZE] [-i SEC] [-W SEC] [-t TTL] [-M do|dont] [-q] ADDR");
		} else {
			dst = argv[i];
		}
	}
	if (!dst)
		return cmd_err(c, -EINVAL, "usage error: Destination address required");
	if (cmd_parse_ip4(dst, &pj->daddr))
		return cmd_err(c, -EINVAL, "%s: Name or service not known", dst);
	cmd_fmt_ip4(pj->dst, sizeof(pj->dst), pj->daddr);
	return 0;
}

int cmd_ping(struct cmd_ctx *c, int argc, char **argv)
{
	struct ping_job *pj = calloc(1, sizeof(*pj));
	struct flowi4 fl4 = { .proto = IPPROTO_ICMP, .flags = FLOWI_FLAG_BROADCAST };
	struct ip_route_result res;
	int rc;

	if (!pj)
		return cmd_err(c, -ENOMEM, "out of memory");
	pj->size = 56;
	pj->interval = 1000000000ULL;
	pj->linger = 10000000000ULL;
	pj->ttl = 0;
	rc = ping_parse(c, pj, argc, argv);
	if (!rc) {
		fl4.daddr = pj->daddr;
		rc = ip_route_output(c->stack, &fl4, &res);
		if (rc)
			rc = cmd_err(c, rc, "connect: %s", strerror(-rc));
	}
	if (!rc && icmp_echo_register(c->stack, &pj->sk))
		rc = cmd_err(c, -EBUSY, "%d pings already running", ICMP_ECHO_SOCKS);
	if (rc) {
		free(pj);
		return rc;
	}
	pj->job.stack = c->stack;
	pj->job.destroy = ping_destroy;
	pj->sk.rcv = ping_rcv;
	timer_setup(&pj->timer, c->stack, ping_timer);
	pj->start = ns_now(c->stack);
	ns_out_printf(c->out, "PING %s (%s) %u(%u) bytes of data.\n", pj->dst, pj->dst, pj->size,
		      pj->size + 28);
	c->out->job = &pj->job;
	ping_timer(&pj->timer);	/* the first request now */
	return -EINPROGRESS;
}
