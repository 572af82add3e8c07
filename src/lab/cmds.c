/* cmds.c - commands the lab answers itself while the command engine
 * (src/cmd) does not have them yet: `ip addr add`, `ip route add`,
 * `ip neigh show`, and the dispatch to ping, serve and curl. ns_exec always
 * gets the first try (lab.c), so each of these steps aside by itself the
 * day the engine builds the real one. Also the per-node `summary`. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/netdevice.h"
#include "core/stack.h"
#include "ipv4/devinet.h"
#include "ipv4/fib.h"
#include "ipv4/route.h"
#include "lab/lab.h"
#include "sched/sch_generic.h"

int lab_parse_ip4(const char *s, uint32_t *addr)
{
	unsigned int b[4];
	char tail;

	if (sscanf(s, "%3u.%3u.%3u.%3u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4 || b[0] > 255 ||
	    b[1] > 255 || b[2] > 255 || b[3] > 255)
		return -EINVAL;
	*addr = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return 0;
}

static int parse_prefix(const char *s, uint32_t *addr, unsigned int *plen)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	unsigned long l = 32;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	if (slash) {
		buf[slash - s] = 0;
		if (cmd_parse_uint(slash + 1, 32, &l))
			return -EINVAL;
	}
	if (lab_parse_ip4(buf, addr))
		return -EINVAL;
	*plen = (unsigned int)l;
	return 0;
}

/* ip addr add A/LEN dev DEV */
static int fb_addr_add(struct ns_lab *lab, struct lab_node *n, int argc, char **argv)
{
	struct net_device *dev;
	unsigned int plen;
	uint32_t addr;
	int rc;

	if (argc != 3 || strcmp(argv[1], "dev"))
		return lab_err(lab, -EINVAL, "%s: ip addr: usage: ip addr add A/LEN dev DEV", n->name);
	if (parse_prefix(argv[0], &addr, &plen))
		return lab_err(lab, -EINVAL, "%s: ip addr: bad address \"%s\"", n->name, argv[0]);
	dev = dev_get_by_name(n->stack, argv[2]);
	if (!dev)
		return lab_err(lab, -ENODEV, "%s: ip addr: Cannot find device \"%s\"", n->name,
			       argv[2]);
	rc = inet_addr_add(dev, addr, plen, NULL);
	if (rc)
		return lab_err(lab, rc, "%s: ip addr: %s", n->name, strerror(-rc));
	return 0;
}

static const struct {
	const char *word;
	uint8_t type;
} route_types[] = { { "unreachable", RTN_UNREACHABLE }, { "prohibit", RTN_PROHIBIT },
		    { "blackhole", RTN_BLACKHOLE } };

/* ip route add [TYPE] PREFIX|default [via GW] [dev DEV] */
static int fb_route_add(struct ns_lab *lab, struct lab_node *n, int argc, char **argv)
{
	struct fib_route r = { .type = RTN_UNICAST, .protocol = RTPROT_BOOT };
	unsigned int plen = 0;
	int i = 0, rc;

	for (size_t t = 0; argc > 0 && t < sizeof(route_types) / sizeof(route_types[0]); t++)
		if (!strcmp(argv[0], route_types[t].word)) {
			r.type = route_types[t].type;
			i = 1;
		}
	if (i >= argc)
		return lab_err(lab, -EINVAL, "%s: ip route: usage: ip route add PREFIX via GW", n->name);
	if (strcmp(argv[i], "default") && parse_prefix(argv[i], &r.dst, &plen))
		return lab_err(lab, -EINVAL, "%s: ip route: bad prefix \"%s\"", n->name, argv[i]);
	r.dst_len = (uint8_t)plen;
	for (i++; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "via") && !lab_parse_ip4(argv[i + 1], &r.gateway))
			continue;
		if (!strcmp(argv[i], "dev") && dev_get_by_name(n->stack, argv[i + 1])) {
			r.oif = dev_get_by_name(n->stack, argv[i + 1])->ifindex;
			continue;
		}
		return lab_err(lab, -EINVAL, "%s: ip route: bad \"%s %s\"", n->name, argv[i],
			       argv[i + 1]);
	}
	if (i != argc)
		return lab_err(lab, -EINVAL, "%s: ip route: \"%s\" needs a value", n->name, argv[i]);
	if (r.gateway && !r.oif) {
		const struct fib_route *gw = fib_lookup(n->stack, r.gateway);

		if (!gw || !gw->oif)
			return lab_err(lab, -ENETUNREACH, "%s: ip route: Nexthop has invalid gateway",
				       n->name);
		r.oif = gw->oif;
	}
	if (r.type == RTN_UNICAST && !r.gateway)
		r.scope = RT_SCOPE_LINK;
	rc = fib_table_insert(fib_get_table(n->stack, RT_TABLE_MAIN), &r, NLM_F_CREATE | NLM_F_EXCL);
	if (rc)
		return lab_err(lab, rc, "%s: ip route: %s", n->name, strerror(-rc));
	return 0;
}

/* ip neigh [show]: /proc/net/arp in iproute2's shape */
static int fb_neigh_show(struct ns_lab *lab, struct lab_node *n)
{
	char *txt = ns_proc_read(n->stack, "/proc/net/arp", NULL), *save = NULL, *line;

	if (!txt)
		return lab_err(lab, -ENOENT, "%s: ip neigh: no ARP table", n->name);
	line = strtok_r(txt, "\n", &save);	/* header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		char ip[32], hw[32], mask[32], dev[32];
		unsigned int type, flags;

		if (sscanf(line, "%31s 0x%x 0x%x %31s %31s %31s", ip, &type, &flags, hw, mask, dev) != 6)
			continue;
		lab_printf(lab, "%s dev %s lladdr %s %s\n", ip, dev, hw,
			   flags & 0x4 ? "PERMANENT" : flags & 0x2 ? "REACHABLE" : "INCOMPLETE");
	}
	free(txt);
	return 0;
}

static int fb_ip(struct ns_lab *lab, struct lab_node *n, int argc, char **argv)
{
	if (argc >= 2 && cmd_matches(argv[0], "address") && !strcmp(argv[1], "add"))
		return fb_addr_add(lab, n, argc - 2, argv + 2);
	if (argc >= 2 && cmd_matches(argv[0], "route") && !strcmp(argv[1], "add"))
		return fb_route_add(lab, n, argc - 2, argv + 2);
	if (argc >= 1 && (cmd_matches(argv[0], "neighbour") || cmd_matches(argv[0], "neighbor")) &&
	    (argc == 1 || cmd_matches(argv[1], "show")))
		return fb_neigh_show(lab, n);
	return -ENOENT;
}

int lab_fallback_exec(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		      struct lab_job **job)
{
	if (!strcmp(argv[0], "ip"))
		return fb_ip(lab, n, argc - 1, argv + 1);
	if (!strcmp(argv[0], "ping"))
		return lab_cmd_ping(lab, n, argc, argv, job);
	if (!strcmp(argv[0], "serve"))
		return lab_cmd_serve(lab, n, argc, argv, job);
	if (!strcmp(argv[0], "curl"))
		return lab_cmd_curl(lab, n, argc, argv, job);
	return -ENOENT;
}

/* ---- summary ---- */
/* "Name: v v v" lines of /proc/net/snmp: print name=value for the chosen keys */
static void snmp_line(struct ns_lab *lab, struct lab_node *n, const char *prefix,
		      const char *const *keys)
{
	char *txt = ns_proc_read(n->stack, "/proc/net/snmp", NULL), *save = NULL, *line;
	char *hdr = NULL, *val = NULL;
	size_t plen = strlen(prefix);

	if (!txt)
		return;
	for (line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, prefix, plen) || line[plen] != ':')
			continue;
		if (!hdr)
			hdr = line;
		else if (!val)
			val = line;
	}
	if (hdr && val) {
		char *hs = NULL, *vs = NULL;
		char *h = strtok_r(hdr + plen + 1, " ", &hs), *v = strtok_r(val + plen + 1, " ", &vs);

		lab_printf(lab, "  %-4s", prefix);
		for (; h && v; h = strtok_r(NULL, " ", &hs), v = strtok_r(NULL, " ", &vs))
			for (const char *const *k = keys; *k; k++)
				if (!strcmp(*k, h))
					lab_printf(lab, " %s=%s", h, v);
		lab_printf(lab, "\n");
	}
	free(txt);
}

static void summary_dev(struct ns_lab *lab, struct net_device *dev)
{
	const struct Qdisc *q = dev->qdisc;
	uint64_t qdrops = q ? q->qstats.drops : 0;

	lab_printf(lab, "  %-8s rx %6llu pkts %10llu B   tx %6llu pkts %10llu B   drops rx %llu tx %llu qdisc %s %llu\n",
		   dev->name, (unsigned long long)dev->stats.rx_packets,
		   (unsigned long long)dev->stats.rx_bytes, (unsigned long long)dev->stats.tx_packets,
		   (unsigned long long)dev->stats.tx_bytes, (unsigned long long)dev->stats.rx_dropped,
		   (unsigned long long)dev->stats.tx_dropped, q && q->ops ? q->ops->id : "-",
		   (unsigned long long)qdrops);
}

void lab_summary(struct ns_lab *lab)
{
	static const char *const ip_keys[] = { "InReceives", "ForwDatagrams", "InDelivers",
					       "OutRequests", "InDiscards", "OutNoRoutes", NULL };
	static const char *const tcp_keys[] = { "ActiveOpens", "PassiveOpens", "AttemptFails",
						"InSegs", "OutSegs", "RetransSegs", "OutRsts", NULL };

	for (unsigned int i = 0; i < lab->nnodes; i++) {
		struct lab_node *n = &lab->nodes[i];
		struct net_device *dev;
		struct ns_out out;

		lab_printf(lab, "node %s\n", n->name);
		list_for_each_entry(dev, &n->stack->dev_base_head, dev_list)
			if (strcmp(dev->name, "lo"))
				summary_dev(lab, dev);
		snmp_line(lab, n, "Ip", ip_keys);
		snmp_line(lab, n, "Tcp", tcp_keys);
		ns_out_init(&out);
		if (ns_exec(n->stack, "bridge fdb show", &out) == 0 && out.len) {
			lab_printf(lab, "  bridge fdb (learned):\n");
			for (const char *p = ns_out_text(&out); *p;) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);

				if (!memmem(p, len, "permanent", 9))
					lab_printf(lab, "    %.*s\n", (int)len, p);
				p += len + (nl ? 1 : 0);
			}
		}
		ns_out_free(&out);
	}
}
