//! The management of callers and their keys (`ClientAdmin`), against a mock of the
//! client administration port.

use super::*;

// --- ClientAdmin ---

fn admin(registry: MockClientAdministration) -> ClientAdmin {
    ClientAdmin::new(Arc::new(registry))
}

/// A registry that must not be changed.
fn unchanged_registry() -> MockClientAdministration {
    let mut registry = MockClientAdministration::new();
    registry.expect_add_client().never();
    registry.expect_add_key().never();
    registry.expect_revoke().never();
    registry.expect_set_permissions().never();
    registry
}

#[tokio::test]
async fn add_reports_every_invalid_input_at_once() {
    let outcome = admin(unchanged_registry())
        .add(
            "call centre",
            "jtc,x/y",
            Some("admin"),
            Some("fast"),
            None,
            Utc::now(),
        )
        .await;
    let Err(AdminError::Invalid(invalid)) = outcome else {
        panic!("expected every invalid input, got {outcome:?}");
    };
    let inputs: Vec<&str> = invalid.iter().map(|(what, _)| *what).collect();
    assert_eq!(inputs, ["name", "companies", "permissions", "rate"]);
    assert_eq!(invalid[0].1.violations(), [AccessViolation::Whitespace]);
    assert_eq!(
        invalid[1].1.violations(),
        [AccessViolation::MalformedCompanyCode("x/y".into())]
    );
    assert_eq!(
        invalid[2].1.violations(),
        [AccessViolation::UnknownPermission("admin".into())]
    );
    assert_eq!(
        invalid[3].1.violations(),
        [AccessViolation::MalformedRateLimit]
    );
}

#[tokio::test]
async fn add_reports_a_bad_rate_alone_too() {
    let outcome = admin(unchanged_registry())
        .add("call-centre", "jtc", None, Some("0/s"), None, Utc::now())
        .await;
    assert!(
        matches!(&outcome, Err(AdminError::Invalid(invalid))
            if invalid.len() == 1 && invalid[0].0 == "rate"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn add_refuses_an_expiry_in_the_past() {
    let now = Utc::now();
    for expiry in [now - TimeDelta::seconds(1), now] {
        let outcome = admin(unchanged_registry())
            .add("call-centre", "jtc", None, None, Some(expiry), now)
            .await;
        assert!(
            matches!(outcome, Err(AdminError::ExpiryInPast(at)) if at == expiry),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn add_stores_the_parsed_profile_and_the_hash_of_the_key_it_returns() {
    let now = Utc::now();
    let expires = now + TimeDelta::days(90);
    let seen: Seen<Option<(ClientProfile, NewApiKey, DateTime<Utc>)>> = Arc::default();
    let mut registry = MockClientAdministration::new();
    {
        let seen = Arc::clone(&seen);
        registry
            .expect_add_client()
            .times(1)
            .returning(move |client, key, at| {
                *seen.lock().unwrap() = Some((client.clone(), key.clone(), at));
                Ok(())
            });
    }
    let issued = admin(registry)
        .add(
            " portal ",
            " JFC, jtc ",
            Some(" Write "),
            Some("600/min"),
            Some(expires),
            now,
        )
        .await
        .expect("valid inputs");
    let (client, key, at) = seen.lock().unwrap().take().expect("the registry was asked");
    assert_eq!(
        client,
        ClientProfile {
            name: ClientName::parse("portal").expect("a valid name"),
            permissions: Permissions::WRITE,
            companies: CompanyScope::parse("jfc,jtc").expect("a valid scope"),
            rate_limit: Some(RateLimit::parse("600/min").expect("a valid rate")),
        }
    );
    assert_eq!(at, now);
    assert_eq!(key, issued.stored);
    assert_eq!(&key.id, issued.key.id());
    assert!(key_matches(&issued.key, &key.hash));
    assert_eq!(key.hash, hash_key(&issued.key));
    assert_eq!(key.created_at, now);
    assert_eq!(key.expires_at, Some(expires));
}

#[tokio::test]
async fn add_permits_reading_only_unless_told_otherwise() {
    let mut registry = MockClientAdministration::new();
    registry
        .expect_add_client()
        .withf(|client, _, _| client.permissions == Permissions::READ)
        .times(1)
        .returning(|_, _, _| Ok(()));
    admin(registry)
        .add("portal", "jtc", None, None, None, Utc::now())
        .await
        .expect("valid inputs");
}

#[tokio::test]
async fn add_passes_on_the_registry_refusal() {
    let mut registry = MockClientAdministration::new();
    registry
        .expect_add_client()
        .returning(|client, _, _| Err(RegistryError::NameTaken(client.name.clone())));
    let outcome = admin(registry)
        .add("portal", "all", None, None, None, Utc::now())
        .await;
    assert!(
        matches!(&outcome, Err(AdminError::Registry(RegistryError::NameTaken(name)))
            if name.as_str() == "portal"),
        "{outcome:?}"
    );
}

/// A registry that revokes through the expectations `expect` sets, in order.
fn revoking(
    expect: impl FnOnce(&mut MockClientAdministration, &mut mockall::Sequence),
) -> ClientAdmin {
    let mut registry = MockClientAdministration::new();
    let mut sequence = mockall::Sequence::new();
    expect(&mut registry, &mut sequence);
    admin(registry)
}

fn key_id(id: &str) -> ApiKeyId {
    ApiKeyId::parse(id).expect("a valid id")
}

fn client(name: &str) -> ClientName {
    ClientName::parse(name).expect("a valid name")
}

#[tokio::test]
async fn revoke_with_a_whole_key_revokes_its_id() {
    let now = Utc::now();
    let admin = revoking(|registry, _| {
        registry
            .expect_revoke()
            .withf(move |target, at| {
                *target == RevokeTarget::Key(key_id("0123456789ab")) && *at == now
            })
            .times(1)
            .returning(|_, _| Ok(vec![key_id("0123456789ab")]));
    });
    let revoked = admin
        .revoke(&format!(" {FOREIGN_KEY} "), now)
        .await
        .expect("revoked");
    assert_eq!(revoked, [key_id("0123456789ab")]);
}

#[tokio::test]
async fn revoke_of_a_key_id_stops_at_the_key_when_it_exists() {
    let admin = revoking(|registry, _| {
        registry
            .expect_revoke()
            .withf(|target, _| *target == RevokeTarget::Key(key_id("0123456789ab")))
            .times(1)
            .returning(|_, _| Ok(vec![key_id("0123456789ab")]));
        registry
            .expect_revoke()
            .withf(|target, _| matches!(target, RevokeTarget::Client(_)))
            .never();
    });
    let revoked = admin
        .revoke("0123456789ab", Utc::now())
        .await
        .expect("revoked");
    assert_eq!(revoked, [key_id("0123456789ab")]);
}

#[tokio::test]
async fn revoke_of_a_key_id_that_no_key_has_tries_the_client_of_that_name() {
    let admin = revoking(|registry, sequence| {
        registry
            .expect_revoke()
            .withf(|target, _| *target == RevokeTarget::Key(key_id("0123456789ab")))
            .times(1)
            .in_sequence(sequence)
            .returning(|_, _| Err(RegistryError::UnknownKey(key_id("0123456789ab"))));
        registry
            .expect_revoke()
            .withf(|target, _| *target == RevokeTarget::Client(client("0123456789ab")))
            .times(1)
            .in_sequence(sequence)
            .returning(|_, _| Ok(vec![key_id("aaaaaaaaaaaa"), key_id("bbbbbbbbbbbb")]));
    });
    let revoked = admin
        .revoke("0123456789ab", Utc::now())
        .await
        .expect("revoked");
    assert_eq!(revoked, [key_id("aaaaaaaaaaaa"), key_id("bbbbbbbbbbbb")]);
}

#[tokio::test]
async fn revoke_of_a_key_id_reports_a_store_failure_without_trying_a_client() {
    let admin = revoking(|registry, _| {
        registry
            .expect_revoke()
            .withf(|target, _| matches!(target, RevokeTarget::Key(_)))
            .times(1)
            .returning(|_, _| Err(RepositoryError::new(FailureKind::TimedOut, "timeout").into()));
        registry
            .expect_revoke()
            .withf(|target, _| matches!(target, RevokeTarget::Client(_)))
            .never();
    });
    let outcome = admin.revoke("0123456789ab", Utc::now()).await;
    assert!(
        matches!(outcome, Err(AdminError::Registry(RegistryError::Store(_)))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn revoke_of_a_name_revokes_the_client() {
    let admin = revoking(|registry, _| {
        registry
            .expect_revoke()
            .withf(|target, _| *target == RevokeTarget::Client(client("call-centre")))
            .times(1)
            .returning(|_, _| Ok(vec![key_id("aaaaaaaaaaaa")]));
    });
    let revoked = admin
        .revoke("call-centre", Utc::now())
        .await
        .expect("revoked");
    assert_eq!(revoked, [key_id("aaaaaaaaaaaa")]);
}

#[tokio::test]
async fn revoke_of_neither_a_key_nor_a_name_is_invalid() {
    let outcome = admin(unchanged_registry())
        .revoke("call centre", Utc::now())
        .await;
    assert!(
        matches!(&outcome, Err(AdminError::Invalid(invalid))
            if invalid.len() == 1 && invalid[0].0 == "client"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn rotate_retires_the_other_keys_after_the_grace_period() {
    let now = Utc::now();
    let grace = Duration::from_secs(3600);
    let seen: Seen<Option<(ClientName, NewApiKey, DateTime<Utc>)>> = Arc::default();
    let mut registry = MockClientAdministration::new();
    {
        let seen = Arc::clone(&seen);
        registry
            .expect_add_key()
            .times(1)
            .returning(move |name, key, retire_at| {
                *seen.lock().unwrap() = Some((name.clone(), key.clone(), retire_at));
                Ok(())
            });
    }
    let issued = admin(registry)
        .rotate("portal", grace, None, now)
        .await
        .expect("rotated");
    let (name, key, retire_at) = seen.lock().unwrap().take().expect("the registry was asked");
    assert_eq!(name, client("portal"));
    assert_eq!(retire_at, now + TimeDelta::hours(1));
    assert_eq!(key, issued.stored);
    assert!(key_matches(&issued.key, &key.hash));
    assert_eq!(key.expires_at, None);
}

#[tokio::test]
async fn rotate_gives_the_new_key_the_expiry_asked_for() {
    let now = Utc::now();
    let expires = now + TimeDelta::days(30);
    let mut registry = MockClientAdministration::new();
    registry
        .expect_add_key()
        .withf(move |_, key, _| key.expires_at == Some(expires))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let issued = admin(registry)
        .rotate("portal", Duration::ZERO, Some(expires), now)
        .await
        .expect("rotated");
    assert_eq!(issued.stored.expires_at, Some(expires));
}

#[tokio::test]
async fn rotate_refuses_a_past_expiry_and_writes_nothing() {
    let now = Utc::now();
    let mut registry = MockClientAdministration::new();
    registry.expect_add_key().never();
    let outcome = admin(registry)
        .rotate(
            "portal",
            Duration::ZERO,
            Some(now - TimeDelta::hours(1)),
            now,
        )
        .await;
    assert!(
        matches!(outcome, Err(AdminError::ExpiryInPast(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn rotate_without_grace_retires_the_other_keys_now() {
    let now = Utc::now();
    let mut registry = MockClientAdministration::new();
    registry
        .expect_add_key()
        .withf(move |_, _, retire_at| *retire_at == now)
        .times(1)
        .returning(|_, _, _| Ok(()));
    admin(registry)
        .rotate("portal", Duration::ZERO, None, now)
        .await
        .expect("rotated");
}

#[tokio::test]
async fn rotate_of_an_unknown_client_is_the_registry_refusal() {
    let mut registry = MockClientAdministration::new();
    registry
        .expect_add_key()
        .returning(|name, _, _| Err(RegistryError::UnknownClient(name.clone())));
    let outcome = admin(registry)
        .rotate("nobody", Duration::ZERO, None, Utc::now())
        .await;
    assert!(
        matches!(
            outcome,
            Err(AdminError::Registry(RegistryError::UnknownClient(_)))
        ),
        "{outcome:?}"
    );
}

// --- What a client may do ---

#[tokio::test]
async fn permit_reports_every_invalid_input_at_once_and_changes_nothing() {
    let outcome = admin(unchanged_registry())
        .permit("call centre", "read, delete,")
        .await;
    let Err(AdminError::Invalid(invalid)) = outcome else {
        panic!("expected every invalid input, got {outcome:?}");
    };
    let inputs: Vec<&str> = invalid.iter().map(|(what, _)| *what).collect();
    assert_eq!(inputs, ["name", "permissions"]);
    assert_eq!(
        invalid[1].1.violations(),
        [AccessViolation::UnknownPermission("delete".into())]
    );
    for empty in ["", " , "] {
        let outcome = admin(unchanged_registry()).permit("portal", empty).await;
        assert!(
            matches!(&outcome, Err(AdminError::Invalid(invalid))
                if invalid.len() == 1
                    && invalid[0].1.violations() == [AccessViolation::Empty]),
            "{empty:?}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn permit_gives_the_client_exactly_the_permissions_read_and_says_what_it_had() {
    let mut registry = MockClientAdministration::new();
    registry
        .expect_set_permissions()
        .withf(|name, permissions| {
            name.as_str() == "portal" && *permissions == Permissions::READ_WRITE
        })
        .times(1)
        .returning(|_, _| Ok(Permissions::READ));
    let change = admin(registry)
        .permit(" portal ", " Write,READ ")
        .await
        .expect("valid inputs");
    assert_eq!(
        change,
        PermissionChange {
            client: client("portal"),
            before: Permissions::READ,
            after: Permissions::READ_WRITE,
        }
    );
}

#[tokio::test]
async fn permit_of_an_unknown_client_is_the_registry_refusal() {
    let mut registry = MockClientAdministration::new();
    registry
        .expect_set_permissions()
        .returning(|name, _| Err(RegistryError::UnknownClient(name.clone())));
    let outcome = admin(registry).permit("nobody", "write").await;
    assert!(
        matches!(&outcome, Err(AdminError::Registry(RegistryError::UnknownClient(name)))
            if name.as_str() == "nobody"),
        "{outcome:?}"
    );
}
