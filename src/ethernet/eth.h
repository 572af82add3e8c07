/* eth.h - Ethernet devices: ether_setup defaults, eth_type_trans on
 * receive (classify and pull the header), header_ops to push one on
 * transmit. Linux counterpart: net/ethernet/eth.c. */
#ifndef NSTACK_ETHERNET_ETH_H
#define NSTACK_ETHERNET_ETH_H

#include <stdint.h>

#include "core/netdevice.h"

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60
#define ETH_DATA_LEN 1500
#define ETH_P_IP     0x0800
#define ETH_P_ARP    0x0806
#define ETH_P_8021Q  0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_IPV6   0x86DD
#define ETH_P_802_3_MIN 0x0600

extern const struct header_ops eth_header_ops;

/* Defaults for an Ethernet device (type, MTU 1500, broadcast, flags,
 * txqueuelen 1000, header_ops). */
void ether_setup(struct net_device *dev);
/* A random locally administered unicast MAC from the stack's PRNG. */
void eth_random_addr(struct ns_stack *stack, uint8_t *addr);
/* Classify a received frame by destination (pkt_type), set mac_header, pull
 * the 14-byte header and return the ethertype (host order). The caller
 * guarantees skb->len >= ETH_HLEN (eth_rx_frame checks it). */
uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev);
/* Driver helper: check length, eth_type_trans, netif_receive_skb. Consumes. */
int eth_receive_skb(struct sk_buff *skb, struct net_device *dev);
/* Same through the backlog (netif_rx). */
int eth_rx_skb(struct sk_buff *skb, struct net_device *dev);
/* Driver helper from a NAPI poll: like eth_receive_skb, through GRO
 * (core/gro.h) when dev has NETIF_F_GRO. */
struct napi_struct;
int eth_gro_receive_skb(struct napi_struct *napi, struct sk_buff *skb, struct net_device *dev);
/* Pad to ETH_ZLEN on transmit (minimum frame). 0 or -ENOMEM (skb freed). */
int eth_skb_pad(struct sk_buff *skb);

#endif
