/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vendor "idpf": every CVQ command becomes virtchnl2 messages to an idpf function, sent through
 * the lock-free transaction ring of idpf_ctl (lib/xn). The function is an emulated idpf device
 * (drivers/common/idpf/emu) named "<vdpa device>_idpf", whose control plane shows in telemetry
 * (/ctlpath/idpf_emu/state,<name>) what the commands really programmed. One vport is created
 * with the device's queue pairs and started; pair 0 is enabled, the others follow the guest.
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
 * part is undone (the inverse message of each one that succeeded) before it answers ERR, so
 * the vport keeps matching netctrl's shadow state.
 *
 * No data path: frames the guest transmits are returned to it at once and counted
 * (tx_dropped); nothing is ever received. All callbacks run with dev->lock held.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_memzone.h>

#include <netctrl_virtio.h>

#include "idpf_adapter.h"
#include "emu.h"
#include "swcvq_priv.h"

RTE_LOG_REGISTER(swcvq_idpf_logtype, pmd.vdpa.swcvq.idpf, NOTICE);
#define VI_LOG(level, v, fmt, ...) \
	rte_log(RTE_LOG_ ## level, swcvq_idpf_logtype, "vdpa_swcvq %s idpf: " fmt "\n", \
		(v)->dev->name, ##__VA_ARGS__)

#define VIRTIO_NET_S_ANNOUNCE 2
#define VI_TXN_MAX 4			/* messages of one command */
#define VI_RING_LEN 64			/* descriptors of each reserved queue ring */
#define VI_DESC_SIZE 32
#define VI_BUF_SIZE 2048		/* RX data buffer size told to the device */
#define VI_L2_OVERHEAD 26		/* Ethernet header, two VLAN tags, FCS */
#define VI_TX_BUDGET 64			/* chains per TX ring per service round */
#define VI_DEFAULT_LUT 128		/* = rss_max_indirection_table_length of the config */
#define VI_MAC_MAX VIRTCHNL2_MAX_ELEMS(virtchnl2_mac_addr_list, virtchnl2_mac_addr)
#define VI_SYNC_POLL_US 20

/* virtio-net hash types (bits of hash_types) the vendor maps to ptype groups. */
#define HT_IPV4 (1u << 0)
#define HT_TCPV4 (1u << 1)
#define HT_UDPV4 (1u << 2)
#define HT_IPV6 (1u << 3)
#define HT_TCPV6 (1u << 4)
#define HT_UDPV6 (1u << 5)
#define VI_HASH_TYPES (HT_IPV4 | HT_TCPV4 | HT_UDPV4 | HT_IPV6 | HT_TCPV6 | HT_UDPV6)

/* SET_RSS_HASH ptype-group bits (the convention of drivers/net/idpf). */
#define PG_IPV4_TCP (1ull << 0)
#define PG_IPV4_UDP (1ull << 1)
#define PG_IPV4_OTHER (1ull << 3)
#define PG_IPV4_FRAG (1ull << 4)
#define PG_IPV4 (1ull << 5)
#define PG_IPV6_TCP (1ull << 6)
#define PG_IPV6_UDP (1ull << 7)
#define PG_IPV6_OTHER (1ull << 9)
#define PG_IPV6_FRAG (1ull << 10)
#define PG_IPV6 (1ull << 11)

static const struct {
	uint32_t ht;
	uint64_t groups;
} hash_map[] = {
	{ HT_IPV4, PG_IPV4 | PG_IPV4_OTHER | PG_IPV4_FRAG },
	{ HT_TCPV4, PG_IPV4_TCP },
	{ HT_UDPV4, PG_IPV4_UDP },
	{ HT_IPV6, PG_IPV6 | PG_IPV6_OTHER | PG_IPV6_FRAG },
	{ HT_TCPV6, PG_IPV6_TCP },
	{ HT_UDPV6, PG_IPV6_UDP },
};

/** What a command changes; commands of one domain never overtake each other. */
enum vi_dom { DOM_RX, DOM_MAC, DOM_QUEUES };

enum vi_kind { K_RX, K_MAC, K_PAIRS, K_RSS };

enum vi_phase {
	PH_WAITING,	/* an earlier command of its domain is not finished: not sent yet */
	PH_MAIN,	/* its messages are in flight */
	PH_UNDO,	/* some failed: the inverse of those that succeeded is in flight */
	PH_DONE,
};

struct vi_cmd;

/** One message of a command, and its inverse. */
struct vi_txn {
	struct vi_cmd *cmd;
	uint32_t op, undo_op;		/* undo_op 0: nothing to undo */
	uint16_t len, undo_len;
	uint8_t *msg, *undo;
	int result, undo_result;	/* written by the callback before its release decrement */
};

/** The queue and RSS state of the vport. */
struct vi_qstate {
	uint16_t pairs;			/* enabled queue pairs: 0 .. pairs-1 */
	bool rss_on;			/* the guest configured RSS (else automatic steering) */
	uint64_t hash;			/* ptype groups */
	uint8_t key_len;
	uint8_t key[IDPF_RSS_KEY_MAX];
	uint32_t *lut;			/* rss_lut_size entries */
};

/** One CVQ command (or an internal one: token 0). */
struct vi_cmd {
	struct vi_cmd *next;
	uint64_t token;
	uint32_t epoch;			/* vendor epoch at arrival: stale after a reset */
	bool sync;			/* internal: completed by the caller, not by netctrl */
	enum vi_kind kind;
	enum vi_phase phase;
	int status;			/* NETCTRL_OK / NETCTRL_ERR once PH_DONE */
	/* Callbacks still to run (+1 while sending): the last one wakes the device thread. */
	atomic_uint outstanding;
	int wake_fd;
	unsigned int ntxn;
	struct vi_txn txn[VI_TXN_MAX];
	/* The request (copied), and the target state computed when sent. */
	struct {
		enum netctrl_rx_mode mode;
		bool on;
		uint16_t flags;
	} rx;
	struct {
		bool addr_set;		/* MAC_ADDR_SET (else TABLE_SET) */
		uint8_t primary[6];
		uint32_t uc_n, mc_n, set_n;
		uint8_t (*uc)[6], (*mc)[6], (*set)[6];
	} mac;
	struct {
		uint16_t pairs;		/* PAIRS: the count; RSS: computed */
		bool restore_key;	/* PAIRS: also put the device's default key back */
		uint32_t hash_types;
		uint16_t indir_len, unclassified;
		uint16_t *indir;
		uint8_t key_len;
		uint8_t key[NETCTRL_RSS_KEY_MAX];
		struct vi_qstate target;
	} q;
};

struct vi_stats {
	uint64_t commands, immediate, deferred, waited, transactions, txn_errors, undone,
		undo_failed, dropped_stale, tx_dropped, tx_bad;
};

struct vidpf {
	struct swcvq_dev *dev;
	char emu_name[32];
	struct emu_dev *emu;
	struct idpf_adapter ad;
	bool ad_up;
	struct idpf_vport vp;
	const struct rte_memzone *rings;
	uint32_t epoch;
	struct vi_cmd *head, *tail;	/* commands in arrival order */
	unsigned int ncmds;

	/* What the vport holds (committed when a command succeeds). */
	bool rx[NETCTRL_RX_MODE_MAX];
	uint16_t promisc;		/* VIRTCHNL2_*_PROMISC */
	uint8_t primary[6];
	uint32_t uc_n, mc_n, set_n;
	uint8_t (*uc)[6], (*mc)[6], (*set)[6];	/* guest tables and the vport's filter set */
	struct vi_qstate qs;
	uint64_t default_hash;
	uint8_t default_key_len;
	uint8_t default_key[IDPF_RSS_KEY_MAX];

	struct vi_stats st;
};

static struct vidpf *
vi_of(struct swcvq_dev *dev)
{
	return dev->vendor_priv;
}

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
static uint8_t *
msg_queues(const struct vidpf *v, uint16_t first, uint16_t n, uint16_t *len)
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

static void
cmd_free(struct vi_cmd *c)
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

static struct vi_cmd *
cmd_new(struct vidpf *v, enum vi_kind kind, uint64_t token)
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

/* Send the main (or undo) message of every selected transaction; device thread. */
static void
cmd_send(struct vidpf *v, struct vi_cmd *c, bool undo)
{
	unsigned int i;
	int rc;

	atomic_store_explicit(&c->outstanding, 1, memory_order_relaxed);	/* sending guard */
	for (i = 0; i < c->ntxn; i++) {
		struct vi_txn *t = &c->txn[i];

		if (undo && (t->result < 0 || t->undo_op == 0))
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

static bool
mac_in(const uint8_t (*tab)[6], uint32_t n, const uint8_t *mac)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (memcmp(tab[i], mac, 6) == 0)
			return true;
	return false;
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
		if (!mac_in((const uint8_t (*)[6])c->mac.set, c->mac.set_n, c->mac.uc[i]))
			memcpy(c->mac.set[c->mac.set_n++], c->mac.uc[i], 6);
	for (i = 0; i < c->mac.mc_n; i++)
		if (!mac_in((const uint8_t (*)[6])c->mac.set, c->mac.set_n, c->mac.mc[i]))
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
		if (!mac_in(b, bn, a[i]))
			memcpy((*out)[(*n)++], a[i], 6);
	return 0;
}

static uint64_t
hash_groups(uint32_t types)
{
	uint64_t g = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(hash_map); i++)
		if (types & hash_map[i].ht)
			g |= hash_map[i].groups;
	return g;
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
		m = msg_queues(v, cur->pairs, t->pairs - cur->pairs, &l1);
		u = msg_queues(v, cur->pairs, t->pairs - cur->pairs, &l2);
		rc = txn_add(c, VIRTCHNL2_OP_ENABLE_QUEUES, m, l1, VIRTCHNL2_OP_DISABLE_QUEUES, u,
			     l2);
	} else if (t->pairs < cur->pairs) {
		m = msg_queues(v, t->pairs, cur->pairs - t->pairs, &l1);
		u = msg_queues(v, t->pairs, cur->pairs - t->pairs, &l2);
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
		if (c->q.unclassified != 0 || (c->q.hash_types & ~VI_HASH_TYPES) != 0 ||
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
		for (i = 0; i < c->ntxn; i++)
			if (c->txn[i].result == 0 && c->txn[i].undo_op != 0) {
				if (c->txn[i].undo_result < 0)
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
		} else if (c->txn[i].undo_op != 0) {
			undos++;
		}
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
		cmd_free(c);
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
	cmd_free(c);
	return status;
}

/*
 * Entry point of every command callback: run at once when the domain is idle and nothing is
 * to be sent, else leave it pending for the device thread.
 */
static int
cmd_submit(struct vidpf *v, struct vi_cmd *c)
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
		cmd_free(c);
		return status;
	}
	v->st.deferred++;
	list_append(v, c);
	return NETCTRL_PENDING;
}

/* ---- CVQ commands -------------------------------------------------------------------------- */

static int
vi_rx_mode(void *ctx, uint64_t token, enum netctrl_rx_mode mode, bool on)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c;

	/* idpf has unicast and multicast promiscuous flags only: CTRL_RX_EXTRA is not offered */
	if (mode != NETCTRL_RX_PROMISC && mode != NETCTRL_RX_ALLMULTI)
		return NETCTRL_ERR;
	c = cmd_new(v, K_RX, token);
	if (c != NULL) {
		c->rx.mode = mode;
		c->rx.on = on;
	}
	return cmd_submit(v, c);
}

static int
vi_mac_table_set(void *ctx, uint64_t token, const struct netctrl_mac_table *t)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c;

	if ((uint64_t)t->uc_count + t->mc_count + 1 > VI_MAC_MAX)
		return NETCTRL_ERR;	/* more than one message carries: the device refuses */
	c = cmd_new(v, K_MAC, token);
	if (c == NULL)
		return NETCTRL_ERR;
	c->mac.uc = calloc(t->uc_count > 0 ? t->uc_count : 1, 6);
	c->mac.mc = calloc(t->mc_count > 0 ? t->mc_count : 1, 6);
	if (c->mac.uc == NULL || c->mac.mc == NULL) {
		cmd_free(c);
		return NETCTRL_ERR;
	}
	if (t->uc_count > 0)
		memcpy(c->mac.uc, t->uc, 6u * t->uc_count);
	if (t->mc_count > 0)
		memcpy(c->mac.mc, t->mc, 6u * t->mc_count);
	c->mac.uc_n = t->uc_count;
	c->mac.mc_n = t->mc_count;
	return cmd_submit(v, c);
}

static int
vi_mac_addr_set(void *ctx, uint64_t token, const uint8_t mac[6])
{
	struct vidpf *v = ctx;
	struct vi_cmd *c = cmd_new(v, K_MAC, token);

	if (c != NULL) {
		c->mac.addr_set = true;
		memcpy(c->mac.primary, mac, 6);
	}
	return cmd_submit(v, c);
}

static int
vi_announce_ack(void *ctx, uint64_t token)
{
	struct vidpf *v = ctx;

	RTE_SET_USED(token);
	v->dev->cfg_status &= ~VIRTIO_NET_S_ANNOUNCE;
	v->st.commands++;
	v->st.immediate++;
	return NETCTRL_OK;
}

static int
vi_mq_pairs_set(void *ctx, uint64_t token, uint16_t pairs)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c = cmd_new(v, K_PAIRS, token);

	if (c != NULL)
		c->q.pairs = pairs;
	return cmd_submit(v, c);
}

static int
vi_rss_set(void *ctx, uint64_t token, const struct netctrl_rss *rss)
{
	struct vidpf *v = ctx;
	struct vi_cmd *c;
	uint16_t pairs, i;

	if (rss->indir_len == 0)
		return NETCTRL_ERR;
	c = cmd_new(v, K_RSS, token);
	if (c == NULL)
		return NETCTRL_ERR;
	c->q.indir = malloc(rss->indir_len * sizeof(uint16_t));
	if (c->q.indir == NULL) {
		cmd_free(c);
		return NETCTRL_ERR;
	}
	memcpy(c->q.indir, rss->indir, rss->indir_len * sizeof(uint16_t));
	c->q.indir_len = rss->indir_len;
	c->q.hash_types = rss->hash_types;
	c->q.unclassified = rss->unclassified_queue;
	c->q.key_len = rss->key_len;
	memcpy(c->q.key, rss->key, rss->key_len);
	/* the pairs in use: those the guest transmits on or steers to (as netctrl's shadow) */
	pairs = rss->max_tx_vq;
	if (rss->unclassified_queue >= pairs)
		pairs = rss->unclassified_queue + 1;
	for (i = 0; i < rss->indir_len; i++)
		if (rss->indir[i] >= pairs)
			pairs = rss->indir[i] + 1;
	c->q.pairs = pairs;
	return cmd_submit(v, c);
}

/* No virtchnl2 opcode filters VLANs, configures guest offloads, coalescing or hash reports in
 * our virtchnl2.h: those callbacks stay NULL (netctrl answers ERR) and their features are not
 * offered. */
static const struct netctrl_ops vi_ctl = {
	.rx_mode = vi_rx_mode,
	.mac_table_set = vi_mac_table_set,
	.mac_addr_set = vi_mac_addr_set,
	.announce_ack = vi_announce_ack,
	.mq_pairs_set = vi_mq_pairs_set,
	.rss_set = vi_rss_set,
};

/* ---- device thread --------------------------------------------------------------------------- */

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

/* Start what may start, finish what finished, in arrival order. @return commands answered. */
static unsigned int
cmds_service(struct vidpf *v)
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
		cmd_free(c);
		done++;
	}
	return done;
}

/* No data path: every transmitted chain is given back at once and counted. */
static unsigned int
tx_drop(struct vidpf *v)
{
	struct swcvq_dev *dev = v->dev;
	struct swcvq_chain ch;
	unsigned int work = 0, n;
	uint16_t p;

	if (!dev->have_mem)
		return 0;
	for (p = 0; p < dev->conf.pairs; p++) {
		struct swcvq_vring *vr = &dev->q[2 * p + 1].vr;

		if (!dev->q[2 * p + 1].running)
			continue;
		for (n = 0; n < VI_TX_BUDGET && swcvq_vring_pop(vr, &ch) == 1; n++) {
			if (ch.bad)
				v->st.tx_bad++;
			else
				v->st.tx_dropped++;
			swcvq_vring_push(vr, &ch, 0);
		}
		if (n > 0)
			swcvq_vring_notify(vr);
		work += n;
	}
	return work;
}

static unsigned int
vi_service(struct swcvq_dev *dev)
{
	struct vidpf *v = vi_of(dev);

	return cmds_service(v) + tx_drop(v);
}

/* ---- life cycle ---------------------------------------------------------------------------- */

/* Wait (bounded) for every command in flight to finish; none is answered to netctrl. */
static void
cmds_drain(struct vidpf *v)
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
			cmd_free(c);
		}
		if (v->head == NULL || waited_us >= limit_us || !v->ad_up)
			return;
		idpf_ctl_poll(v->ad.ctl);
		usleep(VI_SYNC_POLL_US);
		waited_us += VI_SYNC_POLL_US;
	}
}

/* Program the reset state: promiscuous (QEMU's model), the config MAC alone, one pair,
 * automatic steering with the device's default key and hash. */
static void
vi_reset(struct swcvq_dev *dev, uint64_t features)
{
	struct vidpf *v = vi_of(dev);
	struct vi_cmd *c;
	int rc = NETCTRL_OK;

	RTE_SET_USED(features);
	v->epoch++;		/* every token of the previous engine is stale */
	if (!v->ad_up)
		return;
	cmds_drain(v);
	c = cmd_new(v, K_RX, 0);
	if (c != NULL) {
		c->rx.mode = NETCTRL_RX_ALLMULTI;
		c->rx.on = false;
	}
	rc |= cmd_submit(v, c);
	c = cmd_new(v, K_RX, 0);
	if (c != NULL) {
		c->rx.mode = NETCTRL_RX_PROMISC;
		c->rx.on = true;
	}
	rc |= cmd_submit(v, c);
	c = cmd_new(v, K_MAC, 0);
	if (c != NULL) {
		/* a TABLE_SET of empty tables, then the config MAC as the primary */
		c->mac.uc = calloc(1, 6);
		c->mac.mc = calloc(1, 6);
		if (c->mac.uc == NULL || c->mac.mc == NULL) {
			cmd_free(c);
			c = NULL;
		}
	}
	rc |= cmd_submit(v, c);
	rc |= vi_mac_addr_set(v, 0, dev->conf.mac);
	c = cmd_new(v, K_PAIRS, 0);
	if (c != NULL) {
		c->q.pairs = 1;
		c->q.restore_key = true;
	}
	rc |= cmd_submit(v, c);
	if (rc != NETCTRL_OK)
		VI_LOG(ERR, v, "vport %u not back to its reset state", v->vp.vport_id);
}

/* Emulator devargs: "[k:v,k:v]" or "k:v" from the vdpa devarg, defaults first. */
static int
emu_args_build(const char *in, char *out, size_t cap)
{
	size_t n = 0, i, len = strlen(in);
	int w;

	if (len >= 2 && in[0] == '[' && in[len - 1] == ']') {
		in++;
		len -= 2;
	}
	out[0] = '\0';
	w = 0;
	/* the config space promises 128 indirection entries: give the LUT as many by default */
	if (strstr(in, "rss_lut:") == NULL) {
		w = snprintf(out, cap, "rss_lut=%u%s", VI_DEFAULT_LUT, len > 0 ? "," : "");
		if (w < 0 || (size_t)w >= cap)
			return -EINVAL;
	}
	n = (size_t)w;
	if (n + len >= cap)
		return -EINVAL;
	for (i = 0; i < len; i++)
		out[n++] = in[i] == ':' ? '=' : in[i];
	out[n] = '\0';
	return 0;
}

static void
vi_fini(struct swcvq_dev *dev)
{
	struct vidpf *v = vi_of(dev);
	struct vi_cmd *c;

	if (v == NULL)
		return;
	v->epoch++;
	if (v->ad_up) {
		cmds_drain(v);
		idpf_vport_destroy(&v->vp);
		/* outstanding calls fail now and their callbacks run */
		idpf_adapter_fini(&v->ad);
	}
	while ((c = v->head) != NULL) {
		list_remove(v, c, NULL);
		cmd_free(c);
	}
	rte_memzone_free(v->rings);
	emu_destroy(v->emu);
	free(v->uc);
	free(v->mc);
	free(v->set);
	free(v->qs.lut);
	free(v);
	dev->vendor_priv = NULL;
}

/* Start the vport with a reserved ring per queue; only pair 0 enabled. */
static int
vport_bring_up(struct vidpf *v)
{
	struct swcvq_dev *dev = v->dev;
	uint16_t n = dev->conf.pairs, i;
	struct idpf_qcfg *tx, *rx;
	char mz[RTE_MEMZONE_NAMESIZE];
	uint64_t defer = n > 1 ? ~UINT64_C(1) : 0;
	int rc;

	snprintf(mz, sizeof(mz), "%.29s_q", v->emu_name);
	v->rings = rte_memzone_reserve_aligned(mz, 2u * n * VI_RING_LEN * VI_DESC_SIZE,
					       SOCKET_ID_ANY, RTE_MEMZONE_IOVA_CONTIG, 4096);
	if (v->rings == NULL)
		return -ENOMEM;
	tx = calloc(2u * n, sizeof(*tx));
	if (tx == NULL)
		return -ENOMEM;
	rx = tx + n;
	for (i = 0; i < 2 * n; i++) {
		tx[i].ring_iova = v->rings->iova + (uint64_t)i * VI_RING_LEN * VI_DESC_SIZE;
		tx[i].ring_len = VI_RING_LEN;
		tx[i].buf_size = VI_BUF_SIZE;
		tx[i].max_pkt = dev->conf.mtu + VI_L2_OVERHEAD;
	}
	rc = idpf_vport_start(&v->vp, tx, n, rx, n, defer, defer);
	free(tx);
	if (rc == 0 && n > 64) {
		/* the start bitmaps hold 64 queues: stop the rest now */
		uint16_t len;
		uint8_t *m = msg_queues(v, 64, n - 64, &len);

		rc = m == NULL ? -ENOMEM : idpf_ctl_call(v->ad.ctl, VIRTCHNL2_OP_DISABLE_QUEUES, m,
							  len, NULL, 0, 0);
		free(m);
	}
	return rc < 0 ? rc : 0;
}

static int
vi_init(struct swcvq_dev *dev)
{
	struct idpf_ctl_conf cc = { .use_intr = true, .socket_id = SOCKET_ID_ANY };
	char args[sizeof(dev->conf.idpf_args) + 32];
	struct idpf_hw hw;
	uint16_t key_len = IDPF_RSS_KEY_MAX, i;
	struct vidpf *v;
	int rc;

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	v->dev = dev;
	dev->vendor_priv = v;
	if (snprintf(v->emu_name, sizeof(v->emu_name), "%s_idpf", dev->name) >=
	    (int)sizeof(v->emu_name)) {
		VI_LOG(ERR, v, "device name too long for an emulated idpf device");
		rc = -EINVAL;
		goto fail;
	}
	if (emu_args_build(dev->conf.idpf_args, args, sizeof(args)) != 0) {
		VI_LOG(ERR, v, "idpf devarg \"%s\" too long", dev->conf.idpf_args);
		rc = -EINVAL;
		goto fail;
	}
	v->emu = emu_create_args(v->emu_name, args);
	if (v->emu == NULL) {
		VI_LOG(ERR, v, "emulated idpf device refused \"%s\"", args);
		rc = -EINVAL;
		goto fail;
	}
	emu_hw_get(v->emu, &hw);
	rc = idpf_adapter_init(&v->ad, v->emu_name, &hw, &cc);
	if (rc < 0) {
		VI_LOG(ERR, v, "adapter bring-up failed: %s", strerror(-rc));
		goto fail;
	}
	v->ad_up = true;
	rc = idpf_vport_create(&v->ad, &v->vp, dev->conf.pairs);
	if (rc < 0) {
		VI_LOG(ERR, v, "CREATE_VPORT for %u queue pairs failed: %s", dev->conf.pairs,
		       strerror(-rc));
		goto fail;
	}
	if (v->vp.max_mtu != 0 && v->vp.max_mtu < dev->conf.mtu) {
		VI_LOG(ERR, v, "mtu %u above the vport's %u", dev->conf.mtu, v->vp.max_mtu);
		rc = -EINVAL;
		goto fail;
	}
	if (v->vp.rss_lut_size == 0) {
		rc = -ENOTSUP;
		goto fail;
	}
	v->qs.lut = calloc(v->vp.rss_lut_size, sizeof(*v->qs.lut));
	if (v->qs.lut == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = vport_bring_up(v);
	if (rc < 0) {
		VI_LOG(ERR, v, "vport start failed: %s", strerror(-rc));
		goto fail;
	}
	rc = idpf_vport_rss_get(&v->vp, v->default_key, &key_len, v->qs.lut,
				v->vp.rss_lut_size, &v->default_hash);
	if (rc < 0) {
		VI_LOG(ERR, v, "reading the RSS defaults failed: %s", strerror(-rc));
		goto fail;
	}
	v->default_key_len = (uint8_t)key_len;
	v->qs.key_len = v->default_key_len;
	memcpy(v->qs.key, v->default_key, key_len);
	v->qs.hash = v->default_hash;
	v->qs.pairs = 1;
	for (i = 0; i < v->vp.rss_lut_size; i++)
		if (v->qs.lut[i] >= v->vp.num_rxq)
			v->qs.lut[i] = 0;
	/* the vport holds no filter yet; the reset that follows adds the config MAC */
	memcpy(v->primary, dev->conf.mac, 6);
	v->uc = calloc(1, 6);
	v->mc = calloc(1, 6);
	v->set = calloc(1, 6);
	if (v->uc == NULL || v->mc == NULL || v->set == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	VI_LOG(INFO, v, "emulated device %s, vport %u, %u queue pairs, RSS key %u LUT %u",
	       v->emu_name, v->vp.vport_id, dev->conf.pairs, v->vp.rss_key_size,
	       v->vp.rss_lut_size);
	return 0;
fail:
	vi_fini(dev);
	return rc;
}

static void
vi_dump(struct swcvq_dev *dev, struct rte_tel_data *d)
{
	struct vidpf *v = vi_of(dev);
	const struct vi_cmd *c;
	unsigned int waiting = 0;

	for (c = v->head; c != NULL; c = c->next)
		waiting += c->phase == PH_WAITING;
	rte_tel_data_add_dict_string(d, "vendor", "idpf");
	rte_tel_data_add_dict_string(d, "idpf_device", v->emu_name);
	rte_tel_data_add_dict_u64(d, "vport_id", v->vp.vport_id);
	rte_tel_data_add_dict_u64(d, "rss_lut_size", v->vp.rss_lut_size);
	rte_tel_data_add_dict_u64(d, "rss_key_size", v->vp.rss_key_size);
	rte_tel_data_add_dict_u64(d, "promisc_unicast",
				  !!(v->promisc & VIRTCHNL2_UNICAST_PROMISC));
	rte_tel_data_add_dict_u64(d, "promisc_multicast",
				  !!(v->promisc & VIRTCHNL2_MULTICAST_PROMISC));
	rte_tel_data_add_dict_u64(d, "mac_filters", v->set_n);
	rte_tel_data_add_dict_u64(d, "pairs", v->qs.pairs);
	rte_tel_data_add_dict_u64(d, "rss_enabled", v->qs.rss_on);
	rte_tel_data_add_dict_u64(d, "in_flight", v->ncmds - waiting);
	rte_tel_data_add_dict_u64(d, "waiting", waiting);
	rte_tel_data_add_dict_u64(d, "commands", v->st.commands);
	rte_tel_data_add_dict_u64(d, "immediate", v->st.immediate);
	rte_tel_data_add_dict_u64(d, "deferred", v->st.deferred);
	rte_tel_data_add_dict_u64(d, "waited", v->st.waited);
	rte_tel_data_add_dict_u64(d, "transactions", v->st.transactions);
	rte_tel_data_add_dict_u64(d, "txn_errors", v->st.txn_errors);
	rte_tel_data_add_dict_u64(d, "undone", v->st.undone);
	rte_tel_data_add_dict_u64(d, "undo_failed", v->st.undo_failed);
	rte_tel_data_add_dict_u64(d, "dropped_stale", v->st.dropped_stale);
	rte_tel_data_add_dict_u64(d, "tx_dropped", v->st.tx_dropped);
	rte_tel_data_add_dict_u64(d, "tx_bad", v->st.tx_bad);
}

const struct swcvq_vendor swcvq_vendor_idpf = {
	.name = "idpf",
	.features = NC_BIT(NC_F_MAC) | NC_BIT(3) /* MTU */ | NC_BIT(16) /* STATUS */ |
		NC_BIT(NC_F_CTRL_VQ) | NC_BIT(NC_F_CTRL_RX) | NC_BIT(NC_F_GUEST_ANNOUNCE) |
		NC_BIT(NC_F_MQ) | NC_BIT(NC_F_CTRL_MAC_ADDR) | NC_BIT(NC_F_RSS) |
		NC_BIT(NC_F_INDIRECT_DESC) | NC_BIT(NC_F_VERSION_1) | NC_BIT(NC_F_RING_PACKED),
	.hash_types = VI_HASH_TYPES,
	.ctl = &vi_ctl,
	.init = vi_init,
	.fini = vi_fini,
	.reset = vi_reset,
	.service = vi_service,
	.dump = vi_dump,
};
