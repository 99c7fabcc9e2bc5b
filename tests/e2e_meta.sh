#!/usr/bin/env bash
# End to end: the metadata of the sample documents after a real run
# (sohoa show, --json), search filters, corrections by hand that a re-run
# and a new extraction keep, and the review list.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-e2e.sh"
require_models

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
data="$tmp/data"
batch="$samples/batch-2026-01"
S() { "$SOHOA" --data "$data" "$@"; }

set +e
S run -j 2 -q "$batch" >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
set -e
check "run exits 0" [ "$rc" -eq 0 ]

# field FILE NAME VALUE: the --json object holds "NAME": "VALUE"
field() { grep -qF "\"$2\": \"$3\"" "$1"; }

S show qd-189-thanhxuan --json >"$tmp/qd.json"
check "QĐ: number" field "$tmp/qd.json" number 189
check "QĐ: notation with Đ (U+0110)" field "$tmp/qd.json" notation "QĐ-UBND"
check "QĐ: date" field "$tmp/qd.json" date 2021-12-31
check "QĐ: type" field "$tmp/qd.json" type "QUYẾT ĐỊNH"
check "QĐ: type code" field "$tmp/qd.json" type_code "QĐ"
check "QĐ: issuing body" field "$tmp/qd.json" agency "ỦY BAN NHÂN DÂN XÃ THANH XUÂN"
check "QĐ: subject" field "$tmp/qd.json" subject \
  "Ban hành Kế hoạch thực hiện công tác cải cách hành chính xã Thanh Xuân giai đoạn 2021 - 2025"
check "QĐ: signer" field "$tmp/qd.json" signer_name "Lê Văn Hùng"
check "QĐ: signer title" field "$tmp/qd.json" signer_title "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"
check "QĐ: not secret" field "$tmp/qd.json" mode "01"
check "QĐ: recipients listed" grep -qF '"recipients": ["' "$tmp/qd.json"

S show tb-21-tanky-toimat --json >"$tmp/tb.json"
check "TB: secrecy mark" field "$tmp/tb.json" secrecy "TỐI MẬT"
check "TB: secret mode 03" field "$tmp/tb.json" mode "03"
S show hs-tanky-cchc-2025/ttr-45-tanky-khan --json >"$tmp/ttr.json"
check "TTr: urgency" field "$tmp/ttr.json" urgency "KHẨN"
check "TTr: parent body" field "$tmp/ttr.json" parent_agency "UBND XÃ TÂN KỲ"
check "TTr: issuing body" field "$tmp/ttr.json" agency "PHÒNG VĂN HÓA - XÃ HỘI"
# the sample TIFF holds the last two pages of a plan: a signer, no header
S show kh-08-phuson >"$tmp/kh.txt"
check "show by folder name prints fields" grep -q "^  signer_name  *Phạm Thị Lan" "$tmp/kh.txt"
check "  and no number where none is printed" sh -c "! grep -q '^  number' '$tmp/kh.txt'"

# ---- search filters ----
S search --number "189/QĐ-UBND" >"$tmp/s1.txt"
check "--number finds the document" grep -q "^1\. hs-thanhxuan-cchc-2021/qd-189-thanhxuan" "$tmp/s1.txt"
S search --number "189/QÐ-UBND" >"$tmp/s2.txt"
check "--number with the Icelandic Ð too" grep -q "qd-189-thanhxuan" "$tmp/s2.txt"
S search --type "thong bao" >"$tmp/s3.txt"
check "--type without diacritics" sh -c "grep -q tb-21 '$tmp/s3.txt' && ! grep -q qd-189 '$tmp/s3.txt'"
S search --type "TTr" >"$tmp/s3b.txt"
check "--type by its code" sh -c "grep -q ttr-45 '$tmp/s3b.txt' && ! grep -q tb-21 '$tmp/s3b.txt'"
S search --from 2025 --to 2025-12-31 >"$tmp/s4.txt"
check "--from/--to keep 2025's documents" \
  sh -c "grep -q tb-21 '$tmp/s4.txt' && grep -q ttr-45 '$tmp/s4.txt' && ! grep -q qd-189 '$tmp/s4.txt'"
S search "cai cach" --agency "van hoa" >"$tmp/s5.txt"
check "text and --agency together" sh -c "grep -q ttr-45 '$tmp/s5.txt' && ! grep -q tb-21 '$tmp/s5.txt'"
set +e
S search --from 2025-13 >/dev/null 2>"$tmp/s6.err"
rc=$?
set -e
check "a bad date filter is a usage error" [ "$rc" -eq 2 ]

# ---- corrections by hand ----
S set qd-189-thanhxuan signer_name "Lê Văn Hưng" >/dev/null
S run -q "$batch" >/dev/null 2>&1 || true
S extract >/dev/null
S show qd-189-thanhxuan --json >"$tmp/qd2.json"
check "a correction survives a re-run and a new extraction" \
  field "$tmp/qd2.json" signer_name "Lê Văn Hưng"
check "a correction is marked as made by hand" grep -qF '"set_by_hand": ["signer_name"]' "$tmp/qd2.json"
set +e
S set qd-189-thanhxuan date 2021-02-30 2>"$tmp/set.err"
rc=$?
set -e
check "an impossible date is refused" [ "$rc" -eq 2 ]
check "  with the reason" grep -q "not a date" "$tmp/set.err"
set +e
S set qd-189-thanhxuan colour red 2>/dev/null
rc=$?
set -e
check "an unknown field is refused" [ "$rc" -eq 2 ]

S review --json >"$tmp/review.json"
check "review --json lists pages and documents" grep -q '"documents": \[' "$tmp/review.json"
S review >"$tmp/review.txt" 2>&1
check "review lists the document without type and date" \
  grep -q "kh-08-phuson: .*type(missing) date(missing)" "$tmp/review.txt"

finish
