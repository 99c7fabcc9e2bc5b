/*
 * prep.h - page images: decoding with Leptonica, and the clean-up done
 * before recognition (grey conversion, orientation, deskew).
 */
#ifndef SOHOA_PREP_H
#define SOHOA_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct Pix;

/* Largest page we accept, checked from the header before decoding. */
#define PREP_MAX_PIXELS (400ull * 1000 * 1000)
#define PREP_MAX_SIDE 60000
/* memory a decoded page may take (A3 at 600 dpi in colour: 280 MB) */
#define PREP_MAX_DECODED (1200ull << 20)
/* pixels a file may claim per byte it has (see prep_decode) */
#define PREP_MAX_PX_PER_BYTE 20000ull
#define PREP_MAX_PX_PER_BYTE_1BIT 400000ull

/*
 * Decode frame `frame` (0-based) of an image file held in memory.
 * On failure returns an error and writes a reason into why.
 */
enum sohoa_err prep_decode(const uint8_t *data, size_t len, int frame,
                           struct Pix **ppix, char *why, size_t whysz);

/* Resolution to use for a page: the file's if plausible, else 300. */
int prep_page_dpi(struct Pix *pix, int *from_file);

/*
 * The same, checked against the page: an A4-shaped page whose claimed
 * resolution makes it smaller than A4 and its text smaller than print
 * (under 1.9 mm by prep_text_height) while at A4 size the text is normal,
 * was scanned at the A4 resolution: scanners and converters often write
 * a wrong density. A file without a resolution is taken as A4 when it has
 * the proportions. *guessed (may be NULL) is set when the file was
 * overruled. text_height: from prep_text_height, 0 if unknown.
 */
int prep_page_dpi_checked(struct Pix *pix, int text_height, int *guessed);

/* 8-bit grey copy of any image. */
struct Pix *prep_grey(struct Pix *pix);

/*
 * 8-bit grey copy of a colour page with coloured ink (red and blue seals,
 * ink signatures, handwritten notes, red stamps) turned to paper, so that
 * only black print is recognised. Black print under a seal stays: it is
 * dark in every channel. Nothing is removed when coloured ink is most of
 * the ink (a page printed in blue, a handwritten letter): then this is
 * prep_grey. *share (may be NULL) gets the share of the page's ink that
 * was removed, 0..1. Grey and bitonal pages are returned as prep_grey.
 */
struct Pix *prep_grey_ink(struct Pix *pix, float *share);

/*
 * Measure skew of a grey page and return a deskewed copy (or a clone when
 * no rotation is warranted). *angle gets the correction applied, in
 * degrees, clockwise positive (Leptonica's convention).
 */
struct Pix *prep_deskew(struct Pix *grey, float *angle);
/* The page turned by degrees as prep_deskew turns it (white brought in). */
struct Pix *prep_rotate(struct Pix *pix, float degrees);

/*
 * The red ink that prep_grey_ink fades (stamps, seals; not the blue of ink
 * writing or a digital signature's box) as dark print on white, for reading
 * on its own: 8 bpp, the page's size. NULL when the page is not in colour
 * or its red ink covers less than min_share of it.
 */
struct Pix *prep_ink_layer(struct Pix *pix, float min_share);

/*
 * Typical character height in pixels (median height of the connected
 * components that look like characters), 0 if the page shows none.
 */
int prep_text_height(struct Pix *grey);
/* The same, also giving the number of character-like marks counted. */
int prep_text_height_count(struct Pix *grey, int *nmarks);

/*
 * Scale at which to recognise a page whose characters are `height` pixels
 * tall: Tesseract reads characters of about PREP_TARGET_HEIGHT pixels as
 * well as larger ones, and its time follows the pixel count.
 */
#define PREP_TARGET_HEIGHT 20
/* Text smaller than this (90-150 dpi pages) is enlarged to the target, at
 * most 2.5 times: on a real 90 dpi page, CER 16.1% -> 10.9%. Between it
 * and the target the page is read as it is. */
#define PREP_SMALL_TEXT 16
float prep_recognition_scale(int height);

/*
 * Does the paper's shade vary across the page (uneven light, a photo, a
 * yellowed sheet)? Compares the paper level of 16 tiles of the inner page.
 * Tesseract's single threshold fails on such pages; level them first.
 */
int prep_uneven_light(struct Pix *grey);
/* Make the paper even (Leptonica background normalisation); new image. */
struct Pix *prep_flatten(struct Pix *grey);

/*
 * Clear what the scanner added around the paper: dark bands and wedges
 * joined to the image edge (the lid, a skewed sheet's corners) and punch
 * holes near the edge become paper. Solid dark regions only: text or a
 * table frame that touches the edge is left alone. Returns a new image,
 * with *cleared set to the number of pixels changed (0: nothing found),
 * or NULL on failure.
 */
struct Pix *prep_clear_border(struct Pix *grey, int dpi, long *cleared);

/*
 * Frames of a stamp's size ruled on the page: the box of a received stamp
 * ("CV ĐẾN", Số, Ngày, Chuyển), a framed mark. Found from the page's ruling
 * (runs of ink half an inch long across, a fifth of an inch down) that lie
 * together: at least two across and two down, at the box's four sides,
 * 0.8 inch to 45% of the page wide, 0.35 to 2.5 inches tall. Tables wider
 * than that are not frames. Returns the boxes (maybe none), or NULL on
 * failure.
 */
struct Boxa;
struct Boxa *prep_find_frames(struct Pix *grey, int dpi);

/*
 * Remove specks: dark marks smaller than 3 x 3 pixels (at recognition
 * scale, where characters are about 20 pixels tall) become paper.
 * Returns a new image, or NULL on failure.
 */
struct Pix *prep_despeckle(struct Pix *grey);

/*
 * Is the page blank (a blank back, perhaps with specks, show-through or a
 * scanner border)? Counts dark, character-sized marks away from the edges;
 * a page with a single written name is not blank.
 */
int prep_is_blank(struct Pix *grey, int dpi);

/*
 * Do the page's text lines run across (0) or up and down (1)? Compares how
 * strongly ink alternates from row to row and from column to column.
 * Returns -1 when the page shows too little ink to tell.
 */
int prep_line_direction(struct Pix *grey);

/*
 * How sure is it that the page, turned by `quads` clockwise quarter turns,
 * stands upright? From the shapes of the letters (ascenders and
 * descenders, Leptonica's pixOrientDetect): large positive means upright,
 * large negative upside down, near 0 cannot tell (little text).
 */
float prep_upright_conf(struct Pix *grey, int quads);

/*
 * A band of the page holding text lines, about a fifth of its height, cut
 * from the page turned by `quads` clockwise quarter turns. For choosing
 * between two orientations by recognising only a part of the page.
 */
struct Pix *prep_text_band(struct Pix *grey, int quads);

#endif
