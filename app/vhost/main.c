/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-vhost: vhost-user backend daemon hosting vDPA devices (vdpa_swcvq) for QEMU and other
 * vhost-user frontends.
 *
 * Interface (what frontends, tests and operators may rely on):
 *
 *   ctlpath-vhost <EAL args> -- --socket PATH [--client] [--device NAME] [--socket PATH ...]
 *
 * - EAL args: at least one `--vdev vdpa_swcvq<N>,vendor=sim,queues=Q,mac=M,mtu=U[,poll=busy]`
 *   (devargs in drivers/vdpa/swcvq/swcvq.h). Guest memory comes from the frontend (memfd), so
 *   the daemon's own memory need not be shared: `--in-memory` works, but then EAL creates no
 *   telemetry socket; use `--file-prefix P` (and `--no-pci`) to read telemetry at
 *   /var/run/dpdk/P/dpdk_telemetry.v2 (or $XDG_RUNTIME_DIR/dpdk/P/... when not root).
 *   Without an EAL `-d` option the daemon loads the vdpa_swcvq plugin of its build tree.
 * - Each --socket starts a device entry; --client (connect to the frontend's server socket,
 *   reconnecting after a disconnect) and --device (the vDPA device name, e.g. vdpa_swcvq0)
 *   apply to the last --socket. Without --device the entry takes the next vDPA device not yet
 *   taken, in probe order.
 * - Feature masks: the socket offers exactly the device's rte_vdpa_get_features() and
 *   rte_vdpa_get_protocol_features() (CTRL_VQ and the control features of the vendor, MQ, RSS,
 *   MAC, MTU, STATUS, GUEST_ANNOUNCE, VERSION_1, RING_PACKED; protocol MQ, REPLY_ACK, NET_MTU,
 *   BACKEND_REQ, CONFIG; STATUS only with the devarg status=1). GET_CONFIG is always answered.
 *   GET_QUEUE_NUM answers queue pairs.
 * - Once every socket listens (or, in client mode, is registered) it prints one line per device
 *   `ctlpath-vhost: ready socket=PATH device=NAME` and then `ctlpath-vhost: running` on stdout.
 * - A frontend may disconnect and reconnect at any time; the device state is reset on each new
 *   connection. SIGINT or SIGTERM: the sockets are closed, devices removed, exit status 0.
 * - Telemetry: /ctlpath/swcvq/list and /ctlpath/swcvq/state,<device> (swcvq.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#define MAX_SOCKETS 32

struct entry {
	const char *path;
	const char *device;
	bool client;
	struct rte_vdpa_device *vdpa;
	bool registered;
};

static struct entry entries[MAX_SOCKETS];
static unsigned int n_entries;

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s <EAL args> -- --socket PATH [--client] [--device NAME] ...\n"
		"  --socket PATH   vhost-user socket of one device (repeat for more devices)\n"
		"  --client        connect to PATH instead of listening (reconnects)\n"
		"  --device NAME   vDPA device for the last --socket (default: next unused)\n",
		prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "client", no_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (n_entries == MAX_SOCKETS) {
				fprintf(stderr, "too many --socket (max %d)\n", MAX_SOCKETS);
				return -1;
			}
			entries[n_entries++].path = optarg;
			break;
		case 'c':
		case 'd':
			if (n_entries == 0) {
				fprintf(stderr, "--%s must follow a --socket\n",
					c == 'c' ? "client" : "device");
				return -1;
			}
			if (c == 'c')
				entries[n_entries - 1].client = true;
			else
				entries[n_entries - 1].device = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument: %s\n", argv[optind]);
		return -1;
	}
	if (n_entries == 0) {
		fprintf(stderr, "no --socket given\n");
		return -1;
	}
	return 0;
}

/* Add "-d <plugin>" after argv[0] unless the EAL arguments already load drivers. */
static char **
with_plugin(int argc, char **argv, int *new_argc)
{
	char **nv;
	int i;

	*new_argc = argc;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-d") == 0 || strncmp(argv[i], "-d", 2) == 0)
			return argv;
#ifdef CTLPATH_VHOST_PLUGIN
	if (getenv("CTLPATH_VHOST_NO_AUTOLOAD") != NULL ||
	    access(CTLPATH_VHOST_PLUGIN, R_OK) != 0)
		return argv;
	nv = calloc(argc + 3, sizeof(*nv));
	if (nv == NULL)
		return argv;
	nv[0] = argv[0];
	nv[1] = (char *)(uintptr_t)"-d";
	nv[2] = (char *)(uintptr_t)CTLPATH_VHOST_PLUGIN;
	for (i = 1; i < argc; i++)
		nv[i + 2] = argv[i];
	*new_argc = argc + 2;
	return nv;
#else
	(void)nv;
	return argv;
#endif
}

static int
new_device(int vid)
{
	char ifname[128] = "";

	rte_vhost_get_ifname(vid, ifname, sizeof(ifname));
	printf("ctlpath-vhost: device %d running on %s\n", vid, ifname);
	fflush(stdout);
	return 0;
}

static void
destroy_device(int vid)
{
	printf("ctlpath-vhost: device %d stopped\n", vid);
	fflush(stdout);
}

static const struct rte_vhost_device_ops notify_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

static struct rte_vdpa_device *
next_free_device(void)
{
	struct rte_device *rdev = NULL;
	struct rte_dev_iterator it;
	unsigned int i;

	/* vDPA devices are vdevs here: walk the vdev bus in probe order. */
	RTE_DEV_FOREACH(rdev, "bus=vdev", &it) {
		struct rte_vdpa_device *v = rte_vdpa_find_device_by_name(rte_dev_name(rdev));
		bool taken = false;

		if (v == NULL)
			continue;
		for (i = 0; i < n_entries; i++)
			taken |= entries[i].vdpa == v;
		if (!taken)
			return v;
	}
	return NULL;
}

static int
setup_entry(struct entry *e)
{
	uint64_t flags = e->client ? RTE_VHOST_USER_CLIENT : 0;
	uint64_t f, pf;

	e->vdpa = e->device != NULL ? rte_vdpa_find_device_by_name(e->device) :
		  next_free_device();
	if (e->vdpa == NULL) {
		fprintf(stderr, "%s: no vDPA device %s\n", e->path,
			e->device != NULL ? e->device : "left (add --vdev vdpa_swcvq<N>)");
		return -1;
	}
	if (rte_vhost_driver_register(e->path, flags) != 0) {
		fprintf(stderr, "%s: cannot register the socket\n", e->path);
		return -1;
	}
	e->registered = true;
	/* DPDK's default socket masks lack most control features and PROTOCOL_F_CONFIG:
	 * offer exactly what the device implements. */
	if (rte_vdpa_get_features(e->vdpa, &f) != 0 ||
	    rte_vdpa_get_protocol_features(e->vdpa, &pf) != 0 ||
	    rte_vhost_driver_set_features(e->path, f) != 0 ||
	    rte_vhost_driver_set_protocol_features(e->path, pf) != 0 ||
	    rte_vhost_driver_attach_vdpa_device(e->path, e->vdpa) != 0 ||
	    rte_vhost_driver_callback_register(e->path, &notify_ops) != 0 ||
	    rte_vhost_driver_start(e->path) != 0) {
		fprintf(stderr, "%s: cannot set up the socket\n", e->path);
		return -1;
	}
	printf("ctlpath-vhost: ready socket=%s device=%s\n", e->path,
	       rte_dev_name(rte_vdpa_get_rte_device(e->vdpa)));
	return 0;
}

int
main(int argc, char **argv)
{
	sigset_t sigs;
	char **eal_argv;
	int eal_argc, ret, sig = 0, rc = 0;
	unsigned int i;

	/* Block the exit signals in every thread EAL and vhost create; main waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	eal_argv = with_plugin(argc, argv, &eal_argc);
	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (parse_args(eal_argc - ret, eal_argv + ret) != 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	for (i = 0; i < n_entries && rc == 0; i++)
		rc = setup_entry(&entries[i]);
	if (rc == 0) {
		printf("ctlpath-vhost: running\n");
		fflush(stdout);
		while (sigwait(&sigs, &sig) != 0)
			;
		printf("ctlpath-vhost: signal %d, exiting\n", sig);
	}
	for (i = 0; i < n_entries; i++)
		if (entries[i].registered)
			rte_vhost_driver_unregister(entries[i].path);
	rte_eal_cleanup();
	fflush(stdout);
	if (eal_argv != argv)
		free(eal_argv);
	return rc == 0 ? 0 : 1;
}
