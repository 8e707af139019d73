//! The adapter of the client registry: callers and their API keys, from either backend.

use std::collections::HashMap;
use std::fmt::Display;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use customer_domain::{
    ApiKeyHash, ApiKeyId, ClientAdministration, ClientListing, ClientName, ClientProfile,
    CompanyCode, CompanyScope, KeyLookup, KeySummary, NewApiKey, Permissions, RateLimit,
    RegistryError, RepositoryError, RevokeTarget, StoredApiKey,
};
use diesel::dsl::{exists, select};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;

use crate::database::{Database, with_connection, write_transaction};
use crate::error::InfraError;
use crate::schema::{api_keys, clients, companies};
use crate::timestamps::{from_stored, to_stored};

/// A change to the registry: done, refused for a reason the port names, or failed.
type Outcome<T> = Result<Result<T, RegistryError>, InfraError>;

/// Callers and their API keys stored in a [`Database`]: only hashes of the keys.
pub struct SqlClientRegistry {
    db: Database,
}

impl std::fmt::Debug for SqlClientRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlClientRegistry")
            .field("db", &self.db)
            .finish()
    }
}

/// A client as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = clients)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct ClientRow {
    client_id: i32,
    name: String,
    companies: String,
    rate_limit: Option<String>,
    created_at: NaiveDateTime,
    /// `read`, `write` or `read,write`: [`Permissions`] as written.
    permissions: String,
}

/// A key as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct KeyRow {
    key_id: String,
    client_id: i32,
    key_hash: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = clients)]
#[diesel(treat_none_as_default_value = false)]
struct NewClientRow<'a> {
    name: &'a str,
    companies: String,
    rate_limit: Option<String>,
    created_at: NaiveDateTime,
    permissions: String,
}

#[derive(Insertable)]
#[diesel(table_name = api_keys)]
#[diesel(treat_none_as_default_value = false)]
struct NewKeyRow<'a> {
    key_id: &'a str,
    client_id: i32,
    key_hash: String,
    created_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
}

impl<'a> NewKeyRow<'a> {
    fn new(client_id: i32, key: &'a NewApiKey) -> Self {
        Self {
            key_id: key.id.as_str(),
            client_id,
            key_hash: key.hash.to_hex(),
            created_at: to_stored(key.created_at),
            expires_at: key.expires_at.map(to_stored),
        }
    }
}

/// Reads a stored text with the domain's parser; a value it refuses is inconsistent data.
pub(crate) fn parse_stored<T, E: Display>(
    column: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, InfraError> {
    parse(value).map_err(|error| {
        InfraError::Inconsistent(format!(
            "{column} holds {value:?}, which is not valid: {error}"
        ))
    })
}

impl ClientRow {
    fn profile(&self) -> Result<ClientProfile, InfraError> {
        Ok(ClientProfile {
            name: parse_stored("clients.name", &self.name, ClientName::parse)?,
            permissions: parse_stored(
                "clients.permissions",
                &self.permissions,
                Permissions::parse,
            )?,
            companies: parse_stored("clients.companies", &self.companies, CompanyScope::parse)?,
            rate_limit: self
                .rate_limit
                .as_deref()
                .map(|rate| parse_stored("clients.rate_limit", rate, RateLimit::parse))
                .transpose()?,
        })
    }
}

impl KeyRow {
    fn id(&self) -> Result<ApiKeyId, InfraError> {
        parse_stored("api_keys.key_id", &self.key_id, ApiKeyId::parse)
    }

    fn into_stored(self, client: ClientProfile) -> Result<StoredApiKey, InfraError> {
        Ok(StoredApiKey {
            id: self.id()?,
            hash: parse_stored("api_keys.key_hash", &self.key_hash, |hex| {
                ApiKeyHash::from_hex(hex).ok_or("not 64 hexadecimal digits")
            })?,
            client,
            expires_at: self.expires_at.map(from_stored),
            revoked_at: self.revoked_at.map(from_stored),
        })
    }

    fn summary(&self) -> Result<KeySummary, InfraError> {
        Ok(KeySummary {
            id: self.id()?,
            created_at: from_stored(self.created_at),
            last_used_at: self.last_used_at.map(from_stored),
            expires_at: self.expires_at.map(from_stored),
            revoked_at: self.revoked_at.map(from_stored),
        })
    }
}

/// Whether `error` is the unique constraint on client names refusing a second one: a
/// client added between the check and the insert.
fn is_name_taken(error: &InfraError) -> bool {
    matches!(
        error,
        InfraError::Query {
            source: DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info),
            ..
        }
            // PostgreSQL names the constraint, SQLite the column.
            if info.message().contains("clients_name_key")
                || info.message().contains("clients.name")
    )
}

/// The outcome of a change as the port reports it.
fn settle<T>(outcome: Outcome<T>) -> Result<T, RegistryError> {
    outcome.unwrap_or_else(|error| Err(RegistryError::Store(error.into())))
}

impl SqlClientRegistry {
    /// An adapter over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Runs the statement that looks a key up (API keys joined to their clients) for a key
    /// id that no key has: the tables and privileges an authentication reads are checked
    /// by the statement itself. For readiness probes.
    ///
    /// # Errors
    /// [`InfraError`] when the statement fails.
    pub async fn probe(&self) -> Result<(), InfraError> {
        // Key ids are random: this one is never made in practice, and were it made,
        // reading it would do no harm.
        let none = ApiKeyId::parse("000000000000")
            .map_err(|_| InfraError::Inconsistent("the probe's key id is malformed".into()))?;
        self.load_key(&none).await.map(|_| ())
    }

    async fn load_key(&self, id: &ApiKeyId) -> Result<Option<StoredApiKey>, InfraError> {
        let found: Option<(KeyRow, ClientRow)> = with_connection!(&self.db, |conn| {
            api_keys::table
                .inner_join(clients::table)
                .filter(api_keys::key_id.eq(id.as_str()))
                .select((KeyRow::as_select(), ClientRow::as_select()))
                .first(conn)
                .await
                .optional()?
        });
        found
            .map(|(key, client)| key.into_stored(client.profile()?))
            .transpose()
    }

    async fn mark_used(&self, id: &ApiKeyId, at: DateTime<Utc>) -> Result<(), InfraError> {
        let at = to_stored(at);
        with_connection!(&self.db, |conn| {
            // Never moves back: concurrent requests may report their uses out of order.
            diesel::update(
                api_keys::table
                    .filter(api_keys::key_id.eq(id.as_str()))
                    .filter(
                        api_keys::last_used_at
                            .is_null()
                            .or(api_keys::last_used_at.lt(at)),
                    ),
            )
            .set(api_keys::last_used_at.eq(at))
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    async fn insert_client(
        &self,
        client: &ClientProfile,
        key: &NewApiKey,
        at: DateTime<Utc>,
    ) -> Outcome<()> {
        write_transaction!(&self.db, |conn| {
            if let CompanyScope::Only(codes) = &client.companies {
                let wanted: Vec<&str> = codes.iter().map(CompanyCode::as_str).collect();
                let known: Vec<String> = companies::table
                    .filter(companies::code.eq_any(wanted))
                    .select(companies::code)
                    .load(conn)
                    .await?;
                let unknown: Vec<CompanyCode> = codes
                    .iter()
                    .filter(|code| !known.iter().any(|k| k == code.as_str()))
                    .cloned()
                    .collect();
                if !unknown.is_empty() {
                    return Ok(Err(RegistryError::UnknownCompanies(unknown)));
                }
            }
            let taken: bool = select(exists(
                clients::table.filter(clients::name.eq(client.name.as_str())),
            ))
            .get_result(conn)
            .await?;
            if taken {
                return Ok(Err(RegistryError::NameTaken(client.name.clone())));
            }
            let client_id: i32 = diesel::insert_into(clients::table)
                .values(NewClientRow {
                    name: client.name.as_str(),
                    companies: client.companies.to_string(),
                    rate_limit: client.rate_limit.map(|rate| rate.to_string()),
                    created_at: to_stored(at),
                    permissions: client.permissions.to_string(),
                })
                .returning(clients::client_id)
                .get_result(conn)
                .await?;
            diesel::insert_into(api_keys::table)
                .values(NewKeyRow::new(client_id, key))
                .execute(conn)
                .await?;
            Ok::<_, InfraError>(Ok(()))
        })
    }

    async fn insert_key(
        &self,
        client: &ClientName,
        key: &NewApiKey,
        retire_others_at: DateTime<Utc>,
    ) -> Outcome<()> {
        let retire_at = to_stored(retire_others_at);
        write_transaction!(&self.db, |conn| {
            let client_id: Option<i32> = clients::table
                .filter(clients::name.eq(client.as_str()))
                .select(clients::client_id)
                .first(conn)
                .await
                .optional()?;
            let Some(client_id) = client_id else {
                return Ok(Err(RegistryError::UnknownClient(client.clone())));
            };
            // least(expires_at, retire_at), a missing expiry counting as never: a key due
            // to expire before the grace period ends keeps its own expiry.
            diesel::update(
                api_keys::table
                    .filter(api_keys::client_id.eq(client_id))
                    .filter(api_keys::revoked_at.is_null())
                    .filter(
                        api_keys::expires_at
                            .is_null()
                            .or(api_keys::expires_at.gt(retire_at)),
                    ),
            )
            .set(api_keys::expires_at.eq(retire_at))
            .execute(conn)
            .await?;
            diesel::insert_into(api_keys::table)
                .values(NewKeyRow::new(client_id, key))
                .execute(conn)
                .await?;
            Ok::<_, InfraError>(Ok(()))
        })
    }

    async fn update_permissions(
        &self,
        client: &ClientName,
        permissions: Permissions,
    ) -> Outcome<Permissions> {
        let stored = permissions.to_string();
        write_transaction!(&self.db, |conn| {
            let before: Option<String> = clients::table
                .filter(clients::name.eq(client.as_str()))
                .select(clients::permissions)
                .first(conn)
                .await
                .optional()?;
            let Some(before) = before else {
                return Ok(Err(RegistryError::UnknownClient(client.clone())));
            };
            diesel::update(clients::table.filter(clients::name.eq(client.as_str())))
                .set(clients::permissions.eq(&stored))
                .execute(conn)
                .await?;
            let before = parse_stored("clients.permissions", &before, Permissions::parse)?;
            Ok::<_, InfraError>(Ok(before))
        })
    }

    async fn revoke_keys(
        &self,
        target: &RevokeTarget,
        at: DateTime<Utc>,
    ) -> Outcome<Vec<ApiKeyId>> {
        let at = to_stored(at);
        write_transaction!(&self.db, |conn| {
            let revoked: Vec<String> = match target {
                RevokeTarget::Client(name) => {
                    let client_id: Option<i32> = clients::table
                        .filter(clients::name.eq(name.as_str()))
                        .select(clients::client_id)
                        .first(conn)
                        .await
                        .optional()?;
                    let Some(client_id) = client_id else {
                        return Ok(Err(RegistryError::UnknownClient(name.clone())));
                    };
                    diesel::update(
                        api_keys::table
                            .filter(api_keys::client_id.eq(client_id))
                            .filter(api_keys::revoked_at.is_null()),
                    )
                    .set(api_keys::revoked_at.eq(at))
                    .returning(api_keys::key_id)
                    .get_results(conn)
                    .await?
                }
                RevokeTarget::Key(id) => {
                    let revoked: Vec<String> = diesel::update(
                        api_keys::table
                            .filter(api_keys::key_id.eq(id.as_str()))
                            .filter(api_keys::revoked_at.is_null()),
                    )
                    .set(api_keys::revoked_at.eq(at))
                    .returning(api_keys::key_id)
                    .get_results(conn)
                    .await?;
                    if revoked.is_empty() {
                        let known: bool = select(exists(
                            api_keys::table.filter(api_keys::key_id.eq(id.as_str())),
                        ))
                        .get_result(conn)
                        .await?;
                        if !known {
                            return Ok(Err(RegistryError::UnknownKey(id.clone())));
                        }
                    }
                    revoked
                }
            };
            let mut ids = revoked
                .iter()
                .map(|id| parse_stored("api_keys.key_id", id, ApiKeyId::parse))
                .collect::<Result<Vec<_>, _>>()?;
            ids.sort();
            Ok::<_, InfraError>(Ok(ids))
        })
    }

    async fn load_listings(&self) -> Result<Vec<ClientListing>, InfraError> {
        let (clients, keys): (Vec<ClientRow>, Vec<KeyRow>) = with_connection!(&self.db, |conn| {
            let clients = clients::table
                .select(ClientRow::as_select())
                .load(conn)
                .await?;
            let keys = api_keys::table
                .select(KeyRow::as_select())
                .order((api_keys::created_at, api_keys::key_id))
                .load(conn)
                .await?;
            (clients, keys)
        });
        let mut keys_of: HashMap<i32, Vec<KeySummary>> = HashMap::new();
        for key in &keys {
            keys_of
                .entry(key.client_id)
                .or_default()
                .push(key.summary()?);
        }
        let mut listings = clients
            .iter()
            .map(|client| {
                Ok(ClientListing {
                    profile: client.profile()?,
                    created_at: from_stored(client.created_at),
                    keys: keys_of.remove(&client.client_id).unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, InfraError>>()?;
        // Sorted here rather than by the database, whose collation may not be bytewise
        // (PostgreSQL's usually is not): the same order from both backends.
        listings.sort_by(|a, b| a.profile.name.cmp(&b.profile.name));
        Ok(listings)
    }
}

#[async_trait]
impl KeyLookup for SqlClientRegistry {
    async fn find_key(&self, id: &ApiKeyId) -> Result<Option<StoredApiKey>, RepositoryError> {
        Ok(self.load_key(id).await?)
    }

    async fn touch_key(&self, id: &ApiKeyId, at: DateTime<Utc>) -> Result<(), RepositoryError> {
        Ok(self.mark_used(id, at).await?)
    }
}

#[async_trait]
impl ClientAdministration for SqlClientRegistry {
    async fn add_client(
        &self,
        client: &ClientProfile,
        key: &NewApiKey,
        at: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        match self.insert_client(client, key, at).await {
            Err(error) if is_name_taken(&error) => {
                Err(RegistryError::NameTaken(client.name.clone()))
            }
            outcome => settle(outcome),
        }
    }

    async fn add_key(
        &self,
        client: &ClientName,
        key: &NewApiKey,
        retire_others_at: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        settle(self.insert_key(client, key, retire_others_at).await)
    }

    async fn revoke(
        &self,
        target: &RevokeTarget,
        at: DateTime<Utc>,
    ) -> Result<Vec<ApiKeyId>, RegistryError> {
        settle(self.revoke_keys(target, at).await)
    }

    async fn set_permissions(
        &self,
        client: &ClientName,
        permissions: Permissions,
    ) -> Result<Permissions, RegistryError> {
        settle(self.update_permissions(client, permissions).await)
    }

    async fn list_clients(&self) -> Result<Vec<ClientListing>, RepositoryError> {
        Ok(self.load_listings().await?)
    }
}
