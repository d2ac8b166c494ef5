/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_VIRTCHNL2_H
#define CTLPATH_VIRTCHNL2_H

/**
 * @file
 * virtchnl2 wire definitions: opcodes, status codes and the payload layouts the control
 * plane handles, written from the facts sheet (shared/reference/idpf-virtchnl2.md, sections
 * 4 and 5).
 *
 * Byte order: every multi-byte field on the wire is little-endian. The structures declare
 * such fields with the vc2_le16_t/vc2_le32_t/vc2_le64_t types; read and write them only
 * through vc2_le16()/vc2_cpu_le16() and friends, which compile to nothing on little-endian
 * hosts.
 *
 * Layout: every structure has explicit padding and a static check of its size and of the
 * offsets the facts sheet gives, so the compiler never decides a wire offset. Variable-length
 * messages are a fixed header followed by n elements; the header structures below end where
 * the array starts (flexible array member), and the *_size() helpers give the byte count of a
 * message carrying n elements. Payloads taken off a mailbox buffer may be unaligned: copy them
 * into an aligned buffer (or a structure) before accessing fields.
 */

#include <stddef.h>
#include <stdint.h>
#include <errno.h>

/* ---------------------------------------------------------------------------------------- */
/* Little-endian field types and accessors                                                  */

typedef uint16_t vc2_le16_t;	/**< 16-bit little-endian wire field */
typedef uint32_t vc2_le32_t;	/**< 32-bit little-endian wire field */
typedef uint64_t vc2_le64_t;	/**< 64-bit little-endian wire field */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define VC2_BSWAP16(x) __builtin_bswap16(x)
#define VC2_BSWAP32(x) __builtin_bswap32(x)
#define VC2_BSWAP64(x) __builtin_bswap64(x)
#else
#define VC2_BSWAP16(x) (x)
#define VC2_BSWAP32(x) (x)
#define VC2_BSWAP64(x) (x)
#endif

/** Host value of a 16-bit wire field. */
static inline uint16_t vc2_le16(vc2_le16_t v) { return VC2_BSWAP16(v); }
/** Host value of a 32-bit wire field. */
static inline uint32_t vc2_le32(vc2_le32_t v) { return VC2_BSWAP32(v); }
/** Host value of a 64-bit wire field. */
static inline uint64_t vc2_le64(vc2_le64_t v) { return VC2_BSWAP64(v); }
/** Wire value of a 16-bit host value. */
static inline vc2_le16_t vc2_cpu_le16(uint16_t v) { return VC2_BSWAP16(v); }
/** Wire value of a 32-bit host value. */
static inline vc2_le32_t vc2_cpu_le32(uint32_t v) { return VC2_BSWAP32(v); }
/** Wire value of a 64-bit host value. */
static inline vc2_le64_t vc2_cpu_le64(uint64_t v) { return VC2_BSWAP64(v); }

#define VC2_CHECK_SIZE(s, n) _Static_assert(sizeof(struct s) == (n), #s " must be " #n " bytes")
#define VC2_CHECK_OFF(s, f, n) \
	_Static_assert(offsetof(struct s, f) == (n), #s "." #f " must be at offset " #n)

/* ---------------------------------------------------------------------------------------- */
/* Protocol constants                                                                       */

#define VIRTCHNL2_VERSION_MAJOR 2	/**< the only major version we speak */
#define VIRTCHNL2_VERSION_MINOR 0
#define VIRTCHNL2_MAX_MSG_LEN 4096	/**< largest payload of one mailbox message */

/** virtchnl2 opcodes (descriptor bytes 8-11, bits 27:0). */
enum virtchnl2_op {
	VIRTCHNL2_OP_UNKNOWN = 0,
	VIRTCHNL2_OP_VERSION = 1,
	VIRTCHNL2_OP_GET_CAPS = 500,
	VIRTCHNL2_OP_CREATE_VPORT = 501,
	VIRTCHNL2_OP_DESTROY_VPORT = 502,
	VIRTCHNL2_OP_ENABLE_VPORT = 503,
	VIRTCHNL2_OP_DISABLE_VPORT = 504,
	VIRTCHNL2_OP_CONFIG_TX_QUEUES = 505,
	VIRTCHNL2_OP_CONFIG_RX_QUEUES = 506,
	VIRTCHNL2_OP_ENABLE_QUEUES = 507,
	VIRTCHNL2_OP_DISABLE_QUEUES = 508,
	VIRTCHNL2_OP_ADD_QUEUES = 509,
	VIRTCHNL2_OP_DEL_QUEUES = 510,
	VIRTCHNL2_OP_MAP_QUEUE_VECTOR = 511,
	VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR = 512,
	VIRTCHNL2_OP_GET_RSS_KEY = 513,
	VIRTCHNL2_OP_SET_RSS_KEY = 514,
	VIRTCHNL2_OP_GET_RSS_LUT = 515,
	VIRTCHNL2_OP_SET_RSS_LUT = 516,
	VIRTCHNL2_OP_GET_RSS_HASH = 517,
	VIRTCHNL2_OP_SET_RSS_HASH = 518,
	VIRTCHNL2_OP_SET_SRIOV_VFS = 519,
	VIRTCHNL2_OP_ALLOC_VECTORS = 520,
	VIRTCHNL2_OP_DEALLOC_VECTORS = 521,
	VIRTCHNL2_OP_EVENT = 522,
	VIRTCHNL2_OP_GET_STATS = 523,
	VIRTCHNL2_OP_RESET_VF = 524,
	VIRTCHNL2_OP_GET_EDT_CAPS = 525,
	VIRTCHNL2_OP_GET_PTYPE_INFO = 526,
	VIRTCHNL2_OP_LOOPBACK = 534,
	VIRTCHNL2_OP_ADD_MAC_ADDR = 535,
	VIRTCHNL2_OP_DEL_MAC_ADDR = 536,
	VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE = 537,
	VIRTCHNL2_OP_GET_PORT_STATS = 540,
	VIRTCHNL2_OP_GET_LAN_MEMORY_REGIONS = 549,
};

/** Mask of the opcode in descriptor bytes 8-11 (bits 31:28 are the descriptor type). */
#define VIRTCHNL2_OPCODE_MASK 0x0FFFFFFFu

/** virtchnl2 status codes (descriptor bytes 12-15 of a reply). */
enum virtchnl2_status {
	VIRTCHNL2_STATUS_SUCCESS = 0,
	VIRTCHNL2_STATUS_ERR_EPERM = 1,
	VIRTCHNL2_STATUS_ERR_ESRCH = 3,		/**< unknown opcode */
	VIRTCHNL2_STATUS_ERR_EIO = 5,
	VIRTCHNL2_STATUS_ERR_ENXIO = 6,
	VIRTCHNL2_STATUS_ERR_EACCES = 13,
	VIRTCHNL2_STATUS_ERR_EBUSY = 16,
	VIRTCHNL2_STATUS_ERR_EEXIST = 17,
	VIRTCHNL2_STATUS_ERR_EINVAL = 22,
	VIRTCHNL2_STATUS_ERR_ENOSPC = 28,
	VIRTCHNL2_STATUS_ERR_ERANGE = 34,
	VIRTCHNL2_STATUS_ERR_EMODE = 200,	/**< not allowed in the current mode */
	VIRTCHNL2_STATUS_ERR_ESM = 201,		/**< out of sequence (state machine) */
};

/** Queue types (queue_reg_chunk.type, queue_chunk.type, txq/rxq_info.type). */
enum virtchnl2_queue_type {
	VIRTCHNL2_QUEUE_TYPE_TX = 0,
	VIRTCHNL2_QUEUE_TYPE_RX = 1,
	VIRTCHNL2_QUEUE_TYPE_TX_COMPLETION = 2,
	VIRTCHNL2_QUEUE_TYPE_RX_BUFFER = 3,
	VIRTCHNL2_QUEUE_TYPE_CONFIG_TX = 4,
	VIRTCHNL2_QUEUE_TYPE_CONFIG_RX = 5,
	VIRTCHNL2_QUEUE_TYPE_MBX_TX = 10,
	VIRTCHNL2_QUEUE_TYPE_MBX_RX = 11,
};

/** Queue models (create_vport.txq_model / rxq_model, txq/rxq_info.model). */
enum virtchnl2_queue_model {
	VIRTCHNL2_QUEUE_MODEL_SINGLE = 0,
	VIRTCHNL2_QUEUE_MODEL_SPLIT = 1,
};

#define VIRTCHNL2_VPORT_TYPE_DEFAULT 0

/** RSS algorithms (create_vport.rss_algorithm). */
enum virtchnl2_rss_alg {
	VIRTCHNL2_RSS_ALG_TOEPLITZ_ASYMMETRIC = 0,
	VIRTCHNL2_RSS_ALG_R_ASYMMETRIC = 1,
	VIRTCHNL2_RSS_ALG_TOEPLITZ_SYMMETRIC = 2,
	VIRTCHNL2_RSS_ALG_XOR_SYMMETRIC = 3,
};

/** RX descriptor ids: bit numbers in create_vport.rx_desc_ids and rxq_info.desc_ids. */
#define VIRTCHNL2_RXDID_0_16B_BASE 0
#define VIRTCHNL2_RXDID_1_32B_BASE 1
#define VIRTCHNL2_RXDID_2_FLEX_SPLITQ 2
#define VIRTCHNL2_RXDID_2_FLEX_SQ_NIC 2

/** other_caps bits (u64) that the emulated control plane grants. */
#define VIRTCHNL2_CAP_SRIOV (1ULL << 1)
#define VIRTCHNL2_CAP_MACFILTER (1ULL << 2)
#define VIRTCHNL2_CAP_SPLITQ_QSCHED (1ULL << 4)
#define VIRTCHNL2_CAP_WB_ON_ITR (1ULL << 7)
#define VIRTCHNL2_CAP_PROMISC (1ULL << 8)
#define VIRTCHNL2_CAP_LINK_SPEED (1ULL << 9)
#define VIRTCHNL2_CAP_PTYPE (1ULL << 18)
#define VIRTCHNL2_CAP_LOOPBACK (1ULL << 19)

/** Promiscuous flags (promisc_info.flags). */
#define VIRTCHNL2_UNICAST_PROMISC (1u << 0)
#define VIRTCHNL2_MULTICAST_PROMISC (1u << 1)

/** MAC filter types (mac_addr.type). */
#define VIRTCHNL2_MAC_ADDR_PRIMARY 1
#define VIRTCHNL2_MAC_ADDR_EXTRA 2

/** ITR indexes (queue_vector.itr_idx). */
#define VIRTCHNL2_ITR_IDX_0 0
#define VIRTCHNL2_ITR_IDX_1 1
#define VIRTCHNL2_ITR_IDX_MAX 3

/** Event codes (event.event). */
#define VIRTCHNL2_EVENT_UNKNOWN 0
#define VIRTCHNL2_EVENT_LINK_CHANGE 1

/** Protocol header ids used in ptype descriptions (subset). */
#define VIRTCHNL2_PROTO_HDR_MAC 2
#define VIRTCHNL2_PROTO_HDR_IPV4 19
#define VIRTCHNL2_PROTO_HDR_IPV4_FRAG 20
#define VIRTCHNL2_PROTO_HDR_IPV6 21
#define VIRTCHNL2_PROTO_HDR_IPV6_FRAG 22
#define VIRTCHNL2_PROTO_HDR_UDP 24
#define VIRTCHNL2_PROTO_HDR_TCP 25
#define VIRTCHNL2_PROTO_HDR_SCTP 26
#define VIRTCHNL2_PROTO_HDR_ICMP 27
#define VIRTCHNL2_PROTO_HDR_PAY 34

/** ptype id that ends a GET_PTYPE_INFO list. */
#define VIRTCHNL2_PTYPE_LIST_END 0xFFFF
/** ptype ids of flex descriptors are 10-bit. */
#define VIRTCHNL2_PTYPE_MAX_FLEX 1024

/* ---------------------------------------------------------------------------------------- */
/* Bring-up messages                                                                        */

/** VERSION request and reply (8 B). */
struct virtchnl2_version_info {
	vc2_le32_t major;
	vc2_le32_t minor;
};
VC2_CHECK_SIZE(virtchnl2_version_info, 8);

/** GET_CAPS request (wanted) and reply (granted), 80 B. */
struct virtchnl2_get_capabilities {
	vc2_le32_t csum_caps;
	vc2_le32_t seg_caps;
	vc2_le32_t hsplit_caps;
	vc2_le32_t rsc_caps;
	vc2_le64_t rss_caps;
	vc2_le64_t other_caps;
	vc2_le32_t mailbox_dyn_ctl;	/**< BAR0 offset of the mailbox vector's DYN_CTL */
	vc2_le16_t mailbox_vector_id;
	vc2_le16_t num_allocated_vectors;
	vc2_le16_t max_rx_q;
	vc2_le16_t max_tx_q;
	vc2_le16_t max_rx_bufq;
	vc2_le16_t max_tx_complq;
	vc2_le16_t max_sriov_vfs;
	vc2_le16_t max_vports;
	vc2_le16_t default_num_vports;
	vc2_le16_t max_tx_hdr_size;
	uint8_t max_sg_bufs_per_tx_pkt;
	uint8_t reserved1[7];		/**< version-specific, zero */
	vc2_le32_t device_type;
	uint8_t min_sso_packet_len;
	uint8_t max_hdr_buf_per_lso;
	uint8_t reserved2[10];
};
VC2_CHECK_SIZE(virtchnl2_get_capabilities, 80);
VC2_CHECK_OFF(virtchnl2_get_capabilities, rss_caps, 16);
VC2_CHECK_OFF(virtchnl2_get_capabilities, mailbox_dyn_ctl, 32);
VC2_CHECK_OFF(virtchnl2_get_capabilities, num_allocated_vectors, 38);
VC2_CHECK_OFF(virtchnl2_get_capabilities, max_vports, 50);
VC2_CHECK_OFF(virtchnl2_get_capabilities, max_sg_bufs_per_tx_pkt, 56);
VC2_CHECK_OFF(virtchnl2_get_capabilities, device_type, 64);

/** One contiguous range of queues of one type, with its tail registers (32 B). */
struct virtchnl2_queue_reg_chunk {
	vc2_le32_t type;
	vc2_le32_t start_queue_id;
	vc2_le32_t num_queues;
	vc2_le32_t pad;
	vc2_le64_t qtail_reg_start;	/**< BAR0 offset of the first queue's tail register */
	vc2_le32_t qtail_reg_spacing;
	vc2_le32_t pad1;
};
VC2_CHECK_SIZE(virtchnl2_queue_reg_chunk, 32);
VC2_CHECK_OFF(virtchnl2_queue_reg_chunk, qtail_reg_start, 16);

/** Header of a list of queue_reg_chunk (8 B). */
struct virtchnl2_queue_reg_chunks {
	vc2_le16_t num_chunks;
	uint8_t pad[6];
	struct virtchnl2_queue_reg_chunk chunks[];
};
VC2_CHECK_SIZE(virtchnl2_queue_reg_chunks, 8);

/** CREATE_VPORT request and reply: 160-byte header then num_chunks queue_reg_chunk. */
struct virtchnl2_create_vport {
	vc2_le16_t vport_type;
	vc2_le16_t txq_model;
	vc2_le16_t rxq_model;
	vc2_le16_t num_tx_q;
	vc2_le16_t num_tx_complq;
	vc2_le16_t num_rx_q;
	vc2_le16_t num_rx_bufq;
	vc2_le16_t default_rx_q;
	vc2_le16_t vport_index;		/**< echoed by the CP */
	vc2_le16_t max_mtu;
	vc2_le32_t vport_id;
	uint8_t default_mac_addr[6];
	vc2_le16_t vport_flags;
	vc2_le64_t rx_desc_ids;
	vc2_le64_t tx_desc_ids;
	uint8_t reserved[72];		/**< qregion / flow-steering fields, unused here */
	vc2_le32_t rss_algorithm;
	vc2_le16_t rss_key_size;
	vc2_le16_t rss_lut_size;
	vc2_le32_t rx_split_pos;
	uint8_t pad[20];
	struct virtchnl2_queue_reg_chunks chunks;
};
VC2_CHECK_SIZE(virtchnl2_create_vport, 160);
VC2_CHECK_OFF(virtchnl2_create_vport, vport_index, 16);
VC2_CHECK_OFF(virtchnl2_create_vport, vport_id, 20);
VC2_CHECK_OFF(virtchnl2_create_vport, default_mac_addr, 24);
VC2_CHECK_OFF(virtchnl2_create_vport, rx_desc_ids, 32);
VC2_CHECK_OFF(virtchnl2_create_vport, rss_algorithm, 120);
VC2_CHECK_OFF(virtchnl2_create_vport, rss_lut_size, 126);
VC2_CHECK_OFF(virtchnl2_create_vport, chunks, 152);

/** DESTROY/ENABLE/DISABLE_VPORT request (8 B). */
struct virtchnl2_vport {
	vc2_le32_t vport_id;
	uint8_t pad[4];
};
VC2_CHECK_SIZE(virtchnl2_vport, 8);

/* ---------------------------------------------------------------------------------------- */
/* Queues                                                                                   */

/** One TX (or TX completion) queue configuration (56 B). */
struct virtchnl2_txq_info {
	vc2_le64_t dma_ring_addr;
	vc2_le32_t type;
	vc2_le32_t queue_id;
	vc2_le16_t relative_queue_id;
	vc2_le16_t model;
	vc2_le16_t sched_mode;
	vc2_le16_t qflags;
	vc2_le16_t ring_len;
	vc2_le16_t tx_compl_queue_id;
	vc2_le16_t peer_type;
	vc2_le16_t peer_rx_queue_id;
	uint8_t pad[4];
	vc2_le32_t egress_pasid;
	vc2_le32_t egress_hdr_pasid;
	vc2_le32_t egress_buf_pasid;
	uint8_t pad1[8];
};
VC2_CHECK_SIZE(virtchnl2_txq_info, 56);
VC2_CHECK_OFF(virtchnl2_txq_info, ring_len, 24);
VC2_CHECK_OFF(virtchnl2_txq_info, egress_pasid, 36);

/** CONFIG_TX_QUEUES: 16-byte header then num_qinfo txq_info. */
struct virtchnl2_config_tx_queues {
	vc2_le32_t vport_id;
	vc2_le16_t num_qinfo;
	uint8_t pad[10];
	struct virtchnl2_txq_info qinfo[];
};
VC2_CHECK_SIZE(virtchnl2_config_tx_queues, 16);

/** One RX (or RX buffer) queue configuration (88 B). */
struct virtchnl2_rxq_info {
	vc2_le64_t desc_ids;
	vc2_le64_t dma_ring_addr;
	vc2_le32_t type;
	vc2_le32_t queue_id;
	vc2_le16_t model;
	vc2_le16_t hdr_buffer_size;
	vc2_le32_t data_buffer_size;
	vc2_le32_t max_pkt_size;
	vc2_le16_t ring_len;
	uint8_t buffer_notif_stride;
	uint8_t pad;
	vc2_le64_t dma_head_wb_addr;
	vc2_le16_t qflags;
	vc2_le16_t rx_buffer_low_watermark;
	vc2_le16_t rx_bufq1_id;
	vc2_le16_t rx_bufq2_id;
	uint8_t bufq2_ena;
	uint8_t pad1[3];
	vc2_le32_t ingress_pasid;
	vc2_le32_t ingress_hdr_pasid;
	vc2_le32_t ingress_buf_pasid;
	uint8_t pad2[16];
};
VC2_CHECK_SIZE(virtchnl2_rxq_info, 88);
VC2_CHECK_OFF(virtchnl2_rxq_info, ring_len, 36);
VC2_CHECK_OFF(virtchnl2_rxq_info, dma_head_wb_addr, 40);
VC2_CHECK_OFF(virtchnl2_rxq_info, bufq2_ena, 56);
VC2_CHECK_OFF(virtchnl2_rxq_info, ingress_pasid, 60);

/** CONFIG_RX_QUEUES: 24-byte header then num_qinfo rxq_info. */
struct virtchnl2_config_rx_queues {
	vc2_le32_t vport_id;
	vc2_le16_t num_qinfo;
	uint8_t pad[18];
	struct virtchnl2_rxq_info qinfo[];
};
VC2_CHECK_SIZE(virtchnl2_config_rx_queues, 24);

/** A range of queue ids of one type (16 B). */
struct virtchnl2_queue_chunk {
	vc2_le32_t type;
	vc2_le32_t start_queue_id;
	vc2_le32_t num_queues;
	uint8_t pad[4];
};
VC2_CHECK_SIZE(virtchnl2_queue_chunk, 16);

/** ENABLE/DISABLE/DEL_QUEUES: 16-byte header then num_chunks queue_chunk. */
struct virtchnl2_del_ena_dis_queues {
	vc2_le32_t vport_id;
	uint8_t pad[4];
	vc2_le16_t num_chunks;
	uint8_t pad1[6];
	struct virtchnl2_queue_chunk chunks[];
};
VC2_CHECK_SIZE(virtchnl2_del_ena_dis_queues, 16);
VC2_CHECK_OFF(virtchnl2_del_ena_dis_queues, num_chunks, 8);

/** ADD_QUEUES request (24 B) and reply (24 B + num_chunks queue_reg_chunk). */
struct virtchnl2_add_queues {
	vc2_le32_t vport_id;
	vc2_le16_t num_tx_q;
	vc2_le16_t num_tx_complq;
	vc2_le16_t num_rx_q;
	vc2_le16_t num_rx_bufq;
	uint8_t pad[4];
	struct virtchnl2_queue_reg_chunks chunks;
};
VC2_CHECK_SIZE(virtchnl2_add_queues, 24);
VC2_CHECK_OFF(virtchnl2_add_queues, chunks, 16);

/** One queue-to-vector mapping (24 B). */
struct virtchnl2_queue_vector {
	vc2_le32_t queue_id;
	vc2_le16_t vector_id;
	uint8_t pad[2];
	vc2_le32_t itr_idx;
	vc2_le32_t queue_type;
	uint8_t pad1[8];
};
VC2_CHECK_SIZE(virtchnl2_queue_vector, 24);
VC2_CHECK_OFF(virtchnl2_queue_vector, queue_type, 12);

/** MAP/UNMAP_QUEUE_VECTOR: 16-byte header then num_qv_maps queue_vector. */
struct virtchnl2_queue_vector_maps {
	vc2_le32_t vport_id;
	vc2_le16_t num_qv_maps;
	uint8_t pad[10];
	struct virtchnl2_queue_vector qv_maps[];
};
VC2_CHECK_SIZE(virtchnl2_queue_vector_maps, 16);

/* ---------------------------------------------------------------------------------------- */
/* Vectors                                                                                  */

/** A contiguous range of interrupt vectors with its registers (32 B). */
struct virtchnl2_vector_chunk {
	vc2_le16_t start_vector_id;
	vc2_le16_t start_evv_id;
	vc2_le16_t num_vectors;
	vc2_le16_t pad;
	vc2_le32_t dynctl_reg_start;
	vc2_le32_t dynctl_reg_spacing;
	vc2_le32_t itrn_reg_start;
	vc2_le32_t itrn_reg_spacing;
	vc2_le32_t itrn_index_spacing;
	uint8_t pad1[4];
};
VC2_CHECK_SIZE(virtchnl2_vector_chunk, 32);
VC2_CHECK_OFF(virtchnl2_vector_chunk, itrn_index_spacing, 24);

/** DEALLOC_VECTORS payload: 16-byte header then num_vchunks vector_chunk. */
struct virtchnl2_vector_chunks {
	vc2_le16_t num_vchunks;
	uint8_t pad[14];
	struct virtchnl2_vector_chunk vchunks[];
};
VC2_CHECK_SIZE(virtchnl2_vector_chunks, 16);

/** ALLOC_VECTORS request (32 B) and reply (32 B + num_vchunks vector_chunk). */
struct virtchnl2_alloc_vectors {
	vc2_le16_t num_vectors;
	uint8_t pad[14];
	struct virtchnl2_vector_chunks vchunks;
};
VC2_CHECK_SIZE(virtchnl2_alloc_vectors, 32);
VC2_CHECK_OFF(virtchnl2_alloc_vectors, vchunks, 16);

/* ---------------------------------------------------------------------------------------- */
/* RSS                                                                                      */

/** GET/SET_RSS_KEY: 7-byte header then key_len key bytes (key at offset 7). */
struct virtchnl2_rss_key {
	vc2_le32_t vport_id;
	vc2_le16_t key_len;
	uint8_t pad;
	uint8_t key[];
} __attribute__((packed));
VC2_CHECK_SIZE(virtchnl2_rss_key, 7);
VC2_CHECK_OFF(virtchnl2_rss_key, key, 7);

/** GET/SET_RSS_LUT: 12-byte header then lut_entries u32 entries. */
struct virtchnl2_rss_lut {
	vc2_le32_t vport_id;
	vc2_le16_t lut_entries_start;
	vc2_le16_t lut_entries;
	uint8_t pad[4];
	vc2_le32_t lut[];
};
VC2_CHECK_SIZE(virtchnl2_rss_lut, 12);

/** GET/SET_RSS_HASH (16 B). */
struct virtchnl2_rss_hash {
	vc2_le64_t ptype_groups;
	vc2_le32_t vport_id;
	uint8_t pad[4];
};
VC2_CHECK_SIZE(virtchnl2_rss_hash, 16);

/* ---------------------------------------------------------------------------------------- */
/* ptypes, stats, events, filters                                                           */

/** GET_PTYPE_INFO request (8 B) and reply header (8 B, then packed virtchnl2_ptype). */
struct virtchnl2_get_ptype_info {
	vc2_le16_t start_ptype_id;
	vc2_le16_t num_ptypes;
	uint8_t pad[4];
};
VC2_CHECK_SIZE(virtchnl2_get_ptype_info, 8);

/** One packet type: 6 bytes then proto_id_count u16 protocol ids. */
struct virtchnl2_ptype {
	vc2_le16_t ptype_id_10;
	uint8_t ptype_id_8;
	uint8_t proto_id_count;
	vc2_le16_t pad;
	vc2_le16_t proto_id[];
};
VC2_CHECK_SIZE(virtchnl2_ptype, 6);

/** GET_STATS request (vport_id set) and reply (128 B). */
struct virtchnl2_vport_stats {
	vc2_le32_t vport_id;
	uint8_t pad[4];
	vc2_le64_t rx_bytes;
	vc2_le64_t rx_unicast;
	vc2_le64_t rx_multicast;
	vc2_le64_t rx_broadcast;
	vc2_le64_t rx_discards;
	vc2_le64_t rx_errors;
	vc2_le64_t rx_unknown_protocol;
	vc2_le64_t tx_bytes;
	vc2_le64_t tx_unicast;
	vc2_le64_t tx_multicast;
	vc2_le64_t tx_broadcast;
	vc2_le64_t tx_discards;
	vc2_le64_t tx_errors;
	vc2_le64_t rx_invalid_frame_length;
	vc2_le64_t rx_overflow_drop;
};
VC2_CHECK_SIZE(virtchnl2_vport_stats, 128);
VC2_CHECK_OFF(virtchnl2_vport_stats, rx_bytes, 8);
VC2_CHECK_OFF(virtchnl2_vport_stats, rx_overflow_drop, 120);

/** Number of u64 counters in virtchnl2_vport_stats, from rx_bytes on. */
#define VIRTCHNL2_VPORT_STATS_COUNTERS 15

/** EVENT payload, CP to driver (16 B). */
struct virtchnl2_event {
	vc2_le32_t event;
	vc2_le32_t link_speed;		/**< Mbps */
	vc2_le32_t vport_id;
	uint8_t link_status;
	uint8_t pad;
	vc2_le16_t adi_id;
};
VC2_CHECK_SIZE(virtchnl2_event, 16);
VC2_CHECK_OFF(virtchnl2_event, link_status, 12);

/** LOOPBACK request (8 B). */
struct virtchnl2_loopback {
	vc2_le32_t vport_id;
	uint8_t enable;
	uint8_t pad[3];
};
VC2_CHECK_SIZE(virtchnl2_loopback, 8);

/** CONFIG_PROMISCUOUS_MODE request (8 B). */
struct virtchnl2_promisc_info {
	vc2_le32_t vport_id;
	vc2_le16_t flags;
	uint8_t pad[2];
};
VC2_CHECK_SIZE(virtchnl2_promisc_info, 8);

/** One MAC filter (8 B). */
struct virtchnl2_mac_addr {
	uint8_t addr[6];
	uint8_t type;
	uint8_t pad;
};
VC2_CHECK_SIZE(virtchnl2_mac_addr, 8);

/** ADD/DEL_MAC_ADDR: 8-byte header then num_mac_addr mac_addr. */
struct virtchnl2_mac_addr_list {
	vc2_le32_t vport_id;
	vc2_le16_t num_mac_addr;
	uint8_t pad[2];
	struct virtchnl2_mac_addr mac_addr_list[];
};
VC2_CHECK_SIZE(virtchnl2_mac_addr_list, 8);

/* ---------------------------------------------------------------------------------------- */
/* Variable-length message sizes                                                            */

/** Bytes of a message made of a header of @p hdr bytes and @p n elements of @p elem bytes. */
static inline size_t
virtchnl2_vl_size(size_t hdr, size_t elem, size_t n)
{
	return hdr + elem * n;
}

#define VIRTCHNL2_VL_SIZE(hdr_struct, elem_struct, n) \
	virtchnl2_vl_size(sizeof(struct hdr_struct), sizeof(struct elem_struct), (n))

/** Bytes of CREATE_VPORT with @p n queue_reg_chunk. */
#define virtchnl2_create_vport_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_create_vport, \
	virtchnl2_queue_reg_chunk, n)
/** Bytes of CONFIG_TX_QUEUES with @p n txq_info. */
#define virtchnl2_config_tx_queues_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_config_tx_queues, \
	virtchnl2_txq_info, n)
/** Bytes of CONFIG_RX_QUEUES with @p n rxq_info. */
#define virtchnl2_config_rx_queues_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_config_rx_queues, \
	virtchnl2_rxq_info, n)
/** Bytes of ENABLE/DISABLE/DEL_QUEUES with @p n queue_chunk. */
#define virtchnl2_del_ena_dis_queues_size(n) \
	VIRTCHNL2_VL_SIZE(virtchnl2_del_ena_dis_queues, virtchnl2_queue_chunk, n)
/** Bytes of ADD_QUEUES with @p n queue_reg_chunk. */
#define virtchnl2_add_queues_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_add_queues, \
	virtchnl2_queue_reg_chunk, n)
/** Bytes of MAP/UNMAP_QUEUE_VECTOR with @p n queue_vector. */
#define virtchnl2_queue_vector_maps_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_queue_vector_maps, \
	virtchnl2_queue_vector, n)
/** Bytes of ALLOC_VECTORS with @p n vector_chunk. */
#define virtchnl2_alloc_vectors_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_alloc_vectors, \
	virtchnl2_vector_chunk, n)
/** Bytes of DEALLOC_VECTORS with @p n vector_chunk. */
#define virtchnl2_vector_chunks_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_vector_chunks, \
	virtchnl2_vector_chunk, n)
/** Bytes of GET/SET_RSS_KEY with a @p n byte key. */
#define virtchnl2_rss_key_size(n) virtchnl2_vl_size(sizeof(struct virtchnl2_rss_key), 1, n)
/** Bytes of GET/SET_RSS_LUT with @p n entries. */
#define virtchnl2_rss_lut_size(n) virtchnl2_vl_size(sizeof(struct virtchnl2_rss_lut), 4, n)
/** Bytes of ADD/DEL_MAC_ADDR with @p n entries. */
#define virtchnl2_mac_addr_list_size(n) VIRTCHNL2_VL_SIZE(virtchnl2_mac_addr_list, \
	virtchnl2_mac_addr, n)
/** Bytes of one ptype with @p n protocol ids. */
#define virtchnl2_ptype_size(n) virtchnl2_vl_size(sizeof(struct virtchnl2_ptype), 2, n)

/** Largest element count of a variable array that fits one 4096-byte message. */
#define VIRTCHNL2_MAX_ELEMS(hdr_struct, elem_struct) \
	((VIRTCHNL2_MAX_MSG_LEN - sizeof(struct hdr_struct)) / sizeof(struct elem_struct))

/* ---------------------------------------------------------------------------------------- */
/* Status names and errno mapping (one table)                                               */

/** One row of the status table. */
struct virtchnl2_status_desc {
	int32_t status;		/**< VIRTCHNL2_STATUS_* */
	int err;		/**< positive errno the driver returns negated */
	const char *name;
};

static const struct virtchnl2_status_desc virtchnl2_status_table[] = {
	{ VIRTCHNL2_STATUS_SUCCESS, 0, "SUCCESS" },
	{ VIRTCHNL2_STATUS_ERR_EPERM, EPERM, "ERR_EPERM" },
	{ VIRTCHNL2_STATUS_ERR_ESRCH, EOPNOTSUPP, "ERR_ESRCH" },
	{ VIRTCHNL2_STATUS_ERR_EIO, EIO, "ERR_EIO" },
	{ VIRTCHNL2_STATUS_ERR_ENXIO, ENXIO, "ERR_ENXIO" },
	{ VIRTCHNL2_STATUS_ERR_EACCES, EACCES, "ERR_EACCES" },
	{ VIRTCHNL2_STATUS_ERR_EBUSY, EBUSY, "ERR_EBUSY" },
	{ VIRTCHNL2_STATUS_ERR_EEXIST, EEXIST, "ERR_EEXIST" },
	{ VIRTCHNL2_STATUS_ERR_EINVAL, EINVAL, "ERR_EINVAL" },
	{ VIRTCHNL2_STATUS_ERR_ENOSPC, ENOSPC, "ERR_ENOSPC" },
	{ VIRTCHNL2_STATUS_ERR_ERANGE, ERANGE, "ERR_ERANGE" },
	{ VIRTCHNL2_STATUS_ERR_EMODE, EPERM, "ERR_EMODE" },
	{ VIRTCHNL2_STATUS_ERR_ESM, EPROTO, "ERR_ESM" },
};

static inline const struct virtchnl2_status_desc *
virtchnl2_status_lookup(int32_t status)
{
	size_t i;

	for (i = 0; i < sizeof(virtchnl2_status_table) / sizeof(virtchnl2_status_table[0]); i++)
		if (virtchnl2_status_table[i].status == status)
			return &virtchnl2_status_table[i];
	return NULL;
}

/**
 * Map a virtchnl2 status to a negative errno.
 *
 * Return: 0 for SUCCESS, -errno for a known status (ERR_ESRCH gives -EOPNOTSUPP, ERR_ESM
 * -EPROTO, ERR_EMODE -EPERM, the others their namesake), -EIO for a status not in the table.
 */
static inline int
virtchnl2_status_to_errno(int32_t status)
{
	const struct virtchnl2_status_desc *d = virtchnl2_status_lookup(status);

	return d != NULL ? -d->err : -EIO;
}

/** Return: the status's name ("ERR_EINVAL"), or "UNKNOWN_STATUS". */
static inline const char *
virtchnl2_status_name(int32_t status)
{
	const struct virtchnl2_status_desc *d = virtchnl2_status_lookup(status);

	return d != NULL ? d->name : "UNKNOWN_STATUS";
}

/** Return: the opcode's name without prefix ("GET_CAPS"), or "UNKNOWN_OP". */
static inline const char *
virtchnl2_op_name(uint32_t op)
{
	switch (op) {
	case VIRTCHNL2_OP_VERSION: return "VERSION";
	case VIRTCHNL2_OP_GET_CAPS: return "GET_CAPS";
	case VIRTCHNL2_OP_CREATE_VPORT: return "CREATE_VPORT";
	case VIRTCHNL2_OP_DESTROY_VPORT: return "DESTROY_VPORT";
	case VIRTCHNL2_OP_ENABLE_VPORT: return "ENABLE_VPORT";
	case VIRTCHNL2_OP_DISABLE_VPORT: return "DISABLE_VPORT";
	case VIRTCHNL2_OP_CONFIG_TX_QUEUES: return "CONFIG_TX_QUEUES";
	case VIRTCHNL2_OP_CONFIG_RX_QUEUES: return "CONFIG_RX_QUEUES";
	case VIRTCHNL2_OP_ENABLE_QUEUES: return "ENABLE_QUEUES";
	case VIRTCHNL2_OP_DISABLE_QUEUES: return "DISABLE_QUEUES";
	case VIRTCHNL2_OP_ADD_QUEUES: return "ADD_QUEUES";
	case VIRTCHNL2_OP_DEL_QUEUES: return "DEL_QUEUES";
	case VIRTCHNL2_OP_MAP_QUEUE_VECTOR: return "MAP_QUEUE_VECTOR";
	case VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR: return "UNMAP_QUEUE_VECTOR";
	case VIRTCHNL2_OP_GET_RSS_KEY: return "GET_RSS_KEY";
	case VIRTCHNL2_OP_SET_RSS_KEY: return "SET_RSS_KEY";
	case VIRTCHNL2_OP_GET_RSS_LUT: return "GET_RSS_LUT";
	case VIRTCHNL2_OP_SET_RSS_LUT: return "SET_RSS_LUT";
	case VIRTCHNL2_OP_GET_RSS_HASH: return "GET_RSS_HASH";
	case VIRTCHNL2_OP_SET_RSS_HASH: return "SET_RSS_HASH";
	case VIRTCHNL2_OP_SET_SRIOV_VFS: return "SET_SRIOV_VFS";
	case VIRTCHNL2_OP_ALLOC_VECTORS: return "ALLOC_VECTORS";
	case VIRTCHNL2_OP_DEALLOC_VECTORS: return "DEALLOC_VECTORS";
	case VIRTCHNL2_OP_EVENT: return "EVENT";
	case VIRTCHNL2_OP_GET_STATS: return "GET_STATS";
	case VIRTCHNL2_OP_RESET_VF: return "RESET_VF";
	case VIRTCHNL2_OP_GET_EDT_CAPS: return "GET_EDT_CAPS";
	case VIRTCHNL2_OP_GET_PTYPE_INFO: return "GET_PTYPE_INFO";
	case VIRTCHNL2_OP_LOOPBACK: return "LOOPBACK";
	case VIRTCHNL2_OP_ADD_MAC_ADDR: return "ADD_MAC_ADDR";
	case VIRTCHNL2_OP_DEL_MAC_ADDR: return "DEL_MAC_ADDR";
	case VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE: return "CONFIG_PROMISCUOUS_MODE";
	case VIRTCHNL2_OP_GET_PORT_STATS: return "GET_PORT_STATS";
	case VIRTCHNL2_OP_GET_LAN_MEMORY_REGIONS: return "GET_LAN_MEMORY_REGIONS";
	default: return "UNKNOWN_OP";
	}
}

#endif /* CTLPATH_VIRTCHNL2_H */
