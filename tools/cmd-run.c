/* SPDX-License-Identifier: MIT */
/* permit run: a command under a sandbox compiled from capabilities given
 * on the command line. The escape suite (tests/escape/) and scripts depend
 * on its options and exit statuses: doc/permit.1.scd is the contract.
 *
 * Fast path: with --data and --tmp given and no wall-time limit there is
 * nothing to clean up or watch, so permit restricts itself and executes
 * the command (no fork). Otherwise it starts the command with
 * permit_spawn(), waits (killing it past its wall time) and removes the
 * private folders it made.
 *
 * The add-on form (--profile DIR ADDON, --addon ADDON) reads the grants from
 * the consent store (tools/run-addon.c): the static front, which links the
 * enforcer alone, executes permit-tool for it. */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "permit/capability.h"
#include "permit/enforcer.h"
#ifndef PERMIT_FRONT
#include "permit/broker.h"
#endif
#include "run-addon.h"
#include "tool.h"

#define MAX_ALLOW 256
#define MAX_RESOLVE 64

extern char **environ;

static void help(void) {
        puts("Usage: permit run [OPTIONS...] -- CMD [ARGS...]\n"
             "       permit run (--profile DIR ADDON | --addon ADDON) [OPTIONS...] [-- CMD [ARGS...]]\n"
             "\n"
             "Runs CMD in a sandbox that allows only the given capabilities (Landlock,\n"
             "seccomp, resource limits; doc/capabilities.md). With none, CMD sees the\n"
             "system's read-only files, may write in $DATA and $TMP, has no network and\n"
             "may run no other program.\n"
             "\n"
             "  --allow CAP            grant a capability (repeatable): fs.read:$HOME/x,\n"
             "                         fs.write:$DOCUMENTS, net.connect:api.example.com:443,\n"
             "                         net.listen:8080, proc.exec:/bin/sh...\n"
             "  --net MODE             how net.connect/net.listen grants are served: broker\n"
             "                         (default: CMD has no IP socket of its own; the network\n"
             "                         broker in this process connects for it, by host name,\n"
             "                         on fd 4; doc/broker.md), proxy (CMD in a network\n"
             "                         namespace whose only way out is the broker's HTTP proxy,\n"
             "                         HTTPS_PROXY=http://127.0.0.1:3128: curl, urllib work\n"
             "                         unchanged) or direct (TCP sockets, Landlock checks\n"
             "                         ports, not hosts)\n"
             "  --resolve HOST=IP      the broker connects to IP for HOST, without DNS\n"
             "                         (repeatable, like curl --resolve)\n"
             "  --addon-dir DIR        $ADDON (readable)\n"
             "  --data DIR, --tmp DIR  $DATA, $TMP (writable); default: a new private folder\n"
             "                         for each, removed when CMD exits\n"
             "  --home DIR             $HOME ($DOCUMENTS is DIR/Documents, $DOWNLOADS\n"
             "                         DIR/Downloads); default: $HOME\n"
             "  --clearenv             start CMD with only PATH, LANG, HOME=$DATA, TMPDIR and\n"
             "                         PERMIT_DATA/PERMIT_TMP/PERMIT_ADDON (default: keep the\n"
             "                         environment, adding those but PATH, LANG and HOME)\n"
             "  --limit NAME=VALUE     memory_mb, cpu_seconds, processes, open_files,\n"
             "                         file_size_mb, wall_seconds (repeatable)\n"
             "  --landlock-abi N       use at most Landlock ABI N (0-7; 0: none)\n"
             "  --require-full         refuse to run unless everything is fully enforced\n"
             "  --report               print the enforcement report on stderr first\n"
             "  --json                 ... as JSON\n"
             "  --profile-dir DIR      $PROFILE; its permit/ store is never visible, even\n"
             "                         under a grant that contains it (fs.write:$HOME);\n"
             "                         default: $XDG_DATA_HOME/permit/profiles/default\n"
             "                         (with --home DIR: DIR/.local/share/permit/...)\n"
             "\n"
             "The add-on form runs CMD under what the user granted ADDON instead of --allow:\n"
             "  --profile DIR ADDON    the grants recorded for ADDON in profile DIR\n"
             "  --addon ADDON          ... in the default profile\n"
             "  --policy FILE          the host policy: capabilities denied, limit caps,\n"
             "                         require_full_enforcement, landlock_abi_max,\n"
             "                         expire_unused_days (doc/store.md); --limit may\n"
             "                         only lower limits\n"
             "  --once CAP             grant an optional capability of ADDON for this run\n"
             "                         only (repeatable): never recorded, logged in\n"
             "                         audit.jsonl; the policy still applies\n"
             "$ADDON is DIR/addons/ADDON when the package is installed there (verified\n"
             "against the pinned key each time; a package that does not verify is\n"
             "refused), $DATA is DIR/data/ADDON (kept), $TMP a new private folder.\n"
             "Without CMD, the package's entry program ($ADDON/ENTRY) runs.\n"
             "Refused (125) when a required capability is denied or not approved.\n"
             "\n"
             "Exit status: CMD's; 128+N when it was killed by signal N; 125 when permit\n"
             "failed (bad option, sandbox not set up, --require-full not met); 126 when\n"
             "CMD is not executable; 127 when it is not found.\n"
             "\n"
             "Example:\n"
             "  permit run --allow 'fs.read:$DOCUMENTS' -- python3 script.py\n"
             "  permit run --profile ~/p org.example.hello -- python3 ~/p/addons/org.example.hello/main.py");
}

int run_fail(const char *format, ...) {
        va_list ap;

        fputs("permit run: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        return RUN_FAILED;
}

static int parse_limit(const char *arg, permit_sandbox_limits *l) {
        static const struct {
                const char *name;
                size_t offset;
        } names[] = {
                { "memory_mb", offsetof(permit_sandbox_limits, memory_mb) },
                { "cpu_seconds", offsetof(permit_sandbox_limits, cpu_seconds) },
                { "processes", offsetof(permit_sandbox_limits, processes) },
                { "open_files", offsetof(permit_sandbox_limits, open_files) },
                { "file_size_mb", offsetof(permit_sandbox_limits, file_size_mb) },
                { "wall_seconds", offsetof(permit_sandbox_limits, wall_seconds) },
        };
        const char *eq = strchr(arg, '=');
        char *end;
        unsigned long long v;

        if (!eq)
                return run_fail("--limit %s: expected NAME=VALUE", arg);
        errno = 0;
        v = strtoull(eq + 1, &end, 10);
        if (errno || end == eq + 1 || *end || eq[1] == '-' || v == 0 || v > (1ULL << 40))
                return run_fail("--limit %s: VALUE must be a whole number from 1", arg);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strlen(names[i].name) == (size_t) (eq - arg) && strncmp(arg, names[i].name, (size_t) (eq - arg)) == 0) {
                        *(uint64_t *) ((char *) l + names[i].offset) = v;
                        return 0;
                }
        return run_fail("--limit %.*s: unknown limit (memory_mb, cpu_seconds, processes, open_files, file_size_mb, "
                        "wall_seconds)",
                        (int) (eq - arg), arg);
}

/* A folder given on the command line, made if missing, as an absolute path. */
static int folder(const char *opt, const char *dir, char **ret) {
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return run_fail("%s %s: %s", opt, dir, strerror(errno));
        *ret = realpath(dir, NULL);
        if (!*ret)
                return run_fail("%s %s: %s", opt, dir, strerror(errno));
        return 0;
}

static int private_folder(const char *what, char **ret) {
        const char *base = getenv("TMPDIR");

        if (!base || base[0] != '/')
                base = "/tmp";
        if (asprintf(ret, "%s/permit-%s.XXXXXX", base, what) < 0)
                return run_fail("out of memory");
        if (!mkdtemp(*ret))
                return run_fail("cannot make a %s folder in %s: %s", what, base, strerror(errno));
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st;
        (void) type;
        (void) ftw;
        remove(path);
        return 0;
}

static void remove_tree(const char *dir) {
        /* FTW_PHYS: never follow a symbolic link the command left behind. */
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static int set_env(bool clear, const char *data, const char *tmp, const char *addon) {
        if (clear && (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) < 0 || setenv("LANG", "C.UTF-8", 1) < 0 ||
                      setenv("HOME", data, 1) < 0))
                return -ENOMEM;
        if (setenv("PERMIT_DATA", data, 1) < 0 || setenv("PERMIT_TMP", tmp, 1) < 0 || setenv("TMPDIR", tmp, 1) < 0)
                return -ENOMEM;
        if (addon && setenv("PERMIT_ADDON", addon, 1) < 0)
                return -ENOMEM;
        return 0;
}

static volatile sig_atomic_t child_pid;

static void forward(int sig) {
        if (child_pid > 0)
                kill(child_pid, sig);
}

/* permit_spawn()'s failure as permit run's exit status. */
static int spawn_failed(int r, const char *cmd) {
        if (r == -ENOENT)
                return run_fail("%s: %s", cmd, strerror(-r)), RUN_NOT_FOUND;
        if (r == -EACCES || r == -ENOEXEC || r == -EPERM)
                return run_fail("%s: %s", cmd, strerror(-r)), RUN_NOT_EXECUTABLE;
        return run_fail("cannot start %s: %s", cmd, strerror(-r));
}

/* ^C reaches CMD through the terminal; permit waits for it to clean up. */
static void forward_signals(const permit_child *c) {
        struct sigaction sa = { .sa_handler = forward }, ign = { .sa_handler = SIG_IGN };

        child_pid = permit_child_pid(c);
        sigaction(SIGINT, &ign, NULL);
        sigaction(SIGQUIT, &ign, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
}

/* CMD's wait status (r: permit_child_wait()'s result) as the exit status. */
static int exit_status(int r, int status, bool killed, const char *cmd, uint64_t wall) {
        if (r < 0)
                return run_fail("waiting for %s: %s", cmd, strerror(-r));
        if (killed)
                fprintf(stderr, "permit run: %s killed after its wall time (%" PRIu64 " s)\n", cmd, wall);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return RUN_FAILED;
}

/* Fork mode: start, wait with the watchdog, return CMD's status. */
static int run_child(const permit_ruleset *rs, char **argv, uint64_t wall) {
        permit_child *c = NULL;
        bool killed = false;
        int r, status = 0;

        r = permit_spawn(rs, (const char *const *) argv, (const char *const *) environ,
                         PERMIT_SPAWN_STDIO | PERMIT_SPAWN_KEEP_ENV | PERMIT_SPAWN_NO_SOCKET, &c);
        if (r < 0)
                return spawn_failed(r, argv[0]);
        forward_signals(c);
        r = permit_child_wait(c, -1, &status, &killed);
        permit_child_free(c);
        return exit_status(r, status, killed, argv[0], wall);
}

#ifndef PERMIT_FRONT
static void broker_said(void *userdata, const permit_broker_decision *d) {
        if (d->capability)
                return;
        if (d->host)
                fprintf(stderr, "permit run: network broker refused %s:%u: %s\n", d->host, d->port, d->reason);
        else if (d->port)
                fprintf(stderr, "permit run: network broker refused listening on port %u: %s\n", d->port, d->reason);
        else
                fprintf(stderr, "permit run: network broker refused a request: %s\n", d->reason);
}

static void broker_cut_off(void *userdata, permit_broker_client *c, bool abuse) {
        /* The command's own broker socket: past the abuse bound, it is killed. */
        if (abuse) {
                fprintf(stderr, "permit run: %s flooded the network broker with bad requests: killed\n",
                        (const char *) userdata);
                if (child_pid > 0)
                        kill(child_pid, SIGKILL);
        }
}

/* NULL when this process may make a network namespace (root, or
 * unprivileged user namespaces allowed), else why not. */
static const char *no_namespaces(char *buf, size_t size) {
        static const char *const knobs[] = { "/proc/sys/kernel/unprivileged_userns_clone",
                                             "/proc/sys/user/max_user_namespaces" };

        if (geteuid() == 0)
                return NULL;
        for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
                FILE *f = fopen(knobs[i], "re");
                long v = -1;

                if (!f)
                        continue;
                if (fscanf(f, "%ld", &v) != 1)
                        v = -1;
                fclose(f);
                if (v == 0) {
                        snprintf(buf, size, "user namespaces are off for unprivileged users (%s = 0)", knobs[i] + 10);
                        return buf;
                }
        }
        return NULL;
}

/* Broker mode: permit stays the parent, serving CMD's broker socket until
 * CMD exits; signals are forwarded as in run_child. Proxy mode: the same,
 * CMD in a network namespace of its own with the broker's proxy. */
static int run_brokered(const permit_ruleset *rs, char **argv, uint64_t wall, const char *id,
                        const char *const *caps, size_t n_caps, const char *const *resolve, size_t n_resolve,
                        permit_store *audit, bool proxy) {
        static const char *const proxy_vars[] = { "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY",
                                                  "https_proxy", "http_proxy", "all_proxy" };
        permit_broker_client *client = NULL;
        char why[160];
        permit_broker *b = NULL;
        permit_child *c = NULL;
        bool killed = false;
        int r, status = 0, fd;

        r = permit_broker_new(&(permit_broker_options) { .audit = audit, .on_decision = broker_said,
                                                         .on_client_gone = broker_cut_off, .userdata = (void *) id },
                              &b);
        if (r < 0)
                return run_fail("cannot start the network broker: %s", strerror(-r));
        for (size_t i = 0; i < n_resolve; i++)
                if (permit_broker_resolve_add(b, resolve[i]) < 0) {
                        permit_broker_free(b);
                        return run_fail("--resolve %s: expected HOST=IP (a host name and an IPv4 or IPv6 address)",
                                        resolve[i]);
                }
        if (proxy && no_namespaces(why, sizeof(why))) {
                permit_broker_free(b);
                return run_fail("--net proxy: proxy mode needs a network namespace: %s; use --net broker", why);
        }
        if (setenv("PERMIT_BROKER_FD", "4", 1) < 0) {
                permit_broker_free(b);
                return run_fail("out of memory");
        }
        for (size_t i = 0; proxy && i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++)
                if (setenv(proxy_vars[i], "http://127.0.0.1:3128", 1) < 0) {
                        permit_broker_free(b);
                        return run_fail("out of memory");
                }
        if (proxy)
                unsetenv("NO_PROXY"), unsetenv("no_proxy");
        r = permit_spawn(rs, (const char *const *) argv, (const char *const *) environ,
                         PERMIT_SPAWN_STDIO | PERMIT_SPAWN_KEEP_ENV | PERMIT_SPAWN_NO_SOCKET | PERMIT_SPAWN_BROKER |
                                 (proxy ? PERMIT_SPAWN_PROXY : 0),
                         &c);
        if (r < 0) {
                permit_broker_free(b);
                if (proxy && (r == -EPERM || r == -ENOSPC || r == -EINVAL || r == -EUSERS))
                        return run_fail("--net proxy: cannot make the network namespace: %s; use --net broker",
                                        strerror(-r));
                return spawn_failed(r, argv[0]);
        }
        forward_signals(c);
        fd = dup(permit_child_broker_socket(c));
        r = fd < 0 ? -errno : permit_broker_add_client(b, id, caps, n_caps, fd, &client);
        if (r >= 0 && proxy) {
                fd = dup(permit_child_proxy_listener(c));
                r = fd < 0 ? -errno : permit_broker_add_proxy(b, client, fd);
        }
        if (r < 0) {
                permit_child_free(c);
                permit_broker_free(b);
                return run_fail("network broker: %s", strerror(-r));
        }
        for (;;) {
                struct pollfd p[2] = { { .fd = permit_child_pidfd(c), .events = POLLIN },
                                       { .fd = permit_broker_fd(b), .events = POLLIN } };

                if (poll(p, 2, wall ? 250 : -1) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
                if (p[1].revents && (r = permit_broker_dispatch(b, 0)) < 0)
                        break;
                r = permit_child_wait(c, 0, &status, &killed);
                if (r != 0)
                        break;
        }
        permit_child_free(c);
        permit_broker_free(b);
        return exit_status(r, status, killed, argv[0], wall);
}
#endif

static bool is_net_cap(const char *id) {
        return strncmp(id, "net.connect:", 12) == 0 || strncmp(id, "net.listen:", 11) == 0;
}

static int print_report(const permit_ruleset *rs, bool json) {
        char *text = NULL;
        int r = permit_ruleset_report(rs, json, &text);

        if (r < 0)
                return run_fail("report: %s", strerror(-r));
        fputs(text, stderr);
        if (json)
                fputc('\n', stderr);
        free(text);
        return 0;
}

int cmd_run(int argc, char **argv) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "allow", required_argument, NULL, 'a' },
                { "addon-dir", required_argument, NULL, 'A' },
                { "data", required_argument, NULL, 'd' },
                { "tmp", required_argument, NULL, 't' },
                { "home", required_argument, NULL, 'H' },
                { "clearenv", no_argument, NULL, 'c' },
                { "limit", required_argument, NULL, 'l' },
                { "landlock-abi", required_argument, NULL, 'L' },
                { "require-full", no_argument, NULL, 'f' },
                { "report", no_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "profile", required_argument, NULL, 'p' },
                { "profile-dir", required_argument, NULL, 'P' },
                { "addon", required_argument, NULL, 'x' },
                { "policy", required_argument, NULL, 'y' },
                { "net", required_argument, NULL, 'n' },
                { "resolve", required_argument, NULL, 'R' },
                { "once", required_argument, NULL, 'o' },
                { NULL, 0, NULL, 0 },
        };
        const char *once[MAX_ALLOW + 1] __attribute__((unused)) = { NULL };
        const char *resolve[MAX_RESOLVE] __attribute__((unused)), *allow[MAX_ALLOW], *data_opt = NULL, *tmp_opt = NULL, *home_opt = NULL, *addon_opt = NULL,
                                      *profile = NULL, *profile_dir = NULL, *addon_id = NULL, *policy_file = NULL;
        char *data = NULL, *tmp = NULL, *addon = NULL, *home = NULL, *profile_path = NULL;
        bool clear = false, report = false, json = false, made_data = false, made_tmp = false, home_given, net_set = false;
        permit_sandbox_options policy = { 0 };
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };
        run_addon granted __attribute__((unused)) = { 0 };
        char *entry_argv[2] = { NULL, NULL }, **cmd;
        size_t n_allow = 0, n_resolve = 0, n_once = 0;
        bool net_caps = false, brokered __attribute__((unused));
        int opt, r, status;

        opterr = 0;
        for (;;) {
                opt = getopt_long(argc, argv, "+h", options, NULL);
                if (opt == -1) {
                        /* --profile DIR ADDON: the operand, then more options. */
                        if (profile && !addon_id && optind < argc && strcmp(argv[optind - 1], "--") != 0 &&
                            strcmp(argv[optind], "--") != 0) {
                                addon_id = argv[optind++];
                                continue;
                        }
                        break;
                }
                switch (opt) {
                case 'h':
                        help();
                        return EXIT_OK;
                case 'a':
                        if (permit_capability_check(optarg, &error) < 0)
                                return run_fail("--allow '%s': %s", optarg, error.text);
                        if (n_allow == MAX_ALLOW)
                                return run_fail("--allow: at most %d capabilities", MAX_ALLOW);
                        allow[n_allow++] = optarg;
                        net_caps = net_caps || is_net_cap(optarg);
                        break;
                case 'n':
                        if (strcmp(optarg, "broker") == 0)
                                policy.net = PERMIT_NET_BROKER;
                        else if (strcmp(optarg, "direct") == 0)
                                policy.net = PERMIT_NET_DIRECT;
                        else if (strcmp(optarg, "proxy") == 0)
                                policy.net = PERMIT_NET_PROXY;
                        else
                                return run_fail("--net %s: must be broker, direct or proxy", optarg);
                        net_set = true;
                        break;
                case 'R':
                        if (n_resolve == MAX_RESOLVE)
                                return run_fail("--resolve: at most %d entries", MAX_RESOLVE);
                        if (!strchr(optarg, '='))
                                return run_fail("--resolve %s: expected HOST=IP", optarg);
                        resolve[n_resolve++] = optarg;
                        break;
                case 'A':
                        addon_opt = optarg;
                        break;
                case 'd':
                        data_opt = optarg;
                        break;
                case 't':
                        tmp_opt = optarg;
                        break;
                case 'H':
                        home_opt = optarg;
                        break;
                case 'c':
                        clear = true;
                        break;
                case 'l':
                        if (parse_limit(optarg, &policy.limits) != 0)
                                return RUN_FAILED;
                        break;
                case 'L':
                        if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '0' + PERMIT_LANDLOCK_ABI_MAX)
                                return run_fail("--landlock-abi %s: must be 0-%d", optarg, PERMIT_LANDLOCK_ABI_MAX);
                        policy.landlock_abi_max = (unsigned) (optarg[0] - '0');
                        policy.no_landlock = optarg[0] == '0';
                        break;
                case 'f':
                        policy.require_full = true;
                        break;
                case 'r':
                        report = true;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'p':
                        profile = optarg;
                        break;
                case 'P':
                        profile_dir = optarg;
                        break;
                case 'x':
                        addon_id = optarg;
                        break;
                case 'y':
                        policy_file = optarg;
                        break;
                case 'o':
                        if (permit_capability_check(optarg, &error) < 0)
                                return run_fail("--once '%s': %s", optarg, error.text);
                        if (n_once == MAX_ALLOW)
                                return run_fail("--once: at most %d capabilities", MAX_ALLOW);
                        once[n_once++] = optarg;
                        break;
                default:
                        return run_fail("unknown option or missing value: '%s' (see 'permit run --help')",
                                        argv[optind - 1]);
                }
        }
        if (profile && !addon_id)
                return run_fail("--profile DIR needs an ADDON id: permit run --profile DIR ADDON -- CMD [ARGS...]");
        if (addon_id && (n_allow || addon_opt || data_opt || profile_dir))
                return run_fail("%s: the add-on form takes its capabilities and folders from the store "
                                "(no --allow, --addon-dir, --data, --profile-dir)",
                                addon_id);
        if (policy_file && !addon_id)
                return run_fail("--policy needs the add-on form (--profile DIR ADDON or --addon ADDON)");
        /* Broker mode unless --net direct: net grants are served by name. */
        if (!net_set)
                policy.net = PERMIT_NET_BROKER;
        if (n_once && !addon_id)
                return run_fail("--once needs the add-on form (--profile DIR ADDON or --addon ADDON); "
                                "without one, --allow grants for one run");
#ifdef PERMIT_FRONT
        /* The store is not linked into the front, nor the broker (which
         * resolves names: NSS wants a dynamic program): permit-tool runs these. */
        if (addon_id || (net_caps && policy.net != PERMIT_NET_DIRECT)) {
                front_exec_tool();
                return run_fail("cannot start permit-tool: %s", strerror(errno));
        }
#endif
        if (optind < argc && strcmp(argv[optind - 1], "--") != 0 && strcmp(argv[optind], "--") == 0)
                optind++;
        /* The add-on form without CMD runs the installed package's entry. */
        if (optind >= argc && !addon_id)
                return run_fail("needs a command: permit run [OPTIONS...] -- CMD [ARGS...]");
        cmd = argv + optind; /* NULL-terminated; cmd[0] NULL: no command */

        if (addon_opt && !(addon = realpath(addon_opt, NULL))) {
                status = run_fail("--addon-dir %s: %s", addon_opt, strerror(errno));
                goto out;
        }
        /* No getpwuid(): the front is linked statically, without NSS. */
        if (profile_dir && !(profile_path = realpath(profile_dir, NULL))) {
                status = run_fail("--profile-dir %s: %s", profile_dir, strerror(errno));
                goto out;
        }
        home_given = home_opt != NULL;
        if (!home_opt)
                home_opt = getenv("HOME");
        if (home_opt && home_opt[0] == '/' && !(home = realpath(home_opt, NULL)) && !(home = strdup(home_opt))) {
                status = run_fail("out of memory");
                goto out;
        }
        /* Without --profile-dir, the default profile's store is the one to
         * keep out of sight: $XDG_DATA_HOME/permit/profiles/default (under
         * --home DIR when given: DIR/.local/share/...). Not there: nothing. */
        if (!profile_dir && !addon_id) {
                const char *xdg = home_given ? NULL : getenv("XDG_DATA_HOME");
                char *guess = NULL;

                if (xdg && xdg[0] == '/')
                        r = asprintf(&guess, "%s/permit/profiles/default", xdg);
                else
                        r = home ? asprintf(&guess, "%s/.local/share/permit/profiles/default", home) : 0;
                if (r < 0) {
                        status = run_fail("out of memory");
                        goto out;
                }
                if (guess)
                        profile_path = realpath(guess, NULL);
                free(guess);
        }
        if (addon_id)
                ; /* $DATA is the add-on's own: PROFILE/data/ADDON */
        else if (data_opt ? folder("--data", data_opt, &data) : (made_data = true, private_folder("data", &data))) {
                status = RUN_FAILED;
                goto out;
        }
        if (tmp_opt ? folder("--tmp", tmp_opt, &tmp) : (made_tmp = true, private_folder("tmp", &tmp))) {
                status = RUN_FAILED;
                goto out;
        }

#ifndef PERMIT_FRONT
        if (addon_id) {
                status = run_addon_setup(profile, addon_id, policy_file, &policy, once, tmp, home, cmd[0],
                                         &granted);
                if (status != 0)
                        goto out;
                rs = granted.ruleset;
                data = granted.data;
                addon = granted.addon;
                policy = granted.options;
                granted.ruleset = NULL;
                granted.data = granted.addon = NULL;
                for (size_t i = 0; i < granted.n_granted; i++)
                        net_caps = net_caps || is_net_cap(granted.granted[i]);
        }
#endif
        brokered = net_caps && policy.net != PERMIT_NET_DIRECT;
        if (!rs) {
                r = permit_ruleset_new(allow, n_allow,
                                       &(permit_paths) { .addon = addon, .data = data, .tmp = tmp, .home = home,
                                                         .profile = profile_path, .entry = cmd[0] },
                                       &policy, &rs, &error);
                if (r == -ENOENT || r == -EACCES) {
                        run_fail("%s: %s", cmd[0], r == -ENOENT ? "command not found" : "not executable");
                        status = r == -ENOENT ? RUN_NOT_FOUND : RUN_NOT_EXECUTABLE;
                        goto out;
                }
                if (r < 0) {
                        status = run_fail("cannot set up the sandbox: %s",
                                          error.text[0] ? error.text : strerror(-r));
                        goto out;
                }
        }
        if (!cmd[0])
                cmd = entry_argv; /* the entry program of the installed package */
        entry_argv[0] = (char *) permit_ruleset_entry(rs);
        if (report && print_report(rs, json) != 0) {
                status = RUN_FAILED;
                goto out;
        }
        if (policy.require_full && !permit_ruleset_fully_enforced(rs)) {
                if (!report)
                        print_report(rs, false);
                status = run_fail("%s: this kernel cannot fully enforce the sandbox (see the report above)",
                                  addon_id ? "full enforcement required (--require-full or the policy)"
                                           : "--require-full");
                goto out;
        }
        if (set_env(clear, data, tmp, addon) < 0) {
                status = run_fail("out of memory");
                goto out;
        }
#ifndef PERMIT_FRONT
        if (brokered) {
                status = addon_id ? run_brokered(rs, cmd, policy.limits.wall_seconds, addon_id,
                                                 (const char *const *) granted.granted, granted.n_granted, resolve,
                                                 n_resolve, granted.store, policy.net == PERMIT_NET_PROXY)
                                  : run_brokered(rs, cmd, policy.limits.wall_seconds, "permit-run", allow, n_allow,
                                                 resolve, n_resolve, NULL, policy.net == PERMIT_NET_PROXY);
                goto out;
        }
#endif
        if (!made_data && !made_tmp && !policy.limits.wall_seconds) {
                fflush(NULL);
                r = permit_exec(rs, (const char *const *) cmd, true);
                /* Still here: restricted or not, this process only reports and exits. */
                run_fail("%s: %s", cmd[0], strerror(-r));
                status = r == -ENOENT ? RUN_NOT_FOUND
                       : r == -EACCES || r == -ENOEXEC || r == -EPERM ? RUN_NOT_EXECUTABLE : RUN_FAILED;
                goto out;
        }
        status = run_child(rs, cmd, policy.limits.wall_seconds);
out:
        permit_ruleset_free(rs);
#ifndef PERMIT_FRONT
        run_addon_clear(&granted);
#endif

        if (made_data && data)
                remove_tree(data);
        if (made_tmp && tmp)
                remove_tree(tmp);
        free(data);
        free(tmp);
        free(addon);
        free(home);
        free(profile_path);
        return status;
}
