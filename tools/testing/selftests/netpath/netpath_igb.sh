#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# netpath's numbers for a 1000-packet ping flood with both ports on the C
# igb driver (the reference): see netpath_pair.sh.
exec bash "$(dirname "$0")/netpath_pair.sh" igb
