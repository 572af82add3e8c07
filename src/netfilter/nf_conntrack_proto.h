/* nf_conntrack_proto.h - per-protocol conntrack (nf_conntrack_proto.c):
 * tuples from headers, which packets may start a connection, state and
 * timeout updates. Internal to src/netfilter. */
#ifndef NSTACK_NETFILTER_NF_CONNTRACK_PROTO_H
#define NSTACK_NETFILTER_NF_CONNTRACK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netfilter/nf_conntrack.h"
#include "wire/ipv4.h"

/* Tuple of a packet; -1 when its transport header is truncated or an
 * ICMP type that is neither a query nor an answer. */
int nf_ct_get_tuple(const struct ipv4_repr *ip, const uint8_t *l4, size_t l4len,
		    struct nf_conntrack_tuple *t);
/* Tuple of the datagram quoted in an ICMP error message (l4: the ICMP
 * message). -1 when malformed. */
int nf_ct_icmp_inner_tuple(const uint8_t *l4, size_t l4len, struct nf_conntrack_tuple *t);
/* echo -> echo-reply, ... (any other type unchanged) */
uint8_t nf_ct_icmp_invert_type(uint8_t type);
/* May this packet create an entry? (TCP: SYN, or a mid-stream ACK with
 * nf_conntrack_tcp_loose; ICMP: queries only.) */
bool nf_ct_proto_new_ok(const struct netns_ct *cn, const struct nf_conntrack_tuple *t,
			const uint8_t *l4, size_t l4len);
/* Update ct for a packet in direction dir: 0, or -1 when INVALID (the
 * entry is left as it was). */
int nf_ct_proto_packet(struct ns_stack *stack, struct nf_conn *ct, enum ip_conntrack_dir dir,
		       const struct ipv4_repr *ip, const uint8_t *l4, size_t l4len);

#endif
