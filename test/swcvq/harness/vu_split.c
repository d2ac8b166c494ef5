/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split ring, driver side. Descriptor slots come from a free list kept in host memory (the
 * device may scribble on the ring, never on our bookkeeping); the top VU_RAW_SLOTS slots are
 * reserved for raw adversarial chains.
 *
 * Ordering with the device: descriptors and the avail ring entry are written before avail->idx,
 * which is stored with release; used->idx is loaded with acquire before the used element is
 * read; vu_ring_kick() puts a full fence between publishing and reading the device's
 * notification suppression.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vu_ring_priv.h"

int
vu_split_init(struct vu_ring *r)
{
	uint16_t q = r->p.size, i, nslots = (uint16_t)(q - VU_RAW_SLOTS);
	uint8_t *u;

	r->desc = vu_mem_alloc(r->mem, (size_t)q * sizeof(struct vu_desc), 4096, &r->desc_gpa);
	r->avail = vu_mem_alloc(r->mem, 6 + 2 * (size_t)q, 4096, &r->avail_gpa);
	u = vu_mem_alloc(r->mem, 6 + 8 * (size_t)q, 4096, &r->used_gpa);
	r->shadow_next = calloc(q, sizeof(uint16_t));
	if (r->desc == NULL || r->avail == NULL || u == NULL)
		return -ENOMEM;
	if (r->shadow_next == NULL)
		return -ENOMEM;
	r->used_hdr = (volatile uint16_t *)u;
	r->used_ring = (uint32_t *)(u + 4);
	r->avail_event = (uint16_t *)(u + 4 + 8 * (size_t)q);
	for (i = 0; i < nslots; i++)
		r->shadow_next[i] = (uint16_t)(i + 1);
	r->free_head = 0;
	r->nfree = nslots;
	return 0;
}

static void
publish(struct vu_ring *r, uint16_t head)
{
	uint16_t q = r->p.size;

	r->avail[2 + (r->avail_idx & (q - 1))] = head;
	r->avail_idx++;
	vu_store_release(&r->avail[1], r->avail_idx);
	r->inflight++;
}

int
vu_split_add(struct vu_ring *r, const struct vu_seg *s, unsigned int n, bool indirect,
	     uint16_t *id)
{
	unsigned int need = indirect ? 1 : n, i;
	uint16_t head = r->free_head, slot = head, last = head;
	struct vu_desc d;

	if (need > r->nfree)
		return -ENOSPC;
	if (indirect) {
		vu_ring_fill_indirect(r, head, s, n, &d);
		r->desc[head] = d;
		last = head;
	} else {
		for (i = 0; i < n; i++) {
			r->desc[slot].addr = s[i].gpa;
			r->desc[slot].len = s[i].len;
			r->desc[slot].flags = (uint16_t)((s[i].write ? VU_DESC_F_WRITE : 0) |
							 (i + 1 < n ? VU_DESC_F_NEXT : 0));
			r->desc[slot].next = r->shadow_next[slot];
			last = slot;
			slot = r->shadow_next[slot];
		}
	}
	r->free_head = r->shadow_next[last];
	r->nfree = (uint16_t)(r->nfree - need);
	r->flight[head].busy = true;
	r->flight[head].ndesc = (uint16_t)need;
	*id = head;
	publish(r, head);
	return 0;
}

int
vu_split_add_raw(struct vu_ring *r, const struct vu_rawdesc *d, unsigned int n, uint16_t head)
{
	unsigned int i;
	uint16_t slot;

	for (i = 0; i < n; i++) {
		slot = vu_ring_raw_slot(r, i);
		r->desc[slot].addr = d[i].addr;
		r->desc[slot].len = d[i].len;
		r->desc[slot].flags = d[i].flags;
		r->desc[slot].next = d[i].next;
	}
	/* a raw head holds no free-list slots: ndesc 0 */
	if (head < r->p.size && head >= r->p.size - VU_RAW_SLOTS) {
		r->flight[head].busy = true;
		r->flight[head].ndesc = 0;
	}
	publish(r, head);
	return 0;
}

int
vu_split_used(struct vu_ring *r, uint16_t *id, uint32_t *len)
{
	uint16_t q = r->p.size, idx, slot, k;
	uint32_t e_id, e_len;

	idx = vu_load_acquire(&r->used_hdr[1]);
	if (idx == r->last_used)
		return 0;
	/* more used entries than chains ever made available is a device bug */
	if ((uint16_t)(idx - r->last_used) > r->inflight)
		return -EPROTO;
	e_id = r->used_ring[2 * (r->last_used & (q - 1))];
	e_len = r->used_ring[2 * (r->last_used & (q - 1)) + 1];
	if (e_id >= q || !r->flight[e_id].busy)
		return -EPROTO;
	r->last_used++;
	r->inflight--;
	r->flight[e_id].busy = false;
	/* give the chain's slots back, following our own links */
	slot = (uint16_t)e_id;
	for (k = 1; k < r->flight[e_id].ndesc; k++)
		slot = r->shadow_next[slot];
	if (r->flight[e_id].ndesc > 0) {
		r->shadow_next[slot] = r->free_head;
		r->free_head = (uint16_t)e_id;
		r->nfree = (uint16_t)(r->nfree + r->flight[e_id].ndesc);
	}
	if (r->p.event_idx && r->interrupts)
		r->avail[2 + q] = r->last_used;	/* used_event: next entry wanted */
	*id = (uint16_t)e_id;
	*len = e_len;
	return 1;
}

bool
vu_split_want_kick(struct vu_ring *r)
{
	uint16_t ev, new_idx = r->avail_idx, old = r->kicked_idx;

	if (r->p.event_idx) {
		ev = __atomic_load_n(r->avail_event, __ATOMIC_RELAXED);
		return (uint16_t)(new_idx - ev - 1) < (uint16_t)(new_idx - old);
	}
	return !(r->used_hdr[0] & VU_USED_F_NO_NOTIFY);
}

void
vu_split_interrupts(struct vu_ring *r, bool on)
{
	r->avail[0] = on ? 0 : VU_AVAIL_F_NO_INTERRUPT;
	/* with EVENT_IDX, park used_event half a ring away to silence the device */
	r->avail[2 + r->p.size] = on ? r->last_used : (uint16_t)(r->last_used + 0x8000);
}
