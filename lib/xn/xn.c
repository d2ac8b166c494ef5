/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xn: lock-free cookie transaction ring. The state machine and the reasoning behind each
 * memory order are in xn_core.h; this file holds the entry points and the small helpers that
 * move one slot from one state to the next.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "xn_core.h"

#define XN_DEFAULT_SPIN_NS	20000u
#define XN_DEFAULT_POLL_US	100u

/* ---- time base (see xn_core.h) ---- */

struct xn_clock xn_clock;
static pthread_once_t xn_clock_once = PTHREAD_ONCE_INIT;

static void
xn_clock_calibrate(void)
{
#if defined(__x86_64__)
	unsigned int a, b, c, d;
	uint64_t t0, t1, c0, c1;

	/* CPUID 0x80000007 EDX bit 8: the TSC runs at a constant rate in every C/P-state */
	if (__get_cpuid(0x80000007, &a, &b, &c, &d) == 0 || !(d & (1u << 8)))
		return;
	t0 = xn_mono_ns();
	c0 = __rdtsc();
	do
		t1 = xn_mono_ns();
	while (t1 - t0 < 1000000u);
	c1 = __rdtsc();
	if (c1 <= c0)
		return;
	xn_clock.tsc0 = c0;
	xn_clock.ns0 = t0;
	xn_clock.mult = ((t1 - t0) << 32) / (c1 - c0);
#endif
}

void
xn_clock_init(void)
{
	/* pthread_once orders the calibration before every later reader of xn_clock */
	pthread_once(&xn_clock_once, xn_clock_calibrate);
}

/* ---- latency histogram ---- */

static unsigned int
lat_bucket(uint64_t v)
{
	unsigned int msb;

	if (v < 16)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	return 16u + (msb - 4u) * 8u + (unsigned int)((v >> (msb - 3u)) & 7u);
}

static uint64_t
lat_bucket_high(unsigned int b)
{
	unsigned int msb, sub;
	uint64_t lo;

	if (b < 16)
		return b;
	msb = 4u + (b - 16u) / 8u;
	sub = (b - 16u) % 8u;
	lo = (uint64_t)(8u + sub) << (msb - 3u);
	return lo + ((1ull << (msb - 3u)) - 1u);
}

static void
lat_record(struct xn_ring *r, unsigned int idx, uint64_t ns)
{
	uint64_t cur;

	xn_ctr_inc(&r->lat[idx % XN_LAT_STRIPES].b[lat_bucket(ns)]);
	/* min/max: relaxed CAS loops, statistics only; they rarely write once warmed up */
	cur = atomic_load_explicit(&r->lat_min, memory_order_relaxed);
	while (ns < cur && !atomic_compare_exchange_weak_explicit(&r->lat_min, &cur, ns,
			memory_order_relaxed, memory_order_relaxed))
		;
	cur = atomic_load_explicit(&r->lat_max, memory_order_relaxed);
	while (ns > cur && !atomic_compare_exchange_weak_explicit(&r->lat_max, &cur, ns,
			memory_order_relaxed, memory_order_relaxed))
		;
}

/*
 * Copy a reply payload. Control replies are often a few bytes: up to 32 bytes are moved with
 * two overlapping fixed-size copies (no call), longer ones with memcpy().
 */
static inline void
xn_copy(void *dst, const void *src, uint32_t n)
{
	uint64_t a[2], b[2];

	if (n >= 16 && n <= 32) {
		memcpy(a, src, 16);
		memcpy(b, (const char *)src + n - 16, 16);
		memcpy(dst, a, 16);
		memcpy((char *)dst + n - 16, b, 16);
	} else if (n >= 8 && n < 16) {
		memcpy(a, src, 8);
		memcpy(b, (const char *)src + n - 8, 8);
		memcpy(dst, a, 8);
		memcpy((char *)dst + n - 8, b, 8);
	} else {
		memcpy(dst, src, n);
	}
}

/* ---- slot transitions ---- */

/* A transaction ended (async ones are counted to let xn_expire() skip its walk; relaxed:
 * a hint only). In-flight counts are derived from the per-slot counters by xn_stats_get(). */
static void
xn_ended(struct xn_ring *r, bool async)
{
	if (async)
		atomic_fetch_sub_explicit(&r->async_inflight, 1, memory_order_relaxed);
}

/*
 * The owner of an ended transaction (state DONE or COMPLETING) retires the slot: FREE if the
 * send buffer is released, RETIRED otherwise (xn_release() then frees it). The loop absorbs a
 * concurrent xn_release() clearing TXBUSY. acq_rel: the release half hands our writes to the
 * slot over to whoever frees it next (xn_release() reads this word with acquire before its
 * release put into the bitmap); the acquire half sees a releaser's writes.
 */
static void
slot_retire(struct xn_ring *r, struct xn_slot *sl)
{
	uint32_t s = atomic_load_explicit(&sl->state, memory_order_acquire);
	uint32_t n;

	if (!(s & XN_F_TXBUSY)) {
		/*
		 * Common case: the send buffer is already released. Then no other party can write
		 * the word of an ended (DONE / COMPLETING) transaction: xn_release() only writes
		 * when TXBUSY is set, xn_complete(), xn_expire() and xn_shutdown() only move
		 * WAIT_*, and SLEEPER is the waiter's own flag (cleared by slot_done(), never set
		 * after WAIT_SYNC). So a plain release store does what the CAS would, without a
		 * locked instruction; the acquire load above saw the releaser's writes.
		 */
		n = xn_word(XN_S_FREE, xn_salt(s), s & XN_F_ANSWERED);
		atomic_store_explicit(&sl->state, n, memory_order_release);
		xn_map_put(r, sl->idx);
		return;
	}
	do {
		uint32_t keep = s & (XN_F_TXBUSY | XN_F_ANSWERED);

		n = xn_word((s & XN_F_TXBUSY) ? XN_S_RETIRED : XN_S_FREE, xn_salt(s), keep);
	} while (!atomic_compare_exchange_weak_explicit(&sl->state, &s, n,
			memory_order_acq_rel, memory_order_relaxed));
	if (xn_st(n) == XN_S_FREE)
		xn_map_put(r, sl->idx);
}

/*
 * Take a waiting transaction out of WAIT_* without a reply (timeout, or the caller's own send
 * failure): CAS from the exact word @p s to RETIRED/FREE. Returns false if another party won.
 * With @p drop_tx, the send buffer is dropped too (the transport never took it).
 * acq_rel as in slot_retire().
 */
static bool
slot_abandon(struct xn_ring *r, struct xn_slot *sl, uint32_t s, bool drop_tx)
{
	uint32_t busy = drop_tx ? 0 : (s & XN_F_TXBUSY);
	uint32_t n = xn_word(busy ? XN_S_RETIRED : XN_S_FREE, xn_salt(s), busy);

	if (!atomic_compare_exchange_strong_explicit(&sl->state, &s, n,
			memory_order_acq_rel, memory_order_relaxed))
		return false;
	if (!busy)
		xn_map_put(r, sl->idx);
	return true;
}

/*
 * Win a waiting transaction: CAS from WAIT_* to COMPLETING. Callers loop on failure.
 * acq_rel: acquire pairs with the claimer's release publish, so the transaction's fields
 * (buffer, callback, t_send) are visible to the winner.
 */
static bool
slot_win(struct xn_slot *sl, uint32_t *s, uint32_t extra)
{
	uint32_t n = (*s & ~XN_STATE_MASK) | XN_S_COMPLETING | extra;

	return atomic_compare_exchange_weak_explicit(&sl->state, s, n,
			memory_order_acq_rel, memory_order_acquire);
}

/*
 * COMPLETING -> DONE for a sync transaction whose result fields are written. Release: the
 * waiter's acquire load of DONE then sees the result and the copied payload. Only TXBUSY (by
 * xn_release()) and SLEEPER (by the waiter) can change meanwhile, hence the loop; the waiter is
 * woken if it announced it sleeps.
 */
static void
slot_done(struct xn_slot *sl)
{
	uint32_t s = atomic_load_explicit(&sl->state, memory_order_relaxed);
	uint32_t n;

	if (!(s & XN_F_TXBUSY)) {
		/*
		 * Send buffer already released: nobody else writes a COMPLETING word then (the
		 * waiter does not set SLEEPER in COMPLETING, see xn_wait(); xn_release() needs
		 * TXBUSY), so a plain release store replaces the CAS. SLEEPER, if set, was set in
		 * WAIT_SYNC and carried over by the winning CAS: it is in s.
		 */
		n = (s & ~(XN_STATE_MASK | XN_F_SLEEPER)) | XN_S_DONE;
		atomic_store_explicit(&sl->state, n, memory_order_release);
		if (s & XN_F_SLEEPER)
			xn_futex_wake(&sl->state);
		return;
	}
	do {
		n = (s & ~(XN_STATE_MASK | XN_F_SLEEPER)) | XN_S_DONE;
	} while (!atomic_compare_exchange_weak_explicit(&sl->state, &s, n,
			memory_order_release, memory_order_relaxed));
	if (s & XN_F_SLEEPER)
		xn_futex_wake(&sl->state);
}

/* Clear TXBUSY of the use @p salt of the slot; frees a RETIRED slot. acq_rel: see slot_retire. */
static int
slot_release(struct xn_ring *r, struct xn_slot *sl, uint8_t salt)
{
	uint32_t s = atomic_load_explicit(&sl->state, memory_order_relaxed);
	uint32_t n;

	do {
		if (xn_salt(s) != salt)
			return -ESTALE;
		if (!(s & XN_F_TXBUSY))
			return -EALREADY;
		n = s & ~XN_F_TXBUSY;
		if (xn_st(s) == XN_S_RETIRED)
			n = (n & ~XN_STATE_MASK) | XN_S_FREE;
	} while (!atomic_compare_exchange_weak_explicit(&sl->state, &s, n,
			memory_order_acq_rel, memory_order_relaxed));
	if (xn_st(n) == XN_S_FREE)
		xn_map_put(r, sl->idx);
	return 0;
}

/*
 * Keep the slot of a collected sync transaction for this thread's next call instead of
 * retiring it, when allowed (see "Kept slots" in xn_core.h): the transaction got its reply,
 * the send buffer is released and the slot's run is not over. Returns false when not kept
 * (the caller retires the slot). The word is DONE with TXBUSY clear, which no other party
 * writes (see slot_retire()), so a plain store does it. Release: pairs with the acquire of
 * the claim CAS that takes the slot next (this thread's or another's), handing over our
 * writes to the slot as xn_map_put() does for a bitmap claim.
 */
static inline __attribute__((always_inline)) bool
slot_keep(struct xn_ring *r, struct xn_slot *sl)
{
	uint32_t s = atomic_load_explicit(&sl->state, memory_order_acquire), n;

	if ((s & (XN_F_TXBUSY | XN_F_ANSWERED)) != XN_F_ANSWERED ||
	    (atomic_load_explicit(&sl->ctr.sent, memory_order_relaxed) & (XN_KEEP_RUN - 1)) == 0)
		return false;
	n = xn_word(XN_S_KEPT, xn_salt(s), XN_F_ANSWERED);
	atomic_store_explicit(&sl->state, n, memory_order_release);
	xn_tls.keep_ring = r;
	xn_tls.keep_idx = sl->idx;
	xn_tls.keep_word = n;
	return true;
}

/*
 * Take a KEPT slot: CAS from the exact word @p s to CLAIMED with the salt bumped. The CAS
 * decides between the keeping thread and any other claimer. seq_cst: acquire for the previous
 * user's writes (see slot_keep()), and the claim's half of the shutdown handshake (see
 * slot_claim()).
 */
static inline bool
slot_take(struct xn_slot *sl, uint32_t s)
{
	return xn_st(s) == XN_S_KEPT &&
	       atomic_compare_exchange_strong_explicit(&sl->state, &s,
			xn_word(XN_S_CLAIMED, (uint8_t)(xn_salt(s) + 1), 0),
			memory_order_seq_cst, memory_order_relaxed);
}

/* The bitmap is empty: take a slot another thread kept (it may have exited). */
static int
slot_take_any(struct xn_ring *r)
{
	unsigned int i;

	for (i = 0; i < r->conf.nslots; i++) {
		struct xn_slot *sl = &r->slots[i];

		/* relaxed: the CAS in slot_take() validates what we read */
		if (slot_take(sl, atomic_load_explicit(&sl->state, memory_order_relaxed))) {
			xn_ctr_inc(&r->taken);
			return (int)i;
		}
	}
	return -1;
}

/*
 * Update the high-water mark of slots in use after a claim. Slots in use are out of the
 * bitmap, but so are kept slots: the count of clear bits is an upper bound, and only when it
 * exceeds the mark (rarely, once warmed up) are the states of those slots read to leave the
 * kept ones out. The count only changes with the bitmap, so a thread remembers the last
 * bitmap it found no peak in and skips the count while the bitmap is unchanged (the mark only
 * grows). Relaxed throughout: a statistic, read as a snapshot.
 */
static void
slot_hwm_count(struct xn_ring *r, const uint64_t *map)
{
	unsigned int nwords = (r->conf.nslots + 63u) / 64u, w, out = 0, in_use = 0;
	uint64_t used[XN_MAP_WORDS], hwm;

	for (w = 0; w < nwords; w++) {
		used[w] = ~map[w] & xn_map_valid(r, w);
		out += xn_popcount64(used[w]);
	}
	hwm = atomic_load_explicit(&r->inflight_hwm, memory_order_relaxed);
	if (out <= hwm) {
		xn_tls.hwm_id = r->id;
		for (w = 0; w < nwords; w++)
			xn_tls.hwm_map[w] = map[w];
		return;
	}
	for (w = 0; w < nwords; w++)
		while (used[w] != 0) {
			unsigned int b = (unsigned int)__builtin_ctzll(used[w]);
			uint32_t st = xn_st(atomic_load_explicit(&r->slots[w * 64u + b].state,
							   memory_order_relaxed));

			used[w] &= used[w] - 1;
			in_use += st != XN_S_FREE && st != XN_S_KEPT;
		}
	while (in_use > hwm && !atomic_compare_exchange_weak_explicit(&r->inflight_hwm, &hwm,
			in_use, memory_order_relaxed, memory_order_relaxed))
		;
}

static inline __attribute__((always_inline)) void
slot_hwm(struct xn_ring *r)
{
	unsigned int nwords = (r->conf.nslots + 63u) / 64u, w;
	uint64_t map[XN_MAP_WORDS];
	bool same = xn_tls.hwm_id == r->id;

	for (w = 0; w < nwords; w++) {
		map[w] = atomic_load_explicit(&r->free_map[w], memory_order_relaxed);
		same = same && map[w] == xn_tls.hwm_map[w];
	}
	if (!same)
		slot_hwm_count(r, map);
}

/* Claim a slot from the bitmap, else one another thread kept, and bump its salt. */
static struct xn_slot *
slot_claim_free(struct xn_ring *r)
{
	struct xn_slot *sl;
	uint32_t s;
	int idx;

	idx = xn_map_get(r);
	if (idx < 0) {
		idx = slot_take_any(r);
		return idx < 0 ? NULL : &r->slots[idx];
	}
	sl = &r->slots[idx];
	/*
	 * The slot is ours alone: nobody moves a FREE or CLAIMED word (xn_complete() and
	 * xn_expire() only CAS from WAIT_*, xn_release() only when TXBUSY is set, slot_take()
	 * only from KEPT). The bitmap's acquire already ordered us after the previous user; the
	 * exchange is seq_cst for the shutdown handshake (slot_claim()), the part slot_take()'s
	 * CAS plays for a kept slot.
	 */
	s = atomic_load_explicit(&sl->state, memory_order_relaxed);
	atomic_exchange_explicit(&sl->state, xn_word(XN_S_CLAIMED, (uint8_t)(xn_salt(s) + 1), 0),
				 memory_order_seq_cst);
	return sl;
}

/*
 * Claim a slot for a new use and bump its salt: the slot this thread kept if it is still
 * KEPT, else one from the bitmap, else one another thread kept. Returns NULL with *err set
 * to -EAGAIN (no slot) or -ESHUTDOWN. Inlined: it is most of the fast path.
 */
static inline __attribute__((always_inline)) struct xn_slot *
slot_claim(struct xn_ring *r, int *err)
{
	struct xn_slot *sl = NULL;
	uint32_t s;

	/* fast refusal; the authoritative check is the handshake below */
	if (atomic_load_explicit(&r->shut, memory_order_relaxed)) {
		*err = -ESHUTDOWN;
		return NULL;
	}
	if (xn_tls.keep_ring == r) {
		/*
		 * Expect the very word we left: if another thread took the slot meanwhile its salt
		 * moved on, the CAS fails and we do not take the slot back from its new keeper.
		 */
		xn_tls.keep_ring = NULL;
		sl = &r->slots[xn_tls.keep_idx];
		if (!slot_take(sl, xn_tls.keep_word))
			sl = NULL;
	}
	if (sl == NULL) {
		sl = slot_claim_free(r);
		if (sl == NULL) {
			*err = -EAGAIN;
			return NULL;
		}
	}
	/*
	 * Shutdown handshake (see xn_core.h): seq_cst load after our seq_cst claim of the word,
	 * against xn_shutdown()'s seq_cst store of `shut` then load of each word. If we miss the
	 * flag, xn_shutdown() sees CLAIMED and waits until we publish, then cancels.
	 */
	if (atomic_load_explicit(&r->shut, memory_order_seq_cst)) {
		/* CLAIMED is ours alone (see above): plain release store, then the bitmap put */
		s = atomic_load_explicit(&sl->state, memory_order_relaxed);
		atomic_store_explicit(&sl->state, xn_word(XN_S_FREE, xn_salt(s), 0),
				      memory_order_release);
		xn_map_put(r, sl->idx);
		*err = -ESHUTDOWN;
		return NULL;
	}
	slot_hwm(r);
	return sl;
}

/*
 * Publish the claimed slot as waiting, with TXBUSY set (the send op may take the buffer), and
 * return the published word. Release: pairs with the acquire of whoever wins the CAS out of
 * WAIT_* (the transaction's fields are then visible to it). No read-modify-write: the claim
 * already did the shutdown handshake, and CLAIMED is written by nobody else.
 */
static uint32_t
slot_publish(struct xn_ring *r, struct xn_slot *sl, uint32_t state)
{
	uint32_t w = xn_word(state, xn_salt(atomic_load_explicit(&sl->state,
			memory_order_relaxed)), XN_F_TXBUSY);

	if (state == XN_S_WAIT_ASYNC)
		atomic_fetch_add_explicit(&r->async_inflight, 1, memory_order_relaxed);
	xn_ctr_own(&sl->ctr.sent);
	atomic_store_explicit(&sl->state, w, memory_order_release);
	return w;
}

/* ---- waiting ---- */

/*
 * Wait until the sync transaction of @p sl is DONE or its deadline passes. Returns 0 (DONE:
 * collect it) or -ETIMEDOUT (we won the CAS out of WAIT_SYNC: the slot is already retired).
 */
static int
xn_wait(struct xn_ring *r, struct xn_slot *sl, uint64_t timeout_ns)
{
	uint64_t now, slice, deadline = UINT64_MAX, spin_end = 0;
	uint32_t s;

	for (;;) {
		/* acquire: pairs with slot_done()'s release, so the result is visible */
		s = atomic_load_explicit(&sl->state, memory_order_acquire);
		if (xn_st(s) == XN_S_DONE)
			return 0;
		now = xn_now_ns();
		if (spin_end == 0) {
			/*
			 * First time the reply is not there yet: only now is the clock read. The
			 * timeout runs from the send time stamp when the transaction has one
			 * (latency sample), else from here, right after the send op returned.
			 */
			spin_end = now + r->spin_ns;
			if (timeout_ns != UINT64_MAX)
				deadline = (sl->t_send != 0 ? sl->t_send : now) + timeout_ns;
		}
		if (xn_st(s) == XN_S_WAIT_SYNC) {
			if (r->conf.poll != NULL) {
				r->conf.poll(r->conf.ctx);
				s = atomic_load_explicit(&sl->state, memory_order_acquire);
				if (xn_st(s) != XN_S_WAIT_SYNC)
					continue;
			}
			if (now >= deadline) {
				if (slot_abandon(r, sl, s, false)) {
					xn_ctr_inc(&sl->ctr.timed_out);
					xn_ended(r, false);
					return -ETIMEDOUT;
				}
				continue;
			}
			if (now < spin_end) {
				xn_cpu_relax();
				continue;
			}
			slice = deadline - now;
			if (r->conf.poll != NULL) {
				if (slice > r->poll_ns)
					slice = r->poll_ns;
				xn_expire(r);
			}
		} else {
			/*
			 * COMPLETING: the receiver (or xn_shutdown) is filling the result,
			 * which takes a copy and a few stores, no lock. Spin, then yield to it:
			 * SLEEPER is never set in COMPLETING so that slot_done() may use a plain
			 * store.
			 */
			if (now < spin_end)
				xn_cpu_relax();
			else
				sched_yield();
			continue;
		}
		/*
		 * Announce the sleep, then sleep on the word we announced. Relaxed is enough: the
		 * CAS totally orders SLEEPER against slot_done()'s CAS (it either sees the flag
		 * and wakes us, or changes the word first and our futex_wait returns at once).
		 */
		if (!(s & XN_F_SLEEPER)) {
			if (!atomic_compare_exchange_strong_explicit(&sl->state, &s,
					s | XN_F_SLEEPER, memory_order_relaxed,
					memory_order_relaxed))
				continue;
			s |= XN_F_SLEEPER;
		}
		xn_futex_wait(&sl->state, s, slice);
	}
}

/* Collect a DONE sync transaction; keep its slot for this thread's next call, or retire it. */
static inline __attribute__((always_inline)) int
xn_collect(struct xn_ring *r, struct xn_slot *sl, struct xn_reply *rep)
{
	int result = sl->result;

	if (rep != NULL) {
		rep->len = sl->rlen;
		rep->status = sl->rstatus;
	}
	if (!slot_keep(r, sl))
		slot_retire(r, sl);
	return result;
}

/* ---- entry points ---- */

static _Atomic uint64_t xn_ring_ids;

struct xn_ring *
xn_ring_create(const struct xn_ring_conf *conf)
{
	size_t sz = (sizeof(struct xn_ring) + XN_CACHE_LINE - 1) & ~(size_t)(XN_CACHE_LINE - 1);
	struct xn_ring *r;
	unsigned int i;

	if (conf == NULL || conf->send == NULL || conf->nslots == 0 ||
	    conf->nslots > XN_MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	xn_clock_init();
	r = aligned_alloc(XN_CACHE_LINE, sz);
	if (r == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(r, 0, sz);
	r->conf = *conf;
	/* relaxed: only uniqueness matters (thread-local hints are keyed by it) */
	r->id = 1 + atomic_fetch_add_explicit(&xn_ring_ids, 1, memory_order_relaxed);
	r->spin_ns = conf->spin_ns ? conf->spin_ns : XN_DEFAULT_SPIN_NS;
	r->poll_ns = 1000ull * (conf->poll_interval_us ? conf->poll_interval_us :
				XN_DEFAULT_POLL_US);
	for (i = 0; i < XN_MAP_WORDS; i++)
		atomic_init(&r->free_map[i], 0);
	for (i = 0; i < conf->nslots; i++)
		atomic_init(&r->free_map[i / 64u], atomic_load_explicit(&r->free_map[i / 64u],
			    memory_order_relaxed) | (1ull << (i % 64u)));
	atomic_init(&r->lat_min, UINT64_MAX);
	for (i = 0; i < XN_MAX_SLOTS; i++) {
		r->slots[i].idx = (uint16_t)i;
		atomic_init(&r->slots[i].state, xn_word(XN_S_FREE, 0, 0));
	}
	return r;
}

void
xn_ring_free(struct xn_ring *r)
{
	free(r);
}

/* The send op failed: end the transaction ourselves unless another party won it (xn_shutdown,
 * or a forged reply); in every case the send buffer goes back (the transport did not take it). */
static bool
xn_unsend(struct xn_ring *r, struct xn_slot *sl, uint32_t w, bool async)
{
	uint32_t s = w;

	for (;;) {
		if (slot_abandon(r, sl, s, true)) {
			xn_ctr_inc(&sl->ctr.send_failed);
			xn_ended(r, async);
			return true;
		}
		s = atomic_load_explicit(&sl->state, memory_order_acquire);
		if (xn_st(s) != XN_S_WAIT_SYNC && xn_st(s) != XN_S_WAIT_ASYNC)
			break;
	}
	slot_release(r, sl, xn_salt(w));
	return false;
}

int
xn_exec(struct xn_ring *r, const struct xn_msg *req, struct xn_reply *rep, uint32_t timeout_us)
{
	struct xn_slot *sl;
	uint32_t w;
	int rc, err;

	if (r == NULL || req == NULL || timeout_us == 0 || (req->len != 0 && req->data == NULL) ||
	    (rep != NULL && rep->cap != 0 && rep->buf == NULL)) {
		if (r != NULL)
			xn_ctr_inc(&r->refused);
		return -EINVAL;
	}
	sl = slot_claim(r, &err);
	if (sl == NULL) {
		xn_ctr_inc(&r->refused);
		return err;
	}
	atomic_store_explicit(&sl->req_opcode, req->opcode, memory_order_relaxed);
	sl->rbuf = rep != NULL ? rep->buf : NULL;
	sl->rcap = rep != NULL ? rep->cap : UINT32_MAX;
	sl->t_send = xn_lat_sampled(sl) ? xn_now_ns() : 0;
	w = slot_publish(r, sl, XN_S_WAIT_SYNC);
	rc = r->conf.send(r->conf.ctx, XN_COOKIE(xn_salt(w), sl->idx), req);
	if (rc != 0) {
		if (xn_unsend(r, sl, w, false))
			return rc < 0 ? rc : -EIO;
		xn_wait(r, sl, UINT64_MAX);
		xn_collect(r, sl, rep);
		return rc < 0 ? rc : -EIO;
	}
	/* acquire: as in xn_wait(); a reply given during the send op needs no wait at all */
	if (xn_st(atomic_load_explicit(&sl->state, memory_order_acquire)) != XN_S_DONE) {
		rc = xn_wait(r, sl, (uint64_t)timeout_us * 1000u);
		if (rc != 0)
			return rc;
	}
	return xn_collect(r, sl, rep);
}

int
xn_exec_async(struct xn_ring *r, const struct xn_msg *req, uint32_t timeout_us, xn_cb_t cb,
	      void *arg)
{
	struct xn_slot *sl;
	uint64_t now;
	uint32_t w;
	int rc, err;

	if (r == NULL || req == NULL || timeout_us == 0 || cb == NULL ||
	    (req->len != 0 && req->data == NULL)) {
		if (r != NULL)
			xn_ctr_inc(&r->refused);
		return -EINVAL;
	}
	sl = slot_claim(r, &err);
	if (sl == NULL) {
		xn_ctr_inc(&r->refused);
		return err;
	}
	atomic_store_explicit(&sl->req_opcode, req->opcode, memory_order_relaxed);
	sl->cb = cb;
	sl->cb_arg = arg;
	now = xn_now_ns();
	/* an async transaction needs the time for its deadline anyway */
	sl->t_send = xn_lat_sampled(sl) ? now : 0;
	atomic_store_explicit(&sl->deadline, now + (uint64_t)timeout_us * 1000u,
			      memory_order_relaxed);
	w = slot_publish(r, sl, XN_S_WAIT_ASYNC);
	/* from here the slot may end and even be reused as soon as send returns 0 */
	rc = r->conf.send(r->conf.ctx, XN_COOKIE(xn_salt(w), sl->idx), req);
	if (rc == 0)
		return 0;
	/* the transport did not take the buffer, so the slot stays ours to end (not reusable) */
	return xn_unsend(r, sl, w, true) ? (rc < 0 ? rc : -EIO) : 0;
}

int
xn_complete(struct xn_ring *r, uint16_t cookie, const struct xn_msg *reply)
{
	struct xn_slot *sl;
	unsigned int idx = XN_COOKIE_IDX(cookie);
	uint32_t s, st, cap;
	int result;
	xn_cb_t cb;

	if (r == NULL || reply == NULL || (reply->len != 0 && reply->data == NULL))
		return -EINVAL;
	if (idx >= r->conf.nslots) {
		xn_ctr_inc(&r->unknown_index);
		return XN_RX_UNKNOWN_INDEX;
	}
	sl = &r->slots[idx];
	s = atomic_load_explicit(&sl->state, memory_order_acquire);
	for (;;) {
		if (xn_salt(s) != XN_COOKIE_SALT(cookie)) {
			xn_ctr_inc(&sl->ctr.stale);
			return XN_RX_STALE_SALT;
		}
		if (s & XN_F_ANSWERED) {
			xn_ctr_inc(&sl->ctr.duplicates);
			return XN_RX_DUPLICATE;
		}
		st = xn_st(s);
		if (st != XN_S_WAIT_SYNC && st != XN_S_WAIT_ASYNC) {
			xn_ctr_inc(&sl->ctr.late);
			return XN_RX_NOT_WAITING;
		}
		/* validated by the CAS below: it fails if the slot changed since this read */
		if (atomic_load_explicit(&sl->req_opcode, memory_order_relaxed) != reply->opcode) {
			xn_ctr_inc(&sl->ctr.opcode_mismatch);
			return XN_RX_OPCODE_MISMATCH;
		}
		if (slot_win(sl, &s, XN_F_ANSWERED))
			break;
	}
	if (sl->t_send != 0)
		lat_record(r, idx, xn_now_ns() - sl->t_send);
	xn_ctr_own(&sl->ctr.completed);
	if (reply->status != 0)
		xn_ctr_own(&sl->ctr.remote_errors);
	cap = st == XN_S_WAIT_SYNC ? sl->rcap : UINT32_MAX;
	if (reply->len > cap)
		xn_ctr_own(&sl->ctr.truncated);
	if (reply->status != 0)
		result = -EREMOTEIO;
	else if (reply->len > cap)
		result = -EMSGSIZE;
	else
		result = (int)reply->len;

	if (st == XN_S_WAIT_SYNC) {
		if (sl->rbuf != NULL && reply->len != 0)
			xn_copy(sl->rbuf, reply->data, reply->len < cap ? reply->len : cap);
		sl->result = result;
		sl->rlen = reply->len;
		sl->rstatus = reply->status;
		xn_ended(r, false);
		slot_done(sl);
	} else {
		cb = sl->cb;
		xn_ended(r, true);
		cb(sl->cb_arg, result, reply);
		slot_retire(r, sl);
	}
	return XN_RX_OK;
}

int
xn_release(struct xn_ring *r, uint16_t cookie)
{
	unsigned int idx = XN_COOKIE_IDX(cookie);

	if (r == NULL || idx >= r->conf.nslots)
		return -EINVAL;
	return slot_release(r, &r->slots[idx], XN_COOKIE_SALT(cookie));
}

int
xn_release_all(struct xn_ring *r)
{
	unsigned int i;
	int n = 0;

	if (r == NULL)
		return -EINVAL;
	for (i = 0; i < r->conf.nslots; i++) {
		struct xn_slot *sl = &r->slots[i];
		uint32_t s = atomic_load_explicit(&sl->state, memory_order_relaxed);

		/* a salt that changes under us means the slot was freed and reused: skip it */
		if ((s & XN_F_TXBUSY) && slot_release(r, sl, xn_salt(s)) == 0)
			n++;
	}
	return n;
}

/* End a won async transaction without a reply. */
static void
xn_async_fail(struct xn_ring *r, struct xn_slot *sl, int err)
{
	xn_cb_t cb = sl->cb;

	xn_ended(r, true);
	cb(sl->cb_arg, err, NULL);
	slot_retire(r, sl);
}

int
xn_expire(struct xn_ring *r)
{
	unsigned int i;
	uint64_t now;
	int n = 0;

	if (r == NULL)
		return -EINVAL;
	if (atomic_load_explicit(&r->async_inflight, memory_order_relaxed) == 0)
		return 0;
	now = xn_now_ns();
	for (i = 0; i < r->conf.nslots; i++) {
		struct xn_slot *sl = &r->slots[i];
		uint32_t s = atomic_load_explicit(&sl->state, memory_order_acquire);

		while (xn_st(s) == XN_S_WAIT_ASYNC &&
		       atomic_load_explicit(&sl->deadline, memory_order_relaxed) <= now) {
			if (slot_win(sl, &s, 0)) {
				xn_ctr_inc(&sl->ctr.timed_out);
				xn_async_fail(r, sl, -ETIMEDOUT);
				n++;
				break;
			}
		}
	}
	return n;
}

int
xn_shutdown(struct xn_ring *r, int err)
{
	unsigned int i;
	int n = 0;

	if (r == NULL || err >= 0)
		return -EINVAL;
	/* seq_cst store, then seq_cst loads of the words: the shutdown handshake (slot_claim()) */
	atomic_store_explicit(&r->shut, (uint32_t)-err, memory_order_seq_cst);
	for (i = 0; i < r->conf.nslots; i++) {
		struct xn_slot *sl = &r->slots[i];
		uint32_t s = atomic_load_explicit(&sl->state, memory_order_seq_cst);
		unsigned int spins = 0;
		uint32_t st;

		for (;;) {
			st = xn_st(s);
			if (st == XN_S_CLAIMED) {
				/*
				 * A claim that may have missed the flag: the claimer is between
				 * its claim and its publish (a few stores, no user code), or puts
				 * the slot back. Wait for it, yielding in case it was preempted.
				 */
				if (++spins < XN_SHUT_SPINS)
					xn_cpu_relax();
				else
					sched_yield();
				s = atomic_load_explicit(&sl->state, memory_order_seq_cst);
				continue;
			}
			if (st != XN_S_WAIT_SYNC && st != XN_S_WAIT_ASYNC)
				break;
			if (slot_win(sl, &s, 0))
				break;
		}
		if (st != XN_S_WAIT_SYNC && st != XN_S_WAIT_ASYNC)
			continue;
		xn_ctr_inc(&sl->ctr.cancelled);
		n++;
		if (st == XN_S_WAIT_ASYNC) {
			xn_async_fail(r, sl, err);
			continue;
		}
		sl->result = err;
		sl->rlen = 0;
		sl->rstatus = 0;
		xn_ended(r, false);
		slot_done(sl);
	}
	return n;
}

int
xn_arm(struct xn_ring *r)
{
	if (r == NULL)
		return -EINVAL;
	atomic_store_explicit(&r->shut, 0, memory_order_seq_cst);
	return 0;
}

static uint64_t
lat_percentile(const uint64_t *h, uint64_t count, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * (double)count + 0.999999);
	uint64_t cum = 0;
	unsigned int b;

	if (rank == 0)
		rank = 1;
	for (b = 0; b < XN_LAT_BUCKETS; b++) {
		cum += h[b];
		if (cum >= rank)
			return lat_bucket_high(b);
	}
	return lat_bucket_high(XN_LAT_BUCKETS - 1);
}

int
xn_stats_get(struct xn_ring *r, struct xn_stats *st)
{
	uint64_t hist[XN_LAT_BUCKETS], ended;
	unsigned int i, j;

	if (r == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	for (i = 0; i < r->conf.nslots; i++) {
		struct xn_slot_ctr *c = &r->slots[i].ctr;

#define XN_SUM(f) st->f += atomic_load_explicit(&c->f, memory_order_relaxed)
		XN_SUM(sent);
		XN_SUM(completed);
		XN_SUM(remote_errors);
		XN_SUM(truncated);
		XN_SUM(timed_out);
		XN_SUM(cancelled);
		XN_SUM(send_failed);
		XN_SUM(stale);
		XN_SUM(late);
		XN_SUM(duplicates);
		XN_SUM(opcode_mismatch);
#undef XN_SUM
		if (atomic_load_explicit(&r->slots[i].state, memory_order_relaxed) & XN_F_TXBUSY)
			st->busy_buffers++;
	}
	st->refused = atomic_load_explicit(&r->refused, memory_order_relaxed);
	st->unknown_index = atomic_load_explicit(&r->unknown_index, memory_order_relaxed);
	st->taken = atomic_load_explicit(&r->taken, memory_order_relaxed);
	/* a snapshot taken while calls run may catch an end before its start: clamp */
	ended = st->completed + st->timed_out + st->cancelled + st->send_failed;
	st->inflight = st->sent > ended ? st->sent - ended : 0;
	st->inflight_hwm = atomic_load_explicit(&r->inflight_hwm, memory_order_relaxed);

	memset(hist, 0, sizeof(hist));
	for (j = 0; j < XN_LAT_STRIPES; j++)
		for (i = 0; i < XN_LAT_BUCKETS; i++) {
			hist[i] += atomic_load_explicit(&r->lat[j].b[i], memory_order_relaxed);
			st->latency.count += atomic_load_explicit(&r->lat[j].b[i],
								  memory_order_relaxed);
		}
	if (st->latency.count != 0) {
		uint64_t lo = atomic_load_explicit(&r->lat_min, memory_order_relaxed);
		uint64_t hi = atomic_load_explicit(&r->lat_max, memory_order_relaxed);

		st->latency.min_ns = lo;
		st->latency.max_ns = hi;
		st->latency.p50_ns = lat_percentile(hist, st->latency.count, 50.0);
		st->latency.p99_ns = lat_percentile(hist, st->latency.count, 99.0);
		/* a bucket's upper bound may lie outside what was seen */
		if (st->latency.p50_ns > hi)
			st->latency.p50_ns = hi;
		if (st->latency.p99_ns > hi)
			st->latency.p99_ns = hi;
		if (st->latency.p50_ns < lo)
			st->latency.p50_ns = lo;
		if (st->latency.p99_ns < lo)
			st->latency.p99_ns = lo;
	}
	return 0;
}

const char *
xn_rx_result_str(int rc)
{
	switch (rc) {
	case XN_RX_OK:
		return "ok";
	case XN_RX_UNKNOWN_INDEX:
		return "unknown index";
	case XN_RX_STALE_SALT:
		return "stale salt";
	case XN_RX_NOT_WAITING:
		return "not waiting (late)";
	case XN_RX_DUPLICATE:
		return "duplicate";
	case XN_RX_OPCODE_MISMATCH:
		return "opcode mismatch";
	default:
		return rc < 0 ? "invalid argument" : "unknown code";
	}
}
