/*
 * meta.h - a document's metadata from its recognised text: the fields an
 * archivist would otherwise type (NĐ 30/2020 layout, TT 05/2025 fields).
 *
 * The extractor reads the page text in reading order (left header, right
 * header, title, body, recipients, signer; see ocr/engine.c) and, when
 * given, the pages' hOCR for the words' confidences. It is tolerant of OCR
 * damage: lines are matched lowercased and without diacritics (so "Sô:",
 * "QÐ" with the Icelandic Ð and "thảng" all match), values are validated
 * (dates exist, codes have their format), and every field gets a
 * confidence in 0..1; below META_REVIEW it is flagged for a person.
 *
 * Library code: nothing is printed.
 */
#ifndef SOHOA_META_H
#define SOHOA_META_H

#include <stddef.h>

enum meta_field {
    META_TYPE,            /* QUYẾT ĐỊNH, KẾ HOẠCH, CÔNG VĂN, ... */
    META_TYPE_CODE,       /* its abbreviation: QĐ, KH, ... (none for CÔNG VĂN) */
    META_NUMBER,          /* "04" (may be empty: handwritten, unread) */
    META_NOTATION,        /* "QĐ-UBND" */
    META_DATE,            /* ISO "2026-01-06" */
    META_PLACE,           /* "Trường Xuân" */
    META_AGENCY,          /* issuing body: "ỦY BAN NHÂN DÂN XÃ TRƯỜNG XUÂN" */
    META_PARENT_AGENCY,   /* "UBND XÃ TÂN KỲ" above "PHÒNG VĂN HÓA - XÃ HỘI" */
    META_SUBJECT,         /* trích yếu; a công văn's as printed: "V/v ..." */
    META_SIGNER_PREFIX,   /* TM., KT., Q., TL., TUQ. (the first one) */
    META_SIGNER_TITLE,    /* the signer block's lines: "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" */
    META_SIGNER_NAME,     /* "Lê Văn Hùng" */
    META_RECIPIENTS,      /* Nơi nhận items, one per line */
    META_SECRECY,         /* MẬT, TỐI MẬT, TUYỆT MẬT */
    META_URGENCY,         /* KHẨN, THƯỢNG KHẨN, HỎA TỐC */
    META_CIRCULATION,     /* LƯU HÀNH NỘI BỘ, XEM XONG TRẢ LẠI, ... */
    META_MODE,            /* 01 Công khai, 03 Mật */
    META_DOSSIER_CODES,   /* one-stop dossier codes, one per line */
    META_RESULT_CODES,    /* <dossier code>-KQn */
    META_PROCEDURE_CODES, /* 1.001612 */
    META_PERSONAL_IDS,    /* kind and masked value, one per line */
    META_NFIELDS
};

/* below this confidence a field is flagged for review */
#define META_REVIEW 0.7f

struct meta_value {
    char *value;    /* UTF-8; NULL when not found */
    float conf;     /* 0..1; 0 when not found */
};

struct meta {
    struct meta_value f[META_NFIELDS];
};

/* snake_case name of a field ("signer_name"), and back (-1 if unknown) */
const char *meta_field_name(enum meta_field f);
int meta_field_by_name(const char *name);

/*
 * Extract from a document's pages: texts[i] is page i's text in reading
 * order, hocrs[i] its hOCR (or NULL). Header fields come from the first
 * page (the number, date and body from the last page when the first has
 * none, as in a văn bản hợp nhất), the signer and recipients from the last
 * page, codes and personal numbers from every page. Returns 0, or -1 when
 * out of memory (m is then empty).
 */
int meta_extract(const char *const *texts, const char *const *hocrs, size_t npages,
                 struct meta *m);
void meta_release(struct meta *m);

/*
 * Check a value a person gives for a field: 0 if acceptable, else -1 with
 * a reason in why (dates must be real ISO dates, marks from the lists,
 * mode 01..03). The value is normalised in place where needed (Ð -> Đ).
 */
int meta_validate(enum meta_field f, char *value, char *why, size_t whysz);

/* "12/QĐ-UBND" -> number "12", notation "QĐ-UBND" (folded compare helpers
 * for search): returns 0 and malloc'd parts, -1 if not of that form. */
int meta_split_number(const char *s, char **number, char **notation);

/*
 * Does this page open a document of its own: an NĐ 30 header at its top
 * (the national motto, and a "Số:" line) ? For a page after the first of
 * a scanned file, that means the file holds more than one document.
 */
int meta_opens_document(const char *text);

/* Is this line, in capitals, a mark and nothing else (MẬT, TỐI MẬT, KHẨN,
 * HỎA TỐC, LƯU HÀNH NỘI BỘ, ...)? */
int meta_marks_line(const char *text);

#endif
