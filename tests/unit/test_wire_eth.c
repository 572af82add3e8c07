/* test_wire_eth.c - Ethernet II header and 802.1Q tag codecs, address
 * helpers: fixtures, round trips, every truncation length. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wire/eth.h"
#include "wire/vlan.h"

/* A VLAN-tagged frame: dst, src, 8100, TCI (PCP 5, DEI 1, VID 100), 0800 */
static const uint8_t tagged[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb, 0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x4b,
	0x81, 0x00, 0xb0, 0x64, 0x08, 0x00,
};

static void test_eth_fixture(void **state)
{
	(void)state;
	struct eth_repr e;
	assert_int_equal(eth_parse(tagged, sizeof(tagged), &e), WIRE_OK);
	assert_int_equal(e.proto, ETH_P_8021Q);
	assert_memory_equal(e.dst, tagged, 6);
	assert_memory_equal(e.src, tagged + 6, 6);
	assert_true(is_multicast_ether_addr(e.dst));
	assert_false(is_broadcast_ether_addr(e.dst));
	assert_true(is_valid_ether_addr(e.src));
	assert_false(is_valid_ether_addr(e.dst));

	struct vlan_repr v;
	assert_int_equal(vlan_parse(tagged + ETH_HLEN, sizeof(tagged) - ETH_HLEN, &v), WIRE_OK);
	assert_int_equal(v.pcp, 5);
	assert_true(v.dei);
	assert_int_equal(v.vid, 100);
	assert_int_equal(v.proto, ETH_P_IP);
}

static void test_eth_roundtrip(void **state)
{
	(void)state;
	struct eth_repr e = { .dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			      .src = { 0x02, 0, 0, 0, 0, 1 }, .proto = ETH_P_IPV6 };
	uint8_t buf[ETH_HLEN];
	assert_int_equal(eth_emit(&e, buf, sizeof(buf) - 1), WIRE_ETRUNC);
	assert_int_equal(eth_emit(&e, buf, sizeof(buf)), ETH_HLEN);
	assert_int_equal(buf[12], 0x86);
	assert_int_equal(buf[13], 0xdd);
	struct eth_repr p;
	assert_int_equal(eth_parse(buf, sizeof(buf), &p), WIRE_OK);
	assert_memory_equal(&e, &p, sizeof(e));
}

static void test_eth_truncation(void **state)
{
	(void)state;
	for (size_t n = 0; n < ETH_HLEN; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, tagged, n);
		struct eth_repr e;
		assert_int_equal(eth_parse(b, n, &e), WIRE_ETRUNC);
		free(b);
	}
	for (size_t n = 0; n < VLAN_HLEN; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, tagged + ETH_HLEN, n);
		struct vlan_repr v;
		assert_int_equal(vlan_parse(b, n, &v), WIRE_ETRUNC);
		free(b);
	}
}

static void test_addr_helpers(void **state)
{
	(void)state;
	static const uint8_t zero[6] = { 0 }, bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t uni[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t local[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	assert_true(is_zero_ether_addr(zero));
	assert_false(is_valid_ether_addr(zero));
	assert_true(is_broadcast_ether_addr(bcast));
	assert_true(is_multicast_ether_addr(bcast));
	assert_false(is_valid_ether_addr(bcast));
	assert_true(is_valid_ether_addr(uni));
	assert_true(is_unicast_ether_addr(uni));
	assert_false(is_local_ether_addr(uni));
	assert_true(is_local_ether_addr(local));
	assert_true(ether_addr_equal(uni, uni));
	assert_false(ether_addr_equal(uni, local));
	uint8_t c[6];
	ether_addr_copy(c, local);
	assert_true(ether_addr_equal(c, local));
	assert_int_equal(ETH_ZLEN, 60);
	assert_int_equal(ETH_FRAME_LEN, ETH_HLEN + ETH_DATA_LEN);
}

static void test_vlan_rules(void **state)
{
	(void)state;
	uint8_t b[4];
	struct vlan_repr v = { .pcp = 7, .dei = false, .vid = 4094, .proto = ETH_P_IPV6 }, p;
	assert_int_equal(vlan_emit(&v, b, 3), WIRE_ETRUNC);
	assert_int_equal(vlan_emit(&v, b, 4), VLAN_HLEN);
	assert_int_equal(vlan_parse(b, 4, &p), WIRE_OK);
	assert_memory_equal(&v, &p, sizeof(v));
	/* VID 0: priority tag, valid */
	v.vid = 0;
	assert_int_equal(vlan_emit(&v, b, 4), VLAN_HLEN);
	assert_int_equal(vlan_parse(b, 4, &p), WIRE_OK);
	assert_int_equal(p.vid, VLAN_VID_PRIO_TAG);
	assert_int_equal(p.pcp, 7);
	/* VID 4095: reserved, refused both ways */
	v.vid = 4095;
	assert_int_equal(vlan_emit(&v, b, 4), WIRE_EBADVAL);
	b[0] = 0x0f;
	b[1] = 0xff;
	assert_int_equal(vlan_parse(b, 4, &p), WIRE_EBADVAL);
	v.vid = 1;
	v.pcp = 8;
	assert_int_equal(vlan_emit(&v, b, 4), WIRE_EBADVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_fixture),
		cmocka_unit_test(test_eth_roundtrip),
		cmocka_unit_test(test_eth_truncation),
		cmocka_unit_test(test_addr_helpers),
		cmocka_unit_test(test_vlan_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
