/* http_client.c - an HTTP/1.1 GET client (RFC 9112) on nstack's TCP, the
 * engine of the `curl` command: non-blocking connect, one request with
 * "Connection: close", the status line and Content-Length parsed from the
 * header block, the body streamed into a file (or counted) as it arrives.
 * Chunked transfer coding is not decoded (the transfer fails with a
 * message). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "apps/apps.h"
#include "nstack/socket.h"

int http_parse_url(const char *url, uint32_t *addr, uint16_t *port, const char **path)
{
	char host[64];
	const char *p, *slash;
	struct in_addr in;
	size_t hl;

	if (strncasecmp(url, "http://", 7) != 0)
		return -EINVAL;
	p = url + 7;
	slash = strchr(p, '/');
	hl = slash ? (size_t)(slash - p) : strlen(p);
	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, p, hl);
	host[hl] = 0;
	*port = 80;
	char *colon = strchr(host, ':');

	if (colon) {
		char *end;
		unsigned long v = strtoul(colon + 1, &end, 10);

		if (colon[1] == 0 || *end || v == 0 || v > 65535)
			return -EINVAL;
		*port = (uint16_t)v;
		*colon = 0;
	}
	if (inet_pton(AF_INET, host, &in) != 1)
		return -EINVAL;
	*addr = ntohl(in.s_addr);
	*path = slash ? slash : "/";
	return 0;
}

void http_xfer_finish(struct http_xfer *x, int err, const char *msg)
{
	if (x->done)
		return;
	x->done = true;
	x->err = err;
	x->t_end = ns_now(x->apps->stack);
	if (msg)
		snprintf(x->errmsg, sizeof(x->errmsg), "%s", msg);
	else if (err)
		snprintf(x->errmsg, sizeof(x->errmsg), "%s", strerror(-err));
	app_close(x->apps, &x->h);
	if (x->out_fd >= 0) {
		close(x->out_fd);
		x->out_fd = -1;
	}
	if (x->on_done)
		x->on_done(x, x->ctx);
}

/* Status line and Content-Length from the header block [0, len). */
static int parse_response_head(struct http_xfer *x, size_t len)
{
	const char *p = x->hdr, *end = x->hdr + len;
	int major, minor, status;

	if (sscanf(p, "HTTP/%d.%d %3d", &major, &minor, &status) != 3 || major != 1 ||
	    status < 100 || status > 599)
		return -EPROTO;
	x->status = status;
	while ((p = memchr(p, '\n', (size_t)(end - p))) && ++p < end) {
		if (!strncasecmp(p, "Content-Length:", 15))
			x->content_length = strtoll(p + 15, NULL, 10);
		else if (!strncasecmp(p, "Transfer-Encoding:", 18))
			return -EPROTONOSUPPORT;
	}
	return 0;
}

static int body_write(struct http_xfer *x, const uint8_t *data, size_t len)
{
	if (x->content_length >= 0 && x->body + len > (uint64_t)x->content_length)
		len = (size_t)((uint64_t)x->content_length - x->body);	/* extra bytes: ignored */
	x->body += len;
	if (x->on_body && len)
		x->on_body(x, data, len, x->ctx);
	while (x->out_fd >= 0 && len) {
		ssize_t n = write(x->out_fd, data, len);

		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Bytes after the header block: body. */
static int take_header_bytes(struct http_xfer *x, const uint8_t *data, size_t len)
{
	size_t room = sizeof(x->hdr) - 1 - x->hdr_len, n = NS_MIN(room, len);
	char *e;

	memcpy(x->hdr + x->hdr_len, data, n);
	x->hdr_len += n;
	x->hdr[x->hdr_len] = 0;
	e = strstr(x->hdr, "\r\n\r\n");
	if (!e) {
		if (x->hdr_len == sizeof(x->hdr) - 1)
			return -EMSGSIZE;
		return 0;
	}
	size_t hlen = (size_t)(e - x->hdr) + 4;
	size_t prev = x->hdr_len - n;	/* header bytes before this call */
	int rc = parse_response_head(x, hlen);

	if (rc)
		return rc;
	x->hdr_done = true;
	/* what followed the blank line in this read is body */
	return body_write(x, data + (hlen - prev), len - (hlen - prev));
}

static void xfer_event(struct app_handle *h, uint32_t events)
{
	struct http_xfer *x = container_of(h, struct http_xfer, h);
	struct ns_stack *stack = x->apps->stack;
	int rc = 0;

	if (!x->t_connect) {
		int soerr = 0;
		socklen_t l = sizeof(soerr);

		ns_getsockopt(stack, h->fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
		if (soerr || (events & EPOLLERR))
			return http_xfer_finish(x, -(soerr ? soerr : ECONNREFUSED), NULL);
		if (!(events & EPOLLOUT))
			return;
		x->t_connect = ns_now(stack);
	}
	while (x->req_off < x->req_len) {
		ssize_t n = ns_send(stack, h->fd, x->req + x->req_off, x->req_len - x->req_off,
				    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN)
				return http_xfer_finish(x, -errno, NULL);
			return;
		}
		x->req_off += (size_t)n;
	}
	for (;;) {
		ssize_t n = ns_recv(stack, h->fd, x->buf, sizeof(x->buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN)
				return http_xfer_finish(x, -errno, NULL);
			break;
		}
		if (n == 0) {
			if (!x->hdr_done)
				return http_xfer_finish(x, -EPROTO, "connection closed before the response");
			if (x->content_length >= 0 && x->body < (uint64_t)x->content_length)
				return http_xfer_finish(x, -EPIPE, "transfer closed with bytes remaining");
			return http_xfer_finish(x, 0, NULL);
		}
		rc = x->hdr_done ? body_write(x, x->buf, (size_t)n)
				 : take_header_bytes(x, x->buf, (size_t)n);
		if (rc)
			return http_xfer_finish(x, rc, rc == -EPROTONOSUPPORT ? "chunked transfer coding is not supported" : NULL);
		if (x->hdr_done && x->content_length >= 0 && x->body >= (uint64_t)x->content_length)
			return http_xfer_finish(x, 0, NULL);
	}
	app_set_events(x->apps, h, EPOLLIN | EPOLLRDHUP);
}

struct http_xfer *http_xfer_start(struct ns_stack *stack, const char *url, const char *out_path,
				  int *err, char *errmsg, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct netns_apps *a;
	struct http_xfer *x;
	const char *path;
	uint32_t addr;
	uint16_t port;
	char host[INET_ADDRSTRLEN];

	*err = 0;
	if (http_parse_url(url, &addr, &port, &path)) {
		snprintf(errmsg, errlen, "URL rejected: %s (http://A.B.C.D[:PORT]/PATH)", url);
		*err = -EINVAL;
		return NULL;
	}
	a = apps_get(stack, err);
	if (!a || !(x = calloc(1, sizeof(*x)))) {
		snprintf(errmsg, errlen, "out of memory");
		*err = -ENOMEM;
		return NULL;
	}
	x->apps = a;
	x->h.fd = -1;
	x->out_fd = -1;
	x->content_length = -1;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
	x->req_len = (size_t)snprintf(x->req, sizeof(x->req),
				      "GET %.900s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: nstack-curl\r\n"
				      "Accept: */*\r\nConnection: close\r\n\r\n",
				      path, host, port);
	if (out_path && (x->out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		*err = -errno;
		snprintf(errmsg, errlen, "%s: %s", out_path, strerror(errno));
		free(x);
		return NULL;
	}
	x->t_start = ns_now(stack);
	x->h.fd = ns_socket(stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (x->h.fd < 0 ||
	    (ns_connect(stack, x->h.fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS) ||
	    (*err = app_watch(a, &x->h, EPOLLOUT, xfer_event))) {
		if (x->h.fd >= 0 && !*err)
			*err = -errno;
		else if (!*err)
			*err = -errno;
		snprintf(errmsg, errlen, "connect to %s port %u: %s", host, port, strerror(-*err));
		app_close(a, &x->h);
		if (x->out_fd >= 0)
			close(x->out_fd);
		free(x);
		return NULL;
	}
	list_add_tail(&x->node, &a->xfers);
	return x;
}

void http_xfer_free(struct http_xfer *x)
{
	x->on_done = NULL;
	http_xfer_finish(x, -ECANCELED, NULL);
	list_del(&x->node);
	free(x);
}

void http_xfer_free_all(struct netns_apps *a)
{
	struct http_xfer *x, *n;

	list_for_each_entry_safe(x, n, &a->xfers, node)
		http_xfer_free(x);
}
