/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_IDPF_CTL_H
#define CTLPATH_IDPF_CTL_H

/**
 * @file
 * The idpf control channel: virtchnl2 calls over the mailbox (idpf_mbx.h), matched to their
 * replies by the lock-free transaction ring (lib/xn).
 *
 * One idpf_ctl per function. It owns the mailbox and the ring, routes every ARQ message
 * (replies to lib/xn by cookie, EVENT messages to the event callback), maps virtchnl2 status
 * codes to errno in one place, and keeps per-opcode counters and latencies.
 *
 * A second mode, "legacy", reproduces DPDK 22.11's in-tree design for comparison: one message
 * in flight, replies matched by opcode, an ATQ clean loop of 20 ms busy waits before each send
 * and a caller that polls the ARQ in 10 ms sleeps. It exists for the benchmarks
 * (ctlpath-bench portstart, mailbox) and is selected by the PMD's devarg `ctl=legacy`.
 *
 * Concurrency: every call but idpf_ctl_destroy() and idpf_ctl_reset() may be made from any
 * thread at once. Replies are received by the mailbox interrupt (when enabled) and by every
 * waiting caller, whichever comes first.
 */

#include <stdbool.h>
#include <stdint.h>

#include "idpf_hw.h"
#include "virtchnl2.h"

struct idpf_ctl;

/** Unsolicited message (EVENT) callback; runs on the receiving thread, must not block. */
typedef void (*idpf_ctl_event_cb_t)(void *arg, const struct virtchnl2_event *ev);

/** Control channel configuration. */
struct idpf_ctl_conf {
	const char *name;		/**< for logs and memzone names (short) */
	bool legacy;			/**< DPDK 22.11's design, see the file comment */
	bool use_intr;			/**< take the mailbox interrupt (eventfd) when available */
	uint16_t nslots;		/**< transactions in flight, 1..256; 0 = 256 */
	uint32_t timeout_ms;		/**< default per-call timeout; 0 = 2000 */
	int socket_id;			/**< for DMA memory */
	idpf_ctl_event_cb_t event_cb;	/**< EVENT messages, or NULL to count and drop them */
	void *event_arg;
	/** The device reset the mailbox under us (seen by the interrupt path), or NULL. */
	void (*reset_cb)(void *arg);
	void *reset_arg;
};

/** Per-opcode counters (see idpf_ctl_op_stats()). */
struct idpf_ctl_op_stats {
	uint64_t calls;			/**< calls sent */
	uint64_t errors;		/**< calls that ended with an error (timeout included) */
	uint64_t lat_total_ns;		/**< sum of latencies of replied calls */
	uint64_t lat_max_ns;		/**< largest latency */
	uint64_t replies;		/**< replied calls (for the mean) */
};

/** Channel counters (transaction ring + mailbox + events). */
struct idpf_ctl_stats {
	uint64_t sent, completed, timed_out, cancelled, remote_errors, late_dropped, stale_dropped,
		dup_dropped, unknown_dropped, opcode_mismatch, inflight, inflight_hwm;
	uint64_t lat_min_ns, lat_p50_ns, lat_p99_ns, lat_max_ns;
	uint64_t events, rx_msgs, rx_errors, tx_full, interrupts, resets;
	/** Times a caller waited for replies (one idpf_ctl_call() or idpf_ctl_batch() each): the
	 *  dependent rounds of a sequence of calls from one thread. */
	uint64_t waits;
};

/**
 * Bring the mailbox up on @p hw and start the transaction ring.
 *
 * @return the channel, or NULL with rte_errno set.
 */
struct idpf_ctl *idpf_ctl_create(const struct idpf_hw *hw, const struct idpf_ctl_conf *conf);

/** Shut everything down (outstanding calls fail with -ENXIO) and free. NULL is fine. */
void idpf_ctl_destroy(struct idpf_ctl *ctl);

/**
 * One synchronous virtchnl2 call. A query (GET_CAPS, GET_PTYPE_INFO, GET_RSS_*, GET_STATS)
 * that times out is asked again, up to three times in all; other calls are never repeated,
 * since the device may have applied a request whose reply was lost.
 *
 * @param op        virtchnl2 opcode
 * @param req       request payload (may be NULL when req_len is 0)
 * @param req_len   its length, at most 4096
 * @param resp      where the reply payload goes, or NULL (with resp_cap 0) to ignore it
 * @param resp_cap  its size; a longer reply fails with -EMSGSIZE (when resp is not NULL)
 * @param timeout_ms 0: the channel's default
 * @return the reply length (>= 0); -ETIMEDOUT; -EMSGSIZE; the errno of the device's
 *         virtchnl2 status (virtchnl2_status_to_errno()); -ENXIO after a reset or on shutdown;
 *         -EAGAIN when every slot is taken; -ENOSPC when the ATQ is full.
 */
int idpf_ctl_call(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len,
		  void *resp, uint32_t resp_cap, uint32_t timeout_ms);

/** Completion of an asynchronous call: @p result as idpf_ctl_call() returns it. */
typedef void (*idpf_ctl_cb_t)(void *arg, int result, const void *resp, uint32_t len);

/**
 * One asynchronous call: returns once sent; @p cb runs exactly once (reply, timeout, shutdown)
 * if and only if this returns 0. In legacy mode the call is made synchronously and @p cb runs
 * before this returns. The call's context comes from a per-channel pool of one per slot
 * (allocated only if the pool is momentarily empty).
 *
 * @return 0 or a negative errno (then @p cb is not called); -ENOMEM when no context could be
 *         had.
 */
int idpf_ctl_call_async(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len,
			uint32_t timeout_ms, idpf_ctl_cb_t cb, void *arg);

/** One request of a batch (idpf_ctl_batch()). */
struct idpf_ctl_req {
	uint32_t op;
	const void *req;
	uint16_t req_len;
	void *resp;			/**< may be NULL */
	uint32_t resp_cap;
	int result;			/**< out: as idpf_ctl_call() returns */
	/** Optional: runs on the receiving thread with the reply, before the batch returns. */
	idpf_ctl_cb_t cb;
	void *cb_arg;
};

/**
 * Send independent requests together and wait for all of them (all are in flight at once,
 * up to the number of free slots; in legacy mode one after the other).
 *
 * @return 0 when every request succeeded, else the first failed request's result (each
 *         request's own result is in its @c result).
 */
int idpf_ctl_batch(struct idpf_ctl *ctl, struct idpf_ctl_req *reqs, unsigned int n,
		   uint32_t timeout_ms);

/**
 * The device was reset (or is about to be): fail every outstanding call at once with
 * -ENXIO, refuse new ones, wait for the device to be ready and bring the mailbox up again.
 * No other call may run on @p ctl meanwhile except calls that will fail fast.
 *
 * @return 0, or -EIO when the device did not come back in @p wait_ms.
 */
int idpf_ctl_reset(struct idpf_ctl *ctl, uint32_t wait_ms);

/** Fail every outstanding and future call with -ENXIO until idpf_ctl_reset(). */
void idpf_ctl_shutdown(struct idpf_ctl *ctl);

/** True once the mailbox saw the device reset it (calls fail with -ENXIO). */
bool idpf_ctl_is_down(struct idpf_ctl *ctl);

/** Read the channel counters. */
void idpf_ctl_stats_get(struct idpf_ctl *ctl, struct idpf_ctl_stats *st);

/**
 * Per-opcode counters of opcode @p op (any virtchnl2 opcode the driver sends).
 *
 * @return 0, or -ENOENT for an opcode the table does not track.
 */
int idpf_ctl_op_stats(struct idpf_ctl *ctl, uint32_t op, struct idpf_ctl_op_stats *st);

/** Reset every counter (the in-flight figures are kept). */
void idpf_ctl_stats_reset(struct idpf_ctl *ctl);

/**
 * Drain the ARQ now (callers that cannot rely on the interrupt), and fail the async calls
 * whose timeout passed (checked at most every 100 us, whoever polls).
 */
void idpf_ctl_poll(struct idpf_ctl *ctl);

#endif /* CTLPATH_IDPF_CTL_H */
