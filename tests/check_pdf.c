/*
 * check_pdf.c - two-layer PDFs: page parts for each kind of image and
 * orientation, joined into documents that poppler (pdfinfo, pdftotext,
 * pdftoppm) reads back: page count and size, the text layer word for word
 * and where it lies, the image drawn upright, a valid xref, atomic writes,
 * and refusal of damaged parts.
 */
#include <check.h>
#include <dirent.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "pdf.h"
#include "util.h"
#define TESTUTIL_DIRS
#include "testutil.h"

#define FONT "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf"
#define PAGE_W 1240
#define PAGE_H 1754
#define DPI 150
#define PI 3.14159265358979323846

/* ---- scratch folders ---- */



/* names in t_dir holding `part` */
static int count_entries(const char *part)
{
    DIR *d = opendir(t_dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strstr(e->d_name, part))
            n++;
    closedir(d);
    return n;
}

static const void *find_bytes(const void *hay, size_t hn, const void *needle, size_t nn)
{
    const unsigned char *h = hay;
    if (nn == 0 || nn > hn)
        return NULL;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == *(const unsigned char *)needle && memcmp(h + i, needle, nn) == 0)
            return h + i;
    return NULL;
}

/* Run a shell command; stdout into *out (malloc'd), stderr into *err. */
static int run(const char *cmd, char **out, char **err)
{
    char *errfile = tpath("stderr.txt");
    size_t n = strlen(cmd) + strlen(errfile) + 16;
    char *full = malloc(n);
    ck_assert_ptr_nonnull(full);
    snprintf(full, n, "%s 2>'%s'", cmd, errfile);
    FILE *p = popen(full, "r");
    ck_assert_msg(p != NULL, "cannot run %s", cmd);
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0)
        strbuf_add(&sb, buf, k);
    int status = pclose(p);
    *out = strbuf_detach(&sb, NULL);
    uint8_t *e = NULL;
    size_t elen = 0;
    util_read_file(errfile, &e, &elen);
    unlink(errfile);
    if (err)
        *err = e ? (char *)e : strdup("");
    else
        free(e);
    free(errfile);
    free(full);
    return status;
}

/* ---- a synthetic page ---- */

struct rect {
    int x, y, w, h;
};

/* black blocks placed so that any turn or flip of the page moves them */
static const struct rect g_rects[] = {
    {80, 80, 600, 200},     /* header block, top left */
    {900, 1380, 260, 300},  /* stamp, bottom right */
    {80, 700, 1000, 24},    /* a rule across */
    {1000, 150, 60, 420},   /* a bar, top right */
};

static PIX *make_page8(void)
{
    PIX *pix = pixCreate(PAGE_W, PAGE_H, 8);
    ck_assert_ptr_nonnull(pix);
    pixSetAll(pix); /* white */
    for (size_t i = 0; i < sizeof g_rects / sizeof *g_rects; i++)
        pixRasterop(pix, g_rects[i].x, g_rects[i].y, g_rects[i].w, g_rects[i].h, PIX_CLR,
                    NULL, 0, 0);
    pixSetResolution(pix, DPI, DPI);
    return pix;
}

static PIX *make_page32(void)
{
    PIX *g = make_page8();
    PIX *c = pixConvertTo32(g);
    ck_assert_ptr_nonnull(c);
    /* a red stamp inside the white area */
    BOX *b = boxCreate(200, 1400, 300, 200);
    pixSetInRectArbitrary(c, b, 0xff000000); /* RGBA: red */
    boxDestroy(&b);
    pixSetResolution(c, DPI, DPI);
    pixDestroy(&g);
    return c;
}

/* the words of the page, in recognised-image (upright) coordinates */
static const struct ocr_word g_words[] = {
    {(char *)"Quyết", 100, 400, 230, 440, 436, 44, 95, 0},
    {(char *)"định", 250, 400, 350, 440, 436, 44, 95, 0},
    {(char *)"số", 370, 404, 420, 440, 436, 44, 95, 0},
    {(char *)"04/QĐ-UBND", 440, 400, 700, 440, 436, 44, 95, 1},
    {(char *)"Độc", 100, 500, 180, 540, 536, 44, 90, 0},
    {(char *)"lập", 200, 500, 270, 548, 536, 44, 90, 0},
    {(char *)"", 280, 500, 290, 540, 536, 44, 90, 0},
    {(char *)"Hạnh", 300, 500, 400, 540, 536, 44, 90, 0},
    {(char *)"phúc", 420, 500, 520, 548, 536, 44, 90, 1},
};
#define NWORDS (sizeof g_words / sizeof *g_words)

enum kind { K_JPEG, K_JPEG_RGB, K_PNG, K_G4, K_RGB, K_NKINDS };
static const char *const kind_name[] = {"jpeg", "jpeg-rgb", "png", "g4", "rgb"};

struct page_src {
    uint8_t *data;  /* the "file" bytes, lept-allocated */
    size_t len;
    PIX *orig;      /* its decoded image */
    PIX *shown;     /* what the page should look like, unturned (8 bpp grey) */
};

static void page_src_make(enum kind k, struct page_src *s)
{
    memset(s, 0, sizeof *s);
    PIX *g = make_page8();
    int rc = 0;
    switch (k) {
    case K_JPEG:
        rc = pixWriteMem(&s->data, &s->len, g, IFF_JFIF_JPEG);
        s->orig = pixReadMem(s->data, s->len);
        break;
    case K_JPEG_RGB: {
        PIX *c = make_page32();
        rc = pixWriteMemJpeg(&s->data, &s->len, c, 90, 0);
        s->orig = pixReadMem(s->data, s->len);
        pixDestroy(&c);
        break;
    }
    case K_PNG:
        rc = pixWriteMem(&s->data, &s->len, g, IFF_PNG);
        s->orig = pixReadMem(s->data, s->len);
        break;
    case K_G4: {
        PIX *b = pixConvertTo1(g, 128);
        pixSetResolution(b, DPI, DPI);
        rc = pixWriteMemTiff(&s->data, &s->len, b, IFF_TIFF_G4);
        s->orig = b;
        break;
    }
    case K_RGB: {
        PIX *c = make_page32();
        rc = pixWriteMem(&s->data, &s->len, c, IFF_PNG);
        s->orig = c;
        break;
    }
    default:
        break;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(s->data);
    ck_assert_ptr_nonnull(s->orig);
    ck_assert_int_eq(pixGetWidth(s->orig), PAGE_W);
    ck_assert_int_eq(pixGetHeight(s->orig), PAGE_H);
    s->shown = pixConvertTo8(s->orig, 0);
    if (pixGetDepth(s->orig) == 32) {
        pixDestroy(&s->shown);
        s->shown = pixConvertRGBToLuminance(s->orig);
    }
    ck_assert_ptr_nonnull(s->shown);
    pixDestroy(&g);
}

static void page_src_free(struct page_src *s)
{
    lept_free(s->data);
    pixDestroy(&s->orig);
    pixDestroy(&s->shown);
}

static struct pdf_page_geom geom(int quads, float skew)
{
    struct pdf_page_geom g;
    g.quads = quads;
    g.skew = skew;
    g.dpi = DPI;
    g.rec_w = (quads & 1) ? PAGE_H : PAGE_W;
    g.rec_h = (quads & 1) ? PAGE_W : PAGE_H;
    g.rec_scale = 1.0;
    return g;
}

/* Build a part and write it to t_dir/name; returns the path (malloc'd). */
static char *write_part(const char *name, enum kind k, int quads, float skew)
{
    struct page_src s;
    page_src_make(k, &s);
    struct pdf_page_geom g = geom(quads, skew);
    struct strbuf out = STRBUF_INIT;
    enum sohoa_err e = pdf_page_build(s.data, s.len, s.orig, &g, g_words, NWORDS, &out);
    ck_assert_int_eq(e, SOHOA_OK);
    char *path = tpath(name);
    ck_assert_int_eq(util_write_atomic(path, out.buf, out.len), SOHOA_OK);
    strbuf_release(&out);
    page_src_free(&s);
    return path;
}

static double pts(int px)
{
    return px * 72.0 / DPI;
}

/* ---- page parts ---- */

/* the part header: "size W H" with the page turned upright */
static void assert_part_size(const struct strbuf *out, int quads)
{
    static const char magic[] = "SOHOA-PAGE 1\n";
    ck_assert_uint_gt(out->len, sizeof magic);
    ck_assert_int_eq(memcmp(out->buf, magic, sizeof magic - 1), 0);
    double w = 0, h = 0;
    ck_assert_int_eq(sscanf(out->buf + sizeof magic - 1, "size %lf %lf", &w, &h), 2);
    double ew = pts((quads & 1) ? PAGE_H : PAGE_W), eh = pts((quads & 1) ? PAGE_W : PAGE_H);
    ck_assert_double_eq_tol(w, ew, 0.002);
    ck_assert_double_eq_tol(h, eh, 0.002);
}

START_TEST(test_part_jpeg_passthrough)
{
    for (int k = K_JPEG; k <= K_JPEG_RGB; k++) {
        struct page_src s;
        page_src_make((enum kind)k, &s);
        for (int q = 0; q < 4; q++) {
            struct pdf_page_geom g = geom(q, 0);
            struct strbuf out = STRBUF_INIT;
            ck_assert_int_eq(pdf_page_build(s.data, s.len, s.orig, &g, g_words, NWORDS, &out),
                             SOHOA_OK);
            assert_part_size(&out, q);
            ck_assert_msg(find_bytes(out.buf, out.len, s.data, s.len) != NULL,
                          "%s bytes not embedded as they are", kind_name[k]);
            ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/DCTDecode", 10));
            ck_assert_ptr_null(find_bytes(out.buf, out.len, "/FlateDecode", 12));
            const char *cs = k == K_JPEG ? "/DeviceGray" : "/DeviceRGB";
            ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, cs, strlen(cs)));
            ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/Width 1240 /Height 1754", 24));
            strbuf_release(&out);
        }
        page_src_free(&s);
    }
}
END_TEST

START_TEST(test_part_jpeg_other_size_not_passed_through)
{
    /* JPEG bytes that do not match the decoded image are not embedded */
    struct page_src s, other;
    page_src_make(K_JPEG, &s);
    page_src_make(K_PNG, &other);
    PIX *small = pixScale(other.orig, 0.5f, 0.5f);
    struct pdf_page_geom g = geom(0, 0);
    struct strbuf out = STRBUF_INIT;
    ck_assert_int_eq(pdf_page_build(s.data, s.len, small, &g, NULL, 0, &out), SOHOA_OK);
    ck_assert_ptr_null(find_bytes(out.buf, out.len, s.data, s.len));
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/FlateDecode", 12));
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/Width 620 /Height 877", 22));
    strbuf_release(&out);
    pixDestroy(&small);
    page_src_free(&s);
    page_src_free(&other);
}
END_TEST

START_TEST(test_part_png_flate)
{
    struct page_src s;
    page_src_make(K_PNG, &s);
    struct pdf_page_geom g = geom(1, 1.5f);
    struct strbuf out = STRBUF_INIT;
    ck_assert_int_eq(pdf_page_build(s.data, s.len, s.orig, &g, g_words, NWORDS, &out),
                     SOHOA_OK);
    assert_part_size(&out, 1);
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/FlateDecode", 12));
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/DeviceGray", 11));
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/BitsPerComponent 8", 19));
    ck_assert_ptr_null(find_bytes(out.buf, out.len, "/DCTDecode", 10));
    ck_assert_ptr_null(find_bytes(out.buf, out.len, s.data, s.len));
    /* the text layer: invisible, "Quyết" as UTF-16 */
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "3 Tr", 4));
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "<0051007500791EBF0074", 21));
    ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, " Tz", 3));
    /* no empty string shown for the empty word */
    ck_assert_ptr_null(find_bytes(out.buf, out.len, "<> Tj", 5));
    strbuf_release(&out);
    page_src_free(&s);
}
END_TEST

START_TEST(test_part_g4)
{
    struct page_src s;
    page_src_make(K_G4, &s);
    ck_assert_int_eq(pixGetDepth(s.orig), 1);
    for (int q = 0; q < 4; q++) {
        struct pdf_page_geom g = geom(q, q == 2 ? 1.5f : 0);
        struct strbuf out = STRBUF_INIT;
        ck_assert_int_eq(pdf_page_build(s.data, s.len, s.orig, &g, g_words, NWORDS, &out),
                         SOHOA_OK);
        assert_part_size(&out, q);
        ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/CCITTFaxDecode", 15));
        ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/K -1", 5));
        ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/Columns 1240 /Rows 1754", 24));
        ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/BitsPerComponent 1", 19));
        strbuf_release(&out);
    }
    page_src_free(&s);
}
END_TEST

START_TEST(test_part_rgb)
{
    struct page_src s;
    page_src_make(K_RGB, &s);
    ck_assert_int_eq(pixGetDepth(s.orig), 32);
    for (int q = 0; q < 4; q++) {
        struct pdf_page_geom g = geom(q, q == 3 ? -1.5f : 0);
        struct strbuf out = STRBUF_INIT;
        ck_assert_int_eq(pdf_page_build(s.data, s.len, s.orig, &g, g_words, NWORDS, &out),
                         SOHOA_OK);
        assert_part_size(&out, q);
        ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/DeviceRGB", 10));
        ck_assert_ptr_nonnull(find_bytes(out.buf, out.len, "/FlateDecode", 12));
        strbuf_release(&out);
    }
    page_src_free(&s);
}
END_TEST

/* ---- documents ---- */

/* Check the cross-reference table by hand: every in-use entry points at
 * "N 0 obj" and startxref points at "xref". Returns the object count. */
static int check_xref(const char *pdf)
{
    uint8_t *d = NULL;
    size_t n = 0;
    ck_assert_int_eq(util_read_file(pdf, &d, &n), SOHOA_OK);
    const char *s = (const char *)d;
    ck_assert_msg(n > 32 && memcmp(s, "%PDF-1.", 7) == 0, "no PDF header");
    /* the last startxref */
    const char *sx = NULL;
    for (const char *p = find_bytes(s, n, "startxref", 9); p;
         p = find_bytes(p + 1, n - (size_t)(p + 1 - s), "startxref", 9))
        sx = p;
    ck_assert_msg(sx != NULL, "no startxref");
    long off = strtol(sx + 9, NULL, 10);
    ck_assert_msg(off > 0 && (size_t)off < n, "startxref %ld out of range", off);
    ck_assert_msg(memcmp(s + off, "xref", 4) == 0, "startxref does not point at xref");
    const char *p = s + off + 4;
    int first = -1, count = -1;
    ck_assert_int_eq(sscanf(p, " %d %d", &first, &count), 2);
    ck_assert_int_eq(first, 0);
    p = strchr(p + 1, '\n');
    ck_assert_ptr_nonnull(p);
    p++;
    for (int i = 0; i < count; i++) {
        /* each entry is exactly 20 bytes */
        ck_assert_msg(p + 20 <= s + n, "xref truncated");
        long o = strtol(p, NULL, 10);
        char type = p[17];
        if (i == 0) {
            ck_assert_int_eq(type, 'f');
        } else {
            ck_assert_msg(type == 'n', "object %d not in use", i);
            ck_assert_msg(o > 0 && (size_t)o < n, "object %d offset %ld", i, o);
            char want[32];
            int wl = snprintf(want, sizeof want, "%d 0 obj", i);
            ck_assert_msg(memcmp(s + o, want, (size_t)wl) == 0,
                          "xref entry %d points at '%.12s'", i, s + o);
        }
        p += 20;
    }
    ck_assert_msg(memcmp(p, "trailer", 7) == 0, "no trailer after the xref table");
    char size[32];
    snprintf(size, sizeof size, "/Size %d", count);
    ck_assert_ptr_nonnull(find_bytes(p, n - (size_t)(p - s), size, strlen(size)));
    ck_assert_msg(find_bytes(s + n - 7, 7, "%%EOF", 5) != NULL, "no %%%%EOF at the end");
    free(d);
    return count;
}

/* pdfinfo: page count, sizes; asserts it reports no error */
static void assert_pdfinfo(const char *pdf, int npages, const int *quads, const char *title)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdfinfo -f 1 -l %d '%s'", npages, pdf);
    char *out = NULL, *err = NULL;
    int st = run(cmd, &out, &err);
    ck_assert_msg(st == 0, "pdfinfo failed (%d): %s", st, err);
    ck_assert_msg(strstr(err, "Syntax Error") == NULL && strstr(err, "Error") == NULL,
                  "pdfinfo complains: %s", err);
    const char *pg = strstr(out, "\nPages:");
    ck_assert_msg(pg != NULL, "pdfinfo: %s", out);
    ck_assert_int_eq(atoi(pg + 7), npages);
    for (int i = 0; i < npages; i++) {
        char key[32];
        snprintf(key, sizeof key, "Page %4d size:", i + 1);
        const char *l = strstr(out, key);
        ck_assert_msg(l != NULL, "no '%s' in: %s", key, out);
        double w = 0, h = 0;
        ck_assert_int_eq(sscanf(l + strlen(key), " %lf x %lf", &w, &h), 2);
        double ew = pts((quads[i] & 1) ? PAGE_H : PAGE_W);
        double eh = pts((quads[i] & 1) ? PAGE_W : PAGE_H);
        ck_assert_msg(fabs(w - ew) < 0.01 && fabs(h - eh) < 0.01,
                      "page %d (quads %d): %g x %g pts, want %g x %g", i + 1, quads[i], w, h,
                      ew, eh);
    }
    if (title) {
        const char *t = strstr(out, "Title:");
        ck_assert_msg(t != NULL, "no title in: %s", out);
        t += 6;
        while (*t == ' ')
            t++;
        ck_assert_msg(strncmp(t, title, strlen(title)) == 0 && t[strlen(title)] == '\n',
                      "title: %.60s", t);
    }
    free(out);
    free(err);
}

static char *pdftotext(const char *pdf, int page, int bbox)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdftotext %s -enc UTF-8 -f %d -l %d '%s' -",
             bbox ? "-bbox" : "-layout", page, page, pdf);
    char *out = NULL, *err = NULL;
    int st = run(cmd, &out, &err);
    ck_assert_msg(st == 0, "pdftotext failed: %s", err);
    ck_assert_msg(strstr(err, "Error") == NULL, "pdftotext complains: %s", err);
    free(err);
    return out;
}

static void assert_text_layer(const char *pdf, int page)
{
    char *txt = pdftotext(pdf, page, 0);
    ck_assert_msg(util_utf8_valid(txt, strlen(txt)), "pdftotext output not UTF-8");
    ck_assert_msg(strstr(txt, "Quyết định số 04/QĐ-UBND") != NULL,
                  "page %d text layer: [%s]", page, txt);
    ck_assert_msg(strstr(txt, "Độc lập") != NULL && strstr(txt, "Hạnh phúc") != NULL,
                  "page %d text layer: [%s]", page, txt);
    free(txt);
}

/* the word's box as pdftotext -bbox sees it, in points from the top left */
static int word_bbox(const char *bbox, const char *word, double *x1, double *y1, double *x2,
                     double *y2)
{
    char key[64];
    snprintf(key, sizeof key, ">%s</word>", word);
    const char *e = strstr(bbox, key);
    if (!e)
        return -1;
    const char *b = e;
    while (b > bbox && strncmp(b, "<word", 5) != 0)
        b--;
    if (sscanf(b, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", x1, y1, x2,
               y2) != 4)
        return -1;
    return 0;
}

static void assert_word_positions(const char *pdf, int page)
{
    char *bb = pdftotext(pdf, page, 1);
    double x1, y1, x2, y2;
    /* words are placed in upright coordinates whatever the file's turn */
    static const int idx[] = {0, 3, 4, 8};
    for (size_t i = 0; i < sizeof idx / sizeof *idx; i++) {
        const struct ocr_word *w = &g_words[idx[i]];
        ck_assert_msg(word_bbox(bb, w->text, &x1, &y1, &x2, &y2) == 0,
                      "no box for '%s' in: %s", w->text, bb);
        ck_assert_msg(fabs(x1 - pts(w->x1)) < 1.0,
                      "page %d '%s' starts at %.2f pt, want %.2f", page, w->text, x1,
                      pts(w->x1));
        ck_assert_msg(fabs(y2 - pts(w->baseline)) < 2.0 || fabs(y1 - pts(w->y1)) < 2.0,
                      "page %d '%s' at y %.2f..%.2f pt, word %.2f..%.2f", page, w->text, y1,
                      y2, pts(w->y1), pts(w->baseline));
        /* the last word of a line ends where the word ends */
        if (w->eol)
            ck_assert_msg(fabs(x2 - pts(w->x2)) < 1.5, "page %d '%s' ends at %.2f, want %.2f",
                          page, w->text, x2, pts(w->x2));
    }
    free(bb);
}

START_TEST(test_document_three_pages)
{
    static const int quads[3] = {0, 1, 3};
    char *parts[3];
    parts[0] = write_part("p1.part", K_JPEG, quads[0], 0);
    parts[1] = write_part("p2.part", K_PNG, quads[1], 1.5f);
    parts[2] = write_part("p3.part", K_RGB, quads[2], 0);
    char *pdf = tpath("qd-04.pdf");
    char why[512] = "";
    enum sohoa_err e = pdf_join_pages(pdf, parts, 3, FONT, "Quyết định số 04/QĐ-UBND",
                                          why, sizeof why);
    ck_assert_msg(e == SOHOA_OK, "pdf_join_pages: %s", why);
    ck_assert_int_eq(access(pdf, R_OK), 0);
    ck_assert_int_eq(count_entries(".tmp."), 0);

    ck_assert_int_ge(check_xref(pdf), 10);
    assert_pdfinfo(pdf, 3, quads, "Quyết định số 04/QĐ-UBND");
    for (int i = 1; i <= 3; i++) {
        assert_text_layer(pdf, i);
        if (i != 2) /* page 2 is shown turned by its skew */
            assert_word_positions(pdf, i);
    }
    /* the JPEG went in as it was */
    uint8_t *doc = NULL;
    size_t nd = 0;
    ck_assert_int_eq(util_read_file(pdf, &doc, &nd), SOHOA_OK);
    struct page_src s;
    page_src_make(K_JPEG, &s);
    ck_assert_ptr_nonnull(find_bytes(doc, nd, s.data, s.len));
    page_src_free(&s);
    free(doc);
    for (int i = 0; i < 3; i++)
        free(parts[i]);
    free(pdf);
}
END_TEST

START_TEST(test_document_replaces_atomically)
{
    char *parts[2];
    parts[0] = write_part("a.part", K_G4, 0, 0);
    parts[1] = write_part("b.part", K_JPEG_RGB, 2, 0);
    char *pdf = tpath("out.pdf");
    char why[512] = "";
    /* an older version of the output */
    ck_assert_int_eq(util_write_atomic(pdf, "old", 3), SOHOA_OK);
    ck_assert_int_eq(pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why), SOHOA_OK);
    static const int quads[2] = {0, 2};
    assert_pdfinfo(pdf, 2, quads, NULL);
    assert_text_layer(pdf, 1);
    assert_text_layer(pdf, 2);
    assert_word_positions(pdf, 2);
    check_xref(pdf);
    ck_assert_int_eq(count_entries(".tmp."), 0);
    ck_assert_int_eq(count_entries(".pdf"), 1);
    for (int i = 0; i < 2; i++)
        free(parts[i]);
    free(pdf);
}
END_TEST

START_TEST(test_document_scaled_recognition)
{
    /* recognised at twice the file's resolution: word boxes are in the
     * recognised image's pixels and land on the same places of the page */
    struct ocr_word w2[NWORDS];
    for (size_t i = 0; i < NWORDS; i++) {
        w2[i] = g_words[i];
        w2[i].x1 *= 2;
        w2[i].y1 *= 2;
        w2[i].x2 *= 2;
        w2[i].y2 *= 2;
        w2[i].baseline *= 2;
        w2[i].line_height *= 2;
    }
    struct page_src s;
    page_src_make(K_JPEG, &s);
    struct pdf_page_geom g = geom(0, 0);
    g.rec_w *= 2;
    g.rec_h *= 2;
    g.rec_scale = 2.0;
    struct strbuf out = STRBUF_INIT;
    ck_assert_int_eq(pdf_page_build(s.data, s.len, s.orig, &g, w2, NWORDS, &out), SOHOA_OK);
    assert_part_size(&out, 0);
    char *part = tpath("scaled.part");
    ck_assert_int_eq(util_write_atomic(part, out.buf, out.len), SOHOA_OK);
    strbuf_release(&out);
    page_src_free(&s);
    char *pdf = tpath("scaled.pdf");
    char why[512] = "";
    ck_assert_int_eq(pdf_join_pages(pdf, &part, 1, FONT, NULL, why, sizeof why), SOHOA_OK);
    static const int quads[1] = {0};
    assert_pdfinfo(pdf, 1, quads, NULL);
    assert_text_layer(pdf, 1);
    assert_word_positions(pdf, 1);
    free(part);
    free(pdf);
}
END_TEST

/* Render the page with poppler and compare it with the file image turned
 * by its quarter turns (and skew): the image must be shown upright. */
static void render_and_compare(enum kind k, int q, float skew)
{
    char name[64];
    snprintf(name, sizeof name, "r-%s-%d.part", kind_name[k], q);
    char *part = write_part(name, k, q, skew);
    char *pdf = tpath("render.pdf");
    char why[512] = "";
    ck_assert_int_eq(pdf_join_pages(pdf, &part, 1, FONT, NULL, why, sizeof why),
                     SOHOA_OK);
    char *prefix = tpath("render");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdftoppm -r %d -gray -singlefile '%s' '%s'", DPI, pdf, prefix);
    char *out = NULL, *err = NULL;
    int st = run(cmd, &out, &err);
    ck_assert_msg(st == 0 && strstr(err, "Error") == NULL, "pdftoppm: %s", err);
    free(out);
    free(err);
    char *pgm = tpath("render.pgm");
    PIX *got = pixRead(pgm);
    ck_assert_ptr_nonnull(got);

    struct page_src s;
    page_src_make(k, &s);
    PIX *up = pixRotateOrth(s.shown, q);
    if (fabsf(skew) > 0) {
        PIX *r = pixRotate(up, (float)(skew * PI / 180.0), L_ROTATE_AREA_MAP,
                           L_BRING_IN_WHITE, 0, 0);
        pixDestroy(&up);
        up = r;
    }
    ck_assert_int_eq(pixGetWidth(got), pixGetWidth(up));
    ck_assert_int_eq(pixGetHeight(got), pixGetHeight(up));
    ck_assert_int_eq(pixGetDepth(got), 8);
    int w = pixGetWidth(up), h = pixGetHeight(up);
    long differ = 0, dark = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 a = 0, b = 0;
            pixGetPixel(got, x, y, &a);
            pixGetPixel(up, x, y, &b);
            if (b < 128)
                dark++;
            if (abs((int)a - (int)b) > 100)
                differ++;
        }
    double frac = (double)differ / ((double)w * h);
    ck_assert_msg(dark > (long)w * h / 20, "test page has too little ink");
    ck_assert_msg(frac < 0.01, "%s page turned %d: %.1f%% of the pixels differ from the "
                  "upright image", kind_name[k], q, 100 * frac);
    pixDestroy(&got);
    pixDestroy(&up);
    page_src_free(&s);
    unlink(pgm);
    unlink(pdf);
    free(pgm);
    free(prefix);
    free(pdf);
    free(part);
}

START_TEST(test_render_upright)
{
    /* _i: kind * 4 + quads */
    render_and_compare((enum kind)(_i / 4), _i % 4, 0);
}
END_TEST

START_TEST(test_render_skew)
{
    render_and_compare(K_PNG, 0, 1.5f);
    render_and_compare(K_PNG, 1, -1.5f);
}
END_TEST

/* ---- damaged input ---- */

START_TEST(test_damaged_part)
{
    char *good = write_part("good.part", K_PNG, 0, 0);
    uint8_t *d = NULL;
    size_t n = 0;
    ck_assert_int_eq(util_read_file(good, &d, &n), SOHOA_OK);
    char *bad = tpath("bad.part");
    char *pdf = tpath("doc.pdf");
    /* cut at many places, the last just inside the content stream */
    size_t cuts[10];
    int ncuts = 0;
    for (int k = 0; k < 8; k++)
        cuts[ncuts++] = n * (size_t)k / 8;
    cuts[ncuts++] = n - 2;
    cuts[ncuts++] = 5;
    for (int c = 0; c < ncuts; c++) {
        ck_assert_int_eq(util_write_atomic(bad, d, cuts[c]), SOHOA_OK);
        char *parts[2] = {good, bad};
        char why[1024] = "";
        enum sohoa_err e = pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why);
        ck_assert_msg(e != SOHOA_OK, "part cut at %zu of %zu bytes accepted", cuts[c], n);
        ck_assert_msg(strstr(why, bad) != NULL, "reason does not name the part: %s", why);
        ck_assert_int_ne(access(pdf, F_OK), 0);
        ck_assert_int_eq(count_entries(".tmp."), 0);
    }
    /* not a part at all, and a missing part */
    ck_assert_int_eq(util_write_atomic(bad, "%PDF-1.4\n", 9), SOHOA_OK);
    char *missing = tpath("missing.part");
    char *parts[3] = {good, bad, missing};
    char why[1024] = "";
    ck_assert_int_ne(pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why), SOHOA_OK);
    ck_assert_ptr_nonnull(strstr(why, bad));
    parts[1] = missing;
    ck_assert_int_ne(pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why), SOHOA_OK);
    ck_assert_ptr_nonnull(strstr(why, missing));
    ck_assert_int_ne(access(pdf, F_OK), 0);

    /* lengths in the header that point past the end */
    struct strbuf forged = STRBUF_INIT;
    strbuf_adds(&forged, "SOHOA-PAGE 1\nsize 595.2 841.92\nimage 40 999999999\n");
    strbuf_adds(&forged, "/Type /XObject /Subtype /Image ........\ncontent 5\nq Q\n\n");
    ck_assert_int_eq(util_write_atomic(bad, forged.buf, forged.len), SOHOA_OK);
    parts[1] = bad;
    ck_assert_int_ne(pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why), SOHOA_OK);
    ck_assert_ptr_nonnull(strstr(why, bad));
    strbuf_release(&forged);

    /* an existing document is kept when the new one cannot be made */
    parts[1] = good;
    ck_assert_int_eq(pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why), SOHOA_OK);
    uint8_t *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    ck_assert_int_eq(util_read_file(pdf, &before, &nb), SOHOA_OK);
    ck_assert_int_eq(util_write_atomic(bad, d, n / 2), SOHOA_OK);
    parts[1] = bad;
    ck_assert_int_ne(pdf_join_pages(pdf, parts, 2, FONT, NULL, why, sizeof why), SOHOA_OK);
    ck_assert_int_eq(util_read_file(pdf, &after, &na), SOHOA_OK);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(before, after, nb), 0);
    ck_assert_int_eq(count_entries(".tmp."), 0);

    free(before);
    free(after);
    free(missing);
    free(d);
    free(good);
    free(bad);
    free(pdf);
}
END_TEST

START_TEST(test_missing_font)
{
    char *part = write_part("p.part", K_JPEG, 0, 0);
    char *pdf = tpath("doc.pdf");
    char *font = tpath("no-such-font.ttf");
    char why[1024] = "";
    enum sohoa_err e = pdf_join_pages(pdf, &part, 1, font, NULL, why, sizeof why);
    ck_assert_int_ne(e, SOHOA_OK);
    ck_assert_msg(strstr(why, font) != NULL, "reason does not name the font: %s", why);
    ck_assert_int_ne(access(pdf, F_OK), 0);
    ck_assert_int_eq(count_entries(".tmp."), 0);
    free(font);
    free(pdf);
    free(part);
}
END_TEST

START_TEST(test_unwritable_folder)
{
    char *part = write_part("p.part", K_JPEG, 0, 0);
    char *pdf = tpath("no-such-folder/doc.pdf");
    char why[1024] = "";
    enum sohoa_err e = pdf_join_pages(pdf, &part, 1, FONT, NULL, why, sizeof why);
    ck_assert_int_ne(e, SOHOA_OK);
    ck_assert_str_ne(why, "");
    free(pdf);
    free(part);
}
END_TEST

static Suite *pdf_suite(void)
{
    Suite *s = suite_create("pdf");
    TCase *tc = tcase_create("part");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_part_jpeg_passthrough);
    tcase_add_test(tc, test_part_jpeg_other_size_not_passed_through);
    tcase_add_test(tc, test_part_png_flate);
    tcase_add_test(tc, test_part_g4);
    tcase_add_test(tc, test_part_rgb);
    suite_add_tcase(s, tc);

    tc = tcase_create("document");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_document_three_pages);
    tcase_add_test(tc, test_document_replaces_atomically);
    tcase_add_test(tc, test_document_scaled_recognition);
    tcase_add_loop_test(tc, test_render_upright, 0, K_NKINDS * 4);
    tcase_add_test(tc, test_render_skew);
    tcase_add_test(tc, test_damaged_part);
    tcase_add_test(tc, test_missing_font);
    tcase_add_test(tc, test_unwritable_folder);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (access(FONT, R_OK) != 0) {
        fprintf(stderr, "check_pdf: %s is absent: skipped\n", FONT);
        return 77;
    }
    if (system("command -v pdfinfo >/dev/null && command -v pdftotext >/dev/null &&"
               " command -v pdftoppm >/dev/null") != 0) {
        fprintf(stderr, "check_pdf: poppler-utils (pdfinfo, pdftotext, pdftoppm) absent:"
                        " skipped\n");
        return 77;
    }
    unsetenv("SOHOA_PDF_VISIBLE_TEXT");
    setMsgSeverity(L_SEVERITY_NONE);
    snprintf(g_root, sizeof g_root, "/tmp/sohoa-check-pdf-XXXXXX");
    if (!mkdtemp(g_root)) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(pdf_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rm_rf(g_root);
    return failed == 0 ? 0 : 1;
}
