/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the emulated idpf control plane (emu_cp): every opcode's happy path and its
 * rejection paths, called through emu_cp_handle() with a capture emit callback, and the
 * state checked through the replies, emu_cp_*_state() and the telemetry dict.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "emu_cp.h"
#include "virtchnl2.h"
#include "test.h"

#ifdef HAVE_TEL_PRIVATE
#include "telemetry_data.h"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Capture harness                                                                          */

#define CAP_MAX 16

struct cap_reply {
	uint32_t op;
	int32_t ret;
	uint16_t len;
	_Alignas(8) uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
};

static struct {
	unsigned int n;
	unsigned int overflow;
	struct cap_reply r[CAP_MAX];
} cap;

static void
cap_emit(void *ctx, uint32_t op, int32_t ret, const void *msg, uint16_t len)
{
	struct cap_reply *r;

	(void)ctx;
	if (cap.n == CAP_MAX) {
		cap.overflow++;
		return;
	}
	r = &cap.r[cap.n++];
	r->op = op;
	r->ret = ret;
	r->len = len;
	if (len > 0 && msg != NULL)
		memcpy(r->buf, msg, len > sizeof(r->buf) ? sizeof(r->buf) : len);
}

/* Send one request; return its status if exactly one reply of the same opcode came. */
#define NO_ONE_REPLY (-1000)
static int32_t
call(struct emu_cp *cp, uint32_t op, const void *msg, size_t len)
{
	cap.n = 0;
	cap.overflow = 0;
	emu_cp_handle(cp, op, msg, (uint16_t)len, cap_emit, NULL);
	if (cap.n != 1 || cap.r[0].op != op)
		return NO_ONE_REPLY;
	return cap.r[0].ret;
}

static const struct emu_cp_resources def_res = {
	.max_vports = 2, .max_queues = 8, .max_vectors = 8, .rss_lut_size = 64,
	.rss_key_size = 52, .max_mac_filters = 4, .max_mtu = 9000,
};

static struct emu_cp *
cp_versioned(void)
{
	struct emu_cp *cp = emu_cp_create(&def_res);
	struct virtchnl2_version_info v = { vc2_cpu_le32(2), vc2_cpu_le32(0) };

	if (cp != NULL && call(cp, VIRTCHNL2_OP_VERSION, &v, sizeof(v)) != 0) {
		emu_cp_destroy(cp);
		return NULL;
	}
	return cp;
}

static struct emu_cp *
cp_ready(void)
{
	struct emu_cp *cp = cp_versioned();
	struct virtchnl2_get_capabilities c;

	memset(&c, 0, sizeof(c));
	if (cp != NULL && call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)) != 0) {
		emu_cp_destroy(cp);
		return NULL;
	}
	return cp;
}

/* A created vport: id and the first id of each queue type (0 when none). */
struct vport {
	uint32_t id;
	uint32_t first[4];
	uint16_t count[4];
};

static int32_t
create_vport(struct emu_cp *cp, uint16_t model, uint16_t ntx, uint16_t nrx, struct vport *vp)
{
	struct virtchnl2_create_vport req;
	const struct virtchnl2_create_vport *rep = (const void *)cap.r[0].buf;
	int32_t st;
	uint16_t i;

	memset(&req, 0, sizeof(req));
	req.txq_model = vc2_cpu_le16(model);
	req.rxq_model = vc2_cpu_le16(model);
	req.num_tx_q = vc2_cpu_le16(ntx);
	req.num_rx_q = vc2_cpu_le16(nrx);
	req.num_tx_complq = vc2_cpu_le16(model ? ntx : 0);
	req.num_rx_bufq = vc2_cpu_le16(model ? nrx : 0);
	req.vport_index = vc2_cpu_le16(7);
	st = call(cp, VIRTCHNL2_OP_CREATE_VPORT, &req, sizeof(req));
	if (st != 0 || vp == NULL)
		return st;
	memset(vp, 0, sizeof(*vp));
	vp->id = vc2_le32(rep->vport_id);
	for (i = 0; i < vc2_le16(rep->chunks.num_chunks); i++) {
		const struct virtchnl2_queue_reg_chunk *c = &rep->chunks.chunks[i];
		uint32_t t = vc2_le32(c->type);

		if (t < 4) {
			vp->first[t] = vc2_le32(c->start_queue_id);
			vp->count[t] = (uint16_t)vc2_le32(c->num_queues);
		}
	}
	return st;
}

static int32_t
vport_op(struct emu_cp *cp, uint32_t op, uint32_t id)
{
	struct virtchnl2_vport v;

	memset(&v, 0, sizeof(v));
	v.vport_id = vc2_cpu_le32(id);
	return call(cp, op, &v, sizeof(v));
}

/* CONFIG_TX_QUEUES for n single-model TX queues from first, ring i at 0x100000 * (i + 1). */
static int32_t
config_tx(struct emu_cp *cp, uint32_t vport_id, uint32_t first, uint16_t n, uint16_t model)
{
	uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_config_tx_queues *m = (void *)buf;
	uint16_t i;

	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vport_id);
	m->num_qinfo = vc2_cpu_le16(n);
	for (i = 0; i < n; i++) {
		m->qinfo[i].dma_ring_addr = vc2_cpu_le64(0x100000ULL * (i + 1));
		m->qinfo[i].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_TX);
		m->qinfo[i].queue_id = vc2_cpu_le32(first + i);
		m->qinfo[i].model = vc2_cpu_le16(model);
		m->qinfo[i].ring_len = vc2_cpu_le16(512);
	}
	return call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf, virtchnl2_config_tx_queues_size(n));
}

static int32_t
config_rx(struct emu_cp *cp, uint32_t vport_id, uint32_t first, uint16_t n)
{
	uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_config_rx_queues *m = (void *)buf;
	uint16_t i;

	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vport_id);
	m->num_qinfo = vc2_cpu_le16(n);
	for (i = 0; i < n; i++) {
		m->qinfo[i].dma_ring_addr = vc2_cpu_le64(0x200000ULL * (i + 1));
		m->qinfo[i].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_RX);
		m->qinfo[i].queue_id = vc2_cpu_le32(first + i);
		m->qinfo[i].ring_len = vc2_cpu_le16(1024);
		m->qinfo[i].data_buffer_size = vc2_cpu_le32(2048);
		m->qinfo[i].max_pkt_size = vc2_cpu_le32(1518);
	}
	return call(cp, VIRTCHNL2_OP_CONFIG_RX_QUEUES, buf, virtchnl2_config_rx_queues_size(n));
}

/* ENABLE/DISABLE/DEL_QUEUES with one chunk. */
static int32_t
queues_chunk(struct emu_cp *cp, uint32_t op, uint32_t vport_id, uint32_t type, uint32_t start,
	     uint32_t num)
{
	uint8_t buf[64];
	struct virtchnl2_del_ena_dis_queues *m = (void *)buf;

	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vport_id);
	m->num_chunks = vc2_cpu_le16(1);
	m->chunks[0].type = vc2_cpu_le32(type);
	m->chunks[0].start_queue_id = vc2_cpu_le32(start);
	m->chunks[0].num_queues = vc2_cpu_le32(num);
	return call(cp, op, buf, virtchnl2_del_ena_dis_queues_size(1));
}

/* ---------------------------------------------------------------------------------------- */
/* VERSION, GET_CAPS, unknown opcodes                                                       */

static int
test_requests_before_version_get_esm(void)
{
	struct emu_cp *cp = emu_cp_create(&def_res);
	struct virtchnl2_get_capabilities c;
	struct virtchnl2_version_info v = { vc2_cpu_le32(2), vc2_cpu_le32(0) };
	const struct virtchnl2_version_info *rv = (const void *)cap.r[0].buf;

	TEST_ASSERT(cp != NULL, "create");
	memset(&c, 0, sizeof(c));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)),
			  VIRTCHNL2_STATUS_ERR_ESM, "GET_CAPS before VERSION");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_ENABLE_VPORT, 1), VIRTCHNL2_STATUS_ERR_ESM,
			  "ENABLE_VPORT before VERSION");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_VERSION, &v, 4), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "short VERSION");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_VERSION, &v, sizeof(v)), 0, "VERSION");
	TEST_ASSERT_EQUAL(cap.r[0].len, 8, "VERSION reply length");
	TEST_ASSERT_EQUAL(vc2_le32(rv->major), 2, "major");
	TEST_ASSERT_EQUAL(vc2_le32(rv->minor), 0, "minor");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)), 0, "GET_CAPS after");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_version_mismatch_answered_but_not_accepted(void)
{
	struct emu_cp *cp = emu_cp_create(&def_res);
	struct virtchnl2_version_info v = { vc2_cpu_le32(1), vc2_cpu_le32(1) };
	struct virtchnl2_get_capabilities c;
	const struct virtchnl2_version_info *rv = (const void *)cap.r[0].buf;
	struct emu_cp_summary s;

	TEST_ASSERT(cp != NULL, "create");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_VERSION, &v, sizeof(v)), 0,
			  "the CP answers VERSION even on mismatch");
	TEST_ASSERT_EQUAL(vc2_le32(rv->major), 2, "with its own version");
	memset(&c, 0, sizeof(c));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)),
			  VIRTCHNL2_STATUS_ERR_ESM, "a 1.x driver may not go on");
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	TEST_ASSERT_EQUAL(s.versioned, 0, "not versioned");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_unknown_opcode_gets_esrch_and_echo(void)
{
	struct emu_cp *cp = cp_ready();
	uint8_t payload[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(call(cp, 9999, payload, sizeof(payload)), VIRTCHNL2_STATUS_ERR_ESRCH,
			  "unknown opcode");
	TEST_ASSERT_EQUAL(cap.r[0].len, sizeof(payload), "request echoed");
	TEST_ASSERT(memcmp(cap.r[0].buf, payload, sizeof(payload)) == 0, "echo content");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_SRIOV_VFS, payload, 4),
			  VIRTCHNL2_STATUS_ERR_ESRCH, "opcode not implemented");
	TEST_ASSERT_EQUAL(call(cp, 0x10000000u | VIRTCHNL2_OP_GET_CAPS, payload, 0),
			  VIRTCHNL2_STATUS_ERR_ESRCH, "descriptor type bits set");
	TEST_ASSERT_EQUAL(emu_cp_op_requests(cp, 9999), 3, "unknown requests counted");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_get_caps_grants_within_resources(void)
{
	struct emu_cp *cp = cp_versioned();
	struct virtchnl2_get_capabilities c;
	const struct virtchnl2_get_capabilities *r = (const void *)cap.r[0].buf;
	struct virtchnl2_create_vport cv;
	uint8_t big[96];

	TEST_ASSERT(cp != NULL, "setup");
	memset(&cv, 0, sizeof(cv));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CREATE_VPORT, &cv, sizeof(cv)),
			  VIRTCHNL2_STATUS_ERR_ESM, "CREATE_VPORT before GET_CAPS");
	memset(&c, 0xff, sizeof(c));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, 40), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "short GET_CAPS");
	memset(big, 0, sizeof(big));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, big, sizeof(c) + 8),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "long GET_CAPS");
	c.num_allocated_vectors = 0;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)), 0, "GET_CAPS");
	TEST_ASSERT_EQUAL(cap.r[0].len, 80, "full 80-byte reply");
	TEST_ASSERT_EQUAL(vc2_le16(r->max_vports), def_res.max_vports, "max_vports");
	TEST_ASSERT_EQUAL(vc2_le16(r->max_tx_q), def_res.max_queues, "max_tx_q");
	TEST_ASSERT_EQUAL(vc2_le16(r->num_allocated_vectors), def_res.max_vectors, "vectors");
	TEST_ASSERT(vc2_le16(r->num_allocated_vectors) >= 2, "at least 2 vectors");
	TEST_ASSERT_EQUAL(vc2_le64(r->other_caps) & ~(VIRTCHNL2_CAP_MACFILTER |
		VIRTCHNL2_CAP_SPLITQ_QSCHED | VIRTCHNL2_CAP_WB_ON_ITR | VIRTCHNL2_CAP_PROMISC |
		VIRTCHNL2_CAP_LINK_SPEED | VIRTCHNL2_CAP_PTYPE | VIRTCHNL2_CAP_LOOPBACK), 0,
		"only supported caps granted");
	TEST_ASSERT(vc2_le64(r->other_caps) & VIRTCHNL2_CAP_LOOPBACK, "asked cap granted");
	c.num_allocated_vectors = vc2_cpu_le16(3);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)), 0, "GET_CAPS again");
	TEST_ASSERT_EQUAL(vc2_le16(r->num_allocated_vectors), 3, "wanted vectors granted");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Vports                                                                                   */

static int
test_create_vport_single_reports_contiguous_chunks(void)
{
	struct emu_cp *cp = cp_ready();
	const struct virtchnl2_create_vport *r = (const void *)cap.r[0].buf;
	struct emu_cp_vport_state vs;
	struct emu_cp_queue_state qs;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 4, 3, &vp), 0, "CREATE_VPORT");
	TEST_ASSERT_EQUAL(cap.r[0].len, virtchnl2_create_vport_size(2), "160 + 2 chunks");
	TEST_ASSERT_EQUAL(vc2_le16(r->chunks.num_chunks), 2, "TX and RX chunks");
	TEST_ASSERT_EQUAL(vp.count[0], 4, "4 TX");
	TEST_ASSERT_EQUAL(vp.count[1], 3, "3 RX");
	TEST_ASSERT_EQUAL(vc2_le16(r->vport_index), 7, "vport_index echoed");
	TEST_ASSERT_EQUAL(vc2_le16(r->max_mtu), 9000, "max_mtu");
	TEST_ASSERT_EQUAL(vc2_le16(r->rss_key_size), 52, "key size");
	TEST_ASSERT_EQUAL(vc2_le16(r->rss_lut_size), 64, "lut size");
	TEST_ASSERT(vp.id != 0, "vport id");
	TEST_ASSERT(r->default_mac_addr[0] == 0x02, "locally administered MAC");
	TEST_ASSERT(vc2_le32(r->chunks.chunks[0].qtail_reg_spacing) != 0, "tail spacing");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.nb_queues[0], 4, "state TX");
	TEST_ASSERT_EQUAL(vs.enabled, 0, "created disabled");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, vp.first[0] + 3, &qs), "last TX owned");
	TEST_ASSERT_EQUAL(qs.vport_id, vp.id, "owner");
	TEST_ASSERT_EQUAL(emu_cp_queue_state(cp, 0, vp.first[0] + 4, &qs), -ENOENT,
			  "one past the chunk is not owned");
	TEST_ASSERT_EQUAL(emu_cp_queue_state(cp, 1, vp.first[0], &qs), -ENOENT,
			  "a TX id is not an RX id");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_create_vport_split_has_four_queue_types(void)
{
	struct emu_cp *cp = cp_ready();
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 1, 2, 2, &vp), 0, "split CREATE_VPORT");
	TEST_ASSERT_EQUAL(cap.r[0].len, virtchnl2_create_vport_size(4), "4 chunks");
	TEST_ASSERT_EQUAL(vp.count[2], 2, "completion queues");
	TEST_ASSERT_EQUAL(vp.count[3], 2, "buffer queues");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_create_vport_rejects_bad_requests_and_exhaustion(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_create_vport req;
	struct emu_cp_summary s;
	struct vport a, b;

	TEST_ASSERT(cp != NULL, "setup");
	memset(&req, 0, sizeof(req));
	req.num_tx_q = vc2_cpu_le16(1);
	req.num_rx_q = vc2_cpu_le16(1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CREATE_VPORT, &req, 100),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "short");
	req.vport_type = vc2_cpu_le16(3);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CREATE_VPORT, &req, sizeof(req)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "vport type");
	req.vport_type = 0;
	req.txq_model = vc2_cpu_le16(2);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CREATE_VPORT, &req, sizeof(req)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "queue model");
	req.txq_model = vc2_cpu_le16(1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CREATE_VPORT, &req, sizeof(req)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "split without completion queues");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 0, 1, NULL), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "no TX queue");
	/* 8 queues per type: the first vport takes 6, the second gets the 2 left. */
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 6, 6, &a), 0, "first");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 6, 6, &b), 0, "second");
	TEST_ASSERT_EQUAL(b.count[0], 2, "partial grant of what is left");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, NULL), VIRTCHNL2_STATUS_ERR_ENOSPC,
			  "no vport slot left");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_DESTROY_VPORT, b.id), 0, "destroy");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_DESTROY_VPORT, a.id), 0, "destroy");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 8, 8, &a), 0, "all queues");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, NULL), VIRTCHNL2_STATUS_ERR_ENOSPC,
			  "no queue left");
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	TEST_ASSERT_EQUAL(s.nb_vports, 1, "failed creates leave nothing");
	TEST_ASSERT_EQUAL(s.queues_used[0], 8, "queues");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_vport_enable_disable_destroy(void)
{
	struct emu_cp *cp = cp_ready();
	struct emu_cp_vport_state vs;
	struct emu_cp_summary s;
	struct virtchnl2_vport v;
	struct vport vp, vp2;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_ENABLE_VPORT, vp.id), 0, "enable");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.enabled, 1, "enabled");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_DISABLE_VPORT, vp.id), 0, "disable");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.enabled, 0, "disabled");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_ENABLE_VPORT, vp.id + 100),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	memset(&v, 0, sizeof(v));
	v.vport_id = vc2_cpu_le32(vp.id);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ENABLE_VPORT, &v, 4),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "short");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_ENABLE_VPORT, vp.id), 0, "enable again");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_DESTROY_VPORT, vp.id), 0, "destroy");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_DESTROY_VPORT, vp.id),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "destroyed twice");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_DISABLE_VPORT, vp.id),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "gone");
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	TEST_ASSERT_EQUAL(s.nb_vports + s.queues_used[0] + s.queues_used[1], 0, "all freed");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp2), 0, "create");
	TEST_ASSERT(vp2.id != vp.id, "a destroyed id is not handed out again");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Queues                                                                                   */

static int
test_config_queues_records_rings(void)
{
	struct emu_cp *cp = cp_ready();
	struct emu_cp_queue_state qs;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 4, 4, &vp), 0, "create");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 4, 0), 0, "CONFIG_TX");
	TEST_ASSERT_EQUAL(config_rx(cp, vp.id, vp.first[1], 4), 0, "CONFIG_RX");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, vp.first[0] + 2, &qs), "TX state");
	TEST_ASSERT_EQUAL(qs.configured, 1, "configured");
	TEST_ASSERT_EQUAL(qs.dma_ring_addr, 0x300000, "ring address");
	TEST_ASSERT_EQUAL(qs.ring_len, 512, "ring length");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 1, vp.first[1] + 3, &qs), "RX state");
	TEST_ASSERT_EQUAL(qs.dma_ring_addr, 0x800000, "RX ring address");
	TEST_ASSERT_EQUAL(qs.ring_len, 1024, "RX ring length");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_config_queues_rejections_change_nothing(void)
{
	struct emu_cp *cp = cp_ready();
	uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_config_tx_queues *m = (void *)buf;
	struct emu_cp_queue_state qs;
	struct vport vp, other;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &other), 0, "create other");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 0, 0), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "zero queues");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id + 50, vp.first[0], 1, 0),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 3, 0), VIRTCHNL2_STATUS_ERR_ERANGE,
			  "third queue not owned");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, other.first[0], 1, 0),
			  VIRTCHNL2_STATUS_ERR_ERANGE, "other vport's queue");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 1, 1), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "model differs from the vport's");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, vp.first[0], &qs), "state");
	TEST_ASSERT_EQUAL(qs.configured, 0, "a rejected message configures nothing");
	/* Count says 2, length carries 1. */
	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vp.id);
	m->num_qinfo = vc2_cpu_le16(2);
	m->qinfo[0].dma_ring_addr = vc2_cpu_le64(0x1000);
	m->qinfo[0].queue_id = vc2_cpu_le32(vp.first[0]);
	m->qinfo[0].ring_len = vc2_cpu_le16(64);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf,
			       virtchnl2_config_tx_queues_size(1)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "length does not match the count");
	m->num_qinfo = vc2_cpu_le16(1);
	m->qinfo[0].ring_len = 0;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf,
			       virtchnl2_config_tx_queues_size(1)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "ring_len 0");
	m->qinfo[0].ring_len = vc2_cpu_le16(64);
	m->qinfo[0].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_RX);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf,
			       virtchnl2_config_tx_queues_size(1)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "RX type in CONFIG_TX");
	m->qinfo[0].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_TX);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf,
			       virtchnl2_config_tx_queues_size(1)), 0, "fixed");
	TEST_ASSERT_EQUAL(config_rx(cp, vp.id, vp.first[1] + 1, 2), VIRTCHNL2_STATUS_ERR_ERANGE,
			  "RX past the chunk");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_split_queues_check_companion_ids(void)
{
	struct emu_cp *cp = cp_ready();
	uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_config_rx_queues *m = (void *)buf;
	struct virtchnl2_config_tx_queues *t = (void *)buf;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 1, 1, 1, &vp), 0, "split vport");
	memset(buf, 0, sizeof(buf));
	t->vport_id = vc2_cpu_le32(vp.id);
	t->num_qinfo = vc2_cpu_le16(2);
	t->qinfo[0].dma_ring_addr = vc2_cpu_le64(0x1000);
	t->qinfo[0].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_TX);
	t->qinfo[0].queue_id = vc2_cpu_le32(vp.first[0]);
	t->qinfo[0].model = vc2_cpu_le16(1);
	t->qinfo[0].ring_len = vc2_cpu_le16(64);
	t->qinfo[0].tx_compl_queue_id = vc2_cpu_le16((uint16_t)vp.first[2] + 1);
	t->qinfo[1] = t->qinfo[0];
	t->qinfo[1].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_TX_COMPLETION);
	t->qinfo[1].queue_id = vc2_cpu_le32(vp.first[2]);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf,
			       virtchnl2_config_tx_queues_size(2)),
			  VIRTCHNL2_STATUS_ERR_ERANGE, "completion queue not owned");
	t->qinfo[0].tx_compl_queue_id = vc2_cpu_le16((uint16_t)vp.first[2]);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_TX_QUEUES, buf,
			       virtchnl2_config_tx_queues_size(2)), 0, "TX + completion");
	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vp.id);
	m->num_qinfo = vc2_cpu_le16(2);
	m->qinfo[0].dma_ring_addr = vc2_cpu_le64(0x2000);
	m->qinfo[0].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_RX);
	m->qinfo[0].queue_id = vc2_cpu_le32(vp.first[1]);
	m->qinfo[0].model = vc2_cpu_le16(1);
	m->qinfo[0].ring_len = vc2_cpu_le16(64);
	m->qinfo[0].max_pkt_size = vc2_cpu_le32(1518);
	m->qinfo[0].rx_bufq1_id = vc2_cpu_le16((uint16_t)vp.first[3] + 5);
	m->qinfo[1] = m->qinfo[0];
	m->qinfo[1].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_RX_BUFFER);
	m->qinfo[1].queue_id = vc2_cpu_le32(vp.first[3]);
	m->qinfo[1].data_buffer_size = vc2_cpu_le32(4096);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_RX_QUEUES, buf,
			       virtchnl2_config_rx_queues_size(2)),
			  VIRTCHNL2_STATUS_ERR_ERANGE, "buffer queue not owned");
	m->qinfo[0].rx_bufq1_id = vc2_cpu_le16((uint16_t)vp.first[3]);
	m->qinfo[0].max_pkt_size = vc2_cpu_le32(20000);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_RX_QUEUES, buf,
			       virtchnl2_config_rx_queues_size(2)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "max_pkt_size above the MTU");
	m->qinfo[0].max_pkt_size = vc2_cpu_le32(1518);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_RX_QUEUES, buf,
			       virtchnl2_config_rx_queues_size(2)), 0, "RX + buffer queue");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_enable_disable_queues_follow_state(void)
{
	struct emu_cp *cp = cp_ready();
	struct emu_cp_queue_state qs;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_ENABLE_QUEUES, vp.id, 0, vp.first[0], 2),
			  VIRTCHNL2_STATUS_ERR_ESM, "enable before config");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 2, 0), 0, "config");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_ENABLE_QUEUES, vp.id, 0, vp.first[0], 2),
			  0, "enable");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, vp.first[0] + 1, &qs), "state");
	TEST_ASSERT_EQUAL(qs.enabled, 1, "enabled");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 1, 0), VIRTCHNL2_STATUS_ERR_EBUSY,
			  "reconfigure an enabled queue");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_ENABLE_QUEUES, vp.id, 0, vp.first[0], 0),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "empty chunk");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_ENABLE_QUEUES, vp.id, 9, vp.first[0], 1),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "bad type");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DISABLE_QUEUES, vp.id, 0, vp.first[0],
				       3), VIRTCHNL2_STATUS_ERR_ERANGE, "chunk past the vport");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DISABLE_QUEUES, vp.id, 0, 0xffffffffu,
				       0xffffffffu), VIRTCHNL2_STATUS_ERR_ERANGE,
			  "wrapping range");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, vp.first[0], &qs), "state");
	TEST_ASSERT_EQUAL(qs.enabled, 1, "rejected disable changed nothing");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DISABLE_QUEUES, vp.id, 0, vp.first[0],
				       2), 0, "disable");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, vp.first[0], &qs), "state");
	TEST_ASSERT_EQUAL(qs.enabled, 0, "disabled");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DISABLE_QUEUES, vp.id, 0, vp.first[0],
				       2), 0, "disable is idempotent");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_add_del_queues(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_add_queues aq;
	const struct virtchnl2_add_queues *r = (const void *)cap.r[0].buf;
	struct emu_cp_vport_state vs;
	struct emu_cp_queue_state qs;
	uint32_t new_tx;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	memset(&aq, 0, sizeof(aq));
	aq.vport_id = vc2_cpu_le32(vp.id);
	aq.num_tx_q = vc2_cpu_le16(2);
	aq.num_rx_q = vc2_cpu_le16(1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ADD_QUEUES, &aq, sizeof(aq)), 0, "ADD_QUEUES");
	TEST_ASSERT_EQUAL(cap.r[0].len, virtchnl2_add_queues_size(2), "2 chunks back");
	TEST_ASSERT_EQUAL(vc2_le16(r->num_tx_q), 2, "granted TX");
	TEST_ASSERT_EQUAL(vc2_le32(r->chunks.chunks[0].num_queues), 2, "chunk size");
	new_tx = vc2_le32(r->chunks.chunks[0].start_queue_id);
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 0, new_tx + 1, &qs), "new queue owned");
	TEST_ASSERT_EQUAL(qs.vport_id, vp.id, "by the vport");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.nb_queues[0], 4, "4 TX now");
	aq.num_tx_q = vc2_cpu_le16(5);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ADD_QUEUES, &aq, sizeof(aq)),
			  VIRTCHNL2_STATUS_ERR_ENOSPC, "only 4 TX left");
	aq.num_tx_q = vc2_cpu_le16(1);
	aq.num_tx_complq = vc2_cpu_le16(1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ADD_QUEUES, &aq, sizeof(aq)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "completion queue on a single vport");
	memset(&aq, 0, sizeof(aq));
	aq.vport_id = vc2_cpu_le32(vp.id);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ADD_QUEUES, &aq, sizeof(aq)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "nothing asked");
	aq.vport_id = vc2_cpu_le32(vp.id + 9);
	aq.num_tx_q = vc2_cpu_le16(1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ADD_QUEUES, &aq, sizeof(aq)),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	/* DEL: an enabled queue is busy; a disabled one goes. */
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, new_tx, 2, 0), 0, "config new");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_ENABLE_QUEUES, vp.id, 0, new_tx, 2), 0,
			  "enable new");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DEL_QUEUES, vp.id, 0, new_tx, 2),
			  VIRTCHNL2_STATUS_ERR_EBUSY, "delete enabled");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DISABLE_QUEUES, vp.id, 0, new_tx, 2), 0,
			  "disable");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DEL_QUEUES, vp.id, 0, new_tx, 2), 0,
			  "delete");
	TEST_ASSERT_EQUAL(emu_cp_queue_state(cp, 0, new_tx, &qs), -ENOENT, "gone");
	TEST_ASSERT_EQUAL(queues_chunk(cp, VIRTCHNL2_OP_DEL_QUEUES, vp.id, 0, new_tx, 1),
			  VIRTCHNL2_STATUS_ERR_ERANGE, "delete twice");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.nb_queues[0], 2, "back to 2 TX");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Vectors                                                                                  */

static int32_t
alloc_vectors(struct emu_cp *cp, uint16_t n)
{
	struct virtchnl2_alloc_vectors a;

	memset(&a, 0, sizeof(a));
	a.num_vectors = vc2_cpu_le16(n);
	return call(cp, VIRTCHNL2_OP_ALLOC_VECTORS, &a, sizeof(a));
}

static int32_t
dealloc_vectors(struct emu_cp *cp, uint16_t start, uint16_t n)
{
	uint8_t buf[64];
	struct virtchnl2_vector_chunks *m = (void *)buf;

	memset(buf, 0, sizeof(buf));
	m->num_vchunks = vc2_cpu_le16(1);
	m->vchunks[0].start_vector_id = vc2_cpu_le16(start);
	m->vchunks[0].num_vectors = vc2_cpu_le16(n);
	return call(cp, VIRTCHNL2_OP_DEALLOC_VECTORS, buf, virtchnl2_vector_chunks_size(1));
}

static int32_t
map_queue(struct emu_cp *cp, uint32_t op, uint32_t vport_id, uint32_t qtype, uint32_t qid,
	  uint16_t vec, uint32_t itr)
{
	uint8_t buf[64];
	struct virtchnl2_queue_vector_maps *m = (void *)buf;

	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vport_id);
	m->num_qv_maps = vc2_cpu_le16(1);
	m->qv_maps[0].queue_id = vc2_cpu_le32(qid);
	m->qv_maps[0].vector_id = vc2_cpu_le16(vec);
	m->qv_maps[0].itr_idx = vc2_cpu_le32(itr);
	m->qv_maps[0].queue_type = vc2_cpu_le32(qtype);
	return call(cp, op, buf, virtchnl2_queue_vector_maps_size(1));
}

static int
test_vectors_alloc_map_dealloc(void)
{
	struct emu_cp *cp = cp_ready();	/* 8 vectors: mailbox + 7 */
	const struct virtchnl2_alloc_vectors *r = (const void *)cap.r[0].buf;
	struct emu_cp_queue_state qs;
	struct emu_cp_summary s;
	uint16_t start;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 0), VIRTCHNL2_STATUS_ERR_EINVAL, "zero vectors");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 3), 0, "alloc 3");
	TEST_ASSERT_EQUAL(cap.r[0].len, virtchnl2_alloc_vectors_size(1), "one chunk");
	TEST_ASSERT_EQUAL(vc2_le16(r->num_vectors), 3, "3 granted");
	start = vc2_le16(r->vchunks.vchunks[0].start_vector_id);
	TEST_ASSERT(start >= 1, "the mailbox vector is never handed out");
	TEST_ASSERT_EQUAL(vc2_le16(r->vchunks.vchunks[0].num_vectors), 3, "chunk size");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 5), VIRTCHNL2_STATUS_ERR_ENOSPC, "only 4 left");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, vp.id, 1, vp.first[1],
				    start + 1, 0), 0, "map RX queue");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 1, vp.first[1], &qs), "state");
	TEST_ASSERT_EQUAL(qs.mapped, 1, "mapped");
	TEST_ASSERT_EQUAL(qs.vector_id, start + 1, "to that vector");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, vp.id, 1, vp.first[1],
				    start + 3, 0), VIRTCHNL2_STATUS_ERR_ERANGE,
			  "vector not allocated");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, vp.id, 1, vp.first[1],
				    0, 0), VIRTCHNL2_STATUS_ERR_ERANGE, "mailbox vector");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, vp.id, 1, vp.first[1],
				    start, 9), VIRTCHNL2_STATUS_ERR_EINVAL, "itr index");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, vp.id, 1,
				    vp.first[1] + 2, start, 0), VIRTCHNL2_STATUS_ERR_ERANGE,
			  "queue not owned");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, vp.id + 3, 1,
				    vp.first[1], start, 0), VIRTCHNL2_STATUS_ERR_ENXIO,
			  "unknown vport");
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, start, 3), VIRTCHNL2_STATUS_ERR_EBUSY,
			  "a mapped vector is busy");
	TEST_ASSERT_EQUAL(map_queue(cp, VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR, vp.id, 1, vp.first[1],
				    0, 0), 0, "unmap");
	TEST_ASSERT_SUCCESS(emu_cp_queue_state(cp, 1, vp.first[1], &qs), "state");
	TEST_ASSERT_EQUAL(qs.mapped, 0, "unmapped");
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, 0, 1), VIRTCHNL2_STATUS_ERR_ERANGE, "mailbox");
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, 7, 2), VIRTCHNL2_STATUS_ERR_ERANGE,
			  "past the pool");
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, start, 3), 0, "dealloc");
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, start, 3), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "dealloc twice");
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	TEST_ASSERT_EQUAL(s.vectors_allocated, 0, "all back");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 7), 0, "the whole pool again");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_vectors_fragmented_pool_gives_several_chunks(void)
{
	struct emu_cp *cp = cp_ready();
	const struct virtchnl2_alloc_vectors *r = (const void *)cap.r[0].buf;
	uint16_t i, total = 0;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 6), 0, "alloc 6");	/* ids 1..6 */
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, 2, 1), 0, "free 2");
	TEST_ASSERT_EQUAL(dealloc_vectors(cp, 4, 2), 0, "free 4-5");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 4), 0, "alloc 4 from 2, 4, 5, 7");
	TEST_ASSERT_EQUAL(vc2_le16(r->vchunks.num_vchunks), 3, "three runs");
	TEST_ASSERT_EQUAL(cap.r[0].len, virtchnl2_alloc_vectors_size(3), "reply length");
	for (i = 0; i < 3; i++)
		total += vc2_le16(r->vchunks.vchunks[i].num_vectors);
	TEST_ASSERT_EQUAL(total, 4, "4 vectors over the chunks");
	TEST_ASSERT_EQUAL(vc2_le16(r->vchunks.vchunks[1].start_vector_id), 4, "second run");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* RSS                                                                                      */

static int
test_rss_key_set_get(void)
{
	struct emu_cp *cp = cp_ready();
	uint8_t buf[128];
	struct virtchnl2_rss_key *k = (void *)buf;
	const struct virtchnl2_rss_key *r = (const void *)cap.r[0].buf;
	struct vport vp;
	int i;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	memset(buf, 0, sizeof(buf));
	k->vport_id = vc2_cpu_le32(vp.id);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_KEY, buf, 8), 0, "GET default");
	TEST_ASSERT_EQUAL(vc2_le16(r->key_len), 52, "default key length");
	TEST_ASSERT_EQUAL(cap.r[0].len, 7 + 52, "reply length");
	k->key_len = vc2_cpu_le16(52);
	for (i = 0; i < 52; i++)
		buf[7 + i] = (uint8_t)(i * 3 + 1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_KEY, buf, 7 + 52), 0, "SET");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_KEY, buf, 8), 0, "GET");
	TEST_ASSERT(memcmp(cap.r[0].buf + 7, buf + 7, 52) == 0, "the key set comes back");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_KEY, buf, 7 + 51),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "length does not match key_len");
	k->key_len = vc2_cpu_le16(60);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_KEY, buf, 7 + 60),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "longer than the device key");
	k->key_len = 0;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_KEY, buf, 7),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "empty key");
	k->key_len = vc2_cpu_le16(1);
	k->vport_id = vc2_cpu_le32(vp.id + 1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_KEY, buf, 8),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_KEY, buf, 6),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "short GET");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_rss_lut_set_get(void)
{
	struct emu_cp *cp = cp_ready();
	uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_rss_lut *l = (void *)buf;
	const struct virtchnl2_rss_lut *r = (const void *)cap.r[0].buf;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 4, 4, &vp), 0, "create");
	memset(buf, 0, sizeof(buf));
	l->vport_id = vc2_cpu_le32(vp.id);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_LUT, buf, 12), 0, "GET default");
	TEST_ASSERT_EQUAL(vc2_le16(r->lut_entries), 64, "whole table");
	TEST_ASSERT_EQUAL(cap.r[0].len, virtchnl2_rss_lut_size(64), "reply length");
	TEST_ASSERT_EQUAL(vc2_le32(r->lut[5]), 5 % 4, "default spreads over the RX queues");
	l->lut_entries_start = vc2_cpu_le16(10);
	l->lut_entries = vc2_cpu_le16(2);
	l->lut[0] = vc2_cpu_le32(3);
	l->lut[1] = vc2_cpu_le32(3);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_LUT, buf, virtchnl2_rss_lut_size(2)), 0,
			  "SET 2 entries at 10");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_LUT, buf, 12), 0, "GET");
	TEST_ASSERT_EQUAL(vc2_le32(r->lut[10]), 3, "entry 10");
	TEST_ASSERT_EQUAL(vc2_le32(r->lut[11]), 3, "entry 11");
	TEST_ASSERT_EQUAL(vc2_le32(r->lut[12]), 0, "entry 12 untouched");
	l->lut[1] = vc2_cpu_le32(4);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_LUT, buf, virtchnl2_rss_lut_size(2)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "RX queue 4 of 4");
	l->lut[1] = vc2_cpu_le32(1);
	l->lut_entries_start = vc2_cpu_le16(63);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_LUT, buf, virtchnl2_rss_lut_size(2)),
			  VIRTCHNL2_STATUS_ERR_ERANGE, "past the table");
	l->lut_entries_start = 0;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_LUT, buf, virtchnl2_rss_lut_size(3)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "length does not match");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_rss_hash_set_get(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_rss_hash h;
	const struct virtchnl2_rss_hash *r = (const void *)cap.r[0].buf;
	uint8_t big[32];
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp), 0, "create");
	memset(&h, 0, sizeof(h));
	h.vport_id = vc2_cpu_le32(vp.id);
	h.ptype_groups = vc2_cpu_le64(0x123456789aULL);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_HASH, &h, sizeof(h)), 0, "SET");
	h.ptype_groups = 0;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_HASH, &h, sizeof(h)), 0, "GET");
	TEST_ASSERT_EQUAL(vc2_le64(r->ptype_groups), 0x123456789aULL, "the hash set");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_HASH, &h, 12),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "short");
	memset(big, 0, sizeof(big));
	memcpy(big, &h, sizeof(h));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_HASH, big, 20),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "long");
	h.vport_id = vc2_cpu_le32(vp.id + 1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_RSS_HASH, &h, sizeof(h)),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Packet types                                                                             */

/*
 * Walk one GET_PTYPE_INFO reply: check it is well formed, that ids follow *next, and count
 * ptypes and terminators.
 */
static int
ptype_walk(const struct cap_reply *rep, uint32_t *next, unsigned int *terms)
{
	const struct virtchnl2_get_ptype_info *h = (const void *)rep->buf;
	size_t off = sizeof(*h);
	uint16_t i, n = vc2_le16(h->num_ptypes);

	TEST_ASSERT_EQUAL(rep->op, VIRTCHNL2_OP_GET_PTYPE_INFO, "opcode");
	TEST_ASSERT_EQUAL(rep->ret, 0, "status");
	TEST_ASSERT(rep->len <= VIRTCHNL2_MAX_MSG_LEN && n > 0, "size");
	for (i = 0; i < n; i++) {
		struct virtchnl2_ptype pt;

		TEST_ASSERT(off + sizeof(pt) <= rep->len, "ptype %u inside the reply", i);
		memcpy(&pt, rep->buf + off, sizeof(pt));
		TEST_ASSERT(pt.proto_id_count > 0, "no zero-count entries");
		if (vc2_le16(pt.ptype_id_10) == VIRTCHNL2_PTYPE_LIST_END) {
			(*terms)++;
		} else {
			TEST_ASSERT_EQUAL(vc2_le16(pt.ptype_id_10), *next, "ids in order");
			(*next)++;
		}
		off += virtchnl2_ptype_size(pt.proto_id_count);
	}
	TEST_ASSERT_EQUAL(off, rep->len, "reply length is the sum of its ptypes");
	return TEST_SUCCESS;
}

static int
test_ptype_single_request_gets_several_replies(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_get_ptype_info q = { vc2_cpu_le16(0), vc2_cpu_le16(1024), { 0 } };
	unsigned int i, terms = 0;
	uint32_t next = 0;

	TEST_ASSERT(cp != NULL, "setup");
	cap.n = 0;
	emu_cp_handle(cp, VIRTCHNL2_OP_GET_PTYPE_INFO, &q, sizeof(q), cap_emit, NULL);
	TEST_ASSERT(cap.n >= 2 && cap.overflow == 0, "%u replies (DPDK 22.11 style)", cap.n);
	for (i = 0; i < cap.n; i++)
		if (ptype_walk(&cap.r[i], &next, &terms) != TEST_SUCCESS)
			return TEST_FAILED;
	TEST_ASSERT_EQUAL(next, 400, "every known ptype once");
	TEST_ASSERT_EQUAL(terms, 1, "one 0xFFFF terminator");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_ptype_chunked_requests_get_one_reply_each(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_get_ptype_info q;
	unsigned int terms = 0, rounds = 0;
	uint32_t next = 0;

	TEST_ASSERT(cp != NULL, "setup");
	while (terms == 0 && rounds < 40) {
		memset(&q, 0, sizeof(q));
		q.start_ptype_id = vc2_cpu_le16((uint16_t)(rounds * 58));
		q.num_ptypes = vc2_cpu_le16(58);
		cap.n = 0;
		emu_cp_handle(cp, VIRTCHNL2_OP_GET_PTYPE_INFO, &q, sizeof(q), cap_emit, NULL);
		TEST_ASSERT_EQUAL(cap.n, 1, "one reply per chunk");
		if (ptype_walk(&cap.r[0], &next, &terms) != TEST_SUCCESS)
			return TEST_FAILED;
		rounds++;
	}
	TEST_ASSERT_EQUAL(next, 400, "every ptype");
	TEST_ASSERT_EQUAL(rounds, 7, "400 ptypes in 58-ptype chunks");
	q.num_ptypes = 0;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_PTYPE_INFO, &q, sizeof(q)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "zero ptypes");
	q.start_ptype_id = vc2_cpu_le16(1000);
	q.num_ptypes = vc2_cpu_le16(30);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_PTYPE_INFO, &q, sizeof(q)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "past 1024");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_PTYPE_INFO, &q, 4),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "short");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Stats, filters, flags                                                                    */

static int
test_get_stats_counters_move(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_vport_stats st;
	const struct virtchnl2_vport_stats *r = (const void *)cap.r[0].buf;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp), 0, "create");
	memset(&st, 0, sizeof(st));
	st.vport_id = vc2_cpu_le32(vp.id);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_STATS, &st, sizeof(st)), 0, "GET_STATS");
	TEST_ASSERT_EQUAL(cap.r[0].len, 128, "128 bytes");
	TEST_ASSERT_EQUAL(vc2_le64(r->rx_bytes), 0, "starts at 0");
	TEST_ASSERT_SUCCESS(emu_cp_stats_add(cp, vp.id, 0, 1500), "add rx_bytes");
	TEST_ASSERT_SUCCESS(emu_cp_stats_add(cp, vp.id, 14, 3), "add rx_overflow_drop");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_STATS, &st, sizeof(st)), 0, "GET_STATS");
	TEST_ASSERT_EQUAL(vc2_le64(r->rx_bytes), 1500, "rx_bytes moved");
	TEST_ASSERT_EQUAL(vc2_le64(r->rx_overflow_drop), 3, "last counter moved");
	TEST_ASSERT_EQUAL(vc2_le32(r->vport_id), vp.id, "vport id");
	TEST_ASSERT_EQUAL(emu_cp_stats_add(cp, vp.id, 15, 1), -EINVAL, "counter out of range");
	TEST_ASSERT_EQUAL(emu_cp_stats_add(cp, vp.id + 1, 0, 1), -ENOENT, "unknown vport");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_STATS, &st, 8), VIRTCHNL2_STATUS_ERR_EINVAL,
			  "short");
	st.vport_id = vc2_cpu_le32(vp.id + 1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_STATS, &st, sizeof(st)),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int32_t
mac_op(struct emu_cp *cp, uint32_t op, uint32_t vport_id, const uint8_t (*addrs)[6],
       uint16_t n)
{
	uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct virtchnl2_mac_addr_list *m = (void *)buf;
	uint16_t i;

	memset(buf, 0, sizeof(buf));
	m->vport_id = vc2_cpu_le32(vport_id);
	m->num_mac_addr = vc2_cpu_le16(n);
	for (i = 0; i < n; i++) {
		memcpy(m->mac_addr_list[i].addr, addrs[i], 6);
		m->mac_addr_list[i].type = VIRTCHNL2_MAC_ADDR_EXTRA;
	}
	return call(cp, op, buf, virtchnl2_mac_addr_list_size(n));
}

static int
test_mac_filters_add_del_and_limits(void)
{
	static const uint8_t a[6][6] = {
		{ 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 },
		{ 2, 0, 0, 0, 0, 4 }, { 2, 0, 0, 0, 0, 5 }, { 0, 0, 0, 0, 0, 0 } };
	struct emu_cp *cp = cp_ready();	/* 4 filters per vport */
	struct emu_cp_vport_state vs;
	struct vport vp;
	uint8_t buf[16];

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp), 0, "create");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id, a, 2), 0, "add 2");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id, a, 2), 0,
			  "adding again is harmless");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.nb_mac_filters, 2, "2 filters, not 4");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id, a, 5),
			  VIRTCHNL2_STATUS_ERR_ENOSPC, "5 > 4 filters");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.nb_mac_filters, 2, "the failed add added nothing");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id, &a[4], 2),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "zero address");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id, a, 0),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "empty list");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id + 7, a, 1),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_DEL_MAC_ADDR, vp.id, &a[1], 2),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "delete one absent");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_DEL_MAC_ADDR, vp.id, a, 1), 0, "delete");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.nb_mac_filters, 1, "one left");
	memset(buf, 0, sizeof(buf));
	((struct virtchnl2_mac_addr_list *)(void *)buf)->num_mac_addr = vc2_cpu_le16(1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, buf, 12),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "length does not match");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_promisc_and_loopback_flags(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_promisc_info p;
	struct virtchnl2_loopback lb;
	struct emu_cp_vport_state vs;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp), 0, "create");
	memset(&p, 0, sizeof(p));
	p.vport_id = vc2_cpu_le32(vp.id);
	p.flags = vc2_cpu_le16(VIRTCHNL2_UNICAST_PROMISC | VIRTCHNL2_MULTICAST_PROMISC);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, &p, sizeof(p)), 0,
			  "promisc on");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.promisc_flags, 3, "both flags");
	p.flags = vc2_cpu_le16(4);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, &p, sizeof(p)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "unknown flag");
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, &p, 6),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "short");
	memset(&lb, 0, sizeof(lb));
	lb.vport_id = vc2_cpu_le32(vp.id);
	lb.enable = 1;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_LOOPBACK, &lb, sizeof(lb)), 0, "loopback");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.loopback, 1, "loopback on");
	TEST_ASSERT_EQUAL(vs.promisc_flags, 3, "rejected promisc changed nothing");
	lb.enable = 2;
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_LOOPBACK, &lb, sizeof(lb)),
			  VIRTCHNL2_STATUS_ERR_EINVAL, "enable 2");
	lb.enable = 0;
	lb.vport_id = vc2_cpu_le32(vp.id + 1);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_LOOPBACK, &lb, sizeof(lb)),
			  VIRTCHNL2_STATUS_ERR_ENXIO, "unknown vport");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Reset, events, telemetry                                                                 */

static int
test_reset_vf_has_no_reply_and_clears_state(void)
{
	struct emu_cp *cp = cp_ready();
	struct virtchnl2_get_capabilities c;
	struct emu_cp_summary s;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	TEST_ASSERT_EQUAL(alloc_vectors(cp, 2), 0, "vectors");
	cap.n = 0;
	emu_cp_handle(cp, VIRTCHNL2_OP_RESET_VF, NULL, 0, cap_emit, NULL);
	TEST_ASSERT_EQUAL(cap.n, 0, "RESET_VF is never answered");
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	TEST_ASSERT_EQUAL(s.nb_vports, 0, "vports gone");
	TEST_ASSERT_EQUAL(s.vectors_allocated, 0, "vectors gone");
	TEST_ASSERT_EQUAL(s.queues_used[0], 0, "queues gone");
	TEST_ASSERT_EQUAL(s.versioned, 0, "VERSION needed again");
	TEST_ASSERT_EQUAL(s.resets, 1, "counted");
	memset(&c, 0, sizeof(c));
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_GET_CAPS, &c, sizeof(c)),
			  VIRTCHNL2_STATUS_ERR_ESM, "GET_CAPS before VERSION after reset");
	TEST_ASSERT_EQUAL(vport_op(cp, VIRTCHNL2_OP_ENABLE_VPORT, vp.id), VIRTCHNL2_STATUS_ERR_ESM,
			  "old vport before VERSION");
	emu_cp_destroy(cp);
	cp = cp_ready();
	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp), 0, "create");
	emu_cp_reset(cp);
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	TEST_ASSERT_EQUAL(s.nb_vports + s.versioned + s.caps_done, 0, "emu_cp_reset clears");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_link_event_emits_event_and_records_link(void)
{
	struct emu_cp *cp = cp_ready();
	const struct virtchnl2_event *ev = (const void *)cap.r[0].buf;
	struct emu_cp_vport_state vs;
	struct vport vp;

	TEST_ASSERT(cp != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 1, 1, &vp), 0, "create");
	cap.n = 0;
	TEST_ASSERT_SUCCESS(emu_cp_link_event(cp, vp.id, 1, 25000, cap_emit, NULL), "event");
	TEST_ASSERT_EQUAL(cap.n, 1, "one message");
	TEST_ASSERT_EQUAL(cap.r[0].op, VIRTCHNL2_OP_EVENT, "EVENT opcode");
	TEST_ASSERT_EQUAL(cap.r[0].len, 16, "16 bytes");
	TEST_ASSERT_EQUAL(vc2_le32(ev->event), VIRTCHNL2_EVENT_LINK_CHANGE, "link change");
	TEST_ASSERT_EQUAL(vc2_le32(ev->link_speed), 25000, "speed");
	TEST_ASSERT_EQUAL(vc2_le32(ev->vport_id), vp.id, "vport");
	TEST_ASSERT_EQUAL(ev->link_status, 1, "up");
	TEST_ASSERT_SUCCESS(emu_cp_vport_state(cp, vp.id, &vs), "state");
	TEST_ASSERT_EQUAL(vs.link_up, 1, "recorded");
	TEST_ASSERT_EQUAL(vs.link_speed, 25000, "speed recorded");
	cap.n = 0;
	TEST_ASSERT_EQUAL(emu_cp_link_event(cp, vp.id + 1, 1, 100, cap_emit, NULL), -ENOENT,
			  "unknown vport");
	TEST_ASSERT_EQUAL(cap.n, 0, "nothing emitted");
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_bad_create_arguments_rejected(void)
{
	struct emu_cp_resources r = def_res;

	r.max_vports = 0;
	TEST_ASSERT(emu_cp_create(&r) == NULL, "no vport");
	r = def_res;
	r.max_vectors = 1;
	TEST_ASSERT(emu_cp_create(&r) == NULL, "mailbox vector only");
	r = def_res;
	r.rss_lut_size = 4000;
	TEST_ASSERT(emu_cp_create(&r) == NULL, "LUT larger than one message");
	TEST_ASSERT(emu_cp_create(NULL) == NULL, "NULL");
	emu_cp_destroy(NULL);
	return TEST_SUCCESS;
}

#ifdef HAVE_TEL_PRIVATE
/* Find a dict entry by name; NULL if absent. */
static const struct tel_dict_entry *
tel_get(const struct rte_tel_data *d, const char *name)
{
	unsigned int i;

	if (d == NULL || d->type != RTE_TEL_DICT)
		return NULL;
	for (i = 0; i < d->data_len; i++)
		if (strcmp(d->data.dict[i].name, name) == 0)
			return &d->data.dict[i];
	return NULL;
}

static const struct rte_tel_data *
tel_sub(const struct rte_tel_data *d, const char *name)
{
	const struct tel_dict_entry *e = tel_get(d, name);

	return e != NULL && e->type == RTE_TEL_CONTAINER ? e->value.container.data : NULL;
}

static void
tel_free(struct rte_tel_data *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	if (d->type == RTE_TEL_DICT) {
		for (i = 0; i < d->data_len; i++)
			if (d->data.dict[i].type == RTE_TEL_CONTAINER)
				tel_free(d->data.dict[i].value.container.data);
	}
	rte_tel_data_free(d);
}
#endif

static int
test_telemetry_shows_what_the_driver_programmed(void)
{
#ifndef HAVE_TEL_PRIVATE
	TEST_SKIP("telemetry internals not available (no sdk_src)");
#else
	struct emu_cp *cp = cp_ready();
	struct rte_tel_data *d = rte_tel_data_alloc();
	const struct rte_tel_data *vports, *v, *txq, *arr;
	const struct tel_dict_entry *e;
	static const uint8_t mac[1][6] = { { 2, 0, 0, 0, 0, 9 } };
	struct virtchnl2_rss_hash h;
	char key[16];
	struct vport vp;

	TEST_ASSERT(cp != NULL && d != NULL, "setup");
	TEST_ASSERT_EQUAL(create_vport(cp, 0, 2, 2, &vp), 0, "create");
	TEST_ASSERT_EQUAL(config_tx(cp, vp.id, vp.first[0], 2, 0), 0, "config TX");
	TEST_ASSERT_EQUAL(mac_op(cp, VIRTCHNL2_OP_ADD_MAC_ADDR, vp.id, mac, 1), 0, "MAC");
	memset(&h, 0, sizeof(h));
	h.vport_id = vc2_cpu_le32(vp.id);
	h.ptype_groups = vc2_cpu_le64(0xabc);
	TEST_ASSERT_EQUAL(call(cp, VIRTCHNL2_OP_SET_RSS_HASH, &h, sizeof(h)), 0, "hash");
	TEST_ASSERT_SUCCESS(emu_cp_telemetry(cp, d), "telemetry");
	e = tel_get(d, "versioned");
	TEST_ASSERT(e != NULL && e->value.ival == 1, "versioned");
	vports = tel_sub(d, "vports");
	snprintf(key, sizeof(key), "%u", vp.id);
	v = tel_sub(vports, key);
	TEST_ASSERT(v != NULL, "vport %s listed", key);
	e = tel_get(v, "rss_hash");
	TEST_ASSERT(e != NULL && e->value.u64val == 0xabc, "RSS hash");
	arr = tel_sub(v, "mac_filters");
	TEST_ASSERT(arr != NULL && arr->data_len == 1 &&
		    strcmp(arr->data.array[0].sval, "02:00:00:00:00:09") == 0, "MAC filter");
	txq = tel_sub(v, "txq");
	arr = tel_sub(txq, "ring_addr");
	TEST_ASSERT(arr != NULL && arr->data_len == 2, "2 TX queues");
	TEST_ASSERT_EQUAL(arr->data.array[1].u64val, 0x200000, "ring address programmed");
	arr = tel_sub(txq, "vector");
	TEST_ASSERT(arr != NULL && arr->data.array[0].ival == -1, "not mapped");
	arr = tel_sub(v, "rss_lut");
	TEST_ASSERT(arr != NULL && arr->data_len == 64, "LUT");
	e = tel_get(tel_sub(d, "requests"), "CREATE_VPORT");
	TEST_ASSERT(e != NULL && e->value.u64val == 1, "per-opcode counter");
	e = tel_get(tel_sub(d, "requests"), "VERSION");
	TEST_ASSERT(e != NULL && e->value.u64val == 1, "VERSION counted");
	tel_free(d);
	d = rte_tel_data_alloc();
	TEST_ASSERT_SUCCESS(emu_cp_telemetry_vport(cp, vp.id, d), "one vport");
	e = tel_get(d, "id");
	TEST_ASSERT(e != NULL && e->value.u64val == vp.id, "its id");
	tel_free(d);
	d = rte_tel_data_alloc();
	TEST_ASSERT_EQUAL(emu_cp_telemetry_vport(cp, vp.id + 1, d), -ENOENT, "unknown vport");
	rte_tel_data_free(d);	/* never started: nothing inside */
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
#endif
}

static const struct test_case cases[] = {
	TEST_CASE(test_requests_before_version_get_esm),
	TEST_CASE(test_version_mismatch_answered_but_not_accepted),
	TEST_CASE(test_unknown_opcode_gets_esrch_and_echo),
	TEST_CASE(test_get_caps_grants_within_resources),
	TEST_CASE(test_create_vport_single_reports_contiguous_chunks),
	TEST_CASE(test_create_vport_split_has_four_queue_types),
	TEST_CASE(test_create_vport_rejects_bad_requests_and_exhaustion),
	TEST_CASE(test_vport_enable_disable_destroy),
	TEST_CASE(test_config_queues_records_rings),
	TEST_CASE(test_config_queues_rejections_change_nothing),
	TEST_CASE(test_split_queues_check_companion_ids),
	TEST_CASE(test_enable_disable_queues_follow_state),
	TEST_CASE(test_add_del_queues),
	TEST_CASE(test_vectors_alloc_map_dealloc),
	TEST_CASE(test_vectors_fragmented_pool_gives_several_chunks),
	TEST_CASE(test_rss_key_set_get),
	TEST_CASE(test_rss_lut_set_get),
	TEST_CASE(test_rss_hash_set_get),
	TEST_CASE(test_ptype_single_request_gets_several_replies),
	TEST_CASE(test_ptype_chunked_requests_get_one_reply_each),
	TEST_CASE(test_get_stats_counters_move),
	TEST_CASE(test_mac_filters_add_del_and_limits),
	TEST_CASE(test_promisc_and_loopback_flags),
	TEST_CASE(test_reset_vf_has_no_reply_and_clears_state),
	TEST_CASE(test_link_event_emits_event_and_records_link),
	TEST_CASE(test_bad_create_arguments_rejected),
	TEST_CASE(test_telemetry_shows_what_the_driver_programmed),
};

TEST_MAIN("emu_cp", cases)
