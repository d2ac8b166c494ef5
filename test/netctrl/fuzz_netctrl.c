/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for netctrl: the input is a small header (ring kind and size, features,
 * vendor behaviour, ring base) followed by an image of guest memory, which holds the ring, the
 * descriptors, indirect tables and payloads. Guest memory is two separately allocated regions
 * of exactly their size, so a read or write past a region is caught by ASan. The engine is
 * polled several times, deferred commands are completed out of order between polls, then the
 * state is replayed and the engine reset.
 *
 * Oracles besides the sanitizers: when the engine is not broken, every pending command can be
 * completed and none is left; a broken engine refuses to poll; replay never reports PENDING.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netctrl.h"
#include "netctrl_virtio.h"
#include "nc_guest.h"

#define MAX_TOKENS 64

struct fz_vendor {
	uint8_t pattern;
	unsigned int calls;
	uint64_t tokens[MAX_TOKENS];
	unsigned int ntokens;
	bool replaying;
};

static int
fz_answer(void *ctx, uint64_t token)
{
	struct fz_vendor *v = ctx;
	unsigned int a = (v->pattern >> (2 * (v->calls++ % 4))) & 3;

	if (v->replaying)
		return a == 1 ? NETCTRL_ERR : NETCTRL_OK;
	if (a == 2 && v->ntokens < MAX_TOKENS) {
		v->tokens[v->ntokens++] = token;
		return NETCTRL_PENDING;
	}
	return a == 1 ? NETCTRL_ERR : NETCTRL_OK;
}

/* Every callback reads its arguments fully (so ASan sees bad pointers), then answers. */
static volatile uint32_t fz_sink;

static int
fz_rx(void *c, uint64_t t, enum netctrl_rx_mode m, bool on)
{
	fz_sink += m + on;
	return fz_answer(c, t);
}

static int
fz_mac_table(void *c, uint64_t t, const struct netctrl_mac_table *mt)
{
	uint32_t i;

	for (i = 0; i < mt->uc_count; i++)
		fz_sink += mt->uc[i][5];
	for (i = 0; i < mt->mc_count; i++)
		fz_sink += mt->mc[i][5];
	return fz_answer(c, t);
}

static int
fz_mac_addr(void *c, uint64_t t, const uint8_t m[6])
{
	fz_sink += m[5];
	return fz_answer(c, t);
}

static int
fz_vid(void *c, uint64_t t, uint16_t vid)
{
	fz_sink += vid;
	return fz_answer(c, t);
}

static int
fz_announce(void *c, uint64_t t)
{
	return fz_answer(c, t);
}

static int
fz_pairs(void *c, uint64_t t, uint16_t n)
{
	fz_sink += n;
	return fz_answer(c, t);
}

static int
fz_rss(void *c, uint64_t t, const struct netctrl_rss *r)
{
	uint32_t i;

	for (i = 0; i < r->indir_len; i++)
		fz_sink += r->indir[i];
	for (i = 0; i < r->key_len; i++)
		fz_sink += r->key[i];
	return fz_answer(c, t);
}

static int
fz_hash(void *c, uint64_t t, const struct netctrl_hash *h)
{
	uint32_t i;

	for (i = 0; i < h->key_len; i++)
		fz_sink += h->key[i];
	return fz_answer(c, t);
}

static int
fz_offloads(void *c, uint64_t t, uint64_t o)
{
	fz_sink += (uint32_t)o;
	return fz_answer(c, t);
}

static int
fz_coal(void *c, uint64_t t, const struct netctrl_coal *co)
{
	fz_sink += co->max_packets + co->vq_index;
	return fz_answer(c, t);
}

static int
fz_tunnel(void *c, uint64_t t, uint32_t ty)
{
	fz_sink += ty;
	return fz_answer(c, t);
}

static const struct netctrl_ops fz_ops = {
	.rx_mode = fz_rx, .mac_table_set = fz_mac_table, .mac_addr_set = fz_mac_addr,
	.vlan_add = fz_vid, .vlan_del = fz_vid, .announce_ack = fz_announce,
	.mq_pairs_set = fz_pairs, .rss_set = fz_rss, .hash_set = fz_hash,
	.guest_offloads_set = fz_offloads, .coal_set = fz_coal, .hash_tunnel_set = fz_tunnel,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netctrl_mem_region r[2];
	struct netctrl_counters cnt;
	struct netctrl_state *st;
	struct fz_vendor v;
	struct g_fuzz_hdr h;
	struct netctrl_config cfg;
	struct netctrl *nc;
	uint8_t *mem[2];
	uint16_t qsz;
	size_t img;
	unsigned int round, i, ev;
	int rc;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);
	memset(&v, 0, sizeof(v));
	v.pattern = h.vendor;
	memset(&cfg, 0, sizeof(cfg));
	cfg.features = le64toh(h.features) | NC_BIT(NC_F_CTRL_VQ);
	if (h.flags & G_FZ_PACKED)
		cfg.features |= NC_BIT(NC_F_RING_PACKED);
	else
		cfg.features &= ~NC_BIT(NC_F_RING_PACKED);
	cfg.max_pairs = 4;
	cfg.max_pending = 1 + h.max_pending % 8;
	cfg.hash_types = 0x1ff;
	cfg.tunnel_types = 0x1ff;
	cfg.ops = &fz_ops;
	cfg.ctx = &v;
	nc = netctrl_create(&cfg);
	if (nc == NULL)
		abort();	/* every config built here is valid */
	qsz = (uint16_t)(1u << (h.size_log2 % 7));
	for (i = 0; i < 2; i++) {
		mem[i] = aligned_alloc(64, G_REGION_SIZE);
		if (mem[i] == NULL)
			abort();
		memset(mem[i], 0, G_REGION_SIZE);
		img = size > (size_t)i * G_REGION_SIZE ? size - (size_t)i * G_REGION_SIZE : 0;
		if (img > G_REGION_SIZE)
			img = G_REGION_SIZE;
		memcpy(mem[i], data + (size_t)i * G_REGION_SIZE, img);
		r[i] = (struct netctrl_mem_region){ G_GPA_BASE + (uint64_t)i * G_REGION_SIZE,
						    G_REGION_SIZE, mem[i] };
	}
	if (netctrl_set_mem(nc, r, 2) != 0)
		abort();
	if (h.flags & G_FZ_PACKED) {
		struct netctrl_packed_ring pr = { mem[0] + G_OFF_DESC, mem[0] + G_OFF_AVAIL,
			mem[0] + G_OFF_USED, qsz,
			(uint16_t)((h.base & 0x8000) | ((h.base & 0x7fff) % qsz)) };

		rc = netctrl_set_packed_ring(nc, &pr);
	} else {
		struct netctrl_split_ring sr = { mem[0] + G_OFF_DESC, mem[0] + G_OFF_AVAIL,
			mem[0] + G_OFF_USED, qsz, (uint16_t)h.base, (uint16_t)h.base };

		rc = netctrl_set_split_ring(nc, &sr);
	}
	if (rc != 0)
		abort();
	for (round = 0; round < 8; round++) {
		rc = netctrl_poll(nc, 16, &ev);
		if (rc < 0) {
			if (rc != -EIO || !netctrl_broken(nc))
				abort();
			break;
		}
		/* complete the deferred ones newest first: publication must stay in order */
		while (v.ntokens > 0) {
			v.ntokens--;
			rc = netctrl_complete(nc, v.tokens[v.ntokens],
					      (v.ntokens & 1) ? NETCTRL_ERR : NETCTRL_OK, &ev);
			if (rc != 0 && !(rc == -EIO && netctrl_broken(nc)))
				abort();
		}
		if (!netctrl_broken(nc) && netctrl_pending(nc) != 0)
			abort();	/* every command got its ack */
	}
	st = malloc(sizeof(*st));
	if (st == NULL)
		abort();
	netctrl_state_get(nc, st);
	if (st->queue_pairs < 1 || st->queue_pairs > cfg.max_pairs || st->uc_count > 64)
		abort();
	free(st);
	netctrl_counters_get(nc, &cnt);
	v.replaying = true;
	rc = netctrl_replay(nc, NULL, NULL);
	if (rc != 0 && rc != -EIO)
		abort();
	netctrl_reset(nc);
	if (netctrl_poll(nc, 1, &ev) != -ENODEV)
		abort();
	netctrl_destroy(nc);
	free(mem[0]);
	free(mem[1]);
	return 0;
}
