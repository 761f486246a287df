// SPDX-License-Identifier: GPL-2.0

//! Read-only module parameters.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)
//!
//! The 6.12 `module!` macro has no `params` section, so a module declares its
//! parameters with [`module_param!`](crate::module_param!): it places a
//! `struct kernel_param` in the `__param` section (which `load_module()` parses
//! before the module's `init` runs) and the `parm`/`parmtype` strings in
//! `.modinfo` (which `modinfo` prints).
//!
//! Only read-only parameters (no write bit in `perm`) are supported: the value
//! is written once, by the parser, before `init`; after that it never changes,
//! so [`ParamU32::get`] needs no lock. A writable parameter would need the
//! kernel's parameter lock around every read, which this type does not model;
//! the macro refuses it at compile time.
//!
//! # Examples
//!
//! ```ignore
//! kernel::module_param!(NUMDEVS, u32 = 1, module: "rust_loopback", name: "numdevs",
//!     perm: 0o444, description: "Number of rlo devices to create");
//!
//! // in init:
//! let n = NUMDEVS.get();
//! ```

use crate::{bindings, str::CStr};
use core::cell::UnsafeCell;

/// Storage of a `uint` module parameter.
#[repr(transparent)]
pub struct ParamU32(UnsafeCell<u32>);

// SAFETY: the value is written only by the kernel's parameter parser before
// the module's `init` runs (the parameter is read-only: `module_param!`
// rejects write permissions), so shared access afterwards is read-only.
unsafe impl Sync for ParamU32 {}

impl ParamU32 {
    /// A parameter with the default `value`.
    pub const fn new(value: u32) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// The value given at load time, or the default.
    pub fn get(&self) -> u32 {
        // SAFETY: A live `UnsafeCell`; its only writer, the parameter parser, finished before
        // any module code ran, and nothing writes later (read-only permissions): no race.
        unsafe { *self.0.get() }
    }
}

/// A `struct kernel_param`, as placed in the `__param` section.
#[repr(transparent)]
pub struct KernelParam(bindings::kernel_param);

// SAFETY: the descriptor is immutable after construction; its pointers refer
// to `'static` data (name, ops, the parameter's storage), and the kernel only
// reads it.
unsafe impl Sync for KernelParam {}

impl KernelParam {
    /// The descriptor of a `uint` parameter named `name` (with the module
    /// prefix when built in) stored in `value`.
    ///
    /// Used by [`module_param!`](crate::module_param!); `perm` has already
    /// been checked to be read-only there.
    #[doc(hidden)]
    pub const fn uint(name: &'static CStr, value: &'static ParamU32, perm: u16) -> Self {
        Self(bindings::kernel_param {
            name: name.as_char_ptr(),
            // A null module makes the parser use the global parameter lock,
            // which is correct (only less fine-grained) and avoids naming
            // `THIS_MODULE` in a constant.
            mod_: core::ptr::null_mut(),
            // Only the address of the C `param_ops_uint` object is taken (it
            // lives as long as the kernel), which needs no `unsafe`.
            ops: core::ptr::addr_of!(bindings::param_ops_uint),
            perm,
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: value.0.get().cast(),
            },
        })
    }
}

/// Copies a string into a byte array of its exact length, for `.modinfo`.
#[doc(hidden)]
pub const fn modinfo<const N: usize>(s: &str) -> [u8; N] {
    let bytes = s.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// Declares a read-only `uint` module parameter.
///
/// `$value` becomes a `static` [`ParamU32`]. `module` must be the name given to
/// `module!`: a built-in module's parameters are named `module.name`.
#[macro_export]
macro_rules! module_param {
    ($value:ident, u32 = $default:expr, module: $module:literal, name: $name:literal,
     perm: $perm:expr, description: $desc:literal $(,)?) => {
        static $value: $crate::module_param::ParamU32 =
            $crate::module_param::ParamU32::new($default);

        const _: () = {
            // Writable parameters would need the parameter lock on reads.
            ::core::assert!(
                ($perm) & 0o222 == 0,
                "module_param!: only read-only parameters"
            );
            ::core::assert!(($perm) & !0o444 == 0, "module_param!: bad permissions");

            #[cfg(MODULE)]
            const NAME: &$crate::str::CStr = $crate::c_str!($name);
            #[cfg(not(MODULE))]
            const NAME: &$crate::str::CStr = $crate::c_str!(::core::concat!($module, ".", $name));

            #[link_section = "__param"]
            #[used(compiler)]
            static PARAM: $crate::module_param::KernelParam =
                $crate::module_param::KernelParam::uint(NAME, &$value, ($perm) as u16);

            // `modinfo` reads these; a built-in module's would need the
            // module prefix and go to modules.builtin.modinfo: not emitted.
            const PARMTYPE: &str = ::core::concat!("parmtype=", $name, ":uint\0");
            const PARM: &str = ::core::concat!("parm=", $name, ":", $desc, "\0");

            #[cfg(MODULE)]
            #[link_section = ".modinfo"]
            #[used(compiler)]
            static MODINFO_TYPE: [u8; PARMTYPE.len()] =
                $crate::module_param::modinfo::<{ PARMTYPE.len() }>(PARMTYPE);
            #[cfg(MODULE)]
            #[link_section = ".modinfo"]
            #[used(compiler)]
            static MODINFO_DESC: [u8; PARM.len()] =
                $crate::module_param::modinfo::<{ PARM.len() }>(PARM);
        };
    };
}
