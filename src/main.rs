//! Thin entry point: parse argv, run, turn the outcome into an exit code (`putio_up::finish`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = putio_up::cli::Cli::parse();
    putio_up::finish(putio_up::run(cli))
}
