/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idpf PMD control path: the ethdev ops. Each op checks its arguments, takes the port lock
 * when it changes device state, and calls one idpf_vport_*() function; the device's answer
 * decides what the driver records (a refused MAC filter never enters the list).
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "idpf_xn_ethdev.h"

RTE_LOG_REGISTER(idpf_xn_logtype, pmd.net.idpf_xn, NOTICE);

/* RSS hash types and the ptype groups of SET_RSS_HASH that carry them. */
static const struct idpf_rss_map rss_map[] = {
	{ RTE_ETH_RSS_NONFRAG_IPV4_TCP, IDPF_RSS_PG_IPV4_TCP },
	{ RTE_ETH_RSS_NONFRAG_IPV4_UDP, IDPF_RSS_PG_IPV4_UDP },
	{ RTE_ETH_RSS_NONFRAG_IPV4_SCTP, IDPF_RSS_PG_IPV4_SCTP },
	{ RTE_ETH_RSS_NONFRAG_IPV4_OTHER, IDPF_RSS_PG_IPV4_OTHER },
	{ RTE_ETH_RSS_FRAG_IPV4, IDPF_RSS_PG_IPV4_FRAG },
	{ RTE_ETH_RSS_IPV4, IDPF_RSS_PG_IPV4 },
	{ RTE_ETH_RSS_NONFRAG_IPV6_TCP, IDPF_RSS_PG_IPV6_TCP },
	{ RTE_ETH_RSS_NONFRAG_IPV6_UDP, IDPF_RSS_PG_IPV6_UDP },
	{ RTE_ETH_RSS_NONFRAG_IPV6_SCTP, IDPF_RSS_PG_IPV6_SCTP },
	{ RTE_ETH_RSS_NONFRAG_IPV6_OTHER, IDPF_RSS_PG_IPV6_OTHER },
	{ RTE_ETH_RSS_FRAG_IPV6, IDPF_RSS_PG_IPV6_FRAG },
	{ RTE_ETH_RSS_IPV6, IDPF_RSS_PG_IPV6 },
	{ RTE_ETH_RSS_L2_PAYLOAD, IDPF_RSS_PG_L2_PAYLOAD },
};

/* Every hash type the table knows (each row carries at least one group). */
static uint64_t
rss_offloads_all(void)
{
	return idpf_rss_types_of(rss_map, RTE_DIM(rss_map), UINT64_MAX);
}

static uint64_t
rss_hf_to_groups(uint64_t hf)
{
	return idpf_rss_groups_of(rss_map, RTE_DIM(rss_map), hf);
}

static uint64_t
rss_groups_to_hf(uint64_t g)
{
	return idpf_rss_types_of(rss_map, RTE_DIM(rss_map), g);
}

/* A port whose device reset under it accepts only close and reset. */
static int
port_usable(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);

	if (p->needs_reset || idpf_ctl_is_down(p->ad.ctl)) {
		PMD_LOG(ERR, dev, "device was reset: run 'port reset' (rte_eth_dev_reset)");
		return -ENXIO;
	}
	return 0;
}

/* ---- configure / start / stop ---- */

static int
rss_default(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct rte_eth_rss_conf *rc = &dev->data->dev_conf.rx_adv_conf.rss_conf;
	uint8_t key[IDPF_RSS_KEY_MAX];
	uint16_t nrx = dev->data->nb_rx_queues, i;
	int rc2;

	if (p->vp.rss_key_size == 0 || p->vp.rss_lut_size == 0 || nrx == 0)
		return 0;
	if (rc->rss_key != NULL && rc->rss_key_len != p->vp.rss_key_size) {
		PMD_LOG(ERR, dev, "RSS key of %u bytes, the device takes %u", rc->rss_key_len,
			p->vp.rss_key_size);
		return -EINVAL;
	}
	if (rc->rss_key != NULL)
		memcpy(key, rc->rss_key, p->vp.rss_key_size);
	else
		for (i = 0; i < p->vp.rss_key_size; i++)
			key[i] = (uint8_t)rte_rand();
	for (i = 0; i < p->vp.rss_lut_size; i++)
		p->lut[i] = i % nrx;
	rc2 = idpf_vport_rss_set(&p->vp, key, p->vp.rss_key_size, p->lut, p->vp.rss_lut_size,
				 true, rss_hf_to_groups(rc->rss_hf));
	if (rc2 < 0)
		PMD_LOG(ERR, dev, "RSS configuration refused: %s", strerror(-rc2));
	return rc2;
}

static int
idpf_xn_configure(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct rte_eth_conf *conf = &dev->data->dev_conf;
	int rc;

	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	if (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	rte_spinlock_lock(&p->lock);
	rc = (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG) ? rss_default(dev) : 0;
	rte_spinlock_unlock(&p->lock);
	return rc;
}

static int idpf_xn_link_update(struct rte_eth_dev *dev, int wait);

static int
idpf_xn_start(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct idpf_qcfg tx[RTE_MAX_QUEUES_PER_PORT], rx[RTE_MAX_QUEUES_PER_PORT];
	uint64_t dtx = 0, drx = 0;
	uint16_t i;
	int rc;

	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	rc = idpf_xn_queue_cfgs(dev, tx, rx, &dtx, &drx);
	if (rc < 0)
		return rc;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		rx[i].max_pkt = p->mtu + IDPF_XN_ETH_OVERHEAD;
	rte_spinlock_lock(&p->lock);
	rc = idpf_vport_start(&p->vp, tx, dev->data->nb_tx_queues, rx, dev->data->nb_rx_queues,
			      dtx, drx);
	if (rc == 0) {
		p->started = true;
		p->vp.link_up = true;
		for (i = 0; i < dev->data->nb_rx_queues; i++)
			dev->data->rx_queue_state[i] = (drx >> i) & 1 ?
				RTE_ETH_QUEUE_STATE_STOPPED : RTE_ETH_QUEUE_STATE_STARTED;
		for (i = 0; i < dev->data->nb_tx_queues; i++)
			dev->data->tx_queue_state[i] = (dtx >> i) & 1 ?
				RTE_ETH_QUEUE_STATE_STOPPED : RTE_ETH_QUEUE_STATE_STARTED;
	}
	rte_spinlock_unlock(&p->lock);
	if (rc < 0)
		PMD_LOG(ERR, dev, "start failed: %s", strerror(-rc));
	else
		idpf_xn_link_update(dev, 0);
	return rc;
}

static int
idpf_xn_stop(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct rte_eth_link link = { .link_status = RTE_ETH_LINK_DOWN };
	uint16_t i;
	int rc = 0;

	rte_spinlock_lock(&p->lock);
	if (p->started && !p->needs_reset && !idpf_ctl_is_down(p->ad.ctl))
		rc = idpf_vport_stop(&p->vp, dev->data->nb_tx_queues, dev->data->nb_rx_queues);
	p->started = false;
	rte_spinlock_unlock(&p->lock);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	rte_eth_linkstatus_set(dev, &link);
	if (rc < 0)
		PMD_LOG(WARNING, dev, "stop: device answered %s (port stopped anyway)",
			strerror(-rc));
	return 0;
}

static int
idpf_xn_close(struct rte_eth_dev *dev)
{
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	idpf_xn_stop(dev);
	rc = idpf_xn_dev_uninit(dev);
	/* the emulated device dies with its port: the driver's last message went out above */
	idpf_xn_emu_release(idpf_xn_port(dev));
	return rc;
}

/* Re-apply what the port holds (MACs, multicast list, modes) to a fresh vport. */
static int
replay_state(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint8_t addrs[IDPF_XN_MAX_MAC + IDPF_XN_MAX_MC][6];
	int results[IDPF_XN_MAX_MAC + IDPF_XN_MAX_MC];
	unsigned int n = 0, i;
	int rc = 0;

	/* the primary address too, when it is not the device's own default */
	for (i = 0; i < IDPF_XN_MAX_MAC; i++)
		if (!rte_is_zero_ether_addr(&dev->data->mac_addrs[i]) &&
		    (i > 0 || !rte_is_same_ether_addr(&dev->data->mac_addrs[0],
						      (const struct rte_ether_addr *)p->vp.mac)))
			memcpy(addrs[n++], &dev->data->mac_addrs[i], 6);
	for (i = 0; i < p->nb_mc; i++)
		memcpy(addrs[n++], &p->mc[i], 6);
	if (n > 0)
		rc = idpf_vport_mac_filters(&p->vp, true, (const uint8_t (*)[6])addrs, n, results);
	if (rc == 0 && (dev->data->promiscuous || dev->data->all_multicast))
		rc = idpf_vport_promisc(&p->vp, dev->data->promiscuous,
					dev->data->all_multicast);
	return rc;
}

static int
idpf_xn_reset(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint16_t nq = p->vp.num_rxq;
	int rc;

	rte_spinlock_lock(&p->lock);
	p->started = false;
	if (!idpf_ctl_is_down(p->ad.ctl) && !p->needs_reset)
		idpf_vport_destroy(&p->vp);
	p->vp.created = false;
	rc = idpf_adapter_reinit(&p->ad);
	if (rc == 0)
		rc = idpf_vport_create(&p->ad, &p->vp, nq);
	if (rc == 0)
		rc = replay_state(dev);
	p->needs_reset = rc < 0;
	rte_spinlock_unlock(&p->lock);
	if (rc < 0)
		PMD_LOG(ERR, dev, "reset failed: %s", strerror(-rc));
	else
		PMD_LOG(INFO, dev, "reset done: vport %u", p->vp.vport_id);
	/* ethdev's reset contract: the application configures and starts the port again */
	if (rc == 0 && dev->data->nb_rx_queues > 0 &&
	    (dev->data->dev_conf.rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG))
		rc = rss_default(dev);
	return rc;
}

/* ---- info and link ---- */

int
idpf_xn_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);

	info->max_rx_queues = p->vp.num_rxq;
	info->max_tx_queues = p->vp.num_txq;
	info->min_rx_bufsize = 1024;
	info->max_rx_pktlen = p->vp.max_mtu + IDPF_XN_ETH_OVERHEAD;
	info->max_mtu = p->vp.max_mtu;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mac_addrs = IDPF_XN_MAX_MAC;
	info->hash_key_size = p->vp.rss_key_size;
	info->reta_size = p->vp.rss_lut_size;
	info->flow_type_rss_offloads = rss_offloads_all();
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_RSS_HASH;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = IDPF_XN_MAX_DESC, .nb_min = IDPF_XN_MIN_DESC,
		.nb_align = IDPF_XN_DESC_ALIGN };
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->default_rxportconf.ring_size = 512;
	info->default_txportconf.ring_size = 512;
	return 0;
}

static int
idpf_xn_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct rte_eth_link link = {
		.link_speed = p->vp.link_speed ? p->vp.link_speed : RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = p->started && !p->needs_reset &&
			       __atomic_load_n(&p->vp.link_up, __ATOMIC_ACQUIRE),
	};

	if (!link.link_status)
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	return rte_eth_linkstatus_set(dev, &link);
}

/* ---- rx modes ---- */

static int
set_modes(struct rte_eth_dev *dev, bool uc, bool mc)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	int rc = port_usable(dev);

	if (rc < 0)
		return rc;
	rte_spinlock_lock(&p->lock);
	rc = idpf_vport_promisc(&p->vp, uc, mc);
	rte_spinlock_unlock(&p->lock);
	if (rc < 0)
		PMD_LOG(ERR, dev, "CONFIG_PROMISCUOUS_MODE refused: %s", strerror(-rc));
	return rc;
}

static int
idpf_xn_promisc_enable(struct rte_eth_dev *dev)
{
	return set_modes(dev, true, dev->data->all_multicast);
}

static int
idpf_xn_promisc_disable(struct rte_eth_dev *dev)
{
	return set_modes(dev, false, dev->data->all_multicast);
}

static int
idpf_xn_allmulti_enable(struct rte_eth_dev *dev)
{
	return set_modes(dev, dev->data->promiscuous, true);
}

static int
idpf_xn_allmulti_disable(struct rte_eth_dev *dev)
{
	return set_modes(dev, dev->data->promiscuous, false);
}

/* ---- MAC filters ---- */

static int
mac_filter(struct rte_eth_dev *dev, bool add, const struct rte_ether_addr *a)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint8_t addr[1][6];
	int result, rc;

	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	memcpy(addr[0], a, 6);
	rc = idpf_vport_mac_filters(&p->vp, add, (const uint8_t (*)[6])addr, 1, &result);
	if (rc < 0) {
		char s[RTE_ETHER_ADDR_FMT_SIZE];

		rte_ether_format_addr(s, sizeof(s), a);
		PMD_LOG(ERR, dev, "%s MAC filter %s refused: %s", add ? "adding" : "removing", s,
			strerror(-rc));
	}
	return rc;
}

static int
idpf_xn_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr,
		     uint32_t index __rte_unused, uint32_t pool __rte_unused)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	int rc;

	rte_spinlock_lock(&p->lock);
	rc = mac_filter(dev, true, addr);
	rte_spinlock_unlock(&p->lock);
	return rc;
}

static void
idpf_xn_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);

	if (index >= IDPF_XN_MAX_MAC)
		return;
	rte_spinlock_lock(&p->lock);
	mac_filter(dev, false, &dev->data->mac_addrs[index]);
	rte_spinlock_unlock(&p->lock);
}

static int
idpf_xn_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct rte_ether_addr old = dev->data->mac_addrs[0];
	int rc;

	if (rte_is_same_ether_addr(&old, addr))
		return 0;
	rte_spinlock_lock(&p->lock);
	rc = mac_filter(dev, true, addr);
	/* the old address is a filter only if it was set here before: its removal may fail */
	if (rc == 0 && !rte_is_same_ether_addr(&old, (const struct rte_ether_addr *)p->vp.mac)) {
		uint8_t a[1][6];
		int res;

		memcpy(a[0], &old, 6);
		idpf_vport_mac_filters(&p->vp, false, (const uint8_t (*)[6])a, 1, &res);
	}
	rte_spinlock_unlock(&p->lock);
	return rc;
}

/* The device's multicast filters follow the list; a refused address is left out of it. */
static int
idpf_xn_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t n)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint8_t del[IDPF_XN_MAX_MC][6], add[IDPF_XN_MAX_MC][6];
	int res_add[IDPF_XN_MAX_MC], res_del[IDPF_XN_MAX_MC];
	struct rte_ether_addr kept[IDPF_XN_MAX_MC];
	unsigned int nd = 0, na = 0, nk = 0, i, j;
	int rc, rc2 = 0;

	if (n > IDPF_XN_MAX_MC)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		if (!rte_is_multicast_ether_addr(&list[i]))
			return -EINVAL;
	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	rte_spinlock_lock(&p->lock);
	for (i = 0; i < p->nb_mc; i++) {
		for (j = 0; j < n && !rte_is_same_ether_addr(&p->mc[i], &list[j]); j++)
			;
		if (j == n)
			memcpy(del[nd++], &p->mc[i], 6);
		else
			kept[nk++] = p->mc[i];
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < p->nb_mc && !rte_is_same_ether_addr(&p->mc[i], &list[j]); i++)
			;
		if (i == p->nb_mc)
			memcpy(add[na++], &list[j], 6);
	}
	if (nd > 0)
		rc2 = idpf_vport_mac_filters(&p->vp, false, (const uint8_t (*)[6])del, nd, res_del);
	if (na > 0)
		rc = idpf_vport_mac_filters(&p->vp, true, (const uint8_t (*)[6])add, na, res_add);
	/* a filter the device failed to delete stays in the list, since it stays in the device */
	for (i = 0; i < nd; i++)
		if (res_del[i] < 0)
			memcpy(&kept[nk++], del[i], 6);
	for (i = 0; i < na; i++)
		if (res_add[i] == 0)
			memcpy(&kept[nk++], add[i], 6);
	memcpy(p->mc, kept, nk * sizeof(kept[0]));
	p->nb_mc = nk;
	rte_spinlock_unlock(&p->lock);
	if (rc < 0 || rc2 < 0)
		PMD_LOG(ERR, dev, "multicast list partly refused (%u addresses kept): %s", nk,
			strerror(-(rc < 0 ? rc : rc2)));
	return rc < 0 ? rc : rc2;
}

/* ---- RSS ---- */

static int
idpf_xn_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	int rc;

	if (conf->rss_key != NULL && conf->rss_key_len != p->vp.rss_key_size) {
		PMD_LOG(ERR, dev, "RSS key must be %u bytes, got %u", p->vp.rss_key_size,
			conf->rss_key_len);
		return -EINVAL;
	}
	if (conf->rss_hf & ~rss_offloads_all())
		return -EINVAL;
	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	rte_spinlock_lock(&p->lock);
	rc = idpf_vport_rss_set(&p->vp, conf->rss_key, conf->rss_key != NULL ?
				conf->rss_key_len : 0, NULL, 0, true,
				rss_hf_to_groups(conf->rss_hf));
	rte_spinlock_unlock(&p->lock);
	if (rc == 0)
		dev->data->dev_conf.rx_adv_conf.rss_conf.rss_hf = conf->rss_hf;
	return rc;
}

static int
idpf_xn_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint8_t key[IDPF_RSS_KEY_MAX];
	uint16_t klen = sizeof(key);
	uint64_t groups;
	int rc;

	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	rc = idpf_vport_rss_get(&p->vp, conf->rss_key != NULL ? key : NULL, &klen, NULL, 0,
				&groups);
	if (rc < 0)
		return rc;
	if (conf->rss_key != NULL) {
		if (conf->rss_key_len < klen)
			return -EINVAL;
		memcpy(conf->rss_key, key, klen);
		conf->rss_key_len = klen;
	}
	conf->rss_hf = rss_groups_to_hf(groups);
	return 0;
}

static int
idpf_xn_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta,
		    uint16_t size)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint32_t lut[IDPF_RSS_LUT_MAX];
	uint16_t i;
	int rc;

	if (size != p->vp.rss_lut_size) {
		PMD_LOG(ERR, dev, "RETA size %u, the device has %u", size, p->vp.rss_lut_size);
		return -EINVAL;
	}
	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	rte_spinlock_lock(&p->lock);
	memcpy(lut, p->lut, size * sizeof(lut[0]));
	for (i = 0; i < size; i++) {
		const struct rte_eth_rss_reta_entry64 *e = &reta[i / RTE_ETH_RETA_GROUP_SIZE];

		if (e->mask & (1ull << (i % RTE_ETH_RETA_GROUP_SIZE)))
			lut[i] = e->reta[i % RTE_ETH_RETA_GROUP_SIZE];
	}
	rc = idpf_vport_rss_set(&p->vp, NULL, 0, lut, size, false, 0);
	if (rc == 0)
		memcpy(p->lut, lut, size * sizeof(lut[0]));
	rte_spinlock_unlock(&p->lock);
	return rc;
}

static int
idpf_xn_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta,
		   uint16_t size)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint32_t lut[IDPF_RSS_LUT_MAX];
	uint16_t i;
	int rc;

	if (size != p->vp.rss_lut_size)
		return -EINVAL;
	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	/* the device's table, not our copy: what the hardware really holds */
	rc = idpf_vport_rss_get(&p->vp, NULL, NULL, lut, size, NULL);
	if (rc < 0)
		return rc;
	for (i = 0; i < size; i++) {
		struct rte_eth_rss_reta_entry64 *e = &reta[i / RTE_ETH_RETA_GROUP_SIZE];

		if (e->mask & (1ull << (i % RTE_ETH_RETA_GROUP_SIZE)))
			e->reta[i % RTE_ETH_RETA_GROUP_SIZE] = (uint16_t)lut[i];
	}
	return 0;
}

/* ---- MTU and stats ---- */

static int
idpf_xn_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);

	/* the frame size is programmed with the RX queues, at start */
	if (p->started) {
		PMD_LOG(ERR, dev, "stop the port before changing the MTU");
		return -EBUSY;
	}
	if (mtu > p->vp.max_mtu)
		return -EINVAL;
	p->mtu = mtu;
	return 0;
}

static int
read_counters(struct rte_eth_dev *dev, uint64_t c[VIRTCHNL2_VPORT_STATS_COUNTERS])
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	unsigned int i;
	int rc;

	rc = port_usable(dev);
	if (rc < 0)
		return rc;
	rc = idpf_vport_stats(&p->vp, c);
	if (rc < 0)
		return rc;
	for (i = 0; i < VIRTCHNL2_VPORT_STATS_COUNTERS; i++)
		c[i] = c[i] >= p->stats_base[i] ? c[i] - p->stats_base[i] : 0;
	return 0;
}

/* Index of each counter in virtchnl2_vport_stats from rx_bytes on. */
enum { S_RX_BYTES, S_RX_UC, S_RX_MC, S_RX_BC, S_RX_DISCARDS, S_RX_ERRORS, S_RX_UNKNOWN,
	S_TX_BYTES, S_TX_UC, S_TX_MC, S_TX_BC, S_TX_DISCARDS, S_TX_ERRORS };

int
idpf_xn_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint64_t c[VIRTCHNL2_VPORT_STATS_COUNTERS];
	int rc;

	rc = read_counters(dev, c);
	if (rc < 0)
		return rc;
	st->ipackets = c[S_RX_UC] + c[S_RX_MC] + c[S_RX_BC];
	st->ibytes = c[S_RX_BYTES];
	st->imissed = c[S_RX_DISCARDS];
	st->ierrors = c[S_RX_ERRORS] + c[S_RX_UNKNOWN];
	st->opackets = c[S_TX_UC] + c[S_TX_MC] + c[S_TX_BC];
	st->obytes = c[S_TX_BYTES];
	st->oerrors = c[S_TX_ERRORS] + c[S_TX_DISCARDS];
	return 0;
}

static int
idpf_xn_stats_reset(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint64_t c[VIRTCHNL2_VPORT_STATS_COUNTERS];
	int rc;

	rc = port_usable(dev);
	if (rc == 0)
		rc = idpf_vport_stats(&p->vp, c);
	if (rc < 0)
		return rc;
	memcpy(p->stats_base, c, sizeof(c));
	return 0;
}

int
idpf_xn_xstats_reset(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);

	idpf_ctl_stats_reset(p->ad.ctl);
	return idpf_xn_stats_reset(dev);
}

static const struct eth_dev_ops idpf_xn_ops = {
	.dev_configure = idpf_xn_configure,
	.dev_start = idpf_xn_start,
	.dev_stop = idpf_xn_stop,
	.dev_close = idpf_xn_close,
	.dev_reset = idpf_xn_reset,
	.dev_infos_get = idpf_xn_infos_get,
	.link_update = idpf_xn_link_update,
	.promiscuous_enable = idpf_xn_promisc_enable,
	.promiscuous_disable = idpf_xn_promisc_disable,
	.allmulticast_enable = idpf_xn_allmulti_enable,
	.allmulticast_disable = idpf_xn_allmulti_disable,
	.mac_addr_add = idpf_xn_mac_addr_add,
	.mac_addr_remove = idpf_xn_mac_addr_remove,
	.mac_addr_set = idpf_xn_mac_addr_set,
	.set_mc_addr_list = idpf_xn_set_mc_addr_list,
	.rss_hash_update = idpf_xn_rss_hash_update,
	.rss_hash_conf_get = idpf_xn_rss_hash_conf_get,
	.reta_update = idpf_xn_reta_update,
	.reta_query = idpf_xn_reta_query,
	.mtu_set = idpf_xn_mtu_set,
	.stats_get = idpf_xn_stats_get,
	.stats_reset = idpf_xn_stats_reset,
	.xstats_get = idpf_xn_xstats_get,
	.xstats_get_names = idpf_xn_xstats_get_names,
	.xstats_reset = idpf_xn_xstats_reset,
	.rx_queue_setup = idpf_xn_rx_queue_setup,
	.tx_queue_setup = idpf_xn_tx_queue_setup,
	.rx_queue_release = idpf_xn_rx_queue_release,
	.tx_queue_release = idpf_xn_tx_queue_release,
	.rx_queue_start = idpf_xn_rx_queue_start,
	.rx_queue_stop = idpf_xn_rx_queue_stop,
	.tx_queue_start = idpf_xn_tx_queue_start,
	.tx_queue_stop = idpf_xn_tx_queue_stop,
};

/* ---- events from the device ---- */

static void
on_link(void *arg, struct idpf_vport *vp __rte_unused)
{
	struct rte_eth_dev *dev = arg;

	idpf_xn_link_update(dev, 0);
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static void
on_reset(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct idpf_xn_port *p = idpf_xn_port(dev);

	p->needs_reset = true;
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET, NULL);
}

/* ---- init ---- */

int
idpf_xn_dev_init(struct rte_eth_dev *dev, const struct idpf_hw *hw)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct idpf_ctl_conf cc = {
		.legacy = p->args.legacy,
		.use_intr = p->args.intr,
		.nslots = p->args.slots,
		.timeout_ms = p->args.timeout_ms,
		.socket_id = dev->data->numa_node,
		.reset_cb = on_reset,
		.reset_arg = dev,
	};
	uint16_t nq;
	int rc;

	p->dev = dev;
	rte_spinlock_init(&p->lock);
	p->mtu = IDPF_XN_DEFAULT_MTU;
	dev->dev_ops = &idpf_xn_ops;
	dev->rx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->tx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;

	p->ad.link_cb = on_link;
	p->ad.link_arg = dev;
	rc = idpf_adapter_init(&p->ad, dev->data->name, hw, &cc);
	if (rc < 0)
		return rc;
	nq = RTE_MIN(p->args.queues, vc2_le16(p->ad.caps.max_tx_q));
	nq = RTE_MIN(nq, vc2_le16(p->ad.caps.max_rx_q));
	rc = idpf_vport_create(&p->ad, &p->vp, nq);
	if (rc < 0) {
		PMD_LOG(ERR, dev, "CREATE_VPORT failed: %s", strerror(-rc));
		goto fail;
	}
	dev->data->mac_addrs = rte_zmalloc("idpf_xn_mac", sizeof(struct rte_ether_addr) *
					   IDPF_XN_MAX_MAC, 0);
	if (dev->data->mac_addrs == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	memcpy(&dev->data->mac_addrs[0], p->vp.mac, RTE_ETHER_ADDR_LEN);
	if (rte_is_zero_ether_addr(&dev->data->mac_addrs[0]))
		rte_eth_random_addr(dev->data->mac_addrs[0].addr_bytes);
	PMD_LOG(INFO, dev, "vport %u: %u queue pairs, RSS key %u LUT %u, mailbox %s",
		p->vp.vport_id, p->vp.num_rxq, p->vp.rss_key_size, p->vp.rss_lut_size,
		p->args.legacy ? "legacy (DPDK 22.11 design)" : "xn ring");
	return 0;
fail:
	idpf_vport_destroy(&p->vp);
	idpf_adapter_fini(&p->ad);
	return rc;
}

int
idpf_xn_dev_uninit(struct rte_eth_dev *dev)
{
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		idpf_xn_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		idpf_xn_tx_queue_release(dev, i);
	if (p->ad.ctl != NULL && !p->needs_reset && !idpf_ctl_is_down(p->ad.ctl))
		idpf_vport_destroy(&p->vp);
	idpf_adapter_fini(&p->ad);
	return 0;
}
