#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Login shell of the interactive guest (vng --shell): hand over to guest.sh,
# which loads rigb and starts bash. Leaving that shell powers the guest off.
exec bash "$(cd "$(dirname "$0")" && pwd)/guest.sh"
