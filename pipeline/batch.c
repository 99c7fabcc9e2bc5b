/*
 * batch.c - planning and reading scanner batches.
 *
 *   planning:  batch_limits_default, batch_plan, batch_plan_free
 *   reading:   batch_read
 *   helpers:   batch_is_image_name, batch_count_frames
 *
 * A batch is looked at twice: once to list and check its entries (so that
 * pages can be numbered in natural order and unsafe entries refused before
 * anything is read), then to hand each page file's bytes to the caller.
 * Archive entries are only ever read into memory; nothing is extracted.
 */
#include "batch.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pdfin.h"

#define MAX_DEPTH 16

/* Entry collected during the listing pass, before the layout is known. */
struct entry {
    char *relpath;
    char *abspath;
    char **comp;        /* path components */
    int ncomp;
    uint64_t size;
    int nframes;
    size_t order;       /* position in the listing */
    uint64_t index;     /* archives: which entry (1 = first), to read it again */
};

struct lister {
    struct entry *e;
    size_t n, cap;
    struct batch_problem *prob;
    size_t nprob, capprob;
    uint64_t total;
    const struct batch_limits *lim;
};

void batch_limits_default(struct batch_limits *lim)
{
    lim->max_entry_bytes = 512ull << 20;   /* 512 MiB for one file */
    lim->max_total_bytes = 64ull << 30;    /* 64 GiB for the batch */
    lim->max_entries = 1000000;
}

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

int batch_is_image_name(const char *name)
{
    static const char *const ext[] = {".tif", ".tiff", ".png", ".jpg",
                                      ".jpeg", ".jpe", ".bmp", ".pnm",
                                      ".pbm", ".pgm", ".ppm", ".webp",
                                      ".jp2", ".gif", ".pdf", NULL};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (int i = 0; ext[i]; i++)
        if (strcasecmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

/* Files that operating systems and scanners leave behind: ignored. */
static int is_junk(const char *comp)
{
    return comp[0] == '.' || strcmp(comp, "__MACOSX") == 0 ||
           strcasecmp(comp, "Thumbs.db") == 0 ||
           strcasecmp(comp, "desktop.ini") == 0;
}

int batch_count_frames(const uint8_t *data, size_t len)
{
    if (len < 4)
        return 1;
    if (pdfin_is_pdf(data, len)) {
        /* a PDF that cannot be opened is one page, failed with the reason
         * when it is read */
        char why[200];
        int n = pdfin_count(data, len, why, sizeof why);
        return n > 0 ? n : 1;
    }
    int tiff = (data[0] == 'I' && data[1] == 'I' && data[2] == 42 && data[3] == 0) ||
               (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == 42);
    if (!tiff)
        return 1;
    FILE *fp = fmemopen((void *)data, len, "rb");
    if (!fp)
        return 1;
    l_int32 n = 1;
    if (tiffGetCount(fp, &n) != 0 || n < 1)
        n = 1;
    fclose(fp);
    return n;
}

static int add_problem(struct lister *l, const char *source, const char *reason)
{
    if (l->nprob == l->capprob) {
        size_t cap = l->capprob ? 2 * l->capprob : 8;
        void *p = realloc(l->prob, cap * sizeof *l->prob);
        if (!p)
            return -1;
        l->prob = p;
        l->capprob = cap;
    }
    l->prob[l->nprob].source = xstrdup(source);
    l->prob[l->nprob].reason = xstrdup(reason);
    l->nprob++;
    return 0;
}

static void free_comps(char **comp, int n)
{
    for (int i = 0; i < n; i++)
        free(comp[i]);
    free(comp);
}

/*
 * Split a path inside a batch into components, refusing what could escape
 * the batch: absolute paths, "..", control characters. Backslashes count
 * as separators (zip files written on Windows). Returns NULL and a reason.
 */
static char **split_path(const char *path, int *pn, const char **why)
{
    *pn = 0;
    *why = NULL;
    if (path[0] == '/' || path[0] == '\\' ||
        (path[0] && path[1] == ':' && (path[2] == '/' || path[2] == '\\'))) {
        *why = "absolute path refused";
        return NULL;
    }
    char **comp = NULL;
    int n = 0;
    const char *p = path;
    while (*p) {
        const char *q = p;
        while (*q && *q != '/' && *q != '\\')
            q++;
        size_t len = (size_t)(q - p);
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
                *why = "control character in path refused";
                free_comps(comp, n);
                return NULL;
            }
        }
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            *why = "path with '..' refused";
            free_comps(comp, n);
            return NULL;
        }
        if (len > 0 && !(len == 1 && p[0] == '.')) {
            if (n >= MAX_DEPTH) {
                *why = "path nested too deep";
                free_comps(comp, n);
                return NULL;
            }
            char **nc = realloc(comp, (size_t)(n + 1) * sizeof *comp);
            if (!nc) {
                free_comps(comp, n);
                *why = "out of memory";
                return NULL;
            }
            comp = nc;
            comp[n] = strndup(p, len);
            if (!comp[n]) {
                free_comps(comp, n);
                *why = "out of memory";
                return NULL;
            }
            n++;
        }
        p = *q ? q + 1 : q;
    }
    if (n == 0) {
        *why = "empty path";
        free(comp);
        return NULL;
    }
    *pn = n;
    return comp;
}

/* Add an entry that passed the checks. Takes ownership of comp. */
static int add_entry(struct lister *l, const char *relpath, const char *abspath,
                     char **comp, int ncomp, uint64_t size, int nframes)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        void *p = realloc(l->e, cap * sizeof *l->e);
        if (!p)
            return -1;
        l->e = p;
        l->cap = cap;
    }
    struct entry *e = &l->e[l->n++];
    e->relpath = xstrdup(relpath);
    e->abspath = xstrdup(abspath);
    e->comp = comp;
    e->ncomp = ncomp;
    e->size = size;
    e->nframes = nframes;
    e->index = 0;
    return 0;
}

/*
 * Decide whether a listed path is a page file, junk to ignore, or a
 * problem. Returns 1 to keep (comp set), 0 to drop (problem recorded or
 * junk), -1 on allocation failure.
 */
static int check_name(struct lister *l, const char *relpath, char ***pcomp,
                      int *pn)
{
    const char *why;
    char **comp = split_path(relpath, pn, &why);
    if (!comp)
        return add_problem(l, relpath, why) < 0 ? -1 : 0;
    for (int i = 0; i < *pn; i++) {
        if (is_junk(comp[i])) {
            free_comps(comp, *pn);
            return 0;
        }
    }
    if (!batch_is_image_name(comp[*pn - 1])) {
        const char *dot = strrchr(comp[*pn - 1], '.');
        char msg[128];
        if (dot)
            snprintf(msg, sizeof msg, "unsupported file type '%.40s'", dot);
        else
            snprintf(msg, sizeof msg, "unsupported file type (no extension)");
        free_comps(comp, *pn);
        return add_problem(l, relpath, msg) < 0 ? -1 : 0;
    }
    *pcomp = comp;
    return 1;
}

static int check_size(struct lister *l, const char *relpath, uint64_t size)
{
    char msg[160];
    if (size == 0) {
        add_problem(l, relpath, "empty file (0 bytes)");
        return 0;
    }
    if (size > l->lim->max_entry_bytes) {
        snprintf(msg, sizeof msg, "file too large: %llu bytes, limit %llu",
                 (unsigned long long)size,
                 (unsigned long long)l->lim->max_entry_bytes);
        add_problem(l, relpath, msg);
        return 0;
    }
    if (l->total + size > l->lim->max_total_bytes) {
        snprintf(msg, sizeof msg, "batch too large: over %llu bytes in all",
                 (unsigned long long)l->lim->max_total_bytes);
        add_problem(l, relpath, msg);
        return 0;
    }
    l->total += size;
    return 1;
}

/* Files that may hold several pages: TIFF and PDF. */
static int is_multipage_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".tif") == 0 || strcasecmp(dot, ".tiff") == 0 ||
                   strcasecmp(dot, ".pdf") == 0);
}

/* ---- folders ---- */

static int walk_dir(struct lister *l, const char *abs, const char *rel, int depth)
{
    DIR *d = opendir(abs);
    if (!d) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot open folder: %s", strerror(errno));
        return add_problem(l, rel[0] ? rel : ".", msg);
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (is_junk(de->d_name))
            continue;
        char *a = util_path_join(abs, de->d_name);
        char *r = rel[0] ? util_path_join(rel, de->d_name) : xstrdup(de->d_name);
        if (!a || !r) {
            free(a);
            free(r);
            rc = -1;
            break;
        }
        struct stat st;
        if (lstat(a, &st) < 0) {
            rc = add_problem(l, r, strerror(errno));
        } else if (S_ISLNK(st.st_mode)) {
            rc = add_problem(l, r, "symbolic link not followed");
        } else if (S_ISDIR(st.st_mode)) {
            if (depth + 1 >= MAX_DEPTH)
                rc = add_problem(l, r, "folder nested too deep");
            else
                rc = walk_dir(l, a, r, depth + 1);
        } else if (!S_ISREG(st.st_mode)) {
            rc = add_problem(l, r, "not a regular file (device, pipe or socket)");
        } else {
            char **comp = NULL;
            int ncomp = 0;
            int k = check_name(l, r, &comp, &ncomp);
            if (k < 0) {
                rc = -1;
            } else if (k > 0) {
                if (!check_size(l, r, (uint64_t)st.st_size)) {
                    free_comps(comp, ncomp);
                } else {
                    int nframes = 1;
                    if (is_multipage_name(r)) {
                        uint8_t *data;
                        size_t len;
                        if (util_read_file(a, &data, &len) == SOHOA_OK) {
                            nframes = batch_count_frames(data, len);
                            free(data);
                        }
                    }
                    rc = add_entry(l, r, a, comp, ncomp, (uint64_t)st.st_size,
                                   nframes);
                }
            }
        }
        free(a);
        free(r);
    }
    closedir(d);
    return rc;
}

/* ---- archives ---- */

static struct archive *open_archive(const char *path)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_all(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK)
        return a; /* caller looks at archive_errno/error_string */
    return a;
}

/* Read the current entry's data into memory, enforcing the size limit. */
static int read_entry_data(struct archive *a, uint64_t limit, uint8_t **pdata,
                           size_t *plen, char *why, size_t whysz)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[1 << 16];
    *pdata = NULL;
    *plen = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0) {
            snprintf(why, whysz, "cannot read archive entry: %s",
                     archive_error_string(a) ? archive_error_string(a) : "error");
            strbuf_release(&sb);
            return n == ARCHIVE_FATAL ? -2 : -1;
        }
        if (sb.len + (size_t)n > limit) {
            snprintf(why, whysz, "entry expands past the limit of %llu bytes",
                     (unsigned long long)limit);
            strbuf_release(&sb);
            return -1;
        }
        if (strbuf_add(&sb, buf, (size_t)n) < 0) {
            snprintf(why, whysz, "out of memory");
            strbuf_release(&sb);
            return -2;
        }
    }
    if (!sb.buf)
        strbuf_grow(&sb, 0);
    *pdata = (uint8_t *)strbuf_detach(&sb, plen);
    return 0;
}

static enum sohoa_err list_archive(struct lister *l, const char *path,
                                   char **errmsg)
{
    struct archive *a = open_archive(path);
    struct archive_entry *ae;
    enum sohoa_err err = SOHOA_OK;
    uint64_t count = 0;
    if (!a)
        return SOHOA_ENOMEM;
    if (archive_errno(a) != 0 || archive_error_string(a)) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "cannot read archive '%s': %s", path,
                    archive_error_string(a) ? archive_error_string(a)
                                            : "unknown format");
        *errmsg = strbuf_detach(&sb, NULL);
        archive_read_free(a);
        return SOHOA_EFORMAT;
    }
    for (;;) {
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_FATAL && count > 0) {
            /* cut short or damaged part way: what came before is kept */
            struct strbuf sb = STRBUF_INIT;
            strbuf_addf(&sb, "archive cut short or damaged after %llu entries (%s): the"
                        " entries after that are lost", (unsigned long long)count,
                        archive_error_string(a) ? archive_error_string(a) : "error");
            add_problem(l, path, sb.buf ? sb.buf : "archive damaged");
            strbuf_release(&sb);
            break;
        }
        if (r == ARCHIVE_FATAL) {
            struct strbuf sb = STRBUF_INIT;
            strbuf_addf(&sb, "cannot read archive '%s': %s", path,
                        archive_error_string(a) ? archive_error_string(a) : "error");
            *errmsg = strbuf_detach(&sb, NULL);
            err = SOHOA_EFORMAT;
            break;
        }
        if (++count > l->lim->max_entries) {
            add_problem(l, path, "too many entries in archive; the rest is ignored");
            break;
        }
        const char *name = archive_entry_pathname(ae);
        char namebuf[64];
        if (!name) {
            snprintf(namebuf, sizeof namebuf, "(entry %llu without a name)",
                     (unsigned long long)count);
            add_problem(l, namebuf, "entry without a usable name");
            continue;
        }
        mode_t type = archive_entry_filetype(ae);
        if (type == AE_IFDIR)
            continue;
        /* junk is dropped silently, whatever its type */
        {
            int n;
            const char *why;
            char **comp = split_path(name, &n, &why);
            int junk = 0;
            for (int i = 0; comp && i < n; i++)
                junk |= is_junk(comp[i]);
            free_comps(comp, comp ? n : 0);
            if (junk)
                continue;
        }
        if (type == AE_IFLNK || archive_entry_symlink(ae)) {
            add_problem(l, name, "symbolic link refused");
            continue;
        }
        if (archive_entry_hardlink(ae)) {
            add_problem(l, name, "hard link refused");
            continue;
        }
        if (type != AE_IFREG) {
            add_problem(l, name, "not a regular file (device, pipe or socket) refused");
            continue;
        }
        if (archive_entry_is_encrypted(ae)) {
            add_problem(l, name, "encrypted entry: cannot read without a password");
            continue;
        }
        char **comp = NULL;
        int ncomp = 0;
        int k = check_name(l, name, &comp, &ncomp);
        if (k < 0) {
            err = SOHOA_ENOMEM;
            break;
        }
        if (k == 0)
            continue;
        int nframes = 1;
        uint64_t size = archive_entry_size_is_set(ae)
                            ? (uint64_t)archive_entry_size(ae) : 0;
        if (archive_entry_size_is_set(ae) && !check_size(l, name, size)) {
            free_comps(comp, ncomp);
            continue;
        }
        if (is_multipage_name(name) || !archive_entry_size_is_set(ae)) {
            uint8_t *data;
            size_t len;
            char why[200];
            int rr = read_entry_data(a, l->lim->max_entry_bytes, &data, &len,
                                     why, sizeof why);
            if (rr < 0) {
                add_problem(l, name, why);
                free_comps(comp, ncomp);
                if (rr == -2)
                    break;
                continue;
            }
            if (!archive_entry_size_is_set(ae)) {
                size = len;
                if (!check_size(l, name, size)) {
                    free(data);
                    free_comps(comp, ncomp);
                    continue;
                }
            }
            nframes = batch_count_frames(data, len);
            free(data);
        }
        if (add_entry(l, name, NULL, comp, ncomp, size, nframes) < 0) {
            err = SOHOA_ENOMEM;
            break;
        }
        l->e[l->n - 1].index = count;
    }
    archive_read_free(a);
    return err;
}

/* ---- layout ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static char *strip_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? strndup(name, (size_t)(dot - name)) : strdup(name);
}

/* Batch name: the base name without archive suffixes. */
static char *batch_name(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    const char *b = base_name(copy);
    static const char *const suf[] = {".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst",
                                      ".tgz", ".tar", ".zip", ".7z", ".rar", NULL};
    size_t bl = strlen(b);
    char *out = NULL;
    for (int i = 0; suf[i] && !out; i++) {
        size_t sl = strlen(suf[i]);
        if (bl > sl && strcasecmp(b + bl - sl, suf[i]) == 0)
            out = strndup(b, bl - sl);
    }
    if (!out)
        out = strdup(b);
    free(copy);
    return out;
}

struct sortent {
    const struct entry *e;
    const char *dossier;
    char *doc;          /* owned */
    int skip;           /* components stripped */
};

static int cmp_sortent(const void *pa, const void *pb)
{
    const struct sortent *a = pa, *b = pb;
    int c = util_natcmp(a->dossier, b->dossier);
    if (!c)
        c = strcmp(a->dossier, b->dossier);
    if (!c)
        c = util_natcmp(a->doc, b->doc);
    if (!c)
        c = strcmp(a->doc, b->doc);
    if (!c)
        c = util_natcmp(a->e->relpath, b->e->relpath);
    if (!c)
        c = strcmp(a->e->relpath, b->e->relpath);
    return c;
}

static int cmp_entry_index(const void *pa, const void *pb)
{
    const struct batch_file *a = *(const struct batch_file *const *)pa;
    const struct batch_file *b = *(const struct batch_file *const *)pb;
    return a->entry_index < b->entry_index ? -1 : a->entry_index > b->entry_index;
}

static int cmp_entry_path(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    int c = strcmp(a->relpath, b->relpath);
    if (c)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* An archive may hold two entries with one name: the first one is used. */
static int drop_duplicates(struct lister *l)
{
    if (l->n < 2)
        return 0;
    for (size_t i = 0; i < l->n; i++)
        l->e[i].order = i;
    qsort(l->e, l->n, sizeof *l->e, cmp_entry_path);
    size_t out = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->e[i].relpath, l->e[out - 1].relpath) == 0) {
            if (add_problem(l, l->e[i].relpath,
                            "duplicate entry name in archive: only the first is used") < 0)
                return -1;
            free(l->e[i].relpath);
            free(l->e[i].abspath);
            free_comps(l->e[i].comp, l->e[i].ncomp);
            continue;
        }
        l->e[out++] = l->e[i];
    }
    l->n = out;
    return 0;
}

static enum sohoa_err build_plan(struct lister *l, struct batch_plan *plan)
{
    enum sohoa_err err = SOHOA_OK;
    if (drop_duplicates(l) < 0)
        return SOHOA_ENOMEM;
    size_t n = l->n;
    /* strip a single folder wrapping the whole batch */
    int skip = 0;
    for (;;) {
        if (n == 0)
            break;
        int mind = MAX_DEPTH + 1, maxd = 0, same = 1;
        for (size_t i = 0; i < n; i++) {
            int d = l->e[i].ncomp - skip;
            mind = d < mind ? d : mind;
            maxd = d > maxd ? d : maxd;
            if (strcmp(l->e[i].comp[skip], l->e[0].comp[skip]) != 0)
                same = 0;
        }
        /* a folder named like the batch itself also wraps it */
        if (same && mind >= 3 &&
            (maxd >= 4 || strcmp(l->e[0].comp[skip], plan->name) == 0))
            skip++;
        else
            break;
    }
    struct sortent *se = calloc(n ? n : 1, sizeof *se);
    if (!se)
        return SOHOA_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &l->e[i];
        int d = e->ncomp - skip;
        se[i].e = e;
        se[i].skip = skip;
        if (d == 1) {
            se[i].dossier = plan->name;
            se[i].doc = strip_ext(e->comp[skip]);
        } else if (d == 2) {
            se[i].dossier = e->comp[skip];
            se[i].doc = strip_ext(e->comp[skip + 1]);
        } else {
            se[i].dossier = e->comp[skip];
            se[i].doc = strdup(e->comp[skip + 1]);
        }
        if (!se[i].doc) {
            err = SOHOA_ENOMEM;
            goto cleanup;
        }
    }
    qsort(se, n, sizeof *se, cmp_sortent);
    plan->files = calloc(n ? n : 1, sizeof *plan->files);
    plan->docs = calloc(n ? n : 1, sizeof *plan->docs);
    if (!plan->files || !plan->docs) {
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        struct batch_doc *doc = plan->ndocs ? &plan->docs[plan->ndocs - 1] : NULL;
        if (!doc || strcmp(doc->dossier, se[i].dossier) != 0 ||
            strcmp(doc->name, se[i].doc) != 0) {
            doc = &plan->docs[plan->ndocs++];
            doc->dossier = strdup(se[i].dossier);
            doc->name = se[i].doc;
            se[i].doc = NULL;
            if (!doc->dossier) {
                err = SOHOA_ENOMEM;
                goto cleanup;
            }
        }
        struct batch_file *f = &plan->files[plan->nfiles++];
        f->relpath = xstrdup(se[i].e->relpath);
        f->abspath = xstrdup(se[i].e->abspath);
        f->size = se[i].e->size;
        f->nframes = se[i].e->nframes;
        f->entry_index = se[i].e->index;
        f->doc = plan->ndocs - 1;
        f->first_seq = doc->npages + 1;
        doc->npages += f->nframes;
        plan->npages += (size_t)f->nframes;
    }
cleanup:
    for (size_t i = 0; i < n; i++)
        free(se[i].doc);
    free(se);
    return err;
}

static void free_lister(struct lister *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->e[i].relpath);
        free(l->e[i].abspath);
        free_comps(l->e[i].comp, l->e[i].ncomp);
    }
    free(l->e);
    for (size_t i = 0; i < l->nprob; i++) {
        free(l->prob[i].source);
        free(l->prob[i].reason);
    }
    free(l->prob);
}

enum sohoa_err batch_plan(const char *path, const struct batch_limits *lim,
                          struct batch_plan **pplan, char **errmsg)
{
    struct lister l;
    struct batch_plan *plan = NULL;
    struct stat st;
    enum sohoa_err err = SOHOA_OK;

    *pplan = NULL;
    *errmsg = NULL;
    memset(&l, 0, sizeof l);
    if (!path || !*path)
        return SOHOA_EINVAL;
    plan = calloc(1, sizeof *plan);
    if (!plan)
        return SOHOA_ENOMEM;
    if (lim)
        plan->limits = *lim;
    else
        batch_limits_default(&plan->limits);
    l.lim = &plan->limits;
    plan->path = strdup(path);
    plan->name = batch_name(path);
    if (!plan->path || !plan->name) {
        err = SOHOA_ENOMEM;
        goto fail;
    }
    if (stat(path, &st) < 0) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "cannot open batch '%s': %s", path,
                    errno == ENOENT ? "no such file or directory" : strerror(errno));
        *errmsg = strbuf_detach(&sb, NULL);
        err = SOHOA_ENOENT;
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        if (walk_dir(&l, path, "", 0) < 0) {
            err = SOHOA_ENOMEM;
            goto fail;
        }
    } else if (S_ISREG(st.st_mode)) {
        plan->is_archive = 1;
        err = list_archive(&l, path, errmsg);
        if (err)
            goto fail;
    } else {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "cannot open batch '%s': not a folder or an archive", path);
        *errmsg = strbuf_detach(&sb, NULL);
        err = SOHOA_EINVAL;
        goto fail;
    }
    err = build_plan(&l, plan);
    if (err)
        goto fail;
    plan->problems = l.prob;
    plan->nproblems = l.nprob;
    l.prob = NULL;
    l.nprob = 0;
    free_lister(&l);
    *pplan = plan;
    return SOHOA_OK;
fail:
    free_lister(&l);
    batch_plan_free(&plan);
    return err;
}

void batch_plan_free(struct batch_plan **pplan)
{
    struct batch_plan *p = pplan ? *pplan : NULL;
    if (!p)
        return;
    for (size_t i = 0; i < p->nfiles; i++) {
        free(p->files[i].relpath);
        free(p->files[i].abspath);
    }
    free(p->files);
    for (size_t i = 0; i < p->ndocs; i++) {
        free(p->docs[i].dossier);
        free(p->docs[i].name);
    }
    free(p->docs);
    for (size_t i = 0; i < p->nproblems; i++) {
        free(p->problems[i].source);
        free(p->problems[i].reason);
    }
    free(p->problems);
    free(p->path);
    free(p->name);
    free(p);
    *pplan = NULL;
}

/* ---- reading ---- */

enum sohoa_err batch_read(const struct batch_plan *plan, batch_file_fn fn,
                          void *ctx, char **errmsg)
{
    *errmsg = NULL;
    if (!plan->is_archive) {
        for (size_t i = 0; i < plan->nfiles; i++) {
            uint8_t *data;
            size_t len;
            enum sohoa_err e = util_read_file(plan->files[i].abspath, &data, &len);
            int stop;
            if (e) {
                char why[256];
                snprintf(why, sizeof why, "cannot read file: %s", strerror(errno));
                stop = fn(ctx, i, NULL, 0, why);
            } else {
                stop = fn(ctx, i, data, len, NULL);
            }
            if (stop)
                return SOHOA_OK;
        }
        return SOHOA_OK;
    }

    /* archive: stream it again and deliver the planned entries as they come */
    enum sohoa_err err = SOHOA_OK;
    const struct batch_file **idx = calloc(plan->nfiles ? plan->nfiles : 1, sizeof *idx);
    unsigned char *seen = calloc(plan->nfiles ? plan->nfiles : 1, 1);
    struct archive *a = NULL;
    int stopped = 0;
    if (!idx || !seen) {
        err = SOHOA_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < plan->nfiles; i++)
        idx[i] = &plan->files[i];
    qsort(idx, plan->nfiles, sizeof *idx, cmp_entry_index);
    a = open_archive(plan->path);
    if (!a || archive_error_string(a)) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "cannot read archive '%s': %s", plan->path,
                    a && archive_error_string(a) ? archive_error_string(a) : "error");
        *errmsg = strbuf_detach(&sb, NULL);
        err = SOHOA_EIO;
        goto cleanup;
    }
    struct archive_entry *ae;
    char damaged[300] = "";
    uint64_t count = 0;
    for (;;) {
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_FATAL) {
            /* the pages not reached fail with the reason, the run goes on */
            snprintf(damaged, sizeof damaged, "archive cut short or damaged before this"
                     " entry: %s", archive_error_string(a) ? archive_error_string(a)
                                                           : "error");
            break;
        }
        /* the entry planned, by its place in the archive: another entry of
         * the same name (refused, or a duplicate) is never taken for it */
        count++;
        const char *name = archive_entry_pathname(ae);
        if (!name || archive_entry_filetype(ae) != AE_IFREG)
            continue;
        struct batch_file key = {0};
        const struct batch_file *pkey = &key;
        key.entry_index = count;
        const struct batch_file **hit =
            bsearch(&pkey, idx, plan->nfiles, sizeof *idx, cmp_entry_index);
        if (!hit || strcmp((*hit)->relpath, name) != 0)
            continue;
        size_t fi = (size_t)(*hit - plan->files);
        if (seen[fi])
            continue; /* a second entry with the same name: first one wins */
        seen[fi] = 1;
        uint8_t *data;
        size_t len;
        char why[200];
        /* never more than planned: the total limit holds even when a
         * header lied */
        uint64_t cap = plan->limits.max_entry_bytes;
        if (plan->files[fi].size && plan->files[fi].size < cap)
            cap = plan->files[fi].size;
        int rr = read_entry_data(a, cap, &data, &len, why, sizeof why);
        int stop = rr < 0 ? fn(ctx, fi, NULL, 0, why) : fn(ctx, fi, data, len, NULL);
        if (stop) {
            stopped = 1;
            break;
        }
        if (rr == -2) {
            snprintf(damaged, sizeof damaged, "archive cut short or damaged before this"
                     " entry: %s", why);
            break;
        }
    }
    /* entries that did not come back the second time */
    for (size_t i = 0; err == SOHOA_OK && !stopped && i < plan->nfiles; i++)
        if (!seen[i] && fn(ctx, i, NULL, 0, *damaged ? damaged
                                   : "entry could not be read again from the archive"))
            break;
cleanup:
    if (a)
        archive_read_free(a);
    free(idx);
    free(seen);
    return err;
}
