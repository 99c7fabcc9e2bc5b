/*
 * search.c - ranked search with snippets.
 *
 *   idx_fts_query   user query -> FTS5 query
 *   idx_search      run a query, ranked by bm25
 *   idx_hits_free
 */
#include "search.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

/* Append the folded words of s[0..n) to sb, space separated; count them. */
static int add_words(struct strbuf *sb, const char *s, size_t n, int *nwords)
{
    size_t pos = 0, tl, st, en;
    char *buf = malloc(n + 1);
    if (!buf)
        return -1;
    while (fold_next_word(s, n, &pos, buf, n + 1, &tl, &st, &en)) {
        if (tl == 0)
            continue;
        if (*nwords > 0 && strbuf_adds(sb, " ") < 0)
            break;
        strbuf_add(sb, buf, tl);
        (*nwords)++;
    }
    free(buf);
    return 0;
}

char *idx_fts_query(const char *user)
{
    struct strbuf q = STRBUF_INIT, all = STRBUF_INIT;
    int nterms = 0, nall = 0;
    const char *p = user;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        const char *start, *end;
        int phrase = 0;
        if (*p == '"') {
            start = ++p;
            while (*p && *p != '"')
                p++;
            end = p;
            if (*p == '"')
                p++;
            phrase = 1;
        } else {
            start = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\n')
                p++;
            end = p;
        }
        int prefix = !phrase && end > start && end[-1] == '*';
        struct strbuf term = STRBUF_INIT;
        int nw = 0;
        add_words(&term, start, (size_t)(end - start), &nw);
        if (nw > 0) {
            if (nterms > 0)
                strbuf_adds(&q, " AND ");
            strbuf_addf(&q, "\"%s\"%s", term.buf, prefix ? " *" : "");
            nterms++;
            if (nall > 0)
                strbuf_adds(&all, " ");
            strbuf_add(&all, term.buf, term.len);
            nall += nw;
        }
        strbuf_release(&term);
    }
    if (nterms == 0) {
        strbuf_release(&q);
        strbuf_release(&all);
        return NULL;
    }
    char *out;
    if (nterms > 1) {
        struct strbuf r = STRBUF_INIT;
        strbuf_addf(&r, "\"%s\" OR (%s)", all.buf, q.buf);
        out = strbuf_detach(&r, NULL);
    } else {
        out = strbuf_detach(&q, NULL);
    }
    strbuf_release(&q);
    strbuf_release(&all);
    return out;
}

enum sohoa_err idx_search(struct db *db, const struct idx_query *q,
                          struct idx_hit **phits, size_t *pn)
{
    *phits = NULL;
    *pn = 0;
    char *fts = idx_fts_query(q->text ? q->text : "");
    if (!fts) {
        snprintf(db->err, sizeof db->err, "the query holds no word to search for");
        return SOHOA_EINVAL;
    }
    sqlite3_stmt *st = NULL;
    const char *sql =
        "SELECT p.id, p.document_id, s.name, d.name, p.seq,"
        " snippet(page_fts, 0, ?2, ?3, '…', 14), bm25(page_fts)"
        " FROM page_fts JOIN page p ON p.id = page_fts.rowid"
        " JOIN document d ON d.id = p.document_id"
        " JOIN dossier s ON s.id = d.dossier_id"
        " WHERE page_fts MATCH ?1 AND p.state = 'done'"
        " ORDER BY bm25(page_fts), p.id LIMIT ?4";
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(db->err, sizeof db->err, "search: %s", sqlite3_errmsg(db->h));
        free(fts);
        return SOHOA_EDB;
    }
    sqlite3_bind_text(st, 1, fts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, q->mark_open ? q->mark_open : "[", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, q->mark_close ? q->mark_close : "]", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, q->limit > 0 ? q->limit : 20);
    free(fts);
    size_t cap = 0, n = 0;
    struct idx_hit *h = NULL;
    int rc;
    enum sohoa_err err = SOHOA_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            void *nh = realloc(h, cap * sizeof *h);
            if (!nh) {
                err = SOHOA_ENOMEM;
                break;
            }
            h = nh;
        }
        struct idx_hit *x = &h[n++];
        x->page_id = sqlite3_column_int64(st, 0);
        x->document_id = sqlite3_column_int64(st, 1);
        x->dossier = strdup((const char *)sqlite3_column_text(st, 2));
        x->document = strdup((const char *)sqlite3_column_text(st, 3));
        x->page = sqlite3_column_int(st, 4);
        const unsigned char *sn = sqlite3_column_text(st, 5);
        x->snippet = strdup(sn ? (const char *)sn : "");
        x->score = sqlite3_column_double(st, 6);
        /* collapse the page's line breaks in the snippet */
        for (char *c = x->snippet; c && *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\f' || *c == '\t')
                *c = ' ';
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        snprintf(db->err, sizeof db->err, "search: %s", sqlite3_errmsg(db->h));
        err = SOHOA_EDB;
    }
    sqlite3_finalize(st);
    if (err) {
        idx_hits_free(h, n);
        return err;
    }
    *phits = h;
    *pn = n;
    return SOHOA_OK;
}

void idx_hits_free(struct idx_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(hits[i].dossier);
        free(hits[i].document);
        free(hits[i].snippet);
    }
    free(hits);
}
