/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VU_FRONTEND_H
#define VU_FRONTEND_H

/**
 * @file
 * A vhost-user frontend for tests and benchmarks: the part of a VMM and of a guest's virtio-net
 * driver that a vhost-user backend talks to.
 *
 * Four layers, one file each:
 *  - vu_proto.c: the vhost-user protocol over a unix socket (messages, fd passing, REPLY_ACK);
 *  - vu_mem.c: guest memory in a memfd, one or more regions, a bump allocator handing out
 *    guest-physical addresses (GPA) and their host pointers;
 *  - vu_split.c / vu_packed.c (behind vu_ring.c): the driver side of split and packed rings,
 *    including raw descriptor access for adversarial tests;
 *  - vu_net.c: a virtio-net guest: bring-up in the order QEMU uses, RX buffers, transmit, control
 *    virtqueue commands with several descriptor layouts, tear-down.
 * Helpers for tests (vu_proc.c): a process launcher for ctlpath-vhost, a DPDK telemetry client
 * and two JSON look-ups.
 *
 * Definitions of the wire formats here are written independently of lib/netctrl on purpose, so
 * that a layout mistake in the engine under test cannot hide behind a shared header.
 *
 * Concurrency: every object is single-threaded; the caller serialises calls on one object.
 * Errors are negative errno values; nothing here aborts on bad input from the backend.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name vhost-user requests (frontend to backend) */
/**@{*/
#define VU_GET_FEATURES 1
#define VU_SET_FEATURES 2
#define VU_SET_OWNER 3
#define VU_RESET_OWNER 4
#define VU_SET_MEM_TABLE 5
#define VU_SET_VRING_NUM 8
#define VU_SET_VRING_ADDR 9
#define VU_SET_VRING_BASE 10
#define VU_GET_VRING_BASE 11
#define VU_SET_VRING_KICK 12
#define VU_SET_VRING_CALL 13
#define VU_GET_PROTOCOL_FEATURES 15
#define VU_SET_PROTOCOL_FEATURES 16
#define VU_GET_QUEUE_NUM 17
#define VU_SET_VRING_ENABLE 18
#define VU_NET_SET_MTU 20
#define VU_GET_CONFIG 24
#define VU_SET_CONFIG 25
#define VU_SET_STATUS 39
#define VU_GET_STATUS 40
/**@}*/

/** @name vhost-user protocol feature bits */
/**@{*/
#define VU_PF_MQ 0
#define VU_PF_REPLY_ACK 3
#define VU_PF_NET_MTU 4
#define VU_PF_CONFIG 9
#define VU_PF_STATUS 16
/**@}*/

/** Feature bit 30 of GET_FEATURES: the backend speaks protocol features. */
#define VU_F_PROTOCOL_FEATURES 30

/** @name virtio-net feature bits the harness knows */
/**@{*/
#define VU_NET_F_CSUM 0
#define VU_NET_F_GUEST_CSUM 1
#define VU_NET_F_CTRL_GUEST_OFFLOADS 2
#define VU_NET_F_MTU 3
#define VU_NET_F_MAC 5
#define VU_NET_F_MRG_RXBUF 15
#define VU_NET_F_STATUS 16
#define VU_NET_F_CTRL_VQ 17
#define VU_NET_F_CTRL_RX 18
#define VU_NET_F_CTRL_VLAN 19
#define VU_NET_F_CTRL_RX_EXTRA 20
#define VU_NET_F_GUEST_ANNOUNCE 21
#define VU_NET_F_MQ 22
#define VU_NET_F_CTRL_MAC_ADDR 23
#define VU_F_INDIRECT_DESC 28
#define VU_F_EVENT_IDX 29
#define VU_F_VERSION_1 32
#define VU_F_ACCESS_PLATFORM 33
#define VU_F_RING_PACKED 34
#define VU_NET_F_NOTF_COAL 53
#define VU_NET_F_VQ_NOTF_COAL 52
#define VU_NET_F_DEVICE_STATS 50
#define VU_NET_F_HASH_REPORT 57
#define VU_NET_F_RSS 60
/**@}*/

/** Feature mask of bit @p b. */
#define VU_BIT(b) (UINT64_C(1) << (b))

/** @name Control classes and commands (virtio-net CVQ) */
/**@{*/
#define VU_CTRL_RX 0
#define VU_CTRL_RX_PROMISC 0
#define VU_CTRL_RX_ALLMULTI 1
#define VU_CTRL_RX_ALLUNI 2
#define VU_CTRL_RX_NOMULTI 3
#define VU_CTRL_RX_NOUNI 4
#define VU_CTRL_RX_NOBCAST 5
#define VU_CTRL_MAC 1
#define VU_CTRL_MAC_TABLE_SET 0
#define VU_CTRL_MAC_ADDR_SET 1
#define VU_CTRL_VLAN 2
#define VU_CTRL_VLAN_ADD 0
#define VU_CTRL_VLAN_DEL 1
#define VU_CTRL_ANNOUNCE 3
#define VU_CTRL_ANNOUNCE_ACK 0
#define VU_CTRL_MQ 4
#define VU_CTRL_MQ_VQ_PAIRS_SET 0
#define VU_CTRL_MQ_RSS_CONFIG 1
#define VU_CTRL_MQ_HASH_CONFIG 2
#define VU_CTRL_GUEST_OFFLOADS 5
#define VU_CTRL_GUEST_OFFLOADS_SET 0
#define VU_CTRL_NOTF_COAL 6
#define VU_CTRL_NOTF_COAL_TX_SET 0
#define VU_CTRL_NOTF_COAL_RX_SET 1
#define VU_CTRL_NOTF_COAL_VQ_SET 2
#define VU_CTRL_NOTF_COAL_VQ_GET 3
#define VU_CTRL_STATS 8
#define VU_CTRL_STATS_QUERY 0
#define VU_CTRL_STATS_GET 1
#define VU_ACK_OK 0
#define VU_ACK_ERR 1
/**@}*/

/** Size of the virtio-net header in front of every frame (VERSION_1). */
#define VU_NET_HDR_LEN 12

/* ------------------------------------------------------------------------------------------ */
/** @name Protocol (vu_proto.c) */
/**@{*/

/** One vhost-user connection. */
struct vu_conn;

/**
 * Connect to a backend listening on @p path (the backend is the server), retrying until
 * @p timeout_ms has passed (the backend may still be starting).
 *
 * @return the connection, or NULL with errno set.
 */
struct vu_conn *vu_conn_connect(const char *path, unsigned int timeout_ms);

/**
 * Listen on @p path and accept one backend (the backend runs in client mode). The listening
 * socket is kept so that vu_conn_reaccept() can take the backend's reconnection.
 *
 * @return the connection, or NULL with errno set (ETIMEDOUT when nobody connected).
 */
struct vu_conn *vu_conn_listen(const char *path, unsigned int timeout_ms);

/**
 * Drop the current socket and accept the next connection on the listening socket (listen
 * mode only).
 *
 * @return 0, -ENOTSUP in connect mode, -ETIMEDOUT, or another -errno.
 */
int vu_conn_reaccept(struct vu_conn *c, unsigned int timeout_ms);

/** Close the connection (and the listening socket, unlinking its path). NULL is fine. */
void vu_conn_close(struct vu_conn *c);

/** Negotiated protocol features (as last sent with SET_PROTOCOL_FEATURES). */
uint64_t vu_conn_protocol_features(const struct vu_conn *c);

/** Set the reply timeout for every later request (default 5000 ms). */
void vu_conn_set_timeout(struct vu_conn *c, unsigned int timeout_ms);

/**
 * Send a raw request and, if @p reply is not NULL, read its reply. With REPLY_ACK negotiated
 * and @p reply NULL the request carries NEED_REPLY and the ack is checked. This is the one send
 * path every helper below goes through; tests use it directly for malformed requests.
 *
 * @param fds   file descriptors passed with SCM_RIGHTS (@p nfds <= 8).
 * @param reply buffer for the reply payload; @p reply_len in: its size, out: the reply's size.
 * @return 0; -EPIPE / -ECONNRESET when the backend closed the connection; -ETIMEDOUT; -EPROTO
 *         for a malformed reply; -EIO when REPLY_ACK reported failure (ack value non-zero).
 */
int vu_request(struct vu_conn *c, uint32_t req, const void *payload, uint32_t len,
	       const int *fds, unsigned int nfds, void *reply, uint32_t *reply_len);

/** GET_FEATURES / GET_PROTOCOL_FEATURES / GET_QUEUE_NUM / GET_STATUS: read a u64. */
int vu_get_u64(struct vu_conn *c, uint32_t req, uint64_t *val);

/** SET_FEATURES / SET_PROTOCOL_FEATURES / SET_OWNER (value ignored) / SET_STATUS: send a u64. */
int vu_set_u64(struct vu_conn *c, uint32_t req, uint64_t val);

/** SET_VRING_NUM / SET_VRING_BASE / SET_VRING_ENABLE: send {index, num}. */
int vu_set_vring_state(struct vu_conn *c, uint32_t req, uint32_t index, uint32_t num);

/** GET_VRING_BASE: stop the ring and read its next available index (packed: bit 15 wrap). */
int vu_get_vring_base(struct vu_conn *c, uint32_t index, uint32_t *num);

/** SET_VRING_ADDR with frontend virtual addresses. */
int vu_set_vring_addr(struct vu_conn *c, uint32_t index, uint64_t desc, uint64_t used,
		      uint64_t avail);

/** SET_VRING_KICK / SET_VRING_CALL: pass @p fd, or "no fd" when @p fd < 0. */
int vu_set_vring_fd(struct vu_conn *c, uint32_t req, uint32_t index, int fd);

/**
 * GET_CONFIG: read @p size bytes of device config space at @p offset.
 *
 * @return bytes the backend returned (0 when it refused), or -errno.
 */
int vu_get_config(struct vu_conn *c, uint32_t offset, void *buf, uint32_t size);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Guest memory (vu_mem.c) */
/**@{*/

/** Guest memory: one memfd, @p nregions regions of equal size with contiguous GPAs. */
struct vu_mem;

/**
 * Create guest memory of @p size bytes (rounded up to pages) split into @p nregions (1..8)
 * regions starting at guest-physical @p gpa_base.
 *
 * @return the memory or NULL with errno set.
 */
struct vu_mem *vu_mem_create(size_t size, unsigned int nregions, uint64_t gpa_base);

/** Unmap and close (NULL is fine). */
void vu_mem_destroy(struct vu_mem *m);

/** SET_MEM_TABLE with every region (the memfd passed once per region). */
int vu_mem_send_table(struct vu_mem *m, struct vu_conn *c);

/**
 * Allocate @p len bytes aligned to @p align (a power of two), zeroed.
 *
 * @param gpa  set to the guest-physical address.
 * @return the host pointer, or NULL when the memory is exhausted.
 */
void *vu_mem_alloc(struct vu_mem *m, size_t len, size_t align, uint64_t *gpa);

/** Host pointer of guest-physical @p gpa spanning @p len bytes, or NULL if outside memory. */
void *vu_mem_ptr(const struct vu_mem *m, uint64_t gpa, size_t len);

/** Frontend virtual address (what SET_VRING_ADDR carries) of a host pointer into memory. */
uint64_t vu_mem_uaddr(const struct vu_mem *m, const void *p);

/** First GPA past the end of guest memory. */
uint64_t vu_mem_gpa_end(const struct vu_mem *m);

/** GPA of the boundary between region 0 and 1 (or the end with one region). */
uint64_t vu_mem_region_boundary(const struct vu_mem *m);

/**
 * Allocate @p len bytes placed so that they straddle the boundary between region 0 and 1
 * (needs nregions >= 2; the bump allocator skips over it afterwards).
 */
void *vu_mem_alloc_straddling(struct vu_mem *m, size_t len, uint64_t *gpa);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Driver side of a virtqueue (vu_ring.c, vu_split.c, vu_packed.c) */
/**@{*/

/** One buffer of a chain. */
struct vu_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;		/**< device-writable */
};

/** A raw descriptor for adversarial chains: written as is (split: next is a ring slot). */
struct vu_rawdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;		/**< VU_DESC_F_* (packed: AVAIL/USED are added by the harness) */
	uint16_t next;		/**< split: absolute slot; packed: the buffer id */
};

#define VU_DESC_F_NEXT 1
#define VU_DESC_F_WRITE 2
#define VU_DESC_F_INDIRECT 4

/** Descriptor slots (split) / buffer ids (packed) kept back for raw chains. */
#define VU_RAW_SLOTS 8

/** Most segments of one chain built with vu_ring_add(). */
#define VU_MAX_SEGS 64

struct vu_ring;

/** Ring creation parameters. */
struct vu_ring_params {
	uint16_t index;		/**< vring number */
	uint16_t size;		/**< entries (split: a power of two); >= 16 */
	bool packed;
	bool event_idx;		/**< EVENT_IDX negotiated */
	bool indirect;		/**< reserve indirect tables (INDIRECT_DESC negotiated) */
	bool call_fd;		/**< create a call eventfd (else the device gets "no fd") */
};

/**
 * Create a ring in guest memory, with its kick eventfd (and call eventfd).
 *
 * @return the ring or NULL with errno set.
 */
struct vu_ring *vu_ring_create(struct vu_mem *m, const struct vu_ring_params *p);

/** Close the eventfds and free the host-side state (guest memory is not reclaimed). */
void vu_ring_destroy(struct vu_ring *r);

/** Send SET_VRING_NUM, _BASE, _ADDR, _KICK, _CALL for the ring (not ENABLE). */
int vu_ring_setup(struct vu_ring *r, struct vu_conn *c);

/**
 * Make a chain available (not kicked). @p indirect puts the segments into one indirect table.
 *
 * @param id  set to the split head slot / packed buffer id the used entry will carry.
 * @return 0; -ENOSPC when the ring is full; -EINVAL for a bad shape (n == 0, n > VU_MAX_SEGS,
 *         indirect without reserved tables).
 */
int vu_ring_add(struct vu_ring *r, const struct vu_seg *segs, unsigned int n, bool indirect,
		uint16_t *id);

/**
 * Make a raw (possibly malformed) chain available, @p n <= VU_RAW_SLOTS descriptors.
 * Split: @p d[i] is written as is into reserved slot vu_ring_raw_slot(i), and @p head_slot (any
 * value, even out of range) is published in the avail ring. Packed: @p d are written at the next
 * ring positions (flags as given plus the wrap bits, the first made available last), each with
 * buffer id d[i].next, and @p head_slot is ignored. A used entry for a reserved id is accepted
 * by vu_ring_used(); the caller owns the buffers.
 *
 * @return 0, -ENOSPC, -EINVAL.
 */
int vu_ring_add_raw(struct vu_ring *r, const struct vu_rawdesc *d, unsigned int n,
		    uint16_t head_slot);

/** Absolute slot (split) / buffer id (packed) of reserved raw entry @p i (0..VU_RAW_SLOTS-1). */
uint16_t vu_ring_raw_slot(const struct vu_ring *r, unsigned int i);

/**
 * Notify the device unless it suppressed notifications (or @p force).
 *
 * @return 1 if the kickfd was written, 0 if suppressed, -errno.
 */
int vu_ring_kick(struct vu_ring *r, bool force);

/**
 * Reap one used entry.
 *
 * @return 1 with @p id and @p len set, 0 when none is ready, -EPROTO when the device produced
 *         an impossible entry (unknown id, id not in flight).
 */
int vu_ring_used(struct vu_ring *r, uint16_t *id, uint32_t *len);

/** Ask for used notifications (true) or not (false, busy polling). */
void vu_ring_set_interrupts(struct vu_ring *r, bool on);

/**
 * Wait until the call eventfd fires (and clear it), or @p timeout_ms.
 *
 * @return 1 fired, 0 timeout, -ENOTSUP without call eventfd.
 */
int vu_ring_wait_call(struct vu_ring *r, int timeout_ms);

/** Chains made available and not yet used. */
unsigned int vu_ring_inflight(const struct vu_ring *r);

/** Free descriptor slots for vu_ring_add(). */
unsigned int vu_ring_free(const struct vu_ring *r);

/** The vhost-user base to hand to SET_VRING_BASE / compare with GET_VRING_BASE. */
uint16_t vu_ring_base(const struct vu_ring *r);

/** Kick and call eventfds (-1 when absent). */
int vu_ring_kickfd(const struct vu_ring *r);
int vu_ring_callfd(const struct vu_ring *r);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name virtio-net guest (vu_net.c) */
/**@{*/

/** How vu_net_ctrl() lays a command out in descriptors. */
enum vu_ctrl_layout {
	VU_LAYOUT_LINUX,	/**< header | each data part | ack | result, as Linux does */
	VU_LAYOUT_MERGED,	/**< one readable buffer with header and data, one writable */
	VU_LAYOUT_BYTES,	/**< one descriptor per byte (bounded by VU_MAX_SEGS) */
	VU_LAYOUT_INDIRECT,	/**< Linux's parts in one indirect table */
};

/** Bring-up parameters (vu_net_open()). */
struct vu_net_params {
	const char *path;		/**< vhost-user socket */
	bool listen;			/**< harness is the server (backend in --client mode) */
	uint64_t features;		/**< wanted; ANDed with the backend's (VERSION_1 forced) */
	uint16_t pairs;			/**< data queue pairs to set up (0: all the device has) */
	uint16_t qsize;			/**< data ring size (default 256) */
	uint16_t cvq_size;		/**< control ring size (default 64) */
	bool interrupts;		/**< call eventfds (else polling) */
	bool no_cvq;			/**< do not set up the CVQ even if CTRL_VQ is negotiated */
	unsigned int nregions;		/**< memory regions (default 1) */
	size_t mem_size;		/**< guest memory (default 16 MiB) */
	unsigned int timeout_ms;	/**< connect and reply timeout (default 5000) */
};

/** Device config space as read with GET_CONFIG (host order). */
struct vu_net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_pairs;
	uint16_t mtu;
	uint32_t config_len;		/**< bytes the backend returned (0: not answered) */
};

struct vu_net;

/**
 * Connect and bring the device up: GET_FEATURES, GET/SET_PROTOCOL_FEATURES, GET_QUEUE_NUM,
 * SET_OWNER, GET_CONFIG (when offered), SET_FEATURES, SET_MEM_TABLE, then per ring NUM, BASE,
 * ADDR, KICK, CALL, and SET_VRING_ENABLE, RX rings filled with buffers.
 *
 * @param err set to the -errno of the failing step (may be NULL).
 * @return the device, or NULL.
 */
struct vu_net *vu_net_open(const struct vu_net_params *p, int *err);

/**
 * Stop every ring (GET_VRING_BASE), check the bases against the harness' own indices and close.
 *
 * @return 0, or -EPROTO when a base disagreed (the device lost track of a ring), or -errno.
 */
int vu_net_close(struct vu_net *n);

/** Close abruptly: drop the socket without stopping rings (NULL is fine). */
void vu_net_abort(struct vu_net *n);

struct vu_conn *vu_net_conn(struct vu_net *n);
struct vu_mem *vu_net_mem(struct vu_net *n);
uint64_t vu_net_features(const struct vu_net *n);
uint64_t vu_net_offered(const struct vu_net *n);
const struct vu_net_config *vu_net_config(const struct vu_net *n);
/** Data pairs set up. */
uint16_t vu_net_pairs(const struct vu_net *n);
/** Control ring (NULL without CVQ). */
struct vu_ring *vu_net_cvq(struct vu_net *n);
/** Receive ring of pair @p q / transmit ring of pair @p q. */
struct vu_ring *vu_net_rxq(struct vu_net *n, uint16_t q);
struct vu_ring *vu_net_txq(struct vu_net *n, uint16_t q);

/**
 * Transmit one frame on pair @p q (a zero virtio-net header is prepended), kick.
 *
 * @return 0, -ENOSPC when the ring is full even after reaping, -EINVAL for a bad length.
 */
int vu_net_send(struct vu_net *n, uint16_t q, const void *frame, size_t len);

/**
 * Receive one frame from pair @p q, waiting up to @p timeout_ms (0: just look). The buffer is
 * posted again.
 *
 * @return the frame length (header stripped, copied up to @p cap), 0 when none arrived,
 *         -EPROTO for a used entry shorter than the header or longer than the buffer.
 */
int vu_net_recv(struct vu_net *n, uint16_t q, void *frame, size_t cap, int timeout_ms);

/** Drop every frame waiting on every RX ring. @return frames dropped. */
unsigned int vu_net_drain(struct vu_net *n);

/** One part of command-specific data. */
struct vu_iov {
	const void *base;
	size_t len;
};

/** A control command to submit. */
struct vu_ctrl {
	uint8_t class, cmd;
	const struct vu_iov *data;	/**< parts, each its own descriptor in the Linux layout */
	unsigned int ndata;
	size_t result_len;		/**< writable bytes after the ack */
	enum vu_ctrl_layout layout;
};

/** Outcome of a command. */
struct vu_ctrl_done {
	uint8_t ack;			/**< the byte the device wrote (0xa5 if untouched) */
	uint32_t used_len;		/**< len of the used entry */
	uint8_t result[64];		/**< first bytes of the result area */
};

/**
 * Submit a command on the CVQ (kicks).
 *
 * @param id set to the used id to expect.
 * @return 0, -ENOSPC, -ENODEV without CVQ, -EINVAL.
 */
int vu_net_ctrl_submit(struct vu_net *n, const struct vu_ctrl *cmd, uint16_t *id);

/**
 * Reap one completed command (busy-poll, or sleep on the call eventfd with interrupts).
 *
 * @return 1 with @p id and @p done filled, 0 on timeout, -EPROTO for a bogus used entry.
 */
int vu_net_ctrl_reap(struct vu_net *n, uint16_t *id, struct vu_ctrl_done *done, int timeout_ms);

/**
 * Submit a command and wait for it, as Linux does (one in flight).
 *
 * @return 0 with @p done filled (check done->ack); -ETIMEDOUT; other -errno.
 */
int vu_net_ctrl(struct vu_net *n, const struct vu_ctrl *cmd, struct vu_ctrl_done *done,
		int timeout_ms);

/** Shorthand: command with one data part, Linux layout; @return the ack byte or -errno. */
int vu_net_cmd(struct vu_net *n, uint8_t class, uint8_t cmd, const void *data, size_t len);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Test helpers: processes and telemetry (vu_proc.c, vu_telemetry.c) */
/**@{*/

/**
 * Start a program with @p argv (NULL-terminated), its stdout and stderr going to @p log_path
 * (NULL: inherited).
 *
 * @return its pid, or -errno.
 */
pid_t vu_proc_start(char *const argv[], const char *log_path);

/**
 * Send @p sig and wait up to @p timeout_ms for the exit; SIGKILL after that.
 *
 * @return the wait status (as waitpid), or -ETIMEDOUT if it had to be killed.
 */
int vu_proc_stop(pid_t pid, int sig, unsigned int timeout_ms);

/** True while @p pid runs (not reaped). */
bool vu_proc_alive(pid_t pid);

/** A ctlpath-vhost backend started for a test. */
struct vu_backend {
	pid_t pid;
	char prefix[64];		/**< EAL --file-prefix (telemetry is under it) */
	char sock[108];			/**< vhost-user socket path */
	char log[128];			/**< stdout/stderr of the daemon */
};

/**
 * Start ctlpath-vhost (path in the environment variable CTLPATH_VHOST; EAL -d SWCVQ_PLUGIN when
 * that is set) with one vdpa_swcvq device. The file prefix and socket are unique to the calling
 * process and @p tag.
 *
 * @param devargs  after "vdpa_swcvq0,", e.g. "vendor=sim,queues=4"
 * @param client   the daemon connects (--client) and the harness listens on the socket
 * @return 0 (server mode: once the socket exists); -ENOENT when CTLPATH_VHOST is not set or not
 *         executable (tests skip); -ETIMEDOUT when the daemon did not come up; other -errno.
 */
int vu_backend_start(struct vu_backend *b, const char *tag, const char *devargs, bool client);

/**
 * Stop the daemon with SIGTERM.
 *
 * @return its exit status (0 for a clean exit), or -ETIMEDOUT / -errno.
 */
int vu_backend_stop(struct vu_backend *b);

/**
 * Send one DPDK telemetry command over /var/run/dpdk/<prefix>/dpdk_telemetry.v2 and read the
 * JSON reply into @p out (NUL-terminated).
 *
 * @return reply length, or -errno (-ENOENT: no socket).
 */
int vu_telemetry(const char *file_prefix, const char *cmd, char *out, size_t cap);

/**
 * Find "key": in @p json (first occurrence after @p after, which may be NULL) and parse the
 * integer that follows (true/false read as 1/0).
 *
 * @return 0, or -ENOENT.
 */
int vu_json_int(const char *json, const char *after, const char *key, long long *val);

/**
 * Same for a string value: copied (without quotes) into @p out.
 *
 * @return 0, or -ENOENT.
 */
int vu_json_str(const char *json, const char *after, const char *key, char *out, size_t cap);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* VU_FRONTEND_H */
