/* trace.c - two path probes as lab jobs.
 *
 * `traceroute ADDR [-m MAXHOPS]`: classic UDP traceroute (Van Jacobson's,
 * RFC 1393's ancestor) on the socket API: one datagram per TTL to port
 * 33434+TTL with IP_TTL, the answer read from the IP_RECVERR error queue:
 * ICMP time exceeded (RFC 792) names the router at that hop, port
 * unreachable means the destination answered.
 *
 * `ping [-c N] [-i SECS] ADDR`: the lab's ICMP echo client (RFC 792 echo /
 * echo reply) for as long as the command engine has no ping: requests go
 * out through ip_send_skb4, replies are seen by an extra ETH_P_IP packet
 * handler (the device layer gives each handler its own clone). */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "core/skbuff.h"
#include "ipv4/ip.h"
#include "lab/lab.h"
#include "nstack/socket.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#define TRACE_PORT 33434	/* traceroute's base port */
#define PROBE_WAIT_NS 1000000000ULL
#define MS 1000000ULL

static void fmt4(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void fmt_ms(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
}

/* ---- traceroute ---- */
struct trace_job {
	struct lab_job job;
	int fd;
	uint32_t daddr;
	int ttl, max_ttl;
	uint64_t sent_at;
};

static int trace_send(struct trace_job *tj)
{
	struct ns_stack *s = tj->job.node->stack;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)(TRACE_PORT + tj->ttl)),
				   .sin_addr.s_addr = htonl(tj->daddr) };
	char probe[32] = "nstack lab traceroute";

	ns_setsockopt(s, tj->fd, IPPROTO_IP, IP_TTL, &tj->ttl, sizeof(tj->ttl));
	tj->sent_at = ns_lab_now(tj->job.lab);
	if (ns_sendto(s, tj->fd, probe, sizeof(probe), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		lab_printf(tj->job.lab, "%2d  send: %s\n", tj->ttl, strerror(errno));
		return -errno;
	}
	return -EINPROGRESS;
}

/* One answer from the error queue: 1 reached, 0 a router, -EAGAIN none. */
static int trace_answer(struct trace_job *tj)
{
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in offender;
	} e;
	char cbuf[CMSG_SPACE(sizeof(e))], data[64], a[16], t[32];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	if (ns_recvmsg(tj->job.node->stack, tj->fd, &msg, MSG_ERRQUEUE) < 0)
		return -EAGAIN;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_RECVERR)
		return -EAGAIN;
	memcpy(&e, CMSG_DATA(cm), sizeof(e));
	fmt4(a, sizeof(a), ntohl(e.offender.sin_addr.s_addr));
	fmt_ms(t, sizeof(t), ns_lab_now(tj->job.lab) - tj->sent_at);
	if (e.ee.ee_type == ICMP_TIME_EXCEEDED) {
		lab_printf(tj->job.lab, "%2d  %-15s  %s  (ICMP time exceeded)\n", tj->ttl, a, t);
		return 0;
	}
	lab_printf(tj->job.lab, "%2d  %-15s  %s  (ICMP %s)\n", tj->ttl, a, t,
		   e.ee.ee_code == ICMP_PORT_UNREACH ? "port unreachable: arrived"
						     : "destination unreachable");
	return 1;
}

static int trace_poll(struct lab_job *job)
{
	struct trace_job *tj = (struct trace_job *)job;
	int rc = trace_answer(tj);

	if (rc == 1)
		return 0;
	if (rc == -EAGAIN) {
		if (ns_lab_now(job->lab) < tj->sent_at + PROBE_WAIT_NS)
			return -EINPROGRESS;
		lab_printf(job->lab, "%2d  *\n", tj->ttl);
	}
	if (++tj->ttl > tj->max_ttl)
		return -ENETUNREACH;
	return trace_send(tj);
}

static uint64_t trace_deadline(struct lab_job *job)
{
	return ((struct trace_job *)job)->sent_at + PROBE_WAIT_NS;
}

static void trace_destroy(struct lab_job *job)
{
	ns_close(job->node->stack, ((struct trace_job *)job)->fd);
	free(job);
}

static const struct lab_job_ops trace_ops = {
	.poll = trace_poll, .deadline = trace_deadline, .destroy = trace_destroy
};

int lab_cmd_traceroute(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		       struct lab_job **job)
{
	struct trace_job *tj;
	unsigned long max = 30;
	uint32_t daddr;
	int one = 1, rc;
	char a[16];

	if (strcmp(argv[0], "traceroute"))
		return -ENOENT;
	if (argc == 4 && !strcmp(argv[2], "-m") && !cmd_parse_uint(argv[3], 255, &max) && max)
		argc = 2;
	if (argc != 2 || lab_parse_ip4(argv[1], &daddr))
		return lab_err(lab, -EINVAL, "%s: traceroute: usage: traceroute A.B.C.D [-m MAXHOPS]",
			       n->name);
	tj = calloc(1, sizeof(*tj));
	if (!tj)
		return lab_err(lab, -ENOMEM, "%s: traceroute: out of memory", n->name);
	tj->fd = ns_socket(n->stack, AF_INET, SOCK_DGRAM, 0);
	if (tj->fd < 0) {
		free(tj);
		return lab_err(lab, -errno, "%s: traceroute: %s", n->name, strerror(errno));
	}
	ns_setsockopt(n->stack, tj->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	tj->daddr = daddr;
	tj->ttl = 1;
	tj->max_ttl = (int)max;
	tj->job.ops = &trace_ops;
	tj->job.node = n;
	tj->job.lab = lab;
	snprintf(tj->job.what, sizeof(tj->job.what), "%s: traceroute", n->name);
	fmt4(a, sizeof(a), daddr);
	lab_printf(lab, "traceroute to %s, %lu hops max, UDP port %d+TTL\n", a, max, TRACE_PORT);
	rc = trace_send(tj);
	if (rc != -EINPROGRESS) {
		trace_destroy(&tj->job);
		return lab_err(lab, rc, "%s: traceroute: %s", n->name, strerror(-rc));
	}
	*job = &tj->job;
	return lab_job_add(lab, &tj->job);
}

/* ---- ping ---- */
struct ping_job {
	struct lab_job job;
	struct packet_type pt;
	uint32_t daddr;
	uint16_t id;
	unsigned long count, sent, received;
	uint64_t interval, next_send, first, rtt_min, rtt_max, rtt_sum;
	uint64_t sent_at[64];
};

static int ping_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig)
{
	struct ping_job *pj = container_of(pt, struct ping_job, pt);
	struct ipv4_repr ip;
	struct icmp_repr ic;
	char a[16], t[32];

	(void)dev;
	(void)orig;
	if (ipv4_parse(skb->data, skb->len, 0, &ip) || ip.protocol != IPPROTO_ICMP ||
	    ip.saddr != pj->daddr ||
	    icmp_parse(skb->data + ipv4_hdr_len(&ip), ip.tot_len - ipv4_hdr_len(&ip), 0, &ic) ||
	    ic.type != ICMP_ECHOREPLY || ic.un.echo.id != pj->id || ic.un.echo.seq == 0 ||
	    ic.un.echo.seq > pj->sent) {
		consume_skb(skb);
		return NET_RX_SUCCESS;
	}
	uint64_t rtt = ns_lab_now(pj->job.lab) - pj->sent_at[(ic.un.echo.seq - 1) % 64];

	pj->received++;
	pj->rtt_sum += rtt;
	if (!pj->rtt_min || rtt < pj->rtt_min)
		pj->rtt_min = rtt;
	if (rtt > pj->rtt_max)
		pj->rtt_max = rtt;
	fmt4(a, sizeof(a), ip.saddr);
	fmt_ms(t, sizeof(t), rtt);
	lab_printf(pj->job.lab, "%u bytes from %s: icmp_seq=%u ttl=%u time=%s\n",
		   (unsigned int)(ip.tot_len - ipv4_hdr_len(&ip)), a, ic.un.echo.seq, ip.ttl, t);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static int ping_send(struct ping_job *pj)
{
	struct ns_stack *s = pj->job.node->stack;
	uint8_t data[56];
	struct icmp_repr r = { .type = ICMP_ECHO, .data = data, .data_len = sizeof(data) };
	struct flowi4 fl4 = { .daddr = pj->daddr, .proto = IPPROTO_ICMP };
	struct sk_buff *skb = alloc_skb_tx(s, 8 + sizeof(data));

	if (!skb)
		return -ENOBUFS;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	r.un.echo.id = pj->id;
	r.un.echo.seq = (uint16_t)++pj->sent;
	icmp_emit(&r, skb_put(skb, 8 + sizeof(data)), 8 + sizeof(data));
	pj->sent_at[(pj->sent - 1) % 64] = ns_lab_now(pj->job.lab);
	pj->next_send = ns_lab_now(pj->job.lab) + pj->interval;
	return ip_send_skb4(s, skb, &fl4);
}

static int ping_poll(struct lab_job *job)
{
	struct ping_job *pj = (struct ping_job *)job;
	uint64_t now = ns_lab_now(job->lab);
	char a[16];

	if (pj->sent < pj->count && now >= pj->next_send) {
		ping_send(pj);
		return -EINPROGRESS;
	}
	if (pj->received < pj->sent && (pj->sent < pj->count || now < pj->next_send + PROBE_WAIT_NS))
		return -EINPROGRESS;
	if (pj->sent < pj->count)
		return -EINPROGRESS;
	fmt4(a, sizeof(a), pj->daddr);
	lab_printf(job->lab, "--- %s ping statistics ---\n", a);
	lab_printf(job->lab, "%lu packets transmitted, %lu received, %lu%% packet loss, time %llums\n",
		   pj->sent, pj->received, (pj->sent - pj->received) * 100 / pj->sent,
		   (unsigned long long)((now - pj->first) / MS));
	if (pj->received)
		lab_printf(job->lab, "rtt min/avg/max = %.3f/%.3f/%.3f ms\n", (double)pj->rtt_min / 1e6,
			   (double)pj->rtt_sum / (double)pj->received / 1e6, (double)pj->rtt_max / 1e6);
	return pj->received ? 0 : -EHOSTUNREACH;
}

static uint64_t ping_deadline(struct lab_job *job)
{
	struct ping_job *pj = (struct ping_job *)job;

	return pj->sent < pj->count ? pj->next_send : pj->next_send + PROBE_WAIT_NS;
}

static void ping_destroy(struct lab_job *job)
{
	struct ping_job *pj = (struct ping_job *)job;

	dev_remove_pack(job->node->stack, &pj->pt);
	free(pj);
}

static const struct lab_job_ops ping_ops = {
	.poll = ping_poll, .deadline = ping_deadline, .destroy = ping_destroy
};

/* ping [-c COUNT] [-i SECS] A.B.C.D */
int lab_cmd_ping(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		 struct lab_job **job)
{
	unsigned long count = 3;
	uint64_t interval = 1000 * MS;
	uint32_t daddr = 0;
	bool have = false;
	struct ping_job *pj;
	char a[16];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc && !cmd_parse_uint(argv[i + 1], 1000, &count) &&
		    count)
			i++;
		else if (!strcmp(argv[i], "-i") && i + 1 < argc &&
			 !lab_parse_duration(argv[i + 1], &interval) && interval)
			i++;
		else if (!have && !lab_parse_ip4(argv[i], &daddr))
			have = true;
		else
			return lab_err(lab, -EINVAL, "%s: ping: bad address or option \"%s\"", n->name,
				       argv[i]);
	}
	if (!have)
		return lab_err(lab, -EINVAL, "%s: ping: usage: ping [-c N] [-i SECS] A.B.C.D", n->name);
	pj = calloc(1, sizeof(*pj));
	if (!pj)
		return lab_err(lab, -ENOMEM, "%s: ping: out of memory", n->name);
	pj->daddr = daddr;
	pj->count = count;
	pj->interval = interval;
	pj->id = (uint16_t)(0x4c00 + (n - lab->nodes));
	pj->pt.type = ETH_P_IP;
	pj->pt.func = ping_rcv;
	pj->job.ops = &ping_ops;
	pj->job.node = n;
	pj->job.lab = lab;
	pj->first = ns_lab_now(lab);
	snprintf(pj->job.what, sizeof(pj->job.what), "%s: ping", n->name);
	dev_add_pack(n->stack, &pj->pt);
	fmt4(a, sizeof(a), daddr);
	lab_printf(lab, "PING %s 56(84) bytes of data.\n", a);
	ping_send(pj);
	*job = &pj->job;
	return lab_job_add(lab, &pj->job);
}
