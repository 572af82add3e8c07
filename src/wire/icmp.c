/* icmp.c - RFC 792 ICMPv4 parse/emit (see icmp.h). */
#include "wire/icmp.h"
#include "wire/checksum.h"
#include "core/compiler.h"

bool icmp_is_error(uint8_t type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	default:
		return false;
	}
}

static bool icmp_has_echo_fields(uint8_t type)
{
	switch (type) {
	case ICMP_ECHOREPLY:
	case ICMP_ECHO:
	case ICMP_TIMESTAMP:
	case ICMP_TIMESTAMPREPLY:
	case ICMP_INFO_REQUEST:
	case ICMP_INFO_REPLY:
		return true;
	default:
		return false;
	}
}

int icmp_parse(const uint8_t *buf, size_t len, unsigned flags, struct icmp_repr *out)
{
	if (len < ICMP_HLEN)
		return WIRE_ETRUNC;
	/* RFC 792: checksum of the ICMP message starting with the type */
	if (!(flags & ICMP_PARSE_NO_CSUM) && csum_fold(csum_partial(buf, len, 0)) != 0)
		return WIRE_EBADCSUM;
	memset(out, 0, sizeof(*out));
	out->type = buf[0];
	out->code = buf[1];
	out->check = get_be16(buf + 2);
	if (icmp_has_echo_fields(out->type)) {
		out->un.echo.id = get_be16(buf + 4);
		out->un.echo.seq = get_be16(buf + 6);
	} else if (out->type == ICMP_DEST_UNREACH) {
		/* RFC 1191 4: unused(16) | next-hop MTU(16); zero for other codes */
		out->un.mtu = get_be16(buf + 6);
	} else if (out->type == ICMP_PARAMETERPROB) {
		out->un.pointer = buf[4]; /* RFC 792: pointer | unused(24) */
	} else {
		/* REDIRECT gateway address, or raw bytes for other types */
		out->un.raw = get_be32(buf + 4);
	}
	out->data = buf + ICMP_HLEN;
	out->data_len = len - ICMP_HLEN;
	return WIRE_OK;
}

int icmp_emit(const struct icmp_repr *r, uint8_t *buf, size_t len)
{
	if (len < ICMP_HLEN || len - ICMP_HLEN < r->data_len)
		return WIRE_ETRUNC;
	buf[0] = r->type;
	buf[1] = r->code;
	put_be16(buf + 2, 0);
	if (icmp_has_echo_fields(r->type)) {
		put_be16(buf + 4, r->un.echo.id);
		put_be16(buf + 6, r->un.echo.seq);
	} else if (r->type == ICMP_DEST_UNREACH) {
		put_be16(buf + 4, 0);
		put_be16(buf + 6, r->un.mtu);
	} else if (r->type == ICMP_PARAMETERPROB) {
		put_be32(buf + 4, (uint32_t)r->un.pointer << 24);
	} else {
		put_be32(buf + 4, r->un.raw);
	}
	if (r->data_len && r->data != buf + ICMP_HLEN)
		memmove(buf + ICMP_HLEN, r->data, r->data_len);
	size_t total = ICMP_HLEN + r->data_len;
	put_be16(buf + 2, csum_fold(csum_partial(buf, total, 0)));
	return (int)total;
}

int icmp_parse_inner(const struct icmp_repr *r, struct ipv4_repr *ip,
		     const uint8_t **l4, size_t *l4_len)
{
	if (!icmp_is_error(r->type))
		return WIRE_EBADVAL;
	int err = ipv4_parse(r->data, r->data_len,
			     IPV4_PARSE_NO_CSUM | IPV4_PARSE_TRUNC_OK, ip);
	if (err)
		return err;
	size_t hlen = ipv4_hdr_len(ip);
	size_t n = NS_MIN(r->data_len, (size_t)ip->tot_len) - hlen;
	/* RFC 792: internet header + 64 bits of original data datagram */
	if (n < 8)
		return WIRE_ETRUNC;
	*l4 = r->data + hlen;
	*l4_len = n;
	return WIRE_OK;
}
