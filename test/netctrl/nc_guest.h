/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NC_GUEST_H
#define NC_GUEST_H

/*
 * Test side of the control queue: a fake guest (two memory regions, a driver for split or packed
 * rings that builds command chains in any layout) and a recording vendor. The memory layout is
 * the one the fuzz target uses, so a scenario can dump its guest memory as a fuzz seed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "netctrl.h"
#include "netctrl_virtio.h"

#define G_GPA_BASE 0x10000ull
#define G_REGION_SIZE 0x2000u		/* two regions, back to back in guest space */
#define G_MEM_SIZE (2 * G_REGION_SIZE)
#define G_OFF_DESC 0x0000u
#define G_OFF_AVAIL 0x0400u		/* packed: driver event area */
#define G_OFF_USED 0x0500u		/* packed: device event area */
#define G_OFF_HEAP 0x0800u
#define G_MAX_RING 64

/* Fuzz input header (then the guest memory image). */
struct g_fuzz_hdr {
	uint8_t flags;		/* G_FZ_* */
	uint8_t size_log2;	/* ring size 1 << (x % 7) */
	uint8_t vendor;		/* answer pattern: 2 bits per call, 0 OK 1 ERR 2 PENDING 3 OK */
	uint8_t max_pending;
	uint32_t base;		/* ring base (split last_avail / packed base) */
	uint64_t features;
};
#define G_FZ_PACKED 1

/* One buffer of a chain. */
struct gseg {
	const void *data;	/* readable: bytes to copy (NULL: zeros) */
	uint32_t len;
	bool write;
	uint64_t gpa;		/* non-zero: use this address as is (nothing copied) */
};

struct guest {
	uint8_t *region[2];
	struct netctrl *nc;
	uint64_t features;
	bool packed;
	uint16_t size;
	uint32_t heap;		/* next free heap offset */
	/* split driver */
	uint16_t next_desc, avail_idx, used_seen;
	/* packed driver */
	uint16_t p_avail, p_used, next_id;
	bool p_avail_wrap, p_used_wrap;
	uint16_t ndesc_of_id[G_MAX_RING];
};

/* Create memory and ring; the engine is created with @cfg (features, ops...) and attached. */
int guest_init(struct guest *g, struct netctrl_config *cfg, uint16_t size);
void guest_fini(struct guest *g);

/* Host pointer of a guest address in our memory (NULL if outside). */
void *guest_ptr(struct guest *g, uint64_t gpa);
/* Allocate heap bytes (8-aligned), wrapping back to the heap start when full. */
uint64_t guest_alloc(struct guest *g, uint32_t len);

/* Post a chain of segments. @indirect: put them all in one indirect table. Return: buffer id. */
int guest_post(struct guest *g, const struct gseg *segs, unsigned int n, bool indirect);

/* Layouts of a command's readable part. */
enum g_layout {
	G_LINUX,	/* hdr | data | ack | result (Linux virtnet_send_command) */
	G_ONE,		/* hdr+data in one buffer | ack+result in one */
	G_BYTES,	/* every readable byte in its own descriptor | ack | result */
	G_SPLIT_HDR,	/* class | cmd+data | ack+result */
	G_INDIRECT,	/* G_LINUX inside one indirect table */
};

/*
 * Post one command with @res_len result bytes of writable space after the ack. The ack byte is
 * preset to 0xEE. Return: the gpa of the ack byte (result follows it), or 0 on failure.
 */
uint64_t guest_cmd(struct guest *g, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
		   enum g_layout layout, uint32_t res_len);

/* Take one used entry. Return: 1 and id/len, or 0 when none. */
int guest_used(struct guest *g, uint16_t *id, uint32_t *len);

/* Post, poll once, take the used entry. Return: the ack byte, or -1 if nothing was used. */
int guest_run(struct guest *g, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
	      enum g_layout layout);

/* Write header + memory image as a fuzz seed (when the NETCTRL_CORPUS_OUT env names a dir). */
void guest_dump(struct guest *g, const char *name, uint8_t vendor);

/* A vendor that records every call as a line of text and answers as told. */
#define TV_LOG_MAX 512
struct tvendor {
	int answer;		/* NETCTRL_OK / ERR / PENDING for every call */
	unsigned int n;
	char log[TV_LOG_MAX][64];
	uint64_t tokens[TV_LOG_MAX];
};
extern const struct netctrl_ops tvendor_ops;

/* Index of the first log line equal to @line at or after @from, or -1. */
int tv_find(const struct tvendor *v, const char *line, unsigned int from);

#endif /* NC_GUEST_H */
