//! The adapter of the company registry: the companies of the group, from either backend.
//!
//! Company ids are not an identity column (the demo data and the customer rows name
//! fixed ids): a new company takes one more than the largest id, read and inserted in
//! one transaction that no other write of the table overlaps (SQLite's write
//! transactions run one at a time; on PostgreSQL the transaction locks the table against
//! other writers first, readers go on), so concurrent adds never pick the same id.

use async_trait::async_trait;
use customer_domain::{
    Company, CompanyCode, CompanyId, CompanyRegistry, CompanyRegistryError, CompanyRenaming,
    LocalizedName, RepositoryError,
};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;

use crate::clients::parse_stored;
use crate::database::{Backend, Database, with_connection, write_transaction};
use crate::error::InfraError;
use crate::schema::companies;

/// A change to the registry: done, refused for a reason the port names, or failed.
type Outcome<T> = Result<Result<T, CompanyRegistryError>, InfraError>;

/// The companies of the group stored in a [`Database`].
pub struct SqlCompanyRegistry {
    db: Database,
}

impl std::fmt::Debug for SqlCompanyRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlCompanyRegistry")
            .field("db", &self.db)
            .finish()
    }
}

/// A company as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = companies)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct CompanyRow {
    company_id: i32,
    code: String,
    name_ar: String,
    name_en: String,
}

impl CompanyRow {
    fn company(&self) -> Result<Company, InfraError> {
        Ok(Company {
            id: CompanyId::new(self.company_id),
            code: parse_stored("companies.code", &self.code, CompanyCode::parse)?,
            name: LocalizedName {
                ar: self.name_ar.as_str().into(),
                en: self.name_en.as_str().into(),
            },
        })
    }
}

/// Whether `error` is the unique constraint on `companies.code` refusing an insert.
fn code_taken(error: &InfraError) -> bool {
    let InfraError::Query {
        source: DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info),
        ..
    } = error
    else {
        return false;
    };
    // PostgreSQL names the constraint, SQLite the column.
    let message = info.message();
    message.contains("companies_code_key") || message.contains("companies.code")
}

/// The outcome of a change as the port reports it.
fn settle<T>(outcome: Outcome<T>) -> Result<T, CompanyRegistryError> {
    outcome.unwrap_or_else(|error| Err(CompanyRegistryError::Store(error.into())))
}

impl SqlCompanyRegistry {
    /// An adapter over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    async fn insert(&self, code: &CompanyCode, name: &LocalizedName) -> Outcome<Company> {
        let postgres = self.db.backend() == Backend::Postgres;
        write_transaction!(&self.db, |conn| {
            if postgres {
                // Other adds wait here until this one commits, then read its id.
                diesel::sql_query("LOCK TABLE companies IN SHARE ROW EXCLUSIVE MODE")
                    .execute(conn)
                    .await?;
            }
            let taken: Option<i32> = companies::table
                .filter(companies::code.eq(code.as_str()))
                .select(companies::company_id)
                .first(conn)
                .await
                .optional()?;
            if taken.is_some() {
                return Ok(Err(CompanyRegistryError::CodeTaken(code.clone())));
            }
            let largest: Option<i32> = companies::table
                .select(max(companies::company_id))
                .first(conn)
                .await?;
            let id = largest.unwrap_or(0).checked_add(1).ok_or_else(|| {
                InfraError::Inconsistent("companies.company_id has no id left".into())
            })?;
            let row = CompanyRow {
                company_id: id,
                code: code.as_str().to_owned(),
                name_ar: name.ar.to_string(),
                name_en: name.en.to_string(),
            };
            diesel::insert_into(companies::table)
                .values(&row)
                .execute(conn)
                .await?;
            Ok::<_, InfraError>(Ok(row.company()?))
        })
    }

    async fn rename(
        &self,
        code: &CompanyCode,
        renaming: &CompanyRenaming,
    ) -> Outcome<(Company, Company)> {
        write_transaction!(&self.db, |conn| {
            let before: Option<CompanyRow> = companies::table
                .filter(companies::code.eq(code.as_str()))
                .select(CompanyRow::as_select())
                .first(conn)
                .await
                .optional()?;
            let Some(before) = before else {
                return Ok(Err(CompanyRegistryError::UnknownCompany(code.clone())));
            };
            let after = CompanyRow {
                company_id: before.company_id,
                code: before.code.clone(),
                name_ar: renaming
                    .ar
                    .clone()
                    .unwrap_or_else(|| before.name_ar.clone()),
                name_en: renaming
                    .en
                    .clone()
                    .unwrap_or_else(|| before.name_en.clone()),
            };
            diesel::update(companies::table.filter(companies::company_id.eq(after.company_id)))
                .set((
                    companies::name_ar.eq(&after.name_ar),
                    companies::name_en.eq(&after.name_en),
                ))
                .execute(conn)
                .await?;
            Ok::<_, InfraError>(Ok((before.company()?, after.company()?)))
        })
    }

    async fn load_all(&self) -> Result<Vec<Company>, InfraError> {
        let rows: Vec<CompanyRow> = with_connection!(&self.db, |conn| {
            companies::table
                .select(CompanyRow::as_select())
                .load(conn)
                .await?
        });
        let mut companies = rows
            .iter()
            .map(CompanyRow::company)
            .collect::<Result<Vec<_>, _>>()?;
        // Sorted here rather than by the database, whose collation may not be bytewise:
        // the same order from both backends.
        companies.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(companies)
    }
}

#[async_trait]
impl CompanyRegistry for SqlCompanyRegistry {
    async fn add_company(
        &self,
        code: &CompanyCode,
        name: &LocalizedName,
    ) -> Result<Company, CompanyRegistryError> {
        match self.insert(code, name).await {
            // Added outside the service between the check and the insert.
            Err(error) if code_taken(&error) => Err(CompanyRegistryError::CodeTaken(code.clone())),
            outcome => settle(outcome),
        }
    }

    async fn rename_company(
        &self,
        code: &CompanyCode,
        renaming: &CompanyRenaming,
    ) -> Result<(Company, Company), CompanyRegistryError> {
        settle(self.rename(code, renaming).await)
    }

    async fn list_companies(&self) -> Result<Vec<Company>, RepositoryError> {
        Ok(self.load_all().await?)
    }
}
