/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring, device side: pop a chain (direct descriptors, optionally ending in one indirect
 * table), push a used element, decide whether the driver wants a notification.
 *
 * Memory ordering with the guest (the other side runs on another CPU):
 *  - avail->idx is read with acquire so the ring entries and descriptors it covers are seen;
 *  - the used element is written before used->idx, which is stored with release;
 *  - between publishing used->idx and reading used_event / avail->flags a full fence is needed,
 *    otherwise the read may be satisfied before the store is visible and a notification lost;
 *  - the same full fence sits between publishing avail_event and re-reading avail->idx.
 */
#include <errno.h>
#include <string.h>

#include "netctrl_priv.h"

static inline uint16_t *
used_event_ptr(struct netctrl *nc)
{
	return &nc->split.avail->ring[nc->size];
}

static inline uint16_t *
avail_event_ptr(struct netctrl *nc)
{
	return (uint16_t *)&nc->split.used->ring[nc->size];
}

static void
read_desc(const struct nc_vring_desc *p, struct nc_vring_desc *d)
{
	d->addr = nc_rd64(&p->addr);
	d->len = nc_rd32(&p->len);
	d->flags = nc_rd16(&p->flags);
	d->next = nc_rd16(&p->next);
}

/* Walk an indirect table (guest memory, copied entry by entry). Errors mark the chain bad. */
static void
walk_indirect(struct netctrl *nc, struct nc_slot *s, uint64_t addr, uint32_t len)
{
	struct nc_vring_desc raw, d;
	uint32_t n, i = 0, seen = 0;

	if (len == 0 || len % sizeof(raw) != 0 || len / sizeof(raw) > NC_INDIRECT_MAX) {
		s->ch.bad = true;
		return;
	}
	n = len / sizeof(raw);
	for (;;) {
		if (seen++ == n ||
		    nc_mem_read(nc, addr + (uint64_t)i * sizeof(raw), &raw, sizeof(raw)) != 0) {
			s->ch.bad = true;	/* loop, or table outside memory */
			return;
		}
		read_desc(&raw, &d);
		if (d.flags & NC_DESC_F_INDIRECT) {
			s->ch.bad = true;	/* nested indirect */
			return;
		}
		nc_chain_add(nc, s, d.addr, d.len, d.flags & NC_DESC_F_WRITE);
		if (s->ch.bad || !(d.flags & NC_DESC_F_NEXT))
			return;
		i = d.next;
		if (i >= n) {
			s->ch.bad = true;
			return;
		}
	}
}

/* Walk a chain from @head. Errors mark the chain bad; the used entry still goes to @head. */
static void
walk_chain(struct netctrl *nc, struct nc_slot *s, uint16_t head)
{
	uint32_t max = nc->max_chain, seen = 0;
	uint16_t i = head;
	struct nc_vring_desc d;

	for (;;) {
		if (seen++ == max) {
			s->ch.bad = true;	/* loop or over-long chain */
			return;
		}
		read_desc(&nc->split.desc[i], &d);
		if (d.flags & NC_DESC_F_INDIRECT) {
			if (!nc->indirect || (d.flags & NC_DESC_F_NEXT))
				s->ch.bad = true;
			else
				walk_indirect(nc, s, d.addr, d.len);
			return;
		}
		nc_chain_add(nc, s, d.addr, d.len, d.flags & NC_DESC_F_WRITE);
		if (s->ch.bad || !(d.flags & NC_DESC_F_NEXT))
			return;
		i = d.next;
		if (i >= nc->size) {
			s->ch.bad = true;
			return;
		}
	}
}

static int
split_pop(struct netctrl *nc, struct nc_slot *s)
{
	struct nc_vring_avail *avail = nc->split.avail;
	uint16_t idx, head;

	idx = le16toh(__atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE));
	if (idx == nc->split.last_avail && nc->event_idx) {
		/* Ask for a kick at the next entry, then look again: an entry added before the
		 * driver saw our avail_event would otherwise wait for a kick that never comes.
		 */
		nc_wr16(avail_event_ptr(nc), nc->split.last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		idx = le16toh(__atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE));
	}
	if (idx == nc->split.last_avail)
		return 0;
	if ((uint16_t)(idx - nc->split.last_avail) > nc->size)
		return -EIO;	/* the driver claims more entries than the ring holds */
	head = nc_rd16(&avail->ring[nc->split.last_avail & (nc->size - 1)]);
	if (head >= nc->size)
		return -EIO;	/* no valid id to complete it with */
	nc->split.last_avail++;
	s->ch.id = head;
	s->ch.ndesc = 1;
	walk_chain(nc, s, head);
	return 1;
}

static void
split_push(struct netctrl *nc, const struct nc_chain *ch, uint32_t len)
{
	struct nc_vring_used *used = nc->split.used;
	struct nc_vring_used_elem *e = &used->ring[nc->split.used_idx & (nc->size - 1)];

	nc_wr32(&e->id, ch->id);
	nc_wr32(&e->len, len);
	nc->split.used_idx++;
	/* release: the element (and the ack bytes written before) are visible before the index */
	__atomic_store_n(&used->idx, htole16(nc->split.used_idx), __ATOMIC_RELEASE);
}

static bool
split_need_notify(struct netctrl *nc)
{
	uint16_t old = nc->signalled, cur = nc->split.used_idx;
	bool valid = nc->signalled_valid;

	/* the used index store must be visible before we read the driver's wishes */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	nc->signalled = cur;
	nc->signalled_valid = true;
	if (!nc->event_idx)
		return !(nc_rd16(&nc->split.avail->flags) & NC_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	return nc_need_event(nc_rd16(used_event_ptr(nc)), cur, old);
}

static uint16_t
split_base(const struct netctrl *nc)
{
	return nc->split.last_avail;
}

const struct nc_ring_ops nc_split_ops = {
	.pop = split_pop,
	.push = split_push,
	.need_notify = split_need_notify,
	.base = split_base,
};
