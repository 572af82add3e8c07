/* cmdfix.c - see cmdfix.h */
#include <stdlib.h>
#include <string.h>

#include "cmdfix.h"

struct cmd_fixture *cmd_fixture_new(const char *name, uint64_t seed, unsigned int ndevs)
{
	static const uint8_t mac0[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	struct cmd_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ts = test_stack_new(name, seed);
	f->eth0 = capdev_new(f->ts, "eth%d", mac0);
	if (ndevs > 1)
		f->eth1 = capdev_new(f->ts, "eth%d", mac1);
	ns_out_init(&f->out);
	return f;
}

void cmd_fixture_free(struct cmd_fixture *f)
{
	ns_out_free(&f->out);
	test_stack_free(f->ts);
	free(f);
}

const char *cmd_ok(struct cmd_fixture *f, const char *line)
{
	int rc;

	ns_out_reset(&f->out);
	rc = ns_exec(f->ts->stack, line, &f->out);
	if (rc)
		fail_msg("\"%s\" failed: %d %s", line, rc, f->out.err);
	return ns_out_text(&f->out);
}

void text_contains(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("\"%s\" not in:\n%s", want, text);
}
