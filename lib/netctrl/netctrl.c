/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine life cycle and the serve loop: pop a chain, handle it, publish the acks that are ready
 * in command order, decide on a notification. Every chain popped gets exactly one used entry,
 * unless the engine is broken (then nothing more is written to the ring).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netctrl_priv.h"

#define DEFAULT_PENDING 8
#define MAX_PENDING 1024
#define DEFAULT_CMD_LEN 8192
#define MIN_CMD_LEN 64
#define MAX_CMD_LEN (1u << 20)
#define SPEC_MIN_INDIR 128
#define SPEC_MIN_KEY 40

void
nc_count_err(struct netctrl *nc, enum netctrl_err e)
{
	if ((unsigned int)e < NETCTRL_E_MAX)
		nc->cnt.err[e]++;
}

static struct nc_slot *
slot_of(struct netctrl *nc, uint64_t token)
{
	return &nc->slots[token % nc->nslots];
}

static int
check_config(struct netctrl_config *c)
{
	bool rss = c->features & NC_BIT(NC_F_RSS);
	bool hash = rss || (c->features & NC_BIT(NC_F_HASH_REPORT));

	if (!(c->features & NC_BIT(NC_F_CTRL_VQ)))
		return -EINVAL;
	if (c->max_pairs < 1 || c->max_pairs > NETCTRL_MAX_PAIRS)
		return -EINVAL;
	if (c->max_pending == 0)
		c->max_pending = DEFAULT_PENDING;
	if (c->max_cmd_len == 0)
		c->max_cmd_len = DEFAULT_CMD_LEN;
	if (c->rss_max_indir == 0)
		c->rss_max_indir = SPEC_MIN_INDIR;
	if (c->rss_max_key == 0)
		c->rss_max_key = SPEC_MIN_KEY;
	if (c->max_pending > MAX_PENDING || c->max_cmd_len < MIN_CMD_LEN ||
	    c->max_cmd_len > MAX_CMD_LEN)
		return -EINVAL;
	/* spec minimums for what the config space advertises, and our own maximums */
	if (rss && (c->rss_max_indir < SPEC_MIN_INDIR || c->rss_max_indir > NETCTRL_RSS_INDIR_MAX ||
		    (c->rss_max_indir & (c->rss_max_indir - 1)) != 0))
		return -EINVAL;
	if (hash && c->rss_max_key < SPEC_MIN_KEY)
		return -EINVAL;
	/* the largest RSS command must fit the command buffer */
	if (rss && c->max_cmd_len < NC_RSS_HEAD_LEN + 2u * c->rss_max_indir + NC_RSS_TAIL_LEN +
	    c->rss_max_key)
		return -EINVAL;
	return 0;
}

struct netctrl *
netctrl_create(const struct netctrl_config *cfg)
{
	struct netctrl *nc;
	unsigned int i;

	if (cfg == NULL) {
		errno = EINVAL;
		return NULL;
	}
	nc = calloc(1, sizeof(*nc));
	if (nc == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	nc->cfg = *cfg;
	if (check_config(&nc->cfg) != 0) {
		free(nc);
		errno = EINVAL;
		return NULL;
	}
	nc->features = nc->cfg.features;
	nc->nslots = nc->cfg.max_pending;
	nc->slots = calloc(nc->nslots, sizeof(*nc->slots));
	if (nc->slots == NULL)
		goto nomem;
	for (i = 0; i < nc->nslots; i++) {
		nc->slots[i].buf = malloc(nc->cfg.max_cmd_len + sizeof(struct nc_ctrl_hdr));
		if (nc->slots[i].buf == NULL)
			goto nomem;
	}
	nc->next_token = 1;	/* 0 is NETCTRL_TOKEN_REPLAY */
	nc->head_token = 1;
	nc_state_defaults(nc);
	return nc;
nomem:
	netctrl_destroy(nc);
	errno = ENOMEM;
	return NULL;
}

void
netctrl_destroy(struct netctrl *nc)
{
	unsigned int i;

	if (nc == NULL)
		return;
	if (nc->slots != NULL)
		for (i = 0; i < nc->nslots; i++)
			free(nc->slots[i].buf);
	free(nc->slots);
	free(nc->regions);
	free(nc);
}

static void
ring_common(struct netctrl *nc, uint16_t size)
{
	nc->size = size;
	nc->max_chain = nc->cfg.max_chain == 0 || nc->cfg.max_chain > size ? size :
		nc->cfg.max_chain;
	nc->event_idx = nc->features & NC_BIT(NC_F_EVENT_IDX);
	nc->indirect = nc->features & NC_BIT(NC_F_INDIRECT_DESC);
	nc->signalled_valid = false;
}

int
netctrl_set_split_ring(struct netctrl *nc, const struct netctrl_split_ring *r)
{
	if (nc == NULL || r == NULL || r->desc == NULL || r->avail == NULL || r->used == NULL)
		return -EINVAL;
	if (nc->features & NC_BIT(NC_F_RING_PACKED))
		return -EINVAL;
	if (r->size == 0 || r->size > 32768 || (r->size & (r->size - 1)) != 0)
		return -EINVAL;
	if ((uintptr_t)r->desc % 16 || (uintptr_t)r->avail % 2 || (uintptr_t)r->used % 4)
		return -EINVAL;
	if (nc->inflight > 0)
		return -EBUSY;
	ring_common(nc, r->size);
	nc->split.desc = r->desc;
	nc->split.avail = r->avail;
	nc->split.used = r->used;
	nc->split.last_avail = r->last_avail_idx;
	nc->split.used_idx = r->used_idx;
	nc->ring = &nc_split_ops;
	return 0;
}

int
netctrl_set_packed_ring(struct netctrl *nc, const struct netctrl_packed_ring *r)
{
	struct nc_vring_packed_event *dev;

	if (nc == NULL || r == NULL || r->desc == NULL || r->driver_event == NULL ||
	    r->device_event == NULL)
		return -EINVAL;
	if (!(nc->features & NC_BIT(NC_F_RING_PACKED)))
		return -EINVAL;
	if (r->size == 0 || r->size > 32768 || (r->base & 0x7fff) >= r->size)
		return -EINVAL;
	if ((uintptr_t)r->desc % 16 || (uintptr_t)r->driver_event % 4 ||
	    (uintptr_t)r->device_event % 4)
		return -EINVAL;
	if (nc->inflight > 0)
		return -EBUSY;
	ring_common(nc, r->size);
	nc->packed.desc = r->desc;
	nc->packed.drv = r->driver_event;
	nc->packed.dev = r->device_event;
	nc->packed.avail_idx = r->base & 0x7fff;
	nc->packed.avail_wrap = r->base >> 15;
	nc->packed.used_idx = nc->packed.avail_idx;
	nc->packed.used_wrap = nc->packed.avail_wrap;
	/* we always want kicks: a control queue is idle most of the time */
	dev = nc->packed.dev;
	nc_wr16(&dev->off_wrap, 0);
	nc_wr16(&dev->flags, NC_EVENT_ENABLE);
	nc->ring = &nc_packed_ops;
	return 0;
}

/* Write the ack and the result into the chain's writable buffers. Return: bytes written. */
static uint32_t
write_ack(struct netctrl *nc, struct nc_slot *s)
{
	uint8_t out[1 + NC_RESULT_MAX];
	uint32_t total, done = 0, n;
	unsigned int i;

	out[0] = s->ack;
	total = 1 + s->res_len;
	if (total > s->ch.wcap)
		total = s->ch.wcap;
	memcpy(out + 1, s->res, total - 1);
	for (i = 0; i < s->ch.nwseg && done < total; i++) {
		n = total - done < s->ch.wseg[i].len ? total - done : s->ch.wseg[i].len;
		/* The memory table may have changed since the pop: checked again here. */
		if (nc_mem_write(nc, s->ch.wseg[i].gpa, out + done, n) != 0) {
			nc_count_err(nc, NETCTRL_E_MEMORY);
			break;
		}
		done += n;
	}
	return done;
}

/* Publish, oldest first, every command whose ack is known. Return: entries published. */
static unsigned int
publish(struct netctrl *nc)
{
	unsigned int n = 0;
	struct nc_slot *s;
	uint32_t len;

	while (nc->inflight > 0) {
		s = slot_of(nc, nc->head_token);
		if (s->state != NC_SLOT_DONE)
			break;
		len = write_ack(nc, s);
		/* the vendor applied an OK command even if the ack could not be written */
		if (s->ack == NC_ACK_OK) {
			nc_state_commit(nc, s);
			nc->cnt.cmd_ok[s->cmd_id]++;
		} else {
			nc->cnt.cmd_err[s->cmd_id]++;
		}
		nc->ring->push(nc, &s->ch, len);
		s->state = NC_SLOT_FREE;
		nc->head_token++;
		nc->inflight--;
		n++;
	}
	return n;
}

static void
notify_decision(struct netctrl *nc, unsigned int published, unsigned int *ev)
{
	if (published == 0)
		return;
	if (nc->ring->need_notify(nc)) {
		*ev |= NETCTRL_EV_NOTIFY;
		nc->cnt.notifies++;
	} else {
		nc->cnt.suppressed += published;
	}
}

static void
go_broken(struct netctrl *nc, unsigned int *ev)
{
	nc->broken = true;
	nc_count_err(nc, NETCTRL_E_FATAL);
	*ev |= NETCTRL_EV_NEEDS_RESET;
}

/* Decide what a popped chain gets. Return: false when the engine must give up. */
static bool
handle(struct netctrl *nc, struct nc_slot *s)
{
	const struct nc_chain *ch = &s->ch;
	int st;

	s->state = NC_SLOT_DONE;
	s->ack = NC_ACK_ERR;
	if (ch->wcap == 0)
		return false;	/* no reachable ack byte: the chain cannot be answered */
	if (ch->bad)
		nc_count_err(nc, NETCTRL_E_CHAIN);
	else if (ch->mem_fault)
		nc_count_err(nc, NETCTRL_E_MEMORY);
	else if (ch->too_long)
		nc_count_err(nc, NETCTRL_E_TOO_LONG);
	else if (ch->rlen < sizeof(struct nc_ctrl_hdr))
		nc_count_err(nc, NETCTRL_E_LENGTH);
	else {
		st = nc_cmd_dispatch(nc, s);
		if (st == NETCTRL_PENDING) {
			s->state = NC_SLOT_PENDING;
			nc->cnt.deferred++;
		} else {
			s->ack = st == NETCTRL_OK ? NC_ACK_OK : NC_ACK_ERR;
		}
	}
	return true;
}

int
netctrl_poll(struct netctrl *nc, unsigned int budget, unsigned int *events)
{
	unsigned int ev = 0, popped = 0;
	struct nc_slot *s;
	int r;

	if (events != NULL)
		*events = 0;
	if (nc == NULL)
		return -EINVAL;
	if (nc->broken)
		return -EIO;
	if (nc->ring == NULL || nc->nregions == 0)
		return -ENODEV;
	while (popped < budget && nc->inflight < nc->nslots) {
		s = slot_of(nc, nc->next_token);
		nc_chain_init(s);
		r = nc->ring->pop(nc, s);
		if (r == 0)
			break;
		if (r < 0) {
			go_broken(nc, &ev);
			break;
		}
		popped++;
		nc->cnt.chains++;
		nc->cvq_commands++;
		s->token = nc->next_token++;
		nc->inflight++;
		if (nc->inflight > nc->cnt.pending_hwm)
			nc->cnt.pending_hwm = nc->inflight;
		if (!handle(nc, s)) {
			go_broken(nc, &ev);
			break;
		}
	}
	if (!nc->broken)
		notify_decision(nc, publish(nc), &ev);
	if (events != NULL)
		*events = ev;
	return (int)popped;
}

int
netctrl_complete(struct netctrl *nc, uint64_t token, enum netctrl_status ack,
		 unsigned int *events)
{
	unsigned int ev = 0;
	struct nc_slot *s;

	if (events != NULL)
		*events = 0;
	if (nc == NULL || (ack != NETCTRL_OK && ack != NETCTRL_ERR))
		return -EINVAL;
	if (token < nc->head_token || token >= nc->next_token)
		return -ENOENT;
	s = slot_of(nc, token);
	if (s->token != token || s->state != NC_SLOT_PENDING)
		return -ENOENT;
	if (nc->broken)
		return -EIO;
	s->ack = ack == NETCTRL_OK ? NC_ACK_OK : NC_ACK_ERR;
	if (ack != NETCTRL_OK)
		nc_count_err(nc, NETCTRL_E_VENDOR);
	s->state = NC_SLOT_DONE;
	notify_decision(nc, publish(nc), &ev);
	if (events != NULL)
		*events = ev;
	return 0;
}

void
netctrl_reset(struct netctrl *nc)
{
	unsigned int i;

	if (nc == NULL)
		return;
	for (i = 0; i < nc->nslots; i++)
		nc->slots[i].state = NC_SLOT_FREE;
	nc->inflight = 0;
	nc->head_token = nc->next_token;	/* every outstanding token is now stale */
	nc->ring = NULL;
	nc->broken = false;
	nc->signalled_valid = false;
	memset(&nc->split, 0, sizeof(nc->split));
	memset(&nc->packed, 0, sizeof(nc->packed));
	nc_state_defaults(nc);
}

void
netctrl_counters_get(const struct netctrl *nc, struct netctrl_counters *c)
{
	if (nc != NULL && c != NULL)
		*c = nc->cnt;
}

uint16_t
netctrl_ring_base(const struct netctrl *nc)
{
	if (nc == NULL || nc->ring == NULL)
		return 0;
	return nc->ring->base(nc);
}

unsigned int
netctrl_pending(const struct netctrl *nc)
{
	return nc == NULL ? 0 : nc->inflight;
}

bool
netctrl_broken(const struct netctrl *nc)
{
	return nc != NULL && nc->broken;
}

static const char *const cmd_names[NETCTRL_CMD_MAX] = {
	"rx_promisc", "rx_allmulti", "rx_alluni", "rx_nomulti", "rx_nouni", "rx_nobcast",
	"mac_table_set", "mac_addr_set", "vlan_add", "vlan_del", "announce_ack",
	"mq_pairs_set", "mq_rss_config", "mq_hash_config", "guest_offloads_set",
	"coal_tx_set", "coal_rx_set", "coal_vq_set", "coal_vq_get", "hash_tunnel_set",
	"stats_query", "stats_get", "other",
};

static const char *const err_names[NETCTRL_E_MAX] = {
	"feature", "unknown", "length", "range", "result_space", "too_long", "chain", "memory",
	"vendor", "fatal",
};

const char *
netctrl_cmd_name(enum netctrl_cmd_id id)
{
	return (unsigned int)id < NETCTRL_CMD_MAX ? cmd_names[id] : "?";
}

const char *
netctrl_err_name(enum netctrl_err e)
{
	return (unsigned int)e < NETCTRL_E_MAX ? err_names[e] : "?";
}
