/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench mailbox: messages per second against the emulated device with a 100 us reply
 * latency, for windows of 1, 8, 64 and 256 messages in flight, at these levels:
 *   - raw: the mailbox ring driver alone (idpf_mbx_send + polling, a window of cookies);
 *   - idpf_ctl: the real control channel (idpf_ctl_call_async over lib/xn, VERSION calls, which
 *     the emulated control plane answers any number of times without state), the window kept
 *     full by a caller that polls, with the mailbox interrupt on as in the driver: the ARQ is
 *     drained by whichever of the caller and the EAL interrupt thread comes first. This is the
 *     headline (window 64). Also the same with the interrupt off (only the caller drains), and
 *     idpf_ctl_batch() of @window calls back to back (the driver's port start path; a batch
 *     waits for its last reply, so it cannot reach the bound);
 *   - the channel's CPU cost: idpf_ctl at latency 0 next to the raw mailbox at latency 0.
 * Each figure is set next to its bound measured in the same run, min(window / latency,
 * emulator rate), where the emulator rate is the raw throughput at zero latency with the same
 * window (the best of the repetitions: the box is shared, the best run is the least disturbed,
 * which makes the bound the highest), and the idpf_ctl figures also next to the in-tree design
 * baseline: idpf_ctl in legacy mode (DPDK 22.11: one message in flight, 20 ms ATQ clean loop,
 * 10 ms ARQ polling).
 *
 * Every figure of a window is measured --reps times (default 5), the measurements of one
 * repetition back to back so that they share the machine's load, and the medians are
 * reported. The sending thread polls and yields the CPU when nothing came back; the emulator
 * runs on its own thread. The EAL lcore may run on any CPU (--lcores 0@(0-N)), and so may
 * the control threads, so that no thread is pinned behind another process on a small shared
 * machine.
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
#define LEGACY_CALLS	6	/* ~30 ms each */
#define MAX_WINDOW	256
#define MAX_REPS	15

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

static void
on_ctl_done(void *arg, int result, const void *resp, uint32_t len)
{
	struct run_state *s = arg;

	(void)resp;
	(void)len;
	/* may run on the interrupt thread: the counters are shared with the sending loop */
	if (result < 0)
		__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&s->outstanding, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&s->received, 1, __ATOMIC_RELAXED);
}

/* How idpf_ctl is driven. */
enum ctl_mode {
	CTL_LEGACY,	/* DPDK 22.11's design: LEGACY_CALLS synchronous calls */
	CTL_WINDOW,	/* async calls keeping @window in flight: the caller polls, and the
			 * mailbox interrupt is on as in the driver (either drains the ARQ) */
	CTL_WINDOW_POLL, /* the same with the interrupt off: only the caller drains */
	CTL_BATCH,	/* idpf_ctl_batch() of @window calls back to back, interrupt on */
};

/*
 * idpf_ctl calls per second against an emulator with @latency_us, for @ms milliseconds (the
 * legacy mode makes LEGACY_CALLS calls whatever @ms). <0 on error.
 */
static double
measure_ctl(const char *name, enum ctl_mode mode, uint32_t latency_us, unsigned int window,
	    unsigned int ms)
{
	struct virtchnl2_version_info ver = {
		.major = rte_cpu_to_le_32(VIRTCHNL2_VERSION_MAJOR),
		.minor = rte_cpu_to_le_32(VIRTCHNL2_VERSION_MINOR),
	};
	struct idpf_ctl_conf cc = {
		.name = name, .legacy = mode == CTL_LEGACY, .socket_id = SOCKET_ID_ANY,
		.use_intr = mode == CTL_WINDOW || mode == CTL_BATCH,
	};
	struct idpf_ctl_req reqs[MAX_WINDOW];
	struct run_state s = { 0 };
	char args[64];
	struct emu_dev *emu;
	struct idpf_ctl *ctl;
	struct idpf_hw hw;
	uint64_t t0, t_end, now, got = 0;
	double rate = -1;
	unsigned int i;

	snprintf(args, sizeof(args), "latency_us=%u", latency_us);
	emu = emu_create_args(name, args);
	if (emu == NULL)
		return -1;
	emu_hw_get(emu, &hw);
	ctl = idpf_ctl_create(&hw, &cc);
	if (ctl == NULL) {
		fprintf(stderr, "mailbox: idpf_ctl %s: %s\n", name, rte_strerror(rte_errno));
		emu_destroy(emu);
		return -1;
	}
	t0 = bench_now_ns();
	t_end = t0 + (uint64_t)ms * 1000000;
	switch (mode) {
	case CTL_LEGACY:
		for (i = 0; i < LEGACY_CALLS; i++)
			if (idpf_ctl_call(ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), NULL, 0,
					  0) < 0)
				s.errors++;
		now = bench_now_ns();
		got = LEGACY_CALLS;
		break;
	case CTL_BATCH:
		for (i = 0; i < window; i++)
			reqs[i] = (struct idpf_ctl_req){ .op = VIRTCHNL2_OP_VERSION, .req = &ver,
							 .req_len = sizeof(ver) };
		for (now = t0; now < t_end; now = bench_now_ns()) {
			if (idpf_ctl_batch(ctl, reqs, window, 0) < 0)
				s.errors++;
			got += window;
		}
		break;
	case CTL_WINDOW:
	case CTL_WINDOW_POLL:
		/* the same loop as the raw mailbox's: yield only when nothing came back */
		for (now = t0; now < t_end; now = bench_now_ns()) {
			uint64_t before = __atomic_load_n(&s.received, __ATOMIC_RELAXED);

			while (__atomic_load_n(&s.outstanding, __ATOMIC_ACQUIRE) < window) {
				int rc = idpf_ctl_call_async(ctl, VIRTCHNL2_OP_VERSION, &ver,
							     sizeof(ver), 0, on_ctl_done, &s);

				if (rc == -EAGAIN || rc == -ENOSPC)
					break;	/* every slot or descriptor taken: drain */
				if (rc != 0) {
					__atomic_fetch_add(&s.errors, 1, __ATOMIC_RELAXED);
					break;
				}
				__atomic_fetch_add(&s.outstanding, 1, __ATOMIC_RELAXED);
			}
			idpf_ctl_poll(ctl);
			if (__atomic_load_n(&s.received, __ATOMIC_RELAXED) == before)
				sched_yield();
		}
		got = __atomic_load_n(&s.received, __ATOMIC_RELAXED);
		for (t_end = bench_now_ns() + 3000000000ull;
		     __atomic_load_n(&s.outstanding, __ATOMIC_ACQUIRE) > 0 &&
		     bench_now_ns() < t_end;)
			idpf_ctl_poll(ctl);
		break;
	}
	if (s.errors == 0 && got > 0)
		rate = (double)got * 1e9 / (double)(now - t0);
	else
		fprintf(stderr, "mailbox: idpf_ctl %s (window %u): %" PRIu64 " failed calls\n",
			name, window, s.errors);
	idpf_ctl_destroy(ctl);
	emu_destroy(emu);
	return rate;
}

/* Every figure of one window, one entry per repetition. */
struct win_runs {
	double emu[MAX_REPS];		/* raw mailbox at latency 0: the emulator's rate */
	double raw[MAX_REPS];		/* raw mailbox at LATENCY_US */
	double ctl[MAX_REPS];		/* idpf_ctl, window of async calls, at LATENCY_US */
	double ctlp[MAX_REPS];		/* the same, interrupt off */
	double batch[MAX_REPS];		/* idpf_ctl_batch(), interrupt on, at LATENCY_US */
	double ctl0[MAX_REPS];		/* idpf_ctl, window of async calls, at latency 0 */
};

static double
median_of(const double *v, unsigned int n)
{
	double tmp[MAX_REPS];

	memcpy(tmp, v, n * sizeof(*tmp));
	return bench_median(tmp, n);
}

static double
max_of(const double *v, unsigned int n)
{
	double m = v[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		m = RTE_MAX(m, v[i]);
	return m;
}

/* The figures of one window, @reps times, interleaved so that they share the box's weather. */
static int
run_window(unsigned int w, unsigned int reps, unsigned int ms, struct win_runs *wr)
{
	unsigned int r;

	for (r = 0; r < reps; r++) {
		char name[32];

		snprintf(name, sizeof(name), "bm_e%u_%u", w, r);
		wr->emu[r] = measure_raw(name, 0, w, ms);
		snprintf(name, sizeof(name), "bm_w%u_%u", w, r);
		wr->raw[r] = measure_raw(name, LATENCY_US, w, ms);
		snprintf(name, sizeof(name), "bm_c%u_%u", w, r);
		wr->ctl[r] = measure_ctl(name, CTL_WINDOW, LATENCY_US, w, ms);
		snprintf(name, sizeof(name), "bm_p%u_%u", w, r);
		wr->ctlp[r] = measure_ctl(name, CTL_WINDOW_POLL, LATENCY_US, w, ms);
		snprintf(name, sizeof(name), "bm_b%u_%u", w, r);
		wr->batch[r] = measure_ctl(name, CTL_BATCH, LATENCY_US, w, ms);
		snprintf(name, sizeof(name), "bm_z%u_%u", w, r);
		wr->ctl0[r] = measure_ctl(name, CTL_WINDOW, 0, w, ms);
		if (wr->emu[r] <= 0 || wr->raw[r] <= 0 || wr->ctl[r] <= 0 || wr->ctlp[r] <= 0 ||
		    wr->batch[r] <= 0 || wr->ctl0[r] <= 0)
			return -1;
	}
	return 0;
}

static void
report_window(unsigned int w, unsigned int reps, const struct win_runs *wr, double legacy,
	      bool headline)
{
	/* the least disturbed emulator run is its rate: a conservative (high) bound */
	double emu = max_of(wr->emu, reps);
	double bound = RTE_MIN(w * 1e6 / LATENCY_US, emu);
	double ctl = median_of(wr->ctl, reps);
	char metric[64];

	if (headline) {
		snprintf(metric, sizeof(metric), "idpf_ctl_msgs_per_s_w%u", w);
		bench_report("mailbox", metric, ctl, "msg/s", "bound", bound, false);
		bench_report("mailbox", metric, ctl, "msg/s", "legacy", legacy, false);
		return;
	}
	snprintf(metric, sizeof(metric), "emulator_rate_lat0_w%u", w);
	bench_report("mailbox", metric, emu, "msg/s", NULL, 0, false);
	snprintf(metric, sizeof(metric), "raw_msgs_per_s_w%u", w);
	bench_report("mailbox", metric, median_of(wr->raw, reps), "msg/s", "bound", bound, false);
	snprintf(metric, sizeof(metric), "idpf_ctl_msgs_per_s_w%u", w);
	bench_report("mailbox", metric, ctl, "msg/s", "bound", bound, false);
	bench_report("mailbox", metric, ctl, "msg/s", "raw_mailbox", median_of(wr->raw, reps),
		     false);
	bench_report("mailbox", metric, ctl, "msg/s", "legacy", legacy, false);
	snprintf(metric, sizeof(metric), "idpf_ctl_nointr_msgs_per_s_w%u", w);
	bench_report("mailbox", metric, median_of(wr->ctlp, reps), "msg/s", "bound", bound,
		     false);
	snprintf(metric, sizeof(metric), "idpf_ctl_batch_msgs_per_s_w%u", w);
	bench_report("mailbox", metric, median_of(wr->batch, reps), "msg/s", "bound", bound,
		     false);
	/* CPU cost of the channel: both sides at latency 0, where software is the limit */
	snprintf(metric, sizeof(metric), "idpf_ctl_rate_lat0_w%u", w);
	bench_report("mailbox", metric, median_of(wr->ctl0, reps), "msg/s", "emulator_rate",
		     median_of(wr->emu, reps), false);
}

static int
bench_mailbox_run(int argc, char **argv)
{
	static const unsigned int windows[] = { 1, 8, 64, 256 };
	static struct win_runs runs[RTE_DIM(windows)];
	char prefix[64], lcores[64];
	char *eal[] = { "ctlpath-bench", "--in-memory", "--no-pci", lcores,
			"--log-level=lib.eal:error", "--log-level=ctlpath.*:error", prefix };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int ms = 200, reps = 5, only = 0, i;
	double legacy;
	int a;

	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--ms") == 0)
			ms = (unsigned int)atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--reps") == 0)
			reps = (unsigned int)atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--window") == 0)
			only = (unsigned int)atoi(argv[a + 1]);
		else
			break;
	}
	for (i = 0; i < RTE_DIM(windows) && only != 0; i++)
		if (windows[i] == only)
			break;
	if (a < argc || ms == 0 || ms > 60000 || reps == 0 || reps > MAX_REPS ||
	    i == RTE_DIM(windows)) {
		fprintf(stderr, "mailbox: options [--ms 1..60000] [--reps 1..%u] "
			"[--window 1|8|64|256]\n", MAX_REPS);
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=bench_mbx_%d", (int)getpid());
	/* lcore 0 on every CPU: the control threads (emulator, interrupts) float the same way */
	if (ncpu > 1)
		snprintf(lcores, sizeof(lcores), "--lcores=0@(0-%ld)", ncpu - 1);
	else
		snprintf(lcores, sizeof(lcores), "--lcores=0");
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "mailbox: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	legacy = measure_ctl("bm_legacy", CTL_LEGACY, LATENCY_US, 1, ms);
	if (legacy <= 0)
		return -1;
	bench_report("mailbox", "legacy_msgs_per_s", legacy, "msg/s", NULL, 0, false);
	for (i = 0; i < RTE_DIM(windows); i++) {
		if (only != 0 && windows[i] != only)
			continue;
		if (run_window(windows[i], reps, ms, &runs[i]) != 0)
			return -1;
		report_window(windows[i], reps, &runs[i], legacy, false);
	}
	/* the headline: the driver's channel at window 64 */
	for (i = 0; i < RTE_DIM(windows); i++)
		if (windows[i] == 64 && (only == 0 || only == 64))
			report_window(windows[i], reps, &runs[i], legacy, true);
	rte_eal_cleanup();
	return 0;
}

static struct bench bench_mailbox = {
	.name = "mailbox",
	.help = "mailbox + idpf_ctl msg/s vs the emulator at 100 us, windows 1/8/64/256 "
		"[--ms N] [--reps N] [--window N]",
	.run = bench_mailbox_run,
};

BENCH_REGISTER(bench_mailbox)
