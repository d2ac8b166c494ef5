/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SWCVQ_H
#define SWCVQ_H

/**
 * @file
 * vdpa_swcvq: a vDPA device whose virtio-net control queue (CVQ) is served in software.
 *
 * The driver is a DPDK vdev registered as an rte_vdpa device. A vhost-user application (such as
 * ctlpath-vhost) attaches it to a socket with rte_vhost_driver_attach_vdpa_device() and copies
 * its feature masks to the socket:
 *
 *     rte_vdpa_get_features(dev, &f);           rte_vhost_driver_set_features(path, f);
 *     rte_vdpa_get_protocol_features(dev, &p);  rte_vhost_driver_set_protocol_features(path, p);
 *
 * (DPDK 22.11's default socket masks lack most control features and PROTOCOL_F_CONFIG.)
 *
 * Devargs (`--vdev vdpa_swcvq0,vendor=sim,queues=4,mac=02:00:00:00:00:01,mtu=1500`):
 * - vendor  back end of the device: "sim" (software loopback, default) or "idpf" (CVQ
 *           commands become virtchnl2 transactions to an emulated idpf function).
 * - idpf    with vendor=idpf: the emulated function's devargs, ':' for '=' inside brackets,
 *           e.g. idpf=[macs:8,latency_us:50].
 * - queues  queue pairs, 1..SWCVQ_MAX_PAIRS. Default 1.
 * - mac     config-space MAC. Default 02:00:00:00:00:01 plus the device number.
 * - mtu     config-space MTU, 68..9000. Default 1500.
 * - poll    "event" (default): the device thread sleeps on the kick eventfds;
 *           "busy": it polls the rings without sleeping (lowest latency, one core).
 * - status  1: also offer VHOST_USER_PROTOCOL_F_STATUS. Default 0, because DPDK 22.11 then
 *           holds dev_conf until SET_STATUS(DRIVER_OK); the rings are served from the moment
 *           each is ready whatever this setting.
 * - packed  0: do not offer VIRTIO_F_RING_PACKED (split rings only). Default 1. Frontends that
 *           pass the features on unfiltered (QEMU's vhost-user-device) need this to get split.
 *
 * Rings: the driver serves every ring itself from a thread per device (the CVQ through
 * lib/netctrl, the data queues through the vendor), from the moment the vhost library reports
 * a ring ready (set_vring_state) to the next vhost-user message that could change it; the ring
 * positions are handed back to the library before it answers GET_VRING_BASE.
 *
 * Telemetry (DPDK telemetry socket of the process):
 * - SWCVQ_TEL_LIST            names of the devices.
 * - SWCVQ_TEL_STATE,<name>    one dictionary with sub-dictionaries: "device" (config, features,
 *                             connection, rings), "shadow" (netctrl shadow state), "vendor"
 *                             (vendor state and traffic counters), "cvq" (engine counters),
 *                             "cmd_ok" / "cmd_err" (per command) and "errors" (per kind).
 */

/** Most queue pairs a device can have (the vhost library's limit). */
#define SWCVQ_MAX_PAIRS 128
/** Most vrings of a device: the data queues and the CVQ. */
#define SWCVQ_MAX_VRINGS (2 * SWCVQ_MAX_PAIRS + 1)

/** Driver name, as given to --vdev. */
#define SWCVQ_DRIVER_NAME "vdpa_swcvq"

/** @name Telemetry commands */
/**@{*/
#define SWCVQ_TEL_LIST "/ctlpath/swcvq/list"
#define SWCVQ_TEL_STATE "/ctlpath/swcvq/state"
/**@}*/

/** @name vhost-user protocol feature bits the driver may offer */
/**@{*/
#define SWCVQ_PROTO_F_MQ 0
#define SWCVQ_PROTO_F_REPLY_ACK 3
#define SWCVQ_PROTO_F_NET_MTU 4
#define SWCVQ_PROTO_F_BACKEND_REQ 5
#define SWCVQ_PROTO_F_CONFIG 9
#define SWCVQ_PROTO_F_STATUS 16
/**@}*/

/** VHOST_USER_F_PROTOCOL_FEATURES: virtio feature bit 30 of the vhost-user protocol. */
#define SWCVQ_F_PROTOCOL_FEATURES 30

/** Size of the config space answered to GET_CONFIG (struct virtio_net_config, no tunnel). */
#define SWCVQ_CONFIG_SIZE 24

#endif /* SWCVQ_H */
