/*
 * metaex - run the metadata extractor on text files, for measuring and
 * debugging it: metaex [--json] PAGE1.txt [PAGE2.txt ...], or one file
 * whose pages are separated by form feeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "util.h"

int main(int argc, char **argv)
{
    char *pages[256];
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        uint8_t *d = NULL;
        size_t len = 0;
        if (util_read_file(argv[i], &d, &len) != SOHOA_OK) {
            fprintf(stderr, "metaex: cannot read %s\n", argv[i]);
            return 1;
        }
        char *s = realloc(d, len + 1);
        if (!s)
            return 1;
        s[len] = '\0';
        for (char *p = s; p && n < 256;) {
            char *ff = strchr(p, '\f');
            if (ff)
                *ff = '\0';
            pages[n++] = strdup(p);
            p = ff ? ff + 1 : NULL;
        }
        free(s);
    }
    struct meta m;
    if (meta_extract((const char *const *)pages, NULL, n, &m) < 0)
        return 1;
    for (int f = 0; f < META_NFIELDS; f++)
        if (m.f[f].value)
            printf("%s\t%.2f\t%s\n", meta_field_name(f), m.f[f].conf, m.f[f].value);
    meta_release(&m);
    for (size_t i = 0; i < n; i++)
        free(pages[i]);
    return 0;
}
