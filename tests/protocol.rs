//! Launches the provider binary the way Terraform does (magic cookie, protocol versions, a
//! P-521 client certificate in PLUGIN_CLIENT_CERT) and talks gRPC to it over mTLS.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use comwit::tfplugin::proto::health::health_client::HealthClient;
use comwit::tfplugin::proto::health::HealthCheckRequest;
use comwit::tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use comwit::tfplugin::proto::tfplugin6::get_provider_schema;
use comwit::tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tonic::transport::{Channel, Endpoint};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-comwit");

struct ClientIdentity {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

/// A client certificate like Terraform's: self-signed, ECDSA P-521.
fn client_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

struct Plugin {
    child: Child,
    socket: PathBuf,
    server_cert: Vec<u8>,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn launch(client_pem: Option<&str>) -> Plugin {
    let mut cmd = Command::new(BIN);
    cmd.env(
        "TF_PLUGIN_MAGIC_COOKIE",
        "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
    )
    .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
    .env_remove("TF_LOG")
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    match client_pem {
        Some(pem) => cmd.env("PLUGIN_CLIENT_CERT", pem),
        None => cmd.env_remove("PLUGIN_CLIENT_CERT"),
    };
    let mut child = cmd.spawn().expect("start provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line: {line:?}");
    assert_eq!(fields[0], "1");
    assert_eq!(fields[1], "6", "negotiated protocol 6");
    assert_eq!(fields[2], "unix");
    assert_eq!(fields[4], "grpc");
    assert!(!fields[5].contains('='), "no base64 padding");
    let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(fields[5])
        .unwrap();
    Plugin {
        child,
        socket: PathBuf::from(fields[3]),
        server_cert,
    }
}

/// Trusts exactly the certificate from the handshake line.
#[derive(Debug)]
struct PinnedServer {
    cert: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

async fn connect(plugin: &Plugin, identity: Option<&ClientIdentity>) -> Result<Channel, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            cert: plugin.server_cert.clone(),
            provider,
        }));
    let mut config = match identity {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.der.clone()],
                PrivateKeyDer::Pkcs8(id.key.clone_key()),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let socket = plugin.socket.clone();
    Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let connector = connector.clone();
            let socket = socket.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(socket).await?;
                let tls = connector
                    .connect(ServerName::try_from("localhost").unwrap(), stream)
                    .await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn serves_schema_over_mtls_with_p521_client_cert() {
    let id = client_identity();
    let plugin = launch(Some(&id.pem));
    let channel = connect(&plugin, Some(&id)).await.expect("mTLS connect");

    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check");
    assert_eq!(health.into_inner().status, 1, "SERVING");

    let schema = ProviderClient::new(channel.clone())
        .get_provider_schema(get_provider_schema::Request::default())
        .await
        .expect("GetProviderSchema")
        .into_inner();
    let provider = schema.provider.expect("provider schema");
    let attrs = provider.block.expect("block").attributes;
    let token = attrs.iter().find(|a| a.name == "token").expect("token");
    assert!(token.sensitive);
    assert!(schema.diagnostics.is_empty());
}

#[tokio::test]
async fn refuses_a_client_without_certificate() {
    let id = client_identity();
    let plugin = launch(Some(&id.pem));
    let outcome = match connect(&plugin, None).await {
        Err(_) => Err(()),
        Ok(channel) => ProviderClient::new(channel)
            .get_provider_schema(get_provider_schema::Request::default())
            .await
            .map(|_| ())
            .map_err(|_| ()),
    };
    assert!(
        outcome.is_err(),
        "a client without certificate got an answer"
    );
}

#[tokio::test]
async fn refuses_a_client_with_another_certificate() {
    let expected = client_identity();
    let intruder = client_identity();
    let plugin = launch(Some(&expected.pem));
    let outcome = match connect(&plugin, Some(&intruder)).await {
        Err(_) => Err(()),
        Ok(channel) => ProviderClient::new(channel)
            .get_provider_schema(get_provider_schema::Request::default())
            .await
            .map(|_| ())
            .map_err(|_| ()),
    };
    assert!(
        outcome.is_err(),
        "a client with the wrong certificate got an answer"
    );
}

#[tokio::test]
async fn controller_shutdown_ends_the_process() {
    let id = client_identity();
    let mut plugin = launch(Some(&id.pem));
    let channel = connect(&plugin, Some(&id)).await.unwrap();
    let _ = GrpcControllerClient::new(channel)
        .shutdown(comwit::tfplugin::proto::plugin::Empty {})
        .await;
    for _ in 0..50 {
        if let Some(status) = plugin.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            assert!(!plugin.socket.exists(), "socket file removed");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("provider still running 5s after Shutdown");
}

#[test]
fn run_by_hand_explains_itself() {
    let out = Command::new(BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Terraform"), "{err}");
    assert!(err.contains("--debug"), "{err}");
}

#[test]
fn ignores_sigint() {
    let id = client_identity();
    let mut plugin = launch(Some(&id.pem));
    let pid = plugin.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(plugin.child.try_wait().unwrap().is_none(), "died on SIGINT");
}
