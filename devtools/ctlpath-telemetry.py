#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send DPDK telemetry commands to a running DPDK process and print the JSON replies.

Usage: ctlpath-telemetry.py [-f FILE_PREFIX] [--wait SECONDS] COMMAND [COMMAND ...]
  e.g. ctlpath-telemetry.py -f demo /ctlpath/idpf_emu/state,net_idpf_emu0

One JSON object per command on stdout (the reply's value, without the command key when
--value is given). Exits 1 when the socket is missing or a reply is not JSON.
"""
import argparse
import json
import os
import socket
import sys
import time


def socket_path(prefix):
    base = os.environ.get("XDG_RUNTIME_DIR") if os.getuid() != 0 else None
    base = base or "/var/run"
    return os.path.join(base, "dpdk", prefix, "dpdk_telemetry.v2")


def connect(path, wait):
    deadline = time.monotonic() + wait
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(path)
            info = json.loads(s.recv(16384).decode())
            return s, info.get("max_output_len", 16384)
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-f", "--file-prefix", default="rte")
    ap.add_argument("--wait", type=float, default=0.0, help="wait for the socket")
    ap.add_argument("--value", action="store_true", help="print only the reply's value")
    ap.add_argument("commands", nargs="+")
    args = ap.parse_args()
    path = socket_path(args.file_prefix)
    try:
        s, maxlen = connect(path, args.wait)
    except OSError as e:
        print(f"ctlpath-telemetry: cannot reach {path}: {e}", file=sys.stderr)
        return 1
    with s:
        for cmd in args.commands:
            s.send(cmd.encode())
            raw = s.recv(maxlen).decode()
            try:
                reply = json.loads(raw)
            except json.JSONDecodeError:
                print(f"ctlpath-telemetry: not JSON: {raw[:200]}", file=sys.stderr)
                return 1
            if args.value:
                reply = next(iter(reply.values())) if isinstance(reply, dict) and reply else reply
            print(json.dumps(reply, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
