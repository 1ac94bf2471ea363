/* SPDX-License-Identifier: MIT */
/* permit key rotate: a statement, signed by the old key, that names the
 * new one (doc/registry.md, "Key rotation"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "permit/trust.h"
#include "tool.h"

#define MAX_ADDONS 64

static void help(void) {
        puts("Usage: permit key rotate -s OLD_SECKEY (-p NEW_PUBKEY | -P KEY) [--addon ID]... [-o FILE]\n"
             "                         [--password-file F] [--json]\n"
             "\n"
             "Writes a rotation statement, signed by the old key, naming the new key for\n"
             "the add-ons given with --addon (default: all of the old key's add-ons).\n"
             "Put the file in the add-on as permit.rotation and sign the add-on with the\n"
             "new key: users who pinned the old key accept the update. When FILE already\n"
             "holds statements, the new one extends the chain (OLD must be its last key).\n"
             "\n"
             "  -s, --secret-key FILE   the old secret key (password asked, or --password-file)\n"
             "  -p, --public-key FILE   the new public key (-P: the key itself, RW...)\n"
             "      --addon ID          an add-on id the new key takes over (repeatable)\n"
             "  -o, --output FILE       default: permit.rotation\n"
             "\n"
             "Example:\n"
             "  permit key rotate -s old.key -p new.pub --addon org.example.hello -o hello/permit.rotation\n"
             "  permit sign -s new.key hello");
}

int cmd_key(int argc, char **argv) {
        static const struct option options[] = {
                { "secret-key", required_argument, NULL, 's' }, { "public-key", required_argument, NULL, 'p' },
                { "public-key-string", required_argument, NULL, 'P' }, { "addon", required_argument, NULL, 'a' },
                { "output", required_argument, NULL, 'o' },     { "password-file", required_argument, NULL, 'F' },
                { "json", no_argument, NULL, 'J' },             { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *sec = NULL, *pub = NULL, *pub_string = NULL, *out = "permit.rotation", *password_file = NULL;
        const char *addons[MAX_ADDONS];
        size_t n_addons = 0, len = 0;
        permit_rotation *rot = NULL;
        permit_seckey *sk = NULL;
        permit_pubkey *pk = NULL;
        permit_error e = { 0 };
        char *text = NULL, id[PERMIT_KEY_ID_STRING_SIZE];
        bool json = false;
        FILE *f;
        int c, r, ret = EXIT_USAGE;

        if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
                if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                        help();
                        return EXIT_OK;
                }
                tool_error("key needs a command: rotate (see 'permit key --help')");
                return EXIT_USAGE;
        }
        argv[1] = (char *) "permit key rotate";
        argc--;
        argv++;
        optind = 0;
        while ((c = getopt_long(argc, argv, "s:p:P:o:h", options, NULL)) >= 0) {
                switch (c) {
                case 's': sec = optarg; break;
                case 'p': pub = optarg; break;
                case 'P': pub_string = optarg; break;
                case 'o': out = optarg; break;
                case 'F': password_file = optarg; break;
                case 'J': json = true; break;
                case 'a':
                        if (n_addons == MAX_ADDONS) {
                                tool_error("at most %d --addon", MAX_ADDONS);
                                return EXIT_USAGE;
                        }
                        addons[n_addons++] = optarg;
                        break;
                case 'h': help(); return EXIT_OK;
                default: return EXIT_USAGE;
                }
        }
        if (optind != argc || !sec) {
                tool_error("key rotate needs -s OLD_SECKEY and -p NEW_PUBKEY, and nothing else (see --help)");
                return EXIT_USAGE;
        }
        if (tool_pubkey_load(pub, pub_string, &pk, NULL) < 0)
                return EXIT_USAGE;
        if (access(out, F_OK) == 0) {
                r = permit_rotation_load(out, &rot, &e);
                if (r < 0) {
                        ret = tool_fail(r, &e, out);
                        goto done;
                }
        }
        if (tool_seckey_load(sec, password_file, &sk) < 0)
                goto done;
        r = permit_rotation_add(rot, sk, pk, n_addons ? addons : NULL, n_addons, (int64_t) time(NULL), &text, &len,
                                &e);
        if (r < 0) {
                ret = tool_fail(r, &e, out);
                goto done;
        }
        f = fopen(out, "we");
        if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
                tool_error("%s: cannot write: %s", out, strerror(errno));
                goto done;
        }
        permit_pubkey_id_string(pk, id);
        if (json) {
                fputs("{\"file\":", stdout);
                tool_json_string(out);
                printf(",\"new_key_id\":\"%s\",\"statements\":%zu,\"addons\":", id, permit_rotation_count(rot) + 1);
                if (!n_addons)
                        fputs("\"all\"", stdout);
                else {
                        putchar('[');
                        for (size_t i = 0; i < n_addons; i++) {
                                if (i)
                                        putchar(',');
                                tool_json_string(addons[i]);
                        }
                        putchar(']');
                }
                puts("}");
        } else
                printf("Wrote %s: key %s takes over %s. Put it in the add-on as %s and sign with the new key.\n",
                       out, id, n_addons ? "the add-ons named" : "all add-ons", PERMIT_ROTATION_NAME);
        ret = EXIT_OK;
done:
        free(text);
        permit_rotation_free(rot);
        permit_seckey_free(sk);
        permit_pubkey_free(pk);
        return ret;
}
