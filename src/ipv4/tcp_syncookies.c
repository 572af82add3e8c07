/* tcp_syncookies.c - SYN cookies (RFC 4987 3.6, Linux net/ipv4/
 * syncookies.c) and the keyed hash behind them and behind RFC 6528 ISNs
 * (SipHash-2-4 with per-stack keys).
 *
 * When a listener's SYN queue is full (tcp_syncookies = 1) the SYN-ACK's
 * ISN is a cookie and no state is kept:
 *   ISN = H1(4-tuple) + SEG.SEQ + (minute << 24) + ((H2(4-tuple, minute) + mss index) & 0xffffff)
 * The ACK completing the handshake is checked with its SEG.ACK - 1: a
 * minute counter at most 2 old and an MSS index valid. With timestamps the
 * low 6 bits of our TSval carry the peer's window scale (4 bits, 0xf: none),
 * SACK-permitted and ECN, returned to us in the ACK's TSecr. */
#include "ipv4/tcp.h"

#define COOKIEBITS 24
#define COOKIEMASK ((1U << COOKIEBITS) - 1)
#define MAX_SYNCOOKIE_AGE 2			/* minutes */
#define TSBITS 6
#define TSMASK ((1U << TSBITS) - 1)
#define TS_OPT_WSCALE_MASK 0xfU
#define TS_OPT_SACK (1U << 4)
#define TS_OPT_ECN (1U << 5)

/* Linux's msstab: the MSS values a cookie can carry */
static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

/* ---- SipHash-2-4 (Aumasson & Bernstein) ---------------------------------------------------- */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                           \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                              \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                              \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                           \
	} while (0)

/* SipHash-2-4 of n 64-bit words under key k[2]. */
uint64_t tcp_siphash(const uint64_t k[2], const uint64_t *w, unsigned int n)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k[0], v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ k[0], v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t b = (uint64_t)(n * 8) << 56;

	for (unsigned int i = 0; i < n; i++) {
		v3 ^= w[i];
		SIPROUND;
		SIPROUND;
		v0 ^= w[i];
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The 4-tuple as SipHash words; the low 32 bits of the last word take
 * the minute counter. */
struct cookie_key {
	uint64_t w[5];
	unsigned int n;
};

static uint32_t cookie_hash(const struct netns_tcp *tn, struct cookie_key *k, uint32_t count, int c)
{
	k->w[k->n - 1] = (k->w[k->n - 1] & ~0xffffffffULL) | count;
	return (uint32_t)tcp_siphash(&tn->cookie_secret[2 * c], k->w, k->n);
}

static void cookie_key4(struct cookie_key *k, uint32_t saddr, uint32_t daddr, uint16_t sport,
			uint16_t dport)
{
	k->w[0] = (uint64_t)saddr << 32 | daddr;
	k->w[1] = (uint64_t)sport << 48 | (uint64_t)dport << 32;
	k->n = 2;
}

static void cookie_key6(struct cookie_key *k, const uint8_t *saddr, const uint8_t *daddr,
			uint16_t sport, uint16_t dport)
{
	k->w[0] = get_be32(saddr) * (1ULL << 32) | get_be32(saddr + 4);
	k->w[1] = get_be32(saddr + 8) * (1ULL << 32) | get_be32(saddr + 12);
	k->w[2] = get_be32(daddr) * (1ULL << 32) | get_be32(daddr + 4);
	k->w[3] = get_be32(daddr + 8) * (1ULL << 32) | get_be32(daddr + 12);
	k->w[4] = (uint64_t)sport << 48 | (uint64_t)dport << 32;
	k->n = 5;
}

/* Linux's tcp_cookie_time: a minute counter */
static uint32_t tcp_cookie_time(uint64_t now)
{
	return (uint32_t)(now / (60 * NS_PER_SEC));
}

static uint32_t cookie_encode(struct netns_tcp *tn, struct cookie_key *k, uint32_t seq,
			      uint16_t *mss, uint64_t now)
{
	uint32_t idx = ARRAY_SIZE(msstab) - 1, count = tcp_cookie_time(now);

	while (idx && *mss < msstab[idx])
		idx--;
	*mss = msstab[idx];
	return cookie_hash(tn, k, 0, 0) + seq + (count << COOKIEBITS) +
	       ((cookie_hash(tn, k, count, 1) + idx) & COOKIEMASK);
}

static uint16_t cookie_decode(struct netns_tcp *tn, struct cookie_key *k, uint32_t seq,
			      uint32_t cookie, uint64_t now)
{
	uint32_t count = tcp_cookie_time(now), diff, idx;

	cookie -= cookie_hash(tn, k, 0, 0) + seq;
	diff = (count - (cookie >> COOKIEBITS)) & ((uint32_t)-1 >> COOKIEBITS);
	if (diff >= MAX_SYNCOOKIE_AGE)
		return 0;
	idx = (cookie - cookie_hash(tn, k, count - diff, 1)) & COOKIEMASK;
	return idx < ARRAY_SIZE(msstab) ? msstab[idx] : 0;
}

/* The cookie ISN for a SYN from raddr:rport to laddr:lport with SEG.SEQ
 * seq; *mss is lowered to the msstab entry encoded. */
uint32_t cookie_v4_init_sequence(struct netns_tcp *tn, uint32_t laddr, uint32_t raddr,
				 uint16_t lport, uint16_t rport, uint32_t seq, uint16_t *mss,
				 uint64_t now)
{
	struct cookie_key k;

	cookie_key4(&k, raddr, laddr, rport, lport);
	return cookie_encode(tn, &k, seq, mss, now);
}

/* Check the ACK (seq = SEG.SEQ - 1, cookie = SEG.ACK - 1). Returns the
 * MSS the cookie carries, 0 if it is not ours or too old. */
uint16_t cookie_v4_check(struct netns_tcp *tn, uint32_t laddr, uint32_t raddr, uint16_t lport,
			 uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now)
{
	struct cookie_key k;

	cookie_key4(&k, raddr, laddr, rport, lport);
	return cookie_decode(tn, &k, seq, cookie, now);
}

/* Linux's cookie_v6_init_sequence / __cookie_v6_check: the same over the
 * IPv6 4-tuple (RFC 4987 3.6). */
uint32_t cookie_v6_init_sequence(struct netns_tcp *tn, const uint8_t *laddr, const uint8_t *raddr,
				 uint16_t lport, uint16_t rport, uint32_t seq, uint16_t *mss,
				 uint64_t now)
{
	struct cookie_key k;

	cookie_key6(&k, raddr, laddr, rport, lport);
	return cookie_encode(tn, &k, seq, mss, now);
}

uint16_t cookie_v6_check(struct netns_tcp *tn, const uint8_t *laddr, const uint8_t *raddr,
			 uint16_t lport, uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now)
{
	struct cookie_key k;

	cookie_key6(&k, raddr, laddr, rport, lport);
	return cookie_decode(tn, &k, seq, cookie, now);
}

/* Linux's cookie_init_timestamp: a TSval at or below now (ms) whose low
 * bits hold the options. */
uint32_t cookie_init_timestamp(const struct request_sock *req, uint32_t now_ms)
{
	uint32_t opts = req->wscale_ok ? req->snd_wscale : TS_OPT_WSCALE_MASK;
	uint32_t ts;

	if (req->sack_ok)
		opts |= TS_OPT_SACK;
	ts = (now_ms & ~TSMASK) | opts;
	if (ts > now_ms)
		ts -= 1U << TSBITS;
	return ts;
}

/* Linux's cookie_timestamp_decode: the options from the ACK's TSecr (no
 * timestamp: no window scale, no SACK). */
bool cookie_timestamp_decode(struct netns_tcp *tn, struct request_sock *req,
			     const struct tcp_options *opt)
{
	uint32_t o;

	if (!opt->ts_ok || !opt->tsecr) {
		req->tstamp_ok = req->wscale_ok = req->sack_ok = false;
		return true;
	}
	if (!tn->timestamps)
		return false;
	o = opt->tsecr & TSMASK;
	req->tstamp_ok = true;
	req->ts_recent = opt->tsval;
	req->sack_ok = (o & TS_OPT_SACK) != 0;
	if (req->sack_ok && !tn->sack)
		return false;
	if ((o & TS_OPT_WSCALE_MASK) == TS_OPT_WSCALE_MASK) {
		req->wscale_ok = false;
		req->snd_wscale = 0;
		return true;
	}
	if (!tn->window_scaling)
		return false;
	req->wscale_ok = true;
	req->snd_wscale = (uint8_t)NS_MIN(o & TS_OPT_WSCALE_MASK, (uint32_t)TCP_MAX_WSCALE);
	return true;
}
