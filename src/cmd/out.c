/* out.c - struct ns_out, the growable text buffer commands print into
 * (the same growth rule as seq_buf in core/proc.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nstack/cmd.h"

void ns_out_init(struct ns_out *out)
{
	memset(out, 0, sizeof(*out));
}

void ns_out_free(struct ns_out *out)
{
	free(out->buf);
	ns_out_init(out);
}

void ns_out_reset(struct ns_out *out)
{
	out->len = 0;
	out->oom = false;
	out->err[0] = 0;
	if (out->buf)
		out->buf[0] = 0;
}

const char *ns_out_text(const struct ns_out *out)
{
	return out->buf ? out->buf : "";
}

static bool out_reserve(struct ns_out *out, size_t more)
{
	size_t cap;
	char *nb;

	if (out->oom)
		return false;
	if (out->len + more + 1 <= out->cap)
		return true;
	cap = out->cap ? out->cap : 1024;
	while (cap < out->len + more + 1)
		cap *= 2;
	nb = realloc(out->buf, cap);
	if (!nb) {
		out->oom = true;
		return false;
	}
	out->buf = nb;
	out->cap = cap;
	return true;
}

void ns_out_printf(struct ns_out *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !out_reserve(out, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(out->buf + out->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out->len += (size_t)n;
}

void ns_out_puts(struct ns_out *out, const char *s)
{
	size_t n = strlen(s);

	if (!out_reserve(out, n))
		return;
	memcpy(out->buf + out->len, s, n + 1);
	out->len += n;
}
