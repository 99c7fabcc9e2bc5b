#!/usr/bin/env bash
# nightly.sh: unattended overnight runs. Every batch dropped into an inbox
# folder (a folder, or a .zip/.tar/.tar.gz/.tgz/.tar.xz/.tar.bz2/.7z archive)
# is given to `sohoa run`, oldest first, then moved to done/ or failed/, and a
# morning summary is written.
#
# usage: scripts/nightly.sh [--inbox DIR] [--data DIR] [--sohoa PATH] [--min-age MIN]
#                           [--done DIR] [--failed DIR] [--jobs N]
#
#   --inbox DIR    where batches are dropped        (default $SOHOA_INBOX; required)
#   --data DIR     sohoa's data folder              (default $SOHOA_DATA; required)
#   --sohoa PATH   the sohoa program                (default $SOHOA_BIN, else `sohoa`
#                                                    in PATH, else this tree's build/sohoa)
#   --min-age MIN  leave entries modified less than MIN minutes ago: they may still
#                  be copying (default 10; for a folder, its newest file counts)
#   --done DIR     finished batches go here         (default INBOX/../done)
#   --failed DIR   failed batches go here           (default INBOX/../failed)
#   --jobs N       passed to `sohoa run -j N`       (default: sohoa's, all cores)
#
# Left alone in the inbox: dot-files, names ending in .part, .tmp, .crdownload,
# anything that is neither a file nor a folder, and entries younger than --min-age.
# Moved names get a timestamp prefix (20260123-221502-<name>) so they never collide.
#
# What happens to a batch, by `sohoa run`'s exit status:
#   0  all pages done                                   -> done/
#   1  some pages failed or entries were refused        -> done/ (every failed page
#      and refused entry is listed in the summary); but when no page of the batch
#      was done (every page failed, or nothing in it was a page image), or sohoa
#      ended without its summary line (a crash)         -> failed/
#   2  data folder in use by another run                -> left in the inbox, stop
#   2  any other usage error (e.g. not a batch)         -> failed/
#   3  fatal, the batch's fault (no page images, unreadable archive) -> failed/
#   3  fatal, the machine's fault (disk full, model missing, data folder or
#      database unwritable, out of memory)              -> left in the inbox, stop
#   killed (SIGKILL: the OOM killer) or stopped (SIGTERM/SIGINT/SIGHUP to
#      nightly.sh)                                      -> left in the inbox, stop
#   any other crash                                     -> failed/
# A batch moved to failed/ gets <moved name>.reason.txt beside it: the exit code,
# why, and sohoa's error output. To try it again, move it back into the inbox (pages
# already done are not redone). A batch is moved only after sohoa returned; if the
# move fails the batch stays in the inbox, the run stops and the summary says so.
#
# Files (DATA/nightly/):
#   <date>.txt           the summary of the run started that day (also printed);
#                        a second run the same day writes <date>-2.txt, ...
#   latest.txt           symbolic link to the newest summary (a copy where links fail)
#   <date>-<batch>.log   sohoa's full output for that batch
#   nightly.lock         held (flock) while nightly.sh runs: a second nightly.sh
#                        on the same data folder exits 0 at once, saying nothing
# The failed pages and refused entries listed for a batch are those of its own run
# (sohoa's "page failed" and "refused" lines in its log; `sohoa status` lists those
# of the whole data folder).
# A run with nothing to do (empty inbox, or only entries still copying) writes
# no file, prints one line and exits 0.
#
# Exit status: 0 every batch went to done/ with no failed page or refused entry
# (entries still copying do not count), 1 some batch failed or had failed pages or
# refused entries, 2 the run stopped because the data folder was busy or the machine
# is at fault (batches left in the inbox), 3 usage error of nightly.sh itself.
set -uo pipefail

prog=nightly.sh
usage() { sed -n '/^# usage:/,/^#   --jobs/{s/^# \{0,1\}//;p}' "$0"; }
die_usage() { echo "$prog: $*" >&2; echo "run '$0 --help' for usage" >&2; exit 3; }

inbox=${SOHOA_INBOX:-}
data=${SOHOA_DATA:-}
sohoa=${SOHOA_BIN:-}
min_age=10
done_dir=
failed_dir=
jobs=

while [ $# -gt 0 ]; do
  case $1 in
    --inbox|--data|--sohoa|--min-age|--done|--failed|--jobs)
      [ $# -ge 2 ] || die_usage "$1 wants a value"
      case $1 in
        --inbox) inbox=$2 ;; --data) data=$2 ;; --sohoa) sohoa=$2 ;;
        --min-age) min_age=$2 ;; --done) done_dir=$2 ;; --failed) failed_dir=$2 ;;
        --jobs) jobs=$2 ;;
      esac
      shift 2 ;;
    --inbox=*) inbox=${1#*=}; shift ;;
    --data=*) data=${1#*=}; shift ;;
    --sohoa=*) sohoa=${1#*=}; shift ;;
    --min-age=*) min_age=${1#*=}; shift ;;
    --done=*) done_dir=${1#*=}; shift ;;
    --failed=*) failed_dir=${1#*=}; shift ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done

[ -n "$inbox" ] || die_usage "no inbox: give --inbox DIR or set SOHOA_INBOX"
[ -n "$data" ] || die_usage "no data folder: give --data DIR or set SOHOA_DATA"
[ -d "$inbox" ] || die_usage "inbox '$inbox' is not a folder"
case $min_age in ''|*[!0-9]*) die_usage "--min-age wants whole minutes, not '$min_age'" ;; esac
case $jobs in *[!0-9]*|0*) die_usage "--jobs wants a number of workers (1-256), not '$jobs'" ;; esac
[ -z "$jobs" ] || [ "$jobs" -le 256 ] || die_usage "--jobs wants a number of workers (1-256), not '$jobs'"
if [ -z "$sohoa" ]; then
  sohoa=$(command -v sohoa 2>/dev/null) ||
    sohoa="$(cd "$(dirname "$0")/.." && pwd)/build/sohoa"
fi
{ [ -x "$sohoa" ] && [ ! -d "$sohoa" ]; } || die_usage "sohoa program '$sohoa' not found or not executable"
"$sohoa" --version >/dev/null 2>&1 </dev/null || die_usage "'$sohoa --version' failed: is it sohoa?"

inbox=$(cd "$inbox" && pwd -P) || die_usage "cannot enter inbox '$inbox'"
: "${done_dir:=$inbox/../done}"
: "${failed_dir:=$inbox/../failed}"

# The machine must let us write the data folder before anything is tried.
if ! mkdir -p "$data/nightly" 2>/dev/null || ! [ -w "$data/nightly" ]; then
  echo "$prog: cannot write '$data/nightly': the data folder is not writable; nothing done" >&2
  exit 2
fi
data_abs=$(cd "$data" && pwd -P)
nightly="$data_abs/nightly"

# One nightly.sh at a time per data folder: a second one leaves quietly.
exec 9>>"$nightly/nightly.lock" || { echo "$prog: cannot open '$nightly/nightly.lock'" >&2; exit 2; }
flock -n 9
case $? in
  0) ;;
  1) exit 0 ;;
  *) echo "$prog: cannot lock '$nightly/nightly.lock'" >&2; exit 2 ;;
esac

for d in "$done_dir" "$failed_dir"; do
  if ! mkdir -p "$d" 2>/dev/null || ! [ -w "$d" ]; then
    echo "$prog: cannot create or write '$d'; nothing done" >&2
    exit 2
  fi
done
done_dir=$(cd "$done_dir" && pwd -P)
failed_dir=$(cd "$failed_dir" && pwd -P)

# ---------------------------------------------------------------- helpers

now() { date '+%Y-%m-%d %H:%M:%S %z'; }
hms() { # seconds -> M:SS or H:MM:SS
  local s=$1
  if [ "$s" -ge 3600 ]; then printf '%d:%02d:%02d' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
  else printf '%d:%02d' $((s / 60)) $((s % 60)); fi
}
nof() { # nof N SINGULAR [PLURAL]
  if [ "$1" -eq 1 ]; then printf '1 %s' "$2"; else printf '%s %s' "$1" "${3:-$2s}"; fi
}
unique() { # unique BASE EXT -> BASE.EXT, else BASE-2.EXT, BASE-3.EXT, ...
  local p="$1$2" i=2
  while [ -e "$p" ] || [ -L "$p" ]; do p="$1-$i$2"; i=$((i + 1)); done
  printf '%s' "$p"
}
newest_mtime() { # newest modification time (epoch seconds) in a file or folder tree
  if [ -d "$1" ]; then
    find "$1" -printf '%T@\n' 2>/dev/null | sort -n | tail -n 1 | cut -d. -f1
  else
    stat -L -c %Y -- "$1" 2>/dev/null
  fi
}

worst=0
raise() { [ "$1" -gt "$worst" ] && worst=$1; }

started_epoch=$(date +%s)
started=$(now)
day=$(date +%F)
summary=
blocks=()        # one text block per batch, in order
n_done=0 n_done_fail=0 n_failed=0 n_left=0
t_done=0 t_failed=0 t_skipped=0 t_refused=0
stopped=          # why the run stopped early, if it did

block() { blocks+=("$1"); }

write_summary() { # write_summary FINAL(0|1)
  local ended tot f
  [ -n "$summary" ] || summary=$(unique "$nightly/$day" .txt)
  tot=$((n_done + n_failed + n_left))
  {
    echo "sohoa nightly run on $(hostname 2>/dev/null || echo '?')"
    echo "started: $started"
    if [ "$1" = 1 ]; then ended=$(now); echo "ended:   $ended  (took $(hms $(($(date +%s) - started_epoch))))"
    else echo "ended:   (still running)"; fi
    echo "inbox:   $inbox"
    echo "data:    $data_abs"
    echo "done:    $done_dir"
    echo "failed:  $failed_dir"
    echo "sohoa:   $sohoa"
    echo
    if [ -n "$stopped" ]; then echo "STOPPED: $stopped"; echo; fi
    for f in "${blocks[@]}"; do printf '%s\n' "$f"; done
    echo
    echo "totals: $tot batches: $n_done done ($n_done_fail of them with failed pages or refused entries), $n_failed failed, $n_left left in the inbox"
    echo "        pages: $t_done done, $t_failed failed, $t_skipped skipped (done before); $t_refused entries refused"
    if [ "$1" = 1 ]; then
      case $worst in
        0) echo "result: exit 0, every batch tried went to done with all its pages" ;;
        1) echo "result: exit 1, some batch failed or had failed pages or refused entries" ;;
        *) echo "result: exit 2, the run stopped (see STOPPED above)" ;;
      esac
    fi
  } >"$summary.tmp" 2>/dev/null
  if ! mv -f "$summary.tmp" "$summary" 2>/dev/null; then
    echo "$prog: cannot write the summary '$summary'" >&2
    return 1
  fi
  if [ "$1" = 1 ]; then
    ln -sfn "$(basename "$summary")" "$nightly/latest.txt" 2>/dev/null ||
      cp -f "$summary" "$nightly/latest.txt" ||
      echo "$prog: cannot update '$nightly/latest.txt'" >&2
  fi
}

# sohoa's messages in a run log: its "sohoa:" lines, without the progress lines
errors_of() { grep -a '^sohoa: ' "$1" | grep -av -E "^sohoa: ([0-9]+ pages: |failures:$|[0-9]+ of the pages done are blank)"; }
problems_of() { grep -a -E "^sohoa: (page failed|refused|document incomplete) '" "$1" | sed 's/^sohoa: /    /'; }

# 3 is the machine's fault when sohoa could not use the data folder, the models,
# memory or the disk; anything else is blamed on the batch.
machine_fault() { # machine_fault LOG
  local msg
  msg=$(errors_of "$1" | grep -av -E "^sohoa: (page failed|refused|document incomplete) '")
  # what sohoa says about the batch itself is the batch's fault
  printf '%s\n' "$msg" | grep -q -E "^sohoa: (cannot read archive|cannot open batch|batch '.*' holds no page images)" && return 1
  printf '%s\n' "$msg" | grep -qi -E "no space left|disk is full|quota exceeded|tesseract model|cannot start tesseract|tone-mark model|cannot create data folder|cannot lock data folder|cannot open database|cannot set up database|cannot create tables|readonly database|read-only file system|disk i/o error|input/output error|out of memory|cannot start worker threads|cannot write '|no fts5|database error|database is locked" && return 0
  # a message naming the data folder (and not the batch) is about the data folder
  local d
  for d in "${data%/}" "$data_abs"; do
    printf '%s\n' "$msg" | grep -qF -e "'$d/" -e "'$d'" && return 0
  done
  return 1
}

move_batch() { # move_batch PATH DESTDIR -> prints the new path; 1 on failure
  local name dest
  name=$(basename "$1")
  dest=$(unique "$2/$(date +%Y%m%d-%H%M%S)-$name" "")
  if mv -T -- "$1" "$dest" 2>"$tmpd/mv.err" && [ -e "$dest" ] && ! [ -e "$1" ]; then
    printf '%s' "$dest"
    return 0
  fi
  return 1
}

# ---------------------------------------------------------------- signals

interrupted=
child=
# shellcheck disable=SC2317  # called by the traps below
on_signal() {
  interrupted=$1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT
trap 'on_signal HUP' HUP
tmpd=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-nightly.XXXXXX") || { echo "$prog: cannot make a temporary folder" >&2; exit 2; }
trap 'rm -rf "$tmpd"' EXIT

# ---------------------------------------------------------------- the inbox

now_epoch=$(date +%s)
: >"$tmpd/list"
left_young=()    # "name<TAB>why" of entries left alone
while IFS= read -r -d '' path; do
  name=${path##*/}
  case $name in
    .*) continue ;;
    *$'\n'*) left_young+=("$(printf '%q' "$name")	name holds a line break: rename it"); continue ;;
    *.part|*.tmp|*.crdownload) left_young+=("$name	partial download name: still copying"); continue ;;
  esac
  real=$(cd "$path" 2>/dev/null && pwd -P) || real=
  if [ -n "$real" ] && { [ "$real" = "$done_dir" ] || [ "$real" = "$failed_dir" ] || [ "$real" = "$data_abs" ]; }; then
    continue
  fi
  if ! [ -d "$path" ] && ! [ -f "$path" ]; then
    left_young+=("$name	neither a file nor a folder"); continue
  fi
  m=$(newest_mtime "$path")
  [ -n "$m" ] || m=$now_epoch
  age=$(((now_epoch - m) / 60))
  if [ $((now_epoch - m)) -lt $((min_age * 60)) ]; then
    left_young+=("$name	modified $age min ago, less than --min-age $min_age: may still be copying")
    continue
  fi
  printf '%s\t%s\0' "$m" "$name" >>"$tmpd/list"
done < <(find "$inbox" -mindepth 1 -maxdepth 1 -print0)

batches=()
while IFS= read -r -d '' line; do batches+=("${line#*	}"); done < <(sort -z -n -k1,1 "$tmpd/list")

if [ ${#batches[@]} -eq 0 ]; then
  msg="$prog: nothing to do in $inbox"
  [ ${#left_young[@]} -gt 0 ] && msg="$msg ($(nof ${#left_young[@]} entry entries) left alone: ${left_young[*]%%	*})"
  echo "$msg"
  exit 0
fi

# ---------------------------------------------------------------- the runs

write_summary 0 || { echo "$prog: the data folder is not writable; nothing done" >&2; exit 2; }

i=0
for name in "${batches[@]}"; do
  i=$((i + 1))
  path="$inbox/$name"
  if [ -n "$interrupted" ] && [ -z "$stopped" ]; then
    stopped="nightly.sh was stopped (SIG$interrupted); the batches not yet tried are left in the inbox"
    raise 2
  fi
  if [ -n "$stopped" ]; then
    block "left    $name
        not tried: the run stopped"
    n_left=$((n_left + 1))
    continue
  fi
  if ! [ -e "$path" ]; then
    block "left    $name
        gone from the inbox before its turn (moved away by someone?)"
    n_left=$((n_left + 1))
    continue
  fi
  log=$(unique "$nightly/$day-$name" .log)
  t0=$(date +%s)
  cmd=("$sohoa" --data "$data_abs" run)
  [ -n "$jobs" ] && cmd+=(-j "$jobs")
  cmd+=("$path")
  if ! printf '# %s nightly.sh: %s\n' "$(now)" "${cmd[*]}" >"$log" 2>/dev/null; then
    stopped="cannot write the run log '$log': the machine is at fault (disk full or data folder unwritable); $name is left in the inbox"
    block "left    $name
        not tried: cannot write its log"
    n_left=$((n_left + 1))
    raise 2
    continue
  fi
  "${cmd[@]}" </dev/null >>"$log" 2>&1 &
  child=$!
  while :; do
    wait "$child"
    rc=$?
    if [ -n "$interrupted" ] && kill -0 "$child" 2>/dev/null; then continue; fi
    break
  done
  child=
  secs=$(($(date +%s) - t0))
  printf '# %s nightly.sh: sohoa exited %d after %s\n' "$(now)" "$rc" "$(hms "$secs")" >>"$log"

  # counts from sohoa's summary line
  total=0 pdone=0 pfail=0 pskip=0 refused=0 have_counts=
  sl=$(grep -a -E '^sohoa: [0-9]+ pages: [0-9]+ done, [0-9]+ failed, [0-9]+ already done; [0-9]+ entries refused' "$log" | tail -n 1)
  if [ -n "$sl" ]; then
    read -r total pdone pfail pskip refused <<<"$(sed -E 's/^sohoa: ([0-9]+) pages: ([0-9]+) done, ([0-9]+) failed, ([0-9]+) already done; ([0-9]+) entries refused.*/\1 \2 \3 \4 \5/' <<<"$sl")"
    have_counts=1
  else
    st=$(grep -a -E '^sohoa: stopped after [0-9]+ pages done, [0-9]+ failed' "$log" | tail -n 1)
    [ -n "$st" ] && read -r pdone pfail <<<"$(sed -E 's/^sohoa: stopped after ([0-9]+) pages done, ([0-9]+) failed.*/\1 \2/' <<<"$st")"
    tl=$(grep -a -E '^[^ ]+ batch .*: [0-9]+ pages to look at$' "$log" | tail -n 1)
    [ -n "$tl" ] && total=$(sed -E 's/.*: ([0-9]+) pages to look at$/\1/' <<<"$tl")
    refused=$(grep -a -c "^sohoa: refused '" "$log")
  fi
  counts="pages: $total in the batch, $pdone done, $pfail failed, $pskip skipped (done before); $refused entries refused; took $(hms "$secs")"
  [ -n "$have_counts" ] || [ $((total + pdone + pfail + refused)) -gt 0 ] || counts="took $(hms "$secs")"
  err=$(errors_of "$log" | grep -av -E "^sohoa: (page failed|refused|document incomplete) '" | sed 's/^sohoa: //' | tr '\n' ' ' | sed 's/ $//')

  # decide
  dest=to_failed why=
  case $rc in
    0) dest=to_done ;;
    1) if [ -z "$have_counts" ]; then why="sohoa exit 1 without its summary (a crash?)"
       elif [ $((pdone + pskip)) -eq 0 ]; then why="no page of the batch could be done"
       else dest=to_done; fi ;;
    2) if grep -aq "is in use by another run" "$log"; then
         dest=left
         stopped="the data folder is in use by another run: ${err:-sohoa exit 2}; $name and the batches after it are left in the inbox"
       elif ! [ -e "$path" ]; then
         dest=gone
       else why="sohoa exit 2 (usage error): $err"; fi ;;
    3) if machine_fault "$log"; then
         dest=left
         stopped="the machine is at fault, not the batch: $err; $name and the batches after it are left in the inbox, fix the machine and run again"
       else why="sohoa exit 3: $err"; fi ;;
    *) if [ -n "$interrupted" ]; then
         dest=left
         stopped="nightly.sh was stopped (SIG$interrupted) while sohoa ran $name; it is left in the inbox and continues where it stopped next time"
       elif [ "$rc" -eq 137 ]; then
         dest=left
         stopped="sohoa was killed (SIGKILL: out of memory?) while running $name; it is left in the inbox"
       else
         why="sohoa crashed (exit $rc${err:+: $err})"
         [ "$rc" -gt 128 ] && why="sohoa crashed (signal $((rc - 128))${err:+: $err})"
       fi ;;
  esac
  [ -n "$interrupted" ] && [ "$dest" != left ] && [ -z "$stopped" ] &&
    stopped="nightly.sh was stopped (SIG$interrupted); the batches after $name are left in the inbox"

  probs=$(problems_of "$log")
  case $dest in
    to_done)
      if newpath=$(move_batch "$path" "$done_dir"); then
        n_done=$((n_done + 1))
        res="done    $name"
        if [ "$pfail" -gt 0 ] || [ "$refused" -gt 0 ]; then
          n_done_fail=$((n_done_fail + 1)); raise 1
          res="$res  (with $(nof "$pfail" "failed page") and $(nof "$refused" "refused entry" "refused entries"))"
        fi
        res="$res
        $counts
        moved to $newpath"
      else
        n_left=$((n_left + 1))
        res="left    $name  (processed, but could not be moved: $(tr '\n' ' ' <"$tmpd/mv.err"))
        $counts"
        stopped="cannot move $name to $done_dir: the machine is at fault; it stays in the inbox (its pages are done and will not be redone)"
        raise 2
      fi ;;
    to_failed)
      raise 1
      if newpath=$(move_batch "$path" "$failed_dir"); then
        n_failed=$((n_failed + 1))
        res="failed  $name  ($why)
        $counts
        moved to $newpath
        reason in $newpath.reason.txt"
        {
          echo "batch:     $name"
          echo "from:      $path"
          echo "moved to:  $newpath"
          echo "when:      $(now)"
          echo "command:   ${cmd[*]}"
          echo "exit code: $rc"
          echo "why:       $why"
          echo "log:       $log"
          echo
          echo "sohoa's error output:"
          grep -av -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]* (page |document done |batch )|^# ' "$log"
          echo
          echo "To try it again, move it back into the inbox: $inbox"
        } >"$newpath.reason.txt" 2>/dev/null ||
          res="$res
        (could not write the reason file: see the log)"
      else
        n_left=$((n_left + 1))
        res="left    $name  ($why; could not be moved to $failed_dir: $(tr '\n' ' ' <"$tmpd/mv.err"))
        $counts"
        stopped="cannot move $name to $failed_dir: the machine is at fault; it stays in the inbox"
        raise 2
      fi ;;
    gone)
      raise 1
      n_left=$((n_left + 1))
      res="left    $name  (gone from the inbox while sohoa ran: ${err:-sohoa exit 2})" ;;
    left)
      raise 2
      n_left=$((n_left + 1))
      res="left    $name  (${err:-sohoa exit $rc})"
      [ $((pdone + pfail + pskip)) -gt 0 ] && res="$res
        $counts" ;;
  esac
  res="$res
        log $log"
  [ -n "$probs" ] && res="$res
$probs"
  block "$res"
  t_done=$((t_done + pdone)); t_failed=$((t_failed + pfail))
  t_skipped=$((t_skipped + pskip)); t_refused=$((t_refused + refused))
  [ -n "$interrupted" ] && raise 2
  write_summary 0
done

for e in "${left_young[@]}"; do
  n_left=$((n_left + 1))
  block "left    ${e%%	*}
        ${e#*	}"
done

write_summary 1
cat "$summary"
# one line on stderr when something needs a look (cron mails it)
case $worst in
  1) echo "$prog: $n_failed failed, $n_done_fail done with failed pages or refused entries; see $summary" >&2 ;;
  2) echo "$prog: STOPPED: $stopped; see $summary" >&2 ;;
esac
exit "$worst"
