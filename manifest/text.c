/* SPDX-License-Identifier: MIT */
/* Text rules shared by the parser and the vocabulary: what a one-line
 * string shown to a user may hold, and how a bad value is quoted back. */
#include <stdarg.h>

#include "manifest-private.h"
#include "encoding-private.h"

const char *permit_quote(char *buf, size_t size, const char *s) {
        static const char hex[] = "0123456789abcdef";
        size_t n = 0, i;

        if (size == 0)
                return buf;
        for (i = 0; s[i] && i < QUOTE_MAX; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c >= 0x20 && c < 0x7f && c != '\\') {
                        if (n + 1 >= size)
                                break;
                        buf[n++] = (char) c;
                } else {
                        if (n + 4 >= size)
                                break;
                        buf[n++] = '\\';
                        buf[n++] = 'x';
                        buf[n++] = hex[c >> 4];
                        buf[n++] = hex[c & 0xf];
                }
        }
        if (s[i] && n + 3 < size) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = '\0';
        return buf;
}

static bool forbidden(uint32_t cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
               (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int permit_text_check(const char *s, size_t len, uint32_t *ret_cp) {
        const unsigned char *p = (const unsigned char *) s;
        size_t ascii = 0;

        /* Printable ASCII, nearly every id and name, needs no decoding. */
        while (ascii < len && p[ascii] >= 0x20 && p[ascii] < 0x7f)
                ascii++;
        if (ascii == len)
                return 0;
        if (!permit_utf8_valid(s, len)) {
                *ret_cp = UINT32_MAX;
                return -EILSEQ;
        }
        for (size_t i = 0; i < len;) {
                uint32_t cp = p[i];
                size_t n = cp < 0x80 ? 0 : cp < 0xe0 ? 1 : cp < 0xf0 ? 2 : 3;

                if (n > 0)
                        cp &= 0x3fu >> n;
                for (size_t k = 1; k <= n; k++)
                        cp = cp << 6 | (p[i + k] & 0x3fu);
                if (forbidden(cp)) {
                        *ret_cp = cp;
                        return -EILSEQ;
                }
                i += n + 1;
        }
        return 0;
}

int permit_error_text(permit_error *error, const char *format, ...) {
        va_list ap;

        if (!error)
                return -EINVAL;
        va_start(ap, format);
        vsnprintf(error->text, sizeof(error->text), format, ap);
        va_end(ap);
        return -EINVAL;
}

int permit_text_error(permit_error *error, uint32_t cp) {
        if (cp == UINT32_MAX)
                return permit_error_text(error, "not valid UTF-8");
        return permit_error_text(error, "contains a control or formatting character (U+%04X)", (unsigned) cp);
}

const char *permit_path_problem(const char *p) {
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t) (slash - p) : strlen(p);

                if (n == 0)
                        return slash ? "must not contain empty components ('//')" : "must not end with '/'";
                if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return "must not contain '.' or '..' components";
                if (!slash)
                        return NULL;
                p = slash + 1;
        }
}
