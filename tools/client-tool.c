/* SPDX-License-Identifier: MIT */
/* The registry commands' shared options, client, exit codes and progress bar. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-tool.h"

int client_options_init(client_options *o, int argc) {
        *o = (client_options) { .progress = isatty(STDERR_FILENO) };
        o->consent.allow = calloc((size_t) argc + 1, sizeof(char *));
        o->consent.deny = calloc((size_t) argc + 1, sizeof(char *));
        o->ca_file = getenv("PERMIT_CA_FILE");
        if (o->ca_file && !*o->ca_file)
                o->ca_file = NULL;
        permit_package_limits_default(&o->consent.limits);
        return o->consent.allow && o->consent.deny ? 0 : -ENOMEM;
}

void client_options_clear(client_options *o) {
        free(o->consent.allow);
        free(o->consent.deny);
        permit_host_vocabulary_free(o->consent.vocabulary);
        o->consent.vocabulary = NULL;
}

int client_options_load_vocabulary(client_options *o) {
        return tool_host_vocabulary_load(o->consent.vocabulary_file, &o->consent.vocabulary);
}

int client_parse_unsigned(const char *arg, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || v > max || arg[0] == '-')
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

int client_option(client_options *o, int opt, const char *arg, const char *cmd) {
        switch (opt) {
        case CLIENT_OPT_REGISTRY: o->registry = arg; return 1;
        case CLIENT_OPT_REGISTRY_KEY: o->registry_key = arg; return 1;
        case CLIENT_OPT_CA_FILE: o->ca_file = arg; return 1;
        case CLIENT_OPT_ALLOW_HTTP_LOOPBACK: o->allow_http_loopback = true; return 1;
        case CLIENT_OPT_PROFILE: o->consent.profile = arg; return 1;
        case CLIENT_OPT_JSON: o->consent.json = true; return 1;
        case CLIENT_OPT_ALLOW: o->consent.allow[o->consent.n_allow++] = arg; return 1;
        case CLIENT_OPT_DENY: o->consent.deny[o->consent.n_deny++] = arg; return 1;
        case CLIENT_OPT_REQUIRED_ONLY: o->consent.required_only = true; return 1;
        case CLIENT_OPT_YES: o->consent.yes = true; return 1;
        case CLIENT_OPT_HOST_VOCABULARY: o->consent.vocabulary_file = arg; return 1;
        case CLIENT_OPT_NO_PROGRESS: o->progress = false; return 1;
        case CLIENT_OPT_TIMEOUT:
                if (client_parse_unsigned(arg, 3600, &o->timeout) < 0 || o->timeout == 0) {
                        tool_error("%s: --timeout: '%s' is not a number of seconds from 1 to 3600", cmd, arg);
                        return EXIT_USAGE;
                }
                return 1;
        case CLIENT_OPT_RETRIES:
                if (client_parse_unsigned(arg, 10, &o->retries) < 0) {
                        tool_error("%s: --retries: '%s' is not a number from 0 to 10", cmd, arg);
                        return EXIT_USAGE;
                }
                o->retries_set = true;
                return 1;
        case CLIENT_OPT_NOW: {
                char *end;
                errno = 0;
                o->now = strtoll(arg, &end, 10);
                if (errno || end == arg || *end || o->now <= 0) {
                        tool_error("%s: --now: '%s' is not a time in seconds since the epoch", cmd, arg);
                        return EXIT_USAGE;
                }
                return 1;
        }
        default:
                return 0;
        }
}

int client_exit_code(int r) {
        switch (-r) {
        case ESTALE:
        case ETIME:
        case EKEYREJECTED:
        case EKEYREVOKED:
        case EBADMSG:
        case ENOMSG:
        case EFBIG:
        case EPROTONOSUPPORT:
        case EINVAL:
                return EXIT_REFUSED;
        default:
                return EXIT_USAGE;
        }
}

static char last_failure[1024];

const char *client_last_failure(void) {
        return last_failure;
}

void client_refuse(const char *cmd, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(last_failure, sizeof(last_failure), format, ap);
        va_end(ap);
        tool_error("%s: %s", cmd, last_failure);
}

int client_fail(const char *cmd, int r, const permit_error *error) {
        if (error && error->text[0])
                permit_error_string(error, last_failure, sizeof(last_failure));
        else
                snprintf(last_failure, sizeof(last_failure), "%s", strerror(-r));
        tool_error("%s: %s", cmd, last_failure);
        return client_exit_code(r);
}

static int load_key(const char *arg, permit_pubkey **ret, permit_error *error) {
        if (strncmp(arg, "RW", 2) == 0 && access(arg, F_OK) < 0)
                return permit_pubkey_from_string(arg, ret, error);
        return permit_pubkey_load(arg, ret, error);
}

int client_open(const client_options *o, const char *url, const char *key, const char *cmd, permit_client **ret) {
        permit_pubkey *pk = NULL;
        permit_client *c = NULL;
        permit_error error = { 0 };
        int r;

        url = url ? url : o->registry;
        key = key ? key : o->registry_key;
        if (!url || !key) {
                tool_error("%s: needs --registry URL and --registry-key PUBKEY (see --help)", cmd);
                return EXIT_USAGE;
        }
        r = load_key(key, &pk, &error);
        if (r < 0) {
                client_fail(cmd, r, &error);
                return EXIT_USAGE;
        }
        r = permit_client_new(url, pk, o->consent.profile, &c, &error);
        permit_pubkey_free(pk);
        if (r < 0) {
                client_fail(cmd, r, &error);
                return r == -EPROTONOSUPPORT ? EXIT_REFUSED : EXIT_USAGE; /* a scheme refused, or a bad URL */
        }
        if (o->ca_file && (r = permit_client_set_ca_file(c, o->ca_file)) < 0) {
                tool_error("%s: %s: cannot read the CA file: %s", cmd, o->ca_file, strerror(-r));
                permit_client_free(c);
                return EXIT_USAGE;
        }
        permit_client_set_allow_http_loopback(c, o->allow_http_loopback);
        permit_client_set_timeouts(c, o->timeout, o->timeout);
        if (o->retries_set)
                permit_client_set_retries(c, o->retries, 200);
        if (o->now)
                permit_client_set_now(c, o->now);
        permit_client_set_progress(c, client_progress, (void *) o);
        r = permit_client_fetch_index(c, &error);
        if (r < 0) {
                r = client_fail(cmd, r, &error);
                permit_client_free(c);
                return r;
        }
        *ret = c;
        return EXIT_OK;
}

void client_progress(const permit_client_progress *p, void *userdata) {
        const client_options *o = userdata;
        char a[32], b[32];

        if (p->stage == PERMIT_CLIENT_RETRY) {
                /* Said even without a terminal: a retry explains a delay. */
                fprintf(stderr, "permit: %s: transient failure, retry %" PRIu64 " of %" PRIu64 "\n", p->what, p->done,
                        p->total);
                return;
        }
        if (!o->progress || (p->stage != PERMIT_CLIENT_DOWNLOAD && p->stage != PERMIT_CLIENT_INDEX))
                return;
        if (p->total) {
                unsigned pct = (unsigned) (p->done >= p->total ? 100 : p->done * 100 / p->total);
                char bar[21];
                memset(bar, '#', pct / 5);
                memset(bar + pct / 5, ' ', 20 - pct / 5);
                bar[20] = '\0';
                fprintf(stderr, "\r  %-40.40s [%s] %3u%% %s / %s", p->what, bar, pct, tool_size(p->done, a),
                        tool_size(p->total, b));
        } else
                fprintf(stderr, "\r  %-40.40s %s", p->what, tool_size(p->done, a));
        if (p->finished)
                fputs("\r\033[K", stderr);
        fflush(stderr);
}

void client_print_timings_json(const permit_client *c) {
        permit_client_timings t;

        permit_client_get_timings(c, &t);
        printf("\"timings\":{\"network_us\":%" PRIu64 ",\"hash_us\":%" PRIu64 ",\"verify_us\":%" PRIu64
               ",\"store_us\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"requests\":%u}",
               t.network_ns / 1000, t.hash_ns / 1000, t.verify_ns / 1000, t.store_ns / 1000, t.bytes, t.requests);
}
