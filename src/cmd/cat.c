/* cat.c - `cat PATH...` prints files of the stack's /proc tree
 * (/proc/net/dev, /proc/sys/net/core/somaxconn...), `ls [PREFIX]` lists
 * them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

int cmd_cat(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return cmd_err(c, -EINVAL, "usage: cat PATH... (a file of the stack's /proc)");
	for (int i = 0; i < argc; i++) {
		char *text = ns_proc_read(c->stack, argv[i], NULL);

		if (!text)
			return cmd_err(c, -ENOENT, "%s: No such file or directory", argv[i]);
		free(text);
	}
	for (int i = 0; i < argc; i++) {
		char *text = ns_proc_read(c->stack, argv[i], NULL);

		if (text)
			ns_out_puts(c->out, text);
		free(text);
	}
	return 0;
}

static void ls_one(const char *path, void *ctx)
{
	ns_out_printf(ctx, "%s\n", path);
}

int cmd_ls(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc > 1)
		return cmd_err(c, -EINVAL, "usage: ls [PREFIX]");
	if (ns_proc_list(c->stack, argc ? argv[0] : "/proc/", ls_one, c->out) == 0)
		return cmd_err(c, -ENOENT, "%s: No such file or directory", argc ? argv[0] : "/proc/");
	return 0;
}
