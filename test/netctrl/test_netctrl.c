/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netctrl unit tests: every command with its accept and reject rules, feature gates, split and
 * packed rings, indirect tables, odd layouts, malformed chains, event index, deferred completion,
 * replay order, reset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "nc_guest.h"

#define F(b) NC_BIT(NC_F_##b)
#define ALL_F (F(CTRL_VQ) | F(CTRL_RX) | F(CTRL_VLAN) | F(CTRL_RX_EXTRA) | F(GUEST_ANNOUNCE) | \
	F(MQ) | F(CTRL_MAC_ADDR) | F(CTRL_GUEST_OFFLOADS) | F(GUEST_CSUM) | F(GUEST_TSO4) | \
	F(GUEST_TSO6) | F(VERSION_1) | F(INDIRECT_DESC) | F(NOTF_COAL) | F(VQ_NOTF_COAL) | \
	F(DEVICE_STATS) | F(HASH_REPORT) | F(RSS) | F(HASH_TUNNEL))

static struct guest G;
static struct tvendor V;
static const uint8_t MAC0[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct netctrl_config
base_cfg(uint64_t features)
{
	struct netctrl_config c = {
		.features = features, .max_pairs = 4, .hash_types = 0x1ff, .tunnel_types = 0x1f,
		.ops = &tvendor_ops, .ctx = &V,
	};

	memcpy(c.mac, MAC0, 6);
	return c;
}

static int
setup_cfg(struct netctrl_config *c, uint16_t size)
{
	guest_fini(&G);
	memset(&V, 0, sizeof(V));
	V.answer = NETCTRL_OK;
	return guest_init(&G, c, size);
}

static int
setup(uint64_t features, uint16_t size)
{
	struct netctrl_config c = base_cfg(features);

	return setup_cfg(&c, size);
}

static int
run(uint8_t cls, uint8_t cmd, const void *d, uint32_t len)
{
	return guest_run(&G, cls, cmd, d, len, G_LINUX);
}

static uint64_t
cnt_err(enum netctrl_err e)
{
	struct netctrl_counters c;

	netctrl_counters_get(G.nc, &c);
	return c.err[e];
}

static struct netctrl_state S;

static struct netctrl_state *
state(void)
{
	netctrl_state_get(G.nc, &S);
	return &S;
}

/* ---- set-up rules ---- */

static int
test_create_rejects_bad_config(void)
{
	struct netctrl_config c = base_cfg(ALL_F);
	struct netctrl *nc;

	c.features &= ~F(CTRL_VQ);
	TEST_ASSERT(netctrl_create(&c) == NULL && errno == EINVAL, "CTRL_VQ required");
	c = base_cfg(ALL_F);
	c.max_pairs = 0;
	TEST_ASSERT(netctrl_create(&c) == NULL, "max_pairs 0");
	c.max_pairs = NETCTRL_MAX_PAIRS + 1;
	TEST_ASSERT(netctrl_create(&c) == NULL, "max_pairs too big");
	c = base_cfg(ALL_F);
	c.rss_max_indir = 64;
	TEST_ASSERT(netctrl_create(&c) == NULL, "indirection table below spec minimum 128");
	c = base_cfg(ALL_F);
	c.rss_max_key = 39;
	TEST_ASSERT(netctrl_create(&c) == NULL, "key below spec minimum 40");
	c = base_cfg(ALL_F);
	c.max_cmd_len = 100;
	TEST_ASSERT(netctrl_create(&c) == NULL, "RSS command cannot fit");
	TEST_ASSERT(netctrl_create(NULL) == NULL, "NULL config");
	c = base_cfg(ALL_F);
	nc = netctrl_create(&c);
	TEST_ASSERT(nc != NULL, "valid config");
	TEST_ASSERT_EQUAL(netctrl_poll(nc, 8, NULL), -ENODEV, "no ring yet");
	netctrl_destroy(nc);
	netctrl_destroy(NULL);
	return TEST_SUCCESS;
}

static int
test_set_mem_rejects_bad_regions(void)
{
	struct netctrl_config c = base_cfg(ALL_F);
	struct netctrl *nc = netctrl_create(&c);
	static uint8_t a[64], b[64];
	struct netctrl_mem_region r[2] = { { 0x1000, 64, a }, { 0x1020, 64, b } };
	int rc = 0;

	TEST_ASSERT(nc != NULL, "create");
	if (netctrl_set_mem(nc, r, 2) != -EINVAL)
		rc = 1;
	r[1].gpa = 0x1040;
	if (netctrl_set_mem(nc, r, 2) != 0)
		rc = 2;
	r[1].size = 0;
	if (netctrl_set_mem(nc, r, 2) != -EINVAL)
		rc = 3;
	r[1].size = 64;
	r[1].gpa = UINT64_MAX - 10;
	if (netctrl_set_mem(nc, r, 2) != -EINVAL)
		rc = 4;
	r[1].gpa = 0x2000;
	r[1].hva = NULL;
	if (netctrl_set_mem(nc, r, 2) != -EINVAL)
		rc = 5;
	netctrl_destroy(nc);
	TEST_ASSERT_EQUAL(rc, 0, "region checks (step that failed)");
	return TEST_SUCCESS;
}

static int
test_set_ring_rejects_bad_rings(void)
{
	static uint8_t mem[4096] __attribute__((aligned(64)));
	struct netctrl_config c = base_cfg(ALL_F);
	struct netctrl *nc = netctrl_create(&c);
	struct netctrl_split_ring s = { mem, mem + 1024, mem + 2048, 16, 0, 0 };
	struct netctrl_packed_ring p = { mem, mem + 1024, mem + 2048, 16, 0x8000 };
	int rc = 0;

	TEST_ASSERT(nc != NULL, "create");
	s.size = 12;
	if (netctrl_set_split_ring(nc, &s) != -EINVAL)
		rc = 1;
	s.size = 16;
	s.desc = mem + 8;
	if (netctrl_set_split_ring(nc, &s) != -EINVAL)
		rc = 2;
	s.desc = mem;
	s.used = mem + 2050;
	if (netctrl_set_split_ring(nc, &s) != -EINVAL)
		rc = 3;
	s.used = mem + 2048;
	if (netctrl_set_packed_ring(nc, &p) != -EINVAL)
		rc = 4;	/* packed not negotiated */
	if (netctrl_set_split_ring(nc, &s) != 0)
		rc = 5;
	netctrl_destroy(nc);
	c.features |= F(RING_PACKED);
	nc = netctrl_create(&c);
	if (netctrl_set_split_ring(nc, &s) != -EINVAL)
		rc = 6;
	p.base = 0x8000 | 16;
	if (netctrl_set_packed_ring(nc, &p) != -EINVAL)
		rc = 7;	/* start index beyond the ring */
	p.base = 0x8000;
	p.size = 12;	/* packed rings need not be a power of two */
	if (netctrl_set_packed_ring(nc, &p) != 0)
		rc = 8;
	netctrl_destroy(nc);
	TEST_ASSERT_EQUAL(rc, 0, "ring checks (step that failed)");
	return TEST_SUCCESS;
}

/* ---- commands ---- */

static int
test_rx_modes_each_mode_on_off(void)
{
	uint8_t on = 1, off = 0;
	char line[32];
	int m;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT(state()->rx[NETCTRL_RX_PROMISC], "promisc on after reset (QEMU model)");
	for (m = 0; m < NETCTRL_RX_MODE_MAX; m++) {
		TEST_ASSERT_EQUAL(run(NC_CLASS_RX, m, &on, 1), NC_ACK_OK, "mode %d on", m);
		snprintf(line, sizeof(line), "rx %d 1", m);
		TEST_ASSERT(tv_find(&V, line, 0) >= 0, "vendor saw %s", line);
		TEST_ASSERT(state()->rx[m], "shadow mode %d on", m);
		TEST_ASSERT_EQUAL(run(NC_CLASS_RX, m, &off, 1), NC_ACK_OK, "mode %d off", m);
		TEST_ASSERT(!state()->rx[m], "shadow mode %d off", m);
	}
	return TEST_SUCCESS;
}

static int
test_rx_rejects_bad_value_and_length(void)
{
	uint8_t v[2] = { 2, 0 };

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, NC_RX_PROMISC, v, 1), NC_ACK_ERR, "value 2");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_RANGE), 1, "range counted");
	v[0] = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, NC_RX_PROMISC, v, 2), NC_ACK_ERR, "2 bytes");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, NC_RX_PROMISC, v, 0), NC_ACK_ERR, "no byte");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_LENGTH), 2, "length counted");
	TEST_ASSERT_EQUAL(V.n, 0, "vendor never called");
	TEST_ASSERT(state()->rx[NETCTRL_RX_PROMISC], "state untouched");
	return TEST_SUCCESS;
}

/* A valid instance of every command, and the feature that gates it. */
struct gate {
	uint8_t cls, cmd;
	uint8_t data[16];
	uint8_t len;
	uint64_t feature;
};

static const struct gate gates[] = {
	{ 0, 0, { 1 }, 1, F(CTRL_RX) }, { 0, 1, { 1 }, 1, F(CTRL_RX) },
	{ 0, 2, { 1 }, 1, F(CTRL_RX_EXTRA) }, { 0, 3, { 1 }, 1, F(CTRL_RX_EXTRA) },
	{ 0, 4, { 1 }, 1, F(CTRL_RX_EXTRA) }, { 0, 5, { 1 }, 1, F(CTRL_RX_EXTRA) },
	{ 1, 0, { 0 }, 8, F(CTRL_RX) },
	{ 1, 1, { 2, 0, 0, 0, 0, 1 }, 6, F(CTRL_MAC_ADDR) },
	{ 2, 0, { 5 }, 2, F(CTRL_VLAN) }, { 2, 1, { 5 }, 2, F(CTRL_VLAN) },
	{ 3, 0, { 0 }, 0, F(GUEST_ANNOUNCE) },
	{ 4, 0, { 2 }, 2, F(MQ) },
	{ 4, 2, { 0 }, 13, F(HASH_REPORT) },
	{ 5, 0, { 2 }, 8, F(CTRL_GUEST_OFFLOADS) },
	{ 6, 0, { 1, 0, 0, 0, 2 }, 8, F(NOTF_COAL) }, { 6, 1, { 1 }, 8, F(NOTF_COAL) },
	{ 6, 2, { 1, 0, 0, 0, 3 }, 12, F(VQ_NOTF_COAL) },
	{ 7, 0, { 1 }, 4, F(HASH_TUNNEL) },
};

static int
test_feature_gate_each_command(void)
{
	unsigned int i;
	uint64_t before;

	for (i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
		const struct gate *t = &gates[i];

		TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
		TEST_ASSERT_EQUAL(run(t->cls, t->cmd, t->data, t->len), NC_ACK_OK,
				  "class %u cmd %u accepted with its feature", t->cls, t->cmd);
		TEST_ASSERT_EQUAL(V.n, 1, "vendor called once");
		TEST_ASSERT_SUCCESS(setup(ALL_F & ~t->feature, 16), "setup without feature");
		before = cnt_err(NETCTRL_E_FEATURE);
		TEST_ASSERT_EQUAL(run(t->cls, t->cmd, t->data, t->len), NC_ACK_ERR,
				  "class %u cmd %u refused without its feature", t->cls, t->cmd);
		TEST_ASSERT_EQUAL(V.n, 0, "vendor not called");
		TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_FEATURE), before + 1, "counted");
	}
	/* engine-answered commands */
	TEST_ASSERT_SUCCESS(setup(ALL_F & ~F(DEVICE_STATS), 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_STATS, NC_STATS_QUERY, NULL, 0), NC_ACK_ERR, "stats");
	TEST_ASSERT_SUCCESS(setup(ALL_F & ~F(RSS), 16), "setup");
	{
		uint8_t rss[8 + 2 + 3] = { 0 };

		rss[8 + 2] = 1;	/* max_tx_vq 1, table {0}, no key, types 0 */
		TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, rss, sizeof(rss)), NC_ACK_ERR,
				  "RSS gated");
		TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
		TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, rss, sizeof(rss)), NC_ACK_OK,
				  "RSS accepted");
	}
	return TEST_SUCCESS;
}

static int
test_unknown_class_and_command(void)
{
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(run(9, 0, NULL, 0), NC_ACK_ERR, "RSS context class unsupported");
	TEST_ASSERT_EQUAL(run(0, 6, "\1", 1), NC_ACK_ERR, "RX cmd 6");
	TEST_ASSERT_EQUAL(run(200, 200, NULL, 0), NC_ACK_ERR, "garbage");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_UNKNOWN), 3, "counted");
	return TEST_SUCCESS;
}

static uint32_t
mac_table(uint8_t *b, uint32_t uc, uint32_t mc)
{
	uint32_t i, off = 0, v;

	v = htole32(uc);
	memcpy(b, &v, 4);
	off = 4;
	for (i = 0; i < uc; i++, off += 6)
		memcpy(b + off, (uint8_t[6]){ 0x02, 0, 0, 0, 1, (uint8_t)i }, 6);
	v = htole32(mc);
	memcpy(b + off, &v, 4);
	off += 4;
	for (i = 0; i < mc; i++, off += 6)
		memcpy(b + off, (uint8_t[6]){ 0x33, 0x33, 0, 0, 0, (uint8_t)i }, 6);
	return off;
}

static int
test_mac_table_counts_and_overflow(void)
{
	uint8_t b[1024];
	uint32_t n;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	n = mac_table(b, 1, 3);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_OK, "1 + 3");
	TEST_ASSERT(tv_find(&V, "mac_table uc=1 mc=3 of=0/0 first=33", 0) == 0, "vendor args");
	TEST_ASSERT(state()->uc_count == 1 && S.mc_count == 3 && S.mc[2][5] == 2, "shadow");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n + 1), NC_ACK_ERR, "trailing");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n - 1), NC_ACK_ERR, "short");
	b[0] = 200;	/* uc count beyond the bytes */
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_ERR, "uc count");
	b[0] = 0xff;
	b[3] = 0xff;	/* count * 6 overflows 32 bits */
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_ERR, "huge uc");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, 7), NC_ACK_ERR, "< 8 bytes");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_LENGTH), 5, "length errors");
	TEST_ASSERT(state()->mc_count == 3, "shadow kept after refusals");
	n = mac_table(b, 0, 0);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_OK, "empty tables");
	TEST_ASSERT(state()->uc_count == 0 && S.mc_count == 0, "emptied");
	n = mac_table(b, 70, 2);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_OK,
			  "more entries than kept: accepted (spec: fall back, do not fail)");
	TEST_ASSERT(state()->uc_overflow && S.uc_count == NETCTRL_MAC_TABLE_MAX && !S.mc_overflow,
		    "overflow flagged");
	return TEST_SUCCESS;
}

static int
test_mac_addr_set_rules(void)
{
	uint8_t m[7] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT(memcmp(state()->mac, MAC0, 6) == 0, "config MAC is the default");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 6), NC_ACK_OK, "set");
	TEST_ASSERT(memcmp(state()->mac, m, 6) == 0, "shadow MAC");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 5), NC_ACK_ERR, "5 bytes");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 7), NC_ACK_ERR, "7 bytes");
	m[0] = 0x01;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 6), NC_ACK_ERR, "multicast");
	memset(m, 0, 6);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 6), NC_ACK_ERR, "zero");
	TEST_ASSERT_EQUAL(V.n, 1, "vendor saw only the valid one");
	return TEST_SUCCESS;
}

static int
test_vlan_range_and_bitmap(void)
{
	uint16_t v;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	v = htole16(0);
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 2), NC_ACK_OK, "vid 0");
	v = htole16(4095);
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 2), NC_ACK_OK, "vid 4095");
	v = htole16(4096);
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 2), NC_ACK_ERR, "vid 4096");
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_DEL, &v, 2), NC_ACK_ERR, "del 4096");
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 1), NC_ACK_ERR, "1 byte");
	TEST_ASSERT(state()->vlans[0] == 1 && S.vlans[127] == 0x80000000u, "bitmap");
	v = htole16(0);
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_DEL, &v, 2), NC_ACK_OK, "del 0");
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_DEL, &v, 2), NC_ACK_OK, "del absent: OK");
	TEST_ASSERT(state()->vlans[0] == 0, "cleared");
	return TEST_SUCCESS;
}

static int
test_announce_ack_takes_no_data(void)
{
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_ANNOUNCE, NC_ANNOUNCE_ACK, NULL, 0), NC_ACK_OK, "ack");
	TEST_ASSERT(tv_find(&V, "announce_ack", 0) == 0, "vendor cleared the status bit");
	TEST_ASSERT_EQUAL(run(NC_CLASS_ANNOUNCE, NC_ANNOUNCE_ACK, "x", 1), NC_ACK_ERR, "data");
	return TEST_SUCCESS;
}

static int
test_mq_pairs_range(void)
{
	uint16_t n;
	uint8_t three[3] = { 1, 0, 0 };

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(state()->queue_pairs, 1, "1 after reset");
	n = htole16(4);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &n, 2), NC_ACK_OK, "max");
	TEST_ASSERT_EQUAL(state()->queue_pairs, 4, "shadow");
	n = htole16(5);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &n, 2), NC_ACK_ERR, "> max");
	n = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &n, 2), NC_ACK_ERR, "0");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, three, 3), NC_ACK_ERR, "3 bytes");
	n = htole16(1);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &n, 2), NC_ACK_OK, "min");
	TEST_ASSERT_EQUAL(state()->queue_pairs, 1, "shadow");
	return TEST_SUCCESS;
}

/* Build an RSS_CONFIG: L entries (entry i = i % q), key of k bytes. Return: length. */
static uint32_t
rss_cmd(uint8_t *b, uint32_t types, uint32_t L, uint16_t uncl, uint16_t q, uint16_t tx,
	uint8_t k)
{
	uint32_t off = 8, i;
	uint16_t v16;

	v16 = htole16((uint16_t)(L - 1));
	types = htole32(types);
	memcpy(b, &types, 4);
	memcpy(b + 4, &v16, 2);
	v16 = htole16(uncl);
	memcpy(b + 6, &v16, 2);
	for (i = 0; i < L; i++, off += 2) {
		v16 = htole16((uint16_t)(i % q));
		memcpy(b + off, &v16, 2);
	}
	v16 = htole16(tx);
	memcpy(b + off, &v16, 2);
	b[off + 2] = k;
	off += 3;
	for (i = 0; i < k; i++)
		b[off++] = (uint8_t)(0x6d + i);
	return off;
}

static int
test_rss_config_rules(void)
{
	uint8_t b[1024];
	uint32_t n;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	n = rss_cmd(b, 0x3f, 128, 0, 3, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_OK, "L=128 key 40");
	TEST_ASSERT(tv_find(&V, "rss types=3f len=128 uncl=0 tx=3 key=40 last=1", 0) == 0,
		    "vendor args in host order: %s", V.log[0]);
	TEST_ASSERT(state()->rss_enabled && S.rss_indir_len == 128 && S.rss_indir[127] == 1 &&
		    S.rss_key[39] == 0x6d + 39 && S.queue_pairs == 3, "shadow");
	n = rss_cmd(b, 0x3f, 1, 3, 1, 4, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_OK, "L=1");
	TEST_ASSERT_EQUAL(state()->queue_pairs, 4, "pairs from max_tx_vq / unclassified");
	/* each rule refused */
	n = rss_cmd(b, 0x3f, 128, 0, 3, 3, 40);
	b[4] = 0x7e;	/* mask 126: L = 127 */
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "L not pow2");
	n = rss_cmd(b, 0x3f, 256, 0, 3, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "L > max 128");
	n = rss_cmd(b, 0x3f, 8, 0, 5, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "entry 4 >= 4");
	n = rss_cmd(b, 0x3f, 8, 4, 3, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "unclassified");
	n = rss_cmd(b, 0x3f, 8, 0x8000, 3, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "reserved bit");
	n = rss_cmd(b, 0x3f, 8, 0, 3, 0, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "max_tx_vq 0");
	n = rss_cmd(b, 0x3f, 8, 0, 3, 5, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "max_tx_vq 5");
	n = rss_cmd(b, 0x3f, 8, 0, 3, 3, 41);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "key 41 > 40");
	n = rss_cmd(b, 0x200, 8, 0, 3, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "hash type 9");
	n = rss_cmd(b, 0x3f, 8, 0, 3, 3, 0);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_ERR, "types, no key");
	n = rss_cmd(b, 0x3f, 8, 0, 3, 3, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n - 1), NC_ACK_ERR, "short");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, 12), NC_ACK_ERR, "tiny");
	TEST_ASSERT_EQUAL(V.n, 2, "only the valid ones reached the vendor");
	TEST_ASSERT(state()->rss_indir_len == 1, "shadow unchanged by refusals");
	/* Linux 6.12 sends its padded 44-byte trailer: one byte past the key, ignored */
	b[n] = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n + 1), NC_ACK_OK, "padded");
	TEST_ASSERT(state()->rss_enabled && state()->rss_indir_len == 8, "padded one applied");
	n = rss_cmd(b, 0, 8, 0, 1, 1, 0);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_OK, "disable");
	TEST_ASSERT(!state()->rss_enabled, "disabled");
	return TEST_SUCCESS;
}

static int
test_hash_config_rules(void)
{
	uint8_t b[13 + 41] = { 0x3f, 0, 0, 0 };

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	b[12] = 40;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, b, 13 + 40), NC_ACK_OK, "valid");
	TEST_ASSERT(state()->hash_enabled && S.hash_types == 0x3f && S.hash_key_len == 40,
		    "shadow");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, b, 13 + 39), NC_ACK_ERR,
			  "short key");
	b[6] = 1;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, b, 13 + 40), NC_ACK_ERR,
			  "reserved must be zero");
	b[6] = 0;
	b[12] = 41;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, b, 13 + 41), NC_ACK_ERR, "key 41");
	b[12] = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, b, 13), NC_ACK_ERR, "no key");
	b[0] = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, b, 13), NC_ACK_OK, "disable");
	TEST_ASSERT(!state()->hash_enabled, "disabled");
	return TEST_SUCCESS;
}

static int
test_guest_offloads_subset_of_negotiated(void)
{
	uint64_t o;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(state()->guest_offloads, F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6),
			  "default: all negotiated guest offloads");
	o = htole64(F(GUEST_CSUM));
	TEST_ASSERT_EQUAL(run(NC_CLASS_GUEST_OFFLOADS, 0, &o, 8), NC_ACK_OK, "csum only");
	TEST_ASSERT_EQUAL(state()->guest_offloads, F(GUEST_CSUM), "shadow");
	o = htole64(F(GUEST_UFO));
	TEST_ASSERT_EQUAL(run(NC_CLASS_GUEST_OFFLOADS, 0, &o, 8), NC_ACK_ERR, "not negotiated");
	o = htole64(F(CTRL_VQ));
	TEST_ASSERT_EQUAL(run(NC_CLASS_GUEST_OFFLOADS, 0, &o, 8), NC_ACK_ERR, "not an offload");
	TEST_ASSERT_EQUAL(run(NC_CLASS_GUEST_OFFLOADS, 0, &o, 4), NC_ACK_ERR, "4 bytes");
	o = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_GUEST_OFFLOADS, 0, &o, 8), NC_ACK_OK, "all off");
	return TEST_SUCCESS;
}

static int
test_coalescing_set_and_get(void)
{
	struct nc_coal c = { htole32(16), htole32(50) };
	struct nc_coal_vq q = { htole16(1), 0xffff, htole32(7), htole32(9) };
	uint16_t pairs = htole16(2), vq[2];
	uint64_t w;
	uint8_t *r;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_TX_SET, &c, 8), NC_ACK_OK, "tx");
	TEST_ASSERT(state()->coal_tx.max_packets == 16 && S.coal_vq[1].max_usecs == 50 &&
		    S.coal_vq[0].max_usecs == 0, "tx applies to tx queues");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_RX_SET, &c, 8), NC_ACK_OK, "rx");
	TEST_ASSERT_EQUAL(state()->coal_vq[6].max_packets, 16, "rx applies to rx queues");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_TX_SET, &c, 7), NC_ACK_ERR, "7 B");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_SET, &q, 12), NC_ACK_OK,
			  "vq 1, reserved ignored");
	TEST_ASSERT(state()->coal_vq[1].max_packets == 7, "vq 1 set");
	q.vq_index = htole16(2);
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_SET, &q, 12), NC_ACK_ERR,
			  "vq 2 not enabled with one pair");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &pairs, 2), NC_ACK_OK, "2 pairs");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_SET, &q, 12), NC_ACK_OK,
			  "vq 2 now enabled");
	/* VQ_GET is answered by the engine from the shadow */
	vq[0] = htole16(1);
	vq[1] = 0;
	w = guest_cmd(&G, NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_GET, vq, 4, G_LINUX, 8);
	TEST_ASSERT(netctrl_poll(G.nc, 8, NULL) == 1, "poll");
	r = guest_ptr(&G, w);
	TEST_ASSERT(r[0] == NC_ACK_OK && r[1] == 7 && r[5] == 9, "VQ_GET result %u %u %u", r[0],
		    r[1], r[5]);
	vq[0] = htole16(4);
	w = guest_cmd(&G, NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_GET, vq, 4, G_LINUX, 8);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w), NC_ACK_ERR, "vq 4 not enabled");
	vq[0] = htole16(1);
	w = guest_cmd(&G, NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_GET, vq, 4, G_LINUX, 4);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w), NC_ACK_ERR, "no room for the result");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_RESULT_SPACE), 1, "counted");
	return TEST_SUCCESS;
}

static int
test_hash_tunnel_supported_types(void)
{
	uint32_t t = htole32(0x11);

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_HASH_TUNNEL, 0, &t, 4), NC_ACK_OK, "supported");
	TEST_ASSERT_EQUAL(state()->tunnel_types, 0x11, "shadow");
	t = htole32(0x20);
	TEST_ASSERT_EQUAL(run(NC_CLASS_HASH_TUNNEL, 0, &t, 4), NC_ACK_ERR, "unsupported");
	return TEST_SUCCESS;
}

static int
test_stats_query_and_get(void)
{
	struct nc_stats_req req[2];
	struct nc_stats_cvq rep;
	uint64_t w, caps;
	uint16_t id;
	uint32_t len;
	uint8_t *r;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_QUERY, NULL, 0, G_LINUX, 8);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "poll");
	TEST_ASSERT(guest_used(&G, &id, &len) && len == 9, "used len = ack + 8, got %u", len);
	r = guest_ptr(&G, w);
	memcpy(&caps, r + 1, 8);
	TEST_ASSERT(r[0] == NC_ACK_OK && le64toh(caps) == NC_BIT(32), "CVQ stats capability");
	memset(req, 0, sizeof(req));
	req[0].vq_index = htole16(8);	/* 4 pairs with MQ: the CVQ is vq 8 */
	req[0].types = htole64(NC_BIT(32));
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_GET, req, 16, G_LINUX, 24);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "poll");
	TEST_ASSERT(guest_used(&G, &id, &len) && len == 25, "used len %u", len);
	r = guest_ptr(&G, w);
	memcpy(&rep, r + 1, sizeof(rep));
	TEST_ASSERT(r[0] == NC_ACK_OK && rep.hdr.type == 32 && le16toh(rep.hdr.size) == 24 &&
		    le16toh(rep.hdr.vq_index) == 8, "reply header");
	TEST_ASSERT(le64toh(rep.command_num) == 2 && le64toh(rep.ok_num) == 2,
		    "counts include this command: %llu %llu",
		    (unsigned long long)le64toh(rep.command_num),
		    (unsigned long long)le64toh(rep.ok_num));
	req[1] = req[0];
	req[1].vq_index = htole16(0);
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_GET, req, 32, G_LINUX, 48);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w), NC_ACK_ERR, "CVQ type on a data vq");
	req[1].vq_index = htole16(8);
	req[1].types = htole64(1);
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_GET, req, 32, G_LINUX, 48);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w), NC_ACK_ERR, "unsupported type");
	req[1].vq_index = htole16(9);
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_GET, req, 32, G_LINUX, 48);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w), NC_ACK_ERR, "vq beyond the CVQ");
	req[1] = req[0];
	while (guest_used(&G, &id, &len))
		;
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_GET, req, 32, G_LINUX, 30);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT(guest_used(&G, &id, &len) && len == 25, "only what fits is filled: %u", len);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w + 25), 0xee, "nothing past the last reply");
	w = guest_cmd(&G, NC_CLASS_STATS, NC_STATS_QUERY, NULL, 0, G_LINUX, 7);
	netctrl_poll(G.nc, 8, NULL);
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w), NC_ACK_ERR, "QUERY without room");
	return TEST_SUCCESS;
}

/* ---- rings and layouts ---- */

static int
layouts_on(uint64_t ring_feature)
{
	static const enum g_layout lay[] = { G_LINUX, G_ONE, G_BYTES, G_SPLIT_HDR, G_INDIRECT };
	uint8_t b[64], m[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint32_t n = mac_table(b, 1, 2);
	unsigned int i;

	uint64_t w1, w2;
	char name[64];

	for (i = 0; i < 5; i++) {
		TEST_ASSERT_SUCCESS(setup(ALL_F | ring_feature, 64), "setup");
		w1 = guest_cmd(&G, NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n, lay[i], 0);
		w2 = guest_cmd(&G, NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 6, lay[i], 0);
		snprintf(name, sizeof(name), "layout_%s_%u", ring_feature ? "packed" : "split", i);
		guest_dump(&G, name, 0);
		TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 2, "both popped");
		TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w1), NC_ACK_OK, "table, layout %u", i);
		TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, w2), NC_ACK_OK, "addr, layout %u", i);
		TEST_ASSERT(tv_find(&V, "mac_table uc=1 mc=2 of=0/0 first=33", 0) == 0 &&
			    tv_find(&V, "mac_addr 02:01:02:03:04:05", 0) == 1, "vendor args");
	}
	return TEST_SUCCESS;
}

static int
test_layouts_split(void)
{
	return layouts_on(0);
}

static int
test_layouts_packed(void)
{
	return layouts_on(F(RING_PACKED));
}

static int
test_data_across_regions(void)
{
	uint8_t b[256];
	uint32_t n = mac_table(b, 10, 20);

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	G.heap = G_REGION_SIZE - 100;	/* the data straddles the region boundary */
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_OK, "table");
	TEST_ASSERT(state()->mc_count == 20 && S.mc[19][5] == 19, "copied across regions");
	return TEST_SUCCESS;
}

static int
test_indirect_after_direct_split(void)
{
	struct nc_vring_desc *ring, t[2];
	struct nc_vring_avail *avail;
	uint64_t hdr, data, ack, tbl;
	uint16_t id;
	uint32_t len;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	ring = (void *)(G.region[0] + G_OFF_DESC);
	avail = (void *)(G.region[0] + G_OFF_AVAIL);
	hdr = guest_alloc(&G, 2);
	data = guest_alloc(&G, 2);
	ack = guest_alloc(&G, 1);
	tbl = guest_alloc(&G, 32);
	memcpy(guest_ptr(&G, hdr), (uint8_t[2]){ NC_CLASS_VLAN, NC_VLAN_ADD }, 2);
	memcpy(guest_ptr(&G, data), (uint8_t[2]){ 7, 0 }, 2);
	t[0] = (struct nc_vring_desc){ htole64(data), htole32(2), htole16(NC_DESC_F_NEXT),
				       htole16(1) };
	t[1] = (struct nc_vring_desc){ htole64(ack), htole32(1), htole16(NC_DESC_F_WRITE), 0 };
	memcpy(guest_ptr(&G, tbl), t, sizeof(t));
	ring[0] = (struct nc_vring_desc){ htole64(hdr), htole32(2), htole16(NC_DESC_F_NEXT),
					  htole16(1) };
	ring[1] = (struct nc_vring_desc){ htole64(tbl), htole32(32), htole16(NC_DESC_F_INDIRECT),
					  0 };
	avail->ring[0] = 0;
	avail->idx = htole16(1);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT(guest_used(&G, &id, &len) && id == 0 && len == 1, "used id 0 len 1");
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, ack), NC_ACK_OK, "direct then indirect");
	TEST_ASSERT(tv_find(&V, "vlan_add 7", 0) == 0, "vendor");
	return TEST_SUCCESS;
}

/* Post a hand-made split chain of descriptors d[0..n-1] at ring slots 0..n-1, head 0. */
static void
post_raw_split(const struct nc_vring_desc *d, unsigned int n)
{
	struct nc_vring_desc *ring = (void *)(G.region[0] + G_OFF_DESC);
	struct nc_vring_avail *avail = (void *)(G.region[0] + G_OFF_AVAIL);

	memcpy(ring, d, n * sizeof(*d));
	avail->ring[G.avail_idx % G.size] = 0;
	G.avail_idx++;
	avail->idx = htole16(G.avail_idx);
}

static int
test_malformed_chain_gets_err_when_ack_reachable(void)
{
	uint64_t hdr, ack;
	struct nc_vring_desc d[3];
	uint16_t id;
	uint32_t len;

	TEST_ASSERT_SUCCESS(setup(ALL_F & ~F(INDIRECT_DESC), 16), "setup");
	hdr = guest_alloc(&G, 3);
	ack = guest_alloc(&G, 1);
	memcpy(guest_ptr(&G, hdr), (uint8_t[3]){ 0, 0, 1 }, 3);
	/* readable after writable */
	d[0] = (struct nc_vring_desc){ htole64(ack), 1, htole16(NC_DESC_F_WRITE | NC_DESC_F_NEXT),
				       htole16(1) };
	d[1] = (struct nc_vring_desc){ htole64(hdr), 3, 0, 0 };
	post_raw_split(d, 2);
	guest_dump(&G, "malformed_read_after_write", 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT(guest_used(&G, &id, &len) && len == 1, "used");
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, ack), NC_ACK_ERR, "ERR");
	/* readable buffer outside guest memory */
	d[0] = (struct nc_vring_desc){ htole64(0x900000), 3, htole16(NC_DESC_F_NEXT), 1 };
	d[1] = (struct nc_vring_desc){ htole64(ack), 1, htole16(NC_DESC_F_WRITE), 0 };
	*(uint8_t *)guest_ptr(&G, ack) = 0xee;
	post_raw_split(d, 2);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, ack), NC_ACK_ERR, "ERR on bad address");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_MEMORY), 1, "memory error counted");
	/* buffer running past the end of guest memory */
	d[0].addr = htole64(G_GPA_BASE + G_MEM_SIZE - 2);
	post_raw_split(d, 2);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_MEMORY), 2, "straddling the end counted");
	/* address + length wrapping around 2^64 */
	d[0].addr = htole64(UINT64_MAX - 1);
	post_raw_split(d, 2);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_MEMORY), 3, "wrapping address counted");
	/* a one-byte command */
	d[0] = (struct nc_vring_desc){ htole64(hdr), 1, htole16(NC_DESC_F_NEXT), 1 };
	post_raw_split(d, 2);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_LENGTH), 1, "short header counted");
	/* indirect without the feature, with a reachable ack before it */
	d[0] = (struct nc_vring_desc){ htole64(hdr), 3, htole16(NC_DESC_F_NEXT), 1 };
	d[1] = (struct nc_vring_desc){ htole64(ack), 1,
				       htole16(NC_DESC_F_WRITE | NC_DESC_F_NEXT), 2 };
	d[2] = (struct nc_vring_desc){ htole64(hdr), 16, htole16(NC_DESC_F_INDIRECT), 0 };
	post_raw_split(d, 3);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	/* a loop through a writable descriptor: the walk is bounded, the ack reachable */
	d[0] = (struct nc_vring_desc){ htole64(hdr), 3, htole16(NC_DESC_F_NEXT), 1 };
	d[1] = (struct nc_vring_desc){ htole64(ack), 1,
				       htole16(NC_DESC_F_WRITE | NC_DESC_F_NEXT), 1 };
	post_raw_split(d, 2);
	guest_dump(&G, "malformed_writable_loop", 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	/* next index out of the ring */
	d[1].next = htole16(16);
	post_raw_split(d, 2);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, NULL), 1, "popped");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_CHAIN), 4, "chain errors counted");
	while (guest_used(&G, &id, &len))
		;
	TEST_ASSERT_EQUAL(G.used_seen, G.avail_idx, "every chain got a used entry");
	TEST_ASSERT(!netctrl_broken(G.nc), "not broken");
	TEST_ASSERT_EQUAL(V.n, 0, "vendor never called");
	return TEST_SUCCESS;
}

static int
test_too_long_command_refused(void)
{
	struct netctrl_config c = base_cfg(ALL_F & ~F(RSS));
	uint8_t b[256];
	uint32_t n = mac_table(b, 10, 10);

	c.max_cmd_len = 64;
	TEST_ASSERT_SUCCESS(setup_cfg(&c, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_ERR, "128 > 64");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_TOO_LONG), 1, "counted");
	n = mac_table(b, 3, 6);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_OK, "62 <= 64");
	return TEST_SUCCESS;
}

static int
expect_broken(const char *what)
{
	struct nc_vring_used *u = (void *)(G.region[0] + G_OFF_USED);
	uint16_t used_before = u->idx;
	unsigned int ev = 0;

	TEST_ASSERT(netctrl_broken(G.nc), "%s: broken", what);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), -EIO, "%s: poll refuses", what);
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), -EIO, "%s: still refuses", what);
	TEST_ASSERT_EQUAL(u->idx, used_before, "%s: ring untouched", what);
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_FATAL), 1, "%s: counted once", what);
	return TEST_SUCCESS;
}

static int
test_unanswerable_chain_needs_reset(void)
{
	struct nc_vring_avail *avail;
	struct nc_vring_desc d[2];
	unsigned int ev;
	uint64_t hdr;

	/* no writable byte at all */
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	hdr = guest_alloc(&G, 3);
	d[0] = (struct nc_vring_desc){ htole64(hdr), 3, 0, 0 };
	post_raw_split(d, 1);
	guest_dump(&G, "fatal_no_ack", 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 1, "popped");
	TEST_ASSERT(ev & NETCTRL_EV_NEEDS_RESET, "needs reset reported");
	TEST_ASSERT_SUCCESS(expect_broken("no ack"), "broken");
	/* a readable loop: never reaches a writable descriptor */
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	d[0] = (struct nc_vring_desc){ htole64(hdr), 3, htole16(NC_DESC_F_NEXT), 0 };
	post_raw_split(d, 1);
	guest_dump(&G, "fatal_readable_loop", 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NEEDS_RESET, "loop");
	TEST_ASSERT_SUCCESS(expect_broken("loop"), "broken");
	/* head index out of the ring */
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	avail = (void *)(G.region[0] + G_OFF_AVAIL);
	avail->ring[0] = htole16(16);
	avail->idx = htole16(1);
	guest_dump(&G, "fatal_bad_head", 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 0, "nothing popped");
	TEST_ASSERT(ev & NETCTRL_EV_NEEDS_RESET, "bad head");
	TEST_ASSERT_SUCCESS(expect_broken("head"), "broken");
	/* avail index more than a ring ahead */
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	avail = (void *)(G.region[0] + G_OFF_AVAIL);
	avail->idx = htole16(17);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NEEDS_RESET, "avail jump");
	TEST_ASSERT_SUCCESS(expect_broken("jump"), "broken");
	/* reset recovers */
	netctrl_reset(G.nc);
	TEST_ASSERT(!netctrl_broken(G.nc), "reset clears broken");
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), -ENODEV, "ring must be set again");
	return TEST_SUCCESS;
}

static int
test_packed_malformed(void)
{
	struct nc_vring_packed_desc *ring;
	unsigned int ev, i;
	uint64_t ack, hdr;

	/* a chain that never ends (NEXT on every descriptor of the ring) */
	TEST_ASSERT_SUCCESS(setup(ALL_F | F(RING_PACKED), 8), "setup");
	ring = (void *)(G.region[0] + G_OFF_DESC);
	hdr = guest_alloc(&G, 3);
	for (i = 0; i < 8; i++)
		ring[i] = (struct nc_vring_packed_desc){ htole64(hdr), 3, 0,
			htole16(NC_DESC_F_NEXT | NC_DESC_F_AVAIL) };
	guest_dump(&G, "packed_endless_chain", 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NEEDS_RESET, "endless chain");
	TEST_ASSERT_SUCCESS(expect_broken("packed endless"), "broken");
	/* nested indirect with a reachable ack: ERR */
	TEST_ASSERT_SUCCESS(setup(ALL_F | F(RING_PACKED), 8), "setup");
	ring = (void *)(G.region[0] + G_OFF_DESC);
	ack = guest_alloc(&G, 1);
	hdr = guest_alloc(&G, 32);
	memset(guest_ptr(&G, hdr), 0, 32);
	((struct nc_vring_packed_desc *)guest_ptr(&G, hdr))->flags = htole16(NC_DESC_F_INDIRECT);
	ring[0] = (struct nc_vring_packed_desc){ htole64(ack), 1, 0,
		htole16(NC_DESC_F_WRITE | NC_DESC_F_NEXT | NC_DESC_F_AVAIL) };
	ring[1] = (struct nc_vring_packed_desc){ htole64(hdr), 32, htole16(5),
		htole16(NC_DESC_F_INDIRECT | NC_DESC_F_AVAIL) };
	guest_dump(&G, "packed_nested_indirect", 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 1, "popped");
	TEST_ASSERT(!(ev & NETCTRL_EV_NEEDS_RESET), "answerable");
	TEST_ASSERT(le16toh(ring[0].id) == 5 && (le16toh(ring[0].flags) & NC_DESC_F_USED),
		    "used descriptor carries the buffer id of the chain's last descriptor");
	TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, ack), NC_ACK_ERR, "ERR");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_CHAIN), 1, "counted");
	return TEST_SUCCESS;
}

/* ---- notifications ---- */

static int
test_event_idx_split(void)
{
	struct nc_vring_avail *avail;
	struct nc_vring_used *used;
	uint16_t *used_event, *avail_event, id;
	unsigned int ev, i;
	uint32_t len;

	TEST_ASSERT_SUCCESS(setup(ALL_F | F(EVENT_IDX), 16), "setup");
	avail = (void *)(G.region[0] + G_OFF_AVAIL);
	used = (void *)(G.region[0] + G_OFF_USED);
	used_event = &avail->ring[16];
	avail_event = (uint16_t *)&used->ring[16];
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 0, "empty");
	TEST_ASSERT_EQUAL(le16toh(*avail_event), 0, "avail_event asks for a kick at 0");
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NOTIFY, "first publication always notifies");
	TEST_ASSERT_EQUAL(le16toh(*avail_event), 1, "avail_event follows");
	/* driver wants a notification only when used idx passes 3 */
	*used_event = htole16(3);
	for (i = 2; i <= 5; i++) {
		guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
		netctrl_poll(G.nc, 8, &ev);
		TEST_ASSERT_EQUAL(!!(ev & NETCTRL_EV_NOTIFY), i == 4,
				  "used idx %u: notify only when crossing used_event 3", i);
	}
	/* a batch that jumps over the event index notifies once */
	*used_event = htole16(6);
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NOTIFY, "batch 5->7 crosses 6");
	while (guest_used(&G, &id, &len))
		;
	/* without EVENT_IDX: NO_INTERRUPT decides */
	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	avail = (void *)(G.region[0] + G_OFF_AVAIL);
	avail->flags = htole16(NC_AVAIL_F_NO_INTERRUPT);
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(!(ev & NETCTRL_EV_NOTIFY), "suppressed");
	avail->flags = 0;
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NOTIFY, "notified");
	return TEST_SUCCESS;
}

static int
test_event_suppression_packed(void)
{
	struct nc_vring_packed_event *drv, *dev;
	unsigned int ev, i;

	TEST_ASSERT_SUCCESS(setup(ALL_F | F(EVENT_IDX) | F(RING_PACKED), 4), "setup");
	drv = (void *)(G.region[0] + G_OFF_AVAIL);
	dev = (void *)(G.region[0] + G_OFF_USED);
	TEST_ASSERT_EQUAL(le16toh(dev->flags), NC_EVENT_ENABLE, "device asks for kicks");
	drv->flags = htole16(NC_EVENT_DISABLE);
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(!(ev & NETCTRL_EV_NOTIFY), "disabled");
	drv->flags = htole16(NC_EVENT_ENABLE);
	guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	TEST_ASSERT(ev & NETCTRL_EV_NOTIFY, "enabled");
	/* each command uses 3 descriptors in a 4-entry ring: after 2 commands the device is at
	 * 2/wrap 0. Ask for an event when the used descriptor at 1/wrap 1 is written. The next
	 * commands write their used descriptor at 2/w0 (then at 1/w1), 1/w1 (then 0/w0),
	 * 0/w0 (then 3/w0): only the second one writes 1/w1.
	 */
	drv->flags = htole16(NC_EVENT_DESC);
	drv->off_wrap = htole16(1 | 0x8000);
	for (i = 0; i < 3; i++) {
		guest_cmd(&G, NC_CLASS_RX, 0, "\1", 1, G_LINUX, 0);
		netctrl_poll(G.nc, 8, &ev);
		TEST_ASSERT_EQUAL(!!(ev & NETCTRL_EV_NOTIFY), i == 1,
				  "command %u: notify only when passing 1/wrap 1", i);
	}
	return TEST_SUCCESS;
}

/* ---- deferred completion ---- */

static int
test_deferred_completion_in_order(void)
{
	struct netctrl_config c = base_cfg(ALL_F);
	uint64_t w[3], tok[3];
	uint16_t v[3] = { htole16(10), htole16(11), htole16(12) }, id;
	unsigned int ev, i;
	uint32_t len;

	c.max_pending = 4;
	TEST_ASSERT_SUCCESS(setup_cfg(&c, 16), "setup");
	V.answer = NETCTRL_PENDING;
	for (i = 0; i < 3; i++)
		w[i] = guest_cmd(&G, NC_CLASS_VLAN, NC_VLAN_ADD, &v[i], 2, G_LINUX, 0);
	guest_dump(&G, "deferred_three", 0xaa);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 3, "three popped");
	TEST_ASSERT_EQUAL(netctrl_pending(G.nc), 3, "all pending");
	TEST_ASSERT(!guest_used(&G, &id, &len) && ev == 0, "nothing used yet");
	for (i = 0; i < 3; i++)
		tok[i] = V.tokens[i];
	TEST_ASSERT(tok[0] != NETCTRL_TOKEN_REPLAY && tok[0] < tok[1] && tok[1] < tok[2],
		    "distinct tokens");
	TEST_ASSERT_SUCCESS(netctrl_complete(G.nc, tok[1], NETCTRL_ERR, &ev), "complete #2");
	TEST_ASSERT(!guest_used(&G, &id, &len) && ev == 0, "held back behind #1");
	TEST_ASSERT_EQUAL(netctrl_complete(G.nc, tok[1], NETCTRL_OK, &ev), -ENOENT, "twice");
	TEST_ASSERT_SUCCESS(netctrl_complete(G.nc, tok[0], NETCTRL_OK, &ev), "complete #1");
	TEST_ASSERT(ev & NETCTRL_EV_NOTIFY, "notify");
	TEST_ASSERT(guest_used(&G, &id, &len) && guest_used(&G, &id, &len), "#1 and #2 used");
	TEST_ASSERT(!guest_used(&G, &id, &len), "#3 still pending");
	TEST_ASSERT(*(uint8_t *)guest_ptr(&G, w[0]) == NC_ACK_OK &&
		    *(uint8_t *)guest_ptr(&G, w[1]) == NC_ACK_ERR, "acks as answered");
	TEST_ASSERT(state()->vlans[0] == (1u << 10), "shadow: only the OK one");
	TEST_ASSERT_EQUAL(netctrl_complete(G.nc, tok[2], 7, &ev), -EINVAL, "bad ack");
	TEST_ASSERT_EQUAL(netctrl_complete(G.nc, 999, NETCTRL_OK, &ev), -ENOENT, "unknown");
	TEST_ASSERT_SUCCESS(netctrl_complete(G.nc, tok[2], NETCTRL_OK, &ev), "complete #3");
	TEST_ASSERT(guest_used(&G, &id, &len) && state()->vlans[0] == 0x1400, "#3");
	return TEST_SUCCESS;
}

static int
test_pending_limit_and_budget(void)
{
	struct netctrl_config c = base_cfg(ALL_F);
	unsigned int ev, i;
	uint16_t id;
	uint32_t len;

	c.max_pending = 2;
	TEST_ASSERT_SUCCESS(setup_cfg(&c, 16), "setup");
	V.answer = NETCTRL_PENDING;
	for (i = 0; i < 4; i++)
		guest_cmd(&G, NC_CLASS_RX, 1, "\1", 1, G_LINUX, 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 2, "stops at max_pending");
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 0, "still full");
	TEST_ASSERT_SUCCESS(netctrl_complete(G.nc, V.tokens[0], NETCTRL_OK, &ev), "complete");
	V.answer = NETCTRL_OK;
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 1, "one slot freed");
	TEST_ASSERT_SUCCESS(netctrl_complete(G.nc, V.tokens[1], NETCTRL_OK, &ev), "complete");
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 8, &ev), 1, "last");
	for (i = 0; i < 4; i++)
		TEST_ASSERT(guest_used(&G, &id, &len), "used %u", i);
	/* budget bounds the work of one poll */
	for (i = 0; i < 5; i++)
		guest_cmd(&G, NC_CLASS_RX, 1, "\1", 1, G_LINUX, 0);
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 2, &ev), 2, "budget 2");
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 2, &ev), 2, "budget 2");
	TEST_ASSERT_EQUAL(netctrl_poll(G.nc, 2, &ev), 1, "rest");
	return TEST_SUCCESS;
}

static int
test_reset_drops_pending_and_restores_defaults(void)
{
	uint8_t m[6] = { 0x02, 9, 9, 9, 9, 9 };
	unsigned int ev;
	uint64_t tok;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 6), NC_ACK_OK, "mac");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 0, "\0", 1), NC_ACK_OK, "promisc off");
	V.answer = NETCTRL_PENDING;
	guest_cmd(&G, NC_CLASS_RX, 1, "\1", 1, G_LINUX, 0);
	netctrl_poll(G.nc, 8, &ev);
	tok = V.tokens[V.n - 1];
	TEST_ASSERT_EQUAL(netctrl_pending(G.nc), 1, "pending");
	netctrl_reset(G.nc);
	TEST_ASSERT_EQUAL(netctrl_pending(G.nc), 0, "dropped");
	TEST_ASSERT_EQUAL(netctrl_complete(G.nc, tok, NETCTRL_OK, &ev), -ENOENT, "stale token");
	TEST_ASSERT(memcmp(state()->mac, MAC0, 6) == 0 && S.rx[0] && !S.rx[1] &&
		    S.queue_pairs == 1, "defaults");
	return TEST_SUCCESS;
}

static int
test_vendor_err_leaves_shadow(void)
{
	uint16_t n = htole16(3);

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	V.answer = NETCTRL_ERR;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &n, 2), NC_ACK_ERR, "refused");
	TEST_ASSERT_EQUAL(state()->queue_pairs, 1, "unchanged");
	TEST_ASSERT_EQUAL(cnt_err(NETCTRL_E_VENDOR), 1, "counted");
	V.answer = 42;	/* nonsense answer counts as ERR */
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &n, 2), NC_ACK_ERR, "nonsense");
	return TEST_SUCCESS;
}

static int
test_missing_callback_answers_err(void)
{
	struct netctrl_ops ops = tvendor_ops;
	struct netctrl_config c = base_cfg(ALL_F);
	uint16_t v = 0;

	ops.vlan_add = NULL;
	c.ops = &ops;
	TEST_ASSERT_SUCCESS(setup_cfg(&c, 16), "setup");
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 2), NC_ACK_ERR, "no callback");
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_DEL, &v, 2), NC_ACK_OK, "other callback");
	return TEST_SUCCESS;
}

/* ---- replay ---- */

static int
test_replay_order_matches_qemu(void)
{
	static const char *const want[] = {
		"mac_addr 02:aa:bb:cc:dd:ee",
		"mac_table uc=0 mc=2 of=0/0 first=33",
		"pairs 2",
		"rss types=3 len=4 uncl=0 tx=2 key=40 last=1",
		"hash types=3 key=40",
		"offloads 2",
		"rx 0 0",
		"rx 1 1",
		"rx 3 1",
		"rx 5 1",
		"vlan_add 0",
		"vlan_add 100",
		"coal 0 0 8 16",
		"coal 2 2 1 1",
		"tunnel 3",
	};
	uint8_t b[512], m[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee }, h[13 + 40] = { 3 };
	struct nc_coal c = { htole32(8), htole32(16) };
	struct nc_coal_vq q = { htole16(2), 0, htole32(1), htole32(1) };
	uint16_t v;
	uint64_t o = htole64(F(GUEST_CSUM));
	uint32_t t = htole32(3), n;
	struct tvendor r;
	unsigned int i;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	/* an idle device replays only the MAC and the queue pairs */
	memset(&r, 0, sizeof(r));
	TEST_ASSERT_SUCCESS(netctrl_replay(G.nc, &tvendor_ops, &r), "replay defaults");
	TEST_ASSERT(r.n == 2 && strcmp(r.log[0], "mac_addr 52:54:00:12:34:56") == 0 &&
		    strcmp(r.log[1], "pairs 1") == 0, "defaults replay: %u lines", r.n);
	/* the guest configures things in some other order */
	v = htole16(100);
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 2), NC_ACK_OK, "vlan 100");
	v = 0;
	TEST_ASSERT_EQUAL(run(NC_CLASS_VLAN, NC_VLAN_ADD, &v, 2), NC_ACK_OK, "vlan 0");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 5, "\1", 1), NC_ACK_OK, "nobcast");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 3, "\1", 1), NC_ACK_OK, "nomulti");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 1, "\1", 1), NC_ACK_OK, "allmulti");
	TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 0, "\0", 1), NC_ACK_OK, "promisc off");
	TEST_ASSERT_EQUAL(run(NC_CLASS_GUEST_OFFLOADS, 0, &o, 8), NC_ACK_OK, "offloads");
	h[12] = 40;
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, h, sizeof(h)), NC_ACK_OK, "hash");
	n = rss_cmd(b, 3, 4, 0, 2, 2, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_OK, "rss");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_TX_SET, &c, 8), NC_ACK_OK, "tx");
	TEST_ASSERT_EQUAL(run(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_SET, &q, 12), NC_ACK_OK, "vq");
	TEST_ASSERT_EQUAL(run(NC_CLASS_HASH_TUNNEL, 0, &t, 4), NC_ACK_OK, "tunnel");
	n = mac_table(b, 0, 2);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_TABLE_SET, b, n), NC_ACK_OK, "table");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MAC, NC_MAC_ADDR_SET, m, 6), NC_ACK_OK, "mac");
	memset(&r, 0, sizeof(r));
	TEST_ASSERT_SUCCESS(netctrl_replay(G.nc, &tvendor_ops, &r), "replay");
	TEST_ASSERT_EQUAL(r.n, sizeof(want) / sizeof(want[0]), "number of steps");
	for (i = 0; i < r.n; i++) {
		TEST_ASSERT(strcmp(r.log[i], want[i]) == 0, "step %u: got '%s' want '%s'", i,
			    r.log[i], want[i]);
		TEST_ASSERT_EQUAL(r.tokens[i], NETCTRL_TOKEN_REPLAY, "replay token");
	}
	/* a vendor that fails stops the replay; pending is not allowed */
	memset(&r, 0, sizeof(r));
	r.answer = NETCTRL_ERR;
	TEST_ASSERT_EQUAL(netctrl_replay(G.nc, &tvendor_ops, &r), -EIO, "stops");
	TEST_ASSERT_EQUAL(r.n, 1, "at the first step");
	r.answer = NETCTRL_PENDING;
	TEST_ASSERT_EQUAL(netctrl_replay(G.nc, &tvendor_ops, &r), -EINVAL, "pending refused");
	/* replaying does not change the shadow: a second replay is identical */
	memset(&r, 0, sizeof(r));
	TEST_ASSERT_SUCCESS(netctrl_replay(G.nc, NULL, NULL), "own vendor");
	TEST_ASSERT_SUCCESS(netctrl_replay(G.nc, &tvendor_ops, &r), "again");
	TEST_ASSERT_EQUAL(r.n, sizeof(want) / sizeof(want[0]), "same steps");
	return TEST_SUCCESS;
}

/* Last multiqueue command wins: VQ_PAIRS_SET after RSS_CONFIG ends RSS steering, so a replay
 * must not bring the older RSS configuration back after the pair count. */
static int
test_pairs_set_ends_rss_for_replay(void)
{
	uint8_t b[512];
	uint16_t two = htole16(2);
	struct tvendor r;
	uint32_t n;
	unsigned int i;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	n = rss_cmd(b, 3, 4, 0, 2, 2, 40);
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_RSS_CONFIG, b, n), NC_ACK_OK, "rss");
	TEST_ASSERT(state()->rss_enabled, "RSS steering on");
	TEST_ASSERT_EQUAL(run(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, &two, 2), NC_ACK_OK, "pairs 2");
	TEST_ASSERT(!state()->rss_enabled && state()->queue_pairs == 2, "automatic steering");
	memset(&r, 0, sizeof(r));
	TEST_ASSERT_SUCCESS(netctrl_replay(G.nc, &tvendor_ops, &r), "replay");
	for (i = 0; i < r.n; i++)
		TEST_ASSERT(strncmp(r.log[i], "rss ", 4) != 0, "step %u replays RSS: %s", i,
			    r.log[i]);
	return TEST_SUCCESS;
}

/* ---- ring indices ---- */

static int
test_split_index_wraps(void)
{
	struct netctrl_split_ring sr;
	struct nc_vring_avail *avail;
	struct nc_vring_used *used;
	unsigned int i;
	uint16_t id;
	uint32_t len;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 4), "setup");
	/* start near the end of the 16-bit index space (vhost SET_VRING_BASE) */
	avail = (void *)(G.region[0] + G_OFF_AVAIL);
	used = (void *)(G.region[0] + G_OFF_USED);
	sr = (struct netctrl_split_ring){ G.region[0] + G_OFF_DESC, avail, used, 4, 65530, 65530 };
	netctrl_reset(G.nc);
	TEST_ASSERT_SUCCESS(netctrl_set_split_ring(G.nc, &sr), "ring");
	G.avail_idx = G.used_seen = 65530;
	avail->idx = htole16(65530);
	used->idx = htole16(65530);
	for (i = 0; i < 20; i++) {
		TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 1, "\1", 1), NC_ACK_OK, "cmd %u", i);
	}
	TEST_ASSERT_EQUAL(netctrl_ring_base(G.nc), (uint16_t)(65530 + 20), "base wrapped");
	TEST_ASSERT(!guest_used(&G, &id, &len), "all consumed");
	return TEST_SUCCESS;
}

static int
test_packed_wrap_with_multi_descriptor_chains(void)
{
	unsigned int i;

	/* 3 descriptors per command in a 4-entry ring: chains straddle the wrap point */
	TEST_ASSERT_SUCCESS(setup(ALL_F | F(RING_PACKED) | F(EVENT_IDX), 4), "setup");
	for (i = 0; i < 40; i++)
		TEST_ASSERT_EQUAL(run(NC_CLASS_RX, 1, i & 1 ? "\1" : "\0", 1), NC_ACK_OK,
				  "cmd %u", i);
	TEST_ASSERT_EQUAL(netctrl_ring_base(G.nc), (uint16_t)((40 * 3) % 4 | 0x8000 *
			  (((40 * 3) / 4 + 1) & 1)), "base: index and wrap counter");
	TEST_ASSERT(state()->rx[1], "last value (command 39 turned it on)");
	return TEST_SUCCESS;
}

static int
test_counters_and_names(void)
{
	struct netctrl_counters c;

	TEST_ASSERT_SUCCESS(setup(ALL_F, 16), "setup");
	run(NC_CLASS_RX, 0, "\1", 1);
	run(NC_CLASS_RX, 0, "\7", 1);
	run(NC_CLASS_VLAN, 0, "\1\0", 2);
	netctrl_counters_get(G.nc, &c);
	TEST_ASSERT(c.cmd_ok[NETCTRL_CMD_RX_PROMISC] == 1 && c.cmd_err[NETCTRL_CMD_RX_PROMISC] == 1
		    && c.cmd_ok[NETCTRL_CMD_VLAN_ADD] == 1 && c.chains == 3, "per command");
	TEST_ASSERT(c.notifies == 3 && c.pending_hwm == 1, "notifies %llu",
		    (unsigned long long)c.notifies);
	TEST_ASSERT(strcmp(netctrl_cmd_name(NETCTRL_CMD_MAC_TABLE_SET), "mac_table_set") == 0 &&
		    strcmp(netctrl_err_name(NETCTRL_E_LENGTH), "length") == 0 &&
		    strcmp(netctrl_cmd_name(NETCTRL_CMD_MAX), "?") == 0 &&
		    strcmp(netctrl_cmd_name(NETCTRL_CMD_OTHER), "other") == 0 &&
		    strcmp(netctrl_err_name(NETCTRL_E_FATAL), "fatal") == 0, "names");
	guest_fini(&G);
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(test_create_rejects_bad_config),
	TEST_CASE(test_set_mem_rejects_bad_regions),
	TEST_CASE(test_set_ring_rejects_bad_rings),
	TEST_CASE(test_rx_modes_each_mode_on_off),
	TEST_CASE(test_rx_rejects_bad_value_and_length),
	TEST_CASE(test_feature_gate_each_command),
	TEST_CASE(test_unknown_class_and_command),
	TEST_CASE(test_mac_table_counts_and_overflow),
	TEST_CASE(test_mac_addr_set_rules),
	TEST_CASE(test_vlan_range_and_bitmap),
	TEST_CASE(test_announce_ack_takes_no_data),
	TEST_CASE(test_mq_pairs_range),
	TEST_CASE(test_rss_config_rules),
	TEST_CASE(test_hash_config_rules),
	TEST_CASE(test_guest_offloads_subset_of_negotiated),
	TEST_CASE(test_coalescing_set_and_get),
	TEST_CASE(test_hash_tunnel_supported_types),
	TEST_CASE(test_stats_query_and_get),
	TEST_CASE(test_layouts_split),
	TEST_CASE(test_layouts_packed),
	TEST_CASE(test_data_across_regions),
	TEST_CASE(test_indirect_after_direct_split),
	TEST_CASE(test_malformed_chain_gets_err_when_ack_reachable),
	TEST_CASE(test_too_long_command_refused),
	TEST_CASE(test_unanswerable_chain_needs_reset),
	TEST_CASE(test_packed_malformed),
	TEST_CASE(test_event_idx_split),
	TEST_CASE(test_event_suppression_packed),
	TEST_CASE(test_deferred_completion_in_order),
	TEST_CASE(test_pending_limit_and_budget),
	TEST_CASE(test_reset_drops_pending_and_restores_defaults),
	TEST_CASE(test_vendor_err_leaves_shadow),
	TEST_CASE(test_missing_callback_answers_err),
	TEST_CASE(test_replay_order_matches_qemu),
	TEST_CASE(test_pairs_set_ends_rss_for_replay),
	TEST_CASE(test_split_index_wraps),
	TEST_CASE(test_packed_wrap_with_multi_descriptor_chains),
	TEST_CASE(test_counters_and_names),
};

TEST_MAIN("netctrl", cases)
