/* SPDX-License-Identifier: MIT */
/* Semantic Versioning 2.0.0 (https://semver.org): checking and precedence.
 * Numbers are compared as digit strings, so no size overflows. */
#include "manifest-private.h"

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_ident_char(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A numeric identifier: "0" or no leading zero. Returns its length, 0 if none. */
static size_t number(const char *s) {
        size_t n = 0;

        while (is_digit(s[n]))
                n++;
        if (n > 1 && s[0] == '0')
                return 0;
        return n;
}

/* Dot-separated identifiers up to end of string or stop; numeric ones
 * must have no leading zero when strict_numbers. Returns length or 0. */
static size_t identifiers(const char *s, char stop, bool strict_numbers) {
        size_t i = 0;

        for (;;) {
                size_t start = i;
                bool digits = true;

                while (is_ident_char(s[i])) {
                        if (!is_digit(s[i]))
                                digits = false;
                        i++;
                }
                if (i == start)
                        return 0;
                if (strict_numbers && digits && i - start > 1 && s[start] == '0')
                        return 0;
                if (s[i] == '.') {
                        i++;
                        continue;
                }
                if (s[i] == '\0' || s[i] == stop)
                        return i;
                return 0;
        }
}

_public_ bool permit_semver_valid(const char *v) {
        size_t n;

        if (!v || strlen(v) > SEMVER_MAX)
                return false;
        for (int part = 0; part < 3; part++) {
                n = number(v);
                if (n == 0)
                        return false;
                v += n;
                if (part < 2) {
                        if (*v != '.')
                                return false;
                        v++;
                }
        }
        if (*v == '-') {
                n = identifiers(v + 1, '+', true);
                if (n == 0)
                        return false;
                v += 1 + n;
        }
        if (*v == '+') {
                n = identifiers(v + 1, '\0', false);
                if (n == 0)
                        return false;
                v += 1 + n;
        }
        return *v == '\0';
}

/* Compares two digit strings without leading zeros. */
static int compare_numbers(const char *a, size_t na, const char *b, size_t nb) {
        int c;

        if (na != nb)
                return na < nb ? -1 : 1;
        c = memcmp(a, b, na);
        return c < 0 ? -1 : c > 0;
}

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

static int compare_prerelease(const char *a, const char *b) {
        for (;;) {
                size_t na = strcspn(a, ".+"), nb = strcspn(b, ".+");
                bool da = all_digits(a, na), db = all_digits(b, nb);
                int c;

                if (da && db)
                        c = compare_numbers(a, na, b, nb);
                else if (da != db)
                        c = da ? -1 : 1; /* numeric identifiers have lower precedence */
                else {
                        c = memcmp(a, b, na < nb ? na : nb);
                        if (c == 0 && na != nb)
                                c = na < nb ? -1 : 1;
                }
                if (c != 0)
                        return c < 0 ? -1 : 1;
                a += na;
                b += nb;
                if (*a != '.' || *b != '.') {
                        bool more_a = *a == '.', more_b = *b == '.';
                        /* a larger set of fields has higher precedence */
                        return more_a == more_b ? 0 : more_a ? 1 : -1;
                }
                a++;
                b++;
        }
}

_public_ int permit_semver_compare(const char *a, const char *b) {
        bool va = permit_semver_valid(a), vb = permit_semver_valid(b);
        int c;

        /* Not for invalid input, but still a total order: invalid first. */
        if (!va || !vb) {
                if (va != vb)
                        return va ? 1 : -1;
                c = strcmp(a ? a : "", b ? b : "");
                return c < 0 ? -1 : c > 0;
        }
        for (int part = 0; part < 3; part++) {
                size_t na = number(a), nb = number(b);

                c = compare_numbers(a, na, b, nb);
                if (c != 0)
                        return c;
                a += na + (part < 2);
                b += nb + (part < 2);
        }
        /* a release has higher precedence than its pre-releases */
        if (*a != '-' || *b != '-') {
                bool pa = *a == '-', pb = *b == '-';
                return pa == pb ? 0 : pa ? -1 : 1;
        }
        return compare_prerelease(a + 1, b + 1);
}
