//! The provider executable Terraform and OpenTofu launch.
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use comwit::provider::ComwitProvider;
use comwit::tfplugin::{docs, logging, server};

/// Terraform/OpenTofu provider for Comwit Cloud. Terraform starts this program; run it yourself
/// only with --debug (to attach a debugger) or to generate documentation.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Serve without TLS and print a TF_REATTACH_PROVIDERS value to use from another shell.
    #[arg(long)]
    debug: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Render the registry documentation (index, resources, data sources) from the schemas.
    Docs {
        /// Where the pages go.
        #[arg(long, default_value = "docs")]
        dir: PathBuf,
        /// Where the examples are read from.
        #[arg(long, default_value = "examples")]
        examples: PathBuf,
        /// Write nothing; fail if any page is stale or missing.
        #[arg(long)]
        check: bool,
    },
}

fn main() {
    // Terraform launches the plugin without arguments: skip the argument parser then, so a
    // plugin start touches as little code as possible.
    let args = if std::env::args_os().len() > 1 {
        Args::parse()
    } else {
        Args {
            debug: false,
            command: None,
        }
    };
    if let Some(Command::Docs {
        dir,
        examples,
        check,
    }) = args.command
    {
        std::process::exit(render_docs(&dir, &examples, check));
    }
    logging::init("provider.terraform-provider-comwit");
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
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

fn render_docs(dir: &std::path::Path, examples: &std::path::Path, check: bool) -> i32 {
    let pages = docs::render(&ComwitProvider::new(), "comwit", examples);
    if check {
        let stale = docs::stale(dir, &pages);
        if stale.is_empty() {
            println!("docs are up to date ({} pages)", pages.len());
            return 0;
        }
        eprintln!("these docs pages are stale or missing; run `make docs` and commit the result:");
        for page in stale {
            eprintln!("  {}", dir.join(page).display());
        }
        return 1;
    }
    match docs::write(dir, &pages) {
        Ok(()) => {
            println!("wrote {} pages under {}", pages.len(), dir.display());
            0
        }
        Err(e) => {
            eprintln!("cannot write the docs under {}: {e}", dir.display());
            1
        }
    }
}
