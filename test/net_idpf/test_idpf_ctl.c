/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The idpf control channel (idpf_ctl.h) against an emulated device: what a caller gets back
 * for each kind of device answer, with and without a reply buffer, synchronous, asynchronous
 * and batched, and in the legacy (DPDK 22.11) mode.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "emu.h"
#include "idpf_ctl.h"
#include "test.h"

struct chan {
	struct emu_dev *emu;
	struct idpf_ctl *ctl;
};

static int
chan_up_slots(struct chan *c, const char *emu_args, bool legacy, uint16_t slots)
{
	struct idpf_ctl_conf cc = { .name = "ctltest", .legacy = legacy, .use_intr = true,
				    .timeout_ms = 500, .socket_id = SOCKET_ID_ANY,
				    .nslots = slots };
	struct idpf_hw hw;

	c->emu = emu_create_args("ctltest_emu", emu_args);
	if (c->emu == NULL)
		return -1;
	emu_hw_get(c->emu, &hw);
	c->ctl = idpf_ctl_create(&hw, &cc);
	if (c->ctl == NULL) {
		emu_destroy(c->emu);
		return -1;
	}
	return 0;
}

static int
chan_up(struct chan *c, const char *emu_args, bool legacy)
{
	return chan_up_slots(c, emu_args, legacy, 0);
}

static void
chan_down(struct chan *c)
{
	idpf_ctl_destroy(c->ctl);
	emu_destroy(c->emu);
}

static const struct virtchnl2_version_info ver = {
	.major = VIRTCHNL2_VERSION_MAJOR, .minor = VIRTCHNL2_VERSION_MINOR,
};

static int
injected(int rc)
{
	return rc == -EIO || rc == -EBUSY || rc == -EINVAL || rc == -ENOSPC;
}

static int
reply_length_with_and_without_buffer(void)
{
	struct virtchnl2_version_info r;
	struct chan c;
	int rc;

	TEST_ASSERT_SUCCESS(chan_up(&c, "", false), "channel");
	rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), &r, sizeof(r), 0);
	TEST_ASSERT_EQUAL(rc, sizeof(r), "VERSION reply length");
	TEST_ASSERT_EQUAL(vc2_le32(r.major), 2, "major");
	/* no buffer: the payload is ignored, the length still reported */
	rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), NULL, 0, 0);
	TEST_ASSERT_EQUAL(rc, sizeof(r), "VERSION without a buffer");
	/* a buffer too small is an error, never an overflow */
	rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), &r, 4, 0);
	TEST_ASSERT_EQUAL(rc, -EMSGSIZE, "short buffer");
	chan_down(&c);
	return TEST_SUCCESS;
}

/* Every reply carries an injected virtchnl2 error: no call may look successful. */
static int
device_errors_reach_every_caller(void)
{
	struct virtchnl2_version_info r;
	struct idpf_ctl_req req[4];
	struct chan c;
	unsigned int i;
	int rc;

	TEST_ASSERT_SUCCESS(chan_up(&c, "err=1,seed=3", false), "channel");
	rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), &r, sizeof(r), 0);
	TEST_ASSERT(injected(rc), "with a buffer: %d", rc);
	rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), NULL, 0, 0);
	TEST_ASSERT(injected(rc), "without a buffer: %d", rc);
	memset(req, 0, sizeof(req));
	for (i = 0; i < RTE_DIM(req); i++) {
		req[i].op = VIRTCHNL2_OP_VERSION;
		req[i].req = &ver;
		req[i].req_len = sizeof(ver);
	}
	rc = idpf_ctl_batch(c.ctl, req, RTE_DIM(req), 0);
	TEST_ASSERT(injected(rc), "batch: %d", rc);
	for (i = 0; i < RTE_DIM(req); i++)
		TEST_ASSERT(injected(req[i].result), "batch entry %u: %d", i, req[i].result);
	chan_down(&c);
	return TEST_SUCCESS;
}

static int
legacy_mode_reports_errors_too(void)
{
	struct chan c;
	int rc;

	TEST_ASSERT_SUCCESS(chan_up(&c, "err=1,seed=3", true), "legacy channel");
	rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), NULL, 0, 0);
	TEST_ASSERT(injected(rc), "legacy without a buffer: %d", rc);
	chan_down(&c);
	return TEST_SUCCESS;
}

/* A lost reply to a query is asked again; the caller sees one success. */
static int
lost_query_reply_is_asked_again(void)
{
	struct virtchnl2_get_capabilities caps = { 0 }, r;
	struct idpf_ctl_op_stats os;
	struct chan c;
	int rc, i, ok = 0;

	/* a third of the replies are dropped: three tries make a failure unlikely, not rare */
	TEST_ASSERT_SUCCESS(chan_up(&c, "drop=0.33,seed=5", false), "channel");
	for (i = 0; i < 10; i++) {
		rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), NULL, 0, 0);
		if (rc >= 0)
			break;
	}
	TEST_ASSERT(rc >= 0, "VERSION eventually answered");
	for (i = 0; i < 6; i++) {
		rc = idpf_ctl_call(c.ctl, VIRTCHNL2_OP_GET_CAPS, &caps, sizeof(caps), &r,
				   sizeof(r), 100);
		ok += rc == sizeof(r);
	}
	TEST_ASSERT_SUCCESS(idpf_ctl_op_stats(c.ctl, VIRTCHNL2_OP_GET_CAPS, &os), "stats");
	TEST_ASSERT(os.calls > 6, "GET_CAPS sent %" PRIu64 " times for 6 calls", os.calls);
	TEST_ASSERT(ok >= 5, "%d of 6 GET_CAPS calls answered", ok);
	chan_down(&c);
	return TEST_SUCCESS;
}

/*
 * More callers than slots, all asynchronous: the per-slot contexts run dry now and then and
 * the channel falls back to allocating one. Every callback runs exactly once with a result.
 */
struct async_load {
	struct idpf_ctl *ctl;
	atomic_uint done, ok, inflight;
	unsigned int per_thread;
};

static void
load_cb(void *arg, int result, const void *resp __rte_unused, uint32_t len)
{
	struct async_load *l = arg;

	if (result == (int)sizeof(struct virtchnl2_version_info) && len == (uint32_t)result)
		atomic_fetch_add(&l->ok, 1);
	atomic_fetch_add(&l->done, 1);
	atomic_fetch_sub(&l->inflight, 1);
}

static void *
load_thread(void *arg)
{
	struct async_load *l = arg;
	unsigned int i = 0;
	int rc;

	while (i < l->per_thread) {
		atomic_fetch_add(&l->inflight, 1);
		rc = idpf_ctl_call_async(l->ctl, VIRTCHNL2_OP_VERSION, &ver, sizeof(ver), 0,
					 load_cb, l);
		if (rc == 0) {
			i++;
			continue;
		}
		atomic_fetch_sub(&l->inflight, 1);
		if (rc != -EAGAIN)
			break;
		idpf_ctl_poll(l->ctl);	/* every slot busy: let replies in */
	}
	return NULL;
}

static int
async_calls_outnumber_slots(void)
{
	enum { THREADS = 4, PER = 500 };
	struct async_load l = { .per_thread = PER };
	pthread_t th[THREADS];
	unsigned int i, waited = 0;
	struct chan c;

	TEST_ASSERT_SUCCESS(chan_up_slots(&c, "latency_us=20", false, 3), "3-slot channel");
	l.ctl = c.ctl;
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, load_thread, &l);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	while (atomic_load(&l.done) < THREADS * PER && waited++ < 5000) {
		idpf_ctl_poll(c.ctl);
		usleep(1000);
	}
	TEST_ASSERT_EQUAL(atomic_load(&l.done), THREADS * PER, "every callback ran once");
	TEST_ASSERT_EQUAL(atomic_load(&l.ok), THREADS * PER, "each with its reply");
	TEST_ASSERT_EQUAL(atomic_load(&l.inflight), 0, "nothing left in flight");
	chan_down(&c);
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(async_calls_outnumber_slots),
	TEST_CASE(reply_length_with_and_without_buffer),
	TEST_CASE(device_errors_reach_every_caller),
	TEST_CASE(legacy_mode_reports_errors_too),
	TEST_CASE(lost_query_reply_is_asked_again),
};

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--in-memory", "--no-pci", "-l", "0",
			"--log-level=lib.eal:error", "--file-prefix=idpf_ctl_test" };
	int rc;

	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		printf("EAL init failed (hugepages?)\n");
		return 77;
	}
	rc = test_run_cases("idpf_ctl", cases, RTE_DIM(cases), argc, argv);
	rte_eal_cleanup();
	return rc;
}
