//! Errors as `application/problem+json` (RFC 9457), in the request's language: the one
//! place where failures of every layer become HTTP responses.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use customer_application::{SearchError, ValidationErrors};
use customer_domain::Language;
use serde::Serialize;
use serde::ser::SerializeMap;

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

    fn kind(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "/problems/invalid-request",
            Self::QueryTooLong { .. } => "/problems/query-too-long",
            Self::NotFound { .. } => "/problems/not-found",
            Self::MethodNotAllowed { .. } => "/problems/method-not-allowed",
            Self::Unavailable { .. } => "/problems/service-unavailable",
            Self::Internal { .. } => "/problems/internal-error",
        }
    }

    fn title(&self) -> &'static str {
        let arabic = self.language() == Language::Arabic;
        match self {
            Self::Invalid { .. } | Self::QueryTooLong { .. } => {
                if arabic {
                    "طلب غير صالح"
                } else {
                    "Invalid request"
                }
            }
            Self::NotFound { .. } => {
                if arabic {
                    "غير موجود"
                } else {
                    "Not found"
                }
            }
            Self::MethodNotAllowed { .. } => {
                if arabic {
                    "الطريقة غير مسموح بها"
                } else {
                    "Method not allowed"
                }
            }
            Self::Unavailable { .. } => {
                if arabic {
                    "الخدمة غير متاحة مؤقتاً"
                } else {
                    "Service unavailable"
                }
            }
            Self::Internal { .. } => {
                if arabic {
                    "خطأ داخلي"
                } else {
                    "Internal error"
                }
            }
        }
    }

    fn detail(&self) -> String {
        let arabic = self.language() == Language::Arabic;
        match self {
            Self::Invalid { .. } => {
                if arabic {
                    "بعض معاملات الطلب غير صالحة، والتفاصيل في errors.".into()
                } else {
                    "Some parameters of the request are invalid; see errors.".into()
                }
            }
            Self::QueryTooLong { max, .. } => {
                if arabic {
                    format!("يجب ألا يزيد طول نص الاستعلام عن {max} بايت.")
                } else {
                    format!("The query string must be at most {max} bytes long.")
                }
            }
            Self::NotFound { .. } => {
                if arabic {
                    "لا يوجد مورد بهذا المسار.".into()
                } else {
                    "There is no resource at this path.".into()
                }
            }
            Self::MethodNotAllowed { allow, .. } => {
                if arabic {
                    format!("الطرق المسموح بها هنا: {allow}.")
                } else {
                    format!("The methods allowed here are: {allow}.")
                }
            }
            Self::Unavailable { .. } => {
                if arabic {
                    format!(
                        "تعذر الوصول إلى قاعدة بيانات العملاء. أعد المحاولة بعد {RETRY_AFTER_SECS} ثوانٍ."
                    )
                } else {
                    format!(
                        "The customer database cannot be reached. Retry in {RETRY_AFTER_SECS} seconds."
                    )
                }
            }
            Self::Internal { .. } => {
                if arabic {
                    "تعذر إتمام الطلب بسبب خطأ داخلي.".into()
                } else {
                    "The request could not be completed because of an internal error.".into()
                }
            }
        }
    }
}

/// The body of a problem response.
struct ProblemBody<'a> {
    error: &'a ApiError,
    status: StatusCode,
}

impl Serialize for ProblemBody<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.error.kind())?;
        map.serialize_entry("title", self.error.title())?;
        map.serialize_entry("status", &self.status.as_u16())?;
        map.serialize_entry("detail", &self.error.detail())?;
        if let ApiError::Invalid { language, errors } = self.error {
            map.serialize_entry(
                "errors",
                &ErrorsBody {
                    errors,
                    language: *language,
                },
            )?;
        }
        map.end()
    }
}

struct ErrorsBody<'a> {
    errors: &'a ValidationErrors,
    language: Language,
}

impl Serialize for ErrorsBody<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (param, problems) in self.errors.iter() {
            let messages: Vec<_> = problems
                .iter()
                .map(|p| p.message(param).text(self.language))
                .collect();
            map.serialize_entry(param.name(), &messages)?;
        }
        map.end()
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
        let status = self.status_code();
        match self {
            Self::Unavailable { source, .. } => {
                tracing::warn!(error = %source, "database unavailable");
            }
            Self::Internal { source, .. } => tracing::error!(error = %source, "request failed"),
            _ => {}
        }
        let mut response = HttpResponse::build(status);
        response
            .content_type("application/problem+json; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Self::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, *allow));
        }
        if matches!(self, Self::Unavailable { .. }) {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS));
        }
        match serde_json::to_vec(&ProblemBody {
            error: self,
            status,
        }) {
            Ok(body) => response.body(body),
            // Serializing strings and numbers cannot fail; answer something valid anyway.
            Err(_) => HttpResponse::InternalServerError().finish(),
        }
    }
}
