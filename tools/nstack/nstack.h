/* nstack.h - the parts of the nstack program: `up` (the daemon), the
 * control socket both sides speak (ctl.c, protocol in docs/cli.md), the
 * client and the demo. */
#ifndef NSTACK_TOOL_H
#define NSTACK_TOOL_H

#include <stdbool.h>
#include <stddef.h>

struct ns_stack;

#define NSTACK_CTL_DEFAULT "/run/nstack/nstack.sock"
#define CTL_MAX_REQUEST 4096	/* bytes of one command line */
#define CTL_MAX_CONNS 16

/* Socket path: -C/--ctl, else $NSTACK_CTL, else the default. */
const char *ctl_path(const char *given);

struct ctl_conn;
struct ctl_server {
	struct ns_stack *stack;
	int fd;
	char path[108];
	struct ctl_conn *conns;
	unsigned int nconns;
};
/* Create the directory, remove a stale socket, listen, watch it from the
 * stack loop. 0, or -errno with a message in err. */
int ctl_listen(struct ctl_server *srv, struct ns_stack *stack, const char *path, char *err,
	       size_t errlen);
/* Forward what running jobs (ping) printed to their clients; finish the
 * ended ones. Call after every loop iteration. */
void ctl_poll_jobs(struct ctl_server *srv);
/* Close every connection and the socket; remove the socket file. */
void ctl_close(struct ctl_server *srv);
/* Send one command line to a running `nstack up`; print its output and
 * error; return the remote status (or 1 when it cannot be reached). */
int ctl_client(const char *path, int argc, char **argv);

int nstack_up(int argc, char **argv);
int nstack_demo(int argc, char **argv);
int nstack_lab(int argc, char **argv);

#endif
