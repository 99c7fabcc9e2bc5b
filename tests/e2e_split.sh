#!/usr/bin/env bash
# End to end: a scanned file that holds two documents back to back (the
# corpus' 2-page QĐ 189 and the first page of TB 21, which opens with its
# own NĐ 30 header) is split into d1/<name> and d1/<name>~2, as a folder of
# page images and as a multi-page PDF. Checked: both documents with their
# page counts, PDFs, text and metadata; the split in 'sohoa review' and in
# the run summary; 'sohoa check'; a second run redoes nothing and keeps
# the parts; a page of the file changed: only it is redone and the split
# follows (joined again, then split again); a page that fails: the file is
# one failed document until it is whole again.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-e2e.sh"
require_models

corpus="${SOHOA_CORPUS:-$SOHOA_SOURCE_DIR/../shared/corpus}"
clean="$corpus/batches/clean"
if [ ! -d "$clean/qd-189-thanhxuan" ] || [ ! -d "$clean/tb-21-tanky-toimat" ]; then
  echo "SKIP: corpus not found in $corpus (set SOHOA_CORPUS)"
  exit 77
fi
for tool in img2pdf pdfinfo sqlite3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not installed (scripts/deps.sh)"
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
data="$tmp/data"
S() { "$SOHOA" --data "$data" "$@"; }
q() { sqlite3 -readonly "$data/sohoa.db" "$1"; }

qd1="$clean/qd-189-thanhxuan/page-001.png"
qd2="$clean/qd-189-thanhxuan/page-002.png"
tb1="$clean/tb-21-tanky-toimat/page-001.png"
tb2="$clean/tb-21-tanky-toimat/page-002.png"
batch="$tmp/batch"
mkdir -p "$batch/d1/mixed"
cp "$qd1" "$batch/d1/mixed/page-001.png"
cp "$qd2" "$batch/d1/mixed/page-002.png"
cp "$tb1" "$batch/d1/mixed/page-003.png"
img2pdf -o "$batch/d1/mixed-pdf.pdf" "$qd1" "$qd2" "$tb1"

# pages DOC: the page count the database holds for dossier d1's document
pages() {
  q "SELECT page_count || ' ' || (SELECT count(*) FROM page p WHERE p.document_id = d.id)
     FROM document d JOIN dossier s ON s.id = d.dossier_id
     WHERE s.name = 'd1' AND d.name = '$1'"
}
npdf() { pdfinfo "$data/out/d1/$1.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }'; }

# the split as it must be after runs 1 and 2
expect_split() { # WHEN
  local w=$1 doc
  for doc in mixed mixed-pdf; do
    check "$w: $doc has 2 pages" [ "$(pages "$doc")" = "2 2" ]
    check "$w: $doc~2 has 1 page" [ "$(pages "$doc~2")" = "1 1" ]
    check "$w: $doc.pdf has 2 pages (got $(npdf "$doc"))" [ "$(npdf "$doc")" = 2 ]
    check "$w: $doc~2.pdf has 1 page (got $(npdf "$doc~2"))" [ "$(npdf "$doc~2")" = 1 ]
    check "$w: $doc~2 is done" [ "$(q "SELECT state FROM document WHERE name = '$doc~2'")" = done ]
  done
  check "$w: 6 pages in the database" [ "$(q "SELECT count(*) FROM page")" = 6 ]
  check "$w: 4 documents" [ "$(q "SELECT count(*) FROM document")" = 4 ]
}

# ---- first run ----
set +e
S run -j 2 "$batch" >"$tmp/run1.out" 2>"$tmp/run1.err"
rc=$?
set -e
check "run exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "run: 6 pages done" grep -q "6 pages: 6 done, 0 failed" "$tmp/run1.err"
check "run names the split" \
  grep -q "file 'd1/mixed' split into 2 documents at page 3: d1/mixed~2" "$tmp/run1.err"
check "run summary counts 2 split files" grep -q "2 files split into several" "$tmp/run1.err"
check "the log records the split" grep -q "file d1/mixed-pdf split into 2 documents" \
  "$data/sohoa.log"
expect_split "run 1"

S text d1/mixed~2 >"$tmp/tb.txt"
check "text of d1/mixed~2: TB 21's title" grep -q "Kết luận của Chủ tịch" "$tmp/tb.txt"
check "text of d1/mixed~2: not QĐ 189's" sh -c "! grep -q 'Ban hành Kế hoạch' '$tmp/tb.txt'"
S text d1/mixed >"$tmp/qd.txt"
check "text of d1/mixed: QĐ 189's title" grep -q "Ban hành Kế hoạch" "$tmp/qd.txt"
check "text of d1/mixed: not TB 21's" sh -c "! grep -q 'Kết luận của Chủ tịch' '$tmp/qd.txt'"
check "text file of d1/mixed~2 written" grep -q "Kết luận của Chủ tịch" "$data/out/d1/mixed~2.txt"
S show --json d1/mixed~2 >"$tmp/tb.json"
check "show d1/mixed~2: TB 21's number" grep -qF '"number": "21"' "$tmp/tb.json"
check "show d1/mixed~2: TB 21's type" grep -qF '"type": "THÔNG BÁO"' "$tmp/tb.json"
S show --json d1/mixed-pdf >"$tmp/qd.json"
check "show d1/mixed-pdf: QĐ 189's number" grep -qF '"number": "189"' "$tmp/qd.json"
S show d1/mixed-pdf~2 >"$tmp/tbp.txt"
check "show d1/mixed-pdf~2: TB 21's notation" grep -q "TB-UBND" "$tmp/tbp.txt"
S search --json "Kết luận của Chủ tịch" >"$tmp/search.json"
check "search finds the part" grep -q '"document": "mixed~2"' "$tmp/search.json"
check "search: no hit in the file's first part" sh -c "! grep -q '\"document\": \"mixed\"' '$tmp/search.json'"

S review >"$tmp/review.txt" 2>&1
check "review lists the split of d1/mixed" \
  grep -q "^d1/mixed: split into 2 documents at page 3: d1/mixed~2$" "$tmp/review.txt"
check "review lists the split of d1/mixed-pdf" \
  grep -q "^d1/mixed-pdf: split into 2 documents at page 3: d1/mixed-pdf~2$" "$tmp/review.txt"
check "review: the part's first page flagged" \
  grep -q "^d1/mixed~2 .*opens a document split from its file" "$tmp/review.txt"
S review --json >"$tmp/review.json"
check "review --json: splits" \
  grep -qF '"dossier": "d1", "document": "mixed", "documents": 2, "at_pages": [3], "parts": ["mixed~2"]' \
  "$tmp/review.json"
check "review --json parses" python3 -c "import json,sys; json.load(open(sys.argv[1]))" \
  "$tmp/review.json"
S status --json >"$tmp/status.json"
check "status: 4 documents done" \
  grep -q '"documents": {"total": 4, "done": 4, "failed": 0, "pending": 0}' "$tmp/status.json"
check "check: ok" sh -c "'$SOHOA' --data '$data' check >'$tmp/check.txt' 2>&1"
check "check --repair leaves it ok" sh -c "'$SOHOA' --data '$data' check --repair >/dev/null 2>&1 &&
  '$SOHOA' --data '$data' check >/dev/null 2>&1"
check "extract of a part" sh -c "'$SOHOA' --data '$data' extract d1/mixed~2 |
  grep -q 'for 1 document$'"
check "extract of all: 4 documents" sh -c "'$SOHOA' --data '$data' extract |
  grep -q 'for 4 documents$'"
check "after extract, the part keeps TB 21's number" \
  sh -c "'$SOHOA' --data '$data' show --json d1/mixed~2 | grep -qF '\"number\": \"21\"'"

# ---- a second run: nothing new, the same parts ----
ids1=$(q "SELECT group_concat(id || ':' || name, ' ') FROM document ORDER BY id")
set +e
S run -j 2 "$batch" >/dev/null 2>"$tmp/run2.err"
rc=$?
set -e
check "second run exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "second run redoes nothing" grep -q "6 pages: 0 done, 0 failed, 6 already done" \
  "$tmp/run2.err"
expect_split "run 2"
check "run 2: the same document rows" \
  [ "$(q "SELECT group_concat(id || ':' || name, ' ') FROM document ORDER BY id")" = "$ids1" ]

# ---- the file changed: its page 3 is now TB 21's second page ----
cp "$tb2" "$batch/d1/mixed/page-003.png"
set +e
S run -j 2 "$batch" >/dev/null 2>"$tmp/run3.err"
rc=$?
set -e
check "run 3 exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "run 3 redoes only the changed page" \
  grep -q "6 pages: 1 done, 0 failed, 5 already done" "$tmp/run3.err"
check "run 3: d1/mixed whole again (3 pages)" [ "$(pages mixed)" = "3 3" ]
check "run 3: d1/mixed.pdf has 3 pages" [ "$(npdf mixed)" = 3 ]
check "run 3: no d1/mixed~2 any more" [ -z "$(pages "mixed~2")" ]
check "run 3: its outputs removed" \
  sh -c "! ls '$data/out/d1/' | grep -q '^mixed~2\.'"
check "run 3: d1/mixed-pdf still split" [ "$(pages "mixed-pdf~2")" = "1 1" ]
check "run 3: 6 pages in the database" [ "$(q "SELECT count(*) FROM page")" = 6 ]
check "run 3: check ok" sh -c "'$SOHOA' --data '$data' check >/dev/null 2>&1"
S review >"$tmp/review3.txt" 2>&1
check "run 3: review no longer lists d1/mixed's split" \
  sh -c "! grep -q '^d1/mixed: split' '$tmp/review3.txt'"

# ---- and back: TB 21's first page again ----
cp "$tb1" "$batch/d1/mixed/page-003.png"
set +e
S run -j 2 "$batch" >/dev/null 2>"$tmp/run4.err"
rc=$?
set -e
check "run 4 redoes only the changed page" \
  grep -q "6 pages: 1 done, 0 failed, 5 already done" "$tmp/run4.err"
expect_split "run 4"
check "run 4: check ok" sh -c "'$SOHOA' --data '$data' check >/dev/null 2>&1"

# ---- a page of the file cut short: the file is one failed document ----
head -c 2000 "$tb1" >"$batch/d1/mixed/page-003.png"
set +e
S run -j 2 "$batch" >/dev/null 2>"$tmp/run5.err"
rc=$?
set -e
check "run 5 exits 1 (got $rc)" [ "$rc" -eq 1 ]
check "run 5 names the failed page of the file" \
  grep -q "failed  d1/mixed page 3 (d1/mixed/page-003.png)" "$tmp/run5.err"
check "run 5: d1/mixed failed, whole" \
  [ "$(q "SELECT state || ' ' || page_count FROM document WHERE name = 'mixed'")" = "failed 3" ]
check "run 5: no d1/mixed~2" [ -z "$(pages "mixed~2")" ]
check "run 5: check ok" sh -c "'$SOHOA' --data '$data' check >/dev/null 2>&1"
cp "$tb1" "$batch/d1/mixed/page-003.png"
S run -j 2 "$batch" >/dev/null 2>"$tmp/run6.err"
expect_split "run 6"

finish
