/* test_apps.c - nstack's own services and HTTP client (src/apps) on one
 * stack over loopback in virtual time: echo (TCP and UDP), discard,
 * chargen's RFC 864 pattern, the connection bound, the HTTP server's
 * answers (200, HEAD, keep-alive with pipelining, 400, 404, 405, 414, no
 * escape by ".." or symlink), path normalisation, the curl command, ss. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "apps/apps.h"
#include "nstack/cmd.h"
#include "nstack/socket.h"

struct fx {
	struct test_stack *ts;
	struct ns_stack *s;
	char dir[64];
	char outside[64];
};

/* Run the loop (and the apps' eventfd) for n rounds of 100 µs. */
static void run(struct fx *f, int n)
{
	for (int i = 0; i < n; i++) {
		ns_vclock_advance(&f->ts->clock, 100000);
		ns_stack_run_once(f->s, 0);
	}
}

/* Assert that text contains want; print the text when it does not. */
static void has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("missing \"%s\" in:\n%s", want, text);
}

static int exec_ok(struct fx *f, const char *line, struct ns_out *out)
{
	int rc = ns_exec(f->s, line, out);

	if (rc)
		fprintf(stderr, "%s: %d %s\n", line, rc, out->err);
	return rc;
}

/* Run a command that may start a job, driving the loop until it ends. */
static int exec_job(struct fx *f, const char *line, struct ns_out *out)
{
	int rc = ns_exec(f->s, line, out);

	for (int i = 0; i < 200000 && rc == -EINPROGRESS; i++) {
		run(f, 1);
		rc = ns_exec_job_poll(out->job, out);
	}
	return rc;
}

static void write_file(const char *path, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	for (size_t i = 0; i < len; i++)
		fputc((int)((i * 7 + i / 251) & 0xff), fp);
	fclose(fp);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[256];

	f->ts = test_stack_new("apps", 3);
	f->s = f->ts->stack;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nstack-apps-%d", (int)getpid());
	snprintf(f->outside, sizeof(f->outside), "/tmp/nstack-apps-%d.secret", (int)getpid());
	snprintf(path, sizeof(path), "rm -rf %s %s", f->dir, f->outside);
	assert_int_equal(system(path), 0);
	mkdir(f->dir, 0755);
	snprintf(path, sizeof(path), "%s/big.bin", f->dir);
	write_file(path, 300000);
	snprintf(path, sizeof(path), "%s/index.html", f->dir);
	write_file(path, 10);
	snprintf(path, sizeof(path), "%s/sub", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sub/a.txt", f->dir);
	write_file(path, 5);
	write_file(f->outside, 3);
	snprintf(path, sizeof(path), "%s/leak", f->dir);
	assert_int_equal(symlink(f->outside, path), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	test_stack_free(f->ts);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", f->dir, f->outside);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int tcp_connect(struct fx *f, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = ns_socket(f->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(ns_connect(f->s, fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
	assert_int_equal(errno, EINPROGRESS);
	run(f, 20);
	return fd;
}

static void send_all(struct fx *f, int fd, const void *buf, size_t len)
{
	assert_int_equal(ns_send(f->s, fd, buf, len, MSG_DONTWAIT), (ssize_t)len);
}

/* Read up to cap bytes (until EOF or no progress for a while). */
static size_t recv_some(struct fx *f, int fd, uint8_t *buf, size_t cap, bool *eof)
{
	size_t got = 0;

	*eof = false;
	for (int idle = 0; idle < 50 && got < cap;) {
		ssize_t n = ns_recv(f->s, fd, buf + got, cap - got, MSG_DONTWAIT);

		if (n == 0) {
			*eof = true;
			break;
		}
		if (n < 0) {
			run(f, 1);
			idle++;
			continue;
		}
		got += (size_t)n;
		idle = 0;
	}
	return got;
}

static void test_echo_discard_tcp_udp(void **state)
{
	struct fx *f = *state;
	struct ns_out out;
	uint8_t msg[50000], buf[60000];
	bool eof;
	int fd, u;

	ns_out_init(&out);
	assert_int_equal(exec_ok(f, "serve echo 7", &out), 0);
	assert_int_equal(exec_ok(f, "serve discard 9", &out), 0);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13);
	fd = tcp_connect(f, 7);
	send_all(f, fd, msg, sizeof(msg));
	assert_int_equal(recv_some(f, fd, buf, sizeof(msg), &eof), sizeof(msg));
	assert_memory_equal(buf, msg, sizeof(msg));
	/* the server closes after our FIN */
	ns_shutdown(f->s, fd, SHUT_WR);
	run(f, 10);
	assert_int_equal(recv_some(f, fd, buf, sizeof(buf), &eof), 0);
	assert_true(eof);
	ns_close(f->s, fd);

	/* discard: nothing comes back */
	fd = tcp_connect(f, 9);
	send_all(f, fd, msg, 1000);
	run(f, 10);
	assert_int_equal(recv_some(f, fd, buf, sizeof(buf), &eof), 0);
	assert_false(eof);
	ns_close(f->s, fd);

	/* UDP echo: each datagram comes back whole */
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	u = ns_socket(f->s, AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(ns_connect(f->s, u, (struct sockaddr *)&sin, sizeof(sin)), 0);
	for (int i = 1; i <= 20; i++)
		assert_int_equal(ns_send(f->s, u, msg, (size_t)i * 70, MSG_DONTWAIT), i * 70);
	run(f, 10);
	for (int i = 1; i <= 20; i++) {
		assert_int_equal(ns_recv(f->s, u, buf, sizeof(buf), MSG_DONTWAIT), i * 70);
		assert_memory_equal(buf, msg, (size_t)i * 70);
	}
	ns_close(f->s, u);

	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "serve", &out), 0);
	has(ns_out_text(&out), "echo     udp   7");
	has(ns_out_text(&out), "datagrams 20/20");
	assert_int_equal(exec_ok(f, "serve stop echo 7", &out), 0);
	assert_int_equal(ns_exec(f->s, "serve stop echo 7", &out), -ENOENT);
	assert_int_equal(ns_exec(f->s, "serve echo 0", &out), -EINVAL);
	assert_int_equal(ns_exec(f->s, "serve discard 9", &out), -EADDRINUSE);
	assert_int_equal(ns_exec(f->s, "serve echo 7 max 0", &out), -EINVAL);
	assert_int_equal(ns_exec(f->s, "serve http 80 /nonexistent/dir", &out), -ENOENT);
	ns_out_free(&out);
}

static void test_chargen_pattern(void **state)
{
	struct fx *f = *state;
	struct ns_out out;
	uint8_t buf[74 * 96];
	char line0[75], line1[75];
	bool eof;
	int fd;

	ns_out_init(&out);
	assert_int_equal(exec_ok(f, "serve chargen 19", &out), 0);
	fd = tcp_connect(f, 19);
	assert_int_equal(recv_some(f, fd, buf, sizeof(buf), &eof), sizeof(buf));
	for (int i = 0; i < 72; i++) {
		line0[i] = (char)(' ' + i);
		line1[i] = (char)(' ' + (i + 1) % 95);
	}
	memcpy(line0 + 72, "\r\n", 2);
	memcpy(line1 + 72, "\r\n", 2);
	assert_memory_equal(buf, line0, 74);
	assert_memory_equal(buf + 74, line1, 74);
	assert_memory_equal(buf + 95 * 74, line0, 74);	/* the cycle repeats */
	ns_close(f->s, fd);
	run(f, 20);
	ns_out_free(&out);
}

static void test_max_conns_refused(void **state)
{
	struct fx *f = *state;
	struct ns_out out;
	uint8_t buf[16];
	bool eof;
	int fd[3];

	ns_out_init(&out);
	assert_int_equal(exec_ok(f, "serve echo 7 max 2", &out), 0);
	for (int i = 0; i < 3; i++)
		fd[i] = tcp_connect(f, 7);
	run(f, 20);
	/* the third was accepted and closed at once */
	assert_int_equal(recv_some(f, fd[2], buf, sizeof(buf), &eof), 0);
	assert_true(eof);
	send_all(f, fd[0], "hi", 2);
	assert_int_equal(recv_some(f, fd[0], buf, 2, &eof), 2);
	assert_non_null(strstr(ns_out_text(&out), "") );
	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "serve", &out), 0);
	has(ns_out_text(&out), "2/2           2        1");
	for (int i = 0; i < 3; i++)
		ns_close(f->s, fd[i]);
	run(f, 20);
	ns_out_free(&out);
}

/* One request on a fresh connection; the whole answer (until EOF or idle). */
static size_t http_ask(struct fx *f, const char *req, uint8_t *buf, size_t cap, bool *eof)
{
	int fd = tcp_connect(f, 80);
	size_t n;

	send_all(f, fd, req, strlen(req));
	n = recv_some(f, fd, buf, cap - 1, eof);
	buf[n] = 0;
	ns_close(f->s, fd);
	return n;
}

static void test_http_server(void **state)
{
	struct fx *f = *state;
	static uint8_t buf[400000];
	char line[160];
	struct ns_out out;
	bool eof;
	size_t n;

	ns_out_init(&out);
	snprintf(line, sizeof(line), "serve http 80 %s", f->dir);
	assert_int_equal(exec_ok(f, line, &out), 0);

	n = http_ask(f, "GET /big.bin HTTP/1.0\r\n\r\n", buf, sizeof(buf), &eof);
	assert_true(eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr((char *)buf, "Content-Length: 300000\r\n"));
	assert_non_null(strstr((char *)buf, "Content-Type: application/octet-stream\r\n"));
	assert_non_null(strstr((char *)buf, "Connection: close\r\n"));
	char *body = strstr((char *)buf, "\r\n\r\n") + 4;

	assert_int_equal(n - (size_t)(body - (char *)buf), 300000);
	for (size_t i = 0; i < 300000; i++)
		if ((uint8_t)body[i] != (uint8_t)((i * 7 + i / 251) & 0xff))
			fail_msg("byte %zu differs", i);

	/* keep-alive, pipelined: HEAD then GET of the index, both on one connection */
	n = http_ask(f, "HEAD /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
		     buf, sizeof(buf), &eof);
	assert_false(eof);
	assert_non_null(strstr((char *)buf, "Content-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nHTTP/1.1 200 OK"));
	assert_non_null(strstr((char *)buf, "Content-Type: text/html\r\nContent-Length: 10\r\n"));

	http_ask(f, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 404 Not Found\r\n"));
	http_ask(f, "GET /leak HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 404 Not Found\r\n"));
	http_ask(f, "GET /sub/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 400 Bad Request\r\n"));
	assert_true(eof);
	http_ask(f, "GET /%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 400 Bad Request\r\n"));
	http_ask(f, "GET / HTTP/1.1\r\n\r\n", buf, sizeof(buf), &eof);	/* no Host */
	assert_non_null(strstr((char *)buf, "HTTP/1.1 400 Bad Request\r\n"));
	http_ask(f, "POST / HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 405 Method Not Allowed\r\nServer: nstack\r\n"));
	assert_non_null(strstr((char *)buf, "Allow: GET, HEAD\r\n"));
	assert_false(eof);
	http_ask(f, "GET / HTTP/2.0\r\nHost: x\r\n\r\n", buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 400 Bad Request\r\n"));

	static char longreq[9000];
	memcpy(longreq, "GET /", 5);
	memset(longreq + 5, 'a', sizeof(longreq) - 6);
	http_ask(f, longreq, buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 414 URI Too Long\r\n"));
	assert_true(eof);
	memcpy(longreq, "GET /", 5);
	memset(longreq + 5, 'a', 5000);
	memcpy(longreq + 5005, " HTTP/1.1\r\nHost: x\r\n\r\n", 23);
	http_ask(f, longreq, buf, sizeof(buf), &eof);
	assert_non_null(strstr((char *)buf, "HTTP/1.1 414 URI Too Long\r\n"));

	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "serve", &out), 0);
	has(ns_out_text(&out), "requests 11 errors 9");
	run(f, 50);
	ns_out_free(&out);
}

static void test_http_normalise(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(httpd_normalise("/a/./b//c", 9, out, sizeof(out)), 0);
	assert_string_equal(out, "a/b/c");
	assert_int_equal(httpd_normalise("/a/b/../c?x=/..", 15, out, sizeof(out)), 0);
	assert_string_equal(out, "a/c");
	assert_int_equal(httpd_normalise("/", 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(httpd_normalise("/a/..", 5, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(httpd_normalise("/%41%62", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "Ab");
	assert_int_equal(httpd_normalise("/..", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("/a/../..", 8, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("/a%2f..", 7, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("/a%00", 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("/a%4", 4, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("/a%zz", 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("a", 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(httpd_normalise("/0123456789", 11, out, 8), -ENAMETOOLONG);
	assert_string_equal(httpd_mime_type("x/y.HTML"), "text/html");
	assert_string_equal(httpd_mime_type("x.y/z"), "application/octet-stream");
}

static void test_curl_and_ss(void **state)
{
	struct fx *f = *state;
	struct ns_out out;
	char line[256], path[128];
	struct stat st;

	ns_out_init(&out);
	snprintf(line, sizeof(line), "serve http 8080 %s", f->dir);
	assert_int_equal(exec_ok(f, line, &out), 0);
	snprintf(path, sizeof(path), "%s.dl", f->dir);
	snprintf(line, sizeof(line), "curl -s -o %s http://127.0.0.1:8080/big.bin", path);
	assert_int_equal(exec_job(f, line, &out), 0);
	has(ns_out_text(&out), "http_code 200 size_download 300000 ");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 300000);
	unlink(path);
	ns_out_reset(&out);
	assert_int_equal(exec_job(f, "curl http://127.0.0.1:8080/none", &out), 0);
	has(ns_out_text(&out), "http_code 404 size_download 49 ");
	assert_int_equal(exec_job(f, "curl -s http://127.0.0.1:8081/", &out), -ECONNREFUSED);
	has(out.err, "curl: (7) Failed to connect: Connection refused");
	assert_int_equal(ns_exec(f->s, "curl http://host.example/", &out), -EINVAL);
	assert_int_equal(ns_exec(f->s, "curl -o", &out), -EINVAL);
	assert_int_equal(ns_exec(f->s, "curl -o /nonexistent/dir/f http://127.0.0.1:8080/", &out), -ENOENT);

	/* ss: the listener and an established pair */
	int fd = tcp_connect(f, 8080);

	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "ss -tanp", &out), 0);
	const char *t = ns_out_text(&out);

	has(t, "State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n");
	has(t, "LISTEN    0      1024         0.0.0.0:8080       0.0.0.0:*     users:((\"nstack\",pid=");
	has(t, "TIME-WAIT 0      0          127.0.0.1:8080     127.0.0.1:");
	has(t, "ESTAB     0      0          127.0.0.1:8080     127.0.0.1:");
	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "ss -tuln", &out), 0);
	has(ns_out_text(&out), "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\ntcp   LISTEN 0      1024         0.0.0.0:8080      0.0.0.0:*          \n");
	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "ss -ti", &out), 0);
	has(ns_out_text(&out), "\t ts sack cubic wscale:7,7 rto:");
	has(ns_out_text(&out), " cwnd:10 ");
	ns_out_reset(&out);
	assert_int_equal(exec_ok(f, "ss -s", &out), 0);
	has(ns_out_text(&out), "TCP:   5 (estab 2, closed 0, orphaned 0, timewait 2)\n");
	assert_int_equal(ns_exec(f->s, "ss -x", &out), -EINVAL);
	ns_close(f->s, fd);
	run(f, 20);
	ns_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_discard_tcp_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chargen_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_conns_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_server, setup, teardown),
		cmocka_unit_test(test_http_normalise),
		cmocka_unit_test_setup_teardown(test_curl_and_ss, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
