/* SPDX-License-Identifier: MIT */
/* audit.jsonl: one JSON object per line, appended, never rewritten
 * (doc/store.md, schemas/audit.schema.json). Each call writes its lines with
 * one write() on an O_APPEND descriptor, so lines of processes appending at
 * once never interleave; a line cut by a crash is skipped when reading. */
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio-private.h"
#include "json-private.h"
#include "store-private.h"

_public_ const char *permit_audit_kind_name(permit_audit_kind k) {
        switch (k) {
        case PERMIT_AUDIT_DECISION:
                return "decision";
        case PERMIT_AUDIT_USE:
                return "use";
        case PERMIT_AUDIT_DENIAL:
                return "denial";
        case PERMIT_AUDIT_EXPIRY:
                return "expiry";
        case PERMIT_AUDIT_ONCE:
                return "once";
        }
        return NULL;
}

static int event_line(const permit_audit_event *ev, int64_t now, char **ret, size_t *ret_len) {
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return -ENOMEM;
        if (json_set(o, "time", json_integer(ev->time ? ev->time : now)) < 0 ||
            json_set(o, "event", json_string(permit_audit_kind_name(ev->kind))) < 0 ||
            json_set(o, "addon", json_string(ev->addon)) < 0 ||
            (ev->capability && json_set(o, "capability", json_string(ev->capability)) < 0) ||
            (ev->target && json_set(o, "target", json_string(ev->target)) < 0) ||
            json_set(o, "allowed", json_boolean(ev->allowed)) < 0)
                return -EINVAL; /* json_string() refuses invalid UTF-8 */
        return permit_json_canonical(o, ret, ret_len);
}

int audit_append(const permit_store *s, const permit_audit_event *ev, size_t n, bool sync) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        size_t len = 0;
        int64_t now = store_now();
        int r;

        if (n == 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = NULL;
                size_t l;
                char *nb;

                if (!ev[i].addon || !permit_audit_kind_name(ev[i].kind))
                        return -EINVAL;
                r = event_line(&ev[i], now, &line, &l);
                if (r < 0)
                        return r;
                nb = realloc(buf, len + l + 1);
                if (!nb)
                        return -ENOMEM;
                buf = nb;
                memcpy(buf + len, line, l);
                buf[len + l] = '\n';
                len += l + 1;
        }
        fd = open(s->audit_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        for (size_t off = 0; off < len;) {
                ssize_t k = write(fd, buf + off, len - off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                off += (size_t) k;
        }
        if (sync && fsync(fd) < 0)
                return negative_errno();
        return 0;
}

_public_ int permit_store_audit_append(permit_store *s, const permit_audit_event *ev) {
        if (!s || !ev || !ev->addon)
                return -EINVAL;
        return audit_append(s, ev, 1, ev->kind == PERMIT_AUDIT_DECISION);
}

/* ---- Last use --------------------------------------------------------------- */

typedef struct usage_entry {
        char *capability;
        int64_t last;
} usage_entry;

struct permit_usage {
        size_t n;
        usage_entry *entries;
};

_public_ void permit_usage_free(permit_usage *u) {
        if (!u)
                return;
        for (size_t i = 0; i < u->n; i++)
                free(u->entries[i].capability);
        free(u->entries);
        free(u);
}

static int usage_note(permit_usage *u, const char *capability, int64_t t) {
        usage_entry *n;

        for (size_t i = 0; i < u->n; i++)
                if (streq(u->entries[i].capability, capability)) {
                        if (t > u->entries[i].last)
                                u->entries[i].last = t;
                        return 0;
                }
        n = realloc(u->entries, (u->n + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        u->entries = n;
        n[u->n].capability = strdup(capability);
        if (!n[u->n].capability)
                return -ENOMEM;
        n[u->n++].last = t;
        return 0;
}

/* One line: counts when it is an allowed use of id's capability. */
static int usage_line(permit_usage *u, const char *id, const char *line, size_t len) {
        _cleanup_json_ json_t *o = NULL;
        const json_t *ev, *addon, *cap, *t, *allowed;

        if (permit_json_parse(line, len, &o, NULL) < 0)
                return 0; /* a line cut by a crash, or not ours: skip */
        ev = json_object_get(o, "event");
        addon = json_object_get(o, "addon");
        cap = json_object_get(o, "capability");
        t = json_object_get(o, "time");
        allowed = json_object_get(o, "allowed");
        if (!json_is_string(ev) || !streq(json_string_value(ev), "use") || !json_is_string(addon) ||
            !streq(json_string_value(addon), id) || !json_is_string(cap) || !json_is_integer(t) ||
            !json_is_true(allowed))
                return 0;
        return usage_note(u, json_string_value(cap), (int64_t) json_integer_value(t));
}

_public_ int permit_store_usage(const permit_store *s, const char *id, permit_usage **ret) {
        _cleanup_free_ char *buf = NULL;
        permit_usage *u;
        size_t len = 0;
        int r;

        if (!s || !id || !ret)
                return -EINVAL;
        r = permit_read_file(s->audit_path, PERMIT_AUDIT_MAX_FILE, &buf, &len);
        if (r < 0 && r != -ENOENT)
                return r;
        u = calloc(1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        for (size_t start = 0; buf && start < len;) {
                const char *nl = memchr(buf + start, '\n', len - start);
                size_t end = nl ? (size_t) (nl - buf) : len;

                /* cheap filter first: most lines are other add-ons' */
                if (end > start && memmem(buf + start, end - start, id, strlen(id))) {
                        r = usage_line(u, id, buf + start, end - start);
                        if (r < 0) {
                                permit_usage_free(u);
                                return r;
                        }
                }
                start = end + 1;
        }
        *ret = u;
        return 0;
}

_public_ int64_t permit_usage_last_used(const permit_usage *u, const char *capability) {
        for (size_t i = 0; u && capability && i < u->n; i++)
                if (streq(u->entries[i].capability, capability))
                        return u->entries[i].last;
        return 0;
}
