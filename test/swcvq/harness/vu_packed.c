/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring, driver side. Buffer ids come from a stack in host memory; descriptors are
 * written at consecutive ring positions, the chain's first descriptor last, with its flags
 * stored with release so that the device sees a complete chain once the first one is
 * available. Used descriptors are recognised by AVAIL == USED == our used wrap counter, read
 * with acquire before the id and length. The top VU_RAW_SLOTS ids are reserved for raw chains.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vu_ring_priv.h"

int
vu_packed_init(struct vu_ring *r)
{
	uint16_t q = r->p.size, i, nids = (uint16_t)(q - VU_RAW_SLOTS);
	uint64_t gpa;

	r->pdesc = vu_mem_alloc(r->mem, (size_t)q * sizeof(struct vu_pdesc), 4096, &r->desc_gpa);
	r->drv_event = vu_mem_alloc(r->mem, 4, 64, &r->avail_gpa);
	r->dev_event = vu_mem_alloc(r->mem, 4, 64, &gpa);
	r->used_gpa = gpa;
	r->free_ids = calloc(q, sizeof(uint16_t));
	if (r->pdesc == NULL || r->drv_event == NULL || r->dev_event == NULL ||
	    r->free_ids == NULL)
		return -ENOMEM;
	for (i = 0; i < nids; i++)
		r->free_ids[i] = (uint16_t)(nids - 1 - i);
	r->nfree_ids = nids;
	r->nfree = q;
	r->avail_wrap = true;
	r->used_wrap = true;
	return 0;
}

static uint16_t
avail_flags(const struct vu_ring *r)
{
	return r->avail_wrap ? VU_PDESC_F_AVAIL : VU_PDESC_F_USED;
}

/* Write n descriptors at the ring head, the first one last. */
static void
write_chain(struct vu_ring *r, const struct vu_pdesc *d, unsigned int n)
{
	uint16_t first = r->next_avail, first_flags = 0, pos;
	unsigned int i;

	for (i = 0; i < n; i++) {
		pos = r->next_avail;
		r->pdesc[pos].addr = d[i].addr;
		r->pdesc[pos].len = d[i].len;
		r->pdesc[pos].id = d[i].id;
		if (i == 0)
			first_flags = (uint16_t)(d[i].flags | avail_flags(r));
		else
			r->pdesc[pos].flags = (uint16_t)(d[i].flags | avail_flags(r));
		if (++r->next_avail == r->p.size) {
			r->next_avail = 0;
			r->avail_wrap = !r->avail_wrap;
		}
	}
	vu_store_release(&r->pdesc[first].flags, first_flags);
	r->avail_idx++;		/* counts chains, for the kick decision */
	r->nfree = (uint16_t)(r->nfree - n);
	r->inflight++;
}

int
vu_packed_add(struct vu_ring *r, const struct vu_seg *s, unsigned int n, bool indirect,
	      uint16_t *id)
{
	struct vu_pdesc d[VU_MAX_SEGS];
	unsigned int need = indirect ? 1 : n, i;
	struct vu_desc ind;
	uint16_t bid;

	if (need > r->nfree || r->nfree_ids == 0)
		return -ENOSPC;
	bid = r->free_ids[--r->nfree_ids];
	if (indirect) {
		vu_ring_fill_indirect(r, bid, s, n, &ind);
		d[0].addr = ind.addr;
		d[0].len = ind.len;
		d[0].id = bid;
		d[0].flags = VU_DESC_F_INDIRECT;
	} else {
		for (i = 0; i < n; i++) {
			d[i].addr = s[i].gpa;
			d[i].len = s[i].len;
			d[i].id = bid;
			d[i].flags = (uint16_t)((s[i].write ? VU_DESC_F_WRITE : 0) |
						(i + 1 < n ? VU_DESC_F_NEXT : 0));
		}
	}
	r->flight[bid].busy = true;
	r->flight[bid].ndesc = (uint16_t)need;
	*id = bid;
	write_chain(r, d, need);
	return 0;
}

int
vu_packed_add_raw(struct vu_ring *r, const struct vu_rawdesc *d, unsigned int n)
{
	struct vu_pdesc p[VU_RAW_SLOTS];
	uint16_t bid = d[n - 1].next;
	unsigned int i;

	if (n > r->nfree)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		p[i].addr = d[i].addr;
		p[i].len = d[i].len;
		p[i].id = d[i].next;
		p[i].flags = d[i].flags & (VU_DESC_F_NEXT | VU_DESC_F_WRITE | VU_DESC_F_INDIRECT);
	}
	if (bid < r->p.size && bid >= r->p.size - VU_RAW_SLOTS) {
		r->flight[bid].busy = true;
		r->flight[bid].ndesc = (uint16_t)n;
	}
	write_chain(r, p, n);
	return 0;
}

int
vu_packed_used(struct vu_ring *r, uint16_t *id, uint32_t *len)
{
	struct vu_pdesc *d = &r->pdesc[r->next_used];
	uint16_t flags = vu_load_acquire(&d->flags), bid, n;
	bool avail = flags & VU_PDESC_F_AVAIL, used = flags & VU_PDESC_F_USED;

	if (avail != used || used != r->used_wrap)
		return 0;
	if (r->inflight == 0)
		return -EPROTO;
	bid = d->id;
	if (bid >= r->p.size || !r->flight[bid].busy)
		return -EPROTO;
	*id = bid;
	*len = d->len;
	n = r->flight[bid].ndesc;
	r->flight[bid].busy = false;
	r->inflight--;
	r->nfree = (uint16_t)(r->nfree + n);
	r->next_used = (uint16_t)(r->next_used + n);
	if (r->next_used >= r->p.size) {
		r->next_used = (uint16_t)(r->next_used - r->p.size);
		r->used_wrap = !r->used_wrap;
	}
	if (bid < r->p.size - VU_RAW_SLOTS)
		r->free_ids[r->nfree_ids++] = bid;
	return 1;
}

bool
vu_packed_want_kick(struct vu_ring *r)
{
	/* DESC mode (a position to kick at) is treated as enabled: an extra kick is harmless */
	return (r->dev_event[1] & 0x3) != VU_EVENT_DISABLE;
}

void
vu_packed_interrupts(struct vu_ring *r, bool on)
{
	r->drv_event[0] = 0;
	vu_store_release(&r->drv_event[1], (uint16_t)(on ? VU_EVENT_ENABLE : VU_EVENT_DISABLE));
}
