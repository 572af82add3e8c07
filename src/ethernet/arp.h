/* arp.h - RFC 826 ARP over the generic neighbour cache (Linux's
 * net/ipv4/arp.c): resolution of IPv4 next hops on Ethernet devices,
 * replies to requests for our addresses, gratuitous ARP, /proc/net/arp. */
#ifndef NSTACK_ETHERNET_ARP_H
#define NSTACK_ETHERNET_ARP_H

#include <stdint.h>

#include "core/neighbour.h"

struct netns_neigh {
	struct neigh_table arp_tbl;
	struct packet_type arp_pt;
};

static inline struct neigh_table *arp_table(struct ns_stack *stack)
{
	return &stack->neigh->arp_tbl;
}

/* Send an ARP packet (RFC 826): dest_hw NULL = broadcast, target_hw NULL =
 * zeros. Addresses host order. 0 or -errno. */
int arp_send(int op, struct net_device *dev, uint32_t dest_ip, uint32_t src_ip,
	     const uint8_t *dest_hw, const uint8_t *target_hw);
/* Transmit an IPv4 datagram (data at its header) to nexthop on dev:
 * resolves (or skips resolution on NOARP/loopback devices, broadcast and
 * multicast next hops), builds the link header, dev_queue_xmit. Consumes. */
int arp_output(struct net_device *dev, uint32_t nexthop, struct sk_buff *skb);
/* The neighbour arp_output would send nexthop's packets to on dev (created
 * when absent, as arp_output does); NULL when ARP does not resolve there
 * (NOARP/loopback device, multicast/broadcast next hop) or the table is
 * full: then call arp_output. Valid until softnet.dst_genid changes. */
struct neighbour *arp_neigh_for_output(struct net_device *dev, uint32_t nexthop);
/* `ip neigh` helpers (host-order address) */
int arp_neigh_add(struct net_device *dev, uint32_t ip, const uint8_t *lladdr, uint8_t state);
int arp_neigh_del(struct net_device *dev, uint32_t ip);
struct neighbour *arp_neigh_lookup(struct net_device *dev, uint32_t ip);

/* devinet's hooks */
struct neigh_parms *arp_parms_alloc(struct net_device *dev);
void arp_parms_release(struct net_device *dev, struct neigh_parms *p);
void arp_ifdown(struct net_device *dev);
void arp_ifa_added(struct net_device *dev, uint32_t addr);

int arp_init(struct ns_stack *stack);
void arp_exit(struct ns_stack *stack);

#endif
