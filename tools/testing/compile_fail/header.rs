// SPDX-License-Identifier: GPL-2.0
// Shared start of every case: a module and a net device type to misuse.
#![allow(dead_code, unused_imports, unused_variables, unreachable_code)]
use kernel::net::dev::{Device, NetDeviceOps, NetdevTx, Registered, Registration, Unregistered};
use kernel::net::rtnl::{self, Rtnl};
use kernel::net::skb::SkBuff;
use kernel::prelude::*;

module! {
    type: Case,
    name: "compile_fail_case",
    author: "rigb",
    description: "a misuse of the abstractions that must not compile",
    license: "GPL",
}

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Case)
    }
}

struct Dev;

#[vtable]
impl NetDeviceOps for Dev {
    fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
        drop(skb);
        NetdevTx::Ok
    }
}
