/*
 * check_tone.c - unit tests for ocr/tone.h: tone-mark correction of OCR
 * text from syllable bigram counts, with tiny in-test models.
 *
 *   loading:     good file, missing file, malformed line, the shipped table
 *   correction:  hook read as acute, case kept, sentence starts, names,
 *                codes / digits / all-caps untouched, weak evidence,
 *                layout kept byte for byte, channel pairs
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "tone.h"
#include "util.h"

static const char *const tiny_model =
    "# tiny model for check_tone\n"
    "cụ\t100\n"
    "thể\t200\n"
    "thế\t50\n"
    "có\t300\n"
    "tổ\t100\n"
    "tố\t10\n"
    "chức\t100\n"
    "đổi\t80\n"
    "đối\t120\n"
    "mới\t150\n"
    "thay\t60\n"
    "đồ\t5\n"
    "hiện\t40\n"
    "cụ thể\t80\n"
    "có thể\t150\n"
    "tổ chức\t90\n"
    "đổi mới\t40\n"
    "thay đổi\t50\n"
    "thế hiện\t1\n";

static char model_path[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static struct tone_model *load_tiny(void)
{
    snprintf(model_path, sizeof model_path, "/tmp/check_tone_%ld.tsv", (long)getpid());
    write_file(model_path, tiny_model);
    char err[256] = "";
    struct tone_model *m = tone_model_load(model_path, err, sizeof err);
    ck_assert_msg(m != NULL, "load: %s", err);
    unlink(model_path);
    return m;
}

/* correct in with m; compare with want and the number of changes */
static void expect(const struct tone_model *m, const char *in, const char *want, int nwant)
{
    struct strbuf out = STRBUF_INIT;
    int n = -1;
    ck_assert_int_eq(tone_correct(m, in, &out, &n), 0);
    ck_assert_msg(out.buf && strcmp(out.buf, want) == 0,
                  "tone_correct(\"%s\") = \"%s\", want \"%s\"", in, out.buf ? out.buf : "(null)",
                  want);
    ck_assert_msg(n == nwant, "tone_correct(\"%s\"): %d changes, want %d", in, n, nwant);
    strbuf_release(&out);
}

START_TEST(test_load)
{
    struct tone_model *m = load_tiny();
    ck_assert_uint_eq(tone_model_count(m, "thể", NULL), 200);
    ck_assert_uint_eq(tone_model_count(m, "cụ", "thể"), 80);
    ck_assert_uint_eq(tone_model_count(m, "cụ", "thế"), 0);
    ck_assert_uint_eq(tone_model_count(m, "nothing", NULL), 0);
    struct tone_params p = tone_model_params(m);
    ck_assert(p.ratio == TONE_RATIO_DEFAULT);
    ck_assert_int_eq(p.min_count, TONE_MIN_COUNT_DEFAULT);
    ck_assert(p.chan[TONE_ACUTE][TONE_HOOK] > 0);
    ck_assert(p.chan[TONE_HOOK][TONE_ACUTE] == 0);
    tone_model_free(m);
}
END_TEST

START_TEST(test_load_errors)
{
    char err[256] = "";
    ck_assert_ptr_null(tone_model_load("/nonexistent/vi-bigrams.tsv", err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/vi-bigrams.tsv") != NULL, "err: %s", err);

    char path[256];
    snprintf(path, sizeof path, "/tmp/check_tone_bad_%ld.tsv", (long)getpid());
    write_file(path, "# c\ncụ\t10\nthể 12\n");
    ck_assert_ptr_null(tone_model_load(path, err, sizeof err));
    ck_assert_msg(strstr(err, ":3:") != NULL, "err: %s", err);
    write_file(path, "cụ\tmany\n");
    ck_assert_ptr_null(tone_model_load(path, err, sizeof err));
    write_file(path, "# only comments\n");
    ck_assert_ptr_null(tone_model_load(path, err, sizeof err));
    ck_assert_ptr_null(tone_model_load(path, NULL, 0)); /* no err buffer: no crash */
    unlink(path);
    tone_model_free(NULL);
}
END_TEST

START_TEST(test_hook_read_as_acute)
{
    struct tone_model *m = load_tiny();
    expect(m, "cụ thế", "cụ thể", 1);
    expect(m, "có thế làm", "có thể làm", 1);
    expect(m, "công tác tố chức", "công tác tổ chức", 1);
    expect(m, "thay đối", "thay đổi", 1);
    expect(m, "việc đối mới", "việc đổi mới", 1);
    /* several on one page, punctuation around the word kept */
    expect(m, "cụ thế, có thế.", "cụ thể, có thể.", 2);
    expect(m, "(cụ thế)", "(cụ thể)", 1);
    /* context over one line break, not over a paragraph break */
    expect(m, "cụ\nthế", "cụ\nthể", 1);
    expect(m, "cụ\n\nthế", "cụ\n\nthế", 0);
    /* punctuation between the words cuts the context */
    expect(m, "cụ, thế", "cụ, thế", 0);
    tone_model_free(m);
}
END_TEST

START_TEST(test_layout_kept)
{
    struct tone_model *m = load_tiny();
    const char *in = "  Số: 12/QĐ-UBND\n\n- nội dung cụ thế:\t một\r\nhai  \n";
    const char *want = "  Số: 12/QĐ-UBND\n\n- nội dung cụ thể:\t một\r\nhai  \n";
    expect(m, in, want, 1);
    expect(m, "", "", 0);
    expect(m, "   \n", "   \n", 0);
    /* invalid UTF-8 copied through */
    expect(m, "cụ thế \xff\xfe x", "cụ thể \xff\xfe x", 1);
    tone_model_free(m);
}
END_TEST

START_TEST(test_case)
{
    struct tone_model *m = load_tiny();
    /* sentence start: capital kept on the corrected word, Đ too */
    expect(m, "Tố chức", "Tổ chức", 1);
    expect(m, "Xong. Tố chức lại", "Xong. Tổ chức lại", 1);
    expect(m, "- Đối mới", "- Đổi mới", 1);
    expect(m, "a) Đối mới", "a) Đổi mới", 1);
    expect(m, "xong:\nTố chức", "xong:\nTổ chức", 1);
    /* a capital mid-sentence is a name: untouched */
    expect(m, "ông Tố chức", "ông Tố chức", 0);
    expect(m, "thay Đối", "thay Đối", 0);
    /* sentence start followed by a capitalised word: a name, untouched */
    expect(m, "Tố Chức", "Tố Chức", 0);
    /* lowercase word after a capitalised one still uses it as context */
    expect(m, "Cụ thế", "Cụ thể", 1);
    tone_model_free(m);
}
END_TEST

START_TEST(test_codes_caps_untouched)
{
    struct tone_model *m = load_tiny();
    expect(m, "CỤ THẾ", "CỤ THẾ", 0);
    expect(m, "cụ THẾ", "cụ THẾ", 0);
    expect(m, "cụ tHế", "cụ tHế", 0);
    expect(m, "cụ thế1", "cụ thế1", 0);
    expect(m, "cụ thế/UBND", "cụ thế/UBND", 0);
    expect(m, "cụ thế-a", "cụ thế-a", 0);
    expect(m, "cụ thế@x.vn", "cụ thế@x.vn", 0);
    /* a lowercase word next to a code is still corrected from its other side */
    expect(m, "QĐ-UBND tố chức", "QĐ-UBND tổ chức", 1);
    expect(m, "12 tố chức", "12 tổ chức", 1);
    /* a capitalised word after a code is not a sentence start */
    expect(m, "QĐ-UBND Tố chức", "QĐ-UBND Tố chức", 0);
    /* NFD input (combining marks) is left alone */
    expect(m, "cụ the\xcc\x81", "cụ the\xcc\x81", 0);
    tone_model_free(m);
}
END_TEST

START_TEST(test_weak_evidence_kept)
{
    struct tone_model *m = load_tiny();
    /* no context at all */
    expect(m, "thế", "thế", 0);
    /* context the model does not know */
    expect(m, "xin thế nào", "xin thế nào", 0);
    /* the reading itself is attested in this context: kept */
    expect(m, "thế hiện", "thế hiện", 0);
    /* evidence below min_count */
    struct tone_params p = tone_model_params(m);
    p.min_count = 1000;
    tone_model_set_params(m, &p);
    expect(m, "cụ thế", "cụ thế", 0);
    /* ratio too demanding */
    p = tone_model_params(m);
    p.min_count = TONE_MIN_COUNT_DEFAULT;
    p.ratio = 1e12;
    tone_model_set_params(m, &p);
    expect(m, "cụ thế", "cụ thế", 0);
    tone_model_free(m);
}
END_TEST

START_TEST(test_channel_pairs)
{
    struct tone_model *m = load_tiny();
    /* a grave read where a hook belongs: not a confusion we correct */
    expect(m, "cụ thề", "cụ thề", 0);
    /* a hook read where an acute belongs: not corrected either */
    expect(m, "việc đổi với", "việc đổi với", 0);
    /* enabled explicitly, it is */
    struct tone_params p = tone_model_params(m);
    p.chan[TONE_GRAVE][TONE_HOOK] = 1.0;
    tone_model_set_params(m, &p);
    expect(m, "cụ thề", "cụ thể", 1);
    /* with every pair off nothing changes */
    memset(p.chan, 0, sizeof p.chan);
    tone_model_set_params(m, &p);
    expect(m, "cụ thế", "cụ thế", 0);
    tone_model_free(m);
}
END_TEST

START_TEST(test_shipped_table)
{
    /* the committed table loads and fixes the classic misreadings */
    char path[1024];
    snprintf(path, sizeof path, "%s/ocr/data/%s", SOHOA_SOURCE_DIR, TONE_MODEL_FILE);
    char err[256] = "";
    struct tone_model *m = tone_model_load(path, err, sizeof err);
    ck_assert_msg(m != NULL, "load %s: %s", path, err);
    ck_assert_uint_gt(tone_model_count(m, "có", "thể"), 100);
    expect(m, "các hình thức tố chức và kiếm tra", "các hình thức tổ chức và kiểm tra", 2);
    expect(m, "có thế thực hiện", "có thể thực hiện", 1);
    expect(m, "Số 15/2021/TT-BNV ngày 29/12/2021", "Số 15/2021/TT-BNV ngày 29/12/2021", 0);
    tone_model_free(m);

    /* the default path follows the environment */
    setenv(TONE_MODEL_ENV, "/x/y.tsv", 1);
    ck_assert_str_eq(tone_model_default_path(), "/x/y.tsv");
    unsetenv(TONE_MODEL_ENV);
    ck_assert_ptr_nonnull(strstr(tone_model_default_path(), TONE_MODEL_FILE));
}
END_TEST

/* A syllable closed by p/t/c/ch takes an acute or a dot: a lost mark is
 * put back when only one reading is known or the neighbours choose; plain
 * ASCII words (foreign) and an unresolved choice are left alone. */
START_TEST(test_stop_final)
{
    static const char *const model =
        "kết\t50\nquả\t80\nkết quả\t30\nnhất\t40\nnhật\t30\nthống\t20\n"
        "thống nhất\t12\nđốc\t6\nđộc\t60\ngiám\t10\nnét\t30\nrất\t4\n";
    snprintf(model_path, sizeof model_path, "/tmp/check_tone_stop_%ld.tsv", (long)getpid());
    write_file(model_path, model);
    char err[256] = "";
    struct tone_model *m = tone_model_load(model_path, err, sizeof err);
    ck_assert_msg(m != NULL, "load: %s", err);
    unlink(model_path);
    expect(m, "kêt quả", "kết quả", 1);          /* one reading known */
    expect(m, "Kêt quả tốt", "Kết quả tốt", 1);   /* capitalised */
    expect(m, "KÊT QUẢ", "KẾT QUẢ", 1);           /* a heading */
    expect(m, "thống nhât", "thống nhất", 1);     /* the neighbour chooses */
    expect(m, "nhât", "nhât", 0);                 /* nhất or nhật: no evidence */
    expect(m, "GIÁM ĐÔC", "GIÁM ĐÔC", 0);         /* độc is commoner, not chosen */
    expect(m, "Net và chat", "Net và chat", 0);   /* plain ASCII: foreign */
    expect(m, "rât", "rât", 0);                   /* rất seen too rarely */
    expect(m, "kết quả", "kết quả", 0);
    struct tone_params p = tone_model_params(m);
    p.stop_rule = 0;
    tone_model_set_params(m, &p);
    expect(m, "kêt quả", "kêt quả", 0);
    tone_model_free(m);
}
END_TEST

/* A recognised page: the text and the text layer's words are corrected
 * alike, word boxes and line ends kept. */
START_TEST(test_fix_result)
{
    struct tone_model *m = load_tiny();
    static const char *const read[] = {"Cần", "có", "thế", "và", "cụ", "thế", "04/QĐ-UBND"};
    static const char *const want[] = {"Cần", "có", "thể", "và", "cụ", "thể", "04/QĐ-UBND"};
    struct ocr_result res;
    memset(&res, 0, sizeof res);
    res.text = strdup("Cần có thế và\ncụ thế 04/QĐ-UBND\n");
    res.nwords = sizeof read / sizeof *read;
    res.words = calloc(res.nwords, sizeof *res.words);
    ck_assert_ptr_nonnull(res.words);
    for (size_t i = 0; i < res.nwords; i++) {
        res.words[i].text = strdup(read[i]);
        res.words[i].x1 = (int)i * 100;
        res.words[i].eol = i == 3 || i == 6;
    }
    ck_assert_int_eq(ocr_fix_tones(m, &res), 2);
    ck_assert_str_eq(res.text, "Cần có thể và\ncụ thể 04/QĐ-UBND\n");
    for (size_t i = 0; i < res.nwords; i++) {
        ck_assert_str_eq(res.words[i].text, want[i]);
        ck_assert_int_eq(res.words[i].x1, (int)i * 100);
    }
    ocr_result_release(&res);
    tone_model_free(m);
}
END_TEST

/* Lines in capitals get their vocabulary's marks back, in the text and the
 * text layer alike; lines of body text, names, codes and what is already
 * right are left. */
START_TEST(test_fix_capitals)
{
    static const char *const read[] = {"SỞ", "Y", "TÉ", "BẮC", "NINH",
                                       "học", "viên", "và", "Thu", "tướng",
                                       "KT.", "BỌ", "TRƯỞNG",
                                       "NHIỆM", "VỤ", "TRỌNG", "TÂM"};
    static const char *const want[] = {"SỞ", "Y", "TẾ", "BẮC", "NINH",
                                       "học", "viên", "và", "Thu", "tướng",
                                       "KT.", "BỘ", "TRƯỞNG",
                                       "NHIỆM", "VỤ", "TRỌNG", "TÂM"};
    static const int eol[] = {4, 9, 12, 16};
    struct ocr_result res;
    memset(&res, 0, sizeof res);
    res.text = strdup("SỞ Y TÉ BẮC NINH\nhọc viên và Thu tướng\nKT. BỌ TRƯỞNG\n"
                      "NHIỆM VỤ TRỌNG TÂM\n");
    res.nwords = sizeof read / sizeof *read;
    res.words = calloc(res.nwords, sizeof *res.words);
    ck_assert_ptr_nonnull(res.words);
    for (size_t i = 0; i < res.nwords; i++) {
        res.words[i].text = strdup(read[i]);
        for (size_t k = 0; k < sizeof eol / sizeof *eol; k++)
            res.words[i].eol |= (int)i == eol[k];
    }
    ck_assert_int_eq(ocr_fix_capitals(&res), 2);
    ck_assert_str_eq(res.text, "SỞ Y TẾ BẮC NINH\nhọc viên và Thu tướng\nKT. BỘ TRƯỞNG\n"
                               "NHIỆM VỤ TRỌNG TÂM\n");
    for (size_t i = 0; i < res.nwords; i++)
        ck_assert_str_eq(res.words[i].text, want[i]);
    ocr_result_release(&res);
}
END_TEST

static Suite *tone_suite(void)
{
    Suite *s = suite_create("tone");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_load);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_hook_read_as_acute);
    tcase_add_test(tc, test_layout_kept);
    tcase_add_test(tc, test_case);
    tcase_add_test(tc, test_codes_caps_untouched);
    tcase_add_test(tc, test_weak_evidence_kept);
    tcase_add_test(tc, test_channel_pairs);
    tcase_add_test(tc, test_shipped_table);
    tcase_add_test(tc, test_fix_result);
    tcase_add_test(tc, test_fix_capitals);
    tcase_add_test(tc, test_stop_final);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tone_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
