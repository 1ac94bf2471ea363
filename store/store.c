/* SPDX-License-Identifier: MIT */
/* Opening a profile's store, reading grants.json and pins.json, and the one
 * way to change them: lock, re-read, change, write atomically, unlock. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio-private.h"
#include "json-private.h"
#include "store-private.h"

int64_t store_now(void) {
        return (int64_t) time(NULL);
}

int64_t store_time(int64_t when) {
        return when ? when : store_now();
}

static char *path_join(const char *a, const char *b) {
        char *p;
        return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

char *store_manifest_path(const permit_store *s, const char *id) {
        char *p;
        return asprintf(&p, "%s/" MANIFESTS_DIR "/%s.json", s->dir, id) < 0 ? NULL : p;
}

_public_ int permit_store_default_profile(char **ret) {
        const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
        char *p;
        int r;

        if (!ret)
                return -EINVAL;
        /* The XDG spec: a relative path in the variable is invalid and ignored. */
        if (xdg && xdg[0] == '/')
                r = asprintf(&p, "%s/permit/profiles/default", xdg);
        else if (home && home[0] == '/')
                r = asprintf(&p, "%s/.local/share/permit/profiles/default", home);
        else
                return -ENOENT;
        if (r < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* Reads one of the store's files (a missing file is empty). */
static int load_file(const char *path, unsigned members, store_state *st, permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = permit_read_file(path, PERMIT_STORE_MAX_FILE, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r == -EFBIG)
                return permit_error_set_at(error, r, path, NULL, "larger than %d bytes", PERMIT_STORE_MAX_FILE);
        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, "%s", strerror(-r));
        r = document_read(buf, len, members | DOC_REQUIRED | DOC_CHECKSUM, st, error);
        return permit_error_set_source(error, r, path);
}

int state_load(const permit_store *s, store_state *st, permit_error *error) {
        store_state fresh = { 0 };
        int r;

        r = load_file(s->grants_path, DOC_GRANTS, &fresh, error);
        if (r >= 0)
                r = load_file(s->pins_path, DOC_PINS, &fresh, error);
        if (r < 0) {
                state_clear(&fresh);
                return r;
        }
        *st = fresh;
        return 0;
}

static int write_file(const char *path, const char *member, json_t *content) {
        _cleanup_json_ json_t *root = json_object();
        _cleanup_free_ char *text = NULL, *out = NULL;
        char sum[2 * PERMIT_DIGEST_SIZE + 1];
        size_t len;
        int n;

        if (!root || json_set(root, "version", json_integer(STORE_FORMAT_VERSION)) < 0 ||
            json_set(root, member, content) < 0)
                return -ENOMEM;
        /* Indented: people read these files. Not JSON_SORT_KEYS: "version"
         * stays first, so the reader knows the format before the content;
         * records and decisions are inserted sorted. */
        text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        if (!text)
                return -ENOMEM;
        /* The last member is the checksum of every byte before its comma:
         * a damaged file is refused, not read as other decisions. */
        len = strlen(text);
        if (len < 2 || text[len - 1] != '}' || text[len - 2] != '\n')
                return -EINVAL; /* not what jansson writes */
        len -= 2;
        document_checksum(text, len, sum);
        n = asprintf(&out, "%.*s,\n  \"checksum\": \"%s\"\n}\n", (int) len, text, sum);
        if (n < 0)
                return -ENOMEM;
        return permit_write_file_atomic(path, out, (size_t) n, 0600, 0);
}

int store_lock(const permit_store *s) {
        _cleanup_free_ char *path = path_join(s->dir, LOCK_FILE);
        _cleanup_close_ int fd = -1;

        if (!path)
                return -ENOMEM;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return negative_errno();
        return steal_fd(&fd);
}

/* A writer killed between creating its temp file and renaming it leaves
 * ".NAME.json.XXXXXX" behind. Under the lock no one else is writing one, so
 * any found is stale. */
static void remove_stale_temps(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d)))
                if (de->d_name[0] == '.' && strstr(de->d_name, ".json.") && de->d_type == DT_REG)
                        unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
}

int store_change(permit_store *s, store_change_fn change, void *userdata, permit_error *error) {
        _cleanup_close_ int lock = -1;
        store_state st = { 0 };
        json_t *content;
        int r, changed;

        lock = store_lock(s);
        if (lock < 0)
                return permit_error_set_at(error, lock, s->dir, NULL, "cannot take the lock: %s", strerror(-lock));
        remove_stale_temps(s->dir);
        {
                _cleanup_free_ char *mdir = path_join(s->dir, MANIFESTS_DIR);
                if (mdir)
                        remove_stale_temps(mdir);
        }
        /* Re-read under the lock: another process may have written since open. */
        r = state_load(s, &st, error);
        if (r < 0)
                return r;
        changed = change(s, &st, userdata, error);
        if (changed < 0) {
                state_clear(&st);
                return changed;
        }
        if (changed & CHANGED_GRANTS) {
                r = grants_to_json(&st, &content);
                if (r >= 0)
                        r = write_file(s->grants_path, "grants", content);
                if (r < 0) {
                        state_clear(&st);
                        return permit_error_set_at(error, r, s->grants_path, NULL, "cannot write: %s", strerror(-r));
                }
        }
        if (changed & CHANGED_PINS) {
                r = pins_to_json(&st, &content);
                if (r >= 0)
                        r = write_file(s->pins_path, "pins", content);
                if (r < 0) {
                        state_clear(&st);
                        return permit_error_set_at(error, r, s->pins_path, NULL, "cannot write: %s", strerror(-r));
                }
        }
        state_clear(&s->state);
        s->state = st;
        return 0;
}

_public_ int permit_store_open(const char *profile, unsigned flags, permit_store **ret, permit_error *error) {
        _cleanup_free_ char *def = NULL;
        permit_store *s;
        struct stat st;
        int r;

        if (!ret)
                return -EINVAL;
        if (!profile) {
                r = permit_store_default_profile(&def);
                if (r < 0)
                        return permit_error_set(error, r, NULL, "no profile: neither XDG_DATA_HOME nor HOME is set");
                profile = def;
        }
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        if (!(s->profile = strdup(profile)) || !(s->dir = path_join(profile, "permit")) ||
            !(s->grants_path = path_join(s->dir, GRANTS_FILE)) || !(s->pins_path = path_join(s->dir, PINS_FILE)) ||
            !(s->audit_path = path_join(s->dir, AUDIT_FILE))) {
                permit_store_free(s);
                return -ENOMEM;
        }
        if (flags & PERMIT_STORE_CREATE) {
                r = permit_mkdir_parents(s->dir, 0700);
                if (r < 0) {
                        permit_error_set_at(error, r, s->dir, NULL, "cannot create: %s", strerror(-r));
                        permit_store_free(s);
                        return r;
                }
        }
        r = stat(s->dir, &st) < 0 ? negative_errno() : !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;
        if (r < 0) {
                permit_error_set_at(error, r, s->dir, NULL, "%s",
                                    r == -ENOENT ? "no store here (not a permit profile)" : strerror(-r));
                permit_store_free(s);
                return r;
        }
        r = state_load(s, &s->state, error);
        if (r < 0) {
                permit_store_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

_public_ int permit_store_reload(permit_store *s, permit_error *error) {
        store_state st = { 0 };
        int r;

        if (!s)
                return -EINVAL;
        r = state_load(s, &st, error);
        if (r < 0)
                return r;
        state_clear(&s->state);
        s->state = st;
        return 0;
}

_public_ void permit_store_free(permit_store *s) {
        if (!s)
                return;
        state_clear(&s->state);
        free(s->profile);
        free(s->dir);
        free(s->grants_path);
        free(s->pins_path);
        free(s->audit_path);
        free(s);
}

_public_ const char *permit_store_profile(const permit_store *s) {
        return s ? s->profile : NULL;
}

_public_ const char *permit_store_dir(const permit_store *s) {
        return s ? s->dir : NULL;
}
