/* lab.h - internals of the network lab (include/nstack/lab.h is the public
 * side): nodes, links, jobs, the shared scheduler, and the commands the lab
 * answers itself (summary, traceroute). Read lab.c first (the script interpreter), then sched.c
 * (how time moves for every node together). */
#ifndef NSTACK_LAB_LAB_H
#define NSTACK_LAB_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nstack/cmd.h"
#include "nstack/lab.h"
#include "nstack/nstack.h"

#define LAB_MAX_NODES 16
#define LAB_MAX_LINKS 32
#define LAB_MAX_JOBS 16
#define LAB_NAME_MAX 32
#define LAB_MAX_WORDS 64

struct net_device;

struct lab_node {
	char name[LAB_NAME_MAX];
	struct ns_stack *stack;
};

struct lab_link {
	struct net_device *a, *b;
	char pcap[256];		/* capture file on a's end, "" when none */
};

struct lab_job;
/* A command that takes time. poll is called after every round in which the
 * stacks went idle: it prints what happened, returns -EINPROGRESS while
 * running, then 0 or -errno (message in lab->err) once finished. deadline
 * is the next absolute time it needs to look (UINT64_MAX: only on events).
 * destroy frees it (called after the final poll, or to cancel). */
struct lab_job_ops {
	int (*poll)(struct lab_job *job);
	uint64_t (*deadline)(struct lab_job *job);
	void (*destroy)(struct lab_job *job);
};

struct lab_job {
	const struct lab_job_ops *ops;
	struct ns_lab *lab;
	struct lab_node *node;
	bool daemon;		/* a server: never waited for, cancelled at the end */
	bool waited;		/* someone waits for it: not reaped in the background */
	int rc;			/* -EINPROGRESS while running, then the final status */
	char what[64];		/* "a: curl ..." for messages */
};

struct lab_plot;

struct ns_lab {
	struct ns_lab_config cfg;
	FILE *out;
	struct ns_vclock vclock;
	struct ns_clock *clock;
	struct lab_node nodes[LAB_MAX_NODES];
	unsigned int nnodes;
	struct lab_link links[LAB_MAX_LINKS];
	unsigned int nlinks;
	struct lab_job *jobs[LAB_MAX_JOBS];
	unsigned int njobs;
	struct lab_plot *plot;
	char tmpdir[64];	/* the built-in script's files, removed at the end */
	char err[600];
};

/* ---- lab.c ---- */
struct lab_node *lab_node_find(struct ns_lab *lab, const char *name);
/* mkdir -p */
void lab_mkdirs(const char *dir);
/* printf to the lab's output */
void lab_printf(struct ns_lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set lab->err (without the FILE:LINE prefix) and return err. */
int lab_err(struct ns_lab *lab, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run a command in a node through ns_exec, printing its output; 0 or
 * -errno with lab->err set. */
int lab_exec(struct ns_lab *lab, struct lab_node *n, const char *line);

/* ---- sched.c ---- */
/* Step every stack until all are idle, poll the jobs. */
void lab_settle(struct ns_lab *lab);
/* Add a job (it is now the lab's); -ENOSPC when full (then destroyed). */
int lab_job_add(struct ns_lab *lab, struct lab_job *job);
/* Run until job ended (its status) or timeout. job must be in the lab. */
int lab_job_wait(struct ns_lab *lab, struct lab_job *job);
/* Run until every non-daemon job ended. */
int lab_wait_all(struct ns_lab *lab);
void lab_jobs_cancel(struct ns_lab *lab);
/* Parse "2s", "150ms", "10us", "5" (seconds); 0 or -EINVAL. */
int lab_parse_duration(const char *s, uint64_t *ns);

/* ---- the lab's own commands (cmds.c, trace.c) ----
 * traceroute returns 0, -errno (lab->err set), or -ENOENT without touching
 * anything when the line is not a traceroute; it adds a job in *job. */
int lab_cmd_traceroute(struct ns_lab *lab, struct lab_node *n, int argc, char **argv,
		       struct lab_job **job);
void lab_summary(struct ns_lab *lab);
int lab_parse_ip4(const char *s, uint32_t *addr);	/* host order */

/* ---- plot.c: TCP_INFO sampling and SVG ---- */
int lab_plot_init(struct ns_lab *lab);
void lab_plot_sample(struct ns_lab *lab);	/* when due */
uint64_t lab_plot_deadline(struct ns_lab *lab);
int lab_plot_write(struct ns_lab *lab);
void lab_plot_free(struct ns_lab *lab);

#endif
