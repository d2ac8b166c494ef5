/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VU_RING_PRIV_H
#define VU_RING_PRIV_H

/*
 * Driver-side ring state shared by vu_ring.c (common part: ids, eventfds, indirect tables) and
 * the two layouts (vu_split.c, vu_packed.c). Wire structures are defined here, independently of
 * lib/netctrl.
 */
#include "vu_frontend.h"

struct vu_desc {		/* split descriptor and indirect table entry */
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vu_pdesc {		/* packed descriptor */
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

#define VU_PDESC_F_AVAIL (1u << 7)
#define VU_PDESC_F_USED (1u << 15)
#define VU_AVAIL_F_NO_INTERRUPT 1
#define VU_USED_F_NO_NOTIFY 1
#define VU_EVENT_ENABLE 0
#define VU_EVENT_DISABLE 1
#define VU_EVENT_DESC 2

/* One chain in flight, indexed by split head slot / packed buffer id. */
struct vu_flight {
	bool busy;
	uint16_t ndesc;		/* descriptors (slots) it holds */
};

struct vu_ring {
	struct vu_ring_params p;
	struct vu_mem *mem;
	int kickfd, callfd;
	/* split */
	struct vu_desc *desc;
	uint16_t *avail;	/* flags, idx, ring[size], used_event */
	volatile uint16_t *used_hdr;	/* flags, idx */
	uint32_t *used_ring;	/* {id, len} pairs */
	uint16_t *avail_event;
	uint16_t *shadow_next;	/* our copy of each slot's next link */
	uint16_t free_head;
	uint16_t avail_idx;	/* next avail index to publish */
	uint16_t kicked_idx;	/* avail index at the last kick */
	uint16_t last_used;
	/* packed */
	struct vu_pdesc *pdesc;
	uint16_t *drv_event;	/* off_wrap, flags */
	volatile uint16_t *dev_event;
	uint16_t next_avail;
	bool avail_wrap;
	uint16_t next_used;
	bool used_wrap;
	uint16_t *free_ids;	/* stack of free buffer ids */
	uint16_t nfree_ids;
	/* common */
	uint16_t nfree;		/* free descriptor slots (excluding the raw reserve) */
	unsigned int inflight;
	struct vu_flight *flight;
	uint8_t *indir;		/* per id: VU_MAX_SEGS descriptors */
	uint64_t indir_gpa;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool interrupts;
};

#define vu_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define vu_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Write the indirect table of @id for @s; @d becomes the one descriptor pointing at it. */
void vu_ring_fill_indirect(struct vu_ring *r, uint16_t id, const struct vu_seg *s,
			   unsigned int n, struct vu_desc *d);

int vu_split_init(struct vu_ring *r);
int vu_split_add(struct vu_ring *r, const struct vu_seg *s, unsigned int n, bool indirect,
		 uint16_t *id);
int vu_split_add_raw(struct vu_ring *r, const struct vu_rawdesc *d, unsigned int n,
		     uint16_t head);
int vu_split_used(struct vu_ring *r, uint16_t *id, uint32_t *len);
bool vu_split_want_kick(struct vu_ring *r);
void vu_split_interrupts(struct vu_ring *r, bool on);

int vu_packed_init(struct vu_ring *r);
int vu_packed_add(struct vu_ring *r, const struct vu_seg *s, unsigned int n, bool indirect,
		  uint16_t *id);
int vu_packed_add_raw(struct vu_ring *r, const struct vu_rawdesc *d, unsigned int n);
int vu_packed_used(struct vu_ring *r, uint16_t *id, uint32_t *len);
bool vu_packed_want_kick(struct vu_ring *r);
void vu_packed_interrupts(struct vu_ring *r, bool on);

#endif /* VU_RING_PRIV_H */
