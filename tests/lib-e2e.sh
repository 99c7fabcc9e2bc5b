# Shared helpers for the end-to-end tests (sourced, not run).
# SOHOA, CER and SOHOA_SOURCE_DIR come from ctest's environment.
set -euo pipefail
: "${SOHOA:?path of the built sohoa}"
: "${CER:?path of the built cer tool}"
: "${SOHOA_SOURCE_DIR:?source tree}"

samples="$SOHOA_SOURCE_DIR/samples"
fails=0
passes=0

have_model() {
  local d
  for d in "${TESSDATA_PREFIX:-}" /usr/share/tesseract-ocr/5/tessdata \
           /usr/share/tesseract-ocr/4.00/tessdata /usr/share/tessdata; do
    [ -n "$d" ] && [ -r "$d/$1.traineddata" ] && return 0
  done
  return 1
}

require_models() {
  if ! have_model vie || ! have_model osd; then
    echo "SKIP: Tesseract vie/osd models not installed"
    exit 77
  fi
}

ok()   { passes=$((passes + 1)); echo "ok: $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL: $*"; }

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}

scratch() {
  local d
  d=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-e2e.XXXXXX")
  trap 'rm -rf "$d"' EXIT
  echo "$d"
}

# small_batch DIR: a batch of 2 dossiers, 3 documents, 4 pages (a 2-page G4
# TIFF, a folder document of one JPEG, a one-page document as a bare JPEG),
# quick enough to run many times; sets $docs to its documents
small_batch() {
  local src="$samples/batch-2026-01" batch=$1
  mkdir -p "$batch/hs-phuson-cchc-2023" "$batch/hs-tanky-cchc-2025/tb-21-tanky-toimat"
  cp "$src/hs-phuson-cchc-2023/kh-08-phuson.tif" "$batch/hs-phuson-cchc-2023/"
  cp "$src/hs-tanky-cchc-2025/tb-21-tanky-toimat/page-002.jpg" \
     "$batch/hs-tanky-cchc-2025/tb-21-tanky-toimat/"
  cp "$src/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-002.jpg" \
     "$batch/hs-tanky-cchc-2025/ttr-45-p2.jpg"
  docs="hs-phuson-cchc-2023/kh-08-phuson hs-tanky-cchc-2025/tb-21-tanky-toimat
      hs-tanky-cchc-2025/ttr-45-p2"
}
