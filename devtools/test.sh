#!/usr/bin/env bash
# Every test of the project, from a fresh Debian 12 machine: set-up (packages, SDK headers,
# hugepages, builds), then the suites of build/ (unit, stress, fuzz, e2e), build-asan
# (unit, stress under ASan+UBSan), build-tsan (stress of the lock-free code under TSan) and
# a short libFuzzer run of every fuzz target in build-fuzz.
# The last line is "N passed, N failed[, N skipped]"; the exit code is non-zero on any failure.
#
# Options: --quick  only build/ (no sanitizer or fuzz builds)
#          --suite S  only that suite of build/ (repeatable); implies --quick
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

quick=0
suites=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--suite) suites+=("$2"); quick=1; shift ;;
	-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ ${#suites[@]} -eq 0 ] && suites=(unit stress fuzz e2e)

builds=()
[ $quick -eq 0 ] && builds=(asan tsan fuzz)
devtools/setup.sh "${builds[@]}" || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
log_dir="$top/build/test-logs"
mkdir -p "$log_dir"

# run_suite BUILD SUITE: meson test, then add its summary to the totals.
run_suite() {
	local dir=$1 suite=$2 log ok fail skip
	log="$log_dir/$(basename "$dir")-$suite.txt"
	if ! meson test -C "$dir" --list --suite "$suite" >/dev/null 2>&1 ||
		[ -z "$(meson test -C "$dir" --list --suite "$suite" 2>/dev/null)" ]; then
		printf '== %s: suite %s has no tests here\n' "$dir" "$suite"
		return
	fi
	printf '== %s: suite %s\n' "$dir" "$suite"
	meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 2 >"$log" 2>&1
	grep -E '^ *[0-9]+/[0-9]+ ' "$log" | awk '!seen[$0]++' | sed 's/^/   /'
	ok=$(awk '/^Ok:/ {print $2}' "$log"); ok=${ok:-0}
	fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $NF} END {print s+0}' "$log")
	skip=$(awk '/^Skipped:/ {print $2}' "$log"); skip=${skip:-0}
	if ! grep -q '^Ok:' "$log"; then
		echo "   meson test did not run (see $log)"
		fail=$((fail + 1))
	fi
	if [ "$fail" -gt 0 ]; then
		echo "   --- failures (full log: $log) ---"
		grep -E '^ *FAIL |\[ FAIL \]|ERROR|Sanitizer|runtime error|Assertion|Segmentation' \
			"$log" | sort -u | head -40 | sed 's/^/   /'
	fi
	passed=$((passed + ok)); failed=$((failed + fail)); skipped=$((skipped + skip))
}

# Short libFuzzer runs over a scratch copy of each target's corpus (the repo's corpus is
# only read). Targets are the fuzz_* executables of build-fuzz; a target's seed corpus is the
# corpus* folder next to its source test/<component>/<target>.c.
run_fuzzers() {
	local dir=build-fuzz secs=${CTLPATH_FUZZ_SECONDS:-20} t name corpus work
	[ -d "$dir" ] || return
	while read -r t; do
		name=$(basename "$t")
		corpus=$(find test -name "$name.c" -printf '%h\n' | head -n 1)
		corpus=$(find "${corpus:-/nonexistent}" -maxdepth 1 -type d -name 'corpus*' 2>/dev/null |
			head -n 1)
		work=$(mktemp -d -p "$top/build-fuzz")
		[ -n "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
		printf '== fuzz smoke: %s for %ss\n' "$name" "$secs"
		if "$t" -max_total_time="$secs" -print_final_stats=1 "$work" \
			>"$log_dir/fuzz-$name.txt" 2>&1; then
			grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' \
				"$log_dir/fuzz-$name.txt" | sed 's/^/   /'
			passed=$((passed + 1))
		else
			echo "   FAILED: see $log_dir/fuzz-$name.txt"
			tail -n 40 "$log_dir/fuzz-$name.txt"
			failed=$((failed + 1))
		fi
		rm -rf "$work"
	done < <(find "$dir" -type f -name 'fuzz_*' -perm -u+x ! -name '*.p' | sort)
}

for s in "${suites[@]}"; do
	run_suite build "$s"
done
if [ $quick -eq 0 ]; then
	for s in unit stress; do
		run_suite build-asan "$s"
	done
	run_suite build-tsan stress
	run_fuzzers
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
