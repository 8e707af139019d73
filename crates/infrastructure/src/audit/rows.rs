//! The trail's rows: as stored, as written (one statement a batch on either backend),
//! and back into records.

use chrono::NaiveDateTime;
use customer_domain::{
    AuditRecord, ClientName, CompanyCode, Criterion, CriterionDigest, CustomerId, Disclosure,
    WriteKind,
};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
use serde_json::{Value, json};

use crate::error::InfraError;
use crate::schema::audit_disclosures;
use crate::timestamps::{from_stored, to_stored};

/// A record as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_disclosures)]
#[diesel(check_for_backend(Pg, diesel::sqlite::Sqlite))]
pub(super) struct DisclosureRow {
    occurred_at: NaiveDateTime,
    request_id: String,
    client_name: String,
    credential: String,
    company_code: String,
    criteria: String,
    customer_id_hmac: Option<String>,
    identification_no_hmac: Option<String>,
    mobile_number_hmac: Option<String>,
    reference_no_hmac: Option<String>,
    disclosed: String,
}

/// A record about to be stored. `None` is NULL, not DEFAULT: SQLite writes a batch of
/// rows in one statement only when no value is DEFAULT.
#[derive(Insertable)]
#[diesel(table_name = audit_disclosures)]
#[diesel(treat_none_as_default_value = false)]
pub(super) struct NewDisclosureRow {
    occurred_at: NaiveDateTime,
    request_id: String,
    client_name: String,
    credential: String,
    company_code: String,
    criteria: String,
    customer_id_hmac: Option<String>,
    identification_no_hmac: Option<String>,
    mobile_number_hmac: Option<String>,
    reference_no_hmac: Option<String>,
    customers_returned: i32,
    disclosed: String,
}

impl NewDisclosureRow {
    /// The row of `record`; owned, so that SQLite's blocking task can take it.
    pub(super) fn new(record: &AuditRecord) -> Result<Self, InfraError> {
        // Each criterion once, in the contract's order: a column holds one digest.
        let criteria: Vec<&str> = Criterion::ALL
            .iter()
            .filter(|criterion| record.digest_of(**criterion).is_some())
            .map(|criterion| criterion.name())
            .collect();
        let disclosed: Vec<Value> = record
            .disclosed
            .iter()
            .map(|shown| {
                let mut item = json!({
                    "customerId": shown.customer_id.get(),
                    "customerVersionId": shown.customer_version_id,
                });
                // Lookups' items stay as they were: two keys.
                if let Some(kind) = shown.write {
                    item["write"] = Value::from(kind.name());
                }
                item
            })
            .collect();
        let digest = |criterion| record.digest_of(criterion).map(str::to_owned);
        Ok(Self {
            occurred_at: to_stored(record.at),
            request_id: record.request_id.clone(),
            client_name: record.client.as_str().to_owned(),
            credential: record.credential.clone(),
            company_code: record.company.as_str().to_owned(),
            criteria: criteria.join(","),
            customer_id_hmac: digest(Criterion::CustomerId),
            identification_no_hmac: digest(Criterion::IdentificationNo),
            mobile_number_hmac: digest(Criterion::MobileNumber),
            reference_no_hmac: digest(Criterion::ReferenceNo),
            customers_returned: i32::try_from(record.disclosed.len()).map_err(|_| {
                InfraError::Inconsistent(format!(
                    "{} customers disclosed by one lookup",
                    record.disclosed.len()
                ))
            })?,
            disclosed: Value::Array(disclosed).to_string(),
        })
    }
}

/// The columns PostgreSQL's INSERT of a batch fills, in the order of its arrays.
const INSERT_UNNEST: &str = "INSERT INTO audit_disclosures (occurred_at, request_id, \
client_name, credential, company_code, criteria, customer_id_hmac, identification_no_hmac, \
mobile_number_hmac, reference_no_hmac, customers_returned, disclosed) SELECT * FROM unnest(";

/// The rows of a batch as columns, and PostgreSQL's INSERT of them: one array per column,
/// unnested into rows. Its text is the same for any number of rows and its query id is
/// static, so diesel keeps it prepared on each connection (a multi-row `VALUES` is a new
/// statement for each batch, parsed and planned each time, which `sql_query` would be
/// too); and it takes 12 bind values however many rows there are.
#[derive(Default)]
pub(super) struct DisclosureColumns {
    occurred_at: Vec<NaiveDateTime>,
    request_id: Vec<String>,
    client_name: Vec<String>,
    credential: Vec<String>,
    company_code: Vec<String>,
    criteria: Vec<String>,
    customer_id_hmac: Vec<Option<String>>,
    identification_no_hmac: Vec<Option<String>>,
    mobile_number_hmac: Vec<Option<String>>,
    reference_no_hmac: Vec<Option<String>>,
    customers_returned: Vec<i32>,
    disclosed: Vec<String>,
}

impl From<Vec<NewDisclosureRow>> for DisclosureColumns {
    fn from(rows: Vec<NewDisclosureRow>) -> Self {
        let mut columns = Self::default();
        for row in rows {
            columns.occurred_at.push(row.occurred_at);
            columns.request_id.push(row.request_id);
            columns.client_name.push(row.client_name);
            columns.credential.push(row.credential);
            columns.company_code.push(row.company_code);
            columns.criteria.push(row.criteria);
            columns.customer_id_hmac.push(row.customer_id_hmac);
            columns
                .identification_no_hmac
                .push(row.identification_no_hmac);
            columns.mobile_number_hmac.push(row.mobile_number_hmac);
            columns.reference_no_hmac.push(row.reference_no_hmac);
            columns.customers_returned.push(row.customers_returned);
            columns.disclosed.push(row.disclosed);
        }
        columns
    }
}

// A static query id: diesel caches the prepared statement under it (the contract test
// `batches_of_any_size_reuse_one_prepared_statement` checks that it does).
impl QueryId for DisclosureColumns {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for DisclosureColumns {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(INSERT_UNNEST);
        out.push_bind_param::<Array<Timestamp>, _>(&self.occurred_at)?;
        for text in [
            &self.request_id,
            &self.client_name,
            &self.credential,
            &self.company_code,
            &self.criteria,
        ] {
            out.push_sql(", ");
            out.push_bind_param::<Array<Text>, _>(text)?;
        }
        for digest in [
            &self.customer_id_hmac,
            &self.identification_no_hmac,
            &self.mobile_number_hmac,
            &self.reference_no_hmac,
        ] {
            out.push_sql(", ");
            out.push_bind_param::<Array<Nullable<Text>>, _>(digest)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.customers_returned)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.disclosed)?;
        out.push_sql(")");
        Ok(())
    }
}

pub(super) fn inconsistent(what: impl std::fmt::Display) -> InfraError {
    InfraError::Inconsistent(format!("audit_disclosures: {what}"))
}

impl DisclosureRow {
    fn digest(&self, criterion: Criterion) -> Option<&String> {
        match criterion {
            Criterion::CustomerId => self.customer_id_hmac.as_ref(),
            Criterion::IdentificationNo => self.identification_no_hmac.as_ref(),
            Criterion::MobileNumber => self.mobile_number_hmac.as_ref(),
            Criterion::ReferenceNo => self.reference_no_hmac.as_ref(),
        }
    }

    pub(super) fn into_record(self) -> Result<AuditRecord, InfraError> {
        let mut criteria = Vec::new();
        for name in self.criteria.split(',').filter(|name| !name.is_empty()) {
            let criterion = Criterion::ALL
                .into_iter()
                .find(|criterion| criterion.name() == name)
                .ok_or_else(|| inconsistent(format!("unknown criterion {name:?}")))?;
            let digest = self
                .digest(criterion)
                .ok_or_else(|| inconsistent(format!("no digest for the criterion {name}")))?;
            criteria.push(CriterionDigest {
                criterion,
                digest: digest.clone(),
            });
        }
        Ok(AuditRecord {
            at: from_stored(self.occurred_at),
            client: ClientName::parse(&self.client_name).map_err(|error| {
                inconsistent(format!("client name {:?}: {error}", self.client_name))
            })?,
            company: CompanyCode::parse(&self.company_code).map_err(|error| {
                inconsistent(format!("company code {:?}: {error}", self.company_code))
            })?,
            disclosed: parse_disclosed(&self.disclosed)?,
            request_id: self.request_id,
            credential: self.credential,
            criteria,
        })
    }
}

/// Reads the `disclosed` column: `[{"customerId":54218,"customerVersionId":3}, ...]`.
fn parse_disclosed(text: &str) -> Result<Vec<Disclosure>, InfraError> {
    let malformed = || inconsistent(format!("disclosed {text:?} is not a list of disclosures"));
    let value: Value = serde_json::from_str(text).map_err(|_| malformed())?;
    let items = value.as_array().ok_or_else(malformed)?;
    items
        .iter()
        .map(|item| {
            let customer_id = item
                .get("customerId")
                .and_then(Value::as_i64)
                .and_then(|id| CustomerId::new(id).ok())
                .ok_or_else(malformed)?;
            let customer_version_id = item
                .get("customerVersionId")
                .and_then(Value::as_i64)
                .and_then(|version| i32::try_from(version).ok())
                .ok_or_else(malformed)?;
            let write = match item.get("write") {
                None => None,
                Some(name) => Some(
                    WriteKind::ALL
                        .into_iter()
                        .find(|kind| Some(kind.name()) == name.as_str())
                        .ok_or_else(malformed)?,
                ),
            };
            Ok(Disclosure {
                customer_id,
                customer_version_id,
                write,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::utc;

    #[test]
    fn disclosures_are_compact_json() {
        let record = AuditRecord {
            at: utc(2026, 11, 29),
            request_id: "r-1".into(),
            client: ClientName::parse("call-centre").expect("a name"),
            credential: "key:0123456789ab".into(),
            company: CompanyCode::parse("jtc").expect("a code"),
            criteria: vec![
                CriterionDigest {
                    criterion: Criterion::MobileNumber,
                    digest: "b".repeat(64),
                },
                CriterionDigest {
                    criterion: Criterion::CustomerId,
                    digest: "a".repeat(64),
                },
            ],
            disclosed: vec![Disclosure {
                customer_id: CustomerId::new(54218).expect("an id"),
                customer_version_id: 3,
                write: None,
            }],
        };
        let row = NewDisclosureRow::new(&record).expect("a row");
        assert_eq!(
            row.disclosed,
            r#"[{"customerId":54218,"customerVersionId":3}]"#
        );
        assert_eq!(row.criteria, "customerId,mobileNumber");
        assert_eq!(row.customers_returned, 1);
        assert_eq!(
            parse_disclosed(&row.disclosed).expect("read back"),
            record.disclosed
        );
        assert_eq!(parse_disclosed("[]").expect("a miss"), []);
        assert!(parse_disclosed(r#"[{"customerId":0,"customerVersionId":1}]"#).is_err());
        assert!(parse_disclosed("{}").is_err());
    }

    /// A batch is one statement on both backends: SQLite writes rows with DEFAULT values
    /// one statement each, which `treat_none_as_default_value = false` rules out.
    #[test]
    fn a_batch_is_one_statement() {
        let record = |client: &str| AuditRecord {
            at: utc(2026, 11, 29),
            request_id: "r".into(),
            client: ClientName::parse(client).expect("a name"),
            credential: "token:s".into(),
            company: CompanyCode::parse("jtc").expect("a code"),
            criteria: Vec::new(),
            disclosed: Vec::new(),
        };
        let rows = [record("a"), record("b"), record("c")]
            .iter()
            .map(NewDisclosureRow::new)
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        let insert = diesel::insert_into(audit_disclosures::table).values(&rows);
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&insert).to_string();
        assert!(sql.starts_with("INSERT INTO"), "{sql}");
        assert_eq!(sql.matches("INSERT").count(), 1, "{sql}");
        assert_eq!(sql.matches("), (").count(), 2, "{sql}");

        // PostgreSQL's: one statement whose text does not depend on the number of rows.
        let postgres = |rows: Vec<NewDisclosureRow>| {
            let columns = DisclosureColumns::from(rows);
            let sql = diesel::debug_query::<Pg, _>(&columns).to_string();
            sql.split(" -- binds: ")
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let three = postgres(rows);
        let one = postgres(vec![NewDisclosureRow::new(&record("d")).expect("a row")]);
        assert_eq!(three, one);
        assert!(three.starts_with(INSERT_UNNEST), "{three}");
        assert_eq!(three.matches("INSERT").count(), 1, "{three}");
        assert!(three.ends_with("$11, $12)"), "{three}");
    }
}
