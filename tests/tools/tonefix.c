/*
 * tonefix - apply the tone-mark corrector (ocr/tone.h) to a text file.
 *
 * Usage: tonefix [-m MODEL] [--ratio R] [--min N] [--max-read X]
 *                [--no-cross-lines] [--no-pairs] [--pair R:W:WEIGHT]...
 *                [-v] [IN [OUT]]
 *
 * --pair sets the channel weight of writing tone W where tone R was read
 * (tones 0 none, 1 grave, 2 acute, 3 hook, 4 tilde, 5 dot); --no-pairs
 * clears the defaults first.
 *
 * Reads IN (default stdin), writes the corrected text to OUT (default
 * stdout) and prints "changes N" to stderr; with -v also one line per
 * change ("read -> written<TAB>left _ right"). MODEL defaults to
 * $SOHOA_TONE_MODEL or the source tree's ocr/data/vi-bigrams.tsv.
 * Exit status: 0 on success, 2 on usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tone.h"
#include "util.h"

static void usage(void)
{
    fprintf(stderr, "usage: tonefix [-m MODEL] [--ratio R] [--min N] [--max-read X] "
                    "[--no-cross-lines] [--no-pairs] [--pair R:W:WEIGHT]... [-v] [IN [OUT]]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *in = NULL, *outp = NULL;
    int verbose = 0, cross = -1, min = -1;
    double ratio = -1, maxread = -1, pv[36];
    int pr[36], pw[36], npairs = 0, nopairs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-m") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--ratio") && i + 1 < argc)
            ratio = atof(argv[++i]);
        else if (!strcmp(a, "--min") && i + 1 < argc)
            min = atoi(argv[++i]);
        else if (!strcmp(a, "--max-read") && i + 1 < argc)
            maxread = atof(argv[++i]);
        else if (!strcmp(a, "--no-cross-lines"))
            cross = 0;
        else if (!strcmp(a, "--pair") && i + 1 < argc && npairs < 36) {
            /* --pair READ:WRITTEN:WEIGHT, tones as digits 0..5 */
            if (sscanf(argv[++i], "%d:%d:%lf", &pr[npairs], &pw[npairs], &pv[npairs]) != 3 ||
                pr[npairs] < 0 || pr[npairs] > 5 || pw[npairs] < 0 || pw[npairs] > 5)
                usage();
            npairs++;
        } else if (!strcmp(a, "--no-pairs"))
            nopairs = 1;
        else if (!strcmp(a, "-v"))
            verbose = 1;
        else if (a[0] == '-' && a[1])
            usage();
        else if (!in)
            in = a;
        else if (!outp)
            outp = a;
        else
            usage();
    }
    if (!model)
        model = tone_model_default_path();
    char err[512];
    struct tone_model *m = tone_model_load(model, err, sizeof err);
    if (!m) {
        fprintf(stderr, "tonefix: %s\n", err);
        return 2;
    }
    struct tone_params p = tone_model_params(m);
    if (ratio >= 0)
        p.ratio = ratio;
    if (min >= 0)
        p.min_count = min;
    if (maxread >= 0)
        p.max_read = maxread;
    if (cross >= 0)
        p.cross_lines = cross;
    if (nopairs)
        memset(p.chan, 0, sizeof p.chan);
    for (int i = 0; i < npairs; i++)
        p.chan[pr[i]][pw[i]] = pv[i];
    tone_model_set_params(m, &p);

    struct strbuf text = STRBUF_INIT;
    FILE *f = in && strcmp(in, "-") ? fopen(in, "rb") : stdin;
    if (!f) {
        perror(in);
        return 2;
    }
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        if (strbuf_add(&text, buf, k) < 0)
            return 2;
    if (f != stdin)
        fclose(f);
    if (strbuf_add(&text, "", 0) < 0)
        return 2;

    struct strbuf out = STRBUF_INIT, log = STRBUF_INIT;
    int n = 0;
    if (tone_correct_log(m, text.buf, &out, &n, verbose ? &log : NULL) < 0) {
        fprintf(stderr, "tonefix: out of memory\n");
        return 2;
    }
    FILE *o = outp ? fopen(outp, "wb") : stdout;
    if (!o || fwrite(out.buf, 1, out.len, o) != out.len || (o != stdout && fclose(o))) {
        perror(outp ? outp : "stdout");
        return 2;
    }
    if (verbose && log.len)
        fputs(log.buf, stderr);
    fprintf(stderr, "changes %d\n", n);
    strbuf_release(&text);
    strbuf_release(&out);
    strbuf_release(&log);
    tone_model_free(m);
    return 0;
}
