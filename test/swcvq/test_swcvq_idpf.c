/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-vhost + vdpa_swcvq with vendor idpf, driven by the vhost-user frontend harness: every
 * CVQ command must reach the emulated idpf device as virtchnl2, and the device's own telemetry
 * (/ctlpath/idpf_emu/state,vdpa_swcvq0_idpf) must show what the commands asked for: MAC
 * filters, promiscuous flags, enabled queues, RSS key, LUT and hash groups. A command the
 * device refuses is answered ERR and leaves both the shadow state and the device unchanged;
 * commands sent back to back are pipelined (the device answers after 2 ms) and keep their order.
 * The last case has its own daemon whose device loses, repeats, delays, reorders and refuses
 * replies (fixed seeds), and checks the device against netctrl's shadow after every command.
 * Skipped when CTLPATH_VHOST is not set (the daemon is not built).
 */
#include <errno.h>

#include "test.h"
#include "swcvq_test_util.h"

#define PAIRS 4
#define EMU_MACS 8		/* the emulated vport holds this many MAC filters */
#define EMU "/ctlpath/idpf_emu/state,vdpa_swcvq0_idpf"

static const uint8_t new_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t mc1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t mc2[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

static char js[65536];		/* /ctlpath/swcvq/state */
static char ejs[65536];		/* the emulated device's state */
static struct vu_net *cur;	/* open connection: a failed case leaves it to the next */

#define NEED_BACKEND() \
	SWT_NEED_BACKEND("idpf", "vendor=idpf,queues=4,mac=02:00:00:00:00:01,mtu=1500," \
			 "idpf=[macs:8,latency_us:2000]")
/* A case with its own daemon (after test_daemon_exits_cleanly_on_sigterm stopped the shared one) */
#define NEED_BACKEND_ARGS(devargs) SWT_NEED_BACKEND("idpff", devargs)

static struct vu_net *
open_dev(bool packed)
{
	struct vu_net_params p = {
		.path = swt_be.sock,
		.features = swt_features(packed),
		.qsize = 64,
		.cvq_size = 64,
		.interrupts = true,
		.mem_size = 8u << 20,
		.timeout_ms = 5000,
	};
	struct vu_net *n;
	int err;

	/* the daemon serves one connection at a time: drop what a failed case left open */
	vu_net_abort(cur);
	n = vu_net_open(&p, &err);
	if (n == NULL)
		printf("  vu_net_open: %s (daemon log %s)\n", strerror(-err), swt_be.log);
	cur = n;
	return n;
}

static int
close_dev(struct vu_net *n)
{
	cur = NULL;
	return vu_net_close(n);
}

/* Read both telemetry states; > 0 when both answered. */
static int
states(void)
{
	int rc = swt_state(&swt_be, js, sizeof(js));

	if (rc > 0)
		rc = vu_telemetry(swt_be.prefix, EMU, ejs, sizeof(ejs));
	if (rc <= 0)
		printf("  telemetry: %s\n", strerror(-rc));
	return rc;
}

/* Numbers of array @key (searched after @scope) into @out; @return their count or -1. */
static int
get_array(const char *json, const char *scope, const char *key, long long *out, int max)
{
	const char *p = scope != NULL ? strstr(json, scope) : json;
	char pat[64];
	char *end;
	int n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":[", key);
	p = p != NULL ? strstr(p, pat) : NULL;
	if (p == NULL)
		return -1;
	p += strlen(pat);
	while (*p != ']' && *p != '\0' && n < max) {
		out[n++] = strtoll(p, &end, 0);
		if (end == p)
			return -1;
		p = end;
		if (*p == ',')
			p++;
	}
	return n;
}

/* The device's MAC filters, as one string "aa:..,bb:..". @return their count. */
static int
emu_macs(char *out, size_t cap)
{
	const char *p = strstr(ejs, "\"mac_filters\":["), *e;
	size_t i = 0;
	int quotes = 0;

	out[0] = '\0';
	if (p == NULL)
		return -1;
	p += strlen("\"mac_filters\":[");
	e = strchr(p, ']');
	if (e == NULL)
		return -1;
	for (; p < e && i + 1 < cap; p++) {
		if (*p == '"')
			quotes++;
		else
			out[i++] = *p;
	}
	out[i] = '\0';
	return quotes / 2;
}

static bool
emu_has_mac(const uint8_t m[6])
{
	char all[1024], one[18];

	emu_macs(all, sizeof(all));
	snprintf(one, sizeof(one), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return strstr(all, one) != NULL;
}

/* Enabled flags of the device's rx (or tx) queues as a bitmap; -1 on a parse failure. */
static long long
emu_queues(bool rx)
{
	long long en[64], bits = 0;
	int n = get_array(ejs, rx ? "\"rxq\":{" : "\"txq\":{", "enabled", en, 64), i;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		bits |= (en[i] != 0) << i;
	return bits;
}

static int
mac_table(struct vu_net *n, const uint8_t (*uc)[6], uint32_t nuc, const uint8_t (*mc)[6],
	  uint32_t nmc)
{
	uint8_t buf[8 + 6 * 32];
	size_t off = 0;

	memcpy(buf, &nuc, 4);
	off = 4;
	if (nuc > 0)
		memcpy(buf + off, uc, 6u * nuc);
	off += 6u * nuc;
	memcpy(buf + off, &nmc, 4);
	off += 4;
	if (nmc > 0)
		memcpy(buf + off, mc, 6u * nmc);
	off += 6u * nmc;
	return vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_TABLE_SET, buf, off);
}

/* RSS_CONFIG: @return the ack. */
static int
rss_config(struct vu_net *n, uint32_t types, const uint16_t *indir, uint16_t len,
	   uint16_t unclassified, uint16_t max_tx, const uint8_t *key, uint8_t key_len)
{
	uint8_t buf[8 + 2 * 128 + 3 + 64];
	uint16_t mask = len - 1;
	size_t off;

	memcpy(buf, &types, 4);
	memcpy(buf + 4, &mask, 2);
	memcpy(buf + 6, &unclassified, 2);
	memcpy(buf + 8, indir, 2u * len);
	off = 8 + 2u * len;
	memcpy(buf + off, &max_tx, 2);
	buf[off + 2] = key_len;
	memcpy(buf + off + 3, key, key_len);
	return vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_RSS_CONFIG, buf, off + 3 + key_len);
}

/* The device state right after a reset: promiscuous, the config MAC, one pair. */
static int
check_reset_state(const char *when)
{
	char macs[256];

	TEST_ASSERT(states() > 0, "%s: telemetry", when);
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_unicast"), 1,
			  "%s: unicast promisc", when);
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_multicast"), 1, "%s: multicast promisc",
			  when);
	TEST_ASSERT_EQUAL(emu_macs(macs, sizeof(macs)), 1, "%s: one filter (%s)", when, macs);
	TEST_ASSERT(strcmp(macs, "02:00:00:00:00:01") == 0, "%s: the config MAC (%s)", when, macs);
	TEST_ASSERT_EQUAL(emu_queues(true), 0x1, "%s: rx queue 0 only", when);
	TEST_ASSERT_EQUAL(emu_queues(false), 0x1, "%s: tx queue 0 only", when);
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "enabled"), 1, "%s: vport enabled", when);
	return TEST_SUCCESS;
}

/* ---- cases ------------------------------------------------------------------------------ */

static int
test_offers_only_what_the_device_implements(void)
{
	char name[64] = "";
	struct vu_net *n;
	uint64_t f;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	f = vu_net_offered(n);
	TEST_ASSERT(f & VU_BIT(VU_NET_F_CTRL_VQ), "CTRL_VQ offered");
	TEST_ASSERT(f & VU_BIT(VU_NET_F_CTRL_RX), "CTRL_RX offered (promiscuous flags)");
	TEST_ASSERT(f & VU_BIT(VU_NET_F_MQ), "MQ offered (ENABLE/DISABLE_QUEUES)");
	TEST_ASSERT(f & VU_BIT(VU_NET_F_CTRL_MAC_ADDR), "CTRL_MAC_ADDR offered (MAC filters)");
	TEST_ASSERT(f & VU_BIT(VU_NET_F_RSS), "RSS offered (SET_RSS_*)");
	TEST_ASSERT(!(f & VU_BIT(VU_NET_F_CTRL_VLAN)), "no CTRL_VLAN: no virtchnl2 VLAN op");
	TEST_ASSERT(!(f & VU_BIT(VU_NET_F_CTRL_RX_EXTRA)), "no CTRL_RX_EXTRA");
	TEST_ASSERT(!(f & VU_BIT(VU_NET_F_NOTF_COAL)), "no NOTF_COAL");
	TEST_ASSERT(!(f & VU_BIT(VU_NET_F_CTRL_GUEST_OFFLOADS)), "no CTRL_GUEST_OFFLOADS");
	TEST_ASSERT_EQUAL(vu_net_config(n)->max_pairs, PAIRS, "max_virtqueue_pairs");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT(vu_json_str(js, "\"vendor\":{", "idpf_device", name, sizeof(name)) == 0 &&
		    strcmp(name, "vdpa_swcvq0_idpf") == 0, "vendor names its device (%s)", name);
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "versioned"), 1, "device saw VERSION");
	if (check_reset_state("after connect") != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_SUCCESS(close_dev(n), "ring bases agree at stop");
	return TEST_SUCCESS;
}

/* What Linux sends at probe and `ip link set up`; the device shows each command's effect. */
static int
linux_sequence(bool packed)
{
	const uint8_t mcs[3][6] = {
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 },
	};
	uint16_t pairs = 2;
	struct vu_net *n;
	uint8_t off = 0;
	char macs[256];

	NEED_BACKEND();
	n = open_dev(packed);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2),
			  VU_ACK_OK, "VQ_PAIRS_SET 2");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &off, 1), VU_ACK_OK,
			  "PROMISC off");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_ALLMULTI, &off, 1), VU_ACK_OK,
			  "ALLMULTI off");
	TEST_ASSERT_EQUAL(mac_table(n, NULL, 0, mcs, 3), VU_ACK_OK, "TABLE_SET 0 uc, 3 mc");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_ADDR_SET, new_mac, 6),
			  VU_ACK_OK, "MAC ADDR_SET");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "queue_pairs"), 2, "shadow pairs");
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_unicast"), 0,
			  "device: unicast promisc off");
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_multicast"), 0,
			  "device: multicast promisc off");
	TEST_ASSERT_EQUAL(emu_macs(macs, sizeof(macs)), 4, "device: 4 filters (%s)", macs);
	TEST_ASSERT(emu_has_mac(new_mac) && emu_has_mac(mcs[0]) && emu_has_mac(mcs[1]) &&
		    emu_has_mac(mcs[2]), "device: new MAC and the 3 multicast (%s)", macs);
	TEST_ASSERT(strstr(macs, "02:00:00:00:00:01") == NULL, "device: old MAC removed (%s)",
		    macs);
	TEST_ASSERT_EQUAL(emu_queues(true), 0x3, "device: rx queues 0-1 enabled");
	TEST_ASSERT_EQUAL(emu_queues(false), 0x3, "device: tx queues 0-1 enabled");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"cmd_ok\"", "mac_table_set"), 1, "engine counted it");
	TEST_ASSERT(swt_json_int(js, "\"cvq\"", "deferred") >= 4, "commands completed deferred");
	TEST_ASSERT_SUCCESS(close_dev(n), "ring bases agree at stop");
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

/* PROMISC sets both flags, ALLMULTI the multicast one; turning them off clears them. */
static int
test_rx_modes_program_promiscuous_flags(void)
{
	static const struct {
		uint8_t cmd, on;
		int uc, mc;
	} steps[] = {
		{ VU_CTRL_RX_PROMISC, 0, 0, 0 },
		{ VU_CTRL_RX_ALLMULTI, 1, 0, 1 },
		{ VU_CTRL_RX_PROMISC, 1, 1, 1 },
		{ VU_CTRL_RX_ALLMULTI, 0, 1, 1 },
		{ VU_CTRL_RX_PROMISC, 0, 0, 0 },
		{ VU_CTRL_RX_ALLMULTI, 1, 0, 1 },
		{ VU_CTRL_RX_ALLMULTI, 0, 0, 0 },
	};
	struct vu_net *n;
	unsigned int i;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, steps[i].cmd, &steps[i].on, 1),
				  VU_ACK_OK, "step %u acked", i);
		TEST_ASSERT(states() > 0, "telemetry");
		TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_unicast"), steps[i].uc,
				  "step %u: unicast flag", i);
		TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_multicast"), steps[i].mc,
				  "step %u: multicast flag", i);
	}
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

/* RSS_CONFIG lands as key, LUT and hash groups; a refused one changes nothing; MQ resets it. */
static int
test_rss_programs_key_lut_and_hash(void)
{
	uint16_t indir[128], small[4] = { 3, 2, 1, 0 }, one = 1;
	long long lut[512];
	uint8_t key[40];
	char hex[128], want[128];
	struct vu_net *n;
	int i, len;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	for (i = 0; i < 128; i++)
		indir[i] = (uint16_t)(i % 3);
	for (i = 0; i < 40; i++) {
		key[i] = (uint8_t)(0xa0 + 7 * i);
		snprintf(want + 2 * i, 3, "%02x", key[i]);
	}
	/* IPv4 | TCPv4 over 3 pairs */
	TEST_ASSERT_EQUAL(rss_config(n, 0x3, indir, 128, 0, 3, key, 40), VU_ACK_OK, "RSS_CONFIG");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT(vu_json_str(ejs, NULL, "rss_key", hex, sizeof(hex)) == 0 &&
		    strcmp(hex, want) == 0, "device key is the guest's (%s)", hex);
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "rss_key_len"), 40, "device key length");
	len = get_array(ejs, NULL, "rss_lut", lut, 512);
	TEST_ASSERT_EQUAL(len, 128, "LUT size");
	for (i = 0; i < len; i++)
		TEST_ASSERT_EQUAL(lut[i], indir[i], "LUT[%d]", i);
	/* IPv4 -> ipv4 | other | frag, TCPv4 -> tcp: groups 5, 3, 4, 0 */
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "rss_hash"), 0x39, "hash groups");
	TEST_ASSERT_EQUAL(emu_queues(true), 0x7, "rx queues 0-2 enabled");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "rss_enabled"), 1, "shadow RSS on");

	/* a 4-entry table is repeated over the device's 128 entries */
	TEST_ASSERT_EQUAL(rss_config(n, 0x3f, small, 4, 0, 4, key, 40), VU_ACK_OK,
			  "RSS_CONFIG 4 entries");
	TEST_ASSERT(states() > 0, "telemetry");
	len = get_array(ejs, NULL, "rss_lut", lut, 512);
	TEST_ASSERT_EQUAL(len, 128, "LUT size");
	for (i = 0; i < len; i++)
		TEST_ASSERT_EQUAL(lut[i], small[i % 4], "LUT[%d] repeats the guest table", i);
	TEST_ASSERT_EQUAL(emu_queues(true), 0xf, "all rx queues enabled");
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "rss_hash"), 0xefb, "all six types' groups");

	/* the device has no queue for unhashed frames but queue 0: refused, nothing changes */
	TEST_ASSERT_EQUAL(rss_config(n, 0x3, indir, 128, 2, 3, key, 40), VU_ACK_ERR,
			  "unclassified_queue 2 refused");
	TEST_ASSERT(states() > 0, "telemetry");
	len = get_array(ejs, NULL, "rss_lut", lut, 512);
	for (i = 0; i < len; i++)
		TEST_ASSERT_EQUAL(lut[i], small[i % 4], "LUT[%d] unchanged", i);
	TEST_ASSERT_EQUAL(emu_queues(true), 0xf, "queues unchanged");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "rss_indir_len"), 4, "shadow unchanged");

	/* VQ_PAIRS_SET: RSS off, automatic steering over the enabled pair, default groups */
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MQ, VU_CTRL_MQ_VQ_PAIRS_SET, &one, 2), VU_ACK_OK,
			  "VQ_PAIRS_SET 1");
	TEST_ASSERT(states() > 0, "telemetry");
	len = get_array(ejs, NULL, "rss_lut", lut, 512);
	for (i = 0; i < len; i++)
		TEST_ASSERT_EQUAL(lut[i], 0, "LUT[%d] on queue 0", i);
	TEST_ASSERT_EQUAL(emu_queues(true), 0x1, "rx queue 0 only");
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "rss_hash"), 0xff,
			  "device's default groups back");
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

/* More filters than the vport holds: ERR, and neither the shadow nor the device changes. */
static int
test_refused_mac_table_leaves_state_unchanged(void)
{
	uint8_t uc[12][6];
	char before[512], after[512];
	struct vu_net *n;
	int i;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	for (i = 0; i < 12; i++) {
		memcpy(uc[i], "\x02\xaa\x00\x00\x00\x00", 6);
		uc[i][5] = (uint8_t)i;
	}
	TEST_ASSERT_EQUAL(mac_table(n, (const uint8_t (*)[6])uc, 3, NULL, 0), VU_ACK_OK,
			  "3 unicast entries");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT_EQUAL(emu_macs(before, sizeof(before)), 4, "config MAC + 3 (%s)", before);
	/* 9 other entries + the config MAC > 8: the ADD fails after the DEL of the 3 went through,
	 * so the DEL must be undone */
	TEST_ASSERT_EQUAL(mac_table(n, (const uint8_t (*)[6])uc + 3, 9, NULL, 0), VU_ACK_ERR,
			  "10 filters refused by the device");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT_EQUAL(emu_macs(after, sizeof(after)), 4, "device still holds 4 (%s)", after);
	for (i = 0; i < 3; i++)
		TEST_ASSERT(emu_has_mac(uc[i]), "entry %d put back", i);
	TEST_ASSERT(emu_has_mac((const uint8_t *)"\x02\x00\x00\x00\x00\x01"), "config MAC kept");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "uc_count"), 3, "shadow table unchanged");
	TEST_ASSERT(swt_json_int(js, "\"vendor\":{", "undone") >= 1, "vendor undid the removal");
	TEST_ASSERT(swt_json_int(js, "\"cmd_err\"", "mac_table_set") >= 1,
		    "engine counted the ERR");
	/* exactly as many as the vport holds: accepted, the old entries replaced */
	TEST_ASSERT_EQUAL(mac_table(n, (const uint8_t (*)[6])uc + 3, EMU_MACS - 1, NULL, 0),
			  VU_ACK_OK, "7 entries + config MAC = 8 fit");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT_EQUAL(emu_macs(after, sizeof(after)), EMU_MACS, "device full (%s)", after);
	for (i = 0; i < 3; i++)
		TEST_ASSERT(!emu_has_mac(uc[i]), "old entry %d removed", i);
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "uc_count"), EMU_MACS - 1,
			  "shadow updated");
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

/* Eight commands submitted back to back: pipelined, acked in order, the last of each kind wins. */
static int
test_pipelined_commands_keep_their_order(void)
{
	uint8_t m1[6] = { 0x02, 0x01, 0x01, 0x01, 0x01, 0x01 }, m2[6] = { 0x02, 0x02, 0x02, 0x02,
		0x02, 0x02 };
	uint8_t off = 0, on = 1, too_many[4 + 10 * 6 + 4], two_mc[4 + 4 + 12];
	uint16_t three = 3, two = 2, ids[8], id;
	uint32_t cnt;
	struct vu_iov iov[8];
	struct vu_ctrl c[8];
	struct vu_ctrl_done d;
	static const uint8_t want_ack[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	struct vu_net *n;
	char macs[256];
	int i;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	cnt = 10;
	memcpy(too_many, &cnt, 4);
	for (i = 0; i < 10; i++) {
		memcpy(too_many + 4 + 6 * i, "\x02\xbb\x00\x00\x00\x00", 6);
		too_many[4 + 6 * i + 5] = (uint8_t)i;
	}
	cnt = 0;
	memcpy(too_many + 64, &cnt, 4);
	memcpy(two_mc, &cnt, 4);
	cnt = 2;
	memcpy(two_mc + 4, &cnt, 4);
	memcpy(two_mc + 8, mc1, 6);
	memcpy(two_mc + 14, mc2, 6);
	iov[0] = (struct vu_iov){ &off, 1 };
	iov[1] = (struct vu_iov){ m1, 6 };
	iov[2] = (struct vu_iov){ &three, 2 };
	iov[3] = (struct vu_iov){ &on, 1 };
	iov[4] = (struct vu_iov){ too_many, sizeof(too_many) };
	iov[5] = (struct vu_iov){ m2, 6 };
	iov[6] = (struct vu_iov){ &two, 2 };
	iov[7] = (struct vu_iov){ two_mc, sizeof(two_mc) };
	const uint8_t cls[8] = { VU_CTRL_RX, VU_CTRL_MAC, VU_CTRL_MQ, VU_CTRL_RX, VU_CTRL_MAC,
				 VU_CTRL_MAC, VU_CTRL_MQ, VU_CTRL_MAC };
	const uint8_t cmd[8] = { VU_CTRL_RX_PROMISC, VU_CTRL_MAC_ADDR_SET, VU_CTRL_MQ_VQ_PAIRS_SET,
				 VU_CTRL_RX_ALLMULTI, VU_CTRL_MAC_TABLE_SET, VU_CTRL_MAC_ADDR_SET,
				 VU_CTRL_MQ_VQ_PAIRS_SET, VU_CTRL_MAC_TABLE_SET };

	for (i = 0; i < 8; i++) {
		c[i] = (struct vu_ctrl){ .class = cls[i], .cmd = cmd[i], .data = &iov[i],
					 .ndata = 1, .layout = VU_LAYOUT_LINUX };
		TEST_ASSERT_SUCCESS(vu_net_ctrl_submit(n, &c[i], &ids[i]), "command %d submitted",
				    i);
	}
	for (i = 0; i < 8; i++) {
		TEST_ASSERT_EQUAL(vu_net_ctrl_reap(n, &id, &d, 5000), 1, "command %d completed", i);
		TEST_ASSERT_EQUAL(id, ids[i], "command %d completed in submission order", i);
		TEST_ASSERT_EQUAL(d.ack, want_ack[i], "command %d ack", i);
	}
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT(swt_json_int(js, "\"cvq\"", "pending_hwm") >= 3, "several commands in flight");
	TEST_ASSERT(swt_json_int(js, "\"vendor\":{", "waited") >= 1, "same-kind commands queued");
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_unicast"), 0, "device: PROMISC off");
	TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_multicast"), 1, "device: ALLMULTI on");
	TEST_ASSERT_EQUAL(emu_macs(macs, sizeof(macs)), 3, "device: m2 + 2 multicast (%s)", macs);
	TEST_ASSERT(emu_has_mac(m2) && emu_has_mac(mc1) && emu_has_mac(mc2) && !emu_has_mac(m1),
		    "device: the last MAC commands won (%s)", macs);
	TEST_ASSERT_EQUAL(emu_queues(true), 0x3, "device: the last pair count (2) won");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "queue_pairs"), 2, "shadow pairs");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "mc_count"), 2, "shadow multicast table");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "uc_count"), 0, "shadow unicast table");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "allmulti"), 1, "shadow allmulti");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"vendor\":{", "in_flight"), 0,
			  "nothing left in flight");
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

/* Commands with no virtchnl2 counterpart are refused; ANNOUNCE is acknowledged. */
static int
test_unsupported_commands_refused(void)
{
	uint16_t vid = 10;
	uint32_t coal[2] = { 10, 10 };
	uint8_t on = 1;
	struct vu_net *n;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_VLAN, VU_CTRL_VLAN_ADD, &vid, 2), VU_ACK_ERR,
			  "VLAN ADD refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_NOTF_COAL, VU_CTRL_NOTF_COAL_TX_SET, coal, 8),
			  VU_ACK_ERR, "coalescing refused");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_ALLUNI, &on, 1), VU_ACK_ERR,
			  "ALLUNI refused (no CTRL_RX_EXTRA)");
	if (vu_net_features(n) & VU_BIT(VU_NET_F_GUEST_ANNOUNCE))
		TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_ANNOUNCE, VU_CTRL_ANNOUNCE_ACK, NULL, 0),
				  VU_ACK_OK, "ANNOUNCE_ACK");
	if (check_reset_state("after refused commands") != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

/* No data path: transmitted frames come back to the guest, are counted, and nothing arrives. */
static int
test_transmitted_frames_dropped_and_counted(void)
{
	uint8_t f[128], rx[2048];
	long long before;
	struct vu_net *n;
	int i;

	NEED_BACKEND();
	n = open_dev(false);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT(states() > 0, "telemetry");
	before = swt_json_int(js, "\"vendor\":{", "tx_dropped");
	for (i = 0; i < 5; i++) {
		size_t len = swt_frame(f, new_mac, -1, (uint32_t)i, 96);

		TEST_ASSERT_SUCCESS(vu_net_send(n, 0, f, len), "frame %d sent", i);
	}
	TEST_ASSERT_EQUAL(swt_recv_any(n, rx, sizeof(rx), 100, NULL), 0, "nothing received");
	TEST_ASSERT(states() > 0, "telemetry");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"vendor\":{", "tx_dropped") - before, 5, "5 counted");
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

/* A dropped connection with commands in flight: the next one finds the reset state. */
static int
test_reconnect_restores_reset_state(void)
{
	uint16_t three = 3, id;
	uint8_t off = 0;
	struct vu_net *n;

	NEED_BACKEND();
	n = open_dev(true);
	TEST_ASSERT(n != NULL, "device opened");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_RX, VU_CTRL_RX_PROMISC, &off, 1), VU_ACK_OK,
			  "PROMISC off");
	TEST_ASSERT_EQUAL(vu_net_cmd(n, VU_CTRL_MAC, VU_CTRL_MAC_ADDR_SET, new_mac, 6),
			  VU_ACK_OK, "MAC set");
	{
		struct vu_iov iov = { &three, 2 };
		struct vu_ctrl c = { .class = VU_CTRL_MQ, .cmd = VU_CTRL_MQ_VQ_PAIRS_SET,
				     .data = &iov, .ndata = 1 };

		TEST_ASSERT_SUCCESS(vu_net_ctrl_submit(n, &c, &id), "pairs 3 in flight");
	}
	n = open_dev(false);	/* drops the connection with the command in flight */
	TEST_ASSERT(n != NULL, "reopened");
	if (check_reset_state("after reconnect") != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(memcmp(vu_net_config(n)->mac, "\x02\x00\x00\x00\x00\x01", 6) == 0,
		    "config MAC back");
	TEST_ASSERT_SUCCESS(close_dev(n), "stop");
	return TEST_SUCCESS;
}

static int
test_daemon_exits_cleanly_on_sigterm(void)
{
	NEED_BACKEND();
	return swt_daemon_exits_cleanly();
}

/* ---- fault injection -------------------------------------------------------------------- */

/*
 * The emulated device loses, repeats, delays, reorders and refuses replies, with a fixed seed.
 * A lost reply costs idpf_ctl's timeout (its default 2 s: the vendor sets none), so drops stay
 * rare; late replies (300 ms) come before it. The commands are drawn from a fixed seed too.
 */
#define FAULT_ARGS "vendor=idpf,queues=4,mac=02:00:00:00:00:01,mtu=1500," \
	"idpf=[macs:8,latency_us:100,jitter_us:200,reorder:4,drop:0.01,dup:0.05,err:0.05," \
	"late:0.02,late_ms:300,seed:7]"
#define FAULT_STEPS 90		/* one at a time, each checked */
#define FAULT_BURST 16		/* then pipelined (3 descriptors each in a 64-entry CVQ) */
#define FAULT_ROUNDS 2
#define HASH_DEFAULT 0xff	/* the emulated device's default ptype groups */

enum f_dom { F_RX, F_MAC, F_Q, F_NDOM };

/* What the guest asked for and the device acknowledged: netctrl's shadow state. */
struct f_model {
	bool promisc, allmulti;
	uint8_t mac[6];
	uint8_t uc[9][6], mc[4][6];
	uint32_t nuc, nmc;
	uint16_t pairs;
	bool rss;		/* the device steers by RSS (the last MQ command was RSS_CONFIG) */
	bool rss_cfg;		/* netctrl holds an RSS config (VQ_PAIRS_SET ends it) */
	uint64_t hash;
	bool key_known;
	uint8_t key[40];
	uint16_t indir[128], indir_len;
};

struct f_cmd {
	enum f_dom dom;
	uint8_t cls, cmd;
	uint8_t buf[8 + 2 * 128 + 3 + 40];
	size_t len;
	/* its parameters */
	uint8_t on, mac[6], uc[9][6], mc[4][6], key[40];
	uint32_t nuc, nmc, types;
	uint16_t pairs, indir[128], indir_len;
};

static uint64_t f_rng;

static uint32_t
f_rand(uint32_t n)
{
	uint64_t z = (f_rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((z ^ (z >> 31)) % n);
}

/* 02:00:00:00:00:id (unicast) or 01:00:5e:00:00:id (multicast) */
static void
f_mac(uint8_t m[6], uint8_t first, uint8_t id)
{
	memset(m, 0, 6);
	m[0] = first;
	m[2] = first == 0x01 ? 0x5e : 0;
	m[5] = id;
}

/* The command's effect on @p m (it was answered OK). */
static void
f_apply(const struct f_cmd *c, struct f_model *m)
{
	uint16_t i;

	switch (c->cls) {
	case VU_CTRL_RX:
		if (c->cmd == VU_CTRL_RX_PROMISC)
			m->promisc = c->on;
		else
			m->allmulti = c->on;
		break;
	case VU_CTRL_MAC:
		if (c->cmd == VU_CTRL_MAC_ADDR_SET) {
			memcpy(m->mac, c->mac, 6);
			break;
		}
		memcpy(m->uc, c->uc, sizeof(m->uc));
		memcpy(m->mc, c->mc, sizeof(m->mc));
		m->nuc = c->nuc;
		m->nmc = c->nmc;
		break;
	default:
		if (c->cmd == VU_CTRL_MQ_VQ_PAIRS_SET) {
			m->pairs = c->pairs;
			m->rss = false;
			m->rss_cfg = false;
			m->hash = HASH_DEFAULT;
			break;
		}
		m->pairs = c->pairs;	/* max_tx_vq, and every entry is below it */
		m->rss = true;
		m->rss_cfg = true;
		m->hash = c->types == 0x3 ? 0x39 : 0xefb;
		m->key_known = true;
		memcpy(m->key, c->key, 40);
		m->indir_len = c->indir_len;
		for (i = 0; i < c->indir_len; i++)
			m->indir[i] = c->indir[i];
		break;
	}
}

/* Draw a command; step < 5 gives the Linux probe and `ip link set up` sequence. */
static void
f_draw(struct f_cmd *c, unsigned int step)
{
	static const uint8_t lin_cls[5] = { VU_CTRL_MQ, VU_CTRL_RX, VU_CTRL_RX, VU_CTRL_MAC,
					    VU_CTRL_MAC };
	static const uint8_t lin_cmd[5] = { VU_CTRL_MQ_VQ_PAIRS_SET, VU_CTRL_RX_PROMISC,
					    VU_CTRL_RX_ALLMULTI, VU_CTRL_MAC_TABLE_SET,
					    VU_CTRL_MAC_ADDR_SET };
	uint32_t kind = step < 5 ? UINT32_MAX : f_rand(7), i;
	uint16_t mask;
	size_t off;

	memset(c, 0, sizeof(*c));
	if (step < 5) {
		c->cls = lin_cls[step];
		c->cmd = lin_cmd[step];
	} else {
		static const uint8_t cls[7] = { VU_CTRL_RX, VU_CTRL_RX, VU_CTRL_MAC, VU_CTRL_MAC,
						VU_CTRL_MAC, VU_CTRL_MQ, VU_CTRL_MQ };
		static const uint8_t cmd[7] = { VU_CTRL_RX_PROMISC, VU_CTRL_RX_ALLMULTI,
						VU_CTRL_MAC_TABLE_SET, VU_CTRL_MAC_TABLE_SET,
						VU_CTRL_MAC_ADDR_SET, VU_CTRL_MQ_VQ_PAIRS_SET,
						VU_CTRL_MQ_RSS_CONFIG };

		c->cls = cls[kind];
		c->cmd = cmd[kind];
	}
	c->dom = c->cls == VU_CTRL_RX ? F_RX : c->cls == VU_CTRL_MAC ? F_MAC : F_Q;
	switch (c->cmd + 16 * c->cls) {
	case VU_CTRL_RX_PROMISC + 16 * VU_CTRL_RX:
	case VU_CTRL_RX_ALLMULTI + 16 * VU_CTRL_RX:
		c->on = step < 5 ? 0 : (uint8_t)f_rand(2);
		c->buf[0] = c->on;
		c->len = 1;
		break;
	case VU_CTRL_MAC_ADDR_SET + 16 * VU_CTRL_MAC:
		f_mac(c->mac, 0x02, (uint8_t)(0xa0 + (step < 5 ? 0 : f_rand(3))));
		memcpy(c->buf, c->mac, 6);
		c->len = 6;
		break;
	case VU_CTRL_MAC_TABLE_SET + 16 * VU_CTRL_MAC:
		/* up to 4 + 3 fit with the primary in 8 filters; one in 8 asks for 9 unicast */
		c->nuc = step < 5 ? 0 : f_rand(8) == 0 ? 9 : f_rand(5);
		c->nmc = step < 5 ? 3 : f_rand(4);
		off = f_rand(4);
		for (i = 0; i < c->nuc; i++)
			f_mac(c->uc[i], 0x02, (uint8_t)(0x10 + off + i));
		for (i = 0; i < c->nmc; i++)
			f_mac(c->mc[i], 0x01, (uint8_t)(0x20 + off + i));
		memcpy(c->buf, &c->nuc, 4);
		memcpy(c->buf + 4, c->uc, 6u * c->nuc);
		off = 4 + 6u * c->nuc;
		memcpy(c->buf + off, &c->nmc, 4);
		memcpy(c->buf + off + 4, c->mc, 6u * c->nmc);
		c->len = off + 4 + 6u * c->nmc;
		break;
	case VU_CTRL_MQ_VQ_PAIRS_SET + 16 * VU_CTRL_MQ:
		c->pairs = (uint16_t)(step < 5 ? 2 : 1 + f_rand(PAIRS));
		memcpy(c->buf, &c->pairs, 2);
		c->len = 2;
		break;
	default:
		/* RSS_CONFIG over 1-4 pairs, 4, 8 or 128 entries, IPv4 + TCPv4 or all six types */
		c->pairs = (uint16_t)(1 + f_rand(PAIRS));
		c->indir_len = (uint16_t)(f_rand(3) == 0 ? 128 : 4u << f_rand(2));
		c->types = f_rand(2) == 0 ? 0x3 : 0x3f;
		for (i = 0; i < c->indir_len; i++)
			c->indir[i] = (uint16_t)(i < c->pairs ? i : f_rand(c->pairs));
		for (i = 0; i < 40; i++)
			c->key[i] = (uint8_t)f_rand(256);
		mask = c->indir_len - 1;
		memcpy(c->buf, &c->types, 4);
		memcpy(c->buf + 4, &mask, 2);
		memset(c->buf + 6, 0, 2);	/* unclassified_queue */
		memcpy(c->buf + 8, c->indir, 2u * c->indir_len);
		off = 8 + 2u * c->indir_len;
		memcpy(c->buf + off, &c->pairs, 2);	/* max_tx_vq */
		c->buf[off + 2] = 40;
		memcpy(c->buf + off + 3, c->key, 40);
		c->len = off + 3 + 40;
		break;
	}
}

/* The device and netctrl's shadow against @p m for domain @p d (states() read before). */
static int
f_check(const struct f_model *m, enum f_dom d, const char *when)
{
	long long lut[512];
	char txt[256], want[128];
	uint32_t i, distinct;
	int len;

	switch (d) {
	case F_RX:
		TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "promisc"), m->promisc,
				  "%s: shadow promisc", when);
		TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "allmulti"), m->allmulti,
				  "%s: shadow allmulti", when);
		TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_unicast"), m->promisc,
				  "%s: device unicast promisc", when);
		TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "promisc_multicast"),
				  (m->promisc || m->allmulti), "%s: device multicast promisc", when);
		break;
	case F_MAC:
		snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", m->mac[0], m->mac[1],
			 m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
		TEST_ASSERT(vu_json_str(js, "\"shadow\"", "mac", txt, sizeof(txt)) == 0 &&
			    strcmp(txt, want) == 0, "%s: shadow MAC %s, want %s", when, txt, want);
		TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "uc_count"), m->nuc,
				  "%s: shadow unicast table", when);
		TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "mc_count"), m->nmc,
				  "%s: shadow multicast table", when);
		/* the drawn addresses are all distinct and differ from every primary */
		distinct = 1 + m->nuc + m->nmc;
		TEST_ASSERT_EQUAL(emu_macs(txt, sizeof(txt)), (int)distinct,
				  "%s: device filters (%s)", when, txt);
		TEST_ASSERT(emu_has_mac(m->mac), "%s: primary %s filtered (%s)", when, want, txt);
		for (i = 0; i < m->nuc; i++)
			TEST_ASSERT(emu_has_mac(m->uc[i]), "%s: unicast %u filtered", when, i);
		for (i = 0; i < m->nmc; i++)
			TEST_ASSERT(emu_has_mac(m->mc[i]), "%s: multicast %u filtered", when, i);
		break;
	default:
		TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "queue_pairs"), m->pairs,
				  "%s: shadow pairs", when);
		TEST_ASSERT_EQUAL(swt_json_int(js, "\"shadow\"", "rss_enabled"), m->rss_cfg,
				  "%s: shadow RSS", when);
		TEST_ASSERT_EQUAL(emu_queues(true), (1ll << m->pairs) - 1, "%s: device rx queues",
				  when);
		TEST_ASSERT_EQUAL(emu_queues(false), (1ll << m->pairs) - 1,
				  "%s: device tx queues", when);
		TEST_ASSERT_EQUAL(swt_json_int(ejs, NULL, "rss_hash"), (long long)m->hash,
				  "%s: device hash groups", when);
		len = get_array(ejs, NULL, "rss_lut", lut, 512);
		TEST_ASSERT_EQUAL(len, 128, "%s: LUT size", when);
		for (i = 0; i < 128; i++) {
			long long want_q = m->rss ? m->indir[i % m->indir_len] : i % m->pairs;

			TEST_ASSERT_EQUAL(lut[i], want_q, "%s: device LUT[%u]", when, i);
		}
		if (m->key_known) {
			for (i = 0; i < 40; i++)
				snprintf(want + 2 * i, 3, "%02x", m->key[i]);
			TEST_ASSERT(vu_json_str(ejs, NULL, "rss_key", txt, sizeof(txt)) == 0 &&
				    strcmp(txt, want) == 0, "%s: device key (%s)", when, txt);
		}
		break;
	}
	return TEST_SUCCESS;
}

static int
f_check_all(const struct f_model *m, const char *when)
{
	int d;

	for (d = 0; d < F_NDOM; d++)
		if (f_check(m, (enum f_dom)d, when) != TEST_SUCCESS)
			return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
f_submit(struct vu_net *n, const struct f_cmd *c, uint16_t *id)
{
	struct vu_iov iov = { c->buf, c->len };
	struct vu_ctrl vc = { .class = c->cls, .cmd = c->cmd, .data = &iov, .ndata = 1,
			      .layout = VU_LAYOUT_LINUX };

	return vu_net_ctrl_submit(n, &vc, id);
}

/*
 * Faulty mailbox: every command gets exactly one ack, in order; after each OK (and after each
 * ERR the vendor undid) the device holds what netctrl's shadow says; the daemon stays up and
 * nothing is left in flight.
 */
static int
test_faults_keep_device_and_shadow_in_step(void)
{
	static struct f_cmd cmds[FAULT_BURST];
	struct vu_net_params p = {
		.features = swt_features(false),
		.qsize = 64,
		.cvq_size = 64,
		.interrupts = true,
		.mem_size = 8u << 20,
		/* a command may wait for a lost reply and then for a lost undo reply (2 s each),
		 * behind the earlier commands of its kind */
		.timeout_ms = 30000,
	};
	struct f_model m = { .promisc = true, .pairs = 1, .hash = HASH_DEFAULT };
	unsigned int step, i, ok = 0, err = 0, round;
	long long undo_failed, uf;
	struct vu_ctrl_done d;
	char when[64];
	uint16_t ids[FAULT_BURST], id;
	struct vu_net *n;
	int ack, e;

	/* its own daemon: the previous case stopped the shared one */
	NEED_BACKEND_ARGS(FAULT_ARGS);
	vu_net_abort(cur);
	p.path = swt_be.sock;
	n = cur = vu_net_open(&p, &e);
	TEST_ASSERT(n != NULL, "device opened (%s, log %s)", strerror(-e), swt_be.log);
	memcpy(m.mac, vu_net_config(n)->mac, 6);
	f_rng = 11;
	TEST_ASSERT(states() > 0, "telemetry");
	undo_failed = swt_json_int(js, "\"vendor\":{", "undo_failed");
	/* the reset went through the faulty mailbox too: whatever held, shadow and device agree */
	if (undo_failed == 0 && f_check_all(&m, "after connect") != TEST_SUCCESS)
		return TEST_FAILED;

	for (step = 0; step < FAULT_STEPS; step++) {
		struct f_cmd *c = &cmds[0];

		f_draw(c, step);
		ack = vu_net_cmd(n, c->cls, c->cmd, c->buf, c->len);
		TEST_ASSERT(ack == VU_ACK_OK || ack == VU_ACK_ERR,
			    "step %u (class %u cmd %u): one ack (%d)", step, c->cls, c->cmd, ack);
		TEST_ASSERT_EQUAL(vu_net_ctrl_reap(n, &id, &d, 0), 0, "step %u: no second ack",
				  step);
		if (ack == VU_ACK_OK) {
			f_apply(c, &m);
			ok++;
		} else {
			err++;
		}
		TEST_ASSERT(states() > 0, "step %u: telemetry (daemon up)", step);
		uf = swt_json_int(js, "\"vendor\":{", "undo_failed");
		snprintf(when, sizeof(when), "step %u (class %u cmd %u, %s)", step, c->cls, c->cmd,
			 ack == VU_ACK_OK ? "OK" : "ERR");
		/* documented limit: an undo that failed leaves the device off the shadow */
		if (uf != undo_failed) {
			printf("  %s: undo failed, the device may differ (accepted, counted)\n",
			       when);
			undo_failed = uf;
			continue;
		}
		if (f_check(&m, c->dom, when) != TEST_SUCCESS)
			return TEST_FAILED;
	}

	for (round = 0; round < FAULT_ROUNDS; round++) {
		for (i = 0; i < FAULT_BURST; i++) {
			f_draw(&cmds[i], FAULT_STEPS + i);
			TEST_ASSERT_SUCCESS(f_submit(n, &cmds[i], &ids[i]), "burst %u: command %u "
					    "submitted", round, i);
		}
		for (i = 0; i < FAULT_BURST; i++) {
			TEST_ASSERT_EQUAL(vu_net_ctrl_reap(n, &id, &d, 30000), 1,
					  "burst %u: command %u answered", round, i);
			TEST_ASSERT_EQUAL(id, ids[i], "burst %u: command %u answered in order",
					  round, i);
			TEST_ASSERT(d.ack == VU_ACK_OK || d.ack == VU_ACK_ERR,
				    "burst %u: command %u ack %u", round, i, d.ack);
			if (d.ack == VU_ACK_OK) {
				f_apply(&cmds[i], &m);
				ok++;
			} else {
				err++;
			}
		}
		TEST_ASSERT_EQUAL(vu_net_ctrl_reap(n, &id, &d, 100), 0,
				  "burst %u: no extra ack", round);
		TEST_ASSERT(states() > 0, "burst %u: telemetry (daemon up)", round);
		uf = swt_json_int(js, "\"vendor\":{", "undo_failed");
		snprintf(when, sizeof(when), "after burst %u", round);
		if (uf != undo_failed) {
			printf("  %s: undo failed, the device may differ (accepted, counted)\n",
			       when);
			undo_failed = uf;
		} else if (f_check_all(&m, when) != TEST_SUCCESS) {
			return TEST_FAILED;
		}
	}

	printf("  %u OK, %u ERR; vendor: %lld transactions, %lld failed, %lld undone, "
	       "%lld undo failed\n", ok, err, swt_json_int(js, "\"vendor\":{", "transactions"),
	       swt_json_int(js, "\"vendor\":{", "txn_errors"),
	       swt_json_int(js, "\"vendor\":{", "undone"), undo_failed);
	TEST_ASSERT(ok > 0 && err > 0, "both outcomes seen (%u OK, %u ERR)", ok, err);
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"vendor\":{", "in_flight"), 0, "nothing in flight");
	TEST_ASSERT_EQUAL(swt_json_int(js, "\"vendor\":{", "waiting"), 0, "nothing waiting");
	TEST_ASSERT(swt_json_int(js, "\"vendor\":{", "txn_errors") > 0, "messages failed");
	TEST_ASSERT(swt_json_int(js, "\"vendor\":{", "undone") > 0, "failed commands undone");
	TEST_ASSERT(vu_telemetry(swt_be.prefix, "/ctlpath/idpf_emu/mailbox,vdpa_swcvq0_idpf",
				 ejs, sizeof(ejs)) > 0, "emulator mailbox telemetry");
	printf("  emulator: %lld dropped, %lld duplicated, %lld late, %lld errors, %lld "
	       "reordered\n", swt_json_int(ejs, NULL, "dropped"),
	       swt_json_int(ejs, NULL, "duplicated"), swt_json_int(ejs, NULL, "late"),
	       swt_json_int(ejs, NULL, "errors"), swt_json_int(ejs, NULL, "reordered"));
	TEST_ASSERT(swt_json_int(ejs, NULL, "errors") > 0 &&
		    swt_json_int(ejs, NULL, "duplicated") > 0 &&
		    swt_json_int(ejs, NULL, "late") > 0, "faults were injected");
	TEST_ASSERT_SUCCESS(close_dev(n), "ring bases agree at stop");
	return swt_daemon_exits_cleanly();
}

static const struct test_case cases[] = {
	TEST_CASE(test_offers_only_what_the_device_implements),
	TEST_CASE(test_linux_sequence_split),
	TEST_CASE(test_linux_sequence_packed),
	TEST_CASE(test_rx_modes_program_promiscuous_flags),
	TEST_CASE(test_rss_programs_key_lut_and_hash),
	TEST_CASE(test_refused_mac_table_leaves_state_unchanged),
	TEST_CASE(test_pipelined_commands_keep_their_order),
	TEST_CASE(test_unsupported_commands_refused),
	TEST_CASE(test_transmitted_frames_dropped_and_counted),
	TEST_CASE(test_reconnect_restores_reset_state),
	TEST_CASE(test_daemon_exits_cleanly_on_sigterm),
	TEST_CASE(test_faults_keep_device_and_shadow_in_step),
};

TEST_MAIN("swcvq_idpf", cases)
