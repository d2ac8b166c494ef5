/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the mailbox ring driver's receive path (ARQ drain) and ATQ completion cleaning
 * fed arbitrary descriptor write-backs and buffer contents, as a broken or hostile device
 * could write them. The harness plays the device: a register window in plain memory and DMA
 * memory from the heap (IOVA = VA), so no EAL is needed.
 *
 * Input: a sequence of records, each starting with a kind byte:
 *   0: ARQ write-back   32 descriptor bytes, 2 length bytes, that many payload bytes
 *   1: driver send      2 cookie bytes, 4 opcode bytes, 2 length bytes (payload from input)
 *   2: ATQ write-back   32 descriptor bytes for the next ATQ slot
 *   3: drain            1 byte: max messages (0 = all)
 * The receive callback touches every payload byte (so ASan checks the bounds) and checks the
 * documented contract: len <= 4096, payload NULL iff len is 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idpf_ctlq_desc.h"
#include "idpf_mbx.h"

#define RING 8

struct fake_dev {
	uint32_t off[16];
	uint32_t val[16];
	unsigned int n;
	uint32_t arq_head, atq_head;
};

static uint32_t *
fake_reg(struct fake_dev *d, uint32_t off)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->off[i] == off)
			return &d->val[i];
	if (d->n == 16)
		abort();	/* the driver uses 12 registers at most */
	d->off[d->n] = off;
	d->val[d->n] = 0;
	return &d->val[d->n++];
}

static uint32_t
fake_read32(void *ctx, uint32_t off)
{
	return *fake_reg(ctx, off);
}

static void
fake_write32(void *ctx, uint32_t off, uint32_t val)
{
	*fake_reg(ctx, off) = val;
}

static int
fake_irq_bind(void *ctx, int efd)
{
	(void)ctx;
	(void)efd;
	return -1;
}

static const struct idpf_hw_ops fake_ops = {
	.read32 = fake_read32, .write32 = fake_write32, .irq_bind = fake_irq_bind,
};

static void *
heap_alloc(void *arg, const char *name, size_t len, size_t align, uint64_t *iova)
{
	void *p;

	(void)arg;
	(void)name;
	p = aligned_alloc(align, (len + align - 1) / align * align);
	if (p != NULL) {
		memset(p, 0, len);
		*iova = (uintptr_t)p;
	}
	return p;
}

static void
heap_free(void *arg, void *va)
{
	(void)arg;
	free(va);
}

static const struct idpf_mbx_dma_ops heap_dma = { .alloc = heap_alloc, .free = heap_free };

static volatile uint32_t sink;

static void
on_recv(void *arg, const struct idpf_mbx_msg *m)
{
	const uint8_t *p = m->payload;
	uint32_t sum = 0;
	unsigned int i;

	(void)arg;
	if (m->len > IDPF_CTLQ_MAX_BUF_LEN || (m->len == 0) != (p == NULL))
		abort();
	for (i = 0; i < m->len; i++)
		sum += p[i];
	sink += sum + m->cookie + m->v_opcode;
}

static void
on_sent(void *arg, uint16_t cookie, int status)
{
	(void)arg;
	sink += cookie + (uint32_t)status;
}

static size_t
take(const uint8_t **data, size_t *size, void *out, size_t n)
{
	size_t k = n < *size ? n : *size;

	memset(out, 0, n);
	memcpy(out, *data, k);
	*data += k;
	*size -= k;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t payload[IDPF_CTLQ_MAX_BUF_LEN + 16];
	struct fake_dev dev = { .n = 0 };
	struct idpf_hw hw = { .ops = &fake_ops, .ctx = &dev,
			      .regs = &idpf_reg_layout_pf };
	struct idpf_mbx_conf conf = {
		.name = "fuzz", .atq_len = RING, .arq_len = RING,
		.recv_cb = on_recv, .sent_cb = on_sent, .dma = &heap_dma,
	};
	const struct idpf_reg_layout *l = hw.regs;
	struct idpf_mbx *mbx = idpf_mbx_create(&hw, &conf);
	unsigned int rounds = 0;

	if (mbx == NULL)
		abort();
	while (size > 0 && rounds++ < 256) {
		uint8_t kind = *data++;
		struct idpf_ctlq_desc d;
		uint16_t len, cookie;
		uint32_t op;
		uint8_t max;

		size--;
		switch (kind & 3) {
		case 0: {
			/* the device writes a reply into the buffer posted at its head */
			uint32_t arq_bal = fake_read32(&dev, l->arq_bal);
			uint32_t arq_bah = fake_read32(&dev, l->arq_bah);
			struct idpf_ctlq_desc *ring =
				(void *)(uintptr_t)((uint64_t)arq_bah << 32 | arq_bal);
			struct idpf_ctlq_desc *slot = &ring[dev.arq_head % RING];
			uint64_t addr = (uint64_t)slot->addr_high << 32 | slot->addr_low;
			/* the driver keeps its buffers right before its ring */
			uint64_t bufs = (uintptr_t)ring - RING * IDPF_CTLQ_MAX_BUF_LEN;
			uint8_t *buf = NULL;

			take(&data, &size, &d, sizeof(d));
			take(&data, &size, &len, sizeof(len));
			len %= IDPF_CTLQ_MAX_BUF_LEN + 1;
			len = (uint16_t)take(&data, &size, payload, len);
			/*
			 * A device writes only into buffers the driver posted: a slot still
			 * holding an earlier (fuzzed) write-back gets only the descriptor.
			 */
			if (addr >= bufs && addr < (uintptr_t)ring &&
			    (addr - bufs) % IDPF_CTLQ_MAX_BUF_LEN == 0)
				buf = (uint8_t *)(uintptr_t)addr;
			if (buf != NULL)
				memcpy(buf, payload, len);
			memcpy(slot, &d, sizeof(d));
			dev.arq_head++;
			break;
		}
		case 1:
			take(&data, &size, &cookie, sizeof(cookie));
			take(&data, &size, &op, sizeof(op));
			take(&data, &size, &len, sizeof(len));
			len %= IDPF_CTLQ_MAX_BUF_LEN + 2;
			len = (uint16_t)take(&data, &size, payload, len);
			idpf_mbx_send(mbx, cookie, op, payload, len);
			break;
		case 2: {
			uint32_t atq_bal = fake_read32(&dev, l->atq_bal);
			uint32_t atq_bah = fake_read32(&dev, l->atq_bah);
			struct idpf_ctlq_desc *ring =
				(void *)(uintptr_t)((uint64_t)atq_bah << 32 | atq_bal);

			take(&data, &size, &d, sizeof(d));
			memcpy(&ring[dev.atq_head % RING], &d, sizeof(d));
			dev.atq_head++;
			idpf_mbx_clean(mbx);
			break;
		}
		default:
			take(&data, &size, &max, sizeof(max));
			idpf_mbx_recv(mbx, max % 4);
			break;
		}
	}
	idpf_mbx_poll(mbx);
	idpf_mbx_check_reset(mbx);
	idpf_mbx_destroy(mbx);
	return 0;
}
