/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench netctrl: control commands per second on one core through lib/netctrl, with a
 * vendor that acks at once, over split and packed rings, for a light command (RX PROMISC) and a
 * heavy one (MAC TABLE_SET with 64 entries). The guest driver runs on the same core: it re-posts
 * pre-built chains (Linux shape: hdr | data | ack) in batches and reaps the used entries.
 *
 * Baseline measured in the same run over the same rings and driver: a bare handler in the style
 * of DPDK's vhost CVQ (allocate a buffer per command, copy the readable bytes, no feature gate,
 * no validation, no shadow state, write the ack, publish). ratio = netctrl / bare, so it shows
 * what the checks and the bookkeeping cost; the target is >= 2 M light commands/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netctrl.h>
#include <netctrl_virtio.h>

#include "bench.h"

#define BN_RING 256
#define BN_DESC_PER_CMD 3
#define BN_SLOTS (BN_RING / BN_DESC_PER_CMD)	/* commands in flight at most */
#define BN_BATCH 32
#define BN_REPEAT 5
#define BN_GPA 0x100000ull
#define BN_MEM (1u << 20)
#define BN_OFF_BUF 0x10000u
#define BN_SLOT_BYTES 512u

struct bn_guest {
	uint8_t *mem;
	bool packed;
	struct nc_vring_desc *desc;
	struct nc_vring_avail *avail;
	struct nc_vring_used *used;
	struct nc_vring_packed_desc *pdesc;
	uint16_t avail_idx, used_seen;		/* split */
	uint16_t p_avail, p_used;		/* packed */
	bool p_avail_wrap, p_used_wrap;
	uint16_t next_slot;
	uint32_t data_len;
	/* bare baseline state */
	uint16_t b_last_avail, b_used_idx;
	bool b_wrap, b_used_wrap;
};

static volatile uint64_t bn_sink;

static int
bn_ok_rx(void *ctx, uint64_t t, enum netctrl_rx_mode m, bool on)
{
	(void)ctx;
	(void)t;
	bn_sink += m + on;
	return NETCTRL_OK;
}

static int
bn_ok_table(void *ctx, uint64_t t, const struct netctrl_mac_table *mt)
{
	(void)ctx;
	(void)t;
	bn_sink += mt->uc_count + mt->mc_count;
	return NETCTRL_OK;
}

static const struct netctrl_ops bn_ops = { .rx_mode = bn_ok_rx, .mac_table_set = bn_ok_table };

static inline uint64_t
slot_gpa(unsigned int slot)
{
	return BN_GPA + BN_OFF_BUF + (uint64_t)slot * BN_SLOT_BYTES;
}

/* Pre-build every command slot: hdr at +0, data at +16, ack at +500. */
static void
bn_fill(struct bn_guest *g, bool heavy)
{
	unsigned int s, i;
	uint8_t *p;
	uint32_t v;

	for (s = 0; s < BN_SLOTS; s++) {
		p = g->mem + BN_OFF_BUF + s * BN_SLOT_BYTES;
		if (!heavy) {
			p[0] = NC_CLASS_RX;
			p[1] = NC_RX_PROMISC;
			p[16] = 1;
			g->data_len = 1;
			continue;
		}
		p[0] = NC_CLASS_MAC;
		p[1] = NC_MAC_TABLE_SET;
		v = htole32(32);
		memcpy(p + 16, &v, 4);
		for (i = 0; i < 32; i++)
			memcpy(p + 20 + 6 * i, (uint8_t[6]){ 2, 0, 0, 0, (uint8_t)s, (uint8_t)i },
			       6);
		memcpy(p + 20 + 6 * 32, &v, 4);
		for (i = 0; i < 32; i++)
			memcpy(p + 24 + 6 * 32 + 6 * i,
			       (uint8_t[6]){ 0x33, 0x33, 0, 0, (uint8_t)s, (uint8_t)i }, 6);
		g->data_len = 8 + 6 * 64;
	}
}

static int
bn_init(struct bn_guest *g, bool packed, bool heavy)
{
	memset(g, 0, sizeof(*g));
	g->mem = aligned_alloc(4096, BN_MEM);
	if (g->mem == NULL)
		return -1;
	memset(g->mem, 0, BN_MEM);
	g->packed = packed;
	g->desc = (void *)g->mem;
	g->pdesc = (void *)g->mem;
	g->avail = (void *)(g->mem + 0x2000);
	g->used = (void *)(g->mem + 0x3000);
	g->p_avail_wrap = g->p_used_wrap = g->b_wrap = g->b_used_wrap = true;
	bn_fill(g, heavy);
	return 0;
}

/* Post one command (3 descriptors) from the next slot. */
static void
bn_post(struct bn_guest *g)
{
	unsigned int s = g->next_slot;
	uint64_t a = slot_gpa(s);
	uint16_t i;

	g->next_slot = (uint16_t)((s + 1) % BN_SLOTS);
	if (!g->packed) {
		struct nc_vring_desc *d = &g->desc[s * BN_DESC_PER_CMD];

		d[0] = (struct nc_vring_desc){ htole64(a), htole32(2), htole16(NC_DESC_F_NEXT),
					       htole16(s * 3 + 1) };
		d[1] = (struct nc_vring_desc){ htole64(a + 16), htole32(g->data_len),
					       htole16(NC_DESC_F_NEXT), htole16(s * 3 + 2) };
		d[2] = (struct nc_vring_desc){ htole64(a + 500), htole32(1),
					       htole16(NC_DESC_F_WRITE), 0 };
		g->avail->ring[g->avail_idx % BN_RING] = htole16(s * 3);
		g->avail_idx++;
		__atomic_store_n(&g->avail->idx, htole16(g->avail_idx), __ATOMIC_RELEASE);
		return;
	}
	{
		uint64_t addr[3] = { a, a + 16, a + 500 };
		uint32_t len[3] = { 2, g->data_len, 1 };
		uint16_t fl[3] = { NC_DESC_F_NEXT, NC_DESC_F_NEXT, NC_DESC_F_WRITE }, head = 0;
		uint16_t pos = g->p_avail, first = g->p_avail;
		bool w = g->p_avail_wrap;

		for (i = 0; i < 3; i++) {
			uint16_t f = fl[i] | (w ? NC_DESC_F_AVAIL : NC_DESC_F_USED);

			g->pdesc[pos].addr = htole64(addr[i]);
			g->pdesc[pos].len = htole32(len[i]);
			g->pdesc[pos].id = htole16(s);
			if (i == 0)
				head = f;
			else
				g->pdesc[pos].flags = htole16(f);
			if (++pos == BN_RING - 1) {	/* a ring of 255: chains straddle the end */
				pos = 0;
				w = !w;
			}
		}
		__atomic_store_n(&g->pdesc[first].flags, htole16(head), __ATOMIC_RELEASE);
		g->p_avail = pos;
		g->p_avail_wrap = w;
	}
}

/* Reap used entries. Return: how many. */
static unsigned int
bn_reap(struct bn_guest *g)
{
	unsigned int n = 0;

	if (!g->packed) {
		uint16_t idx = le16toh(__atomic_load_n(&g->used->idx, __ATOMIC_ACQUIRE));

		n = (uint16_t)(idx - g->used_seen);
		g->used_seen = idx;
		return n;
	}
	for (;;) {
		uint16_t f = le16toh(__atomic_load_n(&g->pdesc[g->p_used].flags,
						     __ATOMIC_ACQUIRE));

		if (!!(f & NC_DESC_F_USED) != g->p_used_wrap ||
		    !!(f & NC_DESC_F_AVAIL) != g->p_used_wrap)
			return n;
		n++;
		g->p_used += 3;
		if (g->p_used >= BN_RING - 1) {
			g->p_used -= BN_RING - 1;
			g->p_used_wrap = !g->p_used_wrap;
		}
	}
}

/* ---- the bare baseline handler ---- */

static uint8_t *
bare_ptr(struct bn_guest *g, uint64_t gpa, uint32_t len)
{
	if (gpa < BN_GPA || gpa - BN_GPA + len > BN_MEM)
		return NULL;
	return g->mem + (gpa - BN_GPA);
}

/* Gather one chain (direct descriptors only), copy readable bytes to a fresh buffer. */
static void
bare_handle(struct bn_guest *g, const uint64_t *addr, const uint32_t *len,
	    const uint16_t *flags, unsigned int n)
{
	uint32_t total = 0, off = 0;
	uint8_t *buf, *ack = NULL, *p;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!(flags[i] & NC_DESC_F_WRITE))
			total += len[i];
	buf = malloc(total);
	for (i = 0; i < n && buf != NULL; i++) {
		p = bare_ptr(g, addr[i], len[i]);
		if (p == NULL)
			continue;
		if (flags[i] & NC_DESC_F_WRITE) {
			if (ack == NULL)
				ack = p;
		} else {
			memcpy(buf + off, p, len[i]);
			off += len[i];
		}
	}
	if (buf != NULL)
		bn_sink += buf[0] + buf[total - 1];
	free(buf);
	if (ack != NULL)
		*ack = NC_ACK_OK;
}

static unsigned int
bare_poll(struct bn_guest *g, unsigned int budget)
{
	uint64_t addr[8];
	uint32_t len[8];
	uint16_t flags[8];
	unsigned int done = 0, n;

	if (!g->packed) {
		uint16_t idx = le16toh(__atomic_load_n(&g->avail->idx, __ATOMIC_ACQUIRE)), i;

		while (g->b_last_avail != idx && done < budget) {
			i = le16toh(g->avail->ring[g->b_last_avail++ % BN_RING]);
			uint16_t head = i;

			for (n = 0; n < 8; n++) {
				addr[n] = le64toh(g->desc[i].addr);
				len[n] = le32toh(g->desc[i].len);
				flags[n] = le16toh(g->desc[i].flags);
				if (!(flags[n] & NC_DESC_F_NEXT))
					break;
				i = le16toh(g->desc[i].next) % BN_RING;
			}
			bare_handle(g, addr, len, flags, n + 1);
			g->used->ring[g->b_used_idx % BN_RING].id = htole32(head);
			g->used->ring[g->b_used_idx % BN_RING].len = htole32(1);
			g->b_used_idx++;
			__atomic_store_n(&g->used->idx, htole16(g->b_used_idx), __ATOMIC_RELEASE);
			done++;
		}
		return done;
	}
	while (done < budget) {
		uint16_t pos = g->b_last_avail, f, id = 0;

		f = le16toh(__atomic_load_n(&g->pdesc[pos].flags, __ATOMIC_ACQUIRE));
		if (!!(f & NC_DESC_F_AVAIL) != g->b_wrap || !!(f & NC_DESC_F_USED) == g->b_wrap)
			break;
		for (n = 0; n < 8; n++) {
			addr[n] = le64toh(g->pdesc[pos].addr);
			len[n] = le32toh(g->pdesc[pos].len);
			flags[n] = n == 0 ? f : le16toh(g->pdesc[pos].flags);
			id = le16toh(g->pdesc[pos].id);
			if (++pos == BN_RING - 1) {
				pos = 0;
				g->b_wrap = !g->b_wrap;
			}
			if (!(flags[n] & NC_DESC_F_NEXT))
				break;
		}
		bare_handle(g, addr, len, flags, n + 1);
		g->pdesc[g->b_used_idx].id = htole16(id);
		g->pdesc[g->b_used_idx].len = htole32(1);
		__atomic_store_n(&g->pdesc[g->b_used_idx].flags,
				 htole16(g->b_used_wrap ? NC_DESC_F_AVAIL | NC_DESC_F_USED : 0),
				 __ATOMIC_RELEASE);
		g->b_used_idx += n + 1;
		if (g->b_used_idx >= BN_RING - 1) {
			g->b_used_idx -= BN_RING - 1;
			g->b_used_wrap = !g->b_used_wrap;
		}
		g->b_last_avail = pos;
		done++;
	}
	return done;
}

/* ---- driver loop ---- */

/* Run @total commands; @bare picks the baseline handler. Return: commands per second. */
static double
bn_run(bool packed, bool heavy, bool bare, unsigned int total)
{
	struct netctrl_config cfg = {
		.features = NC_BIT(NC_F_CTRL_VQ) | NC_BIT(NC_F_CTRL_RX) | NC_BIT(NC_F_VERSION_1) |
			    NC_BIT(NC_F_EVENT_IDX) | (packed ? NC_BIT(NC_F_RING_PACKED) : 0),
		.max_pairs = 1, .max_pending = 64, .ops = &bn_ops,
	};
	struct netctrl_mem_region r = { BN_GPA, BN_MEM, NULL };
	unsigned int posted = 0, reaped = 0, inflight = 0, k, ev;
	struct netctrl *nc = NULL;
	struct bn_guest g;
	uint64_t t0 = 0, t1 = 0;
	int rc = 0;

	if (bn_init(&g, packed, heavy) != 0)
		return 0;
	r.hva = g.mem;
	if (!bare) {
		nc = netctrl_create(&cfg);
		if (nc == NULL || netctrl_set_mem(nc, &r, 1) != 0)
			goto out;
		if (packed) {
			struct netctrl_packed_ring pr = { g.mem, g.mem + 0x2000, g.mem + 0x3000,
							  BN_RING - 1, 0x8000 };

			rc = netctrl_set_packed_ring(nc, &pr);
		} else {
			struct netctrl_split_ring sr = { g.desc, g.avail, g.used, BN_RING, 0, 0 };

			rc = netctrl_set_split_ring(nc, &sr);
		}
		if (rc != 0)
			goto out;
	}
	t0 = bench_now_ns();
	while (reaped < total) {
		for (k = 0; k < BN_BATCH && inflight < BN_SLOTS - 1 && posted < total; k++) {
			bn_post(&g);
			posted++;
			inflight++;
		}
		if (bare)
			bare_poll(&g, BN_BATCH);
		else if (netctrl_poll(nc, BN_BATCH, &ev) < 0)
			break;
		k = bn_reap(&g);
		reaped += k;
		inflight -= k;
	}
	t1 = bench_now_ns();
	if (nc != NULL) {
		/* every command must have been acked OK by the engine, not just consumed */
		struct netctrl_counters c;

		netctrl_counters_get(nc, &c);
		if (c.cmd_ok[heavy ? NETCTRL_CMD_MAC_TABLE_SET : NETCTRL_CMD_RX_PROMISC] != total)
			reaped = 0;
	}
out:
	netctrl_destroy(nc);
	free(g.mem);
	if (reaped < total || t1 <= t0) {
		fprintf(stderr, "netctrl bench: run failed (%u of %u)\n", reaped, total);
		return 0;
	}
	return (double)total * 1e9 / (double)(t1 - t0);
}

static int
bench_netctrl_run(int argc, char **argv)
{
	static const struct { const char *metric; bool packed, heavy; } cases[] = {
		{ "cmds_per_s_promisc_split", false, false },
		{ "cmds_per_s_promisc_packed", true, false },
		{ "cmds_per_s_mac_table64_split", false, true },
		{ "cmds_per_s_mac_table64_packed", true, true },
	};
	unsigned int total = 2000000, i, r;
	double ours[BN_REPEAT], base[BN_REPEAT];
	int fail = 0;

	if (argc > 1 && strcmp(argv[1], "--quick") == 0)
		total = 100000;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (r = 0; r < BN_REPEAT; r++) {
			base[r] = bn_run(cases[i].packed, cases[i].heavy, true, total / 2);
			ours[r] = bn_run(cases[i].packed, cases[i].heavy, false, total / 2);
			if (ours[r] == 0 || base[r] == 0)
				fail = 1;
		}
		bench_report("netctrl", cases[i].metric, bench_median(ours, BN_REPEAT), "cmd/s",
			     "bare_unchecked_cvq", bench_median(base, BN_REPEAT), false);
	}
	return fail;
}

static struct bench bench_netctrl = {
	.name = "netctrl",
	.help = "CVQ commands/s via lib/netctrl (split, packed; PROMISC, TABLE_SET 64) [--quick]",
	.run = bench_netctrl_run,
};

BENCH_REGISTER(bench_netctrl)
