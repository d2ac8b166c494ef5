/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory: the region table, bounds-checked copies in and out, and the chain gatherer that
 * every ring layout feeds with (address, length, writable) triples. This is the only place that
 * turns a guest address into a host pointer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netctrl_priv.h"

/*
 * Find the region holding @gpa; returns its index or -1. The caller serialises calls (single
 * engine thread), so the hint needs no atomics.
 */
static int
region_find(struct netctrl *nc, uint64_t gpa)
{
	const struct netctrl_mem_region *r;
	unsigned int i;

	if (nc->last_region < nc->nregions) {
		r = &nc->regions[nc->last_region];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return (int)nc->last_region;
	}
	for (i = 0; i < nc->nregions; i++) {
		r = &nc->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			nc->last_region = i;
			return (int)i;
		}
	}
	return -1;
}

/*
 * Host pointer of @gpa and how many bytes follow it in the same region (*avail), or NULL.
 */
static uint8_t *
translate(struct netctrl *nc, uint64_t gpa, uint64_t *avail)
{
	int i = region_find(nc, gpa);
	const struct netctrl_mem_region *r;

	if (i < 0)
		return NULL;
	r = &nc->regions[i];
	*avail = r->size - (gpa - r->gpa);
	return (uint8_t *)r->hva + (gpa - r->gpa);
}

/* Return: true when [gpa, gpa + len) lies in guest memory (possibly over several regions). */
bool
nc_mem_ok(struct netctrl *nc, uint64_t gpa, uint64_t len)
{
	uint64_t avail;

	if (len > UINT64_MAX - gpa)
		return false;
	while (len > 0) {
		if (translate(nc, gpa, &avail) == NULL)
			return false;
		if (avail >= len)
			return true;
		gpa += avail;
		len -= avail;
	}
	return true;
}

/* Copy guest bytes out. Return: 0, or -EFAULT when any byte is outside the regions. */
int
nc_mem_read(struct netctrl *nc, uint64_t gpa, void *dst, uint32_t len)
{
	uint8_t *d = dst, *p;
	uint64_t avail, n;

	if (!nc_mem_ok(nc, gpa, len))
		return -EFAULT;
	while (len > 0) {
		p = translate(nc, gpa, &avail);
		n = avail < len ? avail : len;
		memcpy(d, p, n);
		d += n;
		gpa += n;
		len -= (uint32_t)n;
	}
	return 0;
}

/* Copy bytes into guest memory. Return: 0, or -EFAULT (nothing written). */
int
nc_mem_write(struct netctrl *nc, uint64_t gpa, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint64_t avail, n;
	uint8_t *p;

	if (!nc_mem_ok(nc, gpa, len))
		return -EFAULT;
	while (len > 0) {
		p = translate(nc, gpa, &avail);
		n = avail < len ? avail : len;
		memcpy(p, s, n);
		s += n;
		gpa += n;
		len -= (uint32_t)n;
	}
	return 0;
}

int
netctrl_set_mem(struct netctrl *nc, const struct netctrl_mem_region *regions, unsigned int n)
{
	struct netctrl_mem_region *copy = NULL;
	unsigned int i, j;

	if (nc == NULL || (n > 0 && regions == NULL))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct netctrl_mem_region *a = &regions[i];

		if (a->size == 0 || a->hva == NULL || a->size - 1 > UINT64_MAX - a->gpa)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			const struct netctrl_mem_region *b = &regions[j];

			if (a->gpa <= b->gpa + (b->size - 1) && b->gpa <= a->gpa + (a->size - 1))
				return -EINVAL;
		}
	}
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (copy == NULL)
			return -ENOMEM;
		memcpy(copy, regions, n * sizeof(*copy));
	}
	free(nc->regions);
	nc->regions = copy;
	nc->nregions = n;
	nc->last_region = 0;
	return 0;
}

void
nc_chain_init(struct nc_slot *s)
{
	memset(&s->ch, 0, sizeof(s->ch));
	s->data_len = 0;
	s->res_len = 0;
	s->ack = NC_ACK_ERR;
	s->cmd_id = NETCTRL_CMD_OTHER;
}

/*
 * Add one buffer of a chain. Readable bytes are copied into the slot buffer at once (the guest
 * may change them later; we validate our copy). Writable buffers are only remembered: the ack
 * and result are written at publication. Framing rules checked here: no readable buffer after a
 * writable one; every byte inside guest memory.
 */
void
nc_chain_add(struct netctrl *nc, struct nc_slot *s, uint64_t gpa, uint32_t len, bool write)
{
	struct nc_chain *ch = &s->ch;
	uint32_t room = nc->cfg.max_cmd_len + (uint32_t)sizeof(struct nc_ctrl_hdr);
	uint32_t want;

	if (ch->bad)
		return;
	if (!write) {
		if (ch->seen_write) {
			ch->bad = true;
			return;
		}
		if (len == 0)
			return;
		if (ch->too_long || len > room - ch->rlen) {
			ch->too_long = true;
			ch->rlen = room;
			return;
		}
		if (nc_mem_read(nc, gpa, s->buf + ch->rlen, len) != 0)
			ch->mem_fault = true;
		ch->rlen += len;
		return;
	}
	ch->seen_write = true;
	if (len == 0 || ch->wstop)
		return;
	/* The ack is the first writable byte and the result follows it: once a writable buffer
	 * cannot be reached, later ones would put bytes at the wrong offset.
	 */
	if (!nc_mem_ok(nc, gpa, len) || ch->nwseg == NC_WSEG_MAX) {
		ch->wstop = true;
		return;
	}
	want = 1 + NC_RESULT_MAX - ch->wcap;
	if (want == 0) {
		ch->wstop = true;
		return;
	}
	ch->wseg[ch->nwseg].gpa = gpa;
	ch->wseg[ch->nwseg].len = len < want ? len : want;
	ch->wcap += ch->wseg[ch->nwseg].len;
	ch->nwseg++;
}
