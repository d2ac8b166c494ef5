/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest side of a virtio-net device over vhost-user: bring-up in QEMU's order, receive
 * buffers, transmit, control commands in several descriptor layouts, orderly stop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vu_ring_priv.h"

#define VU_BUF_LEN 2048		/* data buffers: header + a full-size frame */
#define VU_CTRL_BUF_LEN 8192	/* control buffers: header, data, ack, result */
#define VU_POISON 0xa5

/* A pool of equal guest buffers, lent out per ring id. */
struct vu_pool {
	uint8_t *base;
	uint64_t gpa;
	size_t buf_len;
	uint16_t n;
	uint16_t *stack, top;
	uint16_t *of_id;	/* buffer lent to each ring id */
	uint32_t *aux;		/* per id: ack offset (control) */
};

struct vu_queue {
	struct vu_ring *ring;
	struct vu_pool pool;
};

struct vu_net {
	struct vu_net_params p;
	struct vu_conn *conn;
	struct vu_mem *mem;
	uint64_t offered, features;
	struct vu_net_config cfg;
	uint16_t max_pairs;	/* data pairs the device has (rings 0..2N-1) */
	struct vu_queue *rx, *tx;
	struct vu_queue cvq;
	bool has_cvq;
};

static int
pool_init(struct vu_pool *pl, struct vu_mem *m, uint16_t n, size_t len)
{
	uint16_t i;

	pl->base = vu_mem_alloc(m, (size_t)n * len, 64, &pl->gpa);
	pl->stack = calloc(n, sizeof(uint16_t));
	pl->of_id = calloc(n, sizeof(uint16_t));
	pl->aux = calloc(n, sizeof(uint32_t));
	if (pl->base == NULL || pl->stack == NULL || pl->of_id == NULL || pl->aux == NULL)
		return -ENOMEM;
	pl->buf_len = len;
	pl->n = n;
	for (i = 0; i < n; i++)
		pl->stack[i] = (uint16_t)(n - 1 - i);
	pl->top = n;
	return 0;
}

static void
pool_fini(struct vu_pool *pl)
{
	free(pl->stack);
	free(pl->of_id);
	free(pl->aux);
}

static uint8_t *
pool_buf(const struct vu_pool *pl, uint16_t b, uint64_t *gpa)
{
	if (gpa != NULL)
		*gpa = pl->gpa + (uint64_t)b * pl->buf_len;
	return pl->base + (size_t)b * pl->buf_len;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
queue_init(struct vu_net *n, struct vu_queue *q, uint16_t index, uint16_t size, size_t buf_len)
{
	struct vu_ring_params rp = {
		.index = index,
		.size = size,
		.packed = n->features & VU_BIT(VU_F_RING_PACKED),
		.event_idx = n->features & VU_BIT(VU_F_EVENT_IDX),
		.indirect = n->features & VU_BIT(VU_F_INDIRECT_DESC),
		.call_fd = n->p.interrupts,
	};
	int rc;

	q->ring = vu_ring_create(n->mem, &rp);
	if (q->ring == NULL)
		return -errno;
	rc = pool_init(&q->pool, n->mem, size, buf_len);
	if (rc < 0)
		return rc;
	return vu_ring_setup(q->ring, n->conn);
}

/* Post one receive buffer. */
static int
rx_post(struct vu_queue *q)
{
	struct vu_seg s;
	uint16_t b, id;
	int rc;

	if (q->pool.top == 0)
		return -ENOSPC;
	b = q->pool.stack[q->pool.top - 1];
	pool_buf(&q->pool, b, &s.gpa);
	s.len = (uint32_t)q->pool.buf_len;
	s.write = true;
	rc = vu_ring_add(q->ring, &s, 1, false, &id);
	if (rc < 0)
		return rc;
	q->pool.top--;
	q->pool.of_id[id] = b;
	return 0;
}

static void
net_free(struct vu_net *n)
{
	uint16_t i;

	if (n->rx != NULL)
		for (i = 0; i < n->max_pairs; i++) {
			vu_ring_destroy(n->rx[i].ring);
			pool_fini(&n->rx[i].pool);
		}
	if (n->tx != NULL)
		for (i = 0; i < n->max_pairs; i++) {
			vu_ring_destroy(n->tx[i].ring);
			pool_fini(&n->tx[i].pool);
		}
	vu_ring_destroy(n->cvq.ring);
	pool_fini(&n->cvq.pool);
	free(n->rx);
	free(n->tx);
	vu_conn_close(n->conn);
	vu_mem_destroy(n->mem);
	free(n);
}

static int
negotiate(struct vu_net *n)
{
	uint64_t proto = 0, want_proto, qnum = 0;
	uint8_t cfg[12];
	int rc;

	rc = vu_get_u64(n->conn, VU_GET_FEATURES, &n->offered);
	if (rc < 0)
		return rc;
	if (n->offered & VU_BIT(VU_F_PROTOCOL_FEATURES)) {
		rc = vu_get_u64(n->conn, VU_GET_PROTOCOL_FEATURES, &proto);
		if (rc < 0)
			return rc;
		want_proto = proto & (VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_REPLY_ACK) |
				      VU_BIT(VU_PF_CONFIG));
		rc = vu_set_u64(n->conn, VU_SET_PROTOCOL_FEATURES, want_proto);
		if (rc < 0)
			return rc;
		if (want_proto & VU_BIT(VU_PF_MQ)) {
			rc = vu_get_u64(n->conn, VU_GET_QUEUE_NUM, &qnum);
			if (rc < 0)
				return rc;
		}
	}
	rc = vu_set_u64(n->conn, VU_SET_OWNER, 0);
	if (rc < 0)
		return rc;
	if (vu_conn_protocol_features(n->conn) & VU_BIT(VU_PF_CONFIG)) {
		rc = vu_get_config(n->conn, 0, cfg, sizeof(cfg));
		if (rc < 0)
			return rc;
		n->cfg.config_len = (uint32_t)rc;
		if (rc >= 12) {
			memcpy(n->cfg.mac, cfg, 6);
			memcpy(&n->cfg.status, cfg + 6, 2);
			memcpy(&n->cfg.max_pairs, cfg + 8, 2);
			memcpy(&n->cfg.mtu, cfg + 10, 2);
		}
	}
	n->features = (n->offered & (n->p.features | VU_BIT(VU_F_PROTOCOL_FEATURES))) |
		VU_BIT(VU_F_VERSION_1);
	if (!(n->offered & VU_BIT(VU_F_VERSION_1)))
		return -ENOTSUP;
	rc = vu_set_u64(n->conn, VU_SET_FEATURES, n->features);
	if (rc < 0)
		return rc;
	/* queue pairs: the config space when it says so, else GET_QUEUE_NUM */
	n->max_pairs = 1;
	if (n->features & (VU_BIT(VU_NET_F_MQ) | VU_BIT(VU_NET_F_RSS))) {
		if (n->cfg.max_pairs > 0)
			n->max_pairs = n->cfg.max_pairs;
		else if (qnum > 0)
			n->max_pairs = (uint16_t)qnum;
	}
	if (n->max_pairs > 64)
		return -ERANGE;
	return 0;
}

struct vu_net *
vu_net_open(const struct vu_net_params *p, int *err)
{
	struct vu_net *n;
	uint16_t i, k;
	int rc = -ENOMEM;

	n = calloc(1, sizeof(*n));
	if (n == NULL)
		goto out;
	n->p = *p;
	if (n->p.qsize == 0)
		n->p.qsize = 256;
	if (n->p.cvq_size == 0)
		n->p.cvq_size = 64;
	if (n->p.nregions == 0)
		n->p.nregions = 1;
	if (n->p.mem_size == 0)
		n->p.mem_size = 16u << 20;
	if (n->p.timeout_ms == 0)
		n->p.timeout_ms = 5000;
	n->mem = vu_mem_create(n->p.mem_size, n->p.nregions, 0x100000);
	if (n->mem == NULL) {
		rc = -errno;
		goto fail;
	}
	n->conn = n->p.listen ? vu_conn_listen(n->p.path, n->p.timeout_ms) :
		vu_conn_connect(n->p.path, n->p.timeout_ms);
	if (n->conn == NULL) {
		rc = -errno;
		goto fail;
	}
	vu_conn_set_timeout(n->conn, n->p.timeout_ms);
	rc = negotiate(n);
	if (rc < 0)
		goto fail;
	rc = vu_mem_send_table(n->mem, n->conn);
	if (rc < 0)
		goto fail;
	n->rx = calloc(n->max_pairs, sizeof(*n->rx));
	n->tx = calloc(n->max_pairs, sizeof(*n->tx));
	if (n->rx == NULL || n->tx == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n->max_pairs; i++) {
		rc = queue_init(n, &n->rx[i], (uint16_t)(2 * i), n->p.qsize, VU_BUF_LEN);
		if (rc == 0)
			rc = queue_init(n, &n->tx[i], (uint16_t)(2 * i + 1), n->p.qsize,
					VU_BUF_LEN);
		if (rc < 0)
			goto fail;
	}
	n->has_cvq = (n->features & VU_BIT(VU_NET_F_CTRL_VQ)) && !n->p.no_cvq;
	if (n->has_cvq) {
		rc = queue_init(n, &n->cvq, (uint16_t)(2 * n->max_pairs), n->p.cvq_size,
				VU_CTRL_BUF_LEN);
		if (rc < 0)
			goto fail;
	}
	/* receive buffers first, then enable, as a driver fills before DRIVER_OK */
	for (i = 0; i < n->max_pairs; i++)
		for (k = 0; k < n->p.qsize - VU_RAW_SLOTS; k++)
			if (rx_post(&n->rx[i]) < 0)
				break;
	if (n->offered & VU_BIT(VU_F_PROTOCOL_FEATURES)) {
		for (i = 0; i < 2 * n->max_pairs + (n->has_cvq ? 1 : 0); i++) {
			rc = vu_set_vring_state(n->conn, VU_SET_VRING_ENABLE, i, 1);
			if (rc < 0)
				goto fail;
		}
	}
	for (i = 0; i < n->max_pairs; i++)
		vu_ring_kick(n->rx[i].ring, true);
	if (err != NULL)
		*err = 0;
	return n;
fail:
	if (n != NULL)
		net_free(n);
out:
	if (err != NULL)
		*err = rc;
	return NULL;
}

/* GET_VRING_BASE for one ring; with nothing in flight the device must agree with us. */
static int
stop_ring(struct vu_net *n, struct vu_ring *r, bool strict)
{
	uint32_t base;
	int rc;

	rc = vu_get_vring_base(n->conn, r->p.index, &base);
	if (rc < 0)
		return rc;
	if (strict && vu_ring_inflight(r) == 0 && base != vu_ring_base(r))
		return -EPROTO;
	return 0;
}

int
vu_net_close(struct vu_net *n)
{
	int rc = 0, r;
	uint16_t i;

	if (n == NULL)
		return 0;
	for (i = 0; i < n->max_pairs; i++) {
		r = stop_ring(n, n->rx[i].ring, false);
		rc = rc != 0 ? rc : r;
		r = stop_ring(n, n->tx[i].ring, true);
		rc = rc != 0 ? rc : r;
	}
	if (n->has_cvq) {
		r = stop_ring(n, n->cvq.ring, true);
		rc = rc != 0 ? rc : r;
	}
	net_free(n);
	return rc;
}

void
vu_net_abort(struct vu_net *n)
{
	if (n != NULL)
		net_free(n);
}

struct vu_conn *
vu_net_conn(struct vu_net *n)
{
	return n->conn;
}

struct vu_mem *
vu_net_mem(struct vu_net *n)
{
	return n->mem;
}

uint64_t
vu_net_features(const struct vu_net *n)
{
	return n->features;
}

uint64_t
vu_net_offered(const struct vu_net *n)
{
	return n->offered;
}

const struct vu_net_config *
vu_net_config(const struct vu_net *n)
{
	return &n->cfg;
}

uint16_t
vu_net_pairs(const struct vu_net *n)
{
	return n->max_pairs;
}

struct vu_ring *
vu_net_cvq(struct vu_net *n)
{
	return n->has_cvq ? n->cvq.ring : NULL;
}

struct vu_ring *
vu_net_rxq(struct vu_net *n, uint16_t q)
{
	return q < n->max_pairs ? n->rx[q].ring : NULL;
}

struct vu_ring *
vu_net_txq(struct vu_net *n, uint16_t q)
{
	return q < n->max_pairs ? n->tx[q].ring : NULL;
}

/* Take back transmit buffers the device has used. */
static int
tx_reap(struct vu_queue *q)
{
	uint32_t len;
	uint16_t id;
	int rc;

	while ((rc = vu_ring_used(q->ring, &id, &len)) == 1)
		q->pool.stack[q->pool.top++] = q->pool.of_id[id];
	return rc;
}

int
vu_net_send(struct vu_net *n, uint16_t q, const void *frame, size_t len)
{
	struct vu_queue *tq;
	struct vu_seg s;
	uint8_t *buf;
	uint16_t b, id;
	int rc;

	if (q >= n->max_pairs || len == 0 || len + VU_NET_HDR_LEN > VU_BUF_LEN)
		return -EINVAL;
	tq = &n->tx[q];
	rc = tx_reap(tq);
	if (rc < 0)
		return rc;
	if (tq->pool.top == 0)
		return -ENOSPC;
	b = tq->pool.stack[tq->pool.top - 1];
	buf = pool_buf(&tq->pool, b, &s.gpa);
	memset(buf, 0, VU_NET_HDR_LEN);
	memcpy(buf + VU_NET_HDR_LEN, frame, len);
	s.len = (uint32_t)(len + VU_NET_HDR_LEN);
	s.write = false;
	rc = vu_ring_add(tq->ring, &s, 1, false, &id);
	if (rc < 0)
		return rc;
	tq->pool.top--;
	tq->pool.of_id[id] = b;
	rc = vu_ring_kick(tq->ring, false);
	return rc < 0 ? rc : 0;
}

int
vu_net_recv(struct vu_net *n, uint16_t q, void *frame, size_t cap, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct vu_queue *rq;
	uint32_t len, copy;
	uint16_t id, b;
	uint8_t *buf;
	int rc;

	if (q >= n->max_pairs)
		return -EINVAL;
	rq = &n->rx[q];
	for (;;) {
		rc = vu_ring_used(rq->ring, &id, &len);
		if (rc != 0)
			break;
		if (now_ms() >= deadline)
			return 0;
		if (vu_ring_callfd(rq->ring) >= 0) {
			vu_ring_wait_call(rq->ring, 5);
		} else {
			struct timespec ts = { 0, 100000 };

			nanosleep(&ts, NULL);
		}
	}
	if (rc < 0)
		return rc;
	b = rq->pool.of_id[id];
	rq->pool.stack[rq->pool.top++] = b;
	buf = pool_buf(&rq->pool, b, NULL);
	rc = rx_post(rq);
	if (rc == 0)
		vu_ring_kick(rq->ring, false);
	if (len < VU_NET_HDR_LEN || len > VU_BUF_LEN)
		return -EPROTO;
	len -= VU_NET_HDR_LEN;
	copy = len < cap ? len : (uint32_t)cap;
	memcpy(frame, buf + VU_NET_HDR_LEN, copy);
	return (int)len;
}

unsigned int
vu_net_drain(struct vu_net *n)
{
	uint8_t f[VU_BUF_LEN];
	unsigned int cnt = 0;
	uint16_t i;

	for (i = 0; i < n->max_pairs; i++)
		while (vu_net_recv(n, i, f, sizeof(f), 0) > 0)
			cnt++;
	return cnt;
}

/* Lay the command out in its buffer and build the segment list. */
static int
ctrl_build(struct vu_net *n, const struct vu_ctrl *cmd, uint8_t *buf, uint64_t gpa,
	   struct vu_seg *s, unsigned int *ns, uint32_t *ack_off)
{
	size_t off = 2, total, i, k;
	unsigned int cnt = 0;

	(void)n;
	buf[0] = cmd->class;
	buf[1] = cmd->cmd;
	for (i = 0; i < cmd->ndata; i++) {
		if (cmd->data[i].len > VU_CTRL_BUF_LEN - 3 - 64 - off)
			return -EINVAL;
		memcpy(buf + off, cmd->data[i].base, cmd->data[i].len);
		off += cmd->data[i].len;
	}
	if (cmd->result_len > 64)
		return -EINVAL;
	*ack_off = (uint32_t)off;
	memset(buf + off, VU_POISON, 1 + cmd->result_len);
	total = off + 1 + cmd->result_len;
	switch (cmd->layout) {
	case VU_LAYOUT_MERGED:
		s[cnt++] = (struct vu_seg){ gpa, (uint32_t)off, false };
		s[cnt++] = (struct vu_seg){ gpa + off, (uint32_t)(1 + cmd->result_len), true };
		break;
	case VU_LAYOUT_BYTES:
		if (total > VU_MAX_SEGS)
			return -EINVAL;
		for (k = 0; k < total; k++)
			s[cnt++] = (struct vu_seg){ gpa + k, 1, k >= off };
		break;
	case VU_LAYOUT_LINUX:
	case VU_LAYOUT_INDIRECT:
		s[cnt++] = (struct vu_seg){ gpa, 2, false };
		off = 2;
		for (i = 0; i < cmd->ndata; i++) {
			if (cmd->data[i].len == 0)
				continue;
			if (cnt + 2 >= VU_MAX_SEGS)
				return -EINVAL;
			s[cnt++] = (struct vu_seg){ gpa + off, (uint32_t)cmd->data[i].len, false };
			off += cmd->data[i].len;
		}
		s[cnt++] = (struct vu_seg){ gpa + off, 1, true };
		if (cmd->result_len > 0)
			s[cnt++] = (struct vu_seg){ gpa + off + 1, (uint32_t)cmd->result_len,
						    true };
		break;
	default:
		return -EINVAL;
	}
	*ns = cnt;
	return 0;
}

int
vu_net_ctrl_submit(struct vu_net *n, const struct vu_ctrl *cmd, uint16_t *id)
{
	struct vu_seg s[VU_MAX_SEGS];
	struct vu_pool *pl = &n->cvq.pool;
	uint32_t ack_off;
	unsigned int ns;
	uint64_t gpa;
	uint8_t *buf;
	uint16_t b;
	int rc;

	if (!n->has_cvq)
		return -ENODEV;
	if (pl->top == 0)
		return -ENOSPC;
	b = pl->stack[pl->top - 1];
	buf = pool_buf(pl, b, &gpa);
	rc = ctrl_build(n, cmd, buf, gpa, s, &ns, &ack_off);
	if (rc < 0)
		return rc;
	rc = vu_ring_add(n->cvq.ring, s, ns, cmd->layout == VU_LAYOUT_INDIRECT, id);
	if (rc < 0)
		return rc;
	pl->top--;
	pl->of_id[*id] = b;
	pl->aux[*id] = ack_off;
	rc = vu_ring_kick(n->cvq.ring, false);
	return rc < 0 ? rc : 0;
}

int
vu_net_ctrl_reap(struct vu_net *n, uint16_t *id, struct vu_ctrl_done *done, int timeout_ms)
{
	uint64_t deadline = 0;
	struct vu_pool *pl = &n->cvq.pool;
	struct vu_ring *r = n->cvq.ring;
	unsigned int spins = 0;
	uint32_t len;
	uint8_t *buf;
	uint16_t b;
	int rc;

	if (!n->has_cvq)
		return -ENODEV;
	for (;;) {
		rc = vu_ring_used(r, id, &len);
		if (rc != 0)
			break;
		if ((++spins & 0x3ff) == 0 || r->interrupts) {
			if (deadline == 0)
				deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
			else if (now_ms() >= deadline)
				return 0;
		}
		if (r->interrupts && r->callfd >= 0)
			vu_ring_wait_call(r, 10);
	}
	if (rc < 0)
		return rc;
	done->used_len = len;
	if (*id >= r->p.size - VU_RAW_SLOTS) {
		/* a raw chain: its buffers belong to the caller */
		done->ack = VU_POISON;
		return 1;
	}
	b = pl->of_id[*id];
	buf = pool_buf(pl, b, NULL);
	done->ack = buf[pl->aux[*id]];
	done->used_len = len;
	memcpy(done->result, buf + pl->aux[*id] + 1, sizeof(done->result));
	pl->stack[pl->top++] = b;
	return 1;
}

int
vu_net_ctrl(struct vu_net *n, const struct vu_ctrl *cmd, struct vu_ctrl_done *done,
	    int timeout_ms)
{
	uint16_t id, got;
	int rc;

	rc = vu_net_ctrl_submit(n, cmd, &id);
	if (rc < 0)
		return rc;
	rc = vu_net_ctrl_reap(n, &got, done, timeout_ms);
	if (rc == 0)
		return -ETIMEDOUT;
	if (rc < 0)
		return rc;
	return got == id ? 0 : -EPROTO;
}

int
vu_net_cmd(struct vu_net *n, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	struct vu_iov iov = { data, len };
	struct vu_ctrl c = {
		.class = class, .cmd = cmd, .data = &iov, .ndata = len ? 1 : 0,
		.layout = VU_LAYOUT_LINUX,
	};
	struct vu_ctrl_done d;
	int rc;

	rc = vu_net_ctrl(n, &c, &d, (int)n->p.timeout_ms);
	if (rc < 0)
		return rc;
	if (d.used_len < 1)
		return -EPROTO;
	return d.ack;
}
