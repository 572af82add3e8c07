/* curl.c - `curl [-s] [-i] [-o FILE] [-m SECONDS] http://A.B.C.D[:PORT]/PATH`:
 * an HTTP/1.1 GET on the stack's own TCP (src/apps/http_client.c), run as
 * an asynchronous job (include/nstack/cmd.h) like ping: the command
 * returns -EINPROGRESS and the caller runs the loop and polls. The body
 * goes to FILE or is only counted; -i prints the response head and (without
 * -o) the first CURL_SHOW_MAX bytes of the body. Without -s a progress line
 * is printed every second of the stack's clock (so virtual time gives the
 * same lines every run), with a bar when Content-Length is known:
 *
 *   progress 3801088 bytes 1.0 s [#########...........]  45% 30.4 Mbit/s
 *
 * At the end a summary with what
 * `curl -w '%{http_code} %{size_download} %{time_total} %{speed_download}'`
 * reports:
 *
 *   http_code 200 size_download 1048576 time_total 0.052 speed_download 20164923 (161.3 Mbit/s) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "cmd/cmd.h"
#include "core/timer.h"

#define CURL_PROGRESS_NS 1000000000ULL
#define CURL_SHOW_MAX 4096		/* -i: body bytes shown */
#define CURL_BAR 20

struct curl_job {
	struct ns_cmd_job job;		/* first: the generic job */
	struct http_xfer *x;
	struct timer_list timer;	/* progress lines and the -m deadline */
	uint64_t deadline;
	unsigned long max_s;
	bool silent;
	bool include;			/* -i */
	bool show_body;			/* -i without -o */
	bool head_shown;
	uint64_t shown;			/* body bytes printed */
	char last;			/* the last one */
};

struct curl_opts {
	const char *url, *out_path;
	bool silent, include;
	unsigned long max_s;
};

static int parse_curl(struct cmd_ctx *c, int argc, char **argv, struct curl_opts *o)
{
	o->max_s = 600;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--silent")) {
			o->silent = true;
		} else if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--include")) {
			o->include = true;
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i == argc)
				return cmd_err(c, -EINVAL, "option -o: requires parameter");
			o->out_path = argv[i];
		} else if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--max-time")) {
			if (++i == argc || cmd_parse_uint(argv[i], 86400, &o->max_s) || !o->max_s)
				return cmd_err(c, -EINVAL, "option -m: expected seconds (1..86400)");
		} else if (argv[i][0] == '-') {
			return cmd_err(c, -EINVAL, "option %s: is unknown", argv[i]);
		} else if (o->url) {
			return cmd_err(c, -EINVAL, "one URL only");
		} else {
			o->url = argv[i];
		}
	}
	if (!o->url)
		return cmd_err(c, -EINVAL, "usage: curl [-s] [-i] [-o FILE] [-m SECONDS] http://ADDR[:PORT]/PATH");
	return 0;
}

/* -i: the status line and headers as received, CRLF shown as LF */
static void show_head(struct curl_job *cj)
{
	const char *h = cj->x->hdr, *end = strstr(h, "\r\n\r\n");

	if (cj->head_shown || !cj->include || !cj->x->hdr_done || !end)
		return;
	cj->head_shown = true;
	while (h <= end + 2) {	/* the blank line too */
		const char *eol = strstr(h, "\r\n");

		ns_out_printf(&cj->job.out, "%.*s\n", (int)(eol - h), h);
		h = eol + 2;
	}
}

static void curl_body(struct http_xfer *x, const uint8_t *data, size_t len, void *ctx)
{
	struct curl_job *cj = ctx;
	size_t n;

	(void)x;
	show_head(cj);
	if (!cj->show_body || cj->shown >= CURL_SHOW_MAX)
		return;
	n = (size_t)NS_MIN((uint64_t)len, CURL_SHOW_MAX - cj->shown);
	ns_out_printf(&cj->job.out, "%.*s", (int)n, (const char *)data);
	cj->shown += n;
	if (n)
		cj->last = (char)data[n - 1];
}

static void curl_done(struct http_xfer *x, void *ctx)
{
	struct curl_job *cj = ctx;
	struct ns_out *o = &cj->job.out;
	double secs = (double)(x->t_end - x->t_start) / 1e9;
	double bps = secs > 0 ? (double)x->body / secs : 0;

	del_timer(&cj->timer);
	show_head(cj);
	if (cj->shown && x->body > cj->shown)
		ns_out_printf(o, "\n[%llu more bytes not shown]",
			      (unsigned long long)(x->body - cj->shown));
	if (cj->shown && (x->body > cj->shown || cj->last != '\n'))
		ns_out_puts(o, "\n");
	if (!x->err)	/* on failure the error line says it all, as curl */
		ns_out_printf(o, "http_code %d size_download %llu time_total %.3f speed_download %.0f (%.1f Mbit/s)\n",
			      x->status, (unsigned long long)x->body, secs, bps, bps * 8 / 1e6);
	cj->job.rc = x->err;
	if (x->err == -ETIMEDOUT)
		snprintf(o->err, sizeof(o->err), "curl: (28) Operation timed out after %lu seconds",
			 cj->max_s);
	else if (x->err == -ECONNREFUSED || x->err == -EHOSTUNREACH || x->err == -ENETUNREACH)
		snprintf(o->err, sizeof(o->err), "curl: (7) Failed to connect: %s", x->errmsg);
	else if (x->err)
		snprintf(o->err, sizeof(o->err), "curl: (56) %s", x->errmsg);
	cj->job.done = true;
}

/* "progress BYTES bytes SECONDS s" (scripts read the first two words),
 * then a bar and the percentage when the size is known, then the mean rate */
static void progress_line(struct curl_job *cj, uint64_t now)
{
	const struct http_xfer *x = cj->x;
	struct ns_out *o = &cj->job.out;
	double secs = (double)(now - x->t_start) / 1e9;

	ns_out_printf(o, "progress %llu bytes %.1f s", (unsigned long long)x->body, secs);
	if (x->content_length > 0) {
		unsigned int pct = (unsigned int)(x->body * 100 / (uint64_t)x->content_length);
		unsigned int fill = pct * CURL_BAR / 100;
		char bar[CURL_BAR + 1];

		memset(bar, '#', fill);
		memset(bar + fill, '.', CURL_BAR - fill);
		bar[CURL_BAR] = 0;
		ns_out_printf(o, " [%s] %3u%%", bar, pct);
	}
	ns_out_printf(o, " %.1f Mbit/s\n", secs > 0 ? (double)x->body * 8 / secs / 1e6 : 0.0);
}

static void curl_timer(struct timer_list *t)
{
	struct curl_job *cj = from_timer(cj, t, timer);
	uint64_t now = ns_now(cj->job.stack);

	if (now >= cj->deadline) {
		http_xfer_finish(cj->x, -ETIMEDOUT, NULL);
		return;
	}
	if (!cj->silent)
		progress_line(cj, now);
	mod_timer(t, NS_MIN(now + CURL_PROGRESS_NS, cj->deadline));
}

static void curl_destroy(struct ns_cmd_job *job)
{
	struct curl_job *cj = (struct curl_job *)job;

	del_timer(&cj->timer);
	http_xfer_free(cj->x);
	ns_out_free(&job->out);
	free(cj);
}

int cmd_curl(struct cmd_ctx *c, int argc, char **argv)
{
	struct curl_opts o = { 0 };
	struct curl_job *cj;
	char msg[256];
	int rc = parse_curl(c, argc, argv, &o);

	if (rc)
		return rc;
	cj = calloc(1, sizeof(*cj));
	if (!cj)
		return cmd_err(c, -ENOMEM, "out of memory");
	cj->x = http_xfer_start(c->stack, o.url, o.out_path, &rc, msg, sizeof(msg));
	if (!cj->x) {
		free(cj);
		return cmd_err(c, rc, "(7) %s", msg);
	}
	ns_out_init(&cj->job.out);
	cj->job.stack = c->stack;
	cj->job.destroy = curl_destroy;
	cj->silent = o.silent;
	cj->include = o.include;
	cj->show_body = o.include && !o.out_path;
	cj->max_s = o.max_s;
	cj->x->on_done = curl_done;
	cj->x->on_body = curl_body;
	cj->x->ctx = cj;
	cj->deadline = ns_now(c->stack) + o.max_s * 1000000000ULL;
	timer_setup(&cj->timer, c->stack, curl_timer);
	mod_timer(&cj->timer, NS_MIN(ns_now(c->stack) + CURL_PROGRESS_NS, cj->deadline));
	c->out->job = &cj->job;
	return -EINPROGRESS;
}
