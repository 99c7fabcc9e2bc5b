#!/bin/bash
# make-bigrams.sh - build ocr/data/vi-bigrams.tsv, the syllable unigram and
# bigram counts used by ocr/tone.c to correct tone marks in OCR output.
#
# Maintainer script, not run by the build: the generated table is committed.
# Needs apt-get (with a current package list), dpkg-deb and python3.
#
# Sources: ONLY Vietnamese text shipped in Debian packages (never test pages
# or the corpus). The packages are fetched with `apt-get download` (nothing is
# installed) and unpacked with `dpkg -x` into a temporary folder.
#
# Used for the committed table (Debian 12 "bookworm", versions as fetched):
#   libreoffice-help-vi   4:7.4.7-1+deb12u14   MPL-2.0 (help pages, HTML)
#   libreoffice-l10n-vi   4:7.4.7-1+deb12u14   MPL-2.0 (UI strings, .mo)
#   manpages-vi           4.18.1-1             GPL-3+  (man pages)
#   maint-guide-vi        1.2.53               GPL-2+ / MIT (HTML guide)
#   firefox-esr-l10n-vi   153.7.0esr-1~deb12u1 MPL-2.0 (.ftl/.properties/.dtd)
#   thunderbird-l10n-vi   1:153.7.0esr-1~deb12u1 MPL-2.0
#   debian-handbook       11.20220922          GPL-2+ / CC-BY-SA-3.0 (vi-VN HTML only)
#   gnome-user-docs       43.0-2               CC-BY-3.0 (help/vi Mallard pages only)
#   hunspell-vi           1:7.5.0-1            GPL-2+/LGPL (syllable list
#                                              vi_VN.dic: the only syllables kept)
#   and the Vietnamese gettext catalogues (usr/share/locale/vi/*.mo) of the
#   MO_PACKAGES below (coreutils, bash, dpkg, apt, tar, git, glib, gtk2, ...;
#   GPL-2+/GPL-3+/LGPL-2.1+); their exact versions are listed in the table's
#   header line "from Debian packages:".
# The table holds counts only (no text), derived from those works.
#
# Output format (UTF-8, NFC, lowercase; '#' lines are comments):
#   <syllable>TAB<count>              unigram count
#   <syllable> <syllable>TAB<count>   bigram count: the two syllables were
#                                     adjacent, separated only by spaces,
#                                     in one phrase (no punctuation, digit,
#                                     tag or line break between them)
# Only syllables listed in hunspell-vi's vi_VN.dic are counted; a word that is
# not a Vietnamese syllable (English, code) breaks the chain like punctuation.
# Unigrams with count < MIN_UNI and bigrams with count < MIN_BI are dropped.
#
# Usage: scripts/make-bigrams.sh [OUTPUT]   (default ocr/data/vi-bigrams.tsv)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/ocr/data/vi-bigrams.tsv}
MIN_UNI=${MIN_UNI:-2}
MIN_BI=${MIN_BI:-2}

TEXT_PACKAGES="libreoffice-help-vi libreoffice-l10n-vi manpages-vi maint-guide-vi
firefox-esr-l10n-vi thunderbird-l10n-vi hunspell-vi debian-handbook gnome-user-docs"
# packages whose Vietnamese gettext catalogues add everyday UI prose
MO_PACKAGES="coreutils bash dpkg apt libapt-pkg6.0 tar findutils diffutils grep
sed wget make gettext gettext-base binutils-common libc-l10n login procps psmisc
libglib2.0-data libgtk2.0-common git adduser xz-utils man-db shared-mime-info
libgstreamer1.0-0 libgnutls30 packagekit"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/deb" "$tmp/x"
(cd "$tmp/deb" && apt-get download $TEXT_PACKAGES $MO_PACKAGES >/dev/null)
for f in "$tmp"/deb/*.deb; do
    dpkg-deb -x "$f" "$tmp/x"
done
# record what was used
(cd "$tmp/deb" && ls *.deb) > "$tmp/used.txt"

mkdir -p "$(dirname "$out")"
python3 - "$tmp/x" "$out" "$MIN_UNI" "$MIN_BI" "$tmp/used.txt" <<'PY'
import gettext, gzip, html, io, os, re, sys, unicodedata, zipfile
from collections import Counter

root, out, min_uni, min_bi, used = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

dic = os.path.join(root, "usr/share/hunspell/vi_VN.dic")
valid = set()
with open(dic, encoding="utf-8") as f:
    next(f)  # count line
    for line in f:
        w = unicodedata.normalize("NFC", line.split("/")[0].strip())
        if w and w == w.lower() and w.isalpha():
            valid.add(w)

uni, bi = Counter(), Counter()
WORD = re.compile(r"[^\W\d_]+|[^\s]", re.UNICODE)

def count_text(text):
    text = unicodedata.normalize("NFC", text).lower()
    for line in text.split("\n"):
        prev = None
        for tok in WORD.findall(line):
            if tok in valid:
                uni[tok] += 1
                if prev is not None:
                    bi[(prev, tok)] += 1
                prev = tok
            else:
                prev = None

TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.S | re.I)

def from_html(data):
    t = data.decode("utf-8", "replace")
    t = TAG.sub("\n", t)
    return html.unescape(t)

def from_man(data):
    lines = []
    for l in data.decode("utf-8", "replace").split("\n"):
        if l.startswith((".", "'")):
            # keep the text of .B/.I/.SH etc. as its own phrase
            m = re.match(r"[.'](?:B|I|BI|IB|BR|RB|IR|RI|SH|SS|TP|IP)\s+(.*)", l)
            lines.append("\n" + (m.group(1).replace('"', "") if m else "") + "\n")
            continue
        l = re.sub(r"\\f[BIRP]|\\f\(..|\\\(..|\\[-&e]|\\", " ", l)
        lines.append(l)
    # man text lines wrap inside sentences: join them
    return " ".join(lines)

def from_mo(data):
    try:
        cat = gettext.GNUTranslations(io.BytesIO(data))._catalog
    except Exception:
        return ""
    parts = []
    for k, v in cat.items():
        if k == "" or k == ("", 0):
            continue
        parts.append(v)
    return "\n".join(parts)

def from_l10n(name, data):
    t = data.decode("utf-8", "replace")
    if name.endswith(".dtd"):
        return "\n".join(re.findall(r'"([^"]*)"', t))
    lines = []
    for l in t.split("\n"):
        if l.lstrip().startswith("#"):
            continue
        if "=" in l:
            l = l.split("=", 1)[1]
        lines.append(re.sub(r"\{[^}]*\}|<[^>]*>", "\n", l))
    return "\n".join(lines)

nfiles = 0
for dirpath, _, files in os.walk(root):
    for fn in files:
        p = os.path.join(dirpath, fn)
        if os.path.islink(p):
            continue
        with open(p, "rb") as f:
            data = f.read()
        text = ""
        if fn.endswith((".html", ".xhtml", ".htm", ".page")):
            if "/vi/" in p or "/vi-VN/" in p or ".vi." in fn:
                text = from_html(data)
        elif fn.endswith(".mo") and "/vi/" in p:
            text = from_mo(data)
        elif "/man/vi/" in p and fn.endswith(".gz"):
            text = from_man(gzip.decompress(data))
        elif fn.endswith(".xpi"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for n in z.namelist():
                    if n.endswith((".ftl", ".properties", ".dtd")):
                        count_text(from_l10n(n, z.read(n)))
                        nfiles += 1
            continue
        if text:
            count_text(text)
            nfiles += 1

with open(used) as f:
    debs = [l.strip() for l in f if l.strip()]
ntok = sum(uni.values())
with open(out, "w", encoding="utf-8") as f:
    f.write("# vi-bigrams.tsv - Vietnamese syllable unigram and bigram counts for ocr/tone.c\n")
    f.write("# generated by scripts/make-bigrams.sh; do not edit. NFC, lowercase.\n")
    f.write("# lines: 'SYL<TAB>COUNT' (unigram) or 'SYL SYL<TAB>COUNT' (adjacent pair)\n")
    f.write(f"# {nfiles} text files, {ntok} syllable tokens; pruned: unigram < {min_uni}, bigram < {min_bi}\n")
    f.write("# from Debian packages: " + " ".join(debs) + "\n")
    for w, c in sorted(uni.items(), key=lambda x: (-x[1], x[0])):
        if c >= min_uni:
            f.write(f"{w}\t{c}\n")
    for (a, b), c in sorted(bi.items(), key=lambda x: (-x[1], x[0])):
        if c >= min_bi and uni[a] >= min_uni and uni[b] >= min_uni:
            f.write(f"{a} {b}\t{c}\n")
print(f"{out}: {nfiles} files, {ntok} tokens, {len(uni)} syllables, {len(bi)} pairs",
      file=sys.stderr)
PY
ls -l "$out"
