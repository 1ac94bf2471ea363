/* SPDX-License-Identifier: MIT */
/* permit keygen: a new Ed25519 key pair in minisign's formats. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static void help(void) {
        puts("Usage: permit keygen [-W] [-f] -p PUBKEY -s SECKEY [--password-file FILE] [--json]\n"
             "\n"
             "Creates an Ed25519 key pair in minisign's file formats: keys made by\n"
             "'minisign -G' work with permit, and permit's keys with minisign.\n"
             "\n"
             "  -p, --public-key FILE   where to write the public key\n"
             "  -s, --secret-key FILE   where to write the secret key (mode 0600)\n"
             "  -W, --without-password  do not protect the secret key with a password\n"
             "      --password-file F   read the password from the first line of F\n"
             "                          (default: ask on the terminal, twice)\n"
             "  -f, --force             replace existing key files\n"
             "      --json              print the key id and public key as JSON\n"
             "\n"
             "Example:\n"
             "  permit keygen -p addon.pub -s ~/.permit/addon.key");
}

int cmd_keygen(int argc, char **argv) {
        static const struct option options[] = {
                { "public-key", required_argument, NULL, 'p' }, { "secret-key", required_argument, NULL, 's' },
                { "without-password", no_argument, NULL, 'W' }, { "password-file", required_argument, NULL, 'F' },
                { "force", no_argument, NULL, 'f' },            { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },             { 0 },
        };
        const char *pub_path = NULL, *sec_path = NULL, *password_file = NULL;
        bool no_password = false, force = false, json = false;
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;
        char *pw = NULL;
        size_t pw_len = 0;
        char id[PERMIT_KEY_ID_STRING_SIZE], key[PERMIT_PUBKEY_STRING_SIZE];
        int c, r, ret = EXIT_USAGE;

        optind = 0;
        while ((c = getopt_long(argc, argv, "p:s:WfhJ", options, NULL)) >= 0) {
                switch (c) {
                case 'p': pub_path = optarg; break;
                case 's': sec_path = optarg; break;
                case 'W': no_password = true; break;
                case 'F': password_file = optarg; break;
                case 'f': force = true; break;
                case 'J': json = true; break;
                case 'h': help(); return EXIT_OK;
                default: return EXIT_USAGE;
                }
        }
        if (optind != argc || !pub_path || !sec_path) {
                tool_error("keygen needs -p PUBKEY and -s SECKEY, and nothing else (see --help)");
                return EXIT_USAGE;
        }
        if (no_password && password_file) {
                tool_error("-W and --password-file contradict each other");
                return EXIT_USAGE;
        }
        if (!force && (access(sec_path, F_OK) == 0 || access(pub_path, F_OK) == 0)) {
                tool_error("%s: already exists (use -f to replace it)", access(sec_path, F_OK) == 0 ? sec_path : pub_path);
                return EXIT_USAGE;
        }
        if (tool_secrets_begin() < 0)
                return EXIT_USAGE;
        if (!no_password && tool_password_read(password_file, "Password for the new key: ", true, &pw, &pw_len) < 0)
                return EXIT_USAGE;

        r = permit_keypair_generate(&pk, &sk);
        if (r < 0) {
                tool_fail(r, NULL, "cannot generate a key");
                goto out;
        }
        r = permit_seckey_save(sk, sec_path, pw, pw_len, force);
        if (r < 0) {
                tool_error("%s: %s", sec_path,
                           r == -EEXIST ? "already exists (use -f to replace it)" : strerror(-r));
                goto out;
        }
        r = permit_pubkey_save(pk, pub_path, force);
        if (r < 0) {
                tool_error("%s: %s", pub_path,
                           r == -EEXIST ? "already exists (use -f to replace it)" : strerror(-r));
                /* Do not leave half a new pair behind. */
                if (!force)
                        unlink(sec_path);
                goto out;
        }
        permit_pubkey_id_string(pk, id);
        permit_pubkey_string(pk, key);
        if (json) {
                printf("{\"key_id\":\"%s\",\"public_key\":\"%s\",\"public_key_file\":", id, key);
                tool_json_string(pub_path);
                fputs(",\"secret_key_file\":", stdout);
                tool_json_string(sec_path);
                printf(",\"password\":%s}\n", pw ? "true" : "false");
        } else
                printf("Key %s\n  public key: %s (%s)\n  secret key: %s%s\n", id, pub_path, key, sec_path,
                       pw ? " (password-protected)" : " (no password)");
        ret = EXIT_OK;
out:
        tool_password_free(pw);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        return ret;
}
