/*
 * db.c - the SQLite database behind sohoa.
 *
 *   connection:  db_open, db_close, db_errmsg, db_begin, db_commit, db_rollback
 *   batches:     db_batch_begin, db_batch_finish, db_failure_add
 *   documents:   db_document_get, db_document_state, db_document_find,
 *                db_document_pages, db_pages_free
 *   pages:       db_page_prepare, db_page_done, db_page_failed
 *   summary:     db_status_get
 *   search:      db_register_tokenizer (the "sohoa" FTS5 tokenizer)
 */
#include "db.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fold.h"
#include "meta.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS batch(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  source TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  started_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  pages_total INTEGER, pages_done INTEGER, pages_failed INTEGER,\n"
    "  pages_skipped INTEGER,\n"
    "  status TEXT NOT NULL DEFAULT 'running');\n"
    "CREATE TABLE IF NOT EXISTS dossier(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  created_at TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS document(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id),\n"
    "  name TEXT NOT NULL,\n"
    "  batch_id INTEGER REFERENCES batch(id),\n"
    "  page_count INTEGER NOT NULL DEFAULT 0,\n"
    "  state TEXT NOT NULL DEFAULT 'pending'\n"
    "    CHECK(state IN ('pending','done','failed')),\n"
    "  reason TEXT,\n"
    "  pdf_path TEXT, txt_path TEXT, hocr_path TEXT,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  UNIQUE(dossier_id, name));\n"
    "CREATE TABLE IF NOT EXISTS page(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  document_id INTEGER NOT NULL REFERENCES document(id),\n"
    "  seq INTEGER NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  frame INTEGER NOT NULL DEFAULT 0,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  batch_id INTEGER REFERENCES batch(id),\n"
    "  state TEXT NOT NULL DEFAULT 'pending'\n"
    "    CHECK(state IN ('pending','done','failed')),\n"
    "  reason TEXT,\n"
    "  confidence REAL,\n"
    "  nwords INTEGER,\n"
    "  width INTEGER, height INTEGER, dpi INTEGER,\n"
    "  orientation INTEGER, skew REAL,\n"
    "  orient_how TEXT,\n"
    "  origin TEXT,\n"
    "  opens_doc INTEGER NOT NULL DEFAULT 0,\n"
    "  blank INTEGER NOT NULL DEFAULT 0,\n"
    "  low_conf REAL,\n"
    "  text TEXT,\n"
    "  hocr TEXT,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  UNIQUE(document_id, seq));\n"
    "CREATE INDEX IF NOT EXISTS page_sha ON page(sha256);\n"
    "CREATE INDEX IF NOT EXISTS page_state ON page(state);\n"
    "CREATE TABLE IF NOT EXISTS meta(\n"
    "  document_id INTEGER NOT NULL REFERENCES document(id),\n"
    "  field TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  vfold TEXT NOT NULL,\n"
    "  confidence REAL NOT NULL,\n"
    "  source TEXT NOT NULL DEFAULT 'auto' CHECK(source IN ('auto','human')),\n"
    "  updated_at TEXT NOT NULL,\n"
    "  PRIMARY KEY(document_id, field));\n"
    "CREATE INDEX IF NOT EXISTS meta_value ON meta(field, vfold);\n"
    "CREATE TABLE IF NOT EXISTS failure(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  batch_id INTEGER NOT NULL REFERENCES batch(id),\n"
    "  source TEXT NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  at TEXT NOT NULL);\n"
    "CREATE VIRTUAL TABLE IF NOT EXISTS page_fts USING fts5(\n"
    "  text, content='page', content_rowid='id', tokenize='sohoa');\n"
    "CREATE TRIGGER IF NOT EXISTS page_fts_ai AFTER INSERT ON page BEGIN\n"
    "  INSERT INTO page_fts(rowid, text) VALUES (new.id, new.text);\n"
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS page_fts_ad AFTER DELETE ON page BEGIN\n"
    "  INSERT INTO page_fts(page_fts, rowid, text) VALUES ('delete', old.id, old.text);\n"
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS page_fts_au AFTER UPDATE OF text ON page BEGIN\n"
    "  INSERT INTO page_fts(page_fts, rowid, text) VALUES ('delete', old.id, old.text);\n"
    "  INSERT INTO page_fts(rowid, text) VALUES (new.id, new.text);\n"
    "END;\n";

/* ---- the FTS5 tokenizer: words folded by fold_next_word ---- */

struct sohoa_tok {
    int unused;
};

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **pp)
{
    struct sohoa_tok *t = sqlite3_malloc(sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    t->unused = 0;
    *pp = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
    sqlite3_free(p);
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text,
                        int ntext,
                        int (*xtoken)(void *, int, const char *, int, int, int))
{
    char buf[256];
    size_t pos = 0, tl, st, en;
    if (ntext <= 0)
        return SQLITE_OK;
    while (fold_next_word(text, (size_t)ntext, &pos, buf, sizeof buf, &tl, &st, &en)) {
        if (tl == 0)
            continue;
        if (tl >= sizeof buf)
            tl = sizeof buf - 1;
        int rc = xtoken(ctx, 0, buf, (int)tl, (int)st, (int)en);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

int db_register_tokenizer(sqlite3 *h)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return -1;
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    return api->xCreateTokenizer(api, "sohoa", NULL, &tok, NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- helpers ---- */

static enum sohoa_err fail(struct db *db, const char *what)
{
    int code = sqlite3_errcode(db->h);
    if (code == SQLITE_FULL)
        snprintf(db->err, sizeof db->err, "%s: no space left on device (database)", what);
    else
        snprintf(db->err, sizeof db->err, "%s: %s", what, sqlite3_errmsg(db->h));
    return code == SQLITE_FULL ? SOHOA_EFULL : SOHOA_EDB;
}

/*
 * Prepare sql, bind arguments described by types ('i' int64, 'I' int,
 * 't' text or NULL, 'd' double) and return the statement.
 */
static sqlite3_stmt *prep(struct db *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->h));
        return NULL;
    }
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types && types[i]; i++) {
        switch (types[i]) {
        case 'i': sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t)); break;
        case 'I': sqlite3_bind_int(st, i + 1, va_arg(ap, int)); break;
        case 'd': sqlite3_bind_double(st, i + 1, va_arg(ap, double)); break;
        case 't': {
            const char *s = va_arg(ap, const char *);
            if (s)
                sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i + 1);
            break;
        }
        }
    }
    va_end(ap);
    return st;
}

static enum sohoa_err step_done(struct db *db, sqlite3_stmt *st, const char *what)
{
    if (!st)
        return fail(db, what);
    int rc = sqlite3_step(st);
    enum sohoa_err e = SOHOA_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(db, what);
    sqlite3_finalize(st);
    return e;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

/* ---- connection ---- */

enum sohoa_err db_open(const char *path, int readonly, struct db **pdb)
{
    struct db *db = calloc(1, sizeof *db);
    *pdb = NULL;
    if (!db)
        return SOHOA_ENOMEM;
    int flags = readonly ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        snprintf(db->err, sizeof db->err, "cannot open database '%s': %s", path,
                 db->h ? sqlite3_errmsg(db->h) : "out of memory");
        *pdb = db;
        return SOHOA_EDB;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 0);
    if (db_register_tokenizer(db->h) < 0) {
        snprintf(db->err, sizeof db->err, "SQLite has no FTS5 support");
        *pdb = db;
        return SOHOA_EDB;
    }
    /* a database of this version needs no writing to open: so a full
     * disk still lets 'sohoa check' and searches in */
    int version = -1;
    {
        sqlite3_stmt *vs = NULL;
        if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &vs, NULL) == SQLITE_OK &&
            sqlite3_step(vs) == SQLITE_ROW)
            version = sqlite3_column_int(vs, 0);
        sqlite3_finalize(vs);
    }
    if (!readonly && version == DB_SCHEMA_VERSION) {
        char *msg = NULL;
        if (sqlite3_exec(db->h, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                         NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(db->err, sizeof db->err, "cannot set up database '%s': %s", path,
                     msg ? msg : sqlite3_errmsg(db->h));
            sqlite3_free(msg);
            *pdb = db;
            return SOHOA_EDB;
        }
    } else if (!readonly) {
        char *msg = NULL;
        if (sqlite3_exec(db->h,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "PRAGMA foreign_keys=ON;",
                         NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(db->err, sizeof db->err, "cannot set up database '%s': %s", path,
                     msg ? msg : sqlite3_errmsg(db->h));
            sqlite3_free(msg);
            *pdb = db;
            return SOHOA_EDB;
        }
        int ok = sqlite3_exec(db->h, schema, NULL, NULL, &msg) == SQLITE_OK;
        /* version 2 databases: pages gain their origin */
        if (ok && version >= 1 && version < 3)
            ok = sqlite3_exec(db->h, "ALTER TABLE page ADD COLUMN origin TEXT;"
                              "ALTER TABLE page ADD COLUMN opens_doc INTEGER NOT NULL"
                              " DEFAULT 0", NULL, NULL, &msg) == SQLITE_OK;
        if (ok) {
            char pragma[64];
            snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", DB_SCHEMA_VERSION);
            ok = sqlite3_exec(db->h, pragma, NULL, NULL, &msg) == SQLITE_OK;
        }
        if (!ok || sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(db->err, sizeof db->err, "cannot create tables in '%s': %s", path,
                     msg ? msg : sqlite3_errmsg(db->h));
            sqlite3_free(msg);
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
            *pdb = db;
            return SOHOA_EDB;
        }
    } else {
        sqlite3_exec(db->h, "PRAGMA query_only=ON", NULL, NULL, NULL);
    }
    *pdb = db;
    return SOHOA_OK;
}

void db_close(struct db **pdb)
{
    struct db *db = pdb ? *pdb : NULL;
    if (!db)
        return;
    if (db->h)
        sqlite3_close_v2(db->h);
    free(db);
    *pdb = NULL;
}

const char *db_errmsg(const struct db *db)
{
    return db ? db->err : "out of memory";
}

enum sohoa_err db_begin(struct db *db)
{
    return sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
               ? SOHOA_OK : fail(db, "begin");
}

enum sohoa_err db_commit(struct db *db)
{
    return sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
               ? SOHOA_OK : fail(db, "commit");
}

void db_rollback(struct db *db)
{
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- batches ---- */

enum sohoa_err db_batch_begin(struct db *db, const char *source, const char *name,
                              int64_t *pid)
{
    /* runs still "running" were stopped (the caller holds the run lock) */
    enum sohoa_err e = step_done(db, prep(db, "UPDATE batch SET status = 'interrupted'"
                                              " WHERE status = 'running'", NULL),
                                 "record interrupted runs");
    if (e)
        return e;
    char now[32];
    util_now_iso(now, sizeof now);
    e = step_done(db, prep(db,
        "INSERT INTO batch(source, name, started_at) VALUES (?,?,?)",
        "ttt", source, name, now), "record batch");
    *pid = e ? 0 : sqlite3_last_insert_rowid(db->h);
    return e;
}

enum sohoa_err db_batch_finish(struct db *db, int64_t id, int pages_total, int done,
                               int failed, int skipped, const char *status)
{
    char now[32];
    util_now_iso(now, sizeof now);
    return step_done(db, prep(db,
        "UPDATE batch SET finished_at=?, pages_total=?, pages_done=?, pages_failed=?,"
        " pages_skipped=?, status=? WHERE id=?",
        "tIIIIti", now, pages_total, done, failed, skipped, status, id),
        "finish batch");
}

enum sohoa_err db_failure_add(struct db *db, int64_t batch_id, const char *source,
                              const char *reason)
{
    char now[32];
    util_now_iso(now, sizeof now);
    return step_done(db, prep(db,
        "INSERT INTO failure(batch_id, source, reason, at) VALUES (?,?,?,?)",
        "itt" "t", batch_id, source, reason, now), "record failure");
}

/* ---- documents ---- */

enum sohoa_err db_document_get(struct db *db, int64_t batch_id, const char *dossier,
                               const char *name, int npages, int64_t *pdoc)
{
    char now[32];
    enum sohoa_err e;
    util_now_iso(now, sizeof now);
    *pdoc = 0;
    e = step_done(db, prep(db,
        "INSERT INTO dossier(name, created_at) VALUES (?,?) ON CONFLICT(name) DO NOTHING",
        "tt", dossier, now), "record dossier");
    if (e)
        return e;
    e = step_done(db, prep(db,
        "INSERT INTO document(dossier_id, name, batch_id, page_count, updated_at)"
        " SELECT id, ?, ?, ?, ? FROM dossier WHERE name=?"
        " ON CONFLICT(dossier_id, name) DO UPDATE SET batch_id=excluded.batch_id,"
        " page_count=excluded.page_count, updated_at=excluded.updated_at",
        "tiItt", name, batch_id, npages, now, dossier), "record document");
    if (e)
        return e;
    sqlite3_stmt *st = prep(db,
        "SELECT d.id FROM document d JOIN dossier s ON s.id=d.dossier_id"
        " WHERE s.name=? AND d.name=?", "tt", dossier, name);
    if (!st)
        return fail(db, "find document");
    if (sqlite3_step(st) == SQLITE_ROW)
        *pdoc = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!*pdoc)
        return fail(db, "find document");
    /* pages beyond the new count belong to an older version of the file */
    return step_done(db, prep(db, "DELETE FROM page WHERE document_id=? AND seq>?",
                              "iI", *pdoc, npages), "trim pages");
}

enum sohoa_err db_document_state(struct db *db, int64_t doc, const char *state,
                                 const char *reason, const char *pdf,
                                 const char *txt, const char *hocr)
{
    char now[32];
    util_now_iso(now, sizeof now);
    return step_done(db, prep(db,
        "UPDATE document SET state=?, reason=?, pdf_path=?, txt_path=?, hocr_path=?,"
        " updated_at=? WHERE id=?",
        "ttttt" "ti", state, reason, pdf, txt, hocr, now, doc), "update document");
}

enum sohoa_err db_document_find(struct db *db, const char *spec, int64_t *pdoc)
{
    sqlite3_stmt *st;
    const char *slash = strchr(spec, '/');
    *pdoc = 0;
    /* "#12" is always an id; a bare number is an id unless a document
     * has that name (scanners like numbered folders) */
    const char *num = spec[0] == '#' ? spec + 1 : spec;
    char *end = NULL;
    long long id = strtoll(num, &end, 10);
    int numeric = end && *end == '\0' && end != num && *num >= '0' && *num <= '9';
    if (numeric && spec[0] != '#') {
        st = prep(db, "SELECT count(*) FROM document WHERE name=?", "t", spec);
        if (!st)
            return fail(db, "find document");
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
            numeric = 0;
        sqlite3_finalize(st);
    }
    if (numeric) {
        st = prep(db, "SELECT id FROM document WHERE id=?", "i", (int64_t)id);
    } else if (slash) {
        char *dossier = strndup(spec, (size_t)(slash - spec));
        if (!dossier)
            return SOHOA_ENOMEM;
        st = prep(db, "SELECT d.id FROM document d JOIN dossier s ON s.id=d.dossier_id"
                  " WHERE s.name=? AND d.name=?", "tt", dossier, slash + 1);
        free(dossier);
    } else {
        st = prep(db, "SELECT id FROM document WHERE name=? ORDER BY id", "t", spec);
    }
    if (!st)
        return fail(db, "find document");
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            *pdoc = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (n == 0) {
        snprintf(db->err, sizeof db->err, "no document '%s'", spec);
        return SOHOA_ENOENT;
    }
    if (n > 1) {
        snprintf(db->err, sizeof db->err,
                 "'%s' names %d documents: use DOSSIER/DOCUMENT or #ID", spec, n);
        *pdoc = 0;
        return SOHOA_EINVAL;
    }
    return SOHOA_OK;
}

enum sohoa_err db_document_pages(struct db *db, int64_t doc, int with_text,
                                 struct db_page **ppages, size_t *pn)
{
    *ppages = NULL;
    *pn = 0;
    sqlite3_stmt *st = prep(db,
        with_text
            ? "SELECT id, seq, state, source, reason, confidence, text, hocr FROM page"
              " WHERE document_id=? ORDER BY seq"
            : "SELECT id, seq, state, source, reason, confidence, NULL, NULL FROM page"
              " WHERE document_id=? ORDER BY seq",
        "i", doc);
    if (!st)
        return fail(db, "list pages");
    size_t cap = 0, n = 0;
    struct db_page *p = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            void *np = realloc(p, cap * sizeof *p);
            if (!np) {
                sqlite3_finalize(st);
                db_pages_free(p, n);
                return SOHOA_ENOMEM;
            }
            p = np;
        }
        struct db_page *q = &p[n++];
        memset(q, 0, sizeof *q);
        q->id = sqlite3_column_int64(st, 0);
        q->seq = sqlite3_column_int(st, 1);
        snprintf(q->state, sizeof q->state, "%s",
                 (const char *)sqlite3_column_text(st, 2));
        q->source = col_dup(st, 3);
        q->reason = col_dup(st, 4);
        q->confidence = sqlite3_column_double(st, 5);
        q->text = col_dup(st, 6);
        q->hocr = col_dup(st, 7);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_pages_free(p, n);
        return fail(db, "list pages");
    }
    *ppages = p;
    *pn = n;
    return SOHOA_OK;
}

void db_pages_free(struct db_page *pages, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pages[i].source);
        free(pages[i].reason);
        free(pages[i].text);
        free(pages[i].hocr);
    }
    free(pages);
}

/* ---- pages ---- */

enum sohoa_err db_page_prepare(struct db *db, int64_t doc, int seq, const char *source,
                               int frame, const char *sha256, int64_t batch_id,
                               int64_t *ppage, int *done)
{
    char now[32];
    util_now_iso(now, sizeof now);
    *ppage = 0;
    *done = 0;
    sqlite3_stmt *st = prep(db, "SELECT id, sha256, state FROM page"
                                " WHERE document_id=? AND seq=?", "iI", doc, seq);
    if (!st)
        return fail(db, "find page");
    int found = 0, same = 0, isdone = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = 1;
        *ppage = sqlite3_column_int64(st, 0);
        same = strcmp((const char *)sqlite3_column_text(st, 1), sha256) == 0;
        isdone = strcmp((const char *)sqlite3_column_text(st, 2), "done") == 0;
    }
    sqlite3_finalize(st);
    if (found && same && isdone) {
        *done = 1;
        return SOHOA_OK;
    }
    if (found) {
        return step_done(db, prep(db,
            "UPDATE page SET source=?, frame=?, sha256=?, batch_id=?, state='pending',"
            " reason=NULL, text=NULL, hocr=NULL, confidence=NULL, updated_at=?"
            " WHERE id=?", "tItit" "i", source, frame, sha256, batch_id, now, *ppage),
            "reset page");
    }
    enum sohoa_err e = step_done(db, prep(db,
        "INSERT INTO page(document_id, seq, source, frame, sha256, batch_id, updated_at)"
        " VALUES (?,?,?,?,?,?,?)", "iItItit", doc, seq, source, frame, sha256,
        batch_id, now), "record page");
    if (!e)
        *ppage = sqlite3_last_insert_rowid(db->h);
    return e;
}

enum sohoa_err db_page_done(struct db *db, int64_t page, const struct db_page_result *r)
{
    char now[32];
    util_now_iso(now, sizeof now);
    return step_done(db, prep(db,
        "UPDATE page SET state='done', reason=NULL, text=?, hocr=?, confidence=?,"
        " nwords=?, width=?, height=?, dpi=?, orientation=?, skew=?, blank=?,"
        " low_conf=?, orient_how=?, origin=?, opens_doc=?, updated_at=? WHERE id=?",
        "ttdIIIIIdIdttIti", r->text, r->hocr, (double)r->confidence, r->nwords, r->width,
        r->height, r->dpi, r->orientation, (double)r->skew, r->blank,
        (double)r->low_conf, r->orient_how, r->origin, r->opens_doc, now, page),
        "record page result");
}

enum sohoa_err db_page_failed(struct db *db, int64_t page, const char *reason)
{
    char now[32];
    util_now_iso(now, sizeof now);
    return step_done(db, prep(db,
        "UPDATE page SET state='failed', reason=?, text=NULL, hocr=NULL, updated_at=?"
        " WHERE id=?", "tti", reason, now, page), "record page failure");
}

/* ---- summary ---- */

static int64_t count(struct db *db, const char *sql)
{
    sqlite3_stmt *st = prep(db, sql, NULL);
    int64_t n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

enum sohoa_err db_status_get(struct db *db, struct db_status *s)
{
    memset(s, 0, sizeof *s);
    s->batches = count(db, "SELECT count(*) FROM batch");
    s->dossiers = count(db, "SELECT count(*) FROM dossier");
    s->documents = count(db, "SELECT count(*) FROM document");
    s->docs_done = count(db, "SELECT count(*) FROM document WHERE state='done'");
    s->docs_failed = count(db, "SELECT count(*) FROM document WHERE state='failed'");
    s->docs_pending = count(db, "SELECT count(*) FROM document WHERE state='pending'");
    s->pages_done = count(db, "SELECT count(*) FROM page WHERE state='done'");
    s->pages_failed = count(db, "SELECT count(*) FROM page WHERE state='failed'");
    s->pages_pending = count(db, "SELECT count(*) FROM page WHERE state='pending'");
    s->pages_blank = count(db, "SELECT count(*) FROM page WHERE state='done' AND blank");
    {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM page WHERE state='done' AND NOT blank"
                 " AND (confidence < %f OR low_conf >= %f OR opens_doc)", DB_REVIEW_CONF,
                 DB_REVIEW_LOW_SHARE);
        s->pages_review = count(db, sql);
    }
    s->failures = count(db, "SELECT count(*) FROM failure f WHERE f.batch_id IN"
                            " (SELECT max(id) FROM batch GROUP BY source)");
    if (s->batches < 0 || s->pages_done < 0)
        return fail(db, "status");
    return SOHOA_OK;
}

enum sohoa_err db_each_failed(struct db *db, db_failed_fn fn, void *ctx)
{
    sqlite3_stmt *st = prep(db,
        "SELECT s.name || '/' || d.name, p.seq, p.source, p.reason FROM page p"
        " JOIN document d ON d.id=p.document_id JOIN dossier s ON s.id=d.dossier_id"
        " WHERE p.state='failed' ORDER BY s.name, d.name, p.seq", NULL);
    if (!st)
        return fail(db, "list failed pages");
    while (sqlite3_step(st) == SQLITE_ROW)
        fn(ctx, "page", (const char *)sqlite3_column_text(st, 0),
           sqlite3_column_int(st, 1), (const char *)sqlite3_column_text(st, 2),
           (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    st = prep(db,
        "SELECT b.name, f.source, f.reason FROM failure f JOIN batch b ON b.id=f.batch_id"
        " WHERE f.batch_id IN (SELECT max(id) FROM batch GROUP BY source)"
        " ORDER BY f.id", NULL);
    if (!st)
        return fail(db, "list refused entries");
    while (sqlite3_step(st) == SQLITE_ROW)
        fn(ctx, "entry", (const char *)sqlite3_column_text(st, 0), 0,
           (const char *)sqlite3_column_text(st, 1),
           (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    return SOHOA_OK;
}

enum sohoa_err db_review_pages(struct db *db, int limit, db_review_fn fn, void *ctx)
{
    sqlite3_stmt *st = prep(db,
        "SELECT p.id, s.name, d.name, p.source, coalesce(p.orient_how, ''), p.seq,"
        " coalesce(p.orientation, 0), coalesce(p.nwords, 0), coalesce(p.confidence, 0),"
        " coalesce(p.low_conf, 0), coalesce(p.skew, 0), p.opens_doc FROM page p"
        " JOIN document d ON d.id=p.document_id JOIN dossier s ON s.id=d.dossier_id"
        " WHERE p.state='done' AND NOT p.blank"
        " AND (p.confidence < ? OR p.low_conf >= ? OR p.opens_doc)"
        " ORDER BY p.opens_doc DESC, p.low_conf DESC, p.confidence ASC, p.id LIMIT ?",
        "ddI", DB_REVIEW_CONF, DB_REVIEW_LOW_SHARE, limit > 0 ? limit : -1);
    if (!st)
        return fail(db, "list pages for review");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct db_review_row row = {
            sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), sqlite3_column_int(st, 5),
            sqlite3_column_int(st, 6), sqlite3_column_int(st, 7),
            sqlite3_column_double(st, 8), sqlite3_column_double(st, 9),
            sqlite3_column_double(st, 10), sqlite3_column_int(st, 11)};
        fn(ctx, &row);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SOHOA_OK : fail(db, "list pages for review");
}

/* ---- metadata ---- */

static enum sohoa_err meta_put(struct db *db, int64_t doc, const char *field,
                               const char *value, double conf, const char *source,
                               const char *now)
{
    char *vf = fold_text(value, strlen(value));
    if (!vf)
        return SOHOA_ENOMEM;
    /* a person's value is never replaced by the extractor's */
    sqlite3_stmt *st = prep(db,
        "INSERT INTO meta(document_id, field, value, vfold, confidence, source, updated_at)"
        " VALUES (?,?,?,?,?,?,?) ON CONFLICT(document_id, field) DO UPDATE SET"
        " value=excluded.value, vfold=excluded.vfold, confidence=excluded.confidence,"
        " source=excluded.source, updated_at=excluded.updated_at"
        " WHERE meta.source = 'auto' OR excluded.source = 'human'",
        "itttdtt", doc, field, value, vf, conf, source, now);
    free(vf);
    return step_done(db, st, "store metadata");
}

enum sohoa_err db_meta_store(struct db *db, int64_t doc, const struct meta *m)
{
    char now[32];
    enum sohoa_err err;
    util_now_iso(now, sizeof now);
    if ((err = db_begin(db)))
        return err;
    /* what the extractor no longer finds goes; a person's values stay */
    err = step_done(db, prep(db, "DELETE FROM meta WHERE document_id=? AND source='auto'",
                             "i", doc), "store metadata");
    for (int f = 0; !err && f < META_NFIELDS; f++)
        if (m->f[f].value)
            err = meta_put(db, doc, meta_field_name(f), m->f[f].value, m->f[f].conf,
                           "auto", now);
    if (err) {
        db_rollback(db);
        return err;
    }
    return db_commit(db);
}

enum sohoa_err db_meta_set(struct db *db, int64_t doc, const char *field, const char *value)
{
    char now[32];
    util_now_iso(now, sizeof now);
    if (!value || !*value)
        return step_done(db, prep(db, "DELETE FROM meta WHERE document_id=? AND field=?",
                                  "it", doc, field), "clear metadata");
    return meta_put(db, doc, field, value, 1.0, "human", now);
}

enum sohoa_err db_meta_get(struct db *db, int64_t doc, struct db_meta_row **prows,
                           size_t *pn)
{
    sqlite3_stmt *st = prep(db, "SELECT field, value, confidence, source FROM meta"
                                " WHERE document_id=?", "i", doc);
    struct db_meta_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    *prows = NULL;
    *pn = 0;
    if (!st)
        return fail(db, "read metadata");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            void *nr = realloc(rows, cap * sizeof *rows);
            if (!nr) {
                sqlite3_finalize(st);
                db_meta_rows_free(rows, n);
                return SOHOA_ENOMEM;
            }
            rows = nr;
        }
        rows[n].field = col_dup(st, 0);
        rows[n].value = col_dup(st, 1);
        rows[n].confidence = sqlite3_column_double(st, 2);
        rows[n].human = strcmp((const char *)sqlite3_column_text(st, 3), "human") == 0;
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_meta_rows_free(rows, n);
        return fail(db, "read metadata");
    }
    *prows = rows;
    *pn = n;
    return SOHOA_OK;
}

void db_meta_rows_free(struct db_meta_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].field);
        free(rows[i].value);
    }
    free(rows);
}

enum sohoa_err db_review_documents(struct db *db, int limit, db_review_doc_fn fn, void *ctx)
{
    /* flagged: found but doubtful, or a document without a type or date */
    sqlite3_stmt *st = prep(db,
        "SELECT d.id, s.name, d.name,"
        " (SELECT group_concat(field, ' ') FROM meta m WHERE m.document_id=d.id"
        "   AND m.source='auto' AND m.confidence < ?1),"
        " (SELECT min(confidence) FROM meta m WHERE m.document_id=d.id AND m.source='auto'),"
        " (SELECT count(*) FROM meta m WHERE m.document_id=d.id AND m.field='type'),"
        " (SELECT count(*) FROM meta m WHERE m.document_id=d.id AND m.field='date')"
        " FROM document d JOIN dossier s ON s.id=d.dossier_id WHERE d.state='done'"
        " ORDER BY 5 ASC, d.id",
        "d", (double)META_REVIEW);
    if (!st)
        return fail(db, "list documents for review");
    int rc, shown = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *flagged = (const char *)sqlite3_column_text(st, 3);
        int has_type = sqlite3_column_int(st, 5), has_date = sqlite3_column_int(st, 6);
        if (!flagged && has_type && has_date)
            continue;
        struct strbuf why = STRBUF_INIT;
        if (flagged)
            strbuf_adds(&why, flagged);
        if (!has_type)
            strbuf_adds(&why, why.len ? " type(missing)" : "type(missing)");
        if (!has_date)
            strbuf_adds(&why, why.len ? " date(missing)" : "date(missing)");
        struct db_review_doc row = {sqlite3_column_int64(st, 0),
                                    (const char *)sqlite3_column_text(st, 1),
                                    (const char *)sqlite3_column_text(st, 2),
                                    why.buf ? why.buf : ""};
        fn(ctx, &row);
        strbuf_release(&why);
        if (limit > 0 && ++shown >= limit)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SOHOA_OK
                                                 : fail(db, "list documents for review");
}

enum sohoa_err db_documents_done(struct db *db, int64_t **pids, size_t *pn)
{
    sqlite3_stmt *st = prep(db, "SELECT id FROM document WHERE state='done' ORDER BY id",
                            NULL);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    *pids = NULL;
    *pn = 0;
    if (!st)
        return fail(db, "list documents");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void *ni = realloc(ids, cap * sizeof *ids);
            if (!ni) {
                free(ids);
                sqlite3_finalize(st);
                return SOHOA_ENOMEM;
            }
            ids = ni;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(ids);
        return fail(db, "list documents");
    }
    *pids = ids;
    *pn = n;
    return SOHOA_OK;
}

enum sohoa_err db_document_info(struct db *db, int64_t doc, struct db_doc_info *info)
{
    memset(info, 0, sizeof *info);
    sqlite3_stmt *st = prep(db,
        "SELECT s.name, d.name, d.page_count, d.state, coalesce(d.pdf_path, ''),"
        " (SELECT count(*) FROM page p WHERE p.document_id=d.id AND p.blank)"
        " FROM document d JOIN dossier s ON s.id=d.dossier_id WHERE d.id=?", "i", doc);
    if (!st)
        return fail(db, "read document");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        info->id = doc;
        info->dossier = col_dup(st, 0);
        info->name = col_dup(st, 1);
        info->pages = sqlite3_column_int(st, 2);
        snprintf(info->state, sizeof info->state, "%s", sqlite3_column_text(st, 3));
        info->pdf = col_dup(st, 4);
        info->blank_pages = sqlite3_column_int(st, 5);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        snprintf(db->err, sizeof db->err, "no document #%lld", (long long)doc);
        return SOHOA_ENOENT;
    }
    if (rc != SQLITE_ROW)
        return fail(db, "read document");
    if (!info->dossier || !info->name || !info->pdf) {
        db_document_info_release(info);
        return SOHOA_ENOMEM;
    }
    return SOHOA_OK;
}

void db_document_info_release(struct db_doc_info *info)
{
    free(info->dossier);
    free(info->name);
    free(info->pdf);
    memset(info, 0, sizeof *info);
}

/* ---- consistency ---- */

static int file_missing(const char *path)
{
    struct stat st;
    return !path || !*path || stat(path, &st) != 0 || !S_ISREG(st.st_mode);
}

enum sohoa_err db_check(struct db *db, const char *data_dir, int repair, db_problem_fn fn,
                        void *ctx, struct db_check_counts *counts)
{
    sqlite3_stmt *st;
    int rc;
    char msg[1024];

    memset(counts, 0, sizeof *counts);
    /* the file itself */
    if (!(st = prep(db, "PRAGMA integrity_check", NULL)))
        return fail(db, "check database");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (r && strcmp(r, "ok") != 0) {
            snprintf(msg, sizeof msg, "database: %s", r);
            fn(ctx, msg);
            counts->problems++;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "check database");
    /* the full-text index against the page texts */
    if (sqlite3_exec(db->h, "INSERT INTO page_fts(page_fts) VALUES('integrity-check')",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "search index: %s", sqlite3_errmsg(db->h));
        if (repair && sqlite3_exec(db->h, "INSERT INTO page_fts(page_fts) VALUES('rebuild')",
                                   NULL, NULL, NULL) == SQLITE_OK) {
            strncat(msg, ": rebuilt", sizeof msg - strlen(msg) - 1);
            fn(ctx, msg);
        } else {
            strncat(msg, repair ? ": cannot rebuild it" : " (sohoa check --repair rebuilds it)",
                    sizeof msg - strlen(msg) - 1);
            fn(ctx, msg);
            counts->problems++;
        }
    }
    /* pages: done ones have their text; done pages of unfinished
     * documents have their part file, so the document can be finished */
    if (!(st = prep(db,
                    "SELECT p.id, s.name || '/' || d.name, p.seq, p.text IS NULL, d.state"
                    " FROM page p JOIN document d ON d.id = p.document_id"
                    " JOIN dossier s ON s.id = d.dossier_id WHERE p.state = 'done'", NULL)))
        return fail(db, "check pages");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        counts->pages++;
        const char *where = (const char *)sqlite3_column_text(st, 1);
        int seq = sqlite3_column_int(st, 2);
        if (sqlite3_column_int(st, 3)) {
            snprintf(msg, sizeof msg, "%s page %d: done but without text", where, seq);
            fn(ctx, msg);
            counts->problems++;
        }
        if (strcmp((const char *)sqlite3_column_text(st, 4), "done") != 0) {
            char name[64], *part;
            snprintf(name, sizeof name, "work/pages/%lld.part",
                     (long long)sqlite3_column_int64(st, 0));
            part = util_path_join(data_dir, name);
            if (file_missing(part)) {
                snprintf(msg, sizeof msg, "%s page %d: done but its page file %s is"
                         " missing", where, seq, part ? part : name);
                fn(ctx, msg);
                counts->problems++;
            }
            free(part);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "check pages");
    /* documents whose pages are all done but that were never finished (a
     * run stopped in between): the next run of their batch finishes them */
    if (!(st = prep(db,
                    "SELECT s.name || '/' || d.name FROM document d"
                    " JOIN dossier s ON s.id = d.dossier_id WHERE d.state != 'done'"
                    " AND d.page_count > 0 AND d.page_count = (SELECT count(*) FROM page p"
                    " WHERE p.document_id = d.id AND p.state = 'done')", NULL)))
        return fail(db, "check documents");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(msg, sizeof msg, "%s: every page done but the document not finished"
                 " (running its batch again finishes it)", sqlite3_column_text(st, 0));
        fn(ctx, msg);
        counts->problems++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "check documents");
    /* documents: done ones have all their pages done and their files */
    if (!(st = prep(db,
                    "SELECT s.name || '/' || d.name, d.page_count,"
                    " (SELECT count(*) FROM page p WHERE p.document_id = d.id"
                    "  AND p.state = 'done'), d.pdf_path, d.txt_path, d.hocr_path"
                    " FROM document d JOIN dossier s ON s.id = d.dossier_id"
                    " WHERE d.state = 'done'", NULL)))
        return fail(db, "check documents");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        counts->documents++;
        const char *where = (const char *)sqlite3_column_text(st, 0);
        int want = sqlite3_column_int(st, 1), have = sqlite3_column_int(st, 2);
        if (want != have) {
            snprintf(msg, sizeof msg, "%s: done with %d of its %d pages done", where,
                     have, want);
            fn(ctx, msg);
            counts->problems++;
        }
        for (int k = 3; k <= 5; k++) {
            const char *path = (const char *)sqlite3_column_text(st, k);
            if (file_missing(path)) {
                snprintf(msg, sizeof msg, "%s: output %s is missing (running its batch"
                         " again writes it)", where, path ? path : "(none recorded)");
                fn(ctx, msg);
                counts->problems++;
            }
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "check documents");
    return SOHOA_OK;
}
