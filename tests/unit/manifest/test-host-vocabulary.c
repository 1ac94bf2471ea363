/* SPDX-License-Identifier: MIT */
/* A host's vocabulary file: what it accepts, every way it refuses (with the
 * file and JSON path named), and the warnings it gives. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "permit/host-vocabulary.h"

#define GOOD                                                                                                  \
        "{\"version\": 1, \"host\": \"Notes\", \"capabilities\": ["                                          \
        "{\"id\": \"host.store_data\", \"warning\": \"Save its own notes in your notebook\", \"risk\": \"low\"}," \
        "{\"id\": \"host.read_notes\", \"warning\": \"Read all your notes\", \"risk\": \"high\"}]}"

static permit_host_vocabulary *good(void) {
        permit_host_vocabulary *v = NULL;
        permit_error e = { 0 };

        assert_int_equal(permit_host_vocabulary_parse(GOOD, strlen(GOOD), "v.json", &v, &e), 0);
        return v;
}

static void test_good(void **state) {
        permit_host_vocabulary *v = good();
        const char *id, *warning;
        permit_risk risk;

        assert_string_equal(permit_host_vocabulary_host(v), "Notes");
        assert_int_equal(permit_host_vocabulary_count(v), 2);
        assert_int_equal(permit_host_vocabulary_get(v, 1, &id, &warning, &risk), 0);
        assert_string_equal(id, "host.read_notes");
        assert_string_equal(warning, "Read all your notes");
        assert_int_equal(risk, PERMIT_RISK_HIGH);
        assert_int_equal(permit_host_vocabulary_get(v, 0, NULL, NULL, NULL), 0);
        assert_int_equal(permit_host_vocabulary_get(v, 2, &id, NULL, NULL), -ENOENT);
        assert_int_equal(permit_host_vocabulary_get(NULL, 0, &id, NULL, NULL), -ENOENT);
        assert_null(permit_host_vocabulary_host(NULL));
        assert_int_equal(permit_host_vocabulary_count(NULL), 0);
        permit_host_vocabulary_free(v);
        permit_host_vocabulary_free(NULL);
}

static void test_empty_list(void **state) {
        const char *s = "{\"version\":1,\"host\":\"H\",\"capabilities\":[]}";
        permit_host_vocabulary *v = NULL;

        assert_int_equal(permit_host_vocabulary_parse(s, strlen(s), NULL, &v, NULL), 0);
        assert_int_equal(permit_host_vocabulary_count(v), 0);
        assert_true(permit_host_vocabulary_unknown(v, "host.anything"));
        permit_host_vocabulary_free(v);
}

/* Parses s and expects failure r with "v.json: PATH: TEXT..." as the
 * beginning of the error string. */
static void refused_n(const char *s, size_t len, int r, const char *want) {
        permit_host_vocabulary *v = NULL;
        permit_error e = { 0 };
        char buf[1024];

        assert_int_equal(permit_host_vocabulary_parse(s, len, "v.json", &v, &e), r);
        assert_null(v);
        permit_error_string(&e, buf, sizeof(buf));
        if (strncmp(buf, want, strlen(want)) != 0)
                fail_msg("\n got:  %s\n want: %s...", buf, want);
}

static void refused(const char *s, int r, const char *want) {
        refused_n(s, strlen(s), r, want);
}

#define HEAD "{\"version\":1,\"host\":\"H\",\"capabilities\":["
#define ENTRY(id, warning, risk) "{\"id\":\"" id "\",\"warning\":\"" warning "\",\"risk\":\"" risk "\"}"

static void test_top_level(void **state) {
        refused("", -EINVAL, "v.json");
        refused("[]", -EINVAL, "v.json");
        refused("{\"version\":1,\"host\":\"H\",\"capabilities\":[]} x", -EINVAL, "v.json");
        refused("{\"host\":\"H\",\"capabilities\":[]}", -EINVAL, "v.json: version: missing");
        refused("{\"version\":\"1\",\"host\":\"H\",\"capabilities\":[]}", -EINVAL, "v.json: version: must be an integer");
        refused("{\"version\":2,\"host\":\"H\",\"capabilities\":[]}", -EPROTONOSUPPORT, "v.json: version: unknown version 2");
        refused("{\"version\":1,\"host\":\"H\",\"capabilities\":[],\"extra\":1}", -EINVAL, "v.json: extra: unknown field");
        refused("{\"version\":1,\"capabilities\":[]}", -EINVAL, "v.json: host: missing");
        refused("{\"version\":1,\"host\":7,\"capabilities\":[]}", -EINVAL, "v.json: host: must be a string");
        refused("{\"version\":1,\"host\":\"\",\"capabilities\":[]}", -EINVAL, "v.json: host: must not be empty");
        refused("{\"version\":1,\"host\":\"H\\u202e\",\"capabilities\":[]}", -EINVAL,
                "v.json: host: contains a control or formatting character (U+202E)");
        refused("{\"version\":1,\"host\":\"H\"}", -EINVAL, "v.json: capabilities: missing");
        refused("{\"version\":1,\"host\":\"H\",\"capabilities\":{}}", -EINVAL, "v.json: capabilities: must be an array");
        refused("{\"version\":1,\"host\":\"H\",\"host\":\"I\",\"capabilities\":[]}", -EINVAL, "v.json");
}

static void test_host_too_long(void **state) {
        char s[512];

        snprintf(s, sizeof(s), "{\"version\":1,\"host\":\"%065d\",\"capabilities\":[]}", 0);
        refused(s, -EINVAL, "v.json: host: too long (65 bytes, at most 64)");
        snprintf(s, sizeof(s), "{\"version\":1,\"host\":\"%064d\",\"capabilities\":[]}", 0);
        {
                permit_host_vocabulary *v = NULL;
                assert_int_equal(permit_host_vocabulary_parse(s, strlen(s), NULL, &v, NULL), 0);
                permit_host_vocabulary_free(v);
        }
}

static void test_entries(void **state) {
        refused(HEAD "7]}", -EINVAL, "v.json: capabilities[0]: must be an object");
        refused(HEAD ENTRY("host.a", "W", "low") ",{\"id\":\"host.b\",\"warning\":\"W\",\"risk\":\"low\",\"argument\":\"x\"}]}",
                -EINVAL, "v.json: capabilities[1].argument: unknown field");
        refused(HEAD "{\"warning\":\"W\",\"risk\":\"low\"}]}", -EINVAL, "v.json: capabilities[0].id: missing");
        refused(HEAD "{\"id\":\"host.a\",\"risk\":\"low\"}]}", -EINVAL, "v.json: capabilities[0].warning: missing");
        refused(HEAD "{\"id\":\"host.a\",\"warning\":\"W\"}]}", -EINVAL, "v.json: capabilities[0].risk: missing");
        refused(HEAD "{\"id\":1,\"warning\":\"W\",\"risk\":\"low\"}]}", -EINVAL,
                "v.json: capabilities[0].id: must be a string");
        refused(HEAD "{\"id\":\"host.a\",\"warning\":[],\"risk\":\"low\"}]}", -EINVAL,
                "v.json: capabilities[0].warning: must be a string");
        refused(HEAD "{\"id\":\"host.a\",\"warning\":\"W\",\"risk\":2}]}", -EINVAL,
                "v.json: capabilities[0].risk: must be a string");
}

static void test_ids(void **state) {
        refused(HEAD ENTRY("fs.read:/", "W", "low") "]}", -EINVAL,
                "v.json: capabilities[0].id: 'fs.read:/' is not a host capability (host.NAME)");
        refused(HEAD ENTRY("sys.notify", "W", "low") "]}", -EINVAL,
                "v.json: capabilities[0].id: 'sys.notify' is not a host capability");
        refused(HEAD ENTRY("host.", "W", "low") "]}", -EINVAL, "v.json: capabilities[0].id: unknown kind");
        refused(HEAD ENTRY("host.Big", "W", "low") "]}", -EINVAL,
                "v.json: capabilities[0].id: invalid host feature name 'Big'");
        refused(HEAD ENTRY("host.a:b", "W", "low") "]}", -EINVAL,
                "v.json: capabilities[0].id: 'host.a:b' has an argument");
        refused(HEAD ENTRY("host.a", "W", "low") "," ENTRY("host.b", "W", "low") "," ENTRY("host.a", "X", "high") "]}",
                -EINVAL, "v.json: capabilities[2].id: duplicate of capabilities[0].id ('host.a')");
        /* 65 bytes of feature name: one over */
        refused(HEAD ENTRY("host.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "W", "low") "]}",
                -EINVAL, "v.json: capabilities[0].id: invalid host feature name");
        /* A NUL inside the string: jansson would stop the C string there. */
        refused(HEAD "{\"id\":\"host.a\\u0000b\",\"warning\":\"W\",\"risk\":\"low\"}]}", -EINVAL,
                "v.json");
}

static void test_warnings_and_risks(void **state) {
        char s[1024], w[256];

        refused(HEAD ENTRY("host.a", "", "low") "]}", -EINVAL, "v.json: capabilities[0].warning: must not be empty");
        refused(HEAD ENTRY("host.a", "line\\nbreak", "low") "]}", -EINVAL,
                "v.json: capabilities[0].warning: contains a control or formatting character (U+000A)");
        refused(HEAD ENTRY("host.a", "W\\u2067", "low") "]}", -EINVAL,
                "v.json: capabilities[0].warning: contains a control or formatting character (U+2067)");
        memset(w, 'x', 201);
        w[201] = '\0';
        snprintf(s, sizeof(s), HEAD "{\"id\":\"host.a\",\"warning\":\"%s\",\"risk\":\"low\"}]}", w);
        refused(s, -EINVAL, "v.json: capabilities[0].warning: too long (201 bytes, at most 200)");
        refused(HEAD ENTRY("host.a", "W", "none") "]}", -EINVAL,
                "v.json: capabilities[0].risk: unknown risk 'none' (low, medium, high or critical)");
        refused(HEAD ENTRY("host.a", "W", "HIGH") "]}", -EINVAL, "v.json: capabilities[0].risk: unknown risk 'HIGH'");
        refused(HEAD ENTRY("host.a", "W", "") "]}", -EINVAL, "v.json: capabilities[0].risk: unknown risk ''");
}

static void test_not_utf8(void **state) {
        static const char s[] = HEAD "{\"id\":\"host.a\",\"warning\":\"W\xff\",\"risk\":\"low\"}]}";

        refused_n(s, sizeof(s) - 1, -EINVAL, "v.json");
}

static void test_too_many(void **state) {
        size_t size = 64 * (PERMIT_HOST_VOCABULARY_MAX_CAPABILITIES + 2), len;
        char *s = malloc(size);

        assert_non_null(s);
        len = (size_t) snprintf(s, size, HEAD);
        for (int i = 0; i <= PERMIT_HOST_VOCABULARY_MAX_CAPABILITIES; i++)
                len += (size_t) snprintf(s + len, size - len, "%s" ENTRY("host.f%d", "W", "low"), i ? "," : "", i);
        snprintf(s + len, size - len, "]}");
        refused(s, -EINVAL, "v.json: capabilities: more than 256 entries");
        free(s);
}

static void test_too_large(void **state) {
        size_t len = PERMIT_HOST_VOCABULARY_MAX_SIZE + 1;
        char *s = calloc(1, len + 1);

        assert_non_null(s);
        memset(s, ' ', len);
        refused_n(s, len, -EFBIG, "v.json: larger than");
        free(s);
}

static void test_bad_arguments(void **state) {
        permit_host_vocabulary *v = NULL;

        assert_int_equal(permit_host_vocabulary_parse(NULL, 0, NULL, &v, NULL), -EINVAL);
        assert_int_equal(permit_host_vocabulary_parse("{}", 2, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(permit_host_vocabulary_load(NULL, &v, NULL), -EINVAL);
        assert_int_equal(permit_host_vocabulary_load("/x", NULL, NULL), -EINVAL);
        /* an error pointer is optional */
        assert_int_equal(permit_host_vocabulary_parse("{", 1, NULL, &v, NULL), -EINVAL);
}

static void test_load(void **state) {
        char dir[] = "/tmp/permit-hv.XXXXXX", path[128], buf[512];
        permit_host_vocabulary *v = NULL;
        permit_error e = { 0 };
        int fd;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/missing.json", dir);
        assert_int_equal(permit_host_vocabulary_load(path, &v, &e), -ENOENT);
        assert_string_equal(e.source, path);
        assert_int_equal(permit_host_vocabulary_load(dir, &v, &e), -EISDIR);

        snprintf(path, sizeof(path), "%s/v.json", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, GOOD, strlen(GOOD)), (ssize_t) strlen(GOOD));
        close(fd);
        assert_int_equal(permit_host_vocabulary_load(path, &v, &e), 0);
        assert_string_equal(permit_host_vocabulary_host(v), "Notes");
        permit_host_vocabulary_free(v);
        v = NULL;

        fd = open(path, O_WRONLY | O_TRUNC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, HEAD "]", strlen(HEAD "]")), (ssize_t) strlen(HEAD "]"));
        close(fd);
        memset(&e, 0, sizeof(e));
        assert_int_equal(permit_host_vocabulary_load(path, &v, &e), -EINVAL);
        permit_error_string(&e, buf, sizeof(buf));
        assert_true(strncmp(buf, path, strlen(path)) == 0);
        unlink(path);
        rmdir(dir);
}

static void test_warning_text(void **state) {
        permit_host_vocabulary *v = good();
        char buf[256];

        assert_int_equal(permit_host_vocabulary_warning(v, "host.read_notes", buf, sizeof(buf)), PERMIT_RISK_HIGH);
        assert_string_equal(buf, "Read all your notes");
        assert_int_equal(permit_host_vocabulary_warning(v, "host.store_data:recipes", buf, sizeof(buf)),
                         PERMIT_RISK_LOW);
        assert_string_equal(buf, "Save its own notes in your notebook, recipes");
        assert_int_equal(permit_host_vocabulary_warning(v, "host.steal", buf, sizeof(buf)), PERMIT_RISK_NONE);
        assert_string_equal(buf, "Use host.steal, which Notes does not know (it cannot be granted)");
        /* other kinds: the system's words */
        assert_int_equal(permit_host_vocabulary_warning(v, "sys.clipboard:read", buf, sizeof(buf)),
                         PERMIT_RISK_MEDIUM);
        assert_string_equal(buf, "Read your clipboard");
        /* no vocabulary: the generic text */
        assert_int_equal(permit_host_vocabulary_warning(NULL, "host.read_notes", buf, sizeof(buf)),
                         PERMIT_RISK_MEDIUM);
        assert_string_equal(buf, "Use the host's read_notes feature");
        /* errors */
        assert_int_equal(permit_host_vocabulary_warning(v, "made.up", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(permit_host_vocabulary_warning(v, NULL, buf, sizeof(buf)), -EINVAL);
        assert_int_equal(permit_host_vocabulary_warning(v, "host.read_notes", buf, 5), -ENOBUFS);
        assert_int_equal(permit_host_vocabulary_warning(v, "host.steal", buf, 5), -ENOBUFS);
        assert_int_equal(permit_host_vocabulary_warning(v, "host.read_notes", NULL, 0), -ENOBUFS);
        permit_host_vocabulary_free(v);
}

static void test_unknown(void **state) {
        permit_host_vocabulary *v = good();

        assert_false(permit_host_vocabulary_unknown(v, "host.read_notes"));
        assert_false(permit_host_vocabulary_unknown(v, "host.store_data:x"));
        assert_true(permit_host_vocabulary_unknown(v, "host.steal"));
        assert_true(permit_host_vocabulary_unknown(v, "host.steal:x"));
        assert_false(permit_host_vocabulary_unknown(v, "fs.read:$HOME"));
        assert_false(permit_host_vocabulary_unknown(v, "made.up"));
        assert_false(permit_host_vocabulary_unknown(v, NULL));
        assert_false(permit_host_vocabulary_unknown(NULL, "host.steal"));
        permit_host_vocabulary_free(v);
}

static void test_warnings_list(void **state) {
        permit_host_vocabulary *v = good();
        permit_capability caps[] = {
                { .id = "host.store_data", .required = true, .reason = "" },
                { .id = "host.read_notes", .required = false, .reason = "search" },
                { .id = "host.steal", .required = false, .reason = "" },
                { .id = "sys.clipboard:read", .required = false, .reason = "" },
        };
        permit_warnings *w = NULL;

        assert_int_equal(permit_warnings_new_for_host(caps, 4, v, &w), 0);
        assert_int_equal(permit_warnings_count(w), 4);
        assert_int_equal(permit_warnings_max_risk(w), PERMIT_RISK_HIGH);
        assert_string_equal(permit_warnings_get(w, 0)->text, "Read all your notes");
        assert_string_equal(permit_warnings_get(w, 1)->text, "Read your clipboard");
        assert_string_equal(permit_warnings_get(w, 2)->text, "Save its own notes in your notebook");
        assert_int_equal(permit_warnings_get(w, 3)->risk, PERMIT_RISK_NONE);
        assert_string_equal(permit_warnings_get(w, 3)->capability, "host.steal");
        permit_warnings_free(w);

        assert_int_equal(permit_warnings_new_for_host(caps, 4, NULL, &w), 0);
        assert_string_equal(permit_warnings_get(w, 0)->text, "Use the host's read_notes feature");
        permit_warnings_free(w);
        permit_host_vocabulary_free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_empty_list),
                cmocka_unit_test(test_top_level),
                cmocka_unit_test(test_host_too_long),
                cmocka_unit_test(test_entries),
                cmocka_unit_test(test_ids),
                cmocka_unit_test(test_warnings_and_risks),
                cmocka_unit_test(test_not_utf8),
                cmocka_unit_test(test_too_many),
                cmocka_unit_test(test_too_large),
                cmocka_unit_test(test_bad_arguments),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_warning_text),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_warnings_list),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
