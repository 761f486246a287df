#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Interop: port A on rigb, port B (in the namespace) on the C igb driver.
exec bash "$(dirname "$0")/../lib/pair_basic.sh" rigb igb
