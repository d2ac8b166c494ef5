#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The ctlpath demo: the stock dpdk-testpmd drives an emulated idpf port (net_idpf_emu, loaded
from build/drivers) through a scripted control session. After each step the emulated device's
own state is read over DPDK telemetry, so what the driver programmed is shown next to what
testpmd reports.

Usage: demo-testpmd.py [--build DIR] [--devargs ARGS] [--quiet]
"""
import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time

DEV = "net_idpf_emu0"


class Testpmd:
    """dpdk-testpmd in interactive mode on a pipe; run() returns a command's output."""

    def __init__(self, build, prefix, devargs):
        # unbuffered: testpmd prints with stdio, the command line with write(2)
        cmd = ["stdbuf", "-o0", "-e0", shutil.which("dpdk-testpmd") or "dpdk-testpmd",
               "-l", "0,1", "--file-prefix",
               prefix, "--no-pci", "-d", os.path.join(build, "drivers"),
               "--vdev", f"{DEV},{devargs}" if devargs else DEV,
               "--log-level=pmd.net.idpf_xn:info", "--", "-i", "--rxq=1", "--txq=1"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.seq = 0
        self.banner = self._until(b"testpmd>", 60)

    def _until(self, marker, timeout):
        out, deadline = b"", time.monotonic() + timeout
        while marker not in out or not out.rstrip().endswith(b"testpmd>"):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise RuntimeError("testpmd did not answer:\n" + out.decode(errors="replace"))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    continue
                out += chunk
        return out.decode(errors="replace")

    def run(self, line, timeout=60):
        """Run one command; an unknown command after it marks the end of its output."""
        self.seq += 1
        mark = f"ctlpath_mark_{self.seq}"
        self.proc.stdin.write(f"{line}\n{mark}\n".encode())
        out = self._until(mark.encode(), timeout)
        out = out.split(mark, 1)[0]
        lines = [l.replace("testpmd>", "").strip() for l in out.splitlines()]
        return "\n".join(l for l in lines if l and l != line)

    def quit(self):
        try:
            self.proc.stdin.write(b"quit\n")
            self.proc.wait(timeout=30)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.proc.kill()


def telemetry(prefix, cmd):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.connect(path)
        maxlen = json.loads(s.recv(16384)).get("max_output_len", 16384)
        s.send(cmd.encode())
        reply = json.loads(s.recv(maxlen))
    return next(iter(reply.values()))


def vport(prefix):
    state = telemetry(prefix, f"/ctlpath/idpf_emu/state,{DEV}")
    vps = list(state.get("vports", {}).values())
    return state, (vps[0] if vps else {})


def queues(q):
    return sum(q.get("enabled", [])), sum(q.get("configured", []))


def describe(prefix):
    """One line of what the emulated device holds now."""
    state, vp = vport(prefix)
    if not vp:
        return f"no vport (resets {state.get('resets')})"
    rxe, rxc = queues(vp.get("rxq", {}))
    txe, txc = queues(vp.get("txq", {}))
    lut = vp.get("rss_lut", [])
    return (f"vport {vp.get('id')} {'enabled' if vp.get('enabled') else 'disabled'}, "
            f"rxq {rxe}/{rxc} enabled/configured, txq {txe}/{txc}, "
            f"promisc uc={vp.get('promisc_unicast')} mc={vp.get('promisc_multicast')}, "
            f"MAC filters {vp.get('mac_filters')}, RSS LUT[0:8] {lut[:8]}, "
            f"key {vp.get('rss_key', '')[:16]}..")


STEPS = [
    ("Port info: limits come from GET_CAPS and CREATE_VPORT", ["show port info 0"],
     ("Max possible RX queues", "Redirection table size", "Hash key size", "Link status")),
    ("Reconfigure with 4 queue pairs: queue configs and vector map go out together",
     ["port stop 0", "port config all rxq 4", "port config all txq 4", "port start 0"], ()),
    ("MAC filters: add two, remove one (asynchronous transactions)",
     ["mac_addr add 0 02:00:00:00:00:11", "mac_addr add 0 02:00:00:00:00:22",
      "mac_addr remove 0 02:00:00:00:00:11"], ()),
    ("Multicast list", ["mcast_addr add 0 01:00:5e:00:00:01"], ()),
    ("Promiscuous off, all-multicast on", ["set promisc 0 off", "set allmulti 0 on"], ()),
    ("RSS key and redirection table, read back from the device",
     ["port config 0 rss-hash-key ipv4 " + "".join(f"{i:02x}" for i in range(52)),
      "port config 0 rss reta (0,3),(1,2),(2,1),(3,0)", "show port 0 rss-hash key"],
     ("RSS key", "RSS functions")),
    ("MTU 2000 (programmed with the RX queues at start)",
     ["port stop 0", "port config mtu 0 2000", "port start 0"], ()),
    ("Statistics and the mailbox's own counters (xstats)",
     ["show port stats 0", "show port xstats 0"],
     ("mbx_sent", "mbx_completed", "mbx_inflight_hwm", "mbx_lat_p50_ns", "mbx_lat_p99_ns",
      "mbx_op_CONFIG_RX_QUEUES_calls", "RX-packets")),
    ("Port reset: the adapter is brought up again and the filters replayed",
     ["port stop 0", "port reset 0", "port start 0"], ()),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--devargs", default="latency_us=50,jitter_us=20,seed=1")
    ap.add_argument("--quiet", action="store_true", help="no testpmd output, only the device")
    args = ap.parse_args()
    prefix = f"ctlpath-demo-{os.getpid()}"
    print(f"== dpdk-testpmd with --vdev {DEV},{args.devargs} (plugins from "
          f"{os.path.normpath(args.build)}/drivers)")
    pmd = Testpmd(os.path.abspath(args.build), prefix, args.devargs)
    try:
        for line in pmd.banner.splitlines():
            if "idpf" in line or "vport" in line:
                print("   " + line)
        print(f"   device: {describe(prefix)}\n")
        for n, (title, cmds, keep) in enumerate(STEPS, 1):
            print(f"[{n}] {title}")
            for c in cmds:
                out = pmd.run(c)
                print(f"   testpmd> {c}")
                lines = [l for l in out.splitlines() if l.strip()]
                if keep:
                    lines = [l for l in lines if any(k in l for k in keep)]
                if not args.quiet:
                    for l in lines[:12]:
                        print("      " + l.strip())
            print(f"   device: {describe(prefix)}\n")
    finally:
        pmd.quit()
    print("== done: every step above was answered by the emulated device over the mailbox")
    return 0


if __name__ == "__main__":
    sys.exit(main())
