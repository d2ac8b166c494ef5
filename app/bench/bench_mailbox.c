/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench mailbox: messages per second against the emulated device with a 100 us reply
 * latency, for windows of 1, 8, 64 and 256 messages in flight, at two levels:
 *   - raw: the mailbox ring driver alone (idpf_mbx_send + polling, a window of cookies);
 *   - ctl: the real control channel (idpf_ctl_call_async over lib/xn, VERSION calls, which the
 *     emulated control plane answers any number of times without state).
 * Each figure is set next to its bound measured in the same run, min(window / latency,
 * emulator rate), where the emulator rate is the raw throughput at zero latency with the same
 * window (the best of three runs: the box is shared, the best run is the least disturbed),
 * and the ctl figures also next to the in-tree design baseline: idpf_ctl in legacy mode
 * (DPDK 22.11: one message in flight, 20 ms ATQ clean loop, 10 ms ARQ polling).
 *
 * One thread sends and drains (polling, no interrupt, yielding the CPU when idle); the
 * emulator runs on its own thread.
 * Both rings have 512 entries, so a window of 256 fits.
 */
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "bench.h"
#include "emu.h"
#include "idpf_ctl.h"
#include "idpf_mbx.h"

#define OP_RAW		4000	/* not virtchnl2: the control plane answers at once */
#define LATENCY_US	100
#define RING_LEN	512
#define RATE_RUNS	3	/* emulator-rate runs per window, best kept */
#define LEGACY_CALLS	6	/* ~30 ms each */

struct run_state {
	unsigned int outstanding;
	uint64_t received;
	uint64_t errors;
};

static void
on_recv(void *arg, const struct idpf_mbx_msg *m)
{
	struct run_state *s = arg;

	(void)m;
	s->outstanding--;
	s->received++;
}

/* Raw messages per second with @window cookies outstanding for @ms milliseconds; <0 on error. */
static double
measure_raw(const char *name, uint32_t latency_us, unsigned int window, unsigned int ms)
{
	char args[64];
	struct run_state s = { 0 };
	struct idpf_mbx_conf c = {
		.name = name, .atq_len = RING_LEN, .arq_len = RING_LEN, .socket_id = SOCKET_ID_ANY,
		.recv_cb = on_recv, .cb_arg = &s,
	};
	struct emu_dev *emu;
	struct idpf_mbx *mbx;
	struct idpf_hw hw;
	uint64_t t0, t_end, got, now;
	uint16_t cookie = 0;
	uint8_t payload[16] = { 0 };

	snprintf(args, sizeof(args), "latency_us=%u", latency_us);
	emu = emu_create_args(name, args);
	if (emu == NULL)
		return -1;
	emu_hw_get(emu, &hw);
	mbx = idpf_mbx_create(&hw, &c);
	if (mbx == NULL) {
		fprintf(stderr, "mailbox: %u-entry rings: %s\n", RING_LEN, rte_strerror(rte_errno));
		emu_destroy(emu);
		return -1;
	}
	t0 = bench_now_ns();
	t_end = t0 + (uint64_t)ms * 1000000;
	for (now = t0; now < t_end; now = bench_now_ns()) {
		while (s.outstanding < window &&
		       idpf_mbx_send(mbx, cookie, OP_RAW, payload, sizeof(payload)) == 0) {
			s.outstanding++;
			cookie++;
		}
		if (idpf_mbx_poll(mbx) == 0)
			sched_yield();	/* the emulator may need this core */
	}
	got = s.received;
	/* let the stragglers land before tearing down */
	for (t_end = bench_now_ns() + 1000000000ull; s.outstanding > 0 && bench_now_ns() < t_end;)
		idpf_mbx_poll(mbx);
	idpf_mbx_destroy(mbx);
	emu_destroy(emu);
	return (double)got * 1e9 / (double)(now - t0);
}

/* Emulator rate with @window in flight: raw rate at zero latency, best of RATE_RUNS. */
static double
measure_emu_rate(unsigned int window, unsigned int ms)
{
	double best = -1;
	unsigned int r;

	for (r = 0; r < RATE_RUNS; r++) {
		char name[32];
		double v;

		snprintf(name, sizeof(name), "bm_r%u_%u", window, r);
		v = measure_raw(name, 0, window, ms);
		if (v < 0)
			return -1;
		if (v > best)
			best = v;
	}
	return best;
}

static void
on_ctl_done(void *arg, int result, const void *resp, uint32_t len)
{
	struct run_state *s = arg;

	(void)resp;
	(void)len;
	if (result < 0)
		s->errors++;
	s->outstanding--;
	s->received++;
}

/*
 * idpf_ctl calls per second. xn mode: @window async VERSION calls kept in flight for @ms
 * milliseconds. Legacy mode: LEGACY_CALLS synchronous calls (the design allows nothing else).
 */
static double
measure_ctl(const char *name, bool legacy, unsigned int window, unsigned int ms)
{
	struct virtchnl2_version_info ver = {
		.major = rte_cpu_to_le_32(VIRTCHNL2_VERSION_MAJOR),
		.minor = rte_cpu_to_le_32(VIRTCHNL2_VERSION_MINOR),
	};
	struct idpf_ctl_conf cc = {
		.name = name, .legacy = legacy, .use_intr = false, .socket_id = SOCKET_ID_ANY,
	};
	struct run_state s = { 0 };
	char args[64];
	struct emu_dev *emu;
	struct idpf_ctl *ctl;
	struct idpf_hw hw;
	uint64_t t0, t_end, now, got;
	double rate = -1;

	snprintf(args, sizeof(args), "latency_us=%u", LATENCY_US);
	emu = emu_create_args(name, args);
	if (emu == NULL)
		return -1;
	emu_hw_get(emu, &hw);
	ctl = idpf_ctl_create(&hw, &cc);
	if (ctl == NULL) {
		fprintf(stderr, "mailbox: idpf_ctl (%s): %s\n", legacy ? "legacy" : "xn",
			rte_strerror(rte_errno));
		emu_destroy(emu);
		return -1;
	}
	t0 = bench_now_ns();
	if (legacy) {
		unsigned int i;

		for (i = 0; i < LEGACY_CALLS; i++)
			if (idpf_ctl_call(ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), NULL, 0,
					  0) < 0)
				s.errors++;
		now = bench_now_ns();
		got = LEGACY_CALLS;
	} else {
		t_end = t0 + (uint64_t)ms * 1000000;
		for (now = t0; now < t_end; now = bench_now_ns()) {
			while (s.outstanding < window) {
				int rc = idpf_ctl_call_async(ctl, VIRTCHNL2_OP_VERSION, &ver,
							     sizeof(ver), 0, on_ctl_done, &s);

				if (rc == -EAGAIN || rc == -ENOSPC)
					break;	/* every slot or descriptor taken: drain */
				if (rc != 0) {
					s.errors++;
					break;
				}
				s.outstanding++;
			}
			idpf_ctl_poll(ctl);
			sched_yield();
		}
		got = s.received;
		for (t_end = bench_now_ns() + 3000000000ull;
		     s.outstanding > 0 && bench_now_ns() < t_end;)
			idpf_ctl_poll(ctl);
	}
	if (s.errors == 0 && got > 0)
		rate = (double)got * 1e9 / (double)(now - t0);
	else
		fprintf(stderr, "mailbox: idpf_ctl (%s, window %u): %" PRIu64 " failed calls\n",
			legacy ? "legacy" : "xn", window, s.errors);
	idpf_ctl_destroy(ctl);
	emu_destroy(emu);
	return rate;
}

static int
bench_mailbox_run(int argc, char **argv)
{
	static const unsigned int windows[] = { 1, 8, 64, 256 };
	char prefix[64];
	char *eal[] = { "ctlpath-bench", "--in-memory", "--no-pci", "-l", "0",
			"--log-level=lib.eal:error", "--log-level=ctlpath.*:error", prefix };
	unsigned int ms = 500, i;
	double legacy;

	if (argc > 2 && strcmp(argv[1], "--ms") == 0)
		ms = (unsigned int)atoi(argv[2]);
	if (ms == 0 || ms > 60000) {
		fprintf(stderr, "mailbox: --ms wants 1..60000\n");
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench_mbx_%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "mailbox: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	legacy = measure_ctl("bm_legacy", true, 1, ms);
	if (legacy <= 0)
		return -1;
	bench_report("mailbox", "legacy_ctl_msgs_per_s_lat100us", legacy, "msg/s", NULL, 0,
		     false);
	for (i = 0; i < RTE_DIM(windows); i++) {
		unsigned int w = windows[i];
		char name[32], metric[64];
		double emu_rate, raw, ctl, bound = w * 1e6 / LATENCY_US;

		emu_rate = measure_emu_rate(w, ms);
		snprintf(name, sizeof(name), "bm_w%u", w);
		raw = measure_raw(name, LATENCY_US, w, ms);
		snprintf(name, sizeof(name), "bm_c%u", w);
		ctl = measure_ctl(name, false, w, ms);
		if (emu_rate <= 0 || raw <= 0 || ctl <= 0)
			return -1;
		if (bound > emu_rate)
			bound = emu_rate;
		snprintf(metric, sizeof(metric), "emulator_rate_lat0_win%u", w);
		bench_report("mailbox", metric, emu_rate, "msg/s", NULL, 0, false);
		snprintf(metric, sizeof(metric), "raw_msgs_per_s_lat%uus_win%u", LATENCY_US, w);
		bench_report("mailbox", metric, raw, "msg/s", "bound_min(win/lat,emu)", bound,
			     false);
		snprintf(metric, sizeof(metric), "ctl_msgs_per_s_lat%uus_win%u", LATENCY_US, w);
		bench_report("mailbox", metric, ctl, "msg/s", "bound_min(win/lat,emu)", bound,
			     false);
		bench_report("mailbox", metric, ctl, "msg/s", "legacy_ctl(dpdk22.11)", legacy,
			     false);
	}
	rte_eal_cleanup();
	return 0;
}

static struct bench bench_mailbox = {
	.name = "mailbox",
	.help = "mailbox + idpf_ctl msg/s vs the emulator at 100 us, windows 1/8/64/256 [--ms N]",
	.run = bench_mailbox_run,
};

BENCH_REGISTER(bench_mailbox)
