/*
 * util.h - small shared pieces: the error enum, a growable byte buffer,
 * and file helpers that write atomically.
 */
#ifndef SOHOA_UTIL_H
#define SOHOA_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* One error enum for the whole library, with one strerror for it. */
enum sohoa_err {
    SOHOA_OK = 0,
    SOHOA_ENOMEM,      /* out of memory */
    SOHOA_EIO,         /* read or write failed (errno kept by caller) */
    SOHOA_EINVAL,      /* bad argument or bad input data */
    SOHOA_ENOENT,      /* no such file, document or page */
    SOHOA_EFORMAT,     /* input is not in a format we can read */
    SOHOA_EDB,         /* the database reported an error */
    SOHOA_EOCR,        /* the OCR engine failed */
    SOHOA_EUNSAFE,     /* input refused as unsafe (paths, links, sizes) */
    SOHOA_EFULL,       /* no space left on the device */
    SOHOA_EBUSY        /* another run holds the data folder */
};

const char *sohoa_strerror(enum sohoa_err e);

/* Growable byte buffer, always NUL-terminated. */
struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

int strbuf_grow(struct strbuf *sb, size_t extra);
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_adds(struct strbuf *sb, const char *s);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal (with the quotes). */
int strbuf_add_json(struct strbuf *sb, const char *s);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_release(struct strbuf *sb);

/* Read a whole file; *pdata is malloc'd and NUL-terminated. */
enum sohoa_err util_read_file(const char *path, uint8_t **pdata, size_t *plen);
/* Write data to path via a temporary file, fsync, rename. */
/* fsync the folder holding path, so that a rename into it survives a power
 * cut. */
enum sohoa_err util_fsync_dir(const char *path);
enum sohoa_err util_write_atomic(const char *path, const void *data, size_t len);
/* mkdir -p */
enum sohoa_err util_mkdirs(const char *path, int mode);
/* Join two path parts; returns malloc'd string. */
char *util_path_join(const char *a, const char *b);
/* Natural order compare: "page-2" < "page-10"; case-insensitive on ASCII. */
int util_natcmp(const char *a, const char *b);
/* Current UTC time as ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void util_now_iso(char *buf, size_t n);
/* Monotonic seconds. */
double util_monotonic(void);
/* Number of online CPUs (>= 1). */
int util_ncpus(void);
/* Valid UTF-8 check. */
int util_utf8_valid(const char *s, size_t n);
/* Decode one UTF-8 code point at s (n bytes left); returns bytes used (>=1);
 * invalid bytes decode as U+FFFD using one byte. */
int util_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int util_utf8_encode(uint32_t cp, char out[4]);

#endif
