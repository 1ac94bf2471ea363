/* SPDX-License-Identifier: MIT */
/* permit-consent, the application: options, then one window (the install
 * or update dialog, or the manager), then an exit code and one line of
 * JSON on stdout for the host that started it. */
#include <getopt.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "consent-private.h"

typedef struct app_state {
        consent_options *options;
        consent_request *request; /* install and update */
        consent_result *result;
        GtkWindow *win;
        char *message; /* an error opening the manager */
} app_state;

static void help(void) {
        puts(_("Usage: permit-consent [--profile DIR] [-p PUBKEY] PACKAGE\n"
               "       permit-consent --update [--profile DIR] [-p PUBKEY] [--installed OLD_PACKAGE] PACKAGE\n"
               "       permit-consent --manage [--profile DIR]\n"
               "\n"
               "Asks the user which capabilities an add-on may use, and records the\n"
               "decision in the profile's store. The package is verified first: with\n"
               "-p, else with the key pinned for the add-on, else (first install) with\n"
               "the seal's own key, which Allow then pins.\n"
               "\n"
               "  --profile DIR          the profile (default: $XDG_DATA_HOME/permit/profiles/default)\n"
               "  -p, --public-key FILE  the developer's public key file\n"
               "  --update               show only what an update asks for beyond what was decided\n"
               "  --installed PACKAGE    the installed version, when the store has no manifest for it\n"
               "  --manage               list installed add-ons and revoke what they may do\n"
               "  --host-vocabulary FILE the host's words for its host.* capabilities; one it\n"
               "                         does not list is never granted (a required one: refused)\n"
               "\n"
               "Prints one line of JSON on stdout, e.g.\n"
               "  {\"result\":\"allowed\",\"id\":\"org.example.hello\",\"granted\":[...],\"denied\":[...]}\n"
               "Exit status: 0 allowed or saved, 1 cancelled, 2 usage error or bad package.\n"
               "PERMIT_CONSENT_TIMEOUT_MS=N cancels after N milliseconds.\n"
               "\n"
               "Example:\n"
               "  permit-consent --profile ~/.local/share/anki/permit hello.ankiaddon"));
}

static void error_line(const char *message) {
        fprintf(stderr, "permit-consent: %s\n", message);
}

/* The JSON line and the exit code of a failure before or instead of a
 * window. */
static int fail(const char *message) {
        g_autoptr(consent_result) r = consent_result_new(CONSENT_RESULT_ERROR, NULL);
        g_autofree char *json = NULL;

        error_line(message);
        r->message = g_strdup(message);
        json = consent_result_json(r);
        puts(json);
        return CONSENT_EXIT_ERROR;
}

/* Parses argv into o. Returns -1 to go on, or an exit code. */
static int parse_options(int argc, char **argv, consent_options *o) {
        enum { OPT_PROFILE = 0x100, OPT_UPDATE, OPT_MANAGE, OPT_INSTALLED, OPT_VERSION, OPT_VOCABULARY };
        static const struct option options[] = {
                { "profile", required_argument, NULL, OPT_PROFILE },
                { "public-key", required_argument, NULL, 'p' },
                { "update", no_argument, NULL, OPT_UPDATE },
                { "manage", no_argument, NULL, OPT_MANAGE },
                { "installed", required_argument, NULL, OPT_INSTALLED },
                { "version", no_argument, NULL, OPT_VERSION },
                { "host-vocabulary", required_argument, NULL, OPT_VOCABULARY },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *timeout = getenv("PERMIT_CONSENT_TIMEOUT_MS");
        bool update = false, manage = false;
        int c;

        while ((c = getopt_long(argc, argv, "p:h", options, NULL)) >= 0) {
                switch (c) {
                case OPT_PROFILE: g_free(o->profile); o->profile = g_strdup(optarg); break;
                case 'p': g_free(o->pubkey_file); o->pubkey_file = g_strdup(optarg); break;
                case OPT_UPDATE: update = true; break;
                case OPT_MANAGE: manage = true; break;
                case OPT_INSTALLED: g_free(o->installed); o->installed = g_strdup(optarg); break;
                case OPT_VOCABULARY: g_free(o->host_vocabulary); o->host_vocabulary = g_strdup(optarg); break;
                case OPT_VERSION: puts("permit-consent " PERMIT_VERSION); return CONSENT_EXIT_OK;
                case 'h': help(); return CONSENT_EXIT_OK;
                default: return fail(_("unknown option or missing argument (see --help)"));
                }
        }
        if (update && manage) {
                return fail(_("--update and --manage do not go together"));
        }
        o->mode = manage ? CONSENT_MANAGE : update ? CONSENT_UPDATE : CONSENT_INSTALL;
        if (o->installed && o->mode != CONSENT_UPDATE) {
                return fail(_("--installed goes with --update"));
        }
        if (o->mode == CONSENT_MANAGE) {
                if (optind != argc || o->pubkey_file)
                        return fail(_("--manage takes no PACKAGE and no key (see --help)"));
        } else if (optind != argc - 1)
                return fail(_("needs one PACKAGE (see --help)"));
        else
                o->package = g_strdup(argv[optind]);
        if (timeout && *timeout) {
                char *end;
                unsigned long ms = strtoul(timeout, &end, 10);

                if (*end || ms == 0 || ms > G_MAXUINT) {
                        return fail(_("PERMIT_CONSENT_TIMEOUT_MS must be a number of milliseconds"));
                }
                o->timeout_ms = (guint) ms;
        }
        return -1;
}

static void on_done(consent_result *result, gpointer user_data) {
        app_state *st = user_data;

        consent_result_free(st->result);
        st->result = result;
        /* The host reads this line: say it now, not when the window has gone. */
        g_application_quit(g_application_get_default());
}

static gboolean on_timeout(gpointer user_data) {
        app_state *st = user_data;

        if (st->win)
                gtk_widget_activate_action(GTK_WIDGET(st->win),
                                           st->options->mode == CONSENT_MANAGE ? "manage.close" : "consent.cancel",
                                           NULL);
        return G_SOURCE_REMOVE;
}

static void on_activate(GtkApplication *app, gpointer user_data) {
        app_state *st = user_data;

        if (st->win) {
                gtk_window_present(st->win);
                return;
        }
        if (st->options->mode == CONSENT_MANAGE)
                st->win = consent_manager_new(app, st->options->profile, on_done, st, &st->message);
        else
                st->win = consent_dialog_new(app, st->request, on_done, st);
        if (!st->win) {
                g_application_quit(G_APPLICATION(app));
                return;
        }
        g_object_add_weak_pointer(G_OBJECT(st->win), (gpointer *) &st->win);
        if (st->options->timeout_ms)
                g_timeout_add(st->options->timeout_ms, on_timeout, st);
        gtk_window_present(st->win);
}

int consent_app_run(int argc, char **argv) {
        consent_options o = { 0 };
        app_state st = { .options = &o };
        g_autoptr(GtkApplication) app = NULL;
        g_autofree char *message = NULL;
        g_autofree char *json = NULL;
        permit_host_vocabulary *vocabulary = NULL;
        char *app_argv[] = { argv[0], NULL };
        int r;

        setlocale(LC_ALL, "");
        bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
        bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
        textdomain(GETTEXT_PACKAGE);

        r = parse_options(argc, argv, &o);
        if (r >= 0) {
                consent_options_clear(&o);
                return r;
        }
        if (o.host_vocabulary) {
                permit_error error = { 0 };
                char buf[1024];

                if (permit_host_vocabulary_load(o.host_vocabulary, &vocabulary, &error) < 0) {
                        r = fail(permit_error_string(&error, buf, sizeof(buf)));
                        consent_options_clear(&o);
                        return r;
                }
                consent_host_vocabulary_set(vocabulary);
        }
        /* A bad package is a line on stderr, never a window. */
        if (o.mode != CONSENT_MANAGE && consent_request_new(&o, &st.request, &message) < 0) {
                r = fail(message);
                consent_options_clear(&o);
                consent_host_vocabulary_set(NULL);
                permit_host_vocabulary_free(vocabulary);
                return r;
        }
        if (!gtk_init_check()) {
                r = fail(_("cannot open the display"));
                consent_request_free(st.request);
                consent_options_clear(&o);
                consent_host_vocabulary_set(NULL);
                permit_host_vocabulary_free(vocabulary);
                return r;
        }
        app = gtk_application_new("org.permit.Consent", G_APPLICATION_NON_UNIQUE);
        g_signal_connect(app, "activate", G_CALLBACK(on_activate), &st);
        g_application_run(G_APPLICATION(app), 1, app_argv);

        if (!st.result) {
                r = fail(st.message ? st.message : _("the window could not be shown"));
        } else {
                if (st.result->kind == CONSENT_RESULT_ERROR)
                        error_line(st.result->message);
                json = consent_result_json(st.result);
                puts(json);
                fflush(stdout);
                r = consent_result_exit_code(st.result);
        }
        if (st.win)
                gtk_window_destroy(st.win);
        consent_result_free(st.result);
        g_free(st.message);
        consent_request_free(st.request);
        consent_options_clear(&o);
        consent_host_vocabulary_set(NULL);
        permit_host_vocabulary_free(vocabulary);
        return r;
}
