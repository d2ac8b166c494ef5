/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed ring, device side. A descriptor is available when its AVAIL bit equals the driver wrap
 * counter and its USED bit does not. The device writes one used descriptor per chain, at its own
 * position, in completion order, then moves on by the number of descriptors the chain used.
 *
 * Memory ordering: the first descriptor's flags are read with acquire (the driver makes the head
 * available last, so every other field of the chain is visible after it); a used descriptor's
 * id and len are written before its flags, which are stored with release; a full fence separates
 * that store from reading the driver's event suppression area.
 */
#include <errno.h>

#include "netctrl_priv.h"

static inline bool
desc_avail(uint16_t flags, bool wrap)
{
	return !!(flags & NC_DESC_F_AVAIL) == wrap && !!(flags & NC_DESC_F_USED) != wrap;
}

/*
 * Walk an indirect table of packed descriptors: entries in order. WRITE is the only valid flag
 * there; the spec makes the others reserved and ignored by the device, so NEXT or INDIRECT set
 * by a driver change nothing (no chaining, no nesting).
 */
static void
walk_indirect(struct netctrl *nc, struct nc_slot *s, uint64_t addr, uint32_t len)
{
	struct nc_vring_packed_desc raw;
	uint32_t n, i;
	uint16_t flags;

	if (len == 0 || len % sizeof(raw) != 0 || len / sizeof(raw) > NC_INDIRECT_MAX) {
		s->ch.bad = true;
		return;
	}
	n = len / sizeof(raw);
	for (i = 0; i < n && !s->ch.bad; i++) {
		if (nc_mem_read(nc, addr + (uint64_t)i * sizeof(raw), &raw, sizeof(raw)) != 0) {
			s->ch.bad = true;
			return;
		}
		flags = le16toh(raw.flags);
		nc_chain_add(nc, s, le64toh(raw.addr), le32toh(raw.len), flags & NC_DESC_F_WRITE);
	}
}

static int
packed_pop(struct netctrl *nc, struct nc_slot *s)
{
	struct nc_vring_packed_desc *ring = nc->packed.desc;
	uint16_t i = nc->packed.avail_idx, flags, n = 0;
	bool wrap = nc->packed.avail_wrap;
	const struct nc_vring_packed_desc *d;

	flags = le16toh(__atomic_load_n(&ring[i].flags, __ATOMIC_ACQUIRE));
	if (!desc_avail(flags, wrap))
		return 0;
	/* One pass over the ring part of the chain: each descriptor is read once. The chain ends
	 * at the first descriptor without NEXT, which carries the buffer id; a chain longer than
	 * the ring has no end we can trust.
	 */
	for (;;) {
		d = &ring[i];
		if (n > 0)
			flags = nc_rd16(&d->flags);
		if (++n > nc->size || n > nc->max_chain)
			return -EIO;
		if (flags & NC_DESC_F_INDIRECT) {
			if (!nc->indirect || (flags & NC_DESC_F_NEXT))
				s->ch.bad = true;
			else if (!s->ch.bad)
				walk_indirect(nc, s, nc_rd64(&d->addr), nc_rd32(&d->len));
		} else {
			nc_chain_add(nc, s, nc_rd64(&d->addr), nc_rd32(&d->len),
				     flags & NC_DESC_F_WRITE);
		}
		if (++i == nc->size) {
			i = 0;
			wrap = !wrap;
		}
		if (!(flags & NC_DESC_F_NEXT)) {
			s->ch.id = nc_rd16(&d->id);
			break;
		}
	}
	s->ch.ndesc = n;
	nc->packed.avail_idx = i;
	nc->packed.avail_wrap = wrap;
	return 1;
}

static void
packed_push(struct netctrl *nc, const struct nc_chain *ch, uint32_t len)
{
	struct nc_vring_packed_desc *d = &nc->packed.desc[nc->packed.used_idx];
	uint16_t flags = nc->packed.used_wrap ? (NC_DESC_F_AVAIL | NC_DESC_F_USED) : 0;

	nc_wr16(&d->id, ch->id);
	nc_wr32(&d->len, len);
	if (len > 0)
		flags |= NC_DESC_F_WRITE;
	/* release: id, len and the ack bytes are visible before the descriptor turns used */
	__atomic_store_n(&d->flags, htole16(flags), __ATOMIC_RELEASE);
	nc->packed.used_idx += ch->ndesc;
	if (nc->packed.used_idx >= nc->size) {
		nc->packed.used_idx -= nc->size;
		nc->packed.used_wrap = !nc->packed.used_wrap;
	}
}

static bool
packed_need_notify(struct netctrl *nc)
{
	uint16_t old = nc->signalled, cur = nc->packed.used_idx, off_wrap, off, flags;
	bool valid = nc->signalled_valid;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	nc->signalled = cur;
	nc->signalled_valid = true;
	flags = nc_rd16(&nc->packed.drv->flags) & 3;
	if (flags == NC_EVENT_DISABLE)
		return false;
	if (flags != NC_EVENT_DESC || !nc->event_idx)
		return true;	/* ENABLE, or DESC without EVENT_IDX (reserved): be safe */
	if (!valid)
		return true;
	off_wrap = nc_rd16(&nc->packed.drv->off_wrap);
	off = off_wrap & 0x7fff;
	/* Positions are 0..size-1 within a lap: unfold the old position and the event offset into
	 * the current lap so the free-running event test applies.
	 */
	if (cur <= old)
		old -= nc->size;
	if (!!(off_wrap >> 15) != nc->packed.used_wrap)
		off -= nc->size;
	return nc_need_event(off, cur, old);
}

static uint16_t
packed_base(const struct netctrl *nc)
{
	return nc->packed.avail_idx | (nc->packed.avail_wrap ? 0x8000 : 0);
}

const struct nc_ring_ops nc_packed_ops = {
	.pop = packed_pop,
	.push = packed_push,
	.need_notify = packed_need_notify,
	.base = packed_base,
};
