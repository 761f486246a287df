#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's drivers/net selftests against the C igb driver.
exec bash "$(dirname "$0")/../lib/upstream.sh" igb
