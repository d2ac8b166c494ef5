/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The idpf control channel: virtchnl2 calls through lib/xn over the mailbox ring.
 *
 * Send path: idpf_ctl_call() -> xn_exec() -> ctl_send() -> idpf_mbx_send() (cookie in bytes
 * 20-21). Receive path, from the mailbox interrupt or a waiter's poll hook: idpf_mbx_poll() ->
 * ctl_recv() -> xn_complete(cookie) for replies, the event callback for EVENT messages. ATQ
 * completions come back through ctl_sent() -> xn_release(), so a slot whose send buffer the
 * device may still read is never reused.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include <xn.h>

#include "idpf_ctl.h"
#include "idpf_mbx.h"

RTE_LOG_REGISTER(idpf_ctl_logtype, ctlpath.idpf.ctl, NOTICE);
#define CTL_LOG(level, ctl, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idpf_ctl_logtype, "idpf_ctl %s: " fmt "\n", (ctl)->name, \
		##__VA_ARGS__)

#define CTL_DEFAULT_TIMEOUT_MS 2000
#define CTL_RING_LEN_XN 512	/* > 256 slots: the ATQ never fills while a slot is free */
#define CTL_RING_LEN_LEGACY 64	/* DPDK 22.11's IDPF_CTLQ_LEN */

/* DPDK 22.11 timing, reproduced by the legacy mode (reference 6.1 and 6.4). */
#define LEGACY_CLEAN_PASSES 10
#define LEGACY_CLEAN_DELAY_US 20000
#define LEGACY_POLL_ROUNDS 200
#define LEGACY_POLL_DELAY_US 10000

/*
 * Waiting for a batch: spin on the receive path while replies keep coming (the rest of a batch
 * follows within microseconds of its first reply), else sleep on the batch's counter; the
 * mailbox interrupt wakes the sleeper, and without it the sleep is the polling period.
 */
#define CTL_BATCH_SPIN_NS 20000u
#define CTL_BATCH_SLEEP_NS 20000u
/* Async timeouts are checked by pollers at most this often (a scan of every slot). */
#define CTL_EXPIRE_PERIOD_NS 100000u

/* Opcodes tracked per opcode: VERSION (1) at index 0, then 500..(500 + CTL_OP_SLOTS - 2). */
#define CTL_OP_BASE 500
#define CTL_OP_SLOTS 56

struct ctl_op_counters {
	uint64_t calls, errors, replies, lat_total_ns, lat_max_ns;
};

/* Context of an async call, from send to callback. */
struct async_call {
	struct idpf_ctl *ctl;
	uint32_t op;
	uint64_t t0;			/* TSC at the call */
	idpf_ctl_cb_t cb;
	void *arg;
	uint32_t busy;			/* in the pool: taken */
};

struct idpf_ctl {
	char name[32];
	bool legacy;
	uint32_t timeout_ms;
	struct idpf_hw hw;
	struct idpf_mbx *mbx;
	struct xn_ring *ring;
	idpf_ctl_event_cb_t event_cb;
	void *event_arg;
	void (*reset_cb)(void *arg);
	void *reset_arg;
	bool down;			/* the device reset the mailbox */
	uint64_t events;
	uint64_t waits;			/* idpf_ctl_call() and idpf_ctl_batch() waits */

	/* legacy mode: the single pending command, matched by opcode */
	uint32_t legacy_pend_op;	/* 0: none */
	int legacy_done;
	int32_t legacy_retval;
	uint32_t legacy_len;
	uint8_t legacy_buf[VIRTCHNL2_MAX_MSG_LEN];

	struct ctl_op_counters ops[CTL_OP_SLOTS];
	/*
	 * Async contexts, one per slot: an async call holds its slot until its callback ran, so
	 * the pool runs dry only for a moment (a callback finished, its slot not yet freed);
	 * then a context is allocated.
	 */
	struct async_call *pool;
	uint32_t pool_len;
	uint32_t pool_hint;
	uint64_t next_expire;		/* TSC: when pollers next reap expired async calls */
	uint64_t expire_period;		/* CTL_EXPIRE_PERIOD_NS in TSC cycles */
	double ns_per_tsc;
	/* channel counters at the last idpf_ctl_stats_reset(); lib/xn's own never go back */
	struct idpf_ctl_stats base;
	rte_spinlock_t base_lock;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One TSC read per timestamp: the latencies are converted only when accounted. */
static inline uint64_t
tsc_now(void)
{
	return rte_get_tsc_cycles();
}

static struct ctl_op_counters *
op_counters(struct idpf_ctl *ctl, uint32_t op)
{
	if (op == VIRTCHNL2_OP_VERSION)
		return &ctl->ops[0];
	if (op >= CTL_OP_BASE && op < CTL_OP_BASE + CTL_OP_SLOTS - 1)
		return &ctl->ops[op - CTL_OP_BASE + 1];
	return NULL;
}

/* Counters are plain words updated with relaxed atomics: they are statistics, not state. */
static void
op_account(struct idpf_ctl *ctl, uint32_t op, int result, uint64_t tsc0)
{
	struct ctl_op_counters *c = op_counters(ctl, op);
	uint64_t lat, max;

	if (c == NULL)
		return;
	__atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
	if (result < 0)
		__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
	if (result == -ETIMEDOUT || result == -ENXIO || result == -ECANCELED)
		return;
	lat = (uint64_t)((double)(tsc_now() - tsc0) * ctl->ns_per_tsc);
	__atomic_fetch_add(&c->replies, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->lat_total_ns, lat, __ATOMIC_RELAXED);
	max = __atomic_load_n(&c->lat_max_ns, __ATOMIC_RELAXED);
	while (lat > max && !__atomic_compare_exchange_n(&c->lat_max_ns, &max, lat, false,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* One place maps what lib/xn returns to what callers see. */
static int
map_result(int rc, int32_t status)
{
	if (rc == -EREMOTEIO)
		return virtchnl2_status_to_errno(status);
	if (rc == -ESHUTDOWN)
		return -ENXIO;
	return rc;
}

/*
 * One transaction through lib/xn. The reply's status is read only after xn_exec() returned
 * (never in the same expression: argument order is unspecified). A caller that gave no buffer
 * still gets the device's status: its payload is reported "too long" by lib/xn and ignored.
 */
static int
xn_call(struct idpf_ctl *ctl, const struct xn_msg *msg, struct xn_reply *rep, bool discard,
	uint32_t timeout_ms)
{
	int rc = xn_exec(ctl->ring, msg, rep, timeout_ms * 1000u);

	if (rc == -EMSGSIZE && discard)
		rc = (int)rep->len;
	return map_result(rc, rep->status);
}

/* ---- transport ops given to lib/xn ---- */

static int
ctl_send(void *arg, uint16_t cookie, const struct xn_msg *msg)
{
	struct idpf_ctl *ctl = arg;

	return idpf_mbx_send(ctl->mbx, cookie, msg->opcode, msg->data, (uint16_t)msg->len);
}

/* A waiter drives the receive path; it also notices a device reset when the interrupt is
 * off, so that calls in flight fail at once instead of timing out. */
static void
ctl_poll(void *arg)
{
	struct idpf_ctl *ctl = arg;

	idpf_mbx_poll(ctl->mbx);
	idpf_mbx_check_reset(ctl->mbx);
}

/* Reap expired async calls, at most once per CTL_EXPIRE_PERIOD_NS whoever polls. */
static void
ctl_expire(struct idpf_ctl *ctl)
{
	uint64_t now = tsc_now(), next = __atomic_load_n(&ctl->next_expire, __ATOMIC_RELAXED);

	if (now < next || !__atomic_compare_exchange_n(&ctl->next_expire, &next,
						       now + ctl->expire_period, false,
						       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	xn_expire(ctl->ring);
}

/* ---- mailbox callbacks ---- */

static void
ctl_legacy_recv(struct idpf_ctl *ctl, const struct idpf_mbx_msg *m)
{
	uint32_t pend = __atomic_load_n(&ctl->legacy_pend_op, __ATOMIC_ACQUIRE);

	/* DPDK 22.11: only the opcode tells replies apart; anything else is dropped */
	if (pend == 0 || m->v_opcode != pend) {
		CTL_LOG(DEBUG, ctl, "legacy: dropping reply to %s while waiting for %s",
			virtchnl2_op_name(m->v_opcode), virtchnl2_op_name(pend));
		return;
	}
	ctl->legacy_len = RTE_MIN((uint32_t)m->len, (uint32_t)sizeof(ctl->legacy_buf));
	if (m->len > 0)
		memcpy(ctl->legacy_buf, m->payload, ctl->legacy_len);
	ctl->legacy_retval = m->err ? VIRTCHNL2_STATUS_ERR_EIO : m->v_retval;
	__atomic_store_n(&ctl->legacy_done, 1, __ATOMIC_RELEASE);
}

static void
ctl_recv(void *arg, const struct idpf_mbx_msg *m)
{
	struct idpf_ctl *ctl = arg;
	struct virtchnl2_event ev;
	struct xn_msg reply;
	int rc;

	if (m->v_opcode == VIRTCHNL2_OP_EVENT) {
		__atomic_fetch_add(&ctl->events, 1, __ATOMIC_RELAXED);
		if (m->len < sizeof(ev) || m->err) {
			CTL_LOG(WARNING, ctl, "dropping malformed EVENT (%u bytes)", m->len);
			return;
		}
		memcpy(&ev, m->payload, sizeof(ev));
		if (ctl->event_cb != NULL)
			ctl->event_cb(ctl->event_arg, &ev);
		return;
	}
	if (ctl->legacy) {
		ctl_legacy_recv(ctl, m);
		return;
	}
	reply.opcode = m->v_opcode;
	/* a descriptor the device flagged as bad fails its transaction instead of completing it */
	reply.status = m->err ? VIRTCHNL2_STATUS_ERR_EIO : m->v_retval;
	reply.len = m->len;
	reply.data = m->payload;
	rc = xn_complete(ctl->ring, m->cookie, &reply);
	if (rc != XN_RX_OK)
		CTL_LOG(DEBUG, ctl, "reply %s cookie 0x%04x dropped: %s",
			virtchnl2_op_name(m->v_opcode), m->cookie, xn_rx_result_str(rc));
}

static void
ctl_sent(void *arg, uint16_t cookie, int status)
{
	struct idpf_ctl *ctl = arg;

	if (status != 0 && status != -ENXIO)
		CTL_LOG(WARNING, ctl, "ATQ descriptor for cookie 0x%04x: device status 0x%x",
			cookie, status);
	if (!ctl->legacy)
		xn_release(ctl->ring, cookie);
}

static void
ctl_reset_seen(void *arg)
{
	struct idpf_ctl *ctl = arg;

	CTL_LOG(WARNING, ctl, "device reset the mailbox: failing outstanding calls");
	__atomic_store_n(&ctl->down, true, __ATOMIC_RELEASE);
	if (!ctl->legacy)
		xn_shutdown(ctl->ring, -ENXIO);
	if (ctl->reset_cb != NULL)
		ctl->reset_cb(ctl->reset_arg);
}

/* ---- creation ---- */

struct idpf_ctl *
idpf_ctl_create(const struct idpf_hw *hw, const struct idpf_ctl_conf *conf)
{
	struct idpf_mbx_conf mc;
	struct xn_ring_conf rc;
	struct idpf_ctl *ctl;
	uint16_t qlen;

	if (hw == NULL || conf == NULL || conf->name == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(ctl->name, sizeof(ctl->name), "%s", conf->name);
	ctl->legacy = conf->legacy;
	ctl->timeout_ms = conf->timeout_ms ? conf->timeout_ms : CTL_DEFAULT_TIMEOUT_MS;
	ctl->hw = *hw;
	ctl->event_cb = conf->event_cb;
	ctl->event_arg = conf->event_arg;
	ctl->reset_cb = conf->reset_cb;
	ctl->reset_arg = conf->reset_arg;
	rte_spinlock_init(&ctl->base_lock);
	/* the TSC rate is known once EAL is up, which the mailbox's DMA memory needs anyway */
	ctl->ns_per_tsc = rte_get_tsc_hz() != 0 ? 1e9 / (double)rte_get_tsc_hz() : 1.0;
	ctl->expire_period = (uint64_t)((double)CTL_EXPIRE_PERIOD_NS / ctl->ns_per_tsc);

	if (!ctl->legacy) {
		memset(&rc, 0, sizeof(rc));
		rc.nslots = conf->nslots ? conf->nslots : XN_MAX_SLOTS;
		rc.send = ctl_send;
		rc.poll = ctl_poll;
		rc.ctx = ctl;
		ctl->ring = xn_ring_create(&rc);
		ctl->pool_len = rc.nslots;
		ctl->pool = calloc(ctl->pool_len, sizeof(*ctl->pool));
		if (ctl->ring == NULL || ctl->pool == NULL) {
			rte_errno = ctl->ring == NULL ? errno : ENOMEM;
			xn_ring_free(ctl->ring);
			free(ctl->pool);
			free(ctl);
			return NULL;
		}
	}

	qlen = ctl->legacy ? CTL_RING_LEN_LEGACY : CTL_RING_LEN_XN;
	memset(&mc, 0, sizeof(mc));
	mc.name = ctl->name;
	mc.atq_len = qlen;
	mc.arq_len = qlen;
	mc.socket_id = conf->socket_id;
	mc.recv_cb = ctl_recv;
	mc.sent_cb = ctl_sent;
	mc.reset_cb = ctl_reset_seen;
	mc.cb_arg = ctl;
	ctl->mbx = idpf_mbx_create(&ctl->hw, &mc);
	if (ctl->mbx == NULL) {
		int err = rte_errno;

		CTL_LOG(ERR, ctl, "mailbox bring-up failed: %s", rte_strerror(err));
		xn_ring_free(ctl->ring);
		free(ctl->pool);
		free(ctl);
		rte_errno = err;
		return NULL;
	}
	/* DPDK 22.11 had no mailbox interrupt: the legacy mode only polls */
	if (conf->use_intr && !ctl->legacy) {
		int rc2 = idpf_mbx_intr_enable(ctl->mbx);

		if (rc2 < 0)
			CTL_LOG(INFO, ctl, "no mailbox interrupt (%s): waiters poll the ARQ",
				strerror(-rc2));
	}
	return ctl;
}

void
idpf_ctl_destroy(struct idpf_ctl *ctl)
{
	if (ctl == NULL)
		return;
	if (ctl->ring != NULL)
		xn_shutdown(ctl->ring, -ENXIO);
	idpf_mbx_intr_disable(ctl->mbx);
	idpf_mbx_destroy(ctl->mbx);
	xn_ring_free(ctl->ring);
	free(ctl->pool);
	free(ctl);
}

/* ---- legacy mode ---- */

static int
legacy_call(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len, void *resp,
	    uint32_t resp_cap, uint32_t timeout_ms)
{
	uint32_t free_op = 0;
	unsigned int i, rounds;
	int rc;

	/* one command in flight per adapter, taken by compare-and-swap as DPDK does */
	if (!__atomic_compare_exchange_n(&ctl->legacy_pend_op, &free_op, op, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return -EBUSY;
	__atomic_store_n(&ctl->legacy_done, 0, __ATOMIC_RELAXED);

	/* the ATQ clean loop: 20 ms per pass until a pass reclaims something (sleeping where
	 * DPDK busy-waits, so that the emulator keeps its core) */
	for (i = 0; i < LEGACY_CLEAN_PASSES; i++) {
		unsigned int n = idpf_mbx_clean(ctl->mbx);

		rte_delay_us_sleep(LEGACY_CLEAN_DELAY_US);
		if (n > 0)
			break;
	}
	rc = idpf_mbx_send(ctl->mbx, 0, op, req, req_len);
	if (rc < 0)
		goto out;

	rounds = RTE_MIN((uint32_t)LEGACY_POLL_ROUNDS,
			 timeout_ms * 1000 / LEGACY_POLL_DELAY_US + 1);
	rc = -ETIMEDOUT;
	for (i = 0; i < rounds; i++) {
		idpf_mbx_recv(ctl->mbx, 1);
		if (__atomic_load_n(&ctl->legacy_done, __ATOMIC_ACQUIRE)) {
			if (ctl->legacy_retval != VIRTCHNL2_STATUS_SUCCESS)
				rc = virtchnl2_status_to_errno(ctl->legacy_retval);
			else if (resp != NULL && ctl->legacy_len > resp_cap)
				rc = -EMSGSIZE;
			else
				rc = (int)ctl->legacy_len;
			if (resp != NULL)
				memcpy(resp, ctl->legacy_buf, RTE_MIN(ctl->legacy_len, resp_cap));
			break;
		}
		rte_delay_us_sleep(LEGACY_POLL_DELAY_US);
	}
out:
	__atomic_store_n(&ctl->legacy_pend_op, 0, __ATOMIC_RELEASE);
	return rc;
}

/* ---- calls ---- */

/*
 * Queries that change nothing on the device: one whose reply was lost (dropped, or late past
 * its timeout) is asked again rather than failing a whole bring-up or ethdev call.
 */
#define CTL_QUERY_TRIES 3

static bool
op_is_query(uint32_t op)
{
	switch (op) {
	case VIRTCHNL2_OP_GET_CAPS:
	case VIRTCHNL2_OP_GET_PTYPE_INFO:
	case VIRTCHNL2_OP_GET_RSS_KEY:
	case VIRTCHNL2_OP_GET_RSS_LUT:
	case VIRTCHNL2_OP_GET_RSS_HASH:
	case VIRTCHNL2_OP_GET_STATS:
		return true;
	default:
		return false;
	}
}

static int ctl_call_once(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len,
			 void *resp, uint32_t resp_cap, uint32_t timeout_ms);

int
idpf_ctl_call(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len, void *resp,
	      uint32_t resp_cap, uint32_t timeout_ms)
{
	int rc, tries = op_is_query(op) ? CTL_QUERY_TRIES : 1;

	do {
		rc = ctl_call_once(ctl, op, req, req_len, resp, resp_cap, timeout_ms);
	} while (rc == -ETIMEDOUT && --tries > 0);
	return rc;
}

static int
ctl_call_once(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len, void *resp,
	      uint32_t resp_cap, uint32_t timeout_ms)
{
	struct xn_reply rep = { .buf = resp, .cap = resp_cap };
	struct xn_msg msg = { .opcode = op, .len = req_len, .data = req };
	uint64_t t0 = tsc_now();
	int rc;

	if (ctl == NULL || (req == NULL && req_len > 0) || (resp == NULL && resp_cap > 0))
		return -EINVAL;
	if (timeout_ms == 0)
		timeout_ms = ctl->timeout_ms;
	__atomic_fetch_add(&ctl->waits, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&ctl->down, __ATOMIC_ACQUIRE))
		rc = -ENXIO;
	else if (ctl->legacy)
		rc = legacy_call(ctl, op, req, req_len, resp, resp_cap, timeout_ms);
	else
		rc = xn_call(ctl, &msg, &rep, resp == NULL, timeout_ms);
	op_account(ctl, op, rc, t0);
	if (rc < 0 && rc != -ENXIO)
		CTL_LOG(DEBUG, ctl, "%s failed: %s", virtchnl2_op_name(op), strerror(-rc));
	return rc;
}

/* A free context of the pool (or a fresh one when it ran dry), or NULL. */
static struct async_call *
async_get(struct idpf_ctl *ctl)
{
	uint32_t i, n = ctl->pool_len;
	uint32_t start = __atomic_fetch_add(&ctl->pool_hint, 1, __ATOMIC_RELAXED);

	for (i = 0; i < n; i++) {
		struct async_call *ac = &ctl->pool[(start + i) % n];
		uint32_t idle = 0;

		if (__atomic_load_n(&ac->busy, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(&ac->busy, &idle, 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return ac;
	}
	return malloc(sizeof(struct async_call));
}

static void
async_put(struct idpf_ctl *ctl, struct async_call *ac)
{
	if (ac >= ctl->pool && ac < ctl->pool + ctl->pool_len)
		__atomic_store_n(&ac->busy, 0, __ATOMIC_RELEASE);
	else
		free(ac);
}

static void
async_done(void *arg, int result, const struct xn_msg *reply)
{
	struct async_call *ac = arg;
	struct async_call c = *ac;
	int rc = map_result(result, reply != NULL ? reply->status : 0);

	/* the context goes back first: the callback may well start the next call */
	async_put(c.ctl, ac);
	op_account(c.ctl, c.op, rc, c.t0);
	c.cb(c.arg, rc, reply != NULL ? reply->data : NULL, reply != NULL ? reply->len : 0);
}

int
idpf_ctl_call_async(struct idpf_ctl *ctl, uint32_t op, const void *req, uint16_t req_len,
		    uint32_t timeout_ms, idpf_ctl_cb_t cb, void *arg)
{
	struct xn_msg msg = { .opcode = op, .len = req_len, .data = req };
	struct async_call *ac;
	int rc;

	if (ctl == NULL || cb == NULL || (req == NULL && req_len > 0))
		return -EINVAL;
	if (timeout_ms == 0)
		timeout_ms = ctl->timeout_ms;
	if (__atomic_load_n(&ctl->down, __ATOMIC_ACQUIRE))
		return -ENXIO;
	if (ctl->legacy) {
		uint8_t *buf = malloc(VIRTCHNL2_MAX_MSG_LEN);

		if (buf == NULL)
			return -ENOMEM;
		rc = idpf_ctl_call(ctl, op, req, req_len, buf, VIRTCHNL2_MAX_MSG_LEN, timeout_ms);
		cb(arg, rc, buf, rc > 0 ? (uint32_t)rc : 0);
		free(buf);
		return 0;
	}
	ac = async_get(ctl);
	if (ac == NULL)
		return -ENOMEM;
	ac->ctl = ctl;
	ac->op = op;
	ac->t0 = tsc_now();
	ac->cb = cb;
	ac->arg = arg;
	rc = xn_exec_async(ctl->ring, &msg, timeout_ms * 1000u, async_done, ac);
	if (rc < 0) {
		async_put(ctl, ac);
		return map_result(rc, 0);
	}
	return 0;
}

/* ---- batches: async calls plus one waiter ---- */

struct batch {
	int remaining;			/* futex word */
	int sleeping;			/* the waiter sleeps on it: wake it at the next reply */
};

struct batch_item {
	struct batch *b;
	struct idpf_ctl_req *r;
};

static void
futex_wait(int *addr, int val, uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void
batch_done(void *arg, int result, const void *resp, uint32_t len)
{
	struct batch_item *it = arg;
	struct idpf_ctl_req *r = it->r;
	struct batch *b = it->b;	/* read now: the items are freed once the count is 0 */
	int left;

	/* a caller that gave no buffer does not care about the payload */
	if (result >= 0 && r->resp != NULL && len > r->resp_cap)
		result = -EMSGSIZE;
	if (resp != NULL && r->resp != NULL)
		memcpy(r->resp, resp, RTE_MIN(len, r->resp_cap));
	r->result = result;
	if (r->cb != NULL)
		r->cb(r->cb_arg, result, resp, len);
	/*
	 * release: the waiter reads r->result after seeing the count drop. The waiter is woken
	 * by the last reply, and by the first one that finds it asleep: the rest of the batch
	 * follows closely, and the waiter picks it up itself (the interrupt is throttled).
	 * Past 0 the batch may be gone: only its address is used then.
	 */
	left = __atomic_sub_fetch(&b->remaining, 1, __ATOMIC_SEQ_CST);
	if (left == 0 || __atomic_exchange_n(&b->sleeping, 0, __ATOMIC_SEQ_CST) != 0)
		syscall(SYS_futex, &b->remaining, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/*
 * Wait until fewer than @seen requests of @b are left (or a while). @last_progress: TSC when
 * the count last dropped, kept by the caller.
 */
static void
batch_wait_some(struct idpf_ctl *ctl, struct batch *b, int seen, uint64_t *last_progress)
{
	uint64_t spin = (uint64_t)((double)CTL_BATCH_SPIN_NS / ctl->ns_per_tsc);
	uint64_t now;

	/* drive the receive path ourselves (the interrupt may be off or throttled) */
	ctl_poll(ctl);
	ctl_expire(ctl);
	if (__atomic_load_n(&b->remaining, __ATOMIC_ACQUIRE) != seen) {
		*last_progress = tsc_now();
		return;
	}
	now = tsc_now();
	if (now - *last_progress < spin) {
		rte_pause();
		return;
	}
	/* seq_cst with the replier's decrement then exchange: one of us sees the other */
	__atomic_store_n(&b->sleeping, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&b->remaining, __ATOMIC_SEQ_CST) == seen)
		futex_wait(&b->remaining, seen, CTL_BATCH_SLEEP_NS);
	__atomic_store_n(&b->sleeping, 0, __ATOMIC_RELAXED);
	if (__atomic_load_n(&b->remaining, __ATOMIC_ACQUIRE) != seen)
		*last_progress = tsc_now();
}

int
idpf_ctl_batch(struct idpf_ctl *ctl, struct idpf_ctl_req *reqs, unsigned int n,
	       uint32_t timeout_ms)
{
	struct batch b = { .remaining = 0, .sleeping = 0 };
	struct batch_item *items;
	uint64_t last_progress;
	unsigned int i;
	int rc, first_err = 0;

	if (ctl == NULL || (reqs == NULL && n > 0))
		return -EINVAL;
	if (ctl->legacy) {
		/* one round per message: idpf_ctl_call() counts them */
		for (i = 0; i < n; i++) {
			struct idpf_ctl_req *r = &reqs[i];

			r->result = idpf_ctl_call(ctl, r->op, r->req, r->req_len, r->resp,
						  r->resp_cap, timeout_ms);
			if (r->cb != NULL)
				r->cb(r->cb_arg, r->result, r->resp,
				      r->result > 0 ? (uint32_t)r->result : 0);
			if (r->result < 0 && first_err == 0)
				first_err = r->result;
		}
		return first_err;
	}
	items = calloc(n ? n : 1, sizeof(*items));
	if (items == NULL)
		return -ENOMEM;
	__atomic_fetch_add(&ctl->waits, 1, __ATOMIC_RELAXED);
	/* the replies come a round trip after the sends: no spinning before the first */
	last_progress = 0;
	for (i = 0; i < n; i++) {
		items[i] = (struct batch_item){ .b = &b, .r = &reqs[i] };
		__atomic_add_fetch(&b.remaining, 1, __ATOMIC_RELAXED);
		for (;;) {
			rc = idpf_ctl_call_async(ctl, reqs[i].op, reqs[i].req, reqs[i].req_len,
						 timeout_ms, batch_done, &items[i]);
			if (rc != -EAGAIN && rc != -ENOSPC)
				break;
			/* every slot in flight: let some complete, then retry */
			batch_wait_some(ctl, &b, __atomic_load_n(&b.remaining, __ATOMIC_ACQUIRE),
					&last_progress);
		}
		if (rc < 0) {
			reqs[i].result = rc;
			__atomic_sub_fetch(&b.remaining, 1, __ATOMIC_RELAXED);
		}
	}
	for (;;) {
		int left = __atomic_load_n(&b.remaining, __ATOMIC_ACQUIRE);

		if (left == 0)
			break;
		batch_wait_some(ctl, &b, left, &last_progress);
	}
	free(items);
	for (i = 0; i < n; i++)
		if (reqs[i].result == -ETIMEDOUT && op_is_query(reqs[i].op) && reqs[i].cb == NULL)
			reqs[i].result = idpf_ctl_call(ctl, reqs[i].op, reqs[i].req,
						       reqs[i].req_len, reqs[i].resp,
						       reqs[i].resp_cap, timeout_ms);
	for (i = 0; i < n; i++)
		if (reqs[i].result < 0) {
			first_err = reqs[i].result;
			break;
		}
	return first_err;
}

/* ---- reset ---- */

void
idpf_ctl_shutdown(struct idpf_ctl *ctl)
{
	__atomic_store_n(&ctl->down, true, __ATOMIC_RELEASE);
	if (ctl->ring != NULL)
		xn_shutdown(ctl->ring, -ENXIO);
}

bool
idpf_ctl_is_down(struct idpf_ctl *ctl)
{
	return __atomic_load_n(&ctl->down, __ATOMIC_ACQUIRE) || idpf_mbx_check_reset(ctl->mbx);
}

int
idpf_ctl_reset(struct idpf_ctl *ctl, uint32_t wait_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)wait_ms * 1000000ull;
	int rc;

	idpf_ctl_shutdown(ctl);
	for (;;) {
		rc = idpf_mbx_restart(ctl->mbx);
		if (rc == 0)
			break;
		if (now_ns() > deadline) {
			CTL_LOG(ERR, ctl, "device not ready after %u ms", wait_ms);
			return -EIO;
		}
		rte_delay_us_sleep(1000);
	}
	if (ctl->ring != NULL) {
		xn_release_all(ctl->ring);
		xn_arm(ctl->ring);
	}
	__atomic_store_n(&ctl->legacy_pend_op, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ctl->down, false, __ATOMIC_RELEASE);
	CTL_LOG(INFO, ctl, "mailbox up again after reset");
	return 0;
}

/* ---- counters ---- */

static void
stats_raw(struct idpf_ctl *ctl, struct idpf_ctl_stats *st)
{
	struct idpf_mbx_stats ms;
	struct xn_stats xs;

	memset(st, 0, sizeof(*st));
	if (ctl->ring != NULL && xn_stats_get(ctl->ring, &xs) == 0) {
		st->sent = xs.sent;
		st->completed = xs.completed;
		st->timed_out = xs.timed_out;
		st->cancelled = xs.cancelled;
		st->remote_errors = xs.remote_errors;
		st->late_dropped = xs.late;
		st->stale_dropped = xs.stale;
		st->dup_dropped = xs.duplicates;
		st->unknown_dropped = xs.unknown_index;
		st->opcode_mismatch = xs.opcode_mismatch;
		st->inflight = xs.inflight;
		st->inflight_hwm = xs.inflight_hwm;
		st->lat_min_ns = xs.latency.min_ns;
		st->lat_p50_ns = xs.latency.p50_ns;
		st->lat_p99_ns = xs.latency.p99_ns;
		st->lat_max_ns = xs.latency.max_ns;
	}
	idpf_mbx_stats_get(ctl->mbx, &ms);
	st->events = __atomic_load_n(&ctl->events, __ATOMIC_RELAXED);
	st->waits = __atomic_load_n(&ctl->waits, __ATOMIC_RELAXED);
	st->rx_msgs = ms.rx_msgs;
	st->rx_errors = ms.rx_errors;
	st->tx_full = ms.tx_full;
	st->interrupts = ms.interrupts;
	st->resets = ms.resets;
}

/* The cumulative counters, which a reset takes back to zero (in flight and latency stay). */
#define CTL_CUMULATIVE(X) X(sent) X(completed) X(timed_out) X(cancelled) X(remote_errors) \
	X(late_dropped) X(stale_dropped) X(dup_dropped) X(unknown_dropped) X(opcode_mismatch) \
	X(rx_msgs) X(rx_errors) X(tx_full) X(interrupts) X(resets) X(waits)

void
idpf_ctl_stats_get(struct idpf_ctl *ctl, struct idpf_ctl_stats *st)
{
	stats_raw(ctl, st);
	rte_spinlock_lock(&ctl->base_lock);
#define SUB(f) st->f = st->f >= ctl->base.f ? st->f - ctl->base.f : 0;
	CTL_CUMULATIVE(SUB)
#undef SUB
	rte_spinlock_unlock(&ctl->base_lock);
}

int
idpf_ctl_op_stats(struct idpf_ctl *ctl, uint32_t op, struct idpf_ctl_op_stats *st)
{
	struct ctl_op_counters *c = op_counters(ctl, op);

	if (c == NULL)
		return -ENOENT;
	st->calls = __atomic_load_n(&c->calls, __ATOMIC_RELAXED);
	st->errors = __atomic_load_n(&c->errors, __ATOMIC_RELAXED);
	st->replies = __atomic_load_n(&c->replies, __ATOMIC_RELAXED);
	st->lat_total_ns = __atomic_load_n(&c->lat_total_ns, __ATOMIC_RELAXED);
	st->lat_max_ns = __atomic_load_n(&c->lat_max_ns, __ATOMIC_RELAXED);
	return 0;
}

void
idpf_ctl_stats_reset(struct idpf_ctl *ctl)
{
	unsigned int i;

	for (i = 0; i < CTL_OP_SLOTS; i++) {
		struct ctl_op_counters *c = &ctl->ops[i];

		__atomic_store_n(&c->calls, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->errors, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->replies, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->lat_total_ns, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->lat_max_ns, 0, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&ctl->events, 0, __ATOMIC_RELAXED);
	rte_spinlock_lock(&ctl->base_lock);
	stats_raw(ctl, &ctl->base);
	rte_spinlock_unlock(&ctl->base_lock);
}

void
idpf_ctl_poll(struct idpf_ctl *ctl)
{
	idpf_mbx_poll(ctl->mbx);
	if (ctl->ring != NULL)
		ctl_expire(ctl);
}
