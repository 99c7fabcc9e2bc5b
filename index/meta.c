/*
 * meta.c - metadata from recognised text.
 *
 *   lines:      split a page into lines, each with a folded copy (lower
 *               case, no diacritics, Ð/Đ -> d) and a map back to the text
 *   header:     number and notation, place and date, issuing body, marks
 *   title:      document type (cross-checked with the notation), subject
 *   footer:     signer block, recipients
 *   codes:      one-stop dossier, result and procedure codes, personal ids
 *   confidence: a pattern's own certainty times the OCR's word confidence
 */
#include "meta.h"

#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "lexicon.h"
#include "util.h"

static const char *const field_names[META_NFIELDS] = {
    "type", "type_code", "number", "notation", "date", "place", "agency",
    "parent_agency", "subject", "signer_prefix", "signer_title", "signer_name",
    "recipients", "secrecy", "urgency", "circulation", "mode", "dossier_codes",
    "result_codes", "procedure_codes", "personal_ids"};

const char *meta_field_name(enum meta_field f)
{
    return (unsigned)f < META_NFIELDS ? field_names[f] : "?";
}

int meta_field_by_name(const char *name)
{
    for (int i = 0; i < META_NFIELDS; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

/* ---- document types (NĐ 30/2020, Phụ lục III) ---- */

static const struct {
    const char *name, *code, *folded, *code_folded;
} types[] = {
    {"NGHỊ QUYẾT", "NQ", "nghi quyet", "nq"},
    {"QUYẾT ĐỊNH", "QĐ", "quyet dinh", "qd"},
    {"CHỈ THỊ", "CT", "chi thi", "ct"},
    {"QUY CHẾ", "QC", "quy che", "qc"},
    {"QUY ĐỊNH", "QyĐ", "quy dinh", "qyd"},
    {"THÔNG CÁO", "TC", "thong cao", "tc"},
    {"THÔNG BÁO", "TB", "thong bao", "tb"},
    {"HƯỚNG DẪN", "HD", "huong dan", "hd"},
    {"CHƯƠNG TRÌNH", "CTr", "chuong trinh", "ctr"},
    {"KẾ HOẠCH", "KH", "ke hoach", "kh"},
    {"PHƯƠNG ÁN", "PA", "phuong an", "pa"},
    {"ĐỀ ÁN", "ĐA", "de an", "da"},
    {"DỰ ÁN", "DA", "du an", "da"},
    {"BÁO CÁO", "BC", "bao cao", "bc"},
    {"BIÊN BẢN", "BB", "bien ban", "bb"},
    {"TỜ TRÌNH", "TTr", "to trinh", "ttr"},
    {"HỢP ĐỒNG", "HĐ", "hop dong", "hd"},
    {"CÔNG ĐIỆN", "CĐ", "cong dien", "cd"},
    {"BẢN GHI NHỚ", "BGN", "ban ghi nho", "bgn"},
    {"BẢN THỎA THUẬN", "BTT", "ban thoa thuan", "btt"},
    {"GIẤY ỦY QUYỀN", "GUQ", "giay uy quyen", "guq"},
    {"GIẤY MỜI", "GM", "giay moi", "gm"},
    {"GIẤY GIỚI THIỆU", "GGT", "giay gioi thieu", "ggt"},
    {"GIẤY NGHỈ PHÉP", "GNP", "giay nghi phep", "gnp"},
    {"PHIẾU GỬI", "PG", "phieu gui", "pg"},
    {"PHIẾU CHUYỂN", "PC", "phieu chuyen", "pc"},
    {"PHIẾU BÁO", "PB", "phieu bao", "pb"},
    /* legal documents and forms with a heading but no code in the list */
    {"THÔNG TƯ", "TT", "thong tu", NULL},
    {"NGHỊ ĐỊNH", "NĐ", "nghi dinh", NULL},
    {"LUẬT", NULL, "luat", NULL},
    {"CÔNG VĂN", NULL, "cong van", NULL},
    {"TỜ KHAI", NULL, "to khai", NULL},
    {"ĐƠN", NULL, "don", NULL},
    {"GIẤY", NULL, "giay", NULL},
    {"PHIẾU", NULL, "phieu", NULL},
};
#define NTYPES (sizeof types / sizeof *types)
#define TYPE_CONG_VAN 30

/* ---- lines ---- */

struct line {
    const char *s;      /* in the page text */
    size_t len;
    char *f;            /* folded: ASCII-ish, lower case */
    size_t flen;
    size_t *map;        /* f[i] comes from s[map[i]]; map[flen] = len */
    int caps;           /* written in capitals */
    int blank;
};

struct page {
    struct line *l;
    size_t n;
};

static int is_upper_cp(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    if (c >= 0xC0 && c <= 0xDE)
        return c != 0xD7;
    if (c >= 0x100 && c <= 0x17F)
        return (c & 1) == 0;
    if (c == 0x1A0 || c == 0x1AF)
        return 1;
    if (c >= 0x1EA0 && c <= 0x1EFF)
        return (c & 1) == 0;
    return 0;
}

static int is_lower_cp(uint32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z';
    if (c >= 0xDF && c <= 0xFF)
        return c != 0xF7;
    if (c >= 0x100 && c <= 0x17F)
        return c & 1;
    if (c == 0x1A1 || c == 0x1B0)
        return 1;
    if (c >= 0x1EA0 && c <= 0x1EFF)
        return c & 1;
    return 0;
}

static int fold_line(struct line *ln)
{
    size_t cap = ln->len * 2 + 1;
    int up = 0, low = 0;
    ln->f = malloc(cap);
    ln->map = malloc((cap + 1) * sizeof *ln->map);
    if (!ln->f || !ln->map)
        return -1;
    size_t i = 0, o = 0;
    while (i < ln->len) {
        uint32_t cp;
        size_t at = i;
        i += (size_t)util_utf8_decode((const unsigned char *)ln->s + i, ln->len - i, &cp);
        up += is_upper_cp(cp);
        low += is_lower_cp(cp);
        uint32_t f = fold_cp(cp);
        if (f == 0)
            continue;   /* a combining mark */
        char c;
        if (f < 0x80)
            c = (char)f;
        else if (cp == 0x2013 || cp == 0x2014 || cp == 0x2212)
            c = '-';
        else if (cp >= 0x2018 && cp <= 0x201F)
            c = '\'';
        else
            c = '?';
        if (c == '\t' || c == '\r')
            c = ' ';
        ln->f[o] = c;
        ln->map[o++] = at;
    }
    ln->f[o] = '\0';
    ln->map[o] = ln->len;
    ln->flen = o;
    ln->caps = up >= 2 && low * 10 <= up;
    size_t k = 0;
    while (k < o && (ln->f[k] == ' ' || ln->f[k] == '\f'))
        k++;
    ln->blank = k == o;
    return 0;
}

static void page_free(struct page *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->l[i].f);
        free(p->l[i].map);
    }
    free(p->l);
    memset(p, 0, sizeof *p);
}

static int page_split(const char *text, struct page *p)
{
    size_t cap = 0;
    const char *s = text ? text : "";
    memset(p, 0, sizeof *p);
    for (;;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (*s || e) {
            if (p->n + 1 >= cap) {
                cap = cap ? cap * 2 : 64;
                void *nl = realloc(p->l, cap * sizeof *p->l);
                if (!nl)
                    goto oom;
                p->l = nl;
            }
            struct line *ln = &p->l[p->n++];
            memset(ln, 0, sizeof *ln);
            ln->s = s;
            ln->len = len;
            if (fold_line(ln) < 0)
                goto oom;
            /* the two header columns read as one line: "ỦY BAN NHÂN DÂN
             * CỘNG HÒA XÃ HỘI ..." becomes two lines */
            const char *mid = NULL;
            static const char *const right[] = {"cong hoa xa hoi", "doc lap - tu do",
                                                "doc lap-tu do", NULL};
            for (int k = 0; right[k] && !mid; k++) {
                const char *at = strstr(ln->f, right[k]);
                if (at && at - ln->f >= 3)
                    mid = at;
            }
            if (mid && p->n < cap) {
                size_t cut = ln->map[mid - ln->f];
                const char *rs = ln->s + cut;
                size_t rlen = ln->len - cut;
                free(ln->f);
                free(ln->map);
                ln->len = cut;
                if (fold_line(ln) < 0)
                    goto oom;
                struct line *r2 = &p->l[p->n++];
                memset(r2, 0, sizeof *r2);
                r2->s = rs;
                r2->len = rlen;
                if (fold_line(r2) < 0)
                    goto oom;
            }
        }
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
oom:
    page_free(p);
    return -1;
}

/* original text of folded range [a, b) of a line, trimmed, malloc'd */
static char *orig(const struct line *ln, size_t a, size_t b)
{
    size_t x = ln->map[a], y = b < ln->flen ? ln->map[b] : ln->len;
    while (x < y && strchr(" \t\f", ln->s[x]))
        x++;
    while (y > x && strchr(" \t\f", ln->s[y - 1]))
        y--;
    return strndup(ln->s + x, y - x);
}

/* ---- small string helpers ---- */

static int starts(const char *f, const char *prefix)
{
    while (*f == ' ')
        f++;
    return strncmp(f, prefix, strlen(prefix)) == 0;
}

/* does folded f hold word w (bounded by non-letters)? */
static const char *has_word(const char *f, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(f, w); p; p = strstr(p + 1, w)) {
        int before = p == f || !isalnum((unsigned char)p[-1]);
        int after = !isalnum((unsigned char)p[n]);
        if (before && after)
            return p;
    }
    return NULL;
}

/* a line of dashes, underscores or dots (a rule under a heading) */
static int is_rule(const struct line *ln)
{
    return !ln->blank && strspn(ln->f, " -_.=~*'?") == ln->flen;
}

static int is_motto(const struct line *ln)
{
    const char *f = ln->f;
    while (*f == ' ')
        f++;
    if (strncmp(f, "nam", 3) == 0 && strspn(f + 3, " ") == strlen(f + 3))
        return 1;   /* "... CHỦ NGHĨA VIỆT" / "NAM" */
    return has_word(ln->f, "cong hoa") || has_word(ln->f, "chu nghia") ||
           has_word(ln->f, "doc lap") || has_word(ln->f, "hanh phuc") ||
           (has_word(ln->f, "viet nam") && ln->caps && ln->flen < 12);
}

/* replace the Icelandic Ð (U+00D0) that OCR gives for Đ; drop spaces
 * around '-' and '/' in codes */
static char *clean_code(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)p[0] == 0xC3 && (unsigned char)p[1] == 0x90) {
            strbuf_adds(&sb, "\xC4\x90");
            p++;
        } else if (*p == ' ') {
            continue;
        } else {
            strbuf_add(&sb, p, 1);
        }
    }
    char *r = strbuf_detach(&sb, NULL);
    return r ? r : strdup("");
}

static char *join_lines(const struct page *p, size_t a, size_t b, const char *sep)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = a; i < b; i++) {
        const struct line *ln = &p->l[i];
        if (ln->blank)
            continue;
        char *t = orig(ln, 0, ln->flen);
        if (!t)
            continue;
        if (sb.len && *t)
            strbuf_adds(&sb, sep);
        strbuf_adds(&sb, t);
        free(t);
    }
    return strbuf_detach(&sb, NULL);
}

/* ---- hOCR word confidences ---- */

struct wconf {
    char *w;
    int conf;
};

struct confs {
    struct wconf *v;
    size_t n, cap;
};

static void confs_add_hocr(struct confs *c, const char *h)
{
    const char *p = h;
    while (p && (p = strstr(p, "x_wconf ")) != NULL) {
        int conf = atoi(p + 8);
        const char *gt = strchr(p, '>');
        if (!gt)
            break;
        const char *end = strstr(gt, "</span>");
        if (!end)
            break;
        /* the word, without inner tags (<strong>, <em>) */
        struct strbuf w = STRBUF_INIT;
        int intag = 0;
        for (const char *q = gt + 1; q < end; q++) {
            if (*q == '<')
                intag = 1;
            else if (*q == '>')
                intag = 0;
            else if (!intag)
                strbuf_add(&w, q, 1);
        }
        if (w.len && c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 512;
            void *nv = realloc(c->v, nc * sizeof *c->v);
            if (!nv) {
                strbuf_release(&w);
                return;
            }
            c->v = nv;
            c->cap = nc;
        }
        if (w.len) {
            c->v[c->n].w = strbuf_detach(&w, NULL);
            c->v[c->n++].conf = conf;
        }
        strbuf_release(&w);
        p = end;
    }
}

static void confs_free(struct confs *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].w);
    free(c->v);
}

/* OCR certainty of a value: the lowest confidence of its words, 0..1
 * (1 when the words cannot be found: no hOCR, or the value was rebuilt) */
static float ocr_certainty(const struct confs *c, const char *value)
{
    if (!c->n || !value)
        return 1.0f;
    int low = 100, found = 0;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t n = strcspn(p, " \n");
        if (!n)
            break;
        /* the token as a word, or as a part of one between punctuation
         * ("189" in "189/QĐ-UBND", "Xuân" in "Xuân,") */
        for (size_t i = 0; i < c->n; i++) {
            const char *w = c->v[i].w, *at;
            size_t wl = strlen(w);
            for (at = w; at + n <= w + wl; at++)
                if (memcmp(at, p, n) == 0 &&
                    (at == w || ispunct((unsigned char)at[-1])) &&
                    (at[n] == '\0' || ispunct((unsigned char)at[n])))
                    break;
            if (at + n <= w + wl) {
                if (c->v[i].conf < low)
                    low = c->v[i].conf;
                found++;
                break;
            }
        }
        p += n;
    }
    if (!found)
        return 1.0f;
    float f = (float)low / 85.0f;
    return f > 1.0f ? 1.0f : f < 0.0f ? 0.0f : f;
}

/* ---- extraction ---- */

struct ctx {
    struct page *pages;
    size_t np;
    struct page tail;       /* the last two pages as one: a signer block
                             * may run over the page break */
    char *tailtext;
    struct confs confs;
    struct meta *m;
    const regex_t *re_num, *re_date, *re_place, *re_vv, *re_dossier, *re_proc;
    /* where things were found: page and line, -1 if not */
    int num_pg, num_ln, date_pg, date_ln, type_pg, type_ln, vv_ln;
    int form;               /* a form's heading (TỜ KHAI ...): no subject */
};

static void set(struct ctx *c, enum meta_field f, char *v, float conf)
{
    if (!v)
        return;
    if (!*v) {
        free(v);
        return;
    }
    conf *= ocr_certainty(&c->confs, v);
    /* marks of the administrative words and names put back; the certainty
     * is that of the words as read */
    enum lex_kind kind = f == META_AGENCY || f == META_PARENT_AGENCY ||
                                 f == META_SIGNER_TITLE ? LEX_BODY
                         : f == META_PLACE               ? LEX_PLACE
                                                         : LEX_NAME;
    if (f == META_AGENCY || f == META_PARENT_AGENCY || f == META_SIGNER_TITLE ||
        f == META_PLACE || f == META_SIGNER_NAME) {
        char *mended = lex_restore(v, kind, NULL);
        if (mended) {
            free(v);
            v = mended;
        }
    }
    free(c->m->f[f].value);
    c->m->f[f].value = v;
    c->m->f[f].conf = conf;
}

static int valid_date(int d, int mo, int y)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1945 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

/* Số: 04/QĐ-UBND at the start of a line, near the top of a page */
static int find_number(struct ctx *c, int pg)
{
    struct page *p = &c->pages[pg];
    regmatch_t mt[4];
    for (size_t i = 0; i < p->n && i < 40; i++) {
        struct line *ln = &p->l[i];
        if (regexec(c->re_num, ln->f, 4, mt, 0) != 0)
            continue;
        /* "Số:" starts the line with a capital (a body line wrapped before
         * "số 222/QĐ-UBND ngày ..." does not) */
        const char *sp = strchr(ln->f, 's');
        if (!sp || ln->s[ln->map[sp - ln->f]] != 'S')
            continue;
        char *num = orig(ln, (size_t)mt[1].rm_so, (size_t)mt[1].rm_eo);
        char *raw = orig(ln, (size_t)mt[2].rm_so, (size_t)mt[2].rm_eo);
        char *nota = raw ? clean_code(raw) : NULL;
        free(raw);
        /* trailing punctuation is not part of the notation */
        size_t nl = nota ? strlen(nota) : 0;
        while (nl && strchr(".,;:-/", nota[nl - 1]))
            nota[--nl] = '\0';
        float conf = 0.95f;
        int digits = num && *num && strspn(num, "0123456789") == strlen(num);
        if (num && !*num)
            conf = 0.4f;   /* handwritten into the blank, not read */
        else if (!digits || strlen(num) > 5)
            conf = 0.3f;   /* handwriting read as marks: shown, flagged */
        set(c, META_NUMBER, num, conf);
        set(c, META_NOTATION, nota, nl >= 2 && strchr(nota, '-') ? 0.95f : 0.6f);
        c->num_pg = pg;
        c->num_ln = (int)i;
        return 1;
    }
    return 0;
}

/* " ng.. <day> tháng <month> năm <year>" (folded), the day and "ngày"
 * perhaps damaged */
static int is_date_line_loose(const char *f)
{
    f += strspn(f, " ");
    if (strncmp(f, "ng", 2) != 0)
        return 0;
    const char *t = has_word(f, "thang");
    const char *n = t ? has_word(t, "nam") : NULL;
    return n && t - f < 16 && strspn(n + 3, " ") < strlen(n + 3) &&
           isdigit((unsigned char)n[3 + strspn(n + 3, " ")]);
}

/* <Place>, ngày 06 tháng 01 năm 2026 */
/* "Quảng Ngãi, ngàyÀ tháng 02 năm 2025": the handwritten day unread, the
 * place still is */
static int find_place_only(struct ctx *c, int pg, size_t from)
{
    struct page *p = &c->pages[pg];
    regmatch_t mt[2];
    for (size_t i = from; i < p->n && i < from + 40; i++) {
        struct line *ln = &p->l[i];
        if (starts(ln->f, "can cu"))
            continue;
        if (regexec(c->re_place, ln->f, 2, mt, 0) != 0) {
            /* "ngàw‡{ tháng 5": "ngày" bent by the handwriting after it;
             * still the date line when "tháng" and "năm" follow */
            const char *comma = strchr(ln->f, ',');
            if (!comma || !is_date_line_loose(comma + 1))
                continue;
            const char *a = ln->f + strspn(ln->f, " ");
            if (!(*a >= 'a' && *a <= 'z'))
                continue;
            mt[1].rm_so = (regoff_t)(a - ln->f);
            mt[1].rm_eo = (regoff_t)(comma - ln->f);
        }
        char *place = orig(ln, (size_t)mt[1].rm_so, (size_t)mt[1].rm_eo);
        uint32_t cp = 0;
        if (place && *place)
            util_utf8_decode((const unsigned char *)place, strlen(place), &cp);
        size_t words = 1;
        for (const char *q = place; q && *q; q++)
            words += *q == ' ';
        if (place && is_upper_cp(cp) && words <= 5) {
            set(c, META_PLACE, place, 0.6f);
            return 1;
        }
        free(place);
    }
    return 0;
}

static int find_date(struct ctx *c, int pg)
{
    struct page *p = &c->pages[pg];
    regmatch_t mt[6];
    for (size_t i = 0; i < p->n && i < 60; i++) {
        struct line *ln = &p->l[i];
        if (regexec(c->re_date, ln->f, 6, mt, 0) != 0)
            continue;
        int d = atoi(ln->f + mt[2].rm_so), mo = atoi(ln->f + mt[3].rm_so);
        int y = atoi(ln->f + mt[4].rm_so);
        /* the place: a few capitalised words before the comma */
        char *all = orig(ln, (size_t)mt[1].rm_so, (size_t)mt[1].rm_eo);
        /* the place: the capitalised words just before ", ngày" (the
         * left column may have run into the line) */
        char *place = NULL;
        if (all) {
            size_t n = strlen(all), start = n;
            int words = 0;
            while (start > 0 && words < 5) {
                size_t e = start;
                while (e > 0 && all[e - 1] == ' ')
                    e--;
                size_t b = e;
                while (b > 0 && all[b - 1] != ' ')
                    b--;
                if (b == e)
                    break;
                uint32_t cp;
                util_utf8_decode((const unsigned char *)all + b, e - b, &cp);
                if (!is_upper_cp(cp))
                    break;
                /* "XÃ TRƯỜNG XUÂN Trường Xuân, ngày": the left column's
                 * capitals are not the place */
                int low = 0;
                for (size_t k = b; k < e;) {
                    uint32_t c2;
                    k += (size_t)util_utf8_decode((const unsigned char *)all + k, e - k, &c2);
                    low |= is_lower_cp(c2);
                }
                if (words && !low && e - b > 1 && all[e - 1] != '.')
                    break;
                start = b;
                words++;
            }
            /* "<place>, ngày": a comma, unless the place starts the line
             * (a body line "... của HĐND xã Trường Xuân ngày 20 tháng ..."
             * is not a place and date) */
            const char *after = ln->s + ln->map[mt[1].rm_eo];
            while (*after == ' ')
                after++;
            int comma = *after == ',';
            int at_start = 1;
            for (size_t k = 0; k < start; k++)
                if (all[k] != ' ')
                    at_start = 0;
            if (words && (comma || at_start) && !starts(ln->f, "can cu"))
                place = strndup(all + start, n - start);
            free(all);
        }
        if (!place) {
            continue;   /* "... ban hành ngày 22 tháng 11 năm 2019" in the body */
        }
        float conf = valid_date(d, mo, y) ? 0.95f : 0.3f;
        char iso[16];
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", y % 10000, mo % 100, d % 100);
        set(c, META_DATE, strdup(iso), conf);
        char *whole = orig(ln, 0, ln->flen);
        c->m->f[META_DATE].conf = conf * ocr_certainty(&c->confs, whole);
        free(whole);
        set(c, META_PLACE, place, 0.9f);
        c->date_pg = pg;
        c->date_ln = (int)i;
        return 1;
    }
    return 0;
}

/* the heading: a line in capitals that starts with a type's name */
static int find_type(struct ctx *c, int pg, size_t from)
{
    struct page *p = &c->pages[pg];
    for (size_t i = from; i < p->n && i < from + 60; i++) {
        struct line *ln = &p->l[i];
        if (!ln->caps || ln->flen > 120 || is_motto(ln))
            continue;
        const char *f = ln->f;
        while (*f == ' ')
            f++;
        for (size_t t = 0; t < NTYPES; t++) {
            if (t == TYPE_CONG_VAN)
                continue;   /* never printed as a heading ("CÔNG VĂN ĐẾN" is a stamp) */
            size_t n = strlen(types[t].folded);
            if (strncmp(f, types[t].folded, n) != 0 || isalnum((unsigned char)f[n]))
                continue;
            /* the rest of the line: nothing (or ':') for a type of the list;
             * a form's heading goes on (TỜ KHAI ĐĂNG KÝ KHAI SINH) */
            const char *rest = f + n;
            while (*rest == ' ' || *rest == ':' || *rest == '.')
                rest++;
            if (*rest && types[t].code)
                continue;  /* "QUYẾT ĐỊNH SỐ ..." in a sentence, not a heading */
            if (!*rest && !types[t].code && n <= 5)
                continue;  /* "GIẤY", "ĐƠN" alone */
            char *v = *rest ? orig(ln, 0, ln->flen) : strdup(types[t].name);
            if (v) {
                size_t vl = strlen(v);
                while (vl && strchr(":. ", v[vl - 1]))
                    v[--vl] = '\0';
            }
            set(c, META_TYPE, v, 0.9f);
            c->form = *rest && !types[t].code;
            if (types[t].code && !*rest)
                set(c, META_TYPE_CODE, strdup(types[t].code), 0.9f);
            c->type_pg = pg;
            c->type_ln = (int)i;
            return (int)t;
        }
    }
    return -1;
}

/* the notation's first part names a type ("QĐ" of QĐ-UBND)? */
static int type_of_notation(const char *notation)
{
    if (!notation)
        return -1;
    char head[16];
    size_t n = strcspn(notation, "-/");
    struct line ln = {notation, n < sizeof head ? n : 0, NULL, 0, NULL, 0, 0};
    if (!ln.len || fold_line(&ln) < 0) {
        free(ln.f);
        free(ln.map);
        return -1;
    }
    snprintf(head, sizeof head, "%s", ln.f);
    free(ln.f);
    free(ln.map);
    for (size_t t = 0; t < NTYPES; t++)
        if (types[t].code_folded && strcmp(head, types[t].code_folded) == 0 &&
            strcmp(head, "da") != 0 && strcmp(head, "hd") != 0)
            return (int)t;
    /* ĐA/DA and HD/HĐ fold alike: tell them by the original letters */
    if (strcmp(head, "da") == 0)
        return strncmp(notation, "D", 1) == 0 ? 12 : 11;
    if (strcmp(head, "hd") == 0)
        return strncmp(notation, "HD", 2) == 0 ? 7 : 16;
    return -1;
}

/* how many single-letter edits turn a into b (short strings) */
static int edits(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int d[17][17];
    if (la > 16 || lb > 16)
        return 99;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/*
 * The heading names the type, and the notation's first part is no type's
 * code but one letter away from the heading's ("CI-UBND" under CHỈ THỊ,
 * "QĐĐ-UBND" under QUYẾT ĐỊNH, "TTIr" under TỜ TRÌNH): the code as the
 * list writes it, flagged.
 */
static void mend_notation(struct ctx *c, int heading)
{
    const char *nota = c->m->f[META_NOTATION].value;
    size_t n = nota ? strcspn(nota, "-") : 0;
    if (!n || !nota[n] || n > 16)
        return;
    char head[17];
    memcpy(head, nota, n);
    head[n] = '\0';
    struct line ln = {head, n, NULL, 0, NULL, 0, 0};
    if (fold_line(&ln) < 0) {
        free(ln.f);
        free(ln.map);
        return;
    }
    int d = edits(ln.f, types[heading].code_folded);
    size_t fl = strlen(ln.f);
    free(ln.f);
    free(ln.map);
    if (d != 1 || fl < 2)
        return;
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s%s", types[heading].code, nota + n);
    char *v = strbuf_detach(&sb, NULL);
    if (v)
        set(c, META_NOTATION, v, 0.6f);
}

static void decide_type(struct ctx *c, int heading)
{
    int by_code = type_of_notation(c->m->f[META_NOTATION].value);
    struct meta_value *tv = &c->m->f[META_TYPE];
    if (heading >= 0 && by_code < 0 && types[heading].code_folded)
        mend_notation(c, heading);
    if (heading >= 0) {
        if (by_code >= 0 && by_code != heading && types[heading].code)
            tv->conf *= 0.6f;   /* heading and notation disagree */
        else if (by_code == heading)
            tv->conf = tv->conf < 0.98f ? 0.98f : tv->conf;
        return;
    }
    if (by_code >= 0) {
        set(c, META_TYPE, strdup(types[by_code].name), 0.75f);
        set(c, META_TYPE_CODE, strdup(types[by_code].code), 0.75f);
    } else if (c->m->f[META_NOTATION].value) {
        /* no heading and a notation of the body alone (UBND-VX): công văn */
        set(c, META_TYPE, strdup(types[TYPE_CONG_VAN].name), c->vv_ln >= 0 ? 0.95f : 0.7f);
    }
}

/* a subject as printed: no leading punctuation, no wrapping parentheses,
 * "Vềviệc" (a narrow space lost) split again */
static char *tidy_subject(char *s)
{
    if (!s)
        return NULL;
    size_t a = 0, n = strlen(s);
    while (a < n && strchr(" ,.;:-_'\"|", s[a]))
        a++;
    int paren = a < n && s[a] == '(';
    if (paren)
        a++;
    memmove(s, s + a, n - a + 1);
    n -= a;
    while (n && strchr(" ,;:-_|", s[n - 1]))
        s[--n] = '\0';
    if (n && s[n - 1] == ')' && (paren || !strchr(s, '(')))
        s[--n] = '\0';
    static const char vv[] = "V\xe1\xbb\x81vi\xe1\xbb\x87" "c";   /* "Vềviệc" */
    if (strncmp(s, vv, sizeof vv - 1) == 0) {
        char *t = malloc(n + 2);
        if (t) {
            memcpy(t, s, 4);
            t[4] = ' ';
            memcpy(t + 5, s + 4, n - 4 + 1);
            free(s);
            s = t;
        }
    }
    return s;
}

/* V/v ... under the number: a công văn's subject */
static void find_vv(struct ctx *c)
{
    if (c->num_pg < 0)
        return;
    struct page *p = &c->pages[c->num_pg];
    regmatch_t mt[2];
    for (size_t i = (size_t)c->num_ln + 1; i < p->n && i < (size_t)c->num_ln + 6; i++) {
        if (regexec(c->re_vv, p->l[i].f, 2, mt, 0) != 0)
            continue;
        struct strbuf sb = STRBUF_INIT;
        char *first = orig(&p->l[i], (size_t)mt[1].rm_eo, p->l[i].flen);
        strbuf_adds(&sb, "V/v ");
        strbuf_adds(&sb, first ? first : "");
        free(first);
        for (size_t k = i + 1; k < p->n && k < i + 5; k++) {
            struct line *ln = &p->l[k];
            if (ln->blank || ln->caps || is_motto(ln) || is_rule(ln) ||
                regexec(c->re_date, ln->f, 0, NULL, 0) == 0 ||
                starts(ln->f, "kinh gui"))
                break;
            char *t = orig(ln, 0, ln->flen);
            if (t && *t) {
                strbuf_adds(&sb, " ");
                strbuf_adds(&sb, t);
            }
            free(t);
        }
        set(c, META_SUBJECT, tidy_subject(strbuf_detach(&sb, NULL)), 0.9f);
        c->vv_ln = (int)i;
        return;
    }
}

/* the subject under the heading: centred lines up to the body */
static void find_subject(struct ctx *c)
{
    if (c->type_pg < 0 || c->form || c->m->f[META_SUBJECT].value)
        return;
    struct page *p = &c->pages[c->type_pg];
    size_t i = (size_t)c->type_ln + 1;
    while (i < p->n && (p->l[i].blank || is_rule(&p->l[i])))
        i++;
    size_t a = i;
    for (; i < p->n && i < a + 6; i++) {
        struct line *ln = &p->l[i];
        if (ln->blank || is_rule(ln) || ln->caps || starts(ln->f, "can cu") ||
            starts(ln->f, "kinh gui") || starts(ln->f, "- ") || starts(ln->f, "1.") || starts(ln->f, "i."))
            break;
    }
    if (i == a)
        return;
    char *s = join_lines(p, a, i, " ");
    /* a rule drawn under it may be read as dashes at the end */
    size_t n = s ? strlen(s) : 0;
    while (n && strchr("-_. ", s[n - 1]))
        s[--n] = '\0';
    set(c, META_SUBJECT, tidy_subject(s), i - a <= 4 ? 0.9f : 0.6f);
}

/* "<Place>, ngày 06 tháng 01 năm 2026" (the day may be unread) */
static int is_date_line(const struct line *ln)
{
    const char *d = has_word(ln->f, "ngay");
    const char *t = d ? has_word(d, "thang") : NULL;
    return t && has_word(t, "nam") && !ln->caps;
}

/* a line of the motto among lines a..b of a page */
static int motto_between(const struct page *p, int a, int b)
{
    for (int i = a; i <= b && i < (int)p->n; i++)
        if (is_motto(&p->l[i]))
            return 1;
    return 0;
}

/* lines in capitals just above the number (same block): the issuing body */
static void find_agency(struct ctx *c)
{
    /* groups: a line that starts with an organ's name starts a group; one
     * that does not ("XÃ THANH XUÂN", "CÔNG NGHỆ THÔNG TIN") continues */
    static const char *const organs[] = {
        "uy ban", "ubnd", "hoi dong", "hdnd", "so ", "phong ", "ban ", "bo ",
        "truong ", "dai hoc", "benh vien", "khoa ", "trung tam", "van phong",
        "cuc ", "vu ", "chi cuc", "cong an", "toa an", "vien ", "tong cuc",
        "bo phan", "hoc vien", "cong ty", "tinh uy", "huyen uy", "dang uy",
        "mat tran", "doan ", "hoi ", "kho bac", "chi nhanh", "bao hiem", NULL};
    static const char *const units[] = {"xa ", "phuong ", "thi tran", "huyen ",
                                        "quan ", "thi xa", "thanh pho", "tinh ", NULL};
    struct page *p;
    int top, end;
    float conf;
    if (c->num_pg >= 0) {
        /* the lines in capitals just above "Số:"; a blank line between
         * them is crossed when an organ's name stands above it with the
         * motto ("ỦY BAN NHÂN DÂN" read on one line with it, then a gap) */
        p = &c->pages[c->num_pg];
        int k = c->num_ln - 1, gaps = 0;
        for (; k >= 0 && c->num_ln - k <= 12; k--) {
            struct line *ln = &p->l[k];
            if (ln->blank || is_date_line(ln)) {
                /* the right column (motto, place and date) read between
                 * the body and its number: crossed, once, when the body's
                 * name stands above it */
                int j = k, org = 0;
                while (j >= 0 && k - j <= 5 &&
                       (p->l[j].blank || is_motto(&p->l[j]) || is_date_line(&p->l[j])))
                    j--;
                /* the name's first line, up to three lines above */
                for (int a = j; a >= 0 && a > j - 3 && p->l[a].caps; a--) {
                    const char *f = p->l[a].f + strspn(p->l[a].f, " .,-");
                    /* "BẢN SAO" folds like "BAN ..." */
                    for (int o = 0; organs[o] && !starts(f, "ban sao"); o++)
                        org |= starts(f, organs[o]);
                    for (int u = 0; units[u]; u++)
                        org |= starts(f, units[u]);
                }
                /* only where the motto came between: the header columns
                 * read together, not a box above the header */
                if (gaps++ || !org || !p->l[j].caps || !motto_between(p, j, k))
                    break;
                k = j + 1;
                continue;
            }
            if (!(ln->caps || is_rule(ln) || is_motto(ln)))
                break;
        }
        top = k + 1;
        end = c->num_ln;
        conf = 0.9f;
    } else {
        /* no "Số:" read: the first lines in capitals of the first page,
         * up to the heading; flagged */
        p = &c->pages[0];
        top = 0;
        while ((size_t)top < p->n && (p->l[top].blank || is_motto(&p->l[top]) ||
                                      is_rule(&p->l[top])))
            top++;
        end = top;
        while ((size_t)end < p->n && end < top + 4 && p->l[end].caps &&
               !is_motto(&p->l[end]) && !(c->type_pg == 0 && end == c->type_ln))
            end++;
        conf = 0.5f;
    }
    int starts_group[8] = {0}, n = 0;
    int idx[8];
    size_t cuts[8];
    for (int i = top; i < end && n < 8; i++) {
        if (is_rule(&p->l[i]) || p->l[i].blank || is_date_line(&p->l[i]))
            continue;
        /* "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI ...": both columns on one line */
        size_t cut = p->l[i].flen;
        if (is_motto(&p->l[i])) {
            const char *m = has_word(p->l[i].f, "cong hoa");
            if (!m || m == p->l[i].f)
                continue;
            cut = (size_t)(m - p->l[i].f);
        }
        int org = 0, unit = 0;
        for (int o = 0; organs[o]; o++)
            org |= starts(p->l[i].f, organs[o]);
        for (int u = 0; units[u]; u++)
            unit |= starts(p->l[i].f, units[u]);
        idx[n] = i;
        cuts[n] = cut;
        /* "ỦY BAN NHÂN DÂN" + "XÃ THANH XUÂN" is one name */
        starts_group[n] = n == 0 || (org && !unit);
        n++;
    }
    if (!n)
        return;
    int last = n - 1;
    while (last > 0 && !starts_group[last])
        last--;
    struct strbuf body = STRBUF_INIT, parent = STRBUF_INIT;
    for (int g = 0; g < n; g++) {
        struct strbuf *sb = g >= last ? &body : &parent;
        /* not the marks a stamp or a fold left before it */
        size_t lead = strspn(p->l[idx[g]].f, " .,-_'"), cut = cuts[g];
        while (cut > lead && strchr(" .,-_'", p->l[idx[g]].f[cut - 1]))
            cut--;
        char *t = orig(&p->l[idx[g]], lead < cut ? lead : 0, cut > lead ? cut : cuts[g]);
        if (t && *t) {
            if (sb->len)
                strbuf_adds(sb, " ");
            strbuf_adds(sb, t);
        }
        free(t);
    }
    set(c, META_AGENCY, strbuf_detach(&body, NULL), conf);
    set(c, META_PARENT_AGENCY, strbuf_detach(&parent, NULL), conf);
}

/* MẬT, KHẨN, ... standing alone on a line of the header */
static const struct mark {
    const char *folded, *name;
    enum meta_field f;
} marks[] = {
    {"tuyet mat", "TUYỆT MẬT", META_SECRECY},
    {"toi mat", "TỐI MẬT", META_SECRECY},
    {"mat", "MẬT", META_SECRECY},
    {"thuong khan", "THƯỢNG KHẨN", META_URGENCY},
    {"hoa toc", "HỎA TỐC", META_URGENCY},
    {"khan", "KHẨN", META_URGENCY},
    {"luu hanh noi bo", "LƯU HÀNH NỘI BỘ", META_CIRCULATION},
    {"xem xong tra lai", "XEM XONG TRẢ LẠI", META_CIRCULATION},
    {"tra lai sau khi hop", "TRẢ LẠI SAU KHI HỌP (HỘI NGHỊ)", META_CIRCULATION},
    {"khong pho bien", "KHÔNG PHỔ BIẾN", META_CIRCULATION},
};
#define NMARKS (sizeof marks / sizeof *marks)

/*
 * The marks a folded line starts with (its letters and single spaces
 * considered): up to max of them into found, returns how many. strict: 0
 * when anything else is on the line.
 */
static int marks_of(const char *f, const struct mark **found, int max, int strict)
{
    char buf[128];
    size_t o = 0;
    for (const char *q = f; *q && o + 1 < sizeof buf; q++)
        if (isalpha((unsigned char)*q) || (*q == ' ' && o && buf[o - 1] != ' '))
            buf[o++] = *q;
    while (o && buf[o - 1] == ' ')
        o--;
    buf[o] = '\0';
    int n = 0;
    const char *rest = buf;
    while (*rest) {
        size_t m;
        for (m = 0; m < NMARKS; m++) {
            size_t k = strlen(marks[m].folded);
            if (strncmp(rest, marks[m].folded, k) == 0 && (rest[k] == ' ' || rest[k] == '\0'))
                break;
        }
        if (m == NMARKS) {
            if (strict)
                return 0;
            break;
        }
        if (n < max)
            found[n] = &marks[m];
        n++;
        rest += strlen(marks[m].folded);
        while (*rest == ' ')
            rest++;
    }
    return n < max ? n : max;
}

int meta_marks_line(const char *text)
{
    struct line ln = {text, strlen(text), NULL, 0, NULL, 0, 0};
    const struct mark *found[4];
    int n = fold_line(&ln) < 0 ? 0 : ln.caps ? marks_of(ln.f, found, 4, 1) : 0;
    free(ln.f);
    free(ln.map);
    return n > 0;
}

static void find_marks(struct ctx *c)
{
    struct page *p = &c->pages[0];
    size_t end = p->n;
    if (c->type_pg == 0)
        end = (size_t)c->type_ln + 8;
    else if (c->vv_ln >= 0 && c->num_pg == 0)
        end = (size_t)c->vv_ln + 12;
    for (size_t i = 0; i < p->n && i < end && i < 50; i++) {
        struct line *ln = &p->l[i];
        const struct mark *found[4];
        int n = ln->caps ? marks_of(ln->f, found, 4, 0) : 0;
        for (int k = 0; k < n; k++)
            if (!c->m->f[found[k]->f].value)
                set(c, found[k]->f, strdup(found[k]->name), 0.9f);
    }
}

/* ---- footer ---- */

static int is_name(const struct line *ln, size_t *skip)
{
    static const char *const ranks[] = {
        "thuong tuong ", "trung tuong ", "thieu tuong ", "dai tuong ", "dai ta ",
        "thuong ta ", "trung ta ", "thieu ta ", "pgs.ts. ", "pgs. ts. ", "gs.ts. ",
        "ts. ", "ths. ", "ths ", "ts ", "ks. ", "bs. ", "ong ", "ba ", NULL};
    const char *f = ln->f;
    size_t lead = 0;
    while (f[lead] == ' ')
        lead++;
    *skip = lead;
    for (int r = 0; ranks[r]; r++)
        if (strncmp(f + lead, ranks[r], strlen(ranks[r])) == 0) {
            *skip = lead + strlen(ranks[r]);
            break;
        }
    /* 2..6 words, each a capital then small letters, no digits */
    const char *s = ln->s + ln->map[*skip];
    size_t n = ln->len - ln->map[*skip];
    int words = 0, inword = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)util_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (cp == ' ') {
            inword = 0;
            continue;
        }
        if (!is_upper_cp(cp) && !is_lower_cp(cp) && !(cp >= 0x300 && cp <= 0x36F))
            return 0;
        if (!inword) {
            if (!is_upper_cp(cp))
                return 0;
            words++;
            inword = 1;
        } else if (is_upper_cp(cp)) {
            return 0;
        }
    }
    return words >= 2 && words <= 6;
}

static int is_signer_aside(const struct line *ln)
{
    return starts(ln->f, "(ky") || starts(ln->f, "(da ky") || starts(ln->f, "da ky") ||
           starts(ln->f, "noi nhan") || starts(ln->f, "- ") || starts(ln->f, "-") ||
           starts(ln->f, "+ ") || is_rule(ln);
}

/* a line of a signer's title: capitals, mostly letters */
static int is_title_line(const struct line *ln)
{
    int letters = 0, other = 0;
    for (size_t i = 0; i < ln->flen; i++) {
        if (isalpha((unsigned char)ln->f[i]))
            letters++;
        else if (ln->f[i] != ' ' && ln->f[i] != '.')
            other++;
    }
    return ln->caps && letters >= 3 && letters >= 3 * other;
}

/* noise a seal or a signature leaves between the title and the name:
 * a short line that is neither capitals nor a name */
static int is_noise(const struct line *ln)
{
    size_t skip;
    return ln->flen <= 12 && !is_title_line(ln) && !is_name(ln, &skip);
}

static int find_signer_in(struct ctx *c, struct page *p);

/* the signer block: at the end, or before an annex (PHỤ LỤC, tables) */
static void find_signer(struct ctx *c)
{
    if (find_signer_in(c, &c->tail))
        return;
    /* the page before an annex (the tail's last lines are the annex's) */
    for (size_t i = c->np >= 2 ? c->np - 1 : 0; i-- > 0;)
        if (find_signer_in(c, &c->pages[i]))
            return;
}

static int find_signer_in(struct ctx *c, struct page *p)
{
    int name = -1, anchor = -1;
    size_t skip = 0;
    float conf = 0.85f;
    for (int i = (int)p->n - 1; i >= 0 && i >= (int)p->n - 40; i--) {
        struct line *ln = &p->l[i];
        if (ln->blank || is_signer_aside(ln))
            continue;
        if (is_name(ln, &skip)) {
            name = i;
            break;
        }
    }
    if (name < 0) {
        /* "sùi Đức Thịnh": a first letter misread; kept, flagged */
        for (int i = (int)p->n - 1; i >= 0 && i >= (int)p->n - 12 && name < 0; i--) {
            struct line *ln = &p->l[i];
            const char *sp = strchr(ln->f, ' ');
            if (ln->blank || is_signer_aside(ln) || ln->caps || !sp || sp == ln->f)
                continue;
            struct line rest = *ln;
            size_t off = (size_t)(sp - ln->f) + 1;
            rest.f = ln->f + off;
            rest.map = ln->map + off;
            rest.flen = ln->flen - off;
            if (is_name(&rest, &skip) && islower((unsigned char)ln->f[0])) {
                name = i;
                skip = 0;
                conf = 0.5f;
            }
        }
    }
    if (name >= 0)
        set(c, META_SIGNER_NAME, orig(&p->l[name], skip, p->l[name].flen), conf);
    anchor = name;
    if (anchor < 0) {
        /* no name read (a seal over it): the title still is; start below
         * the last line in capitals near the end */
        static const char *const titles[] = {
            "chu tich", "giam doc", "truong phong", "truong khoa", "truong ban",
            "hieu truong", "bo truong", "thu truong", "chanh van phong", "bi thu",
            "cuc truong", "vu truong", "tm.", "kt.", "tl.", "tuq.", "nguoi tiep nhan",
            "nguoi nop", "nguoi yeu cau", "nguoi lap", "to truong", "truong thon", NULL};
        for (int i = (int)p->n - 1; i >= 0 && i >= (int)p->n - 12 && anchor < 0; i--) {
            if (!is_title_line(&p->l[i]) || is_motto(&p->l[i]))
                continue;
            /* a title word in this line or the two above it (OCR may
             * damage one: "HÁNH VĂN PHÒNG" under "TL. CHỦ TỊCH") */
            for (int k = i; k >= 0 && k >= i - 2 && anchor < 0; k--)
                for (int t = 0; titles[t] && is_title_line(&p->l[k]); t++)
                    if (strstr(p->l[k].f, titles[t]))
                        anchor = i + 1;
            if (anchor < 0)
                break;  /* the last capitals are something else: a heading */
        }
        if (anchor < 0)
            return name >= 0;
    }
    /* the title: lines in capitals above the name, recipients and the
     * noise of a seal aside */
    int top = -1, bottom = -1, noise = 0;
    for (int i = anchor - 1; i >= 0 && i >= anchor - 16; i--) {
        struct line *ln = &p->l[i];
        if (ln->blank || is_signer_aside(ln)) {
            if (top >= 0 && top - i > 3)
                break;
            continue;
        }
        if (is_noise(ln) && noise++ < 4)
            continue;   /* a seal's or signature's marks, in or under the block */
        if (!is_title_line(ln) || is_motto(ln) || isdigit((unsigned char)ln->f[0]) ||
            ln->flen > 60)
            break;
        /* roman-numbered heading of the body ("III. TỔ CHỨC THỰC HIỆN") */
        if (ln->f[0] && strchr("iv", ln->f[0]) && ln->f[strspn(ln->f, "ivx")] == '.')
            break;
        if (bottom < 0)
            bottom = i;
        top = i;
    }
    if (top < 0)
        return name >= 0;
    struct strbuf sb = STRBUF_INIT;
    for (int i = top; i <= bottom; i++) {
        struct line *ln = &p->l[i];
        if (ln->blank || is_signer_aside(ln) || !is_title_line(ln))
            continue;
        /* stray marks before the title ("ẨN- CHỦ TỊCH"): from the first
         * word of letters, or a prefix (TM.) */
        size_t a = 0;
        while (a < ln->flen) {
            size_t e = a;
            while (e < ln->flen && ln->f[e] != ' ')
                e++;
            int letters = 1;
            for (size_t k = a; k < e; k++)
                if (!isalpha((unsigned char)ln->f[k]) && !(ln->f[k] == '.' && k + 1 == e))
                    letters = 0;
            if (letters && e > a)
                break;
            a = e;
            while (a < ln->flen && ln->f[a] == ' ')
                a++;
        }
        char *t = orig(ln, a, ln->flen);
        if (t && *t) {
            if (sb.len)
                strbuf_adds(&sb, " ");
            strbuf_adds(&sb, t);
        }
        free(t);
    }
    char *title = strbuf_detach(&sb, NULL);
    set(c, META_SIGNER_TITLE, title, 0.85f);
    static const char *const prefixes[] = {"TM", "KT", "TL", "TUQ", "Q", NULL};
    title = c->m->f[META_SIGNER_TITLE].value;
    for (int k = 0; title && prefixes[k]; k++) {
        size_t n = strlen(prefixes[k]);
        if (strncmp(title, prefixes[k], n) == 0 && (title[n] == '.' || title[n] == ' ')) {
            char pre[8];
            snprintf(pre, sizeof pre, "%s.", prefixes[k]);
            set(c, META_SIGNER_PREFIX, strdup(pre), title[n] == '.' ? 0.95f : 0.75f);
            break;
        }
    }
    return 1;
}

static void find_recipients(struct ctx *c)
{
    for (size_t pg = c->np + 1; pg-- > 0;) {
        if (pg + 2 >= c->np && pg != c->np)
            continue;   /* in the tail */
        struct page *p = pg == c->np ? &c->tail : &c->pages[pg];
        for (size_t i = 0; i < p->n; i++) {
            if (!starts(p->l[i].f, "noi nhan"))
                continue;
            struct strbuf sb = STRBUF_INIT;
            for (size_t k = i + 1; k < p->n && k < i + 30; k++) {
                struct line *ln = &p->l[k];
                if (ln->blank)
                    continue;
                if (starts(ln->f, "(da ky") || starts(ln->f, "(ky") ||
                    starts(ln->f, "da ky"))
                    break;
                int item = starts(ln->f, "-") || starts(ln->f, "+") ||
                           starts(ln->f, "*");
                if (!item && (ln->caps || !sb.len))
                    break;
                size_t skip = 0;
                if (!item && is_name(ln, &skip))
                    break;
                const char *f = ln->f;
                size_t a = 0;
                while (f[a] == ' ' || f[a] == '-' || f[a] == '+' || f[a] == '*')
                    a++;
                char *t = orig(ln, a, ln->flen);
                if (t && *t) {
                    if (sb.len)
                        strbuf_adds(&sb, item ? "\n" : " ");
                    strbuf_adds(&sb, t);
                }
                free(t);
            }
            set(c, META_RECIPIENTS, strbuf_detach(&sb, NULL), 0.8f);
            return;
        }
    }
}

/* ---- codes and personal numbers ---- */

static void add_unique(struct strbuf *sb, const char *v)
{
    if (sb->buf) {
        size_t n = strlen(v);
        for (const char *p = sb->buf; (p = strstr(p, v)) != NULL; p++)
            if ((p == sb->buf || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
                return;
    }
    if (sb->len)
        strbuf_adds(sb, "\n");
    strbuf_adds(sb, v);
}

static void mask(const char *digits, size_t n, const char *kind, struct strbuf *out)
{
    char buf[64];
    size_t o = (size_t)snprintf(buf, sizeof buf, "%s ", kind);
    for (size_t i = 0; i < n && o + 1 < sizeof buf; i++)
        buf[o++] = i < 4 || i + 2 >= n ? digits[i] : 'x';
    buf[o] = '\0';
    add_unique(out, buf);
}

static void find_codes(struct ctx *c)
{
    struct strbuf dossier = STRBUF_INIT, result = STRBUF_INIT, proc = STRBUF_INIT;
    struct strbuf ids = STRBUF_INIT;
    int proc_ctx = 0;
    for (size_t pg = 0; pg < c->np; pg++) {
        struct page *p = &c->pages[pg];
        for (size_t i = 0; i < p->n; i++) {
            struct line *ln = &p->l[i];
            regmatch_t mt[3];
            const char *f = ln->f;
            size_t off = 0;
            while (regexec(c->re_dossier, f + off, 3, mt, off ? REG_NOTBOL : 0) == 0) {
                size_t a = off + (size_t)mt[1].rm_so, b = off + (size_t)mt[1].rm_eo;
                /* from the folded line: plain ASCII once the pattern matched
                 * (an en dash or a stray mark in the text does not stay) */
                char *code = strndup(f + a, b - a);
                if (code) {
                    for (char *q = code; *q; q++)
                        *q = (char)toupper((unsigned char)*q);
                    if (mt[2].rm_so >= 0 && mt[2].rm_eo > mt[2].rm_so) {
                        add_unique(&result, code);
                        code[strlen(code) - (size_t)(mt[2].rm_eo - mt[2].rm_so)] = '\0';
                    }
                    add_unique(&dossier, code);
                }
                free(code);
                off = b;
            }
            off = 0;
            while (regexec(c->re_proc, f + off, 3, mt, off ? REG_NOTBOL : 0) == 0) {
                size_t a = off + (size_t)mt[2].rm_so, b = off + (size_t)mt[2].rm_eo;
                char *v = strndup(f + a, b - a);
                if (v)
                    add_unique(&proc, v);
                free(v);
                proc_ctx |= has_word(f, "thu tuc") || has_word(f, "tthc") != NULL;
                off = b;
            }
            /* digit runs (spaces and dots inside allowed for phones) */
            for (size_t k = 0; k < ln->flen;) {
                if (!isdigit((unsigned char)f[k]) || (k && (isalnum((unsigned char)f[k - 1]) ||
                                                            f[k - 1] == '.' || f[k - 1] == '/'))) {
                    k++;
                    continue;
                }
                char d[32];
                size_t nd = 0, e = k, group = 0;
                while (e < ln->flen && nd < sizeof d - 1) {
                    if (isdigit((unsigned char)f[e])) {
                        d[nd++] = f[e++];
                        group++;
                    } else if ((f[e] == ' ' || f[e] == '.') && e + 1 < ln->flen &&
                               isdigit((unsigned char)f[e + 1]) && d[0] == '0' &&
                               (group == 3 || group == 4) && nd < 10) {
                        e++;   /* a phone in groups: 0912 604 385, 0912.604.385 */
                        group = 0;
                    } else {
                        break;
                    }
                }
                int bounded = e >= ln->flen || !isalnum((unsigned char)f[e]);
                if (bounded && (e >= ln->flen || (f[e] != '/' && f[e] != '-'))) {
                    if (nd == 12)
                        mask(d, nd, "CCCD", &ids);
                    else if (nd == 10 && d[0] == '0')
                        mask(d, nd, "phone", &ids);
                    else if (nd == 9)
                        mask(d, nd, "CMND", &ids);
                }
                k = e > k ? e : k + 1;
            }
        }
    }
    set(c, META_DOSSIER_CODES, strbuf_detach(&dossier, NULL), 0.95f);
    set(c, META_RESULT_CODES, strbuf_detach(&result, NULL), 0.95f);
    set(c, META_PROCEDURE_CODES, strbuf_detach(&proc, NULL), proc_ctx ? 0.9f : 0.6f);
    set(c, META_PERSONAL_IDS, strbuf_detach(&ids, NULL), 0.9f);
}

/* the folded line patterns (see fold_line), compiled once for all threads */
static struct {
    regex_t num, date, place, vv, dossier, proc;
    int ok;
} patterns;
static pthread_once_t patterns_once = PTHREAD_ONCE_INIT;

static void compile_patterns(void)
{
    patterns.ok =
        regcomp(&patterns.num,
                "^[^a-z0-9]{0,3}s[o0][[:space:]]*[:;.,]?[[:space:]]*([^/ ]{0,8})[[:space:]]*"
                "/[[:space:]]*([a-z][a-z0-9&.]*([[:space:]]*[-/][[:space:]]*[a-z0-9&.]+)*)",
                REG_EXTENDED) == 0 &&
        regcomp(&patterns.date,
                "^[^a-z]*([a-z][^,]*),?[[:space:]]*ngay[[:space:]]*([0-9]{1,2})[[:space:]]*"
                "thang[[:space:]]*([0-9]{1,2})[[:space:]]*nam[[:space:]]*([0-9]{4})([^0-9]|$)",
                REG_EXTENDED) == 0 &&
        regcomp(&patterns.place, "^[^a-z]*([a-z][^,]*),[[:space:]]*ngay", REG_EXTENDED) == 0 &&
        regcomp(&patterns.vv, "^[^a-z]{0,3}(\\(?v[/|l1i]v[[:space:]]*[:.]?)",
                REG_EXTENDED) == 0 &&
        regcomp(&patterns.dossier,
                "([0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[a-z][0-9]{2}-[0-9]{6}-[0-9]{4}"
                "(-kq[0-9]{1,3})?)", REG_EXTENDED) == 0 &&
        regcomp(&patterns.proc, "(^|[^0-9.])([123]\\.[0-9]{6})([^0-9]|$)",
                REG_EXTENDED) == 0;
}

static int patterns_ready(void)
{
    return pthread_once(&patterns_once, compile_patterns) == 0 && patterns.ok;
}

int meta_extract(const char *const *texts, const char *const *hocrs, size_t npages,
                 struct meta *m)
{
    struct ctx c;
    int rc = -1;

    memset(m, 0, sizeof *m);
    memset(&c, 0, sizeof c);
    c.m = m;
    c.num_pg = c.num_ln = c.date_pg = c.date_ln = c.type_pg = c.type_ln = c.vv_ln = -1;
    if (npages == 0)
        return 0;
    c.pages = calloc(npages, sizeof *c.pages);
    if (!c.pages)
        return -1;
    for (size_t i = 0; i < npages; i++) {
        if (page_split(texts[i], &c.pages[i]) < 0)
            goto out;
        c.np = i + 1;
    }
    {
        struct strbuf t = STRBUF_INIT;
        if (npages > 1) {
            strbuf_adds(&t, texts[npages - 2] ? texts[npages - 2] : "");
            strbuf_adds(&t, "\n\n");
        }
        strbuf_adds(&t, texts[npages - 1] ? texts[npages - 1] : "");
        c.tailtext = strbuf_detach(&t, NULL);
        if (!c.tailtext || page_split(c.tailtext, &c.tail) < 0)
            goto out;
    }
    for (size_t i = 0; hocrs && i < npages; i++)
        if (hocrs[i] && (i == 0 || i == npages - 1))
            confs_add_hocr(&c.confs, hocrs[i]);
    if (!patterns_ready())
        goto out;
    c.re_num = &patterns.num;
    c.re_date = &patterns.date;
    c.re_place = &patterns.place;
    c.re_vv = &patterns.vv;
    c.re_dossier = &patterns.dossier;
    c.re_proc = &patterns.proc;

    /* the header: from the first page, else from the last (văn bản hợp nhất) */
    if (!find_number(&c, 0) && npages > 1)
        find_number(&c, (int)npages - 1);
    /* the place alone (the day handwritten): on the first page, or in the
     * last page's signing block (văn bản hợp nhất) */
    if (!find_date(&c, 0) && !(npages > 1 && find_date(&c, (int)npages - 1)) &&
        !find_place_only(&c, 0, 0) && npages > 1) {
        const struct page *last = &c.pages[npages - 1];
        find_place_only(&c, (int)npages - 1, last->n > 40 ? last->n - 40 : 0);
    }
    find_vv(&c);
    int heading = find_type(&c, 0, c.num_pg == 0 ? (size_t)c.num_ln + 1 : 0);
    decide_type(&c, heading);
    find_subject(&c);
    find_agency(&c);
    find_marks(&c);
    set(&c, META_MODE, strdup(m->f[META_SECRECY].value ? "03" : "01"),
        m->f[META_SECRECY].value ? m->f[META_SECRECY].conf : 0.9f);
    find_signer(&c);
    find_recipients(&c);
    find_codes(&c);
    rc = 0;
out:
    for (size_t i = 0; i < c.np; i++)
        page_free(&c.pages[i]);
    free(c.pages);
    page_free(&c.tail);
    free(c.tailtext);
    confs_free(&c.confs);
    if (rc < 0)
        meta_release(m);
    return rc;
}

void meta_release(struct meta *m)
{
    for (int i = 0; i < META_NFIELDS; i++)
        free(m->f[i].value);
    memset(m, 0, sizeof *m);
}

int meta_validate(enum meta_field f, char *value, char *why, size_t whysz)
{
    if ((unsigned)f >= META_NFIELDS) {
        snprintf(why, whysz, "unknown field");
        return -1;
    }
    if (!util_utf8_valid(value, strlen(value))) {
        snprintf(why, whysz, "not valid UTF-8");
        return -1;
    }
    switch (f) {
    case META_DATE: {
        int ok = strlen(value) == 10;
        for (int i = 0; ok && i < 10; i++)
            ok = (i == 4 || i == 7) ? value[i] == '-' : isdigit((unsigned char)value[i]);
        if (!ok || !valid_date(atoi(value + 8), atoi(value + 5), atoi(value))) {
            snprintf(why, whysz, "'%s' is not a date: write YYYY-MM-DD", value);
            return -1;
        }
        return 0;
    }
    case META_MODE:
        if (strcmp(value, "01") && strcmp(value, "02") && strcmp(value, "03")) {
            snprintf(why, whysz, "mode is 01 (Công khai), 02 (Có điều kiện) or 03 (Mật)");
            return -1;
        }
        return 0;
    case META_NUMBER:
        if (strlen(value) > 11) {
            snprintf(why, whysz, "a number has at most 11 characters");
            return -1;
        }
        return 0;
    case META_NOTATION: {
        char *c = clean_code(value);
        if (!c)
            return -1;
        if (strlen(c) > 30) {
            free(c);
            snprintf(why, whysz, "a notation has at most 30 characters");
            return -1;
        }
        strcpy(value, c);   /* never longer than value */
        free(c);
        return 0;
    }
    case META_SECRECY:
    case META_URGENCY:
    case META_CIRCULATION: {
        static const char *const lists[3][5] = {
            {"MẬT", "TỐI MẬT", "TUYỆT MẬT", NULL},
            {"KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", NULL},
            {"LƯU HÀNH NỘI BỘ", "XEM XONG TRẢ LẠI", "TRẢ LẠI SAU KHI HỌP (HỘI NGHỊ)",
             "KHÔNG PHỔ BIẾN", NULL}};
        const char *const *l = lists[f == META_SECRECY ? 0 : f == META_URGENCY ? 1 : 2];
        struct strbuf sb = STRBUF_INIT;
        for (int i = 0; l[i]; i++) {
            if (strcmp(value, l[i]) == 0) {
                strbuf_release(&sb);
                return 0;
            }
            strbuf_addf(&sb, "%s%s", i ? ", " : "", l[i]);
        }
        snprintf(why, whysz, "'%s' is not one of: %s", value, sb.buf ? sb.buf : "");
        strbuf_release(&sb);
        return -1;
    }
    case META_SUBJECT: {
        size_t chars = 0;
        for (const char *q = value; *q; q++)
            chars += ((unsigned char)*q & 0xC0) != 0x80;
        if (chars > 500) {
            snprintf(why, whysz, "a subject has at most 500 characters");
            return -1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

int meta_split_number(const char *s, char **number, char **notation)
{
    *number = *notation = NULL;
    const char *slash = strchr(s, '/');
    if (!slash)
        return -1;
    size_t a = 0;
    while (s + a < slash && s[a] == ' ')
        a++;
    size_t n = (size_t)(slash - s) - a;
    while (n && s[a + n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[a + i]))
            return -1;
    *number = strndup(s + a, n);
    *notation = clean_code(slash + 1);
    if (!*number || !*notation || !**notation) {
        free(*number);
        free(*notation);
        *number = *notation = NULL;
        return -1;
    }
    return 0;
}

int meta_opens_document(const char *text)
{
    struct page p;
    if (page_split(text, &p) < 0)
        return 0;
    int motto = 0, number = 0, seen = 0;
    for (size_t i = 0; i < p.n && seen < 14; i++) {
        const struct line *ln = &p.l[i];
        if (ln->blank || ln->flen < 2)
            continue;
        seen++;
        if (has_word(ln->f, "cong hoa") || (has_word(ln->f, "doc lap") &&
                                            has_word(ln->f, "hanh phuc")))
            motto = 1;
        /* "Số: 12/QĐ-UBND", "Số:   /TB-UBND" with a capital S */
        const char *f = ln->f;
        while (*f == ' ')
            f++;
        size_t at = (size_t)(f - ln->f);
        if (f[0] == 's' && f[1] == 'o' && ln->s[ln->map[at]] == 'S') {
            const char *q = f + 2;
            while (*q == ' ')
                q++;
            if (*q == ':' && strchr(q, '/'))
                number = 1;
        }
    }
    page_free(&p);
    return motto && number;
}
