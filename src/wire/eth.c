/* eth.c - Ethernet II header parse/emit (see eth.h). */
#include "wire/eth.h"
#include "core/compiler.h"

int eth_parse(const uint8_t *buf, size_t len, struct eth_repr *out)
{
	if (len < ETH_HLEN)
		return WIRE_ETRUNC;
	memcpy(out->dst, buf, ETH_ALEN);
	memcpy(out->src, buf + 6, ETH_ALEN);
	out->proto = get_be16(buf + 12);
	return WIRE_OK;
}

int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t len)
{
	if (len < ETH_HLEN)
		return WIRE_ETRUNC;
	memcpy(buf, r->dst, ETH_ALEN);
	memcpy(buf + 6, r->src, ETH_ALEN);
	put_be16(buf + 12, r->proto);
	return ETH_HLEN;
}
