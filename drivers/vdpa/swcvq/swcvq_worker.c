/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device thread: one per device. It serves the CVQ through lib/netctrl and lets the vendor
 * serve the data rings, either sleeping on the kick eventfds (poll=event) or polling the rings
 * without sleeping (poll=busy).
 *
 * The kick fds it waits on are the device's own copies, opened and closed under dev->lock, and
 * every change bumps dev->epoch. The thread only reads an fd epoll reported if the epoch is
 * still the one the epoll set was built for (checked under the lock), so a closed and reused fd
 * number is never read; on an epoch change it builds a fresh epoll set.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_vhost.h>

#include "swcvq_priv.h"

#define CVQ_BUDGET 32
#define CVQ_ROUNDS 4
#define MAX_EVENTS 64
#define SERVE_ROUNDS 8
/* Sleep bound in event mode: a safety net, every real change wakes the thread. */
#define EVENT_TIMEOUT_MS 1000

void
swcvq_worker_kick(struct swcvq_dev *dev)
{
	uint64_t one = 1;

	if (dev->ctl_fd >= 0 && write(dev->ctl_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		dev->st.errors++;
}

static void
drain_fd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;	/* nothing pending (EAGAIN) is fine */
}

/* Serve the CVQ (lock held). */
static unsigned int
serve_cvq(struct swcvq_dev *dev)
{
	struct swcvq_queue *q = &dev->q[dev->cvq_index];
	unsigned int ev = 0, done = 0, r;
	uint64_t one = 1;
	int n;

	if (dev->nc == NULL || !q->running)
		return 0;
	for (r = 0; r < CVQ_ROUNDS; r++) {
		unsigned int e = 0;

		n = netctrl_poll(dev->nc, CVQ_BUDGET, &e);
		ev |= e;
		if (n <= 0)
			break;
		done += n;
		if (n < CVQ_BUDGET)
			break;
	}
	if ((ev & NETCTRL_EV_NOTIFY) && q->vr.callfd >= 0 &&
	    write(q->vr.callfd, &one, sizeof(one)) == sizeof(one))
		dev->st.cvq_notifies++;
	if (ev & NETCTRL_EV_NEEDS_RESET) {
		dev->st.needs_reset++;
		/* Tell the frontend the config changed (needs the backend channel). */
		if (dev->vid >= 0)
			rte_vhost_slave_config_change(dev->vid, false);
	}
	return done;
}

static unsigned int
serve(struct swcvq_dev *dev)
{
	return serve_cvq(dev) + dev->vendor->service(dev);
}

static int
build_epoll(struct swcvq_dev *dev, int old)
{
	struct epoll_event e = { .events = EPOLLIN };
	uint16_t i;
	int ep;

	if (old >= 0)
		close(old);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -1;
	e.data.u32 = UINT32_MAX;
	epoll_ctl(ep, EPOLL_CTL_ADD, dev->ctl_fd, &e);
	for (i = 0; i < SWCVQ_MAX_VRINGS; i++) {
		if (!dev->q[i].running || dev->q[i].kickfd < 0)
			continue;
		e.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, dev->q[i].kickfd, &e) != 0)
			dev->st.errors++;
	}
	return ep;
}

static void
run_event(struct swcvq_dev *dev)
{
	struct epoll_event evs[MAX_EVENTS];
	uint32_t epoch;
	int ep, n, i, r, timeout = EVENT_TIMEOUT_MS;
	unsigned int work = 0;

	pthread_mutex_lock(&dev->lock);
	epoch = dev->epoch;
	ep = build_epoll(dev, -1);
	pthread_mutex_unlock(&dev->lock);
	if (ep < 0)
		return;
	while (!atomic_load_explicit(&dev->stop, memory_order_acquire)) {
		n = epoll_wait(ep, evs, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&dev->lock);
		for (i = 0; i < n; i++) {
			uint32_t k = evs[i].data.u32;

			if (k == UINT32_MAX) {
				drain_fd(dev->ctl_fd);
			} else if (epoch == dev->epoch && dev->q[k].kickfd >= 0) {
				drain_fd(dev->q[k].kickfd);
				dev->q[k].kicks++;
			}
		}
		if (epoch != dev->epoch) {
			epoch = dev->epoch;
			ep = build_epoll(dev, ep);
		}
		/* Serve everything: a kick may have been drained by an earlier wake-up. A bounded
		 * number of rounds keeps the lock available; leftover work polls again at once. */
		for (r = 0; r < SERVE_ROUNDS; r++) {
			work = serve(dev);
			if (work == 0)
				break;
		}
		timeout = work > 0 ? 0 : EVENT_TIMEOUT_MS;
		pthread_mutex_unlock(&dev->lock);
		if (ep < 0)
			return;
	}
	close(ep);
}

static void
run_busy(struct swcvq_dev *dev)
{
	while (!atomic_load_explicit(&dev->stop, memory_order_acquire)) {
		pthread_mutex_lock(&dev->lock);
		serve(dev);
		pthread_mutex_unlock(&dev->lock);
		/* Let the message thread or telemetry in: the mutex is not fair. */
		while (atomic_load_explicit(&dev->waiters, memory_order_relaxed) > 0)
			sched_yield();
	}
}

static void *
worker_main(void *arg)
{
	struct swcvq_dev *dev = arg;

	if (dev->conf.busy_poll)
		run_busy(dev);
	else
		run_event(dev);
	return NULL;
}

int
swcvq_worker_start(struct swcvq_dev *dev)
{
	char name[16];
	int rc;

	atomic_store(&dev->stop, false);
	rc = pthread_create(&dev->thread, NULL, worker_main, dev);
	if (rc != 0)
		return -rc;
	/* thread names hold 15 characters: keep the tail of the device name */
	snprintf(name, sizeof(name), "swcvq-%.9s", dev->name + (strlen(dev->name) > 9 ?
		 strlen(dev->name) - 9 : 0));
	pthread_setname_np(dev->thread, name);
	return 0;
}

void
swcvq_worker_stop(struct swcvq_dev *dev)
{
	atomic_store_explicit(&dev->stop, true, memory_order_release);
	pthread_mutex_lock(&dev->lock);
	swcvq_worker_kick(dev);
	pthread_mutex_unlock(&dev->lock);
	pthread_join(dev->thread, NULL);
}
