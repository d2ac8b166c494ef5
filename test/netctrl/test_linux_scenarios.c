/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command sequences a Linux virtio_net guest sends (reference section 9), with its
 * descriptor shapes (one sg per field group: hdr | data sgs | ack | result), over split and
 * packed rings, direct and indirect. Each scenario checks the acks, what the vendor saw, and the
 * shadow state at the end. With NETCTRL_CORPUS_OUT set, each one also writes its guest memory
 * (all commands posted, none served yet) as a fuzz seed.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "nc_guest.h"

#define F(b) NC_BIT(NC_F_##b)
#define LINUX_F (F(CTRL_VQ) | F(CTRL_RX) | F(CTRL_VLAN) | F(GUEST_ANNOUNCE) | F(MQ) | \
	F(CTRL_MAC_ADDR) | F(CTRL_GUEST_OFFLOADS) | F(GUEST_CSUM) | F(GUEST_TSO4) | \
	F(GUEST_TSO6) | F(VERSION_1) | F(EVENT_IDX) | F(NOTF_COAL) | F(VQ_NOTF_COAL) | \
	F(DEVICE_STATS) | F(RSS) | F(HASH_REPORT))

#define MAX_STEPS 16

/* One command as Linux queues it. */
struct step {
	uint8_t cls, cmd;
	struct { const void *p; uint32_t len; } sg[4];	/* data sgs after the 2-byte hdr */
	uint32_t res_len;	/* result sg after the ack */
	const char *vendor;	/* line the vendor must see, or NULL (engine-answered) */
	uint64_t ack_gpa;
};

struct scenario {
	const char *name;
	struct step s[MAX_STEPS];
	unsigned int n;
};

static struct guest G;
static struct tvendor V;

static int
run_variant(struct scenario *sc, bool packed, bool indirect, struct netctrl_state *st)
{
	struct netctrl_config c = {
		.features = LINUX_F | (packed ? F(RING_PACKED) : 0) |
			    (indirect ? F(INDIRECT_DESC) : 0),
		.max_pairs = 4, .hash_types = 0x1ff, .tunnel_types = 0x1ff,
		.mac = { 0x52, 0x54, 0, 0, 0, 1 }, .ops = &tvendor_ops, .ctx = &V,
	};
	unsigned int i, k, ev = 0;
	char name[128];
	uint16_t id;
	uint32_t len;
	int rc;

	memset(&V, 0, sizeof(V));
	V.answer = NETCTRL_OK;
	TEST_ASSERT_SUCCESS(guest_init(&G, &c, 64), "guest");
	for (i = 0; i < sc->n; i++) {
		struct step *s = &sc->s[i];
		struct gseg seg[8];
		uint8_t hdr[2] = { s->cls, s->cmd };
		unsigned int n = 0;
		uint64_t w = guest_alloc(&G, 1 + s->res_len);
		uint64_t h = guest_alloc(&G, 2);

		memcpy(guest_ptr(&G, h), hdr, 2);
		for (k = 0; k < 1 + s->res_len; k++)
			*(uint8_t *)guest_ptr(&G, w + k) = 0xee;
		seg[n++] = (struct gseg){ NULL, 2, false, h };
		for (k = 0; k < 4 && s->sg[k].len; k++)
			seg[n++] = (struct gseg){ s->sg[k].p, s->sg[k].len, false, 0 };
		seg[n++] = (struct gseg){ NULL, 1, true, w };
		if (s->res_len)
			seg[n++] = (struct gseg){ NULL, s->res_len, true, w + 1 };
		TEST_ASSERT(guest_post(&G, seg, n, indirect) >= 0, "post step %u", i);
		s->ack_gpa = w;
	}
	snprintf(name, sizeof(name), "linux_%s_%s_%s", sc->name, packed ? "packed" : "split",
		 indirect ? "indirect" : "direct");
	guest_dump(&G, name, 0);
	rc = netctrl_poll(G.nc, 64, &ev);
	TEST_ASSERT_EQUAL(rc, (int)sc->n, "%s: all commands served", name);
	TEST_ASSERT(ev & NETCTRL_EV_NOTIFY, "%s: guest notified", name);
	for (i = 0, k = 0; i < sc->n; i++) {
		const struct step *s = &sc->s[i];

		TEST_ASSERT(guest_used(&G, &id, &len), "%s: used %u", name, i);
		TEST_ASSERT_EQUAL(len, 1 + s->res_len, "%s: step %u used len", name, i);
		TEST_ASSERT_EQUAL(*(uint8_t *)guest_ptr(&G, s->ack_gpa), NC_ACK_OK,
				  "%s: step %u (class %u cmd %u) acked OK", name, i, s->cls,
				  s->cmd);
		if (s->vendor != NULL) {
			TEST_ASSERT(k < V.n && strcmp(V.log[k], s->vendor) == 0,
				    "%s: step %u vendor saw '%s', want '%s'", name, i,
				    k < V.n ? V.log[k] : "", s->vendor);
			k++;
		}
	}
	TEST_ASSERT_EQUAL(V.n, k, "%s: no other vendor call", name);
	TEST_ASSERT(!guest_used(&G, &id, &len), "%s: nothing extra used", name);
	netctrl_state_get(G.nc, st);
	guest_fini(&G);
	return TEST_SUCCESS;
}

/* Run a scenario over split/packed x direct/indirect; every variant must end in one state. */
static int
run_all(struct scenario *sc, struct netctrl_state *st)
{
	struct netctrl_state *other = malloc(sizeof(*other));
	int v;

	TEST_ASSERT(other != NULL, "alloc");
	for (v = 0; v < 4; v++) {
		if (run_variant(sc, v & 1, v & 2, v == 0 ? st : other) != TEST_SUCCESS) {
			free(other);
			return TEST_FAILED;
		}
		if (v > 0 && memcmp(st, other, sizeof(*st)) != 0) {
			free(other);
			TEST_ASSERT(0, "%s: variant %d ends in a different state", sc->name, v);
		}
	}
	free(other);
	return TEST_SUCCESS;
}

#define STEP(c, m, ...) (struct step){ .cls = (c), .cmd = (m), __VA_ARGS__ }
#define SG(p, l) { (p), (l) }

static struct netctrl_state St;

static int
test_probe_sequence(void)
{
	static const uint16_t pairs = 4;
	static const uint8_t mac[6] = { 0x06, 0x5a, 0x11, 0x22, 0x33, 0x44 };
	struct scenario sc = { .name = "probe", .n = 3 };

	/* after DRIVER_OK: queue pairs = min(max, CPUs), a random MAC when MAC is not offered,
	 * and the statistics capability query
	 */
	sc.s[0] = STEP(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, .sg = { SG(&pairs, 2) },
		       .vendor = "pairs 4");
	sc.s[1] = STEP(NC_CLASS_MAC, NC_MAC_ADDR_SET, .sg = { SG(mac, 6) },
		       .vendor = "mac_addr 06:5a:11:22:33:44");
	sc.s[2] = STEP(NC_CLASS_STATS, NC_STATS_QUERY, .res_len = 8);
	TEST_ASSERT_SUCCESS(run_all(&sc, &St), "run");
	TEST_ASSERT(St.queue_pairs == 4 && St.mac[0] == 0x06, "state after probe");
	return TEST_SUCCESS;
}

static int
test_ifup_rx_mode(void)
{
	static const uint8_t off = 0, on = 1;
	static const uint8_t uc0[4] = { 0 };
	static const uint8_t mc3[4 + 18] = { 3, 0, 0, 0,
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x01,
		0x33, 0x33, 0x00, 0x00, 0x00, 0x01,
		0x33, 0x33, 0xff, 0x12, 0x34, 0x56 };
	static const uint8_t mc4[4 + 24] = { 4, 0, 0, 0,
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x01,
		0x33, 0x33, 0x00, 0x00, 0x00, 0x01,
		0x33, 0x33, 0xff, 0x12, 0x34, 0x56,
		0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	struct scenario sc = { .name = "ifup", .n = 6 };

	/* ip link set up, then an mDNS join: PROMISC, ALLMULTI, TABLE_SET each time */
	sc.s[0] = STEP(NC_CLASS_RX, NC_RX_PROMISC, .sg = { SG(&off, 1) }, .vendor = "rx 0 0");
	sc.s[1] = STEP(NC_CLASS_RX, NC_RX_ALLMULTI, .sg = { SG(&off, 1) }, .vendor = "rx 1 0");
	sc.s[2] = STEP(NC_CLASS_MAC, NC_MAC_TABLE_SET, .sg = { SG(uc0, 4), SG(mc3, sizeof(mc3)) },
		       .vendor = "mac_table uc=0 mc=3 of=0/0 first=01");
	sc.s[3] = STEP(NC_CLASS_RX, NC_RX_PROMISC, .sg = { SG(&off, 1) }, .vendor = "rx 0 0");
	sc.s[4] = STEP(NC_CLASS_RX, NC_RX_ALLMULTI, .sg = { SG(&on, 1) }, .vendor = "rx 1 1");
	sc.s[5] = STEP(NC_CLASS_MAC, NC_MAC_TABLE_SET, .sg = { SG(uc0, 4), SG(mc4, sizeof(mc4)) },
		       .vendor = "mac_table uc=0 mc=4 of=0/0 first=01");
	TEST_ASSERT_SUCCESS(run_all(&sc, &St), "run");
	TEST_ASSERT(!St.rx[NETCTRL_RX_PROMISC] && St.rx[NETCTRL_RX_ALLMULTI] && St.mc_count == 4 &&
		    St.mc[3][5] == 0xfb && St.uc_count == 0, "state after ifup");
	return TEST_SUCCESS;
}

static int
test_vlan_and_address_change(void)
{
	static const uint16_t v0 = 0, v100 = 100, v200 = 200;
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct scenario sc = { .name = "vlan_addr", .n = 5 };

	/* 8021q at ifup adds VID 0; ip link add ... id 100/200, delete 100; ip link set address */
	sc.s[0] = STEP(NC_CLASS_VLAN, NC_VLAN_ADD, .sg = { SG(&v0, 2) }, .vendor = "vlan_add 0");
	sc.s[1] = STEP(NC_CLASS_VLAN, NC_VLAN_ADD, .sg = { SG(&v100, 2) },
		       .vendor = "vlan_add 100");
	sc.s[2] = STEP(NC_CLASS_VLAN, NC_VLAN_ADD, .sg = { SG(&v200, 2) },
		       .vendor = "vlan_add 200");
	sc.s[3] = STEP(NC_CLASS_VLAN, NC_VLAN_DEL, .sg = { SG(&v100, 2) },
		       .vendor = "vlan_del 100");
	sc.s[4] = STEP(NC_CLASS_MAC, NC_MAC_ADDR_SET, .sg = { SG(mac, 6) },
		       .vendor = "mac_addr 02:00:00:00:00:42");
	TEST_ASSERT_SUCCESS(run_all(&sc, &St), "run");
	TEST_ASSERT(St.vlans[0] == 1 && St.vlans[3] == 0 && (St.vlans[6] & (1u << 8)) &&
		    St.mac[5] == 0x42, "state");
	return TEST_SUCCESS;
}

static int
test_ethtool_channels_rss_coalesce(void)
{
	static const uint16_t two = 2;
	/* RSS_CONFIG as 4 sgs: 8-byte head, table of 8, 3-byte tail, 40-byte key */
	static const uint8_t head[8] = { 0x3f, 0, 0, 0, 7, 0, 0, 0 };
	static const uint16_t table[8] = { 0, 1, 0, 1, 0, 1, 0, 1 };
	static const uint8_t tail[3] = { 2, 0, 40 };
	static uint8_t key[40];
	static const uint8_t hash[13] = { 0 };
	static const struct nc_coal tx = { 32, 100 }, rx = { 64, 200 };
	static const struct nc_coal_vq vq0 = { 0, 0, 8, 10 };
	static const uint64_t lro_off = NC_BIT(NC_F_GUEST_CSUM);
	struct scenario sc = { .name = "ethtool", .n = 8 };
	unsigned int i;

	for (i = 0; i < 40; i++)
		key[i] = (uint8_t)(i * 7);
	/* ethtool -L combined 2, -X (RSS), -N rxhash off (HASH 0), -C, DIM, -K lro off */
	sc.s[0] = STEP(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, .sg = { SG(&two, 2) },
		       .vendor = "pairs 2");
	sc.s[1] = STEP(NC_CLASS_MQ, NC_MQ_RSS_CONFIG,
		       .sg = { SG(head, 8), SG(table, 16), SG(tail, 3), SG(key, 40) },
		       .vendor = "rss types=3f len=8 uncl=0 tx=2 key=40 last=1");
	sc.s[2] = STEP(NC_CLASS_MQ, NC_MQ_HASH_CONFIG, .sg = { SG(hash, 13) },
		       .vendor = "hash types=0 key=0");
	sc.s[3] = STEP(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_TX_SET, .sg = { SG(&tx, 8) },
		       .vendor = "coal 0 0 32 100");
	sc.s[4] = STEP(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_RX_SET, .sg = { SG(&rx, 8) },
		       .vendor = "coal 1 0 64 200");
	sc.s[5] = STEP(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_SET, .sg = { SG(&vq0, 12) },
		       .vendor = "coal 2 0 8 10");
	sc.s[6] = STEP(NC_CLASS_GUEST_OFFLOADS, NC_GUEST_OFFLOADS_SET, .sg = { SG(&lro_off, 8) },
		       .vendor = "offloads 2");
	sc.s[7] = STEP(NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_GET, .sg = { SG(&vq0, 4) },
		       .res_len = 8);
	TEST_ASSERT_SUCCESS(run_all(&sc, &St), "run");
	TEST_ASSERT(St.queue_pairs == 2 && St.rss_enabled && St.rss_indir_len == 8 &&
		    St.rss_key[39] == (uint8_t)(39 * 7) && !St.hash_enabled &&
		    St.coal_vq[0].max_packets == 8 && St.coal_vq[2].max_packets == 64 &&
		    St.coal_vq[1].max_usecs == 100 && St.guest_offloads == lro_off, "state");
	return TEST_SUCCESS;
}

static int
test_announce_stats_resume(void)
{
	static const struct nc_stats_req cvq = { 8, { 0 }, NC_BIT(NC_STATS_TYPE_CVQ) };
	static const uint16_t pairs = 3;
	static const uint8_t off = 0;
	struct scenario sc = { .name = "announce_stats_resume", .n = 5 };

	/* config change with ANNOUNCE -> gratuitous ARP -> ACK; ethtool -S; resume re-sends
	 * queue pairs and rx mode
	 */
	sc.s[0] = STEP(NC_CLASS_ANNOUNCE, NC_ANNOUNCE_ACK, .vendor = "announce_ack");
	sc.s[1] = STEP(NC_CLASS_STATS, NC_STATS_GET, .sg = { SG(&cvq, 16) }, .res_len = 24);
	sc.s[2] = STEP(NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, .sg = { SG(&pairs, 2) },
		       .vendor = "pairs 3");
	sc.s[3] = STEP(NC_CLASS_RX, NC_RX_PROMISC, .sg = { SG(&off, 1) }, .vendor = "rx 0 0");
	sc.s[4] = STEP(NC_CLASS_RX, NC_RX_ALLMULTI, .sg = { SG(&off, 1) }, .vendor = "rx 1 0");
	TEST_ASSERT_SUCCESS(run_all(&sc, &St), "run");
	TEST_ASSERT(St.queue_pairs == 3 && !St.rx[0] && !St.rx[1], "state");
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(test_probe_sequence),
	TEST_CASE(test_ifup_rx_mode),
	TEST_CASE(test_vlan_and_address_change),
	TEST_CASE(test_ethtool_channels_rss_coalesce),
	TEST_CASE(test_announce_stats_resume),
};

TEST_MAIN("netctrl_linux", cases)
