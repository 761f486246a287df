// SPDX-License-Identifier: GPL-2.0

//! debugfs: directories and read-only `seq_file` files.
//!
//! C header: [`include/linux/debugfs.h`](srctree/include/linux/debugfs.h).
//!
//! Usage summary:
//!
//! - [`Dir::new`] creates a top-level directory; [`SharedDir`] is a `static` top-level
//!   directory that several devices of one driver share (created with the first
//!   [`SharedDir::subdir`], removed when the last of those is dropped).
//! - [`Dir::subdir`] creates a subdirectory; a directory is removed once its handle and
//!   every child handle are dropped (children hold a reference on their parent).
//! - [`Dir::read_only_file`] creates a file whose contents [`Show::show`] prints on each
//!   read. The [`File`] owns the data it prints; dropping it removes the file first, which
//!   waits for readers in progress, and only then drops the data.
//!
//! As in C, debugfs failures are not errors: a directory or file that could not be
//! created (e.g. without `CONFIG_DEBUG_FS`) is silently absent.
//!
//! A file may stay open through the removal of its device and the unloading of the
//! module that created it: the file operations are one table in the kernel crate (built
//! into the kernel image), and after removal debugfs calls only their `release`, which is
//! the core's `single_release`. Reads of a removed file fail with `EIO` (debugfs' proxy);
//! the module's `show` runs only while the file exists, and removal waits for it.

use crate::{
    bindings,
    error::{from_err_ptr, Result},
    prelude::*,
    str::CStr,
    sync::Arc,
};
use core::{
    fmt,
    marker::PhantomData,
    ptr::null_mut,
    sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering},
};

/// Who keeps the parent of an entry alive.
enum Parent {
    None,
    Dir(Arc<Entry>),
    Shared(&'static SharedDir),
}

/// A dentry created by this module, removed on drop.
///
/// # Invariants
///
/// `dentry` is null or a dentry returned by `debugfs_create_*` that nobody else
/// removes; the parent stays (in `_parent`) until after the removal.
struct Entry {
    dentry: *mut bindings::dentry,
    // Only held: dropped after `dentry` is removed (see `Drop`).
    _parent: Parent,
}

// SAFETY: A dentry pointer may be used and removed from any thread.
unsafe impl Send for Entry {}
// SAFETY: `&Entry` only reads the pointer.
unsafe impl Sync for Entry {}

impl Entry {
    /// Wraps the result of a `debugfs_create_*` call (an error pointer becomes null).
    fn new(ptr: *mut bindings::dentry, parent: Parent) -> Self {
        // INVARIANT: A fresh dentry (or null) that only this entry removes.
        Self {
            dentry: from_err_ptr(ptr).unwrap_or_default(),
            _parent: parent,
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if !self.dentry.is_null() {
            // SAFETY: By the type invariant the dentry is ours and still there (its parent
            // is held by `self._parent`). For a file this waits for readers in progress.
            unsafe { bindings::debugfs_remove(self.dentry) };
        }
        // `_parent` is dropped now, after its child is gone.
    }
}

/// A debugfs directory; removed when this handle and all handles of its children are
/// dropped.
pub struct Dir(Option<Arc<Entry>>);

impl Dir {
    fn create(name: &CStr, parent: Parent) -> Self {
        let p = match &parent {
            Parent::None => null_mut(),
            Parent::Dir(e) => e.dentry,
            Parent::Shared(s) => s.dentry.load(Ordering::Acquire),
        };
        if !matches!(parent, Parent::None) && p.is_null() {
            // The parent could not be created: neither can the child.
            return Self(None);
        }
        // SAFETY: `name` is NUL-terminated; `p` is null (top level) or a live directory
        // held by `parent`.
        let d = unsafe { bindings::debugfs_create_dir(name.as_char_ptr(), p) };
        Self(Arc::new(Entry::new(d, parent), GFP_KERNEL).ok())
    }

    /// Creates the top-level directory `name`.
    pub fn new(name: &CStr) -> Self {
        Self::create(name, Parent::None)
    }

    /// Creates the subdirectory `name`.
    pub fn subdir(&self, name: &CStr) -> Self {
        match &self.0 {
            Some(e) => Self::create(name, Parent::Dir(e.clone())),
            None => Self(None),
        }
    }

    /// Whether the directory exists in debugfs.
    pub fn exists(&self) -> bool {
        self.0.as_ref().is_some_and(|e| !e.dentry.is_null())
    }

    /// Creates the read-only file `name` (mode 0400) showing `data` with [`Show::show`].
    ///
    /// Fails only if the data cannot be allocated; a file that debugfs refuses is absent.
    pub fn read_only_file<T: Show>(&self, name: &CStr, data: T) -> Result<File<T>> {
        let node = KBox::new(
            Node {
                show: show_node::<T>,
                data,
            },
            GFP_KERNEL,
        )?;
        let Some(dir) = self.0.as_ref().filter(|e| !e.dentry.is_null()) else {
            return Ok(File { _entry: None, node });
        };
        let ptr: *const Node<T> = &*node;
        // `ptr` is the heap `Node<T>`, which `File` frees only after removing the file (see
        // `File`); `FOPS` uses it only while debugfs holds the file active, and `FOPS` itself
        // is a static of the kernel image, so it outlives any open file.
        // SAFETY: `name` is NUL-terminated, `dir` a live directory, `ptr` as explained above.
        let d = unsafe {
            bindings::debugfs_create_file(
                name.as_char_ptr(),
                0o400,
                dir.dentry,
                ptr.cast_mut().cast(),
                &FOPS.0,
            )
        };
        Ok(File {
            _entry: Some(Entry::new(d, Parent::Dir(dir.clone()))),
            node,
        })
    }
}

/// A read-only debugfs file and the data it shows; dropping it removes the file, then
/// drops the data.
pub struct File<T> {
    // Field order is drop order: the file goes (waiting for readers) before the data.
    _entry: Option<Entry>,
    node: KBox<Node<T>>,
}

impl<T> File<T> {
    /// The data the file shows.
    pub fn data(&self) -> &T {
        &self.node.data
    }
}

/// What a file's `i_private` points to: the type-erased `show` of `T`, then the data.
///
/// `repr(C)` so that the kernel crate's (non-generic) operations can read `show` without
/// knowing `T`.
#[repr(C)]
struct Node<T> {
    show: unsafe fn(*const crate::ffi::c_void, &mut SeqFile<'_>) -> Result,
    data: T,
}

/// # Safety
///
/// `node` must point to a live `Node<T>`.
unsafe fn show_node<T: Show>(node: *const crate::ffi::c_void, m: &mut SeqFile<'_>) -> Result {
    // SAFETY: By the safety requirements; only shared references to the data exist.
    let node = unsafe { &*node.cast::<Node<T>>() };
    node.data.show(m)
}

/// Contents of a read-only file.
pub trait Show: Send + Sync + 'static {
    /// Prints the contents. Process context; may sleep.
    fn show(&self, m: &mut SeqFile<'_>) -> Result;
}

/// The output buffer of a `seq_file` read; implements [`fmt::Write`], so `write!` and
/// `writeln!` print into it.
///
/// # Invariants
///
/// `m` is a live `seq_file` inside its `show` callback.
pub struct SeqFile<'a> {
    m: *mut bindings::seq_file,
    _p: PhantomData<&'a mut bindings::seq_file>,
}

impl fmt::Write for SeqFile<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // On overflow `seq_file` retries `show` with a larger buffer: not an error for us.
        // SAFETY: `m` is live by the type invariant; `s` is valid for `s.len()` bytes.
        unsafe { bindings::seq_write(self.m, s.as_ptr().cast(), s.len()) };
        Ok(())
    }
}

/// The `show` of every file: calls the node's `show`.
///
/// # Safety
///
/// Called by `seq_read` through `single_open` below, while debugfs holds the file active:
/// `m->private` is a live `Node<T>` (whose `show` was instantiated for that `T`).
unsafe extern "C" fn seq_show(
    m: *mut bindings::seq_file,
    _v: *mut crate::ffi::c_void,
) -> crate::ffi::c_int {
    // SAFETY: `m` is live for the call; its private data is the file's node, whose first
    // field (`repr(C)`) is the `show` of its `T`.
    let (node, show) = unsafe {
        let node = (*m).private.cast_const();
        (
            node,
            *node.cast::<unsafe fn(*const crate::ffi::c_void, &mut SeqFile<'_>) -> Result>(),
        )
    };
    // INVARIANT: `m` is live during this callback.
    let mut s = SeqFile { m, _p: PhantomData };
    // SAFETY: `node` is the `Node<T>` that `show` was instantiated for.
    match unsafe { show(node, &mut s) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The `open` of every file: a `single_open` seq_file over the node.
///
/// # Safety
///
/// Called by the VFS through debugfs' proxy (which keeps the file active) on a file
/// created by [`Dir::read_only_file`]: `i_private` is its node.
unsafe extern "C" fn seq_open(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> crate::ffi::c_int {
    // SAFETY: `inode` and `file` are valid for the call; `single_open` stores `i_private`
    // as the seq_file's private data for `seq_show`.
    unsafe { bindings::single_open(file, Some(seq_show), (*inode).i_private) }
}

/// The operations of every read-only file: a static of the kernel image, not of the
/// module that created the file, and `release` is the core's, so closing a file after
/// its module is gone calls no module code.
struct Fops(bindings::file_operations);

// SAFETY: Immutable after construction; only function pointers.
unsafe impl Sync for Fops {}

static FOPS: Fops = Fops({
    // SAFETY: All-zero is a valid `file_operations` (no operations).
    let mut f: bindings::file_operations = unsafe { core::mem::zeroed() };
    f.open = Some(seq_open);
    // The stock seq_file operations, from the core kernel.
    f.read = Some(bindings::seq_read);
    f.llseek = Some(bindings::seq_lseek);
    f.release = Some(bindings::single_release);
    f
});

/// A top-level directory shared by the devices of a driver, for use as a `static`:
/// created by the first [`SharedDir::subdir`], removed when the last subdirectory made
/// from it is gone.
///
/// # Examples
///
/// ```
/// use kernel::{c_str, debugfs::SharedDir};
///
/// static ROOT: SharedDir = SharedDir::new(c_str!("rust_doctest_shared"));
///
/// let a = ROOT.subdir(c_str!("a"));
/// let b = ROOT.subdir(c_str!("b"));
/// assert_eq!(ROOT.users(), 2);
/// drop(a);
/// drop(b);
/// assert_eq!(ROOT.users(), 0);
/// ```
///
/// # Invariants
///
/// `dentry` and `users` change only while `busy` is held; `dentry` is the directory
/// (or null) while `users > 0` and null otherwise.
pub struct SharedDir {
    name: &'static CStr,
    busy: AtomicBool,
    users: AtomicUsize,
    dentry: AtomicPtr<bindings::dentry>,
}

impl SharedDir {
    /// A shared directory called `name`, not created yet.
    pub const fn new(name: &'static CStr) -> Self {
        Self {
            name,
            busy: AtomicBool::new(false),
            users: AtomicUsize::new(0),
            dentry: AtomicPtr::new(null_mut()),
        }
    }

    /// Serialises creation and removal; both sleep, and happen only at probe/remove, so
    /// waiting by sleeping is enough.
    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        while self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            crate::io::fsleep(100);
        }
        let r = f();
        self.busy.store(false, Ordering::Release);
        r
    }

    /// Creates the subdirectory `name`, and the shared directory first if needed.
    /// Process context.
    pub fn subdir(&'static self, name: &CStr) -> Dir {
        self.with_lock(|| {
            if self.users.load(Ordering::Relaxed) == 0 {
                // SAFETY: `self.name` is NUL-terminated; top level.
                let d =
                    unsafe { bindings::debugfs_create_dir(self.name.as_char_ptr(), null_mut()) };
                // INVARIANT: Held by `busy`; removed when `users` drops back to 0.
                self.dentry
                    .store(from_err_ptr(d).unwrap_or(null_mut()), Ordering::Release);
            }
            self.users.fetch_add(1, Ordering::Relaxed);
        });
        // The new entry's `Parent::Shared` gives the reference back when dropped.
        Dir::create(name, Parent::Shared(self))
    }

    /// Number of live subdirectories made with [`SharedDir::subdir`].
    pub fn users(&self) -> usize {
        self.users.load(Ordering::Relaxed)
    }

    fn put(&self) {
        self.with_lock(|| {
            if self.users.fetch_sub(1, Ordering::Relaxed) == 1 {
                let d = self.dentry.swap(null_mut(), Ordering::AcqRel);
                if !d.is_null() {
                    // SAFETY: The last subdirectory is gone; we created `d` and remove it
                    // once (INVARIANT: `dentry` is null again with `users == 0`).
                    unsafe { bindings::debugfs_remove(d) };
                }
            }
        });
    }
}

impl Drop for Parent {
    fn drop(&mut self) {
        if let Parent::Shared(s) = self {
            s.put();
        }
    }
}
