/* SPDX-License-Identifier: MIT */
/* The profile store's files through the real loader (permit_store_open()
 * on a profile in /dev/shm): the input as grants.json, then as pins.json,
 * then as audit.jsonl (permit_store_usage()). A refused file must be named
 * in the error with a text. An accepted grants.json or pins.json must come
 * back the same through the writer: its export, stripped to that file's
 * member and loaded again, exports identically. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "json-private.h"
#include "permit/store.h"
#include "util.h"

static char profile[64], grants[128], pins[128], audit[128];

static void clear(void) {
        unlink(grants);
        unlink(pins);
        unlink(audit);
}

static void remove_profile(void) {
        char dir[80];

        clear();
        snprintf(dir, sizeof(dir), "%s/permit", profile);
        rmdir(dir);
        rmdir(profile);
}

static void make_profile(void) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        char dir[80];

        if (profile[0])
                return;
        snprintf(profile, sizeof(profile), "%s/fuzz-store.XXXXXX", base);
        if (!mkdtemp(profile))
                abort();
        snprintf(dir, sizeof(dir), "%s/permit", profile);
        if (mkdir(dir, 0700) < 0)
                abort();
        snprintf(grants, sizeof(grants), "%s/grants.json", dir);
        snprintf(pins, sizeof(pins), "%s/pins.json", dir);
        snprintf(audit, sizeof(audit), "%s/audit.jsonl", dir);
        atexit(remove_profile);
}

static void put(const char *path, const void *data, size_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t) size) || close(fd) < 0)
                abort();
}

/* Opens the profile; a refusal must name path. */
static permit_store *open_store(const char *path) {
        permit_store *s = NULL;
        permit_error error = { 0 };
        int r = permit_store_open(profile, 0, &s, &error);

        if (r < 0) {
                if (r == -ENOMEM)
                        return NULL;
                if (!error.text[0] || strcmp(error.source, path) != 0)
                        abort();
                return NULL;
        }
        return s;
}

/* The readers' promises on an accepted store. */
static void walk(const permit_store *s) {
        for (size_t i = 0; i < permit_store_n_records(s); i++) {
                const permit_record *rec = permit_store_record(s, i);
                if (!rec || permit_store_find(s, permit_record_id(rec)) != rec ||
                    strlen(permit_record_manifest_digest(rec)) != 64)
                        abort();
                for (size_t k = 0; k < permit_record_n_decisions(rec); k++) {
                        const permit_cap_decision *d = permit_record_decision(rec, k);
                        if (permit_record_find_decision(rec, d->capability) != d || !permit_decided_by_name(d->by))
                                abort();
                }
                (void) permit_store_pin_get(s, permit_record_id(rec), NULL, NULL);
        }
}

/* What the writer makes of s, as the file that holds member alone. */
static void round_trip(permit_store *s, const char *path, const char *member, const char *other) {
        _cleanup_free_ char *first = NULL, *second = NULL, *text = NULL;
        _cleanup_json_ json_t *doc = NULL;
        permit_store *again;

        if (permit_store_export(s, &first, NULL) < 0)
                abort();
        doc = json_loads(first, 0, NULL);
        if (!doc || !json_object_get(doc, member) || json_object_del(doc, other) < 0)
                abort();
        text = json_dumps(doc, JSON_INDENT(2));
        if (!text)
                abort();
        clear();
        put(path, text, strlen(text));
        again = open_store(path);
        if (!again || permit_store_export(again, &second, NULL) < 0 || strcmp(first, second) != 0)
                abort();
        permit_store_free(again);
}

static void one_file(const uint8_t *data, size_t size, const char *path, const char *member, const char *other) {
        permit_store *s;

        clear();
        put(path, data, size);
        s = open_store(path);
        if (!s)
                return;
        walk(s);
        round_trip(s, path, member, other);
        permit_store_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const ids[] = { "org.example.a", "org.example.b", "a" };
        permit_store *s;

        make_profile();
        one_file(data, size, grants, "grants", "pins");
        one_file(data, size, pins, "pins", "grants");

        clear();
        put(audit, data, size);
        s = open_store(grants);
        if (!s)
                abort(); /* no grants.json, no pins.json: an empty store */
        for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
                permit_usage *u = NULL;
                int r = permit_store_usage(s, ids[i], &u);
                if (r < 0 && r != -ENOMEM)
                        abort();
                (void) permit_usage_last_used(u, "net.connect:api.example.com:443");
                permit_usage_free(u);
        }
        permit_store_free(s);
        return 0;
}
