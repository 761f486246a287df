#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad frames into the C igb driver (the reference for rigb's handling).
exec bash "$(dirname "$0")/../lib/bad_frames.sh" igb
