/*
 * fuzz_image - libFuzzer target for decoding page images (ocr/prep.h:
 * prep_decode) and the first clean-up steps done on what it gives.
 *
 * The input is an image file in memory (any format Leptonica reads: PNG,
 * JPEG, TIFF, BMP, PNM, GIF, WebP, JPEG 2000). prep_decode reads frame 0,
 * and frame 1 too when the input starts like a TIFF ("II" or "MM", both
 * odd first bytes), since only TIFF has several frames. Each decoded
 * frame goes through prep_grey and prep_page_dpi and, when it has under
 * a megapixel, prep_text_height, prep_page_dpi_checked, prep_is_blank and
 * prep_clear_border; everything is freed.
 *
 * Besides the sanitizers' reports, the target aborts when a result breaks
 * prep.h's promises: a failure leaves no image and gives a reason; a
 * success gives an image within PREP_MAX_SIDE and PREP_MAX_PIXELS; the
 * grey copy is 8-bit without a colour map and of the same size; the
 * resolution is plausible; a cleared border gives an image of the page's
 * size.
 *
 *   build: cmake -DSOHOA_FUZZ=ON with CC=clang (tests/fuzz/CMakeLists.txt)
 *   run:   fuzz_image -rss_limit_mb=2048 -dict=tests/fuzz/image.dict CORPUS_DIR tests/fuzz/corpus/image
 */
#include <leptonica/allheaders.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the clean-up steps run on pages under this many pixels only */
#define FUZZ_SMALL_PIXELS (1000ull * 1000)

static int verbose; /* FUZZ_VERBOSE=1: say what each frame gave */

static void fail(const char *what, int frame)
{
    fprintf(stderr, "fuzz_image: %s (frame %d)\n", what, frame);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Leptonica reports every bad input on stderr: keep the log readable */
    setMsgSeverity(L_SEVERITY_NONE);
    verbose = getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE") == '1';
    return 0;
}

static void fuzz_pix(PIX *pix, int frame)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    unsigned long long npix = (unsigned long long)w * (unsigned long long)h;
    if (w <= 0 || h <= 0 || w > PREP_MAX_SIDE || h > PREP_MAX_SIDE || npix > PREP_MAX_PIXELS)
        fail("decoded image outside PREP_MAX_*", frame);

    int from_file = -1;
    int dpi = prep_page_dpi(pix, &from_file);
    if (dpi < 70 || dpi > 1200 || (from_file != 0 && from_file != 1))
        fail("prep_page_dpi out of range", frame);

    PIX *grey = prep_grey(pix);
    if (!grey)
        return; /* not promised; nothing more to do */
    if (pixGetDepth(grey) != 8 || pixGetColormap(grey))
        fail("prep_grey did not give 8-bit grey", frame);
    if (pixGetWidth(grey) != w || pixGetHeight(grey) != h)
        fail("prep_grey changed the size", frame);

    if (npix < FUZZ_SMALL_PIXELS) {
        int th = prep_text_height(grey);
        if (th < 0)
            fail("negative text height", frame);
        int guessed = -1;
        int dpi2 = prep_page_dpi_checked(pix, th, &guessed);
        if (dpi2 < 70 || dpi2 > 1200 || (guessed != 0 && guessed != 1))
            fail("prep_page_dpi_checked out of range", frame);
        int blank = prep_is_blank(grey, dpi2);
        if (blank != 0 && blank != 1)
            fail("prep_is_blank neither 0 nor 1", frame);
        long cleared = -1;
        PIX *clean = prep_clear_border(grey, dpi2, &cleared);
        if (cleared < 0 || cleared > (long)npix)
            fail("prep_clear_border: cleared pixel count out of range", frame);
        if (clean && (pixGetWidth(clean) != w || pixGetHeight(clean) != h ||
                      pixGetDepth(clean) != 8))
            fail("prep_clear_border changed the page's size or depth", frame);
        if (!clean && cleared)
            fail("prep_clear_border: pixels cleared but no image", frame);
        pixDestroy(&clean);
    }
    pixDestroy(&grey);
}

static void fuzz_frame(const uint8_t *data, size_t size, int frame)
{
    char why[256];
    memset(why, 0, sizeof why);
    PIX *pix = (PIX *)1;
    enum sohoa_err err = prep_decode(data, size, frame, &pix, why, sizeof why);
    if (memchr(why, '\0', sizeof why) == NULL)
        fail("why left unterminated", frame);
    if (verbose)
        fprintf(stderr, "fuzz_image: frame %d: %s %dx%d\n", frame, err ? why : "decoded",
                err ? 0 : pixGetWidth(pix), err ? 0 : pixGetHeight(pix));
    if (err != SOHOA_OK) {
        if (pix)
            fail("prep_decode failed but gave an image", frame);
        if (!why[0])
            fail("prep_decode failed without a reason", frame);
        return;
    }
    if (!pix || pix == (PIX *)1)
        fail("prep_decode succeeded without an image", frame);
    fuzz_pix(pix, frame);
    pixDestroy(&pix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_frame(data, size, 0);
    /* TIFF ("II*\0" or "MM\0*"): the second page too */
    if (size >= 2 && (data[0] & 1) && data[0] == data[1] && (data[0] == 'I' || data[0] == 'M'))
        fuzz_frame(data, size, 1);
    return 0;
}
