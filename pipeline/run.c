/*
 * run.c - running a batch through the pipeline.
 *
 *   set-up:    run_options_init, run_db_path, run_out_dir, run_lock, run_unlock
 *   running:   run_batch
 *
 * The main thread reads the batch (streaming archives) and hashes and
 * registers every page; new pages go into a bounded queue that N worker
 * threads empty, each with its own Tesseract engine. A worker turns a page
 * into a PDF page part (a file, written atomically) and then records the
 * result in the database in one statement, so a page is either done with
 * everything in place or still pending. The worker that finishes a
 * document's last page writes the document's outputs, first splitting a
 * file that holds several documents into parts (NAME, NAME~2, ...). All
 * database access is serialised by one mutex.
 */
#include "run.h"
#include "tone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "engine.h"
#include "meta.h"
#include "pdf.h"
#include "pdfin.h"
#include "prep.h"
#include "sha256.h"

/* Bytes of one page file, shared by the jobs of its frames. */
struct blob {
    uint8_t *data;
    size_t len;
    int refs;           /* guarded by the run mutex */
};

struct job {
    struct blob *blob;
    size_t file;        /* index in plan->files */
    int frame;
    int seq;
    int64_t page_id;
    size_t doc;
};

struct seen_page {
    char hex[65];       /* content hash of a one-page file */
    int seq;
    char *src;
};

struct docstate {
    int64_t id;
    int remaining;      /* pages not yet finished in this run */
    int failed;         /* pages failed in this run */
    int touched;        /* some page was processed in this run */
    struct seen_page *seen;     /* to tell the same file given twice */
    size_t nseen;
};

/* A page file whose content another page of the same document already
 * has (the same scan copied twice): its page number, or 0. Remembers it
 * otherwise. */
static int seen_before(struct docstate *ds, const char *hex, int seq, const char *src,
                       const char **first_src)
{
    for (size_t i = 0; i < ds->nseen; i++)
        if (strcmp(ds->seen[i].hex, hex) == 0) {
            *first_src = ds->seen[i].src;
            return ds->seen[i].seq;
        }
    void *n = realloc(ds->seen, (ds->nseen + 1) * sizeof *ds->seen);
    if (n) {
        ds->seen = n;
        memcpy(ds->seen[ds->nseen].hex, hex, 65);
        ds->seen[ds->nseen].seq = seq;
        ds->seen[ds->nseen].src = strdup(src);
        ds->nseen += ds->seen[ds->nseen].src != NULL;
    }
    return 0;
}

struct run {
    const struct run_options *opt;
    struct batch_plan *plan;
    struct db *db;
    char *out_dir;
    char *pages_dir;
    char *fontfile;
    struct tone_model *tone;        /* NULL: no tone-mark correction */
    struct docstate *docs;
    int64_t batch_id;

    pthread_mutex_t mu;             /* db, counters, docs, blobs */
    pthread_mutex_t qmu;
    pthread_cond_t qnotempty, qnotfull;
    struct job *q;
    size_t qcap, qhead, qlen;
    int qclosed;
    int stop;                       /* fatal error: stop taking work */
    enum sohoa_err fatal;
    char fatalmsg[512];

    int total, done, failed, skipped, blank, opens_doc;
    int split;                      /* files split into documents */
    double t0;
};

void run_options_init(struct run_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->osd = 1;
    opt->clear_border = 1;
    opt->tone_fix = 1;
    opt->drop_ink = 1;
    opt->lang = "vie";
    batch_limits_default(&opt->limits);
}

char *run_db_path(const char *data_dir)
{
    return util_path_join(data_dir, "sohoa.db");
}

char *run_out_dir(const char *data_dir)
{
    return util_path_join(data_dir, "out");
}

enum sohoa_err run_lock(const char *data_dir, int *pfd, char **holder)
{
    *pfd = -1;
    *holder = NULL;
    char *path = util_path_join(data_dir, "run.lock");
    if (!path)
        return SOHOA_ENOMEM;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0)
        return errno == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char buf[256] = {0};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
            buf[n] = '\0';
            char *nl = strchr(buf, '\n');
            if (nl)
                *nl = '\0';
            *holder = strdup(buf);
        }
        close(fd);
        return SOHOA_EBUSY;
    }
    char host[128] = "?", now[32], line[320];
    gethostname(host, sizeof host - 1);
    util_now_iso(now, sizeof now);
    int n = snprintf(line, sizeof line, "pid %ld on %s since %s\n", (long)getpid(),
                     host, now);
    if (ftruncate(fd, 0) == 0 && n > 0)
        (void)!pwrite(fd, line, (size_t)n, 0);
    *pfd = fd;
    return SOHOA_OK;
}

void run_unlock(int fd)
{
    if (fd >= 0) {
        if (ftruncate(fd, 0) != 0) {
            /* nothing to do: the lock goes with the descriptor */
        }
        flock(fd, LOCK_UN);
        close(fd);
    }
}

/* ---- events ---- */

static void emit(struct run *r, enum run_event_type t, const char *source, int page,
                 const char *reason)
{
    if (!r->opt->on_event)
        return;
    struct run_event ev = {t, source, page, reason, r->total, r->done, r->failed,
                           r->skipped, util_monotonic() - r->t0};
    r->opt->on_event(r->opt->ctx, &ev);
}

static void set_fatal(struct run *r, enum sohoa_err e, const char *msg)
{
    if (!r->stop) {
        r->stop = 1;
        r->fatal = e;
        snprintf(r->fatalmsg, sizeof r->fatalmsg, "%s", msg);
    }
}

/* ---- queue ---- */

static int queue_push(struct run *r, const struct job *j)
{
    pthread_mutex_lock(&r->qmu);
    while (r->qlen == r->qcap && !r->stop)
        pthread_cond_wait(&r->qnotfull, &r->qmu);
    if (r->stop) {
        pthread_mutex_unlock(&r->qmu);
        return -1;
    }
    r->q[(r->qhead + r->qlen) % r->qcap] = *j;
    r->qlen++;
    pthread_cond_signal(&r->qnotempty);
    pthread_mutex_unlock(&r->qmu);
    return 0;
}

static int queue_pop(struct run *r, struct job *j)
{
    pthread_mutex_lock(&r->qmu);
    while (r->qlen == 0 && !r->qclosed && !r->stop)
        pthread_cond_wait(&r->qnotempty, &r->qmu);
    if (r->qlen == 0 || r->stop) {
        pthread_mutex_unlock(&r->qmu);
        return -1;
    }
    *j = r->q[r->qhead];
    r->qhead = (r->qhead + 1) % r->qcap;
    r->qlen--;
    pthread_cond_signal(&r->qnotfull);
    pthread_mutex_unlock(&r->qmu);
    return 0;
}

static void queue_close(struct run *r)
{
    pthread_mutex_lock(&r->qmu);
    r->qclosed = 1;
    pthread_cond_broadcast(&r->qnotempty);
    pthread_cond_broadcast(&r->qnotfull);
    pthread_mutex_unlock(&r->qmu);
}

static void wake_all(struct run *r)
{
    pthread_mutex_lock(&r->qmu);
    pthread_cond_broadcast(&r->qnotempty);
    pthread_cond_broadcast(&r->qnotfull);
    pthread_mutex_unlock(&r->qmu);
}

static void blob_unref(struct run *r, struct blob *b)
{
    pthread_mutex_lock(&r->mu);
    int left = --b->refs;
    pthread_mutex_unlock(&r->mu);
    if (left == 0) {
        free(b->data);
        free(b);
    }
}

/* ---- document outputs ---- */

static char *part_path(struct run *r, int64_t page_id)
{
    char name[64];
    snprintf(name, sizeof name, "%lld.part", (long long)page_id);
    return util_path_join(r->pages_dir, name);
}

static const char hocr_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
    "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"vi\" lang=\"vi\">\n"
    " <head>\n  <title></title>\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
    "  <meta name=\"ocr-system\" content=\"sohoa " SOHOA_VERSION " (tesseract)\"/>\n"
    "  <meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line"
    " ocrx_word ocrp_wconf\"/>\n"
    " </head>\n <body>\n";

int run_meta_from_pages(const struct db_page *pages, size_t n, struct meta *m)
{
    const char **texts = calloc(n ? n : 1, sizeof *texts);
    const char **hocrs = calloc(n ? n : 1, sizeof *hocrs);
    int rc = -1;
    if (texts && hocrs) {
        for (size_t i = 0; i < n; i++) {
            texts[i] = pages[i].text ? pages[i].text : "";
            hocrs[i] = pages[i].hocr;
        }
        rc = meta_extract(texts, hocrs, n, m);
    }
    free(texts);
    free(hocrs);
    return rc;
}

/*
 * Write one document's PDF, text and hOCR from its pages (all done), store
 * its metadata and record it done. On failure why says what went wrong:
 * SOHOA_EFULL and SOHOA_EIO are the data folder failing (the run stops),
 * others fail the document. Called without r->mu held.
 */
static enum sohoa_err write_document(struct run *r, int64_t id, const char *dossier,
                                     const char *name, const struct db_page *pages,
                                     size_t n, char *why, size_t whysz)
{
    char *dir = NULL, *base = NULL, *pdf = NULL, *txt = NULL, *hocr = NULL;
    char **parts = NULL;
    struct strbuf t = STRBUF_INIT, h = STRBUF_INIT, label = STRBUF_INIT;
    enum sohoa_err err = SOHOA_OK;

    strbuf_addf(&label, "%s/%s", dossier, name);
    dir = util_path_join(r->out_dir, dossier);
    base = dir ? util_path_join(dir, name) : NULL;
    parts = calloc(n ? n : 1, sizeof *parts);
    if (!base || !parts || !label.buf) {
        snprintf(why, whysz, "out of memory");
        err = SOHOA_ENOMEM;
        goto out;
    }
    if ((err = util_mkdirs(dir, 0755)) != SOHOA_OK) {
        snprintf(why, whysz, "cannot create '%s': %s", dir, sohoa_strerror(err));
        goto out;
    }
    strbuf_addf(&t, "%s.pdf", base);
    pdf = strbuf_detach(&t, NULL);
    strbuf_addf(&t, "%s.txt", base);
    txt = strbuf_detach(&t, NULL);
    strbuf_addf(&t, "%s.hocr", base);
    hocr = strbuf_detach(&t, NULL);
    for (size_t i = 0; i < n; i++) {
        parts[i] = part_path(r, pages[i].id);
        if (!parts[i] || !pdf || !txt || !hocr) {
            snprintf(why, whysz, "out of memory");
            err = SOHOA_ENOMEM;
            goto out;
        }
    }
    err = pdf_join_pages(pdf, parts, n, r->fontfile, label.buf, why, whysz);
    if (err)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_adds(&t, "\f");
        strbuf_adds(&t, pages[i].text ? pages[i].text : "");
    }
    if ((err = util_write_atomic(txt, t.buf ? t.buf : "", t.len)) != SOHOA_OK) {
        snprintf(why, whysz, "cannot write '%s': %s", txt, sohoa_strerror(err));
        goto out;
    }
    strbuf_adds(&h, hocr_head);
    for (size_t i = 0; i < n; i++)
        strbuf_adds(&h, pages[i].hocr ? pages[i].hocr : "");
    strbuf_adds(&h, " </body>\n</html>\n");
    if ((err = util_write_atomic(hocr, h.buf, h.len)) != SOHOA_OK) {
        snprintf(why, whysz, "cannot write '%s': %s", hocr, sohoa_strerror(err));
        goto out;
    }
    /* the metadata, from the pages' text and words */
    {
        struct meta m;
        if (run_meta_from_pages(pages, n, &m) < 0) {
            snprintf(why, whysz, "out of memory reading metadata");
            err = SOHOA_ENOMEM;
            goto out;
        }
        pthread_mutex_lock(&r->mu);
        err = db_meta_store(r->db, id, &m);
        pthread_mutex_unlock(&r->mu);
        meta_release(&m);
        if (err) {
            snprintf(why, whysz, "cannot store metadata: %s", db_errmsg(r->db));
            goto out;
        }
    }
    pthread_mutex_lock(&r->mu);
    if (db_document_state(r->db, id, "done", NULL, pdf, txt, hocr))
        set_fatal(r, SOHOA_EDB, db_errmsg(r->db));
    else
        emit(r, RUN_EV_DOC_DONE, label.buf, 0, NULL);
    pthread_mutex_unlock(&r->mu);
out:
    if (parts)
        for (size_t i = 0; i < n; i++)
            free(parts[i]);
    free(parts);
    free(dir);
    free(base);
    free(pdf);
    free(txt);
    free(hocr);
    strbuf_release(&t);
    strbuf_release(&h);
    strbuf_release(&label);
    return err;
}

/* The data folder failing (full disk, I/O error): stop the run, the
 * document stays pending for the next one. Otherwise mark it failed. */
static void document_failed(struct run *r, int64_t id, const char *label,
                            enum sohoa_err err, const char *why)
{
    pthread_mutex_lock(&r->mu);
    if (err == SOHOA_EFULL || err == SOHOA_EIO) {
        set_fatal(r, err, why);
        pthread_mutex_unlock(&r->mu);
        wake_all(r);
        return;
    }
    if (db_document_state(r->db, id, "failed", why, NULL, NULL, NULL))
        set_fatal(r, SOHOA_EDB, db_errmsg(r->db));
    emit(r, RUN_EV_DOC_FAILED, label, 0, why);
    pthread_mutex_unlock(&r->mu);
}

/*
 * A file's pages are all through: split it where a later page opens a
 * document of its own (see meta_opens_document), then write each part as
 * a document. A file that no longer splits (or splits elsewhere) is
 * joined again first: the split follows the pages of this version of the
 * file. Called without r->mu held.
 */
static void finish_document(struct run *r, size_t di)
{
    const struct batch_doc *bd = &r->plan->docs[di];
    struct docstate *ds = &r->docs[di];
    struct db_page *pages = NULL;
    size_t n = 0;
    int *starts = NULL;
    struct db_split sp;
    struct strbuf label = STRBUF_INIT, msg = STRBUF_INIT;
    char why[512] = "";
    enum sohoa_err err;

    memset(&sp, 0, sizeof sp);
    strbuf_addf(&label, "%s/%s", bd->dossier, bd->name);
    pthread_mutex_lock(&r->mu);
    err = db_file_pages(r->db, ds->id, 1, &pages, &n);
    pthread_mutex_unlock(&r->mu);
    if (err) {
        snprintf(why, sizeof why, "cannot read pages: %s", db_errmsg(r->db));
        goto failed;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(pages[i].state, "done") != 0) {
            snprintf(why, sizeof why, "page %d %s%s%s", pages[i].file_seq,
                     strcmp(pages[i].state, "failed") == 0 ? "failed" : "not processed",
                     pages[i].reason ? ": " : "", pages[i].reason ? pages[i].reason : "");
            goto failed;
        }
    }
    if ((int)n != bd->npages) {
        snprintf(why, sizeof why, "%zu of %d pages recorded", n, bd->npages);
        goto failed;
    }
    /* where the parts begin: the first page, and every later one that
     * opens a document (a blank page opens nothing) */
    starts = malloc((n ? n : 1) * sizeof *starts);
    if (!starts) {
        snprintf(why, sizeof why, "out of memory");
        goto failed;
    }
    int nparts = 1;
    starts[0] = 1;
    for (size_t i = 1; i < n; i++)
        if (pages[i].opens_doc && !pages[i].blank)
            starts[nparts++] = (int)i + 1;
    pthread_mutex_lock(&r->mu);
    err = db_split_file(r->db, ds->id, starts, nparts, (int)n, &sp);
    if (err) {
        set_fatal(r, err, db_errmsg(r->db));
        pthread_mutex_unlock(&r->mu);
        wake_all(r);
        goto cleanup;
    }
    pthread_mutex_unlock(&r->mu);
    /* the outputs of parts an earlier split made and this one does not; one
     * that cannot go is only a stray file (no record points to it) */
    for (size_t i = 0; i < sp.nstale; i++)
        (void)unlink(sp.stale[i]);
    if (sp.refused[0]) {
        strbuf_addf(&msg, "opens another document at page %d, but %s/%s is the name of"
                    " a document that is not part of this file: kept whole",
                    starts[1], bd->dossier, sp.refused);
        pthread_mutex_lock(&r->mu);
        emit(r, RUN_EV_DOC_NOT_SPLIT, label.buf, starts[1], msg.buf);
        pthread_mutex_unlock(&r->mu);
    } else if (sp.nparts > 1) {
        strbuf_addf(&msg, "split into %d documents at page%s", sp.nparts,
                    sp.nparts > 2 ? "s" : "");
        for (int k = 1; k < sp.nparts; k++)
            strbuf_addf(&msg, "%s %d", k > 1 ? "," : "", starts[k]);
        strbuf_adds(&msg, ":");
        for (int k = 1; k < sp.nparts; k++)
            strbuf_addf(&msg, "%s %s/%s~%d", k > 1 ? "," : "", bd->dossier, bd->name, k + 1);
        pthread_mutex_lock(&r->mu);
        r->split++;
        emit(r, RUN_EV_DOC_SPLIT, label.buf, 0, msg.buf);
        pthread_mutex_unlock(&r->mu);
    }
    for (int k = 0; k < sp.nparts && !r->stop; k++) {
        size_t begin = (size_t)starts[k] - 1;
        size_t end = k + 1 < sp.nparts ? (size_t)starts[k + 1] - 1 : n;
        struct strbuf name = STRBUF_INIT;
        if (k)
            strbuf_addf(&name, "%s~%d", bd->name, k + 1);
        else
            strbuf_adds(&name, bd->name);
        why[0] = '\0';
        err = name.buf ? write_document(r, sp.part_ids[k], bd->dossier, name.buf,
                                        pages + begin, end - begin, why, sizeof why)
                       : SOHOA_ENOMEM;
        if (err) {
            struct strbuf pl = STRBUF_INIT;
            strbuf_addf(&pl, "%s/%s", bd->dossier, name.buf ? name.buf : bd->name);
            document_failed(r, sp.part_ids[k], pl.buf ? pl.buf : label.buf, err,
                            why[0] ? why : "out of memory");
            strbuf_release(&pl);
        }
        strbuf_release(&name);
    }
    goto cleanup;

failed:
    /* an incomplete file is one failed document: an earlier split is
     * undone (its parts are made again once every page is through) */
    if (!err) {
        static const int whole[] = {1};
        pthread_mutex_lock(&r->mu);
        err = db_split_file(r->db, ds->id, whole, 1, bd->npages, &sp);
        if (err)
            set_fatal(r, err, db_errmsg(r->db));
        pthread_mutex_unlock(&r->mu);
        for (size_t i = 0; !err && i < sp.nstale; i++)
            (void)unlink(sp.stale[i]);
        if (err) {
            wake_all(r);
            goto cleanup;
        }
    }
    document_failed(r, ds->id, label.buf, err, why);
cleanup:
    db_split_release(&sp);
    db_pages_free(pages, n);
    free(starts);
    strbuf_release(&label);
    strbuf_release(&msg);
}

/* ---- one page ---- */

struct page_out {
    struct ocr_result res;
    struct strbuf part;
    int w, h, dpi, quads;
    float skew;
    float scale;        /* recognition scale */
    int blank;
    float low_conf;
    const char *orient_how;
    const char *origin;     /* see db_page_result */
    int opens_doc;
};

/*
 * Decode a page: an image file's frame, or a PDF's page. For a PDF, *pp
 * holds the page (its stored image is *orig, to be turned by pp->quads),
 * and embed, embed_len what the archive copy may embed as it is.
 */
static enum sohoa_err decode_page(const struct job *j, PIX **orig, struct pdfin_page *pp,
                                  const uint8_t **embed, size_t *embed_len,
                                  char *why, size_t whysz)
{
    const uint8_t *data = j->blob->data;
    size_t len = j->blob->len;
    *embed = data;
    *embed_len = len;
    if (!pdfin_is_pdf(data, len))
        return prep_decode(data, len, j->frame, orig, why, whysz);
    enum sohoa_err err = pdfin_load(data, len, j->frame, j->seq - 1, pp, why, whysz);
    if (err)
        return err;
    *orig = pixClone(pp->pix);
    *embed = pp->jpeg;
    *embed_len = pp->jpeg_len;
    return *orig ? SOHOA_OK : SOHOA_ENOMEM;
}

/* the share of a page's pixels its coloured ink must cover to be read */
#define INK_MIN_SHARE 0.0005f
/* the header's part of a page, where marks and signature boxes stand */
#define INK_HEADER_SHARE 0.4

/*
 * Read the coloured ink of the page's top part (po->quads: the turn OCR
 * found, not yet added to the PDF's own) and put the marks it holds (MẬT,
 * KHẨN stamped in red) before the page's text, a paragraph of their own;
 * their words join the text layer. Returns 1 if it added some, 0 if not,
 * -1 when out of memory.
 */
static int read_ink_header(struct ocr_engine *eng, PIX *orig, const struct pdfin_page *pp,
                           struct page_out *po, int wdpi, int page_no)
{
    PIX *ink = prep_ink_layer(orig, INK_MIN_SHARE), *t;
    if (!ink)
        return 0;
    /* as the page was made for recognition: turned, straightened, scaled */
    int quads[2] = {pp->quads, po->quads};
    for (int k = 0; k < 2 && ink; k++)
        if (quads[k]) {
            t = pixRotateOrth(ink, quads[k]);
            pixDestroy(&ink);
            ink = t;
        }
    if (ink && fabsf(po->skew) >= 0.1f) {
        t = prep_rotate(ink, po->skew);
        pixDestroy(&ink);
        ink = t;
    }
    if (ink && po->scale != 1.0f) {
        t = pixScale(ink, po->scale, po->scale);
        pixDestroy(&ink);
        ink = t;
    }
    BOX *b = ink ? boxCreate(0, 0, pixGetWidth(ink),
                             (int)(pixGetHeight(ink) * INK_HEADER_SHARE)) : NULL;
    PIX *top = b ? pixClipRectangle(ink, b, NULL) : NULL;
    boxDestroy(&b);
    pixDestroy(&ink);
    if (!top)
        return -1;
    /* only where the ink is (Tesseract's time goes with the area): its
     * box, with a margin; words keep the page's coordinates */
    BOX *fg = NULL;
    PIX *bin = pixConvertTo1(top, 128);
    int fx = 0, fy = 0;
    if (bin && pixClipToForeground(bin, NULL, &fg) == 0 && fg) {
        l_int32 x, y, w, h, m = wdpi / 10;
        boxGetGeometry(fg, &x, &y, &w, &h);
        BOX *cb = boxCreate(x - m > 0 ? x - m : 0, y - m > 0 ? y - m : 0, w + 2 * m, h + 2 * m);
        PIX *c = cb ? pixClipRectangle(top, cb, NULL) : NULL;
        if (c) {
            boxGetGeometry(cb, &fx, &fy, NULL, NULL);
            pixDestroy(&top);
            top = c;
        }
        boxDestroy(&cb);
    }
    boxDestroy(&fg);
    pixDestroy(&bin);
    struct ocr_result res;
    enum sohoa_err e = ocr_recognize(eng, top, wdpi, page_no, &res);
    pixDestroy(&top);
    if (e)
        return e == SOHOA_ENOMEM ? -1 : 0;
    /* its lines (words read with confidence of at least 60) that are marks
     * and nothing else; the rest (a signature's box, a seal's ring, ink
     * writing) is not the document's text */
    struct strbuf sb = STRBUF_INIT, line = STRBUF_INIT;
    size_t added = 0, from = 0;
    int rc = 0;
    for (size_t i = 0; i < res.nwords; i++) {
        struct ocr_word *w = &res.words[i];
        if (w->conf >= 60.0f) {
            if (line.len)
                strbuf_adds(&line, " ");
            strbuf_adds(&line, w->text);
        }
        if (!w->eol && i + 1 < res.nwords)
            continue;
        if (line.len && meta_marks_line(line.buf)) {
            strbuf_add(&sb, line.buf, line.len);
            strbuf_adds(&sb, "\n");
            /* its words, for the text layer */
            for (size_t k = from; k <= i; k++) {
                if (res.words[k].conf < 60.0f)
                    continue;
                void *nw = realloc(po->res.words,
                                   (po->res.nwords + 1) * sizeof *po->res.words);
                if (!nw) {
                    rc = -1;
                    goto out;
                }
                po->res.words = nw;
                struct ocr_word *d = &po->res.words[po->res.nwords++];
                *d = res.words[k];
                res.words[k].text = NULL;   /* moved */
                d->x1 += fx;
                d->x2 += fx;
                d->y1 += fy;
                d->y2 += fy;
                d->baseline += fy;
                d->eol = k == i;
            }
            added++;
        }
        line.len = 0;
        if (line.buf)
            line.buf[0] = '\0';
        from = i + 1;
    }
    if (added) {
        strbuf_adds(&sb, "\n");
        strbuf_adds(&sb, po->res.text ? po->res.text : "");
        char *text = strbuf_detach(&sb, NULL);
        if (!text) {
            rc = -1;
            goto out;
        }
        free(po->res.text);
        po->res.text = text;
        rc = 1;
    }
out:
    strbuf_release(&sb);
    strbuf_release(&line);
    ocr_result_release(&res);
    return rc;
}

static enum sohoa_err process_page(struct run *r, struct ocr_engine *eng,
                                   const struct job *j, struct page_out *po,
                                   char *why, size_t whysz)
{
    PIX *orig = NULL, *grey = NULL, *work = NULL, *up = NULL, *rec = NULL;
    struct pdfin_page pp;
    const uint8_t *embed;
    size_t embed_len;
    enum sohoa_err err;

    memset(&pp, 0, sizeof pp);
    err = decode_page(j, &orig, &pp, &embed, &embed_len, why, whysz);
    if (err)
        return err;
    int is_pdf = pp.pix != NULL;
    po->origin = !is_pdf                     ? "image"
                 : pp.how == PDFIN_NATIVE    ? "pdf-image"
                 : pp.how == PDFIN_RENDERED  ? "pdf-drawn"
                                             : "pdf-text";
    po->w = pixGetWidth(orig);
    po->h = pixGetHeight(orig);
    if (pp.how == PDFIN_TEXT && is_pdf) {
        /* born-digital: its own text, not recognised */
        struct pdf_page_geom g = {0, 0.0f, pp.dpi, po->w, po->h, 1.0};
        po->res = pp.text;
        memset(&pp.text, 0, sizeof pp.text);
        po->dpi = pp.dpi;
        po->scale = 1.0f;
        po->orient_how = "text";
        err = pdf_page_build(NULL, 0, orig, &g, po->res.words, po->res.nwords, &po->part);
        if (err)
            snprintf(why, whysz, "cannot build PDF page: %s", sohoa_strerror(err));
        goto cleanup;
    }
    /* red and blue ink (seals, signatures, stamps) is not text to read; the
     * archive copy keeps it */
    grey = r->opt->drop_ink ? prep_grey_ink(orig, NULL) : prep_grey(orig);
    if (grey && pp.quads) {
        /* the PDF page shows its image turned */
        PIX *t = pixRotateOrth(grey, pp.quads);
        pixDestroy(&grey);
        grey = t;
    }
    if (!grey) {
        snprintf(why, whysz, "cannot convert image to grey");
        err = SOHOA_EFORMAT;
        goto cleanup;
    }
    /* the scale the text wants for recognition; orientation is found on
     * the page at that scale */
    int nmarks = 0;
    int text_h = prep_text_height_count(grey, &nmarks);
    po->scale = prep_recognition_scale(text_h);
    /* the PDF shows the page at its true size: the resolution the file
     * claims, unless page shape and text say otherwise. Tesseract is told
     * the claimed one: measured on the corpus' poor pages (200 dpi claiming
     * 300) the true one gave 344 errors instead of 324. */
    po->dpi = is_pdf ? pp.dpi : prep_page_dpi_checked(orig, text_h, NULL);
    int claimed_dpi = is_pdf ? pp.dpi : prep_page_dpi(orig, NULL);
    if (r->opt->clear_border) {
        long cleared = 0;
        PIX *clear = prep_clear_border(grey, po->dpi, &cleared);
        if (clear) {
            pixDestroy(&grey);
            grey = clear;
        }
    }
    work = po->scale != 1.0f ? pixScale(grey, po->scale, po->scale) : pixClone(grey);
    if (!work) {
        snprintf(why, whysz, "out of memory preparing the page");
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    int wdpi = (int)(claimed_dpi * po->scale + 0.5f);
    po->quads = 0;
    po->orient_how = "none";
    /* hundreds of character-sized marks: surely not blank, skip the check */
    po->blank = nmarks < 300 && prep_is_blank(work, (int)(po->dpi * po->scale + 0.5f));
    if (po->blank) {
        /* kept in the archive copy as scanned, not recognised */
        static const char *const empty = "";
        po->quads = pp.quads;
        struct pdf_page_geom g = {pp.quads, 0.0f, po->dpi, pixGetWidth(work),
                                  pixGetHeight(work), po->scale};
        po->res.text = strdup(empty);
        struct strbuf h = STRBUF_INIT;
        strbuf_addf(&h, "  <div class='ocr_page' id='page_%d' title='bbox 0 0 %d %d;"
                    " ppageno %d'></div>\n", j->seq, po->w, po->h, j->seq - 1);
        po->res.hocr = strbuf_detach(&h, NULL);
        if (!po->res.text || !po->res.hocr) {
            snprintf(why, whysz, "out of memory");
            err = SOHOA_ENOMEM;
            goto cleanup;
        }
        err = pdf_page_build(embed, embed_len, orig, &g, NULL, 0, &po->part);
        if (err)
            snprintf(why, whysz, "cannot build PDF page: %s", sohoa_strerror(err));
        goto cleanup;
    }
    if (r->opt->osd) {
        enum ocr_orient_how how;
        ocr_orientation(eng, work, wdpi, &po->quads, &how);
        po->orient_how = how == OCR_ORIENT_OSD     ? "osd"
                         : how == OCR_ORIENT_BAND  ? "band"
                         : how == OCR_ORIENT_SHAPE ? "shape"
                                                   : "none";
    }
    /* turn and straighten at full resolution, then scale: rotating the
     * scaled page costs accuracy */
    up = po->quads ? pixRotateOrth(grey, po->quads) : pixClone(grey);
    if (up) {
        PIX *straight = prep_deskew(up, &po->skew);
        /* neither turned nor straightened: the page at recognition scale
         * is already made */
        if (straight && straight == grey)
            rec = pixClone(work);
        else if (straight)
            rec = po->scale != 1.0f ? pixScale(straight, po->scale, po->scale)
                                    : pixClone(straight);
        /* specks cost accuracy on poor scans (measured: 341 -> 324 errors on
         * the corpus' poor pages, no change on clean and scan ones) */
        PIX *clean = rec ? prep_despeckle(rec) : NULL;
        if (clean) {
            pixDestroy(&rec);
            rec = clean;
        }
        pixDestroy(&straight);
    }
    if (!rec) {
        snprintf(why, whysz, "out of memory turning the page");
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    err = ocr_recognize(eng, rec, wdpi, j->seq - 1, &po->res);
    if (err) {
        snprintf(why, whysz, "recognition failed");
        goto cleanup;
    }
    /* uneven light (a yellowed sheet, a lamp) can defeat Tesseract's single
     * threshold: when such a page gave far fewer words than it shows
     * letters, level the paper and read it again, keeping the better. Not
     * done everywhere: on even pages, and on a photographed page, levelling
     * cost accuracy (scan 226 -> 235 errors; photo 81 -> 148). */
    if ((size_t)nmarks > po->res.nwords * 8 && prep_uneven_light(rec)) {
        PIX *flat = prep_flatten(rec);
        struct ocr_result again;
        if (flat && ocr_recognize(eng, flat, wdpi, j->seq - 1, &again) == SOHOA_OK) {
            if (again.nwords > po->res.nwords) {
                ocr_result_release(&po->res);
                po->res = again;
            } else {
                ocr_result_release(&again);
            }
        }
        pixDestroy(&flat);
    }
    /* red and blue ink faded above is read on its own in the header's
     * part of a document's first page: marks stamped in red (KHẨN, MẬT)
     * decide who may see a document, and a digital signature's box names
     * the signer */
    if (r->opt->drop_ink && j->seq == 1 &&
        read_ink_header(eng, orig, &pp, po, wdpi, j->seq - 1) < 0) {
        snprintf(why, whysz, "out of memory reading coloured ink");
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    /* tone marks from context: measured on the corpus, poor 313 -> 254
     * errors (59 changes, all right), clean 226 -> 222 */
    if (r->tone && ocr_fix_tones(r->tone, &po->res) < 0) {
        snprintf(why, whysz, "out of memory correcting tone marks");
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    /* marks of the words of headers, titles and signer blocks from their
     * vocabulary (--no-tone-fix turns it off too): on the real scans 21
     * words changed, all right */
    if (r->opt->tone_fix && ocr_fix_capitals(&po->res) < 0) {
        snprintf(why, whysz, "out of memory correcting the marks of capitals");
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    {
        size_t low = 0;
        for (size_t i = 0; i < po->res.nwords; i++)
            low += po->res.words[i].conf < DB_LOW_CONF;
        po->low_conf = po->res.nwords ? (float)low / (float)po->res.nwords : 0.0f;
    }
    /* turned from the file's image: the PDF page's own turn, then ours */
    po->quads = (po->quads + pp.quads) & 3;
    struct pdf_page_geom g = {po->quads, po->skew, po->dpi, pixGetWidth(rec),
                              pixGetHeight(rec), po->scale};
    err = pdf_page_build(embed, embed_len, orig, &g, po->res.words,
                         po->res.nwords, &po->part);
    if (err)
        snprintf(why, whysz, "cannot build PDF page: %s", sohoa_strerror(err));
cleanup:
    pixDestroy(&rec);
    pixDestroy(&up);
    pixDestroy(&work);
    pixDestroy(&grey);
    pixDestroy(&orig);
    pdfin_page_release(&pp);
    return err;
}

static void page_label(struct run *r, const struct job *j, char *buf, size_t n)
{
    const struct batch_file *f = &r->plan->files[j->file];
    if (f->nframes > 1)
        snprintf(buf, n, "%s [page %d]", f->relpath, j->frame + 1);
    else
        snprintf(buf, n, "%s", f->relpath);
}

static void *worker(void *arg)
{
    struct run *r = arg;
    struct ocr_options oo = {r->opt->tessdata, r->opt->lang, r->opt->osd,
                             r->opt->tess_vars};
    char why[512];
    struct ocr_engine *eng = ocr_engine_new(&oo, why, sizeof why);
    if (!eng) {
        pthread_mutex_lock(&r->mu);
        set_fatal(r, SOHOA_EOCR, why);
        pthread_mutex_unlock(&r->mu);
        wake_all(r);
        return NULL;
    }
    pthread_mutex_lock(&r->mu);
    if (!r->fontfile)
        r->fontfile = util_path_join(ocr_engine_datapath(eng), "pdf.ttf");
    pthread_mutex_unlock(&r->mu);

    struct job j;
    while (queue_pop(r, &j) == 0) {
        struct page_out po;
        char label[1024];
        memset(&po, 0, sizeof po);
        why[0] = '\0';
        page_label(r, &j, label, sizeof label);
        enum sohoa_err err = process_page(r, eng, &j, &po, why, sizeof why);
        /* a later page of a file with a header of its own: the file
         * holds two documents, split when it is finished */
        if (!err && j.seq > 1 && !po.blank)
            po.opens_doc = meta_opens_document(po.res.text);
        blob_unref(r, j.blob);
        char *pp = NULL;
        if (!err) {
            pp = part_path(r, j.page_id);
            err = pp ? util_write_atomic(pp, po.part.buf, po.part.len) : SOHOA_ENOMEM;
            if (err) {
                snprintf(why, sizeof why, "cannot write '%s': %s", pp ? pp : "page part",
                         sohoa_strerror(err));
            }
        }
        free(pp);
        int finished_doc = 0;
        pthread_mutex_lock(&r->mu);
        if (err == SOHOA_EFULL || err == SOHOA_EIO) {
            /* the data folder is failing us: stop cleanly, page stays pending */
            set_fatal(r, err, why);
            pthread_mutex_unlock(&r->mu);
            ocr_result_release(&po.res);
            strbuf_release(&po.part);
            wake_all(r);
            break;
        }
        struct docstate *ds = &r->docs[j.doc];
        enum sohoa_err dberr;
        if (!err) {
            struct db_page_result pr = {po.res.text, po.res.hocr, po.res.mean_conf,
                                        po.w, po.h, po.dpi, po.quads * 90, po.skew,
                                        (int)po.res.nwords, po.blank, po.low_conf,
                                        po.orient_how, po.origin, po.opens_doc};
            dberr = db_page_done(r->db, j.page_id, &pr);
            if (!dberr) {
                r->done++;
                r->blank += po.blank;
                r->opens_doc += po.opens_doc;
                emit(r, RUN_EV_PAGE_DONE, label, j.seq, NULL);
            }
        } else {
            dberr = db_page_failed(r->db, j.page_id, why);
            if (!dberr) {
                r->failed++;
                ds->failed++;
                emit(r, RUN_EV_PAGE_FAILED, label, j.seq, why);
            }
        }
        if (dberr) {
            set_fatal(r, dberr, db_errmsg(r->db));
        } else {
            ds->touched = 1;
            finished_doc = --ds->remaining == 0;
        }
        pthread_mutex_unlock(&r->mu);
        ocr_result_release(&po.res);
        strbuf_release(&po.part);
        if (dberr) {
            wake_all(r);
            break;
        }
        if (finished_doc)
            finish_document(r, j.doc);
    }
    ocr_engine_free(&eng);
    return NULL;
}

/* ---- reading the batch ---- */

static int on_file(void *ctx, size_t fi, uint8_t *data, size_t len, const char *reason)
{
    struct run *r = ctx;
    const struct batch_file *f = &r->plan->files[fi];
    char hex[65];
    struct blob *b = NULL;

    if (r->stop) {
        free(data);
        return 1;
    }
    if (data) {
        b = calloc(1, sizeof *b);
        if (!b) {
            free(data);
            pthread_mutex_lock(&r->mu);
            set_fatal(r, SOHOA_ENOMEM, "out of memory");
            pthread_mutex_unlock(&r->mu);
            return 1;
        }
        b->data = data;
        b->len = len;
        b->refs = 1; /* held by this function until all frames are queued */
    }
    for (int fr = 0; fr < f->nframes; fr++) {
        struct job j = {b, fi, fr, f->first_seq + fr, 0, f->doc};
        char src[1024];
        int done = 0;
        enum sohoa_err err;
        if (data) {
            if (f->nframes > 1) {
                /* a frame's identity: the file's content and its position */
                struct sha256 c;
                uint8_t dig[32];
                char tag[32];
                sha256_init(&c);
                sha256_update(&c, data, len);
                snprintf(tag, sizeof tag, "#frame=%d", fr);
                sha256_update(&c, tag, strlen(tag));
                sha256_final(&c, dig);
                sha256_to_hex(dig, hex);
            } else {
                sha256_hex(data, len, hex);
            }
        } else {
            snprintf(hex, sizeof hex, "unreadable");
        }
        if (f->nframes > 1)
            snprintf(src, sizeof src, "%s#%d", f->relpath, fr + 1);
        else
            snprintf(src, sizeof src, "%s", f->relpath);
        pthread_mutex_lock(&r->mu);
        const char *first_src = NULL;
        int dup = data && f->nframes == 1
                      ? seen_before(&r->docs[f->doc], hex, j.seq, src, &first_src)
                      : 0;
        err = db_page_prepare(r->db, r->docs[f->doc].id, j.seq, src, fr, hex,
                              r->batch_id, &j.page_id, &done);
        if (err) {
            set_fatal(r, err, db_errmsg(r->db));
            pthread_mutex_unlock(&r->mu);
            break;
        }
        struct docstate *ds = &r->docs[f->doc];
        if (done) {
            r->skipped++;
            ds->remaining--;
            emit(r, RUN_EV_PAGE_SKIPPED, src, j.seq, NULL);
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        char dupwhy[1200];
        if (dup) {
            snprintf(dupwhy, sizeof dupwhy, "same content as page %d (%s): the same"
                     " file given twice? Remove one and run again", dup, first_src);
            reason = dupwhy;
        }
        if (!data || dup) {
            err = db_page_failed(r->db, j.page_id, reason ? reason : "cannot read");
            if (err) {
                set_fatal(r, err, db_errmsg(r->db));
                pthread_mutex_unlock(&r->mu);
                break;
            }
            r->failed++;
            ds->failed++;
            ds->touched = 1;
            ds->remaining--;
            emit(r, RUN_EV_PAGE_FAILED, src, j.seq, reason);
            int fin = ds->remaining == 0;
            pthread_mutex_unlock(&r->mu);
            if (fin)
                finish_document(r, f->doc);
            if (dup)
                reason = NULL;
            continue;
        }
        b->refs++;
        pthread_mutex_unlock(&r->mu);
        if (queue_push(r, &j) < 0) {
            blob_unref(r, b);
            break;
        }
    }
    if (b)
        blob_unref(r, b);
    return r->stop;
}

/* A document recorded done with its three output files in place. */
static int outputs_ok(struct run *r, int64_t id)
{
    struct db_doc_info info;
    int ok = 0;
    if (db_document_info(r->db, id, &info) != SOHOA_OK)
        return 0;
    if (strcmp(info.state, "done") == 0) {
        char *dir = util_path_join(r->out_dir, info.dossier);
        static const char *const exts[] = {"pdf", "txt", "hocr"};
        ok = dir != NULL;
        for (int k = 0; ok && k < 3; k++) {
            struct strbuf p = STRBUF_INIT;
            struct stat st;
            strbuf_addf(&p, "%s/%s.%s", dir, info.name, exts[k]);
            ok = p.buf && stat(p.buf, &st) == 0;
            strbuf_release(&p);
        }
        free(dir);
    }
    db_document_info_release(&info);
    return ok;
}

static void release_run(struct run *r)
{
    for (size_t i = 0; r->docs && r->plan && i < r->plan->ndocs; i++) {
        for (size_t k = 0; k < r->docs[i].nseen; k++)
            free(r->docs[i].seen[k].src);
        free(r->docs[i].seen);
    }
    batch_plan_free(&r->plan);
    db_close(&r->db);
    free(r->out_dir);
    free(r->pages_dir);
    free(r->fontfile);
    tone_model_free(r->tone);
    free(r->docs);
    free(r->q);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->qmu);
    pthread_cond_destroy(&r->qnotempty);
    pthread_cond_destroy(&r->qnotfull);
}

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && strbuf_grow(&sb, (size_t)n) == 0) {
        va_start(ap, fmt);
        vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sb.len = (size_t)n;
    }
    return strbuf_detach(&sb, NULL);
}

/* "<name>.tmp.<pid>": a file being written when a run was stopped */
static int is_stale_tmp(const char *name)
{
    const char *t = strstr(name, ".tmp.");
    if (!t || t == name)
        return 0;
    t += 5;
    return *t && strspn(t, "0123456789") == strlen(t);
}

/* Remove what runs that were killed left half written (the run lock is
 * held: no other run is writing). */
static void remove_stale_tmp(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *p = util_path_join(dir, de->d_name);
        struct stat st;
        if (p && lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth > 0)
                remove_stale_tmp(p, depth - 1);
            else if (S_ISREG(st.st_mode) && is_stale_tmp(de->d_name))
                unlink(p);
        }
        free(p);
    }
    closedir(d);
}

enum sohoa_err run_batch(const char *batch, const struct run_options *opt,
                         struct run_summary *sum, char **errmsg)
{
    struct run r;
    enum sohoa_err err;
    char *dbpath = NULL, *planmsg = NULL;
    pthread_t *th = NULL;
    int nth = 0;

    memset(&r, 0, sizeof r);
    memset(sum, 0, sizeof *sum);
    *errmsg = NULL;
    r.opt = opt;
    r.t0 = util_monotonic();
    pthread_mutex_init(&r.mu, NULL);
    pthread_mutex_init(&r.qmu, NULL);
    pthread_cond_init(&r.qnotempty, NULL);
    pthread_cond_init(&r.qnotfull, NULL);

    /* look at the batch before touching the data folder */
    err = batch_plan(batch, &opt->limits, &r.plan, &planmsg);
    if (err) {
        *errmsg = planmsg ? planmsg : msgf("cannot read batch '%s': %s", batch,
                                           sohoa_strerror(err));
        goto out;
    }
    if (r.plan->npages == 0 && r.plan->nproblems == 0) {
        *errmsg = msgf("batch '%s' holds no page images", batch);
        err = SOHOA_ENOENT;
        goto out;
    }
    if (opt->tone_fix) {
        char why[512] = "";
        const char *path = opt->tone_model ? opt->tone_model : tone_model_default_path();
        r.tone = tone_model_load(path, why, sizeof why);
        if (!r.tone) {
            *errmsg = msgf("cannot load the tone-mark model '%s': %s (set %s, or run"
                           " with --no-tone-fix)", path, why, TONE_MODEL_ENV);
            err = SOHOA_EOCR;
            goto out;
        }
    }
    r.out_dir = run_out_dir(opt->data_dir);
    r.pages_dir = util_path_join(opt->data_dir, "work/pages");
    dbpath = run_db_path(opt->data_dir);
    if (!r.out_dir || !r.pages_dir || !dbpath) {
        err = SOHOA_ENOMEM;
        goto out;
    }
    if ((err = util_mkdirs(r.pages_dir, 0755)) || (err = util_mkdirs(r.out_dir, 0755))) {
        *errmsg = msgf("cannot create data folder '%s': %s", opt->data_dir,
                       sohoa_strerror(err));
        goto out;
    }
    remove_stale_tmp(r.out_dir, 2);
    remove_stale_tmp(r.pages_dir, 0);
    err = db_open(dbpath, 0, &r.db);
    if (err) {
        *errmsg = msgf("%s", db_errmsg(r.db));
        goto out;
    }

    /* record the batch, its refused entries and its documents */
    r.docs = calloc(r.plan->ndocs ? r.plan->ndocs : 1, sizeof *r.docs);
    if (!r.docs) {
        err = SOHOA_ENOMEM;
        goto out;
    }
    if ((err = db_begin(r.db)))
        goto dberr;
    if ((err = db_batch_begin(r.db, r.plan->path, r.plan->name, &r.batch_id)))
        goto dberr_rb;
    for (size_t i = 0; i < r.plan->nproblems; i++)
        if ((err = db_failure_add(r.db, r.batch_id, r.plan->problems[i].source,
                                  r.plan->problems[i].reason)))
            goto dberr_rb;
    for (size_t i = 0; i < r.plan->ndocs; i++) {
        const struct batch_doc *d = &r.plan->docs[i];
        if ((err = db_document_get(r.db, r.batch_id, d->dossier, d->name, d->npages,
                                   &r.docs[i].id)))
            goto dberr_rb;
        r.docs[i].remaining = d->npages;
    }
    if ((err = db_commit(r.db)))
        goto dberr;
    r.total = (int)r.plan->npages;
    emit(&r, RUN_EV_START, r.plan->path, 0, NULL);
    for (size_t i = 0; i < r.plan->nproblems; i++)
        emit(&r, RUN_EV_PROBLEM, r.plan->problems[i].source, 0,
             r.plan->problems[i].reason);

    /* workers */
    nth = opt->jobs > 0 ? opt->jobs : util_ncpus();
    if (nth > 64)
        nth = 64;
    r.qcap = (size_t)nth * 2;
    r.q = calloc(r.qcap, sizeof *r.q);
    th = calloc((size_t)nth, sizeof *th);
    if (!r.q || !th) {
        err = SOHOA_ENOMEM;
        goto out;
    }
    int started = 0;
    for (int i = 0; i < nth; i++) {
        if (pthread_create(&th[i], NULL, worker, &r) != 0)
            break;
        started++;
    }
    if (started == 0) {
        *errmsg = msgf("cannot start worker threads");
        err = SOHOA_ENOMEM;
        goto out;
    }
    char *readmsg = NULL;
    enum sohoa_err rerr = batch_read(r.plan, on_file, &r, &readmsg);
    queue_close(&r);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    /* after a stop, pages still queued stay pending for the next run */
    while (r.qlen > 0) {
        blob_unref(&r, r.q[r.qhead].blob);
        r.qhead = (r.qhead + 1) % r.qcap;
        r.qlen--;
    }
    if (rerr && !r.stop) {
        set_fatal(&r, rerr, readmsg ? readmsg : sohoa_strerror(rerr));
    }
    free(readmsg);

    /* documents with nothing new whose outputs are missing (e.g. a crash
     * after their last page) are finished now */
    if (!r.stop) {
        for (size_t i = 0; i < r.plan->ndocs && !r.stop; i++) {
            if (r.docs[i].touched || r.docs[i].remaining != 0)
                continue;
            /* not recorded done (stopped between its files and the
             * record), or a file of it missing: write it all again; the
             * same for the parts a split made of it */
            int redo = !outputs_ok(&r, r.docs[i].id);
            int64_t *parts = NULL;
            size_t np = 0;
            if (!redo && db_document_parts(r.db, r.docs[i].id, &parts, &np) != SOHOA_OK)
                redo = 1;
            for (size_t k = 0; !redo && k < np; k++)
                redo = !outputs_ok(&r, parts[k]);
            free(parts);
            if (redo)
                finish_document(&r, i);
        }
    }
    if (r.stop) {
        err = r.fatal ? r.fatal : SOHOA_EIO;
        *errmsg = msgf("%s", r.fatalmsg);
    }
    {
        const char *status = r.stop ? "stopped" : (r.failed || r.plan->nproblems)
                                                      ? "done with failures" : "done";
        enum sohoa_err e2 = db_batch_finish(r.db, r.batch_id, r.total, r.done, r.failed,
                                            r.skipped, status);
        if (e2 && !err) {
            err = e2;
            *errmsg = msgf("%s", db_errmsg(r.db));
        }
    }
    sum->batch_id = r.batch_id;
    sum->total = r.total;
    sum->done = r.done;
    sum->failed = r.failed;
    sum->skipped = r.skipped;
    sum->blank = r.blank;
    sum->opens_doc = r.opens_doc;
    sum->split = r.split;
    sum->problems = (int)r.plan->nproblems;
    goto out;

dberr_rb:
    db_rollback(r.db);
dberr:
    *errmsg = msgf("%s", db_errmsg(r.db));
out:
    sum->seconds = util_monotonic() - r.t0;
    free(th);
    free(dbpath);
    release_run(&r);
    return err;
}
