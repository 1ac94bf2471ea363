/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include "tool.h"

#define PASSWORD_MAX 1024

void tool_error(const char *format, ...) {
        va_list ap;

        fputs("permit: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int tool_exit_code(int r) {
        switch (-r) {
        case ENOENT:
        case EACCES:
        case EPERM:
        case ENOTDIR:
        case EISDIR:
        case ELOOP:
        case ENAMETOOLONG:
        case ENOMEM:
                return EXIT_USAGE;
        default:
                return EXIT_REFUSED;
        }
}

int tool_fail(int r, const permit_error *error, const char *what) {
        char buf[1024];

        if (error && error->text[0])
                tool_error("%s", permit_error_string(error, buf, sizeof(buf)));
        else if (what)
                tool_error("%s: %s", what, strerror(-r));
        else
                tool_error("%s", strerror(-r));
        return tool_exit_code(r);
}

static int read_line_fd(int fd, char *buf, size_t size, size_t *ret_len) {
        size_t n = 0;

        for (;;) {
                char c;
                ssize_t k = read(fd, &c, 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0 || c == '\n')
                        break;
                if (n + 1 >= size)
                        return -E2BIG;
                buf[n++] = c;
        }
        if (n > 0 && buf[n - 1] == '\r')
                n--;
        buf[n] = '\0';
        *ret_len = n;
        return 0;
}

static int ask_terminal(const char *prompt, char *buf, size_t size, size_t *ret_len) {
        struct termios old, noecho;
        int fd, r;

        fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -ENOTTY;
        if (tcgetattr(fd, &old) < 0) {
                close(fd);
                return -ENOTTY;
        }
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t) ECHO;
        noecho.c_lflag |= ECHONL;
        (void) !write(fd, prompt, strlen(prompt));
        tcsetattr(fd, TCSAFLUSH, &noecho);
        r = read_line_fd(fd, buf, size, ret_len);
        tcsetattr(fd, TCSAFLUSH, &old);
        close(fd);
        return r;
}

int tool_secrets_begin(void) {
        /* No core file, and no ptrace by other processes of this user,
         * from here on. Never turned back on: the secrets are wiped when
         * freed, but the process ends soon after. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                int r = -errno;
                tool_error("cannot protect secrets from core dumps: %s", strerror(-r));
                return r;
        }
        return 0;
}

void tool_password_free(char *password) {
        if (password)
                sodium_free(password); /* wipes */
}

int tool_password_read(const char *file, const char *prompt, bool confirm, char **ret, size_t *ret_len) {
        char *pw = NULL, *again = NULL;
        size_t len = 0, len2 = 0;
        int r;

        r = tool_secrets_begin();
        if (r < 0)
                return r;
        pw = sodium_malloc(PASSWORD_MAX);
        if (!pw)
                return -ENOMEM;
        if (file) {
                int fd = open(file, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        r = -errno;
                        tool_error("%s: %s", file, strerror(-r));
                        goto fail;
                }
                r = read_line_fd(fd, pw, PASSWORD_MAX, &len);
                close(fd);
                if (r < 0) {
                        tool_error("%s: cannot read a password: %s", file, r == -E2BIG ? "line too long" : strerror(-r));
                        goto fail;
                }
        } else {
                r = ask_terminal(prompt, pw, PASSWORD_MAX, &len);
                if (r == -ENOTTY) {
                        tool_error("no terminal to ask for a password: give --password-file FILE (or -W for a key "
                                   "without password)");
                        goto fail;
                }
                if (r < 0) {
                        tool_error("cannot read the password: %s", r == -E2BIG ? "too long" : strerror(-r));
                        goto fail;
                }
                if (confirm) {
                        again = sodium_malloc(PASSWORD_MAX);
                        if (!again) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        r = ask_terminal("Password (again): ", again, PASSWORD_MAX, &len2);
                        if (r < 0)
                                goto fail;
                        if (len != len2 || sodium_memcmp(pw, again, len) != 0) {
                                tool_error("the passwords do not match");
                                r = -EINVAL;
                                goto fail;
                        }
                        sodium_free(again);
                        again = NULL;
                }
        }
        if (len == 0) {
                tool_error("empty password: use -W for a key without one");
                r = -EINVAL;
                goto fail;
        }
        *ret = pw;
        *ret_len = len;
        return 0;
fail:
        tool_password_free(pw);
        tool_password_free(again);
        return r;
}

int tool_seckey_load(const char *path, const char *password_file, permit_seckey **ret) {
        permit_error error = { 0 };
        char *pw = NULL;
        size_t len = 0;
        int r;

        r = tool_secrets_begin();
        if (r < 0)
                return r;
        if (password_file) {
                r = tool_password_read(password_file, NULL, false, &pw, &len);
                if (r < 0)
                        return r;
        }
        r = permit_seckey_load(path, pw, len, ret, &error);
        if (r == -ENOKEY && !password_file) {
                r = tool_password_read(NULL, "Password: ", false, &pw, &len);
                if (r < 0)
                        return r;
                permit_error_clear(&error);
                r = permit_seckey_load(path, pw, len, ret, &error);
        }
        tool_password_free(pw);
        if (r == -EKEYREJECTED)
                tool_error("%s: wrong password", path);
        else if (r < 0)
                tool_fail(r, &error, path);
        return r;
}

int tool_pubkey_load(const char *file, const char *string, permit_pubkey **ret, permit_error *ret_error) {
        permit_error error = { 0 };
        int r;

        if (!file == !string) {
                tool_error("give the public key with -p FILE or -P KEY");
                return -EINVAL;
        }
        if (file)
                r = permit_pubkey_load(file, ret, &error);
        else
                r = permit_pubkey_from_string(string, ret, &error);
        if (r < 0) {
                if (!error.source[0] && file)
                        snprintf(error.source, sizeof(error.source), "%s", file);
                tool_fail(r, &error, file ? file : "-P");
                if (!error.text[0])
                        snprintf(error.text, sizeof(error.text), "cannot read the public key: %s", strerror(-r));
                if (ret_error)
                        *ret_error = error;
        }
        return r;
}

static int parse_u64(const char *arg, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        if (!arg || !*arg || *arg == '-')
                return -EINVAL;
        v = strtoull(arg, &end, 10);
        if (errno || end == arg)
                return -EINVAL;
        /* Sizes may carry a binary suffix. */
        if (*end == 'K' || *end == 'M' || *end == 'G') {
                unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
                if (v > (UINT64_MAX >> shift))
                        return -EINVAL;
                v <<= shift;
                end++;
        }
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int tool_limit_option(int opt, const char *arg, permit_package_limits *limits) {
        uint64_t v;

        if (opt < 0x1001 || opt > 0x1003)
                return 0;
        if (parse_u64(arg, &v) < 0 || v == 0) {
                tool_error("not a positive number: '%s'", arg);
                return -EINVAL;
        }
        if (opt == 0x1001)
                limits->max_files = v;
        else if (opt == 0x1002)
                limits->max_total_size = v;
        else
                limits->max_ratio = v;
        return 1;
}

void tool_json_string(const char *s) {
        putchar('"');
        for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
                if (*p == '"' || *p == '\\')
                        printf("\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", stdout);
                else if (*p < 0x20)
                        printf("\\u%04x", *p);
                else
                        putchar(*p);
        }
        putchar('"');
}

const char *tool_size(unsigned long long bytes, char buf[32]) {
        static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
        double v = (double) bytes;
        int u = 0;

        if (bytes < 1024) {
                snprintf(buf, 32, "%llu bytes", bytes);
                return buf;
        }
        while (v >= 1024 && u < 4) {
                v /= 1024;
                u++;
        }
        snprintf(buf, 32, "%.1f %s", v, units[u]);
        return buf;
}

void tool_json_identity(const char *pkg, const permit_manifest *m) {
        fputs("{\"package\":", stdout);
        tool_json_string(pkg);
        fputs(",\"id\":", stdout);
        tool_json_string(permit_manifest_id(m));
        fputs(",\"name\":", stdout);
        tool_json_string(permit_manifest_name(m));
        fputs(",\"version\":", stdout);
        tool_json_string(permit_manifest_version(m));
        fputs(",\"publisher\":", stdout);
        tool_json_string(permit_manifest_publisher(m));
        fputs(",\"entry\":", stdout);
        tool_json_string(permit_manifest_entry(m));
}

const char *tool_one_package(int argc, char **argv, const char *cmd) {
        if (optind != argc - 1) {
                tool_error("%s needs one PACKAGE (see --help)", cmd);
                return NULL;
        }
        return argv[optind];
}

int tool_host_vocabulary_load(const char *path, permit_host_vocabulary **ret) {
        permit_error error = { 0 };
        int r;

        *ret = NULL;
        if (!path)
                return EXIT_OK;
        r = permit_host_vocabulary_load(path, ret, &error);
        if (r < 0) {
                /* the host's file, not the package, is at fault: a usage error */
                tool_fail(r, &error, path);
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

permit_risk tool_warning(const permit_host_vocabulary *v, const char *capability, char *buf, size_t size) {
        int risk = permit_host_vocabulary_warning(v, capability, buf, size);

        if (risk < 0 || !buf[0])
                snprintf(buf, size, "%s", capability);
        return risk < 0 ? PERMIT_RISK_HIGH : (permit_risk) risk;
}
