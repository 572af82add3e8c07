/* lab.c - `nstack lab [FILE] [--seed N] [--pcap DIR] [--plot DIR]
 * [--realtime]`: run a lab script (or the built-in one, what `make run`
 * shows) with the engine of src/lab (include/nstack/lab.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nstack/lab.h"
#include "nstack.h"

static const char lab_usage[] =
	"usage: nstack lab [FILE] [--seed N] [--pcap DIR] [--plot DIR] [--plot-ms N] [--realtime]\n"
	"  FILE        a lab script (docs/lab.md); without it, the built-in topology\n"
	"  --seed N    seed of every node (loss, ISNs): same seed, same run (default 1)\n"
	"  --pcap DIR  one capture per link: DIR/a-eth0--s-eth0.pcap\n"
	"  --plot DIR  one SVG per TCP flow: cwnd, RTT and throughput over time\n"
	"  --plot-ms N TCP_INFO sampling period in ms of lab time (default 10)\n"
	"  --realtime  the monotonic clock instead of virtual time\n"
	"  --script    print the built-in script and exit\n";

static int want_value(int i, int argc, const char *opt)
{
	if (i + 1 >= argc) {
		fprintf(stderr, "nstack lab: %s needs a value\n%s", opt, lab_usage);
		return 0;
	}
	return 1;
}

int nstack_lab(int argc, char **argv)
{
	struct ns_lab_config cfg = { .seed = 1 };
	const char *file = NULL;
	struct ns_lab *lab;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(lab_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--script")) {
			fputs(ns_lab_builtin_script(), stdout);
			return 0;
		} else if (!strcmp(a, "--realtime")) {
			cfg.realtime = true;
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--pcap") || !strcmp(a, "--plot") ||
			   !strcmp(a, "--plot-ms")) {
			if (!want_value(i, argc, a))
				return 2;
			const char *v = argv[++i];

			if (!strcmp(a, "--seed"))
				cfg.seed = strtoull(v, NULL, 0);
			else if (!strcmp(a, "--pcap"))
				cfg.pcap_dir = v;
			else if (!strcmp(a, "--plot"))
				cfg.plot_dir = v;
			else
				cfg.plot_interval_ms = (unsigned int)strtoul(v, NULL, 10);
		} else if (a[0] == '-' || file) {
			fprintf(stderr, "nstack lab: unexpected \"%s\"\n%s", a, lab_usage);
			return 2;
		} else {
			file = a;
		}
	}
	lab = ns_lab_create(&cfg);
	if (!lab) {
		perror("nstack lab");
		return 1;
	}
	rc = file ? ns_lab_run_file(lab, file) : ns_lab_run_builtin(lab);
	if (rc)
		fprintf(stderr, "nstack lab: %s\n", ns_lab_error(lab));
	ns_lab_destroy(lab);
	return rc ? 1 : 0;
}
