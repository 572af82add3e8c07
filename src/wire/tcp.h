/* tcp.h - RFC 9293 TCP header codec, pseudo-header checksums and the TCP
 * options parser/emitter (RFC 9293 3.1-3.2, RFC 7323 window scale and
 * timestamps, RFC 2018 SACK).  Read tcp_parse() and tcp_options_emit()
 * first; the emitter reproduces Linux's tcp_options_write() byte layout. */
#ifndef NSTACK_WIRE_TCP_H
#define NSTACK_WIRE_TCP_H

#include <string.h>

#include "core/compiler.h"
#include "wire/wire.h"

#define TCP_HLEN_MIN 20
#define TCP_HLEN_MAX 60
#define TCP_OPTS_MAX 40

/* Control bits, RFC 9293 3.1 (+ RFC 3168 ECE/CWR) */
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10
#define TCP_FLAG_URG 0x20
#define TCP_FLAG_ECE 0x40
#define TCP_FLAG_CWR 0x80

/* Option kinds (RFC 9293 3.2, RFC 7323, RFC 2018) and lengths */
#define TCPOPT_EOL        0
#define TCPOPT_NOP        1
#define TCPOPT_MSS        2
#define TCPOPT_WINDOW     3
#define TCPOPT_SACK_PERM  4
#define TCPOPT_SACK       5
#define TCPOPT_TIMESTAMP  8
#define TCPOLEN_MSS       4
#define TCPOLEN_WINDOW    3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_PERBLOCK 8
#define TCPOLEN_TIMESTAMP 10
#define TCP_MAX_WSCALE    14   /* RFC 7323 2.3 */
#define TCP_NUM_SACKS     4    /* 2 + 4*8 = 34 <= 40 */

#define TCP_PARSE_NO_CSUM 0x1

struct tcp_repr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack_seq;
	uint8_t flags;           /* TCP_FLAG_* */
	uint8_t res;             /* the 4 reserved bits as received (RFC 9293 3.1) */
	uint16_t window;         /* raw, unscaled */
	uint16_t check;          /* as received; computed by emit */
	uint16_t urg_ptr;
	const uint8_t *opts;     /* option bytes (doff*4 - 20 of them), or NULL */
	size_t opts_len;         /* multiple of 4, <= 40 */
	const uint8_t *payload;
	size_t payload_len;
};

struct tcp_sack_block {
	uint32_t start;
	uint32_t end;
};

/* Parsed options, host order.  *_ok says the option was present and
 * well-formed.  Options are reported whatever the segment's flags; the
 * caller applies "only on SYN" rules (RFC 9293 3.7.1, RFC 7323 2.2). */
struct tcp_options {
	bool mss_ok;
	bool ws_ok;
	bool ws_clamped;         /* received shift > 14, clamped (RFC 7323 2.3) */
	bool sack_ok;            /* SACK-permitted */
	bool ts_ok;
	uint8_t ws;              /* shift count, 0..14 */
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t num_sacks;       /* 0..4 */
	struct tcp_sack_block sacks[TCP_NUM_SACKS];
};

static inline size_t tcp_hdr_len(const struct tcp_repr *r)
{
	return TCP_HLEN_MIN + r->opts_len;
}

/* Parse a segment of @len bytes (the IP payload).  WIRE_ETRUNC if len < 20;
 * WIRE_EBADLEN if data offset < 5 or data offset * 4 > len.  If @opts is not
 * NULL, options are parsed too and a malformed one gives WIRE_EBADOPT.
 * No checksum check here: see tcp_verify_ipv4/6 and tcp_parse_ipv4/6. */
int tcp_parse(const uint8_t *buf, size_t len, struct tcp_repr *out, struct tcp_options *opts);
int tcp_verify_ipv4(const uint8_t *buf, size_t len, uint32_t saddr, uint32_t daddr);
int tcp_verify_ipv6(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		    const uint8_t daddr[16]);
int tcp_parse_ipv4(const uint8_t *buf, size_t len, uint32_t saddr, uint32_t daddr,
		   unsigned flags, struct tcp_repr *out, struct tcp_options *opts);
int tcp_parse_ipv6(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		   const uint8_t daddr[16], unsigned flags, struct tcp_repr *out,
		   struct tcp_options *opts);

/* Parse option bytes.  EOL ends the list; unknown kinds are skipped by their
 * length (RFC 9293 3.2 MUST-6); a known kind with the wrong length is
 * ignored as Linux does; MSS 0 is ignored (mss_ok stays false).  An option
 * with length 0 or 1, or one running past @len, gives WIRE_EBADOPT
 * (RFC 9293 3.2 MUST-7) without reading past @len. */
int tcp_parse_options_slow(const uint8_t *buf, size_t len, struct tcp_options *out);
static inline int tcp_parse_options(const uint8_t *buf, size_t len, struct tcp_options *out)
{
	/* Linux's tcp_fast_parse_options, inline: nearly every segment after
	 * the handshake carries exactly NOP NOP TIMESTAMP (RFC 7323
	 * appendix A layout) */
	if (len == 12 && get_be32(buf) == ((uint32_t)TCPOPT_NOP << 24 | TCPOPT_NOP << 16 |
					   TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP)) {
		memset(out, 0, sizeof(*out));
		out->ts_ok = true;
		out->tsval = get_be32(buf + 4);
		out->tsecr = get_be32(buf + 8);
		return WIRE_OK;
	}
	return tcp_parse_options_slow(buf, len, out);
}

/* Write options in Linux's tcp_options_write() order:
 *   MSS | SACK_PERM+TS (04 02 08 0a) or NOP NOP TS or NOP NOP SACK_PERM
 *       | NOP WS | NOP NOP SACK blocks
 * so a SYN with all four is the 20-byte "MSS SACKOK TS NOP WS", an
 * established segment is "NOP NOP TS" (+ "NOP NOP SACK...").  Returns the
 * length (a multiple of 4), WIRE_ETRUNC, or WIRE_EBADOPT if the result
 * would exceed 40 bytes, ws > 14 or num_sacks > 4. */
int tcp_options_emit(const struct tcp_options *o, uint8_t *buf, size_t len);

/* Write header (+ options from r->opts, + payload copied from r->payload
 * unless already in place) and compute the checksum.  Returns the segment
 * length, WIRE_ETRUNC, or WIRE_EBADLEN for bad opts_len. */
int tcp_emit_ipv4(const struct tcp_repr *r, uint8_t *buf, size_t len,
		  uint32_t saddr, uint32_t daddr);
int tcp_emit_ipv6(const struct tcp_repr *r, uint8_t *buf, size_t len,
		  const uint8_t saddr[16], const uint8_t daddr[16]);
/* The same, leaving the checksum to be completed later (a device with
 * checksum offload, or skb_checksum_help): the field holds the folded
 * pseudo-header sum, uncomplemented, as Linux's CHECKSUM_PARTIAL. */
int tcp_emit_ipv4_partial(const struct tcp_repr *r, uint8_t *buf, size_t len,
			  uint32_t saddr, uint32_t daddr);
int tcp_emit_ipv6_partial(const struct tcp_repr *r, uint8_t *buf, size_t len,
			  const uint8_t saddr[16], const uint8_t daddr[16]);

#endif
