/*
 * main.c - the sohoa command: global options and the subcommand table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>
#include <sqlite3.h>
#include <tesseract/capi.h>

#include "cmd.h"
#include "pdfin.h"

struct subcommand {
    const char *name;
    int (*fn)(struct cmd_ctx *c, int argc, char **argv);
    const char *help;
};

static const struct subcommand commands[] = {
    {"run", cmd_run, "run BATCH [-j N] [...]   OCR a batch folder or zip/tar archive (run --help)"},
    {"search", cmd_search, "search [QUERY] [--type T] [--from D] [--to D] [--agency A] [--number N]"
                           " [--json]   search recognised text and metadata"},
    {"status", cmd_status, "status [--json]   what is done, failed and pending"},
    {"text", cmd_text, "text DOC [--page N]   print a document's recognised text"},
    {"review", cmd_review, "review [--json] [--limit N]   pages and documents that need a human look"},
    {"show", cmd_show, "show DOC [--json]   a document's metadata (number, date, type, body, signer, ...)"},
    {"set", cmd_set, "set DOC FIELD VALUE   correct a metadata field by hand (kept by re-runs)"},
    {"check", cmd_check, "check [--repair]   verify the data folder (database, search index, outputs)"},
    {"extract", cmd_extract, "extract [DOC ...]   read the metadata again from the recognised text"},
    {NULL, NULL, NULL}};

static void usage(FILE *f)
{
    fprintf(f, "usage: sohoa [--data DIR] COMMAND [ARGS]\n\n"
               "Digitise scanned Vietnamese administrative documents: clean, OCR,\n"
               "two-layer PDF, full-text index and search.\n\ncommands:\n");
    for (int i = 0; commands[i].name; i++)
        fprintf(f, "  %s\n", commands[i].help);
    fprintf(f, "\noptions:\n"
               "  --data DIR   data folder (default $SOHOA_DATA or ./sohoa-data)\n"
               "  --help, --version\n\n"
               "BATCH layout: BATCH/<dossier>/<document>/<page images> or\n"
               "              BATCH/<dossier>/<document>.tif (multi-page TIFF)\n"
               "DOC: DOSSIER/DOCUMENT, a unique document name, or #ID\n\n"
               "exit status: 0 all done, 1 some items failed (listed),\n"
               "             2 usage error or data folder busy, 3 fatal error\n");
}

/*
 * Tesseract's OpenMP threads would fight our own worker threads; OpenMP
 * reads OMP_THREAD_LIMIT only when it starts, so set it and start again.
 */
static void limit_openmp(char **argv)
{
    if (getenv("OMP_THREAD_LIMIT"))
        return;
    if (setenv("OMP_THREAD_LIMIT", "1", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* could not re-execute: go on with OpenMP's own threads */
}

int main(int argc, char **argv)
{
    struct cmd_ctx c = {NULL};
    int i = 1;

    /* errors are reported by sohoa itself, naming the file */
    setMsgSeverity(L_SEVERITY_NONE);
    c.data_dir = getenv("SOHOA_DATA");
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            c.data_dir = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            c.data_dir = argv[i] + 7;
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_ALL_DONE;
        } else if (strcmp(argv[i], "--version") == 0) {
            char *lept = getLeptonicaVersion();
            printf("sohoa %s (Tesseract %s, %s, MuPDF %s, SQLite %s)\n", SOHOA_VERSION,
                   TessVersion(), lept ? lept : "Leptonica", pdfin_version(),
                   sqlite3_libversion());
            lept_free(lept);
            return EXIT_ALL_DONE;
        } else {
            fprintf(stderr, "sohoa: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!c.data_dir || !*c.data_dir)
        c.data_dir = "sohoa-data";
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        usage(stdout);
        return EXIT_ALL_DONE;
    }
    for (int k = 0; commands[k].name; k++) {
        if (strcmp(argv[i], commands[k].name) == 0) {
            if (commands[k].fn == cmd_run)
                limit_openmp(argv);
            return commands[k].fn(&c, argc - i, argv + i);
        }
    }
    fprintf(stderr, "sohoa: '%s' is not a sohoa command\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
