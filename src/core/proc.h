/* proc.h - the per-stack /proc tree: generated files (/proc/net/dev) and
 * sysctls (/proc/sys/net/core/rmem_default), read and written by path.
 * Generated files print into a seq_buf, like Linux's seq_file. */
#ifndef NSTACK_CORE_PROC_H
#define NSTACK_CORE_PROC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct ns_stack;

struct seq_buf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};
void seq_printf(struct seq_buf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_puts(struct seq_buf *s, const char *str);
void seq_putc(struct seq_buf *s, char c);
/* Pad with spaces until the current line is `width` chars (Linux's
 * seq_setwidth/seq_pad for /proc/net/tcp and route). */
void seq_pad_line(struct seq_buf *s, size_t line_start, size_t width, char end);

typedef int (*proc_show_t)(struct ns_stack *stack, struct seq_buf *s, void *data);
typedef int (*proc_write_t)(struct ns_stack *stack, const char *value, void *data);

/* A generated file. write may be NULL (read-only). 0, -EEXIST, -ENOMEM. */
int proc_create(struct ns_stack *stack, const char *path, proc_show_t show, proc_write_t write,
		void *data);
/* An integer sysctl (or a vector of n integers, tab separated like
 * tcp_rmem) with inclusive bounds; writes outside them are -EINVAL. */
int proc_create_int(struct ns_stack *stack, const char *path, int *var, int min, int max);
int proc_create_intvec(struct ns_stack *stack, const char *path, int *vec, int n, int min,
		       int max);
/* Same, with a hook run after a successful write (e.g. to resize a table). */
int proc_create_int_notify(struct ns_stack *stack, const char *path, int *var, int min, int max,
			   void (*changed)(struct ns_stack *stack, int *var));
void proc_remove(struct ns_stack *stack, const char *path);
/* Remove every path starting with prefix (a device's conf directory). */
void proc_remove_prefix(struct ns_stack *stack, const char *prefix);

struct proc_tree *proc_tree_create(void);
void proc_tree_destroy(struct proc_tree *tree);

#endif
