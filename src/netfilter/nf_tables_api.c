/* nf_tables_api.c - ruleset objects: create, clone and free tables,
 * chains, rules and sets; validate a ruleset before it runs (references
 * resolved, sets sorted, jumps bounded and loop-free); print it in
 * `nft list ruleset` format; install it on a stack (nft_commit).
 * A change is made on a clone and swapped in whole, so a batch with an
 * error leaves the running ruleset untouched (nf_tables_api.c's
 * transaction in Linux). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "core/stack.h"
#include "netfilter/nf_tables.h"
#include "netfilter/nf_tables_syntax.h"
#include "wire/icmp.h"

/* ---- vocabulary --------------------------------------------------------------------------- */
const struct nft_field_desc nft_fields[] = {
	{ "ip", "saddr", NFT_F_IP_SADDR, NFT_T_ADDR, 0 },
	{ "ip", "daddr", NFT_F_IP_DADDR, NFT_T_ADDR, 0 },
	{ "ip", "protocol", NFT_F_IP_PROTOCOL, NFT_T_PROTO, 0 },
	{ "ip", "ttl", NFT_F_IP_TTL, NFT_T_INT, 0 },
	{ "meta", "l4proto", NFT_F_META_L4PROTO, NFT_T_PROTO, 0 },
	{ "meta", "length", NFT_F_META_LENGTH, NFT_T_INT, 0 },
	{ "meta", "mark", NFT_F_META_MARK, NFT_T_MARK, 0 },
	{ NULL, "iifname", NFT_F_IIFNAME, NFT_T_IFNAME, 0 },
	{ NULL, "oifname", NFT_F_OIFNAME, NFT_T_IFNAME, 0 },
	{ "meta", "iifname", NFT_F_IIFNAME, NFT_T_IFNAME, 0 },
	{ "meta", "oifname", NFT_F_OIFNAME, NFT_T_IFNAME, 0 },
	{ "tcp", "sport", NFT_F_TH_SPORT, NFT_T_PORT, IPPROTO_TCP },
	{ "tcp", "dport", NFT_F_TH_DPORT, NFT_T_PORT, IPPROTO_TCP },
	{ "tcp", "flags", NFT_F_TCP_FLAGS, NFT_T_TCP_FLAGS, IPPROTO_TCP },
	{ "udp", "sport", NFT_F_TH_SPORT, NFT_T_PORT, IPPROTO_UDP },
	{ "udp", "dport", NFT_F_TH_DPORT, NFT_T_PORT, IPPROTO_UDP },
	{ "th", "sport", NFT_F_TH_SPORT, NFT_T_PORT, 0 },
	{ "th", "dport", NFT_F_TH_DPORT, NFT_T_PORT, 0 },
	{ "icmp", "type", NFT_F_ICMP_TYPE, NFT_T_ICMP_TYPE, IPPROTO_ICMP },
	{ "icmp", "code", NFT_F_ICMP_CODE, NFT_T_INT, IPPROTO_ICMP },
	{ "ct", "state", NFT_F_CT_STATE, NFT_T_CT_STATE, 0 },
	{ NULL, NULL, 0, 0, 0 },
};

const struct nft_field_desc *nft_field_desc_of(uint8_t field, uint8_t dep)
{
	for (const struct nft_field_desc *d = nft_fields; d->key; d++)
		if (d->field == field && d->dep == dep)
			return d;
	return NULL;
}

const struct nft_sym nft_icmp_types[] = {
	{ "echo-reply", ICMP_ECHOREPLY },
	{ "destination-unreachable", ICMP_DEST_UNREACH },
	{ "source-quench", ICMP_SOURCE_QUENCH },
	{ "redirect", ICMP_REDIRECT },
	{ "echo-request", ICMP_ECHO },
	{ "router-advertisement", 9 },
	{ "router-solicitation", 10 },
	{ "time-exceeded", ICMP_TIME_EXCEEDED },
	{ "parameter-problem", ICMP_PARAMETERPROB },
	{ "timestamp-request", ICMP_TIMESTAMP },
	{ "timestamp-reply", ICMP_TIMESTAMPREPLY },
	{ "info-request", ICMP_INFO_REQUEST },
	{ "info-reply", ICMP_INFO_REPLY },
	{ "address-mask-request", 17 },
	{ "address-mask-reply", 18 },
	{ NULL, 0 },
};

const struct nft_sym nft_tcp_flags[] = {
	{ "fin", 0x01 }, { "syn", 0x02 }, { "rst", 0x04 }, { "psh", 0x08 },
	{ "ack", 0x10 }, { "urg", 0x20 }, { "ecn", 0x40 }, { "cwr", 0x80 },
	{ NULL, 0 },
};

const struct nft_sym nft_ct_states[] = {
	{ "invalid", NFT_CT_INVALID },
	{ "established", NFT_CT_ESTABLISHED },
	{ "related", NFT_CT_RELATED },
	{ "new", NFT_CT_NEW },
	{ "untracked", NFT_CT_UNTRACKED },
	{ NULL, 0 },
};

const struct nft_sym nft_protos[] = {
	{ "icmp", IPPROTO_ICMP }, { "igmp", IPPROTO_IGMP }, { "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP }, { "gre", IPPROTO_GRE }, { "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH }, { "sctp", IPPROTO_SCTP }, { "udplite", IPPROTO_UDPLITE },
	{ NULL, 0 },
};

const struct nft_sym nft_reject_codes[] = {
	{ "net-unreachable", ICMP_NET_UNREACH },
	{ "host-unreachable", ICMP_HOST_UNREACH },
	{ "prot-unreachable", ICMP_PROT_UNREACH },
	{ "port-unreachable", ICMP_PORT_UNREACH },
	{ "net-prohibited", ICMP_NET_ANO },
	{ "host-prohibited", ICMP_HOST_ANO },
	{ "admin-prohibited", ICMP_PKT_FILTERED },
	{ NULL, 0 },
};

/* Standard priority names (nft's "priority filter"); the value is signed. */
const struct nft_sym nft_priorities[] = {
	{ "raw", (uint32_t)-300 }, { "mangle", (uint32_t)-150 }, { "dstnat", (uint32_t)-100 },
	{ "filter", 0 }, { "security", 50 }, { "srcnat", 100 },
	{ NULL, 0 },
};

int nft_sym_lookup(const struct nft_sym *t, const char *name, uint32_t *val)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*val = t->val;
			return 0;
		}
	}
	return -ENOENT;
}

const char *nft_sym_name(const struct nft_sym *t, uint32_t val)
{
	for (; t->name; t++)
		if (t->val == val)
			return t->name;
	return NULL;
}

const char *nft_family_name(uint8_t family)
{
	return family == NFT_FAMILY_INET ? "inet" : "ip";
}

const char *nft_hook_name(uint8_t hook)
{
	static const char *const names[NFT_HOOK_MAX] = { "prerouting", "input", "forward",
							 "output", "postrouting" };

	return hook < NFT_HOOK_MAX ? names[hook] : "?";
}

const char *nft_vtype_name(uint8_t vtype)
{
	switch (vtype) {
	case NFT_T_ADDR: return "ipv4_addr";
	case NFT_T_PORT: return "inet_service";
	case NFT_T_PROTO: return "inet_proto";
	case NFT_T_ICMP_TYPE: return "icmp_type";
	case NFT_T_TCP_FLAGS: return "tcp_flag";
	case NFT_T_CT_STATE: return "ct_state";
	case NFT_T_IFNAME: return "ifname";
	case NFT_T_MARK: return "mark";
	default: return "integer";
	}
}

/* ---- values -------------------------------------------------------------------------------- */
static void print_addr(struct seq_buf *s, uint32_t a)
{
	seq_printf(s, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void print_bits(struct seq_buf *s, const struct nft_sym *t, uint32_t v, const char *sep)
{
	bool first = true;

	for (; t->name; t++) {
		if (v & t->val) {
			seq_printf(s, "%s%s", first ? "" : sep, t->name);
			first = false;
			v &= ~t->val;
		}
	}
	if (v || first)
		seq_printf(s, "%s0x%x", first ? "" : sep, v);
}

void nft_print_value(struct seq_buf *s, uint8_t vtype, uint32_t v)
{
	const char *n = NULL;

	switch (vtype) {
	case NFT_T_ADDR:
		print_addr(s, v);
		return;
	case NFT_T_PROTO:
		n = nft_sym_name(nft_protos, v);
		break;
	case NFT_T_ICMP_TYPE:
		n = nft_sym_name(nft_icmp_types, v);
		break;
	case NFT_T_TCP_FLAGS:
		print_bits(s, nft_tcp_flags, v, " | ");
		return;
	case NFT_T_CT_STATE:
		print_bits(s, nft_ct_states, v, ",");
		return;
	case NFT_T_MARK:
		seq_printf(s, "0x%08x", v);
		return;
	default:
		break;
	}
	if (n)
		seq_puts(s, n);
	else
		seq_printf(s, "%u", v);
}

/* A prefix length when [lo, hi] is exactly one CIDR block, else -1. */
static int range_prefix(uint32_t lo, uint32_t hi)
{
	uint32_t size = hi - lo;

	if (lo == 0 && hi == UINT32_MAX)
		return 0;
	if ((size & (size + 1)) != 0 || (lo & size) != 0)
		return -1;
	return 32 - __builtin_popcount(size);
}

void nft_print_range(struct seq_buf *s, uint8_t vtype, uint32_t lo, uint32_t hi)
{
	int plen;

	nft_print_value(s, vtype, lo);
	if (lo == hi)
		return;
	if (vtype == NFT_T_ADDR && (plen = range_prefix(lo, hi)) >= 0) {
		seq_printf(s, "/%d", plen);
		return;
	}
	seq_putc(s, '-');
	nft_print_value(s, vtype, hi);
}

/* ---- printing ------------------------------------------------------------------------------ */
static void print_match(struct seq_buf *s, const struct nft_match *m)
{
	const struct nft_field_desc *d = nft_field_desc_of(m->field, m->dep_proto);
	uint8_t vt = d ? d->vtype : NFT_T_INT;
	const char *neg = m->neg ? "!= " : "";

	if (d && d->proto)
		seq_printf(s, "%s %s ", d->proto, d->key);
	else
		seq_printf(s, "%s ", d ? d->key : "?");
	switch (m->op) {
	case NFT_OP_EQ:
	case NFT_OP_BITS:
		seq_puts(s, neg);
		nft_print_value(s, vt, m->a);
		break;
	case NFT_OP_LT: case NFT_OP_GT: case NFT_OP_LE: case NFT_OP_GE: {
		static const char *const ops[] = { "<", ">", "<=", ">=" };

		seq_printf(s, "%s ", ops[m->op - NFT_OP_LT]);
		nft_print_value(s, vt, m->a);
		break;
	}
	case NFT_OP_RANGE:
		seq_puts(s, neg);
		nft_print_range(s, vt, m->a, m->b);
		break;
	case NFT_OP_PREFIX:
		seq_puts(s, neg);
		print_addr(s, m->a);
		seq_printf(s, "/%d", m->b ? 32 - __builtin_ctz(m->b) : 0);
		break;
	case NFT_OP_MASKEQ:
		seq_puts(s, "& ");
		if (vt == NFT_T_TCP_FLAGS && __builtin_popcount(m->a) > 1)
			seq_putc(s, '(');
		nft_print_value(s, vt, m->a);
		if (vt == NFT_T_TCP_FLAGS && __builtin_popcount(m->a) > 1)
			seq_putc(s, ')');
		seq_puts(s, m->neg ? " != " : " == ");
		nft_print_value(s, vt, m->b);
		break;
	case NFT_OP_ASET:
		seq_printf(s, "%s{ ", neg);
		for (uint32_t i = 0; i < m->aset->n; i++) {
			if (i)
				seq_puts(s, ", ");
			nft_print_range(s, vt, m->aset->r[i].lo, m->aset->r[i].hi);
		}
		seq_puts(s, " }");
		break;
	case NFT_OP_SET:
		seq_printf(s, "%s@%s", neg, m->name);
		break;
	case NFT_OP_IFNAME:
		seq_printf(s, "%s\"%s\"", neg, m->name);
		break;
	}
}

static void print_nat(struct seq_buf *s, const struct nft_expr *e)
{
	if (e->nat.type == NFT_NAT_MASQ) {
		seq_puts(s, "masquerade");
		if (e->nat.port_lo)
			seq_puts(s, " to ");
	} else {
		seq_printf(s, "%s to ", e->nat.type == NFT_NAT_SNAT ? "snat" : "dnat");
		print_addr(s, e->nat.addr);
	}
	if (e->nat.port_lo) {
		seq_printf(s, ":%u", e->nat.port_lo);
		if (e->nat.port_hi != e->nat.port_lo)
			seq_printf(s, "-%u", e->nat.port_hi);
	}
}

static void print_verdict(struct seq_buf *s, const struct nft_expr *e)
{
	switch (e->v.code) {
	case NFT_V_ACCEPT: seq_puts(s, "accept"); break;
	case NFT_V_DROP: seq_puts(s, "drop"); break;
	case NFT_V_CONTINUE: seq_puts(s, "continue"); break;
	case NFT_V_RETURN: seq_puts(s, "return"); break;
	case NFT_V_JUMP: seq_printf(s, "jump %s", e->v.target); break;
	case NFT_V_GOTO: seq_printf(s, "goto %s", e->v.target); break;
	case NFT_V_REJECT:
		if (e->v.reject_type == NFT_REJECT_TCP_RST)
			seq_puts(s, "reject with tcp reset");
		else if (e->v.icmp_code == ICMP_PORT_UNREACH)
			seq_puts(s, "reject");
		else
			seq_printf(s, "reject with icmp type %s",
				   nft_sym_name(nft_reject_codes, e->v.icmp_code));
		break;
	}
}

static void print_rule(struct seq_buf *s, const struct nft_rule *r, bool handles)
{
	for (uint32_t i = 0; i < r->nexprs; i++) {
		const struct nft_expr *e = &r->e[i];

		if (i)
			seq_putc(s, ' ');
		switch (e->type) {
		case NFT_E_MATCH:
			print_match(s, &e->m);
			break;
		case NFT_E_COUNTER:
			seq_printf(s, "counter packets %llu bytes %llu",
				   (unsigned long long)r->packets, (unsigned long long)r->bytes);
			break;
		case NFT_E_LOG:
			seq_puts(s, "log");
			if (e->log.has_prefix)
				seq_printf(s, " prefix \"%s\"", e->log.prefix);
			break;
		case NFT_E_NAT:
			print_nat(s, e);
			break;
		case NFT_E_VERDICT:
			print_verdict(s, e);
			break;
		}
	}
	if (handles)
		seq_printf(s, " # handle %llu", (unsigned long long)r->handle);
	seq_putc(s, '\n');
}

static void print_priority(struct seq_buf *s, int prio)
{
	const char *n = nft_sym_name(nft_priorities, (uint32_t)prio);

	if (n)
		seq_puts(s, n);
	else
		seq_printf(s, "%d", prio);
}

void nft_print_chain(const struct nft_table *t, const struct nft_chain *c, struct seq_buf *s,
		     bool handles)
{
	(void)t;
	seq_printf(s, "\tchain %s {", c->name);
	if (handles)
		seq_printf(s, " # handle %llu", (unsigned long long)c->handle);
	seq_putc(s, '\n');
	if (c->base) {
		seq_printf(s, "\t\ttype %s hook %s priority ",
			   c->type == NFT_CHAIN_NAT ? "nat" : "filter", nft_hook_name(c->hook));
		print_priority(s, c->priority);
		seq_printf(s, "; policy %s;\n", c->policy == NFT_ACCEPT ? "accept" : "drop");
	}
	for (uint32_t i = 0; i < c->nrules; i++) {
		seq_puts(s, "\t\t");
		print_rule(s, c->rules[i], handles);
	}
	seq_puts(s, "\t}\n");
}

void nft_print_set(const struct nft_table *t, const struct nft_set *set, struct seq_buf *s)
{
	(void)t;
	seq_printf(s, "\tset %s {\n\t\ttype %s\n", set->name, nft_vtype_name(set->keytype));
	if (set->flags & NFT_SET_F_INTERVAL)
		seq_puts(s, "\t\tflags interval\n");
	if (set->size)
		seq_printf(s, "\t\tsize %u\n", set->size);
	if (set->n) {
		seq_puts(s, "\t\telements = { ");
		for (uint32_t i = 0; i < set->n; i++) {
			if (i)
				seq_puts(s, (i % 4) ? ", " : ",\n\t\t\t     ");
			if (set->flags & NFT_SET_F_INTERVAL)
				nft_print_range(s, set->keytype, set->ranges[i].lo, set->ranges[i].hi);
			else
				nft_print_value(s, set->keytype, set->vals[i]);
		}
		seq_puts(s, " }\n");
	}
	seq_puts(s, "\t}\n");
}

void nft_print_table(const struct nft_table *t, struct seq_buf *s, bool handles)
{
	bool first = true;

	seq_printf(s, "table %s %s {", nft_family_name(t->family), t->name);
	if (handles)
		seq_printf(s, " # handle %llu", (unsigned long long)t->handle);
	seq_putc(s, '\n');
	for (uint32_t i = 0; i < t->nsets; i++, first = false) {
		if (!first)
			seq_putc(s, '\n');
		nft_print_set(t, t->sets[i], s);
	}
	for (uint32_t i = 0; i < t->nchains; i++, first = false) {
		if (!first)
			seq_putc(s, '\n');
		nft_print_chain(t, t->chains[i], s, handles);
	}
	seq_puts(s, "}\n");
}

void nft_print_ruleset(const struct nft_ruleset *rs, struct seq_buf *s, bool handles)
{
	for (uint32_t i = 0; i < rs->ntables; i++)
		nft_print_table(rs->tables[i], s, handles);
}

/* ---- objects ------------------------------------------------------------------------------- */
struct nft_ruleset *nft_ruleset_new(void)
{
	struct nft_ruleset *rs = calloc(1, sizeof(*rs));

	if (rs)
		rs->next_handle = 1;
	return rs;
}

void nft_rule_free(struct nft_rule *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nexprs; i++)
		if (r->e[i].type == NFT_E_MATCH && r->e[i].m.op == NFT_OP_ASET)
			free(r->e[i].m.aset);
	free(r);
}

void nft_chain_free(struct nft_chain *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->nrules; i++)
		nft_rule_free(c->rules[i]);
	free(c->rules);
	free(c);
}

void nft_table_free(struct nft_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nchains; i++)
		nft_chain_free(t->chains[i]);
	for (uint32_t i = 0; i < t->nsets; i++)
		nft_set_free(t->sets[i]);
	free(t->chains);
	free(t->sets);
	free(t);
}

void nft_ruleset_free(struct nft_ruleset *rs)
{
	if (!rs)
		return;
	for (uint32_t i = 0; i < rs->ntables; i++)
		nft_table_free(rs->tables[i]);
	free(rs->tables);
	free(rs);
}

static struct nft_rule *rule_clone(const struct nft_rule *r)
{
	size_t sz = sizeof(*r) + r->nexprs * sizeof(r->e[0]);
	struct nft_rule *c = malloc(sz);

	if (!c)
		return NULL;
	memcpy(c, r, sz);
	for (uint32_t i = 0; i < c->nexprs; i++) {
		struct nft_expr *e = &c->e[i];

		if (e->type == NFT_E_MATCH && e->m.op == NFT_OP_ASET) {
			size_t asz = sizeof(*e->m.aset) + e->m.aset->n * sizeof(e->m.aset->r[0]);
			struct nft_aset *a = malloc(asz);

			if (!a) {
				c->nexprs = i;	/* free only what we own */
				nft_rule_free(c);
				return NULL;
			}
			memcpy(a, r->e[i].m.aset, asz);
			e->m.aset = a;
		}
		if (e->type == NFT_E_MATCH)
			e->m.set = NULL;
		if (e->type == NFT_E_VERDICT)
			e->v.chain = NULL;
	}
	return c;
}

static struct nft_chain *chain_clone(const struct nft_chain *c, struct nft_table *t)
{
	struct nft_chain *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *c;
	n->table = t;
	n->hook_ops = NULL;
	n->use = 0;
	n->nrules = 0;
	n->rules = c->cap ? calloc(c->cap, sizeof(*n->rules)) : NULL;
	if (c->cap && !n->rules) {
		free(n);
		return NULL;
	}
	for (uint32_t i = 0; i < c->nrules; i++) {
		n->rules[i] = rule_clone(c->rules[i]);
		if (!n->rules[i]) {
			nft_chain_free(n);
			return NULL;
		}
		n->nrules++;
	}
	return n;
}

static struct nft_table *table_clone(const struct nft_table *t)
{
	struct nft_table *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	memcpy(n->name, t->name, sizeof(n->name));
	n->family = t->family;
	n->handle = t->handle;
	n->next_handle = t->next_handle;
	n->chains = calloc(t->nchains + 1, sizeof(*n->chains));
	n->sets = calloc(t->nsets + 1, sizeof(*n->sets));
	if (!n->chains || !n->sets)
		goto fail;
	for (uint32_t i = 0; i < t->nchains; i++, n->nchains++)
		if (!(n->chains[i] = chain_clone(t->chains[i], n)))
			goto fail;
	for (uint32_t i = 0; i < t->nsets; i++, n->nsets++)
		if (!(n->sets[i] = nft_set_clone(t->sets[i])))
			goto fail;
	return n;
fail:
	nft_table_free(n);
	return NULL;
}

struct nft_ruleset *nft_ruleset_clone(const struct nft_ruleset *rs)
{
	struct nft_ruleset *n = nft_ruleset_new();

	if (!n)
		return NULL;
	n->next_handle = rs->next_handle;
	n->tables = calloc(rs->ntables + 1, sizeof(*n->tables));
	if (!n->tables)
		goto fail;
	for (uint32_t i = 0; i < rs->ntables; i++, n->ntables++)
		if (!(n->tables[i] = table_clone(rs->tables[i])))
			goto fail;
	return n;
fail:
	nft_ruleset_free(n);
	return NULL;
}

struct nft_table *nft_table_find(const struct nft_ruleset *rs, uint8_t family, const char *name)
{
	for (uint32_t i = 0; i < rs->ntables; i++)
		if (rs->tables[i]->family == family && strcmp(rs->tables[i]->name, name) == 0)
			return rs->tables[i];
	return NULL;
}

struct nft_chain *nft_chain_find(const struct nft_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->nchains; i++)
		if (strcmp(t->chains[i]->name, name) == 0)
			return t->chains[i];
	return NULL;
}

struct nft_set *nft_set_find(const struct nft_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->nsets; i++)
		if (strcmp(t->sets[i]->name, name) == 0)
			return t->sets[i];
	return NULL;
}

/* ---- validation ------------------------------------------------------------------------------ */
#define VERR(line_, ...)                                \
	do {                                            \
		snprintf(msg, msglen, __VA_ARGS__);     \
		*line = (line_);                        \
	} while (0)

static bool set_type_fits(const struct nft_set *set, const struct nft_match *m)
{
	const struct nft_field_desc *d = nft_field_desc_of(m->field, m->dep_proto);
	uint8_t vt = d ? d->vtype : NFT_T_INT;

	return vt == set->keytype;
}

static int resolve_expr(struct nft_table *t, struct nft_chain *c, struct nft_expr *e, char *msg,
			size_t msglen, uint32_t *line)
{
	if (e->type == NFT_E_MATCH && e->m.op == NFT_OP_SET) {
		e->m.set = nft_set_find(t, e->m.name);
		if (!e->m.set) {
			VERR(e->line, "Could not process rule: Set '%s' does not exist", e->m.name);
			return -ENOENT;
		}
		if (!set_type_fits(e->m.set, &e->m)) {
			VERR(e->line, "datatype mismatch: set '%s' holds %s", e->m.name,
			     nft_vtype_name(e->m.set->keytype));
			return -EINVAL;
		}
		e->m.set->use++;
	}
	if (e->type == NFT_E_VERDICT && (e->v.code == NFT_V_JUMP || e->v.code == NFT_V_GOTO)) {
		e->v.chain = nft_chain_find(t, e->v.target);
		if (!e->v.chain) {
			VERR(e->line, "Could not process rule: Chain '%s' does not exist",
			     e->v.target);
			return -ENOENT;
		}
		if (e->v.chain->base || e->v.chain == c) {
			VERR(e->line, "Could not process rule: %s '%s' is not allowed",
			     e->v.chain->base ? "jump to base chain" : "loop through chain",
			     e->v.target);
			return e->v.chain->base ? -EOPNOTSUPP : -ELOOP;
		}
		e->v.chain->use++;
	}
	return 0;
}

/* Chains on the longest jump/goto path starting at c (c included),
 * memoized in c->height (-1 while c is being walked: a loop). */
static int chain_height(struct nft_chain *c, char *msg, size_t msglen, uint32_t *line)
{
	int h = 1;

	if (c->height > 0)
		return c->height;
	if (c->height < 0) {
		VERR(0, "Could not process rule: jumps loop through chain '%s'", c->name);
		return -ELOOP;
	}
	c->height = -1;
	for (uint32_t i = 0; i < c->nrules; i++) {
		const struct nft_rule *r = c->rules[i];

		for (uint32_t j = 0; j < r->nexprs; j++) {
			const struct nft_expr *e = &r->e[j];
			int sub;

			if (e->type != NFT_E_VERDICT || !e->v.chain)
				continue;
			/* goto replaces the frame, but its chain still runs nested */
			sub = chain_height(e->v.chain, msg, msglen, line);
			if (sub < 0) {
				if (!*line)
					*line = e->line;
				return sub;
			}
			if (sub + 1 > h)
				h = sub + 1;
			if (h > NFT_JUMP_STACK_SIZE + 1) {
				VERR(e->line, "Could not process rule: chain '%s' nests jumps deeper than %d",
				     c->name, NFT_JUMP_STACK_SIZE);
				return -EMLINK;
			}
		}
	}
	c->height = h;
	return h;
}

static int validate_table(struct nft_table *t, char *msg, size_t msglen, uint32_t *line)
{
	int rc;

	for (uint32_t i = 0; i < t->nsets; i++) {
		struct nft_range clash;

		t->sets[i]->use = 0;
		rc = nft_set_commit(t->sets[i], &clash);
		if (rc) {
			VERR(0, "Could not process rule: %s in set '%s'",
			     rc == -EEXIST ? "conflicting intervals specified" : "out of memory",
			     t->sets[i]->name);
			return rc;
		}
	}
	for (uint32_t i = 0; i < t->nchains; i++)
		t->chains[i]->use = 0;
	for (uint32_t i = 0; i < t->nchains; i++) {
		struct nft_chain *c = t->chains[i];

		for (uint32_t j = 0; j < c->nrules; j++)
			for (uint32_t k = 0; k < c->rules[j]->nexprs; k++)
				if ((rc = resolve_expr(t, c, &c->rules[j]->e[k], msg, msglen, line)))
					return rc;
	}
	for (uint32_t i = 0; i < t->nchains; i++)
		t->chains[i]->height = 0;
	for (uint32_t i = 0; i < t->nchains; i++) {
		/* a base chain runs at depth 0, a user chain at 1 or deeper: the
		 * deepest chain must fit the jump stack */
		struct nft_chain *c = t->chains[i];

		rc = chain_height(c, msg, msglen, line);
		if (rc < 0)
			return rc;
		if (rc > NFT_JUMP_STACK_SIZE + (c->base ? 1 : 0)) {
			VERR(0, "Could not process rule: chain '%s' nests jumps deeper than %d",
			     c->name, NFT_JUMP_STACK_SIZE);
			return -EMLINK;
		}
	}
	return 0;
}

/* The hook core holds NF_MAX_HOOKS_PER_POINT functions per hook; conntrack
 * and NAT take up to 4 of them. */
#define NFT_BASE_CHAINS_PER_HOOK 24

int nft_ruleset_validate(struct nft_ruleset *rs, char *msg, size_t msglen, uint32_t *line)
{
	unsigned int per_hook[NFT_HOOK_MAX] = { 0 };

	*line = 0;
	for (uint32_t i = 0; i < rs->ntables; i++)
		for (uint32_t j = 0; j < rs->tables[i]->nchains; j++) {
			const struct nft_chain *c = rs->tables[i]->chains[j];

			if (c->base && ++per_hook[c->hook] > NFT_BASE_CHAINS_PER_HOOK) {
				VERR(0, "Could not process rule: more than %d base chains on hook %s",
				     NFT_BASE_CHAINS_PER_HOOK, nft_hook_name(c->hook));
				return -ENOSPC;
			}
		}
	for (uint32_t i = 0; i < rs->ntables; i++) {
		int rc = validate_table(rs->tables[i], msg, msglen, line);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the stack's ruleset ------------------------------------------------------------------------ */
void nft_commit(struct ns_stack *stack, struct nft_ruleset *rs)
{
	struct netns_nft *nn = stack->nft;

	nft_hooks_clear(stack);
	nft_ruleset_free(nn->rs);
	nn->rs = rs;
	nn->generation++;
	nft_hooks_sync(stack);
}

int nf_tables_init(struct ns_stack *stack)
{
	struct netns_nft *nn = calloc(1, sizeof(*nn));

	if (!nn)
		return -ENOMEM;
	nn->rs = nft_ruleset_new();
	if (!nn->rs) {
		free(nn);
		return -ENOMEM;
	}
	nn->set_seed = ns_random_u32(stack);
	stack->nft = nn;
	return 0;
}

void nf_tables_exit(struct ns_stack *stack)
{
	struct netns_nft *nn = stack->nft;

	if (!nn)
		return;
	nft_hooks_clear(stack);
	nft_ruleset_free(nn->rs);
	free(nn->hooks);
	free(nn);
	stack->nft = NULL;
}
