/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry of devices and their DPDK telemetry commands (swcvq.h):
 *   /ctlpath/swcvq/list            device names
 *   /ctlpath/swcvq/state,<name>    device, shadow state, vendor, counters
 * The registry lock is held while a command reads a device, and a device leaves the registry
 * before it is freed, so a reader never sees a freed device. The device lock is taken inside it
 * to copy a consistent state.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <netctrl_virtio.h>

#include "swcvq_priv.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct swcvq_dev *registry;

void
swcvq_registry_add(struct swcvq_dev *dev)
{
	pthread_mutex_lock(&registry_lock);
	dev->next = registry;
	registry = dev;
	pthread_mutex_unlock(&registry_lock);
}

void
swcvq_registry_del(struct swcvq_dev *dev)
{
	struct swcvq_dev **p;

	pthread_mutex_lock(&registry_lock);
	for (p = &registry; *p != NULL; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
}

struct swcvq_dev *
swcvq_registry_find(const struct rte_device *rdev)
{
	struct swcvq_dev *d;

	pthread_mutex_lock(&registry_lock);
	for (d = registry; d != NULL; d = d->next)
		if (d->rdev == rdev)
			break;
	pthread_mutex_unlock(&registry_lock);
	return d;
}

static int
tel_list(const char *cmd, const char *params, struct rte_tel_data *out)
{
	struct swcvq_dev *d;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(out, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&registry_lock);
	for (d = registry; d != NULL; d = d->next)
		rte_tel_data_add_array_string(out, d->name);
	pthread_mutex_unlock(&registry_lock);
	return 0;
}

static void
add_container(struct rte_tel_data *out, const char *name, struct rte_tel_data *c)
{
	if (c != NULL && rte_tel_data_add_dict_container(out, name, c, 0) != 0)
		rte_tel_data_free(c);
}

static struct rte_tel_data *
new_dict(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d != NULL)
		rte_tel_data_start_dict(d);
	return d;
}

static struct rte_tel_data *
mac_array(const uint8_t (*tab)[6], uint32_t n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	char mac[18];
	uint32_t i;

	if (a == NULL)
		return NULL;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++) {
		swcvq_fmt_mac(mac, tab[i]);
		rte_tel_data_add_array_string(a, mac);
	}
	return a;
}

static void
dump_device(const struct swcvq_dev *dev, struct rte_tel_data *d)
{
	char txt[32];
	uint16_t i, running = 0, ready = 0;

	rte_tel_data_add_dict_string(d, "name", dev->name);
	rte_tel_data_add_dict_string(d, "vendor", dev->vendor->name);
	rte_tel_data_add_dict_u64(d, "max_pairs", dev->conf.pairs);
	rte_tel_data_add_dict_u64(d, "mtu", dev->conf.mtu);
	rte_tel_data_add_dict_string(d, "poll", dev->conf.busy_poll ? "busy" : "event");
	swcvq_fmt_mac(txt, dev->cfg_mac);
	rte_tel_data_add_dict_string(d, "config_mac", txt);
	rte_tel_data_add_dict_u64(d, "config_status", dev->cfg_status);
	rte_tel_data_add_dict_int(d, "vid", dev->vid);
	rte_tel_data_add_dict_u64(d, "connected", dev->vid >= 0);
	snprintf(txt, sizeof(txt), "0x%" PRIx64, dev->features);
	rte_tel_data_add_dict_string(d, "features", txt);
	rte_tel_data_add_dict_u64(d, "ctrl_vq", dev->nc != NULL);
	rte_tel_data_add_dict_u64(d, "packed", !!(dev->features & NC_BIT(NC_F_RING_PACKED)));
	rte_tel_data_add_dict_u64(d, "cvq_index", dev->cvq_index);
	rte_tel_data_add_dict_u64(d, "cvq_running", dev->q[dev->cvq_index].running);
	for (i = 0; i < SWCVQ_MAX_VRINGS; i++) {
		ready += dev->q[i].ready;
		running += dev->q[i].running;
	}
	rte_tel_data_add_dict_u64(d, "rings_ready", ready);
	rte_tel_data_add_dict_u64(d, "rings_running", running);
	rte_tel_data_add_dict_u64(d, "mem_regions", dev->have_mem ? dev->mem.n : 0);
	rte_tel_data_add_dict_u64(d, "connects", dev->st.connects);
	rte_tel_data_add_dict_u64(d, "disconnects", dev->st.disconnects);
	rte_tel_data_add_dict_u64(d, "ring_starts", dev->st.ring_starts);
	rte_tel_data_add_dict_u64(d, "ring_stops", dev->st.ring_stops);
	rte_tel_data_add_dict_u64(d, "cvq_notifies", dev->st.cvq_notifies);
	rte_tel_data_add_dict_u64(d, "needs_reset", dev->st.needs_reset);
	rte_tel_data_add_dict_u64(d, "config_reads", dev->st.config_reads);
	rte_tel_data_add_dict_u64(d, "pairs_from_enable", dev->st.pairs_from_enable);
	rte_tel_data_add_dict_u64(d, "msgs_quiesced", dev->st.msgs_quiesced);
	rte_tel_data_add_dict_u64(d, "refused", dev->st.refused);
	rte_tel_data_add_dict_u64(d, "errors", dev->st.errors);
}

static void
dump_shadow(const struct netctrl_state *st, struct rte_tel_data *d)
{
	static const char *const rx_names[NETCTRL_RX_MODE_MAX] = {
		"promisc", "allmulti", "alluni", "nomulti", "nouni", "nobcast",
	};
	char txt[32];
	unsigned int i;

	swcvq_fmt_mac(txt, st->mac);
	rte_tel_data_add_dict_string(d, "mac", txt);
	for (i = 0; i < NETCTRL_RX_MODE_MAX; i++)
		rte_tel_data_add_dict_u64(d, rx_names[i], st->rx[i]);
	rte_tel_data_add_dict_u64(d, "uc_count", st->uc_count);
	rte_tel_data_add_dict_u64(d, "mc_count", st->mc_count);
	rte_tel_data_add_dict_u64(d, "uc_overflow", st->uc_overflow);
	rte_tel_data_add_dict_u64(d, "mc_overflow", st->mc_overflow);
	rte_tel_data_add_dict_u64(d, "queue_pairs", st->queue_pairs);
	rte_tel_data_add_dict_u64(d, "rss_enabled", st->rss_enabled);
	rte_tel_data_add_dict_u64(d, "rss_hash_types", st->rss_hash_types);
	rte_tel_data_add_dict_u64(d, "rss_indir_len", st->rss_indir_len);
	rte_tel_data_add_dict_u64(d, "rss_unclassified", st->rss_unclassified);
	rte_tel_data_add_dict_u64(d, "rss_max_tx_vq", st->rss_max_tx_vq);
	rte_tel_data_add_dict_u64(d, "rss_key_len", st->rss_key_len);
	rte_tel_data_add_dict_u64(d, "hash_enabled", st->hash_enabled);
	rte_tel_data_add_dict_u64(d, "guest_offloads", st->guest_offloads);
	rte_tel_data_add_dict_u64(d, "coal_tx_max_packets", st->coal_tx.max_packets);
	rte_tel_data_add_dict_u64(d, "coal_tx_max_usecs", st->coal_tx.max_usecs);
	rte_tel_data_add_dict_u64(d, "coal_rx_max_packets", st->coal_rx.max_packets);
	rte_tel_data_add_dict_u64(d, "coal_rx_max_usecs", st->coal_rx.max_usecs);
	rte_tel_data_add_dict_u64(d, "tunnel_types", st->tunnel_types);
}

static void
dump_counters(const struct netctrl_counters *c, struct rte_tel_data *cvq,
	      struct rte_tel_data *ok, struct rte_tel_data *err, struct rte_tel_data *kinds)
{
	unsigned int i;

	rte_tel_data_add_dict_u64(cvq, "chains", c->chains);
	rte_tel_data_add_dict_u64(cvq, "deferred", c->deferred);
	rte_tel_data_add_dict_u64(cvq, "notifies", c->notifies);
	rte_tel_data_add_dict_u64(cvq, "suppressed", c->suppressed);
	rte_tel_data_add_dict_u64(cvq, "pending_hwm", c->pending_hwm);
	rte_tel_data_add_dict_u64(cvq, "replays", c->replays);
	for (i = 0; i < NETCTRL_CMD_MAX; i++) {
		rte_tel_data_add_dict_u64(ok, netctrl_cmd_name(i), c->cmd_ok[i]);
		rte_tel_data_add_dict_u64(err, netctrl_cmd_name(i), c->cmd_err[i]);
	}
	for (i = 0; i < NETCTRL_E_MAX; i++)
		rte_tel_data_add_dict_u64(kinds, netctrl_err_name(i), c->err[i]);
}

static int
tel_state(const char *cmd, const char *params, struct rte_tel_data *out)
{
	struct rte_tel_data *dev_d, *shadow, *vendor, *cvq, *ok, *err, *kinds, *uc, *mc, *vl;
	struct netctrl_counters *cnt;
	struct netctrl_state *st;
	struct swcvq_dev *d;
	unsigned int i;
	bool have_nc = false;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	cnt = calloc(1, sizeof(*cnt));
	dev_d = new_dict();
	shadow = new_dict();
	vendor = new_dict();
	cvq = new_dict();
	ok = new_dict();
	err = new_dict();
	kinds = new_dict();
	vl = rte_tel_data_alloc();
	uc = mc = NULL;
	if (st == NULL || cnt == NULL || dev_d == NULL || shadow == NULL || vendor == NULL ||
	    cvq == NULL || ok == NULL || err == NULL || kinds == NULL || vl == NULL) {
		free(st);
		free(cnt);
		rte_tel_data_free(dev_d);
		rte_tel_data_free(shadow);
		rte_tel_data_free(vendor);
		rte_tel_data_free(cvq);
		rte_tel_data_free(ok);
		rte_tel_data_free(err);
		rte_tel_data_free(kinds);
		rte_tel_data_free(vl);
		return -ENOMEM;
	}
	rte_tel_data_start_array(vl, RTE_TEL_U64_VAL);

	pthread_mutex_lock(&registry_lock);
	for (d = registry; d != NULL; d = d->next)
		if (strcmp(d->name, params) == 0)
			break;
	if (d != NULL) {
		swcvq_lock(d);
		dump_device(d, dev_d);
		d->vendor->dump(d, vendor);
		have_nc = d->nc != NULL;
		if (have_nc) {
			netctrl_state_get(d->nc, st);
			netctrl_counters_get(d->nc, cnt);
		}
		swcvq_unlock(d);
	}
	pthread_mutex_unlock(&registry_lock);

	rte_tel_data_start_dict(out);
	if (d == NULL || !have_nc) {
		rte_tel_data_free(shadow);
		rte_tel_data_free(cvq);
		rte_tel_data_free(ok);
		rte_tel_data_free(err);
		rte_tel_data_free(kinds);
		rte_tel_data_free(vl);
		shadow = cvq = ok = err = kinds = vl = NULL;
	}
	if (d == NULL) {
		rte_tel_data_free(dev_d);
		rte_tel_data_free(vendor);
		free(st);
		free(cnt);
		return -ENODEV;
	}
	add_container(out, "device", dev_d);
	add_container(out, "vendor", vendor);
	if (have_nc) {
		dump_shadow(st, shadow);
		dump_counters(cnt, cvq, ok, err, kinds);
		uc = mac_array((const uint8_t (*)[6])st->uc, st->uc_count);
		mc = mac_array((const uint8_t (*)[6])st->mc, st->mc_count);
		for (i = 0; i < 4096; i++)
			if (st->vlans[i / 32] & (1u << (i % 32)))
				rte_tel_data_add_array_u64(vl, i);
		add_container(out, "shadow", shadow);
		add_container(out, "shadow_uc", uc);
		add_container(out, "shadow_mc", mc);
		add_container(out, "shadow_vlans", vl);
		add_container(out, "cvq", cvq);
		add_container(out, "cmd_ok", ok);
		add_container(out, "cmd_err", err);
		add_container(out, "errors", kinds);
	}
	free(st);
	free(cnt);
	return 0;
}

RTE_INIT(swcvq_telemetry_init)
{
	rte_telemetry_register_cmd(SWCVQ_TEL_LIST, tel_list,
		"Returns the vdpa_swcvq device names. No parameters");
	rte_telemetry_register_cmd(SWCVQ_TEL_STATE, tel_state,
		"Returns a vdpa_swcvq device's state and counters. Parameters: device name");
}
