/* httpd.c - a small HTTP/1.1 static file server (RFC 9110, RFC 9112) on
 * nstack's sockets: GET and HEAD, Content-Length and Content-Type by
 * extension, persistent connections (pipelined requests wait in the
 * socket while a response is sent), errors 400/404/405/414. Targets are
 * percent-decoded and normalised; one that climbs out of the root is
 * refused, and the resolved file (symlinks followed by realpath) must lie
 * inside the root. Bodies stream from disk: a chunk is read with pread only
 * when the output buffer has drained into the socket's send buffer, so a
 * file is never loaded whole and a slow client costs one buffer. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/apps.h"
#include "nstack/socket.h"

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ "html", "text/html" }, { "htm", "text/html" }, { "txt", "text/plain" },
	{ "css", "text/css" }, { "js", "text/javascript" }, { "json", "application/json" },
	{ "xml", "application/xml" }, { "png", "image/png" }, { "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" }, { "gif", "image/gif" }, { "svg", "image/svg+xml" },
	{ "ico", "image/x-icon" }, { "pdf", "application/pdf" }, { "wasm", "application/wasm" },
	{ "gz", "application/gzip" }, { "tar", "application/x-tar" }, { "pcap", "application/vnd.tcpdump.pcap" },
};

const char *httpd_mime_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	if (dot)
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (!strcasecmp(dot + 1, mime_types[i].ext))
				return mime_types[i].type;
	return "application/octet-stream";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 3986 5.2.4 remove_dot_segments, refusing to climb above the root. */
int httpd_normalise(const char *target, size_t len, char *out, size_t outlen)
{
	size_t o = 0, seg_start;

	if (len == 0 || target[0] != '/' || outlen == 0)
		return -EINVAL;
	for (size_t i = 0; i < len && target[i] != '?' && target[i] != '#';) {
		char dec[4096];
		size_t d = 0;

		while (i < len && target[i] == '/')
			i++;
		/* one segment, percent-decoded (RFC 3986 2.1) */
		while (i < len && target[i] != '/' && target[i] != '?' && target[i] != '#') {
			char ch = target[i++];

			if (ch == '%') {
				int hi = i + 1 < len + 1 && i < len ? hexval(target[i]) : -1;
				int lo = i + 1 < len ? hexval(target[i + 1]) : -1;

				if (hi < 0 || lo < 0)
					return -EINVAL;
				ch = (char)(hi << 4 | lo);
				i += 2;
			}
			if (ch == 0 || ch == '/' || ch == '\\' || d + 1 >= sizeof(dec))
				return -EINVAL;	/* an encoded separator could hide ".." */
			dec[d++] = ch;
		}
		if (d == 0 || (d == 1 && dec[0] == '.'))
			continue;
		if (d == 2 && dec[0] == '.' && dec[1] == '.') {
			if (o == 0)
				return -EINVAL;	/* above the root */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;	/* the slash before the dropped segment */
			continue;
		}
		seg_start = o ? o + 1 : 0;
		if (seg_start + d + 1 > outlen)
			return -ENAMETOOLONG;
		if (o)
			out[o] = '/';
		memcpy(out + seg_start, dec, d);
		o = seg_start + d;
	}
	out[o] = 0;
	return 0;
}

/* ---- responses --------------------------------------------------------------------------------- */
static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	default: return "Internal Server Error";
	}
}

static void put_header(struct app_conn *c, int status, const char *type, uint64_t length,
		       const char *extra)
{
	int n = snprintf((char *)c->out, APP_CONN_BUF,
			 "HTTP/1.1 %d %s\r\nServer: nstack\r\nContent-Type: %s\r\n"
			 "Content-Length: %llu\r\n%sConnection: %s\r\n\r\n",
			 status, reason_phrase(status), type, (unsigned long long)length,
			 extra ? extra : "", c->keepalive ? "keep-alive" : "close");

	c->out_off = 0;
	c->out_len = n > 0 && (size_t)n < APP_CONN_BUF ? (size_t)n : 0;
}

static void send_error(struct app_conn *c, int status, bool head)
{
	char body[160];
	int n = snprintf(body, sizeof(body), "<html><body><h1>%d %s</h1></body></html>\n", status,
			 reason_phrase(status));

	c->svc->st.errors++;
	if (status == 400 || status == 414)
		c->keepalive = false;	/* we may have lost the request's framing */
	put_header(c, status, "text/html", (uint64_t)n, status == 405 ? "Allow: GET, HEAD\r\n" : NULL);
	if (!head && c->out_len + (size_t)n <= APP_CONN_BUF) {
		memcpy(c->out + c->out_len, body, (size_t)n);
		c->out_len += (size_t)n;
	}
	c->close_after = !c->keepalive;
}

/* Resolve rel below the root: realpath, inside the root, a regular file
 * (a directory serves its index.html). Returns an open fd or -errno. */
static int open_below_root(struct app_service *svc, const char *rel, off_t *size,
			   char real[PATH_MAX])
{
	char path[PATH_MAX * 2];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", svc->root, rel);
	for (int tries = 0; tries < 2; tries++) {
		if (!realpath(path, real))
			return -ENOENT;
		if (strncmp(real, svc->root, svc->root_len) != 0 ||
		    (real[svc->root_len] != '/' && real[svc->root_len] != 0 && svc->root_len > 1))
			return -EACCES;	/* a symlink leading outside */
		if (stat(real, &st) < 0)
			return -errno;
		if (S_ISREG(st.st_mode))
			break;
		if (!S_ISDIR(st.st_mode) || tries)
			return -ENOENT;
		snprintf(path, sizeof(path), "%s/index.html", real);
	}
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOENT;
	}
	*size = st.st_size;
	return fd;
}

/* ---- requests ----------------------------------------------------------------------------------- */
static bool token_eq(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && !strncasecmp(p, word, n);
}

/* Header fields (RFC 9112 5): Connection, Host, and the body framing we
 * refuse (a GET with a body is not served). 0 or the error status. */
static int parse_headers(struct app_conn *c, const char *p, const char *end, bool http11)
{
	bool host = false;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon, *v, *ve;

		if (!eol)
			eol = end;
		ve = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		colon = memchr(p, ':', (size_t)(ve - p));
		if (ve == p)
			break;
		if (!colon || colon == p || *p == ' ' || *p == '\t')
			return 400;
		for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (token_eq(p, (size_t)(colon - p), "Host"))
			host = true;
		else if (token_eq(p, (size_t)(colon - p), "Transfer-Encoding"))
			return 400;
		else if (token_eq(p, (size_t)(colon - p), "Content-Length") &&
			 !token_eq(v, (size_t)(ve - v), "0"))
			return 400;
		else if (token_eq(p, (size_t)(colon - p), "Connection")) {
			if (token_eq(v, (size_t)(ve - v), "close"))
				c->keepalive = false;
			else if (token_eq(v, (size_t)(ve - v), "keep-alive"))
				c->keepalive = true;
		}
		p = eol + 1;
	}
	return http11 && !host ? 400 : 0;	/* RFC 9112 3.2 */
}

/* One complete request in c->req[0..hlen): answer it. */
static void handle_request(struct app_conn *c, size_t hlen)
{
	const char *req = c->req, *end = req + hlen;
	const char *eol = memchr(req, '\n', hlen);
	const char *sp1, *sp2, *le;
	char rel[PATH_MAX], real[PATH_MAX];
	bool head = false, http11;
	off_t size = 0;
	int status, fd;

	c->svc->st.requests++;
	c->keepalive = true;
	le = eol > req && eol[-1] == '\r' ? eol - 1 : eol;
	sp1 = memchr(req, ' ', (size_t)(le - req));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(le - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp2 == sp1 + 1)
		return send_error(c, 400, false);
	http11 = (size_t)(le - sp2 - 1) == 8 && !memcmp(sp2 + 1, "HTTP/1.1", 8);
	if (!http11 && !((size_t)(le - sp2 - 1) == 8 && !memcmp(sp2 + 1, "HTTP/1.0", 8)))
		return send_error(c, 400, false);
	c->keepalive = http11;	/* RFC 9112 9.3: 1.0 closes unless asked */
	status = parse_headers(c, eol + 1, end, http11);
	head = (size_t)(sp1 - req) == 4 && !memcmp(req, "HEAD", 4);
	if (status)
		return send_error(c, status, head);
	if (!head && !((size_t)(sp1 - req) == 3 && !memcmp(req, "GET", 3)))
		return send_error(c, 405, false);
	if ((size_t)(sp2 - sp1 - 1) > APP_HTTP_URI_MAX)
		return send_error(c, 414, head);
	if (httpd_normalise(sp1 + 1, (size_t)(sp2 - sp1 - 1), rel, sizeof(rel)) < 0)
		return send_error(c, 400, head);
	fd = open_below_root(c->svc, rel, &size, real);
	if (fd < 0)
		return send_error(c, 404, head);
	put_header(c, 200, httpd_mime_type(real), (uint64_t)size, NULL);
	c->close_after = !c->keepalive;
	if (head) {
		close(fd);
		return;
	}
	c->file_fd = fd;
	c->file_off = 0;
	c->file_end = size;
}

/* Look for a whole request in the buffer; answer it and drop its bytes. */
static bool try_request(struct app_conn *c)
{
	size_t hlen = 0;

	for (size_t i = 0; i + 1 < c->req_len; i++) {
		if (c->req[i] == '\n' && c->req[i + 1] == '\n') {
			hlen = i + 2;
			break;
		}
		if (i + 3 < c->req_len && !memcmp(c->req + i, "\r\n\r\n", 4)) {
			hlen = i + 4;
			break;
		}
	}
	if (!hlen) {
		if (c->req_len < APP_HTTP_REQ_MAX)
			return false;
		/* full without an end: a target too long, else headers too big */
		c->keepalive = false;
		send_error(c, memchr(c->req, '\n', c->req_len) ? 400 : 414, false);
		c->req_len = 0;
		return true;
	}
	/* tolerate blank lines before a request (RFC 9112 2.2) */
	handle_request(c, hlen);
	memmove(c->req, c->req + hlen, c->req_len - hlen);
	c->req_len -= hlen;
	return true;
}

/* Refill the output buffer from the file. -errno on a read error. */
static int refill(struct app_conn *c)
{
	size_t want = (size_t)NS_MIN((off_t)APP_CONN_BUF, c->file_end - c->file_off);
	ssize_t n = pread(c->file_fd, c->out, want, c->file_off);

	if (n <= 0)
		return n < 0 ? -errno : -EIO;	/* truncated under us */
	c->file_off += n;
	c->out_off = 0;
	c->out_len = (size_t)n;
	return 0;
}

/* Send what is owed. 1: response complete, 0: blocked, -errno. */
static int http_send(struct app_conn *c)
{
	struct ns_stack *stack = c->svc->apps->stack;

	for (;;) {
		while (c->out_off < c->out_len) {
			ssize_t n = ns_send(stack, c->h.fd, c->out + c->out_off,
					    c->out_len - c->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n < 0)
				return errno == EAGAIN ? 0 : -errno;
			c->out_off += (size_t)n;
			c->svc->st.bytes_out += (uint64_t)n;
		}
		c->out_off = c->out_len = 0;
		if (c->file_fd < 0 || c->file_off >= c->file_end)
			break;
		int rc = refill(c);

		if (rc)
			return rc;
	}
	if (c->file_fd >= 0) {
		close(c->file_fd);
		c->file_fd = -1;
	}
	return 1;
}

/* Read request bytes while there is room. -errno, or 0. */
static int http_read(struct app_conn *c)
{
	struct ns_stack *stack = c->svc->apps->stack;

	while (!c->rd_closed && c->req_len < APP_HTTP_REQ_MAX) {
		ssize_t n = ns_recv(stack, c->h.fd, c->req + c->req_len,
				    APP_HTTP_REQ_MAX - c->req_len, MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0)
			c->rd_closed = true;
		c->req_len += (size_t)n;
		c->svc->st.bytes_in += (uint64_t)n;
	}
	return 0;
}

void httpd_conn_free(struct app_conn *c)
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

static void http_event(struct app_handle *h, uint32_t events)
{
	struct app_conn *c = (struct app_conn *)(void *)h;
	int rc = 0;

	if (events & EPOLLERR)
		return httpd_conn_free(c);
	/* a response in progress first; requests wait in the socket */
	for (int guard = 0; guard < 64; guard++) {
		bool sending = c->out_len || c->file_fd >= 0;

		if (sending) {
			rc = http_send(c);
			if (rc <= 0)
				break;
			if (c->close_after)
				return httpd_conn_free(c);
			continue;
		}
		rc = http_read(c);
		if (rc < 0 || !try_request(c)) {
			if (rc == 0 && c->rd_closed)
				rc = -ECONNRESET;	/* EOF: nothing more to answer */
			break;
		}
	}
	if (rc < 0)
		return httpd_conn_free(c);
	app_set_events(c->svc->apps, h,
		       c->out_len || c->file_fd >= 0 ? EPOLLOUT : EPOLLIN | EPOLLRDHUP);
}

int httpd_new_conn(struct app_service *svc, int fd)
{
	struct app_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (!c || !(c->out = malloc(APP_CONN_BUF)) || !(c->req = malloc(APP_HTTP_REQ_MAX))) {
		if (c)
			free(c->out);
		free(c);
		return -ENOMEM;
	}
	c->h.fd = fd;
	c->svc = svc;
	c->file_fd = -1;
	rc = app_watch(svc->apps, &c->h, EPOLLIN | EPOLLRDHUP, http_event);
	if (rc) {
		free(c->out);
		free(c->req);
		free(c);
		return rc;
	}
	list_add_tail(&c->node, &svc->conns);
	svc->nr_conns++;
	return 0;
}
