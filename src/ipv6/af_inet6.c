/* af_inet6.c - bring-up of the IPv6 layer in a stack (Linux's inet6_init):
 * per-stack state, the protocol table, net.ipv6.* sysctls and
 * /proc/net/snmp6 in Linux's "%-32s%lu" format (Ip6, Icmp6, Udp6 and
 * UdpLite6 lines). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/proc.h"
#include "ipv6/netns_ipv6.h"

int inet6_add_protocol(struct ns_stack *stack, const struct inet6_protocol *prot, uint8_t proto)
{
	if (!stack->ipv6 || !prot || !prot->handler)
		return -EINVAL;
	if (stack->ipv6->protos[proto])
		return -EEXIST;
	stack->ipv6->protos[proto] = prot;
	return 0;
}

int inet6_del_protocol(struct ns_stack *stack, const struct inet6_protocol *prot, uint8_t proto)
{
	if (!stack->ipv6 || stack->ipv6->protos[proto] != prot)
		return -ENOENT;
	stack->ipv6->protos[proto] = NULL;
	return 0;
}

/* ---- /proc/net/snmp6 (Linux's snmp6_seq_show) ---------------------------------------- */
static const char *const snmp6_ipstats_list[IPSTATS6_MIB_MAX] = {
#define IP6_MIB_NAME(e, s) "Ip6" s,
	IP6_MIBS(IP6_MIB_NAME)
#undef IP6_MIB_NAME
};

static void snmp6_udp(struct seq_buf *s, const char *p, const struct udp6_mib *u)
{
	const struct { const char *n; uint64_t v; } l[] = {
		{ "InDatagrams", u->in_datagrams }, { "NoPorts", u->no_ports },
		{ "InErrors", u->in_errors }, { "OutDatagrams", u->out_datagrams },
		{ "RcvbufErrors", u->rcvbuf_errors }, { "SndbufErrors", u->sndbuf_errors },
		{ "InCsumErrors", u->in_csum_errors }, { "IgnoredMulti", u->ignored_multi },
		{ "MemErrors", u->mem_errors },
	};
	char name[64];

	for (size_t i = 0; i < ARRAY_SIZE(l); i++) {
		snprintf(name, sizeof(name), "%s%s", p, l[i].n);
		seq_printf(s, "%-32s%llu\n", name, (unsigned long long)l[i].v);
	}
}

static int snmp6_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct netns_ipv6 *ip6 = stack->ipv6;

	(void)data;
	for (int i = 0; i < IPSTATS6_MIB_MAX; i++)
		seq_printf(s, "%-32s%llu\n", snmp6_ipstats_list[i], (unsigned long long)ip6->mib[i]);
	icmp6_snmp_show(stack, s);
	snmp6_udp(s, "Udp6", &ip6->udp);
	snmp6_udp(s, "UdpLite6", &ip6->udplite);
	return 0;
}

static int inet6_sysctls(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	int rc = 0;

	ip6->sysctl_icmp_ratelimit = 1000;
	ip6->sysctl_frag_high_thresh = 4 * 1024 * 1024;
	ip6->sysctl_frag_low_thresh = 3 * 1024 * 1024;
	ip6->sysctl_frag_time = 60;
	ip6->sysctl_max_dst_opts_cnt = 8;
	ip6->sysctl_max_hbh_len = 2048;
	ip6->sysctl_mtu_expires = 600;
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/icmp/ratelimit", &ip6->sysctl_icmp_ratelimit,
			      0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/icmp/echo_ignore_all",
			      &ip6->sysctl_icmp_echo_ignore_all, 0, 1);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/ip6frag_high_thresh",
			      &ip6->sysctl_frag_high_thresh, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/ip6frag_low_thresh",
			      &ip6->sysctl_frag_low_thresh, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/ip6frag_time", &ip6->sysctl_frag_time, 1, 3600);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/max_dst_opts_number",
			      &ip6->sysctl_max_dst_opts_cnt, 1, 255);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/max_hbh_length", &ip6->sysctl_max_hbh_len,
			      8, 65535);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv6/route/mtu_expires", &ip6->sysctl_mtu_expires,
			      1, 0x7fffffff);
	rc |= proc_create(stack, "/proc/net/snmp6", snmp6_show, NULL, NULL);
	return rc ? -ENOMEM : 0;
}

int inet6_init(struct ns_stack *stack);
void inet6_exit(struct ns_stack *stack);

int inet6_init(struct ns_stack *stack)
{
	int rc;

	stack->ipv6 = calloc(1, sizeof(*stack->ipv6));
	if (!stack->ipv6)
		return -ENOMEM;
	stack->ipv6->frag_id_next = ns_random_u32(stack);
	rc = inet6_sysctls(stack);
	if (!rc)
		rc = ip6_route_init(stack);
	if (!rc)
		rc = ndisc_init(stack);
	if (!rc)
		rc = addrconf_init(stack);
	if (!rc)
		rc = frag6_init(stack);
	if (!rc)
		rc = icmpv6_init(stack);
	if (!rc)
		rc = udpv6_init(stack);
	if (!rc)
		rc = ip6_input_init(stack);
	return rc;
}

void inet6_exit(struct ns_stack *stack)
{
	if (!stack->ipv6)
		return;
	ip6_input_exit(stack);
	udpv6_exit(stack);
	frag6_exit(stack);
	if (stack->ipv6->netdev_nb.notifier_call)
		addrconf_exit(stack);
	ndisc_exit(stack);
	ip6_route_exit(stack);
	free(stack->ipv6);
	stack->ipv6 = NULL;
}
