/*
 * cmd_meta.c - the metadata commands: show a document's fields, set one by
 * hand, extract them again, and list documents with fields to check.
 *
 *   cmd_show, cmd_set, cmd_extract, cmd_review_documents
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "meta.h"
#include "run.h"
#include "util.h"

/* fields whose value is a list, one item per line */
static int is_list(const char *field)
{
    static const char *const lists[] = {"recipients", "dossier_codes", "result_codes",
                                        "procedure_codes", "personal_ids", NULL};
    for (int i = 0; lists[i]; i++)
        if (strcmp(field, lists[i]) == 0)
            return 1;
    return 0;
}

static const struct db_meta_row *row_of(const struct db_meta_row *rows, size_t n,
                                        const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].field, field) == 0)
            return &rows[i];
    return NULL;
}

static int flagged(const struct db_meta_row *r)
{
    return r && !r->human && r->confidence < META_REVIEW;
}

static void json_list(struct strbuf *out, const char *v)
{
    strbuf_adds(out, "[");
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, "\n");
        char *item = strndup(p, n);
        if (p != v)
            strbuf_adds(out, ", ");
        strbuf_add_json(out, item ? item : "");
        free(item);
        p += n + (p[n] == '\n');
    }
    strbuf_adds(out, "]");
}

static void show_json(const struct db_doc_info *info, const struct db_meta_row *rows,
                      size_t n)
{
    struct strbuf out = STRBUF_INIT;
    strbuf_addf(&out, "{\"id\": %lld, \"dossier\": ", (long long)info->id);
    strbuf_add_json(&out, info->dossier);
    strbuf_adds(&out, ", \"document\": ");
    strbuf_add_json(&out, info->name);
    strbuf_addf(&out, ", \"state\": \"%s\", \"pages\": %d, \"blank_pages\": %d, \"pdf\": ",
                info->state, info->pages, info->blank_pages);
    if (*info->pdf)
        strbuf_add_json(&out, info->pdf);
    else
        strbuf_adds(&out, "null");
    strbuf_adds(&out, ", \"language\": \"vi\", \"confidence_level\": \"02\"");
    for (int f = 0; f < META_NFIELDS; f++) {
        const char *name = meta_field_name(f);
        const struct db_meta_row *r = row_of(rows, n, name);
        strbuf_addf(&out, ", \"%s\": ", name);
        if (!r)
            strbuf_adds(&out, is_list(name) ? "[]" : "null");
        else if (is_list(name))
            json_list(&out, r->value);
        else
            strbuf_add_json(&out, r->value);
    }
    strbuf_adds(&out, ", \"confidence\": {");
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&out, "%s\"%s\": %.2f", i ? ", " : "", rows[i].field, rows[i].confidence);
    strbuf_adds(&out, "}, \"review\": [");
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (flagged(&rows[i]))
            strbuf_addf(&out, "%s\"%s\"", k++ ? ", " : "", rows[i].field);
    strbuf_adds(&out, "], \"set_by_hand\": [");
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].human)
            strbuf_addf(&out, "%s\"%s\"", k++ ? ", " : "", rows[i].field);
    strbuf_adds(&out, "]}\n");
    fputs(out.buf, stdout);
    strbuf_release(&out);
}

static void show_text(const struct db_doc_info *info, const struct db_meta_row *rows,
                      size_t n)
{
    printf("%s/%s  (#%lld, %d page%s%s, %s)\n", info->dossier, info->name,
           (long long)info->id, info->pages, info->pages == 1 ? "" : "s",
           info->blank_pages ? ", some blank" : "", info->state);
    int nflag = 0;
    for (int f = 0; f < META_NFIELDS; f++) {
        const char *name = meta_field_name(f);
        const struct db_meta_row *r = row_of(rows, n, name);
        if (!r)
            continue;
        const char *mark = r->human ? "  (set by hand)" : flagged(r) ? "  ? check" : "";
        nflag += flagged(r);
        const char *v = r->value;
        size_t len = strcspn(v, "\n");
        printf("  %-16s %.*s%s\n", name, (int)len, v, mark);
        for (v += len; *v == '\n';) {
            v++;
            len = strcspn(v, "\n");
            printf("  %-16s %.*s\n", "", (int)len, v);
            v += len;
        }
    }
    if (*info->pdf)
        printf("  %-16s %s\n", "pdf", info->pdf);
    if (nflag)
        printf("%d field%s to check: sohoa set %s/%s FIELD VALUE\n", nflag,
               nflag == 1 ? "" : "s", info->dossier, info->name);
}

static int find_doc(struct db *db, const char *spec, int64_t *doc)
{
    enum sohoa_err err = db_document_find(db, spec, doc);
    if (err) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        return err == SOHOA_ENOENT || err == SOHOA_EINVAL ? EXIT_USAGE : EXIT_FATAL;
    }
    return 0;
}

int cmd_show(struct cmd_ctx *c, int argc, char **argv)
{
    int json = 0, rc;
    const char *spec = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: sohoa show DOC [--json]\n");
            return EXIT_ALL_DONE;
        } else if (!spec && argv[i][0] != '-') {
            spec = argv[i];
        } else {
            spec = NULL;
            break;
        }
    }
    if (!spec) {
        fprintf(stderr, "usage: sohoa show DOC [--json]\n");
        return EXIT_USAGE;
    }
    struct db *db = cmd_open_db(c, 1);
    if (!db)
        return EXIT_FATAL;
    int64_t doc;
    struct db_doc_info info;
    struct db_meta_row *rows = NULL;
    size_t n = 0;
    if ((rc = find_doc(db, spec, &doc)) != 0) {
        db_close(&db);
        return rc;
    }
    if (db_document_info(db, doc, &info) != SOHOA_OK ||
        db_meta_get(db, doc, &rows, &n) != SOHOA_OK) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
        return EXIT_FATAL;
    }
    if (json)
        show_json(&info, rows, n);
    else
        show_text(&info, rows, n);
    db_meta_rows_free(rows, n);
    db_document_info_release(&info);
    db_close(&db);
    return EXIT_ALL_DONE;
}

int cmd_set(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: sohoa set DOC FIELD VALUE   (an empty VALUE removes the field)\n");
        return EXIT_ALL_DONE;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: sohoa set DOC FIELD VALUE\n");
        return EXIT_USAGE;
    }
    int f = meta_field_by_name(argv[2]);
    if (f < 0) {
        fprintf(stderr, "sohoa set: unknown field '%s'; fields:", argv[2]);
        for (int i = 0; i < META_NFIELDS; i++)
            fprintf(stderr, " %s", meta_field_name(i));
        fputc('\n', stderr);
        return EXIT_USAGE;
    }
    char *value = strdup(argv[3]);
    char why[256] = "";
    if (!value)
        return EXIT_FATAL;
    if (*value && meta_validate(f, value, why, sizeof why) < 0) {
        fprintf(stderr, "sohoa set: %s: %s\n", argv[2], why);
        free(value);
        return EXIT_USAGE;
    }
    struct db *db = cmd_open_db(c, 0);
    int64_t doc;
    int rc = db ? find_doc(db, argv[1], &doc) : EXIT_FATAL;
    if (rc == 0 && db_meta_set(db, doc, argv[2], value) != SOHOA_OK) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        rc = EXIT_FATAL;
    }
    if (rc == 0)
        printf("%s: %s %s%s (set by hand; a re-run keeps it)\n", argv[1], argv[2],
               *value ? "= " : "removed", value);
    free(value);
    db_close(&db);
    return rc;
}

static int extract_one(struct db *db, int64_t doc)
{
    struct db_page *pages = NULL;
    size_t n = 0;
    struct meta m;
    if (db_document_pages(db, doc, 1, &pages, &n) != SOHOA_OK)
        return -1;
    int rc = -1;
    if (run_meta_from_pages(pages, n, &m) == 0) {
        rc = db_meta_store(db, doc, &m) == SOHOA_OK ? 0 : -1;
        meta_release(&m);
    }
    db_pages_free(pages, n);
    return rc;
}

int cmd_extract(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: sohoa extract [DOC ...]   read the metadata again from the text"
               " (all documents when none given); fields set by hand are kept\n");
        return EXIT_ALL_DONE;
    }
    struct db *db = cmd_open_db(c, 0);
    if (!db)
        return EXIT_FATAL;
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = 0;
    if (argc > 1) {
        ids = calloc((size_t)argc, sizeof *ids);
        for (int i = 1; ids && i < argc && rc == 0; i++)
            if ((rc = find_doc(db, argv[i], &ids[n])) == 0)
                n++;
    } else if (db_documents_done(db, &ids, &n) != SOHOA_OK) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        rc = EXIT_FATAL;
    }
    size_t done = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (extract_one(db, ids[i]) < 0) {
            fprintf(stderr, "sohoa: document #%lld: %s\n", (long long)ids[i], db_errmsg(db));
            rc = EXIT_FATAL;
        } else {
            done++;
        }
    }
    if (rc == 0)
        printf("metadata read again for %zu document%s\n", done, done == 1 ? "" : "s");
    free(ids);
    db_close(&db);
    return rc;
}

/* ---- review ---- */

struct review_docs {
    int json, n;
    struct strbuf *out;
};

static void add_review_doc(void *ctx, const struct db_review_doc *r)
{
    struct review_docs *rd = ctx;
    if (rd->json) {
        strbuf_adds(rd->out, rd->n ? ",\n  {" : "\n  {");
        strbuf_adds(rd->out, "\"dossier\": ");
        strbuf_add_json(rd->out, r->dossier);
        strbuf_adds(rd->out, ", \"document\": ");
        strbuf_add_json(rd->out, r->document);
        strbuf_addf(rd->out, ", \"document_id\": %lld, \"fields\": [",
                    (long long)r->document_id);
        int k = 0;
        for (const char *p = r->fields; *p;) {
            size_t len = strcspn(p, " ");
            char *f = strndup(p, len);
            strbuf_adds(rd->out, k++ ? ", " : "");
            strbuf_add_json(rd->out, f ? f : "");
            free(f);
            p += len + (p[len] == ' ');
        }
        strbuf_adds(rd->out, "]}");
    } else {
        if (rd->n == 0)
            strbuf_adds(rd->out, "documents with fields to check (sohoa show DOC):\n");
        strbuf_addf(rd->out, "  %s/%s: %s\n", r->dossier, r->document, r->fields);
    }
    rd->n++;
}

int cmd_review_documents(struct db *db, int json, int limit, struct strbuf *out)
{
    struct review_docs rd = {json, 0, out};
    if (db_review_documents(db, limit, add_review_doc, &rd) != SOHOA_OK)
        return -1;
    return rd.n;
}
