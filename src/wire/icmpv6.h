/* icmpv6.h - RFC 4443 ICMPv6 codec (checksum over the IPv6 pseudo-header,
 * RFC 8200 8.1) and RFC 4861 Neighbor Discovery message bodies and options.
 * ndp_parse() applies the ICMP-level validity checks of RFC 4861 6.1/7.1/8.1
 * (code 0, minimum length, options of nonzero length); the IP-level ones
 * (hop limit 255, source/destination rules) belong to the caller. */
#ifndef NSTACK_WIRE_ICMPV6_H
#define NSTACK_WIRE_ICMPV6_H

#include "wire/wire.h"

#define ICMPV6_HLEN 8

/* Types, RFC 4443 2.1: errors have the high bit clear */
#define ICMPV6_DEST_UNREACH      1
#define ICMPV6_PKT_TOOBIG        2
#define ICMPV6_TIME_EXCEED       3
#define ICMPV6_PARAMPROB         4
#define ICMPV6_ECHO_REQUEST      128
#define ICMPV6_ECHO_REPLY        129
#define ICMPV6_MGM_QUERY         130
#define ICMPV6_MGM_REPORT        131
#define ICMPV6_MGM_REDUCTION     132
#define NDISC_ROUTER_SOLICITATION    133
#define NDISC_ROUTER_ADVERTISEMENT   134
#define NDISC_NEIGHBOUR_SOLICITATION 135
#define NDISC_NEIGHBOUR_ADVERTISEMENT 136
#define NDISC_REDIRECT               137
#define ICMPV6_MLD2_REPORT       143

/* Codes for DEST_UNREACH, RFC 4443 3.1 */
#define ICMPV6_NOROUTE           0
#define ICMPV6_ADM_PROHIBITED    1
#define ICMPV6_NOT_NEIGHBOUR     2   /* beyond scope of source address */
#define ICMPV6_ADDR_UNREACH      3
#define ICMPV6_PORT_UNREACH      4
#define ICMPV6_POLICY_FAIL       5
#define ICMPV6_REJECT_ROUTE      6
/* Codes for TIME_EXCEED, RFC 4443 3.3 */
#define ICMPV6_EXC_HOPLIMIT      0
#define ICMPV6_EXC_FRAGTIME      1
/* Codes for PARAMPROB, RFC 4443 3.4 */
#define ICMPV6_HDR_FIELD         0
#define ICMPV6_UNK_NEXTHDR       1
#define ICMPV6_UNK_OPTION        2

#define ICMPV6_PARSE_NO_CSUM     0x1

struct icmpv6_repr {
	uint8_t type;
	uint8_t code;
	uint16_t check;          /* as received; computed by emit */
	union {
		struct {
			uint16_t id;
			uint16_t seq;
		} echo;              /* ECHO_REQUEST/REPLY */
		uint32_t mtu;        /* PKT_TOOBIG */
		uint32_t pointer;    /* PARAMPROB */
		uint32_t raw;        /* other types (NDP: flags/reserved word) */
	} un;
	const uint8_t *data;     /* after the 8-byte header: echo data, the
				  * invoking packet, or the NDP body */
	size_t data_len;
};

static inline bool icmpv6_is_error(uint8_t type)
{
	return type < 128; /* RFC 4443 2.1 */
}

/* Parse a whole message; verify its checksum (RFC 4443 2.3) with the IPv6
 * pseudo-header unless ICMPV6_PARSE_NO_CSUM.  WIRE_ETRUNC if len < 8. */
int icmpv6_parse(const uint8_t *buf, size_t len, const uint8_t saddr[16],
		 const uint8_t daddr[16], unsigned flags, struct icmpv6_repr *out);
/* Write header + data (copied unless already at buf + 8) with checksum.
 * Returns 8 + data_len or WIRE_ETRUNC. */
int icmpv6_emit(const struct icmpv6_repr *r, uint8_t *buf, size_t len,
		const uint8_t saddr[16], const uint8_t daddr[16]);

/* ---- Neighbor Discovery, RFC 4861 ---- */
#define ND_OPT_SOURCE_LL_ADDR 1
#define ND_OPT_TARGET_LL_ADDR 2
#define ND_OPT_PREFIX_INFO    3
#define ND_OPT_REDIRECT_HDR   4
#define ND_OPT_MTU            5
#define ND_OPT_RDNSS          25   /* RFC 8106 */

#define ND_RA_FLAG_MANAGED    0x80
#define ND_RA_FLAG_OTHER      0x40
#define ND_NA_FLAG_ROUTER     0x80000000u
#define ND_NA_FLAG_SOLICITED  0x40000000u
#define ND_NA_FLAG_OVERRIDE   0x20000000u
#define ND_PREFIX_FLAG_ONLINK 0x80
#define ND_PREFIX_FLAG_AUTO   0x40

struct ndp_repr {
	uint8_t type;            /* NDISC_* */
	/* Router Advertisement (4.2) */
	uint8_t cur_hop_limit;
	uint8_t ra_flags;        /* ND_RA_FLAG_* (and the other flag bits as received) */
	uint16_t router_lifetime;
	uint32_t reachable_time;
	uint32_t retrans_timer;
	/* Neighbor Advertisement (4.4) */
	bool router, solicited, override;
	/* NS, NA, Redirect: target address (4.3-4.5) */
	uint8_t target[16];
	/* Redirect: destination address (4.5) */
	uint8_t dest[16];
	const uint8_t *opts;     /* options, already checked by ndp_parse */
	size_t opts_len;
};

/* Parse the NDP message carried by a parsed ICMPv6 message.
 * WIRE_EUNSUPP: not an NDP type.  WIRE_EBADVAL: code != 0 or multicast
 * target (RFC 4861 7.1.1, 7.1.2).  WIRE_ETRUNC: shorter than the fixed
 * body.  WIRE_EBADOPT: an option of length 0 or past the end (4.6). */
int ndp_parse(const struct icmpv6_repr *icmp, struct ndp_repr *out);
/* Write a full ICMPv6 NDP message (options copied from r->opts) with its
 * checksum.  Returns the length, WIRE_ETRUNC, WIRE_EUNSUPP, or
 * WIRE_EBADOPT if opts_len is not a multiple of 8. */
int ndp_emit(const struct ndp_repr *r, uint8_t *buf, size_t len,
	     const uint8_t saddr[16], const uint8_t daddr[16]);

struct ndp_opt {
	uint8_t type;
	size_t len;              /* total option bytes, Length * 8 */
	const uint8_t *data;     /* the whole option, type octet first */
};
/* Iterate options; set *off = 0 first.  Returns 1 with @opt filled, 0 at the
 * end, WIRE_EBADOPT for Length 0 or an option past @len (RFC 4861 4.6). */
int ndp_opt_next(const uint8_t *opts, size_t len, size_t *off, struct ndp_opt *opt);
/* SLLA/TLLA for Ethernet (Length 1, 6-byte address, RFC 4861 4.6.1);
 * WIRE_EUNSUPP for other lengths. */
int ndp_opt_lladdr(const struct ndp_opt *o, uint8_t mac[6]);
int ndp_opt_emit_lladdr(uint8_t type, const uint8_t mac[6], uint8_t *buf, size_t len);

struct ndp_prefix_info { /* RFC 4861 4.6.2 */
	uint8_t prefix_len;
	bool onlink;
	bool autoconf;
	uint32_t valid_lft;
	uint32_t preferred_lft;
	uint8_t prefix[16];
};
/* WIRE_EBADOPT unless Length 4; WIRE_EBADVAL if prefix_len > 128. */
int ndp_opt_prefix_info(const struct ndp_opt *o, struct ndp_prefix_info *out);
int ndp_opt_emit_prefix_info(const struct ndp_prefix_info *p, uint8_t *buf, size_t len);
/* MTU option, RFC 4861 4.6.4; WIRE_EBADOPT unless Length 1. */
int ndp_opt_mtu(const struct ndp_opt *o, uint32_t *mtu);
int ndp_opt_emit_mtu(uint32_t mtu, uint8_t *buf, size_t len);

#endif
