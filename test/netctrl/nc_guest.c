/* SPDX-License-Identifier: BSD-3-Clause */
/* Fake guest driver and recording vendor for the netctrl tests (see nc_guest.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc_guest.h"

void *
guest_ptr(struct guest *g, uint64_t gpa)
{
	uint64_t off;

	if (gpa < G_GPA_BASE || gpa - G_GPA_BASE >= G_MEM_SIZE)
		return NULL;
	off = gpa - G_GPA_BASE;
	return g->region[off / G_REGION_SIZE] + off % G_REGION_SIZE;
}

/* Copy into guest memory across the region boundary. */
static void
gwrite(struct guest *g, uint64_t gpa, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint32_t i;

	for (i = 0; i < len; i++)
		*(uint8_t *)guest_ptr(g, gpa + i) = s ? s[i] : 0;
}

uint64_t
guest_alloc(struct guest *g, uint32_t len)
{
	uint64_t gpa;

	if (g->heap + len > G_MEM_SIZE)
		g->heap = G_OFF_HEAP;
	gpa = G_GPA_BASE + g->heap;
	g->heap = (g->heap + len + 7) & ~7u;
	return gpa;
}

int
guest_init(struct guest *g, struct netctrl_config *cfg, uint16_t size)
{
	struct netctrl_mem_region r[2];
	int i, rc;

	memset(g, 0, sizeof(*g));
	if (size > G_MAX_RING)
		return -EINVAL;
	for (i = 0; i < 2; i++) {
		g->region[i] = aligned_alloc(64, G_REGION_SIZE);
		if (g->region[i] == NULL)
			return -ENOMEM;
		memset(g->region[i], 0, G_REGION_SIZE);
		r[i].gpa = G_GPA_BASE + (uint64_t)i * G_REGION_SIZE;
		r[i].size = G_REGION_SIZE;
		r[i].hva = g->region[i];
	}
	g->features = cfg->features;
	g->packed = cfg->features & NC_BIT(NC_F_RING_PACKED);
	g->size = size;
	g->heap = G_OFF_HEAP;
	g->p_avail_wrap = g->p_used_wrap = true;
	g->nc = netctrl_create(cfg);
	if (g->nc == NULL)
		return -errno;
	rc = netctrl_set_mem(g->nc, r, 2);
	if (rc != 0)
		return rc;
	if (g->packed) {
		struct netctrl_packed_ring pr = {
			.desc = g->region[0] + G_OFF_DESC,
			.driver_event = g->region[0] + G_OFF_AVAIL,
			.device_event = g->region[0] + G_OFF_USED,
			.size = size, .base = 0x8000,
		};
		return netctrl_set_packed_ring(g->nc, &pr);
	} else {
		struct netctrl_split_ring sr = {
			.desc = g->region[0] + G_OFF_DESC,
			.avail = g->region[0] + G_OFF_AVAIL,
			.used = g->region[0] + G_OFF_USED,
			.size = size,
		};
		return netctrl_set_split_ring(g->nc, &sr);
	}
}

void
guest_fini(struct guest *g)
{
	netctrl_destroy(g->nc);
	free(g->region[0]);
	free(g->region[1]);
	memset(g, 0, sizeof(*g));
}

/* Buffer address of a segment, copying readable data into the heap. */
static uint64_t
seg_gpa(struct guest *g, const struct gseg *s)
{
	uint64_t gpa;

	if (s->gpa != 0)
		return s->gpa;
	gpa = guest_alloc(g, s->len);
	if (!s->write)
		gwrite(g, gpa, s->data, s->len);
	return gpa;
}

static uint16_t
seg_flags(const struct gseg *s)
{
	return s->write ? NC_DESC_F_WRITE : 0;
}

static int
post_split(struct guest *g, const struct gseg *segs, unsigned int n, bool indirect)
{
	struct nc_vring_desc *ring = (void *)(g->region[0] + G_OFF_DESC);
	struct nc_vring_avail *avail = (void *)(g->region[0] + G_OFF_AVAIL);
	uint16_t head = g->next_desc % g->size, cur, i;

	if (indirect) {
		uint64_t tbl = guest_alloc(g, 16 * n);
		struct nc_vring_desc d;

		for (i = 0; i < n; i++) {
			d.addr = htole64(seg_gpa(g, &segs[i]));
			d.len = htole32(segs[i].len);
			d.flags = htole16(seg_flags(&segs[i]) | (i + 1u < n ? NC_DESC_F_NEXT : 0));
			d.next = htole16(i + 1);
			gwrite(g, tbl + 16u * i, &d, sizeof(d));
		}
		ring[head].addr = htole64(tbl);
		ring[head].len = htole32(16 * n);
		ring[head].flags = htole16(NC_DESC_F_INDIRECT);
		ring[head].next = 0;
		g->next_desc++;
	} else {
		if (n > g->size)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			cur = g->next_desc++ % g->size;
			ring[cur].addr = htole64(seg_gpa(g, &segs[i]));
			ring[cur].len = htole32(segs[i].len);
			ring[cur].flags = htole16(seg_flags(&segs[i]) |
						  (i + 1u < n ? NC_DESC_F_NEXT : 0));
			ring[cur].next = htole16(g->next_desc % g->size);
		}
	}
	avail->ring[g->avail_idx % g->size] = htole16(head);
	g->avail_idx++;
	__atomic_store_n(&avail->idx, htole16(g->avail_idx), __ATOMIC_RELEASE);
	return head;
}

static uint16_t
pflags(const struct guest *g, bool wrap)
{
	(void)g;
	return wrap ? NC_DESC_F_AVAIL : NC_DESC_F_USED;
}

static int
post_packed(struct guest *g, const struct gseg *segs, unsigned int n, bool indirect)
{
	struct nc_vring_packed_desc *ring = (void *)(g->region[0] + G_OFF_DESC);
	uint16_t id = g->next_id++ % g->size, head = g->p_avail, cur = g->p_avail, i, cnt;
	uint16_t head_flags = 0;
	bool wrap = g->p_avail_wrap, head_wrap = wrap;

	cnt = indirect ? 1 : (uint16_t)n;
	if (cnt > g->size)
		return -EINVAL;
	for (i = 0; i < cnt; i++) {
		uint16_t f;

		if (indirect) {
			uint64_t tbl = guest_alloc(g, 16 * n);
			struct nc_vring_packed_desc d;
			unsigned int k;

			for (k = 0; k < n; k++) {
				d.addr = htole64(seg_gpa(g, &segs[k]));
				d.len = htole32(segs[k].len);
				d.id = 0;
				d.flags = htole16(seg_flags(&segs[k]));
				gwrite(g, tbl + 16u * k, &d, sizeof(d));
			}
			ring[cur].addr = htole64(tbl);
			ring[cur].len = htole32(16 * n);
			f = NC_DESC_F_INDIRECT;
		} else {
			ring[cur].addr = htole64(seg_gpa(g, &segs[i]));
			ring[cur].len = htole32(segs[i].len);
			f = seg_flags(&segs[i]) | (i + 1 < cnt ? NC_DESC_F_NEXT : 0);
		}
		ring[cur].id = htole16(id);
		f |= pflags(g, wrap);
		if (i == 0)
			head_flags = f;
		else
			ring[cur].flags = htole16(f);
		if (++cur == g->size) {
			cur = 0;
			wrap = !wrap;
		}
	}
	/* the head goes last: it makes the whole chain available */
	__atomic_store_n(&ring[head].flags, htole16(head_flags), __ATOMIC_RELEASE);
	(void)head_wrap;
	g->ndesc_of_id[id] = cnt;
	g->p_avail = cur;
	g->p_avail_wrap = wrap;
	return id;
}

int
guest_post(struct guest *g, const struct gseg *segs, unsigned int n, bool indirect)
{
	return g->packed ? post_packed(g, segs, n, indirect) : post_split(g, segs, n, indirect);
}

uint64_t
guest_cmd(struct guest *g, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
	  enum g_layout layout, uint32_t res_len)
{
	uint8_t rd[4096];
	struct gseg s[80];
	unsigned int n = 0, i;
	uint64_t w;

	if (len + 2 > sizeof(rd))
		return 0;
	rd[0] = cls;
	rd[1] = cmd;
	if (len)
		memcpy(rd + 2, data, len);
	w = guest_alloc(g, 1 + res_len);
	memset(guest_ptr(g, w), 0xee, 1);
	for (i = 1; i < 1 + res_len; i++)
		*(uint8_t *)guest_ptr(g, w + i) = 0xee;
	switch (layout) {
	case G_LINUX:
	case G_INDIRECT:
		s[n++] = (struct gseg){ rd, 2, false, 0 };
		if (len)
			s[n++] = (struct gseg){ rd + 2, len, false, 0 };
		s[n++] = (struct gseg){ NULL, 1, true, w };
		if (res_len)
			s[n++] = (struct gseg){ NULL, res_len, true, w + 1 };
		break;
	case G_ONE:
		s[n++] = (struct gseg){ rd, 2 + len, false, 0 };
		s[n++] = (struct gseg){ NULL, 1 + res_len, true, w };
		break;
	case G_BYTES:
		if (len + 2 > 60)
			return 0;
		for (i = 0; i < len + 2; i++)
			s[n++] = (struct gseg){ rd + i, 1, false, 0 };
		s[n++] = (struct gseg){ NULL, 1, true, w };
		if (res_len)
			s[n++] = (struct gseg){ NULL, res_len, true, w + 1 };
		break;
	case G_SPLIT_HDR:
		s[n++] = (struct gseg){ rd, 1, false, 0 };
		s[n++] = (struct gseg){ rd + 1, 1 + len, false, 0 };
		s[n++] = (struct gseg){ NULL, 1 + res_len, true, w };
		break;
	}
	if (guest_post(g, s, n, layout == G_INDIRECT) < 0)
		return 0;
	return w;
}

int
guest_used(struct guest *g, uint16_t *id, uint32_t *len)
{
	if (g->packed) {
		struct nc_vring_packed_desc *d =
			(void *)(g->region[0] + G_OFF_DESC + 16u * g->p_used);
		uint16_t f = le16toh(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE));
		bool a = f & NC_DESC_F_AVAIL, u = f & NC_DESC_F_USED;

		if (a != u || u != g->p_used_wrap)
			return 0;
		*id = le16toh(d->id);
		*len = le32toh(d->len);
		g->p_used += *id < G_MAX_RING && g->ndesc_of_id[*id] ? g->ndesc_of_id[*id] : 1;
		if (g->p_used >= g->size) {
			g->p_used -= g->size;
			g->p_used_wrap = !g->p_used_wrap;
		}
		return 1;
	} else {
		struct nc_vring_used *u = (void *)(g->region[0] + G_OFF_USED);
		uint16_t idx = le16toh(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE));

		if (idx == g->used_seen)
			return 0;
		*id = (uint16_t)le32toh(u->ring[g->used_seen % g->size].id);
		*len = le32toh(u->ring[g->used_seen % g->size].len);
		g->used_seen++;
		return 1;
	}
}

int
guest_run(struct guest *g, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
	  enum g_layout layout)
{
	uint64_t w = guest_cmd(g, cls, cmd, data, len, layout, 0);
	uint16_t id;
	uint32_t ulen;

	if (w == 0 || netctrl_poll(g->nc, 64, NULL) < 0)
		return -1;
	if (!guest_used(g, &id, &ulen))
		return -1;
	return *(uint8_t *)guest_ptr(g, w);
}

void
guest_dump(struct guest *g, const char *name, uint8_t vendor)
{
	const char *dir = getenv("NETCTRL_CORPUS_OUT");
	struct g_fuzz_hdr h;
	char path[512];
	uint32_t end = G_MEM_SIZE;
	FILE *f;
	int i;

	if (dir == NULL)
		return;
	while (end > 0 && *(uint8_t *)guest_ptr(g, G_GPA_BASE + end - 1) == 0)
		end--;
	memset(&h, 0, sizeof(h));
	h.flags = g->packed ? G_FZ_PACKED : 0;
	for (i = 0; i < 7; i++)
		if ((1u << i) == g->size)
			h.size_log2 = (uint8_t)i;
	h.vendor = vendor;
	h.max_pending = 8;
	h.base = g->packed ? 0x8000 : 0;
	h.features = htole64(g->features);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(&h, sizeof(h), 1, f);
	for (i = 0; i < (int)end; i++)
		fputc(*(uint8_t *)guest_ptr(g, G_GPA_BASE + (uint64_t)i), f);
	fclose(f);
}

/* ---- recording vendor ---- */

static int
tv_log(void *ctx, uint64_t token, const char *fmt, ...)
{
	struct tvendor *v = ctx;
	va_list ap;

	if (v->n < TV_LOG_MAX) {
		va_start(ap, fmt);
		vsnprintf(v->log[v->n], sizeof(v->log[0]), fmt, ap);
		va_end(ap);
		v->tokens[v->n] = token;
		v->n++;
	}
	return v->answer;
}

static int
tv_rx(void *ctx, uint64_t t, enum netctrl_rx_mode m, bool on)
{
	return tv_log(ctx, t, "rx %d %d", (int)m, on);
}

static int
tv_mac_table(void *ctx, uint64_t t, const struct netctrl_mac_table *mt)
{
	return tv_log(ctx, t, "mac_table uc=%u mc=%u of=%d/%d first=%02x", mt->uc_count,
		      mt->mc_count, mt->uc_overflow, mt->mc_overflow,
		      mt->mc_count ? mt->mc[0][0] : mt->uc_count ? mt->uc[0][0] : 0);
}

static int
tv_mac_addr(void *ctx, uint64_t t, const uint8_t m[6])
{
	return tv_log(ctx, t, "mac_addr %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		      m[4], m[5]);
}

static int
tv_vlan_add(void *ctx, uint64_t t, uint16_t vid)
{
	return tv_log(ctx, t, "vlan_add %u", vid);
}

static int
tv_vlan_del(void *ctx, uint64_t t, uint16_t vid)
{
	return tv_log(ctx, t, "vlan_del %u", vid);
}

static int
tv_announce(void *ctx, uint64_t t)
{
	return tv_log(ctx, t, "announce_ack");
}

static int
tv_pairs(void *ctx, uint64_t t, uint16_t n)
{
	return tv_log(ctx, t, "pairs %u", n);
}

static int
tv_rss(void *ctx, uint64_t t, const struct netctrl_rss *r)
{
	return tv_log(ctx, t, "rss types=%x len=%u uncl=%u tx=%u key=%u last=%u", r->hash_types,
		      r->indir_len, r->unclassified_queue, r->max_tx_vq, r->key_len,
		      r->indir_len ? r->indir[r->indir_len - 1] : 0);
}

static int
tv_hash(void *ctx, uint64_t t, const struct netctrl_hash *h)
{
	return tv_log(ctx, t, "hash types=%x key=%u", h->hash_types, h->key_len);
}

static int
tv_offloads(void *ctx, uint64_t t, uint64_t o)
{
	return tv_log(ctx, t, "offloads %llx", (unsigned long long)o);
}

static int
tv_coal(void *ctx, uint64_t t, const struct netctrl_coal *c)
{
	return tv_log(ctx, t, "coal %d %u %u %u", (int)c->scope, c->vq_index, c->max_packets,
		      c->max_usecs);
}

static int
tv_tunnel(void *ctx, uint64_t t, uint32_t types)
{
	return tv_log(ctx, t, "tunnel %x", types);
}

const struct netctrl_ops tvendor_ops = {
	.rx_mode = tv_rx,
	.mac_table_set = tv_mac_table,
	.mac_addr_set = tv_mac_addr,
	.vlan_add = tv_vlan_add,
	.vlan_del = tv_vlan_del,
	.announce_ack = tv_announce,
	.mq_pairs_set = tv_pairs,
	.rss_set = tv_rss,
	.hash_set = tv_hash,
	.guest_offloads_set = tv_offloads,
	.coal_set = tv_coal,
	.hash_tunnel_set = tv_tunnel,
};

int
tv_find(const struct tvendor *v, const char *line, unsigned int from)
{
	unsigned int i;

	for (i = from; i < v->n; i++)
		if (strcmp(v->log[i], line) == 0)
			return (int)i;
	return -1;
}
