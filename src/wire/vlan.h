/* vlan.h - IEEE 802.1Q VLAN tag (4 bytes after the source MAC):
 * TPID (0x8100, or 0x88A8 for an 802.1ad S-tag) then TCI = PCP(3) DEI(1)
 * VID(12), then the inner EtherType.  This codec handles the 4 bytes of the
 * tag body that follow the TPID: TCI + encapsulated EtherType, i.e. the
 * bytes at frame offset 14..17 when eth_repr.proto is ETH_P_8021Q/AD.
 *
 * VID rules (IEEE 802.1Q-2018 table 9-2): VID 0 means "priority tag, no VLAN"
 * (the frame belongs to the port's native VLAN; only PCP/DEI are meaningful);
 * VID 4095 (0xFFF) is reserved and must not be used or transmitted, so
 * vlan_parse rejects it with WIRE_EBADVAL and vlan_emit refuses it. */
#ifndef NSTACK_WIRE_VLAN_H
#define NSTACK_WIRE_VLAN_H

#include "wire/wire.h"

#define VLAN_HLEN       4       /* TCI + inner EtherType */
#define VLAN_ETH_HLEN   18      /* Ethernet header with one tag */
#define VLAN_PRIO_MASK  0xe000
#define VLAN_PRIO_SHIFT 13
#define VLAN_CFI_MASK   0x1000  /* DEI, formerly CFI */
#define VLAN_VID_MASK   0x0fff
#define VLAN_N_VID      4096
#define VLAN_VID_PRIO_TAG 0     /* priority-tagged frame, no VLAN membership */
#define VLAN_VID_RESERVED 4095  /* reserved, never valid on the wire */

struct vlan_repr {
	uint8_t pcp;           /* priority code point, 0..7 */
	bool dei;              /* drop eligible indicator */
	uint16_t vid;          /* 0..4094; 0 = priority tag only */
	uint16_t proto;        /* encapsulated EtherType, host order */
};

static inline uint16_t vlan_tci(const struct vlan_repr *r)
{
	return (uint16_t)((r->pcp << VLAN_PRIO_SHIFT) | (r->dei ? VLAN_CFI_MASK : 0) |
			  (r->vid & VLAN_VID_MASK));
}

/* Parse the 4 bytes following the TPID.  WIRE_ETRUNC if len < 4;
 * WIRE_EBADVAL for VID 4095. */
int vlan_parse(const uint8_t *buf, size_t len, struct vlan_repr *out);
/* Write TCI + EtherType; returns VLAN_HLEN, WIRE_ETRUNC, or WIRE_EBADVAL if
 * pcp > 7 or vid > 4094. */
int vlan_emit(const struct vlan_repr *r, uint8_t *buf, size_t len);

#endif
