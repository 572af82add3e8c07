/* tc.c - `tc qdisc`: show root queueing disciplines in tc's text and JSON
 * shapes (-s adds the Sent/backlog lines), and add, replace, change or
 * delete a device's root qdisc. Disciplines are found by name in the
 * qdisc table (sched/sch_generic.c), so a new one works here as soon as it
 * is listed there. Linux counterparts: iproute2 tc/tc_qdisc.c,
 * net/sched/sch_api.c tc_modify_qdisc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "sched/sch_generic.h"

/* ---- show --------------------------------------------------------------------------- */
/* iproute2's sprint_size: 1514b, 15Kb, 2Mb */
static void fmt_size(char *buf, size_t len, uint32_t sz)
{
	uint64_t m = ((uint64_t)sz + 512 * 1024) / (1024 * 1024);
	uint64_t k = ((uint64_t)sz + 512) / 1024;
	int64_t dm = (int64_t)(m * 1024 * 1024) - sz, dk = (int64_t)(k * 1024) - sz;

	if (sz >= 1024 * 1024 && dm > -1024 && dm < 1024)
		snprintf(buf, len, "%lluMb", (unsigned long long)m);
	else if (sz >= 1024 && dk > -16 && dk < 16)
		snprintf(buf, len, "%lluKb", (unsigned long long)k);
	else
		snprintf(buf, len, "%ub", sz);
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_value(const char *s)
{
	return (*s >= '0' && *s <= '9') || *s == '-' || *s == '.';
}

/* "1000p" (a packet count) is a number, "5ms" stays a string. */
static void json_value_word(struct json *j, const char *key, char *v)
{
	size_t len = strlen(v);

	if (len > 1 && v[len - 1] == 'p') {
		v[len - 1] = 0;
		if (is_number(v)) {
			json_u64(j, key, strtoull(v, NULL, 10));
			return;
		}
		v[len - 1] = 'p';
	}
	json_str(j, key, v);
}

/* The discipline's dump ("limit 1000 delay 5ms") as a JSON object: a word
 * followed by numbers becomes a number or an array of numbers, by another
 * value a string, by nothing a true flag. */
static void options_json(struct json *j, char *dump)
{
	char *w[64];
	int n = 0;

	for (char *t = strtok(dump, " "); t && n < 64; t = strtok(NULL, " "))
		w[n++] = t;
	json_open(j, "options", '{');
	for (int i = 0; i < n;) {
		const char *key = w[i++];
		int k = i;

		while (k < n && is_number(w[k]))
			k++;
		if (k - i == 1) {
			json_u64(j, key, strtoull(w[i], NULL, 10));
		} else if (k - i > 1) {
			json_open(j, key, '[');
			for (int m = i; m < k; m++)
				json_u64(j, NULL, strtoull(w[m], NULL, 10));
			json_close(j, ']');
		} else if (i < n && is_value(w[i])) {
			json_value_word(j, key, w[i]);
			k = i + 1;
		} else {
			json_bool(j, key, true);
		}
		i = k;
	}
	json_close(j, '}');
}

static void qdisc_text(struct cmd_ctx *c, struct Qdisc *q, bool with_dev, const char *opts)
{
	struct ns_out *o = c->out;
	char backlog[32];

	ns_out_printf(o, "qdisc %s %x: ", q->ops->id, q->handle >> 16);
	if (with_dev)
		ns_out_printf(o, "dev %s ", q->dev->name);
	ns_out_printf(o, "root refcnt 2 %s\n", opts);
	if (!c->stats)
		return;
	fmt_size(backlog, sizeof(backlog), q->qstats.backlog);
	ns_out_printf(o, " Sent %llu bytes %llu pkt (dropped %u, overlimits %u requeues %u) \n"
			 " backlog %s %up requeues %u\n",
		      (unsigned long long)q->bstats.bytes, (unsigned long long)q->bstats.packets,
		      q->qstats.drops, q->qstats.overlimits, q->qstats.requeues, backlog,
		      q->qstats.qlen, q->qstats.requeues);
}

static void qdisc_json(struct cmd_ctx *c, struct json *j, struct Qdisc *q, char *opts)
{
	char handle[16];

	snprintf(handle, sizeof(handle), "%x:", q->handle >> 16);
	json_open(j, NULL, '{');
	json_str(j, "kind", q->ops->id);
	json_str(j, "handle", handle);
	json_str(j, "dev", q->dev->name);
	json_bool(j, "root", true);
	json_u64(j, "refcnt", 2);
	options_json(j, opts);
	if (c->stats) {
		json_u64(j, "bytes", q->bstats.bytes);
		json_u64(j, "packets", q->bstats.packets);
		json_u64(j, "drops", q->qstats.drops);
		json_u64(j, "overlimits", q->qstats.overlimits);
		json_u64(j, "requeues", q->qstats.requeues);
		json_u64(j, "backlog", q->qstats.backlog);
		json_u64(j, "qlen", q->qstats.qlen);
	}
	json_close(j, '}');
}

static void qdisc_print(struct cmd_ctx *c, struct json *j, struct Qdisc *q, bool with_dev)
{
	char opts[512] = "";

	if (q->ops->dump && q->ops->dump(q, opts, sizeof(opts)) < 0)
		opts[0] = 0;
	if (c->json)
		qdisc_json(c, j, q, opts);
	else
		qdisc_text(c, q, with_dev, opts);
}

static int qdisc_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *dev, *only = NULL;
	struct json j;

	if (argc == 2 && !strcmp(argv[0], "dev")) {
		only = cmd_dev(c, argv[1]);
		if (!only)
			return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", argv[1]);
	} else if (argc) {
		return cmd_err(c, -EINVAL, "What is \"%s\"? usage: tc qdisc show [dev DEV]", argv[0]);
	}
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	for_each_netdev(c->stack, dev)
		if ((!only || dev == only) && dev->qdisc)
			qdisc_print(c, &j, dev->qdisc, !only);
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

/* ---- add / replace / change / delete ------------------------------------------------ */
struct qdisc_req {
	struct net_device *dev;
	bool root;
	uint32_t handle;		/* 0: choose one */
	const struct Qdisc_ops *ops;	/* NULL: no kind given */
	int argc;			/* the discipline's options */
	char **argv;
};

static int parse_handle(const char *s, uint32_t *h)
{
	char *end;
	unsigned long major = strtoul(s, &end, 16);

	if (end == s || (*end && strcmp(end, ":")) || major == 0 || major > 0xffff)
		return -EINVAL;
	*h = (uint32_t)major << 16;
	return 0;
}

static int parse_req(struct cmd_ctx *c, int argc, char **argv, bool need_kind,
		     struct qdisc_req *r)
{
	int i = 0;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "dev") && i + 1 < argc) {
			r->dev = cmd_dev(c, argv[++i]);
			if (!r->dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", argv[i]);
		} else if (!strcmp(argv[i], "root")) {
			r->root = true;
		} else if (!strcmp(argv[i], "parent") && i + 1 < argc) {
			return cmd_err(c, -EOPNOTSUPP, "parent %s: classful queueing is not built yet, only root qdiscs exist",
				       argv[i + 1]);
		} else if (!strcmp(argv[i], "handle") && i + 1 < argc) {
			if (parse_handle(argv[++i], &r->handle))
				return cmd_err(c, -EINVAL, "Error: invalid qdisc ID \"%s\"", argv[i]);
		} else {
			break;
		}
	}
	if (!r->dev)
		return cmd_err(c, -EINVAL, "Error: Cannot find device: \"dev\" is required");
	if (!r->root)
		return cmd_err(c, -EINVAL, "Error: \"root\" is required (only root qdiscs exist)");
	if (i < argc) {
		r->ops = qdisc_lookup_ops(argv[i]);
		if (!r->ops)
			return cmd_err(c, -ENOENT, "Error: Specified qdisc kind \"%s\" is unknown.", argv[i]);
		i++;
	} else if (need_kind) {
		return cmd_err(c, -EINVAL, "Error: a qdisc kind is required (pfifo_fast, pfifo, ...)");
	}
	r->argc = argc - i;
	r->argv = argv + i;
	return 0;
}

/* Linux's qdisc_alloc_handle: the first free 8001:, 8002:... */
static uint32_t alloc_handle(struct ns_stack *stack)
{
	struct net_device *dev;

	for (uint32_t h = 0x8001; h < 0xffff; h++) {
		bool used = false;

		for_each_netdev(stack, dev)
			if (dev->qdisc && dev->qdisc->handle == h << 16)
				used = true;
		if (!used)
			return h << 16;
	}
	return 0;
}

static int graft_new(struct cmd_ctx *c, struct qdisc_req *r, const struct Qdisc_ops *ops,
		     uint32_t handle)
{
	char err[256] = "";
	struct Qdisc *q = qdisc_create(r->dev, ops, r->argc, r->argv, err, sizeof(err));

	if (!q)
		return cmd_err(c, -(errno ? errno : EINVAL), "%s: %s", ops->id,
			       err[0] ? err : "invalid options");
	q->handle = handle;
	qdisc_graft_root(r->dev, q);
	return 0;
}

static bool is_default(const struct Qdisc *q)
{
	return !q || q->handle == 0;
}

static int qdisc_add(struct cmd_ctx *c, struct qdisc_req *r, bool replace)
{
	if (!replace && !is_default(r->dev->qdisc))
		return cmd_err(c, -EEXIST, "Error: Exclusivity flag on, cannot modify (%s already has qdisc %s; use replace).",
			       r->dev->name, r->dev->qdisc->ops->id);
	if (!r->handle)
		r->handle = replace && !is_default(r->dev->qdisc) ? r->dev->qdisc->handle
								 : alloc_handle(c->stack);
	return graft_new(c, r, r->ops, r->handle);
}

static int qdisc_change(struct cmd_ctx *c, struct qdisc_req *r)
{
	struct Qdisc *q = r->dev->qdisc, *probe;
	char err[256] = "";
	int rc;

	if (!q || (r->ops && r->ops != q->ops))
		return cmd_err(c, -EINVAL, "Error: %s's root qdisc is %s, not %s", r->dev->name,
			       q ? q->ops->id : "noqueue", r->ops ? r->ops->id : "?");
	if (!q->ops->change)
		return cmd_err(c, -EOPNOTSUPP, "Error: Change operation not supported by %s.", q->ops->id);
	/* Validate on a scratch instance first so a bad option changes nothing. */
	probe = qdisc_create(r->dev, q->ops, r->argc, r->argv, err, sizeof(err));
	if (!probe)
		return cmd_err(c, -(errno ? errno : EINVAL), "%s: %s", q->ops->id,
			       err[0] ? err : "invalid options");
	qdisc_destroy(probe);
	rc = q->ops->change(q, r->argc, r->argv, err, sizeof(err));
	if (rc)
		return cmd_err(c, rc, "%s: %s", q->ops->id, err[0] ? err : strerror(-rc));
	return 0;
}

static int qdisc_del(struct cmd_ctx *c, struct qdisc_req *r)
{
	struct Qdisc *q = r->dev->qdisc;

	if (is_default(q))
		return cmd_err(c, -ENOENT, "Error: Cannot delete qdisc with handle of zero (%s has only its default qdisc).",
			       r->dev->name);
	if (r->ops && r->ops != q->ops)
		return cmd_err(c, -EINVAL, "Error: %s's root qdisc is %s, not %s", r->dev->name,
			       q->ops->id, r->ops->id);
	if (r->argc)
		return cmd_err(c, -EINVAL, "Error: options are not expected when deleting");
	return graft_new(c, r, &pfifo_fast_ops, 0);
}

int cmd_tc_qdisc(struct cmd_ctx *c, int argc, char **argv)
{
	struct qdisc_req r = { 0 };
	const char *verb = argc ? argv[0] : "show";
	bool del = cmd_matches(verb, "delete");
	int rc;

	if (argc == 0 || cmd_matches(verb, "show") || cmd_matches(verb, "list") || !strcmp(verb, "ls"))
		return qdisc_show(c, argc ? argc - 1 : 0, argv + (argc ? 1 : 0));
	if (strcmp(verb, "add") && strcmp(verb, "replace") && strcmp(verb, "change") && !del)
		return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"tc qdisc help\".", verb);
	c->name = del ? "tc qdisc del" : !strcmp(verb, "add") ? "tc qdisc add"
		: !strcmp(verb, "change") ? "tc qdisc change" : "tc qdisc replace";
	rc = parse_req(c, argc - 1, argv + 1, !del && strcmp(verb, "change"), &r);
	if (rc)
		return rc;
	errno = 0;
	if (del)
		return qdisc_del(c, &r);
	if (!strcmp(verb, "change"))
		return qdisc_change(c, &r);
	return qdisc_add(c, &r, !strcmp(verb, "replace"));
}
