//! The generator: customers one after the other, each with its versions, contacts and
//! references, from one `ChaCha8` stream.

mod companies;
mod contacts;
mod dice;
mod numbers;
mod people;
mod versions;

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use customer_infrastructure::InfraError;

use self::dice::Dice;
pub(crate) use self::numbers::number_key;
use crate::rows::{Batch, NewCustomer};
use crate::tables::codes::{COMPANY, INDIVIDUAL};
use crate::tables::companies::{TENANT_WEIGHTS, TENANTS};
use crate::tables::places::CITY_DETAILS;
use crate::tables::{District, Name, Nationality};

/// The next id of each table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NextIds {
    pub(crate) customer: i64,
    pub(crate) version: i64,
    pub(crate) contact: i64,
    pub(crate) reference: i64,
}

/// The latest moment of the data set.
fn as_of() -> NaiveDateTime {
    date(2026, 6, 30).and_hms_opt(18, 0, 0).unwrap_or_default()
}

/// The first day customers are created.
fn first_day() -> NaiveDateTime {
    date(2012, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// A date of the calendar (the dates here are all valid).
fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// A saved identity, for customers who are the same person in another company or a
/// relative sharing a household.
#[derive(Debug, Clone)]
struct Person {
    nationality: &'static Nationality,
    female: bool,
    first: Name,
    middle: Option<Name>,
    last: Name,
    date_of_birth: NaiveDateTime,
    identification_type: i32,
    identification_no: String,
    mobile: String,
    address: Address,
}

/// Where a person lives or a company is.
#[derive(Debug, Clone)]
struct Address {
    city: i32,
    region: i32,
    street: Name,
    district: District,
    postal_code: String,
    building_no: String,
    unit_no: String,
    short_code: Option<String>,
}

/// Generates customers one after the other; everything it draws comes from one `ChaCha8`
/// stream, so the same seed and starting ids give the same rows.
pub(crate) struct Generator {
    dice: Dice,
    next: NextIds,
    /// (company id, identification number) of every current version, stored or generated.
    used: HashSet<(i32, u64)>,
    /// (city id, region id, weight).
    cities: Vec<(i32, i32, u32)>,
    /// The last individual of each company of `TENANTS`.
    last_person: Vec<Option<Person>>,
}

impl Generator {
    /// A generator from `seed`, giving ids from `next` on, customers in `cities` (id,
    /// region id), and no identification number of `used` (company id, number).
    pub(crate) fn new(
        seed: u64,
        next: NextIds,
        cities: &[(i32, i32)],
        used: HashSet<(i32, u64)>,
    ) -> Self {
        // The stream depends on the seed and on where the ids start, so that a second run
        // on top of the first does not repeat its people.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&next.customer.to_le_bytes());
        key[16..24].copy_from_slice(&next.version.to_le_bytes());
        key[24..].copy_from_slice(b"synthetc");
        let cities = cities
            .iter()
            .map(|&(id, region)| {
                let weight = CITY_DETAILS
                    .iter()
                    .find(|c| c.id == id)
                    .map_or(5, |c| c.weight);
                (id, region, weight)
            })
            .collect();
        Self {
            dice: Dice::from_seed(key),
            next,
            used,
            cities,
            last_person: vec![None; TENANTS.len()],
        }
    }

    /// The rows of the next `customers` customers.
    pub(crate) fn batch(&mut self, customers: usize) -> Result<Batch, InfraError> {
        let mut batch = Batch {
            customers: Vec::with_capacity(customers),
            versions: Vec::with_capacity(customers * 2),
            contacts: Vec::with_capacity(customers * 3 / 2),
            references: Vec::with_capacity(customers),
        };
        for _ in 0..customers {
            self.customer(&mut batch)?;
        }
        Ok(batch)
    }

    /// Adds the rows of the next customer to `batch`.
    fn customer(&mut self, batch: &mut Batch) -> Result<(), InfraError> {
        let customer_id = self.next.customer;
        self.next.customer += 1;
        let tenant = self.dice.weighted(TENANT_WEIGHTS);
        let tenant_index = TENANTS.iter().position(|t| t.id == tenant.id).unwrap_or(0);
        batch.customers.push(NewCustomer {
            customer_id,
            company_id: tenant.id,
        });
        let created = self.dice.moment(first_day(), as_of() - TimeDelta::days(90));
        let (current, person) = if self.dice.chance(800) {
            let person = self.person(tenant, tenant_index, created)?;
            (self.individual(&person, created), Some(person))
        } else {
            (self.organisation(tenant)?, None)
        };
        let mut current = current;
        current.customer_id = customer_id;
        current.company_id = tenant.id;
        current.customer_type_id = Some(if person.is_some() {
            INDIVIDUAL
        } else {
            COMPANY
        });
        current.created_date = Some(created);
        self.versions(current, person.as_ref(), created, batch);
        match &person {
            Some(person) => self.person_contacts(tenant.id, customer_id, person, created, batch),
            None => self.company_contacts(tenant.id, customer_id, created, batch),
        }
        self.references(customer_id, tenant, created, batch);
        if let Some(person) = person {
            self.last_person[tenant_index] = Some(person);
        }
        Ok(())
    }

    /// The id of the next customer.
    pub(crate) fn next_customer(&self) -> i64 {
        self.next.customer
    }
}

/// Lower-case ASCII letters and digits of a Latin name, for e-mail addresses.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if slug.is_empty() {
        "customer".to_owned()
    } else {
        slug
    }
}

/// Whether `text` is written in Arabic script.
fn is_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// A generator as the unit tests use it: ids after the demo data's, four cities.
#[cfg(test)]
pub(crate) fn sample_generator(seed: u64) -> Generator {
    let cities: Vec<(i32, i32)> = vec![(1, 1), (2, 2), (5, 5), (6, 5)];
    Generator::new(
        seed,
        NextIds {
            customer: 70_005,
            version: 200_020,
            contact: 16,
            reference: 22,
        },
        &cities,
        HashSet::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(batch: &Batch) -> String {
        format!(
            "{:?}{:?}{:?}{:?}",
            batch.customers, batch.versions, batch.contacts, batch.references
        )
    }

    #[test]
    fn the_same_seed_generates_the_same_rows() {
        let first = sample_generator(42).batch(500).expect("a batch");
        let second = sample_generator(42).batch(500).expect("a batch");
        let other = sample_generator(43).batch(500).expect("a batch");
        assert_eq!(digest(&first), digest(&second));
        assert_ne!(digest(&first), digest(&other));
    }
}
