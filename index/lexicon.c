/*
 * lexicon.c - the marks of administrative words and place names (see
 * lexicon.h).
 *
 *   the lists:   bodies, units, fields of state work, titles, provinces,
 *                surnames
 *   phrases:     built once: each phrase's words and their folded forms
 *   mending:     lex_restore
 */
#include "lexicon.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "tone.h"
#include "util.h"

/* ---- the lists (lower case; NĐ 30/2020 and the provinces) ---- */

/* bodies that head a unit's name: "ỦY BAN NHÂN DÂN" + "TỈNH" */
static const char *const organs[] = {"ủy ban nhân dân", "hội đồng nhân dân", "ubnd",
                                     "hđnd", NULL};
static const char *const units[] = {"tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã",
                                    "phường", "thị trấn", NULL};
/* departments of a province and ministries: "SỞ" / "BỘ" + field */
static const char *const fields[] = {
    "y tế", "giáo dục và đào tạo", "thông tin và truyền thông", "tài chính", "nội vụ",
    "tư pháp", "xây dựng", "công thương", "tài nguyên và môi trường", "kế hoạch và đầu tư",
    "giao thông vận tải", "nông nghiệp và phát triển nông thôn", "nông nghiệp và môi trường",
    "lao động - thương binh và xã hội", "văn hóa, thể thao và du lịch",
    "khoa học và công nghệ", "ngoại vụ", "quốc phòng", "công an", "ngoại giao",
    "dân tộc và tôn giáo", NULL};
static const char *const heads[] = {"sở", "bộ", NULL};
/* other bodies, and the signer's titles */
static const char *const phrases[] = {
    "bệnh viện đa khoa", "trung tâm y tế", "trường đại học", "đại học quốc gia",
    "công nghệ thông tin", "hệ thống thông tin", "trường trung học phổ thông",
    "trường trung học cơ sở", "trường tiểu học", "trường mầm non", "ban giám hiệu",
    "ban quản lý", "ban chỉ huy quân sự", "văn phòng", "chi cục", "tổng cục", "thanh tra",
    "ủy ban nhân dân", "hội đồng nhân dân", "chủ tịch", "phó chủ tịch", "giám đốc", "phó giám đốc", "tổng giám đốc",
    "hiệu trưởng", "phó hiệu trưởng", "bộ trưởng", "thứ trưởng", "trưởng phòng",
    "phó trưởng phòng", "trưởng ban", "phó trưởng ban", "trưởng khoa", "phó trưởng khoa",
    "chánh văn phòng", "phó chánh văn phòng", "cục trưởng", "phó cục trưởng",
    "vụ trưởng", "viện trưởng", "bí thư", "phó bí thư", "thủ trưởng", "chánh thanh tra",
    "trưởng thôn", "trưởng công an", "chỉ huy trưởng", "thủ tướng", "phó thủ tướng",
    /* the national motto's first line */
    "cộng hòa xã hội chủ nghĩa việt nam", "cộng hòa xã hội", "xã hội chủ nghĩa",
    "chủ nghĩa việt nam", NULL};
/* provinces and centrally governed cities (two syllables or more) */
static const char *const provinces[] = {
    "hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "an giang", "bà rịa",
    "vũng tàu", "bắc giang", "bắc kạn", "bạc liêu", "bắc ninh", "bến tre", "bình định",
    "bình dương", "bình phước", "bình thuận", "cà mau", "cao bằng", "đắk lắk", "đắk nông",
    "điện biên", "đồng nai", "đồng tháp", "gia lai", "hà giang", "hà nam", "hà tĩnh",
    "hải dương", "hậu giang", "hòa bình", "hưng yên", "khánh hòa", "kiên giang", "kon tum",
    "lai châu", "lâm đồng", "lạng sơn", "lào cai", "long an", "nam định", "nghệ an",
    "ninh bình", "ninh thuận", "phú thọ", "phú yên", "quảng bình", "quảng nam",
    "quảng ngãi", "quảng ninh", "quảng trị", "sóc trăng", "sơn la", "tây ninh",
    "thái bình", "thái nguyên", "thanh hóa", "thừa thiên huế", "tiền giang", "trà vinh",
    "tuyên quang", "vĩnh long", "vĩnh phúc", "yên bái", NULL};
/* surnames: the first word of a signer's name */
static const char *const surnames[] = {
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi",
    "đỗ", "hồ", "ngô", "dương", "lý", "đinh", "đoàn", "trương", "lâm", "mai", "trịnh",
    "đào", "cao", "hà", "hạ", "lương", "tạ", "tô", "châu", "quách", "lưu", "thái", "từ",
    "kiều", "triệu", "vương", "phùng", "lại", "khúc", "nông", "hứa", "mạc", "tăng", "tống",
    "thân", "văn", "lò", "la", "giáp", "đàm", "khổng", "âu", "chu", "doãn", NULL};

/* ---- phrases ---- */

#define LEX_MAXW 12

struct phrase {
    int n;
    char *word[LEX_MAXW];   /* as written, lower case */
    char *fold[LEX_MAXW];   /* folded: no case, no marks */
};

struct list {
    struct phrase *p;
    size_t n, cap;
};

static struct list body_list, place_list, name_list;
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;
static int lists_failed;

/* the letters and digits of a token, without the punctuation around it */
static void core(const char *t, size_t n, size_t *a, size_t *b)
{
    size_t i = 0, end = 0, start = n;
    while (i < n) {
        uint32_t cp;
        size_t at = i;
        i += (size_t)util_utf8_decode((const unsigned char *)t + i, n - i, &cp);
        if (fold_is_word_cp(cp)) {
            if (start == n)
                start = at;
            end = i;
        }
    }
    *a = start == n ? 0 : start;
    *b = start == n ? 0 : end;
}

static char *fold_core(const char *t, size_t n)
{
    size_t a, b;
    core(t, n, &a, &b);
    return fold_text(t + a, b - a);
}

static int add(struct list *l, const char *text)
{
    struct phrase ph;
    memset(&ph, 0, sizeof ph);
    for (const char *s = text; *s && ph.n < LEX_MAXW;) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (!n)
            break;
        ph.word[ph.n] = strndup(s, n);
        ph.fold[ph.n] = ph.word[ph.n] ? fold_core(s, n) : NULL;
        if (!ph.fold[ph.n++])
            return -1;
        s += n;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        void *np = realloc(l->p, nc * sizeof *l->p);
        if (!np)
            return -1;
        l->p = np;
        l->cap = nc;
    }
    l->p[l->n++] = ph;
    return 0;
}

static int add2(struct list *l, const char *a, const char *b)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s %s", a, b);
    int rc = sb.buf ? add(l, sb.buf) : -1;
    strbuf_release(&sb);
    return rc;
}

/* longest phrases first: "phó chủ tịch" before "chủ tịch" */
static int by_length(const void *pa, const void *pb)
{
    const struct phrase *a = pa, *b = pb;
    return b->n - a->n;
}

static void build_lists(void)
{
    int rc = 0;
    for (int o = 0; organs[o]; o++)
        for (int u = 0; units[u]; u++)
            rc |= add2(&body_list, organs[o], units[u]);
    for (int h = 0; heads[h]; h++)
        for (int f = 0; fields[f]; f++)
            rc |= add2(&body_list, heads[h], fields[f]);
    for (int i = 0; phrases[i]; i++)
        rc |= add(&body_list, phrases[i]);
    for (int i = 0; provinces[i]; i++) {
        rc |= add(&body_list, provinces[i]);
        rc |= add2(&body_list, "tỉnh", provinces[i]);
        rc |= add2(&body_list, "thành phố", provinces[i]);
        rc |= add(&place_list, provinces[i]);
    }
    for (int i = 0; surnames[i]; i++)
        rc |= add(&name_list, surnames[i]);
    qsort(body_list.p, body_list.n, sizeof *body_list.p, by_length);
    qsort(place_list.p, place_list.n, sizeof *place_list.p, by_length);
    lists_failed = rc != 0;
}

/* ---- mending ---- */

/*
 * Is the read word the list's with one letter too many ("quaang" for
 * "quang": a letter read twice)? Only that: a letter missing or changed
 * makes other words ("trong" is one letter from "truong", "thu tuong"
 * from "thu truong").
 */
static int one_extra(const char *read, const char *word)
{
    size_t lr = strlen(read), lw = strlen(word);
    if (lr != lw + 1)
        return 0;
    size_t i = 0;
    while (i < lw && read[i] == word[i])
        i++;
    return strcmp(read + i + 1, word + i) == 0;
}

struct token {
    const char *s;      /* in the value */
    size_t n;
    size_t a, b;        /* its core */
    char *fold;
};

/* does the token already hold the word's letters and tone? */
static int same_syllable(const struct token *t, const char *word)
{
    char k1[64], k2[64];
    int t1 = tone_syllable(t->s + t->a, t->b - t->a, k1, sizeof k1);
    int t2 = tone_syllable(word, strlen(word), k2, sizeof k2);
    return t1 >= 0 && t1 == t2 && strcmp(k1, k2) == 0;
}

/* the word in the token's case: CAPITALS, Capital or lower */
static void put_cased(struct strbuf *sb, const struct token *t, const char *word)
{
    int up = 0, low = 0;
    for (size_t i = t->a; i < t->b;) {
        uint32_t cp;
        i += (size_t)util_utf8_decode((const unsigned char *)t->s + i, t->b - i, &cp);
        if (tone_upper_cp(cp) == cp && cp > '9')
            up++;
        else if (cp > '9')
            low++;
    }
    int all = up > 0 && low == 0 && t->b - t->a > 1;
    size_t n = strlen(word);
    for (size_t i = 0, k = 0; i < n; k++) {
        uint32_t cp;
        char buf[4];
        i += (size_t)util_utf8_decode((const unsigned char *)word + i, n - i, &cp);
        if (all || (k == 0 && up))
            cp = tone_upper_cp(cp);
        strbuf_add(sb, buf, (size_t)util_utf8_encode(cp, buf));
    }
}

static int matches(const struct phrase *ph, const struct token *t, size_t nt)
{
    if ((size_t)ph->n > nt)
        return 0;
    int fuzzy = 0;
    for (int k = 0; k < ph->n; k++) {
        if (!t[k].fold)
            return 0;
        if (strcmp(t[k].fold, ph->fold[k]) == 0)
            continue;
        if (fuzzy++ || ph->n < 2 || strlen(ph->fold[k]) < 5 ||
            !one_extra(t[k].fold, ph->fold[k]))
            return 0;
    }
    return 1;
}

/* a line in capitals: four letters or more, almost none small */
static int in_capitals(const char *s, size_t n)
{
    int up = 0, low = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)util_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!fold_is_word_cp(cp) || (cp >= '0' && cp <= '9') || fold_cp(cp) == 0)
            continue;
        if (tone_upper_cp(cp) == cp)
            up++;
        else
            low++;
    }
    return up >= 4 && low * 10 <= up;
}

int lex_restore_capitals(const char *text, struct strbuf *out)
{
    int total = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        if (!line)
            return -1;
        int ch = 0;
        char *fixed = in_capitals(line, n) ? lex_restore(line, LEX_BODY, &ch) : NULL;
        if (in_capitals(line, n) && !fixed) {
            free(line);
            return -1;
        }
        strbuf_adds(out, ch ? fixed : line);
        total += ch;
        free(fixed);
        free(line);
        p += n;
        if (*p == '\n') {
            strbuf_add(out, "\n", 1);
            p++;
        }
    }
    return total;
}

char *lex_restore(const char *s, enum lex_kind kind, int *changed)
{
    struct token *tok = NULL;
    size_t nt = 0, cap = 0;
    struct strbuf sb = STRBUF_INIT;
    int nchanged = 0;
    char *out = NULL;

    if (changed)
        *changed = 0;
    pthread_once(&lists_once, build_lists);
    const struct list *l = kind == LEX_BODY ? &body_list : kind == LEX_PLACE ? &place_list
                                                                             : &name_list;
    if (lists_failed)
        return strdup(s);
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        if (nt == cap) {
            size_t nc = cap ? 2 * cap : 16;
            void *np = realloc(tok, nc * sizeof *tok);
            if (!np)
                goto out;
            tok = np;
            cap = nc;
        }
        struct token *t = &tok[nt++];
        memset(t, 0, sizeof *t);
        t->s = p;
        t->n = n;
        core(p, n, &t->a, &t->b);
        /* numbers and codes are never words of the list */
        int digit = 0;
        for (size_t i = t->a; i < t->b; i++)
            digit |= p[i] >= '0' && p[i] <= '9';
        t->fold = digit ? NULL : fold_text(p + t->a, t->b - t->a);
        p += n;
    }
    /* a name: only its first word, a surname */
    size_t limit = kind == LEX_NAME ? (nt > 0) : nt;
    for (size_t i = 0; i < nt;) {
        const struct phrase *hit = NULL;
        if (i < limit) {
            for (size_t k = 0; k < l->n && !hit; k++)
                if (matches(&l->p[k], tok + i, nt - i))
                    hit = &l->p[k];
            /* a surname that folds like two of the list (Hà, Hạ) is kept */
            for (size_t k = 0; hit && kind == LEX_NAME && k < l->n; k++)
                if (&l->p[k] != hit && strcmp(l->p[k].fold[0], hit->fold[0]) == 0)
                    hit = NULL;
        }
        size_t span = hit ? (size_t)hit->n : 1;
        for (size_t k = 0; k < span; k++) {
            const struct token *t = &tok[i + k];
            if (sb.len)
                strbuf_adds(&sb, " ");
            if (!hit || same_syllable(t, hit->word[k]) || t->b == t->a) {
                strbuf_add(&sb, t->s, t->n);
                continue;
            }
            strbuf_add(&sb, t->s, t->a);
            put_cased(&sb, t, hit->word[k]);
            strbuf_add(&sb, t->s + t->b, t->n - t->b);
            nchanged++;
        }
        i += span;
    }
    out = strbuf_detach(&sb, NULL);
    if (!out)
        out = strdup("");
    if (changed)
        *changed = nchanged;
out:
    for (size_t i = 0; i < nt; i++)
        free(tok[i].fold);
    free(tok);
    strbuf_release(&sb);
    return out;
}
