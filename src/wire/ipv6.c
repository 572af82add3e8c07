/* ipv6.c - RFC 8200 IPv6 header, extension headers and options (see ipv6.h). */
#include "wire/ipv6.h"
#include "core/compiler.h"

int ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_repr *out)
{
	if (len < IPV6_HLEN)
		return WIRE_ETRUNC;
	uint32_t w = get_be32(buf);
	if ((w >> 28) != 6) /* RFC 8200 3: Version = 6 */
		return WIRE_EBADVER;
	uint16_t plen = get_be16(buf + 4);
	if (plen > len - IPV6_HLEN) /* RFC 8200 3: Payload Length */
		return WIRE_EBADLEN;
	out->tclass = (uint8_t)(w >> 20);
	out->flow_label = w & IPV6_FLOWLABEL_MASK;
	out->payload_len = plen;
	out->nexthdr = buf[6];
	out->hop_limit = buf[7];
	memcpy(out->saddr, buf + 8, 16);
	memcpy(out->daddr, buf + 24, 16);
	return WIRE_OK;
}

int ipv6_emit(const struct ipv6_repr *r, uint8_t *buf, size_t len)
{
	if (r->flow_label > IPV6_FLOWLABEL_MASK)
		return WIRE_EBADVAL;
	if (len < IPV6_HLEN)
		return WIRE_ETRUNC;
	put_be32(buf, (6u << 28) | ((uint32_t)r->tclass << 20) | r->flow_label);
	put_be16(buf + 4, r->payload_len);
	buf[6] = r->nexthdr;
	buf[7] = r->hop_limit;
	memcpy(buf + 8, r->saddr, 16);
	memcpy(buf + 24, r->daddr, 16);
	return IPV6_HLEN;
}

bool ipv6_ext_hdr(uint8_t nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
		return true;
	default:
		return false;
	}
}

int ipv6_ext_walk(const uint8_t *buf, size_t len, uint8_t nexthdr, unsigned max_hdrs,
		  size_t max_bytes, struct ipv6_ext_info *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	out->nexthdr_off = SIZE_MAX;
	while (ipv6_ext_hdr(nexthdr)) {
		/* RFC 8200 4.1: Hop-by-Hop must immediately follow the IPv6 header */
		if (nexthdr == IPPROTO_HOPOPTS && out->nhdrs > 0)
			return WIRE_EBADVAL;
		if (out->nhdrs >= max_hdrs)
			return WIRE_ELIMIT;
		if (len - off < 2)
			return WIRE_ETRUNC;
		size_t hlen;
		if (nexthdr == IPPROTO_FRAGMENT)
			hlen = IPV6_FRAG_HLEN;                /* RFC 8200 4.5 */
		else if (nexthdr == IPPROTO_AH)
			hlen = ((size_t)buf[off + 1] + 2) * 4; /* RFC 4302 2.2 */
		else
			hlen = ((size_t)buf[off + 1] + 1) * 8; /* RFC 8200 4.3, 4.4, 4.6 */
		if (hlen > len - off)
			return WIRE_ETRUNC;
		if (off + hlen > max_bytes)
			return WIRE_ELIMIT;
		out->nexthdr_off = off;
		out->nhdrs++;
		uint8_t next = buf[off];
		if (nexthdr == IPPROTO_FRAGMENT) {
			out->frag = true;
			out->frag_hdr_off = off;
			out->frag_off = get_be16(buf + off + 2) >> 3;
			if (out->frag_off) {
				/* RFC 8200 4.5: only the first fragment carries the
				 * rest of the chain; stop here. */
				out->proto = next;
				out->offset = off + hlen;
				return WIRE_OK;
			}
		}
		nexthdr = next;
		off += hlen;
	}
	out->proto = nexthdr;
	out->offset = off;
	return WIRE_OK;
}

int ipv6_frag_parse(const uint8_t *buf, size_t len, struct ipv6_frag_repr *out)
{
	if (len < IPV6_FRAG_HLEN)
		return WIRE_ETRUNC;
	/* RFC 8200 4.5: next(8) res(8) offset(13) res(2) M(1) id(32) */
	uint16_t w = get_be16(buf + 2);
	out->nexthdr = buf[0];
	out->frag_off = w >> 3;
	out->mf = w & 1;
	out->id = get_be32(buf + 4);
	return WIRE_OK;
}

int ipv6_frag_emit(const struct ipv6_frag_repr *r, uint8_t *buf, size_t len)
{
	if (r->frag_off > 0x1fff)
		return WIRE_EBADVAL;
	if (len < IPV6_FRAG_HLEN)
		return WIRE_ETRUNC;
	buf[0] = r->nexthdr;
	buf[1] = 0;
	put_be16(buf + 2, (uint16_t)((r->frag_off << 3) | (r->mf ? 1 : 0)));
	put_be32(buf + 4, r->id);
	return IPV6_FRAG_HLEN;
}

int ipv6_opthdr_len(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return WIRE_ETRUNC;
	size_t hlen = ((size_t)buf[1] + 1) * 8; /* RFC 8200 4.3/4.4/4.6 */
	if (hlen > len)
		return WIRE_ETRUNC;
	return (int)hlen;
}

int ipv6_rt_parse(const uint8_t *buf, size_t len, struct ipv6_rt_repr *out)
{
	if (len < 8) /* RFC 8200 4.4: at least one 8-octet unit */
		return WIRE_ETRUNC;
	int hlen = ipv6_opthdr_len(buf, len);
	if (hlen < 0)
		return hlen;
	out->nexthdr = buf[0];
	out->hdr_len = (size_t)hlen;
	out->type = buf[2];
	out->segments_left = buf[3];
	out->data = buf + 4;
	out->data_len = (size_t)hlen - 4;
	return WIRE_OK;
}

int ipv6_opt_next(const uint8_t *hdr, size_t hdr_len, size_t *off, struct ipv6_opt *opt)
{
	size_t i = *off < 2 ? 2 : *off; /* options follow Next Header, Hdr Ext Len */

	while (i < hdr_len) {
		uint8_t type = hdr[i];
		if (type == IPV6_TLV_PAD1) { /* RFC 8200 4.2: Pad1 has no length */
			i++;
			continue;
		}
		if (hdr_len - i < 2)
			return WIRE_EBADOPT;
		uint8_t olen = hdr[i + 1];
		if (olen > hdr_len - i - 2)
			return WIRE_EBADOPT;
		size_t at = i;
		i += 2 + (size_t)olen;
		if (type == IPV6_TLV_PADN)
			continue;
		opt->type = type;
		opt->len = olen;
		opt->data = hdr + at + 2;
		opt->off = at;
		*off = i;
		return 1;
	}
	*off = i;
	return 0;
}
