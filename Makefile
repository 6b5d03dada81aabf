# Keel: build, run, test, iso, bench.  `make help` lists the targets.

BUILD     ?= build
CC        := gcc
LD        := ld
PYTHON    := python3
QEMU      := qemu-system-x86_64

# ---- hypervisor -------------------------------------------------------------

HV_ARCH   := hypervisor/arch/x86
HV_INC    := -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
             -Ihypervisor/include -I$(HV_ARCH)/include
HV_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
             -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-common \
             -mno-red-zone -mcmodel=kernel -mno-sse -mno-mmx -mno-sse2 \
             -mno-avx -mno-80387 -mgeneral-regs-only \
             -fno-stack-protector -fno-omit-frame-pointer \
             -fno-asynchronous-unwind-tables -fcf-protection=none \
             -MMD -MP $(HV_INC)
HV_ASFLAGS := -D__ASSEMBLER__ -g -MMD -MP $(HV_INC)
HV_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack \
              --no-warn-rwx-segments -T $(HV_ARCH)/keel.lds

HV_SRCS := $(wildcard hypervisor/common/*.c hypervisor/lib/*.c \
                      $(HV_ARCH)/*.c $(HV_ARCH)/*.S $(HV_ARCH)/boot/*.S \
                      $(HV_ARCH)/hvm/*.c $(HV_ARCH)/svm/*.c $(HV_ARCH)/svm/*.S)
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

KEEL := $(BUILD)/keel.elf

.PHONY: all
all: $(KEEL)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

# Function names for stack traces: link once with an empty symbol table, read
# the symbols, link again with the table.  The table sits after all code, so
# code addresses are the same in both links (scripts/gen-symbols.py checks).
$(BUILD)/symbols-empty.S:
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) scripts/gen-symbols.py --empty > $@

$(BUILD)/keel.pass1.elf: $(HV_OBJS) $(BUILD)/symbols-empty.S.o $(HV_ARCH)/keel.lds
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/symbols-empty.S.o

$(BUILD)/symbols.S: $(BUILD)/keel.pass1.elf scripts/gen-symbols.py
	$(Q)nm -n $< | $(PYTHON) scripts/gen-symbols.py > $@

$(BUILD)/symbols-empty.S.o $(BUILD)/symbols.S.o: %.S.o: %.S
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

$(KEEL): $(HV_OBJS) $(BUILD)/symbols.S.o $(HV_ARCH)/keel.lds scripts/check-image.py
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(HV_LDFLAGS) -o $@.tmp $(HV_OBJS) $(BUILD)/symbols.S.o
	$(Q)$(PYTHON) scripts/check-image.py $(BUILD)/keel.pass1.elf $@.tmp
	$(Q)mv $@.tmp $@

-include $(HV_OBJS:.o=.d)

# ---- ISO --------------------------------------------------------------------

.PHONY: iso
iso: $(BUILD)/keel.iso

$(BUILD)/keel.iso: $(KEEL) scripts/grub.cfg
	@scripts/deps.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	$(Q)cp $(KEEL) $(BUILD)/iso/boot/keel.elf
	$(Q)cp scripts/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || \
	    { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# ---- run --------------------------------------------------------------------

RUN_CMDLINE ?= console=com1 loglvl=info
# A Debian Linux domain with a shell on hvc0 (it has the keyboard), and two
# demo domains whose lines interleave on the console for a few seconds.
RUN_MODULES ?= $(BUILD)/linux/vmlinux domain name=linux memory=256 -- console=hvc0 keel.run=shell,$(BUILD)/linux/initramfs.cpio.gz ramdisk,$(BUILD)/guests/demo.elf domain name=left memory=16 -- ticks=12 ms=500 msg=hello-from-the-left-domain,$(BUILD)/guests/demo.elf domain name=right memory=16 -- ticks=8 ms=750 msg=greetings-from-the-right-domain

.PHONY: run
run: $(KEEL) guests linux
	@scripts/deps.sh
	@echo "Keel on QEMU (TCG, SVM+NPT). Typing goes to the Linux shell; Ctrl-a x quits QEMU."
	$(QEMU) -machine q35 -cpu qemu64,+svm,+npt -smp 2 -m 1G -nographic \
	    -no-reboot -kernel $(KEEL) -append "$(RUN_CMDLINE)" -initrd "$(RUN_MODULES)"

# ---- tests ------------------------------------------------------------------

include tests/unit/Makefile.inc
include tests/fuzz/fuzz.mk

.PHONY: test check-unit check-boot
test:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all iso unit-build fuzz-build guests linux
	@$(PYTHON) tests/run-all.py --build $(BUILD)

check-unit:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory unit-build
	@$(PYTHON) tests/run-all.py --build $(BUILD) --only unit

check-boot:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all iso guests linux
	@$(PYTHON) tests/run-all.py --build $(BUILD) --only boot

# The create/destroy soak at full length (make test runs 50 cycles).
SOAK_CYCLES ?= 1000
.PHONY: soak
soak:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all guests
	@KEEL_SOAK_CYCLES=$(SOAK_CYCLES) $(PYTHON) tests/boot/runner.py --build $(BUILD) soak
	@grep -h "(keel) no domains:" $(BUILD)/test-logs/soak.log | tail -1

# ---- bench ------------------------------------------------------------------

.PHONY: bench
bench: $(KEEL) guests linux
	@scripts/deps.sh
	@$(PYTHON) bench/boot_time.py --keel $(KEEL)
	@$(PYTHON) bench/guests.py --build $(BUILD)
	@$(PYTHON) bench/linux.py --build $(BUILD)

.PHONY: clean help
clean:
	rm -rf $(BUILD)

help:
	@echo "make         build $(KEEL)"
	@echo "make iso     build $(BUILD)/keel.iso (GRUB, Multiboot2)"
	@echo "make run     boot Keel in QEMU (RUN_CMDLINE=... to change options)"
	@echo "make test    unit tests + boot tests; ends with 'N passed, N failed'"
	@echo "make check-unit / check-boot / check-fuzz   one part of make test"
	@echo "make soak    create/destroy domains $(SOAK_CYCLES) times; memory must come back (SOAK_CYCLES=N)"
	@echo "make fuzz    run every fuzz target for FUZZ_SECONDS (default 60) each"
	@echo "make bench   boot-time figures"
-include guests/Makefile.inc
-include scripts/linux.mk
