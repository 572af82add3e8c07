/* cmdfix.h - the fixture of the command-engine tests (test_cmd,
 * test_cmd_ipv4, test_nft): one stack on virtual time with one or two
 * capture devices (eth0 02:00:00:00:00:01, eth1 ...:02) and an ns_out to
 * run command lines into, plus the assertions those tests share. */
#ifndef NSTACK_CMDFIX_H
#define NSTACK_CMDFIX_H

#include "testlib.h"
#include "nstack/cmd.h"

struct cmd_fixture {
	struct test_stack *ts;
	struct capdev *eth0, *eth1;	/* eth1 NULL when ndevs is 1 */
	struct ns_out out;
};

/* A stack named name (seed) with ndevs (1 or 2) capture devices, up. */
struct cmd_fixture *cmd_fixture_new(const char *name, uint64_t seed, unsigned int ndevs);
/* Free the output and the stack (leak-checked by test_stack_free). */
void cmd_fixture_free(struct cmd_fixture *f);
/* Run a line that must succeed (fail_msg otherwise); returns its output. */
const char *cmd_ok(struct cmd_fixture *f, const char *line);
/* fail_msg unless want is in text. */
void text_contains(const char *text, const char *want);

#endif
