/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Devargs of the emulated idpf device: one table of keys, each with its parser and range, so
 * that every rejection names the key and what it wanted.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "emu.h"

enum conf_kind { K_U32, K_U16, K_U64, K_PROB, K_FUNC };

struct conf_key {
	const char *key;
	enum conf_kind kind;
	size_t off;
	uint64_t min, max;
	const char *what;
};

#define F(f) offsetof(struct emu_conf, f)
static const struct conf_key conf_keys[] = {
	{ "func", K_FUNC, F(func), 0, 0, "pf or vf" },
	{ "latency_us", K_U32, F(latency_us), 0, 10000000, "microseconds in [0, 10000000]" },
	{ "jitter_us", K_U32, F(jitter_us), 0, 10000000, "microseconds in [0, 10000000]" },
	{ "reorder", K_U16, F(reorder), 0, 64, "a window in [0, 64]" },
	{ "drop", K_PROB, F(drop), 0, 0, "a probability in [0, 1]" },
	{ "dup", K_PROB, F(dup), 0, 0, "a probability in [0, 1]" },
	{ "late", K_PROB, F(late), 0, 0, "a probability in [0, 1]" },
	{ "err", K_PROB, F(err), 0, 0, "a probability in [0, 1]" },
	{ "late_ms", K_U32, F(late_ms), 1, 600000, "milliseconds in [1, 600000]" },
	{ "seed", K_U64, F(seed), 0, UINT64_MAX, "an unsigned 64-bit integer" },
	{ "poll_us", K_U32, F(poll_us), 0, 1000000, "microseconds in [0, 1000000]" },
	{ "vports", K_U16, F(res.max_vports), 1, 16, "a count in [1, 16]" },
	{ "queues", K_U16, F(res.max_queues), 1, 512, "a count in [1, 512]" },
	{ "vectors", K_U16, F(res.max_vectors), 2, 1024, "a count in [2, 1024]" },
	{ "rss_lut", K_U16, F(res.rss_lut_size), 1, 512, "entries in [1, 512]" },
	{ "rss_key", K_U16, F(res.rss_key_size), 1, 52, "bytes in [1, 52]" },
	{ "macs", K_U16, F(res.max_mac_filters), 1, 512, "a count in [1, 512]" },
	{ "mtu", K_U32, F(res.max_mtu), 68, 9728, "bytes in [68, 9728]" },
};
#undef F

void
emu_conf_default(struct emu_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->func = IDPF_FUNC_PF;
	conf->late_ms = 3000;
	conf->seed = 1;
	conf->poll_us = 50;
	conf->res.max_vports = 4;
	conf->res.max_queues = 64;
	conf->res.max_vectors = 64;
	conf->res.rss_lut_size = 64;
	conf->res.rss_key_size = 52;
	conf->res.max_mac_filters = 64;
	conf->res.max_mtu = 9000;
}

static const struct conf_key *
key_find(const char *key)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(conf_keys); i++)
		if (strcmp(conf_keys[i].key, key) == 0)
			return &conf_keys[i];
	return NULL;
}

/* Parse one value into conf; 0 or -EINVAL. */
static int
key_parse(const struct conf_key *k, const char *val, struct emu_conf *conf)
{
	uint8_t *field = (uint8_t *)conf + k->off;
	unsigned long long u;
	char *end;
	double p;

	if (val == NULL || *val == '\0')
		return -EINVAL;
	switch (k->kind) {
	case K_FUNC:
		if (strcmp(val, "pf") == 0)
			conf->func = IDPF_FUNC_PF;
		else if (strcmp(val, "vf") == 0)
			conf->func = IDPF_FUNC_VF;
		else
			return -EINVAL;
		return 0;
	case K_PROB:
		errno = 0;
		p = strtod(val, &end);
		if (errno != 0 || *end != '\0' || !isfinite(p) || p < 0.0 || p > 1.0)
			return -EINVAL;
		memcpy(field, &p, sizeof(p));
		return 0;
	default:
		if (val[0] == '-')
			return -EINVAL;
		errno = 0;
		u = strtoull(val, &end, 0);
		if (errno != 0 || *end != '\0' || u < k->min || u > k->max)
			return -EINVAL;
		if (k->kind == K_U16) {
			uint16_t v = (uint16_t)u;

			memcpy(field, &v, sizeof(v));
		} else if (k->kind == K_U32) {
			uint32_t v = (uint32_t)u;

			memcpy(field, &v, sizeof(v));
		} else {
			uint64_t v = u;

			memcpy(field, &v, sizeof(v));
		}
		return 0;
	}
}

int
emu_conf_parse(const char *args, struct emu_conf *conf, char *err, size_t errlen)
{
	struct rte_kvargs *kv;
	unsigned int i;
	int ret = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	emu_conf_default(conf);
	if (args == NULL || args[0] == '\0')
		return 0;
	/* no key list: we check keys ourselves, so that the message can name the bad one */
	kv = rte_kvargs_parse(args, NULL);
	if (kv == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "malformed devargs '%s' (want key=value,...)", args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key, *val = kv->pairs[i].value;
		const struct conf_key *k = key_find(key);

		if (k == NULL) {
			if (err != NULL)
				snprintf(err, errlen, "unknown key '%s'", key);
			ret = -EINVAL;
			break;
		}
		if (key_parse(k, val, conf) != 0) {
			if (err != NULL)
				snprintf(err, errlen, "key '%s': bad value '%s', want %s", key,
					 val ? val : "", k->what);
			ret = -EINVAL;
			break;
		}
	}
	rte_kvargs_free(kv);
	return ret;
}
