#!/usr/bin/env bash
# The demo: set-up (as test.sh), then the stock dpdk-testpmd drives an emulated idpf port
# (net_idpf_emu, loaded as a plugin from build/drivers) through a scripted control session,
# and the emulator's own state is read back over DPDK telemetry after each step.
# Where the PMD is not built yet, it says what is built and runs the benchmarks that are.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
devtools/setup.sh

if ls build/drivers/libctlpath_net_idpf*.so >/dev/null 2>&1; then
	exec /usr/bin/python3 devtools/demo-testpmd.py --build build "$@"
fi

echo
echo "Built (build/):"
ls build/drivers/*.so 2>/dev/null | sed 's/^/  plugin  /' || true
for a in build/app/ctlpath-bench build/app/ctlpath-vhost; do
	[ -x "$a" ] && echo "  app     $a"
done
echo "  tests   $(meson test -C build --list 2>/dev/null | wc -l) (devtools/test.sh runs them)"
echo
echo "The testpmd session needs the idpf PMD (drivers/net/idpf), not built yet. Benchmarks:"
build/app/ctlpath-bench --help 2>&1 | sed -n '/^benchmarks:/,/^$/p'
for b in $(build/app/ctlpath-bench --help 2>&1 | awk '/^  [a-z]/ {print $1}'); do
	build/app/ctlpath-bench "$b"
done
