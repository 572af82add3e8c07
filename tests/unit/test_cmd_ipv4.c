/* test_cmd_ipv4.c - the IPv4 commands of the engine: ip addr, ip route,
 * ip neigh (output shapes in text, -4, -br and -j as iproute2 6.1 prints
 * them, every error path with the stack left unchanged) and ping as an
 * asynchronous job between two stacks over a pipe in virtual time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "cmdfix.h"
#include "core/neighbour.h"
#include "ethernet/arp.h"
#include "ipv4/ip.h"

static int setup(void **state)
{
	*state = cmd_fixture_new("cmd4", 11, 1);
	return 0;
}

static int teardown(void **state)
{
	struct cmd_fixture *f = *state;

	test_stack_settle(f->ts);
	cmd_fixture_free(f);
	return 0;
}

/* Everything these commands change, as text. */
static void snapshot(struct cmd_fixture *f, char *buf, size_t len)
{
	size_t off = 0;
	const char *cmds[] = { "ip addr", "ip route show table all", "ip neigh" };

	for (size_t i = 0; i < 3; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s", cmd_ok(f, cmds[i]));
}

/* A line that must fail with err and a message containing msg, changing nothing. */
static void bad(struct cmd_fixture *f, const char *line, int err, const char *msg)
{
	char before[8192], after[8192];
	int rc;

	snapshot(f, before, sizeof(before));
	ns_out_reset(&f->out);
	rc = ns_exec(f->ts->stack, line, &f->out);
	if (rc != err || !strstr(f->out.err, msg))
		fail_msg("\"%s\": rc %d, want %d (%s), want \"%s\"", line, rc, err, f->out.err, msg);
	snapshot(f, after, sizeof(after));
	assert_string_equal(before, after);
}

/* ---- ip addr ---------------------------------------------------------------------------- */
static void test_addr_show(void **state)
{
	struct cmd_fixture *f = *state;
	const char *t;

	cmd_ok(f, "ip addr add 198.18.0.2/24 brd + dev eth0");
	cmd_ok(f, "ip addr add 198.18.5.2/16 dev eth0 label eth0:1");
	cmd_ok(f, "ip addr add 198.18.0.9/24 dev eth0");
	t = cmd_ok(f, "ip addr show dev eth0");
	assert_string_equal(t,
		"2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP group default qlen 1000\n"
		"    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
		"    inet 198.18.0.2/24 brd 198.18.0.255 scope global eth0\n"
		"       valid_lft forever preferred_lft forever\n"
		"    inet 198.18.5.2/16 scope global eth0:1\n"
		"       valid_lft forever preferred_lft forever\n"
		"    inet 198.18.0.9/24 scope global secondary eth0\n"
		"       valid_lft forever preferred_lft forever\n");
	t = cmd_ok(f, "ip -4 addr");
	text_contains(t, "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536");
	text_contains(t, "    inet 127.0.0.1/8 scope host lo\n");
	assert_null(strstr(t, "link/ether"));
	t = cmd_ok(f, "ip -br addr");
	text_contains(t, "eth0             UP             198.18.0.2/24 198.18.5.2/16 198.18.0.9/24 \n");
	t = cmd_ok(f, "ip -j addr show eth0");
	assert_string_equal(t,
		"[{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
		"\"mtu\":1500,\"qdisc\":\"pfifo_fast\",\"operstate\":\"UP\",\"group\":\"default\",\"txqlen\":1000,"
		"\"link_type\":\"ether\",\"address\":\"02:00:00:00:00:01\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\","
		"\"addr_info\":[{\"family\":\"inet\",\"local\":\"198.18.0.2\",\"prefixlen\":24,\"broadcast\":\"198.18.0.255\","
		"\"scope\":\"global\",\"label\":\"eth0\",\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295},"
		"{\"family\":\"inet\",\"local\":\"198.18.5.2\",\"prefixlen\":16,\"scope\":\"global\",\"label\":\"eth0:1\","
		"\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295},"
		"{\"family\":\"inet\",\"local\":\"198.18.0.9\",\"prefixlen\":24,\"scope\":\"global\",\"secondary\":true,"
		"\"label\":\"eth0\",\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295}]}]\n");
	cmd_ok(f, "ip addr add 198.18.7.7/32 scope link dev eth0");
	text_contains(cmd_ok(f, "ip a s eth0"), "inet 198.18.7.7/32 scope link eth0\n");
}

static void test_addr_modify(void **state)
{
	struct cmd_fixture *f = *state;

	cmd_ok(f, "ip addr add 198.18.0.2/24 dev eth0");
	text_contains(cmd_ok(f, "ip route"), "198.18.0.0/24 dev eth0 proto kernel scope link src 198.18.0.2 \n");
	bad(f, "ip addr add 198.18.0.2/24 dev eth0", -EEXIST, "Error: ipv4: Address already assigned.");
	bad(f, "ip addr add 1.2.3.4/33 dev eth0", -EINVAL,
	    "Error: any valid prefix is expected rather than \"1.2.3.4/33\".");
	bad(f, "ip addr add 1.2.3.x/24 dev eth0", -EINVAL, "any valid prefix is expected");
	bad(f, "ip addr add 1.2.3.256/24 dev eth0", -EINVAL, "any valid prefix is expected");
	bad(f, "ip addr add 198.18.1.1/24 dev eth9", -ENODEV, "Cannot find device \"eth9\"");
	bad(f, "ip addr add 198.18.1.1/24", -EINVAL, "\"dev\" argument is required");
	bad(f, "ip addr add dev eth0", -EINVAL, "address is required");
	bad(f, "ip addr add 198.18.1.1/24 dev", -EINVAL, "Command line is not complete");
	bad(f, "ip addr add 198.18.1.1/24 brd x dev eth0", -EINVAL, "inet address is expected");
	bad(f, "ip addr add 198.18.1.1/24 scope bogus dev eth0", -EINVAL, "invalid scope value");
	bad(f, "ip addr add 198.18.1.1/24 label foo dev eth0", -EINVAL, "label must match device name");
	bad(f, "ip addr del 198.18.9.9/24 dev eth0", -EADDRNOTAVAIL, "Error: ipv4: Address not found.");
	bad(f, "ip addr frob", -EINVAL, "Command \"frob\" is unknown");
	bad(f, "ip addr show dev eth9", -ENODEV, "Device \"eth9\" does not exist.");
	bad(f, "ip addr flush", -EINVAL, "Flush requires arguments.");
	bad(f, "ip addr flush dev eth9", -ENODEV, "does not exist");
	cmd_ok(f, "ip addr del 198.18.0.2 dev eth0");	/* no length: any */
	assert_null(strstr(cmd_ok(f, "ip addr show eth0"), "inet "));
	assert_null(strstr(cmd_ok(f, "ip route"), "198.18.0.0/24"));
	cmd_ok(f, "ip addr add 198.18.0.2/24 dev eth0");
	cmd_ok(f, "ip addr add 198.18.1.2/24 dev eth0");
	cmd_ok(f, "ip addr flush dev eth0");
	assert_null(strstr(cmd_ok(f, "ip addr show eth0"), "inet "));
}

/* ---- ip route --------------------------------------------------------------------------- */
static void test_route(void **state)
{
	struct cmd_fixture *f = *state;
	const char *t;

	cmd_ok(f, "ip addr add 198.18.0.2/24 dev eth0");
	cmd_ok(f, "ip route add 198.18.9.0/24 via 198.18.0.1 metric 5");
	cmd_ok(f, "ip route add blackhole 198.19.0.0/16");
	cmd_ok(f, "ip route add default via 198.18.0.1");
	cmd_ok(f, "ip route add 198.18.50.0/24 dev eth0 src 198.18.0.2 mtu 1400 proto static");
	cmd_ok(f, "ip route add unreachable 198.18.60.0/24");
	cmd_ok(f, "ip route add prohibit 198.18.61.0/24");
	cmd_ok(f, "ip route add 198.18.77.0/24 via 198.18.99.1");	/* via the default route */
	t = cmd_ok(f, "ip route");
	assert_string_equal(t,
		"default via 198.18.0.1 dev eth0 \n"
		"198.18.0.0/24 dev eth0 proto kernel scope link src 198.18.0.2 \n"
		"198.18.9.0/24 via 198.18.0.1 dev eth0 metric 5 \n"
		"198.18.50.0/24 dev eth0 proto static scope link src 198.18.0.2 mtu 1400 \n"
		"unreachable 198.18.60.0/24 \n"
		"prohibit 198.18.61.0/24 \n"
		"198.18.77.0/24 via 198.18.99.1 dev eth0 \n"
		"blackhole 198.19.0.0/16 \n");
	t = cmd_ok(f, "ip -j route");
	assert_string_equal(t,
		"[{\"dst\":\"default\",\"gateway\":\"198.18.0.1\",\"dev\":\"eth0\",\"flags\":[]},"
		"{\"dst\":\"198.18.0.0/24\",\"dev\":\"eth0\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"198.18.0.2\",\"flags\":[]},"
		"{\"dst\":\"198.18.9.0/24\",\"gateway\":\"198.18.0.1\",\"dev\":\"eth0\",\"metric\":5,\"flags\":[]},"
		"{\"dst\":\"198.18.50.0/24\",\"dev\":\"eth0\",\"protocol\":\"static\",\"scope\":\"link\",\"prefsrc\":\"198.18.0.2\",\"flags\":[],\"metrics\":[{\"mtu\":1400}]},"
		"{\"type\":\"unreachable\",\"dst\":\"198.18.60.0/24\",\"flags\":[]},"
		"{\"type\":\"prohibit\",\"dst\":\"198.18.61.0/24\",\"flags\":[]},"
		"{\"dst\":\"198.18.77.0/24\",\"gateway\":\"198.18.99.1\",\"dev\":\"eth0\",\"flags\":[]},"
		"{\"type\":\"blackhole\",\"dst\":\"198.19.0.0/16\",\"flags\":[]}]\n");
	t = cmd_ok(f, "ip route show table local");
	text_contains(t, "local 198.18.0.2 dev eth0 proto kernel scope host src 198.18.0.2 \n");
	text_contains(cmd_ok(f, "ip route show table all"),
		 "local 198.18.0.2 dev eth0 table local proto kernel scope host src 198.18.0.2 \n");
	assert_string_equal(cmd_ok(f, "ip route get 198.18.9.1"),
			    "198.18.9.1 via 198.18.0.1 dev eth0 src 198.18.0.2 uid 0 \n    cache \n");
	assert_string_equal(cmd_ok(f, "ip -j route get 198.18.9.1"),
			    "[{\"dst\":\"198.18.9.1\",\"gateway\":\"198.18.0.1\",\"dev\":\"eth0\",\"prefsrc\":\"198.18.0.2\",\"flags\":[],\"uid\":0,\"cache\":[]}]\n");
	assert_string_equal(cmd_ok(f, "ip route get 198.18.0.2"),
			    "local 198.18.0.2 dev lo src 198.18.0.2 uid 0 \n    cache <local> \n");
	bad(f, "ip route get 198.18.60.1", -EHOSTUNREACH, "RTNETLINK answers: No route to host");
	bad(f, "ip route add 198.18.9.0/24 via 198.18.0.1 metric 5", -EEXIST, "RTNETLINK answers: File exists");
	bad(f, "ip route del 1.2.3.0/24", -ESRCH, "RTNETLINK answers: No such process");
	bad(f, "ip route add 198.18.1.0/33 dev eth0", -EINVAL, "any valid prefix is expected");
	bad(f, "ip route add 198.18.1.1/24 dev eth0", -EINVAL, "Invalid prefix for given prefix length");
	bad(f, "ip route add 198.18.1.0/24 dev eth9", -ENODEV, "Cannot find device \"eth9\"");
	bad(f, "ip route add 198.18.1.0/24 via 1.2.3", -EINVAL, "inet address is expected");
	bad(f, "ip route add 198.18.1.0/24 dev eth0 metric x", -EINVAL, "\"metric\" value is invalid");
	bad(f, "ip route add 198.18.1.0/24 dev eth0 table 7", -EOPNOTSUPP, "only the main and local tables");
	bad(f, "ip route add 198.18.1.0/24 dev eth0 src 198.18.0.77", -EINVAL, "Invalid prefsrc address");
	bad(f, "ip route add 198.18.1.0/24", -ENODEV, "No such device");
	bad(f, "ip route add dev eth0", -EINVAL, "destination prefix is expected");
	bad(f, "ip route show table 7", -ENOENT, "FIB table does not exist");
	bad(f, "ip route flush", -EINVAL, "requires arguments");
	bad(f, "ip route get", -EINVAL, "need at least a destination");
	cmd_ok(f, "ip route replace 198.18.9.0/24 via 198.18.0.3 metric 5");
	text_contains(cmd_ok(f, "ip route"), "198.18.9.0/24 via 198.18.0.3 dev eth0 metric 5 \n");
	cmd_ok(f, "ip route append 198.18.9.0/24 via 198.18.0.4 metric 5");
	text_contains(cmd_ok(f, "ip route"), "198.18.9.0/24 via 198.18.0.4 dev eth0 metric 5 \n");
	cmd_ok(f, "ip route del 198.18.9.0/24 via 198.18.0.4");
	assert_null(strstr(cmd_ok(f, "ip route"), "198.18.0.4"));
	cmd_ok(f, "ip route del default");
	cmd_ok(f, "ip route del blackhole 198.19.0.0/16");
	cmd_ok(f, "ip route flush proto static");
	assert_null(strstr(cmd_ok(f, "ip route"), "198.18.50.0"));
	cmd_ok(f, "ip route flush dev eth0");
	assert_null(strstr(cmd_ok(f, "ip route"), "dev eth0"));
	cmd_ok(f, "ip link set eth0 down");
	bad(f, "ip route add 198.18.1.0/24 dev eth0", -ENETDOWN, "Nexthop device is not up");
}

/* ---- ip neigh --------------------------------------------------------------------------- */
static void test_neigh(void **state)
{
	struct cmd_fixture *f = *state;

	cmd_ok(f, "ip addr add 198.18.0.2/24 dev eth0");
	cmd_ok(f, "ip neigh add 198.18.0.7 lladdr 02:00:00:00:00:07 dev eth0");
	cmd_ok(f, "ip neigh add 198.18.0.8 lladdr 02:00:00:00:00:08 dev eth0 nud reachable");
	text_contains(cmd_ok(f, "ip neigh"), "198.18.0.7 dev eth0 lladdr 02:00:00:00:00:07 PERMANENT \n");
	text_contains(cmd_ok(f, "ip neigh show dev eth0"), "198.18.0.8 dev eth0 lladdr 02:00:00:00:00:08 REACHABLE \n");
	text_contains(cmd_ok(f, "ip -j neigh"),
		 "{\"dst\":\"198.18.0.7\",\"dev\":\"eth0\",\"lladdr\":\"02:00:00:00:00:07\",\"state\":[\"PERMANENT\"]}");
	assert_string_equal(cmd_ok(f, "ip neigh show nud permanent"),
			    "198.18.0.7 dev eth0 lladdr 02:00:00:00:00:07 PERMANENT \n");
	bad(f, "ip neigh add 198.18.0.7 lladdr 02:00:00:00:00:07 dev eth0", -EEXIST,
	    "RTNETLINK answers: File exists");
	bad(f, "ip neigh del 198.18.0.99 dev eth0", -ENOENT, "RTNETLINK answers: No such file or directory");
	bad(f, "ip neigh add 198.18.0.9 lladdr zz dev eth0", -EINVAL, "\"zz\" is invalid lladdr.");
	bad(f, "ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev eth9", -ENODEV, "Cannot find device");
	bad(f, "ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09", -EINVAL,
	    "Device and destination are required arguments.");
	bad(f, "ip neigh add 198.18.0.x lladdr 02:00:00:00:00:09 dev eth0", -EINVAL, "inet address is expected");
	bad(f, "ip neigh add 198.18.0.9 dev eth0", -EINVAL, "RTNETLINK answers: Invalid argument");
	bad(f, "ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud bogus", -EINVAL, "unknown");
	bad(f, "ip neigh change 198.18.0.9 lladdr 02:00:00:00:00:09 dev eth0", -ENOENT, "No such file");
	bad(f, "ip neigh flush", -EINVAL, "Flush requires arguments.");
	cmd_ok(f, "ip neigh replace 198.18.0.7 lladdr 02:00:00:00:00:17 dev eth0 nud stale");
	text_contains(cmd_ok(f, "ip neigh"), "198.18.0.7 dev eth0 lladdr 02:00:00:00:00:17 STALE \n");
	cmd_ok(f, "ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev eth0");
	cmd_ok(f, "ip neigh flush dev eth0");	/* permanent entries stay */
	assert_string_equal(cmd_ok(f, "ip neigh"), "198.18.0.9 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT \n");
	cmd_ok(f, "ip neigh del 198.18.0.9 dev eth0");
	assert_string_equal(cmd_ok(f, "ip neigh"), "");
}

/* ---- ping: two stacks over a pipe, virtual time ---------------------------------------- */
struct pair {
	struct test_stack *a, *b;
	struct net_device *a0, *b0;
};

static void pair_run(struct pair *p, uint64_t ns)
{
	ns_vclock_advance(&p->a->clock, ns);
	ns_vclock_advance(&p->b->clock, ns);
	for (int i = 0; i < 1000; i++)
		if (!ns_stack_step(p->a->stack) + !ns_stack_step(p->b->stack) == 2 &&
		    !ns_stack_busy(p->a->stack) && !ns_stack_busy(p->b->stack))
			break;
}

static void pair_init(struct pair *p)
{
	struct ns_out o;

	p->a = test_stack_new("A", 21);
	p->b = test_stack_new("B", 22);
	assert_int_equal(ns_pipe_create(p->a->stack, "eth0", p->b->stack, "eth0", 0, &p->a0, &p->b0), 0);
	ns_out_init(&o);
	assert_int_equal(ns_exec(p->a->stack, "ip link set eth0 up", &o), 0);
	assert_int_equal(ns_exec(p->b->stack, "ip link set eth0 up", &o), 0);
	assert_int_equal(ns_exec(p->a->stack, "ip addr add 198.18.0.1/24 dev eth0", &o), 0);
	assert_int_equal(ns_exec(p->b->stack, "ip addr add 198.18.0.2/24 dev eth0", &o), 0);
	ns_out_free(&o);
	pair_run(p, 0);
}

static void pair_free(struct pair *p)
{
	pair_run(p, 0);
	test_stack_free(p->a);
	test_stack_free(p->b);
}

/* Run a ping on A to completion (bounded), returning rc; text in o. */
static int run_ping(struct pair *p, const char *line, struct ns_out *o, uint64_t step_ns)
{
	int rc = ns_exec(p->a->stack, line, o);

	for (int i = 0; i < 100000 && rc == -EINPROGRESS; i++) {
		pair_run(p, step_ns);
		rc = ns_exec_job_poll(o->job, o);
	}
	assert_null(o->job);
	return rc;
}

static void test_ping_pipe(void **state)
{
	struct pair p;
	struct ns_out o;
	int rc;

	(void)state;
	pair_init(&p);
	ns_out_init(&o);
	/* B answers 1.5 ms late (the first echo waits for ARP too); 100 us steps */
	assert_int_equal(ns_exec(p.b->stack, "tc qdisc add dev eth0 root netem delay 1.5ms", &o), 0);
	rc = run_ping(&p, "ping -c 3 198.18.0.2", &o, 100000);
	assert_int_equal(rc, 0);
	assert_string_equal(ns_out_text(&o),
		"PING 198.18.0.2 (198.18.0.2) 56(84) bytes of data.\n"
		"64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=3.10 ms\n"
		"64 bytes from 198.18.0.2: icmp_seq=2 ttl=64 time=1.50 ms\n"
		"64 bytes from 198.18.0.2: icmp_seq=3 ttl=64 time=1.50 ms\n"
		"\n--- 198.18.0.2 ping statistics ---\n"
		"3 packets transmitted, 3 received, 0% packet loss, time 2002ms\n"
		"rtt min/avg/max/mdev = 1.500/2.033/3.100/0.755 ms\n");
	/* fragmented both ways, ttl, interval, quiet */
	ns_out_reset(&o);
	rc = run_ping(&p, "ping -q -c 2 -s 8000 -i 0.2 -t 5 198.18.0.2", &o, 1000000);
	assert_int_equal(rc, 0);
	text_contains(ns_out_text(&o), "PING 198.18.0.2 (198.18.0.2) 8000(8028) bytes of data.\n");
	text_contains(ns_out_text(&o), "2 packets transmitted, 2 received, 0% packet loss, time 202ms\n");
	assert_null(strstr(ns_out_text(&o), "bytes from"));
	/* DF and too big for the link: a local error, no reply */
	ns_out_reset(&o);
	rc = run_ping(&p, "ping -c 1 -M do -s 1600 -W 1 198.18.0.2", &o, 1000000);
	assert_int_equal(rc, -ETIMEDOUT);
	text_contains(ns_out_text(&o), "ping: local error: message too long, mtu=1500\n");
	text_contains(ns_out_text(&o), "1 packets transmitted, 0 received, +1 errors, 100% packet loss");
	text_contains(o.err, "no reply from 198.18.0.2");
	/* nobody there: the wait after the last request runs out */
	ns_out_reset(&o);
	rc = run_ping(&p, "ping -c 2 -i 0.5 -W 1 198.18.0.9", &o, 10000000);
	assert_int_equal(rc, -ETIMEDOUT);
	text_contains(ns_out_text(&o), "2 packets transmitted, 0 received, 100% packet loss, time 1500ms\n");
	ns_out_free(&o);
	pair_free(&p);
}

static void test_ping_errors(void **state)
{
	struct pair p;
	struct ns_out o;
	int rc;

	(void)state;
	pair_init(&p);
	ns_out_init(&o);
	assert_int_equal(ns_exec(p.a->stack, "ping", &o), -EINVAL);
	text_contains(o.err, "Destination address required");
	assert_int_equal(ns_exec(p.a->stack, "ping 198.18.0.x", &o), -EINVAL);
	text_contains(o.err, "198.18.0.x: Name or service not known");
	assert_int_equal(ns_exec(p.a->stack, "ping -c 0 198.18.0.2", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping -s 70000 198.18.0.2", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping -t 0 198.18.0.2", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping -i x 198.18.0.2", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping -M maybe 198.18.0.2", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping -c", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping -x 1 198.18.0.2", &o), -EINVAL);
	assert_int_equal(ns_exec(p.a->stack, "ping 203.0.113.1", &o), -ENETUNREACH);
	text_contains(o.err, "connect: Network is unreachable");
	assert_null(o.job);
	/* a file cannot wait for a job */
	{
		char path[] = "/tmp/nstack-ping-XXXXXX";
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_true(write(fd, "ping -c 1 198.18.0.2\n", 21) == 21);
		close(fd);
		assert_int_equal(ns_exec_file(p.a->stack, path, &o), -EINVAL);
		text_contains(o.err, "runs in the background");
		unlink(path);
	}
	/* bounded: 16 jobs at most; cancelling frees the slot */
	{
		struct ns_cmd_job *jobs[ICMP_ECHO_SOCKS];

		for (int i = 0; i < ICMP_ECHO_SOCKS; i++) {
			ns_out_reset(&o);
			assert_int_equal(ns_exec(p.a->stack, "ping 198.18.0.2", &o), -EINPROGRESS);
			jobs[i] = o.job;
		}
		ns_out_reset(&o);
		assert_int_equal(ns_exec(p.a->stack, "ping 198.18.0.2", &o), -EBUSY);
		for (int i = 0; i < ICMP_ECHO_SOCKS; i++)
			ns_exec_job_cancel(jobs[i]);
		o.job = NULL;
	}
	/* TTL expiry on the way: B forwards nothing, so use ttl 1 through a gateway on B */
	assert_int_equal(ns_exec(p.a->stack, "ip route add 198.18.8.0/24 via 198.18.0.2", &o), 0);
	assert_int_equal(ns_exec(p.b->stack, "sysctl -w net.ipv4.ip_forward=1", &o), 0);
	assert_int_equal(ns_exec(p.b->stack, "ip route add 198.18.8.0/24 via 198.18.0.1", &o), 0);
	ns_out_reset(&o);
	rc = run_ping(&p, "ping -c 1 -t 1 -W 1 198.18.8.1", &o, 1000000);
	assert_int_equal(rc, -ETIMEDOUT);
	text_contains(ns_out_text(&o), "From 198.18.0.2 icmp_seq=1 Time to live exceeded\n");
	text_contains(ns_out_text(&o), "1 packets transmitted, 0 received, +1 errors, 100% packet loss");
	ns_out_free(&o);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_addr_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addr_modify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neigh, setup, teardown),
		cmocka_unit_test(test_ping_pipe),
		cmocka_unit_test(test_ping_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
