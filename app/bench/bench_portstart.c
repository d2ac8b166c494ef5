/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench portstart: time of an idpf port start (vport start with 16 queue pairs:
 * configure the queues, map the vector, enable the queues, enable the vport) against the
 * emulated device answering each message after 100 us.
 *
 * Three figures, all measured or derived in the same run:
 *  - ours: the control channel over lib/xn, independent messages in flight together;
 *  - the baseline: the same code with ctl=legacy, DPDK 22.11's in-tree design (one message
 *    in flight, a 20 ms ATQ clean pass before each send, replies polled every 10 ms);
 *  - the critical-path bound: dependent rounds x latency. A round is a set of messages that
 *    may all be in flight at once; the next round needs the previous one's replies. Port
 *    start has three: {CONFIG_TX_QUEUES x4, CONFIG_RX_QUEUES x4, MAP_QUEUE_VECTOR} ->
 *    ENABLE_QUEUES -> ENABLE_VPORT. The round count is not assumed: it is the number of
 *    times the caller waited for replies during a traced start (the channel's "waits"
 *    counter, see count_rounds()). The bound takes the measured round trip of one message at
 *    the same latency (at least the nominal 100 us), so that it leaves out only what batching
 *    can save.
 *
 * Each port start is followed by an untimed stop; the figure is the median of the runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memzone.h>

#include "bench.h"
#include "emu.h"
#include "idpf_adapter.h"

#define LATENCY_US 100
#define NQ 16
#define RING_LEN 512
#define RING_BYTES (RING_LEN * 32)

struct rig {
	struct emu_dev *emu;
	struct idpf_adapter ad;
	struct idpf_vport vp;
	const struct rte_memzone *mz;
	struct idpf_qcfg tx[NQ], rx[NQ];
};

static void
rig_down(struct rig *r)
{
	idpf_vport_destroy(&r->vp);
	idpf_adapter_fini(&r->ad);
	emu_destroy(r->emu);
	rte_memzone_free(r->mz);
	memset(r, 0, sizeof(*r));
}

static int
rig_up(struct rig *r, const char *name, bool legacy)
{
	struct idpf_ctl_conf cc = { .legacy = legacy, .use_intr = true,
				    .socket_id = SOCKET_ID_ANY };
	char args[64];
	struct idpf_hw hw;
	unsigned int i;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(args, sizeof(args), "latency_us=%u", LATENCY_US);
	r->emu = emu_create_args(name, args);
	r->mz = rte_memzone_reserve_aligned(name, 2 * NQ * RING_BYTES, SOCKET_ID_ANY,
					    RTE_MEMZONE_IOVA_CONTIG, 4096);
	if (r->emu == NULL || r->mz == NULL) {
		fprintf(stderr, "portstart: no emulator or ring memory\n");
		rig_down(r);
		return -ENOMEM;
	}
	for (i = 0; i < NQ; i++) {
		r->tx[i] = (struct idpf_qcfg){ .ring_iova = r->mz->iova + i * RING_BYTES,
					       .ring_len = RING_LEN };
		r->rx[i] = (struct idpf_qcfg){ .ring_iova = r->mz->iova + (NQ + i) * RING_BYTES,
					       .ring_len = RING_LEN, .buf_size = 2048,
					       .max_pkt = 1518 };
	}
	emu_hw_get(r->emu, &hw);
	rc = idpf_adapter_init(&r->ad, name, &hw, &cc);
	if (rc == 0)
		rc = idpf_vport_create(&r->ad, &r->vp, NQ);
	if (rc < 0) {
		fprintf(stderr, "portstart: %s bring-up failed: %s\n", name, strerror(-rc));
		rig_down(r);
	}
	return rc;
}

/* One timed port start (and an untimed stop); microseconds, or < 0 on error. */
static double
one_start(struct rig *r)
{
	uint64_t t0 = bench_now_ns(), t1;
	int rc = idpf_vport_start(&r->vp, r->tx, NQ, r->rx, NQ, 0, 0);

	t1 = bench_now_ns();
	if (rc == 0)
		rc = idpf_vport_stop(&r->vp, NQ, NQ);
	if (rc < 0) {
		fprintf(stderr, "portstart: start/stop failed: %s\n", strerror(-rc));
		return -1;
	}
	return (t1 - t0) / 1e3;
}

/*
 * Dependent rounds of one port start, from what the channel saw: every wait of the caller
 * for replies (one synchronous call, or one batch of independent messages) is a round.
 */
static int
count_rounds(struct rig *r, unsigned int *msgs)
{
	struct idpf_ctl_stats s0, s1;

	idpf_ctl_stats_get(r->ad.ctl, &s0);
	if (idpf_vport_start(&r->vp, r->tx, NQ, r->rx, NQ, 0, 0) < 0)
		return -1;
	idpf_ctl_stats_get(r->ad.ctl, &s1);
	idpf_vport_stop(&r->vp, NQ, NQ);
	*msgs = (unsigned int)(s1.sent - s0.sent);
	return (int)(s1.waits - s0.waits);
}

/* Round trip of one message (GET_STATS) at the emulator's latency; median, microseconds. */
static double
one_message_us(struct rig *r)
{
	uint64_t c[VIRTCHNL2_VPORT_STATS_COUNTERS];
	double v[21];
	unsigned int i;

	for (i = 0; i < RTE_DIM(v); i++) {
		uint64_t t0 = bench_now_ns();

		if (idpf_vport_stats(&r->vp, c) < 0)
			return -1;
		v[i] = (bench_now_ns() - t0) / 1e3;
	}
	return bench_median(v, RTE_DIM(v));
}

static double
median_starts(struct rig *r, unsigned int runs)
{
	double v[64];
	unsigned int i;

	for (i = 0; i < runs && i < RTE_DIM(v); i++) {
		v[i] = one_start(r);
		if (v[i] < 0)
			return -1;
	}
	return bench_median(v, i);
}

static int
bench_portstart_run(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { "ctlpath-bench", "--in-memory", "--no-pci", "-l", "0",
			"--log-level=*:warning", prefix };
	unsigned int runs = 21, legacy_runs = 3, msgs = 0;
	double ours, legacy, rtt, bound;
	struct rig r;
	int rounds;

	if (argc > 2 && strcmp(argv[1], "--runs") == 0) {
		runs = (unsigned int)atoi(argv[2]);
		if (runs == 0 || runs > 64) {
			fprintf(stderr, "portstart: --runs wants 1..64\n");
			return -1;
		}
		legacy_runs = runs < 3 ? runs : 3;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench_ps_%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "portstart: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (rig_up(&r, "bps_xn", false) < 0)
		return -1;
	rounds = count_rounds(&r, &msgs);
	rtt = one_message_us(&r);
	ours = median_starts(&r, runs);
	rig_down(&r);
	if (rounds <= 0 || rtt <= 0 || ours <= 0) {
		fprintf(stderr, "portstart: measurement failed\n");
		return -1;
	}
	if (rig_up(&r, "bps_legacy", true) < 0)
		return -1;
	legacy = median_starts(&r, legacy_runs);
	rig_down(&r);
	if (legacy <= 0)
		return -1;

	bound = rounds * (rtt > LATENCY_US ? rtt : LATENCY_US);
	bench_report("portstart", "messages_per_start_16qp", msgs, "msgs", NULL, 0, false);
	bench_report("portstart", "dependent_rounds", rounds, "rounds", NULL, 0, false);
	bench_report("portstart", "one_message_rtt_lat100us", rtt, "us", NULL, 0, false);
	bench_report("portstart", "port_start_16qp_lat100us", ours, "us", "dpdk22.11_legacy",
		     legacy, true);
	/* ratio = bound / ours: 1 is the best possible; the target is >= 0.67 (<= 1.5x) */
	bench_report("portstart", "port_start_vs_critical_path", ours, "us",
		     "bound_rounds_x_rtt", bound, true);
	rte_eal_cleanup();
	return 0;
}

static struct bench bench_portstart = {
	.name = "portstart",
	.help = "idpf port start, 16 queue pairs, 100 us latency: xn vs legacy vs bound [--runs N]",
	.run = bench_portstart_run,
};

BENCH_REGISTER(bench_portstart)
