/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTLPATH_TEST_H
#define CTLPATH_TEST_H

/**
 * @file
 * A small DPDK-style unit-test harness: a test program is a table of named cases, each a
 * function returning TEST_SUCCESS, TEST_FAILED or TEST_SKIPPED; the TEST_ASSERT macros return
 * TEST_FAILED from the case with the file, line and message. TEST_MAIN() runs every case (or
 * the ones named on the command line), prints one line per case and exits non-zero if any
 * failed, or 77 (meson's "skipped") if every case skipped.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_SUCCESS 0
#define TEST_FAILED (-1)
#define TEST_SKIPPED 77

#define TEST_ASSERT(cond, msg, ...) do { \
	if (!(cond)) { \
		printf("  FAIL %s:%d: " msg "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_EQUAL(a, b, msg, ...) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { \
		printf("  FAIL %s:%d: %s == %s: %lld != %lld: " msg "\n", __FILE__, __LINE__, \
		       #a, #b, a_, b_, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_SUCCESS(expr, msg, ...) TEST_ASSERT_EQUAL((expr), 0, msg, ##__VA_ARGS__)

#define TEST_SKIP(msg, ...) do { \
	printf("  SKIP: " msg "\n", ##__VA_ARGS__); \
	return TEST_SKIPPED; \
} while (0)

struct test_case {
	const char *name;
	int (*fn)(void);
};

#define TEST_CASE(f) { #f, f }

static inline int
test_run_cases(const char *suite, const struct test_case *cases, unsigned int n, int argc,
	       char **argv)
{
	unsigned int i, passed = 0, failed = 0, skipped = 0;
	int a, rc;

	for (i = 0; i < n; i++) {
		if (argc > 1) {
			for (a = 1; a < argc; a++)
				if (strcmp(argv[a], cases[i].name) == 0)
					break;
			if (a == argc)
				continue;
		}
		printf("[ RUN  ] %s.%s\n", suite, cases[i].name);
		fflush(stdout);
		rc = cases[i].fn();
		if (rc == TEST_SUCCESS)
			passed++;
		else if (rc == TEST_SKIPPED)
			skipped++;
		else
			failed++;
		printf("[ %s ] %s.%s\n", rc == TEST_SUCCESS ? " OK " :
		       rc == TEST_SKIPPED ? "SKIP" : "FAIL", suite, cases[i].name);
		fflush(stdout);
	}
	printf("%s: %u passed, %u failed, %u skipped\n", suite, passed, failed, skipped);
	if (failed)
		return 1;
	return passed == 0 && skipped > 0 ? 77 : 0;
}

/** Define main() running the cases of an array named @p cases. */
#define TEST_MAIN(suite, cases) \
	int main(int argc, char **argv) \
	{ \
		return test_run_cases(suite, cases, sizeof(cases) / sizeof(cases[0]), argc, argv); \
	}

#endif /* CTLPATH_TEST_H */
