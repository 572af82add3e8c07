/* bench_tcp_lwip.c - the lwIP column of bench_tcp: Debian's liblwip 2.1.3
 * (built NO_SYS=0 with core locking for the Hurd). tcpip_init() is never
 * called, so no tcpip thread exists and the core-lock assertion is inert:
 * this one thread calls lwip_init() and the raw TCP/UDP API directly and
 * drives the timers with sys_check_timeouts(), which is lwIP's NO_SYS
 * usage in all but name. Two netifs (IP level, MTU 1500) are joined in
 * memory: a netif's output clones the packet onto the peer's queue, the
 * loop feeds the queues to ip4_input (never recursively, as lwIP's input
 * path is not re-entrant). The link can drop a seeded random share of
 * packets in both directions (as netem loss on nstack's pipe): the 32 MiB
 * transfer then runs at 1 % and 5 % loss, each bounded in time on the real
 * clock that lwIP's timers (sys_now) also run on. Run by bench_tcp
 * with --child; prints
 *   lwip <tput Gbit/s> <rr/s> <crr/s> <bytes/conn> <udp rr/s> <udp dgram/s>
 *   extra tcp_throughput_loss1 <Gbit/s, or -1 when it stalled>
 *   extra tcp_throughput_loss5 <...>
 * Built only when CMake finds liblwip (see CMakeLists.txt). */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"	/* tcp_abandon */
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"

#define BULK_BYTES (256ull << 20)
#define LOSS_BYTES (32ull << 20)
/* the loss runs' bounds on the real clock: at 1 % lwIP needs ~13 s for
 * 32 MiB (retransmission timeouts on its 500 ms slow timer); at 5 % its
 * timeouts back off to seconds and it would need minutes, so 8 s show it */
#define LOSS1_SECONDS 20.0
#define LOSS5_SECONDS 8.0
#define RR_SECONDS 0.5
#define CRR_MAX 10000
#define UDP_ONEWAY 1000000
#define IDLE_CONNS 1000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- two netifs joined in memory --------------------------------------------------- */
#define QLEN 4096
struct wire {
	struct pbuf *q[QLEN];
	unsigned int head, tail;
	unsigned long drops;
	unsigned long lost;	/* dropped on purpose (loss_thresh) */
	uint64_t rng;		/* xorshift64 state of this direction's loss */
};
static struct netif nif[2];
static struct wire wires[2];	/* wires[i]: packets for nif[i] */
static uint32_t loss_thresh;	/* drop when a 32-bit draw is below it (0: none) */

/* Random loss on both directions, seeded (each direction its own stream)
 * so every run drops the same packets of the same sequence. */
static void set_loss(double percent)
{
	loss_thresh = (uint32_t)(percent / 100.0 * 4294967295.0);
	for (int i = 0; i < 2; i++) {
		wires[i].rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 42);
	}
}

static bool lose(struct wire *w)
{
	if (!loss_thresh)
		return false;
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (uint32_t)(w->rng >> 32) < loss_thresh;
}

static err_t link_output(struct netif *n, struct pbuf *p, const ip4_addr_t *dst)
{
	int peer = n == &nif[0] ? 1 : 0;
	struct wire *w = &wires[peer];
	struct pbuf *c;

	(void)dst;
	if (w->tail - w->head >= QLEN) {
		w->drops++;
		return ERR_OK;		/* a full link drops, as a NIC ring would */
	}
	if (lose(w)) {
		w->lost++;
		return ERR_OK;
	}
	c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (!c)
		return ERR_MEM;
	w->q[w->tail++ % QLEN] = c;
	return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
	n->output = link_output;
	n->mtu = 1500;
	n->name[0] = 'p';
	n->name[1] = n == &nif[0] ? '0' : '1';
	n->flags = NETIF_FLAG_BROADCAST;
	return ERR_OK;
}

/* deliver what is queued; returns the number of packets */
static int pump(void)
{
	int n = 0;

	for (int i = 0; i < 2; i++) {
		struct wire *w = &wires[i];

		while (w->head != w->tail) {
			struct pbuf *p = w->q[w->head++ % QLEN];

			nif[i].input(p, &nif[i]);
			n++;
		}
	}
	return n;
}

static void run(void)
{
	while (pump())
		;
	sys_check_timeouts();
}

/* One lwIP instance holds both addresses (its state is global), so a
 * route lookup would loop B's address back internally; every pcb is bound
 * to its netif (tcp_bind_netif, inherited by accepted pcbs; udp_bind_netif)
 * so packets really cross the in-memory link. */
/* Abort both ends once nothing is in flight: a segment reaching a dead
 * pcb would draw a RST routed without a pcb, i.e. looped back inside lwIP
 * (which needs the tcpip thread). */
static void abort_pair(struct tcp_pcb *a, struct tcp_pcb *b)
{
	(void)b;	/* freed by lwIP when a's RST arrives */
	run();
	tcp_abort(a);
	run();
}

/* Free both ends without a segment on the wire (a transfer cut short at
 * its time bound may still have data, ACKs or delayed-ACK timers pending)
 * and empty the link. */
static void drop_pair(struct tcp_pcb *a, struct tcp_pcb *b)
{
	tcp_abandon(a, 0);
	tcp_abandon(b, 0);
	for (int i = 0; i < 2; i++)
		while (wires[i].head != wires[i].tail)
			pbuf_free(wires[i].q[wires[i].head++ % QLEN]);
}

static ip_addr_t ipa = IPADDR4_INIT_BYTES(10, 9, 0, 1), ipb = IPADDR4_INIT_BYTES(10, 9, 0, 2);

static void setup(void)
{
	ip4_addr_t mask, gw;

	lwip_init();
	IP4_ADDR(&mask, 255, 255, 255, 0);
	IP4_ADDR(&gw, 0, 0, 0, 0);
	netif_add(&nif[0], ip_2_ip4(&ipa), &mask, &gw, NULL, nif_init, ip4_input);
	netif_add(&nif[1], ip_2_ip4(&ipb), &mask, &gw, NULL, nif_init, ip4_input);
	for (int i = 0; i < 2; i++) {
		netif_set_up(&nif[i]);
		netif_set_link_up(&nif[i]);
	}
}

/* ---- TCP ------------------------------------------------------------------------------------- */
struct conn {
	struct tcp_pcb *srv;		/* accepted end */
	struct tcp_pcb *cli;
	uint64_t rcvd;			/* server side */
	uint64_t cli_rcvd;
	int connected, closed, echo;
};
static uint8_t rxbuf[1 << 16];

static err_t srv_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;

	(void)err;
	if (!p) {
		c->closed = 1;
		tcp_arg(pcb, NULL);
		tcp_recv(pcb, NULL);
		tcp_close(pcb);
		return ERR_OK;
	}
	/* copy out, as a socket read would */
	for (uint16_t off = 0; off < p->tot_len;) {
		uint16_t k = pbuf_copy_partial(p, rxbuf, (uint16_t)(p->tot_len - off), off);

		off = (uint16_t)(off + k);
	}
	c->rcvd += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	if (c->echo) {
		tcp_write(pcb, rxbuf, p->tot_len, TCP_WRITE_FLAG_COPY);
		tcp_output(pcb);
	}
	pbuf_free(p);
	return ERR_OK;
}

static err_t cli_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;

	(void)err;
	if (!p)
		return ERR_OK;
	pbuf_copy_partial(p, rxbuf, p->tot_len, 0);
	c->cli_rcvd += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static struct conn *pending;	/* the conn the next accept belongs to */

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	(void)err;
	pending->srv = pcb;
	tcp_arg(pcb, pending);
	tcp_recv(pcb, srv_recv);
	tcp_nagle_disable(pcb);
	return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct conn *c = arg;

	(void)pcb;
	(void)err;
	c->connected = 1;
	return ERR_OK;
}

static struct tcp_pcb *listen_on(uint16_t port)
{
	struct tcp_pcb *l = tcp_new();

	tcp_bind_netif(l, &nif[1]);
	tcp_bind(l, &ipb, port);
	l = tcp_listen_with_backlog(l, 255);
	tcp_accept(l, on_accept);
	return l;
}

static int open_conn(struct conn *c, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	pending = c;
	c->cli = tcp_new();
	if (!c->cli)
		return -1;
	tcp_bind_netif(c->cli, &nif[0]);
	tcp_arg(c->cli, c);
	tcp_recv(c->cli, cli_recv);
	tcp_nagle_disable(c->cli);
	if (tcp_connect(c->cli, &ipb, port, on_connected) != ERR_OK)
		return -1;
	for (int i = 0; i < 100 && !(c->connected && c->srv); i++)
		run();
	return c->connected && c->srv ? 0 : -1;
}

/* total bytes one way on a new connection to port; Gbit/s, or -1 when it
 * did not finish within `bound` seconds (printed) */
static double tput(uint16_t port, uint64_t total, double bound)
{
	static uint8_t data[1 << 16];
	struct tcp_pcb *l = listen_on(port);
	struct conn c;
	uint64_t sent = 0;
	double t0;

	if (open_conn(&c, port))
		return -1;
	t0 = now_s();
	while (c.rcvd < total) {
		uint32_t room = tcp_sndbuf(c.cli);

		if (now_s() - t0 > bound) {
			printf("  lwip: transfer stalled at %llu of %llu bytes after %.0f s\n",
			       (unsigned long long)c.rcvd, (unsigned long long)total, bound);
			t0 = -1;
			break;
		}
		if (room && sent < total) {
			uint32_t k = (uint32_t)(total - sent);

			if (k > room)
				k = room;
			if (k > 0xffff)
				k = 0xffff;
			if (tcp_write(c.cli, data, (uint16_t)k, TCP_WRITE_FLAG_COPY) == ERR_OK)
				sent += k;
		}
		tcp_output(c.cli);
		run();
	}
	if (t0 >= 0)
		t0 = now_s() - t0;
	set_loss(0);
	drop_pair(c.cli, c.srv);
	tcp_close(l);
	return t0 < 0 ? -1 : (double)total * 8 / t0 / 1e9;
}

/* the loss transfer; prints the packets the link dropped on purpose */
static double tput_loss(uint16_t port, double percent, double bound)
{
	unsigned long lost;
	double r;

	wires[0].lost = wires[1].lost = 0;
	set_loss(percent);
	r = tput(port, LOSS_BYTES, bound);
	lost = wires[0].lost + wires[1].lost;
	printf("  lwip: %.0f%% loss: %lu packets dropped (seeded, both directions)\n", percent,
	       lost);
	return r;
}

static double rr(void)
{
	struct tcp_pcb *l = listen_on(5002);
	struct conn c;
	long n = 0;
	double t0, t;

	if (open_conn(&c, 5002))
		return 0;
	c.echo = 1;
	t0 = now_s();
	do {
		for (int i = 0; i < 256; i++, n++) {
			uint64_t want = c.cli_rcvd + 1;

			tcp_write(c.cli, "x", 1, TCP_WRITE_FLAG_COPY);
			tcp_output(c.cli);
			while (c.cli_rcvd < want)
				run();
		}
		t = now_s() - t0;
	} while (t < RR_SECONDS);
	abort_pair(c.cli, c.srv);
	tcp_close(l);
	return (double)n / t;
}

static double crr(void)
{
	struct tcp_pcb *l = listen_on(5003);
	struct conn c;
	double t0 = now_s(), t = 1e-9;
	int n = 0;

	do {
		if (open_conn(&c, 5003))
			break;
		tcp_arg(c.cli, NULL);
		tcp_recv(c.cli, NULL);
		tcp_close(c.cli);	/* the client closes first, as netperf TCP_CRR */
		for (int i = 0; i < 100 && !c.closed; i++)
			run();
		run();
		n++;
		t = now_s() - t0;
	} while (n < CRR_MAX && t < 2.0);
	tcp_close(l);
	return (double)n / t;
}

static double mem(void)
{
	static struct conn c[IDLE_CONNS];
	struct tcp_pcb *l = listen_on(5010);
	struct mallinfo2 a, b;

	a = mallinfo2();
	for (int i = 0; i < IDLE_CONNS; i++)
		if (open_conn(&c[i], 5010))
			return 0;
	b = mallinfo2();
	printf("  lwip: sizeof(struct tcp_pcb) = %zu, heap per established end = %.0f bytes\n",
	       sizeof(struct tcp_pcb), (double)(b.uordblks - a.uordblks) / (2.0 * IDLE_CONNS));
	for (int i = 0; i < IDLE_CONNS; i++) {
		abort_pair(c[i].cli, c[i].srv);
	}
	tcp_close(l);
	return (double)(b.uordblks - a.uordblks) / (2.0 * IDLE_CONNS);
}

/* ---- UDP ------------------------------------------------------------------------------------- */
static long udp_got;
static struct udp_pcb *udp_srv;

static void udp_echo_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	(void)arg;
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

static void udp_count_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			 u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	(void)port;
	pbuf_copy_partial(p, rxbuf, p->tot_len, 0);
	udp_got++;
	pbuf_free(p);
}

static double udp_rr(void)
{
	struct udp_pcb *cli = udp_new();
	long n = 0;
	double t0, t;

	udp_srv = udp_new();
	udp_bind_netif(udp_srv, &nif[1]);
	udp_bind_netif(cli, &nif[0]);
	udp_bind(udp_srv, &ipb, 5004);
	udp_recv(udp_srv, udp_echo_cb, NULL);
	udp_bind(cli, &ipa, 0);
	udp_connect(cli, &ipb, 5004);
	udp_recv(cli, udp_count_cb, NULL);
	t0 = now_s();
	do {
		for (int i = 0; i < 256; i++, n++) {
			long want = udp_got + 1;
			struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 1, PBUF_RAM);

			((char *)p->payload)[0] = 'x';
			udp_send(cli, p);
			pbuf_free(p);
			while (udp_got < want)
				run();
		}
		t = now_s() - t0;
	} while (t < RR_SECONDS);
	udp_remove(cli);
	udp_remove(udp_srv);
	return (double)n / t;
}

static double udp_oneway(void)
{
	struct udp_pcb *cli = udp_new(), *srv = udp_new();
	double t0;

	udp_got = 0;
	udp_bind_netif(srv, &nif[1]);
	udp_bind_netif(cli, &nif[0]);
	udp_bind(srv, &ipb, 5005);
	udp_recv(srv, udp_count_cb, NULL);
	udp_bind(cli, &ipa, 0);
	udp_connect(cli, &ipb, 5005);
	t0 = now_s();
	for (long i = 0; i < UDP_ONEWAY; i++) {
		struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 64, PBUF_RAM);

		memset(p->payload, 0, 64);
		udp_send(cli, p);
		pbuf_free(p);
		if ((i & 63) == 63)
			run();
	}
	run();
	t0 = now_s() - t0;
	udp_remove(cli);
	udp_remove(srv);
	return (double)udp_got / t0;
}

int main(int argc, char **argv)
{
	double r[6];

	if (argc < 2 || strcmp(argv[1], "--child")) {
		printf("bench_tcp_lwip: the lwIP column of bench_tcp (run bench_tcp)\n");
		return 0;
	}
	setup();
	r[0] = tput(5001, BULK_BYTES, 120);
	r[1] = rr();
	r[2] = crr();
	r[3] = mem();
	r[4] = udp_rr();
	r[5] = udp_oneway();
	printf("lwip %.6g %.6g %.6g %.6g %.6g %.6g\n", r[0], r[1], r[2], r[3], r[4], r[5]);
	printf("extra tcp_throughput_loss1 %.6g\n", tput_loss(5011, 1, LOSS1_SECONDS));
	printf("extra tcp_throughput_loss5 %.6g\n", tput_loss(5012, 5, LOSS5_SECONDS));
	if (wires[0].drops + wires[1].drops)
		printf("  lwip: %lu packets dropped on the in-memory link\n",
		       wires[0].drops + wires[1].drops);
	return 0;
}
