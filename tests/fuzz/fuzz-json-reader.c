/* SPDX-License-Identifier: MIT */
/* The strict JSON pull reader (common/json-reader.c) directly, against
 * jansson: a document the reader walks must be one jansson (with
 * JSON_REJECT_DUPLICATES, as permit_json_parse() reads) accepts, read to an
 * equal tree, and the other way round; beyond the reader's nesting bound
 * only the reader refuses. The store and the index reach the reader through
 * their own targets. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json-walk.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_json_ json_t *walked = NULL, *loaded = NULL;
        permit_error error = { 0 };
        json_error_t jerr;
        int r;

        r = json_walk_doc((const char *) data, size, &walked, &error);
        if (r == -E2BIG)
                return 0; /* a real number token longer than the walker reads back */
        if (r < 0 && r != -EINVAL)
                abort();
        if (r < 0 && !error.text[0])
                abort(); /* refused without saying why */
        /* jansson passes over a NUL byte after a number or a literal
         * ("[9\0]"); permit_json_parse() refuses any NUL byte first, and so
         * does this. */
        if (!memchr(data, '\0', size))
                loaded = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (r < 0) {
                /* Deeper than the reader goes: jansson's bound is higher. */
                if (loaded && !strstr(error.text, "nested too deeply"))
                        abort();
                return 0;
        }
        if (!loaded || !json_equal(walked, loaded))
                abort();
        return 0;
}
