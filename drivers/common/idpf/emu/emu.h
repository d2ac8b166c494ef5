/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_EMU_H
#define CTLPATH_EMU_H

/**
 * @file
 * Emulated idpf device: a sparse BAR0 (mailbox and reset registers of the PF or VF layout), a
 * mailbox engine on its own thread that serves the ATQ and ARQ like hardware does, the
 * control plane of emu_cp.h behind it, fault injection, test hooks and a telemetry endpoint.
 *
 * The engine reads descriptors and buffers by IOVA through DPDK's memory API; an address
 * outside DPDK memory gets ERR on its descriptor (or CRIT in xxxLEN for a ring), never a
 * crash. Replies echo request bytes 16-23 (cookie at 20-21). The mailbox interrupt is a write
 * to the eventfd bound through the register layer (idpf_hw_ops.irq_bind).
 *
 * Replies wait in the engine while the ARQ has no free buffer (up to 1024, then they are
 * dropped and ARQLEN.OVFL is set), so a slow driver loses nothing short of that.
 *
 * Thread safety: every function may be called from any thread, except that emu_destroy()
 * must not race with any other call on the same device.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../idpf_hw.h"
#include "emu_cp.h"

struct emu_dev;

/** Behaviour of an emulated device; emu_conf_parse() fills it from a devargs string. */
struct emu_conf {
	enum idpf_func_type func;	/**< func=pf|vf (default pf) */
	uint32_t latency_us;		/**< latency_us: reply delay (default 0) */
	uint32_t jitter_us;		/**< jitter_us: extra uniform delay in [0, jitter] */
	/** reorder: pick among this many due replies (0 or 1: in order) */
	uint16_t reorder;
	double drop;			/**< drop: probability a request gets no reply */
	double dup;			/**< dup: probability a reply is sent twice */
	double late;			/**< late: probability a reply comes after late_ms */
	/** err: probability a reply carries a random virtchnl2 error */
	double err;
	uint32_t late_ms;		/**< late_ms: delay of a late reply (default 3000) */
	/** seed: every fault decision derives from it (default 1) */
	uint64_t seed;
	/**
	 * poll_us: the engine polls instead of sleeping when the next reply is due within this
	 * many microseconds (default 50; 0 = always sleep, at the cost of wake-up latency).
	 */
	uint32_t poll_us;
	struct emu_cp_resources res;	/**< vports, queues, vectors, rss_lut, rss_key, macs, mtu */
};

/** Defaults: PF, no latency, no faults, seed 1, 4 vports, 64 queues, 64 vectors. */
void emu_conf_default(struct emu_conf *conf);

/**
 * Parse a devargs string "key=value,key=value" over the defaults.
 *
 * Keys: func, latency_us, jitter_us, reorder, drop, dup, late, err, late_ms, seed, poll_us,
 * vports, queues, vectors, rss_lut, rss_key, macs, mtu.
 *
 * @param args    NULL or "" for the defaults
 * @param err     receives a message naming the offending key on failure (may be NULL)
 * @return 0, or -EINVAL for an unknown key or a bad value (conf is then undefined).
 */
int emu_conf_parse(const char *args, struct emu_conf *conf, char *err, size_t errlen);

/**
 * Create a device and start its thread.
 *
 * @param name  unique, for logs and telemetry (at most 31 characters)
 * @param conf  NULL for the defaults
 * @return the device, or NULL with rte_errno set (EINVAL, EEXIST for a taken name, ENOMEM).
 */
struct emu_dev *emu_create(const char *name, const struct emu_conf *conf);

/** Create from a devargs string; a bad string is logged with the key and gives EINVAL. */
struct emu_dev *emu_create_args(const char *name, const char *args);

/** Stop the thread and free the device. NULL is fine. */
void emu_destroy(struct emu_dev *dev);

/** The device's register window, for the layers above idpf_hw.h. */
void emu_hw_get(struct emu_dev *dev, struct idpf_hw *hw);

/** Name given at creation. */
const char *emu_name(const struct emu_dev *dev);

/* ---- test hooks ---- */

/** Send a link-change EVENT for @p vport_id now. @return 0 or -ENOENT (unknown vport). */
int emu_link_event(struct emu_dev *dev, uint32_t vport_id, bool link_up, uint32_t speed_mbps);

/**
 * Reset the device as a control-plane reboot does (reference 1.4): RSTAT goes through
 * "in progress", ATQLEN/ARQLEN lose length and enable, pending replies are lost, the control
 * plane forgets everything, RSTAT reads "completed", and the mailbox interrupt is raised.
 */
void emu_reset(struct emu_dev *dev);

/** What emu_corrupt_next_reply() does to the next reply. */
enum emu_corrupt {
	EMU_CORRUPT_PAYLOAD = 1,	/**< every payload byte inverted */
	EMU_CORRUPT_COOKIE,		/**< cookie bits inverted */
	EMU_CORRUPT_OPCODE,		/**< v_opcode replaced by 0x0FFFFFFF */
	EMU_CORRUPT_DATALEN,		/**< datalen claims 0xFFFF bytes */
	EMU_CORRUPT_ERR,		/**< ERR flag set on the descriptor */
};

/** Corrupt the next reply written to the ARQ. */
void emu_corrupt_next_reply(struct emu_dev *dev, enum emu_corrupt how);

/** Stop (true) or resume (false) all mailbox processing; doorbells keep accumulating. */
void emu_stall(struct emu_dev *dev, bool stall);

/* ---- observation ---- */

/** Engine counters. */
struct emu_stats {
	uint64_t requests;	/**< ATQ descriptors handed to the control plane */
	uint64_t replies;	/**< ARQ descriptors written */
	uint64_t atq_errors;	/**< ATQ descriptors completed with ERR (bad address or length) */
	uint64_t arq_errors;	/**< replies lost on a bad posted ARQ descriptor */
	uint64_t ring_errors;	/**< ring base outside DPDK memory or bad tail (CRIT set) */
	uint64_t dropped;	/**< fault: requests left unanswered */
	uint64_t duplicated;	/**< fault: replies sent twice */
	uint64_t late;		/**< fault: replies delayed by late_ms */
	uint64_t errors;	/**< fault: replies with an injected error */
	uint64_t reordered;	/**< replies sent before an earlier-due one */
	uint64_t corrupted;	/**< replies corrupted by the hook */
	uint64_t arq_waits;	/**< times a due reply waited for an ARQ buffer */
	uint64_t overflows;	/**< replies lost because too many were waiting */
	uint64_t events;	/**< EVENT messages queued */
	uint64_t interrupts;	/**< eventfd writes */
	uint64_t resets;	/**< device resets */
};

void emu_stats_get(struct emu_dev *dev, struct emu_stats *st);

/** One fault decision, per request in ATQ order. */
struct emu_fault_rec {
	uint64_t seq;		/**< request number since creation, from 1 */
	uint32_t v_opcode;
	uint8_t drop, dup, late;
	int32_t err_status;	/**< injected virtchnl2 status, 0 for none */
	uint32_t delay_us;	/**< latency + jitter drawn */
};

/**
 * Copy the first @p max fault decisions (in request order) into @p out.
 * @return the number of decisions recorded so far (may exceed max; 4096 are kept).
 */
uint64_t emu_fault_trace(struct emu_dev *dev, struct emu_fault_rec *out, unsigned int max);

#endif /* CTLPATH_EMU_H */
