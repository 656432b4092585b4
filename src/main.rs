//! The `jianpai` binary: parse flags, run, map failures to documented exit codes.

use clap::Parser;
use jianpai::cli::{run, Cli};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                jianpai::exit::USAGE
            } else {
                jianpai::exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let result = std::panic::catch_unwind(|| run(cli));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(f)) => {
            if !f.message.is_empty() {
                eprintln!("jianpai: {}", f.message);
            }
            std::process::exit(f.code);
        }
        Err(_) => {
            eprintln!("jianpai: internal error (this is a bug; please report it with the input that caused it)");
            std::process::exit(jianpai::exit::INTERNAL);
        }
    }
}
