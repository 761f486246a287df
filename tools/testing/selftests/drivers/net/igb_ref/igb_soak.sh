#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The soak run with the C igb driver: the reference for rigb_soak.sh.
exec bash "$(dirname "$0")/../lib/soak.sh" igb 60
