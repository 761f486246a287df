#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Shared by the book_chNN.sh programs: run chapter $1 of the book lab in
# check mode (TAP of its exact checks, quick sizes).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${RIGB_ROOT:=$(cd "$here/../../../.." && pwd)}"
export RIGB_ROOT BOOK_QUICK=1
exec bash "$RIGB_ROOT/tools/book/guest.sh" --tap --ch "$1"
