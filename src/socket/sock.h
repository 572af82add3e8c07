/* sock.h - struct sock (Linux's include/net/sock.h): the protocol-independent
 * state of one socket, the struct proto ops table a transport fills in (UDP
 * now, TCP later), memory accounting of queued skbs, and the per-stack
 * socket state (descriptor table, lock, wait condition).
 *
 * Read first: include/nstack/socket.h (the API), then socket.c (how a call
 * reaches the proto ops), then sock.c. Everything runs under the stack lock
 * (sock_net_lock); "may sleep" does not exist below the socket layer: proto
 * functions never block, they return -EAGAIN and socket.c waits.
 *
 * Addresses and ports in struct inet_sock are in HOST order (as ip.h). */
#ifndef NSTACK_SOCKET_SOCK_H
#define NSTACK_SOCKET_SOCK_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "core/list.h"
#include "core/skbuff.h"
#include "core/stack.h"

struct proto;
struct socket;
struct sock;
struct sock_callbacks;

/* Linux: TCP_SKB_MIN_TRUESIZE = 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608

/* sk_reuse */
#define SK_NO_REUSE  0
#define SK_CAN_REUSE 1

/* sk_userlocks */
#define SOCK_SNDBUF_LOCK   1
#define SOCK_RCVBUF_LOCK   2
#define SOCK_BINDADDR_LOCK 4
#define SOCK_BINDPORT_LOCK 8

/* sk_shutdown */
#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* sk_flags bits */
enum sock_flags {
	SOCK_DEAD,		/* closed by the application */
	SOCK_DONE,
	SOCK_BROADCAST,		/* SO_BROADCAST */
	SOCK_KEEPOPEN,		/* SO_KEEPALIVE */
	SOCK_LINGER,		/* SO_LINGER l_onoff */
	SOCK_NOSPACE,		/* a sender found the send buffer full */
	SOCK_RCVTSTAMP,
	SOCK_FLAG_COUNT		/* fits sk_flags */
};

/* sk_state for datagram sockets uses Linux's TCP state numbers. */
#define TCP_ESTABLISHED 1
#define TCP_CLOSE 7
#define TCP_LISTEN 10

#define NS_MAX_TIMEOUT INT64_MAX	/* sk_rcvtimeo/sk_sndtimeo: wait forever */

struct sock {
	struct ns_stack *sk_net;
	const struct proto *sk_prot;
	struct socket *sk_socket;	/* NULL once the application closed it */
	unsigned short sk_family;
	unsigned short sk_type;
	int sk_protocol;
	int sk_state;
	int sk_refcnt;			/* sock_hold/sock_put; freed at 0 */

	int sk_bound_dev_if;		/* SO_BINDTODEVICE ifindex, 0: any */
	uint8_t sk_reuse;		/* SO_REUSEADDR */
	uint8_t sk_reuseport;		/* SO_REUSEPORT */
	uint8_t sk_shutdown;		/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	uint8_t sk_userlocks;		/* SOCK_*_LOCK */
	uint32_t sk_flags;		/* 1 << enum sock_flags (Linux: unsigned long) */

	/* memory: charged truesize of queued skbs against the buffer sizes */
	int sk_rcvbuf;
	int sk_sndbuf;
	int sk_rmem_alloc;
	int sk_wmem_alloc;
	uint32_t sk_hash;		/* the proto's hash of the bound socket */
	/* the protocol's per-stack total of the two above (Linux's
	 * proto->memory_allocated), NULL when it keeps none */
	long *sk_memory_allocated;
	uint32_t sk_dst_slot;		/* cached output route slot (ip_route_output_sk) */
	uint32_t sk_tsq_bytes;		/* TCP small queues: bytes of sent clones still in
					 * this stack's qdiscs (Linux's sk_wmem_alloc) */
	struct sk_buff_head sk_receive_queue;
	struct sk_buff_head sk_write_queue;
	struct sk_buff_head sk_error_queue;	/* IP_RECVERR */
	uint32_t sk_drops;		/* receive drops (rcvbuf full) */

	int sk_err;			/* pending error, reported once (-errno stored positive) */
	int sk_err_soft;
	int sk_lingertime;		/* seconds */
	int64_t sk_rcvtimeo;		/* ns, NS_MAX_TIMEOUT: none */
	int64_t sk_sndtimeo;
	uint32_t sk_mark;
	uint32_t sk_priority;
	int sk_max_ack_backlog;
	int sk_ack_backlog;
	uint64_t sk_ino;		/* "inode" number for /proc/net/udp */
	struct hlist_node sk_node;	/* the proto's lookup chain */

	/* Callbacks: the protocol calls sk_state_change(sk),
	 * sk_data_ready(sk)... when the socket becomes readable, writable,
	 * changes state or gets an error. */
	const struct sock_callbacks *sk_cb;
};

/* Linux keeps the four callbacks as members of every sock; here they sit
 * in a shared table (one pointer per socket instead of four). The
 * defaults (sock_def_callbacks) wake sleepers and epoll sets; a user that
 * wants others points sk_cb at its own table. */
struct sock_callbacks {
	void (*state_change)(struct sock *sk);
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*error_report)(struct sock *sk);
};
extern const struct sock_callbacks sock_def_callbacks;

static inline void sk_state_change(struct sock *sk)
{
	sk->sk_cb->state_change(sk);
}
static inline void sk_data_ready(struct sock *sk)
{
	sk->sk_cb->data_ready(sk);
}
static inline void sk_write_space(struct sock *sk)
{
	sk->sk_cb->write_space(sk);
}
static inline void sk_error_report(struct sock *sk)
{
	sk->sk_cb->error_report(sk);
}

_Static_assert(SOCK_FLAG_COUNT <= 32, "enum sock_flags fits sk_flags");

/* IPv4 part (Linux's struct inet_sock). */
struct inet_sock {
	struct sock sk;			/* first */
	uint32_t inet_saddr;		/* source used when sending (0: by route) */
	uint32_t inet_rcv_saddr;	/* bound local address (0: any) */
	uint32_t inet_daddr;		/* connected peer */
	uint16_t inet_sport;		/* local port */
	uint16_t inet_dport;		/* connected peer port */
	uint16_t inet_num;		/* local port once bound (Linux inet_num) */
	int16_t uc_ttl;			/* IP_TTL, -1: net.ipv4.ip_default_ttl */
	uint8_t tos;			/* IP_TOS */
	uint8_t pmtudisc;		/* IP_MTU_DISCOVER (IP_PMTUDISC_*) */
	bool recverr;			/* IP_RECVERR */
	bool pktinfo;			/* IP_PKTINFO */
};

static inline struct inet_sock *inet_sk(const struct sock *sk)
{
	return (struct inet_sock *)(void *)sk;
}

static inline bool sock_flag(const struct sock *sk, enum sock_flags f)
{
	return (sk->sk_flags >> f) & 1;
}
static inline void sock_set_flag(struct sock *sk, enum sock_flags f)
{
	sk->sk_flags |= 1U << f;
}
static inline void sock_reset_flag(struct sock *sk, enum sock_flags f)
{
	sk->sk_flags &= ~(1U << f);
}
static inline void sock_valbool_flag(struct sock *sk, enum sock_flags f, int val)
{
	if (val)
		sock_set_flag(sk, f);
	else
		sock_reset_flag(sk, f);
}

/* ---- the proto ops table ---------------------------------------------------------
 * Filled with designated initializers by each transport. Every function
 * runs under the stack lock and never sleeps: where Linux would block,
 * return -EAGAIN and socket.c waits (honouring O_NONBLOCK, MSG_DONTWAIT,
 * SO_RCVTIMEO/SO_SNDTIMEO) and calls again. Return values are counts or
 * -errno. A NULL member means "not supported" (the socket layer answers
 * -EOPNOTSUPP) unless said otherwise. */
struct proto {
	const char *name;
	size_t obj_size;		/* sizeof the protocol's sock (>= inet_sock) */
	/* After allocation and sock_init_data. May be NULL. */
	int (*init)(struct sock *sk);
	/* Before the memory is freed (last sock_put). May be NULL. */
	void (*destroy)(struct sock *sk);
	/* The application closed the socket: unhash, purge, start TCP's close.
	 * The proto drops the reference it was given (sock_put) when done. */
	void (*close)(struct sock *sk, long timeout);
	int (*connect)(struct sock *sk, const struct sockaddr *uaddr, int addr_len);
	/* connect(AF_UNSPEC) */
	int (*disconnect)(struct sock *sk, int flags);
	/* A connected child or NULL with *err = -EAGAIN/-EINVAL... */
	struct sock *(*accept)(struct sock *sk, int flags, int *err);
	int (*listen)(struct sock *sk, int backlog);
	int (*ioctl)(struct sock *sk, int cmd, int *karg);
	int (*shutdown)(struct sock *sk, int how);	/* how: RCV_SHUTDOWN|SEND_SHUTDOWN */
	/* Options of levels other than SOL_SOCKET, and SOL_SOCKET options the
	 * socket layer leaves to the protocol. -ENOPROTOOPT when unknown. */
	int (*setsockopt)(struct sock *sk, int level, int optname, const void *optval,
			  socklen_t optlen);
	int (*getsockopt)(struct sock *sk, int level, int optname, void *optval,
			  socklen_t *optlen);
	/* Send len bytes gathered from msg (msg_name may hold the destination).
	 * Bytes taken, or -errno (-EAGAIN: no buffer space now). */
	int (*sendmsg)(struct sock *sk, const struct msghdr *msg, size_t len, int flags);
	/* Receive into msg; fills msg_name/msg_namelen, msg_flags, control.
	 * Bytes (or the datagram length with MSG_TRUNC), or -EAGAIN. */
	int (*recvmsg)(struct sock *sk, struct msghdr *msg, size_t len, int flags);
	int (*bind)(struct sock *sk, const struct sockaddr *uaddr, int addr_len);
	/* Local (peer=0) or peer (peer=1) address; -ENOTCONN. */
	int (*getname)(struct sock *sk, struct sockaddr *uaddr, int peer);
	int (*hash)(struct sock *sk);
	void (*unhash)(struct sock *sk);
	/* Bind to port snum (host order), 0 for an ephemeral port. */
	int (*get_port)(struct sock *sk, unsigned short snum);
	/* Readiness as EPOLL* bits. NULL: datagram_poll(). */
	unsigned int (*poll)(struct sock *sk);
};

/* (family, type, protocol) -> proto: Linux's inetsw table. The socket layer
 * looks entries up in ns_socket(); transports register at init. */
struct inet_protosw {
	struct list_head list;
	int family;
	int type;
	int protocol;			/* the default when socket() gets 0 */
	const struct proto *prot;
};
int sock_register_protosw(struct ns_stack *stack, struct inet_protosw *p);
void sock_unregister_protosw(struct ns_stack *stack, struct inet_protosw *p);

/* ---- struct sock life ---------------------------------------------------------------- */
/* Inline: several pairs per segment (every owned skb holds one). */
void sk_free(struct sock *sk);	/* the last reference: sock_put only */
static inline void sock_hold(struct sock *sk)
{
	sk->sk_refcnt++;
}
static inline void sock_put(struct sock *sk)
{
	if (--sk->sk_refcnt == 0)
		sk_free(sk);
}
/* A zeroed struct sock of size bytes (the proto's obj_size), from the
 * stack's cache of freed ones when it has one; NULL: no memory. */
struct sock *sk_obj_alloc(struct ns_stack *stack, size_t size);
/* a zeroed object of size from the per-stack cache (calloc when empty);
 * ns_obj_free gives it back (free when that size's class is full) */
void *ns_obj_alloc(struct ns_stack *stack, size_t size);
void ns_obj_free(struct ns_stack *stack, void *o, size_t size);
/* Drop the cached objects (stack teardown). */
void sk_cache_flush(struct netns_sock *ss);
/* Wake sleepers and epoll sets: the default callbacks. */
void sock_def_wakeup(struct sock *sk);
/* Wake writers once sock_writeable() (the default sk_write_space). */
void sock_def_write_space(struct sock *sk);

/* ---- memory accounting ------------------------------------------------------------------ */
/* The destructors the owners below install (sock.c). */
void sock_rfree(struct sk_buff *skb);
void sock_wfree(struct sk_buff *skb);
static inline void sk_mem_account(struct sock *sk, long delta)
{
	if (sk->sk_memory_allocated)
		*sk->sk_memory_allocated += delta;
}
/* Charge skb->truesize to sk's receive memory; freeing the skb uncharges.
 * (Inline, as its twin: one of each per segment.) */
static inline void skb_set_owner_r(struct sk_buff *skb, struct sock *sk)
{
	if (skb->destructor)	/* a fresh skb has no owner to drop */
		skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = sock_rfree;
	sk->sk_rmem_alloc += (int)skb->truesize;
	sk_mem_account(sk, (long)skb->truesize);
}
/* Charge to send memory; the skb holds a socket reference until freed,
 * then sk_write_space() runs. */
static inline void skb_set_owner_w(struct sk_buff *skb, struct sock *sk)
{
	if (skb->destructor)
		skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = sock_wfree;
	sock_hold(sk);
	sk->sk_wmem_alloc += (int)skb->truesize;
	sk_mem_account(sk, (long)skb->truesize);
}
/* Queue on sk_receive_queue when sk_rmem_alloc < sk_rcvbuf, else
 * -ENOMEM (sk_drops counted; the caller still owns the skb). Calls
 * sk_data_ready. */
int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb);
/* Queue an error skb on sk_error_queue (bounded by sk_rcvbuf likewise). */
int sock_queue_err_skb(struct sock *sk, struct sk_buff *skb);
/* May a sender charge one more skb? Linux's sock_alloc_send_pskb allows
 * it while less than sk_sndbuf is in use (the skb may overshoot). */
static inline bool sock_wmem_ok(const struct sock *sk, unsigned int truesize)
{
	(void)truesize;
	return sk->sk_wmem_alloc < sk->sk_sndbuf;
}
/* Linux's sock_writeable(): less than half the send buffer in use. */
static inline bool sock_writeable(const struct sock *sk)
{
	return sk->sk_wmem_alloc < (sk->sk_sndbuf >> 1);
}
/* Read and clear sk_err, as -errno (0 when none). */
int sock_error(struct sock *sk);
/* Report an error: set sk_err and call sk_error_report. */
void sk_report_error(struct sock *sk, int err);

/* Readiness of a datagram socket (Linux's datagram_poll). */
unsigned int datagram_poll(struct sock *sk);
unsigned int sock_poll_mask(struct sock *sk);

/* ---- iovec helpers ------------------------------------------------------------------------ */
size_t iov_total(const struct msghdr *msg);
/* Gather len bytes from msg's iovecs into dst. */
void memcpy_from_msg(void *dst, const struct msghdr *msg, size_t len);
/* Scatter len bytes of src into msg's iovecs (bounded by their sizes). */
void memcpy_to_msg(struct msghdr *msg, const void *src, size_t len);
/* Append a control message; sets MSG_CTRUNC when it does not fit. */
void put_cmsg(struct msghdr *msg, int level, int type, size_t len, const void *data);
/* Room used so far in msg_control (the caller sets msg_controllen at the end). */

/* ---- per-stack socket state --------------------------------------------------------------- */
enum ns_file_kind { NS_FILE_SOCKET = 1, NS_FILE_EPOLL = 2 };
struct ns_file {
	enum ns_file_kind kind;
	int fd;
	int refs;		/* table slot + calls in progress */
	bool closed;
};

/* Linux's struct socket: the descriptor-side object. */
#define SS_UNCONNECTED 1
#define SS_CONNECTING  2
#define SS_CONNECTED   3
#define SS_DISCONNECTING 4
struct socket {
	struct ns_file file;	/* first */
	short type;
	short state;		/* SS_* */
	int flags;		/* O_NONBLOCK */
	struct sock *sk;
	struct hlist_head ep_items;	/* epitems watching this socket (Linux's f_ep) */
};

struct ns_eventpoll;

#define SK_CACHE_CLASSES 6	/* TCP socks v4/v6, UDP, struct socket, request socks */
#define SK_CACHE_DEPTH 32
/* off under AddressSanitizer: a reused object would hide a use after free */
#if defined(__SANITIZE_ADDRESS__)
#define SK_CACHE_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SK_CACHE_ON 0
#endif
#endif
#ifndef SK_CACHE_ON
#define SK_CACHE_ON 1
#endif

struct netns_sock {
	pthread_mutex_t lock;
	_Atomic unsigned long owner;	/* pthread_self() of the holder, 0: none */
	int depth;			/* recursion of the holder */
	pthread_cond_t cond;		/* every wait (CLOCK_MONOTONIC) */
	unsigned int waiters;		/* threads in pthread_cond_*wait */

	/* the loop thread */
	pthread_t loop_thread;
	_Atomic unsigned long loop_tid;	/* pthread_self() of the loop thread, 0: none */
	atomic_bool stop;
	bool thread_running;
	int wake_fd;			/* eventfd: interrupts the loop's sleep */
	bool loop_sleeping;		/* in poll() and not yet kicked (under lock) */

	/* descriptors */
	struct ns_file **files;
	int files_cap;
	int max_fds;			/* /proc/sys/net/nstack/max_fds (EMFILE) */
	int nr_files;
	uint64_t next_ino;
	unsigned int nr_socks;		/* struct socks alive */
	/* freed struct socks (and struct sockets, request socks) kept for
	 * the next object of the same size (Linux's per-proto slab cache):
	 * a few size classes, each bounded (ns_obj_alloc) */
	struct {
		size_t size;		/* obj_size held, 0: class unused */
		unsigned int n;
		void *obj[SK_CACHE_DEPTH];
	} sk_cache[SK_CACHE_CLASSES];

	struct list_head protosw;	/* struct inet_protosw */
};

static inline struct netns_sock *sock_net_state(struct ns_stack *stack)
{
	return stack->sock;
}
/* The stack lock: recursive for its holder (a callback of the loop thread
 * may call the API). A single_thread stack takes no lock: only the depth is
 * kept, inline (every API call passes here). */
void sock_net_lock_mt(struct ns_stack *stack);
void sock_net_unlock_mt(struct ns_stack *stack);
void sock_net_kick_mt(struct ns_stack *stack);
static inline void sock_net_lock(struct ns_stack *stack)
{
	if (stack->single_thread)
		stack->sock->depth++;
	else
		sock_net_lock_mt(stack);
}
static inline void sock_net_unlock(struct ns_stack *stack)
{
	if (stack->single_thread)
		stack->sock->depth--;
	else
		sock_net_unlock_mt(stack);
}
/* True when the caller is the loop thread or holds the lock recursively:
 * it must not sleep. */
bool sock_net_may_sleep(struct ns_stack *stack);
/* Interrupt the loop thread's sleep (work was queued from another thread).
 * A single_thread stack has no loop thread. */
static inline void sock_net_kick(struct ns_stack *stack)
{
	if (!stack->single_thread)
		sock_net_kick_mt(stack);
}
/* Sleep until woken (sock_def_wakeup) or deadline (CLOCK_MONOTONIC ns,
 * 0: none). Without a loop thread, runs the stack loop instead. Returns
 * false when nothing can change any more (virtual clock, idle stack, no
 * loop thread) or the deadline passed. */
bool sock_net_wait(struct ns_stack *stack, uint64_t deadline);
uint64_t sock_mono_ns(void);

/* epoll hooks (poll.c) */
void ep_sock_event(struct socket *sock);
void ep_sock_release(struct socket *sock);
void ep_free(struct ns_eventpoll *ep);

/* descriptor table (socket.c) */
struct ns_file *ns_fget(struct ns_stack *stack, int fd);
void ns_fput(struct ns_stack *stack, struct ns_file *f);
/* ns_fget, then -EBADF (no such fd) or wrong_kind (not a file of `kind`) in *err. */
struct ns_file *ns_fget_kind(struct ns_stack *stack, int fd, enum ns_file_kind kind,
			     int wrong_kind, int *err);
/* sock_net_unlock, then rc as a system call returns it (-1 and errno). */
int sock_net_unlock_ret(struct ns_stack *stack, int rc);
int ns_fd_install(struct ns_stack *stack, struct ns_file *f);

int sock_subsys_init(struct ns_stack *stack);
void sock_subsys_exit(struct ns_stack *stack);

/* SOL_SOCKET options (sockopt.c) */
int sock_setsockopt(struct socket *sock, int optname, const void *optval, socklen_t optlen);
int sock_getsockopt(struct socket *sock, int optname, void *optval, socklen_t *optlen);

#endif
