/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SWCVQ_PRIV_H
#define SWCVQ_PRIV_H

/**
 * @file
 * Internals of vdpa_swcvq: the device, its rings, the device thread and the vendor contract.
 *
 * Locking: dev->lock protects everything below that the device thread uses (rings, memory
 * table, engine, vendor state, config space). The vhost-user message thread takes it to start
 * and stop rings; the device thread holds it while it serves the rings; telemetry takes it to
 * copy state. Vendor callbacks run with it held.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_telemetry.h>

#include <netctrl.h>

#include "swcvq.h"
#include "swcvq_vring.h"

struct rte_device;
struct rte_vdpa_device;
struct swcvq_dev;

/** @name Config space status bits (virtio-net "Device configuration layout") */
/**@{*/
#define SWCVQ_S_LINK_UP 1
#define SWCVQ_S_ANNOUNCE 2
/**@}*/

/** @name virtio-net hash types ("Hash calculation") the vendors support */
/**@{*/
#define SWCVQ_HT_IPV4 (1u << 0)
#define SWCVQ_HT_TCPV4 (1u << 1)
#define SWCVQ_HT_UDPV4 (1u << 2)
#define SWCVQ_HT_IPV6 (1u << 3)
#define SWCVQ_HT_TCPV6 (1u << 4)
#define SWCVQ_HT_UDPV6 (1u << 5)
#define SWCVQ_HASH_TYPES (SWCVQ_HT_IPV4 | SWCVQ_HT_TCPV4 | SWCVQ_HT_UDPV4 | SWCVQ_HT_IPV6 | \
			  SWCVQ_HT_TCPV6 | SWCVQ_HT_UDPV6)
/**@}*/

/** Device parameters from the devargs. */
struct swcvq_conf {
	char vendor[16];
	uint16_t pairs;
	uint8_t mac[6];
	uint16_t mtu;
	bool busy_poll;
	bool offer_status;
	bool no_packed;		/**< devarg packed=0: offer split rings only */
	char idpf_args[128];	/**< devarg idpf=: emulated idpf device's args (vendor idpf) */
};

/**
 * A vendor: what the device does with commands and traffic. All callbacks but init/fini run
 * with dev->lock held, on the device thread (service, ctl) or the message thread (the rest).
 */
struct swcvq_vendor {
	const char *name;
	uint64_t features;		/**< virtio-net features it implements */
	uint32_t hash_types;		/**< supported_hash_types when RSS is offered */
	const struct netctrl_ops *ctl;	/**< CVQ commands; ctx = dev->vendor_priv */
	/** Allocate dev->vendor_priv. @return 0 or -errno. */
	int (*init)(struct swcvq_dev *dev);
	void (*fini)(struct swcvq_dev *dev);
	/** Device reset with the newly negotiated features: back to defaults. */
	void (*reset)(struct swcvq_dev *dev, uint64_t features);
	/** Serve the running data rings (device thread). @return work done (0: idle). */
	unsigned int (*service)(struct swcvq_dev *dev);
	/** Fill a telemetry dictionary with the vendor state and counters. */
	void (*dump)(struct swcvq_dev *dev, struct rte_tel_data *d);
};

/** The software vendor (swcvq_sim.c). */
extern const struct swcvq_vendor swcvq_vendor_sim;
#ifdef SWCVQ_HAVE_IDPF
/** Virtchnl2 to an emulated idpf device through lib/xn (swcvq_idpf.c). */
extern const struct swcvq_vendor swcvq_vendor_idpf;
#define SWCVQ_VENDOR_IDPF &swcvq_vendor_idpf,
#else
#define SWCVQ_VENDOR_IDPF
#endif

/** One vring as the driver sees it. */
struct swcvq_queue {
	bool ready;			/**< the vhost library says ready (set_vring_state) */
	bool running;			/**< being served */
	int kickfd;			/**< our dup of the kick eventfd, -1 when stopped */
	struct swcvq_vring vr;		/**< data ring state (unused for the CVQ) */
	uint64_t kicks;
};

/** Driver counters not owned by netctrl or the vendor. */
struct swcvq_dev_stats {
	uint64_t connects, disconnects;
	uint64_t ring_starts, ring_stops;
	uint64_t cvq_notifies;
	uint64_t needs_reset;
	uint64_t config_reads;
	uint64_t pairs_from_enable;	/**< queue-pair changes learnt from vring enables */
	uint64_t msgs_quiesced;
	uint64_t refused;		/**< callbacks of a second connection refused */
	uint64_t errors;
};

struct swcvq_dev {
	struct swcvq_dev *next;		/**< registry list (swcvq_telemetry.c) */
	char name[64];
	struct swcvq_conf conf;
	struct rte_vdpa_device *vdpa;
	const struct rte_device *rdev;	/**< the vdev, key of the registry */
	const struct swcvq_vendor *vendor;
	void *vendor_priv;

	pthread_mutex_t lock;
	atomic_int waiters;		/**< message thread wants the lock (busy-poll mode) */

	/* All below under lock. */
	int vid;			/**< connected vhost device, -1 when none */
	uint64_t features;		/**< negotiated, 0 before SET_FEATURES */
	bool hooked;			/**< our pre/post message hooks are registered for vid */
	struct swcvq_mem mem;
	bool have_mem;			/**< @p mem is valid */
	bool mem_known;			/**< the library holds a memory table */
	struct netctrl *nc;		/**< CVQ engine, when CTRL_VQ was negotiated */
	uint16_t cvq_index;		/**< vring of the CVQ, for the features negotiated */
	uint16_t nr_vrings;		/**< vrings of the device (2 * pairs + 1) */
	uint16_t enabled_pairs;		/**< pairs learnt from vring enables */
	uint8_t cfg_mac[6];		/**< config space */
	uint16_t cfg_status;
	uint32_t epoch;			/**< bumped when the set of kick fds changes */
	struct swcvq_queue q[SWCVQ_MAX_VRINGS];
	struct swcvq_dev_stats st;

	/* Device thread. */
	pthread_t thread;
	int ctl_fd;			/**< eventfd: wake the thread (epoch change, stop) */
	atomic_bool stop;
};

/** Lock the device from a thread other than the device thread. */
void swcvq_lock(struct swcvq_dev *dev);
void swcvq_unlock(struct swcvq_dev *dev);

/** Start the device thread. @return 0 or -errno. */
int swcvq_worker_start(struct swcvq_dev *dev);
/** Stop and join the device thread. */
void swcvq_worker_stop(struct swcvq_dev *dev);
/** Wake the device thread to re-read its kick fds (lock held). */
void swcvq_worker_kick(struct swcvq_dev *dev);

/** @name Registry and telemetry (swcvq_telemetry.c) */
/**@{*/
void swcvq_registry_add(struct swcvq_dev *dev);
/** Remove @p dev (no-op if absent). */
void swcvq_registry_del(struct swcvq_dev *dev);
/** Device of a vdev, or NULL. */
struct swcvq_dev *swcvq_registry_find(const struct rte_device *rdev);
/**@}*/

/** Format a MAC address into @p buf (18 bytes). */
void swcvq_fmt_mac(char *buf, const uint8_t mac[6]);

/** @return true when @p mac is one of the @p n addresses of @p tab. */
bool swcvq_mac_in(const uint8_t (*tab)[6], uint32_t n, const uint8_t *mac);

#endif /* SWCVQ_PRIV_H */
