#!/usr/bin/env bash
# bench-ocr.sh - compare sohoa with plain tesseract and with ocrmypdf on the
# same scanned pages: speed (pages/min), peak memory and character error rate.
#
# usage: scripts/bench-ocr.sh [options] [DIR]
#        scripts/bench-ocr.sh --levels [options] [ROOT]
#
#   DIR            pages to OCR, laid out as DIR/<doc>/page-NNN.{jpg,png}
#                  (default: <repo>/../shared/corpus/batches/scan)
#   --levels       run on each quality level ROOT/clean, ROOT/scan and
#                  ROOT/poor (ROOT default: <repo>/../shared/corpus/batches),
#                  print one table per level and a summary over the levels
#   --truth DIR    true text, as DIR/<doc>/page-NNN.gt.txt
#                  (default: DIR/../../truth, i.e. ROOT/../truth)
#   --only TOOL    run only TOOL (sohoa, tesseract or ocrmypdf); may repeat
#   --ocrmypdf-plain
#                  run ocrmypdf without --deskew --rotate-pages --clean
#   -j, --jobs N   parallel jobs for every tool (default: nproc)
#   --keep         keep the scratch directory and print its path
#   -h, --help     show this help
#
# Environment: SOHOA_BIN and CER_BIN override build/sohoa and build/cer.
#
# Tools: `sohoa run -j N`; `tesseract PAGE OUT -l vie`, one single-threaded
# process per page, N at a time; `ocrmypdf -l vie --jobs N --deskew
# --rotate-pages --clean` (needs unpaper) on one PDF per document made with
# img2pdf. With --clean ocrmypdf OCRs the unpaper-cleaned image, with
# --deskew its output is deskewed; its --sidecar text is what is compared.
#
# The pages are copied once per level into a scratch batch that all tools
# read; wall time and peak RSS come from GNU time (/usr/bin/time -f '%e %M'),
# and the CER is the sum of the edits over all pages divided by the sum of
# the reference characters, measured by tests/tools/cer.c (whitespace runs
# collapsed, code points compared); CER_no_marks is the same without tone
# marks and diacritics (cer --no-marks), WER counts words (cer --words) and
# marks is the share of the CER due to marks, (CER - CER_no_marks) / CER.
# A page a tool gives no text for counts as empty text and the tool is
# marked with '*'. For sohoa the 5 pages with the highest CER are listed.
# Progress goes to stderr, the result tables to stdout.
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
truth_opt=""
keep=0
levels=0
ocrmypdf_plain=0
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
            truth_opt=$2; shift 2 ;;
        --truth=*)
            truth_opt=${1#--truth=}; shift ;;
        -j | --jobs)
            (($# >= 2)) || die "$1 needs a number"
            jobs=$2; shift 2 ;;
        --jobs=*)
            jobs=${1#--jobs=}; shift ;;
        --levels)
            levels=1; shift ;;
        --ocrmypdf-plain)
            ocrmypdf_plain=1; shift ;;
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

# level_names[i] and level_dirs[i]: what to run on. Without --levels there is
# one "level", named after DIR.
level_names=()
level_dirs=()
if ((levels)); then
    root=${dir:-$repo/../shared/corpus/batches}
    [[ -d $root ]] || die "no such directory: $root"
    root=$(cd -- "$root" && pwd -P)
    for l in clean scan poor; do
        if [[ -d $root/$l ]]; then
            level_names+=("$l")
            level_dirs+=("$root/$l")
        else
            log "warning: no level directory $root/$l, skipped"
        fi
    done
    ((${#level_dirs[@]} > 0)) || die "none of clean, scan, poor under $root"
else
    dir=${dir:-$repo/../shared/corpus/batches/scan}
    [[ -d $dir ]] || die "no such directory: $dir"
    dir=$(cd -- "$dir" && pwd -P)
    level_names+=("${dir##*/}")
    level_dirs+=("$dir")
fi

# find_truth DIR: prints the truth directory for DIR, or nothing.
find_truth() {
    local t=${truth_opt:-$1/../../truth}
    if [[ -d $t ]]; then
        (cd -- "$t" && pwd -P)
    else
        log "warning: no truth directory $t: CER will not be measured"
    fi
}

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

# ---------------------------------------------------------------- binaries
sohoa=${SOHOA_BIN:-$repo/build/sohoa}
cer=${CER_BIN:-$repo/build/cer}

if has_tool sohoa && { [[ ! -x $sohoa ]] || [[ ! -x $cer ]]; }; then
    log "building sohoa in $repo/build"
    bash "$repo/scripts/build.sh" >&2 || die "build failed"
    [[ -x $sohoa ]] || die "no $sohoa after the build"
fi
if [[ ! -x $cer ]]; then
    # Without sohoa we do not need the whole project: cer.c stands alone.
    log "no $cer: compiling tests/tools/cer.c"
    cer=$scratch/cer
    "${CC:-cc}" -std=c11 -O2 -o "$cer" "$repo/tests/tools/cer.c" ||
        die "cannot compile tests/tools/cer.c"
fi

skipped_ocrmypdf=""
if has_tool ocrmypdf; then
    missing=""
    command -v ocrmypdf >/dev/null || missing="ocrmypdf"
    command -v img2pdf >/dev/null || missing="${missing:+$missing, }img2pdf"
    if ((!ocrmypdf_plain)); then
        command -v unpaper >/dev/null || missing="${missing:+$missing, }unpaper"
    fi
    if [[ -n $missing ]]; then
        log "note: $missing not installed, skipping ocrmypdf (scripts/deps.sh --bench)"
        skipped_ocrmypdf="not installed: $missing"
    fi
fi
if has_tool tesseract; then
    command -v tesseract >/dev/null || die "tesseract is not installed"
fi
ocrmypdf_flags=(--deskew --rotate-pages --clean)
if ((ocrmypdf_plain)); then
    ocrmypdf_flags=()
fi

# ---------------------------------------------------------------- per level
# State of the level being run: its scratch dir, pages and results.
work=""
batch=""
truth=""
pages=()
docs=()
npages=0
declare -A wall=() peak_kb=() failed=() score=()
page_scores=()
unrotated=0

# collect_pages DIR: copies the pages into the sohoa batch layout
# BATCH/<dossier>/<doc>/<pages>, with a single dossier "bench". pages[]
# holds "<doc>/<page file>".
collect_pages() {
    local src=$1 d doc f n
    batch=$work/batch
    pages=()
    docs=()
    shopt -s nullglob
    for d in "$src"/*/; do
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
    ((npages > 0)) || die "no page-NNN.{jpg,png} pages under $src/<doc>/"
}

# Output text of tool T for page P ("<doc>/page-NNN.ext") goes to
# $work/out/T/<doc>/page-NNN.txt.
out_path() { local p=${2%.*}; printf '%s/out/%s/%s.txt' "$work" "$1" "$p"; }

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

# ---------------------------------------------------------------- a. sohoa
run_sohoa() {
    local data=$work/data p doc base n rc=0
    log "sohoa: run -j $jobs on $npages pages"
    time_cmd "$work/logs/sohoa.time" \
        "$sohoa" --data "$data" run -j "$jobs" "$batch" \
        >"$work/logs/sohoa-run.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        log "sohoa: run failed with status $rc, see $work/logs/sohoa-run.log"
        tail -n 5 "$work/logs/sohoa-run.log" >&2 || true
        failed[sohoa]=1
    fi
    read -r "wall[sohoa]" "peak_kb[sohoa]" <"$work/logs/sohoa.time"
    log "sohoa: ${wall[sohoa]} s, peak ${peak_kb[sohoa]} KB; fetching page text"
    for p in "${pages[@]}"; do
        doc=${p%%/*}
        base=${p##*/}
        base=${base%.*}
        n=$((10#${base#page-}))
        mkdir -p "$work/out/sohoa/$doc"
        if ! "$sohoa" --data "$data" text "$doc" --page "$n" \
            >"$(out_path sohoa "$p")" 2>>"$work/logs/sohoa-text.log"; then
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
    for p in "${docs[@]}"; do mkdir -p "$work/out/tesseract/$p"; done
    # Inputs are "<doc>/page-NNN.ext" relative to the batch; tesseract writes
    # OUTBASE.txt, i.e. out/tesseract/<doc>/page-NNN.ext.txt (renamed below).
    (cd -- "$batch/bench" &&
        printf '%s\0' "${pages[@]}" |
        time_cmd "$work/logs/tesseract.time" \
            xargs -0 -P "$jobs" -I{} env OMP_THREAD_LIMIT=1 \
            tesseract {} "$work/out/tesseract/{}" -l vie) \
        >"$work/logs/tesseract.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        log "tesseract: failed with status $rc, see $work/logs/tesseract.log"
        tail -n 5 "$work/logs/tesseract.log" >&2 || true
        failed[tesseract]=1
    fi
    for p in "${pages[@]}"; do
        if [[ -f $work/out/tesseract/$p.txt ]]; then
            mv -- "$work/out/tesseract/$p.txt" "$(out_path tesseract "$p")"
        fi
    done
    read -r "wall[tesseract]" "peak_kb[tesseract]" <"$work/logs/tesseract.time"
    log "tesseract: ${wall[tesseract]} s, peak ${peak_kb[tesseract]} KB"
}

# ---------------------------------------------------------------- c. ocrmypdf
# One ocrmypdf per document (documents one after another, pages of a document
# in parallel); the PDF input is made with img2pdf beforehand, not timed.
# Time is summed over documents, peak RSS is the largest of them (again one
# process: ocrmypdf itself or one of its tesseract workers). A document it
# fails on leaves its pages without text (scored as empty).
run_ocrmypdf() {
    local doc p rc i w k total=0 peak=0 pdf_in pdf_out
    local -a imgs names
    log "ocrmypdf: ${#docs[@]} documents, --jobs $jobs${ocrmypdf_flags[*]:+ ${ocrmypdf_flags[*]}}"
    mkdir -p "$work/ocrmypdf"
    for doc in "${docs[@]}"; do
        imgs=()
        names=()
        for p in "${pages[@]}"; do
            if [[ ${p%%/*} == "$doc" ]]; then
                imgs+=("$batch/bench/$p")
                names+=("$p")
            fi
        done
        pdf_in=$work/ocrmypdf/$doc.in.pdf
        pdf_out=$work/ocrmypdf/$doc
        if ! img2pdf -o "$pdf_in" "${imgs[@]}" 2>>"$work/logs/img2pdf.log"; then
            log "ocrmypdf: img2pdf failed on $doc, see $work/logs/img2pdf.log"
            failed[ocrmypdf]=1
            continue
        fi
        rc=0
        printf '=== %s\n' "$doc" >>"$work/logs/ocrmypdf.log"
        time_cmd "$work/logs/ocrmypdf-$doc.time" \
            ocrmypdf -l vie --jobs "$jobs" "${ocrmypdf_flags[@]}" --output-type pdf \
            --sidecar "$pdf_out.txt" "$pdf_in" "$pdf_out.pdf" \
            >>"$work/logs/ocrmypdf.log" 2>&1 || rc=$?
        read -r w k <"$work/logs/ocrmypdf-$doc.time"
        total=$(awk -v a="$total" -v b="$w" 'BEGIN { printf "%.2f", a + b }')
        if ((k > peak)); then
            peak=$k
        fi
        if ((rc != 0)) || [[ ! -f $pdf_out.txt ]]; then
            log "ocrmypdf: failed on $doc (status $rc), its ${#imgs[@]} pages count as empty;" \
                "see $work/logs/ocrmypdf.log"
            grep -v 'Opened a file' "$work/logs/ocrmypdf.log" | tail -n 3 >&2 || true
            failed[ocrmypdf]=1
            continue
        fi
        log "ocrmypdf: $doc, ${#imgs[@]} pages, $w s, peak $k KB"
        # The sidecar has the text of page i as the i-th form-feed-separated
        # record; page i is the i-th image given to img2pdf.
        mkdir -p "$work/out/ocrmypdf/$doc"
        for i in "${!names[@]}"; do
            awk -v want=$((i + 1)) 'BEGIN { RS = "\f" } NR == want { printf "%s", $0 }' \
                "$pdf_out.txt" >"$(out_path ocrmypdf "${names[$i]}")"
        done
    done
    wall[ocrmypdf]=$total
    peak_kb[ocrmypdf]=$peak
    # --rotate-pages leaves a page as it is when the orientation confidence
    # is below its threshold; such a page is then OCRed as it lies.
    if ((${#ocrmypdf_flags[@]} > 0)) && [[ -f $work/logs/ocrmypdf.log ]]; then
        unrotated=$(grep -c 'confidence too low to rotate' "$work/logs/ocrmypdf.log" || true)
    fi
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
# over the pages that have a true text. For sohoa, page_scores[] gets
# "<page> <ref chars> <edits> <ref chars without marks> <edits without marks>"
# for every page.
score_tool() {
    local t=$1 p ref hyp nc=0 ne=0 mc=0 me=0 wc=0 we=0 missing=0 pu pe
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
        pu=$units pe=$edits
        measure --no-marks "$ref" "$hyp"
        mc=$((mc + units)); me=$((me + edits))
        if [[ $t == sohoa ]]; then
            page_scores+=("${p%.*} $pu $pe $units $edits")
        fi
        measure --words "$ref" "$hyp"
        wc=$((wc + units)); we=$((we + edits))
    done
    if ((missing > 0)); then
        log "$t: $missing pages without output, scored as empty"
        failed[$t]=1
    fi
    score[$t]="$nc $ne $mc $me $wc $we"
}

# ---------------------------------------------------------------- report
fmt='%-10s %6s %8s %10s %8s %7s %12s %7s %7s\n'
sum_fmt='%-6s %-10s %6s %10s %8s %7s %12s %7s %7s\n'
summary=()

# tool_row TOOL: prints "name pages wall ppm peak_mb cer cer_nomarks wer
# marks" for TOOL in the current level, "-" where not measured.
tool_row() {
    local t=$1
    if [[ -z ${wall[$t]:-} ]]; then
        echo "$t $npages - - - - - - -"
        return
    fi
    awk -v t="$t" -v n="$npages" -v w="${wall[$t]}" -v k="${peak_kb[$t]}" \
        -v s="${score[$t]:-}" '
        function pct(e, c) { return c > 0 ? sprintf("%.2f%%", 100 * e / c) : "-" }
        BEGIN {
            split(s, a, " ")
            ppm = w > 0 ? n / w * 60 : 0
            marks = "-"
            if (a[1] > 0 && a[2] > 0 && a[3] > 0) {
                c = a[2] / a[1]
                marks = sprintf("%.0f%%", 100 * (c - a[4] / a[3]) / c)
            }
            printf "%s %d %.1f %.1f %.0f %s %s %s %s\n", t, n, w, ppm, k / 1024,
                pct(a[2], a[1]), pct(a[4], a[3]), pct(a[6], a[5]), marks
        }'
}

# report LEVEL: prints the table of the current level and adds its rows to
# summary[].
report() {
    local level=$1 r t n w ppm mb c cm wr ms line s_ppm="" s_mb="" s_cer=""
    local -a rows=() ratios=()
    for t in "${tools[@]}"; do
        rows+=("$(tool_row "$t")")
    done

    # shellcheck disable=SC2059 # the formats are ours
    printf "$fmt" tool pages wall_s pages/min peak_MB CER CER_no_marks WER marks
    for r in "${rows[@]}"; do
        read -r t n w ppm mb c cm wr ms <<<"$r"
        if [[ -n ${failed[$t]:-} ]]; then
            t="$t*"
        fi
        # shellcheck disable=SC2059
        printf "$fmt" "$t" "$n" "$w" "$ppm" "$mb" "$c" "$cm" "$wr" "$ms"
        summary+=("$level $t $n $ppm $mb $c $cm $wr $ms")
    done
    if [[ -n $skipped_ocrmypdf ]]; then
        echo "ocrmypdf: skipped ($skipped_ocrmypdf)"
    fi
    if ((${#failed[@]} > 0)); then
        echo "* some pages failed: see the log above; missing pages count as empty text"
    fi
    if ((unrotated > 0)); then
        echo "ocrmypdf: $unrotated pages found turned but left as they were" \
            "(orientation confidence below the --rotate-pages threshold)"
    fi
    if ((jobs > 1)) && { [[ -n ${wall[tesseract]:-} ]] || [[ -n ${wall[ocrmypdf]:-} ]]; }; then
        echo "peak_MB is that of the largest single process: tesseract and ocrmypdf" \
            "run up to $jobs OCR processes at once, so their total may be up to ${jobs}x as much."
    fi

    # Ratios relative to sohoa: speed (pages/min), memory (peak MB) and CER.
    if [[ -n ${wall[sohoa]:-} ]]; then
        for r in "${rows[@]}"; do
            read -r t n w ppm mb c cm wr ms <<<"$r"
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

    # The pages sohoa does worst on.
    if ((${#page_scores[@]} > 0)); then
        echo
        echo "sohoa, worst pages by CER:"
        printf '  %-28s %7s %12s %13s\n' page CER CER_no_marks edits/chars
        printf '%s\n' "${page_scores[@]}" |
            awk '{
                cer = $2 > 0 ? $3 / $2 : ($3 > 0)
                nm = $4 > 0 ? $5 / $4 : ($5 > 0)
                printf "%.6f %s %.2f%% %.2f%% %d/%d\n", cer, $1, 100 * cer, 100 * nm, $3, $2
            }' |
            sort -s -k1,1gr | head -n 5 |
            while read -r _ p c cm ec; do
                printf '  %-28s %7s %12s %13s\n' "$p" "$c" "$cm" "$ec"
            done
    fi
}

# bench_level NAME DIR: runs every tool on the pages of DIR and reports.
bench_level() {
    local name=$1 src=$2 t p ntruth=0
    work=$scratch/$name
    mkdir -p "$work/logs"
    truth=$(find_truth "$src")
    wall=() peak_kb=() failed=() score=()
    page_scores=()
    unrotated=0
    collect_pages "$src"
    log "$name: $npages pages in ${#docs[@]} documents from $src; $jobs jobs; scratch $work"

    for t in "${tools[@]}"; do
        if [[ $t == ocrmypdf && -n $skipped_ocrmypdf ]]; then
            continue
        fi
        "run_$t"
        if [[ -n $truth ]]; then
            score_tool "$t"
        fi
    done

    if [[ -n $truth ]]; then
        for p in "${pages[@]}"; do
            if [[ -f $truth/${p%.*}.gt.txt ]]; then
                ntruth=$((ntruth + 1))
            fi
        done
        ((ntruth == npages)) ||
            log "warning: only $ntruth of $npages pages have a true text in $truth"
    fi

    if ((levels)); then
        echo "== $name: $src ($npages pages, truth ${truth:-none})"
    fi
    report "$name"
    if ((levels)); then
        echo
    fi
}

# ---------------------------------------------------------------- run
for i in "${!level_dirs[@]}"; do
    bench_level "${level_names[$i]}" "${level_dirs[$i]}"
done

if ((levels)); then
    echo "== summary"
    # shellcheck disable=SC2059
    printf "$sum_fmt" level tool pages pages/min peak_MB CER CER_no_marks WER marks
    for r in "${summary[@]}"; do
        read -r l t n ppm mb c cm wr ms <<<"$r"
        # shellcheck disable=SC2059
        printf "$sum_fmt" "$l" "$t" "$n" "$ppm" "$mb" "$c" "$cm" "$wr" "$ms"
    done
    echo "marks = (CER - CER_no_marks) / CER, the share of the CER due to tone marks and" \
        "diacritics; * = some pages without text, counted as empty"
    if has_tool ocrmypdf && [[ -z $skipped_ocrmypdf ]]; then
        echo "ocrmypdf ran with -l vie --jobs $jobs${ocrmypdf_flags[*]:+ ${ocrmypdf_flags[*]}}"
    fi
fi
if ((keep)); then
    echo "scratch: $scratch"
fi
