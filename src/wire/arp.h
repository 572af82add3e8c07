/* arp.h - RFC 826 ARP for Ethernet/IPv4 only (28 bytes):
 * hrd(2)=1 pro(2)=0x0800 hln(1)=6 pln(1)=4 op(2) sha(6) spa(4) tha(6) tpa(4).
 * Other hardware/protocol shapes parse as WIRE_EUNSUPP. */
#ifndef NSTACK_WIRE_ARP_H
#define NSTACK_WIRE_ARP_H

#include "wire/wire.h"

#define ARP_HLEN       28
#define ARPHRD_ETHER   1
#define ARPOP_REQUEST  1
#define ARPOP_REPLY    2

struct arp_repr {
	uint16_t op;      /* ARPOP_REQUEST or ARPOP_REPLY */
	uint8_t sha[6];   /* sender hardware address */
	uint32_t spa;     /* sender IPv4 address, host order */
	uint8_t tha[6];   /* target hardware address */
	uint32_t tpa;     /* target IPv4 address, host order */
};

/* WIRE_ETRUNC if len < 8 (fixed part) or < 28; WIRE_EUNSUPP for another
 * hrd/pro/hln/pln; WIRE_EBADVAL for an op other than request/reply. */
int arp_parse(const uint8_t *buf, size_t len, struct arp_repr *out);
/* Returns ARP_HLEN, WIRE_ETRUNC or WIRE_EBADVAL (bad op). */
int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t len);

#endif
