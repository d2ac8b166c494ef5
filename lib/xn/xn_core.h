/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_XN_CORE_H
#define CTLPATH_XN_CORE_H

/*
 * Private: the lock-free core of xn. Every atomic below states why its memory order is enough.
 *
 * Each slot has one 32-bit state word, which is also the futex a synchronous waiter sleeps on:
 *
 *   bits  0..3   state (XN_S_*)
 *   bit   4      TXBUSY: the transport holds the slot's send buffer (set before send, cleared
 *                by xn_release())
 *   bit   5      SLEEPER: a waiter sleeps (or is about to) in futex_wait on this word
 *   bit   6      ANSWERED: the current use of the slot got its reply (tells duplicates from late
 *                replies once the transaction has ended)
 *   bits  8..15  salt of the current use of the slot (the cookie's high byte)
 *
 * States:
 *
 *   FREE (bit set in the bitmap) --bitmap claim--> CLAIMED
 *   KEPT (not in the bitmap) --claim CAS, by the keeping thread or a taker--> CLAIMED
 *   CLAIMED --publish--> WAIT_SYNC / WAIT_ASYNC     (or back to FREE: ring shut meanwhile)
 *   WAIT_* --reply CAS----> COMPLETING --(sync) DONE --waiter collects--> KEPT / RETIRED
 *                                      --(async) callback--------------> RETIRED
 *   WAIT_* --timeout CAS--> RETIRED              (waiter, or xn_expire() for async)
 *   WAIT_* --shutdown CAS-> COMPLETING -> DONE / callback -> RETIRED
 *   RETIRED + TXBUSY clear -> FREE (bit set back in the free bitmap)
 *
 * Exactly one party moves a slot out of WAIT_*: the compare-and-swap on the whole word (salt
 * included) decides between the receiver, the timing-out waiter, xn_expire() and xn_shutdown().
 * The winner alone touches the transaction's fields afterwards. "RETIRED" with TXBUSY clear
 * is written directly as FREE, so the slot is back in the bitmap by whoever clears the last of
 * the two conditions (transaction ended, send buffer released).
 *
 * Kept slots. A sync waiter that collects its reply with the send buffer already released
 * keeps the slot for its thread's next call (state KEPT, not in the bitmap, remembered in a
 * thread-local hint), unless the slot has finished a run of XN_KEEP_RUN uses: then it goes
 * back to the bitmap and the next claim takes the next slot in turn. Runs are counted per slot
 * (its `sent` counter), so a slot's salt wraps after 256 uses whoever uses it, and slots are
 * still used in turn run after run. A slot is kept only after a reply: a timed-out, cancelled
 * or failed transaction returns its slot to the bitmap (or leaves it RETIRED while the send
 * buffer is busy, which no claim takes). KEPT is a free slot outside the bitmap: any claim may
 * take it with a CAS, which decides between the keeping thread and another one. Other threads
 * take kept slots when the bitmap is empty (a thread that exited or moved to another ring
 * leaves its kept slot behind; nothing is lost, it is taken back that way).
 *
 * Shutdown handshake. The claim ends with a seq_cst read-modify-write of the state word (the
 * CAS out of KEPT, or the exchange into CLAIMED after a bitmap claim), followed by a seq_cst
 * load of `shut`; xn_shutdown() stores `shut` (seq_cst) and then loads each state word
 * (seq_cst). In the single total order either the claimer sees the flag (it puts the slot
 * back and refuses the call) or xn_shutdown() sees the claim: CLAIMED, which it waits out (a
 * few stores, no user code, no lock: the claimer publishes or puts back), or WAIT_*, which it
 * cancels. So the publish itself is a plain release store.
 *
 * Cost of the common path (claim of the kept slot, send, reply inside or right after send,
 * buffer released, waiter collects): the claim CAS, xn_release()'s CAS and the reply CAS; the
 * publish, COMPLETING -> DONE and DONE -> KEPT are plain release stores (the last two because
 * with TXBUSY clear no other party may write the word, see slot_done() and slot_keep(); this
 * is why a waiter never sets SLEEPER in COMPLETING). One use in XN_KEEP_RUN adds the bitmap
 * claim and put. With two threads each works on its own slot's cache lines; the free bitmap
 * is written once per run. The clock is read only for latency samples (1 in XN_LAT_SAMPLE per
 * slot), async deadlines, and by a sync waiter whose reply is not there yet.
 */

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "xn.h"

#define XN_S_FREE	0u
#define XN_S_CLAIMED	1u
#define XN_S_WAIT_SYNC	2u
#define XN_S_WAIT_ASYNC	3u
#define XN_S_COMPLETING	4u
#define XN_S_DONE	5u
#define XN_S_RETIRED	6u
#define XN_S_KEPT	7u

#define XN_STATE_MASK	0x0fu
#define XN_F_TXBUSY	0x10u
#define XN_F_SLEEPER	0x20u
#define XN_F_ANSWERED	0x40u
#define XN_SALT_SHIFT	8

#define XN_CACHE_LINE	64
#define XN_MAP_WORDS	(XN_MAX_SLOTS / 64)

/* uses of a slot in a row by the thread that keeps it (a power of two), see above */
#define XN_KEEP_RUN	16
/* spins of xn_shutdown() on a CLAIMED slot before it yields the CPU to the claimer */
#define XN_SHUT_SPINS	64

/* latency histogram: values < 16 exact, then 8 sub-buckets per power of two */
#define XN_LAT_BUCKETS	(16 + 60 * 8)
/* the histogram is striped by slot index so that threads do not share one hot line */
#define XN_LAT_STRIPES	4
/* latency is sampled: one transaction in XN_LAT_SAMPLE of each slot (a power of two) */
#define XN_LAT_SAMPLE	16

static inline uint32_t
xn_st(uint32_t w)
{
	return w & XN_STATE_MASK;
}

static inline uint8_t
xn_salt(uint32_t w)
{
	return (uint8_t)(w >> XN_SALT_SHIFT);
}

static inline uint32_t
xn_word(uint32_t state, uint8_t salt, uint32_t flags)
{
	return state | flags | ((uint32_t)salt << XN_SALT_SHIFT);
}

/* Counters of one slot, bumped by whoever ends a transaction on that slot. Relaxed: they are
 * statistics, read as a snapshot and ordered with nothing. */
struct xn_slot_ctr {
	atomic_uint_fast64_t sent;
	atomic_uint_fast64_t completed;
	atomic_uint_fast64_t remote_errors;
	atomic_uint_fast64_t truncated;
	atomic_uint_fast64_t timed_out;
	atomic_uint_fast64_t cancelled;
	atomic_uint_fast64_t send_failed;
	atomic_uint_fast64_t stale;
	atomic_uint_fast64_t late;
	atomic_uint_fast64_t duplicates;
	atomic_uint_fast64_t opcode_mismatch;
};

struct xn_slot {
	_Atomic uint32_t state;		/* the state word, see above; futex address */
	uint16_t idx;
	/*
	 * Written by the claimer while the slot is CLAIMED (it alone can reach it then), published
	 * by the release store to WAIT_*; read by the party that wins the CAS out of WAIT_*, whose
	 * acquire pairs with that release.
	 */
	void *rbuf;
	uint32_t rcap;
	xn_cb_t cb;
	void *cb_arg;
	uint64_t t_send;
	/*
	 * Read before the CAS by xn_complete() (opcode) and xn_expire() (deadline) to decide
	 * whether to try it: atomics so that the early read is not a data race; relaxed because the
	 * CAS on the full word (salt included) that follows is what validates the read value.
	 */
	_Atomic uint32_t req_opcode;
	_Atomic uint64_t deadline;
	/*
	 * Result of a sync transaction: written by the winner of the CAS out of WAIT_SYNC before
	 * its release store of DONE, read by the waiter after its acquire load of DONE.
	 */
	int result;
	uint32_t rlen;
	int32_t rstatus;
	struct xn_slot_ctr ctr;
} __attribute__((aligned(XN_CACHE_LINE)));

struct xn_ring {
	/* read on every call, written by xn_shutdown() / xn_arm() only */
	struct xn_ring_conf conf;
	uint64_t spin_ns;
	uint64_t poll_ns;
	_Atomic uint32_t shut;		/* 0: armed; else minus the xn_shutdown() error */
	uint64_t id;			/* unique per ring of the process, never 0 */

	/*
	 * Free-slot bitmap, one bit per slot (set: free), and the high-water mark of slots in
	 * use: both read on every claim, written once per run of a kept slot (bitmap) or on a
	 * new peak (hwm), so they share one line.
	 */
	_Atomic uint64_t free_map[XN_MAP_WORDS] __attribute__((aligned(XN_CACHE_LINE)));
	_Atomic uint64_t inflight_hwm;

	/* bumped by async calls and rare events: kept off the lines above */
	_Atomic uint32_t async_inflight __attribute__((aligned(XN_CACHE_LINE)));
	atomic_uint_fast64_t refused;
	atomic_uint_fast64_t unknown_index;
	atomic_uint_fast64_t taken;	/* kept slots claimed by another thread */

	_Atomic uint64_t lat_min __attribute__((aligned(XN_CACHE_LINE)));
	_Atomic uint64_t lat_max;
	struct {
		atomic_uint_fast64_t b[XN_LAT_BUCKETS];
	} lat[XN_LAT_STRIPES] __attribute__((aligned(XN_CACHE_LINE)));

	struct xn_slot slots[XN_MAX_SLOTS];
};

static inline void
xn_ctr_inc(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/*
 * Bump a counter that only the current owner of a slot's transaction writes (sent by the
 * claimer, completed & co by the winner of the reply CAS, both before they hand the slot on):
 * successive owners are ordered by the state word and the bitmap (acquire/release), so a
 * relaxed load and store suffice and no locked instruction is spent on statistics.
 */
static inline void
xn_ctr_own(atomic_uint_fast64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/*
 * Time base. On x86-64 with an invariant TSC the time is read with rdtsc (no system call, no
 * vDSO page walk) and scaled to nanoseconds with a factor measured once per process against
 * CLOCK_MONOTONIC (the first xn_ring_create() pays about 1 ms for it). Elsewhere, or without an
 * invariant TSC, CLOCK_MONOTONIC is read directly. Only differences between two xn_now_ns()
 * values are used (timeouts, latency), never wall-clock instants.
 */
struct xn_clock {
	uint64_t tsc0;		/* TSC at calibration */
	uint64_t ns0;		/* CLOCK_MONOTONIC at calibration */
	uint64_t mult;		/* ns per TSC tick, 32.32 fixed point; 0: use clock_gettime */
};

/* written once under pthread_once (xn_clock_init()), read-only afterwards */
extern struct xn_clock xn_clock;

void xn_clock_init(void);

static inline uint64_t
xn_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
xn_now_ns(void)
{
#if defined(__x86_64__)
	if (xn_clock.mult != 0) {
		uint64_t d = __rdtsc() - xn_clock.tsc0;

		return xn_clock.ns0 + (uint64_t)(((unsigned __int128)d * xn_clock.mult) >> 32);
	}
#endif
	return xn_mono_ns();
}

/*
 * Whether the transaction being claimed on @p sl is a latency sample: the first use of each
 * slot and then every XN_LAT_SAMPLE-th. Read by the claimer, the only writer of `sent` while it
 * owns the slot. Sampling keeps the two time stamps (send, reply) off most transactions.
 */
static inline bool
xn_lat_sampled(struct xn_slot *sl)
{
	return (atomic_load_explicit(&sl->ctr.sent, memory_order_relaxed) &
		(XN_LAT_SAMPLE - 1)) == 0;
}

static inline void
xn_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* ---- futex on the state word ---- */

static inline void
xn_futex_wait(_Atomic uint32_t *w, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000ull),
		.tv_nsec = (long)(timeout_ns % 1000000000ull),
	};

	/* returns at once if *w != val: the futex re-checks the word under its own lock, so a
	 * change (and wake) between our last load and this call is never missed */
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static inline void
xn_futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* ---- free-slot bitmap ---- */

/* population count without a libgcc call (the build does not assume the POPCNT instruction) */
static inline unsigned int
xn_popcount64(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned int)((v * 0x0101010101010101ull) >> 56);
}

/*
 * Per-thread claim hints, so that they cost no shared write:
 * - hint: where the next bitmap claim starts looking (plus one; 0: not seeded yet), seeded
 *   apart so that threads start in different places;
 * - hwm_id / hwm_map: see slot_hwm();
 * - keep_ring / keep_idx: the slot this thread kept after its last reply (see "Kept slots"
 *   above). Only a hint: it is dereferenced only when the caller passes the same ring, and
 *   the claim CAS checks that the slot is still KEPT (it may have been taken meanwhile, or the
 *   ring freed and another one allocated at the same address: any KEPT slot may be claimed by
 *   anyone, so claiming it is right in every case).
 */
struct xn_tls {
	struct xn_ring *keep_ring;
	uint32_t keep_idx;
	uint32_t keep_word;	/* the KEPT word we left in the slot */
	uint32_t hint;
	/* the bitmap last seen by slot_hwm() in ring hwm_id, when it proved no new peak */
	uint64_t hwm_id;
	uint64_t hwm_map[XN_MAP_WORDS];
};

/*
 * The default TLS model on purpose: lib/xn is linked into driver plugins that EAL loads with
 * dlopen(), where initial-exec TLS fails ("cannot allocate memory in static TLS block").
 * Linked into an executable, the linker relaxes the access to a fixed offset anyway.
 */
static _Thread_local struct xn_tls xn_tls;
static _Atomic uint32_t xn_hint_seed;

/*
 * Take a free slot from the bitmap: clear its bit with fetch_and; the bit that was set in the
 * returned old value is ours. Acquire: pairs with the release fetch_or of xn_map_put() so that
 * everything the previous user of the slot did (its counters, its result fields) happens
 * before we write the slot. The search starts at the hint so that slots are used in turn (a
 * run of XN_KEEP_RUN uses each when a thread keeps them): a slot is reused only after the
 * others, which makes a wrap of its 8-bit salt (256 reuses) as rare as possible.
 */
static inline int
xn_map_get(struct xn_ring *r)
{
	unsigned int nslots = r->conf.nslots;
	unsigned int nwords = (nslots + 63u) / 64u;
	unsigned int start, w, i;

	/* no division on this path: the hint is kept within 0..nslots (nslots means 0) */
	if (xn_tls.hint == 0)
		xn_tls.hint = 1 + atomic_fetch_add_explicit(&xn_hint_seed, 64 + 17,
							    memory_order_relaxed) % XN_MAX_SLOTS;
	start = xn_tls.hint - 1;
	if (start >= nslots)
		start = start == nslots ? 0 : start % nslots;
	w = start / 64u;

	for (i = 0; i <= nwords; i++, w = w + 1 == nwords ? 0 : w + 1) {
		uint64_t first = i == 0 ? ~0ull << (start % 64u) : ~0ull;
		uint64_t m = atomic_load_explicit(&r->free_map[w], memory_order_relaxed) & first;

		/* first pass over the start word: bits from the hint up; last pass: the rest */
		while (m != 0) {
			unsigned int b = (unsigned int)__builtin_ctzll(m);
			uint64_t bit = 1ull << b;
			uint64_t old = atomic_fetch_and_explicit(&r->free_map[w], ~bit,
								 memory_order_acquire);

			if (old & bit) {
				uint32_t idx = w * 64u + b;

				xn_tls.hint = idx + 2;
				return (int)idx;
			}
			m = old & ~bit & first;
		}
	}
	return -1;
}

/* Give a slot back. Release: see xn_map_get(). */
static inline void
xn_map_put(struct xn_ring *r, unsigned int idx)
{
	atomic_fetch_or_explicit(&r->free_map[idx / 64u], 1ull << (idx % 64u),
				 memory_order_release);
}

/* The bits of bitmap word @p w that stand for slots of the ring. */
static inline uint64_t
xn_map_valid(const struct xn_ring *r, unsigned int w)
{
	unsigned int left = r->conf.nslots - w * 64u;

	return left >= 64u ? ~0ull : (1ull << left) - 1u;
}

#endif /* CTLPATH_XN_CORE_H */
