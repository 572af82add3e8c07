/* tcp_ipv4.c - TCP's IPv4 glue (Linux net/ipv4/tcp_ipv4.c, inet_hashtables.c,
 * inet_connection_sock.c): the established hash (4-tuple, keyed
 * with a per-stack secret, doubled as it fills so lookups stay O(1) at a
 * million sockets), the listener and bind hashes with Linux's reuse rules,
 * ephemeral ports, RFC 6528 initial sequence numbers, tcp_v4_rcv (the
 * demultiplexer, with the TIME-WAIT minisockets of tcp_minisocks.c looked
 * up after the established table), RST generation for segments without a connection
 * (RFC 9293 3.10.7.1) and the ICMP error handler (RFC 5927, PMTUD).
 * The tables hold AF_INET6 sockets too (tcp_is_v6: IPv6 addresses in
 * v6_*; a dual-stack socket talking IPv4 is an IPv4 connection here), and
 * the listener path is shared through struct tcp_addrs / tcp_af_ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "ipv4/tcp.h"
#include "ipv4/tcp_minisocks.h"
#include "ipv6/ipv6.h"
#include "wire/icmp.h"

/* ---- keyed hashing ------------------------------------------------------------------------- */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* tcp_hash4's body: inline in tcp_v4_rcv (every received segment) */
static inline __attribute__((always_inline)) uint32_t hash4(const struct netns_tcp *tn, uint32_t laddr,
							    uint16_t lport, uint32_t faddr, uint16_t fport)
{
	uint64_t a = ((uint64_t)laddr << 32 | faddr) ^ tn->secret[0];
	uint64_t b = ((uint64_t)lport << 16 | fport) ^ tn->secret[1];

	return (uint32_t)mix64(mix64(a) ^ b);
}

uint32_t tcp_hash4(const struct netns_tcp *tn, uint32_t laddr, uint16_t lport, uint32_t faddr,
		   uint16_t fport)
{
	return hash4(tn, laddr, lport, faddr, fport);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

uint32_t tcp_hash6(const struct netns_tcp *tn, const uint8_t *laddr, uint16_t lport,
		   const uint8_t *faddr, uint16_t fport)
{
	uint64_t a = mix64(load64(laddr) ^ tn->secret[0]) ^ load64(laddr + 8);
	uint64_t b = mix64(load64(faddr) ^ tn->secret[1]) ^ load64(faddr + 8);

	return (uint32_t)mix64(mix64(a) ^ b ^ ((uint64_t)lport << 16 | fport));
}

/* RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), F SipHash-2-4 (a PRF, as the RFC asks) under the per-stack
 * key, M the RFC's 4 microsecond timer. */
uint32_t tcp_v4_init_seq(struct netns_tcp *tn, uint32_t saddr, uint32_t daddr, uint16_t sport,
			 uint16_t dport, uint64_t now)
{
	uint64_t w[2] = { (uint64_t)saddr << 32 | daddr, (uint64_t)sport << 16 | dport };

	return (uint32_t)tcp_siphash(tn->secret, w, 2) + (uint32_t)(now / (4 * NS_PER_US));
}

/* ---- tables ------------------------------------------------------------------------------- */
static uint32_t sk_ehashfn(const struct netns_tcp *tn, const struct tcp_sock *tp)
{
	const struct inet_sock *in = &tp->inet;

	if (tcp_is_v6(tp))
		return tcp_hash6(tn, tcp6_sk(tp)->v6_rcv_saddr, in->inet_num, tcp6_sk(tp)->v6_daddr, in->inet_dport);
	return tcp_hash4(tn, in->inet_rcv_saddr, in->inet_num, in->inet_daddr, in->inet_dport);
}

/* Double the established table when it holds more sockets than buckets. */
static void ehash_grow(struct netns_tcp *tn)
{
	struct tcp_hash *h = &tn->ehash;
	uint32_t nsize = (h->mask + 1) * 2;
	struct hlist_head *nb;

	if (nsize > (1u << 24) || !(nb = calloc(nsize, sizeof(*nb))))
		return;
	for (uint32_t i = 0; i <= h->mask; i++) {
		struct sock *sk;
		struct hlist_node *n;

		hlist_for_each_entry_safe(sk, n, &h->buckets[i], sk_node) {
			hlist_del(&sk->sk_node);
			hlist_add_head(&sk->sk_node, &nb[sk->sk_hash & (nsize - 1)]);
		}
	}
	free(h->buckets);
	h->buckets = nb;
	h->mask = nsize - 1;
}

/* h: sk_ehashfn of tp */
static void ehash_add_h(struct tcp_sock *tp, uint32_t h)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	struct sock *sk = tp_sk(tp);

	if (tp->in_ehash)
		return;
	sk->sk_hash = h;
	hlist_add_head(&sk->sk_node, &tn->ehash.buckets[sk->sk_hash & tn->ehash.mask]);
	tp->in_ehash = true;
	sock_hold(sk);			/* the table's reference */
	if (++tn->ehash.count > tn->ehash.mask + 1)
		ehash_grow(tn);
}

void tcp_ehash_add(struct tcp_sock *tp)
{
	if (!tp->in_ehash)
		ehash_add_h(tp, sk_ehashfn(tcp_net(tp_sk(tp)), tp));
}

int tcp_listen_hash(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	struct sock *sk = tp_sk(tp);

	if (tp->in_lhash)
		return 0;
	hlist_add_head(&sk->sk_node, &tn->lhash.buckets[tp->inet.inet_num & tn->lhash.mask]);
	tp->in_lhash = true;
	tn->lhash.count++;
	sock_hold(sk);
	return 0;
}

void tcp_unhash(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct netns_tcp *tn = tcp_net(sk);

	if (tp->in_ehash) {
		hlist_del(&sk->sk_node);
		tp->in_ehash = false;
		tn->ehash.count--;
		sock_put(sk);
	} else if (tp->in_lhash) {
		hlist_del(&sk->sk_node);
		tp->in_lhash = false;
		tn->lhash.count--;
		sock_put(sk);
	}
}

/* The established socket for a segment, or NULL; h its tcp_hash4. */
static struct tcp_sock *ehash_lookup_h(struct netns_tcp *tn, uint32_t h, uint32_t laddr,
				       uint16_t lport, uint32_t faddr, uint16_t fport)
{
	struct sock *sk;

	hlist_for_each_entry(sk, &tn->ehash.buckets[h & tn->ehash.mask], sk_node) {
		const struct inet_sock *in = inet_sk(sk);

		if (sk->sk_hash == h && in->inet_num == lport && in->inet_dport == fport &&
		    in->inet_rcv_saddr == laddr && in->inet_daddr == faddr &&
		    !tcp_is_v6(tcp_sk(sk)))
			return tcp_sk(sk);
	}
	return NULL;
}

static struct tcp_sock *ehash_lookup(struct netns_tcp *tn, uint32_t laddr, uint16_t lport,
				     uint32_t faddr, uint16_t fport)
{
	return ehash_lookup_h(tn, tcp_hash4(tn, laddr, lport, faddr, fport), laddr, lport, faddr,
			      fport);
}

struct tcp_sock *tcp_ehash_lookup6(struct netns_tcp *tn, const uint8_t *laddr, uint16_t lport,
				   const uint8_t *faddr, uint16_t fport)
{
	uint32_t h = tcp_hash6(tn, laddr, lport, faddr, fport);
	struct sock *sk;

	hlist_for_each_entry(sk, &tn->ehash.buckets[h & tn->ehash.mask], sk_node) {
		const struct tcp_sock *tp = tcp_sk(sk);

		if (sk->sk_hash == h && tp->inet.inet_num == lport && tp->inet.inet_dport == fport &&
		    tcp_is_v6(tp) && ipv6_addr_equal(tcp6_sk(tp)->v6_rcv_saddr, laddr) &&
		    ipv6_addr_equal(tcp6_sk(tp)->v6_daddr, faddr))
			return tcp_sk(sk);
	}
	return NULL;
}

/* Linux's compute_score: an exact address beats the wildcard; a device
 * binding must match. -1: no match. */
static int listen_score(const struct sock *sk, uint32_t laddr, uint16_t lport, int iif)
{
	const struct inet_sock *in = inet_sk(sk);
	int score = 1;

	if (in->inet_num != lport)
		return -1;
	if (sk->sk_family == AF_INET6) {
		/* a dual-stack listener (RFC 3493 3.7) takes IPv4 as ::ffff:a.b.c.d */
		const struct tcp_sock *tp = tcp_sk(sk);

		if (tp->v6only ||
		    (!ipv6_addr_any(tcp6_sk(tp)->v6_rcv_saddr) && !ipv6_addr_v4mapped(tcp6_sk(tp)->v6_rcv_saddr)))
			return -1;
	} else {
		score++;	/* Linux: an AF_INET socket beats a dual-stack one */
	}
	if (in->inet_rcv_saddr) {
		if (in->inet_rcv_saddr != laddr)
			return -1;
		score += 4;
	}
	if (sk->sk_bound_dev_if) {
		if (sk->sk_bound_dev_if != iif)
			return -1;
		score += 4;
	}
	return score;
}

/* The listener for a SYN; SO_REUSEPORT groups are spread by the 4-tuple hash. */
static struct tcp_sock *listener_lookup(struct netns_tcp *tn, uint32_t laddr, uint16_t lport,
					uint32_t faddr, uint16_t fport, int iif)
{
	struct hlist_head *b = &tn->lhash.buckets[lport & tn->lhash.mask];
	struct sock *sk, *best = NULL;
	int best_score = -1;
	uint32_t n = 0, pick;

	hlist_for_each_entry(sk, b, sk_node) {
		int s = listen_score(sk, laddr, lport, iif);

		if (s > best_score) {
			best = sk;
			best_score = s;
			n = 1;
		} else if (s == best_score && s >= 0 && sk->sk_reuseport && best->sk_reuseport) {
			n++;
		}
	}
	if (!best || n <= 1)
		return best ? tcp_sk(best) : NULL;
	pick = tcp_hash4(tn, laddr, lport, faddr, fport) % n;
	hlist_for_each_entry(sk, b, sk_node)
		if (listen_score(sk, laddr, lport, iif) == best_score && pick-- == 0)
			return tcp_sk(sk);
	return tcp_sk(best);
}

static int listen_score6(const struct sock *sk, const uint8_t *laddr, uint16_t lport, int iif)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int score = 1;

	if (sk->sk_family != AF_INET6 || tp->inet.inet_num != lport)
		return -1;
	if (!ipv6_addr_any(tcp6_sk(tp)->v6_rcv_saddr)) {
		if (!ipv6_addr_equal(tcp6_sk(tp)->v6_rcv_saddr, laddr))
			return -1;
		score += 4;
	}
	if (sk->sk_bound_dev_if) {
		if (sk->sk_bound_dev_if != iif)
			return -1;
		score += 4;
	}
	return score;
}

struct tcp_sock *tcp_listener_lookup6(struct netns_tcp *tn, const uint8_t *laddr, uint16_t lport,
				      const uint8_t *faddr, uint16_t fport, int iif)
{
	struct hlist_head *b = &tn->lhash.buckets[lport & tn->lhash.mask];
	struct sock *sk, *best = NULL;
	int best_score = -1;
	uint32_t n = 0, pick;

	hlist_for_each_entry(sk, b, sk_node) {
		int s = listen_score6(sk, laddr, lport, iif);

		if (s > best_score) {
			best = sk;
			best_score = s;
			n = 1;
		} else if (s == best_score && s >= 0 && sk->sk_reuseport && best->sk_reuseport) {
			n++;
		}
	}
	if (!best || n <= 1)
		return best ? tcp_sk(best) : NULL;
	pick = tcp_hash6(tn, laddr, lport, faddr, fport) % n;
	hlist_for_each_entry(sk, b, sk_node)
		if (listen_score6(sk, laddr, lport, iif) == best_score && pick-- == 0)
			return tcp_sk(sk);
	return tcp_sk(best);
}

/* ---- ports (Linux inet_csk_get_port / __inet_hash_connect) ------------------------------------- */
/* The addresses a bound socket claims: IPv4 (any when 0) and/or IPv6. */
struct bind_view {
	bool has4, has6;
	uint32_t a4;
	const uint8_t *a6;
};

static void bind_view_make(struct bind_view *v, int family, uint32_t a4, const uint8_t *a6,
			   bool v6only)
{
	static const uint8_t any6[16];

	v->a4 = a4;
	v->a6 = family == AF_INET6 ? a6 : any6;
	if (family != AF_INET6) {
		v->has4 = true;
		v->has6 = false;
	} else if (ipv6_addr_v4mapped(a6)) {
		v->has4 = true;
		v->has6 = false;
	} else {
		v->has6 = true;
		v->has4 = ipv6_addr_any(a6) && !v6only;
	}
}

static void bind_view_of(const struct sock *sk, struct bind_view *v)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	bind_view_make(v, sk->sk_family, tp->inet.inet_rcv_saddr,
		       sk->sk_family == AF_INET6 ? tcp6_sk(tp)->v6_rcv_saddr : NULL, tp->v6only);
}

static bool bind_views_overlap(const struct bind_view *a, const struct bind_view *b)
{
	if (a->has4 && b->has4 && (!a->a4 || !b->a4 || a->a4 == b->a4))
		return true;
	return a->has6 && b->has6 &&
	       (ipv6_addr_any(a->a6) || ipv6_addr_any(b->a6) || ipv6_addr_equal(a->a6, b->a6));
}

/* Linux's inet_rcv_saddr_equal, across families */
static bool sk_addr_overlap(const struct sock *sk, const struct sock *sk2)
{
	struct bind_view a, b;

	if (sk->sk_family == AF_INET && sk2->sk_family == AF_INET) {
		uint32_t x = inet_sk(sk)->inet_rcv_saddr, y = inet_sk(sk2)->inet_rcv_saddr;

		return !x || !y || x == y;
	}
	bind_view_of(sk, &a);
	bind_view_of(sk2, &b);
	return bind_views_overlap(&a, &b);
}

/* Linux's inet_csk_bind_conflict: may sk share its port with sk2? */
static bool bind_conflict(const struct sock *sk, const struct sock *sk2, bool listening)
{
	if (sk->sk_bound_dev_if && sk2->sk_bound_dev_if &&
	    sk->sk_bound_dev_if != sk2->sk_bound_dev_if)
		return false;
	if (!sk_addr_overlap(sk, sk2))
		return false;
	if (sk->sk_reuseport && sk2->sk_reuseport &&
	    (sk2->sk_state == TCP_LISTEN || sk2->sk_state == TCP_TIME_WAIT || !listening))
		return false;
	if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != TCP_LISTEN && !listening)
		return false;
	if (listening && sk2->sk_state != TCP_LISTEN && sk->sk_reuse && sk2->sk_reuse)
		return false;
	return true;
}

/* bind_conflict against a TIME-WAIT bucket (Linux keeps the minisocket on
 * the port's owners list: tw_reuse, tw_reuseport, tw_bound_dev_if) */
static bool bind_conflict_tw(const struct sock *sk, const struct tcp_timewait_sock *tw)
{
	struct bind_view a, b;

	if (sk->sk_bound_dev_if && tw->bound_dev_if && sk->sk_bound_dev_if != tw->bound_dev_if)
		return false;
	bind_view_of(sk, &a);
	bind_view_make(&b, tw->family, tw->rcv_saddr, tw->rcv_saddr6, tw->v6only);
	if (!bind_views_overlap(&a, &b))
		return false;
	if (sk->sk_reuseport && tw->reuseport)
		return false;
	/* SO_REUSEADDR on both: TIME-WAIT is never a listener */
	return !(sk->sk_reuse && tw->reuse);
}

static bool port_conflict(struct netns_tcp *tn, const struct sock *sk, uint16_t port,
			  bool listening)
{
	struct tcp_timewait_sock *tw;
	struct hlist_head *twc;
	struct tcp_sock *tp2;

	hlist_for_each_entry(tp2, &tn->bhash.buckets[port & tn->bhash.mask], bind_node) {
		struct sock *sk2 = tp_sk(tp2);

		if (sk2 != sk && inet_sk(sk2)->inet_num == port && bind_conflict(sk, sk2, listening))
			return true;
	}
	if (tn->tw_count && (twc = tcp_tw_port_chain(tn, port)))
		hlist_for_each_entry(tw, twc, bind_node)
			if (bind_conflict_tw(sk, tw))
				return true;
	return false;
}

/* Is local port `port` held by a TIME-WAIT bucket at all? */
static bool port_has_tw(struct netns_tcp *tn, uint16_t port)
{
	struct hlist_head *twc = tn->tw_count ? tcp_tw_port_chain(tn, port) : NULL;

	return twc && twc->first;
}

static void bind_add(struct tcp_sock *tp, uint16_t port)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));

	tp->inet.inet_num = port;
	tp->inet.inet_sport = port;
	hlist_add_head(&tp->bind_node, &tn->bhash.buckets[port & tn->bhash.mask]);
	tp->bound = true;
	tn->bhash.count++;
}

void tcp_put_port(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));

	if (!tp->bound)
		return;
	hlist_del(&tp->bind_node);
	tp->bound = false;
	tn->bhash.count--;
	if (!(tp_sk(tp)->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		tp->inet.inet_num = 0;
		tp->inet.inet_sport = 0;
	}
}

/* Used by listen(): is the bound port still free of other listeners? */
int tcp_v4_listen_check(struct tcp_sock *tp)
{
	return port_conflict(tcp_net(tp_sk(tp)), tp_sk(tp), tp->inet.inet_num, true) ? -EADDRINUSE
										    : 0;
}

/* proto->get_port: bind() to snum, or an ephemeral port (odd offsets first
 * as Linux's bind, leaving even ones to connect). */
int tcp_v4_get_port(struct sock *sk, unsigned short snum)
{
	struct netns_tcp *tn = tcp_net(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	int low, high;

	if (tp->bound)
		return -EINVAL;
	if (snum) {
		if (port_conflict(tn, sk, snum, false))
			return -EADDRINUSE;
		bind_add(tp, snum);
		return 0;
	}
	inet_get_local_port_range(sk->sk_net, &low, &high);
	uint32_t range = (uint32_t)(high - low + 1);
	uint32_t off = ns_random_below(sk->sk_net, range) | 1;

	for (int parity = 1; parity >= 0; parity--) {
		for (uint32_t i = 0; i < range; i += 2) {
			uint16_t port = (uint16_t)(low + ((off + i + (uint32_t)(1 - parity)) % range));
			struct tcp_sock *tp2;
			bool used = false;

			hlist_for_each_entry(tp2, &tn->bhash.buckets[port & tn->bhash.mask], bind_node)
				if (tp2->inet.inet_num == port) {
					used = true;
					break;
				}
			if (!used && !port_has_tw(tn, port)) {
				bind_add(tp, port);
				return 0;
			}
		}
	}
	return -EADDRINUSE;
}

static bool is_loopback(uint32_t a)
{
	return (a >> 24) == 127;
}

/* RFC 6191-style TIME_WAIT reuse for connect (tcp_twsk_unique): with
 * tcp_tw_reuse 1 (or 2 on loopback) and timestamps, a TIME_WAIT older than
 * one second may be taken over; the new ISN starts above its snd_nxt. */
static bool tw_reusable(struct netns_tcp *tn, struct tcp_timewait_sock *tw, struct tcp_sock *tp)
{
	int reuse = tn->tw_reuse;

	if (reuse == 2 && tw->af_ops->family == AF_INET6)
		reuse = ipv6_addr_loopback(tw->daddr6) && ipv6_addr_loopback(tw->rcv_saddr6);
	else if (reuse == 2)
		reuse = is_loopback(tw->daddr) && is_loopback(tw->rcv_saddr);
	if (!reuse || !tw->tstamp_ok || !tw->ts_recent_stamp)
		return false;
	if (tcp_clock(tn->stack) < tw->ts_recent_stamp + NS_PER_SEC)
		return false;
	tp->write_seq = tw->snd_nxt + 65535 + 2;
	if (!tp->write_seq)
		tp->write_seq = 1;
	return true;
}

/* Is the 4-tuple of tp (with local port `port`) free? Recycles a TIME_WAIT
 * when allowed. */
static bool tuple_unique(struct netns_tcp *tn, struct tcp_sock *tp, uint16_t port, uint32_t *hp)
{
	struct tcp_timewait_sock *tw;
	struct tcp_sock *o;
	uint32_t h;

	if (tcp_is_v6(tp)) {
		const struct tcp6_sock *t6 = tcp6_sk(tp);

		h = tcp_hash6(tn, t6->v6_rcv_saddr, port, t6->v6_daddr, tp->inet.inet_dport);
		o = tcp_ehash_lookup6(tn, t6->v6_rcv_saddr, port, t6->v6_daddr, tp->inet.inet_dport);
		tw = o ? NULL : tcp_tw_lookup6(tn, h, t6->v6_rcv_saddr, port, t6->v6_daddr,
					       tp->inet.inet_dport);
	} else {
		h = tcp_hash4(tn, tp->inet.inet_rcv_saddr, port, tp->inet.inet_daddr,
			      tp->inet.inet_dport);
		o = ehash_lookup_h(tn, h, tp->inet.inet_rcv_saddr, port, tp->inet.inet_daddr,
				   tp->inet.inet_dport);
		tw = o ? NULL : tcp_tw_lookup4(tn, h, tp->inet.inet_rcv_saddr, port,
					       tp->inet.inet_daddr, tp->inet.inet_dport);
	}
	*hp = h;	/* the 4-tuple's ehash, for ehash_add_h */
	if (o)
		return false;
	if (!tw)
		return true;
	if (!tw_reusable(tn, tw, tp))
		return false;
	/* Linux's tcp_twsk_unique: the new connection takes the 4-tuple */
	TCP_INC_STATS(tn, TCP_MIB_TWRECYCLED);
	tcp_tw_kill(tw);
	return true;
}

/* A port shared only by connect()ed sockets may be shared again when the
 * 4-tuple differs (Linux's bind buckets with fastreuse == -1). */
static bool port_connect_ok(struct netns_tcp *tn, struct tcp_sock *tp, uint16_t port, uint32_t *hp)
{
	struct tcp_sock *tp2;

	hlist_for_each_entry(tp2, &tn->bhash.buckets[port & tn->bhash.mask], bind_node) {
		if (tp2->inet.inet_num != port)
			continue;
		if (!(tp_sk(tp2)->sk_userlocks & SOCK_BINDPORT_LOCK) &&
		    tp_sk(tp2)->sk_state != TCP_LISTEN && tp2->inet.inet_dport)
			continue;	/* chosen by connect too */
		return false;
	}
	if (port_has_tw(tn, port)) {
		struct tcp_timewait_sock *tw;

		hlist_for_each_entry(tw, tcp_tw_port_chain(tn, port), bind_node)
			if (tw->bind_locked)
				return false;	/* a bind()ed port */
	}
	return tuple_unique(tn, tp, port, hp);
}

/* inet_hash_connect: pick the local port for connect() (even offsets
 * first) and enter the established hash. inet_rcv_saddr/daddr/dport set. */
int tcp_connect_port(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	int low, high;
	uint32_t h;

	if (tp->bound) {
		if (!tuple_unique(tn, tp, tp->inet.inet_num, &h))
			return -EADDRNOTAVAIL;
		ehash_add_h(tp, h);
		return 0;
	}
	inet_get_local_port_range(tp_sk(tp)->sk_net, &low, &high);
	uint32_t range = (uint32_t)(high - low + 1);
	uint32_t off = (tcp_is_v6(tp) ? tcp_hash6(tn, tcp6_sk(tp)->v6_rcv_saddr, 0, tcp6_sk(tp)->v6_daddr,
						  tp->inet.inet_dport)
				      : tcp_hash4(tn, tp->inet.inet_rcv_saddr, 0, tp->inet.inet_daddr,
						  tp->inet.inet_dport)) + tn->port_offset;

	off &= ~1u;
	for (int parity = 0; parity <= 1; parity++) {
		for (uint32_t i = 0; i < range; i += 2) {
			uint16_t port = (uint16_t)(low + ((off + i + (uint32_t)parity) % range));

			if (port_connect_ok(tn, tp, port, &h)) {
				tn->port_offset += i + 2;
				bind_add(tp, port);
				ehash_add_h(tp, h);
				return 0;
			}
		}
	}
	return -EADDRNOTAVAIL;
}

/* ---- RST for segments without a connection (RFC 9293 3.10.7.1) ------------------------------- */
void tcp_v4_send_reset(struct ns_stack *stack, uint32_t saddr, uint32_t daddr, uint16_t sport,
		       uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack)
{
	struct tcp_repr r = { .sport = sport, .dport = dport, .seq = seq, .ack_seq = ack,
			      .flags = (uint8_t)(TCP_FLAG_RST | (with_ack ? TCP_FLAG_ACK : 0)) };
	struct flowi4 fl4 = { .daddr = daddr, .saddr = saddr, .proto = IPPROTO_TCP };
	struct sk_buff *skb = alloc_skb_tx(stack, TCP_HLEN_MIN);
	uint8_t *p;

	if (!skb)
		return;
	p = skb_put(skb, TCP_HLEN_MIN);
	if (!p || tcp_emit_ipv4(&r, p, TCP_HLEN_MIN, saddr, daddr) < 0) {
		kfree_skb(skb);
		return;
	}
	skb_reset_transport_header(skb);
	TCP_INC_STATS(stack->tcp, TCP_MIB_OUTSEGS);
	TCP_INC_STATS(stack->tcp, TCP_MIB_OUTRSTS);
	ip_send_skb4(stack, skb, &fl4);
}

/* RFC 9293 3.10.7.1: "If the ACK bit is off, sequence number zero is used,
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; if the ACK bit is on,
 * <SEQ=SEG.ACK><CTL=RST>". An incoming RST is never answered. */
void tcp_reset_reply(struct ns_stack *stack, const struct tcp_addrs *a, const struct tcp_repr *th)
{
	uint32_t seg_len = (uint32_t)th->payload_len + !!(th->flags & TCP_FLAG_SYN) +
			   !!(th->flags & TCP_FLAG_FIN);

	if (th->flags & TCP_FLAG_RST)
		return;
	if (th->flags & TCP_FLAG_ACK)
		a->ops->send_reset(stack, a, th->dport, th->sport, th->ack_seq, 0, false);
	else
		a->ops->send_reset(stack, a, th->dport, th->sport, 0, th->seq + seg_len, true);
}

static void tcp_v4_reset_a(struct ns_stack *stack, const struct tcp_addrs *a, uint16_t sport,
			   uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack)
{
	tcp_v4_send_reset(stack, a->laddr, a->raddr, sport, dport, seq, ack, with_ack);
}

/* A bare segment from a's addresses (the TIME-WAIT ACK). */
static void tcp_v4_send_reply(struct ns_stack *stack, const struct tcp_addrs *a,
			      const struct tcp_repr *r)
{
	struct flowi4 fl4 = { .daddr = a->raddr, .saddr = a->laddr, .proto = IPPROTO_TCP,
			      .oif = a->iif };
	size_t len = tcp_hdr_len(r);
	struct sk_buff *skb = alloc_skb_tx(stack, (unsigned int)len);
	uint8_t *p;

	if (!skb)
		return;
	p = skb_put(skb, (unsigned int)len);
	if (!p || tcp_emit_ipv4(r, p, len, a->laddr, a->raddr) < 0) {
		kfree_skb(skb);
		return;
	}
	skb_reset_transport_header(skb);
	TCP_INC_STATS(stack->tcp, TCP_MIB_OUTSEGS);
	ip_send_skb4(stack, skb, &fl4);
}

static void tcp_v4_reset_reply(struct ns_stack *stack, uint32_t laddr, uint32_t raddr,
			       const struct tcp_repr *th)
{
	struct tcp_addrs a = { .ops = &tcp_ipv4_ops, .laddr = laddr, .raddr = raddr };

	tcp_reset_reply(stack, &a, th);
}

void tcp_sk_addrs(const struct tcp_sock *tp, struct tcp_addrs *a)
{
	memset(a, 0, sizeof(*a));
	a->ops = tp->af_ops;
	a->laddr = tp->inet.inet_saddr;
	a->raddr = tp->inet.inet_daddr;
	if (tp->inet.sk.sk_family == AF_INET6) {
		memcpy(a->laddr6, tcp6_sk(tp)->v6_saddr, 16);
		memcpy(a->raddr6, tcp6_sk(tp)->v6_daddr, 16);
	}
	a->iif = tp->inet.sk.sk_bound_dev_if;
}

void tcp_req_addrs(const struct request_sock *req, struct tcp_addrs *a)
{
	memset(a, 0, sizeof(*a));
	a->ops = req->af_ops;
	a->laddr = req->laddr;
	a->raddr = req->raddr;
	memcpy(a->laddr6, req->laddr6, 16);
	memcpy(a->raddr6, req->raddr6, 16);
	a->iif = req->iif;
}

void tcp_send_reset_sk(struct tcp_sock *tp, uint32_t seq)
{
	struct tcp_addrs a;

	tcp_sk_addrs(tp, &a);
	a.ops->send_reset(tp->inet.sk.sk_net, &a, tp->inet.inet_sport, tp->inet.inet_dport, seq, 0,
			  false);
}

/* ---- receive ---------------------------------------------------------------------------------- */
/* A segment for a listener (RFC 9293 3.10.7.2). Consumes skb. */
int tcp_listen_rcv(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_repr *th,
		   const struct tcp_options *opt, const struct tcp_addrs *a, uint32_t tw_isn)
{
	struct ns_stack *stack = skb->stack;
	struct request_sock *req;
	struct tcp_sock *child;

	/* "first check for an RST": ignore it */
	if (th->flags & TCP_FLAG_RST) {
		req = tcp_find_req(lp, a, th->sport);
		if (req && th->seq == req->rcv_isn + 1)
			reqsk_free(req);	/* RFC 9293 3.10.7.4 SYN-RECEIVED: RST */
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	if (th->flags & TCP_FLAG_ACK) {
		req = tcp_find_req(lp, a, th->sport);
		if (!req && !(th->flags & TCP_FLAG_SYN) && stack->tcp->syncookies &&
		    lp->lq->last_synq_overflow &&
		    ns_now(stack) - lp->lq->last_synq_overflow < 2 * 60 * NS_PER_SEC) {
			/* RFC 4987 3.6: maybe the ACK of a cookie SYN-ACK */
			child = cookie_check_ack(lp, skb, th, opt, a);
			if (!child)
				return 0;	/* skb consumed */
			return tcp_rcv_state_process(child, skb, th, opt);
		}
		if (!req) {
			/* "any acknowledgment is bad if it arrives on a
			 * connection still in the LISTEN state": RST */
			tcp_reset_reply(stack, a, th);
			kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
			return 0;
		}
		child = tcp_check_req(lp, req, skb, th, opt);
		if (!child)
			return 0;	/* skb consumed */
		return tcp_rcv_state_process(child, skb, th, opt);
	}
	if ((th->flags & TCP_FLAG_SYN) && !(th->flags & TCP_FLAG_FIN))
		return tcp_conn_request(lp, skb, th, opt, tw_isn, a);
	/* "any other control or text-bearing segment ... drop it" (SYN+FIN too) */
	TCP_INC_STATS(stack->tcp, TCP_MIB_INERRS);
	kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
	return 0;
}

/* net_protocol handler: skb->data at the TCP header, IPCB filled. */
int tcp_v4_rcv(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->stack;
	struct netns_tcp *tn = stack->tcp;
	uint32_t saddr = IPCB(skb)->saddr, daddr = IPCB(skb)->daddr;
	int iif = IPCB(skb)->iif;
	unsigned int flags = skb_csum_unnecessary(skb) ? TCP_PARSE_NO_CSUM : 0;
	struct tcp_repr th;
	struct tcp_options opt;
	struct tcp_timewait_sock *tw;
	struct tcp_sock *tp;
	uint32_t tw_isn = 0, h;
	int rc;

	if (IPCB(skb)->rt_type != RTN_LOCAL) {
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return 0;
	}
	TCP_INC_STATS(tn, TCP_MIB_INSEGS);
	/* RFC 9293 3.1: header length and checksum */
	rc = tcp_parse_ipv4(skb->data, skb->len, saddr, daddr, flags, &th, NULL);
	if (rc == WIRE_EBADCSUM) {
		TCP_INC_STATS(tn, TCP_MIB_CSUMERRORS);
		TCP_INC_STATS(tn, TCP_MIB_INERRS);
		kfree_skb_reason(skb, SKB_DROP_REASON_CSUM);
		return 0;
	}
	if (rc) {
		TCP_INC_STATS(tn, TCP_MIB_INERRS);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* RFC 9293 3.2 MUST-7: an option of length 0/1 or past the header
	 * must not crash us. Linux's tcp_parse_options stops at it and keeps
	 * what came before; so do we (the segment is processed). */
	(void)tcp_parse_options(th.opts ? th.opts : skb->data, th.opts_len, &opt);
	/* no port 0; LAND (RFC 4987 3: same address and port at both ends)
	 * only ever comes from a loopback self-connect */
	if (!th.sport || !th.dport ||
	    (saddr == daddr && th.sport == th.dport && !(skb->dev->flags & IFF_LOOPBACK))) {
		TCP_INC_STATS(tn, TCP_MIB_INERRS);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	skb_reset_transport_header(skb);
	h = hash4(tn, daddr, th.dport, saddr, th.sport);
	tp = ehash_lookup_h(tn, h, daddr, th.dport, saddr, th.sport);
	if (!tp && (tw = tcp_tw_lookup4(tn, h, daddr, th.dport, saddr, th.sport))) {
		/* Linux's do_time_wait */
		switch (tcp_timewait_state_process(tw, &th, &opt, &tw_isn)) {
		case TCP_TW_SYN:
			tp = listener_lookup(tn, daddr, th.dport, saddr, th.sport, iif);
			if (tp) {
				/* the TIME-WAIT bucket gives way to the new incarnation */
				tcp_tw_kill(tw);
				goto listener;
			}
			/* no listener: ACK */
			/* fallthrough */
		case TCP_TW_ACK:
			tcp_timewait_ack(tw);
			break;
		case TCP_TW_SUCCESS:
			break;
		}
		consume_skb(skb);
		return 0;
	}
	if (tp) {
		struct sock *sk = tp_sk(tp);
		sock_hold(sk);
		rc = tcp_rcv_state_process(tp, skb, &th, &opt);
		sock_put(sk);
		return rc;
	}
	tp = listener_lookup(tn, daddr, th.dport, saddr, th.sport, iif);
listener:
	if (tp) {
		struct sock *sk = tp_sk(tp);
		sock_hold(sk);
		struct tcp_addrs a = { .ops = &tcp_ipv4_ops, .laddr = daddr, .raddr = saddr,
				       .iif = iif };

		rc = tcp_listen_rcv(tp, skb, &th, &opt, &a, tw_isn);
		sock_put(sk);
		return rc;
	}
	/* RFC 9293 3.10.7.1: CLOSED - a reset is sent in response */
	tcp_v4_reset_reply(stack, daddr, saddr, &th);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}

/* ---- ICMP errors (RFC 5927, RFC 1191 PMTUD, RFC 1122 4.2.3.9) ------------------------------------ */
static int icmp_unreach_errno(uint8_t code, bool *fatal)
{
	static const struct { int err; bool fatal; } tab[16] = {
		{ ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true },
		{ ECONNREFUSED, true }, { EMSGSIZE, false }, { EOPNOTSUPP, false },
		{ ENETUNREACH, true }, { EHOSTDOWN, true }, { ENONET, true },
		{ ENETUNREACH, true }, { EHOSTUNREACH, true }, { ENETUNREACH, false },
		{ EHOSTUNREACH, false }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
		{ EHOSTUNREACH, true },
	};

	if (code >= 16) {
		*fatal = false;
		return EHOSTUNREACH;
	}
	*fatal = tab[code].fatal;
	return tab[code].err;
}

/* The path MTU shrank: resegment what is unacked and resend it. */
void tcp_mtu_reduced(struct tcp_sock *tp, uint32_t mtu)
{
	if (mtu < tp->af_ops->min_mtu || mtu >= tp->pmtu)
		return;
	tcp_sync_mss(tp, mtu);
	tcp_simple_retransmit(tp);
}

void tcp_v4_err(struct ns_stack *stack, const struct icmp_err_info *err)
{
	struct netns_tcp *tn = stack->tcp;
	struct tcp_sock *tp;
	struct sock *sk;
	uint16_t sport, dport;
	uint32_t seq;
	bool fatal = false;
	int errno_v = 0;

	if (!tn || err->l4_len < 8)
		return;
	sport = get_be16(err->l4);
	dport = get_be16(err->l4 + 2);
	seq = get_be32(err->l4 + 4);
	tp = ehash_lookup(tn, err->saddr, sport, err->daddr, dport);
	if (!tp)
		return;
	sk = tp_sk(tp);
	/* RFC 5927 4.1: the quoted sequence number must be in flight */
	if (sk->sk_state != TCP_SYN_SENT && !between(seq, tp->snd_una, tp->snd_nxt))
		return;
	switch (err->type) {
	case ICMP_DEST_UNREACH:
		if (err->code == ICMP_FRAG_NEEDED) {	/* RFC 1191 */
			if (tp->inet.pmtudisc != IP_PMTUDISC_DONT)
				tcp_mtu_reduced(tp, err->info);
			return;
		}
		errno_v = icmp_unreach_errno(err->code, &fatal);
		break;
	case ICMP_TIME_EXCEEDED:
		errno_v = EHOSTUNREACH;
		break;
	case ICMP_PARAMETERPROB:
		errno_v = EPROTO;
		fatal = true;
		break;
	default:
		return;
	}
	tcp_err_apply(tp, errno_v, fatal);
}

void tcp_err_apply(struct tcp_sock *tp, int errno_v, bool fatal)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	struct sock *sk = tp_sk(tp);

	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) {
		/* Linux: an error while connecting aborts the attempt */
		if (!fatal && sk->sk_state == TCP_SYN_RECV)
			return;
		TCP_INC_STATS(tn, TCP_MIB_ATTEMPTFAILS);
		sk->sk_err = errno_v;
		sock_hold(sk);
		if (!sock_flag(sk, SOCK_DEAD))
			sk_error_report(sk);
		tcp_done(tp);
		sock_put(sk);
		return;
	}
	/* RFC 1122 4.2.3.9: soft errors in synchronized states */
	if (tp->inet.recverr) {
		sk_report_error(sk, errno_v);
	} else {
		sk->sk_err_soft = errno_v;
	}
}

/* ---- the IPv4 family table ------------------------------------------------------------------ */
static uint32_t tcp_v4_init_seq_a(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				  uint16_t rport, uint64_t now)
{
	return tcp_v4_init_seq(tn, a->laddr, a->raddr, lport, rport, now);
}

static uint32_t cookie_v4_init_a(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				 uint16_t rport, uint32_t seq, uint16_t *mss, uint64_t now)
{
	return cookie_v4_init_sequence(tn, a->laddr, a->raddr, lport, rport, seq, mss, now);
}

static uint16_t cookie_v4_check_a(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				  uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now)
{
	return cookie_v4_check(tn, a->laddr, a->raddr, lport, rport, seq, cookie, now);
}

const struct tcp_af_ops tcp_ipv4_ops = {
	.family = AF_INET,
	.net_header_len = 20,
	.min_mtu = 68,
	.send_check = tcp_v4_send_check,
	.queue_xmit = tcp_v4_queue_xmit,
	.route = tcp_v4_route,
	.req_xmit = tcp_v4_req_xmit,
	.req_mtu = tcp_v4_req_mtu,
	.send_reset = tcp_v4_reset_a,
	.send_reply = tcp_v4_send_reply,
	.init_seq = tcp_v4_init_seq_a,
	.cookie_init_seq = cookie_v4_init_a,
	.cookie_check = cookie_v4_check_a,
};
