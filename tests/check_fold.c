/*
 * check_fold.c - unit tests for index/fold.h: folding Vietnamese text for
 * diacritic- and case-insensitive search.
 *
 *   fold_text:       words, diacritics, đ/Đ/Ð, NFD input, separators
 *   fold_next_word:  byte offsets into the original text, truncation
 *   fold_cp / fold_is_word_cp
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "util.h"

/* fold_text on a NUL-terminated string; checks and frees the result */
static void expect_fold(const char *in, const char *want)
{
    char *got = fold_text(in, strlen(in));
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strcmp(got, want) == 0, "fold_text(\"%s\") = \"%s\", want \"%s\"", in,
                  got, want);
    free(got);
}

/* ---- fold_text ---- */

START_TEST(test_fold_examples)
{
    expect_fold("Quyết định", "quyet dinh");
    expect_fold("ĐĂNG KÝ", "dang ky");
    expect_fold("đăng ký", "dang ky");
    expect_fold("QÐ-UBND", "qd ubnd"); /* U+00D0, the Icelandic look-alike */
    expect_fold("Q\xc3\x90-UBND", "qd ubnd");
    expect_fold("Số: 04/QĐ-UBND", "so 04 qd ubnd");
    expect_fold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "cong hoa xa hoi chu nghia viet nam");
    expect_fold("Độc lập - Tự do - Hạnh phúc", "doc lap tu do hanh phuc");
    expect_fold("Ủy ban nhân dân xã Tân Phước", "uy ban nhan dan xa tan phuoc");
    expect_fold("plain ascii Words", "plain ascii words");
}
END_TEST

START_TEST(test_fold_nfd_like_nfc)
{
    /* e + circumflex + acute is ế */
    expect_fold("e\u0302\u0301", "e");
    expect_fold("Quye\u0302\u0301t đi\u0323nh", "quyet dinh");
    expect_fold("D\u0303", "d");
    /* upper-case base with combining marks */
    expect_fold("VIE\u0323\u0302T NAM", "viet nam");

    /* all Vietnamese vowels with all tones, NFD (from Python's unicodedata) */
    static const char nfd[] =
        "a\u0300a\u0301a\u0309a\u0303a\u0323a\u0306a\u0306\u0300a\u0306\u0301a\u0306\u0309"
        "a\u0306\u0303a\u0323\u0306a\u0302a\u0302\u0300a\u0302\u0301a\u0302\u0309a\u0302\u0303"
        "a\u0323\u0302e\u0300e\u0301e\u0309e\u0303e\u0323e\u0302e\u0302\u0300e\u0302\u0301"
        "e\u0302\u0309e\u0302\u0303e\u0323\u0302i\u0300i\u0301i\u0309i\u0303i\u0323o\u0300"
        "o\u0301o\u0309o\u0303o\u0323o\u0302o\u0302\u0300o\u0302\u0301o\u0302\u0309o\u0302\u0303"
        "o\u0323\u0302o\u031bo\u031b\u0300o\u031b\u0301o\u031b\u0309o\u031b\u0303o\u031b\u0323"
        "u\u0300u\u0301u\u0309u\u0303u\u0323u\u031bu\u031b\u0300u\u031b\u0301u\u031b\u0309"
        "u\u031b\u0303u\u031b\u0323y\u0300y\u0301y\u0309y\u0303y\u0323A\u0300A\u0301A\u0309"
        "A\u0303A\u0323A\u0306A\u0306\u0300A\u0306\u0301A\u0306\u0309A\u0306\u0303A\u0323\u0306"
        "A\u0302A\u0302\u0300A\u0302\u0301A\u0302\u0309A\u0302\u0303A\u0323\u0302E\u0300E\u0301"
        "E\u0309E\u0303E\u0323E\u0302E\u0302\u0300E\u0302\u0301E\u0302\u0309E\u0302\u0303"
        "E\u0323\u0302I\u0300I\u0301I\u0309I\u0303I\u0323O\u0300O\u0301O\u0309O\u0303O\u0323"
        "O\u0302O\u0302\u0300O\u0302\u0301O\u0302\u0309O\u0302\u0303O\u0323\u0302O\u031b"
        "O\u031b\u0300O\u031b\u0301O\u031b\u0309O\u031b\u0303O\u031b\u0323U\u0300U\u0301U\u0309"
        "U\u0303U\u0323U\u031bU\u031b\u0300U\u031b\u0301U\u031b\u0309U\u031b\u0303U\u031b\u0323"
        "Y\u0300Y\u0301Y\u0309Y\u0303Y\u0323";
    static const char nfc[] =
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
        "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ";
    static const char base[] = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooo"
                               "uuuuuuuuuuuyyyyy";
    char want[2 * sizeof base];
    strcpy(want, base);
    strcat(want, base);
    char *a = fold_text(nfd, strlen(nfd));
    char *b = fold_text(nfc, strlen(nfc));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, want);
    ck_assert_str_eq(b, want);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_fold_all_vietnamese_letters)
{
    static const char lower[] =
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
    static const char upper[] =
        "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ";
    static const char base[] =
        "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";
    const char *sets[2] = {lower, upper};
    int total = 0;
    uint32_t lowcp[67];
    for (int s = 0; s < 2; s++) {
        const unsigned char *u = (const unsigned char *)sets[s];
        size_t n = strlen(sets[s]), i = 0;
        int k = 0;
        while (i < n) {
            uint32_t cp;
            int m = util_utf8_decode(u + i, n - i, &cp);
            ck_assert_int_ge(m, 2); /* every one is precomposed non-ASCII */
            ck_assert_int_lt(k, 67);
            if (s == 0)
                lowcp[k] = cp;
            else
                ck_assert_uint_ne(cp, lowcp[k]); /* really the upper-case form */
            uint32_t f = fold_cp(cp);
            ck_assert_msg(f == (uint32_t)base[k],
                          "fold_cp(U+%04X) = U+%04X, want '%c' (letter %d of the %s set)",
                          (unsigned)cp, (unsigned)f, base[k], k, s ? "upper" : "lower");
            ck_assert(fold_is_word_cp(cp));
            /* the same through fold_text, letter by letter */
            char *t = fold_text(sets[s] + i, (size_t)m);
            char one[2] = {base[k], 0};
            ck_assert_str_eq(t, one);
            free(t);
            i += (size_t)m;
            k++;
            total++;
        }
        ck_assert_int_eq(k, 67);
    }
    ck_assert_int_eq(total, 134);
    /* the whole strings as one word each */
    char *a = fold_text(lower, strlen(lower));
    char *b = fold_text(upper, strlen(upper));
    ck_assert_str_eq(a, base);
    ck_assert_str_eq(b, base);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_fold_separators)
{
    expect_fold("“Quyết định” – số 5…", "quyet dinh so 5");
    expect_fold("Hà\u00a0Nội", "ha noi");             /* NBSP */
    expect_fold("a\u2003b\u3000c", "a b c");           /* em space, ideographic space */
    expect_fold("«trích»", "trich");
    expect_fold("a,b.c;d:e!f?g(h)i[j]k{l}m", "a b c d e f g h i j k l m");
    expect_fold("x_y+z=w&v@u#t%s*r", "x y z w v u t s r");
    expect_fold("'quoted' \"double\"", "quoted double");
    expect_fold("10×20÷2", "10 20 2");
    expect_fold("   lead  and   trail   ", "lead and trail");
    expect_fold("a\tb\nc\r\nd", "a b c d");
    expect_fold("—đ—", "d");
    expect_fold("ab\xff" "cd", "ab cd");               /* invalid byte separates */
    /* digits kept, as words of their own or inside words */
    expect_fold("Nghị định 30/2020/NĐ-CP ngày 05.03.2020", "nghi dinh 30 2020 nd cp ngay 05 03 2020");
    expect_fold("CCCD 001203004567", "cccd 001203004567");
    expect_fold("A4x3", "a4x3");
}
END_TEST

START_TEST(test_fold_empty)
{
    expect_fold("", "");
    expect_fold(" ", "");
    expect_fold("  -- .,;: “” … \u00a0 – ", "");
    expect_fold("\u0301\u0300", ""); /* combining marks alone are no word */
    /* n == 0 with a non-empty string */
    char *t = fold_text("abc", 0);
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t, "");
    free(t);
    /* only the first n bytes are looked at */
    t = fold_text("Đà Nẵng", 4); /* Đ and à are 2 bytes each */
    ck_assert_str_eq(t, "da");
    free(t);
}
END_TEST

/* ---- fold_next_word ---- */

START_TEST(test_next_word_offsets)
{
    const char *s = "  Số: 04/QĐ-UBND “Quyết định” Hà\u00a0Nội…";
    const char *orig[] = {"Số", "04", "QĐ", "UBND", "Quyết", "định", "Hà", "Nội"};
    const char *fold[] = {"so", "04", "qd", "ubnd", "quyet", "dinh", "ha", "noi"};
    size_t n = strlen(s), pos = 0, prev_end = 0;
    char buf[64];
    size_t tl, st, en;
    int k = 0;
    while (fold_next_word(s, n, &pos, buf, sizeof buf, &tl, &st, &en)) {
        ck_assert_int_lt(k, 8);
        const char *at = strstr(s + prev_end, orig[k]);
        ck_assert_ptr_nonnull(at);
        ck_assert_uint_eq(st, (size_t)(at - s));
        ck_assert_uint_eq(en, st + strlen(orig[k]));
        ck_assert_int_eq(memcmp(s + st, orig[k], en - st), 0);
        ck_assert_str_eq(buf, fold[k]);
        ck_assert_uint_eq(tl, strlen(fold[k]));
        ck_assert_uint_eq(pos, en);
        prev_end = en;
        k++;
    }
    ck_assert_int_eq(k, 8);
    ck_assert_uint_eq(pos, n);
    /* at the end it keeps returning 0 */
    ck_assert_int_eq(fold_next_word(s, n, &pos, buf, sizeof buf, &tl, &st, &en), 0);
    ck_assert_uint_eq(pos, n);
}
END_TEST

START_TEST(test_next_word_nfd_offsets)
{
    /* a word may start with stray combining marks: they are skipped; marks
     * inside a word belong to it and its byte range */
    const char *s = "\u0301 Vie\u0323\u0302t  d\u0303";
    size_t n = strlen(s), pos = 0, tl, st, en;
    char buf[32];
    ck_assert_int_eq(fold_next_word(s, n, &pos, buf, sizeof buf, &tl, &st, &en), 1);
    ck_assert_str_eq(buf, "viet");
    ck_assert_uint_eq(st, 3);
    ck_assert_uint_eq(en, 3 + 3 + 2 + 2 + 1);
    ck_assert_int_eq(fold_next_word(s, n, &pos, buf, sizeof buf, &tl, &st, &en), 1);
    ck_assert_str_eq(buf, "d");
    ck_assert_uint_eq(en, n);
    ck_assert_uint_eq(s[st], 'd');
    ck_assert_int_eq(fold_next_word(s, n, &pos, buf, sizeof buf, &tl, &st, &en), 0);
}
END_TEST

START_TEST(test_next_word_none)
{
    const char *s = " ,.;– … ";
    size_t n = strlen(s), pos = 0, tl = 7, st = 7, en = 7;
    char buf[8];
    ck_assert_int_eq(fold_next_word(s, n, &pos, buf, sizeof buf, &tl, &st, &en), 0);
    ck_assert_uint_eq(pos, n);
    pos = 0;
    ck_assert_int_eq(fold_next_word("", 0, &pos, buf, sizeof buf, &tl, &st, &en), 0);
    ck_assert_uint_eq(pos, 0);
    /* starting in the middle of the text */
    const char *t = "một hai ba";
    pos = 5; /* after "một": m + ộ (3 bytes) + t */
    ck_assert_int_eq(fold_next_word(t, strlen(t), &pos, buf, sizeof buf, &tl, &st, &en), 1);
    ck_assert_str_eq(buf, "hai");
    ck_assert_uint_eq(st, 6);
}
END_TEST

START_TEST(test_next_word_truncation)
{
    /* the buffer sits inside a larger area to see any write past bufsz */
    char area[32];
    const char *s = "Quyết định";
    size_t n = strlen(s), pos = 0, tl, st, en;
    memset(area, 'X', sizeof area);
    ck_assert_int_eq(fold_next_word(s, n, &pos, area, 4, &tl, &st, &en), 1);
    ck_assert_int_eq(area[3], '\0');
    ck_assert_str_eq(area, "quy");
    ck_assert_uint_lt(tl, 4);
    ck_assert_uint_eq(strlen(area), tl);
    for (size_t i = 4; i < sizeof area; i++)
        ck_assert_int_eq(area[i], 'X');
    /* the word is still consumed whole: offsets of the original word */
    ck_assert_uint_eq(st, 0);
    ck_assert_uint_eq(en, strlen("Quyết"));
    ck_assert_uint_eq(pos, en);
    /* the next call goes on with the next word */
    memset(area, 'X', sizeof area);
    ck_assert_int_eq(fold_next_word(s, n, &pos, area, 4, &tl, &st, &en), 1);
    ck_assert_str_eq(area, "din");
    ck_assert_int_eq(area[4], 'X');
    ck_assert_uint_eq(en, n);

    /* bufsz 1: only the NUL */
    memset(area, 'X', sizeof area);
    pos = 0;
    ck_assert_int_eq(fold_next_word(s, n, &pos, area, 1, &tl, &st, &en), 1);
    ck_assert_int_eq(area[0], '\0');
    ck_assert_int_eq(area[1], 'X');
    ck_assert_uint_eq(tl, 0);

    /* a word of non-Latin letters: never cut inside a UTF-8 sequence */
    const char *g = "αβγδ"; /* 2 bytes each, fold unchanged */
    memset(area, 'X', sizeof area);
    pos = 0;
    ck_assert_int_eq(fold_next_word(g, strlen(g), &pos, area, 6, &tl, &st, &en), 1);
    ck_assert_int_eq(area[tl], '\0');
    ck_assert_uint_le(tl, 5);
    ck_assert(util_utf8_valid(area, tl));
    ck_assert_str_eq(area, "αβ");
    for (size_t i = 6; i < sizeof area; i++)
        ck_assert_int_eq(area[i], 'X');
}
END_TEST

/*
 * fold.h: "writes at most bufsz - 1 bytes and truncates". When a character
 * does not fit, fold_next_word skips it but keeps appending later, shorter
 * characters of the same word, so the token is not a prefix of the folded
 * word: "αβγd" with bufsz 4 gives "αd" instead of "α".
 */
START_TEST(test_next_word_truncation_is_prefix)
{
    const char *s = "αβγd";
    size_t pos = 0, tl, st, en;
    char buf[4];
    ck_assert_int_eq(fold_next_word(s, strlen(s), &pos, buf, sizeof buf, &tl, &st, &en), 1);
    ck_assert_msg(strcmp(buf, "α") == 0,
                  "truncated token of \"αβγd\" in 4 bytes is \"%s\", want the prefix \"α\"",
                  buf);
    /* same thing with a Vietnamese word after a non-Latin letter run */
    const char *t = "中文Việt";
    char b2[5];
    pos = 0;
    ck_assert_int_eq(fold_next_word(t, strlen(t), &pos, b2, sizeof b2, &tl, &st, &en), 1);
    ck_assert_msg(strcmp(b2, "中") == 0,
                  "truncated token of \"中文Việt\" in 5 bytes is \"%s\", want \"中\"", b2);
}
END_TEST

/* ---- fold_cp, fold_is_word_cp ---- */

START_TEST(test_fold_cp)
{
    for (uint32_t cp = 0x300; cp <= 0x36F; cp++)
        ck_assert_uint_eq(fold_cp(cp), 0);
    ck_assert_uint_eq(fold_cp('A'), 'a');
    ck_assert_uint_eq(fold_cp('Z'), 'z');
    ck_assert_uint_eq(fold_cp('a'), 'a');
    ck_assert_uint_eq(fold_cp('5'), '5');
    ck_assert_uint_eq(fold_cp('-'), '-');
    ck_assert_uint_eq(fold_cp(0xD0), 'd');   /* Ð */
    ck_assert_uint_eq(fold_cp(0x110), 'd');  /* Đ */
    ck_assert_uint_eq(fold_cp(0x111), 'd');  /* đ */
    ck_assert_uint_eq(fold_cp(0x1EC7), 'e'); /* ệ */
    ck_assert_uint_eq(fold_cp(0x1EC6), 'e'); /* Ệ */
    ck_assert_uint_eq(fold_cp(0x1B0), 'u');  /* ư */
    ck_assert_uint_eq(fold_cp(0x1AF), 'u');  /* Ư */
    ck_assert_uint_eq(fold_cp(0x1A1), 'o');  /* ơ */
    ck_assert_uint_eq(fold_cp(0x1A0), 'o');  /* Ơ */
    ck_assert_uint_eq(fold_cp(0xC7), 'c');   /* Ç */
    ck_assert_uint_eq(fold_cp(0xF1), 'n');   /* ñ */
    /* letters without a base letter stay as they are */
    ck_assert_uint_eq(fold_cp(0xDF), 0xDF);  /* ß */
    ck_assert_uint_eq(fold_cp(0x4E2D), 0x4E2D);
    /* simple lower-casing of Greek and Cyrillic capitals */
    ck_assert_uint_eq(fold_cp(0x3A3), 0x3C3);
    ck_assert_uint_eq(fold_cp(0x410), 0x430);
    /* the folded value of a letter is never a combining mark or 0 */
    for (uint32_t cp = 0xC0; cp < 0x250; cp++)
        ck_assert_uint_ne(fold_cp(cp), 0);
    for (uint32_t cp = 0x1E00; cp < 0x1F00; cp++)
        ck_assert_uint_ne(fold_cp(cp), 0);
}
END_TEST

START_TEST(test_fold_is_word_cp)
{
    const uint32_t words[] = {'a', 'z', 'A', 'Z', '0', '9', 0xE0, 0xD0, 0x110, 0x111,
                              0x1EC7, 0x1B0, 0x301, 0x323, 0x3B1, 0x4E2D, 0xAA, 0xBA};
    const uint32_t seps[] = {' ', '\t', '\n', '.', ',', ';', ':', '-', '/', '"', '\'',
                             '(', ')', '_', '!', '?', 0xA0, 0xAB, 0xBB, 0xA7, 0xD7, 0xF7,
                             0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026,
                             0x2003, 0x3000, 0x3001, 0xFEFF, 0xFFFD, 0xFF0C};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        ck_assert_msg(fold_is_word_cp(words[i]), "U+%04X should be a word character",
                      (unsigned)words[i]);
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
        ck_assert_msg(!fold_is_word_cp(seps[i]), "U+%04X should separate words",
                      (unsigned)seps[i]);
    /* every ASCII character: exactly letters and digits are word characters */
    for (uint32_t c = 0; c < 0x80; c++) {
        int want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        ck_assert_int_eq(!!fold_is_word_cp(c), want);
    }
}
END_TEST

static Suite *fold_suite(void)
{
    Suite *s = suite_create("fold");
    TCase *tc = tcase_create("fold_text");
    tcase_add_test(tc, test_fold_examples);
    tcase_add_test(tc, test_fold_nfd_like_nfc);
    tcase_add_test(tc, test_fold_all_vietnamese_letters);
    tcase_add_test(tc, test_fold_separators);
    tcase_add_test(tc, test_fold_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("next_word");
    tcase_add_test(tc, test_next_word_offsets);
    tcase_add_test(tc, test_next_word_nfd_offsets);
    tcase_add_test(tc, test_next_word_none);
    tcase_add_test(tc, test_next_word_truncation);
    tcase_add_test(tc, test_next_word_truncation_is_prefix);
    suite_add_tcase(s, tc);

    tc = tcase_create("codepoints");
    tcase_add_test(tc, test_fold_cp);
    tcase_add_test(tc, test_fold_is_word_cp);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fold_suite());
    srunner_run_all(sr, CK_NORMAL);
    int number_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return number_failed == 0 ? 0 : 1;
}
