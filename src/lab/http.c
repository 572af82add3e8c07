/* http.c - the lab's own `serve http PORT DIR` and `curl URL`, used while
 * the command engine has none (lab.c asks ns_exec first). Both are plain
 * users of the nstack socket API (include/nstack/socket.h), non-blocking,
 * polled by the lab scheduler: an HTTP/1.0 server of the files in DIR and
 * a client that shows a progress bar and the throughput. RFC 9112 for the
 * message shapes (request line, status line, Content-Length). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lab/lab.h"
#include "nstack/socket.h"

#define SERVE_CONNS 16
#define HDR_MAX 2048
#define NS_PER_S 1000000000ULL

/* ---- server ---- */
struct srv_conn {
	int fd;			/* -1: free slot */
	char req[HDR_MAX];
	size_t rlen;
	char *resp;		/* status line, headers and body */
	size_t len, off;
};

struct serve_job {
	struct lab_job job;
	int lfd;
	char dir[256];
	struct srv_conn c[SERVE_CONNS];
};

static struct ns_stack *job_stack(struct lab_job *job)
{
	return job->node->stack;
}

static void conn_close(struct ns_stack *s, struct srv_conn *c)
{
	ns_close(s, c->fd);
	free(c->resp);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Build the response to "GET /path HTTP/1.x" (RFC 9112 3, 4). */
static void respond(struct serve_job *sj, struct srv_conn *c)
{
	char path[600], target[256], hdr[256];
	size_t blen = 0;
	char *body = NULL;
	const char *status = "404 Not Found";
	int hl;

	if (sscanf(c->req, "GET %255s HTTP/1.%*c", target) == 1 && target[0] == '/' &&
	    !strstr(target, "..")) {
		snprintf(path, sizeof(path), "%s%s%s", sj->dir, target,
			 !strcmp(target, "/") ? "index.html" : "");
		body = read_file(path, &blen);
		if (body)
			status = "200 OK";
	} else {
		status = "400 Bad Request";
	}
	if (!body)
		blen = 0;
	hl = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.0 %s\r\nServer: nstack-lab\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		      status, blen);
	c->resp = malloc((size_t)hl + blen + 1);
	if (!c->resp) {
		free(body);
		conn_close(job_stack(&sj->job), c);
		return;
	}
	memcpy(c->resp, hdr, (size_t)hl);
	if (blen)
		memcpy(c->resp + hl, body, blen);
	free(body);
	c->len = (size_t)hl + blen;
}

static void conn_poll(struct serve_job *sj, struct srv_conn *c)
{
	struct ns_stack *s = job_stack(&sj->job);
	ssize_t n;

	while (!c->resp) {
		n = ns_recv(s, c->fd, c->req + c->rlen, sizeof(c->req) - 1 - c->rlen, MSG_DONTWAIT);
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				conn_close(s, c);
			return;
		}
		c->rlen += (size_t)n;
		c->req[c->rlen] = 0;
		if (strstr(c->req, "\r\n\r\n") || c->rlen + 1 >= sizeof(c->req))
			respond(sj, c);
		if (c->fd < 0)
			return;
	}
	while (c->off < c->len) {
		n = ns_send(s, c->fd, c->resp + c->off, c->len - c->off, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN)
				conn_close(s, c);
			return;
		}
		c->off += (size_t)n;
	}
	conn_close(s, c);	/* HTTP/1.0: the close ends the body */
}

static int serve_poll(struct lab_job *job)
{
	struct serve_job *sj = (struct serve_job *)job;
	struct ns_stack *s = job_stack(job);
	int fd;

	while ((fd = ns_accept4(s, sj->lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		struct srv_conn *c = NULL;

		for (int i = 0; i < SERVE_CONNS && !c; i++)
			if (sj->c[i].fd < 0)
				c = &sj->c[i];
		if (!c) {
			ns_close(s, fd);
			continue;
		}
		c->fd = fd;
	}
	for (int i = 0; i < SERVE_CONNS; i++)
		if (sj->c[i].fd >= 0)
			conn_poll(sj, &sj->c[i]);
	return -EINPROGRESS;
}

static uint64_t no_deadline(struct lab_job *job)
{
	(void)job;
	return UINT64_MAX;
}

static void serve_destroy(struct lab_job *job)
{
	struct serve_job *sj = (struct serve_job *)job;

	for (int i = 0; i < SERVE_CONNS; i++)
		if (sj->c[i].fd >= 0)
			conn_close(job_stack(job), &sj->c[i]);
	ns_close(job_stack(job), sj->lfd);
	free(sj);
}

static const struct lab_job_ops serve_ops = {
	.poll = serve_poll, .deadline = no_deadline, .destroy = serve_destroy
};

static int listen_on(struct ns_lab *lab, struct lab_node *n, unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = ns_socket(n->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return lab_err(lab, -errno, "%s: serve: socket: %s", n->name, strerror(errno));
	ns_setsockopt(n->stack, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ns_bind(n->stack, fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    ns_listen(n->stack, fd, 64)) {
		int err = errno;

		ns_close(n->stack, fd);
		return lab_err(lab, -err, "%s: serve: port %u: %s", n->name, port, strerror(err));
	}
	return fd;
}

/* serve http PORT [DIR] */
int lab_cmd_serve(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		  struct lab_job **job)
{
	struct serve_job *sj;
	unsigned long port;
	int fd;

	if (argc < 3 || argc > 4 || strcmp(argv[1], "http") || cmd_parse_uint(argv[2], 65535, &port) ||
	    !port)
		return lab_err(lab, -EINVAL, "%s: serve: usage: serve http PORT [DIR]", n->name);
	sj = calloc(1, sizeof(*sj));
	if (!sj)
		return lab_err(lab, -ENOMEM, "%s: serve: out of memory", n->name);
	snprintf(sj->dir, sizeof(sj->dir), "%s", argc == 4 ? argv[3] : ".");
	fd = listen_on(lab, n, (unsigned int)port);
	if (fd < 0) {
		free(sj);
		return fd;
	}
	sj->lfd = fd;
	for (int i = 0; i < SERVE_CONNS; i++)
		sj->c[i].fd = -1;
	sj->job.ops = &serve_ops;
	sj->job.node = n;
	sj->job.daemon = true;
	snprintf(sj->job.what, sizeof(sj->job.what), "%s: serve http %lu", n->name, port);
	lab_printf(lab, "serving HTTP on 0.0.0.0 port %lu from %s\n", port, sj->dir);
	*job = &sj->job;
	return lab_job_add(lab, &sj->job);
}

/* ---- client ---- */
enum curl_state { CURL_CONNECTING, CURL_SENDING, CURL_RECEIVING };

struct curl_job {
	struct lab_job job;
	int fd;
	enum curl_state state;
	uint32_t daddr;
	unsigned int port;
	char req[512];
	size_t reqlen, reqoff;
	char hdr[HDR_MAX];
	size_t hlen;
	bool have_hdr, discard, include_hdr;
	int status;
	long long clen;			/* Content-Length, -1 unknown */
	uint64_t body, start, max_time;
	unsigned int shown;		/* progress steps printed */
};

static void fmt_addr(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static uint64_t job_now(struct lab_job *job)
{
	return ns_lab_now(job->lab);
}

static void progress(struct curl_job *cj, bool last)
{
	uint64_t el = job_now(&cj->job) - cj->start;
	unsigned int step = cj->clen > 0 ? (unsigned int)(cj->body * 10 / (uint64_t)cj->clen) : 0;
	char bar[11];

	if (!cj->discard || cj->clen <= 0 || (step <= cj->shown && !last) || step > 10)
		return;
	if (last && step <= cj->shown)
		return;
	cj->shown = step;
	for (unsigned int i = 0; i < 10; i++)
		bar[i] = i < step ? '#' : '.';
	bar[10] = 0;
	lab_printf(cj->job.lab, "  [%s] %3u%%  %6.2f MiB  %7.3f s  %8.2f Mbit/s\n", bar, step * 10,
		   (double)cj->body / 1048576.0, (double)el / 1e9,
		   el ? (double)cj->body * 8e3 / (double)el : 0.0);
}

static void body_bytes(struct curl_job *cj, const char *p, size_t n)
{
	if (!cj->discard)
		lab_printf(cj->job.lab, "%.*s", (int)n, p);
	cj->body += n;
	progress(cj, false);
}

static void parse_hdr(struct curl_job *cj)
{
	char *end = strstr(cj->hdr, "\r\n\r\n"), *cl;
	size_t hl;

	if (!end)
		return;
	hl = (size_t)(end + 4 - cj->hdr);
	cj->have_hdr = true;
	*end = 0;
	if (sscanf(cj->hdr, "HTTP/1.%*c %d", &cj->status) != 1)
		cj->status = 0;
	cl = strstr(cj->hdr, "Content-Length:");
	cj->clen = cl ? atoll(cl + 15) : -1;
	if (cj->include_hdr)
		lab_printf(cj->job.lab, "%s\n\n", cj->hdr);
	if (cj->hlen > hl)
		body_bytes(cj, cj->hdr + hl, cj->hlen - hl);
}

static int curl_fail(struct curl_job *cj, int code, int err, const char *what)
{
	char a[16];
	uint64_t ms = (job_now(&cj->job) - cj->start) / 1000000;

	fmt_addr(a, sizeof(a), cj->daddr);
	if (code == 28)
		lab_printf(cj->job.lab, "curl: (28) %s timed out after %llu milliseconds\n", what,
			   (unsigned long long)ms);
	else
		lab_printf(cj->job.lab, "curl: (%d) Failed to connect to %s port %u after %llu ms: %s\n",
			   code, a, cj->port, (unsigned long long)ms, strerror(err));
	return -err;
}

static int curl_finish(struct curl_job *cj)
{
	uint64_t el = job_now(&cj->job) - cj->start;

	progress(cj, true);
	if (cj->discard || cj->include_hdr)
		lab_printf(cj->job.lab, "HTTP %d, %llu bytes in %.3f s = %.2f Mbit/s\n", cj->status,
			   (unsigned long long)cj->body, (double)el / 1e9,
			   el ? (double)cj->body * 8e3 / (double)el : 0.0);
	if (cj->clen >= 0 && cj->body != (uint64_t)cj->clen) {
		lab_printf(cj->job.lab, "curl: (18) transfer closed with %lld bytes remaining\n",
			   cj->clen - (long long)cj->body);
		return -EPROTO;
	}
	return cj->status == 200 ? 0 : -ENOENT;
}

static int curl_connecting(struct curl_job *cj)
{
	struct ns_stack *s = job_stack(&cj->job);
	struct pollfd p = { .fd = cj->fd, .events = POLLOUT };
	socklen_t sl = sizeof(int);
	int err = 0;

	if (ns_poll(s, &p, 1, 0) <= 0)
		return -EINPROGRESS;
	ns_getsockopt(s, cj->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	if (err)
		return curl_fail(cj, 7, err, NULL);
	cj->state = CURL_SENDING;
	return 0;
}

static int curl_poll(struct lab_job *job)
{
	struct curl_job *cj = (struct curl_job *)job;
	struct ns_stack *s = job_stack(job);
	char buf[16384];
	ssize_t n;
	int rc;

	if (cj->max_time && job_now(job) >= cj->start + cj->max_time)
		return curl_fail(cj, 28, ETIMEDOUT,
				 cj->state == CURL_CONNECTING ? "Connection" : "Operation");
	if (cj->state == CURL_CONNECTING && (rc = curl_connecting(cj)))
		return rc;
	while (cj->state == CURL_SENDING) {
		n = ns_send(s, cj->fd, cj->req + cj->reqoff, cj->reqlen - cj->reqoff, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? -EINPROGRESS : curl_fail(cj, 56, errno, NULL);
		cj->reqoff += (size_t)n;
		if (cj->reqoff == cj->reqlen)
			cj->state = CURL_RECEIVING;
	}
	for (;;) {
		n = ns_recv(s, cj->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? -EINPROGRESS : curl_fail(cj, 56, errno, NULL);
		if (n == 0)
			return curl_finish(cj);
		if (cj->have_hdr) {
			body_bytes(cj, buf, (size_t)n);
			continue;
		}
		size_t take = (size_t)n < sizeof(cj->hdr) - 1 - cj->hlen ? (size_t)n
									 : sizeof(cj->hdr) - 1 - cj->hlen;

		memcpy(cj->hdr + cj->hlen, buf, take);
		cj->hlen += take;
		cj->hdr[cj->hlen] = 0;
		parse_hdr(cj);
		if (take < (size_t)n && cj->have_hdr)
			body_bytes(cj, buf + take, (size_t)n - take);
	}
}

static uint64_t curl_deadline(struct lab_job *job)
{
	struct curl_job *cj = (struct curl_job *)job;

	return cj->max_time ? cj->start + cj->max_time : UINT64_MAX;
}

static void curl_destroy(struct lab_job *job)
{
	struct curl_job *cj = (struct curl_job *)job;

	ns_close(job_stack(job), cj->fd);
	free(cj);
}

static const struct lab_job_ops curl_ops = {
	.poll = curl_poll, .deadline = curl_deadline, .destroy = curl_destroy
};

/* http://A.B.C.D[:PORT][/PATH] */
static int parse_url(const char *url, uint32_t *addr, unsigned int *port, char *path, size_t len)
{
	char host[32];
	const char *p, *slash, *colon;
	unsigned long v = 80;

	if (strncmp(url, "http://", 7))
		return -EINVAL;
	p = url + 7;
	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	if ((size_t)(slash - p) >= sizeof(host))
		return -EINVAL;
	memcpy(host, p, (size_t)(slash - p));
	host[slash - p] = 0;
	colon = strchr(host, ':');
	if (colon) {
		if (cmd_parse_uint(colon + 1, 65535, &v) || !v)
			return -EINVAL;
		host[colon - host] = 0;
	}
	if (lab_parse_ip4(host, addr))
		return -EINVAL;
	*port = (unsigned int)v;
	snprintf(path, len, "%s", *slash ? slash : "/");
	return 0;
}

static int curl_args(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		     struct curl_job *cj, const char **url)
{
	*url = NULL;
	for (int i = 1; i < argc; i++) {
		uint64_t ns;

		if ((!strcmp(argv[i], "-m") || !strcmp(argv[i], "--max-time")) && i + 1 < argc &&
		    !lab_parse_duration(argv[i + 1], &ns)) {
			cj->max_time = ns;
			i++;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			if (strcmp(argv[++i], "/dev/null"))
				return lab_err(lab, -EINVAL, "%s: curl: only -o /dev/null", n->name);
			cj->discard = true;
		} else if (!strcmp(argv[i], "-i")) {
			cj->include_hdr = true;
		} else if (!strcmp(argv[i], "-s")) {
			continue;
		} else if (argv[i][0] != '-' && !*url) {
			*url = argv[i];
		} else {
			return lab_err(lab, -EINVAL, "%s: curl: bad argument \"%s\"", n->name, argv[i]);
		}
	}
	if (!*url)
		return lab_err(lab, -EINVAL, "%s: curl: usage: curl [-i] [-m SECS] [-o /dev/null] URL",
			       n->name);
	return 0;
}

static int curl_start(struct ns_lab *lab, struct lab_node *n, struct curl_job *cj)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cj->port),
				   .sin_addr.s_addr = htonl(cj->daddr) };

	cj->fd = ns_socket(n->stack, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (cj->fd < 0)
		return lab_err(lab, -errno, "%s: curl: socket: %s", n->name, strerror(errno));
	cj->start = ns_lab_now(lab);
	if (ns_connect(n->stack, cj->fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS) {
		int err = errno;

		curl_fail(cj, 7, err, NULL);
		ns_close(n->stack, cj->fd);
		return lab_err(lab, -err, "%s: curl: %s", n->name, strerror(err));
	}
	return 0;
}

/* curl [-i] [-m SECS] [-o /dev/null] http://ADDR[:PORT]/PATH */
int lab_cmd_curl(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		 struct lab_job **job)
{
	struct curl_job *cj = calloc(1, sizeof(*cj));
	char path[256], host[16];
	const char *url;
	int rc;

	if (!cj)
		return lab_err(lab, -ENOMEM, "%s: curl: out of memory", n->name);
	cj->job.lab = lab;
	rc = curl_args(lab, n, argc, argv, cj, &url);
	if (!rc && parse_url(url, &cj->daddr, &cj->port, path, sizeof(path)))
		rc = lab_err(lab, -EINVAL, "%s: curl: bad URL \"%s\" (want http://A.B.C.D[:PORT]/PATH)",
			     n->name, url);
	if (!rc)
		rc = curl_start(lab, n, cj);
	if (rc) {
		free(cj);
		return rc;
	}
	fmt_addr(host, sizeof(host), cj->daddr);
	cj->reqlen = (size_t)snprintf(cj->req, sizeof(cj->req),
				      "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nstack-lab\r\n\r\n",
				      path, host);
	cj->job.ops = &curl_ops;
	cj->job.node = n;
	snprintf(cj->job.what, sizeof(cj->job.what), "%s: curl", n->name);
	*job = &cj->job;
	return lab_job_add(lab, &cj->job);
}
