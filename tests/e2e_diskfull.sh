#!/usr/bin/env bash
# End to end: the data folder's disk fills up during a run. The run must stop
# cleanly (exit 3, a message that says the disk is full, no crash, no
# sanitizer report, no hang), leave the database consistent (PRAGMA
# integrity_check, sohoa check: no document done without its outputs, no page
# done without its page file) and no temporary files; once there is room
# again, the next run finishes the batch with the same texts as a run on a
# roomy disk.
#
# The small disk is a real tmpfs of a few hundred KiB, mounted in a user and
# mount namespace of its own (unshare -rm: no root needed). Where namespaces
# are not allowed (some containers) the test is skipped (77).
#
#   SOHOA_DISKFULL_SIZES  tmpfs sizes tried, each on a fresh data folder
#                         (default "100k 200k 400k 600k 800k 1m": the database
#                         cannot even be created, then the disk fills on a
#                         database write, a page file or a document's outputs
#                         (which one depends on timing; each is printed);
#                         fewer under the sanitizer build, recognised by
#                         build-asan in $SOHOA or by SOHOA_SLOW=1)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-e2e.sh"
require_models
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed (scripts/deps.sh)"; exit 77; }

if [ -z "${SOHOA_DISKFULL_INSIDE:-}" ]; then
  probe=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
  if ! unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" &&
                          mount -o remount,size=128k "$1"' sh "$probe" 2>"$probe.err"; then
    echo "SKIP: cannot mount a small tmpfs in a user namespace (unshare -rm):" \
         "$(head -n 1 "$probe.err")"
    rm -rf "$probe" "$probe.err"
    exit 77
  fi
  rm -rf "$probe" "$probe.err"
  # everything else runs in one namespace, where the mounts live
  export SOHOA_DISKFULL_INSIDE=1
  exec unshare -rm bash "$0" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
mnt="$tmp/mnt"
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null || true; rm -rf "$tmp"' EXIT

slow=${SOHOA_SLOW:-0}
case "$SOHOA" in *build-asan*) slow=1 ;; esac
if [ "$slow" = 1 ]; then sizes=${SOHOA_DISKFULL_SIZES:-100k 200k 600k 1m}
else sizes=${SOHOA_DISKFULL_SIZES:-100k 200k 400k 600k 800k 1m}; fi
limit=$([ "$slow" = 1 ] && echo 600 || echo 200)   # seconds before a run counts as hung

# ---- the batch: 2 dossiers, 3 documents, 4 pages (a 2-page G4 TIFF, JPEGs) ----
batch="$tmp/batch"
small_batch "$batch"

texts() { # data-dir out-dir: each document's text
  local doc
  mkdir -p "$2"
  for doc in $docs; do
    "$SOHOA" --data "$1" text "$doc" >"$2/${doc//\//__}" 2>&1 || echo "(exit $?)" >>"$2/${doc//\//__}"
  done
}

no_sanitizer_report() { ! grep -Eq 'Sanitizer|runtime error:' "$1"; }

# ---- reference: the same batch on a roomy disk ----
set +e
"$SOHOA" --data "$tmp/ref" run -j 2 "$batch" >/dev/null 2>"$tmp/ref.err"
rc=$?
set -e
check "reference run on a roomy disk exits 0" [ "$rc" -eq 0 ]
texts "$tmp/ref" "$tmp/ref.texts"

# ---- a disk too small, then room again ----
for size in $sizes; do
  data="$mnt/data"
  mount -t tmpfs -o "size=$size" tmpfs "$mnt"
  set +e
  timeout -s KILL "$limit" "$SOHOA" --data "$data" run -j 2 "$batch" >"$tmp/full.out" 2>"$tmp/full.err"
  rc=$?
  set -e
  why=$(grep '^sohoa: ' "$tmp/full.err" | head -n 1 || true)
  echo "-- $size: exit $rc, ${why:-no message}"
  check "$size: the run stops with exit 3 (exit $rc; 137: hung, killed after ${limit} s)" [ "$rc" -eq 3 ]
  check "$size: it says the disk is full" \
    grep -Eiq '^sohoa: .*(no space left on device|disk is full)' "$tmp/full.err"
  check "$size: no sanitizer report" no_sanitizer_report "$tmp/full.err"
  if [ -e "$data/sohoa.db" ]; then
    check "$size: PRAGMA integrity_check ok" \
      [ "$(sqlite3 -batch "$data/sohoa.db" 'PRAGMA integrity_check' 2>&1)" = ok ]
  fi
  # sohoa check on the full disk: pages done keep their page file, no
  # document is done without its outputs, the database and its index are
  # sound. The only problem it may report is a document whose pages are all
  # done but that was not finished (the next run finishes it). (When the
  # disk filled before the tables existed, there is nothing to check.)
  set +e
  timeout -s KILL "$limit" "$SOHOA" --data "$data" check >"$tmp/check.out" 2>&1
  crc=$?
  set -e
  if grep -q 'cannot create tables' "$tmp/full.err"; then
    check "$size: sohoa check reports no damage" \
      bash -c "! grep -Eq '^problem:|corrupt|malformed' '$tmp/check.out'"
  else
    check "$size: sohoa check on the full disk finds no damage (exit $crc: $(head -n 2 "$tmp/check.out" | tr '\n' ' '))" \
      bash -c "[ $crc -le 1 ] && ! grep '^problem:' '$tmp/check.out' | grep -qv 'not finished (running its batch again finishes it)'"
  fi
  check "$size: no temporary files left" \
    bash -c "[ -z \"\$(find '$data' -name '*.tmp.*' 2>/dev/null)\" ]"
  # room again
  mount -o remount,size=64m "$mnt"
  set +e
  timeout -s KILL "$limit" "$SOHOA" --data "$data" run -j 2 "$batch" >/dev/null 2>"$tmp/again.err"
  rc=$?
  set -e
  check "$size: with room again the next run exits 0 (got $rc: $(tail -n 1 "$tmp/again.err"))" \
    [ "$rc" -eq 0 ]
  check "$size: no sanitizer report in the next run" no_sanitizer_report "$tmp/again.err"
  set +e
  "$SOHOA" --data "$data" check >"$tmp/check.out" 2>&1
  crc=$?
  set -e
  check "$size: then sohoa check ok: $(head -n 3 "$tmp/check.out" | tr '\n' ' ')" \
    bash -c "[ $crc -eq 0 ] && grep -q '^ok: 3 documents and 4 pages' '$tmp/check.out'"
  check "$size: every document done, each page once" \
    [ "$(sqlite3 -batch "$data/sohoa.db" "SELECT (SELECT count(*) FROM document WHERE state = 'done')
           || ' ' || (SELECT count(*) FROM page WHERE state = 'done')
           || ' ' || (SELECT count(*) FROM page)
           || ' ' || (SELECT count(*) FROM page_fts_docsize)")" = "3 4 4 4" ]
  rm -rf "$tmp/texts"
  texts "$data" "$tmp/texts"
  check "$size: the texts equal the reference run's" diff -r "$tmp/ref.texts" "$tmp/texts"
  for doc in $docs; do
    for ext in pdf txt hocr; do
      [ -s "$data/out/$doc.$ext" ] || bad "$size: output $doc.$ext missing"
    done
  done
  check "$size: no temporary files left after the next run" \
    bash -c "[ -z \"\$(find '$data' -name '*.tmp.*')\" ]"
  umount "$mnt"
done

# ---- a write error: a folder stands where a document's hOCR goes ----
# (rename fails with EISDIR) after its PDF and text are in place; once it is
# gone, the next run must finish that document like the others
data="$tmp/werr"
hocr="$data/out/hs-phuson-cchc-2023/kh-08-phuson.hocr"
mkdir -p "$hocr"
set +e
timeout -s KILL "$limit" "$SOHOA" --data "$data" run -j 2 "$batch" >/dev/null 2>"$tmp/werr.err"
rc=$?
set -e
echo "-- write error: exit $rc, $(grep '^sohoa: ' "$tmp/werr.err" | head -n 1)"
check "write error: the run stops with exit 3 (exit $rc)" [ "$rc" -eq 3 ]
check "write error: the message names the file" grep -q "^sohoa: .*kh-08-phuson.hocr" "$tmp/werr.err"
check "write error: no sanitizer report" no_sanitizer_report "$tmp/werr.err"
check "write error: that document is not recorded done" \
  [ "$(sqlite3 -batch "$data/sohoa.db" "SELECT state FROM document WHERE name = 'kh-08-phuson'")" != "done" ]
check "write error: sohoa check names the unfinished document" \
  sh -c "'$SOHOA' --data '$data' check 2>&1 | grep -q '^problem: .*kh-08-phuson: every page done but the document not finished'"
rmdir "$hocr"
set +e
timeout -s KILL "$limit" "$SOHOA" --data "$data" run -j 2 "$batch" >/dev/null 2>"$tmp/werr.err"
rc=$?
set -e
check "write error: once it is gone the next run exits 0 (exit $rc)" [ "$rc" -eq 0 ]
check "write error: then every document is done ($("$SOHOA" --data "$data" status | grep documents:))" \
  [ "$(sqlite3 -batch "$data/sohoa.db" "SELECT count(*) FROM document WHERE state = 'done'")" = 3 ]
check "write error: then the document's hOCR is there" test -s "$hocr"
check "write error: then sohoa check ok" sh -c "'$SOHOA' --data '$data' check 2>&1 | grep -q '^ok: 3 documents'"
rm -rf "$tmp/texts"
texts "$data" "$tmp/texts"
check "write error: the texts equal the reference run's" diff -r "$tmp/ref.texts" "$tmp/texts"

finish
