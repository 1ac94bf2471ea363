/* SPDX-License-Identifier: MIT */
/* PROFILE/permit/registry.json: the last index version seen of each
 * registry (rollback protection) and where each installed add-on came from.
 * Changed only under the store's lock file, re-read there, written
 * atomically (doc/registry.md, "The client"). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/file.h>

#include "client-private.h"
#include "error-private.h"
#include "fileio-private.h"
#include "json-private.h"
#include "permit/store.h"
#include "util.h"

#define STATE_MAX_SIZE (4 * 1024 * 1024)

struct permit_client_state {
        json_t *root; /* {"format":1,"registries":{},"addons":{}} */
        char **ids;   /* addons' ids, sorted */
        size_t n_ids;
};

int client_state_lock(const char *permit_dir) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/lock", permit_dir) < 0)
                return -ENOMEM;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
        return fd;
}

static int state_path(const char *permit_dir, char **ret) {
        return asprintf(ret, "%s/%s", permit_dir, PERMIT_CLIENT_STATE_NAME) < 0 ? -ENOMEM : 0;
}

/* Checks the shape we rely on; everything else is ours to ignore. */
static int check_state(json_t *root, const char *source, permit_error *error) {
        static const char *const top[] = { "format", "registries", "addons", NULL };
        json_t *v, *m;
        const char *k;

        if (!json_is_object(root))
                return permit_error_set_at(error, -EINVAL, source, NULL, "not a JSON object");
        if (permit_json_check_keys(root, top, NULL, error) < 0)
                return permit_error_set_source(error, -EINVAL, source);
        v = json_object_get(root, "format");
        if (!json_is_integer(v) || json_integer_value(v) != 1)
                return permit_error_set_at(error, -EINVAL, source, "format", "must be 1");
        v = json_object_get(root, "registries");
        if (!json_is_object(v))
                return permit_error_set_at(error, -EINVAL, source, "registries", "must be an object");
        json_object_foreach(v, k, m) {
                if (!json_is_object(m) || !json_is_integer(json_object_get(m, "version")) ||
                    json_integer_value(json_object_get(m, "version")) < 0)
                        return permit_error_set_at(error, -EINVAL, source, "registries", "%s: no valid version", k);
        }
        v = json_object_get(root, "addons");
        if (!json_is_object(v))
                return permit_error_set_at(error, -EINVAL, source, "addons", "must be an object");
        json_object_foreach(v, k, m) {
                if (!json_is_object(m) || !json_is_string(json_object_get(m, "version")))
                        return permit_error_set_at(error, -EINVAL, source, "addons", "%s: no valid version", k);
        }
        return 0;
}

/* Reads the file (a missing one is empty). */
static int read_state(const char *permit_dir, json_t **ret, permit_error *error) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        json_t *root = NULL;
        size_t len;
        int r;

        r = state_path(permit_dir, &path);
        if (r < 0)
                return r;
        r = permit_read_file(path, STATE_MAX_SIZE, &buf, &len);
        if (r == -ENOENT) {
                root = json_pack("{s:i,s:{},s:{}}", "format", 1, "registries", "addons");
                if (!root)
                        return -ENOMEM;
                *ret = root;
                return 0;
        }
        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, "cannot read: %s", strerror(-r));
        r = permit_json_parse(buf, len, &root, error);
        if (r < 0)
                return permit_error_set_source(error, r, path);
        r = check_state(root, path, error);
        if (r < 0) {
                json_decref(root);
                return r;
        }
        *ret = root;
        return 0;
}

static int write_state(const char *permit_dir, const json_t *root, permit_error *error) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;
        int r;

        r = state_path(permit_dir, &path);
        if (r < 0)
                return r;
        r = permit_json_dump_text(root, JSON_INDENT(2) | JSON_SORT_KEYS, &text, &len);
        if (r < 0)
                return r;
        r = permit_write_file_atomic(path, text, len, 0600, 0);
        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, "cannot write: %s", strerror(-r));
        return 0;
}

/* Takes the lock and reads the file under it. */
static int locked_read(const char *permit_dir, int *ret_lock, json_t **ret_root, permit_error *error) {
        int lock = client_state_lock(permit_dir), r;

        if (lock < 0)
                return permit_error_set_at(error, lock, permit_dir, NULL, "cannot take the lock: %s", strerror(-lock));
        r = read_state(permit_dir, ret_root, error);
        if (r < 0) {
                close(lock);
                return r;
        }
        *ret_lock = lock;
        return 0;
}

/* Applies the index version to root; 0 changed, 1 nothing new, -ESTALE. */
static int set_index(json_t *root, const client_index_record *ix, permit_error *error) {
        json_t *regs = json_object_get(root, "registries"), *old = json_object_get(regs, ix->key_id), *entry;
        uint64_t seen = old ? (uint64_t) json_integer_value(json_object_get(old, "version")) : 0;

        /* Another process may have seen a newer index since we read. */
        if (seen > ix->version)
                return permit_error_set_at(error, -ESTALE, "index.json", "version",
                                           "rollback: version %llu is older than version %llu already seen",
                                           (unsigned long long) ix->version, (unsigned long long) seen);
        if (old && seen == ix->version && json_is_string(json_object_get(old, "url")) &&
            streq(json_string_value(json_object_get(old, "url")), ix->url))
                return 1;
        entry = json_pack("{s:s,s:s,s:I,s:I}", "url", ix->url, "key", ix->key, "version", (json_int_t) ix->version,
                          "expires", (json_int_t) ix->expires);
        if (!entry || json_object_set_new(regs, ix->key_id, entry) < 0)
                return -ENOMEM;
        return 0;
}

/* PERMIT_DIR/registries/KEY_ID/: the last verified index of a registry,
 * for hosts at start-up (permit_revocation_check()). A new directory is
 * filled and swapped in with one rename, so index.json and its signature
 * always match. same: the version recorded already is this one (then only
 * a missing copy is written). */
static int keep_index(const char *permit_dir, const client_index_record *ix, bool same, permit_error *error) {
        _cleanup_free_ char *parent = NULL, *target = NULL, *tmp = NULL, *file = NULL;
        int r;

        if (!ix->index_data || !ix->sig_data)
                return 0;
        if (asprintf(&parent, "%s/%s", permit_dir, PERMIT_KEPT_INDEX_DIR) < 0 ||
            asprintf(&target, "%s/%s", parent, ix->key_id) < 0 ||
            asprintf(&tmp, "%s/.%s-XXXXXX", parent, ix->key_id) < 0 ||
            asprintf(&file, "%s/%s", target, PERMIT_INDEX_SIG_NAME) < 0)
                return -ENOMEM;
        if (same && access(file, F_OK) == 0)
                return 0;
        if (mkdir(parent, 0700) < 0 && errno != EEXIST)
                return permit_error_set_at(error, negative_errno(), parent, NULL, "cannot create: %s", strerror(errno));
        if (!mkdtemp(tmp))
                return permit_error_set_at(error, negative_errno(), parent, NULL, "cannot create: %s", strerror(errno));
        free(file);
        if (asprintf(&file, "%s/%s", tmp, PERMIT_INDEX_NAME) < 0) {
                r = -ENOMEM;
                goto out;
        }
        r = permit_write_file_atomic(file, ix->index_data, ix->index_len, 0600, 0);
        if (r >= 0) {
                free(file);
                r = asprintf(&file, "%s/%s", tmp, PERMIT_INDEX_SIG_NAME) < 0 ? -ENOMEM : 0;
        }
        if (r >= 0)
                r = permit_write_file_atomic(file, ix->sig_data, ix->sig_len, 0600, 0);
        if (r < 0) {
                r = permit_error_set_at(error, r, tmp, NULL, "cannot write the index: %s", strerror(-r));
                goto out;
        }
        /* One rename; the old copy (swapped into tmp) goes after. */
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) < 0 &&
            (errno != ENOENT || renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) < 0)) {
                r = permit_error_set_at(error, negative_errno(), target, NULL, "cannot keep the index: %s",
                                        strerror(errno));
                goto out;
        }
        r = 0;
out:
        (void) client_remove_tree(tmp);
        return r;
}

int client_state_record(const char *permit_dir, const client_index_record *ix, const client_addon_record *ad,
                        permit_error *error) {
        _cleanup_close_ int lock = -1;
        _cleanup_json_ json_t *root = NULL;
        bool changed = false;
        int r;

        r = locked_read(permit_dir, &lock, &root, error);
        if (r < 0)
                return r;
        if (ix) {
                r = set_index(root, ix, error);
                if (r < 0)
                        return r;
                changed = r == 0;
                r = keep_index(permit_dir, ix, !changed, error);
                if (r < 0)
                        return r;
        }
        if (ad) {
                json_t *addons = json_object_get(root, "addons"), *entry;
                if (!ad->version)
                        changed = json_object_del(addons, ad->id) == 0 || changed;
                else {
                        entry = json_pack("{s:s,s:s,s:s,s:s,s:I}", "version", ad->version, "url", ad->url,
                                          "registry_key", ad->registry_key, "seal_digest", ad->seal_digest,
                                          "installed_at", (json_int_t) ad->installed_at);
                        if (!entry || json_object_set_new(addons, ad->id, entry) < 0)
                                return -ENOMEM;
                        changed = true;
                }
        }
        return changed ? write_state(permit_dir, root, error) : 0;
}

static int compare_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int client_state_load_dir(const char *permit_dir, permit_client_state **ret, permit_error *error) {
        permit_client_state *st;
        json_t *addons, *v;
        const char *k;
        int r;

        st = calloc(1, sizeof(*st));
        if (!st)
                return -ENOMEM;
        r = read_state(permit_dir, &st->root, error);
        if (r < 0) {
                free(st);
                return r;
        }
        addons = json_object_get(st->root, "addons");
        st->ids = calloc(json_object_size(addons) + 1, sizeof(char *));
        if (!st->ids) {
                permit_client_state_free(st);
                return -ENOMEM;
        }
        json_object_foreach(addons, k, v)
                st->ids[st->n_ids++] = (char *) k; /* owned by root */
        qsort(st->ids, st->n_ids, sizeof(char *), compare_str);
        *ret = st;
        return 0;
}

int client_profile(const char *profile, char **owned, const char **ret, permit_error *error) {
        int r;

        *owned = NULL;
        if (!profile) {
                r = permit_store_default_profile(owned);
                if (r < 0)
                        return permit_error_set(error, r, NULL, "no default profile: set $XDG_DATA_HOME or $HOME");
                profile = *owned;
        }
        *ret = profile;
        return 0;
}

_public_ int permit_client_state_load(const char *profile, permit_client_state **ret, permit_error *error) {
        _cleanup_free_ char *def = NULL, *dir = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        r = client_profile(profile, &def, &profile, error);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s/permit", profile) < 0)
                return -ENOMEM;
        return client_state_load_dir(dir, ret, error);
}

_public_ void permit_client_state_free(permit_client_state *st) {
        if (!st)
                return;
        json_decref(st->root);
        free(st->ids);
        free(st);
}

_public_ size_t permit_client_state_n_installed(const permit_client_state *st) {
        return st ? st->n_ids : 0;
}

static const char *get_string(json_t *o, const char *key) {
        json_t *v = json_object_get(o, key);
        return json_is_string(v) ? json_string_value(v) : "";
}

_public_ int permit_client_state_find(const permit_client_state *st, const char *id, permit_client_installed *ret) {
        json_t *e;

        if (!st || !id || !ret)
                return -EINVAL;
        e = json_object_get(json_object_get(st->root, "addons"), id);
        if (!e)
                return -ENOENT;
        *ret = (permit_client_installed) {
                .id = json_object_iter_key(json_object_iter_at(json_object_get(st->root, "addons"), id)),
                .version = get_string(e, "version"),
                .url = get_string(e, "url"),
                .registry_key = get_string(e, "registry_key"),
                .seal_digest = get_string(e, "seal_digest"),
                .installed_at = json_integer_value(json_object_get(e, "installed_at")),
        };
        return 0;
}

_public_ int permit_client_state_installed(const permit_client_state *st, size_t i, permit_client_installed *ret) {
        if (!st || i >= st->n_ids)
                return -ENOENT;
        return permit_client_state_find(st, st->ids[i], ret);
}

_public_ uint64_t permit_client_state_last_version(const permit_client_state *st, const char *registry_key_id) {
        json_t *e;

        if (!st || !registry_key_id)
                return 0;
        e = json_object_get(json_object_get(st->root, "registries"), registry_key_id);
        return e ? (uint64_t) json_integer_value(json_object_get(e, "version")) : 0;
}
