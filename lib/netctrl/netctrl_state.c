/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shadow state: what the guest configured and the vendor acknowledged. Defaults follow QEMU's
 * device model (promiscuous on until the guest says otherwise, all negotiated guest offloads on);
 * commit runs at publication of an OK ack, in command order; replay re-issues the state in the
 * order QEMU's shadow CVQ restores a device.
 */
#include <errno.h>
#include <string.h>

#include "netctrl_priv.h"
#include "netctrl_cmd.h"

void
nc_state_defaults(struct netctrl *nc)
{
	struct netctrl_state *st = &nc->st;

	memset(st, 0, sizeof(*st));
	memcpy(st->mac, nc->cfg.mac, 6);
	st->rx[NETCTRL_RX_PROMISC] = true;
	st->queue_pairs = 1;
	st->guest_offloads = nc->features & NC_GUEST_OFFLOAD_MASK;
}

static void
commit_mac_table(struct netctrl_state *st, const struct netctrl_mac_table *t)
{
	st->uc_count = t->uc_count < NETCTRL_MAC_TABLE_MAX ? t->uc_count : NETCTRL_MAC_TABLE_MAX;
	st->mc_count = t->mc_count < NETCTRL_MAC_TABLE_MAX ? t->mc_count : NETCTRL_MAC_TABLE_MAX;
	st->uc_overflow = t->uc_count > NETCTRL_MAC_TABLE_MAX;
	st->mc_overflow = t->mc_count > NETCTRL_MAC_TABLE_MAX;
	memcpy(st->uc, t->uc, 6 * st->uc_count);
	memcpy(st->mc, t->mc, 6 * st->mc_count);
}

static void
commit_rss(struct netctrl_state *st, const struct netctrl_rss *r)
{
	uint16_t pairs = r->max_tx_vq, i;

	st->rss_enabled = r->hash_types != 0;
	st->rss_hash_types = r->hash_types;
	st->rss_indir_len = r->indir_len;
	st->rss_unclassified = r->unclassified_queue;
	st->rss_max_tx_vq = r->max_tx_vq;
	memcpy(st->rss_indir, r->indir, sizeof(uint16_t) * r->indir_len);
	st->rss_key_len = r->key_len;
	memcpy(st->rss_key, r->key, r->key_len);
	/* RSS_CONFIG is also a queue-count command ("last multiqueue command wins"): the pairs in
	 * use are those the guest may transmit on or steer to.
	 */
	if (r->unclassified_queue >= pairs)
		pairs = r->unclassified_queue + 1;
	for (i = 0; i < r->indir_len; i++)
		if (r->indir[i] >= pairs)
			pairs = r->indir[i] + 1;
	st->queue_pairs = pairs;
}

static void
commit_coal(struct netctrl *nc, const struct netctrl_coal *c)
{
	struct netctrl_state *st = &nc->st;
	unsigned int vq;

	if (c->scope == NETCTRL_COAL_VQ) {
		st->coal_vq[c->vq_index].max_packets = c->max_packets;
		st->coal_vq[c->vq_index].max_usecs = c->max_usecs;
		return;
	}
	/* last setter wins: a global set overrides every queue of its direction */
	vq = c->scope == NETCTRL_COAL_TX_ALL ? 1 : 0;
	if (c->scope == NETCTRL_COAL_TX_ALL) {
		st->coal_tx.max_packets = c->max_packets;
		st->coal_tx.max_usecs = c->max_usecs;
	} else {
		st->coal_rx.max_packets = c->max_packets;
		st->coal_rx.max_usecs = c->max_usecs;
	}
	for (; vq < 2u * nc->cfg.max_pairs; vq += 2) {
		st->coal_vq[vq].max_packets = c->max_packets;
		st->coal_vq[vq].max_usecs = c->max_usecs;
	}
}

/* Apply a command the vendor acknowledged. */
void
nc_state_commit(struct netctrl *nc, const struct nc_slot *s)
{
	struct netctrl_state *st = &nc->st;
	const union nc_args *a = &s->args;

	switch (s->cmd_id) {
	case NETCTRL_CMD_RX_PROMISC: case NETCTRL_CMD_RX_ALLMULTI: case NETCTRL_CMD_RX_ALLUNI:
	case NETCTRL_CMD_RX_NOMULTI: case NETCTRL_CMD_RX_NOUNI: case NETCTRL_CMD_RX_NOBCAST:
		st->rx[a->rx.mode] = a->rx.on;
		break;
	case NETCTRL_CMD_MAC_TABLE_SET:
		commit_mac_table(st, &a->mt);
		break;
	case NETCTRL_CMD_MAC_ADDR_SET:
		memcpy(st->mac, a->mac, 6);
		break;
	case NETCTRL_CMD_VLAN_ADD:
		st->vlans[a->vid / 32] |= UINT32_C(1) << (a->vid % 32);
		break;
	case NETCTRL_CMD_VLAN_DEL:
		st->vlans[a->vid / 32] &= ~(UINT32_C(1) << (a->vid % 32));
		break;
	case NETCTRL_CMD_MQ_PAIRS_SET:
		/* last multiqueue command wins: steering is automatic again, and a replay must not
		 * bring the older RSS configuration back after the pair count */
		st->queue_pairs = a->pairs;
		st->rss_enabled = false;
		break;
	case NETCTRL_CMD_MQ_RSS_CONFIG:
		commit_rss(st, &a->rss);
		break;
	case NETCTRL_CMD_MQ_HASH_CONFIG:
		st->hash_enabled = a->hash.hash_types != 0;
		st->hash_types = a->hash.hash_types;
		st->hash_key_len = a->hash.key_len;
		memcpy(st->hash_key, a->hash.key, a->hash.key_len);
		break;
	case NETCTRL_CMD_GUEST_OFFLOADS_SET:
		st->guest_offloads = a->offloads;
		break;
	case NETCTRL_CMD_COAL_TX_SET: case NETCTRL_CMD_COAL_RX_SET: case NETCTRL_CMD_COAL_VQ_SET:
		commit_coal(nc, &a->coal);
		break;
	case NETCTRL_CMD_HASH_TUNNEL_SET:
		st->tunnel_types = a->tunnel;
		break;
	default:
		break;	/* announce, queries: no state */
	}
}

void
netctrl_state_get(const struct netctrl *nc, struct netctrl_state *st)
{
	if (nc != NULL && st != NULL)
		*st = nc->st;
}

/* One replay step: only OK goes on. */
static int
step(nc_call_fn call, const struct netctrl_ops *ops, void *ctx, const union nc_args *a)
{
	int st = call(ops, ctx, NETCTRL_TOKEN_REPLAY, a);

	if (st == NETCTRL_OK)
		return 0;
	return st == NETCTRL_PENDING ? -EINVAL : -EIO;
}

static int
replay_rx(const struct netctrl_ops *ops, void *ctx, enum netctrl_rx_mode m, bool on)
{
	union nc_args a = { .rx = { .mode = m, .on = on } };

	return step(nc_call_rx, ops, ctx, &a);
}

static int
replay_coal(const struct netctrl_ops *ops, void *ctx, enum netctrl_coal_scope scope,
	    uint16_t vq, uint32_t pk, uint32_t us)
{
	union nc_args a = { .coal = { .scope = scope, .vq_index = vq, .max_packets = pk,
				      .max_usecs = us } };

	return step(nc_call_coal, ops, ctx, &a);
}

#define STEP(x) do { rc = (x); if (rc != 0) return rc; } while (0)

int
netctrl_replay(struct netctrl *nc, const struct netctrl_ops *ops, void *ctx)
{
	const struct netctrl_state *st;
	uint64_t f;
	union nc_args a;
	unsigned int i;
	int rc, m;

	if (nc == NULL)
		return -EINVAL;
	if (ops == NULL) {
		ops = nc->cfg.ops;
		ctx = nc->cfg.ctx;
		if (ops == NULL)
			return -EINVAL;
	}
	st = &nc->st;
	f = nc->features;
	nc->cnt.replays++;
	if (f & NC_BIT(NC_F_CTRL_MAC_ADDR)) {
		memcpy(a.mac, st->mac, 6);
		STEP(step(nc_call_mac_addr, ops, ctx, &a));
	}
	if ((f & NC_BIT(NC_F_CTRL_RX)) &&
	    (st->uc_count || st->mc_count || st->uc_overflow || st->mc_overflow)) {
		a.mt = (struct netctrl_mac_table){ st->uc_count, st->mc_count, st->uc, st->mc,
						   st->uc_overflow, st->mc_overflow };
		STEP(step(nc_call_mac_table, ops, ctx, &a));
	}
	if (f & NC_BIT(NC_F_MQ)) {
		a.pairs = st->queue_pairs;
		STEP(step(nc_call_pairs, ops, ctx, &a));
	}
	if ((f & NC_BIT(NC_F_RSS)) && st->rss_enabled) {
		a.rss = (struct netctrl_rss){ st->rss_hash_types, st->rss_indir_len,
					      st->rss_unclassified, st->rss_indir,
					      st->rss_max_tx_vq, st->rss_key_len, st->rss_key };
		STEP(step(nc_call_rss, ops, ctx, &a));
	}
	if ((f & NC_BIT(NC_F_HASH_REPORT)) && st->hash_enabled) {
		a.hash = (struct netctrl_hash){ st->hash_types, st->hash_key_len, st->hash_key };
		STEP(step(nc_call_hash, ops, ctx, &a));
	}
	if ((f & NC_BIT(NC_F_CTRL_GUEST_OFFLOADS)) &&
	    st->guest_offloads != (f & NC_GUEST_OFFLOAD_MASK)) {
		a.offloads = st->guest_offloads;
		STEP(step(nc_call_offloads, ops, ctx, &a));
	}
	if (f & NC_BIT(NC_F_CTRL_RX)) {
		if (!st->rx[NETCTRL_RX_PROMISC])
			STEP(replay_rx(ops, ctx, NETCTRL_RX_PROMISC, false));
		if (st->rx[NETCTRL_RX_ALLMULTI])
			STEP(replay_rx(ops, ctx, NETCTRL_RX_ALLMULTI, true));
	}
	if (f & NC_BIT(NC_F_CTRL_RX_EXTRA))
		for (m = NETCTRL_RX_ALLUNI; m < NETCTRL_RX_MODE_MAX; m++)
			if (st->rx[m])
				STEP(replay_rx(ops, ctx, (enum netctrl_rx_mode)m, true));
	if (f & NC_BIT(NC_F_CTRL_VLAN))
		for (i = 0; i < 4096; i++)
			if (st->vlans[i / 32] & (UINT32_C(1) << (i % 32))) {
				a.vid = (uint16_t)i;
				STEP(step(nc_call_vlan_add, ops, ctx, &a));
			}
	if (f & NC_BIT(NC_F_NOTF_COAL)) {
		if (st->coal_tx.max_packets || st->coal_tx.max_usecs)
			STEP(replay_coal(ops, ctx, NETCTRL_COAL_TX_ALL, 0,
					 st->coal_tx.max_packets, st->coal_tx.max_usecs));
		if (st->coal_rx.max_packets || st->coal_rx.max_usecs)
			STEP(replay_coal(ops, ctx, NETCTRL_COAL_RX_ALL, 0,
					 st->coal_rx.max_packets, st->coal_rx.max_usecs));
	}
	if (f & NC_BIT(NC_F_VQ_NOTF_COAL))
		for (i = 0; i < 2u * nc->cfg.max_pairs; i++) {
			/* only queues whose value differs from their direction's global one */
			uint32_t pk = (i & 1) ? st->coal_tx.max_packets : st->coal_rx.max_packets;
			uint32_t us = (i & 1) ? st->coal_tx.max_usecs : st->coal_rx.max_usecs;

			if (st->coal_vq[i].max_packets != pk || st->coal_vq[i].max_usecs != us)
				STEP(replay_coal(ops, ctx, NETCTRL_COAL_VQ, (uint16_t)i,
						 st->coal_vq[i].max_packets,
						 st->coal_vq[i].max_usecs));
		}
	if ((f & NC_BIT(NC_F_HASH_TUNNEL)) && st->tunnel_types) {
		a.tunnel = st->tunnel_types;
		STEP(step(nc_call_tunnel, ops, ctx, &a));
	}
	return 0;
}
