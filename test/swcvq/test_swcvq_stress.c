/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Disconnect and reconnect in a loop under CVQ load: each round connects (split and packed in
 * turn, server and client mode in two daemons), keeps several commands in flight, and then
 * either stops the rings properly or drops the socket with commands still pending. Afterwards
 * the daemon must still answer, its open file descriptors and resident memory must not have
 * grown with the rounds (no leaked eventfds, memfd mappings or engines), and it must exit
 * cleanly (in the ASan build LeakSanitizer turns a leak into a non-zero exit).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "test.h"
#include "swcvq_test_util.h"

/* DPDK's vhost client retries its connection once a second: fewer rounds in client mode */
#define ROUNDS_SERVER 40
#define ROUNDS_CLIENT 6
#define INFLIGHT 8

static int
count_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static long
count_maps(pid_t pid)
{
	char path[64], line[512];
	long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "vu-guest") != NULL)
			n++;
	fclose(f);
	return n;
}

/* One round: open, load the CVQ, close or drop. Returns commands acked. */
static int
round_trip(const char *sock, bool listen, bool packed, bool drop, unsigned int *acked)
{
	struct vu_net_params p = {
		.path = sock, .listen = listen, .features = swt_features(packed),
		.qsize = 32, .cvq_size = 32, .interrupts = true, .mem_size = 4u << 20,
		.timeout_ms = 5000,
	};
	struct vu_ctrl_done d;
	struct vu_net *n;
	uint16_t id, vid;
	unsigned int i, out = 0;
	int err, rc;

	n = vu_net_open(&p, &err);
	TEST_ASSERT(n != NULL, "open (%s)", strerror(-err));
	for (i = 0; i < 200; i++) {
		struct vu_iov iov = { &vid, 2 };
		struct vu_ctrl c = { .class = VU_CTRL_VLAN, .cmd = (uint8_t)(i & 1),
				     .data = &iov, .ndata = 1 };

		vid = (uint16_t)(i % 4000 + 1);
		while (out >= INFLIGHT) {
			rc = vu_net_ctrl_reap(n, &id, &d, 3000);
			TEST_ASSERT_EQUAL(rc, 1, "command completed");
			TEST_ASSERT_EQUAL(d.ack, VU_ACK_OK, "VLAN command acked OK");
			out--;
			(*acked)++;
		}
		rc = vu_net_ctrl_submit(n, &c, &id);
		TEST_ASSERT_SUCCESS(rc, "submit");
		out++;
		if (drop && i == 100 + (*acked % 50))
			break;
	}
	if (drop) {
		vu_net_abort(n);	/* commands still in flight */
		return TEST_SUCCESS;
	}
	while (out > 0) {
		rc = vu_net_ctrl_reap(n, &id, &d, 3000);
		TEST_ASSERT_EQUAL(rc, 1, "tail completed");
		out--;
		(*acked)++;
	}
	TEST_ASSERT_SUCCESS(vu_net_close(n), "orderly stop, bases agree");
	return TEST_SUCCESS;
}

static int
run(bool client)
{
	struct vu_backend be;
	unsigned int acked = 0, r, rounds = client ? ROUNDS_CLIENT : ROUNDS_SERVER;
	int fds0 = -1, fds1, st, rc = TEST_SUCCESS;
	long maps;
	char js[65536];

	rc = vu_backend_start(&be, client ? "stc" : "sts", "vendor=sim,queues=2", client);
	if (rc == -ENOENT)
		TEST_SKIP("CTLPATH_VHOST not set: ctlpath-vhost not built");
	TEST_ASSERT_SUCCESS(rc, "daemon started (log %s)", be.log);
	for (r = 0; r < rounds && rc == TEST_SUCCESS; r++) {
		rc = round_trip(be.sock, client, r & 1, r % 3 == 1, &acked);
		if (r == 1) {
			usleep(300 * 1000);	/* let the daemon notice the disconnect */
			fds0 = count_fds(be.pid);
		}
	}
	TEST_ASSERT_EQUAL(rc, TEST_SUCCESS, "all rounds passed");
	TEST_ASSERT(vu_proc_alive(be.pid), "daemon alive after %u rounds", rounds);
	/* let the daemon notice the last disconnect */
	usleep(300 * 1000);
	fds1 = count_fds(be.pid);
	maps = count_maps(be.pid);
	printf("  %u commands acked, fds after round 2: %d, at the end: %d, guest maps left %ld\n",
	       acked, fds0, fds1, maps);
	TEST_ASSERT(fds1 <= fds0 + 2, "no file descriptors leaked (%d -> %d)", fds0, fds1);
	TEST_ASSERT(maps <= 1, "old guest memory unmapped (%ld maps left)", maps);
	TEST_ASSERT(vu_telemetry(be.prefix, "/ctlpath/swcvq/list", js, sizeof(js)) > 0,
		    "telemetry still answers");
	st = vu_backend_stop(&be);
	TEST_ASSERT(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "clean exit (status %d, log %s)", st, be.log);
	unlink(be.log);
	return TEST_SUCCESS;
}

static int
test_reconnect_loop_server_mode(void)
{
	return run(false);
}

static int
test_reconnect_loop_client_mode(void)
{
	return run(true);
}

static const struct test_case cases[] = {
	TEST_CASE(test_reconnect_loop_server_mode),
	TEST_CASE(test_reconnect_loop_client_mode),
};

TEST_MAIN("swcvq_stress", cases)
