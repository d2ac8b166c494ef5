/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated idpf control plane: life cycle, request dispatch, VERSION, GET_CAPS, vports,
 * GET_STATS, link events and the snapshot calls.
 *
 * One dispatch table names every opcode the control plane knows, its handler, its minimum
 * length and the state it needs. emu_cp_handle() checks those generic rules, runs the
 * handler under the lock (the handler validates the whole request before it changes any
 * state, so a rejected request leaves no trace), then emits the reply with the lock released.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu_cp_priv.h"

/* What a request needs before it is accepted. */
#define OPF_NEED_VERSION 0x1	/* VERSION 2.x seen since the last reset */
#define OPF_NEED_CAPS 0x2	/* GET_CAPS answered since the last reset */
#define OPF_NO_REPLY 0x4	/* the CP never answers (RESET_VF) */
#define OPF_MULTI 0x8		/* the handler emits its own replies, lock released */

typedef int32_t (*emu_cp_op_fn)(struct emu_cp *cp, const void *msg, uint16_t len);

struct emu_cp_op {
	uint32_t opcode;
	emu_cp_op_fn fn;
	uint16_t min_len;
	uint16_t flags;
};

static int32_t op_version(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_get_caps(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_create_vport(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_destroy_vport(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_enable_vport(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_disable_vport(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_get_stats(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_reset_vf(struct emu_cp *cp, const void *msg, uint16_t len);
static int32_t op_get_ptype_info(struct emu_cp *cp, const void *msg, uint16_t len);

#define V OPF_NEED_VERSION
#define C (OPF_NEED_VERSION | OPF_NEED_CAPS)
static const struct emu_cp_op emu_cp_ops[] = {
	{ VIRTCHNL2_OP_VERSION, op_version, sizeof(struct virtchnl2_version_info), 0 },
	{ VIRTCHNL2_OP_GET_CAPS, op_get_caps, sizeof(struct virtchnl2_get_capabilities), V },
	{ VIRTCHNL2_OP_CREATE_VPORT, op_create_vport, sizeof(struct virtchnl2_create_vport), C },
	{ VIRTCHNL2_OP_DESTROY_VPORT, op_destroy_vport, sizeof(struct virtchnl2_vport), V },
	{ VIRTCHNL2_OP_ENABLE_VPORT, op_enable_vport, sizeof(struct virtchnl2_vport), V },
	{ VIRTCHNL2_OP_DISABLE_VPORT, op_disable_vport, sizeof(struct virtchnl2_vport), V },
	{ VIRTCHNL2_OP_CONFIG_TX_QUEUES, emu_cp_op_config_tx,
		sizeof(struct virtchnl2_config_tx_queues), V },
	{ VIRTCHNL2_OP_CONFIG_RX_QUEUES, emu_cp_op_config_rx,
		sizeof(struct virtchnl2_config_rx_queues), V },
	{ VIRTCHNL2_OP_ENABLE_QUEUES, emu_cp_op_enable_queues,
		sizeof(struct virtchnl2_del_ena_dis_queues), V },
	{ VIRTCHNL2_OP_DISABLE_QUEUES, emu_cp_op_disable_queues,
		sizeof(struct virtchnl2_del_ena_dis_queues), V },
	{ VIRTCHNL2_OP_ADD_QUEUES, emu_cp_op_add_queues, sizeof(struct virtchnl2_add_queues), C },
	{ VIRTCHNL2_OP_DEL_QUEUES, emu_cp_op_del_queues,
		sizeof(struct virtchnl2_del_ena_dis_queues), V },
	{ VIRTCHNL2_OP_MAP_QUEUE_VECTOR, emu_cp_op_map_vectors,
		sizeof(struct virtchnl2_queue_vector_maps), V },
	{ VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR, emu_cp_op_unmap_vectors,
		sizeof(struct virtchnl2_queue_vector_maps), V },
	{ VIRTCHNL2_OP_GET_RSS_KEY, emu_cp_op_get_rss_key, sizeof(struct virtchnl2_rss_key), V },
	{ VIRTCHNL2_OP_SET_RSS_KEY, emu_cp_op_set_rss_key, sizeof(struct virtchnl2_rss_key), V },
	{ VIRTCHNL2_OP_GET_RSS_LUT, emu_cp_op_get_rss_lut, sizeof(struct virtchnl2_rss_lut), V },
	{ VIRTCHNL2_OP_SET_RSS_LUT, emu_cp_op_set_rss_lut, sizeof(struct virtchnl2_rss_lut), V },
	{ VIRTCHNL2_OP_GET_RSS_HASH, emu_cp_op_get_rss_hash, sizeof(struct virtchnl2_rss_hash),
		V },
	{ VIRTCHNL2_OP_SET_RSS_HASH, emu_cp_op_set_rss_hash, sizeof(struct virtchnl2_rss_hash),
		V },
	{ VIRTCHNL2_OP_ALLOC_VECTORS, emu_cp_op_alloc_vectors,
		sizeof(struct virtchnl2_alloc_vectors), C },
	{ VIRTCHNL2_OP_DEALLOC_VECTORS, emu_cp_op_dealloc_vectors,
		sizeof(struct virtchnl2_vector_chunks), V },
	{ VIRTCHNL2_OP_GET_STATS, op_get_stats, sizeof(struct virtchnl2_vport_stats), V },
	{ VIRTCHNL2_OP_RESET_VF, op_reset_vf, 0, OPF_NO_REPLY },
	{ VIRTCHNL2_OP_GET_PTYPE_INFO, op_get_ptype_info, sizeof(struct virtchnl2_get_ptype_info),
		V | OPF_MULTI },
	{ VIRTCHNL2_OP_LOOPBACK, emu_cp_op_loopback, sizeof(struct virtchnl2_loopback), V },
	{ VIRTCHNL2_OP_ADD_MAC_ADDR, emu_cp_op_add_mac, sizeof(struct virtchnl2_mac_addr_list),
		V },
	{ VIRTCHNL2_OP_DEL_MAC_ADDR, emu_cp_op_del_mac, sizeof(struct virtchnl2_mac_addr_list),
		V },
	{ VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, emu_cp_op_promisc,
		sizeof(struct virtchnl2_promisc_info), V },
};
#undef V
#undef C

#define EMU_CP_NB_OPS (sizeof(emu_cp_ops) / sizeof(emu_cp_ops[0]))

static int
op_index(uint32_t opcode)
{
	unsigned int i;

	for (i = 0; i < EMU_CP_NB_OPS; i++)
		if (emu_cp_ops[i].opcode == opcode)
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers shared with the other files                                                      */

struct emu_cp_vport *
emu_cp_vport_find(struct emu_cp *cp, uint32_t vport_id)
{
	unsigned int i;

	for (i = 0; i < cp->res.max_vports; i++)
		if (cp->vports[i].used && cp->vports[i].id == vport_id)
			return &cp->vports[i];
	return NULL;
}

struct emu_cp_vport *
emu_cp_vport_req(struct emu_cp *cp, uint32_t vport_id)
{
	struct emu_cp_vport *vp = emu_cp_vport_find(cp, vport_id);

	if (vp != NULL)
		vp->requests++;
	return vp;
}

/** Return: true when @p len is exactly hdr + n * elem. */
bool
emu_cp_len_matches(uint16_t len, size_t hdr, size_t elem, uint32_t n)
{
	return (uint64_t)len == (uint64_t)hdr + (uint64_t)elem * n;
}

/** Free a vport slot with its queues, vector mappings and filters. Caller holds the lock. */
void
emu_cp_vport_release(struct emu_cp *cp, struct emu_cp_vport *vp)
{
	struct emu_cp_mac *macs = vp->macs;
	uint8_t *key = vp->rss_key;
	uint32_t *lut = vp->rss_lut;

	emu_cp_queues_free_vport(cp, (int)(vp - cp->vports));
	memset(vp, 0, sizeof(*vp));
	/* The per-vport arrays are allocated once with the slot and kept. */
	vp->macs = macs;
	vp->rss_key = key;
	vp->rss_lut = lut;
}

/* ---------------------------------------------------------------------------------------- */
/* Life cycle                                                                               */

static bool
resources_valid(const struct emu_cp_resources *res)
{
	return res != NULL && res->max_vports >= 1 && res->max_vports <= EMU_CP_MAX_VPORTS &&
	       res->max_queues >= 1 && res->max_queues <= EMU_CP_MAX_QUEUES &&
	       res->max_vectors >= 2 && res->max_vectors <= EMU_CP_MAX_VECTORS &&
	       res->rss_lut_size >= 1 && res->rss_lut_size <= EMU_CP_MAX_LUT &&
	       res->rss_key_size >= 1 && res->rss_key_size <= EMU_CP_MAX_KEY &&
	       res->max_mac_filters >= 1 && res->max_mac_filters <= EMU_CP_MAX_MACS &&
	       res->max_mtu >= 68 && res->max_mtu <= UINT16_MAX;
}

struct emu_cp *
emu_cp_create(const struct emu_cp_resources *res)
{
	struct emu_cp *cp;
	unsigned int i;

	if (!resources_valid(res))
		return NULL;
	cp = calloc(1, sizeof(*cp));
	if (cp == NULL)
		return NULL;
	cp->res = *res;
	cp->nb_queues[0] = res->max_queues;		/* TX */
	cp->nb_queues[1] = res->max_queues;		/* RX */
	cp->nb_queues[2] = res->max_queues;		/* TX completion */
	cp->nb_queues[3] = 2 * res->max_queues;		/* RX buffer: two per RX queue */
	cp->vports = calloc(res->max_vports, sizeof(*cp->vports));
	cp->vec_allocated = calloc(res->max_vectors, sizeof(*cp->vec_allocated));
	cp->vec_mapped = calloc(res->max_vectors, sizeof(*cp->vec_mapped));
	cp->ops = calloc(EMU_CP_NB_OPS, sizeof(*cp->ops));
	if (cp->vports == NULL || cp->vec_allocated == NULL || cp->vec_mapped == NULL ||
	    cp->ops == NULL)
		goto fail;
	for (i = 0; i < EMU_CP_NB_QTYPES; i++) {
		cp->queues[i] = calloc(cp->nb_queues[i], sizeof(*cp->queues[i]));
		if (cp->queues[i] == NULL)
			goto fail;
	}
	for (i = 0; i < res->max_vports; i++) {
		struct emu_cp_vport *vp = &cp->vports[i];

		vp->macs = calloc(res->max_mac_filters, sizeof(*vp->macs));
		vp->rss_key = calloc(res->rss_key_size, 1);
		vp->rss_lut = calloc(res->rss_lut_size, sizeof(*vp->rss_lut));
		if (vp->macs == NULL || vp->rss_key == NULL || vp->rss_lut == NULL)
			goto fail;
	}
	if (pthread_mutex_init(&cp->lock, NULL) != 0)
		goto fail;
	emu_cp_reset(cp);
	cp->resets = 0;
	return cp;
fail:
	if (cp->vports != NULL)
		for (i = 0; i < res->max_vports; i++) {
			free(cp->vports[i].macs);
			free(cp->vports[i].rss_key);
			free(cp->vports[i].rss_lut);
		}
	for (i = 0; i < EMU_CP_NB_QTYPES; i++)
		free(cp->queues[i]);
	free(cp->ops);
	free(cp->vec_mapped);
	free(cp->vec_allocated);
	free(cp->vports);
	free(cp);
	return NULL;
}

void
emu_cp_destroy(struct emu_cp *cp)
{
	unsigned int i;

	if (cp == NULL)
		return;
	for (i = 0; i < cp->res.max_vports; i++) {
		free(cp->vports[i].macs);
		free(cp->vports[i].rss_key);
		free(cp->vports[i].rss_lut);
	}
	for (i = 0; i < EMU_CP_NB_QTYPES; i++)
		free(cp->queues[i]);
	free(cp->ops);
	free(cp->vec_mapped);
	free(cp->vec_allocated);
	free(cp->vports);
	pthread_mutex_destroy(&cp->lock);
	free(cp);
}

/* Back to the post-reset state. Caller holds the lock (or owns cp exclusively). */
static void
reset_locked(struct emu_cp *cp)
{
	unsigned int i, t;

	for (i = 0; i < cp->res.max_vports; i++)
		if (cp->vports[i].used)
			emu_cp_vport_release(cp, &cp->vports[i]);
	for (t = 0; t < EMU_CP_NB_QTYPES; t++)
		for (i = 0; i < cp->nb_queues[t]; i++) {
			memset(&cp->queues[t][i], 0, sizeof(cp->queues[t][i]));
			cp->queues[t][i].vport = -1;
		}
	memset(cp->vec_allocated, 0, cp->res.max_vectors * sizeof(*cp->vec_allocated));
	memset(cp->vec_mapped, 0, cp->res.max_vectors * sizeof(*cp->vec_mapped));
	cp->versioned = false;
	cp->caps_done = false;
	cp->drv_major = 0;
	cp->drv_minor = 0;
	cp->granted_vectors = 0;
	cp->vectors_in_use = 0;
	cp->next_vport_id = 1;
	cp->resets++;
}

void
emu_cp_reset(struct emu_cp *cp)
{
	if (cp == NULL)
		return;
	pthread_mutex_lock(&cp->lock);
	reset_locked(cp);
	pthread_mutex_unlock(&cp->lock);
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch                                                                                 */

void
emu_cp_handle(struct emu_cp *cp, uint32_t v_opcode, const void *msg, uint16_t len,
	      emu_cp_emit_t emit, void *ctx)
{
	struct emu_cp_reply *r;
	const struct emu_cp_op *op;
	int idx;

	if (cp == NULL || emit == NULL)
		return;
	if (msg == NULL || len > VIRTCHNL2_MAX_MSG_LEN)
		len = msg == NULL ? 0 : VIRTCHNL2_MAX_MSG_LEN;
	r = &cp->reply;
	/* Aligned private copy: handlers read the request through the wire structures. */
	if (len > 0)
		memcpy(cp->req, msg, len);
	memset(cp->req + len, 0, sizeof(cp->req) - len);
	/* Default reply: the request echoed back with the status (never 0 bytes if the
	 * request had some: DPDK cannot take an empty reply).
	 */
	memcpy(r->buf, cp->req, len);
	r->len = len;
	r->none = false;

	pthread_mutex_lock(&cp->lock);
	idx = op_index(v_opcode & VIRTCHNL2_OPCODE_MASK);
	if (idx < 0 || v_opcode > VIRTCHNL2_OPCODE_MASK) {
		cp->unknown_requests++;
		r->status = VIRTCHNL2_STATUS_ERR_ESRCH;
		op = NULL;
	} else {
		op = &emu_cp_ops[idx];
		cp->ops[idx].requests++;
		if ((op->flags & OPF_NEED_VERSION) && !cp->versioned)
			r->status = VIRTCHNL2_STATUS_ERR_ESM;
		else if ((op->flags & OPF_NEED_CAPS) && !cp->caps_done)
			r->status = VIRTCHNL2_STATUS_ERR_ESM;
		else if (len < op->min_len)
			r->status = VIRTCHNL2_STATUS_ERR_EINVAL;
		else
			r->status = op->fn(cp, cp->req, len);
		if (r->status != VIRTCHNL2_STATUS_SUCCESS)
			cp->ops[idx].errors++;
		if (op->flags & OPF_NO_REPLY)
			r->none = true;
	}
	pthread_mutex_unlock(&cp->lock);

	if (r->none)
		return;
	if (op != NULL && (op->flags & OPF_MULTI) && r->status == VIRTCHNL2_STATUS_SUCCESS) {
		emu_cp_ptype_emit(cp, cp->req, emit, ctx);
		return;
	}
	emit(ctx, v_opcode, r->status, r->len > 0 ? r->buf : NULL, r->len);
}

/* ---------------------------------------------------------------------------------------- */
/* VERSION, GET_CAPS, RESET_VF, GET_PTYPE_INFO                                              */

static int32_t
op_version(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_version_info *in = msg;
	struct virtchnl2_version_info *out = (void *)cp->reply.buf;

	if (len != sizeof(*in))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	cp->drv_major = vc2_le32(in->major);
	cp->drv_minor = vc2_le32(in->minor);
	/* The CP always answers with its own version; only a 2.x driver may go on. */
	cp->versioned = cp->drv_major == VIRTCHNL2_VERSION_MAJOR;
	out->major = vc2_cpu_le32(VIRTCHNL2_VERSION_MAJOR);
	out->minor = vc2_cpu_le32(VIRTCHNL2_VERSION_MINOR);
	cp->reply.len = sizeof(*out);
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* Capabilities the emulated device can grant. */
#define EMU_CP_CSUM_CAPS 0x00ffffffu
#define EMU_CP_SEG_CAPS 0x000001ffu
#define EMU_CP_HSPLIT_CAPS 0x0000000fu
#define EMU_CP_RSC_CAPS 0x0000000fu
#define EMU_CP_RSS_CAPS 0x3fffULL
#define EMU_CP_OTHER_CAPS (VIRTCHNL2_CAP_MACFILTER | VIRTCHNL2_CAP_SPLITQ_QSCHED | \
	VIRTCHNL2_CAP_WB_ON_ITR | VIRTCHNL2_CAP_PROMISC | VIRTCHNL2_CAP_LINK_SPEED | \
	VIRTCHNL2_CAP_PTYPE | VIRTCHNL2_CAP_LOOPBACK)

static int32_t
op_get_caps(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_get_capabilities *in = msg;
	struct virtchnl2_get_capabilities *out = (void *)cp->reply.buf;
	uint16_t want_vec;

	if (len != sizeof(*in))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	want_vec = vc2_le16(in->num_allocated_vectors);
	memset(out, 0, sizeof(*out));
	out->csum_caps = vc2_cpu_le32(vc2_le32(in->csum_caps) & EMU_CP_CSUM_CAPS);
	out->seg_caps = vc2_cpu_le32(vc2_le32(in->seg_caps) & EMU_CP_SEG_CAPS);
	out->hsplit_caps = vc2_cpu_le32(vc2_le32(in->hsplit_caps) & EMU_CP_HSPLIT_CAPS);
	out->rsc_caps = vc2_cpu_le32(vc2_le32(in->rsc_caps) & EMU_CP_RSC_CAPS);
	out->rss_caps = vc2_cpu_le64(vc2_le64(in->rss_caps) & EMU_CP_RSS_CAPS);
	out->other_caps = vc2_cpu_le64(vc2_le64(in->other_caps) & EMU_CP_OTHER_CAPS);
	out->mailbox_dyn_ctl = vc2_cpu_le32(EMU_CP_DYNCTL_BASE);
	out->mailbox_vector_id = vc2_cpu_le16(EMU_CP_MBX_VECTOR);
	/* 0 asks for "whatever you have": both drivers need at least 2 (mailbox + one). */
	cp->granted_vectors = want_vec == 0 || want_vec > cp->res.max_vectors ?
			      cp->res.max_vectors : want_vec;
	if (cp->granted_vectors < 2)
		cp->granted_vectors = 2;
	out->num_allocated_vectors = vc2_cpu_le16(cp->granted_vectors);
	out->max_rx_q = vc2_cpu_le16(cp->nb_queues[1]);
	out->max_tx_q = vc2_cpu_le16(cp->nb_queues[0]);
	out->max_tx_complq = vc2_cpu_le16(cp->nb_queues[2]);
	out->max_rx_bufq = vc2_cpu_le16(cp->nb_queues[3]);
	out->max_sriov_vfs = 0;
	out->max_vports = vc2_cpu_le16(cp->res.max_vports);
	out->default_num_vports = vc2_cpu_le16(1);
	out->max_tx_hdr_size = vc2_cpu_le16(256);
	out->max_sg_bufs_per_tx_pkt = 10;
	out->device_type = 0;
	cp->reply.len = sizeof(*out);
	cp->caps_done = true;
	return VIRTCHNL2_STATUS_SUCCESS;
}

static int32_t
op_reset_vf(struct emu_cp *cp, const void *msg, uint16_t len)
{
	(void)msg;
	(void)len;
	reset_locked(cp);
	return VIRTCHNL2_STATUS_SUCCESS;
}

static int32_t
op_get_ptype_info(struct emu_cp *cp, const void *msg, uint16_t len)
{
	(void)cp;
	return emu_cp_ptype_check(msg, len);
}

/* ---------------------------------------------------------------------------------------- */
/* Vports                                                                                   */

static int32_t
op_create_vport(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_create_vport *in = msg;
	struct virtchnl2_create_vport *out = (void *)cp->reply.buf;
	struct virtchnl2_queue_reg_chunk chunks[EMU_CP_NB_QTYPES];
	uint16_t want[EMU_CP_NB_QTYPES], nb_chunks = 0;
	uint16_t txq_model = vc2_le16(in->txq_model), rxq_model = vc2_le16(in->rxq_model);
	struct emu_cp_vport *vp = NULL;
	unsigned int i;
	int32_t st;

	(void)len; /* the CP fills the chunks: any trailing bytes are ignored */
	if (vc2_le16(in->vport_type) != VIRTCHNL2_VPORT_TYPE_DEFAULT ||
	    txq_model > VIRTCHNL2_QUEUE_MODEL_SPLIT || rxq_model > VIRTCHNL2_QUEUE_MODEL_SPLIT)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	want[0] = vc2_le16(in->num_tx_q);
	want[1] = vc2_le16(in->num_rx_q);
	want[2] = txq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT ? vc2_le16(in->num_tx_complq) : 0;
	want[3] = rxq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT ? vc2_le16(in->num_rx_bufq) : 0;
	if (want[0] == 0 || want[1] == 0 ||
	    (txq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT && want[2] == 0) ||
	    (rxq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT && want[3] == 0))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	for (i = 0; i < cp->res.max_vports; i++)
		if (!cp->vports[i].used) {
			vp = &cp->vports[i];
			break;
		}
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENOSPC;
	vp->used = true;
	vp->id = cp->next_vport_id;
	vp->vport_index = vc2_le16(in->vport_index);
	vp->txq_model = txq_model;
	vp->rxq_model = rxq_model;
	st = emu_cp_queues_alloc(cp, vp, want, chunks, &nb_chunks);
	if (st != VIRTCHNL2_STATUS_SUCCESS) {
		emu_cp_vport_release(cp, vp);
		return st;
	}
	cp->next_vport_id++;
	/* Locally administered unicast MAC, unique per vport id. */
	vp->mac[0] = 0x02;
	vp->mac[1] = 0x1d;
	vp->mac[2] = 0xf0;
	vp->mac[3] = (uint8_t)(vp->id >> 16);
	vp->mac[4] = (uint8_t)(vp->id >> 8);
	vp->mac[5] = (uint8_t)vp->id;
	vp->link_up = false;
	emu_cp_vport_config_init(cp, vp);

	memset(out, 0, sizeof(*out));
	out->vport_type = in->vport_type;
	out->txq_model = vc2_cpu_le16(txq_model);
	out->rxq_model = vc2_cpu_le16(rxq_model);
	out->num_tx_q = vc2_cpu_le16(vp->nq[0]);
	out->num_tx_complq = vc2_cpu_le16(vp->nq[2]);
	out->num_rx_q = vc2_cpu_le16(vp->nq[1]);
	out->num_rx_bufq = vc2_cpu_le16(vp->nq[3]);
	out->default_rx_q = 0;
	out->vport_index = vc2_cpu_le16(vp->vport_index);
	out->max_mtu = vc2_cpu_le16((uint16_t)cp->res.max_mtu);
	out->vport_id = vc2_cpu_le32(vp->id);
	memcpy(out->default_mac_addr, vp->mac, sizeof(vp->mac));
	out->rx_desc_ids = vc2_cpu_le64((1ULL << VIRTCHNL2_RXDID_1_32B_BASE) |
					(1ULL << VIRTCHNL2_RXDID_2_FLEX_SPLITQ));
	out->tx_desc_ids = vc2_cpu_le64(1ULL << 0);
	out->rss_algorithm = vc2_cpu_le32(VIRTCHNL2_RSS_ALG_TOEPLITZ_ASYMMETRIC);
	out->rss_key_size = vc2_cpu_le16(cp->res.rss_key_size);
	out->rss_lut_size = vc2_cpu_le16(cp->res.rss_lut_size);
	out->chunks.num_chunks = vc2_cpu_le16(nb_chunks);
	memcpy(cp->reply.buf + sizeof(*out), chunks, nb_chunks * sizeof(chunks[0]));
	cp->reply.len = (uint16_t)virtchnl2_create_vport_size(nb_chunks);
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* Common check of the 8-byte vport messages. */
static struct emu_cp_vport *
vport_msg(struct emu_cp *cp, const void *msg, uint16_t len, int32_t *st)
{
	const struct virtchnl2_vport *in = msg;
	struct emu_cp_vport *vp;

	if (len != sizeof(*in)) {
		*st = VIRTCHNL2_STATUS_ERR_EINVAL;
		return NULL;
	}
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	*st = vp != NULL ? VIRTCHNL2_STATUS_SUCCESS : VIRTCHNL2_STATUS_ERR_ENXIO;
	return vp;
}

static int32_t
op_destroy_vport(struct emu_cp *cp, const void *msg, uint16_t len)
{
	int32_t st;
	struct emu_cp_vport *vp = vport_msg(cp, msg, len, &st);

	if (vp != NULL)
		emu_cp_vport_release(cp, vp);	/* destroy also disables */
	return st;
}

static int32_t
op_enable_vport(struct emu_cp *cp, const void *msg, uint16_t len)
{
	int32_t st;
	struct emu_cp_vport *vp = vport_msg(cp, msg, len, &st);

	if (vp != NULL)
		vp->enabled = true;
	return st;
}

static int32_t
op_disable_vport(struct emu_cp *cp, const void *msg, uint16_t len)
{
	int32_t st;
	struct emu_cp_vport *vp = vport_msg(cp, msg, len, &st);

	if (vp != NULL)
		vp->enabled = false;
	return st;
}

static int32_t
op_get_stats(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_vport_stats *in = msg;
	struct virtchnl2_vport_stats *out = (void *)cp->reply.buf;
	struct emu_cp_vport *vp;
	vc2_le64_t *ctr = &out->rx_bytes;
	unsigned int i;

	if (len != sizeof(*in))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	memset(out, 0, sizeof(*out));
	out->vport_id = in->vport_id;
	for (i = 0; i < VIRTCHNL2_VPORT_STATS_COUNTERS; i++)
		ctr[i] = vc2_cpu_le64(vp->stats[i]);
	cp->reply.len = sizeof(*out);
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Events, hooks, snapshots                                                                 */

int
emu_cp_link_event(struct emu_cp *cp, uint32_t vport_id, int link_up, uint32_t speed_mbps,
		  emu_cp_emit_t emit, void *ctx)
{
	struct virtchnl2_event ev;
	struct emu_cp_vport *vp;

	if (cp == NULL || emit == NULL)
		return -EINVAL;
	pthread_mutex_lock(&cp->lock);
	vp = emu_cp_vport_find(cp, vport_id);
	if (vp != NULL) {
		vp->link_up = link_up != 0;
		vp->link_speed = speed_mbps;
		cp->link_events++;
	}
	pthread_mutex_unlock(&cp->lock);
	if (vp == NULL)
		return -ENOENT;
	memset(&ev, 0, sizeof(ev));
	ev.event = vc2_cpu_le32(VIRTCHNL2_EVENT_LINK_CHANGE);
	ev.link_speed = vc2_cpu_le32(speed_mbps);
	ev.vport_id = vc2_cpu_le32(vport_id);
	ev.link_status = link_up != 0;
	emit(ctx, VIRTCHNL2_OP_EVENT, VIRTCHNL2_STATUS_SUCCESS, &ev, sizeof(ev));
	return 0;
}

int
emu_cp_stats_add(struct emu_cp *cp, uint32_t vport_id, unsigned int counter, uint64_t delta)
{
	struct emu_cp_vport *vp;

	if (cp == NULL || counter >= VIRTCHNL2_VPORT_STATS_COUNTERS)
		return -EINVAL;
	pthread_mutex_lock(&cp->lock);
	vp = emu_cp_vport_find(cp, vport_id);
	if (vp != NULL)
		vp->stats[counter] += delta;
	pthread_mutex_unlock(&cp->lock);
	return vp != NULL ? 0 : -ENOENT;
}

int
emu_cp_snapshot(struct emu_cp *cp, struct emu_cp_summary *out)
{
	unsigned int i, t;

	if (cp == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&cp->lock);
	out->versioned = cp->versioned;
	out->caps_done = cp->caps_done;
	for (i = 0; i < cp->res.max_vports; i++)
		if (cp->vports[i].used) {
			out->nb_vports++;
			for (t = 0; t < EMU_CP_NB_QTYPES; t++)
				out->queues_used[t] += cp->vports[i].nq[t];
		}
	out->vectors_granted = cp->granted_vectors;
	out->vectors_allocated = cp->vectors_in_use;
	for (i = 0; i < EMU_CP_NB_OPS; i++) {
		out->requests += cp->ops[i].requests;
		out->errors += cp->ops[i].errors;
	}
	out->requests += cp->unknown_requests;
	out->errors += cp->unknown_requests;
	out->resets = cp->resets;
	pthread_mutex_unlock(&cp->lock);
	return 0;
}

int
emu_cp_vport_state(struct emu_cp *cp, uint32_t vport_id, struct emu_cp_vport_state *out)
{
	struct emu_cp_vport *vp;
	unsigned int t;

	if (cp == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&cp->lock);
	vp = emu_cp_vport_find(cp, vport_id);
	if (vp != NULL) {
		out->vport_index = vp->vport_index;
		out->enabled = vp->enabled;
		out->loopback = vp->loopback;
		out->link_up = vp->link_up;
		out->link_speed = vp->link_speed;
		out->promisc_flags = vp->promisc;
		out->nb_mac_filters = vp->n_mac;
		for (t = 0; t < EMU_CP_NB_QTYPES; t++)
			out->nb_queues[t] = vp->nq[t];
		out->rss_key_len = vp->rss_key_len;
		out->rss_hash = vp->rss_hash;
		out->requests = vp->requests;
	}
	pthread_mutex_unlock(&cp->lock);
	return vp != NULL ? 0 : -ENOENT;
}

int
emu_cp_queue_state(struct emu_cp *cp, uint32_t type, uint32_t queue_id,
		   struct emu_cp_queue_state *out)
{
	struct emu_cp_queue *q;
	int rc = -ENOENT;

	if (cp == NULL || out == NULL || emu_cp_qtype_index(type) < 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&cp->lock);
	q = emu_cp_queue_get(cp, type, queue_id);
	if (q != NULL && q->vport >= 0) {
		out->vport_id = cp->vports[q->vport].id;
		out->configured = q->configured;
		out->enabled = q->enabled;
		out->mapped = q->mapped;
		out->ring_len = q->ring_len;
		out->vector_id = q->vector_id;
		out->itr_idx = q->itr_idx;
		out->dma_ring_addr = q->dma_ring_addr;
		rc = 0;
	}
	pthread_mutex_unlock(&cp->lock);
	return rc;
}

uint64_t
emu_cp_op_requests(struct emu_cp *cp, uint32_t v_opcode)
{
	uint64_t n;
	int idx;

	if (cp == NULL)
		return 0;
	pthread_mutex_lock(&cp->lock);
	idx = op_index(v_opcode);
	n = idx >= 0 ? cp->ops[idx].requests : cp->unknown_requests;
	pthread_mutex_unlock(&cp->lock);
	return n;
}

bool
emu_cp_op_counters(struct emu_cp *cp, unsigned int i, uint32_t *opcode, uint64_t *req,
		   uint64_t *err)
{
	if (i >= EMU_CP_NB_OPS)
		return false;
	*opcode = emu_cp_ops[i].opcode;
	*req = cp->ops[i].requests;
	*err = cp->ops[i].errors;
	return true;
}
