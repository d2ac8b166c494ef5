/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox ring driver against the emulated device: round trips, cookies, ring wrap, full
 * rings, ATQ cleaning, indirect buffers, PF and VF layouts, interrupt path, resets, corrupted
 * replies, the emulator's address checks, its devargs and its seeded faults.
 *
 * Run without arguments for the unit cases, with --stress for the concurrency cases, or with
 * case names.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "emu.h"
#include "idpf_ctlq_desc.h"
#include "idpf_mbx.h"
#include "test.h"

#define OP_VERSION	1
#define OP_GET_CAPS	500
#define OP_CREATE_VPORT	501
#define OP_EVENT	522
#define OP_UNKNOWN	4000	/* not a virtchnl2 opcode: the CP answers with an error */
#define MAX_LOG		8192

/* What the callbacks saw. The receive callback may run on EAL's interrupt thread. */
struct seen {
	pthread_mutex_t lock;
	unsigned int nb_rx, nb_sent;
	struct {
		uint32_t v_opcode;
		int32_t v_retval;
		uint16_t cookie;
		uint16_t len;
		int err;
		uint8_t head[96];
	} rx[MAX_LOG];
	uint16_t sent_cookie[MAX_LOG];
	int sent_status[MAX_LOG];
	unsigned int rx_per_cookie[65536];
	atomic_int resets;
};

static struct seen *seen;

static void
on_recv(void *arg, const struct idpf_mbx_msg *m)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->lock);
	if (s->nb_rx < MAX_LOG) {
		s->rx[s->nb_rx].v_opcode = m->v_opcode;
		s->rx[s->nb_rx].v_retval = m->v_retval;
		s->rx[s->nb_rx].cookie = m->cookie;
		s->rx[s->nb_rx].len = m->len;
		s->rx[s->nb_rx].err = m->err;
		memcpy(s->rx[s->nb_rx].head, m->payload ? m->payload : "",
		       m->len < 96 ? m->len : 96);
	}
	s->nb_rx++;
	if (m->v_opcode != OP_EVENT)
		s->rx_per_cookie[m->cookie]++;
	pthread_mutex_unlock(&s->lock);
}

static void
on_sent(void *arg, uint16_t cookie, int status)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->lock);
	if (s->nb_sent < MAX_LOG) {
		s->sent_cookie[s->nb_sent] = cookie;
		s->sent_status[s->nb_sent] = status;
	}
	s->nb_sent++;
	pthread_mutex_unlock(&s->lock);
}

static void
on_reset(void *arg)
{
	struct seen *s = arg;

	atomic_fetch_add(&s->resets, 1);
}

struct fx {
	struct emu_dev *emu;
	struct idpf_hw hw;
	struct idpf_mbx *mbx;
};

static int
fx_up(struct fx *f, const char *args, uint16_t atq, uint16_t arq, bool intr)
{
	static int seq;
	char name[32];
	struct idpf_mbx_conf c = {
		.name = "test", .atq_len = atq, .arq_len = arq, .socket_id = SOCKET_ID_ANY,
		.recv_cb = on_recv, .sent_cb = on_sent, .reset_cb = on_reset,
	};

	memset(seen, 0, sizeof(*seen));
	pthread_mutex_init(&seen->lock, NULL);
	c.cb_arg = seen;
	snprintf(name, sizeof(name), "t%d", seq++);
	f->emu = emu_create_args(name, args);
	if (f->emu == NULL)
		return -1;
	emu_hw_get(f->emu, &f->hw);
	f->mbx = idpf_mbx_create(&f->hw, &c);
	if (f->mbx == NULL) {
		emu_destroy(f->emu);
		return -1;
	}
	if (intr && idpf_mbx_intr_enable(f->mbx) != 0) {
		idpf_mbx_destroy(f->mbx);
		emu_destroy(f->emu);
		return -1;
	}
	return 0;
}

static void
fx_down(struct fx *f)
{
	idpf_mbx_destroy(f->mbx);
	emu_destroy(f->emu);
}

static unsigned int
nb_rx(void)
{
	unsigned int n;

	pthread_mutex_lock(&seen->lock);
	n = seen->nb_rx;
	pthread_mutex_unlock(&seen->lock);
	return n;
}

/* Poll (unless the interrupt does it) until @want messages were received; false on timeout. */
static bool
wait_rx(struct fx *f, unsigned int want, bool poll, unsigned int timeout_ms)
{
	unsigned int waited_us = 0;

	while (nb_rx() < want) {
		if (poll)
			idpf_mbx_poll(f->mbx);
		if (waited_us >= timeout_ms * 1000)
			return false;
		usleep(50);
		waited_us += 50;
	}
	return true;
}

static int
send_version(struct fx *f, uint16_t cookie)
{
	uint32_t v[2] = { rte_cpu_to_le_32(2), rte_cpu_to_le_32(0) };

	return idpf_mbx_send(f->mbx, cookie, OP_VERSION, v, sizeof(v));
}

/* ---- cases ---- */

static int
mbx_create_rejects_bad_conf(void)
{
	struct emu_dev *emu = emu_create_args("badconf", NULL);
	struct idpf_mbx_conf c = { .recv_cb = on_recv, .atq_len = 48 };
	struct idpf_hw hw;

	TEST_ASSERT(emu != NULL, "emulator");
	emu_hw_get(emu, &hw);
	TEST_ASSERT(idpf_mbx_create(&hw, &c) == NULL && rte_errno == EINVAL, "48 not a power of 2");
	c.atq_len = 1024;
	TEST_ASSERT(idpf_mbx_create(&hw, &c) == NULL && rte_errno == EINVAL, "1024 too long");
	c.atq_len = 0;
	c.recv_cb = NULL;
	TEST_ASSERT(idpf_mbx_create(&hw, &c) == NULL && rte_errno == EINVAL, "no recv_cb");
	emu_destroy(emu);
	return TEST_SUCCESS;
}

static int
send_rejects_bad_args(void)
{
	static uint8_t big[4097];
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 8, 8, false), "fixture");
	TEST_ASSERT_EQUAL(idpf_mbx_send(f.mbx, 1, 1, big, 4097), -EMSGSIZE, "4097 bytes");
	TEST_ASSERT_EQUAL(idpf_mbx_send(f.mbx, 1, 0x10000000, NULL, 0), -EINVAL, "29-bit opcode");
	TEST_ASSERT_EQUAL(idpf_mbx_send(f.mbx, 1, 1, NULL, 8), -EINVAL, "NULL payload");
	TEST_ASSERT_EQUAL(idpf_mbx_atq_free(f.mbx), 7, "nothing was posted");
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
roundtrip(const char *args, enum idpf_func_type func)
{
	const struct idpf_reg_layout *l = idpf_reg_layout_get(func);
	struct idpf_mbx_stats st;
	uint32_t major, minor;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, args, 0, 0, false), "fixture");
	TEST_ASSERT(f.hw.regs == l, "%s layout", l->name);
	/* the driver programmed the registers at this layout's offsets */
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->atq_len), 64 | IDPF_MBX_LEN_ENABLE, "ATQLEN");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->arq_len), 64 | IDPF_MBX_LEN_ENABLE, "ARQLEN");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->arq_tail), 63, "ARQT: 63 buffers posted");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->rstat) & 3, IDPF_RSTAT_COMPLETED, "RSTAT");

	TEST_ASSERT_SUCCESS(send_version(&f, 0xBE05), "send");
	TEST_ASSERT(wait_rx(&f, 1, true, 2000), "reply");
	TEST_ASSERT_EQUAL(seen->rx[0].v_opcode, OP_VERSION, "opcode");
	TEST_ASSERT_EQUAL(seen->rx[0].v_retval, 0, "status");
	TEST_ASSERT_EQUAL(seen->rx[0].cookie, 0xBE05, "cookie echoed");
	TEST_ASSERT_EQUAL(seen->rx[0].len, 8, "version_info");
	memcpy(&major, seen->rx[0].head, 4);
	memcpy(&minor, seen->rx[0].head + 4, 4);
	TEST_ASSERT(rte_le_to_cpu_32(major) == 2 && rte_le_to_cpu_32(minor) == 0, "2.0");
	/* the send buffer was released through the callback, with its cookie */
	idpf_mbx_clean(f.mbx);
	TEST_ASSERT_EQUAL(seen->nb_sent, 1, "one release");
	TEST_ASSERT_EQUAL(seen->sent_cookie[0], 0xBE05, "release cookie");
	TEST_ASSERT_EQUAL(seen->sent_status[0], 0, "release status");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->rstat) & 3, IDPF_RSTAT_ACTIVE, "active");
	/* device heads advanced at this layout's offsets */
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->atq_head), 1, "ATQH");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->arq_head), 1, "ARQH");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->arq_tail), 0, "ARQT after re-posting slot 0");
	idpf_mbx_stats_get(f.mbx, &st);
	TEST_ASSERT(st.tx_posted == 1 && st.tx_cleaned == 1 && st.rx_msgs == 1, "counters");
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
roundtrip_pf_layout(void)
{
	return roundtrip("func=pf", IDPF_FUNC_PF);
}

static int
roundtrip_vf_layout(void)
{
	return roundtrip("func=vf", IDPF_FUNC_VF);
}

/* 300 messages through 8-entry rings: both rings wrap many times, every cookie comes back once */
static int
cookies_echoed_across_ring_wrap(void)
{
	const unsigned int n = 300;
	unsigned int i, sent = 0;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 8, 8, false), "fixture");
	while (sent < n) {
		uint16_t cookie = (uint16_t)(sent * 211 + 7);
		int ret = idpf_mbx_send(f.mbx, cookie, OP_UNKNOWN, &sent, sizeof(sent));

		if (ret == -ENOSPC) {
			idpf_mbx_poll(f.mbx);
			continue;
		}
		TEST_ASSERT_SUCCESS(ret, "send %u", sent);
		sent++;
	}
	TEST_ASSERT(wait_rx(&f, n, true, 5000), "replies: %u of %u", nb_rx(), n);
	for (i = 0; i < n; i++) {
		uint16_t cookie = (uint16_t)(i * 211 + 7);

		TEST_ASSERT_EQUAL(seen->rx_per_cookie[cookie], 1, "cookie 0x%04x", cookie);
		/* replies come in request order without reorder */
		TEST_ASSERT_EQUAL(seen->rx[i].cookie, cookie, "order at %u", i);
		TEST_ASSERT_EQUAL(seen->rx[i].v_opcode, OP_UNKNOWN, "opcode echoed");
		TEST_ASSERT(seen->rx[i].v_retval != 0, "unknown opcode rejected");
	}
	idpf_mbx_clean(f.mbx);
	TEST_ASSERT_EQUAL(seen->nb_sent, n, "every send buffer released");
	for (i = 0; i < n; i++)
		TEST_ASSERT_EQUAL(seen->sent_cookie[i], (uint16_t)(i * 211 + 7), "release order");
	fx_down(&f);
	return TEST_SUCCESS;
}

/* rte_memzone_walk: check every mailbox zone fits one 2 MiB page (the IOVA-as-PA limit) */
struct mz_check {
	unsigned int zones;
	unsigned int crossing;
	size_t largest;
};

static void
mz_check_one(const struct rte_memzone *mz, void *arg)
{
	struct mz_check *c = arg;
	const uint64_t page = 2u << 20;

	if (strncmp(mz->name, "ctlp_mbx", 8) != 0)
		return;
	c->zones++;
	if (mz->len > c->largest)
		c->largest = mz->len;
	if (mz->iova / page != (mz->iova + mz->len - 1) / page)
		c->crossing++;
}

/*
 * 512-entry ATQ and ARQ under EAL --in-memory: every slot of both rings carries an indirect
 * buffer (slots 256-511 live in the second buffer chunk) and no DMA piece needs more than one
 * hugepage of contiguous IOVA, so this holds in IOVA-as-PA mode too.
 */
static int
rings_512_in_memory(void)
{
	const unsigned int n = 1100;	/* both rings go round twice */
	const struct idpf_reg_layout *l = idpf_reg_layout_get(IDPF_FUNC_PF);
	struct mz_check mc = { 0 };
	struct emu_stats es;
	unsigned int i, sent = 0;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 512, 512, false), "512-entry rings (IOVA mode %s)",
			    rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->atq_len), 512 | IDPF_MBX_LEN_ENABLE, "ATQLEN");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->arq_len), 512 | IDPF_MBX_LEN_ENABLE, "ARQLEN");
	TEST_ASSERT_EQUAL(idpf_reg_read(&f.hw, l->arq_tail), 511, "511 buffers posted");
	rte_memzone_walk(mz_check_one, &mc);
	/* per ring: descriptors + two buffer chunks */
	TEST_ASSERT_EQUAL(mc.zones, 6, "mailbox memzones");
	TEST_ASSERT(mc.largest <= (1u << 20), "largest zone %zu bytes", mc.largest);
	TEST_ASSERT_EQUAL(mc.crossing, 0, "no zone crosses a 2 MiB boundary");
	while (sent < n) {
		int ret = send_version(&f, (uint16_t)(sent + 1));

		if (ret == -ENOSPC) {
			idpf_mbx_poll(f.mbx);
			continue;
		}
		TEST_ASSERT_SUCCESS(ret, "send %u", sent);
		sent++;
	}
	if (!wait_rx(&f, n, true, 10000)) {
		emu_stats_get(f.emu, &es);
		TEST_ASSERT(false, "replies: %u of %u (device: %" PRIu64 " requests, %" PRIu64
			    " replies, %" PRIu64 " lost to overflow)", nb_rx(), n, es.requests,
			    es.replies, es.overflows);
	}
	for (i = 0; i < n; i++) {
		TEST_ASSERT_EQUAL(seen->rx[i].cookie, i + 1, "cookie at %u", i);
		TEST_ASSERT_EQUAL(seen->rx[i].v_opcode, OP_VERSION, "opcode at %u", i);
		TEST_ASSERT_EQUAL(seen->rx[i].len, 8, "version_info in ARQ slot %u", i % 512);
		TEST_ASSERT_EQUAL(seen->rx[i].err, 0, "no error at %u", i);
	}
	emu_stats_get(f.emu, &es);
	TEST_ASSERT(es.atq_errors == 0 && es.arq_errors == 0 && es.ring_errors == 0,
		    "the device reached every buffer (%" PRIu64 "/%" PRIu64 "/%" PRIu64 ")",
		    es.atq_errors, es.arq_errors, es.ring_errors);
	fx_down(&f);
	mc = (struct mz_check){ 0 };
	rte_memzone_walk(mz_check_one, &mc);
	TEST_ASSERT_EQUAL(mc.zones, 0, "every zone freed");
	return TEST_SUCCESS;
}

static int
full_atq_refuses_then_recovers(void)
{
	struct idpf_mbx_stats st;
	unsigned int i;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 8, 16, false), "fixture");
	emu_stall(f.emu, true);
	for (i = 0; i < 7; i++)
		TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, i, OP_UNKNOWN, NULL, 0), "send %u", i);
	TEST_ASSERT_EQUAL(idpf_mbx_atq_free(f.mbx), 0, "ring full at len - 1");
	TEST_ASSERT_EQUAL(idpf_mbx_send(f.mbx, 7, OP_UNKNOWN, NULL, 0), -ENOSPC, "8th refused");
	/* nothing done yet: cleaning frees nothing */
	TEST_ASSERT_EQUAL(idpf_mbx_clean(f.mbx), 0, "no DD while stalled");
	emu_stall(f.emu, false);
	TEST_ASSERT(wait_rx(&f, 7, true, 2000), "replies after the stall");
	TEST_ASSERT_EQUAL(idpf_mbx_atq_free(f.mbx), 7, "all cleaned");
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 7, OP_UNKNOWN, NULL, 0), "sends again");
	TEST_ASSERT(wait_rx(&f, 8, true, 2000), "8th reply");
	idpf_mbx_stats_get(f.mbx, &st);
	TEST_ASSERT_EQUAL(st.tx_full, 1, "one refusal counted");
	fx_down(&f);
	return TEST_SUCCESS;
}

/* Replies pile up while the driver does not drain: the engine holds them, nothing is lost. */
static int
full_arq_holds_replies(void)
{
	struct emu_stats es;
	unsigned int i, sent = 0;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 64, 4, false), "fixture");
	while (sent < 20) {
		if (idpf_mbx_send(f.mbx, sent, OP_UNKNOWN, NULL, 0) == 0)
			sent++;
		else
			idpf_mbx_clean(f.mbx);
	}
	usleep(20000);
	emu_stats_get(f.emu, &es);
	TEST_ASSERT_EQUAL(es.replies, 3, "only 3 buffers posted (ARQ 4)");
	TEST_ASSERT(es.arq_waits > 0, "engine waited for buffers");
	TEST_ASSERT(wait_rx(&f, 20, true, 2000), "all 20 after draining");
	for (i = 0; i < 20; i++)
		TEST_ASSERT_EQUAL(seen->rx_per_cookie[i], 1, "cookie %u once", i);
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
indirect_buffers_both_ways(void)
{
	uint8_t caps[80], big[4096];
	struct fx f;

	memset(caps, 0, sizeof(caps));
	memset(big, 0x5A, sizeof(big));
	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 0, 0, false), "fixture");
	TEST_ASSERT_SUCCESS(send_version(&f, 1), "version");
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 2, OP_GET_CAPS, caps, 40), "short caps");
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 3, OP_GET_CAPS, caps, 80), "caps");
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 4, OP_UNKNOWN, big, 4096), "4 KiB request");
	TEST_ASSERT(wait_rx(&f, 4, true, 2000), "replies");
	TEST_ASSERT(seen->rx[1].cookie == 2 && seen->rx[1].v_retval != 0,
		    "40-byte GET_CAPS rejected: the device read the length");
	TEST_ASSERT(seen->rx[2].cookie == 3 && seen->rx[2].v_retval == 0, "80-byte GET_CAPS");
	TEST_ASSERT_EQUAL(seen->rx[2].len, 80, "80-byte caps reply in the ARQ buffer");
	TEST_ASSERT_EQUAL(seen->rx[3].cookie, 4, "4 KiB request answered");
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
interrupt_delivers_without_polling(void)
{
	struct idpf_mbx_stats st;
	struct emu_stats es;
	unsigned int i;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, "latency_us=200", 0, 0, true), "fixture");
	for (i = 0; i < 20; i++)
		TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, i, OP_UNKNOWN, NULL, 0), "send");
	TEST_ASSERT(wait_rx(&f, 20, false, 3000), "interrupt path delivered %u", nb_rx());
	idpf_mbx_stats_get(f.mbx, &st);
	emu_stats_get(f.emu, &es);
	TEST_ASSERT(st.interrupts > 0 && es.interrupts > 0, "interrupts raised and handled");
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
link_event_delivered(void)
{
	uint8_t caps[80] = { 0 }, cv[192] = { 0 };
	uint32_t vport_id, ev_vport;
	uint16_t one = rte_cpu_to_le_16(1);
	unsigned int i;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 0, 0, true), "fixture");
	TEST_ASSERT_EQUAL(emu_link_event(f.emu, 77, true, 1000), -ENOENT, "unknown vport");
	TEST_ASSERT_SUCCESS(send_version(&f, 1), "version");
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 2, OP_GET_CAPS, caps, 80), "caps");
	memcpy(cv + 6, &one, 2);	/* num_tx_q */
	memcpy(cv + 10, &one, 2);	/* num_rx_q */
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 3, OP_CREATE_VPORT, cv, 160), "create vport");
	TEST_ASSERT(wait_rx(&f, 3, false, 2000), "bring-up replies");
	if (seen->rx[2].v_retval != 0)
		TEST_SKIP("control plane refused the minimal CREATE_VPORT (%d)",
			  seen->rx[2].v_retval);
	memcpy(&vport_id, seen->rx[2].head + 20, 4);
	vport_id = rte_le_to_cpu_32(vport_id);
	TEST_ASSERT_SUCCESS(emu_link_event(f.emu, vport_id, true, 25000), "event");
	TEST_ASSERT(wait_rx(&f, 4, false, 2000), "event delivered");
	i = 3;
	TEST_ASSERT_EQUAL(seen->rx[i].v_opcode, OP_EVENT, "EVENT opcode");
	TEST_ASSERT_EQUAL(seen->rx[i].len, 16, "event payload");
	memcpy(&ev_vport, seen->rx[i].head + 8, 4);
	TEST_ASSERT_EQUAL(rte_le_to_cpu_32(ev_vport), vport_id, "event names the vport");
	TEST_ASSERT_EQUAL(seen->rx[i].head[12], 1, "link up");
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
reset_detected_then_restart(void)
{
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 0, 0, true), "fixture");
	TEST_ASSERT_SUCCESS(send_version(&f, 1), "version");
	TEST_ASSERT(wait_rx(&f, 1, false, 2000), "reply");
	emu_stall(f.emu, true);
	TEST_ASSERT_SUCCESS(send_version(&f, 2), "in flight at reset");
	emu_reset(f.emu);
	emu_stall(f.emu, false);
	for (int i = 0; i < 2000 && atomic_load(&seen->resets) == 0; i++)
		usleep(1000);
	TEST_ASSERT_EQUAL(atomic_load(&seen->resets), 1, "reset reported once by the interrupt");
	TEST_ASSERT(idpf_mbx_check_reset(f.mbx), "mailbox down");
	TEST_ASSERT_EQUAL(send_version(&f, 3), -ENXIO, "sends refused while down");
	TEST_ASSERT_SUCCESS(idpf_mbx_restart(f.mbx), "restart");
	/* the message in flight at the reset was released with -ENXIO */
	TEST_ASSERT(seen->nb_sent >= 2 && seen->sent_cookie[seen->nb_sent - 1] == 2 &&
		    seen->sent_status[seen->nb_sent - 1] == -ENXIO, "in-flight send abandoned");
	TEST_ASSERT(!idpf_mbx_check_reset(f.mbx), "up again");
	TEST_ASSERT_SUCCESS(send_version(&f, 4), "version after reset");
	TEST_ASSERT(wait_rx(&f, 2, false, 2000), "reply after reset");
	TEST_ASSERT(seen->rx[1].cookie == 4 && seen->rx[1].v_retval == 0, "fresh session");
	fx_down(&f);
	return TEST_SUCCESS;
}

static int
corrupted_replies_flagged(void)
{
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 0, 0, false), "fixture");
	emu_corrupt_next_reply(f.emu, EMU_CORRUPT_DATALEN);
	TEST_ASSERT_SUCCESS(send_version(&f, 0x1111), "send");
	TEST_ASSERT(wait_rx(&f, 1, true, 2000), "reply");
	TEST_ASSERT(seen->rx[0].err == -EBADMSG && seen->rx[0].len == 4096,
		    "datalen 0xffff clamped and flagged");
	emu_corrupt_next_reply(f.emu, EMU_CORRUPT_COOKIE);
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 0x1234, OP_UNKNOWN, NULL, 0), "send");
	TEST_ASSERT(wait_rx(&f, 2, true, 2000), "reply");
	TEST_ASSERT_EQUAL(seen->rx[1].cookie, (uint16_t)~0x1234, "cookie corrupted");
	emu_corrupt_next_reply(f.emu, EMU_CORRUPT_ERR);
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 3, OP_UNKNOWN, NULL, 0), "send");
	TEST_ASSERT(wait_rx(&f, 3, true, 2000), "reply");
	TEST_ASSERT_EQUAL(seen->rx[2].err, -EBADMSG, "ERR flag reported");
	TEST_ASSERT_SUCCESS(idpf_mbx_send(f.mbx, 4, OP_UNKNOWN, NULL, 0), "send");
	TEST_ASSERT(wait_rx(&f, 4, true, 2000), "reply");
	TEST_ASSERT(seen->rx[3].err == 0 && seen->rx[3].cookie == 4, "only the next one");
	fx_down(&f);
	return TEST_SUCCESS;
}

/*
 * A driver of our own making, at register level, hands the emulator addresses outside DPDK
 * memory: the descriptor gets ERR, the ring gets CRIT, and the engine keeps serving.
 */
static int
emu_refuses_iova_outside_dpdk_memory(void)
{
	struct emu_dev *emu = emu_create_args("rawiova", NULL);
	const struct rte_memzone *mz = rte_memzone_reserve_aligned("rawiova", 8 * 32,
		SOCKET_ID_ANY, RTE_MEMZONE_IOVA_CONTIG, 128);
	const struct idpf_reg_layout *l;
	struct idpf_ctlq_desc *ring;
	static uint8_t outside[64];
	uint64_t bad = (uintptr_t)outside;
	struct emu_stats es;
	struct idpf_hw hw;
	int i;

	TEST_ASSERT(emu != NULL && mz != NULL, "setup");
	emu_hw_get(emu, &hw);
	l = hw.regs;
	ring = mz->addr;
	memset(ring, 0, 8 * 32);
	ring[0].flags = IDPF_CTLQ_F_BUF | IDPF_CTLQ_F_RD;
	ring[0].opcode = IDPF_CTLQ_OP_SEND_TO_CP;
	ring[0].datalen = 64;
	ring[0].v_opcode_dtype = OP_VERSION;
	ring[0].addr_high = (uint32_t)(bad >> 32);
	ring[0].addr_low = (uint32_t)bad;
	idpf_reg_write(&hw, l->atq_bal, (uint32_t)mz->iova);
	idpf_reg_write(&hw, l->atq_bah, (uint32_t)(mz->iova >> 32));
	idpf_reg_write(&hw, l->atq_len, 8 | IDPF_MBX_LEN_ENABLE);
	idpf_reg_write(&hw, l->atq_tail, 1);
	for (i = 0; i < 2000 && !(__atomic_load_n(&ring[0].flags, __ATOMIC_ACQUIRE) &
				  IDPF_CTLQ_F_DD); i++)
		usleep(500);
	TEST_ASSERT(ring[0].flags & IDPF_CTLQ_F_DD, "descriptor completed");
	TEST_ASSERT(ring[0].flags & IDPF_CTLQ_F_ERR, "with ERR");
	emu_stats_get(emu, &es);
	TEST_ASSERT(es.atq_errors == 1 && es.requests == 0, "not handed to the CP");

	/* now the ring itself outside DPDK memory */
	idpf_reg_write(&hw, l->atq_len, 0);
	idpf_reg_write(&hw, l->atq_bal, (uint32_t)bad);
	idpf_reg_write(&hw, l->atq_bah, (uint32_t)(bad >> 32));
	idpf_reg_write(&hw, l->atq_len, 8 | IDPF_MBX_LEN_ENABLE);
	idpf_reg_write(&hw, l->atq_tail, 2);
	for (i = 0; i < 2000 && !(idpf_reg_read(&hw, l->atq_len) & IDPF_MBX_LEN_CRIT); i++)
		usleep(500);
	TEST_ASSERT(idpf_reg_read(&hw, l->atq_len) & IDPF_MBX_LEN_CRIT, "CRIT set");
	emu_stats_get(emu, &es);
	TEST_ASSERT_EQUAL(es.ring_errors, 1, "ring refused once");
	emu_destroy(emu);
	rte_memzone_free(mz);
	return TEST_SUCCESS;
}

static int
devargs_parsed_and_bad_values_named(void)
{
	static const char *const bad[][2] = {
		{ "drop=1.5", "'drop'" }, { "latency_us=-1", "'latency_us'" },
		{ "reorder=65", "'reorder'" }, { "func=xf", "'func'" }, { "vports=0", "'vports'" },
		{ "seed=12x", "'seed'" }, { "bogus=1", "'bogus'" }, { "err=nan", "'err'" },
		{ "queues=", "'queues'" },
	};
	struct emu_conf c;
	char err[160];
	unsigned int i;

	TEST_ASSERT_SUCCESS(emu_conf_parse("func=vf,latency_us=100,jitter_us=5,reorder=4,"
					   "drop=0.25,dup=0.5,late=0,err=1,seed=0x2a,vports=2,"
					   "queues=32,vectors=8", &c, err, sizeof(err)), "%s", err);
	TEST_ASSERT(c.func == IDPF_FUNC_VF && c.latency_us == 100 && c.jitter_us == 5 &&
		    c.reorder == 4 && c.drop == 0.25 && c.dup == 0.5 && c.err == 1.0 &&
		    c.seed == 42 && c.res.max_vports == 2 && c.res.max_queues == 32 &&
		    c.res.max_vectors == 8, "values");
	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT_EQUAL(emu_conf_parse(bad[i][0], &c, err, sizeof(err)), -EINVAL,
				  "'%s' accepted", bad[i][0]);
		TEST_ASSERT(strstr(err, bad[i][1]) != NULL, "'%s': message '%s'", bad[i][0], err);
	}
	TEST_ASSERT(emu_create_args("badargs", "drop=2") == NULL && rte_errno == EINVAL,
		    "create refuses bad devargs");
	return TEST_SUCCESS;
}

/* Run 200 requests through a faulty emulator; return what the driver saw per cookie. */
static int
faulty_run(const char *args, struct emu_fault_rec *trace, unsigned int *per_cookie, int32_t *rv)
{
	const unsigned int n = 200;
	unsigned int i, sent = 0, last = 0, stable = 0;
	struct fx f;

	if (fx_up(&f, args, 0, 0, false) != 0)
		return -1;
	while (sent < n) {
		if (idpf_mbx_send(f.mbx, sent, OP_UNKNOWN, NULL, 0) == 0)
			sent++;
		else
			idpf_mbx_poll(f.mbx);
	}
	/* late replies come after late_ms=30: wait until quiet for 100 ms */
	while (stable < 100) {
		idpf_mbx_poll(f.mbx);
		usleep(1000);
		stable = nb_rx() == last ? stable + 1 : 0;
		last = nb_rx();
	}
	for (i = 0; i < n; i++)
		per_cookie[i] = seen->rx_per_cookie[i];
	for (i = 0; i < seen->nb_rx && i < MAX_LOG; i++)
		rv[seen->rx[i].cookie % n] = seen->rx[i].v_retval;
	if (emu_fault_trace(f.emu, trace, n) != n) {
		fx_down(&f);
		return -1;
	}
	fx_down(&f);
	return 0;
}

static int
faults_reproducible_by_seed(void)
{
	static struct emu_fault_rec t1[200], t2[200], t3[200];
	static unsigned int c1[200], c2[200], c3[200];
	static int32_t r1[200], r2[200], r3[200];
	const char *a = "drop=0.1,dup=0.1,late=0.05,late_ms=30,err=0.1,jitter_us=300,reorder=4,"
		"seed=";
	char args[160];
	unsigned int i, drops = 0, dups = 0;

	snprintf(args, sizeof(args), "%s%u", a, 42);
	TEST_ASSERT_SUCCESS(faulty_run(args, t1, c1, r1), "run 1");
	TEST_ASSERT_SUCCESS(faulty_run(args, t2, c2, r2), "run 2");
	snprintf(args, sizeof(args), "%s%u", a, 43);
	TEST_ASSERT_SUCCESS(faulty_run(args, t3, c3, r3), "run 3");
	TEST_ASSERT(memcmp(t1, t2, sizeof(t1)) == 0, "same seed, same decisions");
	TEST_ASSERT(memcmp(t1, t3, sizeof(t1)) != 0, "other seed, other decisions");
	for (i = 0; i < 200; i++) {
		unsigned int want = t1[i].drop ? 0 : t1[i].dup ? 2 : 1;

		TEST_ASSERT_EQUAL(c1[i], want, "cookie %u: replies as decided", i);
		TEST_ASSERT_EQUAL(c1[i], c2[i], "cookie %u: same outcome", i);
		if (c1[i] > 0)
			TEST_ASSERT_EQUAL(r1[i], r2[i], "cookie %u: same status", i);
		drops += t1[i].drop;
		dups += t1[i].dup;
	}
	TEST_ASSERT(drops > 0 && dups > 0, "faults happened (%u drops, %u dups)", drops, dups);
	return TEST_SUCCESS;
}

/* ---- stress: producers, an interrupt and waiters at once ---- */

struct mp_arg {
	struct fx *f;
	unsigned int id, n;
	atomic_bool *stop;
};

/*
 * Messages sent and not yet answered, over all senders, are kept under a window, as the
 * transaction ring above the mailbox does (256 slots): the device holds at most 1024 replies
 * for want of ARQ buffers before it drops them, as hardware may.
 */
#define MP_WINDOW 256
static atomic_uint mp_sent;

static void *
mp_sender(void *p)
{
	struct mp_arg *a = p;
	unsigned int i = 0;

	while (i < a->n) {
		uint16_t cookie = (uint16_t)(a->id << 12 | i);

		if (atomic_load(&mp_sent) - nb_rx() >= MP_WINDOW) {
			idpf_mbx_poll(a->f->mbx);
			continue;
		}
		if (idpf_mbx_send(a->f->mbx, cookie, OP_UNKNOWN, &cookie, sizeof(cookie)) == 0) {
			atomic_fetch_add(&mp_sent, 1);
			i++;
		} else {
			idpf_mbx_poll(a->f->mbx);
		}
	}
	return NULL;
}

static void *
mp_waiter(void *p)
{
	struct mp_arg *a = p;

	while (!atomic_load(a->stop))
		if (idpf_mbx_poll(a->f->mbx) == 0)
			usleep(10);
	return NULL;
}

static int
mp_send_with_interrupt_and_waiters(void)
{
	enum { SENDERS = 4, WAITERS = 2, PER = 4000 };
	struct mp_arg args[SENDERS + WAITERS];
	bool ok;
	pthread_t th[SENDERS + WAITERS];
	atomic_bool stop = false;
	unsigned int i, j;
	struct fx f;

	TEST_ASSERT_SUCCESS(fx_up(&f, NULL, 16, 16, true), "fixture");
	atomic_store(&mp_sent, 0);
	for (i = 0; i < SENDERS + WAITERS; i++) {
		args[i] = (struct mp_arg){ .f = &f, .id = i, .n = PER, .stop = &stop };
		pthread_create(&th[i], NULL, i < SENDERS ? mp_sender : mp_waiter, &args[i]);
	}
	for (i = 0; i < SENDERS; i++)
		pthread_join(th[i], NULL);
	ok = wait_rx(&f, SENDERS * PER, false, 15000);
	/* the waiters use the fixture: stop them before any check can return */
	atomic_store(&stop, true);
	for (i = SENDERS; i < SENDERS + WAITERS; i++)
		pthread_join(th[i], NULL);
	TEST_ASSERT(ok, "replies %u", nb_rx());
	for (i = 0; i < SENDERS; i++)
		for (j = 0; j < PER; j++)
			TEST_ASSERT_EQUAL(seen->rx_per_cookie[i << 12 | j], 1, "cookie %u/%u",
					  i, j);
	TEST_ASSERT_EQUAL(nb_rx(), SENDERS * PER, "no duplicates");
	idpf_mbx_poll(f.mbx);
	TEST_ASSERT_EQUAL(seen->nb_sent, SENDERS * PER, "every send buffer released once");
	fx_down(&f);
	return TEST_SUCCESS;
}

static const struct test_case unit_cases[] = {
	TEST_CASE(mbx_create_rejects_bad_conf),
	TEST_CASE(send_rejects_bad_args),
	TEST_CASE(roundtrip_pf_layout),
	TEST_CASE(roundtrip_vf_layout),
	TEST_CASE(cookies_echoed_across_ring_wrap),
	TEST_CASE(rings_512_in_memory),
	TEST_CASE(full_atq_refuses_then_recovers),
	TEST_CASE(full_arq_holds_replies),
	TEST_CASE(indirect_buffers_both_ways),
	TEST_CASE(interrupt_delivers_without_polling),
	TEST_CASE(link_event_delivered),
	TEST_CASE(reset_detected_then_restart),
	TEST_CASE(corrupted_replies_flagged),
	TEST_CASE(emu_refuses_iova_outside_dpdk_memory),
	TEST_CASE(devargs_parsed_and_bad_values_named),
	TEST_CASE(faults_reproducible_by_seed),
};

static const struct test_case stress_cases[] = {
	TEST_CASE(mp_send_with_interrupt_and_waiters),
};

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--in-memory", "--no-pci", "-l", "0",
			"--log-level=lib.eal:error", prefix };
	bool stress = argc > 1 && strcmp(argv[1], "--stress") == 0;
	int ret;

	snprintf(prefix, sizeof(prefix), "--file-prefix=idpf_mbx_%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		printf("EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	seen = calloc(1, sizeof(*seen));
	if (seen == NULL)
		return 1;
	if (stress)
		ret = test_run_cases("idpf_mbx_stress", stress_cases, RTE_DIM(stress_cases),
				     argc - 1, argv + 1);
	else
		ret = test_run_cases("idpf_mbx", unit_cases, RTE_DIM(unit_cases), argc, argv);
	free(seen);
	rte_eal_cleanup();
	return ret;
}
