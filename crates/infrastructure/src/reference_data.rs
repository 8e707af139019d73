//! Reference data (coded values and companies), kept in memory.
//!
//! It changes rarely and every lookup needs it: reading it from memory saves a join per
//! coded field on every request. It is reloaded when older than its time to live, and at
//! once when a row names a value the cache does not know yet.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use customer_domain::{Coded, CompanyId, LocalizedName};
use diesel::prelude::*;
use diesel_async::methods::LoadQuery;
use diesel_async::{AsyncConnectionCore, RunQueryDsl};

use crate::database::{Database, with_connection};
use crate::error::InfraError;
use crate::schema;

/// A category of coded values, one reference table each: the domain's, also the index
/// of its names here.
pub(crate) use customer_domain::CodeCategory as Category;

const CATEGORIES: usize = 14;

/// A row names a coded value that the loaded reference data does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MissingReference {
    pub category: Category,
    pub id: i32,
}

/// One consistent load of all reference data.
#[derive(Debug)]
pub(crate) struct ReferenceData {
    names: [HashMap<i32, LocalizedName>; CATEGORIES],
    companies: HashMap<String, CompanyId>,
    loaded_at: Instant,
}

impl ReferenceData {
    pub(crate) fn coded(
        &self,
        category: Category,
        id: Option<i32>,
    ) -> Result<Option<Coded>, MissingReference> {
        let Some(id) = id else { return Ok(None) };
        self.names[category as usize]
            .get(&id)
            .map(|name| {
                Some(Coded {
                    id,
                    name: name.clone(),
                })
            })
            .ok_or(MissingReference { category, id })
    }

    pub(crate) fn company(&self, code: &str) -> Option<CompanyId> {
        self.companies.get(code).copied()
    }

    /// The ids of `category`'s values.
    pub(crate) fn ids(&self, category: Category) -> impl Iterator<Item = i32> + '_ {
        self.names[category as usize].keys().copied()
    }

    /// Every company: its code and id.
    pub(crate) fn companies(&self) -> impl Iterator<Item = (&str, CompanyId)> {
        self.companies.iter().map(|(code, id)| (code.as_str(), *id))
    }

    async fn load(db: &Database) -> Result<Self, InfraError> {
        use schema::{
            cities, company_types, contact_types, countries, customer_types, genders,
            identification_types, income_ranges, industry_types, languages, nationalities,
            phone_codes, regions, relation_types,
        };
        with_connection!(db, |conn| {
            let mut names: [HashMap<i32, LocalizedName>; CATEGORIES] = Default::default();
            names[Category::Nationality as usize] = names_in(conn, nationalities::table).await?;
            names[Category::Gender as usize] = names_in(conn, genders::table).await?;
            names[Category::CustomerType as usize] = names_in(conn, customer_types::table).await?;
            names[Category::CompanyType as usize] = names_in(conn, company_types::table).await?;
            names[Category::IndustryType as usize] = names_in(conn, industry_types::table).await?;
            names[Category::ContactType as usize] = names_in(conn, contact_types::table).await?;
            names[Category::PhoneCode as usize] = names_in(conn, phone_codes::table).await?;
            names[Category::IdentificationType as usize] =
                names_in(conn, identification_types::table).await?;
            names[Category::Country as usize] = names_in(conn, countries::table).await?;
            // Regions and cities also name the country or region they are in.
            let regions = regions::table.select((regions::id, regions::name_ar, regions::name_en));
            names[Category::Region as usize] = names_in(conn, regions).await?;
            let cities = cities::table.select((cities::id, cities::name_ar, cities::name_en));
            names[Category::City as usize] = names_in(conn, cities).await?;
            names[Category::IncomeRange as usize] = names_in(conn, income_ranges::table).await?;
            names[Category::Language as usize] = names_in(conn, languages::table).await?;
            names[Category::RelationType as usize] = names_in(conn, relation_types::table).await?;
            let companies: Vec<(String, i32)> = schema::companies::table
                .select((schema::companies::code, schema::companies::company_id))
                .load(conn)
                .await?;
            Ok(Self {
                names,
                companies: companies
                    .into_iter()
                    .map(|(code, id)| (code, CompanyId::new(id)))
                    .collect(),
                loaded_at: Instant::now(),
            })
        })
    }
}

/// The names of the coded values that `query` reads as `(id, name_ar, name_en)`: a
/// reference table with no other columns, or a select of them.
async fn names_in<C, Q>(conn: &mut C, query: Q) -> QueryResult<HashMap<i32, LocalizedName>>
where
    C: AsyncConnectionCore,
    Q: LoadQuery<'static, C, (i32, String, String)> + 'static,
{
    let rows: Vec<(i32, String, String)> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, ar, en)| {
            (
                id,
                LocalizedName {
                    ar: ar.into(),
                    en: en.into(),
                },
            )
        })
        .collect())
}

/// The current [`ReferenceData`], reloaded on demand.
#[derive(Debug)]
pub(crate) struct ReferenceCache {
    time_to_live: Duration,
    current: RwLock<Option<Arc<ReferenceData>>>,
    // One reload at a time: concurrent requests wait for it instead of repeating it.
    reloading: tokio::sync::Mutex<()>,
}

/// How old a snapshot must be before an unknown company code may reload it: bounds the
/// reloads that requests with made-up codes can cause.
pub(crate) const MISS_RELOAD_INTERVAL: Duration = Duration::from_secs(1);

impl ReferenceCache {
    pub(crate) fn new(time_to_live: Duration) -> Self {
        Self {
            time_to_live,
            current: RwLock::new(None),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// Reference data no older than the time to live.
    pub(crate) async fn get(&self, db: &Database) -> Result<Arc<ReferenceData>, InfraError> {
        self.younger_than(db, self.time_to_live).await
    }

    /// Reference data no older than `max_age`, reloaded if needed.
    pub(crate) async fn younger_than(
        &self,
        db: &Database,
        max_age: Duration,
    ) -> Result<Arc<ReferenceData>, InfraError> {
        if let Some(data) = self.fresh(max_age) {
            return Ok(data);
        }
        let _reloading = self.reloading.lock().await;
        if let Some(data) = self.fresh(max_age) {
            return Ok(data);
        }
        let data = self.reload(db).await?;
        tracing::debug!("reference data reloaded");
        Ok(data)
    }

    /// Reference data newer than `seen`: reloaded unless another request already did.
    /// For misses that the foreign keys prove are real (a row names a value the cache
    /// lacks), so it is not rate-limited.
    pub(crate) async fn newer_than(
        &self,
        db: &Database,
        seen: &Arc<ReferenceData>,
    ) -> Result<Arc<ReferenceData>, InfraError> {
        let _reloading = self.reloading.lock().await;
        if let Some(current) = self.current().filter(|current| !Arc::ptr_eq(current, seen)) {
            return Ok(current);
        }
        let data = self.reload(db).await?;
        tracing::debug!("reference data reloaded after a miss");
        Ok(data)
    }

    /// Loads the reference data and makes it current; the caller holds `reloading`.
    async fn reload(&self, db: &Database) -> Result<Arc<ReferenceData>, InfraError> {
        let data = Arc::new(ReferenceData::load(db).await?);
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&data));
        Ok(data)
    }

    fn current(&self) -> Option<Arc<ReferenceData>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn fresh(&self, max_age: Duration) -> Option<Arc<ReferenceData>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .filter(|data| data.loaded_at.elapsed() < max_age)
            .cloned()
    }
}
