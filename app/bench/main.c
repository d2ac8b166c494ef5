/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctlpath-bench: runs the benchmark named by its first argument. Benchmarks register
 * themselves (see bench.h), so adding one touches only its own file and meson.build.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

bool bench_json;
static struct bench *benches;

void
bench_register(struct bench *b)
{
	struct bench **p = &benches;

	/* keep the list sorted by name so --help is stable */
	while (*p != NULL && strcmp((*p)->name, b->name) < 0)
		p = &(*p)->next;
	b->next = *p;
	*p = b;
}

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bench_percentile(double *v, unsigned int n, double p)
{
	double rank;
	unsigned int lo;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = p / 100.0 * (n - 1);
	lo = (unsigned int)rank;
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (rank - lo) * (v[lo + 1] - v[lo]);
}

double
bench_median(double *v, unsigned int n)
{
	return bench_percentile(v, n, 50.0);
}

void
bench_report(const char *bench, const char *metric, double value, const char *unit,
	     const char *baseline, double baseline_value, bool lower_is_better)
{
	double ratio = NAN;

	if (baseline != NULL && value > 0 && baseline_value > 0)
		ratio = lower_is_better ? baseline_value / value : value / baseline_value;
	if (bench_json) {
		printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"",
		       bench, metric, value, unit);
		if (baseline != NULL)
			printf(",\"baseline\":\"%s\",\"baseline_value\":%.6g,\"ratio\":%.4g",
			       baseline, baseline_value, isnan(ratio) ? 0.0 : ratio);
		else
			printf(",\"baseline\":null,\"baseline_value\":null,\"ratio\":null");
		printf("}\n");
	} else if (baseline != NULL) {
		printf("%-10s %-34s %12.4g %-8s | %-22s %12.4g | x%.2f\n", bench, metric, value,
		       unit, baseline, baseline_value, ratio);
	} else {
		printf("%-10s %-34s %12.4g %-8s\n", bench, metric, value, unit);
	}
	fflush(stdout);
}

static void
usage(const char *prog)
{
	const struct bench *b;

	fprintf(stderr, "usage: %s [--json] BENCH [options]\n\nbenchmarks:\n", prog);
	for (b = benches; b != NULL; b = b->next)
		fprintf(stderr, "  %-10s %s\n", b->name, b->help);
	fprintf(stderr, "\nratio > 1 means ctlpath is better than the baseline of the same run\n");
}

int
main(int argc, char **argv)
{
	const char *prog = argv[0];
	struct bench *b;

	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "--json") == 0) {
			bench_json = true;
		} else {
			usage(prog);
			return strcmp(argv[1], "--help") == 0 ? 0 : 2;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		usage(prog);
		return 2;
	}
	for (b = benches; b != NULL; b = b->next)
		if (strcmp(b->name, argv[1]) == 0)
			return b->run(argc - 1, argv + 1) == 0 ? 0 : 1;
	fprintf(stderr, "%s: unknown benchmark '%s'\n", prog, argv[1]);
	usage(prog);
	return 2;
}
