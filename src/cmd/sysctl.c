/* sysctl.c - `sysctl` as procps prints it: "net.core.rmem_default =
 * 212992", on top of the stack's /proc/sys tree (ns_sysctl_get/set,
 * ns_proc_list). Several writes in one command are all-or-nothing: a
 * failure puts back the values already written. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#define SYSCTL_MAX_WRITES 32

struct sysctl_opts {
	bool value_only;	/* -n */
	bool write;		/* -w */
	bool all;		/* -a */
};

/* Value as printed: trailing newline removed, vectors keep their tabs. */
static char *sysctl_read(struct cmd_ctx *c, const char *key)
{
	char *v = ns_sysctl_get(c->stack, key);
	size_t n;

	if (!v)
		return NULL;
	n = strlen(v);
	while (n > 0 && v[n - 1] == '\n')
		v[--n] = 0;
	return v;
}

static void print_kv(struct cmd_ctx *c, const struct sysctl_opts *o, const char *key,
		     const char *v)
{
	if (o->value_only)
		ns_out_printf(c->out, "%s\n", v);
	else
		ns_out_printf(c->out, "%s = %s\n", key, v);
}

static bool key_exists(struct cmd_ctx *c, const char *key)
{
	char *v = ns_sysctl_get(c->stack, key);
	bool found = v != NULL;

	free(v);
	return found;
}

static int no_key(struct cmd_ctx *c, const char *key)
{
	char path[300];

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	return cmd_err(c, -ENOENT, "cannot stat %s: No such file or directory", path);
}

static int sysctl_show(struct cmd_ctx *c, const struct sysctl_opts *o, const char *key)
{
	char *v = sysctl_read(c, key);

	if (!v)
		return no_key(c, key);
	print_kv(c, o, key, v);
	free(v);
	return 0;
}

struct list_ctx {
	struct cmd_ctx *c;
	const struct sysctl_opts *o;
	const char *prefix;
};

/* "/proc/sys/net/core/x" -> "net.core.x" (dots in a component become '/') */
static void path_to_key(const char *path, char *key, size_t len)
{
	size_t i = 0;

	for (path += strlen("/proc/sys/"); *path && i + 1 < len; path++, i++)
		key[i] = *path == '/' ? '.' : *path == '.' ? '/' : *path;
	key[i] = 0;
}

static void list_one(const char *path, void *ctx)
{
	struct list_ctx *l = ctx;
	char key[256];
	char *v;

	path_to_key(path, key, sizeof(key));
	if (strncmp(key, l->prefix, strlen(l->prefix)) != 0)
		return;
	v = sysctl_read(l->c, key);
	if (v)
		print_kv(l->c, l->o, key, v);
	free(v);
}

struct sysctl_write {
	char *key;
	const char *value;
	char *old;
};

/* Split "key=value" (or the words key = value) into a write. */
static int parse_write(struct cmd_ctx *c, int argc, char **argv, int *i, struct sysctl_write *w)
{
	char *eq = strchr(argv[*i], '=');

	w->key = argv[*i];
	if (eq) {
		*eq = 0;
		w->value = eq + 1;
	} else if (*i + 2 < argc && !strcmp(argv[*i + 1], "=")) {
		w->value = argv[*i + 2];
		*i += 2;
	} else {
		return cmd_err(c, -EINVAL, "\"%s\" must be of the form name=value", argv[*i]);
	}
	while (*w->value == ' ')
		w->value++;
	for (size_t n = strlen(w->key); n > 0 && w->key[n - 1] == ' ';)
		w->key[--n] = 0;
	return 0;
}

static void undo_writes(struct cmd_ctx *c, struct sysctl_write *w, int n)
{
	while (n-- > 0)
		ns_sysctl_set(c->stack, w[n].key, w[n].old);
}

static int sysctl_writes(struct cmd_ctx *c, const struct sysctl_opts *o, int argc, char **argv)
{
	struct sysctl_write w[SYSCTL_MAX_WRITES] = { 0 };
	int n = 0, rc = 0, done;

	for (int i = 0; i < argc && !rc; i++, n++) {
		if (n == SYSCTL_MAX_WRITES)
			rc = cmd_err(c, -E2BIG, "at most %d settings per command", SYSCTL_MAX_WRITES);
		else if (!(rc = parse_write(c, argc, argv, &i, &w[n])) &&
			 !(w[n].old = sysctl_read(c, w[n].key)))
			rc = no_key(c, w[n].key);
	}
	for (done = 0; !rc && done < n; done++) {
		rc = ns_sysctl_set(c->stack, w[done].key, w[done].value);
		if (rc) {
			cmd_err(c, rc, "setting key \"%s\" to \"%s\": %s", w[done].key, w[done].value,
				strerror(-rc));
			undo_writes(c, w, done);
		}
	}
	for (int i = 0; !rc && i < n; i++)
		sysctl_show(c, o, w[i].key);
	for (int i = 0; i < n && i < SYSCTL_MAX_WRITES; i++)
		free(w[i].old);
	return rc;
}

int cmd_sysctl(struct cmd_ctx *c, int argc, char **argv)
{
	struct sysctl_opts o = { 0 };
	int i = 0, rc = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'n')
				o.value_only = true;
			else if (*f == 'w')
				o.write = true;
			else if (*f == 'a' || *f == 'A' || *f == 'X')
				o.all = true;
			else if (*f != 'e' && *f != 'q')
				return cmd_err(c, -EINVAL, "unknown option \"-%c\"", *f);
		}
	}
	argc -= i;
	argv += i;
	if (o.all) {
		struct list_ctx l = { c, &o, argc ? argv[0] : "" };

		if (argc > 1)
			return cmd_err(c, -EINVAL, "usage: sysctl -a [PREFIX]");
		ns_proc_list(c->stack, "/proc/sys/", list_one, &l);
		return 0;
	}
	if (argc == 0)
		return cmd_err(c, -EINVAL, "usage: sysctl [-n] KEY... | [-w] KEY=VALUE... | -a [PREFIX]");
	if (o.write || strchr(argv[0], '=') || (argc > 1 && !strcmp(argv[1], "=")))
		return sysctl_writes(c, &o, argc, argv);
	for (i = 0; i < argc && !rc; i++)
		if (!key_exists(c, argv[i]))
			rc = no_key(c, argv[i]);
	for (i = 0; i < argc && !rc; i++)
		rc = sysctl_show(c, &o, argv[i]);
	return rc;
}
