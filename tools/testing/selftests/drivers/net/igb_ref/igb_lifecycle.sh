#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lifecycle under load with the C igb driver (the reference for rigb's).
exec bash "$(dirname "$0")/../lib/lifecycle.sh" igb 5
