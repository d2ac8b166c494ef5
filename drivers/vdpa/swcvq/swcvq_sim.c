/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vendor "sim": a software virtio-net device in the spirit of Linux vdpa_sim_net. Every CVQ
 * command is applied to its own state, and every frame the guest transmits comes back on a
 * receive queue through the filters that state describes:
 *   VLAN filter (CTRL_VLAN) -> rx modes and MAC tables -> queue choice (RSS over the enabled
 *   pairs, else the pair it was sent on) -> a receive buffer of that queue.
 * So every command has an effect a test can see on traffic. Coalescing parameters are kept
 * and reported; notifications are sent at once, which is within any coalescing limit.
 * Guest receive offloads (GUEST_CSUM, GUEST_TSO4/6) are offered because every setting of them
 * is honoured as it stands: a looped-back frame is the guest's own frame, never coalesced and
 * never partially checksummed (HOST_CSUM and HOST_TSO are not offered, so the guest sends
 * frames with their checksums filled and no larger than its MTU). The header written on
 * receive says so: no flags, GSO_NONE. GUEST_OFFLOADS_SET is kept and reported. Negotiating
 * guest TSO makes a guest without MRG_RXBUF post "big" receive chains (Linux: the header
 * buffer, the rest of its page and 17 pages, 19 entries of one indirect table when negotiated),
 * which the data ring walks like any chain (up to SWCVQ_CHAIN_MAX descriptors).
 * All callbacks run with dev->lock held (swcvq_priv.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include <netctrl_virtio.h>

#include "swcvq_priv.h"

#define SIM_FRAME_MAX 9216			/* MTU 9000 + Ethernet and VLAN headers */
#define SIM_HDR_MAX 12				/* struct virtio_net_hdr with num_buffers */
#define SIM_BUDGET 64				/* chains per TX ring per service round */
#define ETH_HLEN 14
#define ETH_P_8021Q 0x8100
#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd

/** Why a frame did not reach a receive queue. */
enum sim_drop {
	DROP_BAD_CHAIN,		/* TX chain broke a ring rule */
	DROP_BAD_MEMORY,	/* TX buffer outside guest memory or too long */
	DROP_RUNT,		/* shorter than an Ethernet header */
	DROP_VLAN,		/* VID not in the VLAN table */
	DROP_UNICAST,		/* unicast not for us (MAC, table, alluni, nouni) */
	DROP_MULTICAST,		/* multicast refused (table, allmulti, nomulti) */
	DROP_BROADCAST,		/* nobcast */
	DROP_QUEUE_DOWN,	/* chosen receive queue not running */
	DROP_NO_BUFFER,		/* no receive buffer posted */
	DROP_SMALL_BUFFER,	/* receive buffer too small */
	DROP_MAX
};

static const char *const drop_names[DROP_MAX] = {
	"drop_bad_chain", "drop_bad_memory", "drop_runt", "drop_vlan", "drop_unicast",
	"drop_multicast", "drop_broadcast", "drop_queue_down", "drop_no_buffer",
	"drop_small_buffer",
};

struct sim {
	struct swcvq_dev *dev;
	uint64_t features;
	uint32_t hdr_len;

	/* State programmed by the CVQ (or by vring enables for the pair count). */
	bool rx[NETCTRL_RX_MODE_MAX];
	uint32_t uc_count, mc_count;
	bool uc_overflow, mc_overflow;
	uint8_t uc[NETCTRL_MAC_TABLE_MAX][6];
	uint8_t mc[NETCTRL_MAC_TABLE_MAX][6];
	uint32_t vlans[4096 / 32];
	uint16_t pairs;
	bool rss_on;
	uint32_t rss_types;
	uint16_t rss_indir_len, rss_unclassified;
	uint16_t rss_indir[NETCTRL_RSS_INDIR_MAX];
	uint8_t rss_key_len;
	uint8_t rss_key[NETCTRL_RSS_KEY_MAX];
	struct netctrl_coal coal_tx, coal_rx;
	uint64_t guest_offloads;
	uint64_t commands;

	/* Traffic counters. */
	uint64_t tx_frames, rx_frames, rx_bytes, rss_hashed, rss_unclassified_frames;
	uint64_t drops[DROP_MAX];
	uint64_t rxq_frames[SWCVQ_MAX_PAIRS];

	uint8_t buf[SIM_HDR_MAX + SIM_FRAME_MAX];
};

static struct sim *
sim_of(struct swcvq_dev *dev)
{
	return dev->vendor_priv;
}

/* ---- CVQ commands ------------------------------------------------------------------------ */

static int
sim_rx_mode(void *ctx, uint64_t token, enum netctrl_rx_mode mode, bool on)
{
	struct sim *s = ctx;

	(void)token;
	if (mode >= NETCTRL_RX_MODE_MAX)
		return NETCTRL_ERR;
	s->rx[mode] = on;
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_mac_table_set(void *ctx, uint64_t token, const struct netctrl_mac_table *t)
{
	struct sim *s = ctx;
	uint32_t n;

	(void)token;
	/* More entries than we keep: accept all of that kind, as the spec allows. */
	n = t->uc_count < NETCTRL_MAC_TABLE_MAX ? t->uc_count : NETCTRL_MAC_TABLE_MAX;
	s->uc_overflow = t->uc_overflow || t->uc_count > NETCTRL_MAC_TABLE_MAX;
	memcpy(s->uc, t->uc, n * 6u);
	s->uc_count = n;
	n = t->mc_count < NETCTRL_MAC_TABLE_MAX ? t->mc_count : NETCTRL_MAC_TABLE_MAX;
	s->mc_overflow = t->mc_overflow || t->mc_count > NETCTRL_MAC_TABLE_MAX;
	memcpy(s->mc, t->mc, n * 6u);
	s->mc_count = n;
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_mac_addr_set(void *ctx, uint64_t token, const uint8_t mac[6])
{
	struct sim *s = ctx;

	(void)token;
	/* The config space MAC changes before the command is used (spec: MAC_ADDR_SET). */
	memcpy(s->dev->cfg_mac, mac, 6);
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_vlan_add(void *ctx, uint64_t token, uint16_t vid)
{
	struct sim *s = ctx;

	(void)token;
	if (vid >= 4096)
		return NETCTRL_ERR;
	s->vlans[vid / 32] |= 1u << (vid % 32);
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_vlan_del(void *ctx, uint64_t token, uint16_t vid)
{
	struct sim *s = ctx;

	(void)token;
	if (vid >= 4096)
		return NETCTRL_ERR;
	s->vlans[vid / 32] &= ~(1u << (vid % 32));
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_announce_ack(void *ctx, uint64_t token)
{
	struct sim *s = ctx;

	(void)token;
	s->dev->cfg_status &= ~SWCVQ_S_ANNOUNCE;
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_mq_pairs_set(void *ctx, uint64_t token, uint16_t pairs)
{
	struct sim *s = ctx;

	(void)token;
	if (pairs == 0 || pairs > s->dev->conf.pairs)
		return NETCTRL_ERR;
	s->pairs = pairs;
	s->rss_on = false;	/* the last multiqueue command wins */
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_rss_set(void *ctx, uint64_t token, const struct netctrl_rss *rss)
{
	struct sim *s = ctx;
	uint16_t i;

	(void)token;
	if (rss->indir_len == 0 || rss->indir_len > NETCTRL_RSS_INDIR_MAX ||
	    rss->unclassified_queue >= s->dev->conf.pairs)
		return NETCTRL_ERR;
	for (i = 0; i < rss->indir_len; i++)
		if (rss->indir[i] >= s->dev->conf.pairs)
			return NETCTRL_ERR;
	if (rss->hash_types & ~SWCVQ_HASH_TYPES)
		return NETCTRL_ERR;
	s->rss_on = rss->hash_types != 0;
	s->rss_types = rss->hash_types;
	s->rss_indir_len = rss->indir_len;
	memcpy(s->rss_indir, rss->indir, rss->indir_len * sizeof(uint16_t));
	s->rss_unclassified = rss->unclassified_queue;
	s->rss_key_len = rss->key_len;
	memcpy(s->rss_key, rss->key, rss->key_len);
	/* max_tx_vq is the pair count the driver now uses. */
	if (rss->max_tx_vq >= 1 && rss->max_tx_vq <= s->dev->conf.pairs)
		s->pairs = rss->max_tx_vq;
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_coal_set(void *ctx, uint64_t token, const struct netctrl_coal *coal)
{
	struct sim *s = ctx;

	(void)token;
	if (coal->scope == NETCTRL_COAL_TX_ALL)
		s->coal_tx = *coal;
	else if (coal->scope == NETCTRL_COAL_RX_ALL)
		s->coal_rx = *coal;
	else if (coal->vq_index >= 2 * s->pairs)
		return NETCTRL_ERR;	/* only enabled queues (spec: VQ_SET) */
	s->commands++;
	return NETCTRL_OK;
}

static int
sim_guest_offloads_set(void *ctx, uint64_t token, uint64_t offloads)
{
	struct sim *s = ctx;

	(void)token;
	/* The engine let through negotiated offload bits only; whatever subset is on, no frame
	 * we deliver needs an offload (see the top of this file), so nothing else changes. */
	if (offloads & ~(s->features & NC_GUEST_OFFLOAD_MASK))
		return NETCTRL_ERR;
	s->guest_offloads = offloads;
	s->commands++;
	return NETCTRL_OK;
}

static const struct netctrl_ops sim_ctl = {
	.rx_mode = sim_rx_mode,
	.mac_table_set = sim_mac_table_set,
	.mac_addr_set = sim_mac_addr_set,
	.vlan_add = sim_vlan_add,
	.vlan_del = sim_vlan_del,
	.announce_ack = sim_announce_ack,
	.mq_pairs_set = sim_mq_pairs_set,
	.rss_set = sim_rss_set,
	.coal_set = sim_coal_set,
	.guest_offloads_set = sim_guest_offloads_set,
	/* no hash report or tunnel hash: not offered */
};

/* ---- receive filters --------------------------------------------------------------------- */

/* @return DROP_MAX to accept, else the reason. */
static enum sim_drop
filter(const struct sim *s, const uint8_t *f, uint32_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	bool promisc = s->rx[NETCTRL_RX_PROMISC];

	if (len >= ETH_HLEN + 4 && (s->features & NC_BIT(NC_F_CTRL_VLAN)) && !promisc &&
	    ((f[12] << 8) | f[13]) == ETH_P_8021Q) {
		uint16_t vid = ((f[14] << 8) | f[15]) & 0xfff;

		if (!(s->vlans[vid / 32] & (1u << (vid % 32))))
			return DROP_VLAN;
	}
	if (promisc)
		return DROP_MAX;
	if (memcmp(f, bcast, 6) == 0)
		return s->rx[NETCTRL_RX_NOBCAST] ? DROP_BROADCAST : DROP_MAX;
	if (f[0] & 1) {
		if (s->rx[NETCTRL_RX_NOMULTI])
			return DROP_MULTICAST;
		if (s->rx[NETCTRL_RX_ALLMULTI] || s->mc_overflow ||
		    swcvq_mac_in((const uint8_t (*)[6])s->mc, s->mc_count, f))
			return DROP_MAX;
		return DROP_MULTICAST;
	}
	if (s->rx[NETCTRL_RX_NOUNI])
		return DROP_UNICAST;
	if (s->rx[NETCTRL_RX_ALLUNI] || s->uc_overflow || memcmp(f, s->dev->cfg_mac, 6) == 0 ||
	    swcvq_mac_in((const uint8_t (*)[6])s->uc, s->uc_count, f))
		return DROP_MAX;
	return DROP_UNICAST;
}

/* Toeplitz hash of @p in with the guest's key (virtio-net "Hash calculation"). */
static uint32_t
toeplitz(const uint8_t *key, uint8_t key_len, const uint8_t *in, unsigned int n)
{
	uint32_t hash = 0, window;
	unsigned int i, b, kbit = 32;

	if (key_len < 4)
		return 0;
	window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80 >> b))
				hash ^= window;
			window <<= 1;
			if (kbit / 8 < key_len && (key[kbit / 8] & (0x80 >> (kbit % 8))))
				window |= 1;
			kbit++;
		}
	}
	return hash;
}

/* Hash input for the enabled types: @return its length, 0 when unclassified. */
static unsigned int
hash_input(const struct sim *s, const uint8_t *f, uint32_t len, uint8_t in[36])
{
	uint32_t off = ETH_HLEN;
	uint16_t type = (f[12] << 8) | f[13];
	uint8_t proto;

	if (type == ETH_P_8021Q && len >= ETH_HLEN + 4) {
		type = (f[16] << 8) | f[17];
		off += 4;
	}
	if (type == ETH_P_IPV4 && len >= off + 20) {
		uint32_t ihl = (f[off] & 0xf) * 4u;
		bool frag = ((f[off + 6] & 0x3f) | f[off + 7]) != 0;

		proto = f[off + 9];
		memcpy(in, f + off + 12, 8);
		if (!frag && ihl >= 20 && len >= off + ihl + 4 &&
		    ((proto == 6 && (s->rss_types & SWCVQ_HT_TCPV4)) ||
		     (proto == 17 && (s->rss_types & SWCVQ_HT_UDPV4)))) {
			memcpy(in + 8, f + off + ihl, 4);
			return 12;
		}
		return (s->rss_types & SWCVQ_HT_IPV4) ? 8 : 0;
	}
	if (type == ETH_P_IPV6 && len >= off + 40) {
		proto = f[off + 6];
		memcpy(in, f + off + 8, 32);
		if (len >= off + 44 && ((proto == 6 && (s->rss_types & SWCVQ_HT_TCPV6)) ||
					(proto == 17 && (s->rss_types & SWCVQ_HT_UDPV6)))) {
			memcpy(in + 32, f + off + 40, 4);
			return 36;
		}
		return (s->rss_types & SWCVQ_HT_IPV6) ? 32 : 0;
	}
	return 0;
}

static uint16_t
pick_queue(struct sim *s, const uint8_t *f, uint32_t len, uint16_t txq)
{
	uint8_t in[36];
	unsigned int n;

	if (!s->rss_on)
		return txq < s->pairs ? txq : txq % s->pairs;
	n = hash_input(s, f, len, in);
	if (n == 0) {
		s->rss_unclassified_frames++;
		return s->rss_unclassified;
	}
	s->rss_hashed++;
	return s->rss_indir[toeplitz(s->rss_key, s->rss_key_len, in, n) &
			    (s->rss_indir_len - 1)];
}

/* ---- data path ---------------------------------------------------------------------------- */

/* Deliver the frame in s->buf + SIM_HDR_MAX (len bytes) that came from pair @p txq. */
static void
deliver(struct sim *s, uint32_t len, uint16_t txq)
{
	struct swcvq_dev *dev = s->dev;
	uint8_t *frame = s->buf + SIM_HDR_MAX;
	uint8_t *hdr = frame - s->hdr_len;
	struct swcvq_chain ch;
	struct swcvq_queue *q;
	enum sim_drop why;
	uint16_t rxq;

	why = filter(s, frame, len);
	if (why != DROP_MAX) {
		s->drops[why]++;
		return;
	}
	rxq = pick_queue(s, frame, len, txq);
	q = rxq < dev->conf.pairs ? &dev->q[2 * rxq] : NULL;
	if (q == NULL || !q->running) {
		s->drops[DROP_QUEUE_DOWN]++;
		return;
	}
	if (swcvq_vring_pop(&q->vr, &ch) == 0) {
		s->drops[DROP_NO_BUFFER]++;
		return;
	}
	/* A zeroed header: no flags (the guest checks checksums itself), GSO_NONE (the frame is
	 * whole); num_buffers = 1 where the field exists (VERSION_1, with or without MRG_RXBUF). */
	memset(hdr, 0, s->hdr_len);
	if (s->hdr_len == 12)
		hdr[10] = 1;
	if (ch.bad || swcvq_chain_write(&dev->mem, &ch, hdr, s->hdr_len + len) != 0) {
		s->drops[ch.bad ? DROP_BAD_CHAIN : DROP_SMALL_BUFFER]++;
		swcvq_vring_push(&q->vr, &ch, 0);
	} else {
		swcvq_vring_push(&q->vr, &ch, s->hdr_len + len);
		s->rx_frames++;
		s->rx_bytes += len;
		s->rxq_frames[rxq]++;
	}
	swcvq_vring_notify(&q->vr);
}

static unsigned int
serve_tx(struct sim *s, uint16_t pair)
{
	struct swcvq_dev *dev = s->dev;
	struct swcvq_vring *vr = &dev->q[2 * pair + 1].vr;
	struct swcvq_chain ch;
	unsigned int n;
	int len;

	for (n = 0; n < SIM_BUDGET && swcvq_vring_pop(vr, &ch) == 1; n++) {
		len = -1;
		if (ch.bad)
			s->drops[DROP_BAD_CHAIN]++;
		else
			len = swcvq_chain_read(&dev->mem, &ch, s->hdr_len, s->buf + SIM_HDR_MAX,
					       SIM_FRAME_MAX);
		if (!ch.bad && len < 0)
			s->drops[DROP_BAD_MEMORY]++;
		/* Transmit done before the loopback: the guest may reuse the buffer. */
		swcvq_vring_push(vr, &ch, 0);
		if (len < 0)
			continue;
		s->tx_frames++;
		if (len < ETH_HLEN)
			s->drops[DROP_RUNT]++;
		else
			deliver(s, (uint32_t)len, pair);
	}
	if (n > 0)
		swcvq_vring_notify(vr);
	return n;
}

static unsigned int
sim_service(struct swcvq_dev *dev)
{
	struct sim *s = sim_of(dev);
	unsigned int work = 0;
	uint16_t p;

	if (!dev->have_mem)
		return 0;
	for (p = 0; p < dev->conf.pairs; p++)
		if (dev->q[2 * p + 1].running)
			work += serve_tx(s, p);
	return work;
}

/* ---- life cycle and telemetry -------------------------------------------------------------- */

static void
sim_reset(struct swcvq_dev *dev, uint64_t features)
{
	struct sim *s = sim_of(dev);

	s->features = features;
	s->hdr_len = (features & NC_BIT(NC_F_VERSION_1)) ? 12 : 10;
	memset(s->rx, 0, sizeof(s->rx));
	s->rx[NETCTRL_RX_PROMISC] = true;	/* as QEMU's model: until the guest says */
	s->uc_count = s->mc_count = 0;
	s->uc_overflow = s->mc_overflow = false;
	memset(s->vlans, 0, sizeof(s->vlans));
	s->pairs = 1;
	s->rss_on = false;
	s->rss_types = 0;
	s->rss_indir_len = 0;
	s->rss_key_len = 0;
	memset(&s->coal_tx, 0, sizeof(s->coal_tx));
	memset(&s->coal_rx, 0, sizeof(s->coal_rx));
	/* After feature negotiation every negotiated guest offload is on (spec). */
	s->guest_offloads = features & NC_GUEST_OFFLOAD_MASK;
}

static int
sim_init(struct swcvq_dev *dev)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->dev = dev;
	dev->vendor_priv = s;
	sim_reset(dev, 0);
	return 0;
}

static void
sim_fini(struct swcvq_dev *dev)
{
	free(dev->vendor_priv);
	dev->vendor_priv = NULL;
}

static void
sim_dump(struct swcvq_dev *dev, struct rte_tel_data *d)
{
	static const char *const rx_names[NETCTRL_RX_MODE_MAX] = {
		"promisc", "allmulti", "alluni", "nomulti", "nouni", "nobcast",
	};
	struct sim *s = sim_of(dev);
	char txt[128];
	size_t off = 0;
	unsigned int i;

	rte_tel_data_add_dict_string(d, "vendor", "sim");
	rte_tel_data_add_dict_u64(d, "pairs", s->pairs);
	for (i = 0; i < NETCTRL_RX_MODE_MAX; i++)
		rte_tel_data_add_dict_u64(d, rx_names[i], s->rx[i]);
	rte_tel_data_add_dict_u64(d, "uc_count", s->uc_count);
	rte_tel_data_add_dict_u64(d, "mc_count", s->mc_count);
	rte_tel_data_add_dict_u64(d, "uc_overflow", s->uc_overflow);
	rte_tel_data_add_dict_u64(d, "mc_overflow", s->mc_overflow);
	for (i = 0; i < 4096; i++)
		if (s->vlans[i / 32] & (1u << (i % 32))) {
			int w = snprintf(txt + off, sizeof(txt) - off, "%s%u", off ? "," : "", i);

			if (w < 0 || (size_t)w >= sizeof(txt) - off)
				break;	/* long lists are cut; the shadow has the full table */
			off += w;
		}
	txt[off] = '\0';
	rte_tel_data_add_dict_string(d, "vlans", txt);
	rte_tel_data_add_dict_u64(d, "rss_enabled", s->rss_on);
	rte_tel_data_add_dict_u64(d, "rss_hash_types", s->rss_types);
	rte_tel_data_add_dict_u64(d, "rss_indir_len", s->rss_indir_len);
	rte_tel_data_add_dict_u64(d, "rss_unclassified", s->rss_unclassified);
	rte_tel_data_add_dict_u64(d, "coal_tx_max_packets", s->coal_tx.max_packets);
	rte_tel_data_add_dict_u64(d, "coal_tx_max_usecs", s->coal_tx.max_usecs);
	rte_tel_data_add_dict_u64(d, "coal_rx_max_packets", s->coal_rx.max_packets);
	rte_tel_data_add_dict_u64(d, "coal_rx_max_usecs", s->coal_rx.max_usecs);
	rte_tel_data_add_dict_u64(d, "guest_offloads", s->guest_offloads);
	rte_tel_data_add_dict_u64(d, "commands", s->commands);
	rte_tel_data_add_dict_u64(d, "tx_frames", s->tx_frames);
	rte_tel_data_add_dict_u64(d, "rx_frames", s->rx_frames);
	rte_tel_data_add_dict_u64(d, "rx_bytes", s->rx_bytes);
	rte_tel_data_add_dict_u64(d, "looped_back", s->rx_frames);
	rte_tel_data_add_dict_u64(d, "filtered", s->drops[DROP_VLAN] + s->drops[DROP_UNICAST] +
				  s->drops[DROP_MULTICAST] + s->drops[DROP_BROADCAST]);
	rte_tel_data_add_dict_u64(d, "rss_hashed", s->rss_hashed);
	rte_tel_data_add_dict_u64(d, "rss_unclassified_frames", s->rss_unclassified_frames);
	for (i = 0; i < DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, drop_names[i], s->drops[i]);
	for (i = 0; i < dev->conf.pairs && i < 32; i++) {
		snprintf(txt, sizeof(txt), "rxq%u_frames", i);
		rte_tel_data_add_dict_u64(d, txt, s->rxq_frames[i]);
	}
}

const struct swcvq_vendor swcvq_vendor_sim = {
	.name = "sim",
	.features = NC_BIT(NC_F_MAC) | NC_BIT(3) /* MTU */ | NC_BIT(16) /* STATUS */ |
		NC_BIT(NC_F_CTRL_VQ) | NC_BIT(NC_F_CTRL_RX) | NC_BIT(NC_F_CTRL_VLAN) |
		NC_BIT(NC_F_CTRL_RX_EXTRA) | NC_BIT(NC_F_GUEST_ANNOUNCE) | NC_BIT(NC_F_MQ) |
		NC_BIT(NC_F_CTRL_MAC_ADDR) | NC_BIT(NC_F_RSS) | NC_BIT(NC_F_NOTF_COAL) |
		NC_BIT(NC_F_VQ_NOTF_COAL) | NC_BIT(NC_F_VERSION_1) |
		NC_BIT(NC_F_RING_PACKED) | NC_BIT(NC_F_INDIRECT_DESC) |
		NC_BIT(NC_F_GUEST_CSUM) | NC_BIT(NC_F_GUEST_TSO4) | NC_BIT(NC_F_GUEST_TSO6) |
		NC_BIT(NC_F_CTRL_GUEST_OFFLOADS),
	.hash_types = SWCVQ_HASH_TYPES,
	.ctl = &sim_ctl,
	.init = sim_init,
	.fini = sim_fini,
	.reset = sim_reset,
	.service = sim_service,
	.dump = sim_dump,
};
