/*
 * engine.c - Tesseract through its C API.
 *
 *   life cycle:   ocr_engine_new, ocr_engine_free, ocr_engine_datapath
 *   orientation:  ocr_detect_orientation, ocr_orientation, ocr_confidence
 *   recognition:  ocr_recognize, ocr_result_release
 *   model check:  ocr_model_available
 */
#include "engine.h"
#include "prep.h"
#include "fold.h"
#include "lexicon.h"
#include "tone.h"
#include "util.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <unistd.h>

struct ocr_engine {
    TessBaseAPI *api;
    TessBaseAPI *osd;
    char *datapath;
};

static const char *default_datapath(void)
{
    static const char *const cand[] = {
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
        NULL};
    const char *env = getenv("TESSDATA_PREFIX");
    if (env && *env)
        return env;
    for (int i = 0; cand[i]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/vie.traineddata", cand[i]);
        if (access(p, R_OK) == 0)
            return cand[i];
    }
    return cand[0];
}

int ocr_model_available(const char *datapath, const char *lang)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s.traineddata",
             datapath ? datapath : default_datapath(), lang ? lang : "vie");
    return access(p, R_OK) == 0;
}

static void quiet(TessBaseAPI *api)
{
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
}

struct ocr_engine *ocr_engine_new(const struct ocr_options *opt, char *why,
                                  size_t whysz)
{
    const char *lang = opt && opt->lang ? opt->lang : "vie";
    const char *dp = opt && opt->datapath ? opt->datapath : default_datapath();
    struct ocr_engine *eng = calloc(1, sizeof *eng);
    if (!eng) {
        snprintf(why, whysz, "out of memory");
        return NULL;
    }
    eng->datapath = strdup(dp);
    eng->api = TessBaseAPICreate();
    if (!eng->datapath || !eng->api)
        goto fail_mem;
    quiet(eng->api);
    /* each '+' separated language must be present */
    {
        char *l = strdup(lang), *save = NULL;
        if (!l)
            goto fail_mem;
        for (char *t = strtok_r(l, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
            if (!ocr_model_available(dp, t)) {
                snprintf(why, whysz,
                         "Tesseract model '%s' not found in %s (install tesseract-ocr-%s)",
                         t, dp, strcmp(t, "Vietnamese") == 0 ? "script-viet" : t);
                free(l);
                goto fail;
            }
        }
        free(l);
    }
    if (TessBaseAPIInit2(eng->api, dp, lang, OEM_LSTM_ONLY) != 0) {
        snprintf(why, whysz, "cannot start Tesseract with language '%s' from %s",
                 lang, dp);
        goto fail;
    }
    TessBaseAPISetPageSegMode(eng->api, PSM_AUTO);
    for (int i = 0; opt && opt->vars && opt->vars[i]; i++) {
        char *nv = strdup(opt->vars[i]);
        char *eq = nv ? strchr(nv, '=') : NULL;
        if (!eq) {
            snprintf(why, whysz, "Tesseract variable '%s' is not NAME=VALUE", opt->vars[i]);
            free(nv);
            goto fail;
        }
        *eq = '\0';
        if (!TessBaseAPISetVariable(eng->api, nv, eq + 1)) {
            snprintf(why, whysz, "Tesseract has no variable '%s'", nv);
            free(nv);
            goto fail;
        }
        free(nv);
    }
    if (opt && opt->osd) {
        if (!ocr_model_available(dp, "osd")) {
            snprintf(why, whysz,
                     "Tesseract model 'osd' not found in %s (install tesseract-ocr-osd)", dp);
            goto fail;
        }
        eng->osd = TessBaseAPICreate();
        if (!eng->osd)
            goto fail_mem;
        quiet(eng->osd);
        if (TessBaseAPIInit3(eng->osd, dp, "osd") != 0) {
            snprintf(why, whysz, "cannot start Tesseract orientation detection from %s", dp);
            goto fail;
        }
        TessBaseAPISetPageSegMode(eng->osd, PSM_OSD_ONLY);
    }
    return eng;
fail_mem:
    snprintf(why, whysz, "out of memory");
fail:
    ocr_engine_free(&eng);
    return NULL;
}

void ocr_engine_free(struct ocr_engine **peng)
{
    struct ocr_engine *eng = peng ? *peng : NULL;
    if (!eng)
        return;
    if (eng->api) {
        TessBaseAPIEnd(eng->api);
        TessBaseAPIDelete(eng->api);
    }
    if (eng->osd) {
        TessBaseAPIEnd(eng->osd);
        TessBaseAPIDelete(eng->osd);
    }
    free(eng->datapath);
    free(eng);
    *peng = NULL;
}

const char *ocr_engine_datapath(const struct ocr_engine *eng)
{
    return eng->datapath;
}

int ocr_detect_orientation(struct ocr_engine *eng, struct Pix *grey, int dpi,
                           int *quads, float *conf)
{
    int deg = 0;
    float oconf = 0, sconf = 0;
    const char *script = NULL;
    *quads = 0;
    *conf = 0;
    if (!eng->osd)
        return -1;
    /* OSD looks at character shapes, which 150 dpi shows well enough; on
     * larger images it only costs time */
    PIX *small = NULL;
    if (dpi > 225) {
        float f = 150.0f / (float)dpi;
        small = pixScale(grey, f, f);
        if (small)
            dpi = (int)(dpi * f + 0.5f);
    }
    TessBaseAPISetImage2(eng->osd, small ? small : grey);
    TessBaseAPISetSourceResolution(eng->osd, dpi);
    BOOL ok = TessBaseAPIDetectOrientationScript(eng->osd, &deg, &oconf, &script, &sconf);
    TessBaseAPIClear(eng->osd);
    pixDestroy(&small);
    if (!ok)
        return -1;
    /* deg is how far the page is turned clockwise; turning it back
     * (4 - deg/90 clockwise quarter turns) makes it upright */
    *quads = (4 - ((deg / 90) % 4 + 4) % 4) % 4;
    *conf = oconf;
    return 0;
}

static char *dup_tess(char *s)
{
    char *d = strdup(s ? s : "");
    if (s)
        TessDeleteText(s);
    return d;
}

#define JUNK_CONF 30      /* below: a short word is noise */
#define JUNK_MARK_CONF 60 /* below: a lone punctuation mark is noise */

int ocr_junk_word(const char *text, int conf)
{
    static const char print_marks[] = "-.,:;()[]\"/*+%!?&";
    size_t n = strlen(text), i = 0;
    int chars = 0, word = 0, odd = 0;

    while (i < n) {
        uint32_t cp;
        i += (size_t)util_utf8_decode((const unsigned char *)text + i, n - i, &cp);
        chars++;
        if (fold_is_word_cp(cp))
            word++;
        else if (cp < 0x80 ? !strchr(print_marks, (int)cp)
                           : !(cp == 0x2013 || cp == 0x2014 || cp == 0x2026 ||
                               (cp >= 0x2018 && cp <= 0x201D)))
            odd++;
    }
    if (!word)
        return odd > 0 || conf < JUNK_MARK_CONF;
    return conf < JUNK_CONF && chars <= 3;
}

static enum sohoa_err collect_words(TessBaseAPI *api, struct ocr_result *res)
{
    TessResultIterator *it = TessBaseAPIGetIterator(api);
    if (!it)
        return SOHOA_OK;
    TessPageIterator *pit = TessResultIteratorGetPageIterator(it);
    size_t cap = 0;
    int line_base_x1 = 0, line_base_y1 = 0, line_base_x2 = 0, line_base_y2 = 0;
    int line_h = 0;
    enum sohoa_err err = SOHOA_OK;
    do {
        if (TessPageIteratorIsAtBeginningOf(pit, RIL_TEXTLINE)) {
            int x1, y1, x2, y2;
            if (TessPageIteratorBaseline(pit, RIL_TEXTLINE, &line_base_x1,
                                         &line_base_y1, &line_base_x2,
                                         &line_base_y2) == FALSE)
                line_base_x1 = line_base_x2 = line_base_y1 = line_base_y2 = 0;
            if (TessPageIteratorBoundingBox(pit, RIL_TEXTLINE, &x1, &y1, &x2, &y2))
                line_h = y2 - y1;
        }
        char *w = TessResultIteratorGetUTF8Text(it, RIL_WORD);
        if (!w)
            continue;
        if (!*w || ocr_junk_word(w, (int)TessResultIteratorConfidence(it, RIL_WORD))) {
            TessDeleteText(w);
            /* the line still ends here */
            if (res->nwords &&
                TessPageIteratorIsAtFinalElement(pit, RIL_TEXTLINE, RIL_WORD))
                res->words[res->nwords - 1].eol = 1;
            continue;
        }
        if (res->nwords == cap) {
            size_t nc = cap ? cap * 2 : 256;
            void *p = realloc(res->words, nc * sizeof *res->words);
            if (!p) {
                TessDeleteText(w);
                err = SOHOA_ENOMEM;
                break;
            }
            res->words = p;
            cap = nc;
        }
        struct ocr_word *ow = &res->words[res->nwords];
        memset(ow, 0, sizeof *ow);
        ow->text = strdup(w);
        TessDeleteText(w);
        if (!ow->text) {
            err = SOHOA_ENOMEM;
            break;
        }
        TessPageIteratorBoundingBox(pit, RIL_WORD, &ow->x1, &ow->y1, &ow->x2, &ow->y2);
        ow->conf = TessResultIteratorConfidence(it, RIL_WORD);
        ow->line_height = line_h > 0 ? line_h : ow->y2 - ow->y1;
        /* baseline of the line at the word's left edge */
        if (line_base_x2 != line_base_x1) {
            double t = (double)(ow->x1 - line_base_x1) / (line_base_x2 - line_base_x1);
            ow->baseline = (int)(line_base_y1 + t * (line_base_y2 - line_base_y1) + 0.5);
        } else {
            ow->baseline = ow->y2;
        }
        if (ow->baseline < ow->y1 || ow->baseline > ow->y2 + ow->line_height)
            ow->baseline = ow->y2;
        ow->eol = TessPageIteratorIsAtFinalElement(pit, RIL_TEXTLINE, RIL_WORD) ? 1 : 0;
        res->nwords++;
    } while (TessPageIteratorNext(pit, RIL_WORD));
    TessResultIteratorDelete(it);
    return err;
}

/* ---- reading order ---- */

/* A piece of text with its box: a whole Tesseract block, or one column of
 * a block whose lines hold two columns (a footer's recipients and signer). */
struct tline {
    int x1, y1, x2, y2;
    size_t off;         /* where the line starts in its piece's text */
};

struct tblock {
    int x1, y1, x2, y2;
    struct strbuf text;
    int col;
    int nlines;
    struct tline *ln;   /* the lines, nlines of them (NULL if out of memory) */
    size_t capln;
};

/* Forget a piece's lines (out of memory: they help the order, they are
 * not needed for it). */
static void drop_lines(struct tblock *k)
{
    free(k->ln);
    k->ln = NULL;
    k->capln = 0;
}

static void block_release(struct tblock *k)
{
    strbuf_release(&k->text);
    drop_lines(k);
}

/* Record a new line starting at the end of k's text; 0 or -1. */
static int push_line(struct tblock *k, int x1, int y1, int x2, int y2, size_t off)
{
    if ((size_t)k->nlines >= k->capln) {
        size_t cap = k->capln ? 2 * k->capln : 8;
        while (cap < (size_t)k->nlines + 1)
            cap *= 2;
        void *p = realloc(k->ln, cap * sizeof *k->ln);
        if (!p)
            return -1;
        k->ln = p;
        k->capln = cap;
    }
    k->ln[k->nlines] = (struct tline){x1, y1, x2, y2, off};
    return 0;
}

struct tword {
    int x1, y1, x2, y2;
    char *text;
    int block, line;
};

static int cmp_block_y(const void *pa, const void *pb)
{
    const struct tblock *a = pa, *b = pb;
    return a->y1 != b->y1 ? (a->y1 < b->y1 ? -1 : 1) : (a->x1 < b->x1 ? -1 : a->x1 > b->x1);
}

static int cmp_block_col(const void *pa, const void *pb)
{
    const struct tblock *a = pa, *b = pb;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return a->y1 != b->y1 ? (a->y1 < b->y1 ? -1 : 1) : 0;
}

static struct tblock *new_block(struct tblock **pb, size_t *pn, size_t *pcap)
{
    if (*pn == *pcap) {
        size_t cap = *pcap ? 2 * *pcap : 16;
        void *nb = realloc(*pb, cap * sizeof **pb);
        if (!nb)
            return NULL;
        *pb = nb;
        *pcap = cap;
    }
    struct tblock *k = &(*pb)[(*pn)++];
    memset(k, 0, sizeof *k);
    k->x1 = k->y1 = 1 << 30;
    k->x2 = k->y2 = -1;
    return k;
}

static void block_add(struct tblock *k, const struct tword *w, int newline)
{
    if (k->text.len)
        strbuf_adds(&k->text, newline ? "\n" : " ");
    if (!k->text.len || newline) {
        if (push_line(k, w->x1, w->y1, w->x2, w->y2, k->text.len) < 0)
            drop_lines(k);
        k->nlines++;
    } else if (k->ln) {
        struct tline *l = &k->ln[k->nlines - 1];
        l->x1 = w->x1 < l->x1 ? w->x1 : l->x1;
        l->y1 = w->y1 < l->y1 ? w->y1 : l->y1;
        l->x2 = w->x2 > l->x2 ? w->x2 : l->x2;
        l->y2 = w->y2 > l->y2 ? w->y2 : l->y2;
    }
    strbuf_adds(&k->text, w->text);
    k->x1 = w->x1 < k->x1 ? w->x1 : k->x1;
    k->y1 = w->y1 < k->y1 ? w->y1 : k->y1;
    k->x2 = w->x2 > k->x2 ? w->x2 : k->x2;
    k->y2 = w->y2 > k->y2 ? w->y2 : k->y2;
}

/* Put piece c below piece a, and mark c merged. */
static void block_append(struct tblock *a, struct tblock *c)
{
    size_t base = a->text.len + 1;
    strbuf_adds(&a->text, "\n");
    strbuf_add(&a->text, c->text.buf, c->text.len);
    if (a->ln && c->ln) {
        for (int i = 0; i < c->nlines && a->ln; i++) {
            const struct tline *l = &c->ln[i];
            if (push_line(a, l->x1, l->y1, l->x2, l->y2, base + l->off) < 0)
                drop_lines(a);
            else
                a->nlines++;
        }
    } else {
        drop_lines(a);
        a->nlines += c->nlines;
    }
    a->x1 = c->x1 < a->x1 ? c->x1 : a->x1;
    a->y1 = c->y1 < a->y1 ? c->y1 : a->y1;
    a->x2 = c->x2 > a->x2 ? c->x2 : a->x2;
    a->y2 = c->y2 > a->y2 ? c->y2 : a->y2;
    block_release(c);
    c->x2 = -1; /* merged */
}

/*
 * Turn the words of one Tesseract block (w[0..n)) into pieces. Lines are cut
 * where the gap between two words is far wider than a space; if no line is
 * cut the block stays whole, else its line pieces are gathered into columns.
 */
static int split_block(const struct tword *w, size_t n, int page_w, struct tblock **pb,
                       size_t *pn, size_t *pcap)
{
    /* segment starts: a word that begins a line, or follows a wide gap */
    unsigned char *cut = calloc(n ? n : 1, 1);
    int any = 0;
    if (!cut)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || w[i].line != w[i - 1].line) {
            cut[i] = 1;
            continue;
        }
        int h = w[i].y2 - w[i].y1, hp = w[i - 1].y2 - w[i - 1].y1;
        int lh = h > hp ? h : hp;
        int gap = w[i].x1 - w[i - 1].x2;
        if (gap > 3 * lh && gap > page_w / 25) {
            cut[i] = 2;
            any = 1;
        }
    }
    /* words dropped as noise (no text) count for the gaps, then go: a
     * smudged word inside a header line must not cut the line in two */
    size_t nk = 0;
    unsigned char pend = 0;
    for (size_t i = 0; i < n; i++) {
        if (!w[i].text) {
            pend = cut[i] > pend ? cut[i] : pend;
            continue;
        }
        cut[i] = cut[i] > pend ? cut[i] : pend;
        pend = 0;
        nk++;
    }
    any = 0;
    for (size_t i = 0; i < n; i++)
        any |= w[i].text && cut[i] == 2;
    if (!any) {
        struct tblock *k = nk ? new_block(pb, pn, pcap) : NULL;
        if (nk && !k) {
            free(cut);
            return -1;
        }
        int started = 0;
        for (size_t i = 0; i < n; i++) {
            if (!w[i].text)
                continue;
            block_add(k, &w[i], cut[i] == 1 && started);
            started = 1;
        }
        free(cut);
        return 0;
    }
    /* pieces: one per segment, then merged into columns by overlap */
    size_t first = *pn;
    for (size_t i = 0; i < n; i++) {
        if (!w[i].text)
            continue;
        if (cut[i] && !new_block(pb, pn, pcap)) {
            free(cut);
            return -1;
        }
        block_add(&(*pb)[*pn - 1], &w[i], 0);
    }
    free(cut);
    size_t last = *pn;
    for (size_t i = first; i < last; i++) {
        struct tblock *a = &(*pb)[i];
        if (a->x2 < 0)
            continue;
        for (size_t j = i + 1; j < last; j++) {
            struct tblock *c = &(*pb)[j];
            if (c->x2 < 0 || c->x1 >= a->x2 || c->x2 <= a->x1)
                continue;
            /* same column: append below */
            block_append(a, c);
        }
    }
    /* drop the merged ones */
    size_t out = first;
    for (size_t i = first; i < last; i++)
        if ((*pb)[i].x2 >= 0)
            (*pb)[out++] = (*pb)[i];
    *pn = out;
    return 0;
}

/*
 * Tesseract may cut a narrow column (a header block) into one piece per
 * line; lines of the two header columns then alternate. Join a narrow piece
 * with the next one just below it in the same column. b is sorted by top.
 */
static void merge_columns(struct tblock *b, size_t *pn, int page_w)
{
    size_t n = *pn;
    for (size_t i = 0; i < n; i++) {
        struct tblock *a = &b[i];
        if (a->x2 < 0)
            continue;
        for (size_t j = i + 1; j < n; j++) {
            struct tblock *c = &b[j];
            if (c->x2 < 0)
                continue;
            int wa = a->x2 - a->x1, wc = c->x2 - c->x1;
            if (5 * wa > 3 * page_w || 5 * wc > 3 * page_w)
                continue;
            int lh_a = (a->y2 - a->y1) / (a->nlines > 0 ? a->nlines : 1);
            int lh_c = (c->y2 - c->y1) / (c->nlines > 0 ? c->nlines : 1);
            int lh = lh_a < lh_c ? lh_a : lh_c;
            int gap = c->y1 - a->y2;
            if (gap > 6 * lh / 5)
                break; /* sorted by top: nothing further down is closer */
            int ov = (a->x2 < c->x2 ? a->x2 : c->x2) - (a->x1 > c->x1 ? a->x1 : c->x1);
            int narrow = wa < wc ? wa : wc;
            if (gap < -lh / 2 || 5 * ov < 3 * narrow)
                continue;
            block_append(a, c);
            j = i; /* look again below the grown piece */
        }
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (b[i].x2 >= 0)
            b[out++] = b[i];
    *pn = out;
}

/* Box of lines [from, to) of piece k. */
static void lines_box(const struct tblock *k, int from, int to, int *x1, int *y1, int *x2,
                      int *y2)
{
    *x1 = *y1 = 1 << 30;
    *x2 = *y2 = -1;
    for (int i = from; i < to; i++) {
        const struct tline *l = &k->ln[i];
        *x1 = l->x1 < *x1 ? l->x1 : *x1;
        *y1 = l->y1 < *y1 ? l->y1 : *y1;
        *x2 = l->x2 > *x2 ? l->x2 : *x2;
        *y2 = l->y2 > *y2 ? l->y2 : *y2;
    }
}

/*
 * The line of piece a where it passes below its neighbour c and runs on
 * under it: a left header block that Tesseract joined with the title below
 * it, beside the national motto. Its lines above stand beside c (heights
 * overlap, widths do not); the lines from there on start below c and reach
 * under it. Returns the line, or 0 if a is not such a piece.
 */
static int under_line(const struct tblock *a, const struct tblock *c)
{
    if (!a->ln || a->nlines < 2 || c->x2 < 0)
        return 0;
    int lh = (a->y2 - a->y1) / a->nlines;
    int cut = 0;
    for (int i = 1; i < a->nlines; i++)
        if (a->ln[i].y1 >= c->y2 - lh / 4) {
            cut = i;
            break;
        }
    if (!cut)
        return 0;
    int ux1, uy1, ux2, uy2, rx1, ry1, rx2, ry2;
    lines_box(a, 0, cut, &ux1, &uy1, &ux2, &uy2);
    lines_box(a, cut, a->nlines, &rx1, &ry1, &rx2, &ry2);
    int ov = (uy2 < c->y2 ? uy2 : c->y2) - (uy1 > c->y1 ? uy1 : c->y1);
    int m = uy2 - uy1 < c->y2 - c->y1 ? uy2 - uy1 : c->y2 - c->y1;
    int beside = m > 0 && 2 * ov >= m && (ux2 <= c->x1 || ux1 >= c->x2);
    int under = rx1 < c->x2 && rx2 > c->x1;
    return beside && under ? cut : 0;
}

/* Cut pieces that run on under a neighbour (see under_line) in two. */
static void cut_under(struct tblock **pb, size_t *pn, size_t *pcap)
{
    for (size_t i = 0; i < *pn; i++) {
        for (size_t j = 0; j < *pn; j++) {
            struct tblock *a = &(*pb)[i];
            if (j == i)
                continue;
            int cut = under_line(a, &(*pb)[j]);
            if (!cut)
                continue;
            struct tblock *r = new_block(pb, pn, pcap);
            if (!r)
                return;
            a = &(*pb)[i]; /* the array may have moved */
            size_t off = a->ln[cut].off;
            for (int k = cut; k < a->nlines; k++) {
                const struct tline *l = &a->ln[k];
                if (push_line(r, l->x1, l->y1, l->x2, l->y2, l->off - off) < 0) {
                    block_release(r);
                    (*pn)--;
                    return;
                }
                r->nlines++;
            }
            strbuf_add(&r->text, a->text.buf + off, a->text.len - off);
            a->text.len = off - 1; /* drop the newline before the cut */
            a->text.buf[a->text.len] = '\0';
            a->nlines = cut;
            lines_box(a, 0, a->nlines, &a->x1, &a->y1, &a->x2, &a->y2);
            lines_box(r, 0, r->nlines, &r->x1, &r->y1, &r->x2, &r->y2);
        }
    }
}

/*
 * Does piece c stand beside one of the pieces members[0..n) (their heights
 * overlap by half the lower one)? Such pieces are two columns even when
 * their widths overlap: a left header block that Tesseract ran into the
 * wide title below it, beside the national motto.
 */
static int beside_any(const struct tblock *b, const size_t *members, size_t n,
                      const struct tblock *c)
{
    for (size_t i = 0; i < n; i++) {
        const struct tblock *a = &b[members[i]];
        int ov = (a->y2 < c->y2 ? a->y2 : c->y2) - (a->y1 > c->y1 ? a->y1 : c->y1);
        int ha = a->y2 - a->y1, hc = c->y2 - c->y1;
        int m = ha < hc ? ha : hc;
        if (m > 0 && 2 * ov >= m)
            return 1;
    }
    return 0;
}

/*
 * Text of the page in reading order. Tesseract orders blocks by where they
 * start, so a header whose right block (national motto, place and date)
 * starts higher than the left one (issuing body, number) comes out right
 * first, and it runs a footer's recipients and signer together on one
 * line. Here pieces that stand side by side form a band, and a band is
 * read column by column, left to right.
 */
/*
 * Is word i, under a frame spanning fx1..fx2, print of a line that runs on
 * outside the frame: are its line's words under the frame level with and as
 * tall as the words beside the frame at their height ("Trong" under a
 * stamp's corner)? A stamp's own words are not (other size, other
 * baseline). Decided for the words of one line under the frame together,
 * so that a stamp's line is not cut in two.
 */
static int in_line(const struct tword *w, size_t nw, size_t i, int fx1, int fx2)
{
    long my = 0, mh = 0, m = 0, cy = 0, hh = 0, n = 0;
    int gy1 = w[i].y1, gy2 = w[i].y2;
    for (size_t k = 0; k < nw; k++) {
        int mid = (w[k].x1 + w[k].x2) / 2;
        if (w[k].line != w[i].line || !w[k].text || mid < fx1 || mid >= fx2)
            continue;
        my += (w[k].y1 + w[k].y2) / 2;
        mh += w[k].y2 - w[k].y1;
        m++;
        gy1 = w[k].y1 < gy1 ? w[k].y1 : gy1;
        gy2 = w[k].y2 > gy2 ? w[k].y2 : gy2;
    }
    for (size_t k = 0; k < nw; k++) {
        int mid = (w[k].x1 + w[k].x2) / 2;
        int ov = (w[k].y2 < gy2 ? w[k].y2 : gy2) - (w[k].y1 > gy1 ? w[k].y1 : gy1);
        if (!w[k].text || (mid >= fx1 && mid < fx2) || 2 * ov < w[k].y2 - w[k].y1)
            continue;
        cy += (w[k].y1 + w[k].y2) / 2;
        hh += w[k].y2 - w[k].y1;
        n++;
    }
    if (!n || !m)
        return 0;
    cy /= n;
    hh /= n;
    my /= m;
    mh /= m;
    return labs(my - cy) * 5 <= hh && mh * 10 <= hh * 13 && mh * 10 >= hh * 7;
}

/*
 * A received stamp ("CV ĐẾN", Số, Ngày, Chuyển) stamped over the body: its
 * frame's words are read as part of the lines it covers ("TRUNG TÂM CÔNG
 * BÁO" before the title's "Về việc ..."). Where a line runs across a
 * frame (words of one line inside and outside it), the frame's words are
 * taken out of the page's flow into aside, a line a line, and w keeps the
 * rest. A frame no line crosses (a table's cell, a framed mark) is left.
 */
static void set_aside_stamps(struct tword *w, size_t *pnw, BOXA *frames,
                             struct strbuf *aside)
{
    int nf = frames ? boxaGetCount(frames) : 0;
    for (int f = 0; f < nf; f++) {
        l_int32 fx, fy, fw, fh;
        if (boxaGetBoxGeometry(frames, f, &fx, &fy, &fw, &fh) != 0)
            continue;
        /* a word is the stamp's when its middle is inside and two thirds
         * of its width ("Trong" half under the frame stays the body's) */
#define OVER(x) (((x).x2 < fx + fw ? (x).x2 : fx + fw) - ((x).x1 > fx ? (x).x1 : fx))
#define INSIDE(x) (((x).y1 + (x).y2) / 2 >= fy && ((x).y1 + (x).y2) / 2 < fy + fh && \
                   3 * OVER(x) >= 2 * ((x).x2 - (x).x1))
        int crossed = 0;
        for (size_t i = 0; i < *pnw && !crossed; i++) {
            if (!INSIDE(w[i]) || !w[i].text)
                continue;
            for (size_t k = 0; k < *pnw && !crossed; k++)
                crossed = w[k].line == w[i].line && w[k].text && !INSIDE(w[k]);
        }
        if (!crossed)
            continue;
        size_t kept = 0;
        int last_line = -1;
        for (size_t i = 0; i < *pnw; i++) {
            if (!INSIDE(w[i]) || in_line(w, *pnw, i, fx, fx + fw)) {
                w[kept++] = w[i];
                continue;
            }
            if (w[i].text) {
                if (aside->len)
                    strbuf_adds(aside, w[i].line != last_line ? "\n" : " ");
                strbuf_adds(aside, w[i].text);
                last_line = w[i].line;
            }
            free(w[i].text);
        }
#undef INSIDE
#undef OVER
        *pnw = kept;
    }
}

static char *ordered_text(TessBaseAPI *api, int page_w, BOXA *frames)
{
    TessResultIterator *it = TessBaseAPIGetIterator(api);
    struct tword *w = NULL;
    struct tblock *b = NULL;
    size_t nw = 0, capw = 0, n = 0, cap = 0;
    struct strbuf out = STRBUF_INIT;
    int block = -1, line = -1;
    if (!it)
        return strdup("");
    TessPageIterator *pit = TessResultIteratorGetPageIterator(it);
    do {
        if (TessPageIteratorIsAtBeginningOf(pit, RIL_BLOCK))
            block++;
        if (TessPageIteratorIsAtBeginningOf(pit, RIL_TEXTLINE))
            line++;
        char *t = TessResultIteratorGetUTF8Text(it, RIL_WORD);
        if (!t)
            continue;
        /* noise keeps its place (for the gaps between words) but no text */
        int junk = !*t || ocr_junk_word(t, (int)TessResultIteratorConfidence(it, RIL_WORD));
        if (nw == capw) {
            capw = capw ? 2 * capw : 256;
            void *nn = realloc(w, capw * sizeof *w);
            if (!nn) {
                TessDeleteText(t);
                break;
            }
            w = nn;
        }
        struct tword *x = &w[nw];
        TessPageIteratorBoundingBox(pit, RIL_WORD, &x->x1, &x->y1, &x->x2, &x->y2);
        x->text = junk ? NULL : strdup(t);
        x->block = block;
        x->line = line;
        TessDeleteText(t);
        nw++;
    } while (TessPageIteratorNext(pit, RIL_WORD));
    TessResultIteratorDelete(it);
    struct strbuf aside = STRBUF_INIT;
    set_aside_stamps(w, &nw, frames, &aside);

    for (size_t i = 0; i < nw;) {
        size_t j = i;
        while (j < nw && w[j].block == w[i].block)
            j++;
        if (split_block(w + i, j - i, page_w, &b, &n, &cap) < 0)
            break;
        i = j;
    }

    if (n > 1)
        qsort(b, n, sizeof *b, cmp_block_y);
    merge_columns(b, &n, page_w);
    cut_under(&b, &n, &cap);
    if (n > 1)
        qsort(b, n, sizeof *b, cmp_block_y);
    size_t i = 0;
    while (i < n) {
        /* a band: pieces overlapping its height by half the lower of the two */
        size_t j = i + 1;
        int top = b[i].y1, bottom = b[i].y2;
        while (j < n) {
            int h = b[j].y2 - b[j].y1, bh = bottom - top;
            int m = h < bh ? h : bh;
            int ov = (b[j].y2 < bottom ? b[j].y2 : bottom) - (b[j].y1 > top ? b[j].y1 : top);
            if (m <= 0 || 2 * ov < m)
                break;
            if (b[j].y2 > bottom)
                bottom = b[j].y2;
            j++;
        }
        /* columns inside the band: pieces whose widths overlap share one,
         * columns numbered by their left edge */
        for (size_t k = i; k < j; k++)
            b[k].col = -1;
        for (size_t k = i; k < j; k++) {
            if (b[k].col >= 0)
                continue;
            int cx1 = b[k].x1, cx2 = b[k].x2;
            size_t members[64];
            size_t nm = 0;
            members[nm++] = k;
            b[k].col = 0;
            for (size_t m = k + 1; m < j; m++) {
                if (b[m].col < 0 && b[m].x1 < cx2 && b[m].x2 > cx1 && nm < 64 &&
                    !beside_any(b, members, nm, &b[m])) {
                    b[m].col = 0;
                    members[nm++] = m;
                    cx1 = b[m].x1 < cx1 ? b[m].x1 : cx1;
                    cx2 = b[m].x2 > cx2 ? b[m].x2 : cx2;
                }
            }
            for (size_t m = 0; m < nm; m++)
                b[members[m]].col = cx1;
        }
        qsort(b + i, j - i, sizeof *b, cmp_block_col);
        for (size_t k = i; k < j; k++) {
            if (out.len)
                strbuf_adds(&out, "\n\n");
            strbuf_add(&out, b[k].text.buf, b[k].text.len);
        }
        i = j;
    }
    /* a stamp's words after the page's */
    if (aside.len) {
        if (out.len)
            strbuf_adds(&out, "\n\n");
        strbuf_add(&out, aside.buf, aside.len);
    }
    strbuf_release(&aside);
    if (out.len)
        strbuf_adds(&out, "\n");
    for (size_t k = 0; k < n; k++)
        block_release(&b[k]);
    free(b);
    for (size_t k = 0; k < nw; k++)
        free(w[k].text);
    free(w);
    return strbuf_detach(&out, NULL);
}

enum sohoa_err ocr_recognize(struct ocr_engine *eng, struct Pix *pix, int dpi,
                             int page_no, struct ocr_result *res)
{
    memset(res, 0, sizeof *res);
    TessBaseAPISetImage2(eng->api, pix);
    TessBaseAPISetSourceResolution(eng->api, dpi);
    if (TessBaseAPIRecognize(eng->api, NULL) != 0) {
        TessBaseAPIClear(eng->api);
        return SOHOA_EOCR;
    }
    BOXA *frames = prep_find_frames(pix, dpi);
    res->text = ordered_text(eng->api, pixGetWidth(pix), frames);
    boxaDestroy(&frames);
    res->hocr = dup_tess(TessBaseAPIGetHOCRText(eng->api, page_no));
    enum sohoa_err err = collect_words(eng->api, res);
    /* mean confidence over words (Tesseract's own mean weighs characters) */
    double sum = 0;
    for (size_t i = 0; i < res->nwords; i++)
        sum += res->words[i].conf;
    res->mean_conf = res->nwords ? (float)(sum / (double)res->nwords) : 0.0f;
    TessBaseAPIClear(eng->api);
    if (!err && (!res->text || !res->hocr))
        err = SOHOA_ENOMEM;
    if (err)
        ocr_result_release(res);
    return err;
}

/*
 * Run a text mender over the page text, then over the words in
 * Tesseract's order, a line a line, and take each word's new spelling:
 * the menders keep every word a word, so the mended string splits into
 * the same words. Returns the changes to the text, or -1.
 */
typedef int (*mend_fn)(const void *ctx, const char *in, struct strbuf *out);

static int mend_result(struct ocr_result *res, mend_fn mend, const void *ctx)
{
    struct strbuf out = STRBUF_INIT, in = STRBUF_INIT;
    int n, nw;

    if ((n = mend(ctx, res->text, &out)) < 0)
        goto fail;
    if (n > 0) {
        free(res->text);
        res->text = strbuf_detach(&out, NULL);
    }
    strbuf_release(&out);
    for (size_t i = 0; i < res->nwords; i++)
        if (strbuf_adds(&in, res->words[i].text) < 0 ||
            strbuf_add(&in, res->words[i].eol ? "\n" : " ", 1) < 0)
            goto fail;
    if (!res->nwords || (nw = mend(ctx, in.buf, &out)) < 0 || nw == 0)
        goto done;
    char *p = out.buf;
    for (size_t i = 0; i < res->nwords; i++) {
        size_t len = strcspn(p, " \n");
        if (len != strlen(res->words[i].text) ||
            memcmp(p, res->words[i].text, len) != 0) {
            char *t = strndup(p, len);
            if (!t)
                goto fail;
            free(res->words[i].text);
            res->words[i].text = t;
        }
        p += len + (p[len] != '\0');
    }
done:
    strbuf_release(&in);
    strbuf_release(&out);
    return n;
fail:
    strbuf_release(&in);
    strbuf_release(&out);
    return -1;
}

static int mend_tones(const void *ctx, const char *in, struct strbuf *out)
{
    int n = 0;
    return tone_correct(ctx, in, out, &n) < 0 ? -1 : n;
}

static int mend_capitals(const void *ctx, const char *in, struct strbuf *out)
{
    (void)ctx;
    return lex_restore_capitals(in, out);
}

int ocr_fix_tones(const struct tone_model *m, struct ocr_result *res)
{
    return mend_result(res, mend_tones, m);
}

int ocr_fix_capitals(struct ocr_result *res)
{
    return mend_result(res, mend_capitals, NULL);
}

void ocr_result_release(struct ocr_result *res)
{
    free(res->text);
    free(res->hocr);
    for (size_t i = 0; i < res->nwords; i++)
        free(res->words[i].text);
    free(res->words);
    memset(res, 0, sizeof *res);
}

float ocr_confidence(struct ocr_engine *eng, struct Pix *pix, int dpi)
{
    TessBaseAPISetImage2(eng->api, pix);
    TessBaseAPISetSourceResolution(eng->api, dpi);
    double sum = 0, weight = 0;
    if (TessBaseAPIRecognize(eng->api, NULL) == 0) {
        TessResultIterator *it = TessBaseAPIGetIterator(eng->api);
        TessPageIterator *pit = it ? TessResultIteratorGetPageIterator(it) : NULL;
        /* mean confidence per letter or digit: words that hold none (blank
         * "words" found in noise) say nothing */
        do {
            char *t = it ? TessResultIteratorGetUTF8Text(it, RIL_WORD) : NULL;
            if (!t)
                continue;
            int letters = 0;
            const unsigned char *u = (const unsigned char *)t;
            size_t len = strlen(t), i = 0;
            while (i < len) {
                uint32_t cp;
                i += (size_t)util_utf8_decode(u + i, len - i, &cp);
                letters += (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
                           (cp >= 'a' && cp <= 'z') || cp >= 0xC0;
            }
            if (letters > 0) {
                sum += (double)TessResultIteratorConfidence(it, RIL_WORD) * letters;
                weight += letters;
            }
            TessDeleteText(t);
        } while (pit && TessPageIteratorNext(pit, RIL_WORD));
        if (it)
            TessResultIteratorDelete(it);
    }
    TessBaseAPIClear(eng->api);
    return weight > 0 ? (float)(sum / weight) : 0.0f;
}

/* OSD confidence from which its answer is taken as it is */
#define OSD_SURE 6.0f
/* pixOrientDetect confidence from which the letter shapes decide: on the
 * corpus, real scans and varied pages, every page past it was right */
#define SHAPE_SURE 5.0f

void ocr_orientation(struct ocr_engine *eng, struct Pix *grey, int dpi, int *quads,
                     enum ocr_orient_how *how)
{
    int q = 0;
    float conf = 0;
    *quads = 0;
    *how = OCR_ORIENT_NONE;
    int dir = prep_line_direction(grey);
    int a = dir == 1 ? 1 : 0, b = a + 2;
    if (dir >= 0) {
        float up = prep_upright_conf(grey, a);
        if (up >= SHAPE_SURE || up <= -SHAPE_SURE) {
            *quads = up > 0 ? a : b;
            *how = OCR_ORIENT_SHAPE;
            return;
        }
    }
    if (ocr_detect_orientation(eng, grey, dpi, &q, &conf) == 0 && conf >= OSD_SURE) {
        *quads = q;
        *how = OCR_ORIENT_OSD;
        return;
    }
    if (dir < 0)
        return; /* no text to speak of: leave the page as it is */
    /* the same band of text, read both ways up */
    PIX *ba = prep_text_band(grey, a);
    PIX *bb = ba ? pixRotateOrth(ba, 2) : NULL;
    if (ba && bb) {
        float ca = ocr_confidence(eng, ba, dpi), cb = ocr_confidence(eng, bb, dpi);
        if (fabsf(ca - cb) >= 5.0f)
            *quads = cb > ca ? b : a;
        else
            *quads = (q == a || q == b) ? q : a; /* no evidence: OSD's guess */
        *how = OCR_ORIENT_BAND;
    }
    pixDestroy(&ba);
    pixDestroy(&bb);
}
