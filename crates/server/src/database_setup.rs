//! What start-up does to the database before serving: the migrations, the demo data and
//! its client, under advisory locks so that instances starting together take turns.

use std::sync::Arc;

use chrono::Utc;
use customer_application::ClientAdmin;
use customer_application::access::AdminError;
use customer_domain::{
    ApiKey, ClientAdministration, CompanyCode, CompanyDirectory, CustomerId, CustomerRepository,
    IdentificationNumber, MobileNumber, ReferenceNumber, RegistryError, SearchCriteria,
};
use customer_infrastructure::{
    Database, DatabaseUrl, SetupLock, SqlClientRegistry, SqlCustomerStore, company_codes,
    run_migrations, seed_demo,
};

use crate::error::StartError;
use crate::settings::{AuthMode, Settings};

/// Whether the start-up message shows the contract's example, which names demo
/// identifiers: where demo data was asked for (`database.seed_demo_when_empty`) and the
/// example lookup (customer 54218 of company `jtc`, with its identification, mobile and
/// reference numbers) really finds the demo customer; a failure to read counts as no.
pub(crate) async fn shows_the_example(
    settings: &Settings,
    url: &DatabaseUrl,
) -> Result<bool, StartError> {
    if !settings.database.seed_demo_when_empty {
        return Ok(false);
    }
    let criteria = SearchCriteria::new(
        CustomerId::new(54218).ok(),
        IdentificationNumber::parse("2103232123").ok(),
        MobileNumber::parse("568617084").ok(),
        ReferenceNumber::parse("333215").ok(),
    );
    let (Ok(company), Ok(criteria)) = (CompanyCode::parse("jtc"), criteria) else {
        return Ok(false);
    };
    // A pool of its own, closed before serving, like `prepare_database`'s.
    let store = SqlCustomerStore::new(
        Database::connect(url, &settings.database.pool(1))?,
        settings.database.reference_ttl,
    );
    Ok(match store.resolve(&company).await {
        Ok(Some(company)) => store
            .find_current(company, &criteria)
            .await
            .is_ok_and(|found| !found.is_empty()),
        _ => false,
    })
}

/// Applies the migrations and loads the demo data with its client, as the settings ask;
/// returns the demo client's key when this start made it.
pub(crate) async fn prepare_database(
    settings: &Settings,
    url: &DatabaseUrl,
) -> Result<Option<ApiKey>, StartError> {
    if !settings.database.migrate_on_start && !settings.database.seed_demo_when_empty {
        // Nothing to write: a database out of reach is left to the probes.
        return prepare_database_alone(settings, url).await;
    }
    // Instances starting together take turns: the first migrates and seeds, the others
    // then find nothing to do.
    let lock = SetupLock::acquire(url).await?;
    let prepared = prepare_database_alone(settings, url).await;
    lock.release().await?;
    prepared
}

/// [`prepare_database`]'s work, done under its lock.
async fn prepare_database_alone(
    settings: &Settings,
    url: &DatabaseUrl,
) -> Result<Option<ApiKey>, StartError> {
    // A pool of its own, closed before serving: the workers' pools are theirs.
    let db = Database::connect(url, &settings.database.pool(1))?;
    if settings.database.migrate_on_start {
        let applied = run_migrations(url).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
    } else {
        check_migrations(settings, url, &db).await?;
    }
    if !settings.database.seed_demo_when_empty {
        return Ok(None);
    }
    // The demo's companies (jtc, jfc) and customers must never land beside an operator's
    // own: only a database without any company gets them, and the demo client.
    let companies = company_codes(&db).await?;
    if !companies.is_empty() {
        tracing::info!(
            "demo data not loaded: the database already holds companies ({}); \
             database.seed_demo_when_empty loads it only into a database without any",
            companies.join(", ")
        );
        return Ok(None);
    }
    let added = seed_demo(&db).await?;
    tracing::info!(
        customers = added,
        "demo data loaded into the database, which held no company"
    );
    if settings.auth.mode == AuthMode::Required {
        demo_client(&db).await
    } else {
        Ok(None)
    }
}

/// With `migrate_on_start` off: a database whose migrations are pending stops start-up
/// when the demo data is to be loaded (which needs the tables), and is logged otherwise
/// (`/health/ready` then says it); a database out of reach is left to the probes, so that
/// the service starts while it is down.
async fn check_migrations(
    settings: &Settings,
    url: &DatabaseUrl,
    db: &Database,
) -> Result<(), StartError> {
    let pending = match db.pending_migrations().await {
        Ok(pending) => pending,
        Err(error) if error.is_unavailable() && error.tls_refusal().is_none() => {
            tracing::warn!(%error, "the migrations could not be checked: the database is out of reach");
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let Some(last) = pending.last() else {
        return Ok(());
    };
    let error = StartError::MigrationsPending {
        database: url.clone(),
        count: pending.len(),
        last: last.clone(),
    };
    if settings.database.seed_demo_when_empty {
        return Err(error);
    }
    tracing::error!("{error}; lookups fail until then");
    Ok(())
}

/// Makes the `demo` client, allowed the demo companies, when the database has no client
/// at all; returns its key, which only this start can show.
async fn demo_client(db: &Database) -> Result<Option<ApiKey>, StartError> {
    let registry = Arc::new(SqlClientRegistry::new(db.clone()));
    let clients = registry
        .list_clients()
        .await
        .map_err(|error| AdminError::Registry(RegistryError::Store(error)))?;
    if !clients.is_empty() {
        return Ok(None);
    }
    match ClientAdmin::new(registry)
        .add("demo", "jtc,jfc", None, None, None, Utc::now())
        .await
    {
        Ok(issued) => {
            tracing::info!(key = %issued.key.id(), "demo client made for companies jtc and jfc");
            Ok(Some(issued.key))
        }
        // Another instance made it first.
        Err(AdminError::Registry(RegistryError::NameTaken(_))) => Ok(None),
        Err(error) => Err(error.into()),
    }
}
