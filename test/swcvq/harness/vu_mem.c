/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory for the frontend: one memfd mapped shared, described to the backend as one or
 * more regions with contiguous guest-physical addresses, so buffers may straddle a region
 * boundary (the backend must then translate piecewise). A bump allocator hands out GPAs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vu_frontend.h"

#define VU_MAX_REGIONS 8

struct vu_mem {
	int fd;
	uint8_t *base;		/* our mapping of the whole memfd */
	size_t size;
	uint64_t gpa;		/* GPA of base */
	unsigned int nregions;
	size_t next;		/* bump allocator offset */
};

struct vu_mem *
vu_mem_create(size_t size, unsigned int nregions, uint64_t gpa_base)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct vu_mem *m;
	int err;

	if (nregions == 0 || nregions > VU_MAX_REGIONS || size == 0) {
		errno = EINVAL;
		return NULL;
	}
	/* every region a whole number of pages */
	size = (size + page * nregions - 1) / (page * nregions) * (page * nregions);
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->fd = memfd_create("vu-guest", MFD_CLOEXEC);
	if (m->fd < 0)
		goto fail;
	if (ftruncate(m->fd, (off_t)size) != 0)
		goto fail;
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		goto fail;
	}
	m->size = size;
	m->gpa = gpa_base;
	m->nregions = nregions;
	/* keep GPA 0 of the allocator unused so that a zero address is always a bug */
	m->next = 64;
	return m;
fail:
	err = errno;
	vu_mem_destroy(m);
	errno = err;
	return NULL;
}

void
vu_mem_destroy(struct vu_mem *m)
{
	if (m == NULL)
		return;
	if (m->base != NULL)
		munmap(m->base, m->size);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

int
vu_mem_send_table(struct vu_mem *m, struct vu_conn *c)
{
	struct {
		uint32_t nregions, padding;
		struct {
			uint64_t gpa, size, uaddr, mmap_offset;
		} r[VU_MAX_REGIONS];
	} t;
	int fds[VU_MAX_REGIONS];
	size_t rsize = m->size / m->nregions;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.nregions = m->nregions;
	for (i = 0; i < m->nregions; i++) {
		t.r[i].gpa = m->gpa + i * rsize;
		t.r[i].size = rsize;
		t.r[i].uaddr = (uint64_t)(uintptr_t)(m->base + i * rsize);
		t.r[i].mmap_offset = i * rsize;
		fds[i] = m->fd;
	}
	return vu_request(c, VU_SET_MEM_TABLE, &t, sizeof(t), fds, m->nregions, NULL, NULL);
}

void *
vu_mem_alloc(struct vu_mem *m, size_t len, size_t align, uint64_t *gpa)
{
	size_t off;

	if (align == 0 || (align & (align - 1)) != 0)
		return NULL;
	off = (m->next + align - 1) & ~(align - 1);
	if (off > m->size || len > m->size - off)
		return NULL;
	m->next = off + len;
	memset(m->base + off, 0, len);
	*gpa = m->gpa + off;
	return m->base + off;
}

void *
vu_mem_alloc_straddling(struct vu_mem *m, size_t len, uint64_t *gpa)
{
	size_t boundary = m->size / m->nregions;
	size_t off;

	if (m->nregions < 2 || len < 2 || len > boundary)
		return NULL;
	off = boundary - len / 2;
	if (off < m->next)
		return NULL;
	m->next = off + len;
	memset(m->base + off, 0, len);
	*gpa = m->gpa + off;
	return m->base + off;
}

void *
vu_mem_ptr(const struct vu_mem *m, uint64_t gpa, size_t len)
{
	if (gpa < m->gpa || gpa - m->gpa > m->size || len > m->size - (gpa - m->gpa))
		return NULL;
	return m->base + (gpa - m->gpa);
}

uint64_t
vu_mem_uaddr(const struct vu_mem *m, const void *p)
{
	(void)m;
	return (uint64_t)(uintptr_t)p;
}

uint64_t
vu_mem_gpa_end(const struct vu_mem *m)
{
	return m->gpa + m->size;
}

uint64_t
vu_mem_region_boundary(const struct vu_mem *m)
{
	return m->gpa + m->size / m->nregions;
}
