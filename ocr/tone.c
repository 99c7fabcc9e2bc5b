/*
 * tone.c - tone-mark correction of OCR text from syllable bigram counts.
 *
 *   model:      tone_model_load, tone_model_free, tone_model_default_path,
 *               tone_model_params, tone_model_set_params, tone_model_count
 *   correction: tone_correct, tone_correct_log
 *
 * Scoring. For a syllable c between the syllables l and r (either may be
 * missing: punctuation, a code or a paragraph break cuts the context):
 *
 *   S(c) = P(c | l) * P(r | c)
 *   P(c | l) = (B(l c) + K * Pu(c)) / (U(l) + K)      (Pu(c) alone without l)
 *   P(r | c) = (B(c r) + K * Pu(r)) / (U(c) + K)      (1 without r)
 *   Pu(c)    = (U(c) + 0.5) / (N + 0.5 * V)
 *
 * with U and B the unigram and bigram counts, N the number of syllable
 * tokens and V the number of syllables in the model. The read syllable is
 * replaced by the best other-toned one when S(best) >= ratio * S(read), the
 * best one's own bigram counts B(l best) + B(best r) reach min_count, and
 * the read one's are at most max_read: the reading is kept whenever the
 * model has seen it in this context.
 */
#include "tone.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TONE_MINOR_DEFAULT 0.1
#define TONE_K 2.0 /* weight of the unigram back-off in the bigram estimates */

/* ---- Vietnamese letters ---- */

/* The twelve vowels, each with no tone, grave, acute, hook, tilde, dot. */
static const char *const vowel_rows[12] = {
    "aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
    "oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
};
static uint32_t vowel_cp[12][6];
static int vowel_ready;

static void vowel_init(void)
{
    if (vowel_ready)
        return;
    for (int i = 0; i < 12; i++) {
        const unsigned char *s = (const unsigned char *)vowel_rows[i];
        size_t n = strlen(vowel_rows[i]);
        for (int t = 0; t < 6; t++) {
            uint32_t cp = 0;
            int k = util_utf8_decode(s, n, &cp);
            vowel_cp[i][t] = cp;
            s += k;
            n -= (size_t)k;
        }
    }
    vowel_ready = 1;
}

/* lowercase cp: the row and tone of a vowel, or -1 */
static int vowel_find(uint32_t cp, int *tone)
{
    for (int i = 0; i < 12; i++)
        for (int t = 0; t < 6; t++)
            if (vowel_cp[i][t] == cp) {
                *tone = t;
                return i;
            }
    return -1;
}

/*
 * Case of a Vietnamese letter: returns 1 for lower, 2 for upper, 0 for not
 * a letter we know; *lower gets the lowercase form.
 */
static int vn_letter(uint32_t cp, uint32_t *lower)
{
    *lower = cp;
    if (cp >= 'a' && cp <= 'z')
        return 1;
    if (cp >= 'A' && cp <= 'Z') {
        *lower = cp + 32;
        return 2;
    }
    if (cp >= 0xC0 && cp <= 0xFF) {
        /* Latin-1: only the Vietnamese letters (not ø, ß, æ, ð, ...) */
        static const unsigned char vi1[] = {
            0xC0, 0xC1, 0xC2, 0xC3, 0xC8, 0xC9, 0xCA, 0xCC, 0xCD,
            0xD2, 0xD3, 0xD4, 0xD5, 0xD9, 0xDA, 0xDD};
        for (size_t i = 0; i < sizeof vi1; i++) {
            if (cp == vi1[i]) {
                *lower = cp + 0x20;
                return 2;
            }
            if (cp == vi1[i] + 0x20u)
                return 1;
        }
        return 0;
    }
    if (cp == 0x102 || cp == 0x110 || cp == 0x128 || cp == 0x168 || cp == 0x1A0) {
        *lower = cp + 1;
        return 2;
    }
    if (cp == 0x103 || cp == 0x111 || cp == 0x129 || cp == 0x169 || cp == 0x1A1 ||
        cp == 0x1B0)
        return 1;
    if (cp == 0x1AF) {
        *lower = 0x1B0;
        return 2;
    }
    if (cp >= 0x1EA0 && cp <= 0x1EF9) {
        if (cp % 2 == 0) {
            *lower = cp + 1;
            return 2;
        }
        return 1;
    }
    return 0;
}

static uint32_t vn_upper(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    uint32_t low;
    if (cp >= 0xE0 && cp <= 0xFE && vn_letter(cp, &low) == 1)
        return cp - 0x20;
    if (cp == 0x103 || cp == 0x111 || cp == 0x129 || cp == 0x169 || cp == 0x1A1)
        return cp - 1;
    if (cp == 0x1B0)
        return 0x1AF;
    if (cp >= 0x1EA0 && cp <= 0x1EF9 && cp % 2 == 1)
        return cp - 1;
    return cp;
}

/*
 * Tone-stripped form of a lowercase syllable into key (keysz bytes); returns
 * the syllable's tone 0..5, or -1 if it has two toned vowels, a letter that
 * is not lowercase Vietnamese, or does not fit.
 */
static int strip_tone(const char *s, size_t n, char *key, size_t keysz)
{
    size_t o = 0;
    int tone = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp, low;
        int k = util_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        i += (size_t)k;
        if (vn_letter(cp, &low) != 1)
            return -1;
        int t = 0;
        int row = vowel_find(cp, &t);
        if (row >= 0 && t > 0) {
            if (tone)
                return -1;
            tone = t;
            cp = vowel_cp[row][0];
        }
        char buf[4];
        int w = util_utf8_encode(cp, buf);
        if (o + (size_t)w + 1 > keysz)
            return -1;
        memcpy(key + o, buf, (size_t)w);
        o += (size_t)w;
    }
    key[o] = '\0';
    return tone;
}

int tone_syllable(const char *s, size_t n, char *key, size_t keysz)
{
    char low[64];
    size_t o = 0;
    vowel_init();
    for (size_t i = 0; i < n;) {
        uint32_t cp, lc;
        i += (size_t)util_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!vn_letter(cp, &lc) || o + 4 >= sizeof low)
            return -1;
        o += (size_t)util_utf8_encode(lc, low + o);
    }
    return strip_tone(low, o, key, keysz);
}

uint32_t tone_upper_cp(uint32_t cp)
{
    return vn_upper(cp);
}

/* ---- string -> number hash map (keys are not owned) ---- */

struct slot {
    const char *key;
    unsigned long val;
};

struct map {
    struct slot *s;
    size_t cap; /* power of two */
    size_t n;
};

static uint64_t hash_str(const char *a, size_t an, const char *b, size_t bn)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < an; i++)
        h = (h ^ (unsigned char)a[i]) * 1099511628211ull;
    if (b) {
        h = (h ^ ' ') * 1099511628211ull;
        for (size_t i = 0; i < bn; i++)
            h = (h ^ (unsigned char)b[i]) * 1099511628211ull;
    }
    return h;
}

/* does key equal a (an bytes) [+ ' ' + b (bn bytes)]? */
static int key_eq(const char *key, const char *a, size_t an, const char *b, size_t bn)
{
    if (strncmp(key, a, an) != 0)
        return 0;
    if (!b)
        return key[an] == '\0';
    return key[an] == ' ' && strncmp(key + an + 1, b, bn) == 0 && key[an + 1 + bn] == '\0';
}

static int map_init(struct map *m, size_t n)
{
    m->cap = 16;
    while (m->cap < 2 * n + 1)
        m->cap *= 2;
    m->n = 0;
    m->s = calloc(m->cap, sizeof *m->s);
    return m->s ? 0 : -1;
}

static struct slot *map_find(const struct map *m, const char *a, size_t an,
                             const char *b, size_t bn)
{
    if (!m->s)
        return NULL;
    size_t i = (size_t)hash_str(a, an, b, bn) & (m->cap - 1);
    while (m->s[i].key) {
        if (key_eq(m->s[i].key, a, an, b, bn))
            return &m->s[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* insert key (NUL-terminated, a or "a b"); returns the slot (existing or new) */
static struct slot *map_put(struct map *m, const char *key)
{
    const char *sp = strchr(key, ' ');
    size_t an = sp ? (size_t)(sp - key) : strlen(key);
    const char *b = sp ? sp + 1 : NULL;
    size_t bn = b ? strlen(b) : 0;
    size_t i = (size_t)hash_str(key, an, b, bn) & (m->cap - 1);
    while (m->s[i].key) {
        if (key_eq(m->s[i].key, key, an, b, bn))
            return &m->s[i];
        i = (i + 1) & (m->cap - 1);
    }
    m->s[i].key = key;
    m->s[i].val = 0;
    m->n++;
    return &m->s[i];
}

/* ---- the model ---- */

struct syl {
    const char *text; /* lowercase syllable */
    char *key;        /* tone-stripped */
    int tone;
};

struct tone_model {
    char *data;        /* the file, NULs written over tabs and newlines */
    struct map counts; /* unigram and bigram counts */
    struct map groups; /* stripped key -> index of its first syllable in syls */
    struct syl *syls;  /* sorted by key */
    size_t nsyls;
    double ntokens;
    struct tone_params params;
};

static int syl_cmp(const void *pa, const void *pb)
{
    const struct syl *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->text, b->text);
}

void tone_model_free(struct tone_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nsyls; i++)
        free(m->syls[i].key);
    free(m->syls);
    free(m->counts.s);
    free(m->groups.s);
    free(m->data);
    free(m);
}

struct tone_model *tone_model_load(const char *path, char *err, size_t errlen)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    vowel_init();
    enum sohoa_err e = util_read_file(path, &data, &len);
    if (e != SOHOA_OK) {
        snprintf(err, errlen, "%s: %s", path,
                 e == SOHOA_EIO || e == SOHOA_ENOENT ? strerror(errno) : sohoa_strerror(e));
        return NULL;
    }
    struct tone_model *m = calloc(1, sizeof *m);
    if (!m) {
        free(data);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->data = (char *)data;
    m->params.ratio = TONE_RATIO_DEFAULT;
    m->params.min_count = TONE_MIN_COUNT_DEFAULT;
    m->params.max_read = TONE_MAX_READ_DEFAULT;
    m->params.cross_lines = 1;
    m->params.stop_rule = 1;
    m->params.chan[TONE_ACUTE][TONE_HOOK] = 1.0;
    m->params.chan[TONE_HOOK][TONE_NONE] = TONE_MINOR_DEFAULT;
    m->params.chan[TONE_GRAVE][TONE_NONE] = TONE_MINOR_DEFAULT;

    size_t nlines = 0, nuni = 0;
    for (size_t i = 0; i < len; i++)
        if (m->data[i] == '\n')
            nlines++;
    if (map_init(&m->counts, nlines + 1) < 0)
        goto nomem;

    /* parse: "key\tcount" lines */
    char *p = m->data, *end = m->data + len;
    size_t lineno = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        lineno++;
        if (eol > p && eol[-1] == '\r')
            eol[-1] = '\0';
        *eol = '\0';
        if (*p && *p != '#') {
            char *tab = strchr(p, '\t');
            char *num_end = NULL;
            unsigned long c = 0;
            if (tab) {
                *tab = '\0';
                errno = 0;
                c = strtoul(tab + 1, &num_end, 10);
            }
            if (!tab || !*p || num_end == tab + 1 || *num_end || errno ||
                !util_utf8_valid(p, strlen(p))) {
                snprintf(err, errlen, "%s:%zu: not \"syllable(s)<TAB>count\"", path, lineno);
                tone_model_free(m);
                return NULL;
            }
            struct slot *s = map_put(&m->counts, p);
            s->val += c;
            if (!strchr(p, ' ')) {
                m->ntokens += (double)c;
                nuni++;
            }
        }
        p = nl ? nl + 1 : end;
    }
    if (nuni == 0) {
        snprintf(err, errlen, "%s: no unigram lines", path);
        tone_model_free(m);
        return NULL;
    }

    /* syllables grouped by their tone-stripped key */
    m->syls = calloc(nuni, sizeof *m->syls);
    if (!m->syls)
        goto nomem;
    for (size_t i = 0; i < m->counts.cap; i++) {
        const char *k = m->counts.s[i].key;
        if (!k || strchr(k, ' '))
            continue;
        char key[64];
        int tone = strip_tone(k, strlen(k), key, sizeof key);
        if (tone < 0)
            continue;
        struct syl *s = &m->syls[m->nsyls];
        s->text = k;
        s->tone = tone;
        s->key = strdup(key);
        if (!s->key)
            goto nomem;
        m->nsyls++;
    }
    qsort(m->syls, m->nsyls, sizeof *m->syls, syl_cmp);
    if (map_init(&m->groups, m->nsyls) < 0)
        goto nomem;
    for (size_t i = 0; i < m->nsyls; i++)
        if (i == 0 || strcmp(m->syls[i].key, m->syls[i - 1].key) != 0)
            map_put(&m->groups, m->syls[i].key)->val = i;
    return m;

nomem:
    snprintf(err, errlen, "out of memory");
    tone_model_free(m);
    return NULL;
}

const char *tone_model_default_path(void)
{
    const char *env = getenv(TONE_MODEL_ENV);
    if (env && *env)
        return env;
#ifdef SOHOA_DATA_DIR
    return SOHOA_DATA_DIR "/" TONE_MODEL_FILE;
#else
    return TONE_MODEL_FILE;
#endif
}

struct tone_params tone_model_params(const struct tone_model *m)
{
    return m->params;
}

void tone_model_set_params(struct tone_model *m, const struct tone_params *p)
{
    m->params = *p;
}

static unsigned long count2(const struct tone_model *m, const char *a, size_t an,
                            const char *b, size_t bn)
{
    const struct slot *s = map_find(&m->counts, a, an, b, bn);
    return s ? s->val : 0;
}

unsigned long tone_model_count(const struct tone_model *m, const char *a, const char *b)
{
    return count2(m, a, strlen(a), b, b ? strlen(b) : 0);
}

/* ---- tokens of the page ---- */

#define TOK_MAX 64 /* longest syllable we look at, bytes */

enum tcase { T_OTHER, T_LOWER, T_CAPITAL, T_UPPER };

struct tok {
    size_t start, end;       /* the whole whitespace-free token */
    size_t cstart, cend;     /* its core, without surrounding punctuation */
    int lead, trail;         /* punctuation before / after the core */
    int nl_before;           /* line breaks in the whitespace before it */
    enum tcase tcase;        /* letters-only core: all lower, or Capitalised */
    char low[TOK_MAX];       /* lowercase core (T_LOWER / T_CAPITAL) */
    size_t lowlen;
    int bullet_or_end;       /* the token ends a sentence or is a list bullet */
};

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* punctuation that may wrap a word (ASCII and a few common marks) */
static int is_wrap_punct(uint32_t cp)
{
    switch (cp) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '(': case ')':
    case '[': case ']': case '"': case '\'': case '*':
    case 0x2026: /* … */
    case 0x201C: case 0x201D: case 0x2018: case 0x2019: /* “ ” ‘ ’ */
    case 0xAB: case 0xBB:
        return 1;
    default:
        return 0;
    }
}

static void classify(const char *text, struct tok *t)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t cp;
    /* core: strip wrapping punctuation on both sides */
    size_t a = t->start, b = t->end;
    while (a < b) {
        int k = util_utf8_decode(s + a, b - a, &cp);
        if (!is_wrap_punct(cp))
            break;
        a += (size_t)k;
    }
    while (b > a) {
        size_t q = b - 1;
        while (q > a && (s[q] & 0xC0) == 0x80)
            q--;
        util_utf8_decode(s + q, b - q, &cp);
        if (!is_wrap_punct(cp))
            break;
        b = q;
    }
    t->cstart = a;
    t->cend = b;
    t->lead = a > t->start;
    t->trail = b < t->end;
    t->tcase = T_OTHER;
    t->lowlen = 0;

    /* ends a sentence, or is a bullet / list marker such as "-", "a)", "1." */
    unsigned char last = s[t->end - 1];
    size_t tl = t->end - t->start;
    t->bullet_or_end = last == '.' || last == '!' || last == '?' || last == ':' ||
                       last == ';' || last == ')' ||
                       (tl == 1 && (last == '-' || last == '+' || last == '*')) ||
                       (tl == 3 && (memcmp(s + t->start, "\xe2\x80\x93", 3) == 0 ||
                                    memcmp(s + t->start, "\xe2\x80\xa2", 3) == 0));

    if (a == b || b - a >= TOK_MAX)
        return;
    int nupper = 0, nletters = 0, first_upper = 0;
    size_t o = 0;
    for (size_t i = a; i < b;) {
        int k = util_utf8_decode(s + i, b - i, &cp);
        uint32_t low;
        int c = vn_letter(cp, &low);
        if (c == 0)
            return; /* digit, '/', '-', '.', '@', combining mark ...: not a word */
        if (c == 2) {
            nupper++;
            if (nletters == 0)
                first_upper = 1;
        }
        nletters++;
        char buf[4];
        int w = util_utf8_encode(low, buf);
        if (o + (size_t)w + 1 > sizeof t->low)
            return;
        memcpy(t->low + o, buf, (size_t)w);
        o += (size_t)w;
        i += (size_t)k;
    }
    t->low[o] = '\0';
    t->lowlen = o;
    if (nupper == 0)
        t->tcase = T_LOWER;
    else if (nupper == 1 && first_upper && nletters > 1)
        t->tcase = T_CAPITAL;
    else if (nupper == nletters && nletters > 1)
        t->tcase = T_UPPER;
}

/* may a and b (a before b) be read as adjacent syllables of one phrase? */
static int adjacent(const struct tone_model *m, const struct tok *a, const struct tok *b)
{
    if (a->tcase == T_OTHER && a->lowlen == 0)
        return 0;
    if (b->tcase == T_OTHER && b->lowlen == 0)
        return 0;
    if (a->trail || b->lead)
        return 0;
    if (b->nl_before > (m->params.cross_lines ? 1 : 0))
        return 0;
    return 1;
}

/* log-free score pieces: see the comment at the top */
static double p_uni(const struct tone_model *m, const char *c, size_t cn)
{
    double v = (double)m->nsyls;
    return ((double)count2(m, c, cn, NULL, 0) + 0.5) / (m->ntokens + 0.5 * v);
}

static double score(const struct tone_model *m, const char *l, size_t ln, const char *c,
                    size_t cn, const char *r, size_t rn, unsigned long *bisum)
{
    double s;
    unsigned long bl = 0, br = 0;
    if (l) {
        bl = count2(m, l, ln, c, cn);
        s = ((double)bl + TONE_K * p_uni(m, c, cn)) /
            ((double)count2(m, l, ln, NULL, 0) + TONE_K);
    } else {
        s = p_uni(m, c, cn);
    }
    if (r) {
        br = count2(m, c, cn, r, rn);
        s *= ((double)br + TONE_K * p_uni(m, r, rn)) /
             ((double)count2(m, c, cn, NULL, 0) + TONE_K);
    }
    *bisum = bl + br;
    return s;
}

/* write the lowercase syllable cand with the case of the token t */
static int emit_cased(struct strbuf *out, const char *cand, enum tcase tc)
{
    if (tc == T_UPPER) {
        const unsigned char *c = (const unsigned char *)cand;
        size_t n = strlen(cand);
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            char buf[4];
            int k = util_utf8_decode(c + i, n - i, &cp);
            if (k <= 0 || strbuf_add(out, buf, (size_t)util_utf8_encode(vn_upper(cp), buf)) < 0)
                return -1;
            i += (size_t)k;
        }
        return 0;
    }
    if (tc != T_CAPITAL)
        return strbuf_adds(out, cand);
    uint32_t cp;
    size_t n = strlen(cand);
    int k = util_utf8_decode((const unsigned char *)cand, n, &cp);
    char buf[4];
    int w = util_utf8_encode(vn_upper(cp), buf);
    if (strbuf_add(out, buf, (size_t)w) < 0)
        return -1;
    return strbuf_add(out, cand + k, n - (size_t)k);
}

/*
 * The best replacement for token i, or NULL to keep it.
 */
/* Does a tone-stripped syllable end in a stop (p, t, c, ch)? */
static int stop_final(const char *key)
{
    size_t n = strlen(key);
    return n >= 2 && (key[n - 1] == 'p' || key[n - 1] == 't' || key[n - 1] == 'c' ||
                      (key[n - 1] == 'h' && key[n - 2] == 'c'));
}

/*
 * A syllable closed by p, t, c or ch carries only the acute or the dot
 * (tết, tệt; never têt, tềt): one read with another tone lost its mark or
 * had it misread. The acute or dot reading the neighbours (or, with none,
 * the syllable's own frequency) make likelier is taken, when the model has
 * seen it often enough. Any case, names included: no Vietnamese word breaks
 * the rule.
 */
static const char *choose_stop(const struct tone_model *m, int tone, const char *key,
                               const struct tok *lt, const struct tok *rt)
{
    if (tone == TONE_ACUTE || tone == TONE_DOT || !stop_final(key))
        return NULL;
    const struct slot *g = map_find(&m->groups, key, strlen(key), NULL, 0);
    if (!g)
        return NULL;
    /* plain ASCII with no mark may be a foreign word (net, chat, Internet) */
    int vn = tone != TONE_NONE;
    for (const unsigned char *p = (const unsigned char *)key; *p && !vn; p++)
        vn = *p >= 0x80;
    if (!vn)
        return NULL;
    /* context in any case: a heading's GIÁM ĐÔC is giám đốc */
    const char *l = lt && lt->tcase != T_OTHER ? lt->low : NULL;
    const char *r = rt && rt->tcase != T_OTHER ? rt->low : NULL;
    size_t ln = l ? lt->lowlen : 0, rn = r ? rt->lowlen : 0;
    const char *best = NULL;
    double s_best = 0;
    unsigned long best_bi = 0;
    int ncand = 0;
    for (size_t j = g->val; j < m->nsyls && strcmp(m->syls[j].key, key) == 0; j++) {
        const struct syl *c = &m->syls[j];
        if (c->tone != TONE_ACUTE && c->tone != TONE_DOT)
            continue;
        size_t cn = strlen(c->text);
        if (count2(m, c->text, cn, NULL, 0) < TONE_STOP_MIN_COUNT)
            continue;
        unsigned long bi = 0;
        double s = score(m, l, ln, c->text, cn, r, rn, &bi);
        ncand++;
        if (s > s_best) {
            s_best = s;
            best = c->text;
            best_bi = bi;
        }
    }
    /* acute or dot: frequency alone does not choose (GIÁM ĐÔC is not độc) */
    if (ncand > 1 && best_bi == 0)
        return NULL;
    return best;
}

static const char *choose(const struct tone_model *m, const struct tok *toks, size_t n,
                          size_t i)
{
    const struct tok *t = &toks[i];
    if (t->tcase == T_OTHER)
        return NULL;
    const struct tok *lt = i > 0 && adjacent(m, &toks[i - 1], t) ? &toks[i - 1] : NULL;
    const struct tok *rt = i + 1 < n && adjacent(m, t, &toks[i + 1]) ? &toks[i + 1] : NULL;
    char key[TOK_MAX];
    int tone = strip_tone(t->low, t->lowlen, key, sizeof key);
    if (tone < 0)
        return NULL;
    if (m->params.stop_rule && stop_final(key))
        return choose_stop(m, tone, key, lt, rt);
    if (t->tcase == T_UPPER)
        return NULL;
    if (t->tcase == T_CAPITAL) {
        /* only at the start of a sentence or list item, and followed by a
         * lowercase word: elsewhere a capital marks a name */
        if (i > 0 && !toks[i - 1].bullet_or_end && toks[i].nl_before < 2)
            return NULL;
        lt = NULL;
        if (!rt || rt->tcase != T_LOWER)
            return NULL;
    }
    /* a capitalised context word counts (lowercased); an all-caps or
     * mixed-case one, or one with other characters, does not */
    if (lt && (lt->tcase == T_OTHER || lt->tcase == T_UPPER))
        lt = NULL;
    if (rt && (rt->tcase == T_OTHER || rt->tcase == T_UPPER))
        rt = NULL;
    if (!lt && !rt)
        return NULL;

    const struct slot *g = map_find(&m->groups, key, strlen(key), NULL, 0);
    if (!g)
        return NULL;

    const char *l = lt ? lt->low : NULL, *r = rt ? rt->low : NULL;
    size_t ln = lt ? lt->lowlen : 0, rn = rt ? rt->lowlen : 0;
    unsigned long read_bi = 0, best_bi = 0;
    double s_read = score(m, l, ln, t->low, t->lowlen, r, rn, &read_bi);
    if ((double)read_bi > m->params.max_read)
        return NULL;
    const char *best = NULL;
    double s_best = 0;
    for (size_t j = g->val; j < m->nsyls && strcmp(m->syls[j].key, key) == 0; j++) {
        const struct syl *c = &m->syls[j];
        /* c->tone == tone: the same syllable, or another spelling (hoà/hòa) */
        double w = m->params.chan[tone][c->tone];
        if (c->tone == tone || w <= 0)
            continue;
        unsigned long bi = 0;
        double s = w * score(m, l, ln, c->text, strlen(c->text), r, rn, &bi);
        if (s > s_best) {
            s_best = s;
            best = c->text;
            best_bi = bi;
        }
    }
    if (!best || s_best < m->params.ratio * s_read ||
        best_bi < (unsigned long)m->params.min_count)
        return NULL;
    return best;
}

int tone_correct_log(const struct tone_model *m, const char *text, struct strbuf *out,
                     int *nchanged, struct strbuf *log)
{
    size_t len = strlen(text), n = 0, cap = 0;
    struct tok *toks = NULL;
    int changed = 0, rc = 0;
    if (nchanged)
        *nchanged = 0;

    /* split into whitespace-separated tokens */
    int nl = 0;
    for (size_t i = 0; i < len;) {
        if (is_space((unsigned char)text[i])) {
            if (text[i] == '\n')
                nl++;
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && !is_space((unsigned char)text[j]))
            j++;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            struct tok *nt = realloc(toks, nc * sizeof *nt);
            if (!nt) {
                free(toks);
                return -1;
            }
            toks = nt;
            cap = nc;
        }
        struct tok *t = &toks[n++];
        memset(t, 0, sizeof *t);
        t->start = i;
        t->end = j;
        t->nl_before = i == 0 ? 2 : nl;
        if (n == 1)
            t->nl_before = 2; /* the start of the text starts a paragraph */
        classify(text, t);
        nl = 0;
        i = j;
    }

    size_t done = 0; /* bytes of text already copied */
    for (size_t i = 0; i < n; i++) {
        const char *rep = choose(m, toks, n, i);
        if (!rep)
            continue;
        const struct tok *t = &toks[i];
        if (strbuf_add(out, text + done, t->cstart - done) < 0 ||
            emit_cased(out, rep, t->tcase) < 0) {
            rc = -1;
            break;
        }
        done = t->cend;
        changed++;
        if (log) {
            const char *l = i > 0 ? toks[i - 1].low : "";
            const char *r = i + 1 < n ? toks[i + 1].low : "";
            if (strbuf_add(log, text + t->cstart, t->cend - t->cstart) < 0 ||
                strbuf_addf(log, " -> %s\t%s _ %s\n", rep, l, r) < 0) {
                rc = -1;
                break;
            }
        }
    }
    if (rc == 0 && strbuf_add(out, text + done, len - done) < 0)
        rc = -1;
    free(toks);
    if (nchanged)
        *nchanged = changed;
    return rc;
}

int tone_correct(const struct tone_model *m, const char *text, struct strbuf *out,
                 int *nchanged)
{
    return tone_correct_log(m, text, out, nchanged, NULL);
}
