/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_EMU_PRIV_H
#define CTLPATH_EMU_PRIV_H

/**
 * @file
 * Internals of the emulated device shared by emu.c (registers, engine, hooks), emu_faults.c
 * (seeded fault decisions) and emu_telemetry.c.
 */

#include <pthread.h>
#include <stdint.h>

#include "emu.h"

/* ---- fault decisions (emu_faults.c) ---- */

/** A small, fast, seedable generator (splitmix64): the same seed, the same stream. */
struct emu_rng {
	uint64_t s;
};

void emu_rng_seed(struct emu_rng *r, uint64_t seed);
uint64_t emu_rng_next(struct emu_rng *r);
/** Uniform double in [0, 1). */
double emu_rng_unit(struct emu_rng *r);

#define EMU_TRACE_MAX 4096

struct emu_faults {
	struct emu_conf conf;
	struct emu_rng rng;		/* fault decisions: one fixed set of draws per request */
	uint64_t seq;
	struct emu_fault_rec trace[EMU_TRACE_MAX];
};

void emu_faults_init(struct emu_faults *f, const struct emu_conf *conf);

/** Decide the fate of the next request; the decision is recorded in the trace. */
void emu_faults_decide(struct emu_faults *f, uint32_t v_opcode, struct emu_fault_rec *out);

/* ---- registers ---- */

enum emu_reg {
	R_ATQ_BAL, R_ATQ_BAH, R_ATQ_LEN, R_ATQ_HEAD, R_ATQ_TAIL,
	R_ARQ_BAL, R_ARQ_BAH, R_ARQ_LEN, R_ARQ_HEAD, R_ARQ_TAIL,
	R_RSTAT, R_CTRL,
	R_NB
};

/** A reply waiting for its due time and an ARQ buffer (a slot of the pool). */
struct emu_pending {
	uint64_t due_ns;
	uint64_t order;			/* tie-break: emission order */
	uint32_t v_opcode;
	int32_t v_retval;
	uint8_t ctx[8];			/* request bytes 16-23 */
	uint16_t len;
	uint16_t cap;			/* bytes allocated at data, kept for the next reply */
	uint8_t *data;
};

#define EMU_PENDING_MAX 1024

/*
 * Replies not yet written: a pool of slots, a min-heap of the not-yet-due ones ordered by
 * (due, order), and a FIFO of the due ones waiting for an ARQ buffer (in (due, order) order,
 * so that the reorder window picks among the earliest due, as before). Insertion and removal
 * are O(log n), whatever the window.
 */
struct emu_replyq {
	struct emu_pending slot[EMU_PENDING_MAX];
	uint16_t free_list[EMU_PENDING_MAX];
	unsigned int nb_free;
	uint16_t heap[EMU_PENDING_MAX];	/* slot indexes */
	unsigned int nb_heap;
	uint16_t ready[EMU_PENDING_MAX];	/* ring of slot indexes */
	unsigned int ready_head;
	unsigned int nb_ready;
};

struct emu_dev {
	char name[32];
	struct emu_conf conf;
	const struct idpf_reg_layout *layout;
	uint32_t regs[R_NB];		/* accessed with atomics only */

	pthread_mutex_t lock;		/* cp, pending, faults, hooks, counters below */
	struct emu_cp *cp;
	struct emu_faults faults;
	struct emu_rng order_rng;	/* reorder picks (timing dependent, kept apart) */
	struct emu_replyq q;
	unsigned int nb_pending;	/* q.nb_heap + q.nb_ready */
	uint64_t emit_order;
	int stalled;
	int corrupt;			/* enum emu_corrupt, 0 = none */
	int irq_due;
	struct emu_stats st;

	pthread_mutex_t irq_lock;	/* irq_fd vs. its writers */
	int irq_fd;
	uint64_t irq_count;
	int bell;			/* eventfd: doorbell to the thread */
	/*
	 * The engine polls while it has work or a reply due within conf.poll_us, and sleeps on
	 * the bell otherwise. Register writers bump 'kick' and write the bell only when the
	 * engine says it is 'sleeping' (both seq_cst, so one of the two sides sees the other).
	 */
	uint32_t kick;
	uint32_t sleeping;
	uint32_t stop;
	uint32_t reset_req;		/* PFGEN_CTRL.PFSWR written */
	pthread_t thread;
	int thread_started;

	struct emu_dev *next;		/* registry */
};

/* ---- registry and telemetry (emu_telemetry.c) ---- */

int emu_registry_add(struct emu_dev *dev);
void emu_registry_del(struct emu_dev *dev);

#endif /* CTLPATH_EMU_PRIV_H */
