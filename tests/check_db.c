/*
 * check_db.c - the SQLite database: schema, page and document states,
 * lookups, status counts, failure listing, WAL readers.
 */
#include <check.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "fold.h"
#include "search.h"
#include "testutil.h"

/* ---- scratch folders: one root per run, one folder per test ---- */

static char g_root[128];

/* per-test state (set up in the test's own process) */
static char t_dir[256];
static char t_path[512];
static struct db *t_db;
static int64_t t_batch;

static void make_test_dir(void)
{
    snprintf(t_dir, sizeof t_dir, "%s/t-XXXXXX", g_root);
    ck_assert_ptr_nonnull(mkdtemp(t_dir));
    snprintf(t_path, sizeof t_path, "%s/sohoa.db", t_dir);
}

static void setup_db(void)
{
    make_test_dir();
    enum sohoa_err e = db_open(t_path, 0, &t_db);
    ck_assert_msg(e == SOHOA_OK, "db_open: %s", db_errmsg(t_db));
    e = db_batch_begin(t_db, "/scans/batch-1", "batch-1", &t_batch);
    ck_assert_msg(e == SOHOA_OK, "db_batch_begin: %s", db_errmsg(t_db));
    ck_assert_int_gt(t_batch, 0);
}

static void teardown_db(void)
{
    db_close(&t_db);
    rm_rf(t_dir);
}

/* ---- small SQL helpers on the raw handle ---- */

static int64_t sql_int(struct db *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db->h));
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, arg);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* NULL if no row or the value is NULL; otherwise malloc'd */
static char *sql_text(struct db *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db->h));
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, arg);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

static double sql_double(struct db *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db->h));
    sqlite3_bind_int64(st, 1, arg);
    double v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void assert_page_state(struct db *db, int64_t page, const char *state)
{
    char *s = sql_text(db, "SELECT state FROM page WHERE id=?", page);
    ck_assert_msg(s != NULL, "page %lld does not exist", (long long)page);
    ck_assert_str_eq(s, state);
    free(s);
}

/*
 * The FTS index agrees with the page table: its own structure is sound,
 * and the terms it holds for each page are exactly the folded words of the
 * page's text (pages without text hold none).
 */
static void assert_fts_consistent(struct db *db)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, "INSERT INTO page_fts(page_fts) VALUES('integrity-check')",
                          NULL, NULL, &msg);
    char reason[256];
    snprintf(reason, sizeof reason, "%s", msg ? msg : sqlite3_errmsg(db->h));
    sqlite3_free(msg);
    ck_assert_msg(rc == SQLITE_OK, "FTS index damaged: %s", reason);
    rc = sqlite3_exec(db->h, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_inst USING"
                             " fts5vocab(main, 'page_fts', 'instance')", NULL, NULL, &msg);
    snprintf(reason, sizeof reason, "%s", msg ? msg : "");
    sqlite3_free(msg);
    ck_assert_msg(rc == SQLITE_OK, "fts5vocab: %s", reason);

    /* every indexed row is a page with text */
    ck_assert_int_eq(sql_int(db, "SELECT count(DISTINCT doc) FROM temp.fts_inst WHERE doc"
                                 " NOT IN (SELECT id FROM page WHERE text IS NOT NULL)", 0), 0);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db->h, "SELECT id, text FROM page WHERE text IS NOT NULL",
                                        -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        char *want = fold_text(text, strlen(text));
        ck_assert_ptr_nonnull(want);
        char *got = sql_text(db, "SELECT group_concat(term, ' ') FROM (SELECT term FROM"
                                 " temp.fts_inst WHERE doc=? ORDER BY offset)", id);
        ck_assert_msg(got != NULL && strcmp(got, want) == 0,
                      "page %lld: index holds '%s', text folds to '%s'", (long long)id,
                      got ? got : "(nothing)", want);
        free(got);
        free(want);
    }
    sqlite3_finalize(st);
}

/* Number of hits for q; asserts the search itself worked. */
static size_t nhits(struct db *db, const char *q, int64_t want_page, int *found)
{
    struct idx_query iq = {.text = q, .limit = 50};
    struct idx_hit *h = NULL;
    size_t n = 0;
    enum sohoa_err e = idx_search(db, &iq, &h, &n);
    ck_assert_msg(e == SOHOA_OK, "idx_search(%s): %s", q, db_errmsg(db));
    if (found) {
        *found = 0;
        for (size_t i = 0; i < n; i++)
            if (h[i].page_id == want_page)
                *found = 1;
    }
    idx_hits_free(h, n);
    return n;
}

static void done_page(struct db *db, int64_t page, const char *text, float conf,
                      int orientation)
{
    struct db_page_result r = {0};
    r.text = text;
    r.hocr = "<div class='ocr_page'></div>";
    r.confidence = conf;
    r.width = 2480;
    r.height = 3508;
    r.dpi = 300;
    r.orientation = orientation;
    r.skew = -0.75f;
    r.nwords = 7;
    enum sohoa_err e = db_page_done(db, page, &r);
    ck_assert_msg(e == SOHOA_OK, "db_page_done: %s", db_errmsg(db));
}

static int64_t new_page(struct db *db, int64_t doc, int seq, const char *sha)
{
    int64_t page = 0;
    int done = -1;
    char src[64];
    snprintf(src, sizeof src, "page-%03d.jpg", seq);
    enum sohoa_err e = db_page_prepare(db, doc, seq, src, 0, sha, t_batch, &page, &done);
    ck_assert_msg(e == SOHOA_OK, "db_page_prepare: %s", db_errmsg(db));
    ck_assert_int_eq(done, 0);
    ck_assert_int_gt(page, 0);
    return page;
}

static int64_t new_doc(struct db *db, const char *dossier, const char *name, int npages)
{
    int64_t doc = 0;
    enum sohoa_err e = db_document_get(db, t_batch, dossier, name, npages, &doc);
    ck_assert_msg(e == SOHOA_OK, "db_document_get(%s/%s): %s", dossier, name,
                  db_errmsg(db));
    ck_assert_int_gt(doc, 0);
    return doc;
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* ---- schema ---- */

START_TEST(test_open_creates_schema)
{
    make_test_dir();
    struct db *db = NULL;
    enum sohoa_err e = db_open(t_path, 0, &db);
    ck_assert_msg(e == SOHOA_OK, "db_open: %s", db_errmsg(db));
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(access(t_path, F_OK), 0);

    char *mode = sql_text(db, "PRAGMA journal_mode", 0);
    ck_assert_ptr_nonnull(mode);
    ck_assert_str_eq(mode, "wal");
    free(mode);
    ck_assert_int_eq(sql_int(db, "PRAGMA user_version", 0), DB_SCHEMA_VERSION);
    static const char *const tables[] = {"batch", "dossier", "document", "page",
                                         "failure", "page_fts"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'",
                 tables[i]);
        ck_assert_msg(sql_int(db, sql, 0) == 1, "table %s missing", tables[i]);
    }
    int64_t b = 0;
    ck_assert_int_eq(db_batch_begin(db, "/scans/x", "x", &b), SOHOA_OK);
    int64_t doc = 0;
    ck_assert_int_eq(db_document_get(db, b, "hs-1", "qd-1", 1, &doc), SOHOA_OK);
    db_close(&db);
    ck_assert_ptr_null(db);

    /* reopening keeps the data and the version */
    e = db_open(t_path, 0, &db);
    ck_assert_msg(e == SOHOA_OK, "reopen: %s", db_errmsg(db));
    ck_assert_int_eq(sql_int(db, "PRAGMA user_version", 0), DB_SCHEMA_VERSION);
    mode = sql_text(db, "PRAGMA journal_mode", 0);
    ck_assert_str_eq(mode, "wal");
    free(mode);
    int64_t again = 0;
    ck_assert_int_eq(db_document_find(db, "hs-1/qd-1", &again), SOHOA_OK);
    ck_assert_int_eq(again, doc);
    db_close(&db);

    /* and read-only too */
    e = db_open(t_path, 1, &db);
    ck_assert_msg(e == SOHOA_OK, "read-only open: %s", db_errmsg(db));
    ck_assert_int_eq(sql_int(db, "PRAGMA user_version", 0), DB_SCHEMA_VERSION);
    ck_assert_int_eq(db_document_find(db, "qd-1", &again), SOHOA_OK);
    ck_assert_int_eq(again, doc);
    /* a read-only connection refuses writes */
    int64_t b2 = 0;
    ck_assert_int_ne(db_batch_begin(db, "/scans/y", "y", &b2), SOHOA_OK);
    db_close(&db);
    rm_rf(t_dir);
}
END_TEST

START_TEST(test_open_readonly_missing_file)
{
    make_test_dir();
    struct db *db = NULL;
    enum sohoa_err e = db_open(t_path, 1, &db);
    ck_assert_int_eq(e, SOHOA_EDB);
    ck_assert_ptr_nonnull(strstr(db_errmsg(db), t_path));
    db_close(&db);
    /* a read-only open must not create the file */
    ck_assert_int_ne(access(t_path, F_OK), 0);
    rm_rf(t_dir);
}
END_TEST

START_TEST(test_open_not_a_database)
{
    make_test_dir();
    FILE *f = fopen(t_path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 64; i++)
        fputs("this is not an SQLite database\n", f);
    fclose(f);
    struct db *db = NULL;
    enum sohoa_err e = db_open(t_path, 0, &db);
    ck_assert_int_eq(e, SOHOA_EDB);
    ck_assert_ptr_nonnull(strstr(db_errmsg(db), t_path));
    db_close(&db);
    e = db_open(t_path, 1, &db);
    if (e == SOHOA_OK) {
        /* SQLite opens lazily: the first read must fail then */
        struct db_status st;
        e = db_status_get(db, &st);
    }
    ck_assert_int_eq(e, SOHOA_EDB);
    db_close(&db);
    rm_rf(t_dir);
}
END_TEST

/* ---- documents and pages ---- */

START_TEST(test_document_get_identity)
{
    int64_t a = new_doc(t_db, "hs-thanhxuan", "qd-189", 2);
    int64_t a2 = new_doc(t_db, "hs-thanhxuan", "qd-189", 2);
    ck_assert_int_eq(a, a2);
    int64_t b = new_doc(t_db, "hs-tanky", "qd-189", 2);
    ck_assert_int_ne(a, b);
    int64_t c = new_doc(t_db, "hs-thanhxuan", "tb-21", 1);
    ck_assert_int_ne(a, c);
    ck_assert_int_ne(b, c);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM dossier", 0), 2);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document", 0), 3);
    ck_assert_int_eq(sql_int(t_db, "SELECT page_count FROM document WHERE id=?", a), 2);
    char *st = sql_text(t_db, "SELECT state FROM document WHERE id=?", a);
    ck_assert_str_eq(st, "pending");
    free(st);
    /* the page count follows the latest call */
    int64_t a3 = new_doc(t_db, "hs-thanhxuan", "qd-189", 5);
    ck_assert_int_eq(a3, a);
    ck_assert_int_eq(sql_int(t_db, "SELECT page_count FROM document WHERE id=?", a), 5);
}
END_TEST

START_TEST(test_page_lifecycle)
{
    int64_t doc = new_doc(t_db, "hs-thanhxuan", "qd-189", 2);
    int64_t page = new_page(t_db, doc, 1, SHA_A);
    assert_page_state(t_db, page, "pending");
    ck_assert_int_eq(sql_int(t_db, "SELECT text IS NULL FROM page WHERE id=?", page), 1);

    done_page(t_db, page, "Quyết định về việc phê duyệt", 91.5f, 90);
    assert_page_state(t_db, page, "done");
    char *text = sql_text(t_db, "SELECT text FROM page WHERE id=?", page);
    ck_assert_str_eq(text, "Quyết định về việc phê duyệt");
    free(text);
    ck_assert_double_eq_tol(sql_double(t_db, "SELECT confidence FROM page WHERE id=?", page),
                            91.5, 1e-6);
    ck_assert_int_eq(sql_int(t_db, "SELECT orientation FROM page WHERE id=?", page), 90);
    ck_assert_double_eq_tol(sql_double(t_db, "SELECT skew FROM page WHERE id=?", page),
                            -0.75, 1e-6);
    ck_assert_int_eq(sql_int(t_db, "SELECT nwords FROM page WHERE id=?", page), 7);
    ck_assert_int_eq(sql_int(t_db, "SELECT width FROM page WHERE id=?", page), 2480);
    ck_assert_int_eq(sql_int(t_db, "SELECT height FROM page WHERE id=?", page), 3508);
    ck_assert_int_eq(sql_int(t_db, "SELECT dpi FROM page WHERE id=?", page), 300);
    char *hocr = sql_text(t_db, "SELECT hocr FROM page WHERE id=?", page);
    ck_assert_str_eq(hocr, "<div class='ocr_page'></div>");
    free(hocr);
    int found = 0;
    ck_assert_int_eq(nhits(t_db, "phe duyet", page, &found), 1);
    ck_assert_int_eq(found, 1);

    /* same content again: done, nothing changes */
    int64_t p2 = 0;
    int done = -1;
    ck_assert_int_eq(db_page_prepare(t_db, doc, 1, "elsewhere/page-001.jpg", 0, SHA_A,
                                     t_batch, &p2, &done), SOHOA_OK);
    ck_assert_int_eq(done, 1);
    ck_assert_int_eq(p2, page);
    assert_page_state(t_db, page, "done");
    text = sql_text(t_db, "SELECT text FROM page WHERE id=?", page);
    ck_assert_str_eq(text, "Quyết định về việc phê duyệt");
    free(text);
    char *src = sql_text(t_db, "SELECT source FROM page WHERE id=?", page);
    ck_assert_str_eq(src, "page-001.jpg");
    free(src);
    ck_assert_double_eq_tol(sql_double(t_db, "SELECT confidence FROM page WHERE id=?", page),
                            91.5, 1e-6);

    /* the file changed: back to pending, text gone, index forgets it */
    ck_assert_int_eq(db_page_prepare(t_db, doc, 1, "page-001.jpg", 0, SHA_B, t_batch,
                                     &p2, &done), SOHOA_OK);
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(p2, page);
    assert_page_state(t_db, page, "pending");
    ck_assert_int_eq(sql_int(t_db, "SELECT text IS NULL AND hocr IS NULL AND"
                                   " confidence IS NULL FROM page WHERE id=?", page), 1);
    char *sha = sql_text(t_db, "SELECT sha256 FROM page WHERE id=?", page);
    ck_assert_str_eq(sha, SHA_B);
    free(sha);
    ck_assert_int_eq(nhits(t_db, "phe duyet", page, NULL), 0);
    ck_assert_int_eq(nhits(t_db, "quyết định", page, NULL), 0);
    assert_fts_consistent(t_db);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page", 0), 1);

    /* new text is found, the old one not */
    done_page(t_db, page, "Thông báo kết luận", 88.0f, 0);
    ck_assert_int_eq(nhits(t_db, "thong bao", page, &found), 1);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(nhits(t_db, "phe duyet", page, NULL), 0);
    assert_fts_consistent(t_db);
}
END_TEST

START_TEST(test_page_failed)
{
    int64_t doc = new_doc(t_db, "hs-tanky", "ttr-45", 2);
    int64_t p1 = new_page(t_db, doc, 1, SHA_A);
    int64_t p2 = new_page(t_db, doc, 2, SHA_B);
    ck_assert_int_ne(p1, p2);
    ck_assert_int_eq(db_page_failed(t_db, p1, "corrupt JPEG: cannot decode"), SOHOA_OK);
    assert_page_state(t_db, p1, "failed");
    char *r = sql_text(t_db, "SELECT reason FROM page WHERE id=?", p1);
    ck_assert_str_eq(r, "corrupt JPEG: cannot decode");
    free(r);

    /* a page that was done and then failed leaves the index */
    done_page(t_db, p2, "Tờ trình đề nghị phê duyệt", 90, 0);
    ck_assert_int_eq(nhits(t_db, "to trinh", p2, NULL), 1);
    ck_assert_int_eq(db_page_failed(t_db, p2, "OCR engine error"), SOHOA_OK);
    assert_page_state(t_db, p2, "failed");
    ck_assert_int_eq(nhits(t_db, "to trinh", p2, NULL), 0);
    assert_fts_consistent(t_db);

    /* a failed page with unchanged content is tried again */
    int64_t again = 0;
    int done = -1;
    ck_assert_int_eq(db_page_prepare(t_db, doc, 1, "page-001.jpg", 0, SHA_A, t_batch,
                                     &again, &done), SOHOA_OK);
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(again, p1);
    assert_page_state(t_db, p1, "pending");
    ck_assert_int_eq(sql_int(t_db, "SELECT reason IS NULL FROM page WHERE id=?", p1), 1);
}
END_TEST

START_TEST(test_document_shrinks)
{
    int64_t doc = new_doc(t_db, "hs-thanhxuan", "qd-189", 3);
    int64_t p[3];
    static const char *const texts[] = {"trang một quyết định", "trang hai điều khoản",
                                        "trang ba nơi nhận"};
    static const char *const shas[] = {SHA_A, SHA_B, SHA_C};
    for (int i = 0; i < 3; i++) {
        p[i] = new_page(t_db, doc, i + 1, shas[i]);
        done_page(t_db, p[i], texts[i], 90, 0);
    }
    ck_assert_int_eq(nhits(t_db, "noi nhan", 0, NULL), 1);
    int64_t same = new_doc(t_db, "hs-thanhxuan", "qd-189", 1);
    ck_assert_int_eq(same, doc);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page WHERE document_id=?", doc), 1);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page WHERE id=?", p[0]), 1);
    ck_assert_int_eq(nhits(t_db, "noi nhan", 0, NULL), 0);
    ck_assert_int_eq(nhits(t_db, "dieu khoan", 0, NULL), 0);
    ck_assert_int_eq(nhits(t_db, "trang", 0, NULL), 1);
    assert_fts_consistent(t_db);

    /* pages of other documents are untouched */
    int64_t other = new_doc(t_db, "hs-tanky", "qd-189", 2);
    int64_t q1 = new_page(t_db, other, 1, SHA_A);
    int64_t q2 = new_page(t_db, other, 2, SHA_B);
    ck_assert_int_gt(q2, q1);
    new_doc(t_db, "hs-thanhxuan", "qd-189", 0);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page WHERE document_id=?", doc), 0);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page WHERE document_id=?", other), 2);
}
END_TEST

START_TEST(test_document_state)
{
    int64_t doc = new_doc(t_db, "hs-thanhxuan", "qd-189", 1);
    ck_assert_int_eq(db_document_state(t_db, doc, "done", NULL, "/out/qd-189.pdf",
                                       "/out/qd-189.txt", "/out/qd-189.hocr"), SOHOA_OK);
    char *s = sql_text(t_db, "SELECT state || '|' || pdf_path || '|' || txt_path || '|' ||"
                             " hocr_path FROM document WHERE id=?", doc);
    ck_assert_str_eq(s, "done|/out/qd-189.pdf|/out/qd-189.txt|/out/qd-189.hocr");
    free(s);
    ck_assert_int_eq(sql_int(t_db, "SELECT reason IS NULL FROM document WHERE id=?", doc), 1);

    ck_assert_int_eq(db_document_state(t_db, doc, "failed", "page 1: corrupt JPEG",
                                       NULL, NULL, NULL), SOHOA_OK);
    s = sql_text(t_db, "SELECT state || '|' || reason FROM document WHERE id=?", doc);
    ck_assert_str_eq(s, "failed|page 1: corrupt JPEG");
    free(s);
    ck_assert_int_eq(sql_int(t_db, "SELECT pdf_path IS NULL FROM document WHERE id=?", doc), 1);

    /* not a state */
    ck_assert_int_eq(db_document_state(t_db, doc, "finished", NULL, NULL, NULL, NULL),
                     SOHOA_EDB);
    ck_assert_str_ne(db_errmsg(t_db), "");
    s = sql_text(t_db, "SELECT state FROM document WHERE id=?", doc);
    ck_assert_str_eq(s, "failed");
    free(s);
}
END_TEST

START_TEST(test_document_find)
{
    int64_t a = new_doc(t_db, "hs-thanhxuan", "qd-189", 1);
    int64_t b = new_doc(t_db, "hs-tanky", "qd-189", 1);
    int64_t c = new_doc(t_db, "hs-tanky", "ttr-45", 1);
    int64_t got = -1;
    char spec[64];

    snprintf(spec, sizeof spec, "%lld", (long long)c);
    ck_assert_int_eq(db_document_find(t_db, spec, &got), SOHOA_OK);
    ck_assert_int_eq(got, c);
    snprintf(spec, sizeof spec, "%lld", (long long)a);
    ck_assert_int_eq(db_document_find(t_db, spec, &got), SOHOA_OK);
    ck_assert_int_eq(got, a);

    ck_assert_int_eq(db_document_find(t_db, "hs-thanhxuan/qd-189", &got), SOHOA_OK);
    ck_assert_int_eq(got, a);
    ck_assert_int_eq(db_document_find(t_db, "hs-tanky/qd-189", &got), SOHOA_OK);
    ck_assert_int_eq(got, b);
    ck_assert_int_eq(db_document_find(t_db, "ttr-45", &got), SOHOA_OK);
    ck_assert_int_eq(got, c);

    /* the same name in two dossiers */
    got = -1;
    ck_assert_int_eq(db_document_find(t_db, "qd-189", &got), SOHOA_EINVAL);
    ck_assert_int_eq(got, 0);
    ck_assert_ptr_nonnull(strstr(db_errmsg(t_db), "qd-189"));
    ck_assert_ptr_nonnull(strstr(db_errmsg(t_db), "2 documents"));

    ck_assert_int_eq(db_document_find(t_db, "qd-999", &got), SOHOA_ENOENT);
    ck_assert_int_eq(got, 0);
    ck_assert_ptr_nonnull(strstr(db_errmsg(t_db), "qd-999"));
    ck_assert_int_eq(db_document_find(t_db, "hs-tanky/qd-999", &got), SOHOA_ENOENT);
    ck_assert_int_eq(db_document_find(t_db, "hs-nowhere/qd-189", &got), SOHOA_ENOENT);
    ck_assert_int_eq(db_document_find(t_db, "987654", &got), SOHOA_ENOENT);
    ck_assert_int_eq(db_document_find(t_db, "", &got), SOHOA_ENOENT);
}
END_TEST

START_TEST(test_document_pages)
{
    int64_t doc = new_doc(t_db, "hs-tanky", "tb-21", 3);
    int64_t other = new_doc(t_db, "hs-tanky", "ttr-45", 1);
    /* registered out of order */
    int64_t p3 = new_page(t_db, doc, 3, SHA_C);
    int64_t p1 = new_page(t_db, doc, 1, SHA_A);
    int64_t p2 = new_page(t_db, doc, 2, SHA_B);
    new_page(t_db, other, 1, SHA_A);
    done_page(t_db, p1, "THÔNG BÁO", 93.25f, 0);
    done_page(t_db, p3, "Nơi nhận: như trên", 70.5f, 0);
    ck_assert_int_eq(db_page_failed(t_db, p2, "truncated JPEG"), SOHOA_OK);

    struct db_page *pg = NULL;
    size_t n = 0;
    ck_assert_int_eq(db_document_pages(t_db, doc, 1, &pg, &n), SOHOA_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(pg[0].seq, 1);
    ck_assert_int_eq(pg[1].seq, 2);
    ck_assert_int_eq(pg[2].seq, 3);
    ck_assert_int_eq(pg[0].id, p1);
    ck_assert_int_eq(pg[1].id, p2);
    ck_assert_int_eq(pg[2].id, p3);
    ck_assert_str_eq(pg[0].state, "done");
    ck_assert_str_eq(pg[1].state, "failed");
    ck_assert_str_eq(pg[2].state, "done");
    ck_assert_pstr_eq(pg[0].text, "THÔNG BÁO");
    ck_assert_pstr_eq(pg[1].text, NULL);
    ck_assert_pstr_eq(pg[2].text, "Nơi nhận: như trên");
    ck_assert_pstr_eq(pg[1].reason, "truncated JPEG");
    ck_assert_pstr_eq(pg[0].reason, NULL);
    ck_assert_pstr_eq(pg[0].source, "page-001.jpg");
    ck_assert_pstr_eq(pg[0].hocr, "<div class='ocr_page'></div>");
    ck_assert_double_eq_tol(pg[0].confidence, 93.25, 1e-6);
    ck_assert_double_eq_tol(pg[2].confidence, 70.5, 1e-6);
    db_pages_free(pg, n);

    /* without text */
    ck_assert_int_eq(db_document_pages(t_db, doc, 0, &pg, &n), SOHOA_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_ptr_null(pg[0].text);
    ck_assert_ptr_null(pg[0].hocr);
    ck_assert_str_eq(pg[0].state, "done");
    ck_assert_pstr_eq(pg[1].reason, "truncated JPEG");
    db_pages_free(pg, n);

    /* a document without pages */
    int64_t empty = new_doc(t_db, "hs-tanky", "empty", 0);
    ck_assert_int_eq(db_document_pages(t_db, empty, 1, &pg, &n), SOHOA_OK);
    ck_assert_uint_eq(n, 0);
    db_pages_free(pg, n);
}
END_TEST

START_TEST(test_status_counts)
{
    struct db_status st;
    ck_assert_int_eq(db_status_get(t_db, &st), SOHOA_OK);
    ck_assert_int_eq(st.batches, 1);
    ck_assert_int_eq(st.dossiers, 0);
    ck_assert_int_eq(st.documents, 0);
    ck_assert_int_eq(st.pages_done + st.pages_failed + st.pages_pending, 0);
    ck_assert_int_eq(st.failures, 0);

    int64_t d1 = new_doc(t_db, "hs-a", "doc-1", 3);
    int64_t d2 = new_doc(t_db, "hs-a", "doc-2", 1);
    int64_t d3 = new_doc(t_db, "hs-b", "doc-1", 2);
    int64_t a1 = new_page(t_db, d1, 1, SHA_A);
    int64_t a2 = new_page(t_db, d1, 2, SHA_B);
    new_page(t_db, d1, 3, SHA_C);
    int64_t b1 = new_page(t_db, d2, 1, SHA_A);
    int64_t c1 = new_page(t_db, d3, 1, SHA_A);
    new_page(t_db, d3, 2, SHA_B);
    done_page(t_db, a1, "một", 90, 0);
    done_page(t_db, a2, "hai", 90, 0);
    done_page(t_db, b1, "ba", 90, 0);
    ck_assert_int_eq(db_page_failed(t_db, c1, "bad"), SOHOA_OK);
    ck_assert_int_eq(db_document_state(t_db, d2, "done", NULL, "x.pdf", "x.txt", NULL),
                     SOHOA_OK);
    ck_assert_int_eq(db_document_state(t_db, d3, "failed", "page 1 failed", NULL, NULL,
                                       NULL), SOHOA_OK);
    ck_assert_int_eq(db_failure_add(t_db, t_batch, "hs-a/link.jpg", "symbolic link"),
                     SOHOA_OK);
    ck_assert_int_eq(db_failure_add(t_db, t_batch, "hs-a/notes.docx", "unsupported"),
                     SOHOA_OK);

    ck_assert_int_eq(db_status_get(t_db, &st), SOHOA_OK);
    ck_assert_int_eq(st.batches, 1);
    ck_assert_int_eq(st.dossiers, 2);
    ck_assert_int_eq(st.documents, 3);
    ck_assert_int_eq(st.docs_done, 1);
    ck_assert_int_eq(st.docs_failed, 1);
    ck_assert_int_eq(st.docs_pending, 1);
    ck_assert_int_eq(st.pages_done, 3);
    ck_assert_int_eq(st.pages_failed, 1);
    ck_assert_int_eq(st.pages_pending, 2);
    ck_assert_int_eq(st.failures, 2);

    /* a new run of the same source replaces the refused entries; another
     * source keeps its own */
    int64_t b2 = 0, b3 = 0;
    ck_assert_int_eq(db_batch_begin(t_db, "/scans/batch-1", "batch-1", &b2), SOHOA_OK);
    ck_assert_int_eq(db_batch_finish(t_db, t_batch, 6, 3, 1, 0, "done"), SOHOA_OK);
    ck_assert_int_eq(db_failure_add(t_db, b2, "hs-a/notes.docx", "unsupported"), SOHOA_OK);
    ck_assert_int_eq(db_batch_begin(t_db, "/scans/batch-2", "batch-2", &b3), SOHOA_OK);
    ck_assert_int_eq(db_failure_add(t_db, b3, "x.bmp", "empty file"), SOHOA_OK);
    ck_assert_int_eq(db_status_get(t_db, &st), SOHOA_OK);
    ck_assert_int_eq(st.batches, 3);
    ck_assert_int_eq(st.failures, 2);
    char *bs = sql_text(t_db, "SELECT status || '|' || pages_total || '|' || pages_done"
                              " || '|' || pages_failed FROM batch WHERE id=?", t_batch);
    ck_assert_str_eq(bs, "done|6|3|1");
    free(bs);
}
END_TEST

struct failed_row {
    char kind[16];
    char where[128];
    int page;
    char source[128];
    char reason[128];
};

struct failed_list {
    struct failed_row rows[16];
    int n;
};

static void collect_failed(void *ctx, const char *kind, const char *where, int page,
                           const char *source, const char *reason)
{
    struct failed_list *l = ctx;
    ck_assert_int_lt(l->n, 16);
    struct failed_row *r = &l->rows[l->n++];
    snprintf(r->kind, sizeof r->kind, "%s", kind ? kind : "(null)");
    snprintf(r->where, sizeof r->where, "%s", where ? where : "(null)");
    r->page = page;
    snprintf(r->source, sizeof r->source, "%s", source ? source : "(null)");
    snprintf(r->reason, sizeof r->reason, "%s", reason ? reason : "(null)");
}

START_TEST(test_each_failed)
{
    int64_t d1 = new_doc(t_db, "hs-thanhxuan", "qd-189", 2);
    int64_t d2 = new_doc(t_db, "hs-tanky", "ttr-45", 3);
    int64_t p12 = new_page(t_db, d1, 2, SHA_B);
    int64_t p11 = new_page(t_db, d1, 1, SHA_A);
    int64_t p23 = new_page(t_db, d2, 3, SHA_C);
    done_page(t_db, p11, "ok", 90, 0);
    ck_assert_int_eq(db_page_failed(t_db, p12, "corrupt JPEG"), SOHOA_OK);
    ck_assert_int_eq(db_page_failed(t_db, p23, "OCR engine error"), SOHOA_OK);
    ck_assert_int_eq(db_failure_add(t_db, t_batch, "hs-x/link.jpg", "symbolic link refused"),
                     SOHOA_OK);

    struct failed_list l;
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(db_each_failed(t_db, collect_failed, &l), SOHOA_OK);
    ck_assert_int_eq(l.n, 3);
    int pages = 0, entries = 0;
    for (int i = 0; i < l.n; i++) {
        struct failed_row *r = &l.rows[i];
        if (strcmp(r->kind, "page") == 0) {
            pages++;
            if (strcmp(r->where, "hs-thanhxuan/qd-189") == 0) {
                ck_assert_int_eq(r->page, 2);
                ck_assert_str_eq(r->source, "page-002.jpg");
                ck_assert_str_eq(r->reason, "corrupt JPEG");
            } else {
                ck_assert_str_eq(r->where, "hs-tanky/ttr-45");
                ck_assert_int_eq(r->page, 3);
                ck_assert_str_eq(r->source, "page-003.jpg");
                ck_assert_str_eq(r->reason, "OCR engine error");
            }
        } else {
            ck_assert_str_eq(r->kind, "entry");
            entries++;
            ck_assert_int_eq(r->page, 0);
            ck_assert_str_eq(r->source, "hs-x/link.jpg");
            ck_assert_str_eq(r->reason, "symbolic link refused");
        }
    }
    ck_assert_int_eq(pages, 2);
    ck_assert_int_eq(entries, 1);

    /* a page that is done again is no longer listed; entries of an older
     * run of the same source are not listed either */
    int64_t again = 0;
    int done = 0;
    ck_assert_int_eq(db_page_prepare(t_db, d1, 2, "page-002.jpg", 0, SHA_A, t_batch,
                                     &again, &done), SOHOA_OK);
    done_page(t_db, again, "fixed", 90, 0);
    int64_t b2 = 0;
    ck_assert_int_eq(db_batch_begin(t_db, "/scans/batch-1", "batch-1b", &b2), SOHOA_OK);
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(db_each_failed(t_db, collect_failed, &l), SOHOA_OK);
    ck_assert_int_eq(l.n, 1);
    ck_assert_str_eq(l.rows[0].kind, "page");
    ck_assert_str_eq(l.rows[0].where, "hs-tanky/ttr-45");
}
END_TEST

/*
 * SQLite's own check of an external-content FTS5 table compares the index
 * with every row of the content table. Pages without text (pending or
 * failed) are never put in the index by the triggers, so the check calls
 * the database malformed as soon as one such page exists.
 */
START_TEST(test_fts_integrity_check_with_pending_page)
{
    int64_t d = new_doc(t_db, "hs-a", "doc-1", 2);
    int64_t p1 = new_page(t_db, d, 1, SHA_A);
    done_page(t_db, p1, "Quyết định", 90, 0);
    int64_t p2 = new_page(t_db, d, 2, SHA_B); /* pending: no text */
    ck_assert_int_gt(p2, 0);
    char *msg = NULL;
    int rc = sqlite3_exec(t_db->h,
                          "INSERT INTO page_fts(page_fts, rank) VALUES('integrity-check', 1)",
                          NULL, NULL, &msg);
    char reason[256];
    snprintf(reason, sizeof reason, "%s", msg ? msg : sqlite3_errmsg(t_db->h));
    sqlite3_free(msg);
    ck_assert_msg(rc == SQLITE_OK,
                  "FTS5 integrity-check against the page table fails with a pending page: %s",
                  reason);
}
END_TEST

/* ---- WAL: a reader is not blocked by a writer's open transaction ---- */

START_TEST(test_readonly_reader_during_write)
{
    int64_t d = new_doc(t_db, "hs-a", "doc-1", 1);
    int64_t p = new_page(t_db, d, 1, SHA_A);
    done_page(t_db, p, "Quyết định đã ký", 90, 0);

    /* the writer opens a transaction and changes things */
    ck_assert_int_eq(db_begin(t_db), SOHOA_OK);
    int64_t d2 = new_doc(t_db, "hs-a", "doc-2", 1);
    int64_t p2 = new_page(t_db, d2, 1, SHA_B);
    done_page(t_db, p2, "Quyết định chưa ký", 90, 0);

    struct db *ro = NULL;
    enum sohoa_err e = db_open(t_path, 1, &ro);
    ck_assert_msg(e == SOHOA_OK, "read-only open during write: %s", db_errmsg(ro));
    struct db_status st;
    ck_assert_int_eq(db_status_get(ro, &st), SOHOA_OK);
    ck_assert_int_eq(st.documents, 1); /* the uncommitted one is not seen */
    ck_assert_int_eq(st.pages_done, 1);
    int found = 0;
    ck_assert_int_eq(nhits(ro, "quyet dinh", p, &found), 1);
    ck_assert_int_eq(found, 1);
    int64_t got = 0;
    ck_assert_int_eq(db_document_find(ro, "doc-2", &got), SOHOA_ENOENT);

    ck_assert_int_eq(db_document_find(ro, "hs-a/doc-1", &got), SOHOA_OK);
    ck_assert_int_eq(got, d);

    ck_assert_int_eq(db_commit(t_db), SOHOA_OK);
    ck_assert_int_eq(db_status_get(ro, &st), SOHOA_OK);
    ck_assert_int_eq(st.documents, 2);
    ck_assert_int_eq(nhits(ro, "quyet dinh", 0, NULL), 2);
    ck_assert_int_eq(db_document_find(ro, "doc-2", &got), SOHOA_OK);
    ck_assert_int_eq(got, d2);
    db_close(&ro);
}
END_TEST

START_TEST(test_readonly_reader_exclusive_writer)
{
    int64_t d = new_doc(t_db, "hs-a", "doc-1", 1);
    int64_t p = new_page(t_db, d, 1, SHA_A);
    done_page(t_db, p, "Thông báo", 90, 0);
    /* an EXCLUSIVE transaction blocks readers in rollback-journal mode but
     * not in WAL mode */
    ck_assert_int_eq(sqlite3_exec(t_db->h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    new_doc(t_db, "hs-a", "doc-2", 1);
    struct db *ro = NULL;
    ck_assert_int_eq(db_open(t_path, 1, &ro), SOHOA_OK);
    sqlite3_busy_timeout(ro->h, 0); /* fail at once instead of waiting */
    struct db_status st;
    ck_assert_int_eq(db_status_get(ro, &st), SOHOA_OK);
    ck_assert_int_eq(st.documents, 1);
    db_close(&ro);
    db_rollback(t_db);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document", 0), 1);
}
END_TEST

/* ---- split files ---- */

/* a file's document of n pages, every page done with text "page <k> <tag>" */
static int64_t done_file(const char *dossier, const char *name, int n, int64_t *pages)
{
    int64_t doc = new_doc(t_db, dossier, name, n);
    for (int k = 1; k <= n; k++) {
        char sha[65], text[64];
        memset(sha, 'a' + k, 64);
        sha[64] = '\0';
        snprintf(text, sizeof text, "page %d of %s", k, name);
        pages[k - 1] = new_page(t_db, doc, k, sha);
        done_page(t_db, pages[k - 1], text, 90, 0);
    }
    return doc;
}

static void split(int64_t doc, const int *starts, int nparts, int npages,
                  struct db_split *sp)
{
    enum sohoa_err e = db_split_file(t_db, doc, starts, nparts, npages, sp);
    ck_assert_msg(e == SOHOA_OK, "db_split_file: %s", db_errmsg(t_db));
}

/* "document name:seq" of a page */
static void assert_page_in(int64_t page, const char *want)
{
    char *got = sql_text(t_db, "SELECT d.name || ':' || p.seq FROM page p JOIN document d"
                               " ON d.id = p.document_id WHERE p.id=?", page);
    ck_assert_msg(got && strcmp(got, want) == 0, "page %lld in %s, not %s",
                  (long long)page, got ? got : "(none)", want);
    free(got);
}

START_TEST(test_split_file_parts)
{
    int64_t p[4];
    int64_t doc = done_file("hs-1", "mixed", 4, p);
    struct db_split sp;
    static const int s3[] = {1, 2, 4};
    split(doc, s3, 3, 4, &sp);
    ck_assert_int_eq(sp.nparts, 3);
    ck_assert_int_eq(sp.part_ids[0], doc);
    ck_assert_str_eq(sp.refused, "");
    ck_assert_uint_eq(sp.nstale, 0);
    int64_t part2 = sp.part_ids[1], part3 = sp.part_ids[2];
    db_split_release(&sp);
    assert_page_in(p[0], "mixed:1");
    assert_page_in(p[1], "mixed~2:1");
    assert_page_in(p[2], "mixed~2:2");
    assert_page_in(p[3], "mixed~3:1");
    ck_assert_int_eq(sql_int(t_db, "SELECT page_count FROM document WHERE id=?", doc), 1);
    ck_assert_int_eq(sql_int(t_db, "SELECT page_count FROM document WHERE id=?", part2), 2);
    ck_assert_int_eq(sql_int(t_db, "SELECT split_from FROM document WHERE id=?", part3), doc);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document"
                                   " WHERE split_from IS NULL", 0), 1);
    /* every part waits for its outputs */
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document"
                                   " WHERE state != 'pending'", 0), 0);
    struct db_page *pages = NULL;
    size_t n = 0;
    ck_assert_int_eq(db_file_pages(t_db, doc, 1, &pages, &n), SOHOA_OK);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(pages[i].file_seq, (int)i + 1);
        ck_assert_int_eq(pages[i].id, p[i]);
    }
    ck_assert_int_eq(pages[3].document_id, part3);
    db_pages_free(pages, n);
    ck_assert_int_eq(db_document_pages(t_db, part2, 1, &pages, &n), SOHOA_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(pages[1].text, "page 3 of mixed");
    db_pages_free(pages, n);

    /* split elsewhere: part 3 goes with its metadata and files, pages swap
     * places (page 3 was mixed~2:2, is now mixed~2:1) */
    ck_assert_int_eq(db_document_state(t_db, part3, "done", NULL, "/out/hs-1/mixed~3.pdf",
                                       "/out/hs-1/mixed~3.txt", "/out/hs-1/mixed~3.hocr"),
                     SOHOA_OK);
    ck_assert_int_eq(db_meta_set(t_db, part3, "number", "21"), SOHOA_OK);
    ck_assert_int_eq(db_meta_set(t_db, part2, "number", "7"), SOHOA_OK);
    static const int s2[] = {1, 3};
    split(doc, s2, 2, 4, &sp);
    ck_assert_int_eq(sp.nparts, 2);
    ck_assert_int_eq(sp.part_ids[1], part2);
    ck_assert_uint_eq(sp.nstale, 3);
    ck_assert_str_eq(sp.stale[0], "/out/hs-1/mixed~3.pdf");
    db_split_release(&sp);
    assert_page_in(p[0], "mixed:1");
    assert_page_in(p[1], "mixed:2");
    assert_page_in(p[2], "mixed~2:1");
    assert_page_in(p[3], "mixed~2:2");
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document WHERE id=?", part3), 0);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM meta WHERE document_id=?", part3), 0);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM meta WHERE document_id=?", part2), 1);
    int64_t *ids = NULL;
    ck_assert_int_eq(db_document_parts(t_db, doc, &ids, &n), SOHOA_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ids[0], part2);
    free(ids);

    /* no split any more: the file whole again, its parts gone */
    static const int s1[] = {1};
    split(doc, s1, 1, 4, &sp);
    ck_assert_int_eq(sp.nparts, 1);
    db_split_release(&sp);
    for (int k = 0; k < 4; k++) {
        char want[32];
        snprintf(want, sizeof want, "mixed:%d", k + 1);
        assert_page_in(p[k], want);
    }
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document", 0), 1);
    ck_assert_int_eq(sql_int(t_db, "SELECT page_count FROM document WHERE id=?", doc), 4);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page", 0), 4);
    assert_fts_consistent(t_db);
}
END_TEST

START_TEST(test_split_name_taken)
{
    int64_t p[3];
    int64_t doc = done_file("hs-1", "mixed", 3, p);
    /* a folder of that name beside the file: not the file's to take */
    int64_t other = new_doc(t_db, "hs-1", "mixed~2", 1);
    int64_t q = new_page(t_db, other, 1, SHA_A);
    struct db_split sp;
    static const int s2[] = {1, 3};
    split(doc, s2, 2, 3, &sp);
    ck_assert_int_eq(sp.nparts, 1);
    ck_assert_str_eq(sp.refused, "mixed~2");
    db_split_release(&sp);
    assert_page_in(p[2], "mixed:3");
    assert_page_in(q, "mixed~2:1");
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document", 0), 2);
    ck_assert_int_eq(sql_int(t_db, "SELECT split_from IS NULL FROM document WHERE id=?",
                             other), 1);
    /* a part name in another dossier is no obstacle */
    int64_t p2[2];
    int64_t doc2 = done_file("hs-2", "mixed", 2, p2);
    static const int t2[] = {1, 2};
    split(doc2, t2, 2, 2, &sp);
    ck_assert_int_eq(sp.nparts, 2);
    db_split_release(&sp);
}
END_TEST

START_TEST(test_prepare_finds_moved_page)
{
    int64_t p[3];
    int64_t doc = done_file("hs-1", "mixed", 3, p);
    struct db_split sp;
    static const int s2[] = {1, 3};
    split(doc, s2, 2, 3, &sp);
    int64_t part = sp.part_ids[1];
    db_split_release(&sp);
    ck_assert_int_eq(db_document_state(t_db, doc, "done", NULL, "a", "b", "c"), SOHOA_OK);

    /* a re-run: the file is registered again as it came */
    int64_t again = new_doc(t_db, "hs-1", "mixed", 3);
    ck_assert_int_eq(again, doc);
    /* the file's document keeps its own part's page count, and its state */
    ck_assert_int_eq(sql_int(t_db, "SELECT page_count FROM document WHERE id=?", doc), 2);
    char *st = sql_text(t_db, "SELECT state FROM document WHERE id=?", doc);
    ck_assert_str_eq(st, "done");
    free(st);
    char sha[65];
    memset(sha, 'a' + 3, 64);
    sha[64] = '\0';
    int64_t page = 0;
    int done = -1;
    ck_assert_int_eq(db_page_prepare(t_db, doc, 3, "page-003.jpg", 0, sha, t_batch,
                                     &page, &done), SOHOA_OK);
    ck_assert_int_eq(done, 1);
    ck_assert_int_eq(page, p[2]);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page", 0), 3);
    assert_page_in(p[2], "mixed~2:1");

    /* the page changed: the same row again, pending, still in its part */
    ck_assert_int_eq(db_page_prepare(t_db, doc, 3, "page-003.jpg", 0, SHA_A, t_batch,
                                     &page, &done), SOHOA_OK);
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(page, p[2]);
    assert_page_state(t_db, p[2], "pending");
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page", 0), 3);
    assert_page_in(p[2], "mixed~2:1");

    /* a new page 4 goes to the file's own document */
    int64_t p4 = new_page(t_db, doc, 4, SHA_B);
    assert_page_in(p4, "mixed:4");
    ck_assert_int_eq(sql_int(t_db, "SELECT file_doc FROM page WHERE id=?", p4), doc);

    /* the file shrinks to 2 pages: its page 3 goes from the part, and the
     * file and its parts are to be written again */
    ck_assert_int_eq(new_doc(t_db, "hs-1", "mixed", 2), doc);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page WHERE id=?", p[2]), 0);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page", 0), 2);
    st = sql_text(t_db, "SELECT group_concat(state) FROM document WHERE id=? OR"
                        " split_from=?1", doc);
    ck_assert_str_eq(st, "pending,pending");
    free(st);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM page WHERE document_id=?", part), 0);
}
END_TEST

START_TEST(test_part_name_taken_by_new_document)
{
    int64_t p[3];
    int64_t doc = done_file("hs-1", "mixed", 3, p);
    struct db_split sp;
    static const int s[] = {1, 2, 3};
    split(doc, s, 3, 3, &sp);
    int64_t part2 = sp.part_ids[1];
    db_split_release(&sp);
    ck_assert_int_eq(db_meta_set(t_db, part2, "number", "21"), SOHOA_OK);
    /* a later batch brings a folder "mixed~2": the name is its own */
    int64_t real = new_doc(t_db, "hs-1", "mixed~2", 1);
    ck_assert_int_eq(real, part2);
    ck_assert_int_eq(sql_int(t_db, "SELECT split_from IS NULL FROM document WHERE id=?",
                             real), 1);
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM meta WHERE document_id=?", real), 0);
    /* the file is whole and pending again, its other part gone */
    for (int k = 0; k < 3; k++) {
        char want[32];
        snprintf(want, sizeof want, "mixed:%d", k + 1);
        assert_page_in(p[k], want);
    }
    ck_assert_int_eq(sql_int(t_db, "SELECT count(*) FROM document", 0), 2);
    char *st = sql_text(t_db, "SELECT state FROM document WHERE id=?", doc);
    ck_assert_str_eq(st, "pending");
    free(st);
    int64_t q = new_page(t_db, real, 1, SHA_A);
    assert_page_in(q, "mixed~2:1");
}
END_TEST

/* The schema of version 3, as databases made before split files hold it. */
static const char schema_v3[] =
    "CREATE TABLE batch(id INTEGER PRIMARY KEY, source TEXT NOT NULL, name TEXT NOT NULL,"
    "  started_at TEXT NOT NULL, finished_at TEXT, pages_total INTEGER,"
    "  pages_done INTEGER, pages_failed INTEGER, pages_skipped INTEGER,"
    "  status TEXT NOT NULL DEFAULT 'running');"
    "CREATE TABLE dossier(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE document(id INTEGER PRIMARY KEY,"
    "  dossier_id INTEGER NOT NULL REFERENCES dossier(id), name TEXT NOT NULL,"
    "  batch_id INTEGER REFERENCES batch(id), page_count INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','done','failed')),"
    "  reason TEXT, pdf_path TEXT, txt_path TEXT, hocr_path TEXT,"
    "  updated_at TEXT NOT NULL, UNIQUE(dossier_id, name));"
    "CREATE TABLE page(id INTEGER PRIMARY KEY,"
    "  document_id INTEGER NOT NULL REFERENCES document(id), seq INTEGER NOT NULL,"
    "  source TEXT NOT NULL, frame INTEGER NOT NULL DEFAULT 0, sha256 TEXT NOT NULL,"
    "  batch_id INTEGER REFERENCES batch(id),"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','done','failed')),"
    "  reason TEXT, confidence REAL, nwords INTEGER, width INTEGER, height INTEGER,"
    "  dpi INTEGER, orientation INTEGER, skew REAL, orient_how TEXT, origin TEXT,"
    "  opens_doc INTEGER NOT NULL DEFAULT 0, blank INTEGER NOT NULL DEFAULT 0,"
    "  low_conf REAL, text TEXT, hocr TEXT, updated_at TEXT NOT NULL,"
    "  UNIQUE(document_id, seq));"
    "CREATE INDEX page_sha ON page(sha256);"
    "CREATE INDEX page_state ON page(state);"
    "CREATE TABLE meta(document_id INTEGER NOT NULL REFERENCES document(id),"
    "  field TEXT NOT NULL, value TEXT NOT NULL, vfold TEXT NOT NULL,"
    "  confidence REAL NOT NULL, source TEXT NOT NULL DEFAULT 'auto'"
    "  CHECK(source IN ('auto','human')), updated_at TEXT NOT NULL,"
    "  PRIMARY KEY(document_id, field));"
    "CREATE INDEX meta_value ON meta(field, vfold);"
    "CREATE TABLE failure(id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batch(id), source TEXT NOT NULL,"
    "  reason TEXT NOT NULL, at TEXT NOT NULL);"
    "CREATE VIRTUAL TABLE page_fts USING fts5(text, content='page', content_rowid='id',"
    "  tokenize='sohoa');"
    "CREATE TRIGGER page_fts_ai AFTER INSERT ON page BEGIN"
    "  INSERT INTO page_fts(rowid, text) VALUES (new.id, new.text); END;"
    "CREATE TRIGGER page_fts_ad AFTER DELETE ON page BEGIN"
    "  INSERT INTO page_fts(page_fts, rowid, text) VALUES ('delete', old.id, old.text); END;"
    "CREATE TRIGGER page_fts_au AFTER UPDATE OF text ON page BEGIN"
    "  INSERT INTO page_fts(page_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    "  INSERT INTO page_fts(rowid, text) VALUES (new.id, new.text); END;"
    "INSERT INTO batch(id, source, name, started_at) VALUES (1, '/scans/b', 'b', 'x');"
    "INSERT INTO dossier(id, name, created_at) VALUES (1, 'hs-1', 'x');"
    "INSERT INTO document(id, dossier_id, name, batch_id, page_count, state, updated_at)"
    "  VALUES (1, 1, 'qd-189', 1, 2, 'done', 'x'), (2, 1, 'tb-21', 1, 1, 'done', 'x');"
    "INSERT INTO page(id, document_id, seq, source, sha256, batch_id, state, text,"
    "  opens_doc, updated_at) VALUES"
    "  (1, 1, 1, 'qd-189/page-001.jpg', '" SHA_A "', 1, 'done', 'quyết định', 0, 'x'),"
    "  (2, 1, 2, 'qd-189/page-002.jpg', '" SHA_B "', 1, 'done', 'nơi nhận', 0, 'x'),"
    "  (3, 2, 1, 'tb-21.jpg', '" SHA_C "', 1, 'done', 'thông báo', 0, 'x');"
    "PRAGMA user_version=3;";

/* a test directory holding a version 3 database (schema_v3) */
static void make_v3_database(void)
{
    make_test_dir();
    sqlite3 *h = NULL;
    ck_assert_int_eq(sqlite3_open(t_path, &h), SQLITE_OK);
    ck_assert_int_eq(db_register_tokenizer(h), 0);
    char *msg = NULL;
    int rc = sqlite3_exec(h, schema_v3, NULL, NULL, &msg);
    ck_assert_msg(rc == SQLITE_OK, "v3 schema: %s", msg ? msg : "");
    sqlite3_close(h);
}

START_TEST(test_migrate_v3)
{
    make_v3_database();

    struct db *db = NULL;
    enum sohoa_err e = db_open(t_path, 0, &db);
    ck_assert_msg(e == SOHOA_OK, "db_open of a v3 database: %s", db_errmsg(db));
    ck_assert_int_eq(sql_int(db, "PRAGMA user_version", 0), DB_SCHEMA_VERSION);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM pragma_table_info('page')"
                                 " WHERE name IN ('file_doc', 'file_seq')", 0), 2);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM pragma_table_info('document')"
                                 " WHERE name = 'split_from'", 0), 1);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM page WHERE file_doc = document_id"
                                 " AND file_seq = seq", 0), 3);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM document"
                                 " WHERE split_from IS NOT NULL", 0), 0);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type='index'"
                                 " AND name='page_file'", 0), 1);
    /* the old pages are found again: nothing to redo */
    int64_t b = 0, doc = 0, page = 0;
    int done = -1;
    ck_assert_int_eq(db_batch_begin(db, "/scans/b", "b", &b), SOHOA_OK);
    ck_assert_int_eq(db_document_get(db, b, "hs-1", "qd-189", 2, &doc), SOHOA_OK);
    ck_assert_int_eq(doc, 1);
    ck_assert_int_eq(db_page_prepare(db, doc, 2, "qd-189/page-002.jpg", 0, SHA_B, b,
                                     &page, &done), SOHOA_OK);
    ck_assert_int_eq(done, 1);
    ck_assert_int_eq(page, 2);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM page", 0), 3);
    db_close(&db);

    /* opening it again changes nothing */
    e = db_open(t_path, 0, &db);
    ck_assert_msg(e == SOHOA_OK, "reopen: %s", db_errmsg(db));
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM page WHERE file_doc = document_id"
                                 " AND file_seq = seq", 0), 3);
    db_close(&db);
    rm_rf(t_dir);
}
END_TEST

/* A search right after an upgrade opens an older database read-only: it
 * is brought up to date first (was a bug: queries failed on the missing
 * columns until the next run). */
START_TEST(test_migrate_v3_readonly)
{
    make_v3_database();

    struct db *db = NULL;
    enum sohoa_err e = db_open(t_path, 1, &db);
    ck_assert_msg(e == SOHOA_OK, "read-only db_open of a v3 database: %s", db_errmsg(db));
    ck_assert_int_eq(sql_int(db, "PRAGMA user_version", 0), DB_SCHEMA_VERSION);
    ck_assert_int_eq(sql_int(db, "SELECT count(*) FROM page WHERE file_doc = document_id"
                                 " AND file_seq = seq", 0), 3);
    struct db_status st;
    ck_assert_int_eq(db_status_get(db, &st), SOHOA_OK);
    db_close(&db);
    rm_rf(t_dir);
}
END_TEST

static Suite *db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("open");
    tcase_add_test(tc, test_open_creates_schema);
    tcase_add_test(tc, test_open_readonly_missing_file);
    tcase_add_test(tc, test_open_not_a_database);
    tcase_add_test(tc, test_migrate_v3);
    tcase_add_test(tc, test_migrate_v3_readonly);
    suite_add_tcase(s, tc);

    tc = tcase_create("state");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_document_get_identity);
    tcase_add_test(tc, test_page_lifecycle);
    tcase_add_test(tc, test_page_failed);
    tcase_add_test(tc, test_document_shrinks);
    tcase_add_test(tc, test_document_state);
    tcase_add_test(tc, test_document_find);
    tcase_add_test(tc, test_document_pages);
    tcase_add_test(tc, test_status_counts);
    tcase_add_test(tc, test_each_failed);
    tcase_add_test(tc, test_fts_integrity_check_with_pending_page);
    suite_add_tcase(s, tc);

    tc = tcase_create("split");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_split_file_parts);
    tcase_add_test(tc, test_split_name_taken);
    tcase_add_test(tc, test_prepare_finds_moved_page);
    tcase_add_test(tc, test_part_name_taken_by_new_document);
    suite_add_tcase(s, tc);

    tc = tcase_create("wal");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_readonly_reader_during_write);
    tcase_add_test(tc, test_readonly_reader_exclusive_writer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/sohoa-check-db-XXXXXX");
    if (!mkdtemp(g_root)) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(db_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rm_rf(g_root);
    return failed == 0 ? 0 : 1;
}
