/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench xn: cost of one synchronous transaction (claim + send + complete + release)
 * with an in-process instant responder, on 1 thread and on 2 threads sharing one ring, for
 * lib/xn and for a mutex-based manager of the same API shape measured in the same run: the
 * Linux idpf design (bitmap under a lock, lowest free index, manager-wide salt, a lock and a
 * condition variable per slot).
 *
 * lib/xn lets a thread keep its slot for its next call (runs of 16 uses of a slot, then the
 * next slot in turn), so two threads on one ring mostly work on their own slot; the baseline
 * takes the lowest free index under its manager lock, as Linux does. Both serve the same
 * calls with the same cookie checks (salt, state, opcode) and the same reply copy.
 *
 * Latency statistics: lib/xn times one transaction in 16 of each slot (send and reply time
 * stamps, a histogram bucket, min/max). The baseline does the same work on the same sampling
 * rule with the same kind of clock (the TSC on x86-64), so neither side is charged for
 * statistics the other skips.
 *
 * The baseline computes its pthread_cond_timedwait() deadline (one clock_gettime()) before
 * waiting, as a straightforward port of the Linux wait does. lib/xn reads the clock only when
 * the reply is not there yet. As that is a trick the baseline could use too, a second baseline
 * row, "mutex_manager_lazy_deadline", reads the clock only when it must sleep.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <xn.h>

#include "bench.h"

#define BX_SLOTS	64
#define BX_REPEAT	5

static const uint8_t bx_payload[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* ---- the baseline: mutex-based manager ---- */

enum { MX_IDLE, MX_WAITING, MX_DONE };

struct mx_slot {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;
	uint8_t salt;
	uint32_t opcode;
	void *rbuf;
	uint32_t rcap, rlen;
	bool tx_busy;
	uint64_t uses;		/* latency sampling, as lib/xn: first use, then 1 in 16 */
	uint64_t t_send;
} __attribute__((aligned(64)));

struct mx_mgr {
	pthread_mutex_t map_lock;
	uint64_t free_map;
	uint8_t salt;
	bool lazy_deadline;
	struct mx_slot slots[BX_SLOTS];
	/* latency summary: log2 histogram, min, max (relaxed atomics, as lib/xn) */
	_Atomic uint64_t lat_hist[64] __attribute__((aligned(64)));
	_Atomic uint64_t lat_min, lat_max;
};

static inline uint64_t
bx_stamp(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	return bench_now_ns();
#endif
}

static void
mx_lat_record(struct mx_mgr *m, uint64_t d)
{
	uint64_t cur;

	atomic_fetch_add_explicit(&m->lat_hist[d ? 63 - __builtin_clzll(d) : 0], 1,
				  memory_order_relaxed);
	cur = atomic_load_explicit(&m->lat_min, memory_order_relaxed);
	while (d < cur && !atomic_compare_exchange_weak_explicit(&m->lat_min, &cur, d,
			memory_order_relaxed, memory_order_relaxed))
		;
	cur = atomic_load_explicit(&m->lat_max, memory_order_relaxed);
	while (d > cur && !atomic_compare_exchange_weak_explicit(&m->lat_max, &cur, d,
			memory_order_relaxed, memory_order_relaxed))
		;
}

static int mx_complete(struct mx_mgr *m, uint16_t cookie, const struct xn_msg *reply);

static void
mx_init(struct mx_mgr *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	atomic_init(&m->lat_min, UINT64_MAX);
	pthread_mutex_init(&m->map_lock, NULL);
	m->free_map = ~0ull;
	for (i = 0; i < BX_SLOTS; i++) {
		pthread_mutex_init(&m->slots[i].lock, NULL);
		pthread_cond_init(&m->slots[i].cond, NULL);
	}
}

static void
mx_fini(struct mx_mgr *m)
{
	unsigned int i;

	pthread_mutex_destroy(&m->map_lock);
	for (i = 0; i < BX_SLOTS; i++) {
		pthread_mutex_destroy(&m->slots[i].lock);
		pthread_cond_destroy(&m->slots[i].cond);
	}
}

/* the instant responder of the baseline: release the buffer and answer at once */
static void
mx_send(struct mx_mgr *m, uint16_t cookie, const struct xn_msg *req)
{
	struct xn_msg rep = { .opcode = req->opcode, .len = sizeof(bx_payload),
			      .data = bx_payload };
	struct mx_slot *s = &m->slots[cookie & 0xff];

	pthread_mutex_lock(&s->lock);
	s->tx_busy = false;
	pthread_mutex_unlock(&s->lock);
	mx_complete(m, cookie, &rep);
}

static void
mx_deadline(struct timespec *ts, uint32_t tmo_us)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += (long)(tmo_us % 1000000u) * 1000;
	ts->tv_sec += tmo_us / 1000000u + ts->tv_nsec / 1000000000;
	ts->tv_nsec %= 1000000000;
}

static int
mx_exec(struct mx_mgr *m, const struct xn_msg *req, void *buf, uint32_t cap, uint32_t tmo_us)
{
	struct mx_slot *s;
	struct timespec ts;
	unsigned int idx;
	uint16_t cookie;
	int rc;

	pthread_mutex_lock(&m->map_lock);
	if (m->free_map == 0) {
		pthread_mutex_unlock(&m->map_lock);
		return -EAGAIN;
	}
	idx = (unsigned int)__builtin_ctzll(m->free_map);
	m->free_map &= ~(1ull << idx);
	s = &m->slots[idx];
	pthread_mutex_lock(&s->lock);
	s->salt = m->salt++;
	pthread_mutex_unlock(&m->map_lock);
	s->state = MX_WAITING;
	s->opcode = req->opcode;
	s->rbuf = buf;
	s->rcap = cap;
	s->tx_busy = true;
	s->t_send = (s->uses++ & 15) == 0 ? bx_stamp() : 0;
	cookie = (uint16_t)(s->salt << 8 | idx);
	pthread_mutex_unlock(&s->lock);

	mx_send(m, cookie, req);

	if (!m->lazy_deadline)
		mx_deadline(&ts, tmo_us);
	pthread_mutex_lock(&s->lock);
	if (m->lazy_deadline && s->state == MX_WAITING)
		mx_deadline(&ts, tmo_us);
	while (s->state == MX_WAITING)
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT)
			break;
	rc = s->state == MX_DONE ? (int)s->rlen : -ETIMEDOUT;
	s->state = MX_IDLE;
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&m->map_lock);
	m->free_map |= 1ull << idx;
	pthread_mutex_unlock(&m->map_lock);
	return rc;
}

static int
mx_complete(struct mx_mgr *m, uint16_t cookie, const struct xn_msg *reply)
{
	struct mx_slot *s = &m->slots[(cookie & 0xff) % BX_SLOTS];
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (s->salt == (cookie >> 8) && s->state == MX_WAITING && s->opcode == reply->opcode) {
		s->rlen = reply->len;
		memcpy(s->rbuf, reply->data, reply->len < s->rcap ? reply->len : s->rcap);
		s->state = MX_DONE;
		if (s->t_send != 0)
			mx_lat_record(m, bx_stamp() - s->t_send);
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		pthread_cond_signal(&s->cond);
	return rc;
}

/* ---- lib/xn with the same responder ---- */

static struct xn_ring *bx_ring;

static int
bx_send(void *ctx, uint16_t cookie, const struct xn_msg *req)
{
	struct xn_msg rep = { .opcode = req->opcode, .len = sizeof(bx_payload),
			      .data = bx_payload };

	(void)ctx;
	xn_release(bx_ring, cookie);
	return xn_complete(bx_ring, cookie, &rep) == XN_RX_OK ? 0 : -EPROTO;
}

/* ---- runner ---- */

struct bx_arg {
	bool baseline;
	struct mx_mgr *mx;
	unsigned int iters;
	pthread_barrier_t *start;
	unsigned int errors;
};

static void *
bx_worker(void *p)
{
	struct bx_arg *a = p;
	uint8_t buf[64];
	uint32_t op = 0x5a;
	struct xn_msg req = { .opcode = op, .len = 8, .data = "request" };
	struct xn_reply rep = { .buf = buf, .cap = sizeof(buf) };
	unsigned int i;
	int rc;

	pthread_barrier_wait(a->start);
	for (i = 0; i < a->iters; i++) {
		if (a->baseline)
			rc = mx_exec(a->mx, &req, buf, sizeof(buf), 1000000);
		else
			rc = xn_exec(bx_ring, &req, &rep, 1000000);
		if (rc != (int)sizeof(bx_payload))
			a->errors++;
	}
	return NULL;
}

/* one timed run: ns per transaction (wall time / all transactions of all threads) */
static double
bx_run(bool baseline, unsigned int nthreads, unsigned int iters, struct mx_mgr *mx,
       unsigned int *errors)
{
	pthread_t th[2];
	struct bx_arg a[2];
	pthread_barrier_t start;
	uint64_t t0, t1;
	unsigned int i;

	pthread_barrier_init(&start, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		a[i] = (struct bx_arg){ .baseline = baseline, .mx = mx, .iters = iters,
					.start = &start };
		pthread_create(&th[i], NULL, bx_worker, &a[i]);
	}
	t0 = bench_now_ns();
	pthread_barrier_wait(&start);
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		*errors += a[i].errors;
	}
	t1 = bench_now_ns();
	pthread_barrier_destroy(&start);
	return (double)(t1 - t0) / ((double)iters * nthreads);
}

static int
bench_xn_run(int argc, char **argv)
{
	struct xn_ring_conf conf = { .nslots = BX_SLOTS, .send = bx_send };
	unsigned int iters = 400000, nthreads, r, errors = 0;
	struct mx_mgr *mx;
	struct xn_stats st;

	if (argc > 1 && strcmp(argv[1], "--quick") == 0)
		iters = 20000;
	bx_ring = xn_ring_create(&conf);
	mx = aligned_alloc(64, (sizeof(*mx) + 63) & ~(size_t)63);
	if (bx_ring == NULL || mx == NULL) {
		fprintf(stderr, "xn: out of memory\n");
		return 1;
	}
	mx_init(mx);
	for (nthreads = 1; nthreads <= 2; nthreads++) {
		double ours[BX_REPEAT], base[BX_REPEAT], lazy[BX_REPEAT], med;
		char metric[64];

		/* alternate the three so that frequency and noise hit all alike */
		bx_run(false, nthreads, iters / 10, mx, &errors);
		bx_run(true, nthreads, iters / 10, mx, &errors);
		for (r = 0; r < BX_REPEAT; r++) {
			ours[r] = bx_run(false, nthreads, iters, mx, &errors);
			mx->lazy_deadline = false;
			base[r] = bx_run(true, nthreads, iters, mx, &errors);
			mx->lazy_deadline = true;
			lazy[r] = bx_run(true, nthreads, iters, mx, &errors);
		}
		snprintf(metric, sizeof(metric), "ns_per_xn_%uthread%s", nthreads,
			 nthreads > 1 ? "s_contended" : "");
		med = bench_median(ours, BX_REPEAT);
		bench_report("xn", metric, med, "ns", "mutex_manager",
			     bench_median(base, BX_REPEAT), true);
		bench_report("xn", metric, med, "ns", "mutex_manager_lazy_deadline",
			     bench_median(lazy, BX_REPEAT), true);
	}
	xn_stats_get(bx_ring, &st);
	if (!bench_json)
		printf("xn         both sides time 1 in 16 transactions per slot for their latency "
		       "summary\n");
	if (!bench_json)
		printf("xn         latency send->reply min %llu p50 %llu p99 %llu max %llu ns over "
		       "%llu replies, errors %u\n", (unsigned long long)st.latency.min_ns,
		       (unsigned long long)st.latency.p50_ns, (unsigned long long)st.latency.p99_ns,
		       (unsigned long long)st.latency.max_ns, (unsigned long long)st.latency.count,
		       errors);
	mx_fini(mx);
	free(mx);
	xn_ring_free(bx_ring);
	if (errors != 0) {
		fprintf(stderr, "xn: %u transactions failed\n", errors);
		return 1;
	}
	return 0;
}

static struct bench bench_xn = {
	.name = "xn",
	.help = "transaction ring: ns per sync transaction, 1 and 2 threads, vs a mutex manager",
	.run = bench_xn_run,
};

BENCH_REGISTER(bench_xn)
