// SPDX-License-Identifier: GPL-2.0
// expect: E0277
// The RTNL proof cannot leave the task that holds RTNL.
fn needs_sync<T: Sync>(_t: &T) {}
fn case() {
    let g = rtnl::lock();
    let proof: &Rtnl = &g;
    needs_sync(proof);
}
