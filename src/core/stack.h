/* stack.h - struct ns_stack: one network stack instance (Linux's struct net
 * plus its softnet_data). Everything a protocol keeps hangs off it; nothing
 * in nstack is global and mutable.
 *
 * Subsystems keep their per-stack state behind the typed pointers below and
 * register an init/exit pair in core/subsys.c. */
#ifndef NSTACK_CORE_STACK_H
#define NSTACK_CORE_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "nstack/nstack.h"
#include "core/list.h"
#include "core/skbuff.h"
#include "core/timer.h"

struct net_device;
struct napi_struct;
struct proc_tree;
struct skb_pool;

#define PTYPE_HASH_SIZE 16
#define NETDEV_HASHBITS 8
#define NETDEV_HASHENTRIES (1 << NETDEV_HASHBITS)

/* net.core.* sysctls (Linux defaults) */
struct netns_core {
	int rmem_default;	/* 212992 */
	int wmem_default;	/* 212992 */
	int rmem_max;		/* 212992 */
	int wmem_max;		/* 212992 */
	int netdev_max_backlog;	/* 1000 */
	int netdev_budget;	/* 300 */
	int netdev_budget_usecs;	/* 2000 (informational; virtual time never squeezes) */
	int dev_weight;		/* 64 */
	int somaxconn;		/* 4096 */
};

/* Linux's softnet_data for our one "CPU": the NAPI poll list, the backlog
 * queue fed by netif_rx, the devices whose qdiscs need a run. */
struct softnet_data {
	struct list_head poll_list;		/* napi_structs scheduled */
	struct sk_buff_head input_pkt_queue;	/* backlog (netif_rx) */
	struct napi_struct *backlog;		/* polls input_pkt_queue */
	struct list_head output_queue;		/* Qdiscs to run (net_tx_action) */
	/* /proc/net/softnet_stat */
	uint32_t processed;
	uint32_t dropped;
	uint32_t time_squeeze;
	uint32_t received_rps;
	uint32_t flow_limit_count;
	uint64_t poll_now;		/* clock read once per NAPI poll (0: outside) */
	/* Bumped when a cached forwarding decision may have gone stale (a
	 * device went down/away or changed address, a neighbour was freed,
	 * a route, address or learned PMTU changed: src/ipv4/route.h):
	 * Linux's rt_genid. Cached dsts and neighbour hh headers compare it. */
	uint32_t dst_genid;
};

/* Poller registration for driver file descriptors. */
typedef void (*ns_fd_cb)(void *ctx, uint32_t events);

/* Subsystem state, each owned by the module that defines it. */
struct netns_ipv4;
struct netns_ipv6;
struct netns_neigh;
struct netns_sock;
struct netns_udp;
struct netns_nf;
struct netns_br;
struct netns_vlan;
struct netns_cmd;
struct netns_nft;
struct netns_ct;
struct netns_tcp;
struct netns_apps;

struct ns_stack {
	char name[32];
	struct ns_clock *clock;
	uint64_t seed;
	bool single_thread;		/* ns_stack_config.single_thread */
	uint64_t rng_state;		/* ns_random() */

	struct skb_pool *skb_pool;
	struct timer_base *timers;

	/* devices */
	struct list_head dev_base_head;	/* in ifindex order */
	struct hlist_head dev_name_head[NETDEV_HASHENTRIES];
	struct hlist_head dev_index_head[NETDEV_HASHENTRIES];
	int ifindex_next;
	unsigned int dev_count;
	struct net_device *loopback_dev;
	struct list_head netdev_notifiers;

	/* protocol dispatch */
	struct list_head ptype_base[PTYPE_HASH_SIZE];
	struct list_head ptype_all;

	struct softnet_data softnet;
	struct netns_core core;

	/* poller */
	int epfd;
	unsigned int poll_fds;

	/* /proc */
	struct proc_tree *proc;

	/* drops by reason (/proc/net/nstack/drops) */
	uint64_t drop_reasons[SKB_DROP_REASON_MAX];

	/* subsystems */
	struct netns_ipv4 *ipv4;
	struct netns_ipv6 *ipv6;
	struct netns_neigh *neigh;
	struct netns_sock *sock;
	struct netns_udp *udp;
	struct netns_nf *nf;
	struct netns_br *br;
	struct netns_vlan *vlan;
	struct netns_cmd *cmd;
	struct netns_nft *nft;		/* nf_tables ruleset (netfilter/nf_tables.h) */
	struct netns_ct *ct;		/* connection tracking (netfilter/nf_conntrack.h) */
	struct netns_tcp *tcp;
	struct netns_apps *apps;	/* src/apps: services, HTTP client */
	void *embedder;			/* free for the embedder (the lab uses it) */
};

static inline uint64_t ns_now(struct ns_stack *stack)
{
	return stack->clock->now_ns(stack->clock);
}

/* The stack's PRNG (xoshiro-style, seeded per stack): reproducible in
 * virtual time. Not for secrets: see ns_random_secret(). */
uint64_t ns_random(struct ns_stack *stack);
static inline uint32_t ns_random_u32(struct ns_stack *stack)
{
	return (uint32_t)(ns_random(stack) >> 32);
}
/* Uniform in [0, n). */
uint32_t ns_random_below(struct ns_stack *stack, uint32_t n);

/* Watch a file descriptor (EPOLLIN/EPOLLOUT); cb runs from the loop. */
int ns_stack_watch_fd(struct ns_stack *stack, int fd, uint32_t events, ns_fd_cb cb, void *ctx);
int ns_stack_rewatch_fd(struct ns_stack *stack, int fd, uint32_t events, ns_fd_cb cb, void *ctx);
void ns_stack_unwatch_fd(struct ns_stack *stack, int fd);

/* Messages from the stack (errors at setup, never per packet). */
void ns_log(struct ns_stack *stack, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
