use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = yijian::cli::Cli::parse();
    match yijian::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yijian: error: {e}");
            ExitCode::FAILURE
        }
    }
}
