/* ipaddr.c - `ip addr`: show the IPv4 addresses of devices in iproute2's
 * text, brief (-br) and JSON (-j) shapes, add, delete and flush them
 * through devinet (inet_addr_add/del). Also the IPv4 word parsers the
 * other ip commands share. Linux counterparts: iproute2 ip/ipaddress.c,
 * net/ipv4/devinet.c inet_rtm_newaddr/inet_rtm_deladdr. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "ipv4/devinet.h"
#include "ipv4/fib.h"
#include "ipv6/ipv6.h"

/* ---- IPv4 words ------------------------------------------------------------------------ */
int cmd_parse_ip4(const char *s, uint32_t *addr)
{
	unsigned long part;
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		char num[4];
		size_t n = strspn(s, "0123456789");

		if (n == 0 || n > 3 || (i < 3 && s[n] != '.') || (i == 3 && s[n]))
			return -EINVAL;
		memcpy(num, s, n);
		num[n] = 0;
		if (cmd_parse_uint(num, 255, &part))
			return -EINVAL;
		a = a << 8 | (uint32_t)part;
		s += n + (i < 3);
	}
	*addr = a;
	return 0;
}

int cmd_parse_prefix4(const char *s, uint32_t *addr, unsigned int *plen)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	unsigned long len = 32;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	if (slash) {
		buf[slash - s] = 0;
		if (cmd_parse_uint(slash + 1, 32, &len))
			return -EINVAL;
	}
	if (cmd_parse_ip4(buf, addr))
		return -EINVAL;
	*plen = (unsigned int)len;
	return 0;
}

void cmd_fmt_ip4(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static const struct {
	unsigned int scope;
	const char *name;
} scopes[] = {
	{ RT_SCOPE_UNIVERSE, "global" }, { RT_SCOPE_SITE, "site" }, { RT_SCOPE_LINK, "link" },
	{ RT_SCOPE_HOST, "host" },	 { RT_SCOPE_NOWHERE, "nowhere" },
};

const char *cmd_scope_name(unsigned int scope, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (scopes[i].scope == scope)
			return scopes[i].name;
	snprintf(buf, len, "%u", scope);
	return buf;
}

int cmd_parse_scope(const char *s, uint8_t *scope)
{
	unsigned long v;

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (!strcmp(s, scopes[i].name)) {
			*scope = (uint8_t)scopes[i].scope;
			return 0;
		}
	}
	if (!strcmp(s, "universe")) {
		*scope = RT_SCOPE_UNIVERSE;
		return 0;
	}
	if (cmd_parse_uint(s, 255, &v))
		return -EINVAL;
	*scope = (uint8_t)v;
	return 0;
}

int cmd_rtnl_err(struct cmd_ctx *c, int err)
{
	return cmd_err(c, err, "RTNETLINK answers: %s", strerror(-err));
}

/* ---- show ------------------------------------------------------------------------------ */
static void addr_text(struct cmd_ctx *c, const struct in_ifaddr *ifa)
{
	char a[16], b[16], sb[8];

	cmd_fmt_ip4(a, sizeof(a), ifa->ifa_local);
	ns_out_printf(c->out, "    inet %s/%u ", a, ifa->ifa_prefixlen);
	if (ifa->ifa_broadcast) {
		cmd_fmt_ip4(b, sizeof(b), ifa->ifa_broadcast);
		ns_out_printf(c->out, "brd %s ", b);
	}
	ns_out_printf(c->out, "scope %s %s%s%s\n", cmd_scope_name(ifa->ifa_scope, sb, sizeof(sb)),
		      ifa->ifa_flags & IFA_F_SECONDARY ? "secondary " : "",
		      ifa->ifa_flags & IFA_F_NOPREFIXROUTE ? "noprefixroute " : "", ifa->ifa_label);
	ns_out_puts(c->out, "       valid_lft forever preferred_lft forever\n");
}

static void addr_json(struct cmd_ctx *c, struct json *j, const struct in_ifaddr *ifa)
{
	char a[16], sb[8];

	(void)c;
	json_open(j, NULL, '{');
	json_str(j, "family", "inet");
	cmd_fmt_ip4(a, sizeof(a), ifa->ifa_local);
	json_str(j, "local", a);
	json_u64(j, "prefixlen", ifa->ifa_prefixlen);
	if (ifa->ifa_broadcast) {
		cmd_fmt_ip4(a, sizeof(a), ifa->ifa_broadcast);
		json_str(j, "broadcast", a);
	}
	json_str(j, "scope", cmd_scope_name(ifa->ifa_scope, sb, sizeof(sb)));
	if (ifa->ifa_flags & IFA_F_SECONDARY)
		json_bool(j, "secondary", true);
	if (ifa->ifa_flags & IFA_F_NOPREFIXROUTE)
		json_bool(j, "noprefixroute", true);
	json_str(j, "label", ifa->ifa_label);
	json_u64(j, "valid_life_time", 4294967295u);
	json_u64(j, "preferred_life_time", 4294967295u);
	json_close(j, '}');
}

static void dev_addrs(struct cmd_ctx *c, struct json *j, const struct net_device *dev)
{
	struct in_device *idev = __in_dev_get(dev);
	struct in_ifaddr *ifa;
	char a[16];

	if (c->json) {
		cmd_link_json_head(c, j, dev, true);
		json_open(j, "addr_info", '[');
	} else if (c->brief) {
		ns_out_printf(c->out, "%-16s %-14s ", dev->name, cmd_operstate(dev));
	} else {
		cmd_link_text_head(c, dev, true);
	}
	if (idev && c->family != AF_INET6) {
		for_each_ifa(idev, ifa) {
			if (c->json) {
				addr_json(c, j, ifa);
			} else if (c->brief) {
				cmd_fmt_ip4(a, sizeof(a), ifa->ifa_local);
				ns_out_printf(c->out, "%s/%u ", a, ifa->ifa_prefixlen);
			} else {
				addr_text(c, ifa);
			}
		}
	}
	if (c->family != AF_INET)
		cmd_addr6_dev(c, j, dev);
	if (c->json) {
		json_close(j, ']');
		json_close(j, '}');
	} else if (c->brief) {
		ns_out_puts(c->out, "\n");
	}
}

/* ip addr show [dev DEV] [up] */
static int addr_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *dev, *only = NULL;
	bool up_only = false;
	struct json j;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "up")) {
			up_only = true;
			continue;
		}
		if (!strcmp(argv[i], "dev") && i + 1 < argc)
			i++;
		if (only)
			return cmd_err(c, -EINVAL, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.",
				       argv[i]);
		only = cmd_dev(c, argv[i]);
		if (!only)
			return cmd_err(c, -ENODEV, "Device \"%s\" does not exist.", argv[i]);
	}
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	for_each_netdev(c->stack, dev) {
		struct in_device *idev = __in_dev_get(dev);

		if ((only && dev != only) || (up_only && !(dev->flags & IFF_UP)))
			continue;
		/* -4/-6 hide devices without an address of that family */
		if (c->family == AF_INET && (!idev || list_empty(&idev->ifa_list)))
			continue;
		if (c->family == AF_INET6 && !cmd_dev_has_addr6(dev))
			continue;
		dev_addrs(c, &j, dev);
	}
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

/* ---- add / del ------------------------------------------------------------------------- */
struct addr_req {
	struct net_device *dev;
	uint32_t addr;
	unsigned int plen;
	bool have_addr, have_len, brd_plus;
	struct inet_addr_opts opts;
	bool is6;			/* an IPv6 address (ip6cmd.c does the work) */
	uint8_t addr6[16];
	uint32_t flags6;		/* IFA_F_NODAD, IFA_F_NOPREFIXROUTE */
};

static int parse_addr_word(struct cmd_ctx *c, struct addr_req *r, int argc, char **argv, int *i)
{
	const char *w = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!strcmp(w, "dev") || !strcmp(w, "brd") || !strcmp(w, "broadcast") ||
	    !strcmp(w, "scope") || !strcmp(w, "label") || !strcmp(w, "local")) {
		if (!v)
			return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
		(*i)++;
	}
	if (!strcmp(w, "dev")) {
		r->dev = cmd_dev(c, v);
		return r->dev ? 0 : cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
	}
	if (!strcmp(w, "brd") || !strcmp(w, "broadcast")) {
		if (!strcmp(v, "+")) {
			r->brd_plus = true;
			return 0;
		}
		if (!strcmp(v, "-"))
			return 0;
		if (cmd_parse_ip4(v, &r->opts.broadcast))
			return cmd_err(c, -EINVAL, "Error: inet address is expected rather than \"%s\".", v);
		return 0;
	}
	if (!strcmp(w, "scope")) {
		if (cmd_parse_scope(v, &r->opts.scope))
			return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: invalid scope value.", v);
		return 0;
	}
	if (!strcmp(w, "label")) {
		if (strlen(v) >= IFNAMSIZ)
			return cmd_err(c, -EINVAL, "\"%s\" is too long for a label", v);
		r->opts.label = v;
		return 0;
	}
	if (!strcmp(w, "noprefixroute")) {
		r->opts.flags |= IFA_F_NOPREFIXROUTE;
		r->flags6 |= IFA_F_NOPREFIXROUTE;
		return 0;
	}
	if (!strcmp(w, "nodad")) {
		r->flags6 |= IFA_F_NODAD;
		return 0;
	}
	if (!strcmp(w, "local"))
		w = v;
	if (r->have_addr)
		return cmd_err(c, -EINVAL, "Error: either \"local\" is duplicate, or \"%s\" is a garbage.", w);
	if (cmd_is_ip6_word(w) || c->family == AF_INET6) {
		if (cmd_parse_prefix6(w, r->addr6, &r->plen, NULL))
			return cmd_err(c, -EINVAL, "Error: inet6 prefix is expected rather than \"%s\".", w);
		r->is6 = true;
	} else if (cmd_parse_prefix4(w, &r->addr, &r->plen)) {
		return cmd_err(c, -EINVAL, "Error: any valid prefix is expected rather than \"%s\".", w);
	}
	r->have_addr = true;
	r->have_len = strchr(w, '/') != NULL;
	return 0;
}

static int parse_addr_req(struct cmd_ctx *c, struct addr_req *r, int argc, char **argv)
{
	int rc;

	for (int i = 0; i < argc; i++) {
		rc = parse_addr_word(c, r, argc, argv, &i);
		if (rc)
			return rc;
	}
	if (!r->dev)
		return cmd_err(c, -EINVAL, "Not enough information: \"dev\" argument is required.");
	if (!r->have_addr)
		return cmd_err(c, -EINVAL, "Not enough information: address is required.");
	if (r->opts.label && strncmp(r->opts.label, r->dev->name, strlen(r->dev->name)))
		return cmd_err(c, -EINVAL, "\"%s\" label must match device name", r->opts.label);
	if (r->brd_plus && r->plen < 31)
		r->opts.broadcast = r->addr | (r->plen ? ~(~0u << (32 - r->plen)) : ~0u);
	return 0;
}

static int addr_add(struct cmd_ctx *c, int argc, char **argv)
{
	struct addr_req r = { 0 };
	int rc = parse_addr_req(c, &r, argc, argv);

	if (rc)
		return rc;
	if (r.is6)
		return cmd_addr6_modify(c, r.dev, r.addr6, r.plen, r.have_len, r.flags6, false);
	rc = inet_addr_add(r.dev, r.addr, r.plen, &r.opts);
	if (rc == -EEXIST)
		return cmd_err(c, rc, "Error: ipv4: Address already assigned.");
	if (rc)
		return cmd_rtnl_err(c, rc);
	return 0;
}

static int addr_del(struct cmd_ctx *c, int argc, char **argv)
{
	struct addr_req r = { 0 };
	int rc = parse_addr_req(c, &r, argc, argv);

	if (rc)
		return rc;
	if (r.is6)
		return cmd_addr6_modify(c, r.dev, r.addr6, r.plen, r.have_len, 0, true);
	/* iproute2 without /LEN sends prefix length 32; Linux then matches any */
	rc = inet_addr_del(r.dev, r.addr, r.have_len ? r.plen : 0xff);
	if (rc == -EADDRNOTAVAIL)
		return cmd_err(c, rc, "Error: ipv4: Address not found.");
	if (rc)
		return cmd_rtnl_err(c, rc);
	return 0;
}

/* ip addr flush dev DEV */
static int addr_flush(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *dev;
	struct in_device *idev;

	if (argc > 0 && !strcmp(argv[0], "dev")) {
		argc--;
		argv++;
	}
	if (argc != 1)
		return cmd_err(c, -EINVAL, "Flush requires arguments.");
	dev = cmd_dev(c, argv[0]);
	if (!dev)
		return cmd_err(c, -ENODEV, "Device \"%s\" does not exist.", argv[0]);
	idev = __in_dev_get(dev);
	/* bounded: each deletion removes at least one address */
	for (unsigned int n = 0; idev && !list_empty(&idev->ifa_list) && n <= INET_ADDR_MAX_PER_DEV;
	     n++) {
		struct in_ifaddr *ifa = list_first_entry(&idev->ifa_list, struct in_ifaddr, list);

		inet_addr_del(dev, ifa->ifa_local, ifa->ifa_prefixlen);
	}
	if (c->family != AF_INET)
		cmd_addr6_flush(dev);
	return 0;
}

int cmd_ip_addr(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return addr_show(c, 0, argv);
	if (cmd_matches(argv[0], "show") || cmd_matches(argv[0], "list") || !strcmp(argv[0], "lst")) {
		c->name = "ip addr show";
		return addr_show(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "add")) {
		c->name = "ip addr add";
		return addr_add(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "delete")) {
		c->name = "ip addr del";
		return addr_del(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "flush")) {
		c->name = "ip addr flush";
		return addr_flush(c, argc - 1, argv + 1);
	}
	return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"ip address help\".", argv[0]);
}
