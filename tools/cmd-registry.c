/* SPDX-License-Identifier: MIT */
/* permit registry: the operator's tools (doc/registry.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "permit/registry.h"
#include "tool.h"

#define DEFAULT_EXPIRES "7d"

static void help(void) {
        puts("Usage: permit registry COMMAND [OPTIONS...]\n"
             "\n"
             "Build and publish a registry: a static tree of index.json, index.json.sig\n"
             "and packages/ID/VERSION.zip that any web server or CDN can serve.\n"
             "\n"
             "Commands:\n"
             "  init DIR -s SECKEY [--name NAME] [--expires 7d]   an empty registry, signed\n"
             "  check-upload --policy POLICY [--registry DIR] [--json] PACKAGE\n"
             "                     is this upload acceptable? exit 0 accept, 1 refuse, 3 review\n"
             "  add DIR -s SECKEY [-p PUBKEY | -P KEY] PACKAGE     countersign and place a package\n"
             "  revoke DIR (--key KEYID | --package DIGEST) --reason TEXT\n"
             "  publish DIR -s SECKEY [--expires 7d]               sign the next index version\n"
             "  check-index DIR -p PUBKEY [--min-version N] [--at TIME]   verify as a client does\n"
             "\n"
             "Secret keys: --password-file F, or the password is asked on the terminal.\n"
             "add, revoke change pending.json; clients see nothing until publish.\n"
             "Every command takes --help and --json.\n"
             "\n"
             "Exit status: 0 done (accept), 1 refused, 2 usage or unreadable input,\n"
             "3 (check-upload) a person must review the upload.\n"
             "\n"
             "Example:\n"
             "  permit registry init /srv/addons -s registry.key --name example\n"
             "  permit registry check-upload --policy policy.json --registry /srv/addons hello.zip\n"
             "  permit registry add /srv/addons -s registry.key hello.zip\n"
             "  permit registry publish /srv/addons -s registry.key --expires 7d");
}

/* "7d", "12h", "30m", "90s", "2w", or plain seconds. */
static int parse_duration(const char *s, int64_t *ret) {
        char *end;
        long long v;
        int64_t unit = 1;

        errno = 0;
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        v = strtoll(s, &end, 10);
        if (errno || v <= 0)
                return -EINVAL;
        switch (*end) {
        case '\0': case 's': break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default: return -EINVAL;
        }
        if (*end && end[1])
                return -EINVAL;
        if (v > INT64_C(100) * 365 * 86400 / unit)
                return -ERANGE;
        *ret = v * unit;
        return 0;
}

static int duration_option(const char *arg, int64_t *ret) {
        if (parse_duration(arg, ret) < 0) {
                tool_error("not a duration (like 7d, 12h, 30m): '%s'", arg);
                return -EINVAL;
        }
        return 0;
}

static void json_finish_error(const permit_error *e, int r, int ret) {
        char buf[1024];

        fputs("\"ok\":false,\"error\":", stdout);
        tool_json_string(e->text[0] ? permit_error_string(e, buf, sizeof(buf)) : strerror(-r));
        printf(",\"exit\":%d}\n", ret);
}

/* Prints the failure on stderr (and as JSON) and returns the exit code. */
static int fail(int r, const permit_error *e, const char *what, bool json, const char *dir) {
        int ret = tool_fail(r, e, what);

        if (json) {
                fputs("{\"registry\":", stdout);
                tool_json_string(dir);
                putchar(',');
                json_finish_error(e, r, ret);
        }
        return ret;
}

static const struct option common_options[] = {
        { "secret-key", required_argument, NULL, 's' }, { "password-file", required_argument, NULL, 'F' },
        { "public-key", required_argument, NULL, 'p' }, { "public-key-string", required_argument, NULL, 'P' },
        { "name", required_argument, NULL, 'n' },       { "expires", required_argument, NULL, 'e' },
        { "json", no_argument, NULL, 'J' },             { "help", no_argument, NULL, 'h' },
        { "policy", required_argument, NULL, 'o' },     { "registry", required_argument, NULL, 'r' },
        { "key", required_argument, NULL, 'k' },        { "package", required_argument, NULL, 'g' },
        { "reason", required_argument, NULL, 'R' },     { "min-version", required_argument, NULL, 'm' },
        { "at", required_argument, NULL, 'a' },         TOOL_LIMIT_OPTIONS,
        { 0 },
};

typedef struct args {
        const char *sec, *password_file, *pub, *pub_string, *name, *policy, *registry, *key, *package, *reason;
        const char *op[2]; /* the operands: DIR, PACKAGE */
        int64_t expires, at;
        uint64_t min_version;
        bool json;
        permit_package_limits limits;
} args;

/* Parses the options every subcommand shares; allowed lists the ones this
 * one takes (their short letters; 'L' for the package limits). Returns 1
 * after --help, 0 to go on, -EINVAL. */
static int parse_options(int argc, char **argv, const char *allowed, void (*sub_help)(void), args *a) {
        int c;

        *a = (args) { .at = (int64_t) time(NULL) };
        permit_package_limits_default(&a->limits);
        parse_duration(DEFAULT_EXPIRES, &a->expires);
        optind = 0;
        while ((c = getopt_long(argc, argv, "s:p:P:h", common_options, NULL)) >= 0) {
                char *end;

                if (c == 'h') {
                        sub_help();
                        return 1;
                }
                if (c == '?' || (c < 0x1000 && !strchr(allowed, c)) || (c >= 0x1000 && !strchr(allowed, 'L'))) {
                        if (c != '?')
                                tool_error("%s: option not accepted here (see --help)", argv[optind - 1]);
                        return -EINVAL;
                }
                switch (c) {
                case 's': a->sec = optarg; break;
                case 'F': a->password_file = optarg; break;
                case 'p': a->pub = optarg; break;
                case 'P': a->pub_string = optarg; break;
                case 'n': a->name = optarg; break;
                case 'e':
                        if (duration_option(optarg, &a->expires) < 0)
                                return -EINVAL;
                        break;
                case 'J': a->json = true; break;
                case 'o': a->policy = optarg; break;
                case 'r': a->registry = optarg; break;
                case 'k': a->key = optarg; break;
                case 'g': a->package = optarg; break;
                case 'R': a->reason = optarg; break;
                case 'm':
                case 'a':
                        errno = 0;
                        if (*optarg == '-' || !*optarg) {
                                tool_error("not a number: '%s'", optarg);
                                return -EINVAL;
                        }
                        unsigned long long v = strtoull(optarg, &end, 10);
                        if (errno || *end || v > INT64_MAX) {
                                tool_error("not a number: '%s'", optarg);
                                return -EINVAL;
                        }
                        if (c == 'm')
                                a->min_version = v;
                        else
                                a->at = (int64_t) v;
                        break;
                default:
                        if (tool_limit_option(c, optarg, &a->limits) <= 0)
                                return -EINVAL;
                }
        }
        return 0;
}

/* The options, then n_operands operands and the options in required ('s'
 * secret key, 'o' policy), or "registry USAGE" on stderr. */
static int begin(int argc, char **argv, const char *allowed, const char *required, int n_operands,
                 const char *usage, void (*sub_help)(void), args *a) {
        int r = parse_options(argc, argv, allowed, sub_help, a);

        if (r != 0)
                return r;
        for (const char *c = required; *c; c++)
                if ((*c == 's' && !a->sec) || (*c == 'o' && !a->policy))
                        n_operands = -1;
        if (argc - optind != n_operands) {
                tool_error("registry %s (see --help)", usage);
                return -EINVAL;
        }
        for (int i = 0; i < n_operands; i++)
                a->op[i] = argv[optind + i];
        return 0;
}

static void help_init(void) {
        puts("Usage: permit registry init DIR -s SECKEY [--name NAME] [--expires 7d] [--password-file F] [--json]\n"
             "\n"
             "Creates DIR (or fills an empty one) with packages/, an empty index of\n"
             "version 1 signed by the registry's key (made with 'permit keygen'), and\n"
             "pending.json. NAME defaults to DIR's last component.\n"
             "\n"
             "Example:\n"
             "  permit registry init /srv/addons -s registry.key --name example");
}

static int registry_init(int argc, char **argv) {
        permit_seckey *sk = NULL;
        permit_error e = { 0 };
        const char *dir;
        char *name = NULL;
        args a;
        int r;

        r = begin(argc, argv, "sFneJ", "s", 1, "init needs DIR and -s SECKEY", help_init, &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        dir = a.op[0];
        if (a.name)
                name = strdup(a.name);
        else {
                const char *slash;
                size_t len = strlen(dir);
                while (len > 1 && dir[len - 1] == '/')
                        len--;
                slash = memrchr(dir, '/', len);
                name = slash ? strndup(slash + 1, len - (size_t) (slash + 1 - dir)) : strndup(dir, len);
        }
        if (!name)
                return EXIT_USAGE;
        if (tool_seckey_load(a.sec, a.password_file, &sk) < 0) {
                free(name);
                return EXIT_USAGE;
        }
        r = permit_registry_init(dir, name, sk, a.at, a.at + a.expires, &e);
        permit_seckey_free(sk);
        if (r < 0) {
                free(name);
                return fail(r, &e, dir, a.json, dir);
        }
        if (a.json) {
                fputs("{\"registry\":", stdout);
                tool_json_string(dir);
                fputs(",\"name\":", stdout);
                tool_json_string(name);
                printf(",\"version\":1,\"expires\":%" PRId64 ",\"ok\":true}\n", a.at + a.expires);
        } else
                printf("Created registry '%s' in %s (index version 1, empty)\n", name, dir);
        free(name);
        return EXIT_OK;
}

static void help_check_upload(void) {
        puts("Usage: permit registry check-upload --policy POLICY [--registry DIR] [--json] PACKAGE\n"
             "\n"
             "Everything 'permit verify' checks, with the publisher's key registered in\n"
             "POLICY (or a key it rotated to), within the policy's size and file-count\n"
             "limits; the capabilities the policy forbids or flags for review; and with\n"
             "--registry, that the version is newer than the registry's latest, that the\n"
             "update rule holds from that version's key, and that nothing is revoked.\n"
             "Every problem is listed (--json: a report a pipeline can read).\n"
             "\n"
             "Exit status: 0 accept, 1 refuse, 3 a person must review it,\n"
             "2 usage error or unreadable policy, registry or package.\n"
             "\n"
             "Example:\n"
             "  permit registry check-upload --policy policy.json --registry /srv/addons --json inbox/hello.zip");
}

static int registry_check_upload(int argc, char **argv) {
        permit_upload_policy *policy = NULL;
        permit_registry *reg = NULL;
        permit_upload_report *rep = NULL;
        permit_error e = { 0 };
        const char *pkg;
        args a;
        int r, ret = EXIT_USAGE;

        r = begin(argc, argv, "orJ", "o", 1, "check-upload needs --policy POLICY and one PACKAGE", help_check_upload,
                  &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        pkg = a.op[0];
        /* The check could not run: exit 2, and for a pipeline a report
         * without a verdict. */
        r = permit_upload_policy_load(a.policy, &policy, &e);
        if (r == 0 && a.registry)
                r = permit_registry_open(a.registry, &reg, &e);
        if (r == 0)
                r = permit_upload_check(pkg, policy, reg ? permit_registry_pending(reg) : NULL, &rep, &e);
        if (r < 0) {
                char buf[1024];
                tool_fail(r, &e, pkg);
                if (a.json) {
                        fputs("{\"package\":", stdout);
                        tool_json_string(pkg);
                        fputs(",\"verdict\":null,\"error\":", stdout);
                        tool_json_string(e.text[0] ? permit_error_string(&e, buf, sizeof(buf)) : strerror(-r));
                        printf(",\"exit\":%d}\n", EXIT_USAGE);
                }
                goto out;
        }

        permit_verdict v = permit_upload_report_verdict(rep);
        const permit_package_info *info = permit_upload_report_package(rep);
        const permit_manifest *m = permit_package_info_manifest(info);
        size_t n = permit_upload_report_n_findings(rep);
        /* Problems on stderr, as every command says them; the verdict on
         * stdout (or the whole report, with --json). */
        for (size_t i = 0; i < n; i++) {
                const permit_upload_finding *f = permit_upload_report_finding(rep, i);
                tool_error("%s: %s: %s: %s", f->verdict == PERMIT_VERDICT_REFUSE ? "refused" : "review", pkg,
                           f->check, f->text);
        }
        if (a.json) {
                if (m)
                        tool_json_identity(pkg, m);
                else {
                        fputs("{\"package\":", stdout);
                        tool_json_string(pkg);
                }
                printf(",\"verdict\":\"%s\",\"verified\":%s", permit_verdict_name(v),
                       permit_package_info_verified(info) ? "true" : "false");
                if (info && permit_package_info_verified(info))
                        printf(",\"key_id\":\"%s\",\"seal_digest\":\"%s\",\"files\":%llu,\"size\":%llu",
                               permit_package_info_key_id(info), permit_package_info_seal_digest(info),
                               (unsigned long long) permit_package_info_files(info),
                               (unsigned long long) permit_package_info_total_size(info));
                fputs(",\"findings\":[", stdout);
                for (size_t i = 0; i < n; i++) {
                        const permit_upload_finding *f = permit_upload_report_finding(rep, i);
                        printf("%s{\"verdict\":\"%s\",\"check\":", i ? "," : "", permit_verdict_name(f->verdict));
                        tool_json_string(f->check);
                        fputs(",\"capability\":", stdout);
                        if (f->capability)
                                tool_json_string(f->capability);
                        else
                                fputs("null", stdout);
                        fputs(",\"text\":", stdout);
                        tool_json_string(f->text);
                        putchar('}');
                }
                printf("],\"exit\":%d}\n", (int) v);
        } else if (v == PERMIT_VERDICT_ACCEPT)
                printf("%s: accept: %s %s, key %s\n", pkg, permit_manifest_id(m), permit_manifest_version(m),
                       permit_package_info_key_id(info));
        else if (v == PERMIT_VERDICT_REVIEW)
                printf("%s: needs review: %zu finding(s)\n", pkg, n);
        else
                printf("%s: refused: %zu finding(s)\n", pkg, n);
        ret = (int) v;
out:
        permit_upload_report_free(rep);
        permit_registry_free(reg);
        permit_upload_policy_free(policy);
        return ret;
}

/* Opens the registry DIR and loads the secret key; says what failed and
 * returns its exit code, or EXIT_OK. */
static int open_with_key(const args *a, permit_registry **ret_reg, permit_seckey **ret_sk) {
        permit_error e = { 0 };
        int r = permit_registry_open(a->op[0], ret_reg, &e);

        if (r < 0)
                return fail(r, &e, a->op[0], a->json, a->op[0]);
        return tool_seckey_load(a->sec, a->password_file, ret_sk) < 0 ? EXIT_USAGE : EXIT_OK;
}

static void help_add(void) {
        puts("Usage: permit registry add DIR -s SECKEY [-p PUBKEY | -P KEY] [--password-file F] [--json] PACKAGE\n"
             "\n"
             "Verifies PACKAGE (a signed .zip): with the publisher's key -p/-P for an add-on\n"
             "new to the registry, else by the update rule from the key of its latest\n"
             "version (a new key needs a rotation statement in the package). Its version\n"
             "must be newer than every listed one. Then copies it to\n"
             "DIR/packages/ID/VERSION.zip atomically, countersigns (id, version, seal\n"
             "digest) with the registry's key, and lists it in pending.json.\n"
             "Clients see it after 'permit registry publish'.\n"
             "\n"
             "Example:\n"
             "  permit registry add /srv/addons -s registry.key -p hello.pub hello-1.0.0.zip");
}

static int registry_add(int argc, char **argv) {
        permit_registry *reg = NULL;
        permit_seckey *sk = NULL;
        permit_pubkey *pk = NULL;
        permit_index_entry entry;
        permit_error e = { 0 };
        const char *dir, *pkg;
        args a;
        int r, ret = EXIT_USAGE;

        r = begin(argc, argv, "sFpPJL", "s", 2, "add needs DIR, -s SECKEY and one PACKAGE", help_add, &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        dir = a.op[0];
        pkg = a.op[1];
        if ((a.pub || a.pub_string) && tool_pubkey_load(a.pub, a.pub_string, &pk, NULL) < 0)
                return EXIT_USAGE;
        ret = open_with_key(&a, &reg, &sk);
        if (ret != EXIT_OK)
                goto out;
        r = permit_registry_add(reg, sk, pkg, pk, &a.limits, (int64_t) time(NULL), &entry, &e);
        if (r < 0) {
                ret = fail(r, &e, pkg, a.json, dir);
                goto out;
        }
        if (a.json) {
                fputs("{\"registry\":", stdout);
                tool_json_string(dir);
                fputs(",\"id\":", stdout);
                tool_json_string(entry.id);
                fputs(",\"version\":", stdout);
                tool_json_string(entry.version);
                printf(",\"path\":\"%s\",\"size\":%" PRIu64 ",\"digest\":\"%s\",\"seal_digest\":\"%s\","
                       "\"key_id\":\"%s\",\"ok\":true}\n",
                       entry.path, entry.size, entry.digest, entry.seal_digest, entry.key_id);
        } else
                printf("Added %s %s as %s (key %s); publish to make it visible\n", entry.id, entry.version, entry.path,
                       entry.key_id);
        ret = EXIT_OK;
out:
        permit_registry_free(reg);
        permit_seckey_free(sk);
        permit_pubkey_free(pk);
        return ret;
}

static void help_revoke(void) {
        puts("Usage: permit registry revoke DIR (--key KEYID | --package SEAL_DIGEST) --reason TEXT [--json]\n"
             "\n"
             "Lists a developer key id, or one package's seal digest, as revoked in\n"
             "pending.json. After 'permit registry publish' clients refuse to install it\n"
             "and hosts are told at startup. The reason (one line) is shown to users.\n"
             "\n"
             "Example:\n"
             "  permit registry revoke /srv/addons --key 8A1F2B3C4D5E6F70 --reason \"key stolen\"");
}

static int registry_revoke(int argc, char **argv) {
        permit_registry *reg = NULL;
        permit_error e = { 0 };
        const char *dir;
        args a;
        int r, ret;

        r = begin(argc, argv, "kgRJ", "", 1, "revoke needs DIR", help_revoke, &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        dir = a.op[0];
        if (!a.key == !a.package || !a.reason) {
                tool_error("registry revoke needs one of --key KEYID or --package DIGEST, and --reason TEXT");
                return EXIT_USAGE;
        }
        r = permit_registry_open(dir, &reg, &e);
        if (r == 0)
                r = a.key ? permit_registry_revoke_key(reg, a.key, a.reason, (int64_t) time(NULL), &e)
                          : permit_registry_revoke_package(reg, a.package, a.reason, (int64_t) time(NULL), &e);
        permit_registry_free(reg);
        if (r < 0)
                return fail(r, &e, dir, a.json, dir);
        ret = EXIT_OK;
        if (a.json) {
                fputs("{\"registry\":", stdout);
                tool_json_string(dir);
                printf(",\"revoked\":{\"%s\":", a.key ? "key_id" : "seal_digest");
                tool_json_string(a.key ? a.key : a.package);
                fputs(",\"reason\":", stdout);
                tool_json_string(a.reason);
                fputs("},\"ok\":true}\n", stdout);
        } else
                printf("Revoked %s %s; publish to tell clients\n", a.key ? "key" : "package", a.key ? a.key : a.package);
        return ret;
}

static void help_publish(void) {
        puts("Usage: permit registry publish DIR -s SECKEY [--expires 7d] [--password-file F] [--json]\n"
             "\n"
             "Signs pending.json as the next index version (issued now, expiring after\n"
             "--expires: clients refuse it after that, so publish again before). Checks\n"
             "that every listed package file is in place, then writes index.json and,\n"
             "last, index.json.sig, each atomically. Old packages stay.\n"
             "\n"
             "Example:\n"
             "  permit registry publish /srv/addons -s registry.key --expires 7d");
}

static int registry_publish(int argc, char **argv) {
        permit_registry *reg = NULL;
        permit_seckey *sk = NULL;
        permit_error e = { 0 };
        const char *dir;
        uint64_t version = 0;
        args a;
        int r, ret = EXIT_USAGE;

        r = begin(argc, argv, "sFeJ", "s", 1, "publish needs DIR and -s SECKEY", help_publish, &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        dir = a.op[0];
        ret = open_with_key(&a, &reg, &sk);
        if (ret != EXIT_OK)
                goto out;
        r = permit_registry_publish(reg, sk, a.at, a.at + a.expires, &version, &e);
        if (r < 0) {
                ret = fail(r, &e, dir, a.json, dir);
                goto out;
        }
        const permit_index *idx = permit_registry_pending(reg);
        if (a.json) {
                fputs("{\"registry\":", stdout);
                tool_json_string(dir);
                printf(",\"version\":%" PRIu64 ",\"issued\":%" PRId64 ",\"expires\":%" PRId64 ",\"packages\":%zu,"
                       "\"ok\":true}\n",
                       version, permit_index_issued(idx), permit_index_expires(idx), permit_index_n_packages(idx));
        } else {
                char when[64];
                time_t t = (time_t) permit_index_expires(idx);
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
                printf("Published %s: index version %" PRIu64 ", %zu add-ons, expires %s\n", dir, version,
                       permit_index_n_packages(idx), when);
        }
        ret = EXIT_OK;
out:
        permit_registry_free(reg);
        permit_seckey_free(sk);
        return ret;
}

static void help_check_index(void) {
        puts("Usage: permit registry check-index DIR -p PUBKEY [--min-version N] [--at TIME] [--json]\n"
             "\n"
             "Verifies DIR/index.json and its signature exactly as a client does: the\n"
             "registry's key, no rollback below version N (the last one a client saw),\n"
             "not expired at TIME (seconds since the epoch; default now).\n"
             "\n"
             "Exit status: 0 valid, 1 refused (bad signature, other key, rollback,\n"
             "expired, malformed), 2 usage or unreadable files.\n"
             "\n"
             "Example:\n"
             "  permit registry check-index /srv/addons -p registry.pub");
}

static const char *index_error_code(int r) {
        switch (-r) {
        case EBADMSG: return "bad-signature";
        case EKEYREJECTED: return "wrong-key";
        case ESTALE: return "rollback";
        case ETIME: return "expired";
        case EFBIG: return "too-large";
        case EINVAL: return "malformed";
        default: return "unreadable";
        }
}

static int registry_check_index(int argc, char **argv) {
        char *ipath = NULL, *spath = NULL, *data = NULL, *sig = NULL;
        permit_pubkey *pk = NULL;
        permit_index *idx = NULL;
        permit_error e = { 0 };
        const char *dir;
        size_t len = 0, sig_len = 0;
        args a;
        int r, ret = EXIT_USAGE;

        r = begin(argc, argv, "pPmaJ", "", 1, "check-index needs DIR and -p PUBKEY", help_check_index, &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        dir = a.op[0];
        if (tool_pubkey_load(a.pub, a.pub_string, &pk, NULL) < 0)
                return EXIT_USAGE;
        if (asprintf(&ipath, "%s/%s", dir, PERMIT_INDEX_NAME) < 0) {
                ipath = NULL;
                goto out;
        }
        if (asprintf(&spath, "%s/%s", dir, PERMIT_INDEX_SIG_NAME) < 0) {
                spath = NULL;
                goto out;
        }
        /* Read one byte past each limit, so the verifier says "too large". */
        if (!(data = malloc(PERMIT_INDEX_MAX_SIZE + 1)) || !(sig = malloc(PERMIT_INDEX_SIG_MAX_SIZE + 1)))
                goto out;
        FILE *f = fopen(ipath, "rb");
        if (f) {
                len = fread(data, 1, PERMIT_INDEX_MAX_SIZE + 1, f);
                fclose(f);
                f = fopen(spath, "rb");
        }
        if (!f) {
                r = -errno;
                tool_error("%s: %s", len ? spath : ipath, strerror(-r));
                goto out;
        }
        sig_len = fread(sig, 1, PERMIT_INDEX_SIG_MAX_SIZE + 1, f);
        fclose(f);
        r = permit_index_verify(data, len, sig, sig_len, pk, a.min_version, a.at, &idx, &e);
        if (r < 0) {
                char buf[1024];
                ret = EXIT_REFUSED;
                tool_error("%s: %s", dir, permit_error_string(&e, buf, sizeof(buf)));
                if (a.json) {
                        fputs("{\"registry\":", stdout);
                        tool_json_string(dir);
                        printf(",\"valid\":false,\"code\":\"%s\",\"error\":", index_error_code(r));
                        tool_json_string(permit_error_string(&e, buf, sizeof(buf)));
                        printf(",\"exit\":%d}\n", ret);
                }
                goto out;
        }
        if (a.json) {
                fputs("{\"registry\":", stdout);
                tool_json_string(dir);
                fputs(",\"valid\":true,\"name\":", stdout);
                tool_json_string(permit_index_registry(idx));
                printf(",\"version\":%" PRIu64 ",\"issued\":%" PRId64 ",\"expires\":%" PRId64 ",\"packages\":%zu}\n",
                       permit_index_version(idx), permit_index_issued(idx), permit_index_expires(idx),
                       permit_index_n_packages(idx));
        } else
                printf("%s: OK: registry '%s', index version %" PRIu64 ", %zu add-ons\n", dir,
                       permit_index_registry(idx), permit_index_version(idx), permit_index_n_packages(idx));
        ret = EXIT_OK;
out:
        free(ipath);
        free(spath);
        free(data);
        free(sig);
        permit_index_free(idx);
        permit_pubkey_free(pk);
        return ret;
}

int cmd_registry(int argc, char **argv) {
        static const command subs[] = {
                { "init", NULL, registry_init },       { "check-upload", NULL, registry_check_upload },
                { "add", NULL, registry_add },         { "revoke", NULL, registry_revoke },
                { "publish", NULL, registry_publish }, { "check-index", NULL, registry_check_index },
        };

        if (argc < 2) {
                tool_error("registry needs a command (see 'permit registry --help')");
                return EXIT_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                help();
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                if (!strcmp(argv[1], subs[i].name)) {
                        char name[64];
                        snprintf(name, sizeof(name), "permit registry %s", subs[i].name);
                        argv[1] = name;
                        return subs[i].run(argc - 1, argv + 1);
                }
        tool_error("registry: unknown command '%s' (see 'permit registry --help')", argv[1]);
        return EXIT_USAGE;
}
