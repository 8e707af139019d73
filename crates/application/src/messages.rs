//! Every text the service shows people, in English and Arabic side by side: the messages
//! of validation problems and the titles and details of problem responses.

use std::borrow::Cow;
use std::fmt;

use customer_domain::Language;

/// A text the service shows people, rendered in either language by [`Message::text`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// A required parameter is missing or blank.
    Required,
    /// `lang` is missing or blank: the values it may take are named, as for a wrong one.
    LanguageRequired,
    /// A parameter was given more than once.
    Repeated,
    /// A company code names no company (or is not even well formed: the same answer, so
    /// that the message says nothing about which codes exist).
    UnknownCompany,
    /// None of the four identifiers was given.
    NoIdentifier,
    /// Not a whole number.
    NotAnInteger,
    /// Zero or negative.
    NotPositive,
    /// Too large for a customer id.
    TooLarge,
    /// Not digits only.
    NotDigits,
    /// A mobile number that does not start with 5.
    MustStartWith5,
    /// More digits than allowed.
    TooManyDigits {
        /// The most digits allowed.
        max: usize,
    },
    /// More characters than allowed.
    TooManyCharacters {
        /// The most characters allowed.
        max: usize,
    },
    /// Control characters in a value.
    ControlCharacters,
    /// A language other than `ar` or `en`.
    UnsupportedLanguage,
    /// Not an RFC 3339 date-time with an offset.
    NotADateTime,
    /// A moment later than now.
    InTheFuture,
    /// A line of JSON Lines that is not JSON.
    NotJson,
    /// A bulk import's body holds no line.
    NoLines,
    /// A document (or one of its contacts) that is not a JSON object.
    NotAnObject,
    /// A document field that is not a JSON string.
    NotAString,
    /// A document field that is not a boolean.
    NotABoolean,
    /// A document field that is not a JSON array.
    NotAList,
    /// A coded value that its reference table does not hold.
    UnknownCode,
    /// A field the document format does not have.
    UnknownField,
    /// A document's date-time in none of the accepted forms.
    NotADocumentDateTime,
    /// A document naming another customer than the request's address.
    DiffersFromAddress,
    /// An `If-Match` value that is not an entity tag of this API.
    NotAnETag,
    /// A line of a company the caller may not write for.
    NotPermittedToWrite,
    /// A close of a customer without a current version.
    NoCurrentVersion,
    /// A conditional write whose expected version is not the current one.
    VersionMismatch {
        /// The current version's number, when there is one.
        current: Option<i32>,
    },
    /// An effective time not later than the current version's start.
    NotAfterCurrentVersion {
        /// When the current version started, as the wire writes it.
        current_start: String,
    },
    /// Title of a `400` problem.
    InvalidRequestTitle,
    /// Detail of a `400` problem with parameter errors.
    InvalidRequestDetail,
    /// Detail of a `400` problem for a query string over the limit.
    QueryTooLongDetail {
        /// The longest query string accepted, in bytes.
        max: usize,
    },
    /// Detail of a `400` problem with a customer document's errors.
    InvalidDocumentDetail,
    /// Title of a `412` problem.
    PreconditionFailedTitle,
    /// Detail of a `412` problem.
    PreconditionFailedDetail {
        /// The customer's current version, when it has one.
        current: Option<i32>,
    },
    /// Detail of a `403` problem of a write: the same whether or not the company or
    /// the customer exists; names the companies the caller may write for.
    ForbiddenWriteDetail {
        /// The codes of those companies, as `jfc, jtc`; empty: none.
        allowed: String,
    },
    /// Detail of a `404` problem for a close of a customer without a current version.
    NoCurrentCustomerDetail,
    /// Title of a `413` problem.
    PayloadTooLargeTitle,
    /// Detail of a `413` problem.
    PayloadTooLargeDetail {
        /// The largest body accepted, in bytes.
        max: usize,
    },
    /// Title of a `404` problem.
    NotFoundTitle,
    /// Detail of a `404` problem.
    NotFoundDetail,
    /// Title of a `405` problem.
    MethodNotAllowedTitle,
    /// Detail of a `405` problem.
    MethodNotAllowedDetail {
        /// The methods allowed, as the `Allow` header lists them.
        allow: &'static str,
    },
    /// Title of a `503` problem.
    UnavailableTitle,
    /// Detail of a `503` problem.
    UnavailableDetail {
        /// Seconds to wait before retrying, as `Retry-After` says.
        retry_after_secs: u32,
    },
    /// Title of a `401` problem.
    UnauthenticatedTitle,
    /// Detail of a `401` problem without a credential.
    CredentialMissingDetail,
    /// Detail of a `401` problem with a credential that is not valid.
    CredentialInvalidDetail,
    /// Detail of a `401` problem whose `Authorization` header is not `Bearer <credential>`
    /// (a key sent bare, or under another scheme): the fix is the scheme, not the key.
    CredentialSchemeDetail,
    /// Title of a `403` problem.
    ForbiddenTitle,
    /// Detail of a `403` problem: the same whether or not the company exists. It names
    /// the companies the caller may search (its own scope, nothing about other
    /// companies), so that the caller can correct `companyCode`.
    ForbiddenCompanyDetail {
        /// The codes of the companies the caller may search, as `jfc, jtc`.
        allowed: String,
    },
    /// Detail of a `403` problem of a caller that may not read customers at all (a
    /// client permitted to write only): whatever the company, so the company is not
    /// named.
    ForbiddenReadDetail,
    /// Title of a `429` problem.
    TooManyRequestsTitle,
    /// Detail of a `429` problem.
    TooManyRequestsDetail {
        /// Seconds to wait before retrying, as `Retry-After` says.
        retry_after_secs: u64,
    },
    /// Detail of a `503` problem when the audit record cannot be written.
    AuditUnavailableDetail {
        /// Seconds to wait before retrying, as `Retry-After` says.
        retry_after_secs: u32,
    },
    /// Detail of a `503` problem when credentials cannot be checked.
    CredentialsUnavailableDetail {
        /// Seconds to wait before retrying, as `Retry-After` says.
        retry_after_secs: u32,
    },
    /// Title of a `500` problem.
    InternalTitle,
    /// Detail of a `500` problem.
    InternalDetail,
}

impl Message {
    /// The text in `language`.
    #[expect(clippy::too_many_lines, reason = "the catalogue: one arm per message")]
    pub fn text(&self, language: Language) -> Cow<'static, str> {
        let fixed = |en, ar| fixed(language, en, ar);
        match self {
            Self::Required => fixed("is required", "مطلوب"),
            Self::LanguageRequired => fixed(
                "is required and must be ar or en",
                "مطلوب ويجب أن تكون ar أو en",
            ),
            Self::Repeated => fixed("must be given only once", "يجب أن يُرسل مرة واحدة فقط"),
            Self::UnknownCompany => fixed("is not a known company code", "ليس رمز شركة معروفاً"),
            Self::NoIdentifier => fixed(
                "at least one of customerId, identificationNo, mobileNumber or referenceNo is required",
                "يجب إرسال واحد على الأقل من customerId أو identificationNo أو mobileNumber أو referenceNo",
            ),
            Self::NotAnInteger => fixed("must be a whole number", "يجب أن يكون عدداً صحيحاً"),
            Self::NotPositive => fixed("must be greater than zero", "يجب أن يكون أكبر من صفر"),
            Self::TooLarge => fixed(
                "must be at most 9223372036854775807",
                "يجب ألا يتجاوز 9223372036854775807",
            ),
            Self::NotDigits => fixed(
                "must contain only digits (spaces and hyphens are ignored)",
                "يجب أن يحتوي على أرقام فقط (تُتجاهل المسافات والشرطات)",
            ),
            Self::MustStartWith5 => fixed("must start with 5", "يجب أن يبدأ بالرقم 5"),
            Self::TooManyDigits { max } => formatted(
                language,
                format_args!("must have at most {max} digits"),
                format_args!("يجب ألا يزيد عن {max} رقماً"),
            ),
            Self::TooManyCharacters { max } => formatted(
                language,
                format_args!("must be at most {max} characters long"),
                format_args!("يجب ألا يزيد طوله عن {max} حرفاً"),
            ),
            Self::ControlCharacters => fixed(
                "must not contain control characters",
                "يجب ألا يحتوي على أحرف تحكم",
            ),
            Self::UnsupportedLanguage => fixed("must be ar or en", "يجب أن تكون ar أو en"),
            Self::NotADateTime => fixed(
                "must be a date and time in RFC 3339 format with an offset, e.g. 2025-01-01T00:00:00Z",
                "يجب أن يكون تاريخاً ووقتاً بصيغة RFC 3339 مع فرق التوقيت، مثل 2025-01-01T00:00:00Z",
            ),
            Self::InTheFuture => fixed("must not be in the future", "يجب ألا يكون في المستقبل"),
            Self::NotJson => fixed("is not valid JSON", "ليس JSON صالحاً"),
            Self::NoLines => fixed(
                "holds no line: send one customer document per line (JSON Lines)",
                "لا يحتوي على أي سطر: أرسل مستند عميل واحداً في كل سطر (JSON Lines)",
            ),
            Self::NotAnObject => fixed("must be a JSON object", "يجب أن يكون كائن JSON"),
            Self::NotAString => fixed("must be a string", "يجب أن يكون نصاً"),
            Self::NotABoolean => fixed(
                "must be true, false, 1 or 0",
                "يجب أن تكون true أو false أو 1 أو 0",
            ),
            Self::NotAList => fixed("must be an array", "يجب أن يكون مصفوفة"),
            Self::UnknownCode => fixed(
                "is not a known value of its reference table",
                "ليست قيمة معروفة في جدولها المرجعي",
            ),
            Self::UnknownField => fixed(
                "is not a field of a customer document",
                "ليس حقلاً من حقول مستند العميل",
            ),
            Self::NotADocumentDateTime => fixed(
                "must be a date and time such as 2025-01-01T10:00:00 (a fraction of a second and an offset may follow) or a date such as 2025-01-01",
                "يجب أن يكون تاريخاً ووقتاً مثل 2025-01-01T10:00:00 (ويجوز أن يليه جزء من الثانية وفرق التوقيت) أو تاريخاً مثل 2025-01-01",
            ),
            Self::DiffersFromAddress => fixed(
                "must be the one in the request's path",
                "يجب أن يطابق القيمة الواردة في مسار الطلب",
            ),
            Self::NotAnETag => fixed(
                "must be an ETag this API gave, such as \"3\"",
                "يجب أن يكون وسم ETag أعطته هذه الواجهة، مثل \"3\"",
            ),
            Self::NotPermittedToWrite => fixed(
                "this credential may not write customers of this company",
                "لا تسمح بيانات الاعتماد هذه بكتابة عملاء هذه الشركة",
            ),
            Self::NoCurrentVersion => fixed(
                "names no current customer: there is nothing to close",
                "لا يطابق عميلاً حالياً: لا يوجد ما يُغلق",
            ),
            Self::VersionMismatch {
                current: Some(current),
            } => formatted(
                language,
                format_args!(
                    "the customer's current version is {current}, not the one If-Match names"
                ),
                format_args!("الإصدار الحالي للعميل هو {current}، وليس الإصدار المذكور في If-Match"),
            ),
            Self::VersionMismatch { current: None } => fixed(
                "the customer has no current version, unlike what If-Match expects",
                "ليس للعميل إصدار حالي، خلافاً لما يتوقعه If-Match",
            ),
            Self::NotAfterCurrentVersion { current_start } => formatted(
                language,
                format_args!("must be later than the current version's start, {current_start}"),
                format_args!("يجب أن يكون بعد بداية الإصدار الحالي، {current_start}"),
            ),
            Self::InvalidRequestTitle => fixed("Invalid request", "طلب غير صالح"),
            Self::InvalidRequestDetail => fixed(
                "Some parameters of the request are invalid; see errors.",
                "بعض معاملات الطلب غير صالحة، والتفاصيل في errors.",
            ),
            Self::QueryTooLongDetail { max } => formatted(
                language,
                format_args!("The query string must be at most {max} bytes long."),
                format_args!("يجب ألا يزيد طول نص الاستعلام عن {max} بايت."),
            ),
            Self::InvalidDocumentDetail => fixed(
                "The customer document or its address is invalid; see errors, by field.",
                "مستند العميل أو عنوانه غير صالح، والتفاصيل في errors حسب الحقل.",
            ),
            Self::PreconditionFailedTitle => fixed("Precondition failed", "فشل الشرط المسبق"),
            Self::PreconditionFailedDetail {
                current: Some(current),
            } => formatted(
                language,
                format_args!(
                    "The customer's current version is {current}, not the one If-Match names: another write came first. Read the customer again, then retry."
                ),
                format_args!(
                    "الإصدار الحالي للعميل هو {current}، وليس الإصدار المذكور في If-Match: سبقت عملية كتابة أخرى. اقرأ العميل مجدداً ثم أعد المحاولة."
                ),
            ),
            Self::PreconditionFailedDetail { current: None } => fixed(
                "The customer has no current version, unlike what If-Match expects.",
                "ليس للعميل إصدار حالي، خلافاً لما يتوقعه If-Match.",
            ),
            Self::ForbiddenWriteDetail { allowed } if allowed.is_empty() => fixed(
                "This credential may not write customers: its client may only read.",
                "لا تسمح بيانات الاعتماد هذه بكتابة العملاء: عميلها مسموح له بالقراءة فقط.",
            ),
            Self::ForbiddenWriteDetail { allowed } => formatted(
                language,
                format_args!(
                    "This credential may not write customers of this company. The companies it may write for: {allowed}."
                ),
                format_args!(
                    "لا تسمح بيانات الاعتماد هذه بكتابة عملاء هذه الشركة. الشركات المسموح بالكتابة فيها: {allowed}."
                ),
            ),
            Self::NoCurrentCustomerDetail => fixed(
                "The company has no current customer with this id: there is nothing to close.",
                "لا يوجد لدى الشركة عميل حالي بهذا المعرف: لا يوجد ما يُغلق.",
            ),
            Self::PayloadTooLargeTitle => fixed("Payload too large", "حجم الطلب كبير جداً"),
            Self::PayloadTooLargeDetail { max } => formatted(
                language,
                format_args!("The request body must be at most {max} bytes long."),
                format_args!("يجب ألا يزيد حجم نص الطلب عن {max} بايت."),
            ),
            Self::NotFoundTitle => fixed("Not found", "غير موجود"),
            Self::NotFoundDetail => fixed(
                "There is no resource at this path.",
                "لا يوجد مورد بهذا المسار.",
            ),
            Self::MethodNotAllowedTitle => fixed("Method not allowed", "الطريقة غير مسموح بها"),
            Self::MethodNotAllowedDetail { allow } => formatted(
                language,
                format_args!("The methods allowed here are: {allow}."),
                format_args!("الطرق المسموح بها هنا: {allow}."),
            ),
            Self::UnavailableTitle => fixed("Service unavailable", "الخدمة غير متاحة مؤقتاً"),
            Self::UnavailableDetail { retry_after_secs } => formatted(
                language,
                format_args!(
                    "The customer database cannot be reached. Retry in {retry_after_secs} seconds."
                ),
                format_args!(
                    "تعذر الوصول إلى قاعدة بيانات العملاء. أعد المحاولة بعد {retry_after_secs} ثوانٍ."
                ),
            ),
            Self::UnauthenticatedTitle => fixed("Unauthorized", "غير مصرح"),
            Self::CredentialMissingDetail => fixed(
                "This request needs a credential: send Authorization: Bearer <API key or token>.",
                "يتطلب هذا الطلب بيانات اعتماد: أرسل Authorization: Bearer <مفتاح API أو رمز>.",
            ),
            Self::CredentialInvalidDetail => fixed(
                "The credential is not valid: it is unknown, expired or revoked.",
                "بيانات الاعتماد غير صالحة: غير معروفة أو منتهية الصلاحية أو ملغاة.",
            ),
            Self::CredentialSchemeDetail => fixed(
                "The Authorization header must be Bearer <API key or token>: the word Bearer, a space, then the credential.",
                "يجب أن تكون ترويسة Authorization بالشكل Bearer <مفتاح API أو رمز>: الكلمة Bearer ثم مسافة ثم بيانات الاعتماد.",
            ),
            Self::ForbiddenTitle => fixed("Forbidden", "ممنوع"),
            Self::ForbiddenCompanyDetail { allowed } => formatted(
                language,
                format_args!(
                    "This credential may not search this company. The companies it may search: {allowed}."
                ),
                format_args!(
                    "لا تسمح بيانات الاعتماد هذه بالبحث في هذه الشركة. الشركات المسموح بالبحث فيها: {allowed}."
                ),
            ),
            Self::ForbiddenReadDetail => fixed(
                "This credential may not read customers: its client is not permitted to read.",
                "لا تسمح بيانات الاعتماد هذه بقراءة بيانات العملاء: العميل غير مصرح له بالقراءة.",
            ),
            Self::TooManyRequestsTitle => fixed("Too many requests", "طلبات كثيرة جداً"),
            Self::TooManyRequestsDetail { retry_after_secs } => formatted(
                language,
                format_args!(
                    "The rate limit of this caller is reached. Retry in {retry_after_secs} seconds."
                ),
                format_args!(
                    "تم بلوغ الحد الأقصى لمعدل الطلبات لهذا المستدعي. أعد المحاولة بعد {retry_after_secs} ثوانٍ."
                ),
            ),
            Self::AuditUnavailableDetail { retry_after_secs } => formatted(
                language,
                format_args!(
                    "The audit trail cannot record this lookup, so no customer data is shown. Retry in {retry_after_secs} seconds."
                ),
                format_args!(
                    "تعذر تسجيل هذا البحث في سجل التدقيق، لذلك لا تُعرض بيانات العملاء. أعد المحاولة بعد {retry_after_secs} ثوانٍ."
                ),
            ),
            Self::CredentialsUnavailableDetail { retry_after_secs } => formatted(
                language,
                format_args!(
                    "Credentials cannot be checked now. Retry in {retry_after_secs} seconds."
                ),
                format_args!(
                    "يتعذر التحقق من بيانات الاعتماد حالياً. أعد المحاولة بعد {retry_after_secs} ثوانٍ."
                ),
            ),
            Self::InternalTitle => fixed("Internal error", "خطأ داخلي"),
            Self::InternalDetail => fixed(
                "The request could not be completed because of an internal error.",
                "تعذر إتمام الطلب بسبب خطأ داخلي.",
            ),
        }
    }
}

fn fixed(language: Language, en: &'static str, ar: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(match language {
        Language::English => en,
        Language::Arabic => ar,
    })
}

fn formatted(
    language: Language,
    en: fmt::Arguments<'_>,
    ar: fmt::Arguments<'_>,
) -> Cow<'static, str> {
    Cow::Owned(match language {
        Language::English => en.to_string(),
        Language::Arabic => ar.to_string(),
    })
}
