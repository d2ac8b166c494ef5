/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two front doors of the idpf PMD. Each produces an idpf_hw (a register window) and hands
 * it to idpf_xn_dev_init(); nothing above that call knows which door was used.
 *  - net_idpf_xn (PCI): BAR0 of an idpf PF or VF through DPDK's PCI bus (VFIO); the mailbox
 *    interrupt through the device's interrupt handle.
 *  - net_idpf_emu (vdev): an emulated idpf device started from the devargs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>
#include <ethdev_vdev.h>
#include <rte_kvargs.h>
#include <rte_telemetry.h>

#include "emu.h"
#include "idpf_xn_ethdev.h"

#define ARG_CTL "ctl"
#define ARG_INTR "intr"
#define ARG_SLOTS "slots"
#define ARG_TIMEOUT "timeout_ms"
#define ARG_QUEUES "qpairs"

#define DRIVER_PARAMS ARG_CTL "=xn|legacy " ARG_INTR "=0|1 " ARG_SLOTS "=<1-256> " \
	ARG_TIMEOUT "=<ms> " ARG_QUEUES "=<1-256>"

static int
parse_uint(const char *key, const char *val, unsigned long min, unsigned long max,
	   unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(val, &end, 0);
	if (errno != 0 || end == val || *end != '\0' || val[0] == '-' || *out < min ||
	    *out > max) {
		RTE_LOG(ERR, PMD, "idpf: devarg %s=%s: expected an integer in [%lu, %lu]\n", key,
			val, min, max);
		return -EINVAL;
	}
	return 0;
}

int
idpf_xn_parse_args(const char *args, struct idpf_xn_args *out, char *emu_args, size_t emu_len)
{
	struct rte_kvargs *kv;
	size_t used = 0;
	unsigned int i;
	int rc = 0;

	*out = (struct idpf_xn_args){ .intr = true, .queues = IDPF_XN_DEFAULT_QUEUES };
	if (emu_args != NULL && emu_len > 0)
		emu_args[0] = '\0';
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, NULL);
	if (kv == NULL) {
		RTE_LOG(ERR, PMD, "idpf: cannot parse devargs '%s'\n", args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count && rc == 0; i++) {
		const char *k = kv->pairs[i].key, *v = kv->pairs[i].value;
		unsigned long n;

		if (v == NULL) {
			RTE_LOG(ERR, PMD, "idpf: devarg %s needs a value\n", k);
			rc = -EINVAL;
		} else if (strcmp(k, ARG_CTL) == 0) {
			if (strcmp(v, "xn") == 0 || strcmp(v, "legacy") == 0)
				out->legacy = strcmp(v, "legacy") == 0;
			else {
				RTE_LOG(ERR, PMD,
					"idpf: devarg ctl=%s: expected xn or legacy\n", v);
				rc = -EINVAL;
			}
		} else if (strcmp(k, ARG_INTR) == 0) {
			rc = parse_uint(k, v, 0, 1, &n);
			out->intr = n != 0;
		} else if (strcmp(k, ARG_SLOTS) == 0) {
			rc = parse_uint(k, v, 1, 256, &n);
			out->slots = (uint16_t)n;
		} else if (strcmp(k, ARG_TIMEOUT) == 0) {
			rc = parse_uint(k, v, 1, 600000, &n);
			out->timeout_ms = (uint32_t)n;
		} else if (strcmp(k, ARG_QUEUES) == 0) {
			rc = parse_uint(k, v, 1, 256, &n);
			out->queues = (uint16_t)n;
		} else if (emu_args != NULL) {
			int w = snprintf(emu_args + used, emu_len - used, "%s%s=%s",
					 used ? "," : "", k, v);

			if (w < 0 || (size_t)w >= emu_len - used) {
				RTE_LOG(ERR, PMD, "idpf: devargs too long\n");
				rc = -E2BIG;
			} else {
				used += (size_t)w;
			}
		} else {
			RTE_LOG(ERR, PMD, "idpf: unknown devarg '%s' (keys: %s)\n", k,
				DRIVER_PARAMS);
			rc = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	return rc;
}

/* ---- vdev: the emulated device ---- */

/*
 * Test hooks of the emulated door, over DPDK telemetry, so that a script driving a stock
 * application (dpdk-testpmd) can act on the device from outside:
 *   /ctlpath/net_idpf_emu/reset,<device name>   reset the emulated device (emu_reset())
 *   /ctlpath/net_idpf_emu/link,<name>,<0|1>     raise a link-change EVENT
 * The list of emulated ports is guarded by a mutex held across the hook, and a port leaves
 * it before its device is destroyed, so a hook never touches a freed device.
 */
#define EMU_PORTS_MAX 32
static pthread_mutex_t emu_ports_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[RTE_DEV_NAME_MAX_LEN];
	struct emu_dev *emu;
	struct idpf_xn_port *port;
} emu_ports[EMU_PORTS_MAX];
static bool emu_tel_registered;

/* Split "name[,arg]"; the returned entry is valid while emu_ports_lock is held. */
static int
emu_port_lookup(const char *params, char *arg, size_t arg_len)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	const char *comma;
	size_t n;
	int i;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	comma = strchr(params, ',');
	n = comma != NULL ? (size_t)(comma - params) : strlen(params);
	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, params, n);
	name[n] = '\0';
	if (arg != NULL)
		snprintf(arg, arg_len, "%s", comma != NULL ? comma + 1 : "");
	for (i = 0; i < EMU_PORTS_MAX; i++)
		if (emu_ports[i].emu != NULL && strcmp(emu_ports[i].name, name) == 0)
			return i;
	return -ENOENT;
}

static int
tel_emu_reset(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	int i;

	pthread_mutex_lock(&emu_ports_lock);
	i = emu_port_lookup(params, NULL, 0);
	if (i >= 0)
		emu_reset(emu_ports[i].emu);
	pthread_mutex_unlock(&emu_ports_lock);
	if (i < 0)
		return i;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "reset", params);
	return 0;
}

static int
tel_emu_link(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	char arg[16];
	int i, rc = -EINVAL;

	pthread_mutex_lock(&emu_ports_lock);
	i = emu_port_lookup(params, arg, sizeof(arg));
	if (i >= 0 && (strcmp(arg, "0") == 0 || strcmp(arg, "1") == 0))
		rc = emu_link_event(emu_ports[i].emu, emu_ports[i].port->vp.vport_id,
				    arg[0] == '1', 100000);
	pthread_mutex_unlock(&emu_ports_lock);
	if (i < 0)
		return i;
	if (rc < 0)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "link_up", arg[0] == '1');
	return 0;
}

static void
emu_port_track(const char *name, struct emu_dev *emu, struct idpf_xn_port *port)
{
	int i;

	pthread_mutex_lock(&emu_ports_lock);
	if (!emu_tel_registered) {
		/* a failure here only costs the test hooks */
		rte_telemetry_register_cmd("/ctlpath/net_idpf_emu/reset", tel_emu_reset,
					   "Reset an emulated idpf device. Parameter: device name");
		rte_telemetry_register_cmd("/ctlpath/net_idpf_emu/link", tel_emu_link,
					   "Link EVENT from an emulated idpf device. "
					   "Parameters: name,0|1");
		emu_tel_registered = true;
	}
	for (i = 0; i < EMU_PORTS_MAX; i++) {
		if (emu == NULL && emu_ports[i].port == port) {
			emu_ports[i].emu = NULL;
			emu_ports[i].port = NULL;
		} else if (emu != NULL && emu_ports[i].emu == NULL) {
			snprintf(emu_ports[i].name, sizeof(emu_ports[i].name), "%s", name);
			emu_ports[i].emu = emu;
			emu_ports[i].port = port;
			break;
		}
	}
	pthread_mutex_unlock(&emu_ports_lock);
}

static int
emu_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char emu_args[512];
	struct idpf_xn_args args;
	struct rte_eth_dev *dev;
	struct idpf_xn_port *p;
	struct emu_dev *emu;
	struct idpf_hw hw;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* a secondary (dpdk-proc-info) sees the port; the primary owns the device */
		dev = rte_eth_dev_attach_secondary(name);
		if (dev == NULL) {
			RTE_LOG(ERR, PMD, "%s: cannot attach to the primary's port\n", name);
			return -ENODEV;
		}
		dev->device = &vdev->device;
		idpf_xn_secondary_ops(dev);
		rte_eth_dev_probing_finish(dev);
		return 0;
	}
	rc = idpf_xn_mp_register();
	if (rc < 0)
		RTE_LOG(WARNING, PMD, "%s: secondary processes will not read statistics: %s\n",
			name, strerror(-rc));
	rc = idpf_xn_parse_args(rte_vdev_device_args(vdev), &args, emu_args, sizeof(emu_args));
	if (rc < 0)
		return rc;
	emu = emu_create_args(name, emu_args);
	if (emu == NULL) {
		RTE_LOG(ERR, PMD, "%s: emulated device refused devargs '%s'\n", name, emu_args);
		return -EINVAL;
	}
	dev = rte_eth_vdev_allocate(vdev, sizeof(struct idpf_xn_port));
	if (dev == NULL) {
		emu_destroy(emu);
		return -ENOMEM;
	}
	p = idpf_xn_port(dev);
	p->args = args;
	p->emu = emu;
	emu_hw_get(emu, &hw);
	rc = idpf_xn_dev_init(dev, &hw);
	if (rc < 0) {
		RTE_LOG(ERR, PMD, "%s: init failed: %s\n", name, strerror(-rc));
		rte_eth_dev_release_port(dev);
		emu_destroy(emu);
		return rc;
	}
	emu_port_track(name, emu, p);
	rte_eth_dev_probing_finish(dev);
	return 0;
}

void
idpf_xn_emu_release(struct idpf_xn_port *p)
{
	if (p->emu == NULL)
		return;
	emu_port_track(NULL, NULL, p);
	emu_destroy(p->emu);
	p->emu = NULL;
}

/* Closing the port (idpf_xn_close) already destroyed the emulated device. */
static int
emu_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;
	/* ethdev refuses to close a started port */
	rte_eth_dev_stop(dev->data->port_id);
	return rte_eth_dev_close(dev->data->port_id);
}

static struct rte_vdev_driver idpf_emu_driver = {
	.probe = emu_probe,
	.remove = emu_remove,
};

RTE_PMD_REGISTER_VDEV(net_idpf_emu, idpf_emu_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_idpf_emu, DRIVER_PARAMS
	" func=pf|vf latency_us=<us> jitter_us=<us> reorder=<n> drop=<p> dup=<p> late=<p>"
	" late_ms=<ms> err=<p> seed=<n> vports=<n> queues=<n> vectors=<n> rss_lut=<n>"
	" rss_key=<n> macs=<n> mtu=<n>");

/* ---- PCI: a real idpf function over VFIO ---- */

#define IDPF_VENDOR 0x8086
#define IDPF_DEV_PF 0x1452
#define IDPF_DEV_VF 0x145c
#define IDPF_CLASS 0x020001	/* Ethernet, prog-if 01h: "IDPF compliant" */
#define VF_ARQBAL 0x6c00
#define VF_PROBE_PATTERN 0xfeed0000u
#define DYN_CTL_INTENA (1u << 0)
#define DYN_CTL_CLEARPBA (1u << 1)
#define DYN_CTL_ITR_NONE (3u << 3)

static const struct rte_pci_id idpf_pci_ids[] = {
	{ RTE_PCI_DEVICE(IDPF_VENDOR, IDPF_DEV_PF) },
	{ RTE_PCI_DEVICE(IDPF_VENDOR, IDPF_DEV_VF) },
	{ .class_id = IDPF_CLASS, .vendor_id = RTE_PCI_ANY_ID, .device_id = RTE_PCI_ANY_ID,
	  .subsystem_vendor_id = RTE_PCI_ANY_ID, .subsystem_device_id = RTE_PCI_ANY_ID },
	{ .vendor_id = 0 },
};

/* A class-matched function is a VF when VF_ARQBAL keeps what we write (reference 1.1). */
static enum idpf_func_type
pci_func_type(struct rte_pci_device *pci, struct idpf_mmio *win)
{
	struct idpf_hw probe;

	if (pci->id.device_id == IDPF_DEV_PF)
		return IDPF_FUNC_PF;
	if (pci->id.device_id == IDPF_DEV_VF)
		return IDPF_FUNC_VF;
	if (idpf_hw_init_mmio(&probe, win, IDPF_FUNC_VF) < 0)
		return IDPF_FUNC_PF;
	idpf_reg_write(&probe, VF_ARQBAL, VF_PROBE_PATTERN);
	rte_delay_ms(2);	/* the spec: a read right after a write may see the old value */
	return idpf_reg_read(&probe, VF_ARQBAL) == VF_PROBE_PATTERN ? IDPF_FUNC_VF : IDPF_FUNC_PF;
}

/* The mailbox vector fired: drain the ARQ, then re-arm the vector. */
static void
pci_mbx_irq(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct idpf_xn_port *p = idpf_xn_port(dev);
	uint32_t dyn = vc2_le32(p->ad.caps.mailbox_dyn_ctl);

	idpf_ctl_poll(p->ad.ctl);
	if (dyn != 0)
		idpf_reg_write(&p->ad.hw, dyn,
			       DYN_CTL_INTENA | DYN_CTL_CLEARPBA | DYN_CTL_ITR_NONE);
}

static struct idpf_mmio *
pci_window(struct rte_pci_device *pci)
{
	struct idpf_mmio *win = rte_zmalloc("idpf_xn_bar0", sizeof(*win), 0);

	if (win != NULL) {
		win->base = pci->mem_resource[0].addr;
		win->len = pci->mem_resource[0].len;
	}
	return win;
}

static int
pci_dev_init(struct rte_eth_dev *dev)
{
	struct rte_pci_device *pci = RTE_ETH_DEV_TO_PCI(dev);
	struct idpf_xn_port *p = idpf_xn_port(dev);
	struct rte_devargs *da = pci->device.devargs;
	struct idpf_mmio *win;
	struct idpf_hw hw;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		idpf_xn_secondary_ops(dev);
		return 0;
	}
	rc = idpf_xn_mp_register();
	if (rc < 0)
		return rc;
	rc = idpf_xn_parse_args(da != NULL ? da->args : NULL, &p->args, NULL, 0);
	if (rc < 0)
		return rc;
	win = pci_window(pci);
	if (win == NULL)
		return -ENOMEM;
	rc = idpf_hw_init_mmio(&hw, win, pci_func_type(pci, win));
	if (rc == 0)
		rc = idpf_xn_dev_init(dev, &hw);
	if (rc < 0) {
		rte_free(win);
		return rc;
	}
	rte_eth_copy_pci_info(dev, pci);
	if (p->args.intr && !p->args.legacy &&
	    rte_intr_callback_register(pci->intr_handle, pci_mbx_irq, dev) == 0) {
		rte_intr_enable(pci->intr_handle);
		pci_mbx_irq(dev);
	}
	return 0;
}

static int
pci_dev_uninit(struct rte_eth_dev *dev)
{
	struct rte_pci_device *pci = RTE_ETH_DEV_TO_PCI(dev);

	rte_intr_disable(pci->intr_handle);
	rte_intr_callback_unregister(pci->intr_handle, pci_mbx_irq, dev);
	return idpf_xn_dev_uninit(dev);
}

static int
pci_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *pci)
{
	return rte_eth_dev_pci_generic_probe(pci, sizeof(struct idpf_xn_port),
					     pci_dev_init);
}

static int
pci_remove(struct rte_pci_device *pci)
{
	return rte_eth_dev_pci_generic_remove(pci, pci_dev_uninit);
}

static struct rte_pci_driver idpf_pci_driver = {
	.id_table = idpf_pci_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING | RTE_PCI_DRV_INTR_LSC,
	.probe = pci_probe,
	.remove = pci_remove,
};

RTE_PMD_REGISTER_PCI(net_idpf_xn, idpf_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_idpf_xn, idpf_pci_ids);
RTE_PMD_REGISTER_KMOD_DEP(net_idpf_xn, "* vfio-pci");
RTE_PMD_REGISTER_PARAM_STRING(net_idpf_xn, DRIVER_PARAMS);
