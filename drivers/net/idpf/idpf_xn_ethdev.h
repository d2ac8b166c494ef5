/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_IDPF_XN_ETHDEV_H
#define CTLPATH_IDPF_XN_ETHDEV_H

/**
 * @file
 * The idpf ethdev PMD: one driver, two front doors. The PCI door (net_idpf_xn) maps BAR0
 * through DPDK's PCI bus; the vdev door (net_idpf_emu) starts an emulated idpf device. Both
 * hand an idpf_hw to the same code from here up, which cannot tell them apart.
 */

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_spinlock.h>

#include "idpf_adapter.h"

#define IDPF_XN_MAX_MAC 64
#define IDPF_XN_MAX_MC 128
#define IDPF_XN_DEFAULT_QUEUES 16
#define IDPF_XN_RING_ALIGN 128
#define IDPF_XN_MIN_DESC 64
#define IDPF_XN_MAX_DESC 4096
#define IDPF_XN_DESC_ALIGN 32
#define IDPF_XN_RX_DESC_SIZE 32	/* flex RX descriptor */
#define IDPF_XN_TX_DESC_SIZE 16	/* base TX descriptor */
#define IDPF_XN_DEFAULT_MTU 1500
#define IDPF_XN_ETH_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * 4)

struct emu_dev;

/** Upper bound of the xstats count (checked at build time in idpf_xn_xstats.c). */
#define IDPF_XN_XSTATS_MAX 160

/**
 * Figures a secondary process reads (dpdk-proc-info): the primary fills them on request over
 * EAL's multi-process channel, since only it can talk to the device.
 */
struct idpf_xn_shadow {
	int rc;					/**< result of the primary's read */
	uint32_t n;				/**< xstats filled */
	struct rte_eth_stats stats;
	uint64_t xstats[IDPF_XN_XSTATS_MAX];
};

/** Driver devargs, common to both front doors. */
struct idpf_xn_args {
	bool legacy;		/**< ctl=legacy: DPDK 22.11's in-tree mailbox design */
	bool intr;		/**< intr=1: take the mailbox interrupt (default) */
	uint16_t slots;		/**< slots=N: transactions in flight (1..256) */
	uint32_t timeout_ms;	/**< timeout_ms=N: per-call timeout */
	uint16_t queues;	/**< qpairs=N: queue pairs asked of CREATE_VPORT */
};

/** A queue: its descriptor ring lives in DMA memory where the device reads it. */
struct idpf_xn_queue {
	const struct rte_memzone *mz;
	uint16_t nb_desc;
	uint16_t qidx;
	bool deferred;		/**< rx/tx_deferred_start */
	struct rte_mempool *mp;	/**< RX only */
};

/** Per-port private data (dev->data->dev_private). */
struct idpf_xn_port {
	struct idpf_adapter ad;
	struct idpf_vport vp;
	struct idpf_xn_args args;
	struct emu_dev *emu;		/**< the emulated device (vdev door), or NULL */
	struct rte_eth_dev *dev;
	/* serialises the ethdev control ops that change device state */
	rte_spinlock_t lock;
	bool started;
	bool needs_reset;		/**< the device reset under us: only close/reset work */
	uint16_t mtu;
	uint32_t lut[IDPF_RSS_LUT_MAX];	/**< what the device holds, for partial RETA updates */
	struct rte_ether_addr mc[IDPF_XN_MAX_MC];
	uint32_t nb_mc;
	uint64_t stats_base[VIRTCHNL2_VPORT_STATS_COUNTERS];
	struct idpf_xn_shadow shadow;	/**< in shared memory, for secondary processes */
};

/** Parse the driver's own keys of @p args; other keys are left for the emulator. */
int idpf_xn_parse_args(const char *args, struct idpf_xn_args *out, char *emu_args,
		       size_t emu_len);

/** Bring the port up over @p hw: adapter, vport, ethdev data. */
int idpf_xn_dev_init(struct rte_eth_dev *dev, const struct idpf_hw *hw);

/** Tear down what idpf_xn_dev_init() built. */
int idpf_xn_dev_uninit(struct rte_eth_dev *dev);

/** Emulated door: destroy the port's emulated device (after uninit). No-op for PCI. */
void idpf_xn_emu_release(struct idpf_xn_port *p);

/* queue ops, idpf_xn_rxtx.c */
int idpf_xn_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			   unsigned int socket, const struct rte_eth_rxconf *conf,
			   struct rte_mempool *mp);
int idpf_xn_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			   unsigned int socket, const struct rte_eth_txconf *conf);
void idpf_xn_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void idpf_xn_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
int idpf_xn_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int idpf_xn_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
int idpf_xn_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int idpf_xn_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
/** The queue configs of every set-up queue, for idpf_vport_start(). */
int idpf_xn_queue_cfgs(struct rte_eth_dev *dev, struct idpf_qcfg *tx, struct idpf_qcfg *rx,
		       uint64_t *deferred_tx, uint64_t *deferred_rx);

/** Limits from GET_CAPS / CREATE_VPORT; reads only shared memory (secondary-safe). */
int idpf_xn_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);

/** Basic stats (GET_STATS minus the base taken by stats_reset). */
int idpf_xn_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);

/* xstats, idpf_xn_xstats.c */
/** Primary: answer the secondaries' statistics requests. Idempotent. */
int idpf_xn_mp_register(void);
/** Secondary: attach the read-only ops (info, stats and xstats through the primary). */
void idpf_xn_secondary_ops(struct rte_eth_dev *dev);
int idpf_xn_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			     unsigned int size);
int idpf_xn_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int idpf_xn_xstats_reset(struct rte_eth_dev *dev);

extern int idpf_xn_logtype;
#define PMD_LOG(level, dev, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idpf_xn_logtype, "%s: " fmt "\n", \
		(dev)->data->name, ##__VA_ARGS__)

static inline struct idpf_xn_port *
idpf_xn_port(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

#endif /* CTLPATH_IDPF_XN_ETHDEV_H */
