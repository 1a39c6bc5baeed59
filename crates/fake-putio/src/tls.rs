//! HTTPS for the fake, so that clients with fixed `https://api.put.io` and
//! `https://upload.put.io` endpoints (rclone) can be pointed at it: a throw-away CA made at
//! start, a certificate for both names (and loopback) signed by it, and a CONNECT proxy that
//! routes exactly those two names to the fake's ports. Clients trust the CA's PEM and go
//! through the proxy (`HTTPS_PROXY`). Nothing leaves loopback: any other CONNECT target is
//! refused.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The names the certificate covers and the proxy routes.
pub const API_HOST: &str = "api.put.io";
pub const UPLOAD_HOST: &str = "upload.put.io";

pub(crate) struct Tls {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
}

fn other(err: impl std::fmt::Display) -> io::Error {
    io::Error::other(err.to_string())
}

/// A new CA and a server certificate for put.io's two hosts, `localhost` and `127.0.0.1`.
pub(crate) fn generate() -> io::Result<Tls> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "fake-putio throw-away CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(other)?)
        .map_err(other)?;

    let leaf_key = KeyPair::generate().map_err(other)?;
    let mut leaf_params = CertificateParams::new(vec![
        API_HOST.to_owned(),
        UPLOAD_HOST.to_owned(),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
    ])
    .map_err(other)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "fake-putio");
    let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(other)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .map_err(other)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca.pem(),
    })
}

/// Serves HTTP CONNECT on `listener`: `api.put.io:443` and `upload.put.io:443` are tunnelled
/// to the fake's ports, anything else gets 403.
pub(crate) async fn proxy_loop(listener: TcpListener, api: SocketAddr, upload: SocketAddr) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        tokio::spawn(async move {
            let _ = tunnel(client, api, upload).await;
        });
    }
}

async fn tunnel(mut client: TcpStream, api: SocketAddr, upload: SocketAddr) -> io::Result<()> {
    let _ = client.set_nodelay(true);
    let mut head = Vec::with_capacity(1024);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 8192 || client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut words = text.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let route = match (method, target.to_ascii_lowercase().as_str()) {
        ("CONNECT", t) if t == format!("{API_HOST}:443") => Some(api),
        ("CONNECT", t) if t == format!("{UPLOAD_HOST}:443") => Some(upload),
        _ => None,
    };
    let Some(addr) = route else {
        client
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let mut upstream = TcpStream::connect(addr).await?;
    let _ = upstream.set_nodelay(true);
    client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
