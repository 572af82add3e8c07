/* lab.h - the in-process network lab behind `nstack lab` and `make run`:
 * several stacks in one process, joined by in-memory wires (ns_pipe_create),
 * driven together on one clock, running a script of the commands an
 * administrator types (`ip addr add`, `ping`, `curl`, ...).
 *
 *   struct ns_lab *lab = ns_lab_create(&(struct ns_lab_config){ .seed = 1, .out = stdout });
 *   if (ns_lab_run_file(lab, "topo.lab") < 0)
 *           fprintf(stderr, "%s\n", ns_lab_error(lab));
 *   ns_lab_destroy(lab);
 *
 * The script language (docs/lab.md, and the built-in script in
 * src/lab/builtin.c for an example), one command per line, # comments:
 *   node NAME                         create a stack
 *   link A:DEV B:DEV [NETEM WORDS]    a wire; `delay 5ms loss 1% rate 100mbit`
 *                                     become a netem qdisc on both ends
 *   NAME COMMAND...                   run a command in that node (ns_exec:
 *                                     ip, tc, sysctl, bridge, ping, curl...);
 *                                     a trailing `&` leaves a job running;
 *                                     `| grep WORD` keeps matching lines
 *   sleep DURATION                    let time pass (2s, 150ms)
 *   wait                              until every background job ended
 *   echo TEXT / section TEXT          a line / a heading
 *   summary                           per-node counters
 *
 * Time is virtual by default: one clock shared by every node; the lab steps
 * all stacks until all are idle, then moves the clock to the earliest timer
 * of any of them. The same seed gives the same output, captures and plots
 * byte for byte. */
#ifndef NSTACK_LAB_H
#define NSTACK_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nstack/nstack.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ns_lab;

struct ns_lab_config {
	uint64_t seed;			/* 0: 1. Node i gets a seed derived from it */
	const char *pcap_dir;		/* one capture per link, or NULL */
	const char *plot_dir;		/* one SVG per TCP flow, or NULL */
	unsigned int plot_interval_ms;	/* TCP_INFO sampling period; 0: 10 */
	bool realtime;			/* CLOCK_MONOTONIC instead of virtual time */
	FILE *out;			/* where commands print; NULL: stdout */
};

/* NULL with errno set on failure. */
struct ns_lab *ns_lab_create(const struct ns_lab_config *cfg);
/* Cancel jobs, write the plots, close captures, destroy every node. */
void ns_lab_destroy(struct ns_lab *lab);

/* Run a script. The first failing line stops it: -errno, and
 * ns_lab_error() says "FILE:LINE: message". name labels messages. */
int ns_lab_run_file(struct ns_lab *lab, const char *path);
int ns_lab_run_string(struct ns_lab *lab, const char *name, const char *script);
/* The built-in topology and script (what `make run` shows). */
int ns_lab_run_builtin(struct ns_lab *lab);
const char *ns_lab_builtin_script(void);

/* The message of the last failure ("" when none). */
const char *ns_lab_error(const struct ns_lab *lab);
/* A node's stack by name, or NULL. */
struct ns_stack *ns_lab_node(struct ns_lab *lab, const char *name);
/* Let time pass for every node (virtual: instantly). */
int ns_lab_advance(struct ns_lab *lab, uint64_t ns);
uint64_t ns_lab_now(struct ns_lab *lab);
/* Write the plots now (also done by ns_lab_destroy). 0 or -errno. */
int ns_lab_write_plots(struct ns_lab *lab);

#ifdef __cplusplus
}
#endif
#endif
