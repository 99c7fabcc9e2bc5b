# shellcheck shell=bash
# Shared by the bench-*.sh scripts (sourced, not run). They define repo,
# log and die first.

# bench_sohoa SCRATCH: find sohoa ($SOHOA_BIN, else build/sohoa, built when
# missing) and run a copy of it from SCRATCH, so that a rebuild of build/
# during a long measurement does not matter (sohoa links only system
# libraries). Sets sohoa (the copy) and sohoa_src (where it came from).
bench_sohoa() {
    local scratch=$1 try
    sohoa_src=${SOHOA_BIN:-$repo/build/sohoa}
    if [[ ! -x $sohoa_src ]]; then
        log "building sohoa in $repo/build"
        bash "$repo/scripts/build.sh" >&2 || die "build failed"
        [[ -x $sohoa_src ]] || die "no $sohoa_src after the build"
    fi
    # a copy taken while the linker writes the file does not run: try again
    for try in 1 2 3 4 5; do
        if cp -- "$sohoa_src" "$scratch/sohoa" 2>/dev/null &&
            "$scratch/sohoa" --version >/dev/null 2>&1; then
            break
        fi
        ((try < 5)) || die "cannot run a copy of $sohoa_src"
        sleep 3
    done
    log "using $("$scratch/sohoa" --version) ($sohoa_src, $(date -r "$sohoa_src" '+%F %T'))"
    # shellcheck disable=SC2034  # used by the sourcing script
    sohoa=$scratch/sohoa
}
