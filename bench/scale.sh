#!/usr/bin/env bash
# The scale benchmark: a generated store of 100,000 customers, 1,000,000+
# interactions and 300,000 orders (scripts/generate_store.py, seeded;
# about 1.7 million files), committed to git. Prints every figure of
# docs/performance.md as a Markdown table: the median of RUNS runs, the
# anchor measured in the same run (the git CLI, `cat` of the files), and the
# ratio. Warm reads are measured twice, without the file-system monitor
# and with it (`relate monitor on`; turned off again after). Not part of the test suite (timings on shared machines are noise):
# run it by hand on a quiet machine.
#
#   bench/scale.sh [STORE_DIR]       default: $TMPDIR/relate-scale (reused if present)
#   RUNS=5 WRITES=1000 bench/scale.sh
#   RELATE=/tmp/relate bench/scale.sh   (measure a copy of a binary)
#
# Generating and committing the store takes about 20 minutes and 8 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
store=${1:-${TMPDIR:-/tmp}/relate-scale}
runs=${RUNS:-5}
writes=${WRITES:-1000}
as_of=2026-11-20
export RELATE_AUTHOR="Bench <bench@example.com>" GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

if [ ! -d "$store/.git" ]; then
  echo "generating $store (about 1.7M files; 20 minutes)" >&2
  python3 scripts/generate_store.py "$store" --customers 100000 --interactions 1000000 \
    --orders 300000 --products 1000 --deals 20000 >&2
  (cd "$store" && git init -q -b main && git add -A && git commit -q -m "generated store" && git gc -q)
fi
# RELATE=path/to/relate measures that binary (a copy, so that a build
# meanwhile does not change it); otherwise the release build is made first.
if [ -z "${RELATE:-}" ]; then
  cargo build --release --quiet
fi
relate=${RELATE:-"${CARGO_TARGET_DIR:-$repo/target}/release/relate"}
cd "$store"

# Times one command (its output is dropped) into $took, in seconds.
clock() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  took=$(echo "scale=3; ($end - $start) / 1000000000" | bc | sed 's/^\./0./')
}
# Seconds one command takes.
seconds() { clock "$@"; echo "$took"; }
# The median of the numbers on standard input.
median() { sort -n | awk '{v[NR] = $1} END {printf "%.3f", v[int((NR + 1) / 2)]}'; }
# The median of RUNS runs of a command.
med() { for _ in $(seq "$runs"); do seconds "$@"; done | median; }
ratio() { echo "scale=3; $1 / $2" | bc | sed 's/^\./0./'; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "${4:-}"; }

first_id() { (cd "$1" && set -- *.yaml && echo "${1%.yaml}"); }
customer=$(first_id customers)
# Deals that can move forward, a fresh one for each run.
mapfile -t open_deals < <(grep -l '^stage: qualification' deals/*.yaml | sed 's|^deals/||; s|\.yaml$||')
n=0
log() { n=$((n + 1)); "$relate" log "$customer" --channel phone --summary "bench $n"; }
git_add_commit() {
  n=$((n + 1))
  local id
  id="bench-anchor-$(date +%s%N)"
  f="interactions/2026/11/$id.yaml"
  printf 'id: %s\ncustomer: %s\nat: 2026-11-20T10:00:00Z\nchannel: phone\n' "$id" "$customer" >"$f"
  git add "$f" && git commit -q -m "anchor $id"
}
set_customer() { n=$((n + 1)); "$relate" customer set "$customer" "fields.bench=$n"; }
d=0
advance() { "$relate" deal advance "${open_deals[$d]}"; d=$((d + 1)); }

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; store: $(git ls-files | wc -l) files, index $(du -m .git/index | cut -f1) MB; $(date -u +%Y-%m-%d)"
echo
echo "| figure | relate (median of $runs) | anchor in the same run | ratio |"
echo "| --- | ---: | --- | ---: |"

# The monitor is off to begin with (a run stopped halfway may have left it on).
"$relate" monitor off >/dev/null 2>&1 || true

# Writes: one record, one commit. The anchor and the three writes take
# turns, run by run, so that each sees the machine in the same state; each
# starts after `sync` (untimed), so that none pays for the write-back of the
# 180 MB index the one before it left dirty.
# (Timed in this shell, not a subshell: the writes count their runs.)
timed() { sync; clock "$@"; }
anchors=() logs=() advances=() sets=()
for _ in $(seq "$runs"); do
  timed git_add_commit && anchors+=("$took")
  timed log && logs+=("$took")
  timed advance && advances+=("$took")
  timed set_customer && sets+=("$took")
done
of() { printf '%s\n' "$@" | median; }
anchor=$(of "${anchors[@]}")
t=$(of "${logs[@]}")
row '`log` (one interaction)' "$t s" "\`git add FILE && git commit\`: $anchor s" "$(ratio "$t" "$anchor")"
t=$(of "${advances[@]}")
row '`deal advance`' "$t s" "\`git add FILE && git commit\`: $anchor s" "$(ratio "$t" "$anchor")"
t=$(of "${sets[@]}")
row '`customer set` (a 100,000-entry folder)' "$t s" "\`git add FILE && git commit\`: $anchor s" "$(ratio "$t" "$anchor")"
[ -z "$(git status --porcelain)" ] && [ -z "$(git diff --cached --name-only)" ] \
  && echo "| afterwards | \`git status\` and \`git diff --cached\` clean | | |"

# Reads, warm: the cache is up to date. Without the file-system monitor,
# then with it (`relate monitor on`): $1 names the rows.
warm_reads() {
  local label=$1
  "$relate" check >/dev/null 2>&1 || true
  for report in segments rfm value loyalty funnel forecast demand revenue service assets dashboard; do
    "$relate" report "$report" --as-of "$as_of" >/dev/null 2>&1 || true
  done
  "$relate" search invoice utrecht >/dev/null 2>&1 || true
  status=$(med git status --porcelain)
  t=$(med "$relate" check)
  row "\`check\`, $label" "$t s" "\`git status\`: $status s" "$(ratio "$t" "$status")"
  t=$(med "$relate" customer show "$customer")
  row "\`customer show\`, $label" "$t s" "" ""
  for report in segments rfm value loyalty funnel forecast demand service assets dashboard; do
    t=$(med "$relate" report "$report" --as-of "$as_of")
    row "\`report $report\`, $label" "$t s" "" ""
  done
  t=$(med "$relate" report basket --as-of "$as_of" --min-support 0.01)
  row "\`report basket --min-support 0.01\`, $label" "$t s" "" ""
  # The BG/NBD and Gamma-Gamma fits over every customer with an order; a fit
  # that fails (exit 1) still prints its time, so the row says whether it did.
  clv_status=$("$relate" report clv --as-of "$as_of" >/dev/null 2>&1 && echo fitted || echo "failed: exit $?")
  t=$(med "$relate" report clv --as-of "$as_of")
  row "\`report clv\` (fit and predictions), $label" "$t s" "$clv_status" ""
  t=$(med "$relate" agenda)
  row "\`agenda\`, $label" "$t s" "" ""
  # The search texts of every record compared (see docs/performance.md); duplicates compares within blocks.
  t=$(med "$relate" search invoice utrecht)
  row "\`search invoice utrecht\`, $label" "$t s" "\`git status\`: $status s" "$(ratio "$t" "$status")"
  t=$(med "$relate" customer duplicates --format csv)
  row "\`customer duplicates\`, $label" "$t s" "" ""
  mem=$( { /usr/bin/time -f '%M' "$relate" report segments --as-of "$as_of" >/dev/null; } 2>&1 | tail -1)
  row "\`report segments\`, peak memory, $label" "$((mem / 1024)) MB" "" ""

  # After a change: a hand edit, a checkout, a stash.
  sed -i 's/^name: \(.*\)$/name: \1 (edited)/' "customers/$customer.yaml"
  t=$(seconds "$relate" report segments --as-of "$as_of")
  row "after one hand edit: \`report segments\`, $label" "$t s" "" ""
  git checkout -q -- "customers/$customer.yaml"
  git checkout -q HEAD~3
  t=$(seconds "$relate" report segments --as-of "$as_of")
  row "after \`git checkout HEAD~3\`: \`report segments\`, $label" "$t s" "" ""
  git checkout -q main
  echo "# stash" >>"customers/$customer.yaml"
  git stash -q
  t=$(seconds "$relate" report segments --as-of "$as_of")
  row "after \`git stash\`: \`report segments\`, $label" "$t s" "" ""
  git stash drop -q
}
warm_reads warm
"$relate" monitor on >/dev/null
warm_reads "warm, monitor"
"$relate" monitor off >/dev/null

# Cold: no cache. The anchor is `cat` of the files the command reads.
cold() { rm -rf .git/relate/cache; seconds "$@"; }
cat_of() { seconds sh -c "find $* -name '*.yaml' -print0 | xargs -0 cat"; }
t=$(cold "$relate" check)
c=$(cat_of customers interactions deals products orders tickets assets campaigns)
row '`check`, cold' "$t s" "\`cat\` of every record: $c s" "$(ratio "$t" "$c")"
t=$(cold "$relate" report segments --as-of "$as_of")
c=$(cat_of customers orders interactions/2026/08 interactions/2026/09 interactions/2026/10 interactions/2026/11 deals)
row '`report segments`, cold' "$t s" "\`cat\` of the files it reads: $c s" "$(ratio "$t" "$c")"
t=$(cold "$relate" customer show "$customer")
c=$(cat_of customers interactions orders deals)
row '`customer show`, cold' "$t s" "\`cat\` of the files it reads: $c s" "$(ratio "$t" "$c")"

# Imports: 10,000 new customers into the big store and into an empty one.
csv=$(mktemp --suffix .csv)
empty=$(mktemp -d)
awk 'BEGIN { print "external_id,name,email,region"; for (i = 0; i < 10000; i++) printf "B%05d,Bench Customer %05d,bench%05d@example.org,EU\n", i, i, i }' >"$csv"
"$relate" init "$empty/store" >/dev/null 2>&1
t_empty=$(seconds "$relate" --store "$empty/store" import customers "$csv")
t=$(seconds "$relate" import customers "$csv")
row '`import customers` of 10,000 rows' "$t s" "the same into an empty store: $t_empty s" "$(ratio "$t" "$t_empty")"
git reset -q --hard HEAD~1
# What the file system alone takes to create those 10,000 files (each
# written, then renamed into place, as relate does): in this store's
# 100,000-file customers/ and in an empty folder.
create_files() {
  python3 -c 'import os, sys
for i in range(10000):
    path = os.path.join(sys.argv[1], "bench-file-%05d.yaml" % i)
    with open(path + ".tmp", "w") as f:
        f.write("id: bench-file-%05d\n" % i)
    os.rename(path + ".tmp", path)' "$1"
}
t=$(seconds create_files customers)
rm -f customers/bench-file-*.yaml
mkdir "$empty/folder"
t_empty=$(seconds create_files "$empty/folder")
row '10,000 files created alone (no relate, no git)' "$t s" "the same in an empty folder: $t_empty s" "$(ratio "$t" "$t_empty")"
rm -rf "$empty" "$csv"

# The repository after many writes: git packs what relate's commits wrote.
before=$(du -sm .git | cut -f1)
for _ in $(seq "$writes"); do set_customer >/dev/null 2>&1; done
while pgrep -f "git (repack|gc)" >/dev/null; do sleep 5; done
after=$(du -sm .git | cut -f1)
growth=$((after - before))
[ "$growth" -ge 0 ] && growth="+$growth"
row "\`.git\` after $writes \`customer set\`" "$after MB" "before: $before MB" "$growth MB"
