#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stock QEMU + Linux guest against ctlpath-vhost (vdpa_swcvq, vendor sim).

What it proves:
  * the guest's virtio_net binds, the link comes up, and frames the guest transmits come back to
    it through the sim vendor (its rx_packets grow while it only sends ARP requests);
  * changing the queue count in the guest (`ethtool -L eth0 combined N`) reaches the vendor's
    mq_pairs_set op, through SET_VRING_ENABLE (telemetry: vendor "pairs", device
    "pairs_from_enable");
  * stock QEMU `-netdev vhost-user` keeps the CVQ inside QEMU (reference qemu-vm-e2e.md, item 3):
    the backend must report that it serves no CVQ (device "ctrl_vq" 0, no CVQ chains), so nothing
    pretends the guest's control commands reached the device.

Needs qemu-system-x86_64 (Debian 7.2 wants `vectors=0` on the NIC, 10.0 does not), the 6.12
kernel, busybox-static and ethtool packages (downloaded once into .cache/guest of the repo) and
python3. The guest image is built by test/guest/guestimg.py (no cpio or kmod needed). Exit 77
(skipped) with a message when QEMU, the daemon or the packages are not available.

Usage: e2e_qemu.py WORKDIR   (environment: CTLPATH_VHOST, optional QEMU, GUEST_KROOT)
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'guest'))
import guestimg  # noqa: E402  (test/guest/guestimg.py: packages, initramfs, telemetry)
from guestimg import fail, skip  # noqa: E402

MAC = '52:54:00:12:34:56'
PAIRS = 2


GUEST_INIT = guestimg.INIT_PROLOGUE + r'''for m in $(cat /mods/list); do insmod /mods/$m.ko; done
sleep 1
echo "E2E-IFACES $(ls /sys/class/net | tr '\n' ' ')"
ip link set eth0 up
ip addr add 169.254.10.1/16 dev eth0
sleep 2
echo "E2E-OPERSTATE $(cat /sys/class/net/eth0/operstate)"
rx0=$(cat /sys/class/net/eth0/statistics/rx_packets)
arping -c 5 -w 6 -I eth0 169.254.10.2 >/dev/null 2>&1
rx1=$(cat /sys/class/net/eth0/statistics/rx_packets)
echo "E2E-RX-DELTA $((rx1 - rx0))"
ethtool -L eth0 combined 2 && echo "E2E-COMBINED 2"
sleep 4
echo "E2E-RXQ $(ls -d /sys/class/net/eth0/queues/rx-* | wc -l)"
ethtool -L eth0 combined 1 && echo "E2E-COMBINED 1"
sleep 4
echo "E2E-DONE"
echo b > /proc/sysrq-trigger
'''


def build_initrd(work):
    pk = guestimg.Packages()
    kroot = pk.kernel()
    et, etroot = pk.tool('ethtool')
    initrd = os.path.join(work, 'initrd-swcvq.img')
    kernel, mods = guestimg.build_initrd(initrd, kroot, pk.busybox(), GUEST_INIT,
                                         guestimg.VIRTIO_NET_MODULES,
                                         [('ethtool', et, etroot)])
    if 'virtio_net' not in mods:
        fail('virtio_net module not in the kernel package')
    return kernel, initrd


def state(prefix):
    return guestimg.telemetry(prefix, '/ctlpath/swcvq/state,vdpa_swcvq0')['/ctlpath/swcvq/state']


def wait_state(prefix, pred, timeout=6.0):
    end = time.time() + timeout
    st = None
    while time.time() < end:
        st = state(prefix)
        if pred(st):
            return st
        time.sleep(0.2)
    return st


def qemu_major(qemu):
    out = subprocess.run([qemu, '--version'], capture_output=True, text=True).stdout
    m = re.search(r'version (\d+)\.', out)
    return int(m.group(1)) if m else 0


def main():
    if len(sys.argv) != 2:
        fail('usage: e2e_qemu.py WORKDIR')
    work = os.path.abspath(sys.argv[1])
    qemu = os.environ.get('QEMU') or shutil.which('qemu-system-x86_64')
    if not qemu:
        skip('qemu-system-x86_64 not found (apt-get install -t bookworm '
             '--no-install-recommends qemu-system-x86): stock-QEMU e2e not run')
    daemon = os.environ.get('CTLPATH_VHOST')
    if not daemon or not os.access(daemon, os.X_OK):
        skip('CTLPATH_VHOST not set: ctlpath-vhost not built')
    os.makedirs(work, exist_ok=True)
    kernel, initrd = build_initrd(work)

    prefix = 'e2eq%d' % os.getpid()
    sock = os.path.join(work, 'vh.sock')
    if os.path.exists(sock):
        os.unlink(sock)
    dlog = open(os.path.join(work, 'ctlpath-vhost.log'), 'w')
    dproc = subprocess.Popen([daemon, '-l', '0,1', '--no-pci', '--huge-unlink', '-m', '64',
                              '--file-prefix=' + prefix, '--log-level=lib.eal:error',
                              '--vdev', 'vdpa_swcvq0,vendor=sim,queues=%d,mac=%s,mtu=1500'
                              % (PAIRS, MAC), '--', '--socket', sock],
                             stdout=dlog, stderr=subprocess.STDOUT)
    qproc = None
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        else:
            fail('ctlpath-vhost did not create its socket (log %s)' % dlog.name)
        vectors = ',vectors=0' if qemu_major(qemu) < 8 else ''
        cmd = [qemu, '-accel', 'tcg', '-M', 'pc', '-m', '512', '-smp', '1', '-nodefaults',
               '-no-user-config', '-nographic', '-serial', 'stdio', '-no-reboot',
               '-object', 'memory-backend-memfd,id=mem0,size=512M,share=on',
               '-machine', 'memory-backend=mem0',
               '-chardev', 'socket,id=c0,path=' + sock,
               '-netdev', 'vhost-user,id=n0,chardev=c0,queues=%d' % PAIRS,
               '-device', 'virtio-net-pci,netdev=n0,mq=on,ctrl_vq=on,mac=%s,romfile=%s'
               % (MAC, vectors),
               '-kernel', kernel, '-initrd', initrd,
               '-append', 'console=ttyS0 panic=-1 quiet']
        print('QEMU:', ' '.join(cmd))
        qproc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, bufsize=1)
        marks = {}
        checks = []
        deadline = time.time() + 150
        for line in qproc.stdout:
            line = line.rstrip()
            print('guest: ' + line)
            m = re.match(r'.*(E2E-[A-Z-]+) ?(.*)$', line)
            if m:
                marks[m.group(1)] = m.group(2).strip()
                if m.group(1) == 'E2E-COMBINED':
                    want = int(m.group(2))
                    st = wait_state(prefix, lambda s: s['vendor']['pairs'] == want)
                    checks.append(('ethtool -L combined %d reached the vendor' % want,
                                   st['vendor']['pairs'] == want and
                                   st['device']['pairs_from_enable'] > 0))
                if m.group(1) == 'E2E-RX-DELTA':
                    st = state(prefix)
                    checks.append(('stock QEMU keeps the CVQ: backend serves none',
                                   st['device']['ctrl_vq'] == 0 and
                                   st['device']['cvq_running'] == 0 and
                                   st.get('cvq', {}).get('chains', 0) == 0))
                    checks.append(('sim vendor looped frames back',
                                   st['vendor']['rx_frames'] > 0))
                if m.group(1) == 'E2E-DONE':
                    break
            if time.time() > deadline:
                fail('guest did not finish in time')
        if 'eth0' not in marks.get('E2E-IFACES', ''):
            fail('virtio_net did not bind (no eth0)')
        checks.append(('link up', marks.get('E2E-OPERSTATE') == 'up'))
        checks.append(('%d rx queues in the guest after ethtool -L' % PAIRS,
                       marks.get('E2E-RXQ') == str(PAIRS)))
        checks.append(('guest received its own looped-back frames',
                       int(marks.get('E2E-RX-DELTA', '0')) > 0))
        bad = [c for c, ok in checks if not ok]
        for c, ok in checks:
            print('%s %s' % ('ok  ' if ok else 'FAIL', c))
        if bad or len(checks) < 7:  # 2 at RX-DELTA, 2 ethtool, 3 at the end
            fail('%d of %d checks failed' % (len(bad), len(checks)))
        print('stock-QEMU e2e passed')
    finally:
        if qproc is not None and qproc.poll() is None:
            qproc.kill()
            qproc.wait()
        dproc.send_signal(signal.SIGTERM)
        try:
            rc = dproc.wait(10)
        except subprocess.TimeoutExpired:
            dproc.kill()
            rc = -9
        if rc != 0:
            print('FAIL: ctlpath-vhost exit status %d (log %s)' % (rc, dlog.name))
            sys.exit(1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
