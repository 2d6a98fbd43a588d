/* make-test-sounds DIRECTORY: writes the WAV files the boot image carries for `play` (usr/share/sounds/exo, made at
 * build time rather than committed): sine tones and malformed files, each named for what it is. DspBootTests plays
 * the tones and checks the recording, and expects play's error for each malformed file.
 *   sine-1k-48k-stereo.wav    1 kHz, half scale, 48 kHz stereo, 2 s (PCM)
 *   sine-1k5-44k-mono.wav     1.5 kHz, half scale, 44.1 kHz mono, 1 s (PCM)
 *   sine-1k-48k-extensible.wav 1 kHz, half scale, 48 kHz stereo, 0.5 s (WAVE_FORMAT_EXTENSIBLE, PCM subformat)
 *   truncated-header.wav      the RIFF header cut in the fmt chunk
 *   bad-chunk-size.wav        an fmt chunk of 10 bytes (16 at least)
 *   unsupported-8-bit.wav     PCM 8-bit
 *   unsupported-22k.wav       PCM 16-bit at 22050 Hz
 *   unsupported-float.wav     IEEE float (format tag 3)
 *   data-past-end.wav         a data chunk claiming more bytes than the file has */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HALF_SCALE 16383.0

static unsigned char buffer[1 << 20];
static size_t length;

static void put16(unsigned value) { buffer[length++] = value & 0xFF; buffer[length++] = (value >> 8) & 0xFF; }
static void put32(uint32_t value) { put16(value & 0xFFFF); put16(value >> 16); }
static void put(const char *tag) { memcpy(buffer + length, tag, 4); length += 4; }

/* A header with a fmt chunk of 'tag' (PCM or EXTENSIBLE with the PCM subformat) and the data chunk's header. */
static void header(unsigned tag, unsigned channels, unsigned rate, unsigned bits, uint32_t data_bytes) {
    int extensible = tag == 0xFFFE;
    uint32_t fmt_size = extensible ? 40 : 16;
    length = 0;
    put("RIFF");
    put32(4 + 8 + fmt_size + 8 + data_bytes);
    put("WAVE");
    put("fmt ");
    put32(fmt_size);
    put16(tag);
    put16(channels);
    put32(rate);
    put32(rate * channels * bits / 8);
    put16(channels * bits / 8);
    put16(bits);
    if (extensible) {
        static const unsigned char pcm[16] = { 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71 };
        put16(22);
        put16(bits);
        put32(channels == 2 ? 3 : 4);   /* front left and right, or front centre */
        memcpy(buffer + length, pcm, sizeof pcm);
        length += sizeof pcm;
    }
    put("data");
    put32(data_bytes);
}

static void sine(unsigned channels, unsigned rate, double frequency, double seconds) {
    unsigned frames = (unsigned)(rate * seconds);
    for (unsigned i = 0; i < frames; i++) {
        short value = (short)lrint(HALF_SCALE * sin(2 * M_PI * frequency * i / rate));
        for (unsigned c = 0; c < channels; c++)
            put16((unsigned short)value);
    }
}

static void write_file(const char *directory, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(buffer, 1, length, file) != length || fclose(file) != 0) {
        perror(path);
        exit(1);
    }
}

static void tone(const char *directory, const char *name, unsigned tag, unsigned channels, unsigned rate, double frequency, double seconds) {
    header(tag, channels, rate, 16, (uint32_t)(rate * seconds) * channels * 2);
    sine(channels, rate, frequency, seconds);
    write_file(directory, name);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make-test-sounds DIRECTORY\n");
        return 2;
    }
    const char *directory = argv[1];
    tone(directory, "sine-1k-48k-stereo.wav", 1, 2, 48000, 1000, 2.0);
    tone(directory, "sine-1k5-44k-mono.wav", 1, 1, 44100, 1500, 1.0);
    tone(directory, "sine-1k-48k-extensible.wav", 0xFFFE, 2, 48000, 1000, 0.5);

    header(1, 2, 48000, 16, 4800);
    length = 30;   /* inside the fmt chunk */
    write_file(directory, "truncated-header.wav");

    header(1, 2, 48000, 16, 0);
    buffer[16] = 10;   /* the fmt chunk's size; its 16 bytes follow, read as 10 and a bogus chunk */
    write_file(directory, "bad-chunk-size.wav");

    header(1, 2, 48000, 8, 960);
    memset(buffer + length, 0x80, 960);
    length += 960;
    write_file(directory, "unsupported-8-bit.wav");

    tone(directory, "unsupported-22k.wav", 1, 2, 22050, 1000, 0.1);

    header(3, 2, 48000, 32, 1920);
    memset(buffer + length, 0, 1920);
    length += 1920;
    write_file(directory, "unsupported-float.wav");

    header(1, 2, 48000, 16, 48000 * 4);
    sine(2, 48000, 1000, 0.1);   /* 0.1 s of the 1 s the data chunk claims */
    uint32_t riff = (uint32_t)length - 8;   /* the RIFF size says the truth, the data chunk does not */
    memcpy(buffer + 4, &riff, 4);
    write_file(directory, "data-past-end.wav");
    return 0;
}
