/* cmds.c - the lab's `summary` (per-node devices, qdisc drops, the Ip and
 * Tcp lines of /proc/net/snmp, learned bridge addresses) and the IPv4
 * literal parser traceroute uses. Every other node command is ns_exec's. */
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
