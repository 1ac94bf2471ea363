/* SPDX-License-Identifier: MIT */
/* permit install ID / permit update [ID...]: from a registry, verified
 * (libpermit-registry), after consent, into the profile. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client-tool.h"

extern char **environ;

static void usage(FILE *f, bool update) {
        if (update)
                fputs("Usage: permit update [ID...] [--registry URL --registry-key PUBKEY] [OPTIONS...]\n"
                      "\n"
                      "Updates installed add-ons (all without ID) to the highest version their\n"
                      "registry lists, checked as 'permit install' checks them. Without\n"
                      "--registry, each add-on's own registry (recorded at install) is used.\n"
                      "An update asking for capabilities not approved before installs the new\n"
                      "files, but those capabilities stay off until approved (asked on a\n"
                      "terminal, by the dialog on a display, or by --allow/--required-only/--yes;\n"
                      "without any of those they wait for 'permit grants approve').\n",
                      f);
        else
                fputs("Usage: permit install ID --registry URL --registry-key PUBKEY [OPTIONS...]\n"
                      "\n"
                      "Installs add-on ID from a registry into the profile: fetches the signed\n"
                      "index (refusing an older one than seen before, or an expired one),\n"
                      "downloads the package with the index's size and digest enforced, checks\n"
                      "its seal by the key pinned for ID (or the key the registry lists on a\n"
                      "first install), the registry's countersignature and revocations, asks\n"
                      "for consent, and only then moves it into PROFILE/addons/ID.\n",
                      f);
        fputs("\n"
              "Options:\n"
              "      --registry URL         the registry (https://...; its index.json is URL/index.json)\n"
              "      --registry-key PUBKEY  the registry's public key (a file, or the key RW...)\n"
              "      --profile DIR          the profile (default: $XDG_DATA_HOME/permit/profiles/default)\n"
              "      --allow CAP, --deny CAP  decide an optional capability without asking\n"
              "      --required-only        accept the required capabilities, no optional ones\n"
              "      --yes                  accept the required capabilities (optional ones stay off)\n"
              "      --host-vocabulary FILE the host's words for its host.* capabilities (when asking)\n"
              "      --ca-file FILE         CA certificates for https (or $PERMIT_CA_FILE)\n"
              "      --allow-http-loopback  allow http to 127.0.0.0/8 and ::1 (test registries)\n"
              "      --timeout SECONDS      connect timeout and the longest stall (default 10 and 30)\n"
              "      --retries N            retries of transient failures (default 3)\n"
              "      --no-progress          no progress bar (shown only on a terminal anyway)\n"
              "      --json                 one JSON result line per add-on on stdout\n"
              "  -h, --help                 this help\n"
              "\n"
              "Without --allow/--deny/--required-only/--yes, the consent dialog\n"
              "(permit-consent) asks when a display is there, the terminal otherwise.\n"
              "\n"
              "Exit status: 0 done, 1 refused (verification failed, an attack was\n"
              "detected, consent refused), 2 usage, I/O or network error.\n"
              "\n"
              "Example:\n",
              f);
        if (update)
                fputs("  permit update --profile ~/.local/share/anki/permit\n", f);
        else
                fputs("  permit install org.example.hello --registry https://addons.example.org/ \\\n"
                      "      --registry-key registry.pub --required-only\n",
                      f);
}

/* permit-consent, when a display is there and it was built: $PERMIT_CONSENT
 * or on $PATH. */
static const char *gtk_consent(void) {
        const char *env = getenv("PERMIT_CONSENT");
        const char *path = getenv("PATH");
        static char buf[4096];

        if (!(getenv("DISPLAY") && *getenv("DISPLAY")) && !(getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY")))
                return NULL;
        if (env)
                return *env && access(env, X_OK) == 0 ? env : NULL;
        while (path && *path) {
                const char *colon = strchr(path, ':');
                size_t n = colon ? (size_t) (colon - path) : strlen(path);
                if (n && (size_t) snprintf(buf, sizeof(buf), "%.*s/permit-consent", (int) n, path) < sizeof(buf) &&
                    access(buf, X_OK) == 0)
                        return buf;
                path = colon ? colon + 1 : NULL;
        }
        return NULL;
}

/* The dialog decides and records (pin and decision) itself; it takes the
 * verified key as a file. */
static int run_gtk(const char *prog, const client_options *o, const permit_client_package *p, bool update) {
        const char *argv[12], *tmpdir = getenv("TMPDIR");
        char keyfile[4096];
        permit_pubkey *pk = NULL;
        size_t n = 0;
        pid_t pid;
        int fd, status, r;

        snprintf(keyfile, sizeof(keyfile), "%s/permit-key.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        fd = mkstemp(keyfile);
        if (fd < 0)
                return -1;
        close(fd);
        r = permit_pubkey_from_string(permit_client_package_key(p), &pk, NULL);
        if (r >= 0)
                r = permit_pubkey_save(pk, keyfile, 1);
        permit_pubkey_free(pk);
        if (r < 0) {
                unlink(keyfile);
                return -1;
        }

        argv[n++] = prog;
        if (update)
                argv[n++] = "--update";
        if (o->consent.profile) {
                argv[n++] = "--profile";
                argv[n++] = o->consent.profile;
        }
        if (o->consent.vocabulary_file) {
                argv[n++] = "--host-vocabulary";
                argv[n++] = o->consent.vocabulary_file;
        }
        argv[n++] = "-p";
        argv[n++] = keyfile;
        argv[n++] = permit_client_package_dir(p);
        argv[n] = NULL;
        r = posix_spawn(&pid, prog, NULL, NULL, (char **) argv, environ);
        while (r == 0 && waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        r = -1;
        unlink(keyfile);
        return r == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void print_json_result(const permit_client *c, const char *id, const char *version, const char *previous,
                              const char *status, const char *key_id, bool pinned, size_t undecided) {
        printf("{\"id\":");
        tool_json_string(id);
        printf(",\"version\":");
        tool_json_string(version);
        printf(",\"previous\":");
        if (previous)
                tool_json_string(previous);
        else
                fputs("null", stdout);
        printf(",\"status\":\"%s\",\"key_id\":", status);
        if (key_id)
                tool_json_string(key_id);
        else
                fputs("null", stdout);
        printf(",\"pinned\":%s,\"undecided\":%zu,", pinned ? "true" : "false", undecided);
        client_print_timings_json(c);
        puts("}");
}

/* The profile as the user should type it again: --profile, or the default. */
static const char *profile_path(const client_options *o, char buf[4096]) {
        char *def = NULL;

        if (o->consent.profile)
                return o->consent.profile;
        snprintf(buf, 4096, "%s", permit_store_default_profile(&def) >= 0 ? def : "PROFILE");
        free(def);
        return buf;
}

/* Is the listed version the one installed from this registry already? */
static bool up_to_date(const client_options *o, const permit_client *c, const char *id, const char **ret_version) {
        permit_client_state *st = NULL;
        permit_client_installed inst;
        permit_index_entry e;
        char path[4096];
        struct stat sb;
        bool same = false;

        if (permit_index_find(permit_client_index(c), id, NULL, &e) < 0)
                return false;
        if (permit_client_state_load(o->consent.profile, &st, NULL) >= 0 &&
            permit_client_state_find(st, id, &inst) >= 0 && strcmp(inst.version, e.version) == 0 &&
            strcmp(inst.seal_digest, e.seal_digest) == 0) {
                char buf[4096];
                same = (size_t) snprintf(path, sizeof(path), "%s/addons/%s", profile_path(o, buf), id) < sizeof(path) &&
                       lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
        }
        permit_client_state_free(st);
        *ret_version = e.version; /* points into the index */
        return same;
}

static int install_one(permit_client *c, const client_options *o, const char *id, const char *cmd) {
        FILE *out = o->consent.json ? stderr : stdout;
        permit_client_package *p = NULL;
        permit_store *s = NULL;
        permit_decision *d = NULL;
        permit_error error = { 0 };
        const permit_manifest *m;
        const permit_record *prev;
        const char *gtk, *listed = NULL;
        char *previous = NULL, profile_buf[4096];
        size_t n_new, undecided = 0;
        bool deferred = false, pinned;
        int r, ret;

        /* A revoked version is refused even when it is the one installed.
         * The index verified: when id is installed, the index is kept, so
         * that hosts refuse to start it too (permit_revocation_check()). */
        {
                permit_index_entry e;
                const char *reason = NULL;
                char path[4096];
                struct stat sb;
                if (permit_index_find(permit_client_index(c), id, NULL, &e) >= 0 &&
                    permit_index_entry_revoked(permit_client_index(c), &e, &reason)) {
                        if ((size_t) snprintf(path, sizeof(path), "%s/addons/%s", profile_path(o, profile_buf), id) <
                                    sizeof(path) &&
                            lstat(path, &sb) == 0) {
                                r = permit_client_record_index(c, &error);
                                if (r < 0)
                                        return client_fail(cmd, r, &error);
                        }
                        client_refuse(cmd, "%s %s is revoked by the registry: %s", id, e.version,
                                      reason ? reason : "no reason given");
                        return EXIT_REFUSED;
                }
        }
        if (up_to_date(o, c, id, &listed)) {
                r = permit_client_record_index(c, &error);
                if (r < 0)
                        return client_fail(cmd, r, &error);
                fprintf(out, "%s %s is installed and up to date.\n", id, listed);
                if (o->consent.json)
                        print_json_result(c, id, listed, listed, "up-to-date", NULL, false, 0);
                return EXIT_OK;
        }
        r = permit_client_prepare(c, id, &p, &error);
        if (r < 0)
                return client_fail(cmd, r, &error);
        m = permit_client_package_manifest(p);
        if (permit_client_package_installed_version(p)) {
                previous = strdup(permit_client_package_installed_version(p));
                if (!previous) {
                        ret = client_fail(cmd, -ENOMEM, NULL);
                        goto out;
                }
        }
        r = permit_store_open(o->consent.profile, 0, &s, &error);
        if (r < 0 && r != -ENOENT) {
                ret = client_fail(cmd, r, &error);
                goto out;
        }
        prev = s ? permit_store_find(s, id) : NULL;
        n_new = grants_n_new(s, m);
        pinned = permit_client_package_repins(p);

        if (prev && n_new == 0) {
                /* Nothing new: the earlier decisions carry over as they are. */
                r = permit_decision_new(m, prev, &d);
                if (r < 0) {
                        ret = client_fail(cmd, r, NULL);
                        goto out;
                }
        } else if (!grants_options_decide(&o->consent) && (gtk = gtk_consent())) {
                ret = run_gtk(gtk, o, p, prev != NULL);
                if (ret != 0) {
                        client_refuse(cmd, "%s: consent refused in the dialog: %s", id,
                                      previous ? "the installed version stays" : "nothing was installed");
                        ret = EXIT_REFUSED;
                        goto out;
                }
        } else if (prev && !grants_options_decide(&o->consent) && !isatty(STDIN_FILENO)) {
                deferred = true; /* no one to ask: the new capabilities stay off */
                undecided = n_new;
        } else {
                ret = grants_decide(s, &o->consent, m, permit_client_package_key_id(p), out, &d);
                if (ret != EXIT_OK) {
                        client_refuse(cmd, "%s %s: consent refused: %s", id, permit_manifest_version(m),
                                      previous ? "the installed version stays" : "nothing was installed");
                        goto out;
                }
        }
        permit_store_free(s);
        s = NULL;

        r = permit_client_commit(c, p, &error);
        if (r < 0) {
                ret = client_fail(cmd, r, &error);
                goto out;
        }
        if (d) {
                r = permit_store_open(o->consent.profile, PERMIT_STORE_CREATE, &s, &error);
                if (r >= 0)
                        r = permit_store_record_decision(s, d, &error);
                if (r < 0) {
                        ret = client_fail(cmd, r, &error);
                        goto out;
                }
                if (!prev || n_new > 0)
                        grants_print_recorded(out, m, d);
        }
        if (previous)
                fprintf(out, "Updated %s from %s to %s (sealed by key %s, countersigned by the registry).\n", id,
                        previous, permit_manifest_version(m), permit_client_package_key_id(p));
        else
                fprintf(out, "Installed %s %s (sealed by key %s, countersigned by the registry).\n", id,
                        permit_manifest_version(m), permit_client_package_key_id(p));
        if (pinned)
                fprintf(out, "Pinned key %s for %s: later versions must be sealed by it (or a key it rotates to).\n",
                        permit_client_package_key_id(p), id);
        if (deferred) {
                const char *profile = profile_path(o, profile_buf);
                fprintf(out, "%zu new capabilit%s stay%s off until approved: permit grants --profile %s approve "
                             "%s/addons/%s\n",
                        n_new, n_new == 1 ? "y" : "ies", n_new == 1 ? "s" : "", profile, profile, id);
        }
        if (o->consent.json)
                print_json_result(c, id, permit_manifest_version(m), previous, previous ? "updated" : "installed",
                                  permit_client_package_key_id(p), pinned, undecided);
        ret = EXIT_OK;
out:
        free(previous);
        permit_decision_free(d);
        permit_store_free(s);
        permit_client_package_free(p);
        return ret;
}

/* install_one() (c NULL: the index was refused, ret says how), and with
 * --json a result line for a failure too. */
static int install_report(permit_client *c, const client_options *o, const char *id, const char *cmd, int ret) {
        if (c)
                ret = install_one(c, o, id, cmd);
        if (ret != EXIT_OK && o->consent.json) {
                printf("{\"id\":");
                tool_json_string(id);
                printf(",\"status\":\"%s\",\"exit\":%d,\"error\":", ret == EXIT_REFUSED ? "refused" : "failed", ret);
                tool_json_string(client_last_failure());
                puts("}");
        }
        return ret;
}

/* Of two exit codes, the one to report: a refusal over an error. */
static int worse(int ret, int one) {
        if (one == EXIT_OK || ret == EXIT_REFUSED)
                return ret;
        return one;
}

static int run(int argc, char **argv, bool update) {
        static const struct option options[] = {
                CLIENT_REGISTRY_OPTIONS,
                CLIENT_CONSENT_OPTIONS,
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *cmd = update ? "update" : "install";
        client_options o;
        permit_client *c = NULL;
        permit_client_state *st = NULL;
        char *url = NULL;
        int opt, ret = EXIT_OK;

        if (client_options_init(&o, argc) < 0)
                return EXIT_USAGE;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                int k = client_option(&o, opt, optarg, cmd);
                if (k == 1)
                        continue;
                if (k == EXIT_USAGE) {
                        ret = EXIT_USAGE;
                        goto out;
                }
                if (opt == 'h') {
                        usage(stdout, update);
                        goto out;
                }
                tool_error("%s: unknown option or missing argument (see 'permit %s --help')", cmd, cmd);
                ret = EXIT_USAGE;
                goto out;
        }
        ret = client_options_load_vocabulary(&o);
        if (ret != EXIT_OK)
                goto out;
        if (!update) {
                if (optind + 1 != argc) {
                        tool_error("install: needs one add-on ID (see 'permit install --help')");
                        ret = EXIT_USAGE;
                        goto out;
                }
                ret = client_open(&o, NULL, NULL, cmd, &c);
                ret = install_report(c, &o, argv[optind], cmd, ret);
                goto out;
        }

        /* update: the ids given, or every add-on installed from a registry. */
        {
                permit_error error = { 0 };
                size_t n_ids = optind < argc ? (size_t) (argc - optind) : 0;
                int r = permit_client_state_load(o.consent.profile, &st, &error);
                if (r < 0) {
                        ret = client_fail(cmd, r, &error);
                        goto out;
                }
                if (!n_ids)
                        n_ids = permit_client_state_n_installed(st);
                if (!n_ids) {
                        fprintf(o.consent.json ? stderr : stdout, "No add-on installed from a registry.\n");
                        goto out;
                }
                for (size_t i = 0; i < n_ids; i++) {
                        permit_client_installed inst = { 0 };
                        const char *id;
                        int one;

                        if (optind < argc)
                                id = argv[optind + (int) i];
                        else {
                                permit_client_state_installed(st, i, &inst);
                                id = inst.id;
                        }
                        if (!o.registry && permit_client_state_find(st, id, &inst) < 0) {
                                tool_error("update: %s was not installed from a registry: give --registry and "
                                           "--registry-key", id);
                                ret = worse(ret, EXIT_USAGE);
                                continue;
                        }
                        /* One client (one index fetch) per registry. */
                        if (!c || (!o.registry && strcmp(url, inst.url) != 0)) {
                                permit_client_free(c);
                                c = NULL;
                                free(url);
                                url = strdup(o.registry ? o.registry : inst.url);
                                one = client_open(&o, o.registry ? NULL : inst.url,
                                                  o.registry ? NULL : inst.registry_key, cmd, &c);
                                if (one != EXIT_OK) {
                                        install_report(NULL, &o, id, cmd, one);
                                        ret = worse(ret, one);
                                        continue;
                                }
                        }
                        one = install_report(c, &o, id, cmd, EXIT_OK);
                        ret = worse(ret, one);
                }
        }
out:
        free(url);
        permit_client_state_free(st);
        permit_client_free(c);
        client_options_clear(&o);
        return ret;
}

int cmd_install(int argc, char **argv) {
        return run(argc, argv, false);
}

int cmd_update(int argc, char **argv) {
        return run(argc, argv, true);
}
