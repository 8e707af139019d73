//! Managing the companies of the group: what `customer-api companies ...` does.
//!
//! A company's code is fixed once it is added: the clients' company lists and the audit
//! trail name companies by code, so only its names can change.

use std::fmt;
use std::sync::Arc;

use customer_domain::{
    Company, CompanyCode, CompanyRegistry, CompanyRegistryError, CompanyRenaming, InvalidValue,
    LocalizedName,
};

/// The longest company name accepted, in characters.
pub const MAX_COMPANY_NAME_LEN: usize = 200;

/// One thing wrong with an input of a company command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyInputProblem {
    /// The code is not a company code.
    Code(InvalidValue),
    /// A name is empty (or only whitespace).
    EmptyName,
    /// A name is longer than [`MAX_COMPANY_NAME_LEN`] characters.
    NameTooLong,
    /// A name holds control characters (line breaks, tabs, ...).
    NameControlCharacters,
    /// A renaming gives no new name.
    NoNewName,
}

impl fmt::Display for CompanyInputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(invalid) => write!(
                f,
                "{} (1 to 32 ASCII letters, digits, '-' or '_')",
                invalid
                    .violations()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::EmptyName => f.write_str("empty"),
            Self::NameTooLong => write!(f, "longer than {MAX_COMPANY_NAME_LEN} characters"),
            Self::NameControlCharacters => {
                f.write_str("holds control characters (line breaks, tabs, ...)")
            }
            Self::NoNewName => f.write_str("give a new Arabic name, English name or both"),
        }
    }
}

/// Why a change to the companies was refused.
#[derive(Debug, thiserror::Error)]
pub enum CompanyAdminError {
    /// Some inputs are invalid: every problem of every input, each with the input's name
    /// (`code`, `name-ar`, `name-en`).
    #[error("{}", .0.iter().map(|(what, problem)| format!("{what}: {problem}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(&'static str, CompanyInputProblem)>),
    /// The registry refused the change or failed.
    #[error(transparent)]
    Registry(#[from] CompanyRegistryError),
}

/// The companies use cases, over the registry.
#[derive(Clone)]
pub struct CompanyAdmin {
    registry: Arc<dyn CompanyRegistry>,
}

impl fmt::Debug for CompanyAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompanyAdmin").finish_non_exhaustive()
    }
}

impl CompanyAdmin {
    /// The use cases over `registry`.
    pub fn new(registry: Arc<dyn CompanyRegistry>) -> Self {
        Self { registry }
    }

    /// Adds company `code` (kept in lower case) named `name_ar` and `name_en` (trimmed).
    ///
    /// # Errors
    /// [`CompanyAdminError::Invalid`] with every problem of every input,
    /// [`CompanyAdminError::Registry`] (code taken, store failure).
    pub async fn add(
        &self,
        code: &str,
        name_ar: &str,
        name_en: &str,
    ) -> Result<Company, CompanyAdminError> {
        let mut invalid = Vec::new();
        let code = parse_code(code, &mut invalid);
        let ar = parse_name("name-ar", name_ar, &mut invalid);
        let en = parse_name("name-en", name_en, &mut invalid);
        let (Some(code), Some(ar), Some(en), true) = (code, ar, en, invalid.is_empty()) else {
            return Err(CompanyAdminError::Invalid(invalid));
        };
        let name = LocalizedName {
            ar: ar.into(),
            en: en.into(),
        };
        Ok(self.registry.add_company(&code, &name).await?)
    }

    /// Gives company `code` the names given (trimmed); the others are kept. Returns the
    /// company before and after.
    ///
    /// # Errors
    /// [`CompanyAdminError::Invalid`] with every problem of every input (no name given
    /// is one), [`CompanyAdminError::Registry`] (unknown company, store failure).
    pub async fn rename(
        &self,
        code: &str,
        name_ar: Option<&str>,
        name_en: Option<&str>,
    ) -> Result<(Company, Company), CompanyAdminError> {
        let mut invalid = Vec::new();
        let code = parse_code(code, &mut invalid);
        if name_ar.is_none() && name_en.is_none() {
            invalid.push(("name", CompanyInputProblem::NoNewName));
        }
        let renaming = CompanyRenaming {
            ar: name_ar.and_then(|name| parse_name("name-ar", name, &mut invalid)),
            en: name_en.and_then(|name| parse_name("name-en", name, &mut invalid)),
        };
        let (Some(code), true) = (code, invalid.is_empty()) else {
            return Err(CompanyAdminError::Invalid(invalid));
        };
        Ok(self.registry.rename_company(&code, &renaming).await?)
    }

    /// Every company, by code.
    ///
    /// # Errors
    /// [`CompanyAdminError::Registry`] when the store fails.
    pub async fn list(&self) -> Result<Vec<Company>, CompanyAdminError> {
        Ok(self
            .registry
            .list_companies()
            .await
            .map_err(CompanyRegistryError::from)?)
    }
}

fn parse_code(
    code: &str,
    invalid: &mut Vec<(&'static str, CompanyInputProblem)>,
) -> Option<CompanyCode> {
    CompanyCode::parse(code)
        .map_err(|error| invalid.push(("code", CompanyInputProblem::Code(error))))
        .ok()
}

/// The name trimmed, or `None` with its problems added to `invalid`.
fn parse_name(
    what: &'static str,
    name: &str,
    invalid: &mut Vec<(&'static str, CompanyInputProblem)>,
) -> Option<String> {
    let name = name.trim();
    let before = invalid.len();
    if name.is_empty() {
        invalid.push((what, CompanyInputProblem::EmptyName));
    }
    if name.chars().count() > MAX_COMPANY_NAME_LEN {
        invalid.push((what, CompanyInputProblem::NameTooLong));
    }
    if name.chars().any(char::is_control) {
        invalid.push((what, CompanyInputProblem::NameControlCharacters));
    }
    (invalid.len() == before).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use customer_domain::{
        CompanyId, FailureKind, MockCompanyRegistry, RepositoryError, Violation,
    };
    use mockall::predicate::eq;

    use super::*;

    fn code(code: &str) -> CompanyCode {
        CompanyCode::parse(code).expect("a code")
    }

    fn company(id: i32, code_text: &str, ar: &str, en: &str) -> Company {
        Company {
            id: CompanyId::new(id),
            code: code(code_text),
            name: LocalizedName {
                ar: ar.into(),
                en: en.into(),
            },
        }
    }

    fn admin(registry: MockCompanyRegistry) -> CompanyAdmin {
        CompanyAdmin::new(Arc::new(registry))
    }

    fn problems(error: CompanyAdminError) -> Vec<(&'static str, CompanyInputProblem)> {
        match error {
            CompanyAdminError::Invalid(problems) => problems,
            other @ CompanyAdminError::Registry(_) => {
                panic!("invalid input expected, got {other}")
            }
        }
    }

    #[tokio::test]
    async fn add_trims_the_names_and_lower_cases_the_code() {
        let mut registry = MockCompanyRegistry::new();
        let name = LocalizedName {
            ar: "شركة أكمي".into(),
            en: "Acme Insurance".into(),
        };
        registry
            .expect_add_company()
            .with(eq(code("acme")), eq(name))
            .times(1)
            .returning(|_, _| Ok(company(3, "acme", "شركة أكمي", "Acme Insurance")));
        let added = admin(registry)
            .add(" ACME ", "  شركة أكمي ", "Acme Insurance\u{20}")
            .await
            .expect("added");
        assert_eq!(added.id, CompanyId::new(3));
    }

    #[tokio::test]
    async fn add_reports_every_problem_and_asks_nothing() {
        let mut registry = MockCompanyRegistry::new();
        registry.expect_add_company().never();
        let long = "x".repeat(MAX_COMPANY_NAME_LEN + 1);
        let error = admin(registry)
            .add("ac me", "  ", &format!("{long}\nx"))
            .await
            .expect_err("invalid");
        assert_eq!(
            problems(error),
            [
                (
                    "code",
                    CompanyInputProblem::Code(InvalidValue::single(
                        Violation::MalformedCompanyCode
                    ))
                ),
                ("name-ar", CompanyInputProblem::EmptyName),
                ("name-en", CompanyInputProblem::NameTooLong),
                ("name-en", CompanyInputProblem::NameControlCharacters),
            ]
        );
    }

    #[tokio::test]
    async fn add_passes_on_a_taken_code() {
        let mut registry = MockCompanyRegistry::new();
        registry
            .expect_add_company()
            .returning(|code, _| Err(CompanyRegistryError::CodeTaken(code.clone())));
        let error = admin(registry)
            .add("jtc", "أ", "A")
            .await
            .expect_err("taken");
        assert!(
            matches!(&error, CompanyAdminError::Registry(CompanyRegistryError::CodeTaken(c)) if c.as_str() == "jtc"),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "a company with the code jtc exists already"
        );
    }

    #[tokio::test]
    async fn rename_changes_only_the_names_given() {
        let mut registry = MockCompanyRegistry::new();
        registry
            .expect_rename_company()
            .with(
                eq(code("jtc")),
                eq(CompanyRenaming {
                    ar: None,
                    en: Some("Jood Takaful".to_owned()),
                }),
            )
            .times(1)
            .returning(|_, _| {
                Ok((
                    company(1, "jtc", "ج", "Old"),
                    company(1, "jtc", "ج", "Jood Takaful"),
                ))
            });
        let (before, after) = admin(registry)
            .rename("JTC", None, Some(" Jood Takaful "))
            .await
            .expect("renamed");
        assert_eq!(&*before.name.en, "Old");
        assert_eq!(&*after.name.en, "Jood Takaful");
    }

    #[tokio::test]
    async fn rename_needs_a_name_and_a_valid_one() {
        let mut registry = MockCompanyRegistry::new();
        registry.expect_rename_company().never();
        let admin = admin(registry);
        let error = admin.rename("", None, None).await.expect_err("invalid");
        assert_eq!(
            problems(error),
            [
                (
                    "code",
                    CompanyInputProblem::Code(InvalidValue::single(Violation::Empty))
                ),
                ("name", CompanyInputProblem::NoNewName),
            ]
        );
        let error = admin
            .rename("jtc", Some("a\tb"), Some(""))
            .await
            .expect_err("invalid");
        assert_eq!(
            error.to_string(),
            "name-ar: holds control characters (line breaks, tabs, ...); name-en: empty"
        );
    }

    #[tokio::test]
    async fn store_failures_of_list_are_passed_on() {
        let mut registry = MockCompanyRegistry::new();
        registry
            .expect_list_companies()
            .returning(|| Err(RepositoryError::new(FailureKind::Unreachable, "down")));
        let error = admin(registry).list().await.expect_err("fails");
        assert!(
            matches!(
                error,
                CompanyAdminError::Registry(CompanyRegistryError::Store(ref store))
                    if store.kind() == FailureKind::Unreachable
            ),
            "{error:?}"
        );
    }
}
