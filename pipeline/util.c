/*
 * util.c - shared helpers.
 *
 *   errors:    sohoa_strerror
 *   buffers:   strbuf_grow, strbuf_add, strbuf_adds, strbuf_addf,
 *              strbuf_add_json, strbuf_detach, strbuf_release
 *   files:     util_read_file, util_write_atomic, util_mkdirs, util_path_join
 *   strings:   util_natcmp, util_utf8_valid, util_utf8_decode, util_utf8_encode
 *   time/cpu:  util_now_iso, util_monotonic, util_ncpus
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *sohoa_strerror(enum sohoa_err e)
{
    switch (e) {
    case SOHOA_OK: return "no error";
    case SOHOA_ENOMEM: return "out of memory";
    case SOHOA_EIO: return "input/output error";
    case SOHOA_EINVAL: return "invalid argument or data";
    case SOHOA_ENOENT: return "not found";
    case SOHOA_EFORMAT: return "unsupported or corrupt format";
    case SOHOA_EDB: return "database error";
    case SOHOA_EOCR: return "OCR engine error";
    case SOHOA_EUNSAFE: return "refused as unsafe";
    case SOHOA_EFULL: return "no space left on device";
    case SOHOA_EBUSY: return "data folder in use by another run";
    }
    return "unknown error";
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *nb = realloc(sb->buf, cap);
    if (!nb)
        return -1;
    if (!sb->buf)
        nb[0] = '\0';
    sb->buf = nb;
    sb->cap = cap;
    return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
    if (strbuf_grow(sb, n) < 0)
        return -1;
    if (n)
        memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return 0;
}

int strbuf_adds(struct strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_add_json(struct strbuf *sb, const char *s)
{
    if (!s)
        return strbuf_adds(sb, "null");
    if (strbuf_add(sb, "\"", 1) < 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        switch (*p) {
        case '"': rc = strbuf_adds(sb, "\\\""); break;
        case '\\': rc = strbuf_adds(sb, "\\\\"); break;
        case '\n': rc = strbuf_adds(sb, "\\n"); break;
        case '\r': rc = strbuf_adds(sb, "\\r"); break;
        case '\t': rc = strbuf_adds(sb, "\\t"); break;
        case '\f': rc = strbuf_adds(sb, "\\f"); break;
        default:
            if (*p < 0x20)
                rc = strbuf_addf(sb, "\\u%04x", *p);
            else
                rc = strbuf_add(sb, p, 1);
        }
        if (rc < 0)
            return -1;
    }
    return strbuf_add(sb, "\"", 1);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *b = sb->buf;
    if (!b) {
        b = calloc(1, 1);
    }
    if (len)
        *len = sb->len;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return b;
}

void strbuf_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

enum sohoa_err util_read_file(const char *path, uint8_t **pdata, size_t *plen)
{
    *pdata = NULL;
    *plen = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? SOHOA_ENOENT : SOHOA_EIO;
    struct strbuf sb = STRBUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (strbuf_add(&sb, tmp, n) < 0) {
            fclose(f);
            strbuf_release(&sb);
            return SOHOA_ENOMEM;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        strbuf_release(&sb);
        return SOHOA_EIO;
    }
    if (!sb.buf && strbuf_grow(&sb, 0) < 0)
        return SOHOA_ENOMEM;
    *pdata = (uint8_t *)strbuf_detach(&sb, plen);
    return SOHOA_OK;
}

enum sohoa_err util_write_atomic(const char *path, const void *data, size_t len)
{
    struct strbuf tmp = STRBUF_INIT;
    if (strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
        return SOHOA_ENOMEM;
    enum sohoa_err err = SOHOA_OK;
    int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        err = errno == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
        goto cleanup;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            err = errno == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!err && fsync(fd) < 0)
        err = errno == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
    if (close(fd) < 0 && !err)
        err = errno == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
    if (!err && rename(tmp.buf, path) < 0)
        err = SOHOA_EIO;
    if (!err)
        err = util_fsync_dir(path);
    if (err)
        unlink(tmp.buf);
cleanup:
    strbuf_release(&tmp);
    return err;
}

enum sohoa_err util_fsync_dir(const char *path)
{
    /* a rename lasts a power cut only once its folder is on disk too */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : strdup(".");
    if (!dir)
        return SOHOA_ENOMEM;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return SOHOA_EIO;
    /* some file systems cannot sync a folder (EINVAL): nothing to do */
    enum sohoa_err err = fsync(fd) < 0 && errno != EINVAL ? SOHOA_EIO : SOHOA_OK;
    close(fd);
    return err;
}

enum sohoa_err util_mkdirs(const char *path, int mode)
{
    char *p = strdup(path);
    if (!p)
        return SOHOA_ENOMEM;
    size_t n = strlen(p);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, (mode_t)mode) < 0) {
                int e = errno;
                struct stat st;
                if (e != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                    free(p);
                    return e == ENOSPC ? SOHOA_EFULL : SOHOA_EIO;
                }
            }
            p[i] = c;
        }
    }
    free(p);
    return SOHOA_OK;
}

char *util_path_join(const char *a, const char *b)
{
    struct strbuf sb = STRBUF_INIT;
    size_t la = strlen(a);
    if (la == 0)
        return strdup(b);
    if (strbuf_adds(&sb, a) < 0 ||
        ((la == 0 || a[la - 1] != '/') && strbuf_adds(&sb, "/") < 0) ||
        strbuf_adds(&sb, b) < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

int util_natcmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            /* compare digit runs by value: skip leading zeros, then length */
            const char *sa = a, *sb = b;
            while (*sa == '0')
                sa++;
            while (*sb == '0')
                sb++;
            const char *ea = sa, *eb = sb;
            while (isdigit((unsigned char)*ea))
                ea++;
            while (isdigit((unsigned char)*eb))
                eb++;
            size_t la = (size_t)(ea - sa), lb = (size_t)(eb - sb);
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = memcmp(sa, sb, la);
            if (c)
                return c < 0 ? -1 : 1;
            /* equal values: fewer leading zeros first ("2" < "02") */
            size_t za = (size_t)(sa - a), zb = (size_t)(sb - b);
            if (za != zb)
                return za < zb ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        a++;
        b++;
    }
    if (*a || *b)
        return *a ? 1 : -1;
    return 0;
}

void util_now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double util_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int util_ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

int util_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    int len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if ((size_t)len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    /* reject overlong forms, surrogates and out-of-range values */
    if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

int util_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int util_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int k = util_utf8_decode(p + i, n - i, &cp);
        if (cp == 0xFFFD && !(k == 3 && p[i] == 0xEF && p[i + 1] == 0xBF &&
                              p[i + 2] == 0xBD))
            return 0;
        i += (size_t)k;
    }
    return 1;
}
