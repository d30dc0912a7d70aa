//! Runs the emulator standalone, with the same options as `spindle emulator`.
//!
//! `cargo run -p spindle-emulator --example emulator -- --users 1000 --rate-limit off`

use clap::Parser;
use spindle_emulator::cli::EmulatorArgs;

#[derive(Debug, Parser)]
#[command(
    name = "emulator",
    about = "Run a local Okta org in memory (the Spindle emulator)"
)]
struct Cli {
    #[command(flatten)]
    args: EmulatorArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.args.into_config() {
        Ok(config) => spindle_emulator::run(config).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
