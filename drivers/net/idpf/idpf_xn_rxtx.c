/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue set-up for the idpf PMD: each queue's descriptor ring is reserved in DMA memory and
 * its IOVA handed to the device with CONFIG_RX/TX_QUEUES at start. The burst functions are
 * DPDK's dummy ones until the datapath lands; queue start and stop are real device calls.
 */
#include <errno.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "idpf_xn_ethdev.h"

static int
check_desc(struct rte_eth_dev *dev, uint16_t nb_desc)
{
	if (nb_desc < IDPF_XN_MIN_DESC || nb_desc > IDPF_XN_MAX_DESC ||
	    nb_desc % IDPF_XN_DESC_ALIGN != 0) {
		PMD_LOG(ERR, dev, "%u descriptors: must be a multiple of %u in [%u, %u]", nb_desc,
			IDPF_XN_DESC_ALIGN, IDPF_XN_MIN_DESC, IDPF_XN_MAX_DESC);
		return -EINVAL;
	}
	return 0;
}

static struct idpf_xn_queue *
queue_alloc(struct rte_eth_dev *dev, const char *kind, uint16_t qid, uint16_t nb_desc,
	    size_t desc_size, unsigned int socket)
{
	struct idpf_xn_queue *q;

	q = rte_zmalloc_socket("idpf_xn_queue", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL)
		return NULL;
	q->mz = rte_eth_dma_zone_reserve(dev, kind, qid, (size_t)nb_desc * desc_size,
					 IDPF_XN_RING_ALIGN, socket);
	if (q->mz == NULL) {
		rte_free(q);
		return NULL;
	}
	memset(q->mz->addr, 0, q->mz->len);
	q->nb_desc = nb_desc;
	q->qidx = qid;
	return q;
}

static void
queue_free(struct rte_eth_dev *dev, struct idpf_xn_queue *q, const char *kind)
{
	if (q == NULL)
		return;
	rte_eth_dma_zone_free(dev, kind, q->qidx);
	rte_free(q);
}

int
idpf_xn_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket, const struct rte_eth_rxconf *conf,
		       struct rte_mempool *mp)
{
	struct idpf_xn_queue *q;
	int rc;

	rc = check_desc(dev, nb_desc);
	if (rc < 0)
		return rc;
	idpf_xn_rx_queue_release(dev, qid);
	q = queue_alloc(dev, "rx_ring", qid, nb_desc, IDPF_XN_RX_DESC_SIZE, socket);
	if (q == NULL)
		return -ENOMEM;
	q->mp = mp;
	q->deferred = conf->rx_deferred_start;
	dev->data->rx_queues[qid] = q;
	return 0;
}

int
idpf_xn_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct idpf_xn_queue *q;
	int rc;

	rc = check_desc(dev, nb_desc);
	if (rc < 0)
		return rc;
	idpf_xn_tx_queue_release(dev, qid);
	q = queue_alloc(dev, "tx_ring", qid, nb_desc, IDPF_XN_TX_DESC_SIZE, socket);
	if (q == NULL)
		return -ENOMEM;
	q->deferred = conf->tx_deferred_start;
	dev->data->tx_queues[qid] = q;
	return 0;
}

void
idpf_xn_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	queue_free(dev, dev->data->rx_queues[qid], "rx_ring");
	dev->data->rx_queues[qid] = NULL;
}

void
idpf_xn_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	queue_free(dev, dev->data->tx_queues[qid], "tx_ring");
	dev->data->tx_queues[qid] = NULL;
}

static int
queue_switch(struct rte_eth_dev *dev, bool rx, uint16_t qid, bool on)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint8_t *state = rx ? dev->data->rx_queue_state : dev->data->tx_queue_state;
	int rc;

	if ((rx ? dev->data->rx_queues[qid] : dev->data->tx_queues[qid]) == NULL)
		return -EINVAL;
	if (!p->started) {
		PMD_LOG(ERR, dev, "start the port before starting or stopping a queue");
		return -EINVAL;
	}
	rte_spinlock_lock(&p->lock);
	rc = idpf_vport_queue_switch(&p->vp, rx, qid, on);
	rte_spinlock_unlock(&p->lock);
	if (rc == 0)
		state[qid] = on ? RTE_ETH_QUEUE_STATE_STARTED : RTE_ETH_QUEUE_STATE_STOPPED;
	else
		PMD_LOG(ERR, dev, "%s queue %u %s refused: %s", rx ? "RX" : "TX", qid,
			on ? "start" : "stop", strerror(-rc));
	return rc;
}

int
idpf_xn_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	return queue_switch(dev, true, qid, true);
}

int
idpf_xn_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	return queue_switch(dev, true, qid, false);
}

int
idpf_xn_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	return queue_switch(dev, false, qid, true);
}

int
idpf_xn_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	return queue_switch(dev, false, qid, false);
}

int
idpf_xn_queue_cfgs(struct rte_eth_dev *dev, struct idpf_qcfg *tx, struct idpf_qcfg *rx,
		   uint64_t *deferred_tx, uint64_t *deferred_rx)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct idpf_xn_queue *q = dev->data->tx_queues[i];

		if (q == NULL) {
			PMD_LOG(ERR, dev, "TX queue %u is not set up", i);
			return -EINVAL;
		}
		tx[i] = (struct idpf_qcfg){ .ring_iova = q->mz->iova, .ring_len = q->nb_desc };
		if (q->deferred && i < 64)
			*deferred_tx |= 1ull << i;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct idpf_xn_queue *q = dev->data->rx_queues[i];

		if (q == NULL) {
			PMD_LOG(ERR, dev, "RX queue %u is not set up", i);
			return -EINVAL;
		}
		rx[i] = (struct idpf_qcfg){
			.ring_iova = q->mz->iova, .ring_len = q->nb_desc,
			.buf_size = q->mp != NULL ? rte_pktmbuf_data_room_size(q->mp) -
						    RTE_PKTMBUF_HEADROOM : 2048,
		};
		if (q->deferred && i < 64)
			*deferred_rx |= 1ull << i;
	}
	return 0;
}
