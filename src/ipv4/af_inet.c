/* af_inet.c - bring-up of the IPv4 layer in a stack (Linux's inet_init):
 * per-stack state, the protocol table, net.ipv4.* sysctls, and the Ip:
 * and Icmp: lines of /proc/net/snmp and IpExt of /proc/net/netstat. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/proc.h"
#include "ethernet/arp.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"

int inet_add_protocol(struct ns_stack *stack, const struct net_protocol *prot, uint8_t protocol)
{
	if (!stack->ipv4 || !prot || !prot->handler)
		return -EINVAL;
	if (stack->ipv4->protos[protocol])
		return -EEXIST;
	stack->ipv4->protos[protocol] = prot;
	return 0;
}

int inet_del_protocol(struct ns_stack *stack, const struct net_protocol *prot, uint8_t protocol)
{
	if (!stack->ipv4 || stack->ipv4->protos[protocol] != prot)
		return -ENOENT;
	stack->ipv4->protos[protocol] = NULL;
	return 0;
}

int ip_snmp_register(struct ns_stack *stack, proc_show_t show)
{
	for (size_t i = 0; i < ARRAY_SIZE(stack->ipv4->snmp_ext); i++) {
		if (!stack->ipv4->snmp_ext[i]) {
			stack->ipv4->snmp_ext[i] = show;
			return 0;
		}
	}
	return -ENOSPC;
}

int ip_netstat_register(struct ns_stack *stack, proc_show_t show)
{
	for (size_t i = 0; i < ARRAY_SIZE(stack->ipv4->netstat_ext); i++) {
		if (!stack->ipv4->netstat_ext[i]) {
			stack->ipv4->netstat_ext[i] = show;
			return 0;
		}
	}
	return -ENOSPC;
}

int ip_default_ttl(struct ns_stack *stack)
{
	return stack->ipv4->sysctl_ip_default_ttl;
}

void inet_get_local_port_range(struct ns_stack *stack, int *low, int *high)
{
	*low = stack->ipv4->sysctl_local_ports[0];
	*high = stack->ipv4->sysctl_local_ports[1];
}

int inet_pick_port(struct ns_stack *stack, struct sock *sk, unsigned short snum,
		   bool (*inuse)(struct ns_stack *stack, struct sock *sk, uint16_t port))
{
	uint32_t remaining, first;
	int low, high;

	if (snum)
		return inuse(stack, sk, snum) ? -EADDRINUSE : snum;
	inet_get_local_port_range(stack, &low, &high);
	remaining = (uint32_t)(high - low) + 1;
	first = ns_random_below(stack, remaining);
	for (uint32_t i = 0; i < remaining; i++) {
		uint16_t port = (uint16_t)(low + (int)((first + i) % remaining));

		if (!inuse(stack, sk, port))
			return port;
	}
	return -EADDRINUSE;
}

/* ---- /proc/net/snmp, /proc/net/netstat -------------------------------------------------- */
static const char *const snmp4_ipstats_list[IPSTATS_MIB_IP_MAX] = {
	"InReceives", "InHdrErrors", "InAddrErrors", "ForwDatagrams", "InUnknownProtos",
	"InDiscards", "InDelivers", "OutRequests", "OutDiscards", "OutNoRoutes",
	"ReasmTimeout", "ReasmReqds", "ReasmOKs", "ReasmFails", "FragOKs", "FragFails",
	"FragCreates", "OutTransmits",
};
static const char *const snmp4_ipextstats_list[IPSTATS_MIB_MAX - IPSTATS_MIB_IP_MAX] = {
	"InNoRoutes", "InTruncatedPkts", "InMcastPkts", "OutMcastPkts", "InBcastPkts",
	"OutBcastPkts", "InOctets", "OutOctets", "InMcastOctets", "OutMcastOctets",
	"InBcastOctets", "OutBcastOctets", "InCsumErrors", "InNoECTPkts", "InECT1Pkts",
	"InECT0Pkts", "InCEPkts", "ReasmOverlaps",
};

static int snmp_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct netns_ipv4 *ip = stack->ipv4;

	(void)data;
	seq_puts(s, "Ip: Forwarding DefaultTTL");
	for (int i = 0; i < IPSTATS_MIB_IP_MAX; i++)
		seq_printf(s, " %s", snmp4_ipstats_list[i]);
	seq_printf(s, "\nIp: %d %d", inet_forwarding_all(stack) ? 1 : 2, ip->sysctl_ip_default_ttl);
	for (int i = 0; i < IPSTATS_MIB_IP_MAX; i++)
		seq_printf(s, " %llu", (unsigned long long)ip->mib[i]);
	seq_putc(s, '\n');
	icmp_proc_show(stack, s);
	for (size_t i = 0; i < ARRAY_SIZE(ip->snmp_ext); i++)
		if (ip->snmp_ext[i])
			ip->snmp_ext[i](stack, s, NULL);
	return 0;
}

static int netstat_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct netns_ipv4 *ip = stack->ipv4;
	int n = IPSTATS_MIB_MAX - IPSTATS_MIB_IP_MAX;

	(void)data;
	/* Linux: TcpExt lines come first */
	for (size_t i = 0; i < ARRAY_SIZE(ip->netstat_ext); i++)
		if (ip->netstat_ext[i])
			ip->netstat_ext[i](stack, s, NULL);
	seq_puts(s, "IpExt:");
	for (int i = 0; i < n; i++)
		seq_printf(s, " %s", snmp4_ipextstats_list[i]);
	seq_puts(s, "\nIpExt:");
	for (int i = 0; i < n; i++)
		seq_printf(s, " %llu", (unsigned long long)ip->mib[IPSTATS_MIB_IP_MAX + i]);
	seq_putc(s, '\n');
	return 0;
}

/* ip_local_port_range: "low\thigh", low < high (Linux's ipv4_local_port_range) */
static int port_range_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	seq_printf(s, "%d\t%d\n", stack->ipv4->sysctl_local_ports[0], stack->ipv4->sysctl_local_ports[1]);
	return 0;
}

static int port_range_write(struct ns_stack *stack, const char *v, void *data)
{
	int lo, hi, used = 0;

	(void)data;
	if (sscanf(v, "%d %d %n", &lo, &hi, &used) != 2 || v[used] != '\0')
		return -EINVAL;
	if (lo < 1 || hi > 65535 || lo >= hi)
		return -EINVAL;
	stack->ipv4->sysctl_local_ports[0] = lo;
	stack->ipv4->sysctl_local_ports[1] = hi;
	return 0;
}

static int inet_sysctls(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;
	int rc = 0;

	ip->sysctl_ip_default_ttl = 64;
	ip->sysctl_local_ports[0] = 32768;
	ip->sysctl_local_ports[1] = 60999;
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/ip_default_ttl",
			      &ip->sysctl_ip_default_ttl, 1, 255);
	rc |= proc_create(stack, "/proc/sys/net/ipv4/ip_local_port_range", port_range_show,
			  port_range_write, NULL);
	rc |= proc_create(stack, "/proc/net/snmp", snmp_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/net/netstat", netstat_show, NULL, NULL);
	return rc ? -ENOMEM : 0;
}

int inet_init(struct ns_stack *stack)
{
	int rc;

	stack->ipv4 = calloc(1, sizeof(*stack->ipv4));
	if (!stack->ipv4)
		return -ENOMEM;
	stack->ipv4->ip_id_next = (uint16_t)ns_random_u32(stack);
	rc = inet_sysctls(stack);
	if (!rc)
		rc = ip_route_init(stack);
	if (!rc)
		rc = arp_init(stack);
	if (!rc)
		rc = devinet_init(stack);
	if (!rc)
		rc = ipfrag_init(stack);
	if (!rc)
		rc = icmp_init(stack);
	if (!rc)
		rc = ip_input_init(stack);
	return rc;
}

void inet_exit(struct ns_stack *stack)
{
	if (!stack->ipv4)
		return;
	ip_input_exit(stack);
	ipfrag_exit(stack);
	if (stack->ipv4->netdev_nb.notifier_call)
		devinet_exit(stack);
	arp_exit(stack);
	ip_route_exit(stack);
	free(stack->ipv4);
	stack->ipv4 = NULL;
}
