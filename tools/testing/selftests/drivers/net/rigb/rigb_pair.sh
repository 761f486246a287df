#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Both ports on rigb: probe with MSI-X, links up, ping both ways with payloads
# 0..1472 (IPv4 and IPv6), a 1000-packet flood without loss, and each end's
# counters match what the other sent.
exec bash "$(dirname "$0")/../lib/pair_basic.sh" rigb rigb
