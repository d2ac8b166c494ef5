/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stress test of lib/xn: N caller threads run sync and async transactions against a fake
 * device thread that answers out of order after random delays and injects drops, duplicates,
 * late replies (after the caller's timeout), remote errors, and releases each send buffer at
 * a random moment before or after the reply. Cases also drive the receive path from the
 * waiters' poll hook instead of the device thread, and shut the ring down and re-arm it while
 * everything runs. A last case puts more callers than slots on a ring whose transport answers
 * inline, so that slots kept by one thread for its next call are taken by others (also after
 * their thread exited) while shutdowns, timeouts and late buffer releases go on.
 *
 * Checked: every caller gets exactly its own reply (payload tag) or an error; every async
 * callback runs exactly once; the callers' tallies match the ring's counters; the counters add
 * up; at the end no slot, buffer or transaction is left (all slots can be claimed again).
 *
 * Scale with XN_STRESS_SCALE (default 1; TSan builds stay under 20 s at 1).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xn.h>

#include "test.h"

#define NTHREADS	4
#define NSLOTS		32
#define TIMEOUT_US	3000
#define MAX_ASYNC	6	/* outstanding async transactions per caller */
#define QCAP		1024

struct tag {
	uint32_t thread;
	uint32_t seq;
};

struct pend {
	uint64_t due;		/* when to act */
	uint16_t cookie;
	uint32_t opcode;
	struct tag tag;
	uint8_t kind;		/* what to do */
	bool released;
};

enum { K_REPLY, K_DROP, K_DUP, K_LATE, K_ERROR, K_DUP_SECOND, K_RELEASE };

struct dev {
	struct xn_ring *r;
	bool via_poll;		/* replies go to the ARQ queue, drained by the poll hook */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pend q[QCAP];
	unsigned int nq;
	bool stop;
	uint64_t rng;
	/* ARQ (poll mode) */
	pthread_mutex_t arq_lock;
	struct pend arq[QCAP];
	unsigned int narq;
	/* tallies of xn_complete() results, and release failures */
	atomic_uint rx[8];
	atomic_uint release_errors;
	atomic_uint dropped;
};

static struct dev D;

/* what callers saw */
struct tally {
	atomic_uint ok, remote, timeout, cancelled, refused, wrong_reply, cb_twice, busy;
};

static struct tally T;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	nanosleep(&ts, NULL);
}

/* ---- fake device ---- */

static int
dev_send(void *ctx, uint16_t cookie, const struct xn_msg *msg)
{
	struct pend p = { .cookie = cookie, .opcode = msg->opcode };
	uint64_t x, delay;

	(void)ctx;
	if (msg->len != sizeof(struct tag))
		return -EINVAL;
	memcpy(&p.tag, msg->data, sizeof(p.tag));
	pthread_mutex_lock(&D.lock);
	x = rnd(&D.rng) % 1000;
	delay = rnd(&D.rng) % 200000;	/* 0..200 us */
	if (x < 20) {
		p.kind = K_DROP;
	} else if (x < 50) {
		p.kind = K_DUP;
	} else if (x < 80) {
		p.kind = K_LATE;
		delay = TIMEOUT_US * 1000ull + 500000 + rnd(&D.rng) % 2000000;
	} else if (x < 100) {
		p.kind = K_ERROR;
	} else {
		p.kind = K_REPLY;
	}
	p.due = now_ns() + delay;
	p.released = true;
	if (D.nq + 2 > QCAP) {
		pthread_mutex_unlock(&D.lock);
		return -ENOBUFS;
	}
	D.q[D.nq++] = p;
	/* the device reads the request (and the buffer is released) on its own schedule,
	 * usually before the reply, sometimes after it */
	p.kind = K_RELEASE;
	p.due = now_ns() + rnd(&D.rng) % 60000;
	D.q[D.nq++] = p;
	pthread_cond_signal(&D.cond);
	pthread_mutex_unlock(&D.lock);
	return 0;
}

static void
dev_deliver(const struct pend *p)
{
	struct xn_msg m = {
		.opcode = p->opcode,
		.status = p->kind == K_ERROR ? 11 : 0,
		.len = sizeof(p->tag),
		.data = &p->tag,
	};
	int rc = xn_complete(D.r, p->cookie, &m);

	if (rc >= 0 && rc < 8)
		atomic_fetch_add(&D.rx[rc], 1);
}

static void
dev_reply(const struct pend *p)
{
	if (!D.via_poll) {
		dev_deliver(p);
		return;
	}
	pthread_mutex_lock(&D.arq_lock);
	if (D.narq < QCAP)
		D.arq[D.narq++] = *p;
	pthread_mutex_unlock(&D.arq_lock);
}

/* the receive path of poll mode: drain the ARQ outside its lock */
static void
dev_poll(void *ctx)
{
	struct pend local[64];
	unsigned int n = 0, i;

	(void)ctx;
	if (!D.via_poll || pthread_mutex_trylock(&D.arq_lock) != 0)
		return;
	while (D.narq > 0 && n < 64)
		local[n++] = D.arq[--D.narq];
	pthread_mutex_unlock(&D.arq_lock);
	for (i = 0; i < n; i++)
		dev_deliver(&local[i]);
}

static void *
dev_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&D.lock);
	for (;;) {
		uint64_t now = now_ns(), next = UINT64_MAX;
		unsigned int ready[QCAP], nr = 0, i;
		struct pend p;

		for (i = 0; i < D.nq; i++) {
			if (D.q[i].due <= now)
				ready[nr++] = i;
			else if (D.q[i].due < next)
				next = D.q[i].due;
		}
		if (nr == 0) {
			struct timespec ts;

			if (D.stop && D.nq == 0)
				break;
			if (next == UINT64_MAX || next - now > 1000000)
				next = now + 1000000;
			/* condvar on CLOCK_REALTIME: convert the relative wait */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)(next - now);
			ts.tv_sec += ts.tv_nsec / 1000000000;
			ts.tv_nsec %= 1000000000;
			pthread_cond_timedwait(&D.cond, &D.lock, &ts);
			pthread_mutex_unlock(&D.lock);
			xn_expire(D.r);	/* the device thread doubles as the async timer */
			pthread_mutex_lock(&D.lock);
			continue;
		}
		/* out of order: any ready one */
		i = ready[rnd(&D.rng) % nr];
		p = D.q[i];
		D.q[i] = D.q[--D.nq];
		if (p.kind == K_DUP) {
			struct pend d = p;

			/* the copy comes soon, or much later (after the slot was reused) */
			d.kind = K_DUP_SECOND;
			d.due = now + rnd(&D.rng) % ((rnd(&D.rng) & 1) ? 100000 : 8000000);
			D.q[D.nq++] = d;
		}
		pthread_mutex_unlock(&D.lock);
		if (p.kind == K_RELEASE) {
			if (xn_release(D.r, p.cookie) != 0)
				atomic_fetch_add(&D.release_errors, 1);
		} else if (p.kind == K_DROP) {
			atomic_fetch_add(&D.dropped, 1);
		} else {
			dev_reply(&p);
		}
		pthread_mutex_lock(&D.lock);
	}
	pthread_mutex_unlock(&D.lock);
	return NULL;
}

/* ---- callers ---- */

struct actx {
	struct tag tag;
	atomic_uint calls;
};

struct caller {
	pthread_t th;
	uint32_t id;
	unsigned int n;
	struct actx *a;		/* n entries, one per possible async */
	atomic_uint async_open;
};

static void
tally_result(int rc, const struct xn_msg *reply, const struct tag *mine)
{
	if (rc >= 0) {
		if (rc != (int)sizeof(*mine) || reply == NULL ||
		    memcmp(reply->data, mine, sizeof(*mine)) != 0)
			atomic_fetch_add(&T.wrong_reply, 1);
		else
			atomic_fetch_add(&T.ok, 1);
	} else if (rc == -EREMOTEIO) {
		if (reply == NULL || reply->status != 11 ||
		    memcmp(reply->data, mine, sizeof(*mine)) != 0)
			atomic_fetch_add(&T.wrong_reply, 1);
		else
			atomic_fetch_add(&T.remote, 1);
	} else if (rc == -ETIMEDOUT) {
		atomic_fetch_add(&T.timeout, 1);
	} else if (rc == -EIO) {
		atomic_fetch_add(&T.cancelled, 1);
	} else {
		atomic_fetch_add(&T.wrong_reply, 1);
	}
}

static void
async_cb(void *arg, int result, const struct xn_msg *reply)
{
	struct actx *a = arg;

	if (atomic_fetch_add(&a->calls, 1) != 0)
		atomic_fetch_add(&T.cb_twice, 1);
	tally_result(result, reply, &a->tag);
}

static struct caller C[NTHREADS];

static void *
caller_thread(void *arg)
{
	struct caller *c = arg;
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ (c->id + 1) * 0x1234567ull;
	unsigned int i, opened = 0;

	for (i = 0; i < c->n; i++) {
		struct tag tag = { .thread = c->id, .seq = i };
		struct xn_msg req = { .opcode = 100 + c->id, .len = sizeof(tag), .data = &tag };
		int rc;

		if ((rnd(&rng) & 3) == 0) {
			/* async: keep at most MAX_ASYNC open (ended ones counted via calls) */
			unsigned int k, open = 0;

			for (k = 0; k < opened; k++)
				open += atomic_load(&c->a[k].calls) == 0;
			if (open >= MAX_ASYNC)
				goto sync;
			c->a[opened].tag = tag;
			rc = xn_exec_async(D.r, &req, TIMEOUT_US, async_cb, &c->a[opened]);
			if (rc == 0) {
				opened++;
			} else if (rc == -ESHUTDOWN || rc == -EAGAIN) {
				atomic_fetch_add(rc == -EAGAIN ? &T.busy : &T.refused, 1);
				sleep_ns(20000);
			} else {
				atomic_fetch_add(&T.wrong_reply, 1);
			}
			continue;
		}
sync:
		{
			struct tag got = { 0 };
			struct xn_reply rep = { .buf = &got, .cap = sizeof(got) };
			struct xn_msg view = { .data = &got };

			rc = xn_exec(D.r, &req, &rep, TIMEOUT_US);
			if (rc == -ESHUTDOWN || rc == -EAGAIN) {
				atomic_fetch_add(rc == -EAGAIN ? &T.busy : &T.refused, 1);
				sleep_ns(20000);
				continue;
			}
			view.status = rep.status;
			tally_result(rc, &view, &tag);
		}
	}
	/* wait for our async callbacks (timeouts are reaped by the device thread) */
	for (;;) {
		unsigned int k, open = 0;

		for (k = 0; k < opened; k++)
			open += atomic_load(&c->a[k].calls) == 0;
		if (open == 0)
			break;
		dev_poll(NULL);
		sleep_ns(100000);
	}
	atomic_store(&c->async_open, opened);
	return NULL;
}

/* ---- one run ---- */

static int
run(bool via_poll, bool chaos, unsigned int per_thread)
{
	struct xn_ring_conf conf = {
		.nslots = NSLOTS,
		.send = dev_send,
		.poll = via_poll ? dev_poll : NULL,
		.spin_ns = 2000,
		.poll_interval_us = 50,
	};
	pthread_t dev;
	struct xn_stats st;
	unsigned int i, async_total = 0, chaos_rounds = 0;
	uint64_t t0 = now_ns();
	int rc, cancelled_total = 0;

	memset(&D, 0, sizeof(D));
	memset(&T, 0, sizeof(T));
	D.via_poll = via_poll;
	D.rng = 0x2545f4914f6cdd1dull;
	pthread_mutex_init(&D.lock, NULL);
	pthread_cond_init(&D.cond, NULL);
	pthread_mutex_init(&D.arq_lock, NULL);
	D.r = xn_ring_create(&conf);
	TEST_ASSERT(D.r != NULL, "create");
	TEST_ASSERT_SUCCESS(pthread_create(&dev, NULL, dev_thread, NULL), "device thread");
	for (i = 0; i < NTHREADS; i++) {
		C[i].id = i;
		C[i].n = per_thread;
		C[i].a = calloc(per_thread, sizeof(*C[i].a));
		TEST_ASSERT(C[i].a != NULL, "calloc");
		TEST_ASSERT_SUCCESS(pthread_create(&C[i].th, NULL, caller_thread, &C[i]), "caller");
	}
	if (chaos) {
		/* device resets while traffic runs: everything outstanding fails with -EIO */
		for (i = 0; i < 6; i++) {
			sleep_ns(40000000);
			rc = xn_shutdown(D.r, -EIO);
			TEST_ASSERT(rc >= 0, "shutdown");
			cancelled_total += rc;
			sleep_ns(2000000);
			TEST_ASSERT_SUCCESS(xn_arm(D.r), "arm");
			chaos_rounds++;
		}
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(C[i].th, NULL);
		async_total += atomic_load(&C[i].async_open);
	}
	/* let the device finish its queue (late replies and duplicates included) */
	pthread_mutex_lock(&D.lock);
	D.stop = true;
	pthread_cond_signal(&D.cond);
	pthread_mutex_unlock(&D.lock);
	pthread_join(dev, NULL);
	dev_poll(NULL);

	TEST_ASSERT_SUCCESS(xn_stats_get(D.r, &st), "stats");
	printf("  %s%s: %u calls, %.2f s: ok %u remote %u timeout %u cancelled %u refused %u "
	       "busy %u | rx ok %u stale %u late %u dup %u | hwm %llu lat p50 %llu p99 %llu ns\n",
	       via_poll ? "poll" : "rx-thread", chaos ? "+reset" : "", NTHREADS * per_thread,
	       (double)(now_ns() - t0) / 1e9, T.ok, T.remote, T.timeout, T.cancelled, T.refused,
	       T.busy, D.rx[XN_RX_OK], D.rx[XN_RX_STALE_SALT], D.rx[XN_RX_NOT_WAITING],
	       D.rx[XN_RX_DUPLICATE], (unsigned long long)st.inflight_hwm,
	       (unsigned long long)st.latency.p50_ns, (unsigned long long)st.latency.p99_ns);

	TEST_ASSERT_EQUAL(atomic_load(&T.wrong_reply), 0, "a caller got a wrong reply or code");
	TEST_ASSERT_EQUAL(atomic_load(&T.cb_twice), 0, "an async callback ran twice");
	for (i = 0; i < NTHREADS; i++) {
		unsigned int k;

		for (k = 0; k < C[i].async_open; k++)
			TEST_ASSERT_EQUAL(atomic_load(&C[i].a[k].calls), 1, "callback %u/%u", i, k);
		free(C[i].a);
	}
	TEST_ASSERT_EQUAL(atomic_load(&D.release_errors), 0, "xn_release refused a buffer");
	TEST_ASSERT_EQUAL(st.inflight, 0, "transactions left in flight");
	TEST_ASSERT_EQUAL(st.busy_buffers, 0, "send buffers left busy");
	TEST_ASSERT_EQUAL(st.sent, st.completed + st.timed_out + st.cancelled + st.send_failed,
			  "counters add up");
	TEST_ASSERT_EQUAL(st.completed, T.ok + T.remote, "completions seen by callers");
	TEST_ASSERT_EQUAL(st.remote_errors, T.remote, "remote errors seen by callers");
	TEST_ASSERT_EQUAL(st.timed_out, T.timeout, "timeouts seen by callers");
	TEST_ASSERT_EQUAL(st.cancelled, T.cancelled, "cancellations seen by callers");
	TEST_ASSERT_EQUAL(st.cancelled, (uint64_t)cancelled_total, "cancellations by shutdown");
	TEST_ASSERT_EQUAL(D.rx[XN_RX_OK], st.completed, "rx OK == completed");
	TEST_ASSERT_EQUAL(D.rx[XN_RX_NOT_WAITING] + D.rx[XN_RX_DUPLICATE] + D.rx[XN_RX_STALE_SALT],
			  st.late + st.duplicates + st.stale, "drops counted");
	TEST_ASSERT_EQUAL(st.unknown_index + st.opcode_mismatch, 0, "no forged replies sent");
	TEST_ASSERT(T.ok > 0 && T.timeout > 0 && D.rx[XN_RX_DUPLICATE] > 0 &&
		    D.rx[XN_RX_NOT_WAITING] > 0 && D.rx[XN_RX_STALE_SALT] > 0,
		    "the faults were exercised");
	TEST_ASSERT(async_total > 0, "async transactions ran");
	TEST_ASSERT(!chaos || T.cancelled > 0 || chaos_rounds == 0, "resets hit transactions");
	/* latency is sampled: the first use of each slot, then one in 16 */
	TEST_ASSERT(st.latency.count > 0 && st.latency.count <= st.completed &&
		    st.latency.count <= st.sent / 16 + NSLOTS, "latency samples");

	/* nothing leaked: every slot can be claimed again */
	{
		struct actx a[NSLOTS];
		struct xn_msg req = { .opcode = 1, .len = sizeof(struct tag),
				      .data = &(struct tag){ 0 } };

		memset(a, 0, sizeof(a));
		D.stop = false;
		for (i = 0; i < NSLOTS; i++) {
			/* the device thread is gone: messages queue up unanswered */
			TEST_ASSERT_SUCCESS(xn_exec_async(D.r, &req, 1000000, async_cb, &a[i]),
					    "slot %u after the run", i);
		}
		TEST_ASSERT_EQUAL(xn_shutdown(D.r, -ECANCELED), NSLOTS, "final shutdown");
		for (i = 0; i < NSLOTS; i++)
			TEST_ASSERT_EQUAL(atomic_load(&a[i].calls), 1, "final callback %u", i);
	}
	xn_ring_free(D.r);
	pthread_mutex_destroy(&D.lock);
	pthread_cond_destroy(&D.cond);
	pthread_mutex_destroy(&D.arq_lock);
	return TEST_SUCCESS;
}

static unsigned int
scale(unsigned int n)
{
	const char *s = getenv("XN_STRESS_SCALE");
	double f = s != NULL ? atof(s) : 1.0;

	return f > 0 ? (unsigned int)(n * f) + 1 : n;
}

/* ---- kept slots under contention ---- */

/*
 * More callers than slots, with a transport that answers inline from the send op (the path on
 * which a thread keeps its slot): claims keep finding the bitmap empty and take slots other
 * threads kept, callers exit at different times leaving kept slots behind, some buffers are
 * released late (never reused meanwhile), some requests go unanswered (timeouts, never kept),
 * and the ring is shut down and re-armed while all this runs.
 */
#define KS_THREADS	4
#define KS_SLOTS	3
#define KS_TIMEOUT_US	300
#define KS_LATE_MAX	64

static struct {
	struct xn_ring *r;
	pthread_mutex_t lock;
	uint16_t late[KS_LATE_MAX];	/* cookies whose buffer is released later */
	unsigned int nlate;
	atomic_uint release_errors;
	atomic_bool stop_chaos;
	atomic_bool quiet;		/* take every message, answer none */
	atomic_uint final_calls;
} K;

static _Thread_local uint64_t ks_rng;

/* release the buffers held back; called by senders and by callers that found no slot */
static void
ks_release_late(void)
{
	uint16_t c[KS_LATE_MAX];
	unsigned int n, i;

	pthread_mutex_lock(&K.lock);
	n = K.nlate;
	memcpy(c, K.late, n * sizeof(c[0]));
	K.nlate = 0;
	pthread_mutex_unlock(&K.lock);
	for (i = 0; i < n; i++)
		if (xn_release(K.r, c[i]) != 0)
			atomic_fetch_add(&K.release_errors, 1);
}

static int
ks_send(void *ctx, uint16_t cookie, const struct xn_msg *msg)
{
	struct xn_msg rep = { .opcode = msg->opcode, .len = msg->len, .data = msg->data };
	uint64_t x = rnd(&ks_rng) % 100;

	(void)ctx;
	if (atomic_load(&K.quiet))
		return 0;
	if (x < 3) {
		/* read but never answered: the caller times out */
		if (xn_release(K.r, cookie) != 0)
			atomic_fetch_add(&K.release_errors, 1);
		return 0;
	}
	if (x < 8) {
		/* answered, but the device still reads the buffer: released later */
		pthread_mutex_lock(&K.lock);
		if (K.nlate < KS_LATE_MAX) {
			K.late[K.nlate++] = cookie;
			pthread_mutex_unlock(&K.lock);
		} else {
			pthread_mutex_unlock(&K.lock);
			if (xn_release(K.r, cookie) != 0)
				atomic_fetch_add(&K.release_errors, 1);
		}
	} else {
		ks_release_late();
		if (xn_release(K.r, cookie) != 0)
			atomic_fetch_add(&K.release_errors, 1);
	}
	xn_complete(K.r, cookie, &rep);
	return 0;
}

struct ks_caller {
	pthread_t th;
	uint32_t id;
	unsigned int n;
	unsigned int ok, timeout, cancelled, refused, busy, wrong;
};

static void *
ks_caller_main(void *arg)
{
	struct ks_caller *c = arg;
	unsigned int i;

	ks_rng = 0x9e3779b97f4a7c15ull * (c->id + 1);
	for (i = 0; i < c->n; i++) {
		struct tag tag = { .thread = c->id, .seq = i }, got = { 0 };
		struct xn_msg req = { .opcode = 200 + c->id, .len = sizeof(tag), .data = &tag };
		struct xn_reply rep = { .buf = &got, .cap = sizeof(got) };
		int rc = xn_exec(K.r, &req, &rep, KS_TIMEOUT_US);

		if (rc == (int)sizeof(tag) && memcmp(&got, &tag, sizeof(tag)) == 0) {
			c->ok++;
		} else if (rc == -ETIMEDOUT) {
			c->timeout++;
		} else if (rc == -EIO) {
			c->cancelled++;
		} else if (rc == -ESHUTDOWN || rc == -EAGAIN) {
			if (rc == -ESHUTDOWN)
				c->refused++;
			else
				c->busy++;
			ks_release_late();
			sched_yield();
		} else {
			c->wrong++;
		}
		/* now and then idle while keeping the slot: others find no free one and take it */
		if ((rnd(&ks_rng) & 7) == 0)
			sleep_ns(10000);
	}
	return NULL;
}

static void
ks_final_cb(void *arg, int result, const struct xn_msg *reply)
{
	(void)arg;
	(void)reply;
	if (result == -ECANCELED)
		atomic_fetch_add(&K.final_calls, 1);
}

static void *
ks_chaos_main(void *arg)
{
	int *cancelled = arg;

	while (!atomic_load(&K.stop_chaos)) {
		int rc;

		sleep_ns(3000000);
		rc = xn_shutdown(K.r, -EIO);
		if (rc > 0)
			*cancelled += rc;
		sleep_ns(300000);
		xn_arm(K.r);
	}
	return NULL;
}

static int
kept_slots_taken_under_contention(void)
{
	struct xn_ring_conf conf = { .nslots = KS_SLOTS, .send = ks_send, .spin_ns = 2000 };
	struct ks_caller c[KS_THREADS];
	unsigned int i, ok = 0, timeout = 0, cancelled = 0, busy = 0, wrong = 0;
	int shut_cancelled = 0;
	pthread_t chaos;
	struct xn_stats st;
	uint64_t t0 = now_ns();

	memset(&K, 0, sizeof(K));
	pthread_mutex_init(&K.lock, NULL);
	K.r = xn_ring_create(&conf);
	TEST_ASSERT(K.r != NULL, "create");
	TEST_ASSERT_SUCCESS(pthread_create(&chaos, NULL, ks_chaos_main, &shut_cancelled), "chaos");
	for (i = 0; i < KS_THREADS; i++) {
		/* different lengths: early leavers leave kept slots behind for the others */
		c[i] = (struct ks_caller){ .id = i, .n = scale(20000) * (i + 1) / KS_THREADS };
		TEST_ASSERT_SUCCESS(pthread_create(&c[i].th, NULL, ks_caller_main, &c[i]),
				    "caller");
	}
	for (i = 0; i < KS_THREADS; i++) {
		pthread_join(c[i].th, NULL);
		ok += c[i].ok;
		timeout += c[i].timeout;
		cancelled += c[i].cancelled;
		busy += c[i].busy;
		wrong += c[i].wrong;
	}
	atomic_store(&K.stop_chaos, true);
	pthread_join(chaos, NULL);
	xn_arm(K.r);
	ks_release_late();

	TEST_ASSERT_SUCCESS(xn_stats_get(K.r, &st), "stats");
	printf("  kept slots: %u ok, %u timeout, %u cancelled, %u busy, %.2f s | taken %llu "
	       "hwm %llu\n", ok, timeout, cancelled, busy, (double)(now_ns() - t0) / 1e9,
	       (unsigned long long)st.taken, (unsigned long long)st.inflight_hwm);
	TEST_ASSERT_EQUAL(wrong, 0, "a caller got a wrong reply or code");
	TEST_ASSERT_EQUAL(atomic_load(&K.release_errors), 0, "xn_release refused a buffer");
	TEST_ASSERT_EQUAL(st.inflight, 0, "transactions left in flight");
	TEST_ASSERT_EQUAL(st.busy_buffers, 0, "send buffers left busy");
	TEST_ASSERT_EQUAL(st.sent, st.completed + st.timed_out + st.cancelled + st.send_failed,
			  "counters add up");
	TEST_ASSERT_EQUAL(st.completed, ok, "completions seen by callers");
	TEST_ASSERT_EQUAL(st.timed_out, timeout, "timeouts seen by callers");
	TEST_ASSERT_EQUAL(st.cancelled, cancelled, "cancellations seen by callers");
	TEST_ASSERT_EQUAL(st.cancelled, (uint64_t)shut_cancelled, "cancellations by shutdown");
	TEST_ASSERT(st.inflight_hwm <= KS_SLOTS, "hwm %llu", (unsigned long long)st.inflight_hwm);
	TEST_ASSERT(ok > 0 && timeout > 0 && busy > 0, "the paths were exercised");
	TEST_ASSERT(st.taken > 0, "no kept slot was ever taken by another thread");

	/* every slot can be claimed again, kept ones (their threads exited) included */
	atomic_store(&K.quiet, true);
	for (i = 0; i < KS_SLOTS; i++) {
		struct xn_msg req = { .opcode = 1, .len = sizeof(struct tag),
				      .data = &(struct tag){ 0 } };

		TEST_ASSERT_SUCCESS(xn_exec_async(K.r, &req, 1000000, ks_final_cb, NULL),
				    "slot %u after the run", i);
	}
	TEST_ASSERT_EQUAL(xn_shutdown(K.r, -ECANCELED), KS_SLOTS, "final shutdown");
	TEST_ASSERT_EQUAL(atomic_load(&K.final_calls), KS_SLOTS, "final callbacks");
	xn_ring_free(K.r);
	pthread_mutex_destroy(&K.lock);
	return TEST_SUCCESS;
}

static int
receive_thread_with_faults(void)
{
	return run(false, false, scale(4000));
}

static int
poll_hook_receive_with_faults(void)
{
	return run(true, false, scale(4000));
}

static int
resets_during_traffic(void)
{
	return run(false, true, scale(4000));
}

static const struct test_case cases[] = {
	TEST_CASE(receive_thread_with_faults),
	TEST_CASE(poll_hook_receive_with_faults),
	TEST_CASE(resets_during_traffic),
	TEST_CASE(kept_slots_taken_under_contention),
};

TEST_MAIN("xn_stress", cases)
