/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_EMU_CP_PRIV_H
#define CTLPATH_EMU_CP_PRIV_H

/**
 * @file
 * Internal state of the emulated control plane, shared by its files:
 * emu_cp.c (life cycle, dispatch, VERSION, GET_CAPS, vports, events, stats),
 * emu_cp_queues.c (queues and vectors), emu_cp_config.c (RSS, MAC filters, promiscuous
 * mode, loopback, ptypes) and emu_cp_telemetry.c.
 *
 * Every field below is protected by emu_cp.lock. Handlers run with the lock held and only
 * fill cp->reply; replies are emitted after the lock is released, so that an emit callback
 * can never deadlock against a telemetry reader.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "emu_cp.h"
#include "virtchnl2.h"

/** Data-path queue types the control plane manages (TX, RX, TX_COMPLETION, RX_BUFFER). */
#define EMU_CP_NB_QTYPES 4

/** Largest max_queues accepted (queue ids of a type must stay below the next type's base). */
#define EMU_CP_MAX_QUEUES 512
/** Largest RSS LUT and key accepted. */
#define EMU_CP_MAX_LUT 512
#define EMU_CP_MAX_KEY 256
/** Largest number of vectors and vports accepted. */
#define EMU_CP_MAX_VECTORS 2048
#define EMU_CP_MAX_VPORTS 256
/** Largest number of MAC filters per vport accepted. */
#define EMU_CP_MAX_MACS 4096

/** Queue ids handed out for each type start at this base (documented in the guide). */
static const uint32_t emu_cp_qid_base[EMU_CP_NB_QTYPES] = { 0x0000, 0x0400, 0x0800, 0x0c00 };
/** BAR0 offsets of the first tail register of each type, and their spacing. */
static const uint64_t emu_cp_qtail_base[EMU_CP_NB_QTYPES] = {
	0x05000000, 0x05100000, 0x05200000, 0x05300000 };
#define EMU_CP_QTAIL_SPACING 0x1000
/** BAR0 offsets of the vector registers. */
#define EMU_CP_DYNCTL_BASE 0x08900000u
#define EMU_CP_DYNCTL_SPACING 0x4u
#define EMU_CP_ITRN_BASE 0x08a00000u
#define EMU_CP_ITRN_SPACING 0x4u
#define EMU_CP_ITRN_INDEX_SPACING 0x2000u
/** Vector 0 is the mailbox vector; it is never handed out by ALLOC_VECTORS. */
#define EMU_CP_MBX_VECTOR 0

/** One data-path queue (indexed by type and id - base). */
struct emu_cp_queue {
	int vport;			/**< owning vport slot, -1 when free */
	bool configured;
	bool enabled;
	bool mapped;
	uint16_t ring_len;
	uint16_t model;
	uint16_t vector_id;
	uint8_t itr_idx;
	uint64_t dma_ring_addr;
	uint32_t data_buffer_size;	/**< RX / RX buffer queues */
	uint32_t max_pkt_size;		/**< RX queues */
	uint16_t compl_queue_id;	/**< TX queues in the split model */
};

struct emu_cp_mac {
	uint8_t addr[6];
	uint8_t type;
};

/** One vport slot. */
struct emu_cp_vport {
	bool used;
	bool enabled;
	bool loopback;
	bool link_up;
	uint32_t id;
	uint16_t vport_index;
	uint16_t txq_model;
	uint16_t rxq_model;
	uint16_t nq[EMU_CP_NB_QTYPES];	/**< queues owned, per type */
	uint32_t link_speed;
	uint8_t mac[6];
	uint16_t promisc;
	uint16_t n_mac;
	struct emu_cp_mac *macs;	/**< res.max_mac_filters entries */
	uint16_t rss_key_len;
	uint8_t *rss_key;		/**< res.rss_key_size bytes */
	uint32_t *rss_lut;		/**< res.rss_lut_size entries */
	uint64_t rss_hash;
	uint64_t stats[VIRTCHNL2_VPORT_STATS_COUNTERS];
	uint64_t requests;		/**< requests naming this vport */
};

/** Per-opcode counters (index = position in the dispatch table). */
struct emu_cp_op_counters {
	uint64_t requests;
	uint64_t errors;
};

/** The reply being built for the current request. */
struct emu_cp_reply {
	int32_t status;
	uint16_t len;
	bool none;			/**< no reply at all (RESET_VF) */
	_Alignas(8) uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
};

struct emu_cp {
	pthread_mutex_t lock;
	struct emu_cp_resources res;
	bool versioned;			/**< VERSION 2.x accepted since the last reset */
	bool caps_done;			/**< GET_CAPS answered since the last reset */
	uint32_t drv_major;
	uint32_t drv_minor;
	uint16_t granted_vectors;	/**< GET_CAPS num_allocated_vectors (mailbox included) */
	uint16_t vectors_in_use;	/**< ALLOC_VECTORS total, mailbox excluded */
	uint32_t next_vport_id;
	struct emu_cp_vport *vports;	/**< res.max_vports slots */
	uint16_t nb_queues[EMU_CP_NB_QTYPES];
	struct emu_cp_queue *queues[EMU_CP_NB_QTYPES];
	uint8_t *vec_allocated;		/**< res.max_vectors flags */
	uint16_t *vec_mapped;		/**< queues mapped to each vector */
	struct emu_cp_op_counters *ops;	/**< one per dispatch-table row */
	uint64_t unknown_requests;
	uint64_t link_events;
	uint64_t resets;
	/* Request and reply buffers of the handling thread (one at a time, see emu_cp.h). */
	_Alignas(8) uint8_t req[VIRTCHNL2_MAX_MSG_LEN];
	struct emu_cp_reply reply;
};

/* emu_cp.c */
/** Return: the vport with this id or NULL. Caller holds the lock. */
struct emu_cp_vport *emu_cp_vport_find(struct emu_cp *cp, uint32_t vport_id);
/** emu_cp_vport_find() for a request naming the vport: also counts the request. */
struct emu_cp_vport *emu_cp_vport_req(struct emu_cp *cp, uint32_t vport_id);
/** For emu_cp_telemetry.c: opcode and counters of dispatch row @p i; false past the end. */
bool emu_cp_op_counters(struct emu_cp *cp, unsigned int i, uint32_t *opcode, uint64_t *req,
			uint64_t *err);
void emu_cp_vport_release(struct emu_cp *cp, struct emu_cp_vport *vp);
bool emu_cp_len_matches(uint16_t len, size_t hdr, size_t elem, uint32_t n);

/* emu_cp_queues.c: every handler returns a VIRTCHNL2_STATUS_* and may fill cp->reply. */
int emu_cp_qtype_index(uint32_t type);
struct emu_cp_queue *emu_cp_queue_get(struct emu_cp *cp, uint32_t type, uint32_t id);
int emu_cp_queues_alloc(struct emu_cp *cp, struct emu_cp_vport *vp, const uint16_t want[],
			struct virtchnl2_queue_reg_chunk *chunks, uint16_t *nb_chunks);
void emu_cp_queues_free_vport(struct emu_cp *cp, int slot);
int32_t emu_cp_op_config_tx(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_config_rx(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_enable_queues(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_disable_queues(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_add_queues(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_del_queues(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_map_vectors(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_unmap_vectors(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_alloc_vectors(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_dealloc_vectors(struct emu_cp *cp, const void *msg, uint16_t len);

/* emu_cp_config.c */
int emu_cp_vport_config_init(struct emu_cp *cp, struct emu_cp_vport *vp);
int32_t emu_cp_op_get_rss_key(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_set_rss_key(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_get_rss_lut(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_set_rss_lut(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_get_rss_hash(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_set_rss_hash(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_add_mac(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_del_mac(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_promisc(struct emu_cp *cp, const void *msg, uint16_t len);
int32_t emu_cp_op_loopback(struct emu_cp *cp, const void *msg, uint16_t len);
/** GET_PTYPE_INFO: validates under the lock; emits its replies itself, lock released. */
int32_t emu_cp_ptype_check(const void *msg, uint16_t len);
void emu_cp_ptype_emit(struct emu_cp *cp, const void *msg, emu_cp_emit_t emit, void *ctx);
/** Number of ptypes the emulated device knows (ids 0 .. n-1). */
uint16_t emu_cp_ptype_count(void);

#endif /* CTLPATH_EMU_CP_PRIV_H */
