/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETCTRL_H
#define NETCTRL_H

/**
 * @file
 * netctrl: device side of a virtio-net control virtqueue (CVQ), in software.
 *
 * The engine pops command chains from a split or packed ring, gathers them through a
 * bounds-checked guest-memory table, validates every command against the negotiated features
 * and the spec, hands it to a vendor callback, and publishes the ack in order. It keeps a shadow
 * of the device state the guest configured, so a vendor can be re-programmed after a reset or on
 * a migration destination (netctrl_replay()).
 *
 * It needs no DPDK and no vhost library: the caller (the vDPA driver, a test) gives it the host
 * pointers of the ring, the negotiated features and the guest memory regions.
 *
 * Concurrency: an engine is single-threaded. The caller serialises every call on one engine
 * (the vDPA driver's CVQ thread); a vendor completing a deferred command from another thread
 * must take the caller's lock around netctrl_complete(). Vendor callbacks are called from inside
 * netctrl_poll() and netctrl_replay() and must not call into the same engine (to answer at
 * once, return NETCTRL_OK or NETCTRL_ERR instead of completing from inside the callback).
 *
 * Guest data is never trusted: descriptors, lengths and addresses are checked before use, the
 * command is copied once into engine memory before it is validated, chain walks are bounded, and
 * each poll does bounded work. A malformed command is answered ERR when its ack byte can be
 * reached; otherwise the engine marks itself broken (NETCTRL_EV_NEEDS_RESET) and does not touch
 * the ring again until netctrl_reset().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most MAC entries per table kept in the shadow state; more set the overflow flag. */
#define NETCTRL_MAC_TABLE_MAX 64
/** Largest queue-pair count an engine can be created with. */
#define NETCTRL_MAX_PAIRS 256
/** Largest RSS indirection table an engine accepts. */
#define NETCTRL_RSS_INDIR_MAX 1024
/** Largest RSS / hash key an engine accepts. */
#define NETCTRL_RSS_KEY_MAX 255
/** Token value given to vendor callbacks during netctrl_replay(). */
#define NETCTRL_TOKEN_REPLAY 0

struct netctrl;

/** A vendor's answer to a command. */
enum netctrl_status {
	NETCTRL_OK = 0,		/**< applied: ack OK */
	NETCTRL_ERR = 1,	/**< refused or failed: ack ERR */
	NETCTRL_PENDING = 2,	/**< will answer later with netctrl_complete(token) */
};

/** RX-mode switches (class RX); the value is the command number. */
enum netctrl_rx_mode {
	NETCTRL_RX_PROMISC = 0,
	NETCTRL_RX_ALLMULTI,
	NETCTRL_RX_ALLUNI,
	NETCTRL_RX_NOMULTI,
	NETCTRL_RX_NOUNI,
	NETCTRL_RX_NOBCAST,
	NETCTRL_RX_MODE_MAX
};

/** A guest MAC filter table (MAC TABLE_SET). Arrays point into engine memory. */
struct netctrl_mac_table {
	uint32_t uc_count;		/**< unicast entries in @p uc */
	uint32_t mc_count;		/**< multicast entries in @p mc */
	const uint8_t (*uc)[6];
	const uint8_t (*mc)[6];
	bool uc_overflow;		/**< replay only: the guest set more than kept */
	bool mc_overflow;		/**< replay only: same, multicast */
};

/** RSS configuration (MQ RSS_CONFIG), already validated. */
struct netctrl_rss {
	uint32_t hash_types;		/**< 0: RSS disabled */
	uint16_t indir_len;		/**< entries in @p indir, a power of two */
	uint16_t unclassified_queue;	/**< rx queue number */
	const uint16_t *indir;		/**< rx queue numbers (host order) */
	uint16_t max_tx_vq;
	uint8_t key_len;
	const uint8_t *key;
};

/** Hash-report configuration (MQ HASH_CONFIG), already validated. */
struct netctrl_hash {
	uint32_t hash_types;		/**< 0: hash reporting disabled */
	uint8_t key_len;
	const uint8_t *key;
};

/** Which queues a coalescing change applies to. */
enum netctrl_coal_scope {
	NETCTRL_COAL_TX_ALL,		/**< TX_SET: every transmit queue */
	NETCTRL_COAL_RX_ALL,		/**< RX_SET: every receive queue */
	NETCTRL_COAL_VQ,		/**< VQ_SET: one queue, @p vq_index */
};

/** Notification coalescing parameters. */
struct netctrl_coal {
	enum netctrl_coal_scope scope;
	uint16_t vq_index;		/**< NETCTRL_COAL_VQ only */
	uint32_t max_packets;
	uint32_t max_usecs;
};

/**
 * Vendor callbacks, one per concept. Each receives the vendor context and a token, and returns
 * a netctrl_status. NETCTRL_PENDING means the vendor will call netctrl_complete() with that token
 * later (never from inside the callback); pointers in the arguments stay valid until then.
 * A NULL callback answers ERR (the vendor should not offer the feature). The shadow state is
 * updated only when the vendor answers OK. During netctrl_replay() the token is
 * NETCTRL_TOKEN_REPLAY and the answer must be NETCTRL_OK or NETCTRL_ERR.
 */
struct netctrl_ops {
	int (*rx_mode)(void *ctx, uint64_t token, enum netctrl_rx_mode mode, bool on);
	int (*mac_table_set)(void *ctx, uint64_t token, const struct netctrl_mac_table *t);
	int (*mac_addr_set)(void *ctx, uint64_t token, const uint8_t mac[6]);
	int (*vlan_add)(void *ctx, uint64_t token, uint16_t vid);
	int (*vlan_del)(void *ctx, uint64_t token, uint16_t vid);
	/** Must clear the ANNOUNCE bit of the config status before answering OK. */
	int (*announce_ack)(void *ctx, uint64_t token);
	int (*mq_pairs_set)(void *ctx, uint64_t token, uint16_t pairs);
	int (*rss_set)(void *ctx, uint64_t token, const struct netctrl_rss *rss);
	int (*hash_set)(void *ctx, uint64_t token, const struct netctrl_hash *hash);
	int (*guest_offloads_set)(void *ctx, uint64_t token, uint64_t offloads);
	int (*coal_set)(void *ctx, uint64_t token, const struct netctrl_coal *coal);
	int (*hash_tunnel_set)(void *ctx, uint64_t token, uint32_t tunnel_types);
};

/** Engine parameters (netctrl_create()). Zero fields take the documented default. */
struct netctrl_config {
	uint64_t features;		/**< negotiated features; CTRL_VQ must be set */
	uint16_t max_pairs;		/**< queue pairs of the device, 1..NETCTRL_MAX_PAIRS */
	uint16_t max_pending;		/**< commands in flight at once (default 8, max 1024) */
	uint32_t max_cmd_len;		/**< largest command data in bytes (default 8192) */
	uint16_t max_chain;		/**< descriptors walked per chain (default ring size) */
	uint16_t rss_max_indir;		/**< rss_max_indirection_table_length (default 128) */
	uint8_t rss_max_key;		/**< rss_max_key_size (default 40) */
	uint32_t hash_types;		/**< supported_hash_types */
	uint32_t tunnel_types;		/**< supported_tunnel_types */
	uint8_t mac[6];			/**< config-space MAC: initial shadow MAC */
	const struct netctrl_ops *ops;	/**< vendor callbacks (may be NULL: all ERR) */
	void *ctx;			/**< vendor context */
};

/** One guest-memory region: guest physical range and where it is mapped here. */
struct netctrl_mem_region {
	uint64_t gpa;			/**< guest physical start */
	uint64_t size;			/**< bytes */
	void *hva;			/**< host address of gpa */
};

/** Split ring (host pointers; the caller guarantees they are mapped for the ring's size). */
struct netctrl_split_ring {
	void *desc;			/**< 16-byte aligned descriptor table */
	void *avail;			/**< 2-byte aligned available ring */
	void *used;			/**< 4-byte aligned used ring */
	uint16_t size;			/**< power of two, 1..32768 */
	uint16_t last_avail_idx;	/**< where to start (vhost SET_VRING_BASE) */
	uint16_t used_idx;		/**< used index already published (normally the same) */
};

/** Packed ring (host pointers). */
struct netctrl_packed_ring {
	void *desc;			/**< 16-byte aligned descriptor ring */
	void *driver_event;		/**< 4-byte aligned driver event suppression area */
	void *device_event;		/**< 4-byte aligned device event suppression area */
	uint16_t size;			/**< 1..32768 */
	uint16_t base;			/**< bits 0-14 index, bit 15 wrap (0x8000 at start) */
};

/** @name Events reported by netctrl_poll() and netctrl_complete() */
/**@{*/
#define NETCTRL_EV_NOTIFY 1u		/**< write the call eventfd */
#define NETCTRL_EV_NEEDS_RESET 2u	/**< set DEVICE_NEEDS_RESET and raise a config change */
/**@}*/

/** Counted errors, one per kind. */
enum netctrl_err {
	NETCTRL_E_FEATURE,		/**< command's feature not negotiated */
	NETCTRL_E_UNKNOWN,		/**< unknown class or command */
	NETCTRL_E_LENGTH,		/**< data length wrong for the command */
	NETCTRL_E_RANGE,		/**< a value out of its allowed range */
	NETCTRL_E_RESULT_SPACE,		/**< not enough writable room for the result */
	NETCTRL_E_TOO_LONG,		/**< data longer than max_cmd_len */
	NETCTRL_E_CHAIN,		/**< malformed chain answered ERR */
	NETCTRL_E_MEMORY,		/**< buffer outside the guest memory regions */
	NETCTRL_E_VENDOR,		/**< vendor answered ERR (or has no callback) */
	NETCTRL_E_FATAL,		/**< unrecoverable ring state: NEEDS_RESET */
	NETCTRL_E_MAX
};

/** Command slots of the per-command counters. */
enum netctrl_cmd_id {
	NETCTRL_CMD_RX_PROMISC, NETCTRL_CMD_RX_ALLMULTI, NETCTRL_CMD_RX_ALLUNI,
	NETCTRL_CMD_RX_NOMULTI, NETCTRL_CMD_RX_NOUNI, NETCTRL_CMD_RX_NOBCAST,
	NETCTRL_CMD_MAC_TABLE_SET, NETCTRL_CMD_MAC_ADDR_SET,
	NETCTRL_CMD_VLAN_ADD, NETCTRL_CMD_VLAN_DEL,
	NETCTRL_CMD_ANNOUNCE_ACK,
	NETCTRL_CMD_MQ_PAIRS_SET, NETCTRL_CMD_MQ_RSS_CONFIG, NETCTRL_CMD_MQ_HASH_CONFIG,
	NETCTRL_CMD_GUEST_OFFLOADS_SET,
	NETCTRL_CMD_COAL_TX_SET, NETCTRL_CMD_COAL_RX_SET, NETCTRL_CMD_COAL_VQ_SET,
	NETCTRL_CMD_COAL_VQ_GET,
	NETCTRL_CMD_HASH_TUNNEL_SET,
	NETCTRL_CMD_STATS_QUERY, NETCTRL_CMD_STATS_GET,
	NETCTRL_CMD_OTHER,		/**< unknown or unreadable command */
	NETCTRL_CMD_MAX
};

/** Engine counters (netctrl_counters()). */
struct netctrl_counters {
	uint64_t cmd_ok[NETCTRL_CMD_MAX];	/**< acked OK, per command */
	uint64_t cmd_err[NETCTRL_CMD_MAX];	/**< acked ERR, per command */
	uint64_t err[NETCTRL_E_MAX];		/**< per error kind */
	uint64_t chains;			/**< chains popped */
	uint64_t deferred;			/**< vendor answers PENDING */
	uint64_t notifies;			/**< NETCTRL_EV_NOTIFY reported */
	uint64_t suppressed;			/**< used entries published without a notify */
	uint64_t pending_hwm;			/**< most commands in flight at once */
	uint64_t replays;			/**< netctrl_replay() calls */
};

/** Shadow of the configured device state (netctrl_state_get()). */
struct netctrl_state {
	uint8_t mac[6];
	bool rx[NETCTRL_RX_MODE_MAX];			/**< indexed by netctrl_rx_mode */
	uint32_t uc_count, mc_count;			/**< entries kept (<= table max) */
	bool uc_overflow, mc_overflow;			/**< the guest sent more than kept */
	uint8_t uc[NETCTRL_MAC_TABLE_MAX][6];
	uint8_t mc[NETCTRL_MAC_TABLE_MAX][6];
	uint32_t vlans[4096 / 32];			/**< VID bitmap */
	uint16_t queue_pairs;
	bool rss_enabled;
	uint32_t rss_hash_types;
	uint16_t rss_indir_len, rss_unclassified, rss_max_tx_vq;
	uint16_t rss_indir[NETCTRL_RSS_INDIR_MAX];
	uint8_t rss_key_len;
	uint8_t rss_key[NETCTRL_RSS_KEY_MAX];
	bool hash_enabled;
	uint32_t hash_types;
	uint8_t hash_key_len;
	uint8_t hash_key[NETCTRL_RSS_KEY_MAX];
	uint64_t guest_offloads;
	struct { uint32_t max_packets, max_usecs; } coal_tx, coal_rx,
		coal_vq[2 * NETCTRL_MAX_PAIRS];
	uint32_t tunnel_types;
};

/**
 * Create an engine.
 *
 * @param cfg  parameters; copied.
 * @return the engine, or NULL with errno EINVAL (CTRL_VQ not negotiated, max_pairs out of range,
 *         RSS or hash limits below the spec minimum) or ENOMEM.
 */
struct netctrl *netctrl_create(const struct netctrl_config *cfg);

/** Free an engine (NULL is fine). Pending commands are dropped; their tokens become stale. */
void netctrl_destroy(struct netctrl *nc);

/**
 * Replace the guest memory table (vhost-user SET_MEM_TABLE). Regions must not overlap.
 *
 * @return 0, -EINVAL (bad region: zero size, wrapping, overlap, NULL hva), -ENOMEM.
 */
int netctrl_set_mem(struct netctrl *nc, const struct netctrl_mem_region *regions,
		    unsigned int n);

/**
 * Use a split ring (needs RING_PACKED not negotiated).
 *
 * @return 0, -EINVAL (size not a power of two, misaligned or NULL pointer, packed negotiated),
 *         -EBUSY (commands pending: reset first).
 */
int netctrl_set_split_ring(struct netctrl *nc, const struct netctrl_split_ring *ring);

/**
 * Use a packed ring (needs RING_PACKED negotiated).
 *
 * @return 0, -EINVAL, -EBUSY as netctrl_set_split_ring().
 */
int netctrl_set_packed_ring(struct netctrl *nc, const struct netctrl_packed_ring *ring);

/**
 * Serve the ring: pop at most @p budget chains, dispatch them, publish the acks that are ready
 * (in order). Stops early when max_pending commands are in flight.
 *
 * @param events  set to a mask of NETCTRL_EV_*; may be NULL.
 * @return chains popped (>= 0; equal to @p budget means more may be waiting: poll again);
 *         -ENODEV with no ring or memory table; -EIO when the engine is broken (NEEDS_RESET was
 *         reported: nothing is touched until netctrl_reset()).
 */
int netctrl_poll(struct netctrl *nc, unsigned int budget, unsigned int *events);

/**
 * Answer a command the vendor left pending. Used entries are published in command order, so this
 * may publish several. If netctrl_poll() stopped because max_pending commands were in flight,
 * the caller polls again after this call: the guest will not kick for chains already available.
 *
 * @param ack  NETCTRL_OK or NETCTRL_ERR.
 * @param events  as netctrl_poll().
 * @return 0; -ENOENT for an unknown or stale token (already completed, or dropped by a reset);
 *         -EINVAL for a bad @p ack; -EIO when broken (the command is dropped).
 */
int netctrl_complete(struct netctrl *nc, uint64_t token, enum netctrl_status ack,
		     unsigned int *events);

/**
 * Device reset: drop pending commands (their tokens become stale), forget the ring position and
 * the ring (set it again), return the shadow state to its defaults, clear the broken state.
 * Memory regions, features and counters are kept.
 */
void netctrl_reset(struct netctrl *nc);

/**
 * Re-issue the shadow state to a vendor, in the order QEMU's shadow CVQ restores a device:
 * MAC address, MAC table, queue pairs, RSS or hash, guest offloads, rx modes, VLANs, then
 * coalescing and tunnel hash. Only what differs from the reset default is sent (MAC address and
 * queue pairs always, when their feature is negotiated).
 *
 * @param ops  vendor to program (NULL: the engine's own); @p ctx its context.
 * @return 0; -EIO when a callback answered ERR (replay stops there); -EINVAL when one answered
 *         PENDING (not allowed during replay).
 */
int netctrl_replay(struct netctrl *nc, const struct netctrl_ops *ops, void *ctx);

/** Copy the shadow state. */
void netctrl_state_get(const struct netctrl *nc, struct netctrl_state *st);

/** Copy the counters. */
void netctrl_counters_get(const struct netctrl *nc, struct netctrl_counters *c);

/** Ring position for vhost GET_VRING_BASE (split: last avail; packed: index | wrap << 15). */
uint16_t netctrl_ring_base(const struct netctrl *nc);

/** Commands currently pending. */
unsigned int netctrl_pending(const struct netctrl *nc);

/** True once NEEDS_RESET was reported, until netctrl_reset(). */
bool netctrl_broken(const struct netctrl *nc);

/** Name of a command slot, e.g. "mac_table_set"; "?" if out of range. */
const char *netctrl_cmd_name(enum netctrl_cmd_id id);

/** Name of an error kind, e.g. "length"; "?" if out of range. */
const char *netctrl_err_name(enum netctrl_err e);

#ifdef __cplusplus
}
#endif

#endif /* NETCTRL_H */
