/* plot.c - `nstack lab --plot DIR`: every plot_interval_ms of lab time,
 * TCP_INFO of every established TCP socket of every node (walking
 * stack->tcp->all, src/ipv4/tcp.h); at the end one SVG per flow, drawn by
 * hand: congestion window, smoothed RTT and throughput (bytes acked per
 * interval) over time, three panels. The flow is plotted from its sender's
 * side (the socket that got the most bytes acked). Numbers are printed
 * with fixed precision, so the same seed writes the same bytes. */
#include <errno.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/stack.h"
#include "ipv4/tcp.h"
#include "lab/lab.h"

#define PLOT_MIN_BYTES 65536	/* flows that moved less are not plotted */
#define PLOT_MAX_SAMPLES 1000000

struct plot_sample {
	uint64_t t;		/* ns */
	uint32_t cwnd;		/* segments */
	uint32_t rtt_us;
	uint64_t acked;		/* bytes */
};

struct plot_flow {
	unsigned int node;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	struct plot_sample *s;
	size_t n, cap;
};

struct lab_plot {
	struct plot_flow *flows;
	size_t n, cap;
	uint64_t interval, next;
};

int lab_plot_init(struct ns_lab *lab)
{
	lab->plot = calloc(1, sizeof(*lab->plot));
	if (!lab->plot)
		return -ENOMEM;
	lab->plot->interval = (uint64_t)lab->cfg.plot_interval_ms * 1000000ULL;
	lab->plot->next = 0;
	return 0;
}

void lab_plot_free(struct ns_lab *lab)
{
	for (size_t i = 0; i < lab->plot->n; i++)
		free(lab->plot->flows[i].s);
	free(lab->plot->flows);
	free(lab->plot);
	lab->plot = NULL;
}

uint64_t lab_plot_deadline(struct ns_lab *lab)
{
	return lab->plot->next;
}

static struct plot_flow *flow_get(struct lab_plot *p, unsigned int node, const struct inet_sock *in)
{
	for (size_t i = 0; i < p->n; i++) {
		struct plot_flow *f = &p->flows[i];

		if (f->node == node && f->saddr == in->inet_rcv_saddr && f->sport == in->inet_num &&
		    f->daddr == in->inet_daddr && f->dport == in->inet_dport)
			return f;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct plot_flow *nf = realloc(p->flows, cap * sizeof(*nf));

		if (!nf)
			return NULL;
		p->flows = nf;
		p->cap = cap;
	}
	p->flows[p->n] = (struct plot_flow){ .node = node, .saddr = in->inet_rcv_saddr,
					     .sport = in->inet_num, .daddr = in->inet_daddr,
					     .dport = in->inet_dport };
	return &p->flows[p->n++];
}

static void flow_add(struct plot_flow *f, uint64_t t, const struct tcp_info *ti)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct plot_sample *ns;

		if (cap > PLOT_MAX_SAMPLES)
			return;
		ns = realloc(f->s, cap * sizeof(*ns));
		if (!ns)
			return;
		f->s = ns;
		f->cap = cap;
	}
	f->s[f->n++] = (struct plot_sample){ .t = t, .cwnd = ti->tcpi_snd_cwnd,
					     .rtt_us = ti->tcpi_rtt, .acked = ti->tcpi_bytes_acked };
}

static void sample_node(struct lab_plot *p, unsigned int idx, struct ns_stack *s, uint64_t now)
{
	struct tcp_sock *tp;

	if (!s->tcp)
		return;
	list_for_each_entry(tp, &s->tcp->all, all_node) {
		struct tcp_info ti;
		struct plot_flow *f;

		if (tp_sk(tp)->sk_state != TCP_ESTABLISHED)
			continue;
		tcp_get_info(tp, &ti);
		f = flow_get(p, idx, &tp->inet);
		if (f)
			flow_add(f, now, &ti);
	}
}

void lab_plot_sample(struct ns_lab *lab)
{
	struct lab_plot *p = lab->plot;
	uint64_t now;

	if (!p)
		return;
	now = ns_lab_now(lab);
	if (now < p->next)
		return;
	for (unsigned int i = 0; i < lab->nnodes; i++)
		sample_node(p, i, lab->nodes[i].stack, now);
	p->next = now - now % p->interval + p->interval;
}

/* ---- SVG ---- */
#define W 800
#define PANEL_H 180
#define LEFT 70
#define RIGHT 20
#define TOP 40
#define GAP 30

static double nice_max(double v)
{
	double m = 1;

	if (v <= 0)
		return 1;
	while (m < v)
		m *= 10;
	if (m / 5 >= v)
		return m / 5;
	if (m / 2 >= v)
		return m / 2;
	return m;
}

typedef double (*plot_val_fn)(const struct plot_flow *f, size_t i);

static double val_cwnd(const struct plot_flow *f, size_t i)
{
	return f->s[i].cwnd;
}

static double val_rtt(const struct plot_flow *f, size_t i)
{
	return f->s[i].rtt_us / 1000.0;
}

static double val_tput(const struct plot_flow *f, size_t i)
{
	if (i == 0 || f->s[i].t <= f->s[i - 1].t)
		return 0;
	return (double)(f->s[i].acked - f->s[i - 1].acked) * 8e3 / (double)(f->s[i].t - f->s[i - 1].t);
}

static void panel(FILE *o, const struct plot_flow *f, int y0, const char *title, const char *unit,
		  plot_val_fn val, double tspan)
{
	double vmax = 0;
	int x1 = W - RIGHT, y1 = y0 + PANEL_H;

	for (size_t i = 0; i < f->n; i++)
		if (val(f, i) > vmax)
			vmax = val(f, i);
	vmax = nice_max(vmax);
	fprintf(o, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", LEFT,
		y0 - 6, title);
	fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n",
		LEFT, y0, x1 - LEFT, PANEL_H);
	for (int k = 0; k <= 4; k++) {
		int y = y1 - k * PANEL_H / 4, x = LEFT + k * (x1 - LEFT) / 4;

		fprintf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n", LEFT, y, x1, y);
		fprintf(o, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.4g</text>\n",
			LEFT - 4, y + 3, vmax * k / 4);
		fprintf(o, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%.3f</text>\n", x,
			y1 + 12, tspan * k / 4);
	}
	fprintf(o, "<text x=\"14\" y=\"%d\" font-size=\"10\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>\n",
		y0 + PANEL_H / 2, y0 + PANEL_H / 2, unit);
	fprintf(o, "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.2\" points=\"");
	for (size_t i = 0; i < f->n; i++) {
		double x = LEFT + (tspan > 0 ? (double)(f->s[i].t - f->s[0].t) / 1e9 / tspan : 0) * (x1 - LEFT);
		double y = y1 - val(f, i) / vmax * PANEL_H;

		fprintf(o, "%.1f,%.1f ", x, y);
	}
	fprintf(o, "\"/>\n");
}

static void addr(char *b, size_t len, uint32_t a)
{
	snprintf(b, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int write_flow(struct ns_lab *lab, const struct plot_flow *f)
{
	char path[512], sa[16], da[16];
	int h = TOP + 3 * (PANEL_H + GAP + 20) + 10;
	double tspan;
	FILE *o;

	addr(sa, sizeof(sa), f->saddr);
	addr(da, sizeof(da), f->daddr);
	snprintf(path, sizeof(path), "%s/%s-%s_%u-%s_%u.svg", lab->cfg.plot_dir,
		 lab->nodes[f->node].name, sa, f->sport, da, f->dport);
	o = fopen(path, "w");
	if (!o)
		return lab_err(lab, -errno, "%s: %s", path, strerror(errno));
	tspan = (double)(f->s[f->n - 1].t - f->s[0].t) / 1e9;
	fprintf(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">\n",
		W, h);
	fprintf(o, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(o, "<text x=\"%d\" y=\"20\" font-size=\"15\">TCP %s:%u -&gt; %s:%u (sender: node %s), %zu samples, %.3f s, time axis in s</text>\n",
		LEFT, sa, f->sport, da, f->dport, lab->nodes[f->node].name, f->n, tspan);
	panel(o, f, TOP + 10, "congestion window", "segments", val_cwnd, tspan);
	panel(o, f, TOP + 10 + PANEL_H + GAP + 20, "smoothed RTT", "ms", val_rtt, tspan);
	panel(o, f, TOP + 10 + 2 * (PANEL_H + GAP + 20), "throughput (bytes acked per interval)",
	      "Mbit/s", val_tput, tspan);
	fprintf(o, "</svg>\n");
	return fclose(o) ? -EIO : 0;
}

/* The socket of the same connection seen from the other end. */
static const struct plot_flow *peer_of(const struct lab_plot *p, const struct plot_flow *f)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plot_flow *g = &p->flows[i];

		if (g->saddr == f->daddr && g->sport == f->dport && g->daddr == f->saddr &&
		    g->dport == f->sport)
			return g;
	}
	return NULL;
}

static uint64_t acked(const struct plot_flow *f)
{
	return f->n ? f->s[f->n - 1].acked : 0;
}

int lab_plot_write(struct ns_lab *lab)
{
	struct lab_plot *p = lab->plot;
	int rc = 0;

	lab_mkdirs(lab->cfg.plot_dir);
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct plot_flow *f = &p->flows[i], *peer = peer_of(p, f);

		if (f->n < 2 || acked(f) < PLOT_MIN_BYTES)
			continue;
		if (peer && (acked(peer) > acked(f) || (acked(peer) == acked(f) && peer < f)))
			continue;
		rc = write_flow(lab, f);
	}
	return rc;
}
