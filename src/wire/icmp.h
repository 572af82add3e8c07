/* icmp.h - RFC 792 ICMPv4 message codec: 8-byte header (type, code,
 * checksum, 4 type-specific bytes) + data.  For error messages the data is
 * the offending datagram's IP header + at least 64 bits of its payload
 * (RFC 792, RFC 1812 4.3.2.3 allows more); icmp_parse_inner() reads it. */
#ifndef NSTACK_WIRE_ICMP_H
#define NSTACK_WIRE_ICMP_H

#include "wire/wire.h"
#include "wire/ipv4.h"

#define ICMP_HLEN 8

/* Types, RFC 792 */
#define ICMP_ECHOREPLY       0
#define ICMP_DEST_UNREACH    3
#define ICMP_SOURCE_QUENCH   4   /* deprecated, RFC 6633 */
#define ICMP_REDIRECT        5
#define ICMP_ECHO            8
#define ICMP_TIME_EXCEEDED   11
#define ICMP_PARAMETERPROB   12
#define ICMP_TIMESTAMP       13
#define ICMP_TIMESTAMPREPLY  14
#define ICMP_INFO_REQUEST    15
#define ICMP_INFO_REPLY      16

/* Codes for ICMP_DEST_UNREACH (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1) */
#define ICMP_NET_UNREACH     0
#define ICMP_HOST_UNREACH    1
#define ICMP_PROT_UNREACH    2
#define ICMP_PORT_UNREACH    3
#define ICMP_FRAG_NEEDED     4   /* carries the next-hop MTU, RFC 1191 4 */
#define ICMP_SR_FAILED       5
#define ICMP_NET_UNKNOWN     6
#define ICMP_HOST_UNKNOWN    7
#define ICMP_HOST_ISOLATED   8
#define ICMP_NET_ANO         9
#define ICMP_HOST_ANO        10
#define ICMP_NET_UNR_TOS     11
#define ICMP_HOST_UNR_TOS    12
#define ICMP_PKT_FILTERED    13
#define ICMP_PREC_VIOLATION  14
#define ICMP_PREC_CUTOFF     15
#define NR_ICMP_UNREACH      15

/* Codes for ICMP_REDIRECT */
#define ICMP_REDIR_NET       0
#define ICMP_REDIR_HOST      1
#define ICMP_REDIR_NETTOS    2
#define ICMP_REDIR_HOSTTOS   3

/* Codes for ICMP_TIME_EXCEEDED */
#define ICMP_EXC_TTL         0
#define ICMP_EXC_FRAGTIME    1

/* Codes for ICMP_PARAMETERPROB (RFC 792, RFC 1108) */
#define ICMP_PARAM_PTR       0   /* pointer indicates the error */
#define ICMP_PARAM_MISSING   1   /* missing a required option */
#define ICMP_PARAM_BADLEN    2

/* icmp_parse() flags */
#define ICMP_PARSE_NO_CSUM   0x1

struct icmp_repr {
	uint8_t type;
	uint8_t code;
	uint16_t check;           /* as received; computed by emit */
	/* The 4 type-specific bytes ("rest of header"), decoded by type: */
	union {
		struct {
			uint16_t id;
			uint16_t seq;
		} echo;               /* echo, timestamp, info request/reply */
		uint16_t mtu;         /* DEST_UNREACH/FRAG_NEEDED: next-hop MTU (RFC 1191) */
		uint8_t pointer;      /* PARAMETERPROB: octet offset of the error */
		uint32_t gateway;     /* REDIRECT: gateway address, host order */
		uint32_t raw;         /* any other type: the 4 bytes as is */
	} un;
	const uint8_t *data;      /* bytes after the 8-byte header (echo data or
				   * the quoted original datagram) */
	size_t data_len;
};

/* True for error messages (unreach, quench, redirect, time exceeded,
 * parameter problem), which carry a quoted datagram. */
bool icmp_is_error(uint8_t type);

/* Parse a whole ICMP message (@len = IP payload length).  The checksum
 * covers the whole message, RFC 792.  WIRE_ETRUNC if len < 8,
 * WIRE_EBADCSUM if the checksum fails. */
int icmp_parse(const uint8_t *buf, size_t len, unsigned flags, struct icmp_repr *out);
/* Write header + data (data copied from r->data unless already at buf + 8)
 * and compute the checksum.  Returns 8 + data_len or WIRE_ETRUNC. */
int icmp_emit(const struct icmp_repr *r, uint8_t *buf, size_t len);

/* For an error message: parse the quoted IPv4 header (checksum and total
 * length not checked; RFC 792 guarantees only header + 64 bits) and point
 * @l4/@l4_len at the quoted transport bytes.  WIRE_EBADVAL if not an error
 * type, WIRE_ETRUNC if fewer than 8 transport bytes are quoted. */
int icmp_parse_inner(const struct icmp_repr *r, struct ipv4_repr *ip,
		     const uint8_t **l4, size_t *l4_len);

#endif
