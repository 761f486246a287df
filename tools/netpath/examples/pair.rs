// SPDX-License-Identifier: GPL-2.0
//! Prints the delta report of a fixture pair: `cargo run --example pair
//! -- BEFORE_ROOT AFTER_ROOT` (used to review tests/fixtures/pair/expected.txt).

use netpath::delta::delta_maps;
use netpath::render;
use netpath::report;
use netpath::snapshot::{Snapshot, Sources};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [before, after] = args.as_slice() else {
        anyhow::bail!("usage: pair BEFORE_ROOT AFTER_ROOT");
    };
    let (b, a) = (Sources::at(before), Sources::at(after));
    let ifaces = a.interfaces(&[])?;
    let (sb, sa) = (Snapshot::take(&b, &ifaces), Snapshot::take(&a, &ifaces));
    let r = report::build(&sa, &delta_maps(&sb.flatten(), &sa.flatten()), true);
    print!("{}", render::text(&r));
    Ok(())
}
