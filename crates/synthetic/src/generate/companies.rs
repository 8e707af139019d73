//! Company customers: their names, registration numbers and contact persons, and their
//! current version.

use std::borrow::Cow;

use customer_infrastructure::InfraError;

use super::{Generator, slug};
use crate::rows::{NewVersion, owned};
use crate::tables::codes::{ARABIC, COMPANY_TYPES, CR, ENGLISH, SAUDI_PHONE_CODE, UNIFIED_NUMBER};
use crate::tables::companies::{COMPANY_WORDS, INDUSTRY_WEIGHTS};
use crate::tables::names::{SAUDI, WESTERN};
use crate::tables::nationalities::NATIONALITY_WEIGHTS;
use crate::tables::places::CITY_DETAILS;
use crate::tables::{Industry, Tenant};

impl Generator {
    /// The current version of a company customer.
    pub(super) fn organisation(&mut self, tenant: &Tenant) -> Result<NewVersion, InfraError> {
        let company_type = self.dice.weighted(COMPANY_TYPES);
        let industry = self.dice.weighted(INDUSTRY_WEIGHTS);
        let arabic = company_type != 7 && self.dice.chance(550);
        let (name, latin) = self.company_name(company_type, industry, arabic);
        let address = self.address(true);
        let unified = self.dice.chance(200);
        let cr_office = CITY_DETAILS
            .iter()
            .find(|c| c.id == address.city)
            .map_or("1010", |c| c.cr_office);
        let number = self.unique_number(tenant.id, |dice| {
            if unified {
                format!("70{:08}", dice.digits(8))
            } else {
                format!("{cr_office}{:06}", dice.digits(6))
            }
        })?;
        let contact = self.contact_person(arabic);
        let domain = slug(latin);
        let mut version = NewVersion {
            company_name: owned(name),
            contact_name: owned(contact),
            company_type_id: Some(company_type),
            industry_type_id: Some(industry.id),
            occupation: None,
            preferred_contact_type_id: Some(self.dice.weighted(&[
                (1, 40),
                (3, 40),
                (4, 15),
                (5, 5),
            ])),
            email_address: self.dice.chance(800).then(|| {
                let mailbox = self
                    .dice
                    .pick(&["info", "contact", "accounts", "admin", "sales"]);
                Cow::Owned(format!("{mailbox}@{domain}.example.com"))
            }),
            phone_code_id: Some(SAUDI_PHONE_CODE),
            mobile_number: owned(self.saudi_mobile()),
            identification_type_id: Some(if unified { UNIFIED_NUMBER } else { CR }),
            commercial_record: (!unified).then(|| Cow::Owned(number.clone())),
            identification_no: owned(number),
            vat_reg_no: self
                .dice
                .chance(700)
                .then(|| Cow::Owned(format!("3{:013}3", self.dice.digits(13)))),
            plot_identification: self.dice.chance(250).then(|| {
                Cow::Owned(format!(
                    "{}/{}",
                    1_000 + self.dice.below(9_000),
                    1 + self.dice.below(300)
                ))
            }),
            is_active: self.dice.flag(930, 50),
            preferred_language_id: Some(if arabic && self.dice.chance(800) {
                ARABIC
            } else {
                ENGLISH
            }),
            user_active: self.dice.flag(900, 80),
            ..NewVersion::default()
        };
        if self.dice.chance(200) {
            version.additional_phone_code_id = Some(SAUDI_PHONE_CODE);
            version.additional_mobile_number = owned(self.saudi_mobile());
        }
        self.set_address(&mut version, &address, arabic);
        Ok(version)
    }

    /// A company name in Arabic or English, and the Latin word of it that its e-mail
    /// domain is made of.
    pub(super) fn company_name(
        &mut self,
        company_type: i32,
        industry: &Industry,
        arabic: bool,
    ) -> (String, &'static str) {
        match (company_type, arabic) {
            (3, _) => {
                let first = self.dice.pick(SAUDI.male);
                let last = self.dice.pick(SAUDI.family);
                let name = if arabic {
                    format!("مؤسسة {} {} {}", first.local, last.local, industry.ar)
                } else {
                    format!("{} {} {} Est.", first.latin, last.latin, industry.en)
                };
                (name, last.latin)
            }
            (4 | 5, _) => {
                let last = self.dice.pick(SAUDI.family);
                let name = if arabic {
                    format!("شركة {} وشركاه {}", last.local, industry.ar)
                } else {
                    format!("{} & Partners {} Co.", last.latin, industry.en)
                };
                (name, last.latin)
            }
            (7, _) => {
                let last = self.dice.pick(WESTERN.family);
                let suffix = self
                    .dice
                    .pick(&["International", "Global", "Group", "Holdings"]);
                let name = format!("{} {suffix} {} (Saudi Branch)", last.latin, industry.en);
                (name, last.latin)
            }
            _ => {
                let word = self.dice.pick(COMPANY_WORDS);
                let name = if arabic {
                    format!("شركة {} {}", word.local, industry.ar)
                } else {
                    let suffix = match company_type {
                        1 => "Co. Ltd.",
                        2 => "Company",
                        _ => "Co.",
                    };
                    format!("{} {} {suffix}", word.latin, industry.en)
                };
                (name, word.latin)
            }
        }
    }

    /// The name of a company's contact person, in Arabic for an Arabic-named company.
    pub(super) fn contact_person(&mut self, arabic: bool) -> String {
        if arabic || self.dice.chance(500) {
            let first = self.dice.pick(SAUDI.male);
            let last = self.dice.pick(SAUDI.family);
            if arabic {
                format!("{} {}", first.local, last.local)
            } else {
                format!("{} {}", first.latin, last.latin)
            }
        } else {
            let names = self.dice.weighted(NATIONALITY_WEIGHTS).names;
            let first = self.dice.pick(names.male);
            let last = self.dice.pick(names.family);
            format!("{} {}", first.latin, last.latin)
        }
    }
}
