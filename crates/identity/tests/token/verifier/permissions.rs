//! What a token permits: reading always, writing too when the permissions claim (a
//! string or an array of words) names `write`.

use customer_domain::Permissions;

use super::*;

#[tokio::test]
async fn a_token_without_the_permissions_claim_may_only_read() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let granted = accepted(&verifier, &issuer.token(&claims(), "RS256")).await;
    assert_eq!(granted.permissions, Permissions::READ);
    let mut null = claims();
    null["permissions"] = Value::Null;
    let granted = accepted(&verifier, &issuer.token(&null, "ES256")).await;
    assert_eq!(granted.permissions, Permissions::READ);
}

#[tokio::test]
async fn a_token_naming_write_may_read_and_write() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    let cases = [
        (json!("read,write"), Permissions::READ_WRITE),
        (json!("write"), Permissions::READ_WRITE),
        (json!(" WRITE , read "), Permissions::READ_WRITE),
        (json!(["read", "write"]), Permissions::READ_WRITE),
        (json!(["write"]), Permissions::READ_WRITE),
        (json!("read"), Permissions::READ),
        (json!(["read"]), Permissions::READ),
    ];
    for (permissions, expected) in cases {
        let token = issuer.token(&with(claims(), "permissions", permissions.clone()), "RS256");
        assert_eq!(
            accepted(&verifier, &token).await.permissions,
            expected,
            "{permissions}"
        );
    }
}

#[tokio::test]
async fn a_malformed_permissions_claim_refuses_the_token() {
    let issuer = TestIssuer::new();
    let verifier = verifier(issuer.settings()).await;
    for permissions in [
        json!(""),
        json!([]),
        json!("admin"),
        json!("read,delete"),
        json!(["read,write"]),
        json!([1]),
        json!(true),
        json!({ "write": true }),
    ] {
        let token = issuer.token(&with(claims(), "permissions", permissions.clone()), "ES256");
        let reason = rejection(&verifier, &token).await;
        assert!(
            reason.starts_with("malformed claim permissions"),
            "{permissions}: {reason}"
        );
    }
    let token = issuer.token(
        &with(claims(), "permissions", json!("read,delete")),
        "RS256",
    );
    let reason = rejection(&verifier, &token).await;
    assert!(reason.contains("\"delete\""), "names the word: {reason}");
}

#[tokio::test]
async fn the_permissions_claim_is_the_configured_one() {
    let issuer = TestIssuer::new();
    let mut settings = issuer.settings();
    assert_eq!(settings.permissions_claim, "permissions");
    settings.permissions_claim = "api_rights".to_owned();
    let verifier = verifier(settings).await;
    let both = with(claims(), "api_rights", json!(["read", "write"]));
    let granted = accepted(&verifier, &issuer.token(&both, "RS256")).await;
    assert_eq!(granted.permissions, Permissions::READ_WRITE);
    // The default claim's name means nothing to it.
    let other = with(claims(), "permissions", json!("write"));
    let granted = accepted(&verifier, &issuer.token(&other, "RS256")).await;
    assert_eq!(granted.permissions, Permissions::READ);

    let mut settings = issuer.settings();
    settings.permissions_claim = " ".to_owned();
    assert!(matches!(
        JwksTokenVerifier::new(settings).await,
        Err(IdentityError::TokenSettings(_))
    ));
}
