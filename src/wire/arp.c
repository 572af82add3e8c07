/* arp.c - RFC 826 ARP (Ethernet/IPv4) parse/emit. */
#include "wire/arp.h"
#include "wire/eth.h"
#include "core/compiler.h"

int arp_parse(const uint8_t *buf, size_t len, struct arp_repr *out)
{
	if (len < 8)
		return WIRE_ETRUNC;
	/* RFC 826 "Packet Reception": check ar$hrd, ar$pro (and their lengths) */
	if (get_be16(buf) != ARPHRD_ETHER || get_be16(buf + 2) != ETH_P_IP ||
	    buf[4] != ETH_ALEN || buf[5] != 4)
		return WIRE_EUNSUPP;
	if (len < ARP_HLEN)
		return WIRE_ETRUNC;
	uint16_t op = get_be16(buf + 6);
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY) /* RFC 826 ar$op */
		return WIRE_EBADVAL;
	out->op = op;
	memcpy(out->sha, buf + 8, 6);
	out->spa = get_be32(buf + 14);
	memcpy(out->tha, buf + 18, 6);
	out->tpa = get_be32(buf + 24);
	return WIRE_OK;
}

int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t len)
{
	if (r->op != ARPOP_REQUEST && r->op != ARPOP_REPLY)
		return WIRE_EBADVAL;
	if (len < ARP_HLEN)
		return WIRE_ETRUNC;
	put_be16(buf, ARPHRD_ETHER);
	put_be16(buf + 2, ETH_P_IP);
	buf[4] = ETH_ALEN;
	buf[5] = 4;
	put_be16(buf + 6, r->op);
	memcpy(buf + 8, r->sha, 6);
	put_be32(buf + 14, r->spa);
	memcpy(buf + 18, r->tha, 6);
	put_be32(buf + 24, r->tpa);
	return ARP_HLEN;
}
