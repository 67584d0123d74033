//! Serving a provider the way go-plugin expects: unix socket, optional AutoMTLS, the health,
//! controller and stdio services beside tfplugin6, and the handshake line on stdout.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::service::Routes;
use tonic::{Request, Response, Status};

use super::coalesce::Coalesced;
use super::grpc::{ProviderService, UnaryProvider};
use super::handshake;
use super::proto::health::health_check_response::ServingStatus;
use super::proto::health::health_server::{Health, HealthServer};
use super::proto::health::{HealthCheckRequest, HealthCheckResponse};
use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::plugin::{Empty, StdioData};
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::resource::Provider;
use super::tls;
use super::transport;

/// The protocol versions this layer speaks.
pub const SUPPORTED_PROTOCOL_VERSIONS: &[u32] = &[6];

pub struct ServeOptions {
    /// The executable's name, for messages (e.g. `terraform-provider-example`).
    pub binary_name: String,
    /// The provider's source address, e.g. `registry.terraform.io/example/example`.
    pub provider_address: String,
    /// Serve without TLS and print `TF_REATTACH_PROVIDERS` instead of the handshake line.
    pub debug: bool,
}

/// Runs the plugin until Terraform shuts it down. Errors are messages for a human.
pub async fn serve<P: Provider>(provider: Arc<P>, options: ServeOptions) -> Result<(), String> {
    if !options.debug && !handshake::cookie_present() {
        return Err(handshake::not_launched_by_terraform(&options.binary_name));
    }
    let version = if options.debug {
        6
    } else {
        let offered = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
        handshake::negotiate_version(offered.as_deref(), SUPPORTED_PROTOCOL_VERSIONS)?
    };

    let socket = handshake::socket_path();
    let listener = UnixListener::bind(&socket)
        .map_err(|e| format!("cannot listen on {}: {e}", socket.display()))?;
    let _cleanup = RemoveOnDrop(socket.clone());

    // Terraform forwards Ctrl-C as StopProvider; the process itself must survive SIGINT.
    if !options.debug {
        ignore_sigint();
    }

    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !options.debug && !pem.trim().is_empty() => {
            let client_cert = tls::parse_client_cert(&pem)?;
            let identity = tls::ServerIdentity::generate()?;
            let config = tls::server_config(&identity, client_cert)?;
            Some((
                identity.handshake_field(),
                TlsAcceptor::from(Arc::new(config)),
            ))
        }
        _ => None,
    };

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let service = Arc::new(ProviderService::new(provider));
    let unary = Arc::new(UnaryProvider(service.clone()));
    let routes = Routes::new(
        ProviderServer::from_arc(service)
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX),
    )
    .add_service(HealthServer::new(PluginHealth))
    .add_service(GrpcControllerServer::new(Controller {
        shutdown: shutdown_tx.clone(),
    }))
    .add_service(GrpcStdioServer::new(Stdio {
        shutdown: shutdown_tx.subscribe(),
    }))
    .prepare();

    if options.debug {
        print_reattach(&options, version, &socket);
    } else {
        let cert_field = tls.as_ref().map(|(f, _)| f.as_str()).unwrap_or("");
        let line = handshake::handshake_line(version, &socket, cert_field);
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").map_err(|e| format!("writing the handshake: {e}"))?;
        out.flush()
            .map_err(|e| format!("writing the handshake: {e}"))?;
    }
    tracing::info!(socket = %socket.display(), tls = tls.is_some(), "plugin serving");

    let connections = incoming(listener, tls.map(|(_, acceptor)| acceptor));
    if options.debug {
        // By hand, Ctrl-C ends the provider too.
        let tx = shutdown_tx.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
            }
        });
    }
    let result = transport::serve(connections, unary, routes, shutdown_rx).await;
    result.map_err(|e| format!("gRPC server failed: {e}"))
}

fn ignore_sigint() {
    use tokio::signal::unix::{signal, SignalKind};
    if let Ok(mut stream) = signal(SignalKind::interrupt()) {
        tokio::spawn(async move {
            while stream.recv().await.is_some() {
                tracing::debug!("SIGINT ignored; Terraform sends StopProvider instead");
            }
        });
    }
}

fn print_reattach(options: &ServeOptions, version: u32, socket: &Path) {
    let value = serde_json::json!({
        options.provider_address.clone(): {
            "Protocol": "grpc",
            "ProtocolVersion": version,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": "unix", "String": socket.display().to_string()},
        }
    });
    println!(
        "Provider started in debug mode. To attach Terraform, run in another shell:\n\n\
         \texport TF_REATTACH_PROVIDERS='{value}'\n\n\
         then run terraform as usual. Stop the provider with Ctrl-C."
    );
    let _ = std::io::stdout().flush();
}

/// Connections for the gRPC server. TLS handshakes run concurrently; only finished connections
/// reach the server, and a client without the pinned certificate is dropped here.
fn incoming(
    listener: UnixListener,
    acceptor: Option<TlsAcceptor>,
) -> ReceiverStream<Result<PluginConn, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let Some(acceptor) = acceptor.clone() else {
                let conn = Coalesced::new(Transport::Plain(stream));
                if tx.send(Ok(conn)).await.is_err() {
                    return;
                }
                continue;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Ok(tls) => {
                        let conn = Coalesced::new(Transport::Tls(Box::new(tls)));
                        let _ = tx.send(Ok(conn)).await;
                    }
                    Err(e) => tracing::warn!(error = %e, "refused a plugin connection"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// A plugin connection: TLS (AutoMTLS) or plain, its writes coalesced per scheduler pass.
type PluginConn = Coalesced<Transport>;

enum Transport {
    Tls(Box<tokio_rustls::server::TlsStream<UnixStream>>),
    Plain(UnixStream),
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Transport::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// go-plugin pings the service named "plugin".
struct PluginHealth;

#[tonic::async_trait]
impl Health for PluginHealth {
    async fn check(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    type WatchStream =
        Pin<Box<dyn futures::Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

    async fn watch(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let first = HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        };
        let stream =
            futures::stream::once(async move { Ok(first) }).chain(futures::stream::pending());
        Ok(Response::new(Box::pin(stream)))
    }
}

use futures::StreamExt as _;

struct Controller {
    shutdown: watch::Sender<bool>,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by the client");
        let _ = self.shutdown.send(true);
        Ok(Response::new(Empty {}))
    }
}

/// We write nothing to stdout/stderr that needs forwarding (logs go to stderr directly), so
/// the stream stays open and silent until shutdown.
struct Stdio {
    shutdown: watch::Receiver<bool>,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = Pin<Box<dyn futures::Stream<Item = Result<StdioData, Status>> + Send>>;

    async fn stream_stdio(
        &self,
        _request: Request<Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let mut shutdown = self.shutdown.clone();
        let stream = futures::stream::once(async move {
            let _ = shutdown.wait_for(|s| *s).await;
        })
        .filter_map(|_| async { None });
        Ok(Response::new(Box::pin(stream)))
    }
}
