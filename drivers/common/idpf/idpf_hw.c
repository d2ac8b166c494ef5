/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register layouts of the PF and VF mailbox blocks, and the BAR0 MMIO register window.
 */
#include <errno.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_io.h>

#include "idpf_ctlq_desc.h"
#include "idpf_hw.h"

const struct idpf_reg_layout idpf_reg_layout_pf = {
	.type = IDPF_FUNC_PF,
	.name = "pf",
	.arq_bal = 0x08400000, .arq_bah = 0x08400004, .arq_len = 0x08400008,
	.arq_head = 0x0840000C, .arq_tail = 0x08400010,
	.atq_bal = 0x08400014, .atq_bah = 0x08400018, .atq_len = 0x0840001C,
	.atq_head = 0x08400020, .atq_tail = 0x08400024,
	.rstat = 0x08407008,
	.ctrl = 0x0840700C,
	.arq_head_mask = 0x1FFF,
};

const struct idpf_reg_layout idpf_reg_layout_vf = {
	.type = IDPF_FUNC_VF,
	.name = "vf",
	.arq_bal = 0x6C00, .arq_bah = 0x6000, .arq_len = 0x8000,
	.arq_head = 0x7400, .arq_tail = 0x7000,
	.atq_bal = 0x7C00, .atq_bah = 0x7800, .atq_len = 0x6800,
	.atq_head = 0x6400, .atq_tail = 0x8400,
	.rstat = 0x8800,
	.ctrl = UINT32_MAX,
	.arq_head_mask = 0x1FFF,
};

const struct idpf_reg_layout *
idpf_reg_layout_get(enum idpf_func_type type)
{
	return type == IDPF_FUNC_VF ? &idpf_reg_layout_vf : &idpf_reg_layout_pf;
}

static uint32_t
mmio_read32(void *ctx, uint32_t off)
{
	const struct idpf_mmio *w = ctx;

	if ((size_t)off + 4 > w->len)
		return UINT32_MAX;
	return rte_le_to_cpu_32(rte_read32(w->base + off));
}

static void
mmio_write32(void *ctx, uint32_t off, uint32_t val)
{
	const struct idpf_mmio *w = ctx;

	if ((size_t)off + 4 > w->len)
		return;
	/* rte_write32 orders itself after earlier stores to coherent DMA memory */
	rte_write32(rte_cpu_to_le_32(val), w->base + off);
}

static int
mmio_irq_bind(void *ctx, int efd)
{
	(void)ctx;
	(void)efd;
	return -ENOTSUP;
}

static const struct idpf_hw_ops mmio_ops = {
	.read32 = mmio_read32,
	.write32 = mmio_write32,
	.irq_bind = mmio_irq_bind,
};

int
idpf_hw_init_mmio(struct idpf_hw *hw, struct idpf_mmio *win, enum idpf_func_type type)
{
	const struct idpf_reg_layout *l;

	if (hw == NULL || win == NULL || win->base == NULL ||
	    (type != IDPF_FUNC_PF && type != IDPF_FUNC_VF))
		return -EINVAL;
	l = idpf_reg_layout_get(type);
	/* the whole mailbox block and RSTAT must lie inside the map */
	if ((size_t)l->rstat + 4 > win->len || (size_t)l->atq_tail + 4 > win->len ||
	    (size_t)l->arq_len + 4 > win->len)
		return -EINVAL;
	hw->ops = &mmio_ops;
	hw->ctx = win;
	hw->regs = l;
	return 0;
}

int
idpf_hw_reset_done(const struct idpf_hw *hw)
{
	uint32_t v = idpf_reg_read(hw, hw->regs->rstat);

	return v != UINT32_MAX && (v & IDPF_RSTAT_MASK) != IDPF_RSTAT_IN_PROGRESS;
}
