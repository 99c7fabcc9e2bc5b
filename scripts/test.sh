#!/usr/bin/env bash
# Install what is missing, build, and run the whole test suite; then build
# again with AddressSanitizer + UndefinedBehaviorSanitizer and run it there.
#   SOHOA_NO_SANITIZE=1 scripts/test.sh   skips the sanitizer pass
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
jobs=$(nproc)

bash scripts/build.sh "$root/build"
(cd "$root/build" && ctest --output-on-failure -j"$jobs")

if [ "${SOHOA_NO_SANITIZE:-0}" != 1 ]; then
  echo "== again under ASan + UBSan"
  bash scripts/build.sh "$root/build-asan" -DSOHOA_SANITIZE=ON
  # Tesseract and Leptonica are not instrumented; leaks inside them at exit
  # are theirs, ours are still reported.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd "$root/build-asan" && ctest --output-on-failure -j"$jobs")
fi
