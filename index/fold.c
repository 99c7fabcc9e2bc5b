/*
 * fold.c - folding Vietnamese text for diacritic-insensitive search.
 *
 *   fold_cp          fold one code point
 *   fold_is_word_cp  word/separator classification
 *   fold_next_word   tokenizer step used by the FTS5 tokenizer and queries
 *   fold_text        fold a whole string
 */
#include "fold.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* U+00C0..U+024F: base letter, '.' where none */
static const char fold_latin[] =
    "aaaaaa.ceeeeiiiidnooooo..uuuuy..aaaaaa.ceeeeiiiidnooooo..uuuuy.y"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghh..iiiiiiiii...jjkk.llllll."
    "...nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzz."
    "................................oo.............uu..............."
    ".............aaiioouuuuuuuuuu.aaaa....ggkkoooo..j...gg..nnaa...."
    "aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............"
    "................"
    ;
/* U+1E00..U+1EFF: base letter, '.' where none */
static const char fold_ext_add[] =
    "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm"
    "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"
    "wwwwwwwwwwxxxxyyzzzzzzhtwy......aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
    "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......"
    ;

uint32_t fold_cp(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            return cp + 32;
        return cp;
    }
    if (cp >= 0x0300 && cp <= 0x036F) /* combining diacritical marks */
        return 0;
    if (cp >= 0xC0 && cp < 0x250) {
        char b = fold_latin[cp - 0xC0];
        return b != '.' ? (uint32_t)b : cp;
    }
    if (cp >= 0x1E00 && cp < 0x1F00) {
        char b = fold_ext_add[cp - 0x1E00];
        return b != '.' ? (uint32_t)b : cp;
    }
    /* Greek and Cyrillic capitals: simple lower-casing */
    if (cp >= 0x391 && cp <= 0x3A9)
        return cp + 32;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 32;
    return cp;
}

int fold_is_word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
               (cp >= 'A' && cp <= 'Z');
    if (cp >= 0x0300 && cp <= 0x036F)
        return 1;
    if (cp <= 0xBF) /* Latin-1 punctuation, NBSP, symbols */
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return 0;
    if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, symbols, arrows */
        return 0;
    if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
        return 0;
    if (cp >= 0xFE30 && cp <= 0xFE6F)
        return 0;
    if (cp >= 0xFF00 && cp <= 0xFF0F)
        return 0;
    if (cp == 0xFEFF || cp == 0xFFFD)
        return 0;
    return 1;
}

int fold_next_word(const char *s, size_t n, size_t *pos, char *buf,
                   size_t bufsz, size_t *tlen, size_t *start, size_t *end)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = *pos;
    uint32_t cp;
    int k;

    /* skip separators */
    while (i < n) {
        k = util_utf8_decode(u + i, n - i, &cp);
        if (fold_is_word_cp(cp) && !(cp >= 0x300 && cp <= 0x36F))
            break;
        i += (size_t)k;
    }
    if (i >= n) {
        *pos = n;
        return 0;
    }
    *start = i;
    size_t out = 0;
    int full = 0;
    while (i < n) {
        k = util_utf8_decode(u + i, n - i, &cp);
        if (!fold_is_word_cp(cp))
            break;
        uint32_t f = fold_cp(cp);
        if (f && !full) {
            char enc[4];
            int m = util_utf8_encode(f, enc);
            if (out + (size_t)m < bufsz) {
                memcpy(buf + out, enc, (size_t)m);
                out += (size_t)m;
            } else {
                full = 1; /* keep a prefix: nothing after a character cut off */
            }
        }
        i += (size_t)k;
    }
    if (bufsz)
        buf[out < bufsz ? out : bufsz - 1] = '\0';
    *tlen = out;
    *end = i;
    *pos = i;
    return 1;
}

char *fold_text(const char *s, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    size_t pos = 0, st, en, tl;
    size_t cap = 4 * n + 1;
    char *tok = malloc(cap);
    if (!tok)
        return NULL;
    int first = 1;
    while (fold_next_word(s, n, &pos, tok, cap, &tl, &st, &en)) {
        if ((!first && strbuf_add(&sb, " ", 1) < 0) ||
            strbuf_add(&sb, tok, tl) < 0) {
            free(tok);
            strbuf_release(&sb);
            return NULL;
        }
        first = 0;
    }
    free(tok);
    return strbuf_detach(&sb, NULL);
}
