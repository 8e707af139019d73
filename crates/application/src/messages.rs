//! The messages of validation problems, in Arabic and English.

use std::borrow::Cow;

use customer_domain::{Language, Violation};

use crate::params::Param;
use crate::validation::Problem;

pub(crate) fn message(problem: Problem, param: Param, language: Language) -> Cow<'static, str> {
    let (en, ar): (Cow<'static, str>, Cow<'static, str>) = match problem {
        Problem::Required => ("is required".into(), "مطلوب".into()),
        Problem::Repeated => (
            "must be given only once".into(),
            "يجب أن يُرسل مرة واحدة فقط".into(),
        ),
        Problem::UnknownCompany | Problem::Invalid(Violation::MalformedCompanyCode) => (
            "is not a known company code".into(),
            "ليس رمز شركة معروفاً".into(),
        ),
        Problem::NoIdentifier => (
            "at least one of customerId, identificationNo, mobileNumber or referenceNo is required"
                .into(),
            "يجب إرسال واحد على الأقل من customerId أو identificationNo أو mobileNumber أو referenceNo"
                .into(),
        ),
        Problem::Invalid(violation) => violation_message(violation, param),
    };
    match language {
        Language::English => en,
        Language::Arabic => ar,
    }
}

fn violation_message(violation: Violation, param: Param) -> (Cow<'static, str>, Cow<'static, str>) {
    match violation {
        Violation::NotAnInteger => (
            "must be a whole number".into(),
            "يجب أن يكون عدداً صحيحاً".into(),
        ),
        Violation::NotPositive => (
            "must be greater than zero".into(),
            "يجب أن يكون أكبر من صفر".into(),
        ),
        Violation::TooLarge => (
            "must be at most 9223372036854775807".into(),
            "يجب ألا يتجاوز 9223372036854775807".into(),
        ),
        Violation::NotDigits => (
            "must contain only digits (spaces and hyphens are ignored)".into(),
            "يجب أن يحتوي على أرقام فقط (تُتجاهل المسافات والشرطات)".into(),
        ),
        Violation::MustStartWith5 => ("must start with 5".into(), "يجب أن يبدأ بالرقم 5".into()),
        Violation::TooLong { max } if param == Param::MobileNumber => (
            format!("must have at most {max} digits").into(),
            format!("يجب ألا يزيد عن {max} رقماً").into(),
        ),
        Violation::TooLong { max } => (
            format!("must be at most {max} characters long").into(),
            format!("يجب ألا يزيد طوله عن {max} حرفاً").into(),
        ),
        Violation::ControlCharacters => (
            "must not contain control characters".into(),
            "يجب ألا يحتوي على أحرف تحكم".into(),
        ),
        Violation::Empty => ("is required".into(), "مطلوب".into()),
        Violation::UnsupportedLanguage => {
            ("must be ar or en".into(), "يجب أن تكون ar أو en".into())
        }
        Violation::MalformedCompanyCode => (
            "is not a known company code".into(),
            "ليس رمز شركة معروفاً".into(),
        ),
    }
}
