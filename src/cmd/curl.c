/* curl.c - `curl [-s] [-o FILE] [-m SECONDS] http://A.B.C.D[:PORT]/PATH`:
 * an HTTP/1.1 GET on the stack's own TCP (src/apps/http_client.c), run as
 * an asynchronous job (include/nstack/cmd.h) like ping: the command
 * returns -EINPROGRESS and the caller runs the loop and polls. The body
 * goes to FILE or is only counted. Without -s a progress line is printed
 * every second; at the end a summary with what
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

struct curl_job {
	struct ns_cmd_job job;		/* first: the generic job */
	struct http_xfer *x;
	struct timer_list timer;	/* progress lines and the -m deadline */
	uint64_t deadline;
	unsigned long max_s;
	bool silent;
};

struct curl_opts {
	const char *url, *out_path;
	bool silent;
	unsigned long max_s;
};

static int parse_curl(struct cmd_ctx *c, int argc, char **argv, struct curl_opts *o)
{
	o->max_s = 600;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--silent")) {
			o->silent = true;
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
		return cmd_err(c, -EINVAL, "usage: curl [-s] [-o FILE] [-m SECONDS] http://ADDR[:PORT]/PATH");
	return 0;
}

static void curl_done(struct http_xfer *x, void *ctx)
{
	struct curl_job *cj = ctx;
	struct ns_out *o = &cj->job.out;
	double secs = (double)(x->t_end - x->t_start) / 1e9;
	double bps = secs > 0 ? (double)x->body / secs : 0;

	del_timer(&cj->timer);
	if (!x->err || !cj->silent)
		ns_out_printf(o, "http_code %d size_download %llu time_total %.3f speed_download %.0f (%.1f Mbit/s)\n",
			      x->status, (unsigned long long)x->body, secs, bps, bps * 8 / 1e6);
	cj->job.rc = x->err;
	if (x->err == -ETIMEDOUT)
		snprintf(o->err, sizeof(o->err), "curl: (28) Operation timed out after %lu seconds",
			 cj->max_s);
	else if (x->err)
		snprintf(o->err, sizeof(o->err), "curl: (56) %s", x->errmsg);
	cj->job.done = true;
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
		ns_out_printf(&cj->job.out, "progress %llu bytes %.1f s\n",
			      (unsigned long long)cj->x->body, (double)(now - cj->x->t_start) / 1e9);
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
	cj->max_s = o.max_s;
	cj->x->on_done = curl_done;
	cj->x->ctx = cj;
	cj->deadline = ns_now(c->stack) + o.max_s * 1000000000ULL;
	timer_setup(&cj->timer, c->stack, curl_timer);
	mod_timer(&cj->timer, NS_MIN(ns_now(c->stack) + CURL_PROGRESS_NS, cj->deadline));
	c->out->job = &cj->job;
	return -EINPROGRESS;
}
