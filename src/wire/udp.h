/* udp.h - RFC 768 UDP header codec with IPv4 (RFC 768) and IPv6
 * (RFC 8200 8.1) pseudo-header checksums.  udp_parse() checks lengths only;
 * udp_verify_*() check the checksum; udp_parse_ipv4/6() do both. */
#ifndef NSTACK_WIRE_UDP_H
#define NSTACK_WIRE_UDP_H

#include "wire/wire.h"

#define UDP_HLEN 8

#define UDP_PARSE_NO_CSUM 0x1

struct udp_repr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;            /* length field: header + payload */
	uint16_t check;          /* as received; 0 = none (IPv4 only) */
	const uint8_t *payload;  /* len - 8 bytes after the header */
	size_t payload_len;
};

/* WIRE_ETRUNC if len < 8; WIRE_EBADLEN if the length field is < 8 or
 * greater than @len.  Bytes past the length field (link padding) are ignored. */
int udp_parse(const uint8_t *buf, size_t len, struct udp_repr *out);
/* Verify the checksum of a parsed datagram (@buf as given to udp_parse).
 * IPv4: a zero checksum means "not computed" and passes (RFC 768).
 * IPv6: a zero checksum is invalid (RFC 8200 8.1) -> WIRE_EBADCSUM. */
int udp_verify_ipv4(const uint8_t *buf, const struct udp_repr *r, uint32_t saddr, uint32_t daddr);
int udp_verify_ipv6(const uint8_t *buf, const struct udp_repr *r,
		    const uint8_t saddr[16], const uint8_t daddr[16]);
int udp_parse_ipv4(const uint8_t *buf, size_t len, uint32_t saddr, uint32_t daddr,
		   unsigned flags, struct udp_repr *out);
int udp_parse_ipv6(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		   const uint8_t daddr[16], unsigned flags, struct udp_repr *out);

/* Write header + payload (copied from r->payload unless already at buf + 8);
 * the length field is 8 + payload_len (r->len and r->check are ignored).
 * A computed checksum of 0 is sent as 0xFFFF (RFC 768).  Returns the number
 * of bytes written, WIRE_ETRUNC, or WIRE_EBADLEN if it exceeds 65535.
 * udp_emit_ipv4_nocsum() sends checksum 0 (IPv4 only, RFC 768). */
int udp_emit_ipv4(const struct udp_repr *r, uint8_t *buf, size_t len,
		  uint32_t saddr, uint32_t daddr);
int udp_emit_ipv4_nocsum(const struct udp_repr *r, uint8_t *buf, size_t len);
int udp_emit_ipv6(const struct udp_repr *r, uint8_t *buf, size_t len,
		  const uint8_t saddr[16], const uint8_t daddr[16]);
/* The same, leaving the checksum to be completed later (CHECKSUM_PARTIAL:
 * the field holds the folded pseudo-header sum; skb_checksum_help or an
 * offloading device finishes it, 0 sent as 0xFFFF). */
int udp_emit_ipv4_partial(const struct udp_repr *r, uint8_t *buf, size_t len,
			  uint32_t saddr, uint32_t daddr);
int udp_emit_ipv6_partial(const struct udp_repr *r, uint8_t *buf, size_t len,
			  const uint8_t saddr[16], const uint8_t daddr[16]);

#endif
