/* ipv6.h - RFC 8200 IPv6 fixed header codec, extension-header walker
 * (bounded by a header count and a byte limit), fragment and routing header
 * codecs, and the Hop-by-Hop/Destination options TLV iterator (4.2).
 * Start with ipv6_parse() and ipv6_ext_walk(). */
#ifndef NSTACK_WIRE_IPV6_H
#define NSTACK_WIRE_IPV6_H

#include "wire/wire.h"
#include "wire/ipv4.h" /* IPPROTO_* */

#define IPV6_HLEN         40
#define IPV6_FRAG_HLEN    8
#define IPV6_FLOWLABEL_MASK 0x000fffff

struct ipv6_repr {
	uint8_t tclass;          /* traffic class (DSCP | ECN) */
	uint32_t flow_label;     /* 20 bits */
	uint16_t payload_len;    /* bytes after the fixed header; 0 = jumbogram
				  * (RFC 2675), treated as empty here */
	uint8_t nexthdr;
	uint8_t hop_limit;
	uint8_t saddr[16];
	uint8_t daddr[16];
};

/* WIRE_ETRUNC if len < 40; WIRE_EBADVER if version != 6; WIRE_EBADLEN if
 * payload length > len - 40 (extra bytes after it are link padding). */
int ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_repr *out);
/* Returns IPV6_HLEN, WIRE_ETRUNC, or WIRE_EBADVAL if flow_label > 20 bits. */
int ipv6_emit(const struct ipv6_repr *r, uint8_t *buf, size_t len);

/* True for the extension headers ipv6_ext_walk() steps over. */
bool ipv6_ext_hdr(uint8_t nexthdr);

struct ipv6_ext_info {
	uint8_t proto;           /* upper-layer protocol (may be IPPROTO_NONE, ESP...) */
	size_t offset;           /* its offset from the walked buffer */
	unsigned nhdrs;          /* extension headers stepped over */
	bool frag;               /* a fragment header was seen */
	size_t frag_hdr_off;     /* ... at this offset */
	uint16_t frag_off;       /* its fragment offset (8-octet units); if nonzero
				  * the walk stops after it: not a first fragment,
				  * the upper-layer header is elsewhere */
	size_t nexthdr_off;      /* offset of the Next Header octet naming @proto
				  * (SIZE_MAX: the fixed header's), for ICMPv6
				  * parameter problem pointers */
};

/* Walk the extension headers of a payload (@buf/@len = the bytes after the
 * fixed header, @nexthdr = the fixed header's Next Header).
 * WIRE_ELIMIT: more than @max_hdrs headers or more than @max_bytes of them.
 * WIRE_EBADVAL: Hop-by-Hop not first (RFC 8200 4.1).
 * WIRE_ETRUNC: a header runs past @len. */
int ipv6_ext_walk(const uint8_t *buf, size_t len, uint8_t nexthdr, unsigned max_hdrs,
		  size_t max_bytes, struct ipv6_ext_info *out);

/* Fragment header, RFC 8200 4.5 */
struct ipv6_frag_repr {
	uint8_t nexthdr;
	uint16_t frag_off;       /* 8-octet units, 13 bits */
	bool mf;
	uint32_t id;
};
int ipv6_frag_parse(const uint8_t *buf, size_t len, struct ipv6_frag_repr *out);
/* Returns IPV6_FRAG_HLEN, WIRE_ETRUNC, or WIRE_EBADVAL if frag_off > 8191. */
int ipv6_frag_emit(const struct ipv6_frag_repr *r, uint8_t *buf, size_t len);

/* Routing header, RFC 8200 4.4 */
#define IPV6_SRCRT_TYPE_0 0      /* deprecated, RFC 5095: treat as unrecognized */
#define IPV6_SRCRT_TYPE_2 2      /* Mobile IPv6, RFC 6275 */
#define IPV6_SRCRT_TYPE_3 3      /* RPL, RFC 6554 */
#define IPV6_SRCRT_TYPE_4 4      /* Segment Routing, RFC 8754 */
struct ipv6_rt_repr {
	uint8_t nexthdr;
	size_t hdr_len;          /* total bytes, (Hdr Ext Len + 1) * 8 */
	uint8_t type;
	uint8_t segments_left;
	const uint8_t *data;     /* type-specific data after the first 4 bytes */
	size_t data_len;
};
/* WIRE_ETRUNC if shorter than 8 bytes or than Hdr Ext Len says. */
int ipv6_rt_parse(const uint8_t *buf, size_t len, struct ipv6_rt_repr *out);

/* Options TLVs of a Hop-by-Hop or Destination Options header, RFC 8200 4.2 */
#define IPV6_TLV_PAD1  0
#define IPV6_TLV_PADN  1
#define IPV6_TLV_ROUTERALERT 5   /* RFC 2711 */
#define IPV6_TLV_JUMBO 0xc2      /* RFC 2675 */
/* Action for an unrecognized option: the two high-order bits of its type */
#define IPV6_OPT_ACT_SKIP          0   /* skip, continue processing */
#define IPV6_OPT_ACT_DISCARD       1   /* discard silently */
#define IPV6_OPT_ACT_ICMP          2   /* discard, ICMP Param Problem code 2 */
#define IPV6_OPT_ACT_ICMP_UNICAST  3   /* same, unless dst was multicast */
static inline unsigned ipv6_opt_action(uint8_t type)
{
	return type >> 6;
}
/* Third-highest bit: option data may change en route (RFC 8200 4.2). */
static inline bool ipv6_opt_may_change(uint8_t type)
{
	return type & 0x20;
}

struct ipv6_opt {
	uint8_t type;
	uint8_t len;             /* Opt Data Len */
	const uint8_t *data;
	size_t off;              /* offset of the type octet in the header */
};

/* Length of a HbH/DestOpts/Routing header at @buf: (Hdr Ext Len + 1) * 8,
 * or WIRE_ETRUNC if it does not fit in @len. */
int ipv6_opthdr_len(const uint8_t *buf, size_t len);
/* Iterate the options of a whole HbH/DestOpts header @hdr of @hdr_len bytes.
 * Set *off = 0 before the first call.  Pad1/PadN are skipped.  Returns 1 and
 * fills @opt, 0 at the end, or WIRE_EBADOPT if an option runs past the
 * header.  Never reads outside [hdr, hdr + hdr_len). */
int ipv6_opt_next(const uint8_t *hdr, size_t hdr_len, size_t *off, struct ipv6_opt *opt);

#endif
