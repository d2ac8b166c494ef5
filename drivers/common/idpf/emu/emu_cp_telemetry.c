/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated idpf control plane: its state as a DPDK telemetry dict.
 *
 * Layout (JSON as the telemetry socket prints it):
 *   { "versioned": 0|1, "caps_done": 0|1, "driver_version": "2.0",
 *     "vectors": { "granted": n, "allocated": [ids], "mapped_queues": [per allocated id] },
 *     "vports": { "<vport_id>": <vport>, ... },
 *     "requests": { "<OPNAME>": n, ... }, "errors": { "<OPNAME>": n, ... },
 *     "unknown_requests": n, "link_events": n, "resets": n }
 * and <vport> (also what emu_cp_telemetry_vport() returns):
 *   { "id", "index", "enabled", "link_up", "link_speed", "loopback", "promisc_unicast",
 *     "promisc_multicast", "txq_model", "rxq_model", "mac", "mac_filters": ["aa:bb:..."],
 *     "rss_key": "hex", "rss_lut": [..], "rss_hash": n, "stats": { "rx_bytes": n, ... },
 *     "requests": n,
 *     "txq"|"rxq"|"txcq"|"rxbufq": { "id": [..], "ring_addr": [..], "ring_len": [..],
 *                                  "configured": [..], "enabled": [..], "vector": [..] } }
 * where "vector" is -1 for an unmapped queue. Arrays are parallel: entry i of each describes
 * the same queue. Telemetry limits: 512 array entries, 256 dict entries.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "emu_cp_priv.h"

static const char *const qtype_key[EMU_CP_NB_QTYPES] = { "txq", "rxq", "txcq", "rxbufq" };

static const char *const stats_key[VIRTCHNL2_VPORT_STATS_COUNTERS] = {
	"rx_bytes", "rx_unicast", "rx_multicast", "rx_broadcast", "rx_discards", "rx_errors",
	"rx_unknown_protocol", "tx_bytes", "tx_unicast", "tx_multicast", "tx_broadcast",
	"tx_discards", "tx_errors", "rx_invalid_frame_length", "rx_overflow_drop",
};

/* Queue field arrays of one type; the caller frees on failure. */
enum { QF_ID, QF_ADDR, QF_LEN, QF_CONF, QF_ENA, QF_VEC, QF_NB };
static const char *const qfield_key[QF_NB] = {
	"id", "ring_addr", "ring_len", "configured", "enabled", "vector" };

static struct rte_tel_data *
queues_dict(struct emu_cp *cp, int slot, int t)
{
	struct rte_tel_data *d = rte_tel_data_alloc(), *a[QF_NB] = { NULL };
	unsigned int i, f;

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (f = 0; f < QF_NB; f++) {
		a[f] = rte_tel_data_alloc();
		if (a[f] == NULL)
			goto fail;
		rte_tel_data_start_array(a[f], f == QF_VEC ? RTE_TEL_INT_VAL : RTE_TEL_U64_VAL);
	}
	for (i = 0; i < cp->nb_queues[t]; i++) {
		const struct emu_cp_queue *q = &cp->queues[t][i];

		if (q->vport != slot)
			continue;
		rte_tel_data_add_array_u64(a[QF_ID], emu_cp_qid_base[t] + i);
		rte_tel_data_add_array_u64(a[QF_ADDR], q->dma_ring_addr);
		rte_tel_data_add_array_u64(a[QF_LEN], q->ring_len);
		rte_tel_data_add_array_u64(a[QF_CONF], q->configured);
		rte_tel_data_add_array_u64(a[QF_ENA], q->enabled);
		rte_tel_data_add_array_int(a[QF_VEC], q->mapped ? q->vector_id : -1);
	}
	for (f = 0; f < QF_NB; f++) {
		if (rte_tel_data_add_dict_container(d, qfield_key[f], a[f], 0) != 0)
			goto fail;
		a[f] = NULL;
	}
	return d;
fail:
	for (f = 0; f < QF_NB; f++)
		rte_tel_data_free(a[f]);
	rte_tel_data_free(d);
	return NULL;
}

static void
fmt_mac(char *s, size_t sz, const uint8_t m[6])
{
	snprintf(s, sz, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Add a container to a dict, freeing it if that fails. */
static int
add_container(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
	if (c == NULL)
		return -ENOMEM;
	if (rte_tel_data_add_dict_container(d, name, c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOSPC;
	}
	return 0;
}

/* Fill @p d (already a started dict) with one vport. Caller holds the lock. */
static int
vport_fill(struct emu_cp *cp, const struct emu_cp_vport *vp, struct rte_tel_data *d)
{
	char s[2 * EMU_CP_MAX_KEY + 1];
	struct rte_tel_data *c;
	int slot = (int)(vp - cp->vports), t, rc;
	unsigned int i;

	rte_tel_data_add_dict_u64(d, "id", vp->id);
	rte_tel_data_add_dict_u64(d, "index", vp->vport_index);
	rte_tel_data_add_dict_int(d, "enabled", vp->enabled);
	rte_tel_data_add_dict_int(d, "link_up", vp->link_up);
	rte_tel_data_add_dict_u64(d, "link_speed", vp->link_speed);
	rte_tel_data_add_dict_int(d, "loopback", vp->loopback);
	rte_tel_data_add_dict_int(d, "promisc_unicast",
				  !!(vp->promisc & VIRTCHNL2_UNICAST_PROMISC));
	rte_tel_data_add_dict_int(d, "promisc_multicast",
				  !!(vp->promisc & VIRTCHNL2_MULTICAST_PROMISC));
	rte_tel_data_add_dict_string(d, "txq_model",
		vp->txq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT ? "split" : "single");
	rte_tel_data_add_dict_string(d, "rxq_model",
		vp->rxq_model == VIRTCHNL2_QUEUE_MODEL_SPLIT ? "split" : "single");
	fmt_mac(s, sizeof(s), vp->mac);
	rte_tel_data_add_dict_string(d, "mac", s);
	rte_tel_data_add_dict_u64(d, "requests", vp->requests);

	c = rte_tel_data_alloc();
	if (c != NULL) {
		rte_tel_data_start_array(c, RTE_TEL_STRING_VAL);
		for (i = 0; i < vp->n_mac; i++) {
			fmt_mac(s, sizeof(s), vp->macs[i].addr);
			rte_tel_data_add_array_string(c, s);
		}
	}
	rc = add_container(d, "mac_filters", c);
	if (rc != 0)
		return rc;

	/* The telemetry string limit (128) holds a 52-byte key in hex; longer keys are cut. */
	for (i = 0; i < vp->rss_key_len && 2 * i + 2 < RTE_TEL_MAX_STRING_LEN; i++)
		snprintf(s + 2 * i, 3, "%02x", vp->rss_key[i]);
	s[2 * i] = '\0';
	rte_tel_data_add_dict_string(d, "rss_key", s);
	rte_tel_data_add_dict_u64(d, "rss_key_len", vp->rss_key_len);
	c = rte_tel_data_alloc();
	if (c != NULL) {
		rte_tel_data_start_array(c, RTE_TEL_U64_VAL);
		for (i = 0; i < cp->res.rss_lut_size; i++)
			rte_tel_data_add_array_u64(c, vp->rss_lut[i]);
	}
	rc = add_container(d, "rss_lut", c);
	if (rc != 0)
		return rc;
	rte_tel_data_add_dict_u64(d, "rss_hash", vp->rss_hash);

	c = rte_tel_data_alloc();
	if (c != NULL) {
		rte_tel_data_start_dict(c);
		for (i = 0; i < VIRTCHNL2_VPORT_STATS_COUNTERS; i++)
			rte_tel_data_add_dict_u64(c, stats_key[i], vp->stats[i]);
	}
	rc = add_container(d, "stats", c);
	if (rc != 0)
		return rc;
	for (t = 0; t < EMU_CP_NB_QTYPES; t++) {
		rc = add_container(d, qtype_key[t], queues_dict(cp, slot, t));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
vectors_fill(struct emu_cp *cp, struct rte_tel_data *d)
{
	struct rte_tel_data *ids = rte_tel_data_alloc(), *mapped = rte_tel_data_alloc();
	unsigned int v;

	if (ids == NULL || mapped == NULL) {
		rte_tel_data_free(ids);
		rte_tel_data_free(mapped);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "granted", cp->granted_vectors);
	rte_tel_data_add_dict_u64(d, "mailbox_vector", EMU_CP_MBX_VECTOR);
	rte_tel_data_start_array(ids, RTE_TEL_U64_VAL);
	rte_tel_data_start_array(mapped, RTE_TEL_U64_VAL);
	for (v = 0; v < cp->res.max_vectors; v++)
		if (cp->vec_allocated[v]) {
			rte_tel_data_add_array_u64(ids, v);
			rte_tel_data_add_array_u64(mapped, cp->vec_mapped[v]);
		}
	if (add_container(d, "allocated", ids) != 0) {
		rte_tel_data_free(mapped);
		return -ENOSPC;
	}
	return add_container(d, "mapped_queues", mapped);
}

int
emu_cp_telemetry(struct emu_cp *cp, struct rte_tel_data *d)
{
	struct rte_tel_data *vports = NULL, *req = NULL, *err = NULL, *vec = NULL;
	uint64_t nreq, nerr;
	uint32_t opcode;
	char name[16];
	unsigned int i;
	int rc = -ENOMEM;

	if (cp == NULL || d == NULL)
		return -EINVAL;
	pthread_mutex_lock(&cp->lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "versioned", cp->versioned);
	rte_tel_data_add_dict_int(d, "caps_done", cp->caps_done);
	snprintf(name, sizeof(name), "%u.%u", cp->drv_major, cp->drv_minor);
	rte_tel_data_add_dict_string(d, "driver_version", name);
	rte_tel_data_add_dict_u64(d, "unknown_requests", cp->unknown_requests);
	rte_tel_data_add_dict_u64(d, "link_events", cp->link_events);
	rte_tel_data_add_dict_u64(d, "resets", cp->resets);

	vec = rte_tel_data_alloc();
	if (vec == NULL)
		goto out;
	rc = vectors_fill(cp, vec);
	if (rc != 0) {
		rte_tel_data_free(vec);
		goto out;
	}
	rc = add_container(d, "vectors", vec);
	if (rc != 0)
		goto out;

	rc = -ENOMEM;
	vports = rte_tel_data_alloc();
	if (vports == NULL)
		goto out;
	rte_tel_data_start_dict(vports);
	for (i = 0; i < cp->res.max_vports; i++) {
		struct rte_tel_data *one;

		if (!cp->vports[i].used)
			continue;
		one = rte_tel_data_alloc();
		if (one == NULL) {
			rte_tel_data_free(vports);
			goto out;
		}
		rte_tel_data_start_dict(one);
		snprintf(name, sizeof(name), "%u", cp->vports[i].id);
		rc = vport_fill(cp, &cp->vports[i], one);
		if (rc == 0)
			rc = add_container(vports, name, one);
		else
			rte_tel_data_free(one);
		if (rc != 0) {
			rte_tel_data_free(vports);
			goto out;
		}
	}
	rc = add_container(d, "vports", vports);
	if (rc != 0)
		goto out;

	rc = -ENOMEM;
	req = rte_tel_data_alloc();
	err = rte_tel_data_alloc();
	if (req == NULL || err == NULL) {
		rte_tel_data_free(req);
		rte_tel_data_free(err);
		goto out;
	}
	rte_tel_data_start_dict(req);
	rte_tel_data_start_dict(err);
	for (i = 0; emu_cp_op_counters(cp, i, &opcode, &nreq, &nerr); i++) {
		rte_tel_data_add_dict_u64(req, virtchnl2_op_name(opcode), nreq);
		rte_tel_data_add_dict_u64(err, virtchnl2_op_name(opcode), nerr);
	}
	rc = add_container(d, "requests", req);
	if (rc != 0) {
		rte_tel_data_free(err);
		goto out;
	}
	rc = add_container(d, "errors", err);
out:
	pthread_mutex_unlock(&cp->lock);
	return rc;
}

int
emu_cp_telemetry_vport(struct emu_cp *cp, uint32_t vport_id, struct rte_tel_data *d)
{
	struct emu_cp_vport *vp;
	int rc;

	if (cp == NULL || d == NULL)
		return -EINVAL;
	pthread_mutex_lock(&cp->lock);
	vp = emu_cp_vport_find(cp, vport_id);
	if (vp == NULL) {
		rc = -ENOENT;
	} else {
		rte_tel_data_start_dict(d);
		rc = vport_fill(cp, vp, d);
	}
	pthread_mutex_unlock(&cp->lock);
	return rc;
}
