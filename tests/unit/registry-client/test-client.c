/* SPDX-License-Identifier: MIT */
/* libpermit-registry's error paths: URLs and schemes refused, a loopback
 * HTTP server (a thread of this test, 127.0.0.1 only) answering 404, 500,
 * 401, a redirect to http and garbage; retries and their callback; the
 * state file; remove; upload. The whole install path runs against a real
 * nginx in tests/integration/registry-client.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "permit/minisig.h"
#include "permit/registry-client.h"
#include "tests/unit/test-files.h"

/* ---- a loopback HTTP server: one canned answer per path ------------------ */

static int server_fd = -1;
static int server_port;
static pthread_t server_thread;
static int n_requests;

/* What /signed/ serves (test_keep_index() sets them; read by the server
 * thread between requests the test makes one at a time). */
static char *signed_index, *signed_sig;

static const char *answer_for(const char *path) {
        if (strcmp(path, "/signed/index.json") == 0 && signed_index)
                return signed_index;
        if (strcmp(path, "/signed/index.json.sig") == 0 && signed_sig)
                return signed_sig;
        if (strncmp(path, "/missing/", 9) == 0)
                return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (strncmp(path, "/error/", 7) == 0)
                return "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (strncmp(path, "/redirect/", 10) == 0)
                return "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n";
        if (strncmp(path, "/garbage/", 9) == 0)
                return "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\nnot signed\n";
        if (strncmp(path, "/upload/", 8) == 0)
                return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

static void *serve(void *arg) {
        (void) arg;
        for (;;) {
                char req[8192], path[1024] = "/";
                size_t n = 0;
                const char *a;
                int c = accept(server_fd, NULL, NULL);

                if (c < 0)
                        return NULL;
                while (n < sizeof(req) - 1) {
                        ssize_t k = read(c, req + n, sizeof(req) - 1 - n);
                        if (k <= 0)
                                break;
                        n += (size_t) k;
                        req[n] = '\0';
                        if (strstr(req, "\r\n\r\n"))
                                break;
                }
                req[n] = '\0';
                sscanf(req, "%*s %1023s", path);
                __atomic_add_fetch(&n_requests, 1, __ATOMIC_SEQ_CST);
                a = answer_for(path);
                (void) !write(c, a, strlen(a));
                shutdown(c, SHUT_WR);
                usleep(10000);
                close(c);
        }
}

static int setup_server(void **state) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);

        (void) state;
        if (sodium_init() < 0)
                return -1;
        server_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (server_fd < 0 || bind(server_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(server_fd, 16) < 0 ||
            getsockname(server_fd, (struct sockaddr *) &sa, &len) < 0)
                return -1;
        server_port = ntohs(sa.sin_port);
        return pthread_create(&server_thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int teardown_server(void **state) {
        (void) state;
        shutdown(server_fd, SHUT_RDWR);
        close(server_fd);
        pthread_join(server_thread, NULL);
        return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static permit_pubkey *a_key(void) {
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;

        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        permit_seckey_free(sk);
        return pk;
}

static char *url(const char *path) {
        char *u;
        assert_true(asprintf(&u, "http://127.0.0.1:%d%s", server_port, path) > 0);
        return u;
}

/* A client of the loopback server's path, into a fresh profile. */
static permit_client *client_for(const char *path, char **ret_profile) {
        permit_pubkey *pk = a_key();
        permit_client *c = NULL;
        permit_error e = { 0 };
        char *u = url(path);

        *ret_profile = test_tempdir();
        assert_int_equal(permit_client_new(u, pk, *ret_profile, &c, &e), 0);
        permit_client_set_allow_http_loopback(c, true);
        permit_client_set_retries(c, 0, 1);
        permit_client_set_timeouts(c, 2, 2);
        free(u);
        permit_pubkey_free(pk);
        return c;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_new_refuses(void **state) {
        permit_pubkey *pk = a_key();
        permit_client *c = NULL;
        permit_error e = { 0 };
        char *p = test_tempdir();

        (void) state;
        assert_int_equal(permit_client_new(NULL, pk, p, &c, &e), -EINVAL);
        assert_int_equal(permit_client_new("https://example.org/", NULL, p, &c, &e), -EINVAL);
        assert_int_equal(permit_client_new("https://example.org/", pk, p, NULL, &e), -EINVAL);
        assert_int_equal(permit_client_new("", pk, p, &c, &e), -EINVAL);
        assert_int_equal(permit_client_new("not a url", pk, p, &c, &e), -EINVAL);
        assert_non_null(strstr(e.text, "not a valid URL"));
        assert_int_equal(permit_client_new("https://", pk, p, &c, &e), -EINVAL);
        assert_int_equal(permit_client_new("file:///etc/", pk, p, &c, &e), -EPROTONOSUPPORT);
        assert_non_null(strstr(e.text, "scheme 'file' is refused"));
        assert_int_equal(permit_client_new("ftp://127.0.0.1/", pk, p, &c, &e), -EPROTONOSUPPORT);
        assert_null(c);
        /* https is taken; http too (refused at fetch unless loopback is allowed). */
        assert_int_equal(permit_client_new("https://127.0.0.1:1/r", pk, p, &c, &e), 0);
        assert_null(permit_client_index(c));
        assert_int_equal(permit_client_set_ca_file(c, "/nonexistent/ca.pem"), -ENOENT);
        assert_int_equal(permit_client_set_ca_file(NULL, "/etc/hostname"), -EINVAL);
        permit_client_free(c);
        permit_client_free(NULL);
        permit_pubkey_free(pk);
        test_rm_rf(p);
}

static void test_http_needs_loopback_allowed(void **state) {
        char *p, *u = url("/missing/");
        permit_pubkey *pk = a_key();
        permit_client *c = NULL;
        permit_error e = { 0 };

        (void) state;
        p = test_tempdir();
        assert_int_equal(permit_client_new(u, pk, p, &c, &e), 0);
        assert_int_equal(permit_client_fetch_index(c, &e), -EPROTONOSUPPORT);
        assert_non_null(strstr(e.text, "plain http is refused"));
        permit_client_free(c);
        /* 0.0.0.0 is not loopback: refused on the address, before connecting. */
        free(u);
        assert_true(asprintf(&u, "http://0.0.0.0:%d/r/", server_port) > 0);
        assert_int_equal(permit_client_new(u, pk, p, &c, &e), 0);
        permit_client_set_allow_http_loopback(c, true);
        permit_client_set_retries(c, 0, 1);
        assert_int_equal(permit_client_fetch_index(c, &e), -EPROTONOSUPPORT);
        assert_non_null(strstr(e.text, "only to a loopback address, not to 0.0.0.0"));
        permit_client_free(c);
        free(u);
        permit_pubkey_free(pk);
        test_rm_rf(p);
}

static void test_http_errors(void **state) {
        permit_error e = { 0 };
        permit_client *c;
        char *p;

        (void) state;
        c = client_for("/missing/", &p);
        assert_int_equal(permit_client_fetch_index(c, &e), -ENOENT);
        assert_non_null(strstr(e.text, "HTTP 404"));
        assert_int_equal(permit_client_record_index(c, &e), -EINVAL); /* nothing fetched */
        permit_client_free(c);
        test_rm_rf(p);

        c = client_for("/redirect/", &p);
        assert_int_equal(permit_client_fetch_index(c, &e), -EPROTONOSUPPORT);
        assert_non_null(strstr(e.text, "not https"));
        permit_client_free(c);
        test_rm_rf(p);

        /* Bytes that are no signed index: refused before parsing. */
        c = client_for("/garbage/", &p);
        assert_true(permit_client_fetch_index(c, &e) < 0);
        assert_null(permit_client_index(c));
        {
                char *pd = test_join(p, "permit");
                assert_false(test_exists(pd));
                free(pd);
        }
        permit_client_free(c);
        test_rm_rf(p);
}

static int n_retries;
static void count_retries(const permit_client_progress *pr, void *userdata) {
        (void) userdata;
        if (pr->stage == PERMIT_CLIENT_RETRY)
                n_retries++;
}

static void test_retries(void **state) {
        permit_client_timings t;
        permit_error e = { 0 };
        permit_client *c;
        char *p;
        int before;

        (void) state;
        /* 5xx is transient: retried, said through the callback. */
        c = client_for("/error/", &p);
        permit_client_set_retries(c, 2, 1);
        permit_client_set_progress(c, count_retries, NULL);
        n_retries = 0;
        before = __atomic_load_n(&n_requests, __ATOMIC_SEQ_CST);
        assert_int_equal(permit_client_fetch_index(c, &e), -EIO);
        assert_non_null(strstr(e.text, "HTTP 500"));
        assert_int_equal(n_retries, 2);
        assert_int_equal(__atomic_load_n(&n_requests, __ATOMIC_SEQ_CST) - before, 3);
        permit_client_get_timings(c, &t);
        assert_int_equal(t.requests, 3);
        permit_client_free(c);
        test_rm_rf(p);

        /* A 404 is not transient: one request. */
        c = client_for("/missing/", &p);
        permit_client_set_retries(c, 3, 1);
        permit_client_set_progress(c, count_retries, NULL);
        n_retries = 0;
        assert_int_equal(permit_client_fetch_index(c, &e), -ENOENT);
        assert_int_equal(n_retries, 0);
        permit_client_free(c);
        test_rm_rf(p);
}

static void test_connection_refused(void **state) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        permit_pubkey *pk = a_key();
        permit_client *c = NULL;
        permit_error e = { 0 };
        char *p = test_tempdir(), *u;
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        (void) state;
        /* A port that was free a moment ago (bound, not listening). */
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        assert_true(asprintf(&u, "http://127.0.0.1:%d/", ntohs(sa.sin_port)) > 0);
        assert_int_equal(permit_client_new(u, pk, p, &c, &e), 0);
        permit_client_set_allow_http_loopback(c, true);
        permit_client_set_retries(c, 1, 1);
        assert_int_equal(permit_client_fetch_index(c, &e), -ECONNREFUSED);
        close(fd);
        permit_client_free(c);
        free(u);
        permit_pubkey_free(pk);
        test_rm_rf(p);
}

static void test_prepare_commit_refuse(void **state) {
        permit_client_package *pkg = NULL;
        permit_error e = { 0 };
        permit_client *c;
        char *p;

        (void) state;
        c = client_for("/missing/", &p);
        assert_int_equal(permit_client_prepare(c, "org.example.x", &pkg, &e), -EINVAL);
        assert_non_null(strstr(e.text, "no index fetched"));
        assert_int_equal(permit_client_prepare(NULL, "org.example.x", &pkg, &e), -EINVAL);
        assert_int_equal(permit_client_prepare(c, NULL, &pkg, &e), -EINVAL);
        assert_int_equal(permit_client_commit(c, NULL, &e), -EINVAL);
        assert_null(pkg);
        assert_null(permit_client_package_manifest(NULL));
        assert_null(permit_client_package_dir(NULL));
        assert_null(permit_client_package_key(NULL));
        assert_null(permit_client_package_key_id(NULL));
        assert_null(permit_client_package_installed_version(NULL));
        assert_false(permit_client_package_repins(NULL));
        permit_client_package_free(NULL);
        permit_client_free(c);
        test_rm_rf(p);
}

static void test_state(void **state) {
        permit_client_state *st = NULL;
        permit_client_installed inst;
        permit_error e = { 0 };
        char *p = test_tempdir(), *dir = test_join(p, "permit"), *file;

        (void) state;
        /* Missing: empty. */
        assert_int_equal(permit_client_state_load(p, &st, &e), 0);
        assert_int_equal(permit_client_state_n_installed(st), 0);
        assert_int_equal(permit_client_state_find(st, "org.example.x", &inst), -ENOENT);
        assert_int_equal(permit_client_state_installed(st, 0, &inst), -ENOENT);
        assert_int_equal(permit_client_state_last_version(st, "0123456789ABCDEF"), 0);
        assert_int_equal(permit_client_state_find(NULL, "x", &inst), -EINVAL);
        permit_client_state_free(st);
        permit_client_state_free(NULL);
        assert_int_equal(permit_client_state_load(p, NULL, &e), -EINVAL);

        /* Corrupt: refused with where, never replaced. */
        assert_int_equal(mkdir(dir, 0700), 0);
        file = test_join(dir, PERMIT_CLIENT_STATE_NAME);
        test_write_string(file, "{\"format\": 1, \"registries\": {}, \"addons\": {\"x\": 3}}");
        assert_int_equal(permit_client_state_load(p, &st, &e), -EINVAL);
        assert_non_null(strstr(e.text, "no valid version"));
        test_write_string(file, "{\"format\": 2, \"registries\": {}, \"addons\": {}}");
        assert_int_equal(permit_client_state_load(p, &st, &e), -EINVAL);
        test_write_string(file, "{\"format\": 1, \"registries\": {}, \"addons\": {}, \"extra\": 1}");
        assert_int_equal(permit_client_state_load(p, &st, &e), -EINVAL);
        test_write_string(file, "{\"format\": 1, \"registries\": {}");
        assert_int_equal(permit_client_state_load(p, &st, &e), -EINVAL);

        /* A good one. */
        test_write_string(file, "{\"format\": 1, \"registries\": {\"0123456789ABCDEF\": {\"version\": 7}},"
                                " \"addons\": {\"org.b\": {\"version\": \"1.0.0\", \"url\": \"https://r/\"},"
                                " \"org.a\": {\"version\": \"2.0.0\"}}}");
        assert_int_equal(permit_client_state_load(p, &st, &e), 0);
        assert_int_equal(permit_client_state_n_installed(st), 2);
        assert_int_equal(permit_client_state_installed(st, 0, &inst), 0);
        assert_string_equal(inst.id, "org.a");
        assert_int_equal(permit_client_state_find(st, "org.b", &inst), 0);
        assert_string_equal(inst.url, "https://r/");
        assert_int_equal(permit_client_state_last_version(st, "0123456789ABCDEF"), 7);
        permit_client_state_free(st);
        free(file);
        free(dir);
        test_rm_rf(p);
}

static bool streq_dot(const char *name) {
        return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* An HTTP answer with body (free()). */
static char *http_ok(const char *body, size_t len) {
        char *a;
        assert_true(asprintf(&a, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%.*s", len,
                             (int) len, body) > 0);
        return a;
}

/* /signed/ serves an index of version, signed by sk, revoking key_id
 * (NULL: nothing); returns its text (free()). */
static char *serve_index(const char *tmp, const permit_seckey *sk, unsigned version, const char *key_id) {
        char *text = NULL, *ipath = test_join(tmp, "i.json"), *spath = test_join(tmp, "i.json.sig"), *sig;
        permit_error e = { 0 };
        size_t sig_len;

        assert_true(asprintf(&text,
                             "{\"format\":1,\"registry\":\"t\",\"version\":%u,\"issued\":1,\"expires\":%lld,"
                             "\"packages\":{},\"revoked\":{\"keys\":[%s%s%s],\"packages\":[]}}\n",
                             version, (long long) time(NULL) + 86400, key_id ? "{\"key_id\":\"" : "",
                             key_id ? key_id : "", key_id ? "\",\"reason\":\"gone rogue\",\"revoked_at\":1}" : "") > 0);
        test_write_string(ipath, text);
        assert_int_equal(permit_minisig_sign_file(sk, ipath, spath, "t", &e), 0);
        sig = test_read(spath, &sig_len);
        free(signed_index);
        free(signed_sig);
        signed_index = http_ok(text, strlen(text));
        signed_sig = http_ok(sig, sig_len);
        free(sig);
        free(ipath);
        free(spath);
        return text;
}

/* A client of /signed/ with key pk into profile. */
static permit_client *signed_client(const permit_pubkey *pk, const char *profile) {
        permit_client *c = NULL;
        char *u = url("/signed/");

        assert_int_equal(permit_client_new(u, pk, profile, &c, NULL), 0);
        permit_client_set_allow_http_loopback(c, true);
        permit_client_set_retries(c, 0, 1);
        free(u);
        return c;
}

static void test_keep_index(void **state) {
        permit_pubkey *pk = NULL, *dev = a_key();
        permit_seckey *sk = NULL;
        permit_client *c = NULL;
        permit_error e = { 0 };
        permit_revocation_status st;
        char key_id[PERMIT_KEY_ID_STRING_SIZE], dev_id[PERMIT_KEY_ID_STRING_SIZE];
        char *tmp = test_tempdir(), *profile = NULL, *kept = NULL, *u = NULL, *text, *got;
        const char *digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        struct stat sb;
        DIR *d;
        struct dirent *de;

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        permit_pubkey_id_string(pk, key_id);
        permit_pubkey_id_string(dev, dev_id);
        /* A profile whose parents do not exist yet. */
        assert_true(asprintf(&profile, "%s/a/b/profile", tmp) > 0);
        assert_true(asprintf(&kept, "%s/permit/registries/%s", profile, key_id) > 0);

        text = serve_index(tmp, sk, 3, dev_id);
        c = signed_client(pk, profile);
        assert_int_equal(permit_client_fetch_index(c, &e), 0);
        assert_int_equal(stat(profile, &sb), -1); /* fetching writes nothing */
        assert_int_equal(permit_client_record_index(c, &e), 0);
        u = test_join(tmp, "a");
        assert_int_equal(stat(u, &sb), 0);
        assert_int_equal(sb.st_mode & 07777, 0700);
        free(u);
        u = test_join(kept, "index.json");
        got = test_read(u, NULL);
        assert_string_equal(got, text);
        free(got);
        free(text);
        /* What a host checks: revoked, with the reason. */
        assert_int_equal(permit_revocation_check(profile, dev_id, digest, 0, &st, &e), -EKEYREVOKED);
        assert_non_null(strstr(e.text, "gone rogue"));
        permit_client_free(c);

        /* A newer index replaces it whole; nothing is left beside it. */
        text = serve_index(tmp, sk, 4, NULL);
        c = signed_client(pk, profile);
        assert_int_equal(permit_client_fetch_index(c, &e), 0);
        assert_int_equal(permit_client_record_index(c, &e), 0);
        permit_client_free(c);
        free(u);
        u = test_join(kept, "index.json");
        got = test_read(u, NULL);
        assert_string_equal(got, text);
        free(got);
        free(text);
        assert_int_equal(permit_revocation_check(profile, dev_id, digest, 0, &st, &e), 0);
        assert_int_equal(st.n_indexes, 1);
        assert_int_equal(st.n_expired, 0);
        free(u);
        u = test_join(profile, "permit/registries");
        d = opendir(u);
        assert_non_null(d);
        while ((de = readdir(d)))
                assert_true(de->d_name[0] != '.' || streq_dot(de->d_name));
        closedir(d);

        /* An older one is refused at fetch: the kept index stays. */
        free(serve_index(tmp, sk, 2, dev_id));
        c = signed_client(pk, profile);
        assert_int_equal(permit_client_fetch_index(c, &e), -ESTALE);
        assert_int_equal(permit_client_record_index(c, &e), -EINVAL); /* nothing verified to record */
        permit_client_free(c);
        assert_int_equal(permit_revocation_check(profile, dev_id, digest, 0, &st, &e), 0);

        free(signed_index);
        free(signed_sig);
        signed_index = signed_sig = NULL;
        free(u);
        free(kept);
        free(profile);
        permit_pubkey_free(pk);
        permit_pubkey_free(dev);
        permit_seckey_free(sk);
        test_rm_rf(tmp);
}

static void test_remove(void **state) {
        permit_error e = { 0 };
        char *p = test_tempdir(), *addons = test_join(p, "addons"), *a = test_join(addons, "org.example.x"), *f;

        (void) state;
        assert_int_equal(permit_client_remove(p, "../etc", 0, &e), -EINVAL);
        assert_int_equal(permit_client_remove(p, "..", 0, &e), -EINVAL);
        assert_int_equal(permit_client_remove(p, "", 0, &e), -EINVAL);
        assert_int_equal(permit_client_remove(p, NULL, 0, &e), -EINVAL);
        assert_int_equal(permit_client_remove(p, "org.example.x", 0, &e), -ENOENT);
        assert_non_null(strstr(e.text, "not installed"));
        assert_int_equal(permit_client_remove(p, "org.example.x", PERMIT_CLIENT_PURGE, &e), -ENOENT);
        /* Installed (a directory with a subdirectory): gone, nothing left beside. */
        assert_int_equal(mkdir(addons, 0755), 0);
        assert_int_equal(mkdir(a, 0755), 0);
        f = test_join(a, "sub");
        assert_int_equal(mkdir(f, 0755), 0);
        free(f);
        f = test_join(a, "sub/file");
        test_write_string(f, "x");
        free(f);
        assert_int_equal(permit_client_remove(p, "org.example.x", 0, &e), 0);
        assert_false(test_exists(a));
        {
                DIR *d = opendir(p);
                struct dirent *de;
                while ((de = readdir(d)))
                        assert_null(strstr(de->d_name, ".permit-"));
                closedir(d);
        }
        free(a);
        free(addons);
        test_rm_rf(p);
}

static void test_upload(void **state) {
        permit_error e = { 0 };
        char *p = test_tempdir(), *f = test_join(p, "a.zip"), *u = url("/upload/a.zip");

        (void) state;
        test_write_string(f, "zip bytes");
        assert_int_equal(permit_client_upload(NULL, u, "t", NULL, true, 2, &e), -EINVAL);
        assert_int_equal(permit_client_upload(f, u, "", NULL, true, 2, &e), -EINVAL);
        assert_int_equal(permit_client_upload(f, u, "two\nlines", NULL, true, 2, &e), -EINVAL);
        assert_int_equal(permit_client_upload("/nonexistent/a.zip", u, "t", NULL, true, 2, &e), -ENOENT);
        assert_int_equal(permit_client_upload(p, u, "t", NULL, true, 2, &e), -EINVAL); /* a directory */
        assert_int_equal(permit_client_upload(f, u, "t", NULL, false, 2, &e), -EPROTONOSUPPORT);
        assert_int_equal(permit_client_upload(f, "file:///tmp/x", "t", NULL, true, 2, &e), -EPROTONOSUPPORT);
        assert_int_equal(permit_client_upload(f, u, "secret", NULL, true, 2, &e), -EACCES);
        assert_non_null(strstr(e.text, "HTTP 401"));
        assert_null(strstr(e.text, "secret"));
        {
                /* a redirect is not followed, and is no success */
                char *r = url("/redirect/a.zip");
                assert_int_equal(permit_client_upload(f, r, "t", NULL, true, 2, &e), -EIO);
                assert_non_null(strstr(e.text, "HTTP 301"));
                free(r);
        }
        free(u);
        free(f);
        test_rm_rf(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_new_refuses),
                cmocka_unit_test(test_http_needs_loopback_allowed),
                cmocka_unit_test(test_http_errors),
                cmocka_unit_test(test_retries),
                cmocka_unit_test(test_connection_refused),
                cmocka_unit_test(test_prepare_commit_refuse),
                cmocka_unit_test(test_state),
                cmocka_unit_test(test_keep_index),
                cmocka_unit_test(test_remove),
                cmocka_unit_test(test_upload),
        };
        return cmocka_run_group_tests_name("registry-client", tests, setup_server, teardown_server);
}
