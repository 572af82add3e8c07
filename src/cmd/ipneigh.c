/* ipneigh.c - `ip neigh`: show the ARP entries of the neighbour cache in
 * iproute2's text and JSON shapes, add/replace/change/delete static and
 * administrative entries, flush a device's dynamic ones. Linux
 * counterparts: iproute2 ip/ipneigh.c, net/core/neighbour.c neigh_add. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include "cmd/cmd.h"
#include "core/neighbour.h"
#include "ethernet/arp.h"
#include "ipv6/ipv6.h"
#include "wire/wire.h"

struct neigh_walk {
	struct cmd_ctx *c;
	struct json *j;
	struct net_device *dev;	/* NULL: all */
	uint8_t states;		/* shown / flushed NUD_* (0: every state) */
	uint32_t *keys;		/* flush: collected entries */
	struct net_device **devs;
	unsigned int n, cap;
};

static bool neigh_selected(const struct neigh_walk *w, const struct neighbour *n)
{
	if (w->dev && n->dev != w->dev)
		return false;
	return !w->states || (n->nud_state & w->states);
}

static void fmt_ha(char *buf, size_t len, const struct neighbour *n)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < n->dev->addr_len && off + 3 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", n->ha[i]);
}

/* iproute2's print_neigh: dst, dev, lladdr (when valid), state */
static void neigh_show_one(struct neighbour *n, void *ctx)
{
	struct neigh_walk *w = ctx;
	struct cmd_ctx *c = w->c;
	char ip[64], ha[3 * MAX_ADDR_LEN + 1] = "";
	bool has_ha = (n->nud_state & NUD_VALID) && n->dev->addr_len;

	if (!neigh_selected(w, n))
		return;
	if (n->tbl->key_len == 16)
		ipv6_addr_fmt(n->primary_key, ip, sizeof(ip));
	else
		cmd_fmt_ip4(ip, sizeof(ip), get_be32(n->primary_key));
	if (has_ha)
		fmt_ha(ha, sizeof(ha), n);
	if (c->json) {
		json_open(w->j, NULL, '{');
		json_str(w->j, "dst", ip);
		json_str(w->j, "dev", n->dev->name);
		if (has_ha)
			json_str(w->j, "lladdr", ha);
		json_open(w->j, "state", '[');
		json_str(w->j, NULL, neigh_state_name(n->nud_state));
		json_close(w->j, ']');
		json_close(w->j, '}');
		return;
	}
	ns_out_printf(c->out, "%s dev %s ", ip, n->dev->name);
	if (has_ha)
		ns_out_printf(c->out, "lladdr %s ", ha);
	ns_out_printf(c->out, "%s \n", neigh_state_name(n->nud_state));
}

static int parse_nud(const char *s, uint8_t *state)
{
	static const struct {
		const char *name;
		uint8_t state;
	} nuds[] = {
		{ "permanent", NUD_PERMANENT }, { "reachable", NUD_REACHABLE },
		{ "stale", NUD_STALE },		{ "noarp", NUD_NOARP },
		{ "delay", NUD_DELAY },		{ "probe", NUD_PROBE },
		{ "failed", NUD_FAILED },	{ "incomplete", NUD_INCOMPLETE },
		{ "none", NUD_NONE },		{ "all", 0xff },
	};

	for (size_t i = 0; i < sizeof(nuds) / sizeof(nuds[0]); i++) {
		if (!strcmp(s, nuds[i].name)) {
			*state = nuds[i].state;
			return 0;
		}
	}
	return -EINVAL;
}

/* show/flush selectors: [dev DEV] [nud STATE] */
static int parse_select(struct cmd_ctx *c, struct neigh_walk *w, int argc, char **argv)
{
	for (int i = 0; i < argc; i += 2) {	/* word, value */
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint8_t st;

		if (!v)
			return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
		if (!strcmp(argv[i], "dev")) {
			w->dev = cmd_dev(c, v);
			if (!w->dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
		} else if (!strcmp(argv[i], "nud")) {
			if (parse_nud(v, &st))
				return cmd_err(c, -EINVAL, "nud state \"%s\" is unknown", v);
			w->states |= st;
		} else {
			return cmd_err(c, -EINVAL, "Error: either \"to\" is duplicate, or \"%s\" is a garbage.",
				       argv[i]);
		}
	}
	return 0;
}

static int neigh_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct json j;
	struct neigh_walk w = { .c = c, .j = &j };
	int rc = parse_select(c, &w, argc, argv);

	if (rc)
		return rc;
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	if (c->family != AF_INET6)
		neigh_for_each(arp_table(c->stack), neigh_show_one, &w);
	if (c->family != AF_INET && cmd_nd_table(c))
		neigh_for_each(cmd_nd_table(c), neigh_show_one, &w);
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

static void neigh_collect(struct neighbour *n, void *ctx)
{
	struct neigh_walk *w = ctx;

	if (!neigh_selected(w, n) || w->n >= w->cap)
		return;
	w->keys[w->n] = get_be32(n->primary_key);
	w->devs[w->n++] = n->dev;
}

/* ip neigh flush dev DEV [nud STATE]: permanent and noarp entries stay
 * unless asked for (iproute2's default filter for flush). */
static int neigh_flush(struct cmd_ctx *c, int argc, char **argv)
{
	struct neigh_table *tbl = arp_table(c->stack);
	struct neigh_walk w = { .c = c };
	int rc;

	if (argc == 0)
		return cmd_err(c, -EINVAL, "Flush requires arguments.");
	rc = parse_select(c, &w, argc, argv);
	if (rc)
		return rc;
	if (!w.states)
		w.states = (uint8_t) ~(NUD_PERMANENT | NUD_NOARP);
	w.cap = tbl->entries;
	w.keys = calloc(w.cap + 1, sizeof(*w.keys));
	w.devs = calloc(w.cap + 1, sizeof(*w.devs));
	if (!w.keys || !w.devs) {
		free(w.keys);
		free(w.devs);
		return cmd_err(c, -ENOMEM, "out of memory");
	}
	neigh_for_each(tbl, neigh_collect, &w);
	for (unsigned int i = 0; i < w.n; i++)
		arp_neigh_del(w.devs[i], w.keys[i]);
	free(w.keys);
	free(w.devs);
	return 0;
}

/* ip neigh add|replace|change|del ADDR [lladdr MAC] dev DEV [nud STATE] */
static int neigh_modify(struct cmd_ctx *c, int argc, char **argv, unsigned int nlflags, bool del)
{
	struct net_device *dev = NULL;
	uint8_t state = NUD_PERMANENT, mac[6];
	bool have_mac = false, have_ip = false, is6 = false;
	uint32_t ip = 0;
	uint8_t ip6[16], *key = NULL;
	struct neigh_table *tbl;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "lladdr") || !strcmp(w, "dev") || !strcmp(w, "nud")) {
			if (!v)
				return cmd_err(c, -EINVAL, "Command line is not complete. Try option \"help\"");
			i++;
		}
		if (!strcmp(w, "lladdr")) {
			if (cmd_parse_mac(v, mac))
				return cmd_err(c, -EINVAL, "\"%s\" is invalid lladdr.", v);
			have_mac = true;
		} else if (!strcmp(w, "dev")) {
			dev = cmd_dev(c, v);
			if (!dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
		} else if (!strcmp(w, "nud")) {
			if (parse_nud(v, &state) || !(state & (NUD_PERMANENT | NUD_REACHABLE |
							       NUD_STALE | NUD_NOARP)) || state == 0xff)
				return cmd_err(c, -EINVAL, "nud state \"%s\" is unknown", v);
		} else {
			if (!strcmp(w, "to") && v)
				w = argv[++i];
			is6 = cmd_is_ip6_word(w) || c->family == AF_INET6;
			if (have_ip || (is6 ? ipv6_addr_parse(w, ip6) != 0 : cmd_parse_ip4(w, &ip) != 0))
				return cmd_err(c, -EINVAL, "Error: inet address is expected rather than \"%s\".", w);
			have_ip = true;
		}
	}
	if (!dev || !have_ip)
		return cmd_err(c, -EINVAL, "Device and destination are required arguments.");
	if (is6) {
		/* the same rules on the NDP table (16-byte keys) */
		tbl = cmd_nd_table(c);
		key = ip6;
		if (!tbl)
			return cmd_rtnl_err(c, -EAFNOSUPPORT);
		if (del) {
			rc = neigh_delete(tbl, key, dev);
			return rc ? cmd_rtnl_err(c, rc) : 0;
		}
		if (dev->addr_len && !have_mac && !(state & NUD_NOARP))
			return cmd_rtnl_err(c, -EINVAL);
		if ((nlflags & NLM_F_EXCL) && neigh_lookup(tbl, key, dev))
			return cmd_rtnl_err(c, -EEXIST);
		if (!(nlflags & NLM_F_CREATE) && !neigh_lookup(tbl, key, dev))
			return cmd_rtnl_err(c, -ENOENT);
		rc = neigh_add(tbl, key, dev, have_mac ? mac : NULL, state);
		return rc ? cmd_rtnl_err(c, rc) : 0;
	}
	if (del) {
		rc = arp_neigh_del(dev, ip);
		return rc ? cmd_rtnl_err(c, rc) : 0;
	}
	if (dev->addr_len && !have_mac && !(state & NUD_NOARP))
		return cmd_rtnl_err(c, -EINVAL);
	if (have_mac && dev->addr_len != 6)
		return cmd_rtnl_err(c, -EINVAL);
	if ((nlflags & NLM_F_EXCL) && arp_neigh_lookup(dev, ip))
		return cmd_rtnl_err(c, -EEXIST);
	if (!(nlflags & NLM_F_CREATE) && !arp_neigh_lookup(dev, ip))
		return cmd_rtnl_err(c, -ENOENT);
	rc = arp_neigh_add(dev, ip, have_mac ? mac : NULL, state);
	return rc ? cmd_rtnl_err(c, rc) : 0;
}

int cmd_ip_neigh(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return neigh_show(c, 0, argv);
	if (cmd_matches(argv[0], "show") || cmd_matches(argv[0], "list") || !strcmp(argv[0], "lst")) {
		c->name = "ip neigh show";
		return neigh_show(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "flush")) {
		c->name = "ip neigh flush";
		return neigh_flush(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "add")) {
		c->name = "ip neigh add";
		return neigh_modify(c, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_EXCL, false);
	}
	if (cmd_matches(argv[0], "replace")) {
		c->name = "ip neigh replace";
		return neigh_modify(c, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_REPLACE, false);
	}
	if (cmd_matches(argv[0], "change")) {
		c->name = "ip neigh change";
		return neigh_modify(c, argc - 1, argv + 1, NLM_F_REPLACE, false);
	}
	if (cmd_matches(argv[0], "delete")) {
		c->name = "ip neigh del";
		return neigh_modify(c, argc - 1, argv + 1, 0, true);
	}
	return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"ip neigh help\".", argv[0]);
}
