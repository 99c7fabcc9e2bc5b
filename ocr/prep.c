/*
 * prep.c - decoding page images and preparing them for recognition.
 *
 *   decoding:   prep_decode, prep_page_dpi
 *   clean-up:   prep_grey, prep_clear_border, prep_deskew, prep_despeckle
 *   scale:      prep_text_height, prep_recognition_scale
 *   layout:     prep_line_direction, prep_text_band, prep_is_blank
 */
#include "prep.h"

#define SOHOA_PI 3.14159265358979323846

#include <leptonica/allheaders.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static const char *format_name(l_int32 fmt)
{
    switch (fmt) {
    case IFF_JFIF_JPEG: return "JPEG";
    case IFF_PNG: return "PNG";
    case IFF_BMP: return "BMP";
    case IFF_GIF: return "GIF";
    case IFF_WEBP: return "WebP";
    case IFF_JP2: return "JPEG 2000";
    case IFF_PNM: return "PNM";
    case IFF_TIFF: case IFF_TIFF_PACKBITS: case IFF_TIFF_RLE:
    case IFF_TIFF_G3: case IFF_TIFF_G4: case IFF_TIFF_LZW:
    case IFF_TIFF_ZIP: case IFF_TIFF_JPEG:
        return "TIFF";
    default: return "unknown";
    }
}

/* The largest image a GIF declares (its screen and every image in it):
 * Leptonica has no header-only reader for GIF, and giflib allocates each
 * image whole before decoding it. 0 when the file is cut or odd. */
static int gif_sizes(const uint8_t *d, size_t n, unsigned *maxw, unsigned *maxh)
{
    size_t p = 13;
    *maxw = n >= 10 ? (unsigned)(d[6] | d[7] << 8) : 0;
    *maxh = n >= 10 ? (unsigned)(d[8] | d[9] << 8) : 0;
    if (n < 13)
        return 0;
    if (d[10] & 0x80)
        p += 3u << ((d[10] & 7) + 1);
    for (int guard = 0; p < n && guard < 100000; guard++) {
        if (d[p] == 0x3B)
            break;
        if (d[p] == 0x21) {         /* extension: label, then sub-blocks */
            p += 2;
        } else if (d[p] == 0x2C) {  /* image descriptor */
            if (p + 10 > n)
                return 0;
            unsigned w = (unsigned)(d[p + 5] | d[p + 6] << 8);
            unsigned h = (unsigned)(d[p + 7] | d[p + 8] << 8);
            *maxw = w > *maxw ? w : *maxw;
            *maxh = h > *maxh ? h : *maxh;
            uint8_t flags = d[p + 9];
            p += 10;
            if (flags & 0x80)
                p += 3u << ((flags & 7) + 1);
            p += 1;                 /* LZW code size, then sub-blocks */
        } else {
            return 0;
        }
        while (p < n && d[p] != 0)
            p += (size_t)d[p] + 1;
        p++;
    }
    return 1;
}

/*
 * Does a chunk of a PNG claim more bytes than the file has left? libpng
 * allocates a chunk's claimed length before reading it (a damaged tEXt
 * length asked for 2 GB: found by fuzzing), so such a file is refused
 * here, with the chunk named in bad.
 */
static int png_chunk_past_end(const uint8_t *data, size_t len, char *bad, size_t badsz)
{
    size_t off = 8;     /* the signature */
    while (off + 8 <= len) {
        uint32_t n = (uint32_t)data[off] << 24 | (uint32_t)data[off + 1] << 16 |
                     (uint32_t)data[off + 2] << 8 | data[off + 3];
        char type[5] = {0};
        for (int i = 0; i < 4; i++)
            type[i] = isalpha(data[off + 4 + i]) ? (char)data[off + 4 + i] : '?';
        if ((uint64_t)n + 12 > len - off) {
            snprintf(bad, badsz, "chunk '%s' claims %lu bytes, %zu are left", type,
                     (unsigned long)n, len - off - 8);
            return 1;
        }
        if (memcmp(type, "IEND", 4) == 0)
            return 0;
        off += (size_t)n + 12;
    }
    return 0;
}

enum sohoa_err prep_decode(const uint8_t *data, size_t len, int frame,
                           struct Pix **ppix, char *why, size_t whysz)
{
    l_int32 fmt = IFF_UNKNOWN, hfmt = IFF_UNKNOWN, w = 0, h = 0, bps = 0, spp = 0;
    l_int32 iscmap = 0;
    PIX *pix = NULL;

    *ppix = NULL;
    if (len == 0) {
        snprintf(why, whysz, "empty file (0 bytes)");
        return SOHOA_EFORMAT;
    }
    /* Leptonica reads 12 bytes to tell the format, whatever the length */
    uint8_t head[16] = {0};
    memcpy(head, data, len < sizeof head ? len : sizeof head);
    findFileFormatBuffer(head, &fmt);
    if (fmt == IFF_UNKNOWN) {
        snprintf(why, whysz, "not an image: unknown file format");
        return SOHOA_EFORMAT;
    }
    int tiff = strcmp(format_name(fmt), "TIFF") == 0;
    if (fmt == IFF_GIF) {
        unsigned gw = 0, gh = 0;
        gif_sizes(data, len, &gw, &gh);
        if (gw > PREP_MAX_SIDE || gh > PREP_MAX_SIDE ||
            (unsigned long long)gw * gh > PREP_MAX_PIXELS) {
            snprintf(why, whysz, "GIF claims %u x %u pixels: refused (limit %d per side,"
                     " %llu in all)", gw, gh, PREP_MAX_SIDE, PREP_MAX_PIXELS);
            return SOHOA_EUNSAFE;
        }
    }
    if (fmt == IFF_PNG) {
        char bad[128];
        if (png_chunk_past_end(data, len, bad, sizeof bad)) {
            snprintf(why, whysz, "truncated or corrupt PNG: %s", bad);
            return SOHOA_EFORMAT;
        }
    }
    /* read the header first: refuse absurd sizes before any allocation */
    if (tiff) {
        l_int32 res = 0, cmap = 0, f2 = 0;
        if (readHeaderMemTiff(data, len, frame, &w, &h, &bps, &spp, &res,
                              &cmap, &f2) != 0) {
            snprintf(why, whysz, "corrupt TIFF: cannot read header of page %d",
                     frame + 1);
            return SOHOA_EFORMAT;
        }
    } else if (pixReadHeaderMem(data, len, &hfmt, &w, &h, &bps, &spp, &iscmap) != 0) {
        snprintf(why, whysz, "corrupt %s: cannot read header", format_name(fmt));
        return SOHOA_EFORMAT;
    }
    if (w <= 0 || h <= 0 || w > PREP_MAX_SIDE || h > PREP_MAX_SIDE ||
        (unsigned long long)w * (unsigned long long)h > PREP_MAX_PIXELS) {
        snprintf(why, whysz, "%s claims %d x %d pixels: refused (limit %d per side, %llu in all)",
                 format_name(fmt), w, h, PREP_MAX_SIDE, PREP_MAX_PIXELS);
        return SOHOA_EUNSAFE;
    }
    /* the memory decoding takes: colour is 4 bytes a pixel, and a TIFF is
     * decoded through a second buffer of the same size */
    unsigned long long px = (unsigned long long)w * (unsigned long long)h;
    int bitonal = bps == 1 && spp <= 1;
    unsigned long long need = bitonal ? px / 8 : px * (spp >= 3 ? 4 : bps > 8 ? 2 : 1);
    if (tiff)
        need *= 2;
    if (need > PREP_MAX_DECODED) {
        snprintf(why, whysz, "%s claims %d x %d pixels, %llu MB to decode: refused"
                 " (limit %llu MB)", format_name(fmt), w, h, need >> 20,
                 PREP_MAX_DECODED >> 20);
        return SOHOA_EUNSAFE;
    }
    /* and no file holds that many pixels in that few bytes: compression
     * reaches about 1,000 pixels a byte on a blank page, G4 about 40,000 */
    if (px / len > (bitonal ? PREP_MAX_PX_PER_BYTE_1BIT : PREP_MAX_PX_PER_BYTE)) {
        snprintf(why, whysz, "%s claims %d x %d pixels in only %zu bytes: refused as"
                 " corrupt or hostile", format_name(fmt), w, h, len);
        return SOHOA_EUNSAFE;
    }
    if (tiff)
        pix = pixReadMemTiff(data, len, frame);
    else
        pix = pixReadMem(data, len);
    if (!pix) {
        snprintf(why, whysz, "corrupt or truncated %s: cannot decode", format_name(fmt));
        return SOHOA_EFORMAT;
    }
    if (pixGetWidth(pix) != w || pixGetHeight(pix) != h) {
        /* trust only what was checked */
        pixDestroy(&pix);
        snprintf(why, whysz, "corrupt %s: size differs from header", format_name(fmt));
        return SOHOA_EFORMAT;
    }
    if (pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4) {
        /* transparent parts of a scan are paper: lay the image on white */
        PIX *flat = pixAlphaBlendUniform(pix, 0xffffff00);
        if (flat) {
            pixCopyResolution(flat, pix);
            pixDestroy(&pix);
            pix = flat;
            pixSetSpp(pix, 3);
        }
    }
    *ppix = pix;
    return SOHOA_OK;
}

int prep_page_dpi(struct Pix *pix, int *from_file)
{
    l_int32 xres = pixGetXRes(pix), yres = pixGetYRes(pix);
    int res = xres > 0 ? xres : yres;
    if (from_file)
        *from_file = 0;
    if (res >= 70 && res <= 1200) {
        if (from_file)
            *from_file = 1;
        return res;
    }
    return 300;
}

/* A4 in inches; body text (13-14 pt) by prep_text_height, in inches */
#define A4_W 8.27
#define A4_H 11.69
#define TEXT_MIN_IN 0.075
#define TEXT_MAX_IN 0.125

int prep_page_dpi_checked(struct Pix *pix, int text_height, int *guessed)
{
    int from_file = 0;
    int dpi = prep_page_dpi(pix, &from_file);
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    double s = w < h ? w : h, l = w < h ? h : w;
    if (guessed)
        *guessed = 0;
    /* A4 proportions (within 4 %) and the resolution that makes it A4 */
    if (s <= 0 || fabs((l / s) / (A4_H / A4_W) - 1.0) > 0.04)
        return dpi;
    int a4 = (int)(sqrt((s / A4_W) * (l / A4_H)) / 10.0 + 0.5) * 10;
    if (a4 < 70 || a4 > 1200)
        return dpi;
    if (!from_file) {
        if (guessed)
            *guessed = 1;
        return a4;
    }
    double claimed_w = s / dpi;
    if (fabs(claimed_w / A4_W - 1.0) < 0.06 || text_height <= 0)
        return dpi; /* it is A4 at what the file says, or nothing to check */
    double t_claimed = (double)text_height / dpi, t_a4 = (double)text_height / a4;
    if (t_claimed < TEXT_MIN_IN && t_a4 >= TEXT_MIN_IN && t_a4 <= TEXT_MAX_IN) {
        if (guessed)
            *guessed = 1;
        return a4;
    }
    return dpi;
}

struct Pix *prep_grey(struct Pix *pix)
{
    PIX *p = NULL;
    if (pixGetDepth(pix) == 32) {
        p = pixConvertRGBToLuminance(pix);
    } else if (pixGetDepth(pix) == 8 && !pixGetColormap(pix)) {
        p = pixClone(pix);
    } else {
        p = pixConvertTo8(pix, 0);
    }
    if (p && (pixGetXRes(p) == 0))
        pixCopyResolution(p, pix);
    return p;
}

/* Chroma (max - min channel) above which a pixel is coloured ink, and how
 * fast it turns to paper above that. Black print on real scans reaches 40
 * to 70 at its edges (colour fringes); red seal ink is 100 to 200.
 * Measured (errors, real-scan truth pages / corpus-varied): ink kept
 * 488 / 1392; 40,3: 461 / 1385; 50,10: 451 / 1416; 60,10: 461 / 1376;
 * 70,10: 447 / 1360; 60,20: 473 / 1372. */
#define INK_CHROMA 70
#define INK_GAIN 10

/* a pixel's channels, its strongest channel and its colour (max - min) */
static void pixel_colour(l_uint32 px, l_int32 *r, l_int32 *g, l_int32 *b, int *mx,
                         int *chroma)
{
    extractRGBValues(px, r, g, b);
    *mx = *r > *g ? (*r > *b ? *r : *b) : (*g > *b ? *g : *b);
    int mn = *r < *g ? (*r < *b ? *r : *b) : (*g < *b ? *g : *b);
    *chroma = *mx - mn;
}

struct Pix *prep_grey_ink(struct Pix *pix, float *share)
{
    if (share)
        *share = 0.0f;
    if (pixGetDepth(pix) != 32)
        return prep_grey(pix);
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    PIX *grey = pixCreate(w, h, 8);
    if (!grey)
        return NULL;
    pixCopyResolution(grey, pix);
    l_uint32 *sd = pixGetData(pix), *dd = pixGetData(grey);
    l_int32 swpl = pixGetWpl(pix), dwpl = pixGetWpl(grey);
    unsigned long black = 0, colour = 0;
    for (int y = 0; y < h; y++) {
        const l_uint32 *sl = sd + (size_t)y * swpl;
        l_uint32 *dl = dd + (size_t)y * dwpl;
        for (int x = 0; x < w; x++) {
            l_int32 r, g, b;
            int mx, chroma;
            pixel_colour(sl[x], &r, &g, &b, &mx, &chroma);
            int lum = (3 * r + 5 * g + 2 * b + 5) / 10; /* Leptonica's weights */
            if (chroma > INK_CHROMA) {
                colour += lum < 200;
                int v = lum + INK_GAIN * (chroma - INK_CHROMA);
                lum = v > 255 ? 255 : v;
            } else {
                black += lum < 128;
            }
            SET_DATA_BYTE(dl, x, lum);
        }
    }
    /* coloured ink is most of the page's ink: it is the text */
    if (colour > black) {
        pixDestroy(&grey);
        return prep_grey(pix);
    }
    if (share)
        *share = black + colour ? (float)colour / (float)(black + colour) : 0.0f;
    return grey;
}

struct Pix *prep_ink_layer(struct Pix *pix, float min_share)
{
    if (pixGetDepth(pix) != 32)
        return NULL;
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    PIX *ink = pixCreate(w, h, 8);
    if (!ink)
        return NULL;
    pixCopyResolution(ink, pix);
    l_uint32 *sd = pixGetData(pix), *dd = pixGetData(ink);
    l_int32 swpl = pixGetWpl(pix), dwpl = pixGetWpl(ink);
    unsigned long colour = 0;
    for (int y = 0; y < h; y++) {
        const l_uint32 *sl = sd + (size_t)y * swpl;
        l_uint32 *dl = dd + (size_t)y * dwpl;
        for (int x = 0; x < w; x++) {
            l_int32 r, g, b;
            int mx, chroma;
            pixel_colour(sl[x], &r, &g, &b, &mx, &chroma);
            int v = 255;
            /* the red ink prep_grey_ink fades, as dark as it was faded */
            if (chroma > INK_CHROMA && r == mx && r - (g > b ? g : b) > INK_CHROMA) {
                int d = INK_GAIN * (chroma - INK_CHROMA);
                v = d > 255 ? 0 : 255 - d;
                colour += v < 128;
            }
            SET_DATA_BYTE(dl, x, v);
        }
    }
    if ((double)colour < (double)min_share * w * h) {
        pixDestroy(&ink);
        return NULL;
    }
    return ink;
}

struct Pix *prep_deskew(struct Pix *grey, float *angle)
{
    l_float32 a = 0, conf = 0;
    *angle = 0;
    /* measured on a half-size copy that keeps every dark pixel (the sweep
     * would reduce the page that way anyway), which is quicker to make */
    int half = pixGetWidth(grey) > 1600 && pixGetHeight(grey) > 1600;
    PIX *small = half ? pixScaleGrayMinMax2(grey, L_CHOOSE_MIN) : pixClone(grey);
    PIX *bin = small ? pixConvertTo1(small, 160) : NULL;
    pixDestroy(&small);
    if (!bin)
        return pixClone(grey);
    /* sweep +-12 degrees (Leptonica gives no answer within one step of the
     * edge, so this covers +-10): coarse 1-degree steps, then a search */
    l_int32 ok = pixFindSkewSweepAndSearch(bin, &a, &conf, half ? 2 : 4, half ? 1 : 2,
                                           12.0, 1.0, 0.01);
    pixDestroy(&bin);
    if (ok != 0 || conf < 2.5 || fabsf(a) < 0.1f)
        return pixClone(grey);
    PIX *out = prep_rotate(grey, a);
    if (!out)
        return pixClone(grey);
    *angle = a;
    return out;
}

struct Pix *prep_rotate(struct Pix *pix, float degrees)
{
    return pixRotate(pix, (l_float32)(degrees * SOHOA_PI / 180.0), L_ROTATE_AREA_MAP,
                     L_BRING_IN_WHITE, 0, 0);
}

int prep_text_height(struct Pix *grey)
{
    return prep_text_height_count(grey, NULL);
}

int prep_text_height_count(struct Pix *grey, int *nmarks)
{
    /* large pages are measured at half size (keeping every dark pixel),
     * which is plenty and quick */
    int f = pixGetWidth(grey) > 2000 && pixGetHeight(grey) > 2000 ? 2 : 1;
    PIX *sgrey = f == 2 ? pixScaleGrayMinMax2(grey, L_CHOOSE_MIN) : pixClone(grey);
    PIX *bin = NULL;
    PIX *small = sgrey ? pixConvertTo1(sgrey, 160) : NULL;
    pixDestroy(&sgrey);
    BOXA *boxes = small ? pixConnComp(small, NULL, 8) : NULL;
    NUMA *heights = NULL;
    float med = 0;
    int n = boxes ? boxaGetCount(boxes) : 0;
    if (n > 0)
        heights = numaCreate(n);
    for (int i = 0; heights && i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(boxes, i, &x, &y, &w, &h);
        h *= f;
        w *= f;
        /* characters, not specks, accents on their own, rules or pictures */
        if (h >= 8 && h <= 120 && w <= 180)
            numaAddNumber(heights, (l_float32)h);
    }
    if (heights && numaGetCount(heights) >= 20)
        numaGetMedian(heights, &med);
    if (nmarks)
        *nmarks = heights ? numaGetCount(heights) : 0;
    numaDestroy(&heights);
    boxaDestroy(&boxes);
    pixDestroy(&small);
    pixDestroy(&bin);
    return (int)(med + 0.5f);
}

float prep_recognition_scale(int height)
{
    if (height <= 0)
        return 1.0f;
    float s = (float)PREP_TARGET_HEIGHT / (float)height;
    if (height < PREP_SMALL_TEXT)
        return s > 2.5f ? 2.5f : s; /* low resolution: enlarge */
    if (s > 0.9f)
        return 1.0f;
    if (s < 0.5f)
        s = 0.5f;
    return s;
}

/* Coefficient of variation of the ink profile along rows or columns. */
static double profile_cv(PIX *bin, int by_rows)
{
    NUMA *na = by_rows ? pixCountPixelsByRow(bin, NULL) : pixCountPixelsByColumn(bin);
    if (!na)
        return 0;
    int n = numaGetCount(na);
    /* leave out the outer tenth on each side: borders and scanner shadows */
    int lo = n / 10, hi = n - n / 10;
    double sum = 0, sum2 = 0;
    int k = 0;
    for (int i = lo; i < hi; i++) {
        l_float32 v;
        numaGetFValue(na, i, &v);
        sum += v;
        sum2 += (double)v * v;
        k++;
    }
    numaDestroy(&na);
    if (k == 0 || sum <= 0)
        return 0;
    double mean = sum / k, var = sum2 / k - mean * mean;
    return var > 0 ? sqrt(var) / mean : 0;
}

int prep_line_direction(struct Pix *grey)
{
    PIX *bin = pixConvertTo1(grey, 160);
    /* 1/4 size: characters merge into lines, lines stay apart */
    PIX *red = bin ? pixReduceRankBinaryCascade(bin, 1, 1, 0, 0) : NULL;
    int dir = -1;
    if (red) {
        l_int32 ink = 0;
        pixCountPixels(red, &ink, NULL);
        double frac = (double)ink / ((double)pixGetWidth(red) * pixGetHeight(red));
        if (frac > 0.002) {
            double rows = profile_cv(red, 1), cols = profile_cv(red, 0);
            dir = rows >= cols ? 0 : 1;
        }
    }
    pixDestroy(&red);
    pixDestroy(&bin);
    return dir;
}

struct Pix *prep_text_band(struct Pix *grey, int quads)
{
    PIX *turned = quads ? pixRotateOrth(grey, quads) : pixClone(grey);
    if (!turned)
        return NULL;
    int w = pixGetWidth(turned), h = pixGetHeight(turned);
    int band = h / 5;
    PIX *bin = pixConvertTo1(turned, 160);
    NUMA *rows = bin ? pixCountPixelsByRow(bin, NULL) : NULL;
    int best = h / 2 - band / 2;
    if (rows) {
        /* the band with the most rows that look like text: some ink, but
         * not a solid bar (borders, rules, pictures) */
        int n = numaGetCount(rows), cnt = 0, bestcnt = -1;
        int *good = calloc((size_t)n, sizeof *good);
        for (int i = 0; good && i < n; i++) {
            l_float32 v;
            numaGetFValue(rows, i, &v);
            good[i] = v > 0.01f * w && v < 0.35f * w;
        }
        for (int i = 0; good && i < n; i++) {
            cnt += good[i];
            if (i >= band)
                cnt -= good[i - band];
            if (i >= band - 1 && cnt > bestcnt) {
                bestcnt = cnt;
                best = i - band + 1;
            }
        }
        free(good);
    }
    numaDestroy(&rows);
    pixDestroy(&bin);
    BOX *box = boxCreate(0, best < 0 ? 0 : best, w, band);
    PIX *out = box ? pixClipRectangle(turned, box, NULL) : NULL;
    boxDestroy(&box);
    pixDestroy(&turned);
    return out;
}

/* Marks that sit in a line with at least two others of their size. */
static int count_text_marks(BOXA *boxes, int minh, int maxh, int enough)
{
    int n = boxaGetCount(boxes), found = 0;
    l_int32 *x = malloc(sizeof(l_int32) * (size_t)(n ? n : 1) * 4);
    if (!x)
        return 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        l_int32 bx, by, bw, bh;
        boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
        if (bh >= minh && bh <= maxh && bw <= 3 * maxh) {
            x[4 * m] = bx;
            x[4 * m + 1] = by;
            x[4 * m + 2] = bw;
            x[4 * m + 3] = bh;
            m++;
        }
    }
    for (int i = 0; i < m && found < enough; i++) {
        double cyi = x[4 * i + 1] + x[4 * i + 3] / 2.0;
        int hi = x[4 * i + 3], near = 0;
        for (int j = 0; j < m && near < 2; j++) {
            if (j == i)
                continue;
            int hj = x[4 * j + 3];
            double cyj = x[4 * j + 1] + hj / 2.0;
            int hmax = hi > hj ? hi : hj;
            if (2 * hj < hi || 2 * hi < hj || fabs(cyi - cyj) > hmax / 2.0)
                continue;
            int gap = x[4 * j] > x[4 * i] ? x[4 * j] - (x[4 * i] + x[4 * i + 2])
                                          : x[4 * i] - (x[4 * j] + x[4 * j + 2]);
            if (gap <= 3 * hmax)
                near++;
        }
        if (near >= 2)
            found++;
    }
    free(x);
    return found;
}

int prep_is_blank(struct Pix *grey, int dpi)
{
    int w = pixGetWidth(grey), h = pixGetHeight(grey);
    if (dpi <= 0)
        dpi = 300;
    /* leave out the edges, where scanner borders and punch holes are */
    int mx = w / 14, my = h / 14;
    BOX *inner = boxCreate(mx, my, w - 2 * mx, h - 2 * my);
    PIX *core = inner ? pixClipRectangle(grey, inner, NULL) : NULL;
    boxDestroy(&inner);
    if (!core)
        return 0;
    /* paper made even (yellowing, uneven light) at level 200; faint print
     * is still well below what shows through from the back */
    PIX *norm = pixBackgroundNormSimple(core, NULL, NULL);
    PIX *bin = pixConvertTo1(norm ? norm : core, 150);
    BOXA *boxes = bin ? pixConnComp(bin, NULL, 8) : NULL;
    /* characters: 1.2 mm to 10 mm tall, in lines */
    int marks = boxes ? count_text_marks(boxes, dpi * 12 / 254, dpi * 100 / 254, 6) : 6;
    boxaDestroy(&boxes);
    pixDestroy(&bin);
    pixDestroy(&norm);
    pixDestroy(&core);
    return marks < 6;
}

/* Add to `mask` the components of `comps` that look like scanner
 * additions rather than print: solid (filling at least `fill` of their
 * box), big enough, and no larger than a third of the page. Holes must
 * also be round and lie near an edge. */
static long keep_solid(PIX *mask, PIX *comps, float fill, int min_long,
                       int hole_margin)
{
    PIXA *pixa = NULL;
    BOXA *boxa = pixConnComp(comps, &pixa, 8);
    int W = pixGetWidth(mask), H = pixGetHeight(mask);
    long kept = 0;
    int n = boxa ? boxaGetCount(boxa) : 0;

    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h, area = 0;
        boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
        if ((w > h ? w : h) < min_long || (double)w * h > (double)W * H / 3)
            continue;
        PIX *c = pixaGetPix(pixa, i, L_CLONE);
        pixCountPixels(c, &area, NULL);
        if (area < fill * w * h) {
            pixDestroy(&c);
            continue;
        }
        if (hole_margin) {
            int round = w * 10 >= h * 7 && h * 10 >= w * 7 && w <= min_long * 3;
            int near = x < hole_margin || y < hole_margin ||
                       x + w > W - hole_margin || y + h > H - hole_margin;
            if (!round || !near) {
                pixDestroy(&c);
                continue;
            }
        }
        pixRasterop(mask, x, y, w, h, PIX_SRC | PIX_DST, c, 0, 0);
        kept += area;
        pixDestroy(&c);
    }
    boxaDestroy(&boxa);
    pixaDestroy(&pixa);
    return kept;
}

struct Pix *prep_clear_border(struct Pix *grey, int dpi, long *cleared)
{
    l_uint32 paper = 255;
    PIX *bin = NULL, *inner = NULL, *edge = NULL, *holes = NULL, *mask = NULL;
    PIX *out = NULL;

    *cleared = 0;
    if (dpi < 50)
        dpi = 300;
    if (pixGetRankValue(grey, 4, 0.5, &paper) != 0)
        paper = 255;
    if (paper > 255)    /* Leptonica's top bin */
        paper = 255;
    int thresh = (int)paper * 2 / 3;
    bin = pixConvertTo1(grey, thresh > 40 ? thresh : 40);
    inner = bin ? pixRemoveBorderConnComps(bin, 8) : NULL;
    edge = inner ? pixXor(NULL, bin, inner) : NULL;
    mask = bin ? pixCreateTemplate(bin) : NULL;
    if (!edge || !mask)
        goto done;
    /* bands and the corners of a skewed sheet: at least a third of an
     * inch long; a wedge fills half its box */
    long n = keep_solid(mask, edge, 0.45f, dpi / 3, 0);
    /* punch holes: 4-12 mm round and solid, within 25 mm of an edge */
    holes = pixSelectBySize(inner, dpi / 6, dpi / 6, 8, L_SELECT_IF_BOTH,
                            L_SELECT_IF_GTE, NULL);
    if (holes)
        n += keep_solid(mask, holes, 0.6f, dpi / 6, dpi);
    if (n == 0) {
        out = pixClone(grey);
        goto done;
    }
    /* and the grey rim around them */
    PIX *wide = pixDilateBrick(NULL, mask, 9, 9);
    out = wide ? pixCopy(NULL, grey) : NULL;
    if (out) {
        pixSetMasked(out, wide, paper);
        *cleared = n;
    }
    pixDestroy(&wide);
done:
    pixDestroy(&holes);
    pixDestroy(&mask);
    pixDestroy(&edge);
    pixDestroy(&inner);
    pixDestroy(&bin);
    return out;
}

struct Pix *prep_despeckle(struct Pix *grey)
{
    /* ink is what is much darker than the paper: on a low-contrast page the
     * paper itself may be darker than a fixed threshold */
    l_uint32 paper = 255;
    if (pixGetRankValue(grey, 2, 0.5, &paper) != 0)
        paper = 255;
    int thresh = (int)(paper & 0xff) * 2 / 3;
    PIX *bin = pixConvertTo1(grey, thresh > 40 ? thresh : 40);
    PIX *specks = bin ? pixSelectBySize(bin, 3, 3, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LT,
                                        NULL) : NULL;
    PIX *out = NULL;
    if (specks) {
        l_int32 ink = 0, gone = 0;
        pixCountPixels(bin, &ink, NULL);
        pixCountPixels(specks, &gone, NULL);
        /* specks are a small part of the ink; when they are not, the
         * "specks" are pieces of broken letters: leave the page alone */
        if (gone * 10 <= ink)
            out = pixCopy(NULL, grey);
        if (out)
            pixSetMasked(out, specks, 255);
    }
    pixDestroy(&specks);
    pixDestroy(&bin);
    return out;
}

float prep_upright_conf(struct Pix *grey, int quads)
{
    PIX *turned = quads ? pixRotateOrth(grey, quads) : pixClone(grey);
    PIX *bin = turned ? pixConvertTo1(turned, 160) : NULL;
    l_float32 up = 0;
    if (bin && pixOrientDetect(bin, &up, NULL, 0, 0) != 0)
        up = 0;
    pixDestroy(&bin);
    pixDestroy(&turned);
    return up;
}

int prep_uneven_light(struct Pix *grey)
{
    int w = pixGetWidth(grey), h = pixGetHeight(grey);
    BOX *inner = boxCreate(w / 10, h / 10, w * 8 / 10, h * 8 / 10);
    PIX *core = inner ? pixClipRectangle(grey, inner, NULL) : NULL;
    boxDestroy(&inner);
    PIX *small = core ? pixScale(core, 0.125f, 0.125f) : NULL;
    pixDestroy(&core);
    if (!small)
        return 0;
    int sw = pixGetWidth(small), sh = pixGetHeight(small), lo = 255, hi = 0;
    for (int ty = 0; ty < 4; ty++) {
        for (int tx = 0; tx < 4; tx++) {
            BOX *b = boxCreate(tx * sw / 4, ty * sh / 4, sw / 4, sh / 4);
            PIX *t = b ? pixClipRectangle(small, b, NULL) : NULL;
            l_uint32 v = 0;
            /* the paper: the light end of the tile (Leptonica reports the
             * top of the scale as 256) */
            if (t && pixGetRankValue(t, 1, 0.9f, &v) == 0) {
                int x = v > 255 ? 255 : (int)v;
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
            }
            pixDestroy(&t);
            boxDestroy(&b);
        }
    }
    pixDestroy(&small);
    /* measured: scans and real scans at most 7, uneven pages 35 and more */
    return hi - lo > 20;
}

struct Pix *prep_flatten(struct Pix *grey)
{
    return pixBackgroundNormSimple(grey, NULL, NULL);
}

/* ---- frames of stamps ---- */

/* a, b expanded by pad overlap? */
static int near_box(const l_int32 *a, const l_int32 *b, int pad)
{
    return a[0] - pad < b[0] + b[2] && b[0] - pad < a[0] + a[2] &&
           a[1] - pad < b[1] + b[3] && b[1] - pad < a[1] + a[3];
}

static int find_root(int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* the box around the rules of group r */
static void group_box(l_int32 (*g)[4], int *parent, int n, int r, l_int32 *box)
{
    int x1 = INT32_MAX, y1 = INT32_MAX, x2 = 0, y2 = 0;
    for (int i = 0; i < n; i++) {
        if (find_root(parent, i) != r)
            continue;
        x1 = g[i][0] < x1 ? g[i][0] : x1;
        y1 = g[i][1] < y1 ? g[i][1] : y1;
        x2 = g[i][0] + g[i][2] > x2 ? g[i][0] + g[i][2] : x2;
        y2 = g[i][1] + g[i][3] > y2 ? g[i][1] + g[i][3] : y2;
    }
    box[0] = x1;
    box[1] = y1;
    box[2] = x2 - x1;
    box[3] = y2 - y1;
}

BOXA *prep_find_frames(PIX *grey, int dpi)
{
    if (dpi < 50)
        dpi = 50;
    PIX *bin = pixConvertTo1(grey, 140);
    PIX *across = bin ? pixOpenBrick(NULL, bin, dpi / 2, 1) : NULL;
    PIX *down = bin ? pixOpenBrick(NULL, bin, 1, dpi / 5) : NULL;
    BOXA *ha = across ? pixConnCompBB(across, 8) : NULL;
    BOXA *va = down ? pixConnCompBB(down, 8) : NULL;
    BOXA *out = boxaCreate(0);
    int nh = ha ? boxaGetCount(ha) : 0, nv = va ? boxaGetCount(va) : 0;
    int n = nh + nv, W = grey ? pixGetWidth(grey) : 0;
    l_int32(*g)[4] = n ? malloc((size_t)n * sizeof *g) : NULL;
    l_int32(*gb)[4] = n ? malloc((size_t)n * sizeof *gb) : NULL;
    int *parent = n ? malloc((size_t)n * sizeof *parent) : NULL;

    if (!bin || !across || !down || !ha || !va || !out || (n && (!g || !gb || !parent))) {
        boxaDestroy(&out);
        goto done;
    }
    /* too much ruling: a form or a table page, no stamps to tell */
    if (n > 400)
        goto done;
    for (int i = 0; i < n; i++) {
        boxaGetBoxGeometry(i < nh ? ha : va, i < nh ? i : i - nh, &g[i][0], &g[i][1],
                           &g[i][2], &g[i][3]);
        parent[i] = i;
    }
    /* rules that touch, or nearly (a stamp's ink is uneven: corners go
     * missing), are one group; so are groups whose boxes meet (a side
     * broken in two) */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (near_box(g[i], g[j], dpi / 6))
                parent[find_root(parent, i)] = find_root(parent, j);
    for (int merged = 1, round = 0; merged && round < 8; round++) {
        merged = 0;
        for (int i = 0; i < n; i++)
            if (find_root(parent, i) == i)
                group_box(g, parent, n, i, gb[i]);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (find_root(parent, i) == i && find_root(parent, j) == j &&
                    near_box(gb[i], gb[j], 0)) {
                    parent[i] = j;
                    group_box(g, parent, n, j, gb[j]);
                    merged = 1;
                }
    }
    for (int r = 0; r < n; r++) {
        if (find_root(parent, r) != r)
            continue;
        int na = 0, nd = 0;
        for (int i = 0; i < n; i++) {
            if (find_root(parent, i) == r) {
                na += i < nh;
                nd += i >= nh;
            }
        }
        group_box(g, parent, n, r, gb[r]);
        int x1 = gb[r][0], y1 = gb[r][1], w = gb[r][2], h = gb[r][3];
        int x2 = x1 + w, y2 = y1 + h;
        if (na < 2 || nd < 2 || w < dpi * 8 / 10 || w > W * 45 / 100 ||
            h < dpi * 35 / 100 || h > dpi * 5 / 2)
            continue;
        /* the four sides: a rule across near the top and the bottom, one
         * down near the left and the right */
        int top = 0, bottom = 0, left = 0, right = 0, longa = 0, longd = 0;
        for (int i = 0; i < n; i++) {
            if (find_root(parent, i) != r)
                continue;
            /* a frame's sides are long; a seal's emblem or a drawing has
             * short strokes only */
            longa |= i < nh && g[i][2] * 10 >= w * 6;
            longd |= i >= nh && g[i][3] * 10 >= h * 5;
            if (i < nh) {
                top |= g[i][1] - y1 < h / 4;
                bottom |= y2 - (g[i][1] + g[i][3]) < h / 4;
            } else {
                left |= g[i][0] - x1 < w / 8;
                right |= x2 - (g[i][0] + g[i][2]) < w / 8;
            }
        }
        if (!(top && bottom && left && right && longa && longd))
            continue;
        /* mostly paper inside: a seal's emblem or a picture is dense ink */
        BOX *b = boxCreate(x1, y1, w, h);
        l_int32 ink = 0;
        PIX *in = b ? pixClipRectangle(bin, b, NULL) : NULL;
        if (in)
            pixCountPixels(in, &ink, NULL);
        pixDestroy(&in);
        if (b && ink * 100LL < (long long)w * h * 30) {
            boxaAddBox(out, b, L_INSERT);
            b = NULL;
        }
        boxDestroy(&b);
    }
done:
    free(g);
    free(gb);
    free(parent);
    boxaDestroy(&ha);
    boxaDestroy(&va);
    pixDestroy(&across);
    pixDestroy(&down);
    pixDestroy(&bin);
    return out;
}
