# Exo-OS build, run and test entry points. `make run` and `make test` work on a fresh Debian 12 machine
# with the .NET SDK: missing tools are installed with apt-get first (tools/scripts/install-dependencies.sh).

CONFIG      ?= Debug
OUT         := out
KERNEL_OBJ  := $(OUT)/obj/Exo.Kernel/$(CONFIG)/net10.0/linux-x64/native/Exo.Kernel.o
ASM_SOURCES := kernel/Boot/Boot.asm $(wildcard kernel/Arch/X64/*.asm) $(wildcard libs/Exo.Runtime/Arch/X64/*.asm) \
               $(wildcard posix_x/*/*.asm)
ASM_OBJECTS := $(patsubst %.asm,$(OUT)/asm/%.o,$(ASM_SOURCES))
CS_SOURCES  := $(shell find kernel posix_x libs/Exo.Runtime libs/Exo.Abi libs/Exo.Protocols -name '*.cs' -o -name '*.csproj') Directory.Build.props
USER_SOURCES  := $(wildcard userland/programs/*.asm)
USER_PROGRAMS := $(patsubst userland/programs/%.asm,$(OUT)/userland/%,$(USER_SOURCES))
# Linux programs (the Linux personality's tests): Linux system call numbers, no Exo-OS brand.
LINUX_SOURCES  := $(wildcard userland/linux/*.asm)
LINUX_C_SOURCES := $(wildcard userland/linux/*.c)
# userland/linux/libc/: Linux test programs with the C library (static glibc, as Debian's busybox-static).
LINUX_LIBC_SOURCES  := $(wildcard userland/linux/libc/*.c)
LINUX_LIBC_PROGRAMS := $(patsubst userland/linux/libc/%.c,$(OUT)/userland-linux/%,$(LINUX_LIBC_SOURCES))
# The differential test programs (userland/linux/differential): static C with glibc, the same binary run on the build
# machine's Linux and on Exo-OS by the boot tests (PosixDifferentialTests), which compare what they print.
DIFFERENTIAL_SOURCES  := $(wildcard userland/linux/differential/*.c)
DIFFERENTIAL_PROGRAMS := $(patsubst userland/linux/differential/%.c,$(OUT)/userland-linux/%,$(DIFFERENTIAL_SOURCES))
# The robustness programs (userland/linux/robustness): static C with glibc like the differential ones, run on Exo-OS
# only by the boot tests (RobustnessTests): a system call fuzzer, a fork bomb, a program that runs out of memory.
ROBUSTNESS_SOURCES  := $(wildcard userland/linux/robustness/*.c)
ROBUSTNESS_PROGRAMS := $(patsubst userland/linux/robustness/%.c,$(OUT)/userland-linux/%,$(ROBUSTNESS_SOURCES))
# Dynamically linked test programs (userland/linux/dynamic): gcc's default, a PIE with Debian's dynamic linker and
# glibc's shared libraries (libc6, in the root file system), started by the differential program `dynamic`.
DYNAMIC_SOURCES  := $(wildcard userland/linux/dynamic/*.c)
DYNAMIC_PROGRAMS := $(patsubst userland/linux/dynamic/%.c,$(OUT)/userland-linux/%,$(DYNAMIC_SOURCES))
# Static position-independent test programs (userland/linux/staticpie): gcc -static-pie, no interpreter, the program
# relocates itself; also started by `dynamic`.
STATIC_PIE_SOURCES  := $(wildcard userland/linux/staticpie/*.c)
STATIC_PIE_PROGRAMS := $(patsubst userland/linux/staticpie/%.c,$(OUT)/userland-linux/%,$(STATIC_PIE_SOURCES))
# .NET programs (userland/linux/dotnet, one folder each): published with the SDK as NativeAOT linux-x64 executables
# (dynamically linked against glibc), as anyone builds a .NET program for Linux; the same binary runs on both kernels.
DOTNET_PROGRAM_NAMES := $(notdir $(patsubst %/,%,$(wildcard userland/linux/dotnet/*/)))
DOTNET_PROGRAMS      := $(addprefix $(OUT)/userland-linux/,$(DOTNET_PROGRAM_NAMES))
LINUX_PROGRAMS := $(patsubst userland/linux/%.asm,$(OUT)/userland-linux/%,$(LINUX_SOURCES)) \
                  $(patsubst userland/linux/%.c,$(OUT)/userland-linux/%,$(LINUX_C_SOURCES)) \
                  $(LINUX_LIBC_PROGRAMS) $(DIFFERENTIAL_PROGRAMS) $(ROBUSTNESS_PROGRAMS) $(DYNAMIC_PROGRAMS) $(STATIC_PIE_PROGRAMS) \
                  $(DOTNET_PROGRAMS)
# C# user programs: one folder per program under userland/csharp (folder name = program name).
CS_PROGRAM_NAMES := $(notdir $(patsubst %/,%,$(wildcard userland/csharp/*/)))
CS_PROGRAMS   := $(addprefix $(OUT)/userland-cs/,$(CS_PROGRAM_NAMES))
CS_OBJECTS    := $(addprefix $(OUT)/userland-cs/$(CONFIG)/,$(addsuffix .o,$(CS_PROGRAM_NAMES)))
CS_LIBRARY_SOURCES := $(shell find libs/Exo.Runtime libs/Exo.Std libs/Exo.Abi libs/Exo.Protocols -name '*.cs' -o -name '*.csproj') Directory.Build.props \
                 userland/csharp/Directory.Build.props userland/csharp/Directory.Build.targets
CS_ASM_OBJECTS := $(patsubst %.asm,$(OUT)/asm/%.o,$(wildcard libs/Exo.Std/Arch/X64/*.asm) $(wildcard libs/Exo.Runtime/Arch/X64/*.asm))
QEMU_MEMORY ?= 256M
QEMU_SMP    ?= 2
QEMU_CPU    ?= max
QEMU_COMMON := -machine q35 -cpu $(QEMU_CPU) -m $(QEMU_MEMORY) -smp $(QEMU_SMP) -accel tcg -no-reboot \
               -device isa-debug-exit,iobase=0xf4,iosize=0x04
DOTNET_FLAGS := --nologo -v:q -clp:NoSummary

.PHONY: all build release qemu run desktop new-disk debug test test-host test-boot bench profile-plugin count-plugin soak deps clean iso initrd-reproducible FORCE

# The images (out/exo.elf, exo.bin, the C# programs, the RAM disk) are shared by both configurations, but
# their objects are not: without this stamp, `make release` after `make build` found the Debug-linked
# image newer than the Release objects and kept it (make bench then measured the Debug kernel). The stamp
# holds the configuration the images were linked from and changes only when CONFIG does.
CONFIG_STAMP := $(OUT)/link/configuration
$(CONFIG_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo $(CONFIG) | cmp -s - $@ || echo $(CONFIG) > $@

all: build

deps:
	@tools/scripts/install-dependencies.sh

build: deps $(OUT)/exo.bin $(OUT)/exo.elf $(OUT)/initrd.cpio $(OUT)/debian.cpio

release:
	@$(MAKE) --no-print-directory build CONFIG=Release

$(KERNEL_OBJ): $(CS_SOURCES)
	dotnet build kernel/Exo.Kernel.csproj -t:IlcCompile -c $(CONFIG) $(DOTNET_FLAGS)
	@touch $@

$(OUT)/asm/%.o: %.asm $(wildcard kernel/Arch/X64/*.inc)
	@mkdir -p $(dir $@)
	nasm -f elf64 -g -I $(dir $<) -I $(OUT)/vdso/ -o $@ $<

# POSIX-X's vDSO (posix_x/Optimization): a Linux shared object built by the host's gcc and checked for what glibc
# needs, then embedded in the kernel image by VdsoImage.asm (incbin, found through -I $(OUT)/vdso/).
VDSO := $(OUT)/vdso/vdso.so
$(VDSO): posix_x/Optimization/vdso.c posix_x/Optimization/vdso.lds tools/scripts/build-vdso.sh
	tools/scripts/build-vdso.sh posix_x/Optimization/vdso.c posix_x/Optimization/vdso.lds $@
$(OUT)/asm/posix_x/Optimization/VdsoImage.o: $(VDSO)

# Two links: the first gives the addresses for the embedded symbol table, the second adds the table. Then a check
# that the kernel never touches YMM/ZMM registers (their user values are saved, the kernel's own would not be).
$(OUT)/exo.elf: $(KERNEL_OBJ) $(ASM_OBJECTS) kernel/Boot/Linker.ld tools/scripts/generate-symbol-table.sh tools/scripts/check-no-vector-registers.sh $(CONFIG_STAMP)
	@mkdir -p $(OUT)/link
	tools/scripts/link-runtime-exports.sh $(ASM_OBJECTS) $(KERNEL_OBJ) > $(OUT)/link/exports.args
	ld -n -nostdlib -z noexecstack -z max-page-size=4096 -T kernel/Boot/Linker.ld -o $(OUT)/link/pass1.elf @$(OUT)/link/exports.args $(ASM_OBJECTS) $(KERNEL_OBJ)
	tools/scripts/generate-symbol-table.sh $(OUT)/link/pass1.elf $(OUT)/link/symbols.asm
	nasm -f elf64 -o $(OUT)/link/symbols.o $(OUT)/link/symbols.asm
	ld -n -nostdlib -z noexecstack -z max-page-size=4096 -T kernel/Boot/Linker.ld -o $@ @$(OUT)/link/exports.args $(ASM_OBJECTS) $(KERNEL_OBJ) $(OUT)/link/symbols.o
	@nm -n --defined-only $(OUT)/link/pass1.elf | grep -E ' [tTrRdD] ' | grep -v __kernel_symbols > $(OUT)/link/pass1.sym
	@nm -n --defined-only $@ | grep -E ' [tTrRdD] ' | grep -v __kernel_symbols > $(OUT)/link/pass2.sym
	@cmp -s $(OUT)/link/pass1.sym $(OUT)/link/pass2.sym || { echo "symbol addresses moved between links"; exit 1; }
	tools/scripts/check-no-vector-registers.sh $@

# QEMU's -kernel takes a multiboot1 flat binary (it rejects ELF64).
$(OUT)/exo.bin: $(OUT)/exo.elf
	objcopy -O binary $< $@

# The native ABI's numbers for assembly programs, generated from its one definition (libs/Exo.Abi, C#).
ABI_SOURCES := $(wildcard libs/Exo.Abi/*.cs)
$(OUT)/generated/exo-abi.inc: $(ABI_SOURCES) tools/scripts/generate-native-abi.sh
	tools/scripts/generate-native-abi.sh $@

# Native programs for ring 3 (static ELF64), packed into the initial RAM disk, a boot module.
$(OUT)/userland/%: userland/programs/%.asm $(wildcard userland/programs/*.inc) $(OUT)/generated/exo-abi.inc tools/scripts/brand-exo.sh
	@mkdir -p $(OUT)/userland
	nasm -f elf64 -I userland/programs/ -I $(OUT)/generated/ -o $@.o $<
	ld -static -nostdlib -z noexecstack -z max-page-size=4096 -Ttext-segment=0x400000 -e _start -o $@ $@.o
	tools/scripts/brand-exo.sh $@

$(OUT)/userland-linux/%: userland/linux/%.asm
	@mkdir -p $(OUT)/userland-linux
	nasm -f elf64 -o $@.o $<
	ld -static -nostdlib -z noexecstack -z max-page-size=4096 -Ttext-segment=0x400000 -e _start -o $@ $@.o

# Linux test programs in C: static, no C library (nothing runs before _start), the build machine's gcc. The same
# binary runs on the build machine's Linux in the differential tests.
$(OUT)/userland-linux/%: userland/linux/%.c $(wildcard userland/linux/*.h)
	@mkdir -p $(OUT)/userland-linux
	gcc -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -fno-pie -no-pie -O2 -Wall -o $@ $<

# Linux programs with the build machine's C library, linked static against glibc (Debian's libc6-dev has libc.a; glibc
# 2.36 on Debian 12, the C library of busybox-static and of the benchmark reference programs): what glibc does at
# start-up and around system calls (the vDSO) is part of what they test. The boot image gets the stripped binary;
# NAME.elf keeps its symbols (addr2line for a fault report). The same binary runs on the build machine's Linux.
GLIBC_STATIC_CFLAGS := -static -O2 -Wall
$(LINUX_LIBC_PROGRAMS): $(OUT)/userland-linux/%: userland/linux/libc/%.c $(wildcard userland/linux/libc/*.h)
	@mkdir -p $(OUT)/userland-linux
	gcc $(GLIBC_STATIC_CFLAGS) -Wextra -Werror -o $@.elf $<
	strip -o $@ $@.elf
# The differential programs pass bad pointers, counts and flags on purpose, so gcc's warnings about those are off.
DIFFERENTIAL_CFLAGS := $(GLIBC_STATIC_CFLAGS) -pthread -Wno-unused-function -Wno-stringop-overflow -Wno-stringop-overread
$(DIFFERENTIAL_PROGRAMS): $(OUT)/userland-linux/%: userland/linux/differential/%.c $(wildcard userland/linux/differential/*.h)
	@mkdir -p $(OUT)/userland-linux
	gcc $(DIFFERENTIAL_CFLAGS) -o $@.elf $<
	strip -o $@ $@.elf

$(DYNAMIC_PROGRAMS): $(OUT)/userland-linux/%: userland/linux/dynamic/%.c
	@mkdir -p $(OUT)/userland-linux
	gcc -O2 -Wall -Wextra -Werror -o $@.elf $< -lm
	strip -o $@ $@.elf

$(STATIC_PIE_PROGRAMS): $(OUT)/userland-linux/%: userland/linux/staticpie/%.c
	@mkdir -p $(OUT)/userland-linux
	gcc -static-pie -O2 -Wall -Wextra -Werror -o $@.elf $<
	strip -o $@ $@.elf

# The fuzzer names the calls it reports: Linux's own list (the uapi header asm/unistd_64.h, from linux-libc-dev, which
# libc6-dev needs), as C initializers "[NUMBER] = "name",".
SYSTEM_CALL_HEADER := /usr/include/x86_64-linux-gnu/asm/unistd_64.h
$(OUT)/generated/system_call_names.h: $(SYSTEM_CALL_HEADER)
	@mkdir -p $(dir $@)
	awk '/^#define __NR_[a-z0-9_]+ [0-9]+$$/ { printf "[%d] = \"%s\",\n", $$3, substr($$2, 6) }' $< > $@

$(ROBUSTNESS_PROGRAMS): $(OUT)/userland-linux/%: userland/linux/robustness/%.c $(wildcard userland/linux/robustness/*.h) \
                        $(wildcard userland/linux/differential/*.h) $(OUT)/generated/system_call_names.h
	@mkdir -p $(OUT)/userland-linux
	gcc $(DIFFERENTIAL_CFLAGS) -I $(OUT)/generated -o $@.elf $<
	strip -o $@ $@.elf

# C# programs: ILC compiles each (Exo.Runtime + Exo.Std + the program) to an object, one invocation per
# program (about 5 s each); the link adds _start, the system call stubs and the runtime's assembly helpers,
# binds runtime helper names like the kernel's link, and strips the image for the RAM disk (the unstripped
# ELF stays beside it as NAME.elf, for objdump and gdb). Objects are kept per configuration (Debug, Release).
.SECONDEXPANSION:
$(CS_OBJECTS): $(OUT)/userland-cs/$(CONFIG)/%.o: $(CS_LIBRARY_SOURCES) $$(wildcard userland/csharp/$$*/*) $(wildcard userland/csharp/*.cs)
	dotnet build userland/csharp/$*/$*.csproj -t:IlcCompile -c $(CONFIG) $(DOTNET_FLAGS)
	@mkdir -p $(dir $@)
	cp $(OUT)/obj/$*/$(CONFIG)/net10.0/linux-x64/native/$*.o $@
# extfs compiles the ext2/ext4 library (userland/services/storage/ext) and the partition tables (storage/partitions) from their sources.
$(OUT)/userland-cs/$(CONFIG)/extfs.o: $(wildcard userland/services/storage/ext/*.cs) $(wildcard userland/services/storage/partitions/*.cs)
# netstack and netstack_selftest compile the network stack library (userland/services/network/stack, with subfolders) from its sources.
$(OUT)/userland-cs/$(CONFIG)/netstack.o $(OUT)/userland-cs/$(CONFIG)/netstack_selftest.o: $(shell find userland/services/network/stack -name '*.cs')

# ps2_input and virtio_input compile the input library (userland/services/input: key maps, mouse packets, tablet events) from its sources.
$(OUT)/userland-cs/$(CONFIG)/ps2_input.o $(OUT)/userland-cs/$(CONFIG)/virtio_input.o: $(wildcard userland/services/input/*.cs)

$(CS_PROGRAMS): $(OUT)/userland-cs/%: $(OUT)/userland-cs/$(CONFIG)/%.o $(CS_ASM_OBJECTS) libs/Exo.Std/Arch/X64/UserProgram.ld tools/scripts/link-runtime-exports.sh tools/scripts/brand-exo.sh $(CONFIG_STAMP)
	tools/scripts/link-runtime-exports.sh $(CS_ASM_OBJECTS) $< > $@.args
	ld -static -nostdlib -z noexecstack -z max-page-size=4096 -T libs/Exo.Std/Arch/X64/UserProgram.ld -o $@.elf @$@.args $(CS_ASM_OBJECTS) $<
	strip -o $@ $@.elf
	tools/scripts/brand-exo.sh $@

# libs/Exo.Channels (with the protocol it compiles in) is the library .NET programs reach native services with;
# libs/Exo.Toolkit (with the compositor's protocol) the one desktop applications draw and take input with;
# libs/Exo.Terminal the terminal's emulator.
DOTNET_LIBRARY_SOURCES := $(wildcard libs/Exo.Channels/*) $(wildcard libs/Exo.Protocols/Channels/*) $(wildcard libs/Exo.Terminal/*) \
                          $(wildcard libs/Exo.Protocols/Compositor/*) $(wildcard libs/Exo.Protocols/Rings/*) \
                          $(shell find libs/Exo.Toolkit -name '*.cs' -o -name '*.csproj')
$(DOTNET_PROGRAMS): $(OUT)/userland-linux/%: $$(wildcard userland/linux/dotnet/$$*/*) $(DOTNET_LIBRARY_SOURCES)
	dotnet publish userland/linux/dotnet/$*/$*.csproj -c Release -o $(OUT)/dotnet/$* $(DOTNET_FLAGS)
	@mkdir -p $(OUT)/userland-linux
	cp $(OUT)/dotnet/$*/$* $@

# The root file system (userland/rootfs/README.md): Debian's packages (userland/rootfs/debian-packages: busybox),
# fetched once with apt-get download into out/cache/debian (`make clean` empties it), busybox's applet links,
# Exo-OS's programs in /exo/bin, init's configurations (userland/config) in /exo/config, /etc from
# userland/rootfs/etc. Assembled fresh in out/rootfs, packed by Exo.ImageTool into the initial RAM disk (cpio
# newc, deterministic: the same inputs give the same bytes, checked by `make initrd-reproducible`).
INIT_CONFIGURATIONS := $(wildcard userland/config/*.conf)
DEBIAN_PACKAGES := userland/rootfs/debian-packages
DEBIAN_CACHE    := $(OUT)/cache/debian
ROOTFS_FILES    := $(shell find userland/rootfs -type f)
IMAGE_TOOL      := $(OUT)/bin/Exo.ImageTool/Release/net10.0/Exo.ImageTool.dll
# The WAV files `play` and DspBootTests use (usr/share/sounds/exo): made by a host program, not committed.
TEST_SOUNDS     := $(OUT)/sounds/.made
# The toolkit's glyph atlases (usr/share/exo/fonts, docs/desktop.md "Fonts"): rendered on the host by tools/Exo.FontAtlas
# from Debian's DejaVu fonts (tools/fonts/font-packages, fetched like the root's packages into out/cache/fonts, not put
# into the image themselves), not committed.
FONT_CACHE      := $(OUT)/cache/fonts
FONT_TOOL       := $(OUT)/bin/Exo.FontAtlas/Release/net10.0/Exo.FontAtlas.dll
FONT_ATLASES    := $(OUT)/fonts/.made
DEJAVU          := $(FONT_CACHE)/unpacked/fonts-dejavu-core/usr/share/fonts/truetype/dejavu
ROOTFS_INPUTS   := $(USER_PROGRAMS) $(LINUX_PROGRAMS) $(CS_PROGRAMS) $(INIT_CONFIGURATIONS) $(ROOTFS_FILES) \
                   $(DEBIAN_CACHE)/packages $(IMAGE_TOOL) tools/scripts/make-rootfs.sh $(TEST_SOUNDS) $(FONT_ATLASES)
# $(1): the staging directory, $(2): the archive.
define make-initrd
	tools/scripts/make-rootfs.sh $(1) --debian $(DEBIAN_CACHE) --etc userland/rootfs/etc --tests userland/rootfs/tests \
	  --sounds $(OUT)/sounds --fonts $(OUT)/fonts --bin $(USER_PROGRAMS) $(LINUX_PROGRAMS) $(CS_PROGRAMS) --config $(INIT_CONFIGURATIONS)
	dotnet $(IMAGE_TOOL) tree $(2) $(1)
endef

$(TEST_SOUNDS): tools/test-sounds/make-test-sounds.c
	@mkdir -p $(OUT)/bin $(OUT)/sounds
	gcc -O2 -Wall -Wextra -Werror -o $(OUT)/bin/make-test-sounds $< -lm
	rm -f $(OUT)/sounds/*.wav
	$(OUT)/bin/make-test-sounds $(OUT)/sounds
	@touch $@

$(DEBIAN_CACHE)/packages: $(DEBIAN_PACKAGES) tools/scripts/fetch-debian-packages.sh
	tools/scripts/fetch-debian-packages.sh $(DEBIAN_PACKAGES) $(DEBIAN_CACHE)

$(FONT_CACHE)/packages: tools/fonts/font-packages tools/scripts/fetch-debian-packages.sh
	tools/scripts/fetch-debian-packages.sh tools/fonts/font-packages $(FONT_CACHE)

$(FONT_TOOL): $(wildcard tools/Exo.FontAtlas/*.cs) tools/Exo.FontAtlas/Exo.FontAtlas.csproj libs/Exo.Toolkit/Text/GlyphAtlasFormat.cs Directory.Build.props
	dotnet build tools/Exo.FontAtlas/Exo.FontAtlas.csproj -c Release $(DOTNET_FLAGS)
	@touch $@

# Sans at 11, 13, 16 and 24 pixels, mono at 13 and 16 (libs/Exo.Toolkit/Text/Fonts.cs names them).
$(FONT_ATLASES): $(FONT_CACHE)/packages $(FONT_TOOL)
	rm -rf $(OUT)/fonts
	dotnet $(FONT_TOOL) $(OUT)/fonts $(DEJAVU)/DejaVuSans.ttf:sans:11,13,16,24 $(DEJAVU)/DejaVuSansMono.ttf:mono:13,16
	@touch $@

# The image tool is built once for the host (Release, whatever CONFIG is).
$(IMAGE_TOOL): $(wildcard tools/Exo.ImageTool/*.cs) tools/Exo.ImageTool/Exo.ImageTool.csproj Directory.Build.props
	dotnet build tools/Exo.ImageTool/Exo.ImageTool.csproj -c Release $(DOTNET_FLAGS)
	@touch $@

$(OUT)/initrd.cpio: $(ROOTFS_INPUTS)
	$(call make-initrd,$(OUT)/rootfs,$@)

# The Debian root (userland/rootfs/README.md): the packages marked "debian" in the list (bash, coreutils, python3...),
# userland/rootfs/debian/etc and the Debian tests, a second boot module the kernel lays over the root file system.
# Only the sessions that load it have it (make run, DebianRootTests); the other boot tests boot without it.
DEBIAN_ROOT_INPUTS := $(ROOTFS_FILES) $(DEBIAN_CACHE)/packages $(IMAGE_TOOL) tools/scripts/make-rootfs.sh
define make-debian-root
	tools/scripts/make-rootfs.sh $(1) --module debian --debian $(DEBIAN_CACHE) --etc userland/rootfs/debian/etc \
	  --tests userland/rootfs/debian/tests
	dotnet $(IMAGE_TOOL) tree $(2) $(1)
endef

$(OUT)/debian.cpio: $(DEBIAN_ROOT_INPUTS)
	$(call make-debian-root,$(OUT)/debian-root,$@)

# Assembles and packs the same tree a second time, elsewhere and later, and compares the bytes.
initrd-reproducible: $(OUT)/initrd.cpio $(OUT)/debian.cpio
	$(call make-initrd,$(OUT)/rootfs-again,$(OUT)/initrd-again.cpio)
	cmp $(OUT)/initrd.cpio $(OUT)/initrd-again.cpio
	$(call make-debian-root,$(OUT)/debian-root-again,$(OUT)/debian-again.cpio)
	cmp $(OUT)/debian.cpio $(OUT)/debian-again.cpio
	@rm -rf $(OUT)/rootfs-again $(OUT)/initrd-again.cpio $(OUT)/debian-root-again $(OUT)/debian-again.cpio
	@echo "initrd-reproducible: two builds of out/initrd.cpio and of out/debian.cpio are the same bytes"

$(OUT)/exo.iso: $(OUT)/exo.elf $(OUT)/initrd.cpio $(OUT)/debian.cpio kernel/Boot/grub.cfg
	@mkdir -p $(OUT)/iso/boot/grub
	cp $(OUT)/exo.elf $(OUT)/iso/boot/exo.elf
	cp $(OUT)/initrd.cpio $(OUT)/iso/boot/initrd.cpio
	cp $(OUT)/debian.cpio $(OUT)/iso/boot/debian.cpio
	cp kernel/Boot/grub.cfg $(OUT)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(OUT)/iso 2>/dev/null

iso: deps $(OUT)/exo.iso

# The persistent disk for `make run`: an ext4 image made once from userland/disk, then kept between runs (what the
# guest writes under /mnt stays); `make new-disk` makes it again. The tests never use it (they make their own images).
DISK       := $(OUT)/disk.img
DISK_SIZE  ?= 64M
QEMU_DISK  := -drive file=$(DISK),if=none,id=disk0,format=raw -device virtio-blk-pci,drive=disk0,disable-legacy=on
# A virtio-net card on QEMU's user network (DHCP gives the guest 10.0.2.15), with host port HTTP_PORT forwarded to the
# guest's port 80: busybox httpd in Exo-OS answers `curl http://127.0.0.1:8080/` on the host.
HTTP_PORT ?= 8080
QEMU_NETWORK := -netdev user,id=net0,hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80 -device virtio-net-pci,netdev=net0
# An HD Audio controller with a duplex codec (intel_hda and the audio service drive it, docs/audio.md). The default back
# end records what the guest plays into out/audio.wav, so `make run` needs no sound card; AUDIODEV=pa,id=snd0 (or alsa,
# sdl) plays it on the host instead.
AUDIODEV ?= wav,id=snd0,path=$(OUT)/audio.wav,out.frequency=48000,out.channels=2,out.format=s16
QEMU_AUDIO := -device intel-hda -device hda-duplex,audiodev=snd0 -audiodev $(AUDIODEV)

$(DISK):
	@mkdir -p $(OUT)
	MKE2FS_CONFIG=/etc/mke2fs.conf /usr/sbin/mke2fs -q -F -t ext4 -L exo -d userland/disk $@ $(DISK_SIZE)

new-disk:
	rm -f $(DISK)
	$(MAKE) $(DISK)

# Boots the GRUB ISO (multiboot2, framebuffer kept) with the serial console on this terminal, and the disk.
run: deps $(OUT)/exo.iso $(DISK)
	@echo "Exo-OS: serial console on this terminal, out/disk.img mounted on /mnt, host port $(HTTP_PORT) forwarded to the guest's 80. Quit QEMU with Ctrl-A X (after sync)."
	qemu-system-x86_64 $(QEMU_COMMON) -display none -serial mon:stdio -cdrom $(OUT)/exo.iso $(QEMU_DISK) $(QEMU_NETWORK) $(QEMU_AUDIO)

# The desktop (docs/desktop.md): init=desktop_session.conf, whose device manager starts the display driver (display_bochs
# on std-vga), the PS/2 keyboard and mouse driver (ps2_input), the virtio tablet's (virtio_input: absolute pointing in
# the window) and the compositor, and init the panel (its Applications button opens the launcher: the terminal, the
# gallery), in a QEMU window when there is a display; without one (no $DISPLAY or $WAYLAND_DISPLAY), -display none and
# a VNC server on DESKTOP_VNC (127.0.0.1:5901 for :1). The serial console stays on this terminal.
# DESKTOP_CONFIG=desktop.conf shows the compositor's demo client instead, gallery.conf the toolkit's gallery
# (WidgetGallery), desktop_terminal.conf the terminal alone (a shell on a pseudo-terminal).
DESKTOP_VNC    ?= 127.0.0.1:1
DESKTOP_CONFIG ?= desktop_session.conf
DESKTOP_SCREEN := $(if $(or $(DISPLAY),$(WAYLAND_DISPLAY)),,-display none -vnc $(DESKTOP_VNC))
desktop: build
	@echo "Exo-OS desktop ($(DESKTOP_CONFIG)): the panel's Applications button starts programs, its window buttons raise and minimise, Power shuts down; drag title bars, click to raise; serial console on this terminal (Ctrl-A X quits)."
	@$(if $(or $(DISPLAY),$(WAYLAND_DISPLAY)),true,echo "No display here: the screen is on VNC $(DESKTOP_VNC) (TCP port 5900 + display number).")
	qemu-system-x86_64 $(QEMU_COMMON) -vga std -device virtio-tablet-pci $(DESKTOP_SCREEN) -serial mon:stdio -kernel $(OUT)/exo.bin -initrd $(OUT)/initrd.cpio \
	  -append init=$(DESKTOP_CONFIG)

# The architecture document's name for the same thing.
qemu: run

debug: deps $(OUT)/exo.iso
	@echo "QEMU waits for gdb on tcp::1234. In another terminal:"
	@echo "  gdb $(OUT)/exo.elf -ex 'target remote :1234' -ex 'break KernelMain' -ex continue"
	qemu-system-x86_64 $(QEMU_COMMON) -display none -serial mon:stdio -cdrom $(OUT)/exo.iso -s -S

test: build iso
	tools/scripts/run-tests.sh

# The QEMU plugin tools/profile/profile.py reads (guest instructions per translated block; see tools/profile/README.md).
profile-plugin: $(OUT)/profile/exo_profile.so
$(OUT)/profile/exo_profile.so: tools/profile/exo_profile.c tools/profile/qemu_plugin.h
	@mkdir -p $(dir $@)
	gcc -shared -fPIC -O2 -Wall -o $@ $<

# The storage rows' instruction counter (a QEMU plugin; make bench builds it).
count-plugin: $(OUT)/bench/exo_count.so
$(OUT)/bench/exo_count.so: tools/bench/exo_count.c tools/profile/qemu_plugin.h
	@mkdir -p $(dir $@)
	gcc -shared -fPIC -O2 -Wall -o $@ $<

bench: deps
	tools/scripts/run-bench.sh $(if $(QUICK),--quick,) $(if $(STORAGE_ONLY),--storage-only,) $(if $(NETWORK_ONLY),--network-only,)

# Boots test=SUITE RUNS times at SMP processors (JOBS at a time) and counts passes, failures and hangs (a
# timeout of TIMEOUT seconds); the serial logs of failed and hung runs stay in out/soak/. For races:
#   make soak SUITE=processes SMP=2 RUNS=100
# SUITE=robustness is the robustness boot tests' long variant instead (tools/scripts/soak-robustness.sh): the system
# call fuzzer's 100,000 calls from a new seed each run, with the malformed-file, fork-bomb and out-of-memory tests
# (RUNS defaults to 3 there: about 5 minutes a run):
#   make soak SUITE=robustness RUNS=3
SUITE   ?=
RUNS    ?= 100
SMP     ?= 2
JOBS    ?= 1
TIMEOUT ?=
soak:
	@test -n "$(SUITE)" || { echo "usage: make soak SUITE=name [RUNS=100] [SMP=2] [JOBS=1] [TIMEOUT=seconds] (or SUITE=robustness [RUNS=3])"; exit 2; }
	@$(MAKE) --no-print-directory build
	$(if $(filter robustness,$(SUITE)),tools/scripts/soak-robustness.sh $(if $(filter command line,$(origin RUNS)),$(RUNS),3),tools/scripts/soak.sh $(SUITE) $(RUNS) $(SMP) $(JOBS) $(TIMEOUT))

clean:
	rm -rf $(OUT)
