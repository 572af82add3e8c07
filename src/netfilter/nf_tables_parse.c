/* nf_tables_parse.c - the nft language: `table ip filter { chain input {
 * type filter hook input priority 0; policy drop; tcp dport 22 accept } }`
 * files, and the commands `add|insert|delete|flush|list ...`. A batch (a
 * file or one command line) is applied to a clone of the running ruleset,
 * validated, then swapped in whole: any error leaves the running ruleset
 * as it was and names the line and column (nft_run()).
 *
 * Recursive descent over a small lexer; newlines and ';' separate
 * statements, '#' starts a comment. Read nft_run() and parse_command(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "core/stack.h"
#include "netfilter/nf_tables.h"
#include "netfilter/nf_tables_syntax.h"
#include "wire/icmp.h"

#define NFT_MAX_TABLES 256
#define NFT_MAX_CHAINS 4096
#define NFT_MAX_RULES (1u << 20)
#define NFT_MAX_SETS 1024

enum tok_type {
	T_EOF, T_WORD, T_STRING, T_SEP, T_LBRACE, T_RBRACE, T_COMMA, T_COLON,
	T_EQ, T_NE, T_LT, T_GT, T_LE, T_GE, T_AMP, T_PIPE, T_LPAREN, T_RPAREN, T_BAD,
};

struct tok {
	enum tok_type type;
	const char *s;
	size_t len;
	uint32_t line, col;
};

struct parser {
	const char *text;
	size_t pos;
	uint32_t line, col;
	struct tok cur, nxt;
	bool have_nxt;
	struct ns_stack *stack;
	struct nft_ruleset *rs;
	struct seq_buf *out;
	const struct nft_run_opts *opts;
	char *err;
	size_t errlen;
	bool failed;
	int rc;			/* the first error's code */
	char word[256];		/* cur as a NUL-terminated string */
};

/* ---- errors --------------------------------------------------------------------------------- */
static int perr_at(struct parser *p, uint32_t line, uint32_t col, int rc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int perr_at(struct parser *p, uint32_t line, uint32_t col, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return rc;
	p->failed = true;
	p->rc = rc;
	if (p->opts->where)
		n = snprintf(p->err, p->errlen, "%s:%u:%u: Error: ", p->opts->where, line, col);
	else
		n = snprintf(p->err, p->errlen, "line %u:%u: Error: ", line, col);
	if (n < 0 || (size_t)n >= p->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}
#define perr(p, rc, ...) perr_at(p, (p)->cur.line, (p)->cur.col, rc, __VA_ARGS__)

/* ---- lexer ----------------------------------------------------------------------------------- */
static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '/' || c == '@' || c == '*' || c == '$' ||
	       c == '+';
}

static char lx_get(struct parser *p)
{
	char c = p->text[p->pos];

	if (!c)
		return 0;
	p->pos++;
	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else {
		p->col++;
	}
	return c;
}

static void lex(struct parser *p, struct tok *t)
{
	char c;

	for (;;) {
		c = p->text[p->pos];
		if (c == ' ' || c == '\t' || c == '\r') {
			lx_get(p);
		} else if (c == '\\' && p->text[p->pos + 1] == '\n') {
			lx_get(p);
			lx_get(p);
		} else if (c == '#') {
			while (p->text[p->pos] && p->text[p->pos] != '\n')
				lx_get(p);
		} else {
			break;
		}
	}
	t->line = p->line;
	t->col = p->col;
	t->s = p->text + p->pos;
	t->len = 1;
	if (!c) {
		t->type = T_EOF;
		t->len = 0;
		return;
	}
	if (word_char(c)) {
		while (word_char(p->text[p->pos]))
			lx_get(p);
		t->type = T_WORD;
		t->len = (size_t)(p->text + p->pos - t->s);
		return;
	}
	if (c == '"') {
		lx_get(p);
		t->s = p->text + p->pos;
		while (p->text[p->pos] && p->text[p->pos] != '"' && p->text[p->pos] != '\n')
			lx_get(p);
		t->len = (size_t)(p->text + p->pos - t->s);
		t->type = p->text[p->pos] == '"' ? T_STRING : T_BAD;
		lx_get(p);
		return;
	}
	lx_get(p);
	switch (c) {
	case '\n': case ';': t->type = T_SEP; return;
	case '{': t->type = T_LBRACE; return;
	case '}': t->type = T_RBRACE; return;
	case ',': t->type = T_COMMA; return;
	case ':': t->type = T_COLON; return;
	case '&': t->type = T_AMP; return;
	case '|': t->type = T_PIPE; return;
	case '(': t->type = T_LPAREN; return;
	case ')': t->type = T_RPAREN; return;
	case '=':
		if (p->text[p->pos] == '=')
			lx_get(p);
		t->type = T_EQ;
		break;
	case '!':
		t->type = T_BAD;
		if (p->text[p->pos] == '=') {
			lx_get(p);
			t->type = T_NE;
		}
		break;
	case '<': case '>':
		t->type = c == '<' ? T_LT : T_GT;
		if (p->text[p->pos] == '=') {
			lx_get(p);
			t->type = c == '<' ? T_LE : T_GE;
		}
		break;
	default:
		t->type = T_BAD;
		return;
	}
	t->len = (size_t)(p->text + p->pos - t->s);
}

static void set_word(struct parser *p)
{
	size_t n = p->cur.len < sizeof(p->word) - 1 ? p->cur.len : sizeof(p->word) - 1;

	memcpy(p->word, p->cur.s, n);
	p->word[n] = 0;
}

static void next(struct parser *p)
{
	if (p->have_nxt) {
		p->cur = p->nxt;
		p->have_nxt = false;
	} else {
		lex(p, &p->cur);
	}
	set_word(p);
}

static const struct tok *peek(struct parser *p)
{
	if (!p->have_nxt) {
		lex(p, &p->nxt);
		p->have_nxt = true;
	}
	return &p->nxt;
}

static bool is_word(const struct parser *p, const char *w)
{
	return p->cur.type == T_WORD && p->cur.len == strlen(w) && !strncmp(p->cur.s, w, p->cur.len);
}

static bool tok_is(const struct tok *t, const char *w)
{
	return t->type == T_WORD && t->len == strlen(w) && !strncmp(t->s, w, t->len);
}

static const char *tok_desc(struct parser *p)
{
	switch (p->cur.type) {
	case T_EOF: return "end of input";
	case T_SEP: return p->cur.s[0] == ';' ? "';'" : "end of line";
	default: return p->word;
	}
}

static int expect_word(struct parser *p, const char *w)
{
	if (!is_word(p, w))
		return perr(p, -EINVAL, "syntax error, unexpected %s, expecting %s", tok_desc(p), w);
	next(p);
	return 0;
}

static int expect(struct parser *p, enum tok_type t, const char *what)
{
	if (p->cur.type != t)
		return perr(p, -EINVAL, "syntax error, unexpected %s, expecting %s", tok_desc(p), what);
	next(p);
	return 0;
}

static void skip_seps(struct parser *p)
{
	while (p->cur.type == T_SEP)
		next(p);
}

/* A name (identifier or quoted string) into buf. */
static int take_name(struct parser *p, char *buf, size_t len, const char *what)
{
	if (p->cur.type != T_WORD && p->cur.type != T_STRING)
		return perr(p, -EINVAL, "syntax error, unexpected %s, expecting %s", tok_desc(p), what);
	if (p->cur.len == 0 || p->cur.len >= len)
		return perr(p, -ENAMETOOLONG, "%s name \"%s\" is empty or too long", what, p->word);
	memcpy(buf, p->cur.s, p->cur.len);
	buf[p->cur.len] = 0;
	next(p);
	return 0;
}

/* ---- values ------------------------------------------------------------------------------------ */
static int parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long long x;

	if (!*s || !((*s >= '0' && *s <= '9')))
		return -EINVAL;
	x = strtoull(s, &end, 0);
	if (*end || x > max)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int parse_addr(const char *s, uint32_t *a)
{
	unsigned int b[4];
	char tail;

	if (sscanf(s, "%3u.%3u.%3u.%3u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		if (b[i] > 255)
			return -EINVAL;
	*a = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return 0;
}

static const struct nft_sym services[] = {
	{ "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 }, { "domain", 53 },
	{ "http", 80 }, { "ntp", 123 }, { "https", 443 }, { NULL, 0 },
};

/* One value of vtype from a word (no ranges). */
static int parse_scalar(uint8_t vtype, const char *s, uint32_t *v)
{
	switch (vtype) {
	case NFT_T_ADDR:
		return parse_addr(s, v);
	case NFT_T_PORT:
		if (!nft_sym_lookup(services, s, v))
			return 0;
		return parse_u32(s, 65535, v);
	case NFT_T_PROTO:
		if (!nft_sym_lookup(nft_protos, s, v))
			return 0;
		return parse_u32(s, 255, v);
	case NFT_T_ICMP_TYPE:
		if (!nft_sym_lookup(nft_icmp_types, s, v))
			return 0;
		return parse_u32(s, 255, v);
	case NFT_T_TCP_FLAGS:
		if (!nft_sym_lookup(nft_tcp_flags, s, v))
			return 0;
		return parse_u32(s, 255, v);
	case NFT_T_CT_STATE:
		return nft_sym_lookup(nft_ct_states, s, v);
	default:
		return parse_u32(s, UINT32_MAX, v);
	}
}

/* A value, a range "a-b" or (addresses) a prefix "a/len" as [lo, hi].
 * *single tells whether it was one value. */
static int parse_element(struct parser *p, uint8_t vtype, struct nft_range *r, bool *single)
{
	char buf[256], *dash, *slash;
	uint32_t plen;

	if (p->cur.type != T_WORD)
		return perr(p, -EINVAL, "syntax error, unexpected %s, expecting a value", tok_desc(p));
	snprintf(buf, sizeof(buf), "%s", p->word);
	*single = true;
	slash = vtype == NFT_T_ADDR ? strchr(buf, '/') : NULL;
	/* a '-' after the first character separates a range (names like
	 * echo-request contain one: try the whole word first) */
	dash = strchr(buf + 1, '-');
	if (slash) {
		*slash = 0;
		if (parse_addr(buf, &r->lo) || parse_u32(slash + 1, 32, &plen))
			return perr(p, -EINVAL, "invalid prefix \"%s\"", p->word);
		uint32_t mask = plen ? ~0u << (32 - plen) : 0;

		if (r->lo & ~mask)
			return perr(p, -EINVAL, "prefix \"%s\" has host bits set", p->word);
		r->hi = r->lo | ~mask;
		*single = plen == 32;
	} else if (parse_scalar(vtype, buf, &r->lo) == 0) {
		r->hi = r->lo;
	} else if (dash) {
		*dash = 0;
		if (parse_scalar(vtype, buf, &r->lo) || parse_scalar(vtype, dash + 1, &r->hi))
			return perr(p, -EINVAL, "invalid %s range \"%s\"", nft_vtype_name(vtype),
				    p->word);
		if (r->lo > r->hi)
			return perr(p, -EINVAL, "range \"%s\" is negative", p->word);
		*single = r->lo == r->hi;
	} else {
		return perr(p, -EINVAL, "could not parse %s value \"%s\"", nft_vtype_name(vtype),
			    p->word);
	}
	next(p);
	return 0;
}

/* `{ a, b, c-d }` into a growing array. */
struct rangebuf {
	struct nft_range *r;
	uint32_t n, cap;
};

static int rb_push(struct rangebuf *b, struct nft_range r)
{
	if (b->n == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 16;
		void *q = realloc(b->r, cap * sizeof(*b->r));

		if (!q)
			return -ENOMEM;
		b->r = q;
		b->cap = cap;
	}
	b->r[b->n++] = r;
	return 0;
}

static int parse_elements(struct parser *p, uint8_t vtype, struct rangebuf *b, bool *any_range)
{
	int rc = expect(p, T_LBRACE, "'{'");

	*any_range = false;
	while (!rc) {
		struct nft_range r;
		bool single;

		skip_seps(p);
		if (p->cur.type == T_RBRACE)
			break;
		if ((rc = parse_element(p, vtype, &r, &single)))
			break;
		*any_range |= !single;
		if ((rc = rb_push(b, r)))
			return perr(p, rc, "out of memory");
		skip_seps(p);
		if (p->cur.type == T_COMMA)
			next(p);
		else if (p->cur.type != T_RBRACE)
			return perr(p, -EINVAL, "syntax error, unexpected %s, expecting ',' or '}'",
				    tok_desc(p));
	}
	return rc ? rc : expect(p, T_RBRACE, "'}'");
}

/* ---- matches ------------------------------------------------------------------------------------ */
/* Flag lists: `syn`, `syn | ack`, `(syn | ack)`, `established,related`. */
static int parse_flags(struct parser *p, uint8_t vtype, uint32_t *v)
{
	bool paren = p->cur.type == T_LPAREN;
	uint32_t x;

	if (paren)
		next(p);
	*v = 0;
	for (;;) {
		if (p->cur.type != T_WORD || parse_scalar(vtype, p->word, &x))
			return perr(p, -EINVAL, "could not parse %s value \"%s\"",
				    nft_vtype_name(vtype), tok_desc(p));
		*v |= x;
		next(p);
		if (p->cur.type != T_PIPE && p->cur.type != T_COMMA)
			break;
		next(p);
	}
	return paren ? expect(p, T_RPAREN, "')'") : 0;
}

static const struct nft_field_desc *find_field(struct parser *p)
{
	const struct tok *n = peek(p);

	for (const struct nft_field_desc *d = nft_fields; d->key; d++) {
		if (d->proto ? (is_word(p, d->proto) && tok_is(n, d->key)) : is_word(p, d->key))
			return d;
	}
	return NULL;
}

static bool is_flag_type(uint8_t vt)
{
	return vt == NFT_T_TCP_FLAGS || vt == NFT_T_CT_STATE;
}

static int parse_match_value(struct parser *p, const struct nft_field_desc *d, struct nft_match *m,
			     bool explicit_eq)
{
	struct nft_range r;
	bool single;
	int rc;

	if (p->cur.type == T_LBRACE) {
		struct rangebuf b = { 0 };
		bool any_range;

		rc = parse_elements(p, d->vtype, &b, &any_range);
		if (!rc && b.n == 0)
			rc = perr(p, -EINVAL, "empty set");
		if (!rc && !(m->aset = nft_aset_build(b.r, b.n)))
			rc = perr(p, -ENOMEM, "out of memory");
		free(b.r);
		m->op = NFT_OP_ASET;
		return rc;
	}
	if (p->cur.type == T_WORD && p->cur.s[0] == '@') {
		if (p->cur.len < 2 || p->cur.len >= sizeof(m->name))
			return perr(p, -EINVAL, "invalid set reference \"%s\"", p->word);
		snprintf(m->name, sizeof(m->name), "%s", p->word + 1);
		m->op = NFT_OP_SET;
		next(p);
		return 0;
	}
	if (d->vtype == NFT_T_IFNAME) {
		if ((rc = take_name(p, m->name, IFNAMSIZ, "interface")))
			return rc;
		m->op = NFT_OP_IFNAME;
		return 0;
	}
	if (is_flag_type(d->vtype) && !explicit_eq) {
		m->op = NFT_OP_BITS;
		return parse_flags(p, d->vtype, &m->a);
	}
	if ((rc = parse_element(p, d->vtype, &r, &single)))
		return rc;
	if (single) {
		m->op = m->op ? m->op : NFT_OP_EQ;
		m->a = r.lo;
		return 0;
	}
	if (m->op != NFT_OP_EQ)
		return perr(p, -EINVAL, "a range or prefix takes == or !=");
	m->op = NFT_OP_RANGE;
	m->a = r.lo;
	m->b = r.hi;
	if (d->vtype == NFT_T_ADDR && r.hi - r.lo != UINT32_MAX &&
	    ((r.hi - r.lo) & (r.hi - r.lo + 1)) == 0 && (r.lo & (r.hi - r.lo)) == 0) {
		m->op = NFT_OP_PREFIX;
		m->b = ~(r.hi - r.lo);
	} else if (d->vtype == NFT_T_ADDR && r.lo == 0 && r.hi == UINT32_MAX) {
		m->op = NFT_OP_PREFIX;
		m->a = 0;
		m->b = 0;
	}
	return 0;
}

static int parse_match(struct parser *p, const struct nft_field_desc *d, struct nft_expr *e)
{
	struct nft_match *m = &e->m;
	bool explicit_eq = false;
	int rc;

	e->type = NFT_E_MATCH;
	m->field = d->field;
	m->dep_proto = d->dep;
	next(p);
	if (d->proto)
		next(p);
	switch (p->cur.type) {
	case T_EQ: explicit_eq = true; m->op = NFT_OP_EQ; next(p); break;
	case T_NE: explicit_eq = true; m->op = NFT_OP_EQ; m->neg = true; next(p); break;
	case T_LT: m->op = NFT_OP_LT; next(p); break;
	case T_GT: m->op = NFT_OP_GT; next(p); break;
	case T_LE: m->op = NFT_OP_LE; next(p); break;
	case T_GE: m->op = NFT_OP_GE; next(p); break;
	case T_AMP:
		if (!is_flag_type(d->vtype) && d->vtype != NFT_T_INT && d->vtype != NFT_T_MARK)
			return perr(p, -EINVAL, "'&' applies to flags and integers");
		next(p);
		if ((rc = parse_flags(p, d->vtype, &m->a)))
			return rc;
		if (p->cur.type != T_EQ && p->cur.type != T_NE)
			return perr(p, -EINVAL, "syntax error, unexpected %s, expecting == or !=",
				    tok_desc(p));
		m->neg = p->cur.type == T_NE;
		next(p);
		m->op = NFT_OP_MASKEQ;
		return parse_flags(p, d->vtype, &m->b);
	default:
		break;
	}
	if (m->op >= NFT_OP_LT && m->op <= NFT_OP_GE &&
	    (d->vtype == NFT_T_IFNAME || is_flag_type(d->vtype)))
		return perr(p, -EINVAL, "'<'/'>' do not apply to %s", nft_vtype_name(d->vtype));
	return parse_match_value(p, d, m, explicit_eq);
}

/* ---- statements and verdicts --------------------------------------------------------------------- */
static int parse_counter(struct parser *p, struct nft_expr *e, uint64_t *pk, uint64_t *by)
{
	unsigned long long x;
	char *end;

	e->type = NFT_E_COUNTER;
	next(p);
	if (!is_word(p, "packets"))
		return 0;
	next(p);
	x = strtoull(p->word, &end, 10);
	if (p->cur.type != T_WORD || *end)
		return perr(p, -EINVAL, "invalid packet count \"%s\"", tok_desc(p));
	*pk = x;
	next(p);
	if (expect_word(p, "bytes"))
		return -EINVAL;
	x = strtoull(p->word, &end, 10);
	if (p->cur.type != T_WORD || *end)
		return perr(p, -EINVAL, "invalid byte count \"%s\"", tok_desc(p));
	*by = x;
	next(p);
	return 0;
}

static int parse_log(struct parser *p, struct nft_expr *e)
{
	e->type = NFT_E_LOG;
	next(p);
	if (!is_word(p, "prefix"))
		return 0;
	next(p);
	if (p->cur.type != T_STRING && p->cur.type != T_WORD)
		return perr(p, -EINVAL, "log prefix needs a string");
	if (p->cur.len >= sizeof(e->log.prefix))
		return perr(p, -EINVAL, "log prefix is longer than %zu characters",
			    sizeof(e->log.prefix) - 1);
	memcpy(e->log.prefix, p->cur.s, p->cur.len);
	e->log.prefix[p->cur.len] = 0;
	e->log.has_prefix = true;
	next(p);
	return 0;
}

static int parse_reject(struct parser *p, struct nft_expr *e)
{
	uint32_t code;

	e->v.code = NFT_V_REJECT;
	e->v.reject_type = NFT_REJECT_ICMP;
	e->v.icmp_code = ICMP_PORT_UNREACH;
	next(p);
	if (!is_word(p, "with"))
		return 0;
	next(p);
	if (is_word(p, "tcp")) {
		next(p);
		e->v.reject_type = NFT_REJECT_TCP_RST;
		return expect_word(p, "reset");
	}
	if (expect_word(p, "icmp"))
		return -EINVAL;
	if (is_word(p, "type"))
		next(p);
	if (p->cur.type != T_WORD || nft_sym_lookup(nft_reject_codes, p->word, &code))
		return perr(p, -EINVAL, "unknown ICMP reject code \"%s\"", tok_desc(p));
	e->v.icmp_code = (uint8_t)code;
	next(p);
	return 0;
}

/* `:port` or `:lo-hi` after a nat address. */
static int parse_nat_ports(struct parser *p, struct nft_expr *e)
{
	struct nft_range r;
	bool single;
	int rc;

	if (p->cur.type != T_COLON)
		return 0;
	next(p);
	if ((rc = parse_element(p, NFT_T_PORT, &r, &single)))
		return rc;
	if (r.lo == 0)
		return perr(p, -EINVAL, "port 0 is not a nat target");
	e->nat.port_lo = (uint16_t)r.lo;
	e->nat.port_hi = (uint16_t)r.hi;
	return 0;
}

static int parse_nat(struct parser *p, struct nft_expr *e)
{
	e->type = NFT_E_NAT;
	e->nat.type = is_word(p, "snat") ? NFT_NAT_SNAT
		      : is_word(p, "dnat") ? NFT_NAT_DNAT : NFT_NAT_MASQ;
	next(p);
	if (e->nat.type == NFT_NAT_MASQ) {
		if (!is_word(p, "to"))
			return 0;
		next(p);
		if (p->cur.type != T_COLON)
			return perr(p, -EINVAL, "masquerade to takes :PORT[-PORT]");
		return parse_nat_ports(p, e);
	}
	if (expect_word(p, "to"))
		return -EINVAL;
	if (p->cur.type != T_WORD || parse_addr(p->word, &e->nat.addr))
		return perr(p, -EINVAL, "invalid nat address \"%s\"", tok_desc(p));
	next(p);
	return parse_nat_ports(p, e);
}

static int parse_verdict(struct parser *p, struct nft_expr *e)
{
	e->type = NFT_E_VERDICT;
	if (is_word(p, "reject"))
		return parse_reject(p, e);
	if (is_word(p, "jump") || is_word(p, "goto")) {
		e->v.code = is_word(p, "jump") ? NFT_V_JUMP : NFT_V_GOTO;
		next(p);
		return take_name(p, e->v.target, sizeof(e->v.target), "chain");
	}
	e->v.code = is_word(p, "accept") ? NFT_V_ACCEPT
		    : is_word(p, "drop") ? NFT_V_DROP
		    : is_word(p, "return") ? NFT_V_RETURN : NFT_V_CONTINUE;
	next(p);
	return 0;
}

static bool is_verdict_word(struct parser *p)
{
	static const char *const w[] = { "accept", "drop", "reject", "jump", "goto", "return",
					 "continue", NULL };

	for (int i = 0; w[i]; i++)
		if (is_word(p, w[i]))
			return true;
	return false;
}

static bool rule_end(const struct parser *p)
{
	return p->cur.type == T_SEP || p->cur.type == T_RBRACE || p->cur.type == T_EOF;
}

/* One rule up to a separator. *rp gets a new rule (handle unset). */
static int parse_rule(struct parser *p, struct nft_chain *c, struct nft_rule **rp)
{
	struct nft_expr ex[NFT_RULE_MAXEXPRS];
	uint64_t pk = 0, by = 0;
	uint32_t n = 0;
	bool terminal = false;
	int rc = 0;

	memset(ex, 0, sizeof(ex));
	while (!rule_end(p) && !rc) {
		struct nft_expr *e = &ex[n];
		const struct nft_field_desc *d;

		if (n == NFT_RULE_MAXEXPRS) {
			rc = perr(p, -E2BIG, "rule has more than %d expressions", NFT_RULE_MAXEXPRS);
			break;
		}
		if (terminal) {
			rc = perr(p, -EINVAL, "statement after a verdict: \"%s\"", tok_desc(p));
			break;
		}
		e->line = p->cur.line;
		if ((d = find_field(p))) {
			rc = parse_match(p, d, e);
		} else if (is_word(p, "counter")) {
			rc = parse_counter(p, e, &pk, &by);
		} else if (is_word(p, "log")) {
			rc = parse_log(p, e);
		} else if (is_word(p, "snat") || is_word(p, "dnat") || is_word(p, "masquerade")) {
			if (c->type != NFT_CHAIN_NAT)
				rc = perr(p, -EOPNOTSUPP, "%s is only valid in a nat chain", p->word);
			else if (c->hook == (is_word(p, "dnat") ? NFT_HOOK_POSTROUTING : NFT_HOOK_PREROUTING) ||
				 (!is_word(p, "dnat") && c->hook == NFT_HOOK_OUTPUT))
				rc = perr(p, -EOPNOTSUPP, "%s is not valid in a %s chain", p->word,
					  nft_hook_name(c->hook));
			else
				rc = parse_nat(p, e);
			terminal = true;
		} else if (is_verdict_word(p)) {
			rc = parse_verdict(p, e);
			terminal = true;
		} else {
			rc = perr(p, -EINVAL, "syntax error, unexpected %s", tok_desc(p));
		}
		n++;
	}
	if (rc) {
		for (uint32_t i = 0; i < n; i++)
			if (ex[i].type == NFT_E_MATCH && ex[i].m.op == NFT_OP_ASET)
				free(ex[i].m.aset);
		return rc;
	}
	if (n == 0)
		return perr(p, -EINVAL, "empty rule");
	*rp = malloc(sizeof(**rp) + n * sizeof(ex[0]));
	if (!*rp) {
		for (uint32_t i = 0; i < n; i++)
			if (ex[i].type == NFT_E_MATCH && ex[i].m.op == NFT_OP_ASET)
				free(ex[i].m.aset);
		return perr(p, -ENOMEM, "out of memory");
	}
	(*rp)->handle = 0;
	(*rp)->packets = pk;
	(*rp)->bytes = by;
	(*rp)->nexprs = n;
	memcpy((*rp)->e, ex, n * sizeof(ex[0]));
	return 0;
}

/* ---- objects -------------------------------------------------------------------------------------- */
static int grow_ptrs(void *arrp, uint32_t n, uint32_t *cap)
{
	void ***arr = arrp;
	uint32_t c = cap ? *cap : n;

	if (n < c)
		return 0;
	c = c ? c * 2 : 8;
	void **q = realloc(*arr, c * sizeof(void *));

	if (!q)
		return -ENOMEM;
	*arr = q;
	if (cap)
		*cap = c;
	return 0;
}

/* Arrays of tables/chains/sets have room for n+1 entries at all times
 * (capacity grows on demand; chains and sets use exact-size arrays). */
static int push_ptr(void *arrp, uint32_t *n, void *obj)
{
	void ***arr = arrp;
	void **q = realloc(*arr, (*n + 1) * sizeof(void *));

	if (!q)
		return -ENOMEM;
	*arr = q;
	q[(*n)++] = obj;
	return 0;
}

static void remove_ptr(void **arr, uint32_t *n, void *obj)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (arr[i] == obj) {
			memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof(void *));
			(*n)--;
			return;
		}
	}
}

/* Insert r at index pos of c (pos == c->nrules: append). */
static int add_rule(struct parser *p, struct nft_table *t, struct nft_chain *c, struct nft_rule *r,
		    uint32_t pos)
{
	if (c->nrules >= NFT_MAX_RULES || grow_ptrs(&c->rules, c->nrules, &c->cap)) {
		nft_rule_free(r);
		return perr(p, -ENOSPC, "chain '%s' is full", c->name);
	}
	r->handle = t->next_handle++;
	memmove(&c->rules[pos + 1], &c->rules[pos], (c->nrules - pos) * sizeof(c->rules[0]));
	c->rules[pos] = r;
	c->nrules++;
	return 0;
}

static int parse_family(struct parser *p, uint8_t *family)
{
	*family = NFT_FAMILY_IP;
	if ((is_word(p, "ip") || is_word(p, "inet")) && (peek(p)->type == T_WORD ||
							 peek(p)->type == T_STRING)) {
		*family = is_word(p, "inet") ? NFT_FAMILY_INET : NFT_FAMILY_IP;
		next(p);
	} else if (is_word(p, "ip6") || is_word(p, "arp") || is_word(p, "bridge") ||
		   is_word(p, "netdev")) {
		return perr(p, -EAFNOSUPPORT, "family %s is not supported (ip and inet are)",
			    p->word);
	}
	return 0;
}

static struct nft_table *get_table(struct parser *p, bool create)
{
	char name[NFT_NAME_MAXLEN];
	uint8_t family;
	uint32_t line = p->cur.line, col = p->cur.col;
	struct nft_table *t;

	if (parse_family(p, &family) || take_name(p, name, sizeof(name), "table"))
		return NULL;
	t = nft_table_find(p->rs, family, name);
	if (t || !create) {
		if (!t)
			perr_at(p, line, col, -ENOENT,
				"Could not process rule: No such file or directory: table %s %s",
				nft_family_name(family), name);
		return t;
	}
	if (p->rs->ntables >= NFT_MAX_TABLES)
		return perr(p, -ENOSPC, "too many tables"), NULL;
	t = calloc(1, sizeof(*t));
	if (!t || push_ptr(&p->rs->tables, &p->rs->ntables, t)) {
		free(t);
		return perr(p, -ENOMEM, "out of memory"), NULL;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->family = family;
	t->handle = p->rs->next_handle++;
	t->next_handle = 1;
	return t;
}

static struct nft_chain *chain_new(struct parser *p, struct nft_table *t, const char *name)
{
	struct nft_chain *c;

	if (t->nchains >= NFT_MAX_CHAINS)
		return perr(p, -ENOSPC, "too many chains"), NULL;
	c = calloc(1, sizeof(*c));
	if (!c || push_ptr(&t->chains, &t->nchains, c)) {
		free(c);
		return perr(p, -ENOMEM, "out of memory"), NULL;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->handle = t->next_handle++;
	c->table = t;
	c->policy = NFT_ACCEPT;
	return c;
}

static int parse_priority(struct parser *p, int *prio)
{
	uint32_t v;
	char *end;
	long x;

	if (p->cur.type != T_WORD)
		return perr(p, -EINVAL, "syntax error, unexpected %s, expecting a priority",
			    tok_desc(p));
	if (nft_sym_lookup(nft_priorities, p->word, &v) == 0) {
		*prio = (int)v;
	} else {
		x = strtol(p->word, &end, 10);
		if (*end || x < -100000 || x > 100000)
			return perr(p, -EINVAL, "invalid priority \"%s\"", p->word);
		*prio = (int)x;
	}
	next(p);
	return 0;
}

/* `type filter hook input priority 0` */
static int parse_chain_type(struct parser *p, struct nft_chain *c)
{
	uint32_t line = p->cur.line, col = p->cur.col;
	bool was_base = c->base;
	uint8_t type, hook = 0;
	int prio = 0, rc;

	next(p);
	if (!is_word(p, "filter") && !is_word(p, "nat"))
		return perr(p, -EINVAL, "unknown chain type \"%s\" (filter, nat)", tok_desc(p));
	type = is_word(p, "nat") ? NFT_CHAIN_NAT : NFT_CHAIN_FILTER;
	next(p);
	if ((rc = expect_word(p, "hook")))
		return rc;
	while (hook < NFT_HOOK_MAX && !is_word(p, nft_hook_name(hook)))
		hook++;
	if (hook == NFT_HOOK_MAX)
		return perr(p, -EINVAL, "unknown hook \"%s\"", tok_desc(p));
	next(p);
	if ((rc = expect_word(p, "priority")) || (rc = parse_priority(p, &prio)))
		return rc;
	if (type == NFT_CHAIN_NAT && hook == NFT_HOOK_FORWARD)
		return perr_at(p, line, col, -EOPNOTSUPP, "nat chains cannot hook forward");
	if ((was_base && (c->type != type || c->hook != hook)) || (!was_base && c->nrules)) {
		return perr_at(p, line, col, -EBUSY,
			       "Could not process rule: chain '%s' exists with another type",
			       c->name);
	}
	c->base = true;
	c->type = type;
	c->hook = hook;
	c->priority = prio;
	return 0;
}

static int parse_chain_body(struct parser *p, struct nft_table *t, struct nft_chain *c)
{
	int rc = expect(p, T_LBRACE, "'{'");

	while (!rc) {
		skip_seps(p);
		if (p->cur.type == T_RBRACE || p->cur.type == T_EOF)
			break;
		if (is_word(p, "type")) {
			rc = parse_chain_type(p, c);
		} else if (is_word(p, "policy")) {
			next(p);
			if (!is_word(p, "accept") && !is_word(p, "drop"))
				return perr(p, -EINVAL, "policy must be accept or drop");
			if (!c->base)
				return perr(p, -EOPNOTSUPP, "a policy needs a base chain");
			c->policy = is_word(p, "accept") ? NFT_ACCEPT : NFT_DROP;
			next(p);
		} else {
			struct nft_rule *r;

			if (!(rc = parse_rule(p, c, &r)))
				rc = add_rule(p, t, c, r, c->nrules);
		}
		if (!rc && !rule_end(p))
			rc = perr(p, -EINVAL, "syntax error, unexpected %s", tok_desc(p));
	}
	return rc ? rc : expect(p, T_RBRACE, "'}'");
}

static int parse_set_type(struct parser *p, uint8_t *vt)
{
	static const uint8_t types[] = { NFT_T_ADDR, NFT_T_PORT, NFT_T_PROTO, NFT_T_ICMP_TYPE,
					 NFT_T_MARK };

	next(p);
	for (size_t i = 0; i < sizeof(types); i++) {
		if (is_word(p, nft_vtype_name(types[i]))) {
			*vt = types[i];
			next(p);
			return 0;
		}
	}
	return perr(p, -EINVAL, "unknown set type \"%s\" (ipv4_addr, inet_service, inet_proto, "
		    "icmp_type, mark)", tok_desc(p));
}

static int add_elements(struct parser *p, struct nft_set *s, bool del)
{
	struct rangebuf b = { 0 };
	uint32_t line = p->cur.line, col = p->cur.col;
	bool any_range;
	int rc = parse_elements(p, s->keytype, &b, &any_range);

	if (!rc && any_range && !(s->flags & NFT_SET_F_INTERVAL))
		rc = perr_at(p, line, col, -EINVAL,
			     "set '%s': you must add 'flags interval' to hold ranges or prefixes",
			     s->name);
	for (uint32_t i = 0; !rc && i < b.n; i++) {
		rc = del ? nft_set_del(s, b.r[i].lo, b.r[i].hi) : nft_set_add(s, b.r[i].lo, b.r[i].hi);
		if (rc)
			rc = perr_at(p, line, col, rc, "Could not process rule: %s in set '%s'",
				     rc == -ENOENT ? "No such element" : rc == -ENFILE ? "set is full"
										: "out of memory",
				     s->name);
	}
	free(b.r);
	return rc;
}

static int parse_set_body(struct parser *p, struct nft_set *s, bool *typed)
{
	int rc = expect(p, T_LBRACE, "'{'");

	while (!rc) {
		skip_seps(p);
		if (p->cur.type == T_RBRACE || p->cur.type == T_EOF)
			break;
		if (is_word(p, "type")) {
			uint8_t vt = NFT_T_ADDR;

			if (!(rc = parse_set_type(p, &vt)) && s->n && vt != s->keytype)
				return perr(p, -EBUSY, "set '%s' already holds %s", s->name,
					    nft_vtype_name(s->keytype));
			if (!rc) {
				s->keytype = vt;
				*typed = true;
			}
		} else if (is_word(p, "flags")) {
			do {
				next(p);
				if (is_word(p, "interval")) {
					if (s->n && !(s->flags & NFT_SET_F_INTERVAL))
						return perr(p, -EBUSY, "set '%s' already has elements",
							    s->name);
					s->flags |= NFT_SET_F_INTERVAL;
				} else if (!is_word(p, "constant") && !is_word(p, "timeout")) {
					return perr(p, -EINVAL, "unknown set flag \"%s\"", tok_desc(p));
				}
				next(p);
			} while (p->cur.type == T_COMMA);
		} else if (is_word(p, "size")) {
			next(p);
			if (parse_u32(p->word, NFT_SET_MAXELEMS, &s->size) || s->size == 0)
				return perr(p, -EINVAL, "invalid set size \"%s\"", tok_desc(p));
			next(p);
		} else if (is_word(p, "elements")) {
			next(p);
			if (!*typed)
				return perr(p, -EINVAL, "set '%s' needs a type before elements", s->name);
			if (!(rc = expect(p, T_EQ, "'='")))
				rc = add_elements(p, s, false);
		} else {
			return perr(p, -EINVAL, "syntax error, unexpected %s in set", tok_desc(p));
		}
		if (!rc && !rule_end(p))
			rc = perr(p, -EINVAL, "syntax error, unexpected %s", tok_desc(p));
	}
	return rc ? rc : expect(p, T_RBRACE, "'}'");
}

static int parse_set_decl(struct parser *p, struct nft_table *t)
{
	char name[NFT_NAME_MAXLEN];
	uint32_t line = p->cur.line, col = p->cur.col;
	struct nft_set *s;
	bool typed, created = false;
	int rc;

	if ((rc = take_name(p, name, sizeof(name), "set")))
		return rc;
	s = nft_set_find(t, name);
	if (!s) {
		if (t->nsets >= NFT_MAX_SETS)
			return perr(p, -ENOSPC, "too many sets");
		s = nft_set_new(name, NFT_T_ADDR, 0, p->stack->nft->set_seed);
		if (!s || push_ptr(&t->sets, &t->nsets, s)) {
			nft_set_free(s);
			return perr(p, -ENOMEM, "out of memory");
		}
		s->handle = t->next_handle++;
		created = true;
	}
	typed = !created;
	rc = parse_set_body(p, s, &typed);
	if (!rc && !typed)
		rc = perr_at(p, line, col, -EINVAL, "set '%s' needs a type", name);
	return rc;
}

static int parse_table_body(struct parser *p, struct nft_table *t)
{
	int rc = expect(p, T_LBRACE, "'{'");

	while (!rc) {
		skip_seps(p);
		if (p->cur.type == T_RBRACE || p->cur.type == T_EOF)
			break;
		if (is_word(p, "chain")) {
			char name[NFT_NAME_MAXLEN];
			struct nft_chain *c;

			next(p);
			if ((rc = take_name(p, name, sizeof(name), "chain")))
				break;
			c = nft_chain_find(t, name);
			if (!c && !(c = chain_new(p, t, name)))
				return p->rc;
			rc = parse_chain_body(p, t, c);
		} else if (is_word(p, "set")) {
			next(p);
			rc = parse_set_decl(p, t);
		} else {
			rc = perr(p, -EINVAL, "syntax error, unexpected %s, expecting chain or set",
				  tok_desc(p));
		}
	}
	return rc ? rc : expect(p, T_RBRACE, "'}'");
}

/* ---- commands -------------------------------------------------------------------------------------- */
static struct nft_chain *get_chain(struct parser *p, struct nft_table *t)
{
	char name[NFT_NAME_MAXLEN];
	uint32_t line = p->cur.line, col = p->cur.col;
	struct nft_chain *c;

	if (take_name(p, name, sizeof(name), "chain"))
		return NULL;
	c = nft_chain_find(t, name);
	if (!c)
		perr_at(p, line, col, -ENOENT,
			"Could not process rule: No such file or directory: chain '%s'", name);
	return c;
}

static struct nft_set *get_set(struct parser *p, struct nft_table *t)
{
	char name[NFT_NAME_MAXLEN];
	uint32_t line = p->cur.line, col = p->cur.col;
	struct nft_set *s;

	if (take_name(p, name, sizeof(name), "set"))
		return NULL;
	s = nft_set_find(t, name);
	if (!s)
		perr_at(p, line, col, -ENOENT, "Could not process rule: Set '%s' does not exist",
			name);
	return s;
}

/* `add|insert rule T C [position|handle N] ...`: add goes after rule N (or
 * last), insert before it (or first). */
static int cmd_add_rule(struct parser *p, bool front)
{
	struct nft_table *t = get_table(p, false);
	struct nft_chain *c = t ? get_chain(p, t) : NULL;
	uint32_t pos, h;
	struct nft_rule *r;
	int rc;

	if (!c)
		return p->rc;
	pos = front ? 0 : c->nrules;
	if (is_word(p, "position") || is_word(p, "handle")) {
		next(p);
		if (p->cur.type != T_WORD || parse_u32(p->word, UINT32_MAX, &h))
			return perr(p, -EINVAL, "invalid rule handle \"%s\"", tok_desc(p));
		for (pos = 0; pos < c->nrules && c->rules[pos]->handle != h; pos++)
			;
		if (pos == c->nrules)
			return perr(p, -ENOENT, "Could not process rule: No such file or directory: handle %u", h);
		pos += !front;
		next(p);
	}
	if ((rc = parse_rule(p, c, &r)))
		return rc;
	return add_rule(p, t, c, r, pos);
}

static int cmd_add_chain(struct parser *p)
{
	struct nft_table *t = get_table(p, false);
	char name[NFT_NAME_MAXLEN];
	struct nft_chain *c;

	if (!t || take_name(p, name, sizeof(name), "chain"))
		return p->rc;
	c = nft_chain_find(t, name);
	if (!c && !(c = chain_new(p, t, name)))
		return p->rc;
	return p->cur.type == T_LBRACE ? parse_chain_body(p, t, c) : 0;
}

/* Is chain/set `name` referred to by a rule of t? */
static bool referenced(const struct nft_table *t, const char *name, bool set)
{
	for (uint32_t i = 0; i < t->nchains; i++)
		for (uint32_t j = 0; j < t->chains[i]->nrules; j++) {
			const struct nft_rule *r = t->chains[i]->rules[j];

			for (uint32_t k = 0; k < r->nexprs; k++) {
				const struct nft_expr *e = &r->e[k];

				if (set && e->type == NFT_E_MATCH && e->m.op == NFT_OP_SET &&
				    !strcmp(e->m.name, name))
					return true;
				if (!set && e->type == NFT_E_VERDICT &&
				    (e->v.code == NFT_V_JUMP || e->v.code == NFT_V_GOTO) &&
				    !strcmp(e->v.target, name))
					return true;
			}
		}
	return false;
}

static void chain_flush(struct nft_chain *c)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		nft_rule_free(c->rules[i]);
	c->nrules = 0;
}

static int cmd_delete(struct parser *p)
{
	struct nft_table *t;
	uint32_t line = p->cur.line, col = p->cur.col;

	if (is_word(p, "table")) {
		next(p);
		if (!(t = get_table(p, false)))
			return p->rc;
		remove_ptr((void **)p->rs->tables, &p->rs->ntables, t);
		nft_table_free(t);
		return 0;
	}
	if (is_word(p, "chain")) {
		struct nft_chain *c;

		next(p);
		if (!(t = get_table(p, false)) || !(c = get_chain(p, t)))
			return p->rc;
		if (referenced(t, c->name, false))
			return perr_at(p, line, col, -EBUSY,
				       "Could not process rule: Device or resource busy: chain '%s' is a jump target",
				       c->name);
		remove_ptr((void **)t->chains, &t->nchains, c);
		nft_chain_free(c);
		return 0;
	}
	if (is_word(p, "set") || is_word(p, "element")) {
		bool elem = is_word(p, "element");
		struct nft_set *s;

		next(p);
		if (!(t = get_table(p, false)) || !(s = get_set(p, t)))
			return p->rc;
		if (elem)
			return add_elements(p, s, true);
		if (referenced(t, s->name, true))
			return perr_at(p, line, col, -EBUSY,
				       "Could not process rule: Device or resource busy: set '%s' is in use",
				       s->name);
		remove_ptr((void **)t->sets, &t->nsets, s);
		nft_set_free(s);
		return 0;
	}
	if (is_word(p, "rule")) {
		struct nft_chain *c;
		uint32_t h;

		next(p);
		if (!(t = get_table(p, false)) || !(c = get_chain(p, t)))
			return p->rc;
		if (expect_word(p, "handle"))
			return -EINVAL;
		if (parse_u32(p->word, UINT32_MAX, &h))
			return perr(p, -EINVAL, "invalid handle \"%s\"", tok_desc(p));
		for (uint32_t i = 0; i < c->nrules; i++) {
			if (c->rules[i]->handle == h) {
				nft_rule_free(c->rules[i]);
				memmove(&c->rules[i], &c->rules[i + 1],
					(c->nrules - i - 1) * sizeof(c->rules[0]));
				c->nrules--;
				next(p);
				return 0;
			}
		}
		return perr(p, -ENOENT, "Could not process rule: No such file or directory: handle %u",
			    h);
	}
	return perr(p, -EINVAL, "syntax error, unexpected %s after delete", tok_desc(p));
}

static int cmd_flush(struct parser *p)
{
	struct nft_table *t;

	if (is_word(p, "ruleset")) {
		next(p);
		for (uint32_t i = 0; i < p->rs->ntables; i++)
			nft_table_free(p->rs->tables[i]);
		p->rs->ntables = 0;
		return 0;
	}
	if (is_word(p, "table")) {
		next(p);
		if (!(t = get_table(p, false)))
			return p->rc;
		for (uint32_t i = 0; i < t->nchains; i++)
			chain_flush(t->chains[i]);
		return 0;
	}
	if (is_word(p, "chain")) {
		struct nft_chain *c;

		next(p);
		if (!(t = get_table(p, false)) || !(c = get_chain(p, t)))
			return p->rc;
		chain_flush(c);
		return 0;
	}
	if (is_word(p, "set")) {
		struct nft_set *s, *n;

		next(p);
		if (!(t = get_table(p, false)) || !(s = get_set(p, t)))
			return p->rc;
		n = nft_set_new(s->name, s->keytype, s->flags, s->seed);
		if (!n)
			return perr(p, -ENOMEM, "out of memory");
		n->size = s->size;
		n->handle = s->handle;
		for (uint32_t i = 0; i < t->nsets; i++)
			if (t->sets[i] == s)
				t->sets[i] = n;
		nft_set_free(s);
		return 0;
	}
	return perr(p, -EINVAL, "syntax error, unexpected %s after flush", tok_desc(p));
}

static int cmd_list(struct parser *p)
{
	struct nft_table *t;
	bool h = p->opts->handles;

	if (is_word(p, "ruleset")) {
		next(p);
		nft_print_ruleset(p->rs, p->out, h);
		return 0;
	}
	if (is_word(p, "tables")) {
		next(p);
		for (uint32_t i = 0; i < p->rs->ntables; i++)
			seq_printf(p->out, "table %s %s\n", nft_family_name(p->rs->tables[i]->family),
				   p->rs->tables[i]->name);
		return 0;
	}
	if (is_word(p, "table")) {
		next(p);
		if (!(t = get_table(p, false)))
			return p->rc;
		nft_print_table(t, p->out, h);
		return 0;
	}
	if (is_word(p, "chain") || is_word(p, "set")) {
		bool set = is_word(p, "set");
		struct nft_chain *c = NULL;
		struct nft_set *s = NULL;

		next(p);
		if (!(t = get_table(p, false)))
			return p->rc;
		if (set ? !(s = get_set(p, t)) : !(c = get_chain(p, t)))
			return p->rc;
		seq_printf(p->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		if (set)
			nft_print_set(t, s, p->out);
		else
			nft_print_chain(t, c, p->out, h);
		seq_puts(p->out, "}\n");
		return 0;
	}
	return perr(p, -EINVAL, "syntax error, unexpected %s after list", tok_desc(p));
}

static int cmd_add(struct parser *p, bool insert)
{
	struct nft_table *t;

	if (is_word(p, "rule")) {
		next(p);
		return cmd_add_rule(p, insert);
	}
	if (insert)
		return perr(p, -EINVAL, "syntax error, unexpected %s, expecting rule", tok_desc(p));
	if (is_word(p, "table")) {
		next(p);
		if (!(t = get_table(p, true)))
			return p->rc;
		return p->cur.type == T_LBRACE ? parse_table_body(p, t) : 0;
	}
	if (is_word(p, "chain")) {
		next(p);
		return cmd_add_chain(p);
	}
	if (is_word(p, "set")) {
		next(p);
		if (!(t = get_table(p, false)))
			return p->rc;
		return parse_set_decl(p, t);
	}
	if (is_word(p, "element")) {
		struct nft_set *s;

		next(p);
		if (!(t = get_table(p, false)) || !(s = get_set(p, t)))
			return p->rc;
		return add_elements(p, s, false);
	}
	return perr(p, -EINVAL, "syntax error, unexpected %s after add", tok_desc(p));
}

static int parse_command(struct parser *p)
{
	if (is_word(p, "table")) {
		struct nft_table *t;

		next(p);
		if (!(t = get_table(p, true)))
			return p->rc;
		return parse_table_body(p, t);
	}
	if (is_word(p, "add") || is_word(p, "create") || is_word(p, "insert")) {
		bool insert = is_word(p, "insert");

		next(p);
		return cmd_add(p, insert);
	}
	if (is_word(p, "delete")) {
		next(p);
		return cmd_delete(p);
	}
	if (is_word(p, "flush")) {
		next(p);
		return cmd_flush(p);
	}
	if (is_word(p, "list")) {
		next(p);
		return cmd_list(p);
	}
	return perr(p, -EINVAL, "syntax error, unexpected %s", tok_desc(p));
}

static int parse_batch(struct parser *p)
{
	int rc = 0;

	next(p);
	while (!rc) {
		skip_seps(p);
		if (p->cur.type == T_EOF)
			break;
		rc = parse_command(p);
		if (!rc && p->cur.type != T_SEP && p->cur.type != T_EOF)
			rc = perr(p, -EINVAL, "syntax error, unexpected %s", tok_desc(p));
	}
	return rc;
}

int nft_run(struct ns_stack *stack, const char *text, const struct nft_run_opts *opts,
	    struct seq_buf *out, char *err, size_t errlen)
{
	static const struct nft_run_opts defaults = { 0 };
	struct parser p = { .text = text, .line = 1, .col = 1, .stack = stack, .out = out,
			    .opts = opts ? opts : &defaults, .err = err, .errlen = errlen };
	char msg[256];
	uint32_t line;
	int rc;

	err[0] = 0;
	p.rs = nft_ruleset_clone(stack->nft->rs);
	if (!p.rs) {
		snprintf(err, errlen, "Error: out of memory");
		return -ENOMEM;
	}
	rc = parse_batch(&p);
	if (!rc) {
		rc = nft_ruleset_validate(p.rs, msg, sizeof(msg), &line);
		if (rc && line)
			perr_at(&p, line, 1, rc, "%s", msg);
		else if (rc)
			snprintf(err, errlen, "%s%sError: %s", p.opts->where ? p.opts->where : "",
				 p.opts->where ? ": " : "", msg);
	}
	if (rc || p.opts->check_only) {
		nft_ruleset_free(p.rs);
		return rc;
	}
	nft_commit(stack, p.rs);
	return 0;
}
