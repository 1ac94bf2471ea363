/* SPDX-License-Identifier: MIT */
/* permit: the command. Each subcommand is a file of its own. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tool.h"

static const command commands[] = {
        { "keygen", "create a signing key pair (minisign's format)", cmd_keygen },
        { "sign", "seal an add-on package with your key", cmd_sign },
        { "verify", "check a package against its seal and a public key", cmd_verify },
        { "inspect", "show what an add-on asks for, as a user will be asked", cmd_inspect },
        { "grants", "approve, review and revoke what add-ons may do", cmd_grants },
        { "key", "rotate: hand an add-on over to a new key", cmd_key },
        { "registry", "operate a registry: init, check-upload, add, revoke, publish", cmd_registry },
        { "install", "install an add-on from a registry, verified, after consent", cmd_install },
        { "update", "update add-ons from their registry (new capabilities stay off until approved)", cmd_update },
        { "remove", "uninstall add-ons (--purge: with their data and grants)", cmd_remove },
        { "list", "add-ons installed from registries, or a registry's (--available)", cmd_list },
        { "upload", "send a signed package to a registry's upload inbox", cmd_upload },
        { "run", "run a command in a sandbox with the given capabilities", cmd_run },
        { "doctor", "show what this machine can enforce", cmd_doctor },
};

static void usage(FILE *f) {
        fputs("Usage: permit COMMAND [OPTIONS...]\n"
              "\n"
              "Capability manifests and signed add-on packages.\n"
              "\n"
              "Commands:\n",
              f);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fputs("\n"
              "Run 'permit COMMAND --help' for a command's options and an example.\n"
              "Exit status: 0 success, 1 refused (verification failed, invalid or unsafe\n"
              "package), 2 usage error or unreadable input, 3 (registry check-upload)\n"
              "a person must review the upload.\n",
              f);
}

int main(int argc, char **argv) {
        /* The tool prints times in UTC only. With TZ unset, glibc stat()s
         * /etc/localtime each time libarchive converts a zip member's time:
         * 10,000 members, 20,000 calls (bench/README.md). */
        if (!getenv("TZ"))
                setenv("TZ", "UTC", 1);
        /* The tools keep passwords in sodium_malloc()ed memory. */
        if (sodium_init() < 0) {
                tool_error("cannot initialise libsodium");
                return EXIT_USAGE;
        }
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                if (argc > 2 && strcmp(argv[1], "help") == 0) {
                        char *args[] = { argv[2], (char *) "--help", NULL };
                        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                                if (strcmp(argv[2], commands[i].name) == 0)
                                        return commands[i].run(2, args);
                }
                usage(stdout);
                return EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("permit %s\n", PERMIT_VERSION);
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0) {
                        /* getopt names argv[0] in its messages: "permit sign: ..." */
                        char name[64];
                        snprintf(name, sizeof(name), "permit %s", commands[i].name);
                        argv[1] = name;
                        return commands[i].run(argc - 1, argv + 1);
                }
        tool_error("unknown command '%s' (see 'permit --help')", argv[1]);
        return EXIT_USAGE;
}
