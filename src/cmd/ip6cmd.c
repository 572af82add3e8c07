/* ip6cmd.c - the IPv6 halves of `ip addr`, `ip route` and `ip neigh`
 * (called from ipaddr.c, iproute.c and ipneigh.c when -6 is given or an
 * argument is an IPv6 address): inet6 address lines with iproute2's flag
 * words and lifetimes, `ip -6 route` over the fib6 tables in iproute2's
 * shape, route add/del. Linux counterparts: iproute2 ip/ipaddress.c
 * print_addrinfo, ip/iproute.c print_route; net/ipv6/addrconf.c
 * inet6_rtm_newaddr, net/ipv6/route.c inet6_rtm_newroute. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "cmd/cmd.h"
#include "ipv6/netns_ipv6.h"

int cmd_parse_prefix6(const char *s, uint8_t addr[16], unsigned int *plen, bool *have_len)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	unsigned long len = 128;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	if (slash) {
		buf[slash - s] = 0;
		if (cmd_parse_uint(slash + 1, 128, &len))
			return -EINVAL;
	}
	if (!strcmp(buf, "default")) {
		memset(addr, 0, 16);
		len = 0;
	} else if (ipv6_addr_parse(buf, addr)) {
		return -EINVAL;
	}
	*plen = (unsigned int)len;
	if (have_len)
		*have_len = slash != NULL;
	return 0;
}

bool cmd_is_ip6_word(const char *s)
{
	return strchr(s, ':') != NULL;
}

/* ---- ip addr ---------------------------------------------------------------------------- */
static const char *scope6_name(uint8_t scope)
{
	switch (scope) {
	case IFA_HOST: return "host";
	case IFA_LINK: return "link";
	case IFA_SITE: return "site";
	default: return "global";
	}
}

/* iproute2's print_ifa_flags order; "dynamic" stands for !PERMANENT */
static const struct {
	uint32_t flag;
	const char *name;
} ifa_flag_names[] = {
	{ IFA_F_NODAD, "nodad" },	    { IFA_F_OPTIMISTIC, "optimistic" },
	{ IFA_F_DADFAILED, "dadfailed" },   { IFA_F_HOMEADDRESS, "home" },
	{ IFA_F_DEPRECATED, "deprecated" }, { IFA_F_TENTATIVE, "tentative" },
	{ IFA_F_PERMANENT, "dynamic" },	    { IFA_F_NOPREFIXROUTE, "noprefixroute" },
};

static uint32_t lft_left(const struct inet6_ifaddr *ifp, uint32_t lft, uint64_t now)
{
	uint64_t end;

	if (lft == INFINITY_LIFE_TIME)
		return INFINITY_LIFE_TIME;
	end = ifp->tstamp + (uint64_t)lft * 1000000000ull;
	return end > now ? (uint32_t)((end - now) / 1000000000ull) : 0;
}

static void lft_text(struct ns_out *o, const char *name, uint32_t v)
{
	if (v == INFINITY_LIFE_TIME)
		ns_out_printf(o, "%s forever", name);
	else
		ns_out_printf(o, "%s %usec", name, v);
}

static void addr6_text(struct cmd_ctx *c, const struct inet6_ifaddr *ifp)
{
	uint64_t now = ns_now(c->stack);
	char a[64];

	ns_out_printf(c->out, "    inet6 %s/%u scope %s ", ipv6_addr_fmt(ifp->addr, a, sizeof(a)),
		      ifp->prefix_len, scope6_name(ifp->scope));
	for (size_t i = 0; i < sizeof(ifa_flag_names) / sizeof(ifa_flag_names[0]); i++) {
		bool set = ifp->flags & ifa_flag_names[i].flag;

		if (ifa_flag_names[i].flag == IFA_F_PERMANENT)
			set = !set;
		if (set)
			ns_out_printf(c->out, "%s ", ifa_flag_names[i].name);
	}
	ns_out_puts(c->out, "\n       ");
	lft_text(c->out, "valid_lft", lft_left(ifp, ifp->valid_lft, now));
	ns_out_puts(c->out, " ");
	lft_text(c->out, "preferred_lft", lft_left(ifp, ifp->prefered_lft, now));
	ns_out_puts(c->out, "\n");
}

static void addr6_json(struct cmd_ctx *c, struct json *j, const struct inet6_ifaddr *ifp)
{
	uint64_t now = ns_now(c->stack);
	char a[64];

	json_open(j, NULL, '{');
	json_str(j, "family", "inet6");
	json_str(j, "local", ipv6_addr_fmt(ifp->addr, a, sizeof(a)));
	json_u64(j, "prefixlen", ifp->prefix_len);
	json_str(j, "scope", scope6_name(ifp->scope));
	for (size_t i = 0; i < sizeof(ifa_flag_names) / sizeof(ifa_flag_names[0]); i++) {
		bool set = ifp->flags & ifa_flag_names[i].flag;

		if (ifa_flag_names[i].flag == IFA_F_PERMANENT)
			set = !set;
		if (set)
			json_bool(j, ifa_flag_names[i].name, true);
	}
	json_u64(j, "valid_life_time", lft_left(ifp, ifp->valid_lft, now));
	json_u64(j, "preferred_life_time", lft_left(ifp, ifp->prefered_lft, now));
	json_close(j, '}');
}

bool cmd_dev_has_addr6(const struct net_device *dev)
{
	const struct inet6_dev *idev = __in6_dev_get(dev);

	return idev && !list_empty(&idev->addr_list);
}

void cmd_addr6_dev(struct cmd_ctx *c, struct json *j, const struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifp;
	char a[64];

	if (!idev)
		return;
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (c->json)
			addr6_json(c, j, ifp);
		else if (c->brief)
			ns_out_printf(c->out, "%s/%u ", ipv6_addr_fmt(ifp->addr, a, sizeof(a)),
				      ifp->prefix_len);
		else
			addr6_text(c, ifp);
	}
}

int cmd_addr6_modify(struct cmd_ctx *c, struct net_device *dev, const uint8_t *addr,
		     unsigned int plen, bool have_len, uint32_t flags, bool del)
{
	int rc;

	if (del) {
		rc = ipv6_addr_del(dev, addr, have_len ? plen : 0xff);
		if (rc == -EADDRNOTAVAIL)
			return cmd_err(c, rc, "Error: ipv6: address not found.");
		return rc ? cmd_rtnl_err(c, rc) : 0;
	}
	rc = ipv6_addr_add(dev, addr, plen, flags);
	if (rc == -EEXIST)
		return cmd_err(c, rc, "Error: ipv6: address already assigned.");
	return rc ? cmd_rtnl_err(c, rc) : 0;
}

void cmd_addr6_flush(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	/* bounded: each deletion removes one address */
	for (unsigned int n = 0; idev && !list_empty(&idev->addr_list) && n <= IPV6_ADDR_MAX_PER_DEV;
	     n++) {
		struct inet6_ifaddr *ifp = list_first_entry(&idev->addr_list, struct inet6_ifaddr, if_list);

		ipv6_addr_del(dev, ifp->addr, ifp->prefix_len);
	}
}

/* ---- ip -6 route ----------------------------------------------------------------------------- */
struct route6_show {
	struct cmd_ctx *c;
	struct json *j;
	bool local;		/* walking the local table */
	bool all;		/* table all/local: say which */
	int oif;
};

static const char *rt6_type_name(uint8_t t)
{
	switch (t) {
	case RTN_LOCAL: return "local";
	case RTN_MULTICAST: return "multicast";
	case RTN_BLACKHOLE: return "blackhole";
	case RTN_UNREACHABLE: return "unreachable";
	case RTN_PROHIBIT: return "prohibit";
	default: return NULL;
	}
}

static const char *rt6_proto_name(uint8_t p)
{
	switch (p) {
	case RTPROT_KERNEL: return "kernel";
	case RTPROT_BOOT: return "boot";
	case RTPROT_STATIC: return "static";
	case RTPROT_RA: return "ra";
	case RTPROT_REDIRECT: return "redirect";
	default: return "unspec";
	}
}

static uint32_t rt6_expires(struct ns_stack *stack, const struct fib6_info *r)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	uint64_t now = ns_now(stack);

	for (int i = 0; i < IPV6_RA_ROUTES; i++) {
		const struct ra_route *e = &ip6->ra_routes[i];

		if (e->expires && e->plen == r->plen && e->ifindex == r->ifindex &&
		    ipv6_addr_equal(e->prefix, r->dst) && ipv6_addr_equal(e->gateway, r->gateway))
			return e->expires > now ? (uint32_t)((e->expires - now) / 1000000000ull) : 0;
	}
	return 0;
}

static void rt6_dst(char *buf, size_t len, const struct fib6_info *r)
{
	char a[64];

	if (r->plen == 0)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%s/%u", ipv6_addr_fmt(r->dst, a, sizeof(a)), r->plen);
	if (r->plen == 128)
		snprintf(buf, len, "%s", ipv6_addr_fmt(r->dst, a, sizeof(a)));
}

static int route6_one(struct fib6_info *r, void *ctx)
{
	struct route6_show *f = ctx;
	struct cmd_ctx *c = f->c;
	struct net_device *dev = r->ifindex ? dev_get_by_index(c->stack, r->ifindex) : NULL;
	const char *type = rt6_type_name(r->type);
	uint32_t exp = (r->flags & RTF6_EXPIRES) ? rt6_expires(c->stack, r) : 0;
	char d[80], g[64];

	if (f->oif && r->ifindex != f->oif)
		return 0;
	rt6_dst(d, sizeof(d), r);
	if (c->json) {
		json_open(f->j, NULL, '{');
		if (type)
			json_str(f->j, "type", type);
		json_str(f->j, "dst", d);
		if (r->flags & RTF6_GATEWAY)
			json_str(f->j, "gateway", ipv6_addr_fmt(r->gateway, g, sizeof(g)));
		json_str(f->j, "dev", dev ? dev->name : "lo");
		if (f->all && f->local)
			json_str(f->j, "table", "local");
		json_str(f->j, "protocol", rt6_proto_name(r->protocol));
		json_u64(f->j, "metric", r->metric);
		if (exp)
			json_u64(f->j, "expires", exp);
		json_open(f->j, "flags", '[');
		json_close(f->j, ']');
		json_str(f->j, "pref", "medium");
		json_close(f->j, '}');
		return 0;
	}
	if (type)
		ns_out_printf(c->out, "%s ", type);
	ns_out_printf(c->out, "%s ", d);
	if (r->flags & RTF6_GATEWAY)
		ns_out_printf(c->out, "via %s ", ipv6_addr_fmt(r->gateway, g, sizeof(g)));
	ns_out_printf(c->out, "dev %s ", dev ? dev->name : "lo");
	if (f->all && f->local)
		ns_out_puts(c->out, "table local ");
	ns_out_printf(c->out, "proto %s metric %u ", rt6_proto_name(r->protocol), r->metric);
	if (exp)
		ns_out_printf(c->out, "expires %usec ", exp);
	if (r->mtu)
		ns_out_printf(c->out, "mtu %u ", r->mtu);
	ns_out_puts(c->out, "pref medium\n");
	return 0;
}

int cmd_route6_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct json j;
	struct route6_show f = { .c = c, .j = &j };
	bool main_t = true, local_t = false;

	for (int i = 0; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
		if (!strcmp(argv[i], "table")) {
			main_t = !strcmp(v, "main") || !strcmp(v, "all");
			local_t = !strcmp(v, "local") || !strcmp(v, "all");
			if (!main_t && !local_t)
				return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: table id value is invalid", v);
			f.all = true;
		} else if (!strcmp(argv[i], "dev")) {
			struct net_device *dev = cmd_dev(c, v);

			if (!dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
			f.oif = dev->ifindex;
		} else {
			return cmd_err(c, -EINVAL, "Error: either \"to\" is duplicate, or \"%s\" is a garbage.",
				       argv[i]);
		}
	}
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	if (main_t)
		fib6_walk(c->stack->ipv6->fib_main, route6_one, &f);
	f.local = true;
	if (local_t)
		fib6_walk(c->stack->ipv6->fib_local, route6_one, &f);
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

static int route6_type_word(const char *w, uint8_t *type)
{
	static const struct {
		const char *name;
		uint8_t type;
	} types[] = {
		{ "unicast", RTN_UNICAST }, { "blackhole", RTN_BLACKHOLE },
		{ "unreachable", RTN_UNREACHABLE }, { "prohibit", RTN_PROHIBIT },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (!strcmp(w, types[i].name)) {
			*type = types[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

static int route6_parse(struct cmd_ctx *c, struct fib6_info *r, bool *have_dst, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long n;

		if (!strcmp(w, "via") || !strcmp(w, "dev") || !strcmp(w, "metric") ||
		    !strcmp(w, "proto") || !strcmp(w, "mtu") || !strcmp(w, "priority")) {
			if (!v)
				return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
			i++;
		}
		if (!strcmp(w, "via")) {
			if (ipv6_addr_parse(v, r->gateway))
				return cmd_err(c, -EINVAL, "Error: inet6 address is expected rather than \"%s\".", v);
			r->flags |= RTF6_GATEWAY;
		} else if (!strcmp(w, "dev")) {
			struct net_device *dev = cmd_dev(c, v);

			if (!dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
			r->ifindex = dev->ifindex;
		} else if (!strcmp(w, "metric") || !strcmp(w, "priority")) {
			if (cmd_parse_uint(v, 0xffffffffu, &n))
				return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"metric\" value is invalid", v);
			r->metric = (uint32_t)n;
		} else if (!strcmp(w, "mtu")) {
			if (cmd_parse_uint(v, 65535, &n) || n < 1280)
				return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"mtu\" value is invalid", v);
			r->mtu = (uint32_t)n;
		} else if (!strcmp(w, "proto")) {
			if (!strcmp(v, "static"))
				r->protocol = RTPROT_STATIC;
			else if (!strcmp(v, "kernel"))
				r->protocol = RTPROT_KERNEL;
			else if (!strcmp(v, "boot"))
				r->protocol = RTPROT_BOOT;
			else
				return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: \"protocol\" value is invalid", v);
		} else if (!*have_dst && route6_type_word(w, &r->type) == 0) {
			continue;
		} else {
			unsigned int plen;

			if (!strcmp(w, "to") && v)
				w = argv[++i];
			if (*have_dst || cmd_parse_prefix6(w, r->dst, &plen, NULL))
				return cmd_err(c, -EINVAL, "Error: inet6 prefix is expected rather than \"%s\".", w);
			r->plen = (uint8_t)plen;
			*have_dst = true;
		}
	}
	return 0;
}

int cmd_route6_modify(struct cmd_ctx *c, int argc, char **argv, unsigned int nlflags, bool del)
{
	struct fib6_info r = { .protocol = RTPROT_BOOT };
	bool have_dst = false;
	int rc = route6_parse(c, &r, &have_dst, argc, argv);

	if (rc)
		return rc;
	if (!have_dst)
		return cmd_err(c, -EINVAL, "Error: inet6 prefix is expected.");
	if (del) {
		rc = fib6_del(c->stack->ipv6->fib_main, &r);
		return rc ? cmd_rtnl_err(c, rc) : 0;
	}
	if (!r.metric)
		r.metric = 1024;	/* IP6_RT_PRIO_USER */
	r.flags |= RTF6_UP;
	if (!r.type)
		r.type = RTN_UNICAST;
	if (r.type == RTN_UNICAST && !r.ifindex) {
		/* the device of the route to the gateway (on-link check) */
		struct flowi6 fl6 = { .flags = FLOWI6_F_ANYSRC };
		struct ip6_route_result res;

		if (!(r.flags & RTF6_GATEWAY))
			return cmd_err(c, -EINVAL, "Error: Device for nexthop is not up.");
		memcpy(fl6.daddr, r.gateway, 16);
		/* on-link: reached without another gateway (fib6_nh_init) */
		if (ip6_route_output(c->stack, &fl6, &res) || res.type != RTN_UNICAST ||
		    !ipv6_addr_equal(res.nexthop, r.gateway))
			return cmd_err(c, -ENETUNREACH, "Error: Nexthop has invalid gateway.");
		r.ifindex = res.dev->ifindex;
	}
	if (r.type != RTN_UNICAST)
		r.ifindex = 0;
	if (nlflags & NLM_F_REPLACE) {
		struct fib6_info old = { .plen = r.plen, .metric = r.metric };

		memcpy(old.dst, r.dst, 16);
		fib6_del(c->stack->ipv6->fib_main, &old);
	}
	rc = fib6_add(c->stack->ipv6->fib_main, &r);
	if (rc == -EEXIST)
		return cmd_err(c, rc, "RTNETLINK answers: File exists");
	return rc ? cmd_rtnl_err(c, rc) : 0;
}

/* ip -6 route get ADDR [from SRC] [oif DEV]: what ip6_route_output decides */
int cmd_route6_get(struct cmd_ctx *c, int argc, char **argv)
{
	struct flowi6 fl6 = { .proto = IPPROTO_UDP };
	struct ip6_route_result res;
	bool have = false;
	char d[64], g[64], sa[64];
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "from") || !strcmp(w, "oif") || !strcmp(w, "dev")) {
			if (!v)
				return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
			i++;
			if (!strcmp(w, "from")) {
				if (ipv6_addr_parse(v, fl6.saddr))
					return cmd_err(c, -EINVAL, "Error: inet6 address is expected rather than \"%s\".", v);
			} else {
				struct net_device *dev = cmd_dev(c, v);

				if (!dev)
					return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
				fl6.oif = dev->ifindex;
			}
			continue;
		}
		if (!strcmp(w, "to") && v)
			w = argv[++i];
		if (have || ipv6_addr_parse(w, fl6.daddr))
			return cmd_err(c, -EINVAL, "Error: inet6 prefix is expected rather than \"%s\".", w);
		have = true;
	}
	if (!have)
		return cmd_err(c, -EINVAL, "need at least a destination address");
	rc = ip6_route_output(c->stack, &fl6, &res);
	if (rc)
		return cmd_rtnl_err(c, rc);
	ipv6_addr_fmt(fl6.daddr, d, sizeof(d));
	ipv6_addr_fmt(fl6.saddr, sa, sizeof(sa));
	if (res.type == RTN_LOCAL)
		ns_out_printf(c->out, "local %s from :: dev lo table local proto kernel src %s metric 0 pref medium\n",
			      d, sa);
	else {
		/* the route that decided, for its protocol and metric */
		struct fib6_info *r = fib6_lookup(c->stack->ipv6->fib_main, fl6.daddr, 0);

		ns_out_printf(c->out, "%s from :: ", d);
		if (!ipv6_addr_equal(res.nexthop, fl6.daddr))
			ns_out_printf(c->out, "via %s ", ipv6_addr_fmt(res.nexthop, g, sizeof(g)));
		ns_out_printf(c->out, "dev %s proto %s src %s metric %u pref medium\n", res.dev->name,
			      rt6_proto_name(r ? r->protocol : 0), sa, r ? r->metric : 0);
	}
	return 0;
}

/* ---- ip -6 neigh ------------------------------------------------------------------------------ */
struct neigh_table *cmd_nd_table(struct cmd_ctx *c)
{
	return c->stack->ipv6 ? &c->stack->ipv6->nd_tbl : NULL;
}
