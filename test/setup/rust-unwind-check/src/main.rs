// Setup's check of a musl target's self-contained objects (test/setup/rust.sh): a static binary
// must start, unwind a panic through frames with destructors, catch it, and do the same in a thread.
use std::panic;

struct Guard(&'static str);
impl Drop for Guard {
    fn drop(&mut self) {
        print!("drop:{} ", self.0)
    }
}

#[inline(never)]
fn deep(n: u32) -> u32 {
    let _g = Guard("frame");
    if n == 0 {
        panic!("unwind check")
    }
    deep(n - 1) + 1
}

fn main() {
    panic::set_hook(Box::new(|_| {}));
    let caught = panic::catch_unwind(|| deep(1)).is_err();
    let thread = std::thread::spawn(|| deep(0)).join().is_err();
    println!("caught={caught} thread={thread} arch={}", std::env::consts::ARCH);
}
