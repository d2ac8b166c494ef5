/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated idpf control plane: data-path queues (allocation with the vport, CONFIG_TX/RX,
 * ENABLE/DISABLE/ADD/DEL_QUEUES) and interrupt vectors (ALLOC/DEALLOC, MAP/UNMAP).
 *
 * Every handler runs with emu_cp.lock held, validates the whole request first and only then
 * changes state, so a rejected request changes nothing. Statuses: a malformed message
 * (length, count, field value) ERR_EINVAL; an unknown vport ERR_ENXIO; a queue or vector id
 * the vport does not own ERR_ERANGE; an operation on an enabled queue ERR_EBUSY; enabling a
 * queue never configured ERR_ESM; no resource left ERR_ENOSPC.
 */

#include <string.h>

#include "emu_cp_priv.h"

int
emu_cp_qtype_index(uint32_t type)
{
	return type < EMU_CP_NB_QTYPES ? (int)type : -1;
}

struct emu_cp_queue *
emu_cp_queue_get(struct emu_cp *cp, uint32_t type, uint32_t id)
{
	int t = emu_cp_qtype_index(type);

	if (t < 0 || id < emu_cp_qid_base[t] || id - emu_cp_qid_base[t] >= cp->nb_queues[t])
		return NULL;
	return &cp->queues[t][id - emu_cp_qid_base[t]];
}

/* Return: the queue if vport slot @p slot owns it, else NULL. */
static struct emu_cp_queue *
owned_queue(struct emu_cp *cp, int slot, uint32_t type, uint32_t id)
{
	struct emu_cp_queue *q = emu_cp_queue_get(cp, type, id);

	return q != NULL && q->vport == slot ? q : NULL;
}

static int
vport_slot(struct emu_cp *cp, const struct emu_cp_vport *vp)
{
	return (int)(vp - cp->vports);
}

static void
queue_unmap(struct emu_cp *cp, struct emu_cp_queue *q)
{
	if (q->mapped && q->vector_id < cp->res.max_vectors && cp->vec_mapped[q->vector_id] > 0)
		cp->vec_mapped[q->vector_id]--;
	q->mapped = false;
}

static void
queue_free(struct emu_cp *cp, struct emu_cp_queue *q)
{
	queue_unmap(cp, q);
	memset(q, 0, sizeof(*q));
	q->vport = -1;
}

/* Longest run of free queues of type t: start in *start, length returned. */
static uint16_t
longest_free_run(struct emu_cp *cp, int t, uint16_t want, uint16_t *start)
{
	uint16_t best = 0, best_start = 0, run = 0, i;

	for (i = 0; i < cp->nb_queues[t]; i++) {
		if (cp->queues[t][i].vport >= 0) {
			run = 0;
			continue;
		}
		run++;
		if (run > best) {
			best = run;
			best_start = i + 1 - run;
			if (best >= want)
				break;	/* first fit */
		}
	}
	*start = best_start;
	return best < want ? best : want;
}

/*
 * Give vport @p vp one contiguous chunk per type of up to want[t] queues (exactly want[t]
 * when @p exact). Fills the reply chunks. All or nothing: on failure nothing is kept.
 */
static int32_t
queues_grant(struct emu_cp *cp, struct emu_cp_vport *vp, const uint16_t want[], bool exact,
	     struct virtchnl2_queue_reg_chunk *chunks, uint16_t *nb_chunks, uint16_t granted[])
{
	uint16_t start[EMU_CP_NB_QTYPES], n[EMU_CP_NB_QTYPES];
	int t, slot = vport_slot(cp, vp);
	uint16_t i;

	for (t = 0; t < EMU_CP_NB_QTYPES; t++) {
		n[t] = 0;
		if (want[t] == 0)
			continue;
		n[t] = longest_free_run(cp, t, want[t], &start[t]);
		if (n[t] == 0 || (exact && n[t] < want[t]))
			return VIRTCHNL2_STATUS_ERR_ENOSPC;
	}
	*nb_chunks = 0;
	for (t = 0; t < EMU_CP_NB_QTYPES; t++) {
		struct virtchnl2_queue_reg_chunk *c;

		granted[t] = n[t];
		if (n[t] == 0)
			continue;
		for (i = 0; i < n[t]; i++) {
			struct emu_cp_queue *q = &cp->queues[t][start[t] + i];

			memset(q, 0, sizeof(*q));
			q->vport = slot;
		}
		vp->nq[t] += n[t];
		c = &chunks[(*nb_chunks)++];
		memset(c, 0, sizeof(*c));
		c->type = vc2_cpu_le32((uint32_t)t);
		c->start_queue_id = vc2_cpu_le32(emu_cp_qid_base[t] + start[t]);
		c->num_queues = vc2_cpu_le32(n[t]);
		c->qtail_reg_start = vc2_cpu_le64(emu_cp_qtail_base[t] +
						  (uint64_t)start[t] * EMU_CP_QTAIL_SPACING);
		c->qtail_reg_spacing = vc2_cpu_le32(EMU_CP_QTAIL_SPACING);
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

int
emu_cp_queues_alloc(struct emu_cp *cp, struct emu_cp_vport *vp, const uint16_t want[],
		    struct virtchnl2_queue_reg_chunk *chunks, uint16_t *nb_chunks)
{
	uint16_t granted[EMU_CP_NB_QTYPES];

	return queues_grant(cp, vp, want, false, chunks, nb_chunks, granted);
}

void
emu_cp_queues_free_vport(struct emu_cp *cp, int slot)
{
	unsigned int t, i;

	for (t = 0; t < EMU_CP_NB_QTYPES; t++)
		for (i = 0; i < cp->nb_queues[t]; i++)
			if (cp->queues[t][i].vport == slot)
				queue_free(cp, &cp->queues[t][i]);
	cp->vports[slot].nq[0] = 0;
	cp->vports[slot].nq[1] = 0;
	cp->vports[slot].nq[2] = 0;
	cp->vports[slot].nq[3] = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* CONFIG_TX_QUEUES / CONFIG_RX_QUEUES                                                      */

static int32_t
check_txq(struct emu_cp *cp, const struct emu_cp_vport *vp, const struct virtchnl2_txq_info *qi)
{
	uint32_t type = vc2_le32(qi->type);
	int slot = vport_slot(cp, vp);
	struct emu_cp_queue *q;

	if (type != VIRTCHNL2_QUEUE_TYPE_TX && type != VIRTCHNL2_QUEUE_TYPE_TX_COMPLETION)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	if (vc2_le16(qi->model) != vp->txq_model ||
	    (type == VIRTCHNL2_QUEUE_TYPE_TX_COMPLETION &&
	     vp->txq_model != VIRTCHNL2_QUEUE_MODEL_SPLIT))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	q = owned_queue(cp, slot, type, vc2_le32(qi->queue_id));
	if (q == NULL)
		return VIRTCHNL2_STATUS_ERR_ERANGE;
	if (vc2_le16(qi->ring_len) == 0 || vc2_le64(qi->dma_ring_addr) == 0)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	if (type == VIRTCHNL2_QUEUE_TYPE_TX && vp->txq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT &&
	    owned_queue(cp, slot, VIRTCHNL2_QUEUE_TYPE_TX_COMPLETION,
			vc2_le16(qi->tx_compl_queue_id)) == NULL)
		return VIRTCHNL2_STATUS_ERR_ERANGE;
	if (q->enabled)
		return VIRTCHNL2_STATUS_ERR_EBUSY;
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_config_tx(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_config_tx_queues *in = msg;
	uint16_t n = vc2_le16(in->num_qinfo), i;
	struct emu_cp_vport *vp;
	int32_t st;

	if (n == 0 || !emu_cp_len_matches(len, sizeof(*in), sizeof(in->qinfo[0]), n))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	for (i = 0; i < n; i++) {
		st = check_txq(cp, vp, &in->qinfo[i]);
		if (st != VIRTCHNL2_STATUS_SUCCESS)
			return st;
	}
	for (i = 0; i < n; i++) {
		const struct virtchnl2_txq_info *qi = &in->qinfo[i];
		struct emu_cp_queue *q = emu_cp_queue_get(cp, vc2_le32(qi->type),
							  vc2_le32(qi->queue_id));

		q->configured = true;
		q->dma_ring_addr = vc2_le64(qi->dma_ring_addr);
		q->ring_len = vc2_le16(qi->ring_len);
		q->model = vc2_le16(qi->model);
		q->compl_queue_id = vc2_le16(qi->tx_compl_queue_id);
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* Largest frame accepted for max_pkt_size: MTU + Ethernet header, two VLAN tags, CRC. */
#define EMU_CP_L2_OVERHEAD 26

static int32_t
check_rxq(struct emu_cp *cp, const struct emu_cp_vport *vp, const struct virtchnl2_rxq_info *qi)
{
	uint32_t type = vc2_le32(qi->type);
	bool split = vp->rxq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT;
	int slot = vport_slot(cp, vp);
	struct emu_cp_queue *q;

	if (type != VIRTCHNL2_QUEUE_TYPE_RX && type != VIRTCHNL2_QUEUE_TYPE_RX_BUFFER)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	if (vc2_le16(qi->model) != vp->rxq_model ||
	    (type == VIRTCHNL2_QUEUE_TYPE_RX_BUFFER && !split))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	q = owned_queue(cp, slot, type, vc2_le32(qi->queue_id));
	if (q == NULL)
		return VIRTCHNL2_STATUS_ERR_ERANGE;
	if (vc2_le16(qi->ring_len) == 0 || vc2_le64(qi->dma_ring_addr) == 0)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	/* Whoever receives the buffers needs their size: RX (single) or buffer queue. */
	if ((type == VIRTCHNL2_QUEUE_TYPE_RX_BUFFER || !split) &&
	    vc2_le32(qi->data_buffer_size) == 0)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	if (type == VIRTCHNL2_QUEUE_TYPE_RX &&
	    vc2_le32(qi->max_pkt_size) > cp->res.max_mtu + EMU_CP_L2_OVERHEAD)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	if (type == VIRTCHNL2_QUEUE_TYPE_RX && split &&
	    (owned_queue(cp, slot, VIRTCHNL2_QUEUE_TYPE_RX_BUFFER,
			 vc2_le16(qi->rx_bufq1_id)) == NULL ||
	     (qi->bufq2_ena && owned_queue(cp, slot, VIRTCHNL2_QUEUE_TYPE_RX_BUFFER,
					   vc2_le16(qi->rx_bufq2_id)) == NULL)))
		return VIRTCHNL2_STATUS_ERR_ERANGE;
	if (q->enabled)
		return VIRTCHNL2_STATUS_ERR_EBUSY;
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_config_rx(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_config_rx_queues *in = msg;
	uint16_t n = vc2_le16(in->num_qinfo), i;
	struct emu_cp_vport *vp;
	int32_t st;

	if (n == 0 || !emu_cp_len_matches(len, sizeof(*in), sizeof(in->qinfo[0]), n))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	for (i = 0; i < n; i++) {
		st = check_rxq(cp, vp, &in->qinfo[i]);
		if (st != VIRTCHNL2_STATUS_SUCCESS)
			return st;
	}
	for (i = 0; i < n; i++) {
		const struct virtchnl2_rxq_info *qi = &in->qinfo[i];
		struct emu_cp_queue *q = emu_cp_queue_get(cp, vc2_le32(qi->type),
							  vc2_le32(qi->queue_id));

		q->configured = true;
		q->dma_ring_addr = vc2_le64(qi->dma_ring_addr);
		q->ring_len = vc2_le16(qi->ring_len);
		q->model = vc2_le16(qi->model);
		q->data_buffer_size = vc2_le32(qi->data_buffer_size);
		q->max_pkt_size = vc2_le32(qi->max_pkt_size);
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* ENABLE / DISABLE / DEL_QUEUES                                                            */

enum chunk_action { CHUNK_ENABLE, CHUNK_DISABLE, CHUNK_DEL };

/* Validate every queue named by the chunks for @p action. */
static int32_t
check_chunks(struct emu_cp *cp, int slot, const struct virtchnl2_del_ena_dis_queues *in,
	     uint16_t n, enum chunk_action action)
{
	uint16_t c;
	uint64_t id;

	for (c = 0; c < n; c++) {
		const struct virtchnl2_queue_chunk *ch = &in->chunks[c];
		uint32_t type = vc2_le32(ch->type), num = vc2_le32(ch->num_queues);
		uint64_t start = vc2_le32(ch->start_queue_id);

		if (emu_cp_qtype_index(type) < 0 || num == 0)
			return VIRTCHNL2_STATUS_ERR_EINVAL;
		for (id = start; id < start + num; id++) {
			struct emu_cp_queue *q = id > UINT32_MAX ? NULL :
				owned_queue(cp, slot, type, (uint32_t)id);

			if (q == NULL)
				return VIRTCHNL2_STATUS_ERR_ERANGE;
			if (action == CHUNK_ENABLE && !q->configured)
				return VIRTCHNL2_STATUS_ERR_ESM;
			if (action == CHUNK_DEL && q->enabled)
				return VIRTCHNL2_STATUS_ERR_EBUSY;
		}
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

static int32_t
chunks_op(struct emu_cp *cp, const void *msg, uint16_t len, enum chunk_action action)
{
	const struct virtchnl2_del_ena_dis_queues *in = msg;
	uint16_t n = vc2_le16(in->num_chunks), c;
	struct emu_cp_vport *vp;
	int32_t st;
	int slot;

	if (n == 0 || !emu_cp_len_matches(len, sizeof(*in), sizeof(in->chunks[0]), n))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	slot = vport_slot(cp, vp);
	st = check_chunks(cp, slot, in, n, action);
	if (st != VIRTCHNL2_STATUS_SUCCESS)
		return st;
	for (c = 0; c < n; c++) {
		const struct virtchnl2_queue_chunk *ch = &in->chunks[c];
		uint32_t type = vc2_le32(ch->type), num = vc2_le32(ch->num_queues);
		uint32_t start = vc2_le32(ch->start_queue_id), i;

		for (i = 0; i < num; i++) {
			struct emu_cp_queue *q = owned_queue(cp, slot, type, start + i);

			if (q == NULL)	/* deleted by an earlier chunk naming it too */
				continue;
			if (action == CHUNK_ENABLE) {
				q->enabled = true;
			} else if (action == CHUNK_DISABLE) {
				q->enabled = false;
			} else {
				queue_free(cp, q);
				vp->nq[type]--;
			}
		}
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_enable_queues(struct emu_cp *cp, const void *msg, uint16_t len)
{
	return chunks_op(cp, msg, len, CHUNK_ENABLE);
}

int32_t
emu_cp_op_disable_queues(struct emu_cp *cp, const void *msg, uint16_t len)
{
	return chunks_op(cp, msg, len, CHUNK_DISABLE);
}

int32_t
emu_cp_op_del_queues(struct emu_cp *cp, const void *msg, uint16_t len)
{
	return chunks_op(cp, msg, len, CHUNK_DEL);
}

/* ---------------------------------------------------------------------------------------- */
/* ADD_QUEUES                                                                               */

int32_t
emu_cp_op_add_queues(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_add_queues *in = msg;
	struct virtchnl2_add_queues *out = (void *)cp->reply.buf;
	struct virtchnl2_queue_reg_chunk chunks[EMU_CP_NB_QTYPES];
	uint16_t want[EMU_CP_NB_QTYPES], granted[EMU_CP_NB_QTYPES], nb_chunks = 0;
	struct emu_cp_vport *vp;
	int32_t st;

	(void)len; /* the CP fills the chunks: any trailing bytes are ignored */
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	want[0] = vc2_le16(in->num_tx_q);
	want[1] = vc2_le16(in->num_rx_q);
	want[2] = vc2_le16(in->num_tx_complq);
	want[3] = vc2_le16(in->num_rx_bufq);
	if ((want[0] | want[1] | want[2] | want[3]) == 0 ||
	    (want[2] != 0 && vp->txq_model != VIRTCHNL2_QUEUE_MODEL_SPLIT) ||
	    (want[3] != 0 && vp->rxq_model != VIRTCHNL2_QUEUE_MODEL_SPLIT))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	st = queues_grant(cp, vp, want, true, chunks, &nb_chunks, granted);
	if (st != VIRTCHNL2_STATUS_SUCCESS)
		return st;
	memset(out, 0, sizeof(*out));
	out->vport_id = in->vport_id;
	out->num_tx_q = vc2_cpu_le16(granted[0]);
	out->num_rx_q = vc2_cpu_le16(granted[1]);
	out->num_tx_complq = vc2_cpu_le16(granted[2]);
	out->num_rx_bufq = vc2_cpu_le16(granted[3]);
	out->chunks.num_chunks = vc2_cpu_le16(nb_chunks);
	memcpy(cp->reply.buf + sizeof(*out), chunks, nb_chunks * sizeof(chunks[0]));
	cp->reply.len = (uint16_t)virtchnl2_add_queues_size(nb_chunks);
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* MAP / UNMAP_QUEUE_VECTOR                                                                 */

static int32_t
qv_maps_op(struct emu_cp *cp, const void *msg, uint16_t len, bool map)
{
	const struct virtchnl2_queue_vector_maps *in = msg;
	uint16_t n = vc2_le16(in->num_qv_maps), i;
	struct emu_cp_vport *vp;
	int slot;

	if (n == 0 || !emu_cp_len_matches(len, sizeof(*in), sizeof(in->qv_maps[0]), n))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	slot = vport_slot(cp, vp);
	for (i = 0; i < n; i++) {
		const struct virtchnl2_queue_vector *m = &in->qv_maps[i];
		uint32_t type = vc2_le32(m->queue_type);
		uint16_t vec = vc2_le16(m->vector_id);

		if (emu_cp_qtype_index(type) < 0)
			return VIRTCHNL2_STATUS_ERR_EINVAL;
		if (owned_queue(cp, slot, type, vc2_le32(m->queue_id)) == NULL)
			return VIRTCHNL2_STATUS_ERR_ERANGE;
		if (!map)
			continue;
		if (vec >= cp->res.max_vectors || !cp->vec_allocated[vec])
			return VIRTCHNL2_STATUS_ERR_ERANGE;
		if (vc2_le32(m->itr_idx) > VIRTCHNL2_ITR_IDX_MAX)
			return VIRTCHNL2_STATUS_ERR_EINVAL;
	}
	for (i = 0; i < n; i++) {
		const struct virtchnl2_queue_vector *m = &in->qv_maps[i];
		struct emu_cp_queue *q = owned_queue(cp, slot, vc2_le32(m->queue_type),
						     vc2_le32(m->queue_id));

		queue_unmap(cp, q);	/* a second MAP moves the queue */
		if (!map)
			continue;
		q->mapped = true;
		q->vector_id = vc2_le16(m->vector_id);
		q->itr_idx = (uint8_t)vc2_le32(m->itr_idx);
		cp->vec_mapped[q->vector_id]++;
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_map_vectors(struct emu_cp *cp, const void *msg, uint16_t len)
{
	return qv_maps_op(cp, msg, len, true);
}

int32_t
emu_cp_op_unmap_vectors(struct emu_cp *cp, const void *msg, uint16_t len)
{
	return qv_maps_op(cp, msg, len, false);
}

/* ---------------------------------------------------------------------------------------- */
/* ALLOC / DEALLOC_VECTORS                                                                  */

static void
fill_vchunk(struct virtchnl2_vector_chunk *c, uint16_t start, uint16_t n)
{
	memset(c, 0, sizeof(*c));
	c->start_vector_id = vc2_cpu_le16(start);
	c->start_evv_id = vc2_cpu_le16(start);
	c->num_vectors = vc2_cpu_le16(n);
	c->dynctl_reg_start = vc2_cpu_le32(EMU_CP_DYNCTL_BASE + start * EMU_CP_DYNCTL_SPACING);
	c->dynctl_reg_spacing = vc2_cpu_le32(EMU_CP_DYNCTL_SPACING);
	c->itrn_reg_start = vc2_cpu_le32(EMU_CP_ITRN_BASE + start * EMU_CP_ITRN_SPACING);
	c->itrn_reg_spacing = vc2_cpu_le32(EMU_CP_ITRN_SPACING);
	c->itrn_index_spacing = vc2_cpu_le32(EMU_CP_ITRN_INDEX_SPACING);
}

int32_t
emu_cp_op_alloc_vectors(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_alloc_vectors *in = msg;
	struct virtchnl2_alloc_vectors *out = (void *)cp->reply.buf;
	const size_t max_chunks = VIRTCHNL2_MAX_ELEMS(virtchnl2_alloc_vectors,
						      virtchnl2_vector_chunk);
	uint16_t want = vc2_le16(in->num_vectors), got = 0, nb = 0, v, run_start = 0, run = 0;
	uint16_t avail;

	(void)len; /* the CP fills the chunks: any trailing bytes are ignored */
	if (want == 0)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	avail = cp->granted_vectors - 1 - cp->vectors_in_use;
	if (want > avail)
		return VIRTCHNL2_STATUS_ERR_ENOSPC;
	memset(out, 0, sizeof(*out));
	/* First fit over the granted pool, one chunk per contiguous run. A run ends at an
	 * allocated vector; count the chunks before taking anything so that failing leaves
	 * nothing behind.
	 */
	for (v = EMU_CP_MBX_VECTOR + 1; v < cp->granted_vectors && got < want; v++) {
		if (cp->vec_allocated[v]) {
			if (run > 0)
				nb++;
			run = 0;
			continue;
		}
		run++;
		got++;
	}
	if (run > 0)
		nb++;
	if (got < want || nb > max_chunks)
		return VIRTCHNL2_STATUS_ERR_ENOSPC;
	nb = 0;
	got = 0;
	run = 0;
	for (v = EMU_CP_MBX_VECTOR + 1; v < cp->granted_vectors && got < want; v++) {
		if (cp->vec_allocated[v]) {
			if (run > 0)
				fill_vchunk(&out->vchunks.vchunks[nb++], run_start, run);
			run = 0;
			continue;
		}
		if (run == 0)
			run_start = v;
		cp->vec_allocated[v] = 1;
		run++;
		got++;
	}
	if (run > 0)
		fill_vchunk(&out->vchunks.vchunks[nb++], run_start, run);
	cp->vectors_in_use += got;
	out->num_vectors = vc2_cpu_le16(got);
	out->vchunks.num_vchunks = vc2_cpu_le16(nb);
	cp->reply.len = (uint16_t)virtchnl2_alloc_vectors_size(nb);
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_dealloc_vectors(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_vector_chunks *in = msg;
	uint16_t n = vc2_le16(in->num_vchunks), c;
	uint32_t v;

	if (n == 0 || !emu_cp_len_matches(len, sizeof(*in), sizeof(in->vchunks[0]), n))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	for (c = 0; c < n; c++) {
		uint32_t start = vc2_le16(in->vchunks[c].start_vector_id);
		uint32_t num = vc2_le16(in->vchunks[c].num_vectors);

		if (num == 0)
			return VIRTCHNL2_STATUS_ERR_EINVAL;
		if (start <= EMU_CP_MBX_VECTOR || start + num > cp->res.max_vectors)
			return VIRTCHNL2_STATUS_ERR_ERANGE;
		for (v = start; v < start + num; v++) {
			if (!cp->vec_allocated[v])
				return VIRTCHNL2_STATUS_ERR_EINVAL;
			if (cp->vec_mapped[v] > 0)
				return VIRTCHNL2_STATUS_ERR_EBUSY;
		}
	}
	for (c = 0; c < n; c++) {
		uint32_t start = vc2_le16(in->vchunks[c].start_vector_id);
		uint32_t num = vc2_le16(in->vchunks[c].num_vectors);

		for (v = start; v < start + num; v++)
			if (cp->vec_allocated[v]) {	/* chunks may overlap */
				cp->vec_allocated[v] = 0;
				cp->vectors_in_use--;
			}
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}
