/*
 * batch.h - what is in a scanner batch (a folder or a zip/tar archive),
 * and reading its page files one by one.
 *
 * Layout: BATCH/<dossier>/<document>/<page files> or
 *         BATCH/<dossier>/<document>.tif (one file holding several pages).
 * A single folder wrapping the whole batch (as zip tools like to add) is
 * skipped. Pages are numbered in natural order (page-2 before page-10).
 */
#ifndef SOHOA_BATCH_H
#define SOHOA_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct batch_limits {
    uint64_t max_entry_bytes;   /* largest single page file */
    uint64_t max_total_bytes;   /* all page files together */
    uint64_t max_entries;       /* number of entries in an archive */
};

/* One page file in the batch (a file may hold several pages). */
struct batch_file {
    char *relpath;      /* path inside the batch, as written there */
    char *abspath;      /* real path for folder batches, NULL for archives */
    uint64_t size;
    int nframes;        /* pages in this file (multi-page TIFF), >= 1 */
    size_t doc;         /* index into plan->docs */
    int first_seq;      /* page number of its first page in the document */
    uint64_t entry_index; /* archives: its place among the entries (1 = first) */
};

struct batch_doc {
    char *dossier;
    char *name;
    int npages;
};

/* An entry that is not processed, with the reason. */
struct batch_problem {
    char *source;
    char *reason;
};

struct batch_plan {
    char *path;         /* as given */
    char *name;         /* batch name: basename without archive suffix */
    int is_archive;
    struct batch_file *files;
    size_t nfiles;
    struct batch_doc *docs;
    size_t ndocs;
    struct batch_problem *problems;
    size_t nproblems;
    size_t npages;
    struct batch_limits limits;
};

void batch_limits_default(struct batch_limits *lim);

/*
 * Look at a batch and plan its pages. On a fatal problem (path missing,
 * not a folder or archive, unreadable archive) returns an error and sets
 * *errmsg (malloc'd). Bad entries are not fatal: they go to problems.
 */
enum sohoa_err batch_plan(const char *path, const struct batch_limits *lim,
                          struct batch_plan **pplan, char **errmsg);
void batch_plan_free(struct batch_plan **pplan);

/*
 * Called once per planned file with its bytes (ownership passes to the
 * callee, free() them) or, if it could not be read, data == NULL and a
 * reason. Return non-zero to stop reading.
 */
typedef int (*batch_file_fn)(void *ctx, size_t file_index, uint8_t *data,
                             size_t len, const char *reason);

/* Read the planned files (archives are streamed, never extracted). */
enum sohoa_err batch_read(const struct batch_plan *plan, batch_file_fn fn,
                          void *ctx, char **errmsg);

/* Is this a file name we treat as a page image (by extension)? */
int batch_is_image_name(const char *name);
/* Count the pages of an image file in memory (TIFF frames), >= 1. */
int batch_count_frames(const uint8_t *data, size_t len);

#endif
