/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_BENCH_H
#define CTLPATH_BENCH_H

/**
 * @file
 * ctlpath-bench: one program, one subcommand per benchmark.
 *
 * A benchmark registers itself with BENCH_REGISTER() from its own file; main.c knows none of
 * them by name. Every figure is reported through bench_report(), which prints a row of the
 * human table, or with --json one JSON object per line:
 *   {"bench":..., "metric":..., "value":..., "unit":..., "baseline":..., "baseline_value":...,
 *    "ratio":...}
 * where ratio > 1 means ctlpath is better than the baseline measured in the same run.
 */

#include <stdbool.h>
#include <stdint.h>

struct bench {
	const char *name;	/**< subcommand */
	const char *help;	/**< one line for --help */
	/** Run the benchmark; argv[0] is the subcommand. Return 0, or non-zero on failure. */
	int (*run)(int argc, char **argv);
	struct bench *next;
};

void bench_register(struct bench *b);

#define BENCH_REGISTER(b) \
	__attribute__((constructor)) static void bench_register_##b(void) { bench_register(&(b)); }

/** True when --json was given: print JSON lines instead of the table. */
extern bool bench_json;

/**
 * Report one figure.
 *
 * @param bench      benchmark name (the subcommand)
 * @param metric     what was measured, e.g. "ns_per_xn_1thread"
 * @param value      ctlpath's figure
 * @param unit       unit of value and baseline_value
 * @param baseline   name of the baseline measured in the same run, or NULL
 * @param baseline_value the baseline's figure (ignored when baseline is NULL)
 * @param lower_is_better true for times, false for rates: decides how the ratio is formed so
 *                   that ratio > 1 always means ctlpath is better
 */
void bench_report(const char *bench, const char *metric, double value, const char *unit,
		  const char *baseline, double baseline_value, bool lower_is_better);

/** Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/** Median of n doubles (sorts the array in place). */
double bench_median(double *v, unsigned int n);

/** p-th percentile (0..100) of n doubles (sorts the array in place). */
double bench_percentile(double *v, unsigned int n, double p);

#endif /* CTLPATH_BENCH_H */
