/* eth.h - Ethernet II header (IEEE 802.3 clause 3, DIX framing): 6-byte
 * destination, 6-byte source, 16-bit EtherType.  ETH_P_* are host order.
 * Address helpers follow include/linux/etherdevice.h. */
#ifndef NSTACK_WIRE_ETH_H
#define NSTACK_WIRE_ETH_H

#include "wire/wire.h"
#include <string.h>

#define ETH_ALEN      6
#define ETH_HLEN      14    /* dst + src + type */
#define ETH_ZLEN      60    /* minimum frame without FCS */
#define ETH_DATA_LEN  1500  /* maximum payload (MTU) */
#define ETH_FRAME_LEN 1514  /* maximum frame without FCS */
#define ETH_FCS_LEN   4

#define ETH_P_IP      0x0800
#define ETH_P_ARP     0x0806
#define ETH_P_8021Q   0x8100
#define ETH_P_8021AD  0x88A8
#define ETH_P_IPV6    0x86DD
/* Values below this are an 802.3 length field, not an EtherType. */
#define ETH_P_802_3_MIN 0x0600

struct eth_repr {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t proto;      /* EtherType, host order */
};

/* Parse the 14-byte header; the payload starts at buf + ETH_HLEN.
 * Returns WIRE_ETRUNC if len < ETH_HLEN.  An 802.3 length (< 0x0600) is
 * returned as is in proto; callers decide. */
int eth_parse(const uint8_t *buf, size_t len, struct eth_repr *out);
/* Write the header; returns ETH_HLEN or WIRE_ETRUNC. */
int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t len);

static inline bool is_zero_ether_addr(const uint8_t *a)
{
	return (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}
/* I/G bit: least significant bit of the first octet (IEEE 802 9.2). */
static inline bool is_multicast_ether_addr(const uint8_t *a)
{
	return a[0] & 0x01;
}
static inline bool is_broadcast_ether_addr(const uint8_t *a)
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}
static inline bool is_unicast_ether_addr(const uint8_t *a)
{
	return !is_multicast_ether_addr(a);
}
/* U/L bit: second least significant bit of the first octet. */
static inline bool is_local_ether_addr(const uint8_t *a)
{
	return a[0] & 0x02;
}
/* A station may use it as its source: not multicast/broadcast, not zero. */
static inline bool is_valid_ether_addr(const uint8_t *a)
{
	return !is_multicast_ether_addr(a) && !is_zero_ether_addr(a);
}
static inline bool ether_addr_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, ETH_ALEN) == 0;
}
static inline void ether_addr_copy(uint8_t *dst, const uint8_t *src)
{
	memcpy(dst, src, ETH_ALEN);
}

#endif
