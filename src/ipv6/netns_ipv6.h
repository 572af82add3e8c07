/* netns_ipv6.h - the per-stack IPv6 state (stack->ipv6) and the internal
 * interfaces between the files of src/ipv6/. Other layers use ipv6.h and
 * fib6.h. */
#ifndef NSTACK_IPV6_NETNS_IPV6_H
#define NSTACK_IPV6_NETNS_IPV6_H

#include <stdint.h>

#include "core/neighbour.h"
#include "core/idtable.h"
#include "core/proc.h"
#include "core/stack.h"
#include "ipv6/fib6.h"
#include "ipv6/ipv6.h"
#include "socket/sock.h"
#include "wire/ipv6.h"

/* /proc/net/snmp6 Ip6* counters, in Linux's order (snmp6_ipstats_list) */
#define IP6_MIBS(X)                                                             \
	X(INRECEIVES, "InReceives") X(INHDRERRORS, "InHdrErrors")              \
	X(INTOOBIGERRORS, "InTooBigErrors") X(INNOROUTES, "InNoRoutes")        \
	X(INADDRERRORS, "InAddrErrors") X(INUNKNOWNPROTOS, "InUnknownProtos")  \
	X(INTRUNCATEDPKTS, "InTruncatedPkts") X(INDISCARDS, "InDiscards")      \
	X(INDELIVERS, "InDelivers") X(OUTFORWDATAGRAMS, "OutForwDatagrams")    \
	X(OUTREQUESTS, "OutRequests") X(OUTDISCARDS, "OutDiscards")            \
	X(OUTNOROUTES, "OutNoRoutes") X(REASMTIMEOUT, "ReasmTimeout")          \
	X(REASMREQDS, "ReasmReqds") X(REASMOKS, "ReasmOKs")                    \
	X(REASMFAILS, "ReasmFails") X(FRAGOKS, "FragOKs")                      \
	X(FRAGFAILS, "FragFails") X(FRAGCREATES, "FragCreates")                \
	X(INMCASTPKTS, "InMcastPkts") X(OUTMCASTPKTS, "OutMcastPkts")          \
	X(INOCTETS, "InOctets") X(OUTOCTETS, "OutOctets")                      \
	X(INMCASTOCTETS, "InMcastOctets") X(OUTMCASTOCTETS, "OutMcastOctets")  \
	X(INBCASTOCTETS, "InBcastOctets") X(OUTBCASTOCTETS, "OutBcastOctets")  \
	X(INNOECTPKTS, "InNoECTPkts") X(INECT1PKTS, "InECT1Pkts")              \
	X(INECT0PKTS, "InECT0Pkts") X(INCEPKTS, "InCEPkts")                    \
	X(OUTPKTS, "OutTransmits")
enum {
#define IP6_MIB_ENUM(e, s) IPSTATS6_MIB_##e,
	IP6_MIBS(IP6_MIB_ENUM)
#undef IP6_MIB_ENUM
	IPSTATS6_MIB_MAX
};

struct icmp6_mib {
	uint64_t in_msgs, in_errors, out_msgs, out_errors, in_csum_errors, out_ratelimit_host;
	uint64_t in_type[256], out_type[256];
};
struct udp6_mib {	/* Udp6* lines, filled by an IPv6 UDP when present */
	uint64_t in_datagrams, no_ports, in_errors, out_datagrams, rcvbuf_errors,
		sndbuf_errors, in_csum_errors, ignored_multi, mem_errors;
};

/* net.ipv6.conf.{all,default,DEV}.* (Linux's ipv6_devconf) */
#define IPV6_DEVCONFS(X)                                                        \
	X(FORWARDING, "forwarding", 0) X(HOP_LIMIT, "hop_limit", 64)           \
	X(MTU6, "mtu", 1280) X(ACCEPT_RA, "accept_ra", 1)                      \
	X(ACCEPT_REDIRECTS, "accept_redirects", 1) X(AUTOCONF, "autoconf", 1)  \
	X(DAD_TRANSMITS, "dad_transmits", 1)                                   \
	X(RTR_SOLICITS, "router_solicitations", 3)                             \
	X(RTR_SOLICIT_INTERVAL, "router_solicitation_interval", 4)             \
	X(RTR_SOLICIT_DELAY, "router_solicitation_delay", 1)                   \
	X(ACCEPT_RA_DEFRTR, "accept_ra_defrtr", 1)                             \
	X(ACCEPT_RA_PINFO, "accept_ra_pinfo", 1)                               \
	X(ACCEPT_RA_MTU, "accept_ra_mtu", 1) X(ACCEPT_DAD, "accept_dad", 1)    \
	X(DISABLE_IPV6, "disable_ipv6", 0) X(ADDR_GEN_MODE, "addr_gen_mode", 0) \
	X(SEND_RA, "send_ra", 1) X(MAX_RTR_ADV_INTERVAL, "max_rtr_adv_interval", 600)
enum {
#define DEVCONF_ENUM(e, s, d) DEVCONF6_##e,
	IPV6_DEVCONFS(DEVCONF_ENUM)
#undef DEVCONF_ENUM
	DEVCONF6_MAX
};
struct ipv6_devconf {
	int data[DEVCONF6_MAX];
};
#define IN6_CNF(idev, f) ((idev)->cnf.data[DEVCONF6_##f])

#define IN6_ADDR_GEN_MODE_EUI64 0
#define IN6_ADDR_GEN_MODE_NONE 1
#define IN6_ADDR_GEN_MODE_STABLE_PRIVACY 2
#define IN6_ADDR_GEN_MODE_RANDOM 3

struct inet6_dev;

struct inet6_ifaddr {
	struct list_head if_list;	/* idev->addr_list */
	struct inet6_dev *idev;
	uint8_t addr[16];
	uint8_t prefix_len;
	uint8_t scope;			/* IFA_* */
	uint32_t flags;			/* IFA_F_* */
	uint32_t valid_lft;		/* s, 0xffffffff infinite */
	uint32_t prefered_lft;
	uint64_t tstamp;		/* ns: lifetimes count from here */
	uint8_t dad_probes;		/* NS still to send */
	bool slaac;			/* formed from a Router Advertisement */
	bool stable_iid;		/* RFC 7217 interface identifier */
	uint8_t dad_counter;		/* RFC 7217 DAD_Counter it was made with */
	struct timer_list dad_timer;
};
#define INFINITY_LIFE_TIME 0xffffffffu

#define IPV6_MC_PER_DEV 32
struct ifmcaddr6 {
	uint8_t addr[16];
	uint16_t users;
	bool report_pending;
};

struct inet6_dev {
	struct net_device *dev;
	struct list_head addr_list;
	unsigned int addr_count;
	struct ipv6_devconf cnf;
	struct neigh_parms *nd_parms;
	struct ifmcaddr6 mc[IPV6_MC_PER_DEV];
	struct timer_list mc_timer;	/* pending unsolicited MLD reports */
	struct timer_list rs_timer;	/* router solicitations / advertisements */
	int rs_probes;
	int ra_sent;			/* router: initial advertisements sent */
	uint32_t mtu6;			/* from RA MTU option, 0: dev->mtu */
	uint8_t token[8];		/* EUI-64 IID */
	bool if_ready;
	char sysctl_name[IFNAMSIZ];
};
static inline struct inet6_dev *__in6_dev_get(const struct net_device *dev)
{
	return dev->ip6_ptr;
}
#define IPV6_ADDR_MAX_PER_DEV 64

/* Routes learned from Router Advertisements, with their expiry. */
#define IPV6_RA_ROUTES 32
struct ra_route {
	uint8_t prefix[16];
	uint8_t plen;
	uint8_t gateway[16];
	int ifindex;
	uint64_t expires;	/* ns, 0: free slot */
};

/* PMTU cache (RFC 8201) */
#define IP6_PMTU_CACHE_SIZE 256
struct ip6_pmtu_entry {
	uint8_t daddr[16];
	uint32_t mtu;
	uint64_t expires;	/* ns, 0 = free */
};

/* ICMPv6 rate limiting peers */
#define ICMP6_PEER_SLOTS 256
struct icmp6_peer {
	uint8_t daddr[16];
	uint64_t rate_last, rate_tokens, used;
};

struct frag6_queue;
struct ip6_sk_dst;
#define IP6Q_HASHSZ 64
#define UDP6_HTABLE_SIZE 256

struct netns_ipv6 {
	struct fib6_table *fib_local, *fib_main;
	uint64_t mib[IPSTATS6_MIB_MAX];
	struct icmp6_mib icmp;
	struct udp6_mib udp, udplite;
	struct ipv6_devconf devconf_all, devconf_dflt;
	/* sysctls */
	int sysctl_icmp_ratelimit;	/* 1000 ms (icmpv6_time) */
	int sysctl_icmp_echo_ignore_all;
	int sysctl_frag_high_thresh;	/* 4 MiB */
	int sysctl_frag_low_thresh;	/* 3 MiB */
	int sysctl_frag_time;		/* 60 s (RFC 8200 4.5) */
	int sysctl_max_dst_opts_cnt;	/* 8: extension headers walked */
	int sysctl_max_hbh_len;		/* 2048: bytes of extension headers */
	int sysctl_mtu_expires;		/* 600 s */
	int sysctl_ip6_rt_gc_min;
	uint8_t stable_secret[16];	/* RFC 7217 secret_key */
	/* ICMPv6 rate limiting */
	struct icmp6_peer icmp_peers[ICMP6_PEER_SLOTS];
	struct idtable echo_socks;	/* ping clients (struct icmp6_echo_sock) by echo id */
	struct ip6_pmtu_entry pmtu[IP6_PMTU_CACHE_SIZE];
	/* RA-learned routes and the timer expiring them and the addresses */
	struct ra_route ra_routes[IPV6_RA_ROUTES];
	struct timer_list verify_timer;
	/* reassembly */
	struct hlist_head frag_hash[IP6Q_HASHSZ];
	uint64_t frag_mem;
	unsigned int frag_queues;
	uint32_t frag_id_next;
	/* neighbour discovery */
	struct neigh_table nd_tbl;
	/* transports */
	const struct inet6_protocol *protos[256];
	struct hlist_head udp6_hash[UDP6_HTABLE_SIZE];	/* udp6.c: bound sockets by port */
	struct inet_protosw udp6_sw;
	struct notifier_block netdev_nb;
	struct packet_type ipv6_pt;
	struct ip6_sk_dst *sk_dst;	/* route.c: sockets' output routes by flow */
	uint64_t rt6_out_hit, rt6_out_slow;	/* cached / looked up (ip6_route_output_sk) */
};

/* cb while IPv6 owns the skb: IP6CB first, then routing and reassembly. */
struct ip6_priv_cb {
	struct inet6_skb_parm h;
	int oif;
	uint32_t mtu;
	uint8_t nexthop[16];
	uint16_t frag_start, frag_end;	/* reassembly: payload bytes */
	uint16_t frag_data;		/* reassembly: where the payload starts */
};
#define IP6PRIV(skb) ((struct ip6_priv_cb *)(void *)((skb)->cb))
_Static_assert(sizeof(struct ip6_priv_cb) <= SKB_CB_SIZE, "cb too small");

#ifndef NS_PER_MS
#define NS_PER_MS 1000000ULL
#endif

#define IP6_INC_STATS(stack, f) ((stack)->ipv6->mib[IPSTATS6_MIB_##f]++)
#define IP6_ADD_STATS(stack, f, n) ((stack)->ipv6->mib[IPSTATS6_MIB_##f] += (n))

/* ip6_input.c */
int ip6_input_init(struct ns_stack *stack);
void ip6_input_exit(struct ns_stack *stack);
/* Continue delivery at the header named by the Next Header octet at nhoff,
 * which starts at off (both from the network header). Consumes. */
int ip6_protocol_deliver(struct ns_stack *stack, struct sk_buff *skb, uint8_t nexthdr,
			 unsigned int off, unsigned int nhoff);
/* exthdrs.c: 0 continue, <0 dropped (skb consumed) */
int ip6_parse_tlv(struct ns_stack *stack, struct sk_buff *skb, unsigned int off,
		  unsigned int len);
int ip6_rthdr_rcv(struct ns_stack *stack, struct sk_buff *skb, unsigned int off);
/* reassembly.c: the reassembled skb (its fragment header removed,
 * nexthdr and next_off say where to continue), or NULL (consumed). */
struct sk_buff *ipv6_frag_rcv(struct ns_stack *stack, struct sk_buff *skb, unsigned int off,
			      unsigned int nhoff, uint8_t *nexthdr, unsigned int *next_off);
int frag6_init(struct ns_stack *stack);
void frag6_exit(struct ns_stack *stack);
void frag6_flush_dev(struct ns_stack *stack, struct net_device *dev);
/* ip6_output.c */
int ip6_output(struct ns_stack *stack, struct sk_buff *skb);
int ip6_forward(struct ns_stack *stack, struct sk_buff *skb);
/* Send a fully built packet (data at its IPv6 header) to dev, resolving
 * nexthop (multicast mapped, no NDP). For NDP/MLD. Consumes. */
int ip6_xmit_dev(struct ns_stack *stack, struct sk_buff *skb, struct net_device *dev,
		 const uint8_t *nexthop);
/* Build an IPv6 packet around skb's payload with the given header fields
 * (hop limit, addresses, next header); 0 or -ENOBUFS (skb untouched). */
int ip6_push_hdr(struct sk_buff *skb, const uint8_t *saddr, const uint8_t *daddr,
		 uint8_t nexthdr, uint8_t hop_limit, uint8_t tclass);
/* icmp.c */
int icmpv6_init(struct ns_stack *stack);
void icmp6_snmp_show(struct ns_stack *stack, struct seq_buf *s);
/* Send an ICMPv6 message built by the caller (data at ICMPv6 header,
 * checksum filled here) from saddr to daddr on dev. Consumes. */
int icmp6_xmit_raw(struct ns_stack *stack, struct sk_buff *skb, struct net_device *dev,
		   const uint8_t *saddr, const uint8_t *daddr, uint8_t hop_limit);
void ip6_pmtu_update(struct ns_stack *stack, const uint8_t *daddr, unsigned int mtu);
/* The per-destination ICMPv6 token bucket (redirects use it too). */
bool icmp6_rate_allow(struct ns_stack *stack, const uint8_t *daddr);
/* ndisc.c */
int ndisc_init(struct ns_stack *stack);
void ndisc_exit(struct ns_stack *stack);
/* NDP message (data at ICMPv6 header, checksum verified). Consumes. */
int ndisc_rcv(struct sk_buff *skb, uint8_t type);
/* Output to a next hop on dev (resolution, multicast mapping). Consumes. */
int ndisc_output(struct net_device *dev, const uint8_t *nexthop, struct sk_buff *skb);
void ndisc_send_ns(struct net_device *dev, const uint8_t *target, const uint8_t *daddr,
		   const uint8_t *saddr, const uint8_t *dst_ha);
void ndisc_send_na(struct net_device *dev, const uint8_t *daddr, const uint8_t *target,
		   bool router, bool solicited, bool override);
void ndisc_send_rs(struct net_device *dev);
void ndisc_send_ra(struct net_device *dev, const uint8_t *daddr);
/* RFC 4861 8.2: tell the source of skb (about to be forwarded back out
 * the link it came in on) that target is a better first hop. */
void ndisc_send_redirect(struct sk_buff *skb, struct net_device *dev, const uint8_t *target);
void ndisc_ifdown(struct net_device *dev);
struct neigh_parms *ndisc_parms_alloc(struct net_device *dev);
void ndisc_parms_release(struct net_device *dev, struct neigh_parms *p);
/* addrconf.c */
int addrconf_init(struct ns_stack *stack);
void addrconf_exit(struct ns_stack *stack);
struct inet6_ifaddr *ipv6_get_ifaddr(struct ns_stack *stack, const uint8_t *addr,
				     const struct net_device *dev);
/* NDP told us someone else uses ifp's address (RFC 4862 5.4.3/5.4.4). */
void addrconf_dad_failure(struct inet6_ifaddr *ifp);
/* A Router Advertisement's effects on idev (RFC 4862 5.5.3, RFC 4861 6.3.4). */
void addrconf_prefix_rcv(struct net_device *dev, const uint8_t *opt, size_t len);
void addrconf_ra_router(struct net_device *dev, const uint8_t *router, unsigned int lifetime_s);
void addrconf_ra_done(struct net_device *dev);	/* stop soliciting */
void addrconf_verify(struct ns_stack *stack);
void ipv6_mld_send_report(struct net_device *dev, const uint8_t *group);
struct icmpv6_repr;
/* An MLD query (RFC 3810 6.2, RFC 2710 4): schedule our reports. */
void ipv6_mld_query_rcv(struct sk_buff *skb, const struct icmpv6_repr *r);
int addrconf_forward_change(struct ns_stack *stack, int on);
/* udp6.c */
int udpv6_init(struct ns_stack *stack);
void udpv6_exit(struct ns_stack *stack);
/* route.c */
int ip6_route_init(struct ns_stack *stack);
void ip6_route_exit(struct ns_stack *stack);
enum ip6_input_verdict { IP6_INPUT_LOCAL, IP6_INPUT_FORWARD, IP6_INPUT_DROPPED };
enum ip6_input_verdict ip6_route_input(struct ns_stack *stack, struct sk_buff *skb);
/* Routes an address brings (connected prefix + local /128). */
void ip6_addr_routes(struct inet6_ifaddr *ifp, bool add);
int ip6_ra_route_set(struct ns_stack *stack, const uint8_t *prefix, unsigned int plen,
		     const uint8_t *gw, int ifindex, uint32_t lifetime_s);
/* The gateway for daddr by the current routes (for redirect checks). */
int ip6_route_redirect(struct ns_stack *stack, const uint8_t *dest, const uint8_t *target,
		       const uint8_t *from, int ifindex);
void ip6_route_ifdown(struct ns_stack *stack, struct net_device *dev);
/* Device up: fe80::/64 and ff00::/8 on it. */
int ip6_route_dev_up(struct net_device *dev);
/* Expire RA-learned routes; the next expiry (UINT64_MAX: none). */
uint64_t ip6_ra_routes_expire(struct ns_stack *stack, uint64_t now);

#endif
