#!/usr/bin/env bash
# Install what is missing, build, and run the whole test suite; then build
# again with AddressSanitizer + UndefinedBehaviorSanitizer and run it there;
# then build the libFuzzer targets with clang and fuzz each for a while.
#   SOHOA_NO_SANITIZE=1 scripts/test.sh   skips the sanitizer and fuzz passes
#   SOHOA_FUZZ_SECONDS=N scripts/test.sh  fuzzes each target N s (default 20)
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

if [ "${SOHOA_NO_SANITIZE:-0}" != 1 ]; then
  echo "== fuzz targets (clang, libFuzzer + ASan + UBSan), ${SOHOA_FUZZ_SECONDS:-20} s each"
  CC=clang bash scripts/build.sh "$root/build-fuzz" -DSOHOA_FUZZ=ON \
    -DBUILD_TESTING=OFF -DSOHOA_FUZZ_SECONDS="${SOHOA_FUZZ_SECONDS:-20}"
  (cd "$root/build-fuzz" && ctest --output-on-failure -j"$jobs" -R fuzz_)
fi
