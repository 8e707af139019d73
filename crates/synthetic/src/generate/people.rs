//! The people behind individual customers: names, identification, mobile numbers,
//! addresses and e-mail addresses, and their current version.

use std::borrow::Cow;

use chrono::{NaiveDateTime, TimeDelta};
use customer_infrastructure::InfraError;

use super::dice::Dice;
use super::numbers::{gcc_id, number_key, with_check_digit};
use super::{Address, Generator, Person, date, slug};
use crate::rows::{NewVersion, owned, text};
use crate::tables::codes::{
    CONTACT_TYPES, FEMALE, GCC_ID, IQAMA, MALE, NATIONAL_ID, SAUDI_ARABIA, SAUDI_PHONE_CODE,
};
use crate::tables::companies::TENANTS;
use crate::tables::nationalities::NATIONALITY_WEIGHTS;
use crate::tables::places::{DISTRICTS, REGION_LETTERS, REGION_POSTAL_DIGIT, STREETS};
use crate::tables::words::{OCCUPATIONS_AR_FEMALE, OCCUPATIONS_AR_MALE, OCCUPATIONS_EN};
use crate::tables::{IdKind, Name, Nationality, Tenant};

impl Generator {
    /// The person behind an individual customer: someone new, a relative of the previous
    /// customer of the company (same family name and household), or someone already a
    /// customer of another company of the group.
    pub(super) fn person(
        &mut self,
        tenant: &Tenant,
        tenant_index: usize,
        created: NaiveDateTime,
    ) -> Result<Person, InfraError> {
        if self.dice.chance(20) {
            let other = self.dice.below(u32::try_from(TENANTS.len()).unwrap_or(1)) as usize;
            if other != tenant_index
                && let Some(known) = self.last_person[other].clone()
                && let Some(key) = number_key(&known.identification_no)
                && self.used.insert((tenant.id, key))
            {
                return Ok(known);
            }
        }
        let relative = if self.dice.chance(60) {
            self.last_person[tenant_index].clone()
        } else {
            None
        };
        let nationality = match &relative {
            Some(relative) => relative.nationality,
            None => self.dice.weighted(NATIONALITY_WEIGHTS),
        };
        let names = nationality.names;
        let female = self.dice.chance(nationality.female_per_mille);
        let first = self
            .dice
            .pick(if female { names.female } else { names.male });
        let middle = if self.dice.chance(names.middle_per_mille) {
            Some(self.dice.pick(names.middle))
        } else {
            None
        };
        let age_days = self.dice.between(18 * 365, 72 * 365);
        let date_of_birth = (created.date() - TimeDelta::days(age_days))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        let (identification_type, identification_no) =
            self.identification(tenant.id, nationality, date_of_birth)?;
        let (last, mobile, address) = if let Some(relative) = relative {
            let mobile = if self.dice.chance(700) {
                relative.mobile
            } else {
                self.saudi_mobile()
            };
            (relative.last, mobile, relative.address)
        } else {
            let last = self.dice.pick(names.family);
            let mobile = self.saudi_mobile();
            let address = self.address(false);
            (last, mobile, address)
        };
        Ok(Person {
            nationality,
            female,
            first,
            middle,
            last,
            date_of_birth,
            identification_type,
            identification_no,
            mobile,
            address,
        })
    }

    /// An identification number not yet used by a current version of the company.
    fn identification(
        &mut self,
        company: i32,
        nationality: &Nationality,
        date_of_birth: NaiveDateTime,
    ) -> Result<(i32, String), InfraError> {
        let kind = match nationality.identification {
            IdKind::NationalId => NATIONAL_ID,
            IdKind::Gcc(_) => GCC_ID,
            IdKind::Iqama => IQAMA,
        };
        self.unique_number(company, |dice| match nationality.identification {
            IdKind::NationalId => with_check_digit(&format!("1{:08}", dice.digits(8))),
            IdKind::Iqama => with_check_digit(&format!("2{:08}", dice.digits(8))),
            IdKind::Gcc(format) => gcc_id(dice, format, date_of_birth),
        })
        .map(|number| (kind, number))
    }

    /// A number made by `make` that no current version of `company` has yet.
    pub(super) fn unique_number(
        &mut self,
        company: i32,
        mut make: impl FnMut(&mut Dice) -> String,
    ) -> Result<String, InfraError> {
        for _ in 0..1_000 {
            let number = make(&mut self.dice);
            let key = number_key(&number).unwrap_or(0);
            if self.used.insert((company, key)) {
                return Ok(number);
            }
        }
        Err(InfraError::Inconsistent(format!(
            "no unused identification number found for company {company} after 1000 draws: \
             the number space is nearly exhausted"
        )))
    }

    /// An occupation, in Arabic (by gender) or in English.
    pub(super) fn occupation(&mut self, arabic: bool, female: bool) -> &'static str {
        if arabic {
            self.dice.pick(if female {
                OCCUPATIONS_AR_FEMALE
            } else {
                OCCUPATIONS_AR_MALE
            })
        } else {
            self.dice.pick(OCCUPATIONS_EN)
        }
    }

    /// A Saudi mobile number: 9 digits starting with 5.
    pub(super) fn saudi_mobile(&mut self) -> String {
        let operator = self.dice.pick(&[0, 3, 4, 5, 6, 8, 9]);
        format!("5{operator}{:07}", self.dice.digits(7))
    }

    /// A mobile number of the person's home country, with its phone code id.
    pub(super) fn home_mobile(&mut self, nationality: &Nationality) -> Option<(i32, String)> {
        let home = nationality.home?;
        let prefix = self.dice.pick(home.prefixes);
        let digits = home.length - u32::try_from(prefix.len()).unwrap_or(0);
        let number = format!(
            "{prefix}{:0width$}",
            self.dice.digits(digits),
            width = digits as usize
        );
        Some((home.code, number))
    }

    /// An address in a city of the reference data, by the cities' weights.
    pub(super) fn address(&mut self, company: bool) -> Address {
        let weights: Vec<((i32, i32), u32)> = self
            .cities
            .iter()
            .map(|&(id, region, weight)| ((id, region), weight))
            .collect();
        let (city, region) = self.dice.weighted(&weights);
        let street = self.dice.pick(STREETS);
        let district = self.dice.pick(DISTRICTS);
        let postal_code = format!(
            "{}{:04}",
            REGION_POSTAL_DIGIT
                .iter()
                .find(|r| r.0 == region)
                .map_or(1, |r| r.1),
            1 + self.dice.digits(4) % 9_999
        );
        let building = 1_000 + self.dice.digits(4) % 9_000;
        let unit_no = if company {
            format!("{}", 1 + self.dice.below(40))
        } else {
            format!("{}", 1 + self.dice.below(20))
        };
        let short_code = self.dice.chance(600).then(|| {
            let region_letter = REGION_LETTERS
                .iter()
                .find(|r| r.0 == region)
                .map_or('R', |r| r.1);
            let mut code = String::with_capacity(8);
            code.push(region_letter);
            for _ in 0..3 {
                code.push(char::from(
                    b'A' + u8::try_from(self.dice.below(26)).unwrap_or(0),
                ));
            }
            code.push_str(&building.to_string());
            code
        });
        Address {
            city,
            region,
            street,
            district,
            postal_code,
            building_no: building.to_string(),
            unit_no,
            short_code,
        }
    }

    /// An e-mail address made of a person's Latin names.
    pub(super) fn email(&mut self, first: &str, last: &str) -> String {
        let first = slug(first);
        let last = slug(last);
        let domain = self
            .dice
            .pick(&["example.com", "example.net", "example.org"]);
        match self.dice.below(4) {
            0 => format!("{first}.{last}@{domain}"),
            1 => format!("{}.{last}@{domain}", &first[..1.min(first.len())]),
            2 => format!("{first}{}@{domain}", self.dice.below(100)),
            _ => format!("{first}_{last}{}@{domain}", 70 + self.dice.below(35)),
        }
    }

    /// The current version of an individual.
    pub(super) fn individual(&mut self, person: &Person, created: NaiveDateTime) -> NewVersion {
        let nationality = person.nationality;
        let arabic = nationality.names.arabic_script;
        let occupation = self.occupation(arabic, person.female);
        let additional = if self.dice.chance(150) {
            match self.home_mobile(nationality) {
                Some(home) if self.dice.chance(600) => Some(home),
                _ => Some((SAUDI_PHONE_CODE, self.saudi_mobile())),
            }
        } else {
            None
        };
        let email = self
            .dice
            .chance(700)
            .then(|| self.email(person.first.latin, person.last.latin));
        let mut version = NewVersion {
            first_name: text(person.first.local),
            middle_name: person.middle.map(|m| Cow::Borrowed(m.local)),
            last_name: text(person.last.local),
            nationality_id: Some(nationality.id),
            gender_id: Some(if person.female { FEMALE } else { MALE }),
            date_of_birth: Some(person.date_of_birth),
            occupation: (!self.dice.chance(100)).then_some(Cow::Borrowed(occupation)),
            preferred_contact_type_id: Some(self.dice.weighted(CONTACT_TYPES)),
            email_address: email.map(Cow::Owned),
            phone_code_id: Some(SAUDI_PHONE_CODE),
            mobile_number: owned(person.mobile.clone()),
            additional_phone_code_id: additional.as_ref().map(|a| a.0),
            additional_mobile_number: additional.map(|a| Cow::Owned(a.1)),
            identification_type_id: Some(person.identification_type),
            identification_no: owned(person.identification_no.clone()),
            monthly_income_id: Some(self.dice.weighted(nationality.income)),
            is_active: self.dice.flag(950, 30),
            preferred_language_id: Some(self.dice.weighted(nationality.languages)),
            user_active: self.dice.flag(850, 100),
            ..NewVersion::default()
        };
        self.set_address(&mut version, &person.address, arabic);
        if created < date(2015, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default()
            && self.dice.chance(300)
        {
            version.user_active = Some(false);
        }
        version
    }

    /// Writes `address` into `version`, in Arabic or Latin script.
    pub(super) fn set_address(
        &mut self,
        version: &mut NewVersion,
        address: &Address,
        arabic: bool,
    ) {
        let local = |name: Name| Cow::Borrowed(if arabic { name.local } else { name.latin });
        version.country_id = Some(SAUDI_ARABIA);
        version.region_id = Some(address.region);
        version.city_id = Some(address.city);
        version.address1 = Some(local(address.street));
        version.address2 = Some(Cow::Borrowed(if arabic {
            address.district.ar_line
        } else {
            address.district.en_line
        }));
        version.city_sub_division_name = Some(local(address.district.name));
        version.postal_code = owned(address.postal_code.clone());
        version.zip_code = self
            .dice
            .chance(200)
            .then(|| Cow::Owned(address.postal_code.clone()));
        version.national_address = address.short_code.clone().map(Cow::Owned);
        let detailed = address.short_code.is_some();
        version.building_no = detailed.then(|| Cow::Owned(address.building_no.clone()));
        version.unit_no = detailed.then(|| Cow::Owned(address.unit_no.clone()));
    }
}
