/*
 * lexicon.h - the marks of administrative words and place names, put back
 * where recognition lost or bent them.
 *
 * Issuing bodies, signer titles and places come from a short vocabulary
 * (NĐ 30/2020 and the names of the provinces): "ỦY BAN NHÂN DÂN TỈNH
 * QUẢNG NGÃI", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC". On real scans the recogniser
 * drops or bends their marks ("CHU TỊCH", "GIÁM ĐÓC", "TINH QUÁẢNG NGAI").
 * A run of words that folds (no case, no marks) to a phrase of the list is
 * written as the phrase, word by word, keeping the case it was printed in.
 * A word whose letters and tone already are the phrase's is left as read,
 * so old placements ("UỶ", "HOÀ") stay as printed.
 *
 * Phrases have two words or more: one word alone ("khoa", "xa") is too
 * ambiguous to mend. One word of five letters or more may have one letter
 * too many after folding ("quaang" for "quang"), never one too few or
 * another ("trong" is not "truong").
 */
#ifndef SOHOA_LEXICON_H
#define SOHOA_LEXICON_H

enum lex_kind {
    LEX_BODY,   /* issuing body and signer title lines, in capitals */
    LEX_PLACE,  /* the place of the date line: "Quảng Ngãi" */
    LEX_NAME,   /* a person's name: the surname ("Trân" -> "Trần") */
};

/*
 * The value with its marks mended: a malloc'd string (a copy of s when
 * nothing changed), or NULL when out of memory. *changed (may be NULL)
 * gets the number of words written anew.
 */
char *lex_restore(const char *s, enum lex_kind kind, int *changed);

/*
 * A page's text with the lines written in capitals (headers, headings,
 * signer blocks) mended as LEX_BODY, appended to out; other lines as they
 * are, every separator kept, so the text splits into the same words.
 * Returns the words written anew, or -1 when out of memory.
 */
struct strbuf;
int lex_restore_capitals(const char *text, struct strbuf *out);

#endif
