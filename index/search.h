/*
 * search.h - full-text search over recognised pages, ignoring case and
 * Vietnamese diacritics ("quyet dinh" finds "Quyết định").
 */
#ifndef SOHOA_SEARCH_H
#define SOHOA_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "util.h"

struct idx_hit {
    int64_t page_id;
    int64_t document_id;
    char *dossier;
    char *document;
    int page;
    char *snippet;      /* matches wrapped in the requested marks */
    double score;       /* bm25: lower is better */
};

struct idx_query {
    const char *text;       /* what the user typed */
    int limit;              /* max hits, default 20 */
    const char *mark_open;  /* default "[" */
    const char *mark_close; /* default "]" */
    /* metadata filters (NULL: none); with a filter the text may be empty,
     * and then every matching document is listed, newest first */
    const char *type;       /* "quyết định", "QĐ": type or type code */
    const char *date_from;  /* issue date from, YYYY[-MM[-DD]] */
    const char *date_to;    /* issue date to, YYYY[-MM[-DD]] */
    const char *agency;     /* words of the issuing or parent body */
    const char *number;     /* "189/QĐ-UBND" or "189" */
};

/*
 * Turn what a user typed into an FTS5 query: words are ANDed, "quoted
 * phrases" kept, a trailing * makes a prefix; the phrase of all words
 * is ORed in so that pages holding the words together rank first.
 * Returns NULL if the query holds no word.
 */
char *idx_fts_query(const char *user);

/* with text: pages, best first; without: documents, snippet = subject */
enum sohoa_err idx_search(struct db *db, const struct idx_query *q,
                          struct idx_hit **phits, size_t *pn);
void idx_hits_free(struct idx_hit *hits, size_t n);

#endif
