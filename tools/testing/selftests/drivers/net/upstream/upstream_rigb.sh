#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's drivers/net selftests against rigb: must end as igb's do
# (expected/ is shared).
exec bash "$(dirname "$0")/../lib/upstream.sh" rigb
