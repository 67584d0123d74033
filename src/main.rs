//! The provider executable Terraform and OpenTofu launch.
use std::sync::Arc;

use clap::Parser;
use comwit::provider::ComwitProvider;
use comwit::tfplugin::{logging, server};

/// Terraform/OpenTofu provider for Comwit Cloud. Terraform starts this program; run it yourself
/// only with --debug (to attach a debugger) or to generate documentation.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Serve without TLS and print a TF_REATTACH_PROVIDERS value to use from another shell.
    #[arg(long)]
    debug: bool,
}

fn main() {
    let args = Args::parse();
    logging::init("provider.terraform-provider-comwit");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let options = server::ServeOptions {
        binary_name: "terraform-provider-comwit".into(),
        provider_address: "registry.terraform.io/comwit/comwit".into(),
        debug: args.debug,
    };
    let provider = Arc::new(ComwitProvider::new());
    if let Err(message) = runtime.block_on(server::serve(provider, options)) {
        eprintln!("{message}");
        std::process::exit(1);
    }
}
