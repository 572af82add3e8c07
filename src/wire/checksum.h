/* checksum.h - RFC 1071 Internet checksum, pseudo-header sums and RFC 1624
 * incremental updates, with Linux's names (csum_partial, csum_fold, ...).
 *
 * Convention (differs from Linux's __wsum/__sum16 typing): every value here
 * is in HOST order.  A partial sum is the ones' complement sum of the data
 * read as big-endian 16-bit words, kept in 32 bits; csum_fold() returns the
 * 16-bit checksum to store with put_be16() and read back with get_be16().
 * IPv4 addresses are host-order uint32_t (as get_be32() returns them);
 * IPv6 addresses are 16 wire bytes. */
#ifndef NSTACK_WIRE_CHECKSUM_H
#define NSTACK_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add @len bytes at @buf (any alignment, any length) to partial sum @sum.
 * An odd trailing byte is padded with zero (RFC 1071 section 1).  To chain
 * blocks, every block but the last must have even length, or use
 * csum_block_add(). */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);

/* Ones' complement addition of two partial sums. (The small helpers are
 * inline: they run several times per packet.) */
static inline uint32_t csum_add(uint32_t a, uint32_t b)
{
	a += b;
	return a + (a < b);
}
/* Ones' complement subtraction (a - b). */
uint32_t csum_sub(uint32_t a, uint32_t b);
/* Add the partial sum @sum2 of a block that starts at byte @offset of the
 * checksummed data (an odd offset swaps its bytes, RFC 1071 section 2(B)). */
uint32_t csum_block_add(uint32_t sum, uint32_t sum2, size_t offset);

/* Fold a partial sum to 16 bits and complement it: the value to store in a
 * checksum field.  A buffer whose stored checksum is correct folds to 0. */
static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1071 over an IPv4 header of @hlen bytes (a multiple of 4, >= 20;
 * Linux's ip_fast_csum): 32-bit words summed as they lie in memory, folded,
 * complemented. RFC 1071 2(B): the ones' complement sum is byte-order
 * independent up to a swap of its two bytes, so the result is in MEMORY
 * order: store it with memcpy (not put_be16) over a zeroed check field, and
 * a received header is correct iff it returns 0. The common 20-byte header
 * takes five loads, no loop. */
static inline uint16_t ip_fast_csum(const void *iph, unsigned int hlen)
{
	const unsigned char *h = (const unsigned char *)iph;
	uint32_t w[5];
	uint64_t sum;

	__builtin_memcpy(w, h, 20);
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	for (unsigned int i = 20; i < hlen; i += 4) {
		uint32_t o;

		__builtin_memcpy(&o, h + i, 4);
		sum += o;
	}
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 pseudo-header (RFC 793 3.1 / RFC 9293 3.1, RFC 768) partial sum:
 * saddr, daddr host order; @len the upper-layer length; @proto IPPROTO_*. */
static inline uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len,
					  uint8_t proto, uint32_t sum)
{
	/* RFC 9293 3.1 / RFC 768: src, dst, zero, proto, length */
	uint64_t s = sum;

	s += (saddr >> 16) + (saddr & 0xffff);
	s += (daddr >> 16) + (daddr & 0xffff);
	s += proto;
	s += (len >> 16) + (len & 0xffff);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}
/* csum_fold(csum_tcpudp_nofold(...)). */
static inline uint16_t csum_tcpudp_magic(uint32_t saddr, uint32_t daddr, uint32_t len,
					 uint8_t proto, uint32_t sum)
{
	return csum_fold(csum_tcpudp_nofold(saddr, daddr, len, proto, sum));
}

/* IPv6 pseudo-header (RFC 8200 8.1) partial sum: 32-bit upper-layer length,
 * next header @proto. */
uint32_t csum_ipv6_nofold(const uint8_t saddr[16], const uint8_t daddr[16],
			  uint32_t len, uint8_t proto, uint32_t sum);
/* csum_fold(csum_ipv6_nofold(...)), as Linux's csum_ipv6_magic. */
uint16_t csum_ipv6_magic(const uint8_t saddr[16], const uint8_t daddr[16],
			 uint32_t len, uint8_t proto, uint32_t sum);

/* RFC 1624 eqn. 3 incremental update: HC' = ~(~HC + ~m + m').
 * Return the new checksum field value when the 16-bit word @from becomes @to
 * (e.g. the TTL/protocol word on TTL decrement). */
uint16_t csum_replace2(uint16_t check, uint16_t from, uint16_t to);
/* The same for a 32-bit field (two 16-bit words), e.g. an address under NAT. */
uint16_t csum_replace4(uint16_t check, uint32_t from, uint32_t to);

#endif
