/* wire.h - common definitions for the pure wire layer (src/wire/).
 *
 * Every header type has a pair of functions working on raw wire bytes:
 *   int xxx_parse(const uint8_t *buf, size_t len, struct xxx_repr *out);
 *   int xxx_emit(const struct xxx_repr *r, uint8_t *buf, size_t len);
 * parse checks the received length before reading any field and fills a
 * validated host-order repr; it returns WIRE_OK or a negative enum wire_err.
 * emit returns the number of bytes written or a negative enum wire_err.
 * No state, no allocation, no globals.  Read checksum.h and ipv4.h first. */
#ifndef NSTACK_WIRE_WIRE_H
#define NSTACK_WIRE_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum wire_err {
	WIRE_OK = 0,
	WIRE_ETRUNC = -1,   /* buffer shorter than the header (or emit buffer too small) */
	WIRE_EBADVER = -2,  /* version field is not the expected one */
	WIRE_EBADLEN = -3,  /* a length field is inconsistent with the buffer or itself */
	WIRE_EBADCSUM = -4, /* checksum does not verify */
	WIRE_EBADOPT = -5,  /* malformed option (length 0/1, past the end, bad value) */
	WIRE_EUNSUPP = -6,  /* valid but unsupported shape (e.g. non-Ethernet ARP) */
	WIRE_EBADVAL = -7,  /* a field holds a value the RFC forbids */
	WIRE_ELIMIT = -8,   /* a caller-supplied limit (header count, bytes) was hit */
};

/* Human-readable text for an enum wire_err value; never NULL. */
const char *wire_strerror(int err);

#endif
