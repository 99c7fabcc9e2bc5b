/*
 * check_prep.c - page preparation on images made in code: skew measured on
 * pages turned by known angles, orientation (OSD and the text-band
 * fallback), text-line direction, the text band, blank-page detection
 * (specks, scanner borders, punch holes, show-through, a single line of
 * text, yellowed paper), text height and recognition scale, the frames of
 * received stamps.
 *
 * Every test image is built here with Leptonica, from the real sample page
 * (a 300 dpi A4 scan of Vietnamese text) or from synthetic drawings.
 * Set CHECK_PREP_DUMP=1 to keep the images made in a fresh directory
 * under /tmp for a look.
 */
#include <check.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "fold.h"
#include "prep.h"
#include "util.h"

#define PI 3.14159265358979323846
#define SAMPLE_PAGE SOHOA_SOURCE_DIR \
    "/samples/batch-2026-01/hs-tanky-cchc-2025/ttr-45-tanky-khan/page-001.jpg"

/* A4 at 300 dpi */
#define A4_W 2480
#define A4_H 3508
#define DPI 300

/* skew angles applied, in degrees, clockwise positive (pixRotate's sign) */
static const float skew_deg[] = {1.0f, -2.5f, 4.0f, -7.0f, 9.5f};
#define NSKEW ((int)(sizeof skew_deg / sizeof *skew_deg))

/* ---- helpers ---- */

/* xorshift32: the same specks on every run */
static uint32_t rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static int rnd_in(uint32_t *s, int lo, int hi)
{
    return lo + (int)(rnd(s) % (uint32_t)(hi - lo + 1));
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* With CHECK_PREP_DUMP set, keep an image for a look. */
static void dump(PIX *pix, const char *name)
{
    static char dir[64];
    const char *env = getenv("CHECK_PREP_DUMP");
    if (!env || !*env || !pix)
        return;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/check_prep_XXXXXX");
        if (!mkdtemp(dir)) {
            dir[0] = 0;
            return;
        }
        say("images kept in %s", dir);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    pixWrite(path, pix, IFF_PNG);
}

/* the sample page, decoded as the pipeline does; grey unless rgb */
static PIX *sample_page(int rgb)
{
    uint8_t *d = NULL;
    size_t len = 0;
    ck_assert_msg(util_read_file(SAMPLE_PAGE, &d, &len) == SOHOA_OK, "cannot read %s",
                  SAMPLE_PAGE);
    PIX *pix = NULL;
    char why[256] = "";
    ck_assert_msg(prep_decode(d, len, 0, &pix, why, sizeof why) == SOHOA_OK, "%s", why);
    free(d);
    ck_assert_int_eq(prep_page_dpi(pix, NULL), DPI);
    if (rgb) {
        ck_assert_int_eq(pixGetDepth(pix), 32);
        return pix;
    }
    PIX *g = prep_grey(pix);
    pixDestroy(&pix);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(pixGetDepth(g), 8);
    return g;
}

static PIX *sample_grey(void)
{
    return sample_page(0);
}

static PIX *white_page(int w, int h)
{
    PIX *p = pixCreate(w, h, 8);
    ck_assert_ptr_nonnull(p);
    pixSetAll(p);
    pixSetResolution(p, DPI, DPI);
    return p;
}

/* black rectangle on an 8 bpp page */
static void ink_rect(PIX *p, int x, int y, int w, int h)
{
    pixRasterop(p, x, y, w, h, PIX_CLR, NULL, 0, 0);
}

/* filled disc of grey value v */
static void disc(PIX *p, int cx, int cy, int r, l_uint32 v)
{
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++)
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r &&
                x >= 0 && y >= 0 && x < pixGetWidth(p) && y < pixGetHeight(p))
                pixSetPixel(p, x, y, v);
}

/* share of dark pixels (below 160) */
static double ink_ratio(PIX *grey)
{
    PIX *bin = pixConvertTo1(grey, 160);
    ck_assert_ptr_nonnull(bin);
    l_int32 n = 0;
    pixCountPixels(bin, &n, NULL);
    double r = (double)n / ((double)pixGetWidth(bin) * pixGetHeight(bin));
    pixDestroy(&bin);
    return r;
}

static PIX *rotate_deg(PIX *p, float deg)
{
    PIX *r = pixRotate(p, (l_float32)(deg * PI / 180.0), L_ROTATE_AREA_MAP,
                       L_BRING_IN_WHITE, 0, 0);
    ck_assert_ptr_nonnull(r);
    return r;
}

/* Map grey 0..255 linearly onto lo..hi (lowers contrast when narrower). */
static PIX *map_range(PIX *grey, int lo, int hi)
{
    /* pixGammaTRC maps minval to 0 and maxval to 255 */
    double span = 255.0 * 255.0 / (double)(hi - lo);
    int minval = (int)lround(-lo * span / 255.0);
    int maxval = (int)lround(minval + span);
    PIX *out = pixGammaTRC(NULL, grey, 1.0f, minval, maxval);
    ck_assert_ptr_nonnull(out);
    return out;
}

/*
 * Synthetic page of "text lines": rows of black word-sized bars, 24 px tall
 * every 72 px, with ragged right ends.
 */
static PIX *bars_page(void)
{
    PIX *p = white_page(A4_W, A4_H);
    uint32_t seed = 12345;
    for (int y = 350; y < A4_H - 350; y += 72) {
        int right = A4_W - 300 - rnd_in(&seed, 0, 500);
        for (int x = 300; x < right;) {
            int w = rnd_in(&seed, 60, 260);
            if (x + w > right)
                w = right - x;
            ink_rect(p, x, y, w, 24);
            x += w + rnd_in(&seed, 20, 35);
        }
    }
    return p;
}

static struct ocr_engine *engine(int osd)
{
    struct ocr_options opt = {.datapath = NULL, .lang = "vie", .osd = osd};
    char why[512] = "";
    struct ocr_engine *eng = ocr_engine_new(&opt, why, sizeof why);
    ck_assert_msg(eng != NULL, "ocr_engine_new: %s", why);
    return eng;
}

static const char *how_name(enum ocr_orient_how how)
{
    switch (how) {
    case OCR_ORIENT_OSD: return "OSD";
    case OCR_ORIENT_BAND: return "BAND";
    case OCR_ORIENT_SHAPE: return "SHAPE";
    case OCR_ORIENT_NONE: return "NONE";
    }
    return "?";
}

/*
 * One short line of text of the sample page: a run of inked rows in the
 * body of the page, of text-line height, whose ink spans less than half the
 * page width. Returns the crop (grey), its ink bounds in *bx.. of the page.
 */
static PIX *sample_short_line(PIX *g, int *bx, int *by, int *bw, int *bh)
{
    int w = pixGetWidth(g), h = pixGetHeight(g);
    PIX *bin = pixConvertTo1(g, 160);
    ck_assert_ptr_nonnull(bin);
    NUMA *rows = pixCountPixelsByRow(bin, NULL);
    ck_assert_ptr_nonnull(rows);
    PIX *found = NULL;
    int n = numaGetCount(rows);
    for (int y = h / 4; y < n && !found;) {
        l_float32 v;
        numaGetFValue(rows, y, &v);
        if (v < 2) {
            y++;
            continue;
        }
        int y0 = y;
        while (y < n) {
            numaGetFValue(rows, y, &v);
            if (v < 2)
                break;
            y++;
        }
        int lh = y - y0;
        if (lh < 25 || lh > 90)
            continue;
        /* the ink's horizontal extent on those rows */
        int x0 = -1, x1 = -1;
        for (int x = 0; x < w; x++) {
            int ink = 0;
            for (int yy = y0; yy < y0 + lh && !ink; yy++) {
                l_uint32 b = 0;
                pixGetPixel(bin, x, yy, &b);
                ink = b != 0;
            }
            if (ink) {
                if (x0 < 0)
                    x0 = x;
                x1 = x;
            }
        }
        if (x0 < 0 || x1 - x0 + 1 > w / 2 || x1 - x0 + 1 < w / 8)
            continue;
        /* a few pixels of paper around the ink */
        *bx = x0 - 4;
        *by = y0 - 4;
        *bw = x1 - x0 + 9;
        *bh = lh + 8;
        BOX *box = boxCreate(*bx, *by, *bw, *bh);
        found = pixClipRectangle(g, box, NULL);
        boxDestroy(&box);
    }
    numaDestroy(&rows);
    pixDestroy(&bin);
    ck_assert_msg(found != NULL, "no short text line found on the sample page");
    return found;
}

/* ---- skew ---- */

/*
 * Skew still left on a page, measured independently of prep_deskew: a
 * wider sweep (+-15 degrees, trusted to 14.5), same sign as prep_deskew's
 * correction (the clockwise turn that would straighten the page).
 */
static float residual_skew(PIX *grey)
{
    PIX *bin = pixConvertTo1(grey, 160);
    ck_assert_ptr_nonnull(bin);
    l_float32 a = 0, conf = 0;
    l_int32 rc = pixFindSkewSweepAndSearch(bin, &a, &conf, 4, 2, 15.0f, 0.5f, 0.01f);
    pixDestroy(&bin);
    ck_assert_msg(rc == 0 && conf > 2.5f, "skew not measurable (rc %d, confidence %.2f)", rc,
                  conf);
    return a;
}

/*
 * The sample page, made straight first, turned clockwise by a known angle:
 * prep_deskew returns the clockwise correction it applied, which is minus
 * the angle applied (plus whatever the straightened page still needs), and
 * its result is straight.
 */
/* A PNG whose chunk claims more bytes than the file has (a damaged tEXt
 * length made libpng ask for 2 GB: found by fuzz_image) is refused before
 * decoding, naming the chunk; a PNG cut short is refused too; the whole
 * file decodes. */
START_TEST(test_decode_png_chunk_past_end)
{
    PIX *p = pixCreate(64, 48, 8);
    ck_assert_ptr_nonnull(p);
    pixSetAll(p);
    l_uint8 *png = NULL;
    size_t n = 0;
    ck_assert_int_eq(pixWriteMem(&png, &n, p, IFF_PNG), 0);
    PIX *out = NULL;
    char why[256] = "";
    ck_assert_msg(prep_decode(png, n, 0, &out, why, sizeof why) == SOHOA_OK, "%s", why);
    pixDestroy(&out);
    /* the first chunk after IHDR (IHDR is 8 + 25 bytes) given a 2 GB length */
    size_t at = 8 + 25;
    ck_assert(n > at + 8);
    uint8_t *bad = malloc(n);
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, png, n);
    bad[at] = 0x7f;
    bad[at + 1] = 0x00;
    bad[at + 2] = 0x00;
    bad[at + 3] = 0x26;
    ck_assert_int_eq(prep_decode(bad, n, 0, &out, why, sizeof why), SOHOA_EFORMAT);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(why, "PNG") && strstr(why, "claims"), "why: %s", why);
    /* cut in its last chunk */
    ck_assert_int_eq(prep_decode(png, n - 6, 0, &out, why, sizeof why), SOHOA_EFORMAT);
    ck_assert_ptr_null(out);
    free(bad);
    lept_free(png);
    pixDestroy(&p);
}
END_TEST

START_TEST(test_deskew_sample_known_angles)
{
    float applied = skew_deg[_i];
    PIX *g = sample_grey();
    float base = 0;
    PIX *straight = prep_deskew(g, &base);
    ck_assert_ptr_nonnull(straight);
    pixDestroy(&g);
    float base_rest = residual_skew(straight);
    PIX *turned = rotate_deg(straight, applied);
    pixDestroy(&straight);
    float angle = 0;
    PIX *fixed = prep_deskew(turned, &angle);
    ck_assert_ptr_nonnull(fixed);
    int same_size = pixGetWidth(fixed) == pixGetWidth(turned) &&
                    pixGetHeight(fixed) == pixGetHeight(turned);
    float rest = residual_skew(fixed);
    pixDestroy(&fixed);
    pixDestroy(&turned);
    float want = base_rest - applied;
    say("deskew sample: own skew %+.2f (%+.2f left after deskew), turned %+.2f: "
        "correction %+.2f (want %+.2f), residual %+.2f", base, base_rest, applied, angle,
        want, rest);
    ck_assert_msg(fabsf(base_rest) < 0.3f, "straightened sample page still needs %.2f deg",
                  base_rest);
    ck_assert_msg(fabsf(angle - want) < 0.3f,
                  "sample turned by %+.2f deg: correction %+.2f, want %+.2f", applied, angle,
                  want);
    ck_assert(same_size);
    ck_assert_msg(fabsf(rest) < 0.3f, "sample turned by %+.2f deg: after deskew still %+.2f",
                  applied, rest);
}
END_TEST

/* The same on a synthetic page of black bars standing for text lines. */
START_TEST(test_deskew_bars_known_angles)
{
    float applied = skew_deg[_i];
    PIX *p = bars_page();
    PIX *turned = rotate_deg(p, applied);
    pixDestroy(&p);
    float angle = 0;
    PIX *fixed = prep_deskew(turned, &angle);
    ck_assert_ptr_nonnull(fixed);
    pixDestroy(&turned);
    float rest = residual_skew(fixed);
    pixDestroy(&fixed);
    say("deskew bars: turned %+.2f: correction %+.2f (want %+.2f), residual %+.2f", applied,
        angle, -applied, rest);
    ck_assert_msg(fabsf(angle + applied) < 0.3f,
                  "bars turned by %+.2f deg: correction %+.2f, want %+.2f", applied, angle,
                  -applied);
    ck_assert_msg(fabsf(rest) < 0.3f, "bars turned by %+.2f deg: after deskew still %+.2f",
                  applied, rest);
}
END_TEST

/* A straight page is left alone: angle 0 and an identical image. */
START_TEST(test_deskew_bars_straight)
{
    PIX *p = bars_page();
    float angle = 99;
    PIX *out = prep_deskew(p, &angle);
    ck_assert_ptr_nonnull(out);
    ck_assert_float_eq(angle, 0.0f);
    l_int32 same = 0;
    pixEqual(out, p, &same);
    ck_assert(same);
    pixDestroy(&out);
    pixDestroy(&p);
}
END_TEST

/* ---- orientation ---- */

/* The sample page turned q quarter turns clockwise: q' = (4 - q) % 4 back. */
START_TEST(test_orientation_exact)
{
    int q = _i;
    PIX *g = sample_grey();
    PIX *turned = pixRotateOrth(g, q);
    ck_assert_ptr_nonnull(turned);
    struct ocr_engine *eng = engine(1);
    int quads = -1;
    enum ocr_orient_how how = OCR_ORIENT_NONE;
    ocr_orientation(eng, turned, DPI, &quads, &how);
    say("orientation: sample turned %d: %d back, by %s", q, quads, how_name(how));
    ck_assert_msg(quads == (4 - q) % 4, "page turned %d quarter(s): got %d back (%s), want %d",
                  q, quads, how_name(how), (4 - q) % 4);
    ck_assert_int_ne(how, OCR_ORIENT_NONE);
    ocr_engine_free(&eng);
    pixDestroy(&turned);
    pixDestroy(&g);
}
END_TEST

/*
 * Without the OSD model ocr_orientation decides by the text-line direction
 * and the letter shapes (or, were they unclear, the recognition confidence
 * on a band at both turns): still exact.
 */
START_TEST(test_orientation_band_without_osd)
{
    int q = _i;
    PIX *g = sample_grey();
    PIX *turned = pixRotateOrth(g, q);
    ck_assert_ptr_nonnull(turned);
    struct ocr_engine *eng = engine(0);
    int quads = -1;
    enum ocr_orient_how how = OCR_ORIENT_NONE;
    ocr_orientation(eng, turned, DPI, &quads, &how);
    say("orientation without OSD: sample turned %d: %d back, by %s", q, quads, how_name(how));
    ck_assert(how == OCR_ORIENT_SHAPE || how == OCR_ORIENT_BAND);
    ck_assert_msg(quads == (4 - q) % 4, "page turned %d quarter(s): got %d back, want %d", q,
                  quads, (4 - q) % 4);
    ocr_engine_free(&eng);
    pixDestroy(&turned);
    pixDestroy(&g);
}
END_TEST

/*
 * A poor copy of the page (blurred by halving and doubling, salt-and-pepper
 * specks, low contrast) upside down, OSD made unsure: the answer must still
 * be two quarter turns. Two degrees of damage, both still plainly legible:
 *   0: 5 % of the pixels specked, grey 150..170 (OSD confidence about 4.7)
 *   1: 10 % of the pixels specked, grey 90..190 (OSD confidence about 0.9)
 * (ocr_orientation takes OSD's answer from confidence 6.)
 */
static const struct {
    double specks;
    int lo, hi;
} damage[] = {{0.05, 150, 170}, {0.10, 90, 190}};

static PIX *degraded(PIX *g, int level)
{
    PIX *half = pixScale(g, 0.5f, 0.5f);
    ck_assert_ptr_nonnull(half);
    PIX *blur = pixScaleToSize(half, pixGetWidth(g), pixGetHeight(g));
    ck_assert_ptr_nonnull(blur);
    pixDestroy(&half);
    int w = pixGetWidth(blur), h = pixGetHeight(blur);
    uint32_t seed = 2026;
    int nspecks = (int)((double)w * h * damage[level].specks);
    for (int i = 0; i < nspecks; i++) {
        int x = (int)(rnd(&seed) % (uint32_t)w), y = (int)(rnd(&seed) % (uint32_t)h);
        pixSetPixel(blur, x, y, (rnd(&seed) & 1) ? 255 : 0);
    }
    PIX *dull = map_range(blur, damage[level].lo, damage[level].hi);
    pixDestroy(&blur);
    return dull;
}

START_TEST(test_orientation_degraded_180)
{
    int level = _i;
    PIX *g = sample_grey();
    PIX *dull = degraded(g, level);
    pixDestroy(&g);
    PIX *upside = pixRotateOrth(dull, 2);
    pixDestroy(&dull);
    ck_assert_ptr_nonnull(upside);
    char name[32];
    snprintf(name, sizeof name, "degraded-%d-180", level);
    dump(upside, name);

    struct ocr_engine *eng = engine(1);
    int oq = -1;
    float oconf = 0;
    int orc = ocr_detect_orientation(eng, upside, DPI, &oq, &oconf);
    int quads = -1;
    enum ocr_orient_how how = OCR_ORIENT_NONE;
    ocr_orientation(eng, upside, DPI, &quads, &how);
    ocr_engine_free(&eng);
    /* what the band comparison saw (as ocr_orientation does it) */
    PIX *b0 = prep_text_band(upside, 0), *b2 = prep_text_band(upside, 2);
    int dir = prep_line_direction(upside);
    pixDestroy(&upside);
    ck_assert_ptr_nonnull(b0);
    ck_assert_ptr_nonnull(b2);
    struct ocr_engine *plain = engine(0);
    float c0 = ocr_confidence(plain, b0, DPI), c2 = ocr_confidence(plain, b2, DPI);
    ocr_engine_free(&plain);
    pixDestroy(&b0);
    pixDestroy(&b2);
    say("orientation degraded (%.0f %% specks, grey %d..%d) 180: OSD rc %d says %d "
        "(confidence %.2f); line direction %d, band confidence at 0 turns %.1f, at 2 "
        "turns %.1f; answer %d by %s", 100 * damage[level].specks, damage[level].lo,
        damage[level].hi, orc, oq, oconf, dir, c0, c2, quads, how_name(how));
    ck_assert_msg(quads == 2, "degraded page (%.0f %% specks, grey %d..%d) upside down: "
                  "got %d (%s; OSD said %d at confidence %.2f), want 2",
                  100 * damage[level].specks, damage[level].lo, damage[level].hi, quads,
                  how_name(how), oq, oconf);
}
END_TEST

/* A white page has no orientation to find: left as it is. */
START_TEST(test_orientation_white)
{
    PIX *p = white_page(A4_W, A4_H);
    struct ocr_engine *eng = engine(1);
    int quads = -1;
    enum ocr_orient_how how = OCR_ORIENT_OSD;
    ocr_orientation(eng, p, DPI, &quads, &how);
    ck_assert_int_eq(quads, 0);
    ck_assert_int_eq(how, OCR_ORIENT_NONE);
    ocr_engine_free(&eng);
    pixDestroy(&p);
}
END_TEST

/* Recognition is sure of upright text and clearly less of it upside down. */
START_TEST(test_confidence_band)
{
    PIX *g = sample_grey();
    PIX *band = prep_text_band(g, 0);
    ck_assert_ptr_nonnull(band);
    PIX *upside = pixRotateOrth(band, 2);
    ck_assert_ptr_nonnull(upside);
    struct ocr_engine *eng = engine(0);
    float up = ocr_confidence(eng, band, DPI);
    float down = ocr_confidence(eng, upside, DPI);
    say("confidence on the sample band: upright %.1f, turned 180 %.1f", up, down);
    ck_assert_msg(up > 80.0f, "upright band: confidence %.1f", up);
    ck_assert_msg(down <= up - 20.0f, "upright %.1f, upside down %.1f", up, down);
    /* nothing to read: 0 */
    PIX *white = white_page(A4_W, A4_H / 5);
    ck_assert_float_eq(ocr_confidence(eng, white, DPI), 0.0f);
    pixDestroy(&white);
    ocr_engine_free(&eng);
    pixDestroy(&upside);
    pixDestroy(&band);
    pixDestroy(&g);
}
END_TEST

/*
 * A band of nothing but specks holds no words: it must not score like
 * text, or the band comparison in ocr_orientation prefers it.
 */
START_TEST(test_confidence_specks_only)
{
    PIX *p = white_page(A4_W, 706);
    int w = pixGetWidth(p), h = pixGetHeight(p);
    uint32_t seed = 5;
    int nspecks = w * h / 5; /* 20 % of the pixels */
    for (int i = 0; i < nspecks; i++) {
        int x = (int)(rnd(&seed) % (uint32_t)w), y = (int)(rnd(&seed) % (uint32_t)h);
        pixSetPixel(p, x, y, (rnd(&seed) & 1) ? 255 : 0);
    }
    struct ocr_engine *eng = engine(0);
    float c = ocr_confidence(eng, p, DPI);
    struct ocr_result r;
    enum sohoa_err e = ocr_recognize(eng, p, DPI, 0, &r);
    ocr_engine_free(&eng);
    pixDestroy(&p);
    ck_assert_int_eq(e, SOHOA_OK);
    size_t nwords = r.nwords;
    say("confidence on a band of specks only: %.1f (%zu word(s), first '%s')", c, nwords,
        nwords ? r.words[0].text : "");
    ocr_result_release(&r);
    ck_assert_msg(c < 50.0f, "a band of specks only: confidence %.1f (%zu word(s))", c,
                  nwords);
}
END_TEST

/* ---- line direction, text band ---- */

START_TEST(test_line_direction_sample)
{
    PIX *g = sample_grey();
    static const int want[4] = {0, 1, 0, 1};
    for (int q = 0; q < 4; q++) {
        PIX *t = pixRotateOrth(g, q);
        ck_assert_ptr_nonnull(t);
        int dir = prep_line_direction(t);
        ck_assert_msg(dir == want[q], "sample turned %d: direction %d, want %d", q, dir,
                      want[q]);
        pixDestroy(&t);
    }
    pixDestroy(&g);
}
END_TEST

START_TEST(test_line_direction_bars_and_white)
{
    PIX *p = bars_page();
    ck_assert_int_eq(prep_line_direction(p), 0);
    PIX *t = pixRotateOrth(p, 1);
    ck_assert_int_eq(prep_line_direction(t), 1);
    PIX *white = white_page(A4_W, A4_H);
    ck_assert_int_eq(prep_line_direction(white), -1);
    pixDestroy(&white);
    pixDestroy(&t);
    pixDestroy(&p);
}
END_TEST

START_TEST(test_text_band)
{
    int q = _i;
    PIX *g = sample_grey();
    PIX *turned = pixRotateOrth(g, q);
    ck_assert_ptr_nonnull(turned);
    int tw = pixGetWidth(turned), th = pixGetHeight(turned);
    PIX *band = prep_text_band(g, q);
    ck_assert_ptr_nonnull(band);
    int bw = pixGetWidth(band), bh = pixGetHeight(band);
    double ink = ink_ratio(band);
    say("text band, %d turn(s): %d x %d of %d x %d, ink %.2f %%", q, bw, bh, tw, th,
        100.0 * ink);
    ck_assert_int_eq(bw, tw);
    ck_assert_msg(bh >= th / 5 - 2 && bh <= th / 5 + 2, "band %d px of %d", bh, th);
    ck_assert_int_eq(pixGetDepth(band), 8);
    ck_assert_msg(ink > 0.01, "band holds %.2f %% ink", 100.0 * ink);
    pixDestroy(&band);
    pixDestroy(&turned);
    pixDestroy(&g);
}
END_TEST

/* A page with too little to choose from still gets a band of the right size. */
START_TEST(test_text_band_white)
{
    PIX *p = white_page(A4_W, A4_H);
    PIX *band = prep_text_band(p, 1);
    ck_assert_ptr_nonnull(band);
    ck_assert_int_eq(pixGetWidth(band), A4_H);
    ck_assert_int_eq(pixGetHeight(band), A4_W / 5);
    pixDestroy(&band);
    pixDestroy(&p);
}
END_TEST

/* ---- text height, recognition scale ---- */

/* Resolution: kept as the file says unless page shape and text size both
 * say the page is A4 scanned at another resolution. */
START_TEST(test_page_dpi_checked)
{
    int guessed = -1;
    PIX *p = pixCreate(1654, 2339, 8); /* A4 at 200 dpi */
    ck_assert_ptr_nonnull(p);
    pixSetResolution(p, 300, 300);
    /* small text at the claimed 300 dpi, normal at 200: the file is wrong */
    ck_assert_int_eq(prep_page_dpi_checked(p, 19, &guessed), 200);
    ck_assert_int_eq(guessed, 1);
    /* normal text at 300 dpi: an A5 page at 300, as the file says */
    ck_assert_int_eq(prep_page_dpi_checked(p, 28, &guessed), 300);
    ck_assert_int_eq(guessed, 0);
    /* unknown text height: nothing to overrule the file with */
    ck_assert_int_eq(prep_page_dpi_checked(p, 0, &guessed), 300);
    ck_assert_int_eq(guessed, 0);
    /* no resolution in the file: A4 proportions give A4's */
    pixSetXRes(p, 0);
    pixSetYRes(p, 0);
    ck_assert_int_eq(prep_page_dpi_checked(p, 0, &guessed), 200);
    ck_assert_int_eq(guessed, 1);
    pixDestroy(&p);
    /* A4 at the claimed resolution: kept */
    p = pixCreate(2481, 3508, 8);
    pixSetResolution(p, 300, 300);
    ck_assert_int_eq(prep_page_dpi_checked(p, 19, &guessed), 300);
    ck_assert_int_eq(guessed, 0);
    pixDestroy(&p);
    /* Letter proportions: not A4, kept as claimed */
    p = pixCreate(1811, 2343, 8);
    pixSetResolution(p, 213, 213);
    ck_assert_int_eq(prep_page_dpi_checked(p, 9, &guessed), 213);
    ck_assert_int_eq(guessed, 0);
    pixDestroy(&p);
}
END_TEST

/* Uneven light: a page whose paper darkens towards one corner is found; an
 * evenly lit page (the sample scan, a white page) is not. Levelling makes
 * the paper even again. */
START_TEST(test_uneven_light)
{
    PIX *g = sample_grey();
    ck_assert_int_eq(prep_uneven_light(g), 0);
    PIX *white = white_page(A4_W, A4_H);
    ck_assert_int_eq(prep_uneven_light(white), 0);
    pixDestroy(&white);
    /* darken towards the bottom right: paper from 250 down to about 150 */
    PIX *dark = pixCopy(NULL, g);
    ck_assert_ptr_nonnull(dark);
    int w = pixGetWidth(dark), h = pixGetHeight(dark);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            l_uint32 v;
            pixGetPixel(dark, x, y, &v);
            double f = 1.0 - 0.4 * ((double)x / w + (double)y / h) / 2.0;
            pixSetPixel(dark, x, y, (l_uint32)(v * f));
        }
    }
    ck_assert_int_eq(prep_uneven_light(dark), 1);
    PIX *flat = prep_flatten(dark);
    ck_assert_ptr_nonnull(flat);
    ck_assert_int_eq(prep_uneven_light(flat), 0);
    pixDestroy(&flat);
    pixDestroy(&dark);
    pixDestroy(&g);
}
END_TEST

START_TEST(test_text_height)
{
    PIX *g = sample_grey();
    int h = prep_text_height(g);
    PIX *half = pixScale(g, 0.5f, 0.5f);
    ck_assert_ptr_nonnull(half);
    pixDestroy(&g);
    int hh = prep_text_height(half);
    pixDestroy(&half);
    PIX *white = white_page(A4_W, A4_H);
    int hw = prep_text_height(white);
    pixDestroy(&white);
    say("text height: %d px at 300 dpi, %d px at half size, %d on a white page", h, hh, hw);
    ck_assert_msg(h >= 20 && h <= 36, "text height %d px", h);
    ck_assert_msg(abs(hh - h / 2) <= 3, "text height %d px, %d px at half size (want %d +-3)",
                  h, hh, h / 2);
    ck_assert_int_eq(hw, 0);
}
END_TEST

START_TEST(test_recognition_scale)
{
    ck_assert_float_eq(prep_recognition_scale(0), 1.0f);
    ck_assert_float_eq_tol(prep_recognition_scale(40), 0.5f, 1e-6f);
    ck_assert_float_eq_tol(prep_recognition_scale(28), 20.0f / 28.0f, 1e-5f);
    ck_assert_float_eq(prep_recognition_scale(18), 1.0f); /* near the target: as is */
    /* small text (low resolution) is enlarged to the target, at most 2.5x */
    ck_assert_float_eq_tol(prep_recognition_scale(10), 2.0f, 1e-6f);
    ck_assert_float_eq_tol(prep_recognition_scale(4), 2.5f, 1e-6f);
    float last = prep_recognition_scale(1);
    for (int h = 2; h <= 400; h++) {
        float s = prep_recognition_scale(h);
        ck_assert_msg(s <= last, "scale %.4f at %d px above %.4f at %d px", s, h, last, h - 1);
        ck_assert(s >= 0.5f && s <= 2.5f);
        last = s;
    }
}
END_TEST

/* ---- blank pages ---- */

START_TEST(test_blank_white)
{
    PIX *p = white_page(A4_W, A4_H);
    ck_assert(prep_is_blank(p, DPI));
    pixDestroy(&p);
}
END_TEST

/* 300 dust specks of 1 to 3 px */
START_TEST(test_blank_specks)
{
    PIX *p = white_page(A4_W, A4_H);
    uint32_t seed = 77;
    for (int i = 0; i < 300; i++) {
        int s = rnd_in(&seed, 1, 3);
        ink_rect(p, rnd_in(&seed, 0, A4_W - 4), rnd_in(&seed, 0, A4_H - 4), s, s);
    }
    dump(p, "specks");
    ck_assert(prep_is_blank(p, DPI));
    pixDestroy(&p);
}
END_TEST

/*
 * A dark scanner border along the right edge and the top, and two punch
 * holes (black discs of 6 mm, 80 mm apart, their centres 12 mm from the
 * left edge: ISO 838).
 */
START_TEST(test_blank_border_punch_holes)
{
    PIX *p = white_page(A4_W, A4_H);
    ink_rect(p, A4_W - 70, 0, 70, A4_H);
    BOX *shade = boxCreate(A4_W - 110, 0, 40, A4_H);
    pixSetInRectArbitrary(p, shade, 90);
    boxDestroy(&shade);
    ink_rect(p, 0, 0, A4_W, 35);
    int r = DPI * 3 * 10 / 254;       /* 3 mm */
    int cx = DPI * 12 * 10 / 254;     /* 12 mm */
    int gap = DPI * 80 * 10 / 254;    /* 80 mm */
    disc(p, cx, A4_H / 2 - gap / 2, r, 0);
    disc(p, cx, A4_H / 2 + gap / 2, r, 0);
    dump(p, "border-holes");
    ck_assert(prep_is_blank(p, DPI));
    pixDestroy(&p);
}
END_TEST

/* The back of a page: the front shows through mirrored, light grey 200..235. */
START_TEST(test_blank_show_through)
{
    PIX *g = sample_grey();
    PIX *mirror = pixFlipLR(NULL, g);
    ck_assert_ptr_nonnull(mirror);
    PIX *faint = map_range(mirror, 200, 235);
    l_int32 lo = 0, hi = 0;
    pixGetExtremeValue(faint, 1, L_SELECT_MIN, NULL, NULL, NULL, &lo);
    pixGetExtremeValue(faint, 1, L_SELECT_MAX, NULL, NULL, NULL, &hi);
    say("show-through page: grey %d..%d", lo, hi);
    ck_assert_int_ge(lo, 199);
    ck_assert_int_le(hi, 236);
    dump(faint, "show-through");
    ck_assert(prep_is_blank(faint, DPI));
    pixDestroy(&faint);
    pixDestroy(&mirror);
    pixDestroy(&g);
}
END_TEST

START_TEST(test_not_blank_sample)
{
    PIX *g = sample_grey();
    ck_assert(!prep_is_blank(g, DPI));
    /* the same page scanned at 150 dpi */
    PIX *half = pixScale(g, 0.5f, 0.5f);
    ck_assert_ptr_nonnull(half);
    ck_assert(!prep_is_blank(half, DPI / 2));
    pixDestroy(&half);
    pixDestroy(&g);
}
END_TEST

/* A white page holding only one short line cut from the sample page. */
START_TEST(test_not_blank_one_line)
{
    PIX *g = sample_grey();
    int x, y, w, h;
    PIX *line = sample_short_line(g, &x, &y, &w, &h);
    say("one line: %d x %d px cut at %d,%d", w, h, x, y);
    PIX *p = white_page(A4_W, A4_H);
    pixRasterop(p, (A4_W - w) / 2, A4_H / 3, w, h, PIX_SRC, line, 0, 0);
    dump(p, "one-line");
    ck_assert_msg(!prep_is_blank(p, DPI), "a page with one line of text (%d x %d) is blank",
                  w, h);
    pixDestroy(&p);
    pixDestroy(&line);
    pixDestroy(&g);
}
END_TEST

/*
 * Yellowed paper under uneven light: the colour page multiplied by a
 * yellowish tint that darkens from the top-left corner to the bottom-right.
 */
START_TEST(test_not_blank_yellow_background)
{
    PIX *rgb = sample_page(1);
    int w = pixGetWidth(rgb), h = pixGetHeight(rgb);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = pixGetData(rgb) + (size_t)y * pixGetWpl(rgb);
        for (int x = 0; x < w; x++) {
            double f = 1.0 - 0.35 * ((double)x / w + (double)y / h) / 2.0;
            l_int32 r, gr, b;
            extractRGBValues(line[x], &r, &gr, &b);
            r = (l_int32)(r * f);
            gr = (l_int32)(gr * f * 0.93);
            b = (l_int32)(b * f * 0.72);
            composeRGBPixel(r, gr, b, &line[x]);
        }
    }
    PIX *g = prep_grey(rgb);
    ck_assert_ptr_nonnull(g);
    dump(g, "yellow");
    ck_assert(!prep_is_blank(g, DPI));
    /* and the same paper without the print is blank */
    PIX *paper = pixCreate(w, h, 32);
    ck_assert_ptr_nonnull(paper);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = pixGetData(paper) + (size_t)y * pixGetWpl(paper);
        for (int x = 0; x < w; x++) {
            double f = 1.0 - 0.35 * ((double)x / w + (double)y / h) / 2.0;
            composeRGBPixel((l_int32)(250 * f), (l_int32)(250 * f * 0.93),
                            (l_int32)(250 * f * 0.72), &line[x]);
        }
    }
    PIX *gp = prep_grey(paper);
    ck_assert_ptr_nonnull(gp);
    ck_assert(prep_is_blank(gp, DPI));
    pixDestroy(&gp);
    pixDestroy(&paper);
    pixDestroy(&g);
    pixDestroy(&rgb);
}
END_TEST

/* darkest value in a rectangle */
static l_uint32 darkest(PIX *g, int x, int y, int w, int h)
{
    BOX *b = boxCreate(x, y, w, h);
    PIX *c = pixClipRectangle(g, b, NULL);
    l_int32 v = 0;
    pixGetExtremeValue(c, 1, L_SELECT_MIN, NULL, NULL, NULL, &v);
    pixDestroy(&c);
    boxDestroy(&b);
    return (l_uint32)v;
}

/* A page with the scanner's additions: a black band down the left edge, a
 * grey rim beside it, the black corner wedge of a skewed sheet and two
 * punch holes. They become paper; the text does not move. */
START_TEST(test_clear_border)
{
    PIX *g = sample_grey();
    int w = pixGetWidth(g), h = pixGetHeight(g);
    PIX *p = pixCopy(NULL, g);
    ink_rect(p, 0, 0, 60, h);
    BOX *rim = boxCreate(60, 0, 4, h);
    pixSetInRectArbitrary(p, rim, 90);
    boxDestroy(&rim);
    for (int y = 0; y < 150; y++)        /* wedge in the bottom-right corner */
        pixRasterop(p, w - 150 + y, h - 150 + y, 150 - y, 1, PIX_CLR, NULL, 0, 0);
    int r = DPI * 3 * 10 / 254, cx = DPI * 12 * 10 / 254;
    disc(p, cx + 60, h / 3, r, 0);
    disc(p, cx + 60, 2 * h / 3, r, 0);
    long cleared = 0;
    PIX *c = prep_clear_border(p, DPI, &cleared);
    ck_assert_ptr_nonnull(c);
    dump(c, "clear-border");
    ck_assert_msg(cleared > 60L * h, "cleared only %ld pixels", cleared);
    ck_assert_uint_gt(darkest(c, 0, 0, 70, h), 160);
    ck_assert_uint_gt(darkest(c, w - 150, h - 150, 150, 150), 160);
    ck_assert_uint_gt(darkest(c, cx + 60 - r, h / 3 - r, 2 * r, 2 * r), 160);
    ck_assert_uint_gt(darkest(c, cx + 60 - r, 2 * h / 3 - r, 2 * r, 2 * r), 160);
    /* the text is untouched: same ink away from the edges as the original */
    BOX *mid = boxCreate(w / 8, h / 8, w * 3 / 4, h * 3 / 4);
    PIX *a = pixClipRectangle(g, mid, NULL), *b = pixClipRectangle(c, mid, NULL);
    double ia = ink_ratio(a), ib = ink_ratio(b);
    ck_assert_msg(ia > 0.01 && fabs(ia - ib) < 0.001, "ink %.4f -> %.4f", ia, ib);
    pixDestroy(&a);
    pixDestroy(&b);
    boxDestroy(&mid);
    pixDestroy(&c);
    pixDestroy(&p);
    pixDestroy(&g);
}
END_TEST

/* Nothing to clear: a plain page, a table frame and text touching the edge
 * stay as they are. */
START_TEST(test_clear_border_leaves_print)
{
    PIX *g = sample_grey();
    long cleared = -1;
    PIX *c = prep_clear_border(g, DPI, &cleared);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(cleared, 0);
    pixDestroy(&c);

    PIX *p = white_page(A4_W, A4_H);
    /* a table frame running off the left edge: thin lines, not solid */
    ink_rect(p, 0, 800, 1500, 4);
    ink_rect(p, 0, 1200, 1500, 4);
    ink_rect(p, 1496, 800, 4, 404);
    ink_rect(p, 0, 1000, 1500, 4);
    /* letters cut by the top edge */
    for (int i = 0; i < 20; i++)
        ink_rect(p, 300 + i * 60, 0, 8, 40);
    c = prep_clear_border(p, DPI, &cleared);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(cleared, 0);
    pixDestroy(&c);
    pixDestroy(&p);
    pixDestroy(&g);
}
END_TEST

/* ---- coloured ink ---- */

/* colours of a scan: black print, a red seal, a blue ballpoint pen */
#define INK_BLACK 0x00000000u
#define INK_RED 0xc8282800u  /* 200, 40, 40 */
#define INK_BLUE 0x283caa00u /* 40, 60, 170 */

static PIX *white_rgb(int w, int h)
{
    PIX *p = pixCreate(w, h, 32);
    ck_assert_ptr_nonnull(p);
    pixSetAllArbitrary(p, 0xffffff00u);
    pixSetResolution(p, DPI, DPI);
    return p;
}

/* Text in Leptonica's bitmap font (size 10: capitals 31 px, print of
 * about 12 pt at 300 dpi), baseline at `base`, in colour `rgb`. */
static void rgb_text(PIX *p, const char *s, int x, int base, l_uint32 rgb)
{
    L_BMF *f = bmfCreate(NULL, 10);
    ck_assert_ptr_nonnull(f);
    l_int32 over = 0;
    /* drawn through a 1-bit mask: on 32-bit images pixSetTextline paints
     * mid-grey for any colour below 256, black among them */
    PIX *m = pixCreate(pixGetWidth(p), pixGetHeight(p), 1);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(pixSetTextline(m, f, s, 1, x, base, NULL, &over), 0);
    ck_assert_msg(!over, "'%s' runs off the page", s);
    ck_assert_int_eq(pixSetMasked(p, m, rgb), 0);
    pixDestroy(&m);
    bmfDestroy(&f);
}

/*
 * A round seal in colour rgb centred on cx, cy: a ring of radius r, 14 %
 * of r wide, an inner ring, and a filled star-like centre; what is under
 * it is covered (the seal is drawn first, print goes on top).
 */
static void rgb_seal(PIX *p, int cx, int cy, int r, l_uint32 rgb)
{
    int w = pixGetWidth(p), h = pixGetHeight(p);
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++) {
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            double d = sqrt((double)(x - cx) * (x - cx) + (double)(y - cy) * (y - cy));
            double a = atan2(y - cy, x - cx);
            int ring = d <= r && d >= 0.86 * r;
            int inner = d <= 0.62 * r && d >= 0.56 * r;
            int star = d <= 0.22 * r * (1.0 + 0.6 * cos(5.0 * a));
            if (ring || inner || star)
                pixSetPixel(p, x, y, rgb);
        }
}

/* A ballpoint stroke: a wave of width 5 from x0 to x1 around y. */
static void rgb_stroke(PIX *p, int x0, int x1, int y, int amp, l_uint32 rgb)
{
    for (int x = x0; x <= x1; x++) {
        int yc = y + (int)lround(amp * sin((x - x0) / 40.0));
        for (int dy = -2; dy <= 2; dy++)
            for (int dx = 0; dx < 2; dx++)
                pixSetPixel(p, x + dx, yc + dy, rgb);
    }
}

/* The pixels of colour rgb, as a 1-bit mask. */
static PIX *colour_mask(PIX *p, l_uint32 rgb)
{
    int w = pixGetWidth(p), h = pixGetHeight(p);
    PIX *m = pixCreate(w, h, 1);
    ck_assert_ptr_nonnull(m);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 v = 0;
            pixGetPixel(p, x, y, &v);
            if ((v & 0xffffff00u) == rgb)
                pixSetPixel(m, x, y, 1);
        }
    return m;
}

/* Lightest (darkest when max is 0) grey under a mask, and how many pixels. */
static int grey_under(PIX *grey, PIX *mask, int max, l_int32 *count)
{
    int w = pixGetWidth(grey), h = pixGetHeight(grey), best = max ? -1 : 256;
    l_int32 n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 m = 0, v = 0;
            pixGetPixel(mask, x, y, &m);
            if (!m)
                continue;
            pixGetPixel(grey, x, y, &v);
            n++;
            if (max ? (int)v > best : (int)v < best)
                best = (int)v;
        }
    if (count)
        *count = n;
    return best;
}

/* body text of the signed page */
static const char *const signed_body[] = {
    "Can cu Luat To chuc chinh quyen dia phuong ngay 19 thang 6 nam 2015;",
    "Can cu Nghi dinh so 30/2020/ND-CP cua Chinh phu ve cong tac van thu;",
    "Xet de nghi cua cong chuc Dia chinh - Xay dung cua xa,",
    "Dieu 1. Phe duyet phuong an su dung dat nam 2025 cua xa An Binh.",
    "Dieu 2. Giao cong chuc Dia chinh theo doi, huong dan thuc hien.",
    "Dieu 3. Van phong va cac ca nhan co lien quan chiu trach nhiem thi hanh.",
};
#define SIGNED_LINES 18
/* the signer's block: lines at x 1300, the first baseline, the seal */
#define SIGN_X 1300
#define SIGN_Y 2250
#define SEAL_X 1450
#define SEAL_Y 2330
#define SEAL_R 240

/*
 * An A4 page of black print (18 lines of body text, the signer's block)
 * with a red seal of 40 mm over the left part of the signer's lines, as a
 * seal is stamped, and a blue ballpoint signature crossing the name.
 */
static PIX *signed_page(void)
{
    PIX *p = white_rgb(A4_W, A4_H);
    rgb_seal(p, SEAL_X, SEAL_Y, SEAL_R, INK_RED);
    rgb_stroke(p, SIGN_X + 100, SIGN_X + 900, SIGN_Y + 310, 40, INK_BLUE);
    for (int i = 0; i < SIGNED_LINES; i++)
        rgb_text(p, signed_body[i % 6], 200, 350 + 95 * i, INK_BLACK);
    rgb_text(p, "TM. UY BAN NHAN DAN", SIGN_X, SIGN_Y, INK_BLACK);
    rgb_text(p, "CHU TICH", SIGN_X + 150, SIGN_Y + 65, INK_BLACK);
    rgb_text(p, "Quyet dinh co hieu luc ke tu ngay ky.", SIGN_X - 200, SIGN_Y + 130,
             INK_BLACK);
    rgb_text(p, "Nguyen Van An", SIGN_X + 120, SIGN_Y + 330, INK_BLACK);
    return p;
}

/*
 * A page of black print with a red seal over the signer's lines and a
 * blue pen signature crossing the name: prep_grey_ink turns the seal and
 * the stroke to paper where no print is, and leaves the print dark, also
 * where it lies on the seal; *share is the coloured ink's share of all
 * ink. prep_grey keeps the seal dark.
 */
START_TEST(test_grey_ink_seal_and_pen)
{
    PIX *p = signed_page();
    dump(p, "ink-seal-pen");
    PIX *black = colour_mask(p, INK_BLACK), *red = colour_mask(p, INK_RED),
        *blue = colour_mask(p, INK_BLUE);
    /* print on the seal: black pixels within its circle */
    PIX *circle = pixCreate(A4_W, A4_H, 1);
    ck_assert_ptr_nonnull(circle);
    for (int y = SEAL_Y - SEAL_R; y <= SEAL_Y + SEAL_R; y++)
        for (int x = SEAL_X - SEAL_R; x <= SEAL_X + SEAL_R; x++)
            if ((x - SEAL_X) * (x - SEAL_X) + (y - SEAL_Y) * (y - SEAL_Y) <= SEAL_R * SEAL_R)
                pixSetPixel(circle, x, y, 1);
    PIX *black_in_seal = pixAnd(NULL, black, circle);
    l_int32 nblack = 0, nred = 0, nblue = 0, nunder = 0;
    pixCountPixels(black, &nblack, NULL);
    pixCountPixels(red, &nred, NULL);
    pixCountPixels(blue, &nblue, NULL);
    pixCountPixels(black_in_seal, &nunder, NULL);
    say("signed page: %d black, %d red, %d blue pixels, %d black on the seal", nblack, nred,
        nblue, nunder);
    ck_assert_msg(nblack > nred + nblue && nred > 50000 && nblue > 4000 && nunder > 3000,
                  "test page: %d black, %d red, %d blue pixels, %d black on the seal", nblack,
                  nred, nblue, nunder);

    float share = -1;
    PIX *g = prep_grey_ink(p, &share);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(pixGetDepth(g), 8);
    ck_assert_int_eq(pixGetWidth(g), A4_W);
    ck_assert_int_eq(pixGetHeight(g), A4_H);
    ck_assert_int_eq(pixGetXRes(g), DPI);
    dump(g, "ink-seal-pen-grey-ink");
    int red_lightest = 0, blue_lightest = 0;
    int red_darkest = grey_under(g, red, 0, NULL), blue_darkest = grey_under(g, blue, 0, NULL);
    int black_lightest = grey_under(g, black, 1, NULL);
    int under_lightest = grey_under(g, black_in_seal, 1, NULL);
    red_lightest = grey_under(g, red, 1, NULL);
    blue_lightest = grey_under(g, blue, 1, NULL);
    say("grey_ink: red seal %d..%d, blue stroke %d..%d, print up to %d (%d on the seal), "
        "share %.3f", red_darkest, red_lightest, blue_darkest, blue_lightest, black_lightest,
        under_lightest, share);
    ck_assert_msg(red_darkest >= 200, "red seal pixels as dark as %d", red_darkest);
    ck_assert_msg(blue_darkest >= 200, "blue stroke pixels as dark as %d", blue_darkest);
    ck_assert_msg(black_lightest < 100, "black print as light as %d", black_lightest);
    ck_assert_msg(under_lightest < 100, "black print on the seal as light as %d",
                  under_lightest);
    /* the share: coloured ink over all ink */
    double want = (double)(nred + nblue) / (double)(nred + nblue + nblack);
    ck_assert_msg(share > 0.0f && share < 1.0f && fabs(share - want) < 0.01,
                  "share %.4f, the page holds %.4f", share, want);
    pixDestroy(&g);

    /* prep_grey keeps the seal, dark (it is ink to a reader of contrast) */
    g = prep_grey(p);
    ck_assert_ptr_nonnull(g);
    int red_in_grey = grey_under(g, red, 1, NULL), blue_in_grey = grey_under(g, blue, 1, NULL);
    ck_assert_msg(red_in_grey < 128, "prep_grey: red seal as light as %d", red_in_grey);
    ck_assert_msg(blue_in_grey < 128, "prep_grey: blue stroke as light as %d", blue_in_grey);
    pixDestroy(&g);

    /* the share may be left out */
    g = prep_grey_ink(p, NULL);
    ck_assert_ptr_nonnull(g);
    pixDestroy(&g);
    pixDestroy(&black_in_seal);
    pixDestroy(&circle);
    pixDestroy(&black);
    pixDestroy(&red);
    pixDestroy(&blue);
    pixDestroy(&p);
}
END_TEST

/*
 * Coloured ink that is most of the ink is the text: a page printed in
 * blue (with a small black mark) comes back as prep_grey gives it, the
 * blue text dark; nothing removed.
 */
START_TEST(test_grey_ink_blue_page)
{
    PIX *p = white_rgb(1600, 700);
    for (int i = 0; i < 4; i++)
        rgb_text(p, "Can cu Luat To chuc chinh quyen dia phuong nam 2015;", 120,
                 150 + 130 * i, INK_BLUE);
    BOX *b = boxCreate(1400, 600, 40, 8);
    pixSetInRectArbitrary(p, b, INK_BLACK);
    boxDestroy(&b);
    float share = -1;
    PIX *g = prep_grey_ink(p, &share), *ref = prep_grey(p);
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_nonnull(ref);
    l_int32 same = 0;
    pixEqual(g, ref, &same);
    ck_assert_msg(same, "a page printed in blue is not returned as prep_grey gives it");
    ck_assert_float_eq(share, 0.0f);
    PIX *blue = colour_mask(p, INK_BLUE);
    l_int32 n = 0;
    int lightest = grey_under(g, blue, 1, &n);
    ck_assert_msg(n > 10000 && lightest < 128, "blue text (%d px) as light as %d", n,
                  lightest);
    pixDestroy(&blue);
    pixDestroy(&g);
    pixDestroy(&ref);
    pixDestroy(&p);
}
END_TEST

/* Grey and bitonal pages have no colour to remove: the same content back. */
START_TEST(test_grey_ink_grey_page)
{
    PIX *g = bars_page();
    BOX *b = boxCreate(200, 200, 300, 60);
    pixSetInRectArbitrary(g, b, 120); /* grey ink too */
    boxDestroy(&b);
    float share = -1;
    PIX *out = prep_grey_ink(g, &share);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(pixGetDepth(out), 8);
    l_int32 same = 0;
    pixEqual(out, g, &same);
    ck_assert_msg(same, "a grey page comes back changed");
    ck_assert_float_eq(share, 0.0f);
    pixDestroy(&out);

    PIX *bin = pixConvertTo1(g, 128);
    ck_assert_ptr_nonnull(bin);
    share = -1;
    out = prep_grey_ink(bin, &share);
    PIX *ref = prep_grey(bin);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(ref);
    pixEqual(out, ref, &same);
    ck_assert_msg(same, "a bitonal page is not returned as prep_grey gives it");
    ck_assert_int_eq(pixGetDepth(out), 8);
    ck_assert_float_eq(share, 0.0f);
    pixDestroy(&ref);
    pixDestroy(&out);
    pixDestroy(&bin);
    pixDestroy(&g);
}
END_TEST

/* Character error rate of ocr against truth, both folded (no case, no
 * diacritics: the vie model may put tone marks on ASCII words). */
static double folded_cer(const char *truth, const char *ocr)
{
    char *t = fold_text(truth, strlen(truth)), *o = fold_text(ocr, strlen(ocr));
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(o);
    size_t nt = strlen(t), no = strlen(o);
    size_t *prev = malloc((no + 1) * sizeof *prev), *cur = malloc((no + 1) * sizeof *cur);
    ck_assert_ptr_nonnull(prev);
    ck_assert_ptr_nonnull(cur);
    for (size_t j = 0; j <= no; j++)
        prev[j] = j;
    for (size_t i = 1; i <= nt; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= no; j++) {
            size_t sub = prev[j - 1] + (t[i - 1] != o[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
        size_t *x = prev;
        prev = cur;
        cur = x;
    }
    double rate = nt ? (double)prev[no] / (double)nt : 0.0;
    free(prev);
    free(cur);
    free(t);
    free(o);
    return rate;
}

/*
 * Print under a red seal, recognised: the signer's lines of the signed
 * page, with the seal over them, cut from the page made grey by
 * prep_grey_ink, are read as if the seal were not there.
 */
START_TEST(test_grey_ink_recognise_under_seal)
{
    static const char truth[] = "TM. UY BAN NHAN DAN\nCHU TICH\n"
                                "Quyet dinh co hieu luc ke tu ngay ky.";
    PIX *p = signed_page();
    BOX *box = boxCreate(SIGN_X - 250, SIGN_Y - 80, 1150, 250);
    struct ocr_engine *eng = engine(0);
    double rate[2];
    char *text[2];
    for (int k = 0; k < 2; k++) {
        PIX *g = k ? prep_grey(p) : prep_grey_ink(p, NULL);
        ck_assert_ptr_nonnull(g);
        PIX *c = pixClipRectangle(g, box, NULL);
        ck_assert_ptr_nonnull(c);
        dump(c, k ? "ink-recognise-grey" : "ink-recognise-grey-ink");
        struct ocr_result r;
        ck_assert_int_eq(ocr_recognize(eng, c, DPI, 0, &r), SOHOA_OK);
        text[k] = strdup(r.text);
        ck_assert_ptr_nonnull(text[k]);
        rate[k] = folded_cer(truth, r.text);
        ocr_result_release(&r);
        pixDestroy(&c);
        pixDestroy(&g);
    }
    ocr_engine_free(&eng);
    boxDestroy(&box);
    pixDestroy(&p);
    say("under a red seal: CER %.3f with prep_grey_ink, %.3f with prep_grey\n"
        "prep_grey_ink:\n%sprep_grey:\n%s", rate[0], rate[1], text[0], text[1]);
    ck_assert_msg(rate[0] < 0.05, "print under a red seal, with prep_grey_ink: CER %.3f; "
                  "text:\n%s", rate[0], text[0]);
    char *t = fold_text(text[0], strlen(text[0]));
    ck_assert_ptr_nonnull(t);
    static const char *const words[] = {"uy ban", "nhan dan", "chu tich", "quyet dinh",
                                        "hieu luc", "ngay ky"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        ck_assert_msg(strstr(t, words[i]) != NULL, "'%s' not read under the seal; text:\n%s",
                      words[i], text[0]);
    free(t);
    free(text[0]);
    free(text[1]);
}
END_TEST

/* ---- frames of stamps (prep_find_frames) ---- */

/*
 * A received stamp as drawn here: a frame 2.2 x 0.8 inches with 3 px sides
 * at the left margin, level with the title, a divider down between "CV /
 * DEN" and "So: / Ngay:", and its lines in a smaller print than the page's.
 */
#define STAMP_X 180
#define STAMP_Y 440
#define STAMP_W 660
#define STAMP_H 240

/* Black text in Leptonica's bitmap font of `size` on an 8-bit page. */
static void grey_text(PIX *p, int size, const char *s, int x, int base)
{
    L_BMF *f = bmfCreate(NULL, size);
    ck_assert_ptr_nonnull(f);
    l_int32 over = 0;
    ck_assert_int_eq(pixSetTextline(p, f, s, 0, x, base, NULL, &over), 0);
    ck_assert_msg(!over, "'%s' runs off the page", s);
    bmfDestroy(&f);
}

/* The four 3 px sides of a frame x, y, w, h. */
static void frame_sides(PIX *p, int x, int y, int w, int h)
{
    ink_rect(p, x, y, w, 3);
    ink_rect(p, x, y + h - 3, w, 3);
    ink_rect(p, x, y, 3, h);
    ink_rect(p, x + w - 3, y, 3, h);
}

/*
 * The stamp at x, y (STAMP_W x STAMP_H). worn: 0 whole; 1 a 0.3 in gap in
 * the bottom side next to the left corner, as a stamp pressed unevenly
 * leaves it; 2 the corner itself gone (the bottom side starts 0.3 in in,
 * the left side stops 0.15 in short of the bottom); 3 all four corners
 * open by 20 px (no side touches another: the rules are put together by
 * nearness alone).
 */
static void draw_stamp(PIX *p, int x, int y, int worn)
{
    const int w = STAMP_W, h = STAMP_H, gap = DPI * 3 / 10;
    if (worn == 3) {
        ink_rect(p, x + 20, y, w - 40, 3);
        ink_rect(p, x + 20, y + h - 3, w - 40, 3);
        ink_rect(p, x, y + 20, 3, h - 40);
        ink_rect(p, x + w - 3, y + 20, 3, h - 40);
    } else {
        ink_rect(p, x, y, w, 3);
        ink_rect(p, x + w - 3, y, 3, h);
    }
    if (worn == 1 || worn == 2) {
        ink_rect(p, x + 3 + gap, y + h - 3, w - 3 - gap, 3);
        ink_rect(p, x, y, 3, worn == 2 ? h - DPI * 15 / 100 : h);
    } else if (worn == 0) {
        ink_rect(p, x, y + h - 3, w, 3);
        ink_rect(p, x, y, 3, h);
    }
    ink_rect(p, x + 150, y + 80, 3, h - 80); /* the divider */
    L_BMF *f = bmfCreate(NULL, 8);
    ck_assert_ptr_nonnull(f);
    l_int32 tw = 0;
    ck_assert_int_eq(bmfGetStringWidth(f, "TRUNG TAM CONG BAO", &tw), 0);
    bmfDestroy(&f);
    grey_text(p, 8, "TRUNG TAM CONG BAO", x + w - 20 - tw, y + 60); /* to the right side */
    grey_text(p, 8, "CV", x + 30, y + 135);
    grey_text(p, 8, "So: 2352", x + 180, y + 135);
    grey_text(p, 8, "DEN", x + 30, y + 205);
    grey_text(p, 8, "Ngay: 21/3/18", x + 180, y + 205);
}

/* A page of print around it: the motto centred, a two-line title beside
 * where the stamp goes, a paragraph of body text. */
static PIX *print_page(void)
{
    PIX *p = white_page(A4_W, A4_H);
    static const char *const body[] = {
        "Thuc hien Nghi dinh so 30/2020/ND-CP cua Chinh phu ve cong tac van thu,",
        "Uy ban nhan dan tinh de nghi cac so, ban, nganh thuc hien cac noi dung sau:",
        "1. Kiem tra viec lap ho so va nop luu ho so vao luu tru co quan.",
        "2. Bao cao ket qua thuc hien ve Uy ban nhan dan tinh truoc ngay 30/6.",
    };
    grey_text(p, 10, "CONG HOA XA HOI CHU NGHIA VIET NAM", 780, 200);
    grey_text(p, 10, "Doc lap - Tu do - Hanh phuc", 970, 255);
    grey_text(p, 10, "V/v trien khai cong tac van thu luu tru", 870, 508);
    grey_text(p, 10, "tren dia ban tinh nam 2018", 985, 563);
    for (int i = 0; i < 4; i++)
        grey_text(p, 10, body[i], 200, 900 + 62 * i);
    return p;
}

/* prep_find_frames on p, the boxes found told. */
static BOXA *frames_of(PIX *p, int dpi, const char *what)
{
    BOXA *b = prep_find_frames(p, dpi);
    ck_assert_msg(b != NULL, "%s: prep_find_frames failed", what);
    int n = boxaGetCount(b);
    say("%s: %d frame(s)", what, n);
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(b, i, &x, &y, &w, &h);
        say("  %d,%d %d x %d", x, y, w, h);
    }
    return b;
}

/* Exactly one frame found in p, within tol px of x, y, w, h on every side. */
static void expect_one_frame(PIX *p, int dpi, int x, int y, int w, int h, int tol,
                             const char *what)
{
    BOXA *b = frames_of(p, dpi, what);
    ck_assert_msg(boxaGetCount(b) == 1, "%s: %d frames found, want the stamp's only", what,
                  boxaGetCount(b));
    l_int32 fx, fy, fw, fh;
    ck_assert_int_eq(boxaGetBoxGeometry(b, 0, &fx, &fy, &fw, &fh), 0);
    ck_assert_msg(abs(fx - x) <= tol && abs(fy - y) <= tol &&
                  abs(fx + fw - x - w) <= tol && abs(fy + fh - y - h) <= tol,
                  "%s: frame found at %d,%d %d x %d, drawn at %d,%d %d x %d (+-%d px)", what,
                  fx, fy, fw, fh, x, y, w, h, tol);
    boxaDestroy(&b);
}

/*
 * A received stamp on a page of print: found, and its box is the frame
 * drawn (not grown by the title beside it or the text inside). _i: the
 * frame whole, with a gap in its bottom side by the left corner, without
 * that corner, with all four corners open (real stamps are pressed
 * unevenly).
 */
START_TEST(test_frame_stamp)
{
    static const char *const how[] = {"stamp frame", "stamp frame, bottom side broken",
                                      "stamp frame, a corner gone",
                                      "stamp frame, four corners open"};
    PIX *p = print_page();
    draw_stamp(p, STAMP_X, STAMP_Y, _i);
    char name[32];
    snprintf(name, sizeof name, "frame-stamp-%d", _i);
    dump(p, name);
    expect_one_frame(p, DPI, STAMP_X, STAMP_Y, STAMP_W, STAMP_H, 10, how[_i]);
    pixDestroy(&p);
}
END_TEST

/*
 * The same page at the scale it may be recognised at (0.7: text of 22 px
 * brought towards PREP_TARGET_HEIGHT), with the resolution to match: the
 * rules are thinner (2 px, grey at their edges) and shorter, the sizes
 * asked for follow dpi. _i = 1: a small frame, 0.9 x 0.4 in (just above
 * the least size), alone on the page: at 210 dpi it is 189 x 84 px, less
 * than 0.8 x 0.35 in would be at 300 dpi.
 */
START_TEST(test_frame_stamp_scaled)
{
    PIX *p = print_page();
    int x = STAMP_X, y = STAMP_Y, w = STAMP_W, h = STAMP_H;
    if (_i) {
        x = 1700, y = 1400, w = DPI * 9 / 10, h = DPI * 4 / 10;
        frame_sides(p, x, y, w, h);
    } else {
        draw_stamp(p, x, y, 0);
    }
    expect_one_frame(p, DPI, x, y, w, h, 10, _i ? "small frame" : "stamp frame");
    PIX *s = pixScale(p, 0.7f, 0.7f);
    ck_assert_ptr_nonnull(s);
    dump(s, _i ? "frame-small-scaled" : "frame-stamp-scaled");
    expect_one_frame(s, DPI * 7 / 10, x * 7 / 10, y * 7 / 10, w * 7 / 10, h * 7 / 10, 10,
                     _i ? "small frame at 0.7 scale, 210 dpi"
                        : "stamp frame at 0.7 scale, 210 dpi");
    pixDestroy(&s);
    pixDestroy(&p);
}
END_TEST

/* Ruled things that are not a stamp's frame, drawn on the page of print. */
static void draw_table(PIX *p)
{
    /* a grid of 4 rows by 5 columns, 2100 x 600 px: 85% of the page wide */
    for (int r = 0; r <= 4; r++)
        ink_rect(p, 190, 1300 + 150 * r, 2100, 3);
    for (int c = 0; c <= 5; c++)
        ink_rect(p, 190 + 420 * c - (c == 5 ? 3 : 0), 1300, 3, 603);
}

static void draw_solid(PIX *p)
{
    ink_rect(p, STAMP_X, STAMP_Y, STAMP_W, STAMP_H);
}

static void draw_dense(PIX *p)
{
    /* the frame, its inside black but for a 15 px margin (a seal's
     * emblem, a picture): the rules are there, the paper is not */
    frame_sides(p, STAMP_X, STAMP_Y, STAMP_W, STAMP_H);
    ink_rect(p, STAMP_X + 18, STAMP_Y + 18, STAMP_W - 36, STAMP_H - 36);
}

static void draw_nothing(PIX *p)
{
    (void)p;
}

static void draw_open(PIX *p)
{
    /* the stamp's top and bottom sides and its text, no sides down */
    ink_rect(p, STAMP_X, STAMP_Y, STAMP_W, 3);
    ink_rect(p, STAMP_X, STAMP_Y + STAMP_H - 3, STAMP_W, 3);
    grey_text(p, 8, "CV", STAMP_X + 30, STAMP_Y + 135);
    grey_text(p, 8, "So: 2352", STAMP_X + 180, STAMP_Y + 135);
}

static void draw_sides_only(PIX *p)
{
    /* the stamp's sides down and the divider, nothing across */
    ink_rect(p, STAMP_X, STAMP_Y, 3, STAMP_H);
    ink_rect(p, STAMP_X + STAMP_W - 3, STAMP_Y, 3, STAMP_H);
    ink_rect(p, STAMP_X + 150, STAMP_Y + 80, 3, STAMP_H - 80);
}

static void draw_three_sides(PIX *p)
{
    /* top, bottom, left and the divider down inside, no right side: open
     * on the right (a bracket, a table's first cell cut off) */
    ink_rect(p, STAMP_X, STAMP_Y, STAMP_W, 3);
    ink_rect(p, STAMP_X, STAMP_Y + STAMP_H - 3, STAMP_W, 3);
    ink_rect(p, STAMP_X, STAMP_Y, 3, STAMP_H);
    ink_rect(p, STAMP_X + 150, STAMP_Y, 3, STAMP_H);
}

static void draw_short_strokes(PIX *p)
{
    /* an ornament of a stamp's size: rows of strokes 170 px across (rules
     * to prep_find_frames) and ticks 70 px down, close enough to be one
     * group reaching all four sides, none of them a frame's long side */
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 3; c++)
            ink_rect(p, STAMP_X + 210 * c, STAMP_Y + 79 * r, 170, 3);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++)
            ink_rect(p, STAMP_X + (c < 3 ? 210 * c : 2 * 210 + 170 - 3), STAMP_Y + 79 * r + 5,
                     3, 70);
}

static void draw_small(PIX *p)
{
    /* a box 0.5 x 0.2 in: rules just long enough to count, too small a box */
    frame_sides(p, STAMP_X, STAMP_Y, DPI / 2, DPI / 5);
}

static void draw_narrow(PIX *p)
{
    /* 0.7 x 0.5 in: tall enough, too narrow (a framed page number) */
    frame_sides(p, STAMP_X, STAMP_Y, DPI * 7 / 10, DPI / 2);
}

static void draw_flat(PIX *p)
{
    /* 2.2 x 0.3 in: wide enough, too flat (a framed line of text) */
    frame_sides(p, STAMP_X, STAMP_Y, STAMP_W, DPI * 3 / 10);
}

static void draw_tall(PIX *p)
{
    /* 2.2 x 2.7 in: a framed block, taller than a stamp */
    frame_sides(p, 1500, 1300, STAMP_W, DPI * 27 / 10);
}

static const struct {
    const char *what;
    void (*draw)(PIX *);
} not_frames[] = {
    {"a table grid wider than 45% of the page", draw_table},
    {"a filled black rectangle of a stamp's size", draw_solid},
    {"a frame filled with ink (over 30% of its inside)", draw_dense},
    {"text lines only", draw_nothing},
    {"top and bottom rules, no sides", draw_open},
    {"sides down only, nothing across", draw_sides_only},
    {"three sides and a divider, no right side", draw_three_sides},
    {"short strokes only (an ornament)", draw_short_strokes},
    {"a box 0.5 x 0.2 in", draw_small},
    {"a box 0.7 x 0.5 in", draw_narrow},
    {"a box 2.2 x 0.3 in", draw_flat},
    {"a box 2.2 x 2.7 in", draw_tall},
};
#define NNOT_FRAMES ((int)(sizeof not_frames / sizeof *not_frames))

/* None of these is a stamp's frame: nothing found (the title, the body
 * and the motto are on every page). */
START_TEST(test_frame_none)
{
    PIX *p = print_page();
    not_frames[_i].draw(p);
    char name[32];
    snprintf(name, sizeof name, "frame-none-%d", _i);
    dump(p, name);
    BOXA *b = frames_of(p, DPI, not_frames[_i].what);
    ck_assert_msg(boxaGetCount(b) == 0, "%s: %d frame(s) found, want none", not_frames[_i].what,
                  boxaGetCount(b));
    boxaDestroy(&b);
    pixDestroy(&p);
}
END_TEST

/* The real sample page (header, body, signature, no stamp): no frame. */
/* The red ink layer: a red stamp comes out dark on white, blue ink writing
 * and black print do not; a page without colour gives none. */
START_TEST(test_ink_layer_red_only)
{
    PIX *p = pixCreate(600, 400, 32);
    ck_assert_ptr_nonnull(p);
    pixSetAllArbitrary(p, 0xffffff00);   /* white (RGBA) */
    BOX *red = boxCreate(20, 20, 200, 80), *blue = boxCreate(300, 20, 200, 80),
        *black = boxCreate(20, 200, 200, 80);
    pixSetInRectArbitrary(p, red, 0xd0202000);
    pixSetInRectArbitrary(p, blue, 0x2030c000);
    pixSetInRectArbitrary(p, black, 0x20202000);
    PIX *ink = prep_ink_layer(p, 0.0005f);
    ck_assert_ptr_nonnull(ink);
    ck_assert_int_eq(pixGetDepth(ink), 8);
    l_uint32 v;
    pixGetPixel(ink, 100, 60, &v);
    ck_assert_msg(v < 64, "red stamp is dark in the layer (%u)", v);
    pixGetPixel(ink, 400, 60, &v);
    ck_assert_msg(v == 255, "blue ink is not in the layer (%u)", v);
    pixGetPixel(ink, 100, 240, &v);
    ck_assert_msg(v == 255, "black print is not in the layer (%u)", v);
    pixDestroy(&ink);
    /* no red: nothing to read */
    pixSetInRectArbitrary(p, red, 0xffffff00);
    ink = prep_ink_layer(p, 0.0005f);
    ck_assert_ptr_null(ink);
    /* a grey page has no colour */
    PIX *g = pixConvertRGBToLuminance(p);
    ck_assert_ptr_null(prep_ink_layer(g, 0.0005f));
    pixDestroy(&g);
    boxDestroy(&red);
    boxDestroy(&blue);
    boxDestroy(&black);
    pixDestroy(&p);
}
END_TEST

START_TEST(test_frame_none_sample)
{
    PIX *g = sample_grey();
    BOXA *b = frames_of(g, DPI, "the sample page");
    ck_assert_msg(boxaGetCount(b) == 0, "the sample page: %d frame(s) found, want none",
                  boxaGetCount(b));
    boxaDestroy(&b);
    pixDestroy(&g);
}
END_TEST

static Suite *prep_suite(void)
{
    Suite *s = suite_create("prep");
    TCase *tc = tcase_create("skew");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_deskew_sample_known_angles, 0, NSKEW);
    tcase_add_loop_test(tc, test_deskew_bars_known_angles, 0, NSKEW);
    tcase_add_test(tc, test_decode_png_chunk_past_end);
    tcase_add_test(tc, test_deskew_bars_straight);
    suite_add_tcase(s, tc);

    tc = tcase_create("layout");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_line_direction_sample);
    tcase_add_test(tc, test_line_direction_bars_and_white);
    tcase_add_loop_test(tc, test_text_band, 0, 4);
    tcase_add_test(tc, test_text_band_white);
    tcase_add_test(tc, test_text_height);
    tcase_add_test(tc, test_uneven_light);
    tcase_add_test(tc, test_page_dpi_checked);
    tcase_add_test(tc, test_recognition_scale);
    suite_add_tcase(s, tc);

    tc = tcase_create("blank");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_blank_white);
    tcase_add_test(tc, test_blank_specks);
    tcase_add_test(tc, test_blank_border_punch_holes);
    tcase_add_test(tc, test_blank_show_through);
    tcase_add_test(tc, test_not_blank_sample);
    tcase_add_test(tc, test_not_blank_one_line);
    tcase_add_test(tc, test_not_blank_yellow_background);
    tcase_add_test(tc, test_clear_border);
    tcase_add_test(tc, test_clear_border_leaves_print);
    suite_add_tcase(s, tc);

    tc = tcase_create("orientation");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_orientation_exact, 0, 4);
    tcase_add_loop_test(tc, test_orientation_band_without_osd, 0, 4);
    tcase_add_loop_test(tc, test_orientation_degraded_180, 0,
                        (int)(sizeof damage / sizeof *damage));
    tcase_add_test(tc, test_orientation_white);
    tcase_add_test(tc, test_confidence_band);
    tcase_add_test(tc, test_confidence_specks_only);
    suite_add_tcase(s, tc);

    tc = tcase_create("ink");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_grey_ink_seal_and_pen);
    tcase_add_test(tc, test_grey_ink_blue_page);
    tcase_add_test(tc, test_grey_ink_grey_page);
    tcase_add_test(tc, test_grey_ink_recognise_under_seal);
    suite_add_tcase(s, tc);

    tc = tcase_create("frames");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_frame_stamp, 0, 4);
    tcase_add_loop_test(tc, test_frame_stamp_scaled, 0, 2);
    tcase_add_loop_test(tc, test_frame_none, 0, NNOT_FRAMES);
    tcase_add_test(tc, test_frame_none_sample);
    tcase_add_test(tc, test_ink_layer_red_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!ocr_model_available(NULL, "vie")) {
        fprintf(stderr, "check_prep: the Tesseract 'vie' model is absent: skipped\n");
        return 77;
    }
    setMsgSeverity(L_SEVERITY_NONE);
    SRunner *sr = srunner_create(prep_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
