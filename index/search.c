/*
 * search.c - ranked search with snippets.
 *
 *   idx_fts_query   user query -> FTS5 query
 *   idx_search      run a query, ranked by bm25
 *   idx_hits_free
 */
#include "search.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "meta.h"

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

/* YYYY, YYYY-MM or YYYY-MM-DD, completed to the first or last day */
static int date_bound(const char *s, int last, char out[11])
{
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return -1;
    if ((n >= 7 && (atoi(s + 5) < 1 || atoi(s + 5) > 12)) ||
        (n == 10 && (atoi(s + 8) < 1 || atoi(s + 8) > 31)))
        return -1;
    const char *tail = n == 4 ? (last ? "-12-31" : "-01-01")
                     : n == 7 ? (last ? "-31" : "-01") : "";
    memcpy(out, s, n);
    memcpy(out + n, tail, strlen(tail) + 1);
    return 0;
}

struct filters {
    char *type, *agency, *num, *nota;
    char from[11], to[11];
    struct strbuf sql;
};

static void filters_release(struct filters *f)
{
    free(f->type);
    free(f->agency);
    free(f->num);
    free(f->nota);
    strbuf_release(&f->sql);
}

#define HAS_META(cond) " AND EXISTS(SELECT 1 FROM meta m WHERE m.document_id = d.id AND " cond ")"

/* the WHERE conditions on d (a document) for the query's filters */
static enum sohoa_err build_filters(struct db *db, const struct idx_query *q,
                                    struct filters *f)
{
    memset(f, 0, sizeof *f);
    if (q->type && *q->type) {
        f->type = fold_text(q->type, strlen(q->type));
        strbuf_adds(&f->sql, HAS_META("m.field IN ('type', 'type_code') AND m.vfold = :type"));
    }
    if (q->date_from && *q->date_from) {
        if (date_bound(q->date_from, 0, f->from) < 0)
            goto bad_date;
        strbuf_adds(&f->sql, HAS_META("m.field = 'date' AND m.value >= :from"));
    }
    if (q->date_to && *q->date_to) {
        if (date_bound(q->date_to, 1, f->to) < 0)
            goto bad_date;
        strbuf_adds(&f->sql, HAS_META("m.field = 'date' AND m.value <= :to"));
    }
    if (q->agency && *q->agency) {
        f->agency = fold_text(q->agency, strlen(q->agency));
        strbuf_adds(&f->sql, HAS_META("m.field IN ('agency', 'parent_agency')"
                                      " AND ' ' || m.vfold || ' ' LIKE '% ' || :agency || ' %'"));
    }
    if (q->number && *q->number) {
        if (strchr(q->number, '/')) {
            if (meta_split_number(q->number, &f->num, &f->nota) < 0 || !*f->num) {
                snprintf(db->err, sizeof db->err, "--number wants NUMBER/NOTATION"
                         " (189/QĐ-UBND) or a number, not '%s'", q->number);
                return SOHOA_EINVAL;
            }
            char *nf = fold_text(f->nota, strlen(f->nota));
            free(f->nota);
            f->nota = nf;
            strbuf_adds(&f->sql, HAS_META("m.field = 'notation' AND m.vfold = :nota"));
        } else {
            f->num = strdup(q->number);
            for (const char *c = q->number; *c; c++)
                if (!isdigit((unsigned char)*c)) {
                    snprintf(db->err, sizeof db->err, "--number wants NUMBER/NOTATION"
                             " (189/QĐ-UBND) or a number, not '%s'", q->number);
                    return SOHOA_EINVAL;
                }
        }
        strbuf_adds(&f->sql, HAS_META("m.field = 'number' AND CAST(m.value AS INTEGER)"
                                      " = CAST(:num AS INTEGER)"));
    }
    if ((q->type && !f->type) || (q->agency && !f->agency))
        return SOHOA_ENOMEM;
    return SOHOA_OK;
bad_date:
    snprintf(db->err, sizeof db->err, "a date filter wants YYYY, YYYY-MM or YYYY-MM-DD");
    return SOHOA_EINVAL;
}

static void bind_name(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

enum sohoa_err idx_search(struct db *db, const struct idx_query *q,
                          struct idx_hit **phits, size_t *pn)
{
    struct filters flt;
    enum sohoa_err ferr;
    *phits = NULL;
    *pn = 0;
    if ((ferr = build_filters(db, q, &flt)) != SOHOA_OK) {
        filters_release(&flt);
        return ferr;
    }
    int text = q->text && *q->text;
    char *fts = text ? idx_fts_query(q->text) : NULL;
    if (text ? !fts : !flt.sql.len) {
        snprintf(db->err, sizeof db->err, "the query holds no word to search for");
        filters_release(&flt);
        free(fts);
        return SOHOA_EINVAL;
    }
    sqlite3_stmt *st = NULL;
    struct strbuf sql = STRBUF_INIT;
    if (text)
        strbuf_adds(&sql,
            "SELECT p.id, p.document_id, s.name, d.name, p.seq,"
            " snippet(page_fts, 0, :open, :close, '…', 14), bm25(page_fts)"
            " FROM page_fts JOIN page p ON p.id = page_fts.rowid"
            " JOIN document d ON d.id = p.document_id"
            " JOIN dossier s ON s.id = d.dossier_id"
            " WHERE page_fts MATCH :fts AND p.state = 'done'");
    else
        strbuf_adds(&sql,
            "SELECT (SELECT min(p.id) FROM page p WHERE p.document_id = d.id), d.id,"
            " s.name, d.name, 1, coalesce((SELECT m.value FROM meta m WHERE"
            " m.document_id = d.id AND m.field = 'subject'), ''), 0"
            " FROM document d JOIN dossier s ON s.id = d.dossier_id"
            " WHERE d.state = 'done'");
    if (flt.sql.len)
        strbuf_add(&sql, flt.sql.buf, flt.sql.len);
    strbuf_adds(&sql, text ? " ORDER BY bm25(page_fts), p.id LIMIT :limit"
                           : " ORDER BY (SELECT m.value FROM meta m WHERE m.document_id"
                             " = d.id AND m.field = 'date') DESC, d.id LIMIT :limit");
    if (!sql.buf || sqlite3_prepare_v2(db->h, sql.buf, -1, &st, NULL) != SQLITE_OK) {
        snprintf(db->err, sizeof db->err, "search: %s", sqlite3_errmsg(db->h));
        free(fts);
        strbuf_release(&sql);
        filters_release(&flt);
        return SOHOA_EDB;
    }
    strbuf_release(&sql);
    bind_name(st, ":fts", fts);
    bind_name(st, ":open", q->mark_open ? q->mark_open : "[");
    bind_name(st, ":close", q->mark_close ? q->mark_close : "]");
    bind_name(st, ":type", flt.type);
    bind_name(st, ":from", flt.from);
    bind_name(st, ":to", flt.to);
    bind_name(st, ":agency", flt.agency);
    bind_name(st, ":num", flt.num);
    bind_name(st, ":nota", flt.nota);
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"),
                     q->limit > 0 ? q->limit : 20);
    free(fts);
    filters_release(&flt);
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
