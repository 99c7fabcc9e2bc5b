#!/usr/bin/env bash
# End to end: a run killed at random moments (SIGKILL: as good as a power
# cut for the process) and started again must end in exactly the state of a
# run that was never interrupted: every page, text, PDF, search hit and
# database row present once, `sohoa check` ok, no temporary files left.
# Each point: a fresh data folder, `sohoa run` killed after a random delay
# below the uninterrupted run's duration (for one point in three the resumed
# run is killed too), then a run to the end, then the comparison. Then three
# points aimed at moments too short for chance: while a page file is being
# written, while a document output is, and between a document's PDF and its
# record.
#
#   SOHOA_KILL_POINTS  number of random points (default 20; 6 under the
#                      sanitizer build, recognised by build-asan in $SOHOA or
#                      by SOHOA_SLOW=1)
#   SOHOA_KILL_SEED    seed of $RANDOM (default 2026; printed). The same seed
#                      gives the same fractions of the reference duration;
#                      the moments they hit depend on the machine's timing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-e2e.sh"
require_models
for tool in sqlite3 pdfinfo pdftotext; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/deps.sh)"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
pid=""
trap '[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

slow=${SOHOA_SLOW:-0}
case "$SOHOA" in *build-asan*) slow=1 ;; esac
if [ "$slow" = 1 ]; then points=${SOHOA_KILL_POINTS:-6}; else points=${SOHOA_KILL_POINTS:-20}; fi
seed=${SOHOA_KILL_SEED:-2026}
RANDOM=$seed
echo "kill points: $points, seed: $seed (SOHOA_KILL_POINTS, SOHOA_KILL_SEED)"

# ---- a small batch: 2 dossiers, 3 documents, 4 pages ----
# a 2-page G4 TIFF, a folder document of one JPEG, a one-page document as a
# bare JPEG
batch="$tmp/batch"
small_batch "$batch"
queries=("ke hoach" "Phạm Thị Lan" "NGUYEN XUAN CUONG" "chi so hai long"
         "dan*" "cải cách hành chính")

run_sohoa() { # data-dir log [nice]: sohoa run in the background; sets $pid
  ${3:+nice -n "$3"} "$SOHOA" --data "$1" run -j 2 "$batch" >"$2" 2>&1 &
  pid=$!
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

rnd_below() { # N: $r = a number in [0, N) (not in a $(subshell): it reseeds $RANDOM)
  r=$(( (RANDOM * 32768 + RANDOM) % $1 ))
}

sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

q() { sqlite3 -batch "$1/sohoa.db" "$2" 2>&1 || true; }

# Everything that must equal the uninterrupted run, one file per item in $2.
# Paths inside the data folder are written relative to it.
snapshot() { # data-dir snapshot-dir
  local d=$1 o=$2 doc f out rc i
  mkdir -p "$o"
  set +e
  out=$("$SOHOA" --data "$d" check 2>&1); rc=$?
  printf '%s\nexit %d\n' "$out" "$rc" >"$o/check"
  # batches: every run, killed or not, counts
  "$SOHOA" --data "$d" status --json 2>&1 | sed 's/"batches": [0-9]*, //' >"$o/status"
  for doc in $docs; do
    f=${doc//\//__}
    "$SOHOA" --data "$d" text "$doc" >"$o/text.$f" 2>&1
    echo "exit $?" >>"$o/text.$f"
    out=$("$SOHOA" --data "$d" show "$doc" --json 2>&1)
    out=${out//"$d"/DATA}
    sed -E 's/"id": [0-9]+, //' <<<"$out" >"$o/show.$f"
    pdfinfo "$d/out/$doc.pdf" 2>&1 | grep -E '^Pages:|rror' >"$o/pdfpages.$f"
    pdftotext "$d/out/$doc.pdf" - >"$o/pdftext.$f" 2>&1
  done
  for i in "${!queries[@]}"; do
    "$SOHOA" --data "$d" search --json --limit 50 "${queries[$i]}" >"$o/search.$i" 2>&1
  done
  set -e
  # plain tables only: the sqlite3 shell lacks sohoa's FTS5 tokenizer (the
  # index itself is checked by sohoa check; its row count is page_fts_docsize)
  q "$d" "SELECT 'dossier', count(*) FROM dossier UNION ALL
          SELECT 'document', count(*) FROM document UNION ALL
          SELECT 'page', count(*) FROM page UNION ALL
          SELECT 'page done', count(*) FROM page WHERE state = 'done' UNION ALL
          SELECT 'meta', count(*) FROM meta UNION ALL
          SELECT 'failure', count(*) FROM failure UNION ALL
          SELECT 'index rows', count(*) FROM page_fts_docsize UNION ALL
          SELECT 'batch not done', count(*) FROM batch
            WHERE id = (SELECT max(id) FROM batch) AND status <> 'done'" >"$o/rows"
  out=$(q "$d" "SELECT s.name, d.name, d.page_count, d.state, d.reason, d.pdf_path,
                       d.txt_path, d.hocr_path
                FROM document d JOIN dossier s ON s.id = d.dossier_id ORDER BY 1, 2")
  echo "${out//"$d"/DATA}" >"$o/db.document"
  q "$d" "SELECT d.name, p.seq, p.source, p.frame, p.sha256, p.state, p.reason,
                 p.confidence, p.nwords, p.width, p.height, p.dpi, p.orientation,
                 p.skew, p.orient_how, p.blank, p.low_conf, p.text, p.hocr
          FROM page p JOIN document d ON d.id = p.document_id ORDER BY 1, 2" >"$o/db.page"
  q "$d" "SELECT d.name, m.field, m.value, m.vfold, m.confidence, m.source
          FROM meta m JOIN document d ON d.id = m.document_id ORDER BY 1, 2" >"$o/db.meta"
  # the files: each once, no temporary ones; the same bytes (but the PDFs,
  # which hold their creation date: their pages and text are compared above)
  (cd "$d" && find out work -type f | LC_ALL=C sort) >"$o/files"
  (cd "$d" && find out work -type f ! -name '*.pdf' ! -name '*.tmp.*' | LC_ALL=C sort |
     xargs -r md5sum) >"$o/md5"
}

# ---- the reference: a run never interrupted ----
ref="$tmp/ref"
t0=$(now_ms)
set +e
"$SOHOA" --data "$ref" run -j 2 "$batch" >"$tmp/ref.log" 2>&1
rc=$?
set -e
dur=$(( $(now_ms) - t0 ))
[ "$dur" -gt 0 ] || dur=1
check "reference run exits 0 (took ${dur} ms)" [ "$rc" -eq 0 ]
check "reference run does 4 pages" grep -q "4 pages: 4 done, 0 failed" "$tmp/ref.log"
snapshot "$ref" "$tmp/snap.ref"
check "reference: sohoa check ok" grep -q "^ok: 3 documents and 4 pages" "$tmp/snap.ref/check"
check "reference: 3 documents done" \
  grep -q '"documents": {"total": 3, "done": 3, "failed": 0, "pending": 0}' "$tmp/snap.ref/status"
check "reference: the TIFF's PDF has 2 pages" \
  grep -q '^Pages: *2$' "$tmp/snap.ref/pdfpages.hs-phuson-cchc-2023__kh-08-phuson"
check "reference: every query finds something" \
  bash -c "for f in '$tmp'/snap.ref/search.*; do grep -q '\"document\"' \"\$f\" || exit 1; done"
# the comparison itself must be stable: a second uninterrupted run into
# another folder gives the same snapshot
"$SOHOA" --data "$tmp/ref2" run -j 2 "$batch" >/dev/null 2>&1 || true
snapshot "$tmp/ref2" "$tmp/snap.ref2"
check "two uninterrupted runs give the same state" diff -r -q "$tmp/snap.ref" "$tmp/snap.ref2"
rm -rf "$tmp/ref2" "$tmp/snap.ref2"

# ---- kill, resume, compare ----
# $pid: the run to kill; $how: what happened to it
kill_after() { # ms: SIGKILL after that delay
  local rc
  sleep_ms "$1"
  kill -KILL "$pid" 2>/dev/null || true
  set +e; { wait "$pid"; } 2>/dev/null; rc=$?; set -e; pid=""
  if [ "$rc" -eq 137 ]; then how="killed at $1 ms"; else how="ended before $1 ms (exit $rc)"; fi
  [ "$rc" -eq 137 ] || [ "$rc" -eq 0 ] || how="$how: $(tail -n 2 "$runlog" | tr '\n' ' ')"
}

# moments to aim at (checked in a tight loop: builtins only, no forks); each
# sets $hit and succeeds when the data folder is in that moment
tmp_page()   { local m=("$data"/work/pages/*.tmp.*); hit=${m[0]-}; [ -n "$hit" ]; }
tmp_output() { local m=("$data"/out/*/*.tmp.*); hit=${m[0]-}; [ -n "$hit" ]; }
pdf_only() { # a document's PDF in place, its hOCR (written next, then the record) not yet
  local f
  for f in "$data"/out/*/*.pdf; do
    [ ! -e "${f%.pdf}.hocr" ] && { hit=$f; return 0; }
  done
  return 1
}

kill_when() { # moment: SIGKILL as soon as the data folder is in it; false if missed
  local deadline=$((SECONDS + 20 + 10 * dur / 1000)) line rc in=1
  hit=""
  shopt -s nullglob
  while :; do
    if "$1"; then kill -KILL "$pid" 2>/dev/null || true; break; fi
    { read -r line <"/proc/$pid/stat"; } 2>/dev/null || break   # ended (and reaped)
    [[ $line == *") Z "* ]] && break
    [ "$SECONDS" -lt "$deadline" ] || break
  done
  kill -KILL "$pid" 2>/dev/null || true
  set +e; { wait "$pid"; } 2>/dev/null; rc=$?; set -e; pid=""
  # still in that moment once the process is dead?
  if [ -n "$hit" ] && [ -e "$hit" ] && "$1"; then
    how="$1: killed when ${hit#"$data"/} was there"
    in=0
  elif [ -n "$hit" ]; then
    how="$1: ${hit#"$data"/} seen, but gone by the kill"
  else
    how="$1: never seen (exit $rc)"
  fi
  shopt -u nullglob
  return "$in"
}

mismatches=0
resume_and_compare() { # label: run to the end, compare with the reference
  local label=$1 log="$tmp/$1.problems" rc f n tmpfiles
  : >"$log"
  set +e
  "$SOHOA" --data "$data" run -j 2 "$batch" >"$tmp/$label.final" 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || echo "final run exited $rc: $(tail -n 3 "$tmp/$label.final")" >>"$log"
  tmpfiles=$(cd "$data" && find . -name '*.tmp.*' | LC_ALL=C sort | tr '\n' ' ')
  [ -z "$tmpfiles" ] || echo "temporary files left: $tmpfiles" >>"$log"
  snapshot "$data" "$tmp/snap.$label"
  for f in "$tmp/snap.ref"/*; do
    n=$(basename "$f")
    if ! cmp -s "$f" "$tmp/snap.$label/$n"; then
      echo "differs: $n" >>"$log"
      diff "$f" "$tmp/snap.$label/$n" | cut -c1-160 | head -n 8 | sed 's/^/    /' >>"$log" || true
    fi
  done
  if [ -s "$log" ]; then
    mismatches=$((mismatches + 1))
    bad "$label ($what)"
    sed 's/^/  /' "$log"
  else
    ok "$label ($what): same state as the uninterrupted run"
  fi
  rm -rf "$data" "$tmp/snap.$label" "$tmp/$label".*
}

# random moments; for one point in three the resumed run is killed too
for p in $(seq 1 "$points"); do
  data="$tmp/p$p"
  runlog="$tmp/p$p.run1"
  run_sohoa "$data" "$runlog"
  rnd_below "$dur"
  kill_after "$r"
  what=$how
  if [ $((RANDOM % 3)) -eq 0 ]; then
    runlog="$tmp/p$p.run2"
    run_sohoa "$data" "$runlog"
    rnd_below "$dur"
    kill_after "$r"
    what="$what; resumed run $how"
  fi
  resume_and_compare "point-$p"
done

# the narrow moments random ones seldom hit: while a page file or an output
# is written (a temporary file exists), and just after a document's PDF is
# in place (its text, hOCR and record still to come)
targets=(tmp_page tmp_output pdf_only)
for t in "${!targets[@]}"; do
  for attempt in 1 2 3 4 5; do
    data="$tmp/t$t"
    runlog="$tmp/t$t.run1"
    run_sohoa "$data" "$runlog" 10   # niced: the watching loop must keep up
    if kill_when "${targets[$t]}" || [ "$attempt" -eq 5 ]; then
      break
    fi
    echo "target-$((t + 1)): attempt $attempt missed ($how), again"
    rm -rf "$data"
  done
  what="$how, attempt $attempt"
  resume_and_compare "target-$((t + 1))"
done

echo "kill points: $points random + ${#targets[@]} targeted, mismatches: $mismatches (seed $seed)"
check "every killed and resumed run ends as the uninterrupted one" [ "$mismatches" -eq 0 ]

finish
