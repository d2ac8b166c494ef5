/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idpf vport control: each function fills virtchnl2 messages and hands them to the channel,
 * as a batch where they do not depend on each other.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "idpf_adapter.h"

RTE_LOG_REGISTER(idpf_vport_logtype, ctlpath.idpf.vport, NOTICE);
#define VP_LOG(level, vp, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idpf_vport_logtype, "idpf %s vport %u: " fmt "\n", \
		(vp)->ad->name, (vp)->vport_id, ##__VA_ARGS__)

#define MAX_BATCH 64

static struct idpf_ctl *
ctl_of(struct idpf_vport *vp)
{
	return vp->ad->ctl;
}

/* ---- create / destroy ---- */

static void
vport_register(struct idpf_vport *vp, bool on)
{
	struct idpf_adapter *ad = vp->ad;
	unsigned int i;

	for (i = 0; i < RTE_DIM(ad->vports); i++) {
		if (on && ad->vports[i] == NULL) {
			ad->vports[i] = vp;
			return;
		}
		if (!on && ad->vports[i] == vp)
			ad->vports[i] = NULL;
	}
}

/* Take the queue ranges out of CREATE_VPORT's reply; the chunk count is checked first. */
static int
parse_vport_chunks(struct idpf_vport *vp, const struct virtchnl2_create_vport *rep, int len)
{
	uint16_t n = vc2_le16(rep->chunks.num_chunks), i;
	bool tx = false, rx = false;

	if ((size_t)len < virtchnl2_create_vport_size(n))
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		const struct virtchnl2_queue_reg_chunk *c = &rep->chunks.chunks[i];
		uint32_t type = vc2_le32(c->type);

		if (type == VIRTCHNL2_QUEUE_TYPE_TX && !tx) {
			vp->txq_start = vc2_le32(c->start_queue_id);
			tx = vc2_le32(c->num_queues) >= vp->num_txq;
		} else if (type == VIRTCHNL2_QUEUE_TYPE_RX && !rx) {
			vp->rxq_start = vc2_le32(c->start_queue_id);
			rx = vc2_le32(c->num_queues) >= vp->num_rxq;
		}
	}
	return tx && rx ? 0 : -EBADMSG;
}

int
idpf_vport_create(struct idpf_adapter *ad, struct idpf_vport *vp, uint16_t nq)
{
	uint8_t rep_buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_create_vport req;
	const struct virtchnl2_create_vport *rep = (const void *)rep_buf;
	int rc;

	memset(vp, 0, sizeof(*vp));
	vp->ad = ad;
	memset(&req, 0, sizeof(req));
	req.vport_type = vc2_cpu_le16(VIRTCHNL2_VPORT_TYPE_DEFAULT);
	req.txq_model = vc2_cpu_le16(VIRTCHNL2_QUEUE_MODEL_SINGLE);
	req.rxq_model = vc2_cpu_le16(VIRTCHNL2_QUEUE_MODEL_SINGLE);
	req.num_tx_q = vc2_cpu_le16(nq);
	req.num_rx_q = vc2_cpu_le16(nq);
	req.rss_algorithm = vc2_cpu_le32(VIRTCHNL2_RSS_ALG_TOEPLITZ_ASYMMETRIC);
	req.rx_desc_ids = vc2_cpu_le64(1ull << VIRTCHNL2_RXDID_2_FLEX_SQ_NIC);
	req.tx_desc_ids = vc2_cpu_le64(1ull << VIRTCHNL2_RXDID_2_FLEX_SQ_NIC);
	rc = idpf_ctl_call(ad->ctl, VIRTCHNL2_OP_CREATE_VPORT, &req, sizeof(req), rep_buf,
			   sizeof(rep_buf), 0);
	if (rc < 0)
		return rc;
	if ((size_t)rc < sizeof(*rep))
		return -EBADMSG;
	vp->vport_id = vc2_le32(rep->vport_id);
	vp->num_txq = vc2_le16(rep->num_tx_q);
	vp->num_rxq = vc2_le16(rep->num_rx_q);
	vp->rss_key_size = RTE_MIN(vc2_le16(rep->rss_key_size), IDPF_RSS_KEY_MAX);
	vp->rss_lut_size = RTE_MIN(vc2_le16(rep->rss_lut_size), IDPF_RSS_LUT_MAX);
	vp->max_mtu = vc2_le16(rep->max_mtu);
	memcpy(vp->mac, rep->default_mac_addr, sizeof(vp->mac));
	rc = parse_vport_chunks(vp, rep, rc);
	if (rc == 0 && (vp->num_txq < nq || vp->num_rxq < nq))
		rc = -ENOSPC;
	vp->created = true;
	if (rc < 0) {
		VP_LOG(ERR, vp, "CREATE_VPORT reply unusable: %s", strerror(-rc));
		idpf_vport_destroy(vp);
		return rc;
	}
	vport_register(vp, true);
	return 0;
}

/* A call whose reply payload does not matter: 0 or a negative errno. */
static int
call_status(struct idpf_vport *vp, uint32_t op, const void *req, uint16_t len)
{
	int rc = idpf_ctl_call(ctl_of(vp), op, req, len, NULL, 0, 0);

	return rc < 0 ? rc : 0;
}

static int
vport_simple(struct idpf_vport *vp, uint32_t op)
{
	struct virtchnl2_vport v = { .vport_id = vc2_cpu_le32(vp->vport_id) };

	return call_status(vp, op, &v, sizeof(v));
}

int
idpf_vport_destroy(struct idpf_vport *vp)
{
	int rc;

	if (!vp->created)
		return 0;
	vport_register(vp, false);
	rc = vport_simple(vp, VIRTCHNL2_OP_DESTROY_VPORT);
	vp->created = false;
	vp->enabled = false;
	return rc < 0 ? rc : 0;
}

/* ---- queues ---- */

/* A message buffer per batch entry; one allocation for the whole batch. */
struct msgs {
	struct idpf_ctl_req r[MAX_BATCH];
	uint8_t (*buf)[VIRTCHNL2_MAX_MSG_LEN];
	unsigned int n;
};

static int
msgs_init(struct msgs *m)
{
	m->n = 0;
	m->buf = calloc(MAX_BATCH, VIRTCHNL2_MAX_MSG_LEN);
	return m->buf != NULL ? 0 : -ENOMEM;
}

static void *
msgs_add(struct msgs *m, uint32_t op, uint16_t len)
{
	struct idpf_ctl_req *r;

	if (m->n == MAX_BATCH)
		return NULL;
	r = &m->r[m->n];
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->req = m->buf[m->n];
	r->req_len = len;
	return m->buf[m->n++];
}

static void
msgs_fini(struct msgs *m)
{
	free(m->buf);
}

static int
add_txq_configs(struct idpf_vport *vp, struct msgs *m, const struct idpf_qcfg *q, uint16_t n)
{
	uint32_t per = vp->ad->qcfg_per_msg;
	uint16_t i, j;

	for (i = 0; i < n; i += per) {
		uint16_t cnt = RTE_MIN((uint32_t)(n - i), per);
		struct virtchnl2_config_tx_queues *c;

		c = msgs_add(m, VIRTCHNL2_OP_CONFIG_TX_QUEUES,
			     virtchnl2_config_tx_queues_size(cnt));
		if (c == NULL)
			return -E2BIG;
		c->vport_id = vc2_cpu_le32(vp->vport_id);
		c->num_qinfo = vc2_cpu_le16(cnt);
		for (j = 0; j < cnt; j++) {
			struct virtchnl2_txq_info *t = &c->qinfo[j];

			t->dma_ring_addr = vc2_cpu_le64(q[i + j].ring_iova);
			t->type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_TX);
			t->queue_id = vc2_cpu_le32(vp->txq_start + i + j);
			t->relative_queue_id = vc2_cpu_le16(i + j);
			t->model = vc2_cpu_le16(VIRTCHNL2_QUEUE_MODEL_SINGLE);
			t->ring_len = vc2_cpu_le16(q[i + j].ring_len);
		}
	}
	return 0;
}

static int
add_rxq_configs(struct idpf_vport *vp, struct msgs *m, const struct idpf_qcfg *q, uint16_t n)
{
	uint32_t per = vp->ad->qcfg_per_msg;
	uint16_t i, j;

	for (i = 0; i < n; i += per) {
		uint16_t cnt = RTE_MIN((uint32_t)(n - i), per);
		struct virtchnl2_config_rx_queues *c;

		c = msgs_add(m, VIRTCHNL2_OP_CONFIG_RX_QUEUES,
			     virtchnl2_config_rx_queues_size(cnt));
		if (c == NULL)
			return -E2BIG;
		c->vport_id = vc2_cpu_le32(vp->vport_id);
		c->num_qinfo = vc2_cpu_le16(cnt);
		for (j = 0; j < cnt; j++) {
			struct virtchnl2_rxq_info *r = &c->qinfo[j];

			r->desc_ids = vc2_cpu_le64(1ull << VIRTCHNL2_RXDID_2_FLEX_SQ_NIC);
			r->dma_ring_addr = vc2_cpu_le64(q[i + j].ring_iova);
			r->type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_RX);
			r->queue_id = vc2_cpu_le32(vp->rxq_start + i + j);
			r->model = vc2_cpu_le16(VIRTCHNL2_QUEUE_MODEL_SINGLE);
			r->data_buffer_size = vc2_cpu_le32(q[i + j].buf_size);
			r->max_pkt_size = vc2_cpu_le32(q[i + j].max_pkt);
			r->ring_len = vc2_cpu_le16(q[i + j].ring_len);
		}
	}
	return 0;
}

static int
add_vector_map(struct idpf_vport *vp, struct msgs *m, uint32_t op, uint16_t ntx, uint16_t nrx)
{
	uint16_t n = ntx + nrx, i;
	struct virtchnl2_queue_vector_maps *v;

	v = msgs_add(m, op, virtchnl2_queue_vector_maps_size(n));
	if (v == NULL || n > VIRTCHNL2_MAX_ELEMS(virtchnl2_queue_vector_maps,
						 virtchnl2_queue_vector))
		return -E2BIG;
	v->vport_id = vc2_cpu_le32(vp->vport_id);
	v->num_qv_maps = vc2_cpu_le16(n);
	for (i = 0; i < n; i++) {
		struct virtchnl2_queue_vector *q = &v->qv_maps[i];
		bool rx = i >= ntx;

		q->queue_id = vc2_cpu_le32(rx ? vp->rxq_start + i - ntx : vp->txq_start + i);
		q->queue_type = vc2_cpu_le32(rx ? VIRTCHNL2_QUEUE_TYPE_RX :
					     VIRTCHNL2_QUEUE_TYPE_TX);
		q->vector_id = vc2_cpu_le16(vp->ad->vec_start);
		q->itr_idx = vc2_cpu_le32(VIRTCHNL2_ITR_IDX_0);
	}
	return 0;
}

/* One ENABLE/DISABLE_QUEUES message with a chunk per contiguous run of queues. */
static int
add_queue_switch(struct idpf_vport *vp, struct msgs *m, bool on, uint16_t ntx, uint64_t skip_tx,
		 uint16_t nrx, uint64_t skip_rx)
{
	uint32_t op = on ? VIRTCHNL2_OP_ENABLE_QUEUES : VIRTCHNL2_OP_DISABLE_QUEUES;
	struct virtchnl2_queue_chunk chunks[128];
	struct virtchnl2_del_ena_dis_queues *d;
	unsigned int nc = 0, t;

	for (t = 0; t < 2; t++) {
		bool rx = t == 1;
		uint16_t n = rx ? nrx : ntx, i = 0;
		uint64_t skip = rx ? skip_rx : skip_tx;
		uint32_t base = rx ? vp->rxq_start : vp->txq_start;

		while (i < n) {
			uint16_t s;

			if (i < 64 && (skip >> i) & 1) {
				i++;
				continue;
			}
			for (s = i; i < n && !(i < 64 && (skip >> i) & 1); i++)
				;
			if (nc == RTE_DIM(chunks))
				return -E2BIG;
			memset(&chunks[nc], 0, sizeof(chunks[nc]));
			chunks[nc].type = vc2_cpu_le32(rx ? VIRTCHNL2_QUEUE_TYPE_RX :
						       VIRTCHNL2_QUEUE_TYPE_TX);
			chunks[nc].start_queue_id = vc2_cpu_le32(base + s);
			chunks[nc].num_queues = vc2_cpu_le32(i - s);
			nc++;
		}
	}
	if (nc == 0)
		return 0;
	d = msgs_add(m, op, virtchnl2_del_ena_dis_queues_size(nc));
	if (d == NULL)
		return -E2BIG;
	d->vport_id = vc2_cpu_le32(vp->vport_id);
	d->num_chunks = vc2_cpu_le16(nc);
	memcpy(d->chunks, chunks, nc * sizeof(chunks[0]));
	return 0;
}

/* In legacy mode DPDK 22.11 enables queue by queue; ours sends one message. */
static int
queue_switch_all(struct idpf_vport *vp, bool on, uint16_t ntx, uint64_t skip_tx, uint16_t nrx,
		 uint64_t skip_rx)
{
	struct msgs m;
	int rc;

	rc = msgs_init(&m);
	if (rc < 0)
		return rc;
	if (vp->ad->ctl_conf.legacy) {
		uint16_t i;

		for (i = 0; rc == 0 && i < ntx; i++)
			if (!(i < 64 && (skip_tx >> i) & 1))
				rc = add_queue_switch(vp, &m, on, i + 1,
						      skip_tx | ((1ull << i) - 1), 0, 0);
		for (i = 0; rc == 0 && i < nrx; i++)
			if (!(i < 64 && (skip_rx >> i) & 1))
				rc = add_queue_switch(vp, &m, on, 0, 0, i + 1,
						      skip_rx | ((1ull << i) - 1));
	} else {
		rc = add_queue_switch(vp, &m, on, ntx, skip_tx, nrx, skip_rx);
	}
	if (rc == 0)
		rc = idpf_ctl_batch(ctl_of(vp), m.r, m.n, 0);
	msgs_fini(&m);
	return rc;
}

int
idpf_vport_start(struct idpf_vport *vp, const struct idpf_qcfg *tx, uint16_t ntx,
		 const struct idpf_qcfg *rx, uint16_t nrx, uint64_t deferred_tx,
		 uint64_t deferred_rx)
{
	struct msgs m;
	int rc;

	if (ntx > vp->num_txq || nrx > vp->num_rxq)
		return -EINVAL;
	rc = msgs_init(&m);
	if (rc < 0)
		return rc;
	/* round 1: queue configs and the vector map, independent of each other */
	rc = add_txq_configs(vp, &m, tx, ntx);
	if (rc == 0)
		rc = add_rxq_configs(vp, &m, rx, nrx);
	if (rc == 0)
		rc = add_vector_map(vp, &m, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, ntx, nrx);
	if (rc == 0)
		rc = idpf_ctl_batch(ctl_of(vp), m.r, m.n, 0);
	msgs_fini(&m);
	if (rc < 0) {
		VP_LOG(ERR, vp, "queue configuration failed: %s", strerror(-rc));
		return rc;
	}
	/* round 2: the queues, round 3: the vport */
	rc = queue_switch_all(vp, true, ntx, deferred_tx, nrx, deferred_rx);
	if (rc == 0)
		rc = vport_simple(vp, VIRTCHNL2_OP_ENABLE_VPORT);
	if (rc < 0) {
		VP_LOG(ERR, vp, "start failed: %s", strerror(-rc));
		return rc;
	}
	vp->enabled = true;
	return 0;
}

int
idpf_vport_stop(struct idpf_vport *vp, uint16_t ntx, uint16_t nrx)
{
	struct msgs m;
	int rc, rc2;

	rc = vport_simple(vp, VIRTCHNL2_OP_DISABLE_VPORT);
	vp->enabled = false;
	rc2 = msgs_init(&m);
	if (rc2 < 0)
		return rc2;
	rc2 = add_queue_switch(vp, &m, false, ntx, 0, nrx, 0);
	if (rc2 == 0)
		rc2 = add_vector_map(vp, &m, VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR, ntx, nrx);
	if (rc2 == 0)
		rc2 = idpf_ctl_batch(ctl_of(vp), m.r, m.n, 0);
	msgs_fini(&m);
	return rc < 0 ? rc : rc2;
}

int
idpf_vport_queue_switch(struct idpf_vport *vp, bool rx, uint16_t qidx, bool on)
{
	struct {
		struct virtchnl2_del_ena_dis_queues h;
		struct virtchnl2_queue_chunk c;
	} req;

	if (qidx >= (rx ? vp->num_rxq : vp->num_txq))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.h.vport_id = vc2_cpu_le32(vp->vport_id);
	req.h.num_chunks = vc2_cpu_le16(1);
	req.c.type = vc2_cpu_le32(rx ? VIRTCHNL2_QUEUE_TYPE_RX : VIRTCHNL2_QUEUE_TYPE_TX);
	req.c.start_queue_id = vc2_cpu_le32((rx ? vp->rxq_start : vp->txq_start) + qidx);
	req.c.num_queues = vc2_cpu_le32(1);
	return call_status(vp, on ? VIRTCHNL2_OP_ENABLE_QUEUES : VIRTCHNL2_OP_DISABLE_QUEUES,
			   &req, sizeof(req));
}

/* ---- RSS ---- */

int
idpf_vport_rss_set(struct idpf_vport *vp, const uint8_t *key, uint16_t key_len,
		   const uint32_t *lut, uint16_t lut_n, bool set_hash, uint64_t hash)
{
	struct msgs m;
	uint16_t i;
	int rc;

	if ((key != NULL && key_len != vp->rss_key_size) ||
	    (lut != NULL && lut_n != vp->rss_lut_size))
		return -EINVAL;
	rc = msgs_init(&m);
	if (rc < 0)
		return rc;
	if (key != NULL) {
		struct virtchnl2_rss_key *k = msgs_add(&m, VIRTCHNL2_OP_SET_RSS_KEY,
						       virtchnl2_rss_key_size(key_len));

		k->vport_id = vc2_cpu_le32(vp->vport_id);
		k->key_len = vc2_cpu_le16(key_len);
		memcpy(k->key, key, key_len);
	}
	if (lut != NULL) {
		struct virtchnl2_rss_lut *l = msgs_add(&m, VIRTCHNL2_OP_SET_RSS_LUT,
						       virtchnl2_rss_lut_size(lut_n));

		l->vport_id = vc2_cpu_le32(vp->vport_id);
		l->lut_entries = vc2_cpu_le16(lut_n);
		for (i = 0; i < lut_n; i++)
			l->lut[i] = vc2_cpu_le32(lut[i]);
	}
	if (set_hash) {
		struct virtchnl2_rss_hash *h = msgs_add(&m, VIRTCHNL2_OP_SET_RSS_HASH, sizeof(*h));

		h->vport_id = vc2_cpu_le32(vp->vport_id);
		h->ptype_groups = vc2_cpu_le64(hash);
	}
	rc = idpf_ctl_batch(ctl_of(vp), m.r, m.n, 0);
	msgs_fini(&m);
	return rc;
}

int
idpf_vport_rss_get(struct idpf_vport *vp, uint8_t *key, uint16_t *key_len, uint32_t *lut,
		   uint16_t lut_n, uint64_t *hash)
{
	struct virtchnl2_rss_key kreq = { .vport_id = vc2_cpu_le32(vp->vport_id),
					  .key_len = vc2_cpu_le16(vp->rss_key_size) };
	struct virtchnl2_rss_lut lreq = { .vport_id = vc2_cpu_le32(vp->vport_id),
					  .lut_entries = vc2_cpu_le16(vp->rss_lut_size) };
	struct virtchnl2_rss_hash hreq = { .vport_id = vc2_cpu_le32(vp->vport_id) };
	struct idpf_ctl_req r[3];
	uint8_t *bufs;
	unsigned int n = 0, ki = 3, li = 3, hi = 3;
	uint16_t i;
	int rc;

	bufs = calloc(3, VIRTCHNL2_MAX_MSG_LEN);
	if (bufs == NULL)
		return -ENOMEM;
	memset(r, 0, sizeof(r));
	if (key != NULL) {
		ki = n;
		r[n++] = (struct idpf_ctl_req){ VIRTCHNL2_OP_GET_RSS_KEY, &kreq, sizeof(kreq),
			bufs + ki * VIRTCHNL2_MAX_MSG_LEN, VIRTCHNL2_MAX_MSG_LEN, 0, NULL, NULL };
	}
	if (lut != NULL) {
		li = n;
		r[n++] = (struct idpf_ctl_req){ VIRTCHNL2_OP_GET_RSS_LUT, &lreq, sizeof(lreq),
			bufs + li * VIRTCHNL2_MAX_MSG_LEN, VIRTCHNL2_MAX_MSG_LEN, 0, NULL, NULL };
	}
	if (hash != NULL) {
		hi = n;
		r[n++] = (struct idpf_ctl_req){ VIRTCHNL2_OP_GET_RSS_HASH, &hreq, sizeof(hreq),
			bufs + hi * VIRTCHNL2_MAX_MSG_LEN, VIRTCHNL2_MAX_MSG_LEN, 0, NULL, NULL };
	}
	rc = idpf_ctl_batch(ctl_of(vp), r, n, 0);
	if (rc == 0 && key != NULL) {
		const struct virtchnl2_rss_key *k = r[ki].resp;
		uint16_t kl = vc2_le16(k->key_len);

		if ((size_t)r[ki].result < sizeof(*k) ||
		    (size_t)r[ki].result < virtchnl2_rss_key_size(kl) || kl > *key_len)
			rc = -EBADMSG;
		else {
			memcpy(key, k->key, kl);
			*key_len = kl;
		}
	}
	if (rc == 0 && lut != NULL) {
		const struct virtchnl2_rss_lut *l = r[li].resp;
		uint16_t ln = vc2_le16(l->lut_entries);

		if ((size_t)r[li].result < sizeof(*l) ||
		    (size_t)r[li].result < virtchnl2_rss_lut_size(ln) || ln > lut_n)
			rc = -EBADMSG;
		else
			for (i = 0; i < ln; i++)
				lut[i] = vc2_le32(l->lut[i]);
	}
	if (rc == 0 && hash != NULL) {
		const struct virtchnl2_rss_hash *h = r[hi].resp;

		if ((size_t)r[hi].result < sizeof(*h))
			rc = -EBADMSG;
		else
			*hash = vc2_le64(h->ptype_groups);
	}
	free(bufs);
	return rc;
}

uint64_t
idpf_rss_groups_of(const struct idpf_rss_map *map, unsigned int n, uint64_t types)
{
	uint64_t groups = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (types & map[i].types)
			groups |= map[i].groups;
	return groups;
}

uint64_t
idpf_rss_types_of(const struct idpf_rss_map *map, unsigned int n, uint64_t groups)
{
	uint64_t types = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (groups & map[i].groups)
			types |= map[i].types;
	return types;
}

/* ---- filters, modes, stats ---- */

int
idpf_vport_mac_filters(struct idpf_vport *vp, bool add, const uint8_t (*addrs)[6],
		       unsigned int n, int *results)
{
	uint32_t op = add ? VIRTCHNL2_OP_ADD_MAC_ADDR : VIRTCHNL2_OP_DEL_MAC_ADDR;
	unsigned int done = 0, i;
	int first_err = 0;

	while (done < n) {
		struct msgs m;
		int rc;

		rc = msgs_init(&m);
		if (rc < 0)
			return rc;
		for (i = done; i < n && m.n < MAX_BATCH; i++) {
			struct virtchnl2_mac_addr_list *l;

			l = msgs_add(&m, op, virtchnl2_mac_addr_list_size(1));
			l->vport_id = vc2_cpu_le32(vp->vport_id);
			l->num_mac_addr = vc2_cpu_le16(1);
			memcpy(l->mac_addr_list[0].addr, addrs[i], 6);
			l->mac_addr_list[0].type = VIRTCHNL2_MAC_ADDR_EXTRA;
		}
		idpf_ctl_batch(ctl_of(vp), m.r, m.n, 0);
		for (i = 0; i < m.n; i++) {
			results[done + i] = m.r[i].result < 0 ? m.r[i].result : 0;
			if (m.r[i].result < 0 && first_err == 0)
				first_err = m.r[i].result;
		}
		done += m.n;
		msgs_fini(&m);
	}
	return first_err;
}

int
idpf_vport_promisc(struct idpf_vport *vp, bool unicast, bool multicast)
{
	struct virtchnl2_promisc_info p = {
		.vport_id = vc2_cpu_le32(vp->vport_id),
		.flags = vc2_cpu_le16((unicast ? VIRTCHNL2_UNICAST_PROMISC : 0) |
				      (multicast ? VIRTCHNL2_MULTICAST_PROMISC : 0)),
	};

	return call_status(vp, VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, &p, sizeof(p));
}

int
idpf_vport_stats(struct idpf_vport *vp, uint64_t counters[VIRTCHNL2_VPORT_STATS_COUNTERS])
{
	struct virtchnl2_vport_stats s = { .vport_id = vc2_cpu_le32(vp->vport_id) };
	const uint64_t *c = &s.rx_bytes;
	unsigned int i;
	int rc;

	rc = idpf_ctl_call(ctl_of(vp), VIRTCHNL2_OP_GET_STATS, &s, sizeof(s), &s, sizeof(s), 0);
	if (rc < 0)
		return rc;
	if (rc != sizeof(s) || vc2_le32(s.vport_id) != vp->vport_id)
		return -EBADMSG;
	for (i = 0; i < VIRTCHNL2_VPORT_STATS_COUNTERS; i++)
		counters[i] = vc2_le64(c[i]);
	return 0;
}

int
idpf_vport_loopback(struct idpf_vport *vp, bool on)
{
	struct virtchnl2_loopback l = { .vport_id = vc2_cpu_le32(vp->vport_id), .enable = on };

	return call_status(vp, VIRTCHNL2_OP_LOOPBACK, &l, sizeof(l));
}
