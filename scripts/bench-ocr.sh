#!/usr/bin/env bash
# bench-ocr.sh - compare sohoa with plain tesseract and with ocrmypdf on the
# same scanned pages: speed (pages/min), peak memory and character error rate.
#
# usage: scripts/bench-ocr.sh [options] [DIR]
#
#   DIR            pages to OCR, laid out as DIR/<doc>/page-NNN.{jpg,png}
#                  (default: <repo>/../shared/corpus/batches/scan)
#   --truth DIR    true text, as DIR/<doc>/page-NNN.gt.txt
#                  (default: DIR/../../truth)
#   --only TOOL    run only TOOL (sohoa, tesseract or ocrmypdf); may repeat
#   -j, --jobs N   parallel jobs for every tool (default: nproc)
#   --keep         keep the scratch directory and print its path
#   -h, --help     show this help
#
# Environment: SOHOA_BIN and CER_BIN override build/sohoa and build/cer.
#
# The pages are copied once into a scratch batch that all tools read; wall
# time and peak RSS come from
# GNU time (/usr/bin/time -f '%e %M'), and the CER is the sum of the edits
# over all pages divided by the sum of the reference characters, measured by
# tests/tools/cer.c (whitespace runs collapsed, code points compared).
# Progress goes to stderr, the result table to stdout.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$script_dir/.." && pwd -P)

usage() {
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

log() { printf 'bench-ocr: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---------------------------------------------------------------- options
dir=""
truth=""
keep=0
jobs=$(nproc)
declare -A want=()

while (($# > 0)); do
    case $1 in
        --only)
            (($# >= 2)) || die "--only needs a tool name"
            case $2 in
                sohoa | tesseract | ocrmypdf) want[$2]=1 ;;
                *) die "unknown tool '$2' (sohoa, tesseract or ocrmypdf)" ;;
            esac
            shift 2 ;;
        --only=*)
            set -- --only "${1#--only=}" "${@:2}" ;;
        --truth)
            (($# >= 2)) || die "--truth needs a directory"
            truth=$2; shift 2 ;;
        --truth=*)
            truth=${1#--truth=}; shift ;;
        -j | --jobs)
            (($# >= 2)) || die "$1 needs a number"
            jobs=$2; shift 2 ;;
        --jobs=*)
            jobs=${1#--jobs=}; shift ;;
        --keep)
            keep=1; shift ;;
        -h | --help)
            usage; exit 0 ;;
        --)
            shift; break ;;
        -*)
            usage >&2; die "unknown option '$1'" ;;
        *)
            [[ -z $dir ]] || die "more than one DIR given"
            dir=$1; shift ;;
    esac
done
if (($# > 0)); then
    [[ -z $dir && $# -eq 1 ]] || die "more than one DIR given"
    dir=$1
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad job count '$jobs'"

tools=()
for t in sohoa tesseract ocrmypdf; do
    if ((${#want[@]} == 0)) || [[ -n ${want[$t]:-} ]]; then
        tools+=("$t")
    fi
done

dir=${dir:-$repo/../shared/corpus/batches/scan}
[[ -d $dir ]] || die "no such directory: $dir"
dir=$(cd -- "$dir" && pwd -P)
truth=${truth:-$dir/../../truth}
if [[ -d $truth ]]; then
    truth=$(cd -- "$truth" && pwd -P)
else
    log "warning: no truth directory $truth: CER will not be measured"
    truth=""
fi

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed: apt-get install time"

has_tool() {
    local t
    for t in "${tools[@]}"; do [[ $t == "$1" ]] && return 0; done
    return 1
}

# ---------------------------------------------------------------- scratch
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-ocr.XXXXXX")
cleanup() {
    if ((keep)); then
        log "scratch directory kept: $scratch"
    else
        rm -rf -- "$scratch"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$scratch/logs"

# ---------------------------------------------------------------- binaries
sohoa=${SOHOA_BIN:-$repo/build/sohoa}
cer=${CER_BIN:-$repo/build/cer}

if has_tool sohoa && { [[ ! -x $sohoa ]] || [[ ! -x $cer ]]; }; then
    log "building sohoa in $repo/build"
    (cd -- "$repo" &&
        cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
        cmake --build build -j"$(nproc)") >&2 ||
        die "build failed"
    [[ -x $sohoa ]] || die "no $sohoa after the build"
fi
if [[ -n $truth && ! -x $cer ]]; then
    # Without sohoa we do not need the whole project: cer.c stands alone.
    log "no $cer: compiling tests/tools/cer.c"
    cer=$scratch/cer
    "${CC:-cc}" -std=c11 -O2 -o "$cer" "$repo/tests/tools/cer.c" ||
        die "cannot compile tests/tools/cer.c"
fi

if has_tool ocrmypdf; then
    missing=""
    command -v ocrmypdf >/dev/null || missing="ocrmypdf"
    command -v img2pdf >/dev/null || missing="${missing:+$missing and }img2pdf"
    if [[ -n $missing ]]; then
        log "note: $missing not installed, skipping ocrmypdf (apt-get install ocrmypdf img2pdf)"
        skipped_ocrmypdf=1
    fi
fi
if has_tool tesseract; then
    command -v tesseract >/dev/null || die "tesseract is not installed"
fi

# ---------------------------------------------------------------- pages
# Copies the pages into the sohoa batch layout BATCH/<dossier>/<doc>/<pages>,
# with a single dossier "bench". pages[] holds "<doc>/<page file>".
batch=$scratch/batch
pages=()
docs=()
shopt -s nullglob
for d in "$dir"/*/; do
    d=${d%/}
    doc=${d##*/}
    n=0
    for f in "$d"/page-*; do
        case ${f,,} in
            *.jpg | *.jpeg | *.png) ;;
            *) continue ;;
        esac
        mkdir -p "$batch/bench/$doc"
        cp -- "$f" "$batch/bench/$doc/"
        pages+=("$doc/${f##*/}")
        n=$((n + 1))
    done
    if ((n > 0)); then
        docs+=("$doc")
    fi
done
shopt -u nullglob
npages=${#pages[@]}
((npages > 0)) || die "no page-NNN.{jpg,png} pages under $dir/<doc>/"
log "$npages pages in ${#docs[@]} documents from $dir; $jobs jobs; scratch $scratch"

# Output text of tool T for page P ("<doc>/page-NNN.ext") goes to
# $scratch/out/T/<doc>/page-NNN.txt.
out_path() { local p=${2%.*}; printf '%s/out/%s/%s.txt' "$scratch" "$1" "$p"; }

# time_cmd FILE CMD...: runs CMD under GNU time, writes "<wall_s> <max_rss_kb>"
# to FILE, returns the exit status of CMD.
time_cmd() {
    local f=$1; shift
    local rc=0
    /usr/bin/time -f '%e %M' -o "$f.raw" "$@" || rc=$?
    # On failure GNU time puts "Command exited with non-zero status N" first.
    tail -n 1 "$f.raw" >"$f"
    return "$rc"
}

declare -A wall=() peak_kb=() failed=()

# ---------------------------------------------------------------- a. sohoa
run_sohoa() {
    local data=$scratch/data p doc base n rc=0
    log "sohoa: run -j $jobs on $npages pages"
    time_cmd "$scratch/logs/sohoa.time" \
        "$sohoa" --data "$data" run -j "$jobs" "$batch" \
        >"$scratch/logs/sohoa-run.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        log "sohoa: run failed with status $rc, see $scratch/logs/sohoa-run.log"
        tail -n 5 "$scratch/logs/sohoa-run.log" >&2 || true
        failed[sohoa]=1
    fi
    read -r "wall[sohoa]" "peak_kb[sohoa]" <"$scratch/logs/sohoa.time"
    log "sohoa: ${wall[sohoa]} s, peak ${peak_kb[sohoa]} KB; fetching page text"
    for p in "${pages[@]}"; do
        doc=${p%%/*}
        base=${p##*/}
        base=${base%.*}
        n=$((10#${base#page-}))
        mkdir -p "$scratch/out/sohoa/$doc"
        if ! "$sohoa" --data "$data" text "$doc" --page "$n" \
            >"$(out_path sohoa "$p")" 2>>"$scratch/logs/sohoa-text.log"; then
            log "sohoa: no text for $doc page $n"
        fi
    done
}

# ---------------------------------------------------------------- b. tesseract
# One tesseract process per page, $jobs at a time, each single-threaded.
# GNU time around xargs reports the peak RSS of the largest single process
# (xargs or one tesseract), not the sum over the $jobs running at once.
run_tesseract() {
    local p rc=0
    log "tesseract: $npages pages, $jobs processes at a time"
    for p in "${docs[@]}"; do mkdir -p "$scratch/out/tesseract/$p"; done
    # Inputs are "<doc>/page-NNN.ext" relative to the batch; tesseract writes
    # OUTBASE.txt, i.e. out/tesseract/<doc>/page-NNN.ext.txt (renamed below).
    (cd -- "$batch/bench" &&
        printf '%s\0' "${pages[@]}" |
        time_cmd "$scratch/logs/tesseract.time" \
            xargs -0 -P "$jobs" -I{} env OMP_THREAD_LIMIT=1 \
            tesseract {} "$scratch/out/tesseract/{}" -l vie) \
        >"$scratch/logs/tesseract.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        log "tesseract: failed with status $rc, see $scratch/logs/tesseract.log"
        tail -n 5 "$scratch/logs/tesseract.log" >&2 || true
        failed[tesseract]=1
    fi
    for p in "${pages[@]}"; do
        if [[ -f $scratch/out/tesseract/$p.txt ]]; then
            mv -- "$scratch/out/tesseract/$p.txt" "$(out_path tesseract "$p")"
        fi
    done
    read -r "wall[tesseract]" "peak_kb[tesseract]" <"$scratch/logs/tesseract.time"
    log "tesseract: ${wall[tesseract]} s, peak ${peak_kb[tesseract]} KB"
}

# ---------------------------------------------------------------- c. ocrmypdf
# One ocrmypdf per document (documents one after another, pages of a document
# in parallel); the PDF input is made with img2pdf beforehand, not timed.
# Time is summed over documents, peak RSS is the largest of them (again one
# process: ocrmypdf itself or one of its tesseract workers).
run_ocrmypdf() {
    local doc p rc i w k total=0 peak=0 pdf_in pdf_out
    local -a imgs names
    log "ocrmypdf: ${#docs[@]} documents, --jobs $jobs"
    mkdir -p "$scratch/ocrmypdf"
    for doc in "${docs[@]}"; do
        imgs=()
        names=()
        for p in "${pages[@]}"; do
            if [[ ${p%%/*} == "$doc" ]]; then
                imgs+=("$batch/bench/$p")
                names+=("$p")
            fi
        done
        pdf_in=$scratch/ocrmypdf/$doc.in.pdf
        pdf_out=$scratch/ocrmypdf/$doc
        if ! img2pdf -o "$pdf_in" "${imgs[@]}" 2>>"$scratch/logs/img2pdf.log"; then
            log "ocrmypdf: img2pdf failed on $doc, see $scratch/logs/img2pdf.log"
            failed[ocrmypdf]=1
            continue
        fi
        rc=0
        time_cmd "$scratch/logs/ocrmypdf-$doc.time" \
            ocrmypdf -l vie --jobs "$jobs" --output-type pdf \
            --sidecar "$pdf_out.txt" "$pdf_in" "$pdf_out.pdf" \
            >>"$scratch/logs/ocrmypdf.log" 2>&1 || rc=$?
        read -r w k <"$scratch/logs/ocrmypdf-$doc.time"
        total=$(awk -v a="$total" -v b="$w" 'BEGIN { printf "%.2f", a + b }')
        if ((k > peak)); then
            peak=$k
        fi
        if ((rc != 0)) || [[ ! -f $pdf_out.txt ]]; then
            log "ocrmypdf: failed on $doc (status $rc), see $scratch/logs/ocrmypdf.log"
            failed[ocrmypdf]=1
            continue
        fi
        log "ocrmypdf: $doc, ${#imgs[@]} pages, $w s, peak $k KB"
        # The sidecar has the text of page i as the i-th form-feed-separated
        # record; page i is the i-th image given to img2pdf.
        mkdir -p "$scratch/out/ocrmypdf/$doc"
        for i in "${!names[@]}"; do
            awk -v want=$((i + 1)) 'BEGIN { RS = "\f" } NR == want { printf "%s", $0 }' \
                "$pdf_out.txt" >"$(out_path ocrmypdf "${names[$i]}")"
        done
    done
    wall[ocrmypdf]=$total
    peak_kb[ocrmypdf]=$peak
}

# ---------------------------------------------------------------- accuracy
# measure [--no-marks|--words] REF HYP: sets units (length of REF) and edits.
units=0 edits=0
measure() {
    local out rate
    out=$("$cer" "$@") || die "$cer $* failed"
    read -r rate units edits <<<"$out"
    [[ $rate && $units =~ ^[0-9]+$ && $edits =~ ^[0-9]+$ ]] ||
        die "unexpected output from $cer: $out"
}

# score_tool TOOL: sets score[TOOL] to "<ref chars> <edits> <ref chars
# without marks> <edits without marks> <ref words> <word edits>", summed
# over the pages that have a true text.
declare -A score=()
score_tool() {
    local t=$1 p ref hyp nc=0 ne=0 mc=0 me=0 wc=0 we=0 missing=0
    for p in "${pages[@]}"; do
        ref=$truth/${p%.*}.gt.txt
        [[ -f $ref ]] || continue
        hyp=$(out_path "$t" "$p")
        if [[ ! -f $hyp ]]; then
            missing=$((missing + 1))
            hyp=/dev/null # scored as an empty page
        fi
        measure "$ref" "$hyp"
        nc=$((nc + units)); ne=$((ne + edits))
        measure --no-marks "$ref" "$hyp"
        mc=$((mc + units)); me=$((me + edits))
        measure --words "$ref" "$hyp"
        wc=$((wc + units)); we=$((we + edits))
    done
    ((missing == 0)) || log "$t: $missing pages without output, scored as empty"
    score[$t]="$nc $ne $mc $me $wc $we"
}

# ---------------------------------------------------------------- run
for t in "${tools[@]}"; do
    if [[ $t == ocrmypdf && -n ${skipped_ocrmypdf:-} ]]; then
        continue
    fi
    "run_$t"
    if [[ -n $truth ]]; then
        score_tool "$t"
    fi
done

if [[ -n $truth ]]; then
    ntruth=0
    for p in "${pages[@]}"; do
        if [[ -f $truth/${p%.*}.gt.txt ]]; then
            ntruth=$((ntruth + 1))
        fi
    done
    ((ntruth == npages)) ||
        log "warning: only $ntruth of $npages pages have a true text in $truth"
fi

# ---------------------------------------------------------------- report
# One row per tool: name pages wall ppm peak_mb cer cer_nomarks wer
rows=()
for t in "${tools[@]}"; do
    if [[ -z ${wall[$t]:-} ]]; then
        rows+=("$t - - - - - - -")
        continue
    fi
    rows+=("$(awk -v t="$t" -v n="$npages" -v w="${wall[$t]}" -v k="${peak_kb[$t]}" \
        -v s="${score[$t]:-}" '
        function pct(e, c) { return c > 0 ? sprintf("%.2f%%", 100 * e / c) : "-" }
        BEGIN {
            split(s, a, " ")
            ppm = w > 0 ? n / w * 60 : 0
            printf "%s %d %.1f %.1f %.0f %s %s %s\n", t, n, w, ppm, k / 1024,
                pct(a[2], a[1]), pct(a[4], a[3]), pct(a[6], a[5])
        }')")
done

printf '%-10s %6s %8s %10s %8s %7s %12s %7s\n' \
    tool pages wall_s pages/min peak_MB CER CER_no_marks WER
for r in "${rows[@]}"; do
    read -r t n w ppm mb c cm wr <<<"$r"
    if [[ -n ${failed[$t]:-} ]]; then
        t="$t*"
    fi
    printf '%-10s %6s %8s %10s %8s %7s %12s %7s\n' "$t" "$n" "$w" "$ppm" "$mb" "$c" "$cm" "$wr"
done
if [[ -n ${skipped_ocrmypdf:-} ]]; then
    echo "ocrmypdf: skipped (not installed)"
fi
if ((${#failed[@]} > 0)); then
    echo "* some pages failed: see the log above; missing pages count as empty text"
fi
if ((jobs > 1)) && { [[ -n ${wall[tesseract]:-} ]] || [[ -n ${wall[ocrmypdf]:-} ]]; }; then
    echo "peak_MB is that of the largest single process: tesseract and ocrmypdf" \
        "run up to $jobs OCR processes at once, so their total may be up to ${jobs}x as much."
fi

# Ratios relative to sohoa: speed (pages/min), memory (peak MB) and CER.
if [[ -n ${wall[sohoa]:-} ]]; then
    ratios=()
    for r in "${rows[@]}"; do
        read -r t n w ppm mb c cm wr <<<"$r"
        [[ $t == sohoa ]] && { s_ppm=$ppm s_mb=$mb s_cer=$c; continue; }
        [[ $w == - ]] && continue
        ratios+=("$(awk -v t="$t" -v sp="$s_ppm" -v op="$ppm" -v sm="$s_mb" -v om="$mb" \
            -v sc="${s_cer%\%}" -v oc="${c%\%}" '
            function ratio(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "n/a" }
            BEGIN {
                cer = (sc == "-" || oc == "-") ? "n/a" : ratio(sc, oc)
                printf "sohoa/%s speed %s, memory %s, CER %s", t, ratio(sp, op), ratio(sm, om), cer
            }')")
    done
    if ((${#ratios[@]} > 0)); then
        line="ratios: ${ratios[0]}"
        for r in "${ratios[@]:1}"; do
            line+="; $r"
        done
        echo "$line"
    fi
fi
if ((keep)); then
    echo "scratch: $scratch"
fi
