#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Book lab, chapter 8: exact checks (see tools/book/ch08_*.py).
exec bash "$(dirname "$0")/book_run.sh" 8
