/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extended statistics of the idpf PMD: the device's vport counters (GET_STATS), the control
 * channel's counters (transactions, drops by kind, in flight, latency) and, per virtchnl2
 * opcode the driver sends, calls, errors and mean / max latency.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "idpf_xn_ethdev.h"

static const char *const vport_names[VIRTCHNL2_VPORT_STATS_COUNTERS] = {
	"rx_bytes", "rx_unicast_packets", "rx_multicast_packets", "rx_broadcast_packets",
	"rx_discards", "rx_errors", "rx_unknown_protocol", "tx_bytes", "tx_unicast_packets",
	"tx_multicast_packets", "tx_broadcast_packets", "tx_discards", "tx_errors",
	"rx_invalid_frame_length", "rx_overflow_drop",
};

#define CTL_STAT(f) { "mbx_" #f, offsetof(struct idpf_ctl_stats, f) }
static const struct {
	const char *name;
	size_t off;
} ctl_names[] = {
	CTL_STAT(sent), CTL_STAT(completed), CTL_STAT(timed_out), CTL_STAT(cancelled),
	CTL_STAT(remote_errors), CTL_STAT(late_dropped), CTL_STAT(stale_dropped),
	CTL_STAT(dup_dropped), CTL_STAT(unknown_dropped), CTL_STAT(opcode_mismatch),
	CTL_STAT(inflight), CTL_STAT(inflight_hwm), CTL_STAT(lat_min_ns), CTL_STAT(lat_p50_ns),
	CTL_STAT(lat_p99_ns), CTL_STAT(lat_max_ns), CTL_STAT(events), CTL_STAT(rx_msgs),
	CTL_STAT(rx_errors), CTL_STAT(tx_full), CTL_STAT(interrupts), CTL_STAT(resets),
	CTL_STAT(waits),
};

/* The opcodes this driver sends, each with four figures. */
static const uint32_t op_list[] = {
	VIRTCHNL2_OP_VERSION, VIRTCHNL2_OP_GET_CAPS, VIRTCHNL2_OP_CREATE_VPORT,
	VIRTCHNL2_OP_DESTROY_VPORT, VIRTCHNL2_OP_ENABLE_VPORT, VIRTCHNL2_OP_DISABLE_VPORT,
	VIRTCHNL2_OP_CONFIG_TX_QUEUES, VIRTCHNL2_OP_CONFIG_RX_QUEUES,
	VIRTCHNL2_OP_ENABLE_QUEUES, VIRTCHNL2_OP_DISABLE_QUEUES,
	VIRTCHNL2_OP_MAP_QUEUE_VECTOR, VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR,
	VIRTCHNL2_OP_GET_RSS_KEY, VIRTCHNL2_OP_SET_RSS_KEY, VIRTCHNL2_OP_GET_RSS_LUT,
	VIRTCHNL2_OP_SET_RSS_LUT, VIRTCHNL2_OP_GET_RSS_HASH, VIRTCHNL2_OP_SET_RSS_HASH,
	VIRTCHNL2_OP_ALLOC_VECTORS, VIRTCHNL2_OP_DEALLOC_VECTORS, VIRTCHNL2_OP_GET_STATS,
	VIRTCHNL2_OP_GET_PTYPE_INFO, VIRTCHNL2_OP_LOOPBACK, VIRTCHNL2_OP_ADD_MAC_ADDR,
	VIRTCHNL2_OP_DEL_MAC_ADDR, VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE,
};
static const char *const op_fields[] = { "calls", "errors", "lat_avg_ns", "lat_max_ns" };

#define N_VPORT RTE_DIM(vport_names)
#define N_CTL RTE_DIM(ctl_names)
#define N_OP (RTE_DIM(op_list) * RTE_DIM(op_fields))
#define N_ALL (N_VPORT + N_CTL + N_OP)

int
idpf_xn_xstats_get_names(struct rte_eth_dev *dev __rte_unused,
			 struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int i, k = 0;

	if (names == NULL || size < N_ALL)
		return N_ALL;
	for (i = 0; i < N_VPORT; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", vport_names[i]);
	for (i = 0; i < N_CTL; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", ctl_names[i].name);
	for (i = 0; i < N_OP; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "mbx_op_%s_%s",
			 virtchnl2_op_name(op_list[i / RTE_DIM(op_fields)]),
			 op_fields[i % RTE_DIM(op_fields)]);
	return N_ALL;
}

int
idpf_xn_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint64_t c[VIRTCHNL2_VPORT_STATS_COUNTERS] = { 0 };
	struct idpf_ctl_stats cs;
	unsigned int i, k = 0;
	int rc;

	if (xs == NULL || n < N_ALL)
		return N_ALL;
	/* the mailbox figures stay readable while the device is away */
	rc = p->needs_reset ? -ENXIO : idpf_vport_stats(&p->vp, c);
	for (i = 0; i < N_VPORT; i++, k++) {
		xs[k].id = k;
		xs[k].value = rc == 0 && c[i] >= p->stats_base[i] ? c[i] - p->stats_base[i] : 0;
	}
	idpf_ctl_stats_get(p->ad.ctl, &cs);
	for (i = 0; i < N_CTL; i++, k++) {
		xs[k].id = k;
		xs[k].value = *(const uint64_t *)((const uint8_t *)&cs + ctl_names[i].off);
	}
	for (i = 0; i < RTE_DIM(op_list); i++) {
		struct idpf_ctl_op_stats os = { 0 };

		idpf_ctl_op_stats(p->ad.ctl, op_list[i], &os);
		xs[k].id = k, xs[k++].value = os.calls;
		xs[k].id = k, xs[k++].value = os.errors;
		xs[k].id = k, xs[k++].value = os.replies ? os.lat_total_ns / os.replies : 0;
		xs[k].id = k, xs[k++].value = os.lat_max_ns;
	}
	return N_ALL;
}

/* ---- secondary processes: statistics through the primary ---- */

#define MP_STATS "idpf_xn_stats"
#define MP_TIMEOUT_S 5

struct mp_stats_req {
	uint16_t port_id;
};

/* Is @p port one of ours, probed by this (primary) process? */
static struct rte_eth_dev *
our_port(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (port_id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops == NULL || dev->dev_ops->xstats_get != idpf_xn_xstats_get)
		return NULL;
	return dev;
}

/* Primary, on EAL's multi-process thread: read the figures into the shared shadow. */
static int
mp_stats_handler(const struct rte_mp_msg *msg, const void *peer)
{
	struct mp_stats_req req;
	struct rte_mp_msg reply;
	struct rte_eth_xstat xs[IDPF_XN_XSTATS_MAX];
	struct rte_eth_dev *dev;
	struct idpf_xn_port *p;
	unsigned int i;
	int rc = -ENODEV;

	memset(&reply, 0, sizeof(reply));
	if (msg->len_param == sizeof(req)) {
		memcpy(&req, msg->param, sizeof(req));
		dev = our_port(req.port_id);
		if (dev != NULL) {
			p = idpf_xn_port(dev);
			rc = idpf_xn_stats_get(dev, &p->shadow.stats);
			p->shadow.n = (uint32_t)idpf_xn_xstats_get(dev, xs, RTE_DIM(xs));
			for (i = 0; i < p->shadow.n; i++)
				p->shadow.xstats[i] = xs[i].value;
			/* the mailbox figures are valid even when the device is away */
			p->shadow.rc = rc;
			rc = 0;
		}
	}
	snprintf(reply.name, sizeof(reply.name), "%s", MP_STATS);
	reply.len_param = sizeof(rc);
	memcpy(reply.param, &rc, sizeof(rc));
	return rte_mp_reply(&reply, peer);
}

int
idpf_xn_mp_register(void)
{
	int rc = rte_mp_action_register(MP_STATS, mp_stats_handler);

	/* EEXIST: a port probed earlier registered it; ENOTSUP: --in-memory, no secondaries */
	if (rc < 0 && rte_errno != EEXIST && rte_errno != ENOTSUP)
		return -rte_errno;
	return 0;
}

/* Secondary: ask the primary to refresh the shadow of @p dev. */
static int
mp_stats_fetch(struct rte_eth_dev *dev)
{
	struct timespec ts = { .tv_sec = MP_TIMEOUT_S };
	struct mp_stats_req req = { .port_id = dev->data->port_id };
	struct rte_mp_reply rep;
	struct rte_mp_msg msg;
	int rc = -EIO;

	memset(&msg, 0, sizeof(msg));
	snprintf(msg.name, sizeof(msg.name), "%s", MP_STATS);
	msg.len_param = sizeof(req);
	memcpy(msg.param, &req, sizeof(req));
	if (rte_mp_request_sync(&msg, &rep, &ts) < 0 || rep.nb_received != 1) {
		PMD_LOG(ERR, dev, "no statistics from the primary process");
		return -EIO;
	}
	if (rep.msgs[0].len_param == sizeof(rc))
		memcpy(&rc, rep.msgs[0].param, sizeof(rc));
	free(rep.msgs);
	return rc;
}

static int
sec_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	int rc = mp_stats_fetch(dev);

	if (rc == 0)
		rc = p->shadow.rc;
	if (rc == 0)
		*st = p->shadow.stats;
	return rc;
}

static int
sec_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	unsigned int i;
	int rc;

	if (xs == NULL || n < N_ALL)
		return N_ALL;
	rc = mp_stats_fetch(dev);
	if (rc < 0)
		return rc;
	if (p->shadow.n != N_ALL)
		return -EIO;
	for (i = 0; i < N_ALL; i++) {
		xs[i].id = i;
		xs[i].value = p->shadow.xstats[i];
	}
	return N_ALL;
}

static const struct eth_dev_ops idpf_xn_secondary_dev_ops = {
	.dev_infos_get = idpf_xn_infos_get,
	.stats_get = sec_stats_get,
	.xstats_get = sec_xstats_get,
	.xstats_get_names = idpf_xn_xstats_get_names,
};

void
idpf_xn_secondary_ops(struct rte_eth_dev *dev)
{
	RTE_BUILD_BUG_ON(N_ALL > IDPF_XN_XSTATS_MAX);
	dev->dev_ops = &idpf_xn_secondary_dev_ops;
	dev->rx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->tx_pkt_burst = rte_eth_pkt_burst_dummy;
}
