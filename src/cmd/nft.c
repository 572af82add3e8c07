/* nft.c - the `nft` command: nftables' command line on the stack's rule
 * engine (src/netfilter/nf_tables.h).
 *   nft [-a] [-c] -f FILE          load a file atomically
 *   nft [-a] list ruleset          print in nft's format
 *   nft add rule ip filter input tcp dport 22 accept
 * The words after the options are joined with blanks and parsed as one
 * command, as nft does; a failing batch changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/proc.h"
#include "core/stack.h"
#include "netfilter/nf_tables.h"

#define NFT_FILE_MAX (64u << 20)

static char *read_file(const char *path, int *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		*err = -errno;
		return NULL;
	}
	do {
		if (cap - len < 65536) {
			char *q;

			cap = cap ? cap * 2 : 65536 * 2;
			if (cap > NFT_FILE_MAX + 65536 || !(q = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				*err = cap > NFT_FILE_MAX ? -EFBIG : -ENOMEM;
				return NULL;
			}
			buf = q;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = 0;
	fclose(f);
	return buf;
}

static char *join_words(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = 0;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int cmd_nft(struct cmd_ctx *c, int argc, char **argv)
{
	struct nft_run_opts opts = { 0 };
	const char *file = NULL;
	struct seq_buf out = { 0 };
	char err[512];
	char *text;
	int rc = 0;

	if (!c->stack->nft)
		return cmd_err(c, -EOPNOTSUPP, "netfilter is not built in this stack");
	while (argc > 0 && argv[0][0] == '-' && argv[0][1]) {
		const char *o = argv[0];

		if (!strcmp(o, "-a") || !strcmp(o, "--handle"))
			opts.handles = true;
		else if (!strcmp(o, "-c") || !strcmp(o, "--check"))
			opts.check_only = true;
		else if ((!strcmp(o, "-f") || !strcmp(o, "--file")) && argc > 1)
			file = (argc--, argv++, argv[0]);
		else
			return cmd_err(c, -EINVAL, "unknown option '%s' (-a, -c, -f FILE)", o);
		argc--;
		argv++;
	}
	if (file && argc > 0)
		return cmd_err(c, -EINVAL, "-f FILE takes no command words");
	if (!file && argc == 0)
		return cmd_err(c, -EINVAL,
			       "usage: nft [-a] [-c] -f FILE | nft [-a] COMMAND (list ruleset, add rule ...)");
	if (file) {
		text = read_file(file, &rc);
		if (!text)
			return cmd_err(c, rc, "Error: Could not open file \"%s\": %s", file,
				       strerror(-rc));
		opts.where = file;
	} else {
		text = join_words(argc, argv);
		if (!text)
			return cmd_err(c, -ENOMEM, "out of memory");
	}
	rc = nft_run(c->stack, text, &opts, &out, err, sizeof(err));
	free(text);
	if (rc)
		rc = cmd_err(c, rc, "%s", err);
	else if (out.len)
		ns_out_puts(c->out, out.buf);
	if (out.oom && !rc)
		rc = cmd_err(c, -ENOMEM, "output truncated: out of memory");
	free(out.buf);
	return rc;
}
