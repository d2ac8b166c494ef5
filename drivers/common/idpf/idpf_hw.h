/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_IDPF_HW_H
#define CTLPATH_IDPF_HW_H

/**
 * @file
 * Register access for idpf functions: one small layer between the mailbox driver and the
 * device. An idpf_hw is a register window (read32/write32 at a BAR0 offset, plus binding the
 * mailbox interrupt to an eventfd) and the register layout of the function (PF or VF). A real
 * device plugs in BAR0 MMIO (idpf_hw_init_mmio()); the emulated device plugs in its register
 * file (emu_hw_attach()). Code above this layer cannot tell them apart.
 */

#include <stddef.h>
#include <stdint.h>

/** Function type, which decides the register layout. */
enum idpf_func_type {
	IDPF_FUNC_PF = 0,	/**< physical function, 8086:1452 */
	IDPF_FUNC_VF = 1,	/**< SR-IOV virtual function, 8086:145c */
};

/** BAR0 offsets of the mailbox and reset registers of one function type (reference 1.2, 1.4). */
struct idpf_reg_layout {
	enum idpf_func_type type;
	const char *name;	/**< "pf" or "vf" */
	uint32_t atq_bal, atq_bah, atq_len, atq_head, atq_tail;
	uint32_t arq_bal, arq_bah, arq_len, arq_head, arq_tail;
	uint32_t rstat;		/**< xGEN_RSTAT */
	uint32_t ctrl;		/**< PFGEN_CTRL (PF only), UINT32_MAX when absent */
	uint32_t arq_head_mask;	/**< head field width of ARQH */
};

/** The PF layout (mailbox block at 0x08400000). */
extern const struct idpf_reg_layout idpf_reg_layout_pf;
/** The VF layout (mailbox block at 0x6000). */
extern const struct idpf_reg_layout idpf_reg_layout_vf;

/** Layout of a function type. Never NULL for a valid type. */
const struct idpf_reg_layout *idpf_reg_layout_get(enum idpf_func_type type);

/**
 * Register window operations. Implementations must make read32() and write32() safe to call
 * from several threads at once, and write32() must not be reordered before the caller's
 * earlier stores to DMA memory once the caller has issued rte_io_wmb().
 */
struct idpf_hw_ops {
	/** Read a 32-bit register at a BAR0 offset. */
	uint32_t (*read32)(void *ctx, uint32_t off);
	/** Write a 32-bit register at a BAR0 offset. */
	void (*write32)(void *ctx, uint32_t off, uint32_t val);
	/**
	 * Deliver the mailbox interrupt by writing @p efd (eventfd semantics), or stop with -1.
	 * Return 0 or a negative errno (-ENOTSUP when the window cannot raise interrupts).
	 */
	int (*irq_bind)(void *ctx, int efd);
};

/** One function's register window and layout. Plain data: copy it freely. */
struct idpf_hw {
	const struct idpf_hw_ops *ops;
	void *ctx;				/**< ops' private pointer */
	const struct idpf_reg_layout *regs;
};

/** Read register @p off. */
static inline uint32_t
idpf_reg_read(const struct idpf_hw *hw, uint32_t off)
{
	return hw->ops->read32(hw->ctx, off);
}

/** Write @p val to register @p off. */
static inline void
idpf_reg_write(const struct idpf_hw *hw, uint32_t off, uint32_t val)
{
	hw->ops->write32(hw->ctx, off, val);
}

/** A mapped BAR0, owned by the caller of idpf_hw_init_mmio() and outliving the idpf_hw. */
struct idpf_mmio {
	uint8_t *base;		/**< e.g. a PCI device's mem_resource[0].addr */
	size_t len;		/**< mapped bytes */
};

/**
 * Set up @p hw over a mapped BAR0. Accesses outside the map read as all-ones (as a removed
 * device does) and writes outside it are dropped.
 *
 * @param hw    filled on success
 * @param win   the mapped window; kept by pointer
 * @param type  PF or VF register layout
 * @return 0, or -EINVAL for a NULL map, a map too short for the mailbox block or an unknown
 *         type. The window has no irq_bind: the PCI front door binds VFIO MSI-X itself.
 */
int idpf_hw_init_mmio(struct idpf_hw *hw, struct idpf_mmio *win, enum idpf_func_type type);

/**
 * Whether the function's reset has completed (reference 1.4 "ready" test): RSTAT is not
 * all-ones and its state field is not "in progress".
 */
int idpf_hw_reset_done(const struct idpf_hw *hw);

#endif /* CTLPATH_IDPF_HW_H */
