/*
 * fold.h - diacritic- and case-insensitive folding of Vietnamese text,
 * used for the search index and for queries alike.
 *
 * "Quyết định" folds to "quyet dinh", "ĐĂNG KÝ" to "dang ky"; đ/Đ and the
 * look-alike Ð (U+00D0, often produced by OCR) fold to "d".
 */
#ifndef SOHOA_FOLD_H
#define SOHOA_FOLD_H

#include <stddef.h>
#include <stdint.h>

/* Fold one code point: returns the folded code point, or 0 if the code
 * point is a combining mark that folding removes. */
uint32_t fold_cp(uint32_t cp);

/* Is cp part of a word (letter, digit or combining mark)? */
int fold_is_word_cp(uint32_t cp);

/*
 * Find the next word in s[*pos..n): on success returns 1, stores the folded
 * word (malloc'd into *tok if tok_cap too small; see below) and the byte
 * offsets of the word in s. Returns 0 when there are no more words.
 * buf must hold at least 4 * (n - *pos) + 1 bytes or be grown by caller;
 * for simplicity the function writes at most bufsz - 1 bytes and truncates.
 */
int fold_next_word(const char *s, size_t n, size_t *pos, char *buf,
                   size_t bufsz, size_t *tlen, size_t *start, size_t *end);

/* Fold a whole string: words folded, separators kept as single spaces.
 * Returns a malloc'd string or NULL on allocation failure. */
char *fold_text(const char *s, size_t n);

#endif
