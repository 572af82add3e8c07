/* udp.h - UDP over IPv4 (RFC 768, RFC 1122 4.1): per-stack socket tables,
 * the struct proto UDP fills in, its MIB counters (the Udp line of
 * /proc/net/snmp) and the hooks IPv4 calls. Read udp.c's header first. */
#ifndef NSTACK_IPV4_UDP_H
#define NSTACK_IPV4_UDP_H

#include <stdint.h>

#include "core/list.h"
#include "core/proc.h"
#include "ipv4/ip.h"
#include "socket/sock.h"

/* Linux's minimum (UDP_HTABLE_SIZE_MIN); /proc/net/udp's "sl" is the slot. */
#define UDP_HTABLE_SIZE 256
#define UDP_MAX_PAYLOAD 65507	/* 65535 - 20 (IPv4) - 8 (UDP) */

/* UDP_MIB_* (include/uapi/linux/snmp.h order) */
struct udp_mib {
	uint64_t in_datagrams;
	uint64_t no_ports;
	uint64_t in_errors;
	uint64_t out_datagrams;
	uint64_t rcvbuf_errors;
	uint64_t sndbuf_errors;
	uint64_t in_csum_errors;
	uint64_t ignored_multi;
	uint64_t mem_errors;
};

struct netns_udp {
	struct hlist_head hash[UDP_HTABLE_SIZE];	/* bound sockets by local port */
	uint32_t hash_secret;				/* SO_REUSEPORT flow hash */
	struct udp_mib mib;
	struct inet_protosw sw;
};

/* Per-skb state while queued on a UDP socket (the IPCB stays first). */
struct udp_skb_cb {
	struct inet_skb_parm h4;	/* IPCB as ip_local_deliver filled it */
	uint16_t sport;
	uint16_t dport;
};
#define UDP_SKB_CB(skb) ((struct udp_skb_cb *)(void *)((skb)->cb))

/* Find the socket for an incoming datagram (Linux's __udp4_lib_lookup):
 * the best score among sockets bound to dport, connected > bound address
 * > bound device > wildcard; SO_REUSEPORT groups pick one member by flow
 * hash. dif 0 matches any bound device. NULL when none. Addresses and
 * ports in host order. */
struct sock *udp4_lib_lookup(struct ns_stack *stack, uint32_t saddr, uint16_t sport,
			     uint32_t daddr, uint16_t dport, int dif);

/* The Udp and UdpLite lines of /proc/net/snmp, for the IPv4 snmp printer. */
void udp_snmp_show(struct ns_stack *stack, struct seq_buf *s);

int udp_init(struct ns_stack *stack);
void udp_exit(struct ns_stack *stack);

/* SOL_IP options shared by IPv4 datagram sockets (ip_sockglue.c). */
int ip_setsockopt(struct sock *sk, int level, int optname, const void *optval,
		  socklen_t optlen);
int ip_getsockopt(struct sock *sk, int level, int optname, void *optval, socklen_t *optlen);
/* IP_RECVERR: queue an ICMP error for MSG_ERRQUEUE readers. */
void ip_icmp_error(struct sock *sk, int err, uint8_t type, uint8_t code, uint32_t info, uint32_t from,
		   uint32_t daddr, uint16_t dport, const uint8_t *payload, unsigned int len);
/* recvmsg(MSG_ERRQUEUE) */
int ip_recv_error(struct sock *sk, struct msghdr *msg, size_t len);

#endif
