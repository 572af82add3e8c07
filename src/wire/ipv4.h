/* ipv4.h - RFC 791 IPv4 header codec and IPPROTO_* numbers.
 * ipv4_parse() validates version, IHL, total length against the received
 * length and (optionally) the header checksum; options are returned as a
 * pointer+length into the caller's buffer, never interpreted here. */
#ifndef NSTACK_WIRE_IPV4_H
#define NSTACK_WIRE_IPV4_H

#include "wire/wire.h"
#include <netinet/in.h> /* glibc's IPPROTO_* enum; the fallbacks below match */

#ifndef IPPROTO_HOPOPTS
#define IPPROTO_HOPOPTS 0
#endif
#ifndef IPPROTO_ICMP
#define IPPROTO_ICMP 1
#endif
#ifndef IPPROTO_IGMP
#define IPPROTO_IGMP 2
#endif
#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif
#ifndef IPPROTO_UDP
#define IPPROTO_UDP 17
#endif
#ifndef IPPROTO_IPV6
#define IPPROTO_IPV6 41
#endif
#ifndef IPPROTO_ROUTING
#define IPPROTO_ROUTING 43
#endif
#ifndef IPPROTO_FRAGMENT
#define IPPROTO_FRAGMENT 44
#endif
#ifndef IPPROTO_GRE
#define IPPROTO_GRE 47
#endif
#ifndef IPPROTO_ESP
#define IPPROTO_ESP 50
#endif
#ifndef IPPROTO_AH
#define IPPROTO_AH 51
#endif
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif
#ifndef IPPROTO_NONE
#define IPPROTO_NONE 59
#endif
#ifndef IPPROTO_DSTOPTS
#define IPPROTO_DSTOPTS 60
#endif
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#ifndef IPPROTO_RAW
#define IPPROTO_RAW 255
#endif

#define IPV4_HLEN_MIN   20
#define IPV4_HLEN_MAX   60
#define IPV4_OPTS_MAX   40

/* Flag bits of the 16-bit flags/fragment-offset word, RFC 791 3.1 */
#define IP_CE      0x8000  /* reserved, must be zero ("congestion"/evil bit) */
#define IP_DF      0x4000
#define IP_MF      0x2000
#define IP_OFFSET  0x1fff  /* fragment offset, in 8-octet units */

/* ipv4_parse() flags */
#define IPV4_PARSE_NO_CSUM   0x1  /* skip header checksum verification */
#define IPV4_PARSE_TRUNC_OK  0x2  /* total length may exceed the buffer: a header
				   * quoted inside an ICMP error (RFC 792) */

struct ipv4_repr {
	uint8_t tos;        /* DSCP(6) | ECN(2), RFC 2474/3168 */
	uint16_t tot_len;   /* total length in bytes, header included */
	uint16_t id;
	bool rf;            /* reserved flag as received (should be 0) */
	bool df, mf;
	uint16_t frag_off;  /* fragment offset in 8-octet units (0..8191) */
	uint8_t ttl;
	uint8_t protocol;   /* IPPROTO_* */
	uint16_t check;     /* as received; ignored by emit (computed) */
	uint32_t saddr;     /* host order */
	uint32_t daddr;     /* host order */
	const uint8_t *opts; /* options bytes (in the parsed buffer), or NULL */
	size_t opts_len;     /* 0..40, a multiple of 4 */
};

static inline size_t ipv4_hdr_len(const struct ipv4_repr *r)
{
	return IPV4_HLEN_MIN + r->opts_len;
}
static inline size_t ipv4_payload_len(const struct ipv4_repr *r)
{
	return r->tot_len - ipv4_hdr_len(r);
}
/* Fragment helpers (RFC 791 3.2 "Fragmentation and Reassembly") */
static inline bool ipv4_is_fragment(const struct ipv4_repr *r)
{
	return r->mf || r->frag_off != 0;
}
static inline uint32_t ipv4_frag_offset_bytes(const struct ipv4_repr *r)
{
	return (uint32_t)r->frag_off * 8;
}
static inline bool ipv4_is_first_fragment(const struct ipv4_repr *r)
{
	return r->frag_off == 0;
}
static inline bool ipv4_is_last_fragment(const struct ipv4_repr *r)
{
	return !r->mf;
}

/* Parse a header at @buf (@len received bytes).
 * WIRE_ETRUNC: len < 20 or < IHL*4.  WIRE_EBADVER: version != 4.
 * WIRE_EBADLEN: IHL < 5, total length < IHL*4, or total length > len
 * (unless IPV4_PARSE_TRUNC_OK).  WIRE_EBADCSUM: header checksum wrong. */
int ipv4_parse(const uint8_t *buf, size_t len, unsigned flags, struct ipv4_repr *out);
/* Write the header (with options, checksum computed); the payload is not
 * touched.  Returns the header length, WIRE_ETRUNC, or WIRE_EBADLEN if
 * opts_len is not a multiple of 4 / > 40, or tot_len < header length. */
int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t len);

#endif
