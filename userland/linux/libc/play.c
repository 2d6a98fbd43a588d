/* play FILE.wav: plays a RIFF/WAVE file through /dev/dsp (OSS; docs/audio.md). PCM 16-bit little-endian, 1 or 2
 * channels, 44100 or 48000 Hz, as WAVE_FORMAT_PCM or WAVE_FORMAT_EXTENSIBLE with the PCM subformat. The header is
 * checked before the device is touched: a truncated header, a chunk larger than the file, a missing fmt or data chunk,
 * a data chunk running past the end of the file or an unsupported format, size or rate is said in one line on stderr
 * and the exit status is 1 (2 for a usage or device error). Samples are written as read, the rate and channels set
 * first; the last close drains. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/soundcard.h>

enum { FORMAT_PCM = 1, FORMAT_EXTENSIBLE = 0xFFFE, CHUNK_HEADER = 8, FMT_MINIMUM = 16, FMT_EXTENSIBLE = 40, BUFFER = 16384 };

/* The PCM subformat GUID's bytes (KSDATAFORMAT_SUBTYPE_PCM: 00000001-0000-0010-8000-00aa00389b71). */
static const uint8_t pcm_subformat[16] = { 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71 };

struct wave {
    unsigned channels, rate, bits;
    uint64_t data_offset, data_bytes;
};

static const char *name;

static int bad(const char *why) {
    fprintf(stderr, "play: %s: %s\n", name, why);
    return 1;
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int read_at(int fd, uint64_t offset, void *buffer, size_t count) {
    ssize_t got = pread(fd, buffer, count, (off_t)offset);
    return got == (ssize_t)count;
}

/* Walks the chunks of the RIFF file; 0 with 'wave' filled, or 1 after saying what is wrong. */
static int parse(int fd, uint64_t file_size, struct wave *wave) {
    uint8_t riff[12];
    if (file_size < sizeof riff || !read_at(fd, 0, riff, sizeof riff))
        return bad("truncated header (no RIFF header)");
    if (memcmp(riff, "RIFF", 4) != 0 || memcmp(riff + 8, "WAVE", 4) != 0)
        return bad("not a RIFF/WAVE file");
    /* The RIFF chunk's own size is not checked: streamed files often leave it wrong; each chunk's is. */
    int have_format = 0;
    uint64_t at = sizeof riff;
    while (1) {
        uint8_t chunk[CHUNK_HEADER];
        if (at + CHUNK_HEADER > file_size || !read_at(fd, at, chunk, sizeof chunk))
            return bad(have_format ? "truncated file: no data chunk" : "truncated header: no fmt chunk");
        uint64_t size = le32(chunk + 4), body = at + CHUNK_HEADER;
        if (memcmp(chunk, "data", 4) == 0) {
            if (!have_format)
                return bad("data chunk before the fmt chunk");
            if (body + size > file_size)
                return bad("data chunk runs past the end of the file");
            if (size % (wave->channels * 2) != 0)
                return bad("data chunk is not whole frames");
            wave->data_offset = body;
            wave->data_bytes = size;
            return 0;
        }
        if (body + size > file_size)
            return bad(memcmp(chunk, "fmt ", 4) == 0 ? "truncated header: the fmt chunk runs past the end of the file"
                                                     : "bad chunk size: a chunk runs past the end of the file");
        if (memcmp(chunk, "fmt ", 4) == 0) {
            uint8_t format[FMT_EXTENSIBLE];
            if (size < FMT_MINIMUM)
                return bad("bad chunk size: the fmt chunk is too short");
            if (!read_at(fd, body, format, size < sizeof format ? size : sizeof format))
                return bad("truncated header: cannot read the fmt chunk");
            unsigned tag = le16(format);
            wave->channels = le16(format + 2);
            wave->rate = le32(format + 4);
            wave->bits = le16(format + 14);
            if (tag == FORMAT_EXTENSIBLE) {
                if (size < FMT_EXTENSIBLE)
                    return bad("bad chunk size: WAVE_FORMAT_EXTENSIBLE fmt chunk too short");
                if (memcmp(format + 24, pcm_subformat, sizeof pcm_subformat) != 0)
                    return bad("unsupported format: WAVE_FORMAT_EXTENSIBLE with a subformat other than PCM");
            } else if (tag != FORMAT_PCM) {
                fprintf(stderr, "play: %s: unsupported format: format tag 0x%04x (only PCM)\n", name, tag);
                return 1;
            }
            if (wave->bits != 16) {
                fprintf(stderr, "play: %s: unsupported sample size: %u bits (only 16)\n", name, wave->bits);
                return 1;
            }
            if (wave->channels != 1 && wave->channels != 2) {
                fprintf(stderr, "play: %s: unsupported channels: %u (only 1 or 2)\n", name, wave->channels);
                return 1;
            }
            if (wave->rate != 44100 && wave->rate != 48000) {
                fprintf(stderr, "play: %s: unsupported rate: %u Hz (only 44100 or 48000)\n", name, wave->rate);
                return 1;
            }
            have_format = 1;
        }
        at = body + size + (size & 1);   /* chunks are padded to even sizes */
    }
}

static int set(int dsp, unsigned long request, const char *what, int value) {
    int answer = value;
    if (ioctl(dsp, request, &answer) < 0) {
        fprintf(stderr, "play: /dev/dsp: %s %d: %s\n", what, value, strerror(errno));
        return -1;
    }
    if (answer != value) {
        fprintf(stderr, "play: /dev/dsp: %s %d: the device chose %d\n", what, value, answer);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: play FILE.wav\n");
        return 2;
    }
    name = argv[1];
    int fd = open(name, O_RDONLY);
    struct stat status;
    if (fd < 0 || fstat(fd, &status) < 0) {
        fprintf(stderr, "play: %s: %s\n", name, strerror(errno));
        return 2;
    }
    struct wave wave = { 0 };
    if (parse(fd, (uint64_t)status.st_size, &wave) != 0)
        return 1;
    int dsp = open("/dev/dsp", O_WRONLY);
    if (dsp < 0) {
        fprintf(stderr, "play: /dev/dsp: %s\n", strerror(errno));
        return 2;
    }
    if (set(dsp, SNDCTL_DSP_SETFMT, "format", AFMT_S16_LE) < 0 || set(dsp, SNDCTL_DSP_CHANNELS, "channels", (int)wave.channels) < 0
        || set(dsp, SNDCTL_DSP_SPEED, "rate", (int)wave.rate) < 0)
        return 2;
    static uint8_t buffer[BUFFER];
    uint64_t left = wave.data_bytes, at = wave.data_offset;
    while (left > 0) {
        size_t piece = left < sizeof buffer ? (size_t)left : sizeof buffer;
        ssize_t got = pread(fd, buffer, piece, (off_t)at);
        if (got <= 0) {
            fprintf(stderr, "play: %s: %s\n", name, got < 0 ? strerror(errno) : "the file shrank");
            return 1;
        }
        for (ssize_t done = 0; done < got;) {
            ssize_t wrote = write(dsp, buffer + done, (size_t)(got - done));
            if (wrote < 0) {
                if (errno == EINTR)
                    continue;
                fprintf(stderr, "play: /dev/dsp: %s\n", strerror(errno));
                return 2;
            }
            done += wrote;
        }
        at += (uint64_t)got;
        left -= (uint64_t)got;
    }
    if (ioctl(dsp, SNDCTL_DSP_SYNC, 0) < 0) {
        fprintf(stderr, "play: /dev/dsp: drain: %s\n", strerror(errno));
        return 2;
    }
    close(dsp);
    printf("play: %s: %llu frames, %u Hz, %u channel%s\n", name, (unsigned long long)(wave.data_bytes / (wave.channels * 2)),
           wave.rate, wave.channels, wave.channels == 1 ? "" : "s");
    return 0;
}
