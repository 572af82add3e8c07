/* serve.c - `serve`: start, stop and list nstack's own services
 * (src/apps): echo, discard (TCP and UDP), chargen (TCP), http (a static
 * file server).
 *
 *   serve                          list services and their counters
 *   serve echo|discard|chargen PORT [max N] [ipv6]
 *   serve http PORT DIR [max N] [ipv6]   (ipv6: TCP on [::], IPv4 too)
 *   serve stop echo|discard|chargen|http PORT */
#include <errno.h>
#include <string.h>

#include "apps/apps.h"
#include "cmd/cmd.h"

static int parse_kind(const char *w, enum app_kind *kind)
{
	static const char *const names[] = { "echo", "discard", "chargen", "http" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(w, names[i])) {
			*kind = (enum app_kind)i;
			return 0;
		}
	return -EINVAL;
}

static void list_services(struct cmd_ctx *c)
{
	struct netns_apps *a = c->stack->apps;
	struct app_service *svc;

	ns_out_printf(c->out, "%-8s %-5s %-5s %7s %9s %8s %12s %12s %s\n", "Service", "Proto", "Port",
		      "Conns", "Accepted", "Refused", "BytesIn", "BytesOut", "Extra");
	list_for_each_entry(svc, &a->services, node) {
		const struct app_stats *st = &svc->st;

		ns_out_printf(c->out, "%-8s %-5s %-5u %3u/%-3u %9llu %8llu %12llu %12llu",
			      app_kind_name(svc->kind), svc->type == SOCK_STREAM ? "tcp" : "udp",
			      svc->port, svc->nr_conns, svc->max_conns,
			      (unsigned long long)st->accepted, (unsigned long long)st->refused,
			      (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out);
		if (svc->type == SOCK_DGRAM)
			ns_out_printf(c->out, " datagrams %llu/%llu dropped %llu",
				      (unsigned long long)st->datagrams_in,
				      (unsigned long long)st->datagrams_out,
				      (unsigned long long)st->datagrams_dropped);
		if (svc->kind == APP_HTTP)
			ns_out_printf(c->out, " requests %llu errors %llu root %s",
				      (unsigned long long)st->requests, (unsigned long long)st->errors,
				      svc->root);
		ns_out_puts(c->out, "\n");
	}
}

int cmd_serve(struct cmd_ctx *c, int argc, char **argv)
{
	unsigned long port, max = 0;
	enum app_kind kind;
	bool stop = argc > 0 && !strcmp(argv[0], "stop");
	const char *dir = NULL;
	bool inet6 = false;
	char err[sizeof(c->out->err) - 16];
	int rc, i;

	if (argc == 0) {
		list_services(c);
		return 0;
	}
	if (stop) {
		argc--;
		argv++;
	}
	if (argc < 2 || parse_kind(argv[0], &kind))
		return cmd_err(c, -EINVAL, "usage: serve {echo|discard|chargen} PORT [max N] | "
					   "serve http PORT DIR [max N] | serve stop KIND PORT");
	if (cmd_parse_uint(argv[1], 65535, &port) || port == 0)
		return cmd_err(c, -EINVAL, "invalid port \"%s\"", argv[1]);
	if (stop) {
		if (argc != 2)
			return cmd_err(c, -EINVAL, "usage: serve stop KIND PORT");
		rc = c->stack->apps ? app_serve_stop(c->stack, kind, (uint16_t)port) : -ENOENT;
		return rc ? cmd_err(c, rc, "no %s service on port %lu", argv[0], port) : 0;
	}
	i = 2;
	if (kind == APP_HTTP) {
		if (argc < 3)
			return cmd_err(c, -EINVAL, "usage: serve http PORT DIR [max N]");
		dir = argv[i++];
	}
	if (i < argc && !strcmp(argv[argc - 1], "ipv6")) {
		inet6 = true;
		argc--;
	}
	if (i < argc) {
		if (strcmp(argv[i], "max") || i + 2 != argc ||
		    cmd_parse_uint(argv[i + 1], APP_MAX_CONNS_LIMIT, &max) || max == 0)
			return cmd_err(c, -EINVAL, "expected \"max N\" (1..%u) after the arguments",
				       APP_MAX_CONNS_LIMIT);
	}
	rc = app_serve_start6(c->stack, kind, (uint16_t)port, dir, (unsigned int)max, inet6, err,
			      sizeof(err));
	return rc ? cmd_err(c, rc, "%s", err) : 0;
}
