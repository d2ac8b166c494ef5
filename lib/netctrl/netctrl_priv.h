/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETCTRL_PRIV_H
#define NETCTRL_PRIV_H

/*
 * Internal layout of the engine, shared by its files:
 *   netctrl.c         life cycle, poll / complete loop, in-order publication
 *   netctrl_mem.c     guest-memory table and the chain gatherer (bounds, copies)
 *   netctrl_split.c   split ring: pop a chain, push a used element, notification decision
 *   netctrl_packed.c  packed ring: the same for the packed layout
 *   netctrl_cmd.c     per-command validation and vendor dispatch
 *   netctrl_state.c   shadow state: defaults, commit on ack, replay
 */

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>

#include "netctrl.h"
#include "netctrl_virtio.h"

/* Writable segments remembered per chain, and the most result bytes written after the ack. */
#define NC_WSEG_MAX 16
#define NC_RESULT_MAX 1024
/* Largest indirect table walked. */
#define NC_INDIRECT_MAX 1024

struct nc_wseg {
	uint64_t gpa;
	uint32_t len;
};

/* One popped chain, as gathered: the readable bytes are in the slot's buffer. */
struct nc_chain {
	uint16_t id;		/* split: head index; packed: buffer id */
	uint16_t ndesc;		/* packed: ring descriptors the chain used */
	uint32_t rlen;		/* readable bytes seen (saturating) */
	uint32_t wcap;		/* writable bytes reachable through wseg[] */
	uint8_t nwseg;
	bool seen_write;	/* a writable descriptor was seen */
	bool wstop;		/* stop recording writable segments (one was unreachable) */
	bool bad;		/* malformed chain: walk stopped */
	bool mem_fault;		/* a readable buffer is outside guest memory */
	bool too_long;		/* readable bytes exceed the buffer */
	struct nc_wseg wseg[NC_WSEG_MAX];
};

enum nc_slot_state {
	NC_SLOT_FREE,
	NC_SLOT_PENDING,	/* the vendor answers later */
	NC_SLOT_DONE,		/* ack known, not yet published */
};

union nc_args {
	struct {
		enum netctrl_rx_mode mode;
		bool on;
	} rx;
	struct netctrl_mac_table mt;
	uint8_t mac[6];
	uint16_t vid;
	uint16_t pairs;
	struct netctrl_rss rss;
	struct netctrl_hash hash;
	uint64_t offloads;
	struct netctrl_coal coal;
	uint32_t tunnel;
};

/* A command from pop to publication. Slots are used in FIFO order. */
struct nc_slot {
	uint64_t token;
	enum nc_slot_state state;
	uint8_t ack;
	uint8_t cmd_id;		/* enum netctrl_cmd_id */
	struct nc_chain ch;
	uint8_t *buf;		/* header + data, max_cmd_len + 2 bytes */
	uint32_t data_len;	/* command-specific data bytes (after the header) */
	union nc_args args;
	uint32_t res_len;	/* result bytes after the ack */
	uint8_t res[NC_RESULT_MAX];
};

struct nc_ring_ops;

struct netctrl {
	struct netctrl_config cfg;
	uint64_t features;

	/* guest memory */
	struct netctrl_mem_region *regions;
	unsigned int nregions;
	unsigned int last_region;	/* lookup hint */

	/* ring */
	const struct nc_ring_ops *ring;
	uint16_t size;
	uint16_t max_chain;	/* descriptors walked per chain */
	bool event_idx;
	bool indirect;
	struct {
		struct nc_vring_desc *desc;
		struct nc_vring_avail *avail;
		struct nc_vring_used *used;
		uint16_t last_avail;
		uint16_t used_idx;
	} split;
	struct {
		struct nc_vring_packed_desc *desc;
		struct nc_vring_packed_event *drv;
		struct nc_vring_packed_event *dev;
		uint16_t avail_idx;
		bool avail_wrap;
		uint16_t used_idx;
		bool used_wrap;
	} packed;
	/* notification suppression: used position at the last decision */
	uint16_t signalled;
	bool signalled_valid;
	bool broken;

	/* in-flight commands */
	struct nc_slot *slots;
	uint16_t nslots;
	uint16_t inflight;
	uint64_t next_token;	/* token of the next popped chain; slot = token % nslots */
	uint64_t head_token;	/* oldest unpublished */

	struct netctrl_state st;
	struct netctrl_counters cnt;
	uint64_t cvq_commands;	/* chains dispatched (STATS CVQ command_num) */
};

struct nc_ring_ops {
	/* Pop one chain into s->ch / s->buf: 1 popped, 0 empty, -EIO ring unusable. */
	int (*pop)(struct netctrl *nc, struct nc_slot *s);
	/* Publish one used entry for a popped chain. */
	void (*push)(struct netctrl *nc, const struct nc_chain *ch, uint32_t len);
	/* After a batch of pushes: should the driver be notified? */
	bool (*need_notify)(struct netctrl *nc);
	/* Position for GET_VRING_BASE. */
	uint16_t (*base)(const struct netctrl *nc);
};

extern const struct nc_ring_ops nc_split_ops;
extern const struct nc_ring_ops nc_packed_ops;

/* netctrl_mem.c */
int nc_mem_read(struct netctrl *nc, uint64_t gpa, void *dst, uint32_t len);
int nc_mem_write(struct netctrl *nc, uint64_t gpa, const void *src, uint32_t len);
bool nc_mem_ok(struct netctrl *nc, uint64_t gpa, uint64_t len);
void nc_chain_init(struct nc_slot *s);
void nc_chain_add(struct netctrl *nc, struct nc_slot *s, uint64_t gpa, uint32_t len, bool write);

/* netctrl_cmd.c: validate and hand to the vendor; returns a netctrl_status. */
int nc_cmd_dispatch(struct netctrl *nc, struct nc_slot *s);

/* netctrl_state.c */
void nc_state_defaults(struct netctrl *nc);
void nc_state_commit(struct netctrl *nc, const struct nc_slot *s);

/* netctrl.c */
void nc_count_err(struct netctrl *nc, enum netctrl_err e);

/* The ring is shared with a guest that may change it at any time: every read of it goes
 * through these, so the compiler reads each field exactly once where the code says so.
 */
static inline uint16_t
nc_rd16(const void *p)
{
	return le16toh(*(const volatile uint16_t *)p);
}

static inline uint32_t
nc_rd32(const void *p)
{
	return le32toh(*(const volatile uint32_t *)p);
}

static inline uint64_t
nc_rd64(const void *p)
{
	return le64toh(*(const volatile uint64_t *)p);
}

static inline void
nc_wr16(void *p, uint16_t v)
{
	*(volatile uint16_t *)p = htole16(v);
}

static inline void
nc_wr32(void *p, uint32_t v)
{
	*(volatile uint32_t *)p = htole32(v);
}

/* Event-index test of the virtio spec: has the driver's event index been passed? */
static inline bool
nc_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif /* NETCTRL_PRIV_H */
