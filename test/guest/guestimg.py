# SPDX-License-Identifier: BSD-3-Clause
"""Linux guest images for the QEMU end-to-end tests, built from Debian packages.

Shared by test/swcvq/e2e_qemu.py (stock QEMU) and test/guest/e2e_vud.py (generic vhost-user
device). Nothing here needs root, cpio or kmod:
  * packages are fetched with `apt-get download` (always pinned by suite, never trixie) into a
    cache folder and unpacked with `dpkg -x`;
  * the initramfs is a newc cpio written here, with the kernel modules decompressed (xz or zstd
    is not needed: Debian 6.12 modules are .ko.xz, read with lzma) and their dependencies
    resolved from each module's own `depends=` field;
  * dynamically linked tools (ethtool, ip) are copied with the libraries `ldd` names.
Missing network or packages end the test with exit status 77 (skipped) and a clear message.

Also: a DPDK telemetry client, and a QEMU console reader that timestamps lines.
"""
import glob
import json
import lzma
import os
import re
import socket
import stat
import subprocess
import sys
import time

# The 6.12 kernel for bookworm (backports, now also bookworm-security): whatever version the
# meta-package points at today. It boots about twice as fast as 6.1 under TCG.
KERNEL_META = 'linux-image-6.12-amd64'
KERNEL_SUITES = ('bookworm-security', 'bookworm-backports')
BUSYBOX_PKG = 'busybox-static'
# Guest tools: dynamically linked, their libraries come from ldd on this (bookworm) host, or
# from these packages when the host lacks them.
TOOL_PKGS = {'ethtool': ['ethtool', 'libmnl0'],
             'ip': ['iproute2', 'libmnl0', 'libbpf1', 'libelf1', 'libbsd0', 'libcap2',
                    'libmd0']}
TOOL_PATHS = {'ethtool': ('sbin/ethtool', 'usr/sbin/ethtool'),
              'ip': ('bin/ip', 'sbin/ip', 'usr/bin/ip', 'usr/sbin/ip')}
# virtio_net and what it needs, in load order (virtio_pci is built in on 6.12).
VIRTIO_NET_MODULES = ['virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci',
                      'failover', 'net_failover', 'virtio_net']
REPO = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_CACHE = os.path.join(REPO, '.cache', 'guest')


def skip(msg):
    print('SKIP: ' + msg, flush=True)
    sys.exit(77)


def fail(msg):
    print('FAIL: ' + msg, flush=True)
    sys.exit(1)


class Packages:
    """Debian packages downloaded once into CACHE/pkgs and unpacked into CACHE/<name>."""

    def __init__(self, cache=None):
        self.cache = os.path.abspath(cache or os.environ.get('GUEST_PKG_CACHE') or DEFAULT_CACHE)
        self.pkgs = os.path.join(self.cache, 'pkgs')
        os.makedirs(self.pkgs, exist_ok=True)

    def _have(self, name):
        return glob.glob(os.path.join(self.pkgs, name + '_*.deb'))

    def download(self, names, suite='bookworm'):
        want = [n for n in names if not self._have(n.split('=')[0])]
        if not want:
            return
        r = subprocess.run(['apt-get', 'download', '-q', '-t', suite] + want, cwd=self.pkgs,
                           capture_output=True, text=True)
        if r.returncode != 0:
            skip('apt-get download -t %s %s failed (no network or packages?): %s'
                 % (suite, ' '.join(want), r.stderr.strip()[-300:]))

    def unpack(self, names, dest):
        """Unpack the .debs of @names into CACHE/dest (once); return the folder."""
        d = os.path.join(self.cache, dest)
        if os.path.isdir(d):
            return d
        tmp = d + '.tmp'
        subprocess.run(['rm', '-rf', tmp], check=True)
        os.makedirs(tmp)
        for n in names:
            debs = self._have(n.split('=')[0])
            if not debs:
                fail('package %s not downloaded' % n)
            subprocess.run(['dpkg', '-x', sorted(debs)[-1], tmp], check=True)
        os.rename(tmp, d)
        return d

    def kernel(self):
        """Unpacked root of the 6.12 kernel package (or $GUEST_KROOT)."""
        kroot = os.environ.get('GUEST_KROOT') or os.environ.get('SWCVQ_E2E_KROOT')
        if kroot:
            return kroot
        if not self._have('linux-image-6.12*'):
            dep = subprocess.run(['apt-cache', 'depends', KERNEL_META], capture_output=True,
                                 text=True).stdout
            m = re.search(r'Depends: (linux-image-6\.12\S+-amd64)', dep)
            if not m:
                skip('no %s in the apt sources (bookworm-security or bookworm-backports '
                     'needed)' % KERNEL_META)
            pol = subprocess.run(['apt-cache', 'policy', m.group(1)], capture_output=True,
                                 text=True).stdout
            suite = next((s for s in KERNEL_SUITES if s in pol), 'bookworm')
            self.download([m.group(1)], suite)
        return self.unpack(['linux-image-6.12*'], 'kroot')

    def busybox(self):
        self.download([BUSYBOX_PKG])
        return os.path.join(self.unpack([BUSYBOX_PKG], 'bbroot'), 'bin', 'busybox')

    def tool(self, name):
        """(binary path, extra library folder) of a guest tool (keys of TOOL_PKGS)."""
        pk = TOOL_PKGS[name]
        self.download(pk)
        root = self.unpack(pk, 'root-' + name)
        for p in TOOL_PATHS[name]:
            if os.path.exists(os.path.join(root, p)):
                return os.path.join(root, p), root
        fail('no %s in package %s' % (name, pk[0]))
        return None


class Cpio:
    """A newc cpio archive written by hand (no cpio binary needed)."""

    def __init__(self):
        self.data = bytearray()
        self.ino = 1
        self.names = set()

    def _add(self, name, mode, body=b''):
        hdr = '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x' % (
            self.ino, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0, len(name) + 1, 0)
        self.ino += 1
        self.names.add(name)
        self.data += hdr.encode() + name.encode() + b'\0'
        self.data += b'\0' * (-len(self.data) % 4)
        self.data += body
        self.data += b'\0' * (-len(self.data) % 4)

    def dir(self, name):
        self._add(name, stat.S_IFDIR | 0o755)

    def file(self, name, body, mode=0o755):
        if name not in self.names:
            self._add(name, stat.S_IFREG | mode, body)

    def close(self):
        self._add('TRAILER!!!', 0)
        return bytes(self.data)


def _module_files(kroot, kver):
    files = {}
    for p in glob.glob(os.path.join(kroot, 'lib/modules', kver, 'kernel/**/*.ko*'),
                       recursive=True):
        files[re.sub(r'\.ko(\.xz)?$', '', os.path.basename(p)).replace('-', '_')] = p
    return files


def _module_bytes(path):
    raw = open(path, 'rb').read()
    return lzma.decompress(raw) if path.endswith('.xz') else raw


def resolve_modules(kroot, kver, wanted):
    """Modules to insmod, dependencies first, from each module's `depends=`; built-ins skipped."""
    files = _module_files(kroot, kver)
    order, seen, blobs = [], set(), {}

    def visit(name):
        name = name.replace('-', '_')
        if name in seen or name not in files:
            return     # done, or built in
        seen.add(name)
        blobs[name] = _module_bytes(files[name])
        m = re.search(rb'depends=([^\0]*)\0', blobs[name])
        for dep in (m.group(1).decode().split(',') if m and m.group(1) else []):
            visit(dep)
        order.append(name)

    for w in wanted:
        visit(w)
    return order, blobs


def _libs(binary, libdirs):
    env = dict(os.environ, LD_LIBRARY_PATH=':'.join(libdirs))
    out = subprocess.run(['ldd', binary], capture_output=True, text=True, env=env).stdout
    libs = []
    for line in out.splitlines():
        if 'not found' in line:
            skip('%s needs %s, found neither on the host nor in the packages'
                 % (binary, line.split()[0]))
        m = re.search(r'(/\S+)', line)
        if m:
            libs.append(m.group(1))
    return libs


def build_initrd(out, kernel_root, busybox, init_script, modules, tools=()):
    """Write a gzip-free newc initramfs to @out.

    @modules   module names; they and their dependencies are insmod-ed in order by /init
               through the list /mods/list (the script decides when).
    @tools     (name, binary, extra root) from Packages.tool(): installed as /usr/sbin/<name>
               (ahead of busybox's applets in PATH) with their libraries in /lib and /lib64.
    @return    (kernel image path, list of modules in load order)
    """
    kver = os.path.basename(sorted(glob.glob(os.path.join(kernel_root, 'lib/modules/*')))[-1])
    arc = Cpio()
    for d in ['bin', 'sbin', 'usr', 'usr/sbin', 'proc', 'sys', 'dev', 'mods', 'lib', 'lib64',
              'tmp', 'run']:
        arc.dir(d)
    arc.file('bin/busybox', open(busybox, 'rb').read())
    arc.file('init', init_script.encode())
    order, blobs = resolve_modules(kernel_root, kver, modules)
    for m in order:
        arc.file('mods/%s.ko' % m, blobs[m], 0o644)
    arc.file('mods/list', ('\n'.join(order) + '\n').encode(), 0o644)
    for name, binary, root in tools:
        arc.file('usr/sbin/' + name, open(binary, 'rb').read())
        libdirs = [os.path.join(root, d) for d in ('lib/x86_64-linux-gnu',
                                                    'usr/lib/x86_64-linux-gnu')]
        for path in _libs(binary, libdirs):
            dest = ('lib64/' if 'ld-linux' in path and 'lib64' in path else 'lib/') + \
                os.path.basename(path)
            arc.file(dest, open(os.path.realpath(path), 'rb').read())
    with open(out, 'wb') as f:
        f.write(arc.close())
    kernel = sorted(glob.glob(os.path.join(kernel_root, 'boot/vmlinuz-*')))[-1]
    return kernel, order


# The start of every guest /init: busybox applets, file systems, modules in list order.
INIT_PROLOGUE = r'''#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
export LD_LIBRARY_PATH=/lib PATH=/usr/sbin:/bin:/sbin
'''


def telemetry(prefix, cmd):
    """One DPDK telemetry command of the process with --file-prefix @prefix (root)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(2)
    s.connect('/var/run/dpdk/%s/dpdk_telemetry.v2' % prefix)
    try:
        s.recv(16384)
        s.send(cmd.encode())
        return json.loads(s.recv(1 << 20).decode())
    finally:
        s.close()


def wait_for(fn, pred, timeout=6.0, step=0.1):
    """Call fn() until pred(result) or the timeout; return the last result."""
    end = time.time() + timeout
    while True:
        v = fn()
        if pred(v) or time.time() >= end:
            return v
        time.sleep(step)
