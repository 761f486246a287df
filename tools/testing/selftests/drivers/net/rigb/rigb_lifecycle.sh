#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rigb lifecycle under load: 20 load/traffic/unload cycles, rmmod during a
# two-way flood and reload, 20 down/up cycles under traffic, MTU changes
# under traffic, dmesg clean.
exec bash "$(dirname "$0")/../lib/lifecycle.sh" rigb 20
