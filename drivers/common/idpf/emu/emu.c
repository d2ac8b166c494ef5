/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated idpf device: register file, mailbox engine thread, test hooks.
 *
 * The engine thread runs a round whenever a register write kicked it or a reply fell due.
 * Each round, under dev->lock: serve the ATQ from head to tail (read descriptor and buffer by
 * IOVA, write back DD|CMP or DD|CMP|ERR, hand the request to the control plane, queue its
 * replies with their fault decisions), then write every due reply into a posted ARQ buffer.
 * The mailbox interrupt is raised once per round that completed or delivered something.
 *
 * Between rounds the engine polls (no system call) while it was busy within the last poll_us
 * or the next reply is due within poll_us, and otherwise sleeps on a doorbell eventfd with a
 * timeout that wakes it poll_us before the next due reply. Register writes ring the doorbell
 * only while the engine sleeps, so a busy driver costs no system call per tail write, and
 * wake-up latency and timer slack are hidden in the polling margin.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "../idpf_ctlq_desc.h"
#include "emu_priv.h"
#include "virtchnl2.h"

RTE_LOG_REGISTER(emu_logtype, ctlpath.idpf.emu, NOTICE);
#define EMU_LOG(level, dev, fmt, ...) \
	rte_log(RTE_LOG_ ## level, emu_logtype, "idpf_emu %s: " fmt "\n", (dev)->name, \
		##__VA_ARGS__)

#define BUF_LEN IDPF_CTLQ_MAX_BUF_LEN

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- registers ---- */

static inline uint32_t
reg_get(struct emu_dev *dev, enum emu_reg r)
{
	/* acquire: a tail read orders the driver's descriptor stores before our reads */
	return __atomic_load_n(&dev->regs[r], __ATOMIC_ACQUIRE);
}

static inline void
reg_set(struct emu_dev *dev, enum emu_reg r, uint32_t v)
{
	__atomic_store_n(&dev->regs[r], v, __ATOMIC_RELEASE);
}

static int
reg_index(const struct emu_dev *dev, uint32_t off)
{
	const struct idpf_reg_layout *l = dev->layout;
	const uint32_t offs[R_NB] = {
		[R_ATQ_BAL] = l->atq_bal, [R_ATQ_BAH] = l->atq_bah, [R_ATQ_LEN] = l->atq_len,
		[R_ATQ_HEAD] = l->atq_head, [R_ATQ_TAIL] = l->atq_tail,
		[R_ARQ_BAL] = l->arq_bal, [R_ARQ_BAH] = l->arq_bah, [R_ARQ_LEN] = l->arq_len,
		[R_ARQ_HEAD] = l->arq_head, [R_ARQ_TAIL] = l->arq_tail,
		[R_RSTAT] = l->rstat, [R_CTRL] = l->ctrl,
	};
	int i;

	for (i = 0; i < R_NB; i++)
		if (offs[i] == off)
			return i;
	return -1;
}

/*
 * Tell the engine something changed. The eventfd is written only when the engine sleeps (or
 * always, for the hooks): kick and sleeping are both seq_cst, so either the engine sees the
 * new kick before it sleeps, or we see it sleeping.
 */
static void
bell_ring_how(struct emu_dev *dev, bool always)
{
	uint64_t one = 1;

	__atomic_fetch_add(&dev->kick, 1, __ATOMIC_SEQ_CST);
	if (!always && !__atomic_load_n(&dev->sleeping, __ATOMIC_SEQ_CST))
		return;
	if (write(dev->bell, &one, sizeof(one)) < 0 && errno != EAGAIN)
		EMU_LOG(ERR, dev, "doorbell: %s", strerror(errno));
}

static void
bell_ring(struct emu_dev *dev)
{
	bell_ring_how(dev, true);
}

static uint32_t
emu_read32(void *ctx, uint32_t off)
{
	struct emu_dev *dev = ctx;
	int r = reg_index(dev, off);

	/* a sparse BAR: what we do not implement reads as zero */
	return r < 0 ? 0 : reg_get(dev, r);
}

static void
emu_write32(void *ctx, uint32_t off, uint32_t val)
{
	struct emu_dev *dev = ctx;
	int r = reg_index(dev, off);

	switch (r) {
	case -1:
	case R_RSTAT:			/* read-only */
		return;
	case R_CTRL:
		reg_set(dev, r, val);
		if (val & IDPF_PFGEN_CTRL_PFSWR) {
			__atomic_store_n(&dev->reset_req, 1, __ATOMIC_RELEASE);
			bell_ring(dev);
		}
		return;
	case R_ATQ_TAIL:
	case R_ARQ_TAIL:
	case R_ATQ_LEN:
	case R_ARQ_LEN:
		reg_set(dev, r, val);
		bell_ring_how(dev, false);
		return;
	default:
		reg_set(dev, r, val);
	}
}

static int
emu_irq_bind(void *ctx, int efd)
{
	struct emu_dev *dev = ctx;

	pthread_mutex_lock(&dev->irq_lock);
	dev->irq_fd = efd;
	pthread_mutex_unlock(&dev->irq_lock);
	return 0;
}

static const struct idpf_hw_ops emu_hw_ops = {
	.read32 = emu_read32,
	.write32 = emu_write32,
	.irq_bind = emu_irq_bind,
};

void
emu_hw_get(struct emu_dev *dev, struct idpf_hw *hw)
{
	hw->ops = &emu_hw_ops;
	hw->ctx = dev;
	hw->regs = dev->layout;
}

const char *
emu_name(const struct emu_dev *dev)
{
	return dev->name;
}

static void
irq_raise(struct emu_dev *dev)
{
	uint64_t one = 1;

	pthread_mutex_lock(&dev->irq_lock);
	if (dev->irq_fd >= 0 && write(dev->irq_fd, &one, sizeof(one)) == sizeof(one))
		dev->irq_count++;
	pthread_mutex_unlock(&dev->irq_lock);
}

/* ---- DMA: driver memory by IOVA ---- */

/*
 * Virtual address of [iova, iova + len) if it lies in DPDK memory and is virtually contiguous
 * there, else NULL.
 */
static void *
iova_map(uint64_t iova, size_t len)
{
	uint8_t *va, *last;

	if (len == 0 || iova == 0 || iova + len < iova)
		return NULL;
	va = rte_mem_iova2virt(iova);
	if (va == NULL)
		return NULL;
	if (len == 1)
		return va;
	last = rte_mem_iova2virt(iova + len - 1);
	return last == va + len - 1 ? va : NULL;
}

/* The ring of one queue, or NULL (then CRIT is set in its LEN register). */
static struct idpf_ctlq_desc *
ring_map(struct emu_dev *dev, enum emu_reg bal, enum emu_reg bah, enum emu_reg lenr,
	 uint32_t *ring_len)
{
	uint32_t len = reg_get(dev, lenr);
	uint64_t iova;
	void *va;

	if (!(len & IDPF_MBX_LEN_ENABLE) || (len & IDPF_MBX_LEN_MASK) == 0 ||
	    (len & IDPF_MBX_LEN_CRIT))
		return NULL;
	*ring_len = len & IDPF_MBX_LEN_MASK;
	iova = (uint64_t)reg_get(dev, bah) << 32 | reg_get(dev, bal);
	va = iova_map(iova, (size_t)*ring_len * sizeof(struct idpf_ctlq_desc));
	if (va == NULL) {
		EMU_LOG(WARNING, dev, "ring at IOVA 0x%" PRIx64 " (%u descriptors) is outside "
			"DPDK memory: queue marked critical", iova, *ring_len);
		reg_set(dev, lenr, len | IDPF_MBX_LEN_CRIT);
		dev->st.ring_errors++;
	}
	return va;
}

/* ---- replies ---- */

struct emit_ctx {
	struct emu_dev *dev;
	const struct emu_fault_rec *fault;	/* NULL for events */
	const uint8_t *req_ctx;			/* request bytes 16-23, NULL for events */
	uint64_t now;
};

/* ---- reply queue: slot pool, min-heap of not-yet-due replies, FIFO of due ones ---- */

static inline bool
pend_before(const struct emu_pending *a, const struct emu_pending *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->order < b->order);
}

static void
replyq_init(struct emu_replyq *q)
{
	unsigned int i;

	for (i = 0; i < EMU_PENDING_MAX; i++)
		q->free_list[i] = (uint16_t)(EMU_PENDING_MAX - 1 - i);
	q->nb_free = EMU_PENDING_MAX;
	q->nb_heap = 0;
	q->ready_head = 0;
	q->nb_ready = 0;
}

static void
heap_push(struct emu_replyq *q, uint16_t idx)
{
	unsigned int i = q->nb_heap++;

	while (i > 0) {
		unsigned int parent = (i - 1) / 2;

		if (!pend_before(&q->slot[idx], &q->slot[q->heap[parent]]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = idx;
}

static uint16_t
heap_pop(struct emu_replyq *q)
{
	uint16_t top = q->heap[0], last = q->heap[--q->nb_heap];
	unsigned int i = 0, n = q->nb_heap;

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && pend_before(&q->slot[q->heap[c + 1]], &q->slot[q->heap[c]]))
			c++;
		if (!pend_before(&q->slot[q->heap[c]], &q->slot[last]))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (n > 0)
		q->heap[i] = last;
	return top;
}

/* Move every reply due at @now from the heap to the ready FIFO, in (due, order) order. */
static void
replyq_take_due(struct emu_replyq *q, uint64_t now)
{
	while (q->nb_heap > 0 && q->slot[q->heap[0]].due_ns <= now) {
		q->ready[(q->ready_head + q->nb_ready) % EMU_PENDING_MAX] = heap_pop(q);
		q->nb_ready++;
	}
}

/* Remove the @i-th ready reply (0 = oldest) and give its slot back. */
static void
replyq_ready_remove(struct emu_replyq *q, unsigned int i)
{
	uint16_t idx = q->ready[(q->ready_head + i) % EMU_PENDING_MAX];

	/* shift the i older entries up by one; i < reorder window, so this is short */
	for (; i > 0; i--)
		q->ready[(q->ready_head + i) % EMU_PENDING_MAX] =
			q->ready[(q->ready_head + i - 1) % EMU_PENDING_MAX];
	q->ready_head = (q->ready_head + 1) % EMU_PENDING_MAX;
	q->nb_ready--;
	q->free_list[q->nb_free++] = idx;
}

/* Drop every queued reply (buffers are kept for reuse). */
static void
replyq_clear(struct emu_replyq *q)
{
	replyq_init(q);
}

static void
replyq_free(struct emu_replyq *q)
{
	unsigned int i;

	for (i = 0; i < EMU_PENDING_MAX; i++) {
		free(q->slot[i].data);
		q->slot[i].data = NULL;
		q->slot[i].cap = 0;
	}
}

static void
pending_add(struct emu_dev *dev, uint64_t due, uint32_t v_opcode, int32_t v_retval,
	    const uint8_t *ctx, const void *msg, uint16_t len)
{
	struct emu_replyq *q = &dev->q;
	struct emu_pending *p;
	uint16_t idx;

	if (dev->nb_pending == EMU_PENDING_MAX || q->nb_free == 0) {
		dev->st.overflows++;
		reg_set(dev, R_ARQ_LEN, reg_get(dev, R_ARQ_LEN) | IDPF_MBX_LEN_OVFL);
		return;
	}
	idx = q->free_list[--q->nb_free];
	p = &q->slot[idx];
	p->due_ns = due;
	p->order = dev->emit_order++;
	p->v_opcode = v_opcode;
	p->v_retval = v_retval;
	if (ctx != NULL)
		memcpy(p->ctx, ctx, sizeof(p->ctx));
	else
		memset(p->ctx, 0, sizeof(p->ctx));
	p->len = len;
	if (len > p->cap) {
		/* a slot's buffer is sized once for any reply and reused */
		uint8_t *data = realloc(p->data, BUF_LEN);

		if (data != NULL) {
			p->data = data;
			p->cap = BUF_LEN;
		}
	}
	if (len > p->cap) {
		p->len = 0;
		p->v_retval = VIRTCHNL2_STATUS_ERR_EIO;
	} else if (len > 0) {
		memcpy(p->data, msg, len);
	}
	heap_push(q, idx);
	dev->nb_pending++;
}

/* emu_cp_emit_t: a reply of the control plane, through the fault decision of its request */
static void
emit_reply(void *arg, uint32_t v_opcode, int32_t v_retval, const void *msg, uint16_t len)
{
	struct emit_ctx *e = arg;
	struct emu_dev *dev = e->dev;
	const struct emu_fault_rec *f = e->fault;
	uint64_t due;

	if (len > BUF_LEN)
		len = BUF_LEN;
	if (f == NULL) {	/* events: no faults, no latency */
		dev->st.events++;
		pending_add(dev, e->now, v_opcode, v_retval, NULL, msg, len);
		return;
	}
	if (f->drop)
		return;
	due = e->now + (uint64_t)f->delay_us * 1000;
	if (f->late) {
		due = e->now + (uint64_t)dev->conf.late_ms * 1000000;
		dev->st.late++;
	}
	if (f->err_status != 0 && v_retval == VIRTCHNL2_STATUS_SUCCESS) {
		v_retval = f->err_status;
		dev->st.errors++;
	}
	pending_add(dev, due, v_opcode, v_retval, e->req_ctx, msg, len);
	if (f->dup) {
		pending_add(dev, due + 1000, v_opcode, v_retval, e->req_ctx, msg, len);
		dev->st.duplicated++;
	}
}

static void
pending_free_all(struct emu_dev *dev)
{
	replyq_clear(&dev->q);
	dev->nb_pending = 0;
}

/* ---- reset ---- */

static void
reset_locked(struct emu_dev *dev)
{
	reg_set(dev, R_RSTAT, IDPF_RSTAT_IN_PROGRESS);
	/* the CP clears length and enable of both queues (reference 1.4) */
	reg_set(dev, R_ATQ_LEN, 0);
	reg_set(dev, R_ARQ_LEN, 0);
	reg_set(dev, R_ATQ_HEAD, 0);
	reg_set(dev, R_ARQ_HEAD, 0);
	reg_set(dev, R_CTRL, reg_get(dev, R_CTRL) & ~IDPF_PFGEN_CTRL_PFSWR);
	pending_free_all(dev);
	emu_cp_reset(dev->cp);
	dev->corrupt = 0;
	dev->st.resets++;
	reg_set(dev, R_RSTAT, IDPF_RSTAT_COMPLETED);
	dev->irq_due = 1;
	EMU_LOG(INFO, dev, "reset");
}

/* ---- ATQ ---- */

/* Write back a consumed ATQ descriptor: status first, flags (with DD) last. */
static void
atq_complete(struct idpf_ctlq_desc *d, uint16_t flags, uint16_t status)
{
	d->ret_val = rte_cpu_to_le_16(status);
	flags |= IDPF_CTLQ_F_DD | IDPF_CTLQ_F_CMP;
	/* release: the driver reads the other fields only after seeing DD */
	__atomic_store_n(&d->flags, rte_cpu_to_le_16(flags), __ATOMIC_RELEASE);
}

static void
handle_request(struct emu_dev *dev, const struct idpf_ctlq_desc *d, const void *buf,
	       uint16_t len)
{
	uint32_t v_opcode = rte_le_to_cpu_32(d->v_opcode_dtype) & IDPF_CTLQ_V_OPCODE_MASK;
	struct emu_fault_rec f;
	struct emit_ctx e = {
		.dev = dev,
		.fault = &f,
		.req_ctx = (const uint8_t *)d + IDPF_CTLQ_CTX_OFF,
		.now = now_ns(),
	};

	dev->st.requests++;
	if (v_opcode == VIRTCHNL2_OP_RESET_VF && dev->conf.func == IDPF_FUNC_VF) {
		/* no reply: the VF learns about it through ARQLEN and RSTAT */
		reset_locked(dev);
		return;
	}
	emu_faults_decide(&dev->faults, v_opcode, &f);
	if (f.drop)
		dev->st.dropped++;
	emu_cp_handle(dev->cp, v_opcode, buf, len, emit_reply, &e);
	/* the CP turns the function active when it processes VERSION (reference 1.4) */
	if (v_opcode == VIRTCHNL2_OP_VERSION)
		reg_set(dev, R_RSTAT, IDPF_RSTAT_ACTIVE);
}

/* Serve the ATQ from head to tail, at most one ring's worth. Returns descriptors consumed. */
static unsigned int
atq_serve(struct emu_dev *dev)
{
	static __thread uint8_t req[BUF_LEN];
	struct idpf_ctlq_desc *ring, d;
	uint32_t ring_len, head, tail, n = 0;

	ring = ring_map(dev, R_ATQ_BAL, R_ATQ_BAH, R_ATQ_LEN, &ring_len);
	if (ring == NULL)
		return 0;
	head = reg_get(dev, R_ATQ_HEAD) & IDPF_MBX_HEAD_MASK;
	tail = reg_get(dev, R_ATQ_TAIL) & IDPF_MBX_TAIL_MASK;
	if (head >= ring_len || tail >= ring_len) {
		EMU_LOG(WARNING, dev, "ATQ head %u / tail %u beyond length %u: queue critical",
			head, tail, ring_len);
		reg_set(dev, R_ATQ_LEN, reg_get(dev, R_ATQ_LEN) | IDPF_MBX_LEN_CRIT);
		dev->st.ring_errors++;
		return 0;
	}
	/*
	 * At most one ring's worth per round: a driver that keeps posting must not keep us
	 * from delivering replies (they would pile up to overflow).
	 */
	while (head != tail && !dev->stalled && n < ring_len) {
		uint16_t flags, datalen;
		const void *src = NULL;

		memcpy(&d, &ring[head], sizeof(d));
		flags = rte_le_to_cpu_16(d.flags);
		datalen = rte_le_to_cpu_16(d.datalen);
		if (datalen > 0) {
			uint64_t iova = (uint64_t)rte_le_to_cpu_32(d.addr_high) << 32 |
					rte_le_to_cpu_32(d.addr_low);

			if ((flags & IDPF_CTLQ_F_BUF) && datalen <= BUF_LEN)
				src = iova_map(iova, datalen);
			if (src == NULL) {
				EMU_LOG(DEBUG, dev, "ATQ[%u]: buffer 0x%" PRIx64 "+%u refused",
					head, iova, datalen);
				atq_complete(&ring[head], flags | IDPF_CTLQ_F_ERR,
					     VIRTCHNL2_STATUS_ERR_EINVAL);
				dev->st.atq_errors++;
				goto next;
			}
			memcpy(req, src, datalen);
		}
		/* consumed: complete the descriptor before answering, as hardware does */
		atq_complete(&ring[head], flags, 0);
		handle_request(dev, &d, req, datalen);
		if (!(reg_get(dev, R_ATQ_LEN) & IDPF_MBX_LEN_ENABLE))
			return n + 1;	/* the request reset the device */
next:
		head = (head + 1) % ring_len;
		reg_set(dev, R_ATQ_HEAD, head);
		n++;
		tail = reg_get(dev, R_ATQ_TAIL) & IDPF_MBX_TAIL_MASK;
		if (tail >= ring_len)
			break;
	}
	return n;
}

/* ---- ARQ ---- */

/* Choose which due reply goes next: the first, or with reorder any of the first few due. */
static unsigned int
pick_due(struct emu_dev *dev, uint64_t now)
{
	unsigned int k, w = dev->conf.reorder;

	RTE_SET_USED(now);	/* every ready reply is due */
	if (w <= 1)
		return 0;
	k = RTE_MIN(w, dev->q.nb_ready);
	return k <= 1 ? 0 : (unsigned int)(emu_rng_next(&dev->order_rng) % k);
}

static void
arq_write(struct emu_dev *dev, struct idpf_ctlq_desc *d, struct emu_pending *p)
{
	uint64_t iova = (uint64_t)rte_le_to_cpu_32(d->addr_high) << 32 |
			rte_le_to_cpu_32(d->addr_low);
	uint16_t posted = rte_le_to_cpu_16(d->datalen);
	uint16_t pflags = rte_le_to_cpu_16(d->flags);
	uint16_t flags = IDPF_CTLQ_F_DD | IDPF_CTLQ_F_CMP;
	uint16_t datalen = p->len;
	uint32_t v_opcode = p->v_opcode;
	uint8_t ctx[8];
	uint8_t *dst = NULL;
	int how = dev->corrupt;

	memcpy(ctx, p->ctx, sizeof(ctx));
	if (p->len > 0) {
		if ((pflags & IDPF_CTLQ_F_BUF) && posted >= p->len)
			dst = iova_map(iova, p->len);
		if (dst == NULL) {
			/* nowhere to put it: the message is lost, the driver sees ERR */
			dev->st.arq_errors++;
			flags |= IDPF_CTLQ_F_ERR;
			datalen = 0;
		} else {
			memcpy(dst, p->data, p->len);
			flags |= IDPF_CTLQ_F_BUF;
		}
	}
	if (how != 0) {
		dev->corrupt = 0;
		dev->st.corrupted++;
		if (how == EMU_CORRUPT_PAYLOAD && dst != NULL) {
			for (unsigned int i = 0; i < p->len; i++)
				dst[i] = (uint8_t)~dst[i];
		} else if (how == EMU_CORRUPT_COOKIE) {
			ctx[4] = (uint8_t)~ctx[4];
			ctx[5] = (uint8_t)~ctx[5];
		} else if (how == EMU_CORRUPT_OPCODE) {
			v_opcode = IDPF_CTLQ_V_OPCODE_MASK;
		} else if (how == EMU_CORRUPT_DATALEN) {
			datalen = 0xFFFF;
		} else if (how == EMU_CORRUPT_ERR) {
			flags |= IDPF_CTLQ_F_ERR;
		}
	}
	d->opcode = rte_cpu_to_le_16(IDPF_CTLQ_OP_FROM_CP);
	d->datalen = rte_cpu_to_le_16(datalen);
	d->ret_val = 0;
	d->v_opcode_dtype = rte_cpu_to_le_32(v_opcode);
	d->v_retval = rte_cpu_to_le_32((uint32_t)p->v_retval);
	memcpy((uint8_t *)d + IDPF_CTLQ_CTX_OFF, ctx, sizeof(ctx));
	/* the address fields keep the posted buffer; DD goes last */
	__atomic_store_n(&d->flags, rte_cpu_to_le_16(flags), __ATOMIC_RELEASE);
	dev->st.replies++;
}

/* Deliver the due replies while the ARQ has buffers. Returns replies written. */
static unsigned int
arq_deliver(struct emu_dev *dev, uint64_t now)
{
	struct idpf_ctlq_desc *ring;
	uint32_t ring_len, head, tail;
	struct emu_replyq *q = &dev->q;
	unsigned int n = 0, i;

	replyq_take_due(q, now);
	if (q->nb_ready == 0)
		return 0;
	ring = ring_map(dev, R_ARQ_BAL, R_ARQ_BAH, R_ARQ_LEN, &ring_len);
	if (ring == NULL)
		return 0;
	head = reg_get(dev, R_ARQ_HEAD) & dev->layout->arq_head_mask;
	while (q->nb_ready > 0) {
		tail = reg_get(dev, R_ARQ_TAIL) & IDPF_MBX_TAIL_MASK;
		if (head >= ring_len || tail >= ring_len) {
			reg_set(dev, R_ARQ_LEN, reg_get(dev, R_ARQ_LEN) | IDPF_MBX_LEN_CRIT);
			dev->st.ring_errors++;
			break;
		}
		if (head == tail) {	/* no buffer posted: hold the replies */
			dev->st.arq_waits++;
			break;
		}
		i = pick_due(dev, now);
		if (i != 0)
			dev->st.reordered++;
		arq_write(dev, &ring[head],
			  &q->slot[q->ready[(q->ready_head + i) % EMU_PENDING_MAX]]);
		replyq_ready_remove(q, i);
		dev->nb_pending--;
		head = (head + 1) % ring_len;
		reg_set(dev, R_ARQ_HEAD, head);
		n++;
	}
	return n;
}

/* ---- the engine thread ---- */

static void
bell_wait(struct emu_dev *dev, int64_t timeout_ns)
{
	struct pollfd pfd = { .fd = dev->bell, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	uint64_t v;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	if (ppoll(&pfd, 1, tsp, NULL) > 0 && read(dev->bell, &v, sizeof(v)) < 0 &&
	    errno != EAGAIN)
		EMU_LOG(ERR, dev, "doorbell read: %s", strerror(errno));
}

/* When the engine next has timed work: the earliest not-yet-due reply (dev->lock held). */
static uint64_t
next_due_locked(const struct emu_dev *dev)
{
	/* ready replies wait for an ARQ buffer: the tail write that posts one kicks us */
	return dev->q.nb_heap > 0 ? dev->q.slot[dev->q.heap[0]].due_ns : UINT64_MAX;
}

/*
 * Interrupt moderation, as a device's interrupt throttling timer: at most one mailbox
 * interrupt per EMU_ITR_NS. A round with something to signal inside the window leaves it
 * pending (irq_due) and the engine comes back for it when the window ends. Without it, a
 * driver with many messages in flight was interrupted once per reply (the replies fall due
 * one by one), and the interrupt thread's wake-ups took the CPU from the driver and from
 * this engine. A lone reply (nothing signalled in the last EMU_ITR_NS) is not delayed.
 */
#define EMU_ITR_NS 25000u

/* When this engine thread last raised the interrupt (each device has its own thread). */
static __thread uint64_t itr_last_ns;

/* One round of work. Returns true if anything was consumed or delivered. */
static bool
engine_round(struct emu_dev *dev, uint64_t *next_due)
{
	bool busy = false;
	uint64_t now;
	int irq;

	pthread_mutex_lock(&dev->lock);
	if (__atomic_exchange_n(&dev->reset_req, 0, __ATOMIC_ACQ_REL))
		reset_locked(dev);
	*next_due = UINT64_MAX;
	if (!dev->stalled) {
		if (atq_serve(dev) > 0)
			busy = true;
		if (arq_deliver(dev, now_ns()) > 0)
			busy = true;
		*next_due = next_due_locked(dev);
	}
	irq = dev->irq_due || busy;
	now = now_ns();
	if (irq && now - itr_last_ns < EMU_ITR_NS) {
		/* throttled: raise it when the window ends */
		dev->irq_due = 1;
		irq = 0;
		*next_due = RTE_MIN(*next_due, itr_last_ns + EMU_ITR_NS);
	} else {
		dev->irq_due = 0;
	}
	pthread_mutex_unlock(&dev->lock);
	if (irq) {
		itr_last_ns = now;
		irq_raise(dev);
	}
	return busy;
}

static void *
emu_thread(void *arg)
{
	struct emu_dev *dev = arg;
	const uint64_t poll_ns = (uint64_t)dev->conf.poll_us * 1000;
	uint32_t seen_kick = __atomic_load_n(&dev->kick, __ATOMIC_SEQ_CST) - 1;
	uint64_t next_due = UINT64_MAX, last_busy = 0;

	/* a sleep shorter than the polling margin must not be stretched by timer slack */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!__atomic_load_n(&dev->stop, __ATOMIC_ACQUIRE)) {
		uint32_t kick = __atomic_load_n(&dev->kick, __ATOMIC_SEQ_CST);
		uint64_t now = now_ns();
		int64_t timeout;

		if (kick != seen_kick || now >= next_due) {
			seen_kick = kick;
			if (engine_round(dev, &next_due)) {
				/* a busy round may have left work (bounded ATQ batch): go again */
				last_busy = now_ns();
				seen_kick--;
			}
			continue;
		}
		/*
		 * idle: poll if busy a moment ago or a reply is due soon, else sleep. Polling
		 * yields the CPU: on a crowded machine the driver may be waiting for this core.
		 */
		if (now - last_busy < poll_ns || next_due - now <= poll_ns) {
			sched_yield();
			continue;
		}
		__atomic_store_n(&dev->sleeping, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&dev->kick, __ATOMIC_SEQ_CST) == seen_kick) {
			timeout = next_due == UINT64_MAX ? -1 : (int64_t)(next_due - now - poll_ns);
			bell_wait(dev, timeout);
		}
		__atomic_store_n(&dev->sleeping, 0, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

/* ---- life cycle ---- */

struct emu_dev *
emu_create(const char *name, const struct emu_conf *conf)
{
	struct emu_conf defaults;
	struct emu_dev *dev;
	char tname[RTE_MAX_THREAD_NAME_LEN];
	int ret;

	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(dev->name)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (conf == NULL) {
		emu_conf_default(&defaults);
		conf = &defaults;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->conf = *conf;
	dev->layout = idpf_reg_layout_get(conf->func);
	dev->irq_fd = -1;
	dev->bell = -1;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->irq_lock, NULL);
	replyq_init(&dev->q);
	emu_faults_init(&dev->faults, conf);
	emu_rng_seed(&dev->order_rng, conf->seed ^ 0x6F72646572ull);
	reg_set(dev, R_RSTAT, IDPF_RSTAT_COMPLETED);
	dev->cp = emu_cp_create(&conf->res);
	if (dev->cp == NULL) {
		ret = ENOMEM;
		goto err;
	}
	dev->bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dev->bell < 0) {
		ret = errno;
		goto err;
	}
	ret = emu_registry_add(dev);
	if (ret != 0) {
		ret = -ret;
		goto err;
	}
	snprintf(tname, sizeof(tname), "emu-%s", name);
	ret = rte_ctrl_thread_create(&dev->thread, tname, NULL, emu_thread, dev);
	if (ret != 0) {
		emu_registry_del(dev);
		ret = ret < 0 ? -ret : ret;
		goto err;
	}
	dev->thread_started = 1;
	EMU_LOG(INFO, dev, "created (%s, latency %u us, seed %" PRIu64 ")",
		dev->layout->name, conf->latency_us, conf->seed);
	return dev;
err:
	if (dev->bell >= 0)
		close(dev->bell);
	emu_cp_destroy(dev->cp);
	free(dev);
	rte_errno = ret;
	return NULL;
}

struct emu_dev *
emu_create_args(const char *name, const char *args)
{
	struct emu_conf conf;
	char err[160];

	if (emu_conf_parse(args, &conf, err, sizeof(err)) != 0) {
		rte_log(RTE_LOG_ERR, emu_logtype, "idpf_emu %s: %s\n", name ? name : "?", err);
		rte_errno = EINVAL;
		return NULL;
	}
	return emu_create(name, &conf);
}

void
emu_destroy(struct emu_dev *dev)
{
	if (dev == NULL)
		return;
	emu_registry_del(dev);
	if (dev->thread_started) {
		__atomic_store_n(&dev->stop, 1, __ATOMIC_RELEASE);
		bell_ring(dev);
		pthread_join(dev->thread, NULL);
	}
	pending_free_all(dev);
	replyq_free(&dev->q);
	emu_cp_destroy(dev->cp);
	close(dev->bell);
	pthread_mutex_destroy(&dev->lock);
	pthread_mutex_destroy(&dev->irq_lock);
	free(dev);
}

/* ---- hooks ---- */

int
emu_link_event(struct emu_dev *dev, uint32_t vport_id, bool link_up, uint32_t speed_mbps)
{
	struct emit_ctx e = { .dev = dev, .now = now_ns() };
	int ret;

	pthread_mutex_lock(&dev->lock);
	ret = emu_cp_link_event(dev->cp, vport_id, link_up, speed_mbps, emit_reply, &e);
	pthread_mutex_unlock(&dev->lock);
	bell_ring(dev);
	return ret;
}

void
emu_reset(struct emu_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	reset_locked(dev);
	dev->irq_due = 0;
	pthread_mutex_unlock(&dev->lock);
	irq_raise(dev);
	bell_ring(dev);
}

void
emu_corrupt_next_reply(struct emu_dev *dev, enum emu_corrupt how)
{
	pthread_mutex_lock(&dev->lock);
	dev->corrupt = how;
	pthread_mutex_unlock(&dev->lock);
}

void
emu_stall(struct emu_dev *dev, bool stall)
{
	pthread_mutex_lock(&dev->lock);
	dev->stalled = stall;
	pthread_mutex_unlock(&dev->lock);
	bell_ring(dev);
}

void
emu_stats_get(struct emu_dev *dev, struct emu_stats *st)
{
	pthread_mutex_lock(&dev->lock);
	*st = dev->st;
	pthread_mutex_unlock(&dev->lock);
	pthread_mutex_lock(&dev->irq_lock);
	st->interrupts = dev->irq_count;
	pthread_mutex_unlock(&dev->irq_lock);
}

uint64_t
emu_fault_trace(struct emu_dev *dev, struct emu_fault_rec *out, unsigned int max)
{
	uint64_t n;

	pthread_mutex_lock(&dev->lock);
	n = dev->faults.seq;
	if (max > n)
		max = (unsigned int)n;
	if (max > EMU_TRACE_MAX)
		max = EMU_TRACE_MAX;
	memcpy(out, dev->faults.trace, (size_t)max * sizeof(*out));
	pthread_mutex_unlock(&dev->lock);
	return n;
}
