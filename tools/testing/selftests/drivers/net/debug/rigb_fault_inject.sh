#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection into rigb's probe, open, ring resize and RX refill.
exec bash "$(dirname "$0")/../lib/fault_inject.sh" rigb
