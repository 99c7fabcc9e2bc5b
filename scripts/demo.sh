#!/usr/bin/env bash
# Install what is missing, build, run the pipeline on samples/, and show
# what a user looks at first: the run summary, a search, a document.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
bash scripts/build.sh
sohoa="$root/build/sohoa"
data="$root/sohoa-data"
batch="$root/samples/batch-2026-01"

echo "== sohoa run $batch"
"$sohoa" --data "$data" run "$batch"
echo
echo "== sohoa search \"quyet dinh cai cach\"    (typed without diacritics)"
"$sohoa" --data "$data" search "quyet dinh cai cach"
echo
echo "== sohoa search \"phê duyệt danh mục\""
"$sohoa" --data "$data" search "phê duyệt danh mục"
echo
echo "== sohoa show qd-189-thanhxuan   (metadata read from the scan)"
"$sohoa" --data "$data" show qd-189-thanhxuan
echo
echo "== sohoa search --number 189/QĐ-UBND"
"$sohoa" --data "$data" search --number "189/QĐ-UBND"
echo
echo "== sohoa text qd-189-thanhxuan --page 1   (first lines)"
"$sohoa" --data "$data" text qd-189-thanhxuan --page 1 | head -n 12
echo
echo "== sohoa status"
"$sohoa" --data "$data" status
echo
echo "== outputs (two-layer PDF, text, hOCR per document)"
find "$data/out" -type f | sort
