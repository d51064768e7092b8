//! The `agora` command line: parses arguments, calls the library, prints.
//! Exit codes come from the error's kind alone ([`agora_core::Error::exit_code`]):
//! 0 success (a closed stdout too), 2 bad input, 1 anything else.

// Its doc comments are `--help` text for clap (`results/<name>`), not rustdoc.
#[allow(rustdoc::invalid_html_tags)]
mod analyses;
mod cli;
mod demo;
mod terminal;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(agora_core::Error::ClosedOutput) => ExitCode::SUCCESS,
        Err(error) => {
            terminal::warn(format_args!("error: {error}"));
            ExitCode::from(error.exit_code())
        }
    }
}

/// The system allocator, except that an allocation that fails ends the
/// process with one line on stderr and exit code 1, like every other
/// failure of the machine, instead of Rust's abort (a line, SIGABRT, exit
/// 134). The memory guard refuses runs whose estimate does not fit before
/// they start; this catches what it cannot see (an address-space limit,
/// memory taken by others meanwhile).
#[cfg(unix)]
mod out_of_memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, Ordering};

    struct Guarded;

    #[global_allocator]
    static ALLOCATOR: Guarded = Guarded;

    // SAFETY: every call is forwarded to `System` unchanged; only a null
    // result is intercepted, and that path never returns.
    unsafe impl GlobalAlloc for Guarded {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if p.is_null() {
                fail(layout.size());
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if p.is_null() {
                fail(layout.size());
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if p.is_null() {
                fail(new_size);
            }
            p
        }
    }

    /// Write one line straight to file descriptor 2 (no allocation, no lock)
    /// and end the process with `_exit(1)`.
    ///
    /// `_exit`, not `std::process::exit`: `exit` runs the C `atexit` handlers
    /// and Rust's flush of stdout, which may allocate (into the allocator that
    /// just failed) or wait for a lock the failing thread holds, while the
    /// other threads go on running and writing. `_exit` ends every thread at
    /// once. Nothing is lost that `--resume` needs: the streamed files are
    /// flushed after every run and the folder lock goes with the process.
    #[cold]
    fn fail(bytes: usize) -> ! {
        static REPORTED: AtomicBool = AtomicBool::new(false);
        if REPORTED.swap(true, Ordering::SeqCst) {
            // Another thread is writing the line and will end the process.
            loop {
                // SAFETY: pause only waits for a signal.
                unsafe { libc::pause() };
            }
        }
        let mut number = itoa::Buffer::new();
        let parts: [&[u8]; 3] = [
            b"error: out of memory: could not allocate ",
            number.format(bytes).as_bytes(),
            b" bytes; this run needs more memory than this process may use \
              (`agora check` prints its estimate): lower population.citizens or --threads, \
              or allow the process more memory\n",
        ];
        // One buffer on the stack, so the line goes out in one write.
        let mut line = [0u8; 512];
        let mut len = 0;
        for part in parts {
            let n = part.len().min(line.len() - len);
            line[len..len + n].copy_from_slice(&part[..n]);
            len += n;
        }
        let mut rest = &line[..len];
        while !rest.is_empty() {
            // SAFETY: `rest` is a valid buffer of `rest.len()` bytes.
            let n = unsafe { libc::write(2, rest.as_ptr().cast(), rest.len()) };
            if n > 0 {
                rest = &rest[n as usize..];
            } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            } else {
                break;
            }
        }
        // SAFETY: _exit ends the process; it is async-signal-safe and runs no user code.
        unsafe { libc::_exit(1) }
    }
}
