// expect: compiles
// The harness's control: correct use of what the other cases misuse. If this
// fails to build, every other case would "fail to compile" for nothing.
fn case() -> Result {
    let mut reg = Registration::new_ether(1, 1, Dev)?;
    reg.config().set_lltx(false);
    reg.config().set_mtu(1500);
    let r: Registered<Dev> = reg.register()?;
    let g = rtnl::lock();
    r.dev().set_mtu(&g, 1400);
    let lock = KBox::pin_init(kernel::new_spinlock!(0u32, "cf"), GFP_KERNEL)?;
    *kernel::bh::lock(&lock) += 1;
    Ok(())
}
