/*
 * check_pdfin.c - scanned PDFs in: PDFs made here as scanners and copiers
 * make them (img2pdf: JPEG and PNG kept as they are; tiff2pdf: CCITT G4;
 * qpdf: /Rotate, encryption) and by hand (image matrices that turn the
 * page, pages of several image strips, born-digital text, hostile image
 * headers), read back with pdfin: the page's own pixels at their own
 * resolution, the turns to upright checked against poppler's drawing of
 * the page, the JPEG stream byte for byte, born-digital words and where
 * they lie, sohoa's own archive copies read as scans, pages read from
 * several threads at once, and refusal (with the reason, quickly and
 * without gigabytes) of encrypted, truncated, corrupt and hostile files.
 */
#include <check.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "engine.h"
#include "pdf.h"
#include "pdfin.h"
#include "util.h"
#define TESTUTIL_DIRS
#include "testutil.h"

#define FONT "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf"
#define SAMPLES SOHOA_SOURCE_DIR "/samples/batch-2026-01"
#define SAMPLE_JPEG SAMPLES "/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-001.jpg"
#define SAMPLE_TIFF SAMPLES "/hs-phuson-cchc-2023/kh-08-phuson.tif"
#define PAGE_W 1240 /* A4 at 150 dpi */
#define PAGE_H 1754
#define DPI 150

/* ---- scratch folders, tools ---- */


static int g_img2pdf, g_tiff2pdf, g_qpdf, g_pdftoppm;

static int have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* A test that needs a tool returns early (with a note) when it is absent. */
#define NEED(flag, tool)                                                      \
    do {                                                                      \
        if (!(flag)) {                                                        \
            fprintf(stderr, "check_pdfin: %s absent: %s skipped\n", tool,     \
                    __func__);                                                \
            return;                                                           \
        }                                                                     \
    } while (0)

/* Run a shell command (run in t_dir); fails the test with its stderr. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[2048], full[2600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    ck_assert_int_lt(n, (int)sizeof cmd);
    snprintf(full, sizeof full, "cd '%s' && { %s ; } >/dev/null 2>cmd.err", t_dir, cmd);
    int rc = system(full);
    if (rc != 0) {
        char *errf = tpath("cmd.err");
        uint8_t *e = NULL;
        size_t elen = 0;
        util_read_file(errf, &e, &elen);
        ck_abort_msg("command failed (%d): %s\n%.*s", rc, cmd, (int)elen,
                     e ? (const char *)e : "");
    }
}

static uint8_t *slurp(const char *name, size_t *len)
{
    char *p = name[0] == '/' ? strdup(name) : tpath(name);
    uint8_t *d = NULL;
    ck_assert_msg(util_read_file(p, &d, len) == SOHOA_OK, "cannot read %s", p);
    free(p);
    return d;
}

static void spit(const char *name, const void *data, size_t len)
{
    char *p = tpath(name);
    ck_assert_int_eq(util_write_atomic(p, data, len), SOHOA_OK);
    free(p);
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

/* ---- synthetic scans ---- */

/*
 * A white page with black blocks that any turn or flip moves (a header
 * block top left, a stamp bottom right, a bar top right), lines of
 * word-like blocks, and a grey band.
 */
static PIX *make_page(int w, int h, int dpi)
{
    PIX *pix = pixCreate(w, h, 8);
    ck_assert_ptr_nonnull(pix);
    pixSetAll(pix);
    pixRasterop(pix, w * 6 / 100, h * 5 / 100, w * 40 / 100, h * 8 / 100, PIX_CLR, NULL, 0, 0);
    pixRasterop(pix, w * 70 / 100, h * 80 / 100, w * 20 / 100, h * 15 / 100, PIX_CLR, NULL, 0,
                0);
    pixRasterop(pix, w * 85 / 100, h * 8 / 100, w * 4 / 100, h * 22 / 100, PIX_CLR, NULL, 0, 0);
    unsigned seed = 7;
    for (int line = 0; line < 14; line++) {
        int y = h * 30 / 100 + line * h * 3 / 100;
        int x = w * 8 / 100;
        while (x < w * 75 / 100) {
            seed = seed * 1103515245u + 12345u;
            int ww = w * (3 + (int)((seed >> 16) % 9)) / 100;
            pixRasterop(pix, x, y, ww, h * 12 / 1000 + 1, PIX_CLR, NULL, 0, 0);
            x += ww + w * 15 / 1000;
        }
    }
    BOX *band = boxCreate(w * 8 / 100, h * 75 / 100, w * 50 / 100, h * 3 / 100);
    pixSetInRectArbitrary(pix, band, 128);
    boxDestroy(&band);
    pixSetResolution(pix, dpi, dpi);
    return pix;
}

/* Write pix to t_dir/name in format fmt (IFF_...); returns the bytes. */
static uint8_t *write_image(const char *name, PIX *pix, int fmt, size_t *len)
{
    char *p = tpath(name);
    ck_assert_int_eq(pixWrite(p, pix, fmt), 0);
    free(p);
    return slurp(name, len);
}

/* Share of pixels differing by more than thresh (grey levels); the images
 * must have the same size. 1-bit and colour images are compared as grey. */
static double frac_diff(PIX *a, PIX *b, int thresh)
{
    PIX *ga = pixGetDepth(a) == 32 ? pixConvertRGBToLuminance(a) : pixConvertTo8(a, 0);
    PIX *gb = pixGetDepth(b) == 32 ? pixConvertRGBToLuminance(b) : pixConvertTo8(b, 0);
    ck_assert_ptr_nonnull(ga);
    ck_assert_ptr_nonnull(gb);
    int w = pixGetWidth(ga), h = pixGetHeight(ga);
    ck_assert_int_eq(pixGetWidth(gb), w);
    ck_assert_int_eq(pixGetHeight(gb), h);
    long n = 0;
    for (int y = 0; y < h; y++) {
        l_uint32 *la = pixGetData(ga) + (size_t)y * pixGetWpl(ga);
        l_uint32 *lb = pixGetData(gb) + (size_t)y * pixGetWpl(gb);
        for (int x = 0; x < w; x++)
            n += abs((int)GET_DATA_BYTE(la, x) - (int)GET_DATA_BYTE(lb, x)) > thresh;
    }
    pixDestroy(&ga);
    pixDestroy(&gb);
    return (double)n / ((double)w * h);
}

/* Page pageno of the PDF t_dir/name drawn by poppler at dpi, as grey. */
static PIX *poppler_render(const char *name, int pageno, int dpi)
{
    sh("pdftoppm -r %d -gray -f %d -l %d -singlefile '%s' render", dpi, pageno + 1,
       pageno + 1, name);
    char *p = tpath("render.pgm");
    PIX *pix = pixRead(p);
    ck_assert_msg(pix != NULL, "pdftoppm made no image of %s", name);
    unlink(p);
    free(p);
    return pix;
}

/* ---- PDFs by hand ---- */

struct xobj {
    char dict[512];     /* the stream's dictionary, without /Length */
    const void *data;
    size_t len;
};

/*
 * A one-page PDF: page of pw x ph points drawing `content`, with image
 * XObjects /Im0.. and a Helvetica font /F1 (WinAnsi). npages 0 makes a
 * document whose page tree is empty. Offsets in the xref are exact.
 */
static uint8_t *build_pdf(double pw, double ph, const char *content, const struct xobj *x,
                          int nx, int npages, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    size_t off[32];
    int nobj = 5 + nx;
    ck_assert_int_lt(nobj, 32);
    strbuf_adds(&sb, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    off[1] = sb.len;
    strbuf_adds(&sb, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = sb.len;
    strbuf_addf(&sb, "2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n",
                npages ? "3 0 R" : "", npages ? 1 : 0);
    off[3] = sb.len;
    strbuf_addf(&sb, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f]"
                " /Resources << /Font << /F1 5 0 R >> /XObject <<", pw, ph);
    for (int i = 0; i < nx; i++)
        strbuf_addf(&sb, " /Im%d %d 0 R", i, 6 + i);
    strbuf_adds(&sb, " >> >> /Contents 4 0 R >>\nendobj\n");
    off[4] = sb.len;
    strbuf_addf(&sb, "4 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n",
                strlen(content) + 1, content);
    off[5] = sb.len;
    strbuf_adds(&sb, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                     " /Encoding /WinAnsiEncoding >>\nendobj\n");
    for (int i = 0; i < nx; i++) {
        off[6 + i] = sb.len;
        strbuf_addf(&sb, "%d 0 obj\n<< %s /Length %zu >>\nstream\n", 6 + i, x[i].dict,
                    x[i].len);
        strbuf_add(&sb, x[i].data, x[i].len);
        strbuf_adds(&sb, "\nendstream\nendobj\n");
    }
    size_t xref = sb.len;
    strbuf_addf(&sb, "xref\n0 %d\n0000000000 65535 f \n", nobj + 1);
    for (int i = 1; i <= nobj; i++)
        strbuf_addf(&sb, "%010zu 00000 n \n", off[i]);
    strbuf_addf(&sb, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                nobj + 1, xref);
    ck_assert_ptr_nonnull(sb.buf);
    return (uint8_t *)strbuf_detach(&sb, len);
}

/* An image XObject of a JPEG (grey or RGB as the JPEG is). */
static void xobj_jpeg(struct xobj *x, const uint8_t *jpeg, size_t len, PIX *pix)
{
    snprintf(x->dict, sizeof x->dict,
             "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"
             " /BitsPerComponent 8 /Filter /DCTDecode",
             pixGetWidth(pix), pixGetHeight(pix),
             pixGetDepth(pix) == 32 ? "/DeviceRGB" : "/DeviceGray");
    x->data = jpeg;
    x->len = len;
}

/*
 * The matrix drawing an image of w x h pixels at dpi on a page turned q
 * clockwise quarter turns (page w x h or h x w points accordingly); PDF
 * user space, y up.
 */
static void turn_cm(int q, int w, int h, int dpi, char *buf, size_t n, double *pw,
                    double *ph)
{
    double iw = w * 72.0 / dpi, ih = h * 72.0 / dpi;
    *pw = (q & 1) ? ih : iw;
    *ph = (q & 1) ? iw : ih;
    switch (q) {
    case 0: snprintf(buf, n, "%.4f 0 0 %.4f 0 0 cm", iw, ih); break;
    case 1: snprintf(buf, n, "0 %.4f %.4f 0 0 %.4f cm", -iw, ih, iw); break;
    case 2: snprintf(buf, n, "%.4f 0 0 %.4f %.4f %.4f cm", -iw, -ih, iw, ih); break;
    default: snprintf(buf, n, "0 %.4f %.4f 0 %.4f 0 cm", iw, -ih, ih); break;
    }
}

/* ---- loading ---- */

static void load_ok(const uint8_t *d, size_t len, int page, struct pdfin_page *pp)
{
    char why[512] = "";
    enum sohoa_err e = pdfin_load(d, len, page, page, pp, why, sizeof why);
    ck_assert_msg(e == SOHOA_OK, "page %d not loaded: %s", page + 1, why);
    ck_assert_ptr_nonnull(pp->pix);
    ck_assert_ptr_nonnull(pp->codec);
}

/* The page must be refused, with a reason holding `says`. */
static void load_fails(const uint8_t *d, size_t len, int page, const char *says)
{
    char why[512] = "";
    struct pdfin_page pp;
    enum sohoa_err e = pdfin_load(d, len, page, page, &pp, why, sizeof why);
    ck_assert_msg(e != SOHOA_OK, "page %d loaded, expected \"%s\"", page + 1, says);
    ck_assert_ptr_null(pp.pix);
    ck_assert_ptr_null(pp.jpeg);
    ck_assert_msg(strstr(why, says) != NULL, "reason \"%s\" does not say \"%s\"", why, says);
}

static void count_fails(const uint8_t *d, size_t len, const char *says)
{
    char why[512] = "";
    int n = pdfin_count(d, len, why, sizeof why);
    ck_assert_msg(n < 0, "pdfin_count gave %d, expected \"%s\"", n, says);
    ck_assert_msg(strstr(why, says) != NULL, "reason \"%s\" does not say \"%s\"", why, says);
}

static int count_ok(const uint8_t *d, size_t len)
{
    char why[512] = "";
    int n = pdfin_count(d, len, why, sizeof why);
    ck_assert_msg(n > 0, "pdfin_count: %s", why);
    return n;
}

/* ---- images as scanners store them ---- */

START_TEST(test_is_pdf)
{
    static const char pdf[] = "%PDF-1.7\n";
    ck_assert(pdfin_is_pdf((const uint8_t *)pdf, strlen(pdf)));
    static const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F'};
    ck_assert(!pdfin_is_pdf(jpeg, sizeof jpeg));
    /* junk before the marker (allowed by readers) within the first kB */
    uint8_t buf[2048];
    memset(buf, ' ', sizeof buf);
    memcpy(buf + 1000, "%PDF-1.4", 8);
    ck_assert(pdfin_is_pdf(buf, sizeof buf));
    memset(buf, ' ', sizeof buf);
    memcpy(buf + 1500, "%PDF-1.4", 8);
    ck_assert(!pdfin_is_pdf(buf, sizeof buf));
    /* short inputs: no reads past the end (ASan) */
    for (size_t n = 0; n <= 5; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, "%PDF-", n);
        ck_assert_int_eq(pdfin_is_pdf(p, n), n == 5);
        free(p);
    }
    ck_assert(batch_is_image_name("hs-01/qd-02.pdf"));
    ck_assert(batch_is_image_name("SCAN0001.PDF"));
}
END_TEST

/* img2pdf keeps the JPEG as it is: the page's own pixels, size and
 * resolution, and the stream to embed byte for byte. */
START_TEST(test_jpeg_native)
{
    NEED(g_img2pdf, "img2pdf");
    PIX *page = make_page(PAGE_W, PAGE_H, DPI);
    size_t jlen;
    uint8_t *jpeg = write_image("page.jpg", page, IFF_JFIF_JPEG, &jlen);
    PIX *ref = pixReadMem(jpeg, jlen);

    /* resolution from the JPEG's density; then one told to img2pdf */
    static const struct {
        const char *opt;
        int dpi;
    } cases[] = {{"", DPI}, {"--imgsize 200dpi", 200}, {"--imgsize 300dpi", 300}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        sh("img2pdf %s -o page.pdf page.jpg", cases[c].opt);
        size_t len;
        uint8_t *d = slurp("page.pdf", &len);
        ck_assert(pdfin_is_pdf(d, len));
        ck_assert_int_eq(count_ok(d, len), 1);
        ck_assert_int_eq(batch_count_frames(d, len), 1);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_str_eq(pp.codec, "JPEG");
        ck_assert_int_eq(pp.quads, 0);
        ck_assert_int_eq(pp.dpi, cases[c].dpi);
        ck_assert_int_eq(pixGetXRes(pp.pix), cases[c].dpi);
        ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
        ck_assert_int_eq(pixGetHeight(pp.pix), PAGE_H);
        ck_assert_int_eq(pixGetDepth(pp.pix), 8);
        ck_assert_ptr_nonnull(pp.jpeg);
        ck_assert_uint_eq(pp.jpeg_len, jlen);
        ck_assert_msg(memcmp(pp.jpeg, jpeg, jlen) == 0, "JPEG stream changed");
        /* the same pixels as the JPEG decoded by itself */
        double f = frac_diff(pp.pix, ref, 8);
        ck_assert_msg(f < 0.001, "%.4f of the pixels differ from the JPEG's", f);
        ck_assert_ptr_null(pp.text.words);
        pdfin_page_release(&pp);
        ck_assert_ptr_null(pp.pix);
        ck_assert_ptr_null(pp.jpeg);
        free(d);
    }
    pixDestroy(&ref);
    pixDestroy(&page);
    free(jpeg);
}
END_TEST

/* A real colour scan (300 dpi sample page) through img2pdf. */
START_TEST(test_jpeg_real_scan)
{
    NEED(g_img2pdf, "img2pdf");
    size_t jlen;
    uint8_t *jpeg = slurp(SAMPLE_JPEG, &jlen);
    PIX *ref = pixReadMem(jpeg, jlen);
    ck_assert_ptr_nonnull(ref);
    sh("img2pdf -o scan.pdf '%s'", SAMPLE_JPEG);
    size_t len;
    uint8_t *d = slurp("scan.pdf", &len);
    struct pdfin_page pp;
    load_ok(d, len, 0, &pp);
    ck_assert_int_eq(pp.how, PDFIN_NATIVE);
    ck_assert_str_eq(pp.codec, "JPEG");
    ck_assert_int_eq(pp.dpi, 300);
    ck_assert_int_eq(pp.quads, 0);
    ck_assert_int_eq(pixGetWidth(pp.pix), pixGetWidth(ref));
    ck_assert_int_eq(pixGetHeight(pp.pix), pixGetHeight(ref));
    ck_assert_int_eq(pixGetDepth(pp.pix), 32);
    ck_assert_uint_eq(pp.jpeg_len, jlen);
    ck_assert_int_eq(memcmp(pp.jpeg, jpeg, jlen), 0);
    double f = frac_diff(pp.pix, ref, 8);
    ck_assert_msg(f < 0.001, "%.4f of the pixels differ from the JPEG's", f);
    pdfin_page_release(&pp);
    pixDestroy(&ref);
    free(d);
    free(jpeg);
}
END_TEST

/* Lossless images (grey, colour and 1-bit PNGs through img2pdf: Flate):
 * the exact pixels, at their depth, and no JPEG. */
START_TEST(test_flate_exact)
{
    NEED(g_img2pdf, "img2pdf");
    PIX *grey = make_page(PAGE_W / 2, PAGE_H / 2, 75);
    PIX *rgb = pixConvertTo32(grey);
    BOX *b = boxCreate(50, 500, 200, 100);
    pixSetInRectArbitrary(rgb, b, 0xff000000); /* a red stamp */
    boxDestroy(&b);
    pixSetResolution(rgb, 75, 75);
    PIX *bw = pixConvertTo1(grey, 128);
    pixSetResolution(bw, 75, 75);
    PIX *src[3] = {grey, rgb, bw};
    for (int k = 0; k < 3; k++) {
        size_t plen;
        free(write_image("page.png", src[k], IFF_PNG, &plen));
        sh("img2pdf -o page.pdf page.png");
        size_t len;
        uint8_t *d = slurp("page.pdf", &len);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_int_eq(pp.dpi, 75);
        ck_assert_ptr_null(pp.jpeg);
        ck_assert_int_eq(pixGetDepth(pp.pix), pixGetDepth(src[k]));
        ck_assert_str_eq(pp.codec, "Flate");
        int same = 0;
        pixEqual(pp.pix, src[k], &same); /* colour: alpha byte not compared */
        ck_assert_msg(same, "image %d: pixels changed", k);
        pdfin_page_release(&pp);
        free(d);
    }
    pixDestroy(&grey);
    pixDestroy(&rgb);
    pixDestroy(&bw);
}
END_TEST

/* tiff2pdf keeps a G4 TIFF's fax stream: a 1-bit page, the same pixels. */
START_TEST(test_g4_native)
{
    NEED(g_tiff2pdf, "tiff2pdf");
    PIX *g = make_page(PAGE_W, PAGE_H, DPI);
    PIX *bw = pixConvertTo1(g, 128);
    pixSetResolution(bw, DPI, DPI);
    size_t tlen;
    free(write_image("page.tif", bw, IFF_TIFF_G4, &tlen));
    sh("tiff2pdf -o page.pdf page.tif");
    size_t len;
    uint8_t *d = slurp("page.pdf", &len);
    ck_assert_int_eq(count_ok(d, len), 1);
    struct pdfin_page pp;
    load_ok(d, len, 0, &pp);
    ck_assert_int_eq(pp.how, PDFIN_NATIVE);
    ck_assert_str_eq(pp.codec, "CCITT G4");
    ck_assert_int_eq(pp.dpi, DPI);
    ck_assert_int_eq(pp.quads, 0);
    ck_assert_int_eq(pixGetDepth(pp.pix), 1);
    ck_assert_ptr_null(pp.jpeg);
    int same = 0;
    pixEqual(pp.pix, bw, &same);
    ck_assert_msg(same, "G4 page pixels differ from the source");
    pdfin_page_release(&pp);
    free(d);
    pixDestroy(&bw);
    pixDestroy(&g);
}
END_TEST

/* The sample's two-page G4 TIFF (a real copier scan), each page exact. */
START_TEST(test_g4_real_multipage)
{
    NEED(g_tiff2pdf, "tiff2pdf");
    sh("tiff2pdf -o kh.pdf '%s'", SAMPLE_TIFF);
    size_t len, tlen;
    uint8_t *d = slurp("kh.pdf", &len);
    uint8_t *tif = slurp(SAMPLE_TIFF, &tlen);
    ck_assert_int_eq(count_ok(d, len), 2);
    ck_assert_int_eq(batch_count_frames(d, len), 2);
    for (int i = 0; i < 2; i++) {
        PIX *ref = pixReadMemTiff(tif, tlen, i);
        ck_assert_ptr_nonnull(ref);
        struct pdfin_page pp;
        load_ok(d, len, i, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_str_eq(pp.codec, "CCITT G4");
        ck_assert_int_eq(pp.dpi, 300);
        int same = 0;
        pixEqual(pp.pix, ref, &same);
        ck_assert_msg(same, "page %d differs from the TIFF's", i + 1);
        pdfin_page_release(&pp);
        pixDestroy(&ref);
    }
    free(tif);
    free(d);
}
END_TEST

/* Share of differing pixels between two images seen at a quarter of their
 * resolution (poppler smooths the edges of the images it draws). */
static double frac_diff_coarse(PIX *a, PIX *b)
{
    PIX *ga = pixGetDepth(a) == 32 ? pixConvertRGBToLuminance(a) : pixConvertTo8(a, 0);
    PIX *gb = pixGetDepth(b) == 32 ? pixConvertRGBToLuminance(b) : pixConvertTo8(b, 0);
    PIX *sa = pixScaleAreaMap(ga, 0.25f, 0.25f), *sb = pixScaleAreaMap(gb, 0.25f, 0.25f);
    double f = frac_diff(sa, sb, 64);
    pixDestroy(&ga);
    pixDestroy(&gb);
    pixDestroy(&sa);
    pixDestroy(&sb);
    return f;
}

/* Assert pix turned by quads looks like poppler's drawing of the page (and
 * turned the other way up does not). */
static void assert_upright(const char *name, int pageno, const struct pdfin_page *pp)
{
    if (!g_pdftoppm)
        return;
    PIX *shown = poppler_render(name, pageno, pp->dpi);
    PIX *up = pixRotateOrth(pp->pix, pp->quads);
    PIX *down = pixRotateOrth(pp->pix, (pp->quads + 2) & 3);
    ck_assert_ptr_nonnull(up);
    ck_assert_msg(abs(pixGetWidth(shown) - pixGetWidth(up)) <= 1 &&
                      abs(pixGetHeight(shown) - pixGetHeight(up)) <= 1,
                  "page %dx%d, turned image %dx%d", pixGetWidth(shown), pixGetHeight(shown),
                  pixGetWidth(up), pixGetHeight(up));
    int w = pixGetWidth(up) < pixGetWidth(shown) ? pixGetWidth(up) : pixGetWidth(shown);
    int h = pixGetHeight(up) < pixGetHeight(shown) ? pixGetHeight(up) : pixGetHeight(shown);
    BOX *box = boxCreate(0, 0, w, h);
    PIX *a = pixClipRectangle(up, box, NULL), *b = pixClipRectangle(shown, box, NULL);
    PIX *c = pixClipRectangle(down, box, NULL);
    double f = frac_diff_coarse(a, b), g = frac_diff_coarse(c, b);
    ck_assert_msg(f < 0.005, "%s page %d turned %d: %.4f of the pixels differ from the page",
                  name, pageno + 1, pp->quads, f);
    ck_assert_msg(g > 0.05, "%s page %d: upside down differs by only %.4f", name, pageno + 1,
                  g);
    boxDestroy(&box);
    pixDestroy(&a);
    pixDestroy(&b);
    pixDestroy(&c);
    pixDestroy(&up);
    pixDestroy(&down);
    pixDestroy(&shown);
}

/* /Rotate set by qpdf: the image as stored, and the turns to upright. */
START_TEST(test_rotate_qpdf)
{
    NEED(g_img2pdf, "img2pdf");
    NEED(g_qpdf, "qpdf");
    PIX *page = make_page(PAGE_W, PAGE_H, DPI);
    size_t jlen;
    uint8_t *jpeg = write_image("page.jpg", page, IFF_JFIF_JPEG, &jlen);
    PIX *ref = pixReadMem(jpeg, jlen);
    sh("img2pdf -o page.pdf page.jpg");
    for (int q = 1; q < 4; q++) {
        sh("qpdf --rotate=+%d:1 page.pdf turned.pdf", 90 * q);
        size_t len;
        uint8_t *d = slurp("turned.pdf", &len);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_int_eq(pp.quads, q);
        ck_assert_int_eq(pp.dpi, DPI);
        /* the image unturned */
        ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
        ck_assert_int_eq(pixGetHeight(pp.pix), PAGE_H);
        ck_assert_double_lt(frac_diff(pp.pix, ref, 8), 0.001);
        ck_assert_uint_eq(pp.jpeg_len, jlen);
        ck_assert_int_eq(memcmp(pp.jpeg, jpeg, jlen), 0);
        assert_upright("turned.pdf", 0, &pp);
        pdfin_page_release(&pp);
        free(d);
    }
    /* img2pdf's own --rotation: it writes /Rotate too */
    for (int q = 1; q < 4; q++) {
        sh("img2pdf --rotation=%d -o rot.pdf page.jpg", 90 * q);
        size_t len;
        uint8_t *d = slurp("rot.pdf", &len);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_int_eq(pp.quads, q);
        ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
        ck_assert_int_eq(pixGetHeight(pp.pix), PAGE_H);
        assert_upright("rot.pdf", 0, &pp);
        pdfin_page_release(&pp);
        free(d);
    }
    pixDestroy(&ref);
    pixDestroy(&page);
    free(jpeg);
}
END_TEST

/* An image matrix that turns the image (a page laid out sideways), and
 * the matrix and /Rotate together. */
START_TEST(test_matrix_turns)
{
    PIX *page = make_page(PAGE_W, PAGE_H, DPI);
    size_t jlen;
    uint8_t *jpeg = write_image("page.jpg", page, IFF_JFIF_JPEG, &jlen);
    PIX *ref = pixReadMem(jpeg, jlen);
    for (int q = 0; q < 4; q++) {
        char cm[200], content[300];
        double pw, ph;
        turn_cm(q, PAGE_W, PAGE_H, DPI, cm, sizeof cm, &pw, &ph);
        snprintf(content, sizeof content, "q %s /Im0 Do Q", cm);
        struct xobj x;
        xobj_jpeg(&x, jpeg, jlen, ref);
        size_t len;
        uint8_t *d = build_pdf(pw, ph, content, &x, 1, 1, &len);
        spit("m.pdf", d, len);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_msg(pp.quads == q, "matrix turn %d: quads %d", q, pp.quads);
        ck_assert_int_eq(pp.dpi, DPI);
        ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
        ck_assert_int_eq(pixGetHeight(pp.pix), PAGE_H);
        ck_assert_uint_eq(pp.jpeg_len, jlen);
        ck_assert_int_eq(memcmp(pp.jpeg, jpeg, jlen), 0);
        assert_upright("m.pdf", 0, &pp);
        pdfin_page_release(&pp);
        if (g_qpdf) {
            /* and the page turned on top: the turns add up */
            sh("qpdf --rotate=+90:1 m.pdf mr.pdf");
            size_t rlen;
            uint8_t *r = slurp("mr.pdf", &rlen);
            load_ok(r, rlen, 0, &pp);
            ck_assert_int_eq(pp.how, PDFIN_NATIVE);
            ck_assert_int_eq(pp.quads, (q + 1) & 3);
            assert_upright("mr.pdf", 0, &pp);
            pdfin_page_release(&pp);
            free(r);
        }
        free(d);
    }
    /* a mirrored image is not a turn: drawn instead, as the page shows */
    struct xobj x;
    xobj_jpeg(&x, jpeg, jlen, ref);
    char content[300];
    snprintf(content, sizeof content, "q %.4f 0 0 %.4f %.4f 0 cm /Im0 Do Q", -PAGE_W * 72.0 / DPI,
             PAGE_H * 72.0 / DPI, PAGE_W * 72.0 / DPI);
    size_t len;
    uint8_t *d = build_pdf(PAGE_W * 72.0 / DPI, PAGE_H * 72.0 / DPI, content, &x, 1, 1, &len);
    spit("mirror.pdf", d, len);
    struct pdfin_page pp;
    load_ok(d, len, 0, &pp);
    ck_assert_int_eq(pp.how, PDFIN_RENDERED);
    ck_assert_int_eq(pp.quads, 0);
    ck_assert_ptr_null(pp.jpeg);
    assert_upright("mirror.pdf", 0, &pp);
    pdfin_page_release(&pp);
    free(d);
    pixDestroy(&ref);
    pixDestroy(&page);
    free(jpeg);
}
END_TEST

/* A page built of two image strips, or one image not filling the page:
 * drawn at the images' resolution. */
START_TEST(test_strips_rendered)
{
    PIX *page = make_page(PAGE_W, PAGE_H, DPI);
    int top_h = PAGE_H / 2;
    BOX *bt = boxCreate(0, 0, PAGE_W, top_h), *bb = boxCreate(0, top_h, PAGE_W, PAGE_H - top_h);
    PIX *top = pixClipRectangle(page, bt, NULL), *bot = pixClipRectangle(page, bb, NULL);
    size_t l1, l2;
    uint8_t *j1 = write_image("top.jpg", top, IFF_JFIF_JPEG, &l1);
    uint8_t *j2 = write_image("bot.jpg", bot, IFF_JFIF_JPEG, &l2);
    struct xobj x[2];
    xobj_jpeg(&x[0], j1, l1, top);
    xobj_jpeg(&x[1], j2, l2, bot);
    double s = 72.0 / DPI, pw = PAGE_W * s, ph = PAGE_H * s;
    char content[400];
    snprintf(content, sizeof content,
             "q %.4f 0 0 %.4f 0 %.4f cm /Im0 Do Q\nq %.4f 0 0 %.4f 0 0 cm /Im1 Do Q", pw,
             top_h * s, (PAGE_H - top_h) * s, pw, (PAGE_H - top_h) * s);
    size_t len;
    uint8_t *d = build_pdf(pw, ph, content, x, 2, 1, &len);
    spit("strips.pdf", d, len);
    struct pdfin_page pp;
    load_ok(d, len, 0, &pp);
    ck_assert_int_eq(pp.how, PDFIN_RENDERED);
    ck_assert_str_eq(pp.codec, "drawn");
    ck_assert_int_eq(pp.dpi, DPI);
    ck_assert_int_eq(pp.quads, 0);
    ck_assert_ptr_null(pp.jpeg);
    ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
    ck_assert_int_eq(pixGetHeight(pp.pix), PAGE_H);
    double f = frac_diff_coarse(pp.pix, page);
    ck_assert_msg(f < 0.002, "strips drawn: %.4f of the pixels differ from the page", f);
    pdfin_page_release(&pp);
    free(d);

    /* one image on a third of the page: the rest drawn white */
    snprintf(content, sizeof content, "q %.4f 0 0 %.4f 0 %.4f cm /Im0 Do Q", pw, top_h * s,
             (PAGE_H - top_h) * s);
    d = build_pdf(pw, ph * 1.5, content, x, 1, 1, &len);
    load_ok(d, len, 0, &pp);
    ck_assert_int_eq(pp.how, PDFIN_RENDERED);
    ck_assert_int_eq(pp.dpi, DPI);
    ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
    ck_assert_int_le(abs(pixGetHeight(pp.pix) - PAGE_H * 3 / 2), 1);
    /* the strip where it was put (its bottom PAGE_H - top_h above the
     * page's), above it white */
    BOX *strip = boxCreate(0, PAGE_H * 3 / 2 - PAGE_H, PAGE_W, top_h);
    PIX *drawn = pixClipRectangle(pp.pix, strip, NULL);
    ck_assert_double_lt(frac_diff_coarse(drawn, top), 0.002);
    BOX *above = boxCreate(0, 0, PAGE_W, PAGE_H / 2 - 2);
    PIX *white = pixClipRectangle(pp.pix, above, NULL);
    PIX *w8 = pixConvertTo8(white, 0);
    l_int32 minv = 0;
    pixGetExtremeValue(w8, 1, L_SELECT_MIN, NULL, NULL, NULL, &minv);
    ck_assert_int_ge(minv, 250);
    pixDestroy(&w8);
    pixDestroy(&white);
    pixDestroy(&drawn);
    boxDestroy(&above);
    boxDestroy(&strip);
    pdfin_page_release(&pp);
    free(d);

    /* an image at different resolutions across (150 dpi) and down (300):
     * drawn at the lower */
    snprintf(content, sizeof content, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q", pw,
             top_h * 72.0 / 300);
    d = build_pdf(pw, top_h * 72.0 / 300, content, x, 1, 1, &len);
    load_ok(d, len, 0, &pp);
    ck_assert_int_eq(pp.how, PDFIN_RENDERED);
    ck_assert_int_eq(pp.dpi, DPI);
    ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W);
    ck_assert_int_le(abs(pixGetHeight(pp.pix) - top_h / 2), 1);
    pdfin_page_release(&pp);
    free(d);
    boxDestroy(&bt);
    boxDestroy(&bb);
    pixDestroy(&top);
    pixDestroy(&bot);
    pixDestroy(&page);
    free(j1);
    free(j2);
}
END_TEST

/* ---- born-digital pages ---- */

static const char *const g_lines[] = {
    "Quyet dinh ve viec ban hanh ke hoach",
    "cai cach hanh chinh giai doan 2021 2025",
    "R&D <phong> \"noi vu\" caf\351",
};

/* Every word of a text page has a box inside the drawn page with ink
 * under it; returns the number of line ends. */
static int words_inked(const struct pdfin_page *pp)
{
    const struct ocr_result *r = &pp->text;
    int w = pixGetWidth(pp->pix), h = pixGetHeight(pp->pix), eols = 0;
    PIX *bw = pixConvertTo1(pp->pix, 128);
    ck_assert_ptr_nonnull(bw);
    for (size_t i = 0; i < r->nwords; i++) {
        const struct ocr_word *wd = &r->words[i];
        ck_assert_ptr_nonnull(wd->text);
        ck_assert_int_gt(strlen(wd->text), 0);
        ck_assert_msg(wd->x1 >= 0 && wd->y1 >= 0 && wd->x2 <= w && wd->y2 <= h &&
                          wd->x1 < wd->x2 && wd->y1 < wd->y2,
                      "word %s box %d,%d-%d,%d outside the %dx%d page", wd->text, wd->x1,
                      wd->y1, wd->x2, wd->y2, w, h);
        BOX *b = boxCreate(wd->x1, wd->y1, wd->x2 - wd->x1, wd->y2 - wd->y1);
        l_int32 ink = 0;
        PIX *c = pixClipRectangle(bw, b, NULL);
        pixCountPixels(c, &ink, NULL);
        ck_assert_msg(ink > 10, "no ink under word %s", wd->text);
        pixDestroy(&c);
        boxDestroy(&b);
        eols += wd->eol;
    }
    pixDestroy(&bw);
    return eols;
}

START_TEST(test_born_digital)
{
    char content[1024];
    /* the third line escaped for a PDF string: no parentheses or
     * backslashes in it, \351 is e acute in WinAnsi */
    snprintf(content, sizeof content,
             "BT /F1 14 Tf 72 720 Td (%s) Tj 0 -24 Td (%s) Tj 0 -24 Td (%s) Tj ET\n"
             "0.5 w 72 600 m 540 600 l S",
             g_lines[0], g_lines[1], g_lines[2]);
    size_t len;
    uint8_t *d = build_pdf(612, 792, content, NULL, 0, 1, &len);
    spit("text.pdf", d, len);
    ck_assert_int_eq(count_ok(d, len), 1);
    char why[512] = "";
    struct pdfin_page pp;
    ck_assert_msg(pdfin_load(d, len, 0, 4, &pp, why, sizeof why) == SOHOA_OK, "%s", why);
    ck_assert_int_eq(pp.how, PDFIN_TEXT);
    ck_assert_str_eq(pp.codec, "drawn");
    ck_assert_int_eq(pp.quads, 0);
    ck_assert_ptr_null(pp.jpeg);
    int dpi = pp.dpi;
    ck_assert_int_ge(dpi, 150);
    int w = pixGetWidth(pp.pix), h = pixGetHeight(pp.pix);
    ck_assert_int_le(abs(w - (int)lround(612.0 * dpi / 72)), 1);
    ck_assert_int_le(abs(h - (int)lround(792.0 * dpi / 72)), 1);

    const struct ocr_result *r = &pp.text;
    ck_assert_ptr_nonnull(r->text);
    ck_assert_ptr_nonnull(r->hocr);
    ck_assert_uint_gt(r->nwords, 0);
    ck_assert_uint_eq(r->nwords, 8 + 8 + 5);
    ck_assert_ptr_nonnull(strstr(r->text, "Quyet dinh ve viec ban hanh ke hoach"));
    ck_assert_ptr_nonnull(strstr(r->text, "giai doan 2021 2025"));
    ck_assert_ptr_nonnull(strstr(r->text, "caf\xc3\xa9")); /* UTF-8 */
    ck_assert_ptr_nonnull(strstr(r->text, "R&D <phong>"));
    /* hOCR: the page numbered from page_no, words escaped */
    ck_assert_ptr_nonnull(strstr(r->hocr, "ocr_page"));
    ck_assert_ptr_nonnull(strstr(r->hocr, "id='page_5'"));
    ck_assert_ptr_nonnull(strstr(r->hocr, "ppageno 4"));
    ck_assert_ptr_nonnull(strstr(r->hocr, ">Quyet</span>"));
    ck_assert_ptr_nonnull(strstr(r->hocr, "R&amp;D"));
    ck_assert_ptr_nonnull(strstr(r->hocr, "&lt;phong&gt;"));
    ck_assert_ptr_null(strstr(r->hocr, "<phong>"));

    ck_assert_int_eq(words_inked(&pp), 3);
    /* the first word where it was put: x 72 pt, baseline 72 pt from the top */
    const struct ocr_word *q = &r->words[0];
    ck_assert_str_eq(q->text, "Quyet");
    ck_assert_int_le(abs(q->x1 - dpi), 3);
    ck_assert_int_le(q->y1, dpi);
    ck_assert_int_ge(q->y2, dpi);
    ck_assert_int_ge(q->y1, (72 - 16) * dpi / 72);
    /* second line below the first */
    ck_assert_int_gt(r->words[8].y1, q->y2 - 2);
    ck_assert_str_eq(r->words[8].text, "cai");
    pdfin_page_release(&pp);
    ck_assert_ptr_null(pp.text.words);
    ck_assert_ptr_null(pp.text.hocr);
    free(d);

    /* the page turned by /Rotate: drawn turned, the words where it shows them */
    if (g_qpdf) {
        sh("qpdf --rotate=+90:1 text.pdf text-turned.pdf");
        d = slurp("text-turned.pdf", &len);
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_TEXT);
        ck_assert_int_eq(pp.quads, 0);
        ck_assert_int_le(abs(pixGetWidth(pp.pix) - h), 1);
        ck_assert_int_le(abs(pixGetHeight(pp.pix) - w), 1);
        ck_assert_uint_eq(pp.text.nwords, 8 + 8 + 5);
        ck_assert_ptr_nonnull(strstr(pp.text.text, "giai doan 2021 2025"));
        ck_assert_int_eq(words_inked(&pp), 3);
        pdfin_page_release(&pp);
        free(d);
    }
}
END_TEST

/* A page with a few words (a page number) and no image, and one with
 * only lines: not born-digital text, drawn. */
START_TEST(test_little_text_drawn)
{
    static const char *const contents[] = {
        "BT /F1 10 Tf 300 30 Td (Trang 1) Tj ET",
        "2 w 72 600 m 540 600 l S 100 100 200 50 re f",
    };
    for (int i = 0; i < 2; i++) {
        size_t len;
        uint8_t *d = build_pdf(612, 792, contents[i], NULL, 0, 1, &len);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_RENDERED);
        ck_assert_str_eq(pp.codec, "drawn");
        ck_assert_int_gt(pp.dpi, 0);
        ck_assert_int_le(abs(pixGetWidth(pp.pix) - 612 * pp.dpi / 72), 1);
        ck_assert_ptr_null(pp.text.words);
        pdfin_page_release(&pp);
        free(d);
    }
}
END_TEST

/* sohoa's own archive copy (scan + invisible text layer) read back in:
 * the scan, with its JPEG as it was, not the text layer. */
START_TEST(test_own_output_is_a_scan)
{
    if (access(FONT, R_OK) != 0) {
        fprintf(stderr, "check_pdfin: %s absent: %s skipped\n", FONT, __func__);
        return;
    }
    PIX *page = make_page(PAGE_W, PAGE_H, DPI);
    size_t jlen;
    uint8_t *jpeg = write_image("page.jpg", page, IFF_JFIF_JPEG, &jlen);
    PIX *orig = pixReadMem(jpeg, jlen);
    /* 150 words of recognised text: well past the born-digital marks */
    struct ocr_word words[150];
    char texts[150][16];
    for (int i = 0; i < 150; i++) {
        snprintf(texts[i], sizeof texts[i], "tu%03dxyz", i);
        int row = i / 10, col = i % 10;
        words[i] = (struct ocr_word){texts[i], 100 + col * 100, 500 + row * 40,
                                     180 + col * 100, 530 + row * 40, 528, 30, 90.0f,
                                     col == 9};
    }
    struct pdf_page_geom g = {0, 0.0f, DPI, PAGE_W, PAGE_H, 1.0};
    struct strbuf part = STRBUF_INIT;
    ck_assert_int_eq(pdf_page_build(jpeg, jlen, orig, &g, words, 150, &part), SOHOA_OK);
    spit("p1.part", part.buf, part.len);
    strbuf_release(&part);
    char *parts[1] = {tpath("p1.part")};
    char *out = tpath("own.pdf");
    char why[512] = "";
    ck_assert_msg(pdf_join_pages(out, parts, 1, FONT, NULL, why, sizeof why) == SOHOA_OK, "%s",
                  why);
    size_t len;
    uint8_t *d = slurp("own.pdf", &len);
    struct pdfin_page pp;
    load_ok(d, len, 0, &pp);
    ck_assert_msg(pp.how == PDFIN_NATIVE, "own output read as %s",
                  pp.how == PDFIN_TEXT ? "text" : "drawn");
    ck_assert_str_eq(pp.codec, "JPEG");
    ck_assert_int_eq(pp.dpi, DPI);
    ck_assert_uint_eq(pp.jpeg_len, jlen);
    ck_assert_int_eq(memcmp(pp.jpeg, jpeg, jlen), 0);
    pdfin_page_release(&pp);
    free(d);
    free(out);
    free(parts[0]);
    pixDestroy(&orig);
    pixDestroy(&page);
    free(jpeg);
}
END_TEST

/* ---- documents of several pages ---- */

START_TEST(test_multipage)
{
    NEED(g_img2pdf, "img2pdf");
    /* three scans of different sizes and kinds */
    PIX *p1 = make_page(PAGE_W, PAGE_H, DPI);
    PIX *p2 = make_page(PAGE_H, PAGE_W, DPI); /* a landscape page */
    PIX *p3 = make_page(PAGE_W / 2, PAGE_H / 2, 100);
    size_t n;
    free(write_image("p1.jpg", p1, IFF_JFIF_JPEG, &n));
    free(write_image("p2.jpg", p2, IFF_JFIF_JPEG, &n));
    free(write_image("p3.png", p3, IFF_PNG, &n));
    sh("img2pdf -o doc.pdf p1.jpg p2.jpg p3.png");
    size_t len;
    uint8_t *d = slurp("doc.pdf", &len);
    ck_assert_int_eq(count_ok(d, len), 3);
    ck_assert_int_eq(batch_count_frames(d, len), 3);
    PIX *src[3] = {p1, p2, p3};
    static const int dpis[3] = {DPI, DPI, 100};
    for (int i = 0; i < 3; i++) {
        struct pdfin_page pp;
        load_ok(d, len, i, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_int_eq(pp.dpi, dpis[i]);
        ck_assert_int_eq(pixGetWidth(pp.pix), pixGetWidth(src[i]));
        ck_assert_int_eq(pixGetHeight(pp.pix), pixGetHeight(src[i]));
        ck_assert_str_eq(pp.codec, i < 2 ? "JPEG" : "Flate");
        ck_assert_double_lt(frac_diff(pp.pix, src[i], 64), 0.005);
        pdfin_page_release(&pp);
    }
    /* pages past the end, or before the start: an error, no crash */
    load_fails(d, len, 3, "no page 4");
    load_fails(d, len, 100000, "no page");
    load_fails(d, len, -1, "no page");
    free(d);
    pixDestroy(&p1);
    pixDestroy(&p2);
    pixDestroy(&p3);
}
END_TEST

/* Workers read pages of one PDF at once: each call on its own. */
struct reader {
    const uint8_t *d;
    size_t len;
    int npages;
    PIX *const *expect;
    int bad;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < r->npages; i++) {
            int page = (i + round) % r->npages;
            struct pdfin_page pp;
            char why[256];
            if (pdfin_load(r->d, r->len, page, page, &pp, why, sizeof why) != SOHOA_OK) {
                r->bad++;
                continue;
            }
            int same = 0;
            pixEqual(pp.pix, r->expect[page], &same);
            r->bad += !same;
            pdfin_page_release(&pp);
        }
    return NULL;
}

START_TEST(test_threads)
{
    NEED(g_img2pdf, "img2pdf");
    PIX *p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = make_page(600 + 100 * i, 800, 72);
        char name[32];
        snprintf(name, sizeof name, "p%d.png", i);
        size_t n;
        free(write_image(name, p[i], IFF_PNG, &n));
    }
    sh("img2pdf -o doc.pdf p0.png p1.png p2.png");
    size_t len;
    uint8_t *d = slurp("doc.pdf", &len);
    pthread_t th[4];
    struct reader r[4];
    for (int t = 0; t < 4; t++) {
        r[t] = (struct reader){d, len, 3, p, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, read_all, &r[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        ck_assert_msg(r[t].bad == 0, "thread %d: %d pages wrong", t, r[t].bad);
    }
    free(d);
    for (int i = 0; i < 3; i++)
        pixDestroy(&p[i]);
}
END_TEST

/* ---- files that are refused ---- */

static uint8_t *simple_pdf(size_t *len)
{
    PIX *page = make_page(PAGE_W / 2, PAGE_H / 2, 75);
    size_t jlen;
    uint8_t *jpeg = write_image("small.jpg", page, IFF_JFIF_JPEG, &jlen);
    char *jp = tpath("small.jpg");
    sh("img2pdf -o small.pdf '%s'", jp);
    free(jp);
    free(jpeg);
    pixDestroy(&page);
    return slurp("small.pdf", len);
}

START_TEST(test_truncated)
{
    NEED(g_img2pdf, "img2pdf");
    size_t len;
    uint8_t *d = simple_pdf(&len);
    /* the first half of the file: truncated, for counting and loading */
    count_fails(d, len / 2, "truncated");
    load_fails(d, len / 2, 0, "truncated");
    ck_assert_int_eq(batch_count_frames(d, len / 2), 1);
    /* cut anywhere: refused, never a partial page */
    for (int k = 1; k < 20; k++) {
        size_t cut = len * k / 20;
        char why[512] = "";
        int n = pdfin_count(d, cut, why, sizeof why);
        ck_assert_msg(n < 0, "cut at %zu of %zu bytes: %d pages", cut, len, n);
        ck_assert_msg(strstr(why, "truncated") || strstr(why, "corrupt"),
                      "cut at %zu: reason \"%s\"", cut, why);
        struct pdfin_page pp;
        ck_assert_int_ne(pdfin_load(d, cut, 0, 0, &pp, why, sizeof why), SOHOA_OK);
        ck_assert_ptr_null(pp.pix);
    }
    /* trailing blanks after the end marker are fine */
    uint8_t *more = malloc(len + 4);
    memcpy(more, d, len);
    memcpy(more + len, "\r\n \n", 4);
    ck_assert_int_eq(count_ok(more, len + 4), 1);
    free(more);
    free(d);
}
END_TEST

START_TEST(test_encrypted)
{
    NEED(g_img2pdf, "img2pdf");
    NEED(g_qpdf, "qpdf");
    size_t len;
    uint8_t *plain = simple_pdf(&len);
    size_t jlen;
    uint8_t *jpeg = slurp("small.jpg", &jlen);
    /* a user password: cannot be opened */
    sh("qpdf --encrypt secret owner 256 -- small.pdf user.pdf");
    uint8_t *d = slurp("user.pdf", &len);
    count_fails(d, len, "encrypted");
    load_fails(d, len, 0, "encrypted");
    ck_assert_int_eq(batch_count_frames(d, len), 1);
    free(d);
    /* older RC4 encryption too */
    sh("qpdf --allow-weak-crypto --encrypt secret owner 128 --use-aes=n -- small.pdf rc4.pdf");
    d = slurp("rc4.pdf", &len);
    count_fails(d, len, "encrypted");
    free(d);
    /* an owner password only (printing, copying restricted): opens, and
     * the JPEG comes out decrypted, as it was */
    static const char *const owner_only[] = {
        "qpdf --encrypt '' owner 256 -- small.pdf owner.pdf",
        "qpdf --encrypt '' owner 256 --extract=n --print=none --modify=none -- small.pdf"
        " owner.pdf",
        "qpdf --allow-weak-crypto --encrypt '' owner 128 --use-aes=n -- small.pdf owner.pdf",
    };
    for (size_t i = 0; i < sizeof owner_only / sizeof *owner_only; i++) {
        sh("%s", owner_only[i]);
        d = slurp("owner.pdf", &len);
        ck_assert_msg(!find_bytes(d, len, jpeg, jlen), "JPEG not encrypted by qpdf");
        ck_assert_int_eq(count_ok(d, len), 1);
        struct pdfin_page pp;
        load_ok(d, len, 0, &pp);
        ck_assert_int_eq(pp.how, PDFIN_NATIVE);
        ck_assert_str_eq(pp.codec, "JPEG");
        ck_assert_int_eq(pixGetWidth(pp.pix), PAGE_W / 2);
        ck_assert_msg(pp.jpeg && pp.jpeg_len == jlen && memcmp(pp.jpeg, jpeg, jlen) == 0,
                      "%s: JPEG to embed (%zu bytes) is not the scan's (%zu bytes)",
                      owner_only[i], pp.jpeg_len, jlen);
        pdfin_page_release(&pp);
        free(d);
    }
    free(jpeg);
    free(plain);
}
END_TEST

START_TEST(test_corrupt)
{
    /* garbage behind a PDF header */
    uint8_t junk[4096];
    unsigned seed = 1;
    for (size_t i = 0; i < sizeof junk; i++) {
        seed = seed * 1103515245u + 12345u;
        junk[i] = (uint8_t)(seed >> 16);
    }
    memcpy(junk, "%PDF-1.4\n", 9);
    ck_assert(pdfin_is_pdf(junk, sizeof junk));
    count_fails(junk, sizeof junk, "corrupt");
    load_fails(junk, sizeof junk, 0, "corrupt");
    ck_assert_int_eq(batch_count_frames(junk, sizeof junk), 1);
    /* only the header; nothing at all */
    count_fails((const uint8_t *)"%PDF-1.7\n", 9, "corrupt");
    count_fails((const uint8_t *)"%PDF-", 5, "corrupt");
    load_fails((const uint8_t *)"%PDF-", 5, 0, "corrupt");
    /* a page tree with no pages */
    size_t len;
    uint8_t *d = build_pdf(612, 792, "", NULL, 0, 0, &len);
    count_fails(d, len, "no pages");
    load_fails(d, len, 0, "no page");
    ck_assert_int_eq(batch_count_frames(d, len), 1);
    free(d);
    /* a page without a size */
    d = build_pdf(0, 0, "BT /F1 12 Tf (x) Tj ET", NULL, 0, 1, &len);
    struct pdfin_page pp;
    char why[512] = "";
    if (pdfin_load(d, len, 0, 0, &pp, why, sizeof why) == SOHOA_OK) {
        ck_assert_int_gt(pixGetWidth(pp.pix), 0); /* MuPDF's default page size */
        pdfin_page_release(&pp);
    } else {
        ck_assert_str_ne(why, "");
    }
    free(d);
    /* a content stream that is garbage: drawn blank or refused, no crash */
    d = build_pdf(612, 792, "q 1 0 0 1 0 0 cm /Im7 Do ( Tj ] >> BI ID \xff\xfe EI Q", NULL, 0,
                  1, &len);
    if (pdfin_load(d, len, 0, 0, &pp, why, sizeof why) == SOHOA_OK)
        pdfin_page_release(&pp);
    free(d);
}
END_TEST

/* Image streams whose header lies. Each must be refused or drawn within
 * bounds; none may crash or take long. */
static double max_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static uint8_t *hostile_pdf(int w, int h, int bpc, const char *cs, int ndraw, double pw,
                            double ph, const uint8_t *z, size_t zlen, size_t *len)
{
    struct xobj x;
    snprintf(x.dict, sizeof x.dict,
             "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"
             " /BitsPerComponent %d /Filter /FlateDecode",
             w, h, cs, bpc);
    x.data = z;
    x.len = zlen;
    char content[400] = "";
    if (ndraw == 1)
        snprintf(content, sizeof content, "q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", pw, ph);
    else
        snprintf(content, sizeof content,
                 "q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q q %.2f 0 0 %.2f 0 %.2f cm /Im0 Do Q", pw,
                 ph / 2, pw, ph / 2, ph / 2);
    return build_pdf(pw, ph, content, &x, 1, 1, len);
}

START_TEST(test_hostile_sizes)
{
    /* 4 MB of zeros deflate to a few kB */
    size_t zn = 4u << 20, zlen = 0;
    uint8_t *zeros = calloc(1, zn);
    uint8_t *z = zlibCompress(zeros, zn, &zlen);
    ck_assert_ptr_nonnull(z);
    ck_assert_uint_lt(zlen, 20000);
    free(zeros);
    static const struct {
        int w, h, bpc;
        const char *cs;
        int ndraw;
        double pw, ph;
        const char *says; /* refused, saying this ("": any reason); NULL: refused
                           * or drawn, either way */
    } cases[] = {
        {200000, 200000, 8, "/DeviceGray", 1, 612, 792, ""},
        {200000, 200000, 8, "/DeviceRGB", 1, 612, 792, ""},
        {60000, 60000, 1, "/DeviceGray", 1, 612, 612, "refused"}, /* 3.6 G pixels */
        {100000, 100, 8, "/DeviceGray", 1, 7200, 7.2, ""},
        {60000, 60000, 1, "/DeviceGray", 1, 612, 792, NULL},
        {2147483647, 2147483647, 8, "/DeviceRGB", 1, 612, 792, NULL},
        {200000, 200000, 8, "/DeviceGray", 2, 612, 792, NULL},    /* drawn */
        {30000, 30000, 8, "/DeviceRGB", 2, 612, 792, NULL},       /* drawn at 600 dpi */
        {0, 100, 8, "/DeviceGray", 1, 612, 792, NULL},
        {100, -5, 8, "/DeviceGray", 1, 612, 792, NULL},
        {100, 100, 7, "/DeviceGray", 1, 612, 792, NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        size_t len;
        uint8_t *d = hostile_pdf(cases[c].w, cases[c].h, cases[c].bpc, cases[c].cs,
                                 cases[c].ndraw, cases[c].pw, cases[c].ph, z, zlen, &len);
        ck_assert_int_eq(count_ok(d, len), 1);
        double t0 = util_monotonic();
        struct pdfin_page pp;
        char why[512] = "";
        enum sohoa_err e = pdfin_load(d, len, 0, 0, &pp, why, sizeof why);
        double secs = util_monotonic() - t0;
        if (cases[c].says) {
            ck_assert_msg(e != SOHOA_OK, "case %zu (%d x %d) accepted", c, cases[c].w,
                          cases[c].h);
            ck_assert_msg(strstr(why, cases[c].says) != NULL,
                          "case %zu: reason \"%s\" does not say \"%s\"", c, why,
                          cases[c].says);
        }
        if (e == SOHOA_OK) {
            /* drawn within the page's bounds, never the claimed size */
            ck_assert_int_le((long long)pixGetWidth(pp.pix) * pixGetHeight(pp.pix),
                             100LL * 1000 * 1000);
            pdfin_page_release(&pp);
        } else {
            ck_assert_str_ne(why, "");
            ck_assert_ptr_null(pp.pix);
        }
        ck_assert_msg(secs < 5.0, "case %zu took %.1f s", c, secs);
        free(d);
    }
    /* small images at 600 dpi on a page of 200 x 200 in: drawn at a lower
     * resolution, within PDFIN_MAX_DRAWN pixels */
    uint8_t grey[60 * 60];
    memset(grey, 100, sizeof grey);
    struct xobj x;
    snprintf(x.dict, sizeof x.dict, "/Type /XObject /Subtype /Image /Width 60 /Height 60"
             " /ColorSpace /DeviceGray /BitsPerComponent 8");
    x.data = grey;
    x.len = sizeof grey;
    size_t len;
    uint8_t *d = build_pdf(14400, 14400, "q 7.2 0 0 7.2 0 0 cm /Im0 Do Q"
                           " q 7.2 0 0 7.2 100 100 cm /Im0 Do Q", &x, 1, 1, &len);
    double t0 = util_monotonic();
    struct pdfin_page big;
    load_ok(d, len, 0, &big);
    ck_assert_double_le((double)pixGetWidth(big.pix) * pixGetHeight(big.pix), 64e6);
    ck_assert_int_lt(big.dpi, 600);
    ck_assert_int_eq(big.how, PDFIN_RENDERED);
    pdfin_page_release(&big);
    ck_assert_double_lt(util_monotonic() - t0, 5.0);
    free(d);
    /* none of them made the process grow past the memory cap */
    ck_assert_msg(max_rss_mb() < 800, "max RSS %.0f MB", max_rss_mb());
    lept_free(z);
}
END_TEST

/* The single huge image: refused before anything is decoded. */
START_TEST(test_hostile_refused_quickly)
{
    size_t zn = 1u << 20, zlen = 0;
    uint8_t *zeros = calloc(1, zn);
    uint8_t *z = zlibCompress(zeros, zn, &zlen);
    free(zeros);
    size_t len;
    uint8_t *d = hostile_pdf(200000, 200000, 8, "/DeviceGray", 1, 612, 792, z, zlen, &len);
    ck_assert_uint_lt(len, 10000);
    double rss0 = max_rss_mb(), t0 = util_monotonic();
    load_fails(d, len, 0, "image");
    double secs = util_monotonic() - t0, grew = max_rss_mb() - rss0;
    ck_assert_msg(secs < 1.0, "refusal took %.2f s", secs);
    ck_assert_msg(grew < 100, "memory grew by %.0f MB", grew);
    free(d);
    lept_free(z);
}
END_TEST

/* Load a hostile page; "" if it was refused quickly, else what happened. */
static void expect_refused_cheaply(const char *what, const uint8_t *d, size_t len)
{
    double rss0 = max_rss_mb(), t0 = util_monotonic();
    struct pdfin_page pp;
    char why[512] = "";
    enum sohoa_err e = pdfin_load(d, len, 0, 0, &pp, why, sizeof why);
    double secs = util_monotonic() - t0, grew = max_rss_mb() - rss0;
    if (e == SOHOA_OK) {
        int w = pixGetWidth(pp.pix), h = pixGetHeight(pp.pix), bpp = pixGetDepth(pp.pix);
        pdfin_page_release(&pp);
        ck_abort_msg("%s in %zu bytes accepted: %d x %d at %d bpp, %.1f s, memory +%.0f MB",
                     what, len, w, h, bpp, secs, grew);
    }
    ck_assert_msg(secs < 2.0 && grew < 500, "%s: %.1f s, memory +%.0f MB to refuse (%s)", what,
                  secs, grew, why);
}

/*
 * A few kB that claim a page image of gigabytes within the pixel limits
 * (PREP_MAX_PIXELS): 19000 x 19000 RGB, 1.4 GB once decoded. The same
 * image as a PNG file is refused by prep_decode (over PREP_MAX_DECODED,
 * and far more pixels per byte than any real file). Refused before
 * decoding, quickly.
 */
START_TEST(test_hostile_decoded_size)
{
    size_t zn = 4u << 20, zlen = 0;
    uint8_t *zeros = calloc(1, zn);
    uint8_t *z = zlibCompress(zeros, zn, &zlen);
    free(zeros);
    size_t len;
    uint8_t *d = hostile_pdf(19000, 19000, 8, "/DeviceRGB", 1, 612, 612, z, zlen, &len);
    expect_refused_cheaply("a 19000 x 19000 RGB page image", d, len);
    free(d);
    lept_free(z);
}
END_TEST

/* The same through drawing: small RGB images at 600 dpi on a page of
 * 33 x 33 in would make a 19833 x 19833 RGB drawing (1.5 GB as a Pix). A
 * page that large is drawn at a lower resolution instead: at most
 * PDFIN_MAX_DRAWN (64 million) pixels, a few hundred MB. */
START_TEST(test_hostile_drawing_size)
{
    uint8_t rgb[60 * 60 * 3];
    memset(rgb, 200, sizeof rgb);
    struct xobj x;
    snprintf(x.dict, sizeof x.dict, "/Type /XObject /Subtype /Image /Width 60 /Height 60"
             " /ColorSpace /DeviceRGB /BitsPerComponent 8");
    x.data = rgb;
    x.len = sizeof rgb;
    size_t len;
    uint8_t *d = build_pdf(2380, 2380, "q 7.2 0 0 7.2 0 0 cm /Im0 Do Q"
                           " q 7.2 0 0 7.2 100 100 cm /Im0 Do Q", &x, 1, 1, &len);
    double rss0 = max_rss_mb(), t0 = util_monotonic();
    struct pdfin_page pp;
    load_ok(d, len, 0, &pp);
    double secs = util_monotonic() - t0, grew = max_rss_mb() - rss0;
    ck_assert_double_le((double)pixGetWidth(pp.pix) * pixGetHeight(pp.pix), 64e6);
    ck_assert_int_lt(pp.dpi, 600);
    ck_assert_msg(secs < 5.0 && grew < 700, "drawing took %.1f s, memory +%.0f MB", secs,
                  grew);
    pdfin_page_release(&pp);
    free(d);
}
END_TEST

/* An image stream cut short inside a whole file: refused, as a cut JPEG
 * file is, not padded into a partly blank page. */
START_TEST(test_short_image_stream)
{
    PIX *page = make_page(PAGE_W, PAGE_H, DPI);
    size_t jlen;
    uint8_t *jpeg = write_image("page.jpg", page, IFF_JFIF_JPEG, &jlen);
    char content[200];
    double pw = PAGE_W * 72.0 / DPI, ph = PAGE_H * 72.0 / DPI;
    snprintf(content, sizeof content, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q", pw, ph);
    struct xobj x;
    xobj_jpeg(&x, jpeg, jlen / 2, page);
    size_t len;
    uint8_t *d = build_pdf(pw, ph, content, &x, 1, 1, &len);
    ck_assert_int_eq(count_ok(d, len), 1);
    struct pdfin_page pp;
    char why[512] = "";
    enum sohoa_err e = pdfin_load(d, len, 0, 0, &pp, why, sizeof why);
    if (e == SOHOA_OK) {
        /* never the cut stream in the archive copy */
        size_t n = pp.jpeg_len;
        int embed = pp.jpeg != NULL;
        pdfin_page_release(&pp);
        ck_assert_msg(!embed, "page image cut in half accepted, and its cut JPEG stream (%zu"
                      " of %zu bytes) given to embed", n, jlen);
    }
    ck_assert_msg(e != SOHOA_OK, "a page image cut in half was accepted");
    free(d);
    free(jpeg);
    pixDestroy(&page);
}
END_TEST

static Suite *pdfin_suite(void)
{
    Suite *s = suite_create("pdfin");
    TCase *tc = tcase_create("images");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_is_pdf);
    tcase_add_test(tc, test_jpeg_native);
    tcase_add_test(tc, test_jpeg_real_scan);
    tcase_add_test(tc, test_flate_exact);
    tcase_add_test(tc, test_g4_native);
    tcase_add_test(tc, test_g4_real_multipage);
    tcase_add_test(tc, test_rotate_qpdf);
    tcase_add_test(tc, test_matrix_turns);
    tcase_add_test(tc, test_strips_rendered);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_born_digital);
    tcase_add_test(tc, test_little_text_drawn);
    tcase_add_test(tc, test_own_output_is_a_scan);
    suite_add_tcase(s, tc);

    tc = tcase_create("documents");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_multipage);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);

    tc = tcase_create("refused");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_encrypted);
    tcase_add_test(tc, test_corrupt);
    tcase_add_test(tc, test_hostile_sizes);
    tcase_add_test(tc, test_hostile_refused_quickly);
    tcase_add_test(tc, test_hostile_decoded_size);
    tcase_add_test(tc, test_hostile_drawing_size);
    tcase_add_test(tc, test_short_image_stream);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    g_img2pdf = have("img2pdf");
    g_tiff2pdf = have("tiff2pdf");
    g_qpdf = have("qpdf");
    g_pdftoppm = have("pdftoppm");
    if (!g_pdftoppm)
        fprintf(stderr, "check_pdfin: pdftoppm absent: pages not compared with poppler's\n");
    setMsgSeverity(L_SEVERITY_NONE);
    snprintf(g_root, sizeof g_root, "/tmp/sohoa-check-pdfin-XXXXXX");
    if (!mkdtemp(g_root)) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(pdfin_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rm_rf(g_root);
    return failed == 0 ? 0 : 1;
}
