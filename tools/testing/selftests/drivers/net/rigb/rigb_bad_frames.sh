#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad frames (unknown EtherType, runts, oversize, a flood of small frames)
# sent by a C igb peer into rigb: counted where they belong, no crash.
exec bash "$(dirname "$0")/../lib/bad_frames.sh" rigb
