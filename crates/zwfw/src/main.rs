//! The zwfw binary: `zwfw serve`, `zwfw migrate`, `zwfw demo`, `zwfw audit verify`, `zwfw user …`, `zwfw cert …`.

mod bench;
mod bench_licenses;
mod cert;
mod cli;
mod config;

/// mimalloc instead of the system allocator: the server's work is many small
/// short-lived allocations (rows, JSON, texts), where glibc's malloc and free
/// took a quarter of the time of an evaluation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
