#!/usr/bin/env bash
# End to end: a mark stamped in red ink. Coloured ink is faded for
# recognition (seals, signatures); an urgency or secrecy mark stamped in
# red (as NĐ 30 has them) must still be read, since MẬT decides who may see
# a document. The corpus' TTr 45 (marked KHẨN in black) is given with its
# KHẨN turned red: the page text still has it, metadata says KHẨN, and the
# red word is in the text before the header. A band of the body is red
# too: its lines are no marks, so nothing but KHẨN is read from the ink.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-e2e.sh"
require_models

corpus="${SOHOA_CORPUS:-$SOHOA_SOURCE_DIR/../shared/corpus}"
page="$corpus/batches/clean/ttr-45-tanky-khan/page-001.png"
if [ ! -f "$page" ]; then
  echo "SKIP: corpus not found in $corpus (set SOHOA_CORPUS)"
  exit 77
fi
py=/usr/bin/python3
if ! "$py" -c "import PIL" 2>/dev/null; then
  echo "SKIP: python3-pil not installed (scripts/deps.sh)"
  exit 77
fi
for tool in sqlite3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not installed (scripts/deps.sh)"
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# where KHẨN is: from a run on the page as it is (hOCR box, in the
# recognised image's pixels, and that image's width)
mkdir -p "$tmp/b0/d/khan"
cp "$page" "$tmp/b0/d/khan/page-001.png"
"$SOHOA" --data "$tmp/d0" run -q "$tmp/b0" >/dev/null 2>&1
hocr=$(sqlite3 -readonly "$tmp/d0/sohoa.db" "SELECT hocr FROM page WHERE seq=1")
box=$(printf '%s' "$hocr" | grep -o "bbox [0-9 ]*; x_wconf [0-9]*'[^>]*>KHẨN<" | head -1 |
      sed 's/bbox \([0-9]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\);.*/\1 \2 \3 \4/')
pagew=$(printf '%s' "$hocr" | grep -o "class='ocr_page'[^>]*bbox 0 0 [0-9]*" | head -1 |
        sed 's/.*bbox 0 0 //')
check "KHẨN found on the black page" test -n "$box"
check "KHẨN read on the black page" \
  bash -c "'$SOHOA' --data '$tmp/d0' show d/khan --json | grep -q '\"urgency\": \"KHẨN\"'"

# the word's box (with a margin) in red, and the body's first lines too
mkdir -p "$tmp/b/d/khan"
"$py" - "$page" "$tmp/b/d/khan/page-001.png" "$pagew" $box <<'PY'
import sys
from PIL import Image
src, dst, pagew, x1, y1, x2, y2 = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
im = Image.open(src).convert("RGB")
f = im.width / pagew
m = int(12 * f)
def redden(box):
    px = im.load()
    for y in range(max(0, box[1]), min(im.height, box[3])):
        for x in range(max(0, box[0]), min(im.width, box[2])):
            r, g, b = px[x, y]
            lum = (3 * r + 5 * g + 2 * b) // 10
            if lum < 160:
                px[x, y] = (200 + lum // 5, lum // 3, lum // 3)
redden((int(x1 * f) - m, int(y1 * f) - m, int(x2 * f) + m, int(y2 * f) + m))
# a band of the body, well below the header, in red too
redden((0, int(im.height * 0.30), im.width, int(im.height * 0.36)))
im.save(dst)
PY
check "red page made" test -s "$tmp/b/d/khan/page-001.png"
data="$tmp/data"
"$SOHOA" --data "$data" run -q "$tmp/b" >/dev/null 2>&1
check "run on the red page" test -f "$data/sohoa.db"
check "urgency KHẨN read from red ink" \
  bash -c "'$SOHOA' --data '$data' show d/khan --json | grep -q '\"urgency\": \"KHẨN\"'"
text=$("$SOHOA" --data "$data" text d/khan --page 1)
first=$(printf '%s\n' "$text" | sed -n 1p)
check "the red mark opens the page text (got '$first')" test "$first" = "KHẨN"
check "KHẨN once in the text" test "$(printf '%s\n' "$text" | grep -c 'KHẨN')" -eq 1
second=$(printf '%s\n' "$text" | sed -n 2p)
check "only the mark is read from the ink (line 2: '$second')" test -z "$second"
check "the header still follows" bash -c "printf '%s\n' \"\$0\" | grep -q 'Số: 45/TTr'" "$text"
finish
