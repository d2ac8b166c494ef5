/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vendor "idpf", the commands: each CVQ command becomes virtchnl2 messages to the idpf function,
 * sent through the lock-free transaction ring of idpf_ctl (lib/xn).
 *
 * Commands answer NETCTRL_PENDING and complete later: their messages go out as asynchronous
 * transactions, whose callbacks (EAL interrupt thread or any waiter) only record the result and
 * drop an atomic count; the last one wakes the device thread through the driver's eventfd. The
 * device thread (vendor service callback, dev->lock held) then finishes the command and calls
 * netctrl_complete(), as netctrl's threading rule asks, and writes the CVQ call eventfd.
 *
 * Ordering: commands touching different device state (rx modes, MAC filters, queues and RSS)
 * are in flight together; a command waits for the earlier commands of its own kind, so that
 * its diff is computed against what the device really holds. A command whose messages fail in
 * part is undone before it answers ERR, so the vport keeps matching netctrl's shadow state: the
 * inverse of every message that reached the device, in reverse order, failed ones included (a
 * lost reply or an error status does not prove the device left its state alone; each inverse
 * puts back the previous value, so it is harmless where the message had no effect).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include <netctrl_virtio.h>

#include "swcvq_idpf_priv.h"

/* virtio-net hash types and the ptype groups of SET_RSS_HASH that carry them. */
static const struct idpf_rss_map hash_map[] = {
	{ SWCVQ_HT_IPV4, IDPF_RSS_PG_IPV4 | IDPF_RSS_PG_IPV4_OTHER | IDPF_RSS_PG_IPV4_FRAG },
	{ SWCVQ_HT_TCPV4, IDPF_RSS_PG_IPV4_TCP },
	{ SWCVQ_HT_UDPV4, IDPF_RSS_PG_IPV4_UDP },
	{ SWCVQ_HT_IPV6, IDPF_RSS_PG_IPV6 | IDPF_RSS_PG_IPV6_OTHER | IDPF_RSS_PG_IPV6_FRAG },
	{ SWCVQ_HT_TCPV6, IDPF_RSS_PG_IPV6_TCP },
	{ SWCVQ_HT_UDPV6, IDPF_RSS_PG_IPV6_UDP },
};

/* ---- messages: each helper only fills one virtchnl2 message -------------------------------- */

static uint8_t *
msg_alloc(uint16_t len)
{
	return calloc(1, len);
}

static int
txn_add(struct vi_cmd *c, uint32_t op, uint8_t *msg, uint16_t len, uint32_t undo_op,
	uint8_t *undo, uint16_t undo_len)
{
	struct vi_txn *t;

	if (msg == NULL || (undo_op != 0 && undo == NULL) || c->ntxn == VI_TXN_MAX) {
		free(msg);
		free(undo);
		return -ENOMEM;
	}
	t = &c->txn[c->ntxn++];
	t->cmd = c;
	t->op = op;
	t->msg = msg;
	t->len = len;
	t->undo_op = undo_op;
	t->undo = undo;
	t->undo_len = undo_len;
	return 0;
}

static uint8_t *
msg_macs(const struct vidpf *v, const uint8_t (*addrs)[6], uint32_t n, uint16_t *len)
{
	struct virtchnl2_mac_addr_list *l;
	uint32_t i;

	*len = (uint16_t)virtchnl2_mac_addr_list_size(n);
	l = (void *)msg_alloc(*len);
	if (l == NULL)
		return NULL;
	l->vport_id = vc2_cpu_le32(v->vp.vport_id);
	l->num_mac_addr = vc2_cpu_le16((uint16_t)n);
	for (i = 0; i < n; i++) {
		memcpy(l->mac_addr_list[i].addr, addrs[i], 6);
		l->mac_addr_list[i].type = VIRTCHNL2_MAC_ADDR_EXTRA;
	}
	return (uint8_t *)l;
}

static uint8_t *
msg_promisc(const struct vidpf *v, uint16_t flags, uint16_t *len)
{
	struct virtchnl2_promisc_info *p;

	*len = sizeof(*p);
	p = (void *)msg_alloc(*len);
	if (p == NULL)
		return NULL;
	p->vport_id = vc2_cpu_le32(v->vp.vport_id);
	p->flags = vc2_cpu_le16(flags);
	return (uint8_t *)p;
}

/* ENABLE/DISABLE_QUEUES for TX and RX queues [first, first + n) of the vport. */
uint8_t *
swcvq_idpf_msg_queues(const struct vidpf *v, uint16_t first, uint16_t n, uint16_t *len)
{
	struct virtchnl2_del_ena_dis_queues *d;

	*len = (uint16_t)virtchnl2_del_ena_dis_queues_size(2);
	d = (void *)msg_alloc(*len);
	if (d == NULL)
		return NULL;
	d->vport_id = vc2_cpu_le32(v->vp.vport_id);
	d->num_chunks = vc2_cpu_le16(2);
	d->chunks[0].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_TX);
	d->chunks[0].start_queue_id = vc2_cpu_le32(v->vp.txq_start + first);
	d->chunks[0].num_queues = vc2_cpu_le32(n);
	d->chunks[1].type = vc2_cpu_le32(VIRTCHNL2_QUEUE_TYPE_RX);
	d->chunks[1].start_queue_id = vc2_cpu_le32(v->vp.rxq_start + first);
	d->chunks[1].num_queues = vc2_cpu_le32(n);
	return (uint8_t *)d;
}

static uint8_t *
msg_lut(const struct vidpf *v, const uint32_t *lut, uint16_t *len)
{
	uint16_t n = v->vp.rss_lut_size, i;
	struct virtchnl2_rss_lut *l;

	*len = (uint16_t)virtchnl2_rss_lut_size(n);
	l = (void *)msg_alloc(*len);
	if (l == NULL)
		return NULL;
	l->vport_id = vc2_cpu_le32(v->vp.vport_id);
	l->lut_entries = vc2_cpu_le16(n);
	for (i = 0; i < n; i++)
		l->lut[i] = vc2_cpu_le32(lut[i]);
	return (uint8_t *)l;
}

static uint8_t *
msg_key(const struct vidpf *v, const uint8_t *key, uint8_t key_len, uint16_t *len)
{
	struct virtchnl2_rss_key *k;

	*len = (uint16_t)virtchnl2_rss_key_size(key_len);
	k = (void *)msg_alloc(*len);
	if (k == NULL)
		return NULL;
	k->vport_id = vc2_cpu_le32(v->vp.vport_id);
	k->key_len = vc2_cpu_le16(key_len);
	memcpy(k->key, key, key_len);
	return (uint8_t *)k;
}

static uint8_t *
msg_hash(const struct vidpf *v, uint64_t groups, uint16_t *len)
{
	struct virtchnl2_rss_hash *h;

	*len = sizeof(*h);
	h = (void *)msg_alloc(*len);
	if (h == NULL)
		return NULL;
	h->vport_id = vc2_cpu_le32(v->vp.vport_id);
	h->ptype_groups = vc2_cpu_le64(groups);
	return (uint8_t *)h;
}

/* ---- command objects ----------------------------------------------------------------------- */

void
swcvq_idpf_cmd_free(struct vi_cmd *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ntxn; i++) {
		free(c->txn[i].msg);
		free(c->txn[i].undo);
	}
	free(c->mac.uc);
	free(c->mac.mc);
	free(c->mac.set);
	free(c->q.indir);
	free(c->q.target.lut);
	free(c);
}

struct vi_cmd *
swcvq_idpf_cmd_new(struct vidpf *v, enum vi_kind kind, uint64_t token)
{
	struct vi_cmd *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = kind;
	c->token = token;
	c->epoch = v->epoch;
	c->sync = token == 0;
	c->wake_fd = v->dev->ctl_fd;
	atomic_init(&c->outstanding, 0);
	return c;
}

static enum vi_dom
dom_of(enum vi_kind k)
{
	return k == K_RX ? DOM_RX : k == K_MAC ? DOM_MAC : DOM_QUEUES;
}

static bool
dom_busy(const struct vidpf *v, enum vi_dom d)
{
	const struct vi_cmd *c;

	for (c = v->head; c != NULL; c = c->next)
		if (c->phase != PH_DONE && dom_of(c->kind) == d)
			return true;
	return false;
}

static void
list_append(struct vidpf *v, struct vi_cmd *c)
{
	c->next = NULL;
	if (v->tail != NULL)
		v->tail->next = c;
	else
		v->head = c;
	v->tail = c;
	v->ncmds++;
}

static void
list_remove(struct vidpf *v, struct vi_cmd *c, struct vi_cmd *prev)
{
	if (prev != NULL)
		prev->next = c->next;
	else
		v->head = c->next;
	if (v->tail == c)
		v->tail = prev;
	v->ncmds--;
}

/* ---- transaction callbacks (any thread; never take dev->lock) ------------------------------ */

/*
 * The result is a plain store made visible by the release half of the decrement; the device
 * thread reads it after an acquire load sees the count at zero. The command may be freed as
 * soon as the count is zero, so the eventfd number is read before the decrement.
 */
static void
txn_finish(struct vi_txn *t)
{
	struct vi_cmd *c = t->cmd;
	int fd = c->wake_fd;
	uint64_t one = 1;

	if (atomic_fetch_sub_explicit(&c->outstanding, 1, memory_order_acq_rel) == 1 && fd >= 0 &&
	    write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, so the thread is awake anyway */
	}
}

static void
txn_done(void *arg, int result, const void *resp, uint32_t len)
{
	struct vi_txn *t = arg;

	RTE_SET_USED(resp);
	RTE_SET_USED(len);
	t->result = result < 0 ? result : 0;
	txn_finish(t);
}

static void
undo_done(void *arg, int result, const void *resp, uint32_t len)
{
	struct vi_txn *t = arg;

	RTE_SET_USED(resp);
	RTE_SET_USED(len);
	t->undo_result = result < 0 ? result : 0;
	txn_finish(t);
}

/* Send a command's main messages, or their inverses in reverse order; device thread. */
static void
cmd_send(struct vidpf *v, struct vi_cmd *c, bool undo)
{
	unsigned int i;
	int rc;

	atomic_store_explicit(&c->outstanding, 1, memory_order_relaxed);	/* sending guard */
	for (i = 0; i < c->ntxn; i++) {
		struct vi_txn *t = &c->txn[undo ? c->ntxn - 1 - i : i];

		if (undo && (!t->sent || t->undo_op == 0))
			continue;
		atomic_fetch_add_explicit(&c->outstanding, 1, memory_order_relaxed);
		v->st.transactions++;
		if (undo)
			rc = idpf_ctl_call_async(v->ad.ctl, t->undo_op, t->undo, t->undo_len, 0,
						 undo_done, t);
		else
			rc = idpf_ctl_call_async(v->ad.ctl, t->op, t->msg, t->len, 0, txn_done, t);
		if (rc < 0) {
			/* not sent: the callback will not run, account for it here */
			if (undo)
				t->undo_result = rc;
			else
				t->result = rc;
			atomic_fetch_sub_explicit(&c->outstanding, 1, memory_order_relaxed);
		} else if (!undo) {
			t->sent = true;
		}
	}
	atomic_fetch_sub_explicit(&c->outstanding, 1, memory_order_release);
}

/* ---- target states: what each command asks of the vport ----------------------------------- */

static uint16_t
rx_flags(const bool rx[NETCTRL_RX_MODE_MAX])
{
	uint16_t f = 0;

	if (rx[NETCTRL_RX_PROMISC])
		f |= VIRTCHNL2_UNICAST_PROMISC | VIRTCHNL2_MULTICAST_PROMISC;
	if (rx[NETCTRL_RX_ALLMULTI])
		f |= VIRTCHNL2_MULTICAST_PROMISC;
	return f;
}

/* The vport's filter set: primary MAC, unicast table, multicast table, without duplicates. */
static int
mac_union(struct vi_cmd *c)
{
	uint32_t cap = 1 + c->mac.uc_n + c->mac.mc_n, i;

	if (cap > VI_MAC_MAX)
		return -E2BIG;
	c->mac.set = calloc(cap, 6);
	if (c->mac.set == NULL)
		return -ENOMEM;
	c->mac.set_n = 0;
	memcpy(c->mac.set[c->mac.set_n++], c->mac.primary, 6);
	for (i = 0; i < c->mac.uc_n; i++)
		if (!swcvq_mac_in((const uint8_t (*)[6])c->mac.set, c->mac.set_n, c->mac.uc[i]))
			memcpy(c->mac.set[c->mac.set_n++], c->mac.uc[i], 6);
	for (i = 0; i < c->mac.mc_n; i++)
		if (!swcvq_mac_in((const uint8_t (*)[6])c->mac.set, c->mac.set_n, c->mac.mc[i]))
			memcpy(c->mac.set[c->mac.set_n++], c->mac.mc[i], 6);
	return 0;
}

/* @p a minus @p b into a new array (*out, *n). */
static int
mac_minus(const uint8_t (*a)[6], uint32_t an, const uint8_t (*b)[6], uint32_t bn,
	  uint8_t (**out)[6], uint32_t *n)
{
	uint32_t i;

	*n = 0;
	*out = calloc(an > 0 ? an : 1, 6);
	if (*out == NULL)
		return -ENOMEM;
	for (i = 0; i < an; i++)
		if (!swcvq_mac_in(b, bn, a[i]))
			memcpy((*out)[(*n)++], a[i], 6);
	return 0;
}

static uint64_t
hash_groups(uint32_t types)
{
	return idpf_rss_groups_of(hash_map, RTE_DIM(hash_map), types);
}

static int
qstate_copy(const struct vidpf *v, struct vi_qstate *dst, const struct vi_qstate *src)
{
	uint32_t *lut = dst->lut;

	if (lut == NULL) {
		lut = calloc(v->vp.rss_lut_size, sizeof(*lut));
		if (lut == NULL)
			return -ENOMEM;
	}
	*dst = *src;
	dst->lut = lut;
	memcpy(lut, src->lut, v->vp.rss_lut_size * sizeof(*lut));
	return 0;
}

/* Automatic steering over @p pairs: every LUT entry names an enabled queue. */
static void
lut_spread(const struct vidpf *v, uint32_t *lut, uint16_t pairs)
{
	uint16_t i;

	for (i = 0; i < v->vp.rss_lut_size; i++)
		lut[i] = i % pairs;
}

/*
 * The guest's indirection table as the device's LUT. Both index the table with the low bits of
 * the hash, so the result is exact when one length divides the other: a shorter guest table is
 * repeated, a longer one must repeat itself with the LUT's period. @return 0 or -ERANGE.
 */
static int
lut_from_indir(const struct vidpf *v, uint32_t *lut, const uint16_t *indir, uint16_t n)
{
	uint16_t size = v->vp.rss_lut_size, i;

	if (n <= size) {
		if (size % n != 0)
			return -ERANGE;
		for (i = 0; i < size; i++)
			lut[i] = indir[i % n];
		return 0;
	}
	if (n % size != 0)
		return -ERANGE;
	for (i = 0; i < n; i++)
		if (indir[i] != indir[i % size])
			return -ERANGE;
	for (i = 0; i < size; i++)
		lut[i] = indir[i];
	return 0;
}

/* Add the messages moving the vport's queues and RSS from v->qs to c->q.target. */
static int
queue_txns(struct vidpf *v, struct vi_cmd *c)
{
	const struct vi_qstate *cur = &v->qs, *t = &c->q.target;
	uint16_t l1, l2;
	uint8_t *m, *u;
	int rc = 0;

	if (t->pairs > cur->pairs) {
		m = swcvq_idpf_msg_queues(v, cur->pairs, t->pairs - cur->pairs, &l1);
		u = swcvq_idpf_msg_queues(v, cur->pairs, t->pairs - cur->pairs, &l2);
		rc = txn_add(c, VIRTCHNL2_OP_ENABLE_QUEUES, m, l1, VIRTCHNL2_OP_DISABLE_QUEUES, u,
			     l2);
	} else if (t->pairs < cur->pairs) {
		m = swcvq_idpf_msg_queues(v, t->pairs, cur->pairs - t->pairs, &l1);
		u = swcvq_idpf_msg_queues(v, t->pairs, cur->pairs - t->pairs, &l2);
		rc = txn_add(c, VIRTCHNL2_OP_DISABLE_QUEUES, m, l1, VIRTCHNL2_OP_ENABLE_QUEUES, u,
			     l2);
	}
	if (rc == 0 && (t->key_len != cur->key_len || memcmp(t->key, cur->key, t->key_len) != 0)) {
		m = msg_key(v, t->key, t->key_len, &l1);
		u = msg_key(v, cur->key, cur->key_len, &l2);
		rc = txn_add(c, VIRTCHNL2_OP_SET_RSS_KEY, m, l1, VIRTCHNL2_OP_SET_RSS_KEY, u, l2);
	}
	if (rc == 0 && memcmp(t->lut, cur->lut, v->vp.rss_lut_size * sizeof(*t->lut)) != 0) {
		m = msg_lut(v, t->lut, &l1);
		u = msg_lut(v, cur->lut, &l2);
		rc = txn_add(c, VIRTCHNL2_OP_SET_RSS_LUT, m, l1, VIRTCHNL2_OP_SET_RSS_LUT, u, l2);
	}
	if (rc == 0 && t->hash != cur->hash) {
		m = msg_hash(v, t->hash, &l1);
		u = msg_hash(v, cur->hash, &l2);
		rc = txn_add(c, VIRTCHNL2_OP_SET_RSS_HASH, m, l1, VIRTCHNL2_OP_SET_RSS_HASH, u, l2);
	}
	return rc;
}

/*
 * Compute the command's messages against what the vport holds now (its domain is idle).
 * @return 0 (c->ntxn may be 0: nothing to change), -ERANGE when the device cannot do what is
 *         asked, -ENOMEM.
 */
static int
cmd_build(struct vidpf *v, struct vi_cmd *c)
{
	uint8_t (*del)[6] = NULL, (*add)[6] = NULL;
	uint32_t ndel = 0, nadd = 0;
	uint16_t l1, l2;
	uint8_t *m, *u;
	bool rx[NETCTRL_RX_MODE_MAX];
	int rc = 0;

	switch (c->kind) {
	case K_RX:
		memcpy(rx, v->rx, sizeof(rx));
		rx[c->rx.mode] = c->rx.on;
		c->rx.flags = rx_flags(rx);
		if (c->rx.flags != v->promisc) {
			m = msg_promisc(v, c->rx.flags, &l1);
			u = msg_promisc(v, v->promisc, &l2);
			rc = txn_add(c, VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, m, l1,
				     VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, u, l2);
		}
		return rc;
	case K_MAC:
		if (c->mac.addr_set) {
			/* the tables stay, the primary address changes */
			c->mac.uc = calloc(v->uc_n > 0 ? v->uc_n : 1, 6);
			c->mac.mc = calloc(v->mc_n > 0 ? v->mc_n : 1, 6);
			if (c->mac.uc == NULL || c->mac.mc == NULL)
				return -ENOMEM;
			memcpy(c->mac.uc, v->uc, 6u * v->uc_n);
			memcpy(c->mac.mc, v->mc, 6u * v->mc_n);
			c->mac.uc_n = v->uc_n;
			c->mac.mc_n = v->mc_n;
		} else {
			memcpy(c->mac.primary, v->primary, 6);
		}
		rc = mac_union(c);
		if (rc == -E2BIG)
			return -ERANGE;
		if (rc == 0)
			rc = mac_minus((const uint8_t (*)[6])v->set, v->set_n,
				       (const uint8_t (*)[6])c->mac.set, c->mac.set_n, &del, &ndel);
		if (rc == 0)
			rc = mac_minus((const uint8_t (*)[6])c->mac.set, c->mac.set_n,
				       (const uint8_t (*)[6])v->set, v->set_n, &add, &nadd);
		/* removals first: the device processes the mailbox in order, and a full table
		 * must make room before it takes new entries */
		if (rc == 0 && ndel > 0) {
			m = msg_macs(v, (const uint8_t (*)[6])del, ndel, &l1);
			u = msg_macs(v, (const uint8_t (*)[6])del, ndel, &l2);
			rc = txn_add(c, VIRTCHNL2_OP_DEL_MAC_ADDR, m, l1,
				     VIRTCHNL2_OP_ADD_MAC_ADDR, u, l2);
		}
		if (rc == 0 && nadd > 0) {
			m = msg_macs(v, (const uint8_t (*)[6])add, nadd, &l1);
			u = msg_macs(v, (const uint8_t (*)[6])add, nadd, &l2);
			rc = txn_add(c, VIRTCHNL2_OP_ADD_MAC_ADDR, m, l1,
				     VIRTCHNL2_OP_DEL_MAC_ADDR, u, l2);
		}
		free(del);
		free(add);
		return rc;
	case K_PAIRS:
		if (c->q.pairs == 0 || c->q.pairs > v->vp.num_rxq)
			return -ERANGE;
		rc = qstate_copy(v, &c->q.target, &v->qs);
		if (rc != 0)
			return rc;
		/* the last multiqueue command wins: RSS off, automatic steering */
		c->q.target.pairs = c->q.pairs;
		c->q.target.rss_on = false;
		c->q.target.hash = v->default_hash;
		if (c->q.restore_key) {
			c->q.target.key_len = v->default_key_len;
			memcpy(c->q.target.key, v->default_key, v->default_key_len);
		}
		lut_spread(v, c->q.target.lut, c->q.pairs);
		return queue_txns(v, c);
	case K_RSS:
		/* idpf has no per-vport queue for frames it cannot hash: queue 0 takes them */
		if (c->q.unclassified != 0 || (c->q.hash_types & ~SWCVQ_HASH_TYPES) != 0 ||
		    c->q.key_len > v->vp.rss_key_size || c->q.pairs > v->vp.num_rxq)
			return -ERANGE;
		rc = qstate_copy(v, &c->q.target, &v->qs);
		if (rc != 0)
			return rc;
		c->q.target.pairs = c->q.pairs;
		c->q.target.rss_on = c->q.hash_types != 0;
		c->q.target.hash = hash_groups(c->q.hash_types);
		if (c->q.key_len > 0) {
			c->q.target.key_len = c->q.key_len;
			memcpy(c->q.target.key, c->q.key, c->q.key_len);
		}
		if (lut_from_indir(v, c->q.target.lut, c->q.indir, c->q.indir_len) != 0)
			return -ERANGE;
		return queue_txns(v, c);
	}
	return -EINVAL;
}

/* The command succeeded: the vport now holds its target. */
static void
cmd_commit(struct vidpf *v, struct vi_cmd *c)
{
	struct vi_qstate tmp;

	switch (c->kind) {
	case K_RX:
		v->rx[c->rx.mode] = c->rx.on;
		v->promisc = c->rx.flags;
		break;
	case K_MAC:
		memcpy(v->primary, c->mac.primary, 6);
		RTE_SWAP(v->uc, c->mac.uc);
		RTE_SWAP(v->mc, c->mac.mc);
		RTE_SWAP(v->set, c->mac.set);
		v->uc_n = c->mac.uc_n;
		v->mc_n = c->mac.mc_n;
		v->set_n = c->mac.set_n;
		/* MAC_ADDR_SET also changes the config space MAC */
		if (c->mac.addr_set)
			memcpy(v->dev->cfg_mac, c->mac.primary, 6);
		break;
	case K_PAIRS:
	case K_RSS:
		tmp = v->qs;
		v->qs = c->q.target;
		c->q.target = tmp;	/* the old LUT is freed with the command */
		break;
	}
}

/* The device answered (with an error status): not a timeout, a reset or a local failure. */
static bool
device_answered(int rc)
{
	return rc != -ETIMEDOUT && rc != -ENXIO && rc != -EAGAIN && rc != -ENOMEM;
}

/*
 * Move a command on once its callbacks have all run (device thread or a sync caller).
 * @return true when it is PH_DONE.
 */
static bool
cmd_advance(struct vidpf *v, struct vi_cmd *c)
{
	unsigned int i, failed = 0, undos = 0;

	if (c->phase == PH_DONE)
		return true;
	if (c->phase == PH_WAITING ||
	    atomic_load_explicit(&c->outstanding, memory_order_acquire) != 0)
		return false;
	if (c->phase == PH_UNDO) {
		for (i = 0; i < c->ntxn; i++) {
			const struct vi_txn *t = &c->txn[i];

			if (!t->sent || t->undo_op == 0)
				continue;
			/* the device refusing the inverse of a message it refused means neither
			 * had an effect; any other failure may leave the vport changed */
			if (t->undo_result < 0 && (t->result == 0 || !device_answered(t->undo_result)))
				v->st.undo_failed++;
			else
				v->st.undone++;
		}
		c->status = NETCTRL_ERR;
		c->phase = PH_DONE;
		return true;
	}
	for (i = 0; i < c->ntxn; i++) {
		if (c->txn[i].result < 0) {
			failed++;
			v->st.txn_errors++;
		}
		if (c->txn[i].sent && c->txn[i].undo_op != 0)
			undos++;
	}
	if (failed == 0) {
		cmd_commit(v, c);
		c->status = NETCTRL_OK;
		c->phase = PH_DONE;
		return true;
	}
	VI_LOG(INFO, v, "command refused by the device (%u of %u messages failed, first %s)",
	       failed, c->ntxn, virtchnl2_op_name(c->txn[0].op));
	if (undos == 0) {
		c->status = NETCTRL_ERR;
		c->phase = PH_DONE;
		return true;
	}
	c->phase = PH_UNDO;
	cmd_send(v, c, true);
	return cmd_advance(v, c);
}

/* Build and send a command whose domain is idle. */
static void
cmd_start(struct vidpf *v, struct vi_cmd *c)
{
	int rc = cmd_build(v, c);

	if (rc != 0) {
		c->status = NETCTRL_ERR;
		c->phase = PH_DONE;
		return;
	}
	c->phase = PH_MAIN;
	cmd_send(v, c, false);
	cmd_advance(v, c);
}

/* Run an internal command to the end on the calling thread (lock held). */
static int
cmd_run_sync(struct vidpf *v, struct vi_cmd *c)
{
	uint64_t waited_us = 0, limit_us = 3000000ull * 2;
	int status;

	if (dom_busy(v, dom_of(c->kind))) {
		swcvq_idpf_cmd_free(c);
		return NETCTRL_ERR;	/* CVQ commands of its kind in flight */
	}
	cmd_start(v, c);
	while (!cmd_advance(v, c) && waited_us < limit_us) {
		idpf_ctl_poll(v->ad.ctl);
		usleep(VI_SYNC_POLL_US);
		waited_us += VI_SYNC_POLL_US;
	}
	if (c->phase != PH_DONE) {
		/* callbacks still owed (cannot happen with lib/xn's timeouts): let service reap */
		c->epoch = v->epoch - 1;
		list_append(v, c);
		return NETCTRL_ERR;
	}
	status = c->status;
	swcvq_idpf_cmd_free(c);
	return status;
}

/*
 * Entry point of every command callback: run at once when the domain is idle and nothing is
 * to be sent, else leave it pending for the device thread.
 */
int
swcvq_idpf_cmd_submit(struct vidpf *v, struct vi_cmd *c)
{
	if (c == NULL)
		return NETCTRL_ERR;
	v->st.commands++;
	if (c->sync)
		return cmd_run_sync(v, c);
	if (dom_busy(v, dom_of(c->kind))) {
		v->st.waited++;
		v->st.deferred++;
		c->phase = PH_WAITING;
		list_append(v, c);
		return NETCTRL_PENDING;
	}
	cmd_start(v, c);
	if (c->phase == PH_DONE) {
		int status = c->status;

		v->st.immediate++;
		swcvq_idpf_cmd_free(c);
		return status;
	}
	v->st.deferred++;
	list_append(v, c);
	return NETCTRL_PENDING;
}

/* ---- device thread: answers and drain ------------------------------------------------------ */

/* Answer a finished command to the engine that asked for it, and notify the guest. */
static void
cmd_answer(struct vidpf *v, struct vi_cmd *c)
{
	struct swcvq_dev *dev = v->dev;
	struct swcvq_queue *q = &dev->q[dev->cvq_index];
	unsigned int ev = 0;
	uint64_t one = 1;

	if (c->epoch != v->epoch || dev->nc == NULL) {
		v->st.dropped_stale++;	/* its engine was reset: the token is gone */
		return;
	}
	if (netctrl_complete(dev->nc, c->token, c->status, &ev) != 0) {
		v->st.dropped_stale++;
		return;
	}
	if ((ev & NETCTRL_EV_NOTIFY) && q->vr.callfd >= 0 &&
	    write(q->vr.callfd, &one, sizeof(one)) == sizeof(one))
		dev->st.cvq_notifies++;
}

unsigned int
swcvq_idpf_cmds_service(struct vidpf *v)
{
	struct vi_cmd *c, *prev = NULL, *next;
	unsigned int busy = 0, done = 0;

	if (v->head == NULL)
		return 0;
	/* drive the receive path and expire lost replies even without the interrupt */
	idpf_ctl_poll(v->ad.ctl);
	for (c = v->head; c != NULL; c = next) {
		unsigned int d = 1u << dom_of(c->kind);

		next = c->next;
		if (c->phase == PH_WAITING && !(busy & d))
			cmd_start(v, c);
		if (!cmd_advance(v, c)) {
			busy |= d;
			prev = c;
			continue;
		}
		list_remove(v, c, prev);
		if (!c->sync)
			cmd_answer(v, c);
		swcvq_idpf_cmd_free(c);
		done++;
	}
	return done;
}

void
swcvq_idpf_cmds_drain(struct vidpf *v)
{
	uint64_t waited_us = 0, limit_us = 3000000ull * 2;
	struct vi_cmd *c, *prev, *next;

	for (;;) {
		prev = NULL;
		for (c = v->head; c != NULL; c = next) {
			next = c->next;
			if (c->phase == PH_WAITING) {
				c->status = NETCTRL_ERR;	/* never sent: no effect */
				c->phase = PH_DONE;
			}
			if (!cmd_advance(v, c)) {
				prev = c;
				continue;
			}
			list_remove(v, c, prev);
			v->st.dropped_stale++;
			swcvq_idpf_cmd_free(c);
		}
		if (v->head == NULL || waited_us >= limit_us || !v->ad_up)
			return;
		idpf_ctl_poll(v->ad.ctl);
		usleep(VI_SYNC_POLL_US);
		waited_us += VI_SYNC_POLL_US;
	}
}

void
swcvq_idpf_cmds_free(struct vidpf *v)
{
	struct vi_cmd *c;

	while ((c = v->head) != NULL) {
		list_remove(v, c, NULL);
		swcvq_idpf_cmd_free(c);
	}
}
