/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated idpf control plane: per-vport configuration (RSS key, LUT and hash, MAC filters,
 * promiscuous flags, loopback) and the packet-type table behind GET_PTYPE_INFO.
 *
 * Handlers run with emu_cp.lock held and validate the whole request before changing state.
 * Statuses: malformed ERR_EINVAL, unknown vport ERR_ENXIO, LUT range outside the table
 * ERR_ERANGE, no MAC filter left ERR_ENOSPC.
 */

#include <string.h>

#include "emu_cp_priv.h"

/** Hash groups enabled on a new vport (IPv4 and IPv6 TCP/UDP/SCTP/other). */
#define EMU_CP_DEFAULT_RSS_HASH 0xffULL

int
emu_cp_vport_config_init(struct emu_cp *cp, struct emu_cp_vport *vp)
{
	uint16_t i, nrx = vp->nq[VIRTCHNL2_QUEUE_TYPE_RX];

	/* A fixed, vport-specific default key: the driver can tell it from its own. */
	for (i = 0; i < cp->res.rss_key_size; i++)
		vp->rss_key[i] = (uint8_t)(0x6d + 29 * i + vp->id);
	vp->rss_key_len = cp->res.rss_key_size;
	for (i = 0; i < cp->res.rss_lut_size; i++)
		vp->rss_lut[i] = nrx > 0 ? i % nrx : 0;
	vp->rss_hash = EMU_CP_DEFAULT_RSS_HASH;
	vp->n_mac = 0;
	vp->promisc = 0;
	vp->loopback = false;
	memset(vp->stats, 0, sizeof(vp->stats));
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* RSS                                                                                      */

int32_t
emu_cp_op_get_rss_key(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_rss_key *in = msg;
	struct virtchnl2_rss_key *out = (void *)cp->reply.buf;
	struct emu_cp_vport *vp;

	(void)len; /* only vport_id is read; the key part is the CP's to fill */
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	memset(out, 0, sizeof(*out));
	out->vport_id = in->vport_id;
	out->key_len = vc2_cpu_le16(vp->rss_key_len);
	memcpy(cp->reply.buf + sizeof(*out), vp->rss_key, vp->rss_key_len);
	cp->reply.len = (uint16_t)virtchnl2_rss_key_size(vp->rss_key_len);
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_set_rss_key(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_rss_key *in = msg;
	uint16_t key_len = vc2_le16(in->key_len);
	struct emu_cp_vport *vp;

	if (key_len == 0 || len != virtchnl2_rss_key_size(key_len))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	if (key_len > cp->res.rss_key_size)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	memcpy(vp->rss_key, (const uint8_t *)msg + sizeof(*in), key_len);
	vp->rss_key_len = key_len;
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_get_rss_lut(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_rss_lut *in = msg;
	struct virtchnl2_rss_lut *out = (void *)cp->reply.buf;
	struct emu_cp_vport *vp;
	uint16_t i;

	(void)len; /* only vport_id is read: the whole table is returned */
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	memset(out, 0, sizeof(*out));
	out->vport_id = in->vport_id;
	out->lut_entries_start = 0;
	out->lut_entries = vc2_cpu_le16(cp->res.rss_lut_size);
	for (i = 0; i < cp->res.rss_lut_size; i++)
		out->lut[i] = vc2_cpu_le32(vp->rss_lut[i]);
	cp->reply.len = (uint16_t)virtchnl2_rss_lut_size(cp->res.rss_lut_size);
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_set_rss_lut(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_rss_lut *in = msg;
	uint16_t start = vc2_le16(in->lut_entries_start), n = vc2_le16(in->lut_entries), i;
	struct emu_cp_vport *vp;

	if (n == 0 || len != virtchnl2_rss_lut_size(n))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	if ((uint32_t)start + n > cp->res.rss_lut_size)
		return VIRTCHNL2_STATUS_ERR_ERANGE;
	/* Entries are RX queue indexes relative to the vport. */
	for (i = 0; i < n; i++)
		if (vc2_le32(in->lut[i]) >= vp->nq[VIRTCHNL2_QUEUE_TYPE_RX])
			return VIRTCHNL2_STATUS_ERR_EINVAL;
	for (i = 0; i < n; i++)
		vp->rss_lut[start + i] = vc2_le32(in->lut[i]);
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_get_rss_hash(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_rss_hash *in = msg;
	struct virtchnl2_rss_hash *out = (void *)cp->reply.buf;
	struct emu_cp_vport *vp;

	if (len != sizeof(*in))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	memset(out, 0, sizeof(*out));
	out->vport_id = in->vport_id;
	out->ptype_groups = vc2_cpu_le64(vp->rss_hash);
	cp->reply.len = sizeof(*out);
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_set_rss_hash(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_rss_hash *in = msg;
	struct emu_cp_vport *vp;

	if (len != sizeof(*in))
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	vp->rss_hash = vc2_le64(in->ptype_groups);
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* MAC filters, promiscuous mode, loopback                                                  */

static int
mac_find(const struct emu_cp_vport *vp, const uint8_t addr[6])
{
	uint16_t i;

	for (i = 0; i < vp->n_mac; i++)
		if (memcmp(vp->macs[i].addr, addr, 6) == 0)
			return i;
	return -1;
}

static bool
mac_is_zero(const uint8_t addr[6])
{
	static const uint8_t zero[6];

	return memcmp(addr, zero, 6) == 0;
}

/* Common checks of a MAC list; returns the vport or NULL with *st set. */
static struct emu_cp_vport *
mac_list(struct emu_cp *cp, const struct virtchnl2_mac_addr_list *in, uint16_t len,
	 int32_t *st)
{
	uint16_t n = vc2_le16(in->num_mac_addr), i;
	struct emu_cp_vport *vp;

	*st = VIRTCHNL2_STATUS_ERR_EINVAL;
	if (n == 0 || !emu_cp_len_matches(len, sizeof(*in), sizeof(in->mac_addr_list[0]), n))
		return NULL;
	for (i = 0; i < n; i++)
		if (mac_is_zero(in->mac_addr_list[i].addr) ||
		    in->mac_addr_list[i].type > VIRTCHNL2_MAC_ADDR_EXTRA)
			return NULL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	*st = vp != NULL ? VIRTCHNL2_STATUS_SUCCESS : VIRTCHNL2_STATUS_ERR_ENXIO;
	return vp;
}

int32_t
emu_cp_op_add_mac(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_mac_addr_list *in = msg;
	uint16_t n = vc2_le16(in->num_mac_addr), i, j, fresh = 0;
	struct emu_cp_vport *vp;
	int32_t st;

	vp = mac_list(cp, in, len, &st);
	if (vp == NULL)
		return st;
	/* Count addresses not yet filtered (once each, even if listed twice). */
	for (i = 0; i < n; i++) {
		const uint8_t *a = in->mac_addr_list[i].addr;

		if (mac_find(vp, a) >= 0)
			continue;
		for (j = 0; j < i; j++)
			if (memcmp(in->mac_addr_list[j].addr, a, 6) == 0)
				break;
		if (j == i)
			fresh++;
	}
	if ((uint32_t)vp->n_mac + fresh > cp->res.max_mac_filters)
		return VIRTCHNL2_STATUS_ERR_ENOSPC;
	for (i = 0; i < n; i++) {
		int at = mac_find(vp, in->mac_addr_list[i].addr);

		if (at < 0) {
			at = vp->n_mac++;
			memcpy(vp->macs[at].addr, in->mac_addr_list[i].addr, 6);
		}
		vp->macs[at].type = in->mac_addr_list[i].type;
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_del_mac(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_mac_addr_list *in = msg;
	uint16_t n = vc2_le16(in->num_mac_addr), i;
	struct emu_cp_vport *vp;
	int32_t st;
	int at;

	vp = mac_list(cp, in, len, &st);
	if (vp == NULL)
		return st;
	for (i = 0; i < n; i++)
		if (mac_find(vp, in->mac_addr_list[i].addr) < 0)
			return VIRTCHNL2_STATUS_ERR_EINVAL;
	for (i = 0; i < n; i++) {
		at = mac_find(vp, in->mac_addr_list[i].addr);
		if (at < 0)	/* listed twice */
			continue;
		vp->macs[at] = vp->macs[--vp->n_mac];
	}
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_promisc(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_promisc_info *in = msg;
	uint16_t flags = vc2_le16(in->flags);
	struct emu_cp_vport *vp;

	if (len != sizeof(*in) ||
	    (flags & ~(VIRTCHNL2_UNICAST_PROMISC | VIRTCHNL2_MULTICAST_PROMISC)) != 0)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	vp->promisc = flags;
	return VIRTCHNL2_STATUS_SUCCESS;
}

int32_t
emu_cp_op_loopback(struct emu_cp *cp, const void *msg, uint16_t len)
{
	const struct virtchnl2_loopback *in = msg;
	struct emu_cp_vport *vp;

	if (len != sizeof(*in) || in->enable > 1)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	vp = emu_cp_vport_req(cp, vc2_le32(in->vport_id));
	if (vp == NULL)
		return VIRTCHNL2_STATUS_ERR_ENXIO;
	vp->loopback = in->enable != 0;
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Packet types                                                                             */

/** ptypes the emulated device describes: ids 0 .. EMU_CP_NB_PTYPES - 1. */
#define EMU_CP_NB_PTYPES 400
#define EMU_CP_MAX_PROTOS 8

/*
 * The table is generated, not stored: id = tunnel * 200 + l3 * 10 + l4 (l3 0 L2 only,
 * 1 IPv4, 2 IPv6; l4 0 payload, 1 fragment, 2 UDP, 3 TCP, 4 SCTP, 5 ICMP, 6-9 payload);
 * ids 200-399 are the same behind an outer MAC/IPv4/UDP. Every entry has at least one
 * protocol id (zero-count entries are sized differently by DPDK and Linux).
 */
static uint8_t
ptype_protos(uint16_t id, uint16_t protos[EMU_CP_MAX_PROTOS])
{
	static const uint16_t l4_proto[10] = {
		VIRTCHNL2_PROTO_HDR_PAY, 0, VIRTCHNL2_PROTO_HDR_UDP, VIRTCHNL2_PROTO_HDR_TCP,
		VIRTCHNL2_PROTO_HDR_SCTP, VIRTCHNL2_PROTO_HDR_ICMP, VIRTCHNL2_PROTO_HDR_PAY,
		VIRTCHNL2_PROTO_HDR_PAY, VIRTCHNL2_PROTO_HDR_PAY, VIRTCHNL2_PROTO_HDR_PAY };
	unsigned int l3 = (id % 200) / 10 % 3, l4 = id % 10;
	uint8_t n = 0;

	if (id >= 200) {
		protos[n++] = VIRTCHNL2_PROTO_HDR_MAC;
		protos[n++] = VIRTCHNL2_PROTO_HDR_IPV4;
		protos[n++] = VIRTCHNL2_PROTO_HDR_UDP;
	}
	protos[n++] = VIRTCHNL2_PROTO_HDR_MAC;
	if (l3 == 0) {
		protos[n++] = VIRTCHNL2_PROTO_HDR_PAY;
		return n;
	}
	protos[n++] = l3 == 1 ? VIRTCHNL2_PROTO_HDR_IPV4 : VIRTCHNL2_PROTO_HDR_IPV6;
	if (l4 == 1)
		protos[n++] = l3 == 1 ? VIRTCHNL2_PROTO_HDR_IPV4_FRAG :
					VIRTCHNL2_PROTO_HDR_IPV6_FRAG;
	else
		protos[n++] = l4_proto[l4];
	if (l4 >= 2 && l4 <= 5)
		protos[n++] = VIRTCHNL2_PROTO_HDR_PAY;
	return n;
}

uint16_t
emu_cp_ptype_count(void)
{
	return EMU_CP_NB_PTYPES;
}

int32_t
emu_cp_ptype_check(const void *msg, uint16_t len)
{
	const struct virtchnl2_get_ptype_info *in = msg;
	uint32_t start = vc2_le16(in->start_ptype_id), num = vc2_le16(in->num_ptypes);

	if (len != sizeof(*in) || num == 0 || start + num > VIRTCHNL2_PTYPE_MAX_FLEX)
		return VIRTCHNL2_STATUS_ERR_EINVAL;
	return VIRTCHNL2_STATUS_SUCCESS;
}

/* Append one ptype at @p off of @p buf; return the new offset, or 0 if it does not fit. */
static size_t
ptype_put(uint8_t *buf, size_t off, uint16_t id, uint8_t count, const uint16_t *protos)
{
	struct virtchnl2_ptype pt;
	size_t sz = virtchnl2_ptype_size(count);
	uint8_t i;

	if (off + sz > VIRTCHNL2_MAX_MSG_LEN)
		return 0;
	memset(&pt, 0, sizeof(pt));
	pt.ptype_id_10 = vc2_cpu_le16(id);
	pt.ptype_id_8 = (uint8_t)id;
	pt.proto_id_count = count;
	memcpy(buf + off, &pt, sizeof(pt));
	for (i = 0; i < count; i++) {
		vc2_le16_t p = vc2_cpu_le16(protos[i]);

		memcpy(buf + off + sizeof(pt) + 2 * i, &p, 2);
	}
	return off + sz;
}

static void
ptype_flush(uint8_t *buf, size_t len, uint16_t first, uint16_t count, emu_cp_emit_t emit,
	    void *ctx)
{
	struct virtchnl2_get_ptype_info hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.start_ptype_id = vc2_cpu_le16(first);
	hdr.num_ptypes = vc2_cpu_le16(count);
	memcpy(buf, &hdr, sizeof(hdr));
	emit(ctx, VIRTCHNL2_OP_GET_PTYPE_INFO, VIRTCHNL2_STATUS_SUCCESS, buf, (uint16_t)len);
}

/*
 * Answer {start, num}: the known ptypes in [start, start + num), packed into as many 4 KB
 * replies as needed (one for the chunked requests of DPDK >= 24.03 and Linux, several for
 * DPDK 22.11's single {0, 1024}); when the range runs past the table, the list ends with
 * the 0xFFFF entry. Runs without the lock: the table is constant. Uses cp->reply.buf, which
 * belongs to the handling thread.
 */
void
emu_cp_ptype_emit(struct emu_cp *cp, const void *msg, emu_cp_emit_t emit, void *ctx)
{
	const struct virtchnl2_get_ptype_info *in = msg;
	uint32_t start = vc2_le16(in->start_ptype_id), num = vc2_le16(in->num_ptypes);
	uint32_t end = start + num < EMU_CP_NB_PTYPES ? start + num : EMU_CP_NB_PTYPES;
	static const uint16_t term_proto[1] = { VIRTCHNL2_PROTO_HDR_PAY };
	uint16_t protos[EMU_CP_MAX_PROTOS], first = (uint16_t)start, count = 0;
	uint8_t *buf = cp->reply.buf;
	size_t off = sizeof(struct virtchnl2_get_ptype_info), next;
	uint32_t id;

	for (id = start; id < end; id++) {
		uint8_t n = ptype_protos((uint16_t)id, protos);

		next = ptype_put(buf, off, (uint16_t)id, n, protos);
		if (next == 0) {
			ptype_flush(buf, off, first, count, emit, ctx);
			first = (uint16_t)id;
			count = 0;
			off = sizeof(struct virtchnl2_get_ptype_info);
			next = ptype_put(buf, off, (uint16_t)id, n, protos);
		}
		off = next;
		count++;
	}
	if (start + num > EMU_CP_NB_PTYPES) {
		next = ptype_put(buf, off, VIRTCHNL2_PTYPE_LIST_END, 1, term_proto);
		if (next == 0) {
			ptype_flush(buf, off, first, count, emit, ctx);
			first = VIRTCHNL2_PTYPE_LIST_END;
			count = 0;
			off = sizeof(struct virtchnl2_get_ptype_info);
			next = ptype_put(buf, off, VIRTCHNL2_PTYPE_LIST_END, 1, term_proto);
		}
		off = next;
		count++;
	}
	ptype_flush(buf, off, first, count, emit, ctx);
}
