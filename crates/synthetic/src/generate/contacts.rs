//! Contacts of customers (relatives of a person, staff of a company) and their reference
//! numbers.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDateTime};

use super::{Generator, Person, as_of};
use crate::rows::{Batch, NewContact, NewReference, Text, owned, text};
use crate::tables::Tenant;
use crate::tables::codes::SAUDI_PHONE_CODE;
use crate::tables::companies::COMPANY_ROLES;
use crate::tables::words::{REMARKS_AR, REMARKS_EN};

impl Generator {
    /// 0 to 3 contacts of a person: relatives, named after the family, and friends.
    pub(super) fn person_contacts(
        &mut self,
        company_id: i32,
        customer_id: i64,
        person: &Person,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self
            .dice
            .weighted(&[(0u32, 300), (1, 350), (2, 220), (3, 130)]);
        let names = person.nationality.names;
        let arabic = names.arabic_script;
        let age_years = (created - person.date_of_birth).num_days() / 365;
        for index in 0..count {
            let relation = self.dice.weighted(&[
                (SPOUSE, 250),
                (4, 60),
                (5, 60),
                (6, 150),
                (7, 80),
                (8, if age_years > 38 { 120 } else { 0 }),
                (9, if age_years > 38 { 80 } else { 0 }),
                (3, 120),
                (10, 80),
                (11, 60),
            ]);
            let relation = if relation == SPOUSE {
                if person.female { 1 } else { 2 }
            } else {
                relation
            };
            let female = matches!(relation, 2 | 5 | 7 | 9)
                || (matches!(relation, 3 | 10 | 11) && self.dice.chance(300));
            let first = self
                .dice
                .pick(if female { names.female } else { names.male });
            let (middle, last) = match relation {
                4 => (None, Some(person.last)),
                6 | 7 | 11 => (person.middle, Some(person.last)),
                8 | 9 => (Some(person.first), Some(person.last)),
                _ => (None, Some(self.dice.pick(names.family))),
            };
            let first = if relation == 4 {
                person.middle.unwrap_or(first)
            } else {
                first
            };
            let name = [Some(first), middle, last]
                .into_iter()
                .flatten()
                .map(|n| if arabic { n.local } else { n.latin })
                .collect::<Vec<_>>()
                .join(" ");
            let (code, number) = match self.home_mobile(person.nationality) {
                Some((code, number))
                    if matches!(relation, 4 | 5 | 6 | 7 | 11) && self.dice.chance(500) =>
                {
                    (Some(code), number)
                }
                _ => (
                    (self.dice.chance(100)).then_some(SAUDI_PHONE_CODE),
                    self.saudi_mobile(),
                ),
            };
            let profession = if self.dice.chance(500) {
                Some(Cow::Borrowed(self.occupation(arabic, female)))
            } else {
                None
            };
            let remarks = self.remarks(arabic);
            self.push_contact(
                batch,
                company_id,
                customer_id,
                index == 0,
                created,
                ContactParts {
                    number,
                    relation,
                    name,
                    code,
                    profession,
                    remarks,
                },
            );
        }
    }

    /// 0 to 3 contacts of a company: its staff.
    pub(super) fn company_contacts(
        &mut self,
        company_id: i32,
        customer_id: i64,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self
            .dice
            .weighted(&[(0u32, 250), (1, 400), (2, 230), (3, 120)]);
        for index in 0..count {
            let arabic = self.dice.chance(500);
            let relation = if index == 0 {
                12
            } else {
                self.dice.pick(&[10, 12, 13])
            };
            let (ar, en) = self.dice.pick(COMPANY_ROLES);
            let name = self.contact_person(arabic);
            let number = self.saudi_mobile();
            let remarks = self.remarks(arabic);
            self.push_contact(
                batch,
                company_id,
                customer_id,
                index == 0,
                created,
                ContactParts {
                    number,
                    relation,
                    name,
                    code: None,
                    profession: Some(Cow::Borrowed(if arabic { ar } else { en })),
                    remarks,
                },
            );
        }
    }

    /// Remarks on a contact: mostly empty or none.
    fn remarks(&mut self, arabic: bool) -> Text {
        match self.dice.below(10) {
            0..=4 => text(""),
            5..=7 => None,
            _ => Some(Cow::Borrowed(self.dice.pick(if arabic {
                REMARKS_AR
            } else {
                REMARKS_EN
            }))),
        }
    }

    /// Adds a contact with its dates and flags, the next contact id.
    fn push_contact(
        &mut self,
        batch: &mut Batch,
        company_id: i32,
        customer_id: i64,
        first: bool,
        created: NaiveDateTime,
        parts: ContactParts,
    ) {
        let start = self
            .dice
            .chance(500)
            .then(|| self.dice.moment(created, as_of()));
        let end = match start {
            Some(start) if self.dice.chance(80) => Some(self.dice.moment(start, as_of())),
            _ => None,
        };
        let is_active = if end.is_some() {
            Some(false)
        } else {
            self.dice.flag(920, 20)
        };
        batch.contacts.push(NewContact {
            contact_id: self.next.contact,
            customer_id,
            contact_number: owned(parts.number),
            relation_type_id: Some(parts.relation),
            contact_name: owned(parts.name),
            contact_phone_code_id: parts.code,
            primary_contact: first && self.dice.chance(600),
            contact_start_date: start,
            contact_end_date: end,
            is_active,
            contact_is_enable: self.dice.flag(600, 50),
            profession: parts.profession,
            remarks: parts.remarks,
            company_id,
        });
        self.next.contact += 1;
    }

    /// References unique in the whole data set: their number is the reference id.
    pub(super) fn references(
        &mut self,
        customer_id: i64,
        tenant: &Tenant,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self.dice.weighted(&[(0u32, 250), (1, 500), (2, 250)]);
        for _ in 0..count {
            let reference_id = self.next.reference;
            self.next.reference += 1;
            let reference_no = if self.dice.chance(200) {
                format!("{}", 10_000_000 + reference_id)
            } else {
                let prefix = self.dice.pick(tenant.prefixes);
                let year = self.dice.moment(created, as_of()).year();
                format!("{prefix}-{year}-{reference_id:07}")
            };
            batch.references.push(NewReference {
                reference_id,
                company_id: tenant.id,
                customer_id,
                reference_no,
            });
        }
    }
}

/// What one contact is made of, before its dates and flags are drawn.
struct ContactParts {
    number: String,
    relation: i32,
    name: String,
    code: Option<i32>,
    profession: Text,
    remarks: Text,
}

/// Relation drawn for a spouse, made husband (1) or wife (2) by the customer's gender.
const SPOUSE: i32 = 0;
