//! The adapter of [`CustomerExport`]: whole histories of a page of customers, read on the
//! primary (where they are written), with the contacts and references of each version.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use customer_domain::{
    CompanyId, CustomerExport, CustomerId, CustomerTimeline, ReferenceNumber, RepositoryError,
    TimelinePage,
};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::SqlCustomerStore;
use super::history::{Past, contacts_since, removed_contacts};
use crate::database::with_connection;
use crate::error::InfraError;
use crate::records::{ContactHistoryRecord, ContactRecord, VersionRecord};
use crate::schema::{
    customer_references, customer_references_history, customer_versions, customers,
};
use crate::selection::columns;

/// The references of one customer, each with the versions that held it.
type Held = Vec<(String, Range<i32>)>;

impl SqlCustomerStore {
    async fn load_timelines(
        &self,
        company: i32,
        after: i64,
        limit: i64,
        as_of: Option<NaiveDateTime>,
    ) -> Result<TimelinePage, InfraError> {
        let (last, versions, references, current, removed) = with_connection!(&self.db, |conn| {
            let ids: Vec<i64> = customers::table
                .filter(customers::company_id.eq(company))
                .filter(customers::customer_id.gt(after))
                .order(customers::customer_id)
                .limit(limit)
                .select(customers::customer_id)
                .load(conn)
                .await?;
            let mut versions: Vec<VersionRecord> = customer_versions::table
                .filter(customer_versions::company_id.eq(company))
                .filter(customer_versions::customer_id.eq_any(ids.clone()))
                .order((
                    customer_versions::customer_id,
                    customer_versions::customer_version_id,
                ))
                .select(columns::<VersionRecord>())
                .load(conn)
                .await?;
            if let Some(at) = as_of {
                versions.retain(|version| version.start_date <= at);
                for version in &mut versions {
                    if version.end_date.is_some_and(|end| end > at) {
                        version.end_date = None;
                    }
                }
            }
            let mut references: HashMap<i64, Held> = HashMap::new();
            let held: Vec<(i64, String, i32)> = customer_references::table
                .filter(customer_references::company_id.eq(company))
                .filter(customer_references::customer_id.eq_any(ids.clone()))
                .select((
                    customer_references::customer_id,
                    customer_references::reference_no,
                    customer_references::since_version,
                ))
                .load(conn)
                .await?;
            for (customer, reference, since) in held {
                references
                    .entry(customer)
                    .or_default()
                    .push((reference, since..i32::MAX));
            }
            let released: Vec<(i64, String, i32, i32)> = customer_references_history::table
                .filter(customer_references_history::company_id.eq(company))
                .filter(customer_references_history::customer_id.eq_any(ids.clone()))
                .select((
                    customer_references_history::customer_id,
                    customer_references_history::reference_no,
                    customer_references_history::since_version,
                    customer_references_history::until_version,
                ))
                .load(conn)
                .await?;
            for (customer, reference, since, until) in released {
                references
                    .entry(customer)
                    .or_default()
                    .push((reference, since..until));
            }
            let current: Vec<(ContactRecord, i32)> =
                contacts_since(company, ids.clone()).load(conn).await?;
            let removed: Vec<ContactHistoryRecord> =
                removed_contacts(company, ids.clone()).load(conn).await?;
            let last = ids.last().copied();
            Ok::<_, InfraError>((last, versions, references, current, removed))
        })?;
        let numbers: Vec<(i64, i32)> = versions
            .iter()
            .map(|v| (v.customer_id, v.customer_version_id))
            .collect();
        let customers = self
            .customers(Past::assemble(versions, current, removed))
            .await?;
        let mut timelines: Vec<CustomerTimeline> = Vec::new();
        for ((customer, number), version) in numbers.into_iter().zip(customers) {
            let refs: BTreeSet<ReferenceNumber> = references
                .get(&customer)
                .into_iter()
                .flatten()
                .filter(|(_, versions)| versions.contains(&number))
                .filter_map(|(reference, _)| ReferenceNumber::parse(reference).ok())
                .collect();
            match timelines.last_mut() {
                Some(timeline) if timeline.customer_id.get() == customer => {
                    timeline.versions.push((version, refs));
                }
                _ => timelines.push(CustomerTimeline {
                    customer_id: version.customer_id,
                    versions: vec![(version, refs)],
                }),
            }
        }
        Ok(TimelinePage {
            timelines,
            last: last.and_then(|id| CustomerId::new(id).ok()),
        })
    }
}

#[async_trait]
impl CustomerExport for SqlCustomerStore {
    async fn timelines(
        &self,
        company: CompanyId,
        after: Option<CustomerId>,
        limit: usize,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<TimelinePage, RepositoryError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = after.map_or(0, CustomerId::get);
        let as_of = as_of.map(|at| self.local_time(at));
        Ok(self
            .load_timelines(company.get(), after, limit, as_of)
            .await?)
    }
}
