/* socktest.h - small helpers of the socket-API tests (test_socket,
 * test_udp): an assertion on a failing call's errno and a sockaddr_in
 * from host-order values. Header-only. */
#ifndef NSTACK_SOCKTEST_H
#define NSTACK_SOCKTEST_H

#include <errno.h>
#include <netinet/in.h>

#include "testlib.h"

/* call must return -1 with errno e */
#define CHECK_ERR(call, e)                    \
	do {                                  \
		errno = 0;                    \
		assert_int_equal((call), -1); \
		assert_int_equal(errno, (e)); \
	} while (0)

/* AF_INET address addr:port, both in host order */
static inline struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(addr) };
	return sin;
}

#endif
