//! What a request says: its query string's parameters, and the language its answer (or
//! its error) must be given in.

use actix_web::HttpRequest;
use customer_application::RawSearchParams;
use customer_domain::Language;

/// The query string's pairs; the query string is parsed here rather than by
/// `web::Query`, which can neither match names case-insensitively nor see a repeat.
pub(crate) fn params(req: &HttpRequest) -> RawSearchParams {
    RawSearchParams::from_pairs(form_urlencoded::parse(req.query_string().as_bytes()))
}

/// The language of a response to a request that may name one.
pub(crate) fn language(req: &HttpRequest) -> Language {
    params(req).language()
}
