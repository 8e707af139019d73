//! `customer-api companies ...`: add the companies of the group, list them, rename them.
//!
//! A lookup names a company by its code, and a database prepared with `migrate` alone
//! holds none: an operator adds them here before the first lookup. A code cannot change
//! once added (clients' company lists and the audit trail name it); names can.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use clap::Subcommand;
use customer_application::CompanyAdmin;
use customer_domain::Company;
use customer_infrastructure::SqlCompanyRegistry;
use serde::Serialize;

use super::{CliError, open_database};
use crate::Settings;

/// What `customer-api companies` does.
#[derive(Debug, Subcommand)]
pub enum CompaniesCommand {
    /// Add a company of the group; running services accept its code without a restart.
    Add {
        /// Its code, as lookups name it (`companyCode`): 1 to 32 ASCII letters, digits,
        /// '-' or '_', kept in lower case; it cannot change later.
        code: String,
        /// Its name in Arabic.
        #[arg(long, value_name = "NAME")]
        name_ar: String,
        /// Its name in English.
        #[arg(long, value_name = "NAME")]
        name_en: String,
    },
    /// List the companies by code.
    List {
        /// Print a JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change the Arabic name, the English name or both of a company (never its code).
    Rename {
        /// The company's code.
        code: String,
        /// Its new name in Arabic [default: unchanged].
        #[arg(long, value_name = "NAME")]
        name_ar: Option<String>,
        /// Its new name in English [default: unchanged].
        #[arg(long, value_name = "NAME")]
        name_en: Option<String>,
    },
}

/// Runs a `companies` command against the configured database.
pub async fn run(command: CompaniesCommand, settings: &Settings) -> Result<(), CliError> {
    let db = open_database(settings).await?;
    let admin = CompanyAdmin::new(Arc::new(SqlCompanyRegistry::new(db)));
    let mut out = std::io::stdout().lock();
    match command {
        CompaniesCommand::Add {
            code,
            name_ar,
            name_en,
        } => {
            let company = admin.add(&code, &name_ar, &name_en).await?;
            write!(out, "{}", added_text(&company))?;
        }
        CompaniesCommand::List { json } => {
            let companies = admin.list().await?;
            if json {
                serde_json::to_writer_pretty(&mut out, &companies_json(&companies))
                    .map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", companies_text(&companies))?;
            }
        }
        CompaniesCommand::Rename {
            code,
            name_ar,
            name_en,
        } => {
            let (before, after) = admin
                .rename(&code, name_ar.as_deref(), name_en.as_deref())
                .await?;
            write!(out, "{}", renamed_text(&before, &after))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The answer of `companies add`, with the next step: a client allowed the company.
fn added_text(company: &Company) -> String {
    format!(
        "Company {code} added (id {id}): {en} / {ar}.\n\
         Running instances of the service accept companyCode={code} without a restart (a\n\
         lookup naming a code they do not know reloads their companies, at most once a\n\
         second). Callers need a client allowed it:\n\n    \
         customer-api clients add NAME --companies {code}\n",
        code = company.code,
        id = company.id,
        en = company.name.en,
        ar = company.name.ar,
    )
}

/// The answer of `companies rename`: each name, and whether it changed.
fn renamed_text(before: &Company, after: &Company) -> String {
    let line = |label: &str, old: &str, new: &str| {
        if old == new {
            format!("  {label}: {new} (unchanged)\n")
        } else {
            format!("  {label}: {old} -> {new}\n")
        }
    };
    format!(
        "Company {} renamed:\n{}{}",
        after.code,
        line("English", &before.name.en, &after.name.en),
        line("Arabic", &before.name.ar, &after.name.ar),
    )
}

/// `companies list` as text: a table, the Arabic name last (its direction differs).
fn companies_text(companies: &[Company]) -> String {
    if companies.is_empty() {
        return "No companies. Add one with \
                `customer-api companies add CODE --name-ar NAME --name-en NAME`.\n"
            .to_owned();
    }
    let width = |header: &str, cell: &dyn Fn(&Company) -> String| {
        companies
            .iter()
            .map(|company| cell(company).chars().count())
            .chain([header.len()])
            .max()
            .unwrap_or_default()
    };
    let id_width = width("ID", &|company| company.id.to_string());
    let code_width = width("CODE", &|company| company.code.to_string());
    let en_width = width("NAME (EN)", &|company| company.name.en.to_string());
    let mut text = format!(
        "{:>id_width$}  {:<code_width$}  {:<en_width$}  NAME (AR)\n",
        "ID", "CODE", "NAME (EN)"
    );
    for company in companies {
        // Padded by characters, not bytes: names need not be ASCII.
        let en_pad = en_width - company.name.en.chars().count();
        let _ = writeln!(
            text,
            "{:>id_width$}  {:<code_width$}  {}{}  {}",
            company.id,
            // The code's `Display` ignores widths: pad the text itself.
            company.code.as_str(),
            company.name.en,
            " ".repeat(en_pad),
            company.name.ar,
        );
    }
    text
}

/// A company in `companies list --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CompanyJson<'a> {
    id: i32,
    code: &'a str,
    name_ar: &'a str,
    name_en: &'a str,
}

fn companies_json(companies: &[Company]) -> Vec<CompanyJson<'_>> {
    companies
        .iter()
        .map(|company| CompanyJson {
            id: company.id.get(),
            code: company.code.as_str(),
            name_ar: &company.name.ar,
            name_en: &company.name.en,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use customer_domain::{CompanyCode, CompanyId, LocalizedName};

    use super::*;

    fn company(id: i32, code: &str, ar: &str, en: &str) -> Company {
        Company {
            id: CompanyId::new(id),
            code: CompanyCode::parse(code).expect("a code"),
            name: LocalizedName {
                ar: ar.into(),
                en: en.into(),
            },
        }
    }

    #[test]
    fn the_list_is_a_table_aligned_by_characters() {
        let companies = [
            company(12, "acme", "أكمي", "Acme"),
            company(1, "jtc", "شركة جود للتكافل", "Jood Takaful Company"),
        ];
        assert_eq!(
            companies_text(&companies),
            concat!(
                "ID  CODE  NAME (EN)             NAME (AR)\n",
                "12  acme  Acme                  أكمي\n",
                " 1  jtc   Jood Takaful Company  شركة جود للتكافل\n",
            )
        );
        assert!(companies_text(&[]).starts_with("No companies."));
        let json = serde_json::to_value(companies_json(&companies)).expect("JSON");
        assert_eq!(
            json[1],
            serde_json::json!({
                "id": 1, "code": "jtc", "nameAr": "شركة جود للتكافل",
                "nameEn": "Jood Takaful Company"
            })
        );
    }

    #[test]
    fn a_renaming_shows_what_changed() {
        let text = renamed_text(
            &company(1, "jtc", "قديم", "Old"),
            &company(1, "jtc", "قديم", "New"),
        );
        assert_eq!(
            text,
            "Company jtc renamed:\n  English: Old -> New\n  Arabic: قديم (unchanged)\n"
        );
    }
}
