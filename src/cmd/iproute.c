/* iproute.c - `ip route`: show the MAIN and LOCAL tables in iproute2's
 * text and JSON shapes, add/del/replace/append/change/prepend routes of
 * every type the FIB has, flush, and `ip route get`. Linux counterparts:
 * iproute2 ip/iproute.c (iproute_modify, print_route), net/ipv4/fib_frontend.c
 * (rtm_to_fib_config) and fib_semantics.c (fib_check_nh). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "ipv4/ip.h"
#include "ipv4/route.h"

static const char *const rtn_names[] = {
	[RTN_UNSPEC] = "none",	       [RTN_UNICAST] = "unicast",
	[RTN_LOCAL] = "local",	       [RTN_BROADCAST] = "broadcast",
	[RTN_ANYCAST] = "anycast",     [RTN_MULTICAST] = "multicast",
	[RTN_BLACKHOLE] = "blackhole", [RTN_UNREACHABLE] = "unreachable",
	[RTN_PROHIBIT] = "prohibit",   [RTN_THROW] = "throw",
};

/* /etc/iproute2/rt_protos */
static const struct {
	unsigned int id;
	const char *name;
} rt_protos[] = {
	{ RTPROT_REDIRECT, "redirect" }, { RTPROT_KERNEL, "kernel" }, { RTPROT_BOOT, "boot" },
	{ RTPROT_STATIC, "static" },	 { RTPROT_RA, "ra" },	      { RTPROT_DHCP, "dhcp" },
	{ RTPROT_ZEBRA, "zebra" },	 { RTPROT_BIRD, "bird" },     { RTPROT_BGP, "bgp" },
	{ RTPROT_OSPF, "ospf" },
};

static const char *proto_name(unsigned int p, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(rt_protos) / sizeof(rt_protos[0]); i++)
		if (rt_protos[i].id == p)
			return rt_protos[i].name;
	snprintf(buf, len, "%u", p);
	return buf;
}

static int parse_proto(const char *s, uint8_t *p)
{
	unsigned long v;

	for (size_t i = 0; i < sizeof(rt_protos) / sizeof(rt_protos[0]); i++) {
		if (!strcmp(s, rt_protos[i].name)) {
			*p = (uint8_t)rt_protos[i].id;
			return 0;
		}
	}
	if (cmd_parse_uint(s, 255, &v))
		return -EINVAL;
	*p = (uint8_t)v;
	return 0;
}

static int parse_type(const char *s)
{
	for (size_t i = RTN_UNICAST; i <= RTN_THROW; i++)
		if (!strcmp(s, rtn_names[i]))
			return (int)i;
	return -1;
}

static int parse_table(const char *s, uint32_t *id)
{
	unsigned long v;

	if (!strcmp(s, "main"))
		*id = RT_TABLE_MAIN;
	else if (!strcmp(s, "local"))
		*id = RT_TABLE_LOCAL;
	else if (!strcmp(s, "all") || !strcmp(s, "0"))
		*id = 0;
	else if (!cmd_parse_uint(s, 0xffffffffUL, &v))
		*id = (uint32_t)v;
	else
		return -EINVAL;
	return 0;
}

static const char *dev_name(struct ns_stack *stack, int oif)
{
	struct net_device *dev = oif ? dev_get_by_index(stack, oif) : NULL;

	return dev ? dev->name : NULL;
}

static void fmt_dst(char *buf, size_t len, const struct fib_route *r)
{
	char a[16];

	if (r->dst_len == 0 && r->dst == 0) {
		snprintf(buf, len, "default");
		return;
	}
	cmd_fmt_ip4(a, sizeof(a), r->dst);
	if (r->dst_len == 32)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, r->dst_len);
}

/* ---- show ---------------------------------------------------------------------------- */
struct route_filter {
	struct cmd_ctx *c;
	struct json *j;
	uint32_t table;		/* 0: all */
	uint32_t cur;		/* table being walked */
	int oif;		/* 0 any */
	bool have_prefix;
	uint32_t dst;
	unsigned int dst_len;
	bool have_proto;
	uint8_t proto;
};

static bool route_selected(const struct route_filter *f, const struct fib_route *r)
{
	if (f->oif && r->oif != f->oif)
		return false;
	if (f->have_prefix && (r->dst != f->dst || r->dst_len != f->dst_len))
		return false;
	return !f->have_proto || r->protocol == f->proto;
}

static const char *type_name(uint8_t t)
{
	return t < sizeof(rtn_names) / sizeof(rtn_names[0]) ? rtn_names[t] : "none";
}

/* iproute2's print_route order: type, dst, via, dev, table, proto, scope, src, metric, mtu */
static void route_text(const struct route_filter *f, const struct fib_route *r)
{
	struct ns_out *o = f->c->out;
	const char *dev = dev_name(f->c->stack, r->oif);
	char d[24], a[16], pb[8], sb[8];

	if (r->type != RTN_UNICAST)
		ns_out_printf(o, "%s ", type_name(r->type));
	fmt_dst(d, sizeof(d), r);
	ns_out_printf(o, "%s ", d);
	if (r->gateway) {
		cmd_fmt_ip4(a, sizeof(a), r->gateway);
		ns_out_printf(o, "via %s ", a);
	}
	if (dev)
		ns_out_printf(o, "dev %s ", dev);
	if (f->table == 0 && f->cur != RT_TABLE_MAIN)
		ns_out_printf(o, "table %s ", f->cur == RT_TABLE_LOCAL ? "local" : "?");
	if (r->protocol != RTPROT_BOOT)
		ns_out_printf(o, "proto %s ", proto_name(r->protocol, pb, sizeof(pb)));
	if (r->scope != RT_SCOPE_UNIVERSE)
		ns_out_printf(o, "scope %s ", cmd_scope_name(r->scope, sb, sizeof(sb)));
	if (r->prefsrc) {
		cmd_fmt_ip4(a, sizeof(a), r->prefsrc);
		ns_out_printf(o, "src %s ", a);
	}
	if (r->priority)
		ns_out_printf(o, "metric %u ", r->priority);
	if (r->mtu)
		ns_out_printf(o, "mtu %u ", r->mtu);
	ns_out_puts(o, "\n");
}

static void route_json(const struct route_filter *f, const struct fib_route *r)
{
	struct json *j = f->j;
	const char *dev = dev_name(f->c->stack, r->oif);
	char d[24], pb[8], sb[8];

	json_open(j, NULL, '{');
	if (r->type != RTN_UNICAST)
		json_str(j, "type", type_name(r->type));
	fmt_dst(d, sizeof(d), r);
	json_str(j, "dst", d);
	if (r->gateway) {
		cmd_fmt_ip4(d, sizeof(d), r->gateway);
		json_str(j, "gateway", d);
	}
	if (dev)
		json_str(j, "dev", dev);
	if (f->table == 0 && f->cur != RT_TABLE_MAIN)
		json_str(j, "table", f->cur == RT_TABLE_LOCAL ? "local" : "?");
	if (r->protocol != RTPROT_BOOT)
		json_str(j, "protocol", proto_name(r->protocol, pb, sizeof(pb)));
	if (r->scope != RT_SCOPE_UNIVERSE)
		json_str(j, "scope", cmd_scope_name(r->scope, sb, sizeof(sb)));
	if (r->prefsrc) {
		cmd_fmt_ip4(d, sizeof(d), r->prefsrc);
		json_str(j, "prefsrc", d);
	}
	if (r->priority)
		json_u64(j, "metric", r->priority);
	json_open(j, "flags", '[');
	json_close(j, ']');
	if (r->mtu) {
		json_open(j, "metrics", '[');
		json_open(j, NULL, '{');
		json_u64(j, "mtu", r->mtu);
		json_close(j, '}');
		json_close(j, ']');
	}
	json_close(j, '}');
}

static int show_one(const struct fib_route *r, void *ctx)
{
	struct route_filter *f = ctx;

	if (!route_selected(f, r))
		return 0;
	if (f->c->json)
		route_json(f, r);
	else
		route_text(f, r);
	return 0;
}

/* Shared words of show and flush: table T, dev DEV, proto P, [root|match] PREFIX. */
static int parse_filter(struct cmd_ctx *c, struct route_filter *f, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if ((!strcmp(w, "table") || !strcmp(w, "dev") || !strcmp(w, "oif") ||
		     !strcmp(w, "proto") || !strcmp(w, "root") || !strcmp(w, "match") ||
		     !strcmp(w, "exact")) && !v)
			return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
		if (!strcmp(w, "table")) {
			if (parse_table(v, &f->table))
				return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: table id value is invalid", v);
			if (f->table && !fib_get_table(c->stack, f->table))
				return cmd_err(c, -ENOENT, "Error: ipv4: FIB table does not exist.");
			i++;
		} else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
			struct net_device *dev = cmd_dev(c, v);

			if (!dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
			f->oif = dev->ifindex;
			i++;
		} else if (!strcmp(w, "proto")) {
			if (parse_proto(v, &f->proto))
				return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: invalid \"protocol\"", v);
			f->have_proto = true;
			i++;
		} else {
			if (!strcmp(w, "root") || !strcmp(w, "match") || !strcmp(w, "exact") || !strcmp(w, "to"))
				w = argv[++i];
			if (!strcmp(w, "default") || !strcmp(w, "all")) {
				f->dst = 0;
				f->dst_len = 0;
				f->have_prefix = strcmp(w, "all") != 0;
			} else if (cmd_parse_prefix4(w, &f->dst, &f->dst_len)) {
				return cmd_err(c, -EINVAL, "Error: any valid prefix is expected rather than \"%s\".", w);
			} else {
				f->have_prefix = true;
			}
		}
	}
	return 0;
}

static int walk_tables(struct route_filter *f, int (*cb)(const struct fib_route *, void *))
{
	static const uint32_t order[] = { RT_TABLE_MAIN, RT_TABLE_LOCAL };

	for (size_t i = 0; i < 2; i++) {
		int rc;

		if (f->table && f->table != order[i])
			continue;
		f->cur = order[i];
		rc = fib_table_walk(fib_get_table(f->c->stack, order[i]), cb, f);
		if (rc)
			return rc;
	}
	return 0;
}

static int route_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct json j;

	if (c->family == AF_INET6)
		return cmd_route6_show(c, argc, argv);
	struct route_filter f = { .c = c, .j = &j, .table = RT_TABLE_MAIN };
	int rc = parse_filter(c, &f, argc, argv);

	if (rc)
		return rc;
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	rc = walk_tables(&f, show_one);
	if (rc)
		return cmd_err(c, rc, "Dump terminated: %s", strerror(-rc));
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

/* ---- flush ----------------------------------------------------------------------------- */
struct flush_list {
	struct route_filter *f;
	struct fib_route *r;
	uint32_t n, cap;
};

static int collect_one(const struct fib_route *r, void *ctx)
{
	struct flush_list *l = ctx;

	if (route_selected(l->f, r) && l->n < l->cap)
		l->r[l->n++] = *r;
	return 0;
}

/* ip route flush [table T] [dev DEV] [proto P] [PREFIX]: at least one selector */
static int route_flush(struct cmd_ctx *c, int argc, char **argv)
{
	struct route_filter f = { .c = c, .table = RT_TABLE_MAIN };
	int rc;

	if (argc == 0)
		return cmd_err(c, -EINVAL, "\"ip route flush\" requires arguments.");
	rc = parse_filter(c, &f, argc, argv);
	if (rc)
		return rc;
	for (int k = 0; k < 2; k++) {
		uint32_t tb = k ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
		struct fib_table *t = fib_get_table(c->stack, tb);
		struct flush_list l = { .f = &f, .cap = fib_table_count(t) };

		if (f.table && f.table != tb)
			continue;
		l.r = calloc(l.cap ? l.cap : 1, sizeof(*l.r));
		if (!l.r)
			return cmd_err(c, -ENOMEM, "out of memory");
		f.cur = tb;
		rc = fib_table_walk(t, collect_one, &l);
		for (uint32_t i = 0; !rc && i < l.n; i++)
			fib_table_delete(t, &l.r[i]);
		free(l.r);
		if (rc)
			return cmd_err(c, rc, "Flush terminated: %s", strerror(-rc));
	}
	return 0;
}

/* ---- add / del ------------------------------------------------------------------------ */
struct route_req {
	struct fib_route r;
	uint32_t table;		/* 0: by type */
	bool have_dst, have_scope, have_proto, have_type;
	struct net_device *dev;
};

static int need_value(struct cmd_ctx *c, const char *v)
{
	return v ? 0 : cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
}

static int parse_route_value(struct cmd_ctx *c, struct route_req *q, const char *w, const char *v)
{
	unsigned long n;

	if (!strcmp(w, "via")) {
		if (cmd_parse_ip4(v, &q->r.gateway))
			return cmd_err(c, -EINVAL, "Error: inet address is expected rather than \"%s\".", v);
	} else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
		q->dev = cmd_dev(c, v);
		if (!q->dev)
			return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
		q->r.oif = q->dev->ifindex;
	} else if (!strcmp(w, "metric") || !strcmp(w, "priority") || !strcmp(w, "preference")) {
		if (cmd_parse_uint(v, 0xffffffffUL, &n))
			return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"metric\" value is invalid", v);
		q->r.priority = (uint32_t)n;
	} else if (!strcmp(w, "src")) {
		if (cmd_parse_ip4(v, &q->r.prefsrc))
			return cmd_err(c, -EINVAL, "Error: inet address is expected rather than \"%s\".", v);
	} else if (!strcmp(w, "mtu")) {
		if (cmd_parse_uint(v, 0xffffffffUL, &n) || n < 68)
			return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"mtu\" value is invalid", v);
		q->r.mtu = (uint32_t)n;
	} else if (!strcmp(w, "proto") || !strcmp(w, "protocol")) {
		if (parse_proto(v, &q->r.protocol))
			return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"protocol\" value is invalid", v);
		q->have_proto = true;
	} else if (!strcmp(w, "scope")) {
		if (cmd_parse_scope(v, &q->r.scope))
			return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: invalid \"scope\" value", v);
		q->have_scope = true;
	} else if (!strcmp(w, "table")) {
		if (parse_table(v, &q->table) || q->table == 0)
			return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"table\" value is invalid", v);
		if (!fib_get_table(c->stack, q->table))
			return cmd_err(c, -EOPNOTSUPP, "table %s: only the main and local tables exist", v);
	} else {
		return 1;	/* not a keyword with a value */
	}
	return 0;
}

static int parse_route_word(struct cmd_ctx *c, struct route_req *q, int argc, char **argv, int *i)
{
	const char *w = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	int rc, t;

	if (!strcmp(w, "via") && v && !strcmp(v, "inet") && *i + 2 < argc)
		v = argv[++(*i) + 1];
	rc = parse_route_value(c, q, w, v ? v : "");
	if (rc <= 0) {
		if (rc == 0 && need_value(c, v))
			return -EINVAL;
		(*i)++;
		return rc;
	}
	if (!strcmp(w, "onlink")) {
		q->r.flags |= RTNH_F_ONLINK;
		return 0;
	}
	if (!q->have_dst && !q->have_type && (t = parse_type(w)) > 0) {
		q->r.type = (uint8_t)t;
		q->have_type = true;
		return 0;
	}
	if (!strcmp(w, "to") && v)
		w = argv[++(*i)];
	if (q->have_dst)
		return cmd_err(c, -EINVAL, "Error: either \"to\" is duplicate, or \"%s\" is a garbage.", w);
	if (!strcmp(w, "default")) {
		q->r.dst = 0;
		q->r.dst_len = 0;
	} else {
		unsigned int len;

		if (cmd_parse_prefix4(w, &q->r.dst, &len))
			return cmd_err(c, -EINVAL, "Error: any valid prefix is expected rather than \"%s\".", w);
		q->r.dst_len = (uint8_t)len;
	}
	q->have_dst = true;
	return 0;
}

/* iproute_modify's defaults: proto boot, scope by type and gateway, table by type */
static void route_defaults(struct route_req *q, bool del)
{
	struct fib_route *r = &q->r;

	if (!q->have_type)
		r->type = del ? 0 : RTN_UNICAST;
	if (!q->table)
		q->table = r->type == RTN_LOCAL || r->type == RTN_BROADCAST ? RT_TABLE_LOCAL
									   : RT_TABLE_MAIN;
	if (del) {
		if (!q->have_scope)
			r->scope = FIB_SCOPE_ANY;
		return;
	}
	if (!q->have_proto)
		r->protocol = RTPROT_BOOT;
	if (q->have_scope)
		return;
	if (r->type == RTN_LOCAL)
		r->scope = RT_SCOPE_HOST;
	else if (r->type == RTN_BROADCAST)
		r->scope = RT_SCOPE_LINK;
	else if (r->type == RTN_UNICAST && !r->gateway)
		r->scope = RT_SCOPE_LINK;
}

/* fib_check_nh: the gateway must be reachable, the device up */
static int check_nexthop(struct cmd_ctx *c, struct route_req *q)
{
	struct fib_route *r = &q->r;

	if (r->type != RTN_UNICAST && r->type != RTN_LOCAL && r->type != RTN_BROADCAST)
		return 0;
	if (r->gateway && !q->dev && !(r->flags & RTNH_F_ONLINK)) {
		const struct fib_route *gw = fib_lookup(c->stack, r->gateway);

		if (!gw || gw->type != RTN_UNICAST || !gw->oif)
			return cmd_err(c, -ENETUNREACH, "Error: Nexthop has invalid gateway.");
		q->dev = dev_get_by_index(c->stack, gw->oif);
		r->oif = gw->oif;
	}
	if (!q->dev)
		return cmd_err(c, -ENODEV, "RTNETLINK answers: No such device");
	if (!(q->dev->flags & IFF_UP) && !(r->flags & RTNH_F_ONLINK))
		return cmd_err(c, -ENETDOWN, "Error: Nexthop device is not up.");
	if (r->prefsrc && inet_addr_type(c->stack, r->prefsrc) != RTN_LOCAL)
		return cmd_err(c, -EINVAL, "Error: Invalid prefsrc address.");
	return 0;
}

static int route_modify(struct cmd_ctx *c, int argc, char **argv, unsigned int nlflags, bool del)
{
	struct route_req q = { 0 };
	struct fib_table *t;
	int rc;

	for (int i = 0; i < argc; i++)
		if (c->family == AF_INET6 || cmd_is_ip6_word(argv[i]))
			return cmd_route6_modify(c, argc, argv, nlflags, del);
	for (int i = 0; i < argc; i++) {
		rc = parse_route_word(c, &q, argc, argv, &i);
		if (rc)
			return rc;
	}
	if (!q.have_dst)
		return cmd_err(c, -EINVAL, "Error: destination prefix is expected.");
	if (q.r.dst & ~(q.r.dst_len ? ~0u << (32 - q.r.dst_len) : 0u))
		return cmd_err(c, -EINVAL, "Error: Invalid prefix for given prefix length.");
	route_defaults(&q, del);
	if (!del && (rc = check_nexthop(c, &q)))
		return rc;
	t = fib_get_table(c->stack, q.table);
	rc = del ? fib_table_delete(t, &q.r) : fib_table_insert(t, &q.r, nlflags);
	return rc ? cmd_rtnl_err(c, rc) : 0;
}

/* ---- get -------------------------------------------------------------------------------- */
static void route_get_json(struct cmd_ctx *c, uint32_t daddr, const struct ip_route_result *res,
			   uint32_t saddr)
{
	struct json j;
	char a[16];

	json_init(&j, c->out);
	json_open(&j, NULL, '[');
	json_open(&j, NULL, '{');
	if (res->type != RTN_UNICAST)
		json_str(&j, "type", type_name(res->type));
	cmd_fmt_ip4(a, sizeof(a), daddr);
	json_str(&j, "dst", a);
	if (res->nexthop != daddr) {
		cmd_fmt_ip4(a, sizeof(a), res->nexthop);
		json_str(&j, "gateway", a);
	}
	json_str(&j, "dev", res->dev->name);
	cmd_fmt_ip4(a, sizeof(a), saddr);
	json_str(&j, "prefsrc", a);
	json_open(&j, "flags", '[');
	json_close(&j, ']');
	json_u64(&j, "uid", 0);
	json_open(&j, "cache", '[');
	json_close(&j, ']');
	json_close(&j, '}');
	json_close(&j, ']');
	ns_out_puts(c->out, "\n");
}

/* ip route get ADDR [from ADDR] [oif DEV] */
static int route_get(struct cmd_ctx *c, int argc, char **argv)
{
	uint32_t daddr = 0, saddr = 0;
	bool have = false;
	int oif = 0, rc;

	for (int i = 0; i < argc; i++)
		if (c->family == AF_INET6 || cmd_is_ip6_word(argv[i]))
			return cmd_route6_get(c, argc, argv);
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "from") || !strcmp(w, "oif") || !strcmp(w, "dev") || !strcmp(w, "to")) {
			if (need_value(c, v))
				return -EINVAL;
			i++;
		}
		if (!strcmp(w, "from")) {
			if (cmd_parse_ip4(v, &saddr))
				return cmd_err(c, -EINVAL, "Error: inet address is expected rather than \"%s\".", v);
		} else if (!strcmp(w, "oif") || !strcmp(w, "dev")) {
			struct net_device *dev = cmd_dev(c, v);

			if (!dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
			oif = dev->ifindex;
		} else {
			if (!strcmp(w, "to"))
				w = v;
			if (have || cmd_parse_ip4(w, &daddr))
				return cmd_err(c, -EINVAL, "Error: inet address is expected rather than \"%s\".", w);
			have = true;
		}
	}
	if (!have)
		return cmd_err(c, -EINVAL, "need at least a destination address");
	if (c->json) {
		struct flowi4 fl4 = { .daddr = daddr, .saddr = saddr, .oif = oif,
				      .flags = FLOWI_FLAG_BROADCAST };
		struct ip_route_result res;

		rc = ip_route_output(c->stack, &fl4, &res);
		if (rc)
			return cmd_rtnl_err(c, rc);
		route_get_json(c, fl4.daddr, &res, res.saddr);
		return 0;
	} else {
		char buf[256];

		rc = ip_route_get(c->stack, daddr, saddr, oif, buf, sizeof(buf));
		if (rc < 0)
			return cmd_rtnl_err(c, rc);
		ns_out_puts(c->out, buf);
	}
	return 0;
}

int cmd_ip_route(struct cmd_ctx *c, int argc, char **argv)
{
	static const struct {
		const char *word;
		const char *name;
		unsigned int nlflags;
		bool del;
	} mods[] = {
		{ "add", "ip route add", NLM_F_CREATE | NLM_F_EXCL, false },
		{ "delete", "ip route del", 0, true },
		{ "replace", "ip route replace", NLM_F_CREATE | NLM_F_REPLACE, false },
		{ "change", "ip route change", NLM_F_REPLACE, false },
		{ "append", "ip route append", NLM_F_CREATE | NLM_F_APPEND, false },
		{ "prepend", "ip route prepend", NLM_F_CREATE, false },
	};

	if (argc == 0)
		return route_show(c, 0, argv);
	if (cmd_matches(argv[0], "show") || cmd_matches(argv[0], "list") || !strcmp(argv[0], "lst")) {
		c->name = "ip route show";
		return route_show(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "get")) {
		c->name = "ip route get";
		return route_get(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "flush")) {
		c->name = "ip route flush";
		return route_flush(c, argc - 1, argv + 1);
	}
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		if (cmd_matches(argv[0], mods[i].word)) {
			c->name = mods[i].name;
			return route_modify(c, argc - 1, argv + 1, mods[i].nlflags, mods[i].del);
		}
	}
	return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"ip route help\".", argv[0]);
}
