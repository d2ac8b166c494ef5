/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/xn, single thread: every state transition and return code, and the
 * Linux upstream fix scenarios that belong to this layer (reference 7.3).
 *
 * The fake transport records what it was asked to send and answers in one of three ways:
 * inline from the send op, from the poll hook (the receive path driven by the waiter), or not
 * at all (the test feeds xn_complete() itself).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <xn.h>

#include "test.h"

#define MAXREC 2048

enum answer { ANSWER_NONE, ANSWER_INLINE, ANSWER_POLL };

struct fake {
	struct xn_ring *r;
	enum answer mode;
	bool auto_release;	/* release the send buffer inside send */
	int fail_rc;		/* send op result */
	unsigned int n;		/* messages sent */
	uint16_t cookie[MAXREC];
	uint32_t opcode[MAXREC];
	/* the reply to give */
	struct xn_msg reply;
	bool reply_echo_opcode;	/* reply->opcode = request's */
	unsigned int poll_calls;
	unsigned int poll_delay_calls;	/* answer only after this many poll calls */
	uint64_t poll_sleep_ns;	/* sleep this long in poll before answering */
	bool poll_wrong_opcode_first;
	int poll_shutdown_err;	/* if non-zero: poll shuts the ring down with it */
	int last_rx;		/* last xn_complete() result from the fake */
	unsigned int answered;
};

static struct fake F;

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	nanosleep(&ts, NULL);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
fake_answer(uint16_t cookie, uint32_t opcode)
{
	struct xn_msg m = F.reply;

	if (F.reply_echo_opcode)
		m.opcode = opcode;
	F.last_rx = xn_complete(F.r, cookie, &m);
	F.answered++;
}

static int
fake_send(void *ctx, uint16_t cookie, const struct xn_msg *msg)
{
	(void)ctx;
	if (F.fail_rc != 0)
		return F.fail_rc;
	if (F.n < MAXREC) {
		F.cookie[F.n] = cookie;
		F.opcode[F.n] = msg->opcode;
	}
	F.n++;
	if (F.auto_release && xn_release(F.r, cookie) != 0)
		return -EFAULT;
	if (F.mode == ANSWER_INLINE)
		fake_answer(cookie, msg->opcode);
	return 0;
}

static void
fake_poll(void *ctx)
{
	(void)ctx;
	F.poll_calls++;
	if (F.poll_shutdown_err != 0) {
		xn_shutdown(F.r, F.poll_shutdown_err);
		F.poll_shutdown_err = 0;
		return;
	}
	if (F.mode != ANSWER_POLL || F.n == 0 || F.answered >= F.n)
		return;
	if (F.poll_calls <= F.poll_delay_calls)
		return;
	if (F.poll_sleep_ns != 0)
		sleep_ns(F.poll_sleep_ns);
	if (F.poll_wrong_opcode_first) {
		struct xn_msg m = F.reply;

		m.opcode = F.opcode[F.n - 1] + 1;
		F.last_rx = xn_complete(F.r, F.cookie[F.n - 1], &m);
		F.poll_wrong_opcode_first = false;
		return;
	}
	fake_answer(F.cookie[F.n - 1], F.opcode[F.n - 1]);
}

static const char payload[] = "reply-payload-0123456789";

static struct xn_ring *
fake_setup(uint16_t nslots, enum answer mode, bool with_poll)
{
	struct xn_ring_conf c = {
		.nslots = nslots,
		.send = fake_send,
		.poll = with_poll ? fake_poll : NULL,
		.spin_ns = 1000,
		.poll_interval_us = 50,
	};

	memset(&F, 0, sizeof(F));
	F.mode = mode;
	F.auto_release = true;
	F.reply_echo_opcode = true;
	F.reply.data = payload;
	F.reply.len = sizeof(payload);
	F.r = xn_ring_create(&c);
	return F.r;
}

static int
exec_simple(uint32_t opcode, uint32_t timeout_us, struct xn_reply *rep)
{
	struct xn_msg req = { .opcode = opcode, .len = 4, .data = "abcd" };

	return xn_exec(F.r, &req, rep, timeout_us);
}

/* stats invariant: sent == completed + timed_out + cancelled + send_failed + inflight */
static int
stats_add_up(struct xn_ring *r)
{
	struct xn_stats st;

	if (xn_stats_get(r, &st) != 0)
		return 0;
	return st.sent == st.completed + st.timed_out + st.cancelled + st.send_failed +
			  st.inflight;
}

/* ---- async helper ---- */

struct cbrec {
	unsigned int calls;
	int result;
	bool had_reply;
	int32_t status;
	uint32_t len;
};

static void
rec_cb(void *arg, int result, const struct xn_msg *reply)
{
	struct cbrec *c = arg;

	c->calls++;
	c->result = result;
	c->had_reply = reply != NULL;
	if (reply != NULL) {
		c->status = reply->status;
		c->len = reply->len;
	}
}

/* ---- cases ---- */

static int
create_rejects_bad_config(void)
{
	struct xn_ring_conf c = { .nslots = 0, .send = fake_send };
	struct xn_ring *r;

	errno = 0;
	TEST_ASSERT(xn_ring_create(&c) == NULL && errno == EINVAL, "nslots 0 accepted");
	c.nslots = XN_MAX_SLOTS + 1;
	TEST_ASSERT(xn_ring_create(&c) == NULL && errno == EINVAL, "nslots 257 accepted");
	c.nslots = 8;
	c.send = NULL;
	TEST_ASSERT(xn_ring_create(&c) == NULL && errno == EINVAL, "no send op accepted");
	TEST_ASSERT(xn_ring_create(NULL) == NULL && errno == EINVAL, "NULL conf accepted");
	c.send = fake_send;
	c.nslots = XN_MAX_SLOTS;
	r = xn_ring_create(&c);
	TEST_ASSERT(r != NULL, "256 slots refused");
	xn_ring_free(r);
	xn_ring_free(NULL);
	return TEST_SUCCESS;
}

static int
bad_arguments_get_einval(void)
{
	struct xn_msg req = { .opcode = 1, .len = 4, .data = NULL };
	struct xn_reply rep = { .buf = NULL, .cap = 8 };
	struct cbrec cb = { 0 };
	struct xn_stats st;

	TEST_ASSERT(fake_setup(4, ANSWER_INLINE, false) != NULL, "create");
	TEST_ASSERT_EQUAL(xn_exec(F.r, &req, NULL, 1000), -EINVAL, "payload NULL with len");
	req.data = "abcd";
	TEST_ASSERT_EQUAL(xn_exec(F.r, &req, NULL, 0), -EINVAL, "zero timeout");
	TEST_ASSERT_EQUAL(xn_exec(F.r, &req, &rep, 1000), -EINVAL, "reply buf NULL with cap");
	TEST_ASSERT_EQUAL(xn_exec(NULL, &req, NULL, 1000), -EINVAL, "NULL ring");
	TEST_ASSERT_EQUAL(xn_exec(F.r, NULL, NULL, 1000), -EINVAL, "NULL request");
	TEST_ASSERT_EQUAL(xn_exec_async(F.r, &req, 1000, NULL, NULL), -EINVAL, "NULL cb");
	TEST_ASSERT_EQUAL(xn_exec_async(F.r, &req, 0, rec_cb, &cb), -EINVAL, "zero timeout");
	TEST_ASSERT_EQUAL(xn_complete(F.r, 0x0100, NULL), -EINVAL, "NULL reply");
	TEST_ASSERT_EQUAL(xn_complete(NULL, 0x0100, &F.reply), -EINVAL, "NULL ring");
	TEST_ASSERT_EQUAL(xn_shutdown(F.r, 0), -EINVAL, "shutdown with err 0");
	TEST_ASSERT_EQUAL(xn_shutdown(F.r, EIO), -EINVAL, "shutdown with positive err");
	TEST_ASSERT_EQUAL(xn_release(NULL, 0), -EINVAL, "release NULL ring");
	TEST_ASSERT_EQUAL(xn_expire(NULL), -EINVAL, "expire NULL ring");
	TEST_ASSERT_EQUAL(xn_arm(NULL), -EINVAL, "arm NULL ring");
	TEST_ASSERT_EQUAL(xn_stats_get(F.r, NULL), -EINVAL, "stats NULL");
	TEST_ASSERT_EQUAL(cb.calls, 0, "callback ran for a refused call");
	TEST_ASSERT_EQUAL(F.n, 0, "a refused call was sent");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.refused, 6, "refused calls counted");
	TEST_ASSERT_EQUAL(st.sent, 0, "nothing sent");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
cookie_is_salt_and_index_slot_kept_for_a_run_then_next_in_turn(void)
{
	unsigned int i;

	TEST_ASSERT(fake_setup(4, ANSWER_INLINE, false) != NULL, "create");
	for (i = 0; i < 40; i++)
		TEST_ASSERT_EQUAL(exec_simple(7, 100000, NULL), (int)sizeof(payload), "exec %u", i);
	for (i = 0; i < 40; i++) {
		/*
		 * The thread keeps its slot for a run of 16 uses, then takes the next slot in
		 * turn (from wherever this thread starts); each use bumps that slot's own salt
		 * (starts at 1).
		 */
		TEST_ASSERT_EQUAL(XN_COOKIE_IDX(F.cookie[i]),
				  (XN_COOKIE_IDX(F.cookie[0]) + i / 16) % 4, "index of message %u",
				  i);
		TEST_ASSERT_EQUAL(XN_COOKIE_SALT(F.cookie[i]), i % 16 + 1, "salt of message %u", i);
	}
	TEST_ASSERT_EQUAL(XN_COOKIE(0xbe, 0x02), 0xbe02, "cookie macro");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

/* ---- a second caller thread (kept slots are per thread) ---- */

struct other {
	bool async;
	int rc;
	uint16_t cookie;
};

static void *
other_main(void *arg)
{
	struct other *o = arg;
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 0x77 };

	if (o->async) {
		/* answered inline: the callback has run when the call returns */
		o->rc = xn_exec_async(F.r, &req, 100000, rec_cb, &cb);
		if (o->rc == 0)
			o->rc = cb.calls == 1 ? cb.result : -EPROTO;
	} else {
		o->rc = exec_simple(0x77, 100000, NULL);
	}
	o->cookie = F.cookie[F.n - 1];
	return NULL;
}

/*
 * Run one call on a new thread that then exits; returns its result. A sync call leaves the
 * slot kept by the exited thread; an async one does not keep its slot.
 */
static int
other_thread_exec(bool async, uint16_t *cookie)
{
	struct other o = { .async = async, .rc = -ECHILD };
	pthread_t th;

	if (pthread_create(&th, NULL, other_main, &o) != 0)
		return -ECHILD;
	pthread_join(th, NULL);
	if (cookie != NULL)
		*cookie = o.cookie;
	return o.rc;
}

static uint64_t
taken_count(void)
{
	struct xn_stats st;

	return xn_stats_get(F.r, &st) == 0 ? st.taken : UINT64_MAX;
}

static int
kept_slot_is_taken_by_another_thread_when_none_is_free(void)
{
	struct xn_stats st;
	uint16_t c;

	/* one slot: this thread keeps it after its reply */
	TEST_ASSERT(fake_setup(1, ANSWER_INLINE, false) != NULL, "create");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "exec");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.inflight, 0, "a kept slot is not in flight");
	TEST_ASSERT_EQUAL(st.busy_buffers, 0, "nor busy");
	TEST_ASSERT_EQUAL(st.taken, 0, "nothing taken yet");
	/* another thread finds the bitmap empty and takes the kept slot, salt bumped */
	TEST_ASSERT_EQUAL(other_thread_exec(false, &c), (int)sizeof(payload), "other thread");
	TEST_ASSERT_EQUAL(XN_COOKIE_IDX(c), 0, "same slot");
	TEST_ASSERT_EQUAL(XN_COOKIE_SALT(c), 2, "next salt");
	TEST_ASSERT_EQUAL(taken_count(), 1, "taken counted");
	/* that thread exited keeping the slot: this thread's hint is stale (the salt moved on),
	 * so it takes the slot back the same way */
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "exec again");
	TEST_ASSERT_EQUAL(F.cookie[2], XN_COOKIE(3, 0), "slot 0, salt 3");
	TEST_ASSERT_EQUAL(taken_count(), 2, "taken back");
	/* the reply to a kept slot's last use is still a duplicate, an older one stale */
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[2], &(struct xn_msg){ .opcode = 7 }),
			  XN_RX_DUPLICATE, "duplicate on a kept slot");
	TEST_ASSERT_EQUAL(xn_complete(F.r, c, &(struct xn_msg){ .opcode = 7 }),
			  XN_RX_STALE_SALT, "stale on a kept slot");
	TEST_ASSERT_EQUAL(xn_release(F.r, F.cookie[2]), -EALREADY, "kept: no busy buffer");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
slot_kept_only_after_a_reply_with_buffer_released(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 0x77 };

	/*
	 * One slot. After each call below the slot must be back in the free bitmap, so an async
	 * call on another thread claims it without taking a kept slot (taken stays 0); the last
	 * call is the control: a reply with the buffer released keeps the slot.
	 */
	TEST_ASSERT(fake_setup(1, ANSWER_NONE, false) != NULL, "create");
	TEST_ASSERT_EQUAL(exec_simple(1, 1000, NULL), -ETIMEDOUT, "timed out");
	F.mode = ANSWER_INLINE;
	TEST_ASSERT_EQUAL(other_thread_exec(true, NULL), (int)sizeof(payload), "after timeout");
	TEST_ASSERT_EQUAL(taken_count(), 0, "a timed-out slot is not kept");

	F.fail_rc = -ENOBUFS;
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), -ENOBUFS, "send failed");
	F.fail_rc = 0;
	TEST_ASSERT_EQUAL(other_thread_exec(true, NULL), (int)sizeof(payload), "after send fail");
	TEST_ASSERT_EQUAL(taken_count(), 0, "a failed slot is not kept");

	F.auto_release = false;
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "buffer busy");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), -EAGAIN, "not reused while busy");
	TEST_ASSERT_SUCCESS(xn_release(F.r, F.cookie[F.n - 1]), "release");
	F.auto_release = true;
	TEST_ASSERT_EQUAL(other_thread_exec(true, NULL), (int)sizeof(payload), "after release");
	TEST_ASSERT_EQUAL(taken_count(), 0, "a slot retired with a busy buffer is not kept");

	/* an async call does not keep its slot either (its callback may run anywhere) */
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 100000, rec_cb, &cb), "async");
	TEST_ASSERT_EQUAL(cb.calls, 1, "answered inline");
	TEST_ASSERT_EQUAL(other_thread_exec(true, NULL), (int)sizeof(payload), "after async");
	TEST_ASSERT_EQUAL(taken_count(), 0, "an async slot is not kept");

	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "reply");
	TEST_ASSERT_EQUAL(other_thread_exec(true, NULL), (int)sizeof(payload), "control");
	TEST_ASSERT_EQUAL(taken_count(), 1, "a replied slot is kept");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
shutdown_with_a_kept_slot_then_rearm(void)
{
	struct xn_stats st;
	uint16_t c;

	TEST_ASSERT(fake_setup(2, ANSWER_INLINE, false) != NULL, "create");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "exec");
	c = F.cookie[0];
	/* a kept slot is no transaction: nothing to cancel */
	TEST_ASSERT_EQUAL(xn_shutdown(F.r, -EIO), 0, "nothing outstanding");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), -ESHUTDOWN, "refused while shut");
	TEST_ASSERT_EQUAL(other_thread_exec(false, NULL), -ESHUTDOWN, "other thread refused");
	TEST_ASSERT_EQUAL(F.n, 1, "nothing sent while shut");
	TEST_ASSERT_SUCCESS(xn_arm(F.r), "arm");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "works again");
	TEST_ASSERT_EQUAL(F.cookie[1], XN_COOKIE(XN_COOKIE_SALT(c) + 1, XN_COOKIE_IDX(c)),
			  "the kept slot is used again, next salt");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.cancelled, 0, "nothing cancelled");
	TEST_ASSERT_EQUAL(st.refused, 2, "two refused calls");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
exec_returns_reply_length_and_payload(void)
{
	char buf[64];
	struct xn_reply rep = { .buf = buf, .cap = sizeof(buf) };
	struct xn_stats st;

	TEST_ASSERT(fake_setup(8, ANSWER_INLINE, false) != NULL, "create");
	memset(buf, 0, sizeof(buf));
	TEST_ASSERT_EQUAL(exec_simple(0x101, 100000, &rep), (int)sizeof(payload), "length");
	TEST_ASSERT(memcmp(buf, payload, sizeof(payload)) == 0, "payload copied");
	TEST_ASSERT_EQUAL(rep.len, sizeof(payload), "rep.len");
	TEST_ASSERT_EQUAL(rep.status, 0, "rep.status");
	TEST_ASSERT_EQUAL(F.last_rx, XN_RX_OK, "xn_complete code");
	TEST_ASSERT_EQUAL(F.opcode[0], 0x101, "opcode passed to send");
	/* rep NULL: reply discarded, length still returned */
	TEST_ASSERT_EQUAL(exec_simple(0x101, 100000, NULL), (int)sizeof(payload), "discard");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.sent, 2, "sent");
	TEST_ASSERT_EQUAL(st.completed, 2, "completed");
	TEST_ASSERT_EQUAL(st.inflight, 0, "inflight");
	TEST_ASSERT_EQUAL(st.inflight_hwm, 1, "hwm");
	TEST_ASSERT_EQUAL(st.busy_buffers, 0, "busy buffers");
	/* the second call reused the slot its thread kept: only the first use is a sample */
	TEST_ASSERT_EQUAL(st.latency.count, 1, "latency samples");
	TEST_ASSERT(st.latency.min_ns <= st.latency.p50_ns && st.latency.p50_ns <= st.latency.p99_ns
		    && st.latency.p99_ns <= st.latency.max_ns, "latency summary ordered");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
latency_sampled_one_in_16_per_slot(void)
{
	struct xn_stats st;
	unsigned int i;

	TEST_ASSERT(fake_setup(1, ANSWER_INLINE, false) != NULL, "create");
	for (i = 0; i < 33; i++)
		TEST_ASSERT_EQUAL(exec_simple(9, 100000, NULL), (int)sizeof(payload), "exec %u", i);
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.completed, 33, "completed");
	/* uses 0, 16 and 32 of the only slot */
	TEST_ASSERT_EQUAL(st.latency.count, 3, "latency samples");
	TEST_ASSERT(st.latency.min_ns <= st.latency.max_ns, "summary ordered");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
exec_reply_delivered_by_poll_hook(void)
{
	char buf[64];
	struct xn_reply rep = { .buf = buf, .cap = sizeof(buf) };

	TEST_ASSERT(fake_setup(8, ANSWER_POLL, true) != NULL, "create");
	F.poll_delay_calls = 5;
	TEST_ASSERT_EQUAL(exec_simple(3, 1000000, &rep), (int)sizeof(payload), "exec");
	TEST_ASSERT(F.poll_calls > 5, "poll hook driven by the waiter (%u calls)", F.poll_calls);
	TEST_ASSERT(memcmp(buf, payload, sizeof(payload)) == 0, "payload");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
exec_times_out_and_late_reply_is_dropped(void)
{
	struct xn_stats st;
	uint64_t t0, el;
	uint16_t c;

	TEST_ASSERT(fake_setup(8, ANSWER_NONE, false) != NULL, "create");
	t0 = now_ns();
	TEST_ASSERT_EQUAL(exec_simple(9, 20000, NULL), -ETIMEDOUT, "timeout");
	el = now_ns() - t0;
	TEST_ASSERT(el >= 20000000ull && el < 500000000ull, "waited %llu ns for 20 ms",
		    (unsigned long long)el);
	c = F.cookie[0];
	/* async reply after timeout, same salt: late, dropped, nothing woken */
	TEST_ASSERT_EQUAL(xn_complete(F.r, c, &(struct xn_msg){ .opcode = 9 }),
			  XN_RX_NOT_WAITING, "late reply");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.timed_out, 1, "timed_out");
	TEST_ASSERT_EQUAL(st.late, 1, "late");
	TEST_ASSERT_EQUAL(st.completed, 0, "completed");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
exec_sleeps_instead_of_spinning(void)
{
	struct timespec c0, c1;
	uint64_t cpu;

	/* a 200 ms wait without poll hook must sleep on the futex, not burn the CPU */
	TEST_ASSERT(fake_setup(2, ANSWER_NONE, false) != NULL, "create");
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	TEST_ASSERT_EQUAL(exec_simple(9, 200000, NULL), -ETIMEDOUT, "timeout");
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	cpu = (uint64_t)(c1.tv_sec - c0.tv_sec) * 1000000000ull + (uint64_t)c1.tv_nsec -
	      (uint64_t)c0.tv_nsec;
	TEST_ASSERT(cpu < 50000000ull, "waiter used %llu ns of CPU in 200 ms",
		    (unsigned long long)cpu);
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
reply_longer_than_buffer_is_reported_not_overflowed(void)
{
	char buf[16];
	struct xn_reply rep = { .buf = buf, .cap = 8 };
	struct xn_stats st;

	TEST_ASSERT(fake_setup(8, ANSWER_INLINE, false) != NULL, "create");
	memset(buf, 'Z', sizeof(buf));
	TEST_ASSERT_EQUAL(exec_simple(4, 100000, &rep), -EMSGSIZE, "too long");
	TEST_ASSERT_EQUAL(rep.len, sizeof(payload), "full length reported");
	TEST_ASSERT(memcmp(buf, payload, 8) == 0, "first cap bytes copied");
	TEST_ASSERT(buf[8] == 'Z' && buf[15] == 'Z', "no byte written past cap");
	/* zero-length reply: length 0, no copy */
	F.reply.len = 0;
	F.reply.data = NULL;
	rep.cap = sizeof(buf);
	TEST_ASSERT_EQUAL(exec_simple(4, 100000, &rep), 0, "empty reply");
	TEST_ASSERT_EQUAL(rep.len, 0, "empty length");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.truncated, 1, "truncated counted");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
remote_status_is_returned_to_caller(void)
{
	char buf[64];
	struct xn_reply rep = { .buf = buf, .cap = sizeof(buf) };
	struct xn_stats st;

	TEST_ASSERT(fake_setup(8, ANSWER_INLINE, false) != NULL, "create");
	F.reply.status = -5;
	TEST_ASSERT_EQUAL(exec_simple(4, 100000, &rep), -EREMOTEIO, "remote error");
	TEST_ASSERT_EQUAL(rep.status, -5, "status for the user to map");
	TEST_ASSERT_EQUAL(rep.len, sizeof(payload), "payload length still reported");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.remote_errors, 1, "remote_errors");
	TEST_ASSERT_EQUAL(st.completed, 1, "a failed reply is still a completion");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
send_failure_is_returned_and_slot_freed(void)
{
	struct xn_stats st;
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 1 };

	TEST_ASSERT(fake_setup(1, ANSWER_INLINE, false) != NULL, "create");
	F.fail_rc = -ENOBUFS;
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), -ENOBUFS, "sync send error");
	TEST_ASSERT_EQUAL(xn_exec_async(F.r, &req, 100000, rec_cb, &cb), -ENOBUFS, "async");
	TEST_ASSERT_EQUAL(cb.calls, 0, "callback must not run when async returns an error");
	F.fail_rc = 0;
	/* the only slot is usable again: the failed sends did not keep a buffer busy */
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "slot reusable");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.send_failed, 2, "send_failed");
	TEST_ASSERT_EQUAL(st.busy_buffers, 0, "busy_buffers");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
complete_rejects_unknown_index(void)
{
	struct xn_stats st;

	TEST_ASSERT(fake_setup(4, ANSWER_NONE, false) != NULL, "create");
	TEST_ASSERT_EQUAL(xn_complete(F.r, XN_COOKIE(1, 4), &F.reply), XN_RX_UNKNOWN_INDEX,
			  "index 4 of 4 slots");
	TEST_ASSERT_EQUAL(xn_complete(F.r, XN_COOKIE(1, 255), &F.reply), XN_RX_UNKNOWN_INDEX,
			  "index 255");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.unknown_index, 2, "counted");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
complete_rejects_stale_salt_and_never_used_slot(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 2 };
	struct xn_stats st;
	uint16_t c;

	TEST_ASSERT(fake_setup(1, ANSWER_NONE, false) != NULL, "create");
	/* a never-used slot: salt 0, state free: a reply to it is late */
	TEST_ASSERT_EQUAL(xn_complete(F.r, XN_COOKIE(0, 0), &F.reply), XN_RX_NOT_WAITING,
			  "fresh slot");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "async");
	c = F.cookie[0];
	TEST_ASSERT_EQUAL(xn_complete(F.r, (uint16_t)(c + 0x100), &(struct xn_msg){ .opcode = 2 }),
			  XN_RX_STALE_SALT, "wrong salt");
	TEST_ASSERT_EQUAL(xn_complete(F.r, (uint16_t)(c - 0x100), &(struct xn_msg){ .opcode = 2 }),
			  XN_RX_STALE_SALT, "older salt");
	TEST_ASSERT_EQUAL(cb.calls, 0, "stale replies completed nothing");
	TEST_ASSERT_EQUAL(xn_complete(F.r, c, &(struct xn_msg){ .opcode = 2 }), XN_RX_OK, "right");
	TEST_ASSERT_EQUAL(cb.calls, 1, "completed once");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.stale, 2, "stale counted");
	TEST_ASSERT_EQUAL(st.late, 1, "late counted");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
duplicate_reply_is_dropped(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 2 };
	struct xn_stats st;

	TEST_ASSERT(fake_setup(2, ANSWER_INLINE, false) != NULL, "create");
	F.auto_release = false;	/* keep the slot retired so the salt stays current */
	TEST_ASSERT_EQUAL(exec_simple(2, 100000, NULL), (int)sizeof(payload), "exec");
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[0], &(struct xn_msg){ .opcode = 2 }),
			  XN_RX_DUPLICATE, "second reply, sync");
	TEST_ASSERT_SUCCESS(xn_release(F.r, F.cookie[0]), "release");
	/* slot free again, salt still current until its next claim: still a duplicate */
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[0], &(struct xn_msg){ .opcode = 2 }),
			  XN_RX_DUPLICATE, "second reply after release");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 100000, rec_cb, &cb), "async");
	TEST_ASSERT_EQUAL(cb.calls, 1, "async answered inline");
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[1], &(struct xn_msg){ .opcode = 2 }),
			  XN_RX_DUPLICATE, "second reply, async");
	TEST_ASSERT_EQUAL(cb.calls, 1, "callback ran exactly once");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.duplicates, 3, "duplicates counted");
	TEST_ASSERT_EQUAL(st.completed, 2, "completed");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
opcode_mismatch_is_dropped_and_waiter_keeps_waiting(void)
{
	struct xn_stats st;

	TEST_ASSERT(fake_setup(4, ANSWER_POLL, true) != NULL, "create");
	F.poll_wrong_opcode_first = true;
	TEST_ASSERT_EQUAL(exec_simple(0x55, 1000000, NULL), (int)sizeof(payload), "exec");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.opcode_mismatch, 1, "mismatch counted");
	TEST_ASSERT_EQUAL(st.completed, 1, "then completed by the right reply");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
slot_not_reused_while_send_buffer_busy(void)
{
	struct xn_stats st;
	uint16_t c0;

	TEST_ASSERT(fake_setup(2, ANSWER_INLINE, false) != NULL, "create");
	F.auto_release = false;
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "exec 1");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "exec 2");
	/* both transactions ended but the device may still read both send buffers */
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), -EAGAIN, "no slot while buffers busy");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.busy_buffers, 2, "busy buffers");
	c0 = F.cookie[0];
	TEST_ASSERT_SUCCESS(xn_release(F.r, c0), "release slot 0");
	TEST_ASSERT_EQUAL(xn_release(F.r, c0), -EALREADY, "double release");
	TEST_ASSERT_EQUAL(exec_simple(1, 100000, NULL), (int)sizeof(payload), "exec 3");
	TEST_ASSERT_EQUAL(XN_COOKIE_IDX(F.cookie[2]), XN_COOKIE_IDX(c0), "reused released slot");
	TEST_ASSERT_EQUAL(xn_release(F.r, c0), -ESTALE, "release with old salt");
	TEST_ASSERT_EQUAL(xn_release(F.r, XN_COOKIE(1, 7)), -EINVAL, "release bad index");
	/* release before the reply: the slot stays in use until the transaction ends */
	TEST_ASSERT_EQUAL(xn_release_all(F.r), 2, "release_all");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.busy_buffers, 0, "no busy buffer left");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
release_before_reply_keeps_transaction(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 3 };

	TEST_ASSERT(fake_setup(1, ANSWER_NONE, false) != NULL, "create");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "async");
	/* auto_release on: buffer already released; the slot is still in use */
	TEST_ASSERT_EQUAL(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), -EAGAIN, "slot in use");
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[0], &req), XN_RX_OK, "reply");
	TEST_ASSERT_EQUAL(cb.calls, 1, "cb");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "slot free again");
	xn_shutdown(F.r, -ECANCELED);
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
async_callback_gets_size_and_status_once(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 0x20 };

	TEST_ASSERT(fake_setup(4, ANSWER_NONE, false) != NULL, "create");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "async");
	TEST_ASSERT_EQUAL(cb.calls, 0, "not yet");
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[0], &(struct xn_msg){ .opcode = 0x20,
			  .status = 0, .len = 12, .data = payload }), XN_RX_OK, "reply");
	TEST_ASSERT_EQUAL(cb.calls, 1, "once");
	TEST_ASSERT_EQUAL(cb.result, 12, "result is the payload size (Linux fix 8e2a2420e267)");
	TEST_ASSERT_EQUAL(cb.len, 12, "reply len");
	TEST_ASSERT(cb.had_reply, "reply passed");
	/* failed reply: status reaches the callback */
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "async 2");
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[1], &(struct xn_msg){ .opcode = 0x20,
			  .status = 7, .len = 3, .data = payload }), XN_RX_OK, "reply 2");
	TEST_ASSERT_EQUAL(cb.calls, 2, "once more");
	TEST_ASSERT_EQUAL(cb.result, -EREMOTEIO, "failed reply");
	TEST_ASSERT_EQUAL(cb.status, 7, "status");
	TEST_ASSERT_EQUAL(cb.len, 3, "size of a failed reply");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
async_times_out_and_late_reply_is_dropped(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 0x21 };
	struct xn_stats st;

	TEST_ASSERT(fake_setup(4, ANSWER_NONE, false) != NULL, "create");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 2000, rec_cb, &cb), "async");
	TEST_ASSERT_EQUAL(xn_expire(F.r), 0, "not expired yet");
	sleep_ns(5000000);
	TEST_ASSERT_EQUAL(xn_expire(F.r), 1, "expired");
	TEST_ASSERT_EQUAL(cb.calls, 1, "callback once");
	TEST_ASSERT_EQUAL(cb.result, -ETIMEDOUT, "timeout result");
	TEST_ASSERT(!cb.had_reply, "no reply");
	TEST_ASSERT_EQUAL(xn_expire(F.r), 0, "nothing left");
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[0], &req), XN_RX_NOT_WAITING, "late reply");
	TEST_ASSERT_EQUAL(cb.calls, 1, "callback still once");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.timed_out, 1, "timed_out");
	TEST_ASSERT_EQUAL(st.late, 1, "late");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
async_timeout_reaped_by_sync_waiter(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 0x22 };

	TEST_ASSERT(fake_setup(4, ANSWER_NONE, true) != NULL, "create");
	TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000, rec_cb, &cb), "async");
	/* nobody calls xn_expire(): the sync waiter's poll loop reaps it */
	TEST_ASSERT_EQUAL(exec_simple(0x23, 20000, NULL), -ETIMEDOUT, "sync times out");
	TEST_ASSERT_EQUAL(cb.calls, 1, "async expired during the wait");
	TEST_ASSERT_EQUAL(cb.result, -ETIMEDOUT, "result");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
reply_racing_timeout_wins_when_first(void)
{
	char buf[64];
	struct xn_reply rep = { .buf = buf, .cap = sizeof(buf) };
	struct xn_stats st;

	/* the reply is received (by the poll hook) after the deadline passed but before the
	 * waiter's timeout CAS: exactly one wins, here the reply, and it is not lost */
	TEST_ASSERT(fake_setup(2, ANSWER_POLL, true) != NULL, "create");
	F.poll_sleep_ns = 3000000;
	TEST_ASSERT_EQUAL(exec_simple(5, 1000, &rep), (int)sizeof(payload), "reply won");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.completed, 1, "completed");
	TEST_ASSERT_EQUAL(st.timed_out, 0, "not timed out");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
shutdown_fails_outstanding_and_refuses_until_armed(void)
{
	struct cbrec cb[3] = { { 0 } };
	struct xn_msg req = { .opcode = 0x30 };
	struct xn_stats st;
	uint64_t t0;
	unsigned int i;

	TEST_ASSERT(fake_setup(8, ANSWER_NONE, true) != NULL, "create");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 60000000, rec_cb, &cb[i]), "async");
	/* the sync waiter's poll hook resets the device while it waits (60 s timeout) */
	F.poll_shutdown_err = -EIO;
	t0 = now_ns();
	TEST_ASSERT_EQUAL(exec_simple(0x31, 60000000, NULL), -EIO, "waiter failed by shutdown");
	TEST_ASSERT(now_ns() - t0 < 1000000000ull, "promptly");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQUAL(cb[i].calls, 1, "async %u callback once", i);
		TEST_ASSERT_EQUAL(cb[i].result, -EIO, "async %u error", i);
	}
	TEST_ASSERT_EQUAL(exec_simple(0x31, 1000, NULL), -ESHUTDOWN, "sync refused");
	TEST_ASSERT_EQUAL(xn_exec_async(F.r, &req, 1000, rec_cb, &cb[0]), -ESHUTDOWN, "async");
	TEST_ASSERT_EQUAL(cb[0].calls, 1, "refused async does not call back");
	/* replies to the cancelled transactions are late */
	TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[0], &req), XN_RX_NOT_WAITING, "late");
	TEST_ASSERT_EQUAL(xn_shutdown(F.r, -ECANCELED), 0, "nothing left to cancel");
	TEST_ASSERT_SUCCESS(xn_arm(F.r), "arm");
	F.mode = ANSWER_INLINE;
	TEST_ASSERT_EQUAL(exec_simple(0x31, 100000, NULL), (int)sizeof(payload), "works again");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.cancelled, 4, "cancelled");
	TEST_ASSERT_EQUAL(st.inflight, 0, "inflight");
	TEST_ASSERT(stats_add_up(F.r), "counters add up");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
stale_salt_after_256_messages_on_timed_out_slot(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 0x40 };
	uint16_t old;
	unsigned int i;

	/*
	 * Linux (manager-wide salt): a slot that timed out comes back with the same salt after
	 * 256 allocations and would accept the late reply. Here every later transaction must
	 * reject the old cookie while it is outstanding.
	 */
	TEST_ASSERT(fake_setup(4, ANSWER_NONE, false) != NULL, "create");
	TEST_ASSERT_EQUAL(exec_simple(0x40, 1000, NULL), -ETIMEDOUT, "timeout");
	old = F.cookie[0];
	for (i = 1; i <= 300; i++) {
		cb.calls = 0;
		TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "async %u", i);
		TEST_ASSERT(xn_complete(F.r, old, &req) != XN_RX_OK,
			    "old cookie %#x accepted by message %u (cookie %#x)", old, i,
			    F.cookie[i]);
		TEST_ASSERT_EQUAL(cb.calls, 0, "late reply completed message %u", i);
		TEST_ASSERT_EQUAL(xn_complete(F.r, F.cookie[i], &req), XN_RX_OK, "reply %u", i);
		TEST_ASSERT_EQUAL(cb.calls, 1, "callback %u", i);
	}
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
ring_full_returns_eagain(void)
{
	struct cbrec cb = { 0 };
	struct xn_msg req = { .opcode = 1 };
	struct xn_stats st;
	unsigned int i, seen[XN_MAX_SLOTS];

	TEST_ASSERT(fake_setup(XN_MAX_SLOTS, ANSWER_NONE, false) != NULL, "create");
	for (i = 0; i < XN_MAX_SLOTS; i++)
		TEST_ASSERT_SUCCESS(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), "async %u", i);
	TEST_ASSERT_EQUAL(xn_exec_async(F.r, &req, 1000000, rec_cb, &cb), -EAGAIN, "full");
	TEST_ASSERT_SUCCESS(xn_stats_get(F.r, &st), "stats");
	TEST_ASSERT_EQUAL(st.inflight, XN_MAX_SLOTS, "inflight");
	TEST_ASSERT_EQUAL(st.inflight_hwm, XN_MAX_SLOTS, "hwm");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < XN_MAX_SLOTS; i++)
		seen[XN_COOKIE_IDX(F.cookie[i])]++;
	for (i = 0; i < XN_MAX_SLOTS; i++)
		TEST_ASSERT_EQUAL(seen[i], 1, "index %u used once", i);
	TEST_ASSERT_EQUAL(xn_shutdown(F.r, -ECANCELED), XN_MAX_SLOTS, "shutdown count");
	TEST_ASSERT_EQUAL(cb.calls, XN_MAX_SLOTS, "every callback ran");
	xn_ring_free(F.r);
	return TEST_SUCCESS;
}

static int
rx_result_names_are_distinct(void)
{
	int a, b;

	for (a = XN_RX_OK; a <= XN_RX_OPCODE_MISMATCH; a++)
		for (b = a + 1; b <= XN_RX_OPCODE_MISMATCH; b++)
			TEST_ASSERT(strcmp(xn_rx_result_str(a), xn_rx_result_str(b)) != 0,
				    "codes %d and %d share a name", a, b);
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(create_rejects_bad_config),
	TEST_CASE(bad_arguments_get_einval),
	TEST_CASE(cookie_is_salt_and_index_slot_kept_for_a_run_then_next_in_turn),
	TEST_CASE(kept_slot_is_taken_by_another_thread_when_none_is_free),
	TEST_CASE(slot_kept_only_after_a_reply_with_buffer_released),
	TEST_CASE(shutdown_with_a_kept_slot_then_rearm),
	TEST_CASE(exec_returns_reply_length_and_payload),
	TEST_CASE(exec_reply_delivered_by_poll_hook),
	TEST_CASE(exec_times_out_and_late_reply_is_dropped),
	TEST_CASE(exec_sleeps_instead_of_spinning),
	TEST_CASE(reply_longer_than_buffer_is_reported_not_overflowed),
	TEST_CASE(remote_status_is_returned_to_caller),
	TEST_CASE(send_failure_is_returned_and_slot_freed),
	TEST_CASE(complete_rejects_unknown_index),
	TEST_CASE(complete_rejects_stale_salt_and_never_used_slot),
	TEST_CASE(duplicate_reply_is_dropped),
	TEST_CASE(opcode_mismatch_is_dropped_and_waiter_keeps_waiting),
	TEST_CASE(slot_not_reused_while_send_buffer_busy),
	TEST_CASE(release_before_reply_keeps_transaction),
	TEST_CASE(async_callback_gets_size_and_status_once),
	TEST_CASE(async_times_out_and_late_reply_is_dropped),
	TEST_CASE(async_timeout_reaped_by_sync_waiter),
	TEST_CASE(reply_racing_timeout_wins_when_first),
	TEST_CASE(shutdown_fails_outstanding_and_refuses_until_armed),
	TEST_CASE(latency_sampled_one_in_16_per_slot),
	TEST_CASE(stale_salt_after_256_messages_on_timed_out_slot),
	TEST_CASE(ring_full_returns_eagain),
	TEST_CASE(rx_result_names_are_distinct),
};

TEST_MAIN("xn_unit", cases)
