/* record: captures from /dev/dsp (OSS) on Exo-OS (CaptureBootTests).
 *   record SECONDS CHANNELS   reads SECONDS of 48 kHz 16-bit frames in 4096-byte reads and says how many frames came,
 *                             in how long, how many samples were not zero and the peak; "record: started" first, and a
 *                             failed read says after how many frames and why.
 *   record until-error CHANNELS  reads until a read fails (the test ends it by killing the audio service: a recording
 *                             of fixed length could end first, since idle guest time runs ahead of the host's clock).
 *   record check              the capture ioctls and errors: GETISPACE, SPEED's answer, EBUSY, EAGAIN, a reader that
 *                             stops for longer than the ring holds (the oldest frames are lost: the ring stays full),
 *                             SYNC and RESET ending the capture, O_RDWR. "record: PASS what" or "record: FAIL what: why"
 *                             per check and "record: done, N failures".
 * Status 0, or 1 on a failure. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/soundcard.h>

#define CHECK_PROGRAM "record"
#include "dsp_checks.h"

/* What the service's capture ring holds for a reader: 32 KiB less the 4 KiB it may be writing (7 fragments). */
enum { Rate = 48000, Block = 4096, CaptureBytes = 28672 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void pause_for(double seconds) {
    struct timespec t = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    nanosleep(&t, NULL);
}

static int set_up(int dsp, int channels) {
    int value = AFMT_S16_LE;
    if (ioctl(dsp, SNDCTL_DSP_SETFMT, &value) < 0)
        return -1;
    value = channels;
    if (ioctl(dsp, SNDCTL_DSP_CHANNELS, &value) < 0)
        return -1;
    value = Rate;
    return ioctl(dsp, SNDCTL_DSP_SPEED, &value);
}

/* Reads 'bytes' from a blocking 'dsp' in Block pieces; the bytes read, counting nonzero samples and the peak. */
static long read_all(int dsp, long bytes, long *nonzero, int *peak, int *error) {
    static short buffer[Block / 2];
    long done = 0;
    *error = 0;
    while (done < bytes) {
        long want = bytes - done < Block ? bytes - done : Block;
        ssize_t got = read(dsp, buffer, want);
        if (got <= 0) {
            *error = got < 0 ? errno : 0;
            break;
        }
        for (long i = 0; i < got / 2; i++) {
            int sample = abs(buffer[i]);
            *nonzero += sample != 0;
            *peak = sample > *peak ? sample : *peak;
        }
        done += got;
    }
    return done;
}

static int record(double seconds, int channels) {
    int dsp = open("/dev/dsp", O_RDONLY);
    if (dsp < 0 || set_up(dsp, channels) < 0) {
        printf("record: /dev/dsp: %s\n", strerror(errno));
        return 1;
    }
    // seconds 0: until a read fails.
    long frame_bytes = 2L * channels, bytes = seconds > 0 ? (long)(seconds * Rate) * frame_bytes : LONG_MAX, nonzero = 0;
    int peak = 0, error;
    if (seconds > 0)
        printf("record: started, %.1f s of %d channel%s\n", seconds, channels, channels == 1 ? "" : "s");
    else
        printf("record: started, until a read fails, %d channel%s\n", channels, channels == 1 ? "" : "s");
    fflush(stdout);
    double start = now();
    long done = read_all(dsp, bytes, &nonzero, &peak, &error);
    double took = now() - start;
    if (done < bytes) {
        printf("record: read failed after %ld frames: %s\n", done / frame_bytes, error ? strerror(error) : "end of file");
        close(dsp);
        return 1;
    }
    printf("record: %ld frames in %.0f ms, %ld nonzero samples, peak %d\n", done / frame_bytes, took * 1000, nonzero, peak);
    close(dsp);
    return 0;
}

static int space(int dsp, audio_buf_info *info) {
    memset(info, 0, sizeof *info);
    return ioctl(dsp, SNDCTL_DSP_GETISPACE, info) < 0 ? -errno : 0;
}

static int checks(void) {
    char why[160];
    static char buffer[2 * CaptureBytes];
    audio_buf_info info;
    int dsp = open("/dev/dsp", O_RDONLY | O_NONBLOCK);
    if (dsp < 0) {
        printf("record: FAIL open /dev/dsp for reading: %s\n", strerror(errno));
        return 1;
    }
    expect_value(dsp, SNDCTL_DSP_SPEED, 44100, 48000, "SPEED 44100 on a capturing open answers 48000");
    expect_value(dsp, SNDCTL_DSP_CHANNELS, 2, 2, "CHANNELS 2");
    expect_value(dsp, SNDCTL_DSP_SETFMT, AFMT_S16_LE, AFMT_S16_LE, "SETFMT AFMT_S16_LE");
    int result = space(dsp, &info);
    snprintf(why, sizeof why, "result %d, fragments %d of %d, size %d, bytes %d", result, info.fragments, info.fragstotal, info.fragsize, info.bytes);
    check(result == 0 && info.bytes == 0 && info.fragstotal * info.fragsize == CaptureBytes, "GETISPACE before the first read: nothing captured", why);
    result = ioctl(dsp, SNDCTL_DSP_GETOSPACE, &info) < 0 ? -errno : 0;
    snprintf(why, sizeof why, "result %d", result);
    check(result == -EINVAL, "GETOSPACE on a read-only open is EINVAL", why);
    result = ioctl(dsp, SNDCTL_DSP_GETISPACE, (void *)16) < 0 ? -errno : 0;
    snprintf(why, sizeof why, "result %d", result);
    check(result == -EFAULT, "GETISPACE with a bad pointer is EFAULT", why);

    /* The first read opens the capture: reading what comes, a nonblocking read soon finds the ring empty. */
    int again = 0;
    for (int i = 0; i < 1000 && !again; i++) {
        ssize_t got = read(dsp, buffer, Block);
        again = got < 0 && errno == EAGAIN;
        if (got < 0 && !again) {
            snprintf(why, sizeof why, "read %d: %s", i, strerror(errno));
            break;
        }
        snprintf(why, sizeof why, "1000 reads without EAGAIN");
    }
    check(again, "a nonblocking read of an empty ring is EAGAIN", why);
    expect_error(dsp, SNDCTL_DSP_CHANNELS, 1, EBUSY, "CHANNELS 1 while a stereo capture runs is EBUSY");
    expect_value(dsp, SNDCTL_DSP_SPEED, 48000, 48000, "SPEED 48000 (unchanged) while it runs");

    /* 100 ms later about 100 ms of frames wait (19200 bytes). */
    pause_for(0.1);
    result = space(dsp, &info);
    snprintf(why, sizeof why, "result %d, bytes %d, fragments %d", result, info.bytes, info.fragments);
    check(result == 0 && info.bytes >= 9600 && info.bytes <= CaptureBytes && info.bytes % 4 == 0 && info.fragments == info.bytes / Block,
          "GETISPACE after 100 ms: about 100 ms captured", why);
    int waiting = info.bytes;
    ssize_t got = read(dsp, buffer, sizeof buffer);
    snprintf(why, sizeof why, "read %zd, GETISPACE said %d", got, waiting);
    check(got >= waiting && got < waiting + Block, "a nonblocking read takes what waits", why);

    /* A reader that stops for 0.5 s (the ring holds 149 ms): the oldest frames are lost, the ring stays full. */
    pause_for(0.5);
    result = space(dsp, &info);
    snprintf(why, sizeof why, "result %d, bytes %d, fragments %d", result, info.bytes, info.fragments);
    check(result == 0 && info.bytes == CaptureBytes && info.fragments == CaptureBytes / Block, "GETISPACE after 0.5 s unread: the ring is full", why);
    got = read(dsp, buffer, sizeof buffer);
    snprintf(why, sizeof why, "read %zd", got);
    check(got >= CaptureBytes && got < CaptureBytes + Block, "after an overrun a read gets the ring's newest 149 ms", why);

    /* Blocking reads: one second of frames takes one second. */
    fcntl(dsp, F_SETFL, 0);
    long nonzero = 0;
    int peak = 0, error;
    double start = now();
    long done = read_all(dsp, Rate * 4L, &nonzero, &peak, &error);
    double took = now() - start;
    snprintf(why, sizeof why, "%ld bytes in %.3f s (%s)", done, took, error ? strerror(error) : "no error");
    check(done == Rate * 4L && took > 0.9 && took < 1.1, "a blocking read of 1 s takes 0.9 to 1.1 s", why);
    printf("record: capture data: %ld nonzero samples of %d, peak %d\n", nonzero, Rate * 2, peak);

    /* SYNC and RESET end the capture (what was captured is dropped); the next read starts a new one. */
    result = ioctl(dsp, SNDCTL_DSP_SYNC, 0) < 0 ? -errno : 0;
    int spaced = space(dsp, &info);
    snprintf(why, sizeof why, "result %d, GETISPACE %d bytes %d", result, spaced, info.bytes);
    check(result == 0 && spaced == 0 && info.bytes == 0, "SYNC ends the capture", why);
    expect_value(dsp, SNDCTL_DSP_CHANNELS, 1, 1, "CHANNELS 1 after SYNC");
    start = now();
    done = read_all(dsp, Rate / 10 * 2L, &nonzero, &peak, &error);
    took = now() - start;
    snprintf(why, sizeof why, "%ld bytes in %.3f s", done, took);
    check(done == Rate / 10 * 2L && took > 0.08 && took < 0.15, "a mono read of 0.1 s after SYNC", why);
    result = ioctl(dsp, SNDCTL_DSP_RESET, 0) < 0 ? -errno : 0;
    spaced = space(dsp, &info);
    snprintf(why, sizeof why, "result %d, GETISPACE %d bytes %d", result, spaced, info.bytes);
    check(result == 0 && spaced == 0 && info.bytes == 0, "RESET ends the capture", why);
    result = close(dsp);
    snprintf(why, sizeof why, "result %d", result);
    check(result == 0, "close while capturing", why);

    /* O_RDWR: playing and capturing at once. */
    dsp = open("/dev/dsp", O_RDWR);
    static short silence[Rate / 10 * 2];
    ssize_t wrote = dsp < 0 || set_up(dsp, 2) < 0 ? -1 : write(dsp, silence, sizeof silence);
    done = wrote < 0 ? 0 : read_all(dsp, Rate / 10 * 4L, &nonzero, &peak, &error);
    snprintf(why, sizeof why, "wrote %zd, read %ld (%s)", wrote, done, strerror(errno));
    check(wrote == sizeof silence && done == Rate / 10 * 4L, "O_RDWR plays and captures", why);
    result = dsp < 0 ? -1 : close(dsp);
    snprintf(why, sizeof why, "result %d", result);
    check(result == 0, "close of O_RDWR drains", why);

    printf("record: done, %d failures\n", failures);
    return failures != 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "check") == 0)
        return checks();
    if (argc == 3) {
        double seconds = strcmp(argv[1], "until-error") == 0 ? 0 : atof(argv[1]);
        int channels = atoi(argv[2]);
        if ((seconds > 0 || strcmp(argv[1], "until-error") == 0) && seconds <= 600 && (channels == 1 || channels == 2))
            return record(seconds, channels);
    }
    fprintf(stderr, "usage: record SECONDS CHANNELS | record until-error CHANNELS | record check\n");
    return 2;
}
