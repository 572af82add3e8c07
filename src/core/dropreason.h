/* dropreason.h - why a packet was dropped. Every drop in nstack goes through
 * kfree_skb_reason(), which counts it per stack; /proc/net/nstack/drops lists
 * the counts by name. Add new reasons at the end of the list. */
#ifndef NSTACK_CORE_DROPREASON_H
#define NSTACK_CORE_DROPREASON_H

#define SKB_DROP_REASONS(X)                                                        \
	X(NOT_SPECIFIED)        /* no reason given */                               \
	X(CONSUMED)             /* not a drop: the packet was used (consume_skb) */ \
	X(PKT_TOO_SMALL)        /* shorter than its headers */                      \
	X(PKT_TOO_BIG)          /* larger than the buffer or the device allows */   \
	X(DEV_DOWN)             /* device not up */                                 \
	X(UNHANDLED_PROTO)      /* no packet_type for the ethertype */              \
	X(BACKLOG_FULL)         /* netdev_max_backlog reached */                    \
	X(QDISC_DROP)           /* queue discipline limit or policy */              \
	X(NETEM_LOSS)           /* netem emulated loss */                           \
	X(TX_ERROR)             /* driver refused the frame */                      \
	X(OTHERHOST)            /* frame not addressed to us */                     \
	X(NOMEM)                /* buffer pool exhausted */                         \
	X(HDR_ERROR)            /* malformed header */                              \
	X(CSUM)                 /* bad checksum */                                  \
	X(NO_ROUTE)             /* routing found no way */                          \
	X(NO_SOCKET)            /* no socket to deliver to */                       \
	X(SOCKET_RCVBUFF)       /* receive buffer full */                           \
	X(NEIGH_FAILED)         /* neighbour resolution failed */                   \
	X(NEIGH_QUEUEFULL)      /* unres_qlen reached */                            \
	X(NETFILTER_DROP)       /* firewall verdict */                              \
	X(IP_INHDR)             /* bad IPv4/IPv6 header */                          \
	X(IP_TTL)               /* TTL/hop limit exceeded */                        \
	X(FRAG_REASM_TIMEOUT)   /* incomplete datagram expired */                   \
	X(FRAG_TOO_FAR)         /* reassembly limits */                             \
	X(FRAG_OVERLAP)         /* overlapping fragments */                         \
	X(TCP_INVALID)          /* TCP segment rejected */                          \
	X(BRIDGE)               /* bridge filtering, FDB or port state */          \
	X(VLAN)                 /* VLAN filtering */                                \
	X(IP_INADDRERRORS)      /* not for us and not forwarding */                 \
	X(IP_NOPROTO)           /* no handler for the IPv4 protocol */              \
	X(IP_MARTIAN)           /* martian source or destination address */        \
	X(IP_BLACKHOLE)         /* blackhole route */                               \
	X(FRAG_MEMLIMIT)        /* reassembly memory (ipfrag_high_thresh) */        \
	X(ICMP_ECHO_IGNORED)    /* icmp_echo_ignore_* */                             \
	X(DUP_FRAG)             /* duplicate fragment */                            \
	X(TCP_OFO_QUEUE_PRUNE)  /* TCP out-of-order data pruned (memory) */

enum skb_drop_reason {
#define SKB_DROP_ENUM(name) SKB_DROP_REASON_##name,
	SKB_DROP_REASONS(SKB_DROP_ENUM)
#undef SKB_DROP_ENUM
	SKB_DROP_REASON_MAX
};

const char *skb_drop_reason_name(enum skb_drop_reason reason);

#endif
