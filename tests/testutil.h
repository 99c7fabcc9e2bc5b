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

#endif
