/* bench_tcp.c - TCP and UDP figures, side by side in one run:
 *   nstack: two stacks joined by an in-memory pipe, driven by one thread
 *           on the real clock (MTU 1500; transmit checksum offload on, as
 *           Linux's veth has it: TCP checksums are never computed on a
 *           wire that cannot damage a frame);
 *   linux:  kernel sockets over a veth pair between two network namespaces
 *           this program creates (root only; this same binary runs as the
 *           server and the client inside them via `ip netns exec`);
 *   lwip:   Debian's liblwip (bench_tcp_lwip, run as a child and parsed),
 *           two netifs joined in memory in one thread, raw TCP API.
 * Workloads: a 256 MiB single-stream transfer; 1-byte request/response
 * round trips; connections opened and closed; memory per idle established
 * connection; UDP echo round trips and one-way datagrams; then
 *   tcp_throughput_loss1/5: the same transfer (32 MiB) through 1 % and 5 %
 *     random loss in both directions: nstack netem on both pipe ends
 *     (seeded); lwIP a seeded drop on its in-memory link (time-bounded,
 *     "stalled" when it does not finish); Linux an nft `numgen random`
 *     drop of TCP at prerouting in both namespaces (not seeded: the host
 *     kernel has no netem), veth TSO/GSO off so one drop is one segment;
 *     the pipe's GRO is off too, as a veth receiver has none: every segment
 *     is acknowledged on its own on both sides (with GRO a batch gets one
 *     ACK, and 5 % ACK loss then costs RTOs, as it would on Linux);
 *   tcp_throughput_64k: 256 MiB over a pipe of MTU 65503 (the Ethernet
 *     device's maximum), i.e. ~64 KiB segments as TSO/GSO hands a veth,
 *     beside Linux's default veth (the tcp_throughput_pipe figure).
 * A line "  nstack WORKLOAD: sender mss ..." (and "  linux-veth ...") tells
 * what TCP did: segment size, window scale, retransmits, timeouts.
 * --nstack-only [WORKLOAD] runs nstack alone (for perf/callgrind).
 * Output: one line per workload, e.g.
 *   tcp_throughput_pipe: nstack 9.1 Gbit/s | linux-veth 20.3 Gbit/s | lwip 2.1 Gbit/s | ...
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/netdevice.h"
#include "ipv4/devinet.h"
#include "ipv4/tcp.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "nstack/socket.h"
#include "sched/sch_generic.h"

#define BULK_BYTES (256ull << 20)
#define LOSS_BYTES (32ull << 20)
#define MTU_64K (65535 - 32)	/* the largest MTU ether_setup allows */
#define RR_SECONDS 0.5
#define CRR_MAX 10000
#define UDP_ONEWAY 1000000
#define IDLE_CONNS 1000
#define P_BULK 5001
#define P_RR 5002
#define P_CRR 5003
#define P_UDP_ECHO 5004
#define P_UDP_SINK 5005

/* the children (linux client, bench_tcp_lwip) print the first W_CHILD
 * values in this order */
enum { W_TPUT, W_RR, W_CRR, W_MEM, W_UDP_RR, W_UDP_1W, W_CHILD, W_TPUT_L1 = W_CHILD, W_TPUT_L5,
       W_T64, W_MAX };
static const char *const wname[W_MAX] = { "tcp_throughput_pipe", "tcp_rr_1byte", "tcp_crr",
					  "tcp_mem_per_idle_conn", "udp_echo_rr", "udp_oneway",
					  "tcp_throughput_loss1", "tcp_throughput_loss5",
					  "tcp_throughput_64k" };
static const char *const wunit[W_MAX] = { "Gbit/s", "trans/s", "conn/s", "bytes", "trans/s",
					  "dgram/s", "Gbit/s", "Gbit/s", "Gbit/s" };
/* workloads the lwIP harness does not run (its netifs stay at MTU 1500) */
static const bool w_lwip_na[W_MAX] = { [W_T64] = true };
/* a result of STALLED: the transfer did not finish within its bound */
#define STALLED (-1.0)

/* W_* of a workload name, or -1 */
static int wfind(const char *name)
{
	for (int w = 0; w < W_MAX; w++)
		if (!strcmp(wname[w], name))
			return w;
	return -1;
}

/* "extra NAME VALUE" lines of the children: one more figure */
static void parse_extra(const char *line, double *r)
{
	char name[64];
	double v;
	int w;

	if (sscanf(line, "extra %63s %lf", name, &v) == 2 && (w = wfind(name)) >= 0)
		r[w] = v;
}

/* ======================================================================== nstack */
struct pair {
	struct ns_stack *a, *b;
};

static void step2(struct pair *p)
{
	ns_stack_step(p->a);
	ns_stack_step(p->b);
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(addr) };
	return s;
}

#define A_IP 0x0a090001u
#define B_IP 0x0a090002u

static int ns_listen_on(struct ns_stack *s, int type, uint16_t port)
{
	struct sockaddr_in a = sin_of(0, port);
	int fd = ns_socket(s, AF_INET, type | SOCK_NONBLOCK, 0), one = 1;

	ns_setsockopt(s, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ns_bind(s, fd, (struct sockaddr *)&a, sizeof(a)) || (type == SOCK_STREAM && ns_listen(s, fd, 128))) {
		fprintf(stderr, "bench_tcp: listen %u: %s\n", port, strerror(errno));
		exit(1);
	}
	return fd;
}

/* connect A -> B:port, accept on lfd; *sfd the server end */
static int ns_connect_pair(struct pair *p, int lfd, uint16_t port, int *sfd)
{
	struct sockaddr_in b = sin_of(B_IP, port);
	int cfd = ns_socket(p->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	long guard = 0;

	if (ns_connect(p->a, cfd, (struct sockaddr *)&b, sizeof(b)) && errno != EINPROGRESS)
		return -1;
	while ((*sfd = ns_accept4(p->b, lfd, NULL, NULL, SOCK_NONBLOCK)) < 0 && ++guard < 1000000)
		step2(p);
	/* the client's ESTABLISHED needs the SYN-ACK processed: already done
	 * before the server could accept */
	return *sfd < 0 ? -1 : cfd;
}

/* The value of TcpExt `key` in the text of a /proc/net/netstat (a line of
 * names, then a line of values), or -1. */
static long netstat_field(const char *text, const char *key)
{
	const char *names = text ? strstr(text, "TcpExt:") : NULL;
	const char *vals = names ? strstr(names + 1, "\nTcpExt:") : NULL;
	size_t klen = strlen(key);
	int idx = 0;

	if (!vals)
		return -1;
	for (const char *n = names + 7; n < vals; idx++) {
		n += strspn(n, " ");
		if (!strncmp(n, key, klen) && (n[klen] == ' ' || n[klen] == '\n')) {
			const char *v = vals + 8;

			for (int i = 0; i < idx; i++) {
				v += strspn(v, " ");
				v += strcspn(v, " \n");
			}
			return strtol(v, NULL, 10);
		}
		n += strcspn(n, " \n");
	}
	return -1;
}

/* What TCP did on the sending end: segment size, scaling, retransmits,
 * retransmission timeouts. */
static void ns_tput_info(struct pair *p, int cfd, const char *what)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int sndbuf = 0;
	socklen_t sl = sizeof(sndbuf);
	struct ns_out out;

	if (ns_getsockopt(p->a, cfd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return;
	ns_getsockopt(p->a, cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl);
	ns_out_init(&out);
	ns_exec(p->a, "cat /proc/net/netstat", &out);
	printf("  nstack %s: sender mss %u, wscale %u/%u, cwnd %u, sndbuf %d, %u segments "
	       "retransmitted, %ld timeouts\n", what, ti.tcpi_snd_mss, ti.tcpi_snd_wscale,
	       ti.tcpi_rcv_wscale, ti.tcpi_snd_cwnd, sndbuf, ti.tcpi_total_retrans,
	       netstat_field(ns_out_text(&out), "TCPTimeouts"));
	ns_out_free(&out);
}

/* total bytes A -> B; STALLED when it did not finish within 60 s */
static double ns_tput(struct pair *p, uint64_t total, const char *what)
{
	static uint8_t buf[1 << 16];
	int lfd = ns_listen_on(p->b, SOCK_STREAM, P_BULK), sfd, cfd = ns_connect_pair(p, lfd, P_BULK, &sfd);
	uint64_t sent = 0, rcvd = 0;
	double t0 = bench_now();

	while (rcvd < total) {
		ssize_t k;

		if (bench_now() - t0 > 60) {
			printf("  nstack %s: transfer stalled at %llu bytes\n", what,
			       (unsigned long long)rcvd);
			return STALLED;
		}
		while (sent < total &&
		       (k = ns_send(p->a, cfd, buf, NS_MIN(sizeof(buf), (size_t)(total - sent)), 0)) > 0)
			sent += (uint64_t)k;
		step2(p);
		while ((k = ns_recv(p->b, sfd, buf, sizeof(buf), 0)) > 0)
			rcvd += (uint64_t)k;
		step2(p);
	}
	t0 = bench_now() - t0;
	if (what)
		ns_tput_info(p, cfd, what);
	ns_close(p->a, cfd);
	ns_close(p->b, sfd);
	ns_close(p->b, lfd);
	return (double)total * 8 / t0 / 1e9;
}

static double ns_rr(struct pair *p, int type, uint16_t port)
{
	int one = 1, lfd, sfd, cfd;
	long n = 0;
	char c = 'x';
	double t0, t;

	lfd = ns_listen_on(p->b, type, port);
	if (type == SOCK_STREAM) {
		cfd = ns_connect_pair(p, lfd, port, &sfd);
		ns_setsockopt(p->a, cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ns_setsockopt(p->b, sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	} else {
		struct sockaddr_in b = sin_of(B_IP, port);

		sfd = lfd;
		cfd = ns_socket(p->a, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		ns_connect(p->a, cfd, (struct sockaddr *)&b, sizeof(b));
	}
	t0 = bench_now();
	do {
		for (int i = 0; i < 256; i++, n++) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);

			ns_send(p->a, cfd, &c, 1, 0);
			while (ns_recvfrom(p->b, sfd, &c, 1, 0, (struct sockaddr *)&from, &fl) != 1)
				step2(p);
			if (type == SOCK_STREAM)
				ns_send(p->b, sfd, &c, 1, 0);
			else
				ns_sendto(p->b, sfd, &c, 1, 0, (struct sockaddr *)&from, fl);
			while (ns_recv(p->a, cfd, &c, 1, 0) != 1)
				step2(p);
		}
		t = bench_now() - t0;
	} while (t < RR_SECONDS);
	ns_close(p->a, cfd);
	if (type == SOCK_STREAM)
		ns_close(p->b, sfd);
	ns_close(p->b, lfd);
	return (double)n / t;
}

static double ns_crr(struct pair *p)
{
	int lfd = ns_listen_on(p->b, SOCK_STREAM, P_CRR);
	double t0 = bench_now(), t = 1e-9;
	int n = 0;

	do {
		int sfd, cfd = ns_connect_pair(p, lfd, P_CRR, &sfd);
		char c;

		if (cfd < 0)
			break;
		/* the client closes first (TIME-WAIT on its side), as netperf TCP_CRR */
		ns_close(p->a, cfd);
		while (ns_recv(p->b, sfd, &c, 1, 0) != 0)
			step2(p);
		ns_close(p->b, sfd);
		step2(p);
		step2(p);
		n++;
		t = bench_now() - t0;
	} while (n < CRR_MAX && t < 2.0);
	ns_close(p->b, lfd);
	return (double)n / t;
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Heap per established connection end, beside sizeof(struct tcp_sock). */
static double ns_mem(struct pair *p)
{
	static int cfd[IDLE_CONNS], sfd[IDLE_CONNS];
	int lfd = ns_listen_on(p->b, SOCK_STREAM, P_CRR + 100);
	size_t before, after;

	/* warm the tables up to their size for IDLE_CONNS first */
	for (int i = 0; i < IDLE_CONNS; i++)
		cfd[i] = ns_connect_pair(p, lfd, P_CRR + 100, &sfd[i]);
	for (int i = 0; i < IDLE_CONNS; i++) {
		ns_close(p->a, cfd[i]);
		ns_close(p->b, sfd[i]);
	}
	for (int i = 0; i < 100; i++)
		step2(p);
	before = heap_used();
	for (int i = 0; i < IDLE_CONNS; i++)
		cfd[i] = ns_connect_pair(p, lfd, P_CRR + 100, &sfd[i]);
	for (int i = 0; i < 100; i++)
		step2(p);
	after = heap_used();
	for (int i = 0; i < IDLE_CONNS; i++) {
		ns_close(p->a, cfd[i]);
		ns_close(p->b, sfd[i]);
	}
	ns_close(p->b, lfd);
	printf("  nstack: sizeof(struct tcp_sock) = %zu, heap per established end = %.0f bytes "
	       "(tcp_sock + struct socket + fd slot + hash share; AF_INET6 adds 48 bytes of "
	       "addresses, a listener its queues; no buffers held while idle)\n",
	       sizeof(struct tcp_sock), (double)(after - before) / (2.0 * IDLE_CONNS));
	return (double)(after - before) / (2.0 * IDLE_CONNS);
}

static double ns_udp_oneway(struct pair *p)
{
	static uint8_t buf[64];
	int sfd = ns_listen_on(p->b, SOCK_DGRAM, P_UDP_SINK);
	int cfd = ns_socket(p->a, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in b = sin_of(B_IP, P_UDP_SINK);
	long sent = 0, rcvd = 0;
	double t0;

	ns_connect(p->a, cfd, (struct sockaddr *)&b, sizeof(b));
	t0 = bench_now();
	while (sent < UDP_ONEWAY) {
		int burst = 0;

		while (sent < UDP_ONEWAY && burst++ < 64 && ns_send(p->a, cfd, buf, sizeof(buf), 0) > 0)
			sent++;
		step2(p);
		while (ns_recv(p->b, sfd, buf, sizeof(buf), 0) > 0)
			rcvd++;
	}
	for (int i = 0; i < 10; i++) {
		step2(p);
		while (ns_recv(p->b, sfd, buf, sizeof(buf), 0) > 0)
			rcvd++;
	}
	t0 = bench_now() - t0;
	ns_close(p->a, cfd);
	ns_close(p->b, sfd);
	return (double)rcvd / t0;
}

/* Two stacks joined by a pipe; loss: netem loss on both ends (NULL:
 * none); mtu: the pipe's MTU on both ends (0: 1500). */
static bool ns_pair_new(struct pair *p, const char *loss, unsigned int mtu)
{
	/* one thread drives both stacks and makes every call (lwIP's
	 * harness likewise runs NO_SYS): no stack lock */
	struct ns_stack_config ca = { .name = "A", .seed = 1, .single_thread = true },
			       cb = { .name = "B", .seed = 2, .single_thread = true };
	struct net_device *da, *db;

	p->a = ns_stack_create(&ca);
	p->b = ns_stack_create(&cb);
	if (!p->a || !p->b || ns_pipe_create(p->a, "eth0", p->b, "eth0", 0, &da, &db) ||
	    dev_open(da) || dev_open(db) || inet_addr_add(da, A_IP, 24, NULL) ||
	    inet_addr_add(db, B_IP, 24, NULL) ||
	    (mtu && (ns_dev_set_mtu(da, mtu) || ns_dev_set_mtu(db, mtu))) ||
	    ns_dev_set_tx_csum(da, true) || ns_dev_set_tx_csum(db, true))
		return false;
	if (loss && (ns_dev_set_gro(da, false) || ns_dev_set_gro(db, false)))
		return false;
	for (int i = 0; loss && i < 2; i++) {
		char err[128], *argv[] = { "loss", (char *)loss, "seed", "42" };
		struct net_device *d = i ? db : da;
		struct Qdisc *q = qdisc_create(d, qdisc_lookup_ops("netem"), 4, argv, err, sizeof(err));

		if (!q) {
			fprintf(stderr, "bench_tcp: netem: %s\n", err);
			return false;
		}
		qdisc_graft_root(d, q);
	}
	for (int i = 0; i < 10; i++)
		step2(p);
	return true;
}

/* bulk throughput on a fresh pair: through netem loss (seeded, both
 * directions) or over a pipe of MTU mtu */
static double ns_tput_on(const char *loss, unsigned int mtu, uint64_t total, const char *what)
{
	struct pair p;
	double r;

	if (!ns_pair_new(&p, loss, mtu)) {
		fprintf(stderr, "bench_tcp: nstack setup failed\n");
		exit(1);
	}
	r = ns_tput(&p, total, what);
	ns_stack_destroy(p.a);
	ns_stack_destroy(p.b);
	return r;
}

/* only: a workload name to run alone ("tcp_throughput_64k"), or NULL */
static void run_nstack(double *r, const char *only)
{
	struct pair p;

	if (only) {
		int w = wfind(only);

		if (w == W_T64)
			r[w] = ns_tput_on(NULL, MTU_64K, BULK_BYTES, "64k");
		else if (w == W_TPUT_L1 || w == W_TPUT_L5)
			r[w] = ns_tput_on(w == W_TPUT_L1 ? "1%" : "5%", 0, LOSS_BYTES, only);
		else if (w == W_TPUT)
			r[w] = ns_tput_on(NULL, 0, BULK_BYTES, "pipe");
		else if (w >= 0 && w < W_CHILD && ns_pair_new(&p, NULL, 0)) {
			r[w] = w == W_RR ? ns_rr(&p, SOCK_STREAM, P_RR) :
			       w == W_CRR ? ns_crr(&p) :
			       w == W_MEM ? ns_mem(&p) :
			       w == W_UDP_RR ? ns_rr(&p, SOCK_DGRAM, P_UDP_ECHO) : ns_udp_oneway(&p);
			ns_stack_destroy(p.a);
			ns_stack_destroy(p.b);
		} else
			fprintf(stderr, "bench_tcp: --nstack-only runs one workload alone (a name as printed)\n");
		return;
	}
	if (!ns_pair_new(&p, NULL, 0)) {
		fprintf(stderr, "bench_tcp: nstack setup failed\n");
		exit(1);
	}
	r[W_TPUT] = ns_tput(&p, BULK_BYTES, "pipe");
	r[W_RR] = ns_rr(&p, SOCK_STREAM, P_RR);
	r[W_CRR] = ns_crr(&p);
	r[W_MEM] = ns_mem(&p);
	r[W_UDP_RR] = ns_rr(&p, SOCK_DGRAM, P_UDP_ECHO);
	r[W_UDP_1W] = ns_udp_oneway(&p);
	ns_stack_destroy(p.a);
	ns_stack_destroy(p.b);
	r[W_TPUT_L1] = ns_tput_on("1%", 0, LOSS_BYTES, "loss1");
	r[W_TPUT_L5] = ns_tput_on("5%", 0, LOSS_BYTES, "loss5");
	/* ~64 KiB segments, as Linux's TSO/GSO hands a veth */
	r[W_T64] = ns_tput_on(NULL, MTU_64K, BULK_BYTES, "64k");
}

/* ======================================================================== Linux */
#define L_SRV "198.18.77.2"
#define L_CLI "198.18.77.1"

static int l_listen(int type, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, type, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || (type == SOCK_STREAM && listen(fd, 1024)))
		exit(2);
	return fd;
}

/* A TCP service of the Linux server: its port, and what it does with one
 * accepted connection (the caller closes it). */
struct tcp_srv {
	uint16_t port;
	void (*serve)(int fd);
};

static void serve_bulk(int fd)
{
	static char buf[1 << 16];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void serve_rr(int fd)
{
	int one = 1;
	char c;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
		;
}

static void serve_crr(int fd)
{
	char c;

	while (read(fd, &c, 1) > 0)
		;
}

static void *srv_tcp(void *arg)
{
	const struct tcp_srv *srv = arg;
	int lfd = l_listen(SOCK_STREAM, srv->port);

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		srv->serve(fd);
		close(fd);
	}
	return NULL;
}

static void *srv_udp_echo(void *arg)
{
	int fd = l_listen(SOCK_DGRAM, P_UDP_ECHO);

	(void)arg;
	for (;;) {
		char b[64];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t k = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

		if (k > 0)
			sendto(fd, b, (size_t)k, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

/* counts datagrams; a 1-byte datagram asks for the count (and resets it) */
static void *srv_udp_sink(void *arg)
{
	int fd = l_listen(SOCK_DGRAM, P_UDP_SINK), big = 8 << 20;
	long count = 0;

	(void)arg;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	for (;;) {
		char b[64];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t k = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

		if (k == 1) {
			sendto(fd, &count, sizeof(count), 0, (struct sockaddr *)&from, fl);
			count = 0;
		} else if (k > 0) {
			count++;
		}
	}
	return NULL;
}

static int linux_server(void)
{
	static const struct tcp_srv tcp[] = { { P_BULK, serve_bulk }, { P_RR, serve_rr },
					      { P_CRR, serve_crr } };
	void *(*fn[])(void *) = { srv_udp_echo, srv_udp_sink };
	pthread_t t;

	for (size_t i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++)
		pthread_create(&t, NULL, srv_tcp, (void *)&tcp[i]);
	for (size_t i = 0; i < sizeof(fn) / sizeof(fn[0]); i++)
		pthread_create(&t, NULL, fn[i], NULL);
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}

static int l_connect(int type, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, type, 0);

	inet_pton(AF_INET, L_SRV, &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/* The kernel objects behind one TCP socket fd, from /proc/slabinfo object
 * sizes: TCP (struct tcp_sock) + socket inode + file + dentry; buffers
 * excluded, as for the others. 0 if unreadable. */
static double linux_sock_mem(void)
{
	static const char *const slabs[] = { "TCP ", "sock_inode_cache ", "filp ", "dentry " };
	char line[512];
	double sum = 0;
	int found = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < 4; i++)
			if (!strncmp(line, slabs[i], strlen(slabs[i]))) {
				unsigned long active, num, objsize;

				if (sscanf(line + strlen(slabs[i]), "%lu %lu %lu", &active, &num, &objsize) == 3) {
					sum += (double)objsize;
					found++;
				}
			}
	fclose(f);
	return found == 4 ? sum : 0;
}

static int linux_client(void)
{
	static char buf[1 << 16];
	double r[W_MAX] = { 0 }, t0, t = 1e-9;
	uint64_t sent = 0;
	long n = 0;
	int fd, one = 1;
	char c = 'x';

	/* throughput */
	fd = l_connect(SOCK_STREAM, P_BULK);
	t0 = bench_now();
	while (sent < BULK_BYTES) {
		ssize_t k = write(fd, buf, NS_MIN(sizeof(buf), (size_t)(BULK_BYTES - sent)));

		if (k <= 0)
			return 1;
		sent += (uint64_t)k;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	r[W_TPUT] = (double)BULK_BYTES * 8 / (bench_now() - t0) / 1e9;
	close(fd);
	/* request/response */
	fd = l_connect(SOCK_STREAM, P_RR);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = bench_now();
	do {
		for (int i = 0; i < 256; i++, n++)
			if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
				return 1;
		t = bench_now() - t0;
	} while (t < RR_SECONDS);
	r[W_RR] = (double)n / t;
	close(fd);
	/* connect/close */
	n = 0;
	t0 = bench_now();
	do {
		fd = l_connect(SOCK_STREAM, P_CRR);
		if (fd < 0)
			break;
		close(fd);
		n++;
		t = bench_now() - t0;
	} while (n < CRR_MAX && t < 2.0);
	r[W_CRR] = (double)n / t;
	/* UDP echo */
	fd = l_connect(SOCK_DGRAM, P_UDP_ECHO);
	n = 0;
	t0 = bench_now();
	do {
		for (int i = 0; i < 256; i++, n++)
			if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
				return 1;
		t = bench_now() - t0;
	} while (t < RR_SECONDS);
	r[W_UDP_RR] = (double)n / t;
	close(fd);
	/* UDP one-way: received datagrams per second of sending */
	{
		long got = 0;
		struct timeval tv = { .tv_sec = 1 };

		fd = l_connect(SOCK_DGRAM, P_UDP_SINK);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		t0 = bench_now();
		for (long i = 0; i < UDP_ONEWAY; i++)
			if (write(fd, buf, 64) != 64)
				i--;
		t = bench_now() - t0;
		usleep(100000);
		if (write(fd, &c, 1) == 1 && read(fd, &got, sizeof(got)) == sizeof(got))
			r[W_UDP_1W] = (double)got / t;
		close(fd);
	}
	r[W_MEM] = linux_sock_mem();
	printf("linux");
	for (int i = 0; i < W_CHILD; i++)
		printf(" %.6g", r[i]);
	printf("\n");
	return 0;
}

/* --linux-bulk NAME BYTES: one transfer to the bulk server within
 * L_BULK_SECONDS; prints "extra NAME <Gbit/s, or -1 when it stalled>" */
#define L_BULK_SECONDS 20.0
/* TcpExt `key` of this network namespace, or -1 */
static long linux_netstat(const char *key)
{
	static char text[16384];
	FILE *f = fopen("/proc/net/netstat", "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = 0;
	return netstat_field(text, key);
}

static int linux_bulk(const char *name, uint64_t total)
{
	static char buf[1 << 16];
	struct timeval tv = { .tv_sec = 1 };
	uint64_t sent = 0;
	double t0;
	long rto0 = linux_netstat("TCPTimeouts");
	int fd = l_connect(SOCK_STREAM, P_BULK);
	struct tcp_info ti = { 0 };
	socklen_t tl = sizeof(ti);

	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = bench_now();
	while (sent < total && bench_now() - t0 < L_BULK_SECONDS) {
		ssize_t k = write(fd, buf, NS_MIN(sizeof(buf), (size_t)(total - sent)));

		if (k > 0)
			sent += (uint64_t)k;
		else if (errno != EAGAIN && errno != EINTR)
			return 1;
	}
	shutdown(fd, SHUT_WR);
	/* the server closes once it read everything */
	while (sent == total && bench_now() - t0 < L_BULK_SECONDS) {
		ssize_t k = read(fd, buf, sizeof(buf));

		if (k == 0)
			break;
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return 1;
	}
	t0 = bench_now() - t0;
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	printf("  linux-veth %s: sender mss %u, cwnd %u, %u segments retransmitted, %ld timeouts\n",
	       name, ti.tcpi_snd_mss, ti.tcpi_snd_cwnd, ti.tcpi_total_retrans,
	       linux_netstat("TCPTimeouts") - rto0);
	if (t0 >= L_BULK_SECONDS) {
		printf("  linux-veth %s: transfer stalled: %llu of %llu bytes written in %.0f s\n",
		       name, (unsigned long long)sent, (unsigned long long)total, L_BULK_SECONDS);
		printf("extra %s %g\n", name, STALLED);
	} else {
		printf("extra %s %.6g\n", name, (double)total * 8 / t0 / 1e9);
	}
	close(fd);
	return 0;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static char ns_srv[64], ns_cli[64];

static void linux_cleanup(void)
{
	if (ns_srv[0]) {
		sh("ip netns pids %s 2>/dev/null | xargs -r kill 2>/dev/null", ns_srv);
		sh("ip netns del %s 2>/dev/null", ns_srv);
		sh("ip netns del %s 2>/dev/null", ns_cli);
		ns_srv[0] = 0;
	}
}

static void on_signal(int sig)
{
	linux_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Run `self --linux-bulk NAME BYTES` in the client namespace; its result
 * into r (by name). */
static void linux_bulk_run(double *r, const char *self, const char *name, uint64_t total)
{
	char cmd[1024], line[512];
	FILE *cli;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s timeout 30 %s --linux-bulk %s %llu", ns_cli,
		 self, name, (unsigned long long)total);
	cli = popen(cmd, "r");
	while (cli && fgets(line, sizeof(line), cli)) {
		if (!strncmp(line, "extra ", 6))
			parse_extra(line, r);
		else
			fputs(line, stdout);
	}
	if (cli)
		pclose(cli);
}

/* The 32 MiB transfer under pct % loss: nft drops that share of TCP
 * packets at prerouting in both namespaces (numgen random: not seeded;
 * the host kernel has no netem). TSO/GSO go off on both veth ends first,
 * so one drop loses one MTU-sized segment, as on nstack's pipe, not a
 * 64 KiB GSO packet. */
static void run_linux_loss(double *r, const char *self)
{
	static const struct {
		int pct, w;
	} loss[] = { { 1, W_TPUT_L1 }, { 5, W_TPUT_L5 } };

	if (sh("command -v nft >/dev/null && command -v ethtool >/dev/null")) {
		printf("  linux-veth loss: skipped: needs nft and ethtool\n");
		return;
	}
	if (sh("ip netns exec %s ethtool -K v%d tso off gso off >/dev/null && "
	       "ip netns exec %s ethtool -K w%d tso off gso off >/dev/null",
	       ns_cli, getpid(), ns_srv, getpid())) {
		printf("  linux-veth loss: skipped: ethtool -K failed\n");
		return;
	}
	for (size_t i = 0; i < sizeof(loss) / sizeof(loss[0]); i++) {
		bool ok = true;

		for (int k = 0; k < 2 && ok; k++)
			ok = !sh("ip netns exec %s nft 'flush ruleset; add table ip nsbench; "
				 "add chain ip nsbench pre { type filter hook prerouting priority -300; }; "
				 "add rule ip nsbench pre ip protocol tcp numgen random mod 100 < %d drop'",
				 k ? ns_srv : ns_cli, loss[i].pct);
		if (!ok) {
			printf("  linux-veth loss: skipped: nft failed\n");
			return;
		}
		linux_bulk_run(r, self, wname[loss[i].w], LOSS_BYTES);
	}
	printf("  linux-veth loss: nft 'numgen random mod 100 < N drop' on TCP at prerouting in both "
	       "namespaces (not seeded), veth TSO/GSO off\n");
}

/* Returns false when skipped (printed why). */
static bool run_linux(double *r, const char *self)
{
	char cmd[1024], line[512];
	FILE *srv, *cli;
	bool ok = false;

	if (geteuid() != 0) {
		printf("  linux-veth: skipped: needs root\n");
		return false;
	}
	snprintf(ns_srv, sizeof(ns_srv), "nsb%d", getpid());
	snprintf(ns_cli, sizeof(ns_cli), "nsa%d", getpid());
	atexit(linux_cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (sh("ip netns add %s && ip netns add %s && "
	       "ip link add v%d type veth peer name w%d && "
	       "ip link set v%d netns %s && ip link set w%d netns %s && "
	       "ip -n %s addr add " L_CLI "/24 dev v%d && ip -n %s addr add " L_SRV "/24 dev w%d && "
	       "ip -n %s link set v%d up && ip -n %s link set w%d up && "
	       "ip -n %s link set lo up && ip -n %s link set lo up",
	       ns_srv, ns_cli, getpid(), getpid(), getpid(), ns_cli, getpid(), ns_srv, ns_cli,
	       getpid(), ns_srv, getpid(), ns_cli, getpid(), ns_srv, getpid(), ns_cli, ns_srv)) {
		printf("  linux-veth: skipped: namespace setup failed\n");
		return false;
	}
	snprintf(cmd, sizeof(cmd), "exec ip netns exec %s timeout 100 %s --linux-server", ns_srv, self);
	srv = popen(cmd, "r");
	if (!srv || !fgets(line, sizeof(line), srv) || strncmp(line, "ready", 5)) {
		printf("  linux-veth: skipped: server did not start\n");
		return false;
	}
	snprintf(cmd, sizeof(cmd), "ip netns exec %s timeout 60 %s --linux-client", ns_cli, self);
	cli = popen(cmd, "r");
	while (cli && fgets(line, sizeof(line), cli)) {
		if (!strncmp(line, "linux ", 6)) {
			char *p = line + 6;

			for (int i = 0; i < W_CHILD; i++)
				r[i] = strtod(p, &p);
			ok = true;
		}
	}
	if (cli)
		pclose(cli);
	if (ok) {
		/* the same veth as tcp_throughput_pipe: TSO/GSO hand it 64 KiB */
		r[W_T64] = r[W_TPUT];
		run_linux_loss(r, self);
	}
	linux_cleanup();
	pclose(srv);
	if (!ok)
		printf("  linux-veth: skipped: client failed\n");
	else if (r[W_MEM] > 0)
		printf("  linux-veth: per socket from /proc/slabinfo: TCP + sock_inode_cache + filp + dentry "
		       "= %.0f bytes\n", r[W_MEM]);
	return ok;
}

/* ======================================================================== lwIP */
static bool run_lwip(double *r, const char *self)
{
	char cmd[1024], line[512], *slash;
	FILE *f;
	bool ok = false;

	snprintf(cmd, sizeof(cmd), "%s", self);
	slash = strrchr(cmd, '/');
	snprintf(slash ? slash + 1 : cmd, sizeof(cmd) - (size_t)(slash ? slash + 1 - cmd : 0),
		 "bench_tcp_lwip");
	if (access(cmd, X_OK)) {
		printf("  lwip: skipped: bench_tcp_lwip not built (liblwip-dev missing)\n");
		return false;
	}
	strncat(cmd, " --child", sizeof(cmd) - strlen(cmd) - 1);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "lwip ", 5)) {
			char *p = line + 5;

			for (int i = 0; i < W_CHILD; i++)
				r[i] = strtod(p, &p);
			ok = true;
		} else if (!strncmp(line, "extra ", 6)) {
			parse_extra(line, r);
		} else {
			fputs(line, stdout);
		}
	}
	if (f)
		pclose(f);
	return ok;
}

static void fmt(char *b, size_t n, int w, double v)
{
	if (v == STALLED)
		snprintf(b, n, "stalled");
	else if (v <= 0)
		snprintf(b, n, "-");
	else if (wunit[w][0] == 'G')
		snprintf(b, n, "%.2f %s", v, wunit[w]);
	else if (w == W_MEM)
		snprintf(b, n, "%.0f %s", v, wunit[w]);
	else if (v >= 1e6)
		snprintf(b, n, "%.2fM %s", v / 1e6, wunit[w]);
	else
		snprintf(b, n, "%.1fk %s", v / 1e3, wunit[w]);
}

int main(int argc, char **argv)
{
	double rn[W_MAX] = { 0 }, rl[W_MAX] = { 0 }, rw[W_MAX] = { 0 };
	bool have_l, have_w;

	if (argc > 1 && !strcmp(argv[1], "--linux-server"))
		return linux_server();
	if (argc > 1 && !strcmp(argv[1], "--linux-client"))
		return linux_client();
	if (argc > 3 && !strcmp(argv[1], "--linux-bulk"))
		return linux_bulk(argv[2], strtoull(argv[3], NULL, 10));
	setvbuf(stdout, NULL, _IOLBF, 0);
	char self[512];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[k > 0 ? k : 0] = 0;
	/* --nstack-only [WORKLOAD]: for profiling nstack alone
	 * (perf record ... bench_tcp --nstack-only tcp_throughput_64k) */
	run_nstack(rn, argc > 2 && !strcmp(argv[1], "--nstack-only") ? argv[2] : NULL);
	have_l = argc < 2 && run_linux(rl, self);
	have_w = argc < 2 && run_lwip(rw, self);
	for (int w = 0; w < W_MAX; w++) {
		char a[64], b[64], c[64];

		fmt(a, sizeof(a), w, rn[w]);
		fmt(b, sizeof(b), w, rl[w]);
		fmt(c, sizeof(c), w, rw[w]);
		printf("%s: nstack %s | linux-veth %s | lwip %s", wname[w], a, have_l ? b : "skipped",
		       w_lwip_na[w] ? "n/a" : have_w ? c : "skipped");
		if (have_l && rl[w] > 0 && rn[w] > 0)
			printf(" | nstack/linux %.2fx", rn[w] / rl[w]);
		if (have_w && rw[w] > 0 && rn[w] > 0)
			printf(" | nstack/lwip %.2fx", rn[w] / rw[w]);
		printf("\n");
	}
	return 0;
}
