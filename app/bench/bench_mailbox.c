/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench mailbox: raw mailbox messages per second against the emulated device with a
 * 100 us reply latency, for windows of 1, 8, 64 and 256 outstanding cookies. Each figure is
 * set next to its bound measured in the same run: min(window / latency, emulator rate), where
 * the emulator rate is the throughput at zero latency with the deepest window (the better of
 * two runs).
 *
 * One thread sends and drains (polling, no interrupt); the emulator runs on its own thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_errno.h>
#include <rte_pause.h>

#include "bench.h"
#include "emu.h"
#include "idpf_mbx.h"

#define OP_RAW		4000	/* not virtchnl2: the control plane answers at once */
#define LATENCY_US	100

struct run_state {
	unsigned int outstanding;
	uint64_t received;
};

static void
on_recv(void *arg, const struct idpf_mbx_msg *m)
{
	struct run_state *s = arg;

	(void)m;
	s->outstanding--;
	s->received++;
}

/* Messages per second with @window cookies outstanding for @ms milliseconds; <0 on error. */
static double
measure(const char *name, uint32_t latency_us, unsigned int window, unsigned int ms)
{
	char args[64];
	struct run_state s = { 0 };
	struct idpf_mbx_conf c = {
		.name = name, .socket_id = SOCKET_ID_ANY, .recv_cb = on_recv, .cb_arg = &s,
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
			rte_pause();
	}
	got = s.received;
	/* let the stragglers land before tearing down */
	for (t_end = bench_now_ns() + 1000000000ull; s.outstanding > 0 && bench_now_ns() < t_end;)
		idpf_mbx_poll(mbx);
	idpf_mbx_destroy(mbx);
	emu_destroy(emu);
	return (double)got * 1e9 / (double)(now - t0);
}

static int
bench_mailbox_run(int argc, char **argv)
{
	static const unsigned int windows[] = { 1, 8, 64, 256 };
	char prefix[64];
	char *eal[] = { "ctlpath-bench", "--in-memory", "--no-pci", "-l", "0",
			"--log-level=lib.eal:error", "--log-level=ctlpath.*:error", prefix };
	unsigned int ms = 1000, i;
	double emu_rate, rate_after;

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
	/* the bound's emulator rate: the better of two runs, before and after, on a shared box */
	emu_rate = measure("bm_rate0", 0, 256, ms);
	rate_after = measure("bm_rate1", 0, 256, ms);
	if (emu_rate <= 0 || rate_after <= 0)
		return -1;
	if (rate_after > emu_rate)
		emu_rate = rate_after;
	bench_report("mailbox", "emulator_rate_lat0_win256", emu_rate, "msg/s", NULL, 0, false);
	for (i = 0; i < RTE_DIM(windows); i++) {
		char name[32], metric[48];
		double rate, bound = windows[i] * 1e6 / LATENCY_US;

		snprintf(name, sizeof(name), "bm_w%u", windows[i]);
		snprintf(metric, sizeof(metric), "msgs_per_s_lat%uus_win%u", LATENCY_US,
			 windows[i]);
		rate = measure(name, LATENCY_US, windows[i], ms);
		if (rate <= 0)
			return -1;
		if (bound > emu_rate)
			bound = emu_rate;
		bench_report("mailbox", metric, rate, "msg/s", "bound_min(win/lat,emu)", bound,
			     false);
	}
	rte_eal_cleanup();
	return 0;
}

static struct bench bench_mailbox = {
	.name = "mailbox",
	.help = "raw mailbox msg/s vs the emulator at 100 us latency, windows 1/8/64/256 [--ms N]",
	.run = bench_mailbox_run,
};

BENCH_REGISTER(bench_mailbox)
