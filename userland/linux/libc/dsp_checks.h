/* dsp_checks.h: the checks dsp_check and record share (CHECK_PROGRAM names the program in their lines):
 * "PROGRAM: PASS what" or "PROGRAM: FAIL what: why" per check, counted in failures; an OSS ioctl's answer or error. */
#ifndef DSP_CHECKS_H
#define DSP_CHECKS_H
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static int failures;

static void check(int ok, const char *what, const char *why) {
    if (ok)
        printf(CHECK_PROGRAM ": PASS %s\n", what);
    else {
        printf(CHECK_PROGRAM ": FAIL %s: %s\n", what, why);
        failures++;
    }
    fflush(stdout);
}

/* ioctl(request, value): the answer in *answer and 0, or -errno. */
static int control(int dsp, unsigned long request, int value, int *answer) {
    *answer = value;
    return ioctl(dsp, request, answer) < 0 ? -errno : 0;
}

static void expect_value(int dsp, unsigned long request, int value, int expected, const char *what) {
    int answer, result = control(dsp, request, value, &answer);
    char why[128];
    snprintf(why, sizeof why, "result %d, answer %d, expected %d", result, answer, expected);
    check(result == 0 && answer == expected, what, why);
}

static void expect_error(int dsp, unsigned long request, int value, int error, const char *what) {
    int answer, result = control(dsp, request, value, &answer);
    char why[128];
    snprintf(why, sizeof why, "result %d (%s), expected -%d", result, result < 0 ? strerror(-result) : "no error", error);
    check(result == -error, what, why);
}
#endif
