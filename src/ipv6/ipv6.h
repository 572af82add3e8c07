/* ipv6.h - what the IPv6 layer offers the layers around it (transports,
 * the command layer, tests). Linux counterparts: include/net/ipv6.h,
 * include/net/addrconf.h, include/net/ip6_route.h.
 *
 * Addresses are 16-byte arrays in network order (as on the wire).
 * Everything is per stack (stack->ipv6). Read ip6_input.c (receive) and
 * ip6_output.c (ip6_xmit) first. */
#ifndef NSTACK_IPV6_IPV6_H
#define NSTACK_IPV6_IPV6_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/idtable.h"
#include "core/netdevice.h"
#include "core/skbuff.h"

#ifndef ETH_P_IPV6
#define ETH_P_IPV6 0x86DD
#endif

/* Per-packet IPv6 state in skb->cb while IPv6 and a transport own the skb
 * (Linux's IP6CB). The addresses stay in the packet: ipv6_hdr(skb). */
struct inet6_skb_parm {
	int iif;		/* ifindex it arrived on */
	uint16_t nhoff;		/* offset (from the network header) of the Next
				 * Header octet naming the current header */
	uint16_t flags;		/* IP6SKB_* */
	uint16_t frag_max_size;	/* largest fragment when reassembled */
	uint8_t rt_type;	/* RTN_LOCAL / RTN_MULTICAST on input */
};
#define IP6CB(skb) ((struct inet6_skb_parm *)(void *)((skb)->cb))
#define IP6SKB_FORWARDED   0x01
#define IP6SKB_REASSEMBLED 0x02
#define IP6SKB_ROUTERALERT 0x04

static inline const uint8_t *ipv6_hdr(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}

/* ---- addresses ------------------------------------------------------------ */
static inline bool ipv6_addr_any(const uint8_t *a)
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}
static inline bool ipv6_addr_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 16) == 0;
}
static inline bool ipv6_addr_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}
static inline bool ipv6_addr_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}
static inline bool ipv6_addr_loopback(const uint8_t *a)
{
	static const uint8_t lo[16] = { [15] = 1 };

	return memcmp(a, lo, 16) == 0;
}
static inline bool ipv6_addr_v4mapped(const uint8_t *a)
{
	static const uint8_t p[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, p, 12) == 0;
}
/* Multicast scope (RFC 4291 2.7): 1 interface, 2 link, 5 site, 14 global */
static inline unsigned int ipv6_mc_scope(const uint8_t *a)
{
	return a[1] & 0x0f;
}
/* RFC 4861 2.3 / RFC 4291 2.7.1: ff02::1:ffXX:XXXX */
static inline void addrconf_addr_solict_mult(const uint8_t *addr, uint8_t *out)
{
	static const uint8_t p[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(out, p, 13);
	memcpy(out + 13, addr + 13, 3);
}
/* True when the first plen bits of a and b agree. */
bool ipv6_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned int plen);
/* Keep the first plen bits of a. */
void ipv6_addr_prefix(uint8_t *out, const uint8_t *a, unsigned int plen);
/* "fd00::1" <-> bytes. 0 / -EINVAL. */
int ipv6_addr_parse(const char *s, uint8_t out[16]);
const char *ipv6_addr_fmt(const uint8_t a[16], char *buf, size_t len);

extern const uint8_t in6addr_any_bytes[16];
extern const uint8_t in6addr_linklocal_allnodes[16];	/* ff02::1 */
extern const uint8_t in6addr_linklocal_allrouters[16];	/* ff02::2 */
extern const uint8_t in6addr_mld2_routers[16];		/* ff02::16 */

/* ---- transport registration (inet6_add_protocol) ---------------------------- */
struct inet6_err_info {
	uint8_t type, code;
	uint32_t info;		/* MTU for packet-too-big, pointer for paramprob */
	const uint8_t *saddr, *daddr;	/* of the packet we sent, as quoted */
	uint8_t protocol;
	const uint8_t *l4;	/* quoted transport header bytes */
	unsigned int l4_len;	/* at least 8 */
};
struct inet6_protocol {
	/* Receive: skb->data at the transport header, skb->len the transport
	 * length, network_header set, IP6CB filled. Consumes the skb. */
	int (*handler)(struct sk_buff *skb);
	/* An ICMPv6 error about a packet of this protocol. May be NULL. */
	void (*err_handler)(struct ns_stack *stack, const struct inet6_err_info *err);
};
int inet6_add_protocol(struct ns_stack *stack, const struct inet6_protocol *prot, uint8_t proto);
int inet6_del_protocol(struct ns_stack *stack, const struct inet6_protocol *prot, uint8_t proto);

/* ---- output -------------------------------------------------------------------- */
struct flowi6 {
	uint8_t daddr[16];
	uint8_t saddr[16];	/* :: = chosen by source address selection */
	int oif;		/* required for link-local/multicast destinations */
	uint8_t proto;
	uint8_t hop_limit;	/* 0: the device's hop limit (64) */
	uint8_t tclass;
	uint8_t flags;		/* FLOWI6_F_* */
	uint32_t flowlabel;
	uint32_t mark;
};
#define FLOWI6_F_ANYSRC    0x01	/* :: stays :: (DAD, MLD before an address) */
#define FLOWI6_F_DONTFRAG  0x02	/* IPV6_DONTFRAG: -EMSGSIZE instead of fragments */

struct ip6_route_result {
	struct net_device *dev;	/* output device (lo for our addresses) */
	uint8_t nexthop[16];	/* gateway or daddr */
	unsigned int mtu;	/* path MTU */
	uint8_t type;		/* RTN_UNICAST, RTN_LOCAL, RTN_MULTICAST */
};
/* Route a flow, choosing fl6->saddr when ::. 0, -ENETUNREACH,
 * -EHOSTUNREACH, -EACCES, -EADDRNOTAVAIL (no usable source), -EINVAL. */
int ip6_route_output(struct ns_stack *stack, struct flowi6 *fl6, struct ip6_route_result *res);
struct sock;
/* ip6_route_output through sk's cached route (as ip_route_output_sk:
 * valid while softnet.dst_genid is unchanged and a learned PMTU in it has
 * not expired). Flows with a source address only: the choice of a source
 * depends on address states that change on timers. */
int ip6_route_output_sk(struct sock *sk, struct flowi6 *fl6, struct ip6_route_result *res);
/* Something IPv6 routes read changed (a route MTU from an RA). */
static inline void rt6_genid_bump(struct ns_stack *stack)
{
	stack->softnet.dst_genid++;
}
/* Send a transport segment (skb->data at the transport header, checksum
 * done with fl6 addresses, headroom from alloc_skb_tx). Pushes the IPv6
 * header, routes, LOCAL_OUT, fragments at the source to the path MTU
 * (RFC 8200 5), neighbour discovery, device. Consumes. 0 or -errno. */
int ip6_xmit(struct ns_stack *stack, struct sk_buff *skb, const struct flowi6 *fl6);
/* ip6_xmit routed by ip6_route_output_sk (a socket's segment). */
int ip6_queue_xmit(struct sock *sk, struct sk_buff *skb, const struct flowi6 *fl6);
/* ip6_xmit with the route already known (fl6 as ip6_route_output left it). */
int ip6_xmit_routed(struct ns_stack *stack, struct sk_buff *skb, const struct flowi6 *fl6,
		    const struct ip6_route_result *res);

/* ---- addresses (addrconf.c) -------------------------------------------------- */
/* Linux's IFA_F_* */
#define IFA_F_NODAD          0x02
#define IFA_F_OPTIMISTIC     0x04
#define IFA_F_DADFAILED      0x08
#define IFA_F_HOMEADDRESS    0x10
#define IFA_F_DEPRECATED     0x20
#define IFA_F_TENTATIVE      0x40
#define IFA_F_PERMANENT      0x80
#ifndef IFA_F_NOPREFIXROUTE
#define IFA_F_NOPREFIXROUTE  0x200
#endif
/* Scopes as /proc/net/if_inet6 prints them (Linux's IFA_*) */
#define IFA_GLOBAL 0x00
#define IFA_HOST   0x10
#define IFA_LINK   0x20
#define IFA_SITE   0x40

/* Add addr/plen to dev (flags IFA_F_NODAD...; the address is permanent).
 * Runs DAD unless NODAD. 0, -EEXIST, -EINVAL, -ENOSPC, -ENOMEM. */
int ipv6_addr_add(struct net_device *dev, const uint8_t *addr, unsigned int plen, uint32_t flags);
int ipv6_addr_del(struct net_device *dev, const uint8_t *addr, unsigned int plen);
/* The address's IFA_F_* flags on dev (any device when NULL), or -ENOENT. */
int ipv6_addr_flags(struct ns_stack *stack, struct net_device *dev, const uint8_t *addr);
/* An address of ours usable as a destination (not tentative). */
bool ipv6_chk_addr(struct ns_stack *stack, const uint8_t *addr, const struct net_device *dev);
/* RFC 6724 (simplified): a source for daddr via dev. 0 or -EADDRNOTAVAIL. */
int ipv6_dev_get_saddr(struct ns_stack *stack, const struct net_device *dev,
		       const uint8_t *daddr, uint8_t *saddr);
/* Multicast membership of dev (RFC 3810 reports sent on join). */
int ipv6_dev_mc_inc(struct net_device *dev, const uint8_t *group);
void ipv6_dev_mc_dec(struct net_device *dev, const uint8_t *group);
bool ipv6_chk_mcast_addr(const struct net_device *dev, const uint8_t *group);

/* ---- ICMPv6 ---------------------------------------------------------------------- */
/* Send an ICMPv6 error about skb_in (network_header set). Applies RFC 4443
 * 2.4(e) (no error about an error, a multicast destination except PTB and
 * unknown-option code 2, a non-unicast source) and the rate limit. Does not
 * consume skb_in. */
void icmp6_send(struct sk_buff *skb_in, uint8_t type, uint8_t code, uint32_t info);
/* ICMPv6 echo clients (`ping` to an IPv6 address): echo replies carrying
 * sk->id, and errors quoting one of our echo requests with that id, are
 * handed to sk->rcv (the skb is freed by ICMPv6 afterwards). At most
 * ICMP6_ECHO_SOCKS per stack. */
struct icmp6_echo_event {
	uint8_t type, code;	/* ICMPV6_ECHO_REPLY, or the error's type/code */
	uint16_t seq;
	const uint8_t *from;	/* who sent this ICMPv6 message */
	int iif;		/* where it arrived */
	uint8_t hop_limit;	/* of the received datagram */
	uint32_t info;		/* packet too big: MTU; parameter problem: pointer */
	const uint8_t *data;	/* echo reply data (after the 8-byte header) */
	size_t len;
};
struct icmp6_echo_sock {
	uint16_t id;		/* set by icmp6_echo_register */
	void (*rcv)(struct icmp6_echo_sock *sk, const struct icmp6_echo_event *ev);
};
#define ICMP6_ECHO_SOCKS IDTABLE_SLOTS
/* Pick a free random id for sk and register it. 0 or -ENOSPC. */
int icmp6_echo_register(struct ns_stack *stack, struct icmp6_echo_sock *sk);
void icmp6_echo_unregister(struct ns_stack *stack, struct icmp6_echo_sock *sk);
/* Send an echo request: skb->data is the 8-byte ICMPv6 header (type, id,
 * seq filled) and the data, headroom from alloc_skb_tx. Routes fl6 (the
 * source chosen when ::), sets the checksum, ip6_xmit. Consumes.
 * 0 or -errno (-EMSGSIZE with FLOWI6_F_DONTFRAG). */
int icmp6_echo_send(struct ns_stack *stack, struct sk_buff *skb, struct flowi6 *fl6);
/* Learned path MTU toward daddr (0 = none). */
unsigned int ip6_pmtu_get(struct ns_stack *stack, const uint8_t *daddr);

/* udp.c's hook: an IPv4 datagram no AF_INET socket took, offered to
 * dual-stack AF_INET6 sockets (v4-mapped). True when consumed (skb->data
 * at the payload). Addresses host order. */
bool udp6_v4mapped_rcv(struct sk_buff *skb, uint32_t saddr, uint16_t sport, uint32_t daddr,
		       uint16_t dport, int dif);

/* net.ipv6.conf.all.forwarding */
bool ipv6_forwarding(struct ns_stack *stack);
/* GRO for TCP over IPv6 (ipv4/tcp_offload.c): packet_type.gro_receive of ETH_P_IPV6. */
struct napi_struct;
bool ipv6_gro_receive(struct napi_struct *napi, struct sk_buff *skb);

#endif
