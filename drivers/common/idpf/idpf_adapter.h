/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_IDPF_ADAPTER_H
#define CTLPATH_IDPF_ADAPTER_H

/**
 * @file
 * idpf adapter and vport control, every message through the control channel (idpf_ctl.h).
 *
 * Independent messages go out together: the PTYPE table in chunks, per-queue configuration
 * split over several messages, RSS key + LUT + hash, a batch of MAC filters as asynchronous
 * transactions. Only real dependencies wait: port start is (configure queues | map vectors)
 * -> enable queues -> enable vport.
 *
 * Per-command code only fills a message and calls the channel; reply sizes are checked
 * against what the opcode must return before a single field is read.
 *
 * Concurrency: calls on one vport may come from several threads (the channel is thread-safe);
 * the caller serialises calls that change the same state (the ethdev layer does).
 */

#include <stdbool.h>
#include <stdint.h>

#include "idpf_ctl.h"
#include "idpf_hw.h"
#include "virtchnl2.h"

#define IDPF_RSS_KEY_MAX 52		/* both drivers clamp the key to 52 bytes */
#define IDPF_RSS_LUT_MAX 2048
#define IDPF_PTYPE_MAX VIRTCHNL2_PTYPE_MAX_FLEX

struct idpf_vport;

/** Link change callback (from an EVENT), on the receiving thread. */
typedef void (*idpf_link_cb_t)(void *arg, struct idpf_vport *vp);

/** One function: mailbox, channel, capabilities, packet types. */
struct idpf_adapter {
	char name[32];
	struct idpf_hw hw;
	struct idpf_ctl_conf ctl_conf;
	struct idpf_ctl *ctl;
	uint32_t ver_major, ver_minor;		/**< the control plane's virtchnl version */
	struct virtchnl2_get_capabilities caps;	/**< granted, wire format */
	uint16_t num_ptypes;			/**< packet types read at init */
	uint8_t ptype_proto_count[IDPF_PTYPE_MAX];
	uint16_t vec_start, num_vecs;		/**< queue vectors from ALLOC_VECTORS */
	uint32_t qcfg_per_msg;			/**< queue configs per message (split) */
	struct idpf_vport *vports[8];		/**< for events: vport id lookup */
	idpf_link_cb_t link_cb;
	void *link_arg;
};

/**
 * Bring an adapter up: wait for the device's reset to complete, mailbox and channel up,
 * VERSION (retried as the spec asks), GET_CAPS, the PTYPE table, ALLOC_VECTORS.
 *
 * @param ad    zeroed by the caller except link_cb / link_arg
 * @param name  for logs
 * @param hw    register window (hardware or emulator)
 * @param cc    channel configuration (name is filled in here)
 * @return 0 or a negative errno; on failure nothing is left allocated.
 */
int idpf_adapter_init(struct idpf_adapter *ad, const char *name, const struct idpf_hw *hw,
		      const struct idpf_ctl_conf *cc);

/** Give the vectors back and take the channel down. Safe on a failed or finished adapter. */
void idpf_adapter_fini(struct idpf_adapter *ad);

/**
 * After a device reset: fail whatever was in flight, bring the mailbox up again and redo
 * VERSION, GET_CAPS, PTYPE and vectors. Vports are gone on the device; the caller recreates
 * them.
 */
int idpf_adapter_reinit(struct idpf_adapter *ad);

/** One queue's ring as the device must see it. */
struct idpf_qcfg {
	uint64_t ring_iova;
	uint16_t ring_len;
	uint32_t buf_size;		/**< RX: data buffer size */
	uint32_t max_pkt;		/**< RX: largest frame */
};

/** One vport: its ids and what CREATE_VPORT granted. */
struct idpf_vport {
	struct idpf_adapter *ad;
	uint32_t vport_id;
	uint16_t num_txq, num_rxq;	/**< granted */
	uint32_t txq_start, rxq_start;	/**< first queue id of each type */
	uint16_t rss_key_size, rss_lut_size;
	uint16_t max_mtu;
	uint8_t mac[6];			/**< default MAC from the device */
	bool link_up;
	uint32_t link_speed;		/**< Mbps */
	bool created, enabled;
};

/**
 * CREATE_VPORT for @p nq TX and RX queues (single queue model).
 * @return 0 or a negative errno.
 */
int idpf_vport_create(struct idpf_adapter *ad, struct idpf_vport *vp, uint16_t nq);

/** DESTROY_VPORT (which also disables). Safe on a vport never created. */
int idpf_vport_destroy(struct idpf_vport *vp);

/**
 * Start: CONFIG_TX/RX_QUEUES split over several messages and MAP_QUEUE_VECTOR, all in
 * flight together, then one ENABLE_QUEUES, then ENABLE_VPORT.
 *
 * @param deferred_rx / deferred_tx  bitmaps (bit i: queue i) of queues left stopped
 */
int idpf_vport_start(struct idpf_vport *vp, const struct idpf_qcfg *tx, uint16_t ntx,
		     const struct idpf_qcfg *rx, uint16_t nrx, uint64_t deferred_tx,
		     uint64_t deferred_rx);

/** Stop: DISABLE_VPORT, then DISABLE_QUEUES and UNMAP_QUEUE_VECTOR together. */
int idpf_vport_stop(struct idpf_vport *vp, uint16_t ntx, uint16_t nrx);

/** ENABLE_QUEUES / DISABLE_QUEUES for one queue. */
int idpf_vport_queue_switch(struct idpf_vport *vp, bool rx, uint16_t qidx, bool on);

/**
 * RSS: SET_RSS_KEY, SET_RSS_LUT and SET_RSS_HASH together; a NULL key / lut or a zero hash
 * with @p set_hash false leaves that part alone.
 */
int idpf_vport_rss_set(struct idpf_vport *vp, const uint8_t *key, uint16_t key_len,
		       const uint32_t *lut, uint16_t lut_n, bool set_hash, uint64_t hash);

/** GET_RSS_KEY, GET_RSS_LUT and GET_RSS_HASH together; NULL outputs are skipped. */
int idpf_vport_rss_get(struct idpf_vport *vp, uint8_t *key, uint16_t *key_len, uint32_t *lut,
		       uint16_t lut_n, uint64_t *hash);

/**
 * @name Ptype groups of SET_RSS_HASH
 * Bits of virtchnl2_rss_hash.ptype_groups (the @p hash of idpf_vport_rss_set/get): one per
 * class of packets the device hashes. Every user of this library numbers them this way.
 */
/**@{*/
#define IDPF_RSS_PG_IPV4_TCP (1ULL << 0)
#define IDPF_RSS_PG_IPV4_UDP (1ULL << 1)
#define IDPF_RSS_PG_IPV4_SCTP (1ULL << 2)
#define IDPF_RSS_PG_IPV4_OTHER (1ULL << 3)
#define IDPF_RSS_PG_IPV4_FRAG (1ULL << 4)
#define IDPF_RSS_PG_IPV4 (1ULL << 5)
#define IDPF_RSS_PG_IPV6_TCP (1ULL << 6)
#define IDPF_RSS_PG_IPV6_UDP (1ULL << 7)
#define IDPF_RSS_PG_IPV6_SCTP (1ULL << 8)
#define IDPF_RSS_PG_IPV6_OTHER (1ULL << 9)
#define IDPF_RSS_PG_IPV6_FRAG (1ULL << 10)
#define IDPF_RSS_PG_IPV6 (1ULL << 11)
#define IDPF_RSS_PG_L2_PAYLOAD (1ULL << 12)
/**@}*/

/**
 * One row of a caller's table from its own hash-type bits (ethdev RSS offloads, virtio-net
 * hash types, ...) to the ptype groups that carry them.
 */
struct idpf_rss_map {
	uint64_t types;		/**< the caller's bits */
	uint64_t groups;	/**< IDPF_RSS_PG_* */
};

/**
 * Hash types to ptype groups through @p map (@p n rows).
 *
 * @return the groups of every row whose types intersect @p types.
 */
uint64_t idpf_rss_groups_of(const struct idpf_rss_map *map, unsigned int n, uint64_t types);

/**
 * Ptype groups back to hash types through @p map (@p n rows).
 *
 * @return the types of every row whose groups intersect @p groups (all of the table's types
 *         for UINT64_MAX).
 */
uint64_t idpf_rss_types_of(const struct idpf_rss_map *map, unsigned int n, uint64_t groups);

/**
 * Add or remove MAC filters: one asynchronous transaction per address, all in flight
 * together. @p results[i] receives each address's result (0 or a negative errno).
 *
 * @return 0 when all succeeded, else the first error.
 */
int idpf_vport_mac_filters(struct idpf_vport *vp, bool add, const uint8_t (*addrs)[6],
			   unsigned int n, int *results);

/** CONFIG_PROMISCUOUS_MODE. */
int idpf_vport_promisc(struct idpf_vport *vp, bool unicast, bool multicast);

/** GET_STATS into host-order counters (the 15 u64 of virtchnl2_vport_stats from rx_bytes). */
int idpf_vport_stats(struct idpf_vport *vp, uint64_t counters[VIRTCHNL2_VPORT_STATS_COUNTERS]);

/** LOOPBACK on or off. */
int idpf_vport_loopback(struct idpf_vport *vp, bool on);

#endif /* CTLPATH_IDPF_ADAPTER_H */
