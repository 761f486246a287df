#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Book lab, chapter 9: exact checks (see tools/book/ch09_*.py).
exec bash "$(dirname "$0")/book_run.sh" 9
