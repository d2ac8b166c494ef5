/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user protocol, frontend side: one socket, requests with optional file descriptors,
 * replies matched by request code, REPLY_ACK when negotiated. Every read from the backend is
 * bounded in time and size.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vu_frontend.h"

#define VU_VERSION 0x1
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)
#define VU_NOFD (1u << 8)
#define VU_MAX_PAYLOAD 4096
#define VU_MAX_FDS 8

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

struct vu_conn {
	int fd;			/* connected socket */
	int lfd;		/* listening socket (listen mode) or -1 */
	char path[108];
	uint64_t proto;		/* negotiated protocol features */
	unsigned int timeout_ms;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

static struct vu_conn *
conn_new(const char *path)
{
	struct vu_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = -1;
	c->lfd = -1;
	c->timeout_ms = 5000;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return c;
}

struct vu_conn *
vu_conn_connect(const char *path, unsigned int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	struct sockaddr_un sa;
	struct vu_conn *c;
	int rc;

	rc = fill_addr(&sa, path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	c = conn_new(path);
	if (c == NULL)
		return NULL;
	for (;;) {
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0)
			break;
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return c;
		rc = errno;
		close(c->fd);
		c->fd = -1;
		if ((rc != ENOENT && rc != ECONNREFUSED) || now_ms() >= deadline) {
			errno = rc == ENOENT || rc == ECONNREFUSED ? ETIMEDOUT : rc;
			break;
		}
		usleep(10 * 1000);
	}
	rc = errno;
	free(c);
	errno = rc;
	return NULL;
}

static int
accept_one(struct vu_conn *c, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = c->lfd, .events = POLLIN };
	int rc;

	rc = poll(&p, 1, (int)timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	c->fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
	return c->fd < 0 ? -errno : 0;
}

struct vu_conn *
vu_conn_listen(const char *path, unsigned int timeout_ms)
{
	struct sockaddr_un sa;
	struct vu_conn *c;
	int rc;

	rc = fill_addr(&sa, path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	c = conn_new(path);
	if (c == NULL)
		return NULL;
	unlink(path);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(c->lfd, 4) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = accept_one(c, timeout_ms);
	if (rc == 0)
		return c;
fail:
	vu_conn_close(c);
	errno = -rc;
	return NULL;
}

int
vu_conn_reaccept(struct vu_conn *c, unsigned int timeout_ms)
{
	if (c->lfd < 0)
		return -ENOTSUP;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->proto = 0;
	return accept_one(c, timeout_ms);
}

void
vu_conn_close(struct vu_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	if (c->lfd >= 0) {
		close(c->lfd);
		unlink(c->path);
	}
	free(c);
}

uint64_t
vu_conn_protocol_features(const struct vu_conn *c)
{
	return c->proto;
}

void
vu_conn_set_timeout(struct vu_conn *c, unsigned int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

static int
send_msg(struct vu_conn *c, const struct vu_hdr *h, const void *payload, const int *fds,
	 unsigned int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *)(uintptr_t)payload, .iov_len = h->size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = h->size ? 2 : 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (nfds > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -ECONNRESET : -EPIPE;
	if ((size_t)n != sizeof(*h) + h->size)
		return -EPIPE;
	return 0;
}

/* Read exactly len bytes before the deadline. */
static int
read_full(struct vu_conn *c, void *buf, size_t len, uint64_t deadline)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	size_t got = 0;
	int64_t left;
	ssize_t n;
	int rc;

	while (got < len) {
		left = (int64_t)(deadline - now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		n = recv(c->fd, (char *)buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -ECONNRESET : -EPIPE;
		if (n == 0)
			return -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

/* Read one reply to @req: header, then a payload of at most @cap bytes. */
static int
recv_reply(struct vu_conn *c, uint32_t req, void *payload, uint32_t cap, uint32_t *size)
{
	uint64_t deadline = now_ms() + c->timeout_ms;
	uint8_t scratch[VU_MAX_PAYLOAD];
	struct vu_hdr h;
	int rc;

	rc = read_full(c, &h, sizeof(h), deadline);
	if (rc < 0)
		return rc;
	if (h.size > sizeof(scratch))
		return -EPROTO;
	rc = read_full(c, scratch, h.size, deadline);
	if (rc < 0)
		return rc;
	if (h.request != req || !(h.flags & VU_FLAG_REPLY) ||
	    (h.flags & 0x3) != VU_VERSION || h.size > cap)
		return -EPROTO;
	memcpy(payload, scratch, h.size);
	*size = h.size;
	return 0;
}

int
vu_request(struct vu_conn *c, uint32_t req, const void *payload, uint32_t len,
	   const int *fds, unsigned int nfds, void *reply, uint32_t *reply_len)
{
	struct vu_hdr h = { .request = req, .flags = VU_VERSION, .size = len };
	bool want_ack = reply == NULL && (c->proto & VU_BIT(VU_PF_REPLY_ACK));
	uint64_t ack;
	uint32_t sz;
	int rc;

	if (c->fd < 0)
		return -ENOTCONN;
	if (nfds > VU_MAX_FDS || len > VU_MAX_PAYLOAD)
		return -EINVAL;
	if (want_ack)
		h.flags |= VU_FLAG_NEED_REPLY;
	rc = send_msg(c, &h, payload, fds, nfds);
	if (rc < 0)
		return rc;
	if (reply != NULL)
		return recv_reply(c, req, reply, *reply_len, reply_len);
	if (!want_ack)
		return 0;
	rc = recv_reply(c, req, &ack, sizeof(ack), &sz);
	if (rc < 0)
		return rc;
	if (sz != sizeof(ack))
		return -EPROTO;
	return ack == 0 ? 0 : -EIO;
}

int
vu_get_u64(struct vu_conn *c, uint32_t req, uint64_t *val)
{
	uint32_t sz = sizeof(*val);
	int rc;

	rc = vu_request(c, req, NULL, 0, NULL, 0, val, &sz);
	if (rc == 0 && sz != sizeof(*val))
		rc = -EPROTO;
	return rc;
}

int
vu_set_u64(struct vu_conn *c, uint32_t req, uint64_t val)
{
	int rc;

	/* SET_OWNER carries no payload */
	if (req == VU_SET_OWNER)
		return vu_request(c, req, NULL, 0, NULL, 0, NULL, NULL);
	/* the ack of SET_PROTOCOL_FEATURES itself follows the old set, so record it after */
	rc = vu_request(c, req, &val, sizeof(val), NULL, 0, NULL, NULL);
	if (rc == 0 && req == VU_SET_PROTOCOL_FEATURES)
		c->proto = val;
	return rc;
}

int
vu_set_vring_state(struct vu_conn *c, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t st[2] = { index, num };

	return vu_request(c, req, st, sizeof(st), NULL, 0, NULL, NULL);
}

int
vu_get_vring_base(struct vu_conn *c, uint32_t index, uint32_t *num)
{
	uint32_t st[2] = { index, 0 };
	uint32_t sz = sizeof(st);
	int rc;

	rc = vu_request(c, VU_GET_VRING_BASE, st, sizeof(st), NULL, 0, st, &sz);
	if (rc < 0)
		return rc;
	if (sz != sizeof(st) || st[0] != index)
		return -EPROTO;
	*num = st[1];
	return 0;
}

int
vu_set_vring_addr(struct vu_conn *c, uint32_t index, uint64_t desc, uint64_t used,
		  uint64_t avail)
{
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} a = { index, 0, desc, used, avail, 0 };

	return vu_request(c, VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL, NULL);
}

int
vu_set_vring_fd(struct vu_conn *c, uint32_t req, uint32_t index, int fd)
{
	uint64_t v = index;

	if (fd < 0) {
		v |= VU_NOFD;
		return vu_request(c, req, &v, sizeof(v), NULL, 0, NULL, NULL);
	}
	return vu_request(c, req, &v, sizeof(v), &fd, 1, NULL, NULL);
}

int
vu_get_config(struct vu_conn *c, uint32_t offset, void *buf, uint32_t size)
{
	struct {
		uint32_t offset, size, flags;
		uint8_t region[256];
	} cfg;
	uint32_t sz = sizeof(cfg);
	int rc;

	if (size > sizeof(cfg.region))
		return -EINVAL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.offset = offset;
	cfg.size = size;
	rc = vu_request(c, VU_GET_CONFIG, &cfg, 12 + size, NULL, 0, &cfg, &sz);
	if (rc < 0)
		return rc;
	if (sz < 12 || cfg.size > size || sz < 12 + cfg.size)
		return -EPROTO;
	memcpy(buf, cfg.region, cfg.size);
	return (int)cfg.size;
}
