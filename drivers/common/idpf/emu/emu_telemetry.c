/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry of emulated devices and their DPDK telemetry endpoints:
 *   /ctlpath/idpf_emu/list              names of the devices
 *   /ctlpath/idpf_emu/mailbox,<name>    mailbox registers and engine counters
 *   /ctlpath/idpf_emu/state,<name>      control-plane state (emu_cp_telemetry())
 * The registry lock is held while a command reads a device, so emu_destroy() (which leaves
 * the registry first) never frees a device under a reader.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_telemetry.h>

#include "emu_priv.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_dev *registry;
static int telemetry_registered;

static struct emu_dev *
lookup_locked(const char *name)
{
	struct emu_dev *d;

	for (d = registry; d != NULL; d = d->next)
		if (name != NULL && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static int
tel_list(const char *cmd, const char *params, struct rte_tel_data *out)
{
	struct emu_dev *d;

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(out, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&registry_lock);
	for (d = registry; d != NULL; d = d->next)
		rte_tel_data_add_array_string(out, d->name);
	pthread_mutex_unlock(&registry_lock);
	return 0;
}

#define ADD_U64(out, st, f) rte_tel_data_add_dict_u64(out, #f, (st).f)

static int
tel_mailbox(const char *cmd, const char *params, struct rte_tel_data *out)
{
	static const char *const reg_names[R_NB] = {
		"atq_bal", "atq_bah", "atq_len", "atq_head", "atq_tail",
		"arq_bal", "arq_bah", "arq_len", "arq_head", "arq_tail", "rstat", "ctrl",
	};
	struct emu_stats st;
	struct emu_dev *d;
	unsigned int pending;
	int i;

	(void)cmd;
	pthread_mutex_lock(&registry_lock);
	d = lookup_locked(params);
	if (d == NULL) {
		pthread_mutex_unlock(&registry_lock);
		return -EINVAL;
	}
	emu_stats_get(d, &st);
	pthread_mutex_lock(&d->lock);
	pending = d->nb_pending;
	pthread_mutex_unlock(&d->lock);
	rte_tel_data_start_dict(out);
	rte_tel_data_add_dict_string(out, "name", d->name);
	rte_tel_data_add_dict_string(out, "layout", d->layout->name);
	for (i = 0; i < R_NB; i++)
		rte_tel_data_add_dict_u64(out, reg_names[i],
					  __atomic_load_n(&d->regs[i], __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(out, "pending_replies", pending);
	ADD_U64(out, st, requests);
	ADD_U64(out, st, replies);
	ADD_U64(out, st, atq_errors);
	ADD_U64(out, st, arq_errors);
	ADD_U64(out, st, ring_errors);
	ADD_U64(out, st, dropped);
	ADD_U64(out, st, duplicated);
	ADD_U64(out, st, late);
	ADD_U64(out, st, errors);
	ADD_U64(out, st, reordered);
	ADD_U64(out, st, corrupted);
	ADD_U64(out, st, arq_waits);
	ADD_U64(out, st, overflows);
	ADD_U64(out, st, events);
	ADD_U64(out, st, interrupts);
	ADD_U64(out, st, resets);
	pthread_mutex_unlock(&registry_lock);
	return 0;
}

static int
tel_state(const char *cmd, const char *params, struct rte_tel_data *out)
{
	struct emu_dev *d;
	int ret;

	(void)cmd;
	pthread_mutex_lock(&registry_lock);
	d = lookup_locked(params);
	if (d == NULL) {
		pthread_mutex_unlock(&registry_lock);
		return -EINVAL;
	}
	rte_tel_data_start_dict(out);
	/* emu_cp_telemetry() takes the control plane's own lock */
	ret = emu_cp_telemetry(d->cp, out);
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

int
emu_registry_add(struct emu_dev *dev)
{
	pthread_mutex_lock(&registry_lock);
	if (lookup_locked(dev->name) != NULL) {
		pthread_mutex_unlock(&registry_lock);
		return -EEXIST;
	}
	if (!telemetry_registered) {
		/* failures only cost observability: the device works without them */
		rte_telemetry_register_cmd("/ctlpath/idpf_emu/list", tel_list,
					   "Names of the emulated idpf devices");
		rte_telemetry_register_cmd("/ctlpath/idpf_emu/mailbox", tel_mailbox,
					   "Mailbox registers and counters. Parameter: name");
		rte_telemetry_register_cmd("/ctlpath/idpf_emu/state", tel_state,
					   "Control-plane state. Parameter: name");
		telemetry_registered = 1;
	}
	dev->next = registry;
	registry = dev;
	pthread_mutex_unlock(&registry_lock);
	return 0;
}

void
emu_registry_del(struct emu_dev *dev)
{
	struct emu_dev **p;

	pthread_mutex_lock(&registry_lock);
	for (p = &registry; *p != NULL; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
}
