# Host fuzzing (tests/fuzz/README.md): one libFuzzer target per hypercall
# family, plus the ELF/PVH loader, the boot-domain and hypervisor command
# lines and the multiboot parser.  Built with clang, libFuzzer, ASan and
# UBSan; `make fuzz` runs each for FUZZ_SECONDS from its corpus,
# `make check-fuzz` (and make test) briefly as a regression check.

FUZZ_CC      := clang
FUZZ_SECONDS ?= 60
FUZZ_COMMON  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
                -fno-sanitize-recover=all -fno-omit-frame-pointer -DKEEL_HOST_TEST \
                -DHOST_SINGLE_THREAD -Itests/unit/include -Ihypervisor/include -MMD -MP
FUZZ_CFLAGS  := $(FUZZ_COMMON) -fsanitize=fuzzer,address,undefined
# The fakes and checks are not what is being fuzzed: no coverage feedback
# from them (it would only slow the runs and mislead the fuzzer).
FUZZ_HARNESS_CFLAGS := $(FUZZ_COMMON) -fsanitize=address,undefined

# Each tests/fuzz/fuzz_NAME.c is a target; all but the parsers' are
# hypercall targets.
FUZZ_TARGETS    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HC_TARGETS := $(filter-out elf_pvh boot_domain multiboot,$(FUZZ_TARGETS))

# Every hypercall target runs the whole dispatcher (hypercall.c) in the
# same fake world; the targets differ in the calls they make.
FUZZ_HC_SRCS := $(addprefix hypervisor/common/, hypercall.c xen_version.c console_io.c \
                    domain_console.c console_rx.c console_ring.c sched_op.c memory_op.c \
                    vcpu_op.c event_channel.c event_channel_op.c grant_table.c hvm_op.c \
                    page_alloc.c guest_access.c timer.c softirq.c pvh_build.c \
                    schedule.c sched_credit.c watchdog.c) \
                $(addprefix tests/fuzz/, fake_world.c fake_guest.c fake_sched.c \
                    invariants.c common_steps.c input.c hypercall_main.c fail.c) \
                tests/unit/harness.c tests/unit/fake_p2m.c tests/unit/fake_xmalloc.c \
                tests/unit/host_strlcpy.c
$(foreach t,$(FUZZ_HC_TARGETS),$(eval FUZZ_SRCS_$(t) := $(FUZZ_HC_SRCS)))

FUZZ_PARSER_SRCS      := tests/unit/harness.c tests/unit/host_strlcpy.c \
                         tests/fuzz/fail.c tests/fuzz/input.c
FUZZ_SRCS_elf_pvh     := hypervisor/common/elf_pvh.c hypervisor/common/pvh_build.c \
                         tests/unit/fake_gpa.c $(FUZZ_PARSER_SRCS)
FUZZ_SRCS_boot_domain := hypervisor/common/boot_domain.c hypervisor/common/cmdline.c \
                         hypervisor/lib/parse.c $(FUZZ_PARSER_SRCS)
FUZZ_SRCS_multiboot   := hypervisor/common/multiboot.c hypervisor/common/memmap.c \
                         hypervisor/lib/sort.c $(FUZZ_PARSER_SRCS)

FUZZ_BINS := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))

# Each source is compiled once for all the targets that link it.
$(BUILD)/fuzz/obj/hypervisor/%.o: hypervisor/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# The page allocator as the fakes: its verify functions are what the
# checks call after every step, and it has its own unit tests.
$(BUILD)/fuzz/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_HARNESS_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/obj/hypervisor/common/page_alloc.o: hypervisor/common/page_alloc.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_HARNESS_CFLAGS) -c $< -o $@

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): $(BUILD)/fuzz/obj/tests/fuzz/fuzz_$(1).o \
                         $$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$$(FUZZ_SRCS_$(1)))
	@$$(if $$(Q),echo "  FUZZLD  $$@")
	$$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ $$^
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

-include $(patsubst %.c,$(BUILD)/fuzz/obj/%.d,$(sort $(foreach t,$(FUZZ_TARGETS),$(FUZZ_SRCS_$(t)) tests/fuzz/fuzz_$(t).c)))

.PHONY: fuzz-build fuzz check-fuzz
fuzz-build: $(FUZZ_BINS)

fuzz:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory fuzz-build
	@$(PYTHON) tests/run-all.py --build $(BUILD) --only fuzz --fuzz-seconds $(FUZZ_SECONDS) --fuzz-keep

check-fuzz:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory fuzz-build
	@$(PYTHON) tests/run-all.py --build $(BUILD) --only fuzz
