/* apps.h - nstack's own applications: network services (echo, discard,
 * chargen, a static HTTP server) and an HTTP client, written on the stack's
 * public socket API (include/nstack/socket.h) like any program would be.
 *
 * They run on the stack's loop, never in threads of their own: every socket
 * they own is non-blocking and registered in one per-stack ns_epoll
 * instance; that instance's eventfd is watched by the stack loop
 * (ns_stack_watch_fd), whose callback drains the ready list with
 * ns_epoll_wait(..., 0) and calls each handle's event function. Interest
 * masks are level-triggered and kept minimal (EPOLLOUT only while output is
 * pending, EPOLLIN off while a connection is back-pressured), so a ready
 * list never spins. Every resource is bounded: services, connections per
 * service (refusals counted), per-connection buffers.
 *
 * Read first: app_loop.c (the runtime), then serve.c (echo, discard,
 * chargen), httpd.c, http_client.c. The commands are src/cmd/serve.c
 * (`serve`), src/cmd/ss.c (`ss`) and src/cmd/curl.c (`curl`). */
#ifndef NSTACK_APPS_APPS_H
#define NSTACK_APPS_APPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/list.h"
#include "core/stack.h"

#define APP_MAX_SERVICES 32
#define APP_DEFAULT_MAX_CONNS 1024U
#define APP_MAX_CONNS_LIMIT 65536U
#define APP_CONN_BUF 16384U		/* echo / chargen / HTTP output buffer */
#define APP_HTTP_REQ_MAX 8192U		/* request line and headers */
#define APP_HTTP_URI_MAX 4096U		/* longer targets: 414 */
#define APP_HTTP_CHUNK 65536U		/* file bytes read per pread */

struct app_handle;
/* Called from the stack loop with the ready EPOLL* bits of h->fd. The
 * function may close h->fd and free the object holding h. */
typedef void (*app_event_fn)(struct app_handle *h, uint32_t events);

/* One watched descriptor. */
struct app_handle {
	int fd;				/* ns descriptor, -1: none */
	uint32_t events;		/* current interest */
	app_event_fn fn;
};

enum app_kind { APP_ECHO, APP_DISCARD, APP_CHARGEN, APP_HTTP };

/* Counters of one service (printed by `serve`). */
struct app_stats {
	uint64_t accepted;		/* connections (TCP) */
	uint64_t refused;		/* accepted then closed: max_conns reached */
	uint64_t closed;
	uint64_t bytes_in, bytes_out;
	uint64_t datagrams_in, datagrams_out;	/* UDP */
	uint64_t datagrams_dropped;	/* UDP: reply buffer busy */
	uint64_t requests;		/* HTTP */
	uint64_t errors;		/* HTTP 4xx/5xx answers */
};

struct app_service {
	struct list_head node;		/* netns_apps.services */
	struct netns_apps *apps;
	enum app_kind kind;
	int type;			/* SOCK_STREAM or SOCK_DGRAM */
	uint16_t port;
	bool inet6;			/* stream socket on [::], dual-stack */
	struct app_handle h;		/* listener or datagram socket */
	unsigned int max_conns, nr_conns;
	struct list_head conns;		/* struct app_conn (serve.c / httpd.c) */
	char root[PATH_MAX];		/* HTTP: realpath of DIR */
	size_t root_len;
	/* UDP echo: one reply waiting for send-buffer room */
	uint8_t *dgram;
	size_t dgram_len;
	uint8_t dgram_peer[16];		/* struct sockaddr_in */
	struct app_stats st;
};

/* One TCP connection of a service. */
struct app_conn {
	struct app_handle h;		/* first */
	struct list_head node;		/* svc->conns */
	struct app_service *svc;
	uint8_t *out;			/* APP_CONN_BUF bytes of pending output */
	size_t out_off, out_len;	/* unsent: out[out_off .. out_len) */
	size_t chargen_pos;		/* offset in the RFC 864 cycle */
	bool rd_closed;			/* peer sent FIN */
	/* HTTP (httpd.c) */
	char *req;			/* APP_HTTP_REQ_MAX bytes */
	size_t req_len;
	int file_fd;			/* kernel fd streaming the body, -1: none */
	off_t file_off, file_end;
	bool keepalive;			/* after this response */
	bool close_after;		/* close once output is flushed */
};

struct http_xfer;

/* Per-stack state (stack->apps). */
struct netns_apps {
	struct ns_stack *stack;
	int epfd;			/* ns epoll instance, -1 until first use */
	int efd;			/* its kernel eventfd, watched by the loop */
	struct list_head services;
	unsigned int nr_services;
	struct list_head xfers;		/* struct http_xfer (curl) */
	bool dispatching;
};

/* ---- runtime (app_loop.c) ----------------------------------------------------------------- */
/* The apps state, creating the epoll instance and the loop watch on first
 * use. NULL with *err set (-errno). */
struct netns_apps *apps_get(struct ns_stack *stack, int *err);
/* Register h (fd already set) with interest events. 0 or -errno. */
int app_watch(struct netns_apps *a, struct app_handle *h, uint32_t events, app_event_fn fn);
/* Change the interest (no-op when unchanged). */
void app_set_events(struct netns_apps *a, struct app_handle *h, uint32_t events);
/* Close h->fd (which leaves the epoll set) and mark it -1. */
void app_close(struct netns_apps *a, struct app_handle *h);
/* Drain the ready list once (bounded): what the loop watch calls. Returns
 * the number of events handled. Tests on a virtual clock call it through
 * ns_stack_run_once(). */
int apps_dispatch(struct netns_apps *a);

/* ---- services (serve.c, httpd.c) ------------------------------------------------------------ */
/* Start a service: kind on port (TCP, plus UDP for echo and discard).
 * root: DIR for HTTP (else NULL). max_conns 0: default. 0, or -errno with
 * a message in err. */
int app_serve_start(struct ns_stack *stack, enum app_kind kind, uint16_t port, const char *root,
		    unsigned int max_conns, char *err, size_t errlen);
/* The same with the TCP listener on [::] without IPV6_V6ONLY (IPv6, and
 * IPv4 as ::ffff:a.b.c.d); UDP stays AF_INET. */
int app_serve_start6(struct ns_stack *stack, enum app_kind kind, uint16_t port, const char *root,
		     unsigned int max_conns, bool inet6, char *err, size_t errlen);
/* Stop every service of kind on port (both transports). 0 or -ENOENT. */
int app_serve_stop(struct ns_stack *stack, enum app_kind kind, uint16_t port);
const char *app_kind_name(enum app_kind kind);
void app_service_free(struct app_service *svc);

/* serve.c, for httpd.c: accept loop shared by every TCP service. new_conn
 * is called for each accepted descriptor; it returns 0 or -errno (the
 * descriptor is then closed). */
void app_accept_all(struct app_service *svc, int (*new_conn)(struct app_service *, int fd));
int httpd_new_conn(struct app_service *svc, int fd);
void httpd_conn_free(struct app_conn *c);
/* Content-Type for a path by its extension. */
const char *httpd_mime_type(const char *path);
/* Normalise a request target into a relative path below the root:
 * percent-decoding, "." and empty segments dropped, ".." resolved; a target
 * that leaves the root, holds NUL or does not start with '/' fails with
 * -EINVAL. out gets "" for the root itself. */
int httpd_normalise(const char *target, size_t len, char *out, size_t outlen);

#endif

/* ---- HTTP client (http_client.c) ------------------------------------------------------------- */
/* One HTTP/1.1 GET over nstack TCP: connect, send, read the status line and
 * headers, then the body (Content-Length, or until the peer closes) into a
 * file or just counted. Runs on the stack loop like the services. */
struct http_xfer {
	struct list_head node;		/* netns_apps.xfers */
	struct netns_apps *apps;
	struct app_handle h;
	char req[1024];
	size_t req_len, req_off;
	char hdr[APP_HTTP_REQ_MAX];
	size_t hdr_len;
	bool hdr_done;
	int status;			/* HTTP status code, 0 until known */
	int64_t content_length;		/* -1: until EOF */
	uint64_t body;			/* body bytes received */
	int out_fd;			/* -1: count only */
	uint64_t t_start, t_connect, t_end;	/* stack clock ns */
	int err;			/* 0 or -errno once done */
	char errmsg[128];
	bool done;
	uint8_t buf[65536];
	void (*on_done)(struct http_xfer *x, void *ctx);	/* may be NULL; may free x */
	/* may be NULL: sees every body byte kept (after the head is parsed) */
	void (*on_body)(struct http_xfer *x, const uint8_t *data, size_t len, void *ctx);
	void *ctx;
};
/* Parse "http://A.B.C.D[:PORT]/PATH" (host order results). 0 or -EINVAL. */
int http_parse_url(const char *url, uint32_t *addr, uint16_t *port, const char **path);
/* Start a GET. out_path NULL: count the body only. NULL with *err and
 * errmsg set. */
struct http_xfer *http_xfer_start(struct ns_stack *stack, const char *url, const char *out_path,
				  int *err, char *errmsg, size_t errlen);
/* End the transfer now (closes the socket and the file, calls on_done
 * once). msg NULL: strerror(-err). */
void http_xfer_finish(struct http_xfer *x, int err, const char *msg);
void http_xfer_free(struct http_xfer *x);
void http_xfer_free_all(struct netns_apps *a);
