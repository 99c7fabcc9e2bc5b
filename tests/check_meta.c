/*
 * check_meta.c - unit tests for index/meta.h: a document's metadata from
 * its recognised page texts (reading order: left header, right header,
 * title, body, recipients, signer).
 *
 *   header:   number and notation, place and date, issuing body, marks
 *   title:    type (cross-checked with the notation), subject, công văn
 *   footer:   signer block, recipients
 *   codes:    one-stop dossier, result and procedure codes, personal ids
 *   negative: body citations, money, dates are not header fields or ids
 *   api:      meta_validate, field names, meta_split_number, odd input
 *
 * All fixtures are invented; they imitate the shape of real OCR output
 * (lines in reading order, OCR look-alikes, columns run together).
 * Tests that begin "Was a bug" caught weaknesses of meta.c, since fixed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "util.h"

/* ---- helpers ---- */

static void extract_n(struct meta *m, const char *const *pages, size_t n, int line)
{
    int rc = meta_extract(pages, NULL, n, m);
    ck_assert_msg(rc == 0, "line %d: meta_extract returned %d", line, rc);
}

static void extract_1(struct meta *m, const char *text, int line)
{
    const char *pages[1] = {text};
    extract_n(m, pages, 1, line);
}

#define EXTRACT(m, text) extract_1(m, text, __LINE__)
#define EXTRACT_N(m, pages, n) extract_n(m, pages, n, __LINE__)

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

static void expect_val(const struct meta *m, enum meta_field f, const char *want, int line)
{
    const char *got = m->f[f].value;
    ck_assert_msg(got && strcmp(got, want) == 0, "line %d: %s = \"%s\", want \"%s\"", line,
                  meta_field_name(f), show(got), want);
}

static void expect_none(const struct meta *m, enum meta_field f, int line)
{
    const char *got = m->f[f].value;
    ck_assert_msg(got == NULL, "line %d: %s = \"%s\" (conf %.2f), want nothing", line,
                  meta_field_name(f), got, (double)m->f[f].conf);
    ck_assert_msg(m->f[f].conf == 0.0f, "line %d: %s absent but conf %.2f", line,
                  meta_field_name(f), (double)m->f[f].conf);
}

/* found with a confidence at least the review threshold */
static void expect_sure(const struct meta *m, enum meta_field f, int line)
{
    ck_assert_msg(m->f[f].value && m->f[f].conf >= META_REVIEW,
                  "line %d: %s = \"%s\" conf %.2f, want a sure value", line,
                  meta_field_name(f), show(m->f[f].value), (double)m->f[f].conf);
}

/* found but flagged for review */
static void expect_review(const struct meta *m, enum meta_field f, int line)
{
    ck_assert_msg(m->f[f].value && m->f[f].conf < META_REVIEW,
                  "line %d: %s = \"%s\" conf %.2f, want it flagged (< %.2f)", line,
                  meta_field_name(f), show(m->f[f].value), (double)m->f[f].conf,
                  (double)META_REVIEW);
}

static void expect_contains(const struct meta *m, enum meta_field f, const char *part, int line)
{
    const char *got = m->f[f].value;
    ck_assert_msg(got && strstr(got, part), "line %d: %s = \"%s\", want it to hold \"%s\"",
                  line, meta_field_name(f), show(got), part);
}

static void expect_lacks(const struct meta *m, enum meta_field f, const char *part, int line)
{
    const char *got = m->f[f].value;
    ck_assert_msg(!got || !strstr(got, part), "line %d: %s = \"%s\" must not hold \"%s\"",
                  line, meta_field_name(f), got, part);
}

/* the field's lines, each without trailing ";" "," "." and spaces, equal want's */
static void expect_lines(const struct meta *m, enum meta_field f, const char *const *want,
                         size_t n, int line)
{
    const char *got = m->f[f].value;
    ck_assert_msg(got != NULL, "line %d: %s not found", line, meta_field_name(f));
    const char *p = got;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(p != NULL, "line %d: %s = \"%s\": only %zu lines, want %zu", line,
                      meta_field_name(f), got, i, n);
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && strchr(";,. ", p[len - 1]))
            len--;
        ck_assert_msg(len == strlen(want[i]) && memcmp(p, want[i], len) == 0,
                      "line %d: %s = \"%s\": line %zu is \"%.*s\", want \"%s\"", line,
                      meta_field_name(f), got, i + 1, (int)len, p, want[i]);
        p = e ? e + 1 : NULL;
    }
    ck_assert_msg(p == NULL, "line %d: %s = \"%s\": more than %zu lines", line,
                  meta_field_name(f), got, n);
}

#define VAL(m, f, want) expect_val(m, f, want, __LINE__)
#define NONE(m, f) expect_none(m, f, __LINE__)
#define SURE(m, f) expect_sure(m, f, __LINE__)
#define REVIEW(m, f) expect_review(m, f, __LINE__)
#define HOLDS(m, f, part) expect_contains(m, f, part, __LINE__)
#define LACKS(m, f, part) expect_lacks(m, f, part, __LINE__)
#define LINES(m, f, ...)                                                                 \
    do {                                                                                 \
        static const char *const want_[] = {__VA_ARGS__};                               \
        expect_lines(m, f, want_, sizeof want_ / sizeof *want_, __LINE__);              \
    } while (0)

/* ---- fixtures (invented) ---- */

/* a quyết định of a commune, clean */
static const char QD_CLEAN[] =
    "ỦY BAN NHÂN DÂN\n"
    "XÃ TRƯỜNG XUÂN\n"
    "Số: 04/QĐ-UBND\n"
    "\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "Trường Xuân, ngày 06 tháng 01 năm 2026\n"
    "\n"
    "QUYẾT ĐỊNH\n"
    "Về việc thành lập Tổ công tác chuyển đổi số\n"
    "xã Trường Xuân năm 2026\n"
    "\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ TRƯỜNG XUÂN\n"
    "\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;\n"
    "Căn cứ Quyết định số 222/QĐ-UBND ngày 22 tháng 12 năm 2021 của UBND huyện;\n"
    "Xét đề nghị của Văn phòng HĐND và UBND xã.\n"
    "\n"
    "QUYẾT ĐỊNH:\n"
    "\n"
    "Điều 1. Thành lập Tổ công tác chuyển đổi số xã gồm các ông, bà có tên sau.\n"
    "Điều 2. Tổ công tác có nhiệm vụ tham mưu cho Chủ tịch UBND xã.\n"
    "Điều 3. Văn phòng HĐND và UBND xã, các ông, bà có tên tại Điều 1 chịu trách\n"
    "nhiệm thi hành Quyết định này./.\n"
    "\n"
    "Nơi nhận:\n"
    "- Như Điều 3;\n"
    "- Chủ tịch, các PCT UBND xã;\n"
    "- Lưu: VT.\n"
    "\n"
    "TM. ỦY BAN NHÂN DÂN\n"
    "KT. CHỦ TỊCH\n"
    "PHÓ CHỦ TỊCH\n"
    "\n"
    "Nguyễn Thị Lan\n";

/* the same, as a poor scan gives it: look-alikes, lost tones */
static const char QD_DAMAGED[] =
    "ỦY BAN NHÂN DÂN\n"
    "XÃ TRƯỜNG XUÂN\n"
    "Sô: 04/Q\xC3\x90-UBND\n" /* Icelandic Ð, U+00D0 */
    "\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT\n"
    "NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "Trường Xuân, ngảy 6 thảng 1 nãm 2026\n"
    "\n"
    "QUYÉT ĐỊNH\n"
    "Về việc thành lập Tổ công tác chuyển đổi số\n"
    "\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;\n";

/* a công văn: no heading, V/v under the number */
static const char CV[] =
    "ỦY BAN NHÂN DÂN\n"
    "XÃ TRƯỜNG XUÂN\n"
    "Số: 12/UBND-VX\n"
    "V/v tăng cường công tác phòng, chống\n"
    "dịch bệnh trên địa bàn xã\n"
    "\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "Trường Xuân, ngày 15 tháng 3 năm 2026\n"
    "\n"
    "Kính gửi: Trưởng các thôn trên địa bàn xã.\n"
    "\n"
    "Thực hiện chỉ đạo của UBND huyện, UBND xã đề nghị các thôn triển khai ngay\n"
    "các biện pháp phòng, chống dịch bệnh.\n"
    "\n"
    "Nơi nhận:\n"
    "- Như trên;\n"
    "- Lưu: VT.\n"
    "\n"
    "TM. ỦY BAN NHÂN DÂN\n"
    "CHỦ TỊCH\n"
    "\n"
    "Trần Văn Bình\n";

/* a header with the number, date and a heading; the heading given as %s
 * and the notation as %s */
static char *doc_with(const char *notation, const char *heading)
{
    static const char fmt[] =
        "UBND XÃ TÂN KỲ\n"
        "Số: 07/%s\n"
        "\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n"
        "Tân Kỳ, ngày 02 tháng 4 năm 2025\n"
        "\n"
        "%s\n"
        "Triển khai công tác cải cách hành chính năm 2025\n"
        "\n"
        "Thực hiện chỉ đạo của cấp trên, UBND xã triển khai các nội dung sau.\n";
    size_t n = sizeof fmt + strlen(notation) + strlen(heading);
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, fmt, notation, heading);
    return s;
}

/* ---- number and notation ---- */

START_TEST(test_number_clean)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    VAL(&m, META_NUMBER, "04");
    VAL(&m, META_NOTATION, "QĐ-UBND");
    SURE(&m, META_NUMBER);
    SURE(&m, META_NOTATION);
    meta_release(&m);
}
END_TEST

START_TEST(test_number_icelandic_d)
{
    struct meta m;
    EXTRACT(&m, QD_DAMAGED);
    VAL(&m, META_NUMBER, "04");
    VAL(&m, META_NOTATION, "QĐ-UBND"); /* U+0110, not U+00D0 */
    ck_assert_ptr_null(strstr(m.f[META_NOTATION].value, "\xC3\x90"));
    meta_release(&m);
}
END_TEST

START_TEST(test_number_no_space_after_colon)
{
    struct meta m;
    EXTRACT(&m, "UBND XÃ TÂN KỲ\nSố:12/UBND-VX\nV/v báo cáo số liệu\n");
    VAL(&m, META_NUMBER, "12");
    VAL(&m, META_NOTATION, "UBND-VX");
    meta_release(&m);
}
END_TEST

START_TEST(test_number_spaces_inside)
{
    struct meta m;
    EXTRACT(&m, "BAN CHỈ ĐẠO\nSố : 01 /TB - HTTT\n\nTHÔNG BÁO\nLịch họp tháng 5\n");
    VAL(&m, META_NUMBER, "01");
    VAL(&m, META_NOTATION, "TB-HTTT");
    meta_release(&m);
}
END_TEST

START_TEST(test_number_blank_handwritten)
{
    struct meta m;
    EXTRACT(&m, "ỦY BAN NHÂN DÂN\nXÃ TRƯỜNG XUÂN\nSố:    /QĐ-UBND\n\nQUYẾT ĐỊNH\n"
                "Về việc phê duyệt danh sách hộ nghèo\n");
    const char *num = m.f[META_NUMBER].value;
    ck_assert_msg(num == NULL || *num == '\0', "number = \"%s\", want none", num);
    ck_assert_msg(m.f[META_NUMBER].conf < META_REVIEW, "number conf %.2f",
                  (double)m.f[META_NUMBER].conf);
    VAL(&m, META_NOTATION, "QĐ-UBND");
    VAL(&m, META_TYPE, "QUYẾT ĐỊNH");
    meta_release(&m);
}
END_TEST

/* ---- place and date ---- */

START_TEST(test_date_clean)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    VAL(&m, META_DATE, "2026-01-06");
    VAL(&m, META_PLACE, "Trường Xuân");
    SURE(&m, META_DATE);
    SURE(&m, META_PLACE);
    meta_release(&m);
}
END_TEST

START_TEST(test_date_damaged_tones)
{
    struct meta m;
    EXTRACT(&m, QD_DAMAGED);
    VAL(&m, META_DATE, "2026-01-06");
    VAL(&m, META_PLACE, "Trường Xuân");
    meta_release(&m);
}
END_TEST

START_TEST(test_date_invalid_flagged)
{
    struct meta m;
    EXTRACT(&m, "UBND XÃ TÂN KỲ\nSố: 05/KH-UBND\nTân Kỳ, ngày 31 tháng 02 năm 2026\n");
    REVIEW(&m, META_DATE);
    meta_release(&m);
    /* the same line with a real date is sure */
    EXTRACT(&m, "UBND XÃ TÂN KỲ\nSố: 05/KH-UBND\nTân Kỳ, ngày 28 tháng 02 năm 2026\n");
    VAL(&m, META_DATE, "2026-02-28");
    SURE(&m, META_DATE);
    meta_release(&m);
}
END_TEST

START_TEST(test_date_left_column_ran_in)
{
    struct meta m;
    EXTRACT(&m, "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "XÃ TRƯỜNG XUÂN Độc lập - Tự do - Hạnh phúc\n"
                "Số: 04/QĐ-UBND Trường Xuân, ngày 06 tháng 01 năm 2026\n"
                "\n"
                "QUYẾT ĐỊNH\n"
                "Về việc giao chỉ tiêu thu ngân sách năm 2026\n");
    VAL(&m, META_NUMBER, "04");
    VAL(&m, META_NOTATION, "QĐ-UBND");
    VAL(&m, META_DATE, "2026-01-06");
    VAL(&m, META_PLACE, "Trường Xuân");
    /* the motto ran into the agency's lines: never part of it */
    LACKS(&m, META_AGENCY, "CỘNG HÒA");
    LACKS(&m, META_AGENCY, "Độc lập");
    LACKS(&m, META_PARENT_AGENCY, "CỘNG HÒA");
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): when the agency's last line ran into the date line, its capitals
 * are taken as part of the place ("XÃ TRƯỜNG XUÂN Trường Xuân") */
START_TEST(test_date_agency_ran_in_place)
{
    struct meta m;
    EXTRACT(&m, "ỦY BAN NHÂN DÂN\n"
                "XÃ TRƯỜNG XUÂN Trường Xuân, ngày 06 tháng 01 năm 2026\n"
                "Số: 04/QĐ-UBND\n");
    VAL(&m, META_DATE, "2026-01-06");
    VAL(&m, META_PLACE, "Trường Xuân");
    meta_release(&m);
}
END_TEST

/* ---- type ---- */

static void check_type(const char *notation, const char *heading, const char *type,
                       const char *code, int line)
{
    struct meta m;
    char *doc = doc_with(notation, heading);
    extract_1(&m, doc, line);
    expect_val(&m, META_TYPE, type, line);
    expect_val(&m, META_TYPE_CODE, code, line);
    expect_sure(&m, META_TYPE, line);
    expect_val(&m, META_SUBJECT, "Triển khai công tác cải cách hành chính năm 2025", line);
    meta_release(&m);
    free(doc);
}

START_TEST(test_type_headings)
{
    check_type("QĐ-UBND", "QUYẾT ĐỊNH", "QUYẾT ĐỊNH", "QĐ", __LINE__);
    check_type("KH-UBND", "KẾ HOẠCH", "KẾ HOẠCH", "KH", __LINE__);
    check_type("TB-UBND", "THÔNG BÁO", "THÔNG BÁO", "TB", __LINE__);
    check_type("BC-UBND", "BÁO CÁO", "BÁO CÁO", "BC", __LINE__);
    check_type("TTr-UBND", "TỜ TRÌNH", "TỜ TRÌNH", "TTr", __LINE__);
}
END_TEST

START_TEST(test_type_heading_damaged)
{
    check_type("KH-UBND", "KÉ HOẠCH", "KẾ HOẠCH", "KH", __LINE__);
    check_type("QĐ-UBND", "QUYÉT ĐỊNH", "QUYẾT ĐỊNH", "QĐ", __LINE__);
    check_type("TB-UBND", "THONG BAO", "THÔNG BÁO", "TB", __LINE__);
}
END_TEST

START_TEST(test_type_disagrees_with_notation)
{
    struct meta agree, disagree;
    char *a = doc_with("KH-UBND", "KẾ HOẠCH");
    char *d = doc_with("QĐ-UBND", "KẾ HOẠCH");
    EXTRACT(&agree, a);
    EXTRACT(&disagree, d);
    VAL(&agree, META_TYPE, "KẾ HOẠCH");
    VAL(&disagree, META_TYPE, "KẾ HOẠCH");
    ck_assert_msg(disagree.f[META_TYPE].conf < agree.f[META_TYPE].conf,
                  "disagreeing conf %.2f, agreeing %.2f", (double)disagree.f[META_TYPE].conf,
                  (double)agree.f[META_TYPE].conf);
    REVIEW(&disagree, META_TYPE);
    meta_release(&agree);
    meta_release(&disagree);
    free(a);
    free(d);
}
END_TEST

START_TEST(test_type_from_notation_only)
{
    struct meta with, without;
    char *a = doc_with("KH-UBND", "KẾ HOẠCH");
    EXTRACT(&with, a);
    EXTRACT(&without, "UBND XÃ TÂN KỲ\n"
                      "Số: 07/KH-UBND\n"
                      "\n"
                      "Tân Kỳ, ngày 02 tháng 4 năm 2025\n"
                      "\n"
                      "Thực hiện chỉ đạo của cấp trên, UBND xã triển khai các nội dung sau.\n");
    VAL(&without, META_TYPE, "KẾ HOẠCH");
    VAL(&without, META_TYPE_CODE, "KH");
    ck_assert_msg(without.f[META_TYPE].conf < with.f[META_TYPE].conf,
                  "from the notation alone conf %.2f, with the heading %.2f",
                  (double)without.f[META_TYPE].conf, (double)with.f[META_TYPE].conf);
    meta_release(&with);
    meta_release(&without);
    free(a);
}
END_TEST

/* ---- công văn ---- */

START_TEST(test_cong_van)
{
    struct meta m;
    EXTRACT(&m, CV);
    VAL(&m, META_NUMBER, "12");
    VAL(&m, META_NOTATION, "UBND-VX");
    VAL(&m, META_TYPE, "CÔNG VĂN");
    NONE(&m, META_TYPE_CODE);
    /* meta.h: a công văn's subject as printed, "V/v ..." (normalised) */
    VAL(&m, META_SUBJECT, "V/v tăng cường công tác phòng, chống dịch bệnh trên địa bàn xã");
    VAL(&m, META_DATE, "2026-03-15");
    VAL(&m, META_PLACE, "Trường Xuân");
    meta_release(&m);
}
END_TEST

START_TEST(test_cong_van_one_line_damaged)
{
    struct meta m;
    EXTRACT(&m, "UBND XÃ TÂN KỲ\n"
                "Số: 33/UBND-VP\n"
                "V|v báo cáo kết quả thu thuế quý I\n"
                "KHẨN\n"
                "\n"
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "Độc lập - Tự do - Hạnh phúc\n"
                "Tân Kỳ, ngày 09 tháng 4 năm 2025\n");
    VAL(&m, META_TYPE, "CÔNG VĂN");
    VAL(&m, META_SUBJECT, "V/v báo cáo kết quả thu thuế quý I"); /* V|v read as V/v */
    VAL(&m, META_URGENCY, "KHẨN");
    meta_release(&m);
}
END_TEST

/* ---- subject ---- */

START_TEST(test_subject_two_lines)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    VAL(&m, META_SUBJECT,
        "Về việc thành lập Tổ công tác chuyển đổi số xã Trường Xuân năm 2026");
    SURE(&m, META_SUBJECT);
    meta_release(&m);
}
END_TEST

START_TEST(test_subject_stops)
{
    struct meta m;
    static const char head[] = "UBND XÃ TÂN KỲ\nSố: 09/QĐ-UBND\nTân Kỳ, ngày 02 tháng 4 năm 2025\n"
                               "\nQUYẾT ĐỊNH\nVề việc ban hành Quy chế làm việc\n";
    char buf[1024];

    /* at "Căn cứ" */
    snprintf(buf, sizeof buf, "%sCăn cứ Luật Tổ chức chính quyền địa phương;\n", head);
    EXTRACT(&m, buf);
    VAL(&m, META_SUBJECT, "Về việc ban hành Quy chế làm việc");
    meta_release(&m);

    /* at a line in capitals */
    snprintf(buf, sizeof buf, "%sCHỦ TỊCH ỦY BAN NHÂN DÂN XÃ TÂN KỲ\nCăn cứ Luật;\n", head);
    EXTRACT(&m, buf);
    VAL(&m, META_SUBJECT, "Về việc ban hành Quy chế làm việc");
    meta_release(&m);

    /* at a blank line */
    snprintf(buf, sizeof buf, "%s\nXét đề nghị của Văn phòng UBND xã.\n", head);
    EXTRACT(&m, buf);
    VAL(&m, META_SUBJECT, "Về việc ban hành Quy chế làm việc");
    meta_release(&m);

    /* at a rule drawn under it */
    snprintf(buf, sizeof buf, "%s-----------\nXét đề nghị của Văn phòng UBND xã.\n", head);
    EXTRACT(&m, buf);
    VAL(&m, META_SUBJECT, "Về việc ban hành Quy chế làm việc");
    meta_release(&m);
}
END_TEST

/* ---- issuing body ---- */

START_TEST(test_agency_two_lines_one_name)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN XÃ TRƯỜNG XUÂN");
    NONE(&m, META_PARENT_AGENCY);
    SURE(&m, META_AGENCY);
    meta_release(&m);
}
END_TEST

START_TEST(test_agency_with_parent)
{
    struct meta m;
    EXTRACT(&m, "UBND XÃ TÂN KỲ\n"
                "PHÒNG VĂN HÓA - XÃ HỘI\n"
                "Số: 15/BC-VHXH\n"
                "\n"
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "Độc lập - Tự do - Hạnh phúc\n"
                "Tân Kỳ, ngày 20 tháng 6 năm 2025\n"
                "\n"
                "BÁO CÁO\n"
                "Kết quả công tác văn hóa 6 tháng đầu năm\n");
    VAL(&m, META_AGENCY, "PHÒNG VĂN HÓA - XÃ HỘI");
    VAL(&m, META_PARENT_AGENCY, "UBND XÃ TÂN KỲ");
    VAL(&m, META_TYPE, "BÁO CÁO");
    VAL(&m, META_TYPE_CODE, "BC");
    meta_release(&m);
}
END_TEST

START_TEST(test_agency_never_motto)
{
    struct meta m;
    /* the right block read first */
    EXTRACT(&m, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "Độc lập - Tự do - Hạnh phúc\n"
                "ỦY BAN NHÂN DÂN\n"
                "XÃ TRƯỜNG XUÂN\n"
                "Số: 04/QĐ-UBND\n");
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN XÃ TRƯỜNG XUÂN");
    NONE(&m, META_PARENT_AGENCY);
    meta_release(&m);
    /* the motto in capitals with its rule, right above the body */
    EXTRACT(&m, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "ĐỘC LẬP - TỰ DO - HẠNH PHÚC\n"
                "UBND XÃ TÂN KỲ\n"
                "Số: 04/QĐ-UBND\n");
    VAL(&m, META_AGENCY, "UBND XÃ TÂN KỲ");
    NONE(&m, META_PARENT_AGENCY);
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): the motto split over two lines by OCR ("... VIỆT" / "NAM", as in
 * real output) and read before the left block: "NAM" is taken as the
 * parent agency */
/* The left column's first line read on one line with the motto, then a
 * gap before the rest of the body's name (as on real scans). */
START_TEST(test_agency_across_gap_after_motto)
{
    struct meta m;
    EXTRACT(&m, "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "\n"
                "TỈNH QUẢNG TRỊ\n"
                "Số: 12/QĐ-UBND\n");
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ");
    NONE(&m, META_PARENT_AGENCY);
    meta_release(&m);
    /* but a box above the header, with no motto run in, stays out */
    EXTRACT(&m, "TRUNG TÂM DỮ LIỆU KÝ SỐ\n"
                "\n"
                "ỦY BAN NHÂN DÂN\n"
                "TỈNH QUẢNG TRỊ\n"
                "Số: 12/QĐ-UBND\n");
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ");
    NONE(&m, META_PARENT_AGENCY);
    meta_release(&m);
}
END_TEST

START_TEST(test_agency_never_motto_split)
{
    struct meta m;
    EXTRACT(&m, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT\n"
                "NAM\n"
                "ỦY BAN NHÂN DÂN\n"
                "XÃ TRƯỜNG XUÂN\n"
                "Số: 04/QĐ-UBND\n");
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN XÃ TRƯỜNG XUÂN");
    NONE(&m, META_PARENT_AGENCY);
    meta_release(&m);
}
END_TEST

/* ---- signer and recipients ---- */

START_TEST(test_signer_clean)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    VAL(&m, META_SIGNER_PREFIX, "TM.");
    VAL(&m, META_SIGNER_TITLE, "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH");
    VAL(&m, META_SIGNER_NAME, "Nguyễn Thị Lan");
    SURE(&m, META_SIGNER_NAME);
    meta_release(&m);
}
END_TEST

START_TEST(test_signer_recipients_interleaved)
{
    struct meta m;
    EXTRACT(&m, "Số: 21/TB-UBND\n"
                "\n"
                "THÔNG BÁO\n"
                "Lịch tiếp công dân tháng 5\n"
                "\n"
                "UBND xã thông báo lịch tiếp công dân như sau.\n"
                "KT. CHỦ TỊCH\n"
                "PHÓ CHỦ TỊCH\n"
                "Nơi nhận:\n"
                "- Như trên;\n"
                "- Văn phòng HĐND và UBND huyện (để\n"
                "báo cáo);\n"
                "- Lưu: VT, VP.\n"
                "Trần Văn Bình\n");
    VAL(&m, META_SIGNER_PREFIX, "KT.");
    VAL(&m, META_SIGNER_TITLE, "KT. CHỦ TỊCH PHÓ CHỦ TỊCH");
    VAL(&m, META_SIGNER_NAME, "Trần Văn Bình");
    LINES(&m, META_RECIPIENTS, "Như trên", "Văn phòng HĐND và UBND huyện (để báo cáo)",
          "Lưu: VT, VP");
    LACKS(&m, META_RECIPIENTS, "Trần Văn Bình");
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): interleaved as reading order gives it, with "(Đã ký)" (or "(Ký,
 * ghi rõ họ tên)") between the list and the name: the aside is appended
 * to the last recipient ("Lưu: VT, VP. (Đã ký)") */
START_TEST(test_recipients_interleaved_signed_aside)
{
    struct meta m;
    EXTRACT(&m, "Số: 21/TB-UBND\n"
                "\n"
                "THÔNG BÁO\n"
                "Lịch tiếp công dân tháng 5\n"
                "\n"
                "UBND xã thông báo lịch tiếp công dân như sau.\n"
                "KT. CHỦ TỊCH\n"
                "PHÓ CHỦ TỊCH\n"
                "Nơi nhận:\n"
                "- Như trên;\n"
                "- Lưu: VT, VP.\n"
                "(Đã ký)\n"
                "Trần Văn Bình\n");
    VAL(&m, META_SIGNER_TITLE, "KT. CHỦ TỊCH PHÓ CHỦ TỊCH");
    VAL(&m, META_SIGNER_NAME, "Trần Văn Bình");
    LINES(&m, META_RECIPIENTS, "Như trên", "Lưu: VT, VP");
    LACKS(&m, META_RECIPIENTS, "ký");
    meta_release(&m);
}
END_TEST

START_TEST(test_recipients_clean)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    LINES(&m, META_RECIPIENTS, "Như Điều 3", "Chủ tịch, các PCT UBND xã", "Lưu: VT");
    ck_assert_msg(m.f[META_RECIPIENTS].value[0] != '-', "recipients start with a dash: %s",
                  m.f[META_RECIPIENTS].value);
    LACKS(&m, META_RECIPIENTS, "\n-");
    LACKS(&m, META_RECIPIENTS, "TM.");
    HOLDS(&m, META_RECIPIENTS, "Lưu: VT");
    meta_release(&m);
}
END_TEST

START_TEST(test_signer_over_page_break)
{
    struct meta m;
    const char *pages[3] = {
        QD_CLEAN, /* the first page's own signer must not win */
        "Điều 4. Quyết định có hiệu lực kể từ ngày ký.\n"
        "\n"
        "Nơi nhận:\n"
        "- Như Điều 4;\n"
        "- Lưu: VT.\n"
        "\n"
        "TM. ỦY BAN NHÂN DÂN\n"
        "CHỦ TỊCH\n",
        "(Đã ký)\n"
        "\n"
        "Lê Văn Hùng\n"};
    EXTRACT_N(&m, pages, 3);
    VAL(&m, META_SIGNER_NAME, "Lê Văn Hùng");
    VAL(&m, META_SIGNER_TITLE, "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH");
    VAL(&m, META_SIGNER_PREFIX, "TM.");
    LINES(&m, META_RECIPIENTS, "Như Điều 4", "Lưu: VT");
    /* the header still from the first page */
    VAL(&m, META_NUMBER, "04");
    VAL(&m, META_DATE, "2026-01-06");
    meta_release(&m);
}
END_TEST

START_TEST(test_signer_rank_and_aside)
{
    struct meta m;
    EXTRACT(&m, "Số: 03/KH-CAX\n\nKẾ HOẠCH\nTuần tra dịp Tết\n\n"
                "Nơi nhận:\n- Lưu: VT.\n\n"
                "TL. TRƯỞNG CÔNG AN XÃ\n"
                "PHÓ TRƯỞNG CÔNG AN\n"
                "(Ký, ghi rõ họ tên)\n"
                "Thiếu tá Hoàng Minh Đức\n");
    VAL(&m, META_SIGNER_PREFIX, "TL.");
    VAL(&m, META_SIGNER_TITLE, "TL. TRƯỞNG CÔNG AN XÃ PHÓ TRƯỞNG CÔNG AN");
    VAL(&m, META_SIGNER_NAME, "Hoàng Minh Đức");
    meta_release(&m);
}
END_TEST

/* a signature's strokes read as a short word between the title and the
 * name (real OCR gives lines like "giải" or "lm") */
START_TEST(test_signer_scribble_between)
{
    struct meta m;
    EXTRACT(&m, "Số: 03/KH-UBND\n\nKẾ HOẠCH\nTuần tra dịp Tết\n\n"
                "Nơi nhận:\n- Lưu: VT.\n\n"
                "TM. ỦY BAN NHÂN DÂN\n"
                "CHỦ TỊCH\n"
                "lm\n"
                "Phạm Quốc Toàn\n");
    VAL(&m, META_SIGNER_NAME, "Phạm Quốc Toàn");
    VAL(&m, META_SIGNER_TITLE, "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH");
    VAL(&m, META_SIGNER_PREFIX, "TM.");
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): with no name read, the title is looked for below "the last line
 * in capitals near the end"; a page without a signer block then gives the
 * type heading ("QUYÉT ĐỊNH"), the issuing body or an annex's heading
 * ("PHỤ LỤC") as the signer's title */
START_TEST(test_signer_absent)
{
    struct meta m;
    EXTRACT(&m, QD_DAMAGED); /* the header page alone */
    NONE(&m, META_SIGNER_NAME);
    NONE(&m, META_SIGNER_TITLE);
    NONE(&m, META_SIGNER_PREFIX);
    meta_release(&m);
    const char *pages[2] = {QD_DAMAGED, "PHỤ LỤC\n"
                                        "Danh sách các thôn tham gia\n"
                                        "1. Thôn Đông, 120 hộ;\n"
                                        "2. Thôn Tây, 95 hộ.\n"};
    EXTRACT_N(&m, pages, 2);
    NONE(&m, META_SIGNER_TITLE);
    meta_release(&m);
}
END_TEST

/* ---- marks and mode ---- */

static void check_marks(const char *marks, enum meta_field f, const char *want,
                        const char *mode, int line)
{
    char buf[1024];
    struct meta m;
    snprintf(buf, sizeof buf,
             "UBND XÃ TÂN KỲ\nSố: 21/TB-UBND\n%s\n\n"
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
             "Tân Kỳ, ngày 05 tháng 9 năm 2025\n\nTHÔNG BÁO\nKết luận cuộc họp\n",
             marks);
    extract_1(&m, buf, line);
    expect_val(&m, f, want, line);
    expect_val(&m, META_MODE, mode, line);
    expect_val(&m, META_TYPE, "THÔNG BÁO", line);
    meta_release(&m);
}

START_TEST(test_marks)
{
    check_marks("MẬT", META_SECRECY, "MẬT", "03", __LINE__);
    check_marks("TỐI MẬT", META_SECRECY, "TỐI MẬT", "03", __LINE__);
    check_marks("TUYỆT MẬT", META_SECRECY, "TUYỆT MẬT", "03", __LINE__);
    check_marks("KHẨN", META_URGENCY, "KHẨN", "01", __LINE__);
    check_marks("THƯỢNG KHẨN", META_URGENCY, "THƯỢNG KHẨN", "01", __LINE__);
    check_marks("HỎA TỐC", META_URGENCY, "HỎA TỐC", "01", __LINE__);
    check_marks("LƯU HÀNH NỘI BỘ", META_CIRCULATION, "LƯU HÀNH NỘI BỘ", "01", __LINE__);
    check_marks("TỐI MẬT HỎA TỐC", META_URGENCY, "HỎA TỐC", "03", __LINE__);
    check_marks("TỐI MẬT HỎA TỐC", META_SECRECY, "TỐI MẬT", "03", __LINE__);
}
END_TEST

START_TEST(test_marks_none)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    NONE(&m, META_SECRECY);
    NONE(&m, META_URGENCY);
    NONE(&m, META_CIRCULATION);
    VAL(&m, META_MODE, "01");
    meta_release(&m);
    /* "mật" inside a sentence or a title is not a mark */
    EXTRACT(&m, "UBND XÃ TÂN KỲ\nSố: 02/KH-UBND\n\nKẾ HOẠCH\n"
                "Bảo vệ bí mật nhà nước năm 2025\n\n"
                "Thực hiện công tác bảo vệ bí mật nhà nước, khẩn trương triển khai.\n");
    NONE(&m, META_SECRECY);
    NONE(&m, META_URGENCY);
    VAL(&m, META_MODE, "01");
    meta_release(&m);
}
END_TEST

/* ---- codes and personal numbers ---- */

static const char RECEIPT[] =
    "UBND XÃ TÂN KỲ\n"
    "BỘ PHẬN MỘT CỬA\n"
    "\n"
    "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\n"
    "Mã hồ sơ: 000.00.12.H56-250714-0003\n"
    "Mã thủ tục hành chính: 1.001612\n"
    "Tên thủ tục: Đăng ký khai sinh\n"
    "Người nộp: Phạm Văn Tú\n"
    "Số CCCD: 001203004567\n"
    "Số CMND cũ: 187654321\n"
    "Điện thoại: 0912 604 385\n"
    "Ngày hẹn trả: 16/07/2025\n";

START_TEST(test_dossier_and_procedure_codes)
{
    struct meta m;
    EXTRACT(&m, RECEIPT);
    VAL(&m, META_DOSSIER_CODES, "000.00.12.H56-250714-0003");
    NONE(&m, META_RESULT_CODES);
    VAL(&m, META_PROCEDURE_CODES, "1.001612");
    SURE(&m, META_PROCEDURE_CODES);
    SURE(&m, META_DOSSIER_CODES);
    meta_release(&m);
}
END_TEST

START_TEST(test_result_code)
{
    struct meta m;
    const char *pages[2] = {
        "GIẤY CHỨNG NHẬN\nNội dung cấp cho công dân.\n",
        "Mã kết quả: 000.00.12.H56-250714-0003-KQ1\n"};
    EXTRACT_N(&m, pages, 2);
    VAL(&m, META_RESULT_CODES, "000.00.12.H56-250714-0003-KQ1");
    VAL(&m, META_DOSSIER_CODES, "000.00.12.H56-250714-0003");
    meta_release(&m);
}
END_TEST

START_TEST(test_procedure_code_without_context)
{
    struct meta ctx, bare;
    EXTRACT(&ctx, "Mã thủ tục hành chính: 1.001612\n");
    EXTRACT(&bare, "Hồ sơ 1.001612 đã chuyển bộ phận chuyên môn\n");
    VAL(&bare, META_PROCEDURE_CODES, "1.001612");
    ck_assert_msg(bare.f[META_PROCEDURE_CODES].conf < ctx.f[META_PROCEDURE_CODES].conf,
                  "bare code conf %.2f, with context %.2f",
                  (double)bare.f[META_PROCEDURE_CODES].conf,
                  (double)ctx.f[META_PROCEDURE_CODES].conf);
    meta_release(&ctx);
    meta_release(&bare);
    /* numbers with a thousands dot are not codes */
    EXTRACT(&bare, "Năm 2.025 hồ sơ, kinh phí 1.250.000 đồng, 3.1234567 và 12.001612 ha\n");
    NONE(&bare, META_PROCEDURE_CODES);
    meta_release(&bare);
}
END_TEST

/* no full personal number in the value, and the masked form with its kind */
static void expect_masked(const struct meta *m, const char *kind, const char *digits, int line)
{
    const char *v = m->f[META_PERSONAL_IDS].value;
    ck_assert_msg(v != NULL, "line %d: no personal ids, want %s", line, kind);
    ck_assert_msg(strstr(v, digits) == NULL, "line %d: personal_ids \"%s\" shows %s in full",
                  line, v, digits);
    char want[64];
    size_t n = strlen(digits);
    snprintf(want, sizeof want, "%s %.4s", kind, digits);
    ck_assert_msg(strstr(v, want) != NULL, "line %d: personal_ids \"%s\", want \"%s...\"",
                  line, v, want);
    /* the middle digits are hidden */
    char mid[16];
    snprintf(mid, sizeof mid, "%.*s", (int)(n - 6), digits + 4);
    const char *at = strstr(v, want);
    ck_assert_msg(strncmp(at + strlen(want), mid, strlen(mid)) != 0,
                  "line %d: personal_ids \"%s\": middle digits shown", line, v);
}

START_TEST(test_personal_ids_masked)
{
    struct meta m;
    EXTRACT(&m, RECEIPT);
    expect_masked(&m, "CCCD", "001203004567", __LINE__);
    expect_masked(&m, "CMND", "187654321", __LINE__);
    expect_masked(&m, "phone", "0912604385", __LINE__);
    LACKS(&m, META_PERSONAL_IDS, "0912 604 385");
    LACKS(&m, META_PERSONAL_IDS, "604 385");
    /* the date is not an id */
    LACKS(&m, META_PERSONAL_IDS, "1607");
    meta_release(&m);
}
END_TEST

START_TEST(test_personal_ids_phone_forms)
{
    struct meta m;
    const char *pages[2] = {"Tờ khai đăng ký.\n",
                            "SĐT: 0912604385\nĐiện thoại: 0912 604 385\nĐT: 0912.604.385\n"};
    EXTRACT_N(&m, pages, 2); /* ids come from every page */
    expect_masked(&m, "phone", "0912604385", __LINE__);
    LINES(&m, META_PERSONAL_IDS, "phone 0912xxxx85"); /* one, not three */
    meta_release(&m);
}
END_TEST

START_TEST(test_personal_ids_not_money_or_dates)
{
    struct meta m;
    EXTRACT(&m, "Tổng kinh phí thực hiện là 10.522,6 triệu đồng, trong đó ngân sách xã\n"
                "1.250.000.000 đồng; cấp ngày 15/04/2021 tại Công an tỉnh; mã hồ sơ\n"
                "000.00.12.H56-250714-0003; Quyết định số 1234/QĐ-UBND ngày 15/04/2021;\n"
                "năm 2025 có 2.025 hồ sơ; dân số 12.345 người.\n");
    NONE(&m, META_PERSONAL_IDS);
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): an old CMND whose number starts with 0 (Hà Nội 01..., TP HCM
 * 02..., ...) is not recorded: 9-digit runs starting with 0 are skipped */
START_TEST(test_personal_ids_cmnd_leading_zero)
{
    struct meta m;
    EXTRACT(&m, "Số CMND: 012345678 do Công an TP Hà Nội cấp\n");
    expect_masked(&m, "CMND", "012345678", __LINE__);
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): a CCCD then a phone in a table row: the digit run goes on over the
 * space (allowed inside a phone number that starts with 0), the 22 digits
 * are no id, and neither number is recorded */
START_TEST(test_personal_ids_table_row)
{
    struct meta m;
    EXTRACT(&m, "STT Họ và tên Số CCCD Điện thoại\n"
                "1 Phạm Văn Tú 001203004567 0912604385\n");
    expect_masked(&m, "CCCD", "001203004567", __LINE__);
    expect_masked(&m, "phone", "0912604385", __LINE__);
    meta_release(&m);
}
END_TEST

/* ---- must not match ---- */

START_TEST(test_body_citation_header_wins)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    VAL(&m, META_NUMBER, "04");
    VAL(&m, META_DATE, "2026-01-06");
    meta_release(&m);
}
END_TEST

START_TEST(test_body_citation_alone)
{
    struct meta m;
    EXTRACT(&m, "Căn cứ Quyết định số 222/QĐ-UBND ngày 22 tháng 12 năm 2021 của UBND huyện;\n"
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;\n"
                "Xét đề nghị của Văn phòng UBND xã.\n");
    NONE(&m, META_NUMBER);
    NONE(&m, META_NOTATION);
    NONE(&m, META_DATE);
    NONE(&m, META_PLACE);
    NONE(&m, META_PERSONAL_IDS);
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): a citation in the body (no header on the page) whose issuer ends
 * in a capitalised name gives a date and a "place" */
START_TEST(test_body_citation_named_issuer)
{
    struct meta m;
    EXTRACT(&m, "Căn cứ Nghị quyết số 12/NQ-HĐND của HĐND xã Trường Xuân ngày 20 tháng 12 năm 2025;\n"
                "Xét đề nghị của Văn phòng UBND xã.\n");
    NONE(&m, META_DATE);
    NONE(&m, META_PLACE);
    meta_release(&m);
}
END_TEST

/* Was a bug (fixed): a citation wrapped by OCR so that a body line starts with
 * "số 222/QĐ-UBND" (real output wraps like "Quyết định số" / "222/QĐ-UBND")
 * is taken as the document's number when the header's line is unreadable */
START_TEST(test_body_citation_wrapped)
{
    struct meta m;
    EXTRACT(&m, "S6 O4/QĐ-UBND\n"
                "\n"
                "Căn cứ Quyết định\n"
                "số 222/QĐ-UBND ngày 22 tháng 12 năm 2021 của UBND huyện;\n");
    NONE(&m, META_NUMBER);
    LACKS(&m, META_NUMBER, "222");
    meta_release(&m);
}
END_TEST

/* ---- hOCR confidences ---- */

static char *hocr_of(const char *const *words, const int *confs, size_t n)
{
    size_t cap = 256;
    for (size_t i = 0; i < n; i++)
        cap += strlen(words[i]) + 128;
    char *h = malloc(cap);
    ck_assert_ptr_nonnull(h);
    size_t o = (size_t)snprintf(h, cap, "<div class='ocr_page'>");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(h + o, cap - o,
                              "<span class='ocrx_word' id='word_1_%zu' title='bbox 0 0 9 9; "
                              "x_wconf %d'>%s</span> ",
                              i + 1, confs[i], words[i]);
    snprintf(h + o, cap - o, "</div>");
    return h;
}

START_TEST(test_hocr_lowers_name_confidence)
{
    struct meta sure, unsure;
    static const char text[] = "Nơi nhận:\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n"
                               "Nguyễn Thị Lan\n";
    const char *words[] = {"Nguyễn", "Thị", "Lan"};
    int hi[] = {95, 96, 94}, lo[] = {95, 31, 94};
    char *h1 = hocr_of(words, hi, 3), *h2 = hocr_of(words, lo, 3);
    const char *t[1] = {text}, *hs1[1] = {h1}, *hs2[1] = {h2};
    ck_assert_int_eq(meta_extract(t, hs1, 1, &sure), 0);
    ck_assert_int_eq(meta_extract(t, hs2, 1, &unsure), 0);
    VAL(&sure, META_SIGNER_NAME, "Nguyễn Thị Lan");
    VAL(&unsure, META_SIGNER_NAME, "Nguyễn Thị Lan");
    SURE(&sure, META_SIGNER_NAME);
    REVIEW(&unsure, META_SIGNER_NAME);
    meta_release(&sure);
    meta_release(&unsure);
    free(h1);
    free(h2);
}
END_TEST

/* Was a bug (fixed): OCR gives "04/QĐ-UBND" and "Xuân," as single words (as in real
 * hOCR); the value "04" / "Xuân" never equals a word, so a poorly read
 * number, notation or date is not flagged */
START_TEST(test_hocr_lowers_number_and_date)
{
    struct meta m;
    static const char text[] = "UBND XÃ TRƯỜNG XUÂN\nSố: 04/QĐ-UBND\n"
                               "Trường Xuân, ngày 06 tháng 01 năm 2026\n";
    const char *words[] = {"UBND", "XÃ", "TRƯỜNG", "XUÂN", "Số:", "04/QĐ-UBND", "Trường",
                           "Xuân,", "ngày", "06", "tháng", "01", "năm", "2026"};
    int confs[] = {96, 96, 96, 96, 97, 28, 96, 96, 96, 25, 96, 96, 96, 96};
    char *h = hocr_of(words, confs, 14);
    const char *t[1] = {text}, *hs[1] = {h};
    ck_assert_int_eq(meta_extract(t, hs, 1, &m), 0);
    VAL(&m, META_NUMBER, "04");
    VAL(&m, META_DATE, "2026-01-06");
    REVIEW(&m, META_NUMBER);
    REVIEW(&m, META_NOTATION);
    REVIEW(&m, META_DATE);
    meta_release(&m);
    free(h);
}
END_TEST

/* ---- meta_validate ---- */

static int validate(enum meta_field f, const char *value, char *out, size_t outsz)
{
    char buf[4096], why[256] = "";
    snprintf(buf, sizeof buf, "%s", value);
    int rc = meta_validate(f, buf, why, sizeof why);
    if (rc != 0)
        ck_assert_msg(why[0] != '\0', "meta_validate(%s, \"%s\"): no reason given",
                      meta_field_name(f), value);
    if (out)
        snprintf(out, outsz, "%s", buf);
    return rc;
}

START_TEST(test_validate_date)
{
    ck_assert_int_eq(validate(META_DATE, "2026-01-06", NULL, 0), 0);
    ck_assert_int_eq(validate(META_DATE, "2024-02-29", NULL, 0), 0);
    ck_assert_int_eq(validate(META_DATE, "2025-02-29", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026-02-31", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026-13-01", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026-00-10", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "06/01/2026", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026-1-6", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026-01-06x", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "20260106", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "ngày 06", NULL, 0), -1);
}
END_TEST

/* Was a bug (fixed): sscanf's %d skips spaces and takes a sign, so 10-character values
 * that are not ISO dates pass */
START_TEST(test_validate_date_strict_iso)
{
    ck_assert_int_eq(validate(META_DATE, "2026-01- 6", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026- 1-06", NULL, 0), -1);
    ck_assert_int_eq(validate(META_DATE, "2026-+1-06", NULL, 0), -1);
}
END_TEST

START_TEST(test_validate_mode_and_other)
{
    ck_assert_int_eq(validate(META_MODE, "01", NULL, 0), 0);
    ck_assert_int_eq(validate(META_MODE, "02", NULL, 0), 0);
    ck_assert_int_eq(validate(META_MODE, "03", NULL, 0), 0);
    ck_assert_int_eq(validate(META_MODE, "04", NULL, 0), -1);
    ck_assert_int_eq(validate(META_MODE, "1", NULL, 0), -1);
    ck_assert_int_eq(validate(META_MODE, "", NULL, 0), -1);
    ck_assert_int_eq(validate(META_MODE, "Mật", NULL, 0), -1);
    ck_assert_int_eq(validate(META_NUMBER, "04", NULL, 0), 0);
    ck_assert_int_eq(validate(META_NUMBER, "123456789012", NULL, 0), -1);
    ck_assert_int_eq(validate(META_SUBJECT, "Về việc thành lập Tổ công tác", NULL, 0), 0);
    ck_assert_int_eq(validate(META_SIGNER_NAME, "Nguyễn Thị Lan", NULL, 0), 0);
    ck_assert_int_eq(validate(META_SIGNER_NAME, "bad \xC3 utf8", NULL, 0), -1);
    char why[64];
    char v[] = "x";
    ck_assert_int_eq(meta_validate((enum meta_field)META_NFIELDS, v, why, sizeof why), -1);
}
END_TEST

START_TEST(test_validate_notation_normalised)
{
    char out[4096];
    ck_assert_int_eq(validate(META_NOTATION, "Q\xC3\x90-UBND", out, sizeof out), 0);
    ck_assert_str_eq(out, "QĐ-UBND");
    ck_assert_int_eq(validate(META_NOTATION, "TB - HTTT", out, sizeof out), 0);
    ck_assert_str_eq(out, "TB-HTTT");
    ck_assert_int_eq(validate(META_NOTATION, "QĐ-UBND", out, sizeof out), 0);
    ck_assert_str_eq(out, "QĐ-UBND");
    ck_assert_int_eq(validate(META_NOTATION, "QĐ-UBND-ABCDEFGHIJKLMNOPQRSTUVWXYZ", NULL, 0),
                     -1);
}
END_TEST

/* Was a bug (fixed): meta.h says marks must be "from the lists", but any secrecy or
 * urgency value is accepted */
START_TEST(test_validate_marks_from_lists)
{
    ck_assert_int_eq(validate(META_SECRECY, "MẬT", NULL, 0), 0);
    ck_assert_int_eq(validate(META_SECRECY, "TỐI MẬT", NULL, 0), 0);
    ck_assert_int_eq(validate(META_URGENCY, "HỎA TỐC", NULL, 0), 0);
    ck_assert_int_eq(validate(META_SECRECY, "RẤT MẬT", NULL, 0), -1);
    ck_assert_int_eq(validate(META_URGENCY, "GẤP LẮM", NULL, 0), -1);
}
END_TEST

/* Was a bug (fixed): Str500 is 500 characters; the check counts bytes against 2000,
 * so a 600-character subject passes (its message even says 500) */
START_TEST(test_validate_subject_length)
{
    char s[700];
    memset(s, 'a', 600);
    s[600] = '\0';
    ck_assert_int_eq(validate(META_SUBJECT, s, NULL, 0), -1);
    /* 500 Vietnamese letters (1500 bytes) are fine */
    char v[2048] = "";
    for (int i = 0; i < 500; i++)
        strcat(v, "ệ");
    ck_assert_int_eq(validate(META_SUBJECT, v, NULL, 0), 0);
}
END_TEST

/* ---- names ---- */

START_TEST(test_field_names_round_trip)
{
    for (int f = 0; f < META_NFIELDS; f++) {
        const char *n = meta_field_name((enum meta_field)f);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_ne(n, "?");
        ck_assert_int_eq(meta_field_by_name(n), f);
        for (int g = 0; g < f; g++)
            ck_assert_str_ne(n, meta_field_name((enum meta_field)g));
    }
    ck_assert_str_eq(meta_field_name(META_SIGNER_NAME), "signer_name");
    ck_assert_str_eq(meta_field_name(META_NOTATION), "notation");
    ck_assert_str_eq(meta_field_name(META_PERSONAL_IDS), "personal_ids");
    ck_assert_str_eq(meta_field_name((enum meta_field)META_NFIELDS), "?");
    ck_assert_int_eq(meta_field_by_name("nope"), -1);
    ck_assert_int_eq(meta_field_by_name(""), -1);
    ck_assert_int_eq(meta_field_by_name("Signer_Name"), -1);
}
END_TEST

/* ---- meta_split_number ---- */

static void split_ok(const char *s, const char *num, const char *nota)
{
    char *a = (char *)1, *b = (char *)1;
    ck_assert_msg(meta_split_number(s, &a, &b) == 0, "meta_split_number(\"%s\") failed", s);
    ck_assert_str_eq(a, num);
    ck_assert_str_eq(b, nota);
    free(a);
    free(b);
}

static void split_bad(const char *s)
{
    char *a = (char *)1, *b = (char *)1;
    ck_assert_msg(meta_split_number(s, &a, &b) == -1, "meta_split_number(\"%s\") accepted: "
                  "\"%s\" \"%s\"", s, a, b);
    ck_assert_ptr_null(a);
    ck_assert_ptr_null(b);
}

START_TEST(test_split_number)
{
    split_ok("189/QĐ-UBND", "189", "QĐ-UBND");
    split_ok("189/Q\xC3\x90-UBND", "189", "QĐ-UBND");
    split_ok("12/UBND-VX", "12", "UBND-VX");
    split_ok(" 01 / TB - HTTT", "01", "TB-HTTT");
    split_ok("45/2020/NĐ-CP", "45", "2020/NĐ-CP");
    split_bad("QĐ-UBND");
    split_bad("189");
    split_bad("189/");
    split_bad("189/   ");
    split_bad("12a/QĐ-UBND");
    split_bad("số 12/QĐ-UBND");
    split_bad("");
}
END_TEST

/* ---- odd input ---- */

static void expect_empty(const struct meta *m, int line)
{
    for (int f = 0; f < META_NFIELDS; f++) {
        if (f == META_MODE)
            continue;
        expect_none(m, (enum meta_field)f, line);
    }
}

START_TEST(test_extract_no_pages)
{
    struct meta m;
    memset(&m, 0x5a, sizeof m);
    ck_assert_int_eq(meta_extract(NULL, NULL, 0, &m), 0);
    for (int f = 0; f < META_NFIELDS; f++)
        NONE(&m, (enum meta_field)f);
    meta_release(&m);
}
END_TEST

START_TEST(test_extract_null_and_empty_texts)
{
    struct meta m;
    const char *nulls[3] = {NULL, NULL, NULL};
    EXTRACT_N(&m, nulls, 3);
    expect_empty(&m, __LINE__);
    meta_release(&m);
    const char *empties[2] = {"", ""};
    EXTRACT_N(&m, empties, 2);
    expect_empty(&m, __LINE__);
    meta_release(&m);
    const char *mixed[3] = {NULL, QD_CLEAN, NULL};
    EXTRACT_N(&m, mixed, 3);
    meta_release(&m);
    const char *blank[1] = {"\n\n \f\n\t\n"};
    EXTRACT_N(&m, blank, 1);
    expect_empty(&m, __LINE__);
    meta_release(&m);
    /* a page of hOCR NULLs next to real text */
    const char *h[1] = {NULL};
    const char *t[1] = {QD_CLEAN};
    ck_assert_int_eq(meta_extract(t, h, 1, &m), 0);
    VAL(&m, META_NUMBER, "04");
    meta_release(&m);
    /* broken hOCR */
    const char *hb[1] = {"<span class='ocrx_word' title='x_wconf 12"};
    ck_assert_int_eq(meta_extract(t, hb, 1, &m), 0);
    VAL(&m, META_NUMBER, "04");
    meta_release(&m);
}
END_TEST

START_TEST(test_extract_random_bytes)
{
    uint32_t x = 0x12345678u + (uint32_t)_i;
    size_t n = 4096;
    char *page = malloc(n + 1), *hocr = malloc(n + 1);
    ck_assert_ptr_nonnull(page);
    ck_assert_ptr_nonnull(hocr);
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        unsigned char c = (unsigned char)(x >> 24);
        if (_i == 1 && c < 0x80) /* mostly header-like ASCII */
            c = (unsigned char)"Số:0123456789/-QĐ ngàythángnăm\n,."[(x >> 8) % 35];
        page[i] = c ? (char)c : '\n';
        hocr[i] = c ? (char)c : '<';
    }
    page[n] = hocr[n] = '\0';
    /* a truncated multi-byte sequence at the very end */
    page[n - 1] = (char)0xE1;
    const char *pages[2] = {page, page};
    const char *hocrs[2] = {hocr, hocr};
    struct meta m;
    ck_assert_int_eq(meta_extract(pages, hocrs, 2, &m), 0);
    for (int f = 0; f < META_NFIELDS; f++)
        if (m.f[f].value)
            ck_assert_msg(m.f[f].conf >= 0.0f && m.f[f].conf <= 1.0f, "%s conf %.2f",
                          meta_field_name((enum meta_field)f), (double)m.f[f].conf);
    meta_release(&m);
    free(page);
    free(hocr);
}
END_TEST

START_TEST(test_extract_long_lines)
{
    /* one very long line of digits and codes, and many short lines */
    size_t n = 200000;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        s[i] = "0912 604 385 1.001612 000.00.12.H56-250714-0003 "[i % 48];
    s[n] = '\0';
    struct meta m;
    EXTRACT(&m, s);
    VAL(&m, META_PROCEDURE_CODES, "1.001612");
    VAL(&m, META_DOSSIER_CODES, "000.00.12.H56-250714-0003");
    meta_release(&m);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 3 == 2 ? '\n' : 'A';
    EXTRACT(&m, s);
    meta_release(&m);
    free(s);
}
END_TEST

/* ---- real layouts: damaged marks, columns crossed, annexes ---- */

#define VAL(m, f, want) expect_val(m, f, want, __LINE__)

START_TEST(test_lexicon_body_and_title_marks)
{
    struct meta m;
    EXTRACT(&m, "ỦY BAN NHÂN DÂN\nTINH QUÁẢNG NGAI\n"
                "Số: 12/QĐ-UBND\n\n"
                "QUYẾT ĐỊNH\nVề việc giao đất\n\n"
                "Điều 1. Giao đất cho ông A.\n\n"
                "TM. UY BAN NHAN DAN\nKT. CHU TỊCH\nPHO CHỦ TỊCH\n\nTrân Văn Bình\n");
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI");
    VAL(&m, META_SIGNER_TITLE, "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH");
    /* only the surname: the given names are as read */
    VAL(&m, META_SIGNER_NAME, "Trần Văn Bình");
    meta_release(&m);
}
END_TEST

START_TEST(test_lexicon_keeps_what_was_printed)
{
    struct meta m;
    /* old placements stay; "GIÁM ĐÓC" mended; a surname that folds like
     * two of the list (Hà, Hạ) is left; words outside the list untouched */
    EXTRACT(&m, "UBND TỈNH KHÁNH HOÀ\nSỞ Y TÉ\n"
                "Số: 5/TB-SYT\n\n"
                "THÔNG BÁO\nVề lịch trực\n\n"
                "Các khoa, phòng thực hiện lịch trực theo danh sách kèm theo.\n"
                "Nơi nhận:\n- Các khoa, phòng;\n- Lưu: VT.\n\n"
                "GIÁM ĐÓC\n\nHa Văn Tâm\n");
    VAL(&m, META_PARENT_AGENCY, "UBND TỈNH KHÁNH HOÀ");
    VAL(&m, META_AGENCY, "SỞ Y TẾ");
    VAL(&m, META_SIGNER_TITLE, "GIÁM ĐỐC");
    VAL(&m, META_SIGNER_NAME, "Ha Văn Tâm");
    meta_release(&m);
}
END_TEST

START_TEST(test_lexicon_no_near_words)
{
    struct meta m;
    /* a letter missing is another word: "THU TƯỚNG" is mended to THỦ
     * TƯỚNG, never to THỨ TRƯỞNG; a phrase outside the list stays */
    EXTRACT(&m, "CHÍNH PHỦ\nSố: 12/QĐ-TTg\n\nQUYẾT ĐỊNH\nVề việc X\n\n"
                "Điều 1. Nội dung quyết định được thực hiện.\n\n"
                "KT. THU TƯỚNG\nPHÓ THU TƯỚNG\n\nTrần Hồng Hà\n");
    VAL(&m, META_SIGNER_TITLE, "KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG");
    VAL(&m, META_AGENCY, "CHÍNH PHỦ");
    meta_release(&m);
}
END_TEST

START_TEST(test_notation_mended_from_heading)
{
    static const struct {
        const char *line, *heading, *want;
    } cases[] = {
        {"Số: 11/CI-UBND", "CHỈ THỊ", "CT-UBND"},
        {"Số: 47/QĐĐ-UBND", "QUYẾT ĐỊNH", "QĐ-UBND"},
        {"Số: 239/TTIr-UBND", "TỜ TRÌNH", "TTr-UBND"},
        /* a real code of another list, two letters away: kept */
        {"Số: 8/QĐ-TTg", "QUYẾT ĐỊNH", "QĐ-TTg"},
        {"Số: 9/BCĐ-UBND", "QUYẾT ĐỊNH", "BCĐ-UBND"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\n%s\n\n%s\nVề việc X\n",
                 cases[i].line, cases[i].heading);
        struct meta m;
        EXTRACT(&m, text);
        VAL(&m, META_NOTATION, cases[i].want);
        if (strcmp(cases[i].want, "CT-UBND") == 0)
            ck_assert_msg(m.f[META_NOTATION].conf < META_REVIEW,
                          "a mended notation is flagged (conf %.2f)",
                          (double)m.f[META_NOTATION].conf);
        meta_release(&m);
    }
}
END_TEST

START_TEST(test_agency_above_motto_and_date)
{
    struct meta m;
    /* the body's lines, then the right column (motto, place and date), then
     * the number: the body is still the lines above the right column */
    EXTRACT(&m, "ĐẠI HỌC QUỐC GIA TP.HCM\n. TRƯỜNG ĐẠI HỌC\nCÔNG NGHỆ THÔNG TIN\n\n"
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                "Tp. Hồ Chí Minh, ngày tháng 01 năm 2013\n\n"
                "Số: 01/TB-BGH\n\nTHÔNG BÁO\nV/v lịch thi\n");
    VAL(&m, META_AGENCY, "ĐẠI HỌC QUỐC GIA TP.HCM TRƯỜNG ĐẠI HỌC CÔNG NGHỆ THÔNG TIN");
    meta_release(&m);
    /* the body and the motto read as one line */
    EXTRACT(&m, "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "TỈNH QUẢNG NGÃI\nĐộc lập - Tự do - Hạnh phúc\n\n"
                "Số: 11/CT-UBND\n\nQuảng Ngãi, ngày tháng 5 năm 2021\n\nCHỈ THỊ\nVề X\n");
    VAL(&m, META_AGENCY, "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI");
    meta_release(&m);
    /* a box of capitals above the header is not crossed into */
    EXTRACT(&m, "BẢN SAO\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                "Số: 3/KH-UBND\n\nKẾ HOẠCH\nVề X\n");
    expect_none(&m, META_AGENCY, __LINE__);
    meta_release(&m);
}
END_TEST

START_TEST(test_signer_before_long_annex)
{
    struct strbuf annex = STRBUF_INIT;
    strbuf_adds(&annex, "PHỤ LỤC\nDanh mục nhiệm vụ\n");
    for (int i = 1; i <= 45; i++)
        strbuf_addf(&annex, "%d) Nhiệm vụ số %d: các đơn vị thực hiện theo kế hoạch.\n", i, i);
    const char *pages[2] = {"ỦY BAN NHÂN DÂN\nTHÀNH PHỐ ĐÀ NẴNG\nSố: 57/UBND-VX\n"
                            "V/v thực hiện kế hoạch\n\nNội dung.\n\nNơi nhận:\n- Như trên;\n"
                            "- Lưu: VT.\n\nCHỦ TỊCH\n\nLê Văn An\n",
                            annex.buf};
    struct meta m;
    EXTRACT_N(&m, pages, 2);
    VAL(&m, META_SIGNER_NAME, "Lê Văn An");
    VAL(&m, META_SIGNER_TITLE, "CHỦ TỊCH");
    meta_release(&m);
    strbuf_release(&annex);
}
END_TEST

START_TEST(test_place_with_bent_day_and_on_last_page)
{
    struct meta m;
    /* "ngày" bent by the handwritten day after it */
    EXTRACT(&m, "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 11/CT-UBND\n\n"
                "Quảng Ngãi, ngàw‡{ tháng 5 năm 2021\n\nCHỈ THỊ\nVề X\n");
    VAL(&m, META_PLACE, "Quảng Ngãi");
    expect_none(&m, META_DATE, __LINE__);
    meta_release(&m);
    /* a body line with a comma and "tháng" is not a place */
    EXTRACT(&m, "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 11/CT-UBND\n\nCHỈ THỊ\nVề X\n"
                "các đơn vị, ngành chức năng trong tháng 5 năm 2021 thực hiện\n");
    expect_none(&m, META_PLACE, __LINE__);
    meta_release(&m);
    /* văn bản hợp nhất: place and date under the signing block of the
     * last page, the day handwritten */
    const char *pages[2] = {"THÔNG TƯ\nQuy định về X\n\nĐiều 1. Phạm vi.\n",
                            "Điều 9. Hiệu lực.\n\nBỘ QUỐC PHÒNG\nSố: 46/VBHN-BQP\n"
                            "XÁC THỰC VĂN BẢN HỢP NHẤT\nHà Nội, ngày tháng ,Š năm 2026\n"
                            "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n\nNguyễn Văn A\n"};
    EXTRACT_N(&m, pages, 2);
    VAL(&m, META_PLACE, "Hà Nội");
    meta_release(&m);
}
END_TEST

START_TEST(test_release_twice)
{
    struct meta m;
    EXTRACT(&m, QD_CLEAN);
    meta_release(&m);
    meta_release(&m); /* emptied: safe again */
    for (int f = 0; f < META_NFIELDS; f++)
        ck_assert_ptr_null(m.f[f].value);
}
END_TEST

static Suite *meta_suite(void)
{
    Suite *s = suite_create("meta");
    TCase *tc = tcase_create("header");
    tcase_add_test(tc, test_number_clean);
    tcase_add_test(tc, test_number_icelandic_d);
    tcase_add_test(tc, test_number_no_space_after_colon);
    tcase_add_test(tc, test_number_spaces_inside);
    tcase_add_test(tc, test_number_blank_handwritten);
    tcase_add_test(tc, test_date_clean);
    tcase_add_test(tc, test_date_damaged_tones);
    tcase_add_test(tc, test_date_invalid_flagged);
    tcase_add_test(tc, test_date_left_column_ran_in);
    tcase_add_test(tc, test_date_agency_ran_in_place);
    tcase_add_test(tc, test_agency_two_lines_one_name);
    tcase_add_test(tc, test_agency_with_parent);
    tcase_add_test(tc, test_agency_never_motto);
    tcase_add_test(tc, test_agency_never_motto_split);
    tcase_add_test(tc, test_agency_across_gap_after_motto);
    tcase_add_test(tc, test_marks);
    tcase_add_test(tc, test_marks_none);
    suite_add_tcase(s, tc);

    tc = tcase_create("real layouts");
    tcase_add_test(tc, test_lexicon_body_and_title_marks);
    tcase_add_test(tc, test_lexicon_keeps_what_was_printed);
    tcase_add_test(tc, test_lexicon_no_near_words);
    tcase_add_test(tc, test_notation_mended_from_heading);
    tcase_add_test(tc, test_agency_above_motto_and_date);
    tcase_add_test(tc, test_signer_before_long_annex);
    tcase_add_test(tc, test_place_with_bent_day_and_on_last_page);
    suite_add_tcase(s, tc);
    tc = tcase_create("title");
    tcase_add_test(tc, test_type_headings);
    tcase_add_test(tc, test_type_heading_damaged);
    tcase_add_test(tc, test_type_disagrees_with_notation);
    tcase_add_test(tc, test_type_from_notation_only);
    tcase_add_test(tc, test_cong_van);
    tcase_add_test(tc, test_cong_van_one_line_damaged);
    tcase_add_test(tc, test_subject_two_lines);
    tcase_add_test(tc, test_subject_stops);
    suite_add_tcase(s, tc);

    tc = tcase_create("footer");
    tcase_add_test(tc, test_signer_clean);
    tcase_add_test(tc, test_signer_recipients_interleaved);
    tcase_add_test(tc, test_recipients_interleaved_signed_aside);
    tcase_add_test(tc, test_recipients_clean);
    tcase_add_test(tc, test_signer_over_page_break);
    tcase_add_test(tc, test_signer_rank_and_aside);
    tcase_add_test(tc, test_signer_scribble_between);
    tcase_add_test(tc, test_signer_absent);
    suite_add_tcase(s, tc);

    tc = tcase_create("codes");
    tcase_add_test(tc, test_dossier_and_procedure_codes);
    tcase_add_test(tc, test_result_code);
    tcase_add_test(tc, test_procedure_code_without_context);
    tcase_add_test(tc, test_personal_ids_masked);
    tcase_add_test(tc, test_personal_ids_phone_forms);
    tcase_add_test(tc, test_personal_ids_not_money_or_dates);
    tcase_add_test(tc, test_personal_ids_cmnd_leading_zero);
    tcase_add_test(tc, test_personal_ids_table_row);
    suite_add_tcase(s, tc);

    tc = tcase_create("negative");
    tcase_add_test(tc, test_body_citation_header_wins);
    tcase_add_test(tc, test_body_citation_alone);
    tcase_add_test(tc, test_body_citation_named_issuer);
    tcase_add_test(tc, test_body_citation_wrapped);
    suite_add_tcase(s, tc);

    tc = tcase_create("hocr");
    tcase_add_test(tc, test_hocr_lowers_name_confidence);
    tcase_add_test(tc, test_hocr_lowers_number_and_date);
    suite_add_tcase(s, tc);

    tc = tcase_create("api");
    tcase_add_test(tc, test_validate_date);
    tcase_add_test(tc, test_validate_date_strict_iso);
    tcase_add_test(tc, test_validate_mode_and_other);
    tcase_add_test(tc, test_validate_notation_normalised);
    tcase_add_test(tc, test_validate_marks_from_lists);
    tcase_add_test(tc, test_validate_subject_length);
    tcase_add_test(tc, test_field_names_round_trip);
    tcase_add_test(tc, test_split_number);
    tcase_add_test(tc, test_extract_no_pages);
    tcase_add_test(tc, test_extract_null_and_empty_texts);
    tcase_add_loop_test(tc, test_extract_random_bytes, 0, 2);
    tcase_add_test(tc, test_extract_long_lines);
    tcase_add_test(tc, test_release_twice);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(meta_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
