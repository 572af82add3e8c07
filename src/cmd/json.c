/* json.c - a minimal JSON writer for `-j` output: compact, the key order
 * iproute2 uses is the order of the calls. Strings are escaped per
 * RFC 8259 section 7. */
#include <stdio.h>

#include "cmd/cmd.h"

void json_init(struct json *j, struct ns_out *o)
{
	j->o = o;
	j->depth = 0;
	j->comma[0] = false;
}

static void json_escape(struct ns_out *o, const char *s)
{
	ns_out_puts(o, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			ns_out_printf(o, "\\%c", ch);
		else if (ch == '\n')
			ns_out_puts(o, "\\n");
		else if (ch == '\t')
			ns_out_puts(o, "\\t");
		else if (ch < 0x20)
			ns_out_printf(o, "\\u%04x", ch);
		else
			ns_out_printf(o, "%c", ch);
	}
	ns_out_puts(o, "\"");
}

/* Separator and key before a value. */
static void json_key(struct json *j, const char *key)
{
	if (j->comma[j->depth])
		ns_out_puts(j->o, ",");
	j->comma[j->depth] = true;
	if (key) {
		json_escape(j->o, key);
		ns_out_puts(j->o, ":");
	}
}

void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	ns_out_printf(j->o, "%c", bracket);
	if (j->depth < 15)
		j->depth++;
	j->comma[j->depth] = false;
}

void json_close(struct json *j, char bracket)
{
	ns_out_printf(j->o, "%c", bracket);
	if (j->depth > 0)
		j->depth--;
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	json_escape(j->o, val);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	ns_out_printf(j->o, "%llu", (unsigned long long)v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	ns_out_puts(j->o, v ? "true" : "false");
}

void json_raw(struct json *j, const char *key, const char *literal)
{
	json_key(j, key);
	ns_out_puts(j->o, literal);
}
