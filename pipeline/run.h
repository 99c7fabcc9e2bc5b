/*
 * run.h - running a batch: plan it, hash and register every page, OCR the
 * new ones on N worker threads (one Tesseract engine each), and write
 * each document's PDF, text and hOCR once all its pages are done.
 *
 * Library code: nothing is printed; progress comes through a callback.
 */
#ifndef SOHOA_RUN_H
#define SOHOA_RUN_H

#include <stdint.h>

#include "batch.h"
#include "util.h"

enum run_event_type {
    RUN_EV_START,        /* planning done: total known */
    RUN_EV_PAGE_DONE,
    RUN_EV_PAGE_FAILED,
    RUN_EV_PAGE_SKIPPED, /* already done earlier with the same content */
    RUN_EV_PROBLEM,      /* an entry that is not a page was refused */
    RUN_EV_DOC_DONE,
    RUN_EV_DOC_FAILED,
    RUN_EV_DOC_SPLIT,    /* a file split into documents: reason says how */
    RUN_EV_DOC_NOT_SPLIT /* a file that opens another document kept whole: why */
};

struct run_event {
    enum run_event_type type;
    const char *source;     /* page file or entry, or dossier/document */
    int page;               /* page number in the document, if any */
    const char *reason;     /* for failures */
    int total, done, failed, skipped;
    double elapsed;         /* seconds since the start */
};

struct run_options {
    const char *data_dir;
    int jobs;               /* worker threads; 0 = number of CPUs */
    int osd;                /* detect orientation (default 1) */
    int clear_border;       /* clear scanner borders, holes (default 1) */
    int tone_fix;           /* correct tone marks from context (default 1) */
    int drop_ink;           /* coloured ink (seals, signatures) not read (default 1) */
    const char *tone_model; /* NULL: tone_model_default_path() */
    const char *lang;       /* default "vie" */
    const char *tessdata;   /* NULL: default */
    char *const *tess_vars; /* extra Tesseract variables "name=value" */
    struct batch_limits limits;
    void (*on_event)(void *ctx, const struct run_event *ev);
    void *ctx;
};

struct run_summary {
    int64_t batch_id;
    int total, done, failed, skipped, problems;
    int blank;          /* of the pages done, blank ones (not recognised) */
    int opens_doc;      /* later pages of a file that open another document */
    int split;          /* files split into several documents */
    int docs_done, docs_failed;
    double seconds;
};

void run_options_init(struct run_options *opt);

/*
 * Run a batch. Returns SOHOA_OK when the run went through (pages may
 * still have failed: see the summary); another error when it could not
 * run at all, with *errmsg set (malloc'd).
 */
enum sohoa_err run_batch(const char *batch, const struct run_options *opt,
                         struct run_summary *sum, char **errmsg);

/* Paths inside the data folder (malloc'd). */
char *run_db_path(const char *data_dir);
char *run_out_dir(const char *data_dir);

/*
 * Take the data folder's run lock (one run at a time). On EBUSY,
 * *holder gets a description of the holder (malloc'd). Returns the lock
 * fd in *pfd; release with run_unlock.
 */
enum sohoa_err run_lock(const char *data_dir, int *pfd, char **holder);
void run_unlock(int fd);

/* A document's metadata from its pages read with their text (see meta.h);
 * -1 when out of memory. */
struct db_page;
struct meta;
int run_meta_from_pages(const struct db_page *pages, size_t n, struct meta *m);

#endif
