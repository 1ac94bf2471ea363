/* SPDX-License-Identifier: MIT */
/* HTTP(S) transfers: the only file of permit that calls libcurl. https only
 * (CURLOPT_PROTOCOLS_STR, redirects only to https), or http to a loopback
 * address when allowed, checked on the address curl is about to connect
 * to. Bodies are limited and hashed while they stream (curl's
 * libcurl-security.md: enforce size limits in the write callback). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "client-private.h"
#include "error-private.h"
#include "fileio-private.h"
#include "util.h"

typedef struct transfer {
        const transfer_options *o;
        transfer_sink *sink;
        const char *url;
        bool loopback_only;
        bool not_loopback; /* a connection was refused for its address */
        char refused_addr[INET6_ADDRSTRLEN];
        int io_error;      /* writing the sink failed */
        FILE *upload;      /* the body of a PUT, read again from its start on a retry */
} transfer;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void) {
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void *transfer_share_new(void) {
        CURLSH *sh;

        pthread_once(&curl_once, init_curl);
        if (curl_init_result != CURLE_OK)
                return NULL;
        sh = curl_share_init();
        if (!sh)
                return NULL;
        if (curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK ||
            curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
            curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
                curl_share_cleanup(sh);
                return NULL;
        }
        return sh;
}

void transfer_share_free(void *share) {
        if (share)
                curl_share_cleanup(share);
}

uint64_t transfer_now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

int transfer_check_url(const char *url, bool allow_http_loopback, permit_error *error) {
        CURLU *u;
        char *scheme = NULL, *host = NULL;
        int r = 0;

        if (!url || !*url)
                return permit_error_set(error, -EINVAL, NULL, "no URL given");
        u = curl_url();
        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
                r = permit_error_set_at(error, -EINVAL, url, NULL, "not a valid URL");
                goto out;
        }
        if ((streq(scheme, "https") || streq(scheme, "http")) &&
            (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host)) {
                r = permit_error_set_at(error, -EINVAL, url, NULL, "not a valid URL: no host");
                goto out;
        }
        if (streq(scheme, "https"))
                goto out;
        if (streq(scheme, "http") && allow_http_loopback)
                goto out; /* the address is checked when curl connects */
        if (streq(scheme, "http"))
                r = permit_error_set_at(error, -EPROTONOSUPPORT, url, NULL,
                                        "plain http is refused: a registry is fetched over https "
                                        "(--allow-http-loopback allows http to 127.0.0.1 for tests)");
        else
                r = permit_error_set_at(error, -EPROTONOSUPPORT, url, NULL,
                                        "scheme '%s' is refused: a registry is fetched over https", scheme);
out:
        curl_free(scheme);
        curl_free(host);
        curl_url_cleanup(u);
        return r;
}

static bool is_loopback(const struct sockaddr *sa) {
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        }
        if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
                        return true;
                return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
        }
        return false;
}

/* Called with the resolved address before each connection. */
static curl_socket_t open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *a) {
        transfer *t = userdata;

        if (t->loopback_only && !is_loopback(&a->addr)) {
                const void *addr = a->family == AF_INET ? (const void *) &((struct sockaddr_in *) &a->addr)->sin_addr
                                                         : (const void *) &((struct sockaddr_in6 *) &a->addr)->sin6_addr;
                t->not_loopback = true;
                if (!inet_ntop(a->family, addr, t->refused_addr, sizeof(t->refused_addr)))
                        snprintf(t->refused_addr, sizeof(t->refused_addr), "?");
                return CURL_SOCKET_BAD;
        }
        return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t write_body(char *data, size_t size, size_t nmemb, void *userdata) {
        transfer *t = userdata;
        transfer_sink *s = t->sink;
        size_t n = size * nmemb;

        if (n > s->max || s->received > s->max - n) {
                s->overflow = true;
                return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
        }
        if (s->hash) {
                uint64_t t0 = transfer_now_ns();
                crypto_generichash_update(&s->state, (const unsigned char *) data, n);
                if (t->o->timings)
                        t->o->timings->hash_ns += transfer_now_ns() - t0;
        }
        if (s->fd >= 0) {
                int r = permit_write_all(s->fd, data, n);
                if (r < 0) {
                        t->io_error = r;
                        return 0;
                }
        } else {
                if (s->len + n + 1 > s->cap) {
                        size_t cap = s->cap ? s->cap : 4096;
                        char *p;
                        while (cap < s->len + n + 1)
                                cap *= 2;
                        p = realloc(s->buf, cap);
                        if (!p) {
                                t->io_error = -ENOMEM;
                                return 0;
                        }
                        s->buf = p;
                        s->cap = cap;
                }
                memcpy(s->buf + s->len, data, n);
                s->len += n;
                s->buf[s->len] = '\0';
        }
        s->received += n;
        return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
        transfer *t = userdata;
        const transfer_options *o = t->o;

        if (o->progress) {
                bool up = ultotal > 0;
                permit_client_progress p = {
                        .stage = o->stage,
                        .what = t->url,
                        .done = (uint64_t) (up ? ulnow : dlnow),
                        .total = (uint64_t) (up ? ultotal : dltotal),
                };
                if (!up && t->sink && t->sink->max_is_announced)
                        p.total = t->sink->max;
                o->progress(&p, o->userdata);
        }
        return 0;
}

static void sink_reset(transfer_sink *s) {
        s->received = 0;
        s->overflow = false;
        s->len = 0;
        if (s->fd >= 0) {
                (void) !ftruncate(s->fd, 0);
                (void) lseek(s->fd, 0, SEEK_SET);
        }
        if (s->hash)
                crypto_generichash_init(&s->state, NULL, 0, crypto_generichash_BYTES);
}

void transfer_sink_clear(transfer_sink *s) {
        free(s->buf);
        s->buf = NULL;
        s->len = s->cap = 0;
}

/* What curl said about a failure: its error buffer, else the code's text. */
static const char *curl_says(const char *errbuf, CURLcode code) {
        return errbuf[0] ? errbuf : curl_easy_strerror(code);
}

/* A curl result as -errno and one line; *transient when a retry may help. */
static int curl_failure(transfer *t, CURL *h, CURLcode code, const char *errbuf, permit_error *error,
                        bool *transient) {
        const char *url = t->url;
        long status = 0;

        *transient = false;
        if (t->io_error)
                return permit_error_set_at(error, t->io_error, url, NULL, "cannot store the download: %s",
                                           strerror(-t->io_error));
        if (t->sink && t->sink->overflow) {
                if (t->sink->max_is_announced)
                        return permit_error_set_at(error, -EFBIG, url, NULL,
                                                   "the server sent more than the %llu bytes the index announces: "
                                                   "refused",
                                                   (unsigned long long) t->sink->max);
                return permit_error_set_at(error, -EFBIG, url, NULL, "larger than %llu bytes: refused",
                                           (unsigned long long) t->sink->max);
        }
        if (t->not_loopback)
                return permit_error_set_at(error, -EPROTONOSUPPORT, url, NULL,
                                           "http is allowed only to a loopback address, not to %s: refused",
                                           t->refused_addr);
        switch (code) {
        case CURLE_FILESIZE_EXCEEDED:
                return permit_error_set_at(error, -EFBIG, url, NULL,
                                           "the server announces more than the %llu bytes the index lists: refused",
                                           (unsigned long long) (t->sink ? t->sink->max : 0));
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_TOO_MANY_REDIRECTS:
                return permit_error_set_at(error, -EPROTONOSUPPORT, url, NULL,
                                           "redirected to a URL that is not https: refused (%s)",
                                           curl_says(errbuf, code));
        case CURLE_HTTP_RETURNED_ERROR:
                curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
                *transient = status >= 500 || status == 408 || status == 429;
                if (status == 404 || status == 410)
                        return permit_error_set_at(error, -ENOENT, url, NULL, "not found on the server (HTTP %ld)",
                                                   status);
                if (status == 401 || status == 403)
                        return permit_error_set_at(error, -EACCES, url, NULL, "access refused by the server (HTTP %ld)",
                                                   status);
                return permit_error_set_at(error, -EIO, url, NULL, "the server answered HTTP %ld", status);
        case CURLE_OPERATION_TIMEDOUT:
                *transient = true;
                return permit_error_set_at(error, -ETIMEDOUT, url, NULL, "timed out: %s",
                                           errbuf[0] ? errbuf : "no progress");
        case CURLE_COULDNT_CONNECT:
                *transient = true;
                return permit_error_set_at(error, -ECONNREFUSED, url, NULL, "cannot connect: %s",
                                           curl_says(errbuf, code));
        case CURLE_COULDNT_RESOLVE_HOST:
                *transient = true;
                return permit_error_set_at(error, -EHOSTUNREACH, url, NULL, "cannot resolve the host: %s",
                                           curl_says(errbuf, code));
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
                return permit_error_set_at(error, -EKEYREJECTED, url, NULL, "TLS: %s: refused",
                                           curl_says(errbuf, code));
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
                *transient = true;
                return permit_error_set_at(error, -EIO, url, NULL, "transfer cut: %s",
                                           curl_says(errbuf, code));
        default:
                return permit_error_set_at(error, -EIO, url, NULL, "%s", curl_says(errbuf, code));
        }
}

/* One easy handle with every rule set. */
static CURL *new_handle(transfer *t, const char *url, char errbuf[CURL_ERROR_SIZE]) {
        const transfer_options *o = t->o;
        CURL *h = curl_easy_init();

        if (!h)
                return NULL;
        t->loopback_only = startswith(url, "http://");
        errbuf[0] = '\0';
        if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->allow_http_loopback ? "https,http" : "https") != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK) {
                curl_easy_cleanup(h);
                return NULL;
        }
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
        if (o->ca_file)
                curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
        /* One client's requests share connections (one TLS handshake for the
         * index, its signature and the packages); a reused connection was
         * checked by open_socket() when it was opened. */
        if (o->share)
                curl_easy_setopt(h, CURLOPT_SHARE, (CURLSH *) o->share);
        if (t->loopback_only)
                curl_easy_setopt(h, CURLOPT_PROXY, ""); /* a proxy would be the address connected to */
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long) (o->connect_s ? o->connect_s : 10));
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long) (o->stall_s ? o->stall_s : 30));
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, t);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "permit-registry/" "0.1");
        return h;
}

static void pause_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Runs a prepared handle, retrying transient failures. */
static int perform(transfer *t, CURL *h, const char *errbuf, permit_error *error) {
        const transfer_options *o = t->o;
        unsigned backoff = o->backoff_ms;
        int r = 0;

        for (unsigned attempt = 0;; attempt++) {
                uint64_t t0 = transfer_now_ns(), hash0 = o->timings ? o->timings->hash_ns : 0;
                CURLcode code;
                bool transient = false;

                if (t->sink)
                        sink_reset(t->sink);
                if (t->upload)
                        rewind(t->upload);
                t->not_loopback = false;
                t->io_error = 0;
                code = curl_easy_perform(h);
                if (o->timings) {
                        o->timings->network_ns += transfer_now_ns() - t0 - (o->timings->hash_ns - hash0);
                        o->timings->requests++;
                        if (t->sink)
                                o->timings->bytes += t->sink->received;
                }
                if (code == CURLE_OK)
                        return 0;
                permit_error_clear(error);
                r = curl_failure(t, h, code, errbuf, error, &transient);
                if (!transient || attempt >= o->retries)
                        return r;
                if (o->progress) {
                        permit_client_progress p = { .stage = PERMIT_CLIENT_RETRY, .what = t->url, .done = attempt + 1,
                                                     .total = o->retries };
                        o->progress(&p, o->userdata);
                }
                pause_ms(backoff);
                backoff = backoff < 60000 ? backoff * 2 : backoff;
        }
}

int transfer_get(const transfer_options *o, const char *url, transfer_sink *sink, permit_error *error) {
        transfer t = { .o = o, .sink = sink, .url = url };
        char errbuf[CURL_ERROR_SIZE];
        CURL *h;
        int r;

        r = transfer_check_url(url, o->allow_http_loopback, error);
        if (r < 0)
                return r;
        pthread_once(&curl_once, init_curl);
        if (curl_init_result != CURLE_OK)
                return permit_error_set(error, -EIO, NULL, "cannot initialise libcurl");
        h = new_handle(&t, url, errbuf);
        if (!h)
                return permit_error_set_at(error, -ENOMEM, url, NULL, "cannot set up the transfer");
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
        if (sink->max_is_announced)
                curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) sink->max);
        r = perform(&t, h, errbuf, error);
        curl_easy_cleanup(h);
        if (r < 0)
                return r;
        if (sink->hash)
                crypto_generichash_final(&sink->state, sink->digest, sizeof(sink->digest));
        if (o->progress) {
                permit_client_progress p = { .stage = o->stage, .what = url, .done = sink->received,
                                             .total = sink->max_is_announced ? sink->max : sink->received,
                                             .finished = true };
                o->progress(&p, o->userdata);
        }
        return 0;
}

static size_t discard_body(char *data, size_t size, size_t nmemb, void *userdata) {
        return size * nmemb;
}

int transfer_put(const transfer_options *o, const char *url, int fd, uint64_t size, const char *header,
                 permit_error *error) {
        transfer t = { .o = o, .url = url };
        struct curl_slist *headers = NULL;
        char errbuf[CURL_ERROR_SIZE];
        FILE *f;
        CURL *h;
        int r;

        r = transfer_check_url(url, o->allow_http_loopback, error);
        if (r < 0)
                return r;
        pthread_once(&curl_once, init_curl);
        if (curl_init_result != CURLE_OK)
                return permit_error_set(error, -EIO, NULL, "cannot initialise libcurl");
        f = fdopen(dup(fd), "rb");
        if (!f)
                return permit_error_set_at(error, negative_errno(), url, NULL, "cannot read the file to upload");
        h = new_handle(&t, url, errbuf);
        headers = header ? curl_slist_append(NULL, header) : NULL;
        if (!h || (header && !headers)) {
                r = permit_error_set_at(error, -ENOMEM, url, NULL, "cannot set up the transfer");
                goto out;
        }
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READDATA, f);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) size);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
        /* The bearer token must not follow a redirect to another host. */
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        t.upload = f;
        r = perform(&t, h, errbuf, error);
out:
        curl_slist_free_all(headers);
        if (h)
                curl_easy_cleanup(h);
        fclose(f);
        return r;
}
