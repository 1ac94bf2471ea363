/* SPDX-License-Identifier: MIT */
/* The replay driver: runs a fuzz target's LLVMFuzzerTestOneInput on each
 * file given (a directory: each file in it, in name order), so a gcc build
 * runs the seed corpus and the regression files as an ordinary test. Like
 * systemd's src/fuzz/fuzz-main.c. Prints TAP: one line per input. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fileio-private.h"
#include "fuzz.h"

/* Well past any seed; the targets refuse nothing by size themselves. */
#define REPLAY_MAX (64 * 1024 * 1024)

static unsigned count;

static int run_file(const char *path) {
        char *data = NULL;
        size_t len = 0;
        int r = permit_read_file(path, REPLAY_MAX, &data, &len);

        if (r < 0) {
                printf("not ok %u - %s: %s\n", ++count, path, strerror(-r));
                return -1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) data, len);
        free(data);
        printf("ok %u - %s\n", ++count, path);
        fflush(stdout);
        return 0;
}

static int run_path(const char *path) {
        struct dirent **names = NULL;
        struct stat st;
        int n, failed = 0;

        if (stat(path, &st) < 0) {
                printf("not ok %u - %s: %s\n", ++count, path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path);
        n = scandir(path, &names, NULL, alphasort);
        if (n < 0) {
                printf("not ok %u - %s: %s\n", ++count, path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                if (names[i]->d_name[0] != '.') {
                        char *child = NULL;
                        if (asprintf(&child, "%s/%s", path, names[i]->d_name) < 0)
                                abort();
                        failed |= run_path(child) < 0;
                        free(child);
                }
                free(names[i]);
        }
        free(names);
        return failed ? -1 : 0;
}

int main(int argc, char **argv) {
        int failed = 0;

        for (int i = 1; i < argc; i++)
                failed |= run_path(argv[i]) < 0;
        if (count == 0) {
                printf("not ok 1 - no inputs\n");
                count = 1;
                failed = 1;
        }
        printf("1..%u\n", count);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
