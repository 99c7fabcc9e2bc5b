/*
 * check_util.c - unit tests for pipeline/util.h and pipeline/sha256.h.
 *
 *   natcmp:   natural order, leading zeros, case, prefixes, qsort
 *   strbuf:   growth, addf, JSON escaping, detach
 *   utf8:     decode/encode round trip, invalid input, validity check
 *   sha256:   FIPS 180-4 test vectors, incremental updates
 *   files:    write_atomic, read_file, mkdirs, path_join
 */
#include <check.h>
#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"
#include "testutil.h"

/* ---- scratch folders ---- */

/* scratch folders live in one folder per test case, removed by the runner
 * even when a failing test could not clean up after itself */
static char *scratch_root;

static void root_setup(void)
{
    scratch_root = scratch_root_new("check_util");
}

static void root_teardown(void)
{
    if (scratch_root) {
        rm_rf(scratch_root);
        free(scratch_root);
        scratch_root = NULL;
    }
}

static char *make_scratch(void)
{
    ck_assert_ptr_nonnull(scratch_root);
    char *tmpl = util_path_join(scratch_root, "t.XXXXXX");
    ck_assert_ptr_nonnull(tmpl);
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    return tmpl;
}

static int count_dir_entries(const char *path)
{
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* ---- util_natcmp ---- */

START_TEST(test_natcmp_numbers)
{
    ck_assert_int_lt(util_natcmp("page-2", "page-10"), 0);
    ck_assert_int_gt(util_natcmp("page-10", "page-2"), 0);
    ck_assert_int_lt(util_natcmp("page-9", "page-10"), 0);
    ck_assert_int_lt(util_natcmp("page-1", "page-2"), 0);
    ck_assert_int_eq(util_natcmp("page-10", "page-10"), 0);
    ck_assert_int_lt(util_natcmp("page-99", "page-100"), 0);
    /* numbers longer than any integer type still compare by value */
    ck_assert_int_lt(util_natcmp("x123456789012345678901234", "x123456789012345678901235"), 0);
    ck_assert_int_gt(util_natcmp("x1234567890123456789012340", "x123456789012345678901235"), 0);
    /* several numeric runs */
    ck_assert_int_lt(util_natcmp("v1.2.10", "v1.10.2"), 0);
    ck_assert_int_lt(util_natcmp("v1.2.9", "v1.2.10"), 0);
}
END_TEST

START_TEST(test_natcmp_leading_zeros)
{
    /* equal value: fewer leading zeros first */
    ck_assert_int_lt(util_natcmp("page-2", "page-002"), 0);
    ck_assert_int_gt(util_natcmp("page-002", "page-2"), 0);
    ck_assert_int_lt(util_natcmp("page-02", "page-002"), 0);
    ck_assert_int_eq(util_natcmp("page-002", "page-002"), 0);
    /* value decides before zeros */
    ck_assert_int_lt(util_natcmp("page-002", "page-10"), 0);
    ck_assert_int_lt(util_natcmp("page-009", "page-10"), 0);
    ck_assert_int_gt(util_natcmp("page-010", "page-9"), 0);
    /* zero itself */
    ck_assert_int_lt(util_natcmp("0", "00"), 0);
    ck_assert_int_lt(util_natcmp("0", "1"), 0);
    ck_assert_int_lt(util_natcmp("00", "1"), 0);
}
END_TEST

START_TEST(test_natcmp_case_and_prefix)
{
    ck_assert_int_eq(util_natcmp("Page-2", "page-2"), 0);
    ck_assert_int_eq(util_natcmp("ABC", "abc"), 0);
    ck_assert_int_lt(util_natcmp("PAGE-2", "page-10"), 0);
    ck_assert_int_lt(util_natcmp("apple", "Banana"), 0);
    ck_assert_int_gt(util_natcmp("Banana", "apple"), 0);
    ck_assert_int_lt(util_natcmp("a", "a1"), 0);
    ck_assert_int_gt(util_natcmp("a1", "a"), 0);
    ck_assert_int_lt(util_natcmp("", "a"), 0);
    ck_assert_int_gt(util_natcmp("a", ""), 0);
    ck_assert_int_eq(util_natcmp("", ""), 0);
    ck_assert_int_lt(util_natcmp("abc", "abd"), 0);
    ck_assert_int_lt(util_natcmp("ab", "abc"), 0);
    ck_assert_int_gt(util_natcmp("b", "abc"), 0);
    ck_assert_int_eq(util_natcmp("hello world", "hello world"), 0);
}
END_TEST

static int qsort_natcmp(const void *a, const void *b)
{
    return util_natcmp(*(const char *const *)a, *(const char *const *)b);
}

START_TEST(test_natcmp_qsort)
{
    const char *want[] = {"page-1", "page-2", "page-02", "page-3", "Page-4",
                          "page-9", "page-10", "page-11", "page-20", "page-100",
                          "page-100a", "page-101"};
    enum { N = sizeof want / sizeof want[0] };
    const char *arr[N];
    /* a fixed shuffle */
    static const int perm[N] = {7, 11, 0, 9, 3, 5, 10, 1, 8, 2, 6, 4};
    for (int i = 0; i < N; i++)
        arr[i] = want[perm[i]];
    qsort(arr, N, sizeof arr[0], qsort_natcmp);
    for (int i = 0; i < N; i++)
        ck_assert_str_eq(arr[i], want[i]);
}
END_TEST

START_TEST(test_natcmp_consistent)
{
    /* antisymmetric and transitive over a mixed set */
    const char *s[] = {"", "0", "00", "01", "1", "a", "A", "a0", "a00", "a1",
                       "a01", "a2", "a10", "a1b", "a01a", "a1a", "ab", "B",
                       "page-2", "page-002", "page-10", "page_2", "z", "9z",
                       "10", "010", "x1y2", "x1y10", "x01y3"};
    enum { N = sizeof s / sizeof s[0] };
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(util_natcmp(s[i], s[i]), 0);
        for (int j = 0; j < N; j++) {
            int ij = sign(util_natcmp(s[i], s[j]));
            int ji = sign(util_natcmp(s[j], s[i]));
            ck_assert_msg(ij == -ji, "natcmp(%s,%s)=%d but natcmp(%s,%s)=%d",
                          s[i], s[j], ij, s[j], s[i], ji);
            for (int k = 0; k < N; k++) {
                int jk = sign(util_natcmp(s[j], s[k]));
                int ik = sign(util_natcmp(s[i], s[k]));
                if (ij <= 0 && jk <= 0)
                    ck_assert_msg(ik <= 0, "not transitive: %s <= %s <= %s but %s > %s",
                                  s[i], s[j], s[k], s[i], s[k]);
            }
        }
    }
}
END_TEST

/* ---- strbuf ---- */

START_TEST(test_strbuf_growth)
{
    struct strbuf sb = STRBUF_INIT;
    struct strbuf ref = STRBUF_INIT;
    for (int i = 0; i < 5000; i++) {
        ck_assert_int_eq(strbuf_add(&sb, "xy", 2), 0);
        ck_assert_int_eq(strbuf_addf(&sb, "[%d:%s]", i, i % 2 ? "odd" : "even"), 0);
        ck_assert_int_eq(strbuf_adds(&sb, ""), 0);
        ck_assert_uint_lt(sb.len, sb.cap);
        ck_assert_int_eq(sb.buf[sb.len], '\0');
    }
    /* rebuild the expected content independently */
    char piece[64];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(piece, sizeof piece, "xy[%d:%s]", i, i % 2 ? "odd" : "even");
        ck_assert_int_eq(strbuf_add(&ref, piece, (size_t)n), 0);
    }
    ck_assert_uint_eq(sb.len, ref.len);
    ck_assert_uint_eq(strlen(sb.buf), sb.len);
    ck_assert_int_eq(memcmp(sb.buf, ref.buf, sb.len), 0);
    ck_assert(strncmp(sb.buf, "xy[0:even]xy[1:odd]", 19) == 0);
    ck_assert(strstr(sb.buf, "xy[4999:odd]") == sb.buf + sb.len - 12);
    strbuf_release(&sb);
    strbuf_release(&ref);
    ck_assert_ptr_null(sb.buf);
    ck_assert_uint_eq(sb.len, 0);
}
END_TEST

START_TEST(test_strbuf_addf_large_and_binary)
{
    struct strbuf sb = STRBUF_INIT;
    /* one format result much larger than the initial capacity */
    char big[3000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(strbuf_addf(&sb, "<%s>", big), 0);
    ck_assert_uint_eq(sb.len, sizeof big + 1);
    ck_assert_int_eq(sb.buf[0], '<');
    ck_assert_int_eq(sb.buf[sb.len - 1], '>');
    ck_assert_int_eq(sb.buf[sb.len], '\0');
    /* an empty format on an empty buffer still gives a valid string */
    struct strbuf e = STRBUF_INIT;
    ck_assert_int_eq(strbuf_addf(&e, "%s", ""), 0);
    ck_assert_ptr_nonnull(e.buf);
    ck_assert_str_eq(e.buf, "");
    strbuf_release(&e);
    /* binary data with NULs */
    struct strbuf b = STRBUF_INIT;
    static const char bin[] = {'a', 0, 'b', 0, 0, 'c'};
    ck_assert_int_eq(strbuf_add(&b, bin, sizeof bin), 0);
    ck_assert_uint_eq(b.len, sizeof bin);
    ck_assert_int_eq(memcmp(b.buf, bin, sizeof bin), 0);
    strbuf_release(&b);
    strbuf_release(&sb);
}
END_TEST

static char *json_of(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    ck_assert_int_eq(strbuf_add_json(&sb, s), 0);
    return strbuf_detach(&sb, NULL);
}

START_TEST(test_strbuf_json)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"C:\\dir\\f", "\"C:\\\\dir\\\\f\""},
        {"a\nb", "\"a\\nb\""},
        {"a\rb\tc", "\"a\\rb\\tc\""},
        {"\x01", "\"\\u0001\""},
        {"x\x1fy", "\"x\\u001fy\""},
        {"\x08", "\"\\u0008\""},
        /* UTF-8 passes through unchanged */
        {"Quyết định số 04/QĐ-UBND", "\"Quyết định số 04/QĐ-UBND\""},
        {"€ 😀", "\"€ 😀\""},
        {"/slash/", "\"/slash/\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = json_of(cases[i].in);
        ck_assert_str_eq(got, cases[i].out);
        free(got);
    }
    /* escape hex digits may be either case: only check case-insensitively */
    char *got = json_of("\x1b[0m");
    ck_assert_int_eq(strcasecmp(got, "\"\\u001b[0m\""), 0);
    free(got);
    /* every control character becomes an escape, never a raw byte */
    char ctl[33];
    for (int c = 1; c < 32; c++)
        ctl[c - 1] = (char)c;
    ctl[31] = '\0';
    got = json_of(ctl);
    for (const char *p = got; *p; p++)
        ck_assert_int_ge((unsigned char)*p, 0x20);
    free(got);
    /* NULL is written as null */
    got = json_of(NULL);
    ck_assert_str_eq(got, "null");
    free(got);
    /* appending keeps what was there */
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "{\"k\":");
    strbuf_add_json(&sb, "v\"");
    strbuf_adds(&sb, "}");
    ck_assert_str_eq(sb.buf, "{\"k\":\"v\\\"\"}");
    strbuf_release(&sb);
}
END_TEST

/* "Growable byte buffer, always NUL-terminated": also right after the first
 * strbuf_grow of an empty buffer (same root cause as the read_file test). */
START_TEST(test_strbuf_grow_empty_is_nul_terminated)
{
    struct strbuf sb = STRBUF_INIT;
    ck_assert_int_eq(strbuf_grow(&sb, 100), 0);
    ck_assert_ptr_nonnull(sb.buf);
    ck_assert_uint_ge(sb.cap, 101);
    ck_assert_uint_eq(sb.len, 0);
    unsigned char first = (unsigned char)sb.buf[0];
    char *s = strbuf_detach(&sb, NULL);
    free(s);
    ck_assert_msg(first == 0, "after strbuf_grow on an empty strbuf buf[0] is 0x%02x, not NUL",
                  first);
}
END_TEST

START_TEST(test_strbuf_detach)
{
    struct strbuf sb = STRBUF_INIT;
    size_t len = 99;
    char *s = strbuf_detach(&sb, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);

    strbuf_adds(&sb, "hello");
    s = strbuf_detach(&sb, &len);
    ck_assert_str_eq(s, "hello");
    ck_assert_uint_eq(len, 5);
    ck_assert_ptr_null(sb.buf);
    ck_assert_uint_eq(sb.len, 0);
    ck_assert_uint_eq(sb.cap, 0);
    free(s);
    /* the buffer is reusable after detach */
    strbuf_adds(&sb, "again");
    ck_assert_str_eq(sb.buf, "again");
    strbuf_release(&sb);
}
END_TEST

/* ---- UTF-8 ---- */

static void roundtrip(uint32_t cp, int nbytes, const char *bytes)
{
    char out[4];
    int n = util_utf8_encode(cp, out);
    ck_assert_int_eq(n, nbytes);
    ck_assert_int_eq(memcmp(out, bytes, (size_t)n), 0);
    uint32_t back = 0;
    int k = util_utf8_decode((const unsigned char *)bytes, strlen(bytes), &back);
    ck_assert_int_eq(k, nbytes);
    ck_assert_uint_eq(back, cp);
    ck_assert(util_utf8_valid(bytes, strlen(bytes)));
}

START_TEST(test_utf8_roundtrip)
{
    roundtrip('A', 1, "A");
    roundtrip(0x7F, 1, "\x7f");
    roundtrip(0x80, 2, "\xc2\x80");
    roundtrip(0xD0, 2, "Ð");
    roundtrip(0x111, 2, "đ");
    roundtrip(0x7FF, 2, "\xdf\xbf");
    roundtrip(0x800, 3, "\xe0\xa0\x80");
    roundtrip(0x1EC7, 3, "ệ");
    roundtrip(0x20AC, 3, "€");
    roundtrip(0xFFFD, 3, "\xef\xbf\xbd");
    roundtrip(0xFFFF, 3, "\xef\xbf\xbf");
    roundtrip(0x10000, 4, "\xf0\x90\x80\x80");
    roundtrip(0x1F600, 4, "😀");
    roundtrip(0x10FFFF, 4, "\xf4\x8f\xbf\xbf");
    /* every code point of the BMP outside surrogates and a 4-byte sample */
    for (uint32_t cp = 1; cp < 0x110000; cp += (cp < 0x10000 ? 1 : 97)) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char out[5];
        int n = util_utf8_encode(cp, out);
        uint32_t back;
        ck_assert_int_eq(util_utf8_decode((unsigned char *)out, (size_t)n, &back), n);
        ck_assert_uint_eq(back, cp);
    }
}
END_TEST

START_TEST(test_utf8_decode_sequence)
{
    const char *s = "Số 04/QĐ ệ😀";
    const uint32_t want[] = {'S', 0x1ED1, ' ', '0', '4', '/', 'Q', 0x110, ' ', 0x1EC7, 0x1F600};
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, k = 0;
    while (i < n) {
        uint32_t cp;
        int m = util_utf8_decode(u + i, n - i, &cp);
        ck_assert_int_ge(m, 1);
        ck_assert_uint_lt(k, sizeof want / sizeof want[0]);
        ck_assert_uint_eq(cp, want[k]);
        k++;
        i += (size_t)m;
    }
    ck_assert_uint_eq(i, n);
    ck_assert_uint_eq(k, sizeof want / sizeof want[0]);
}
END_TEST

static void bad(const char *bytes, size_t n)
{
    uint32_t cp = 0;
    int k = util_utf8_decode((const unsigned char *)bytes, n, &cp);
    ck_assert_int_eq(k, 1);
    ck_assert_uint_eq(cp, 0xFFFD);
    ck_assert(!util_utf8_valid(bytes, n));
}

START_TEST(test_utf8_invalid)
{
    bad("\x80", 1);             /* lone continuation byte */
    bad("\xbf", 1);
    bad("\xff", 1);             /* never valid */
    bad("\xfe", 1);
    bad("\xf8\x88\x80\x80\x80", 5); /* 5-byte form */
    bad("\xc3", 1);             /* truncated 2-byte */
    bad("\xe1\xbb", 2);         /* truncated 3-byte (ệ without last byte) */
    bad("\xf0\x9f\x98", 3);     /* truncated 4-byte */
    bad("\xc3\x41", 2);         /* continuation missing */
    bad("\xe1\x41\x87", 3);
    /* overlong forms */
    bad("\xc0\x80", 2);         /* U+0000 */
    bad("\xc1\xbf", 2);         /* U+007F */
    bad("\xe0\x80\xaf", 3);     /* '/' */
    bad("\xe0\x9f\xbf", 3);     /* U+07FF */
    bad("\xf0\x80\x80\xaf", 4);
    bad("\xf0\x8f\xbf\xbf", 4); /* U+FFFF */
    /* surrogates */
    bad("\xed\xa0\x80", 3);     /* U+D800 */
    bad("\xed\xbf\xbf", 3);     /* U+DFFF */
    /* above U+10FFFF */
    bad("\xf4\x90\x80\x80", 4);
    bad("\xf5\x80\x80\x80", 4);

    /* an invalid byte consumes only itself: the next character survives */
    const unsigned char s[] = {0x80, 'A', 0xC3, 0xA9, 0};
    uint32_t cp;
    ck_assert_int_eq(util_utf8_decode(s, 4, &cp), 1);
    ck_assert_uint_eq(cp, 0xFFFD);
    ck_assert_int_eq(util_utf8_decode(s + 1, 3, &cp), 1);
    ck_assert_uint_eq(cp, 'A');
    ck_assert_int_eq(util_utf8_decode(s + 2, 2, &cp), 2);
    ck_assert_uint_eq(cp, 0xE9);
    /* a truncated sequence at the end of the given length is not read past n */
    const unsigned char t[] = {'x', 0xE1, 0xBB, 0x87};
    ck_assert_int_eq(util_utf8_decode(t + 1, 2, &cp), 1);
    ck_assert_uint_eq(cp, 0xFFFD);
}
END_TEST

START_TEST(test_utf8_valid)
{
    ck_assert(util_utf8_valid("", 0));
    ck_assert(util_utf8_valid("plain ascii", 11));
    const char *vi = "Cộng hòa xã hội chủ nghĩa Việt Nam — Độc lập 😀";
    ck_assert(util_utf8_valid(vi, strlen(vi)));
    /* a literal U+FFFD in the text is valid */
    ck_assert(util_utf8_valid("a\xef\xbf\xbd" "b", 5));
    /* invalid bytes anywhere make the string invalid */
    ck_assert(!util_utf8_valid("abc\xff", 4));
    ck_assert(!util_utf8_valid("\xc0\xafz", 3));
    ck_assert(!util_utf8_valid("ok \xed\xa0\x80 no", 9));
    /* the length is honoured: a valid prefix of a string with bad tail */
    ck_assert(util_utf8_valid("abc\xff", 3));
    /* cutting a multi-byte character makes it invalid */
    ck_assert(!util_utf8_valid(vi, 3)); /* "Cộ" cut inside ộ */
    /* embedded NUL is a valid code point */
    ck_assert(util_utf8_valid("a\0b", 3));
}
END_TEST

/* ---- SHA-256 ---- */

static void hex_of(const void *data, size_t n, char hex[65])
{
    sha256_hex(data, n, hex);
}

START_TEST(test_sha256_vectors)
{
    char hex[65];
    hex_of("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_of(m896, strlen(m896), hex);
    ck_assert_str_eq(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(test_sha256_million_a)
{
    static const size_t chunks[] = {1, 63, 64, 65, 7, 1000, 127, 128, 3, 4093};
    char *a = malloc(5000);
    ck_assert_ptr_nonnull(a);
    memset(a, 'a', 5000);
    struct sha256 c;
    sha256_init(&c);
    size_t left = 1000000, k = 0;
    while (left > 0) {
        size_t n = chunks[k++ % (sizeof chunks / sizeof chunks[0])];
        if (n > left)
            n = left;
        sha256_update(&c, a, n);
        sha256_update(&c, a, 0); /* empty updates change nothing */
        left -= n;
    }
    uint8_t dig[32];
    char hex[65];
    sha256_final(&c, dig);
    sha256_to_hex(dig, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}
END_TEST

START_TEST(test_sha256_incremental_matches_oneshot)
{
    /* every split point of a message crossing block boundaries */
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof msg; len += 11) {
        char want[65];
        sha256_hex(msg, len, want);
        for (size_t cut = 0; cut <= len; cut++) {
            struct sha256 c;
            uint8_t dig[32];
            char got[65];
            sha256_init(&c);
            sha256_update(&c, msg, cut);
            sha256_update(&c, msg + cut, len - cut);
            sha256_final(&c, dig);
            sha256_to_hex(dig, got);
            ck_assert_str_eq(got, want);
        }
    }
    /* lengths around the padding boundary (55, 56, 63, 64 bytes) differ */
    char h55[65], h56[65], h64[65];
    sha256_hex(msg, 55, h55);
    sha256_hex(msg, 56, h56);
    sha256_hex(msg, 64, h64);
    ck_assert_str_ne(h55, h56);
    ck_assert_str_ne(h56, h64);
    /* exactly one block of 'a' (value from an independent implementation) */
    char a64[64];
    memset(a64, 'a', sizeof a64);
    char hex[65];
    sha256_hex(a64, 64, hex);
    ck_assert_str_eq(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

/* ---- files ---- */

START_TEST(test_write_atomic_and_read)
{
    char *dir = make_scratch();
    char *path = util_path_join(dir, "out.txt");
    const char *text = "Quyết định\nline two\n";
    ck_assert_int_eq(util_write_atomic(path, text, strlen(text)), SOHOA_OK);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(util_read_file(path, &data, &len), SOHOA_OK);
    ck_assert_uint_eq(len, strlen(text));
    ck_assert_int_eq(memcmp(data, text, len), 0);
    ck_assert_int_eq(data[len], '\0');
    free(data);
    /* no temporary file left beside it */
    ck_assert_int_eq(count_dir_entries(dir), 1);

    /* replacing an existing file, shorter content */
    ck_assert_int_eq(util_write_atomic(path, "ab", 2), SOHOA_OK);
    ck_assert_int_eq(util_read_file(path, &data, &len), SOHOA_OK);
    ck_assert_uint_eq(len, 2);
    ck_assert_str_eq((char *)data, "ab");
    free(data);
    ck_assert_int_eq(count_dir_entries(dir), 1);

    /* empty content */
    ck_assert_int_eq(util_write_atomic(path, "", 0), SOHOA_OK);
    ck_assert_int_eq(util_read_file(path, &data, &len), SOHOA_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(data);
    free(data);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 0);

    /* a folder that does not exist: error, nothing created */
    char *nodir = util_path_join(dir, "missing/out.txt");
    ck_assert_int_ne(util_write_atomic(nodir, "x", 1), SOHOA_OK);
    ck_assert_int_eq(count_dir_entries(dir), 1);
    free(nodir);

    free(path);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_read_file_binary)
{
    char *dir = make_scratch();
    char *path = util_path_join(dir, "bin");
    /* larger than the 64 KiB read chunk, with NULs and every byte value */
    size_t n = 200000;
    uint8_t *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)((i * 7919) >> 3);
    buf[0] = 0;
    buf[n - 1] = 0;
    ck_assert_int_eq(util_write_atomic(path, buf, n), SOHOA_OK);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(util_read_file(path, &data, &len), SOHOA_OK);
    ck_assert_uint_eq(len, n);
    ck_assert_int_eq(memcmp(data, buf, n), 0);
    ck_assert_int_eq(data[n], 0);
    free(data);

    /* the file on disk is the exact bytes (read independently) */
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    uint8_t *raw = malloc(n + 1);
    ck_assert_uint_eq(fread(raw, 1, n + 1, f), n);
    fclose(f);
    ck_assert_int_eq(memcmp(raw, buf, n), 0);
    free(raw);

    /* missing file */
    char *missing = util_path_join(dir, "nope");
    static uint8_t sentinel[1];
    data = sentinel;
    len = 77;
    ck_assert_int_eq(util_read_file(missing, &data, &len), SOHOA_ENOENT);
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(len, 0);
    free(missing);

    free(buf);
    free(path);
    rm_rf(dir);
    free(dir);
}
END_TEST

/*
 * util.h: util_read_file's *pdata is "malloc'd and NUL-terminated". For an
 * empty file it comes from strbuf_grow(&sb, 0) on an empty strbuf, which
 * allocates but never writes the terminator, so data[0] is whatever malloc
 * left there (made visible by M_PERTURB in main, ASan's malloc fill, or
 * valgrind's uninitialised-value report).
 */
START_TEST(test_read_file_empty_is_nul_terminated)
{
    char *dir = make_scratch();
    char *path = util_path_join(dir, "empty");
    ck_assert_int_eq(util_write_atomic(path, "", 0), SOHOA_OK);
    uint8_t *data = NULL;
    size_t len = 99;
    ck_assert_int_eq(util_read_file(path, &data, &len), SOHOA_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(data);
    unsigned char first = data[0];
    free(data);
    free(path);
    rm_rf(dir);
    free(dir);
    ck_assert_msg(first == 0,
                  "util_read_file of an empty file: data[0] is 0x%02x, not NUL", first);
}
END_TEST

START_TEST(test_mkdirs)
{
    char *dir = make_scratch();
    char *deep = util_path_join(dir, "a/b/c/d");
    ck_assert_int_eq(util_mkdirs(deep, 0755), SOHOA_OK);
    struct stat st;
    ck_assert_int_eq(stat(deep, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    /* existing path is fine; trailing slash too */
    ck_assert_int_eq(util_mkdirs(deep, 0755), SOHOA_OK);
    char *slash = util_path_join(dir, "a/b/e/");
    ck_assert_int_eq(util_mkdirs(slash, 0755), SOHOA_OK);
    char *e = util_path_join(dir, "a/b/e");
    ck_assert_int_eq(stat(e, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    /* a file in the way below the target fails */
    char *file = util_path_join(dir, "a/file");
    ck_assert_int_eq(util_write_atomic(file, "x", 1), SOHOA_OK);
    char *under = util_path_join(dir, "a/file/sub");
    ck_assert_int_ne(util_mkdirs(under, 0755), SOHOA_OK);
    free(under);
    free(file);
    free(e);
    free(slash);
    free(deep);
    rm_rf(dir);
    free(dir);
}
END_TEST

/*
 * "mkdir -p" on a path that exists as a regular file must fail (mkdir -p
 * says "File exists"); util_mkdirs treats any EEXIST as success, so callers
 * believe the folder is there.
 */
START_TEST(test_mkdirs_existing_file_is_error)
{
    char *dir = make_scratch();
    char *file = util_path_join(dir, "plainfile");
    ck_assert_int_eq(util_write_atomic(file, "x", 1), SOHOA_OK);
    enum sohoa_err err = util_mkdirs(file, 0755);
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert(!S_ISDIR(st.st_mode));
    free(file);
    rm_rf(dir);
    free(dir);
    ck_assert_msg(err != SOHOA_OK,
                  "util_mkdirs on a path that is a regular file returned SOHOA_OK");
}
END_TEST

START_TEST(test_path_join)
{
    struct {
        const char *a, *b, *want;
    } cases[] = {
        {"a", "b", "a/b"},
        {"a/", "b", "a/b"},
        {"/data/out", "HS-01", "/data/out/HS-01"},
        {"/", "etc", "/etc"},
        {"dir", "sub/file.png", "dir/sub/file.png"},
        {"Hồ sơ", "Quyết định.pdf", "Hồ sơ/Quyết định.pdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = util_path_join(cases[i].a, cases[i].b);
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, cases[i].want);
        free(got);
    }
}
END_TEST

START_TEST(test_strerror_and_misc)
{
    for (int e = SOHOA_OK; e <= SOHOA_EBUSY; e++) {
        const char *s = sohoa_strerror((enum sohoa_err)e);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_gt(strlen(s), 0);
        ck_assert_str_ne(s, "unknown error");
        for (int f = SOHOA_OK; f < e; f++)
            ck_assert_str_ne(s, sohoa_strerror((enum sohoa_err)f));
    }
    char iso[32];
    util_now_iso(iso, sizeof iso);
    ck_assert_uint_eq(strlen(iso), 20);
    ck_assert_int_eq(iso[4], '-');
    ck_assert_int_eq(iso[10], 'T');
    ck_assert_int_eq(iso[19], 'Z');
    ck_assert_int_ge(util_ncpus(), 1);
    double t0 = util_monotonic(), t1 = util_monotonic();
    ck_assert(t1 >= t0);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("natcmp");
    tcase_add_test(tc, test_natcmp_numbers);
    tcase_add_test(tc, test_natcmp_leading_zeros);
    tcase_add_test(tc, test_natcmp_case_and_prefix);
    tcase_add_test(tc, test_natcmp_qsort);
    tcase_add_test(tc, test_natcmp_consistent);
    suite_add_tcase(s, tc);

    tc = tcase_create("strbuf");
    tcase_add_test(tc, test_strbuf_growth);
    tcase_add_test(tc, test_strbuf_addf_large_and_binary);
    tcase_add_test(tc, test_strbuf_json);
    tcase_add_test(tc, test_strbuf_detach);
    tcase_add_test(tc, test_strbuf_grow_empty_is_nul_terminated);
    suite_add_tcase(s, tc);

    tc = tcase_create("utf8");
    tcase_add_test(tc, test_utf8_roundtrip);
    tcase_add_test(tc, test_utf8_decode_sequence);
    tcase_add_test(tc, test_utf8_invalid);
    tcase_add_test(tc, test_utf8_valid);
    suite_add_tcase(s, tc);

    tc = tcase_create("sha256");
    tcase_add_test(tc, test_sha256_vectors);
    tcase_add_test(tc, test_sha256_million_a);
    tcase_add_test(tc, test_sha256_incremental_matches_oneshot);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_test(tc, test_write_atomic_and_read);
    tcase_add_test(tc, test_read_file_binary);
    tcase_add_test(tc, test_read_file_empty_is_nul_terminated);
    tcase_add_test(tc, test_mkdirs);
    tcase_add_test(tc, test_mkdirs_existing_file_is_error);
    tcase_add_test(tc, test_path_join);
    tcase_add_test(tc, test_strerror_and_misc);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
#if defined(__GLIBC__) && defined(M_PERTURB)
    /* fill fresh allocations with junk so that missing terminators show */
    mallopt(M_PERTURB, 0xA5);
#endif
    SRunner *sr = srunner_create(util_suite());
    srunner_run_all(sr, CK_NORMAL);
    int number_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return number_failed == 0 ? 0 : 1;
}
