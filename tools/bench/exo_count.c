/* exo_count: a QEMU TCG plugin that tells how many guest instructions ran between marks the guest program sets, for
 * the rows whose guest clock is not an instruction count (the storage boots run with -icount sleep=on, where a guest
 * that halts waiting for the emulated disk is charged the host's real time; see tools/bench/qemu-settings.env).
 *
 * A mark is a call of a function whose first instruction is "mov $0x45584fKK, %eax" ("EXO" and a kind KK) followed by
 * ret (tools/bench/linux-reference/src/bench.h: bench_mark_begin, bench_mark_end, bench_mark_row). Each time one runs,
 * the plugin appends "KK EXECUTED" to out=FILE, where EXECUTED counts every guest instruction run so far by every
 * processor, in both rings, so a mark pair encloses everything the system did for the operations between them (drivers
 * and file system services in their own processes included) and nothing of the time it sat halted. The bytes, not an
 * address, identify the marks: the same static program runs on both systems, and on Exo-OS other programs share its
 * addresses. A block that an interrupt cuts short counts in full (tools/profile's plugin does the same).
 * Written against QEMU's plugin API version 1 (QEMU 7.2, Debian 12): tools/profile/qemu_plugin.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../profile/qemu_plugin.h"

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One counter for all processors: -icount runs them in turn on one host thread, so the inline adds never race. */
static uint64_t executed;
static FILE *out;

static void on_mark(unsigned int vcpu, void *userdata) {
    fprintf(out, "%u %llu\n", (unsigned)(uintptr_t)userdata, (unsigned long long)executed);
    fflush(out);   /* the harness may stop the machine at any moment after the program's last line */
}

/* The mark's kind when the block is a mark function: "mov $0x45584fKK, %eax; ret", after an endbr64 if the compiler
 * put one first; 0 otherwise. */
static unsigned mark_kind(struct qemu_plugin_tb *tb) {
    size_t count = qemu_plugin_tb_n_insns(tb), index = 0;
    static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
    if (count > index && qemu_plugin_insn_size(qemu_plugin_tb_get_insn(tb, index)) == 4
        && memcmp(qemu_plugin_insn_data(qemu_plugin_tb_get_insn(tb, index)), endbr64, 4) == 0)
        index++;
    if (count < index + 2)
        return 0;
    struct qemu_plugin_insn *mov = qemu_plugin_tb_get_insn(tb, index), *ret = qemu_plugin_tb_get_insn(tb, index + 1);
    const uint8_t *bytes = qemu_plugin_insn_data(mov);
    if (qemu_plugin_insn_size(mov) != 5 || bytes[0] != 0xb8 || bytes[2] != 'O' || bytes[3] != 'X' || bytes[4] != 'E')
        return 0;
    if (qemu_plugin_insn_size(ret) != 1 || *(const uint8_t *)qemu_plugin_insn_data(ret) != 0xc3)
        return 0;
    return bytes[1];
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, qemu_plugin_tb_n_insns(tb));
    unsigned kind = mark_kind(tb);
    if (kind != 0)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)kind);
}

static void on_quit(qemu_plugin_id_t id, void *userdata) { fclose(out); }

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv) {
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0)
            path = argv[i] + 4;
        else {
            fprintf(stderr, "exo_count: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    if (!path) {
        fprintf(stderr, "exo_count: out=FILE is needed\n");
        return -1;
    }
    out = fopen(path, "w");
    if (!out) {
        perror(path);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_quit, NULL);
    return 0;
}
