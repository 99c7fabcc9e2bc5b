/*
 * pdf.c - writing two-layer PDFs (image + invisible text).
 *
 *   pages:      pdf_page_build
 *   documents:  pdf_join_pages
 *
 * The text layer uses Tesseract's glyph-less TrueType font (pdf.ttf) as a
 * CID font: every character code is a UTF-16 code unit, every glyph is an
 * empty box half an em wide, and the ToUnicode map is the identity, so
 * readers extract exactly the recognised text. Each word is stretched
 * horizontally (Tz) to cover the word on the image.
 */
#include "pdf.h"
#include "sha256.h"

#define SOHOA_PI 3.14159265358979323846

#include <errno.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PART_MAGIC "SOHOA-PAGE 1\n"

/* ---- image streams ---- */

/* Raw 8-bit grey or 24-bit RGB rows of a pix, Flate-compressed. */
static enum sohoa_err flate_image(PIX *pix, struct strbuf *dict, uint8_t **pdata,
                                  size_t *plen)
{
    PIX *p = NULL;
    int d = pixGetDepth(pix);
    enum sohoa_err err = SOHOA_OK;
    if (pixGetColormap(pix))
        p = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
    else
        p = pixClone(pix);
    if (!p)
        return SOHOA_ENOMEM;
    d = pixGetDepth(p);
    if (d != 8 && d != 32) {
        PIX *q = pixConvertTo8(p, 0);
        pixDestroy(&p);
        if (!q)
            return SOHOA_ENOMEM;
        p = q;
        d = 8;
    }
    int w = pixGetWidth(p), h = pixGetHeight(p), wpl = pixGetWpl(p);
    int spp = d == 32 ? 3 : 1;
    size_t rowlen = (size_t)w * (size_t)spp;
    uint8_t *raw = malloc(rowlen * (size_t)h);
    if (!raw) {
        pixDestroy(&p);
        return SOHOA_ENOMEM;
    }
    l_uint32 *data = pixGetData(p);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        uint8_t *o = raw + (size_t)y * rowlen;
        if (spp == 1) {
            for (int x = 0; x < w; x++)
                o[x] = (uint8_t)GET_DATA_BYTE(line, x);
        } else {
            for (int x = 0; x < w; x++) {
                l_int32 r, g, b;
                extractRGBValues(line[x], &r, &g, &b);
                o[3 * x] = (uint8_t)r;
                o[3 * x + 1] = (uint8_t)g;
                o[3 * x + 2] = (uint8_t)b;
            }
        }
    }
    size_t nout = 0;
    uint8_t *z = zlibCompress(raw, rowlen * (size_t)h, &nout);
    free(raw);
    if (!z) {
        err = SOHOA_ENOMEM;
        goto out;
    }
    /* hand back memory allocated by us, not by Leptonica */
    *pdata = malloc(nout ? nout : 1);
    if (!*pdata) {
        lept_free(z);
        err = SOHOA_ENOMEM;
        goto out;
    }
    memcpy(*pdata, z, nout);
    lept_free(z);
    *plen = nout;
    strbuf_addf(dict, "/Type /XObject /Subtype /Image /Width %d /Height %d "
                "/ColorSpace /%s /BitsPerComponent 8 /Filter /FlateDecode",
                w, h, spp == 3 ? "DeviceRGB" : "DeviceGray");
out:
    pixDestroy(&p);
    return err;
}

static enum sohoa_err g4_image(PIX *pix, struct strbuf *dict, uint8_t **pdata,
                               size_t *plen)
{
    L_COMP_DATA *cid = NULL;
    if (pixGenerateCIData(pix, L_G4_ENCODE, 0, 0, &cid) != 0 || !cid)
        return SOHOA_ENOMEM;
    *pdata = malloc(cid->nbytescomp ? cid->nbytescomp : 1);
    if (!*pdata) {
        l_CIDataDestroy(&cid);
        return SOHOA_ENOMEM;
    }
    memcpy(*pdata, cid->datacomp, cid->nbytescomp);
    *plen = cid->nbytescomp;
    strbuf_addf(dict, "/Type /XObject /Subtype /Image /Width %d /Height %d "
                "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode "
                "/DecodeParms << /K -1 /Columns %d /Rows %d%s >>",
                cid->w, cid->h, cid->w, cid->h, cid->minisblack ? " /BlackIs1 true" : "");
    l_CIDataDestroy(&cid);
    return SOHOA_OK;
}

/* JPEG files go in unchanged (no re-encoding) when their colour model is
 * one PDF shows directly. Returns 1 if embedded. */
static int jpeg_passthrough(const uint8_t *data, size_t len, PIX *orig,
                            struct strbuf *dict, uint8_t **pdata, size_t *plen)
{
    l_int32 w = 0, h = 0, spp = 0, cmyk = 0;
    if (len < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return 0;
    if (readHeaderMemJpeg(data, len, &w, &h, &spp, NULL, &cmyk) != 0)
        return 0;
    if (cmyk || (spp != 1 && spp != 3) || w != pixGetWidth(orig) ||
        h != pixGetHeight(orig))
        return 0;
    *pdata = malloc(len);
    if (!*pdata)
        return 0;
    memcpy(*pdata, data, len);
    *plen = len;
    strbuf_addf(dict, "/Type /XObject /Subtype /Image /Width %d /Height %d "
                "/ColorSpace /%s /BitsPerComponent 8 /Filter /DCTDecode",
                w, h, spp == 3 ? "DeviceRGB" : "DeviceGray");
    return 1;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG files whose compressed data PDF reads as it is (grey or RGB, not
 * interlaced, no transparency) go in without being decoded and compressed
 * again: quicker, and the image stays exactly as scanned. Returns 1 if
 * embedded. */
static int png_passthrough(const uint8_t *data, size_t len, PIX *orig,
                           struct strbuf *dict, uint8_t **pdata, size_t *plen)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 + 25 || memcmp(data, sig, 8) != 0)
        return 0;
    size_t pos = 8;
    uint32_t w = 0, h = 0;
    int depth = 0, ctype = -1, ok = 1, seen_ihdr = 0;
    struct strbuf idat = STRBUF_INIT;
    while (ok && pos + 12 <= len) {
        uint32_t clen = be32(data + pos);
        const uint8_t *type = data + pos + 4, *body = data + pos + 8;
        if (clen > len - pos - 12) {
            ok = 0;
            break;
        }
        if (memcmp(type, "IHDR", 4) == 0 && clen == 13) {
            w = be32(body);
            h = be32(body + 4);
            depth = body[8];
            ctype = body[9];
            /* compression 0, filter 0, no interlace */
            ok = body[10] == 0 && body[11] == 0 && body[12] == 0;
            seen_ihdr = 1;
        } else if (memcmp(type, "IDAT", 4) == 0) {
            ok = seen_ihdr && strbuf_add(&idat, body, clen) == 0;
        } else if (memcmp(type, "tRNS", 4) == 0 || memcmp(type, "PLTE", 4) == 0) {
            ok = 0;
        } else if (memcmp(type, "IEND", 4) == 0) {
            break;
        }
        pos += 12 + clen;
    }
    int colours = ctype == 0 ? 1 : ctype == 2 ? 3 : 0;
    if (!ok || !colours || idat.len == 0 || (ctype == 2 && depth != 8) ||
        (ctype == 0 && depth != 1 && depth != 2 && depth != 4 && depth != 8) ||
        (int)w != pixGetWidth(orig) || (int)h != pixGetHeight(orig)) {
        strbuf_release(&idat);
        return 0;
    }
    *pdata = (uint8_t *)strbuf_detach(&idat, plen);
    strbuf_addf(dict, "/Type /XObject /Subtype /Image /Width %u /Height %u "
                "/ColorSpace /%s /BitsPerComponent %d /Filter /FlateDecode "
                "/DecodeParms << /Predictor 15 /Colors %d /BitsPerComponent %d"
                " /Columns %u >>",
                w, h, colours == 3 ? "DeviceRGB" : "DeviceGray", depth, colours, depth, w);
    return 1;
}

/* ---- text layer ---- */

static void add_num(struct strbuf *sb, double v)
{
    double r = round(v * 1000.0) / 1000.0;
    if (r == 0)
        r = 0; /* no "-0" */
    strbuf_addf(sb, "%.3f", r);
    /* trim trailing zeros to keep streams small */
    while (sb->len > 0 && sb->buf[sb->len - 1] == '0')
        sb->buf[--sb->len] = '\0';
    if (sb->len > 0 && sb->buf[sb->len - 1] == '.')
        sb->buf[--sb->len] = '\0';
}

static void add_nums(struct strbuf *sb, const double *v, int n, const char *op)
{
    for (int i = 0; i < n; i++) {
        add_num(sb, v[i]);
        strbuf_adds(sb, " ");
    }
    strbuf_adds(sb, op);
    strbuf_adds(sb, "\n");
}

/* UTF-16BE hex of a UTF-8 string; returns the number of code units. */
static int add_utf16_hex(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    int units = 0;
    while (i < n) {
        uint32_t cp;
        i += (size_t)util_utf8_decode(p + i, n - i, &cp);
        if (cp < 0x20)
            continue;
        if (cp >= 0x10000) {
            uint32_t a = cp - 0x10000;
            strbuf_addf(sb, "%04X%04X", 0xD800 + (a >> 10), 0xDC00 + (a & 0x3FF));
            units += 2;
        } else {
            strbuf_addf(sb, "%04X", cp);
            units++;
        }
    }
    return units;
}

static void text_layer(struct strbuf *cs, const struct pdf_page_geom *g,
                       double hp, const struct ocr_word *words, size_t nwords)
{
    double s = 72.0 / ((double)g->dpi * (g->rec_scale > 0 ? g->rec_scale : 1.0));
    if (nwords == 0)
        return;
    strbuf_adds(cs, "BT\n3 Tr\n");
    const char *vis = getenv("SOHOA_PDF_VISIBLE_TEXT");
    if (vis && *vis == '1')
        strbuf_adds(cs, "0 Tr 1 0 0 rg\n");
    double last_fs = -1;
    for (size_t i = 0; i < nwords; i++) {
        const struct ocr_word *w = &words[i];
        double fs = w->line_height * s * 0.75;
        if (fs < 1)
            fs = 1;
        fs = round(fs);
        if (fs != last_fs) {
            strbuf_adds(cs, "/F1 ");
            add_num(cs, fs);
            strbuf_adds(cs, " Tf\n");
            last_fs = fs;
        }
        double x = w->x1 * s, y = hp - w->baseline * s;
        double width = (w->x2 - w->x1) * s;
        struct strbuf hex = STRBUF_INIT;
        int units = add_utf16_hex(&hex, w->text);
        if (units == 0) {
            strbuf_release(&hex);
            continue;
        }
        if (!w->eol) {
            strbuf_adds(&hex, "0020");
            units++;
            /* let the space reach the next word */
            if (i + 1 < nwords && words[i + 1].x1 > w->x2)
                width = (words[i + 1].x1 - w->x1) * s;
        }
        double tz = 100.0 * width / (fs * 0.5 * units);
        double tm[6] = {1, 0, 0, 1, x, y};
        add_nums(cs, tm, 6, "Tm");
        add_num(cs, tz);
        strbuf_adds(cs, " Tz\n<");
        strbuf_add(cs, hex.buf, hex.len);
        strbuf_adds(cs, "> Tj\n");
        strbuf_release(&hex);
    }
    strbuf_adds(cs, "ET\n");
}

enum sohoa_err pdf_page_build(const uint8_t *data, size_t len, struct Pix *orig,
                              const struct pdf_page_geom *g,
                              const struct ocr_word *words, size_t nwords,
                              struct strbuf *out)
{
    struct strbuf dict = STRBUF_INIT, cs = STRBUF_INIT;
    uint8_t *img = NULL;
    size_t imglen = 0;
    enum sohoa_err err = SOHOA_OK;
    int w = pixGetWidth(orig), h = pixGetHeight(orig);
    int q = ((g->quads % 4) + 4) % 4;

    if (!jpeg_passthrough(data, len, orig, &dict, &img, &imglen) &&
        !png_passthrough(data, len, orig, &dict, &img, &imglen)) {
        strbuf_release(&dict);
        if (pixGetDepth(orig) == 1)
            err = g4_image(orig, &dict, &img, &imglen);
        else
            err = flate_image(orig, &dict, &img, &imglen);
        if (err)
            goto cleanup;
    }
    double wi = w * 72.0 / g->dpi, hi = h * 72.0 / g->dpi;
    double wp = (q & 1) ? hi : wi, hp = (q & 1) ? wi : hi;
    /* draw the file image turned upright */
    double m[6];
    switch (q) {
    case 1: m[0] = 0; m[1] = -hp; m[2] = wp; m[3] = 0; m[4] = 0; m[5] = hp; break;
    case 2: m[0] = -wp; m[1] = 0; m[2] = 0; m[3] = -hp; m[4] = wp; m[5] = hp; break;
    case 3: m[0] = 0; m[1] = hp; m[2] = -wp; m[3] = 0; m[4] = wp; m[5] = 0; break;
    default: m[0] = wp; m[1] = 0; m[2] = 0; m[3] = hp; m[4] = 0; m[5] = 0; break;
    }
    strbuf_adds(&cs, "q\n");
    if (fabsf(g->skew) > 0.001f) {
        /* show the page as it was recognised: turned by the deskew angle
         * (clockwise) about its centre; the stored image is untouched */
        double th = (double)g->skew * SOHOA_PI / 180.0;
        double c = cos(th), sn = sin(th);
        double cx = wp / 2.0, cy = hp / 2.0;
        double r[6] = {c, -sn, sn, c, cx - c * cx - sn * cy, cy + sn * cx - c * cy};
        add_nums(&cs, r, 6, "cm");
    }
    add_nums(&cs, m, 6, "cm");
    strbuf_adds(&cs, "/Im0 Do\nQ\n");
    text_layer(&cs, g, hp, words, nwords);

    strbuf_adds(out, PART_MAGIC);
    strbuf_adds(out, "size ");
    add_num(out, wp);
    strbuf_adds(out, " ");
    add_num(out, hp);
    strbuf_addf(out, "\nimage %zu %zu\n", dict.len, imglen);
    strbuf_add(out, dict.buf, dict.len);
    strbuf_add(out, img, imglen);
    strbuf_addf(out, "\ncontent %zu\n", cs.len);
    strbuf_add(out, cs.buf, cs.len);
    if (strbuf_adds(out, "\n") < 0)
        err = SOHOA_ENOMEM;
cleanup:
    free(img);
    strbuf_release(&dict);
    strbuf_release(&cs);
    return err;
}

/* ---- documents ---- */

struct part {
    uint8_t *buf;
    size_t len;
    double wp, hp;
    const uint8_t *dict, *img, *content;
    size_t dictlen, imglen, contentlen;
};

static int parse_part(struct part *p)
{
    const char *s = (const char *)p->buf;
    size_t mlen = strlen(PART_MAGIC);
    if (p->len < mlen || memcmp(s, PART_MAGIC, mlen) != 0)
        return -1;
    const char *c = s + mlen;
    int used = 0;
    if (sscanf(c, "size %lf %lf\n%n", &p->wp, &p->hp, &used) != 2 || used == 0)
        return -1;
    c += used;
    used = 0;
    if (sscanf(c, "image %zu %zu\n%n", &p->dictlen, &p->imglen, &used) != 2 || used == 0)
        return -1;
    c += used;
    size_t off = (size_t)(c - s);
    if (p->dictlen > p->len - off || p->imglen > p->len - off - p->dictlen)
        return -1;
    p->dict = p->buf + off;
    p->img = p->dict + p->dictlen;
    off += p->dictlen + p->imglen;
    if (off >= p->len)
        return -1;
    c = s + off;
    used = 0;
    if (sscanf(c, "\ncontent %zu\n%n", &p->contentlen, &used) != 1 || used == 0)
        return -1;
    off += (size_t)used;
    if (p->contentlen > p->len - off)
        return -1;
    p->content = p->buf + off;
    return 0;
}

struct writer {
    FILE *f;
    long *offsets;      /* per object, index = object number */
    int nobj;
    int failed;
};

static void w_bytes(struct writer *w, const void *d, size_t n)
{
    if (n && fwrite(d, 1, n, w->f) != n)
        w->failed = 1;
}

static void w_str(struct writer *w, const char *s)
{
    w_bytes(w, s, strlen(s));
}

static void w_begin(struct writer *w, int obj)
{
    w->offsets[obj] = ftell(w->f);
    char b[32];
    snprintf(b, sizeof b, "%d 0 obj\n", obj);
    w_str(w, b);
}

static void w_stream(struct writer *w, int obj, const char *dict,
                     const void *data, size_t len)
{
    char b[64];
    w_begin(w, obj);
    w_str(w, "<< ");
    w_str(w, dict);
    snprintf(b, sizeof b, " /Length %zu >>\nstream\n", len);
    w_str(w, b);
    w_bytes(w, data, len);
    w_str(w, "\nendstream\nendobj\n");
}

static void pdf_escape(struct strbuf *sb, const char *s)
{
    /* a PDF text string in UTF-16BE, as hex */
    strbuf_adds(sb, "<FEFF");
    add_utf16_hex(sb, s);
    strbuf_adds(sb, ">");
}

enum sohoa_err pdf_join_pages(const char *path, char *const *parts, size_t nparts,
                                  const char *fontfile, const char *title,
                                  char *why, size_t whysz)
{
    enum sohoa_err err = SOHOA_OK;
    struct part *pp = calloc(nparts ? nparts : 1, sizeof *pp);
    uint8_t *font = NULL;
    size_t fontlen = 0;
    struct writer w = {0};
    struct strbuf tmp = STRBUF_INIT, sb = STRBUF_INIT;
    uint8_t *map = NULL, *zmap = NULL;
    size_t zmaplen = 0;

    if (!pp)
        return SOHOA_ENOMEM;
    if (util_read_file(fontfile, &font, &fontlen) != SOHOA_OK) {
        snprintf(why, whysz, "cannot read the text-layer font '%s'", fontfile);
        err = SOHOA_ENOENT;
        goto cleanup;
    }
    for (size_t i = 0; i < nparts; i++) {
        if (util_read_file(parts[i], &pp[i].buf, &pp[i].len) != SOHOA_OK) {
            snprintf(why, whysz, "cannot read page part '%s'", parts[i]);
            err = SOHOA_EIO;
            goto cleanup;
        }
        if (parse_part(&pp[i]) < 0) {
            snprintf(why, whysz, "page part '%s' is damaged", parts[i]);
            err = SOHOA_EFORMAT;
            goto cleanup;
        }
    }
    /* CIDToGIDMap: every CID shows glyph 1 */
    map = malloc(131072);
    if (!map) {
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < 65536; i++) {
        map[2 * i] = 0;
        map[2 * i + 1] = 1;
    }
    zmap = zlibCompress(map, 131072, &zmaplen);
    if (!zmap) {
        err = SOHOA_ENOMEM;
        goto cleanup;
    }

    strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    w.f = fopen(tmp.buf, "wb");
    if (!w.f) {
        snprintf(why, whysz, "cannot create '%s': %s", tmp.buf, strerror(errno));
        err = errno == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
        goto cleanup;
    }
    w.nobj = 9 + 3 * (int)nparts;
    w.offsets = calloc((size_t)w.nobj + 1, sizeof *w.offsets);
    if (!w.offsets) {
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    w_str(&w, "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n");

    w_begin(&w, 1);
    w_str(&w, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");

    strbuf_adds(&sb, "<< /Type /Pages /Kids [");
    for (size_t i = 0; i < nparts; i++)
        strbuf_addf(&sb, " %d 0 R", 10 + 3 * (int)i);
    strbuf_addf(&sb, " ] /Count %zu >>\nendobj\n", nparts);
    w_begin(&w, 2);
    w_str(&w, sb.buf);
    strbuf_release(&sb);

    w_begin(&w, 3);
    w_str(&w, "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont "
              "/Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 8 0 R >>\nendobj\n");
    w_begin(&w, 4);
    w_str(&w, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont "
              "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
              "/FontDescriptor 6 0 R /CIDToGIDMap 5 0 R /DW 500 >>\nendobj\n");
    w_stream(&w, 5, "/Filter /FlateDecode", zmap, zmaplen);
    w_begin(&w, 6);
    w_str(&w, "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 "
              "/FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 "
              "/CapHeight 1000 /StemV 80 /FontFile2 7 0 R >>\nendobj\n");
    {
        char d[64];
        snprintf(d, sizeof d, "/Length1 %zu", fontlen);
        w_stream(&w, 7, d, font, fontlen);
    }
    {
        static const char cmap[] =
            "/CIDInit /ProcSet findresource begin\n"
            "12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            "1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
            "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
        w_stream(&w, 8, "", cmap, sizeof cmap - 1);
    }
    {
        char now[32];
        util_now_iso(now, sizeof now);
        /* D:YYYYMMDDHHmmSSZ */
        char pdfdate[40];
        snprintf(pdfdate, sizeof pdfdate, "D:%.4s%.2s%.2s%.2s%.2s%.2sZ", now,
                 now + 5, now + 8, now + 11, now + 14, now + 17);
        strbuf_addf(&sb, "<< /Producer (sohoa %s) /CreationDate (%s)",
                    SOHOA_VERSION, pdfdate);
        if (title) {
            strbuf_adds(&sb, " /Title ");
            pdf_escape(&sb, title);
        }
        strbuf_adds(&sb, " >>\nendobj\n");
        w_begin(&w, 9);
        w_str(&w, sb.buf);
        strbuf_release(&sb);
    }
    for (size_t i = 0; i < nparts; i++) {
        int po = 10 + 3 * (int)i;
        struct part *p = &pp[i];
        strbuf_addf(&sb, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ");
        add_num(&sb, p->wp);
        strbuf_adds(&sb, " ");
        add_num(&sb, p->hp);
        strbuf_addf(&sb, "] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> "
                    "/Font << /F1 3 0 R >> >> >>\nendobj\n", po + 1, po + 2);
        w_begin(&w, po);
        w_str(&w, sb.buf);
        strbuf_release(&sb);
        w_stream(&w, po + 1, "", p->content, p->contentlen);
        char *d = strndup((const char *)p->dict, p->dictlen);
        if (!d) {
            err = SOHOA_ENOMEM;
            goto cleanup;
        }
        w_stream(&w, po + 2, d, p->img, p->imglen);
        free(d);
    }
    long xref = ftell(w.f);
    {
        char b[64];
        snprintf(b, sizeof b, "xref\n0 %d\n0000000000 65535 f \n", w.nobj + 1);
        w_str(&w, b);
        for (int i = 1; i <= w.nobj; i++) {
            snprintf(b, sizeof b, "%010ld 00000 n \n", w.offsets[i]);
            w_str(&w, b);
        }
        char id[65];
        {
            /* document ID from the path and the page parts' sizes */
            struct strbuf idsrc = STRBUF_INIT;
            strbuf_adds(&idsrc, path);
            for (size_t i = 0; i < nparts; i++)
                strbuf_addf(&idsrc, ":%zu", pp[i].len);
            sha256_hex(idsrc.buf, idsrc.len, id);
            strbuf_release(&idsrc);
        }
        strbuf_addf(&sb, "trailer\n<< /Size %d /Root 1 0 R /Info 9 0 R /ID [<%.32s> <%.32s>] >>\n"
                    "startxref\n%ld\n%%%%EOF\n", w.nobj + 1, id, id, xref);
        w_str(&w, sb.buf);
        strbuf_release(&sb);
    }
    if (fflush(w.f) != 0 || fsync(fileno(w.f)) != 0)
        w.failed = 1;
    if (w.failed) {
        int e = errno;
        snprintf(why, whysz, "cannot write '%s': %s", path,
                 e == ENOSPC ? "no space left on device" : strerror(e));
        err = e == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
        goto cleanup;
    }
    if (fclose(w.f) != 0) {
        w.f = NULL;
        snprintf(why, whysz, "cannot write '%s': %s", path, strerror(errno));
        err = SOHOA_EIO;
        goto cleanup;
    }
    w.f = NULL;
    if (rename(tmp.buf, path) != 0) {
        snprintf(why, whysz, "cannot rename into '%s': %s", path, strerror(errno));
        err = SOHOA_EIO;
    } else if ((err = util_fsync_dir(path)) != SOHOA_OK) {
        snprintf(why, whysz, "cannot sync the folder of '%s'", path);
    }
cleanup:
    if (w.f)
        fclose(w.f);
    if (err && tmp.buf)
        unlink(tmp.buf);
    for (size_t i = 0; i < nparts; i++)
        free(pp[i].buf);
    free(pp);
    free(font);
    free(map);
    if (zmap)
        lept_free(zmap);
    free(w.offsets);
    strbuf_release(&tmp);
    strbuf_release(&sb);
    return err;
}
