/* SPDX-License-Identifier: MIT */
/* Crash safety and concurrency, with real processes:
 * - a writer SIGKILLed at random points, a few hundred times: the store
 *   always opens and holds the last decision the writer saw committed (or
 *   the one it was writing);
 * - two processes approving different add-ons at once: nothing is lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "store-test.h"

#define KILLS 300

/* Version 1.0.N grants sys.notify when N is odd: a record whose version and
 * decisions disagree would be a torn write. */
static void decide_version(permit_store *s, unsigned n) {
        char version[32];
        permit_manifest *m;
        permit_decision *d = NULL;
        permit_error e = { 0 };

        snprintf(version, sizeof(version), "1.0.%u", n);
        m = sto_manifest("org.crash", version,
                         "{\"id\":\"net.connect:api.example.com\"},{\"id\":\"sys.notify\",\"required\":false}");
        assert_int_equal(permit_decision_new(m, permit_store_find(s, "org.crash"), &d), 0);
        assert_int_equal(permit_decision_set(d, "sys.notify", n % 2 == 1), 0);
        if (permit_store_record_decision(s, d, &e) < 0)
                fail_msg("record: %s: %s", e.source, e.text);
        permit_decision_free(d);
        permit_manifest_free(m);
}

static unsigned stored_version(const char *profile) {
        permit_store *s = NULL;
        permit_error e = { 0 };
        const permit_record *r;
        unsigned n;

        if (permit_store_open(profile, 0, &s, &e) < 0)
                fail_msg("store does not open after a kill: %s: %s: %s", e.source, e.path, e.text);
        r = permit_store_find(s, "org.crash");
        assert_non_null(r);
        assert_int_equal(sscanf(permit_record_version(r), "1.0.%u", &n), 1);
        assert_int_equal(permit_record_find_decision(r, "sys.notify")->granted, n % 2 == 1);
        assert_true(permit_record_find_decision(r, "net.connect:api.example.com")->granted);
        permit_store_free(s);
        return n;
}

static void test_kill_writers(void **state) {
        char *dir = test_tempdir();
        unsigned committed = 1, torn_audit = 0, start, inside = 0;
        struct timespec ts, t0, t1;
        long per_write_us;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        srand((unsigned) ts.tv_nsec);
        {
                /* how long one decision takes here (fsyncs): kills land from
                 * before the first one to a few in */
                permit_store *s = sto_open(dir);
                decide_version(s, 1);
                clock_gettime(CLOCK_MONOTONIC, &t0);
                for (unsigned i = 2; i <= 5; i++)
                        decide_version(s, i);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                committed = 5;
                per_write_us = ((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000) / 4;
                permit_store_free(s);
        }
        start = committed;
        for (int k = 0; k < KILLS; k++) {
                int fds[2];
                pid_t pid;
                unsigned n, last = committed;

                assert_int_equal(pipe(fds), 0);
                pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        permit_store *s = sto_open(dir);
                        close(fds[0]);
                        for (unsigned i = committed + 1;; i++) {
                                decide_version(s, i);
                                if (write(fds[1], &i, sizeof(i)) != sizeof(i))
                                        _exit(3);
                        }
                }
                close(fds[1]);
                /* The kill's clock starts when the writer has committed its
                 * first decision, not at fork: a forked sanitizer build or a
                 * loaded machine can take longer to get there than the
                 * sleep, and a kill before any write proves nothing. */
                assert_int_equal(read(fds[0], &n, sizeof(n)), sizeof(n));
                last = n;
                /* then anywhere in the next few writes */
                usleep((useconds_t) (rand() % (4 * per_write_us + 1)));
                kill(pid, SIGKILL);
                assert_int_equal(waitpid(pid, NULL, 0), pid);
                {
                        unsigned first = last;
                        while (read(fds[0], &n, sizeof(n)) == sizeof(n))
                                last = n;
                        /* killed before the next write was reported: most
                         * likely inside it (or between fsync and report) */
                        inside += last == first;
                }
                close(fds[0]);
                n = stored_version(dir);
                /* the last reported commit, or the one being written when killed */
                if (n != last && n != last + 1)
                        fail_msg("kill %d: store holds 1.0.%u, last committed 1.0.%u", k, n, last);
                committed = n;
        }
        /* every complete audit line parses; only the last may be cut */
        {
                char *p = test_join(dir, "permit/audit.jsonl"), *log = test_read(p, NULL), *line = log;
                while (line && *line) {
                        char *nl = strchr(line, '\n');
                        if (!nl)
                                break; /* a cut last line is allowed */
                        *nl = '\0';
                        if (line[0] != '{' || nl[-1] != '}')
                                torn_audit++;
                        line = nl + 1;
                }
                free(log);
                free(p);
        }
        assert_int_equal(torn_audit, 0);
        printf("# %d kills, %u decisions committed between them, %u before the next was reported, "
               "%ld us per decision\n",
               KILLS, committed - start, inside, per_write_us);
        /* the kills must have landed inside writes too, not only between */
        assert_true(inside >= KILLS / 50);
        /* no temp files pile up: the next writer removes them */
        {
                permit_store *s = sto_open(dir);
                char *pd = test_join(dir, "permit"), cmd[4200];
                decide_version(s, committed + 1);
                snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' '%s/manifests' | grep '^\\.')\"", pd, pd);
                assert_int_equal(system(cmd), 0);
                free(pd);
                permit_store_free(s);
        }
        test_rm_rf(dir);
}

#define PER_PROCESS 40

static void test_two_processes(void **state) {
        char *dir = test_tempdir();
        pid_t pids[2];
        permit_store *s;

        permit_store_free(sto_open(dir));
        for (int p = 0; p < 2; p++) {
                pids[p] = fork();
                assert_true(pids[p] >= 0);
                if (pids[p] == 0) {
                        permit_store *mine = sto_open(dir);
                        for (int i = 0; i < PER_PROCESS; i++) {
                                char id[64];
                                permit_manifest *m;
                                snprintf(id, sizeof(id), "org.p%d.addon%d", p, i);
                                m = sto_manifest(id, "1.0.0", "{\"id\":\"sys.notify\"},{\"id\":\"dev.camera\"}");
                                sto_decide(mine, m, NULL);
                                permit_manifest_free(m);
                        }
                        permit_store_free(mine);
                        _exit(0);
                }
        }
        for (int p = 0; p < 2; p++) {
                int status;
                assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        s = sto_open(dir);
        assert_int_equal(permit_store_n_records(s), 2 * PER_PROCESS);
        for (int p = 0; p < 2; p++)
                for (int i = 0; i < PER_PROCESS; i++) {
                        char id[64];
                        snprintf(id, sizeof(id), "org.p%d.addon%d", p, i);
                        assert_non_null(permit_store_find(s, id));
                }
        {
                char *path = test_join(dir, "permit/audit.jsonl"), *log = test_read(path, NULL);
                size_t lines = 0;
                for (char *c = log; *c; c++)
                        lines += *c == '\n';
                assert_int_equal(lines, 2 * PER_PROCESS * 2);
                free(log);
                free(path);
        }
        permit_store_free(s);
        test_rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kill_writers),
                cmocka_unit_test(test_two_processes),
        };
        return cmocka_run_group_tests_name("store-crash", tests, NULL, NULL);
}
