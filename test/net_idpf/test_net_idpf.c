/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idpf PMD through the ethdev API, on emulated devices created with rte_vdev_init(). The
 * driver's sources are built into this program, so a test can reach the port's emulated
 * device (reset it, stall it) the way a real device would misbehave.
 *
 * argv: [case names...]; EAL runs --in-memory with a file prefix of its own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "emu.h"
#include "idpf_xn_ethdev.h"
#include "test.h"

static struct rte_mempool *pool;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Create a port on a fresh emulated device; -1 on failure. */
static int
port_create(const char *name, const char *args)
{
	uint16_t port;

	if (rte_vdev_init(name, args) != 0)
		return -1;
	if (rte_eth_dev_get_port_by_name(name, &port) != 0)
		return -1;
	return port;
}

static void
port_destroy(const char *name)
{
	rte_vdev_uninit(name);
}

/* configure @p nq queue pairs with RSS and start */
static int
port_start(uint16_t port, uint16_t nq)
{
	struct rte_eth_conf conf = {
		.rxmode.mq_mode = nq > 1 ? RTE_ETH_MQ_RX_RSS : RTE_ETH_MQ_RX_NONE,
		.rx_adv_conf.rss_conf.rss_hf = nq > 1 ? RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6 : 0,
	};
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_rx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL, pool);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_tx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL);
	return rc == 0 ? rte_eth_dev_start(port) : rc;
}

static struct idpf_xn_port *
priv(uint16_t port)
{
	return idpf_xn_port(&rte_eth_devices[port]);
}

/* One xstat by name; UINT64_MAX when missing. */
static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* ---- cases ---- */

static int
test_probe_start_stop(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_rss_conf rss = { 0 };
	struct rte_eth_link link;
	int port = port_create("net_idpf_emu_ut0", "qpairs=8,latency_us=10");

	TEST_ASSERT(port >= 0, "probe failed");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "info");
	TEST_ASSERT_EQUAL(info.max_rx_queues, 8, "qpairs=8 asks CREATE_VPORT for 8 pairs");
	TEST_ASSERT(info.reta_size > 0 && info.hash_key_size == 52, "RSS limits from the vport");
	TEST_ASSERT_SUCCESS(port_start(port, 4), "start with 4 queue pairs");
	TEST_ASSERT(priv(port)->vp.enabled, "vport enabled on the device");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_UP, "link up after start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(port, &rss), "rss conf");
	TEST_ASSERT(rss.rss_hf & RTE_ETH_RSS_IPV4, "device keeps the rss_hf of configure");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT(!priv(port)->vp.enabled, "vport disabled");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mtu(port, 60000), -EINVAL, "MTU above the device's max");
	TEST_ASSERT_SUCCESS(port_start(port, 8), "restart with 8 queue pairs");
	TEST_ASSERT_EQUAL(xstat(port, "mbx_timed_out"), 0, "no timeout");
	TEST_ASSERT_EQUAL(xstat(port, "mbx_inflight"), 0, "nothing left in flight");
	port_destroy("net_idpf_emu_ut0");
	return TEST_SUCCESS;
}

static int
test_bad_devargs_rejected(void)
{
	static const char *const bad[] = {
		"slots=0", "slots=300", "ctl=fast", "intr=2", "qpairs=-1", "timeout_ms=x",
		"latency_us=abc", "no_such_key=1",
	};
	struct idpf_xn_args a;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT(rte_vdev_init("net_idpf_emu_bad", bad[i]) != 0,
			    "devargs '%s' accepted", bad[i]);
	TEST_ASSERT_SUCCESS(idpf_xn_parse_args("ctl=legacy,slots=8,latency_us=5", &a, NULL, 0) ==
			    -EINVAL ? 0 : 1, "an emulator key on the PCI door is refused");
	return TEST_SUCCESS;
}

/* A filter the device refuses never enters the driver's lists. */
static int
test_refused_filters_not_recorded(void)
{
	struct rte_ether_addr mc[6];
	struct idpf_xn_port *p;
	int port = port_create("net_idpf_emu_ut1", "macs=4");
	unsigned int i;

	TEST_ASSERT(port >= 0, "probe failed");
	TEST_ASSERT_SUCCESS(port_start(port, 1), "start");
	p = priv(port);
	for (i = 0; i < RTE_DIM(mc); i++) {
		memset(&mc[i], 0, sizeof(mc[i]));
		mc[i].addr_bytes[0] = 0x01;
		mc[i].addr_bytes[5] = (uint8_t)(i + 1);
	}
	/* 6 addresses, room for 4 on the device */
	TEST_ASSERT(rte_eth_dev_set_mc_addr_list(port, mc, 6) < 0, "over the device's limit");
	TEST_ASSERT_EQUAL(p->nb_mc, 4, "the list holds what the device holds");
	/* shrink: the 4 kept ones go away and 2 new go in */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(port, &mc[4], 2), "shrink");
	TEST_ASSERT_EQUAL(p->nb_mc, 2, "list follows the device");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(port, NULL, 0), "flush");
	TEST_ASSERT_EQUAL(p->nb_mc, 0, "empty");
	for (i = 0; i < 4; i++) {
		struct rte_ether_addr a = { .addr_bytes = { 0x02, 0, 0, 0, 0x10, (uint8_t)i } };

		TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(port, &a, 0), "mac %u", i);
	}
	{
		struct rte_ether_addr a = { .addr_bytes = { 0x02, 0, 0, 0, 0x10, 9 } };

		struct rte_ether_addr list[IDPF_XN_MAX_MAC];
		int n, k;

		TEST_ASSERT(rte_eth_dev_mac_addr_add(port, &a, 0) < 0, "5th filter refused");
		n = rte_eth_macaddrs_get(port, list, RTE_DIM(list));
		for (k = 0; k < n; k++)
			TEST_ASSERT(!rte_is_same_ether_addr(&list[k], &a), "and not recorded");
	}
	port_destroy("net_idpf_emu_ut1");
	return TEST_SUCCESS;
}

/* ---- two threads on one port ---- */

#define MAC_ROUNDS 300

struct mac_thread {
	uint16_t port;
	int failures;
	volatile int done;
};

static void *
mac_worker(void *arg)
{
	struct mac_thread *t = arg;
	unsigned int i;

	for (i = 0; i < MAC_ROUNDS; i++) {
		struct rte_ether_addr a = {
			.addr_bytes = { 0x02, 0x11, 0, 0, (uint8_t)(i >> 8), (uint8_t)i } };

		if (rte_eth_dev_mac_addr_add(t->port, &a, 0) != 0 ||
		    rte_eth_dev_mac_addr_remove(t->port, &a) != 0)
			t->failures++;
	}
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int
test_xstats_while_mac_filters_change(void)
{
	struct rte_eth_xstat xs[IDPF_XN_XSTATS_MAX];
	struct mac_thread t = { 0 };
	struct rte_eth_stats st;
	unsigned int reads = 0, bad_reads = 0;
	uint64_t add0;
	pthread_t th;
	int port = port_create("net_idpf_emu_ut2", "latency_us=20,jitter_us=20,reorder=4");
	int n;

	TEST_ASSERT(port >= 0, "probe failed");
	TEST_ASSERT_SUCCESS(port_start(port, 4), "start");
	t.port = (uint16_t)port;
	add0 = xstat(port, "mbx_op_ADD_MAC_ADDR_calls");
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, mac_worker, &t), "thread");
	while (!__atomic_load_n(&t.done, __ATOMIC_ACQUIRE)) {
		n = rte_eth_xstats_get(port, xs, RTE_DIM(xs));
		if (n <= 0 || n > (int)RTE_DIM(xs) || rte_eth_stats_get(port, &st) != 0)
			bad_reads++;
		reads++;
	}
	pthread_join(th, NULL);
	printf("  %u xstats reads during %u MAC add/remove pairs\n", reads, MAC_ROUNDS);
	TEST_ASSERT_EQUAL(t.failures, 0, "MAC calls failed");
	TEST_ASSERT_EQUAL(bad_reads, 0, "stats reads failed");
	TEST_ASSERT(reads > 10, "the reader ran alongside");
	TEST_ASSERT_EQUAL(xstat(port, "mbx_op_ADD_MAC_ADDR_calls") - add0, MAC_ROUNDS,
			  "every add went out once");
	TEST_ASSERT_EQUAL(xstat(port, "mbx_timed_out"), 0, "no timeout");
	TEST_ASSERT_EQUAL(xstat(port, "mbx_inflight"), 0, "nothing left in flight");
	TEST_ASSERT_EQUAL(xstat(port, "mbx_stale_dropped") + xstat(port, "mbx_late_dropped"), 0,
			  "no reply matched to the wrong call");
	port_destroy("net_idpf_emu_ut2");
	return TEST_SUCCESS;
}

/* ---- device reset with a call in flight ---- */

static int reset_events;

static int
on_reset_event(uint16_t port __rte_unused, enum rte_eth_event_type ev __rte_unused,
	       void *arg __rte_unused, void *ret __rte_unused)
{
	__atomic_fetch_add(&reset_events, 1, __ATOMIC_RELAXED);
	return 0;
}

struct call_thread {
	uint16_t port;
	int rc;
	uint64_t ms;
};

static void *
slow_call(void *arg)
{
	struct call_thread *c = arg;
	struct rte_ether_addr a = { .addr_bytes = { 0x02, 0x22, 0, 0, 0, 1 } };
	uint64_t t0 = now_ms();

	c->rc = rte_eth_dev_mac_addr_add(c->port, &a, 0);
	c->ms = now_ms() - t0;
	return NULL;
}

static int
test_reset_fails_calls_and_recovers(void)
{
	struct rte_ether_addr keep = { .addr_bytes = { 0x02, 0x33, 0, 0, 0, 1 } };
	struct call_thread c = { 0 };
	struct idpf_xn_port *p;
	struct emu_stats es;
	pthread_t th;
	uint64_t t0;
	int port = port_create("net_idpf_emu_ut3", "latency_us=100000,timeout_ms=5000");

	TEST_ASSERT(port >= 0, "probe failed");
	TEST_ASSERT_SUCCESS(port_start(port, 2), "start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(port, &keep, 0), "filter to replay");
	rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET, on_reset_event, NULL);
	p = priv(port);
	c.port = (uint16_t)port;
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, slow_call, &c), "thread");
	usleep(30000);
	emu_reset(p->emu);
	pthread_join(th, NULL);
	printf("  call in flight ended after %" PRIu64 " ms with %d\n", c.ms, c.rc);
	TEST_ASSERT(c.rc < 0, "the call in flight failed");
	TEST_ASSERT(c.ms < 100, "promptly (reply latency 100 ms, timeout 5 s)");
	TEST_ASSERT_EQUAL(__atomic_load_n(&reset_events, __ATOMIC_RELAXED), 1, "INTR_RESET raised");
	t0 = now_ms();
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_enable(port), -ENXIO, "later calls fail");
	TEST_ASSERT(now_ms() - t0 < 20, "at once");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_reset(port), "reset");
	TEST_ASSERT_SUCCESS(port_start(port, 2), "start again");
	TEST_ASSERT(p->vp.enabled, "vport enabled on the new device state");
	emu_stats_get(p->emu, &es);
	TEST_ASSERT_EQUAL(es.resets, 1, "one device reset");
	TEST_ASSERT(rte_eth_dev_mac_addr_add(port, &keep, 0) == 0, "port works again");
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RESET, on_reset_event, NULL);
	port_destroy("net_idpf_emu_ut3");
	return TEST_SUCCESS;
}

/* DPDK 22.11's design, kept for the benchmark's baseline, still works end to end. */
static int
test_legacy_mode_works(void)
{
	int port = port_create("net_idpf_emu_ut4", "ctl=legacy,qpairs=2");

	TEST_ASSERT(port >= 0, "probe failed");
	TEST_ASSERT_SUCCESS(port_start(port, 2), "start");
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_disable(port), "promisc off");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	port_destroy("net_idpf_emu_ut4");
	return TEST_SUCCESS;
}

/* Two emulated devices at once, each with its own state. */
static int
test_two_instances(void)
{
	struct rte_ether_addr a = { .addr_bytes = { 0x02, 0x44, 0, 0, 0, 1 } };
	int p0 = port_create("net_idpf_emu_ut5", NULL);
	int p1 = port_create("net_idpf_emu_ut6", "qpairs=2");

	TEST_ASSERT(p0 >= 0 && p1 >= 0, "probe failed");
	TEST_ASSERT_SUCCESS(port_start(p0, 4), "start 0");
	TEST_ASSERT_SUCCESS(port_start(p1, 2), "start 1");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(p0, &a, 0), "mac on 0");
	TEST_ASSERT(priv(p0)->emu != priv(p1)->emu, "separate devices");
	TEST_ASSERT_EQUAL(xstat(p1, "mbx_op_ADD_MAC_ADDR_calls"), 0, "port 1 untouched");
	port_destroy("net_idpf_emu_ut6");
	port_destroy("net_idpf_emu_ut5");
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(test_probe_start_stop),
	TEST_CASE(test_bad_devargs_rejected),
	TEST_CASE(test_refused_filters_not_recorded),
	TEST_CASE(test_xstats_while_mac_filters_change),
	TEST_CASE(test_reset_fails_calls_and_recovers),
	TEST_CASE(test_legacy_mode_works),
	TEST_CASE(test_two_instances),
};

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--in-memory", "--no-pci", "-l", "0",
			"--log-level=lib.eal:error", "--log-level=pmd.net.idpf_xn:critical",
			"--log-level=ctlpath.*:critical", "--log-level=pmd:critical", prefix };
	int rc;

	snprintf(prefix, sizeof(prefix), "--file-prefix=t_net_idpf_%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		printf("EAL init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("t_net_idpf", 2048, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("no mbuf pool\n");
		return 1;
	}
	rc = test_run_cases("net_idpf", cases, RTE_DIM(cases), argc, argv);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
