/* tcp.c - RFC 9293 TCP header and options parse/emit (see tcp.h). */
#include "wire/tcp.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "core/compiler.h"

/* tcp_parse_options past its inline NOP NOP TIMESTAMP case (wire/tcp.h) */
int tcp_parse_options_slow(const uint8_t *buf, size_t len, struct tcp_options *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		uint8_t kind = buf[i];
		if (kind == TCPOPT_EOL) /* RFC 9293 3.2: end of option list */
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		/* RFC 9293 3.2: every other option has a length octet that
		 * counts kind and length; 0/1 or past the header is illegal. */
		if (len - i < 2)
			return WIRE_EBADOPT;
		uint8_t olen = buf[i + 1];
		if (olen < 2 || olen > len - i)
			return WIRE_EBADOPT;
		const uint8_t *p = buf + i + 2;

		switch (kind) {
		case TCPOPT_MSS: /* RFC 9293 3.7.1 */
			if (olen == TCPOLEN_MSS) {
				uint16_t mss = get_be16(p);
				if (mss) { /* Linux ignores MSS 0 */
					out->mss_ok = true;
					out->mss = mss;
				}
			}
			break;
		case TCPOPT_WINDOW: /* RFC 7323 2.2 */
			if (olen == TCPOLEN_WINDOW) {
				out->ws_ok = true;
				out->ws = p[0];
				if (out->ws > TCP_MAX_WSCALE) {
					/* RFC 7323 2.3: use 14, log the error */
					out->ws = TCP_MAX_WSCALE;
					out->ws_clamped = true;
				}
			}
			break;
		case TCPOPT_SACK_PERM: /* RFC 2018 2 */
			if (olen == TCPOLEN_SACK_PERM)
				out->sack_ok = true;
			break;
		case TCPOPT_SACK: { /* RFC 2018 3: 2 + 8n bytes */
			size_t n = (size_t)(olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;
			if ((olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK == 0 &&
			    n >= 1 && n <= TCP_NUM_SACKS) {
				out->num_sacks = (uint8_t)n;
				for (size_t k = 0; k < n; k++) {
					out->sacks[k].start = get_be32(p + 8 * k);
					out->sacks[k].end = get_be32(p + 8 * k + 4);
				}
			}
			break;
		}
		case TCPOPT_TIMESTAMP: /* RFC 7323 3.2 */
			if (olen == TCPOLEN_TIMESTAMP) {
				out->ts_ok = true;
				out->tsval = get_be32(p);
				out->tsecr = get_be32(p + 4);
			}
			break;
		default: /* RFC 9293 3.2 MUST-6: skip unknown options by length */
			break;
		}
		i += olen;
	}
	return WIRE_OK;
}

static inline uint8_t *put_word(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
	return p + 4;
}

int tcp_options_emit(const struct tcp_options *o, uint8_t *buf, size_t len)
{
	if (o->ws_ok && o->ws > TCP_MAX_WSCALE)
		return WIRE_EBADOPT;
	if (o->num_sacks > TCP_NUM_SACKS)
		return WIRE_EBADOPT;
	size_t need = 0;
	if (o->mss_ok)
		need += 4;
	if (o->ts_ok)
		need += 12;
	else if (o->sack_ok)
		need += 4;
	if (o->ws_ok)
		need += 4;
	if (o->num_sacks)
		need += 4 + 8 * (size_t)o->num_sacks;
	if (need > TCP_OPTS_MAX)
		return WIRE_EBADOPT;
	if (len < need)
		return WIRE_ETRUNC;

	uint8_t *p = buf;
	if (o->mss_ok) {
		p = put_word(p, TCPOPT_MSS, TCPOLEN_MSS, 0, 0);
		put_be16(p - 2, o->mss);
	}
	if (o->ts_ok) {
		if (o->sack_ok) /* SACK_PERM folded into the timestamp word */
			p = put_word(p, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM,
				     TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP);
		else
			p = put_word(p, TCPOPT_NOP, TCPOPT_NOP,
				     TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP);
		put_be32(p, o->tsval);
		put_be32(p + 4, o->tsecr);
		p += 8;
	} else if (o->sack_ok) {
		p = put_word(p, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM);
	}
	if (o->ws_ok)
		p = put_word(p, TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, o->ws);
	if (o->num_sacks) {
		p = put_word(p, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK,
			     (uint8_t)(TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK * o->num_sacks));
		for (unsigned k = 0; k < o->num_sacks; k++) {
			put_be32(p, o->sacks[k].start);
			put_be32(p + 4, o->sacks[k].end);
			p += 8;
		}
	}
	return (int)(p - buf);
}

/* tcp_parse's body, inlined into tcp_parse_ipv4/6 too: once per
 * received segment */
static inline __attribute__((always_inline)) int tcp_parse_hdr(const uint8_t *buf, size_t len,
							       struct tcp_repr *out,
							       struct tcp_options *opts)
{
	if (len < TCP_HLEN_MIN)
		return WIRE_ETRUNC;
	size_t hlen = (size_t)(buf[12] >> 4) * 4;
	/* RFC 9293 3.1 Data Offset: header length in 32-bit words, >= 5 */
	if (hlen < TCP_HLEN_MIN || hlen > len)
		return WIRE_EBADLEN;
	if (opts) {
		int err = tcp_parse_options(buf + TCP_HLEN_MIN, hlen - TCP_HLEN_MIN, opts);
		if (err)
			return err;
	}
	out->sport = get_be16(buf);
	out->dport = get_be16(buf + 2);
	out->seq = get_be32(buf + 4);
	out->ack_seq = get_be32(buf + 8);
	out->res = buf[12] & 0x0f;
	out->flags = buf[13];
	out->window = get_be16(buf + 14);
	out->check = get_be16(buf + 16);
	out->urg_ptr = get_be16(buf + 18);
	out->opts_len = hlen - TCP_HLEN_MIN;
	out->opts = out->opts_len ? buf + TCP_HLEN_MIN : NULL;
	out->payload = buf + hlen;
	out->payload_len = len - hlen;
	return WIRE_OK;
}

int tcp_parse(const uint8_t *buf, size_t len, struct tcp_repr *out, struct tcp_options *opts)
{
	return tcp_parse_hdr(buf, len, out, opts);
}

int tcp_verify_ipv4(const uint8_t *buf, size_t len, uint32_t saddr, uint32_t daddr)
{
	/* RFC 9293 3.1 Checksum: pseudo-header + header + data */
	if (csum_tcpudp_magic(saddr, daddr, (uint32_t)len, IPPROTO_TCP,
			      csum_partial(buf, len, 0)) != 0)
		return WIRE_EBADCSUM;
	return WIRE_OK;
}

int tcp_verify_ipv6(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		    const uint8_t daddr[16])
{
	/* RFC 9293 3.1, RFC 8200 8.1 */
	if (csum_ipv6_magic(saddr, daddr, (uint32_t)len, IPPROTO_TCP,
			    csum_partial(buf, len, 0)) != 0)
		return WIRE_EBADCSUM;
	return WIRE_OK;
}

int tcp_parse_ipv4(const uint8_t *buf, size_t len, uint32_t saddr, uint32_t daddr,
		   unsigned flags, struct tcp_repr *out, struct tcp_options *opts)
{
	int err = tcp_parse_hdr(buf, len, out, opts);
	if (err || (flags & TCP_PARSE_NO_CSUM))
		return err;
	return tcp_verify_ipv4(buf, len, saddr, daddr);
}

int tcp_parse_ipv6(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		   const uint8_t daddr[16], unsigned flags, struct tcp_repr *out,
		   struct tcp_options *opts)
{
	int err = tcp_parse_hdr(buf, len, out, opts);
	if (err || (flags & TCP_PARSE_NO_CSUM))
		return err;
	return tcp_verify_ipv6(buf, len, saddr, daddr);
}

/* Header, options and payload with a zero checksum; returns the length. */
static int tcp_emit_raw(const struct tcp_repr *r, uint8_t *buf, size_t len)
{
	if ((r->opts_len & 3) || r->opts_len > TCP_OPTS_MAX || (r->opts_len && !r->opts))
		return WIRE_EBADLEN;
	size_t hlen = tcp_hdr_len(r);
	if (r->payload_len > 0xffff - hlen)
		return WIRE_EBADLEN;
	size_t total = hlen + r->payload_len;
	if (len < total)
		return WIRE_ETRUNC;
	/* Payload first: it may overlap where the caller staged it. */
	if (r->payload_len && r->payload != buf + hlen)
		memmove(buf + hlen, r->payload, r->payload_len);
	if (r->opts_len && r->opts != buf + TCP_HLEN_MIN)
		memmove(buf + TCP_HLEN_MIN, r->opts, r->opts_len);
	put_be16(buf, r->sport);
	put_be16(buf + 2, r->dport);
	put_be32(buf + 4, r->seq);
	put_be32(buf + 8, r->ack_seq);
	buf[12] = (uint8_t)((hlen / 4) << 4 | (r->res & 0x0f));
	buf[13] = r->flags;
	put_be16(buf + 14, r->window);
	put_be16(buf + 16, 0);
	put_be16(buf + 18, r->urg_ptr);
	return (int)total;
}

/* A partial checksum field holds the pseudo-header sum: summing the whole
 * segment over it gives the checksum (what skb_checksum_help does later). */
static int tcp_complete_csum(uint8_t *buf, int n)
{
	if (n >= 0)
		put_be16(buf + 16, csum_fold(csum_partial(buf, (size_t)n, 0)));
	return n;
}

int tcp_emit_ipv4(const struct tcp_repr *r, uint8_t *buf, size_t len,
		  uint32_t saddr, uint32_t daddr)
{
	return tcp_complete_csum(buf, tcp_emit_ipv4_partial(r, buf, len, saddr, daddr));
}

int tcp_emit_ipv6(const struct tcp_repr *r, uint8_t *buf, size_t len,
		  const uint8_t saddr[16], const uint8_t daddr[16])
{
	return tcp_complete_csum(buf, tcp_emit_ipv6_partial(r, buf, len, saddr, daddr));
}

int tcp_emit_ipv4_partial(const struct tcp_repr *r, uint8_t *buf, size_t len,
			  uint32_t saddr, uint32_t daddr)
{
	int n = tcp_emit_raw(r, buf, len);
	if (n < 0)
		return n;
	put_be16(buf + 16, (uint16_t)~csum_tcpudp_magic(saddr, daddr, (uint32_t)n, IPPROTO_TCP, 0));
	return n;
}

int tcp_emit_ipv6_partial(const struct tcp_repr *r, uint8_t *buf, size_t len,
			  const uint8_t saddr[16], const uint8_t daddr[16])
{
	int n = tcp_emit_raw(r, buf, len);
	if (n < 0)
		return n;
	put_be16(buf + 16, (uint16_t)~csum_ipv6_magic(saddr, daddr, (uint32_t)n, IPPROTO_TCP, 0));
	return n;
}
