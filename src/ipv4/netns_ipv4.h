/* netns_ipv4.h - the per-stack IPv4 state (stack->ipv4) and the internal
 * interfaces between the files of src/ipv4/. Not for other layers: they use
 * ip.h, route.h and devinet.h. */
#ifndef NSTACK_IPV4_NETNS_IPV4_H
#define NSTACK_IPV4_NETNS_IPV4_H

#include <stdint.h>

#include "core/idtable.h"
#include "core/proc.h"
#include "ipv4/devinet.h"
#include "ipv4/fib.h"
#include "ipv4/ip.h"
#include "wire/ipv4.h"

/* /proc/net/snmp "Ip:" counters, in Linux's order */
enum {
	IPSTATS_MIB_INRECEIVES,
	IPSTATS_MIB_INHDRERRORS,
	IPSTATS_MIB_INADDRERRORS,
	IPSTATS_MIB_OUTFORWDATAGRAMS,
	IPSTATS_MIB_INUNKNOWNPROTOS,
	IPSTATS_MIB_INDISCARDS,
	IPSTATS_MIB_INDELIVERS,
	IPSTATS_MIB_OUTREQUESTS,
	IPSTATS_MIB_OUTDISCARDS,
	IPSTATS_MIB_OUTNOROUTES,
	IPSTATS_MIB_REASMTIMEOUT,
	IPSTATS_MIB_REASMREQDS,
	IPSTATS_MIB_REASMOKS,
	IPSTATS_MIB_REASMFAILS,
	IPSTATS_MIB_FRAGOKS,
	IPSTATS_MIB_FRAGFAILS,
	IPSTATS_MIB_FRAGCREATES,
	IPSTATS_MIB_OUTPKTS,		/* OutTransmits */
	IPSTATS_MIB_IP_MAX,
	/* IpExt (/proc/net/netstat) */
	IPSTATS_MIB_INNOROUTES = IPSTATS_MIB_IP_MAX,
	IPSTATS_MIB_INTRUNCATEDPKTS,
	IPSTATS_MIB_INMCASTPKTS,
	IPSTATS_MIB_OUTMCASTPKTS,
	IPSTATS_MIB_INBCASTPKTS,
	IPSTATS_MIB_OUTBCASTPKTS,
	IPSTATS_MIB_INOCTETS,
	IPSTATS_MIB_OUTOCTETS,
	IPSTATS_MIB_INMCASTOCTETS,
	IPSTATS_MIB_OUTMCASTOCTETS,
	IPSTATS_MIB_INBCASTOCTETS,
	IPSTATS_MIB_OUTBCASTOCTETS,
	IPSTATS_MIB_CSUMERRORS,
	IPSTATS_MIB_NOECTPKTS,
	IPSTATS_MIB_ECT1PKTS,
	IPSTATS_MIB_ECT0PKTS,
	IPSTATS_MIB_CEPKTS,
	IPSTATS_MIB_REASM_OVERLAPS,
	IPSTATS_MIB_MAX
};

struct icmp_mib {
	uint64_t in_msgs, in_errors, in_csum_errors;
	uint64_t out_msgs, out_errors, out_ratelimit_global, out_ratelimit_host;
	uint64_t in_type[256], out_type[256];
};

/* Per-destination ICMP rate limiting state (Linux's inet_peer tokens). */
struct icmp_peer {
	uint32_t daddr;
	uint64_t rate_last;	/* ns */
	uint64_t rate_tokens;	/* ns of credit */
	uint64_t used;
};
#define ICMP_PEER_SLOTS 256

#define IP_PMTU_CACHE_SIZE 256
struct ip_pmtu_entry {
	uint32_t daddr;
	uint32_t mtu;
	uint64_t expires;	/* ns, 0 = free */
};

struct ipq;
struct ip_dst_cache;
struct ip_sk_dst;
struct ip_rx_dst;
#define IPQ_HASHSZ 64

struct netns_ipv4 {
	struct fib_table *fib_local, *fib_main;
	uint64_t mib[IPSTATS_MIB_MAX];
	struct icmp_mib icmp;
	/* sysctls */
	int sysctl_ip_default_ttl;		/* 64 */
	int sysctl_ip_forward;			/* 0 (mirrors conf/all/forwarding) */
	int sysctl_local_ports[2];		/* 32768 60999 */
	int sysctl_icmp_echo_ignore_all;	/* 0 */
	int sysctl_icmp_echo_ignore_broadcasts;	/* 1 */
	int sysctl_icmp_ignore_bogus_error_responses;	/* 1 */
	int sysctl_icmp_errors_use_inbound_ifaddr;	/* 0 */
	int sysctl_icmp_ratelimit;		/* 1000 ms */
	int sysctl_icmp_ratemask;		/* 6168 */
	int sysctl_icmp_msgs_per_sec;		/* 1000 */
	int sysctl_icmp_msgs_burst;		/* 50 */
	int sysctl_ipfrag_high_thresh;		/* 4 MiB */
	int sysctl_ipfrag_low_thresh;		/* 3 MiB */
	int sysctl_ipfrag_time;			/* 30 s */
	int sysctl_ipfrag_max_dist;		/* 64 (informational) */
	int sysctl_ip_rt_mtu_expires;		/* 600 s */
	int sysctl_ip_rt_min_pmtu;		/* 552 */
	struct ipv4_devconf devconf_all, devconf_dflt;
	/* ICMP rate limiting */
	uint64_t icmp_global_credit, icmp_global_stamp;
	struct icmp_peer icmp_peers[ICMP_PEER_SLOTS];
	/* IP identification (a per-stack counter, randomly seeded) */
	uint16_t ip_id_next;
	/* PMTU exceptions */
	struct ip_pmtu_entry pmtu[IP_PMTU_CACHE_SIZE];
	/* reassembly */
	struct hlist_head ipq_hash[IPQ_HASHSZ];
	uint64_t frag_mem;
	unsigned int frag_queues;
	/* transports */
	const struct net_protocol *protos[256];
	proc_show_t snmp_ext[4];	/* Tcp:/Udp: lines from transports */
	proc_show_t netstat_ext[2];	/* TcpExt: lines of /proc/net/netstat */
	struct idtable echo_socks;	/* ping jobs (struct icmp_echo_sock) by echo id */
	struct notifier_block netdev_nb;
	struct packet_type ip_pt;
	struct ip_dst_cache *dst_cache;	/* route.c: forwarding dsts by next hop */
	struct ip_sk_dst *sk_dst;	/* route.c: sockets' output routes by flow */
	struct ip_rx_dst *rx_dst;	/* route.c: cached local-delivery input routes */
	/* Linux's rt_cache stat: out_hit (cached), out_slow_tot (looked up) */
	uint64_t rt_out_hit, rt_out_slow;
};

/* Linux-layout cb while IPv4 owns the skb: IPCB first, then routing and
 * reassembly state that never leaves src/ipv4/. */
struct ip_priv_cb {
	struct inet_skb_parm h;
	uint32_t nexthop;	/* host order */
	int oif;
	uint32_t mtu;
	int frag_offset;	/* reassembly: payload offset (bytes) */
	int frag_end;
};
#define IPPRIV(skb) ((struct ip_priv_cb *)(void *)((skb)->cb))
_Static_assert(sizeof(struct ip_priv_cb) <= SKB_CB_SIZE, "cb too small");

#define IP_INC_STATS(stack, f) ((stack)->ipv4->mib[IPSTATS_MIB_##f]++)
#define IP_ADD_STATS(stack, f, n) ((stack)->ipv4->mib[IPSTATS_MIB_##f] += (n))

static inline bool ipv4_is_multicast(uint32_t a) { return (a & 0xf0000000u) == 0xe0000000u; }
static inline bool ipv4_is_lbcast(uint32_t a) { return a == 0xffffffffu; }
static inline bool ipv4_is_zeronet(uint32_t a) { return (a & 0xff000000u) == 0; }
static inline bool ipv4_is_loopback(uint32_t a) { return (a & 0xff000000u) == 0x7f000000u; }
static inline uint32_t inet_make_mask(unsigned int plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* ip_output.c */
/* Send a datagram whose IPv4 header is built (data at the network header,
 * IPPRIV nexthop/oif/mtu set): POST_ROUTING, fragmentation, neighbour. */
int ip_output(struct ns_stack *stack, struct sk_buff *skb);
/* ip_forward.c */
int ip_forward(struct ns_stack *stack, struct sk_buff *skb);
/* ip_fragment.c */
/* Split skb (a full datagram, data at its IPv4 header) to mtu and call
 * output for each piece. Consumes skb. */
int ip_do_fragment(struct ns_stack *stack, struct sk_buff *skb, unsigned int mtu,
		   int (*output)(struct ns_stack *, struct sk_buff *));
/* Queue a fragment (data at the IPv4 header). Returns the reassembled
 * datagram when complete, else NULL (skb consumed). */
struct sk_buff *ip_defrag(struct ns_stack *stack, struct sk_buff *skb);
int ipfrag_init(struct ns_stack *stack);
void ipfrag_flush_dev(struct ns_stack *stack, struct net_device *dev);
void ipfrag_exit(struct ns_stack *stack);
/* ip_input.c */
int ip_local_deliver(struct ns_stack *stack, struct sk_buff *skb);
int ip_input_init(struct ns_stack *stack);
/* GRO for TCP over IPv4 (tcp_offload.c): packet_type.gro_receive of ETH_P_IP. */
struct napi_struct;
bool inet_gro_receive(struct napi_struct *napi, struct sk_buff *skb);
void ip_input_exit(struct ns_stack *stack);
/* icmp.c */
int icmp_init(struct ns_stack *stack);
void icmp_proc_show(struct ns_stack *stack, struct seq_buf *s);
/* arp (ethernet/arp.c), called by devinet */
void arp_ifa_added(struct net_device *dev, uint32_t addr);
/* route.c: the output device and next hop for a forwarded datagram */
int ip_route_fwd(struct ns_stack *stack, struct sk_buff *skb, const struct fib_nh *r);

#endif
