#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Login shell of the interactive guest (vng --shell): hand over to guest.sh.
eval "export ${RIGB_GUEST_ENV:-}"
exec bash "$(cd "$(dirname "$0")" && pwd)/guest.sh"
