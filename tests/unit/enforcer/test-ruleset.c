/* SPDX-License-Identifier: MIT */
/* The ruleset compiler: a grant maps to exactly the expected Landlock rules,
 * seccomp variant and report, with the ABI capped at each version 0-7; bad
 * inputs are refused with the documented errors. The rules are read back
 * from the JSON report, the same one `permit run --report --json` prints. */
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "enforcer/enforcer-private.h"
#include "test-files.h"

typedef struct fixture {
        char *root, *addon, *data, *tmp, *home, *profile, *script;
} fixture;

static char *dir_at(const char *parent, const char *name) {
        char *p = test_join(parent, name);

        assert_int_equal(mkdir(p, 0700), 0);
        return p;
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));

        f->root = test_tempdir();
        f->addon = dir_at(f->root, "addon");
        f->data = dir_at(f->root, "data");
        f->tmp = dir_at(f->root, "tmp");
        f->home = dir_at(f->root, "home");
        free(dir_at(f->home, "Documents"));
        f->profile = dir_at(f->home, "profile");
        free(dir_at(f->profile, "permit"));
        free(dir_at(f->profile, "addons"));
        {
                char *notes = test_join(f->profile, "notes.txt");

                test_write_string(notes, "x");
                free(notes);
        }
        f->script = test_join(f->addon, "run.sh");
        test_write_string(f->script, "#!/bin/sh\necho hi\n");
        assert_int_equal(chmod(f->script, 0755), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        free(f->addon);
        free(f->data);
        free(f->tmp);
        free(f->home);
        free(f->profile);
        free(f->script);
        test_rm_rf(f->root);
        free(f);
        unsetenv("PERMIT_LANDLOCK_ABI");
        return 0;
}

static permit_paths paths_of(const fixture *f) {
        return (permit_paths) { .addon = f->addon, .data = f->data, .tmp = f->tmp, .home = f->home,
                                .profile = f->profile, .entry = "/bin/true" };
}

/* Compiles and returns the JSON report. */
static json_t *compile_json(const fixture *f, const char *const *caps, size_t n, unsigned abi, permit_ruleset **ret) {
        permit_paths p = paths_of(f);
        /* direct mode: these tests read the Landlock port rules that broker
         * mode (the default) never makes */
        permit_sandbox_options policy = { .landlock_abi_max = abi, .no_landlock = abi == 0, .net = PERMIT_NET_DIRECT };
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };
        char *text = NULL;
        json_t *j;
        int r;

        r = permit_ruleset_new(caps, n, &p, &policy, &rs, &error);
        if (r < 0)
                printf("# %s\n", error.text);
        assert_int_equal(r, 0);
        assert_int_equal(permit_ruleset_report(rs, true, &text), 0);
        j = json_loads(text, 0, NULL);
        assert_non_null(j);
        free(text);
        if (ret)
                *ret = rs;
        else
                permit_ruleset_free(rs);
        return j;
}

/* The rules granted for one purpose ("for"), as "PATH=right,right;...". */
static char *rules_for(json_t *j, const char *why) {
        json_t *fs = json_object_get(json_object_get(j, "landlock"), "fs"), *rule;
        char *buf = NULL;
        size_t len = 0, i;
        FILE *out = open_memstream(&buf, &len);

        json_array_foreach(fs, i, rule) {
                json_t *a;
                size_t k;

                if (strcmp(json_string_value(json_object_get(rule, "for")), why) != 0)
                        continue;
                fprintf(out, "%s=", json_string_value(json_object_get(rule, "path")));
                json_array_foreach(json_object_get(rule, "access"), k, a) fprintf(out, "%s%s", k ? "," : "",
                                                                                  json_string_value(a));
                fputc(';', out);
        }
        fclose(out);
        return buf;
}

static const char *status_of(json_t *j, const char *list, const char *key, const char *name) {
        json_t *e;
        size_t i;

        json_array_foreach(json_object_get(j, list), i, e) if (strcmp(json_string_value(json_object_get(e, key)), name) == 0)
                return json_string_value(json_object_get(e, "status"));
        return NULL;
}

static size_t array_size(json_t *j, const char *a, const char *b) {
        return json_array_size(json_object_get(json_object_get(j, a), b));
}

static bool has_string(json_t *array, const char *s) {
        json_t *e;
        size_t i;

        json_array_foreach(array, i, e) if (strcmp(json_string_value(e), s) == 0) return true;
        return false;
}

#define ASSERT_RULES(j, why, expected)                     \
        do {                                               \
                char *got_ = rules_for(j, why);            \
                if (strcmp(got_, expected) != 0)           \
                        printf("# got: %s\n", got_);       \
                assert_string_equal(got_, expected);       \
                free(got_);                                \
        } while (0)

static const char *WRITE7 = "write_file,read_file,read_dir,remove_dir,remove_file,make_dir,make_reg,make_sock,"
                            "make_fifo,make_sym,refer,truncate";

static void test_no_capability(void **state) {
        fixture *f = *state;
        json_t *j = compile_json(f, NULL, 0, 7, NULL);
        json_t *sc = json_object_get(j, "seccomp_filter");
        char expect[2048];

        /* $ADDON read-only, $DATA and $TMP writable, the entry executable. */
        snprintf(expect, sizeof(expect), "%s=read_file,read_dir;", f->addon);
        ASSERT_RULES(j, "$ADDON", expect);
        snprintf(expect, sizeof(expect), "%s=%s;", f->data, WRITE7);
        ASSERT_RULES(j, "$DATA", expect);
        snprintf(expect, sizeof(expect), "%s=%s;", f->tmp, WRITE7);
        ASSERT_RULES(j, "$TMP", expect);
        ASSERT_RULES(j, "entry", "/bin/true=execute,read_file;");
        /* The system table: read-only, nothing executable but the loader. */
        {
                char *sys = rules_for(j, "system");

                assert_non_null(strstr(sys, "/usr=read_file,read_dir;"));
                assert_non_null(strstr(sys, "/dev/null=write_file,read_file,truncate;"));
                assert_non_null(strstr(sys, "/lib64/ld-linux-x86-64.so.2=execute,read_file;"));
                assert_null(strstr(sys, "/usr=execute"));
                assert_null(strstr(sys, "/etc="));
                assert_null(strstr(sys, "/proc"));
                assert_null(strstr(sys, "/tmp="));
                free(sys);
        }
        /* No network: no port rule, both TCP rights handled; no socket family. */
        assert_int_equal(array_size(j, "landlock", "net"), 0);
        assert_int_equal(array_size(j, "landlock", "handled_net"), 2);
        assert_int_equal(array_size(j, "landlock", "scoped"), 2);
        assert_int_equal(json_array_size(json_object_get(sc, "socket_families")), 0);
        assert_false(json_is_true(json_object_get(sc, "memfd_create")));
        assert_true(json_is_true(json_object_get(sc, "installed")));
        assert_true(json_is_true(json_object_get(j, "fully_enforced")));
        assert_string_equal(status_of(j, "protections", "name", "network"), "enforced");
        assert_string_equal(status_of(j, "protections", "name", "signals"), "enforced");
        /* The home and the profile are not visible at all. */
        {
                json_t *fs = json_object_get(json_object_get(j, "landlock"), "fs"), *rule;
                size_t i;

                json_array_foreach(fs, i, rule) assert_null(strstr(json_string_value(json_object_get(rule, "path")),
                                                                    "/home"));
        }
        json_decref(j);
}

static void test_fs_grants(void **state) {
        fixture *f = *state;
        const char *caps[] = { "fs.read:$DOCUMENTS", "fs.write:$HOME/Documents", "fs.read:/etc/hostname",
                               "fs.read:$HOME/missing" };
        json_t *j = compile_json(f, caps, 4, 7, NULL);
        char expect[2048];

        snprintf(expect, sizeof(expect), "%s/Documents=read_file,read_dir;", f->home);
        ASSERT_RULES(j, "fs.read:$DOCUMENTS", expect);
        snprintf(expect, sizeof(expect), "%s/Documents=%s;", f->home, WRITE7);
        ASSERT_RULES(j, "fs.write:$HOME/Documents", expect);
        /* A file gets only the file rights. */
        ASSERT_RULES(j, "fs.read:/etc/hostname", "/etc/hostname=read_file;");
        ASSERT_RULES(j, "fs.read:$HOME/missing", "");
        snprintf(expect, sizeof(expect), "%s/missing", f->home);
        assert_true(has_string(json_object_get(json_object_get(j, "landlock"), "missing"), expect));
        assert_string_equal(status_of(j, "capabilities", "id", "fs.read:$DOCUMENTS"), "enforced");
        json_decref(j);
}

/* $PROFILE and anything holding it: every entry but permit/. */
static void test_profile_store_never_visible(void **state) {
        fixture *f = *state;
        const char *caps[] = { "fs.write:$PROFILE" };
        json_t *j = compile_json(f, caps, 1, 7, NULL);
        char *got = rules_for(j, "fs.write:$PROFILE"), expect[2048];

        snprintf(expect, sizeof(expect), "%s/notes.txt=write_file,read_file,truncate;", f->profile);
        assert_non_null(strstr(got, expect));
        assert_null(strstr(got, "profile/permit"));
        assert_null(strstr(got, "profile/addons")); /* the installed add-ons are hidden too */
        free(got);
        json_decref(j);

        {
                const char *home[] = { "fs.read:$HOME" };

                j = compile_json(f, home, 1, 7, NULL);
                got = rules_for(j, "fs.read:$HOME");
                snprintf(expect, sizeof(expect), "%s/Documents=read_file,read_dir;", f->home);
                assert_non_null(strstr(got, expect));
                snprintf(expect, sizeof(expect), "%s/notes.txt=read_file;", f->profile);
                assert_non_null(strstr(got, expect));
                assert_null(strstr(got, "profile/permit"));
                assert_null(strstr(got, "profile/addons"));
                /* the home itself is not a rule: it holds the store */
                snprintf(expect, sizeof(expect), "%s=", f->home);
                assert_true(strncmp(got, expect, strlen(expect)) != 0);
                free(got);
                json_decref(j);
        }
}

/* The other add-ons of the profile: their $DATA (PROFILE/data/OTHER) and
 * packages (PROFILE/addons/OTHER) are never visible under a grant that
 * contains them; this add-on's own, there too, are. */
static void test_other_addons_hidden(void **state) {
        fixture *f = *state;
        char *data = dir_at(f->profile, "data"), *mine = dir_at(data, "org.mine"), *other = dir_at(data, "org.other");
        char *addons = test_join(f->profile, "addons"), *pkg = dir_at(addons, "org.mine"), *opkg = dir_at(addons, "org.other");
        char *link = test_join(f->home, "other-data"), *got, expect[2048];
        const char *caps[] = { "fs.write:$HOME" };
        permit_paths p = paths_of(f);
        permit_sandbox_options policy = { .landlock_abi_max = 7 };
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };
        char *report = NULL;
        json_t *j;

        assert_int_equal(symlink(other, link), 0);
        p.data = mine;
        p.addon = pkg;
        assert_int_equal(permit_ruleset_new(caps, 1, &p, &policy, &rs, &error), 0);
        assert_int_equal(permit_ruleset_report(rs, true, &report), 0);
        j = json_loads(report, 0, NULL);
        assert_non_null(j);
        got = rules_for(j, "fs.write:$HOME");
        assert_null(strstr(got, "org.other"));
        assert_null(strstr(got, "other-data"));
        assert_null(strstr(got, "profile/permit"));
        /* this add-on's own, by the grant and by its $DATA / $ADDON rules */
        snprintf(expect, sizeof(expect), "%s/org.mine=", data);
        assert_non_null(strstr(got, expect));
        free(got);
        got = rules_for(j, "$DATA");
        assert_non_null(strstr(got, mine));
        free(got);
        json_decref(j);
        free(report);
        permit_ruleset_free(rs);
        free(data);
        free(mine);
        free(other);
        free(addons);
        free(pkg);
        free(opkg);
        free(link);
}

/* Links back up to a folder holding the store, or to the store: left out
 * (no loop, and the store stays invisible). */
static void test_profile_links(void **state) {
        fixture *f = *state;
        const char *caps[] = { "fs.read:$HOME" };
        char *loop = test_join(f->profile, "loop"), *store = test_join(f->profile, "permit"),
             *to_store = test_join(f->home, "store-link"), *got;
        json_t *j;

        assert_int_equal(symlink(f->home, loop), 0);
        assert_int_equal(symlink(store, to_store), 0);
        j = compile_json(f, caps, 1, 7, NULL);
        got = rules_for(j, "fs.read:$HOME");
        assert_null(strstr(got, "profile/permit"));
        assert_null(strstr(got, "/loop="));
        assert_null(strstr(got, "store-link"));
        free(got);
        json_decref(j);
        free(loop);
        free(store);
        free(to_store);
}

static void test_exec_and_script_interpreter(void **state) {
        fixture *f = *state;
        const char *caps[] = { "proc.exec:/usr/bin/ls" };
        permit_paths p = paths_of(f);
        permit_ruleset *rs = NULL;
        json_t *j = compile_json(f, caps, 1, 7, NULL);
        char *text = NULL;

        ASSERT_RULES(j, "proc.exec:/usr/bin/ls", "/usr/bin/ls=execute,read_file;");
        json_decref(j);

        /* A script entry: its #! interpreter may run too. */
        p.entry = f->script;
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, &rs, NULL), 0);
        assert_string_equal(permit_ruleset_entry(rs), f->script);
        assert_int_equal(permit_ruleset_report(rs, true, &text), 0);
        j = json_loads(text, 0, NULL);
        {
                char expect[2048];

                snprintf(expect, sizeof(expect), "%s=execute,read_file;/bin/sh=execute,read_file;", f->script);
                ASSERT_RULES(j, "entry", expect);
        }
        json_decref(j);
        free(text);
        permit_ruleset_free(rs);
}

static void test_network_grants(void **state) {
        fixture *f = *state;
        const char *caps[] = { "net.listen:8080", "net.connect:api.example.com:443" };
        json_t *j = compile_json(f, caps, 2, 7, NULL), *net, *sc;

        net = json_object_get(json_object_get(j, "landlock"), "net");
        assert_int_equal(json_array_size(net), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(net, 0), "port")), 8080);
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(net, 0), "access"), 0)),
                            "bind_tcp");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(net, 1), "port")), 443);
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(net, 1), "access"), 0)),
                            "connect_tcp");
        sc = json_object_get(j, "seccomp_filter");
        assert_true(has_string(json_object_get(sc, "socket_families"), "AF_INET"));
        assert_true(has_string(json_object_get(sc, "socket_families"), "AF_INET6"));
        assert_false(has_string(json_object_get(sc, "socket_families"), "AF_UNIX"));
        assert_string_equal(status_of(j, "capabilities", "id", "net.listen:8080"), "partly");
        assert_string_equal(status_of(j, "capabilities", "id", "net.connect:api.example.com:443"), "partly");
        assert_string_equal(status_of(j, "protections", "name", "network"), "enforced");
        json_decref(j);

        /* Without a port, connect is not handled by Landlock at all. */
        {
                const char *any[] = { "net.connect:api.example.com" };

                j = compile_json(f, any, 1, 7, NULL);
                assert_int_equal(array_size(j, "landlock", "handled_net"), 1);
                assert_int_equal(array_size(j, "landlock", "net"), 0);
                assert_string_equal(status_of(j, "protections", "name", "network"), "partly");
                json_decref(j);
        }
}

static void test_display_and_mediated(void **state) {
        fixture *f = *state;
        const char *caps[] = { "sys.display", "ipc.dbus:org.freedesktop.Notifications", "sys.clipboard:read",
                               "sys.notify", "fs.pick:read", "host.search" };
        json_t *j = compile_json(f, caps, 6, 7, NULL), *sc = json_object_get(j, "seccomp_filter");

        assert_true(has_string(json_object_get(sc, "socket_families"), "AF_UNIX"));
        assert_true(json_is_true(json_object_get(sc, "memfd_create")));
        /* the abstract unix scope is lifted for X11; signals stay scoped */
        assert_int_equal(array_size(j, "landlock", "scoped"), 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(j, "landlock"), "scoped"), 0)),
                            "signal");
        assert_string_equal(status_of(j, "capabilities", "id", "sys.display"), "partly");
        assert_string_equal(status_of(j, "capabilities", "id", "ipc.dbus:org.freedesktop.Notifications"), "enforced");
        assert_string_equal(status_of(j, "protections", "name", "unix sockets"), "partly");
        assert_string_equal(status_of(j, "protections", "name", "exec"), "enforced"); /* execveat by descriptor is denied */
        assert_false(json_is_true(json_object_get(j, "fully_enforced")));
        json_decref(j);

        /* ipc.dbus alone opens no unix socket (the host mediates it). */
        {
                const char *dbus[] = { "ipc.dbus:org.example.Service" };

                j = compile_json(f, dbus, 1, 7, NULL);
                assert_int_equal(json_array_size(json_object_get(json_object_get(j, "seccomp_filter"), "socket_families")),
                                 0);
                json_decref(j);
        }
}

/* Every ABI from 0 to 7: what is handled, and what the report says. */
static void test_abi_caps(void **state) {
        fixture *f = *state;
        const char *caps[] = { "net.listen:8080" };
        /* handled file-system rights per ABI: 13, +refer, +truncate, =, +ioctl_dev */
        const size_t fs_rights[] = { 0, 13, 14, 15, 15, 16, 16, 16 };

        if (permit_landlock_abi() < 7) {
                printf("# this kernel has Landlock ABI %u; the test needs 7\n", permit_landlock_abi());
                fail();
        }
        for (unsigned abi = 0; abi <= 7; abi++) {
                permit_ruleset *rs = NULL;
                json_t *j = compile_json(f, caps, 1, abi, &rs);
                json_t *ll = json_object_get(j, "landlock");
                char *data = rules_for(j, "$DATA");

                printf("# ABI %u\n", abi);
                assert_int_equal(permit_ruleset_landlock_abi(rs), abi);
                assert_int_equal(json_integer_value(json_object_get(j, "landlock_abi")), abi);
                assert_int_equal(json_array_size(json_object_get(ll, "handled_fs")), fs_rights[abi]);
                assert_int_equal(json_array_size(json_object_get(ll, "handled_net")), abi >= 4 ? 2 : 0);
                assert_int_equal(json_array_size(json_object_get(ll, "net")), abi >= 4 ? 1 : 0);
                assert_int_equal(json_array_size(json_object_get(ll, "scoped")), abi >= 6 ? 2 : 0);
                /* $DATA's rule holds only the rights the ABI handles */
                assert_true((strstr(data, "refer") != NULL) == (abi >= 2 || abi == 0));
                assert_true((strstr(data, "truncate") != NULL) == (abi >= 3 || abi == 0));
                free(data);
                assert_string_equal(status_of(j, "protections", "name", "filesystem"),
                                    abi >= 3 ? "enforced" : abi >= 1 ? "partly" : "not enforced");
                assert_string_equal(status_of(j, "protections", "name", "signals"),
                                    abi >= 6 ? "enforced" : "not enforced");
                assert_string_equal(status_of(j, "protections", "name", "device ioctl"),
                                    abi >= 5 ? "enforced" : abi >= 1 ? "partly" : "not enforced");
                assert_string_equal(status_of(j, "protections", "name", "network"),
                                    abi >= 4 ? "enforced" : "not enforced");
                assert_string_equal(status_of(j, "capabilities", "id", "net.listen:8080"),
                                    abi >= 4 ? "partly" : "not enforced");
                assert_false(permit_ruleset_fully_enforced(rs)); /* net.listen is partly, always */
                json_decref(j);
                permit_ruleset_free(rs);

                /* With no capability, fully enforced from ABI 6 on. */
                j = compile_json(f, NULL, 0, abi, &rs);
                assert_true(permit_ruleset_fully_enforced(rs) == (abi >= 6));
                json_decref(j);
                permit_ruleset_free(rs);
        }
}

static void test_abi_environment(void **state) {
        fixture *f = *state;
        permit_paths p = paths_of(f);
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };

        setenv("PERMIT_LANDLOCK_ABI", "3", 1);
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, &rs, NULL), 0);
        assert_int_equal(permit_ruleset_landlock_abi(rs), 3);
        permit_ruleset_free(rs);
        /* the lower of the policy and the environment wins */
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, &(permit_sandbox_options) { .landlock_abi_max = 2 }, &rs, NULL), 0);
        assert_int_equal(permit_ruleset_landlock_abi(rs), 2);
        permit_ruleset_free(rs);
        setenv("PERMIT_LANDLOCK_ABI", "0", 1);
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, &rs, NULL), 0);
        assert_int_equal(permit_ruleset_landlock_abi(rs), 0);
        permit_ruleset_free(rs);
        setenv("PERMIT_LANDLOCK_ABI", "9", 1);
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, &rs, &error), -EINVAL);
        assert_string_equal(error.text, "PERMIT_LANDLOCK_ABI must be 0-7");
        setenv("PERMIT_LANDLOCK_ABI", "x", 1);
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, &rs, &error), -EINVAL);
        unsetenv("PERMIT_LANDLOCK_ABI");
}

static void expect_error(const char *const *caps, size_t n, const permit_paths *p, const permit_sandbox_options *policy, int want,
                         const char *text) {
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };

        assert_int_equal(permit_ruleset_new(caps, n, p, policy, &rs, &error), want);
        assert_null(rs);
        if (text) {
                if (!strstr(error.text, text))
                        printf("# error: %s\n", error.text);
                assert_non_null(strstr(error.text, text));
        }
}

static void test_bad_inputs(void **state) {
        fixture *f = *state;
        permit_paths p = paths_of(f), q;
        const char *bad[] = { "made.up" }, *noarg[] = { "fs.read" }, *profile[] = { "fs.read:$PROFILE" },
                   *nulls[] = { NULL };
        char *notexec = test_join(f->addon, "notes");

        expect_error(bad, 1, &p, NULL, -EINVAL, "unknown kind 'made.up'");
        expect_error(noarg, 1, &p, NULL, -EINVAL, "fs.read needs a path");
        expect_error(nulls, 1, &p, NULL, -EINVAL, "NULL capability");
        q = p;
        q.profile = NULL;
        expect_error(profile, 1, &q, NULL, -EINVAL, "no folder for $PROFILE");
        q = p;
        q.data = "relative/data";
        expect_error(NULL, 0, &q, NULL, -EINVAL, "not an absolute path");
        q = p;
        q.entry = "permit-no-such-program";
        expect_error(NULL, 0, &q, NULL, -ENOENT, "permit-no-such-program");
        test_write_string(notexec, "x");
        q.entry = notexec;
        expect_error(NULL, 0, &q, NULL, -EACCES, NULL);
        free(notexec);
        q.entry = "/etc";
        expect_error(NULL, 0, &q, NULL, -EACCES, NULL);
        expect_error(NULL, 0, &p, &(permit_sandbox_options) { .landlock_abi_max = 8 }, -EINVAL, "permit knows 1-7");
        assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(permit_ruleset_new(NULL, 2, &p, NULL, &(permit_ruleset *) { NULL }, NULL), -EINVAL);
        assert_int_equal(permit_ruleset_report(NULL, false, &(char *) { NULL }), -EINVAL);
        assert_false(permit_ruleset_fully_enforced(NULL));
        assert_null(permit_ruleset_entry(NULL));
        permit_ruleset_free(NULL);
}

/* The filters built at build time are what libseccomp builds now. */
static void test_prebuilt_filters(void **state) {
        for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
                const struct sock_filter *pre = NULL;
                struct sock_filter *now = NULL;
                unsigned short pre_len = 0, now_len = 0;

                assert_true(seccomp_prebuilt(v, &pre, &pre_len));
                assert_int_equal(seccomp_compile(v, &now, &now_len, NULL), 0);
                assert_int_equal(pre_len, now_len);
                assert_memory_equal(pre, now, now_len * sizeof(*now));
                free(now);
        }
}

static void test_reports(void **state) {
        fixture *f = *state;
        const char *caps[] = { "fs.read:$DOCUMENTS" };
        permit_ruleset *rs = NULL;
        char *text = NULL;
        json_t *j = compile_json(f, caps, 1, 5, &rs);

        json_decref(j);
        assert_int_equal(permit_ruleset_report(rs, false, &text), 0);
        assert_non_null(strstr(text, "Landlock ABI 5 (kernel: "));
        assert_non_null(strstr(text, "NOT fully enforced"));
        assert_non_null(strstr(text, "  fs.read:$DOCUMENTS "));
        assert_non_null(strstr(text, "  signals                not enforced  none: Landlock ABI 5 < 6"));
        free(text);
        permit_ruleset_free(rs);

        assert_int_equal(permit_doctor_report(false, &text), 0);
        assert_non_null(strstr(text, "Landlock: yes, ABI 7"));
        assert_non_null(strstr(text, "seccomp: yes"));
        free(text);
        assert_int_equal(permit_doctor_report(true, &text), 0);
        j = json_loads(text, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(j, "landlock_abi")), permit_landlock_abi());
        assert_true(json_is_true(json_object_get(j, "seccomp")));
        assert_int_equal(json_array_size(json_object_get(j, "landlock_features")), 7);
        json_decref(j);
        free(text);
        assert_int_equal(permit_doctor_report(false, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_no_capability, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fs_grants, setup, teardown),
                cmocka_unit_test_setup_teardown(test_profile_store_never_visible, setup, teardown),
                cmocka_unit_test_setup_teardown(test_profile_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_other_addons_hidden, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exec_and_script_interpreter, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_grants, setup, teardown),
                cmocka_unit_test_setup_teardown(test_display_and_mediated, setup, teardown),
                cmocka_unit_test_setup_teardown(test_abi_caps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_abi_environment, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
                cmocka_unit_test(test_prebuilt_filters),
                cmocka_unit_test_setup_teardown(test_reports, setup, teardown),
        };

        return cmocka_run_group_tests_name("enforcer-ruleset", tests, NULL, NULL);
}
