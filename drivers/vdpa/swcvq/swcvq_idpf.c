/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vendor "idpf": every CVQ command becomes virtchnl2 messages to an idpf function, sent through
 * the lock-free transaction ring of idpf_ctl (lib/xn). The function is an emulated idpf device
 * (drivers/common/idpf/emu) named "<vdpa device>_idpf", whose control plane shows in telemetry
 * (/ctlpath/idpf_emu/state,<name>) what the commands really programmed. One vport is created
 * with the device's queue pairs and started; pair 0 is enabled, the others follow the guest.
 *
 * This file is the vendor: bring-up and teardown, reset, the device thread's service and
 * telemetry, and the CVQ callbacks, which only fill a command; how a command is turned into
 * messages, ordered, undone and answered is in swcvq_idpf_cmd.c.
 *
 * No data path: frames the guest transmits are returned to it at once and counted
 * (tx_dropped); nothing is ever received. All callbacks run with dev->lock held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_memzone.h>

#include <netctrl_virtio.h>

#include "swcvq_idpf_priv.h"

RTE_LOG_REGISTER(swcvq_idpf_logtype, pmd.vdpa.swcvq.idpf, NOTICE);

#define VI_RING_LEN 64			/* descriptors of each reserved queue ring */
#define VI_DESC_SIZE 32
#define VI_BUF_SIZE 2048		/* RX data buffer size told to the device */
#define VI_L2_OVERHEAD 26		/* Ethernet header, two VLAN tags, FCS */
#define VI_TX_BUDGET 64			/* chains per TX ring per service round */
#define VI_DEFAULT_LUT 128		/* = rss_max_indirection_table_length of the config */

static struct vidpf *
vi_of(struct swcvq_dev *dev)
{
	return dev->vendor_priv;
}

/* ---- CVQ commands -------------------------------------------------------------------------- */

static int
vi_rx_mode(void *ctx, uint64_t token, enum netctrl_rx_mode mode, bool on)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c;

	/* idpf has unicast and multicast promiscuous flags only: CTRL_RX_EXTRA is not offered */
	if (mode != NETCTRL_RX_PROMISC && mode != NETCTRL_RX_ALLMULTI)
		return NETCTRL_ERR;
	c = swcvq_idpf_cmd_new(v, K_RX, token);
	if (c != NULL) {
		c->rx.mode = mode;
		c->rx.on = on;
	}
	return swcvq_idpf_cmd_submit(v, c);
}

static int
vi_mac_table_set(void *ctx, uint64_t token, const struct netctrl_mac_table *t)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c;

	if ((uint64_t)t->uc_count + t->mc_count + 1 > VI_MAC_MAX)
		return NETCTRL_ERR;	/* more than one message carries: the device refuses */
	c = swcvq_idpf_cmd_new(v, K_MAC, token);
	if (c == NULL)
		return NETCTRL_ERR;
	c->mac.uc = calloc(t->uc_count > 0 ? t->uc_count : 1, 6);
	c->mac.mc = calloc(t->mc_count > 0 ? t->mc_count : 1, 6);
	if (c->mac.uc == NULL || c->mac.mc == NULL) {
		swcvq_idpf_cmd_free(c);
		return NETCTRL_ERR;
	}
	if (t->uc_count > 0)
		memcpy(c->mac.uc, t->uc, 6u * t->uc_count);
	if (t->mc_count > 0)
		memcpy(c->mac.mc, t->mc, 6u * t->mc_count);
	c->mac.uc_n = t->uc_count;
	c->mac.mc_n = t->mc_count;
	return swcvq_idpf_cmd_submit(v, c);
}

static int
vi_mac_addr_set(void *ctx, uint64_t token, const uint8_t mac[6])
{
	struct vidpf *v = ctx;
	struct vi_cmd *c = swcvq_idpf_cmd_new(v, K_MAC, token);

	if (c != NULL) {
		c->mac.addr_set = true;
		memcpy(c->mac.primary, mac, 6);
	}
	return swcvq_idpf_cmd_submit(v, c);
}

static int
vi_announce_ack(void *ctx, uint64_t token)
{
	struct vidpf *v = ctx;

	RTE_SET_USED(token);
	v->dev->cfg_status &= ~SWCVQ_S_ANNOUNCE;
	v->st.commands++;
	v->st.immediate++;
	return NETCTRL_OK;
}

static int
vi_mq_pairs_set(void *ctx, uint64_t token, uint16_t pairs)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c = swcvq_idpf_cmd_new(v, K_PAIRS, token);

	if (c != NULL)
		c->q.pairs = pairs;
	return swcvq_idpf_cmd_submit(v, c);
}

static int
vi_rss_set(void *ctx, uint64_t token, const struct netctrl_rss *rss)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c;
	uint16_t pairs, i;

	if (rss->indir_len == 0)
		return NETCTRL_ERR;
	c = swcvq_idpf_cmd_new(v, K_RSS, token);
	if (c == NULL)
		return NETCTRL_ERR;
	c->q.indir = malloc(rss->indir_len * sizeof(uint16_t));
	if (c->q.indir == NULL) {
		swcvq_idpf_cmd_free(c);
		return NETCTRL_ERR;
	}
	memcpy(c->q.indir, rss->indir, rss->indir_len * sizeof(uint16_t));
	c->q.indir_len = rss->indir_len;
	c->q.hash_types = rss->hash_types;
	c->q.unclassified = rss->unclassified_queue;
	c->q.key_len = rss->key_len;
	memcpy(c->q.key, rss->key, rss->key_len);
	/* the pairs in use: those the guest transmits on or steers to (as netctrl's shadow) */
	pairs = rss->max_tx_vq;
	if (rss->unclassified_queue >= pairs)
		pairs = rss->unclassified_queue + 1;
	for (i = 0; i < rss->indir_len; i++)
		if (rss->indir[i] >= pairs)
			pairs = rss->indir[i] + 1;
	c->q.pairs = pairs;
	return swcvq_idpf_cmd_submit(v, c);
}

/* No virtchnl2 opcode filters VLANs, configures guest offloads, coalescing or hash reports in
 * our virtchnl2.h: those callbacks stay NULL (netctrl answers ERR) and their features are not
 * offered. */
static const struct netctrl_ops vi_ctl = {
	.rx_mode = vi_rx_mode,
	.mac_table_set = vi_mac_table_set,
	.mac_addr_set = vi_mac_addr_set,
	.announce_ack = vi_announce_ack,
	.mq_pairs_set = vi_mq_pairs_set,
	.rss_set = vi_rss_set,
};

/* ---- device thread --------------------------------------------------------------------------- */

/* No data path: every transmitted chain is given back at once and counted. */
static unsigned int
tx_drop(struct vidpf *v)
{
	struct swcvq_dev *dev = v->dev;
	struct swcvq_chain ch;
	unsigned int work = 0, n;
	uint16_t p;

	if (!dev->have_mem)
		return 0;
	for (p = 0; p < dev->conf.pairs; p++) {
		struct swcvq_vring *vr = &dev->q[2 * p + 1].vr;

		if (!dev->q[2 * p + 1].running)
			continue;
		for (n = 0; n < VI_TX_BUDGET && swcvq_vring_pop(vr, &ch) == 1; n++) {
			if (ch.bad)
				v->st.tx_bad++;
			else
				v->st.tx_dropped++;
			swcvq_vring_push(vr, &ch, 0);
		}
		if (n > 0)
			swcvq_vring_notify(vr);
		work += n;
	}
	return work;
}

static unsigned int
vi_service(struct swcvq_dev *dev)
{
	struct vidpf *v = vi_of(dev);

	return swcvq_idpf_cmds_service(v) + tx_drop(v);
}

/* ---- life cycle ---------------------------------------------------------------------------- */

/* Program the reset state: promiscuous (QEMU's model), the config MAC alone, one pair,
 * automatic steering with the device's default key and hash. */
static void
vi_reset(struct swcvq_dev *dev, uint64_t features)
{
	struct vidpf *v = vi_of(dev);
	struct vi_cmd *c;
	int rc = NETCTRL_OK;

	RTE_SET_USED(features);
	v->epoch++;		/* every token of the previous engine is stale */
	if (!v->ad_up)
		return;
	swcvq_idpf_cmds_drain(v);
	c = swcvq_idpf_cmd_new(v, K_RX, 0);
	if (c != NULL) {
		c->rx.mode = NETCTRL_RX_ALLMULTI;
		c->rx.on = false;
	}
	rc |= swcvq_idpf_cmd_submit(v, c);
	c = swcvq_idpf_cmd_new(v, K_RX, 0);
	if (c != NULL) {
		c->rx.mode = NETCTRL_RX_PROMISC;
		c->rx.on = true;
	}
	rc |= swcvq_idpf_cmd_submit(v, c);
	c = swcvq_idpf_cmd_new(v, K_MAC, 0);
	if (c != NULL) {
		/* a TABLE_SET of empty tables, then the config MAC as the primary */
		c->mac.uc = calloc(1, 6);
		c->mac.mc = calloc(1, 6);
		if (c->mac.uc == NULL || c->mac.mc == NULL) {
			swcvq_idpf_cmd_free(c);
			c = NULL;
		}
	}
	rc |= swcvq_idpf_cmd_submit(v, c);
	rc |= vi_mac_addr_set(v, 0, dev->conf.mac);
	c = swcvq_idpf_cmd_new(v, K_PAIRS, 0);
	if (c != NULL) {
		c->q.pairs = 1;
		c->q.restore_key = true;
	}
	rc |= swcvq_idpf_cmd_submit(v, c);
	if (rc != NETCTRL_OK)
		VI_LOG(ERR, v, "vport %u not back to its reset state", v->vp.vport_id);
}

/* Emulator devargs: "[k:v,k:v]" or "k:v" from the vdpa devarg, defaults first. */
static int
emu_args_build(const char *in, char *out, size_t cap)
{
	size_t n = 0, i, len = strlen(in);
	int w;

	if (len >= 2 && in[0] == '[' && in[len - 1] == ']') {
		in++;
		len -= 2;
	}
	out[0] = '\0';
	w = 0;
	/* the config space promises 128 indirection entries: give the LUT as many by default */
	if (strstr(in, "rss_lut:") == NULL) {
		w = snprintf(out, cap, "rss_lut=%u%s", VI_DEFAULT_LUT, len > 0 ? "," : "");
		if (w < 0 || (size_t)w >= cap)
			return -EINVAL;
	}
	n = (size_t)w;
	if (n + len >= cap)
		return -EINVAL;
	for (i = 0; i < len; i++)
		out[n++] = in[i] == ':' ? '=' : in[i];
	out[n] = '\0';
	return 0;
}

static void
vi_fini(struct swcvq_dev *dev)
{
	struct vidpf *v = vi_of(dev);

	if (v == NULL)
		return;
	v->epoch++;
	if (v->ad_up) {
		swcvq_idpf_cmds_drain(v);
		idpf_vport_destroy(&v->vp);
		/* outstanding calls fail now and their callbacks run */
		idpf_adapter_fini(&v->ad);
	}
	swcvq_idpf_cmds_free(v);
	rte_memzone_free(v->rings);
	emu_destroy(v->emu);
	free(v->uc);
	free(v->mc);
	free(v->set);
	free(v->qs.lut);
	free(v);
	dev->vendor_priv = NULL;
}

/* Start the vport with a reserved ring per queue; only pair 0 enabled. */
static int
vport_bring_up(struct vidpf *v)
{
	struct swcvq_dev *dev = v->dev;
	uint16_t n = dev->conf.pairs, i;
	struct idpf_qcfg *tx, *rx;
	char mz[RTE_MEMZONE_NAMESIZE];
	uint64_t defer = n > 1 ? ~UINT64_C(1) : 0;
	int rc;

	snprintf(mz, sizeof(mz), "%.29s_q", v->emu_name);
	v->rings = rte_memzone_reserve_aligned(mz, 2u * n * VI_RING_LEN * VI_DESC_SIZE,
					       SOCKET_ID_ANY, RTE_MEMZONE_IOVA_CONTIG, 4096);
	if (v->rings == NULL)
		return -ENOMEM;
	tx = calloc(2u * n, sizeof(*tx));
	if (tx == NULL)
		return -ENOMEM;
	rx = tx + n;
	for (i = 0; i < 2 * n; i++) {
		tx[i].ring_iova = v->rings->iova + (uint64_t)i * VI_RING_LEN * VI_DESC_SIZE;
		tx[i].ring_len = VI_RING_LEN;
		tx[i].buf_size = VI_BUF_SIZE;
		tx[i].max_pkt = dev->conf.mtu + VI_L2_OVERHEAD;
	}
	rc = idpf_vport_start(&v->vp, tx, n, rx, n, defer, defer);
	free(tx);
	if (rc == 0 && n > 64) {
		/* the start bitmaps hold 64 queues: stop the rest now */
		uint16_t len;
		uint8_t *m = swcvq_idpf_msg_queues(v, 64, n - 64, &len);

		rc = m == NULL ? -ENOMEM : idpf_ctl_call(v->ad.ctl, VIRTCHNL2_OP_DISABLE_QUEUES, m,
							  len, NULL, 0, 0);
		free(m);
	}
	return rc < 0 ? rc : 0;
}

static int
vi_init(struct swcvq_dev *dev)
{
	struct idpf_ctl_conf cc = { .use_intr = true, .socket_id = SOCKET_ID_ANY };
	char args[sizeof(dev->conf.idpf_args) + 32];
	struct idpf_hw hw;
	uint16_t key_len = IDPF_RSS_KEY_MAX, i;
	struct vidpf *v;
	int rc;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	v->dev = dev;
	dev->vendor_priv = v;
	if (snprintf(v->emu_name, sizeof(v->emu_name), "%s_idpf", dev->name) >=
	    (int)sizeof(v->emu_name)) {
		VI_LOG(ERR, v, "device name too long for an emulated idpf device");
		rc = -EINVAL;
		goto fail;
	}
	if (emu_args_build(dev->conf.idpf_args, args, sizeof(args)) != 0) {
		VI_LOG(ERR, v, "idpf devarg \"%s\" too long", dev->conf.idpf_args);
		rc = -EINVAL;
		goto fail;
	}
	v->emu = emu_create_args(v->emu_name, args);
	if (v->emu == NULL) {
		VI_LOG(ERR, v, "emulated idpf device refused \"%s\"", args);
		rc = -EINVAL;
		goto fail;
	}
	emu_hw_get(v->emu, &hw);
	rc = idpf_adapter_init(&v->ad, v->emu_name, &hw, &cc);
	if (rc < 0) {
		VI_LOG(ERR, v, "adapter bring-up failed: %s", strerror(-rc));
		goto fail;
	}
	v->ad_up = true;
	rc = idpf_vport_create(&v->ad, &v->vp, dev->conf.pairs);
	if (rc < 0) {
		VI_LOG(ERR, v, "CREATE_VPORT for %u queue pairs failed: %s", dev->conf.pairs,
		       strerror(-rc));
		goto fail;
	}
	if (v->vp.max_mtu != 0 && v->vp.max_mtu < dev->conf.mtu) {
		VI_LOG(ERR, v, "mtu %u above the vport's %u", dev->conf.mtu, v->vp.max_mtu);
		rc = -EINVAL;
		goto fail;
	}
	if (v->vp.rss_lut_size == 0) {
		rc = -ENOTSUP;
		goto fail;
	}
	v->qs.lut = calloc(v->vp.rss_lut_size, sizeof(*v->qs.lut));
	if (v->qs.lut == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = vport_bring_up(v);
	if (rc < 0) {
		VI_LOG(ERR, v, "vport start failed: %s", strerror(-rc));
		goto fail;
	}
	rc = idpf_vport_rss_get(&v->vp, v->default_key, &key_len, v->qs.lut,
				v->vp.rss_lut_size, &v->default_hash);
	if (rc < 0) {
		VI_LOG(ERR, v, "reading the RSS defaults failed: %s", strerror(-rc));
		goto fail;
	}
	v->default_key_len = (uint8_t)key_len;
	v->qs.key_len = v->default_key_len;
	memcpy(v->qs.key, v->default_key, key_len);
	v->qs.hash = v->default_hash;
	v->qs.pairs = 1;
	for (i = 0; i < v->vp.rss_lut_size; i++)
		if (v->qs.lut[i] >= v->vp.num_rxq)
			v->qs.lut[i] = 0;
	/* the vport holds no filter yet; the reset that follows adds the config MAC */
	memcpy(v->primary, dev->conf.mac, 6);
	v->uc = calloc(1, 6);
	v->mc = calloc(1, 6);
	v->set = calloc(1, 6);
	if (v->uc == NULL || v->mc == NULL || v->set == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	VI_LOG(INFO, v, "emulated device %s, vport %u, %u queue pairs, RSS key %u LUT %u",
	       v->emu_name, v->vp.vport_id, dev->conf.pairs, v->vp.rss_key_size,
	       v->vp.rss_lut_size);
	return 0;
fail:
	vi_fini(dev);
	return rc;
}

static void
vi_dump(struct swcvq_dev *dev, struct rte_tel_data *d)
{
	struct vidpf *v = vi_of(dev);
	const struct vi_cmd *c;
	unsigned int waiting = 0;

	for (c = v->head; c != NULL; c = c->next)
		waiting += c->phase == PH_WAITING;
	rte_tel_data_add_dict_string(d, "vendor", "idpf");
	rte_tel_data_add_dict_string(d, "idpf_device", v->emu_name);
	rte_tel_data_add_dict_u64(d, "vport_id", v->vp.vport_id);
	rte_tel_data_add_dict_u64(d, "rss_lut_size", v->vp.rss_lut_size);
	rte_tel_data_add_dict_u64(d, "rss_key_size", v->vp.rss_key_size);
	rte_tel_data_add_dict_u64(d, "promisc_unicast",
				  !!(v->promisc & VIRTCHNL2_UNICAST_PROMISC));
	rte_tel_data_add_dict_u64(d, "promisc_multicast",
				  !!(v->promisc & VIRTCHNL2_MULTICAST_PROMISC));
	rte_tel_data_add_dict_u64(d, "mac_filters", v->set_n);
	rte_tel_data_add_dict_u64(d, "pairs", v->qs.pairs);
	rte_tel_data_add_dict_u64(d, "rss_enabled", v->qs.rss_on);
	rte_tel_data_add_dict_u64(d, "in_flight", v->ncmds - waiting);
	rte_tel_data_add_dict_u64(d, "waiting", waiting);
	rte_tel_data_add_dict_u64(d, "commands", v->st.commands);
	rte_tel_data_add_dict_u64(d, "immediate", v->st.immediate);
	rte_tel_data_add_dict_u64(d, "deferred", v->st.deferred);
	rte_tel_data_add_dict_u64(d, "waited", v->st.waited);
	rte_tel_data_add_dict_u64(d, "transactions", v->st.transactions);
	rte_tel_data_add_dict_u64(d, "txn_errors", v->st.txn_errors);
	rte_tel_data_add_dict_u64(d, "undone", v->st.undone);
	rte_tel_data_add_dict_u64(d, "undo_failed", v->st.undo_failed);
	rte_tel_data_add_dict_u64(d, "dropped_stale", v->st.dropped_stale);
	rte_tel_data_add_dict_u64(d, "tx_dropped", v->st.tx_dropped);
	rte_tel_data_add_dict_u64(d, "tx_bad", v->st.tx_bad);
}

const struct swcvq_vendor swcvq_vendor_idpf = {
	.name = "idpf",
	.features = NC_BIT(NC_F_MAC) | NC_BIT(3) /* MTU */ | NC_BIT(16) /* STATUS */ |
		NC_BIT(NC_F_CTRL_VQ) | NC_BIT(NC_F_CTRL_RX) | NC_BIT(NC_F_GUEST_ANNOUNCE) |
		NC_BIT(NC_F_MQ) | NC_BIT(NC_F_CTRL_MAC_ADDR) | NC_BIT(NC_F_RSS) |
		NC_BIT(NC_F_INDIRECT_DESC) | NC_BIT(NC_F_VERSION_1) | NC_BIT(NC_F_RING_PACKED),
	.hash_types = SWCVQ_HASH_TYPES,
	.ctl = &vi_ctl,
	.init = vi_init,
	.fini = vi_fini,
	.reset = vi_reset,
	.service = vi_service,
	.dump = vi_dump,
};