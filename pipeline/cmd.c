/*
 * cmd.c - the subcommands: option parsing and printing only; the work is
 * done by the library modules.
 *
 *   cmd_run, cmd_search, cmd_status, cmd_text
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "run.h"
#include "search.h"
#include "util.h"

int cmd_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || *end || end == s || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Open the database for queries (read-only) or changes; a missing one is
 * an error. */
struct db *cmd_open_db(struct cmd_ctx *c, int readonly)
{
    char *path = run_db_path(c->data_dir);
    struct stat st;
    struct db *db = NULL;
    if (!path)
        return NULL;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "sohoa: no database in '%s': run 'sohoa run BATCH' first"
                        " (or give --data DIR)\n", c->data_dir);
        free(path);
        return NULL;
    }
    if (db_open(path, readonly, &db) != SOHOA_OK) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
    }
    free(path);
    return db;
}

/* ---- run ---- */

/* "512M", "64G", "1000": a size with an optional K/M/G/T suffix (powers of
 * 1024) when units, else a plain number; > 0 */
static int parse_size(const char *s, int units, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-' || v == 0)
        return -1;
    int shift = 0;
    if (units && *end) {
        switch (*end) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        default: return -1;
        }
        end++;
        if (*end == 'B' || *end == 'b' || *end == 'i')
            end += *end == 'i' && end[1] == 'B' ? 2 : 1;
    }
    if (*end || (shift && v > (~0ull >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

struct progress {
    int tty;
    int quiet;
    size_t lastlen;
    FILE *log;          /* DATA/sohoa.log: every event, whatever the terminal */
};

static void fmt_duration(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    char now[32];
    va_list ap;
    util_now_iso(now, sizeof now);
    fprintf(stderr, "%s ", now);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* a timestamped line in the data folder's log */
static void file_line(struct progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void file_line(struct progress *p, const char *fmt, ...)
{
    char now[32];
    va_list ap;
    if (!p->log)
        return;
    util_now_iso(now, sizeof now);
    fprintf(p->log, "%s [%ld] ", now, (long)getpid());
    va_start(ap, fmt);
    vfprintf(p->log, fmt, ap);
    va_end(ap);
    fputc('\n', p->log);
    fflush(p->log);
}

static void log_event(struct progress *p, const struct run_event *ev)
{
    const char *src = ev->source ? ev->source : "";
    int finished = ev->done + ev->failed + ev->skipped;
    switch (ev->type) {
    case RUN_EV_START: file_line(p, "batch %s: %d pages to look at", src, ev->total); break;
    case RUN_EV_PROBLEM: file_line(p, "refused %s: %s", src, ev->reason); break;
    case RUN_EV_PAGE_FAILED:
        file_line(p, "page failed %d/%d %s: %s", finished, ev->total, src, ev->reason);
        break;
    case RUN_EV_PAGE_DONE: file_line(p, "page done %d/%d %s", finished, ev->total, src); break;
    case RUN_EV_PAGE_SKIPPED:
        file_line(p, "page already done %d/%d %s", finished, ev->total, src);
        break;
    case RUN_EV_DOC_DONE: file_line(p, "document done %s", src); break;
    case RUN_EV_DOC_FAILED: file_line(p, "document incomplete %s: %s", src, ev->reason); break;
    case RUN_EV_DOC_SPLIT: file_line(p, "file %s %s", src, ev->reason); break;
    case RUN_EV_DOC_NOT_SPLIT: file_line(p, "file %s not split: %s", src, ev->reason); break;
    }
}

static void on_event(void *ctx, const struct run_event *ev)
{
    struct progress *p = ctx;
    int finished = ev->done + ev->failed + ev->skipped;
    char line[512], eta[32] = "?", el[32];
    log_event(p, ev);
    double processed = ev->done + ev->failed;
    double rate = ev->elapsed > 0 ? processed * 60.0 / ev->elapsed : 0;
    if (rate > 0)
        fmt_duration((ev->total - finished) * 60.0 / rate, eta, sizeof eta);
    fmt_duration(ev->elapsed, el, sizeof el);

    if (p->tty && p->lastlen) {
        fprintf(stderr, "\r%*s\r", (int)p->lastlen, "");
        p->lastlen = 0;
    }
    switch (ev->type) {
    case RUN_EV_START:
        if (!p->quiet) {
            snprintf(line, sizeof line, "%d pages to look at", ev->total);
            log_line("batch %s: %s", ev->source, line);
        }
        return;
    case RUN_EV_PROBLEM:
        fprintf(stderr, "sohoa: refused '%s': %s\n", ev->source, ev->reason);
        return;
    case RUN_EV_PAGE_FAILED:
        fprintf(stderr, "sohoa: page failed '%s': %s\n", ev->source, ev->reason);
        break;
    case RUN_EV_DOC_FAILED:
        fprintf(stderr, "sohoa: document incomplete '%s': %s\n", ev->source, ev->reason);
        return;
    case RUN_EV_DOC_DONE:
        if (!p->quiet && !p->tty)
            log_line("document done %s", ev->source);
        return;
    case RUN_EV_DOC_SPLIT:
        if (!p->quiet)
            fprintf(stderr, "sohoa: file '%s' %s\n", ev->source, ev->reason);
        return;
    case RUN_EV_DOC_NOT_SPLIT:
        fprintf(stderr, "sohoa: file '%s' not split: %s\n", ev->source, ev->reason);
        return;
    default:
        break;
    }
    if (p->quiet)
        return;
    if (p->tty) {
        const char *cur = ev->source ? ev->source : "";
        size_t cl = strlen(cur);
        if (cl > 40)
            cur += cl - 40;
        int n = snprintf(line, sizeof line,
                         "[%d/%d] %3d%%  %.1f pages/min  %s elapsed, %s left  %s",
                         finished, ev->total,
                         ev->total ? finished * 100 / ev->total : 100, rate, el, eta, cur);
        fputs(line, stderr);
        p->lastlen = n > 0 ? (size_t)n : 0;
    } else if (ev->type != RUN_EV_PAGE_FAILED) {
        snprintf(line, sizeof line, "%s %d/%d (%.1f pages/min, %s left)",
                 ev->type == RUN_EV_PAGE_SKIPPED ? "already done" : "done",
                 finished, ev->total, rate, eta);
        log_line("page %s %s", line, ev->source ? ev->source : "");
    }
    fflush(stderr);
}

struct failed_ctx {
    int n;
    FILE *out;
};

static void print_failed(void *ctx, const char *kind, const char *where, int page,
                         const char *source, const char *reason)
{
    struct failed_ctx *fc = ctx;
    fc->n++;
    if (strcmp(kind, "page") == 0)
        fprintf(fc->out, "  failed  %s page %d (%s): %s\n", where, page, source,
                reason ? reason : "");
    else
        fprintf(fc->out, "  refused %s: %s: %s\n", where, source, reason);
}

int cmd_run(struct cmd_ctx *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"no-osd", no_argument, NULL, 'O'},
        {"keep-borders", no_argument, NULL, 'B'},
        {"no-tone-fix", no_argument, NULL, 'T'},
        {"keep-ink", no_argument, NULL, 'K'},
        {"lang", required_argument, NULL, 'l'},
        {"max-file-size", required_argument, NULL, 'F'},
        {"max-batch-size", required_argument, NULL, 'S'},
        {"max-entries", required_argument, NULL, 'E'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char *vars[33] = {NULL};
    int nvars = 0;
    struct run_options opt;
    struct progress prog = {0};
    int ch;

    run_options_init(&opt);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "j:ql:c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            if (nvars == 32 || !strchr(optarg, '=')) {
                fprintf(stderr, "sohoa run: -c wants NAME=VALUE (at most 32), not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            vars[nvars++] = optarg;
            opt.tess_vars = vars;
            break;
        case 'j':
            if (cmd_parse_int(optarg, 1, 256, &opt.jobs) < 0) {
                fprintf(stderr, "sohoa run: -j wants a number of workers, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'O': opt.osd = 0; break;
        case 'B': opt.clear_border = 0; break;
        case 'T': opt.tone_fix = 0; break;
        case 'K': opt.drop_ink = 0; break;
        case 'l': opt.lang = optarg; break;
        case 'F':
        case 'S':
        case 'E': {
            uint64_t v;
            if (parse_size(optarg, ch != 'E', &v) < 0) {
                fprintf(stderr, "sohoa run: --%s wants a %s, not '%s'\n",
                        ch == 'F' ? "max-file-size" : ch == 'S' ? "max-batch-size"
                                                                : "max-entries",
                        ch == 'E' ? "number" : "size (e.g. 512M, 64G)", optarg);
                return EXIT_USAGE;
            }
            if (ch == 'F')
                opt.limits.max_entry_bytes = v;
            else if (ch == 'S')
                opt.limits.max_total_bytes = v;
            else
                opt.limits.max_entries = v;
            break;
        }
        case 'q': prog.quiet = 1; break;
        case 'h':
            printf("usage: sohoa [--data DIR] run BATCH [-j N] [--no-osd] [--keep-borders]"
                   " [--no-tone-fix] [--keep-ink] [--lang L] [-c VAR=VALUE] [--quiet]\n"
                   "  BATCH holds page images (TIFF, PNG, JPEG, ...) and scanned PDFs\n"
                   "  --keep-borders dark scanner borders and punch holes are not cleared\n"
                   "                 before recognition (the PDF always keeps them)\n"
                   "  --no-tone-fix  leave tone marks as Tesseract read them\n"
                   "  --keep-ink     read red and blue ink too (seals, signatures, stamps\n"
                   "                 are left out of recognition by default)\n"
                   "  --max-file-size SIZE   refuse page files larger (default 512M)\n"
                   "  --max-batch-size SIZE  refuse files past this total (default 64G)\n"
                   "  --max-entries N        read at most N archive entries (default 1000000)\n"
                   "  -c VAR=VALUE   set a Tesseract variable (expert use, repeatable)\n");
            return EXIT_ALL_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: sohoa [--data DIR] run BATCH [-j N]\n");
        return EXIT_USAGE;
    }
    const char *batch = argv[optind];
    struct stat st;
    if (stat(batch, &st) != 0) {
        fprintf(stderr, "sohoa: cannot open batch '%s': %s\n", batch,
                errno == ENOENT ? "no such file or directory" : strerror(errno));
        return EXIT_USAGE;
    }
    opt.data_dir = c->data_dir;
    prog.tty = isatty(STDERR_FILENO);
    opt.on_event = on_event;
    opt.ctx = &prog;

    enum sohoa_err err = util_mkdirs(c->data_dir, 0755);
    if (err) {
        fprintf(stderr, "sohoa: cannot create data folder '%s': %s\n", c->data_dir,
                sohoa_strerror(err));
        return EXIT_FATAL;
    }
    int lockfd;
    char *holder = NULL;
    err = run_lock(c->data_dir, &lockfd, &holder);
    if (err == SOHOA_EBUSY) {
        fprintf(stderr, "sohoa: data folder '%s' is in use by another run (%s)\n",
                c->data_dir, holder ? holder : "holder unknown");
        free(holder);
        return EXIT_USAGE;
    } else if (err) {
        fprintf(stderr, "sohoa: cannot lock data folder '%s': %s\n", c->data_dir,
                sohoa_strerror(err));
        return EXIT_FATAL;
    }
    char *logpath = util_path_join(c->data_dir, "sohoa.log");
    prog.log = logpath ? fopen(logpath, "a") : NULL;
    if (!prog.log)
        fprintf(stderr, "sohoa: cannot write the log '%s': %s (going on without it)\n",
                logpath ? logpath : "sohoa.log", strerror(errno));
    free(logpath);
    file_line(&prog, "sohoa %s run %s", SOHOA_VERSION, batch);
    struct run_summary sum;
    char *msg = NULL;
    err = run_batch(batch, &opt, &sum, &msg);
    if (prog.tty && prog.lastlen)
        fprintf(stderr, "\r%*s\r", (int)prog.lastlen, "");
    if (err) {
        fprintf(stderr, "sohoa: %s\n", msg ? msg : sohoa_strerror(err));
        file_line(&prog, "stopped: %s", msg ? msg : sohoa_strerror(err));
        free(msg);
        if (sum.done + sum.failed > 0) {
            fprintf(stderr, "sohoa: stopped after %d pages done, %d failed; "
                            "run again to continue\n", sum.done, sum.failed);
            file_line(&prog, "stopped after %d pages done, %d failed", sum.done,
                      sum.failed);
        }
        if (prog.log)
            fclose(prog.log);
        run_unlock(lockfd);
        return EXIT_FATAL;
    }
    char el[32];
    fmt_duration(sum.seconds, el, sizeof el);
    double ppm = sum.seconds > 0 ? (sum.done + sum.failed) * 60.0 / sum.seconds : 0;
    fprintf(stderr, "sohoa: %d pages: %d done, %d failed, %d already done; "
                    "%d entries refused; %s (%.1f pages/min)\n",
            sum.total, sum.done, sum.failed, sum.skipped, sum.problems, el, ppm);
    file_line(&prog, "summary: %d pages: %d done, %d failed, %d already done; %d entries"
              " refused; %d blank; %s (%.1f pages/min)", sum.total, sum.done, sum.failed,
              sum.skipped, sum.problems, sum.blank, el, ppm);
    if (sum.blank)
        fprintf(stderr, "sohoa: %d of the pages done are blank (kept, not recognised)\n",
                sum.blank);
    if (sum.opens_doc)
        fprintf(stderr, "sohoa: %d page%s inside a file open%s another document (a header"
                " with the national motto and 'Số:'): listed by 'sohoa review'\n",
                sum.opens_doc, sum.opens_doc > 1 ? "s" : "", sum.opens_doc > 1 ? "" : "s");
    if (sum.split) {
        fprintf(stderr, "sohoa: %d file%s split into several documents (DOCUMENT~2, ~3, ...):"
                " listed by 'sohoa review' to check\n", sum.split, sum.split > 1 ? "s" : "");
        file_line(&prog, "%d file%s split into several documents", sum.split,
                  sum.split > 1 ? "s" : "");
    }
    int rc = EXIT_ALL_DONE;
    if (sum.failed || sum.problems) {
        /* list every failure with its reason, from the database */
        char *path = run_db_path(c->data_dir);
        struct db *db = NULL;
        if (path && db_open(path, 1, &db) == SOHOA_OK) {
            struct failed_ctx fc = {0, stderr};
            fprintf(stderr, "sohoa: failures:\n");
            db_each_failed(db, print_failed, &fc);
            if (prog.log) {
                struct failed_ctx lc = {0, prog.log};
                file_line(&prog, "failures:");
                db_each_failed(db, print_failed, &lc);
            }
        }
        db_close(&db);
        free(path);
        rc = EXIT_SOME_FAILED;
    }
    if (prog.log)
        fclose(prog.log);
    run_unlock(lockfd);
    return rc;
}

/* ---- check ---- */

static void print_problem(void *ctx, const char *problem)
{
    (void)ctx;
    printf("problem: %s\n", problem);
}

int cmd_check(struct cmd_ctx *c, int argc, char **argv)
{
    int repair = argc == 2 && strcmp(argv[1], "--repair") == 0;
    if (argc > 1 && !repair) {
        int help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
        fprintf(help ? stdout : stderr, "usage: sohoa check [--repair]   (the data folder"
                " after a crash, power cut or full disk)\n");
        return help ? EXIT_ALL_DONE : EXIT_USAGE;
    }
    /* writable: the search index's own check goes through a write */
    struct db *db = cmd_open_db(c, 0);
    if (!db)
        return EXIT_FATAL;
    struct db_check_counts n;
    enum sohoa_err err = db_check(db, c->data_dir, repair, print_problem, NULL, &n);
    if (err) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
        return EXIT_FATAL;
    }
    db_close(&db);
    printf("%s: %lld documents and %lld pages done checked, %lld problem%s\n",
           n.problems ? "NOT OK" : "ok", (long long)n.documents, (long long)n.pages,
           (long long)n.problems, n.problems == 1 ? "" : "s");
    return n.problems ? EXIT_SOME_FAILED : EXIT_ALL_DONE;
}

/* ---- search ---- */

int cmd_search(struct cmd_ctx *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'},
        {"limit", required_argument, NULL, 'n'},
        {"type", required_argument, NULL, 't'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'T'},
        {"agency", required_argument, NULL, 'a'},
        {"number", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char usage[] =
        "usage: sohoa search [QUERY] [--type T] [--from DATE] [--to DATE] [--agency A]"
        " [--number N/NOTATION] [--json] [--limit N]\n";
    int json = 0, limit = 20, ch;
    const char *type = NULL, *from = NULL, *to = NULL, *agency = NULL, *number = NULL;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'J': json = 1; break;
        case 't': type = optarg; break;
        case 'f': from = optarg; break;
        case 'T': to = optarg; break;
        case 'a': agency = optarg; break;
        case 'N': number = optarg; break;
        case 'n':
            if (cmd_parse_int(optarg, 1, 100000, &limit) < 0) {
                fprintf(stderr, "sohoa search: --limit wants a number, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_ALL_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind >= argc && !type && !from && !to && !agency && !number) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    struct strbuf qs = STRBUF_INIT;
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strbuf_adds(&qs, " ");
        strbuf_adds(&qs, argv[i]);
    }
    struct db *db = cmd_open_db(c, 1);
    if (!db) {
        strbuf_release(&qs);
        return EXIT_FATAL;
    }
    int tty = isatty(STDOUT_FILENO);
    struct idx_query q = {qs.buf, limit, json ? "<mark>" : tty ? "\033[1;31m" : "[",
                          json ? "</mark>" : tty ? "\033[0m" : "]",
                          type, from, to, agency, number};
    struct idx_hit *hits = NULL;
    size_t n = 0;
    enum sohoa_err err = idx_search(db, &q, &hits, &n);
    if (err) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
        strbuf_release(&qs);
        return err == SOHOA_EINVAL ? EXIT_USAGE : EXIT_FATAL;
    }
    if (json) {
        struct strbuf out = STRBUF_INIT;
        strbuf_adds(&out, "{\"query\": ");
        strbuf_add_json(&out, qs.buf);
        strbuf_adds(&out, ", \"results\": [");
        for (size_t i = 0; i < n; i++) {
            strbuf_adds(&out, i ? ",\n  {" : "\n  {");
            strbuf_adds(&out, "\"dossier\": ");
            strbuf_add_json(&out, hits[i].dossier);
            strbuf_adds(&out, ", \"document\": ");
            strbuf_add_json(&out, hits[i].document);
            strbuf_addf(&out, ", \"document_id\": %lld, \"page\": %d, \"score\": %.4f,"
                        " \"snippet\": ", (long long)hits[i].document_id, hits[i].page,
                        hits[i].score != 0 ? -hits[i].score : 0.0);
            strbuf_add_json(&out, hits[i].snippet);
            strbuf_adds(&out, "}");
        }
        strbuf_adds(&out, n ? "\n]}\n" : "]}\n");
        fputs(out.buf, stdout);
        strbuf_release(&out);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%zu. %s/%s  page %d\n   %s\n", i + 1, hits[i].dossier,
                   hits[i].document, hits[i].page, hits[i].snippet);
        if (n == 0 && qs.buf)
            fprintf(stderr, "sohoa: no page matches '%s'%s\n", qs.buf,
                    type || from || to || agency || number ? " with these filters" : "");
        else if (n == 0)
            fprintf(stderr, "sohoa: no document matches these filters\n");
    }
    idx_hits_free(hits, n);
    db_close(&db);
    strbuf_release(&qs);
    return EXIT_ALL_DONE;
}

/* ---- status ---- */

int cmd_status(struct cmd_ctx *c, int argc, char **argv)
{
    int json = argc > 1 && strcmp(argv[1], "--json") == 0;
    if (argc > 1 && !json) {
        fprintf(stderr, "usage: sohoa status [--json]\n");
        return EXIT_USAGE;
    }
    struct db *db = cmd_open_db(c, 1);
    if (!db)
        return EXIT_FATAL;
    struct db_status s;
    if (db_status_get(db, &s) != SOHOA_OK) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
        return EXIT_FATAL;
    }
    if (json) {
        printf("{\"batches\": %lld, \"dossiers\": %lld, \"documents\": {\"total\": %lld,"
               " \"done\": %lld, \"failed\": %lld, \"pending\": %lld},"
               " \"pages\": {\"done\": %lld, \"failed\": %lld, \"pending\": %lld,"
               " \"blank\": %lld, \"to_review\": %lld},"
               " \"refused_entries\": %lld}\n",
               (long long)s.batches, (long long)s.dossiers, (long long)s.documents,
               (long long)s.docs_done, (long long)s.docs_failed, (long long)s.docs_pending,
               (long long)s.pages_done, (long long)s.pages_failed,
               (long long)s.pages_pending, (long long)s.pages_blank,
               (long long)s.pages_review, (long long)s.failures);
    } else {
        printf("data folder: %s\n", c->data_dir);
        printf("batches run: %lld, dossiers: %lld\n", (long long)s.batches,
               (long long)s.dossiers);
        printf("documents:   %lld done, %lld failed, %lld pending (%lld in all)\n",
               (long long)s.docs_done, (long long)s.docs_failed,
               (long long)s.docs_pending, (long long)s.documents);
        printf("pages:       %lld done, %lld failed, %lld pending\n",
               (long long)s.pages_done, (long long)s.pages_failed,
               (long long)s.pages_pending);
        printf("             %lld blank (kept, not recognised), %lld to review"
               " (sohoa review)\n", (long long)s.pages_blank, (long long)s.pages_review);
        if (s.pages_failed || s.failures) {
            struct failed_ctx fc = {0, stdout};
            printf("needs attention:\n");
            db_each_failed(db, print_failed, &fc);
        }
        if (s.pages_pending)
            printf("pending pages are finished by running their batch again\n");
    }
    db_close(&db);
    return EXIT_ALL_DONE;
}

/* ---- text ---- */

int cmd_text(struct cmd_ctx *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"page", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int page = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p':
            if (cmd_parse_int(optarg, 1, INT_MAX, &page) < 0) {
                fprintf(stderr, "sohoa text: --page wants a page number, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            printf("usage: sohoa text DOC [--page N]\n");
            return EXIT_ALL_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: sohoa text DOC [--page N]\n");
        return EXIT_USAGE;
    }
    struct db *db = cmd_open_db(c, 1);
    if (!db)
        return EXIT_FATAL;
    int64_t doc;
    enum sohoa_err err = db_document_find(db, argv[optind], &doc);
    if (err) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
        return err == SOHOA_ENOENT || err == SOHOA_EINVAL ? EXIT_USAGE : EXIT_FATAL;
    }
    struct db_page *pages;
    size_t n;
    if (db_document_pages(db, doc, 1, &pages, &n) != SOHOA_OK) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        db_close(&db);
        return EXIT_FATAL;
    }
    int rc = EXIT_ALL_DONE, shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (page && pages[i].seq != page)
            continue;
        if (shown++)
            fputc('\f', stdout);
        if (strcmp(pages[i].state, "done") != 0) {
            fprintf(stderr, "sohoa: page %d is %s%s%s\n", pages[i].seq, pages[i].state,
                    pages[i].reason ? ": " : "", pages[i].reason ? pages[i].reason : "");
            rc = EXIT_SOME_FAILED;
        } else {
            fputs(pages[i].text ? pages[i].text : "", stdout);
        }
    }
    if (page && !shown) {
        fprintf(stderr, "sohoa: document '%s' has no page %d (it has %zu)\n",
                argv[optind], page, n);
        rc = EXIT_USAGE;
    }
    db_pages_free(pages, n);
    db_close(&db);
    return rc;
}

/* ---- review ---- */

/* Split files, one line (or JSON object) each, from the rows of their
 * parts (in order, by file). */
struct splits_ctx {
    int json;
    int n;                  /* files */
    int64_t file;           /* the file being gathered */
    struct strbuf at, parts;
    int nparts;
    struct strbuf out;
    char *dossier, *name;
};

static void flush_split(struct splits_ctx *sc)
{
    if (!sc->file)
        return;
    if (sc->json) {
        strbuf_adds(&sc->out, sc->n ? ",\n  {" : "\n  {");
        strbuf_adds(&sc->out, "\"dossier\": ");
        strbuf_add_json(&sc->out, sc->dossier);
        strbuf_adds(&sc->out, ", \"document\": ");
        strbuf_add_json(&sc->out, sc->name);
        strbuf_addf(&sc->out, ", \"documents\": %d, \"at_pages\": [%s], \"parts\": [%s]}",
                    sc->nparts + 1, sc->at.buf ? sc->at.buf : "",
                    sc->parts.buf ? sc->parts.buf : "");
    } else {
        if (sc->n == 0)
            strbuf_adds(&sc->out, "files split into several documents (check each split):\n");
        strbuf_addf(&sc->out, "%s/%s: split into %d documents at page%s %s: %s\n",
                    sc->dossier, sc->name, sc->nparts + 1, sc->nparts > 1 ? "s" : "",
                    sc->at.buf ? sc->at.buf : "", sc->parts.buf ? sc->parts.buf : "");
    }
    sc->n++;
    sc->file = 0;
    sc->nparts = 0;
    sc->at.len = sc->parts.len = 0;
    free(sc->dossier);
    free(sc->name);
    sc->dossier = sc->name = NULL;
}

static void add_split(void *ctx, const struct db_split_row *row)
{
    struct splits_ctx *sc = ctx;
    if (row->file_id != sc->file) {
        flush_split(sc);
        sc->file = row->file_id;
        sc->dossier = strdup(row->dossier);
        sc->name = strdup(row->file);
        if (!sc->dossier || !sc->name) {
            free(sc->dossier);
            free(sc->name);
            sc->dossier = sc->name = NULL;
            sc->file = 0;
            return;
        }
    }
    strbuf_addf(&sc->at, "%s%d", sc->nparts ? ", " : "", row->at_page);
    if (sc->json) {
        strbuf_adds(&sc->parts, sc->nparts ? ", " : "");
        strbuf_add_json(&sc->parts, row->part);
    } else {
        strbuf_addf(&sc->parts, "%s%s/%s", sc->nparts ? ", " : "", row->dossier, row->part);
    }
    sc->nparts++;
}

struct review_ctx {
    int json;
    int n;
    struct strbuf out;
};

static void print_review(void *ctx, const struct db_review_row *r)
{
    struct review_ctx *rc = ctx;
    if (rc->json) {
        strbuf_adds(&rc->out, rc->n ? ",\n  {" : "\n  {");
        strbuf_adds(&rc->out, "\"dossier\": ");
        strbuf_add_json(&rc->out, r->dossier);
        strbuf_adds(&rc->out, ", \"document\": ");
        strbuf_add_json(&rc->out, r->document);
        strbuf_addf(&rc->out, ", \"page\": %d, \"source\": ", r->page);
        strbuf_add_json(&rc->out, r->source);
        strbuf_addf(&rc->out, ", \"confidence\": %.1f, \"low_confidence_share\": %.3f,"
                    " \"words\": %d, \"orientation\": %d, \"orientation_by\": ",
                    r->confidence, r->low_conf, r->nwords, r->orientation);
        strbuf_add_json(&rc->out, r->orient_how);
        strbuf_addf(&rc->out, ", \"skew\": %.2f, \"opens_document\": %s,"
                    " \"starts_split_part\": %s}", r->skew, r->opens_doc ? "true" : "false",
                    r->starts_part ? "true" : "false");
    } else {
        if (rc->n == 0)
            printf("%-48s %4s %6s %7s %6s %6s\n", "document", "page", "conf", "doubt%",
                   "words", "turned");
        char doc[256];
        snprintf(doc, sizeof doc, "%s/%s", r->dossier, r->document);
        printf("%-48s %4d %6.1f %6.1f%% %6d %5d°%s%s\n", doc, r->page, r->confidence,
               100.0 * r->low_conf, r->nwords, r->orientation,
               strcmp(r->orient_how, "band") == 0 ? " (by text)" : "",
               !r->opens_doc    ? ""
               : r->starts_part ? "  opens a document split from its file: check the split"
                                : "  opens another document, file not split (see sohoa.log)");
    }
    rc->n++;
}

int cmd_review(struct cmd_ctx *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'},
        {"limit", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int json = 0, limit = 50, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'J': json = 1; break;
        case 'n':
            if (cmd_parse_int(optarg, 1, 1000000, &limit) < 0) {
                fprintf(stderr, "sohoa review: --limit wants a number, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            printf("usage: sohoa review [--json] [--limit N]\n");
            return EXIT_ALL_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: sohoa review [--json] [--limit N]\n");
        return EXIT_USAGE;
    }
    struct db *db = cmd_open_db(c, 1);
    if (!db)
        return EXIT_FATAL;
    struct review_ctx rc = {json, 0, STRBUF_INIT};
    if (json)
        strbuf_adds(&rc.out, "{\"pages\": [");
    /* split files first: a wrong split misfiles a whole document */
    struct splits_ctx sc = {json, 0, 0, STRBUF_INIT, STRBUF_INIT, 0, STRBUF_INIT, NULL, NULL};
    enum sohoa_err err = db_review_splits(db, add_split, &sc);
    flush_split(&sc);
    if (!err && !json && sc.out.len) {
        fputs(sc.out.buf, stdout);
        putchar('\n');
    }
    if (!err)
        err = db_review_pages(db, limit, print_review, &rc);
    struct strbuf docs = STRBUF_INIT;
    int ndocs = err ? 0 : cmd_review_documents(db, json, limit, &docs);
    strbuf_release(&sc.at);
    strbuf_release(&sc.parts);
    if (err || ndocs < 0) {
        fprintf(stderr, "sohoa: %s\n", db_errmsg(db));
        strbuf_release(&rc.out);
        strbuf_release(&sc.out);
        strbuf_release(&docs);
        db_close(&db);
        return EXIT_FATAL;
    }
    if (json) {
        strbuf_adds(&rc.out, rc.n ? "\n], \"documents\": [" : "], \"documents\": [");
        if (docs.len)
            strbuf_add(&rc.out, docs.buf, docs.len);
        strbuf_adds(&rc.out, ndocs ? "\n], \"splits\": [" : "], \"splits\": [");
        if (sc.out.len)
            strbuf_add(&rc.out, sc.out.buf, sc.out.len);
        strbuf_adds(&rc.out, sc.n ? "\n]}\n" : "]}\n");
        fputs(rc.out.buf, stdout);
    } else {
        if (rc.n == 0)
            fprintf(stderr, "sohoa: no page needs a look (mean confidence >= %.0f and"
                            " under %.0f%% doubtful words everywhere)\n",
                    DB_REVIEW_CONF, 100 * DB_REVIEW_LOW_SHARE);
        if (ndocs)
            printf("%s%s", rc.n ? "\n" : "", docs.buf);
        else
            fprintf(stderr, "sohoa: no document has a field to check\n");
    }
    strbuf_release(&docs);
    strbuf_release(&rc.out);
    strbuf_release(&sc.out);
    db_close(&db);
    return EXIT_ALL_DONE;
}
