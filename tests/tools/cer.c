/*
 * cer - character (or word) error rate of an OCR result against a reference.
 *
 * Usage: cer [--no-marks] [--words] REF_FILE HYP_FILE
 *
 * Prints one line "<rate> <ref_units> <edits>", where units are Unicode code
 * points (default) or words (--words), edits is the Levenshtein distance
 * between the two unit sequences and rate = edits / ref_units with 6 decimals.
 * When REF is empty the rate is 0 if HYP is empty too and 1 otherwise.
 *
 * Both files are read as UTF-8 (invalid bytes count as U+FFFD, a leading BOM
 * is ignored). Runs of whitespace (space, \t, \n, \r, \f, \v, U+00A0) are
 * collapsed to one space and leading/trailing whitespace is trimmed.
 *
 * --no-marks  compare without Vietnamese tone marks and diacritics: precomposed
 *             Latin letters are mapped to their ASCII base letter (case kept,
 *             đ/Đ/Ð -> d/D) and combining marks U+0300..U+036F are dropped.
 * --words     word error rate: units are whitespace-separated words.
 *
 * The edit distance keeps two rows of min(n, m) + 1 cells, so long pages are
 * cheap in memory. Exit status: 0 on success, 2 on usage or I/O error.
 *
 * Standalone C11, libc only; used by scripts/bench-ocr.sh and the tests.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT_CHAR 0xFFFDu

/* A growable array of code points (or of word ids in --words mode). */
typedef struct {
    uint32_t *v;
    size_t n;
    size_t cap;
} Seq;

static const char *progname = "cer";

static void die(const char *msg, const char *arg)
{
    if (arg)
        fprintf(stderr, "%s: %s: %s\n", progname, msg, arg);
    else
        fprintf(stderr, "%s: %s\n", progname, msg);
    exit(2);
}

static void usage(FILE *out)
{
    fprintf(out, "usage: %s [--no-marks] [--words] REF_FILE HYP_FILE\n"
                 "prints: <error rate> <reference length> <edits>\n",
            progname);
}

static void *xrealloc(void *p, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        die("out of memory", NULL);
    size_t bytes = count * size;
    void *q = realloc(p, bytes > 0 ? bytes : 1);
    if (!q)
        die("out of memory", NULL);
    return q;
}

static void seq_push(Seq *s, uint32_t c)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = xrealloc(s->v, s->cap, sizeof *s->v);
    }
    s->v[s->n++] = c;
}

/* Reads a whole file into a malloc'd buffer; *len gets its size. */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    size_t cap = 65536, n = 0;
    unsigned char *buf = xrealloc(NULL, cap, 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap, 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad)
        die("cannot read", path);
    *len = n;
    return buf;
}

/*
 * Decodes one UTF-8 sequence at s[0..len). Returns the number of bytes used
 * (at least 1) and stores the code point, or U+FFFD for a malformed,
 * overlong, surrogate or out-of-range sequence (which then uses 1 byte).
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t need;
    uint32_t c, min;

    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        need = 1, c = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2, c = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3, c = b & 0x07, min = 0x10000;
    } else {
        *cp = REPLACEMENT_CHAR;
        return 1;
    }
    if (need >= len) {
        *cp = REPLACEMENT_CHAR;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = REPLACEMENT_CHAR;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = REPLACEMENT_CHAR;
        return 1;
    }
    *cp = c;
    return need + 1;
}

/*
 * Base letters of precomposed Latin letters, one character per code point;
 * '.' means "no ASCII base letter, keep as is". Derived from the canonical
 * (NFD) decompositions, plus Đ/đ and Ð/ð which have none.
 */
static const char fold_00c0[] = /* U+00C0..U+017F */
    "AAAAAA.CEEEEIIII" /* U+00C0 */
    "DNOOOOO..UUUUY.." /* U+00D0 */
    "aaaaaa.ceeeeiiii" /* U+00E0 */
    "dnooooo..uuuuy.y" /* U+00F0 */
    "AaAaAaCcCcCcCcDd" /* U+0100 */
    "DdEeEeEeEeEeGgGg" /* U+0110 */
    "GgGgHh..IiIiIiIi" /* U+0120 */
    "I...JjKk.LlLlLl." /* U+0130 */
    "...NnNnNn...OoOo" /* U+0140 */
    "Oo..RrRrRrSsSsSs" /* U+0150 */
    "SsTtTt..UuUuUuUu" /* U+0160 */
    "UuUuWwYyYZzZzZz." /* U+0170 */;

static const char fold_01a0[] = /* U+01A0..U+023F: Ơ ơ Ư ư and others */
    "Oo.............U" /* U+01A0 */
    "u..............." /* U+01B0 */
    ".............AaI" /* U+01C0 */
    "iOoUuUuUuUuUu.Aa" /* U+01D0 */
    "Aa....GgKkOoOo.." /* U+01E0 */
    "j...Gg..NnAa...." /* U+01F0 */
    "AaAaEeEeIiIiOoOo" /* U+0200 */
    "RrRrUuUuSsTt..Hh" /* U+0210 */
    "......AaEeOoOoOo" /* U+0220 */
    "OoYy............" /* U+0230 */;

static const char fold_1e00[] = /* U+1E00..U+1EFF, Vietnamese from U+1EA0 */
    "AaBbBbBbCcDdDdDd" /* U+1E00 */
    "DdDdEeEeEeEeEeFf" /* U+1E10 */
    "GgHhHhHhHhHhIiIi" /* U+1E20 */
    "KkKkKkLlLlLlLlMm" /* U+1E30 */
    "MmMmNnNnNnNnOoOo" /* U+1E40 */
    "OoOoPpPpRrRrRrRr" /* U+1E50 */
    "SsSsSsSsSsTtTtTt" /* U+1E60 */
    "TtUuUuUuUuUuVvVv" /* U+1E70 */
    "WwWwWwWwWwXxXxYy" /* U+1E80 */
    "ZzZzZzhtwy......" /* U+1E90 */
    "AaAaAaAaAaAaAaAa" /* U+1EA0 */
    "AaAaAaAaEeEeEeEe" /* U+1EB0 */
    "EeEeEeEeIiIiOoOo" /* U+1EC0 */
    "OoOoOoOoOoOoOoOo" /* U+1ED0 */
    "OoOoUuUuUuUuUuUu" /* U+1EE0 */
    "UuYyYyYyYy......" /* U+1EF0 */;

/* Maps a letter to its base letter for --no-marks; other code points pass. */
static uint32_t fold_mark(uint32_t c)
{
    char b = '.';

    if (c >= 0xC0 && c <= 0x17F)
        b = fold_00c0[c - 0xC0];
    else if (c >= 0x1A0 && c <= 0x23F)
        b = fold_01a0[c - 0x1A0];
    else if (c >= 0x1E00 && c <= 0x1EFF)
        b = fold_1e00[c - 0x1E00];
    return b == '.' ? c : (uint32_t)(unsigned char)b;
}

static bool is_combining_mark(uint32_t c)
{
    return c >= 0x300 && c <= 0x36F;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v' || c == 0xA0;
}

/*
 * Decodes a file into normalised code points: marks removed if asked,
 * whitespace runs collapsed to one U+0020, no leading/trailing space.
 */
static Seq load_text(const char *path, bool no_marks)
{
    size_t len, i = 0;
    unsigned char *buf = read_file(path, &len);
    Seq s = {0};
    bool pending_space = false;

    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
        i = 3; /* byte order mark */
    while (i < len) {
        uint32_t c;
        i += utf8_decode(buf + i, len - i, &c);
        if (no_marks) {
            if (is_combining_mark(c))
                continue;
            c = fold_mark(c);
        }
        if (is_space(c)) {
            pending_space = s.n > 0;
            continue;
        }
        if (pending_space) {
            seq_push(&s, ' ');
            pending_space = false;
        }
        seq_push(&s, c);
    }
    free(buf);
    return s;
}

/* ---- --words: intern words so the edit distance compares integers ---- */

typedef struct {
    const uint32_t *text; /* first code point of the word */
    size_t len;
    uint32_t id;
} Word;

typedef struct {
    Word *slots; /* open addressing, len == 0 marks an empty slot */
    size_t cap;  /* a power of two */
    size_t used;
} WordTable;

static uint64_t word_hash(const uint32_t *w, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a over the code points */
    for (size_t i = 0; i < len; i++) {
        h ^= w[i];
        h *= 1099511628211u;
    }
    return h;
}

static uint32_t word_intern(WordTable *t, const uint32_t *w, size_t len)
{
    if (2 * (t->used + 1) > t->cap) {
        WordTable g = {0};
        g.cap = t->cap ? t->cap * 2 : 1024;
        g.slots = xrealloc(NULL, g.cap, sizeof *g.slots);
        memset(g.slots, 0, g.cap * sizeof *g.slots);
        for (size_t i = 0; i < t->cap; i++) {
            Word *o = &t->slots[i];
            if (o->len == 0)
                continue;
            size_t j = (size_t)word_hash(o->text, o->len) & (g.cap - 1);
            while (g.slots[j].len != 0)
                j = (j + 1) & (g.cap - 1);
            g.slots[j] = *o;
        }
        g.used = t->used;
        free(t->slots);
        *t = g;
    }
    size_t j = (size_t)word_hash(w, len) & (t->cap - 1);
    for (;;) {
        Word *s = &t->slots[j];
        if (s->len == 0) {
            s->text = w;
            s->len = len;
            s->id = (uint32_t)t->used++;
            return s->id;
        }
        if (s->len == len && memcmp(s->text, w, len * sizeof *w) == 0)
            return s->id;
        j = (j + 1) & (t->cap - 1);
    }
}

/* Turns a normalised text (single spaces, trimmed) into word ids. */
static Seq to_words(const Seq *text, WordTable *t)
{
    Seq out = {0};
    size_t start = 0;

    for (size_t i = 0; i <= text->n; i++) {
        if (i < text->n && text->v[i] != ' ')
            continue;
        if (i > start)
            seq_push(&out, word_intern(t, text->v + start, i - start));
        start = i + 1;
    }
    return out;
}

/* ---- edit distance ---- */

/* Levenshtein distance with unit costs, using two rows of min(n, m) + 1. */
static size_t levenshtein(const uint32_t *a, size_t n, const uint32_t *b,
                          size_t m)
{
    if (n < m) { /* make b the shorter one: it indexes the rows */
        const uint32_t *tp = a;
        a = b;
        b = tp;
        size_t tn = n;
        n = m;
        m = tn;
    }
    if (m == 0)
        return n;

    size_t *prev = xrealloc(NULL, m + 1, sizeof *prev);
    size_t *cur = xrealloc(NULL, m + 1, sizeof *cur);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        uint32_t ai = a[i - 1];
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t best = prev[j - 1] + (ai != b[j - 1]); /* substitute */
            size_t del = prev[j] + 1;
            size_t ins = cur[j - 1] + 1;
            if (del < best)
                best = del;
            if (ins < best)
                best = ins;
            cur[j] = best;
        }
        size_t *tp = prev;
        prev = cur;
        cur = tp;
    }
    size_t d = prev[m];
    free(prev);
    free(cur);
    return d;
}

int main(int argc, char **argv)
{
    bool no_marks = false, words = false;
    const char *files[2];
    int nfiles = 0;
    bool options_done = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--no-marks") == 0) {
            no_marks = true;
        } else if (!options_done && strcmp(a, "--words") == 0) {
            words = true;
        } else if (!options_done &&
                   (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            usage(stdout);
            return 0;
        } else if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "%s: unknown option: %s\n", progname, a);
            usage(stderr);
            return 2;
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            fprintf(stderr, "%s: too many arguments\n", progname);
            usage(stderr);
            return 2;
        }
    }
    if (nfiles != 2) {
        usage(stderr);
        return 2;
    }

    Seq ref = load_text(files[0], no_marks);
    Seq hyp = load_text(files[1], no_marks);
    Seq *r = &ref, *h = &hyp;
    Seq ref_words = {0}, hyp_words = {0};
    WordTable table = {0};

    if (words) {
        ref_words = to_words(&ref, &table);
        hyp_words = to_words(&hyp, &table);
        r = &ref_words;
        h = &hyp_words;
    }

    size_t edits = levenshtein(r->v, r->n, h->v, h->n);
    double rate;
    if (r->n > 0)
        rate = (double)edits / (double)r->n;
    else
        rate = edits > 0 ? 1.0 : 0.0;
    printf("%.6f %zu %zu\n", rate, r->n, edits);

    free(table.slots);
    free(ref_words.v);
    free(hyp_words.v);
    free(ref.v);
    free(hyp.v);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
}
