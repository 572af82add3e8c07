/* udp.c - RFC 768 UDP parse/emit (see udp.h). */
#include "wire/udp.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "core/compiler.h"

int udp_parse(const uint8_t *buf, size_t len, struct udp_repr *out)
{
	if (len < UDP_HLEN)
		return WIRE_ETRUNC;
	uint16_t ulen = get_be16(buf + 4);
	/* RFC 768: Length counts header and data, so its minimum value is 8 */
	if (ulen < UDP_HLEN || ulen > len)
		return WIRE_EBADLEN;
	out->sport = get_be16(buf);
	out->dport = get_be16(buf + 2);
	out->len = ulen;
	out->check = get_be16(buf + 6);
	out->payload = buf + UDP_HLEN;
	out->payload_len = ulen - UDP_HLEN;
	return WIRE_OK;
}

int udp_verify_ipv4(const uint8_t *buf, const struct udp_repr *r, uint32_t saddr, uint32_t daddr)
{
	if (r->check == 0) /* RFC 768: all zero = no checksum was generated */
		return WIRE_OK;
	uint32_t sum = csum_partial(buf, r->len, 0);
	if (csum_tcpudp_magic(saddr, daddr, r->len, IPPROTO_UDP, sum) != 0)
		return WIRE_EBADCSUM;
	return WIRE_OK;
}

int udp_verify_ipv6(const uint8_t *buf, const struct udp_repr *r,
		    const uint8_t saddr[16], const uint8_t daddr[16])
{
	if (r->check == 0) /* RFC 8200 8.1: zero UDP checksum must be discarded */
		return WIRE_EBADCSUM;
	uint32_t sum = csum_partial(buf, r->len, 0);
	if (csum_ipv6_magic(saddr, daddr, r->len, IPPROTO_UDP, sum) != 0)
		return WIRE_EBADCSUM;
	return WIRE_OK;
}

int udp_parse_ipv4(const uint8_t *buf, size_t len, uint32_t saddr, uint32_t daddr,
		   unsigned flags, struct udp_repr *out)
{
	int err = udp_parse(buf, len, out);
	if (err || (flags & UDP_PARSE_NO_CSUM))
		return err;
	return udp_verify_ipv4(buf, out, saddr, daddr);
}

int udp_parse_ipv6(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		   const uint8_t daddr[16], unsigned flags, struct udp_repr *out)
{
	int err = udp_parse(buf, len, out);
	if (err || (flags & UDP_PARSE_NO_CSUM))
		return err;
	return udp_verify_ipv6(buf, out, saddr, daddr);
}

/* Header and payload with a zero checksum field; returns the length. */
static int udp_emit_raw(const struct udp_repr *r, uint8_t *buf, size_t len)
{
	if (r->payload_len > 0xffff - UDP_HLEN)
		return WIRE_EBADLEN;
	size_t total = UDP_HLEN + r->payload_len;
	if (len < total)
		return WIRE_ETRUNC;
	put_be16(buf, r->sport);
	put_be16(buf + 2, r->dport);
	put_be16(buf + 4, (uint16_t)total);
	put_be16(buf + 6, 0);
	if (r->payload_len && r->payload != buf + UDP_HLEN)
		memmove(buf + UDP_HLEN, r->payload, r->payload_len);
	return (int)total;
}

int udp_emit_ipv4_nocsum(const struct udp_repr *r, uint8_t *buf, size_t len)
{
	return udp_emit_raw(r, buf, len);
}

int udp_emit_ipv4_partial(const struct udp_repr *r, uint8_t *buf, size_t len,
			  uint32_t saddr, uint32_t daddr)
{
	int n = udp_emit_raw(r, buf, len);
	if (n < 0)
		return n;
	put_be16(buf + 6, (uint16_t)~csum_tcpudp_magic(saddr, daddr, (uint32_t)n, IPPROTO_UDP, 0));
	return n;
}

int udp_emit_ipv6_partial(const struct udp_repr *r, uint8_t *buf, size_t len,
			  const uint8_t saddr[16], const uint8_t daddr[16])
{
	int n = udp_emit_raw(r, buf, len);
	if (n < 0)
		return n;
	put_be16(buf + 6, (uint16_t)~csum_ipv6_magic(saddr, daddr, (uint32_t)n, IPPROTO_UDP, 0));
	return n;
}

/* Sum the segment over the partial field: the checksum. RFC 768 (and RFC
 * 8200 8.1): a computed 0 is sent as all ones, 0 meaning "none". */
static int udp_complete_csum(uint8_t *buf, int n)
{
	if (n >= 0) {
		uint16_t c = csum_fold(csum_partial(buf, (size_t)n, 0));

		put_be16(buf + 6, c ? c : 0xffff);
	}
	return n;
}

int udp_emit_ipv4(const struct udp_repr *r, uint8_t *buf, size_t len,
		  uint32_t saddr, uint32_t daddr)
{
	return udp_complete_csum(buf, udp_emit_ipv4_partial(r, buf, len, saddr, daddr));
}

int udp_emit_ipv6(const struct udp_repr *r, uint8_t *buf, size_t len,
		  const uint8_t saddr[16], const uint8_t daddr[16])
{
	return udp_complete_csum(buf, udp_emit_ipv6_partial(r, buf, len, saddr, daddr));
}
