/* icmpv6.c - RFC 4443 ICMPv6 and RFC 4861 NDP codecs (see icmpv6.h). */
#include "wire/icmpv6.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "core/compiler.h"

int icmpv6_parse(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		 const uint8_t daddr[16], unsigned flags, struct icmpv6_repr *out)
{
	if (len < ICMPV6_HLEN)
		return WIRE_ETRUNC;
	/* RFC 4443 2.3: checksum over the pseudo-header and the whole message */
	if (!(flags & ICMPV6_PARSE_NO_CSUM) &&
	    csum_ipv6_magic(saddr, daddr, (uint32_t)len, IPPROTO_ICMPV6,
			    csum_partial(buf, len, 0)) != 0)
		return WIRE_EBADCSUM;
	memset(out, 0, sizeof(*out));
	out->type = buf[0];
	out->code = buf[1];
	out->check = get_be16(buf + 2);
	if (out->type == ICMPV6_ECHO_REQUEST || out->type == ICMPV6_ECHO_REPLY) {
		out->un.echo.id = get_be16(buf + 4);  /* RFC 4443 4.1 */
		out->un.echo.seq = get_be16(buf + 6);
	} else {
		out->un.raw = get_be32(buf + 4);  /* MTU (3.2), pointer (3.4), ... */
	}
	out->data = buf + ICMPV6_HLEN;
	out->data_len = len - ICMPV6_HLEN;
	return WIRE_OK;
}

int icmpv6_emit(const struct icmpv6_repr *r, uint8_t *buf, size_t len,
		const uint8_t saddr[16], const uint8_t daddr[16])
{
	if (len < ICMPV6_HLEN || len - ICMPV6_HLEN < r->data_len)
		return WIRE_ETRUNC;
	if (r->data_len && r->data != buf + ICMPV6_HLEN)
		memmove(buf + ICMPV6_HLEN, r->data, r->data_len);
	buf[0] = r->type;
	buf[1] = r->code;
	put_be16(buf + 2, 0);
	if (r->type == ICMPV6_ECHO_REQUEST || r->type == ICMPV6_ECHO_REPLY) {
		put_be16(buf + 4, r->un.echo.id);
		put_be16(buf + 6, r->un.echo.seq);
	} else {
		put_be32(buf + 4, r->un.raw);
	}
	size_t total = ICMPV6_HLEN + r->data_len;
	put_be16(buf + 2, csum_ipv6_magic(saddr, daddr, (uint32_t)total, IPPROTO_ICMPV6,
					  csum_partial(buf, total, 0)));
	return (int)total;
}

/* ---- NDP ---- */

/* Bytes of fixed body after the 8-byte ICMPv6 header, RFC 4861 4.1-4.5 */
static int ndp_body_len(uint8_t type)
{
	switch (type) {
	case NDISC_ROUTER_SOLICITATION:    return 0;   /* 4.1: reserved word only */
	case NDISC_ROUTER_ADVERTISEMENT:   return 8;   /* 4.2: reachable, retrans */
	case NDISC_NEIGHBOUR_SOLICITATION: return 16;  /* 4.3: target */
	case NDISC_NEIGHBOUR_ADVERTISEMENT: return 16; /* 4.4: target */
	case NDISC_REDIRECT:               return 32;  /* 4.5: target, destination */
	default:                           return -1;
	}
}

int ndp_opt_next(const uint8_t *opts, size_t len, size_t *off, struct ndp_opt *opt)
{
	size_t i = *off;
	if (i >= len)
		return 0;
	if (len - i < 2)
		return WIRE_EBADOPT;
	size_t olen = (size_t)opts[i + 1] * 8; /* RFC 4861 4.6: units of 8 octets */
	if (olen == 0 || olen > len - i)      /* 4.6: length 0 -> discard packet */
		return WIRE_EBADOPT;
	opt->type = opts[i];
	opt->len = olen;
	opt->data = opts + i;
	*off = i + olen;
	return 1;
}

int ndp_parse(const struct icmpv6_repr *icmp, struct ndp_repr *out)
{
	int body = ndp_body_len(icmp->type);
	if (body < 0)
		return WIRE_EUNSUPP;
	/* RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1: ICMP Code is 0 */
	if (icmp->code != 0)
		return WIRE_EBADVAL;
	/* ... and ICMP length (derived from the IP length) is at least N */
	if (icmp->data_len < (size_t)body)
		return WIRE_ETRUNC;
	memset(out, 0, sizeof(*out));
	out->type = icmp->type;
	const uint8_t *d = icmp->data;
	uint32_t w = icmp->un.raw;

	switch (icmp->type) {
	case NDISC_ROUTER_ADVERTISEMENT:
		out->cur_hop_limit = (uint8_t)(w >> 24);
		out->ra_flags = (uint8_t)(w >> 16);
		out->router_lifetime = (uint16_t)w;
		out->reachable_time = get_be32(d);
		out->retrans_timer = get_be32(d + 4);
		break;
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		out->router = w & ND_NA_FLAG_ROUTER;
		out->solicited = w & ND_NA_FLAG_SOLICITED;
		out->override = w & ND_NA_FLAG_OVERRIDE;
		/* fall through */
	case NDISC_NEIGHBOUR_SOLICITATION:
		memcpy(out->target, d, 16);
		if (out->target[0] == 0xff) /* 7.1.1/7.1.2: not a multicast address */
			return WIRE_EBADVAL;
		break;
	case NDISC_REDIRECT:
		memcpy(out->target, d, 16);
		memcpy(out->dest, d + 16, 16);
		if (out->dest[0] == 0xff) /* 8.1: destination is not multicast */
			return WIRE_EBADVAL;
		break;
	default:
		break;
	}
	out->opts = d + body;
	out->opts_len = icmp->data_len - (size_t)body;
	if (!out->opts_len)
		out->opts = NULL;

	/* 6.1.x/7.1.x/8.1: all included options have a length > 0 */
	size_t off = 0;
	struct ndp_opt o;
	int rc;
	while ((rc = ndp_opt_next(out->opts, out->opts_len, &off, &o)) > 0)
		;
	return rc < 0 ? rc : WIRE_OK;
}

int ndp_emit(const struct ndp_repr *r, uint8_t *buf, size_t len,
	     const uint8_t saddr[16], const uint8_t daddr[16])
{
	int body = ndp_body_len(r->type);
	if (body < 0)
		return WIRE_EUNSUPP;
	if (r->opts_len % 8 || (r->opts_len && !r->opts))
		return WIRE_EBADOPT;
	size_t total = ICMPV6_HLEN + (size_t)body + r->opts_len;
	if (len < total)
		return WIRE_ETRUNC;
	uint8_t *d = buf + ICMPV6_HLEN;
	if (r->opts_len && r->opts != d + body)
		memmove(d + body, r->opts, r->opts_len);

	struct icmpv6_repr ic = { .type = r->type, .code = 0, .data = d,
				  .data_len = (size_t)body + r->opts_len };
	switch (r->type) {
	case NDISC_ROUTER_ADVERTISEMENT:
		ic.un.raw = ((uint32_t)r->cur_hop_limit << 24) | ((uint32_t)r->ra_flags << 16) |
			    r->router_lifetime;
		put_be32(d, r->reachable_time);
		put_be32(d + 4, r->retrans_timer);
		break;
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		ic.un.raw = (r->router ? ND_NA_FLAG_ROUTER : 0) |
			    (r->solicited ? ND_NA_FLAG_SOLICITED : 0) |
			    (r->override ? ND_NA_FLAG_OVERRIDE : 0);
		memcpy(d, r->target, 16);
		break;
	case NDISC_NEIGHBOUR_SOLICITATION:
		memcpy(d, r->target, 16);
		break;
	case NDISC_REDIRECT:
		memcpy(d, r->target, 16);
		memcpy(d + 16, r->dest, 16);
		break;
	default:
		break;
	}
	return icmpv6_emit(&ic, buf, len, saddr, daddr);
}

int ndp_opt_lladdr(const struct ndp_opt *o, uint8_t mac[6])
{
	if (o->type != ND_OPT_SOURCE_LL_ADDR && o->type != ND_OPT_TARGET_LL_ADDR)
		return WIRE_EBADVAL;
	if (o->len != 8) /* RFC 4861 4.6.1 for Ethernet (RFC 2464 8): Length 1 */
		return WIRE_EUNSUPP;
	memcpy(mac, o->data + 2, 6);
	return WIRE_OK;
}

int ndp_opt_emit_lladdr(uint8_t type, const uint8_t mac[6], uint8_t *buf, size_t len)
{
	if (len < 8)
		return WIRE_ETRUNC;
	buf[0] = type;
	buf[1] = 1;
	memcpy(buf + 2, mac, 6);
	return 8;
}

int ndp_opt_prefix_info(const struct ndp_opt *o, struct ndp_prefix_info *out)
{
	if (o->type != ND_OPT_PREFIX_INFO)
		return WIRE_EBADVAL;
	if (o->len != 32) /* RFC 4861 4.6.2: Length 4 */
		return WIRE_EBADOPT;
	const uint8_t *d = o->data;
	if (d[2] > 128)
		return WIRE_EBADVAL;
	out->prefix_len = d[2];
	out->onlink = d[3] & ND_PREFIX_FLAG_ONLINK;
	out->autoconf = d[3] & ND_PREFIX_FLAG_AUTO;
	out->valid_lft = get_be32(d + 4);
	out->preferred_lft = get_be32(d + 8);
	memcpy(out->prefix, d + 16, 16);
	return WIRE_OK;
}

int ndp_opt_emit_prefix_info(const struct ndp_prefix_info *p, uint8_t *buf, size_t len)
{
	if (p->prefix_len > 128)
		return WIRE_EBADVAL;
	if (len < 32)
		return WIRE_ETRUNC;
	buf[0] = ND_OPT_PREFIX_INFO;
	buf[1] = 4;
	buf[2] = p->prefix_len;
	buf[3] = (uint8_t)((p->onlink ? ND_PREFIX_FLAG_ONLINK : 0) |
			   (p->autoconf ? ND_PREFIX_FLAG_AUTO : 0));
	put_be32(buf + 4, p->valid_lft);
	put_be32(buf + 8, p->preferred_lft);
	put_be32(buf + 12, 0);
	memcpy(buf + 16, p->prefix, 16);
	return 32;
}

int ndp_opt_mtu(const struct ndp_opt *o, uint32_t *mtu)
{
	if (o->type != ND_OPT_MTU)
		return WIRE_EBADVAL;
	if (o->len != 8) /* RFC 4861 4.6.4: Length 1 */
		return WIRE_EBADOPT;
	*mtu = get_be32(o->data + 4);
	return WIRE_OK;
}

int ndp_opt_emit_mtu(uint32_t mtu, uint8_t *buf, size_t len)
{
	if (len < 8)
		return WIRE_ETRUNC;
	buf[0] = ND_OPT_MTU;
	buf[1] = 1;
	put_be16(buf + 2, 0);
	put_be32(buf + 4, mtu);
	return 8;
}
