#!/usr/bin/env bash
# bench-meta.sh - measure the metadata sohoa extracts (number, notation, date,
# type, issuing body, subject, signer, secrecy, urgency, place) against the
# truth of a test corpus, field by field, exactly.
#
# usage: scripts/bench-meta.sh [options]
#
#   --levels L1,L2 quality levels of the corpus to run (default: every one of
#                  clean, scan, poor that is present)
#   --set DIR      corpus to run on (default: <repo>/../shared/corpus). DIR is
#                  one of:
#                    DIR/batches/{clean,scan,poor}/<doc>/page-NNN.* with
#                      DIR/truth.json (the level corpus: one run per level);
#                    DIR/batches/<dossier>/<doc>/page-NNN.* (or <doc>.tif)
#                      with DIR/docs/truth.json or DIR/truth.json, run as one
#                      batch as it lies (e.g. ../shared/corpus-varied);
#                    DIR/batch/<doc>/page-NNN.* with DIR/truth.json, each
#                      <doc> one document of a dossier named after DIR
#                      (e.g. ../shared/realscans)
#   -j, --jobs N   parallel jobs for `sohoa run` (default: nproc)
#   --data D       do not run sohoa: read the metadata from the data folder D
#                  of an earlier `sohoa run` on the pages of --set (a single
#                  batch; not with a level corpus). Used by bench-real.sh
#   --keep         keep the scratch directory (batches, data folders, the
#                  `show --json` answers) and print its path
#   -h, --help     show this help
#
# Environment: SOHOA_BIN overrides build/sohoa (built with scripts/build.sh
# when missing); a copy of it is run, so a rebuild meanwhile does not matter.
#
# For each level the pages are copied into a scratch batch laid out as
# BATCH/<dossier>/<doc>/page-NNN.* (dossier "bench" for a level), OCRed with
# `sohoa --data D run -q -j N BATCH` into a fresh data folder, and for every
# document of truth.json `sohoa --data D show <id> --json` is compared with the
# truth. Values are compared after Unicode NFC and collapsing whitespace runs
# to one space, nothing else (no case folding; Ð U+00D0 is not Đ U+0110):
#   number, notation  truth `number` before / after the first '/'
#   date, type        truth `date`, `type`
#   agency            `parent_agency + " " + agency` vs the truth `agency`
#                     lines joined with a space
#   subject           truth `subject_vv` (a công văn's "V/v ..." line as
#                     printed) or else `title`, without enclosing parentheses
#   signer_name       truth `signer`;  signer_title: truth `signer_title`
#   secrecy, urgency  truth `secret`, `urgency` (null when absent)
#   place             truth `place_date` before ", ngày"
# A field that is null in both counts as right; a document sohoa does not
# know counts as all fields null.
#
# Output (stdout): one table, fields x levels, of "right/compared" and the
# percentage, with an "all fields" row (and an "all" column over the levels);
# per level, how the fields flagged for review (`review` in show --json)
# match the wrong ones; then every mismatch, grouped by field: level,
# document, the expected and the extracted value, with a hint (case only,
# marks only, missing, spurious, extra text, truncated, has U+00D0). Progress goes to stderr. Exit status 0 whatever
# the accuracy (2 on usage errors): this measures, it asserts nothing.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$script_dir/.." && pwd -P)

usage() {
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

log() { printf 'bench-meta: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---------------------------------------------------------------- options
set_dir=""
levels_opt=""
keep=0
jobs=$(nproc)
data_opt=""

while (($# > 0)); do
    case $1 in
        --levels)
            (($# >= 2)) || die "--levels needs a list, e.g. clean,poor"
            levels_opt=$2; shift 2 ;;
        --levels=*)
            levels_opt=${1#--levels=}; shift ;;
        --set)
            (($# >= 2)) || die "--set needs a directory"
            set_dir=$2; shift 2 ;;
        --set=*)
            set_dir=${1#--set=}; shift ;;
        -j | --jobs)
            (($# >= 2)) || die "$1 needs a number"
            jobs=$2; shift 2 ;;
        --jobs=*)
            jobs=${1#--jobs=}; shift ;;
        --data)
            (($# >= 2)) || die "--data needs a directory"
            data_opt=$2; shift 2 ;;
        --data=*)
            data_opt=${1#--data=}; shift ;;
        --keep)
            keep=1; shift ;;
        -h | --help)
            usage; exit 0 ;;
        *)
            usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad job count '$jobs'"

set_dir=${set_dir:-$repo/../shared/corpus}
[[ -d $set_dir ]] || die "no such directory: $set_dir"
set_dir=$(cd -- "$set_dir" && pwd -P)
set_name=${set_dir##*/}

# level_names[i], level_srcs[i], level_layouts[i] and level_truths[i]: what
# to run on. Layout "docs": SRC/<doc>/page-*, put under one dossier;
# "dossiers": SRC/<dossier>/..., copied as it is.
level_names=()
level_srcs=()
level_layouts=()
level_truths=()
if [[ -d $set_dir/batches/clean || -d $set_dir/batches/scan || -d $set_dir/batches/poor ]]; then
    truth=$set_dir/truth.json
    [[ -f $truth ]] || die "no truth file $truth"
    IFS=, read -r -a wanted <<<"${levels_opt:-clean,scan,poor}"
    for l in "${wanted[@]}"; do
        case $l in
            clean | scan | poor) ;;
            *) die "unknown level '$l' (clean, scan or poor)" ;;
        esac
        if [[ -d $set_dir/batches/$l ]]; then
            level_names+=("$l")
            level_srcs+=("$set_dir/batches/$l")
            level_layouts+=(docs)
            level_truths+=("$truth")
        elif [[ -n $levels_opt ]]; then
            die "no level directory $set_dir/batches/$l"
        else
            log "warning: no level directory $set_dir/batches/$l, skipped"
        fi
    done
    ((${#level_names[@]} > 0)) || die "no level to run"
else
    [[ -z $levels_opt ]] || die "--levels: $set_dir has no batches/{clean,scan,poor}"
    if [[ -d $set_dir/batches ]]; then
        level_srcs+=("$set_dir/batches")
        level_layouts+=(dossiers)
    elif [[ -d $set_dir/batch ]]; then
        level_srcs+=("$set_dir/batch")
        level_layouts+=(docs)
    else
        die "$set_dir has neither batches/ nor batch/"
    fi
    truth=""
    for t in "$set_dir/docs/truth.json" "$set_dir/truth.json"; do
        if [[ -f $t ]]; then truth=$t; break; fi
    done
    [[ -n $truth ]] || die "no truth.json in $set_dir or $set_dir/docs"
    level_names+=("$set_name")
    level_truths+=("$truth")
fi
if [[ -n $data_opt ]]; then
    if ((${#level_names[@]} != 1)) || [[ ${level_names[0]} != "$set_name" ]]; then
        die "--data: $set_dir is a level corpus (one run per level)"
    fi
    [[ -f $data_opt/sohoa.db ]] || die "--data: no sohoa.db in $data_opt"
    data_opt=$(cd -- "$data_opt" && pwd -P)
fi

command -v python3 >/dev/null || die "python3 is needed"

# ---------------------------------------------------------------- scratch
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-meta.XXXXXX")
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

# ---------------------------------------------------------------- binary
# shellcheck source=scripts/lib-bench.sh
. "$script_dir/lib-bench.sh"
bench_sohoa "$scratch"

# ---------------------------------------------------------------- per level
# make_batch SRC LAYOUT DOSSIER BATCH: copies the pages of SRC into BATCH.
make_batch() {
    local src=$1 layout=$2 dossier=$3 batch=$4 d doc f n=0
    mkdir -p "$batch"
    shopt -s nullglob
    if [[ $layout == dossiers ]]; then
        for d in "$src"/*/; do
            cp -R -- "${d%/}" "$batch/"
            n=$((n + 1))
        done
    else
        for d in "$src"/*/; do
            d=${d%/}
            doc=${d##*/}
            for f in "$d"/page-*; do
                case ${f,,} in
                    *.jpg | *.jpeg | *.png | *.tif | *.tiff) ;;
                    *) continue ;;
                esac
                mkdir -p "$batch/$dossier/$doc"
                cp -- "$f" "$batch/$dossier/$doc/"
            done
            [[ -d $batch/$dossier/$doc ]] && n=$((n + 1))
        done
    fi
    shopt -u nullglob
    ((n > 0)) || die "nothing to run under $src"
}

# bench_level NAME SRC LAYOUT TRUTH: runs sohoa on SRC and saves the
# `show --json` answer of every truth document in $scratch/NAME/show/<id>.json.
bench_level() {
    local name=$1 src=$2 layout=$3 truth=$4 work=$scratch/$1 dossier id rc=0 t0 nshow=0
    local data=${data_opt:-$work/data}
    dossier=bench
    [[ $name == "$set_name" ]] && dossier=$set_name
    mkdir -p "$work/show"
    if [[ -n $data_opt ]]; then
        log "$name: reading the metadata from $data_opt (no run)"
    else
        make_batch "$src" "$layout" "$dossier" "$work/batch"
        log "$name: sohoa run -j $jobs on $src (scratch $work)"
        t0=$SECONDS
        "$sohoa" --data "$data" run -q -j "$jobs" "$work/batch" \
            >"$work/run.log" 2>&1 || rc=$?
        if ((rc != 0)); then
            log "$name: sohoa run exited with status $rc, see $work/run.log"
            tail -n 5 "$work/run.log" >&2 || true
        fi
        log "$name: run took $((SECONDS - t0)) s; reading the metadata"
    fi
    while IFS= read -r id; do
        if "$sohoa" --data "$data" show "$id" --json \
            >"$work/show/$id.json" 2>>"$work/show.log"; then
            nshow=$((nshow + 1))
        else
            log "$name: no metadata for $id (sohoa show failed)"
            rm -f -- "$work/show/$id.json"
        fi
    done < <(python3 -c 'import json, sys
for d in json.load(open(sys.argv[1])): print(d["id"])' "$truth")
    log "$name: $nshow documents read"
}

args=()
for i in "${!level_names[@]}"; do
    bench_level "${level_names[$i]}" "${level_srcs[$i]}" "${level_layouts[$i]}" "${level_truths[$i]}"
    args+=("${level_names[$i]}" "${level_truths[$i]}" "$scratch/${level_names[$i]}/show")
done

# ---------------------------------------------------------------- compare
python3 - "${args[@]}" <<'EOF'
import json, os, sys, unicodedata

FIELDS = ["number", "notation", "date", "type", "agency", "subject",
          "signer_name", "signer_title", "secrecy", "urgency", "place"]
# show --json keys that a field's review flag / confidence may be under
KEYS = {f: [f] for f in FIELDS}
KEYS["agency"] = ["agency", "parent_agency"]


def norm(s):
    if s is None:
        return None
    s = " ".join(unicodedata.normalize("NFC", str(s)).split())
    return s or None


def strip_marks(s):
    d = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in d if not unicodedata.combining(c))


def expected(t):
    num = t.get("number")
    number = notation = None
    if num:
        number, sep, rest = num.partition("/")
        notation = rest if sep else None
    # a công văn's subject is kept as printed, "V/v ..." (the corpus-varied
    # truth has it as subject_vv, realscans in title)
    title = norm(t.get("subject_vv") or t.get("title"))
    if title:
        if title.startswith("(") and title.endswith(")"):
            title = title[1:-1]
    pd = t.get("place_date")
    agency = t.get("agency")
    return {
        "number": number, "notation": notation,
        "date": t.get("date"), "type": t.get("type"),
        "agency": " ".join(agency) if agency else None,
        "subject": title,
        "signer_name": t.get("signer"), "signer_title": t.get("signer_title"),
        "secrecy": t.get("secret"), "urgency": t.get("urgency"),
        "place": pd.split(", ngày")[0] if pd else None,
    }


def got(m):
    if m is None:
        return {f: None for f in FIELDS}
    g = {f: m.get(f) for f in FIELDS}
    g["agency"] = " ".join(x for x in (m.get("parent_agency"), m.get("agency")) if x) or None
    return g


def hint(e, g):
    if g is None:
        return "missing"
    if e is None:
        return "spurious"
    notes = []
    if "\u00d0" in g:
        notes.append("has Ð U+00D0")
    if e.casefold() == g.casefold():
        notes.append("case only")
    elif strip_marks(e).casefold() == strip_marks(g).casefold():
        notes.append("marks only")
    elif e in g:
        notes.append("extra text")
    elif g in e:
        notes.append("truncated")
    return ", ".join(notes)


args = sys.argv[1:]
levels = []          # (name, results, review stats)
mismatches = []
for i in range(0, len(args), 3):
    name, truth_path, show_dir = args[i:i + 3]
    truth = json.load(open(truth_path, encoding="utf-8"))
    res = {f: [0, 0] for f in FIELDS}
    rv = dict(docs=0, unknown=0, flagged_all=0, flagged=0, flagged_wrong=0,
              wrong=0, missing=0, bad_unflagged=0, conf_right=[], conf_wrong=[])
    for t in truth:
        p = os.path.join(show_dir, t["id"] + ".json")
        m = None
        if os.path.exists(p):
            try:
                m = json.load(open(p, encoding="utf-8"))
            except ValueError:
                m = None
        rv["docs"] += 1
        if m is None:
            rv["unknown"] += 1
        exp, out = expected(t), got(m)
        review = set((m or {}).get("review") or [])
        conf = (m or {}).get("confidence") or {}
        rv["flagged_all"] += len(review)
        for f in FIELDS:
            e, g = norm(exp[f]), norm(out[f])
            ok = e == g
            res[f][1] += 1
            res[f][0] += ok
            flagged = any(k in review for k in KEYS[f])
            cs = [conf[k] for k in KEYS[f] if isinstance(conf.get(k), (int, float))]
            if g is not None and cs:
                rv["conf_right" if ok else "conf_wrong"].append(min(cs))
            rv["flagged"] += flagged
            if not ok:
                rv["wrong"] += 1
                rv["flagged_wrong"] += flagged
                if g is None:
                    rv["missing"] += 1
                else:
                    rv["bad_unflagged"] += not flagged
                mismatches.append((name, t["id"], f, e, g, flagged,
                                   "no document" if m is None else hint(e, g)))
    levels.append((name, res, rv))


def cell(k, n):
    return f"{k}/{n} {100.0 * k / n:5.1f}%" if n else "-"


names = [l[0] for l in levels]
cols = names + (["all"] if len(levels) > 1 else [])
w = max([15] + [len(c) for c in cols])
print(f"{'field':<14}" + "".join(f" {c:>{w}}" for c in cols))
rows = FIELDS + ["all fields"]
for f in rows:
    cells = []
    tk = tn = 0
    for _, res, _ in levels:
        if f == "all fields":
            k = sum(v[0] for v in res.values()); n = sum(v[1] for v in res.values())
        else:
            k, n = res[f]
        tk += k; tn += n
        cells.append(cell(k, n))
    if len(levels) > 1:
        cells.append(cell(tk, tn))
    print(f"{f:<14}" + "".join(f" {c:>{w}}" for c in cells))
print("exact match after NFC and whitespace collapsing; null in both counts as right")
for name, _, rv in levels:
    if rv["unknown"]:
        print(f"{name}: {rv['unknown']} of {rv['docs']} documents unknown to sohoa (all fields null)")

print()
print("review flags (compared fields; `agency` is flagged when agency or parent_agency is):")
lw = max([13] + [len(n) for n in names])
print(f"{'level':<{lw}} {'flagged':>7} {'flag+wrong':>10} {'flag+right':>10} {'wrong':>5} "
      f"{'missing':>7} {'bad value':>9} {'bad,unflagged':>13} {'conf right':>10} "
      f"{'conf bad':>8} {'all flags':>9}")
for name, _, rv in levels:
    def mean(v):
        return f"{sum(v) / len(v):.2f}" if v else "-"
    bad = rv["wrong"] - rv["missing"]
    print(f"{name:<{lw}} {rv['flagged']:>7} {rv['flagged_wrong']:>10} "
          f"{rv['flagged'] - rv['flagged_wrong']:>10} {rv['wrong']:>5} {rv['missing']:>7} "
          f"{bad:>9} {rv['bad_unflagged']:>13} {mean(rv['conf_right']):>10} "
          f"{mean(rv['conf_wrong']):>8} {rv['flagged_all']:>9}")
print("flagged = compared fields in `review`; wrong = missing (null, expected a value) +"
      " bad value (a value that is not the truth); bad,unflagged = bad values not in `review`;"
      " conf = mean confidence of the right / bad values; all flags = every entry of `review`")

print()
if not mismatches:
    print("no mismatches")
else:
    print(f"mismatches ({len(mismatches)}), by field: level document [flagged] (hint)")
    for f in FIELDS:
        ms = [m for m in mismatches if m[2] == f]
        if not ms:
            continue
        print(f"-- {f} ({len(ms)})")
        for name, doc, _, e, g, flagged, h in ms:
            extra = (" [flagged]" if flagged else "") + (f" ({h})" if h else "")
            print(f"{name} {doc}{extra}")
            print(f"    expected: {json.dumps(e, ensure_ascii=False)}")
            print(f"    got:      {json.dumps(g, ensure_ascii=False)}")
EOF

if ((keep)); then
    echo "scratch: $scratch"
fi
