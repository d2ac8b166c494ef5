/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon a ctlpath-vhost test program shares between its cases, and telemetry look-ups
 * (declared in swcvq_test_util.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "test.h"
#include "swcvq_test_util.h"

struct vu_backend swt_be;
static bool swt_be_up;

static void
stop_at_exit(void)
{
	if (swt_be_up)
		vu_backend_stop(&swt_be);
}

int
swt_backend(const char *tag, const char *devargs)
{
	static bool registered;
	int rc;

	if (swt_be_up)
		return 0;
	rc = vu_backend_start(&swt_be, tag, devargs, false);
	if (rc == 0) {
		swt_be_up = true;
		if (!registered)
			atexit(stop_at_exit);
		registered = true;
	}
	return rc;
}

int
swt_daemon_exits_cleanly(void)
{
	int st;

	st = vu_backend_stop(&swt_be);
	swt_be_up = false;
	TEST_ASSERT(st >= 0, "daemon stopped within 10 s (%d)", st);
	TEST_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status 0 (raw %d, log %s)", st,
		    swt_be.log);
	unlink(swt_be.log);
	return TEST_SUCCESS;
}

long long
swt_json_int(const char *json, const char *scope, const char *key)
{
	long long v = -1;

	if (vu_json_int(json, scope, key, &v) != 0)
		printf("  telemetry has no \"%s\" after %s\n", key, scope ? scope : "start");
	return v;
}
