/* SPDX-License-Identifier: MIT */
/* permit-consent: the GTK4 consent dialog and manager (app.c). */
#include "consent-private.h"

int main(int argc, char **argv) {
        return consent_app_run(argc, argv);
}
