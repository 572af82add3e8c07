/* ipv4.c - RFC 791 IPv4 header parse/emit (see ipv4.h). */
#include "wire/ipv4.h"
#include "wire/checksum.h"
#include "core/compiler.h"

int ipv4_parse(const uint8_t *buf, size_t len, unsigned flags, struct ipv4_repr *out)
{
	if (len < IPV4_HLEN_MIN)
		return WIRE_ETRUNC;
	if ((buf[0] >> 4) != 4) /* RFC 791 3.1 Version */
		return WIRE_EBADVER;
	size_t hlen = (size_t)(buf[0] & 0x0f) * 4;
	if (hlen < IPV4_HLEN_MIN) /* RFC 791 3.1 IHL: minimum value is 5 */
		return WIRE_EBADLEN;
	if (len < hlen)
		return WIRE_ETRUNC;
	uint16_t tot_len = get_be16(buf + 2);
	if (tot_len < hlen) /* RFC 791 3.1 Total Length includes the header */
		return WIRE_EBADLEN;
	if (tot_len > len && !(flags & IPV4_PARSE_TRUNC_OK))
		return WIRE_EBADLEN;
	/* RFC 791 3.1 Header Checksum; RFC 1071: a correct header sums to 0 */
	if (!(flags & IPV4_PARSE_NO_CSUM) && ip_fast_csum(buf, (unsigned int)hlen) != 0)
		return WIRE_EBADCSUM;

	uint16_t frag = get_be16(buf + 6);
	out->tos = buf[1];
	out->tot_len = tot_len;
	out->id = get_be16(buf + 4);
	out->rf = frag & IP_CE;
	out->df = frag & IP_DF;
	out->mf = frag & IP_MF;
	out->frag_off = frag & IP_OFFSET;
	out->ttl = buf[8];
	out->protocol = buf[9];
	out->check = get_be16(buf + 10);
	out->saddr = get_be32(buf + 12);
	out->daddr = get_be32(buf + 16);
	out->opts_len = hlen - IPV4_HLEN_MIN;
	out->opts = out->opts_len ? buf + IPV4_HLEN_MIN : NULL;
	return WIRE_OK;
}

int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t len)
{
	size_t hlen = ipv4_hdr_len(r);
	/* RFC 791 3.1: options pad the header to a 32-bit boundary, IHL <= 15 */
	if ((r->opts_len & 3) || r->opts_len > IPV4_OPTS_MAX || r->tot_len < hlen ||
	    r->frag_off > IP_OFFSET || (r->opts_len && !r->opts))
		return WIRE_EBADLEN;
	if (len < hlen)
		return WIRE_ETRUNC;
	buf[0] = (uint8_t)(0x40 | (hlen / 4));
	buf[1] = r->tos;
	put_be16(buf + 2, r->tot_len);
	put_be16(buf + 4, r->id);
	put_be16(buf + 6, (uint16_t)((r->rf ? IP_CE : 0) | (r->df ? IP_DF : 0) |
				     (r->mf ? IP_MF : 0) | r->frag_off));
	buf[8] = r->ttl;
	buf[9] = r->protocol;
	put_be16(buf + 10, 0);
	put_be32(buf + 12, r->saddr);
	put_be32(buf + 16, r->daddr);
	if (r->opts_len)
		memmove(buf + IPV4_HLEN_MIN, r->opts, r->opts_len);
	/* RFC 791 3.1 Header Checksum over the zeroed field */
	uint16_t check = ip_fast_csum(buf, (unsigned int)hlen);

	memcpy(buf + 10, &check, 2);
	return (int)hlen;
}
