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

/*
 * Extensions (helper B): per-vport telemetry, a typed snapshot for tests and the PMD's
 * self-checks, and a stats hook. All of them take the control plane's lock.
 */

/**
 * Like emu_cp_telemetry() for one vport only (its queues, RSS, filters, flags, stats): the
 * full state of a large configuration may not fit one telemetry reply.
 *
 * @return 0, -ENOENT (unknown vport), -EINVAL (NULL argument) or -ENOMEM.
 */
int emu_cp_telemetry_vport(struct emu_cp *cp, uint32_t vport_id, struct rte_tel_data *d);

/** Control-plane summary returned by emu_cp_snapshot(). */
struct emu_cp_summary {
	int versioned;			/**< VERSION 2.x accepted since the last reset */
	int caps_done;			/**< GET_CAPS answered since the last reset */
	uint16_t nb_vports;		/**< vports that exist */
	uint16_t vectors_granted;	/**< num_allocated_vectors answered (mailbox included) */
	uint16_t vectors_allocated;	/**< vectors handed out by ALLOC_VECTORS */
	uint16_t queues_used[4];	/**< queues owned, by type TX, RX, TX_COMPL, RX_BUFFER */
	uint64_t requests;		/**< requests handled, all opcodes */
	uint64_t errors;		/**< requests answered with a non-zero status */
	uint64_t resets;		/**< emu_cp_reset() and RESET_VF */
};

/** Fill @p out with a summary. Return 0, or -EINVAL on NULL arguments. */
int emu_cp_snapshot(struct emu_cp *cp, struct emu_cp_summary *out);

/** State of one vport as the driver programmed it. */
struct emu_cp_vport_state {
	uint16_t vport_index;		/**< echoed from CREATE_VPORT */
	int enabled;
	int loopback;
	int link_up;
	uint32_t link_speed;		/**< Mbps, from the last link event */
	uint16_t promisc_flags;		/**< VIRTCHNL2_UNICAST_PROMISC | ..._MULTICAST_PROMISC */
	uint16_t nb_mac_filters;
	uint16_t nb_queues[4];		/**< by type TX, RX, TX_COMPL, RX_BUFFER */
	uint16_t rss_key_len;
	uint64_t rss_hash;
	uint64_t requests;		/**< requests that named this vport */
};

/** Return 0 and fill @p out, -ENOENT for an unknown vport, -EINVAL on NULL arguments. */
int emu_cp_vport_state(struct emu_cp *cp, uint32_t vport_id, struct emu_cp_vport_state *out);

/** State of one queue as the driver programmed it. */
struct emu_cp_queue_state {
	uint32_t vport_id;		/**< owner */
	int configured;
	int enabled;
	int mapped;			/**< vector_id and itr_idx are valid */
	uint16_t ring_len;
	uint16_t vector_id;
	uint8_t itr_idx;
	uint64_t dma_ring_addr;
};

/**
 * State of queue @p queue_id of virtchnl2 type @p type (0 TX, 1 RX, 2 TX_COMPLETION,
 * 3 RX_BUFFER). Return 0, -ENOENT when no vport owns that queue, -EINVAL on bad arguments.
 */
int emu_cp_queue_state(struct emu_cp *cp, uint32_t type, uint32_t queue_id,
		       struct emu_cp_queue_state *out);

/** Requests seen for @p v_opcode since creation (unknown opcodes: the total of them). */
uint64_t emu_cp_op_requests(struct emu_cp *cp, uint32_t v_opcode);

/**
 * Test hook (and the data path's): add @p delta to GET_STATS counter @p counter of a vport,
 * counter 0 being rx_bytes and 14 rx_overflow_drop (virtchnl2_vport_stats order).
 *
 * @return 0, -ENOENT (unknown vport) or -EINVAL (counter out of range).
 */
int emu_cp_stats_add(struct emu_cp *cp, uint32_t vport_id, unsigned int counter,
		     uint64_t delta);

#endif /* CTLPATH_EMU_CP_H */
