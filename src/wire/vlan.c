/* vlan.c - 802.1Q tag parse/emit (see vlan.h for the VID rules). */
#include "wire/vlan.h"
#include "core/compiler.h"

int vlan_parse(const uint8_t *buf, size_t len, struct vlan_repr *out)
{
	if (len < VLAN_HLEN)
		return WIRE_ETRUNC;
	uint16_t tci = get_be16(buf);
	uint16_t vid = tci & VLAN_VID_MASK;
	if (vid == VLAN_VID_RESERVED) /* 802.1Q table 9-2: reserved */
		return WIRE_EBADVAL;
	out->pcp = (uint8_t)(tci >> VLAN_PRIO_SHIFT);
	out->dei = tci & VLAN_CFI_MASK;
	out->vid = vid;
	out->proto = get_be16(buf + 2);
	return WIRE_OK;
}

int vlan_emit(const struct vlan_repr *r, uint8_t *buf, size_t len)
{
	if (r->pcp > 7 || r->vid >= VLAN_VID_RESERVED)
		return WIRE_EBADVAL;
	if (len < VLAN_HLEN)
		return WIRE_ETRUNC;
	put_be16(buf, vlan_tci(r));
	put_be16(buf + 2, r->proto);
	return VLAN_HLEN;
}
