/*
 * pdf.h - two-layer PDF: the page image as scanned, with the recognised
 * text laid invisibly over it (text render mode 3) so it can be searched,
 * selected and copied.
 *
 * Pages are made one at a time by the workers (pdf_page_build writes a
 * small "page part" holding the image stream and the page's content
 * stream), and joined into one PDF per document when the document is
 * complete (pdf_join_pages). A page part does not depend on anything
 * else, so a page done before a crash never has to be recognised again.
 */
#ifndef SOHOA_PDF_H
#define SOHOA_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "util.h"

struct Pix;

struct pdf_page_geom {
    int quads;          /* clockwise quarter turns from file to upright */
    float skew;         /* deskew applied after turning, degrees, cw+ */
    int dpi;            /* resolution of the file image */
    int rec_w, rec_h;   /* size of the recognised image */
    double rec_scale;   /* recognised pixels per file pixel */
};

/*
 * Build a page part. data/len: the page file as read (JPEG is embedded
 * as is); orig: its decoded image (used when the file cannot be embedded
 * directly). words are in recognised-image coordinates.
 */
enum sohoa_err pdf_page_build(const uint8_t *data, size_t len, struct Pix *orig,
                              const struct pdf_page_geom *g,
                              const struct ocr_word *words, size_t nwords,
                              struct strbuf *out);

/*
 * Join page parts (files) into one PDF at path, written atomically.
 * fontfile: Tesseract's glyph-less font (pdf.ttf). title may be NULL.
 */
enum sohoa_err pdf_join_pages(const char *path, char *const *parts, size_t nparts,
                                  const char *fontfile, const char *title,
                                  char *why, size_t whysz);

#endif
