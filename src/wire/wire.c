/* wire.c - error strings for enum wire_err (see wire.h). */
#include "wire/wire.h"

const char *wire_strerror(int err)
{
	switch (err) {
	case WIRE_OK:       return "ok";
	case WIRE_ETRUNC:   return "truncated";
	case WIRE_EBADVER:  return "bad version";
	case WIRE_EBADLEN:  return "inconsistent length field";
	case WIRE_EBADCSUM: return "bad checksum";
	case WIRE_EBADOPT:  return "malformed option";
	case WIRE_EUNSUPP:  return "unsupported";
	case WIRE_EBADVAL:  return "invalid field value";
	case WIRE_ELIMIT:   return "limit exceeded";
	default:            return "unknown wire error";
	}
}
