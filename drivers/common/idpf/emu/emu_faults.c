/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded fault decisions of the emulated mailbox. Each request consumes the same number of
 * draws whatever is decided, so the n-th request's fate depends only on the seed, the
 * configuration and n: two runs with the same seed see the same faults in the same order.
 */
#include <string.h>

#include <rte_common.h>

#include "emu_priv.h"
#include "virtchnl2.h"

void
emu_rng_seed(struct emu_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
emu_rng_next(struct emu_rng *r)
{
	/* splitmix64: a Weyl sequence through a bijective mixer */
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double
emu_rng_unit(struct emu_rng *r)
{
	return (double)(emu_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* statuses a control plane may plausibly answer with */
static const int32_t inject_status[] = {
	VIRTCHNL2_STATUS_ERR_EIO, VIRTCHNL2_STATUS_ERR_EBUSY, VIRTCHNL2_STATUS_ERR_EINVAL,
	VIRTCHNL2_STATUS_ERR_ENOSPC,
};

void
emu_faults_init(struct emu_faults *f, const struct emu_conf *conf)
{
	memset(f, 0, sizeof(*f));
	f->conf = *conf;
	emu_rng_seed(&f->rng, conf->seed);
}

void
emu_faults_decide(struct emu_faults *f, uint32_t v_opcode, struct emu_fault_rec *out)
{
	const struct emu_conf *c = &f->conf;
	double r_drop = emu_rng_unit(&f->rng);
	double r_dup = emu_rng_unit(&f->rng);
	double r_late = emu_rng_unit(&f->rng);
	double r_err = emu_rng_unit(&f->rng);
	uint64_t r_code = emu_rng_next(&f->rng);
	uint64_t r_jit = emu_rng_next(&f->rng);

	memset(out, 0, sizeof(*out));
	out->seq = ++f->seq;
	out->v_opcode = v_opcode;
	out->drop = r_drop < c->drop;
	out->dup = !out->drop && r_dup < c->dup;
	out->late = !out->drop && r_late < c->late;
	if (!out->drop && r_err < c->err)
		out->err_status = inject_status[r_code % RTE_DIM(inject_status)];
	out->delay_us = c->latency_us +
		(c->jitter_us ? (uint32_t)(r_jit % (c->jitter_us + 1ull)) : 0);
	if (out->seq <= EMU_TRACE_MAX)
		f->trace[out->seq - 1] = *out;
}
