/* up.c - `nstack up`: one stack on real time, attached to Linux TAP/TUN
 * interfaces, configured by command files and -e lines, then driven until
 * SIGINT/SIGTERM while a control socket answers `nstack ip ...` clients.
 * The TAP/TUN and pcap drivers are compiled in when they exist in the tree
 * (NSTACK_HAVE_TAP / NSTACK_HAVE_PCAP, set by CMakeLists.txt). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "nstack/cmd.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "core/netdevice.h"
#include "core/stack.h"
#include "nstack.h"

#define UP_MAX_ITEMS 64

enum up_kind { UP_TAP, UP_TUN, UP_XDP, UP_FILE, UP_LINE };

struct up_item {
	enum up_kind kind;
	const char *arg;
};

struct up_opts {
	struct up_item items[UP_MAX_ITEMS];
	int n;
	const char *ctl;
	const char *pcap_dir;
};

static const char up_usage[] =
	"usage: nstack up [--tap NAME]... [--tun NAME]... [--xdp IFNAME[:QUEUE]]...\n"
	"                 [-f FILE]... [-e LINE]...\n"
	"                 [--ctl PATH] [--pcap DIR]\n"
	"\n"
	"Run one network stack until SIGINT or SIGTERM.\n"
	"  --tap NAME   attach to the Linux TAP interface NAME (created if missing);\n"
	"               the stack's devices are eth0, eth1, ... in the order given\n"
	"  --tun NAME   attach to the Linux TUN interface NAME: tun0, tun1, ...\n"
	"  --xdp IFNAME[:QUEUE][,native|,generic]  attach to queue QUEUE (default 0)\n"
	"               of the existing Linux interface IFNAME with AF_XDP (native\n"
	"               XDP, else generic); named eth0, eth1, ... with the --tap ones\n"
	"  -f FILE      run the commands of FILE (one per line, # comments)\n"
	"  -e LINE      run one command, e.g. -e 'ip link set eth0 up'\n"
	"               -f and -e run in the order given, after the devices exist\n"
	"  --ctl PATH   control socket (default $NSTACK_CTL or " NSTACK_CTL_DEFAULT ")\n"
	"  --pcap DIR   write DIR/<device>.pcap for every device\n"
	"\n"
	"Prints `ready` on stdout once every command is applied. A failing command\n"
	"exits with status 1 and `nstack: FILE:LINE: command: reason` on stderr.\n"
	"TAP/TUN need CAP_NET_ADMIN, AF_XDP root. Commands are listed in docs/cli.md.\n";

static int parse_up(int argc, char **argv, struct up_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		enum up_kind kind;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(up_usage, stdout);
			return 1;
		}
		if (strcmp(a, "--ctl") && strcmp(a, "--pcap") && strcmp(a, "--tap") &&
		    strcmp(a, "--tun") && strcmp(a, "--xdp") && strcmp(a, "-f") && strcmp(a, "-e")) {
			fprintf(stderr, "nstack up: unknown option \"%s\"\n%s", a, up_usage);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "nstack up: %s needs an argument\n%s", a, up_usage);
			return -1;
		}
		if (!strcmp(a, "--ctl")) {
			o->ctl = argv[++i];
			continue;
		}
		if (!strcmp(a, "--pcap")) {
			o->pcap_dir = argv[++i];
			continue;
		}
		if (!strcmp(a, "--tap"))
			kind = UP_TAP;
		else if (!strcmp(a, "--tun"))
			kind = UP_TUN;
		else if (!strcmp(a, "--xdp"))
			kind = UP_XDP;
		else if (!strcmp(a, "-f"))
			kind = UP_FILE;
		else
			kind = UP_LINE;	/* -e */
		if (o->n == UP_MAX_ITEMS) {
			fprintf(stderr, "nstack up: at most %d devices and commands\n", UP_MAX_ITEMS);
			return -1;
		}
		o->items[o->n].kind = kind;
		o->items[o->n++].arg = argv[++i];
	}
	return 0;
}

/* ---- devices ---------------------------------------------------------------------------- */
/* ,native / ,generic after --xdp IFNAME[:QUEUE]; returns its length or -1 */
static int xdp_attach_suffix(const char *arg, struct ns_xdp_config *cfg)
{
	const char *comma = strchr(arg, ',');

	if (!comma)
		return 0;
	if (!strcmp(comma, ",native"))
		cfg->attach = NS_XDP_ATTACH_NATIVE;
	else if (!strcmp(comma, ",generic"))
		cfg->attach = NS_XDP_ATTACH_GENERIC;
	else
		return -1;
	return (int)strlen(comma);
}

/* IFNAME[:QUEUE][,native|,generic]: ifname and cfg, or -1 */
static int parse_xdp(const char *arg, char ifname[IFNAMSIZ], struct ns_xdp_config *cfg)
{
	char spec[64];
	int suffix = xdp_attach_suffix(arg, cfg);
	const char *colon;
	size_t len;
	char *end;

	if (suffix < 0 || strlen(arg) - (size_t)suffix >= sizeof(spec)) {
		fprintf(stderr, "nstack: --xdp %s: expected IFNAME[:QUEUE][,native|,generic]\n", arg);
		return -1;
	}
	snprintf(spec, sizeof(spec), "%.*s", (int)(strlen(arg) - (size_t)suffix), arg);
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (!len || len >= IFNAMSIZ) {
		fprintf(stderr, "nstack: --xdp %s: bad interface name\n", arg);
		return -1;
	}
	memcpy(ifname, spec, len);
	ifname[len] = '\0';
	if (colon) {
		unsigned long q = strtoul(colon + 1, &end, 10);

		if (!colon[1] || *end || q > 65535) {
			fprintf(stderr, "nstack: --xdp %s: bad queue number\n", arg);
			return -1;
		}
		cfg->queue_id = (unsigned int)q;
	}
	return 0;
}

static int open_xdp(struct ns_stack *stack, const char *arg, int *neth)
{
	struct ns_xdp_config cfg = { 0 };
	char ifname[IFNAMSIZ], name[IFNAMSIZ];

	if (parse_xdp(arg, ifname, &cfg))
		return -1;
	snprintf(name, sizeof(name), "eth%d", (*neth)++);
	if (!ns_xdp_open(stack, ifname, name, &cfg)) {
		fprintf(stderr, "nstack: --xdp %s: %s\n", arg,
			errno == EOPNOTSUPP ? "nstack was built without AF_XDP (libxdp, libbpf)"
					    : strerror(errno));
		return -1;
	}
	return 0;
}

static int open_device(struct ns_stack *stack, const struct up_item *it, int *ntap, int *ntun)
{
#ifdef NSTACK_HAVE_TAP
	char name[IFNAMSIZ];
	struct net_device *dev;

	if (it->kind == UP_TAP) {
		snprintf(name, sizeof(name), "eth%d", (*ntap)++);
		dev = ns_tap_open(stack, it->arg, name);
	} else {
		snprintf(name, sizeof(name), "tun%d", (*ntun)++);
		dev = ns_tun_open(stack, it->arg, name);
	}
	if (!dev) {
		fprintf(stderr, "nstack: %s %s: %s\n", it->kind == UP_TAP ? "--tap" : "--tun",
			it->arg, strerror(errno));
		return -1;
	}
	return 0;
#else
	(void)stack;
	(void)ntap;
	(void)ntun;
	fprintf(stderr, "nstack: %s %s: the TAP/TUN driver is not built into this nstack yet\n",
		it->kind == UP_TAP ? "--tap" : "--tun", it->arg);
	return -1;
#endif
}

static int start_pcap(struct ns_stack *stack, const char *dir)
{
#ifdef NSTACK_HAVE_PCAP
	struct net_device *dev;

	for_each_netdev(stack, dev) {
		char path[4096];
		int rc;

		snprintf(path, sizeof(path), "%s/%s.pcap", dir, dev->name);
		rc = ns_pcap_start(dev, path);
		if (rc) {
			fprintf(stderr, "nstack: --pcap %s: %s\n", path, strerror(-rc));
			return -1;
		}
	}
	return 0;
#else
	(void)stack;
	fprintf(stderr, "nstack: --pcap %s: packet capture is not built into this nstack yet\n", dir);
	return -1;
#endif
}

/* ---- configuration ---------------------------------------------------------------------- */
static int run_items(struct ns_stack *stack, const struct up_opts *o)
{
	int ntap = 0, ntun = 0, nline = 0;
	struct ns_out out;
	int rc = 0;

	for (int i = 0; i < o->n && !rc; i++)
		if (o->items[i].kind == UP_XDP)
			rc = open_xdp(stack, o->items[i].arg, &ntap);
		else if (o->items[i].kind == UP_TAP || o->items[i].kind == UP_TUN)
			rc = open_device(stack, &o->items[i], &ntap, &ntun);
	ns_out_init(&out);
	for (int i = 0; i < o->n && !rc; i++) {
		const struct up_item *it = &o->items[i];

		if (it->kind == UP_FILE) {
			rc = ns_exec_file(stack, it->arg, &out);
			if (rc)
				fprintf(stderr, "nstack: %s\n", out.err);
		} else if (it->kind == UP_LINE) {
			nline++;
			rc = ns_exec(stack, it->arg, &out);
			/* a job (ping): run the loop until it ends, printing as it goes */
			while (rc == -EINPROGRESS) {
				fputs(ns_out_text(&out), stdout);
				fflush(stdout);
				ns_out_reset(&out);
				if (ns_stack_run_once(stack, 100) < 0) {
					ns_exec_job_cancel(out.job);
					out.job = NULL;
					rc = -EIO;
					snprintf(out.err, sizeof(out.err), "the stack loop failed");
					break;
				}
				rc = ns_exec_job_poll(out.job, &out);
			}
			if (rc)
				fprintf(stderr, "nstack: -e:%d: %s\n", nline, out.err);
		}
		fputs(ns_out_text(&out), stdout);
		ns_out_reset(&out);
	}
	ns_out_free(&out);
	if (!rc && o->pcap_dir)
		rc = start_pcap(stack, o->pcap_dir);
	return rc ? -1 : 0;
}

/* ---- signals and the loop ------------------------------------------------------------- */
struct up_state {
	int sfd;
	volatile int stop;
};

static void on_signal(void *ctx, uint32_t events)
{
	struct up_state *st = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(st->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		st->stop = 1;
}

static int watch_signals(struct ns_stack *stack, struct up_state *st)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	st->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (st->sfd < 0)
		return -errno;
	return ns_stack_watch_fd(stack, st->sfd, EPOLLIN, on_signal, st);
}

int nstack_up(int argc, char **argv)
{
	struct ns_stack_config cfg = { .name = "nstack" };
	struct up_opts o = { 0 };
	struct up_state st = { .sfd = -1 };
	struct ctl_server srv = { .fd = -1 };
	struct ns_stack *stack;
	char err[512];
	int rc = parse_up(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	stack = ns_stack_create(&cfg);
	if (!stack) {
		fprintf(stderr, "nstack: cannot create the stack: %s\n", strerror(errno));
		return 1;
	}
	rc = watch_signals(stack, &st);
	if (rc)
		fprintf(stderr, "nstack: signals: %s\n", strerror(-rc));
	if (!rc && run_items(stack, &o))
		rc = -1;
	if (!rc && (rc = ctl_listen(&srv, stack, ctl_path(o.ctl), err, sizeof(err))))
		fprintf(stderr, "nstack: control socket: %s\n", err);
	if (!rc) {
		printf("ready\n");
		fflush(stdout);
	}
	while (!rc && !st.stop) {
		int n = ns_stack_run_once(stack, 1000);

		ctl_poll_jobs(&srv);

		if (n < 0) {
			fprintf(stderr, "nstack: loop: %s\n", strerror(-n));
			rc = n;
		}
	}
	ctl_close(&srv);
	if (st.sfd >= 0) {
		ns_stack_unwatch_fd(stack, st.sfd);
		close(st.sfd);
	}
	ns_stack_destroy(stack);
	return rc ? 1 : 0;
}
