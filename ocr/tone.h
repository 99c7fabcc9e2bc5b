/*
 * tone.h - post-OCR correction of Vietnamese tone marks from syllable
 * bigram statistics.
 *
 * The recogniser often reads a valid syllable with the wrong tone mark
 * (tổ -> tố, thể -> thế, đổi -> đối). Both readings are real syllables, so
 * only context can tell. For each eligible syllable the corrector tries the
 * same syllable with each other tone mark (the vowel letters and đ/d kept)
 * and replaces it when the neighbouring syllables make the alternative much
 * more likely than what was read.
 *
 * Never touched: tokens with a digit or any character other than letters
 * (codes like 57/UBND-VP, e-mail, 1.004772), all-caps or mixed-case tokens
 * (QĐ, UBND, headings), capitalised words that do not start a sentence
 * (proper names), and syllables absent from the model.
 *
 * The model is a TSV file (ocr/data/vi-bigrams.tsv, made by
 * scripts/make-bigrams.sh): '#' comment lines, then "SYL\tCOUNT" unigram and
 * "SYL SYL\tCOUNT" bigram lines, UTF-8 NFC lowercase.
 */
#ifndef SOHOA_TONE_H
#define SOHOA_TONE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct tone_model;

/* Tunables; tone_model_load sets the defaults below. */
struct tone_params {
    double ratio;      /* replace when P(best)/P(read) >= ratio (default 30) */
    int min_count;     /* and the best's bigram counts add up to >= this (3) */
    double max_read;   /* and the read syllable's bigram counts <= this (0) */
    int cross_lines;   /* context may continue over a line break (1) */
    int stop_rule;     /* a syllable ending in p/t/c/ch gets an acute or dot (1) */
    /*
     * Channel weights: chan[read][written] scales the score of writing tone
     * `written` where tone `read` was recognised (0 = never). Tones are
     * TONE_NONE .. TONE_DOT. The defaults allow only what the recogniser
     * does and context can fix: a hook above read as an acute (weight 1)
     * and, weighted down (0.1), a spurious hook or grave on a bare vowel.
     * A lost mark (none -> any) is off: measured, it mostly "corrects"
     * administrative words the model lacks (ban hành -> bán hành).
     */
    double chan[6][6];
};

enum { TONE_NONE, TONE_GRAVE, TONE_ACUTE, TONE_HOOK, TONE_TILDE, TONE_DOT };

#define TONE_RATIO_DEFAULT 30.0
#define TONE_MIN_COUNT_DEFAULT 3
#define TONE_MAX_READ_DEFAULT 0.0
/* sightings a syllable needs to be written by the stop rule */
#define TONE_STOP_MIN_COUNT 5

/* Environment variable naming the model file, and its default name. */
#define TONE_MODEL_ENV "SOHOA_TONE_MODEL"
#define TONE_MODEL_FILE "vi-bigrams.tsv"

/*
 * Load a model file. Returns NULL on failure with a reason in err (errlen
 * bytes, may be 0).
 */
struct tone_model *tone_model_load(const char *path, char *err, size_t errlen);
void tone_model_free(struct tone_model *m);

/*
 * Where the model is: $SOHOA_TONE_MODEL if set, else SOHOA_DATA_DIR (a
 * compile-time define, the source tree's ocr/data) + "/vi-bigrams.tsv".
 * Returns a static or environment string; never NULL.
 */
const char *tone_model_default_path(void);

struct tone_params tone_model_params(const struct tone_model *m);
void tone_model_set_params(struct tone_model *m, const struct tone_params *p);

/* Counts, for tests and tools: unigram (b == NULL) or bigram "a b". */
unsigned long tone_model_count(const struct tone_model *m, const char *a,
                               const char *b);

/*
 * Correct a page of OCR text. out receives the text with only the changed
 * syllables replaced (everything else byte for byte). *nchanged (may be
 * NULL) gets the number of replacements. Invalid UTF-8 is copied through.
 * If log is not NULL, one line per change "read -> written\tleft _ right\n"
 * is appended to it. Returns 0, or -1 when out of memory.
 */
int tone_correct_log(const struct tone_model *m, const char *text,
                     struct strbuf *out, int *nchanged, struct strbuf *log);
/*
 * One syllable, any case: its tone (TONE_NONE..TONE_DOT) and its lowercase
 * letters without the tone into key ("ỦY" and "UỶ" both give "uy", hook).
 * -1 when it is not one Vietnamese syllable's letters or does not fit.
 */
int tone_syllable(const char *s, size_t n, char *key, size_t keysz);
/* The capital of a Vietnamese letter (other code points as they are). */
uint32_t tone_upper_cp(uint32_t cp);

int tone_correct(const struct tone_model *m, const char *text,
                 struct strbuf *out, int *nchanged);

#endif
