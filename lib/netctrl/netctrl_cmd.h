/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETCTRL_CMD_H
#define NETCTRL_CMD_H

/*
 * Vendor callers shared by command dispatch and replay: each hands decoded arguments to one
 * vendor callback and returns its netctrl_status (NETCTRL_ERR when the callback is missing).
 */

#include "netctrl_priv.h"

typedef int (*nc_call_fn)(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
			  const union nc_args *a);

int nc_call_rx(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a);
int nc_call_mac_table(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		      const union nc_args *a);
int nc_call_mac_addr(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		     const union nc_args *a);
int nc_call_vlan_add(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		     const union nc_args *a);
int nc_call_vlan_del(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		     const union nc_args *a);
int nc_call_announce(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		     const union nc_args *a);
int nc_call_pairs(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a);
int nc_call_rss(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a);
int nc_call_hash(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a);
int nc_call_offloads(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		     const union nc_args *a);
int nc_call_coal(const struct netctrl_ops *ops, void *ctx, uint64_t tok, const union nc_args *a);
int nc_call_tunnel(const struct netctrl_ops *ops, void *ctx, uint64_t tok,
		   const union nc_args *a);

#endif /* NETCTRL_CMD_H */
