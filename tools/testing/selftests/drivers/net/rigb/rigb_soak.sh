#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 60 s of mixed traffic (TCP both ways, UDP, ping) over the rigb pair, then
# every frame is accounted for (see ../lib/soak.sh).
exec bash "$(dirname "$0")/../lib/soak.sh" rigb 60
