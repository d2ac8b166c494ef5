/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_XN_H
#define CTLPATH_XN_H

/**
 * @file
 * xn: lock-free cookie transaction ring.
 *
 * A transport-agnostic request/reply matcher for control channels such as the idpf mailbox.
 * The user supplies a send function; every request gets a slot of the ring and a 16-bit cookie
 * (salt << 8 | index) that the transport carries to the device and that the device echoes in
 * its reply. The receive path hands every reply to xn_complete(), which finds the waiting
 * transaction by cookie and completes it, or counts and drops the reply.
 *
 * Lifetime of a slot: claimed -> waiting (request sent) -> completed by a reply, timed out,
 * or cancelled by xn_shutdown() -> retired. A retired slot goes back to the free set only once
 * the transport has also reported its send buffer released with xn_release(), so a buffer the
 * device may still read is never reused. Each slot has its own 8-bit salt, bumped every time the
 * slot is claimed: a late reply to an earlier use of the slot carries an old salt and is dropped.
 *
 * Slots are handed out in turn, in runs: a thread whose synchronous call got its reply, with
 * the send buffer already released, keeps the slot for its own next call, up to 16 uses of the
 * slot in a row; then the slot goes back to the free set and the thread takes the next one in
 * turn. A kept slot is free (not in flight): a call that finds no other free slot takes one
 * kept by another thread (counted in xn_stats::taken). Slots of timed-out, cancelled or failed
 * transactions, and of async ones, are never kept.
 *
 * Concurrency: every call may be made from any thread at the same time, except that
 * xn_ring_free() must not race with anything. No call takes a lock. Callbacks (the send op,
 * the poll hook, async completion callbacks) never run with any internal lock held, but an
 * async callback must not call xn_exec() (it may run on the thread that drives the receive path).
 *
 * The library uses only C11 atomics, pthreads-compatible code and the Linux futex syscall.
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of slots of one ring (the cookie's index is 8 bits wide). */
#define XN_MAX_SLOTS 256

/** Build a cookie from a salt and a slot index. */
#define XN_COOKIE(salt, idx) ((uint16_t)(((uint16_t)(uint8_t)(salt) << 8) | (uint8_t)(idx)))
/** Slot index carried by a cookie. */
#define XN_COOKIE_IDX(cookie) ((uint8_t)((cookie) & 0xff))
/** Salt carried by a cookie. */
#define XN_COOKIE_SALT(cookie) ((uint8_t)((cookie) >> 8))

/**
 * One message: a request handed to the send op, or a reply handed to xn_complete().
 * xn never looks inside the payload.
 */
struct xn_msg {
	uint32_t opcode;	/**< opaque operation code; a reply must echo the request's */
	int32_t status;		/**< remote status of a reply (0: success); unused in requests */
	uint32_t len;		/**< payload length in bytes */
	const void *data;	/**< payload, may be NULL when len is 0 */
};

/**
 * Where a synchronous call puts its reply (see xn_exec()).
 */
struct xn_reply {
	void *buf;		/**< in: destination of the reply payload (NULL if cap is 0) */
	uint32_t cap;		/**< in: size of buf */
	uint32_t len;		/**< out: full payload length sent by the device (may exceed cap) */
	int32_t status;		/**< out: remote status of the reply */
};

/**
 * Send op of the transport.
 *
 * Called once per transaction with the cookie to carry and the request. The transport must
 * copy what it needs before returning. On success it owns a "send buffer" for the cookie
 * until it calls xn_release(), which it may also do before returning. On failure it must not
 * call xn_release() for that cookie.
 *
 * A reply may arrive (xn_complete() may be called) before this function returns.
 *
 * @return 0 when the message was queued, or a negative errno (passed back to the caller).
 */
typedef int (*xn_send_t)(void *ctx, uint16_t cookie, const struct xn_msg *msg);

/**
 * Optional receive hook: drain the transport's receive queue, calling xn_complete() for each
 * reply. Called by waiting threads, so that no dedicated receive thread is needed. It may be
 * called by several threads at once; the transport serialises its own queue (a trylock is fine).
 */
typedef void (*xn_poll_t)(void *ctx);

/**
 * Completion callback of an asynchronous transaction. Runs exactly once per successful
 * xn_exec_async(): on the reply, on timeout, or on shutdown, in the thread that observed it.
 *
 * @param arg    the argument given to xn_exec_async()
 * @param result reply payload length (>= 0) when the reply has status 0; -EREMOTEIO when the
 *               reply has a non-zero status (see reply->status); -ETIMEDOUT; or the error
 *               given to xn_shutdown()
 * @param reply  the reply (valid only during the call), or NULL when no reply arrived
 */
typedef void (*xn_cb_t)(void *arg, int result, const struct xn_msg *reply);

/** Ring configuration for xn_ring_create(). */
struct xn_ring_conf {
	uint16_t nslots;		/**< number of slots, 1..XN_MAX_SLOTS */
	xn_send_t send;			/**< send op (required) */
	/** receive hook, or NULL when replies arrive by themselves */
	xn_poll_t poll;
	void *ctx;			/**< first argument of send and poll */
	uint32_t spin_ns;		/**< busy-wait before sleeping; 0: default (20 us) */
	uint32_t poll_interval_us;	/**< longest sleep between two poll calls; 0: 100 us */
};

/** Return codes of xn_complete(): each is counted and, except XN_RX_OK, the reply dropped. */
enum xn_rx_result {
	XN_RX_OK = 0,		/**< reply delivered to its transaction */
	XN_RX_UNKNOWN_INDEX,	/**< the cookie's index is not a slot of this ring */
	XN_RX_STALE_SALT,	/**< the salt belongs to an earlier use of the slot */
	XN_RX_NOT_WAITING,	/**< right salt, but the transaction timed out, was cancelled, or
				 *   was not sent yet: a late reply */
	XN_RX_DUPLICATE,	/**< right salt, but the transaction already got its reply */
	XN_RX_OPCODE_MISMATCH,	/**< right slot and salt, wrong opcode: dropped, the transaction
				 *   keeps waiting */
};

/**
 * Latency summary, from send to reply, in nanoseconds (percentiles within 1/8). Sampled: the
 * first transaction of each slot, then one in 16 of that slot, are timed.
 */
struct xn_latency {
	uint64_t count;		/**< completions measured (sampled, see above) */
	uint64_t min_ns;
	uint64_t p50_ns;
	uint64_t p99_ns;
	uint64_t max_ns;
};

/**
 * Counters. Once no call is running:
 * sent == completed + timed_out + cancelled + send_failed + inflight.
 */
struct xn_stats {
	uint64_t sent;		/**< transactions handed to the send op */
	uint64_t completed;	/**< ended by a reply (whatever its status) */
	uint64_t remote_errors;	/**< of which the reply had a non-zero status */
	uint64_t truncated;	/**< of which the reply did not fit the caller's buffer */
	uint64_t timed_out;	/**< ended by their timeout (sync and async) */
	uint64_t cancelled;	/**< ended by xn_shutdown() */
	uint64_t send_failed;	/**< ended because the send op failed */
	uint64_t refused;	/**< calls refused: no free slot, ring shut down, bad argument */
	uint64_t unknown_index;	/**< replies dropped: XN_RX_UNKNOWN_INDEX */
	uint64_t stale;		/**< replies dropped: XN_RX_STALE_SALT */
	uint64_t late;		/**< replies dropped: XN_RX_NOT_WAITING */
	uint64_t duplicates;	/**< replies dropped: XN_RX_DUPLICATE */
	uint64_t opcode_mismatch; /**< replies dropped: XN_RX_OPCODE_MISMATCH */
	uint64_t taken;		/**< claims that took a slot kept by another thread (for its
				 *   next call) because no other slot was free */
	uint64_t inflight;	/**< transactions sent and not ended, now */
	uint64_t inflight_hwm;	/**< most slots in use at once (transactions in flight, plus
				 *   ended ones whose send buffer was not released yet) */
	uint64_t busy_buffers;	/**< slots whose send buffer is not released yet, now */
	struct xn_latency latency; /**< send to reply, replies only */
};

struct xn_ring;

/**
 * Create a ring.
 *
 * @param conf configuration (copied)
 * @return the ring, or NULL with errno set: EINVAL (nslots out of range, no send op),
 *         ENOMEM.
 */
struct xn_ring *xn_ring_create(const struct xn_ring_conf *conf);

/**
 * Free a ring. No other call on the ring may be running or made afterwards; transactions
 * still outstanding are abandoned without callbacks (call xn_shutdown() first).
 *
 * @param r the ring, or NULL (no-op)
 */
void xn_ring_free(struct xn_ring *r);

/**
 * Synchronous transaction: claim a slot, send @p req, wait for the reply or the timeout.
 *
 * The reply payload is copied into rep->buf, at most rep->cap bytes; rep->len and
 * rep->status are set whenever a reply arrived. While waiting, the caller spins briefly, then
 * sleeps on the slot; if the ring has a poll hook it calls it (and reaps expired async
 * transactions) between sleeps of at most poll_interval_us.
 *
 * @param r          the ring
 * @param req        the request (opcode, payload); status is ignored
 * @param rep        where the reply goes, or NULL to discard it
 * @param timeout_us timeout in microseconds, > 0
 * @return the reply payload length (>= 0) on a reply with status 0 that fits;
 *         -EREMOTEIO: reply with a non-zero status (rep->status, rep->len set, payload copied);
 *         -EMSGSIZE: reply longer than rep->cap (rep->cap bytes copied, rep->len is the full
 *         length);
 *         -ETIMEDOUT: no reply in time (a later reply is dropped as XN_RX_NOT_WAITING);
 *         -EAGAIN: no free slot; -ESHUTDOWN: ring shut down; -EINVAL: bad argument;
 *         the error given to xn_shutdown() if the ring was shut down while waiting;
 *         or the send op's error.
 */
int xn_exec(struct xn_ring *r, const struct xn_msg *req, struct xn_reply *rep,
	    uint32_t timeout_us);

/**
 * Asynchronous transaction: claim a slot, send @p req and return. @p cb runs exactly once if
 * and only if this function returns 0: on the reply (from xn_complete()), on timeout (from
 * xn_expire(), called by waiters and poll paths or by the user), or on shutdown.
 *
 * @param r          the ring
 * @param req        the request
 * @param timeout_us timeout in microseconds, > 0
 * @param cb         completion callback (required)
 * @param arg        its argument
 * @return 0 when sent (or already ended, through cb); -EAGAIN: no free slot; -ESHUTDOWN: ring
 *         shut down; -EINVAL: bad argument; or the send op's error (cb not called).
 */
int xn_exec_async(struct xn_ring *r, const struct xn_msg *req, uint32_t timeout_us,
		  xn_cb_t cb, void *arg);

/**
 * Deliver a reply. Called by the transport's receive path for every reply carrying a cookie.
 * If the cookie names a waiting transaction with the same opcode, the reply completes it: a
 * synchronous waiter is woken with the payload copied, an async callback runs here.
 *
 * @param r      the ring
 * @param cookie the cookie echoed by the device
 * @param reply  opcode, remote status and payload of the reply
 * @return an enum xn_rx_result (>= 0), or -EINVAL when r or reply is NULL.
 */
int xn_complete(struct xn_ring *r, uint16_t cookie, const struct xn_msg *reply);

/**
 * The transport no longer uses the send buffer of @p cookie (for the idpf mailbox: the ATQ
 * descriptor is done). The slot may be reused once its transaction has ended too.
 *
 * @return 0; -EINVAL: bad ring or index; -ESTALE: the salt is not the slot's current one;
 *         -EALREADY: the slot has no busy send buffer.
 */
int xn_release(struct xn_ring *r, uint16_t cookie);

/**
 * The transport dropped every send buffer (queue reset): release them all.
 *
 * @return the number of buffers released, or -EINVAL.
 */
int xn_release_all(struct xn_ring *r);

/**
 * Fail every asynchronous transaction whose timeout has passed (callback with -ETIMEDOUT).
 * Also done by waiting threads of xn_exec() when the ring has a poll hook; a transport with its
 * own receive thread should call it from there.
 *
 * @return the number of transactions expired, or -EINVAL.
 */
int xn_expire(struct xn_ring *r);

/**
 * Shut the ring down (device reset or removal): refuse new calls with -ESHUTDOWN, end every
 * outstanding transaction with @p err at once (sync waiters return it, async callbacks get it).
 * Send buffers stay busy until released (xn_release() / xn_release_all()). A call that claimed
 * its slot just before the shutdown is waited for (it publishes within a few instructions, no
 * user code runs meanwhile) and then ended with @p err.
 *
 * @param r   the ring
 * @param err negative errno given to outstanding transactions, e.g. -EIO or -ECANCELED
 * @return the number of transactions ended, or -EINVAL (bad ring, err >= 0).
 */
int xn_shutdown(struct xn_ring *r, int err);

/**
 * Accept calls again after xn_shutdown() (a new ring starts armed).
 *
 * @return 0, or -EINVAL.
 */
int xn_arm(struct xn_ring *r);

/**
 * Read the counters.
 *
 * @param r     the ring
 * @param stats filled in
 * @return 0, or -EINVAL.
 */
int xn_stats_get(struct xn_ring *r, struct xn_stats *stats);

/** Name of an xn_complete() return code, for logs. */
const char *xn_rx_result_str(int rc);

#ifdef __cplusplus
}
#endif

#endif /* CTLPATH_XN_H */
