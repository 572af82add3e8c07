/* cmd.h - internals of the command engine (include/nstack/cmd.h is the
 * public side): the dispatch table entry, the per-command context, error
 * reporting, word matching, a tiny JSON writer. Read exec.c first: it
 * holds the table of every command and the layer each one waits for. */
#ifndef NSTACK_CMD_CMD_H
#define NSTACK_CMD_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "nstack/cmd.h"

struct ns_stack;
struct net_device;

#define CMD_MAX_WORDS 128
#define CMD_MAX_LINE 4096

/* What one running command sees. Options are those before the object word
 * (`ip -s -j link`); stats counts -s. */
struct cmd_ctx {
	struct ns_stack *stack;
	struct ns_out *out;
	const char *name;	/* "ip link", "tc qdisc", "sysctl": prefixes messages */
	int stats;
	bool json;
	bool brief;
	bool details;
};

/* A handler: argv holds the words after the object ("set eth0 up").
 * Returns 0 or cmd_err(...). It must validate everything before it
 * changes anything. */
typedef int (*cmd_fn)(struct cmd_ctx *c, int argc, char **argv);

struct cmd_entry {
	const char *cmd;	/* first word: "ip" */
	const char *obj;	/* object word, matched by prefix as iproute2 does
				 * ("l" -> "link"); NULL when the command has none */
	const char *name;	/* how messages name it: "ip addr" */
	cmd_fn fn;		/* NULL: refused until `layer` exists */
	const char *layer;	/* "the IPv4 layer": "ip addr: the IPv4 layer is not built yet" */
};

/* Record "NAME: message" in out->err and return err (a negative errno). */
int cmd_err(struct cmd_ctx *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* iproute2's matches(): word is a non-empty prefix of full. */
bool cmd_matches(const char *word, const char *full);
/* Split a line into words (quotes, escapes, # comments) in place in buf
 * (at least strlen(line) + 1 bytes). 0, or -EINVAL with *why set. */
int cmd_split(const char *line, char *buf, char **argv, int maxw, int *argc, const char **why);

/* Parsers shared by handlers: 0 or -EINVAL. */
int cmd_parse_uint(const char *s, unsigned long max, unsigned long *v);
int cmd_parse_mac(const char *s, uint8_t mac[6]);
struct net_device *cmd_dev(struct cmd_ctx *c, const char *name);

/* ---- handlers (one file each) ---- */
int cmd_ip_link(struct cmd_ctx *c, int argc, char **argv);
int cmd_sysctl(struct cmd_ctx *c, int argc, char **argv);
int cmd_tc_qdisc(struct cmd_ctx *c, int argc, char **argv);
int cmd_cat(struct cmd_ctx *c, int argc, char **argv);
int cmd_ls(struct cmd_ctx *c, int argc, char **argv);
int cmd_nft(struct cmd_ctx *c, int argc, char **argv);

/* ---- JSON writer: compact output, keys in the order written ---- */
struct json {
	struct ns_out *o;
	int depth;
	bool comma[16];		/* an element was written at this depth */
};
void json_init(struct json *j, struct ns_out *o);
/* key is NULL inside arrays and at the top level. */
void json_open(struct json *j, const char *key, char bracket);	/* '{' or '[' */
void json_close(struct json *j, char bracket);			/* '}' or ']' */
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_raw(struct json *j, const char *key, const char *literal);

#endif
