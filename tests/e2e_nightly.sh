#!/usr/bin/env bash
# End to end: scripts/nightly.sh on an inbox of batches (folder, tar.gz, one with a
# corrupt page, an empty one, one still being copied): where each goes, reason
# files, the summary, the locks, a machine fault, exit codes, an empty inbox.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib-e2e.sh
. "$here/lib-e2e.sh"
require_models

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
holder=
cleanup() {
  if [ -n "$holder" ]; then kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
nightly="$SOHOA_SOURCE_DIR/scripts/nightly.sh"
inbox="$tmp/scans/inbox"
done_dir="$tmp/scans/done"
failed_dir="$tmp/scans/failed"
data="$tmp/data"
page="$samples/batch-2026-01/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg"
N() { bash "$nightly" --inbox "$inbox" --data "$data" --sohoa "$SOHOA" --jobs 2 "$@"; }
count() { find "$1" -mindepth 1 -maxdepth 1 -name "$2" | wc -l; }
has() { [ "$(count "$1" "$2")" -eq "$3" ]; }
hold() { # hold LOCKFILE: hold a flock on it in the background until release
  bash -c 'exec 8>>"$1"; flock 8; : >"$2"; exec sleep 60' _ "$1" "$tmp/held" >/dev/null 2>&1 &
  holder=$!
  for _ in $(seq 1 100); do [ -e "$tmp/held" ] && break; sleep 0.05; done
}
release() { kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; holder=; rm -f "$tmp/held"; }
mkdir -p "$inbox"

# (a) a folder batch, one page
mkdir -p "$inbox/batchA/hs-tanky-cchc-2025/ttr-45-tanky-khan"
cp "$page" "$inbox/batchA/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg"
# (b) a tar.gz of another batch, one page
mkdir -p "$tmp/src/batchB/hs-b/cv-07"
cp "$page" "$tmp/src/batchB/hs-b/cv-07/page-001.jpg"
tar -C "$tmp/src" -czf "$inbox/batchB.tar.gz" batchB
# (c) a corrupt JPEG and a good page
mkdir -p "$inbox/batchC/hs-broken/cv-01"
head -c 3000 "$page" >"$inbox/batchC/hs-broken/cv-01/page-001.jpg"
cp "$page" "$inbox/batchC/hs-broken/cv-01/page-002.jpg"
# (d) an empty folder
mkdir -p "$inbox/emptyD"
# a dot-file and a partial download, never touched
touch -d '-3 hours' "$inbox/.DS_Store"
echo half >"$inbox/batchF.zip.part"
touch -d '-3 hours' "$inbox/batchF.zip.part"
# age them: B oldest, then A, C, D
find "$inbox" -exec touch -d '-1 hour' {} +
touch -d '-50 minutes' "$inbox/batchB.tar.gz"
find "$inbox/batchA" -exec touch -d '-40 minutes' {} +
find "$inbox/batchC" -exec touch -d '-30 minutes' {} +
touch -d '-20 minutes' "$inbox/emptyD"
# (e) batchE.tar, still being copied: fresh, and only half there (batchA's pages)
tar -C "$inbox/batchA" -cf "$tmp/batchE.tar" .
head -c 5000 "$tmp/batchE.tar" >"$inbox/batchE.tar"
# a file deep in a folder still being written makes the folder young too
mkdir -p "$inbox/batchG/hs-g/cv-1"
touch -d '-2 hours' "$inbox/batchG" "$inbox/batchG/hs-g"
cp "$page" "$inbox/batchG/hs-g/cv-1/page-001.jpg"

# ---- the night's run ----
t0=$(date +%s)
set +e
N --min-age 10 >"$tmp/n1.out" 2>"$tmp/n1.err"
rc=$?
set -e
echo "first nightly run: $(($(date +%s) - t0)) s"
sum=$(readlink -f "$data/nightly/latest.txt" || true)
day=$(basename "$sum" .txt)
check "summary named after the day ($day)" sh -c "echo '$day' | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}'"
check "night with a failed batch exits 1 (got $rc)" [ "$rc" -eq 1 ]
check "one line on stderr points to the summary" \
  sh -c "[ \$(wc -l <'$tmp/n1.err') -eq 1 ] && grep -q '1 failed, 1 done with failed pages.*see .*$day.txt' '$tmp/n1.err'"
check "folder batch moved to done with a timestamp" has "$done_dir" '[0-9]*-[0-9]*-batchA' 1
check "tar.gz batch moved to done" has "$done_dir" '[0-9]*-[0-9]*-batchB.tar.gz' 1
check "batch with a corrupt page moved to done" has "$done_dir" '[0-9]*-[0-9]*-batchC' 1
check "empty batch moved to failed" has "$failed_dir" '[0-9]*-[0-9]*-emptyD' 1
check "empty batch has its reason file" has "$failed_dir" '[0-9]*-[0-9]*-emptyD.reason.txt' 1
reason=$(find "$failed_dir" -name '*-emptyD.reason.txt' | head -n 1)
check "reason file holds sohoa's error" grep -q "holds no page images" "$reason"
check "reason file holds the exit code" grep -q "^exit code: 3$" "$reason"
check "nothing else in failed" [ "$(count "$failed_dir" '*')" -eq 2 ]
check "young archive left in the inbox" test -f "$inbox/batchE.tar"
check "folder with a fresh file left in the inbox" test -d "$inbox/batchG"
check "partial download and dot-file left alone" \
  sh -c "test -f '$inbox/batchF.zip.part' && test -f '$inbox/.DS_Store'"
check "inbox holds only what was left" [ "$(count "$inbox" '*')" -eq 4 ]
check "summary written" test -s "$sum"
check "latest.txt is the summary" cmp -s "$sum" "$data/nightly/latest.txt"
check "summary printed on stdout" cmp -s "$sum" "$tmp/n1.out"
check "summary: batchA done" grep -Eq '^done +batchA$' "$sum"
check "summary: batchB.tar.gz done" grep -Eq '^done +batchB.tar.gz$' "$sum"
check "summary: batchC done with its failed page" grep -Eq '^done +batchC +\(with 1 failed page' "$sum"
check "summary: emptyD failed with the reason" \
  grep -Eq "^failed +emptyD +\(sohoa exit 3: .*holds no page images" "$sum"
check "summary: batchE left, still copying" grep -Eq '^left +batchE.tar$' "$sum"
check "summary: batchG left, still copying" grep -Eq '^left +batchG$' "$sum"
check "summary: the corrupt page with its reason" \
  grep -q "page failed 'hs-broken/cv-01/page-001.jpg': corrupt or truncated JPEG" "$sum"
check "summary: pages of batchC counted" \
  grep -q "pages: 2 in the batch, 1 done, 1 failed, 0 skipped" "$sum"
check "summary: oldest first (B before A before C before D)" \
  sh -c "grep -E '^(done|failed) ' '$sum' | awk '{print \$2}' | tr '\n' ' ' |
         grep -qx 'batchB.tar.gz batchA batchC emptyD '"
check "summary: totals" grep -q "^totals: 7 batches: 3 done (1 of them with failed pages or refused entries), 1 failed, 3 left" "$sum"
check "summary: page totals" grep -q "pages: 3 done, 1 failed, 0 skipped" "$sum"
check "summary: start and end" sh -c "grep -q '^started: ' '$sum' && grep -q '^ended: .*took' '$sum'"
for b in batchA batchB.tar.gz batchC emptyD; do
  check "run log of $b kept" test -s "$data/nightly/$day-$b.log"
done
check "the pages are in the data folder" \
  sh -c "'$SOHOA' --data '$data' status | grep -q 'pages: *3 done, 1 failed, 0 pending'"

# batchE's and batchG's copies end; their time has come
cp "$tmp/batchE.tar" "$inbox/batchE.tar"
touch -d '-1 hour' "$inbox/batchE.tar"
rm -rf "$inbox/batchG"

# ---- a second nightly.sh while one runs exits quietly ----
hold "$data/nightly/nightly.lock"
set +e
N --min-age 10 >"$tmp/n2.out" 2>&1
rc=$?
set -e
release
check "concurrent nightly.sh exits 0" [ "$rc" -eq 0 ]
check "concurrent nightly.sh says nothing" [ ! -s "$tmp/n2.out" ]
check "concurrent nightly.sh touched nothing" test -f "$inbox/batchE.tar"

# ---- data folder busy (another sohoa run): the batch stays, exit 2 ----
hold "$data/run.lock"
set +e
N --min-age 10 >"$tmp/n3.out" 2>"$tmp/n3.err"
rc=$?
set -e
release
check "busy data folder exits 2 (got $rc)" [ "$rc" -eq 2 ]
check "busy data folder: batch left in the inbox" test -f "$inbox/batchE.tar"
check "busy data folder: said so" grep -q "^STOPPED: the data folder is in use by another run" "$tmp/n3.out"
check "busy data folder: said so on stderr too" grep -q "STOPPED: the data folder is in use" "$tmp/n3.err"
check "busy data folder: batch listed as left" grep -Eq '^left +batchE.tar ' "$tmp/n3.out"
check "second summary of the day has its own file" cmp -s "$data/nightly/$day-2.txt" "$tmp/n3.out"
check "latest.txt points to it" cmp -s "$data/nightly/latest.txt" "$tmp/n3.out"

# ---- the machine at fault (model missing): the batch is not blamed ----
mkdir -p "$tmp/no-models"
set +e
TESSDATA_PREFIX="$tmp/no-models" N --min-age 10 >"$tmp/n4.out" 2>&1
rc=$?
set -e
check "model missing exits 2 (got $rc)" [ "$rc" -eq 2 ]
check "model missing: batch left in the inbox" test -f "$inbox/batchE.tar"
check "model missing: nothing new in failed" [ "$(count "$failed_dir" '*')" -eq 2 ]
check "model missing: said it is the machine" \
  grep -q "^STOPPED: the machine is at fault, not the batch: Tesseract model 'vie' not found" "$tmp/n4.out"

# ---- then a normal night: batchE's page was done before (batchA) ----
set +e
N --min-age 10 >"$tmp/n5.out" 2>&1
rc=$?
set -e
check "clean night exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "batchE moved to done" has "$done_dir" '[0-9]*-[0-9]*-batchE.tar' 1
check "batchE's page skipped, not redone" \
  grep -q "pages: 1 in the batch, 0 done, 0 failed, 1 skipped" "$tmp/n5.out"

# ---- an empty inbox is a no-op ----
before=$(cd "$tmp" && find scans data/nightly | sort | md5sum)
set +e
N --min-age 10 >"$tmp/n6.out" 2>&1
rc=$?
set -e
check "empty inbox exits 0" [ "$rc" -eq 0 ]
check "empty inbox says there is nothing to do" grep -q "nothing to do" "$tmp/n6.out"
check "empty inbox changes nothing" [ "$(cd "$tmp" && find scans data/nightly | sort | md5sum)" = "$before" ]

# ---- usage errors ----
set +e
bash "$nightly" --data "$data" --sohoa "$SOHOA" >/dev/null 2>&1
rc1=$?
bash "$nightly" --inbox "$inbox" --data "$data" --sohoa "$tmp/no-such-sohoa" >/dev/null 2>&1
rc2=$?
bash "$nightly" --inbox "$inbox" --data "$data" --min-age soon >/dev/null 2>&1
rc3=$?
set -e
check "no inbox: exit 3" [ "$rc1" -eq 3 ]
check "missing sohoa: exit 3" [ "$rc2" -eq 3 ]
check "bad --min-age: exit 3" [ "$rc3" -eq 3 ]
echo "total: $(($(date +%s) - t0)) s"

finish
