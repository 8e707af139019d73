//! Errors as `application/problem+json` (RFC 9457), in the request's language: the one
//! place where failures of every layer become HTTP responses.

use std::borrow::Cow;
use std::sync::LazyLock;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use customer_application::documents::{DocumentErrors, WriteError};
use customer_application::{AuthError, Message, SearchError, ValidationErrors};
use customer_domain::{FailureKind, Language, RepositoryError};
use indexmap::IndexMap;
use serde::Serialize;
use utoipa::ToSchema;

use customer_application::RateLimitedLog;

/// Seconds a client should wait before retrying while the database is unavailable.
pub const RETRY_AFTER_SECS: u32 = 5;

/// How often each kind of `503` may be logged: the count of the others is left out.
const UNAVAILABLE_LOG_INTERVAL: Duration = Duration::from_secs(10);

static UNAVAILABLE: LazyLock<RateLimitedLog> =
    LazyLock::new(|| RateLimitedLog::new(UNAVAILABLE_LOG_INTERVAL));

/// What went wrong with a request, as the web edge reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request")]
    Invalid {
        language: Language,
        errors: ValidationErrors,
    },
    /// The caller may not write for this company (whether or not it or the customer
    /// exists).
    #[error("forbidden: may not write")]
    WriteForbidden {
        language: Language,
        /// The companies the caller may write for, as `jfc, jtc`; empty when it may
        /// write for none.
        allowed: String,
    },
    /// A customer document or write address with problems: every one, by field.
    #[error("invalid customer document")]
    InvalidDocument {
        language: Language,
        errors: DocumentErrors,
    },
    /// `If-Match` named another version than the current one.
    #[error("precondition failed")]
    PreconditionFailed {
        language: Language,
        current: Option<i32>,
    },
    /// A close of a customer without a current version.
    #[error("no current customer")]
    NoCurrentCustomer { language: Language },
    /// A request body over the configured size.
    #[error("request body too large")]
    PayloadTooLarge { language: Language, max: usize },
    #[error("no route")]
    NotFound { language: Language },
    #[error("method not allowed")]
    MethodNotAllowed {
        language: Language,
        allow: &'static str,
    },
    #[error("query string too long")]
    QueryTooLong { language: Language, max: usize },
    /// No credential, or one that is not valid.
    #[error("unauthenticated: {reason}")]
    Unauthenticated {
        language: Language,
        /// Whether a credential was presented at all.
        presented: bool,
        /// Whether the `Authorization` header was not `Bearer <credential>`: the detail
        /// then names the scheme, the fix, rather than the credential.
        not_bearer: bool,
        /// Why it is not valid, for the log.
        reason: String,
    },
    /// The caller may not search this company (or it does not exist).
    #[error("forbidden")]
    Forbidden {
        language: Language,
        /// The companies the caller may search, as `jfc, jtc`.
        allowed: String,
    },
    /// The caller may not read customers at all, whatever the company: its client is
    /// not permitted to read (it may only write). The same `403` as [`Self::Forbidden`],
    /// with a detail of its own.
    #[error("forbidden: may not read")]
    ReadForbidden { language: Language },
    /// The caller, or the client address after failed authentications, is over its
    /// rate limit.
    #[error("rate limited")]
    TooManyRequests {
        language: Language,
        limit: RateLimited,
    },
    /// The lookup's audit record could not be written: its answer is withheld.
    #[error("audit unavailable: {source}")]
    AuditUnavailable {
        language: Language,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Credentials cannot be checked now.
    #[error("credentials cannot be checked: {source}")]
    CredentialsUnavailable {
        language: Language,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("database unavailable: {source}")]
    Unavailable {
        language: Language,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("internal error: {source}")]
    Internal {
        language: Language,
        /// What kind of failure it was, as the layer that met it said: counted and
        /// logged by kind, since the message is not the service's to read.
        kind: FailureKind,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What a `429` says of the limit that was hit (the IETF `RateLimit` header fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    /// The policy's name: `caller` or `failed-auth`.
    pub policy: &'static str,
    /// Requests allowed per window.
    pub quota: u32,
    /// The window, in seconds.
    pub window_secs: u32,
    /// Seconds until a request will be allowed again (at least 1).
    pub retry_after_secs: u64,
}

/// An error, as RFC 9457 describes it: the body of every problem response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Problem)]
pub struct ProblemJson {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    kind: &'static str,
    /// A short summary, in the request's language.
    title: Cow<'static, str>,
    /// The HTTP status.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// What happened, in the request's language.
    detail: Cow<'static, str>,
    /// For `400`: messages by parameter name (by document field for a write), in the
    /// request's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<IndexMap<Cow<'static, str>, Vec<Cow<'static, str>>>>,
}

impl ApiError {
    /// Maps a failed search, answered in `language`.
    pub fn from_search(error: SearchError, language: Language) -> Self {
        match error {
            SearchError::Invalid(errors) => Self::Invalid { language, errors },
            SearchError::Store(source) => Self::from_store(source, language),
            SearchError::NoAuditKey(source) => Self::Internal {
                language,
                kind: FailureKind::Other,
                source: Box::new(source),
            },
            SearchError::Forbidden { allowed } => Self::Forbidden { language, allowed },
            SearchError::ReadNotPermitted => Self::ReadForbidden { language },
            SearchError::NotAudited(source) => Self::AuditUnavailable {
                language,
                source: Box::new(source),
            },
        }
    }

    /// Maps a failed write, answered in `language`.
    pub fn from_write(error: WriteError, language: Language) -> Self {
        match error {
            WriteError::Invalid(errors) => Self::InvalidDocument { language, errors },
            WriteError::Forbidden { allowed } => Self::WriteForbidden { language, allowed },
            WriteError::PreconditionFailed { current } => {
                Self::PreconditionFailed { language, current }
            }
            WriteError::NotFound => Self::NoCurrentCustomer { language },
            WriteError::Store(source) => Self::from_store(source, language),
            WriteError::NoAuditKey(source) => Self::Internal {
                language,
                kind: FailureKind::Other,
                source: Box::new(source),
            },
            WriteError::NotAudited(source) => Self::AuditUnavailable {
                language,
                source: Box::new(source),
            },
        }
    }

    /// Maps a failed authentication, answered in `language`.
    pub fn from_auth(error: AuthError, language: Language) -> Self {
        match error {
            AuthError::Missing => Self::Unauthenticated {
                language,
                presented: false,
                not_bearer: false,
                reason: "no credential".to_owned(),
            },
            AuthError::NotBearer => Self::Unauthenticated {
                language,
                presented: true,
                not_bearer: true,
                reason: "not a Bearer credential".to_owned(),
            },
            AuthError::Invalid(reason) => Self::Unauthenticated {
                language,
                presented: true,
                not_bearer: false,
                reason,
            },
            AuthError::Registry(source) if source.is_unavailable() => {
                Self::CredentialsUnavailable {
                    language,
                    source: Box::new(source),
                }
            }
            AuthError::Registry(source) => Self::from_store(source, language),
            AuthError::TokenKeysUnavailable(source) => {
                Self::CredentialsUnavailable { language, source }
            }
        }
    }

    /// Maps a failed port by the kind of its failure: `503` while the store is away or
    /// overloaded, `500` otherwise.
    pub fn from_store(error: RepositoryError, language: Language) -> Self {
        if error.is_unavailable() {
            Self::Unavailable {
                language,
                source: Box::new(error),
            }
        } else {
            Self::Internal {
                language,
                kind: error.kind(),
                source: Box::new(error),
            }
        }
    }

    fn language(&self) -> Language {
        match self {
            Self::Invalid { language, .. }
            | Self::InvalidDocument { language, .. }
            | Self::WriteForbidden { language, .. }
            | Self::PreconditionFailed { language, .. }
            | Self::NoCurrentCustomer { language }
            | Self::PayloadTooLarge { language, .. }
            | Self::NotFound { language }
            | Self::MethodNotAllowed { language, .. }
            | Self::QueryTooLong { language, .. }
            | Self::Unauthenticated { language, .. }
            | Self::Forbidden { language, .. }
            | Self::ReadForbidden { language }
            | Self::TooManyRequests { language, .. }
            | Self::AuditUnavailable { language, .. }
            | Self::CredentialsUnavailable { language, .. }
            | Self::Unavailable { language, .. }
            | Self::Internal { language, .. } => *language,
        }
    }

    /// The kind of problem, its title and its detail.
    #[expect(clippy::too_many_lines, reason = "the catalogue: one arm per problem")]
    fn describe(&self) -> (&'static str, Message, Message) {
        match self {
            Self::Invalid { .. } => (
                "/problems/invalid-request",
                Message::InvalidRequestTitle,
                Message::InvalidRequestDetail,
            ),
            Self::InvalidDocument { .. } => (
                "/problems/invalid-document",
                Message::InvalidRequestTitle,
                Message::InvalidDocumentDetail,
            ),
            Self::PreconditionFailed { current, .. } => (
                "/problems/precondition-failed",
                Message::PreconditionFailedTitle,
                Message::PreconditionFailedDetail { current: *current },
            ),
            Self::WriteForbidden { allowed, .. } => (
                "/problems/forbidden",
                Message::ForbiddenTitle,
                Message::ForbiddenWriteDetail {
                    allowed: allowed.clone(),
                },
            ),
            Self::NoCurrentCustomer { .. } => (
                "/problems/not-found",
                Message::NotFoundTitle,
                Message::NoCurrentCustomerDetail,
            ),
            Self::PayloadTooLarge { max, .. } => (
                "/problems/payload-too-large",
                Message::PayloadTooLargeTitle,
                Message::PayloadTooLargeDetail { max: *max },
            ),
            Self::QueryTooLong { max, .. } => (
                "/problems/query-too-long",
                Message::InvalidRequestTitle,
                Message::QueryTooLongDetail { max: *max },
            ),
            Self::NotFound { .. } => (
                "/problems/not-found",
                Message::NotFoundTitle,
                Message::NotFoundDetail,
            ),
            Self::MethodNotAllowed { allow, .. } => (
                "/problems/method-not-allowed",
                Message::MethodNotAllowedTitle,
                Message::MethodNotAllowedDetail { allow },
            ),
            Self::Unauthenticated {
                presented,
                not_bearer,
                ..
            } => (
                "/problems/unauthenticated",
                Message::UnauthenticatedTitle,
                if *not_bearer {
                    Message::CredentialSchemeDetail
                } else if *presented {
                    Message::CredentialInvalidDetail
                } else {
                    Message::CredentialMissingDetail
                },
            ),
            Self::Forbidden { allowed, .. } => (
                "/problems/forbidden",
                Message::ForbiddenTitle,
                Message::ForbiddenCompanyDetail {
                    allowed: allowed.clone(),
                },
            ),
            Self::ReadForbidden { .. } => (
                "/problems/forbidden",
                Message::ForbiddenTitle,
                Message::ForbiddenReadDetail,
            ),
            Self::TooManyRequests { limit, .. } => (
                "/problems/too-many-requests",
                Message::TooManyRequestsTitle,
                Message::TooManyRequestsDetail {
                    retry_after_secs: limit.retry_after_secs,
                },
            ),
            Self::AuditUnavailable { .. } => (
                "/problems/service-unavailable",
                Message::UnavailableTitle,
                Message::AuditUnavailableDetail {
                    retry_after_secs: RETRY_AFTER_SECS,
                },
            ),
            Self::CredentialsUnavailable { .. } => (
                "/problems/service-unavailable",
                Message::UnavailableTitle,
                Message::CredentialsUnavailableDetail {
                    retry_after_secs: RETRY_AFTER_SECS,
                },
            ),
            Self::Unavailable { .. } => (
                "/problems/service-unavailable",
                Message::UnavailableTitle,
                Message::UnavailableDetail {
                    retry_after_secs: RETRY_AFTER_SECS,
                },
            ),
            Self::Internal { .. } => (
                "/problems/internal-error",
                Message::InternalTitle,
                Message::InternalDetail,
            ),
        }
    }

    /// The body of the response.
    pub fn body(&self) -> ProblemJson {
        let language = self.language();
        let (kind, title, detail) = self.describe();
        let errors = match self {
            Self::Invalid { errors, .. } => Some(
                errors
                    .iter()
                    .map(|(param, problems)| {
                        let messages = problems
                            .iter()
                            .map(|problem| problem.message(param).text(language))
                            .collect();
                        (Cow::Borrowed(param.name()), messages)
                    })
                    .collect(),
            ),
            Self::InvalidDocument { errors, .. } => Some(
                errors
                    .iter()
                    .map(|(field, problems)| {
                        let messages = problems
                            .iter()
                            .map(|problem| problem.message_for(field).text(language))
                            .collect();
                        // A problem with the whole body is under `body`.
                        let field = if field.is_empty() { "body" } else { field };
                        (Cow::Owned(field.to_owned()), messages)
                    })
                    .collect(),
            ),
            _ => None,
        };
        ProblemJson {
            kind,
            title: title.text(language),
            status: self.status_code().as_u16(),
            detail: detail.text(language),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } | Self::InvalidDocument { .. } | Self::QueryTooLong { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound { .. } | Self::NoCurrentCustomer { .. } => StatusCode::NOT_FOUND,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } | Self::ReadForbidden { .. } | Self::WriteForbidden { .. } => {
                StatusCode::FORBIDDEN
            }
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. }
            | Self::AuditUnavailable { .. }
            | Self::CredentialsUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        // During an outage every request fails alike: a line per interval, with the
        // count of those left out, says as much as a line per request.
        match self {
            Self::Unavailable { source, .. } => {
                if let Some(left_out) = UNAVAILABLE.admit("database") {
                    tracing::warn!(error = %source, left_out, "database unavailable");
                }
            }
            Self::AuditUnavailable { source, .. } => {
                if let Some(left_out) = UNAVAILABLE.admit("audit") {
                    tracing::error!(error = %source, left_out, "lookup answered 503: its audit record was not written");
                }
            }
            Self::CredentialsUnavailable { source, .. } => {
                if let Some(left_out) = UNAVAILABLE.admit("credentials") {
                    tracing::warn!(error = %source, left_out, "credentials cannot be checked");
                }
            }
            Self::Unauthenticated { reason, .. } => {
                tracing::debug!(reason = reason.as_str(), "not authenticated");
            }
            // Once per cause a minute: a broken schema fails every request alike.
            Self::Internal { kind, source, .. } => {
                crate::faults::request_failed(*kind, source.as_ref());
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response
            .content_type("application/problem+json; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Self::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, *allow));
        }
        match self {
            Self::Unavailable { .. }
            | Self::AuditUnavailable { .. }
            | Self::CredentialsUnavailable { .. } => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS));
            }
            Self::Unauthenticated { presented, .. } => {
                // RFC 6750: an invalid token is named as such; a missing one is not.
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    if *presented {
                        r#"Bearer realm="customer-api", error="invalid_token""#
                    } else {
                        r#"Bearer realm="customer-api""#
                    },
                ));
            }
            Self::TooManyRequests { limit, .. } => {
                response.insert_header((header::RETRY_AFTER, limit.retry_after_secs));
                response.insert_header((
                    "RateLimit-Policy",
                    format!(
                        "\"{}\";q={};w={}",
                        limit.policy, limit.quota, limit.window_secs
                    ),
                ));
                response.insert_header((
                    "RateLimit",
                    format!("\"{}\";r=0;t={}", limit.policy, limit.retry_after_secs),
                ));
            }
            _ => {}
        }
        match serde_json::to_vec(&self.body()) {
            Ok(body) => response.body(body),
            // Serializing strings and numbers cannot fail; answer something valid anyway.
            Err(_) => HttpResponse::InternalServerError().finish(),
        }
    }
}
