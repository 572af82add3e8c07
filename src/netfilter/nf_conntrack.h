/* nf_conntrack.h - connection tracking (Linux's net/netfilter/
 * nf_conntrack_core.c and _proto_{tcp,udp,icmp}.c) and NAT (nf_nat_core.c).
 *
 * An entry (struct nf_conn) holds the tuple of each direction: ORIGINAL
 * as the first packet had it, REPLY as the answer will have it (after
 * NAT: the translated addresses inverted). Both tuples are in one hash
 * keyed with a per-stack random seed, so a packet finds its entry and its
 * direction in one lookup. The packet's verdict is written on the skb
 * (skb->nfct: entry id, skb->nfctinfo: NEW/ESTABLISHED/RELATED/INVALID),
 * never a pointer: an entry that expires while a packet is queued is just
 * not found again.
 *
 * Hooks (registered while the ruleset uses ct or nat): PRE_ROUTING -400
 * gathers fragments into whole datagrams; PRE_ROUTING and
 * LOCAL_OUT at priority -200 classify; nat chains bind a mapping for a new
 * connection; the NAT hooks at -100/100 rewrite packets of connections with
 * a mapping. Entries expire on a per-protocol timeout (sysctls
 * net.netfilter.nf_conntrack_*); at nf_conntrack_max an unreplied entry is
 * dropped early to make room, else the new packet is dropped (counted). */
#ifndef NSTACK_NETFILTER_NF_CONNTRACK_H
#define NSTACK_NETFILTER_NF_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/timer.h"

struct ns_stack;
struct sk_buff;
struct net_device;
struct nft_pktinfo;
struct nft_expr;

enum ip_conntrack_dir {
	IP_CT_DIR_ORIGINAL,
	IP_CT_DIR_REPLY,
};

/* Linux's ip_conntrack_info */
enum ip_conntrack_info {
	IP_CT_ESTABLISHED,
	IP_CT_RELATED,
	IP_CT_NEW,
	IP_CT_IS_REPLY,
	IP_CT_ESTABLISHED_REPLY = IP_CT_IS_REPLY,
	IP_CT_RELATED_REPLY,
	IP_CT_UNTRACKED = 7,
};
#define NF_CT_SKB_INVALID 0xff	/* skb->nfctinfo: conntrack judged it invalid */

/* status bits (IPS_*) */
#define IPS_SEEN_REPLY 0x02
#define IPS_ASSURED    0x04
#define IPS_CONFIRMED  0x08
#define IPS_SRC_NAT    0x10
#define IPS_DST_NAT    0x20
#define IPS_NAT_MASK   (IPS_SRC_NAT | IPS_DST_NAT)
#define IPS_SRC_NAT_DONE 0x80	/* a source mapping was chosen (maybe identity) */
#define IPS_DST_NAT_DONE 0x100

/* TCP states, RFC 9293 3.3.2 names as Linux's conntrack uses them */
enum tcp_conntrack {
	TCP_CONNTRACK_NONE,
	TCP_CONNTRACK_SYN_SENT,
	TCP_CONNTRACK_SYN_RECV,
	TCP_CONNTRACK_ESTABLISHED,
	TCP_CONNTRACK_FIN_WAIT,
	TCP_CONNTRACK_CLOSE_WAIT,
	TCP_CONNTRACK_LAST_ACK,
	TCP_CONNTRACK_TIME_WAIT,
	TCP_CONNTRACK_CLOSE,
	TCP_CONNTRACK_SYN_SENT2,
	TCP_CONNTRACK_MAX,
	TCP_CONNTRACK_IGNORE,
	TCP_CONNTRACK_INVALID,
};

/* Addresses host order. ICMP: sport is the echo id, dport type << 8 | code. */
struct nf_conntrack_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
};

struct nf_ct_tcp_dir {
	uint32_t td_end;	/* highest seq + len sent */
	uint32_t td_maxend;	/* highest seq the peer's ack + window allows */
	uint32_t td_maxwin;	/* largest window advertised */
	uint8_t td_scale;	/* window scale (RFC 7323) */
	bool seen;
};

struct nf_ct_thash {
	struct hlist_node node;		/* in the tuple hash */
	uint8_t dir;			/* enum ip_conntrack_dir */
};

struct nf_conn {
	struct nf_ct_thash th[2];	/* hash linkage, per direction */
	struct hlist_node idnode;	/* in the id hash */
	struct list_head list;		/* all entries, oldest first */
	struct nf_conntrack_tuple t[2];
	uint32_t id;
	uint32_t status;		/* IPS_* */
	uint32_t mark;
	uint64_t timeout;		/* absolute ns */
	uint8_t tcp_state;		/* enum tcp_conntrack */
	struct nf_ct_tcp_dir tcp[2];
};

/* Per-stack state (stack->ct). */
struct nf_ct_stat {
	uint64_t found, new, invalid, insert, insert_failed, drop, early_drop, icmp_error,
		 delete;
};

enum {
	CT_TO_TCP_SYN_SENT, CT_TO_TCP_SYN_RECV, CT_TO_TCP_ESTABLISHED, CT_TO_TCP_FIN_WAIT,
	CT_TO_TCP_CLOSE_WAIT, CT_TO_TCP_LAST_ACK, CT_TO_TCP_TIME_WAIT, CT_TO_TCP_CLOSE,
	CT_TO_UDP, CT_TO_UDP_STREAM, CT_TO_ICMP, CT_TO_GENERIC, CT_TO_MAX
};

struct netns_ct {
	struct ns_stack *stack;		/* owner (for the GC timer) */
	struct hlist_head *hash;	/* tuples, both directions */
	struct hlist_head *idhash;	/* ids */
	uint32_t hsize;			/* power of two */
	uint32_t seed;			/* per stack, random */
	struct list_head all;
	uint32_t count;
	uint32_t next_id;
	int sysctl_max;			/* nf_conntrack_max: 65536 */
	int sysctl_buckets;		/* nf_conntrack_buckets (read-only here) */
	int sysctl_tcp_loose;		/* 1: pick up established connections */
	int sysctl_tcp_be_liberal;	/* 0: out-of-window segments are INVALID */
	int timeouts[CT_TO_MAX];	/* seconds (Linux defaults) */
	struct nf_ct_stat stat;
	struct timer_list gc;
	bool enabled;			/* hooks registered */
	void *hooks;
};

struct nf_conn *nf_ct_find(struct ns_stack *stack, const struct nf_conntrack_tuple *t,
			   enum ip_conntrack_dir *dir);
/* Does an entry other than self hold tuple t (either direction)? */
bool nf_ct_tuple_taken(struct ns_stack *stack, const struct nf_conntrack_tuple *t,
		       const struct nf_conn *self);
/* The entry a packet was classified to (skb->nfct), or NULL. */
struct nf_conn *nf_ct_get(struct ns_stack *stack, const struct sk_buff *skb,
			  enum ip_conntrack_info *info);
/* Classify skb (data or network header at IPv4): NF_ACCEPT / NF_DROP. */
unsigned int nf_conntrack_in(struct ns_stack *stack, struct sk_buff *skb);
void nf_ct_tuple_invert(struct nf_conntrack_tuple *inv, const struct nf_conntrack_tuple *t);
/* Remove and free an entry. */
void nf_ct_delete(struct ns_stack *stack, struct nf_conn *ct);
/* Drop every entry. */
void nf_ct_flush(struct ns_stack *stack);
/* Register the conntrack and NAT hooks (idempotent). */
int nf_conntrack_enable(struct ns_stack *stack, bool on);
int nf_conntrack_init(struct ns_stack *stack);
void nf_conntrack_exit(struct ns_stack *stack);
/* Change the reply tuple of ct (rehash). */
void nf_ct_set_reply(struct ns_stack *stack, struct nf_conn *ct,
		     const struct nf_conntrack_tuple *reply);

/* The rule engine's view: ct state bits of the packet. */
void nft_pktinfo_set_ct(struct nft_pktinfo *pkt, const struct sk_buff *skb);

/* ---- NAT (nf_nat_core.c) ---------------------------------------------------------- */
enum nf_nat_manip_type {
	NF_NAT_MANIP_SRC,
	NF_NAT_MANIP_DST,
};
/* A nat statement matched on hook `hook` for the packet's connection:
 * bind the mapping (if the connection is new), rewrite the packet.
 * Returns NF_ACCEPT or NF_DROP (no free tuple). */
unsigned int nft_nat_eval(struct ns_stack *stack, struct sk_buff *skb,
			  const struct nft_pktinfo *pkt, const struct nft_expr *e);
/* Rewrite skb for its connection's mappings at hook (both directions,
 * ICMP errors quoting a translated packet included). NF_ACCEPT/NF_DROP. */
unsigned int nf_nat_packet(struct ns_stack *stack, struct sk_buff *skb, unsigned int hook);
/* Bind an identity mapping for the hook's manip type if none was chosen;
 * at the source side, when the connection's reply tuple is already held by
 * another entry (a local flow meeting a masqueraded one), move the source
 * port as Linux's nf_nat_alloc_null_binding does. */
void nf_nat_null_binding(struct ns_stack *stack, struct sk_buff *skb, unsigned int hook);

#endif
