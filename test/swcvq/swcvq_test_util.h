/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SWCVQ_TEST_UTIL_H
#define SWCVQ_TEST_UTIL_H

/*
 * Shared by the ctlpath-vhost tests: the daemon a program's cases share, frames, feature sets,
 * telemetry look-ups. The functions declared without a body are in swcvq_test_util.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "vu_frontend.h"

/** The ctlpath-vhost daemon the cases of one test program share. */
extern struct vu_backend swt_be;

/**
 * Start swt_be with one vdpa_swcvq device (@p devargs) unless it runs; it is stopped at exit.
 * @return 0; -ENOENT when CTLPATH_VHOST is not set (the case skips); another -errno.
 */
int swt_backend(const char *tag, const char *devargs);

/* First line of a case that needs the shared daemon: skip when it is not built. */
#define SWT_NEED_BACKEND(tag, devargs) do { \
	int rc_ = swt_backend(tag, devargs); \
	if (rc_ == -ENOENT) \
		TEST_SKIP("CTLPATH_VHOST not set: ctlpath-vhost not built"); \
	TEST_ASSERT_SUCCESS(rc_, "ctlpath-vhost started (log %s)", swt_be.log); \
} while (0)

/** A program's last case: SIGTERM stops the shared daemon, which exits with status 0. */
int swt_daemon_exits_cleanly(void);

/** Integer @p key of telemetry reply @p json, searched after @p scope (NULL: the start);
 * -1 (and a line saying so) when it is missing. */
long long swt_json_int(const char *json, const char *scope, const char *key);

/* Features the harness implements as a guest (no MRG_RXBUF, hash report, LOG_ALL, IN_ORDER). */
static inline uint64_t
swt_features(bool packed)
{
	uint64_t f = ~UINT64_C(0);

	f &= ~(VU_BIT(VU_F_RING_PACKED) | VU_BIT(VU_F_ACCESS_PLATFORM) |
	       VU_BIT(VU_NET_F_MRG_RXBUF) | VU_BIT(VU_NET_F_HASH_REPORT) | VU_BIT(26) |
	       VU_BIT(35));
	if (packed)
		f |= VU_BIT(VU_F_RING_PACKED);
	return f;
}

/* Build an Ethernet frame (optionally 802.1Q tagged) carrying @seq; returns its length. */
static inline size_t
swt_frame(uint8_t *f, const uint8_t dst[6], int vid, uint32_t seq, size_t len)
{
	size_t off = 12, i;

	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x99", 6);
	if (vid >= 0) {
		f[off++] = 0x81;
		f[off++] = 0x00;
		f[off++] = (uint8_t)(vid >> 8);
		f[off++] = (uint8_t)vid;
	}
	f[off++] = 0x88;
	f[off++] = 0xb5;
	memcpy(f + off, &seq, 4);
	off += 4;
	for (i = off; i < len; i++)
		f[i] = (uint8_t)(seq + i);
	return len > off ? len : off;
}

/* Receive on any pair within @timeout_ms; returns the length (0 none) and the pair in @q. */
static inline int
swt_recv_any(struct vu_net *n, uint8_t *buf, size_t cap, int timeout_ms, uint16_t *q)
{
	int waited = 0, rc;
	uint16_t i;

	for (;;) {
		for (i = 0; i < vu_net_pairs(n); i++) {
			rc = vu_net_recv(n, i, buf, cap, 0);
			if (rc != 0) {
				if (q != NULL)
					*q = i;
				return rc;
			}
		}
		if (waited >= timeout_ms)
			return 0;
		usleep(1000);
		waited += 1;
	}
}

/* Telemetry state of device 0 of @b into @out. */
static inline int
swt_state(const struct vu_backend *b, char *out, size_t cap)
{
	return vu_telemetry(b->prefix, "/ctlpath/swcvq/state,vdpa_swcvq0", out, cap);
}

#endif /* SWCVQ_TEST_UTIL_H */
