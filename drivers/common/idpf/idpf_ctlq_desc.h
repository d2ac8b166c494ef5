/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_IDPF_CTLQ_DESC_H
#define CTLPATH_IDPF_CTLQ_DESC_H

/**
 * @file
 * The 32-byte idpf control-queue (mailbox) descriptor and the bit fields of the mailbox
 * registers, as both sides of the mailbox see them: the ring driver (idpf_mbx.c) and the
 * emulated device (emu/emu.c). Every multi-byte field is little-endian on the wire.
 * Layout: reference idpf-virtchnl2.md sections 1.3 and 2.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/** One control-queue descriptor, ATQ or ARQ (reference 2.1). */
struct idpf_ctlq_desc {
	uint16_t flags;		/**< IDPF_CTLQ_F_*; DD is written last by the device */
	uint16_t opcode;	/**< message infrastructure type (IDPF_CTLQ_OP_*) */
	uint16_t datalen;	/**< payload bytes (TX, RX done) or buffer size (RX post) */
	uint16_t ret_val;	/**< device status on TX write-back */
	uint32_t v_opcode_dtype; /**< virtchnl2 opcode in bits 27:0, descriptor type 31:28 */
	uint32_t v_retval;	/**< virtchnl2 status in replies, 0 in requests */
	uint32_t param0;	/**< generic parameter, 0 from our driver */
	uint16_t sw_cookie;	/**< opaque cookie the device echoes into the reply */
	uint16_t v_flags;	/**< virtchnl flags (echoed with the cookie) */
	uint32_t addr_high;	/**< upper 32 bits of the indirect buffer's IOVA */
	uint32_t addr_low;	/**< lower 32 bits of the indirect buffer's IOVA */
};

static_assert(sizeof(struct idpf_ctlq_desc) == 32, "descriptor is 32 bytes");
static_assert(offsetof(struct idpf_ctlq_desc, v_opcode_dtype) == 8, "v_opcode at 8");
static_assert(offsetof(struct idpf_ctlq_desc, param0) == 16, "context at 16");
static_assert(offsetof(struct idpf_ctlq_desc, sw_cookie) == 20, "cookie at 20");
static_assert(offsetof(struct idpf_ctlq_desc, addr_high) == 24, "address high dword at 24");

/** Bytes 16-23 of a request (param0, cookie, v_flags): the device copies them into the reply. */
#define IDPF_CTLQ_CTX_OFF	16
#define IDPF_CTLQ_CTX_LEN	8

/* Descriptor flags (reference 2.2). */
#define IDPF_CTLQ_F_DD		0x0001u	/**< descriptor done */
#define IDPF_CTLQ_F_CMP		0x0002u	/**< complete, set with DD */
#define IDPF_CTLQ_F_ERR		0x0004u	/**< error */
#define IDPF_CTLQ_F_RD		0x0400u	/**< device must read the buffer */
#define IDPF_CTLQ_F_VFC		0x0800u	/**< sent by a VF */
#define IDPF_CTLQ_F_BUF		0x1000u	/**< a buffer is attached */

/* Descriptor opcodes (message infrastructure types). */
#define IDPF_CTLQ_OP_SEND_TO_CP	0x0801u	/**< driver to control plane */
#define IDPF_CTLQ_OP_FROM_CP	0x0804u	/**< control plane to driver */

/** v_opcode field: bits 27:0 carry the virtchnl2 opcode. */
#define IDPF_CTLQ_V_OPCODE_MASK	0x0FFFFFFFu

/** Largest payload of one message, and the size of every ARQ buffer. */
#define IDPF_CTLQ_MAX_BUF_LEN	4096u

/* xxxLEN register fields (reference 1.3). */
#define IDPF_MBX_LEN_MASK	0x3FFu		/**< ring length in descriptors (10 bits) */
#define IDPF_MBX_LEN_VFE	(1u << 28)
#define IDPF_MBX_LEN_OVFL	(1u << 29)	/**< device lost a message (no buffer) */
#define IDPF_MBX_LEN_CRIT	(1u << 30)	/**< critical error on this queue */
#define IDPF_MBX_LEN_ENABLE	(1u << 31)	/**< driver sets it with the length */
#define IDPF_MBX_HEAD_MASK	0x3FFu
#define IDPF_MBX_TAIL_MASK	0x3FFu

/* xGEN_RSTAT state field (reference 1.4). */
#define IDPF_RSTAT_MASK		0x3u
#define IDPF_RSTAT_IN_PROGRESS	0x0u
#define IDPF_RSTAT_COMPLETED	0x1u
#define IDPF_RSTAT_ACTIVE	0x2u

/** PFGEN_CTRL bit 0: software-triggered PF reset. */
#define IDPF_PFGEN_CTRL_PFSWR	0x1u

#endif /* CTLPATH_IDPF_CTLQ_DESC_H */
