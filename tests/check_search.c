/*
 * check_search.c - user queries to FTS5 queries, and ranked,
 * diacritic-insensitive search with snippets over a real database filled
 * through the db API.
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
#include "search.h"
#include "testutil.h"

/* ---- scratch folders ---- */

static char g_root[128];

/* ---- idx_fts_query ---- */

static void assert_query(const char *user, const char *want)
{
    char *q = idx_fts_query(user);
    ck_assert_msg(q != NULL, "idx_fts_query(%s) gave NULL", user);
    ck_assert_msg(strcmp(q, want) == 0, "idx_fts_query(%s) = %s, want %s", user, q, want);
    free(q);
}

static void assert_query_has(const char *user, const char *part)
{
    char *q = idx_fts_query(user);
    ck_assert_msg(q != NULL, "idx_fts_query(%s) gave NULL", user);
    ck_assert_msg(strstr(q, part) != NULL, "idx_fts_query(%s) = %s, lacks %s", user, q, part);
    free(q);
}

START_TEST(test_query_words_anded_with_phrase)
{
    /* both words ANDed, the phrase of both ORed in */
    assert_query_has("quyet dinh", "\"quyet\" AND \"dinh\"");
    assert_query_has("quyet dinh", "\"quyet dinh\" OR");
    assert_query("quyet dinh", "\"quyet dinh\" OR (\"quyet\" AND \"dinh\")");
    /* runs of blanks are one separator */
    assert_query("  quyet \t\n dinh  ", "\"quyet dinh\" OR (\"quyet\" AND \"dinh\")");
    /* a single word is just that word */
    assert_query("quyet", "\"quyet\"");
}
END_TEST

START_TEST(test_query_phrase_kept)
{
    assert_query("\"cải cách hành chính\"", "\"cai cach hanh chinh\"");
    /* a phrase is one term among others */
    assert_query_has("\"quyết định\" 189", "\"quyet dinh\" AND \"189\"");
    assert_query_has("189 \"quyết định\"", "\"189\" AND \"quyet dinh\"");
    /* unterminated quote: the rest is the phrase */
    assert_query("\"ủy ban nhân dân", "\"uy ban nhan dan\"");
    /* an empty phrase holds no word */
    char *q = idx_fts_query("\"\"");
    ck_assert_ptr_null(q);
}
END_TEST

START_TEST(test_query_prefix)
{
    assert_query("quyet*", "\"quyet\" *");
    assert_query("Quyế*", "\"quye\" *");
    assert_query_has("quy* dinh", "\"quy\" * AND \"dinh\"");
    /* a star inside a word is not a prefix */
    char *q = idx_fts_query("quy*et");
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_null(strstr(q, "\" *"));
    free(q);
    /* a star after a phrase is not a prefix either */
    q = idx_fts_query("\"quyet dinh\"*");
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_null(strstr(q, "\" *"));
    free(q);
}
END_TEST

START_TEST(test_query_no_word)
{
    static const char *const none[] = {"", "   ", "?!.,-", "\"\"", "* * *", "– — …",
                                       "\"", "()", "\xCC\x81", "\xFF\xFE"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
        char *q = idx_fts_query(none[i]);
        ck_assert_msg(q == NULL, "idx_fts_query(%s) = %s, want NULL", none[i], q);
    }
}
END_TEST

START_TEST(test_query_folds_diacritics)
{
    assert_query("Quyết", "\"quyet\"");
    assert_query("ĐĂNG KÝ", "\"dang ky\" OR (\"dang\" AND \"ky\")");
    assert_query("đăng ký", "\"dang ky\" OR (\"dang\" AND \"ky\")");
    assert_query("ỦY BAN", "\"uy ban\" OR (\"uy\" AND \"ban\")");
    /* decomposed (NFD) input folds the same as precomposed */
    assert_query("Quye\xCC\x82\xCC\x81t", "\"quyet\"");
    /* number notation: one term, a phrase of its parts */
    assert_query("189/QĐ-UBND", "\"189 qd ubnd\"");
}
END_TEST

/* ---- a database filled through the db API ---- */

static char t_dir[256];
static char t_path[512];
static struct db *t_db;
static int64_t t_batch;

enum {
    P_CAICACH,      /* "Quyết định ... cải cách" far apart */
    P_DANGKY_LOWER, /* "đăng ký" */
    P_DANGKY_UPPER, /* "ĐĂNG KÝ" */
    P_ICELANDIC,    /* "QUYÉT ÐỊNH" with U+00D0 */
    P_NUMBER,       /* "Số: 189/QĐ-UBND" */
    P_DECOY_NUMBER, /* "Số: 190/QĐ-UBND" with 189 elsewhere */
    P_PHRASE,       /* "quyết định" together */
    P_APART,        /* "quyết" ... "định" far apart, same length */
    P_FAILED,       /* done, then failed */
    P_PENDING,      /* done, then its file changed */
    P_COUNT
};

static int64_t t_page[P_COUNT];
static int64_t t_doc[P_COUNT];

static const char *const t_text[P_COUNT] = {
    "ỦY BAN NHÂN DÂN XÃ THANH XUÂN\nQuyết định về việc phê duyệt kế hoạch\n"
    "thực hiện công tác cải cách hành chính năm 2025",
    "Đơn đề nghị đăng ký hộ kinh doanh cá thể",
    "GIẤY CHỨNG NHẬN ĐĂNG KÝ KINH DOANH",
    "QUYÉT ÐỊNH\nVề việc ban hành quy chế làm việc",
    "ỦY BAN NHÂN DÂN\nSố: 189/QĐ-UBND\nThanh Xuân, ngày 3 tháng 5 năm 2021",
    "ỦY BAN NHÂN DÂN\nSố: 190/QĐ-UBND\nCăn cứ 189 văn bản, QĐ số 7, UBND xã",
    "alpha beta quyết định gamma delta epsilon zeta eta theta",
    "quyết alpha beta gamma delta epsilon zeta eta theta định",
    "Quyết định thu hồi giấy phép trang lỗi",
    "Quyết định tạm thời trang chờ",
};

static void add_page(int i, const char *dossier, const char *doc, int seq)
{
    int64_t d = 0, p = 0;
    int done = -1;
    char sha[65];
    snprintf(sha, sizeof sha, "%064d", i + 1);
    ck_assert_int_eq(db_document_get(t_db, t_batch, dossier, doc, seq, &d), SOHOA_OK);
    ck_assert_int_eq(db_page_prepare(t_db, d, seq, "page.jpg", 0, sha, t_batch, &p, &done),
                     SOHOA_OK);
    ck_assert_int_eq(done, 0);
    struct db_page_result r = {0};
    r.text = t_text[i];
    r.hocr = "";
    r.confidence = 90;
    r.width = 2480;
    r.height = 3508;
    r.dpi = 300;
    ck_assert_int_eq(db_page_done(t_db, p, &r), SOHOA_OK);
    t_page[i] = p;
    t_doc[i] = d;
}

static void setup_db(void)
{
    snprintf(t_dir, sizeof t_dir, "%s/t-XXXXXX", g_root);
    ck_assert_ptr_nonnull(mkdtemp(t_dir));
    snprintf(t_path, sizeof t_path, "%s/sohoa.db", t_dir);
    ck_assert_int_eq(db_open(t_path, 0, &t_db), SOHOA_OK);
    ck_assert_int_eq(db_batch_begin(t_db, "/scans/b1", "b1", &t_batch), SOHOA_OK);
    add_page(P_CAICACH, "hs-thanhxuan", "qd-12", 1);
    add_page(P_DANGKY_LOWER, "hs-kinhdoanh", "don-dang-ky", 1);
    add_page(P_DANGKY_UPPER, "hs-kinhdoanh", "giay-chung-nhan", 1);
    add_page(P_ICELANDIC, "hs-thanhxuan", "qd-34", 1);
    add_page(P_NUMBER, "hs-thanhxuan", "qd-189", 1);
    add_page(P_DECOY_NUMBER, "hs-thanhxuan", "qd-190", 2);
    add_page(P_PHRASE, "hs-rank", "phrase", 1);
    add_page(P_APART, "hs-rank", "apart", 1);
    add_page(P_FAILED, "hs-state", "failed", 1);
    add_page(P_PENDING, "hs-state", "pending", 1);
    ck_assert_int_eq(db_page_failed(t_db, t_page[P_FAILED], "OCR engine error"), SOHOA_OK);
    int64_t p = 0;
    int done = -1;
    ck_assert_int_eq(db_page_prepare(t_db, t_doc[P_PENDING], 1, "page.jpg", 0,
                                     "0000000000000000000000000000000000000000000000000000000000000fff",
                                     t_batch, &p, &done), SOHOA_OK);
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(p, t_page[P_PENDING]);
}

static void teardown_db(void)
{
    db_close(&t_db);
    rm_rf(t_dir);
}

struct result {
    struct idx_hit *h;
    size_t n;
};

static struct result search(const char *text, int limit, const char *mo, const char *mc)
{
    struct idx_query q = {.text = text, .limit = limit, .mark_open = mo, .mark_close = mc};
    struct result r = {NULL, 0};
    enum sohoa_err e = idx_search(t_db, &q, &r.h, &r.n);
    ck_assert_msg(e == SOHOA_OK, "idx_search(%s): %s: %s", text, sohoa_strerror(e),
                  db_errmsg(t_db));
    /* ranked: bm25 ascending */
    for (size_t i = 1; i < r.n; i++)
        ck_assert_msg(r.h[i - 1].score <= r.h[i].score, "hits of '%s' not in rank order",
                      text);
    return r;
}

static int find_hit(const struct result *r, int64_t page)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->h[i].page_id == page)
            return (int)i;
    return -1;
}

/* the hits are exactly the pages listed (in any order) */
static void assert_hits(const char *text, const int *want, size_t nwant)
{
    struct result r = search(text, 50, NULL, NULL);
    for (size_t i = 0; i < nwant; i++)
        ck_assert_msg(find_hit(&r, t_page[want[i]]) >= 0, "'%s' does not find page %d",
                      text, want[i]);
    for (size_t i = 0; i < r.n; i++) {
        int expected = 0;
        for (size_t j = 0; j < nwant; j++)
            if (r.h[i].page_id == t_page[want[j]])
                expected = 1;
        ck_assert_msg(expected, "'%s' also finds %s/%s: %s", text, r.h[i].dossier,
                      r.h[i].document, r.h[i].snippet);
    }
    ck_assert_uint_eq(r.n, nwant);
    idx_hits_free(r.h, r.n);
}

START_TEST(test_search_words_not_adjacent)
{
    static const int want[] = {P_CAICACH};
    assert_hits("quyet dinh cai cach", want, 1);
    assert_hits("cải cách quyết", want, 1);
    struct result r = search("quyet dinh cai cach", 10, NULL, NULL);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.h[0].dossier, "hs-thanhxuan");
    ck_assert_str_eq(r.h[0].document, "qd-12");
    ck_assert_int_eq(r.h[0].page, 1);
    ck_assert_int_eq(r.h[0].document_id, t_doc[P_CAICACH]);
    idx_hits_free(r.h, r.n);
}
END_TEST

START_TEST(test_search_case_and_diacritics)
{
    static const int want[] = {P_DANGKY_LOWER, P_DANGKY_UPPER};
    assert_hits("dang ky", want, 2);
    assert_hits("ĐĂNG KÝ", want, 2);
    assert_hits("Đăng Ký", want, 2);
    assert_hits("DANG KY", want, 2);
    static const int kd[] = {P_DANGKY_LOWER, P_DANGKY_UPPER};
    assert_hits("kinh doanh", kd, 2);
    static const int none[] = {0};
    assert_hits("dang kyy", none, 0);
}
END_TEST

START_TEST(test_search_ocr_look_alike_d)
{
    /* "QUYÉT ÐỊNH" (É for Ế, U+00D0 for Đ) is found as "quyet dinh" */
    struct result r = search("Quyết định", 50, NULL, NULL);
    ck_assert_msg(find_hit(&r, t_page[P_ICELANDIC]) >= 0,
                  "'Quyết định' does not find 'QUYÉT ÐỊNH'");
    idx_hits_free(r.h, r.n);
    static const int want[] = {P_ICELANDIC};
    assert_hits("quyet dinh quy che", want, 1);
    assert_hits("\"QUYẾT ĐỊNH\" quy chế", want, 1);
}
END_TEST

START_TEST(test_search_number_notation)
{
    static const int want[] = {P_NUMBER};
    assert_hits("189/QĐ-UBND", want, 1);
    assert_hits("189/qd-ubnd", want, 1);
    assert_hits("Số: 189/QĐ-UBND", want, 1);
    static const int both[] = {P_NUMBER, P_DECOY_NUMBER};
    assert_hits("189 UBND", both, 2);
    static const int decoy[] = {P_DECOY_NUMBER};
    assert_hits("190/QĐ-UBND", decoy, 1);
}
END_TEST

START_TEST(test_search_phrase_ranks_first)
{
    struct result r = search("quyet dinh", 50, NULL, NULL);
    int ph = find_hit(&r, t_page[P_PHRASE]), ap = find_hit(&r, t_page[P_APART]);
    ck_assert_int_ge(ph, 0);
    ck_assert_int_ge(ap, 0);
    ck_assert_msg(ph < ap, "phrase page ranked %d, words-apart page %d", ph, ap);
    ck_assert_msg(r.h[ph].score < r.h[ap].score, "phrase %f, apart %f", r.h[ph].score,
                  r.h[ap].score);
    idx_hits_free(r.h, r.n);
    /* the order does not depend on the order of the words typed */
    r = search("dinh quyet", 50, NULL, NULL);
    ph = find_hit(&r, t_page[P_PHRASE]);
    ap = find_hit(&r, t_page[P_APART]);
    ck_assert_int_ge(ph, 0);
    ck_assert_int_ge(ap, 0);
    idx_hits_free(r.h, r.n);
}
END_TEST

/* count non-overlapping occurrences of m in s[0..n) */
static int count_marks(const char *s, size_t n, const char *m)
{
    int c = 0;
    size_t ml = strlen(m);
    for (size_t i = 0; i + ml <= n;) {
        if (memcmp(s + i, m, ml) == 0) {
            c++;
            i += ml;
        } else {
            i++;
        }
    }
    return c;
}

/* Is `word` (as written in the page) present inside open...close marks? */
static int marked(const char *sn, const char *word, const char *mo, const char *mc)
{
    size_t wl = strlen(word);
    for (const char *p = strstr(sn, word); p; p = strstr(p + 1, word)) {
        size_t pos = (size_t)(p - sn);
        int opens = count_marks(sn, pos, mo), closes = count_marks(sn, pos, mc);
        if (opens == closes + 1 && strstr(p + wl, mc) != NULL)
            return 1;
    }
    return 0;
}

/* Is `word` present outside any marks? */
static int unmarked(const char *sn, const char *word, const char *mo, const char *mc)
{
    for (const char *p = strstr(sn, word); p; p = strstr(p + 1, word)) {
        size_t pos = (size_t)(p - sn);
        if (count_marks(sn, pos, mo) == count_marks(sn, pos, mc))
            return 1;
    }
    return 0;
}

START_TEST(test_search_snippet_marks)
{
    struct result r = search("quyet dinh cai cach", 10, "<<", ">>");
    ck_assert_uint_eq(r.n, 1);
    const char *sn = r.h[0].snippet;
    static const char *const words[] = {"Quyết", "định", "cải", "cách"};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(marked(sn, words[i], "<<", ">>"), "'%s' not marked in: %s", words[i],
                      sn);
    ck_assert_msg(unmarked(sn, "phê duyệt", "<<", ">>"), "snippet: %s", sn);
    ck_assert_int_eq(count_marks(sn, strlen(sn), "<<"), count_marks(sn, strlen(sn), ">>"));
    ck_assert_msg(strchr(sn, '\n') == NULL, "line break in snippet: %s", sn);
    idx_hits_free(r.h, r.n);

    /* default marks, original upper-case accented text */
    r = search("dang ky kinh doanh", 10, NULL, NULL);
    int up = find_hit(&r, t_page[P_DANGKY_UPPER]);
    ck_assert_int_ge(up, 0);
    static const char *const upper[] = {"ĐĂNG", "KÝ", "KINH", "DOANH"};
    static const char *const lower[] = {"đăng", "ký", "kinh", "doanh"};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(marked(r.h[up].snippet, upper[i], "[", "]"), "'%s' not marked in: %s",
                      upper[i], r.h[up].snippet);
    ck_assert_msg(unmarked(r.h[up].snippet, "GIẤY", "[", "]"), "snippet: %s",
                  r.h[up].snippet);
    int lo = find_hit(&r, t_page[P_DANGKY_LOWER]);
    ck_assert_int_ge(lo, 0);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(marked(r.h[lo].snippet, lower[i], "[", "]"), "'%s' not marked in: %s",
                      lower[i], r.h[lo].snippet);
    ck_assert_msg(unmarked(r.h[lo].snippet, "hộ", "[", "]"), "snippet: %s", r.h[lo].snippet);
    idx_hits_free(r.h, r.n);

    /* number notation: the parts are marked in the original */
    r = search("189/QĐ-UBND", 10, "<b>", "</b>");
    ck_assert_uint_eq(r.n, 1);
    sn = r.h[0].snippet;
    ck_assert_msg(marked(sn, "189", "<b>", "</b>") && marked(sn, "QĐ", "<b>", "</b>") &&
                  marked(sn, "UBND", "<b>", "</b>") && unmarked(sn, "Số", "<b>", "</b>") &&
                  unmarked(sn, "DÂN", "<b>", "</b>"), "snippet: %s", sn);
    idx_hits_free(r.h, r.n);
}
END_TEST

START_TEST(test_search_skips_failed_and_pending)
{
    struct result r = search("quyet dinh", 50, NULL, NULL);
    ck_assert_int_lt(find_hit(&r, t_page[P_FAILED]), 0);
    ck_assert_int_lt(find_hit(&r, t_page[P_PENDING]), 0);
    idx_hits_free(r.h, r.n);
    static const int none[] = {0};
    assert_hits("thu hoi giay phep", none, 0);
    assert_hits("tam thoi", none, 0);

    /* even if such a page still held text in the table and the index */
    ck_assert_int_eq(sqlite3_exec(t_db->h,
                                  "UPDATE page SET text='Quyết định tạm thời trang chờ'"
                                  " WHERE state='pending'", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(t_db->h,
                                  "UPDATE page SET text='Quyết định thu hồi giấy phép'"
                                  " WHERE state='failed'", NULL, NULL, NULL), SQLITE_OK);
    assert_hits("thu hoi giay phep", none, 0);
    assert_hits("tam thoi", none, 0);
}
END_TEST

START_TEST(test_search_limit)
{
    for (int i = 0; i < 30; i++) {
        int64_t d = 0, p = 0;
        int done = 0;
        char name[32], sha[65], text[96];
        snprintf(name, sizeof name, "ho-so-%02d", i);
        snprintf(sha, sizeof sha, "%064d", 1000 + i);
        snprintf(text, sizeof text, "Mục lục hồ sơ lưu trữ số %d", i);
        ck_assert_int_eq(db_document_get(t_db, t_batch, "hs-luutru", name, 1, &d), SOHOA_OK);
        ck_assert_int_eq(db_page_prepare(t_db, d, 1, "p.jpg", 0, sha, t_batch, &p, &done),
                         SOHOA_OK);
        struct db_page_result r = {0};
        r.text = text;
        ck_assert_int_eq(db_page_done(t_db, p, &r), SOHOA_OK);
    }
    struct result r = search("ho so luu tru", 5, NULL, NULL);
    ck_assert_uint_eq(r.n, 5);
    idx_hits_free(r.h, r.n);
    r = search("ho so luu tru", 1, NULL, NULL);
    ck_assert_uint_eq(r.n, 1);
    idx_hits_free(r.h, r.n);
    r = search("ho so luu tru", 0, NULL, NULL); /* default 20 */
    ck_assert_uint_eq(r.n, 20);
    idx_hits_free(r.h, r.n);
    r = search("ho so luu tru", 100, NULL, NULL);
    ck_assert_uint_eq(r.n, 30);
    idx_hits_free(r.h, r.n);
}
END_TEST

START_TEST(test_search_no_word)
{
    struct idx_query q = {.text = "?!", .limit = 10};
    struct idx_hit *h = (struct idx_hit *)1;
    size_t n = 99;
    ck_assert_int_eq(idx_search(t_db, &q, &h, &n), SOHOA_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_ne(db_errmsg(t_db), "");
    q.text = NULL;
    ck_assert_int_eq(idx_search(t_db, &q, &h, &n), SOHOA_EINVAL);
}
END_TEST

/* what users type that means something to FTS5 must never reach SQLite
 * as syntax */
static const char *const g_hostile[] = {
    "NEAR(", "NEAR(quyet dinh, 2)", "NEAR(quyet", "\"", "\"\"\"", "\"quyet",
    "quyet\"dinh", "a\"b\"c", "-", "-quyet", "quyet -dinh", "--", ":", "text:quyet",
    "text : quyet", "page_fts:dinh", "{text}: quyet", "^quyet", "+", "quyet + dinh",
    "*", "**", "*quyet", "quy*et", "quyet*dinh", "q*u*y", "AND", "OR", "NOT",
    "quyet AND", "AND quyet", "quyet OR dinh", "quyet NOT dinh", "AND OR NOT",
    "and or not", "(quyet", ")", "(quyet dinh)", "( )", "'", "'; DROP TABLE page; --",
    "\\", "%", "_", "quyet\\", "NEAR", "near(quyet)", "quyết-định", "Số:",
    "189/QĐ-UBND*", "\"189/QĐ-UBND\"*", "*\"quyet\"", "quyet)*(dinh", "\t*\t",
    "\xFF\xFE quyet", "quy\xC3", "\xE2\x80\x9Cquyết định\xE2\x80\x9D",
};

START_TEST(test_search_hostile_query)
{
    const char *text = g_hostile[_i];
    struct idx_query q = {.text = text, .limit = 10, .mark_open = "<", .mark_close = ">"};
    struct idx_hit *h = NULL;
    size_t n = 0;
    enum sohoa_err e = idx_search(t_db, &q, &h, &n);
    ck_assert_msg(e == SOHOA_OK || e == SOHOA_EINVAL, "query [%s]: %s: %s", text,
                  sohoa_strerror(e), db_errmsg(t_db));
    char *fts = idx_fts_query(text);
    if (e == SOHOA_EINVAL)
        ck_assert_msg(fts == NULL, "query [%s] refused although it has words: %s", text, fts);
    else
        ck_assert_ptr_nonnull(fts);
    free(fts);
    idx_hits_free(h, n);
    /* the database is still there */
    struct db_status st;
    ck_assert_int_eq(db_status_get(t_db, &st), SOHOA_OK);
    ck_assert_int_eq(st.pages_done, P_COUNT - 2);
}
END_TEST

START_TEST(test_search_hostile_finds_words)
{
    /* the words in syntax-looking queries are still searched for */
    struct result r = search("NEAR(quyet dinh, 2)", 50, NULL, NULL);
    /* "near" and "2" are plain words here: no page holds "near" */
    ck_assert_uint_eq(r.n, 0);
    idx_hits_free(r.h, r.n);
    r = search("text:quyet", 50, NULL, NULL);
    ck_assert_uint_eq(r.n, 0); /* "text quyet" is a phrase no page holds */
    idx_hits_free(r.h, r.n);
    r = search("-quyet", 50, NULL, NULL);
    ck_assert_int_ge(find_hit(&r, t_page[P_PHRASE]), 0);
    idx_hits_free(r.h, r.n);
    r = search("quyết-định", 50, NULL, NULL);
    ck_assert_int_ge(find_hit(&r, t_page[P_PHRASE]), 0);
    ck_assert_int_lt(find_hit(&r, t_page[P_APART]), 0);
    idx_hits_free(r.h, r.n);
    r = search("\xE2\x80\x9Cquyết định\xE2\x80\x9D", 50, NULL, NULL);
    ck_assert_int_ge(find_hit(&r, t_page[P_PHRASE]), 0);
    idx_hits_free(r.h, r.n);
}
END_TEST

START_TEST(test_search_prefix)
{
    static const int want[] = {P_DANGKY_LOWER, P_DANGKY_UPPER};
    assert_hits("đăng kin*", want, 2);
    assert_hits("ĐĂN* KÝ", want, 2);
    struct result r = search("quyế*", 50, NULL, NULL);
    ck_assert_int_ge(find_hit(&r, t_page[P_CAICACH]), 0);
    ck_assert_int_ge(find_hit(&r, t_page[P_ICELANDIC]), 0);
    idx_hits_free(r.h, r.n);
}
END_TEST

START_TEST(test_search_long_words_and_queries)
{
    /* a word longer than the tokenizer's buffer is still found by itself */
    struct strbuf word = STRBUF_INIT, text = STRBUF_INIT, q = STRBUF_INIT;
    for (int i = 0; i < 200; i++)
        strbuf_adds(&word, i % 2 ? "ư" : "Ờ");
    strbuf_addf(&text, "Mở đầu %s kết thúc", word.buf);
    int64_t d = 0, p = 0;
    int done = 0;
    ck_assert_int_eq(db_document_get(t_db, t_batch, "hs-long", "long", 1, &d), SOHOA_OK);
    ck_assert_int_eq(db_page_prepare(t_db, d, 1, "p.jpg", 0,
                                     "abababababababababababababababababababababababababababababababab",
                                     t_batch, &p, &done), SOHOA_OK);
    struct db_page_result r = {0};
    r.text = text.buf;
    ck_assert_int_eq(db_page_done(t_db, p, &r), SOHOA_OK);
    struct result res = search(word.buf, 10, NULL, NULL);
    ck_assert_int_ge(find_hit(&res, p), 0);
    idx_hits_free(res.h, res.n);

    /* a query of thousands of words works (and finds nothing) */
    for (int i = 0; i < 3000; i++)
        strbuf_addf(&q, "từ%d ", i);
    res = search(q.buf, 10, NULL, NULL);
    ck_assert_uint_eq(res.n, 0);
    idx_hits_free(res.h, res.n);
    strbuf_release(&word);
    strbuf_release(&text);
    strbuf_release(&q);
}
END_TEST

static Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("query");
    tcase_add_test(tc, test_query_words_anded_with_phrase);
    tcase_add_test(tc, test_query_phrase_kept);
    tcase_add_test(tc, test_query_prefix);
    tcase_add_test(tc, test_query_no_word);
    tcase_add_test(tc, test_query_folds_diacritics);
    suite_add_tcase(s, tc);

    tc = tcase_create("search");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_search_words_not_adjacent);
    tcase_add_test(tc, test_search_case_and_diacritics);
    tcase_add_test(tc, test_search_ocr_look_alike_d);
    tcase_add_test(tc, test_search_number_notation);
    tcase_add_test(tc, test_search_phrase_ranks_first);
    tcase_add_test(tc, test_search_snippet_marks);
    tcase_add_test(tc, test_search_skips_failed_and_pending);
    tcase_add_test(tc, test_search_limit);
    tcase_add_test(tc, test_search_no_word);
    tcase_add_test(tc, test_search_prefix);
    tcase_add_test(tc, test_search_hostile_finds_words);
    tcase_add_test(tc, test_search_long_words_and_queries);
    tcase_add_loop_test(tc, test_search_hostile_query, 0,
                        (int)(sizeof g_hostile / sizeof *g_hostile));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/sohoa-check-search-XXXXXX");
    if (!mkdtemp(g_root)) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(search_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rm_rf(g_root);
    return failed == 0 ? 0 : 1;
}
