/* curl.c - `curl [-s] [-o FILE] [-m SECONDS] http://A.B.C.D[:PORT]/PATH`:
 * an HTTP/1.1 GET on the stack's own TCP (src/apps/http_client.c). The
 * body goes to FILE or is only counted; the summary line is what
 * `curl -w '%{http_code} %{size_download} %{speed_download}'` reports:
 *
 *   http_code 200 size_download 1048576 time_total 0.052 speed_download 20164923 (161.3 Mbit/s)
 *
 * The transfer runs synchronously: the command drives the stack loop
 * itself until the transfer ends or -m passes, so use it where the caller
 * is not the loop (`nstack up -e`, -f files, embedders, tests). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "cmd/cmd.h"

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

static void print_summary(struct ns_out *out, const struct http_xfer *x)
{
	double secs = (double)(x->t_end - x->t_start) / 1e9;
	double bps = secs > 0 ? (double)x->body / secs : 0;

	ns_out_printf(out,
		      "http_code %d size_download %llu time_total %.3f speed_download %.0f (%.1f Mbit/s)\n",
		      x->status, (unsigned long long)x->body, secs, bps, bps * 8 / 1e6);
}

int cmd_curl(struct cmd_ctx *c, int argc, char **argv)
{
	struct curl_opts o = { 0 };
	struct http_xfer *x;
	uint64_t deadline;
	char msg[256];
	int rc = parse_curl(c, argc, argv, &o);

	if (rc)
		return rc;
	if (c->stack->apps && c->stack->apps->dispatching)
		return cmd_err(c, -EDEADLK, "cannot run from inside the stack loop");
	x = http_xfer_start(c->stack, o.url, o.out_path, &rc, msg, sizeof(msg));
	if (!x)
		return cmd_err(c, rc, "(7) %s", msg);
	deadline = ns_now(c->stack) + o.max_s * 1000000000ULL;
	/* on a virtual clock nothing happens once the stack is idle: stop */
	for (int idle = 0; !x->done && ns_now(c->stack) < deadline && idle < 1000;) {
		int n = ns_stack_run_once(c->stack, 100);

		if (n < 0)
			break;
		idle = n == 0 && !ns_stack_busy(c->stack) ? idle + 1 : 0;
	}
	if (!x->done) {
		http_xfer_free(x);
		return cmd_err(c, -ETIMEDOUT, "(28) Operation timed out after %lu seconds", o.max_s);
	}
	rc = x->err;
	if (!rc || !o.silent)
		print_summary(c->out, x);
	if (rc)
		cmd_err(c, rc, "(56) %s", x->errmsg);
	http_xfer_free(x);
	return rc;
}
