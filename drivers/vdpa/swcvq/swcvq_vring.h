/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SWCVQ_VRING_H
#define SWCVQ_VRING_H

/**
 * @file
 * Device side of a data virtqueue (split or packed) for vendors that move frames in software,
 * and bounds-checked copies to and from guest memory.
 *
 * Nothing read from the guest is trusted: chain walks are bounded by the ring size and
 * SWCVQ_CHAIN_MAX, indices are masked, every buffer is translated through the memory table for
 * its whole length. A chain that breaks a rule is still returned to the guest (used length 0) so
 * the driver never waits for it. Indirect descriptors (VIRTIO_F_INDIRECT_DESC) are followed when
 * the ring has a memory table: one table per chain, split or packed layout as the ring.
 * Concurrency: one thread per ring (the device thread).
 */

#include <stdbool.h>
#include <stdint.h>

#include <netctrl.h>

/** Most descriptors in one data chain. */
#define SWCVQ_CHAIN_MAX 64

/** Guest memory table (a copy of the vhost library's regions). */
struct swcvq_mem {
	unsigned int n;
	struct netctrl_mem_region r[8];
};

/** One buffer of a chain, as the guest gave it. */
struct swcvq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;			/**< device-writable */
};

/** A chain popped from a ring. */
struct swcvq_chain {
	uint16_t head;			/**< split: head index; packed: buffer id */
	uint16_t ndesc;			/**< descriptors the chain used (packed ring advance) */
	uint16_t nseg;
	bool bad;			/**< broke a ring rule: complete it with length 0 */
	struct swcvq_seg seg[SWCVQ_CHAIN_MAX];
};

/** Device-side state of one data ring. */
struct swcvq_vring {
	bool packed;
	uint16_t size;
	void *desc;
	void *avail;			/**< split: avail ring; packed: driver event area */
	void *used;			/**< split: used ring; packed: device event area */
	uint16_t last_avail;		/**< split: free-running; packed: index | wrap << 15 */
	uint16_t last_used;		/**< same encoding */
	int callfd;			/**< our own copy, or -1 */
	/** Guest memory for indirect descriptor tables; NULL: a chain with one is bad. */
	const struct swcvq_mem *mem;
	uint64_t notifies;
};

/**
 * Pop the next available chain.
 *
 * @return 1 with @p ch filled (check ch->bad), 0 when the ring is empty.
 */
int swcvq_vring_pop(struct swcvq_vring *vr, struct swcvq_chain *ch);

/** Publish @p ch as used with @p len bytes written (release order for the guest). */
void swcvq_vring_push(struct swcvq_vring *vr, const struct swcvq_chain *ch, uint32_t len);

/** Write the call eventfd unless the guest suppressed notifications. */
void swcvq_vring_notify(struct swcvq_vring *vr);

/**
 * Copy the device-readable bytes of @p ch from offset @p skip into @p dst.
 *
 * @return bytes copied (<= @p cap), or -1 when a buffer is outside guest memory or the data is
 *         longer than @p cap.
 */
int swcvq_chain_read(const struct swcvq_mem *m, const struct swcvq_chain *ch, uint32_t skip,
		     void *dst, uint32_t cap);

/**
 * Copy @p len bytes into the device-writable buffers of @p ch.
 *
 * @return 0, or -1 when the writable room is too small or outside guest memory (nothing is
 *         written outside the regions).
 */
int swcvq_chain_write(const struct swcvq_mem *m, const struct swcvq_chain *ch, const void *src,
		      uint32_t len);

/** Host address of [gpa, gpa + len) if it lies in one region, else NULL. */
void *swcvq_mem_ptr(const struct swcvq_mem *m, uint64_t gpa, uint64_t len);

#endif /* SWCVQ_VRING_H */
