/*
 * db.h - the sohoa database: one SQLite file in the data folder (WAL)
 * holding batches, dossiers, documents and pages with their state, text
 * and the full-text index.
 *
 * Page states: pending -> done | failed; a page whose file changed goes
 * back to pending. Not thread-safe: callers serialise access.
 */
#ifndef SOHOA_DB_H
#define SOHOA_DB_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct sqlite3;

struct db {
    struct sqlite3 *h;
    char err[512];
};

#define DB_SCHEMA_VERSION 4   /* 2: metadata, 3: page origin, 4: split files */

enum sohoa_err db_open(const char *path, int readonly, struct db **pdb);
void db_close(struct db **pdb);
/* Last error message (from SQLite or from sohoa) */
const char *db_errmsg(const struct db *db);

enum sohoa_err db_begin(struct db *db);
enum sohoa_err db_commit(struct db *db);
void db_rollback(struct db *db);

enum sohoa_err db_batch_begin(struct db *db, const char *source, const char *name,
                              int64_t *pid);
enum sohoa_err db_batch_finish(struct db *db, int64_t id, int pages_total,
                               int done, int failed, int skipped,
                               const char *status);
/* Something in a batch that is not a page (bad path, link, unsupported). */
enum sohoa_err db_failure_add(struct db *db, int64_t batch_id, const char *source,
                              const char *reason);

/*
 * Find or create the dossier and document of a file (or folder of pages);
 * records the page count. Pages beyond it are dropped (and the document,
 * with its parts, is to be written again). A name that was a part of a
 * split file ("x~2") goes to the new document: that file is joined again
 * and left pending.
 */
enum sohoa_err db_document_get(struct db *db, int64_t batch_id, const char *dossier,
                               const char *name, int npages, int64_t *pdoc);

/*
 * Register page `seq` of a file's document with its content hash. The page
 * is found by where the file put it (page.file_doc, page.file_seq), even
 * if a split moved it to another document. If the same content is already
 * done, *done = 1 and nothing changes; otherwise the page is (re)set to
 * pending.
 */
enum sohoa_err db_page_prepare(struct db *db, int64_t doc, int seq,
                               const char *source, int frame, const char *sha256,
                               int64_t batch_id, int64_t *ppage, int *done);

struct db_page_result {
    const char *text;
    const char *hocr;
    float confidence;
    int width, height, dpi;
    int orientation;        /* degrees turned clockwise to make upright */
    float skew;             /* degrees */
    int nwords;
    int blank;              /* blank page: kept, not recognised */
    float low_conf;         /* share of words below DB_LOW_CONF */
    const char *orient_how; /* "osd", "band", "shape", "none"; "text" if not read */
    /* where the page came from: "image" (an image file), "pdf-image" (a
     * PDF page's own image), "pdf-drawn" (a PDF page drawn), "pdf-text"
     * (born-digital: its own text kept, not recognised) */
    const char *origin;
    int opens_doc;          /* a later page opening a document of its own */
};

/* A word below this confidence (0..100) is doubtful. */
#define DB_LOW_CONF 60
/* Pages below this mean confidence, or with this share of doubtful words,
 * are listed for review. */
#define DB_REVIEW_CONF 85.0
#define DB_REVIEW_LOW_SHARE 0.10

struct db_review_row {
    int64_t page_id;
    const char *dossier, *document, *source, *orient_how;
    int page, orientation, nwords;
    double confidence, low_conf, skew;
    int opens_doc;          /* listed because it opens another document */
    int starts_part;        /* the first page of a part of a split file */
};
typedef void (*db_review_fn)(void *ctx, const struct db_review_row *row);
/* Pages that need a human look, worst first. */
enum sohoa_err db_review_pages(struct db *db, int limit, db_review_fn fn, void *ctx);

enum sohoa_err db_page_done(struct db *db, int64_t page, const struct db_page_result *r);
enum sohoa_err db_page_failed(struct db *db, int64_t page, const char *reason);

/* Mark a document done (outputs written) or failed, with a reason. */
enum sohoa_err db_document_state(struct db *db, int64_t doc, const char *state,
                                 const char *reason, const char *pdf,
                                 const char *txt, const char *hocr);

/* Resolve DOC (an id, "dossier/document", or a document name). */
enum sohoa_err db_document_find(struct db *db, const char *spec, int64_t *pdoc);

/* Pages of a document in order. */
struct db_page {
    int64_t id;
    int seq;
    char state[8];
    char *source;
    char *reason;
    char *text;
    char *hocr;
    double confidence;
    int file_seq;           /* page number in the file it came in */
    int opens_doc, blank;
    int64_t document_id;
};
enum sohoa_err db_document_pages(struct db *db, int64_t doc, int with_text,
                                 struct db_page **ppages, size_t *pn);
/* Pages of a file (registered under file_doc), in the file's order,
 * whatever document a split put them in. */
enum sohoa_err db_file_pages(struct db *db, int64_t file_doc, int with_text,
                             struct db_page **ppages, size_t *pn);
void db_pages_free(struct db_page *pages, size_t n);

/*
 * A file that holds several documents is split: part 1 is the file's own
 * document, part k >= 2 the document "<name>~k" of the same dossier with
 * document.split_from = the file's document. Pages keep page.file_doc and
 * page.file_seq (where the file put them) and get document_id and seq of
 * their part.
 */
struct db_split {
    int nparts;             /* 1: the file is one document */
    int64_t *part_ids;      /* [nparts]: part_ids[0] is the file's document */
    char **stale;           /* output files of parts no more, to remove */
    size_t nstale;
    char refused[256];      /* not split: this part name is another document's */
};
/*
 * Split the file's pages 1..npages into nparts parts, part k+1 beginning
 * at file page starts[k] (starts[0] = 1, increasing); nparts = 1 joins the
 * file again. In one transaction: parts made or reused, pages moved and
 * numbered from 1 in their part, parts of an earlier split that are no
 * more removed with their metadata, page counts set and every part left
 * pending (the caller writes their outputs). If a part's name belongs to
 * a document that is not a part of this file, the file is kept whole and
 * sp->refused names it. Release sp with db_split_release.
 */
enum sohoa_err db_split_file(struct db *db, int64_t file_doc, const int *starts,
                             int nparts, int npages, struct db_split *sp);
void db_split_release(struct db_split *sp);
/* Ids of the parts (k >= 2) a file was split into, in order made. */
enum sohoa_err db_document_parts(struct db *db, int64_t file_doc, int64_t **pids,
                                 size_t *pn);

struct db_split_row {
    int64_t file_id;
    const char *dossier, *file;     /* the file's document */
    const char *part;               /* a part's document name */
    int at_page;                    /* the file page the part begins with */
    int pages;                      /* pages of the part */
    int file_pages;                 /* pages of part 1 */
};
typedef void (*db_split_fn)(void *ctx, const struct db_split_row *row);
/* Every part of every split file, by file and page: for review. */
enum sohoa_err db_review_splits(struct db *db, db_split_fn fn, void *ctx);

struct db_status {
    int64_t batches, dossiers, documents;
    int64_t docs_done, docs_failed, docs_pending;
    int64_t pages_done, pages_failed, pages_pending;
    int64_t failures;   /* entries that are not pages */
    int64_t pages_blank;
    int64_t pages_review;
};
enum sohoa_err db_status_get(struct db *db, struct db_status *st);

/*
 * Call fn for every failed page (kind "page": where = dossier/document,
 * page number, source file) and every refused entry of the latest run of
 * each batch source (kind "entry", page 0).
 */
typedef void (*db_failed_fn)(void *ctx, const char *kind, const char *where,
                             int page, const char *source, const char *reason);
enum sohoa_err db_each_failed(struct db *db, db_failed_fn fn, void *ctx);

/* Register the sohoa FTS5 tokenizer on a connection (done by db_open). */
int db_register_tokenizer(struct sqlite3 *h);

/* ---- metadata (see meta.h) ---- */

struct meta;

/* Store what the extractor found for a document, replacing its earlier
 * findings; fields a person set are kept. One transaction. */
enum sohoa_err db_meta_store(struct db *db, int64_t doc, const struct meta *m);
/* A person's value for a field (confidence 1, never overwritten by a
 * re-run); an empty value removes the field. */
enum sohoa_err db_meta_set(struct db *db, int64_t doc, const char *field,
                           const char *value);

struct db_meta_row {
    char *field, *value;
    double confidence;
    int human;
};
enum sohoa_err db_meta_get(struct db *db, int64_t doc, struct db_meta_row **prows,
                           size_t *pn);
void db_meta_rows_free(struct db_meta_row *rows, size_t n);

struct db_review_doc {
    int64_t document_id;
    const char *dossier, *document;
    const char *fields;     /* flagged fields, space-separated */
};
typedef void (*db_review_doc_fn)(void *ctx, const struct db_review_doc *row);
/* Documents with doubtful or missing fields, most doubtful first. */
enum sohoa_err db_review_documents(struct db *db, int limit, db_review_doc_fn fn,
                                   void *ctx);

struct db_doc_info {
    int64_t id;
    char *dossier, *name, *pdf;
    int pages, blank_pages;
    char state[8];
};
enum sohoa_err db_document_info(struct db *db, int64_t doc, struct db_doc_info *info);
void db_document_info_release(struct db_doc_info *info);

/*
 * Check the data folder after a crash or a full disk: the database file
 * (integrity_check), the search index against the page texts, every done
 * page has its text (and its page file while its document is unfinished),
 * every done document has all its pages done and its output files. Each
 * problem goes to fn as one line. With repair, a damaged search index is
 * rebuilt from the page texts.
 */
struct db_check_counts {
    int64_t documents, pages, problems;
};
typedef void (*db_problem_fn)(void *ctx, const char *problem);
enum sohoa_err db_check(struct db *db, const char *data_dir, int repair, db_problem_fn fn,
                        void *ctx, struct db_check_counts *counts);

/* Ids of all documents done. */
enum sohoa_err db_documents_done(struct db *db, int64_t **pids, size_t *pn);

#endif
