/* SPDX-License-Identifier: MIT */
/* The manifest API: accessors, defaults, loading files, the canonical form
 * and its digest. */
#include <errno.h>
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

#include "permit/manifest.h"

static const char example[] =
        "{\n"
        "  \"version\": \"1.2.0\", \"id\": \"org.example.hello\",\n"
        "  \"capabilities\": [\n"
        "    {\"id\": \"net.connect:api.example.com:443\"},\n"
        "    {\"reason\": \"Gr\\u00fc\\u00dfe\", \"required\": false, \"id\": \"sys.notify\"}\n"
        "  ],\n"
        "  \"name\": \"Hello\", \"publisher\": \"Example Ltd\", \"entry\": \"__init__.py\",\n"
        "  \"limits\": {\"memory_mb\": 256}\n"
        "}\n";

static const char example_canonical[] =
        "{\"capabilities\":[{\"id\":\"net.connect:api.example.com:443\",\"reason\":\"\",\"required\":true},"
        "{\"id\":\"sys.notify\",\"reason\":\"Gr\xc3\xbc\xc3\x9f" "e\",\"required\":false}],"
        "\"entry\":\"__init__.py\",\"id\":\"org.example.hello\",\"limits\":{\"memory_mb\":256},"
        "\"name\":\"Hello\",\"publisher\":\"Example Ltd\",\"version\":\"1.2.0\"}";

/* BLAKE2b-256 of example_canonical, computed with Python's hashlib. */
static const char example_digest[] = "a3e1d6e6b00c0295bdf05e99f235d30f98eb14525d0742d7a81e83daa04dc76b";

static permit_manifest *parse(const char *s) {
        permit_manifest *m = NULL;
        permit_error error;

        if (permit_manifest_parse(s, strlen(s), "test", &m, &error) < 0)
                fail_msg("%s: %s", s, error.text);
        return m;
}

static void hex(char out[2 * PERMIT_DIGEST_SIZE + 1], const uint8_t *d) {
        for (size_t i = 0; i < PERMIT_DIGEST_SIZE; i++)
                sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_accessors(void **state) {
        permit_manifest *m = parse(example);
        const permit_capability *c;
        const permit_limits *l;

        assert_string_equal(permit_manifest_id(m), "org.example.hello");
        assert_string_equal(permit_manifest_name(m), "Hello");
        assert_string_equal(permit_manifest_version(m), "1.2.0");
        assert_string_equal(permit_manifest_publisher(m), "Example Ltd");
        assert_string_equal(permit_manifest_entry(m), "__init__.py");
        l = permit_manifest_limits(m);
        assert_int_equal(l->memory_mb, 256);
        assert_int_equal(l->cpu_seconds, 0);
        assert_int_equal(l->processes, 0);
        assert_int_equal(l->open_files, 0);
        assert_int_equal(l->wall_seconds, 0);

        assert_int_equal(permit_manifest_n_capabilities(m), 2);
        c = permit_manifest_capability(m, 0);
        assert_ptr_equal(c, &permit_manifest_capabilities(m)[0]);
        assert_string_equal(c->id, "net.connect:api.example.com:443");
        assert_string_equal(c->kind, "net.connect");
        assert_string_equal(c->argument, "api.example.com:443");
        assert_true(c->required); /* the default */
        assert_string_equal(c->reason, "");
        c = permit_manifest_capability(m, 1);
        assert_string_equal(c->kind, "sys.notify");
        assert_null(c->argument);
        assert_false(c->required);
        assert_string_equal(c->reason, "Gr\xc3\xbc\xc3\x9f" "e");
        assert_null(permit_manifest_capability(m, 2));
        permit_manifest_free(m);

        m = parse("{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                  "\"capabilities\":[{\"id\":\"host.deck_editor\"}]}");
        c = permit_manifest_capability(m, 0);
        assert_string_equal(c->kind, "host.deck_editor");
        assert_null(c->argument);
        permit_manifest_free(m);
}

static void test_null(void **state) {
        permit_manifest *m = NULL;
        permit_error error;

        assert_null(permit_manifest_id(NULL));
        assert_null(permit_manifest_name(NULL));
        assert_null(permit_manifest_version(NULL));
        assert_null(permit_manifest_publisher(NULL));
        assert_null(permit_manifest_entry(NULL));
        assert_null(permit_manifest_limits(NULL));
        assert_int_equal(permit_manifest_n_capabilities(NULL), 0);
        assert_null(permit_manifest_capability(NULL, 0));
        assert_null(permit_manifest_capabilities(NULL));
        permit_manifest_free(NULL);
        assert_int_equal(permit_manifest_parse(NULL, 0, NULL, &m, &error), -EINVAL);
        assert_int_equal(permit_manifest_parse("{}", 2, NULL, NULL, &error), -EINVAL);
        assert_int_equal(permit_manifest_load(NULL, &m, &error), -EINVAL);
        assert_null(m);
}

static void test_error_string(void **state) {
        static const char bad[] = "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\","
                                  "\"entry\":\"e\",\"capabilities\":[{\"id\":\"sys.notify\"},{\"id\":\"x\"},"
                                  "{\"id\":\"made.up\"}]}";
        permit_manifest *m = NULL;
        permit_error error;
        char buf[512];

        assert_int_equal(permit_manifest_parse(bad, strlen(bad), "addon/permit.json", &m, &error), -EINVAL);
        assert_string_equal(error.source, "addon/permit.json");
        assert_string_equal(error.path, "capabilities[1].id");
        assert_string_equal(error.text, "unknown kind 'x'");
        assert_string_equal(permit_error_string(&error, buf, sizeof(buf)),
                            "addon/permit.json: capabilities[1].id: unknown kind 'x'");
        /* a syntax error has a position, no path */
        assert_int_equal(permit_manifest_parse("{\n  x", 5, "p.json", &m, &error), -EINVAL);
        assert_int_equal(error.line, 2);
        assert_string_equal(error.path, "");
        /* an earlier error does not leak into the next one */
        assert_int_equal(permit_manifest_parse(bad, strlen(bad), NULL, &m, &error), -EINVAL);
        assert_int_equal(error.line, 0);
        assert_string_equal(error.source, "");
}

static void test_canonical(void **state) {
        permit_manifest *m = parse(example);
        char *s = NULL, digest_hex[2 * PERMIT_DIGEST_SIZE + 1];
        uint8_t digest[PERMIT_DIGEST_SIZE];
        size_t len = 0;

        assert_int_equal(permit_manifest_canonical(m, &s, &len), 0);
        assert_string_equal(s, example_canonical);
        assert_int_equal(len, strlen(example_canonical));
        free(s);
        assert_int_equal(permit_manifest_canonical(m, &s, NULL), 0);
        free(s);
        assert_int_equal(permit_manifest_digest(m, digest), 0);
        hex(digest_hex, digest);
        assert_string_equal(digest_hex, example_digest);
        permit_manifest_free(m);

        /* the canonical form is a manifest with the same digest */
        m = parse(example_canonical);
        assert_int_equal(permit_manifest_digest(m, digest), 0);
        hex(digest_hex, digest);
        assert_string_equal(digest_hex, example_digest);
        permit_manifest_free(m);

        assert_int_equal(permit_manifest_canonical(NULL, &s, &len), -EINVAL);
        assert_int_equal(permit_manifest_digest(NULL, digest), -EINVAL);
}

static void test_canonical_limits(void **state) {
        static const char head[] = "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\","
                                   "\"entry\":\"e\",\"capabilities\":[]";
        static const struct {
                const char *tail, *canonical;
        } cases[] = {
                { "}", "{\"capabilities\":[],\"entry\":\"e\",\"id\":\"a\",\"name\":\"A\",\"publisher\":\"P\","
                       "\"version\":\"1.0.0\"}" },
                { ",\"limits\":{}}", "{\"capabilities\":[],\"entry\":\"e\",\"id\":\"a\",\"limits\":{},\"name\":\"A\","
                                     "\"publisher\":\"P\",\"version\":\"1.0.0\"}" },
                { ",\"limits\":{\"wall_seconds\":600,\"cpu_seconds\":60,\"processes\":4,\"open_files\":64,"
                  "\"memory_mb\":256}}",
                  "{\"capabilities\":[],\"entry\":\"e\",\"id\":\"a\",\"limits\":{\"cpu_seconds\":60,\"memory_mb\":256,"
                  "\"open_files\":64,\"processes\":4,\"wall_seconds\":600},\"name\":\"A\",\"publisher\":\"P\","
                  "\"version\":\"1.0.0\"}" },
        };
        uint8_t digests[3][PERMIT_DIGEST_SIZE];

        for (size_t i = 0; i < 3; i++) {
                char text[1024], *s = NULL;
                permit_manifest *m;

                snprintf(text, sizeof(text), "%s%s", head, cases[i].tail);
                m = parse(text);
                assert_int_equal(permit_manifest_canonical(m, &s, NULL), 0);
                assert_string_equal(s, cases[i].canonical);
                assert_int_equal(permit_manifest_digest(m, digests[i]), 0);
                for (size_t j = 0; j < i; j++)
                        assert_memory_not_equal(digests[i], digests[j], PERMIT_DIGEST_SIZE);
                free(s);
                permit_manifest_free(m);
        }
}

/* Any change of meaning changes the digest; "required": true written out
 * or left to the default does not. */
static void test_digest_sensitivity(void **state) {
        static const char *const same[] = {
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\"}]}",
                "{\"capabilities\":[{\"required\":true,\"id\":\"sys.notify\",\"reason\":\"\"}],\"entry\":\"e\","
                "\"publisher\":\"P\",\"version\":\"1.0.0\",\"name\":\"A\",\"id\":\"a\"}",
                " { \"id\" : \"\\u0061\", \"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[ {\"id\":\"sys.notify\", \"required\": true} ] }\n",
        };
        static const char *const different[] = {
                "{\"id\":\"b\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\"}]}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.1\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\"}]}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\",\"required\":false}]}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\",\"reason\":\" \"}]}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[]}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\"}],\"limits\":{}}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"sys.notify\"},{\"id\":\"dev.camera\"}]}",
                "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                "\"capabilities\":[{\"id\":\"dev.camera\"},{\"id\":\"sys.notify\"}]}",
        };
        uint8_t first[PERMIT_DIGEST_SIZE], d[PERMIT_DIGEST_SIZE];
        uint8_t seen[sizeof(different) / sizeof(different[0])][PERMIT_DIGEST_SIZE];

        for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
                permit_manifest *m = parse(same[i]);
                assert_int_equal(permit_manifest_digest(m, i == 0 ? first : d), 0);
                if (i > 0)
                        assert_memory_equal(first, d, PERMIT_DIGEST_SIZE);
                permit_manifest_free(m);
        }
        for (size_t i = 0; i < sizeof(different) / sizeof(different[0]); i++) {
                permit_manifest *m = parse(different[i]);
                assert_int_equal(permit_manifest_digest(m, seen[i]), 0);
                assert_memory_not_equal(first, seen[i], PERMIT_DIGEST_SIZE);
                for (size_t j = 0; j < i; j++)
                        assert_memory_not_equal(seen[j], seen[i], PERMIT_DIGEST_SIZE);
                permit_manifest_free(m);
        }
}

static void test_load(void **state) {
        char dir[] = "/tmp/permit-manifest-test-XXXXXX", path[256];
        permit_manifest *m = NULL;
        permit_error error;
        FILE *f;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/permit.json", dir);

        assert_int_equal(permit_manifest_load(path, &m, &error), -ENOENT);
        assert_string_equal(error.source, path);
        assert_true(error.text[0] != '\0');
        assert_null(m);

        assert_int_equal(permit_manifest_load(dir, &m, &error), -EISDIR);
        assert_string_equal(error.source, dir);

        f = fopen(path, "w");
        assert_non_null(f);
        fputs(example, f);
        fclose(f);
        assert_int_equal(permit_manifest_load(path, &m, &error), 0);
        assert_string_equal(permit_manifest_id(m), "org.example.hello");
        permit_manifest_free(m);
        m = NULL;

        /* one byte over the limit, even if it is only white space */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(example, f);
        for (size_t i = strlen(example); i < PERMIT_MANIFEST_MAX_SIZE + 1; i++)
                fputc(' ', f);
        fclose(f);
        assert_int_equal(permit_manifest_load(path, &m, &error), -EFBIG);
        assert_string_equal(error.source, path);
        assert_null(m);
        /* and exactly at the limit it is fine */
        assert_int_equal(truncate(path, PERMIT_MANIFEST_MAX_SIZE), 0);
        assert_int_equal(permit_manifest_load(path, &m, &error), 0);
        permit_manifest_free(m);

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accessors),
                cmocka_unit_test(test_null),
                cmocka_unit_test(test_error_string),
                cmocka_unit_test(test_canonical),
                cmocka_unit_test(test_canonical_limits),
                cmocka_unit_test(test_digest_sensitivity),
                cmocka_unit_test(test_load),
        };

        return cmocka_run_group_tests_name("manifest-api", tests, NULL, NULL);
}
