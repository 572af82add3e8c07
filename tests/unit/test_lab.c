/* test_lab.c - the network lab driven in-process: every command kind, every
 * script error with FILE:LINE, determinism (same seed, same captures and
 * plots byte for byte), captures that tshark reads cleanly, and the
 * built-in topology with its counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "nstack/lab.h"

struct run {
	char *text;
	size_t len;
	FILE *out;
	struct ns_lab *lab;
};

static struct ns_lab *lab_new(struct run *r, uint64_t seed, const char *pcap, const char *plot)
{
	memset(r, 0, sizeof(*r));
	r->out = open_memstream(&r->text, &r->len);
	assert_non_null(r->out);
	r->lab = ns_lab_create(&(struct ns_lab_config){ .seed = seed, .out = r->out, .pcap_dir = pcap,
							.plot_dir = plot });
	assert_non_null(r->lab);
	return r->lab;
}

static void lab_end(struct run *r)
{
	ns_lab_destroy(r->lab);
	fclose(r->out);
}

static void run_free(struct run *r)
{
	free(r->text);
}

static const char two_hosts[] =
	"# two hosts and a router\n"
	"node a\nnode r\nnode b\n"
	"link a:eth0 r:eth0\n"
	"link r:eth1 b:eth0 delay 2ms\n"
	"a ip addr add 198.18.0.1/24 dev eth0\n"
	"a ip route add default via 198.18.0.254\n"
	"r ip addr add 198.18.0.254/24 dev eth0\n"
	"r ip addr add 198.18.1.254/24 dev eth1\n"
	"r sysctl -w net.ipv4.ip_forward=1\n"
	"b ip addr add 198.18.1.2/24 dev eth0\n"
	"b ip route add default via 198.18.1.254\n";

static void test_commands(void **state)
{
	char script[4096];
	struct run r;
	uint64_t t0;

	(void)state;
	snprintf(script, sizeof(script),
		 "%s"
		 "section Ping\n"
		 "a ping -c 2 -i 0.1 198.18.1.2\n"
		 "a ip neigh\n"
		 "echo hello lab\n"
		 "a traceroute 198.18.1.2\n"
		 "b serve http 8080 /tmp\n"
		 "a curl -i http://198.18.1.2:8080/nstack-lab-no-such-file\n"
		 "a curl -m 1 http://198.18.1.9:8080/\n"
		 "sleep 150ms\n"
		 "a ip -s link show eth0 | grep RX\n"
		 "a ping -c 1 198.18.1.2 &\n"
		 "wait\n"
		 "summary\n",
		 two_hosts);
	lab_new(&r, 7, NULL, NULL);
	t0 = ns_lab_now(r.lab);
	assert_int_equal(ns_lab_run_string(r.lab, "t.lab", script), 0);
	assert_true(ns_lab_now(r.lab) > t0 + 150000000ULL);
	assert_non_null(ns_lab_node(r.lab, "a"));
	assert_null(ns_lab_node(r.lab, "zz"));
	lab_end(&r);
	assert_non_null(strstr(r.text, "=== Ping"));
	assert_non_null(strstr(r.text, "[a]# ping -c 2 -i 0.1 198.18.1.2"));
	assert_non_null(strstr(r.text, "2 packets transmitted, 2 received, 0% packet loss"));
	assert_non_null(strstr(r.text, "198.18.0.254 dev eth0 lladdr"));
	assert_non_null(strstr(r.text, "hello lab"));
	assert_non_null(strstr(r.text, " 1  198.18.0.254 "));
	assert_non_null(strstr(r.text, "port unreachable: arrived"));
	assert_non_null(strstr(r.text, "HTTP/1.1 404 Not Found"));
	assert_non_null(strstr(r.text, "curl: (28) Operation timed out after 1 seconds"));
	assert_non_null(strstr(r.text, "RX:"));
	assert_null(strstr(r.text, "TX:"));
	assert_non_null(strstr(r.text, "1 packets transmitted, 1 received"));
	assert_non_null(strstr(r.text, "node r\n"));
	run_free(&r);
}

static void expect_error(const char *script, const char *msg)
{
	struct run r;

	lab_new(&r, 1, NULL, NULL);
	assert_true(ns_lab_run_string(r.lab, "bad.lab", script) < 0);
	if (!strstr(ns_lab_error(r.lab), msg))
		fail_msg("error \"%s\" lacks \"%s\"", ns_lab_error(r.lab), msg);
	lab_end(&r);
	run_free(&r);
}

static void test_errors(void **state)
{
	struct run r;

	(void)state;
	expect_error("node a\n\nx ip link\n", "bad.lab:3: unknown node or command \"x\"");
	expect_error("node a\nip link\n", "bad.lab:2: unknown node \"ip\"");
	expect_error("node a\na ip addr add 198.18.0.300/24 dev eth0\n", "bad.lab:2:");
	expect_error("node a\nnode b\nlink a:eth0 b:eth0\na ip addr add 1.2.3/24 dev eth0\n",
		     "bad.lab:4:");
	expect_error("node a\nnode b\nlink a:eth0 c:eth0\n", "bad.lab:3: bad link spec \"c:eth0\": unknown node");
	expect_error("node a\nnode b\nlink a-eth0 b:eth0\n", "bad.lab:3: bad link spec");
	expect_error("node a\nnode b\nlink a:eth0 b:eth0 delay banana\n", "bad.lab:3: bad link spec");
	expect_error("node a\nnode b\nlink a:eth0 b:eth0\nlink a:eth0 b:eth1\n",
		     "bad.lab:4: bad link spec \"a:eth0\": a already has eth0");
	expect_error("node a\na frobnicate\n", "bad.lab:2: a: frobnicate: unknown command");
	expect_error("node a\nnode a\n", "bad.lab:2: node \"a\" exists");
	expect_error("sleep forever\n", "bad.lab:1: usage: sleep");
	expect_error("node a\na ping 198.18.0.1.5\n", "bad.lab:2: a: ping: ");
	expect_error("node a\na curl ftp://x/\n", "bad.lab:2: a: curl: (7)");
	expect_error("node a\na serve http 80 /nonexistent-dir\n", "bad.lab:2: a: serve: ");
	expect_error("node a\n\\\n  a traceroute nowhere\n", "bad.lab:2: a: traceroute: usage");
	lab_new(&r, 1, NULL, NULL);
	assert_int_equal(ns_lab_run_file(r.lab, "/nonexistent/x.lab"), -ENOENT);
	assert_non_null(strstr(ns_lab_error(r.lab), "/nonexistent/x.lab: No such file"));
	lab_end(&r);
	run_free(&r);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);

		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static void same_file(const char *p1, const char *p2)
{
	size_t l1, l2;
	char *a = slurp(p1, &l1), *b = slurp(p2, &l2);

	if (!a || !b)
		fail_msg("missing %s or %s", p1, p2);
	assert_true(l1 > 100);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(a);
	free(b);
}

static const char bulk[] =
	"b serve http 80 DIR\n"
	"a curl -o /dev/null http://198.18.1.2/big\n";

static void run_bulk(const char *dir, const char *files, uint64_t seed, char **text)
{
	char pcap[256], plot[256], script[4096], *body;
	struct run r;

	snprintf(pcap, sizeof(pcap), "%s/pcap", dir);
	snprintf(plot, sizeof(plot), "%s/plot", dir);
	body = strdup(bulk);
	assert_non_null(body);
	snprintf(script, sizeof(script), "%s%.*s%s%s", two_hosts, (int)(strstr(body, "DIR") - body),
		 body, files, strstr(body, "DIR") + 3);
	free(body);
	lab_new(&r, seed, pcap, plot);
	assert_int_equal(ns_lab_run_string(r.lab, "bulk.lab", script), 0);
	lab_end(&r);
	*text = r.text;
}

static void tshark_clean(const char *path)
{
	char cmd[600];
	FILE *p;
	char line[512];
	unsigned int lines = 0;

	if (access("/usr/bin/tshark", X_OK))
		return;
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/tshark -r %s -z expert,warn -q 2>&1 | grep -i -E 'malformed|warn' | grep -v -E '^=|Errors|Warns|^$|expert|Severity'",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		print_message("tshark: %s", line);
		lines++;
	}
	pclose(p);
	assert_int_equal(lines, 0);
}

static void test_determinism(void **state)
{
	char dir[] = "/tmp/nstack-test-lab-XXXXXX", files[128], d1[160], d2[160], p1[300], p2[300];
	char *t1, *t2;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(files, sizeof(files), "%s", dir);
	snprintf(p1, sizeof(p1), "%s/big", dir);
	f = fopen(p1, "wb");
	assert_non_null(f);
	/* 1 MB: several 10 ms plot intervals even with an auto-tuned window */
	for (unsigned int i = 0; i < 1000000; i++)
		fputc((int)(i * 7 % 251), f);
	fclose(f);
	snprintf(d1, sizeof(d1), "%s/r1", dir);
	snprintf(d2, sizeof(d2), "%s/r2", dir);
	run_bulk(d1, files, 42, &t1);
	run_bulk(d2, files, 42, &t2);
	assert_string_equal(t1, t2);
	assert_non_null(strstr(t1, "http_code 200 size_download 1000000 "));
	free(t1);
	free(t2);
	static const char *const names[] = { "pcap/a-eth0--r-eth0.pcap", "pcap/r-eth1--b-eth0.pcap",
					     "plot/b-198.18.1.2_80-198.18.0.1_%u.svg" };
	for (int i = 0; i < 3; i++) {
		if (i < 2) {
			snprintf(p1, sizeof(p1), "%s/%s", d1, names[i]);
			snprintf(p2, sizeof(p2), "%s/%s", d2, names[i]);
		} else {
			/* the client's ephemeral port comes from the seed: find the file */
			char cmd[400];

			snprintf(cmd, sizeof(cmd), "ls %s/plot/b-198.18.1.2_80-*.svg", d1);
			FILE *ls = popen(cmd, "r");

			assert_non_null(ls);
			assert_non_null(fgets(p1, sizeof(p1), ls));
			pclose(ls);
			p1[strcspn(p1, "\n")] = 0;
			snprintf(p2, sizeof(p2), "%s/plot/%s", d2, strrchr(p1, '/') + 1);
		}
		same_file(p1, p2);
		if (i < 2)
			tshark_clean(p1);
	}
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static long long counter(const char *text, const char *node, const char *key)
{
	const char *n = strstr(text, node), *k;

	if (!n)
		return -1;
	k = strstr(n, key);
	return k ? atoll(k + strlen(key)) : -1;
}

static void test_builtin(void **state)
{
	struct run r;

	(void)state;
	lab_new(&r, 1, NULL, NULL);
	assert_int_equal(ns_lab_run_builtin(r.lab), 0);
	lab_end(&r);
	assert_non_null(strstr(r.text, "3 packets transmitted, 3 received"));
	assert_non_null(strstr(r.text, "vlan 10 master br0"));
	assert_non_null(strstr(r.text, " 1  198.18.0.254 "));
	assert_non_null(strstr(r.text, "HTTP/1.1 200 OK\n"));
	assert_non_null(strstr(r.text, "Hello from node b"));
	assert_non_null(strstr(r.text, "http_code 200 size_download 8388608 "));
	assert_non_null(strstr(r.text, " bytes 1.0 s [#"));	/* curl's progress bar */
	assert_non_null(strstr(r.text, "[b]# ss -tin\nState"));
	assert_non_null(strstr(r.text, "bytes_retrans:"));
	assert_non_null(strstr(r.text, "curl: (7) Failed to connect: Connection refused"));
	assert_non_null(strstr(r.text, "counter packets 1 bytes 60 reject with tcp reset"));
	assert_true(counter(r.text, "node r\n", "ForwDatagrams=") > 5000);
	assert_true(counter(r.text, "node b\n", "PassiveOpens=") >= 2);
	/* 8 MiB down: InSegs counts skbs, which GRO merged (Linux counts alike) */
	assert_true(counter(r.text, "node a\n", "InSegs=") > 100);
	assert_true(counter(r.text, "node b\n", "RetransSegs=") > 0);
	assert_true(counter(r.text, "node b\n", "qdisc netem ") > 0);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_builtin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
