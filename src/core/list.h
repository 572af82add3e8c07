/* list.h - intrusive doubly linked lists (list_head) and hash-bucket lists
 * (hlist), with the same names and semantics as the Linux kernel's. */
#ifndef NSTACK_CORE_LIST_H
#define NSTACK_CORE_LIST_H

#include <stdbool.h>
#include "core/compiler.h"

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}
static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = e;
}
static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each_entry(pos, head, member)                                     \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);             \
	     &pos->member != (head);                                               \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)                             \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),             \
	     n = list_entry(pos->member.next, __typeof__(*pos), member);           \
	     &pos->member != (head);                                               \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

/* Hash bucket lists: one pointer per bucket head. */
struct hlist_node {
	struct hlist_node *next, **pprev;
};
struct hlist_head {
	struct hlist_node *first;
};

static inline void INIT_HLIST_NODE(struct hlist_node *n)
{
	n->next = NULL;
	n->pprev = NULL;
}
static inline bool hlist_unhashed(const struct hlist_node *n)
{
	return !n->pprev;
}
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}
static inline void hlist_del(struct hlist_node *n)
{
	if (!n->pprev)
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
}

#define hlist_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member) \
	((ptr) ? hlist_entry(ptr, type, member) : NULL)
#define hlist_for_each_entry(pos, head, member)                                    \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*pos), member); pos;  \
	     pos = hlist_entry_safe((pos)->member.next, __typeof__(*pos), member))
#define hlist_for_each_entry_safe(pos, n, head, member)                            \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*pos), member);       \
	     pos && ({ n = pos->member.next; 1; });                                \
	     pos = hlist_entry_safe(n, __typeof__(*pos), member))

#endif
