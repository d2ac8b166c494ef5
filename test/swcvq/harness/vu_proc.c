/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers: start and stop a backend process, talk to DPDK telemetry, pick numbers and
 * strings out of its JSON replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vu_frontend.h"

pid_t
vu_proc_start(char *const argv[], const char *log_path)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (log_path != NULL) {
			fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int
vu_proc_stop(pid_t pid, int sig, unsigned int timeout_ms)
{
	unsigned int waited = 0;
	int st;
	pid_t r;

	if (sig != 0)
		kill(pid, sig);
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0)
			return -errno;
		if (waited >= timeout_ms)
			break;
		usleep(10 * 1000);
		waited += 10;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -ETIMEDOUT;
}

bool
vu_proc_alive(pid_t pid)
{
	int st;

	return waitpid(pid, &st, WNOHANG) == 0;
}

int
vu_telemetry(const char *file_prefix, const char *cmd, char *out, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd p;
	ssize_t n;
	int fd, rc;

	if (cap < 2)
		return -EINVAL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2",
		 file_prefix);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		goto out;
	}
	p.fd = fd;
	p.events = POLLIN;
	/* the server greets first with its version and output limit */
	if (poll(&p, 1, 2000) != 1 || recv(fd, out, cap - 1, 0) <= 0) {
		rc = -EPROTO;
		goto out;
	}
	if (send(fd, cmd, strlen(cmd), 0) < 0) {
		rc = -errno;
		goto out;
	}
	if (poll(&p, 1, 2000) != 1) {
		rc = -ETIMEDOUT;
		goto out;
	}
	n = recv(fd, out, cap - 1, 0);
	if (n <= 0) {
		rc = -EPROTO;
		goto out;
	}
	out[n] = '\0';
	rc = (int)n;
out:
	close(fd);
	return rc;
}

/* Position just after "key": (past blanks), or NULL. */
static const char *
json_find(const char *json, const char *after, const char *key)
{
	char pat[128];
	const char *p = json;

	if (after != NULL) {
		p = strstr(json, after);
		if (p == NULL)
			return NULL;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	if (p == NULL)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	return p;
}

int
vu_json_int(const char *json, const char *after, const char *key, long long *val)
{
	const char *p = json_find(json, after, key);
	char *end;

	if (p == NULL)
		return -ENOENT;
	if (strncmp(p, "true", 4) == 0) {
		*val = 1;
		return 0;
	}
	if (strncmp(p, "false", 5) == 0) {
		*val = 0;
		return 0;
	}
	if (*p == '"')
		p++;
	*val = strtoll(p, &end, 0);
	return end == p ? -ENOENT : 0;
}

int
vu_json_str(const char *json, const char *after, const char *key, char *out, size_t cap)
{
	const char *p = json_find(json, after, key);
	size_t i = 0;

	if (p == NULL || *p != '"' || cap == 0)
		return -ENOENT;
	p++;
	while (*p != '\0' && *p != '"' && i + 1 < cap)
		out[i++] = *p++;
	out[i] = '\0';
	return 0;
}

int
vu_backend_start(struct vu_backend *b, const char *tag, const char *devargs, bool client)
{
	const char *bin = getenv("CTLPATH_VHOST"), *plugin = getenv("SWCVQ_PLUGIN");
	char vdev[256], pfx[96];
	char *argv[32];
	unsigned int waited = 0;
	int a = 0;

	memset(b, 0, sizeof(*b));
	if (bin == NULL || bin[0] == '\0' || access(bin, X_OK) != 0)
		return -ENOENT;
	snprintf(b->prefix, sizeof(b->prefix), "vu%s%d", tag, (int)getpid());
	snprintf(b->sock, sizeof(b->sock), "/tmp/%s.sock", b->prefix);
	snprintf(b->log, sizeof(b->log), "/tmp/%s.log", b->prefix);
	snprintf(vdev, sizeof(vdev), "vdpa_swcvq0,%s", devargs);
	snprintf(pfx, sizeof(pfx), "--file-prefix=%s", b->prefix);
	unlink(b->sock);
	argv[a++] = (char *)bin;
	argv[a++] = "-l";
	argv[a++] = "0,1";
	argv[a++] = "--no-pci";
	argv[a++] = "--huge-unlink";
	argv[a++] = "-m";
	argv[a++] = "64";
	argv[a++] = pfx;
	argv[a++] = "--log-level=lib.eal:error";
	if (plugin != NULL && plugin[0] != '\0') {
		argv[a++] = "-d";
		argv[a++] = (char *)plugin;
	}
	argv[a++] = "--vdev";
	argv[a++] = vdev;
	argv[a++] = "--";
	argv[a++] = "--socket";
	argv[a++] = b->sock;
	if (client)
		argv[a++] = "--client";
	argv[a] = NULL;
	b->pid = vu_proc_start(argv, b->log);
	if (b->pid < 0)
		return (int)b->pid;
	if (client)
		return 0;
	while (access(b->sock, F_OK) != 0) {
		if (!vu_proc_alive(b->pid) || waited >= 20000) {
			vu_proc_stop(b->pid, SIGKILL, 1000);
			b->pid = 0;
			return -ETIMEDOUT;
		}
		usleep(20 * 1000);
		waited += 20;
	}
	return 0;
}

int
vu_backend_stop(struct vu_backend *b)
{
	int st;

	if (b->pid <= 0)
		return -ESRCH;
	st = vu_proc_stop(b->pid, SIGTERM, 10000);
	b->pid = 0;
	unlink(b->sock);
	return st;
}
