/*
 * fuzz_meta - libFuzzer target for the metadata extractor (index/meta.h).
 *
 * The input is a document's text; form feeds split it into pages (at most
 * FUZZ_MAX_PAGES, the rest stays in the last page). The first byte's low
 * bits also hand the last (bit 0) and the first (bit 1) page in as hOCR,
 * so the word-confidence reader gets the same bytes. Then the whole input
 * goes through meta_split_number and, for every field, meta_validate.
 *
 * Besides the sanitizers' reports, the target aborts when a result breaks
 * the header's promises: a value is NULL or non-empty, a confidence is in
 * 0..1, valid UTF-8 in gives valid UTF-8 out, the date and the codes have
 * their format, meta_validate never makes a value longer and accepts only
 * YYYY-MM-DD dates, meta_split_number's parts are both set or both NULL.
 *
 *   build: cmake -DSOHOA_FUZZ=ON with CC=clang (tests/fuzz/CMakeLists.txt)
 *   run:   fuzz_meta -dict=tests/fuzz/meta.dict CORPUS_DIR tests/fuzz/corpus/meta
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "util.h"

#define FUZZ_MAX_PAGES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, int field)
{
    fprintf(stderr, "fuzz_meta: %s (field %d, %s)\n", what, field,
            field >= 0 ? meta_field_name((enum meta_field)field) : "-");
    abort();
}

/* the formats of the fields that have one, per line of the value */
static const struct {
    enum meta_field f;
    const char *re;
} formats[] = {
    {META_DATE, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    {META_MODE, "^0[123]$"},
    {META_DOSSIER_CODES, "^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}$"},
    {META_RESULT_CODES,
     "^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}-KQ[0-9]{1,3}$"},
    {META_PROCEDURE_CODES, "^[123]\\.[0-9]{6}$"},
    {META_PERSONAL_IDS, "^(CCCD|CMND|phone) [0-9x]+$"},
};
#define NFORMATS (sizeof formats / sizeof *formats)
static regex_t format_re[NFORMATS];

static void compile_formats(void)
{
    static int done;
    if (done)
        return;
    for (size_t i = 0; i < NFORMATS; i++)
        if (regcomp(&format_re[i], formats[i].re, REG_EXTENDED | REG_NOSUB) != 0)
            fail("bad format pattern in the fuzz target", (int)formats[i].f);
    done = 1;
}

/* each line of v matches format i */
static int has_format(size_t i, const char *v)
{
    int ok = 1;
    char *copy = strdup(v);
    if (!copy)
        return 1;
    for (char *line = copy, *nl; ok && line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        ok = regexec(&format_re[i], line, 0, NULL, 0) == 0;
    }
    free(copy);
    return ok;
}

static void check_meta(const struct meta *m, int utf8_in)
{
    for (int f = 0; f < META_NFIELDS; f++) {
        const struct meta_value *v = &m->f[f];
        if (!(v->conf >= 0.0f && v->conf <= 1.0f))
            fail("confidence outside 0..1", f);
        if (!v->value) {
            if (v->conf != 0.0f)
                fail("confidence without a value", f);
            continue;
        }
        size_t n = strlen(v->value);
        if (n == 0)
            fail("empty value", f);
        if (utf8_in && !util_utf8_valid(v->value, n))
            fail("invalid UTF-8 from valid UTF-8", f);
        for (size_t i = 0; i < NFORMATS; i++)
            if (formats[i].f == (enum meta_field)f && !has_format(i, v->value))
                fail("value not in its field's format", f);
    }
}

static void fuzz_extract(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return;
    memcpy(buf, data, size);
    buf[size] = '\0';

    /* pages at form feeds; each page's text ends at its form feed (or at an
     * embedded NUL, as a C string would) */
    const char *texts[FUZZ_MAX_PAGES];
    const char *hocrs[FUZZ_MAX_PAGES];
    size_t np = 0;
    char *p = buf;
    for (;;) {
        texts[np++] = p;
        char *ff = np < FUZZ_MAX_PAGES ? memchr(p, '\f', size - (size_t)(p - buf)) : NULL;
        if (!ff)
            break;
        *ff = '\0';
        p = ff + 1;
    }
    memset(hocrs, 0, sizeof hocrs);
    unsigned flags = size ? data[0] : 0;
    if (flags & 1)
        hocrs[np - 1] = texts[np - 1];
    if (flags & 2)
        hocrs[0] = texts[0];

    int utf8_in = 1;
    for (size_t i = 0; i < np && utf8_in; i++)
        utf8_in = util_utf8_valid(texts[i], strlen(texts[i]));

    struct meta m;
    int rc = meta_extract(texts, (flags & 3) ? hocrs : NULL, np, &m);
    if (rc != 0 && rc != -1)
        fail("meta_extract returned neither 0 nor -1", -1);
    check_meta(&m, rc == 0 && utf8_in);
    meta_release(&m);
    for (int f = 0; f < META_NFIELDS; f++)
        if (m.f[f].value)
            fail("meta_release left a value", f);
    free(buf);
}

static void fuzz_split(const char *s)
{
    char *number = (char *)1, *notation = (char *)1;
    int rc = meta_split_number(s, &number, &notation);
    if (rc == 0) {
        if (!number || !notation || !*notation)
            fail("meta_split_number: 0 without both parts", -1);
    } else if (rc != -1 || number || notation) {
        fail("meta_split_number: failure left parts set", -1);
    }
    free(number);
    free(notation);
}

static void fuzz_validate(const char *s, size_t n)
{
    char why[256];
    for (int f = 0; f <= META_NFIELDS; f++) {
        /* exactly n + 1 bytes: ASan sees any write past the value */
        char *v = malloc(n + 1);
        if (!v)
            return;
        memcpy(v, s, n + 1);
        why[0] = '\0';
        int rc = meta_validate((enum meta_field)f, v, why, sizeof why);
        if (rc != 0 && rc != -1)
            fail("meta_validate returned neither 0 nor -1", f);
        if (strlen(v) > n)
            fail("meta_validate lengthened the value", f);
        if (rc == 0 && f == META_DATE && !has_format(0, v))
            fail("meta_validate accepted a date not written YYYY-MM-DD", f);
        if (memchr(why, '\0', sizeof why) == NULL)
            fail("meta_validate left why unterminated", f);
        free(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    compile_formats();
    fuzz_extract(data, size);

    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_split(s);
    fuzz_validate(s, strlen(s));
    free(s);
    return 0;
}
