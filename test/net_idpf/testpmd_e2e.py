#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end test of the idpf PMD with the stock dpdk-testpmd.

testpmd runs interactively with the plugin folder (-d) and emulated ports (--vdev
net_idpf_emu0,...); this script types commands into it and checks, after each one, both what
testpmd prints and what the emulated device really holds, read over DPDK telemetry
(/ctlpath/idpf_emu/state,<name>). The device is acted on from outside through the PMD's test
hooks (/ctlpath/net_idpf_emu/reset and /link).

Phases:
  A  every port control command, two instances at once, dpdk-proc-info reading xstats
  B  the same commands under faults (latency, jitter, reorder, drop, duplicates, late replies,
     errors, with a seed): no crash, no hang, a step either succeeds with the device holding
     what was asked, or testpmd reports the failure; retried until the state converges
  C  reset of the emulated device with a transaction in flight: the call fails at once, the
     reset event is raised, and stop / reset / start recovers the port

Usage: testpmd_e2e.py <build dir> [phase...]. Exit 0: all checks passed; 1: a check failed;
77: dpdk-testpmd is missing.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

TESTPMD = "/usr/bin/dpdk-testpmd"
PROC_INFO = "/usr/bin/dpdk-proc-info"
RUNTIME = "/var/run/dpdk"
PROMPT = b"testpmd> "
ERR_RE = re.compile(r"(?i)(fail|error|invalid|refused|diag=-|not supported|cannot|bad |timed out)")
# counters and fields whose names contain those words
NOT_ERR_RE = re.compile(r"(?i)(^\s*[\w-]+:\s*\d+\s*$|errors?:\s*\d|error handling mode)")
KEY = "".join("%02x" % ((i * 37 + 11) & 0xff) for i in range(52))

failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    print("  %s %s" % ("ok  " if cond else "FAIL", what), flush=True)
    if not cond:
        failures += 1
    return cond


class Testpmd:
    """An interactive dpdk-testpmd whose output is read per command."""

    def __init__(self, build, prefix, vdevs, timeout=60):
        self.prefix = prefix
        args = ["stdbuf", "-oL", TESTPMD, "-l", "0,1", "--no-pci", "--file-prefix", prefix,
                "-d", os.path.join(build, "drivers"), "--log-level=lib.eal:error",
                "--log-level=pmd.net.idpf_xn:notice"]
        for v in vdevs:
            args += ["--vdev", v]
        args += ["--", "-i", "--total-num-mbufs=2048", "--nb-cores=1"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.buf = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._reader, daemon=True).start()
        self.prompts = 0
        if not self._wait(1, timeout):
            raise RuntimeError("testpmd did not reach its prompt:\n" + self.text())

    def _reader(self):
        while True:
            b = os.read(self.proc.stdout.fileno(), 65536)
            if not b:
                return
            with self.lock:
                self.buf.extend(b)

    def text(self, start=0):
        with self.lock:
            return self.buf[start:].decode(errors="replace")

    def _wait(self, n, timeout):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if self.buf.count(PROMPT) >= self.prompts + n:
                    self.prompts += n
                    return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.002)
        return False

    def cmd(self, line, timeout=20):
        """Run one command; return (output, seconds). Raises on a hang or a crash."""
        with self.lock:
            start = len(self.buf)
        t0 = time.time()
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        if not self._wait(1, timeout):
            raise RuntimeError("testpmd %s on '%s':\n%s" % (
                "died" if self.proc.poll() is not None else "hung", line, self.text(start)))
        out = self.text(start)
        return out[:out.rfind("testpmd> ")], time.time() - t0

    def quit(self, timeout=30):
        try:
            self.proc.stdin.write(b"quit\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = None
        shutil.rmtree(os.path.join(RUNTIME, self.prefix), ignore_errors=True)
        return rc


class Telemetry:
    """A minimal client of DPDK's telemetry socket (v2)."""

    def __init__(self, prefix):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(os.path.join(RUNTIME, prefix, "dpdk_telemetry.v2"))
        self.max = json.loads(self.s.recv(1024))["max_output_len"]

    def q(self, cmd):
        self.s.send(cmd.encode())
        r = json.loads(self.s.recv(self.max + 1024))
        return r.get(cmd.split(",")[0])

    def vport(self, dev):
        st = self.q("/ctlpath/idpf_emu/state," + dev)
        if not st or not st.get("vports"):
            return None
        return list(st["vports"].values())[0]


def err_lines(out):
    return [l for l in out.splitlines() if ERR_RE.search(l) and not NOT_ERR_RE.search(l)]


def failed(out):
    return len(err_lines(out)) > 0


def enabled(vp, kind):
    return sum(vp[kind]["enabled"]) if vp else -1


# ---- the command script: each step is (command, device check, output check) ----

def mac_in(addr):
    return lambda vp: vp is not None and addr in vp["mac_filters"]


def mac_out(addr):
    return lambda vp: vp is not None and addr not in vp["mac_filters"]


def field(name, value):
    return lambda vp: vp is not None and vp[name] == value


RSS_UDP = (1 << 1) | (1 << 7)
RSS_IP = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 10) | (1 << 11)


def queue_steps(nq):
    def qs_on(vp):
        if vp is None or not vp["enabled"]:
            return False
        for k in ("txq", "rxq"):
            q = vp[k]
            on = [i for i, e in enumerate(q["enabled"]) if e]
            if len(on) != nq or any(q["ring_addr"][i] == 0 or q["vector"][i] < 0 for i in on):
                return False
        return True
    return [
        ("port stop all", lambda vp: vp is not None and not vp["enabled"] and
         enabled(vp, "rxq") == 0 and enabled(vp, "txq") == 0, None),
        ("port config all rxq %d" % nq, None, None),
        ("port config all txq %d" % nq, None, None),
        ("port start all", qs_on, None),
    ]


def script():
    steps = [("show port info 0", field("enabled", 1),
              lambda o: "Driver name: net_idpf_emu" in o and "Max possible RX queues: 16" in o)]
    for nq in (1, 16, 4):
        steps += queue_steps(nq)
    steps += [
        ("show port 0 rss-hash", lambda vp: vp["rss_hash"] != 0, lambda o: "ipv4" in o),
        ("mac_addr add 0 02:00:00:00:00:aa", mac_in("02:00:00:00:00:aa"), None),
        ("mac_addr add 0 02:00:00:00:00:ab", mac_in("02:00:00:00:00:ab"), None),
        ("mac_addr remove 0 02:00:00:00:00:aa", mac_out("02:00:00:00:00:aa"), None),
        ("mac_addr set 0 02:00:00:00:00:bb", mac_in("02:00:00:00:00:bb"), None),
        ("show port info 0", None, lambda o: "MAC address: 02:00:00:00:00:BB" in o),
        ("mcast_addr add 0 01:00:5e:00:00:01", mac_in("01:00:5e:00:00:01"), None),
        ("mcast_addr add 0 33:33:00:00:00:01", mac_in("33:33:00:00:00:01"), None),
        ("mcast_addr remove 0 01:00:5e:00:00:01", lambda vp: mac_out("01:00:5e:00:00:01")(vp)
         and mac_in("33:33:00:00:00:01")(vp), None),
        ("set promisc 0 off", field("promisc_unicast", 0), None),
        ("set promisc 0 on", field("promisc_unicast", 1), None),
        ("set allmulti 0 on", field("promisc_multicast", 1), None),
        ("set allmulti 0 off", field("promisc_multicast", 0), None),
        ("port config all rss udp", field("rss_hash", RSS_UDP), None),
        ("show port 0 rss-hash", None, lambda o: "ipv4-udp" in o and "ipv6-udp" in o),
        ("port config all rss ip", field("rss_hash", RSS_IP), None),
        ("port config 0 rss-hash-key ipv4 " + KEY, field("rss_key", KEY), None),
        ("show port 0 rss-hash key", None, lambda o: KEY.upper() in o),
        ("port config 0 rss reta (0,3),(1,2),(63,1)",
         lambda vp: vp["rss_lut"][0] == 3 and vp["rss_lut"][1] == 2 and vp["rss_lut"][63] == 1,
         None),
        ("show port 0 rss reta 64 (0xffffffffffffffff)", None,
         lambda o: "hash index=0, queue=3" in o and "hash index=63, queue=1" in o),
        ("port stop all", field("enabled", 0), None),
        ("port config mtu 0 9000", None, None),
        ("port start all", field("enabled", 1), None),
        ("show port info 0", None, lambda o: "MTU: 9000" in o),
        ("show port stats 0", None, lambda o: "NIC statistics for port 0" in o),
        ("show port xstats 0", None, lambda o: "mbx_sent" in o and "mbx_op_VERSION_calls" in o),
    ]
    return steps


def run_steps(pmd, tel, dev, steps, faulty):
    """Run the script; under faults a failed step is retried until the device converges."""
    reported = 0
    for line, dev_ok, out_ok in steps:
        for attempt in range(6 if faulty else 1):
            out, secs = pmd.cmd(line)
            vp = tel.vport(dev)
            good = (dev_ok is None or dev_ok(vp)) and (out_ok is None or out_ok(out))
            err = failed(out)
            if not faulty:
                ok = good and not err
                check(ok, "%-52s %.3fs" % (line, secs))
                if not ok:
                    print(out)
                break
            if good and not err:
                check(True, "%-52s %.3fs%s" % (line, secs, " (retry %d)" % attempt
                                               if attempt else ""))
                break
            # the device may or may not hold the change of a failed call: only a silent
            # mismatch is a defect
            if not check(err, "%-52s failure reported by testpmd" % line):
                print(out)
                break
            reported += 1
            print("       reported: %s" % err_lines(out)[0].strip())
        else:
            check(False, "%s: no success after retries" % line)
    return reported


def xstats(tel, port):
    return tel.q("/ethdev/xstats,%d" % port) or {}


def phase_a(build):
    print("== A: port control, two instances, proc-info", flush=True)
    prefix = "idpf_e2e_a_%d" % os.getpid()
    pmd = Testpmd(build, prefix, ["net_idpf_emu0,latency_us=20", "net_idpf_emu1"])
    tel = Telemetry(prefix)
    check(sorted(tel.q("/ctlpath/idpf_emu/list")) == ["net_idpf_emu0", "net_idpf_emu1"],
          "two emulated devices")
    run_steps(pmd, tel, "net_idpf_emu0", script(), False)

    # the driver's per-opcode counters agree with what the device saw
    st = tel.q("/ctlpath/idpf_emu/state,net_idpf_emu0")
    xs = xstats(tel, 0)
    for op in ("ADD_MAC_ADDR", "DEL_MAC_ADDR", "CONFIG_PROMISCUOUS_MODE", "SET_RSS_LUT"):
        check(xs.get("mbx_op_%s_calls" % op) == st["requests"][op],
              "driver %s calls %s == device requests %s" % (
                  op, xs.get("mbx_op_%s_calls" % op), st["requests"][op]))
    check(xs.get("mbx_timed_out") == 0 and xs.get("mbx_inflight") == 0,
          "no timeout, nothing in flight")
    # the second instance is untouched by port 0's filters
    vp1 = tel.vport("net_idpf_emu1")
    check(vp1 is not None and "02:00:00:00:00:bb" not in vp1["mac_filters"] and
          vp1["enabled"] == 1, "port 1 has its own device state")

    out, _ = pmd.cmd("clear port xstats 0")
    xs = xstats(tel, 0)
    check(not failed(out) and xs.get("mbx_sent", 99) <= 4,
          "clear port xstats: mbx_sent %s" % xs.get("mbx_sent"))
    out, _ = pmd.cmd("show port stats 0")
    check("RX-packets: 0" in out and "TX-packets: 0" in out, "show port stats after clear")

    # dpdk-proc-info as a secondary process reads the running port's xstats
    if os.access(PROC_INFO, os.X_OK):
        r = subprocess.run([PROC_INFO, "--file-prefix", prefix, "--no-pci", "-d",
                            os.path.join(build, "drivers"), "--log-level=lib.eal:error",
                            "--", "--xstats"], capture_output=True, text=True, timeout=60)
        m = re.search(r"mbx_sent: (\d+)", r.stdout)
        check(r.returncode == 0 and "NIC extended statistics for port 0" in r.stdout and
              m is not None and int(m.group(1)) > 0 and "rx_bytes" in r.stdout,
              "dpdk-proc-info --xstats reads port 0 (mbx_sent %s)" % (m and m.group(1)))
        if failures:
            print(r.stdout[-2000:], r.stderr[-2000:])

    # link events from the device
    tel.q("/ctlpath/net_idpf_emu/link,net_idpf_emu0,0")
    time.sleep(0.2)
    out, _ = pmd.cmd("show port info 0")
    check("Link status: down" in out, "link down EVENT seen by the port")
    tel.q("/ctlpath/net_idpf_emu/link,net_idpf_emu0,1")
    time.sleep(0.2)
    out, _ = pmd.cmd("show port info 0")
    check("Link status: up" in out, "link up EVENT seen by the port")

    # port reset: a fresh vport, the MAC filters replayed
    for line in ("port stop 0", "port reset 0", "port start 0"):
        out, secs = pmd.cmd(line)
        check(not failed(out), "%-52s %.3fs" % (line, secs))
    vp = tel.vport("net_idpf_emu0")
    check(vp is not None and vp["enabled"] == 1 and "02:00:00:00:00:bb" in vp["mac_filters"]
          and "33:33:00:00:00:01" in vp["mac_filters"], "after port reset: filters replayed")

    out, _ = pmd.cmd("port stop all")
    out, _ = pmd.cmd("port close all")
    check(not failed(out) and tel.q("/ctlpath/idpf_emu/list") == [],
          "port close all: emulated devices gone")
    check(pmd.quit() == 0, "testpmd exits cleanly")


def phase_b(build):
    print("== B: the same script under faults", flush=True)
    faults = ("latency_us=200,jitter_us=400,reorder=4,drop=0.01,dup=0.02,late=0.01,"
              "late_ms=300,err=0.01,timeout_ms=200")
    for seed in (3, 5, 7, 11, 13):
        prefix = "idpf_e2e_b_%d_%d" % (os.getpid(), seed)
        pmd = Testpmd(build, prefix, ["net_idpf_emu0,%s,seed=%d" % (faults, seed)])
        tel = Telemetry(prefix)
        if tel.vport("net_idpf_emu0") is not None:
            break
        # bring-up itself met a fault: the probe must have said so
        check("net_idpf_emu0" in pmd.text() and failed(pmd.text()),
              "seed %d: failed bring-up reported" % seed)
        pmd.quit()
    else:
        check(False, "no seed brought the port up")
        return
    print("  seed %d: %s" % (seed, faults))
    reported = run_steps(pmd, tel, "net_idpf_emu0", script(), True)
    mb = tel.q("/ctlpath/idpf_emu/mailbox,net_idpf_emu0")
    xs = xstats(tel, 0)
    print("  device: dropped %d dup %d late %d err %d reordered %d; driver: timed out %d, "
          "late dropped %d, dup dropped %d; %d failures reported" % (
              mb["dropped"], mb["duplicated"], mb["late"], mb["errors"], mb["reordered"],
              xs.get("mbx_timed_out", -1), xs.get("mbx_late_dropped", -1),
              xs.get("mbx_dup_dropped", -1), reported))
    check(mb["dropped"] + mb["duplicated"] + mb["late"] + mb["errors"] > 0, "faults were injected")
    # the final state: what the driver reports is what the device holds
    out, _ = pmd.cmd("show port info 0")
    vp = tel.vport("net_idpf_emu0")
    check(("Promiscuous mode: enabled" in out) == bool(vp["promisc_unicast"]),
          "promiscuous mode: driver and device agree")
    check("MAC address: 02:00:00:00:00:BB" in out and "02:00:00:00:00:bb" in vp["mac_filters"],
          "MAC address: driver and device agree")
    time.sleep(0.5)
    check(xstats(tel, 0).get("mbx_inflight") == 0, "nothing left in flight")
    check(pmd.quit() == 0, "testpmd exits cleanly")


def phase_c(build):
    print("== C: device reset with a transaction in flight", flush=True)
    prefix = "idpf_e2e_c_%d" % os.getpid()
    pmd = Testpmd(build, prefix, ["net_idpf_emu0,latency_us=150000,timeout_ms=5000"])
    tel = Telemetry(prefix)
    pmd.cmd("mac_addr add 0 02:00:00:00:00:cc", timeout=30)

    def reset_soon():
        time.sleep(0.05)
        tel.q("/ctlpath/net_idpf_emu/reset,net_idpf_emu0")
    t = threading.Thread(target=reset_soon)
    t.start()
    out, secs = pmd.cmd("mac_addr add 0 02:00:00:00:00:cd")
    t.join()
    check(failed(out) and secs < 1.0,
          "call in flight fails at once on reset (%.3fs, timeout 5s)" % secs)
    time.sleep(0.1)
    check("reset event" in pmd.text(), "INTR_RESET event raised")
    for line in ("set promisc 0 off", "show port xstats 0"):
        out, secs = pmd.cmd(line)
        check(failed(out) and secs < 0.5, "%-40s fails fast (%.3fs)" % (line, secs))
    for line in ("port stop 0", "port reset 0", "port start 0"):
        out, secs = pmd.cmd(line, timeout=60)
        check(not failed(out), "%-40s recovers (%.3fs)" % (line, secs))
    vp = tel.vport("net_idpf_emu0")
    check(vp is not None and vp["enabled"] == 1 and "02:00:00:00:00:cc" in vp["mac_filters"],
          "device holds the vport and the replayed filter")
    out, _ = pmd.cmd("mac_addr add 0 02:00:00:00:00:ce", timeout=30)
    check(not failed(out) and "02:00:00:00:00:ce" in tel.vport("net_idpf_emu0")["mac_filters"],
          "port works after recovery")
    check(pmd.quit() == 0, "testpmd exits cleanly")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if not os.access(TESTPMD, os.X_OK):
        print("SKIP: %s not found" % TESTPMD)
        return 77
    build = os.path.abspath(sys.argv[1])
    phases = sys.argv[2:] or ["a", "b", "c"]
    t0 = time.time()
    for ph in phases:
        try:
            {"a": phase_a, "b": phase_b, "c": phase_c}[ph](build)
        except (RuntimeError, OSError, KeyError, TypeError, json.JSONDecodeError) as e:
            check(False, "phase %s aborted: %s" % (ph, e))
    print("testpmd_e2e: %d checks, %d failed, %.1fs" % (checks, failures, time.time() - t0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
