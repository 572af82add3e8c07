/* checksum.c - RFC 1071 Internet checksum (see checksum.h for the host-order
 * convention).  csum_partial() adds native 64-bit words with end-around carry
 * and converts once at the end: the ones' complement sum is independent of
 * byte order up to a final byte swap (RFC 1071 section 2(B)). */
#include "wire/checksum.h"
#include "core/compiler.h"

static inline uint32_t fold32(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static inline uint16_t fold16(uint32_t s)
{
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

static inline uint64_t add64(uint64_t a, uint64_t b)
{
	a += b;
	return a + (a < b); /* end-around carry */
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v)); /* unaligned-safe */
	return v;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* 64-byte blocks through one add-with-carry chain (Linux's x86
 * csum_partial): one adc per 8 bytes, the carry flag is the end-around
 * carry, folded back once per block. About 3x fewer instructions per byte
 * than the portable add/compare below. */
static uint64_t sum_blocks64(const uint8_t *p, size_t blocks, uint64_t acc)
{
	__asm__("1:\n\t"
		"addq 0(%[p]), %[acc]\n\t"
		"adcq 8(%[p]), %[acc]\n\t"
		"adcq 16(%[p]), %[acc]\n\t"
		"adcq 24(%[p]), %[acc]\n\t"
		"adcq 32(%[p]), %[acc]\n\t"
		"adcq 40(%[p]), %[acc]\n\t"
		"adcq 48(%[p]), %[acc]\n\t"
		"adcq 56(%[p]), %[acc]\n\t"
		"adcq $0, %[acc]\n\t"
		"leaq 64(%[p]), %[p]\n\t"
		"decq %[n]\n\t"
		"jnz 1b"
		: [acc] "+r"(acc), [p] "+r"(p), [n] "+r"(blocks)
		:
		: "cc", "memory");
	return acc;
}
#endif

/* Ones' complement sum of big-endian 16-bit words at p, as a host value. */
static uint16_t sum_be16(const uint8_t *p, size_t len)
{
	uint64_t acc = 0;

#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= 64) {
		acc = sum_blocks64(p, len / 64, acc);
		p += len & ~(size_t)63;
		len &= 63;
	}
#endif
	while (len >= 32) {
		acc = add64(acc, load64(p));
		acc = add64(acc, load64(p + 8));
		acc = add64(acc, load64(p + 16));
		acc = add64(acc, load64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		acc = add64(acc, load64(p));
		p += 8;
		len -= 8;
	}
	/* The tail (an IPv4 header's last 4 bytes, a short datagram) in
	 * loads of its own width, never through a stack copy, whose narrow
	 * stores and wide reload stall store forwarding. */
	if (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		acc = add64(acc, w);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc = add64(acc, w);
		p += 2;
		len -= 2;
	}
	if (len) {
		/* a last byte at an even offset: RFC 1071's zero pad after it */
		uint16_t w = 0;

		memcpy(&w, p, 1);
		acc = add64(acc, w);
	}
	uint16_t s = fold16(fold32(acc)); /* sum of native-order 16-bit words */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = __builtin_bswap16(s);
#endif
	return s;
}

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	return csum_add(sum, sum_be16(buf, len));
}

uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

uint32_t csum_block_add(uint32_t sum, uint32_t sum2, size_t offset)
{
	if (offset & 1) {
		uint16_t s = fold16(sum2);
		sum2 = (uint16_t)((s << 8) | (s >> 8));
	}
	return csum_add(sum, sum2);
}

uint32_t csum_ipv6_nofold(const uint8_t saddr[16], const uint8_t daddr[16],
			  uint32_t len, uint8_t proto, uint32_t sum)
{
	/* RFC 8200 8.1: src, dst, 32-bit length, 3 zero bytes, next header */
	uint64_t s = sum;
	s += sum_be16(saddr, 16);
	s += sum_be16(daddr, 16);
	s += (len >> 16) + (len & 0xffff);
	s += proto;
	return fold32(s);
}

uint16_t csum_ipv6_magic(const uint8_t saddr[16], const uint8_t daddr[16],
			 uint32_t len, uint8_t proto, uint32_t sum)
{
	return csum_fold(csum_ipv6_nofold(saddr, daddr, len, proto, sum));
}

uint16_t csum_replace2(uint16_t check, uint16_t from, uint16_t to)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
	uint32_t s = (uint16_t)~check;
	s += (uint16_t)~from;
	s += to;
	return (uint16_t)~fold16(s);
}

uint16_t csum_replace4(uint16_t check, uint32_t from, uint32_t to)
{
	/* RFC 1624 eqn. 3 applied to both 16-bit halves at once */
	uint64_t s = (uint16_t)~check;
	s += (uint16_t)~(from >> 16);
	s += (uint16_t)~(from & 0xffff);
	s += to >> 16;
	s += to & 0xffff;
	return (uint16_t)~fold16(fold32(s));
}
