/* nf_tables_syntax.h - the words of the nft language shared by the parser
 * and the printer: field keywords ("tcp dport"), symbolic values (icmp
 * types, tcp flags, ct states, protocols, reject codes, priorities).
 * Internal to src/netfilter. */
#ifndef NSTACK_NETFILTER_NF_TABLES_SYNTAX_H
#define NSTACK_NETFILTER_NF_TABLES_SYNTAX_H

#include <stdint.h>

#include "core/proc.h"
#include "netfilter/nf_tables.h"

struct nft_field_desc {
	const char *proto;	/* first word: "tcp", "ip", "meta", "ct"; NULL for iifname */
	const char *key;	/* second word */
	uint8_t field;		/* enum nft_field */
	uint8_t vtype;		/* enum nft_vtype */
	uint8_t dep;		/* implied l4 protocol */
};

/* The keyword table; NULL-terminated by a zero entry. */
extern const struct nft_field_desc nft_fields[];
/* Descriptor for a match (field + dependency), used to print it. */
const struct nft_field_desc *nft_field_desc_of(uint8_t field, uint8_t dep);

struct nft_sym {
	const char *name;
	uint32_t val;
};
extern const struct nft_sym nft_icmp_types[];
extern const struct nft_sym nft_tcp_flags[];
extern const struct nft_sym nft_ct_states[];
extern const struct nft_sym nft_protos[];
extern const struct nft_sym nft_reject_codes[];
extern const struct nft_sym nft_priorities[];
/* Look a name up: 0 or -ENOENT. */
int nft_sym_lookup(const struct nft_sym *t, const char *name, uint32_t *val);
const char *nft_sym_name(const struct nft_sym *t, uint32_t val);

/* Print one value (or a range / prefix) of a type. */
void nft_print_value(struct seq_buf *s, uint8_t vtype, uint32_t v);
void nft_print_range(struct seq_buf *s, uint8_t vtype, uint32_t lo, uint32_t hi);
const char *nft_vtype_name(uint8_t vtype);	/* set key type: "ipv4_addr" */

#endif
