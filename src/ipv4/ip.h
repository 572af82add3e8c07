/* ip.h - what the IPv4 layer offers the layers around it (transport
 * protocols, the firewall, the command layer). Linux counterparts:
 * include/net/ip.h, include/net/protocol.h, include/net/route.h.
 *
 * Addresses in this API are uint32_t in HOST order; packets keep network
 * order. Everything is per stack (stack->ipv4). */
#ifndef NSTACK_IPV4_IP_H
#define NSTACK_IPV4_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/idtable.h"
#include "core/netdevice.h"
#include "core/skbuff.h"

/* Per-packet IPv4 state in skb->cb while the IPv4 layer and the transport
 * handler own the skb (Linux's IPCB). Filled by ip_rcv before
 * ip_local_deliver hands the skb to a protocol handler. */
struct inet_skb_parm {
	int iif;		/* ifindex it arrived on */
	uint32_t saddr;		/* host order */
	uint32_t daddr;
	uint16_t flags;		/* IPSKB_* */
	uint16_t frag_max_size;	/* largest fragment seen when reassembled */
	uint8_t ttl;
	uint8_t tos;
	uint8_t protocol;
	uint8_t rt_type;	/* RTN_LOCAL / RTN_BROADCAST / RTN_MULTICAST (input) */
};
#define IPCB(skb) ((struct inet_skb_parm *)(void *)((skb)->cb))
#define IPSKB_FORWARDED  0x01
#define IPSKB_REASSEMBLED 0x02
#define IPSKB_DOREDIRECT 0x04

/* Transport protocol registration (inet_add_protocol). */
struct icmp_err_info {
	uint8_t type, code;
	uint32_t info;		/* next-hop MTU for frag-needed, pointer for paramprob */
	/* the datagram we sent, as quoted in the error */
	uint32_t saddr, daddr;	/* host order */
	uint32_t from;		/* who sent the ICMP error (the offender), host order */
	uint8_t protocol;
	const uint8_t *l4;	/* quoted transport header bytes */
	unsigned int l4_len;	/* at least 8 */
};
struct net_protocol {
	/* Receive: skb->data at the transport header, skb->len the transport
	 * length (IP padding trimmed), network_header set, IPCB filled.
	 * Consumes the skb and returns 0 (or any value >= 0); or, as Linux's
	 * resubmit, returns a negative protocol number WITHOUT consuming the
	 * skb: it goes to that protocol's handler, or, when there is none,
	 * gets an ICMP protocol-unreachable. */
	int (*handler)(struct sk_buff *skb);
	/* An ICMP error about a datagram of this protocol. May be NULL. */
	void (*err_handler)(struct ns_stack *stack, const struct icmp_err_info *err);
};
int inet_add_protocol(struct ns_stack *stack, const struct net_protocol *prot, uint8_t protocol);
int inet_del_protocol(struct ns_stack *stack, const struct net_protocol *prot, uint8_t protocol);

/* ---- output ---------------------------------------------------------------------- */
#define FLOWI_FLAG_DF        0x01	/* set DF (PMTU discovery) */
#define FLOWI_FLAG_BROADCAST 0x02	/* SO_BROADCAST: a broadcast destination is allowed */

struct flowi4 {
	uint32_t daddr;		/* host order */
	uint32_t saddr;		/* 0: chosen by the route (inet_select_addr) */
	int oif;		/* 0: any (SO_BINDTODEVICE sets it) */
	uint8_t proto;
	uint8_t tos;
	uint8_t ttl;		/* 0: net.ipv4.ip_default_ttl (64) */
	uint8_t flags;		/* FLOWI_FLAG_* */
	uint32_t mark;
};

struct dst_entry;
struct ip_route_result {
	struct net_device *dev;	/* output device (lo for local destinations) */
	uint32_t saddr;		/* source to use */
	uint32_t nexthop;	/* gateway, or daddr when on-link */
	unsigned int mtu;	/* path MTU (route mtu, learned PMTU, device mtu) */
	uint8_t type;		/* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST */
	struct dst_entry *dst;	/* neighbour hint for (dev, nexthop), NULL: none */
};

/* Route a flow before building a transport header: fills fl4->saddr when
 * 0 and res. 0, -ENETUNREACH, -EHOSTUNREACH, -EACCES (broadcast without
 * FLOWI_FLAG_BROADCAST, prohibit route), -EINVAL. */
int ip_route_output(struct ns_stack *stack, struct flowi4 *fl4, struct ip_route_result *res);

/* Send a transport segment: skb->data at the transport header (checksum
 * already computed with fl4->saddr/daddr), at least 20 bytes of headroom
 * plus the link header's (alloc_skb_tx gives it). Pushes the IPv4 header,
 * routes, runs the LOCAL_OUT/POST_ROUTING hooks, fragments when larger than
 * the path MTU and DF is clear, resolves the neighbour and queues on the
 * device. Consumes the skb. 0 or -errno (-EMSGSIZE when DF and too big:
 * the caller learns the MTU from ip_route_output). */
int ip_send_skb4(struct ns_stack *stack, struct sk_buff *skb, const struct flowi4 *fl4);

struct sock;
/* ip_route_output through sk's cached route (Linux's __sk_dst_check): no
 * FIB lookup while nothing that could change the answer happened. */
int ip_route_output_sk(struct sock *sk, struct flowi4 *fl4, struct ip_route_result *res);
/* ip_send_skb4 for a socket's segment, routed by ip_route_output_sk
 * (Linux's ip_queue_xmit). */
int ip_queue_xmit(struct sock *sk, struct sk_buff *skb, const struct flowi4 *fl4);
/* ip_send_skb4 with the route already known (fl4 as ip_route_output left
 * it): e.g. a datagram routed before it was built. */
int ip_send_skb4_routed(struct ns_stack *stack, struct sk_buff *skb, const struct flowi4 *fl4,
			const struct ip_route_result *res);

/* ---- addresses ------------------------------------------------------------------ */
/* RTN_LOCAL when addr is one of ours, RTN_BROADCAST, RTN_MULTICAST, else
 * RTN_UNICAST (Linux's inet_addr_type). */
unsigned int inet_addr_type(struct ns_stack *stack, uint32_t addr);
/* The device holding addr, or NULL (ip_dev_find). */
struct net_device *ip_dev_find(struct ns_stack *stack, uint32_t addr);
/* Primary address of dev for reaching dst within scope; 0 if none. */
uint32_t inet_select_addr(struct net_device *dev, uint32_t dst, int scope);

/* ---- ICMP ------------------------------------------------------------------------- */
/* Send an ICMP error about skb_in (network_header set; its IPCB valid).
 * Applies RFC 1122 3.2.2 (no error about an error, a broadcast, a
 * non-first fragment, a non-unicast source) and the rate limit. Does not
 * consume skb_in. */
void icmp_send(struct sk_buff *skb_in, uint8_t type, uint8_t code, uint32_t info);

/* ICMP echo clients (the `ping` command): echo replies carrying sk->id,
 * and errors quoting one of our echo requests with that id, are handed to
 * sk->rcv (the skb is freed by ICMP afterwards). At most ICMP_ECHO_SOCKS
 * per stack. */
struct icmp_echo_event {
	uint8_t type, code;	/* ICMP_ECHOREPLY, or the error's type/code */
	uint16_t seq;
	uint32_t from;		/* host order: who sent this ICMP message */
	uint8_t ttl;		/* of the received datagram */
	uint32_t info;		/* frag-needed: next-hop MTU */
	const uint8_t *data;	/* echo reply data (after the 8-byte header) */
	size_t len;
};
struct icmp_echo_sock {
	uint16_t id;		/* set by icmp_echo_register */
	void (*rcv)(struct icmp_echo_sock *sk, const struct icmp_echo_event *ev);
};
#define ICMP_ECHO_SOCKS IDTABLE_SLOTS
/* Pick a free random id for sk and register it. 0 or -ENOSPC. */
int icmp_echo_register(struct ns_stack *stack, struct icmp_echo_sock *sk);
void icmp_echo_unregister(struct ns_stack *stack, struct icmp_echo_sock *sk);

/* Transports append their lines (Tcp:, Udp:...) to /proc/net/snmp:
 * show prints whole lines. 0 or -ENOSPC. */
struct seq_buf;
int ip_snmp_register(struct ns_stack *stack,
		     int (*show)(struct ns_stack *stack, struct seq_buf *s, void *data));

/* ... and their TcpExt:-style line pairs to /proc/net/netstat (printed
 * before IpExt:, as Linux orders them). 0 or -ENOSPC. */
int ip_netstat_register(struct ns_stack *stack,
			int (*show)(struct ns_stack *stack, struct seq_buf *s, void *data));

/* net.ipv4.* values transports read */
int ip_default_ttl(struct ns_stack *stack);
/* ip_local_port_range (inclusive) */
void inet_get_local_port_range(struct ns_stack *stack, int *low, int *high);
/* A free local port for sk: snum itself when it is not in use, or for snum
 * 0 the first free one from a random start in ip_local_port_range (the
 * search is bounded by the range). The port, or -EADDRINUSE. */
struct sock;
int inet_pick_port(struct ns_stack *stack, struct sock *sk, unsigned short snum,
		   bool (*inuse)(struct ns_stack *stack, struct sock *sk, uint16_t port));

#endif
