//! Thin entry point: parse argv, run, turn the outcome into an exit code (see `exit.rs`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = putio_up::cli::Cli::parse();
    putio_up::exit::finish(putio_up::run(cli))
}
