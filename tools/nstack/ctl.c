/* ctl.c - the control socket of `nstack up` and its client.
 *
 * Protocol (docs/cli.md): the client connects to an AF_UNIX stream
 * socket, sends one command line ending in '\n' (at most 4096 bytes) and
 * shuts down its sending side. The server answers
 *     OUTPUT '\0' ERROR '\0' "STATUS " N '\n'
 * and closes: OUTPUT is what the command printed, ERROR its message (empty
 * on success), N is 0 or the positive errno of the failure. A command that
 * runs as a job (ping) streams OUTPUT as it is printed; the rest follows
 * when the job ends. The client prints OUTPUT as it arrives.
 *
 * The server side is non-blocking and runs inside the stack loop: the
 * listening socket and each connection are watched with ns_stack_watch_fd. */
#define _GNU_SOURCE 1	/* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nstack/cmd.h"
#include "core/stack.h"
#include "nstack.h"

struct ctl_conn {
	struct ctl_server *srv;
	struct ctl_conn *next;
	int fd;
	size_t req_len;
	char req[CTL_MAX_REQUEST + 2];
	struct ns_cmd_job *job;	/* a running command (ping) */
	bool final;		/* the whole response is in resp */
	char *resp;
	size_t resp_len, resp_off, resp_cap;
};

const char *ctl_path(const char *given)
{
	const char *env = getenv("NSTACK_CTL");

	if (given)
		return given;
	return env && *env ? env : NSTACK_CTL_DEFAULT;
}

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* ---- server: connections --------------------------------------------------------------- */
static void conn_free(struct ctl_conn *c)
{
	struct ctl_server *srv = c->srv;

	for (struct ctl_conn **pp = &srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	srv->nconns--;
	ns_exec_job_cancel(c->job);	/* the client went away mid-job */
	ns_stack_unwatch_fd(srv->stack, c->fd);
	close(c->fd);
	free(c->resp);
	free(c);
}

static int conn_append(struct ctl_conn *c, const char *data, size_t len)
{
	if (!len)
		return 0;	/* data may be NULL for empty output */
	if (c->resp_len + len > c->resp_cap) {
		size_t cap = (c->resp_len + len) * 2 + 256;
		char *nb = realloc(c->resp, cap);

		if (!nb)
			return -ENOMEM;
		c->resp = nb;
		c->resp_cap = cap;
	}
	memcpy(c->resp + c->resp_len, data, len);
	c->resp_len += len;
	return 0;
}

static void conn_io(void *ctx, uint32_t events);

/* Send what is pending; free the connection once the final response is
 * out; otherwise wait for EPOLLOUT (pending bytes) or just a hang-up. */
static void conn_flush(struct ctl_conn *c)
{
	while (c->resp_off < c->resp_len) {
		ssize_t n = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			if (ns_stack_rewatch_fd(c->srv->stack, c->fd, EPOLLOUT, conn_io, c))
				conn_free(c);
			return;
		}
		if (n <= 0) {
			conn_free(c);	/* the client went away */
			return;
		}
		c->resp_off += (size_t)n;
	}
	c->resp_off = c->resp_len = 0;
	if (c->final || ns_stack_rewatch_fd(c->srv->stack, c->fd, 0, conn_io, c))
		conn_free(c);
}

static void conn_io(void *ctx, uint32_t events)
{
	struct ctl_conn *c = ctx;

	if ((events & (EPOLLHUP | EPOLLERR)) && c->resp_off == c->resp_len) {
		conn_free(c);
		return;
	}
	conn_flush(c);
}

/* Append ERROR \0 STATUS N \n after the OUTPUT already queued. */
static int finish_response(struct ctl_conn *c, const struct ns_out *out, int rc)
{
	char status[32];
	int sl = snprintf(status, sizeof(status), "STATUS %d\n", rc < 0 ? -rc : rc);
	int err = conn_append(c, "", 1);

	err = err ? err : conn_append(c, out->err, strlen(out->err) + 1);
	err = err ? err : conn_append(c, status, (size_t)sl);
	c->final = true;
	return err;
}

static void conn_execute(struct ctl_conn *c)
{
	struct ns_out out;
	char *nl = memchr(c->req, '\n', c->req_len);
	int rc;

	ns_out_init(&out);
	if (!nl && c->req_len > CTL_MAX_REQUEST) {
		snprintf(out.err, sizeof(out.err), "command line longer than %d bytes",
			 CTL_MAX_REQUEST);
		rc = -E2BIG;
	} else {
		c->req[nl ? (size_t)(nl - c->req) : c->req_len] = 0;
		rc = ns_exec(c->srv->stack, c->req, &out);
	}
	if (rc == -EINPROGRESS) {
		c->job = out.job;
		out.job = NULL;
	}
	if (out.oom && !rc) {
		snprintf(out.err, sizeof(out.err), "output truncated: out of memory");
		rc = -ENOMEM;
	}
	if (conn_append(c, ns_out_text(&out), out.len) ||
	    (rc != -EINPROGRESS && finish_response(c, &out, rc))) {
		ns_out_free(&out);
		conn_free(c);
		return;
	}
	ns_out_free(&out);
	conn_flush(c);
}

void ctl_poll_jobs(struct ctl_server *srv)
{
	struct ctl_conn *c, *next;

	for (c = srv->conns; c; c = next) {
		struct ns_out out;
		int rc;

		next = c->next;
		if (!c->job)
			continue;
		ns_out_init(&out);
		rc = ns_exec_job_poll(c->job, &out);
		if (rc != -EINPROGRESS)
			c->job = NULL;
		if (out.len || rc != -EINPROGRESS) {
			if (conn_append(c, ns_out_text(&out), out.len) ||
			    (rc != -EINPROGRESS && finish_response(c, &out, rc))) {
				ns_out_free(&out);
				conn_free(c);
				continue;
			}
			conn_flush(c);
		}
		ns_out_free(&out);
	}
}

static void conn_read(void *ctx, uint32_t events)
{
	struct ctl_conn *c = ctx;

	(void)events;
	for (;;) {
		ssize_t n = read(c->fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			conn_free(c);
			return;
		}
		c->req_len += (size_t)n;
		if (n == 0 || memchr(c->req, '\n', c->req_len) ||
		    c->req_len >= sizeof(c->req) - 1) {
			conn_execute(c);
			return;
		}
	}
}

static void ctl_accept(void *ctx, uint32_t events)
{
	struct ctl_server *srv = ctx;

	(void)events;
	for (;;) {
		int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_conn *c;

		if (fd < 0)
			return;
		c = srv->nconns < CTL_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);	/* bounded: the client sees EOF without a status */
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		if (ns_stack_watch_fd(srv->stack, fd, EPOLLIN, conn_read, c)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = srv->conns;
		srv->conns = c;
		srv->nconns++;
	}
}

/* ---- server: socket ------------------------------------------------------------------- */
static int mkdir_p(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file nobody listens on is left over from a crash: remove it. */
static int remove_stale(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s: another nstack is running there", path);
		return -EADDRINUSE;
	}
	unlink(path);
	return 0;
}

int ctl_listen(struct ctl_server *srv, struct ns_stack *stack, const char *path, char *err,
	       size_t errlen)
{
	struct sockaddr_un sa;
	int rc;

	memset(srv, 0, sizeof(*srv));
	srv->fd = -1;
	srv->stack = stack;
	if (fill_addr(&sa, path)) {
		snprintf(err, errlen, "%s: path too long for a unix socket", path);
		return -ENAMETOOLONG;
	}
	rc = mkdir_p(path);
	if (rc) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = remove_stale(path, &sa, err, errlen);
	if (rc)
		return rc;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(srv->fd, 16) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		if (srv->fd >= 0)
			close(srv->fd);
		srv->fd = -1;
		return rc;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	rc = ns_stack_watch_fd(stack, srv->fd, EPOLLIN, ctl_accept, srv);
	if (rc) {
		snprintf(err, errlen, "cannot watch the control socket: %s", strerror(-rc));
		ctl_close(srv);
	}
	return rc;
}

void ctl_close(struct ctl_server *srv)
{
	while (srv->conns)
		conn_free(srv->conns);
	if (srv->fd >= 0) {
		ns_stack_unwatch_fd(srv->stack, srv->fd);
		close(srv->fd);
		unlink(srv->path);
	}
	srv->fd = -1;
}

/* ---- client --------------------------------------------------------------------------- */
static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:=,+@%-",
			    *s))
			return false;
	return true;
}

/* Join argv into one line the server's lexer splits back identically. */
static int join_words(int argc, char **argv, char *line, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (off + 4 >= len)
			return -E2BIG;
		if (i)
			line[off++] = ' ';
		if (plain_word(s)) {
			for (; *s && off + 2 < len; s++)
				line[off++] = *s;
		} else {
			line[off++] = '\'';
			for (; *s && off + 6 < len; s++) {
				if (*s == '\'') {
					memcpy(line + off, "'\\''", 4);
					off += 4;
				} else {
					line[off++] = *s;
				}
			}
			line[off++] = '\'';
		}
		if (*s)
			return -E2BIG;
	}
	if (off + 2 > len)
		return -E2BIG;
	line[off++] = '\n';
	line[off] = 0;
	return 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read the reply, printing OUTPUT as it arrives (a job streams it);
 * return the rest (from the first NUL on). Bounded by a 60 s silence. */
static char *read_reply(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	bool in_output = true;

	while (buf) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 60000) <= 0)
			break;
		if (n + 1024 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			buf[n] = 0;
			*len = n;
			return buf;
		}
		n += (size_t)r;
		if (in_output) {
			char *nul = memchr(buf, 0, n);
			size_t out = nul ? (size_t)(nul - buf) : n;

			fwrite(buf, 1, out, stdout);
			fflush(stdout);
			memmove(buf, buf + out, n - out);
			n -= out;
			in_output = !nul;
		}
	}
	free(buf);
	return NULL;
}

/* rest: NUL ERROR NUL "STATUS N\n" (OUTPUT already printed) */
static int print_reply(const char *buf, size_t len)
{
	const char *err = len ? buf : NULL;
	const char *st = err ? memchr(err + 1, 0, len - 1) : NULL;
	int status;

	if (!err || *err || !st || sscanf(st + 1, "STATUS %d", &status) != 1) {
		fprintf(stderr, "nstack: malformed reply from the control socket\n");
		return 1;
	}
	if (err[1])
		fprintf(stderr, "%s\n", err + 1);
	fflush(stdout);
	return status;
}

int ctl_client(const char *path, int argc, char **argv)
{
	char line[CTL_MAX_REQUEST + 2];
	struct sockaddr_un sa;
	size_t len;
	char *reply;
	int fd, rc;

	if (join_words(argc, argv, line, sizeof(line))) {
		fprintf(stderr, "nstack: command line longer than %d bytes\n", CTL_MAX_REQUEST);
		return 1;
	}
	if (fill_addr(&sa, path)) {
		fprintf(stderr, "nstack: %s: path too long for a unix socket\n", path);
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "nstack: cannot reach %s: %s (is `nstack up` running?)\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	rc = send_all(fd, line, strlen(line));
	shutdown(fd, SHUT_WR);
	reply = rc ? NULL : read_reply(fd, &len);
	close(fd);
	if (!reply) {
		fprintf(stderr, "nstack: no reply from %s\n", path);
		return 1;
	}
	rc = print_reply(reply, len);
	free(reply);
	return rc;
}
