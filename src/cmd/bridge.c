/* bridge.c - iproute2's `bridge` command (link, fdb, vlan) and the bridge
 * and VLAN kinds of `ip link add`, with iproute2's text and JSON shapes.
 * Linux counterparts: iproute2 bridge/link.c, fdb.c, vlan.c,
 * ip/iplink_bridge.c, ip/iplink_vlan.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "bridge/br_private.h"
#include "8021q/if_vlan.h"

static void fmt_mac(char *buf, const uint8_t *a)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int parse_bool01(struct cmd_ctx *c, const char *key, const char *v, bool *out)
{
	unsigned long x;

	if (!v || cmd_parse_uint(v, 1, &x))
		return cmd_err(c, -EINVAL, "Error: argument of \"%s\" must be 0 or 1", key);
	*out = x;
	return 0;
}

/* ip link add NAME type bridge [stp_state 0|1] [vlan_filtering 0|1]
 *   [ageing_time CENTISECONDS] [fdb_max_learned N] */
int cmd_add_bridge(struct cmd_ctx *c, const char *name, int argc, char **argv)
{
	bool stp = false, vf = false;
	unsigned long ageing = 30000, maxl = BR_FDB_MAX_DEFAULT;
	struct net_bridge *br;
	int rc = 0;

	for (int i = 0; i < argc && !rc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "stp_state"))
			rc = parse_bool01(c, argv[i], v, &stp);
		else if (!strcmp(argv[i], "vlan_filtering"))
			rc = parse_bool01(c, argv[i], v, &vf);
		else if (!strcmp(argv[i], "ageing_time") && v && !cmd_parse_uint(v, 100000000, &ageing))
			continue;
		else if (!strcmp(argv[i], "fdb_max_learned") && v && !cmd_parse_uint(v, 1 << 24, &maxl))
			continue;
		else
			rc = cmd_err(c, -EINVAL, "bridge: unknown option or bad value \"%s\"", argv[i]);
	}
	if (rc)
		return rc;
	br = br_add_bridge(c->stack, name, &rc);
	if (!br)
		return cmd_err(c, rc, "bridge %s: %s", name, strerror(-rc));
	br->ageing_time = ageing * NS_PER_CS;
	br->fdb_max_entries = (unsigned int)maxl;
	br->vlan_enabled = vf;
	br_stp_set_enabled(br, stp);
	return 0;
}

/* ip link add link DEV name NAME type vlan id N */
int cmd_add_vlan(struct cmd_ctx *c, const char *name, int argc, char **argv)
{
	struct net_device *real;
	unsigned long id;
	int rc = 0;

	if (!c->link)
		return cmd_err(c, -EINVAL, "Error: 'link' must be specified for a vlan device");
	real = cmd_dev(c, c->link);
	if (!real)
		return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", c->link);
	if (argc != 2 || strcmp(argv[0], "id") || cmd_parse_uint(argv[1], 4094, &id) || id == 0)
		return cmd_err(c, -EINVAL, "usage: ip link add link DEV name NAME type vlan id 1-4094");
	if (!vlan_dev_create(real, (uint16_t)id, name, &rc))
		return cmd_err(c, rc, "vlan %s: %s", name,
			       rc == -EEXIST ? "VLAN id already in use on that device" : strerror(-rc));
	return 0;
}

/* ip link set DEV master BR | nomaster */
int cmd_set_master(struct cmd_ctx *c, struct net_device *dev, const char *master)
{
	struct net_bridge *br;
	int rc;

	if (!master) {
		if (!dev->master)
			return 0;
		br = br_from_dev(dev->master);
		return br ? br_del_if(br, dev) : 0;
	}
	br = br_from_dev(cmd_dev(c, master));
	if (!br)
		return cmd_err(c, -EINVAL, "\"%s\" is not a bridge", master);
	if (dev->master == br->dev)
		return 0;
	if (dev->master)
		br_del_if(br_from_dev(dev->master), dev);
	rc = br_add_if(br, dev);
	if (rc)
		return cmd_err(c, rc, "cannot enslave %s to %s: %s", dev->name, master,
			       rc == -ELOOP ? "a bridge cannot be a port" : strerror(-rc));
	return 0;
}

/* ---- bridge link ---------------------------------------------------------------------- */
static int bridge_link(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *dev;
	struct json j;

	if (argc && !cmd_matches(argv[0], "show"))
		return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"bridge link help\".", argv[0]);
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	for_each_netdev(c->stack, dev) {
		struct net_bridge_port *p = br_port_get(dev);

		if (!p)
			continue;
		if (c->json) {
			json_open(&j, NULL, '{');
			json_u64(&j, "ifindex", (uint64_t)dev->ifindex);
			json_str(&j, "ifname", dev->name);
			json_u64(&j, "mtu", dev->mtu);
			json_str(&j, "master", p->br->dev->name);
			json_str(&j, "state", br_port_state_names[p->state]);
			json_u64(&j, "priority", p->priority);
			json_u64(&j, "cost", p->path_cost);
			if (c->details)
				json_str(&j, "role", br_port_role(p));
			json_close(&j, '}');
		} else {
			ns_out_printf(c->out, "%d: %s: <%s> mtu %u master %s state %s priority %u cost %u %s\n",
				      dev->ifindex, dev->name, (dev->flags & IFF_UP) ? "UP" : "DOWN",
				      dev->mtu, p->br->dev->name, br_port_state_names[p->state],
				      p->priority, p->path_cost, c->details ? br_port_role(p) : "");
		}
	}
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

/* ---- bridge fdb ---------------------------------------------------------------------- */
static const char *fdb_state(const struct net_bridge_fdb_entry *f)
{
	if (f->flags & BR_FDB_LOCAL)
		return "permanent";
	return (f->flags & BR_FDB_STATIC) ? "static" : "";
}

static void fdb_print(struct cmd_ctx *c, struct json *j, const struct net_bridge *br,
		      const struct net_bridge_fdb_entry *f)
{
	const char *ifname = f->dst ? f->dst->dev->name : br->dev->name;
	char mac[18];

	fmt_mac(mac, f->addr);
	if (c->json) {
		json_open(j, NULL, '{');
		json_str(j, "mac", mac);
		json_str(j, "ifname", ifname);
		if (f->vid)
			json_u64(j, "vlan", f->vid);
		json_open(j, "flags", '[');
		json_close(j, ']');
		json_str(j, "master", br->dev->name);
		json_str(j, "state", fdb_state(f));
		json_close(j, '}');
		return;
	}
	ns_out_printf(c->out, "%s dev %s ", mac, ifname);
	if (f->vid)
		ns_out_printf(c->out, "vlan %u ", f->vid);
	ns_out_printf(c->out, "master %s %s\n", br->dev->name, fdb_state(f));
}

static int fdb_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *only_br = NULL, *only_dev = NULL;
	struct net_bridge *br;
	struct net_bridge_fdb_entry *f;
	struct json j;

	for (int i = 0; i + 1 < argc; i += 2) {
		struct net_device *d = cmd_dev(c, argv[i + 1]);

		if (!d)
			return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", argv[i + 1]);
		if (!strcmp(argv[i], "br"))
			only_br = d;
		else if (!strcmp(argv[i], "dev"))
			only_dev = d;
		else
			return cmd_err(c, -EINVAL, "unknown argument \"%s\"", argv[i]);
	}
	if (argc % 2)
		return cmd_err(c, -EINVAL, "usage: bridge fdb show [br BR] [dev DEV]");
	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	list_for_each_entry(br, &c->stack->br->bridges, br_list) {
		if (only_br && only_br != br->dev)
			continue;
		br_fdb_for_each(br, f, i) {
			if (only_dev && (f->dst ? f->dst->dev : br->dev) != only_dev)
				continue;
			fdb_print(c, &j, br, f);
		}
	}
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

struct fdb_req {
	uint8_t mac[6];
	struct net_device *dev;
	unsigned long vid;
	uint8_t flags;
};

static int fdb_parse(struct cmd_ctx *c, int argc, char **argv, struct fdb_req *r)
{
	if (argc < 1 || cmd_parse_mac(argv[0], r->mac))
		return cmd_err(c, -EINVAL, "usage: bridge fdb add|del LLADDR dev DEV [vlan VID] [static|permanent]");
	r->flags = BR_FDB_LOCAL | BR_FDB_STATIC;	/* iproute2's default: permanent */
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "dev") && v) {
			r->dev = cmd_dev(c, v);
			if (!r->dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
			i++;
		} else if (!strcmp(argv[i], "vlan") && v && !cmd_parse_uint(v, 4094, &r->vid)) {
			i++;
		} else if (!strcmp(argv[i], "static")) {
			r->flags = BR_FDB_STATIC;
		} else if (!strcmp(argv[i], "permanent") || !strcmp(argv[i], "local")) {
			r->flags = BR_FDB_LOCAL | BR_FDB_STATIC;
		} else if (!strcmp(argv[i], "dynamic")) {
			r->flags = 0;
		} else if (strcmp(argv[i], "master")) {
			return cmd_err(c, -EINVAL, "unknown argument \"%s\"", argv[i]);
		}
	}
	if (!r->dev)
		return cmd_err(c, -EINVAL, "dev is required");
	return 0;
}

static int fdb_modify(struct cmd_ctx *c, int argc, char **argv, bool add)
{
	struct fdb_req r = { 0 };
	struct net_bridge_port *p;
	struct net_bridge *br;
	int rc = fdb_parse(c, argc, argv, &r);

	if (rc)
		return rc;
	p = br_port_get(r.dev);
	br = p ? p->br : br_from_dev(r.dev);
	if (!br)
		return cmd_err(c, -EINVAL, "%s is neither a bridge nor a bridge port", r.dev->name);
	if (add) {
		rc = br_fdb_add(br, p, r.mac, (uint16_t)r.vid, (uint8_t)(r.flags | BR_FDB_ADDED_BY_USER));
		if (!rc && !r.flags && br->fdb_n_learned > br->fdb_max_entries)
			rc = -ENOSPC;
	} else {
		rc = br_fdb_delete(br, p, r.mac, (uint16_t)r.vid);
	}
	if (rc)
		return cmd_err(c, rc, "RTNETLINK answers: %s", strerror(-rc));
	return 0;
}

static int bridge_fdb(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0 || cmd_matches(argv[0], "show") || cmd_matches(argv[0], "list"))
		return fdb_show(c, argc ? argc - 1 : 0, argv + 1);
	if (cmd_matches(argv[0], "add") || !strcmp(argv[0], "replace"))
		return fdb_modify(c, argc - 1, argv + 1, true);
	if (cmd_matches(argv[0], "delete"))
		return fdb_modify(c, argc - 1, argv + 1, false);
	return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"bridge fdb help\".", argv[0]);
}

/* ---- bridge vlan ---------------------------------------------------------------------- */
static struct net_bridge_vlan_group *vlan_group(struct net_device *dev, struct net_bridge **brp)
{
	struct net_bridge_port *p = br_port_get(dev);
	struct net_bridge *br = br_from_dev(dev);

	if (p) {
		*brp = p->br;
		return &p->vlans;
	}
	*brp = br;
	return br ? &br->vlans : NULL;
}

static void vlan_show_dev(struct cmd_ctx *c, struct json *j, struct net_device *dev,
			  const struct net_bridge_vlan_group *vg)
{
	bool first = true;

	if (c->json) {
		json_open(j, NULL, '{');
		json_str(j, "ifname", dev->name);
		json_open(j, "vlans", '[');
	}
	for (uint16_t vid = 1; vid < VLAN_VID_RESERVED; vid++) {
		bool pvid = vg->pvid == vid, untagged = br_vlan_test(vg->untagged, vid);

		if (!br_vlan_test(vg->member, vid))
			continue;
		if (c->json) {
			json_open(j, NULL, '{');
			json_u64(j, "vlan", vid);
			if (pvid || untagged) {
				json_open(j, "flags", '[');
				if (pvid)
					json_str(j, NULL, "PVID");
				if (untagged)
					json_str(j, NULL, "Egress Untagged");
				json_close(j, ']');
			}
			json_close(j, '}');
			continue;
		}
		ns_out_printf(c->out, "%-16s  %u%s%s\n", first ? dev->name : "", vid,
			      pvid ? " PVID" : "", untagged ? " Egress Untagged" : "");
		first = false;
	}
	if (c->json) {
		json_close(j, ']');
		json_close(j, '}');
	}
}

static int vlan_show(struct cmd_ctx *c)
{
	struct net_device *dev;
	struct net_bridge *br;
	struct json j;

	json_init(&j, c->out);
	if (c->json)
		json_open(&j, NULL, '[');
	else
		ns_out_puts(c->out, "port              vlan-id  \n");
	for_each_netdev(c->stack, dev) {
		struct net_bridge_vlan_group *vg = vlan_group(dev, &br);

		if (vg)
			vlan_show_dev(c, &j, dev, vg);
	}
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

/* bridge vlan add|del dev DEV vid N [pvid] [untagged] [self] [master] */
static int vlan_modify(struct cmd_ctx *c, int argc, char **argv, bool add)
{
	struct net_device *dev = NULL;
	struct net_bridge_vlan_group *vg;
	struct net_bridge *br;
	unsigned long vid = 0;
	unsigned int flags = 0;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "dev") && v) {
			dev = cmd_dev(c, v);
			if (!dev)
				return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", v);
			i++;
		} else if (!strcmp(argv[i], "vid") && v) {
			if (cmd_parse_uint(v, 4094, &vid) || vid == 0)
				return cmd_err(c, -EINVAL, "invalid VLAN id \"%s\"", v);
			i++;
		} else if (!strcmp(argv[i], "pvid")) {
			flags |= BRIDGE_VLAN_INFO_PVID;
		} else if (!strcmp(argv[i], "untagged")) {
			flags |= BRIDGE_VLAN_INFO_UNTAGGED;
		} else if (strcmp(argv[i], "self") && strcmp(argv[i], "master")) {
			return cmd_err(c, -EINVAL, "unknown argument \"%s\"", argv[i]);
		}
	}
	if (!dev || !vid)
		return cmd_err(c, -EINVAL, "usage: bridge vlan add|del dev DEV vid VID [pvid] [untagged] [self]");
	vg = vlan_group(dev, &br);
	if (!vg)
		return cmd_err(c, -EOPNOTSUPP, "%s is neither a bridge nor a bridge port", dev->name);
	rc = add ? br_vlan_add(vg, (uint16_t)vid, flags) : br_vlan_del(vg, (uint16_t)vid);
	if (rc)
		return cmd_err(c, rc, "RTNETLINK answers: %s", strerror(-rc));
	return 0;
}

static int bridge_vlan(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0 || cmd_matches(argv[0], "show") || cmd_matches(argv[0], "list"))
		return vlan_show(c);
	if (cmd_matches(argv[0], "add"))
		return vlan_modify(c, argc - 1, argv + 1, true);
	if (cmd_matches(argv[0], "delete"))
		return vlan_modify(c, argc - 1, argv + 1, false);
	return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"bridge vlan help\".", argv[0]);
}

int cmd_bridge_link(struct cmd_ctx *c, int argc, char **argv)
{
	return bridge_link(c, argc, argv);
}
int cmd_bridge_fdb(struct cmd_ctx *c, int argc, char **argv)
{
	return bridge_fdb(c, argc, argv);
}
int cmd_bridge_vlan(struct cmd_ctx *c, int argc, char **argv)
{
	return bridge_vlan(c, argc, argv);
}
