/*
 * testutil.h - helpers shared by the Check suites (included, not linked).
 */
#ifndef SOHOA_TESTUTIL_H
#define SOHOA_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Remove a file or a folder and everything in it (links are not followed). */
static void rm_rf(const char *path) __attribute__((unused));
static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *de;
            while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                char *sub = util_path_join(path, de->d_name);
                if (sub) {
                    rm_rf(sub);
                    free(sub);
                }
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A new folder /tmp/<name>.XXXXXX (malloc'd path); exits 2 if none can be made. */
static char *scratch_root_new(const char *name) __attribute__((unused));
static char *scratch_root_new(const char *name)
{
    char tmpl[256];
    snprintf(tmpl, sizeof tmpl, "/tmp/%s.XXXXXX", name);
    char *d = mkdtemp(tmpl);
    char *out = d ? strdup(d) : NULL;
    if (!out) {
        perror("mkdtemp");
        exit(2);
    }
    return out;
}

#ifdef TESTUTIL_DIRS
#include <check.h>
/*
 * A folder per test: the suite makes g_root (mkdtemp) before running, each
 * test gets a fresh t_dir under it (setup_dir/teardown_dir as a fixture).
 */
static char g_root[128];
static char t_dir[256];

static void setup_dir(void)
{
    snprintf(t_dir, sizeof t_dir, "%s/t-XXXXXX", g_root);
    ck_assert_ptr_nonnull(mkdtemp(t_dir));
}

static void teardown_dir(void)
{
    rm_rf(t_dir);
}

/* t_dir/name, malloc'd */
static char *tpath(const char *name) __attribute__((unused));
static char *tpath(const char *name)
{
    char *p = util_path_join(t_dir, name);
    ck_assert_ptr_nonnull(p);
    return p;
}
#endif

#endif
