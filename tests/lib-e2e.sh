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
