/* SPDX-License-Identifier: MIT */
/* permit upload PACKAGE --to URL --token-file F: HTTP PUT into a registry's
 * upload inbox with a bearer token. The token is never printed. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client-tool.h"

#define TOKEN_MAX 4096

static void usage(FILE *f) {
        fputs("Usage: permit upload PACKAGE --to URL --token-file FILE [OPTIONS...]\n"
              "\n"
              "Sends a signed package to a registry's upload inbox (HTTP PUT, with the\n"
              "token from FILE as 'Authorization: Bearer'). A URL ending in '/' gets the\n"
              "package's file name appended. The token file must be readable by its\n"
              "owner alone (mode 0600 or 0400). The operator checks the inbox with\n"
              "'permit registry check-upload'.\n"
              "\n"
              "Options:\n"
              "      --to URL               where to PUT it (https://...)\n"
              "      --token-file FILE      the upload token (first line)\n"
              "      --ca-file FILE         CA certificates for https (or $PERMIT_CA_FILE)\n"
              "      --allow-http-loopback  allow http to 127.0.0.0/8 and ::1 (tests)\n"
              "      --timeout SECONDS      connect timeout and the longest stall\n"
              "  -h, --help                 this help\n"
              "\n"
              "Exit status: 0 uploaded, 1 refused by the transport rules, 2 usage, I/O,\n"
              "network error or refused by the server.\n"
              "\n"
              "Example:\n"
              "  permit upload hello.zip --to https://upload.example.org/inbox/ --token-file ~/.config/permit/token\n",
              f);
}

/* The first line of a file only its owner can read, in locked memory. */
static int read_token(const char *path, char **ret) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        char *buf;
        ssize_t n;

        if (fd < 0) {
                tool_error("upload: %s: cannot open the token file: %s", path, strerror(errno));
                return EXIT_USAGE;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                tool_error("upload: %s: not a regular file", path);
                close(fd);
                return EXIT_USAGE;
        }
        if (st.st_mode & 077) {
                tool_error("upload: %s: the token file is readable by others (mode %04o): chmod 600 it", path,
                           (unsigned) (st.st_mode & 07777));
                close(fd);
                return EXIT_USAGE;
        }
        buf = sodium_malloc(TOKEN_MAX + 1);
        if (!buf) {
                close(fd);
                return EXIT_USAGE;
        }
        n = read(fd, buf, TOKEN_MAX);
        close(fd);
        if (n < 0)
                n = 0;
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!buf[0]) {
                tool_error("upload: %s: the token file is empty", path);
                sodium_free(buf);
                return EXIT_USAGE;
        }
        *ret = buf;
        return EXIT_OK;
}

int cmd_upload(int argc, char **argv) {
        static const struct option options[] = {
                { "to", required_argument, NULL, 't' },
                { "token-file", required_argument, NULL, 'k' },
                { "ca-file", required_argument, NULL, 'c' },
                { "allow-http-loopback", no_argument, NULL, 'l' },
                { "timeout", required_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *to = NULL, *token_file = NULL, *ca_file = getenv("PERMIT_CA_FILE"), *package, *base;
        bool loopback = false;
        unsigned timeout = 0;
        char *token = NULL, *url = NULL;
        permit_error error = { 0 };
        int opt, r, ret;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 't': to = optarg; break;
                case 'k': token_file = optarg; break;
                case 'c': ca_file = optarg; break;
                case 'l': loopback = true; break;
                case 'T': timeout = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'h': usage(stdout); return EXIT_OK;
                default:
                        tool_error("upload: unknown option or missing argument (see 'permit upload --help')");
                        return EXIT_USAGE;
                }
        if (optind + 1 != argc || !to || !token_file) {
                tool_error("upload: needs one PACKAGE, --to URL and --token-file FILE (see 'permit upload --help')");
                return EXIT_USAGE;
        }
        if (ca_file && !*ca_file)
                ca_file = NULL;
        package = argv[optind];
        ret = read_token(token_file, &token);
        if (ret != EXIT_OK)
                return ret;
        base = strrchr(package, '/') ? strrchr(package, '/') + 1 : package;
        if (asprintf(&url, "%s%s", to, to[0] && to[strlen(to) - 1] == '/' ? base : "") < 0) {
                sodium_free(token);
                return EXIT_USAGE;
        }
        r = permit_client_upload(package, url, token, ca_file, loopback, timeout, &error);
        sodium_free(token); /* wipes */
        if (r < 0)
                ret = client_fail("upload", r, &error);
        else
                printf("Uploaded %s to %s.\n", package, url);
        free(url);
        return ret;
}
