/*
 * pdfin.h - scanned PDFs as page images, with MuPDF.
 *
 * A scanner or copier writes one image per page. That image is taken with
 * its own pixels (no rendering at a guessed resolution), and the page's
 * /Rotate and image matrix become quarter turns to apply. A page whose
 * content is not one image filling the page (several strips, a mixed
 * page) is rendered at the resolution of its images. A page that carries
 * real, visible text (born-digital) is not recognised: its own words are
 * returned instead.
 *
 * Each call opens the file anew in a context of its own, so workers may
 * read pages of one PDF at once.
 */
#ifndef SOHOA_PDFIN_H
#define SOHOA_PDFIN_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "util.h"

struct Pix;

enum pdfin_how {
    PDFIN_NATIVE,   /* the page's one image, its own pixels */
    PDFIN_RENDERED, /* the page drawn at the resolution of its images */
    PDFIN_TEXT      /* born-digital: drawn, and its own text taken */
};

struct pdfin_page {
    enum pdfin_how how;
    struct Pix *pix;        /* the image as stored (before turning) */
    int quads;              /* clockwise quarter turns from pix to upright */
    int dpi;                /* pixels per inch of pix on the page */
    uint8_t *jpeg;          /* the image's own JPEG stream, to embed as is */
    size_t jpeg_len;
    const char *codec;      /* how the image was stored: "JPEG", "CCITT G4",
                             * "JBIG2", "Flate", ... ("drawn" if rendered) */
    struct ocr_result text; /* PDFIN_TEXT: the page's words, pix coordinates */
};

/* Does this file look like a PDF (the %PDF- marker in its first kB)? */
int pdfin_is_pdf(const uint8_t *data, size_t len);

/*
 * Pages of a PDF held in memory, or -1 with a reason (encrypted,
 * truncated, corrupt).
 */
int pdfin_count(const uint8_t *data, size_t len, char *why, size_t whysz);

/*
 * Page `page` (0-based) of a PDF held in memory. page_no numbers the hOCR
 * of a text page. On failure returns an error and writes a reason.
 */
enum sohoa_err pdfin_load(const uint8_t *data, size_t len, int page, int page_no,
                          struct pdfin_page *out, char *why, size_t whysz);
void pdfin_page_release(struct pdfin_page *p);

/* The MuPDF version linked in (for --version and the README). */
const char *pdfin_version(void);

#endif
