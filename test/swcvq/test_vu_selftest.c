/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the vhost-user frontend harness against DPDK's own vhost-user backend (the
 * net_vhost PMD in dpdk-testpmd, forwarding every frame back out of the same port): frames the
 * harness transmits must come back intact and in order over split and packed rings, with one
 * or two memory regions, and the ring bases read at stop must match the harness' indices.
 * This proves the harness before it is used as the oracle for ctlpath-vhost. Skipped when
 * dpdk-testpmd is not installed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "vu_frontend.h"

static char sock_path[128];
static char log_path[128];

static pid_t
start_testpmd(void)
{
	const char *tp = getenv("TESTPMD");
	char vdev[256], prefix[64];
	char *argv[32];
	int a = 0;

	if (tp == NULL || tp[0] == '\0' || access(tp, X_OK) != 0)
		return -ENOENT;
	snprintf(sock_path, sizeof(sock_path), "/tmp/vu-self-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "/tmp/vu-self-%d.log", (int)getpid());
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=1", sock_path);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vuself%d", (int)getpid());
	unlink(sock_path);
	argv[a++] = (char *)tp;
	argv[a++] = "-l";
	argv[a++] = "0,1";
	argv[a++] = "--in-memory";
	argv[a++] = "--no-pci";
	argv[a++] = prefix;
	argv[a++] = "--log-level=lib.eal:error";
	argv[a++] = "--vdev";
	argv[a++] = vdev;
	argv[a++] = "--";
	argv[a++] = "--forward-mode=io";
	argv[a++] = "--port-topology=loop";
	argv[a++] = "--auto-start";
	argv[a++] = "--stats-period=100";
	argv[a++] = "--total-num-mbufs=2048";
	argv[a] = NULL;
	return vu_proc_start(argv, log_path);
}

static void
make_frame(uint8_t *f, size_t len, uint32_t seq)
{
	size_t i;

	memset(f, 0xff, 6);				/* broadcast */
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x09", 6);
	f[12] = 0x88;
	f[13] = 0xb5;					/* local experimental ethertype */
	memcpy(f + 14, &seq, 4);
	for (i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

/* Send @count frames of growing size on pair 0 and check each one comes back, in order. */
static int
loop_frames(struct vu_net *n, unsigned int count)
{
	uint8_t tx[1514], rx[2048];
	unsigned int i;
	size_t len;
	int got;

	for (i = 0; i < count; i++) {
		len = 60 + (i * 37) % (sizeof(tx) - 60);
		make_frame(tx, len, i);
		TEST_ASSERT_SUCCESS(vu_net_send(n, 0, tx, len), "send %u", i);
		got = vu_net_recv(n, 0, rx, sizeof(rx), 10000);	/* generous: loaded CI machines */
		TEST_ASSERT_EQUAL(got, (int)len, "frame %u came back with the same length", i);
		TEST_ASSERT(memcmp(tx, rx, len) == 0, "frame %u came back intact", i);
	}
	/* nothing extra arrives */
	TEST_ASSERT_EQUAL(vu_net_recv(n, 0, rx, sizeof(rx), 50), 0, "no duplicate frames");
	return TEST_SUCCESS;
}

static int
run_case(bool packed, unsigned int nregions, bool interrupts, unsigned int rounds)
{
	struct vu_net_params p = {
		.path = sock_path,
		.features = VU_BIT(VU_F_VERSION_1) | (packed ? VU_BIT(VU_F_RING_PACKED) : 0),
		.qsize = 256,
		.interrupts = interrupts,
		.nregions = nregions,
		.mem_size = 8u << 20,
	};
	struct vu_net *n;
	unsigned int r;
	pid_t pid;
	int err = 0, rc;

	pid = start_testpmd();
	if (pid == -ENOENT)
		TEST_SKIP("dpdk-testpmd not found (TESTPMD unset): harness self-test skipped");
	TEST_ASSERT(pid > 0, "testpmd started");
	rc = TEST_SUCCESS;
	for (r = 0; r < rounds && rc == TEST_SUCCESS; r++) {
		n = vu_net_open(&p, &err);
		if (n == NULL) {
			printf("  vu_net_open: %s (see %s)\n", strerror(-err), log_path);
			rc = TEST_FAILED;
			break;
		}
		if (packed && !(vu_net_features(n) & VU_BIT(VU_F_RING_PACKED))) {
			vu_net_abort(n);
			vu_proc_stop(pid, SIGTERM, 5000);
			TEST_SKIP("backend does not offer RING_PACKED");
		}
		rc = loop_frames(n, 300);
		err = vu_net_close(n);
		if (rc == TEST_SUCCESS && err != 0) {
			printf("  vu_net_close: %s\n", strerror(-err));
			rc = TEST_FAILED;
		}
	}
	TEST_ASSERT(vu_proc_alive(pid), "testpmd survived %u connections", rounds);
	vu_proc_stop(pid, SIGTERM, 10000);
	unlink(sock_path);
	if (rc == TEST_SUCCESS)
		unlink(log_path);
	return rc;
}

static int
test_split_loopback_intact_and_ordered(void)
{
	return run_case(false, 1, true, 1);
}

static int
test_packed_loopback_intact_and_ordered(void)
{
	return run_case(true, 1, true, 1);
}

static int
test_two_regions_polling(void)
{
	return run_case(false, 2, false, 1);
}

static int
test_reconnect_three_times(void)
{
	return run_case(false, 1, true, 3);
}

static int
test_mem_bounds(void)
{
	struct vu_mem *m = vu_mem_create(1 << 20, 2, 0x100000);
	uint64_t gpa;
	void *p;

	TEST_ASSERT(m != NULL, "memory created");
	TEST_ASSERT(vu_mem_ptr(m, 0x100000 - 1, 1) == NULL, "below the base is outside");
	TEST_ASSERT(vu_mem_ptr(m, vu_mem_gpa_end(m) - 1, 2) == NULL, "past the end is outside");
	TEST_ASSERT(vu_mem_ptr(m, vu_mem_gpa_end(m) - 1, 1) != NULL, "last byte is inside");
	p = vu_mem_alloc_straddling(m, 64, &gpa);
	TEST_ASSERT(p != NULL, "straddling buffer");
	TEST_ASSERT(gpa < vu_mem_region_boundary(m) && gpa + 64 > vu_mem_region_boundary(m),
		    "buffer crosses the region boundary");
	TEST_ASSERT(vu_mem_alloc(m, 2 << 20, 8, &gpa) == NULL, "oversized allocation refused");
	vu_mem_destroy(m);
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(test_mem_bounds),
	TEST_CASE(test_split_loopback_intact_and_ordered),
	TEST_CASE(test_packed_loopback_intact_and_ordered),
	TEST_CASE(test_two_regions_polling),
	TEST_CASE(test_reconnect_three_times),
};

TEST_MAIN("swcvq_harness_selftest", cases)
