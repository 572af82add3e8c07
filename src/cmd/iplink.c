/* iplink.c - `ip link`: show devices in iproute2's text, brief and JSON
 * shapes (with -s statistics), change them (`set`), create the kinds of
 * device nstack has (veth pairs on the pipe driver, dummy) and delete
 * them. Linux counterparts: iproute2 ip/ipaddress.c and ip/iplink.c,
 * net/core/rtnetlink.c do_setlink. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "nstack/netdev.h"
#include "sched/sch_generic.h"

/* ---- show ------------------------------------------------------------------------- */
/* iproute2's print_link_flags order */
static const struct {
	unsigned int flag;
	const char *name;
} link_flags[] = {
	{ IFF_LOOPBACK, "LOOPBACK" },	{ IFF_BROADCAST, "BROADCAST" },
	{ IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_MULTICAST, "MULTICAST" },
	{ IFF_NOARP, "NOARP" },		{ IFF_ALLMULTI, "ALLMULTI" },
	{ IFF_PROMISC, "PROMISC" },	{ IFF_MASTER, "MASTER" },
	{ IFF_SLAVE, "SLAVE" },		{ IFF_DEBUG, "DEBUG" },
	{ IFF_DYNAMIC, "DYNAMIC" },	{ IFF_AUTOMEDIA, "AUTOMEDIA" },
	{ IFF_PORTSEL, "PORTSEL" },	{ IFF_NOTRAILERS, "NOTRAILERS" },
	{ IFF_UP, "UP" },		{ IFF_LOWER_UP, "LOWER_UP" },
};

/* Linux's dev_get_flags: RUNNING and LOWER_UP reflect carrier while up. */
static unsigned int dev_get_flags(const struct net_device *dev)
{
	unsigned int flags = dev->flags & ~(unsigned int)(IFF_RUNNING | IFF_LOWER_UP);

	if ((dev->flags & IFF_UP) && netif_carrier_ok(dev))
		flags |= IFF_RUNNING | IFF_LOWER_UP;
	return flags;
}

static bool no_carrier(const struct net_device *dev)
{
	return (dev->flags & IFF_UP) && !netif_carrier_ok(dev);
}

const char *cmd_operstate(const struct net_device *dev)
{
	if (!(dev->flags & IFF_UP))
		return "DOWN";
	if (dev->type == ARPHRD_LOOPBACK || dev->type == ARPHRD_NONE)
		return "UNKNOWN";	/* drivers without operstate, like lo and tun */
	return netif_carrier_ok(dev) ? "UP" : "DOWN";
}

static const char *link_type(const struct net_device *dev)
{
	switch (dev->type) {
	case ARPHRD_ETHER:
		return "ether";
	case ARPHRD_LOOPBACK:
		return "loopback";
	case ARPHRD_NONE:
		return "none";
	default:
		return "unknown";
	}
}

static const char *qdisc_name(const struct net_device *dev)
{
	return dev->qdisc ? dev->qdisc->ops->id : "noqueue";
}

static void fmt_lladdr(char *buf, size_t len, const uint8_t *a, unsigned int n)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < n && off + 3 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", a[i]);
}

static void print_flags_text(struct ns_out *o, const struct net_device *dev)
{
	bool first = true;

	ns_out_puts(o, "<");
	if (no_carrier(dev)) {
		ns_out_puts(o, "NO-CARRIER");
		first = false;
	}
	for (size_t i = 0; i < sizeof(link_flags) / sizeof(link_flags[0]); i++) {
		if (dev_get_flags(dev) & link_flags[i].flag) {
			ns_out_printf(o, "%s%s", first ? "" : ",", link_flags[i].name);
			first = false;
		}
	}
	ns_out_puts(o, ">");
}

static unsigned int digits(uint64_t v)
{
	unsigned int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* iproute2's size_columns: a column is as wide as its widest number. */
static void size_columns(unsigned int *cols, const uint64_t *v, int n)
{
	for (int i = 0; i < n; i++)
		if (digits(v[i]) > cols[i])
			cols[i] = digits(v[i]);
}

static void print_row(struct ns_out *o, const unsigned int *cols, const uint64_t *v, int n,
		      bool first_blank)
{
	ns_out_puts(o, "    ");
	for (int i = 0; i < n; i++) {
		if (i == 0 && first_blank)
			ns_out_printf(o, "%*s ", (int)cols[0], "");
		else
			ns_out_printf(o, "%*llu ", (int)cols[i], (unsigned long long)v[i]);
	}
	ns_out_puts(o, "\n");
}

/* print_link_stats64 in iproute2 ip/ipaddress.c */
static void print_stats_text(struct cmd_ctx *c, const struct net_device_stats *s)
{
	struct ns_out *o = c->out;
	unsigned int cols[7] = { 10, 7, 6, 7, 7, 7, 10 };
	const uint64_t rx[7] = { s->rx_bytes, s->rx_packets, s->rx_errors, s->rx_dropped,
				 s->rx_missed_errors, s->multicast, s->rx_compressed };
	const uint64_t rxe[7] = { 0, s->rx_length_errors, s->rx_crc_errors, s->rx_frame_errors,
				  s->rx_fifo_errors, s->rx_over_errors, s->rx_nohandler };
	const uint64_t tx[7] = { s->tx_bytes, s->tx_packets, s->tx_errors, s->tx_dropped,
				 s->tx_carrier_errors, s->collisions, s->tx_compressed };
	const uint64_t txe[6] = { 0, s->tx_aborted_errors, s->tx_fifo_errors, s->tx_window_errors,
				  s->tx_heartbeat_errors, 0 /* carrier changes: not tracked */ };

	size_columns(cols, rx, 7);
	size_columns(cols, tx, 7);
	if (c->stats > 1) {
		size_columns(cols, rxe, 7);
		size_columns(cols, txe, 6);
	}
	ns_out_printf(o, "    RX: %*s %*s %*s %*s %*s %*s %*s\n", (int)cols[0] - 4, "bytes",
		      (int)cols[1], "packets", (int)cols[2], "errors", (int)cols[3], "dropped",
		      (int)cols[4], "missed", (int)cols[5], "mcast", (int)cols[6],
		      s->rx_compressed ? "compressed" : "");
	print_row(o, cols, rx, s->rx_compressed ? 7 : 6, false);
	if (c->stats > 1) {
		ns_out_printf(o, "    RX errors:%*s %*s %*s %*s %*s %*s", (int)cols[0] - 10, "",
			      (int)cols[1], "length", (int)cols[2], "crc", (int)cols[3], "frame",
			      (int)cols[4], "fifo", (int)cols[5], "overrun");
		if (s->rx_nohandler)
			ns_out_printf(o, " %*s", (int)cols[6], "nohandler");
		ns_out_puts(o, "\n");
		print_row(o, cols, rxe, s->rx_nohandler ? 7 : 6, true);
	}
	ns_out_printf(o, "    TX: %*s %*s %*s %*s %*s %*s %*s\n", (int)cols[0] - 4, "bytes",
		      (int)cols[1], "packets", (int)cols[2], "errors", (int)cols[3], "dropped",
		      (int)cols[4], "carrier", (int)cols[5], "collsns", (int)cols[6],
		      s->tx_compressed ? "compressed" : "");
	print_row(o, cols, tx, s->tx_compressed ? 7 : 6, false);
	if (c->stats > 1) {
		ns_out_printf(o, "    TX errors:%*s %*s %*s %*s %*s %*s\n", (int)cols[0] - 10, "",
			      (int)cols[1], "aborted", (int)cols[2], "fifo", (int)cols[3], "window",
			      (int)cols[4], "heartbt", (int)cols[5], "transns");
		print_row(o, cols, txe, 6, true);
	}
}

static void print_stats_json(struct cmd_ctx *c, struct json *j, const struct net_device_stats *s)
{
	json_open(j, "stats64", '{');
	json_open(j, "rx", '{');
	json_u64(j, "bytes", s->rx_bytes);
	json_u64(j, "packets", s->rx_packets);
	json_u64(j, "errors", s->rx_errors);
	json_u64(j, "dropped", s->rx_dropped);
	json_u64(j, "over_errors", s->rx_over_errors);
	json_u64(j, "multicast", s->multicast);
	if (s->rx_compressed)
		json_u64(j, "compressed", s->rx_compressed);
	if (c->stats > 1) {
		json_u64(j, "length_errors", s->rx_length_errors);
		json_u64(j, "crc_errors", s->rx_crc_errors);
		json_u64(j, "frame_errors", s->rx_frame_errors);
		json_u64(j, "fifo_errors", s->rx_fifo_errors);
		json_u64(j, "missed_errors", s->rx_missed_errors);
		if (s->rx_nohandler)
			json_u64(j, "nohandler", s->rx_nohandler);
	}
	json_close(j, '}');
	json_open(j, "tx", '{');
	json_u64(j, "bytes", s->tx_bytes);
	json_u64(j, "packets", s->tx_packets);
	json_u64(j, "errors", s->tx_errors);
	json_u64(j, "dropped", s->tx_dropped);
	json_u64(j, "carrier_errors", s->tx_carrier_errors);
	json_u64(j, "collisions", s->collisions);
	if (s->tx_compressed)
		json_u64(j, "compressed", s->tx_compressed);
	if (c->stats > 1) {
		json_u64(j, "aborted_errors", s->tx_aborted_errors);
		json_u64(j, "fifo_errors", s->tx_fifo_errors);
		json_u64(j, "window_errors", s->tx_window_errors);
		json_u64(j, "heartbeat_errors", s->tx_heartbeat_errors);
		json_u64(j, "carrier_changes", 0);
	}
	json_close(j, '}');
	json_close(j, '}');
}

/* The first line and the link/ line of `ip link` (addr: the `ip addr`
 * variant without "mode DEFAULT", and without the link line under -4). */
void cmd_link_text_head(struct cmd_ctx *c, const struct net_device *dev, bool addr_mode)
{
	struct ns_out *o = c->out;
	char addr[3 * MAX_ADDR_LEN], brd[3 * MAX_ADDR_LEN];

	ns_out_printf(o, "%d: %s: ", dev->ifindex, dev->name);
	print_flags_text(o, dev);
	ns_out_printf(o, " mtu %u qdisc %s ", dev->mtu, qdisc_name(dev));
	if (dev->master)
		ns_out_printf(o, "master %s ", dev->master->name);
	ns_out_printf(o, "state %s %sgroup default qlen %u\n", cmd_operstate(dev),
		      addr_mode ? "" : "mode DEFAULT ", dev->tx_queue_len);
	if (addr_mode && c->family == AF_INET)
		return;
	ns_out_printf(o, "    link/%s ", link_type(dev));
	if (dev->addr_len) {
		fmt_lladdr(addr, sizeof(addr), dev->dev_addr, dev->addr_len);
		fmt_lladdr(brd, sizeof(brd), dev->broadcast, dev->addr_len);
		ns_out_printf(o, "%s brd %s", addr, brd);
	}
	if (c->details)
		ns_out_printf(o, " promiscuity %d minmtu %u maxmtu %u", dev->promiscuity,
			      dev->min_mtu, dev->max_mtu);
	ns_out_puts(o, "\n");
}

static void link_text(struct cmd_ctx *c, const struct net_device *dev)
{
	cmd_link_text_head(c, dev, false);
	if (c->stats)
		print_stats_text(c, &dev->stats);
}

static void link_brief(struct cmd_ctx *c, const struct net_device *dev)
{
	char addr[3 * MAX_ADDR_LEN];

	fmt_lladdr(addr, sizeof(addr), dev->dev_addr, dev->addr_len);
	ns_out_printf(c->out, "%-16s %-14s %s ", dev->name, cmd_operstate(dev), addr);
	print_flags_text(c->out, dev);
	ns_out_puts(c->out, " \n");
}

/* Opens the device's object and writes the fields `ip link -j` and
 * `ip addr -j` share (addr_mode: no "linkmode"); the caller closes it. */
void cmd_link_json_head(struct cmd_ctx *c, struct json *j, const struct net_device *dev,
			bool addr_mode)
{
	char addr[3 * MAX_ADDR_LEN];

	json_open(j, NULL, '{');
	json_u64(j, "ifindex", (uint64_t)dev->ifindex);
	json_str(j, "ifname", dev->name);
	json_open(j, "flags", '[');
	if (no_carrier(dev))
		json_str(j, NULL, "NO-CARRIER");
	for (size_t i = 0; i < sizeof(link_flags) / sizeof(link_flags[0]); i++)
		if (dev_get_flags(dev) & link_flags[i].flag)
			json_str(j, NULL, link_flags[i].name);
	json_close(j, ']');
	json_u64(j, "mtu", dev->mtu);
	json_str(j, "qdisc", qdisc_name(dev));
	if (dev->master)
		json_str(j, "master", dev->master->name);
	json_str(j, "operstate", cmd_operstate(dev));
	if (!addr_mode)
		json_str(j, "linkmode", "DEFAULT");
	json_str(j, "group", "default");
	json_u64(j, "txqlen", dev->tx_queue_len);
	json_str(j, "link_type", link_type(dev));
	if (dev->addr_len) {
		fmt_lladdr(addr, sizeof(addr), dev->dev_addr, dev->addr_len);
		json_str(j, "address", addr);
		fmt_lladdr(addr, sizeof(addr), dev->broadcast, dev->addr_len);
		json_str(j, "broadcast", addr);
	}
	if (c->details) {
		json_u64(j, "promiscuity", (uint64_t)dev->promiscuity);
		json_u64(j, "min_mtu", dev->min_mtu);
		json_u64(j, "max_mtu", dev->max_mtu);
	}
}

static void link_json(struct cmd_ctx *c, struct json *j, const struct net_device *dev)
{
	cmd_link_json_head(c, j, dev, false);
	if (c->stats)
		print_stats_json(c, j, &dev->stats);
	json_close(j, '}');
}

static void link_print(struct cmd_ctx *c, struct json *j, const struct net_device *dev)
{
	if (c->json)
		link_json(c, j, dev);
	else if (c->brief)
		link_brief(c, dev);
	else
		link_text(c, dev);
}

/* ip link show [[dev] DEV] [up] */
static int link_show(struct cmd_ctx *c, int argc, char **argv)
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
		if ((only && dev != only) || (up_only && !(dev->flags & IFF_UP)))
			continue;
		link_print(c, &j, dev);
	}
	if (c->json) {
		json_close(&j, ']');
		ns_out_puts(c->out, "\n");
	}
	return 0;
}

/* ---- set ---------------------------------------------------------------------------- */
struct link_change {
	struct net_device *dev;
	int up;				/* -1 untouched, 0 down, 1 up */
	int promisc;			/* -1, 0, 1 */
	long mtu, txqlen;		/* -1 untouched */
	const char *name;
	bool set_addr;
	uint8_t addr[6];
	const char *master;		/* bridge to join */
	bool nomaster;
};

/* dev_valid_name in Linux net/core/dev.c */
static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
			return false;
	return true;
}

static int on_off(struct cmd_ctx *c, const char *key, const char *v, int *out)
{
	if (v && !strcmp(v, "on"))
		*out = 1;
	else if (v && !strcmp(v, "off"))
		*out = 0;
	else
		return cmd_err(c, -EINVAL, "Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\"",
			       key, v ? v : "");
	return 0;
}

static int set_number(struct cmd_ctx *c, const char *key, const char *v, unsigned long max,
		      long *out)
{
	unsigned long x;

	if (!v || cmd_parse_uint(v, max, &x))
		return cmd_err(c, -EINVAL, "Error: argument \"%s\" is wrong: Invalid \"%s\" value",
			       v ? v : "", key);
	*out = (long)x;
	return 0;
}

/* One keyword of `ip link set`; *i points at it and moves past its value. */
static int parse_set_word(struct cmd_ctx *c, struct link_change *ch, int argc, char **argv,
			  int *i)
{
	const char *w = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!strcmp(w, "up") || !strcmp(w, "down")) {
		ch->up = w[0] == 'u';
		return 0;
	}
	if (!strcmp(w, "nomaster")) {
		ch->nomaster = true;
		return 0;
	}
	(*i)++;
	if (!strcmp(w, "mtu"))
		return set_number(c, "mtu", v, 0x7fffffff, &ch->mtu);
	if (!strcmp(w, "txqueuelen") || !strcmp(w, "txqlen") || !strcmp(w, "qlen"))
		return set_number(c, "txqueuelen", v, 0x7fffffff, &ch->txqlen);
	if (!strcmp(w, "promisc"))
		return on_off(c, w, v, &ch->promisc);
	if (!strcmp(w, "master")) {
		if (!v || !cmd_dev(c, v))
			return cmd_err(c, -ENODEV, "Device \"%s\" does not exist.", v ? v : "");
		ch->master = v;
		return 0;
	}
	if (!strcmp(w, "address")) {
		if (!v || cmd_parse_mac(v, ch->addr))
			return cmd_err(c, -EINVAL, "\"%s\" is invalid lladdr.", v ? v : "");
		ch->set_addr = true;
		return 0;
	}
	if (!strcmp(w, "name")) {
		if (!v || !valid_ifname(v))
			return cmd_err(c, -EINVAL, "\"%s\" is not a valid ifname", v ? v : "");
		ch->name = v;
		return 0;
	}
	(*i)--;
	if (!strcmp(w, "dev"))
		(*i)++, w = v ? v : "";
	if (ch->dev)
		return cmd_err(c, -EINVAL, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.", w);
	ch->dev = cmd_dev(c, w);
	if (!ch->dev)
		return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", w);
	return 0;
}

/* Everything that could fail, checked before anything changes. */
static int check_change(struct cmd_ctx *c, const struct link_change *ch)
{
	struct net_device *dev = ch->dev;

	if (ch->mtu >= 0 && (unsigned long)ch->mtu < dev->min_mtu)
		return cmd_err(c, -EINVAL, "Error: mtu less than device minimum (%u).", dev->min_mtu);
	if (ch->mtu >= 0 && (unsigned long)ch->mtu > dev->max_mtu)
		return cmd_err(c, -EINVAL, "Error: mtu greater than device maximum (%u).", dev->max_mtu);
	if (ch->set_addr && dev->addr_len != 6)
		return cmd_err(c, -EOPNOTSUPP, "%s has no Ethernet address to change", dev->name);
	if (ch->set_addr && (ch->addr[0] & 1))
		return cmd_err(c, -EADDRNOTAVAIL, "%s: a multicast address cannot be a device address",
			       dev->name);
	if (ch->master && ch->nomaster)
		return cmd_err(c, -EINVAL, "\"master\" and \"nomaster\" together");
	if (ch->name && strcmp(ch->name, dev->name) && dev_get_by_name(c->stack, ch->name))
		return cmd_err(c, -EEXIST, "cannot rename %s: \"%s\" exists", dev->name, ch->name);
	if (ch->name && strcmp(ch->name, dev->name) && (dev->flags & IFF_UP))
		return cmd_err(c, -EBUSY, "cannot rename %s while it is up (Device or resource busy)",
			       dev->name);
	return 0;
}

static int apply_change(struct cmd_ctx *c, const struct link_change *ch)
{
	struct net_device *dev = ch->dev;
	int rc = 0;

	if (ch->master || ch->nomaster) {
		/* first: the one change that can still be refused */
		rc = cmd_set_master(c, dev, ch->master);
		if (rc)
			return rc;
	}
	if (ch->name)
		rc = dev_change_name(dev, ch->name);
	if (!rc && ch->set_addr)
		rc = dev_set_mac_address(dev, ch->addr);
	if (!rc && ch->mtu >= 0)
		rc = dev_set_mtu(dev, (unsigned int)ch->mtu);
	if (!rc && ch->txqlen >= 0)
		rc = dev_change_tx_queue_len(dev, (unsigned int)ch->txqlen);
	if (!rc && ch->promisc >= 0 && !!(dev->flags & IFF_PROMISC) != ch->promisc)
		rc = dev_set_promiscuity(dev, ch->promisc ? 1 : -1);
	if (!rc && ch->up == 1)
		rc = dev_open(dev);
	if (!rc && ch->up == 0)
		rc = dev_close(dev);
	if (rc)
		return cmd_err(c, rc, "%s: %s", dev->name, strerror(-rc));
	return 0;
}

static int link_set(struct cmd_ctx *c, int argc, char **argv)
{
	struct link_change ch = { .up = -1, .promisc = -1, .mtu = -1, .txqlen = -1 };
	int rc;

	for (int i = 0; i < argc; i++) {
		rc = parse_set_word(c, &ch, argc, argv, &i);
		if (rc)
			return rc;
	}
	if (!ch.dev)
		return cmd_err(c, -EINVAL, "Not enough information: \"dev\" argument is required.");
	rc = check_change(c, &ch);
	return rc ? rc : apply_change(c, &ch);
}

/* ---- add / delete ------------------------------------------------------------------- */
static int dummy_xmit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;	/* drivers/net/dummy.c: every frame vanishes */
}

static int check_new_name(struct cmd_ctx *c, const char *name)
{
	if (!valid_ifname(name))
		return cmd_err(c, -EINVAL, "\"%s\" is not a valid ifname", name);
	if (!strchr(name, '%') && dev_get_by_name(c->stack, name))
		return cmd_err(c, -EEXIST, "\"%s\" exists (File exists)", name);
	return 0;
}

static int add_veth(struct cmd_ctx *c, const char *name, int argc, char **argv)
{
	const char *peer = "veth%d";
	struct net_device *a, *b;
	int rc;

	if (argc >= 1 && !strcmp(argv[0], "peer")) {
		if (argc == 3 && !strcmp(argv[1], "name"))
			peer = argv[2];
		else if (argc == 2)
			peer = argv[1];
		else
			return cmd_err(c, -EINVAL, "usage: ip link add NAME type veth peer name PEER");
	} else if (argc) {
		return cmd_err(c, -EINVAL, "veth: unknown option \"%s\"", argv[0]);
	}
	rc = check_new_name(c, peer);
	if (!rc && !strcmp(peer, name))
		rc = cmd_err(c, -EEXIST, "peer name \"%s\" is the device's own name", peer);
	if (rc)
		return rc;
	rc = ns_pipe_create(c->stack, name, c->stack, peer, 0, &a, &b);
	if (rc)
		return cmd_err(c, rc, "veth %s: %s", name, strerror(-rc));
	return 0;
}

static int add_dummy(struct cmd_ctx *c, const char *name, int argc, char **argv)
{
	static const struct ns_driver_ops ops = { .xmit = dummy_xmit };

	if (argc)
		return cmd_err(c, -EINVAL, "dummy: unknown option \"%s\"", argv[0]);
	if (!ns_dev_create(c->stack, name, NS_LINK_ETHER, NULL, 1500, &ops, NULL))
		return cmd_err(c, -ENOMEM, "dummy %s: cannot create the device", name);
	return 0;
}

/* Link kinds: built ones have a function, the others name what they wait for. */
static const struct {
	const char *kind;
	int (*add)(struct cmd_ctx *c, const char *name, int argc, char **argv);
	const char *layer;
} link_kinds[] = {
	{ "veth", add_veth, NULL },
	{ "dummy", add_dummy, NULL },
	{ "bridge", cmd_add_bridge, NULL },
	{ "vlan", cmd_add_vlan, NULL },
	{ "macvlan", NULL, "macvlan devices" },
	{ "vxlan", NULL, "VXLAN tunnels" },
};

/* ip link add [name] NAME type KIND [ARGS] */
static int link_add(struct cmd_ctx *c, int argc, char **argv)
{
	const char *name = NULL;
	int i = 0, rc;

	if (i + 1 < argc && !strcmp(argv[i], "link")) {
		c->link = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "name"))
		i++;
	if (i < argc && strcmp(argv[i], "type"))
		name = argv[i++];
	if (!name || i + 1 >= argc || strcmp(argv[i], "type"))
		return cmd_err(c, -EINVAL, "usage: ip link add NAME type TYPE [ARGS]");
	for (size_t k = 0; k < sizeof(link_kinds) / sizeof(link_kinds[0]); k++) {
		if (strcmp(link_kinds[k].kind, argv[i + 1]))
			continue;
		if (!link_kinds[k].add)
			return cmd_err(c, -EOPNOTSUPP, "type %s: %s is not built yet", argv[i + 1],
				       link_kinds[k].layer);
		rc = check_new_name(c, name);
		return rc ? rc : link_kinds[k].add(c, name, argc - i - 2, argv + i + 2);
	}
	return cmd_err(c, -EINVAL, "Error: Unknown device type \"%s\".", argv[i + 1]);
}

/* ip link delete [dev] DEV */
static int link_del(struct cmd_ctx *c, int argc, char **argv)
{
	struct net_device *dev;

	if (argc > 0 && !strcmp(argv[0], "dev")) {
		argc--;
		argv++;
	}
	if (argc != 1)
		return cmd_err(c, -EINVAL, "usage: ip link delete DEV");
	dev = cmd_dev(c, argv[0]);
	if (!dev)
		return cmd_err(c, -ENODEV, "Cannot find device \"%s\"", argv[0]);
	if (dev == c->stack->loopback_dev)
		return cmd_err(c, -EOPNOTSUPP, "the loopback device cannot be deleted");
	ns_dev_destroy(dev);
	return 0;
}

int cmd_ip_link(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return link_show(c, 0, argv);
	if (cmd_matches(argv[0], "show") || cmd_matches(argv[0], "list") || !strcmp(argv[0], "lst")) {
		c->name = "ip link show";
		return link_show(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "set")) {
		c->name = "ip link set";
		return link_set(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "add")) {
		c->name = "ip link add";
		return link_add(c, argc - 1, argv + 1);
	}
	if (cmd_matches(argv[0], "delete")) {
		c->name = "ip link delete";
		return link_del(c, argc - 1, argv + 1);
	}
	return cmd_err(c, -EINVAL, "Command \"%s\" is unknown, try \"ip link help\".", argv[0]);
}
