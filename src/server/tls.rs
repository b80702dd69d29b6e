//! Transport security of `mmhs serve`: TLS (rustls, ring provider) for
//! - the SMTP listener, upgraded by STARTTLS (RFC 3207; draft-melnikov-mmhs-profile-09 §3.3.1
//!   and §6.1 item 2 require it of an MSA), see [`super::smtp::session`];
//! - the webmail, served over HTTPS when `tls.https` is set ([`serve_https`]);
//! - the relay client, which uses STARTTLS when the next hop offers it and can require it
//!   per relay URI ([`RelayTls`], [`super::smtp::client`]).
//!
//! The server's certificate and key are PEM files named by `tls.certPath` / `tls.keyPath` in
//! config.json; without them a self-signed certificate for the configured host name,
//! `localhost`, 127.0.0.1 and ::1 is generated into `<data>/tls/` on first start
//! ([`ensure_server_identity`]) and kept (the key with mode 0600, [`super::private_file`]).
//! RFC 8314 §3.1's TLS 1.2 minimum holds: rustls speaks TLS 1.2 and 1.3 only.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use super::Error;

pub use tokio_rustls::{TlsAcceptor, TlsConnector};

/// The `tls` object of config.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TlsSettings {
    /// Offer STARTTLS on the SMTP listener (default true).
    #[serde(default = "yes")]
    pub starttls: bool,
    /// Serve the webmail over HTTPS instead of HTTP (default false: the demo webmail and the
    /// browser extension talk to it on 127.0.0.1, see docs/server.md).
    #[serde(default)]
    pub https: bool,
    /// Certificate chain (PEM, leaf first); `None` = `<data>/tls/cert.pem`, generated.
    #[serde(default)]
    pub cert_path: Option<PathBuf>,
    /// Private key (PEM, PKCS#8 / PKCS#1 / SEC1); `None` = `<data>/tls/key.pem`, generated.
    #[serde(default)]
    pub key_path: Option<PathBuf>,
    /// Offer and accept AUTH without TLS on a listener bound to a loopback address (default
    /// true: the webmail submits over 127.0.0.1). On any other listener AUTH is offered
    /// only after STARTTLS.
    #[serde(default = "yes")]
    pub plaintext_auth_on_loopback: bool,
    /// Trust anchors (PEM) for the relay's certificate when its URI says `tls=required`;
    /// `None` = the system's bundle (`/etc/ssl/certs/ca-certificates.crt`).
    #[serde(default)]
    pub relay_trust_anchors: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            starttls: true,
            https: false,
            cert_path: None,
            key_path: None,
            plaintext_auth_on_loopback: true,
            relay_trust_anchors: None,
        }
    }
}

/// The server's certificate files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerIdentity {
    /// Certificate chain (PEM).
    pub cert: PathBuf,
    /// Private key (PEM).
    pub key: PathBuf,
    /// Whether the files were generated now.
    pub generated: bool,
}

/// The certificate and key to use: the configured paths (both must be given and exist), or
/// `<data>/tls/{cert,key}.pem`, generated when absent (self-signed for `hostname`,
/// `localhost`, 127.0.0.1 and ::1; ECDSA P-256; the key file mode 0600).
pub fn ensure_server_identity(
    data: &Path,
    settings: &TlsSettings,
    hostname: &str,
) -> Result<ServerIdentity, Error> {
    match (&settings.cert_path, &settings.key_path) {
        (Some(c), Some(k)) => {
            return Ok(ServerIdentity {
                cert: c.clone(),
                key: k.clone(),
                generated: false,
            })
        }
        (None, None) => {}
        _ => {
            return Err(Error::Config(
                "tls.certPath and tls.keyPath must be given together".into(),
            ))
        }
    }
    let dir = data.join("tls");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    if cert.exists() && key.exists() {
        return Ok(ServerIdentity {
            cert,
            key,
            generated: false,
        });
    }
    super::private_file::create_private_dir(&dir)?;
    let mut names = vec![
        hostname.to_string(),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    names.dedup();
    let ck = rcgen::generate_simple_self_signed(names)
        .map_err(|e| Error::Pki(format!("TLS certificate: {e}")))?;
    let _ = std::fs::remove_file(&key);
    let _ = std::fs::remove_file(&cert);
    super::private_file::write_private(&key, ck.signing_key.serialize_pem().as_bytes())?;
    super::private_file::write_private(&cert, ck.cert.pem().as_bytes())?;
    Ok(ServerIdentity {
        cert,
        key,
        generated: true,
    })
}

/// The crypto provider of every TLS configuration here: rustls on *ring* (pure Rust and
/// assembly; the aws-lc-rs provider would need a C and CMake build of AWS-LC). rustls marks
/// it deprecated because *ring* has no post-quantum key exchange (X25519MLKEM768): the
/// classical groups (X25519, P-256, P-384) are negotiated.
#[allow(deprecated)]
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Read a PEM certificate chain.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "{}: no certificate in the file",
            path.display()
        )));
    }
    Ok(certs)
}

/// The TLS server side for `identity` (TLS 1.2 and 1.3).
pub fn acceptor(identity: &ServerIdentity) -> Result<TlsAcceptor, Error> {
    let certs = load_certs(&identity.cert)?;
    let key = PrivateKeyDer::from_pem_file(&identity.key)
        .map_err(|e| Error::Config(format!("{}: {e}", identity.key.display())))?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::Config(format!("TLS certificate/key: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// What the relay client does about TLS, from the relay URI's `tls` parameter
/// ([`crate::domain::uri::TlsRequirement`]) and the trust anchors.
#[derive(Clone)]
pub struct RelayTls {
    /// STARTTLS must succeed, with a certificate that chains to the anchors and names the
    /// relay host; otherwise the attempt is a temporary failure and the message stays queued.
    pub required: bool,
    /// Use STARTTLS when the next hop offers it (RFC 3207; unauthenticated, RFC 7435
    /// opportunistic security, unless `required`).
    pub opportunistic: bool,
    /// AUTH may be sent without TLS (`tls=none`, and the webmail's own listener on loopback).
    pub cleartext_auth: bool,
    /// The client configuration for a required, verified session (`None` when not required).
    verified: Option<TlsConnector>,
    /// The client configuration for an opportunistic session.
    unverified: TlsConnector,
}

impl std::fmt::Debug for RelayTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayTls")
            .field("required", &self.required)
            .field("opportunistic", &self.opportunistic)
            .field("cleartext_auth", &self.cleartext_auth)
            .finish()
    }
}

impl RelayTls {
    /// No TLS (plain SMTP, as to a local content filter).
    pub fn none() -> Result<RelayTls, Error> {
        Ok(RelayTls {
            required: false,
            opportunistic: false,
            cleartext_auth: true,
            verified: None,
            unverified: danger::unverified_connector()?,
        })
    }

    /// The webmail towards its own submission listener on loopback: STARTTLS when offered,
    /// AUTH in cleartext otherwise (which the listener accepts only on loopback).
    pub fn loopback() -> Result<RelayTls, Error> {
        Ok(RelayTls {
            required: false,
            opportunistic: true,
            cleartext_auth: true,
            verified: None,
            unverified: danger::unverified_connector()?,
        })
    }

    /// The policy for `requirement`; `anchors` = PEM trust anchors for a required session
    /// (`None` = the system bundle).
    pub fn new(
        requirement: crate::domain::uri::TlsRequirement,
        anchors: Option<&Path>,
    ) -> Result<RelayTls, Error> {
        use crate::domain::uri::TlsRequirement as R;
        let unverified = danger::unverified_connector()?;
        Ok(match requirement {
            R::None => RelayTls {
                required: false,
                opportunistic: false,
                cleartext_auth: true,
                verified: None,
                unverified,
            },
            R::Opportunistic => RelayTls {
                required: false,
                opportunistic: true,
                cleartext_auth: false,
                verified: None,
                unverified,
            },
            R::Required => RelayTls {
                required: true,
                opportunistic: true,
                cleartext_auth: false,
                verified: Some(verified_connector(anchors)?),
                unverified,
            },
        })
    }

    /// The connector to use and the name to check the certificate against.
    pub(crate) fn connector(&self) -> &TlsConnector {
        self.verified.as_ref().unwrap_or(&self.unverified)
    }
}

/// The server name of `host` (a DNS name or an IP literal) for certificate checks.
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(h.to_string()).map_err(|e| format!("bad TLS server name {host:?}: {e}"))
}

const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

fn verified_connector(anchors: Option<&Path>) -> Result<TlsConnector, Error> {
    let path = anchors.unwrap_or(Path::new(SYSTEM_BUNDLE));
    let mut roots = rustls::RootCertStore::empty();
    for c in load_certs(path)? {
        roots
            .add(c)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Verification switched off: only for opportunistic STARTTLS (RFC 7435 §1.3: encryption
/// without authentication beats cleartext, and a relay URI that needs authentication says
/// `tls=required`).
pub(crate) mod danger {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    use super::{provider, Error, TlsConnector};

    /// Accepts any certificate but still checks the handshake signatures made with it.
    #[derive(Debug)]
    pub(crate) struct NoCertificateVerification(Arc<rustls::crypto::CryptoProvider>);

    impl ServerCertVerifier for NoCertificateVerification {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// A client that encrypts without authenticating the server.
    pub(crate) fn unverified_connector() -> Result<TlsConnector, Error> {
        let p = provider();
        let config = rustls::ClientConfig::builder_with_provider(p.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertificateVerification(p)))
            .with_no_client_auth();
        Ok(TlsConnector::from(Arc::new(config)))
    }
}

/// Longest TLS handshake allowed to a client (SMTP and HTTPS).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);

/// An HTTPS listener for axum: TCP connections are accepted in one task and their
/// handshakes run each in its own task (bounded by [`HANDSHAKE_TIMEOUT`]), so a client that
/// stalls its handshake never holds up the next one.
pub struct HttpsListener {
    rx: tokio::sync::mpsc::Receiver<(
        tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
        SocketAddr,
    )>,
    local: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HttpsListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Wrap `listener` so that every connection is TLS with `acceptor`.
pub fn serve_https(listener: TcpListener, acceptor: TlsAcceptor) -> Result<HttpsListener, Error> {
    let local = listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let task = tokio::spawn(async move {
        loop {
            let Ok((sock, peer)) = listener.accept().await else {
                // accept(2) errors (EMFILE…) are transient: back off briefly.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Ok(Ok(tls)) =
                    tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(sock)).await
                {
                    let _ = tx.send((tls, peer)).await;
                }
            });
        }
    });
    Ok(HttpsListener { rx, local, task })
}

impl axum::serve::Listener for HttpsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Some(c) = self.rx.recv().await {
                return c;
            }
            // The accept task ended (it never does while the listener lives): wait forever
            // rather than spin; shutdown drops the server future.
            std::future::pending::<()>().await;
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
