/* test_cmd.c - the command engine (src/cmd): output shapes of ip link, tc
 * qdisc, sysctl and cat for a known state, -j output is valid JSON, and
 * every error path names the problem and leaves the stack unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "cmdfix.h"
#include "sched/sch_generic.h"

#define CMD_TEST_LINE 5000	/* longer than the engine accepts (4096) */

/* eth0 up, eth1 down */
static int setup(void **state)
{
	struct cmd_fixture *f = cmd_fixture_new("cmd", 7, 2);

	ns_dev_set_up(f->eth1->dev, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	cmd_fixture_free(*state);
	return 0;
}

/* ---- a snapshot of everything commands can change --------------------------------- */
struct snap {
	char text[4096];
};

static void snapshot(struct cmd_fixture *f, struct snap *s)
{
	struct net_device *dev;
	size_t off = 0;
	char *v = ns_sysctl_get(f->ts->stack, "net.core.rmem_default");

	for_each_netdev(f->ts->stack, dev)
		off += (size_t)snprintf(s->text + off, sizeof(s->text) - off,
					"%d %s %u %x %u %d %02x%02x %s %x %u\n", dev->ifindex,
					dev->name, dev->mtu, dev->flags, dev->tx_queue_len,
					dev->promiscuity, dev->dev_addr[4], dev->dev_addr[5],
					dev->qdisc->ops->id, dev->qdisc->handle, dev->qdisc->limit);
	snprintf(s->text + off, sizeof(s->text) - off, "rmem %s", v);
	free(v);
}

/* Run a line that must fail with err and a message containing want, and
 * change nothing. */
static void bad(struct cmd_fixture *f, const char *line, int err, const char *want)
{
	struct snap before, after;
	int rc;

	snapshot(f, &before);
	ns_out_reset(&f->out);
	rc = ns_exec(f->ts->stack, line, &f->out);
	snapshot(f, &after);
	if (rc != err)
		fail_msg("\"%s\": rc %d, want %d (%s)", line, rc, err, f->out.err);
	if (!strstr(f->out.err, want))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, f->out.err, want);
	assert_string_equal(before.text, after.text);
}

/* ---- a minimal JSON validator (RFC 8259 grammar, no number edge cases) -------------- */
static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (!strchr("\"\\/bfnrtu", *p))
				return NULL;
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_container(const char *p, int depth, char close, bool keyed)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			p = json_string(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 32)
		return NULL;
	if (*p == '{')
		return json_container(p, depth, '}', true);
	if (*p == '[')
		return json_container(p, depth, ']', false);
	if (*p == '"')
		return json_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p += *p == '-';
		while (*p >= '0' && *p <= '9')
			p++;
		return p;
	}
	return NULL;
}

static bool json_valid(const char *s)
{
	const char *end = json_value(s, 0);

	return end && *json_ws(end) == 0;
}

static void test_json_validator(void **state)
{
	(void)state;
	assert_true(json_valid("[{\"a\":1,\"b\":[true,false,null,\"x\\\"y\"]}]\n"));
	assert_false(json_valid("[{\"a\":1,}]"));
	assert_false(json_valid("[{\"a\" 1}]"));
	assert_false(json_valid("[1][2]"));
	assert_false(json_valid("{\"a\":\"unterminated}"));
}

/* ---- ip link ---------------------------------------------------------------------- */
static void test_link_show_text(void **state)
{
	struct cmd_fixture *f = *state;

	assert_string_equal(cmd_ok(f, "ip link show eth0"),
		"2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP "
		"mode DEFAULT group default qlen 1000\n"
		"    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n");
	assert_string_equal(cmd_ok(f, "ip l sh dev eth1"),
		"3: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc pfifo_fast state DOWN "
		"mode DEFAULT group default qlen 1000\n"
		"    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n");
	assert_non_null(strstr(cmd_ok(f, "ip link"), "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc "));
	assert_non_null(strstr(cmd_ok(f, "ip link"), "state UNKNOWN"));
	assert_null(strstr(cmd_ok(f, "ip link show up"), "eth1"));
	assert_string_equal(cmd_ok(f, "ip -br link show eth0"),
		"eth0             UP             02:00:00:00:00:01 <BROADCAST,MULTICAST,UP,LOWER_UP> \n");
	/* no carrier: Linux shows NO-CARRIER and state DOWN */
	netif_carrier_off(f->eth0->dev);
	assert_non_null(strstr(cmd_ok(f, "ip link show eth0"),
				"<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc pfifo_fast state DOWN"));
}

static void test_link_show_stats(void **state)
{
	struct cmd_fixture *f = *state;
	struct net_device_stats *st = &f->eth0->dev->stats;
	size_t head = strlen(cmd_ok(f, "ip link show eth0"));

	st->rx_bytes = 3267;
	st->rx_packets = 29;
	st->tx_bytes = 12345678901ULL;	/* 11 digits: the first column widens */
	st->tx_packets = 7;
	st->rx_crc_errors = 2;
	assert_string_equal(cmd_ok(f, "ip -s link show eth0") + head,
		"    RX:   bytes packets errors dropped  missed   mcast           \n"
		"           3267      29      0       0       0       0 \n"
		"    TX:   bytes packets errors dropped carrier collsns           \n"
		"    12345678901       7      0       0       0       0 \n");
	st->tx_bytes = 3267;
	assert_string_equal(cmd_ok(f, "ip -s -s link show eth0") + head,
		"    RX:  bytes packets errors dropped  missed   mcast           \n"
		"          3267      29      0       0       0       0 \n"
		"    RX errors:  length    crc   frame    fifo overrun\n"
		"                     0      2       0       0       0 \n"
		"    TX:  bytes packets errors dropped carrier collsns           \n"
		"          3267       7      0       0       0       0 \n"
		"    TX errors: aborted   fifo  window heartbt transns\n"
		"                     0      0       0       0       0 \n");
}

static void test_link_json(void **state)
{
	struct cmd_fixture *f = *state;
	const char *j;

	f->eth0->dev->stats.rx_packets = 5;
	j = cmd_ok(f, "ip -j link");
	assert_true(json_valid(j));
	assert_non_null(strstr(j, "{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"BROADCAST\","
				  "\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"mtu\":1500,\"qdisc\":\"pfifo_fast\","
				  "\"operstate\":\"UP\",\"linkmode\":\"DEFAULT\",\"group\":\"default\","
				  "\"txqlen\":1000,\"link_type\":\"ether\",\"address\":\"02:00:00:00:00:01\","
				  "\"broadcast\":\"ff:ff:ff:ff:ff:ff\"}"));
	j = cmd_ok(f, "ip -s -j link show eth0");
	assert_true(json_valid(j));
	assert_non_null(strstr(j, "\"stats64\":{\"rx\":{\"bytes\":0,\"packets\":5,\"errors\":0,"
				  "\"dropped\":0,\"over_errors\":0,\"multicast\":0},\"tx\":{\"bytes\":0,"
				  "\"packets\":0,\"errors\":0,\"dropped\":0,\"carrier_errors\":0,"
				  "\"collisions\":0}}"));
	j = cmd_ok(f, "ip -s -s -j -d link");
	assert_true(json_valid(j));
	assert_non_null(strstr(j, "\"missed_errors\":0"));
	assert_non_null(strstr(j, "\"min_mtu\":68"));
	/* names that need escaping stay valid JSON */
	cmd_ok(f, "ip link set eth1 name a\\\"b");
	assert_true(json_valid(cmd_ok(f, "ip -j link")));
}

static void test_link_set(void **state)
{
	struct cmd_fixture *f = *state;
	struct net_device *d = f->eth1->dev;

	cmd_ok(f, "ip link set eth1 up");
	assert_true(d->flags & IFF_UP);
	cmd_ok(f, "ip link set eth1 down");
	cmd_ok(f, "ip link set dev eth1 mtu 9000 txqueuelen 50 address 02:aa:bb:cc:dd:ee name wan0");
	assert_false(d->flags & IFF_UP);
	assert_int_equal(d->mtu, 9000);
	assert_int_equal(d->tx_queue_len, 50);
	assert_int_equal(d->qdisc->limit, 50);
	assert_int_equal(d->dev_addr[1], 0xaa);
	assert_string_equal(d->name, "wan0");
	cmd_ok(f, "ip link set wan0 promisc on");
	assert_true(d->flags & IFF_PROMISC);
	cmd_ok(f, "ip link set wan0 promisc on");
	assert_int_equal(d->promiscuity, 1);
	cmd_ok(f, "ip link set wan0 promisc off");
	assert_false(d->flags & IFF_PROMISC);
	cmd_ok(f, "ip link set lo mtu 1500");
	assert_int_equal(f->ts->stack->loopback_dev->mtu, 1500);
	assert_string_equal(cmd_ok(f, "ip link set wan0 up"), "");
}

static void test_link_errors(void **state)
{
	struct cmd_fixture *f = *state;

	bad(f, "ip link set eth9 up", -ENODEV, "ip link set: Cannot find device \"eth9\"");
	bad(f, "ip link show eth9", -ENODEV, "Device \"eth9\" does not exist");
	bad(f, "ip link set eth0 mtu abc", -EINVAL, "Invalid \"mtu\" value");
	bad(f, "ip link set eth0 mtu", -EINVAL, "Invalid \"mtu\" value");
	bad(f, "ip link set eth0 mtu 1400 mtu 67", -EINVAL, "mtu less than device minimum");
	bad(f, "ip link set eth0 mtu 70000", -EINVAL, "mtu greater than device maximum");
	/* a bad word late in the line: the good ones before it are not applied */
	bad(f, "ip link set eth0 mtu 1400 address zz", -EINVAL, "\"zz\" is invalid lladdr");
	bad(f, "ip link set eth0 txqlen 5 address 02:00:00:00:00:0g", -EINVAL, "invalid lladdr");
	bad(f, "ip link set eth0 address 01:00:5e:00:00:01", -EADDRNOTAVAIL, "multicast");
	bad(f, "ip link set eth0 name wan0", -EBUSY, "while it is up");
	bad(f, "ip link set eth1 name eth0", -EEXIST, "\"eth0\" exists");
	bad(f, "ip link set eth1 name a/b", -EINVAL, "not a valid ifname");
	bad(f, "ip link set eth1 name 0123456789abcdef", -EINVAL, "not a valid ifname");
	bad(f, "ip link set eth0 promisc maybe", -EINVAL, "\"on\" or \"off\"");
	bad(f, "ip link set eth0 eth1", -EINVAL, "\"eth1\" is a garbage");
	bad(f, "ip link set up", -EINVAL, "\"dev\" argument is required");
	bad(f, "ip link set", -EINVAL, "\"dev\" argument is required");
	bad(f, "ip link frob", -EINVAL, "Command \"frob\" is unknown");
	bad(f, "ip -x link", -EINVAL, "Option \"-x\" is unknown");
}

static void test_link_add_del(void **state)
{
	struct cmd_fixture *f = *state;

	cmd_ok(f, "ip link add v0 type veth peer name v1");
	assert_non_null(dev_get_by_name(f->ts->stack, "v0"));
	assert_non_null(dev_get_by_name(f->ts->stack, "v1"));
	cmd_ok(f, "ip link add name d0 type dummy");
	cmd_ok(f, "ip link set d0 up");
	assert_non_null(strstr(cmd_ok(f, "ip link show d0"), "state UP"));
	bad(f, "ip link add eth0.5 type vlan id 5", -EINVAL, "'link' must be specified");
	bad(f, "ip link add br0 type bridge stp_state 2", -EINVAL, "must be 0 or 1");
	bad(f, "ip link add x type frob", -EINVAL, "Unknown device type \"frob\"");
	bad(f, "ip link add v0 type dummy", -EEXIST, "\"v0\" exists");
	bad(f, "ip link add v2 type veth peer name eth0", -EEXIST, "\"eth0\" exists");
	bad(f, "ip link add d1 type dummy extra", -EINVAL, "unknown option \"extra\"");
	bad(f, "ip link add type dummy", -EINVAL, "usage");
	bad(f, "ip link del lo", -EOPNOTSUPP, "loopback");
	bad(f, "ip link del nope", -ENODEV, "Cannot find device \"nope\"");
	cmd_ok(f, "ip link del dev v0");
	assert_null(dev_get_by_name(f->ts->stack, "v0"));
	assert_non_null(strstr(cmd_ok(f, "ip link show v1"), "v1: <BROADCAST,MULTICAST>"));
	cmd_ok(f, "ip link delete d0");
	cmd_ok(f, "ip link delete v1");
}

/* ---- dispatch and layers not built ----------------------------------------------- */
static void test_unknown_and_missing_layers(void **state)
{
	struct cmd_fixture *f = *state;

	bad(f, "frobnicate now", -ENOENT, "frobnicate: unknown command");
	bad(f, "ip frob", -EINVAL, "Object \"frob\" is unknown");
	bad(f, "ip", -EINVAL, "usage");
	bad(f, "ip rule", -EOPNOTSUPP, "ip rule: policy routing is not built yet");
	bad(f, "ss -tan dport 80", -EINVAL, "ss: filters are not supported");
	bad(f, "bridge frob", -EINVAL, "Object \"frob\" is unknown");
	bad(f, "nft list rulesets", -EINVAL, "nft: line 1:6: Error: syntax error, unexpected rulesets after list");
	bad(f, "serve udp 7", -EINVAL, "serve: usage");
	bad(f, "curl ftp://198.18.0.2/", -EINVAL, "curl: (7) URL rejected");
	bad(f, "tc filter show", -EOPNOTSUPP, "tc filter: traffic classifiers is not built yet");
	assert_true(ns_cmd_known("ip"));
	assert_true(ns_cmd_known("ss"));
	assert_false(ns_cmd_known("rm"));
}

static void test_lexer(void **state)
{
	struct cmd_fixture *f = *state;

	assert_string_equal(cmd_ok(f, ""), "");
	assert_string_equal(cmd_ok(f, "   \t "), "");
	assert_string_equal(cmd_ok(f, "# ip link set eth0 down"), "");
	assert_true(f->eth0->dev->flags & IFF_UP);
	cmd_ok(f, "ip link set 'eth1' name \"a#b\"  # rename");
	assert_non_null(dev_get_by_name(f->ts->stack, "a#b"));
	cmd_ok(f, "ip link set a\\#b name it\\'s");
	assert_non_null(dev_get_by_name(f->ts->stack, "it's"));
	cmd_ok(f, "ip link set \"it's\" name 'q\"q'");
	assert_non_null(dev_get_by_name(f->ts->stack, "q\"q"));
	cmd_ok(f, "ip link set q\\\"q name \"e\\\\f\"");
	assert_non_null(dev_get_by_name(f->ts->stack, "e\\f"));
	cmd_ok(f, "ip link set 'e\\f' name 'x'y\"z\"\t");
	assert_non_null(dev_get_by_name(f->ts->stack, "xyz"));
	bad(f, "ip link set 'eth0 up", -EINVAL, "unterminated ' quote");
	bad(f, "ip link set \"eth0 up", -EINVAL, "unterminated \" quote");
}

/* ---- sysctl ------------------------------------------------------------------------ */
static void test_sysctl(void **state)
{
	struct cmd_fixture *f = *state;

	assert_string_equal(cmd_ok(f, "sysctl net.core.rmem_default"), "net.core.rmem_default = 212992\n");
	assert_string_equal(cmd_ok(f, "sysctl -n net.core.somaxconn"), "4096\n");
	assert_string_equal(cmd_ok(f, "sysctl -w net.core.rmem_default=4096"),
			    "net.core.rmem_default = 4096\n");
	assert_string_equal(cmd_ok(f, "sysctl net.core.rmem_default = 8192"),
			    "net.core.rmem_default = 8192\n");
	assert_string_equal(cmd_ok(f, "sysctl net.core.wmem_default=9000 net.core.somaxconn=128"),
			    "net.core.wmem_default = 9000\nnet.core.somaxconn = 128\n");
	assert_int_equal(f->ts->stack->core.somaxconn, 128);
	assert_string_equal(cmd_ok(f, "sysctl -a net.core.rmem"),
			    "net.core.rmem_default = 8192\nnet.core.rmem_max = 212992\n");
	assert_non_null(strstr(cmd_ok(f, "sysctl -a"), "net.core.netdev_max_backlog = 1000\n"));
	bad(f, "sysctl net.core.nope", -ENOENT,
	    "sysctl: cannot stat /proc/sys/net/core/nope: No such file or directory");
	bad(f, "sysctl -w net.core.rmem_default=abc", -EINVAL,
	    "sysctl: setting key \"net.core.rmem_default\" to \"abc\": Invalid argument");
	bad(f, "sysctl -w net.core.rmem_default=1", -EINVAL, "Invalid argument");
	/* all or nothing: the first write is undone when the second fails */
	bad(f, "sysctl -w net.core.rmem_default=5000 net.core.rmem_max=x", -EINVAL, "rmem_max");
	bad(f, "sysctl -w net.core.rmem_default=5000 net.core.nope=1", -ENOENT, "cannot stat");
	bad(f, "sysctl -w net.core.rmem_default", -EINVAL, "name=value");
	bad(f, "sysctl", -EINVAL, "usage");
	{
		char line[2048] = "sysctl -w";

		for (int i = 0; i < 33; i++)
			strcat(line, " net.core.somaxconn=7");
		bad(f, line, -E2BIG, "at most 32 settings");
	}
	bad(f, "sysctl -z", -EINVAL, "unknown option");
}

/* ---- tc qdisc ---------------------------------------------------------------------- */
static void test_tc_show(void **state)
{
	struct cmd_fixture *f = *state;
	const char *j;

	assert_string_equal(cmd_ok(f, "tc qdisc show dev eth0"),
		"qdisc pfifo_fast 0: root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n");
	f->eth0->dev->qdisc->bstats.bytes = 40514;
	f->eth0->dev->qdisc->bstats.packets = 447;
	assert_string_equal(cmd_ok(f, "tc -s qdisc show dev eth0"),
		"qdisc pfifo_fast 0: root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n"
		" Sent 40514 bytes 447 pkt (dropped 0, overlimits 0 requeues 0) \n"
		" backlog 0b 0p requeues 0\n");
	assert_non_null(strstr(cmd_ok(f, "tc qdisc"), "qdisc pfifo_fast 0: dev eth1 root refcnt 2 "));
	j = cmd_ok(f, "tc -s -j qdisc show");
	assert_true(json_valid(j));
	assert_non_null(strstr(j, "{\"kind\":\"pfifo_fast\",\"handle\":\"0:\",\"dev\":\"eth0\","
				  "\"root\":true,\"refcnt\":2,\"options\":{\"bands\":3,\"priomap\":"
				  "[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1]},\"bytes\":40514,\"packets\":447,"
				  "\"drops\":0,\"overlimits\":0,\"requeues\":0,\"backlog\":0,\"qlen\":0}"));
	bad(f, "tc qdisc show dev eth9", -ENODEV, "Cannot find device \"eth9\"");
	bad(f, "tc qdisc show what", -EINVAL, "What is \"what\"");
}

static void test_tc_modify(void **state)
{
	struct cmd_fixture *f = *state;
	struct net_device *d = f->eth0->dev;

	cmd_ok(f, "tc qdisc add dev eth0 root pfifo limit 10");
	assert_string_equal(cmd_ok(f, "tc qdisc show dev eth0"), "qdisc pfifo 8001: root refcnt 2 limit 10p\n");
	assert_true(json_valid(cmd_ok(f, "tc -j qdisc show dev eth0")));
	assert_non_null(strstr(cmd_ok(f, "tc -j qdisc show dev eth0"), "\"options\":{\"limit\":10}"));
	bad(f, "tc qdisc add dev eth0 root pfifo", -EEXIST, "Exclusivity flag on");
	cmd_ok(f, "tc qdisc add dev eth1 root handle 1: pfifo");
	assert_int_equal(f->eth1->dev->qdisc->handle, 0x10000);
	cmd_ok(f, "tc qdisc change dev eth0 root pfifo limit 20");
	assert_int_equal(d->qdisc->limit, 20);
	assert_int_equal(d->qdisc->handle, 0x80010000);
	bad(f, "tc qdisc change dev eth0 root pfifo limit 0", -EINVAL, "tc qdisc change: pfifo: bad limit");
	bad(f, "tc qdisc change dev eth0 root pfifo_fast", -EINVAL, "root qdisc is pfifo, not pfifo_fast");
	bad(f, "tc qdisc change dev eth0 root pfifo limit 30 bogus", -EINVAL, "unknown option");
	cmd_ok(f, "tc qdisc replace dev eth0 root pfifo limit 5");
	assert_int_equal(d->qdisc->limit, 5);
	assert_int_equal(d->qdisc->handle, 0x80010000);
	bad(f, "tc qdisc replace dev eth0 root pfifo_fast bands 3", -EINVAL, "takes no options");
	bad(f, "tc qdisc add dev eth0 root frob", -ENOENT, "qdisc kind \"frob\" is unknown");
	bad(f, "tc qdisc add dev eth0 parent 1:1 pfifo", -EOPNOTSUPP, "classful queueing is not built yet");
	bad(f, "tc qdisc add root pfifo", -EINVAL, "\"dev\" is required");
	bad(f, "tc qdisc add dev eth0 pfifo", -EINVAL, "\"root\" is required");
	bad(f, "tc qdisc add dev eth0 root", -EINVAL, "kind is required");
	bad(f, "tc qdisc add dev eth0 root handle zz: pfifo", -EINVAL, "invalid qdisc ID");
	bad(f, "tc qdisc add dev eth7 root pfifo", -ENODEV, "Cannot find device \"eth7\"");
	bad(f, "tc qdisc frob dev eth0", -EINVAL, "Command \"frob\" is unknown");
	bad(f, "tc qdisc del dev eth0 root pfifo_fast", -EINVAL, "not pfifo_fast");
	cmd_ok(f, "tc qdisc del dev eth0 root");
	assert_ptr_equal(d->qdisc->ops, &pfifo_fast_ops);
	assert_int_equal(d->qdisc->handle, 0);
	bad(f, "tc qdisc del dev eth0 root", -ENOENT, "handle of zero");
	/* a discipline nstack has not built (yet) is just an unknown kind */
	if (!qdisc_lookup_ops("netem"))
		bad(f, "tc qdisc add dev eth0 root netem delay 5ms", -ENOENT, "\"netem\" is unknown");
}

/* ---- cat, ls, exec_file -------------------------------------------------------------- */
static void test_cat(void **state)
{
	struct cmd_fixture *f = *state;
	char *want = ns_proc_read(f->ts->stack, "/proc/net/dev", NULL);

	assert_string_equal(cmd_ok(f, "cat /proc/net/dev"), want);
	free(want);
	assert_string_equal(cmd_ok(f, "cat /proc/sys/net/core/somaxconn /proc/sys/net/core/dev_weight"),
			    "4096\n64\n");
	assert_non_null(strstr(cmd_ok(f, "ls /proc/net/"), "/proc/net/dev\n"));
	bad(f, "cat /proc/sys/net/core/somaxconn /proc/nope", -ENOENT, "cat: /proc/nope: No such file");
	bad(f, "cat", -EINVAL, "usage");
	bad(f, "ls /nope", -ENOENT, "/nope");
}

static void test_exec_file(void **state)
{
	struct cmd_fixture *f = *state;
	char path[] = "/tmp/nstack-test-cmd-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# setup\n\nip link set eth1 \\\n  mtu 1400\nsysctl -w net.core.somaxconn=99\n"
	      "ip link set eth1 mtu 1\nip link set eth1 mtu 1300\n", fp);
	fclose(fp);
	ns_out_reset(&f->out);
	assert_int_equal(ns_exec_file(f->ts->stack, path, &f->out), -EINVAL);
	assert_int_equal(f->eth1->dev->mtu, 1400);
	assert_int_equal(f->ts->stack->core.somaxconn, 99);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:6: ip link set: Error: mtu less than", path);
		assert_memory_equal(f->out.err, want, strlen(want));
	}
	assert_string_equal(ns_out_text(&f->out), "net.core.somaxconn = 99\n");
	unlink(path);
	assert_int_equal(ns_exec_file(f->ts->stack, path, &f->out), -ENOENT);
	assert_non_null(strstr(f->out.err, "No such file"));
}

static void test_long_output_and_line(void **state)
{
	struct cmd_fixture *f = *state;
	char *line = malloc(CMD_TEST_LINE);

	for (int i = 0; i < 40; i++) {
		char cmdline[64];

		snprintf(cmdline, sizeof(cmdline), "ip link add d%d type dummy", i);
		cmd_ok(f, cmdline);
	}
	assert_true(strlen(cmd_ok(f, "ip -s -s link")) > 8192);
	assert_true(json_valid(cmd_ok(f, "ip -s -s -j -d link")));
	memset(line, 'x', CMD_TEST_LINE - 1);
	line[CMD_TEST_LINE - 1] = 0;
	bad(f, line, -E2BIG, "line too long");
	free(line);
}

/* ethtool -k/-K: the pipe can offload transmit checksums, a capture device
 * cannot ("[fixed]"), bad words change nothing */
static void test_ethtool_features(void **state)
{
	struct cmd_fixture *f = *state;
	struct net_device *p0, *p1;

	assert_int_equal(ns_pipe_create(f->ts->stack, "p0", f->ts->stack, "p1", 0, &p0, &p1), 0);
	text_contains(cmd_ok(f, "ethtool -k eth0"), "tx-checksumming: off [fixed]\n");
	text_contains(cmd_ok(f, "ethtool -k p0"), "tx-checksumming: off\n");
	cmd_ok(f, "ethtool -K p0 tx on");
	assert_true(p0->features & NETIF_F_HW_CSUM);
	assert_false(p1->features & NETIF_F_HW_CSUM);
	text_contains(cmd_ok(f, "ethtool -k p0"), "\ttx-checksum-ip-generic: on\n");
	bad(f, "ethtool -K eth0 tx on", -EOPNOTSUPP, "cannot offload checksums");
	bad(f, "ethtool -K p0 tx maybe", -EINVAL, "expected on or off");
	bad(f, "ethtool -K p0 tso on", -EOPNOTSUPP, "'tso' cannot be changed");
	bad(f, "ethtool -K p0 tx", -EINVAL, "pairs");
	bad(f, "ethtool -k nosuch", -ENODEV, "No such device");
	cmd_ok(f, "ethtool -K p0 tx-checksumming off");
	assert_false(p0->features & NETIF_F_HW_CSUM);
	/* GRO: on by default on the pipe, fixed off on a capture device */
	text_contains(cmd_ok(f, "ethtool -k p0"), "generic-receive-offload: on\n");
	text_contains(cmd_ok(f, "ethtool -k eth0"), "generic-receive-offload: off [fixed]\n");
	cmd_ok(f, "ethtool -K p0 gro off tx on");
	assert_false(p0->features & NETIF_F_GRO);
	assert_true(p0->features & NETIF_F_HW_CSUM);
	text_contains(cmd_ok(f, "ethtool -k p0"), "generic-receive-offload: off\n");
	bad(f, "ethtool -K eth0 gro on", -EOPNOTSUPP, "cannot merge received segments");
	cmd_ok(f, "ethtool -K p0 generic-receive-offload on");
	assert_true(p0->features & NETIF_F_GRO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_validator),
		cmocka_unit_test_setup_teardown(test_link_show_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_show_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_add_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_missing_layers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lexer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysctl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tc_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tc_modify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_output_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ethtool_features, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
