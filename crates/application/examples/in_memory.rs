//! An internal crate reusing the core without the web or a database: it implements the
//! three ports over a list in memory and calls the typed use case with validated values.
//!
//! ```sh
//! cargo run -p customer-application --example in_memory
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use customer_application::{CustomerSearch, Param, SearchError};
use customer_domain::{
    Coded, CompanyCode, CompanyDirectory, CompanyId, Customer, CustomerHistory, CustomerId,
    CustomerRepository, Language, LocalizedName, MobileNumber, RepositoryError, SearchCriteria,
};

/// Customers and companies held in memory: what a batch job or a test double would use.
struct InMemory {
    companies: Vec<(CompanyCode, CompanyId)>,
    customers: Vec<Customer>,
}

#[async_trait]
impl CompanyDirectory for InMemory {
    async fn resolve(&self, code: &CompanyCode) -> Result<Option<CompanyId>, RepositoryError> {
        Ok(self
            .companies
            .iter()
            .find(|(known, _)| known == code)
            .map(|(_, id)| *id))
    }
}

#[async_trait]
impl CustomerRepository for InMemory {
    async fn find_current(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
    ) -> Result<Vec<Customer>, RepositoryError> {
        let matches = |customer: &&Customer| {
            customer.company_id == company
                && customer.end_date.is_none()
                && criteria.customer_id().is_none_or(|id| id == customer.customer_id)
                && criteria.mobile_number().is_none_or(|mobile| {
                    customer.mobile_number.as_deref() == Some(mobile.as_str())
                })
                && criteria.identification_no().is_none_or(|number| {
                    customer.identification_no.as_deref() == Some(number.as_str())
                })
                // References are not kept in this store: a reference matches no one.
                && criteria.reference_no().is_none()
        };
        Ok(self.customers.iter().filter(matches).cloned().collect())
    }
}

#[async_trait]
impl CustomerHistory for InMemory {
    async fn find_as_of(
        &self,
        company: CompanyId,
        criteria: &SearchCriteria,
        at: DateTime<Utc>,
    ) -> Result<Vec<Customer>, RepositoryError> {
        // Only current versions are kept here, with their start in UTC: one valid at
        // `at` is one begun by then.
        let current = self.find_current(company, criteria).await?;
        Ok(current
            .into_iter()
            .filter(|customer| customer.start_date <= at.naive_utc())
            .collect())
    }

    async fn versions(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<Customer>, RepositoryError> {
        Ok(self
            .customers
            .iter()
            .filter(|c| c.company_id == company && c.customer_id == customer)
            .cloned()
            .collect())
    }
}

fn customer(id: i64, company: CompanyId, name: &str, mobile: &str) -> Customer {
    let since = NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|day| day.and_hms_opt(9, 0, 0))
        .expect("a valid date");
    let saudi = Coded {
        id: 1,
        name: LocalizedName {
            ar: "سعودي".into(),
            en: "Saudi".into(),
        },
    };
    Customer {
        first_name: Some(name.to_owned()),
        nationality: Some(saudi),
        mobile_number: Some(mobile.to_owned()),
        created_date: Some(since),
        is_active: Some(true),
        ..Customer::identified(
            id * 10,
            CustomerId::new(id).expect("a positive id"),
            1,
            company,
            since,
        )
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let jtc = CompanyId::new(1);
    let jfc = CompanyId::new(2);
    let store = Arc::new(InMemory {
        companies: vec![
            (CompanyCode::parse("jtc").expect("well formed"), jtc),
            (CompanyCode::parse("jfc").expect("well formed"), jfc),
        ],
        customers: vec![
            customer(1, jtc, "Noura", "512345678"),
            customer(2, jtc, "Fahad", "512345678"),
            customer(3, jfc, "Sara", "512345678"),
        ],
    });
    let search = CustomerSearch::new(store.clone(), store.clone(), store);

    // Values are validated where they enter this program, with the domain's own rules:
    // a family's shared mobile number, written as a person would.
    let mobile = match MobileNumber::parse("51 234-5678") {
        Ok(mobile) => mobile,
        Err(error) => {
            eprintln!("mobile number: {error}");
            return ExitCode::FAILURE;
        }
    };
    let criteria = SearchCriteria::new(None, None, Some(mobile), None).expect("one identifier");
    let company = CompanyCode::parse("JTC").expect("well formed");

    match search.find(&company, &criteria, Language::Arabic).await {
        Ok(outcome) => {
            println!(
                "{} customer(s) of jtc share that mobile number:",
                outcome.customers.len()
            );
            for found in &outcome.customers {
                let nationality = found
                    .nationality
                    .as_ref()
                    .map_or("-", |coded| coded.name.get(outcome.language));
                println!(
                    "  {} {} ({nationality})",
                    found.customer_id,
                    found.first_name.as_deref().unwrap_or("-")
                );
            }
        }
        Err(error) => {
            eprintln!("lookup failed: {error}");
            return ExitCode::FAILURE;
        }
    }

    // An unknown company is a problem on `companyCode`, as the HTTP edge reports it.
    let unknown = CompanyCode::parse("xyz").expect("well formed");
    match search.find(&unknown, &criteria, Language::English).await {
        Err(SearchError::Invalid(errors)) => {
            for problem in errors.get(Param::CompanyCode) {
                println!(
                    "xyz: {}",
                    problem.message(Param::CompanyCode).text(Language::English)
                );
            }
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("expected an unknown company, got {other:?}");
            ExitCode::FAILURE
        }
    }
}
