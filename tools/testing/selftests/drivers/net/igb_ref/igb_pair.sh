#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Both ports on the C igb driver: probe with MSI-X, link, ping, counters.
exec bash "$(dirname "$0")/../lib/pair_basic.sh" igb igb
