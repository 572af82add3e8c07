/* main.c - the nstack program: `nstack up` runs a stack, `nstack ip ...`
 * (and tc, sysctl, cat...) asks the running one through its control
 * socket, `nstack demo` shows two stacks talking on virtual time.
 * docs/cli.md is the manual. */
#include <stdio.h>
#include <string.h>

#include "nstack/cmd.h"
#include "nstack/nstack.h"
#include "nstack.h"

static const char usage[] =
	"usage: nstack up [OPTIONS]            run a stack (nstack up --help)\n"
	"       nstack [-C PATH] COMMAND ARGS  run a command in the running stack\n"
	"       nstack lab [FILE] [OPTIONS]    a network of stacks in one process (make run)\n"
	"       nstack demo                    two stacks on a virtual wire\n"
	"       nstack --version\n"
	"\n"
	"COMMAND is one of:\n"
	"  ip [-s] [-j] [-br] link [show [DEV] | set DEV ... | add NAME type veth|dummy ... | del DEV]\n"
	"  tc [-s] [-j] qdisc [show [dev DEV] | add|replace|change|del dev DEV root [handle H:] KIND [OPTS]]\n"
	"  sysctl [-n] KEY... | [-w] KEY=VALUE... | -a [PREFIX]\n"
	"  cat PATH...    a file of the stack's /proc (cat /proc/net/dev)\n"
	"  ls [PREFIX]    the stack's /proc files\n"
	"  ip addr|route|neigh, ss, bridge, nft, serve, ping, curl: answer that their layer\n"
	"                 is not built yet\n"
	"\n"
	"  -C PATH   control socket (default $NSTACK_CTL, else " NSTACK_CTL_DEFAULT ")\n"
	"\n"
	"The client exits with the command's status: 0, or the errno of the failure.\n"
	"See docs/cli.md for every command, its output and the control protocol.\n";

int main(int argc, char **argv)
{
	const char *ctl = NULL;
	int i = 1;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("nstack %s\n", ns_version());
		return 0;
	}
	if (!strcmp(argv[1], "up"))
		return nstack_up(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lab"))
		return nstack_lab(argc - 1, argv + 1);
	if (!strcmp(argv[1], "demo"))
		return nstack_demo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-C") || !strcmp(argv[1], "--ctl")) {
		if (argc < 3) {
			fprintf(stderr, "nstack: %s needs a path\n", argv[1]);
			return 2;
		}
		ctl = argv[2];
		i = 3;
	}
	if (i >= argc || !ns_cmd_known(argv[i])) {
		fprintf(stderr, "nstack: unknown command \"%s\"\n%s", i < argc ? argv[i] : "", usage);
		return 2;
	}
	return ctl_client(ctl_path(ctl), argc - i, argv + i);
}
