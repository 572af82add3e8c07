/* serve.c - the small services of RFC 862 (echo), RFC 863 (discard) and
 * RFC 864 (character generator) over TCP and UDP, and the service table
 * every server (httpd.c too) lives in: start, stop, the shared accept loop
 * with its connection bound (refusals counted). Everything is
 * non-blocking on the stack loop (apps.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps/apps.h"
#include "nstack/socket.h"

#define UDP_DGRAM_MAX 65536U

static const char *const kind_names[] = {
	[APP_ECHO] = "echo", [APP_DISCARD] = "discard", [APP_CHARGEN] = "chargen",
	[APP_HTTP] = "http",
};

const char *app_kind_name(enum app_kind kind)
{
	return kind_names[kind];
}

/* ---- connections ------------------------------------------------------------------------------ */
static void conn_free(struct app_conn *c)
{
	struct app_service *svc = c->svc;

	app_close(svc->apps, &c->h);
	list_del(&c->node);
	svc->nr_conns--;
	svc->st.closed++;
	if (c->file_fd >= 0)
		close(c->file_fd);
	free(c->out);
	free(c->req);
	free(c);
}

/* RFC 864: 72-character lines of the 95 printable ASCII characters, each
 * line starting one character further along. pos counts bytes of the
 * 95-line cycle of 74-byte lines. */
#define CHARGEN_LINE 74U
#define CHARGEN_CYCLE (95U * CHARGEN_LINE)

static size_t chargen_fill(uint8_t *buf, size_t len, size_t *pos)
{
	for (size_t i = 0; i < len; i++) {
		size_t line = *pos / CHARGEN_LINE, col = *pos % CHARGEN_LINE;

		if (col == 72)
			buf[i] = '\r';
		else if (col == 73)
			buf[i] = '\n';
		else
			buf[i] = (uint8_t)(' ' + (line + col) % 95);
		*pos = (*pos + 1) % CHARGEN_CYCLE;
	}
	return len;
}

/* Send pending output until EAGAIN. Returns -errno on a fatal error. */
static int conn_flush(struct app_conn *c)
{
	struct ns_stack *stack = c->svc->apps->stack;

	while (c->out_off < c->out_len) {
		ssize_t n = ns_send(stack, c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
				    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->out_off += (size_t)n;
		c->svc->st.bytes_out += (uint64_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/* Echo and discard: read what arrived (echo: into the output buffer,
 * only while it is empty, so a slow reader back-pressures the sender). */
static int stream_read(struct app_conn *c, bool echo)
{
	struct ns_stack *stack = c->svc->apps->stack;
	uint8_t scratch[4096];

	while (!c->rd_closed && (!echo || c->out_len == 0)) {
		ssize_t n = ns_recv(stack, c->h.fd, echo ? c->out : scratch,
				    echo ? APP_CONN_BUF : sizeof(scratch), MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0) {
			c->rd_closed = true;
			break;
		}
		c->svc->st.bytes_in += (uint64_t)n;
		if (echo) {
			c->out_len = (size_t)n;
			int rc = conn_flush(c);

			if (rc)
				return rc;
		}
	}
	return 0;
}

static void stream_event(struct app_handle *h, uint32_t events)
{
	struct app_conn *c = (struct app_conn *)(void *)h;
	struct app_service *svc = c->svc;
	int rc = 0;

	if (events & EPOLLERR) {
		conn_free(c);
		return;
	}
	rc = conn_flush(c);
	if (!rc && svc->kind == APP_CHARGEN) {
		while (!rc && c->out_len == 0) {
			c->out_len = chargen_fill(c->out, APP_CONN_BUF, &c->chargen_pos);
			rc = conn_flush(c);
		}
		/* input is read and dropped (RFC 864) */
		if (!rc && (events & (EPOLLIN | EPOLLRDHUP)))
			rc = stream_read(c, false);
	} else if (!rc) {
		rc = stream_read(c, svc->kind == APP_ECHO);
	}
	/* finished: the peer closed and everything owed was sent */
	if (rc || (c->rd_closed && (c->out_len == 0 || svc->kind == APP_CHARGEN)) ||
	    (events & EPOLLHUP)) {
		conn_free(c);
		return;
	}
	app_set_events(svc->apps, &c->h,
		       (c->out_len || svc->kind == APP_CHARGEN ? EPOLLOUT : 0) |
			       (c->out_len == 0 || svc->kind == APP_CHARGEN ? EPOLLIN | EPOLLRDHUP : 0));
}

static int stream_new_conn(struct app_service *svc, int fd)
{
	struct app_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (!c || !(c->out = malloc(APP_CONN_BUF))) {
		free(c);
		return -ENOMEM;
	}
	c->h.fd = fd;
	c->svc = svc;
	c->file_fd = -1;
	rc = app_watch(svc->apps, &c->h,
		       EPOLLIN | EPOLLRDHUP | (svc->kind == APP_CHARGEN ? EPOLLOUT : 0), stream_event);
	if (rc) {
		free(c->out);
		free(c);
		return rc;
	}
	list_add_tail(&c->node, &svc->conns);
	svc->nr_conns++;
	return 0;
}

void app_accept_all(struct app_service *svc, int (*new_conn)(struct app_service *, int fd))
{
	struct ns_stack *stack = svc->apps->stack;

	for (;;) {
		int fd = ns_accept4(stack, svc->h.fd, NULL, NULL, SOCK_NONBLOCK);

		if (fd < 0)
			return;	/* EAGAIN, or EMFILE: the rest wait in the backlog */
		if (svc->nr_conns >= svc->max_conns) {
			svc->st.refused++;
			ns_close(stack, fd);
			continue;
		}
		svc->st.accepted++;
		if (new_conn(svc, fd) < 0) {
			svc->st.refused++;
			ns_close(stack, fd);
		}
	}
}

static void listener_event(struct app_handle *h, uint32_t events)
{
	struct app_service *svc = container_of(h, struct app_service, h);

	(void)events;
	app_accept_all(svc, svc->kind == APP_HTTP ? httpd_new_conn : stream_new_conn);
}

/* ---- UDP ---------------------------------------------------------------------------------------- */
/* Echo one datagram; false when the send buffer is full (kept pending). */
static bool udp_reply(struct app_service *svc)
{
	ssize_t n = ns_sendto(svc->apps->stack, svc->h.fd, svc->dgram, svc->dgram_len, MSG_DONTWAIT,
			      (const struct sockaddr *)svc->dgram_peer, sizeof(struct sockaddr_in));

	if (n < 0 && errno == EAGAIN)
		return false;
	if (n < 0)
		svc->st.datagrams_dropped++;	/* e.g. no route back */
	else {
		svc->st.datagrams_out++;
		svc->st.bytes_out += (uint64_t)n;
	}
	svc->dgram_len = SIZE_MAX;
	return true;
}

static void udp_event(struct app_handle *h, uint32_t events)
{
	struct app_service *svc = container_of(h, struct app_service, h);
	struct ns_stack *stack = svc->apps->stack;

	(void)events;
	if (svc->dgram_len != SIZE_MAX && !udp_reply(svc))
		return;	/* still waiting for room: EPOLLOUT stays armed */
	for (;;) {
		socklen_t alen = sizeof(struct sockaddr_in);
		ssize_t n = ns_recvfrom(stack, h->fd, svc->dgram, UDP_DGRAM_MAX, MSG_DONTWAIT,
					(struct sockaddr *)svc->dgram_peer, &alen);

		if (n < 0)
			break;	/* EAGAIN, or a pending ICMP error: nothing to echo */
		svc->st.datagrams_in++;
		svc->st.bytes_in += (uint64_t)n;
		if (svc->kind != APP_ECHO)
			continue;
		svc->dgram_len = (size_t)n;
		if (!udp_reply(svc)) {
			app_set_events(svc->apps, h, EPOLLOUT);
			return;
		}
	}
	app_set_events(svc->apps, h, EPOLLIN);
}

/* ---- the service table --------------------------------------------------------------------------- */
void app_service_free(struct app_service *svc)
{
	struct app_conn *c, *n;

	list_for_each_entry_safe(c, n, &svc->conns, node) {
		if (svc->kind == APP_HTTP)
			httpd_conn_free(c);
		else
			conn_free(c);
	}
	app_close(svc->apps, &svc->h);
	list_del(&svc->node);
	svc->apps->nr_services--;
	free(svc->dgram);
	free(svc);
}

static int open_socket(struct app_service *svc, char *err, size_t errlen)
{
	struct ns_stack *stack = svc->apps->stack;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(svc->port) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(svc->port) };
	bool v6 = svc->inet6 && svc->type == SOCK_STREAM;
	int one = 1, fd;

	fd = ns_socket(stack, v6 ? AF_INET6 : AF_INET, svc->type | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	svc->h.fd = fd;
	if (ns_setsockopt(stack, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (v6 ? ns_bind(stack, fd, (struct sockaddr *)&sin6, sizeof(sin6))
		: ns_bind(stack, fd, (struct sockaddr *)&sin, sizeof(sin))) < 0)
		goto fail;
	if (svc->type == SOCK_STREAM && ns_listen(stack, fd, (int)NS_MIN(svc->max_conns, 4096U)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s %s port %u: %s", app_kind_name(svc->kind),
		 svc->type == SOCK_STREAM ? "tcp" : "udp", svc->port, strerror(errno));
	return -errno;
}

static int service_add(struct netns_apps *a, enum app_kind kind, int type, uint16_t port,
		       const char *root, unsigned int max_conns, bool inet6, char *err,
		       size_t errlen)
{
	struct app_service *svc = calloc(1, sizeof(*svc));
	int rc;

	if (!svc || (type == SOCK_DGRAM && !(svc->dgram = malloc(UDP_DGRAM_MAX)))) {
		free(svc);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	svc->apps = a;
	svc->kind = kind;
	svc->type = type;
	svc->port = port;
	svc->inet6 = inet6;
	svc->max_conns = max_conns;
	svc->dgram_len = SIZE_MAX;
	svc->h.fd = -1;
	INIT_LIST_HEAD(&svc->conns);
	if (root) {
		svc->root_len = strlen(root);
		memcpy(svc->root, root, svc->root_len + 1);
	}
	list_add_tail(&svc->node, &a->services);
	a->nr_services++;
	rc = open_socket(svc, err, errlen);
	if (!rc)
		rc = app_watch(a, &svc->h, EPOLLIN, type == SOCK_STREAM ? listener_event : udp_event);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", app_kind_name(kind), strerror(-rc));
		app_service_free(svc);
	}
	return rc;
}

int app_serve_start(struct ns_stack *stack, enum app_kind kind, uint16_t port, const char *root,
		    unsigned int max_conns, char *err, size_t errlen)
{
	return app_serve_start6(stack, kind, port, root, max_conns, false, err, errlen);
}

int app_serve_start6(struct ns_stack *stack, enum app_kind kind, uint16_t port, const char *root,
		     unsigned int max_conns, bool inet6, char *err, size_t errlen)
{
	struct netns_apps *a;
	char real[PATH_MAX];
	int rc = 0;

	err[0] = 0;
	if (root && !realpath(root, real)) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -errno;
	}
	a = apps_get(stack, &rc);
	if (!a) {
		snprintf(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	if (a->nr_services + 2 > APP_MAX_SERVICES) {
		snprintf(err, errlen, "at most %d services", APP_MAX_SERVICES);
		return -ENOSPC;
	}
	if (!max_conns)
		max_conns = APP_DEFAULT_MAX_CONNS;
	rc = service_add(a, kind, SOCK_STREAM, port, root ? real : NULL, max_conns, inet6, err,
			 errlen);
	if (!rc && (kind == APP_ECHO || kind == APP_DISCARD)) {
		rc = service_add(a, kind, SOCK_DGRAM, port, NULL, max_conns, false, err, errlen);
		if (rc)
			app_serve_stop(stack, kind, port);
	}
	return rc;
}

int app_serve_stop(struct ns_stack *stack, enum app_kind kind, uint16_t port)
{
	struct netns_apps *a = stack->apps;
	struct app_service *svc, *n;
	int rc = -ENOENT;

	list_for_each_entry_safe(svc, n, &a->services, node) {
		if (svc->kind == kind && svc->port == port) {
			app_service_free(svc);
			rc = 0;
		}
	}
	return rc;
}
