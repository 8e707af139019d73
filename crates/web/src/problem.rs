//! Errors as `application/problem+json` (RFC 9457), in the request's language: the one
//! place where failures of every layer become HTTP responses.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use customer_application::{Message, SearchError, ValidationErrors};
use customer_domain::Language;
use indexmap::IndexMap;
use serde::Serialize;
use utoipa::ToSchema;

/// Seconds a client should wait before retrying while the database is unavailable.
pub const RETRY_AFTER_SECS: u32 = 5;

/// What went wrong with a request, as the web edge reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request")]
    Invalid {
        language: Language,
        errors: ValidationErrors,
    },
    #[error("no route")]
    NotFound { language: Language },
    #[error("method not allowed")]
    MethodNotAllowed {
        language: Language,
        allow: &'static str,
    },
    #[error("query string too long")]
    QueryTooLong { language: Language, max: usize },
    #[error("database unavailable: {source}")]
    Unavailable {
        language: Language,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("internal error: {source}")]
    Internal {
        language: Language,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
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
    /// For `400`: messages by parameter name, in the request's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<IndexMap<&'static str, Vec<Cow<'static, str>>>>,
}

impl ApiError {
    /// Maps a failed search, answered in `language`.
    pub fn from_search(error: SearchError, language: Language) -> Self {
        match error {
            SearchError::Invalid(errors) => Self::Invalid { language, errors },
            SearchError::Unavailable(source) => Self::Unavailable {
                language,
                source: Box::new(source),
            },
            SearchError::Failed(source) => Self::Internal {
                language,
                source: Box::new(source),
            },
        }
    }

    fn language(&self) -> Language {
        match self {
            Self::Invalid { language, .. }
            | Self::NotFound { language }
            | Self::MethodNotAllowed { language, .. }
            | Self::QueryTooLong { language, .. }
            | Self::Unavailable { language, .. }
            | Self::Internal { language, .. } => *language,
        }
    }

    /// The kind of problem, its title and its detail.
    fn describe(&self) -> (&'static str, Message, Message) {
        match self {
            Self::Invalid { .. } => (
                "/problems/invalid-request",
                Message::InvalidRequestTitle,
                Message::InvalidRequestDetail,
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
                        (param.name(), messages)
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
            Self::Invalid { .. } | Self::QueryTooLong { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable { source, .. } => {
                tracing::warn!(error = %source, "database unavailable");
            }
            Self::Internal { source, .. } => tracing::error!(error = %source, "request failed"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response
            .content_type("application/problem+json; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Self::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, *allow));
        }
        if matches!(self, Self::Unavailable { .. }) {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS));
        }
        match serde_json::to_vec(&self.body()) {
            Ok(body) => response.body(body),
            // Serializing strings and numbers cannot fail; answer something valid anyway.
            Err(_) => HttpResponse::InternalServerError().finish(),
        }
    }
}
