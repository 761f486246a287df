#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# netpath's numbers for a 1000-packet ping flood with both ports on the
# Rust rigb driver: see netpath_pair.sh. Skips (with the reason) while
# rigb.ko is not built or does not bind / pass traffic.
exec bash "$(dirname "$0")/netpath_pair.sh" rigb
