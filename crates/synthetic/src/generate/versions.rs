//! The history of a customer: older versions, each differing from the next in one
//! respect and ending when the next starts.

use std::borrow::Cow;

use chrono::{NaiveDateTime, TimeDelta};

use super::{Generator, Person, as_of, is_arabic};
use crate::rows::{Batch, NewVersion, owned};
use crate::tables::codes::{IQAMA, PASSPORT};
use crate::tables::companies::INDUSTRIES;

impl Generator {
    /// The versions of a customer, oldest first: the current one last, each older one
    /// differing from the next in one respect, each ending when the next starts.
    pub(super) fn versions(
        &mut self,
        current: NewVersion,
        person: Option<&Person>,
        created: NaiveDateTime,
        batch: &mut Batch,
    ) {
        let count = self.dice.weighted(&[(1usize, 600), (2, 280), (3, 120)]);
        let mut newest_first = vec![current];
        for _ in 1..count {
            let mut older = newest_first[newest_first.len() - 1].clone();
            self.alter(&mut older, person);
            newest_first.push(older);
        }
        // A resident's first version may carry the passport he came with.
        if count > 1
            && person.is_some_and(|p| p.identification_type == IQAMA)
            && self.dice.chance(300)
            && let Some(oldest) = newest_first.last_mut()
        {
            let letter = char::from(b'A' + u8::try_from(self.dice.below(26)).unwrap_or(0));
            oldest.identification_type_id = Some(PASSPORT);
            oldest.identification_no = owned(format!("{letter}{:07}", self.dice.digits(7)));
        }
        let mut starts = vec![created];
        for left in (1..count).rev() {
            let previous = starts[starts.len() - 1];
            let latest = as_of() - TimeDelta::days(i64::try_from(left).unwrap_or(0) - 1);
            let start = self.dice.moment(
                previous + TimeDelta::days(1),
                latest.max(previous + TimeDelta::days(1)),
            );
            starts.push(start);
        }
        let customer_version_ids = 1..;
        for ((mut version, number), index) in newest_first
            .into_iter()
            .rev()
            .zip(customer_version_ids)
            .zip(0..)
        {
            version.version_id = self.next.version;
            self.next.version += 1;
            version.customer_version_id = number;
            version.start_date = starts[index];
            version.end_date = starts.get(index + 1).copied();
            batch.versions.push(version);
        }
    }

    /// Makes `version` an older state of the customer.
    fn alter(&mut self, version: &mut NewVersion, person: Option<&Person>) {
        let arabic = version
            .first_name
            .as_deref()
            .or(version.company_name.as_deref())
            .is_some_and(is_arabic);
        match (person, self.dice.below(10)) {
            (_, 0..=3) => version.mobile_number = owned(self.saudi_mobile()),
            (_, 4..=6) => {
                let address = self.address(person.is_none());
                self.set_address(version, &address, arabic);
            }
            (Some(person), 7 | 8) => {
                let nationality = person.nationality;
                version.occupation = Some(Cow::Borrowed(self.occupation(arabic, person.female)));
                version.monthly_income_id = Some(self.dice.weighted(nationality.income));
            }
            (Some(person), _) => {
                version.email_address = owned(self.email(person.first.latin, person.last.latin));
            }
            (None, 7 | 8) => version.contact_name = owned(self.contact_person(arabic)),
            (None, _) => {
                let company_type = version.company_type_id.unwrap_or(1);
                let industry = INDUSTRIES
                    .iter()
                    .find(|i| Some(i.id) == version.industry_type_id)
                    .unwrap_or(&INDUSTRIES[0]);
                version.company_name = owned(self.company_name(company_type, industry, arabic).0);
            }
        }
    }
}
