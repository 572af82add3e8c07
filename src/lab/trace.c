/* trace.c - `traceroute ADDR [-m MAXHOPS]` as a lab job: the one node
 * command the command engine does not have (ping, serve, curl, ss and ip
 * are the engine's). Classic UDP traceroute (Van Jacobson's, RFC 1393's
 * ancestor) on the socket API: one datagram per TTL to port 33434+TTL with
 * IP_TTL, the answer read from the IP_RECVERR error queue: ICMP time
 * exceeded (RFC 792) names the router at that hop, port unreachable means
 * the destination answered. */
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
