/* ebtables.c - the `ebtables` command (ebtables-legacy syntax and -L
 * output): -A/-I/-D/-P/-F/-Z/-N/-X/-L on the tables of
 * src/bridge/ebtables.h. Rule options: -s/-d [!] MAC[/MASK] (or
 * Broadcast, Multicast, Unicast), -p [!] PROTO, -i/-o [!] IF, --vlan-id
 * [!] N, -j TARGET. Linux counterpart: ebtables userspace (ebtables.c,
 * extensions/ebt_vlan.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "bridge/ebtables.h"

static const struct {
	const char *name;
	uint16_t proto;
} protos[] = {
	{ "IPv4", 0x0800 }, { "ARP", 0x0806 }, { "IPv6", 0x86dd }, { "802_1Q", 0x8100 },
	{ "802_1AD", 0x88a8 }, { "RARP", 0x8035 }, { "LENGTH", 0x0004 },
};

static int parse_target(struct ebt_table *t, const char *s, int *verdict)
{
	static const char *const names[] = { "ACCEPT", "DROP", "CONTINUE", "RETURN" };
	struct ebt_chain *c;

	for (int i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			*verdict = -1 - i;
			return 0;
		}
	}
	c = ebt_find_chain(t, s);
	if (!c || c->hook >= 0)
		return -ENOENT;
	*verdict = ebt_chain_index(t, c);
	return 0;
}

static const char *target_name(const struct ebt_table *t, int v)
{
	static const char *const names[] = { "ACCEPT", "DROP", "CONTINUE", "RETURN" };

	return v < 0 ? names[-1 - v] : t->chains[v]->name;
}

static int parse_mac_mask(const char *s, uint8_t *mac, uint8_t *msk)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 1, 0, 0, 0, 0, 0 };
	static const uint8_t zero[6] = { 0 };
	char buf[64];
	const char *slash = strchr(s, '/');
	unsigned int b[6];

	if (!strcasecmp(s, "Broadcast") || !strcasecmp(s, "Multicast") || !strcasecmp(s, "Unicast")) {
		memcpy(mac, s[0] == 'B' || s[0] == 'b' ? bcast : s[0] == 'M' || s[0] == 'm' ? mcast : zero, 6);
		memcpy(msk, s[0] == 'B' || s[0] == 'b' ? bcast : mcast, 6);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	/* ebtables accepts 2:0:0:0:0:1 as well as 02:00:... */
	if (sscanf(buf, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	memset(msk, 0xff, 6);
	if (slash) {
		if (sscanf(slash + 1, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
			return -EINVAL;
		for (int i = 0; i < 6; i++) {
			if (b[i] > 0xff)
				return -EINVAL;
			msk[i] = (uint8_t)b[i];
		}
	}
	for (int i = 0; i < 6; i++)
		mac[i] &= msk[i];
	return 0;
}

static int parse_proto(const char *s, uint16_t *p)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcasecmp(s, protos[i].name)) {
			*p = protos[i].proto;
			return 0;
		}
	}
	v = strtoul(s, &end, 16);
	if (*s == 0 || *end || v > 0xffff || v < 0x0600)
		return -EINVAL;
	*p = (uint16_t)v;
	return 0;
}

struct ebt_cmd {
	char op;		/* A I D P F Z N X L */
	const char *chain;
	const char *arg;	/* policy, rule number */
	struct ebt_entry e;
	bool has_rule, has_target, lc, ln;
	const char *target;
};

/* One rule option at argv[*i]; *i moves past its value. */
static int parse_rule_opt(struct cmd_ctx *c, int argc, char **argv, int *i, struct ebt_cmd *k)
{
	const char *o = argv[*i];
	struct ebt_entry *e = &k->e;
	bool inv = false;
	const char *v;
	uint32_t bit;
	unsigned long x;

	if (*i + 1 >= argc)
		return cmd_err(c, -EINVAL, "option \"%s\" needs an argument", o);
	v = argv[++*i];
	if (!strcmp(v, "!")) {
		inv = true;
		if (*i + 1 >= argc)
			return cmd_err(c, -EINVAL, "option \"%s\" needs an argument", o);
		v = argv[++*i];
	}
	if (!strcmp(o, "-j")) {
		k->target = v;
		k->has_target = true;
		return 0;
	}
	if (!strcmp(o, "-s") || !strcmp(o, "--source") || !strcmp(o, "--src")) {
		bit = EBT_ISOURCE;
		if (parse_mac_mask(v, e->sourcemac, e->sourcemsk))
			return cmd_err(c, -EINVAL, "Problem with the specified source mac '%s'", v);
	} else if (!strcmp(o, "-d") || !strcmp(o, "--destination") || !strcmp(o, "--dst")) {
		bit = EBT_IDEST;
		if (parse_mac_mask(v, e->destmac, e->destmsk))
			return cmd_err(c, -EINVAL, "Problem with the specified destination mac '%s'", v);
	} else if (!strcmp(o, "-p") || !strcmp(o, "--protocol")) {
		bit = EBT_IPROTO;
		if (parse_proto(v, &e->ethproto))
			return cmd_err(c, -EINVAL, "Problem with the specified protocol '%s'", v);
	} else if (!strcmp(o, "-i") || !strcmp(o, "--in-interface") || !strcmp(o, "--in-if")) {
		bit = EBT_IIN;
		if (strlen(v) >= IFNAMSIZ)
			return cmd_err(c, -EINVAL, "Interface name length cannot exceed %d characters", IFNAMSIZ - 1);
		snprintf(e->in, sizeof(e->in), "%s", v);
	} else if (!strcmp(o, "-o") || !strcmp(o, "--out-interface") || !strcmp(o, "--out-if")) {
		bit = EBT_IOUT;
		if (strlen(v) >= IFNAMSIZ)
			return cmd_err(c, -EINVAL, "Interface name length cannot exceed %d characters", IFNAMSIZ - 1);
		snprintf(e->out, sizeof(e->out), "%s", v);
	} else if (!strcmp(o, "--vlan-id")) {
		bit = EBT_IVLAN;
		if (cmd_parse_uint(v, 4094, &x))
			return cmd_err(c, -EINVAL, "Problem with specified VLAN id '%s'", v);
		e->vlan_id = (uint16_t)x;
	} else {
		return cmd_err(c, -EINVAL, "Unknown argument: '%s'", o);
	}
	if (e->bitmask & bit)
		return cmd_err(c, -EINVAL, "Multiple use of the same option not allowed");
	e->bitmask |= bit;
	if (inv)
		e->invflags |= bit;
	k->has_rule = true;
	return 0;
}

static int parse_command(struct cmd_ctx *c, int argc, char **argv, const char **table,
			 struct ebt_cmd *k)
{
	static const char cmds[] = "AIDPFZNXL";

	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		int rc;

		if (!strcmp(o, "-t") && i + 1 < argc) {
			*table = argv[++i];
		} else if (o[0] == '-' && o[1] && strchr(cmds, o[1]) && !o[2]) {
			if (k->op)
				return cmd_err(c, -EINVAL, "Multiple commands are not allowed");
			k->op = o[1];
			if (i + 1 < argc && argv[i + 1][0] != '-')
				k->chain = argv[++i];
			if (i + 1 < argc && argv[i + 1][0] != '-' && strchr("IDPN", k->op))
				k->arg = argv[++i];
		} else if (!strcmp(o, "--Lc")) {
			k->lc = true;
		} else if (!strcmp(o, "--Ln")) {
			k->ln = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			return cmd_err(c, -EINVAL, "usage: ebtables [-t table] -A|-I|-D|-P|-F|-Z|-N|-X|-L [CHAIN] [rule] (see docs/cli.md)");
		} else if ((rc = parse_rule_opt(c, argc, argv, &i, k)) != 0) {
			return rc;
		}
	}
	if (!k->op)
		return cmd_err(c, -EINVAL, "No command specified");
	return 0;
}

static void print_mac(struct ns_out *o, const char *opt, bool inv, const uint8_t *mac,
		      const uint8_t *msk)
{
	static const uint8_t ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	ns_out_printf(o, "%s %s%x:%x:%x:%x:%x:%x", opt, inv ? "! " : "", mac[0], mac[1], mac[2],
		      mac[3], mac[4], mac[5]);
	if (memcmp(msk, ones, 6))
		ns_out_printf(o, "/%x:%x:%x:%x:%x:%x", msk[0], msk[1], msk[2], msk[3], msk[4], msk[5]);
	ns_out_puts(o, " ");
}

/* ebtables-legacy print order: -p -s -d -i -o, matches, -j */
static void print_rule(struct cmd_ctx *c, const struct ebt_table *t, const struct ebt_entry *e,
		       const struct ebt_cmd *k, unsigned int n)
{
	struct ns_out *o = c->out;
#define INV(b) ((e->invflags & (b)) ? "! " : "")

	if (k->ln)
		ns_out_printf(o, "%u. ", n);
	if (e->bitmask & EBT_IPROTO) {
		const char *name = NULL;

		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (protos[i].proto == e->ethproto)
				name = protos[i].name;
		if (name)
			ns_out_printf(o, "-p %s%s ", INV(EBT_IPROTO), name);
		else
			ns_out_printf(o, "-p %s0x%x ", INV(EBT_IPROTO), e->ethproto);
	}
	if (e->bitmask & EBT_ISOURCE)
		print_mac(o, "-s", e->invflags & EBT_ISOURCE, e->sourcemac, e->sourcemsk);
	if (e->bitmask & EBT_IDEST)
		print_mac(o, "-d", e->invflags & EBT_IDEST, e->destmac, e->destmsk);
	if (e->bitmask & EBT_IIN)
		ns_out_printf(o, "-i %s%s ", INV(EBT_IIN), e->in);
	if (e->bitmask & EBT_IOUT)
		ns_out_printf(o, "-o %s%s ", INV(EBT_IOUT), e->out);
	if (e->bitmask & EBT_IVLAN)
		ns_out_printf(o, "--vlan-id %s%u ", INV(EBT_IVLAN), e->vlan_id);
	ns_out_printf(o, "-j %s", target_name(t, e->verdict));
	if (k->lc)
		ns_out_printf(o, " , pcnt = %llu -- bcnt = %llu", (unsigned long long)e->pcnt,
			      (unsigned long long)e->bcnt);
	ns_out_puts(o, "\n");
#undef INV
}

static const char *policy_name(int p)
{
	return p == EBT_DROP ? "DROP" : p == EBT_RETURN ? "RETURN" : "ACCEPT";
}

static int list(struct cmd_ctx *c, struct ebt_table *t, struct ebt_chain *only,
		const struct ebt_cmd *k)
{
	ns_out_printf(c->out, "Bridge table: %s\n", t->name);
	for (unsigned int i = 0; i < t->nchains; i++) {
		struct ebt_chain *ch = t->chains[i];

		if (only && ch != only)
			continue;
		ns_out_printf(c->out, "\nBridge chain: %s, entries: %u, policy: %s\n", ch->name, ch->n,
			      policy_name(ch->policy));
		for (unsigned int r = 0; r < ch->n; r++)
			print_rule(c, t, &ch->rules[r], k, r + 1);
	}
	return 0;
}

static bool same_rule(const struct ebt_entry *a, const struct ebt_entry *b)
{
	return a->bitmask == b->bitmask && a->invflags == b->invflags &&
	       a->ethproto == b->ethproto && a->vlan_id == b->vlan_id && !strcmp(a->in, b->in) &&
	       !strcmp(a->out, b->out) && !memcmp(a->sourcemac, b->sourcemac, 6) &&
	       !memcmp(a->sourcemsk, b->sourcemsk, 6) && !memcmp(a->destmac, b->destmac, 6) &&
	       !memcmp(a->destmsk, b->destmsk, 6) && a->verdict == b->verdict;
}

static int rule_number(struct cmd_ctx *c, const char *s, unsigned int n, unsigned int *out)
{
	unsigned long x;

	if (cmd_parse_uint(s, n, &x) || x == 0)
		return cmd_err(c, -EINVAL, "Problem with the specified rule number '%s'", s);
	*out = (unsigned int)x - 1;
	return 0;
}

static int do_rule(struct cmd_ctx *c, struct ebt_table *t, struct ebt_chain *ch, struct ebt_cmd *k)
{
	unsigned int pos = ch->n;
	int rc;

	if (k->op != 'D' || !k->arg) {
		if (!k->has_target)
			return cmd_err(c, -EINVAL, "a rule needs a target (-j ACCEPT|DROP|CONTINUE|RETURN|CHAIN)");
		if (parse_target(t, k->target, &k->e.verdict))
			return cmd_err(c, -ENOENT, "Target '%s' is not a standard target or a user chain", k->target);
		if (k->e.verdict >= 0 && t->chains[k->e.verdict] == ch)
			return cmd_err(c, -ELOOP, "a chain cannot jump to itself");
		if (k->e.verdict == EBT_RETURN && ch->hook >= 0)
			return cmd_err(c, -EINVAL, "RETURN is for user chains only");
	}
	if (k->op == 'D') {
		if (k->arg)
			rc = rule_number(c, k->arg, ch->n, &pos);
		else {
			for (pos = 0; pos < ch->n && !same_rule(&ch->rules[pos], &k->e); pos++)
				;
			rc = pos == ch->n ? cmd_err(c, -ENOENT, "Sorry, rule does not exist") : 0;
		}
		if (!rc)
			ebt_rule_delete(c->stack, t, ch, pos);
		return rc;
	}
	if (k->op == 'I') {
		pos = 0;
		if (k->arg && (rc = rule_number(c, k->arg, ch->n + 1, &pos)) != 0)
			return rc;
	}
	rc = ebt_rule_insert(c->stack, t, ch, pos, &k->e);
	return rc ? cmd_err(c, rc, "cannot add the rule: %s", strerror(-rc)) : 0;
}

static int do_chain_op(struct cmd_ctx *c, struct ebt_table *t, struct ebt_chain *ch,
		       struct ebt_cmd *k)
{
	int rc;

	switch (k->op) {
	case 'P':
		if (!k->arg || (strcmp(k->arg, "ACCEPT") && strcmp(k->arg, "DROP") &&
				(ch->hook >= 0 || strcmp(k->arg, "RETURN"))))
			return cmd_err(c, -EINVAL, "Wrong policy '%s'", k->arg ? k->arg : "");
		ebt_set_policy(c->stack, ch, !strcmp(k->arg, "DROP") ? EBT_DROP
					     : !strcmp(k->arg, "ACCEPT") ? EBT_ACCEPT : EBT_RETURN);
		return 0;
	case 'F':
		ebt_chain_flush(c->stack, t, ch);
		return 0;
	case 'Z':
		for (unsigned int r = 0; r < ch->n; r++)
			ch->rules[r].pcnt = ch->rules[r].bcnt = 0;
		return 0;
	case 'X':
		rc = ebt_chain_del(t, ch);
		return rc ? cmd_err(c, rc, "cannot delete chain '%s': %s", ch->name,
				    rc == -EBUSY ? "it is not empty or still referenced"
						 : "built-in chain") : 0;
	default:
		return do_rule(c, t, ch, k);
	}
}

int cmd_ebtables(struct cmd_ctx *c, int argc, char **argv)
{
	const char *tname = "filter";
	struct ebt_cmd k = { 0 };
	struct ebt_table *t;
	struct ebt_chain *ch = NULL;
	int rc = parse_command(c, argc, argv, &tname, &k);

	if (rc)
		return rc;
	t = ebt_find_table(c->stack, tname);
	if (!t)
		return cmd_err(c, -ENOENT, "Table '%s' does not exist", tname);
	if (k.op == 'N') {
		rc = k.chain ? ebt_chain_new(t, k.chain) : -EINVAL;
		return rc ? cmd_err(c, rc, "cannot create chain '%s': %s", k.chain ? k.chain : "",
				    strerror(-rc)) : 0;
	}
	if (k.chain) {
		ch = ebt_find_chain(t, k.chain);
		if (!ch)
			return cmd_err(c, -ENOENT, "Chain '%s' doesn't exist", k.chain);
	}
	if (k.op == 'L')
		return list(c, t, ch, &k);
	if (!ch && strchr("FZ", k.op)) {
		for (unsigned int i = 0; i < t->nchains && !rc; i++)
			rc = do_chain_op(c, t, t->chains[i], &k);
		return rc;
	}
	if (!ch)
		return cmd_err(c, -EINVAL, "-%c needs a chain", k.op);
	if (k.has_rule && strchr("PFZX", k.op))
		return cmd_err(c, -EINVAL, "-%c takes no rule", k.op);
	return do_chain_op(c, t, ch, &k);
}
