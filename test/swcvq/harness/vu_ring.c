/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver side of a virtqueue, common part: creation, vhost-user set-up, eventfds, indirect
 * tables, and dispatch to the split (vu_split.c) or packed (vu_packed.c) layout.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vu_ring_priv.h"

struct vu_ring *
vu_ring_create(struct vu_mem *m, const struct vu_ring_params *p)
{
	struct vu_ring *r;
	int rc, err;

	if (p->size < 16 || p->size > 32768 ||
	    (!p->packed && (p->size & (p->size - 1)) != 0)) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->p = *p;
	r->mem = m;
	r->kickfd = -1;
	r->callfd = -1;
	r->interrupts = p->call_fd;
	r->flight = calloc(p->size, sizeof(*r->flight));
	if (r->flight == NULL)
		goto fail;
	r->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->kickfd < 0)
		goto fail;
	if (p->call_fd) {
		r->callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->callfd < 0)
			goto fail;
	}
	if (p->indirect) {
		r->indir = vu_mem_alloc(m, (size_t)p->size * VU_MAX_SEGS * sizeof(struct vu_desc),
					16, &r->indir_gpa);
		if (r->indir == NULL) {
			errno = ENOMEM;
			goto fail;
		}
	}
	rc = p->packed ? vu_packed_init(r) : vu_split_init(r);
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	vu_ring_set_interrupts(r, p->call_fd);
	return r;
fail:
	err = errno;
	vu_ring_destroy(r);
	errno = err;
	return NULL;
}

void
vu_ring_destroy(struct vu_ring *r)
{
	if (r == NULL)
		return;
	if (r->kickfd >= 0)
		close(r->kickfd);
	if (r->callfd >= 0)
		close(r->callfd);
	free(r->flight);
	free(r->shadow_next);
	free(r->free_ids);
	free(r);
}

uint16_t
vu_ring_base(const struct vu_ring *r)
{
	if (r->p.packed)
		return (uint16_t)(r->next_avail | (r->avail_wrap ? 0x8000 : 0));
	return r->avail_idx;
}

int
vu_ring_setup(struct vu_ring *r, struct vu_conn *c)
{
	uint32_t idx = r->p.index;
	int rc;

	rc = vu_set_vring_state(c, VU_SET_VRING_NUM, idx, r->p.size);
	if (rc == 0)
		rc = vu_set_vring_state(c, VU_SET_VRING_BASE, idx, vu_ring_base(r));
	if (rc == 0)
		rc = vu_set_vring_addr(c, idx, vu_mem_uaddr(r->mem, r->p.packed ?
				       (void *)r->pdesc : (void *)r->desc),
				       vu_mem_uaddr(r->mem, r->p.packed ? (void *)r->dev_event :
						    (void *)r->used_hdr),
				       vu_mem_uaddr(r->mem, r->p.packed ? (void *)r->drv_event :
						    (void *)r->avail));
	if (rc == 0)
		rc = vu_set_vring_fd(c, VU_SET_VRING_KICK, idx, r->kickfd);
	if (rc == 0)
		rc = vu_set_vring_fd(c, VU_SET_VRING_CALL, idx, r->callfd);
	return rc;
}

void
vu_ring_fill_indirect(struct vu_ring *r, uint16_t id, const struct vu_seg *s, unsigned int n,
		      struct vu_desc *d)
{
	size_t tbl = (size_t)VU_MAX_SEGS * sizeof(struct vu_desc);
	uint8_t *base = r->indir + id * tbl;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t wr = s[i].write ? VU_DESC_F_WRITE : 0;

		if (r->p.packed) {
			/* packed tables hold packed descriptors, in order; WRITE the only flag */
			struct vu_pdesc *t = (struct vu_pdesc *)base + i;

			*t = (struct vu_pdesc){ .addr = s[i].gpa, .len = s[i].len, .flags = wr };
		} else {
			struct vu_desc *t = (struct vu_desc *)base + i;
			bool more = i + 1 < n;

			*t = (struct vu_desc){ .addr = s[i].gpa, .len = s[i].len,
				.flags = (uint16_t)(wr | (more ? VU_DESC_F_NEXT : 0)),
				.next = (uint16_t)(more ? i + 1 : 0) };
		}
	}
	d->addr = r->indir_gpa + id * tbl;
	d->len = (uint32_t)(n * sizeof(struct vu_desc));
	d->flags = VU_DESC_F_INDIRECT;
	d->next = 0;
}

int
vu_ring_add(struct vu_ring *r, const struct vu_seg *segs, unsigned int n, bool indirect,
	    uint16_t *id)
{
	if (n == 0 || n > VU_MAX_SEGS || (indirect && r->indir == NULL))
		return -EINVAL;
	return r->p.packed ? vu_packed_add(r, segs, n, indirect, id) :
		vu_split_add(r, segs, n, indirect, id);
}

int
vu_ring_add_raw(struct vu_ring *r, const struct vu_rawdesc *d, unsigned int n,
		uint16_t head_slot)
{
	if (n == 0 || n > VU_RAW_SLOTS)
		return -EINVAL;
	return r->p.packed ? vu_packed_add_raw(r, d, n) : vu_split_add_raw(r, d, n, head_slot);
}

uint16_t
vu_ring_raw_slot(const struct vu_ring *r, unsigned int i)
{
	return (uint16_t)(r->p.size - VU_RAW_SLOTS + i);
}

int
vu_ring_kick(struct vu_ring *r, bool force)
{
	uint64_t one = 1;
	bool want;

	/* the device's suppression is read only after the new entries were published */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	want = r->p.packed ? vu_packed_want_kick(r) : vu_split_want_kick(r);
	r->kicked_idx = r->avail_idx;
	if (!want && !force)
		return 0;
	if (write(r->kickfd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	return 1;
}

int
vu_ring_used(struct vu_ring *r, uint16_t *id, uint32_t *len)
{
	return r->p.packed ? vu_packed_used(r, id, len) : vu_split_used(r, id, len);
}

void
vu_ring_set_interrupts(struct vu_ring *r, bool on)
{
	r->interrupts = on;
	if (r->p.packed)
		vu_packed_interrupts(r, on);
	else
		vu_split_interrupts(r, on);
}

int
vu_ring_wait_call(struct vu_ring *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->callfd, .events = POLLIN };
	uint64_t v;
	int rc;

	if (r->callfd < 0)
		return -ENOTSUP;
	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return rc < 0 ? -errno : 0;
	if (read(r->callfd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return 1;
}

unsigned int
vu_ring_inflight(const struct vu_ring *r)
{
	return r->inflight;
}

unsigned int
vu_ring_free(const struct vu_ring *r)
{
	return r->nfree;
}

int
vu_ring_kickfd(const struct vu_ring *r)
{
	return r->kickfd;
}

int
vu_ring_callfd(const struct vu_ring *r)
{
	return r->callfd;
}
