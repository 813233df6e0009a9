#!/usr/bin/env bash
# Times `relate import orders` of a generated line-item CSV (100,000 lines by
# default: 20,000 orders of 5 lines, 2,000 customers, 500 products, all created
# by the import) into a fresh temporary store, then times the re-import, which
# must find everything in place and write nothing.
#
# Usage: cargo build --release && bench/import.sh [LINES]
set -euo pipefail

lines=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
relate=${RELATE_BIN:-$root/target/release/relate}
if [ ! -x "$relate" ]; then
    echo "no $relate: build it first with cargo build --release" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RELATE_AUTHOR="Bench <bench@example.com>"
export RELATE_STORE="$work/store"
"$relate" init "$work/store" 2>/dev/null

awk -v n="$lines" 'BEGIN {
    print "external_id,customer,at,product,product_name,quantity,price"
    for (i = 0; i < n; i++) {
        order = int(i / 5)
        sku = i % 500
        printf "INV%07d,C%05d,2025-%02d-%02dT%02d:%02d:00Z,SKU-%03d,Product %d,%d,%d.%02d\n",
            order, order % 2000, 1 + int(order / 28) % 12, 1 + order % 28,
            order % 24, order % 60, sku, sku, 1 + i % 7, 1 + sku % 90, sku % 100
    }
}' > "$work/orders.csv"

run() {
    local start end
    start=$(date +%s.%N)
    "$relate" import orders "$work/orders.csv" --create-customers --create-products
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

first=$(run)
files=$(find "$work/store" -name '*.yaml' -not -name relate.yaml | wc -l)
commits=$(git -C "$work/store" rev-list --count HEAD)
again=$(run)
echo "import of $lines order lines: ${first} s ($files record files, $commits commits); re-import: ${again} s"
