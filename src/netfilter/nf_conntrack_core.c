/* nf_conntrack_core.c - the connection table: tuples from packets, the
 * seeded hash holding both directions of every entry, classification of
 * a packet as NEW / ESTABLISHED / RELATED / INVALID, expiry by a GC timer,
 * the nf_conntrack_max bound with early drop of unreplied entries, and
 * /proc/net/nf_conntrack plus the net.netfilter.nf_conntrack_* sysctls.
 * Per-protocol state lives in nf_conntrack_proto.c. Read nf_conntrack.h,
 * then nf_conntrack_in(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/netdevice.h"
#include "core/proc.h"
#include "core/skbuff.h"
#include "core/stack.h"
#include "ipv4/netns_ipv4.h"
#include "netfilter/core.h"
#include "netfilter/nf_conntrack.h"
#include "netfilter/nf_conntrack_proto.h"
#include "netfilter/nf_tables.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#define NF_CT_HASH_SIZE 16384		/* nf_conntrack_buckets */
#define NF_CT_EARLY_DROP_SCAN 64	/* oldest entries looked at for a victim */
#define NF_CT_GC_INTERVAL_NS 1000000000ull

/* ---- hashing ------------------------------------------------------------------------ */
static uint32_t tuple_hash(const struct netns_ct *cn, const struct nf_conntrack_tuple *t)
{
	uint64_t h = cn->seed;

	h = (h ^ t->src) * 0x9E3779B97F4A7C15ull;
	h = (h ^ t->dst) * 0xC2B2AE3D27D4EB4Full;
	h = (h ^ ((uint64_t)t->sport << 24 | (uint64_t)t->dport << 8 | t->proto)) *
	    0x165667B19E3779F9ull;
	return (uint32_t)(h >> 32) & (cn->hsize - 1);
}

static bool tuple_equal(const struct nf_conntrack_tuple *a, const struct nf_conntrack_tuple *b)
{
	return a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
	       a->dport == b->dport && a->proto == b->proto;
}

static struct nf_conn *th_conn(struct nf_ct_thash *th)
{
	return th->dir == IP_CT_DIR_ORIGINAL ? container_of(th, struct nf_conn, th[0])
					     : container_of(th, struct nf_conn, th[1]);
}

static bool ct_expired(struct ns_stack *stack, const struct nf_conn *ct)
{
	return ct->timeout <= ns_now(stack);
}

struct nf_conn *nf_ct_find(struct ns_stack *stack, const struct nf_conntrack_tuple *t,
			   enum ip_conntrack_dir *dir)
{
	struct netns_ct *cn = stack->ct;
	struct hlist_node *n;

	for (n = cn->hash[tuple_hash(cn, t)].first; n; n = n->next) {
		struct nf_ct_thash *th = container_of(n, struct nf_ct_thash, node);
		struct nf_conn *ct = th_conn(th);

		if (tuple_equal(&ct->t[th->dir], t) && !ct_expired(stack, ct)) {
			if (dir)
				*dir = th->dir;
			return ct;
		}
	}
	return NULL;
}

bool nf_ct_tuple_taken(struct ns_stack *stack, const struct nf_conntrack_tuple *t,
		       const struct nf_conn *self)
{
	struct netns_ct *cn = stack->ct;
	struct hlist_node *n;

	for (n = cn->hash[tuple_hash(cn, t)].first; n; n = n->next) {
		struct nf_ct_thash *th = container_of(n, struct nf_ct_thash, node);
		struct nf_conn *ct = th_conn(th);

		if (ct != self && tuple_equal(&ct->t[th->dir], t) && !ct_expired(stack, ct))
			return true;
	}
	return false;
}

static struct nf_conn *ct_by_id(struct ns_stack *stack, uint32_t id)
{
	struct netns_ct *cn = stack->ct;
	struct nf_conn *ct;

	hlist_for_each_entry(ct, &cn->idhash[id & (cn->hsize - 1)], idnode)
		if (ct->id == id)
			return ct;
	return NULL;
}

struct nf_conn *nf_ct_get(struct ns_stack *stack, const struct sk_buff *skb,
			  enum ip_conntrack_info *info)
{
	if (!stack->ct || !skb->nfct || skb->nfctinfo == 0 || skb->nfctinfo == NF_CT_SKB_INVALID)
		return NULL;
	if (info)
		*info = (enum ip_conntrack_info)(skb->nfctinfo - 1);
	return ct_by_id(stack, skb->nfct);
}

void nf_ct_tuple_invert(struct nf_conntrack_tuple *inv, const struct nf_conntrack_tuple *t)
{
	inv->src = t->dst;
	inv->dst = t->src;
	inv->proto = t->proto;
	if (t->proto == IPPROTO_ICMP) {
		inv->sport = t->sport;
		inv->dport = (uint16_t)(nf_ct_icmp_invert_type((uint8_t)(t->dport >> 8)) << 8 |
					(t->dport & 0xff));
	} else {
		inv->sport = t->dport;
		inv->dport = t->sport;
	}
}

static void ct_hash_dir(struct netns_ct *cn, struct nf_conn *ct, int dir)
{
	ct->th[dir].dir = (uint8_t)dir;
	hlist_add_head(&ct->th[dir].node, &cn->hash[tuple_hash(cn, &ct->t[dir])]);
}

void nf_ct_set_reply(struct ns_stack *stack, struct nf_conn *ct,
		     const struct nf_conntrack_tuple *reply)
{
	hlist_del(&ct->th[IP_CT_DIR_REPLY].node);
	ct->t[IP_CT_DIR_REPLY] = *reply;
	ct_hash_dir(stack->ct, ct, IP_CT_DIR_REPLY);
}

void nf_ct_delete(struct ns_stack *stack, struct nf_conn *ct)
{
	struct netns_ct *cn = stack->ct;

	hlist_del(&ct->th[0].node);
	hlist_del(&ct->th[1].node);
	hlist_del(&ct->idnode);
	list_del(&ct->list);
	cn->count--;
	cn->stat.delete++;
	free(ct);
}

void nf_ct_flush(struct ns_stack *stack)
{
	struct nf_conn *ct, *tmp;

	list_for_each_entry_safe(ct, tmp, &stack->ct->all, list)
		nf_ct_delete(stack, ct);
}

/* At the limit: drop the least recently used entry that is not assured
 * (or has expired). An assured entry met on the way goes to the back of the
 * list, so a block of idle assured flows at the front cannot hide the
 * unreplied entries of a SYN flood from every later scan (Linux samples
 * hash buckets instead, with the same effect). */
static bool early_drop(struct ns_stack *stack)
{
	struct netns_ct *cn = stack->ct;
	struct nf_conn *ct, *tmp;
	int scanned = 0;

	list_for_each_entry_safe(ct, tmp, &cn->all, list) {
		if (scanned++ >= NF_CT_EARLY_DROP_SCAN)
			break;
		if (!(ct->status & IPS_ASSURED) || ct_expired(stack, ct)) {
			nf_ct_delete(stack, ct);
			cn->stat.early_drop++;
			return true;
		}
		list_del(&ct->list);
		list_add_tail(&ct->list, &cn->all);
	}
	return false;
}

static struct nf_conn *ct_alloc(struct ns_stack *stack, const struct nf_conntrack_tuple *t)
{
	struct netns_ct *cn = stack->ct;
	struct nf_conn *ct;

	if (cn->count >= (uint32_t)cn->sysctl_max && !early_drop(stack)) {
		cn->stat.drop++;
		cn->stat.insert_failed++;
		return NULL;
	}
	ct = calloc(1, sizeof(*ct));
	if (!ct) {
		cn->stat.drop++;
		return NULL;
	}
	ct->t[IP_CT_DIR_ORIGINAL] = *t;
	nf_ct_tuple_invert(&ct->t[IP_CT_DIR_REPLY], t);
	do
		ct->id = ++cn->next_id;
	while (ct->id == 0 || ct_by_id(stack, ct->id));
	ct_hash_dir(cn, ct, IP_CT_DIR_ORIGINAL);
	ct_hash_dir(cn, ct, IP_CT_DIR_REPLY);
	hlist_add_head(&ct->idnode, &cn->idhash[ct->id & (cn->hsize - 1)]);
	list_add_tail(&ct->list, &cn->all);
	cn->count++;
	if (!timer_pending(&cn->gc))
		mod_timer(&cn->gc, ns_now(stack) + NF_CT_GC_INTERVAL_NS);
	cn->stat.new++;
	cn->stat.insert++;
	return ct;
}

/* ---- classification ------------------------------------------------------------------- */
static void skb_set_ct(struct sk_buff *skb, const struct nf_conn *ct, enum ip_conntrack_info info)
{
	skb->nfct = ct ? ct->id : 0;
	skb->nfctinfo = (uint8_t)(info + 1);
}

static void skb_set_invalid(struct netns_ct *cn, struct sk_buff *skb)
{
	cn->stat.invalid++;
	skb->nfct = 0;
	skb->nfctinfo = NF_CT_SKB_INVALID;
}

/* RFC 792: an ICMP error quotes the datagram it is about; the connection
 * that datagram belongs to makes the error RELATED. */
static unsigned int ct_icmp_error(struct ns_stack *stack, struct sk_buff *skb,
				  const struct ipv4_repr *ip, const uint8_t *l4, size_t l4len)
{
	struct netns_ct *cn = stack->ct;
	struct nf_conntrack_tuple inner, inv;
	enum ip_conntrack_dir dir;
	struct nf_conn *ct;

	if (nf_ct_icmp_inner_tuple(l4, l4len, &inner) < 0) {
		cn->stat.icmp_error++;
		skb_set_invalid(cn, skb);
		return NF_ACCEPT;
	}
	(void)ip;
	/* the quoted datagram went the other way: look up its inverse */
	nf_ct_tuple_invert(&inv, &inner);
	ct = nf_ct_find(stack, &inv, &dir);
	if (!ct) {
		/* an error we generate about a datagram still untranslated
		 * (reject in FORWARD, before its source NAT) quotes the
		 * tuple as it came in */
		ct = nf_ct_find(stack, &inner, &dir);
		if (!ct) {
			skb_set_invalid(cn, skb);
			return NF_ACCEPT;
		}
		dir = !dir;
	}
	cn->stat.found++;
	skb_set_ct(skb, ct, dir == IP_CT_DIR_REPLY ? IP_CT_RELATED_REPLY : IP_CT_RELATED);
	return NF_ACCEPT;
}

unsigned int nf_conntrack_in(struct ns_stack *stack, struct sk_buff *skb)
{
	struct netns_ct *cn = stack->ct;
	const uint8_t *nh = skb->network_header == SKB_HDR_UNSET ? skb->data
								 : skb_network_header(skb);
	size_t len = (size_t)(skb_tail_pointer(skb) - nh);
	struct nf_conntrack_tuple t;
	enum ip_conntrack_dir dir;
	enum ip_conntrack_info info;
	struct ipv4_repr ip;
	const uint8_t *l4;
	struct nf_conn *ct;
	size_t l4len;
	int rc;

	if (skb->nfctinfo)	/* already classified (looped back, or a second hook) */
		return NF_ACCEPT;
	if (ipv4_parse(nh, len, IPV4_PARSE_NO_CSUM, &ip) != WIRE_OK) {
		skb_set_invalid(cn, skb);
		return NF_ACCEPT;
	}
	if (ip.frag_off != 0) {
		/* RFC 791: later fragments carry no ports. Received ones were
		 * gathered by ct_hook_defrag; this is one we fragmented */
		skb->nfctinfo = IP_CT_UNTRACKED + 1;
		return NF_ACCEPT;
	}
	l4 = nh + ipv4_hdr_len(&ip);
	l4len = ip.tot_len - ipv4_hdr_len(&ip);
	if (ip.protocol == IPPROTO_ICMP && l4len >= ICMP_HLEN && icmp_is_error(l4[0]))
		return ct_icmp_error(stack, skb, &ip, l4, l4len);
	if (nf_ct_get_tuple(&ip, l4, l4len, &t) < 0) {
		skb_set_invalid(cn, skb);
		return NF_ACCEPT;
	}
	ct = nf_ct_find(stack, &t, &dir);
	if (ct && !(ct->status & IPS_CONFIRMED)) {
		/* packets run the hooks synchronously: an entry still
		 * unconfirmed belongs to a packet that was dropped before
		 * leaving (Linux never inserted it) */
		nf_ct_delete(stack, ct);
		ct = NULL;
	}
	if (ct) {
		cn->stat.found++;
	} else {
		if (!nf_ct_proto_new_ok(cn, &t, l4, l4len)) {
			skb_set_invalid(cn, skb);
			return NF_ACCEPT;
		}
		ct = ct_alloc(stack, &t);
		if (!ct)
			return NF_DROP;		/* table full: counted in stat.drop */
		dir = IP_CT_DIR_ORIGINAL;
	}
	if (dir == IP_CT_DIR_REPLY)
		info = IP_CT_ESTABLISHED_REPLY;
	else
		info = (ct->status & IPS_SEEN_REPLY) ? IP_CT_ESTABLISHED : IP_CT_NEW;
	rc = nf_ct_proto_packet(stack, ct, dir, &ip, l4, l4len);
	if (rc < 0) {
		skb_set_invalid(cn, skb);
		return NF_ACCEPT;
	}
	if (dir == IP_CT_DIR_REPLY)
		ct->status |= IPS_SEEN_REPLY;
	/* keep the list in order of last use: early drop looks at the front */
	list_del(&ct->list);
	list_add_tail(&ct->list, &cn->all);
	skb_set_ct(skb, ct, info);
	return NF_ACCEPT;
}

void nft_pktinfo_set_ct(struct nft_pktinfo *pkt, const struct sk_buff *skb)
{
	uint32_t bits = NFT_CT_UNTRACKED;

	switch (skb->nfctinfo) {
	case 0:
		break;
	case NF_CT_SKB_INVALID:
		bits = NFT_CT_INVALID;
		break;
	default:
		switch (skb->nfctinfo - 1) {
		case IP_CT_NEW: bits = NFT_CT_NEW; break;
		case IP_CT_ESTABLISHED:
		case IP_CT_ESTABLISHED_REPLY: bits = NFT_CT_ESTABLISHED; break;
		case IP_CT_RELATED:
		case IP_CT_RELATED_REPLY: bits = NFT_CT_RELATED; break;
		default: bits = NFT_CT_UNTRACKED; break;
		}
	}
	pkt->v[NFT_F_CT_STATE] = bits;
}

/* ---- expiry -------------------------------------------------------------------------------- */
static void ct_gc_stack(struct ns_stack *stack)
{
	struct netns_ct *cn = stack->ct;
	struct nf_conn *ct, *tmp;
	uint64_t now = ns_now(stack);

	/* timers run between packets, never inside a hook traversal: an
	 * entry still unconfirmed now belongs to a packet that was dropped */
	list_for_each_entry_safe(ct, tmp, &cn->all, list)
		if (ct->timeout <= now || !(ct->status & IPS_CONFIRMED))
			nf_ct_delete(stack, ct);
	if (cn->count)	/* an idle stack keeps no timer armed */
		mod_timer(&cn->gc, now + NF_CT_GC_INTERVAL_NS);
}

static void ct_gc(struct timer_list *t)
{
	struct netns_ct *cn = from_timer(cn, t, gc);

	ct_gc_stack(cn->stack);
}

/* ---- /proc ------------------------------------------------------------------------------------ */
static const char *const tcp_state_names[TCP_CONNTRACK_MAX] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
	"TIME_WAIT", "CLOSE", "SYN_SENT2",
};

static void print_tuple(struct seq_buf *s, const struct nf_conntrack_tuple *t)
{
	seq_printf(s, "src=%u.%u.%u.%u dst=%u.%u.%u.%u ", t->src >> 24, (t->src >> 16) & 255,
		   (t->src >> 8) & 255, t->src & 255, t->dst >> 24, (t->dst >> 16) & 255,
		   (t->dst >> 8) & 255, t->dst & 255);
	if (t->proto == IPPROTO_TCP || t->proto == IPPROTO_UDP)
		seq_printf(s, "sport=%u dport=%u ", t->sport, t->dport);
	else if (t->proto == IPPROTO_ICMP)
		seq_printf(s, "type=%u code=%u id=%u ", t->dport >> 8, t->dport & 255, t->sport);
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	default: return "unknown";
	}
}

/* Linux's ct_seq_show, e.g.
 * ipv4     2 tcp      6 431999 ESTABLISHED src=... dst=... sport=.. dport=.. src=... [ASSURED] mark=0 zone=0 use=2 */
static int ct_proc_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct netns_ct *cn = stack->ct;
	uint64_t now = ns_now(stack);
	struct nf_conn *ct;

	(void)data;
	list_for_each_entry(ct, &cn->all, list) {
		const struct nf_conntrack_tuple *o = &ct->t[IP_CT_DIR_ORIGINAL];

		if (ct->timeout <= now || !(ct->status & IPS_CONFIRMED))
			continue;
		seq_printf(s, "%-8s %u %-8s %u %llu ", "ipv4", 2, proto_name(o->proto), o->proto,
			   (unsigned long long)((ct->timeout - now) / 1000000000ull));
		if (o->proto == IPPROTO_TCP)
			seq_printf(s, "%s ", tcp_state_names[ct->tcp_state < TCP_CONNTRACK_MAX
								    ? ct->tcp_state : 0]);
		print_tuple(s, o);
		if (!(ct->status & IPS_SEEN_REPLY))
			seq_puts(s, "[UNREPLIED] ");
		print_tuple(s, &ct->t[IP_CT_DIR_REPLY]);
		if (ct->status & IPS_ASSURED)
			seq_puts(s, "[ASSURED] ");
		seq_printf(s, "mark=%u zone=0 use=2\n", ct->mark);
	}
	return 0;
}

/* /proc/net/stat/nf_conntrack: Linux's per-CPU table, one CPU */
static int ct_stat_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	const struct netns_ct *cn = stack->ct;
	const struct nf_ct_stat *st = &cn->stat;

	(void)data;
	seq_puts(s, "entries  clashres found    new      invalid  ignore   delete   chainlength "
		    "insert   insert_failed drop     early_drop icmp_error  expect_new expect_create "
		    "expect_delete search_restart\n");
	seq_printf(s, "%08x  %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x "
		      "%08x %08x %08x\n",
		   cn->count, 0u, (unsigned)st->found, (unsigned)st->new, (unsigned)st->invalid, 0u,
		   (unsigned)st->delete, 0u, (unsigned)st->insert, (unsigned)st->insert_failed,
		   (unsigned)st->drop, (unsigned)st->early_drop, (unsigned)st->icmp_error, 0u, 0u,
		   0u, 0u);
	return 0;
}

static int ct_count_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	seq_printf(s, "%u\n", stack->ct->count);
	return 0;
}

static int ct_sysctls(struct ns_stack *stack)
{
	static const char *const to_names[CT_TO_MAX] = {
		"tcp_timeout_syn_sent", "tcp_timeout_syn_recv", "tcp_timeout_established",
		"tcp_timeout_fin_wait", "tcp_timeout_close_wait", "tcp_timeout_last_ack",
		"tcp_timeout_time_wait", "tcp_timeout_close", "udp_timeout", "udp_timeout_stream",
		"icmp_timeout", "generic_timeout",
	};
	struct netns_ct *cn = stack->ct;
	char path[96];
	int rc = 0;

	rc |= proc_create(stack, "/proc/net/nf_conntrack", ct_proc_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/net/stat/nf_conntrack", ct_stat_show, NULL, NULL);
	rc |= proc_create(stack, "/proc/sys/net/netfilter/nf_conntrack_count", ct_count_show, NULL,
			  NULL);
	rc |= proc_create_int(stack, "/proc/sys/net/netfilter/nf_conntrack_max", &cn->sysctl_max, 0,
			      1 << 24);
	rc |= proc_create_int(stack, "/proc/sys/net/netfilter/nf_conntrack_buckets",
			      &cn->sysctl_buckets, cn->sysctl_buckets, cn->sysctl_buckets);
	rc |= proc_create_int(stack, "/proc/sys/net/netfilter/nf_conntrack_tcp_loose",
			      &cn->sysctl_tcp_loose, 0, 1);
	rc |= proc_create_int(stack, "/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal",
			      &cn->sysctl_tcp_be_liberal, 0, 1);
	for (int i = 0; i < CT_TO_MAX; i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/netfilter/nf_conntrack_%s", to_names[i]);
		rc |= proc_create_int(stack, path, &cn->timeouts[i], 1, 2147483);
	}
	return rc ? -ENOMEM : 0;
}

/* ---- hooks ------------------------------------------------------------------------------------- */
/* RFC 791 3.2: only a whole datagram has a tuple. Fragments are gathered
 * here (Linux's nf_defrag_ipv4); the datagram re-enters the receive path
 * whole and leaves fragmented again by ip_output if it must. */
static unsigned int ct_hook_defrag(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *st)
{
	const uint8_t *h = skb_network_header(skb);
	struct sk_buff *full;

	(void)priv;
	if (!(get_be16(h + 6) & (IP_MF | IP_OFFSET)))
		return NF_ACCEPT;
	full = ip_defrag(st->stack, skb);
	if (full)
		netif_rx(full);
	return NF_STOLEN;
}

static unsigned int ct_hook_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
	(void)priv;
	return nf_conntrack_in(st->stack, skb);
}

/* The packet leaves (POST_ROUTING) or is delivered (LOCAL_IN): its entry
 * becomes permanent (Linux's __nf_conntrack_confirm). */
static unsigned int ct_hook_confirm(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *st)
{
	struct nf_conn *ct = nf_ct_get(st->stack, skb, NULL);

	(void)priv;
	if (ct)
		ct->status |= IPS_CONFIRMED;
	return NF_ACCEPT;
}

static unsigned int ct_hook_nat(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
	(void)priv;
	/* a connection no nat chain bound gets an identity mapping, so a
	 * later connection's port allocation cannot take its tuple */
	nf_nat_null_binding(st->stack, skb, st->hook);
	return nf_nat_packet(st->stack, skb, st->hook);
}

#define NF_IP_PRI_CONNTRACK_DEFRAG (-400)
#define NF_IP_PRI_CONNTRACK (-200)
#define NF_IP_PRI_NAT_DST_APPLY (-99)
#define NF_IP_PRI_NAT_SRC_APPLY 2147483000
#define NF_IP_PRI_CONNTRACK_CONFIRM 2147483647

static const struct nf_hook_ops ct_ops_template[] = {
	{ .hook = ct_hook_defrag, .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_CONNTRACK_DEFRAG },
	{ .hook = ct_hook_in, .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_CONNTRACK },
	{ .hook = ct_hook_in, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_CONNTRACK },
	{ .hook = ct_hook_nat, .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_NAT_DST_APPLY },
	{ .hook = ct_hook_nat, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_NAT_DST_APPLY },
	{ .hook = ct_hook_nat, .pf = NFPROTO_IPV4, .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP_PRI_NAT_SRC_APPLY },
	{ .hook = ct_hook_nat, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_NAT_SRC_APPLY },
	{ .hook = ct_hook_confirm, .pf = NFPROTO_IPV4, .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP_PRI_CONNTRACK_CONFIRM },
	{ .hook = ct_hook_confirm, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_CONNTRACK_CONFIRM },
};
#define CT_NOPS (sizeof(ct_ops_template) / sizeof(ct_ops_template[0]))

int nf_conntrack_enable(struct ns_stack *stack, bool on)
{
	struct netns_ct *cn = stack->ct;
	struct nf_hook_ops *ops = cn ? cn->hooks : NULL;
	int rc = 0;

	if (!cn || !stack->nf || cn->enabled == on)
		return 0;
	for (size_t i = 0; i < CT_NOPS; i++) {
		if (on)
			rc = rc ? rc : nf_register_net_hook(stack, &ops[i]);
		else
			nf_unregister_net_hook(stack, &ops[i]);
	}
	cn->enabled = on;
	return rc;
}

int nf_conntrack_init(struct ns_stack *stack)
{
	static const int defaults[CT_TO_MAX] = {
		[CT_TO_TCP_SYN_SENT] = 120, [CT_TO_TCP_SYN_RECV] = 60,
		[CT_TO_TCP_ESTABLISHED] = 432000, [CT_TO_TCP_FIN_WAIT] = 120,
		[CT_TO_TCP_CLOSE_WAIT] = 60, [CT_TO_TCP_LAST_ACK] = 30,
		[CT_TO_TCP_TIME_WAIT] = 120, [CT_TO_TCP_CLOSE] = 10,
		[CT_TO_UDP] = 30, [CT_TO_UDP_STREAM] = 120, [CT_TO_ICMP] = 30,
		[CT_TO_GENERIC] = 600,
	};
	struct netns_ct *cn = calloc(1, sizeof(*cn));
	struct nf_hook_ops *ops;

	if (!cn)
		return -ENOMEM;
	cn->hsize = NF_CT_HASH_SIZE;
	cn->hash = calloc(cn->hsize, sizeof(*cn->hash));
	cn->idhash = calloc(cn->hsize, sizeof(*cn->idhash));
	ops = malloc(sizeof(ct_ops_template));
	if (!cn->hash || !cn->idhash || !ops) {
		free(cn->hash);
		free(cn->idhash);
		free(ops);
		free(cn);
		return -ENOMEM;
	}
	memcpy(ops, ct_ops_template, sizeof(ct_ops_template));
	cn->hooks = ops;
	cn->seed = ns_random_u32(stack);
	cn->stack = stack;
	INIT_LIST_HEAD(&cn->all);
	cn->sysctl_max = 65536;
	cn->sysctl_buckets = NF_CT_HASH_SIZE;
	cn->sysctl_tcp_loose = 1;
	memcpy(cn->timeouts, defaults, sizeof(defaults));
	stack->ct = cn;
	timer_setup(&cn->gc, stack, ct_gc);
	return ct_sysctls(stack);
}

void nf_conntrack_exit(struct ns_stack *stack)
{
	struct netns_ct *cn = stack->ct;

	if (!cn)
		return;
	nf_conntrack_enable(stack, false);
	del_timer(&cn->gc);
	nf_ct_flush(stack);
	free(cn->hooks);
	free(cn->hash);
	free(cn->idhash);
	free(cn);
	stack->ct = NULL;
}
