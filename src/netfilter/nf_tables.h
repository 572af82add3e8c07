/* nf_tables.h - the nftables-like rule engine: tables hold chains and
 * named sets; base chains sit on a netfilter hook with a type, a priority
 * and a policy; user chains are reached with jump/goto. A rule is a list
 * of expressions evaluated in order: matches (a field of the packet
 * compared with a value, a range, a prefix, a set), statements (counter,
 * log, nat) and one verdict. Linux counterparts: net/netfilter/nf_tables_*.
 *
 * Evaluation (nf_tables_core.c) works on header values parsed from the skb
 * at its network header (struct nft_pktinfo), so it needs no hook
 * plumbing; nft_hooks.c connects base chains to the hook core. The text
 * syntax lives in nf_tables_parse.c, listing and the transaction
 * (clone, change, validate, swap) in nf_tables_api.c. Read this file, then
 * nft_do_chain(). */
#ifndef NSTACK_NETFILTER_NF_TABLES_H
#define NSTACK_NETFILTER_NF_TABLES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ns_stack;
struct sk_buff;
struct net_device;
struct nft_chain;
struct nft_table;
struct seq_buf;

#define NFT_NAME_MAXLEN 64
#define NFT_JUMP_STACK_SIZE 16		/* Linux's bound on nested jumps */
#define NFT_RULE_MAXEXPRS 32
#define NFT_SET_MAXELEMS (1u << 22)	/* hard bound on one set */
#define NFT_SET_BUCKETS 65536		/* interval set index: one per /16 */
#define NFT_SET_BUCKET_MIN 256		/* ranges before the index pays off */

/* Hook numbers as Linux's NF_INET_* (the hook core uses the same). */
enum nft_hook {
	NFT_HOOK_PREROUTING,
	NFT_HOOK_INPUT,
	NFT_HOOK_FORWARD,
	NFT_HOOK_OUTPUT,
	NFT_HOOK_POSTROUTING,
	NFT_HOOK_MAX
};

/* Final verdicts, same values as the hook core's NF_DROP / NF_ACCEPT. */
#define NFT_DROP   0u
#define NFT_ACCEPT 1u

/* ct state bits as nft prints them (NF_CT_STATE_*_BIT). */
#define NFT_CT_INVALID     0x01
#define NFT_CT_ESTABLISHED 0x02
#define NFT_CT_RELATED     0x04
#define NFT_CT_NEW         0x08
#define NFT_CT_UNTRACKED   0x40

/* Packet fields a match can read. Every one is a 32-bit value except the
 * interface names. */
enum nft_field {
	NFT_F_IP_SADDR,
	NFT_F_IP_DADDR,
	NFT_F_IP_PROTOCOL,
	NFT_F_IP_TTL,
	NFT_F_META_L4PROTO,
	NFT_F_META_LENGTH,
	NFT_F_META_MARK,
	NFT_F_TH_SPORT,		/* tcp/udp/th sport: dep_proto says which */
	NFT_F_TH_DPORT,
	NFT_F_ICMP_TYPE,
	NFT_F_ICMP_CODE,
	NFT_F_TCP_FLAGS,
	NFT_F_CT_STATE,
	NFT_F_IIFNAME,
	NFT_F_OIFNAME,
	NFT_F_MAX
};

/* How a field's values are written and printed (also a set's key type). */
enum nft_vtype {
	NFT_T_INT,		/* decimal */
	NFT_T_ADDR,		/* ipv4_addr: dotted quad, prefixes */
	NFT_T_PORT,		/* inet_service */
	NFT_T_PROTO,		/* inet_proto: tcp, udp, icmp or a number */
	NFT_T_ICMP_TYPE,	/* echo-request, ... */
	NFT_T_TCP_FLAGS,	/* fin|syn|rst|psh|ack|urg|ecn|cwr */
	NFT_T_CT_STATE,		/* new,established,related,invalid,untracked */
	NFT_T_IFNAME,
	NFT_T_MARK,		/* printed 0x%08x as nft does */
};

enum nft_op {
	NFT_OP_EQ,		/* v == a (neg: !=) */
	NFT_OP_LT, NFT_OP_GT, NFT_OP_LE, NFT_OP_GE,
	NFT_OP_RANGE,		/* a <= v <= b (neg: outside) */
	NFT_OP_PREFIX,		/* (v & b) == a */
	NFT_OP_BITS,		/* (v & a) != 0: `ct state established,related` */
	NFT_OP_MASKEQ,		/* (v & a) == b: `tcp flags & (syn|ack) == syn` */
	NFT_OP_ASET,		/* anonymous set { ... } */
	NFT_OP_SET,		/* named set @name */
	NFT_OP_IFNAME,		/* interface name, "eth*" wildcard */
};

/* A closed interval of 32-bit values: sets are sorted arrays of them. */
struct nft_range {
	uint32_t lo, hi;
};

#define NFT_SET_F_INTERVAL 0x1

/* A named set: hash of values (O(1)), or with flags interval a sorted
 * array of disjoint ranges searched by bisection (prefix blocklists). */
struct nft_set {
	char name[NFT_NAME_MAXLEN];
	enum nft_vtype keytype;
	uint32_t flags;			/* NFT_SET_F_* */
	uint32_t size;			/* limit from `size N` (0: NFT_SET_MAXELEMS) */
	uint64_t handle;
	/* interval sets: ranges[0..n) sorted, disjoint once committed;
	 * big ones get bucket[]: for each /16 (top 16 bits b) the first range
	 * ending at or after b.0.0, so a lookup bisects a handful of ranges */
	struct nft_range *ranges;
	uint32_t *bucket;		/* NFT_SET_BUCKETS + 1 entries, or NULL */
	/* hash sets: vals[0..n) in insertion order, slots index them (+1) */
	uint32_t *vals;
	uint32_t *slots;
	uint32_t nslots;		/* power of two, load <= 1/2 */
	uint32_t n, cap;
	uint32_t seed;
	bool dirty;			/* interval set needs sorting at commit */
	int use;			/* rules referring to it */
};

/* An anonymous set { 22, 80, 1000-2000 }: sorted disjoint ranges. */
struct nft_aset {
	uint32_t n;
	struct nft_range r[];
};

enum nft_expr_type {
	NFT_E_MATCH,
	NFT_E_COUNTER,
	NFT_E_LOG,
	NFT_E_NAT,
	NFT_E_VERDICT,
};

enum nft_verdict_code {
	NFT_V_ACCEPT,
	NFT_V_DROP,
	NFT_V_REJECT,
	NFT_V_JUMP,
	NFT_V_GOTO,
	NFT_V_RETURN,
	NFT_V_CONTINUE,
};

enum nft_reject_type {
	NFT_REJECT_ICMP,	/* reject with icmp type <code> */
	NFT_REJECT_TCP_RST,	/* reject with tcp reset */
};

enum nft_nat_type {
	NFT_NAT_SNAT,
	NFT_NAT_DNAT,
	NFT_NAT_MASQ,
};

struct nft_match {
	uint8_t field;		/* enum nft_field */
	uint8_t op;		/* enum nft_op */
	uint8_t dep_proto;	/* implied l4 protocol (tcp dport: 6), 0: none */
	bool neg;		/* != */
	uint32_t a, b;
	struct nft_aset *aset;			/* NFT_OP_ASET (owned) */
	struct nft_set *set;			/* NFT_OP_SET (resolved by name) */
	char name[NFT_NAME_MAXLEN];		/* set name, or interface name */
};

struct nft_expr {
	uint8_t type;		/* enum nft_expr_type */
	uint32_t line;		/* source line (0: unknown), for late errors */
	union {
		struct nft_match m;
		struct {
			char prefix[128];
			bool has_prefix;
		} log;
		struct {
			uint8_t type;		/* enum nft_nat_type */
			uint32_t addr;		/* host order, 0 with MASQ */
			uint16_t port_lo, port_hi;	/* 0: keep */
		} nat;
		struct {
			uint8_t code;		/* enum nft_verdict_code */
			uint8_t reject_type;	/* enum nft_reject_type */
			uint8_t icmp_code;	/* ICMP_PORT_UNREACH, ... */
			struct nft_chain *chain;	/* jump/goto target (resolved) */
			char target[NFT_NAME_MAXLEN];
		} v;
	};
};

struct nft_rule {
	uint64_t handle;
	uint64_t packets, bytes;	/* counted when the rule's matches pass */
	uint32_t nexprs;
	struct nft_expr e[];
};

enum nft_chain_type {
	NFT_CHAIN_FILTER,
	NFT_CHAIN_NAT,
};

struct nft_chain {
	char name[NFT_NAME_MAXLEN];
	uint64_t handle;
	bool base;
	uint8_t type;		/* enum nft_chain_type */
	uint8_t hook;		/* enum nft_hook */
	int priority;
	uint8_t policy;		/* NFT_ACCEPT or NFT_DROP */
	struct nft_rule **rules;
	uint32_t nrules, cap;
	int use;		/* jump/goto references */
	int height;		/* validation scratch (nf_tables_api.c) */
	struct nft_table *table;
	void *hook_ops;		/* nft_hooks.c registration, NULL when not hooked */
};

enum nft_family {
	NFT_FAMILY_IP,
	NFT_FAMILY_INET,	/* evaluated on IPv4 packets (the only family yet) */
};

struct nft_table {
	char name[NFT_NAME_MAXLEN];
	uint8_t family;
	uint64_t handle;
	uint64_t next_handle;
	struct nft_chain **chains;
	uint32_t nchains;
	struct nft_set **sets;
	uint32_t nsets;
};

struct nft_ruleset {
	struct nft_table **tables;
	uint32_t ntables;
	uint64_t next_handle;
};

/* Per-stack state (stack->nft). */
struct netns_nft {
	struct nft_ruleset *rs;		/* the running ruleset, never NULL */
	uint64_t generation;		/* bumped on every commit */
	uint32_t set_seed;		/* hash seed for sets (per stack, random) */
	/* log statement: token bucket shared by every log rule */
	uint64_t log_tokens_ns;
	uint64_t log_last;
	uint64_t logged, log_suppressed;
	uint64_t jump_overflow;		/* runtime jump stack overflows (dropped) */
	/* hooks (nft_hooks.c) */
	void *hooks;
};

/* ---- packets ------------------------------------------------------------------ */
/* What the evaluator knows about one packet. */
struct nft_pktinfo {
	struct sk_buff *skb;
	const struct net_device *in, *out;
	uint8_t hook;
	bool l4_ok;		/* transport header parsed (first fragment, long enough) */
	uint8_t l4proto;
	uint32_t v[NFT_F_MAX];	/* 32-bit field values (host order) */
	unsigned int thoff;	/* transport header offset from the network header */
};

/* Parse the IPv4 header at skb's network header and the transport header
 * after it. ct state defaults to untracked; conntrack overwrites it.
 * 0, or -EINVAL when the IPv4 header is malformed (the packet is then
 * left to the hook's caller: rules see nothing). */
int nft_pktinfo_init(struct nft_pktinfo *pkt, struct sk_buff *skb, uint8_t hook,
		     const struct net_device *in, const struct net_device *out);

/* What the hook must do besides the verdict. */
struct nft_result {
	const struct nft_expr *reject;	/* verdict reject: send this */
	const struct nft_expr *nat;	/* nat statement that matched */
	const struct nft_rule *rule;	/* rule that gave the verdict (NULL: policy) */
};

/* Evaluate base chain `chain` on pkt: NFT_ACCEPT or NFT_DROP. */
unsigned int nft_do_chain(struct ns_stack *stack, const struct nft_chain *chain,
			  struct nft_pktinfo *pkt, struct nft_result *res);
/* One match against pkt. */
bool nft_match_eval(const struct nft_match *m, const struct nft_pktinfo *pkt);

/* ---- sets ---------------------------------------------------------------------- */
struct nft_set *nft_set_new(const char *name, enum nft_vtype keytype, uint32_t flags,
			    uint32_t seed);
void nft_set_free(struct nft_set *s);
struct nft_set *nft_set_clone(const struct nft_set *s);
/* Add a range (lo == hi: a single value). Hash sets take single values
 * only. Duplicates in a hash set are ignored. 0, -ENOMEM, -ENFILE (full),
 * -EINVAL (range in a hash set). */
int nft_set_add(struct nft_set *s, uint32_t lo, uint32_t hi);
/* Remove an element given exactly as added. 0 or -ENOENT. */
int nft_set_del(struct nft_set *s, uint32_t lo, uint32_t hi);
/* Sort and check an interval set: 0, or -EEXIST when two elements
 * overlap (*clash gets one of them). */
int nft_set_commit(struct nft_set *s, struct nft_range *clash);
bool nft_set_lookup(const struct nft_set *s, uint32_t v);
/* Anonymous sets: sort, merge; NULL on -ENOMEM. */
struct nft_aset *nft_aset_build(const struct nft_range *r, uint32_t n);
bool nft_aset_lookup(const struct nft_aset *s, uint32_t v);

/* ---- ruleset objects (nf_tables_api.c) ------------------------------------------- */
struct nft_ruleset *nft_ruleset_new(void);
void nft_ruleset_free(struct nft_ruleset *rs);
struct nft_ruleset *nft_ruleset_clone(const struct nft_ruleset *rs);
void nft_rule_free(struct nft_rule *r);
void nft_chain_free(struct nft_chain *c);
void nft_table_free(struct nft_table *t);
struct nft_table *nft_table_find(const struct nft_ruleset *rs, uint8_t family, const char *name);
struct nft_chain *nft_chain_find(const struct nft_table *t, const char *name);
struct nft_set *nft_set_find(const struct nft_table *t, const char *name);
/* Resolve jump targets and set references, count uses, check jump depth
 * and loops, commit sets. 0 or -errno with msg (and *line) set. */
int nft_ruleset_validate(struct nft_ruleset *rs, char *msg, size_t msglen, uint32_t *line);

/* Print in nft's `list ruleset` format. handles: `-a`. */
void nft_print_ruleset(const struct nft_ruleset *rs, struct seq_buf *s, bool handles);
void nft_print_table(const struct nft_table *t, struct seq_buf *s, bool handles);
void nft_print_chain(const struct nft_table *t, const struct nft_chain *c, struct seq_buf *s,
		     bool handles);
void nft_print_set(const struct nft_table *t, const struct nft_set *set, struct seq_buf *s);
const char *nft_family_name(uint8_t family);
const char *nft_hook_name(uint8_t hook);

/* ---- transactions (text syntax, nf_tables_parse.c) ----------------------------------- */
/* Apply a batch of nft commands (a file, or one command line) to the
 * stack's ruleset atomically: all or nothing. List commands print to
 * *out. On error returns -errno and writes "LINE:COL: Error: ..." to err
 * (prefixed with `where` when not NULL). check_only: validate, change
 * nothing. */
struct nft_run_opts {
	const char *where;	/* file name for messages, or NULL */
	bool check_only;	/* nft -c */
	bool handles;		/* nft -a */
};
int nft_run(struct ns_stack *stack, const char *text, const struct nft_run_opts *opts,
	    struct seq_buf *out, char *err, size_t errlen);

/* Install rs as the running ruleset (the old one is freed) and re-hook. */
void nft_commit(struct ns_stack *stack, struct nft_ruleset *rs);
int nf_tables_init(struct ns_stack *stack);
void nf_tables_exit(struct ns_stack *stack);

/* Hook registration for the running ruleset's base chains (nft_hooks.c). */
int nft_hooks_sync(struct ns_stack *stack);
void nft_hooks_clear(struct ns_stack *stack);

/* Log statement: rate-limited message for pkt (true if printed). */
bool nft_log_packet(struct ns_stack *stack, const struct nft_expr *e,
		    const struct nft_pktinfo *pkt);

#endif
