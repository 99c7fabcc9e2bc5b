/*
 * db.c - the SQLite database behind sohoa.
 *
 *   connection:  db_open, db_close, db_errmsg, db_begin, db_commit, db_rollback
 *   batches:     db_batch_begin, db_batch_finish, db_failure_add
 *   documents:   db_document_get, db_document_state, db_document_find,
 *                db_document_pages, db_file_pages, db_pages_free
 *   split files: db_split_file, db_split_release, db_document_parts,
 *                db_review_splits
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
    "  split_from INTEGER REFERENCES document(id),\n"
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
    "  file_doc INTEGER REFERENCES document(id),\n"
    "  file_seq INTEGER,\n"
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
    if (readonly && version >= 1 && version < DB_SCHEMA_VERSION) {
        /* an older database read by a newer sohoa (a search right after an
         * upgrade): brought up to date first, as a run would */
        struct db *rw = NULL;
        enum sohoa_err e = db_open(path, 0, &rw);
        if (e) {
            snprintf(db->err, sizeof db->err,
                     "database of version %d, older than this sohoa's %d, cannot be"
                     " brought up to date: %.300s", version, DB_SCHEMA_VERSION,
                     rw ? db_errmsg(rw) : sohoa_strerror(e));
            db_close(&rw);
            *pdb = db;
            return SOHOA_EDB;
        }
        db_close(&rw);
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
        /* version 3 and older: a page remembers the file it came in, so
         * that splitting the file into documents does not lose it */
        if (ok && version >= 1 && version < 4)
            ok = sqlite3_exec(db->h, "ALTER TABLE page ADD COLUMN file_doc INTEGER"
                              " REFERENCES document(id);"
                              "ALTER TABLE page ADD COLUMN file_seq INTEGER;"
                              "ALTER TABLE document ADD COLUMN split_from INTEGER"
                              " REFERENCES document(id);"
                              "UPDATE page SET file_doc = document_id, file_seq = seq"
                              " WHERE file_doc IS NULL", NULL, NULL, &msg) == SQLITE_OK;
        /* after the columns exist in databases of every version */
        if (ok)
            ok = sqlite3_exec(db->h, "CREATE UNIQUE INDEX IF NOT EXISTS page_file"
                              " ON page(file_doc, file_seq);"
                              "CREATE INDEX IF NOT EXISTS document_split"
                              " ON document(split_from)", NULL, NULL, &msg) == SQLITE_OK;
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

/* Put every page of a file back into the file's own document under its
 * own page number. Pages move by way of negative numbers: two pages may
 * swap places, and (document_id, seq) is unique at every step. */
static enum sohoa_err join_file(struct db *db, int64_t file_doc)
{
    enum sohoa_err e = step_done(db, prep(db,
        "UPDATE page SET seq = -file_seq WHERE file_doc=?", "i", file_doc), "join file");
    if (!e)
        e = step_done(db, prep(db,
            "UPDATE page SET document_id = file_doc, seq = file_seq WHERE file_doc=?",
            "i", file_doc), "join file");
    return e;
}

/*
 * A planner document whose name is a part of another file's split (a
 * folder "x~2" beside the file "x" split before): the name goes to the
 * new document. The other file is joined again, loses its parts and waits
 * to be finished again by a run of its batch.
 */
static enum sohoa_err take_part_name(struct db *db, int64_t part, int64_t owner)
{
    enum sohoa_err e = join_file(db, owner);
    if (!e)
        e = step_done(db, prep(db,
            "DELETE FROM meta WHERE document_id IN (SELECT id FROM document"
            " WHERE split_from=?)", "i", owner), "take part name");
    if (!e)
        e = step_done(db, prep(db,
            "UPDATE document SET split_from=NULL, state='pending', page_count=0,"
            " pdf_path=NULL, txt_path=NULL, hocr_path=NULL WHERE id=?", "i", part),
            "take part name");
    if (!e)
        e = step_done(db, prep(db, "DELETE FROM document WHERE split_from=?", "i", owner),
                      "take part name");
    if (!e)
        e = step_done(db, prep(db,
            "UPDATE document SET state='pending', page_count=(SELECT count(*) FROM page"
            " WHERE file_doc=?1) WHERE id=?1", "i", owner), "take part name");
    return e;
}

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
    sqlite3_stmt *st = prep(db,
        "SELECT d.id, d.split_from FROM document d JOIN dossier s ON s.id=d.dossier_id"
        " WHERE s.name=? AND d.name=? AND d.split_from IS NOT NULL", "tt", dossier, name);
    if (!st)
        return fail(db, "find document");
    int64_t part = 0, owner = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        part = sqlite3_column_int64(st, 0);
        owner = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (part && (e = take_part_name(db, part, owner)))
        return e;
    /* a split file's document keeps the page count of its first part */
    e = step_done(db, prep(db,
        "INSERT INTO document(dossier_id, name, batch_id, page_count, updated_at)"
        " SELECT id, ?, ?, ?, ? FROM dossier WHERE name=?"
        " ON CONFLICT(dossier_id, name) DO UPDATE SET batch_id=excluded.batch_id,"
        " page_count=CASE WHEN EXISTS(SELECT 1 FROM document p"
        "   WHERE p.split_from=document.id) THEN document.page_count"
        "   ELSE excluded.page_count END,"
        " updated_at=excluded.updated_at",
        "tiItt", name, batch_id, npages, now, dossier), "record document");
    if (e)
        return e;
    st = prep(db,
        "SELECT d.id FROM document d JOIN dossier s ON s.id=d.dossier_id"
        " WHERE s.name=? AND d.name=?", "tt", dossier, name);
    if (!st)
        return fail(db, "find document");
    if (sqlite3_step(st) == SQLITE_ROW)
        *pdoc = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!*pdoc)
        return fail(db, "find document");
    /* pages beyond the new count belong to an older version of the file,
     * wherever a split put them */
    e = step_done(db, prep(db, "DELETE FROM page WHERE file_doc=? AND file_seq>?",
                           "iI", *pdoc, npages), "trim pages");
    /* the outputs hold those pages: written again even if no page is new */
    if (!e && sqlite3_changes(db->h) > 0)
        e = step_done(db, prep(db, "UPDATE document SET state='pending' WHERE id=?1"
                               " OR split_from=?1", "i", *pdoc), "trim pages");
    return e;
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

static enum sohoa_err read_pages(struct db *db, int64_t doc, int by_file, int with_text,
                                 struct db_page **ppages, size_t *pn)
{
    static const char *const sql[2][2] = {
        {"SELECT id, seq, state, source, reason, confidence, NULL, NULL, file_seq,"
         " opens_doc, blank, document_id FROM page WHERE document_id=? ORDER BY seq",
         "SELECT id, seq, state, source, reason, confidence, text, hocr, file_seq,"
         " opens_doc, blank, document_id FROM page WHERE document_id=? ORDER BY seq"},
        {"SELECT id, seq, state, source, reason, confidence, NULL, NULL, file_seq,"
         " opens_doc, blank, document_id FROM page WHERE file_doc=? ORDER BY file_seq",
         "SELECT id, seq, state, source, reason, confidence, text, hocr, file_seq,"
         " opens_doc, blank, document_id FROM page WHERE file_doc=? ORDER BY file_seq"}};
    *ppages = NULL;
    *pn = 0;
    sqlite3_stmt *st = prep(db, sql[!!by_file][!!with_text], "i", doc);
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
        q->file_seq = sqlite3_column_int(st, 8);
        q->opens_doc = sqlite3_column_int(st, 9);
        q->blank = sqlite3_column_int(st, 10);
        q->document_id = sqlite3_column_int64(st, 11);
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

enum sohoa_err db_document_pages(struct db *db, int64_t doc, int with_text,
                                 struct db_page **ppages, size_t *pn)
{
    return read_pages(db, doc, 0, with_text, ppages, pn);
}

enum sohoa_err db_file_pages(struct db *db, int64_t file_doc, int with_text,
                             struct db_page **ppages, size_t *pn)
{
    return read_pages(db, file_doc, 1, with_text, ppages, pn);
}

/* ---- split files ---- */

void db_split_release(struct db_split *sp)
{
    for (size_t i = 0; i < sp->nstale; i++)
        free(sp->stale[i]);
    free(sp->stale);
    free(sp->part_ids);
    memset(sp, 0, sizeof *sp);
}

/* Remember the output files of the parts of file_doc other than the
 * sp->nparts kept ones (their rows go next), for the caller to remove. */
static enum sohoa_err note_stale(struct db *db, int64_t file_doc, struct db_split *sp)
{
    sqlite3_stmt *st = prep(db, "SELECT id, pdf_path, txt_path, hocr_path FROM document"
                                " WHERE split_from=?", "i", file_doc);
    int rc;
    if (!st)
        return fail(db, "list parts");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int kept = 0;
        for (int k = 1; k < sp->nparts; k++)
            kept |= sp->part_ids[k] == id;
        for (int c = 1; !kept && c <= 3; c++) {
            if (sqlite3_column_type(st, c) == SQLITE_NULL)
                continue;
            char *path = col_dup(st, c);
            void *ns = path ? realloc(sp->stale, (sp->nstale + 1) * sizeof *sp->stale)
                            : NULL;
            if (!ns) {
                free(path);
                sqlite3_finalize(st);
                return SOHOA_ENOMEM;
            }
            sp->stale = ns;
            sp->stale[sp->nstale++] = path;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SOHOA_OK : fail(db, "list parts");
}

/* Find or make a part of a file; 0 in *pid when the name belongs to a
 * document that is not a part of this file. */
static enum sohoa_err part_get(struct db *db, int64_t file_doc, int64_t dossier_id,
                               const char *name, int64_t batch_id, int npages,
                               const char *now, int64_t *pid)
{
    *pid = 0;
    sqlite3_stmt *st = prep(db, "SELECT id, coalesce(split_from, 0) FROM document"
                                " WHERE dossier_id=? AND name=?", "it", dossier_id, name);
    if (!st)
        return fail(db, "find part");
    int found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = 1;
        if (sqlite3_column_int64(st, 1) == file_doc)
            *pid = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (found && !*pid)
        return SOHOA_OK;
    if (found)
        return step_done(db, prep(db,
            "UPDATE document SET batch_id=?, page_count=?, state='pending', updated_at=?"
            " WHERE id=?", "iIti", batch_id, npages, now, *pid), "record part");
    enum sohoa_err e = step_done(db, prep(db,
        "INSERT INTO document(dossier_id, name, batch_id, page_count, updated_at,"
        " split_from) VALUES (?,?,?,?,?,?)", "itiIti", dossier_id, name, batch_id, npages,
        now, file_doc), "record part");
    if (!e)
        *pid = sqlite3_last_insert_rowid(db->h);
    return e;
}

/* Remove the parts of file_doc that are not among the kept ones, with
 * their metadata (they hold no page any more). */
static enum sohoa_err drop_parts(struct db *db, int64_t file_doc, const struct db_split *sp)
{
    struct strbuf keep = STRBUF_INIT, sql = STRBUF_INIT;
    enum sohoa_err e = SOHOA_OK;
    strbuf_adds(&keep, "0");
    for (int k = 1; k < sp->nparts; k++)
        strbuf_addf(&keep, ",%lld", (long long)sp->part_ids[k]);
    for (int i = 0; i < 2 && !e; i++) {
        sql.len = 0;
        strbuf_addf(&sql, i == 0 ? "DELETE FROM meta WHERE document_id IN (SELECT id"
                                   " FROM document WHERE split_from=?1 AND id NOT IN (%s))"
                                 : "DELETE FROM document WHERE split_from=?1"
                                   " AND id NOT IN (%s)", keep.buf ? keep.buf : "0");
        e = keep.buf && sql.buf ? step_done(db, prep(db, sql.buf, "i", file_doc),
                                            "remove parts")
                                : SOHOA_ENOMEM;
    }
    strbuf_release(&keep);
    strbuf_release(&sql);
    return e;
}

enum sohoa_err db_split_file(struct db *db, int64_t file_doc, const int *starts,
                             int nparts, int npages, struct db_split *sp)
{
    char now[32];
    enum sohoa_err e;
    int64_t dossier_id = 0, batch_id = 0;
    char *name = NULL;
    struct strbuf pn = STRBUF_INIT;

    memset(sp, 0, sizeof *sp);
    util_now_iso(now, sizeof now);
    sp->part_ids = calloc((size_t)(nparts > 0 ? nparts : 1), sizeof *sp->part_ids);
    if (!sp->part_ids)
        return SOHOA_ENOMEM;
    sqlite3_stmt *st = prep(db, "SELECT dossier_id, coalesce(batch_id, 0), name"
                                " FROM document WHERE id=?", "i", file_doc);
    if (!st)
        return fail(db, "split file");
    if (sqlite3_step(st) == SQLITE_ROW) {
        dossier_id = sqlite3_column_int64(st, 0);
        batch_id = sqlite3_column_int64(st, 1);
        name = col_dup(st, 2);
    }
    sqlite3_finalize(st);
    if (!name) {
        snprintf(db->err, sizeof db->err, "no document #%lld", (long long)file_doc);
        db_split_release(sp);
        return SOHOA_ENOENT;
    }
    if ((e = db_begin(db))) {
        free(name);
        db_split_release(sp);
        return e;
    }
    sp->nparts = nparts > 0 ? nparts : 1;
    sp->part_ids[0] = file_doc;
    for (int k = 1; k < sp->nparts && !e; k++) {
        int count = (k + 1 < nparts ? starts[k + 1] : npages + 1) - starts[k];
        pn.len = 0;
        if (strbuf_addf(&pn, "%s~%d", name, k + 1) < 0 || !pn.buf) {
            e = SOHOA_ENOMEM;
            break;
        }
        e = part_get(db, file_doc, dossier_id, pn.buf, batch_id, count, now,
                     &sp->part_ids[k]);
        if (!e && !sp->part_ids[k]) {
            /* the name is another document's: the file stays whole */
            snprintf(sp->refused, sizeof sp->refused, "%s", pn.buf);
            sp->nparts = 1;
        }
    }
    if (!e)
        e = join_file(db, file_doc);
    /* the file's own document is part 1; later parts from their first page */
    for (int k = 1; k < sp->nparts && !e; k++)
        e = step_done(db, prep(db,
            "UPDATE page SET document_id=?1, seq=file_seq-?2+1 WHERE file_doc=?3"
            " AND file_seq>=?2 AND file_seq<?4", "iIiI", sp->part_ids[k], starts[k],
            file_doc, k + 1 < sp->nparts ? starts[k + 1] : npages + 1), "split file");
    if (!e)
        e = step_done(db, prep(db,
            "UPDATE document SET page_count=?, state='pending', updated_at=? WHERE id=?",
            "Iti", sp->nparts > 1 ? starts[1] - 1 : npages, now, file_doc), "split file");
    /* parts of an earlier split that are no more */
    if (!e)
        e = note_stale(db, file_doc, sp);
    if (!e)
        e = drop_parts(db, file_doc, sp);
    free(name);
    strbuf_release(&pn);
    if (!e)
        e = db_commit(db);
    if (e) {
        db_rollback(db);
        db_split_release(sp);
    }
    return e;
}

/* the ids a statement gives, in a malloc'd array (finalizes st) */
static enum sohoa_err ids_of(struct db *db, sqlite3_stmt *st, const char *what,
                             int64_t **pids, size_t *pn)
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    *pids = NULL;
    *pn = 0;
    if (!st)
        return fail(db, what);
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
        return fail(db, what);
    }
    *pids = ids;
    *pn = n;
    return SOHOA_OK;
}

enum sohoa_err db_document_parts(struct db *db, int64_t file_doc, int64_t **pids,
                                 size_t *pn)
{
    return ids_of(db, prep(db, "SELECT id FROM document WHERE split_from=? ORDER BY id",
                           "i", file_doc), "list parts", pids, pn);
}

enum sohoa_err db_review_splits(struct db *db, db_split_fn fn, void *ctx)
{
    sqlite3_stmt *st = prep(db,
        "SELECT f.id, s.name, f.name, d.name, coalesce((SELECT min(p.file_seq) FROM page p"
        " WHERE p.document_id=d.id), 0), d.page_count, f.page_count FROM document d"
        " JOIN document f ON f.id=d.split_from JOIN dossier s ON s.id=f.dossier_id"
        " ORDER BY s.name, f.name, 5, d.id", NULL);
    int rc;
    if (!st)
        return fail(db, "list split files");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct db_split_row row = {
            sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            sqlite3_column_int(st, 4), sqlite3_column_int(st, 5), sqlite3_column_int(st, 6)};
        fn(ctx, &row);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SOHOA_OK : fail(db, "list split files");
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
    /* found by where the planner put it: a split may have moved it */
    sqlite3_stmt *st = prep(db, "SELECT id, sha256, state FROM page"
                                " WHERE file_doc=? AND file_seq=?", "iI", doc, seq);
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
        "INSERT INTO page(document_id, seq, file_doc, file_seq, source, frame, sha256,"
        " batch_id, updated_at) VALUES (?1,?2,?1,?2,?3,?4,?5,?6,?7)", "iItItit", doc, seq,
        source, frame, sha256, batch_id, now), "record page");
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
        " coalesce(p.low_conf, 0), coalesce(p.skew, 0), p.opens_doc,"
        " d.split_from IS NOT NULL AND p.seq = 1 FROM page p"
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
            sqlite3_column_double(st, 10), sqlite3_column_int(st, 11),
            sqlite3_column_int(st, 12)};
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
    return ids_of(db, prep(db, "SELECT id FROM document WHERE state='done' ORDER BY id",
                           NULL), "list documents", pids, pn);
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
