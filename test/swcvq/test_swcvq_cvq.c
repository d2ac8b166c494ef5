/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-vhost + vdpa_swcvq (vendor sim) driven by the vhost-user frontend harness over a
 * real unix socket: config space and features, the command sequences a Linux guest sends over
 * split and packed rings, every descriptor layout, the effect of each filter on looped-back
 * traffic, the telemetry state, then adversarial chains. Each case opens a fresh connection on
 * one daemon; the last case checks the daemon exits cleanly on SIGTERM.
 * Skipped when CTLPATH_VHOST is not set (the daemon is not built).
 */
#include <errno.h>

#include "test.h"
#include "swcvq_test_util.h"

#define PAIRS 4
static const uint8_t dev_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t new_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t other_mac[6] = { 0x02, 0x66, 0x66, 0x66, 0x66, 0x66 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static char js[65536];

#define NEED_BACKEND() \
	SWT_NEED_BACKEND("cvq", "vendor=sim,queues=4,mac=02:00:00:00:00:01,mtu=1500")

static struct vu_net *
open_dev(bool packed, unsigned int nregions, bool interrupts)
{
	struct vu_net_params p = {
		.path = swt_be.sock,
		.features = swt_features(packed),
		.qsize = 64,
		.cvq_size = 64,
		.interrupts = interrupts,
		.nregions = nregions,
		.mem_size = 8u << 20,
		.timeout_ms = 3000,
	};
	int err;
	struct vu_net *n = vu_net_open(&p, &err);

	if (n == NULL)
		printf("  vu_net_open: %s (daemon log %s)\n", strerror(-err), swt_be.log);
	return n;
}

static int
state(void)
{
	int rc = swt_state(&swt_be, js, sizeof(js));

	if (rc < 0)
		printf("  telemetry: %s\n", strerror(-rc));
	return rc;
}

#define SHADOW "\"shadow\""
#define VENDOR "\"vendor\":{"

/* Integer @key of the telemetry state, searched from the container named by @scope. */
static long long
st_int(const char *scope, const char *key)
{
	return swt_json_int(js, scope, key);
}

/* True when the shadow state's MAC is @mac (text form). */
static bool
shadow_mac_is(const char *mac)
{
	char got[32] = "";

	vu_json_str(js, SHADOW, "mac", got, sizeof(got));
	if (strcmp(got, mac) != 0)
		printf("  shadow mac %s, expected %s\n", got, mac);
	return strcmp(got, mac) == 0;
}

/* Send one frame and report on which pair it came back (-1 if filtered). */
static int
loop_one(struct vu_net *n, const uint8_t dst[6], int vid, uint32_t seq)
{
	uint8_t tx[128], rx[2048];
	size_t len = swt_frame(tx, dst, vid, seq, 96);
	uint16_t q;
	int got;

	if (vu_net_send(n, (uint16_t)(seq % vu_net_pairs(n)), tx, len) != 0)
		return -2;
	got = swt_recv_any(n, rx, sizeof(rx), 200, &q);
	if (got == 0)
		return -1;
	if (got != (int)len || memcmp(tx, rx, len) != 0)
		return -3;
	return q;
}

/* ---- cases ------------------------------------------------------------------------------ */

static int
test_config_space_and_features(void)
{
	struct vu_net *n;
	uint64_t f;

	NEED_BACKEND();
	n = open_dev(false, 1, true);
	TEST_ASSERT(n != NULL, "device opened");
	f = vu_net_offered(n);
	TEST_ASSERT(f & VU_BIT(VU_NET_F_CTRL_VQ), "CTRL_VQ offered");
	TEST_ASSERT(f & VU_BIT(VU_NET_F_MQ), "MQ offered");
	TEST_ASSERT(f & VU_BIT(VU_F_VERSION_1), "VERSION_1 offered");
	TEST_ASSERT(!(f & VU_BIT(VU_F_ACCESS_PLATFORM)), "no ACCESS_PLATFORM (no IOTLB)");
	TEST_ASSERT(vu_net_config(n)->config_len >= 12, "GET_CONFIG answered");
	TEST_ASSERT(memcmp(vu_net_config(n)->mac, dev_mac, 6) == 0, "config mac");
	TEST_ASSERT_EQUAL(vu_net_config(n)->max_pairs, PAIRS, "max_virtqueue_pairs");
	if (f & VU_BIT(VU_NET_F_MTU))
		TEST_ASSERT_EQUAL(vu_net_config(n)->mtu, 1500, "mtu");
	TEST_ASSERT_EQUAL(vu_net_pairs(n), PAIRS, "all pairs set up");
	TEST_ASSERT_SUCCESS(vu_net_close(n), "ring bases agree at stop");
	return TEST_SUCCESS;
}

/* What Linux sends at probe and at `ip link set up`, then the state telemetry shows. */
static int
linux_sequence(bool packed)
{
	uint8_t tbl[4 + 4 + 3 * 6];
	uint32_t zero = 0, three = 3;
	uint16_t pairs = 2, vid0 = 0;
	struct vu_net *n;
	uint8_t off = 0;

	NEED_BACKEND();
	n = open_dev(packed, 1, true);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT(vu_net_cvq(n) != NULL, "CVQ set up");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2),
			  VU_ACK_OK, "VQ_PAIRS_SET 2");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &off, 1), VU_ACK_OK,
			  "PROMISC off");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_ALLMULTI, &off, 1), VU_ACK_OK,
			  "ALLMULTI off");
	memcpy(tbl, &zero, 4);
	memcpy(tbl + 4, &three, 4);
	memcpy(tbl + 8, mcast, 6);
	memcpy(tbl + 14, "\x33\x33\x00\x00\x00\x01", 6);
	memcpy(tbl + 20, "\x33\x33\xff\x00\x00\x01", 6);
	{
		/* Linux's two data parts: uc table, mc table */
		struct vu_iov parts[2] = { { tbl, 4 }, { tbl + 4, sizeof(tbl) - 4 } };
		struct vu_ctrl c = { .class = VU_CTRL_MAC, .cmd = VU_CTRL_MAC_TABLE_SET,
				     .data = parts, .ndata = 2, .layout = VU_LAYOUT_LINUX };
		struct vu_ctrl_done d;

		TEST_ASSERT_SUCCESS(vu_net_ctrl(n, &c, &d, 3000), "TABLE_SET completed");
		TEST_ASSERT_EQUAL(d.ack, VU_ACK_OK, "TABLE_SET ack");
		TEST_ASSERT_EQUAL(d.used_len, 1, "used len counts the ack byte");
	}
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_VLAN, VU_CTRL_VLAN_ADD, &vid0, 2), VU_ACK_OK,
			  "VLAN ADD 0");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_ADDR_SET, new_mac, 6),
			  VU_ACK_OK, "MAC ADDR_SET");
	TEST_ASSERT(state() > 0, "telemetry state read");
	TEST_ASSERT_EQUAL(st_int(SHADOW, "queue_pairs"), 2, "shadow queue pairs");
	TEST_ASSERT_EQUAL(st_int(SHADOW, "promisc"), 0, "shadow promisc off");
	TEST_ASSERT_EQUAL(st_int(SHADOW, "mc_count"), 3, "shadow multicast table");
	TEST_ASSERT(shadow_mac_is("02:11:22:33:44:55"), "shadow mac is the new one");
	TEST_ASSERT_SUCCESS(vu_net_close(n), "ring bases agree at stop");
	return TEST_SUCCESS;
}

static int
test_linux_sequence_split(void)
{
	return linux_sequence(false);
}

static int
test_linux_sequence_packed(void)
{
	return linux_sequence(true);
}

/* The same ADDR_SET in every layout, with and without interrupts, lands the same MAC. */
static int
test_every_layout_is_accepted(void)
{
	static const enum vu_ctrl_layout lay[] = {
		VU_LAYOUT_LINUX, VU_LAYOUT_MERGED, VU_LAYOUT_BYTES, VU_LAYOUT_INDIRECT,
	};
	struct vu_ctrl_done d;
	unsigned int i, pk;
	struct vu_net *n;
	uint8_t mac[6];

	NEED_BACKEND();
	for (pk = 0; pk < 2; pk++) {
		n = open_dev(pk == 1, 1, pk == 0);
		TEST_ASSERT(n != NULL, "device opened");
		for (i = 0; i < 4; i++) {
			struct vu_iov iov = { mac, 6 };
			struct vu_ctrl c = { .class = VU_CTRL_MAC, .cmd = VU_CTRL_MAC_ADDR_SET,
					     .data = &iov, .ndata = 1, .layout = lay[i] };
			char want[32];

			if (lay[i] == VU_LAYOUT_INDIRECT &&
			    !(vu_net_features(n) & VU_BIT(VU_F_INDIRECT_DESC)))
				continue;
			memcpy(mac, new_mac, 6);
			mac[5] = (uint8_t)(0x10 * pk + i);
			TEST_ASSERT_SUCCESS(vu_net_ctrl(n, &c, &d, 3000), "layout %u completed", i);
			TEST_ASSERT_EQUAL(d.ack, VU_ACK_OK, "layout %u ack (packed %u)", i, pk);
			TEST_ASSERT(state() > 0, "telemetry");
			snprintf(want, sizeof(want), "02:11:22:33:44:%02x", mac[5]);
			TEST_ASSERT(shadow_mac_is(want), "layout %u set mac %s", i, want);
		}
		TEST_ASSERT_SUCCESS(vu_net_close(n), "stop");
	}
	return TEST_SUCCESS;
}

/* A command whose data straddles two memory regions is gathered correctly. */
static int
test_buffer_across_regions(void)
{
	struct vu_ring *r;
	struct vu_net *n;
	uint64_t gpa, ack_gpa;
	uint8_t *buf, *ack;
	uint16_t id, got;
	uint32_t len;
	int rc, i;

	NEED_BACKEND();
	n = open_dev(false, 2, false);
	TEST_ASSERT(n != NULL, "device opened");
	r = vu_net_cvq(n);
	buf = vu_mem_alloc_straddling(vu_net_mem(n), 8, &gpa);
	ack = vu_mem_alloc(vu_net_mem(n), 1, 1, &ack_gpa);
	TEST_ASSERT(buf != NULL && ack != NULL, "buffers");
	buf[0] = VU_CTRL_MAC;
	buf[1] = VU_CTRL_MAC_ADDR_SET;
	memcpy(buf + 2, new_mac, 6);
	buf[7] = 0x77;
	*ack = 0xa5;
	{
		struct vu_seg s[2] = { { gpa, 8, false }, { ack_gpa, 1, true } };

		TEST_ASSERT_SUCCESS(vu_ring_add(r, s, 2, false, &id), "add");
	}
	vu_ring_kick(r, true);
	for (i = 0, rc = 0; i < 3000 && rc == 0; i++) {
		rc = vu_ring_used(r, &got, &len);
		if (rc == 0)
			usleep(1000);
	}
	TEST_ASSERT_EQUAL(rc, 1, "used entry");
	TEST_ASSERT_EQUAL(got, id, "used id");
	TEST_ASSERT_EQUAL(*ack, VU_ACK_OK, "ack");
	TEST_ASSERT(state() > 0, "telemetry");
	TEST_ASSERT(shadow_mac_is("02:11:22:33:44:77"), "mac gathered across regions");
	TEST_ASSERT_SUCCESS(vu_net_close(n), "stop");
	return TEST_SUCCESS;
}

/* Every filter the CVQ programs changes what the sim vendor loops back. */
static int
test_filters_shape_loopback(void)
{
	uint8_t on = 1, off = 0;
	uint16_t pairs = PAIRS, vid = 10;
	struct vu_net *n;
	uint32_t seq = 1;
	bool seen[PAIRS] = { false };
	int q, i, distinct = 0;

	NEED_BACKEND();
	n = open_dev(false, 1, true);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &off, 1), VU_ACK_OK,
			  "promisc off");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_ADDR_SET, new_mac, 6),
			  VU_ACK_OK, "mac");
	vu_net_drain(n);
	TEST_ASSERT(loop_one(n, new_mac, -1, seq++) >= 0, "own unicast passes");
	TEST_ASSERT_EQUAL(loop_one(n, other_mac, -1, seq++), -1, "foreign unicast filtered");
	TEST_ASSERT(loop_one(n, bcast, -1, seq++) >= 0, "broadcast passes");
	TEST_ASSERT_EQUAL(loop_one(n, mcast, -1, seq++), -1, "multicast not in table filtered");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_ALLMULTI, &on, 1), VU_ACK_OK,
			  "allmulti on");
	TEST_ASSERT(loop_one(n, mcast, -1, seq++) >= 0, "multicast passes with allmulti");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &on, 1), VU_ACK_OK,
			  "promisc on");
	TEST_ASSERT(loop_one(n, other_mac, -1, seq++) >= 0, "foreign unicast passes in promisc");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &off, 1), VU_ACK_OK,
			  "promisc off");
	if (vu_net_features(n) & VU_BIT(VU_NET_F_CTRL_VLAN)) {
		TEST_ASSERT_EQUAL(loop_one(n, new_mac, 10, seq++), -1, "VLAN 10 not in table");
		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_VLAN, VU_CTRL_VLAN_ADD, &vid, 2),
				  VU_ACK_OK, "VLAN ADD 10");
		TEST_ASSERT(loop_one(n, new_mac, 10, seq++) >= 0, "VLAN 10 passes once added");
		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_VLAN, VU_CTRL_VLAN_DEL, &vid, 2),
				  VU_ACK_OK, "VLAN DEL 10");
		TEST_ASSERT_EQUAL(loop_one(n, new_mac, 10, seq++), -1, "VLAN 10 filtered again");
	}
	/* one pair: everything arrives on rx 0; all pairs: spread over more than one */
	pairs = 1;
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2),
			  VU_ACK_OK, "1 pair");
	for (i = 0; i < 16; i++)
		TEST_ASSERT_EQUAL(loop_one(n, new_mac, -1, seq++), 0, "single pair uses rx 0");
	pairs = PAIRS;
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2),
			  VU_ACK_OK, "all pairs");
	for (i = 0; i < 32; i++) {
		q = loop_one(n, new_mac, -1, seq++);
		TEST_ASSERT(q >= 0 && q < PAIRS, "frame %d looped back (%d)", i, q);
		if (!seen[q])
			distinct++;
		seen[q] = true;
	}
	TEST_ASSERT(distinct > 1, "traffic spread over %d rx queues", distinct);
	TEST_ASSERT(state() > 0, "telemetry");
	TEST_ASSERT(st_int(VENDOR, "drop_unicast") > 0, "vendor counted the foreign unicast");
	TEST_ASSERT(st_int(VENDOR, "drop_vlan") > 0 ||
		    !(vu_net_features(n) & VU_BIT(VU_NET_F_CTRL_VLAN)),
		    "vendor counted VLAN drops");
	TEST_ASSERT(st_int(VENDOR, "rx_frames") >= 50, "vendor counted looped frames");
	TEST_ASSERT_SUCCESS(vu_net_close(n), "stop");
	return TEST_SUCCESS;
}

/* Values out of range and wrong lengths are refused and leave the state alone. */
static int
test_bad_values_refused(void)
{
	uint16_t zero = 0, many = PAIRS + 1, two = 2, vid_big = 4096;
	uint8_t on = 1, junk[8] = { 0 };
	struct vu_net *n;

	NEED_BACKEND();
	n = open_dev(false, 1, true);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &two, 2),
			  VU_ACK_OK, "2 pairs");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &zero, 2),
			  VU_ACK_ERR, "0 pairs refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &many, 2),
			  VU_ACK_ERR, "more pairs than the device has refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &two, 1),
			  VU_ACK_ERR, "short VQ_PAIRS_SET refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, junk, 2), VU_ACK_ERR,
			  "2-byte PROMISC refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, NULL, 0), VU_ACK_ERR,
			  "PROMISC without data refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_ADDR_SET, new_mac, 5),
			  VU_ACK_ERR, "5-byte MAC refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_VLAN, VU_CTRL_VLAN_ADD, &vid_big, 2),
			  VU_ACK_ERR, "VID 4096 refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, 99, 0, &on, 1), VU_ACK_ERR, "unknown class refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, 77, &on, 1), VU_ACK_ERR,
			  "unknown command refused");
	{
		/* TABLE_SET whose counts do not match the bytes */
		uint8_t t[8 + 6];
		uint32_t uc = 2, mc = 0;

		memcpy(t, &uc, 4);
		memcpy(t + 4, new_mac, 6);
		memcpy(t + 10, &mc, 4);
		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_TABLE_SET, t, sizeof(t)),
				  VU_ACK_ERR, "TABLE_SET with a lying count refused");
	}
	TEST_ASSERT(state() > 0, "telemetry");
	TEST_ASSERT_EQUAL(st_int(SHADOW, "queue_pairs"), 2, "queue pairs unchanged");
	TEST_ASSERT(shadow_mac_is("02:00:00:00:00:01"), "mac unchanged");
	TEST_ASSERT(st_int("\"errors\":{", "length") > 0, "length errors counted");
	TEST_ASSERT_SUCCESS(vu_net_close(n), "stop");
	return TEST_SUCCESS;
}

/* Wait for a used entry on @r (raw chains); returns 1, 0 (none in @ms), or -errno. */
static int
wait_used(struct vu_ring *r, uint16_t *id, uint32_t *len, int ms)
{
	int rc, i;

	for (i = 0; i < ms; i++) {
		rc = vu_ring_used(r, id, len);
		if (rc != 0)
			return rc;
		usleep(1000);
	}
	return 0;
}

/*
 * One malformed chain on a fresh connection. @expect_used: the ack is reachable, so an ERR
 * used entry must come back; otherwise the device may instead stop serving the ring (NEEDS_RESET)
 * — either way the daemon stays up and the next connection works.
 */
static int
bad_chain(bool packed, const char *what, const struct vu_rawdesc *d, unsigned int nd,
	  int head_rel, bool expect_used)
{
	uint8_t *hdr, *ack;
	uint64_t hdr_gpa, ack_gpa;
	struct vu_rawdesc dd[VU_RAW_SLOTS];
	struct vu_ring *r;
	struct vu_net *n;
	uint16_t id, head;
	uint32_t len;
	unsigned int i;
	int rc;

	n = open_dev(packed, 1, false);
	TEST_ASSERT(n != NULL, "%s: device opened", what);
	r = vu_net_cvq(n);
	hdr = vu_mem_alloc(vu_net_mem(n), 16, 16, &hdr_gpa);
	ack = vu_mem_alloc(vu_net_mem(n), 16, 16, &ack_gpa);
	hdr[0] = VU_CTRL_RX;
	hdr[1] = VU_CTRL_RX_PROMISC;
	hdr[2] = 0;	/* PROMISC off: the default is on */
	*ack = 0xa5;
	/* placeholders: addr 1 = header buffer, 2 = ack buffer; next is relative to raw slot 0 */
	for (i = 0; i < nd; i++) {
		dd[i] = d[i];
		if (d[i].addr == 1)
			dd[i].addr = hdr_gpa;
		else if (d[i].addr == 2)
			dd[i].addr = ack_gpa;
		if (!packed && d[i].next < VU_RAW_SLOTS)
			dd[i].next = vu_ring_raw_slot(r, d[i].next);
		if (packed)
			dd[i].next = vu_ring_raw_slot(r, 0);	/* buffer id */
	}
	head = head_rel < 0 ? (uint16_t)0xffff : vu_ring_raw_slot(r, (unsigned int)head_rel);
	TEST_ASSERT_SUCCESS(vu_ring_add_raw(r, dd, nd, head), "%s: posted", what);
	vu_ring_kick(r, true);
	rc = wait_used(r, &id, &len, 300);
	TEST_ASSERT(rc >= 0, "%s: no impossible used entry (%d)", what, rc);
	if (expect_used) {
		TEST_ASSERT_EQUAL(rc, 1, "%s: completed", what);
		TEST_ASSERT_EQUAL(*ack, VU_ACK_ERR, "%s: answered ERR", what);
	} else if (rc == 1) {
		TEST_ASSERT(*ack == VU_ACK_ERR || *ack == 0xa5, "%s: not acked OK", what);
	}
	TEST_ASSERT(vu_proc_alive(swt_be.pid), "%s: daemon alive", what);
	TEST_ASSERT(state() > 0, "%s: telemetry answers", what);
	if (rc == 0)
		TEST_ASSERT(st_int(NULL, "needs_reset") > 0,
			    "%s: no used entry, so the device must have flagged NEEDS_RESET", what);
	TEST_ASSERT_EQUAL(st_int(SHADOW, "promisc"), 1, "%s: promisc not switched by a bad chain",
			  what);
	vu_net_abort(n);
	/* the next connection is served normally */
	n = open_dev(packed, 1, true);
	TEST_ASSERT(n != NULL, "%s: reopened", what);
	{
		uint8_t on = 0;

		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &on, 1), VU_ACK_OK,
				  "%s: next connection served", what);
	}
	TEST_ASSERT_SUCCESS(vu_net_close(n), "%s: stop", what);
	return TEST_SUCCESS;
}

#define R 0				/* readable */
#define W VU_DESC_F_WRITE
#define N VU_DESC_F_NEXT

static int
adversarial(bool packed)
{
	uint64_t far = 0x7fff00000000ull;
	const struct {
		const char *what;
		struct vu_rawdesc d[4];
		unsigned int n;
		int head;
		bool split_only, expect_used;
	} c[] = {
		{ "short header", { { 1, 1, R | N, 1 }, { 2, 1, W, 0 } }, 2, 0, false, true },
		{ "data outside memory",
		  { { 1, 2, R | N, 1 }, { far, 1, R | N, 2 }, { 2, 1, W, 0 } },
		  3, 0, false, true },
		{ "readable after writable", { { 1, 2, R | N, 1 }, { 2, 1, W | N, 2 },
		  { 1, 1, R, 0 } }, 3, 0, false, true },
		{ "no writable byte", { { 1, 3, R, 0 } }, 1, 0, false, false },
		{ "ack outside memory", { { 1, 3, R | N, 1 }, { far, 1, W, 0 } }, 2, 0, false,
		  false },
		{ "zero-length ack", { { 1, 3, R | N, 1 }, { 2, 0, W, 0 } }, 2, 0, false, false },
		{ "indirect len not x16", { { 1, 20, VU_DESC_F_INDIRECT, 0 } }, 1, 0, false,
		  false },
		{ "descriptor loop", { { 1, 3, R | N, 1 }, { 2, 1, W | N, 0 } }, 2, 0, true,
		  false },
		{ "next out of range", { { 1, 3, R | N, 0x7777 } }, 1, 0, true, false },
		{ "head out of range", { { 1, 3, R | N, 1 }, { 2, 1, W, 0 } }, 2, -1, true, false },
	};
	unsigned int i;
	int rc;

	NEED_BACKEND();
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (packed && c[i].split_only)
			continue;
		rc = bad_chain(packed, c[i].what, c[i].d, c[i].n, c[i].head, c[i].expect_used);
		if (rc != TEST_SUCCESS)
			return rc;
	}
	TEST_ASSERT(state() > 0, "telemetry");
	return TEST_SUCCESS;
}

static int
test_adversarial_chains_split(void)
{
	return adversarial(false);
}

static int
test_adversarial_chains_packed(void)
{
	return adversarial(true);
}

/* Dropping the connection with commands in flight, then reconnecting, resets the device. */
static int
test_reconnect_resets_state(void)
{
	uint8_t on = 1;
	struct vu_net *n;
	uint16_t id;
	int k;

	NEED_BACKEND();
	for (k = 0; k < 5; k++) {
		n = open_dev(k & 1, 1, true);
		TEST_ASSERT(n != NULL, "round %d: opened", k);
		TEST_ASSERT(state() > 0, "telemetry");
		TEST_ASSERT(shadow_mac_is("02:00:00:00:00:01"), "round %d: mac back to the config "
			    "mac", k);
		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_ADDR_SET, new_mac, 6),
				  VU_ACK_OK, "round %d: mac set", k);
		{
			struct vu_iov iov = { &on, 1 };
			struct vu_ctrl c = { .class = VU_CTRL_RX, .cmd = VU_CTRL_RX_PROMISC,
					     .data = &iov, .ndata = 1 };

			TEST_ASSERT_SUCCESS(vu_net_ctrl_submit(n, &c, &id), "in flight");
		}
		vu_net_abort(n);
	}
	TEST_ASSERT(vu_proc_alive(swt_be.pid), "daemon survived");
	return TEST_SUCCESS;
}

static int
test_daemon_exits_cleanly_on_sigterm(void)
{
	NEED_BACKEND();
	return swt_daemon_exits_cleanly();
}

static const struct test_case cases[] = {
	TEST_CASE(test_config_space_and_features),
	TEST_CASE(test_linux_sequence_split),
	TEST_CASE(test_linux_sequence_packed),
	TEST_CASE(test_every_layout_is_accepted),
	TEST_CASE(test_buffer_across_regions),
	TEST_CASE(test_filters_shape_loopback),
	TEST_CASE(test_bad_values_refused),
	TEST_CASE(test_adversarial_chains_split),
	TEST_CASE(test_adversarial_chains_packed),
	TEST_CASE(test_reconnect_resets_state),
	TEST_CASE(test_daemon_exits_cleanly_on_sigterm),
};

TEST_MAIN("swcvq_cvq", cases)
