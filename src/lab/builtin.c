/* builtin.c - the lab `make run` shows: host a, a bridge s (br0 with VLAN
 * filtering, a's and r's ports in VLAN 10), a router r (forwarding, a
 * an nftables rule as the firewall), host b behind a wire with netem
 * delay and loss. The script walks up the layers: ARP and ping, the
 * bridge's learned addresses, a traceroute, an HTTP request, an 8 MiB TCP
 * transfer over the lossy wire, a refused connection, then per-node
 * counters. The files b serves are written to a temporary directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"

#define BIG_FILE_BYTES (8u << 20)

static const char script[] =
	"section Topology: 4 stacks in one process, joined by 3 in-memory wires, virtual time\n"
	"echo   a (198.18.0.1) --- s: bridge br0, VLAN 10 --- (198.18.0.254) r (198.18.1.254) --- b (198.18.1.2)\n"
	"echo   the r--b wire has netem on both ends: 5 ms delay, 1% loss\n"
	"node a\nnode s\nnode r\nnode b\n"
	"link a:eth0 s:eth0\n"
	"link s:eth1 r:eth0\n"
	"link r:eth1 b:eth0 delay 5ms loss 1%\n"
	"s ip link add br0 type bridge vlan_filtering 1\n"
	"s ip link set eth0 master br0\n"
	"s ip link set eth1 master br0\n"
	"s bridge vlan del dev eth0 vid 1\n"
	"s bridge vlan del dev eth1 vid 1\n"
	"s bridge vlan add dev eth0 vid 10 pvid untagged\n"
	"s bridge vlan add dev eth1 vid 10 pvid untagged\n"
	"s ip link set br0 up\n"
	"a ip addr add 198.18.0.1/24 dev eth0\n"
	"a ip route add default via 198.18.0.254\n"
	"r ip addr add 198.18.0.254/24 dev eth0\n"
	"r ip addr add 198.18.1.254/24 dev eth1\n"
	"r sysctl -w net.ipv4.ip_forward=1\n"
	"b ip addr add 198.18.1.2/24 dev eth0\n"
	"b ip addr add 198.18.1.3/24 dev eth0\n"
	"b ip route add default via 198.18.1.254\n"
	"\n"
	"section Link and network layers: ARP on first contact, then ICMP echo across the router\n"
	"a ping -c 3 -i 0.2 198.18.1.2\n"
	"a ip neigh\n"
	"r ip neigh\n"
	"\n"
	"section Bridge: s learned the MAC addresses of a and r on their ports, in VLAN 10\n"
	"s bridge vlan show\n"
	"s bridge fdb show | grep vlan\n"
	"\n"
	"section Routing hop by hop: UDP probes with TTL 1, 2...; r answers ICMP time exceeded\n"
	"a traceroute 198.18.1.2\n"
	"\n"
	"section Transport: an HTTP request over TCP (b serves, a asks)\n"
	"b serve http 80 @DIR@\n"
	"a curl -i http://198.18.1.2/\n"
	"\n"
	"section TCP bulk transfer b -> a: 8 MiB over the lossy wire; SACK and CUBIC recover the losses\n"
	"echo   curl prints a progress line every second of virtual time; ss -ti shows the sender socket\n"
	"a curl -o /dev/null http://198.18.1.2/big.bin &\n"
	"sleep 1500ms\n"
	"b ss -tin\n"
	"wait\n"
	"b serve\n"
	"\n"
	"section Firewall: the nftables forward chain on r rejects HTTP to 198.18.1.3 with a TCP reset\n"
	"r nft add table ip filter\n"
	"r nft 'add chain ip filter forward { type filter hook forward priority 0; policy accept; }'\n"
	"r nft add rule ip filter forward ip daddr 198.18.1.3 tcp dport 80 counter reject with tcp reset\n"
	"a curl -m 3 http://198.18.1.3/\n"
	"r nft list ruleset\n"
	"\n"
	"section Counters per node (devices, qdisc drops, /proc/net/snmp Ip and Tcp, learned fdb)\n"
	"summary\n";

const char *ns_lab_builtin_script(void)
{
	return script;
}

static int write_files(struct ns_lab *lab)
{
	static const char index_html[] =
		"<html><body><h1>Hello from node b</h1><p>served by an nstack socket</p></body></html>\n";
	char path[128];
	FILE *f;
	uint32_t x = 12345;

	snprintf(lab->tmpdir, sizeof(lab->tmpdir), "/tmp/nstack-lab-XXXXXX");
	if (!mkdtemp(lab->tmpdir)) {
		lab->tmpdir[0] = 0;
		return lab_err(lab, -errno, "cannot create a temporary directory: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/index.html", lab->tmpdir);
	f = fopen(path, "w");
	if (!f || fputs(index_html, f) < 0 || fclose(f))
		return lab_err(lab, -EIO, "cannot write %s", path);
	snprintf(path, sizeof(path), "%s/big.bin", lab->tmpdir);
	f = fopen(path, "wb");
	if (!f)
		return lab_err(lab, -EIO, "cannot write %s", path);
	for (unsigned int i = 0; i < BIG_FILE_BYTES; i++) {
		x = x * 1103515245u + 12345u;	/* any bytes will do; these are reproducible */
		fputc((int)(x >> 24), f);
	}
	return fclose(f) ? lab_err(lab, -EIO, "cannot write %s", path) : 0;
}

int ns_lab_run_builtin(struct ns_lab *lab)
{
	const char *at = strstr(script, "@DIR@");
	size_t len = strlen(script) + sizeof(lab->tmpdir);
	char *text;
	int rc = write_files(lab);

	if (rc)
		return rc;
	text = malloc(len);
	if (!text)
		return lab_err(lab, -ENOMEM, "out of memory");
	snprintf(text, len, "%.*s%s%s", (int)(at - script), script, lab->tmpdir, at + 5);
	rc = ns_lab_run_string(lab, "(built-in lab)", text);
	free(text);
	return rc;
}
