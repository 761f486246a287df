#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Interop, the other way round: port A on the C igb driver, port B (in the
# namespace) on rigb.
exec bash "$(dirname "$0")/../lib/pair_basic.sh" igb rigb
