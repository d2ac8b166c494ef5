/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETCTRL_VIRTIO_H
#define NETCTRL_VIRTIO_H

/**
 * @file
 * Our own definitions of the virtio wire formats the control-queue engine reads and writes:
 * feature bits, split and packed ring layouts, control classes and commands, and the fixed
 * parts of their payloads. Every multi-byte field is little-endian (VERSION_1). The sizes are
 * checked at compile time so that a layout mistake cannot reach a guest.
 */

#include <assert.h>
#include <stdint.h>

/** @name virtio-net feature bits used by the control queue */
/**@{*/
#define NC_F_CTRL_GUEST_OFFLOADS 2
#define NC_F_GUEST_CSUM 1
#define NC_F_GUEST_TSO4 7
#define NC_F_GUEST_TSO6 8
#define NC_F_GUEST_ECN 9
#define NC_F_GUEST_UFO 10
#define NC_F_MAC 5
#define NC_F_CTRL_VQ 17
#define NC_F_CTRL_RX 18
#define NC_F_CTRL_VLAN 19
#define NC_F_CTRL_RX_EXTRA 20
#define NC_F_GUEST_ANNOUNCE 21
#define NC_F_MQ 22
#define NC_F_CTRL_MAC_ADDR 23
#define NC_F_INDIRECT_DESC 28
#define NC_F_EVENT_IDX 29
#define NC_F_VERSION_1 32
#define NC_F_RING_PACKED 34
#define NC_F_DEVICE_STATS 50
#define NC_F_HASH_TUNNEL 51
#define NC_F_VQ_NOTF_COAL 52
#define NC_F_NOTF_COAL 53
#define NC_F_GUEST_USO4 54
#define NC_F_GUEST_USO6 55
#define NC_F_HASH_REPORT 57
#define NC_F_RSS 60
/**@}*/

/** Feature mask of bit @p b. */
#define NC_BIT(b) (UINT64_C(1) << (b))

/** Offload bits a guest may switch with GUEST_OFFLOADS_SET (when negotiated). */
#define NC_GUEST_OFFLOAD_MASK (NC_BIT(NC_F_GUEST_CSUM) | NC_BIT(NC_F_GUEST_TSO4) | \
	NC_BIT(NC_F_GUEST_TSO6) | NC_BIT(NC_F_GUEST_ECN) | NC_BIT(NC_F_GUEST_UFO) | \
	NC_BIT(NC_F_GUEST_USO4) | NC_BIT(NC_F_GUEST_USO6))

/** @name Descriptor flags (split and packed) */
/**@{*/
#define NC_DESC_F_NEXT 1
#define NC_DESC_F_WRITE 2
#define NC_DESC_F_INDIRECT 4
#define NC_DESC_F_AVAIL (1u << 7)	/**< packed only */
#define NC_DESC_F_USED (1u << 15)	/**< packed only */
/**@}*/

#define NC_AVAIL_F_NO_INTERRUPT 1	/**< split: driver asks for no used notification */
#define NC_USED_F_NO_NOTIFY 1		/**< split: device asks for no kick */

/** Packed event suppression flags. */
#define NC_EVENT_ENABLE 0
#define NC_EVENT_DISABLE 1
#define NC_EVENT_DESC 2

/** Split-ring and indirect-table descriptor (16 bytes). */
struct nc_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/** Split-ring available ring header; ring[size] then used_event follow. */
struct nc_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/** Split-ring used element. */
struct nc_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/** Split-ring used ring header; ring[size] then avail_event follow. */
struct nc_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct nc_vring_used_elem ring[];
};

/** Packed-ring descriptor (16 bytes). */
struct nc_vring_packed_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

/** Packed-ring event suppression area (driver or device). */
struct nc_vring_packed_event {
	uint16_t off_wrap;
	uint16_t flags;
};

static_assert(sizeof(struct nc_vring_desc) == 16, "split descriptor is 16 bytes");
static_assert(sizeof(struct nc_vring_avail) == 4, "avail header is 4 bytes");
static_assert(sizeof(struct nc_vring_used_elem) == 8, "used element is 8 bytes");
static_assert(sizeof(struct nc_vring_used) == 4, "used header is 4 bytes");
static_assert(sizeof(struct nc_vring_packed_desc) == 16, "packed descriptor is 16 bytes");
static_assert(sizeof(struct nc_vring_packed_event) == 4, "event area is 4 bytes");

/** @name Control classes and commands */
/**@{*/
#define NC_CLASS_RX 0
#define NC_RX_PROMISC 0
#define NC_RX_ALLMULTI 1
#define NC_RX_ALLUNI 2
#define NC_RX_NOMULTI 3
#define NC_RX_NOUNI 4
#define NC_RX_NOBCAST 5
#define NC_CLASS_MAC 1
#define NC_MAC_TABLE_SET 0
#define NC_MAC_ADDR_SET 1
#define NC_CLASS_VLAN 2
#define NC_VLAN_ADD 0
#define NC_VLAN_DEL 1
#define NC_CLASS_ANNOUNCE 3
#define NC_ANNOUNCE_ACK 0
#define NC_CLASS_MQ 4
#define NC_MQ_VQ_PAIRS_SET 0
#define NC_MQ_RSS_CONFIG 1
#define NC_MQ_HASH_CONFIG 2
#define NC_CLASS_GUEST_OFFLOADS 5
#define NC_GUEST_OFFLOADS_SET 0
#define NC_CLASS_NOTF_COAL 6
#define NC_NOTF_COAL_TX_SET 0
#define NC_NOTF_COAL_RX_SET 1
#define NC_NOTF_COAL_VQ_SET 2
#define NC_NOTF_COAL_VQ_GET 3
#define NC_CLASS_HASH_TUNNEL 7
#define NC_HASH_TUNNEL_SET 0
#define NC_CLASS_STATS 8
#define NC_STATS_QUERY 0
#define NC_STATS_GET 1
/**@}*/

#define NC_ACK_OK 0
#define NC_ACK_ERR 1

#define NC_MQ_PAIRS_MIN 1
#define NC_MQ_PAIRS_MAX 0x8000

/** Statistics type bit of the control-queue counters. */
#define NC_STATS_TYPE_CVQ 32

/** Command header: class then command. */
struct nc_ctrl_hdr {
	uint8_t class;
	uint8_t cmd;
};

/** NOTF_COAL TX_SET / RX_SET body. */
struct nc_coal {
	uint32_t max_packets;
	uint32_t max_usecs;
};

/** NOTF_COAL VQ_SET body (VQ_GET reads only the first 4 bytes). */
struct nc_coal_vq {
	uint16_t vq_index;
	uint16_t reserved;
	uint32_t max_packets;
	uint32_t max_usecs;
};

/** STATS_GET request entry. */
struct nc_stats_req {
	uint16_t vq_index;
	uint16_t reserved[3];
	uint64_t types;
};

/** STATS_GET reply header. */
struct nc_stats_reply_hdr {
	uint8_t type;
	uint8_t reserved;
	uint16_t vq_index;
	uint16_t reserved1;
	uint16_t size;
};

/** STATS_GET reply of type CVQ. */
struct nc_stats_cvq {
	struct nc_stats_reply_hdr hdr;
	uint64_t command_num;
	uint64_t ok_num;
};

/** Fixed head of RSS_CONFIG (the indirection table follows). */
#define NC_RSS_HEAD_LEN 8
/** max_tx_vq and key length after the indirection table. */
#define NC_RSS_TAIL_LEN 3
/** HASH_CONFIG: hash_types, reserved[4], key_length, then the key. */
#define NC_HASH_HEAD_LEN 13

static_assert(sizeof(struct nc_ctrl_hdr) == 2, "ctrl header is 2 bytes");
static_assert(sizeof(struct nc_coal) == 8, "coal body is 8 bytes");
static_assert(sizeof(struct nc_coal_vq) == 12, "vq coal body is 12 bytes");
static_assert(sizeof(struct nc_stats_req) == 16, "stats request is 16 bytes");
static_assert(sizeof(struct nc_stats_reply_hdr) == 8, "stats reply header is 8 bytes");
static_assert(sizeof(struct nc_stats_cvq) == 24, "cvq stats reply is 24 bytes");

#endif /* NETCTRL_VIRTIO_H */
