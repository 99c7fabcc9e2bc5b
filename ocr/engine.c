/*
 * engine.c - Tesseract through its C API.
 *
 *   life cycle:   ocr_engine_new, ocr_engine_free, ocr_engine_datapath
 *   orientation:  ocr_detect_orientation, ocr_orientation, ocr_confidence
 *   recognition:  ocr_recognize, ocr_result_release
 *   model check:  ocr_model_available
 */
#include "engine.h"
#include "prep.h"

#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <unistd.h>

struct ocr_engine {
    TessBaseAPI *api;
    TessBaseAPI *osd;
    char *datapath;
};

static const char *default_datapath(void)
{
    static const char *const cand[] = {
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
        NULL};
    const char *env = getenv("TESSDATA_PREFIX");
    if (env && *env)
        return env;
    for (int i = 0; cand[i]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/vie.traineddata", cand[i]);
        if (access(p, R_OK) == 0)
            return cand[i];
    }
    return cand[0];
}

int ocr_model_available(const char *datapath, const char *lang)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s.traineddata",
             datapath ? datapath : default_datapath(), lang ? lang : "vie");
    return access(p, R_OK) == 0;
}

static void quiet(TessBaseAPI *api)
{
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
}

struct ocr_engine *ocr_engine_new(const struct ocr_options *opt, char *why,
                                  size_t whysz)
{
    const char *lang = opt && opt->lang ? opt->lang : "vie";
    const char *dp = opt && opt->datapath ? opt->datapath : default_datapath();
    struct ocr_engine *eng = calloc(1, sizeof *eng);
    if (!eng) {
        snprintf(why, whysz, "out of memory");
        return NULL;
    }
    eng->datapath = strdup(dp);
    eng->api = TessBaseAPICreate();
    if (!eng->datapath || !eng->api)
        goto fail_mem;
    quiet(eng->api);
    /* each '+' separated language must be present */
    {
        char *l = strdup(lang), *save = NULL;
        if (!l)
            goto fail_mem;
        for (char *t = strtok_r(l, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
            if (!ocr_model_available(dp, t)) {
                snprintf(why, whysz,
                         "Tesseract model '%s' not found in %s (install tesseract-ocr-%s)",
                         t, dp, strcmp(t, "Vietnamese") == 0 ? "script-viet" : t);
                free(l);
                goto fail;
            }
        }
        free(l);
    }
    if (TessBaseAPIInit2(eng->api, dp, lang, OEM_LSTM_ONLY) != 0) {
        snprintf(why, whysz, "cannot start Tesseract with language '%s' from %s",
                 lang, dp);
        goto fail;
    }
    TessBaseAPISetPageSegMode(eng->api, PSM_AUTO);
    for (int i = 0; opt && opt->vars && opt->vars[i]; i++) {
        char *nv = strdup(opt->vars[i]);
        char *eq = nv ? strchr(nv, '=') : NULL;
        if (!eq) {
            snprintf(why, whysz, "Tesseract variable '%s' is not NAME=VALUE", opt->vars[i]);
            free(nv);
            goto fail;
        }
        *eq = '\0';
        if (!TessBaseAPISetVariable(eng->api, nv, eq + 1)) {
            snprintf(why, whysz, "Tesseract has no variable '%s'", nv);
            free(nv);
            goto fail;
        }
        free(nv);
    }
    if (opt && opt->osd) {
        if (!ocr_model_available(dp, "osd")) {
            snprintf(why, whysz,
                     "Tesseract model 'osd' not found in %s (install tesseract-ocr-osd)", dp);
            goto fail;
        }
        eng->osd = TessBaseAPICreate();
        if (!eng->osd)
            goto fail_mem;
        quiet(eng->osd);
        if (TessBaseAPIInit3(eng->osd, dp, "osd") != 0) {
            snprintf(why, whysz, "cannot start Tesseract orientation detection from %s", dp);
            goto fail;
        }
        TessBaseAPISetPageSegMode(eng->osd, PSM_OSD_ONLY);
    }
    return eng;
fail_mem:
    snprintf(why, whysz, "out of memory");
fail:
    ocr_engine_free(&eng);
    return NULL;
}

void ocr_engine_free(struct ocr_engine **peng)
{
    struct ocr_engine *eng = peng ? *peng : NULL;
    if (!eng)
        return;
    if (eng->api) {
        TessBaseAPIEnd(eng->api);
        TessBaseAPIDelete(eng->api);
    }
    if (eng->osd) {
        TessBaseAPIEnd(eng->osd);
        TessBaseAPIDelete(eng->osd);
    }
    free(eng->datapath);
    free(eng);
    *peng = NULL;
}

const char *ocr_engine_datapath(const struct ocr_engine *eng)
{
    return eng->datapath;
}

int ocr_detect_orientation(struct ocr_engine *eng, struct Pix *grey, int dpi,
                           int *quads, float *conf)
{
    int deg = 0;
    float oconf = 0, sconf = 0;
    const char *script = NULL;
    *quads = 0;
    *conf = 0;
    if (!eng->osd)
        return -1;
    /* OSD looks at character shapes, which 150 dpi shows well enough; on
     * larger images it only costs time */
    PIX *small = NULL;
    if (dpi > 225) {
        float f = 150.0f / (float)dpi;
        small = pixScale(grey, f, f);
        if (small)
            dpi = (int)(dpi * f + 0.5f);
    }
    TessBaseAPISetImage2(eng->osd, small ? small : grey);
    TessBaseAPISetSourceResolution(eng->osd, dpi);
    BOOL ok = TessBaseAPIDetectOrientationScript(eng->osd, &deg, &oconf, &script, &sconf);
    TessBaseAPIClear(eng->osd);
    pixDestroy(&small);
    if (!ok)
        return -1;
    /* deg is how far the page is turned clockwise; turning it back
     * (4 - deg/90 clockwise quarter turns) makes it upright */
    *quads = (4 - ((deg / 90) % 4 + 4) % 4) % 4;
    *conf = oconf;
    return 0;
}

static char *dup_tess(char *s)
{
    char *d = strdup(s ? s : "");
    if (s)
        TessDeleteText(s);
    return d;
}

static enum sohoa_err collect_words(TessBaseAPI *api, struct ocr_result *res)
{
    TessResultIterator *it = TessBaseAPIGetIterator(api);
    if (!it)
        return SOHOA_OK;
    TessPageIterator *pit = TessResultIteratorGetPageIterator(it);
    size_t cap = 0;
    int line_base_x1 = 0, line_base_y1 = 0, line_base_x2 = 0, line_base_y2 = 0;
    int line_h = 0;
    enum sohoa_err err = SOHOA_OK;
    do {
        if (TessPageIteratorIsAtBeginningOf(pit, RIL_TEXTLINE)) {
            int x1, y1, x2, y2;
            if (TessPageIteratorBaseline(pit, RIL_TEXTLINE, &line_base_x1,
                                         &line_base_y1, &line_base_x2,
                                         &line_base_y2) == FALSE)
                line_base_x1 = line_base_x2 = line_base_y1 = line_base_y2 = 0;
            if (TessPageIteratorBoundingBox(pit, RIL_TEXTLINE, &x1, &y1, &x2, &y2))
                line_h = y2 - y1;
        }
        char *w = TessResultIteratorGetUTF8Text(it, RIL_WORD);
        if (!w)
            continue;
        if (!*w) {
            TessDeleteText(w);
            continue;
        }
        if (res->nwords == cap) {
            size_t nc = cap ? cap * 2 : 256;
            void *p = realloc(res->words, nc * sizeof *res->words);
            if (!p) {
                TessDeleteText(w);
                err = SOHOA_ENOMEM;
                break;
            }
            res->words = p;
            cap = nc;
        }
        struct ocr_word *ow = &res->words[res->nwords];
        memset(ow, 0, sizeof *ow);
        ow->text = strdup(w);
        TessDeleteText(w);
        if (!ow->text) {
            err = SOHOA_ENOMEM;
            break;
        }
        TessPageIteratorBoundingBox(pit, RIL_WORD, &ow->x1, &ow->y1, &ow->x2, &ow->y2);
        ow->conf = TessResultIteratorConfidence(it, RIL_WORD);
        ow->line_height = line_h > 0 ? line_h : ow->y2 - ow->y1;
        /* baseline of the line at the word's left edge */
        if (line_base_x2 != line_base_x1) {
            double t = (double)(ow->x1 - line_base_x1) / (line_base_x2 - line_base_x1);
            ow->baseline = (int)(line_base_y1 + t * (line_base_y2 - line_base_y1) + 0.5);
        } else {
            ow->baseline = ow->y2;
        }
        if (ow->baseline < ow->y1 || ow->baseline > ow->y2 + ow->line_height)
            ow->baseline = ow->y2;
        ow->eol = TessPageIteratorIsAtFinalElement(pit, RIL_TEXTLINE, RIL_WORD) ? 1 : 0;
        res->nwords++;
    } while (TessPageIteratorNext(pit, RIL_WORD));
    TessResultIteratorDelete(it);
    return err;
}

enum sohoa_err ocr_recognize(struct ocr_engine *eng, struct Pix *pix, int dpi,
                             int page_no, struct ocr_result *res)
{
    memset(res, 0, sizeof *res);
    TessBaseAPISetImage2(eng->api, pix);
    TessBaseAPISetSourceResolution(eng->api, dpi);
    if (TessBaseAPIRecognize(eng->api, NULL) != 0) {
        TessBaseAPIClear(eng->api);
        return SOHOA_EOCR;
    }
    res->text = dup_tess(TessBaseAPIGetUTF8Text(eng->api));
    res->hocr = dup_tess(TessBaseAPIGetHOCRText(eng->api, page_no));
    enum sohoa_err err = collect_words(eng->api, res);
    /* mean confidence over words (Tesseract's own mean weighs characters) */
    double sum = 0;
    for (size_t i = 0; i < res->nwords; i++)
        sum += res->words[i].conf;
    res->mean_conf = res->nwords ? (float)(sum / (double)res->nwords) : 0.0f;
    TessBaseAPIClear(eng->api);
    if (!err && (!res->text || !res->hocr))
        err = SOHOA_ENOMEM;
    if (err)
        ocr_result_release(res);
    return err;
}

void ocr_result_release(struct ocr_result *res)
{
    free(res->text);
    free(res->hocr);
    for (size_t i = 0; i < res->nwords; i++)
        free(res->words[i].text);
    free(res->words);
    memset(res, 0, sizeof *res);
}

float ocr_confidence(struct ocr_engine *eng, struct Pix *pix, int dpi)
{
    TessBaseAPISetImage2(eng->api, pix);
    TessBaseAPISetSourceResolution(eng->api, dpi);
    float conf = 0;
    if (TessBaseAPIRecognize(eng->api, NULL) == 0) {
        int *wc = TessBaseAPIAllWordConfidences(eng->api);
        /* words of garbage are many and short: weigh by count, cap at 0 */
        double sum = 0;
        int n = 0;
        for (int i = 0; wc && wc[i] >= 0; i++, n++)
            sum += wc[i];
        if (n > 0)
            conf = (float)(sum / n);
        TessDeleteIntArray(wc);
    }
    TessBaseAPIClear(eng->api);
    return conf;
}

/* OSD confidence from which its answer is taken as it is */
#define OSD_SURE 6.0f

void ocr_orientation(struct ocr_engine *eng, struct Pix *grey, int dpi, int *quads,
                     enum ocr_orient_how *how)
{
    int q = 0;
    float conf = 0;
    *quads = 0;
    *how = OCR_ORIENT_NONE;
    if (ocr_detect_orientation(eng, grey, dpi, &q, &conf) == 0 && conf >= OSD_SURE) {
        *quads = q;
        *how = OCR_ORIENT_OSD;
        return;
    }
    int dir = prep_line_direction(grey);
    if (dir < 0)
        return; /* no text to speak of: leave the page as it is */
    int a = dir == 0 ? 0 : 1, b = a + 2;
    PIX *ba = prep_text_band(grey, a), *bb = prep_text_band(grey, b);
    if (ba && bb) {
        float ca = ocr_confidence(eng, ba, dpi), cb = ocr_confidence(eng, bb, dpi);
        *quads = cb > ca ? b : a;
        *how = OCR_ORIENT_BAND;
    }
    pixDestroy(&ba);
    pixDestroy(&bb);
}
