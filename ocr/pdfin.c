/*
 * pdfin.c - scanned PDFs as page images, with MuPDF (see pdfin.h).
 *
 *   pdfin_count   pages of a file (refusing encrypted, truncated, corrupt)
 *   pdfin_load    one page: its image at native resolution, or drawn, or
 *                 its own text when it is born-digital
 *
 * MuPDF reports errors by longjmp (fz_try/fz_catch): every pointer set
 * inside a try and used after it is marked with fz_var.
 */
#include "pdfin.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep.h"

/* Memory one PDF may take while a page is read (a hostile file cannot
 * exhaust the machine through MuPDF). */
#define PDFIN_MAX_MEMORY (1536ull << 20)
/* Resolution for drawing pages that have no image to take one from. */
#define PDFIN_TEXT_DPI 200
/* Most pixels a page is drawn with (A0 at 200 dpi: 62 million). */
#define PDFIN_MAX_DRAWN 64e6
/* Visible characters that make a page born-digital. */
#define PDFIN_MIN_TEXT 32

/* ---- a context whose allocations are counted and capped ---- */

struct budget {
    size_t used;
    char last[200];     /* MuPDF's last warning, for reasons */
};

union head {
    size_t size;
    max_align_t align;
};

static void *b_malloc(void *user, size_t size)
{
    struct budget *b = user;
    if (size > PDFIN_MAX_MEMORY - b->used)
        return NULL;
    union head *h = malloc(sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    b->used += size;
    return h + 1;
}

static void b_free(void *user, void *p)
{
    struct budget *b = user;
    if (!p)
        return;
    union head *h = (union head *)p - 1;
    b->used -= h->size;
    free(h);
}

static void *b_realloc(void *user, void *old, size_t size)
{
    struct budget *b = user;
    if (!old)
        return b_malloc(user, size);
    union head *h = (union head *)old - 1;
    size_t was = h->size;
    if (size > was && size - was > PDFIN_MAX_MEMORY - b->used)
        return NULL;
    union head *n = realloc(h, sizeof *n + size);
    if (!n)
        return NULL;
    n->size = size;
    b->used = b->used - was + size;
    return n + 1;
}

static void on_warning(void *user, const char *msg)
{
    struct budget *b = user;
    snprintf(b->last, sizeof b->last, "%s", msg);
}

static void on_error(void *user, const char *msg)
{
    (void)user;
    (void)msg; /* the message is taken with fz_caught_message */
}

static fz_context *new_ctx(struct budget *b)
{
    fz_alloc_context alloc = {b, b_malloc, b_realloc, b_free};
    memset(b, 0, sizeof *b);
    fz_context *ctx = fz_new_context(&alloc, NULL, 64u << 20);
    if (!ctx)
        return NULL;
    fz_set_warning_callback(ctx, on_warning, b);
    fz_set_error_callback(ctx, on_error, b);
    return ctx;
}

int pdfin_is_pdf(const uint8_t *data, size_t len)
{
    size_t n = len < 1024 ? len : 1024;
    for (size_t i = 0; i + 5 <= n; i++)
        if (memcmp(data + i, "%PDF-", 5) == 0)
            return 1;
    return 0;
}

/* The file ends with an end-of-file marker (trailing blanks aside). */
static int has_eof(const uint8_t *data, size_t len)
{
    size_t from = len > 1024 ? len - 1024 : 0;
    for (size_t i = len; i >= from + 5; i--)
        if (memcmp(data + i - 5, "%%EOF", 5) == 0)
            return 1;
    return 0;
}

/*
 * Open a PDF from memory. Encrypted files (that a blank password does not
 * open) and truncated ones (repaired, with no end marker) are refused:
 * whatever MuPDF salvages from a cut file would be silently incomplete.
 */
static pdf_document *open_pdf(fz_context *ctx, const uint8_t *data, size_t len,
                              char *why, size_t whysz)
{
    fz_buffer *buf = NULL;
    fz_stream *stm = NULL;
    pdf_document *doc = NULL;
    fz_var(buf);
    fz_var(stm);
    fz_var(doc);
    fz_try(ctx) {
        buf = fz_new_buffer_from_shared_data(ctx, data, len);
        stm = fz_open_buffer(ctx, buf);
        doc = pdf_open_document_with_stream(ctx, stm);
    }
    fz_always(ctx) {
        fz_drop_stream(ctx, stm);
        fz_drop_buffer(ctx, buf);
    }
    fz_catch(ctx) {
        snprintf(why, whysz, "corrupt PDF: %s", fz_caught_message(ctx));
        return NULL;
    }
    if (pdf_needs_password(ctx, doc) && !pdf_authenticate_password(ctx, doc, "")) {
        snprintf(why, whysz, "encrypted PDF: it needs a password to open");
        pdf_drop_document(ctx, doc);
        return NULL;
    }
    if (pdf_was_repaired(ctx, doc) && !has_eof(data, len)) {
        snprintf(why, whysz, "truncated PDF: the file ends before its end-of-file"
                 " marker (%zu bytes)", len);
        pdf_drop_document(ctx, doc);
        return NULL;
    }
    return doc;
}

int pdfin_count(const uint8_t *data, size_t len, char *why, size_t whysz)
{
    struct budget b;
    fz_context *ctx = new_ctx(&b);
    int n = -1;
    if (!ctx) {
        snprintf(why, whysz, "out of memory opening PDF");
        return -1;
    }
    pdf_document *doc = open_pdf(ctx, data, len, why, whysz);
    if (doc) {
        fz_try(ctx) {
            n = pdf_count_pages(ctx, doc);
        }
        fz_catch(ctx) {
            snprintf(why, whysz, "corrupt PDF: %s", fz_caught_message(ctx));
            n = -1;
        }
        if (n == 0) {
            snprintf(why, whysz, pdf_was_repaired(ctx, doc)
                                     ? "truncated or corrupt PDF: no page could be read"
                                     : "PDF has no pages");
            n = -1;
        }
        pdf_drop_document(ctx, doc);
    }
    fz_drop_context(ctx);
    return n;
}

/* ---- what a page is made of ---- */

struct scan_dev {
    fz_device super;
    long glyphs;        /* visible characters */
    int nimages;
    fz_image *big;      /* the image covering most of the page */
    fz_matrix big_ctm;
    float big_area;
    float max_dpi;      /* highest resolution of any image drawn */
};

static float quad_area(fz_matrix m)
{
    return fabsf(m.a * m.d - m.b * m.c);
}

static void see_image(fz_context *ctx, struct scan_dev *d, fz_image *img, fz_matrix ctm)
{
    float area = quad_area(ctm);
    float lx = sqrtf(ctm.a * ctm.a + ctm.b * ctm.b);
    float ly = sqrtf(ctm.c * ctm.c + ctm.d * ctm.d);
    d->nimages++;
    if (lx > 1 && ly > 1) {
        float dx = img->w * 72.0f / lx, dy = img->h * 72.0f / ly;
        float dpi = dx < dy ? dx : dy;
        if (dpi > d->max_dpi)
            d->max_dpi = dpi;
    }
    if (area > d->big_area) {
        fz_drop_image(ctx, d->big);
        d->big = fz_keep_image(ctx, img);
        d->big_ctm = ctm;
        d->big_area = area;
    }
}

static void dev_fill_image(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix ctm,
                           float alpha, fz_color_params cp)
{
    see_image(ctx, (struct scan_dev *)dev, img, ctm);
}

static void dev_fill_image_mask(fz_context *ctx, fz_device *dev, fz_image *img,
                                fz_matrix ctm, fz_colorspace *cs, const float *color,
                                float alpha, fz_color_params cp)
{
    see_image(ctx, (struct scan_dev *)dev, img, ctm);
}

static void count_text(struct scan_dev *d, const fz_text *text)
{
    for (const fz_text_span *s = text->head; s; s = s->next)
        for (int i = 0; i < s->len; i++)
            d->glyphs += s->items[i].ucs > ' ';
}

static void dev_fill_text(fz_context *ctx, fz_device *dev, const fz_text *text,
                          fz_matrix ctm, fz_colorspace *cs, const float *color,
                          float alpha, fz_color_params cp)
{
    count_text((struct scan_dev *)dev, text);
}

static void dev_stroke_text(fz_context *ctx, fz_device *dev, const fz_text *text,
                            const fz_stroke_state *st, fz_matrix ctm, fz_colorspace *cs,
                            const float *color, float alpha, fz_color_params cp)
{
    count_text((struct scan_dev *)dev, text);
}

static void dev_clip_text(fz_context *ctx, fz_device *dev, const fz_text *text,
                          fz_matrix ctm, fz_rect scissor)
{
    count_text((struct scan_dev *)dev, text);
}

static void dev_drop(fz_context *ctx, fz_device *dev)
{
    struct scan_dev *d = (struct scan_dev *)dev;
    fz_drop_image(ctx, d->big);
    d->big = NULL;
}

/* ---- images to Leptonica ---- */

/* An 8-bit grey or RGB pixmap (no alpha) as a Pix. */
static PIX *pix_from_pixmap(fz_context *ctx, fz_pixmap *pm, int invert)
{
    int w = fz_pixmap_width(ctx, pm), h = fz_pixmap_height(ctx, pm);
    int n = fz_pixmap_components(ctx, pm);
    ptrdiff_t stride = fz_pixmap_stride(ctx, pm);
    const unsigned char *s = fz_pixmap_samples(ctx, pm);
    PIX *pix = pixCreate(w, h, n == 1 ? 8 : 32);
    if (!pix)
        return NULL;
    l_uint32 *data = pixGetData(pix);
    l_int32 wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        const unsigned char *row = s + y * stride;
        l_uint32 *line = data + (size_t)y * wpl;
        if (n == 1) {
            for (int x = 0; x < w; x++)
                SET_DATA_BYTE(line, x, invert ? 255 - row[x] : row[x]);
        } else {
            for (int x = 0; x < w; x++) {
                const unsigned char *p = row + (size_t)x * n;
                composeRGBPixel(p[0], p[1], p[2], line + x);
            }
        }
    }
    if (n != 1)
        pixSetSpp(pix, 3);
    return pix;
}

static const char *codec_name(int type)
{
    switch (type) {
    case FZ_IMAGE_JPEG: return "JPEG";
    case FZ_IMAGE_FAX: return "CCITT";
    case FZ_IMAGE_JBIG2: return "JBIG2";
    case FZ_IMAGE_FLATE: return "Flate";
    case FZ_IMAGE_LZW: return "LZW";
    case FZ_IMAGE_RLD: return "RunLength";
    case FZ_IMAGE_JPX: return "JPEG 2000";
    case FZ_IMAGE_RAW: return "raw";
    default: return "other";
    }
}

/*
 * Quarter turns that an image matrix applies (image x axis along (a,b),
 * y axis along (c,d), page y pointing down), or -1 if it also mirrors,
 * shears or turns by another angle.
 */
static int matrix_quads(fz_matrix m)
{
    float eps = 1e-3f * (fabsf(m.a) + fabsf(m.b) + fabsf(m.c) + fabsf(m.d));
    if (fabsf(m.b) <= eps && fabsf(m.c) <= eps) {
        if (m.a > 0 && m.d > 0)
            return 0;
        if (m.a < 0 && m.d < 0)
            return 2;
    } else if (fabsf(m.a) <= eps && fabsf(m.d) <= eps) {
        if (m.b > 0 && m.c < 0)
            return 1;
        if (m.b < 0 && m.c > 0)
            return 3;
    }
    return -1;
}

/* The image's pixels as a Pix (1-bit if the image is), and its JPEG
 * stream when it can be embedded as it is. NULL with a reason on error. */
static PIX *decode_image(fz_context *ctx, struct budget *bud, fz_image *img,
                         fz_compressed_buffer *cb, struct pdfin_page *out, char *why,
                         size_t whysz)
{
    fz_pixmap *pm = NULL, *conv = NULL;
    bud->last[0] = '\0';
    PIX *pix = NULL;
    fz_var(pm);
    fz_var(conv);
    fz_var(pix);
    fz_try(ctx) {
        pm = fz_get_pixmap_from_image(ctx, img, NULL, NULL, NULL, NULL);
        if (fz_pixmap_width(ctx, pm) != img->w || fz_pixmap_height(ctx, pm) != img->h)
            fz_throw(ctx, FZ_ERROR_GENERIC, "image decoded at another size");
        /* MuPDF pads a cut or damaged stream and only warns: a page with
         * half its image is not a page to keep */
        if (bud->last[0])
            fz_throw(ctx, FZ_ERROR_GENERIC, "%s", bud->last);
        fz_colorspace *cs = fz_pixmap_colorspace(ctx, pm);
        int alpha = fz_pixmap_alpha(ctx, pm);
        if (img->imagemask) {
            /* a stencil: painted where the mask is set */
            pix = pix_from_pixmap(ctx, pm, 1);
        } else if (cs && (fz_colorspace_is_gray(ctx, cs) || fz_colorspace_is_rgb(ctx, cs)) &&
                   !alpha) {
            pix = pix_from_pixmap(ctx, pm, 0);
        } else {
            fz_colorspace *to = cs && fz_colorspace_n(ctx, cs) == 1 ? fz_device_gray(ctx)
                                                                     : fz_device_rgb(ctx);
            conv = fz_convert_pixmap(ctx, pm, to, NULL, NULL, fz_default_color_params, 0);
            pix = pix_from_pixmap(ctx, conv, 0);
        }
        if (!pix)
            fz_throw(ctx, FZ_ERROR_GENERIC, "out of memory");
        if (img->bpc == 1 && pixGetDepth(pix) == 8) {
            PIX *bw = pixConvertTo1(pix, 128);
            if (!bw)
                fz_throw(ctx, FZ_ERROR_GENERIC, "out of memory");
            pixDestroy(&pix);
            pix = bw;
        }
        if (cb && cb->params.type == FZ_IMAGE_JPEG && !img->imagemask && !img->use_decode &&
            img->bpc == 8 && cb->params.u.jpeg.color_transform == -1 && cs &&
            (fz_colorspace_is_gray(ctx, cs) || fz_colorspace_is_rgb(ctx, cs))) {
            unsigned char *bytes = NULL;
            size_t n = fz_buffer_storage(ctx, cb->buffer, &bytes);
            out->jpeg = n ? malloc(n) : NULL;
            if (out->jpeg) {
                memcpy(out->jpeg, bytes, n);
                out->jpeg_len = n;
            }
        }
    }
    fz_always(ctx) {
        fz_drop_pixmap(ctx, conv);
        fz_drop_pixmap(ctx, pm);
    }
    fz_catch(ctx) {
        pixDestroy(&pix);
        snprintf(why, whysz, "corrupt PDF: cannot decode the page image (%s, %d x %d): %s",
                 cb ? codec_name(cb->params.type) : "image", img->w, img->h,
                 fz_caught_message(ctx));
    }
    return pix;
}

/* The page's one image with its own pixels; 0, or -1 to draw instead. */
static int take_native(fz_context *ctx, struct budget *bud, struct scan_dev *d,
                       fz_rect bounds, struct pdfin_page *out, char *why, size_t whysz)
{
    fz_image *img = d->big;
    float page_area = (bounds.x1 - bounds.x0) * (bounds.y1 - bounds.y0);
    int quads = matrix_quads(d->big_ctm);
    if (!img || d->nimages != 1 || quads < 0 || d->big_area < 0.5f * page_area)
        return -1;
    if (img->use_colorkey || img->mask)
        return -1;
    /* its size on the page: same resolution both ways, or draw it */
    fz_matrix m = d->big_ctm;
    float lx = sqrtf(m.a * m.a + m.b * m.b), ly = sqrtf(m.c * m.c + m.d * m.d);
    float dx = img->w * 72.0f / lx, dy = img->h * 72.0f / ly;
    if (fabsf(dx - dy) > 0.03f * (dx > dy ? dx : dy))
        return -1;
    if (img->w > PREP_MAX_SIDE || img->h > PREP_MAX_SIDE ||
        (unsigned long long)img->w * (unsigned long long)img->h > PREP_MAX_PIXELS) {
        snprintf(why, whysz, "PDF image claims %d x %d pixels: refused", img->w, img->h);
        return -2;
    }
    fz_compressed_buffer *cb = fz_compressed_image_buffer(ctx, img);
    /* the same limits as image files (prep_decode): memory to decode, and
     * pixels a byte of stream can plausibly hold */
    unsigned long long px = (unsigned long long)img->w * (unsigned long long)img->h;
    int bitonal = img->bpc == 1 && img->n <= 1;
    unsigned long long need = px * (img->n >= 3 ? 3 + 4 : 1 + (bitonal ? 0 : 1));
    size_t stored = cb && cb->buffer ? fz_buffer_storage(ctx, cb->buffer, NULL) : 0;
    if (need > PREP_MAX_DECODED) {
        snprintf(why, whysz, "PDF image claims %d x %d pixels, %llu MB to decode: refused"
                 " (limit %llu MB)", img->w, img->h, need >> 20, PREP_MAX_DECODED >> 20);
        return -2;
    }
    if (stored && px / stored > (bitonal ? PREP_MAX_PX_PER_BYTE_1BIT : PREP_MAX_PX_PER_BYTE)) {
        snprintf(why, whysz, "PDF image claims %d x %d pixels in only %zu bytes: refused as"
                 " corrupt or hostile", img->w, img->h, stored);
        return -2;
    }
    PIX *pix = decode_image(ctx, bud, img, cb, out, why, whysz);
    if (!pix)
        return -2;
    int dpi = (int)((dx + dy) / 2 + 0.5f);
    pixSetResolution(pix, dpi, dpi);
    out->how = PDFIN_NATIVE;
    out->pix = pix;
    out->dpi = dpi;
    out->quads = quads;
    out->codec = cb ? (cb->params.type == FZ_IMAGE_FAX
                           ? (cb->params.u.fax.k < 0 ? "CCITT G4" : "CCITT G3")
                           : codec_name(cb->params.type))
                    : "image";
    return 0;
}

/* The page drawn at dpi, upright, as grey or colour. */
/* *pdpi: the resolution wanted, and the one drawn at */
static int draw_page(fz_context *ctx, fz_page *page, fz_rect bounds, int *pdpi, int grey,
                     PIX **ppix, char *why, size_t whysz)
{
    int dpi = *pdpi;
    double w = (bounds.x1 - bounds.x0) * dpi / 72.0, h = (bounds.y1 - bounds.y0) * dpi / 72.0;
    /* a page larger than A0 at 200 dpi is drawn at a lower resolution */
    if (w * h > PDFIN_MAX_DRAWN) {
        double f = sqrt(PDFIN_MAX_DRAWN / (w * h));
        dpi = (int)(dpi * f);
        w *= f;
        h *= f;
    }
    if (dpi < 1 || w < 1 || h < 1 || w > PREP_MAX_SIDE || h > PREP_MAX_SIDE) {
        snprintf(why, whysz, "PDF page of %.0f x %.0f points is too large to draw at %d dpi",
                 bounds.x1 - bounds.x0, bounds.y1 - bounds.y0, dpi);
        return -1;
    }
    fz_pixmap *pm = NULL;
    int rc = 0;
    const fz_matrix ctm = fz_scale(dpi / 72.0f, dpi / 72.0f);
    *pdpi = dpi;
    fz_var(pm);
    fz_try(ctx) {
        pm = fz_new_pixmap_from_page_contents(ctx, page, ctm,
                                              grey ? fz_device_gray(ctx) : fz_device_rgb(ctx),
                                              0);
        *ppix = pix_from_pixmap(ctx, pm, 0);
        if (!*ppix)
            fz_throw(ctx, FZ_ERROR_GENERIC, "out of memory");
    }
    fz_always(ctx) {
        fz_drop_pixmap(ctx, pm);
    }
    fz_catch(ctx) {
        snprintf(why, whysz, "corrupt PDF: cannot draw the page: %s", fz_caught_message(ctx));
        rc = -1;
    }
    if (!rc)
        pixSetResolution(*ppix, *pdpi, *pdpi);
    return rc;
}

/* ---- born-digital pages: their own words ---- */

static void add_escaped(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': strbuf_adds(sb, "&amp;"); break;
        case '<': strbuf_adds(sb, "&lt;"); break;
        case '>': strbuf_adds(sb, "&gt;"); break;
        case '\'': strbuf_adds(sb, "&#39;"); break;
        case '"': strbuf_adds(sb, "&quot;"); break;
        default: strbuf_add(sb, s, 1);
        }
    }
}

struct wordlist {
    struct ocr_word *w;
    size_t n, cap;
};

static int push_word(struct wordlist *l, const char *text, size_t len, fz_rect r,
                     float scale)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        void *p = realloc(l->w, cap * sizeof *l->w);
        if (!p)
            return -1;
        l->w = p;
        l->cap = cap;
    }
    struct ocr_word *w = &l->w[l->n];
    memset(w, 0, sizeof *w);
    w->text = malloc(len + 1);
    if (!w->text)
        return -1;
    memcpy(w->text, text, len);
    w->text[len] = '\0';
    w->x1 = (int)floorf(r.x0 * scale);
    w->y1 = (int)floorf(r.y0 * scale);
    w->x2 = (int)ceilf(r.x1 * scale);
    w->y2 = (int)ceilf(r.y1 * scale);
    w->baseline = w->y2;
    w->line_height = w->y2 - w->y1;
    w->conf = 100.0f;
    l->n++;
    return 0;
}

/* Words of the page, lines and blocks in MuPDF's order; boxes scaled from
 * points to pixels at dpi. */
static int take_text(fz_context *ctx, fz_page *page, int dpi, int page_no, int pw, int ph,
                     struct ocr_result *res)
{
    fz_stext_page *st = NULL;
    struct wordlist l = {0};
    struct strbuf text = STRBUF_INIT, hocr = STRBUF_INIT;
    float scale = dpi / 72.0f;
    int rc = 0;
    fz_var(st);
    fz_try(ctx) {
        st = fz_new_stext_page_from_page(ctx, page, NULL);
    }
    fz_catch(ctx) {
        return -1;
    }
    strbuf_addf(&hocr, "  <div class='ocr_page' id='page_%d' title='bbox 0 0 %d %d;"
                " ppageno %d'>\n", page_no + 1, pw, ph, page_no);
    int nline = 0;
    for (fz_stext_block *b = st->first_block; b && !rc; b = b->next) {
        if (b->type != FZ_STEXT_BLOCK_TEXT)
            continue;
        for (fz_stext_line *ln = b->u.t.first_line; ln && !rc; ln = ln->next) {
            size_t first = l.n;
            struct strbuf word = STRBUF_INIT;
            fz_rect box = fz_empty_rect;
            for (fz_stext_char *c = ln->first_char;; c = c->next) {
                if (!c || c->c <= ' ' || c->c == 0xa0) {
                    if (word.len && push_word(&l, word.buf, word.len, box, scale) < 0)
                        rc = -1;
                    word.len = 0;
                    box = fz_empty_rect;
                    if (!c)
                        break;
                    continue;
                }
                char u[8];
                int k = fz_runetochar(u, c->c);
                strbuf_add(&word, u, (size_t)k);
                box = fz_union_rect(box, fz_rect_from_quad(c->quad));
            }
            strbuf_release(&word);
            if (l.n == first)
                continue;
            l.w[l.n - 1].eol = 1;
            nline++;
            strbuf_addf(&hocr, "   <span class='ocr_line' id='line_%d_%d'>", page_no + 1,
                        nline);
            for (size_t i = first; i < l.n; i++) {
                const struct ocr_word *w = &l.w[i];
                strbuf_adds(&text, w->text);
                strbuf_adds(&text, w->eol ? "\n" : " ");
                strbuf_addf(&hocr, "<span class='ocrx_word' id='word_%d_%zu' title='bbox %d %d"
                            " %d %d; x_wconf 100'>", page_no + 1, i + 1, w->x1, w->y1,
                            w->x2, w->y2);
                add_escaped(&hocr, w->text);
                strbuf_adds(&hocr, "</span> ");
            }
            strbuf_adds(&hocr, "</span>\n");
        }
        if (text.len)
            strbuf_adds(&text, "\n");
    }
    strbuf_adds(&hocr, "  </div>\n");
    fz_drop_stext_page(ctx, st);
    if (rc) {
        for (size_t i = 0; i < l.n; i++)
            free(l.w[i].text);
        free(l.w);
        strbuf_release(&text);
        strbuf_release(&hocr);
        return -1;
    }
    res->words = l.w;
    res->nwords = l.n;
    res->mean_conf = l.n ? 100.0f : 0.0f;
    res->text = text.len ? strbuf_detach(&text, NULL) : strdup("");
    res->hocr = strbuf_detach(&hocr, NULL);
    strbuf_release(&text);
    return res->text && res->hocr ? 0 : -1;
}

static void drop_dev(fz_context *ctx, struct scan_dev *dev)
{
    if (!dev)
        return;
    fz_try(ctx) {
        fz_drop_device(ctx, &dev->super);
    }
    fz_catch(ctx) {
        /* nothing left to do */
    }
}

/* Load page pageno and see what it is made of. */
static int scan_page(fz_context *ctx, pdf_document *doc, int pageno, fz_page **ppage,
                     struct scan_dev **pdev, fz_rect *bounds, char *why, size_t whysz)
{
    fz_page *page = NULL;
    struct scan_dev *dev = NULL;
    fz_var(page);
    fz_var(dev);
    fz_try(ctx) {
        int n = pdf_count_pages(ctx, doc);
        if (pageno < 0 || pageno >= n)
            fz_throw(ctx, FZ_ERROR_GENERIC, "no page %d (the file has %d)", pageno + 1, n);
        page = fz_load_page(ctx, (fz_document *)doc, pageno);
        *bounds = fz_bound_page(ctx, page);
        dev = fz_new_derived_device(ctx, struct scan_dev);
        dev->super.fill_image = dev_fill_image;
        dev->super.fill_image_mask = dev_fill_image_mask;
        dev->super.fill_text = dev_fill_text;
        dev->super.stroke_text = dev_stroke_text;
        dev->super.clip_text = dev_clip_text;
        dev->super.drop_device = dev_drop;
        fz_run_page_contents(ctx, page, &dev->super, fz_identity, NULL);
        fz_close_device(ctx, &dev->super);
    }
    fz_catch(ctx) {
        snprintf(why, whysz, "corrupt PDF: page %d: %s", pageno + 1, fz_caught_message(ctx));
        *ppage = page;
        *pdev = dev;
        return -1;
    }
    *ppage = page;
    *pdev = dev;
    return 0;
}

/* ---- a page ---- */

enum sohoa_err pdfin_load(const uint8_t *data, size_t len, int pageno, int page_no,
                          struct pdfin_page *out, char *why, size_t whysz)
{
    struct budget b;
    enum sohoa_err err = SOHOA_OK;
    memset(out, 0, sizeof *out);
    fz_context *ctx = new_ctx(&b);
    if (!ctx) {
        snprintf(why, whysz, "out of memory opening PDF");
        return SOHOA_ENOMEM;
    }
    pdf_document *doc = open_pdf(ctx, data, len, why, whysz);
    fz_page *page = NULL;
    struct scan_dev *dev = NULL;
    fz_rect bounds = fz_empty_rect;
    if (!doc) {
        fz_drop_context(ctx);
        return SOHOA_EFORMAT;
    }
    if (scan_page(ctx, doc, pageno, &page, &dev, &bounds, why, whysz) < 0)
        err = SOHOA_EFORMAT;
    if (!err && (fz_is_empty_rect(bounds) || bounds.x1 - bounds.x0 < 1 ||
                 bounds.y1 - bounds.y0 < 1)) {
        snprintf(why, whysz, "corrupt PDF: page %d has no size", pageno + 1);
        err = SOHOA_EFORMAT;
    }
    if (!err) {
        float page_area = (bounds.x1 - bounds.x0) * (bounds.y1 - bounds.y0);
        int born_digital = dev->glyphs >= PDFIN_MIN_TEXT &&
                           (dev->big_area < 0.5f * page_area || dev->glyphs >= 400);
        int rc = born_digital ? -1 : take_native(ctx, &b, dev, bounds, out, why, whysz);
        if (rc == -2) {
            err = SOHOA_EFORMAT;
        } else if (rc == -1) {
            /* draw it: at its images' resolution, or for text pages a
             * resolution that shows print well */
            int dpi = PDFIN_TEXT_DPI;
            if (!born_digital && dev->max_dpi > 0)
                dpi = dev->max_dpi < 100 ? 100 : dev->max_dpi > 600 ? 600
                                                  : (int)(dev->max_dpi + 0.5f);
            int grey = dev->big && dev->big->colorspace &&
                       fz_colorspace_n(ctx, dev->big->colorspace) == 1 && !born_digital;
            if (draw_page(ctx, page, bounds, &dpi, grey, &out->pix, why, whysz) < 0) {
                err = SOHOA_EFORMAT;
            } else {
                out->dpi = dpi;
                out->quads = 0;
                out->codec = "drawn";
                out->how = born_digital ? PDFIN_TEXT : PDFIN_RENDERED;
                if (born_digital &&
                    take_text(ctx, page, dpi, page_no, pixGetWidth(out->pix),
                              pixGetHeight(out->pix), &out->text) < 0) {
                    snprintf(why, whysz, "PDF page %d: cannot read its text", pageno + 1);
                    err = SOHOA_EFORMAT;
                }
            }
        }
    }
    drop_dev(ctx, dev);
    fz_drop_page(ctx, page);
    pdf_drop_document(ctx, doc);
    fz_drop_context(ctx);
    if (err)
        pdfin_page_release(out);
    return err;
}

void pdfin_page_release(struct pdfin_page *p)
{
    pixDestroy(&p->pix);
    free(p->jpeg);
    p->jpeg = NULL;
    p->jpeg_len = 0;
    ocr_result_release(&p->text);
}

const char *pdfin_version(void)
{
    return FZ_VERSION;
}
