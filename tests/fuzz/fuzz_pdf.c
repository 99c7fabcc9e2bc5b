/*
 * fuzz_pdf - libFuzzer target for scanned PDFs (ocr/pdfin.h): pdfin_count,
 * then pdfin_load on the first three pages.
 *
 * MuPDF itself is not instrumented (Debian's static library): what is
 * fuzzed is sohoa's handling of whatever MuPDF makes of the input, its
 * limits and its clean-up (leaks are reported). The target aborts when a
 * result breaks pdfin.h's promises: a failure gives a reason and no image;
 * a success gives an image within PREP_MAX_SIDE and PREP_MAX_PIXELS, a
 * resolution, quarter turns 0..3, a codec name, and (born-digital pages)
 * words inside the image.
 *
 *   build: cmake -DSOHOA_FUZZ=ON with CC=clang (tests/fuzz/CMakeLists.txt)
 *   run:   fuzz_pdf -rss_limit_mb=2048 -dict=tests/fuzz/pdf.dict CORPUS_DIR tests/fuzz/corpus/pdf
 */
#include <leptonica/allheaders.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pdfin.h"
#include "prep.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setMsgSeverity(L_SEVERITY_NONE); /* Leptonica's complaints are expected */
    return 0;
}

#define BROKEN(...)                                                                         \
    do {                                                                                    \
        fprintf(stderr, "fuzz_pdf: " __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                                \
        abort();                                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    if (!pdfin_is_pdf(data, size))
        return 0;
    why[0] = '\0';
    int n = pdfin_count(data, size, why, sizeof why);
    if (n < 0 && !why[0])
        BROKEN("pdfin_count failed without a reason");
    for (int pg = 0; pg < n && pg < 3; pg++) {
        struct pdfin_page p;
        why[0] = '\0';
        enum sohoa_err e = pdfin_load(data, size, pg, pg, &p, why, sizeof why);
        if (e) {
            if (!why[0])
                BROKEN("page %d failed without a reason", pg + 1);
            if (p.pix || p.jpeg)
                BROKEN("page %d failed but left an image", pg + 1);
            continue;
        }
        if (!p.pix || !p.codec)
            BROKEN("page %d loaded without an image or codec", pg + 1);
        int w = pixGetWidth(p.pix), h = pixGetHeight(p.pix);
        if (w < 1 || h < 1 || w > PREP_MAX_SIDE || h > PREP_MAX_SIDE ||
            (unsigned long long)w * (unsigned long long)h > PREP_MAX_PIXELS)
            BROKEN("page %d: image of %d x %d", pg + 1, w, h);
        if (p.dpi < 1 || p.quads < 0 || p.quads > 3)
            BROKEN("page %d: dpi %d, quads %d", pg + 1, p.dpi, p.quads);
        if (p.how == PDFIN_TEXT) {
            if (!p.text.text || !p.text.hocr)
                BROKEN("page %d: text page without text", pg + 1);
            for (size_t i = 0; i < p.text.nwords; i++)
                if (!p.text.words[i].text || !p.text.words[i].text[0])
                    BROKEN("page %d: empty word %zu", pg + 1, i);
        }
        pdfin_page_release(&p);
    }
    return 0;
}
