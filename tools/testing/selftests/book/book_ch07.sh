#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Book lab, chapter 7: exact checks (see tools/book/ch07_*.py).
exec bash "$(dirname "$0")/book_run.sh" 7
