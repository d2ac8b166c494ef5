/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idpf adapter bring-up: reset check, channel, VERSION, GET_CAPS, PTYPE table, vectors, and
 * the EVENT dispatcher.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "idpf_adapter.h"

RTE_LOG_REGISTER(idpf_adapter_logtype, ctlpath.idpf.adapter, NOTICE);
#define AD_LOG(level, ad, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idpf_adapter_logtype, "idpf %s: " fmt "\n", (ad)->name, \
		##__VA_ARGS__)

#define RESET_WAIT_MS 2000
#define VERSION_TRIES 10		/* the spec: >= 10 tries ... */
#define VERSION_TRY_MS 200		/* ... well past its 20 ms spacing on a slow emulator */
#define PTYPES_PER_REQ 58		/* one reply of <= 58 ptypes fits a 4 KiB buffer */
#define QUEUE_VECTORS 1

/* The capabilities we ask for; the control plane grants a subset. */
static void
caps_wanted(struct virtchnl2_get_capabilities *c)
{
	memset(c, 0, sizeof(*c));
	c->csum_caps = vc2_cpu_le32(0xffff);
	c->rss_caps = vc2_cpu_le64(0x3fff);
	c->other_caps = vc2_cpu_le64(VIRTCHNL2_CAP_WB_ON_ITR | VIRTCHNL2_CAP_MACFILTER |
				     VIRTCHNL2_CAP_PROMISC | VIRTCHNL2_CAP_PTYPE |
				     VIRTCHNL2_CAP_LOOPBACK | VIRTCHNL2_CAP_LINK_SPEED);
}

static void
adapter_event(void *arg, const struct virtchnl2_event *ev)
{
	struct idpf_adapter *ad = arg;
	uint32_t id = vc2_le32(ev->vport_id);
	unsigned int i;

	if (vc2_le32(ev->event) != VIRTCHNL2_EVENT_LINK_CHANGE) {
		AD_LOG(INFO, ad, "ignoring event %u", vc2_le32(ev->event));
		return;
	}
	for (i = 0; i < RTE_DIM(ad->vports); i++) {
		struct idpf_vport *vp = ad->vports[i];

		if (vp == NULL || vp->vport_id != id)
			continue;
		vp->link_speed = vc2_le32(ev->link_speed);
		__atomic_store_n(&vp->link_up, ev->link_status != 0, __ATOMIC_RELEASE);
		AD_LOG(INFO, ad, "vport %u link %s, %u Mbps", id, ev->link_status ? "up" : "down",
		       vp->link_speed);
		if (ad->link_cb != NULL)
			ad->link_cb(ad->link_arg, vp);
		return;
	}
	AD_LOG(INFO, ad, "link event for unknown vport %u", id);
}

static int
negotiate_version(struct idpf_adapter *ad)
{
	struct virtchnl2_version_info v = {
		.major = vc2_cpu_le32(VIRTCHNL2_VERSION_MAJOR),
		.minor = vc2_cpu_le32(VIRTCHNL2_VERSION_MINOR),
	};
	struct virtchnl2_version_info r;
	int rc = -ETIMEDOUT, i;

	for (i = 0; i < VERSION_TRIES && rc == -ETIMEDOUT; i++)
		rc = idpf_ctl_call(ad->ctl, VIRTCHNL2_OP_VERSION, &v, sizeof(v), &r, sizeof(r),
				   VERSION_TRY_MS);
	if (rc < 0)
		return rc;
	if (rc != sizeof(r)) {
		AD_LOG(ERR, ad, "VERSION reply of %d bytes, want %zu", rc, sizeof(r));
		return -EBADMSG;
	}
	ad->ver_major = vc2_le32(r.major);
	ad->ver_minor = vc2_le32(r.minor);
	/* any 2.x is fine; unlike DPDK 22.11 a minor bump does not fail init */
	if (ad->ver_major != VIRTCHNL2_VERSION_MAJOR) {
		AD_LOG(ERR, ad, "control plane speaks virtchnl %u.%u, we need 2.x",
		       ad->ver_major, ad->ver_minor);
		return -EPROTO;
	}
	return 0;
}

static int
get_caps(struct idpf_adapter *ad)
{
	struct virtchnl2_get_capabilities want;
	int rc;

	caps_wanted(&want);
	rc = idpf_ctl_call(ad->ctl, VIRTCHNL2_OP_GET_CAPS, &want, sizeof(want), &ad->caps,
			   sizeof(ad->caps), 0);
	if (rc < 0)
		return rc;
	if (rc != sizeof(ad->caps)) {
		AD_LOG(ERR, ad, "GET_CAPS reply of %d bytes, want %zu", rc, sizeof(ad->caps));
		return -EBADMSG;
	}
	if (vc2_le16(ad->caps.max_vports) == 0 || vc2_le16(ad->caps.max_rx_q) == 0 ||
	    vc2_le16(ad->caps.max_tx_q) == 0) {
		AD_LOG(ERR, ad, "control plane grants no vport or queue");
		return -ENODEV;
	}
	return 0;
}

/* Parse one GET_PTYPE_INFO reply; every length is checked before it is read. */
static int
parse_ptypes(struct idpf_adapter *ad, const uint8_t *buf, uint32_t len, bool *end)
{
	const struct virtchnl2_get_ptype_info *hdr = (const void *)buf;
	uint32_t off = sizeof(*hdr), i, n;

	if (len < sizeof(*hdr))
		return -EBADMSG;
	n = vc2_le16(hdr->num_ptypes);
	for (i = 0; i < n; i++) {
		struct virtchnl2_ptype pt;
		uint16_t id;

		if (off + sizeof(pt) > len)
			return -EBADMSG;
		memcpy(&pt, buf + off, sizeof(pt));
		id = vc2_le16(pt.ptype_id_10);
		if (id == VIRTCHNL2_PTYPE_LIST_END) {
			*end = true;
			return 0;
		}
		off += virtchnl2_ptype_size(pt.proto_id_count);
		if (off > len || id >= IDPF_PTYPE_MAX)
			return -EBADMSG;
		ad->ptype_proto_count[id] = pt.proto_id_count;
		if (id + 1u > ad->num_ptypes)
			ad->num_ptypes = id + 1;
	}
	return 0;
}

static int
get_ptypes(struct idpf_adapter *ad)
{
	enum { NREQ = (IDPF_PTYPE_MAX + PTYPES_PER_REQ - 1) / PTYPES_PER_REQ };
	struct virtchnl2_get_ptype_info req[NREQ];
	struct idpf_ctl_req r[NREQ];
	uint8_t *bufs;
	bool end = false;
	unsigned int i;
	int rc;

	bufs = malloc((size_t)NREQ * VIRTCHNL2_MAX_MSG_LEN);
	if (bufs == NULL)
		return -ENOMEM;
	memset(r, 0, sizeof(r));
	for (i = 0; i < NREQ; i++) {
		uint16_t start = i * PTYPES_PER_REQ;

		memset(&req[i], 0, sizeof(req[i]));
		req[i].start_ptype_id = vc2_cpu_le16(start);
		req[i].num_ptypes = vc2_cpu_le16(RTE_MIN(PTYPES_PER_REQ, IDPF_PTYPE_MAX - start));
		r[i] = (struct idpf_ctl_req){
			.op = VIRTCHNL2_OP_GET_PTYPE_INFO, .req = &req[i],
			.req_len = sizeof(req[i]), .resp = bufs + i * VIRTCHNL2_MAX_MSG_LEN,
			.resp_cap = VIRTCHNL2_MAX_MSG_LEN,
		};
	}
	ad->num_ptypes = 0;
	rc = idpf_ctl_batch(ad->ctl, r, NREQ, 0);
	for (i = 0; rc == 0 && i < NREQ && !end; i++)
		rc = parse_ptypes(ad, r[i].resp, (uint32_t)r[i].result, &end);
	free(bufs);
	if (rc < 0)
		AD_LOG(ERR, ad, "PTYPE table: %s", strerror(-rc));
	return rc;
}

static int
alloc_vectors(struct idpf_adapter *ad)
{
	struct {
		struct virtchnl2_alloc_vectors a;
		struct virtchnl2_vector_chunk c[4];
	} req, rep;
	int rc;

	memset(&req, 0, sizeof(req));
	req.a.num_vectors = vc2_cpu_le16(QUEUE_VECTORS);
	rc = idpf_ctl_call(ad->ctl, VIRTCHNL2_OP_ALLOC_VECTORS, &req, sizeof(req.a), &rep,
			   sizeof(rep), 0);
	if (rc < 0)
		return rc;
	if ((size_t)rc < virtchnl2_alloc_vectors_size(1) ||
	    vc2_le16(rep.a.vchunks.num_vchunks) < 1 ||
	    (size_t)rc < virtchnl2_alloc_vectors_size(vc2_le16(rep.a.vchunks.num_vchunks))) {
		AD_LOG(ERR, ad, "ALLOC_VECTORS reply of %d bytes is short", rc);
		return -EBADMSG;
	}
	ad->vec_start = vc2_le16(rep.c[0].start_vector_id);
	ad->num_vecs = vc2_le16(rep.c[0].num_vectors);
	return ad->num_vecs >= 1 ? 0 : -ENOSPC;
}

static void
dealloc_vectors(struct idpf_adapter *ad)
{
	struct {
		struct virtchnl2_vector_chunks h;
		struct virtchnl2_vector_chunk c;
	} req;

	if (ad->num_vecs == 0)
		return;
	memset(&req, 0, sizeof(req));
	req.h.num_vchunks = vc2_cpu_le16(1);
	req.c.start_vector_id = vc2_cpu_le16(ad->vec_start);
	req.c.num_vectors = vc2_cpu_le16(ad->num_vecs);
	idpf_ctl_call(ad->ctl, VIRTCHNL2_OP_DEALLOC_VECTORS, &req, sizeof(req), NULL, 0, 0);
	ad->num_vecs = 0;
}

/* The conversation after the mailbox is up, shared by init and reinit. */
static int
adapter_handshake(struct idpf_adapter *ad)
{
	int rc;

	rc = negotiate_version(ad);
	if (rc == 0)
		rc = get_caps(ad);
	if (rc == 0)
		rc = get_ptypes(ad);
	if (rc == 0)
		rc = alloc_vectors(ad);
	if (rc < 0)
		AD_LOG(ERR, ad, "bring-up failed: %s", strerror(-rc));
	else
		AD_LOG(INFO, ad, "virtchnl %u.%u, %u vports, %u/%u queues, %u ptypes",
		       ad->ver_major, ad->ver_minor, vc2_le16(ad->caps.max_vports),
		       vc2_le16(ad->caps.max_tx_q), vc2_le16(ad->caps.max_rx_q), ad->num_ptypes);
	return rc;
}

static int
wait_reset_done(struct idpf_adapter *ad)
{
	unsigned int ms;

	for (ms = 0; ms < RESET_WAIT_MS; ms++) {
		if (idpf_hw_reset_done(&ad->hw))
			return 0;
		rte_delay_us_sleep(1000);
	}
	AD_LOG(ERR, ad, "device reset not complete after %u ms", RESET_WAIT_MS);
	return -EIO;
}

int
idpf_adapter_init(struct idpf_adapter *ad, const char *name, const struct idpf_hw *hw,
		  const struct idpf_ctl_conf *cc)
{
	int rc;

	snprintf(ad->name, sizeof(ad->name), "%s", name);
	ad->hw = *hw;
	ad->ctl_conf = *cc;
	ad->ctl_conf.name = ad->name;
	ad->ctl_conf.event_cb = adapter_event;
	ad->ctl_conf.event_arg = ad;
	/* DPDK 22.11 configures one queue per message; we split 16 queues over 4 messages */
	ad->qcfg_per_msg = cc->legacy ? 1 : 4;

	rc = wait_reset_done(ad);
	if (rc < 0)
		return rc;
	ad->ctl = idpf_ctl_create(&ad->hw, &ad->ctl_conf);
	if (ad->ctl == NULL)
		return -rte_errno;
	rc = adapter_handshake(ad);
	if (rc < 0) {
		idpf_ctl_destroy(ad->ctl);
		ad->ctl = NULL;
	}
	return rc;
}

void
idpf_adapter_fini(struct idpf_adapter *ad)
{
	if (ad->ctl == NULL)
		return;
	/* teardown messages go out before the channel closes (Linux 09d0fb5cb30e) */
	if (!idpf_ctl_is_down(ad->ctl))
		dealloc_vectors(ad);
	idpf_ctl_destroy(ad->ctl);
	ad->ctl = NULL;
}

int
idpf_adapter_reinit(struct idpf_adapter *ad)
{
	int rc;

	ad->num_vecs = 0;
	rc = wait_reset_done(ad);
	if (rc == 0)
		rc = idpf_ctl_reset(ad->ctl, RESET_WAIT_MS);
	if (rc == 0)
		rc = adapter_handshake(ad);
	return rc;
}
