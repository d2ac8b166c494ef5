/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SWCVQ_IDPF_PRIV_H
#define SWCVQ_IDPF_PRIV_H

/**
 * @file
 * Internals of vendor "idpf", shared by its two files:
 *  - swcvq_idpf.c: the vendor (bring-up and teardown of the emulated device and its vport,
 *    reset, the device thread's service, telemetry) and the CVQ callbacks, each of which only
 *    fills a command and submits it;
 *  - swcvq_idpf_cmd.c: what a command becomes: virtchnl2 messages and their inverses, sent as
 *    asynchronous transactions, ordered per domain, undone in part on failure, and answered.
 * Everything here runs with dev->lock held, except the transaction callbacks
 * (swcvq_idpf_cmd.c), which never take it.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include <netctrl.h>

#include "idpf_adapter.h"
#include "emu.h"
#include "swcvq_priv.h"

struct rte_memzone;

extern int swcvq_idpf_logtype;
#define VI_LOG(level, v, fmt, ...) \
	rte_log(RTE_LOG_ ## level, swcvq_idpf_logtype, "vdpa_swcvq %s idpf: " fmt "\n", \
		(v)->dev->name, ##__VA_ARGS__)

#define VI_TXN_MAX 4			/* messages of one command */
#define VI_MAC_MAX VIRTCHNL2_MAX_ELEMS(virtchnl2_mac_addr_list, virtchnl2_mac_addr)
#define VI_SYNC_POLL_US 20

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
	bool sent;			/* reached the device: even if it failed, it may have acted */
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

/** A command of @p kind; @p token 0: internal (run to the end by submit). NULL: no memory. */
struct vi_cmd *swcvq_idpf_cmd_new(struct vidpf *v, enum vi_kind kind, uint64_t token);

/** Free a command and everything it owns (NULL is fine). */
void swcvq_idpf_cmd_free(struct vi_cmd *c);

/**
 * Entry point of every command (takes @p c; NULL answers ERR): run at once when its domain is
 * idle and nothing is to be sent, else leave it pending for the device thread.
 * @return NETCTRL_OK, NETCTRL_ERR or NETCTRL_PENDING (never for an internal command).
 */
int swcvq_idpf_cmd_submit(struct vidpf *v, struct vi_cmd *c);

/**
 * Device thread: start what may start, finish what finished, in arrival order, and answer
 * each finished CVQ command to netctrl. @return commands finished.
 */
unsigned int swcvq_idpf_cmds_service(struct vidpf *v);

/** Wait (bounded) for every command in flight to finish; none is answered to netctrl. */
void swcvq_idpf_cmds_drain(struct vidpf *v);

/** Free every command left in the list (after the adapter is down: no callback owed). */
void swcvq_idpf_cmds_free(struct vidpf *v);

/**
 * ENABLE/DISABLE_QUEUES for TX and RX queues [first, first + n) of the vport.
 * @return the message (free() it) and its length in @p len, or NULL.
 */
uint8_t *swcvq_idpf_msg_queues(const struct vidpf *v, uint16_t first, uint16_t n,
				uint16_t *len);

#endif /* SWCVQ_IDPF_PRIV_H */
