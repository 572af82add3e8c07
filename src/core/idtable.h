/* idtable.h - a small bounded table of owners, each holding a random
 * 16-bit id no other owner in the table has. ICMP and ICMPv6 echo clients
 * (ping) use one per stack to match replies by their identifier. */
#ifndef NSTACK_CORE_IDTABLE_H
#define NSTACK_CORE_IDTABLE_H

#include <errno.h>
#include <stdint.h>

#include "core/stack.h"

#define IDTABLE_SLOTS 16

struct idtable {
	void *owner[IDTABLE_SLOTS];
	uint16_t id[IDTABLE_SLOTS];
};

static inline void *idtable_find(const struct idtable *t, uint16_t id)
{
	for (int i = 0; i < IDTABLE_SLOTS; i++)
		if (t->owner[i] && t->id[i] == id)
			return t->owner[i];
	return NULL;
}

/* Take a slot for owner with a fresh random id (returned in *id).
 * 0 or -ENOSPC when every slot is taken. */
static inline int idtable_add(struct idtable *t, struct ns_stack *stack, void *owner,
			      uint16_t *id)
{
	int slot = -1;

	for (int i = 0; i < IDTABLE_SLOTS && slot < 0; i++)
		if (!t->owner[i])
			slot = i;
	if (slot < 0)
		return -ENOSPC;
	/* bounded: at most IDTABLE_SLOTS ids are taken */
	for (int tries = 0; tries <= IDTABLE_SLOTS; tries++) {
		*id = (uint16_t)ns_random_u32(stack);
		if (!idtable_find(t, *id))
			break;
	}
	t->owner[slot] = owner;
	t->id[slot] = *id;
	return 0;
}

static inline void idtable_del(struct idtable *t, const void *owner)
{
	for (int i = 0; i < IDTABLE_SLOTS; i++)
		if (t->owner[i] == owner)
			t->owner[i] = NULL;
}

#endif
