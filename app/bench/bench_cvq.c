/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench cvq: control-queue round trip over the real vhost-user path.
 *
 * The benchmark starts build/app/ctlpath-vhost with one vdpa_swcvq device (vendor sim) and
 * drives it with the vhost-user frontend harness (test/swcvq/harness) as the guest: one
 * command in flight, as Linux does, timed from just before the kick to the moment the used
 * entry with the ack is seen. Two modes:
 *  - busy:    the device thread polls its rings (devarg poll=busy) and the guest spins on the
 *             used ring with notifications off;
 *  - eventfd: the device sleeps on the kick eventfd and the guest sleeps on the call eventfd.
 * Baselines, measured in the same run:
 *  - busy mode: the round trip of one vhost-user message on the unix socket to the same daemon
 *    (GET_FEATURES, answered by the vhost library) — what a control operation would cost if it
 *    went through the socket instead of the shared ring;
 *  - eventfd mode: two threads of this process waking each other through a pair of eventfds —
 *    the floor of any wake-up based round trip on this machine (ratio < 1 is expected; it shows
 *    how much the device adds on top of two wake-ups).
 *
 * Options: --iters N (default 20000), --vhost PATH (default: ctlpath-vhost next to this
 * program, or $CTLPATH_VHOST), --packed.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bench.h"
#include "vu_frontend.h"

#define WARMUP 500

struct cvq_opts {
	unsigned int iters;
	bool packed;
};

static char vhost_path[PATH_MAX];

static int
find_vhost(const char *arg)
{
	char self[PATH_MAX];
	ssize_t n;

	if (arg == NULL)
		arg = getenv("CTLPATH_VHOST");
	if (arg != NULL) {
		snprintf(vhost_path, sizeof(vhost_path), "%s", arg);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return -errno;
		self[n] = '\0';
		snprintf(vhost_path, sizeof(vhost_path), "%s/ctlpath-vhost", dirname(self));
	}
	if (access(vhost_path, X_OK) != 0) {
		fprintf(stderr, "cvq: %s not found (build with -Dcomponents=...,swcvq,apps or "
			"give --vhost)\n", vhost_path);
		return -ENOENT;
	}
	/* vu_backend_start() takes the daemon from the environment */
	setenv("CTLPATH_VHOST", vhost_path, 1);
	return 0;
}

/* Median and p99 of one command's round trip, in ns. */
static int
measure_cvq(struct vu_net *n, unsigned int iters, bool busy, double *med, double *p99)
{
	double *v = calloc(iters, sizeof(*v));
	struct vu_iov iov;
	struct vu_ctrl c = { .class = VU_CTRL_RX, .cmd = VU_CTRL_RX_ALLMULTI, .data = &iov,
			     .ndata = 1, .layout = VU_LAYOUT_LINUX };
	struct vu_ctrl_done d;
	uint64_t t0;
	unsigned int i;
	uint8_t on;
	uint16_t id, got;
	int rc = 0;

	if (v == NULL)
		return -ENOMEM;
	iov.base = &on;
	iov.len = 1;
	vu_ring_set_interrupts(vu_net_cvq(n), !busy);
	for (i = 0; i < iters + WARMUP; i++) {
		on = (uint8_t)(i & 1);
		t0 = bench_now_ns();
		rc = vu_net_ctrl_submit(n, &c, &id);
		if (rc == 0)
			rc = vu_net_ctrl_reap(n, &got, &d, 2000) == 1 ? 0 : -ETIMEDOUT;
		if (rc == 0 && (got != id || d.ack != VU_ACK_OK))
			rc = -EPROTO;
		if (rc != 0)
			break;
		if (i >= WARMUP)
			v[i - WARMUP] = (double)(bench_now_ns() - t0);
	}
	if (rc == 0) {
		*med = bench_median(v, iters);
		*p99 = bench_percentile(v, iters, 99.0);
	}
	free(v);
	return rc;
}

/* Baseline: one vhost-user request/reply on the socket. */
static int
measure_socket(struct vu_net *n, unsigned int iters, double *med)
{
	double *v = calloc(iters, sizeof(*v));
	unsigned int i;
	uint64_t t0, f;
	int rc = 0;

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < iters && rc == 0; i++) {
		t0 = bench_now_ns();
		rc = vu_get_u64(vu_net_conn(n), VU_GET_FEATURES, &f);
		v[i] = (double)(bench_now_ns() - t0);
	}
	if (rc == 0)
		*med = bench_median(v, iters);
	free(v);
	return rc;
}

struct pingpong {
	int to_peer, to_me;
	unsigned int n;
};

static void *
pingpong_peer(void *arg)
{
	struct pingpong *pp = arg;
	unsigned int i;
	uint64_t v;

	for (i = 0; i < pp->n; i++) {
		if (read(pp->to_peer, &v, sizeof(v)) != sizeof(v))
			break;
		v = 1;
		if (write(pp->to_me, &v, sizeof(v)) != sizeof(v))
			break;
	}
	return NULL;
}

/* Baseline of the eventfd mode: a wake-up round trip between two threads. */
static int
measure_pingpong(unsigned int iters, double *med, double *p99)
{
	struct pingpong pp = { eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC), iters };
	double *v = calloc(iters, sizeof(*v));
	unsigned int i;
	pthread_t th;
	uint64_t t0, x;
	int rc = 0;

	if (v == NULL || pp.to_peer < 0 || pp.to_me < 0 ||
	    pthread_create(&th, NULL, pingpong_peer, &pp) != 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < iters; i++) {
		x = 1;
		t0 = bench_now_ns();
		if (write(pp.to_peer, &x, sizeof(x)) != sizeof(x) ||
		    read(pp.to_me, &x, sizeof(x)) != sizeof(x)) {
			rc = -EIO;
			break;
		}
		v[i] = (double)(bench_now_ns() - t0);
	}
	if (rc != 0)
		pthread_cancel(th);
	pthread_join(th, NULL);
	if (rc == 0) {
		*med = bench_median(v, iters);
		*p99 = bench_percentile(v, iters, 99.0);
	}
out:
	free(v);
	if (pp.to_peer >= 0)
		close(pp.to_peer);
	if (pp.to_me >= 0)
		close(pp.to_me);
	return rc;
}

static int
run_mode(const struct cvq_opts *o, bool busy)
{
	const char *mode = busy ? "busy" : "eventfd";
	struct vu_net_params p = {
		.features = ~(VU_BIT(VU_F_RING_PACKED) | VU_BIT(VU_F_ACCESS_PLATFORM) |
			      VU_BIT(VU_NET_F_MRG_RXBUF) | VU_BIT(VU_NET_F_HASH_REPORT) |
			      VU_BIT(26) | VU_BIT(35)) |
			    (o->packed ? VU_BIT(VU_F_RING_PACKED) : 0),
		.qsize = 64,
		.cvq_size = 64,
		.interrupts = !busy,
		.mem_size = 4u << 20,
	};
	double med = 0, p99 = 0, base = 0, base99 = 0;
	char metric[64];
	struct vu_backend be;
	struct vu_net *n;
	int rc, err;

	rc = vu_backend_start(&be, busy ? "bcb" : "bce",
			      busy ? "vendor=sim,queues=1,poll=busy" : "vendor=sim,queues=1",
			      false);
	if (rc < 0) {
		fprintf(stderr, "cvq: ctlpath-vhost did not start: %s\n", strerror(-rc));
		return rc;
	}
	p.path = be.sock;
	n = vu_net_open(&p, &err);
	if (n == NULL) {
		fprintf(stderr, "cvq: vhost-user bring-up failed: %s (log %s)\n", strerror(-err),
			be.log);
		vu_backend_stop(&be);
		return err;
	}
	rc = measure_cvq(n, o->iters, busy, &med, &p99);
	if (rc == 0 && busy) {
		rc = measure_socket(n, o->iters / 4 + 1, &base);
		base99 = base;
	} else if (rc == 0) {
		rc = measure_pingpong(o->iters, &base, &base99);
	}
	if (rc == 0) {
		const char *bname = busy ? "vhost_user_msg_rtt" : "eventfd_pingpong_rtt";

		snprintf(metric, sizeof(metric), "rtt_median_%s%s", mode,
			 o->packed ? "_packed" : "");
		bench_report("cvq", metric, med, "ns", bname, base, true);
		snprintf(metric, sizeof(metric), "rtt_p99_%s%s", mode,
			 o->packed ? "_packed" : "");
		bench_report("cvq", metric, p99, "ns", busy ? bname : "eventfd_pingpong_p99",
			     base99, true);
	} else {
		fprintf(stderr, "cvq: %s mode failed: %s (log %s)\n", mode, strerror(-rc), be.log);
	}
	vu_net_close(n);
	if (vu_backend_stop(&be) == 0 && rc == 0)
		unlink(be.log);
	return rc;
}

static int
cvq_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iters", required_argument, NULL, 'i' },
		{ "vhost", required_argument, NULL, 'v' },
		{ "packed", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct cvq_opts o = { .iters = 20000 };
	const char *vhost = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.iters = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'v':
			vhost = optarg;
			break;
		case 'p':
			o.packed = true;
			break;
		default:
			fprintf(stderr, "usage: cvq [--iters N] [--vhost PATH] [--packed]\n");
			return 2;
		}
	}
	if (o.iters == 0)
		o.iters = 1;
	rc = find_vhost(vhost);
	if (rc < 0)
		return rc;
	rc = run_mode(&o, true);
	if (rc == 0)
		rc = run_mode(&o, false);
	return rc;
}

static struct bench cvq_bench = {
	.name = "cvq",
	.help = "CVQ round trip over vhost-user into ctlpath-vhost (busy-poll and eventfd)",
	.run = cvq_run,
};

BENCH_REGISTER(cvq_bench)
