//! Compiles the protocol definitions under `proto/` into Rust (messages via
//! prost, gRPC servers and clients via tonic).
//!
//! Parsing is done by `protox`, a pure-Rust protobuf compiler, so no system
//! `protoc` is needed. The encoded `FileDescriptorSet` is also written to
//! `$OUT_DIR/comwit_protos.bin` so the crate can inspect the compiled
//! descriptors (see `src/tfplugin/proto.rs`).

use std::path::PathBuf;

use protox::prost::Message as _;

/// Entry files, relative to `proto/` (imports are resolved from there too).
const PROTOS: &[&str] = &[
    "tfplugin6.proto",
    "plugin/grpc_controller.proto",
    "plugin/grpc_stdio.proto",
    "plugin/grpc_broker.proto",
    "grpc/health/v1/health.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The provider is started many times per Terraform command: as a non-PIE executable (like
    // Go's default build of every other provider) it needs no start-up relocation pass over its
    // pointer tables, which saves time and several hundred KiB of touched pages.
    let crt_static = std::env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|features| features.split(',').any(|f| f == "crt-static"));
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") && !crt_static {
        println!("cargo:rustc-link-arg-bin=terraform-provider-comwit=-no-pie");
    }
    // Release builds may pass the functions a plugin start runs (scripts/symbol-order.sh): the
    // linker then puts them side by side, so a start touches a few pages of code instead of
    // pages scattered over the whole binary.
    println!("cargo:rerun-if-env-changed=COMWIT_SYMBOL_ORDER");
    if let Ok(order) = std::env::var("COMWIT_SYMBOL_ORDER") {
        if std::path::Path::new(&order).is_file() {
            println!("cargo:rerun-if-changed={order}");
            println!(
                "cargo:rustc-link-arg-bin=terraform-provider-comwit=-Wl,--symbol-ordering-file={order}"
            );
            println!(
                "cargo:rustc-link-arg-bin=terraform-provider-comwit=-Wl,--no-warn-symbol-ordering"
            );
        }
    }
    println!("cargo:rerun-if-changed=proto");
    for file in PROTOS {
        println!("cargo:rerun-if-changed=proto/{file}");
    }

    let fds = protox::Compiler::new(["proto"])?
        .include_imports(true)
        .include_source_info(true)
        .open_files(PROTOS)?
        .file_descriptor_set();

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("comwit_protos.bin"), fds.encode_to_vec())?;

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(fds)?;

    Ok(())
}
