#!/usr/bin/env bash
# Install the Debian packages sohoa needs, if they are missing.
#   scripts/deps.sh           build + run + test
#   scripts/deps.sh --bench   also the tools the benchmarks compare against
set -euo pipefail

pkgs=(
  # build
  build-essential cmake pkg-config
  libtesseract-dev libleptonica-dev libarchive-dev libsqlite3-dev
  # MuPDF (scanned PDFs in): a static library, with what it links to
  libmupdf-dev libmujs-dev libgumbo-dev libopenjp2-7-dev libjbig2dec0-dev
  libjpeg-dev libfreetype-dev libharfbuzz-dev
  # OCR models: Vietnamese and orientation detection
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd
  # tests: Check, PDF inspection, archives
  check poppler-utils tar gzip zip util-linux sqlite3
  # tests: making PDFs as scanners and copiers write them; colouring a page
  img2pdf libtiff-tools qpdf python3-pil
  # fuzz tests: clang and its runtimes (libFuzzer, ASan, UBSan)
  clang libclang-rt-dev
)
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(ocrmypdf img2pdf unpaper time)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
