/* exo_profile: a QEMU TCG plugin that counts guest instructions per translated block, for tools/profile/profile.py.
 *
 * Every block's start address, instruction count and first bytes are kept with a counter that TCG adds to inline; the
 * bytes let the symbolizer tell processes apart (user programs share addresses). Counting can be limited to a window:
 * start=ADDR,startbytes=HEX begins it when a block at ADDR whose first bytes are HEX runs, stop=ADDR,stopbytes=HEX ends
 * it (the bytes pick one process's code at that address); startcount=N and stopcount=N make the edges the Nth
 * executions of those blocks (the stop's counted from the start). out=FILE receives one line per block:
 * "address instructions executions firstbytes". Written against QEMU's plugin API version 1 (QEMU 7.2, Debian 12):
 * qemu_plugin.h declares that ABI. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin.h"

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

enum { FirstBytes = 8, ChunkEntries = 1 << 16, MaximumChunks = 4096 };

typedef struct {
    uint64_t address, instructions, executions, base;
    uint8_t bytes[FirstBytes];
} Block;

static Block *chunks[MaximumChunks];
static size_t blocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path = "exo-profile.txt";
static uint64_t start_address, stop_address;
static uint8_t start_bytes[FirstBytes], stop_bytes[FirstBytes];
static size_t start_length, stop_length;
static bool windowed, counting, written;
static uint64_t start_count = 1, stop_count = 1, start_seen, stop_seen;   /* the window's edges are these executions */

static Block *block_at(size_t index) { return &chunks[index / ChunkEntries][index % ChunkEntries]; }

static void write_profile(void) {
    if (written)
        return;
    written = true;
    FILE *file = fopen(out_path, "w");
    if (!file)
        return;
    for (size_t i = 0; i < blocks; i++) {
        Block *block = block_at(i);
        uint64_t executions = block->executions - block->base;
        if (executions == 0)
            continue;
        fprintf(file, "%llx %llu %llu ", (unsigned long long)block->address, (unsigned long long)block->instructions,
                (unsigned long long)executions);
        for (int b = 0; b < FirstBytes; b++)
            fprintf(file, "%02x", block->bytes[b]);
        fputc('\n', file);
    }
    fclose(file);
}

/* The window's edges: at the start every counter's value so far becomes its base; at the stop the profile is written. */
static void on_start(unsigned int vcpu, void *userdata) {
    if (counting || written || ++start_seen < start_count)
        return;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < blocks; i++)
        block_at(i)->base = block_at(i)->executions;
    counting = true;
    pthread_mutex_unlock(&lock);
}

static void on_stop(unsigned int vcpu, void *userdata) {
    if (!counting || ++stop_seen < stop_count)
        return;
    pthread_mutex_lock(&lock);
    write_profile();
    pthread_mutex_unlock(&lock);
}

/* A block shorter than the expected bytes (a test and a branch) is compared on the bytes it has. */
static bool matches(const uint8_t *bytes, size_t filled, const uint8_t *expected, size_t length) {
    return memcmp(bytes, expected, filled < length ? filled : length) == 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    pthread_mutex_lock(&lock);
    size_t index = blocks;
    if (index / ChunkEntries >= MaximumChunks) {
        pthread_mutex_unlock(&lock);
        return;
    }
    if (!chunks[index / ChunkEntries])
        chunks[index / ChunkEntries] = calloc(ChunkEntries, sizeof(Block));
    Block *block = block_at(index);
    blocks++;
    block->address = qemu_plugin_tb_vaddr(tb);
    block->instructions = qemu_plugin_tb_n_insns(tb);
    size_t filled = 0;
    for (size_t i = 0; i < block->instructions && filled < FirstBytes; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        size_t size = qemu_plugin_insn_size(insn), take = size < FirstBytes - filled ? size : FirstBytes - filled;
        memcpy(block->bytes + filled, qemu_plugin_insn_data(insn), take);
        filled += take;
    }
    pthread_mutex_unlock(&lock);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &block->executions, 1);
    if (windowed && block->address == start_address && matches(block->bytes, filled, start_bytes, start_length))
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (windowed && block->address == stop_address && matches(block->bytes, filled, stop_bytes, stop_length))
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
}

static void on_quit(qemu_plugin_id_t id, void *userdata) {
    pthread_mutex_lock(&lock);
    if (!windowed || counting)
        write_profile();
    pthread_mutex_unlock(&lock);
}

static size_t parse_bytes(const char *hex, uint8_t *bytes) {
    size_t length = 0;
    while (length < FirstBytes && hex[0] && hex[1]) {
        unsigned value;
        if (sscanf(hex, "%2x", &value) != 1)
            break;
        bytes[length++] = (uint8_t)value;
        hex += 2;
    }
    return length;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv) {
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "out=", 4) == 0)
            out_path = arg + 4;
        else if (strncmp(arg, "start=", 6) == 0)
            start_address = strtoull(arg + 6, NULL, 16), windowed = true;
        else if (strncmp(arg, "stop=", 5) == 0)
            stop_address = strtoull(arg + 5, NULL, 16);
        else if (strncmp(arg, "startcount=", 11) == 0)
            start_count = strtoull(arg + 11, NULL, 10);
        else if (strncmp(arg, "stopcount=", 10) == 0)
            stop_count = strtoull(arg + 10, NULL, 10);
        else if (strncmp(arg, "startbytes=", 11) == 0)
            start_length = parse_bytes(arg + 11, start_bytes);
        else if (strncmp(arg, "stopbytes=", 10) == 0)
            stop_length = parse_bytes(arg + 10, stop_bytes);
        else {
            fprintf(stderr, "exo_profile: unknown argument %s\n", arg);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_quit, NULL);
    return 0;
}
