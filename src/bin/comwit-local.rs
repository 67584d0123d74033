//! comwit-local: a local Comwit platform. See `comwit-local --help`.

fn main() {
    std::process::exit(comwit::local::cli::main());
}
