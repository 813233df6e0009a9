#!/usr/bin/env bash
# Benchmark: generate a synthetic store of 100k customers, 1M interactions and
# 300k orders (scripts/generate_store.py, seeded), then time `relate check` and
# every report on it with a release build. Prints a Markdown table for
# docs/performance.md. Not part of the test suite: run it by hand.
#
#   bench/run.sh [STORE_DIR]        default: $TMPDIR/relate-bench (reused if present)
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-${TMPDIR:-/tmp}/relate-bench}
as_of=2026-11-20

if [ ! -f "$store/relate.yaml" ]; then
  echo "generating $store (about 1.4M files, 5.5 GB; a few minutes)" >&2
  start=$(date +%s.%N)
  python3 scripts/generate_store.py "$store" --customers 100000 --interactions 1000000 \
    --orders 300000 --products 1000 --deals 20000 >&2
  echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s" >&2
fi
cargo build --release --quiet
relate=target/release/relate

measure() {
  local label=$1; shift
  local out
  out=$( { /usr/bin/time -f '%e %M' "$relate" --store "$store" "$@" >/dev/null; } 2>&1 | tail -1)
  printf '| `%s` | %s | %s |\n' "$label" "${out% *}" "$(( ${out#* } / 1024 ))"
}

echo "| command | seconds | peak MiB |"
echo "| --- | ---: | ---: |"
measure "check" check || true
measure "customer list" customer list
measure "customer show (1M interactions scanned)" customer show "$(ls "$store/customers" | head -1 | sed 's/.yaml$//')"
for report in segments rfm value loyalty funnel forecast demand; do
  measure "report $report" report "$report" --as-of "$as_of"
done
measure "report basket --min-support 0.01" report basket --as-of "$as_of" --min-support 0.01
measure "report clv" report clv --as-of "$as_of" || true
for report in service assets; do
  measure "report $report" report "$report" --as-of "$as_of"
done
measure "agenda" agenda
measure "recommend" recommend "$(ls "$store/customers" | head -1 | sed 's/.yaml$//')"
