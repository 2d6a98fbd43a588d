/* dsp_check: /dev/dsp's OSS answers on Exo-OS (DspBootTests): the ioctls' values, EINVAL for bad ones, EBUSY for a
 * change while a stream plays, EFAULT for a bad pointer, ENOTTY for an unknown request, back-pressure (half a second of
 * silence takes about that long to write and drain) and GETOSPACE. Silence only: the recording shows nothing of it.
 * Prints "dsp_check: PASS what" or "dsp_check: FAIL what: why" per check and "dsp_check: done, N failures". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/soundcard.h>

#define CHECK_PROGRAM "dsp_check"
#include "dsp_checks.h"

/* A call's result (-1 and errno, or not) against the error expected; errno read right after the call. */
static void expect_errno(long result, int error, int expected, const char *what) {
    char why[128];
    snprintf(why, sizeof why, "result %ld (%s), expected -%d", result, result < 0 ? strerror(error) : "no error", expected);
    check(result < 0 && error == expected, what, why);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    int dsp = open("/dev/dsp", O_WRONLY);
    if (dsp < 0) {
        printf("dsp_check: FAIL open /dev/dsp: %s\n", strerror(errno));
        return 1;
    }
    expect_value(dsp, SNDCTL_DSP_SETFMT, AFMT_QUERY, AFMT_S16_LE, "SETFMT AFMT_QUERY is AFMT_S16_LE");
    expect_value(dsp, SNDCTL_DSP_SETFMT, AFMT_S16_LE, AFMT_S16_LE, "SETFMT AFMT_S16_LE");
    expect_error(dsp, SNDCTL_DSP_SETFMT, AFMT_U8, EINVAL, "SETFMT AFMT_U8 is EINVAL");
    expect_value(dsp, SNDCTL_DSP_GETFMTS, 0, AFMT_S16_LE, "GETFMTS");
    expect_value(dsp, SNDCTL_DSP_SPEED, 44100, 44100, "SPEED 44100");
    expect_value(dsp, SNDCTL_DSP_SPEED, 48000, 48000, "SPEED 48000");
    expect_value(dsp, SNDCTL_DSP_SPEED, 8000, 44100, "SPEED 8000 gives the nearest, 44100");
    expect_value(dsp, SNDCTL_DSP_SPEED, 96000, 48000, "SPEED 96000 gives the nearest, 48000");
    expect_error(dsp, SNDCTL_DSP_SPEED, 0, EINVAL, "SPEED 0 is EINVAL");
    expect_error(dsp, SNDCTL_DSP_SPEED, -48000, EINVAL, "SPEED -48000 is EINVAL");
    expect_value(dsp, SNDCTL_DSP_CHANNELS, 1, 1, "CHANNELS 1");
    expect_value(dsp, SNDCTL_DSP_CHANNELS, 2, 2, "CHANNELS 2");
    expect_error(dsp, SNDCTL_DSP_CHANNELS, 0, EINVAL, "CHANNELS 0 is EINVAL");
    expect_error(dsp, SNDCTL_DSP_CHANNELS, 3, EINVAL, "CHANNELS 3 is EINVAL");
    expect_value(dsp, SNDCTL_DSP_STEREO, 0, 0, "STEREO 0");
    expect_value(dsp, SNDCTL_DSP_STEREO, 1, 1, "STEREO 1");
    expect_error(dsp, SNDCTL_DSP_STEREO, 2, EINVAL, "STEREO 2 is EINVAL");
    long result = ioctl(dsp, SNDCTL_DSP_SPEED, (int *)16);
    expect_errno(result, errno, EFAULT, "SPEED with a bad pointer is EFAULT");
    result = ioctl(dsp, SNDCTL_DSP_GETOSPACE, (void *)16);
    expect_errno(result, errno, EFAULT, "GETOSPACE with a bad pointer is EFAULT");
    result = ioctl(dsp, TCGETS, (void *)0);
    expect_errno(result, errno, ENOTTY, "an unknown request is ENOTTY");
    char byte;
    result = read(dsp, &byte, 1);
    expect_errno(result, errno, EBADF, "read on a write-only open is EBADF");
    audio_buf_info input;
    result = ioctl(dsp, SNDCTL_DSP_GETISPACE, &input);
    expect_errno(result, errno, EINVAL, "GETISPACE on a write-only open is EINVAL");

    audio_buf_info info;
    result = ioctl(dsp, SNDCTL_DSP_GETOSPACE, &info);
    char why[160];
    snprintf(why, sizeof why, "result %ld, fragments %d of %d, size %d, bytes %d", result, info.fragments, info.fragstotal, info.fragsize, info.bytes);
    check(result == 0 && info.fragsize > 0 && info.bytes == info.fragstotal * info.fragsize && info.fragments == info.fragstotal,
          "GETOSPACE before the first write: all free", why);
    int free_bytes = info.bytes;

    /* Half a second of silence at 48 kHz stereo: back-pressure makes the writes take most of it, the drain the rest. */
    static short silence[48000];
    double start = now();
    ssize_t wrote = 0;
    for (int i = 0; i < 2; i++)
        wrote += write(dsp, silence, sizeof silence);
    double written = now() - start;
    snprintf(why, sizeof why, "wrote %zd bytes", wrote);
    check(wrote == 2 * (ssize_t)sizeof silence, "write 0.5 s of silence", why);
    snprintf(why, sizeof why, "%.3f s", written);
    check(written > 0.25 && written < 1.0, "back-pressure: writing 0.5 s takes 0.25 to 1 s", why);
    result = ioctl(dsp, SNDCTL_DSP_GETOSPACE, &info);
    snprintf(why, sizeof why, "result %ld, bytes %d of %d", result, info.bytes, free_bytes);
    check(result == 0 && info.bytes < free_bytes, "GETOSPACE while playing: less free", why);
    expect_error(dsp, SNDCTL_DSP_SPEED, 44100, EBUSY, "SPEED 44100 while a 48 kHz stream plays is EBUSY");
    expect_error(dsp, SNDCTL_DSP_CHANNELS, 1, EBUSY, "CHANNELS 1 while a stereo stream plays is EBUSY");
    expect_value(dsp, SNDCTL_DSP_SPEED, 48000, 48000, "SPEED 48000 (unchanged) while it plays");
    result = ioctl(dsp, SNDCTL_DSP_SYNC, 0);
    double drained = now() - start;
    snprintf(why, sizeof why, "result %ld, %.3f s after the first write", result, drained);
    check(result == 0 && drained > 0.45 && drained < 1.5, "SYNC drains: 0.5 s played", why);
    expect_value(dsp, SNDCTL_DSP_SPEED, 44100, 44100, "SPEED 44100 after SYNC");
    wrote = write(dsp, silence, 4410 * 4);
    snprintf(why, sizeof why, "wrote %zd (%s)", wrote, strerror(errno));
    check(wrote == 4410 * 4, "write after SYNC opens a new stream", why);
    result = ioctl(dsp, SNDCTL_DSP_RESET, 0);
    snprintf(why, sizeof why, "result %ld (%s)", result, strerror(errno));
    check(result == 0, "RESET", why);
    expect_value(dsp, SNDCTL_DSP_CHANNELS, 1, 1, "CHANNELS 1 after RESET");
    wrote = write(dsp, silence, 4410 * 2);
    snprintf(why, sizeof why, "wrote %zd (%s)", wrote, strerror(errno));
    check(wrote == 4410 * 2, "write after RESET", why);
    start = now();
    result = close(dsp);
    snprintf(why, sizeof why, "result %ld (%s)", result, strerror(errno));
    check(result == 0, "close", why);
    snprintf(why, sizeof why, "%.3f s", now() - start);
    check(now() - start > 0.05, "close drains (0.1 s queued)", why);
    printf("dsp_check: done, %d failures\n", failures);
    return failures != 0;
}
