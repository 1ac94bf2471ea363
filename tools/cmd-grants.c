/* SPDX-License-Identifier: MIT */
/* permit grants: what the user allowed each add-on of a profile, in a
 * terminal: list, show, approve (cmd-grants-approve.c), revoke, reset,
 * export, import. All logic is in the store (permit/store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grants.h"
#include "permit/policy.h"

static void help(void) {
        puts("Usage: permit grants [--profile DIR] [--host-vocabulary FILE] ACTION [OPTIONS...]\n"
             "\n"
             "What each add-on of a profile may do, as the user decided.\n"
             "\n"
             "Actions:\n"
             "  list [--json]                    every add-on and what it was granted\n"
             "  show [--json] ID                 one add-on: each capability, when decided, last used;\n"
             "                                   what its installed version waits for (text only)\n"
             "  approve [-p PUBKEY | -P KEY] PACKAGE\n"
             "                                   verify the package, then ask about each capability\n"
             "      --allow CAP, --deny CAP      decide an optional capability without asking\n"
             "      --required-only              accept the required ones, deny every optional one\n"
             "      --yes                        accept the required ones without asking\n"
             "      --json                       print the decision as JSON\n"
             "  revoke ID [CAP]                  deny one capability again (all without CAP)\n"
             "  reset [--forget-key] ID          forget the add-on's decisions (and its pinned key)\n"
             "  export [-o FILE]                 grants and pins as JSON (to stdout)\n"
             "  import FILE                      merge an export ('-' for stdin)\n"
             "  expire --policy FILE [ID]        expire the grants of add-ons unused for the\n"
             "                                   policy's expire_unused_days (all without ID)\n"
             "\n"
             "  --profile DIR   the profile (default $XDG_DATA_HOME/permit/profiles/default)\n"
             "  --host-vocabulary FILE\n"
             "                  (list, show, approve) the host's words for its host.*\n"
             "                  capabilities; approve never grants one it does not list\n"
             "\n"
             "approve verifies the package first: against -p/-P, or the key pinned for\n"
             "its id, or, on its first install, the key its seal carries, which is then\n"
             "pinned (trust on first use). Without --allow/--deny/--required-only/--yes\n"
             "it asks on the terminal (or reads answers from stdin): each optional\n"
             "capability defaults to no; the required ones are accepted or refused as a\n"
             "whole. For an update it asks only about what is new or wider.\n"
             "\n"
             "Exit status: 0 done, 1 refused (verification failed, the user said no,\n"
             "unknown add-on), 2 usage error or unreadable input.\n"
             "\n"
             "Examples:\n"
             "  permit grants approve -p publisher.pub hello.ankiaddon\n"
             "  permit grants approve --required-only --allow sys.notify hello.ankiaddon\n"
             "  permit grants revoke org.example.hello net.connect:api.example.com");
}

const char *grants_time(int64_t t, char buf[32]) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (t <= 0 || !gmtime_r(&tt, &tm))
                snprintf(buf, 32, "never");
        else
                strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm);
        return buf;
}

static void print_decision_json(const grants_options *o, const permit_cap_decision *d, int64_t last_used) {
        fputs("{\"capability\":", stdout);
        tool_json_string(d->capability);
        if (o->vocabulary) {
                char warning[512];
                permit_risk risk = tool_warning(o->vocabulary, d->capability, warning, sizeof(warning));

                printf(",\"risk\":\"%s\",\"warning\":", permit_risk_name(risk));
                tool_json_string(warning);
                printf(",\"known_to_host\":%s",
                       permit_host_vocabulary_unknown(o->vocabulary, d->capability) ? "false" : "true");
        }
        printf(",\"granted\":%s,\"required\":%s,\"requested\":%s,\"by\":\"%s\",\"decided_at\":%lld", d->granted ? "true" : "false",
               d->required ? "true" : "false", d->requested ? "true" : "false", permit_decided_by_name(d->by),
               (long long) d->decided_at);
        if (last_used >= 0)
                printf(",\"last_used\":%lld", (long long) last_used);
        putchar('}');
}

static void print_record_json(const permit_store *s, const grants_options *o, const permit_record *r,
                              const permit_usage *u) {
        const char *key = NULL, *key_id = NULL;

        fputs("{\"id\":", stdout);
        tool_json_string(permit_record_id(r));
        fputs(",\"name\":", stdout);
        tool_json_string(permit_record_name(r));
        fputs(",\"version\":", stdout);
        tool_json_string(permit_record_version(r));
        fputs(",\"publisher\":", stdout);
        tool_json_string(permit_record_publisher(r));
        printf(",\"manifest_digest\":\"%s\",\"decided_at\":%lld", permit_record_manifest_digest(r),
               (long long) permit_record_decided_at(r));
        /* 0: not expired; never started */
        printf(",\"expired_at\":%lld,\"last_started\":%lld", (long long) permit_record_expired_at(r),
               (long long) permit_store_last_started(s, permit_record_id(r)));
        if (permit_store_pin_get(s, permit_record_id(r), &key, &key_id) == 0)
                printf(",\"key_id\":\"%s\",\"public_key\":\"%s\"", key_id, key);
        fputs(",\"capabilities\":[", stdout);
        for (size_t i = 0; i < permit_record_n_decisions(r); i++) {
                const permit_cap_decision *d = permit_record_decision(r, i);
                if (i)
                        putchar(',');
                print_decision_json(o, d, u ? permit_usage_last_used(u, d->capability) : -1);
        }
        fputs("]}", stdout);
}

static int do_list(const permit_store *s, const grants_options *o) {
        size_t n = permit_store_n_records(s);

        if (o->json) {
                putchar('[');
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                putchar(',');
                        print_record_json(s, o, permit_store_record(s, i), NULL);
                }
                puts("]");
                return EXIT_OK;
        }
        if (n == 0) {
                printf("No add-on has been approved in %s.\n", permit_store_profile(s));
                return EXIT_OK;
        }
        for (size_t i = 0; i < n; i++) {
                const permit_record *r = permit_store_record(s, i);
                size_t granted = 0, asked = 0;
                char when[32];

                for (size_t k = 0; k < permit_record_n_decisions(r); k++) {
                        const permit_cap_decision *d = permit_record_decision(r, k);
                        asked += d->requested;
                        granted += d->requested && d->granted;
                }
                printf("%s %s  (%s)\n  %zu of %zu capabilities granted, decided %s\n", permit_record_name(r),
                       permit_record_version(r), permit_record_id(r), granted, asked,
                       grants_time(permit_record_decided_at(r), when));
                if (permit_record_expired_at(r))
                        printf("  EXPIRED %s, unused: none is in force until approved again\n",
                               grants_time(permit_record_expired_at(r), when));
                for (size_t k = 0; k < permit_record_n_decisions(r); k++) {
                        const permit_cap_decision *d = permit_record_decision(r, k);
                        char warning[512];

                        if (!d->requested)
                                continue;
                        if (o->vocabulary) {
                                tool_warning(o->vocabulary, d->capability, warning, sizeof(warning));
                                printf("    %-7s %s: %s\n", d->granted ? "allowed" : "denied", d->capability, warning);
                        } else
                                printf("    %-7s %s\n", d->granted ? "allowed" : "denied", d->capability);
                }
        }
        return EXIT_OK;
}

/* What the installed version (PROFILE/addons/ID) asks for that no decision
 * covers yet: after an update that asks for more, those stay off until the
 * user approves them. Shown, not verified: the host verifies before it
 * runs anything, and nothing here is granted. */
static void show_waiting(const permit_store *s, const grants_options *o, const permit_record *r, const char *id) {
        permit_manifest *m = NULL;
        permit_decision *d = NULL;
        permit_error error = { 0 };
        char path[4096];
        size_t n = 0;

        if ((size_t) snprintf(path, sizeof(path), "%s/addons/%s/permit.json", permit_store_profile(s), id) >=
                    sizeof(path) ||
            permit_manifest_load(path, &m, &error) < 0)
                return; /* not installed here (or installed as a zip): nothing to add */
        if (strcmp(permit_manifest_id(m), id) == 0 && permit_decision_new(m, r, &d) >= 0)
                for (size_t i = 0; i < permit_decision_count(d); i++) {
                        const char *cap = permit_decision_capability(d, i);
                        char warning[512];

                        if (!permit_decision_is_new(d, i))
                                continue;
                        if (n++ == 0)
                                printf("\n  Installed: %s %s, which also asks for (not granted until approved with "
                                       "'permit grants approve'):\n",
                                       permit_manifest_name(m), permit_manifest_version(m));
                        printf("  waiting %s%s\n", cap, permit_decision_required(d, i) ? "" : " (optional)");
                        if (tool_warning(o->vocabulary, cap, warning, sizeof(warning)) >= 0 && warning[0])
                                printf("          %s\n", warning);
                }
        permit_decision_free(d);
        permit_manifest_free(m);
}

static int do_show(const permit_store *s, const grants_options *o, const char *id) {
        const permit_record *r = permit_store_find(s, id);
        const char *key = NULL, *key_id = NULL;
        permit_usage *u = NULL;
        int ret;

        if (!r) {
                tool_error("grants: no add-on '%s' in %s", id, permit_store_profile(s));
                return EXIT_REFUSED;
        }
        ret = permit_store_usage(s, id, &u);
        if (ret < 0)
                return tool_fail(ret, NULL, "audit.jsonl");
        if (o->json) {
                print_record_json(s, o, r, u);
                putchar('\n');
                permit_usage_free(u);
                return EXIT_OK;
        }
        {
                char when[32];
                printf("%s %s  (%s)\n  by %s\n  decided %s on manifest %.16s...\n", permit_record_name(r),
                       permit_record_version(r), id, permit_record_publisher(r),
                       grants_time(permit_record_decided_at(r), when), permit_record_manifest_digest(r));
        }
        if (permit_store_pin_get(s, id, &key, &key_id) == 0)
                printf("  publisher key %s (pinned)\n", key_id);
        {
                char when[32];
                printf("  last started %s\n", grants_time(permit_store_last_started(s, id), when));
                if (permit_record_expired_at(r))
                        printf("  EXPIRED %s, unused for longer than the host policy allows: none of these is in "
                               "force until you approve it again (permit grants approve)\n",
                               grants_time(permit_record_expired_at(r), when));
        }
        putchar('\n');
        for (size_t i = 0; i < permit_record_n_decisions(r); i++) {
                const permit_cap_decision *d = permit_record_decision(r, i);
                char warning[512], when[32], used[32];
                int risk = permit_host_vocabulary_warning(o->vocabulary, d->capability, warning, sizeof(warning));

                printf("  %-7s %s%s\n", d->granted ? "allowed" : "denied", d->capability,
                       d->requested ? (d->required ? "" : " (optional)") : " (no longer asked for)");
                if (risk >= 0 && warning[0])
                        printf("          %s\n", warning);
                printf("          decided by the %s %s; last used %s\n", permit_decided_by_name(d->by),
                       grants_time(d->decided_at, when), grants_time(permit_usage_last_used(u, d->capability), used));
        }
        show_waiting(s, o, r, id);
        permit_usage_free(u);
        return EXIT_OK;
}

static int do_revoke(permit_store *s, const char *id, const char *cap) {
        permit_error error = { 0 };
        int r = permit_store_revoke(s, id, cap, &error);

        if (r == -ENOENT) {
                tool_error("grants: %s", error.text);
                return EXIT_REFUSED;
        }
        if (r < 0)
                return tool_fail(r, &error, id);
        if (cap)
                printf("Revoked %s of %s.\n", cap, id);
        else
                printf("Revoked every capability of %s.\n", id);
        return EXIT_OK;
}

static int do_reset(permit_store *s, const grants_options *o, const char *id) {
        permit_error error = { 0 };
        int r = permit_store_reset(s, id, o->forget_key ? PERMIT_RESET_PIN : 0, &error);

        if (r == -ENOENT) {
                tool_error("grants: %s", error.text);
                return EXIT_REFUSED;
        }
        if (r < 0)
                return tool_fail(r, &error, id);
        printf("Forgot the decisions on %s%s.\n", id, o->forget_key ? " and its pinned key" : "");
        return EXIT_OK;
}

static int do_export(const permit_store *s, const grants_options *o) {
        char *text = NULL;
        size_t len = 0;
        int r = permit_store_export(s, &text, &len);

        if (r < 0)
                return tool_fail(r, NULL, "export");
        if (o->output) {
                FILE *f = fopen(o->output, "w");
                if (!f || fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF || fclose(f) != 0) {
                        r = -errno;
                        tool_error("grants: %s: %s", o->output, strerror(errno));
                        free(text);
                        return tool_exit_code(r);
                }
        } else
                puts(text);
        free(text);
        return EXIT_OK;
}

static int read_stream(FILE *f, char **ret, size_t *ret_len) {
        size_t len = 0, size = 0;
        char *buf = NULL;

        for (;;) {
                if (len + 4096 + 1 > size) {
                        char *nb;
                        if (size > PERMIT_STORE_MAX_FILE) {
                                free(buf);
                                return -EFBIG;
                        }
                        size = size ? size * 2 : 65536;
                        nb = realloc(buf, size);
                        if (!nb) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                size_t k = fread(buf + len, 1, 4096, f);
                len += k;
                if (k < 4096)
                        break;
        }
        if (ferror(f)) {
                free(buf);
                return -EIO;
        }
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        return 0;
}

static int do_import(permit_store *s, const char *file) {
        bool std_in = strcmp(file, "-") == 0;
        FILE *f = std_in ? stdin : fopen(file, "r");
        permit_error error = { 0 };
        char *text = NULL;
        size_t len = 0;
        int r;

        if (!f) {
                r = -errno;
                tool_error("grants: %s: %s", file, strerror(errno));
                return tool_exit_code(r);
        }
        r = read_stream(f, &text, &len);
        if (!std_in)
                fclose(f);
        if (r < 0) {
                tool_error("grants: %s: %s", file, strerror(-r));
                return tool_exit_code(r);
        }
        r = permit_store_import(s, text, len, std_in ? "stdin" : file, &error);
        free(text);
        if (r < 0)
                return tool_fail(r, &error, file);
        printf("Imported %s.\n", std_in ? "stdin" : file);
        return EXIT_OK;
}

static int do_expire(permit_store *s, const grants_options *o, const char *id) {
        permit_policy *p = NULL;
        permit_error error = { 0 };
        int r;

        r = permit_policy_load(o->policy, &p, &error);
        if (r < 0)
                return tool_fail(r, &error, o->policy);
        if (!permit_policy_expire_unused_days(p)) {
                permit_policy_free(p);
                tool_error("grants: %s: no expire_unused_days: nothing expires", o->policy);
                return EXIT_USAGE;
        }
        if (id && !permit_store_find(s, id)) {
                permit_policy_free(p);
                tool_error("grants: no add-on '%s' in %s", id, permit_store_profile(s));
                return EXIT_REFUSED;
        }
        r = permit_store_expire_unused(s, p, id, 0, &error);
        if (r < 0) {
                permit_policy_free(p);
                return tool_fail(r, &error, permit_store_dir(s));
        }
        printf("%d add-on%s expired (unused for more than %u days).\n", r, r == 1 ? "" : "s",
               permit_policy_expire_unused_days(p));
        permit_policy_free(p);
        return EXIT_OK;
}

/* Which options each action takes: the others are refused, not ignored. */
static bool options_fit(const char *action, const grants_options *o) {
        bool approve = strcmp(action, "approve") == 0;
        bool listing = approve || strcmp(action, "list") == 0 || strcmp(action, "show") == 0;

        if (o->json && !listing) {
                tool_error("grants: --json is for list, show and approve");
                return false;
        }
        if (!approve && (o->pubkey_file || o->pubkey_string || o->n_allow || o->n_deny || o->required_only || o->yes)) {
                tool_error("grants: -p, -P, --allow, --deny, --required-only and --yes are for approve");
                return false;
        }
        if (o->forget_key && strcmp(action, "reset") != 0) {
                tool_error("grants: --forget-key is for reset");
                return false;
        }
        if (o->vocabulary_file && !listing) {
                tool_error("grants: --host-vocabulary is for list, show and approve");
                return false;
        }
        if (o->output && strcmp(action, "export") != 0) {
                tool_error("grants: -o is for export");
                return false;
        }
        if ((o->policy != NULL) != (strcmp(action, "expire") == 0)) {
                tool_error("grants: expire needs --policy FILE, and --policy is for expire");
                return false;
        }
        return true;
}

static int add_arg(const char ***list, size_t *n, const char *arg) {
        const char **nl = realloc(*list, (*n + 2) * sizeof(*nl));

        if (!nl)
                return -ENOMEM;
        nl[(*n)++] = arg;
        nl[*n] = NULL;
        *list = nl;
        return 0;
}

int cmd_grants(int argc, char **argv) {
        static const struct option options[] = {
                { "profile", required_argument, NULL, 'R' },
                { "json", no_argument, NULL, 'J' },
                { "public-key", required_argument, NULL, 'p' },
                { "public-key-string", required_argument, NULL, 'P' },
                { "allow", required_argument, NULL, 'a' },
                { "deny", required_argument, NULL, 'd' },
                { "required-only", no_argument, NULL, 'r' },
                { "yes", no_argument, NULL, 'y' },
                { "forget-key", no_argument, NULL, 'F' },
                { "output", required_argument, NULL, 'o' },
                { "host-vocabulary", required_argument, NULL, 'V' },
                { "policy", required_argument, NULL, 'Y' },
                { "help", no_argument, NULL, 'h' },
                TOOL_LIMIT_OPTIONS,
                { 0 },
        };
        static const struct {
                const char *name;
                int min, max; /* operands after the action */
                const char *operands;
        } actions[] = {
                { "list", 0, 0, "" },      { "show", 1, 1, "ID" },     { "approve", 1, 1, "PACKAGE" },
                { "revoke", 1, 2, "ID [CAP]" }, { "reset", 1, 1, "ID" }, { "export", 0, 0, "" },
                { "import", 1, 1, "FILE" }, { "expire", 0, 1, "[ID]" },
        };
        grants_options o = { 0 };
        permit_store *s = NULL;
        permit_error error = { 0 };
        const char *action;
        int c, r, n_operands, ret = EXIT_USAGE;

        permit_package_limits_default(&o.limits);
        optind = 0;
        while ((c = getopt_long(argc, argv, "hp:P:o:y", options, NULL)) >= 0) {
                switch (c) {
                case 'R': o.profile = optarg; break;
                case 'J': o.json = true; break;
                case 'p': o.pubkey_file = optarg; break;
                case 'P': o.pubkey_string = optarg; break;
                case 'a':
                case 'd':
                        if (permit_capability_check(optarg, &error) < 0) {
                                tool_error("grants: --%s %s: %s", c == 'a' ? "allow" : "deny", optarg, error.text);
                                goto out;
                        }
                        if ((c == 'a' ? add_arg(&o.allow, &o.n_allow, optarg) : add_arg(&o.deny, &o.n_deny, optarg)) < 0)
                                goto out;
                        break;
                case 'r': o.required_only = true; break;
                case 'y': o.yes = true; break;
                case 'F': o.forget_key = true; break;
                case 'o': o.output = optarg; break;
                case 'V': o.vocabulary_file = optarg; break;
                case 'Y': o.policy = optarg; break;
                case 'h': help(); ret = EXIT_OK; goto out;
                default:
                        r = tool_limit_option(c, optarg, &o.limits);
                        if (r <= 0)
                                goto out;
                }
        }
        if (optind >= argc) {
                tool_error("grants needs an action: list, show, approve, revoke, reset, export, import or expire "
                           "(see --help)");
                goto out;
        }
        action = argv[optind];
        n_operands = argc - optind - 1;
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
                if (strcmp(action, actions[i].name) != 0)
                        continue;
                if (n_operands < actions[i].min || n_operands > actions[i].max) {
                        tool_error("grants %s needs %s (see --help)", action,
                                   actions[i].operands[0] ? actions[i].operands : "no operand");
                        goto out;
                }
                if (!options_fit(action, &o))
                        goto out;
                ret = tool_host_vocabulary_load(o.vocabulary_file, &o.vocabulary);
                if (ret != EXIT_OK)
                        goto out;
                ret = EXIT_USAGE;
                r = permit_store_open(o.profile, PERMIT_STORE_CREATE, &s, &error);
                if (r < 0) {
                        ret = tool_fail(r, &error, o.profile);
                        goto out;
                }
                const char *arg1 = n_operands > 0 ? argv[optind + 1] : NULL;
                const char *arg2 = n_operands > 1 ? argv[optind + 2] : NULL;
                if (strcmp(action, "list") == 0)
                        ret = do_list(s, &o);
                else if (strcmp(action, "show") == 0)
                        ret = do_show(s, &o, arg1);
                else if (strcmp(action, "approve") == 0)
                        ret = grants_approve(s, &o, arg1);
                else if (strcmp(action, "revoke") == 0)
                        ret = do_revoke(s, arg1, arg2);
                else if (strcmp(action, "reset") == 0)
                        ret = do_reset(s, &o, arg1);
                else if (strcmp(action, "export") == 0)
                        ret = do_export(s, &o);
                else if (strcmp(action, "expire") == 0)
                        ret = do_expire(s, &o, arg1);
                else
                        ret = do_import(s, arg1);
                goto out;
        }
        tool_error("grants: unknown action '%s' (see --help)", action);
out:
        permit_store_free(s);
        permit_host_vocabulary_free(o.vocabulary);
        free(o.allow);
        free(o.deny);
        return ret;
}
