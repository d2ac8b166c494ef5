/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Commands: one table row per (class, command) with its feature gate, a parser that checks the
 * engine's copy of the data against every rule of the spec and fills the vendor arguments, and
 * a caller that only hands those arguments to the vendor callback. The same callers serve
 * netctrl_replay().
 */
#include <string.h>

#include "netctrl_priv.h"
#include "netctrl_cmd.h"

/* Parsers return NC_VALID or the netctrl_err kind that refuses the command. */
#define NC_VALID NETCTRL_E_MAX

static inline uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline bool
has(const struct netctrl *nc, unsigned int bit)
{
	return (nc->features & NC_BIT(bit)) != 0;
}

/* Queue pairs the device has for the guest: vq 2N is the control queue. */
static uint16_t
device_pairs(const struct netctrl *nc)
{
	return has(nc, NC_F_MQ) || has(nc, NC_F_RSS) ? nc->cfg.max_pairs : 1;
}

/* Result room after the ack byte. */
static uint32_t
result_room(const struct nc_slot *s)
{
	uint32_t room = s->ch.wcap - 1;

	return room < NC_RESULT_MAX ? room : NC_RESULT_MAX;
}

static int
parse_rx(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	(void)nc;
	if (len != 1)
		return NETCTRL_E_LENGTH;
	if (d[0] > 1)
		return NETCTRL_E_RANGE;
	s->args.rx.mode = (enum netctrl_rx_mode)(s->buf[1]);
	s->args.rx.on = d[0] != 0;
	return NC_VALID;
}

static int
parse_mac_table(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	uint64_t uc, mc, off;

	(void)nc;
	if (len < 8)
		return NETCTRL_E_LENGTH;
	uc = get32(d);
	if (uc > (len - 8) / 6)
		return NETCTRL_E_LENGTH;
	off = 4 + 6 * uc;
	mc = get32(d + off);
	/* both counts must account for the bytes exactly */
	if (8 + 6 * (uc + mc) != len)
		return NETCTRL_E_LENGTH;
	s->args.mt.uc_count = (uint32_t)uc;
	s->args.mt.mc_count = (uint32_t)mc;
	s->args.mt.uc = (const uint8_t (*)[6])(d + 4);
	s->args.mt.mc = (const uint8_t (*)[6])(d + off + 4);
	s->args.mt.uc_overflow = false;
	s->args.mt.mc_overflow = false;
	return NC_VALID;
}

static int
parse_mac_addr(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	static const uint8_t zero[6];

	(void)nc;
	if (len != 6)
		return NETCTRL_E_LENGTH;
	/* a station address is neither multicast nor all zero */
	if ((d[0] & 1) || memcmp(d, zero, 6) == 0)
		return NETCTRL_E_RANGE;
	memcpy(s->args.mac, d, 6);
	return NC_VALID;
}

static int
parse_vlan(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	(void)nc;
	if (len != 2)
		return NETCTRL_E_LENGTH;
	s->args.vid = get16(d);
	return s->args.vid < 4096 ? NC_VALID : NETCTRL_E_RANGE;
}

static int
parse_empty(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	(void)nc;
	(void)s;
	(void)d;
	return len == 0 ? NC_VALID : NETCTRL_E_LENGTH;
}

static int
parse_pairs(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	if (len != 2)
		return NETCTRL_E_LENGTH;
	s->args.pairs = get16(d);
	if (s->args.pairs < NC_MQ_PAIRS_MIN || s->args.pairs > nc->cfg.max_pairs)
		return NETCTRL_E_RANGE;
	return NC_VALID;
}

/* Hash types and key shared by RSS_CONFIG and HASH_CONFIG. */
static int
check_hash(const struct netctrl *nc, uint32_t types, uint8_t key_len)
{
	if (types & ~nc->cfg.hash_types)
		return NETCTRL_E_RANGE;
	if (key_len > nc->cfg.rss_max_key)
		return NETCTRL_E_RANGE;
	if (types != 0 && key_len == 0)
		return NETCTRL_E_RANGE;
	return NC_VALID;
}

static int
parse_rss(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	struct netctrl_rss *r = &s->args.rss;
	uint16_t *table, q, pairs = nc->cfg.max_pairs;
	uint32_t n, i;
	int e;

	if (len < NC_RSS_HEAD_LEN + 2 + NC_RSS_TAIL_LEN)
		return NETCTRL_E_LENGTH;
	r->hash_types = get32(d);
	n = (uint32_t)get16(d + 4) + 1;
	r->unclassified_queue = get16(d + 6);
	if ((n & (n - 1)) != 0 || n > nc->cfg.rss_max_indir)
		return NETCTRL_E_RANGE;
	if (len < NC_RSS_HEAD_LEN + 2 * n + NC_RSS_TAIL_LEN)
		return NETCTRL_E_LENGTH;
	r->max_tx_vq = get16(d + NC_RSS_HEAD_LEN + 2 * n);
	r->key_len = d[NC_RSS_HEAD_LEN + 2 * n + 2];
	/*
	 * At least the key the command announces. Linux (6.12) sends its trailer struct whole,
	 * {max_tx_vq, key length, key[40]} padded to 44 bytes: one byte more than the spec's
	 * 11 + 2L + K. Trailing bytes carry nothing and are ignored.
	 */
	if (len < NC_RSS_HEAD_LEN + 2 * n + NC_RSS_TAIL_LEN + r->key_len)
		return NETCTRL_E_LENGTH;
	e = check_hash(nc, r->hash_types, r->key_len);
	if (e != NC_VALID)
		return e;
	/* queue numbers name rx queues the device has; bit 15 is reserved and thus refused */
	if (r->unclassified_queue >= pairs || r->max_tx_vq < 1 || r->max_tx_vq > pairs)
		return NETCTRL_E_RANGE;
	/* The buffer is ours and 2-byte aligned at this offset: turn the table into host order
	 * in place so the vendor gets plain numbers.
	 */
	table = (uint16_t *)(void *)(s->buf + sizeof(struct nc_ctrl_hdr) + NC_RSS_HEAD_LEN);
	for (i = 0; i < n; i++) {
		q = get16((const uint8_t *)&table[i]);
		if (q >= pairs)
			return NETCTRL_E_RANGE;
		table[i] = q;
	}
	r->indir_len = (uint16_t)n;
	r->indir = table;
	r->key = d + NC_RSS_HEAD_LEN + 2 * n + NC_RSS_TAIL_LEN;
	return NC_VALID;
}

static int
parse_hash(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	struct netctrl_hash *h = &s->args.hash;
	unsigned int i;

	/* as for RSS_CONFIG: the announced key must be there, trailing padding is ignored */
	if (len < NC_HASH_HEAD_LEN || len < NC_HASH_HEAD_LEN + (uint32_t)d[12])
		return NETCTRL_E_LENGTH;
	for (i = 4; i < 12; i++)
		if (d[i] != 0)
			return NETCTRL_E_RANGE;	/* reserved MUST be zero */
	h->hash_types = get32(d);
	h->key_len = d[12];
	h->key = d + NC_HASH_HEAD_LEN;
	return check_hash(nc, h->hash_types, h->key_len);
}

static int
parse_offloads(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	if (len != 8)
		return NETCTRL_E_LENGTH;
	s->args.offloads = get64(d);
	/* only negotiated guest offloads may be switched */
	if (s->args.offloads & ~(nc->features & NC_GUEST_OFFLOAD_MASK))
		return NETCTRL_E_RANGE;
	return NC_VALID;
}

static int
parse_coal_all(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	(void)nc;
	if (len != sizeof(struct nc_coal))
		return NETCTRL_E_LENGTH;
	s->args.coal.scope = s->buf[1] == NC_NOTF_COAL_TX_SET ? NETCTRL_COAL_TX_ALL :
		NETCTRL_COAL_RX_ALL;
	s->args.coal.vq_index = 0;
	s->args.coal.max_packets = get32(d);
	s->args.coal.max_usecs = get32(d + 4);
	return NC_VALID;
}

/* An enabled data queue: rx or tx of a pair in use. */
static bool
vq_enabled(const struct netctrl *nc, uint16_t vq)
{
	return vq < 2u * nc->st.queue_pairs;
}

static int
parse_coal_vq_set(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	if (len != sizeof(struct nc_coal_vq))
		return NETCTRL_E_LENGTH;
	s->args.coal.scope = NETCTRL_COAL_VQ;
	s->args.coal.vq_index = get16(d);	/* reserved field ignored, as required */
	s->args.coal.max_packets = get32(d + 4);
	s->args.coal.max_usecs = get32(d + 8);
	return vq_enabled(nc, s->args.coal.vq_index) ? NC_VALID : NETCTRL_E_RANGE;
}

static int
parse_coal_vq_get(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	uint16_t vq;
	uint32_t v;

	if (len != 4)
		return NETCTRL_E_LENGTH;
	vq = get16(d);
	if (!vq_enabled(nc, vq))
		return NETCTRL_E_RANGE;
	if (result_room(s) < sizeof(struct nc_coal))
		return NETCTRL_E_RESULT_SPACE;
	v = htole32(nc->st.coal_vq[vq].max_packets);
	memcpy(s->res, &v, 4);
	v = htole32(nc->st.coal_vq[vq].max_usecs);
	memcpy(s->res + 4, &v, 4);
	s->res_len = sizeof(struct nc_coal);
	return NC_VALID;
}

static int
parse_tunnel(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	if (len != 4)
		return NETCTRL_E_LENGTH;
	s->args.tunnel = get32(d);
	return s->args.tunnel & ~nc->cfg.tunnel_types ? NETCTRL_E_RANGE : NC_VALID;
}

static int
parse_stats_query(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	uint64_t caps = htole64(NC_BIT(NC_STATS_TYPE_CVQ));

	(void)nc;
	(void)d;
	if (len != 0)
		return NETCTRL_E_LENGTH;
	if (result_room(s) < sizeof(caps))
		return NETCTRL_E_RESULT_SPACE;
	memcpy(s->res, &caps, sizeof(caps));
	s->res_len = sizeof(caps);
	return NC_VALID;
}

static int
parse_stats_get(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len)
{
	uint16_t cvq = 2 * device_pairs(nc), vq;
	uint32_t i, room = result_room(s);
	struct nc_stats_cvq r;
	uint64_t types, ok = 1;

	if (len == 0 || len % sizeof(struct nc_stats_req) != 0)
		return NETCTRL_E_LENGTH;
	/* the whole command fails if any entry is invalid: check them all first */
	for (i = 0; i < len; i += sizeof(struct nc_stats_req)) {
		vq = get16(d + i);
		types = get64(d + i + 8);
		if (vq > cvq || (types & ~NC_BIT(NC_STATS_TYPE_CVQ)))
			return NETCTRL_E_RANGE;
		if (types != 0 && vq != cvq)
			return NETCTRL_E_RANGE;	/* the CVQ type exists only for the CVQ */
	}
	for (i = 0; i < NETCTRL_CMD_MAX; i++)
		ok += nc->cnt.cmd_ok[i];
	memset(&r, 0, sizeof(r));
	r.hdr.type = NC_STATS_TYPE_CVQ;
	r.hdr.vq_index = htole16(cvq);
	r.hdr.size = htole16(sizeof(r));
	r.command_num = htole64(nc->cvq_commands);
	r.ok_num = htole64(ok);
	/* fill only what the writable space holds */
	for (i = 0; i < len; i += sizeof(struct nc_stats_req)) {
		if (get64(d + i + 8) == 0)
			continue;
		if (room - s->res_len < sizeof(r))
			break;
		memcpy(s->res + s->res_len, &r, sizeof(r));
		s->res_len += sizeof(r);
	}
	return NC_VALID;
}

/* Vendor callers: fill nothing, only call. A missing callback answers ERR. */
#define CALL(op, ...) (ops->op == NULL ? NETCTRL_ERR : ops->op(__VA_ARGS__))

int
nc_call_rx(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(rx_mode, ctx, tok, a->rx.mode, a->rx.on);
}

int
nc_call_mac_table(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(mac_table_set, ctx, tok, &a->mt);
}

int
nc_call_mac_addr(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(mac_addr_set, ctx, tok, a->mac);
}

int
nc_call_vlan_add(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(vlan_add, ctx, tok, a->vid);
}

int
nc_call_vlan_del(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(vlan_del, ctx, tok, a->vid);
}

int
nc_call_announce(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	(void)a;
	return CALL(announce_ack, ctx, tok);
}

int
nc_call_pairs(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(mq_pairs_set, ctx, tok, a->pairs);
}

int
nc_call_rss(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(rss_set, ctx, tok, &a->rss);
}

int
nc_call_hash(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(hash_set, ctx, tok, &a->hash);
}

int
nc_call_offloads(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(guest_offloads_set, ctx, tok, a->offloads);
}

int
nc_call_coal(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(coal_set, ctx, tok, &a->coal);
}

int
nc_call_tunnel(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a)
{
	return CALL(hash_tunnel_set, ctx, tok, a->tunnel);
}

struct nc_cmd_desc {
	uint8_t class;
	uint8_t cmd;
	uint8_t id;		/* enum netctrl_cmd_id */
	uint8_t feature;	/* gate */
	int (*parse)(struct netctrl *nc, struct nc_slot *s, const uint8_t *d, uint32_t len);
	nc_call_fn call;	/* NULL: the engine answers itself */
};

static const struct nc_cmd_desc cmd_table[] = {
	{ NC_CLASS_RX, NC_RX_PROMISC, NETCTRL_CMD_RX_PROMISC, NC_F_CTRL_RX, parse_rx, nc_call_rx },
	{ NC_CLASS_RX, NC_RX_ALLMULTI, NETCTRL_CMD_RX_ALLMULTI, NC_F_CTRL_RX, parse_rx,
	  nc_call_rx },
	{ NC_CLASS_RX, NC_RX_ALLUNI, NETCTRL_CMD_RX_ALLUNI, NC_F_CTRL_RX_EXTRA, parse_rx,
	  nc_call_rx },
	{ NC_CLASS_RX, NC_RX_NOMULTI, NETCTRL_CMD_RX_NOMULTI, NC_F_CTRL_RX_EXTRA, parse_rx,
	  nc_call_rx },
	{ NC_CLASS_RX, NC_RX_NOUNI, NETCTRL_CMD_RX_NOUNI, NC_F_CTRL_RX_EXTRA, parse_rx,
	  nc_call_rx },
	{ NC_CLASS_RX, NC_RX_NOBCAST, NETCTRL_CMD_RX_NOBCAST, NC_F_CTRL_RX_EXTRA, parse_rx,
	  nc_call_rx },
	{ NC_CLASS_MAC, NC_MAC_TABLE_SET, NETCTRL_CMD_MAC_TABLE_SET, NC_F_CTRL_RX,
	  parse_mac_table, nc_call_mac_table },
	{ NC_CLASS_MAC, NC_MAC_ADDR_SET, NETCTRL_CMD_MAC_ADDR_SET, NC_F_CTRL_MAC_ADDR,
	  parse_mac_addr, nc_call_mac_addr },
	{ NC_CLASS_VLAN, NC_VLAN_ADD, NETCTRL_CMD_VLAN_ADD, NC_F_CTRL_VLAN, parse_vlan,
	  nc_call_vlan_add },
	{ NC_CLASS_VLAN, NC_VLAN_DEL, NETCTRL_CMD_VLAN_DEL, NC_F_CTRL_VLAN, parse_vlan,
	  nc_call_vlan_del },
	{ NC_CLASS_ANNOUNCE, NC_ANNOUNCE_ACK, NETCTRL_CMD_ANNOUNCE_ACK, NC_F_GUEST_ANNOUNCE,
	  parse_empty, nc_call_announce },
	{ NC_CLASS_MQ, NC_MQ_VQ_PAIRS_SET, NETCTRL_CMD_MQ_PAIRS_SET, NC_F_MQ, parse_pairs,
	  nc_call_pairs },
	{ NC_CLASS_MQ, NC_MQ_RSS_CONFIG, NETCTRL_CMD_MQ_RSS_CONFIG, NC_F_RSS, parse_rss,
	  nc_call_rss },
	{ NC_CLASS_MQ, NC_MQ_HASH_CONFIG, NETCTRL_CMD_MQ_HASH_CONFIG, NC_F_HASH_REPORT,
	  parse_hash, nc_call_hash },
	{ NC_CLASS_GUEST_OFFLOADS, NC_GUEST_OFFLOADS_SET, NETCTRL_CMD_GUEST_OFFLOADS_SET,
	  NC_F_CTRL_GUEST_OFFLOADS, parse_offloads, nc_call_offloads },
	{ NC_CLASS_NOTF_COAL, NC_NOTF_COAL_TX_SET, NETCTRL_CMD_COAL_TX_SET, NC_F_NOTF_COAL,
	  parse_coal_all, nc_call_coal },
	{ NC_CLASS_NOTF_COAL, NC_NOTF_COAL_RX_SET, NETCTRL_CMD_COAL_RX_SET, NC_F_NOTF_COAL,
	  parse_coal_all, nc_call_coal },
	{ NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_SET, NETCTRL_CMD_COAL_VQ_SET, NC_F_VQ_NOTF_COAL,
	  parse_coal_vq_set, nc_call_coal },
	{ NC_CLASS_NOTF_COAL, NC_NOTF_COAL_VQ_GET, NETCTRL_CMD_COAL_VQ_GET, NC_F_VQ_NOTF_COAL,
	  parse_coal_vq_get, NULL },
	{ NC_CLASS_HASH_TUNNEL, NC_HASH_TUNNEL_SET, NETCTRL_CMD_HASH_TUNNEL_SET, NC_F_HASH_TUNNEL,
	  parse_tunnel, nc_call_tunnel },
	{ NC_CLASS_STATS, NC_STATS_QUERY, NETCTRL_CMD_STATS_QUERY, NC_F_DEVICE_STATS,
	  parse_stats_query, NULL },
	{ NC_CLASS_STATS, NC_STATS_GET, NETCTRL_CMD_STATS_GET, NC_F_DEVICE_STATS,
	  parse_stats_get, NULL },
};

static const struct nc_cmd_desc *
cmd_lookup(uint8_t class, uint8_t cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (cmd_table[i].class == class && cmd_table[i].cmd == cmd)
			return &cmd_table[i];
	return NULL;
}

/*
 * Validate the command gathered in @s and hand it to the vendor.
 * Return: NETCTRL_OK, NETCTRL_ERR (the reason is counted), or NETCTRL_PENDING.
 */
int
nc_cmd_dispatch(struct netctrl *nc, struct nc_slot *s)
{
	const struct nc_cmd_desc *c = cmd_lookup(s->buf[0], s->buf[1]);
	const uint8_t *data = s->buf + sizeof(struct nc_ctrl_hdr);
	uint32_t len = s->ch.rlen - (uint32_t)sizeof(struct nc_ctrl_hdr);
	const struct netctrl_ops *ops = nc->cfg.ops;
	int e, st;

	if (c == NULL) {
		nc_count_err(nc, NETCTRL_E_UNKNOWN);
		return NETCTRL_ERR;
	}
	s->cmd_id = c->id;
	if (!has(nc, c->feature)) {
		nc_count_err(nc, NETCTRL_E_FEATURE);
		return NETCTRL_ERR;
	}
	s->data_len = len;
	e = c->parse(nc, s, data, len);
	if (e != NC_VALID) {
		s->res_len = 0;
		nc_count_err(nc, (enum netctrl_err)e);
		return NETCTRL_ERR;
	}
	if (c->call == NULL)
		return NETCTRL_OK;
	if (ops == NULL) {
		nc_count_err(nc, NETCTRL_E_VENDOR);
		return NETCTRL_ERR;
	}
	st = c->call(ops, nc->cfg.ctx, s->token, &s->args);
	if (st == NETCTRL_OK || st == NETCTRL_PENDING)
		return st;
	nc_count_err(nc, NETCTRL_E_VENDOR);
	return NETCTRL_ERR;
}
