#!/usr/bin/env bash
# bench-real.sh - measure sohoa against plain tesseract on the real scans of
# ../shared/realscans (issue 7): text accuracy, page orientation, blank backs,
# metadata and throughput, each against its target.
#
# usage: scripts/bench-real.sh [options]
#
#   --realscans DIR  the real scans (default: <repo>/../shared/realscans):
#                    DIR/batch/<doc>/page-NNN.{jpg,png}, DIR/text/<doc>/
#                    page-NNN.gt.txt (true text), DIR/truth.json (metadata)
#   -j, --jobs N     parallel jobs: `sohoa run -j N`, and N tesseract
#                    processes at once (default: nproc)
#   --no-tesseract   skip plain tesseract (no ratios, no speed target)
#   --keep           keep the scratch directory (batch, data folder, texts,
#                    logs) and print its path
#   -h, --help       show this help
#
# Environment: SOHOA_BIN and CER_BIN override build/sohoa and build/cer
# (built with scripts/build.sh when missing; cer.c is compiled alone when
# only it is missing). A copy of sohoa is run, so a rebuild meanwhile does not
# matter. Needs python3 and tesseract with the vie language.
#
# What is run, each timed with GNU time (/usr/bin/time: wall time, peak RSS,
# user+system CPU time):
#   sohoa      the pages laid out as one batch BATCH/<DIR name>/<doc>/page-NNN.*
#              (each <doc> one document), `sohoa --data D run -q -j N BATCH`
#              into a fresh data folder D; page text from
#              `sohoa --data D text <DIR name>/<doc> --page N`.
#   tesseract  `tesseract PAGE OUT -l vie` on every page, one single-threaded
#              process (OMP_THREAD_LIMIT=1) per page, N at a time (xargs -P N).
# sohoa does more than OCR (clean-up, PDF, index, metadata): its time is the
# whole run. Peak memory is that of the largest single process (for tesseract
# one of the N running at once).
#
# Measures:
#   CER          per page with a true text (DIR/text), and in total (sum of
#                edits / sum of true characters), by tests/tools/cer.c after
#                Unicode NFC of both texts (whitespace runs collapsed, code
#                points compared, case and marks kept).
#   word error   order-free: both texts NFC, split on whitespace; from each
#                token every leading and trailing character whose Unicode
#                category is punctuation (P*) or symbol (S*) is stripped
#                (. , ; : ! ? ( ) [ ] " ' “ ” ‘ ’ - – — … / % | + etc.), a
#                token left empty is dropped; inside a token nothing is
#                stripped ("299/UBND-TTHC", "10.522,6" stay whole); case and
#                marks are kept. word error = the true tokens, as a multiset,
#                that the output's multiset lacks / the true tokens
#                (sum(max(0, true[w] - out[w])) / sum(true[w])), so the reading
#                order does not matter. "extra" = output tokens not in the truth
#                multiset (garbage words), shown for information.
#   pages        every page's orientation (degrees turned), how it was found,
#                skew, blank flag, confidence and word count from D/sohoa.db.
#                Truth: a page is a blank back when a sentence of its
#                document's truth.json notes names it ("page-NNN") and says
#                "blank back"; a page is upright when the README says no page
#                is scanned sideways or upside down (else that column is not
#                judged). The notes' sentences about blank pages, rotation and
#                skew are printed for a human reading.
#   metadata     scripts/bench-meta.sh --set DIR --data D (the same run), its
#                full output; target share = its "all fields" row.
#   throughput   pages per minute, wall time (also CPU seconds per page, less
#                sensitive to other load on the machine).
# Targets (issue 7): CER <= 0.5x tesseract's, word error <= 0.7x tesseract's,
# metadata >= 90% fields exact, every page upright, every blank back flagged,
# sohoa's pages/min >= tesseract's. Progress goes to stderr, the report to
# stdout. Exit status 0 whatever the figures (2 on usage errors, 3 when a
# tool could not run at all): this measures, it asserts nothing.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$script_dir/.." && pwd -P)

usage() {
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

log() { printf 'bench-real: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---------------------------------------------------------------- options
real=""
keep=0
tess=1
jobs=$(nproc)

while (($# > 0)); do
    case $1 in
        --realscans)
            (($# >= 2)) || die "--realscans needs a directory"
            real=$2; shift 2 ;;
        --realscans=*)
            real=${1#--realscans=}; shift ;;
        -j | --jobs)
            (($# >= 2)) || die "$1 needs a number"
            jobs=$2; shift 2 ;;
        --jobs=*)
            jobs=${1#--jobs=}; shift ;;
        --no-tesseract)
            tess=0; shift ;;
        --keep)
            keep=1; shift ;;
        -h | --help)
            usage; exit 0 ;;
        *)
            usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad job count '$jobs'"

real=${real:-$repo/../shared/realscans}
[[ -d $real ]] || die "no such directory: $real"
real=$(cd -- "$real" && pwd -P)
[[ -d $real/batch ]] || die "no $real/batch"
[[ -f $real/truth.json ]] || die "no $real/truth.json"
set_name=${real##*/}

command -v python3 >/dev/null || die "python3 is needed"
if ((tess)); then
    command -v tesseract >/dev/null || die "tesseract is not installed (or use --no-tesseract)"
    tesseract --list-langs 2>/dev/null | grep -qx vie ||
        die "tesseract has no 'vie' language data (apt-get install tesseract-ocr-vie)"
fi
gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e' true >/dev/null 2>&1; then
    gnu_time=1
else
    log "warning: no GNU time (/usr/bin/time; scripts/deps.sh --bench installs it):" \
        "wall time only, no peak memory or CPU time"
fi

# ---------------------------------------------------------------- scratch
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-real.XXXXXX")
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
cer=${CER_BIN:-$repo/build/cer}
# shellcheck source=scripts/lib-bench.sh
. "$script_dir/lib-bench.sh"
bench_sohoa "$scratch"
if [[ ! -x $cer ]]; then
    log "no $cer: compiling tests/tools/cer.c"
    cer=$scratch/cer
    "${CC:-cc}" -std=c11 -O2 -o "$cer" "$repo/tests/tools/cer.c" ||
        die "cannot compile tests/tools/cer.c"
fi

# ---------------------------------------------------------------- batch
batch=$scratch/batch
pages=() # "<doc>/page-NNN.ext"
shopt -s nullglob
for d in "$real/batch"/*/; do
    d=${d%/}
    doc=${d##*/}
    for f in "$d"/page-*; do
        case ${f,,} in
            *.jpg | *.jpeg | *.png | *.tif | *.tiff) ;;
            *) continue ;;
        esac
        mkdir -p "$batch/$set_name/$doc"
        cp -- "$f" "$batch/$set_name/$doc/"
        pages+=("$doc/${f##*/}")
    done
done
shopt -u nullglob
npages=${#pages[@]}
((npages > 0)) || die "no page-NNN.{jpg,png} under $real/batch/<doc>/"
log "$npages pages from $real/batch; $jobs jobs; scratch $scratch"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# time_cmd NAME CMD...: runs CMD, writes "<wall_s> <max_rss_kb> <cpu_s>" to
# $scratch/logs/NAME.time ("-" where not known), returns CMD's status.
time_cmd() {
    local f=$scratch/logs/$1.time rc=0 t0 t1
    shift
    if ((gnu_time)); then
        /usr/bin/time -f '%e %M %U %S' -o "$f.raw" "$@" || rc=$?
        # On failure GNU time puts "Command exited with non-zero status N" first.
        tail -n 1 "$f.raw" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' >"$f"
    else
        t0=$(date +%s.%N)
        "$@" || rc=$?
        t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f - -\n", b - a }' >"$f"
    fi
    return "$rc"
}

# ---------------------------------------------------------------- sohoa
data=$scratch/data
mkdir -p "$scratch/out/sohoa" "$scratch/out/tesseract"
log "sohoa: run -q -j $jobs on $npages pages"
rc=0
time_cmd sohoa "$sohoa" --data "$data" run -q -j "$jobs" "$batch" \
    >"$scratch/logs/sohoa-run.log" 2>&1 || rc=$?
sohoa_status=$rc
if ((rc != 0)); then
    log "sohoa: run exited with status $rc, see $scratch/logs/sohoa-run.log"
    tail -n 5 "$scratch/logs/sohoa-run.log" >&2 || true
fi
[[ -f $data/sohoa.db ]] || { log "error: sohoa made no database"; exit 3; }
log "sohoa: $(cat "$scratch/logs/sohoa.time") (wall s, peak KB, CPU s); fetching page text"
for p in "${pages[@]}"; do
    doc=${p%%/*}
    base=${p##*/}
    base=${base%.*}
    mkdir -p "$scratch/out/sohoa/$doc"
    if ! "$sohoa" --data "$data" text "$set_name/$doc" --page "$((10#${base#page-}))" \
        >"$scratch/out/sohoa/$doc/$base.txt" 2>>"$scratch/logs/sohoa-text.log"; then
        log "sohoa: no text for $doc $base (scored as empty)"
        rm -f -- "$scratch/out/sohoa/$doc/$base.txt"
    fi
done

# ---------------------------------------------------------------- tesseract
tess_status=-
if ((tess)); then
    log "tesseract: $npages pages, $jobs single-threaded processes at a time"
    for p in "${pages[@]}"; do mkdir -p "$scratch/out/tesseract/${p%%/*}"; done
    rc=0
    # tesseract writes OUTBASE.txt: out/tesseract/<doc>/page-NNN.ext.txt
    (cd -- "$batch/$set_name" &&
        printf '%s\0' "${pages[@]}" |
        time_cmd tesseract xargs -0 -P "$jobs" -I{} env OMP_THREAD_LIMIT=1 \
            tesseract {} "$scratch/out/tesseract/{}" -l vie) \
        >"$scratch/logs/tesseract.log" 2>&1 || rc=$?
    tess_status=$rc
    if ((rc != 0)); then
        log "tesseract: exited with status $rc, see $scratch/logs/tesseract.log"
        tail -n 5 "$scratch/logs/tesseract.log" >&2 || true
    fi
    for p in "${pages[@]}"; do
        if [[ -f $scratch/out/tesseract/$p.txt ]]; then
            mv -- "$scratch/out/tesseract/$p.txt" "$scratch/out/tesseract/${p%.*}.txt"
        fi
    done
    log "tesseract: $(cat "$scratch/logs/tesseract.time") (wall s, peak KB, CPU s)"
fi

# ---------------------------------------------------------------- metadata
log "metadata: scripts/bench-meta.sh --set $real --data $data"
meta_status=0
SOHOA_BIN=$sohoa bash "$repo/scripts/bench-meta.sh" --set "$real" --data "$data" \
    -j "$jobs" >"$scratch/meta.out" 2>"$scratch/logs/bench-meta.log" || meta_status=$?
if ((meta_status != 0)); then
    log "bench-meta.sh exited with status $meta_status, see $scratch/logs/bench-meta.log"
    tail -n 5 "$scratch/logs/bench-meta.log" >&2 || true
fi

# ---------------------------------------------------------------- report
log "scoring"
python3 - "$scratch" "$real" "$cer" "$npages" "$jobs" "$tess" "$sohoa_status" \
    "$tess_status" "$meta_status" "$load_before" \
    "$("$sohoa" --version) ($sohoa_src)" "${pages[@]}" <<'EOF'
import collections, json, os, re, sqlite3, subprocess, sys, unicodedata

(scratch, real, cer, npages, jobs, tess, sohoa_status, tess_status, meta_status,
 load_before, version) = sys.argv[1:12]
pages = sys.argv[12:]
npages, tess = int(npages), tess == "1"
tools = ["sohoa"] + (["tesseract"] if tess else [])


def nfc(s):
    return unicodedata.normalize("NFC", s)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def ratio(a, b):
    return a / b if a is not None and b else None


def fnum(x, fmt="{:.3f}"):
    return "-" if x is None else fmt.format(x)


def pct(x):
    return "-" if x is None else f"{100 * x:.2f}%"


# ---------------------------------------------------------------- timing
def timing(tool):
    t = read(os.path.join(scratch, "logs", tool + ".time"))
    if not t:
        return None
    w, kb, cpu = t.split()
    w = float(w)
    return dict(wall=w, mb=None if kb == "-" else int(kb) / 1024,
                cpu=None if cpu == "-" else float(cpu),
                ppm=npages / w * 60 if w > 0 else None)


times = {t: timing(t) for t in tools}
print(f"== bench-real: {npages} pages of {real}, {jobs} jobs, {version}")
print(f"load average before the runs: {load_before} (on {os.cpu_count()} cores); "
      "speed figures are noisy when other jobs share the machine")
print()
print(f"{'tool':<10} {'pages':>5} {'wall_s':>8} {'pages/min':>9} {'peak_MB':>8} "
      f"{'cpu_s':>8} {'cpu_s/page':>10}  status")
for t in tools:
    m = times[t]
    st = sohoa_status if t == "sohoa" else tess_status
    if m is None:
        print(f"{t:<10} {npages:>5} {'-':>8}")
        continue
    print(f"{t:<10} {npages:>5} {m['wall']:>8.1f} {fnum(m['ppm'], '{:.1f}'):>9} "
          f"{fnum(m['mb'], '{:.0f}'):>8} {fnum(m['cpu'], '{:.1f}'):>8} "
          f"{fnum(ratio(m['cpu'], npages), '{:.2f}'):>10}  exit {st}")
if tess:
    print(f"tesseract: `tesseract PAGE OUT -l vie`, OMP_THREAD_LIMIT=1, {jobs} at a time; "
          "peak_MB is one process, the total may be up to "
          f"{jobs}x as much")
print()


# ---------------------------------------------------------------- text
def out_path(tool, page):
    return os.path.join(scratch, "out", tool, os.path.splitext(page)[0] + ".txt")


def edge_strip(w):
    def drop(c):
        return unicodedata.category(c)[0] in "PS"
    i, j = 0, len(w)
    while i < j and drop(w[i]):
        i += 1
    while j > i and drop(w[j - 1]):
        j -= 1
    return w[i:j]


def tokens(s):
    return collections.Counter(t for t in (edge_strip(w) for w in nfc(s).split()) if t)


def run_cer(ref, hyp):
    with open(os.path.join(scratch, "cer.ref"), "w", encoding="utf-8") as f:
        f.write(nfc(ref))
    with open(os.path.join(scratch, "cer.hyp"), "w", encoding="utf-8") as f:
        f.write(nfc(hyp))
    out = subprocess.run([cer, os.path.join(scratch, "cer.ref"), os.path.join(scratch, "cer.hyp")],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[1]), int(out[2])


truth_pages = [p for p in pages
               if os.path.exists(os.path.join(real, "text", os.path.splitext(p)[0] + ".gt.txt"))]
tot = {t: dict(chars=0, edits=0, words=0, missing=0, extra=0) for t in tools}
noout = collections.Counter()
print(f"text accuracy on the {len(truth_pages)} pages with a true text "
      "(CER = edits/true chars; word error = true words missing from the output, "
      "order-free; extra = output words not in the truth)")
print((f"{'':<28}" + "".join(f" | {t:<43}" for t in tools)).rstrip())
print(f"{'page':<28}" + f" | {'CER':>7} {'edits/chars':>11} {'word_err':>8} {'miss/words':>10} {'extra':>5}" * len(tools))
for p in truth_pages:
    ref = read(os.path.join(real, "text", os.path.splitext(p)[0] + ".gt.txt"))
    tw = tokens(ref)
    row = f"{os.path.splitext(p)[0]:<28}"
    for t in tools:
        hyp = read(out_path(t, p))
        if hyp is None:
            noout[t] += 1
            hyp = ""
        chars, edits = run_cer(ref, hyp)
        ow = tokens(hyp)
        missing = sum((tw - ow).values())
        extra = sum((ow - tw).values())
        nw = sum(tw.values())
        a = tot[t]
        a["chars"] += chars; a["edits"] += edits
        a["words"] += nw; a["missing"] += missing; a["extra"] += extra
        row += (f" | {pct(ratio(edits, chars)):>7} {f'{edits}/{chars}':>11} "
                f"{pct(ratio(missing, nw)):>8} {f'{missing}/{nw}':>10} {extra:>5}")
    print(row)
cer_tot = {t: ratio(tot[t]["edits"], tot[t]["chars"]) for t in tools}
wer_tot = {t: ratio(tot[t]["missing"], tot[t]["words"]) for t in tools}
row = f"{'total':<28}"
for t in tools:
    a = tot[t]
    row += (f" | {pct(cer_tot[t]):>7} {str(a['edits']) + '/' + str(a['chars']):>11} "
            f"{pct(wer_tot[t]):>8} {str(a['missing']) + '/' + str(a['words']):>10} {a['extra']:>5}")
print(row)
for t in tools:
    if noout[t]:
        print(f"{t}: {noout[t]} pages without output, scored as empty")
cer_ratio = wer_ratio = None
if tess:
    cer_ratio = ratio(cer_tot["sohoa"], cer_tot["tesseract"])
    wer_ratio = ratio(wer_tot["sohoa"], wer_tot["tesseract"])
    print(f"ratios sohoa/tesseract: CER {fnum(cer_ratio)}, order-free word error {fnum(wer_ratio)}")
print("words: NFC, split on whitespace, punctuation and symbols (Unicode P*, S*) stripped at "
      "both ends, empty tokens dropped; case and marks kept")
print()

# ---------------------------------------------------------------- pages
truth = json.load(open(os.path.join(real, "truth.json"), encoding="utf-8"))
notes = {d["id"]: d.get("notes") or "" for d in truth}
readme = read(os.path.join(real, "README.md")) or ""
upright_known = bool(re.search(r"no page scanned sideways or upside down", readme, re.I))


def sentences(s):
    # a new sentence after ". ", "! " or "? " when an upper-case letter, a
    # quote, "(" or "page-NNN" follows; other breaks are joined back
    out = []
    for x in re.split(r"(?<=[.!?])\s+", s.strip()):
        if out and not (x[:1].isupper() or x[:1] in "'\"(" or re.match(r"page-\d", x)):
            out[-1] += " " + x
        elif x:
            out.append(x)
    return out


blank_truth = set()     # "<doc>/page-NNN"
mentions = []           # (doc, kind, sentence)
for doc, n in notes.items():
    for s in sentences(n):
        low = s.lower()
        if "blank" in low:
            named = re.findall(r"page-\d{3}", s) if re.search(r"blank back", low) else []
            for pg in named:
                blank_truth.add(f"{doc}/{pg}")
            mentions.append((doc, "blank" + (" -> " + ",".join(named) if named
                                            else " (no kept page named: not counted)"), s))
        if re.search(r"rotat|skew|sideways|upside|degree|turned", low):
            mentions.append((doc, "rotation/skew", s))

db = sqlite3.connect(f"file:{os.path.join(scratch, 'data', 'sohoa.db')}?mode=ro", uri=True)
rows = db.execute(
    "SELECT d.name, p.seq, p.source, p.state, p.orientation, p.orient_how, p.skew, p.blank,"
    " p.confidence, p.nwords, p.reason FROM page p JOIN document d ON d.id = p.document_id"
    " ORDER BY d.name, p.seq").fetchall()
bypage = {}
for name, seq, src, state, orient, how, skew, blank, conf, nw, reason in rows:
    key = f"{name}/{os.path.splitext(os.path.basename(src))[0]}"
    bypage[key] = dict(state=state, orient=orient, how=how, skew=skew, blank=blank,
                       conf=conf, nwords=nw, reason=reason)

print(f"pages ({npages}): sohoa's flags from the database; truth: blank = named a blank back "
      "in truth.json notes, upright = " + ("every page (README: no page scanned sideways "
                                          "or upside down)" if upright_known else "unknown"))
print(f"{'page':<28} {'state':<7} {'orient':>6} {'how':<6} {'skew':>6} {'blank':>5} "
      f"{'conf':>5} {'words':>5}  truth   check")
upright_ok = upright_n = blank_hit = false_blank = 0
unknown_pages = 0
for p in pages:
    key = os.path.splitext(p)[0]
    r = bypage.get(key)
    tb = key in blank_truth
    if r is None:
        unknown_pages += 1
        print(f"{key:<28} {'absent':<7}")
        continue
    checks = []
    if upright_known:
        upright_n += 1
        if (r["orient"] or 0) % 360 == 0:
            upright_ok += 1
        else:
            checks.append(f"TURNED {r['orient']}")
    if tb and r["blank"]:
        blank_hit += 1
    elif tb:
        checks.append("BLANK NOT FLAGGED")
    elif r["blank"]:
        false_blank += 1
        checks.append("FLAGGED BLANK, HAS TEXT")
    if r["state"] != "done":
        checks.append(f"state {r['state']}: {r['reason'] or ''}")
    print(f"{key:<28} {r['state']:<7} {fnum(r['orient'], '{}'):>6} {r['how'] or '-':<6} "
          f"{fnum(r['skew'], '{:.2f}'):>6} {'yes' if r['blank'] else 'no':>5} "
          f"{fnum(r['conf'], '{:.0f}'):>5} {fnum(r['nwords'], '{}'):>5}  "
          f"{'blank' if tb else 'text':<7} {'; '.join(checks) or 'ok'}")
print("orient = degrees sohoa turned the page (0 = found upright); how = osd/band/shape/none;"
      " skew in degrees")
print()
print("truth.json notes on blank pages, rotation and skew (for a human reading; only 'page-NNN "
      "... blank back' sentences are counted):")
for doc, kind, s in mentions:
    print(f"  {doc} [{kind}]: {s}")
print()

# ---------------------------------------------------------------- metadata
print("metadata (scripts/bench-meta.sh --set REALSCANS --data D, the same sohoa run):")
meta = read(os.path.join(scratch, "meta.out")) or ""
sys.stdout.write(meta if meta.endswith("\n") or not meta else meta + "\n")
meta_share = None
mm = re.search(r"^all fields\s+(\d+)/(\d+)", meta, re.M)
if mm:
    meta_share = (int(mm.group(1)), int(mm.group(2)))
elif meta_status != "0":
    print(f"bench-meta.sh failed (exit {meta_status})")
print()

# ---------------------------------------------------------------- summary
def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "NOT MET")


tt = times.get("tesseract")
st = times["sohoa"]
sp_ratio = ratio(st["ppm"], tt["ppm"]) if tess and st and tt else None
summary = []
summary.append(("CER sohoa/tesseract", "<= 0.50x",
                f"{fnum(cer_ratio, '{:.2f}x')} ({pct(cer_tot['sohoa'])} vs "
                f"{pct(cer_tot['tesseract']) if tess else '-'})",
                None if cer_ratio is None else cer_ratio <= 0.5))
summary.append(("word error sohoa/tesseract", "<= 0.70x",
                f"{fnum(wer_ratio, '{:.2f}x')} ({pct(wer_tot['sohoa'])} vs "
                f"{pct(wer_tot['tesseract']) if tess else '-'})",
                None if wer_ratio is None else wer_ratio <= 0.7))
summary.append(("metadata fields exact", ">= 90%",
                f"{meta_share[0]}/{meta_share[1]} {100 * meta_share[0] / meta_share[1]:.1f}%"
                if meta_share and meta_share[1] else "-",
                meta_share[0] >= 0.9 * meta_share[1] if meta_share and meta_share[1] else None))
summary.append(("pages upright", "all",
                f"{upright_ok}/{upright_n}" + (f" ({unknown_pages} pages unknown to sohoa)"
                                               if unknown_pages else "") if upright_known else "-",
                upright_ok == upright_n == npages if upright_known else None))
summary.append(("blank backs flagged", "all",
                f"{blank_hit}/{len(blank_truth)}; {false_blank} text pages flagged blank",
                blank_hit == len(blank_truth) if blank_truth else None))
summary.append(("pages/min sohoa/tesseract", ">= 1.00x",
                f"{fnum(sp_ratio, '{:.2f}x')} ({fnum(st['ppm'] if st else None, '{:.1f}')} vs "
                f"{fnum(tt['ppm'] if tt else None, '{:.1f}')} pages/min)",
                None if sp_ratio is None else sp_ratio >= 1.0))
print("== summary (targets of issue 7)")
print(f"{'target':<28} {'goal':<9} {'measured':<52} result")
for name, goal, val, ok in summary:
    print(f"{name:<28} {goal:<9} {val:<52} {verdict(ok)}")
if tess and st and tt and st["cpu"] and tt["cpu"]:
    print(f"CPU seconds per page: sohoa {st['cpu'] / npages:.2f}, tesseract "
          f"{tt['cpu'] / npages:.2f} (ratio {tt['cpu'] / st['cpu']:.2f}x in sohoa's favour "
          "when > 1)")
print(f"{len(truth_pages)} pages with true text, {npages} pages, {len(truth)} documents: "
      "a small sample, the figures are indicative")
EOF

if ((keep)); then
    echo "scratch: $scratch"
fi
