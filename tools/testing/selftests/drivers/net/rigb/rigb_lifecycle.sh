#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rigb lifecycle under load: 20 load/traffic/unload cycles, rmmod during a
# two-way flood and reload, 20 down/up cycles under traffic, MTU changes
# (up to 9000) under traffic, dmesg clean.
#
# udev renames every new ethN a moment after probe, and the shared helpers
# wait for that rename on every lookup; with 20 reloads under TCG that wait
# is a large part of the 600 s budget, so for this test rigb's interfaces
# keep their kernel names (a runtime .link file, gone at reboot).
mkdir -p /run/systemd/network
printf '[Match]\nDriver=rigb\n\n[Link]\nNamePolicy=\n' >/run/systemd/network/10-rigb-test.link
udevadm control --reload 2>/dev/null
exec bash "$(dirname "$0")/../lib/lifecycle.sh" rigb 20
