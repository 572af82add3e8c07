/* subsys.h - the per-stack subsystems, initialised in order at stack
 * creation and torn down in reverse (the table is in subsys.c). */
#ifndef NSTACK_CORE_SUBSYS_H
#define NSTACK_CORE_SUBSYS_H

struct ns_stack;

struct ns_subsys {
	const char *name;
	int (*init)(struct ns_stack *stack);	/* 0 or -errno */
	void (*exit)(struct ns_stack *stack);	/* may be NULL */
};

extern const struct ns_subsys ns_subsystems[];
extern const unsigned int ns_subsystem_count;

#endif
