/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated control plane under random requests: every opcode with random lengths and
 * contents (biased towards live vport and queue ids so that deep states are reached). Proves
 * that every request gets exactly the replies its opcode calls for, within 4096 bytes and
 * with a known status, that resource accounting never exceeds the configured limits, and
 * that the same request sequence gives the same replies (the control plane is deterministic).
 * Best run in an ASan/UBSan build, where any out-of-bounds read of a request fails it.
 */

#include <stdint.h>
#include <string.h>

#include "emu_cp.h"
#include "virtchnl2.h"
#include "test.h"

#define ITERATIONS 20000

static const uint32_t ops[] = {
	VIRTCHNL2_OP_VERSION, VIRTCHNL2_OP_GET_CAPS, VIRTCHNL2_OP_CREATE_VPORT,
	VIRTCHNL2_OP_DESTROY_VPORT, VIRTCHNL2_OP_ENABLE_VPORT, VIRTCHNL2_OP_DISABLE_VPORT,
	VIRTCHNL2_OP_CONFIG_TX_QUEUES, VIRTCHNL2_OP_CONFIG_RX_QUEUES,
	VIRTCHNL2_OP_ENABLE_QUEUES, VIRTCHNL2_OP_DISABLE_QUEUES, VIRTCHNL2_OP_ADD_QUEUES,
	VIRTCHNL2_OP_DEL_QUEUES, VIRTCHNL2_OP_MAP_QUEUE_VECTOR, VIRTCHNL2_OP_UNMAP_QUEUE_VECTOR,
	VIRTCHNL2_OP_GET_RSS_KEY, VIRTCHNL2_OP_SET_RSS_KEY, VIRTCHNL2_OP_GET_RSS_LUT,
	VIRTCHNL2_OP_SET_RSS_LUT, VIRTCHNL2_OP_GET_RSS_HASH, VIRTCHNL2_OP_SET_RSS_HASH,
	VIRTCHNL2_OP_ALLOC_VECTORS, VIRTCHNL2_OP_DEALLOC_VECTORS, VIRTCHNL2_OP_GET_STATS,
	VIRTCHNL2_OP_RESET_VF, VIRTCHNL2_OP_GET_PTYPE_INFO, VIRTCHNL2_OP_LOOPBACK,
	VIRTCHNL2_OP_ADD_MAC_ADDR, VIRTCHNL2_OP_DEL_MAC_ADDR,
	VIRTCHNL2_OP_CONFIG_PROMISCUOUS_MODE, 0, 777, 0x0fffffff,
};
#define NB_OPS (sizeof(ops) / sizeof(ops[0]))

static const struct emu_cp_resources res = {
	.max_vports = 3, .max_queues = 16, .max_vectors = 16, .rss_lut_size = 32,
	.rss_key_size = 40, .max_mac_filters = 8, .max_mtu = 1500,
};

struct run {
	uint64_t rng;
	uint64_t digest;	/* FNV-1a over every reply */
	unsigned int replies;
	unsigned int bad;	/* replies breaking a rule */
	uint32_t last_vport;
};

static uint64_t
rnd(struct run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static void
digest(struct run *r, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		r->digest ^= b[i];
		r->digest *= 0x100000001b3ULL;
	}
}

static int
status_known(int32_t st)
{
	return st == VIRTCHNL2_STATUS_SUCCESS ||
	       virtchnl2_status_to_errno(st) != -EIO || st == VIRTCHNL2_STATUS_ERR_EIO;
}

static void
emit(void *ctx, uint32_t op, int32_t ret, const void *msg, uint16_t len)
{
	struct run *r = ctx;

	r->replies++;
	if (len > VIRTCHNL2_MAX_MSG_LEN || (len > 0 && msg == NULL) || !status_known(ret))
		r->bad++;
	digest(r, &op, sizeof(op));
	digest(r, &ret, sizeof(ret));
	if (msg != NULL)
		digest(r, msg, len);
	/* Remember a vport id the CP handed out, to aim later requests at it. */
	if (op == VIRTCHNL2_OP_CREATE_VPORT && ret == 0 && len >= 24) {
		uint32_t id;

		memcpy(&id, (const uint8_t *)msg + 20, sizeof(id));
		r->last_vport = vc2_le32(id);
	}
}

/* Random request for op: mostly small, sometimes aimed at a live vport and queue. */
static uint16_t
make_request(struct run *r, uint32_t op, uint8_t *buf)
{
	uint16_t len;
	unsigned int i;

	switch (rnd(r) % 4) {
	case 0:
		len = (uint16_t)(rnd(r) % 40);
		break;
	case 1:
		len = (uint16_t)(rnd(r) % 300);
		break;
	case 2:
		len = (uint16_t)(rnd(r) % (VIRTCHNL2_MAX_MSG_LEN + 1));
		break;
	default:	/* a header plus whole elements, the shape a driver sends */
		len = (uint16_t)(8 + 8 * (rnd(r) % 6) + 16 * (rnd(r) % 4));
		break;
	}
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(rnd(r) % 4 == 0 ? rnd(r) : 0);
	/* Bring-up messages mostly well formed, so that the deeper states are reached. */
	if (rnd(r) % 4 != 0) {
		if (op == VIRTCHNL2_OP_VERSION) {
			memset(buf, 0, 8);
			buf[0] = 2;
			return 8;
		}
		if (op == VIRTCHNL2_OP_GET_CAPS) {
			memset(buf, 0, 80);
			return 80;
		}
		if (op == VIRTCHNL2_OP_CREATE_VPORT) {
			memset(buf, 0, 160);
			buf[6] = (uint8_t)(1 + rnd(r) % 4);	/* num_tx_q */
			buf[10] = (uint8_t)(1 + rnd(r) % 4);	/* num_rx_q */
			return 160;
		}
	}
	/* Most messages start with a vport id; CREATE_VPORT and friends get small counts. */
	if (len >= 4 && rnd(r) % 2 == 0 && op != VIRTCHNL2_OP_GET_CAPS &&
	    op != VIRTCHNL2_OP_CREATE_VPORT && op != VIRTCHNL2_OP_ALLOC_VECTORS &&
	    op != VIRTCHNL2_OP_DEALLOC_VECTORS && op != VIRTCHNL2_OP_GET_PTYPE_INFO) {
		vc2_le32_t id = vc2_cpu_le32(r->last_vport);

		memcpy(buf, &id, sizeof(id));
	}
	if (len >= 8 && rnd(r) % 2 == 0) {
		buf[4] = (uint8_t)(rnd(r) % 4);	/* a count that often matches */
		buf[5] = 0;
	}
	return len;
}

static int
run_sequence(uint64_t seed, struct run *r)
{
	static uint8_t buf[VIRTCHNL2_MAX_MSG_LEN];
	struct emu_cp *cp = emu_cp_create(&res);
	struct emu_cp_summary s;
	unsigned int it, before;
	unsigned int q;

	TEST_ASSERT(cp != NULL, "create");
	memset(r, 0, sizeof(*r));
	r->rng = seed;
	r->digest = 0xcbf29ce484222325ULL;
	for (it = 0; it < ITERATIONS; it++) {
		uint32_t op = ops[rnd(r) % NB_OPS];

		if (op == VIRTCHNL2_OP_RESET_VF && rnd(r) % 8 != 0)
			op = VIRTCHNL2_OP_VERSION;	/* keep resets rare */
		uint16_t len = make_request(r, op, buf);

		before = r->replies;
		emu_cp_handle(cp, op, buf, len, emit, r);
		if (op == VIRTCHNL2_OP_RESET_VF)
			TEST_ASSERT_EQUAL(r->replies, before, "RESET_VF answered (it %u)", it);
		else if (op == VIRTCHNL2_OP_GET_PTYPE_INFO)
			TEST_ASSERT(r->replies > before, "GET_PTYPE_INFO unanswered (it %u)", it);
		else
			TEST_ASSERT_EQUAL(r->replies, before + 1, "op %u len %u (it %u)", op, len,
					  it);
		TEST_ASSERT_EQUAL(r->bad, 0, "malformed reply to op %u (it %u)", op, it);
		TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
		TEST_ASSERT(s.nb_vports <= res.max_vports, "vports over the limit");
		for (q = 0; q < 4; q++)
			TEST_ASSERT(s.queues_used[q] <= (q == 3 ? 2 : 1) * res.max_queues,
				    "queues of type %u over the limit", q);
		TEST_ASSERT(s.vectors_allocated < res.max_vectors, "vectors over the limit");
		TEST_ASSERT_EQUAL(s.requests, it + 1, "every request counted");
	}
	TEST_ASSERT_SUCCESS(emu_cp_snapshot(cp, &s), "snapshot");
	printf("  %u requests, %" PRIu64 " rejected, %u replies, %" PRIu64 " resets\n",
	       ITERATIONS, s.errors, r->replies, s.resets);
	emu_cp_destroy(cp);
	return TEST_SUCCESS;
}

static int
test_random_requests_keep_the_rules(void)
{
	struct run a, b, c;

	if (run_sequence(42, &a) != TEST_SUCCESS)
		return TEST_FAILED;
	if (run_sequence(42, &b) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(a.digest == b.digest && a.replies == b.replies,
		    "the same requests must give the same replies");
	if (run_sequence(43, &c) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(a.digest != c.digest, "a different sequence gives different replies");
	return TEST_SUCCESS;
}

static const struct test_case cases[] = {
	TEST_CASE(test_random_requests_keep_the_rules),
};

TEST_MAIN("emu_cp_random", cases)
