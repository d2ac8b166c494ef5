/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device side of a data virtqueue: pop a chain, push a used entry, notify; and guest-memory
 * copies. Layouts come from lib/netctrl's wire definitions (netctrl_virtio.h).
 */
#include <string.h>
#include <unistd.h>

#include <netctrl_virtio.h>

#include "swcvq_vring.h"

#define WRAP_BIT 0x8000u
#define IDX_MASK 0x7fffu

void *
swcvq_mem_ptr(const struct swcvq_mem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct netctrl_mem_region *r = &m->r[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return (uint8_t *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

/* Copy between a guest range and host memory, region by region (a buffer may span regions). */
static int
mem_copy(const struct swcvq_mem *m, uint64_t gpa, void *host, uint32_t len, bool to_guest)
{
	uint8_t *h = host;

	while (len > 0) {
		const struct netctrl_mem_region *r = NULL;
		uint64_t off, chunk;
		unsigned int i;

		for (i = 0; i < m->n; i++)
			if (gpa >= m->r[i].gpa && gpa - m->r[i].gpa < m->r[i].size) {
				r = &m->r[i];
				break;
			}
		if (r == NULL)
			return -1;
		off = gpa - r->gpa;
		chunk = r->size - off;
		if (chunk > len)
			chunk = len;
		if (to_guest)
			memcpy((uint8_t *)r->hva + off, h, chunk);
		else
			memcpy(h, (uint8_t *)r->hva + off, chunk);
		h += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int
swcvq_chain_read(const struct swcvq_mem *m, const struct swcvq_chain *ch, uint32_t skip,
		 void *dst, uint32_t cap)
{
	uint32_t done = 0;
	unsigned int i;

	for (i = 0; i < ch->nseg && !ch->seg[i].write; i++) {
		uint32_t len = ch->seg[i].len;
		uint64_t gpa = ch->seg[i].gpa;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		gpa += skip;
		len -= skip;
		skip = 0;
		if (len > cap - done)
			return -1;
		if (mem_copy(m, gpa, (uint8_t *)dst + done, len, false) != 0)
			return -1;
		done += len;
	}
	return (int)done;
}

int
swcvq_chain_write(const struct swcvq_mem *m, const struct swcvq_chain *ch, const void *src,
		  uint32_t len)
{
	uint64_t room = 0;
	const uint8_t *s = src;
	unsigned int i;

	/* Check the room first so that a short chain gets nothing at all. */
	for (i = 0; i < ch->nseg; i++)
		if (ch->seg[i].write)
			room += ch->seg[i].len;
	if (room < len)
		return -1;
	for (i = 0; i < ch->nseg && len > 0; i++) {
		uint32_t n;

		if (!ch->seg[i].write)
			continue;
		n = ch->seg[i].len < len ? ch->seg[i].len : len;
		if (mem_copy(m, ch->seg[i].gpa, (void *)(uintptr_t)s, n, true) != 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

static void
chain_add(struct swcvq_chain *ch, uint64_t addr, uint32_t len, uint16_t flags)
{
	bool write = flags & NC_DESC_F_WRITE;

	if (ch->nseg == SWCVQ_CHAIN_MAX || (flags & NC_DESC_F_INDIRECT) ||
	    (!write && ch->nseg > 0 && ch->seg[ch->nseg - 1].write)) {
		/* Indirect inside a table is forbidden; so is readable after writable. */
		ch->bad = true;
		return;
	}
	ch->seg[ch->nseg].gpa = addr;
	ch->seg[ch->nseg].len = len;
	ch->seg[ch->nseg].write = write;
	ch->nseg++;
}

/*
 * Append the buffers of an indirect table at guest address @p addr, @p len bytes. The table is
 * used in place (it is the driver's until the chain is used); it must be a whole number of
 * 16-byte descriptors, at most SWCVQ_CHAIN_MAX of them, in one memory region. Split tables are
 * walked through their next fields (bounded by the table size), packed tables in order.
 */
static void
indirect_add(const struct swcvq_vring *vr, struct swcvq_chain *ch, uint64_t addr, uint32_t len)
{
	unsigned int n = len / 16, i, walked;
	const void *tab;

	if (vr->mem == NULL || len == 0 || len % 16 != 0 || n > SWCVQ_CHAIN_MAX ||
	    ch->nseg > 0 || (tab = swcvq_mem_ptr(vr->mem, addr, len)) == NULL) {
		ch->bad = true;
		return;
	}
	if (vr->packed) {
		const struct nc_vring_packed_desc *d = tab;

		for (i = 0; i < n && !ch->bad; i++)
			chain_add(ch, d[i].addr, d[i].len, d[i].flags & ~NC_DESC_F_NEXT);
		return;
	}
	const struct nc_vring_desc *d = tab;

	for (i = 0, walked = 0; !ch->bad; walked++) {
		if (walked == n || i >= n) {
			ch->bad = true;
			return;
		}
		chain_add(ch, d[i].addr, d[i].len, d[i].flags & ~NC_DESC_F_NEXT);
		if (!(d[i].flags & NC_DESC_F_NEXT))
			return;
		i = d[i].next;
	}
}

/* One ring descriptor of a chain: a buffer, or (alone in its chain) an indirect table. */
static void
desc_add(const struct swcvq_vring *vr, struct swcvq_chain *ch, uint64_t addr, uint32_t len,
	 uint16_t flags)
{
	if (!(flags & NC_DESC_F_INDIRECT)) {
		chain_add(ch, addr, len, flags);
		return;
	}
	/* The spec forbids INDIRECT with NEXT and after other descriptors of the chain. */
	if ((flags & NC_DESC_F_NEXT) || ch->nseg > 0)
		ch->bad = true;
	else
		indirect_add(vr, ch, addr, len);
}

static int
split_pop(struct swcvq_vring *vr, struct swcvq_chain *ch)
{
	struct nc_vring_avail *avail = vr->avail;
	const struct nc_vring_desc *desc = vr->desc;
	uint16_t avail_idx, idx;
	unsigned int walked;

	/* Acquire: the ring entry and the descriptors were written before the index. */
	avail_idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vr->last_avail)
		return 0;
	ch->head = avail->ring[vr->last_avail & (vr->size - 1)];
	vr->last_avail++;
	ch->nseg = 0;
	ch->ndesc = 1;
	ch->bad = ch->head >= vr->size;
	idx = ch->head;
	for (walked = 0; !ch->bad; walked++) {
		const struct nc_vring_desc *d;

		if (walked == vr->size || idx >= vr->size) {
			ch->bad = true;
			break;
		}
		d = &desc[idx];
		desc_add(vr, ch, d->addr, d->len, d->flags);
		if (!(d->flags & NC_DESC_F_NEXT))
			break;
		idx = d->next;
	}
	if (ch->head >= vr->size)
		ch->head = 0;	/* still answer something the guest can match */
	return 1;
}

static void
split_push(struct swcvq_vring *vr, const struct swcvq_chain *ch, uint32_t len)
{
	struct nc_vring_used *used = vr->used;
	struct nc_vring_used_elem *e = &used->ring[vr->last_used & (vr->size - 1)];

	e->id = ch->head;
	e->len = len;
	vr->last_used++;
	/* Release: the element (and the buffer contents) before the index the guest polls. */
	__atomic_store_n(&used->idx, vr->last_used, __ATOMIC_RELEASE);
}

static bool
packed_avail(const struct nc_vring_packed_desc *d, bool wrap)
{
	uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);

	return !!(flags & NC_DESC_F_AVAIL) == wrap && !!(flags & NC_DESC_F_USED) != wrap;
}

static int
packed_pop(struct swcvq_vring *vr, struct swcvq_chain *ch)
{
	const struct nc_vring_packed_desc *desc = vr->desc;
	uint16_t idx = vr->last_avail & IDX_MASK;
	bool wrap = vr->last_avail & WRAP_BIT;
	const struct nc_vring_packed_desc *d;

	if (idx >= vr->size || !packed_avail(&desc[idx], wrap))
		return 0;
	ch->nseg = 0;
	ch->ndesc = 0;
	ch->bad = false;
	for (;;) {
		uint16_t flags;

		d = &desc[idx];
		/* Later descriptors of a chain are made available before the head; only the head
		 * needs the acquire above, but a torn chain is still checked. */
		if (ch->ndesc > 0 && !packed_avail(d, wrap)) {
			ch->bad = true;
			break;
		}
		flags = d->flags;
		desc_add(vr, ch, d->addr, d->len, flags);
		ch->head = d->id;
		ch->ndesc++;
		if (++idx == vr->size) {
			idx = 0;
			wrap = !wrap;
		}
		if (!(flags & NC_DESC_F_NEXT))
			break;
		if (ch->ndesc == vr->size) {
			ch->bad = true;
			break;
		}
	}
	vr->last_avail = idx | (wrap ? WRAP_BIT : 0);
	return 1;
}

static void
packed_push(struct swcvq_vring *vr, const struct swcvq_chain *ch, uint32_t len)
{
	struct nc_vring_packed_desc *desc = vr->desc;
	uint16_t idx = vr->last_used & IDX_MASK;
	bool wrap = vr->last_used & WRAP_BIT;
	uint16_t flags = wrap ? (NC_DESC_F_AVAIL | NC_DESC_F_USED) : 0;

	desc[idx].id = ch->head;
	desc[idx].len = len;
	/* Release: id, len and the buffer before the flags that hand the slot back. */
	__atomic_store_n(&desc[idx].flags, flags, __ATOMIC_RELEASE);
	idx += ch->ndesc;
	if (idx >= vr->size) {
		idx -= vr->size;
		wrap = !wrap;
	}
	vr->last_used = idx | (wrap ? WRAP_BIT : 0);
}

int
swcvq_vring_pop(struct swcvq_vring *vr, struct swcvq_chain *ch)
{
	if (vr->desc == NULL || vr->size == 0)
		return 0;
	return vr->packed ? packed_pop(vr, ch) : split_pop(vr, ch);
}

void
swcvq_vring_push(struct swcvq_vring *vr, const struct swcvq_chain *ch, uint32_t len)
{
	if (vr->packed)
		packed_push(vr, ch, len);
	else
		split_push(vr, ch, len);
}

void
swcvq_vring_notify(struct swcvq_vring *vr)
{
	uint64_t one = 1;
	bool quiet;

	/* Full barrier: the used index store must be visible before the flags are read, or a
	 * guest re-enabling interrupts in between would miss this notification. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vr->packed) {
		const struct nc_vring_packed_event *ev = vr->avail;

		quiet = __atomic_load_n(&ev->flags, __ATOMIC_RELAXED) == NC_EVENT_DISABLE;
	} else {
		const struct nc_vring_avail *av = vr->avail;

		quiet = __atomic_load_n(&av->flags, __ATOMIC_RELAXED) & NC_AVAIL_F_NO_INTERRUPT;
	}
	if (quiet || vr->callfd < 0)
		return;
	if (write(vr->callfd, &one, sizeof(one)) == sizeof(one))
		vr->notifies++;
}
