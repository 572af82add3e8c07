/* cmd.h - configure and inspect a stack with the command lines an
 * administrator types on Linux: `ip link set eth0 up`, `tc qdisc add dev
 * eth0 root netem delay 5ms`, `sysctl -w net.core.rmem_default=4096`,
 * `cat /proc/net/dev`. Same words, same output shapes, same JSON keys as
 * iproute2 and procps. docs/cli.md lists every command.
 *
 *   struct ns_out out;
 *   ns_out_init(&out);
 *   if (ns_exec(stack, "ip -s link show eth0", &out) < 0)
 *           fprintf(stderr, "%s\n", out.err);
 *   fputs(ns_out_text(&out), stdout);
 *   ns_out_free(&out);
 *
 * A command either succeeds completely or changes nothing.
 *
 * Commands that take time (ping) cannot finish inside ns_exec, because the
 * stack loop must run meanwhile: they start a job and return -EINPROGRESS
 * with out->job set (and their first lines in out). The caller then runs
 * the loop and polls:
 *
 *   rc = ns_exec(stack, "ping -c 3 198.18.0.2", &out);
 *   while (rc == -EINPROGRESS) {
 *           ns_stack_run_once(stack, 10);      (or advance virtual time)
 *           rc = ns_exec_job_poll(out.job, &out);  (appends the new lines)
 *   }
 *
 * A job ends by itself (the last reply, a timeout); until then it holds
 * one of the stack's 16 ICMP echo slots. Cancel jobs before destroying the
 * stack. */
#ifndef NSTACK_CMD_H
#define NSTACK_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "nstack/nstack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output of commands: a growable text buffer (what the command prints) and
 * the message of the last failure. Commands append to buf; a failing
 * command fills err (one line, no newline, naming the command). */
struct ns_out {
	char *buf;		/* NUL-terminated once anything was written; may be NULL */
	size_t len;
	size_t cap;
	bool oom;		/* an append failed: the text is truncated */
	char err[512];
	struct ns_cmd_job *job;	/* set when a command returned -EINPROGRESS */
};
struct ns_cmd_job;

void ns_out_init(struct ns_out *out);
void ns_out_free(struct ns_out *out);
/* Forget the text and the error, keep the memory. */
void ns_out_reset(struct ns_out *out);
/* The text so far ("" when empty). */
const char *ns_out_text(const struct ns_out *out);
void ns_out_printf(struct ns_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ns_out_puts(struct ns_out *out, const char *s);

/* Run one command line: words separated by blanks, 'single' and "double"
 * quotes, backslash escapes, # starts a comment. A blank or comment-only
 * line does nothing and returns 0. Returns 0, or -errno with out->err set
 * ("ip link set: Cannot find device \"eth9\""). */
int ns_exec(struct ns_stack *stack, const char *line, struct ns_out *out);
/* The same with the words already split (argv[0] is the command). */
int ns_exec_argv(struct ns_stack *stack, int argc, char **argv, struct ns_out *out);
/* Run every line of a file in order; stop at the first failing line with
 * out->err = "FILE:LINE: <message>". A line ending in a backslash continues
 * on the next one. */
int ns_exec_file(struct ns_stack *stack, const char *path, struct ns_out *out);
/* Append what the job printed since the last poll to out. Returns
 * -EINPROGRESS while it runs; then its final status (0, or -errno with
 * out->err set), having freed the job (out->job is cleared). */
int ns_exec_job_poll(struct ns_cmd_job *job, struct ns_out *out);
/* Stop and free a job without its final output (a client went away). */
void ns_exec_job_cancel(struct ns_cmd_job *job);
/* True when `word` is a command ns_exec knows (built or not yet built). */
bool ns_cmd_known(const char *word);

#ifdef __cplusplus
}
#endif
#endif
