/* proc.c - the per-stack /proc tree (see proc.h). Entries are kept sorted by
 * path; the tree is small and touched only by configuration and inspection,
 * never by the packet path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "core/stack.h"

struct proc_entry {
	struct proc_entry *next;
	char *path;
	proc_show_t show;
	proc_write_t write;
	void *data;
	/* integer sysctls */
	int *ivec;
	int n;
	int min, max;
	void (*changed)(struct ns_stack *stack, int *var);
};

struct proc_tree {
	struct proc_entry *head;
};

/* ---- seq_buf ------------------------------------------------------------------ */
static bool seq_reserve(struct seq_buf *s, size_t more)
{
	size_t cap;
	char *nb;

	if (s->oom)
		return false;
	if (s->len + more + 1 <= s->cap)
		return true;
	cap = s->cap ? s->cap : 1024;
	while (cap < s->len + more + 1)
		cap *= 2;
	nb = realloc(s->buf, cap);
	if (!nb) {
		s->oom = true;
		return false;
	}
	s->buf = nb;
	s->cap = cap;
	return true;
}

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !seq_reserve(s, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

void seq_puts(struct seq_buf *s, const char *str)
{
	size_t n = strlen(str);

	if (!seq_reserve(s, n))
		return;
	memcpy(s->buf + s->len, str, n + 1);
	s->len += n;
}

void seq_putc(struct seq_buf *s, char c)
{
	if (!seq_reserve(s, 1))
		return;
	s->buf[s->len++] = c;
	s->buf[s->len] = 0;
}

void seq_pad_line(struct seq_buf *s, size_t line_start, size_t width, char end)
{
	while (s->len - line_start < width && !s->oom)
		seq_putc(s, ' ');
	if (end)
		seq_putc(s, end);
}

/* ---- tree ------------------------------------------------------------------------ */
struct proc_tree *proc_tree_create(void)
{
	return calloc(1, sizeof(struct proc_tree));
}

static void entry_free(struct proc_entry *e)
{
	free(e->path);
	free(e);
}

void proc_tree_destroy(struct proc_tree *tree)
{
	struct proc_entry *e, *n;

	if (!tree)
		return;
	for (e = tree->head; e; e = n) {
		n = e->next;
		entry_free(e);
	}
	free(tree);
}

static struct proc_entry *proc_find(struct proc_tree *tree, const char *path)
{
	for (struct proc_entry *e = tree->head; e; e = e->next)
		if (strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

static int proc_insert(struct ns_stack *stack, struct proc_entry *ne)
{
	struct proc_entry **pp = &stack->proc->head;

	while (*pp && strcmp((*pp)->path, ne->path) < 0)
		pp = &(*pp)->next;
	if (*pp && strcmp((*pp)->path, ne->path) == 0) {
		entry_free(ne);
		return -EEXIST;
	}
	ne->next = *pp;
	*pp = ne;
	return 0;
}

static struct proc_entry *entry_new(const char *path)
{
	struct proc_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->path = strdup(path);
	if (!e->path) {
		free(e);
		return NULL;
	}
	return e;
}

int proc_create(struct ns_stack *stack, const char *path, proc_show_t show, proc_write_t write,
		void *data)
{
	struct proc_entry *e = entry_new(path);

	if (!e)
		return -ENOMEM;
	e->show = show;
	e->write = write;
	e->data = data;
	return proc_insert(stack, e);
}

int proc_create_int_notify(struct ns_stack *stack, const char *path, int *var, int min, int max,
			   void (*changed)(struct ns_stack *stack, int *var))
{
	struct proc_entry *e = entry_new(path);

	if (!e)
		return -ENOMEM;
	e->ivec = var;
	e->n = 1;
	e->min = min;
	e->max = max;
	e->changed = changed;
	return proc_insert(stack, e);
}

int proc_create_int(struct ns_stack *stack, const char *path, int *var, int min, int max)
{
	return proc_create_int_notify(stack, path, var, min, max, NULL);
}

int proc_create_intvec(struct ns_stack *stack, const char *path, int *vec, int n, int min,
		       int max)
{
	int rc = proc_create_int(stack, path, vec, min, max);

	if (rc == 0)
		proc_find(stack->proc, path)->n = n;
	return rc;
}

void proc_remove(struct ns_stack *stack, const char *path)
{
	for (struct proc_entry **pp = &stack->proc->head; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, path) == 0) {
			struct proc_entry *e = *pp;

			*pp = e->next;
			entry_free(e);
			return;
		}
	}
}

void proc_remove_prefix(struct ns_stack *stack, const char *prefix)
{
	size_t n = strlen(prefix);
	struct proc_entry **pp = &stack->proc->head;

	while (*pp) {
		if (strncmp((*pp)->path, prefix, n) == 0) {
			struct proc_entry *e = *pp;

			*pp = e->next;
			entry_free(e);
		} else {
			pp = &(*pp)->next;
		}
	}
}

/* ---- reading and writing ------------------------------------------------------------ */
static void show_ints(const struct proc_entry *e, struct seq_buf *s)
{
	for (int i = 0; i < e->n; i++)
		seq_printf(s, i ? "\t%d" : "%d", e->ivec[i]);
	seq_putc(s, '\n');
}

char *ns_proc_read(struct ns_stack *stack, const char *path, size_t *len)
{
	struct proc_entry *e = proc_find(stack->proc, path);
	struct seq_buf s = { 0 };

	if (!e) {
		errno = ENOENT;
		return NULL;
	}
	seq_reserve(&s, 0);
	if (s.buf)
		s.buf[0] = 0;
	if (e->ivec)
		show_ints(e, &s);
	else
		e->show(stack, &s, e->data);
	if (s.oom || !s.buf) {
		free(s.buf);
		errno = ENOMEM;
		return NULL;
	}
	if (len)
		*len = s.len;
	return s.buf;
}

/* Parse "a b c" (spaces or tabs) into n bounded ints; all or nothing. */
static int parse_ints(const struct proc_entry *e, const char *value, int *out)
{
	const char *p = value;

	for (int i = 0; i < e->n; i++) {
		char *end;
		long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return -EINVAL;
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < e->min || v > e->max)
			return -EINVAL;
		out[i] = (int)v;
		p = end;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return *p ? -EINVAL : 0;
}

int ns_proc_write(struct ns_stack *stack, const char *path, const char *value)
{
	struct proc_entry *e = proc_find(stack->proc, path);

	if (!e)
		return -ENOENT;
	if (e->ivec) {
		int tmp[8];

		if (e->n > 8 || parse_ints(e, value, tmp))
			return -EINVAL;
		memcpy(e->ivec, tmp, sizeof(int) * (size_t)e->n);
		if (e->changed)
			e->changed(stack, e->ivec);
		return 0;
	}
	if (!e->write)
		return -EACCES;
	return e->write(stack, value, e->data);
}

/* "net.core.rmem_default" -> "/proc/sys/net/core/rmem_default"; device names
 * may contain dots, as in Linux's sysctl they are given with '/' instead. */
static int sysctl_path(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/sys/%s", name);

	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	for (char *p = buf + 10; *p; p++) {
		if (*p == '.')
			*p = '/';
		else if (*p == '/')
			*p = '.';
	}
	return 0;
}

int ns_sysctl_set(struct ns_stack *stack, const char *name, const char *value)
{
	char path[256];

	if (sysctl_path(name, path, sizeof(path)))
		return -EINVAL;
	return ns_proc_write(stack, path, value);
}

char *ns_sysctl_get(struct ns_stack *stack, const char *name)
{
	char path[256];

	if (sysctl_path(name, path, sizeof(path))) {
		errno = EINVAL;
		return NULL;
	}
	return ns_proc_read(stack, path, NULL);
}

int ns_proc_list(struct ns_stack *stack, const char *prefix,
		 void (*fn)(const char *path, void *ctx), void *ctx)
{
	size_t n = strlen(prefix);
	int count = 0;

	for (struct proc_entry *e = stack->proc->head; e; e = e->next) {
		if (strncmp(e->path, prefix, n) == 0) {
			fn(e->path, ctx);
			count++;
		}
	}
	return count;
}
