/* lexer.c - split a command line into words the way a shell would for the
 * simple cases: blanks separate words, '...' is literal, "..." allows \" and
 * \\, a backslash outside quotes escapes the next character, and # at the
 * start of a word comments out the rest of the line. */
#include <errno.h>
#include <stdbool.h>

#include "cmd/cmd.h"

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Copy one word starting at *pp into *dst; advance both. */
static int split_word(const char **pp, char **dst, const char **why)
{
	const char *p = *pp;
	char *d = *dst;

	while (*p && !is_blank(*p)) {
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				*d++ = *p;
			if (!*p) {
				*why = "unterminated ' quote";
				return -EINVAL;
			}
			p++;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*d++ = *p;
			}
			if (!*p) {
				*why = "unterminated \" quote";
				return -EINVAL;
			}
			p++;
		} else if (*p == '\\' && p[1]) {
			*d++ = p[1];
			p += 2;
		} else {
			*d++ = *p++;
		}
	}
	*d++ = 0;
	*pp = p;
	*dst = d;
	return 0;
}

int cmd_split(const char *line, char *buf, char **argv, int maxw, int *argc, const char **why)
{
	const char *p = line;
	char *d = buf;
	int n = 0;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n >= maxw) {
			*why = "too many words";
			return -EINVAL;
		}
		argv[n++] = d;
		if (split_word(&p, &d, why))
			return -EINVAL;
	}
	argv[n] = NULL;
	*argc = n;
	return 0;
}
