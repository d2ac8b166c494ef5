#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A Linux guest's own virtio_net driver drives the software CVQ of ctlpath-vhost (issue 8).

QEMU 10.0.2 built by devtools/qemu-vud.sh exposes `vhost-user-device-pci,virtio-id=1`, which
hands every virtqueue, the CVQ included, to the backend. ctlpath-vhost serves two vdpa_swcvq
devices (vendor sim: frames the guest sends are looped back through the vendor's rx filters):
dev0 offers packed rings, dev1 split only (devarg packed=0).

Runs (each a fresh TCG boot of the Debian 6.12 kernel with a busybox initramfs):
  1. dev0 (packed), full script;  2. dev0 again (reconnect), short script;  3. dev1 (split), full.
The guest script stops after each step ("E2E-STEP name k=v ...") until this script has checked
the backend's telemetry state and the looped-back traffic, then answers on the serial console.
Steps: probe (MQ command answered, MAC from config space), link up, MAC ADDR_SET, foreign
unicast filtered, promisc on/off, allmulti on/off, multicast join/leave (MAC TABLE_SET), VLAN
add/del, ethtool -L combined 2/1, ethtool -X and -N (RSS), ethtool -C (coalescing), ethtool -K
rx-gro-hw off/on/off (GUEST_OFFLOADS_SET: the sim offers GUEST_CSUM and GUEST_TSO4/6, so the
guest posts "big packet" receive chains; jumbo frames (MTU 9000) must come back whole across
their pages), clean poweroff (no command left pending). The second boot first checks the
shadow state was reset.
Prints the per-run wall time and the commands counted by the backend (cmd_ok / cmd_err).

Usage: e2e_vud.py WORKDIR  (environment: CTLPATH_VHOST; optional QEMU_VUD = a prebuilt binary)
Exit 77 (skipped) with a message without network, packages, QEMU or the daemon.
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestimg  # noqa: E402
from guestimg import fail, skip  # noqa: E402

PAIRS = 2
MACS = ['52:54:00:12:34:56', '52:54:00:12:34:57']
NEW_MAC = '52:54:00:aa:bb:cc'
FOREIGN_MAC = '02:de:ad:be:ef:01'
GROUP, GROUP_MAC = '239.1.2.3', '01:00:5e:01:02:03'
OTHER_GROUP = '239.1.2.4'
VLAN = 10
MTU = 9000
JUMBO = 8000             # ICMP payload of the frames that must span pages of a big chain
# virtio-net feature bits the guest-offload steps look at
F_GUEST_CSUM, F_CTRL_GUEST_OFFLOADS, F_GUEST_TSO4, F_GUEST_TSO6, F_MRG_RXBUF = 1, 2, 7, 8, 15
OFFL_ALL = (1 << F_GUEST_CSUM) | (1 << F_GUEST_TSO4) | (1 << F_GUEST_TSO6)
OFFL_NO_GRO = 1 << F_GUEST_CSUM   # Linux clears only its GRO_HW set (TSO4/6, ECN, UFO, USO)
RUN_BUDGET = 90          # seconds per boot before the test gives up

GUEST_BODY = r'''
# busybox sh runs its own applets first: the iproute2 and ethtool binaries by full path
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
MODE=$(sed -n 's/.*e2e=\([a-z]*\).*/\1/p' /proc/cmdline)
step() { echo "E2E-STEP $*"; read -r ack; [ "$ack" = ok ] || { echo "E2E-ABORT $ack"; poweroff -f; }; }
rxc() { cat /sys/class/net/${2:-eth0}/statistics/rx_packets; }
# frames to $1 (static neighbour with lladdr $2 on dev $3): print how many came back
probe() {
	/usr/sbin/ip neigh replace $1 lladdr $2 dev ${3:-eth0} nud permanent || echo E2E-ABORT neigh
	a=$(rxc x ${3:-eth0}); ping -q -c 3 -i 0.1 -W 1 -w 1 $1 >/dev/null 2>&1; sleep 0.2
	echo $(( $(rxc x ${3:-eth0}) - a ))
}
mself() { probe 169.254.10.50 $(cat /sys/class/net/eth0/address); }
# jumbo frames to ourselves: "frames:bytes" that came back
jumbo() {
	a=$(rxc); b=$(cat /sys/class/net/eth0/statistics/rx_bytes)
	ping -q -c 2 -i 0.1 -W 1 -w 1 -s @JUMBO@ 169.254.10.50 >/dev/null 2>&1; sleep 0.2
	echo $(( $(rxc) - a )):$(( $(cat /sys/class/net/eth0/statistics/rx_bytes) - b ))
}
feat() { /usr/sbin/ethtool -k eth0 | sed -n "s/^$1: \([a-z]*\).*/\1/p"; }
mgrp() { a=$(rxc); ping -q -c 3 -i 0.1 -W 1 -w 1 $1 >/dev/null 2>&1; sleep 0.2; echo $(( $(rxc) - a )); }
for m in $(cat /mods/list); do insmod /mods/$m.ko || echo "E2E-INSMOD-FAIL $m"; done
n=0; while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
step probe mac=$(cat /sys/class/net/eth0/address) mtu=$(cat /sys/class/net/eth0/mtu)
/usr/sbin/ip link set eth0 up; /usr/sbin/ip addr add 169.254.10.1/16 dev eth0
/usr/sbin/ip route add 224.0.0.0/4 dev eth0
n=0; while [ "$(cat /sys/class/net/eth0/operstate)" != up ] && [ $n -lt 30 ]; do sleep 0.1; n=$((n+1)); done
step up oper=$(cat /sys/class/net/eth0/operstate) self=$(mself)
if [ "$MODE" = full ]; then
	/usr/sbin/ip link set eth0 address @NEW_MAC@
	step addr mac=$(cat /sys/class/net/eth0/address) self=$(mself)
	step foreign rx=$(probe 169.254.10.60 @FOREIGN_MAC@)
	/usr/sbin/ip link set eth0 promisc on
	step promisc_on rx=$(probe 169.254.10.60 @FOREIGN_MAC@)
	/usr/sbin/ip link set eth0 promisc off
	step promisc_off rx=$(probe 169.254.10.60 @FOREIGN_MAC@) self=$(mself)
	/usr/sbin/ip link set eth0 allmulticast on
	step allmulti_on rx=$(mgrp @OTHER_GROUP@)
	/usr/sbin/ip link set eth0 allmulticast off
	step allmulti_off rx=$(mgrp @OTHER_GROUP@)
	/usr/sbin/ip maddr add @GROUP_MAC@ dev eth0
	step mc_join rx=$(mgrp @GROUP@) other=$(mgrp @OTHER_GROUP@)
	/usr/sbin/ip maddr del @GROUP_MAC@ dev eth0
	step mc_leave rx=$(mgrp @GROUP@)
	/usr/sbin/ip link add link eth0 name eth0.@VLAN@ type vlan id @VLAN@ && /usr/sbin/ip link set eth0.@VLAN@ up
	/usr/sbin/ip addr add 169.254.20.1/24 dev eth0.@VLAN@
	step vlan_add rx=$(probe 169.254.20.50 $(cat /sys/class/net/eth0/address) eth0.@VLAN@)
	/usr/sbin/ip link del eth0.@VLAN@
	step vlan_del self=$(mself)
	/usr/sbin/ethtool -L eth0 combined 2; rc=$?; sleep 0.5
	step combined2 rc=$rc rxq=$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l) self=$(mself)
	/usr/sbin/ethtool -X eth0 equal 2; rc=$?
	step rss_equal rc=$rc self=$(mself)
	/usr/sbin/ethtool -N eth0 rx-flow-hash udp4 sdfn; rc=$?
	step rss_hash rc=$rc self=$(mself)
	# Linux keeps a user-set indirection table and refuses fewer channels than it names
	/usr/sbin/ethtool -X eth0 default
	/usr/sbin/ethtool -L eth0 combined 1; rc=$?; sleep 0.5
	step combined1 rc=$rc rxq=$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l) self=$(mself)
	/usr/sbin/ethtool -C eth0 rx-usecs 32 rx-frames 8 tx-usecs 16 tx-frames 4; rc=$?
	step coalesce rc=$rc self=$(mself)
	step offloads gro=$(feat rx-gro-hw) rxcsum=$(feat rx-checksumming) self=$(mself) big=$(jumbo)
	/usr/sbin/ethtool -K eth0 rx-gro-hw off; rc=$?
	step gro_off rc=$rc gro=$(feat rx-gro-hw) self=$(mself) big=$(jumbo)
	/usr/sbin/ethtool -K eth0 rx-gro-hw on; rc=$?
	step gro_on rc=$rc gro=$(feat rx-gro-hw) self=$(mself) big=$(jumbo)
	# left off: the second boot must find the default (all negotiated offloads) again
	/usr/sbin/ethtool -K eth0 rx-gro-hw off; rc=$?
	step gro_left_off rc=$rc gro=$(feat rx-gro-hw) self=$(mself)
fi
step down
poweroff -f
'''


def guest_init():
    body = GUEST_BODY
    for k, v in (('@NEW_MAC@', NEW_MAC), ('@FOREIGN_MAC@', FOREIGN_MAC), ('@GROUP@', GROUP),
                 ('@GROUP_MAC@', GROUP_MAC), ('@OTHER_GROUP@', OTHER_GROUP),
                 ('@VLAN@', str(VLAN)), ('@JUMBO@', str(JUMBO))):
        body = body.replace(k, v)
    return guestimg.INIT_PROLOGUE + body


def qemu_binary():
    q = os.environ.get('QEMU_VUD')
    if q:
        return q
    script = os.path.join(guestimg.REPO, 'devtools', 'qemu-vud.sh')
    r = subprocess.run([script], stdout=subprocess.PIPE, text=True)
    if r.returncode == 77:
        skip('QEMU with vhost-user-device-pci unavailable (devtools/qemu-vud.sh said why above)')
    if r.returncode != 0 or not r.stdout.strip():
        fail('devtools/qemu-vud.sh failed (rc %d)' % r.returncode)
    return r.stdout.strip().splitlines()[-1]


class Backend:
    def __init__(self, work, daemon):
        self.prefix = 'e2evud%d' % os.getpid()
        self.socks = [os.path.join(work, 'vh%d.sock' % i) for i in range(2)]
        for s in self.socks:
            if os.path.exists(s):
                os.unlink(s)
        self.log = open(os.path.join(work, 'ctlpath-vhost.log'), 'w')
        args = [daemon, '-l', '0,1', '--no-pci', '--huge-unlink', '-m', '64',
                '--file-prefix=' + self.prefix, '--log-level=lib.eal:error']
        for i in range(2):
            args += ['--vdev', 'vdpa_swcvq%d,vendor=sim,queues=%d,mac=%s,mtu=%d,packed=%d'
                     % (i, PAIRS, MACS[i], MTU, 1 - i)]
        args.append('--')
        for i in range(2):
            args += ['--socket', self.socks[i], '--device', 'vdpa_swcvq%d' % i]
        self.baseline = {}
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if all(os.path.exists(s) for s in self.socks):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        fail('ctlpath-vhost did not create its sockets (log %s)' % self.log.name)

    def state(self, dev):
        name = 'vdpa_swcvq%d' % dev
        return guestimg.telemetry(self.prefix, '/ctlpath/swcvq/state,' + name)[
            '/ctlpath/swcvq/state']

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9


def parse_kv(text):
    return dict(kv.split('=', 1) for kv in text.split() if '=' in kv)


def ncmd(st, key):
    """Count of one command in cmd_ok (keys as the backend names them)."""
    return int(st.get('cmd_ok', {}).get(key, 0))


class Run:
    """One boot: console reader, per-step checks, answers to the guest."""

    def __init__(self, be, dev, mode, qemu, kernel, initrd, work, tag):
        self.be, self.dev, self.mode, self.tag = be, dev, mode, tag
        self.checks = []
        self.prev = None
        self.last = {'cvq': {'chains': -1}}
        self.xfail = []
        self.cmd = [qemu, '-L', '/usr/share/qemu', '-L', '/usr/share/seabios',
                    '-accel', 'tcg', '-M', 'pc', '-m', '512', '-smp', '1', '-nodefaults',
                    '-no-user-config', '-nographic', '-serial', 'stdio', '-no-reboot',
                    '-object', 'memory-backend-memfd,id=mem0,size=512M,share=on',
                    '-machine', 'memory-backend=mem0',
                    '-chardev', 'socket,id=c0,path=' + be.socks[dev],
                    '-device', 'vhost-user-device-pci,id=vud0,chardev=c0,virtio-id=1,'
                    'num_vqs=%d,config_size=24,vq_size=256' % (2 * PAIRS + 1),
                    '-kernel', kernel, '-initrd', initrd,
                    '-append', 'console=ttyS0 panic=-1 quiet e2e=' + mode]

    def check(self, what, ok, detail=''):
        self.checks.append((what, bool(ok)))
        print('%s [%s] %s%s' % ('ok  ' if ok else 'FAIL', self.tag, what,
                                (' (%s)' % (detail,)) if detail and not ok else ''), flush=True)

    def vendor_delta(self, st, key):
        return int(st['vendor'].get(key, 0)) - int(self.prev['vendor'].get(key, 0))

    def on_step(self, name, kv):
        # Commands complete before the guest's ip/ethtool returns; rx-mode changes are queued
        # by the guest to a work item, so wait until the state settles.
        shadow = lambda s: s['shadow']  # noqa: E731
        st = self.be.state(self.dev)
        mac0 = MACS[self.dev]
        self_ok = kv.get('self')
        if self_ok is not None:
            self.check('%s: self-addressed frames looped back' % name, int(self_ok) > 0, kv)
        if name == 'probe':
            dv = st['device']
            self.check('probe: guest MAC is the config-space MAC', kv.get('mac') == mac0, kv)
            self.check('probe: MTU %d from config space' % MTU, kv.get('mtu') == str(MTU), kv)
            answered = sum(int(v) for v in st.get('cmd_ok', {}).values()) + \
                sum(int(v) for v in st.get('cmd_err', {}).values())
            self.check('probe: CVQ served, the probe command(s) answered',
                       dv['cvq_running'] == 1 and st['cvq']['chains'] > 0 and
                       answered == st['cvq']['chains'], (dv, st['cvq']))
            keys = ('mac', 'promisc', 'allmulti', 'mc_count', 'uc_count', 'queue_pairs',
                    'coal_rx_max_usecs', 'coal_tx_max_packets', 'rss_enabled',
                    'guest_offloads')
            if self.mode == 'short':
                sh, base = shadow(st), self.be.baseline[self.dev]
                self.check('reconnect: shadow state reset to what the first probe saw',
                           all(sh[k] == base[k] for k in keys) and sh['mac'] == mac0 and
                           not st.get('shadow_vlans') and not st.get('shadow_mc'), (sh, base))
                self.check('reconnect: a new connection', dv['connects'] >= 2, dv)
            else:
                self.be.baseline[self.dev] = dict(shadow(st))
            self.check('probe: ring layout as offered', dv['packed'] == (1 if self.dev == 0
                                                                      else 0), dv)
        elif name == 'up':
            self.check('up: link up in the guest', kv.get('oper') == 'up', kv)
        elif name == 'addr':
            st = guestimg.wait_for(lambda: self.be.state(self.dev),
                                   lambda s: s['shadow']['mac'] == NEW_MAC)
            self.check('addr: MAC ADDR_SET reached the shadow and the vendor',
                       shadow(st)['mac'] == NEW_MAC and kv.get('mac') == NEW_MAC,
                       shadow(st))
        elif name == 'foreign':
            self.check('foreign unicast not looped back without promisc',
                       kv.get('rx') == '0' and self.vendor_delta(st, 'drop_unicast') >= 3,
                       (kv, st['vendor']))
        elif name in ('promisc_on', 'promisc_off'):
            want = 1 if name == 'promisc_on' else 0
            st = guestimg.wait_for(lambda: self.be.state(self.dev),
                                   lambda s: s['shadow']['promisc'] == want)
            self.check('%s: RX PROMISC %d in the shadow' % (name, want),
                       shadow(st)['promisc'] == want, shadow(st))
            self.check('%s: foreign unicast %slooped back' % (name, '' if want else 'not '),
                       (int(kv.get('rx', 0)) > 0) == bool(want), kv)
        elif name in ('allmulti_on', 'allmulti_off'):
            want = 1 if name == 'allmulti_on' else 0
            st = guestimg.wait_for(lambda: self.be.state(self.dev),
                                   lambda s: s['shadow']['allmulti'] == want)
            self.check('%s: RX ALLMULTI %d in the shadow' % (name, want),
                       shadow(st)['allmulti'] == want, shadow(st))
            self.check('%s: unjoined group %slooped back' % (name, '' if want else 'not '),
                       (int(kv.get('rx', 0)) > 0) == bool(want), kv)
        elif name in ('mc_join', 'mc_leave'):
            join = name == 'mc_join'
            st = guestimg.wait_for(lambda: self.be.state(self.dev),
                                   lambda s: (GROUP_MAC in s.get('shadow_mc', [])) == join)
            self.check('%s: MAC TABLE_SET %s %s' % (name, 'has' if join else 'lacks',
                                                    GROUP_MAC),
                       (GROUP_MAC in st.get('shadow_mc', [])) == join, st.get('shadow_mc'))
            self.check('%s: group frames %slooped back' % (name, '' if join else 'not '),
                       (int(kv.get('rx', 0)) > 0) == join, kv)
            if join:
                self.check('mc_join: other group still filtered', kv.get('other') == '0', kv)
        elif name in ('vlan_add', 'vlan_del'):
            add = name == 'vlan_add'
            st = guestimg.wait_for(lambda: self.be.state(self.dev),
                                   lambda s: (VLAN in s.get('shadow_vlans', [])) == add)
            self.check('%s: VLAN %d %s the shadow table' % (name, VLAN, 'in' if add else
                                                            'out of'),
                       (VLAN in st.get('shadow_vlans', [])) == add, st.get('shadow_vlans'))
            if add:
                self.check('vlan_add: tagged frames looped back', int(kv.get('rx', 0)) > 0, kv)
        elif name in ('combined2', 'combined1'):
            want = 2 if name == 'combined2' else 1
            st = guestimg.wait_for(lambda: self.be.state(self.dev),
                                   lambda s: s['shadow']['queue_pairs'] == want)
            self.check('%s: ethtool -L ok, %d rx queues' % (name, want),
                       kv.get('rc') == '0' and kv.get('rxq') == str(want), kv)
            self.check('%s: MQ command: %d pairs in shadow and vendor' % (name, want),
                       shadow(st)['queue_pairs'] == want and st['vendor']['pairs'] == want,
                       (shadow(st), st['vendor'].get('pairs')))
        elif name in ('rss_equal', 'rss_hash'):
            # Linux 6.12 commits RSS at probe and for ethtool -X / -N: RSS_CONFIG, 308 bytes
            # (its trailer padded by one byte), which the engine must accept
            refused = int(st.get('cmd_err', {}).get('mq_rss_config', 0))
            self.check('%s: ethtool ok, no RSS_CONFIG refused' % name,
                       kv.get('rc') == '0' and refused == 0,
                       (kv, refused, {k: v for k, v in st.get('errors', {}).items() if int(v)}))
            self.check('%s: RSS configured' % name, shadow(st)['rss_enabled'] == 1,
                       shadow(st))
        elif name == 'coalesce':
            sh = shadow(st)
            self.check('coalesce: ethtool -C reached the shadow',
                       kv.get('rc') == '0' and sh['coal_rx_max_usecs'] == 32 and
                       sh['coal_rx_max_packets'] == 8 and sh['coal_tx_max_usecs'] == 16 and
                       sh['coal_tx_max_packets'] == 4, sh)
        elif name in ('offloads', 'gro_off', 'gro_on', 'gro_left_off'):
            self.check_offloads(name, kv)
        elif name == 'down':
            self.last = st
        if self_ok is not None and int(self_ok) > 0:
            self.check('%s: the vendor delivered them (rx_frames +%d)'
                       % (name, self.vendor_delta(st, 'rx_frames')),
                       self.vendor_delta(st, 'rx_frames') >= int(self_ok), st['vendor'])
        self.prev = self.be.state(self.dev)

    def check_offloads(self, name, kv):
        # ethtool -K returns once GUEST_OFFLOADS_SET is answered: no need to wait
        st = self.be.state(self.dev)
        sh, vd = st['shadow'], st['vendor']
        sent = ncmd(st, 'guest_offloads_set') - ncmd(self.prev, 'guest_offloads_set')
        if name == 'offloads':
            feats = int(st['device']['features'], 16)
            want = (1 << F_CTRL_GUEST_OFFLOADS) | OFFL_ALL
            self.check('offloads: guest negotiated CTRL_GUEST_OFFLOADS, GUEST_CSUM, TSO4/6, '
                       'no MRG_RXBUF (big-packet receive chains)',
                       feats & want == want and not feats & (1 << F_MRG_RXBUF),
                       st['device']['features'])
            self.check('offloads: guest has rx-gro-hw and rx-checksumming on',
                       kv.get('gro') == 'on' and kv.get('rxcsum') == 'on', kv)
            on, value = True, OFFL_ALL
        else:
            on = name == 'gro_on'
            value = OFFL_ALL if on else OFFL_NO_GRO
            self.check('%s: ethtool -K rx-gro-hw %s ok, one GUEST_OFFLOADS_SET answered'
                       % (name, 'on' if on else 'off'),
                       kv.get('rc') == '0' and kv.get('gro') == ('on' if on else 'off') and
                       sent == 1 and int(st.get('cmd_err', {}).get('guest_offloads_set', 0)) == 0,
                       (kv, sent, st.get('cmd_err')))
        self.check('%s: guest_offloads %#x in the shadow and the vendor' % (name, value),
                   int(sh['guest_offloads']) == value and int(vd['guest_offloads']) == value,
                   (sh.get('guest_offloads'), vd.get('guest_offloads')))
        if 'big' in kv:
            frames, nbytes = (int(x) for x in kv['big'].split(':'))
            self.check('%s: %d-byte frames looped back whole into big-packet chains'
                       % (name, JUMBO + 42),
                       frames >= 1 and nbytes >= frames * (JUMBO + 42) and
                       self.vendor_delta(st, 'drop_small_buffer') == 0 and
                       self.vendor_delta(st, 'drop_bad_chain') == 0, (kv, vd))

    def go(self):
        t0 = time.time()
        print('[%s] QEMU: %s' % (self.tag, ' '.join(self.cmd)), flush=True)
        q = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, bufsize=1)
        steps = []
        try:
            for line in q.stdout:
                line = line.rstrip()
                print('[%s %5.1f] %s' % (self.tag, time.time() - t0, line), flush=True)
                m = re.match(r'.*E2E-STEP (\w+) ?(.*)$', line)
                if m:
                    steps.append(m.group(1))
                    if self.prev is None:
                        self.prev = self.be.state(self.dev)
                    self.on_step(m.group(1), parse_kv(m.group(2)))
                    q.stdin.write('ok\n')
                    q.stdin.flush()
                if 'E2E-ABORT' in line or 'E2E-INSMOD-FAIL' in line:
                    fail('guest: ' + line)
                if time.time() - t0 > RUN_BUDGET:
                    fail('[%s] guest did not finish in %d s' % (self.tag, RUN_BUDGET))
            rc = q.wait(10)
        finally:
            if q.poll() is None:
                q.kill()
                q.wait()
        wall = time.time() - t0
        want = ['probe', 'up', 'down'] if self.mode == 'short' else \
            ['probe', 'up', 'addr', 'foreign', 'promisc_on', 'promisc_off', 'allmulti_on',
             'allmulti_off', 'mc_join', 'mc_leave', 'vlan_add', 'vlan_del', 'combined2',
             'rss_equal', 'rss_hash', 'combined1', 'coalesce', 'offloads', 'gro_off',
             'gro_on', 'gro_left_off', 'down']
        self.check('guest ran every step', steps == want, steps)
        self.check('QEMU exited cleanly after poweroff', rc == 0, 'rc %s' % rc)
        guestimg.wait_for(lambda: self.be.state(self.dev),
                          lambda s: s['device']['connected'] == 0)
        st = self.last
        answered = sum(int(v) for v in st.get('cmd_ok', {}).values()) + \
            sum(int(v) for v in st.get('cmd_err', {}).values())
        self.check('shutdown: every command chain answered (%d)' % answered,
                   answered > 0 and answered == int(st['cvq']['chains']), st['cvq'])
        return wall, st


def main():
    if len(sys.argv) != 2:
        fail('usage: e2e_vud.py WORKDIR')
    work = os.path.abspath(sys.argv[1])
    os.makedirs(work, exist_ok=True)
    daemon = os.environ.get('CTLPATH_VHOST')
    if not daemon or not os.access(daemon, os.X_OK):
        skip('CTLPATH_VHOST not set: ctlpath-vhost not built')
    if not os.path.exists('/usr/share/seabios/bios-256k.bin') and \
            not os.path.exists('/usr/share/qemu/bios-256k.bin'):
        skip('no PC BIOS (apt-get install -t bookworm seabios qemu-system-data)')
    qemu = qemu_binary()
    pk = guestimg.Packages()
    kroot = pk.kernel()
    et, etroot = pk.tool('ethtool')
    ipb, iproot = pk.tool('ip')
    initrd = os.path.join(work, 'initrd-vud.img')
    kernel, mods = guestimg.build_initrd(initrd, kroot, pk.busybox(), guest_init(),
                                         guestimg.VIRTIO_NET_MODULES + ['8021q'],
                                         [('ethtool', et, etroot), ('ip', ipb, iproot)])
    if 'virtio_net' not in mods:
        fail('virtio_net module not in the kernel package')
    be = Backend(work, daemon)
    runs = []
    try:
        for dev, mode, tag in ((0, 'full', 'packed'), (0, 'short', 'reconnect'),
                               (1, 'full', 'split')):
            r = Run(be, dev, mode, qemu, kernel, initrd, work, tag)
            wall, st = r.go()
            runs.append((r, wall, st))
    finally:
        rc = be.stop()
    bad = [(r.tag, c) for r, _, _ in runs for c, ok in r.checks if not ok]
    print('\nper-run wall time:', ', '.join('%s %.1f s' % (r.tag, w) for r, w, _ in runs))
    for r, _, st in runs:
        if r.mode == 'short':
            continue
        print('[%s] commands answered OK (backend counters): %s'
              % (r.tag, ' '.join('%s=%s' % kv for kv in sorted(st.get('cmd_ok', {}).items())
                                 if int(kv[1]))))
        print('[%s] commands refused: %s' % (r.tag, ' '.join(
            '%s=%s' % kv for kv in sorted(st.get('cmd_err', {}).items()) if int(kv[1]))
            or 'none'))
        print('[%s] engine error kinds: %s' % (r.tag, ' '.join(
            '%s=%s' % kv for kv in sorted(st.get('errors', {}).items()) if int(kv[1]))
            or 'none'))
    if rc != 0:
        fail('ctlpath-vhost exit status %d (log %s)' % (rc, be.log.name))
    if bad or len(runs) != 3:
        fail('%d checks failed: %s' % (len(bad), bad))
    print('issue-8 e2e passed: %d checks' % sum(len(r.checks) for r, _, _ in runs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
