//! The key set fetched over HTTPS: from a server whose certificate is trusted, and only
//! from such a server.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::net::TcpListener;

use customer_domain::{CompanyScope, TokenError, TokenVerifier};
use customer_identity::{JwksSource, JwksTokenVerifier};
use customer_testkit::jwt::{TestIssuer, answer_with_file};
use rustls::pki_types::CertificateDer;

/// A certificate for `localhost`, self-signed, and an HTTPS server on 127.0.0.1 with
/// it answering every request with `issuer`'s JWKS: its URL, and the certificate to
/// trust.
async fn https_server(issuer: &TestIssuer) -> (String, CertificateDer<'static>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("a self-signed certificate");
    let certificate = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(vec![certificate.clone()], key)
    .expect("a server configuration");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    let path = issuer.jwks_path().to_owned();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, path) = (acceptor.clone(), path.clone());
            tokio::spawn(async move {
                if let Ok(stream) = acceptor.accept(stream).await {
                    answer_with_file(stream, &path).await;
                }
            });
        }
    });
    (format!("https://localhost:{port}/jwks.json"), certificate)
}

#[tokio::test]
async fn keys_are_fetched_over_https_from_a_trusted_server_only() {
    let issuer = TestIssuer::new();
    let (url, certificate) = https_server(&issuer).await;
    let mut settings = issuer.settings();
    settings.jwks = JwksSource::Url(url);
    settings.fetch_timeout = Duration::from_secs(5);
    let claims = TestIssuer::claims("portal", &json!("all"));
    let token = issuer.token(&claims, "ES256");

    let trusting = JwksTokenVerifier::with_roots(settings.clone(), vec![certificate])
        .await
        .expect("a verifier");
    let verified = trusting
        .verify(&token)
        .await
        .expect("the token is accepted");
    assert_eq!(verified.companies, CompanyScope::All);

    // The same server, its certificate not trusted: no keys.
    let distrusting = JwksTokenVerifier::new(settings).await.expect("a verifier");
    match distrusting.verify(&token).await {
        Err(TokenError::Unavailable(error)) => {
            assert!(error.to_string().contains("certificate"), "{error}");
        }
        other => panic!("expected the keys to be unavailable, got {other:?}"),
    }
}
