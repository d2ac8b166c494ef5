/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idpf mailbox ring driver: ATQ/ARQ bring-up, multi-producer posting, completion cleaning,
 * receive draining, interrupt, reset. The contract is in idpf_mbx.h.
 *
 * ATQ indexes are free-running 32-bit counters (slot = counter & mask):
 *   clean <= prod_tail <= prod_head,  prod_head - clean <= ring_len - 1
 * prod_head: next descriptor to reserve (CAS by producers)
 * prod_tail: every descriptor before it is filled and the tail register says so
 * clean:     next descriptor to clean (one cleaner at a time, under clean_lock)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_io.h>
#include <rte_log.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <rte_spinlock.h>

#include "idpf_ctlq_desc.h"
#include "idpf_mbx.h"

RTE_LOG_REGISTER(idpf_mbx_logtype, ctlpath.idpf.mbx, NOTICE);
#define MBX_LOG(level, mbx, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idpf_mbx_logtype, "idpf_mbx %s: " fmt "\n", \
		(mbx)->name, ##__VA_ARGS__)

#define MBX_DEFAULT_LEN		64
#define MBX_MIN_LEN		4
#define MBX_MAX_LEN		512
#define MBX_BUF_LEN		IDPF_CTLQ_MAX_BUF_LEN
#define MBX_RING_ALIGN		128	/* the spec's init flow asks for 128-byte alignment */
/* virtchnl2 EVENT opcode, only for the rx_events counter: the ring stays wire-agnostic */
#define MBX_V_OP_EVENT		522

/*
 * DMA memory comes in pieces that each fit one 2 MiB hugepage: in IOVA-as-PA mode (no IOMMU)
 * only a single hugepage is known to be IOVA-contiguous, so one zone of 512 x 4 KiB buffers
 * plus the ring would often not exist. The descriptor ring is one piece; the buffers are
 * chunks of at most MBX_CHUNK_BUFS slots, each reserved so that it does not cross a 2 MiB
 * boundary.
 */
#define MBX_CHUNK_BUFS		256	/* 1 MiB of buffers per chunk */
#define MBX_CHUNK_BOUND		(2u << 20)
#define MBX_MAX_CHUNKS		(MBX_MAX_LEN / MBX_CHUNK_BUFS)

/* One piece of DMA memory. */
struct mbx_dma {
	void *va;
	uint64_t iova;
	const struct rte_memzone *mz;	/* when it came from a memzone */
};

/* One control queue: descriptors and one indirect buffer per descriptor slot. */
struct mbx_ring {
	struct idpf_ctlq_desc *desc;
	uint64_t desc_iova;
	uint32_t len;
	uint32_t mask;
	struct mbx_dma ring_mem;		/* the descriptors */
	struct mbx_dma chunk[MBX_MAX_CHUNKS];	/* slot i: chunk i / 256, buffer i % 256 */
};

struct mbx_counters {
	uint64_t tx_posted, tx_cleaned, tx_dev_errors, tx_full;
	uint64_t rx_msgs, rx_errors, rx_events, interrupts, resets;
};

struct idpf_mbx {
	char name[24];
	struct idpf_hw hw;
	struct idpf_mbx_conf conf;
	struct mbx_ring atq;
	struct mbx_ring arq;

	/* ATQ producers and cleaner, see the file comment */
	uint32_t prod_head __rte_cache_aligned;
	uint32_t prod_tail __rte_cache_aligned;
	uint32_t clean __rte_cache_aligned;
	rte_spinlock_t clean_lock;
	uint16_t *cookies;		/* cookie of the message in each ATQ slot */

	/* ARQ: next_to_clean, only touched under rx_lock (read racily by the re-check) */
	rte_spinlock_t rx_lock __rte_cache_aligned;
	uint32_t arq_ntc;

	uint32_t down;			/* set when a device reset was detected */
	struct rte_intr_handle *intr;
	int efd;
	struct mbx_counters cnt;
};

static inline void
cnt_add(uint64_t *c, uint64_t n)
{
	/* statistics only: relaxed is enough, readers want a recent value, not an ordering */
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static int
ring_len_ok(uint32_t len)
{
	return len >= MBX_MIN_LEN && len <= MBX_MAX_LEN && rte_is_power_of_2(len);
}

/* Zeroed DMA memory of @len bytes, @align aligned, within one 2 MiB hugepage. */
static int
dma_alloc(struct idpf_mbx *mbx, struct mbx_dma *m, const char *what, unsigned int part,
	  size_t len, size_t align)
{
	static uint32_t mz_seq;
	char mz_name[RTE_MEMZONE_NAMESIZE];

	if (mbx->conf.dma != NULL) {
		snprintf(mz_name, sizeof(mz_name), "%s%u", what, part);
		m->va = mbx->conf.dma->alloc(mbx->conf.dma->arg, mz_name, len, align, &m->iova);
		return m->va != NULL ? 0 : -ENOMEM;
	}
	snprintf(mz_name, sizeof(mz_name), "ctlp_mbx%u_%s%u",
		 __atomic_fetch_add(&mz_seq, 1, __ATOMIC_RELAXED), what, part);
	m->mz = rte_memzone_reserve_bounded(mz_name, len, mbx->conf.socket_id,
					    RTE_MEMZONE_IOVA_CONTIG, align, MBX_CHUNK_BOUND);
	if (m->mz == NULL) {
		MBX_LOG(ERR, mbx, "memzone of %zu bytes for %s: %s", len, what,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	m->va = m->mz->addr;
	m->iova = m->mz->iova;
	memset(m->va, 0, len);
	return 0;
}

static void
dma_free(struct idpf_mbx *mbx, struct mbx_dma *m)
{
	if (m->mz != NULL)
		rte_memzone_free(m->mz);
	else if (m->va != NULL)
		mbx->conf.dma->free(mbx->conf.dma->arg, m->va);
	m->va = NULL;
	m->mz = NULL;
}

static void
ring_free(struct idpf_mbx *mbx, struct mbx_ring *r)
{
	unsigned int i;

	dma_free(mbx, &r->ring_mem);
	for (i = 0; i < MBX_MAX_CHUNKS; i++)
		dma_free(mbx, &r->chunk[i]);
}

static int
ring_alloc(struct idpf_mbx *mbx, struct mbx_ring *r, uint32_t len, const char *what)
{
	uint32_t i, nb_chunks = (len + MBX_CHUNK_BUFS - 1) / MBX_CHUNK_BUFS;
	char bufs_what[8];

	RTE_BUILD_BUG_ON(MBX_MAX_LEN % MBX_CHUNK_BUFS != 0);
	RTE_BUILD_BUG_ON((size_t)MBX_CHUNK_BUFS * MBX_BUF_LEN > MBX_CHUNK_BOUND);
	RTE_BUILD_BUG_ON((size_t)MBX_MAX_LEN * sizeof(struct idpf_ctlq_desc) > MBX_CHUNK_BOUND);
	r->len = len;
	r->mask = len - 1;
	if (dma_alloc(mbx, &r->ring_mem, what, 0, (size_t)len * sizeof(struct idpf_ctlq_desc),
		      MBX_RING_ALIGN) != 0)
		goto err;
	r->desc = r->ring_mem.va;
	r->desc_iova = r->ring_mem.iova;
	snprintf(bufs_what, sizeof(bufs_what), "%sb", what);
	for (i = 0; i < nb_chunks; i++) {
		uint32_t n = RTE_MIN(len - i * MBX_CHUNK_BUFS, (uint32_t)MBX_CHUNK_BUFS);

		if (dma_alloc(mbx, &r->chunk[i], bufs_what, i, (size_t)n * MBX_BUF_LEN,
			      MBX_BUF_LEN) != 0)
			goto err;
	}
	return 0;
err:
	ring_free(mbx, r);
	return -ENOMEM;
}

/* Slot @idx's indirect buffer: its virtual address and IOVA. */
static inline uint8_t *
slot_buf(const struct mbx_ring *r, uint32_t idx)
{
	return (uint8_t *)r->chunk[idx / MBX_CHUNK_BUFS].va +
		(size_t)(idx % MBX_CHUNK_BUFS) * MBX_BUF_LEN;
}

static inline uint64_t
slot_iova(const struct mbx_ring *r, uint32_t idx)
{
	return r->chunk[idx / MBX_CHUNK_BUFS].iova +
		(uint64_t)(idx % MBX_CHUNK_BUFS) * MBX_BUF_LEN;
}

/* Give ARQ slot @idx's buffer to the device: the RX posting descriptor of reference 3.1. */
static void
arq_post(struct mbx_ring *r, uint32_t idx)
{
	struct idpf_ctlq_desc *d = &r->desc[idx];
	uint64_t iova = slot_iova(r, idx);

	memset(d, 0, sizeof(*d));
	d->datalen = rte_cpu_to_le_16(MBX_BUF_LEN);
	d->addr_high = rte_cpu_to_le_32((uint32_t)(iova >> 32));
	d->addr_low = rte_cpu_to_le_32((uint32_t)iova);
	d->flags = rte_cpu_to_le_16(IDPF_CTLQ_F_BUF | IDPF_CTLQ_F_RD);
}

/* Report every published, not yet cleaned ATQ message released with -ENXIO. */
static void
atq_abandon(struct idpf_mbx *mbx)
{
	uint32_t c = mbx->clean, end = mbx->prod_tail;

	for (; c != end; c++)
		if (mbx->conf.sent_cb != NULL)
			mbx->conf.sent_cb(mbx->conf.cb_arg, mbx->cookies[c & mbx->atq.mask],
					  -ENXIO);
}

/* Reference 3.1: rings zeroed, ARQ buffers posted, then head, tail, base, length + enable. */
static void
rings_start(struct idpf_mbx *mbx)
{
	const struct idpf_reg_layout *l = mbx->hw.regs;
	uint32_t i;

	memset(mbx->atq.desc, 0, mbx->atq.len * sizeof(struct idpf_ctlq_desc));
	for (i = 0; i < mbx->arq.len; i++)
		arq_post(&mbx->arq, i);
	mbx->prod_head = mbx->prod_tail = mbx->clean = 0;
	mbx->arq_ntc = 0;
	/* descriptors must be in memory before the device learns where they are */
	rte_io_wmb();

	idpf_reg_write(&mbx->hw, l->atq_head, 0);
	idpf_reg_write(&mbx->hw, l->atq_tail, 0);
	idpf_reg_write(&mbx->hw, l->atq_bal, (uint32_t)mbx->atq.desc_iova);
	idpf_reg_write(&mbx->hw, l->atq_bah, (uint32_t)(mbx->atq.desc_iova >> 32));
	idpf_reg_write(&mbx->hw, l->atq_len, mbx->atq.len | IDPF_MBX_LEN_ENABLE);

	idpf_reg_write(&mbx->hw, l->arq_head, 0);
	idpf_reg_write(&mbx->hw, l->arq_tail, mbx->arq.len - 1);
	idpf_reg_write(&mbx->hw, l->arq_bal, (uint32_t)mbx->arq.desc_iova);
	idpf_reg_write(&mbx->hw, l->arq_bah, (uint32_t)(mbx->arq.desc_iova >> 32));
	idpf_reg_write(&mbx->hw, l->arq_len, mbx->arq.len | IDPF_MBX_LEN_ENABLE);
	__atomic_store_n(&mbx->down, 0, __ATOMIC_RELEASE);
}

static void
rings_stop(struct idpf_mbx *mbx)
{
	const struct idpf_reg_layout *l = mbx->hw.regs;

	idpf_reg_write(&mbx->hw, l->atq_len, 0);
	idpf_reg_write(&mbx->hw, l->arq_len, 0);
}

struct idpf_mbx *
idpf_mbx_create(const struct idpf_hw *hw, const struct idpf_mbx_conf *conf)
{
	struct idpf_mbx *mbx;
	uint32_t atq_len, arq_len;

	if (hw == NULL || hw->ops == NULL || hw->regs == NULL || conf == NULL ||
	    conf->recv_cb == NULL || (conf->dma != NULL &&
				      (conf->dma->alloc == NULL || conf->dma->free == NULL))) {
		rte_errno = EINVAL;
		return NULL;
	}
	atq_len = conf->atq_len ? conf->atq_len : MBX_DEFAULT_LEN;
	arq_len = conf->arq_len ? conf->arq_len : MBX_DEFAULT_LEN;
	if (!ring_len_ok(atq_len) || !ring_len_ok(arq_len)) {
		rte_log(RTE_LOG_ERR, idpf_mbx_logtype,
			"idpf_mbx: ring lengths %u/%u: want powers of two in [%u, %u]\n",
			atq_len, arq_len, MBX_MIN_LEN, MBX_MAX_LEN);
		rte_errno = EINVAL;
		return NULL;
	}
	mbx = calloc(1, sizeof(*mbx));
	if (mbx == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(mbx->name, sizeof(mbx->name), "%s", conf->name ? conf->name : "mbx");
	mbx->hw = *hw;
	mbx->conf = *conf;
	mbx->conf.name = mbx->name;
	mbx->efd = -1;
	rte_spinlock_init(&mbx->clean_lock);
	rte_spinlock_init(&mbx->rx_lock);
	mbx->cookies = calloc(atq_len, sizeof(*mbx->cookies));
	if (mbx->cookies == NULL || ring_alloc(mbx, &mbx->atq, atq_len, "atq") != 0 ||
	    ring_alloc(mbx, &mbx->arq, arq_len, "arq") != 0) {
		MBX_LOG(ERR, mbx, "out of DMA memory for %u + %u descriptors", atq_len, arq_len);
		ring_free(mbx, &mbx->atq);
		ring_free(mbx, &mbx->arq);
		free(mbx->cookies);
		free(mbx);
		rte_errno = ENOMEM;
		return NULL;
	}
	rings_start(mbx);
	MBX_LOG(DEBUG, mbx, "up (%s layout, ATQ %u, ARQ %u)", hw->regs->name, atq_len, arq_len);
	return mbx;
}

void
idpf_mbx_destroy(struct idpf_mbx *mbx)
{
	if (mbx == NULL)
		return;
	idpf_mbx_intr_disable(mbx);
	rings_stop(mbx);
	atq_abandon(mbx);
	ring_free(mbx, &mbx->atq);
	ring_free(mbx, &mbx->arq);
	free(mbx->cookies);
	free(mbx);
}

/* Fill the ATQ descriptor of slot @idx: the TX format of reference 2.1/2.2. */
static void
atq_fill(struct idpf_mbx *mbx, uint32_t idx, uint16_t cookie, uint32_t v_opcode,
	 const void *payload, uint16_t len)
{
	struct idpf_ctlq_desc *d = &mbx->atq.desc[idx];
	uint16_t flags = 0;

	mbx->cookies[idx] = cookie;
	d->opcode = rte_cpu_to_le_16(IDPF_CTLQ_OP_SEND_TO_CP);
	d->datalen = rte_cpu_to_le_16(len);
	d->ret_val = 0;
	d->v_opcode_dtype = rte_cpu_to_le_32(v_opcode);
	d->v_retval = 0;
	d->param0 = 0;
	d->sw_cookie = rte_cpu_to_le_16(cookie);
	d->v_flags = 0;
	if (len > 0) {
		uint64_t iova = slot_iova(&mbx->atq, idx);

		memcpy(slot_buf(&mbx->atq, idx), payload, len);
		d->addr_high = rte_cpu_to_le_32((uint32_t)(iova >> 32));
		d->addr_low = rte_cpu_to_le_32((uint32_t)iova);
		flags = IDPF_CTLQ_F_BUF | IDPF_CTLQ_F_RD;
	} else {
		d->addr_high = 0;
		d->addr_low = 0;
	}
	d->flags = rte_cpu_to_le_16(flags);
}

int
idpf_mbx_send(struct idpf_mbx *mbx, uint16_t cookie, uint32_t v_opcode, const void *payload,
	      uint16_t len)
{
	uint32_t head, clean, cap = mbx->atq.len - 1;
	int cleaned = 0;

	if (v_opcode & ~IDPF_CTLQ_V_OPCODE_MASK || (payload == NULL && len > 0))
		return -EINVAL;
	if (len > MBX_BUF_LEN)
		return -EMSGSIZE;
	if (__atomic_load_n(&mbx->down, __ATOMIC_ACQUIRE))
		return -ENXIO;

	/* reserve one descriptor */
	head = __atomic_load_n(&mbx->prod_head, __ATOMIC_RELAXED);
	for (;;) {
		/*
		 * acquire: pairs with the cleaner's release of 'clean', so the zeroing of the
		 * descriptor we are about to reuse happened before our fill
		 */
		clean = __atomic_load_n(&mbx->clean, __ATOMIC_ACQUIRE);
		if (head - clean >= cap) {
			if (!cleaned) {
				cleaned = 1;
				idpf_mbx_clean(mbx);
				head = __atomic_load_n(&mbx->prod_head, __ATOMIC_RELAXED);
				continue;
			}
			cnt_add(&mbx->cnt.tx_full, 1);
			return -ENOSPC;
		}
		/* relaxed: the CAS only hands out the index; the data is ordered by prod_tail */
		if (__atomic_compare_exchange_n(&mbx->prod_head, &head, head + 1, true,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	}

	atq_fill(mbx, head & mbx->atq.mask, cookie, v_opcode, payload, len);

	/* publish in reservation order: wait for the producers that reserved before us */
	while (__atomic_load_n(&mbx->prod_tail, __ATOMIC_ACQUIRE) != head)
		rte_pause();
	/* the descriptor and its buffer must reach memory before the device sees the tail */
	rte_io_wmb();
	idpf_reg_write(&mbx->hw, mbx->hw.regs->atq_tail, (head + 1) & mbx->atq.mask);
	/* release: our tail write is done, the next producer may write its own */
	__atomic_store_n(&mbx->prod_tail, head + 1, __ATOMIC_RELEASE);
	cnt_add(&mbx->cnt.tx_posted, 1);
	return 0;
}

unsigned int
idpf_mbx_clean(struct idpf_mbx *mbx)
{
	uint32_t c, end;
	unsigned int n = 0;

	if (!rte_spinlock_trylock(&mbx->clean_lock))
		return 0;
	c = mbx->clean;
	/* acquire: descriptors before prod_tail are completely filled by their producers */
	end = __atomic_load_n(&mbx->prod_tail, __ATOMIC_ACQUIRE);
	while (c != end) {
		uint32_t idx = c & mbx->atq.mask;
		struct idpf_ctlq_desc *d = &mbx->atq.desc[idx];
		uint16_t flags = rte_le_to_cpu_16(__atomic_load_n(&d->flags, __ATOMIC_RELAXED));
		uint16_t cookie;
		int status;

		if (!(flags & IDPF_CTLQ_F_DD))
			break;
		/* DD seen: no other field of the write-back may be read before it
		 * (LK 396f0165672c)
		 */
		rte_io_rmb();
		status = rte_le_to_cpu_16(d->ret_val) & 0xff;
		if (flags & IDPF_CTLQ_F_ERR)
			status |= 0x100;
		if (status != 0)
			cnt_add(&mbx->cnt.tx_dev_errors, 1);
		cookie = mbx->cookies[idx];
		memset(d, 0, sizeof(*d));
		c++;
		n++;
		/* release: the zeroed descriptor is visible to the producer that reuses it */
		__atomic_store_n(&mbx->clean, c, __ATOMIC_RELEASE);
		if (mbx->conf.sent_cb != NULL)
			mbx->conf.sent_cb(mbx->conf.cb_arg, cookie, status);
	}
	rte_spinlock_unlock(&mbx->clean_lock);
	if (n > 0)
		cnt_add(&mbx->cnt.tx_cleaned, n);
	return n;
}

/* Turn the ARQ descriptor of slot @idx, seen with DD, into a message. */
static void
arq_extract(const struct idpf_mbx *mbx, uint32_t idx, uint16_t flags, struct idpf_mbx_msg *m)
{
	const struct idpf_ctlq_desc *d = &mbx->arq.desc[idx];
	uint32_t datalen = rte_le_to_cpu_16(d->datalen);

	m->desc_flags = flags;
	m->desc_opcode = rte_le_to_cpu_16(d->opcode);
	m->v_opcode = rte_le_to_cpu_32(d->v_opcode_dtype) & IDPF_CTLQ_V_OPCODE_MASK;
	m->v_retval = (int32_t)rte_le_to_cpu_32(d->v_retval);
	m->cookie = rte_le_to_cpu_16(d->sw_cookie);
	m->v_flags = rte_le_to_cpu_16(d->v_flags);
	m->err = (flags & IDPF_CTLQ_F_ERR) ? -EBADMSG : 0;
	if (datalen > MBX_BUF_LEN) {
		/* the device claims more than we posted: clamp, and say so */
		datalen = MBX_BUF_LEN;
		m->err = -EBADMSG;
	}
	m->len = (uint16_t)datalen;
	/* our own buffer for this slot, never the address the device wrote back */
	m->payload = datalen ? slot_buf(&mbx->arq, idx) : NULL;
}

static unsigned int
arq_drain_locked(struct idpf_mbx *mbx, unsigned int max)
{
	uint32_t ntc = mbx->arq_ntc, last = 0;
	unsigned int n = 0, errs = 0, events = 0;
	struct idpf_mbx_msg m;

	while (max == 0 || n < max) {
		uint32_t idx = ntc & mbx->arq.mask;
		uint16_t flags = rte_le_to_cpu_16(__atomic_load_n(&mbx->arq.desc[idx].flags,
								  __ATOMIC_RELAXED));

		if (!(flags & IDPF_CTLQ_F_DD))
			break;
		/* DD seen: read the rest of the write-back only after it */
		rte_io_rmb();
		arq_extract(mbx, idx, flags, &m);
		if (m.err)
			errs++;
		if (m.v_opcode == MBX_V_OP_EVENT)
			events++;
		mbx->conf.recv_cb(mbx->conf.cb_arg, &m);
		arq_post(&mbx->arq, idx);
		last = idx;
		ntc++;
		n++;
	}
	if (n > 0) {
		/* re-posted descriptors reach memory before the device may use them again */
		rte_io_wmb();
		idpf_reg_write(&mbx->hw, mbx->hw.regs->arq_tail, last);
		__atomic_store_n(&mbx->arq_ntc, ntc, __ATOMIC_RELEASE);
		cnt_add(&mbx->cnt.rx_msgs, n);
		cnt_add(&mbx->cnt.rx_errors, errs);
		cnt_add(&mbx->cnt.rx_events, events);
	}
	return n;
}

/* Is a message waiting at next_to_clean? A racy peek, used to close the trylock window. */
static int
arq_pending(const struct idpf_mbx *mbx)
{
	uint32_t idx = __atomic_load_n(&mbx->arq_ntc, __ATOMIC_ACQUIRE) & mbx->arq.mask;

	return rte_le_to_cpu_16(__atomic_load_n(&mbx->arq.desc[idx].flags, __ATOMIC_RELAXED)) &
		IDPF_CTLQ_F_DD;
}

unsigned int
idpf_mbx_recv(struct idpf_mbx *mbx, unsigned int max)
{
	unsigned int total = 0;

	for (;;) {
		if (!rte_spinlock_trylock(&mbx->rx_lock))
			return total;	/* the holder drains, and re-checks after unlocking */
		total += arq_drain_locked(mbx, max ? max - total : 0);
		rte_spinlock_unlock(&mbx->rx_lock);
		if (max != 0 && total >= max)
			return total;
		/*
		 * A message may have landed after our last DD check while another caller's
		 * trylock failed: whoever unlocks looks once more.
		 */
		if (!arq_pending(mbx))
			return total;
	}
}

unsigned int
idpf_mbx_poll(struct idpf_mbx *mbx)
{
	idpf_mbx_clean(mbx);
	return idpf_mbx_recv(mbx, 0);
}

bool
idpf_mbx_check_reset(struct idpf_mbx *mbx)
{
	uint32_t v;

	if (__atomic_load_n(&mbx->down, __ATOMIC_ACQUIRE))
		return true;
	v = idpf_reg_read(&mbx->hw, mbx->hw.regs->arq_len);
	if (v != UINT32_MAX && (v & IDPF_MBX_LEN_MASK) != 0 && (v & IDPF_MBX_LEN_ENABLE))
		return false;
	/* only the thread that flips 'down' reports the reset */
	if (__atomic_exchange_n(&mbx->down, 1, __ATOMIC_ACQ_REL) == 0) {
		cnt_add(&mbx->cnt.resets, 1);
		MBX_LOG(WARNING, mbx, "device reset detected (ARQLEN 0x%08x)", v);
		if (mbx->conf.reset_cb != NULL)
			mbx->conf.reset_cb(mbx->conf.cb_arg);
	}
	return true;
}

static void
mbx_intr_handler(void *arg)
{
	struct idpf_mbx *mbx = arg;
	uint64_t v;

	/* clear the eventfd first: a write after this read raises the next interrupt */
	if (read(mbx->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		MBX_LOG(ERR, mbx, "eventfd read: %s", strerror(errno));
	cnt_add(&mbx->cnt.interrupts, 1);
	idpf_mbx_poll(mbx);
	idpf_mbx_check_reset(mbx);
}

int
idpf_mbx_intr_enable(struct idpf_mbx *mbx)
{
	int ret;

	if (mbx->intr != NULL)
		return -EEXIST;
	if (mbx->hw.ops->irq_bind == NULL)
		return -ENOTSUP;
	mbx->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mbx->efd < 0)
		return -errno;
	mbx->intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (mbx->intr == NULL) {
		ret = -ENOMEM;
		goto err_fd;
	}
	if (rte_intr_fd_set(mbx->intr, mbx->efd) != 0 ||
	    rte_intr_type_set(mbx->intr, RTE_INTR_HANDLE_EXT) != 0) {
		ret = -rte_errno;
		goto err_intr;
	}
	ret = rte_intr_callback_register(mbx->intr, mbx_intr_handler, mbx);
	if (ret != 0)
		goto err_intr;
	ret = mbx->hw.ops->irq_bind(mbx->hw.ctx, mbx->efd);
	if (ret != 0) {
		rte_intr_callback_unregister_sync(mbx->intr, mbx_intr_handler, mbx);
		goto err_intr;
	}
	/* a message that arrived before the binding would otherwise wait for the next one */
	idpf_mbx_poll(mbx);
	return 0;

err_intr:
	rte_intr_instance_free(mbx->intr);
	mbx->intr = NULL;
err_fd:
	close(mbx->efd);
	mbx->efd = -1;
	return ret;
}

void
idpf_mbx_intr_disable(struct idpf_mbx *mbx)
{
	if (mbx->intr == NULL)
		return;
	mbx->hw.ops->irq_bind(mbx->hw.ctx, -1);
	/* waits for a running handler to return */
	rte_intr_callback_unregister_sync(mbx->intr, mbx_intr_handler, mbx);
	rte_intr_instance_free(mbx->intr);
	mbx->intr = NULL;
	close(mbx->efd);
	mbx->efd = -1;
}

int
idpf_mbx_restart(struct idpf_mbx *mbx)
{
	int had_intr = mbx->intr != NULL;
	int ret = 0;

	if (had_intr)
		idpf_mbx_intr_disable(mbx);
	if (!idpf_hw_reset_done(&mbx->hw)) {
		ret = -EIO;
	} else {
		__atomic_store_n(&mbx->down, 1, __ATOMIC_RELEASE);
		atq_abandon(mbx);
		rings_start(mbx);
		MBX_LOG(INFO, mbx, "restarted after reset");
	}
	if (had_intr && idpf_mbx_intr_enable(mbx) != 0)
		MBX_LOG(ERR, mbx, "could not re-enable the mailbox interrupt");
	return ret;
}

void
idpf_mbx_stats_get(const struct idpf_mbx *mbx, struct idpf_mbx_stats *st)
{
	const struct mbx_counters *c = &mbx->cnt;

	st->tx_posted = __atomic_load_n(&c->tx_posted, __ATOMIC_RELAXED);
	st->tx_cleaned = __atomic_load_n(&c->tx_cleaned, __ATOMIC_RELAXED);
	st->tx_dev_errors = __atomic_load_n(&c->tx_dev_errors, __ATOMIC_RELAXED);
	st->tx_full = __atomic_load_n(&c->tx_full, __ATOMIC_RELAXED);
	st->rx_msgs = __atomic_load_n(&c->rx_msgs, __ATOMIC_RELAXED);
	st->rx_errors = __atomic_load_n(&c->rx_errors, __ATOMIC_RELAXED);
	st->rx_events = __atomic_load_n(&c->rx_events, __ATOMIC_RELAXED);
	st->interrupts = __atomic_load_n(&c->interrupts, __ATOMIC_RELAXED);
	st->resets = __atomic_load_n(&c->resets, __ATOMIC_RELAXED);
}

unsigned int
idpf_mbx_atq_free(const struct idpf_mbx *mbx)
{
	uint32_t head = __atomic_load_n(&mbx->prod_head, __ATOMIC_RELAXED);
	uint32_t clean = __atomic_load_n(&mbx->clean, __ATOMIC_RELAXED);
	uint32_t used = head - clean;

	return used >= mbx->atq.len - 1 ? 0 : mbx->atq.len - 1 - used;
}
