/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_EMU_CP_H
#define CTLPATH_EMU_CP_H

/**
 * @file
 * Control plane of the emulated idpf device: the virtchnl2 state machine (vports, queues,
 * vectors, RSS, MAC filters, promiscuous flags, stats) behind the emulated mailbox.
 *
 * It knows nothing of descriptors, rings, cookies or timing: the mailbox engine (emu.c) takes
 * a request off the emulated ATQ and calls emu_cp_handle(); the control plane answers through
 * the emit callback, zero times (RESET_VF), once (most opcodes) or several times (a multi-part
 * reply). Fault injection (latency, drop, reorder, duplicates, late replies, random errors)
 * belongs to the mailbox engine, not here.
 *
 * Concurrency: every call on one emu_cp must come from one thread at a time (the emulator's
 * thread); emu_cp_telemetry_*() and emu_cp_snapshot() may be called from any thread and take
 * the control plane's own lock.
 */

#include <stdint.h>
#include <stddef.h>

struct emu_cp;

/** Resources the control plane grants (from the emulator's devargs). */
struct emu_cp_resources {
	uint16_t max_vports;	/**< vports that CREATE_VPORT may create */
	uint16_t max_queues;	/**< TX and RX queues each, over all vports */
	uint16_t max_vectors;	/**< interrupt vectors, mailbox vector included */
	uint16_t rss_lut_size;	/**< RSS LUT entries per vport */
	uint16_t rss_key_size;	/**< RSS key bytes per vport */
	uint16_t max_mac_filters; /**< MAC filters per vport */
	uint32_t max_mtu;	/**< largest MTU the device accepts */
};

/**
 * Reply sink: one call per reply message.
 *
 * @param ctx       the emu_cp_handle() caller's context
 * @param v_opcode  virtchnl2 opcode of the reply (the request's, or VIRTCHNL2_OP_EVENT)
 * @param v_retval  virtchnl2 status (VIRTCHNL2_STATUS_*)
 * @param msg       reply payload (may be NULL when len is 0); valid only during the call
 * @param len       payload bytes, at most 4096
 */
typedef void (*emu_cp_emit_t)(void *ctx, uint32_t v_opcode, int32_t v_retval, const void *msg,
			      uint16_t len);

/** Create a control plane in its post-reset state (no VERSION yet). NULL on failure. */
struct emu_cp *emu_cp_create(const struct emu_cp_resources *res);

/** Free a control plane. NULL is accepted. */
void emu_cp_destroy(struct emu_cp *cp);

/**
 * Handle one request from the driver.
 *
 * Validates it (VERSION first, lengths against counts, vport and queue ids, resources) and
 * answers with the proper virtchnl2 status; never reads past msg + len.
 */
void emu_cp_handle(struct emu_cp *cp, uint32_t v_opcode, const void *msg, uint16_t len,
		   emu_cp_emit_t emit, void *ctx);

/** Emit an unsolicited link-change EVENT for a vport. Returns 0 or -ENOENT (unknown vport). */
int emu_cp_link_event(struct emu_cp *cp, uint32_t vport_id, int link_up, uint32_t speed_mbps,
		      emu_cp_emit_t emit, void *ctx);

/** Back to the post-reset state: every vport, queue, vector and filter is gone. */
void emu_cp_reset(struct emu_cp *cp);

/**
 * Write a JSON-like description of the state into a DPDK telemetry dict (struct rte_tel_data):
 * vports with their queues (type, id, ring address, length, enabled), vectors, RSS key/LUT/hash,
 * MAC filters, promiscuous flags, per-opcode request counters.
 */
struct rte_tel_data;
int emu_cp_telemetry(struct emu_cp *cp, struct rte_tel_data *d);

#endif /* CTLPATH_EMU_CP_H */
