/*
 * fuzz_archive - libFuzzer target for reading archive batches
 * (pipeline/batch.h: batch_plan, batch_read).
 *
 * The input is written, whole, to one file (made once per process, then
 * rewritten for every input) named batch.zip in a private temporary folder.
 * batch.c treats any regular file as an archive and libarchive finds the
 * format (zip, tar, cpio, 7z, rar, each perhaps gzip/bzip2/xz/zstd/...
 * compressed) from the bytes, never from the name: the suffix only gives
 * the batch its name ("batch"), which a wrapping folder may repeat.
 * The limits are small (1 MiB a file, 4 MiB in all, 4096 entries), so
 * bombs cost little. batch_plan plans the batch, batch_read hands every
 * planned file's bytes to a callback that reads each of them.
 *
 * Besides the sanitizers' reports, the target aborts when a result breaks
 * batch.h's promises: a plan's paths are relative, without ".." or control
 * characters; every file is non-empty, within the limits, in a document
 * that exists, with its pages numbered in order; the totals add up; every
 * problem has a source and a reason; batch_read gives each planned file at
 * most once (exactly once when it succeeds), bytes or a reason but not
 * both; a file's bytes are no more than the plan says (so they are the
 * planned entry's, not a bigger refused one's of the same name) and all
 * files' bytes together stay within the total limit; an error comes with
 * a message.
 *
 *   build: cmake -DSOHOA_FUZZ=ON with CC=clang (tests/fuzz/CMakeLists.txt)
 *   run:   fuzz_archive -dict=tests/fuzz/archive.dict CORPUS_DIR tests/fuzz/corpus/archive
 */
#include <leptonica/allheaders.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ENTRY (1ull << 20)
#define FUZZ_MAX_TOTAL (4ull << 20)
#define FUZZ_MAX_ENTRIES 4096

static int verbose; /* FUZZ_VERBOSE=1: print each plan */
static char dir[64];
static char path[96];

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_archive: %s (%s)\n", what, detail ? detail : "-");
    abort();
}

static void cleanup(void)
{
    if (path[0])
        unlink(path);
    if (dir[0])
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* batch_count_frames asks Leptonica to count TIFF pages, and it
     * reports every bad input on stderr: keep the log readable */
    setMsgSeverity(L_SEVERITY_NONE);
    /* /dev/shm when there is one: a file rewritten per input stays in RAM */
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/fuzz_archive.XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror("fuzz_archive: mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/batch.zip", dir);
    verbose = getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE") == '1';
    atexit(cleanup);
    return 0;
}

static int write_input(const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int ok = fwrite(data, 1, size, fp) == size;
    ok &= fclose(fp) == 0;
    return ok ? 0 : -1;
}

/* relative, no "..", no control characters, no empty name */
static void check_relpath(const char *p)
{
    if (!p || !*p)
        fail("file without a path", NULL);
    if (p[0] == '/' || p[0] == '\\' || (p[1] == ':' && (p[2] == '/' || p[2] == '\\')))
        fail("absolute path in plan", p);
    for (const char *s = p; *s;) {
        size_t n = strcspn(s, "/\\");
        if (n == 2 && s[0] == '.' && s[1] == '.')
            fail("'..' in a planned path", p);
        s += n;
        if (*s)
            s++;
    }
    for (const unsigned char *s = (const unsigned char *)p; *s; s++)
        if (*s < 0x20 || *s == 0x7f)
            fail("control character in a planned path", p);
}

static void check_plan(const struct batch_plan *plan)
{
    if (!plan->is_archive)
        fail("a regular file not read as an archive", plan->path);
    if (!plan->name || strcmp(plan->name, "batch") != 0)
        fail("batch name not taken from the file name", plan->name);
    if (plan->limits.max_entry_bytes != FUZZ_MAX_ENTRY ||
        plan->limits.max_total_bytes != FUZZ_MAX_TOTAL)
        fail("limits not kept in the plan", NULL);
    if ((plan->nfiles && !plan->files) || (plan->ndocs && !plan->docs) ||
        (plan->nproblems && !plan->problems))
        fail("count without an array", NULL);

    uint64_t total = 0;
    size_t pages = 0;
    for (size_t i = 0; i < plan->nfiles; i++) {
        const struct batch_file *f = &plan->files[i];
        check_relpath(f->relpath);
        if (f->abspath)
            fail("archive file with a real path", f->abspath);
        if (!batch_is_image_name(f->relpath))
            fail("planned file is not an image by name", f->relpath);
        if (f->size == 0 || f->size > FUZZ_MAX_ENTRY)
            fail("planned file size outside 1..limit", f->relpath);
        total += f->size;
        if (f->nframes < 1)
            fail("nframes < 1", f->relpath);
        if (f->doc >= plan->ndocs)
            fail("file in a document that does not exist", f->relpath);
        if (f->first_seq < 1 || (uint64_t)f->first_seq + (uint64_t)f->nframes - 1 >
                                    (uint64_t)plan->docs[f->doc].npages)
            fail("page numbers outside the document", f->relpath);
        if (i > 0 && f->doc < plan->files[i - 1].doc)
            fail("files not grouped by document", f->relpath);
        if (i > 0 && f->doc == plan->files[i - 1].doc &&
            f->first_seq != plan->files[i - 1].first_seq + plan->files[i - 1].nframes)
            fail("pages of a document not numbered in a row", f->relpath);
        if ((i == 0 || f->doc != plan->files[i - 1].doc) && f->first_seq != 1)
            fail("a document's first page is not 1", f->relpath);
        pages += (size_t)f->nframes;
    }
    if (total > FUZZ_MAX_TOTAL)
        fail("planned files over the total limit", NULL);
    if (pages != plan->npages)
        fail("npages is not the sum of the files' pages", NULL);

    size_t docpages = 0;
    for (size_t d = 0; d < plan->ndocs; d++) {
        const struct batch_doc *doc = &plan->docs[d];
        if (!doc->dossier || !*doc->dossier || !doc->name || !*doc->name)
            fail("document without a dossier or a name", NULL);
        if (doc->npages < 1)
            fail("document without pages", doc->name);
        docpages += (size_t)doc->npages;
    }
    if (docpages != plan->npages)
        fail("documents' pages do not add up to npages", NULL);

    for (size_t i = 0; i < plan->nproblems; i++) {
        const struct batch_problem *p = &plan->problems[i];
        if (!p->source)
            fail("problem without a source", p->reason);
        if (!p->reason || !*p->reason)
            fail("problem without a reason", p->source);
    }
}

struct readctx {
    const struct batch_plan *plan;
    unsigned char *seen;
    size_t calls;
    uint64_t delivered;
    uint32_t hash;
};

static int on_file(void *vctx, size_t fi, uint8_t *data, size_t len, const char *reason)
{
    struct readctx *c = vctx;
    c->calls++;
    if (fi >= c->plan->nfiles)
        fail("callback for a file not in the plan", NULL);
    if (c->seen[fi]++)
        fail("a file handed over twice", c->plan->files[fi].relpath);
    if (verbose)
        fprintf(stderr, "  read %s: %zu bytes%s%s\n", c->plan->files[fi].relpath, len,
                reason ? ", " : "", reason ? reason : "");
    if (data) {
        if (reason)
            fail("bytes and a reason", reason);
        if (len > FUZZ_MAX_ENTRY)
            fail("file bytes over the entry limit", c->plan->files[fi].relpath);
        /* the bytes are the planned file's: no more than planned (fewer
         * happen: libarchive does not check a stored zip entry's data
         * against the size its header gives), and all of them together
         * within the batch limit */
        if (len > c->plan->files[fi].size)
            fail("more file bytes than the plan says", c->plan->files[fi].relpath);
        c->delivered += len;
        if (c->delivered > FUZZ_MAX_TOTAL)
            fail("files handed over exceed the total limit", c->plan->files[fi].relpath);
        /* read every byte (ASan checks the length) */
        uint32_t h = c->hash;
        for (size_t i = 0; i < len; i++)
            h = (h ^ data[i]) * 16777619u;
        c->hash = h;
        free(data);
    } else {
        if (!reason || !*reason)
            fail("neither bytes nor a reason", c->plan->files[fi].relpath);
        if (len != 0)
            fail("a length without bytes", reason);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (write_input(data, size) < 0)
        return 0;

    struct batch_limits lim;
    batch_limits_default(&lim);
    lim.max_entry_bytes = FUZZ_MAX_ENTRY;
    lim.max_total_bytes = FUZZ_MAX_TOTAL;
    lim.max_entries = FUZZ_MAX_ENTRIES;

    struct batch_plan *plan = NULL;
    char *msg = (char *)1;
    enum sohoa_err err = batch_plan(path, &lim, &plan, &msg);
    if (err != SOHOA_OK) {
        if (plan)
            fail("batch_plan failed but gave a plan", sohoa_strerror(err));
        if ((err == SOHOA_EFORMAT || err == SOHOA_EIO) && (!msg || !*msg))
            fail("batch_plan failed without a message", sohoa_strerror(err));
        if (msg == (char *)1)
            fail("batch_plan left errmsg unset", NULL);
        if (verbose)
            fprintf(stderr, "fuzz_archive: plan failed: %s\n", msg ? msg : sohoa_strerror(err));
        free(msg);
        return 0;
    }
    if (!plan)
        fail("batch_plan succeeded without a plan", NULL);
    if (msg)
        fail("batch_plan succeeded with a message", msg);
    check_plan(plan);
    if (verbose) {
        fprintf(stderr, "fuzz_archive: %zu files, %zu documents, %zu pages\n",
                plan->nfiles, plan->ndocs, plan->npages);
        for (size_t i = 0; i < plan->nfiles; i++)
            fprintf(stderr, "  page file %s (%llu bytes): doc %s/%s, pages %d..%d\n", plan->files[i].relpath,
                    (unsigned long long)plan->files[i].size,
                    plan->docs[plan->files[i].doc].dossier, plan->docs[plan->files[i].doc].name,
                    plan->files[i].first_seq, plan->files[i].first_seq + plan->files[i].nframes - 1);
        for (size_t i = 0; i < plan->nproblems; i++)
            fprintf(stderr, "  problem %s: %s\n", plan->problems[i].source, plan->problems[i].reason);
    }

    struct readctx c = {plan, calloc(plan->nfiles ? plan->nfiles : 1, 1), 0, 0, 2166136261u};
    if (!c.seen) {
        batch_plan_free(&plan);
        return 0;
    }
    msg = (char *)1;
    err = batch_read(plan, on_file, &c, &msg);
    if (msg == (char *)1)
        fail("batch_read left errmsg unset", NULL);
    if (err == SOHOA_OK) {
        if (msg)
            fail("batch_read succeeded with a message", msg);
        if (c.calls != plan->nfiles)
            fail("batch_read succeeded without handing over every file", NULL);
    } else if (err == SOHOA_EIO && (!msg || !*msg)) {
        fail("batch_read failed without a message", sohoa_strerror(err));
    }
    free(msg);
    free(c.seen);
    batch_plan_free(&plan);
    if (plan)
        fail("batch_plan_free left the plan", NULL);
    return 0;
}
