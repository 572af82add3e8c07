/* cmd.h - internals of the command engine (include/nstack/cmd.h is the
 * public side): the dispatch table entry, the per-command context, error
 * reporting, word matching, a tiny JSON writer. Read exec.c first: it
 * holds the table of every command and the layer each one waits for. */
#ifndef NSTACK_CMD_CMD_H
#define NSTACK_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>
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
	const char *link;	/* `ip link add link DEV ...` */
	int family;		/* -4: AF_INET, -6: AF_INET6, 0: any */
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
int cmd_bridge_link(struct cmd_ctx *c, int argc, char **argv);
int cmd_bridge_fdb(struct cmd_ctx *c, int argc, char **argv);
int cmd_bridge_vlan(struct cmd_ctx *c, int argc, char **argv);
int cmd_ebtables(struct cmd_ctx *c, int argc, char **argv);
int cmd_ethtool(struct cmd_ctx *c, int argc, char **argv);
int cmd_serve(struct cmd_ctx *c, int argc, char **argv);
int cmd_ss(struct cmd_ctx *c, int argc, char **argv);
int cmd_curl(struct cmd_ctx *c, int argc, char **argv);
/* bridge.c helpers for ip link */
int cmd_add_bridge(struct cmd_ctx *c, const char *name, int argc, char **argv);
int cmd_add_vlan(struct cmd_ctx *c, const char *name, int argc, char **argv);
/* master NULL: nomaster */
int cmd_set_master(struct cmd_ctx *c, struct net_device *dev, const char *master);
int cmd_ip_addr(struct cmd_ctx *c, int argc, char **argv);
int cmd_ip_route(struct cmd_ctx *c, int argc, char **argv);
int cmd_ip_neigh(struct cmd_ctx *c, int argc, char **argv);
int cmd_ping(struct cmd_ctx *c, int argc, char **argv);

/* Shared by ip link and ip addr (iplink.c) */
struct json;
const char *cmd_operstate(const struct net_device *dev);
void cmd_link_text_head(struct cmd_ctx *c, const struct net_device *dev, bool addr_mode);
void cmd_link_json_head(struct cmd_ctx *c, struct json *j, const struct net_device *dev,
			bool addr_mode);

/* IPv4 words (ipaddr.c): dotted quad to host order; "A/LEN" (LEN absent:
 * 32); 0 or -EINVAL. */
int cmd_parse_ip4(const char *s, uint32_t *addr);
int cmd_parse_prefix4(const char *s, uint32_t *addr, unsigned int *plen);
void cmd_fmt_ip4(char *buf, size_t len, uint32_t addr);	/* buf >= 16 */
/* RT_SCOPE_* name ("global", "link", "host", "site", "nowhere") or number */
const char *cmd_scope_name(unsigned int scope, char *buf, size_t len);
int cmd_parse_scope(const char *s, uint8_t *scope);
/* "RTNETLINK answers: File exists" for a kernel-side error */
int cmd_rtnl_err(struct cmd_ctx *c, int err);

/* ---- asynchronous jobs (include/nstack/cmd.h) ---- */
struct ns_cmd_job {
	struct ns_stack *stack;
	struct ns_out out;	/* text printed since the last poll */
	bool done;
	int rc;			/* final status once done (err in out.err) */
	void (*destroy)(struct ns_cmd_job *job);	/* stop timers, free */
};

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

/* ip6cmd.c: the IPv6 halves of ip addr/route/neigh */
struct json;
struct neigh_table;
int cmd_parse_prefix6(const char *s, uint8_t addr[16], unsigned int *plen, bool *have_len);
bool cmd_is_ip6_word(const char *s);
bool cmd_dev_has_addr6(const struct net_device *dev);
void cmd_addr6_dev(struct cmd_ctx *c, struct json *j, const struct net_device *dev);
int cmd_addr6_modify(struct cmd_ctx *c, struct net_device *dev, const uint8_t *addr,
		     unsigned int plen, bool have_len, uint32_t flags, bool del);
void cmd_addr6_flush(struct net_device *dev);
int cmd_route6_show(struct cmd_ctx *c, int argc, char **argv);
int cmd_route6_modify(struct cmd_ctx *c, int argc, char **argv, unsigned int nlflags, bool del);
int cmd_route6_get(struct cmd_ctx *c, int argc, char **argv);
struct neigh_table *cmd_nd_table(struct cmd_ctx *c);

#endif
