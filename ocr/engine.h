/*
 * engine.h - the Tesseract engine: one per worker thread, reused across
 * pages. Orientation detection (OSD) and Vietnamese recognition.
 */
#ifndef SOHOA_ENGINE_H
#define SOHOA_ENGINE_H

#include <stddef.h>

#include "util.h"

struct Pix;
struct ocr_engine;

/* One recognised word, in the recognised image's pixel coordinates. */
struct ocr_word {
    char *text;          /* UTF-8 */
    int x1, y1, x2, y2;  /* bounding box */
    int baseline;        /* y of the line's baseline under this word */
    int line_height;     /* height of the word's text line */
    float conf;          /* 0..100 */
    int eol;             /* last word of its line */
};

struct ocr_result {
    char *text;          /* page text, UTF-8 */
    char *hocr;          /* hOCR fragment for the page (one ocr_page div) */
    float mean_conf;     /* mean word confidence, 0..100 */
    struct ocr_word *words;
    size_t nwords;
};

struct ocr_options {
    const char *datapath;   /* tessdata folder, NULL for the default */
    const char *lang;       /* default "vie" */
    int osd;                /* load the OSD model for orientation */
    char *const *vars;      /* Tesseract variables "name=value", NULL-ended */
};

/* Create an engine; on failure returns NULL and writes why. */
struct ocr_engine *ocr_engine_new(const struct ocr_options *opt, char *why,
                                  size_t whysz);
void ocr_engine_free(struct ocr_engine **peng);
/* The tessdata folder in use (for pdf.ttf). */
const char *ocr_engine_datapath(const struct ocr_engine *eng);

/*
 * Detect page orientation with OSD. *quads gets the clockwise quarter
 * turns that make the page upright (0..3), *conf OSD's confidence.
 * Returns 0 on success, -1 when OSD could not decide (quads = 0).
 */
int ocr_detect_orientation(struct ocr_engine *eng, struct Pix *grey, int dpi,
                           int *quads, float *conf);

/*
 * Orientation of a page, made sure. The direction of the text lines picks
 * 0/180 or 90/270; the shapes of the letters settle it when they are
 * clear (cheap, most pages). Otherwise OSD when it is sure, and if not,
 * Tesseract's confidence on one band of text read both ways up. *how
 * tells which decided.
 */
enum ocr_orient_how { OCR_ORIENT_OSD, OCR_ORIENT_BAND, OCR_ORIENT_NONE, OCR_ORIENT_SHAPE };
void ocr_orientation(struct ocr_engine *eng, struct Pix *grey, int dpi, int *quads,
                     enum ocr_orient_how *how);

/* Mean word confidence of Tesseract on an image (0 if no words). */
float ocr_confidence(struct ocr_engine *eng, struct Pix *pix, int dpi);

/* Recognise a prepared page. page_no (0-based) numbers the hOCR ids. */
enum sohoa_err ocr_recognize(struct ocr_engine *eng, struct Pix *pix, int dpi,
                             int page_no, struct ocr_result *res);
void ocr_result_release(struct ocr_result *res);

/*
 * Is a recognised word noise made of a seal, a signature or dirt rather
 * than print? Marks that print does not hold (` # ° ⁄ ...), punctuation
 * Tesseract is unsure of, and very unsure words of up to 3 characters.
 * Such words are left out of the text and the PDF's text layer.
 */
int ocr_junk_word(const char *text, int conf);

/*
 * Correct tone marks (see tone.h) in the page text and, alike, in the
 * words of the text layer. Returns the number of syllables changed in the
 * text, or -1 when out of memory (the result is then unchanged).
 */
struct tone_model;
int ocr_fix_tones(const struct tone_model *m, struct ocr_result *res);

/*
 * Put back the marks of administrative phrases (bodies, titles, provinces,
 * the motto; index/lexicon.h) in the lines written in capitals, in the
 * text and the words alike. Returns the words changed in the text, or -1
 * when out of memory.
 */
int ocr_fix_capitals(struct ocr_result *res);

/* Is the language model present? (for tests that need it) */
int ocr_model_available(const char *datapath, const char *lang);

#endif
