//! The bearer token verifier against a JWKS: what it accepts, what it refuses and why,
//! and when it reads the key set again.

use std::time::Duration;

use customer_domain::{CompanyScope, TokenError, TokenVerifier, VerifiedToken};
use customer_identity::{IdentityError, JwksSource, JwksTokenVerifier, JwtSettings};
use customer_testkit::jwt::{JwksServer, TestIssuer, now};
use serde_json::{Value, json};

/// The refresh interval of the tests that count reads of the key set: long enough that
/// what a test does between two reads fits in it on a busy machine.
const INTERVAL: Duration = Duration::from_millis(700);

async fn verifier(settings: JwtSettings) -> JwksTokenVerifier {
    JwksTokenVerifier::new(settings)
        .await
        .expect("a verifier of the test issuer")
}

fn claims() -> Value {
    TestIssuer::claims("call-centre", &json!(["jtc", "jfc"]))
}

/// The claims with `name` set to `value` (removed when `value` is null).
fn with(mut claims: Value, name: &str, value: Value) -> Value {
    let object = claims.as_object_mut().expect("claims are an object");
    if value.is_null() {
        object.remove(name);
    } else {
        object.insert(name.to_owned(), value);
    }
    claims
}

/// Why the token was rejected; fails the test when it was not.
async fn rejection(verifier: &JwksTokenVerifier, token: &str) -> String {
    match verifier.verify(token).await {
        Err(TokenError::Rejected(reason)) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

async fn accepted(verifier: &JwksTokenVerifier, token: &str) -> VerifiedToken {
    match verifier.verify(token).await {
        Ok(granted) => granted,
        Err(error) => panic!("expected the token to be accepted: {error}"),
    }
}

fn scope(list: &str) -> CompanyScope {
    CompanyScope::parse(list).expect("a company list")
}

#[tokio::test]
async fn valid_rs256_and_es256_tokens_are_accepted() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    for alg in ["RS256", "ES256"] {
        let granted = accepted(&verifier, &issuer.token(&claims(), alg)).await;
        assert_eq!(granted.subject, "call-centre", "{alg}");
        assert_eq!(granted.client.as_str(), "call-centre", "{alg}");
        assert_eq!(granted.companies, scope("jtc,jfc"), "{alg}");
    }
}

#[tokio::test]
async fn the_client_is_the_configured_claim_or_else_the_subject() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let claims = with(claims(), "sub", json!("svc-7f3a"));

    let granted = accepted(&verifier, &issuer.token(&claims, "RS256")).await;
    assert_eq!(
        (granted.subject.as_str(), granted.client.as_str()),
        ("svc-7f3a", "call-centre")
    );

    let without_client = with(claims.clone(), "client_id", Value::Null);
    let granted = accepted(&verifier, &issuer.token(&without_client, "RS256")).await;
    assert_eq!(granted.client.as_str(), "svc-7f3a");

    let bad_client = with(claims.clone(), "client_id", json!("call centre"));
    let reason = rejection(&verifier, &issuer.token(&bad_client, "RS256")).await;
    assert!(reason.starts_with("malformed claim client_id"), "{reason}");
    let numeric_client = with(claims, "client_id", json!(42));
    assert_eq!(
        rejection(&verifier, &issuer.token(&numeric_client, "RS256")).await,
        "malformed claim client_id"
    );

    let mut settings = issuer.settings();
    settings.client_claim = "azp".to_owned();
    let verifier = self::verifier(settings).await;
    let with_azp = with(self::claims(), "azp", json!("portal"));
    let granted = accepted(&verifier, &issuer.token(&with_azp, "ES256")).await;
    assert_eq!(granted.client.as_str(), "portal");
}

#[tokio::test]
async fn a_signature_by_another_key_under_the_same_kid_is_refused() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    for alg in ["RS256", "ES256"] {
        let forged = issuer.token_signed_by_other_key(&claims(), alg);
        assert_eq!(
            rejection(&verifier, &forged).await,
            "bad signature",
            "{alg}"
        );
    }
    // A genuine token whose claims were changed after signing.
    let token = issuer.token(&claims(), "RS256");
    let mut parts: Vec<&str> = token.split('.').collect();
    let widened = base64_json(&with(claims(), "companies", json!("all")));
    parts[1] = &widened;
    assert_eq!(
        rejection(&verifier, &parts.join(".")).await,
        "bad signature"
    );
}

fn base64_json(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn the_issuer_and_audience_must_be_the_configured_ones() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let token = issuer.token(
        &with(claims(), "iss", json!("https://elsewhere.invalid")),
        "RS256",
    );
    assert_eq!(rejection(&verifier, &token).await, "wrong issuer");
    let token = issuer.token(&with(claims(), "aud", json!("other-api")), "ES256");
    assert_eq!(rejection(&verifier, &token).await, "wrong audience");
    let token = issuer.token(
        &with(claims(), "aud", json!(["other-api", "another"])),
        "ES256",
    );
    assert_eq!(rejection(&verifier, &token).await, "wrong audience");

    // An array holding the audience among others is accepted.
    let token = issuer.token(
        &with(claims(), "aud", json!(["other-api", TestIssuer::AUDIENCE])),
        "RS256",
    );
    accepted(&verifier, &token).await;
}

#[tokio::test]
async fn registered_claims_are_required() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    for claim in ["exp", "iss", "aud", "sub"] {
        let token = issuer.token(&with(claims(), claim, Value::Null), "RS256");
        assert_eq!(
            rejection(&verifier, &token).await,
            format!("missing claim {claim}")
        );
    }
    for (claim, value) in [
        ("exp", json!("tomorrow")),
        ("nbf", json!("yesterday")),
        ("iss", json!(7)),
        ("aud", json!({ "name": TestIssuer::AUDIENCE })),
        ("sub", json!(17)),
        ("sub", json!(" ")),
    ] {
        let token = issuer.token(&with(claims(), claim, value), "RS256");
        assert_eq!(
            rejection(&verifier, &token).await,
            format!("malformed claim {claim}")
        );
    }
}

#[tokio::test]
async fn expiry_and_not_before_are_checked_with_the_leeway() {
    let issuer = TestIssuer::new();
    let mut settings = issuer.settings();
    settings.leeway = Duration::from_secs(30);
    let verifier = verifier(settings).await;
    let now = now();

    let expired = issuer.token(&with(claims(), "exp", json!(now - 60)), "RS256");
    assert_eq!(rejection(&verifier, &expired).await, "token expired");
    let within_leeway = issuer.token(&with(claims(), "exp", json!(now - 10)), "ES256");
    accepted(&verifier, &within_leeway).await;

    let not_yet = issuer.token(&with(claims(), "nbf", json!(now + 120)), "RS256");
    assert_eq!(rejection(&verifier, &not_yet).await, "token not yet valid");
    let nbf_within_leeway = issuer.token(&with(claims(), "nbf", json!(now + 10)), "ES256");
    accepted(&verifier, &nbf_within_leeway).await;
    let nbf_past = issuer.token(&with(claims(), "nbf", json!(now - 10)), "RS256");
    accepted(&verifier, &nbf_past).await;
}

#[tokio::test]
async fn only_rs256_and_es256_are_allowed() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let claims = claims();
    assert_eq!(
        rejection(&verifier, &issuer.unsigned_none_token(&claims)).await,
        "algorithm not allowed"
    );
    assert_eq!(
        rejection(&verifier, &issuer.hs256_with_public_key(&claims)).await,
        "algorithm not allowed"
    );
    for alg in ["RS384", "RS512", "PS256", "PS512"] {
        let token = issuer.token_with_kid(&claims, alg, TestIssuer::RSA_KID);
        assert_eq!(
            rejection(&verifier, &token).await,
            "algorithm not allowed",
            "{alg}"
        );
    }
}

#[tokio::test]
async fn a_key_is_used_only_for_its_own_algorithm() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    // ES256 naming the RSA key, RS256 naming the P-256 key.
    let token = issuer.token_with_kid(&claims(), "ES256", TestIssuer::RSA_KID);
    assert_eq!(
        rejection(&verifier, &token).await,
        "signing key does not fit the algorithm"
    );
    let token = issuer.token_with_kid(&claims(), "RS256", TestIssuer::EC_KID);
    assert_eq!(
        rejection(&verifier, &token).await,
        "signing key does not fit the algorithm"
    );

    // An HMAC key published in the set is never used, whatever the token says.
    issuer.publish_jwk(json!({ "kty": "oct", "kid": "shared", "k": "c2VjcmV0" }));
    // The RSA key published again, declared for RS384 only.
    let mut rs384 = issuer.jwk(TestIssuer::RSA_KID);
    rs384["kid"] = json!("rsa-384");
    rs384["alg"] = json!("RS384");
    issuer.publish_jwk(rs384);
    let verifier = self::verifier(issuer.settings()).await;
    let token = issuer.token_with_kid(&claims(), "RS256", "rsa-384");
    assert_eq!(
        rejection(&verifier, &token).await,
        "signing key is for another algorithm"
    );
    let token = issuer.token_with_kid(&claims(), "RS256", "shared");
    assert_eq!(rejection(&verifier, &token).await, "unknown signing key");
}

#[tokio::test]
async fn the_header_must_name_a_key() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let token = issuer.token_with_kid(&claims(), "RS256", "");
    assert_eq!(rejection(&verifier, &token).await, "missing key id");
    for garbage in ["", "abc", "a.b", "a.b.c.d", "!!!.e30.x", "e30.e30.x"] {
        let reason = rejection(&verifier, garbage).await;
        assert!(
            reason == "malformed token" || reason == "missing key id",
            "{garbage:?}: {reason}"
        );
    }
    let long = format!("{}.e30.x", "a".repeat(20_000));
    assert_eq!(rejection(&verifier, &long).await, "malformed token");
}

#[tokio::test]
async fn companies_are_read_from_an_array_or_a_string() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let cases = [
        (json!(["JTC", "jfc"]), scope("jtc,jfc")),
        (json!("jtc, jfc"), scope("jtc,jfc")),
        (json!("all"), CompanyScope::All),
        (json!(["all"]), CompanyScope::All),
    ];
    for (companies, expected) in cases {
        let token = issuer.token(&with(claims(), "companies", companies.clone()), "RS256");
        assert_eq!(
            accepted(&verifier, &token).await.companies,
            expected,
            "{companies}"
        );
    }
}

#[tokio::test]
async fn missing_or_malformed_companies_are_refused() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let token = issuer.token(&with(claims(), "companies", Value::Null), "RS256");
    assert_eq!(
        rejection(&verifier, &token).await,
        "missing claim companies"
    );
    for companies in [
        json!([]),
        json!(""),
        json!(42),
        json!({ "jtc": true }),
        json!([1, 2]),
        json!(["jtc,jfc"]),
        json!(["all", "jtc"]),
        json!("j tc"),
    ] {
        let token = issuer.token(&with(claims(), "companies", companies.clone()), "ES256");
        let reason = rejection(&verifier, &token).await;
        assert!(
            reason.starts_with("malformed claim companies"),
            "{companies}: {reason}"
        );
    }

    let mut settings = issuer.settings();
    settings.companies_claim = "scope_companies".to_owned();
    let verifier = self::verifier(settings).await;
    let token = issuer.token(&claims(), "RS256");
    assert_eq!(
        rejection(&verifier, &token).await,
        "missing claim scope_companies"
    );
}

#[tokio::test]
async fn an_unknown_kid_reads_the_file_again_at_most_once_per_interval() {
    let issuer = TestIssuer::new();
    let mut settings = issuer.settings();
    settings.refresh_interval = INTERVAL;
    let verifier = verifier(settings).await;

    // Read at start: not again within the interval, even for a key published since.
    issuer.publish_key("ec-2");
    let rotated = issuer.token_with_kid(&claims(), "ES256", "ec-2");
    assert_eq!(rejection(&verifier, &rotated).await, "unknown signing key");
    tokio::time::sleep(INTERVAL + Duration::from_millis(50)).await;
    accepted(&verifier, &rotated).await;

    // That read counts too: a key published right after it waits for the next one.
    issuer.publish_key("ec-3");
    let next = issuer.token_with_kid(&claims(), "ES256", "ec-3");
    assert_eq!(rejection(&verifier, &next).await, "unknown signing key");
    accepted(&verifier, &rotated).await;
    tokio::time::sleep(INTERVAL + Duration::from_millis(50)).await;
    accepted(&verifier, &next).await;
    // Keys known before are still known.
    accepted(&verifier, &issuer.token(&claims(), "RS256")).await;
}

async fn url_verifier(
    issuer: &TestIssuer,
    server: &JwksServer,
    interval: Duration,
) -> JwksTokenVerifier {
    let mut settings = issuer.settings();
    settings.jwks = JwksSource::Url(server.url());
    settings.refresh_interval = interval;
    settings.fetch_timeout = Duration::from_secs(2);
    verifier(settings).await
}

#[tokio::test]
async fn keys_are_fetched_from_a_url() {
    let issuer = TestIssuer::new();
    let server = issuer.serve().await;
    let verifier = url_verifier(&issuer, &server, Duration::from_millis(200)).await;
    assert_eq!(server.requests(), 1, "fetched once at start");
    for alg in ["RS256", "ES256"] {
        accepted(&verifier, &issuer.token(&claims(), alg)).await;
    }
    assert_eq!(server.requests(), 1, "known keys need no fetch");

    tokio::time::sleep(Duration::from_millis(250)).await;
    issuer.publish_key("ec-2");
    accepted(
        &verifier,
        &issuer.token_with_kid(&claims(), "ES256", "ec-2"),
    )
    .await;
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn concurrent_requests_with_unknown_kids_make_one_fetch() {
    let issuer = TestIssuer::new();
    let server = issuer.serve().await;
    let verifier = std::sync::Arc::new(url_verifier(&issuer, &server, INTERVAL).await);
    tokio::time::sleep(INTERVAL + Duration::from_millis(50)).await;
    issuer.publish_key("ec-2");
    let rotated = issuer.token_with_kid(&claims(), "ES256", "ec-2");
    let unknown = issuer.token_with_kid(&claims(), "ES256", "nobody");
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (verifier, token) = (
            verifier.clone(),
            if i % 2 == 0 {
                rotated.clone()
            } else {
                unknown.clone()
            },
        );
        tasks.push(tokio::spawn(async move {
            (i % 2 == 0, verifier.verify(&token).await)
        }));
    }
    for task in tasks {
        match task.await.expect("the task finishes") {
            (true, result) => assert!(result.is_ok(), "{result:?}"),
            (false, Err(TokenError::Rejected(reason))) => {
                assert_eq!(reason, "unknown signing key");
            }
            (false, other) => panic!("expected a rejection, got {other:?}"),
        }
    }
    assert_eq!(server.requests(), 2, "one fetch at start, one for all 16");
}

#[tokio::test]
async fn a_url_unreachable_at_start_makes_tokens_unavailable_until_fetched() {
    let issuer = TestIssuer::new();
    // A port that was free a moment ago: nothing listens there yet.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("an address");
    drop(listener);
    let mut settings = issuer.settings();
    settings.jwks = JwksSource::Url(format!("http://{address}/jwks.json"));
    settings.refresh_interval = INTERVAL;
    settings.fetch_timeout = Duration::from_secs(2);
    let verifier = verifier(settings).await;

    let token = issuer.token(&claims(), "RS256");
    match verifier.verify(&token).await {
        Err(TokenError::Unavailable(error)) => {
            let message = error.to_string();
            assert!(message.contains(&address.to_string()), "{message}");
        }
        other => panic!("expected the keys to be unavailable, got {other:?}"),
    }

    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("the same port again");
    let server = JwksServer::start(listener, issuer.jwks_path().to_owned());
    // Still within the interval since the failed fetch: no new attempt.
    assert!(matches!(
        verifier.verify(&token).await,
        Err(TokenError::Unavailable(_))
    ));
    assert_eq!(server.requests(), 0);
    tokio::time::sleep(INTERVAL + Duration::from_millis(50)).await;
    accepted(&verifier, &token).await;
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_url_answering_an_error_is_reported() {
    let issuer = TestIssuer::new();
    let server = issuer.serve().await;
    let mut settings = issuer.settings();
    settings.jwks = JwksSource::Url(server.url());
    std::fs::remove_file(issuer.jwks_path()).expect("the file is removed");
    let verifier = verifier(settings).await;
    match verifier.verify(&issuer.token(&claims(), "RS256")).await {
        Err(TokenError::Unavailable(error)) => {
            assert!(error.to_string().contains("404"), "{error}");
        }
        other => panic!("expected the keys to be unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_file_that_cannot_be_used_fails_the_start() {
    let issuer = TestIssuer::new();
    let mut settings = issuer.settings();
    settings.jwks = JwksSource::File(issuer.folder().join("missing.json"));
    let error = JwksTokenVerifier::new(settings).await.unwrap_err();
    assert!(matches!(error, IdentityError::Jwks { .. }), "{error}");
    assert!(error.to_string().contains("missing.json"), "{error}");

    for (document, expected) in [
        ("not json", "not a JSON document"),
        (r#"{"kid": "x"}"#, "no \"keys\" array"),
        (
            r#"{"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}"#,
            "no RSA or P-256 signing key",
        ),
    ] {
        let path = issuer.folder().join("odd.json");
        std::fs::write(&path, document).expect("a file");
        let mut settings = issuer.settings();
        settings.jwks = JwksSource::File(path);
        let error = JwksTokenVerifier::new(settings).await.unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[tokio::test]
async fn keys_marked_for_encryption_are_not_used() {
    let issuer = TestIssuer::new();
    let mut encryption = issuer.jwk(TestIssuer::EC_KID);
    encryption["kid"] = json!("ec-enc");
    encryption["use"] = json!("enc");
    issuer.publish_jwk(encryption);
    let verifier = verifier(issuer.settings()).await;
    let token = issuer.token_with_kid(&claims(), "ES256", "ec-enc");
    assert_eq!(rejection(&verifier, &token).await, "unknown signing key");
}

#[tokio::test]
async fn settings_are_checked() {
    let issuer = TestIssuer::new();
    let mut settings = issuer.settings();
    settings.audience = " ".to_owned();
    assert!(matches!(
        JwksTokenVerifier::new(settings).await,
        Err(IdentityError::TokenSettings(_))
    ));
    for url in [
        "http://idp.example.com/jwks.json",
        "ftp://idp.example.com/jwks.json",
        "idp.example.com/jwks.json",
    ] {
        let mut settings = issuer.settings();
        settings.jwks = JwksSource::Url(url.to_owned());
        let error = JwksTokenVerifier::new(settings).await.unwrap_err();
        assert!(
            matches!(error, IdentityError::Jwks { .. }),
            "{url}: {error}"
        );
    }
}

mod permissions;
