/* exec.c - ns_exec: split a line, find the command in the dispatch table,
 * parse iproute2's global options, run the handler. The table lists every
 * command nstack answers to; commands whose protocol layer is not built
 * yet are refused by name. Adding one is one line: give it a handler. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"

/* Order matters where abbreviations overlap: iproute2 takes the first
 * match ("ip a" is address, "ip n" is neighbour). */
static const struct cmd_entry cmd_table[] = {
	{ "ip", "link", "ip link", cmd_ip_link, NULL },
	{ "ip", "address", "ip addr", cmd_ip_addr, NULL },
	{ "ip", "route", "ip route", cmd_ip_route, NULL },
	{ "ip", "rule", "ip rule", NULL, "policy routing" },
	{ "ip", "neighbour", "ip neigh", cmd_ip_neigh, NULL },
	{ "ip", "neighbor", "ip neigh", cmd_ip_neigh, NULL },
	{ "ip", "maddress", "ip maddr", NULL, "the IPv4 layer" },
	{ "tc", "qdisc", "tc qdisc", cmd_tc_qdisc, NULL },
	{ "tc", "class", "tc class", NULL, "classful queueing" },
	{ "tc", "filter", "tc filter", NULL, "traffic classifiers" },
	{ "sysctl", NULL, "sysctl", cmd_sysctl, NULL },
	{ "cat", NULL, "cat", cmd_cat, NULL },
	{ "ls", NULL, "ls", cmd_ls, NULL },
	{ "ss", NULL, "ss", cmd_ss, NULL },
	{ "bridge", "link", "bridge link", cmd_bridge_link, NULL },
	{ "bridge", "fdb", "bridge fdb", cmd_bridge_fdb, NULL },
	{ "bridge", "vlan", "bridge vlan", cmd_bridge_vlan, NULL },
	{ "ebtables", NULL, "ebtables", cmd_ebtables, NULL },
	{ "ethtool", NULL, "ethtool", cmd_ethtool, NULL },
	{ "nft", NULL, "nft", cmd_nft, NULL },
	{ "serve", NULL, "serve", cmd_serve, NULL },
	{ "ping", NULL, "ping", cmd_ping, NULL },
	{ "curl", NULL, "curl", cmd_curl, NULL },
};

int cmd_err(struct cmd_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->out->err, sizeof(c->out->err), "%s: ", c->name);

	if (n < 0 || (size_t)n >= sizeof(c->out->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->out->err + n, sizeof(c->out->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

bool cmd_matches(const char *word, const char *full)
{
	size_t n = strlen(word);

	return n > 0 && n <= strlen(full) && strncmp(word, full, n) == 0;
}

bool ns_cmd_known(const char *word)
{
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (strcmp(cmd_table[i].cmd, word) == 0)
			return true;
	return false;
}

int cmd_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;
	unsigned long x;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (*end || errno || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int cmd_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3] == '+' || s[i * 3] == '-')
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

struct net_device *cmd_dev(struct cmd_ctx *c, const char *name)
{
	return dev_get_by_name(c->stack, name);
}

/* iproute2's options before the object: -s -j -d -br (and long forms). */
static int parse_options(struct cmd_ctx *c, int *argc, char ***argv)
{
	while (*argc > 0 && (*argv)[0][0] == '-') {
		const char *o = (*argv)[0] + 1;

		if (*o == '-')
			o++;
		if (!strcmp(o, "s") || cmd_matches(o, "statistics") || !strcmp(o, "ss"))
			c->stats += !strcmp(o, "ss") ? 2 : 1;
		else if (!strcmp(o, "j") || cmd_matches(o, "json"))
			c->json = true;
		else if (!strcmp(o, "d") || cmd_matches(o, "details"))
			c->details = true;
		else if (!strcmp(o, "br") || cmd_matches(o, "brief"))
			c->brief = true;
		else if (!strcmp(o, "4"))
			c->family = AF_INET;
		else if (!strcmp(o, "6"))
			c->family = AF_INET6;
		else
			return cmd_err(c, -EINVAL, "Option \"%s\" is unknown, try \"%s -help\"",
				       (*argv)[0], c->name);
		(*argc)--;
		(*argv)++;
	}
	return 0;
}

static int run_entry(struct cmd_ctx *c, const struct cmd_entry *e, int argc, char **argv)
{
	c->name = e->name;
	if (!e->fn)
		return cmd_err(c, -EOPNOTSUPP, "%s is not built yet", e->layer);
	return e->fn(c, argc, argv);
}

/* Commands with an object word: ip, tc. */
static int dispatch_object(struct cmd_ctx *c, const char *cmd, int argc, char **argv)
{
	int rc = parse_options(c, &argc, &argv);

	if (rc)
		return rc;
	if (argc == 0 || !strcmp(argv[0], "help"))
		return cmd_err(c, -EINVAL, "usage: %s [-s] [-j] [-br] OBJECT COMMAND... (see docs/cli.md)",
			       cmd);
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
		const struct cmd_entry *e = &cmd_table[i];

		if (strcmp(e->cmd, cmd) == 0 && e->obj && cmd_matches(argv[0], e->obj))
			return run_entry(c, e, argc - 1, argv + 1);
	}
	return cmd_err(c, -EINVAL, "Object \"%s\" is unknown, try \"%s help\"", argv[0], cmd);
}

int ns_exec_argv(struct ns_stack *stack, int argc, char **argv, struct ns_out *out)
{
	struct cmd_ctx c = { .stack = stack, .out = out, .name = argc > 0 ? argv[0] : "" };

	out->err[0] = 0;
	if (argc == 0)
		return 0;
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
		const struct cmd_entry *e = &cmd_table[i];

		if (strcmp(e->cmd, argv[0]) != 0)
			continue;
		if (e->obj)
			return dispatch_object(&c, argv[0], argc - 1, argv + 1);
		return run_entry(&c, e, argc - 1, argv + 1);
	}
	return cmd_err(&c, -ENOENT,
		       "unknown command (known: ip, tc, sysctl, cat, ls, ss, bridge, ebtables, nft, serve, ping, curl)");
}

int ns_exec(struct ns_stack *stack, const char *line, struct ns_out *out)
{
	size_t len = strlen(line);
	char *argv[CMD_MAX_WORDS + 1];
	const char *why = NULL;
	char *buf;
	int argc, rc;

	out->err[0] = 0;
	if (len > CMD_MAX_LINE) {
		snprintf(out->err, sizeof(out->err), "line too long (%zu bytes, limit %d)", len,
			 CMD_MAX_LINE);
		return -E2BIG;
	}
	buf = malloc(len + 1);
	if (!buf) {
		snprintf(out->err, sizeof(out->err), "out of memory");
		return -ENOMEM;
	}
	rc = cmd_split(line, buf, argv, CMD_MAX_WORDS, &argc, &why);
	if (rc)
		snprintf(out->err, sizeof(out->err), "%s", why);
	else
		rc = ns_exec_argv(stack, argc, argv, out);
	free(buf);
	return rc;
}

int ns_exec_job_poll(struct ns_cmd_job *job, struct ns_out *out)
{
	int rc;

	if (job->out.len)
		ns_out_puts(out, ns_out_text(&job->out));
	if (!job->done) {
		ns_out_reset(&job->out);
		return -EINPROGRESS;
	}
	rc = job->rc;
	memcpy(out->err, job->out.err, sizeof(out->err));
	if (out->job == job)
		out->job = NULL;
	job->destroy(job);
	return rc;
}

void ns_exec_job_cancel(struct ns_cmd_job *job)
{
	if (job)
		job->destroy(job);
}

/* Prefix the message of a failed line with FILE:LINE. */
static void err_at(struct ns_out *out, const char *path, unsigned int lineno)
{
	char msg[sizeof(out->err)];
	int n;

	memcpy(msg, out->err, sizeof(msg));
	n = snprintf(out->err, sizeof(out->err), "%s:%u: ", path, lineno);
	if (n < 0 || (size_t)n >= sizeof(out->err))
		return;
	memcpy(out->err + n, msg, sizeof(out->err) - (size_t)n - 1);
	out->err[sizeof(out->err) - 1] = 0;
}

/* Read one logical line (backslash-newline joins lines) into *line. */
static ssize_t read_logical(FILE *f, char **line, size_t *cap, unsigned int *lines)
{
	size_t len = 0;

	for (;;) {
		char *part = NULL;
		size_t pcap = 0;
		ssize_t n = getline(&part, &pcap, f);

		if (n < 0) {
			free(part);
			return len ? (ssize_t)len : -1;
		}
		(*lines)++;
		while (n > 0 && (part[n - 1] == '\n' || part[n - 1] == '\r'))
			part[--n] = 0;
		bool cont = n > 0 && part[n - 1] == '\\';

		if (cont)
			part[--n] = 0;
		if (len + (size_t)n + 2 > *cap) {
			char *nb = realloc(*line, len + (size_t)n + 2);

			if (!nb) {
				free(part);
				return -2;
			}
			*line = nb;
			*cap = len + (size_t)n + 2;
		}
		memcpy(*line + len, part, (size_t)n + 1);
		len += (size_t)n;
		if (cont)
			(*line)[len++] = ' ';
		(*line)[len] = 0;
		free(part);
		if (!cont)
			return (ssize_t)len;
	}
}

int ns_exec_file(struct ns_stack *stack, const char *path, struct ns_out *out)
{
	FILE *f = fopen(path, "r");
	unsigned int lines = 0, start;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	out->err[0] = 0;
	if (!f) {
		rc = -errno;
		snprintf(out->err, sizeof(out->err), "%s: %s", path, strerror(-rc));
		return rc;
	}
	for (;;) {
		ssize_t n;

		start = lines + 1;
		n = read_logical(f, &line, &cap, &lines);
		if (n == -1)
			break;
		if (n == -2) {
			rc = -ENOMEM;
			snprintf(out->err, sizeof(out->err), "out of memory");
			err_at(out, path, start);
			break;
		}
		rc = ns_exec(stack, line, out);
		if (rc == -EINPROGRESS) {
			/* nothing runs the loop here: a file cannot wait for a job */
			ns_exec_job_cancel(out->job);
			out->job = NULL;
			snprintf(out->err, sizeof(out->err),
				 "this command runs in the background: use -e or the control socket");
			rc = -EINVAL;
		}
		if (rc) {
			err_at(out, path, start);
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}
