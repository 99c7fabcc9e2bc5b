/*
 * check_ocr.c - decoding page images (and refusing bad or unsafe ones),
 * resolution, grey conversion, deskew, orientation detection and
 * Vietnamese recognition of a real sample page with the real vie model.
 */
#include <check.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine.h"
#include "fold.h"
#include "prep.h"
#include "util.h"

#define PI 3.14159265358979323846
#define SAMPLE_PAGE SOHOA_SOURCE_DIR \
    "/samples/batch-2026-01/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-001.jpg"
#define SAMPLE_TRUTH SOHOA_SOURCE_DIR "/samples/truth/ttr-45-tanky-khan/page-001.gt.txt"

/* ---- helpers ---- */

static PIX *test_pix8(int w, int h)
{
    PIX *p = pixCreate(w, h, 8);
    ck_assert_ptr_nonnull(p);
    pixSetAll(p);
    pixRasterop(p, w / 10, h / 10, w / 3, h / 5, PIX_CLR, NULL, 0, 0);
    pixRasterop(p, w / 2, h / 2, w / 4, h / 3, PIX_CLR, NULL, 0, 0);
    for (int i = 0; i < w; i += 7)
        pixSetPixel(p, i, (i * 13) % h, (l_uint32)(i % 256));
    return p;
}

static uint8_t *read_sample(const char *path, size_t *len)
{
    uint8_t *d = NULL;
    enum sohoa_err e = util_read_file(path, &d, len);
    ck_assert_msg(e == SOHOA_OK, "cannot read %s", path);
    return d;
}

/* the sample page, decoded as the pipeline does, in grey */
static PIX *sample_grey(int *dpi)
{
    size_t len = 0;
    uint8_t *d = read_sample(SAMPLE_PAGE, &len);
    PIX *pix = NULL;
    char why[256] = "";
    ck_assert_msg(prep_decode(d, len, 0, &pix, why, sizeof why) == SOHOA_OK, "%s", why);
    free(d);
    if (dpi)
        *dpi = prep_page_dpi(pix, NULL);
    PIX *g = prep_grey(pix);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(pixGetDepth(g), 8);
    pixDestroy(&pix);
    return g;
}

static struct ocr_engine *engine(int osd)
{
    struct ocr_options opt = {NULL, "vie", osd, NULL};
    char why[512] = "";
    struct ocr_engine *eng = ocr_engine_new(&opt, why, sizeof why);
    ck_assert_msg(eng != NULL, "ocr_engine_new: %s", why);
    return eng;
}

/* ---- prep_decode ---- */

START_TEST(test_decode_png_jpeg_tiff)
{
    PIX *src = test_pix8(320, 200);
    pixSetResolution(src, 200, 200);
    static const int formats[] = {IFF_PNG, IFF_JFIF_JPEG, IFF_TIFF_ZIP, IFF_TIFF_G4};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
        PIX *s = formats[i] == IFF_TIFF_G4 ? pixConvertTo1(src, 128) : pixClone(src);
        pixSetResolution(s, 200, 200);
        uint8_t *data = NULL;
        size_t len = 0;
        ck_assert_int_eq(pixWriteMem(&data, &len, s, formats[i]), 0);
        PIX *got = NULL;
        char why[256] = "";
        enum sohoa_err e = prep_decode(data, len, 0, &got, why, sizeof why);
        ck_assert_msg(e == SOHOA_OK, "format %d: %s", formats[i], why);
        ck_assert_ptr_nonnull(got);
        ck_assert_int_eq(pixGetWidth(got), 320);
        ck_assert_int_eq(pixGetHeight(got), 200);
        ck_assert_int_eq(pixGetDepth(got), pixGetDepth(s));
        if (formats[i] != IFF_JFIF_JPEG) {
            l_int32 same = 0;
            pixEqual(got, s, &same);
            ck_assert_msg(same, "format %d: decoded image differs", formats[i]);
        }
        int from_file = 0;
        ck_assert_int_eq(prep_page_dpi(got, &from_file), 200);
        ck_assert_int_eq(from_file, 1);
        pixDestroy(&got);
        pixDestroy(&s);
        lept_free(data);
    }
    pixDestroy(&src);
}
END_TEST

START_TEST(test_decode_real_jpeg)
{
    size_t len = 0;
    uint8_t *d = read_sample(SAMPLE_PAGE, &len);
    PIX *pix = NULL;
    char why[256] = "";
    ck_assert_int_eq(prep_decode(d, len, 0, &pix, why, sizeof why), SOHOA_OK);
    ck_assert_int_eq(pixGetWidth(pix), 2517);
    ck_assert_int_eq(pixGetHeight(pix), 3534);
    int from_file = 0;
    ck_assert_int_eq(prep_page_dpi(pix, &from_file), 300);
    ck_assert_int_eq(from_file, 1);
    pixDestroy(&pix);
    free(d);
}
END_TEST

START_TEST(test_decode_truncated_jpeg)
{
    size_t len = 0;
    uint8_t *d = read_sample(SAMPLE_PAGE, &len);
    ck_assert_uint_gt(len, 200);
    PIX *pix = (PIX *)1;
    char why[256] = "";
    enum sohoa_err e = prep_decode(d, 200, 0, &pix, why, sizeof why);
    ck_assert_int_eq(e, SOHOA_EFORMAT);
    ck_assert_ptr_null(pix);
    ck_assert_msg(strlen(why) > 0, "no reason given");
    free(d);
}
END_TEST

/*
 * The reason names the format found from the file's signature: a JPEG cut
 * short is a "corrupt JPEG", not a "corrupt unknown".
 */
START_TEST(test_decode_truncated_jpeg_reason)
{
    size_t len = 0;
    uint8_t *d = read_sample(SAMPLE_PAGE, &len);
    PIX *pix = NULL;
    char why[256] = "";
    enum sohoa_err e = prep_decode(d, 200, 0, &pix, why, sizeof why);
    free(d);
    ck_assert_int_eq(e, SOHOA_EFORMAT);
    ck_assert_msg(strstr(why, "JPEG") != NULL, "reason for a truncated JPEG: '%s'", why);
}
END_TEST

/*
 * A scan cut short (an interrupted copy) must not be read as a page whose
 * lower part is blank: libjpeg only warns about the missing data.
 */
START_TEST(test_decode_half_jpeg)
{
    size_t len = 0;
    uint8_t *d = read_sample(SAMPLE_PAGE, &len);
    PIX *pix = NULL;
    char why[256] = "";
    enum sohoa_err e = prep_decode(d, len / 2, 0, &pix, why, sizeof why);
    ck_assert_msg(e == SOHOA_EFORMAT,
                  "a JPEG cut at half its length decodes (%s) to a %d x %d page",
                  sohoa_strerror(e), pix ? pixGetWidth(pix) : 0, pix ? pixGetHeight(pix) : 0);
    ck_assert_ptr_null(pix);
    ck_assert_msg(strlen(why) > 0, "no reason given");
    free(d);
}
END_TEST

START_TEST(test_decode_garbage)
{
    uint8_t buf[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    buf[0] = 'x'; /* no image starts so */
    PIX *pix = (PIX *)1;
    char why[256] = "";
    ck_assert_int_eq(prep_decode(buf, sizeof buf, 0, &pix, why, sizeof why), SOHOA_EFORMAT);
    ck_assert_ptr_null(pix);
    ck_assert_str_ne(why, "");

    /* zero bytes */
    why[0] = '\0';
    pix = (PIX *)1;
    enum sohoa_err e = prep_decode(buf, 0, 0, &pix, why, sizeof why);
    ck_assert_int_ne(e, SOHOA_OK);
    ck_assert_ptr_null(pix);
    ck_assert_str_ne(why, "");

    /* a PNG signature followed by garbage */
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(buf, sig, sizeof sig);
    why[0] = '\0';
    e = prep_decode(buf, sizeof buf, 0, &pix, why, sizeof why);
    ck_assert_int_ne(e, SOHOA_OK);
    ck_assert_ptr_null(pix);
    ck_assert_str_ne(why, "");
}
END_TEST

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

START_TEST(test_decode_png_huge_header)
{
    PIX *src = test_pix8(64, 48);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pixWriteMem(&data, &len, src, IFF_PNG), 0);
    /* signature (8), IHDR length (4), "IHDR" (4), width, height */
    ck_assert_int_eq(memcmp(data + 12, "IHDR", 4), 0);
    put_be32(data + 16, 100000);
    put_be32(data + 20, 100000);
    PIX *pix = (PIX *)1;
    char why[256] = "";
    enum sohoa_err e = prep_decode(data, len, 0, &pix, why, sizeof why);
    ck_assert_int_eq(e, SOHOA_EUNSAFE);
    ck_assert_ptr_null(pix);
    ck_assert_msg(strstr(why, "100000") != NULL, "reason: %s", why);

    /* within the side limit but too many pixels in all */
    put_be32(data + 16, 50000);
    put_be32(data + 20, 50000);
    why[0] = '\0';
    e = prep_decode(data, len, 0, &pix, why, sizeof why);
    ck_assert_int_eq(e, SOHOA_EUNSAFE);
    ck_assert_msg(strstr(why, "50000") != NULL, "reason: %s", why);

    /* a header that lies the other way is caught after decoding */
    put_be32(data + 16, 65);
    put_be32(data + 20, 48);
    e = prep_decode(data, len, 0, &pix, why, sizeof why);
    ck_assert_int_ne(e, SOHOA_OK);
    ck_assert_ptr_null(pix);
    lept_free(data);
    pixDestroy(&src);
}
END_TEST

START_TEST(test_decode_jpeg_huge_header)
{
    PIX *src = test_pix8(64, 48);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pixWriteMem(&data, &len, src, IFF_JFIF_JPEG), 0);
    /* find SOF0: FF C0, length (2), precision (1), height (2), width (2) */
    size_t sof = 0;
    for (size_t i = 2; i + 9 < len; i++)
        if (data[i] == 0xFF && data[i + 1] == 0xC0) {
            sof = i;
            break;
        }
    ck_assert_uint_gt(sof, 0);
    ck_assert_int_eq(data[sof + 5] << 8 | data[sof + 6], 48);
    data[sof + 5] = 0xC3; /* 50000 */
    data[sof + 6] = 0x50;
    data[sof + 7] = 0xC3;
    data[sof + 8] = 0x50;
    PIX *pix = (PIX *)1;
    char why[256] = "";
    enum sohoa_err e = prep_decode(data, len, 0, &pix, why, sizeof why);
    ck_assert_int_eq(e, SOHOA_EUNSAFE);
    ck_assert_ptr_null(pix);
    ck_assert_msg(strstr(why, "50000") != NULL, "reason: %s", why);
    lept_free(data);
    pixDestroy(&src);
}
END_TEST

START_TEST(test_decode_tiff_frames)
{
    PIX *a = test_pix8(120, 90);
    PIX *b = test_pix8(70, 110);
    pixInvert(b, b);
    PIXA *pa = pixaCreate(2);
    pixaAddPix(pa, a, L_COPY);
    pixaAddPix(pa, b, L_COPY);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pixaWriteMemMultipageTiff(&data, &len, pa), 0);
    pixaDestroy(&pa);

    PIX *got = NULL;
    char why[256] = "";
    ck_assert_int_eq(prep_decode(data, len, 0, &got, why, sizeof why), SOHOA_OK);
    ck_assert_int_eq(pixGetWidth(got), 120);
    ck_assert_int_eq(pixGetHeight(got), 90);
    l_int32 same = 0;
    pixEqual(got, a, &same);
    ck_assert(same);
    pixDestroy(&got);

    ck_assert_msg(prep_decode(data, len, 1, &got, why, sizeof why) == SOHOA_OK, "%s", why);
    ck_assert_int_eq(pixGetWidth(got), 70);
    ck_assert_int_eq(pixGetHeight(got), 110);
    pixEqual(got, b, &same);
    ck_assert(same);
    pixDestroy(&got);

    /* there is no third frame */
    why[0] = '\0';
    enum sohoa_err e = prep_decode(data, len, 2, &got, why, sizeof why);
    ck_assert_int_ne(e, SOHOA_OK);
    ck_assert_ptr_null(got);
    ck_assert_str_ne(why, "");
    lept_free(data);
    pixDestroy(&a);
    pixDestroy(&b);
}
END_TEST

/* ---- hostile images ---- */

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32_at(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* our own malloc'd copy of exactly len bytes (so reading past it shows) */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
    uint8_t *out = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, data, len);
    return out;
}

/* Peak and current virtual memory of this process (own process per test). */
static long vm_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = atol(line + n + 1);
    fclose(f);
    return v;
}

/*
 * prep_decode on bytes that must be refused: an error (want, or any if
 * SOHOA_OK is given), no image, a reason naming the format and holding
 * `part` (if not NULL), and no big allocation on the way (the peak virtual
 * size grows by less than 64 MB). Works on an exact copy of the bytes.
 */
static void expect_refused(const uint8_t *data, size_t len, int frame, enum sohoa_err want,
                           const char *format, const char *part, const char *what)
{
    uint8_t *d = exact_copy(data, len);
    PIX *pix = (PIX *)1;
    char why[256] = "";
    long peak0 = vm_kb("VmPeak"), size0 = vm_kb("VmSize");
    enum sohoa_err e = prep_decode(d, len, frame, &pix, why, sizeof why);
    long peak1 = vm_kb("VmPeak");
    free(d);
    ck_assert_msg(e != SOHOA_OK, "%s: decoded (a %d x %d page)", what,
                  pix ? pixGetWidth(pix) : 0, pix ? pixGetHeight(pix) : 0);
    if (want != SOHOA_OK)
        ck_assert_msg(e == want, "%s: %s, expected %s (%s)", what, sohoa_strerror(e),
                      sohoa_strerror(want), why);
    ck_assert_ptr_null(pix);
    ck_assert_msg(why[0] != '\0', "%s: no reason", what);
    if (format)
        ck_assert_msg(strstr(why, format) != NULL, "%s: reason '%s' does not name %s", what,
                      why, format);
    if (peak0 > 0 && peak1 > peak0)
        ck_assert_msg(peak1 - size0 < 64 * 1024,
                      "%s: refused (%s), but only after taking %ld MB of memory", what, why,
                      (peak1 - size0) / 1024);
    if (part)
        ck_assert_msg(strstr(why, part) != NULL, "%s: reason '%s' does not mention '%s'", what,
                      why, part);
}

/* An uncompressed little-endian TIFF of `n` pages made from test images. */
static uint8_t *tiff_pages(int n, size_t *len)
{
    PIXA *pa = pixaCreate(n);
    for (int i = 0; i < n; i++) {
        PIX *p = test_pix8(64 + 8 * i, 48);
        pixaAddPix(pa, p, L_INSERT);
    }
    uint8_t *data = NULL;
    if (n == 1) {
        PIX *p = pixaGetPix(pa, 0, L_CLONE);
        ck_assert_int_eq(pixWriteMem(&data, len, p, IFF_TIFF), 0);
        pixDestroy(&p);
    } else {
        ck_assert_int_eq(pixaWriteMemMultipageTiff(&data, len, pa), 0);
    }
    pixaDestroy(&pa);
    ck_assert_int_eq(data[0], 'I'); /* written little-endian */
    uint8_t *out = exact_copy(data, *len);
    lept_free(data);
    return out;
}

/* offset of the IFD of page `page` */
static uint32_t tiff_ifd(const uint8_t *t, size_t len, int page)
{
    uint32_t off = le32_at(t + 4);
    for (int i = 0; i < page; i++) {
        ck_assert_uint_lt(off + 2, len);
        uint32_t n = (uint32_t)t[off] | (uint32_t)t[off + 1] << 8;
        off = le32_at(t + off + 2 + 12 * n);
    }
    ck_assert_uint_gt(off, 0);
    ck_assert_uint_lt(off + 2, len);
    return off;
}

/* the 12-byte entry of `tag` in the IFD at ifd */
static uint8_t *tiff_tag(uint8_t *t, uint32_t ifd, int tag)
{
    uint32_t n = (uint32_t)t[ifd] | (uint32_t)t[ifd + 1] << 8;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = t + ifd + 2 + 12 * i;
        if (((int)e[0] | (int)e[1] << 8) == tag)
            return e;
    }
    ck_abort_msg("TIFF tag %d not found", tag);
    return NULL;
}

/* set a one-value tag to a LONG */
static void tiff_set_long(uint8_t *t, uint32_t ifd, int tag, uint32_t v)
{
    uint8_t *e = tiff_tag(t, ifd, tag);
    e[2] = 4;
    e[3] = 0;
    put_le32_at(e + 4, 1);
    put_le32_at(e + 8, v);
}

START_TEST(test_decode_corrupt_tiff)
{
    size_t len;
    uint8_t *t = tiff_pages(1, &len);
    PIX *pix = NULL;
    char why[256] = "";
    ck_assert_msg(prep_decode(t, len, 0, &pix, why, sizeof why) == SOHOA_OK, "%s", why);
    pixDestroy(&pix);

    /* cut right after the 8-byte header, and inside the header */
    expect_refused(t, 8, 0, SOHOA_EFORMAT, "TIFF", NULL, "TIFF cut after its header");
    expect_refused(t, 6, 0, SOHOA_EFORMAT, "TIFF", NULL, "TIFF cut in its header");
    /* cut in the middle of the image data (the IFD is written last) */
    uint32_t ifd = tiff_ifd(t, len, 0);
    uint32_t strip = le32_at(tiff_tag(t, ifd, 273) + 8);
    ck_assert_uint_lt(strip, ifd);
    uint8_t *c = exact_copy(t, len);
    memmove(c + strip + 100, c + ifd, len - ifd); /* keep the IFD, drop data */
    put_le32_at(c + 4, strip + 100);
    /* (offsets in the IFD that point outside it stay past the new end) */
    expect_refused(c, len - (ifd - strip - 100), 0, SOHOA_OK, "TIFF", NULL,
                   "TIFF with its image data cut short");
    free(c);

    /* the first IFD offset points past the end */
    c = exact_copy(t, len);
    put_le32_at(c + 4, (uint32_t)len + 1000);
    expect_refused(c, len, 0, SOHOA_EFORMAT, "TIFF", NULL, "TIFF IFD offset past the end");
    put_le32_at(c + 4, 0xfffffff0u);
    expect_refused(c, len, 0, SOHOA_EFORMAT, "TIFF", NULL, "TIFF IFD offset 0xfffffff0");
    free(c);

    /* the strip offset points past the end */
    c = exact_copy(t, len);
    uint8_t *so = tiff_tag(c, ifd, 273);
    ck_assert_uint_eq(le32_at(so + 4), 1); /* one strip: the offset is in the entry */
    put_le32_at(so + 8, (uint32_t)len + 4096);
    expect_refused(c, len, 0, SOHOA_OK, "TIFF", NULL, "TIFF strip offset past the end");
    /* and a strip byte count running past the end */
    memcpy(c, t, len);
    uint8_t *sb = tiff_tag(c, ifd, 279);
    put_le32_at(sb + 8, 0x7ffffff0u);
    put_le32_at(so + 8, strip);
    pix = NULL;
    why[0] = '\0';
    enum sohoa_err e = prep_decode(c, len, 0, &pix, why, sizeof why);
    /* libtiff may read the strip as far as it goes: any answer but a crash,
     * and a page only of the size the header gives */
    if (e == SOHOA_OK) {
        ck_assert_int_eq(pixGetWidth(pix), 64);
        pixDestroy(&pix);
    } else {
        ck_assert_ptr_null(pix);
        ck_assert_str_ne(why, "");
    }
    free(c);
    free(t);
}
END_TEST

START_TEST(test_decode_tiff_huge_header)
{
    size_t len;
    uint8_t *t = tiff_pages(1, &len);
    uint32_t ifd = tiff_ifd(t, len, 0);
    tiff_set_long(t, ifd, 256, 200000);
    tiff_set_long(t, ifd, 257, 200000);
    expect_refused(t, len, 0, SOHOA_EUNSAFE, "TIFF", "200000", "TIFF claiming 200000 x 200000");
    /* within the side limit, too many pixels in all */
    tiff_set_long(t, ifd, 256, 50000);
    tiff_set_long(t, ifd, 257, 50000);
    expect_refused(t, len, 0, SOHOA_EUNSAFE, "TIFF", "50000", "TIFF claiming 50000 x 50000");
    /* one huge side */
    tiff_set_long(t, ifd, 256, 64);
    tiff_set_long(t, ifd, 257, 4000000);
    expect_refused(t, len, 0, SOHOA_EUNSAFE, "TIFF", "4000000", "TIFF claiming 64 x 4000000");
    free(t);

    /* a three-page TIFF whose second page claims 200000 x 200000 */
    t = tiff_pages(3, &len);
    ifd = tiff_ifd(t, len, 1);
    tiff_set_long(t, ifd, 256, 200000);
    tiff_set_long(t, ifd, 257, 200000);
    PIX *pix = NULL;
    char why[256] = "";
    ck_assert_msg(prep_decode(t, len, 0, &pix, why, sizeof why) == SOHOA_OK, "%s", why);
    ck_assert_int_eq(pixGetWidth(pix), 64);
    pixDestroy(&pix);
    expect_refused(t, len, 1, SOHOA_EUNSAFE, "TIFF", "200000", "page 2 claiming 200000 x 200000");
    ck_assert_msg(prep_decode(t, len, 2, &pix, why, sizeof why) == SOHOA_OK, "page 3: %s", why);
    ck_assert_int_eq(pixGetWidth(pix), 80);
    pixDestroy(&pix);
    free(t);
}
END_TEST

/* PNM and BMP headers claiming enormous pages */
START_TEST(test_decode_other_huge_headers)
{
    /* PNM: the header is text */
    static const char pgm[] = "P5\n90000 5000\n255\n";
    uint8_t buf[256];
    memset(buf, 0x80, sizeof buf);
    memcpy(buf, pgm, strlen(pgm));
    expect_refused(buf, sizeof buf, 0, SOHOA_EUNSAFE, "PNM", "90000", "PGM claiming 90000 x 5000");
    /* past Leptonica's own limit (100000 a side): refused as it reads */
    static const char pgm2[] = "P5\n200000 200000\n255\n";
    memcpy(buf, pgm2, strlen(pgm2));
    expect_refused(buf, sizeof buf, 0, SOHOA_OK, "PNM", NULL, "PGM claiming 200000 x 200000");
    static const char pbm[] = "P4\n60000 60000\n";
    memset(buf, 0x55, sizeof buf);
    memcpy(buf, pbm, strlen(pbm));
    expect_refused(buf, sizeof buf, 0, SOHOA_EUNSAFE, "PNM", "60000", "PBM claiming 60000 x 60000");

    /* BMP: width at 18, height at 22 (signed 32-bit) */
    PIX *src = test_pix8(64, 48);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pixWriteMem(&data, &len, src, IFF_BMP), 0);
    ck_assert_int_eq(le32_at(data + 18), 64);
    put_le32_at(data + 18, 200000);
    put_le32_at(data + 22, 200000);
    expect_refused(data, len, 0, SOHOA_OK, "BMP", NULL, "BMP claiming 200000 x 200000");
    lept_free(data);
    pixDestroy(&src);
}
END_TEST

/*
 * Was a bug (fixed): a GIF claiming 40000 x 40000 is refused ("corrupt GIF: cannot read
 * header"), but only after giflib has allocated 1.6 GB for its pixels:
 * Leptonica's pixReadHeaderMem has no header-only reader for GIF (nor
 * BMP) and decodes the whole image (pixReadMemGif -> DGifSlurp, which
 * allocates width x height bytes before reading a line), so prep_decode's
 * size check comes too late. prep_decode should read the GIF logical
 * screen and image descriptors itself (bytes 6-9, and each 0x2C block)
 * and refuse past PREP_MAX_SIDE / PREP_MAX_PIXELS before calling
 * Leptonica, naming the size. (40000 x 40000 is under giflib's own
 * INT_MAX check; 1.6 GB each for several workers is an easy OOM.)
 */
START_TEST(test_decode_gif_huge_header)
{
    PIX *src = test_pix8(64, 48);
    uint8_t *data = NULL;
    size_t len = 0;
    /* GIF: logical screen at 6, image descriptor after the colour table;
     * 40000 x 40000 is 1.6 G pixels, under giflib's own INT_MAX check */
    PIX *g = pixConvertTo8(src, 1);
    ck_assert_int_eq(pixWriteMem(&data, &len, g, IFF_GIF), 0);
    pixDestroy(&g);
    ck_assert_int_eq(memcmp(data, "GIF8", 4), 0);
    size_t pos = 13;
    if (data[10] & 0x80)
        pos += 3u * (1u << ((data[10] & 7) + 1));
    while (pos < len && data[pos] == 0x21) { /* extensions */
        pos += 2;
        while (pos < len && data[pos])
            pos += data[pos] + 1u;
        pos++;
    }
    ck_assert_uint_lt(pos + 9, len);
    ck_assert_int_eq(data[pos], 0x2C);
    uint8_t *d = exact_copy(data, len);
    lept_free(data);
    d[6] = d[pos + 5] = (uint8_t)(40000 & 0xff);
    d[7] = d[pos + 6] = (uint8_t)(40000 >> 8);
    d[8] = d[pos + 7] = (uint8_t)(40000 & 0xff);
    d[9] = d[pos + 8] = (uint8_t)(40000 >> 8);
    expect_refused(d, len, 0, SOHOA_OK, "GIF", "40000", "GIF claiming 40000 x 40000");
    free(d);
    pixDestroy(&src);
}
END_TEST

START_TEST(test_decode_corrupt_png)
{
    /* a noisy page: its IDAT is most of the file */
    PIX *src = pixCreate(300, 200, 8);
    uint32_t s = 7;
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 300; x++) {
            s = s * 1664525u + 1013904223u;
            pixSetPixel(src, x, y, s >> 24);
        }
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pixWriteMem(&data, &len, src, IFF_PNG), 0);
    pixDestroy(&src);
    uint8_t *png = exact_copy(data, len);
    lept_free(data);
    ck_assert_uint_gt(len, 40000);
    /* find the first IDAT */
    size_t idat = 8;
    while (idat + 8 < len && memcmp(png + idat + 4, "IDAT", 4) != 0)
        idat += 12 + ((size_t)png[idat] << 24 | (size_t)png[idat + 1] << 16 |
                      (size_t)png[idat + 2] << 8 | png[idat + 3]);
    ck_assert_uint_lt(idat + 8, len);
    size_t ilen = (size_t)png[idat] << 24 | (size_t)png[idat + 1] << 16 |
                  (size_t)png[idat + 2] << 8 | png[idat + 3];

    /* cut in the middle of IDAT */
    expect_refused(png, idat + 8 + ilen / 2, 0, SOHOA_EFORMAT, "PNG", NULL,
                   "PNG cut in its IDAT");
    /* cut right after the IHDR */
    expect_refused(png, 33, 0, SOHOA_EFORMAT, "PNG", NULL, "PNG cut after IHDR");
    /* everything but IEND */
    expect_refused(png, len - 12, 0, SOHOA_OK, "PNG", NULL, "PNG without IEND");

    /* a bad CRC on IDAT */
    uint8_t *c = exact_copy(png, len);
    c[idat + 8 + ilen] ^= 0x5a;
    expect_refused(c, len, 0, SOHOA_EFORMAT, "PNG", NULL, "PNG with a bad IDAT CRC");
    /* a byte changed inside IDAT (its CRC no longer matches) */
    memcpy(c, png, len);
    c[idat + 8 + ilen / 2] ^= 0x01;
    expect_refused(c, len, 0, SOHOA_EFORMAT, "PNG", NULL, "PNG with a changed IDAT byte");
    /* a bad CRC on IHDR */
    memcpy(c, png, len);
    c[29] ^= 0xff;
    expect_refused(c, len, 0, SOHOA_EFORMAT, "PNG", NULL, "PNG with a bad IHDR CRC");
    free(c);
    free(png);
}
END_TEST

START_TEST(test_decode_jpeg_markers_only)
{
    static const uint8_t soi[] = {0xFF, 0xD8};
    expect_refused(soi, sizeof soi, 0, SOHOA_EFORMAT, "JPEG", NULL, "JPEG of only SOI");
    static const uint8_t soi_eoi[] = {0xFF, 0xD8, 0xFF, 0xD9};
    expect_refused(soi_eoi, sizeof soi_eoi, 0, SOHOA_EFORMAT, "JPEG", NULL, "JPEG SOI+EOI");
    /* SOI and a JFIF APP0, no frame */
    static const uint8_t app0[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0,
                                   1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9};
    expect_refused(app0, sizeof app0, 0, SOHOA_EFORMAT, "JPEG", NULL, "JPEG without a frame");
}
END_TEST

/*
 * Was a bug (fixed; crashed with SIGSEGV): prep_decode hands any buffer of 1 byte or more to
 * Leptonica's findFileFormatBuffer, which reads up to 12 bytes whatever
 * the length (buf[1] for BMP/TIFF, buf[2..7] for PNG, memcmp of 4 and 12
 * bytes for JP2, buf[8..11] for WebP). A file of a few bytes that is not
 * an image (a stray "ok\n", a 4-byte "RIFF") is read past its end. ASan
 * does not see it (Leptonica is not instrumented), so each file is put
 * against an unreadable page. Callers' buffers (util_read_file, the
 * archive reader's strbuf) usually have slack, so it is latent, but it
 * is an out-of-bounds read on untrusted input: files under 12 bytes must
 * be refused (or copied into a zeroed 12-byte buffer) before the format
 * is looked at.
 */
START_TEST(test_decode_tiny_files)
{
    static const char *const tiny[] = {"x", "ok\n", "RIFF", "%PDF-", "GIF89", "\x89PNG\r\n",
                                       "II*", "MM\0*", "P5\n1 1", "%!PS-Adob", "spix", "BM"};
    static const size_t lens[] = {1, 3, 4, 5, 5, 6, 3, 4, 6, 9, 4, 2};
    long pg = sysconf(_SC_PAGESIZE);
    ck_assert_int_gt(pg, 0);
    void *mem = NULL;
    ck_assert_int_eq(posix_memalign(&mem, (size_t)pg, 2 * (size_t)pg), 0);
    uint8_t *guard = (uint8_t *)mem + pg;
    ck_assert_int_eq(mprotect(guard, (size_t)pg, PROT_NONE), 0);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t *d = guard - lens[i];
        memcpy(d, tiny[i], lens[i]);
        PIX *pix = (PIX *)1;
        char why[256] = "";
        enum sohoa_err e = prep_decode(d, lens[i], 0, &pix, why, sizeof why);
        ck_assert_msg(e != SOHOA_OK, "a %zu-byte file decoded", lens[i]);
        ck_assert_ptr_null(pix);
        ck_assert_msg(why[0] != '\0', "a %zu-byte file: no reason", lens[i]);
    }
    ck_assert_int_eq(mprotect(guard, (size_t)pg, PROT_READ | PROT_WRITE), 0);
    free(mem);
}
END_TEST

/* zero bytes, for each way in: any frame, a NULL buffer */
START_TEST(test_decode_zero_bytes)
{
    static const uint8_t one[1] = {0};
    for (int frame = 0; frame < 3; frame++) {
        PIX *pix = (PIX *)1;
        char why[256] = "";
        ck_assert_int_eq(prep_decode(one, 0, frame, &pix, why, sizeof why), SOHOA_EFORMAT);
        ck_assert_ptr_null(pix);
        ck_assert_msg(strstr(why, "empty") != NULL, "reason: %s", why);
        pix = (PIX *)1;
        why[0] = '\0';
        ck_assert_int_eq(prep_decode(NULL, 0, frame, &pix, why, sizeof why), SOHOA_EFORMAT);
        ck_assert_ptr_null(pix);
        ck_assert_str_ne(why, "");
    }
}
END_TEST

START_TEST(test_page_dpi)
{
    PIX *p = pixCreate(10, 10, 8);
    int from_file = -1;
    pixSetResolution(p, 150, 150);
    ck_assert_int_eq(prep_page_dpi(p, &from_file), 150);
    ck_assert_int_eq(from_file, 1);
    /* pixSetResolution ignores values <= 0 */
    pixSetXRes(p, 0);
    pixSetYRes(p, 0);
    ck_assert_int_eq(prep_page_dpi(p, &from_file), 300);
    ck_assert_int_eq(from_file, 0);
    pixSetResolution(p, 5000, 5000);
    from_file = -1;
    ck_assert_int_eq(prep_page_dpi(p, &from_file), 300);
    ck_assert_int_eq(from_file, 0);
    pixSetResolution(p, 72, 72);
    ck_assert_int_eq(prep_page_dpi(p, &from_file), 72);
    ck_assert_int_eq(from_file, 1);
    pixSetResolution(p, 600, 600);
    ck_assert_int_eq(prep_page_dpi(p, NULL), 600);
    pixSetXRes(p, 0); /* only one direction known */
    pixSetYRes(p, 200);
    ck_assert_int_eq(prep_page_dpi(p, &from_file), 200);
    ck_assert_int_eq(from_file, 1);
    pixDestroy(&p);
}
END_TEST

START_TEST(test_grey)
{
    PIX *g = test_pix8(100, 80);
    pixSetResolution(g, 240, 240);
    PIX *c = pixConvertTo32(g);
    pixSetResolution(c, 240, 240);
    PIX *b = pixConvertTo1(g, 128);
    pixSetResolution(b, 240, 240);
    PIX *cm = pixConvertTo8(b, 1); /* with a colormap */
    pixSetResolution(cm, 240, 240);
    PIX *in[] = {g, c, b, cm};
    for (int i = 0; i < 4; i++) {
        PIX *out = prep_grey(in[i]);
        ck_assert_ptr_nonnull(out);
        ck_assert_int_eq(pixGetDepth(out), 8);
        ck_assert_ptr_null(pixGetColormap(out));
        ck_assert_int_eq(pixGetWidth(out), 100);
        ck_assert_int_eq(pixGetHeight(out), 80);
        ck_assert_int_eq(pixGetXRes(out), 240);
        /* black stays black, white stays white */
        l_uint32 v = 0;
        pixGetPixel(out, 15, 12, &v);
        ck_assert_uint_lt(v, 30);
        pixGetPixel(out, 99, 0, &v);
        ck_assert_uint_gt(v, 225);
        pixDestroy(&out);
    }
    for (int i = 0; i < 4; i++)
        pixDestroy(&in[i]);
}
END_TEST

/*
 * A PNG whose background is transparent: viewers show it on white, and so
 * must the grey page that is recognised (transparent pixels usually hold
 * black, RGBA 0,0,0,0).
 */
START_TEST(test_grey_transparent_png)
{
    PIX *rgba = pixCreate(200, 160, 32);
    pixSetSpp(rgba, 4);
    pixClearAll(rgba); /* transparent */
    BOX *b = boxCreate(20, 20, 60, 40);
    pixSetInRectArbitrary(rgba, b, 0x000000ff); /* opaque black */
    boxDestroy(&b);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pixWriteMem(&data, &len, rgba, IFF_PNG), 0);
    pixDestroy(&rgba);
    PIX *pix = NULL;
    char why[256] = "";
    enum sohoa_err e = prep_decode(data, len, 0, &pix, why, sizeof why);
    lept_free(data);
    ck_assert_msg(e == SOHOA_OK, "%s", why);
    PIX *g = prep_grey(pix);
    pixDestroy(&pix);
    ck_assert_ptr_nonnull(g);
    l_uint32 ink = 255, paper = 0;
    pixGetPixel(g, 40, 30, &ink);
    pixGetPixel(g, 150, 120, &paper);
    pixDestroy(&g);
    ck_assert_msg(ink < 50, "opaque black shows as %u", ink);
    ck_assert_msg(paper > 200, "transparent background shows as grey %u (black page)", paper);
}
END_TEST

/* ---- the engine ---- */

START_TEST(test_engine_missing_language)
{
    struct ocr_options opt = {NULL, "xyz", 0, NULL};
    char why[512] = "";
    struct ocr_engine *eng = ocr_engine_new(&opt, why, sizeof why);
    ck_assert_ptr_null(eng);
    ck_assert_msg(strstr(why, "'xyz'") != NULL, "reason: %s", why);
    ck_assert_int_eq(ocr_model_available(NULL, "xyz"), 0);

    opt.lang = "vie+xyz";
    why[0] = '\0';
    eng = ocr_engine_new(&opt, why, sizeof why);
    ck_assert_ptr_null(eng);
    ck_assert_msg(strstr(why, "'xyz'") != NULL, "reason: %s", why);

    opt.lang = "vie";
    opt.datapath = "/nonexistent/tessdata";
    why[0] = '\0';
    eng = ocr_engine_new(&opt, why, sizeof why);
    ck_assert_ptr_null(eng);
    ck_assert_msg(strstr(why, "/nonexistent/tessdata") != NULL, "reason: %s", why);
}
END_TEST

START_TEST(test_orientation)
{
    int q = _i;
    int dpi = 0;
    PIX *g = sample_grey(&dpi);
    ck_assert_int_eq(dpi, 300);
    PIX *turned = pixRotateOrth(g, q);
    ck_assert_ptr_nonnull(turned);
    struct ocr_engine *eng = engine(1);
    int quads = -1;
    float conf = -1;
    int rc = ocr_detect_orientation(eng, turned, dpi, &quads, &conf);
    ck_assert_msg(rc == 0, "OSD could not decide for a page turned %d", q);
    ck_assert_msg(quads == (4 - q) % 4,
                  "page turned %d quarter(s) clockwise: got %d quarter(s) back, want %d "
                  "(confidence %.2f)", q, quads, (4 - q) % 4, conf);
    ck_assert_msg(conf > 1.0f, "confidence %.2f", conf);

    /* the same page scanned at 150 dpi (OSD then looks at it unscaled) */
    PIX *small = pixScale(turned, 0.5f, 0.5f);
    ck_assert_ptr_nonnull(small);
    quads = -1;
    rc = ocr_detect_orientation(eng, small, dpi / 2, &quads, &conf);
    ck_assert_msg(rc == 0 && quads == (4 - q) % 4,
                  "150 dpi page turned %d: rc %d, got %d quarter(s) back, want %d", q, rc, quads,
                  (4 - q) % 4);
    pixDestroy(&small);
    ocr_engine_free(&eng);
    ck_assert_ptr_null(eng);
    pixDestroy(&turned);
    pixDestroy(&g);
}
END_TEST

START_TEST(test_orientation_without_osd)
{
    PIX *g = sample_grey(NULL);
    struct ocr_engine *eng = engine(0);
    int quads = 7;
    float conf = 7;
    ck_assert_int_eq(ocr_detect_orientation(eng, g, 300, &quads, &conf), -1);
    ck_assert_int_eq(quads, 0);
    ocr_engine_free(&eng);
    pixDestroy(&g);
}
END_TEST

/*
 * prep_deskew returns the clockwise rotation it applied (Leptonica's sign:
 * pixRotate by +a turns clockwise). Turning a page clockwise by `applied`
 * is undone by turning it by -applied, so the angle returned moves by
 * -applied from what the page itself needs.
 */
START_TEST(test_deskew)
{
    static const float applied_deg[] = {2.0f, -3.0f};
    float applied = applied_deg[_i];
    PIX *g = sample_grey(NULL);
    float base = 0;
    PIX *d0 = prep_deskew(g, &base);
    ck_assert_ptr_nonnull(d0);
    ck_assert_msg(fabsf(base) < 1.0f, "the sample page itself needs %.2f degrees", base);
    pixDestroy(&d0);

    PIX *turned = pixRotate(g, (float)(applied * PI / 180.0), L_ROTATE_AREA_MAP,
                            L_BRING_IN_WHITE, 0, 0);
    ck_assert_ptr_nonnull(turned);
    float angle = 0;
    PIX *fixed = prep_deskew(turned, &angle);
    ck_assert_ptr_nonnull(fixed);
    ck_assert_msg(fabsf(angle - (base - applied)) < 0.3f,
                  "turned by %.2f (page's own skew %.2f): correction %.2f, want %.2f", applied,
                  base, angle, base - applied);
    ck_assert_int_eq(pixGetWidth(fixed), pixGetWidth(turned));
    ck_assert_int_eq(pixGetHeight(fixed), pixGetHeight(turned));
    /* the corrected page is (nearly) straight */
    float rest = 0;
    PIX *again = prep_deskew(fixed, &rest);
    ck_assert_msg(fabsf(rest) < 0.3f, "after deskew the page still needs %.2f degrees", rest);
    pixDestroy(&again);
    pixDestroy(&fixed);
    pixDestroy(&turned);
    pixDestroy(&g);
}
END_TEST

START_TEST(test_deskew_blank_page)
{
    PIX *blank = pixCreate(800, 1000, 8);
    pixSetAll(blank);
    float angle = 99;
    PIX *out = prep_deskew(blank, &angle);
    ck_assert_ptr_nonnull(out);
    ck_assert_float_eq(angle, 0.0f);
    l_int32 same = 0;
    pixEqual(out, blank, &same);
    ck_assert(same);
    pixDestroy(&out);
    pixDestroy(&blank);
}
END_TEST

START_TEST(test_text_height)
{
    PIX *g = sample_grey(NULL);
    int h = prep_text_height(g);
    /* 300 dpi, body text of about 13 pt */
    ck_assert_msg(h >= 15 && h <= 60, "text height %d px", h);
    PIX *big = pixScale(g, 1.5f, 1.5f);
    int hb = prep_text_height(big);
    ck_assert_msg(hb >= h * 13 / 10 && hb <= h * 17 / 10,
                  "text height %d px, %d px at 1.5 times the size", h, hb);
    PIX *blank = pixCreate(800, 1000, 8);
    pixSetAll(blank);
    ck_assert_int_eq(prep_text_height(blank), 0);
    pixDestroy(&blank);
    pixDestroy(&big);
    pixDestroy(&g);
}
END_TEST

START_TEST(test_recognition_scale)
{
    ck_assert_float_eq(prep_recognition_scale(0), 1.0f);
    ck_assert_float_eq(prep_recognition_scale(-5), 1.0f);
    /* small text is enlarged to the target; text near it is read as it is */
    ck_assert_float_eq_tol(prep_recognition_scale(PREP_TARGET_HEIGHT / 2), 2.0f, 1e-6f);
    ck_assert_float_eq(prep_recognition_scale(PREP_SMALL_TEXT), 1.0f);
    ck_assert_float_eq(prep_recognition_scale(PREP_TARGET_HEIGHT), 1.0f);
    ck_assert_float_eq_tol(prep_recognition_scale(PREP_TARGET_HEIGHT * 3 / 2),
                           (float)PREP_TARGET_HEIGHT / (float)(PREP_TARGET_HEIGHT * 3 / 2), 1e-4f);
    ck_assert_float_eq_tol(prep_recognition_scale(PREP_TARGET_HEIGHT * 100), 0.5f, 1e-6f);
    float last = 2.5f;
    for (int h = 1; h < 400; h++) {
        float s = prep_recognition_scale(h);
        ck_assert_msg(s >= 0.5f && s <= 2.5f && s <= last, "scale(%d) = %f", h, s);
        last = s;
    }
}
END_TEST

/* code points of s with whitespace runs collapsed to one space, trimmed */
static uint32_t *code_points(const char *s, size_t *pn)
{
    size_t n = strlen(s), k = 0;
    uint32_t *cp = malloc((n + 1) * sizeof *cp);
    ck_assert_ptr_nonnull(cp);
    int space = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += (size_t)util_utf8_decode((const unsigned char *)s + i, n - i, &c);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
            c == 0xA0) {
            space = 1;
            continue;
        }
        if (space && k > 0)
            cp[k++] = ' ';
        space = 0;
        cp[k++] = c;
    }
    *pn = k;
    return cp;
}

static size_t levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *prev = malloc((nb + 1) * sizeof *prev), *cur = malloc((nb + 1) * sizeof *cur);
    ck_assert_ptr_nonnull(prev);
    ck_assert_ptr_nonnull(cur);
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[nb];
    free(prev);
    free(cur);
    return d;
}

static double cer(const char *truth, const char *ocr)
{
    size_t nt = 0, no = 0;
    uint32_t *t = code_points(truth, &nt), *o = code_points(ocr, &no);
    size_t d = levenshtein(t, nt, o, no);
    free(t);
    free(o);
    return nt ? (double)d / (double)nt : (no ? 1.0 : 0.0);
}

/* Noise from seals, signatures and dirt is told from print. */
START_TEST(test_junk_word)
{
    /* marks print does not hold, at any confidence */
    ck_assert(ocr_junk_word("`", 96));
    ck_assert(ocr_junk_word("#", 90));
    ck_assert(ocr_junk_word("\xe2\x81\x84", 70));   /* fraction slash */
    ck_assert(ocr_junk_word("\xc2\xb0", 62));        /* degree sign */
    /* punctuation print holds: kept when sure, dropped when unsure */
    ck_assert(!ocr_junk_word("-", 93));
    ck_assert(!ocr_junk_word("\xe2\x80\x93", 90));  /* en dash */
    ck_assert(!ocr_junk_word("(b/c);", 56));
    ck_assert(ocr_junk_word("-", 40));
    /* short, very unsure words are noise; longer or surer ones are text */
    ck_assert(ocr_junk_word("mm", 0));
    ck_assert(ocr_junk_word("x7", 22));
    ck_assert(ocr_junk_word("b\xc3\xa0", 22));        /* "bà" */
    ck_assert(!ocr_junk_word("b\xc3\xa0", 80));
    ck_assert(!ocr_junk_word("Ho\xc3\xa0ng", 20));    /* "Hoàng" */
    ck_assert(!ocr_junk_word("M\xe1\xbb\x98T", 39)); /* "MỘT" */
    ck_assert(!ocr_junk_word("04/Q\xc4\x90-UBND", 10));
}
END_TEST

START_TEST(test_cer_helper)
{
    ck_assert_double_eq_tol(cer("abc", "abc"), 0.0, 1e-9);
    ck_assert_double_eq_tol(cer("a  b\n c", "a b c"), 0.0, 1e-9);
    ck_assert_double_eq_tol(cer("Quyết", "Quyêt"), 0.2, 1e-9); /* one code point of 5 */
    ck_assert_double_eq_tol(cer("abcd", "abxd"), 0.25, 1e-9);
    ck_assert_double_eq_tol(cer("abcd", "ab"), 0.5, 1e-9);
    ck_assert_double_eq_tol(cer("ab", "xaby"), 1.0, 1e-9);
}
END_TEST

START_TEST(test_recognize_sample)
{
    int dpi = 0;
    PIX *g = sample_grey(&dpi);
    float skew = 0;
    PIX *page = prep_deskew(g, &skew);
    ck_assert_ptr_nonnull(page);
    struct ocr_engine *eng = engine(0);
    struct ocr_result r;
    ck_assert_int_eq(ocr_recognize(eng, page, dpi, 0, &r), SOHOA_OK);

    ck_assert_ptr_nonnull(r.text);
    ck_assert_uint_gt(strlen(r.text), 100);
    ck_assert(util_utf8_valid(r.text, strlen(r.text)));
    ck_assert_msg(strstr(r.text, "TỜ TRÌNH") != NULL || strstr(r.text, "Số") != NULL,
                  "text: %.300s", r.text);
    ck_assert_msg(r.mean_conf > 70.0f, "mean confidence %.1f", r.mean_conf);

    ck_assert_uint_gt(r.nwords, 100);
    int w = pixGetWidth(page), h = pixGetHeight(page), eols = 0;
    double sum = 0;
    for (size_t i = 0; i < r.nwords; i++) {
        const struct ocr_word *wd = &r.words[i];
        ck_assert_ptr_nonnull(wd->text);
        ck_assert_uint_gt(strlen(wd->text), 0);
        ck_assert_msg(wd->x1 >= 0 && wd->x1 < wd->x2 && wd->x2 <= w && wd->y1 >= 0 &&
                      wd->y1 < wd->y2 && wd->y2 <= h,
                      "word %zu '%s' box %d,%d-%d,%d outside %dx%d", i, wd->text, wd->x1,
                      wd->y1, wd->x2, wd->y2, w, h);
        ck_assert_msg(wd->baseline >= wd->y1 && wd->baseline <= wd->y2 + wd->line_height,
                      "word '%s' baseline %d, box %d..%d", wd->text, wd->baseline, wd->y1,
                      wd->y2);
        ck_assert_int_gt(wd->line_height, 0);
        ck_assert(wd->conf >= 0 && wd->conf <= 100);
        eols += wd->eol;
        sum += wd->conf;
    }
    ck_assert_double_eq_tol(r.mean_conf, sum / (double)r.nwords, 0.01);
    ck_assert_int_gt(eols, 10);                 /* many lines */
    ck_assert_int_lt(eols, (int)r.nwords / 2);  /* of several words each */
    ck_assert(r.words[r.nwords - 1].eol);

    ck_assert_ptr_nonnull(r.hocr);
    ck_assert_ptr_nonnull(strstr(r.hocr, "ocr_page"));
    ck_assert_ptr_nonnull(strstr(r.hocr, "ocrx_word"));

    size_t tlen = 0;
    uint8_t *truth = read_sample(SAMPLE_TRUTH, &tlen);
    double rate = cer((const char *)truth, r.text);
    ck_assert_msg(rate < 0.05, "character error rate %.4f against %s", rate, SAMPLE_TRUTH);
    free(truth);

    ocr_result_release(&r);
    ck_assert_ptr_null(r.text);
    ck_assert_uint_eq(r.nwords, 0);
    ocr_engine_free(&eng);
    pixDestroy(&page);
    pixDestroy(&g);
}
END_TEST

START_TEST(test_recognize_blank)
{
    PIX *blank = pixCreate(1240, 1754, 8);
    pixSetAll(blank);
    struct ocr_engine *eng = engine(0);
    struct ocr_result r;
    ck_assert_int_eq(ocr_recognize(eng, blank, 150, 2, &r), SOHOA_OK);
    ck_assert_ptr_nonnull(r.text);
    ck_assert_ptr_nonnull(r.hocr);
    ck_assert_uint_eq(r.nwords, 0);
    ck_assert_float_eq(r.mean_conf, 0.0f);
    ocr_result_release(&r);
    ocr_engine_free(&eng);
    pixDestroy(&blank);
}
END_TEST

/* ---- pages drawn in code: reading order, sideways pages ---- */

/* A4 at 300 dpi */
#define PAGE_W 2480
#define PAGE_H 3508

/* Leptonica's bitmap font (made in memory): at size 10 capitals are 31 px
 * and the x-height 21 px tall, print of about 12 pt at 300 dpi */
static L_BMF *page_font(int size)
{
    L_BMF *f = bmfCreate(NULL, size);
    ck_assert_msg(f != NULL, "Leptonica has no bitmap font of size %d", size);
    return f;
}

static PIX *white_a4(void)
{
    PIX *p = pixCreate(PAGE_W, PAGE_H, 8);
    ck_assert_ptr_nonnull(p);
    pixSetAll(p);
    pixSetResolution(p, 300, 300);
    return p;
}

/* Black text on an 8-bit page, its baseline at `base`: from x when x >= 0,
 * else centred on -x. Returns the left edge. */
static int draw_text(PIX *page, L_BMF *f, const char *s, int x, int base)
{
    l_int32 w = 0, over = 0;
    ck_assert_int_eq(bmfGetStringWidth(f, s, &w), 0);
    if (x < 0)
        x = -x - w / 2;
    ck_assert_int_eq(pixSetTextline(page, f, s, 0, x, base, NULL, &over), 0);
    ck_assert_msg(!over && x + w < pixGetWidth(page), "'%s' (%d px from %d) runs off the page",
                  s, w, x);
    return x;
}

/*
 * A hook above (the tone mark of "CHỦ", "phủ") over character idx of a line
 * drawn by draw_text from x: the top of a small question mark. top: the
 * height of the letter (31 for a capital, 21 for a small letter at size 10).
 */
static void hook_above(PIX *page, L_BMF *f, const char *s, int x, int base, int idx, int top)
{
    L_BMF *small = page_font(6);
    PIX *q = bmfGetPix(small, '?'), *glyph = NULL;
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(pixClipToForeground(q, &glyph, NULL), 0);
    BOX *b = boxCreate(0, 0, pixGetWidth(glyph), 12); /* without the dot */
    PIX *h = pixClipRectangle(glyph, b, NULL);
    ck_assert_ptr_nonnull(h);
    char pre[256];
    snprintf(pre, sizeof pre, "%.*s", idx + 1, s);
    l_int32 w = 0, cw = 0;
    ck_assert_int_eq(bmfGetStringWidth(f, pre, &w), 0);
    ck_assert_int_eq(bmfGetWidth(f, s[idx], &cw), 0);
    pixPaintThroughMask(page, h, x + w - cw / 2 - pixGetWidth(h) / 2 - 2,
                        base - top - pixGetHeight(h) - 4, 0);
    pixDestroy(&h);
    boxDestroy(&b);
    pixDestroy(&glyph);
    pixDestroy(&q);
    bmfDestroy(&small);
}

/* The text folded (lower case, no diacritics: the vie model may add tone
 * marks to unaccented words), separators other than newlines kept. */
static char *fold_lines(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *out = malloc(4 * n + 1);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += (size_t)util_utf8_decode((const unsigned char *)s + i, n - i, &c);
        c = fold_cp(c);
        if (c == 0)
            continue;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c < 0x80) {
            out[k++] = (char)c;
        } else {
            /* letters the folding leaves are of no interest here */
            out[k++] = '?';
        }
    }
    out[k] = '\0';
    return out;
}

/*
 * Where the folded word w first occurs in t[0..n) allowing OCR slips (one
 * edit for 5 to 9 letters, two from 10): the offset where the match ends,
 * or -1. Approximate substring matching (Sellers).
 */
static long find_loose_n(const char *t, size_t n, const char *w)
{
    size_t m = strlen(w);
    size_t k = m >= 10 ? 2 : m >= 5 ? 1 : 0;
    size_t *d = malloc((m + 1) * sizeof *d);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i <= m; i++)
        d[i] = i;
    long at = -1;
    if (d[m] <= k)
        at = 0;
    for (size_t j = 0; j < n && at < 0; j++) {
        size_t diag = d[0]; /* d[i-1] of the previous column */
        d[0] = 0;           /* a match may start anywhere */
        for (size_t i = 1; i <= m; i++) {
            size_t up = d[i];
            size_t sub = diag + (w[i - 1] != t[j]);
            size_t del = d[i] + 1, ins = d[i - 1] + 1;
            size_t v = sub < del ? sub : del;
            d[i] = v < ins ? v : ins;
            diag = up;
        }
        if (d[m] <= k)
            at = (long)j + 1;
    }
    free(d);
    return at;
}

/* The same, an exact occurrence first. */
static long find_loose(const char *t, const char *w)
{
    const char *e = strstr(t, w);
    return e ? (long)(e - t + (long)strlen(w)) : find_loose_n(t, strlen(t), w);
}

/* Does any line of the folded text hold a word of `left` and one of `right`? */
static const char *mixed_line(const char *t, const char *const *left,
                              const char *const *right, char *line, size_t linesz)
{
    for (const char *p = t; *p;) {
        size_t n = strcspn(p, "\n");
        int l = 0, r = 0;
        for (size_t i = 0; left[i]; i++)
            l |= find_loose_n(p, n, left[i]) >= 0;
        for (size_t i = 0; right[i]; i++)
            r |= find_loose_n(p, n, right[i]) >= 0;
        if (l && r) {
            snprintf(line, linesz, "%.*s", (int)n, p);
            return line;
        }
        p += n + (p[n] == '\n');
    }
    return NULL;
}

START_TEST(test_find_loose_helper)
{
    ck_assert_int_eq(find_loose("abc quyet dinh", "quyet"), 9);
    ck_assert_int_eq(find_loose("abc quet dinh", "quyet"), 8);    /* one letter dropped */
    ck_assert_int_eq(find_loose("abc qet dinh", "quyet"), -1);    /* two */
    ck_assert_int_eq(find_loose("so 12", "12/qd"), -1);
    ck_assert_int_ge(find_loose("luat to cuc", "luat to chuc"), 0);
    /* an exact occurrence wins over an earlier near one */
    ck_assert_int_eq(find_loose("dia phuong ngay, phuong an", "phuong an"), 26);
    ck_assert_int_eq(find_loose("dia phuong ngay", "phuong an"), 12);
    char *f = fold_lines("QUY\xe1\xba\xbeT \xc4\x90\xe1\xbb\x8aNH\nNg\xc3\xa0y"); /* QUYẾT ĐỊNH */
    ck_assert_str_eq(f, "quyet dinh\nngay");
    free(f);
}
END_TEST

/*
 * Page layout of a decision under Decree 30/2020 (NĐ 30), in ASCII: the
 * header in two blocks side by side, the right one (national motto, place
 * and date) starting 20 px higher than the left one (issuing body, number);
 * "So:" and the date on one baseline as the decree lays them out, a short
 * rule under the body's name and under the motto. Then the title, the
 * subject, the body, and the footer: recipients on the left, the signer on
 * the right. joined: the right block is 20 px higher throughout (its date
 * too) and there is no gap under the left block: the title and subject
 * follow "So:" at the header's line spacing, wider than the left block
 * and reaching under the right one. marks: the tone marks of "CHỦ" (motto)
 * and "phủ" (body) are drawn; without them the vie model reads these two
 * words with a confidence of 1 and 12 (as "CHỦ", "phụ").
 */
static PIX *decision_page(int joined, int marks)
{
    L_BMF *f = page_font(10), *big = page_font(12);
    PIX *p = white_a4();
    const int lc = -625, rc = -1800, mid = -PAGE_W / 2;
    /* right header: x 1250..2350 */
    static const char motto[] = "CONG HOA XA HOI CHU NGHIA VIET NAM";
    int x = draw_text(p, f, motto, rc, 200);
    if (marks)
        hook_above(p, f, motto, x, 200, 18, 31); /* CHỦ */
    x = draw_text(p, f, "Doc lap - Tu do - Hanh phuc", rc, 255);
    pixRasterop(p, x, 272, 1800 - x + 1800 - x, 3, PIX_CLR, NULL, 0, 0);
    /* left header: x 150..1100, 20 px lower */
    draw_text(p, f, "UY BAN NHAN DAN", lc, 220);
    x = draw_text(p, f, "XA AN BINH", lc, 275);
    pixRasterop(p, x + 40, 292, 2 * (625 - x) - 80, 3, PIX_CLR, NULL, 0, 0);
    int so = joined ? 340 : 370;
    draw_text(p, f, "So: 12/QD-UBND", lc, so);
    draw_text(p, f, "Binh Thuan, ngay 5 thang 3 nam 2025", rc, joined ? so - 20 : so);
    int y = joined ? so + 60 : 540;
    draw_text(p, big, "QUYET DINH", mid, y);
    draw_text(p, f, "Ve viec phe duyet ke hoach su dung dat nam 2025", mid, y + 60);
    static const char *const body[] = {
        "Can cu Luat To chuc chinh quyen dia phuong ngay 19 thang 6 nam 2015;",
        "Can cu Nghi dinh so 30/2020/ND-CP cua Chinh phu ve cong tac van thu;",
        "Xet de nghi cua cong chuc Dia chinh - Xay dung cua xa,",
        "Dieu 1. Phe duyet phuong an su dung dat nam 2025 cua xa.",
        "Dieu 2. Van phong va cac ca nhan co lien quan chiu trach nhiem thi hanh.",
    };
    y += 200;
    for (size_t i = 0; i < sizeof body / sizeof *body; i++, y += 62) {
        x = draw_text(p, f, body[i], i < 3 ? 270 : 150, y);
        if (marks && i == 1)
            hook_above(p, f, body[i], x, y, 54, 21); /* phủ */
    }
    /* footer: recipients at x 150, the signer's block centred at 1800 */
    y += 100;
    draw_text(p, f, "Noi nhan:", 150, y);
    draw_text(p, f, "- Nhu tren;", 150, y + 50);
    draw_text(p, f, "- Thuong truc Dang uy;", 150, y + 100);
    draw_text(p, f, "- Luu: VT, VP.", 150, y + 150);
    draw_text(p, f, "TM. UY BAN NHAN DAN", rc, y);
    draw_text(p, f, "CHU TICH", rc, y + 55);
    draw_text(p, f, "Nguyen Van An", rc, y + 330);
    bmfDestroy(&f);
    bmfDestroy(&big);
    return p;
}

/* Words (folded) standing for the parts of the page, in reading order. */
static const struct {
    const char *word, *part;
} decision_words[] = {
    {"uy ban", "left header"}, {"an binh", "left header"}, {"12/qd", "left header"},
    {"cong hoa", "right header"}, {"nghia", "right header"}, {"hanh phuc", "right header"},
    {"thang 3", "right header"},
    {"quyet dinh", "title"}, {"ke hoach", "subject"},
    {"luat to chuc", "body"}, {"trach nhiem", "body"},
    {"noi nhan", "recipients"}, {"nhu tren", "recipients"}, {"thuong truc", "recipients"},
    {"chu tich", "signer"}, {"nguyen van", "signer"},
};
#define NDECISION_WORDS (sizeof decision_words / sizeof *decision_words)

/*
 * Reading order of the page: every word of a part before every word of the
 * next part, and no line holding words of two columns side by side.
 */
static void check_decision_order(const char *text, const char *what)
{
    char *t = fold_lines(text);
    long at[NDECISION_WORDS];
    for (size_t i = 0; i < NDECISION_WORDS; i++) {
        at[i] = find_loose(t, decision_words[i].word);
        ck_assert_msg(at[i] >= 0, "%s: '%s' (%s) not read; text:\n%s", what,
                      decision_words[i].word, decision_words[i].part, text);
    }
    for (size_t i = 0; i < NDECISION_WORDS; i++)
        for (size_t j = i + 1; j < NDECISION_WORDS; j++)
            if (strcmp(decision_words[i].part, decision_words[j].part) != 0)
                ck_assert_msg(at[i] < at[j],
                              "%s: '%s' (%s) comes after '%s' (%s); text:\n%s", what,
                              decision_words[i].word, decision_words[i].part,
                              decision_words[j].word, decision_words[j].part, text);
    static const char *const hl[] = {"uy ban", "an binh", "12/qd", NULL};
    static const char *const hr[] = {"cong hoa", "nghia", "doc lap", "hanh phuc", "thang 3",
                                     NULL};
    static const char *const fl[] = {"noi nhan", "nhu tren", "thuong truc", "vt, vp", NULL};
    static const char *const fr[] = {"tm.", "chu tich", "nguyen van", NULL};
    static const char *const tl[] = {"quyet dinh", "ke hoach", NULL};
    char line[512];
    const char *bad = mixed_line(t, hl, hr, line, sizeof line);
    ck_assert_msg(!bad, "%s: one line holds both header columns: '%s'; text:\n%s", what, bad,
                  text);
    bad = mixed_line(t, fl, fr, line, sizeof line);
    ck_assert_msg(!bad, "%s: one line holds recipients and signer: '%s'; text:\n%s", what,
                  bad, text);
    bad = mixed_line(t, hl, tl, line, sizeof line);
    ck_assert_msg(!bad, "%s: one line holds the left header and the title: '%s'; text:\n%s",
                  what, bad, text);
    bad = mixed_line(t, hr, tl, line, sizeof line);
    ck_assert_msg(!bad, "%s: one line holds the right header and the title: '%s'; text:\n%s",
                  what, bad, text);
    free(t);
}

/* Recognise a decision page and check its reading order. */
static void read_decision(int joined, int marks, const char *what)
{
    PIX *p = decision_page(joined, marks);
    if (getenv("CHECK_OCR_DUMP")) {
        char path[128];
        snprintf(path, sizeof path, "/tmp/decision-%d%d.png", joined, marks);
        pixWrite(path, p, IFF_PNG);
    }
    struct ocr_engine *eng = engine(0);
    struct ocr_result r;
    ck_assert_int_eq(ocr_recognize(eng, p, 300, 0, &r), SOHOA_OK);
    ocr_engine_free(&eng);
    pixDestroy(&p);
    check_decision_order(r.text, what);
    ocr_result_release(&r);
}

/*
 * The reading order of a decision laid out as Decree 30 has it (see
 * decision_page): left header, right header, title, subject, body,
 * recipients, signer. _i = 1: the left header runs straight into the
 * title, which reaches under the right header. (On these drawn pages
 * Tesseract itself makes the title a block of its own, so the order does
 * not rest on cut_under; the motto's first line is a block of its own and
 * the rest of both header blocks one block whose lines hold both columns.)
 */
START_TEST(test_reading_order_decision)
{
    read_decision(_i, 1, _i ? "title right under the left header" : "decision page");
}
END_TEST

/*
 * The same page in plain ASCII: the vie model reads the motto's "CHU"
 * (and the body's "phu") with a confidence near 0, and such a word is
 * left out of the text as noise. The reading order must not depend on it:
 * the words on either side of the dropped one are still one line.
 */
START_TEST(test_reading_order_dropped_word)
{
    read_decision(0, 0, "decision page, a word of the motto dropped as noise");
}
END_TEST

/* a received stamp's frame: 2.2 x 0.8 in */
#define STAMP_W 660
#define STAMP_H 240
/* from the frame's right side to the title's first word */
#define STAMP_GAP 30
/* the stamp's first baseline below the title's */
#define STAMP_DROP 8

/* a letter's body paragraph */
static const char *const stamp_body[] = {
    "Thuc hien Nghi dinh so 30/2020/ND-CP cua Chinh phu ve cong tac van thu,",
    "Uy ban nhan dan tinh de nghi cac so, ban, nganh thuc hien cac noi dung sau:",
    "1. Kiem tra viec lap ho so va nop luu ho so vao luu tru co quan.",
    "2. Bao cao ket qua thuc hien ve Uy ban nhan dan tinh truoc ngay 30/6.",
};

/*
 * A received stamp ("TRUNG TAM CONG BAO", "CV / So:", "DEN / Ngay:") stamped
 * at the left margin beside the title, on a page laid out as a letter: the
 * motto centred, a two-line title, a paragraph of body text. The frame
 * (3 px sides, a divider down between "CV / DEN" and the numbers) ends
 * STAMP_GAP px before the title's first word; the stamp's first line
 * reaches to 20 px from its right side. The stamp's print is smaller
 * (size 8) and its first line sits STAMP_DROP px lower than the title's:
 * a line level with and as tall as the title would be taken for print
 * under the stamp's corner and kept in the line (engine.c, in_line; with
 * the drop at 0 the stamp's first line stays in the title). Drops of 6 to
 * 9 px and gaps of 25 to 35 px all give the same reading. ruled: the frame
 * is drawn; without it Tesseract reads the stamp's first line and the
 * title's as one line. *frame gets the frame's box (x, y, w, h).
 */
static PIX *stamp_page(int ruled, int *frame)
{
    L_BMF *f = page_font(10), *small = page_font(8);
    PIX *p = white_a4();
    const int mid = -PAGE_W / 2, base = 500;
    draw_text(p, f, "CONG HOA XA HOI CHU NGHIA VIET NAM", mid, 200);
    draw_text(p, f, "Doc lap - Tu do - Hanh phuc", mid, 255);
    int tx = draw_text(p, f, "V/v trien khai cong tac van thu luu tru", mid, base);
    draw_text(p, f, "tren dia ban tinh nam 2018", mid, base + 55);
    int sx = tx - STAMP_GAP - STAMP_W, sy = base - 56 + STAMP_DROP;
    ck_assert_int_ge(sx, 100);
    if (ruled) {
        pixRasterop(p, sx, sy, STAMP_W, 3, PIX_CLR, NULL, 0, 0);
        pixRasterop(p, sx, sy + STAMP_H - 3, STAMP_W, 3, PIX_CLR, NULL, 0, 0);
        pixRasterop(p, sx, sy, 3, STAMP_H, PIX_CLR, NULL, 0, 0);
        pixRasterop(p, sx + STAMP_W - 3, sy, 3, STAMP_H, PIX_CLR, NULL, 0, 0);
        pixRasterop(p, sx + 150, sy + 80, 3, STAMP_H - 80, PIX_CLR, NULL, 0, 0);
    }
    l_int32 w = 0;
    ck_assert_int_eq(bmfGetStringWidth(small, "TRUNG TAM CONG BAO", &w), 0);
    draw_text(p, small, "TRUNG TAM CONG BAO", sx + STAMP_W - 20 - w, base + STAMP_DROP);
    draw_text(p, small, "CV", sx + 30, base + STAMP_DROP + 75);
    draw_text(p, small, "So: 2352", sx + 180, base + STAMP_DROP + 75);
    draw_text(p, small, "DEN", sx + 30, base + STAMP_DROP + 145);
    draw_text(p, small, "Ngay: 21/3/18", sx + 180, base + STAMP_DROP + 145);
    for (int i = 0; i < 4; i++)
        draw_text(p, f, stamp_body[i], 200, 900 + 62 * i);
    frame[0] = sx;
    frame[1] = sy;
    frame[2] = STAMP_W;
    frame[3] = STAMP_H;
    bmfDestroy(&f);
    bmfDestroy(&small);
    return p;
}

/* The page's text as ocr_recognize gives it (CHECK_OCR_DUMP: the page is
 * kept as /tmp/<name>.png). */
static char *recognise_page(PIX *p, const char *name)
{
    if (getenv("CHECK_OCR_DUMP")) {
        char path[128];
        snprintf(path, sizeof path, "/tmp/%s.png", name);
        pixWrite(path, p, IFF_PNG);
    }
    struct ocr_engine *eng = engine(0);
    struct ocr_result r;
    ck_assert_int_eq(ocr_recognize(eng, p, 300, 0, &r), SOHOA_OK);
    ocr_engine_free(&eng);
    char *text = strdup(r.text);
    ck_assert_ptr_nonnull(text);
    ocr_result_release(&r);
    return text;
}

/* The line of folded text t holding w (loosely), copied into line; NULL if
 * none does. */
static const char *line_with(const char *t, const char *w, char *line, size_t linesz)
{
    const char *const one[] = {w, NULL};
    /* mixed_line with the same word on both sides: the first line holding it */
    return mixed_line(t, one, one, line, linesz);
}

/* Frames prep_find_frames finds on the page, as the engine will see them. */
static int count_frames(PIX *p, int *box)
{
    BOXA *b = prep_find_frames(p, 300);
    ck_assert_ptr_nonnull(b);
    int n = boxaGetCount(b);
    if (n > 0 && box)
        boxaGetBoxGeometry(b, 0, &box[0], &box[1], &box[2], &box[3]);
    boxaDestroy(&b);
    return n;
}

/* words of the stamp, folded; "trung tam" stands for its first line */
static const char *const stamp_words[] = {"trung tam", "cong bao", "2352", "21/3/18", NULL};

/*
 * The stamp beside the title is read after the page: the title's first
 * line comes whole and alone ("V/v trien khai ... luu tru", not "TRUNG TAM
 * CONG BAO V/v trien khai ..."), the stamp's words follow the body's last
 * line, each once, and the rest of the page keeps its order. First the
 * same page without the frame: there Tesseract does read the stamp's first
 * line into the title's (else this page would test nothing).
 */
START_TEST(test_reading_order_stamp)
{
    char line[512];
    int box[4], found[4] = {0, 0, 0, 0};
    PIX *p = stamp_page(0, box);
    ck_assert_msg(count_frames(p, NULL) == 0, "no frame drawn, yet a frame is found");
    char *text = recognise_page(p, "stamp-unruled");
    pixDestroy(&p);
    char *t = fold_lines(text);
    const char *title = line_with(t, "trien khai", line, sizeof line);
    ck_assert_msg(title, "no frame: the title 'trien khai' not read; text:\n%s", text);
    ck_assert_msg(find_loose(title, "trung") >= 0 || find_loose(title, "cong bao") >= 0,
                  "no frame: the stamp's first line is not read into the title's line, so "
                  "the ruled page below tests nothing; title line '%s'; text:\n%s", title,
                  text);
    free(t);
    free(text);

    p = stamp_page(1, box);
    ck_assert_msg(count_frames(p, found) == 1 && abs(found[0] - box[0]) <= 10 &&
                      abs(found[1] - box[1]) <= 10 && abs(found[2] - box[2]) <= 20 &&
                      abs(found[3] - box[3]) <= 20,
                  "the stamp's frame (%d,%d %d x %d) is not found alone: %d,%d %d x %d",
                  box[0], box[1], box[2], box[3], found[0], found[1], found[2], found[3]);
    text = recognise_page(p, "stamp-ruled");
    pixDestroy(&p);
    t = fold_lines(text);
    title = line_with(t, "trien khai", line, sizeof line);
    ck_assert_msg(title, "the title 'trien khai' not read; text:\n%s", text);
    ck_assert_msg(find_loose(title, "luu tru") >= 0, "the title's line is cut: '%s'; text:\n%s",
                  title, text);
    for (size_t i = 0; stamp_words[i]; i++)
        ck_assert_msg(find_loose(title, stamp_words[i]) < 0,
                      "the stamp's '%s' is read into the title's line '%s'; text:\n%s",
                      stamp_words[i], title, text);
    ck_assert_msg(find_loose(title, "trung") < 0 && find_loose(title, "bao") < 0,
                  "the stamp's first line is read into the title's line '%s'; text:\n%s", title,
                  text);
    /* the page's order: motto, title, body, then the stamp */
    static const char *const order[] = {"cong hoa", "hanh phuc", "trien khai", "tren dia ban",
                                        "thuc hien nghi dinh", "noi dung sau", "kiem tra",
                                        "truoc ngay 30/6"};
    long at[sizeof order / sizeof *order];
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        at[i] = find_loose(t, order[i]);
        ck_assert_msg(at[i] >= 0, "'%s' not read; text:\n%s", order[i], text);
        ck_assert_msg(i == 0 || at[i - 1] < at[i], "'%s' comes after '%s'; text:\n%s",
                      order[i - 1], order[i], text);
    }
    long end = at[sizeof order / sizeof *order - 1];
    for (size_t i = 0; stamp_words[i]; i++) {
        long s = find_loose(t, stamp_words[i]);
        ck_assert_msg(s >= 0, "the stamp's '%s' is lost; text:\n%s", stamp_words[i], text);
        ck_assert_msg(s > end, "the stamp's '%s' is read before the body's last line; "
                      "text:\n%s", stamp_words[i], text);
        ck_assert_msg(find_loose(t + s, stamp_words[i]) < 0, "the stamp's '%s' is read "
                      "twice; text:\n%s", stamp_words[i], text);
    }
    free(t);
    free(text);
}
END_TEST

/*
 * A framed cell in the body (a box of stamp size holding "Mau so 01/VT")
 * that no text line runs across: prep_find_frames finds it, but its words
 * stay where they are, between the body's second and third lines, and
 * nothing is read after the body's last line.
 */
START_TEST(test_reading_order_framed_cell)
{
    L_BMF *f = page_font(10);
    PIX *p = white_a4();
    draw_text(p, f, "CONG HOA XA HOI CHU NGHIA VIET NAM", -PAGE_W / 2, 200);
    draw_text(p, f, "Doc lap - Tu do - Hanh phuc", -PAGE_W / 2, 255);
    draw_text(p, f, "V/v trien khai cong tac van thu luu tru", -PAGE_W / 2, 500);
    int y = 700;
    for (int i = 0; i < 4; i++, y += 62) {
        if (i == 2) {
            /* the cell: 1.6 x 0.5 in, 3 px sides, below the second line */
            const int cx = 200, cy = y - 30, cw = 480, ch = 150;
            pixRasterop(p, cx, cy, cw, 3, PIX_CLR, NULL, 0, 0);
            pixRasterop(p, cx, cy + ch - 3, cw, 3, PIX_CLR, NULL, 0, 0);
            pixRasterop(p, cx, cy, 3, ch, PIX_CLR, NULL, 0, 0);
            pixRasterop(p, cx + cw - 3, cy, 3, ch, PIX_CLR, NULL, 0, 0);
            draw_text(p, f, "Mau so 01/VT", cx + 40, cy + 90);
            y = cy + ch + 70;
        }
        draw_text(p, f, stamp_body[i], 200, y);
    }
    bmfDestroy(&f);
    ck_assert_msg(count_frames(p, NULL) == 1, "the cell is not found as a frame (%d found): "
                  "this page would test nothing", count_frames(p, NULL));
    char *text = recognise_page(p, "framed-cell");
    pixDestroy(&p);
    char *t = fold_lines(text);
    static const char *const order[] = {"trien khai", "thuc hien nghi dinh", "noi dung sau",
                                        "mau so 01", "kiem tra", "truoc ngay 30/6"};
    long at[sizeof order / sizeof *order];
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        at[i] = find_loose(t, order[i]);
        ck_assert_msg(at[i] >= 0, "framed cell: '%s' not read; text:\n%s", order[i], text);
        ck_assert_msg(i == 0 || at[i - 1] < at[i], "framed cell: '%s' comes after '%s' (the "
                      "cell's words moved?); text:\n%s", order[i - 1], order[i], text);
    }
    /* nothing set aside after the body */
    const char *rest = t + at[sizeof order / sizeof *order - 1];
    rest += strspn(rest, ". \n");
    ck_assert_msg(!*rest, "framed cell: '%s' read after the body's last line; text:\n%s", rest,
                  text);
    free(t);
    free(text);
}
END_TEST

/* Several lines of ASCII Vietnamese text at print size. */
static PIX *text_page(void)
{
    static const char *const lines[] = {
        "QUYET DINH",
        "Ve viec phe duyet ke hoach su dung dat nam 2025",
        "Can cu Luat To chuc chinh quyen dia phuong ngay 19 thang 6 nam 2015;",
        "Can cu Nghi dinh so 30/2020/ND-CP cua Chinh phu ve cong tac van thu;",
        "Xet de nghi cua cong chuc Dia chinh - Xay dung cua xa,",
        "Dieu 1. Phe duyet phuong an su dung dat nam 2025 cua xa An Binh.",
        "Dieu 2. Giao cong chuc Dia chinh theo doi, huong dan thuc hien.",
        "Dieu 3. Van phong va cac ca nhan co lien quan chiu trach nhiem thi hanh.",
        "Quyet dinh nay co hieu luc ke tu ngay ky.",
    };
    L_BMF *f = page_font(10);
    PIX *p = white_a4();
    int y = 400;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++, y += 62)
        draw_text(p, f, lines[i], i < 2 ? -PAGE_W / 2 : 200, y);
    bmfDestroy(&f);
    return p;
}

/*
 * A page scanned sideways (turned a quarter turn clockwise, _i = 0, or
 * counter-clockwise, _i = 1): ocr_orientation gives the quarter turns that
 * stand it upright again, and the page turned back is read.
 */
START_TEST(test_orientation_sideways_text)
{
    if (!ocr_model_available(NULL, "osd")) {
        printf("sideways page: the Tesseract 'osd' model is absent: not tested\n");
        return;
    }
    int q = _i ? 3 : 1;
    PIX *p = text_page();
    PIX *turned = pixRotateOrth(p, q);
    ck_assert_ptr_nonnull(turned);
    pixDestroy(&p);
    ck_assert_int_eq(pixGetWidth(turned), PAGE_H);
    struct ocr_engine *eng = engine(1);
    int quads = -1;
    enum ocr_orient_how how = OCR_ORIENT_NONE;
    ocr_orientation(eng, turned, 300, &quads, &how);
    ck_assert_msg(quads == 4 - q, "page turned %d quarter(s) clockwise: got %d back "
                  "(decided by %d, see enum ocr_orient_how), want %d", q, quads, (int)how,
                  4 - q);
    ck_assert_int_ne(how, OCR_ORIENT_NONE);
    /* OSD on its own agrees (ocr_orientation asks it when the letter
     * shapes do not settle it) */
    int oq = -1;
    float oconf = 0;
    ck_assert_int_eq(ocr_detect_orientation(eng, turned, 300, &oq, &oconf), 0);
    ck_assert_msg(oq == 4 - q, "page turned %d quarter(s) clockwise: OSD says %d back "
                  "(confidence %.2f), want %d", q, oq, oconf, 4 - q);
    PIX *up = pixRotateOrth(turned, quads);
    ck_assert_ptr_nonnull(up);
    ck_assert_int_eq(pixGetWidth(up), PAGE_W);
    struct ocr_result r;
    ck_assert_int_eq(ocr_recognize(eng, up, 300, 0, &r), SOHOA_OK);
    char *t = fold_lines(r.text);
    static const char *const want[] = {"quyet dinh", "ke hoach", "luat to chuc",
                                       "cong tac van thu", "phuong an", "huong dan",
                                       "trach nhiem", "hieu luc"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(find_loose(t, want[i]) >= 0,
                      "page turned %d and back: '%s' not read; text:\n%s", q, want[i], r.text);
    /* and in order */
    for (size_t i = 1; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(find_loose(t, want[i - 1]) < find_loose(t, want[i]),
                      "page turned %d and back: '%s' after '%s'; text:\n%s", q, want[i - 1],
                      want[i], r.text);
    free(t);
    ocr_result_release(&r);
    ocr_engine_free(&eng);
    pixDestroy(&up);
    pixDestroy(&turned);
}
END_TEST

static Suite *ocr_suite(void)
{
    Suite *s = suite_create("ocr");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_decode_png_jpeg_tiff);
    tcase_add_test(tc, test_decode_real_jpeg);
    tcase_add_test(tc, test_decode_truncated_jpeg);
    tcase_add_test(tc, test_decode_truncated_jpeg_reason);
    tcase_add_test(tc, test_decode_half_jpeg);
    tcase_add_test(tc, test_decode_garbage);
    tcase_add_test(tc, test_decode_png_huge_header);
    tcase_add_test(tc, test_decode_jpeg_huge_header);
    tcase_add_test(tc, test_decode_tiff_frames);
    tcase_add_test(tc, test_decode_corrupt_tiff);
    tcase_add_test(tc, test_decode_tiff_huge_header);
    tcase_add_test(tc, test_decode_other_huge_headers);
    tcase_add_test(tc, test_decode_gif_huge_header);
    tcase_add_test(tc, test_decode_corrupt_png);
    tcase_add_test(tc, test_decode_jpeg_markers_only);
    tcase_add_test(tc, test_decode_tiny_files);
    tcase_add_test(tc, test_decode_zero_bytes);
    tcase_add_test(tc, test_page_dpi);
    tcase_add_test(tc, test_grey);
    tcase_add_test(tc, test_grey_transparent_png);
    tcase_add_test(tc, test_cer_helper);
    tcase_add_test(tc, test_junk_word);
    suite_add_tcase(s, tc);

    tc = tcase_create("engine");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_engine_missing_language);
    tcase_add_loop_test(tc, test_orientation, 0, 4);
    tcase_add_test(tc, test_orientation_without_osd);
    tcase_add_loop_test(tc, test_deskew, 0, 2);
    tcase_add_test(tc, test_deskew_blank_page);
    tcase_add_test(tc, test_text_height);
    tcase_add_test(tc, test_recognition_scale);
    tcase_add_test(tc, test_recognize_sample);
    tcase_add_test(tc, test_recognize_blank);
    suite_add_tcase(s, tc);

    tc = tcase_create("layout");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_find_loose_helper);
    tcase_add_loop_test(tc, test_reading_order_decision, 0, 2);
    tcase_add_test(tc, test_reading_order_dropped_word);
    tcase_add_test(tc, test_reading_order_stamp);
    tcase_add_test(tc, test_reading_order_framed_cell);
    tcase_add_loop_test(tc, test_orientation_sideways_text, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!ocr_model_available(NULL, "vie")) {
        fprintf(stderr, "check_ocr: the Tesseract 'vie' model is absent: skipped\n");
        return 77;
    }
    setMsgSeverity(L_SEVERITY_NONE);
    SRunner *sr = srunner_create(ocr_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
