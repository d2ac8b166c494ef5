/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extended statistics of the idpf PMD: the device's vport counters (GET_STATS), the control
 * channel's counters (transactions, drops by kind, in flight, latency) and, per virtchnl2
 * opcode the driver sends, calls, errors and mean / max latency.
 */
#include <errno.h>
#include <stdio.h>

#include <ethdev_driver.h>

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
