#!/usr/bin/env bash
# End to end: sohoa run on the sample scans with the real vie model, then
# search (with and without diacritics), text accuracy, re-runs, archives,
# bad input and the run lock.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-e2e.sh"
require_models

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
data="$tmp/data"
batch="$samples/batch-2026-01"
S() { "$SOHOA" --data "$data" "$@"; }

# ---- first run ----
set +e
S run -j 2 "$batch" >"$tmp/run1.out" 2>"$tmp/run1.err"
rc=$?
set -e
check "first run exits 0" [ "$rc" -eq 0 ]
check "first run reports 8 pages done" grep -q "8 pages: 8 done, 0 failed" "$tmp/run1.err"
for doc in hs-thanhxuan-cchc-2021/qd-189-thanhxuan hs-tanky-cchc-2025/tb-21-tanky-toimat \
           hs-tanky-cchc-2025/ttr-45-tanky-khan hs-phuson-cchc-2023/kh-08-phuson; do
  for ext in pdf txt hocr; do
    check "output $doc.$ext exists" test -s "$data/out/$doc.$ext"
  done
done
pdf="$data/out/hs-thanhxuan-cchc-2021/qd-189-thanhxuan.pdf"
check "PDF has 2 pages" sh -c "pdfinfo '$pdf' | grep -q '^Pages: *2$'"
check "PDF text layer holds the recognised words" \
  sh -c "pdftotext '$pdf' - | grep -q 'Ban hành Kế hoạch'"
check "PDF keeps the scanned JPEG unchanged" \
  sh -c "pdfimages -list '$pdf' | grep -q ' jpeg '"

# ---- accuracy: CER of every sample page below 5% ----
for gt in "$samples"/truth/*/page-*.gt.txt; do
  doc=$(basename "$(dirname "$gt")")
  n=$(basename "$gt" .gt.txt)
  n=$((10#${n#page-}))
  S text "$doc" --page "$n" >"$tmp/hyp.txt"
  cer=$("$CER" "$gt" "$tmp/hyp.txt" | cut -d' ' -f1)
  check "CER $doc page $n = $cer < 0.05" awk -v c="$cer" 'BEGIN { exit !(c < 0.05) }'
done

# ---- search: the right document and page first, with or without marks ----
top_hit() { # query -> "document page" of the first result
  S search --json --limit 1 "$1" |
    sed -n 's/.*"document": "\([^"]*\)".*"page": \([0-9]*\),.*/\1 \2/p' | head -n 1
}
expect_top() { # query document page
  local got
  got=$(top_hit "$1")
  check "search '$1' -> $2 p$3 (got: ${got:-nothing})" [ "$got" = "$2 $3" ]
}
expect_top "Quyết định cải cách" qd-189-thanhxuan 1
expect_top "quyet dinh cai cach" qd-189-thanhxuan 1
expect_top "QUYET DINH CAI CACH" qd-189-thanhxuan 1
expect_top "189/QĐ-UBND" qd-189-thanhxuan 1
expect_top "phê duyệt danh mục thủ tục" ttr-45-tanky-khan 1
expect_top "phe duyet danh muc thu tuc" ttr-45-tanky-khan 1
expect_top "Chỉ số hài lòng của người dân" ttr-45-tanky-khan 2
expect_top "chi so hai long cua nguoi dan" ttr-45-tanky-khan 2
expect_top "Kết luận của Chủ tịch" tb-21-tanky-toimat 1
expect_top "ket luan cua chu tich" tb-21-tanky-toimat 1
expect_top "NGUYEN XUAN CUONG" tb-21-tanky-toimat 2
expect_top "đỗ thị hà" ttr-45-tanky-khan 2
expect_top "bo phan chuyen mon va ca nhan" kh-08-phuson 1
expect_top "Phạm Thị Lan" kh-08-phuson 2
check "G4 TIFF pages kept bitonal in the PDF" sh -c \
  "pdfimages -list '$data/out/hs-phuson-cchc-2023/kh-08-phuson.pdf' | grep -c ' ccitt ' | grep -qx 2"
check "search output marks the match" sh -c \
  "'$SOHOA' --data '$data' search 'cai cach' | grep -q '\[cải cách\]'"
check "search for absent words finds nothing" sh -c \
  "[ -z \"\$('$SOHOA' --data '$data' search --json 'xylophone' | grep document)\" ]"

# ---- a second run adds nothing ----
before=$(S status --json)
set +e
S run "$batch" >/dev/null 2>"$tmp/run2.err"
rc=$?
set -e
check "second run exits 0" [ "$rc" -eq 0 ]
check "second run processes nothing" grep -q "8 pages: 0 done, 0 failed, 8 already done" "$tmp/run2.err"
check "second run changes no counts" [ "$(S status --json | sed 's/"batches": [0-9]*, //')" = \
                                       "$(echo "$before" | sed 's/"batches": [0-9]*, //')" ]
check "search results not duplicated" \
  [ "$(S search --json 'quyet dinh cai cach' | grep -c '"document": "qd-189-thanhxuan", "document_id": [0-9]*, "page": 1,')" -eq 1 ]

# ---- the same batch as a tar.gz: same pages, nothing new ----
tar -C "$samples" -czf "$tmp/batch-2026-01.tar.gz" batch-2026-01
set +e
S run "$tmp/batch-2026-01.tar.gz" >/dev/null 2>"$tmp/run3.err"
rc=$?
set -e
check "tar.gz run exits 0" [ "$rc" -eq 0 ]
check "tar.gz run finds the same 8 pages already done" \
  grep -q "8 pages: 0 done, 0 failed, 8 already done" "$tmp/run3.err"

# ---- a corrupt page is reported, the rest processed ----
bad="$tmp/bad-batch"
mkdir -p "$bad/hs-broken/cv-01"
head -c 3000 "$batch/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg" >"$bad/hs-broken/cv-01/page-001.jpg"
cp "$batch/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg" "$bad/hs-broken/cv-01/page-002.jpg"
echo "ghi chu" >"$bad/hs-broken/notes.txt"
set +e
S run "$bad" >/dev/null 2>"$tmp/run4.err"
rc=$?
set -e
check "run with a corrupt page exits 1" [ "$rc" -eq 1 ]
check "corrupt page named with its reason" \
  grep -q "hs-broken/cv-01/page-001.jpg.*corrupt or truncated JPEG" "$tmp/run4.err"
check "non-image file refused with its reason" \
  grep -q "notes.txt.*unsupported file type" "$tmp/run4.err"
check "the good page of that batch is done" \
  sh -c "'$SOHOA' --data '$data' text hs-broken/cv-01 --page 2 | grep -q 'Triển khai'"
check "status lists the failed page" \
  sh -c "'$SOHOA' --data '$data' status | grep -q 'failed  hs-broken/cv-01 page 1'"

check "the data folder's log holds the failures" \
  grep -q "page failed .*hs-broken/cv-01/page-001.jpg: corrupt or truncated JPEG" "$data/sohoa.log"
check "the log holds each run's summary" \
  sh -c "[ \$(grep -c ' summary: ' '$data/sohoa.log') -ge 3 ]"

# ---- size limits are configurable: a file past them is refused, named ----
set +e
S run --max-file-size 100K "$bad" >/dev/null 2>"$tmp/runlim.err"
rc=$?
set -e
check "a file past --max-file-size is refused with its size" \
  grep -q "page-002.jpg: file too large: [0-9]* bytes, limit 102400" "$tmp/runlim.err"
check "  and the run exits 1" [ "$rc" -eq 1 ]

# ---- the same file twice in a document: failed with its reason ----
dup="$tmp/dup-batch"
mkdir -p "$dup/hs-dup/cv-02"
cp "$batch/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg" "$dup/hs-dup/cv-02/page-001.jpg"
cp "$batch/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg" "$dup/hs-dup/cv-02/page-002.jpg"
set +e
S run "$dup" >/dev/null 2>"$tmp/rundup.err"
rc=$?
set -e
check "a duplicated page makes the run exit 1" [ "$rc" -eq 1 ]
check "the duplicate is named with the page it repeats" \
  grep -q "cv-02/page-002.jpg.*same content as page 1 (hs-dup/cv-02/page-001.jpg)" "$tmp/rundup.err"
rm "$dup/hs-dup/cv-02/page-002.jpg"
S run "$dup" >/dev/null 2>&1
check "without the duplicate the document is done" \
  sh -c "'$SOHOA' --data '$data' show hs-dup/cv-02 | grep -q '1 page, done'"

# ---- a run killed half way continues where it stopped ----
kdata="$tmp/kdata"
"$SOHOA" --data "$kdata" run -q -j 1 "$batch" 2>/dev/null &
runner=$!
for _ in $(seq 1 600); do
  n=$("$SOHOA" --data "$kdata" status --json 2>/dev/null |
      sed -n 's/.*"pages": {"done": \([0-9]*\).*/\1/p' || true)
  [ "${n:-0}" -ge 3 ] && break
  sleep 0.1
done
# searching while the run goes on works, and sees only pages done (WAL)
set +e
"$SOHOA" --data "$kdata" search "UBND" --json --limit 1000 >"$tmp/during.json" 2>/dev/null
src=$?
set -e
ndone=$("$SOHOA" --data "$kdata" status --json | sed -n 's/.*"pages": {"done": \([0-9]*\).*/\1/p')
nres=$(grep -c '"page": ' "$tmp/during.json" || true)
check "search during a run works" [ "$src" -eq 0 ]
check "search during a run finds pages done so far ($nres hits)" [ "$nres" -ge 1 ]
check "search during a run sees only pages done ($ndone done)" [ "$nres" -le "$ndone" ]
kill -9 "$runner" 2>/dev/null || true
wait "$runner" 2>/dev/null || true
set +e
"$SOHOA" --data "$kdata" run "$batch" >/dev/null 2>"$tmp/resume.err"
rc=$?
set -e
check "killed run resumed: exit 0" [ "$rc" -eq 0 ]
check "killed run resumed: earlier pages not redone" \
  sh -c "grep -Eq '8 pages: [0-5] done, 0 failed, [3-8] already done' '$tmp/resume.err'"
check "killed run resumed: every document complete" \
  sh -c "'$SOHOA' --data '$kdata' status | grep -q 'documents:   4 done, 0 failed, 0 pending'"
check "killed run resumed: same text as an uninterrupted run" \
  bash -c "for d in qd-189-thanhxuan tb-21-tanky-toimat ttr-45-tanky-khan kh-08-phuson; do
           cmp -s <('$SOHOA' --data '$kdata' text \$d) <('$SOHOA' --data '$data' text \$d) || exit 1; done"

# ---- usage errors ----
set +e
S run "$tmp/no-such-batch" 2>"$tmp/run5.err"
rc=$?
set -e
check "missing batch exits 2" [ "$rc" -eq 2 ]
check "missing batch named in the error" grep -q "no-such-batch.*no such file" "$tmp/run5.err"
mkdir -p "$tmp/empty"
set +e
S run "$tmp/empty" 2>"$tmp/run6.err"
rc=$?
set -e
check "empty batch exits 3 with a clear error" \
  sh -c "[ $rc -eq 3 ] && grep -q 'holds no page images' '$tmp/run6.err'"

# ---- one run at a time per data folder ----
flock "$data/run.lock" sleep 3 &
holder=$!
sleep 0.5
set +e
S run "$batch" 2>"$tmp/run7.err"
rc=$?
set -e
wait "$holder"
check "second concurrent run exits 2" [ "$rc" -eq 2 ]
check "second concurrent run says the folder is in use" grep -q "in use by another run" "$tmp/run7.err"

finish
