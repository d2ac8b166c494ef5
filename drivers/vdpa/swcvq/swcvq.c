/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vdpa_swcvq: vdev probe and remove, the rte_vdpa_dev_ops, and the ring life cycle.
 *
 * A ring is served from the moment the vhost library reports it ready until the next
 * vhost-user message that could change it. Our pre-message hook stops every ring and writes
 * the ring positions back into the library (so GET_VRING_BASE answers where we are, and
 * SET_MEM_TABLE never unmaps memory under the device thread); the post-message hook and
 * set_vring_state start them again from what the library then holds. This does not depend on
 * dev_conf, which DPDK 22.11 only calls once every allocated vring is enabled (a stock QEMU
 * guest using fewer pairs than offered never gets there).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <rte_byteorder.h>
#include <rte_kvargs.h>
#include <rte_log.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>
#include <vdpa_driver.h>

#include <netctrl_virtio.h>

#include "swcvq_priv.h"

RTE_LOG_REGISTER(swcvq_logtype, pmd.vdpa.swcvq, NOTICE);
#define LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, swcvq_logtype, "vdpa_swcvq: " fmt "\n", ##__VA_ARGS__)

/* vhost-user requests the hooks look at (wire values, vhost-user specification). */
enum {
	VU_GET_FEATURES = 1,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_GET_CONFIG = 24,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
};

#define KEY_VENDOR "vendor"
#define KEY_QUEUES "queues"
#define KEY_MAC "mac"
#define KEY_MTU "mtu"
#define KEY_POLL "poll"
#define KEY_STATUS "status"
#define KEY_PACKED "packed"
#define KEY_IDPF "idpf"

static const char *const valid_keys[] = {
	KEY_VENDOR, KEY_QUEUES, KEY_MAC, KEY_MTU, KEY_POLL, KEY_STATUS, KEY_PACKED, KEY_IDPF, NULL
};

static const struct swcvq_vendor *const vendors[] = { &swcvq_vendor_sim, SWCVQ_VENDOR_IDPF };

static struct rte_vdpa_dev_ops swcvq_ops;

/* ---- helpers ---------------------------------------------------------------------------- */

void
swcvq_fmt_mac(char *buf, const uint8_t mac[6])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

bool
swcvq_mac_in(const uint8_t (*tab)[6], uint32_t n, const uint8_t *mac)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (memcmp(tab[i], mac, 6) == 0)
			return true;
	return false;
}

void
swcvq_lock(struct swcvq_dev *dev)
{
	/* The busy-poll thread yields while someone waits (see swcvq_worker.c). */
	atomic_fetch_add_explicit(&dev->waiters, 1, memory_order_relaxed);
	pthread_mutex_lock(&dev->lock);
	atomic_fetch_sub_explicit(&dev->waiters, 1, memory_order_relaxed);
}

void
swcvq_unlock(struct swcvq_dev *dev)
{
	pthread_mutex_unlock(&dev->lock);
}

static struct swcvq_dev *
dev_of_vdpa(struct rte_vdpa_device *vdpa)
{
	if (vdpa == NULL || vdpa->ops != &swcvq_ops)
		return NULL;
	return swcvq_registry_find(vdpa->device);
}

static struct swcvq_dev *
dev_of_vid(int vid)
{
	return dev_of_vdpa(rte_vhost_get_vdpa_device(vid));
}

static uint64_t
offered_features(const struct swcvq_dev *dev)
{
	uint64_t f = dev->vendor->features | NC_BIT(SWCVQ_F_PROTOCOL_FEATURES);

	if (dev->conf.pairs == 1)
		f &= ~NC_BIT(NC_F_MQ);
	if (dev->conf.no_packed)
		f &= ~NC_BIT(NC_F_RING_PACKED);
	if (!(f & NC_BIT(NC_F_CTRL_VQ)))
		f &= ~(NC_BIT(NC_F_MQ) | NC_BIT(NC_F_RSS));
	return f;
}

static uint16_t
cvq_index(uint64_t features, uint16_t pairs)
{
	return (features & (NC_BIT(NC_F_MQ) | NC_BIT(NC_F_RSS))) ? 2 * pairs : 2;
}

/* ---- ring life cycle (lock held) -------------------------------------------------------- */

/* Close our copies of a ring's kick and call eventfds. */
static void
queue_close_fds(struct swcvq_queue *q)
{
	if (q->kickfd >= 0)
		close(q->kickfd);
	if (q->vr.callfd >= 0)
		close(q->vr.callfd);
	q->kickfd = -1;
	q->vr.callfd = -1;
}

static void
ring_stop(struct swcvq_dev *dev, uint16_t i)
{
	struct swcvq_queue *q = &dev->q[i];

	if (!q->running)
		return;
	if (dev->vid >= 0) {
		uint16_t avail, used;

		if (i == dev->cvq_index && dev->nc != NULL) {
			avail = netctrl_ring_base(dev->nc);
			used = avail;
		} else {
			avail = q->vr.last_avail;
			used = q->vr.last_used;
		}
		rte_vhost_set_vring_base(dev->vid, i, avail, used);
	}
	queue_close_fds(q);
	q->running = false;
	dev->st.ring_stops++;
	dev->epoch++;
}

static int
cvq_attach(struct swcvq_dev *dev, const struct rte_vhost_vring *vring, uint16_t avail)
{
	if (dev->features & NC_BIT(NC_F_RING_PACKED)) {
		struct netctrl_packed_ring r = {
			.desc = vring->desc_packed,
			.driver_event = vring->driver_event,
			.device_event = vring->device_event,
			.size = vring->size,
			.base = avail,
		};

		return netctrl_set_packed_ring(dev->nc, &r);
	}
	struct netctrl_split_ring r = {
		.desc = vring->desc,
		.avail = vring->avail,
		.used = vring->used,
		.size = vring->size,
		.last_avail_idx = avail,
		.used_idx = vring->used->idx,
	};

	return netctrl_set_split_ring(dev->nc, &r);
}

static void
ring_start(struct swcvq_dev *dev, uint16_t i)
{
	struct swcvq_queue *q = &dev->q[i];
	struct rte_vhost_vring vring;
	uint16_t avail, used;
	bool is_cvq;

	if (q->running || !q->ready || dev->vid < 0 || !dev->have_mem || i >= dev->nr_vrings)
		return;
	is_cvq = dev->nc != NULL && i == dev->cvq_index;
	if (!is_cvq && i >= 2 * dev->conf.pairs)
		return;
	if (rte_vhost_get_vhost_vring(dev->vid, i, &vring) != 0 || vring.desc == NULL ||
	    vring.avail == NULL || vring.used == NULL || vring.size == 0 || vring.kickfd < 0 ||
	    rte_vhost_get_vring_base(dev->vid, i, &avail, &used) != 0)
		return;	/* not usable yet: the library will report the next change */
	if (is_cvq) {
		int rc = cvq_attach(dev, &vring, avail);

		if (rc != 0) {
			LOG(ERR, "%s: CVQ ring %u refused (%d)", dev->name, i, rc);
			dev->st.errors++;
			return;
		}
	} else {
		bool packed = dev->features & NC_BIT(NC_F_RING_PACKED);

		if (!packed && (vring.size & (vring.size - 1))) {
			dev->st.errors++;
			return;
		}
		memset(&q->vr, 0, sizeof(q->vr));
		q->vr.packed = packed;
		q->vr.size = vring.size;
		q->vr.desc = vring.desc;
		q->vr.avail = vring.avail;
		q->vr.used = vring.used;
		q->vr.last_avail = avail;
		q->vr.last_used = used;
		q->vr.mem = &dev->mem;
	}
	/* Own copies: the library closes its fds on GET_VRING_BASE without telling us. */
	q->kickfd = dup(vring.kickfd);
	q->vr.callfd = vring.callfd >= 0 ? dup(vring.callfd) : -1;
	if (q->kickfd < 0 || (vring.callfd >= 0 && q->vr.callfd < 0)) {
		queue_close_fds(q);
		dev->st.errors++;
		return;
	}
	q->running = true;
	dev->st.ring_starts++;
	dev->epoch++;
}

static void
rings_stop_all(struct swcvq_dev *dev)
{
	uint16_t i;

	for (i = 0; i < SWCVQ_MAX_VRINGS; i++)
		ring_stop(dev, i);
	swcvq_worker_kick(dev);
}

static void
rings_start_all(struct swcvq_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nr_vrings; i++)
		ring_start(dev, i);
	swcvq_worker_kick(dev);
}

static void
refresh_mem(struct swcvq_dev *dev)
{
	struct rte_vhost_memory *m = NULL;
	unsigned int i, n = 0;

	dev->have_mem = false;
	/* DPDK 22.11's rte_vhost_get_mem_table() dereferences a missing table: only ask once a
	 * SET_MEM_TABLE went through or a ring is ready (which needs one). */
	if (dev->vid < 0 || !dev->mem_known || rte_vhost_get_mem_table(dev->vid, &m) != 0 ||
	    m == NULL)
		return;
	for (i = 0; i < m->nregions && n < RTE_DIM(dev->mem.r); i++) {
		if (m->regions[i].size == 0 || m->regions[i].host_user_addr == 0)
			continue;
		dev->mem.r[n].gpa = m->regions[i].guest_phys_addr;
		dev->mem.r[n].size = m->regions[i].size;
		dev->mem.r[n].hva = (void *)(uintptr_t)m->regions[i].host_user_addr;
		n++;
	}
	free(m);
	dev->mem.n = n;
	if (n == 0)
		return;
	if (dev->nc != NULL && netctrl_set_mem(dev->nc, dev->mem.r, n) != 0) {
		LOG(ERR, "%s: guest memory table refused", dev->name);
		dev->st.errors++;
		return;
	}
	dev->have_mem = true;
}

/* Device reset: engine and vendor back to defaults for @p features. */
static void
device_reset(struct swcvq_dev *dev, uint64_t features)
{
	netctrl_destroy(dev->nc);
	dev->nc = NULL;
	dev->features = features;
	dev->cvq_index = cvq_index(features, dev->conf.pairs);
	memcpy(dev->cfg_mac, dev->conf.mac, 6);
	dev->cfg_status = SWCVQ_S_LINK_UP;
	dev->enabled_pairs = 1;
	if (features & NC_BIT(NC_F_CTRL_VQ)) {
		struct netctrl_config cfg = {
			.features = features,
			.max_pairs = dev->conf.pairs,
			.hash_types = dev->vendor->hash_types,
			.ops = dev->vendor->ctl,
			.ctx = dev->vendor_priv,
		};

		memcpy(cfg.mac, dev->conf.mac, 6);
		dev->nc = netctrl_create(&cfg);
		if (dev->nc == NULL) {
			LOG(ERR, "%s: CVQ engine not created (errno %d)", dev->name, errno);
			dev->st.errors++;
		}
	}
	dev->vendor->reset(dev, features);
}

/* Pick up features and memory after a message; reset when the features changed. */
static void
refresh(struct swcvq_dev *dev)
{
	uint64_t f = 0;

	if (dev->vid < 0)
		return;
	if (rte_vhost_get_negotiated_features(dev->vid, &f) == 0 && f != dev->features)
		device_reset(dev, f);
	refresh_mem(dev);
}

/* Frontends that keep the CVQ (stock QEMU) change queue pairs with vring enables only. */
static void
pairs_from_enables(struct swcvq_dev *dev)
{
	uint16_t n = 0;

	if (dev->nc != NULL || dev->vendor->ctl->mq_pairs_set == NULL)
		return;
	while (n < dev->conf.pairs && dev->q[2 * n].ready && dev->q[2 * n + 1].ready)
		n++;
	if (n == 0 || n == dev->enabled_pairs)
		return;
	if (dev->vendor->ctl->mq_pairs_set(dev->vendor_priv, 0, n) == NETCTRL_OK) {
		dev->enabled_pairs = n;
		dev->st.pairs_from_enable++;
	}
}

/* ---- vhost-user message hooks ----------------------------------------------------------- */

static enum rte_vhost_msg_result
pre_msg(int vid, void *msg)
{
	struct swcvq_dev *dev = dev_of_vid(vid);
	uint32_t req;
	uint64_t val = 0;

	if (dev == NULL)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	/* The message starts with the wire header: u32 request, u32 flags, u32 size. */
	memcpy(&req, msg, sizeof(req));
	if (dev->vid != vid)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;	/* not the owner (read unlocked:
								 * only this thread changes it) */
	switch (req) {
	case VU_GET_FEATURES: case VU_GET_PROTOCOL_FEATURES: case VU_GET_QUEUE_NUM:
	case VU_GET_CONFIG: case VU_GET_STATUS: case VU_SET_OWNER: case VU_SET_PROTOCOL_FEATURES:
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	default:
		break;
	}
	swcvq_lock(dev);
	rings_stop_all(dev);
	dev->st.msgs_quiesced++;
	if (req == VU_SET_MEM_TABLE || req == VU_RESET_OWNER)
		dev->mem_known = false;
	if (req == VU_SET_STATUS)
		memcpy(&val, (const uint8_t *)msg + 12, sizeof(val));
	if (req == VU_RESET_OWNER || (req == VU_SET_STATUS && val == 0))
		device_reset(dev, 0);
	swcvq_unlock(dev);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result
post_msg(int vid, void *msg)
{
	struct swcvq_dev *dev = dev_of_vid(vid);
	uint32_t req;

	if (dev == NULL)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	memcpy(&req, msg, sizeof(req));
	if (dev->vid != vid)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	swcvq_lock(dev);
	if (req == VU_SET_MEM_TABLE)
		dev->mem_known = true;	/* the post hook only runs when it succeeded */
	refresh(dev);
	rings_start_all(dev);
	swcvq_unlock(dev);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops hooks = {
	.pre_msg_handle = pre_msg,
	.post_msg_handle = post_msg,
};

/*
 * First callback of a connection: take the device for @p vid and hook its messages (lock
 * held). A device serves one connection at a time: callbacks of any other connection on the
 * same socket are refused until the owner disconnects. @return true when @p vid owns it.
 */
static bool
attach_vid(struct swcvq_dev *dev, int vid)
{
	if (dev->vid == vid)
		return true;
	if (dev->vid >= 0) {
		dev->st.refused++;
		LOG(WARNING, "%s: connection %d refused, %d owns the device", dev->name, vid,
		    dev->vid);
		return false;
	}
	dev->vid = vid;
	dev->hooked = rte_vhost_extern_callback_register(vid, &hooks, dev) == 0;
	if (!dev->hooked)
		dev->st.errors++;
	dev->st.connects++;
	return true;
}

/* ---- rte_vdpa_dev_ops ------------------------------------------------------------------- */

static int
op_get_queue_num(struct rte_vdpa_device *vdpa, uint32_t *queue_num)
{
	struct swcvq_dev *dev = dev_of_vdpa(vdpa);

	if (dev == NULL || queue_num == NULL)
		return -EINVAL;
	*queue_num = dev->conf.pairs;
	return 0;
}

static int
op_get_features(struct rte_vdpa_device *vdpa, uint64_t *features)
{
	struct swcvq_dev *dev = dev_of_vdpa(vdpa);

	if (dev == NULL || features == NULL)
		return -EINVAL;
	*features = offered_features(dev);
	return 0;
}

static int
op_get_protocol_features(struct rte_vdpa_device *vdpa, uint64_t *pf)
{
	struct swcvq_dev *dev = dev_of_vdpa(vdpa);

	if (dev == NULL || pf == NULL)
		return -EINVAL;
	*pf = NC_BIT(SWCVQ_PROTO_F_MQ) | NC_BIT(SWCVQ_PROTO_F_REPLY_ACK) |
	      NC_BIT(SWCVQ_PROTO_F_NET_MTU) | NC_BIT(SWCVQ_PROTO_F_BACKEND_REQ) |
	      NC_BIT(SWCVQ_PROTO_F_CONFIG);
	if (dev->conf.offer_status)
		*pf |= NC_BIT(SWCVQ_PROTO_F_STATUS);
	return 0;
}

static int
op_dev_conf(int vid)
{
	struct swcvq_dev *dev = dev_of_vid(vid);

	if (dev == NULL)
		return -ENODEV;
	swcvq_lock(dev);
	if (attach_vid(dev, vid)) {
		refresh(dev);
		rings_start_all(dev);
	}
	swcvq_unlock(dev);
	return 0;
}

static int
op_dev_close(int vid)
{
	struct swcvq_dev *dev = dev_of_vid(vid);

	if (dev == NULL)
		return -ENODEV;
	swcvq_lock(dev);
	if (dev->vid == vid)
		rings_stop_all(dev);
	swcvq_unlock(dev);
	return 0;
}

static int
op_dev_cleanup(int vid)
{
	struct swcvq_dev *dev = dev_of_vid(vid);
	uint16_t i;

	if (dev == NULL)
		return -ENODEV;
	swcvq_lock(dev);
	if (dev->vid == vid) {
		rings_stop_all(dev);
		for (i = 0; i < SWCVQ_MAX_VRINGS; i++)
			dev->q[i].ready = false;
		dev->have_mem = false;
		dev->mem_known = false;
		dev->mem.n = 0;
		device_reset(dev, 0);
		dev->vid = -1;
		dev->hooked = false;
		dev->st.disconnects++;
	}
	swcvq_unlock(dev);
	return 0;
}

static int
op_set_vring_state(int vid, int vring, int state)
{
	struct swcvq_dev *dev = dev_of_vid(vid);

	if (dev == NULL)
		return -ENODEV;
	if (vring < 0 || vring >= SWCVQ_MAX_VRINGS)
		return -EINVAL;
	swcvq_lock(dev);
	if (!attach_vid(dev, vid)) {
		swcvq_unlock(dev);
		return -EBUSY;
	}
	dev->q[vring].ready = state != 0;
	if (state) {
		dev->mem_known = true;	/* a ready ring has translated addresses */
		refresh(dev);
		ring_start(dev, vring);
	} else {
		ring_stop(dev, vring);
	}
	pairs_from_enables(dev);
	swcvq_worker_kick(dev);
	swcvq_unlock(dev);
	return 0;
}

static int
op_set_features(int vid)
{
	struct swcvq_dev *dev = dev_of_vid(vid);

	if (dev == NULL)
		return -ENODEV;
	swcvq_lock(dev);
	if (attach_vid(dev, vid))
		refresh(dev);
	swcvq_unlock(dev);
	return 0;
}

static void
config_fill(struct swcvq_dev *dev, uint8_t cfg[SWCVQ_CONFIG_SIZE])
{
	uint16_t v16;
	uint32_t v32;

	memset(cfg, 0, SWCVQ_CONFIG_SIZE);
	memcpy(cfg, dev->cfg_mac, 6);
	v16 = rte_cpu_to_le_16(dev->cfg_status);
	memcpy(cfg + 6, &v16, 2);
	v16 = rte_cpu_to_le_16(dev->conf.pairs);
	memcpy(cfg + 8, &v16, 2);
	v16 = rte_cpu_to_le_16(dev->conf.mtu);
	memcpy(cfg + 10, &v16, 2);
	v32 = UINT32_MAX;		/* speed unknown */
	memcpy(cfg + 12, &v32, 4);
	cfg[16] = 0xff;			/* duplex unknown */
	cfg[17] = 40;			/* rss_max_key_size */
	v16 = rte_cpu_to_le_16(128);	/* rss_max_indirection_table_length */
	memcpy(cfg + 18, &v16, 2);
	v32 = rte_cpu_to_le_32(dev->vendor->hash_types);
	memcpy(cfg + 20, &v32, 4);
}

static int
op_get_config(int vid, uint8_t *config, uint32_t size)
{
	struct swcvq_dev *dev = dev_of_vid(vid);
	uint8_t cfg[SWCVQ_CONFIG_SIZE];

	if (dev == NULL || config == NULL)
		return -EINVAL;
	swcvq_lock(dev);
	if (dev->vid < 0 || dev->vid == vid)
		dev->st.config_reads++;
	config_fill(dev, cfg);
	swcvq_unlock(dev);
	/* Always answer: bytes past our layout read as zero. */
	memset(config, 0, size);
	memcpy(config, cfg, RTE_MIN(size, (uint32_t)SWCVQ_CONFIG_SIZE));
	return 0;
}

static int
op_set_config(int vid, uint8_t *config, uint32_t offset, uint32_t size, uint32_t flags)
{
	struct swcvq_dev *dev = dev_of_vid(vid);
	int rc = -EPERM;

	RTE_SET_USED(flags);
	if (dev == NULL || config == NULL)
		return -EINVAL;
	swcvq_lock(dev);
	/* Only a legacy driver may write, and only the MAC (virtio spec, device configuration). */
	if (!(dev->features & NC_BIT(NC_F_VERSION_1)) && offset < 6 && size <= 6 - offset) {
		memcpy(dev->cfg_mac + offset, config, size);
		rc = 0;
	}
	swcvq_unlock(dev);
	return rc;
}

static int
op_get_dev_type(struct rte_vdpa_device *vdpa, uint32_t *type)
{
	RTE_SET_USED(vdpa);
	*type = RTE_VHOST_VDPA_DEVICE_TYPE_NET;
	return 0;
}

static struct rte_vdpa_dev_ops swcvq_ops = {
	.get_queue_num = op_get_queue_num,
	.get_features = op_get_features,
	.get_protocol_features = op_get_protocol_features,
	.dev_conf = op_dev_conf,
	.dev_close = op_dev_close,
	.dev_cleanup = op_dev_cleanup,
	.set_vring_state = op_set_vring_state,
	.set_features = op_set_features,
	.get_config = op_get_config,
	.set_config = op_set_config,
	.get_dev_type = op_get_dev_type,
	/* No host notifiers: every ring is served in software, kicks come by eventfd. */
};

/* ---- devargs, probe, remove ------------------------------------------------------------- */

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int v[6];
	char end;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		mac[i] = v[i];
	}
	if (mac[0] & 1)
		return -EINVAL;	/* multicast as a station address */
	return 0;
}

static int
parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
kv_handler(const char *key, const char *value, void *opaque)
{
	struct swcvq_conf *c = opaque;
	unsigned long v;

	if (value == NULL)
		return -EINVAL;
	if (strcmp(key, KEY_VENDOR) == 0) {
		if (strlen(value) >= sizeof(c->vendor))
			return -EINVAL;
		strcpy(c->vendor, value);
	} else if (strcmp(key, KEY_QUEUES) == 0) {
		if (parse_uint(value, 1, SWCVQ_MAX_PAIRS, &v) != 0)
			return -EINVAL;
		c->pairs = v;
	} else if (strcmp(key, KEY_MAC) == 0) {
		return parse_mac(value, c->mac);
	} else if (strcmp(key, KEY_MTU) == 0) {
		if (parse_uint(value, 68, 9000, &v) != 0)
			return -EINVAL;
		c->mtu = v;
	} else if (strcmp(key, KEY_POLL) == 0) {
		if (strcmp(value, "busy") == 0)
			c->busy_poll = true;
		else if (strcmp(value, "event") == 0)
			c->busy_poll = false;
		else
			return -EINVAL;
	} else if (strcmp(key, KEY_STATUS) == 0) {
		if (parse_uint(value, 0, 1, &v) != 0)
			return -EINVAL;
		c->offer_status = v;
	} else if (strcmp(key, KEY_PACKED) == 0) {
		if (parse_uint(value, 0, 1, &v) != 0)
			return -EINVAL;
		c->no_packed = v == 0;
	} else if (strcmp(key, KEY_IDPF) == 0) {
		if (strlen(value) >= sizeof(c->idpf_args))
			return -EINVAL;
		strcpy(c->idpf_args, value);
	}
	return 0;
}

static int
parse_conf(const char *name, const char *args, struct swcvq_conf *c)
{
	struct rte_kvargs *kv;
	const char *p;
	unsigned int k;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	strcpy(c->vendor, "sim");
	c->pairs = 1;
	c->mtu = 1500;
	/* Default MAC: locally administered, last byte from the device number. */
	c->mac[0] = 0x02;
	c->mac[5] = 1;
	for (p = name; *p != '\0' && (*p < '0' || *p > '9'); p++)
		;
	if (*p != '\0')
		c->mac[5] = (uint8_t)(1 + strtoul(p, NULL, 10));
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, valid_keys);
	if (kv == NULL)
		return -EINVAL;
	for (k = 0; valid_keys[k] != NULL && rc == 0; k++)
		if (rte_kvargs_count(kv, valid_keys[k]) > 1)
			rc = -EINVAL;
		else
			rc = rte_kvargs_process(kv, valid_keys[k], kv_handler, c);
	rte_kvargs_free(kv);
	return rc < 0 ? rc : 0;
}

static void
dev_free(struct swcvq_dev *dev)
{
	if (dev->vendor_priv != NULL)
		dev->vendor->fini(dev);
	netctrl_destroy(dev->nc);
	if (dev->ctl_fd >= 0)
		close(dev->ctl_fd);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

static int
swcvq_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	const char *args;
	struct swcvq_dev *dev;
	unsigned int i;
	int rc;

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->ctl_fd = -1;
	dev->vid = -1;
	pthread_mutex_init(&dev->lock, NULL);
	snprintf(dev->name, sizeof(dev->name), "%s", name != NULL ? name : SWCVQ_DRIVER_NAME);
	args = rte_vdev_device_args(vdev);
	rc = parse_conf(dev->name, args, &dev->conf);
	if (rc != 0) {
		LOG(ERR, "%s: bad devargs \"%s\"", name, args != NULL ? args : "");
		goto fail;
	}
	for (i = 0; i < RTE_DIM(vendors); i++)
		if (strcmp(vendors[i]->name, dev->conf.vendor) == 0)
			dev->vendor = vendors[i];
	if (dev->vendor == NULL) {
		LOG(ERR, "%s: unknown vendor \"%s\"", name, dev->conf.vendor);
		rc = -EINVAL;
		goto fail;
	}
	for (i = 0; i < SWCVQ_MAX_VRINGS; i++) {
		dev->q[i].kickfd = -1;
		dev->q[i].vr.callfd = -1;
	}
	dev->nr_vrings = 2 * dev->conf.pairs + 1;
	rc = dev->vendor->init(dev);
	if (rc != 0)
		goto fail;
	device_reset(dev, 0);
	dev->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dev->ctl_fd < 0) {
		rc = -errno;
		goto fail;
	}
	dev->rdev = &vdev->device;
	swcvq_registry_add(dev);
	dev->vdpa = rte_vdpa_register_device(&vdev->device, &swcvq_ops);
	if (dev->vdpa == NULL) {
		LOG(ERR, "%s: rte_vdpa_register_device failed", name);
		rc = -EIO;
		goto fail;
	}
	rc = swcvq_worker_start(dev);
	if (rc != 0) {
		rte_vdpa_unregister_device(dev->vdpa);
		goto fail;
	}
	LOG(INFO, "%s: vendor %s, %u pairs, mtu %u, %s poll", name, dev->vendor->name,
	    dev->conf.pairs, dev->conf.mtu, dev->conf.busy_poll ? "busy" : "event");
	return 0;
fail:
	swcvq_registry_del(dev);
	dev_free(dev);
	return rc;
}

static int
swcvq_remove(struct rte_vdev_device *vdev)
{
	struct swcvq_dev *dev = swcvq_registry_find(&vdev->device);

	if (dev == NULL)
		return -ENODEV;
	swcvq_registry_del(dev);
	swcvq_worker_stop(dev);
	swcvq_lock(dev);
	rings_stop_all(dev);
	swcvq_unlock(dev);
	rte_vdpa_unregister_device(dev->vdpa);
	dev_free(dev);
	return 0;
}

static struct rte_vdev_driver swcvq_driver = {
	.probe = swcvq_probe,
	.remove = swcvq_remove,
};

RTE_PMD_REGISTER_VDEV(vdpa_swcvq, swcvq_driver);
RTE_PMD_REGISTER_PARAM_STRING(vdpa_swcvq,
	"vendor=sim|idpf queues=<1-128> mac=<xx:xx:xx:xx:xx:xx> mtu=<68-9000> poll=event|busy "
	"status=0|1 packed=0|1 idpf=[<emulator key>:<value>,...]");
