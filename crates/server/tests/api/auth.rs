//! Who may call, and how often: `401` without a valid credential, `403` for a company
//! the caller may not search, `429` over a rate limit or after too many failed
//! authentications; keys that expire, are revoked or rotated; bearer tokens of the
//! identity provider; and what needs no credential at all.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, TestApp, TestBackend, TestDatabase, TestResponse, UNCHECKABLE_KEY, add_client,
    assert_is_the_example, encode, has_arabic, suite_tests, test_settings, url_string,
};
use chrono::Utc;
use customer_application::ClientAdmin;
use customer_identity::{JwksSource, JwtSettings};
use customer_infrastructure::{DatabaseUrl, SqlClientRegistry};
use customer_testkit::jwt::{TestIssuer, now};
use reqwest::Method;
use serde_json::{Value, json};

use crate::db::audit_rows;

suite_tests!("auth":
    no_credential_is_a_401_problem_in_the_request_language,
    invalid_keys_are_401_invalid_token_and_never_echoed,
    other_schemes_than_bearer_are_401,
    a_company_not_allowed_is_the_same_403_whether_or_not_it_exists,
    a_caller_allowed_every_company_is_told_of_an_unknown_one,
    an_invalid_request_for_a_company_not_allowed_names_only_its_own_errors,
    a_jtc_client_never_reads_a_jfc_customer,
    an_expired_key_is_refused,
    a_revoked_key_is_refused_once_the_key_cache_expires,
    after_a_rotation_both_keys_work_until_the_grace_ends,
    valid_tokens_are_accepted_for_their_companies_only,
    forged_and_wrong_tokens_are_401,
);

/// The realm of every challenge.
pub(crate) const CHALLENGE: &str = r#"Bearer realm="customer-api""#;
/// The challenge answering a credential that is not valid (RFC 6750).
pub(crate) const INVALID_TOKEN_CHALLENGE: &str =
    r#"Bearer realm="customer-api", error="invalid_token""#;

/// The contract's example lookup, answered in English.
pub(crate) fn example_in_english() -> String {
    EXAMPLE_QUERY.replace("lang=ar", "lang=en")
}

pub(crate) fn bearer(credential: &str) -> String {
    format!("Bearer {credential}")
}

/// The lookup `query` made with `credential` as a bearer credential.
pub(crate) async fn lookup_as(app: &TestApp, credential: &str, query: &str) -> TestResponse {
    app.lookup_with(Some(&bearer(credential)), query).await
}

/// The clients use cases over the database at `url`, as `customer-api clients` runs them.
pub(crate) fn client_admin(url: &DatabaseUrl) -> ClientAdmin {
    let db = customer_infrastructure::Database::connect(
        url,
        &customer_infrastructure::PoolSettings::default(),
    )
    .expect("a pool");
    ClientAdmin::new(Arc::new(SqlClientRegistry::new(db)))
}

/// A fresh database with the demo data, its URL and settings for a service over it.
pub(crate) async fn database_and_settings(
    backend: TestBackend,
) -> (TestDatabase, DatabaseUrl, customer_server::Settings) {
    let database = TestDatabase::with_demo_data(backend).await;
    let url = database.url().clone();
    let settings = test_settings(&url_string(&url));
    (database, url, settings)
}

/// Fails unless `response` is a `401` problem with the challenge `challenge`.
pub(crate) fn assert_unauthenticated(response: &TestResponse, challenge: &str, what: &str) {
    assert_eq!(response.status, 401, "{what}: {}", response.body);
    response.problem();
    assert_eq!(
        response.header("www-authenticate"),
        Some(challenge),
        "{what}: the challenge"
    );
    assert_eq!(response.header("cache-control"), Some("no-store"), "{what}");
    assert!(response.header("x-request-id").is_some(), "{what}");
}

/// Fails unless `response` is a `429` problem of rate limit `policy`, whose quota is
/// `quota` per second; returns its `Retry-After`.
pub(crate) fn assert_rate_limited(
    response: &TestResponse,
    policy: &str,
    quota: u32,
    what: &str,
) -> u64 {
    assert_eq!(response.status, 429, "{what}: {}", response.body);
    response.problem();
    let retry_after: u64 = response
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{what}: Retry-After is a number of seconds"));
    assert!(retry_after >= 1, "{what}: Retry-After {retry_after} >= 1");
    assert_eq!(
        response.header("ratelimit-policy"),
        Some(format!("\"{policy}\";q={quota};w=1").as_str()),
        "{what}: RateLimit-Policy"
    );
    assert_eq!(
        response.header("ratelimit"),
        Some(format!("\"{policy}\";r=0;t={retry_after}").as_str()),
        "{what}: RateLimit"
    );
    retry_after
}

async fn no_credential_is_a_401_problem_in_the_request_language(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    for lang in ["ar", "en"] {
        let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
        for authorization in [None, Some(""), Some("   ")] {
            let response = app.lookup_with(authorization, &query).await;
            let what = format!("lang={lang}, Authorization {authorization:?}");
            assert_unauthenticated(&response, CHALLENGE, &what);
            let problem = response.problem();
            for field in ["title", "detail"] {
                let text = problem[field].as_str().expect("a string");
                assert_eq!(has_arabic(text), lang == "ar", "{what}: {field} {text:?}");
            }
            assert!(!response.body.contains("\\u"), "{what}: UTF-8, not escapes");
            assert!(!response.body.contains("customerId"), "{what}: no customer");
        }
    }
}

/// The length of `clk_<12-character id>_`, before a key's secret.
const KEY_HEAD_LEN: usize = 17;

async fn invalid_keys_are_401_invalid_token_and_never_echoed(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let good = app.key.clone().expect("the suite's key");
    let (head, secret) = good.split_at(KEY_HEAD_LEN);
    // The same key id with another secret of the right shape.
    let flipped = if secret.starts_with('A') { 'B' } else { 'A' };
    let wrong_secret = format!("{head}{flipped}{}", &secret[1..]);
    let malformed = format!("{good}x");
    let truncated = good[..good.len() - 1].to_owned();
    for (what, key) in [
        ("unknown key", UNCHECKABLE_KEY),
        ("wrong secret", wrong_secret.as_str()),
        ("malformed key", malformed.as_str()),
        ("truncated key", truncated.as_str()),
        ("not a key, no token verifier", "opaque-token-0123456789"),
        ("a JWT, no token verifier", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"),
    ] {
        for lang in ["ar", "en"] {
            let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
            let response = lookup_as(&app, key, &query).await;
            let what = format!("{what}, lang={lang}");
            assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, &what);
            let title = response.problem()["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert_eq!(has_arabic(&title), lang == "ar", "{what}: {title}");
            // The secret may hold `_` itself: it is what follows `clk_<id>_`.
            let key_secret = key
                .strip_prefix("clk_")
                .and_then(|_| key.get(KEY_HEAD_LEN..))
                .filter(|secret| secret.len() > 8)
                .unwrap_or(key);
            for part in [key, key_secret] {
                assert!(
                    !response.body.contains(part),
                    "{what}: the body echoes the credential: {}",
                    response.body
                );
            }
            assert!(
                response
                    .headers
                    .values()
                    .all(|value| !value.to_str().unwrap_or_default().contains(key_secret)),
                "{what}: no header echoes the credential"
            );
        }
    }
    // The genuine key still works: the failures did not touch it.
    let response = lookup_as(&app, &good, EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "");
}

/// A credential under another scheme than `Bearer`, or a bare one, is refused with the
/// `Bearer` challenge whatever it holds: a valid key is no exception. `bearer` is
/// matched case-insensitively.
async fn other_schemes_than_bearer_are_401(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let good = app.key.clone().expect("the suite's key");
    for authorization in [
        "Basic dXNlcjpwYXNzd29yZA==".to_owned(),
        format!("Basic {good}"),
        format!("Token {good}"),
        format!("ApiKey {good}"),
        good.clone(),
        "Bearer".to_owned(),
    ] {
        let response = app
            .lookup_with(Some(&authorization), &example_in_english())
            .await;
        assert_eq!(response.status, 401, "{authorization}: {}", response.body);
        // The fix is the header's form: the detail says so, not "unknown key".
        let detail = response.problem()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            detail.starts_with("The Authorization header must be Bearer <API key or token>"),
            "{authorization}: {detail}"
        );
        let challenge = response.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with(CHALLENGE),
            "{authorization}: the challenge names the Bearer scheme and the realm, got {challenge:?}"
        );
        assert!(
            !response.body.contains(&good),
            "{authorization}: the key is not echoed"
        );
    }
    for scheme in ["bearer", "BEARER", "Bearer "] {
        let response = app
            .lookup_with(Some(&format!("{scheme} {good}")), EXAMPLE_QUERY)
            .await;
        assert_is_the_example(&response, scheme);
    }
}

async fn a_company_not_allowed_is_the_same_403_whether_or_not_it_exists(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let jtc = add_client(&url, "jtc-only", "jtc", None).await;
    for lang in ["ar", "en"] {
        let existing = lookup_as(
            &app,
            &jtc,
            &format!("companyCode=jfc&customerId=70001&lang={lang}"),
        )
        .await;
        let missing = lookup_as(
            &app,
            &jtc,
            &format!("companyCode=nosuch&customerId=70001&lang={lang}"),
        )
        .await;
        for (what, response) in [("jfc", &existing), ("nosuch", &missing)] {
            assert_eq!(
                response.status, 403,
                "{what}, lang={lang}: {}",
                response.body
            );
            let problem = response.problem();
            assert!(problem.get("errors").is_none(), "{what}: {}", response.body);
            let title = problem["title"].as_str().unwrap_or_default();
            assert_eq!(has_arabic(title), lang == "ar", "{what}: {title}");
            // The caller's own companies are named, so that it can fix companyCode;
            // nothing is said of the company asked for.
            let detail = problem["detail"].as_str().unwrap_or_default();
            assert!(detail.ends_with(": jtc."), "{what}: {detail}");
            assert!(!detail.contains(what), "{what}: {detail}");
            assert_eq!(response.header("cache-control"), Some("no-store"));
        }
        assert_eq!(
            existing.json(),
            missing.json(),
            "lang={lang}: a company that exists and one that does not are refused alike"
        );
        assert_eq!(existing.body, missing.body, "lang={lang}: byte for byte");
        assert_eq!(
            existing.header("content-type"),
            missing.header("content-type")
        );
    }
    // The same client is served in its own company, the company code in any case.
    for code in ["jtc", "JTC"] {
        let response = lookup_as(
            &app,
            &jtc,
            &EXAMPLE_QUERY.replace("companyCode=jtc", &format!("companyCode={code}")),
        )
        .await;
        assert_is_the_example(&response, code);
    }
}

async fn a_caller_allowed_every_company_is_told_of_an_unknown_one(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let all = add_client(&url, "everywhere", "all", None).await;
    let response = lookup_as(&app, &all, "companyCode=nosuch&customerId=70001&lang=en").await;
    let errors = response.validation_errors();
    assert!(
        errors.contains_key("companyCode"),
        "the unknown company is named: {}",
        response.body
    );
    assert_eq!(
        errors.keys().collect::<Vec<_>>(),
        ["companyCode"],
        "{}",
        response.body
    );
}

async fn an_invalid_request_for_a_company_not_allowed_names_only_its_own_errors(
    backend: TestBackend,
) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let jtc = add_client(&url, "jtc-only", "jtc", None).await;
    let all = add_client(&url, "everywhere", "all", None).await;
    let invalid_mobile =
        |company: &str| format!("companyCode={company}&mobileNumber=468617084&lang=en");
    let mut bodies = Vec::new();
    for company in ["jfc", "nosuch"] {
        let response = lookup_as(&app, &jtc, &invalid_mobile(company)).await;
        let errors = response.validation_errors();
        assert_eq!(
            Value::Object(errors),
            json!({ "mobileNumber": ["must start with 5"] }),
            "{company}: the mobile's error, and nothing of the company"
        );
        bodies.push(response.body);
    }
    assert_eq!(bodies[0], bodies[1], "jfc and nosuch are answered alike");
    // A caller allowed every company is told, besides, that nosuch does not exist.
    let response = lookup_as(&app, &all, &invalid_mobile("nosuch")).await;
    let errors = response.validation_errors();
    assert!(errors.contains_key("mobileNumber"), "{}", response.body);
    assert!(errors.contains_key("companyCode"), "{}", response.body);
}

/// The jfc customers of the demo data (`crates/infrastructure/src/seed/DEMO.md`): id,
/// identification number, current mobile, references.
const JFC_CUSTOMERS: [(i64, &str, &str, &[&str]); 4] = [
    (
        70001,
        "2103232123",
        "568617084",
        &["333215", "FIN-2026-000215"],
    ),
    (
        70002,
        "1034567891",
        "551234567",
        &["PF-2023-010093", "AUTO-2025-004512"],
    ),
    (
        70003,
        "1010987654",
        "554443322",
        &["LEASE-2026-000077", "LEASE-2026-000078"],
    ),
    (70004, "1122334455", "545556677", &["450017"]),
];

/// Every lookup shape that could find the jfc customers: each identifier alone, each
/// reference, every identifier of a customer together, and pairs.
fn jfc_lookups() -> Vec<String> {
    let mut lookups = Vec::new();
    for (id, identification, mobile, references) in JFC_CUSTOMERS {
        lookups.push(format!("customerId={id}"));
        lookups.push(format!("identificationNo={}", encode(identification)));
        lookups.push(format!("mobileNumber={}", encode(mobile)));
        // Spaces and hyphens are ignored in a mobile number.
        lookups.push(format!(
            "mobileNumber=%20{}-{}%20{}",
            &mobile[..3],
            &mobile[3..6],
            &mobile[6..]
        ));
        for reference in references {
            lookups.push(format!("referenceNo={}", encode(reference)));
            lookups.push(format!(
                "customerId={id}&identificationNo={}&mobileNumber={}&referenceNo={}",
                encode(identification),
                encode(mobile),
                encode(reference)
            ));
        }
        lookups.push(format!(
            "identificationNo={}&mobileNumber={}",
            encode(identification),
            encode(mobile)
        ));
    }
    lookups
}

async fn a_jtc_client_never_reads_a_jfc_customer(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    // Past any rate limit: this test makes many lookups.
    let jtc = add_client(&url, "jtc-only", "jtc", Some("1000000/s")).await;
    let jfc_ids: Vec<i64> = JFC_CUSTOMERS.iter().map(|(id, ..)| *id).collect();
    // Control: the suite's client, allowed every company, does find them in jfc.
    let control = app
        .lookup("companyCode=jfc&identificationNo=2103232123&lang=en")
        .await;
    assert_eq!(control.customer_ids(), [70001]);
    let mut found_in_jtc = 0;
    for criteria in jfc_lookups() {
        for company in ["jtc", "JTC"] {
            let query = format!("companyCode={company}&{criteria}&lang=en");
            let ids = lookup_as(&app, &jtc, &query).await.customer_ids();
            assert!(
                ids.iter().all(|id| !jfc_ids.contains(id)),
                "{query}: a jfc customer was shown to a jtc client: {ids:?}"
            );
            found_in_jtc += ids.len();
        }
        for company in ["jfc", "JFC", "Jfc"] {
            let query = format!("companyCode={company}&{criteria}&lang=en");
            let response = lookup_as(&app, &jtc, &query).await;
            assert_eq!(response.status, 403, "{query}: {}", response.body);
            assert!(!response.body.contains("customerId"), "{query}");
        }
    }
    // The same identifiers find jtc's own customers (54218, 54219): the lookups did run.
    assert!(found_in_jtc > 0, "some lookups found jtc customers");
}

async fn an_expired_key_is_refused(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let url = app.database().expect("a database").url().clone();
    let now = Utc::now();
    let expires_at = now + chrono::Duration::seconds(1);
    let issued = client_admin(&url)
        .add("short-lived", "all", None, None, Some(expires_at), now)
        .await
        .expect("the client is added");
    let key = issued.key.expose_secret().to_owned();
    let sent_at = Utc::now();
    let response = lookup_as(&app, &key, EXAMPLE_QUERY).await;
    if sent_at + chrono::Duration::milliseconds(500) < expires_at {
        assert_is_the_example(&response, "before its expiry");
    }
    let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(100)).await;
    for lang in ["ar", "en"] {
        let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
        let response = lookup_as(&app, &key, &query).await;
        assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, "an expired key");
        assert!(!response.body.contains(&key));
    }
}

async fn a_revoked_key_is_refused_once_the_key_cache_expires(backend: TestBackend) {
    const TTL: Duration = Duration::from_secs(1);
    let (database, url, mut settings) = database_and_settings(backend).await;
    settings.auth.authenticator.key_cache_ttl = TTL;
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let key = add_client(&url, "revoked", "all", None).await;
    let cached_at = Instant::now();
    let response = lookup_as(&app, &key, EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "before the revocation");

    let revoked = client_admin(&url)
        .revoke("revoked", Utc::now())
        .await
        .expect("the client's keys are revoked");
    assert_eq!(revoked.len(), 1);
    let revoked_at = Instant::now();
    let refused_after = loop {
        let response = lookup_as(&app, &key, &example_in_english()).await;
        if response.status == 401 {
            assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, "a revoked key");
            break revoked_at.elapsed();
        }
        assert_eq!(
            response.status, 200,
            "until the cache expires the key works: {}",
            response.body
        );
        assert!(
            revoked_at.elapsed() <= TTL + Duration::from_secs(1),
            "the revoked key still works {:?} after the revocation (cache {TTL:?})",
            revoked_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        refused_after <= TTL + Duration::from_secs(1),
        "refused {refused_after:?} after the revocation"
    );
    // Read from the cache until it expired: not refused before the key was cached for
    // about the cache's lifetime.
    assert!(
        cached_at.elapsed() >= Duration::from_millis(900),
        "refused {:?} after it was cached, sooner than the cache's {TTL:?}",
        cached_at.elapsed()
    );
    for _ in 0..3 {
        let response = lookup_as(&app, &key, EXAMPLE_QUERY).await;
        assert_eq!(response.status, 401, "a revoked key stays refused");
    }
    // Other clients are not affected.
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "another client");
}

async fn after_a_rotation_both_keys_work_until_the_grace_ends(backend: TestBackend) {
    const TTL: Duration = Duration::from_secs(1);
    const GRACE: Duration = Duration::from_secs(2);
    let (database, url, mut settings) = database_and_settings(backend).await;
    settings.auth.authenticator.key_cache_ttl = TTL;
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let old = add_client(&url, "rotating", "all", None).await;
    // Cached before the rotation, as a busy client's key would be.
    let response = lookup_as(&app, &old, EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "the first key");

    let rotated_at = Instant::now();
    let new = client_admin(&url)
        .rotate("rotating", GRACE, None, Utc::now())
        .await
        .expect("the key is rotated")
        .key
        .expose_secret()
        .to_owned();
    assert_ne!(new, old);
    let mut old_worked_after_rotation = false;
    let refused_after = loop {
        let response = lookup_as(&app, &new, &example_in_english()).await;
        assert_eq!(response.status, 200, "the new key: {}", response.body);
        let elapsed = rotated_at.elapsed();
        let response = lookup_as(&app, &old, &example_in_english()).await;
        if response.status == 401 {
            assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, "the retired key");
            break elapsed;
        }
        assert_eq!(response.status, 200, "the old key: {}", response.body);
        old_worked_after_rotation = true;
        assert!(
            rotated_at.elapsed() <= GRACE + TTL + Duration::from_secs(1),
            "the old key still works {:?} after the rotation (grace {GRACE:?})",
            rotated_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        old_worked_after_rotation,
        "the old key works during the grace"
    );
    assert!(
        refused_after >= Duration::from_millis(1900),
        "the old key was refused {refused_after:?} after the rotation, within its grace of {GRACE:?}"
    );
    let response = lookup_as(&app, &new, EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "the new key after the grace");
    let response = lookup_as(&app, &old, EXAMPLE_QUERY).await;
    assert_eq!(response.status, 401, "{}", response.body);
}

/// A service over the demo data accepting the tokens of `issuer`.
async fn service_accepting_tokens_of(issuer: &TestIssuer, backend: TestBackend) -> TestApp {
    let (database, _url, mut settings) = database_and_settings(backend).await;
    settings.auth.jwt = Some(JwtSettings::new(
        JwksSource::File(issuer.jwks_path().to_owned()),
        TestIssuer::ISSUER,
        TestIssuer::AUDIENCE,
    ));
    TestApp::spawn_with(settings, Some(database)).await
}

async fn valid_tokens_are_accepted_for_their_companies_only(backend: TestBackend) {
    let issuer = TestIssuer::new();
    let app = service_accepting_tokens_of(&issuer, backend).await;
    let claims = TestIssuer::claims("partner", &json!(["jtc"]));
    for alg in ["RS256", "ES256"] {
        let token = issuer.token(&claims, alg);
        let response = app
            .request(
                Method::GET,
                &format!("/v1/core/customer?{EXAMPLE_QUERY}"),
                &[
                    ("authorization", &bearer(&token)),
                    ("x-request-id", &format!("token-{alg}")),
                ],
            )
            .await;
        assert_is_the_example(&response, alg);
        let response = lookup_as(&app, &token, "companyCode=jfc&customerId=70001&lang=en").await;
        assert_eq!(response.status, 403, "{alg}: {}", response.body);
        response.problem();
    }
    // The trail names the token's client and subject.
    let url = app.database().expect("a database").url();
    let rows = audit_rows(url).await;
    for alg in ["RS256", "ES256"] {
        let request_id = format!("token-{alg}");
        let row = rows
            .iter()
            .find(|row| row.request_id == request_id)
            .unwrap_or_else(|| panic!("the lookup {request_id} is in the trail: {rows:?}"));
        assert_eq!(row.client_name, "partner");
        assert_eq!(row.credential, "token:partner");
    }
    // Keys still work beside tokens.
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "a key beside tokens");
}

async fn forged_and_wrong_tokens_are_401(backend: TestBackend) {
    let issuer = TestIssuer::new();
    let app = service_accepting_tokens_of(&issuer, backend).await;
    let claims = TestIssuer::claims("partner", &json!(["jtc"]));
    let with = |field: &str, value: Value| {
        let mut claims = claims.clone();
        claims[field] = value;
        claims
    };
    let expired = {
        let mut claims = with("exp", json!(now() - 3600));
        claims["iat"] = json!(now() - 7200);
        claims
    };
    let tokens = [
        (
            "bad signature (RS256)",
            issuer.token_signed_by_other_key(&claims, "RS256"),
        ),
        (
            "bad signature (ES256)",
            issuer.token_signed_by_other_key(&claims, "ES256"),
        ),
        (
            "wrong iss",
            issuer.token(
                &with("iss", json!("https://other.invalid/realms/group")),
                "RS256",
            ),
        ),
        (
            "wrong aud",
            issuer.token(&with("aud", json!("another-api")), "ES256"),
        ),
        ("expired", issuer.token(&expired, "RS256")),
        ("alg none", issuer.unsigned_none_token(&claims)),
        (
            "HS256 keyed with the public key",
            issuer.hs256_with_public_key(&claims),
        ),
        (
            "unknown kid",
            issuer.token_with_kid(&claims, "ES256", "no-such-kid"),
        ),
    ];
    for (what, token) in &tokens {
        let response = lookup_as(&app, token, EXAMPLE_QUERY).await;
        assert_unauthenticated(&response, INVALID_TOKEN_CHALLENGE, what);
        assert!(
            !response.body.contains(token.as_str()),
            "{what}: not echoed"
        );
    }
    // The genuine token is accepted by the same service.
    let response = lookup_as(&app, &issuer.token(&claims, "RS256"), EXAMPLE_QUERY).await;
    assert_is_the_example(&response, "the genuine token");
}
