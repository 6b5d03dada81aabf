# Debian's Linux kernel and a busybox initramfs, for booting Linux as a PVH
# guest (see docs/linux-guest.md).  Included from the top Makefile, which
# defines BUILD; include it after `all` so it does not become the default goal.
#
#   make linux          fetch $(BUILD)/linux/vmlinux and build the initramfs
#   make linux-native   boot them on QEMU's own PVH loader (no hypervisor),
#                       the baseline Keel's Linux boot is compared against;
#                       LINUX_RUN=... sets keel.run=, LINUX_RUNS=N repeats

LINUX_DIR  ?= $(BUILD)/linux
LINUX_RUN  ?= poweroff
LINUX_RUNS ?= 1

.PHONY: linux linux-native
# The scripts are idempotent and decide for themselves whether there is work
# to do (the kernel comes from apt, which make cannot see), so these are
# phony targets rather than file targets.
linux:
	@scripts/fetch-linux.sh $(LINUX_DIR)
	@scripts/mkinitramfs.sh $(LINUX_DIR)

linux-native: linux
	@scripts/deps.sh
	@RUN=$(LINUX_RUN) RUNS=$(LINUX_RUNS) scripts/linux-native.sh $(LINUX_DIR)
