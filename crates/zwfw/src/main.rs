//! The zwfw binary: `zwfw serve`, `zwfw migrate`, `zwfw demo`, `zwfw audit verify`, `zwfw user …`.

mod bench;
mod cli;
mod config;

fn main() -> std::process::ExitCode {
    cli::main()
}
