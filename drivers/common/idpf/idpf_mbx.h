/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_IDPF_MBX_H
#define CTLPATH_IDPF_MBX_H

/**
 * @file
 * idpf mailbox ring driver: the ATQ (send) and ARQ (receive) control queues of one function,
 * over the register layer of idpf_hw.h (hardware or emulator alike).
 *
 * Sending: idpf_mbx_send() may be called from any number of threads at once. It reserves a
 * descriptor with one atomic, fills it and its indirect buffer, then publishes in reservation
 * order with one tail write; no lock is held while the device works. When the device has
 * consumed a descriptor (DD), the cleaning path reports the message's send buffer released
 * through the sent callback, with the caller's cookie.
 *
 * Receiving: idpf_mbx_poll() / idpf_mbx_recv() drain the ARQ and deliver every message,
 * replies and events alike (the upper layer tells events apart by v_opcode), to the receive
 * callback. They may run at once from the mailbox interrupt (idpf_mbx_intr_enable(): an rte_intr
 * handler on an eventfd, on EAL's interrupt thread) and from any number of waiters: one of them
 * drains, the others return at once, and no message is left behind unseen.
 *
 * Callbacks run on whichever thread drains or cleans; they must not block and must not call
 * idpf_mbx_destroy() or idpf_mbx_restart(). They may call idpf_mbx_send().
 */

#include <stdbool.h>
#include <stdint.h>

#include "idpf_hw.h"

struct idpf_mbx;

/** One message taken off the ARQ, as delivered to the receive callback. */
struct idpf_mbx_msg {
	uint32_t v_opcode;	/**< virtchnl2 opcode (descriptor bits 27:0) */
	int32_t v_retval;	/**< virtchnl2 status */
	uint16_t cookie;	/**< bytes 20-21: echoed from the request, 0 for events */
	uint16_t v_flags;	/**< bytes 22-23 */
	uint16_t desc_opcode;	/**< message infrastructure type (0x0804 from the CP) */
	uint16_t desc_flags;	/**< descriptor flags as written back */
	/**
	 * 0, or -EBADMSG when the device flagged the descriptor with ERR or claimed more data
	 * than the buffer holds (then len is clamped to the buffer). The message is delivered
	 * anyway so that the cookie's owner can fail its transaction.
	 */
	int err;
	const void *payload;	/**< NULL when len is 0; valid only during the callback */
	uint16_t len;		/**< payload bytes */
};

/** Receive callback: one call per ARQ message, in ring order. */
typedef void (*idpf_mbx_recv_cb_t)(void *arg, const struct idpf_mbx_msg *msg);

/**
 * Send-buffer-released callback: the ATQ descriptor carrying @p cookie was consumed.
 *
 * @param status  0 when the device accepted it; a positive device status (descriptor
 *                ret_val & 0xff, or 0x100 | ret_val when it set ERR); -ENXIO when the message
 *                was abandoned by idpf_mbx_restart() or idpf_mbx_destroy()
 */
typedef void (*idpf_mbx_sent_cb_t)(void *arg, uint16_t cookie, int status);

/** Called once when the interrupt path finds the mailbox reset by the device (ARQLEN cleared). */
typedef void (*idpf_mbx_reset_cb_t)(void *arg);

/**
 * DMA memory provider. NULL in idpf_mbx_conf means memzones (IOVA-contiguous, from the
 * caller's socket). Tests and the fuzz target may supply their own.
 *
 * Each ring takes several pieces, none larger than 1 MiB: the descriptors, then its buffers
 * in chunks of at most 256 x 4 KiB. Memzones are reserved so that no piece crosses a 2 MiB
 * boundary, which keeps 512-entry rings possible in IOVA-as-PA mode, where only one hugepage
 * at a time is known to be IOVA-contiguous.
 */
struct idpf_mbx_dma_ops {
	/** Zeroed memory of @p len bytes aligned to @p align; sets *iova. NULL on failure. */
	void *(*alloc)(void *arg, const char *name, size_t len, size_t align, uint64_t *iova);
	void (*free)(void *arg, void *va);
	void *arg;
};

/** Mailbox configuration. */
struct idpf_mbx_conf {
	const char *name;	/**< for logs and memzone names (short) */
	uint16_t atq_len;	/**< ATQ descriptors, power of two in [4, 512]; 0 = 64 */
	uint16_t arq_len;	/**< ARQ descriptors, power of two in [4, 512]; 0 = 64 */
	int socket_id;		/**< for memzones; SOCKET_ID_ANY is fine */
	idpf_mbx_recv_cb_t recv_cb;	/**< required */
	idpf_mbx_sent_cb_t sent_cb;	/**< optional */
	idpf_mbx_reset_cb_t reset_cb;	/**< optional */
	void *cb_arg;
	const struct idpf_mbx_dma_ops *dma;	/**< NULL: memzones */
};

/** Counters, all since creation. */
struct idpf_mbx_stats {
	uint64_t tx_posted;	/**< messages published on the ATQ */
	uint64_t tx_cleaned;	/**< ATQ descriptors seen done */
	uint64_t tx_dev_errors;	/**< ... with a non-zero status or ERR */
	uint64_t tx_full;	/**< sends refused with -ENOSPC */
	uint64_t rx_msgs;	/**< ARQ messages delivered */
	uint64_t rx_errors;	/**< ... with err set */
	uint64_t rx_events;	/**< ... with v_opcode EVENT (522) */
	uint64_t interrupts;	/**< interrupt handler runs */
	uint64_t resets;	/**< resets detected */
};

/**
 * Create a mailbox on @p hw and bring both rings up (reference 3.1): DMA memory for the rings,
 * one 4 KiB buffer per descriptor slot, ARQ buffers posted, registers programmed.
 *
 * @return the mailbox, or NULL with rte_errno set: EINVAL (bad conf), ENOMEM.
 */
struct idpf_mbx *idpf_mbx_create(const struct idpf_hw *hw, const struct idpf_mbx_conf *conf);

/**
 * Tear down: interrupt unbound, rings disabled (LEN written 0), outstanding sends reported
 * released with -ENXIO, memory freed. No other call on @p mbx may run or follow. NULL is fine.
 */
void idpf_mbx_destroy(struct idpf_mbx *mbx);

/**
 * Post one message on the ATQ. Thread-safe (multi-producer).
 *
 * @param cookie    echoed in bytes 20-21 of the reply, and passed to the sent callback
 * @param v_opcode  virtchnl2 opcode, at most 28 bits
 * @param payload   copied into the slot's indirect buffer; may be NULL when len is 0
 * @param len       0 (direct descriptor) to 4096
 * @return 0; -EINVAL (bad opcode, NULL payload with len); -EMSGSIZE (len > 4096);
 *         -ENOSPC (ATQ full: retry after completions); -ENXIO (mailbox down after a reset).
 */
int idpf_mbx_send(struct idpf_mbx *mbx, uint16_t cookie, uint32_t v_opcode, const void *payload,
		  uint16_t len);

/**
 * Clean the ATQ: for each consumed descriptor, in order, read DD then a read barrier, then
 * call the sent callback. Thread-safe; if another thread is cleaning, returns 0 at once.
 *
 * @return descriptors cleaned.
 */
unsigned int idpf_mbx_clean(struct idpf_mbx *mbx);

/**
 * Drain up to @p max ARQ messages (0 = no limit) to the receive callback, re-post their
 * buffers and write the ARQ tail once. Thread-safe, see the file comment.
 *
 * @return messages delivered by this call.
 */
unsigned int idpf_mbx_recv(struct idpf_mbx *mbx, unsigned int max);

/** idpf_mbx_clean() then idpf_mbx_recv(mbx, 0). @return messages received. */
unsigned int idpf_mbx_poll(struct idpf_mbx *mbx);

/**
 * Take the mailbox interrupt: create an eventfd, bind it through the register layer's
 * irq_bind, and register an rte_intr handler on it that runs idpf_mbx_poll() and checks for a
 * device reset.
 *
 * @return 0; -EEXIST (already enabled); -ENOTSUP (the window cannot raise interrupts); other
 *         negative errno from eventfd or rte_intr.
 */
int idpf_mbx_intr_enable(struct idpf_mbx *mbx);

/** Undo idpf_mbx_intr_enable(); waits for a running handler to finish. Idempotent. */
void idpf_mbx_intr_disable(struct idpf_mbx *mbx);

/**
 * Check whether the device reset the mailbox (ARQLEN length or enable cleared, reference 1.4).
 * If so, the mailbox goes down: sends fail with -ENXIO until idpf_mbx_restart().
 *
 * @return true if the mailbox is down.
 */
bool idpf_mbx_check_reset(struct idpf_mbx *mbx);

/**
 * Bring the rings up again after a device reset: outstanding sends are reported released with
 * -ENXIO, rings zeroed, buffers re-posted, registers programmed. The caller must make sure no
 * other call on @p mbx runs meanwhile (the interrupt handler is held off by this call).
 *
 * @return 0, or -EIO if the device has not finished its reset (RSTAT).
 */
int idpf_mbx_restart(struct idpf_mbx *mbx);

/** Copy the counters. */
void idpf_mbx_stats_get(const struct idpf_mbx *mbx, struct idpf_mbx_stats *st);

/** ATQ descriptors free for sending right now (a snapshot). */
unsigned int idpf_mbx_atq_free(const struct idpf_mbx *mbx);

#endif /* CTLPATH_IDPF_MBX_H */
