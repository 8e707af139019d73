//! Swagger UI at `/docs`: served whole by the service itself (no request leaves the
//! machine), reading the served `/openapi.json`.

use crate::support::{TestApp, TestBackend, TestResponse, send, suite_tests};
use reqwest::{Method, Url};

suite_tests!("docs":
    docs_redirects_to_docs_with_a_slash,
    the_swagger_ui_page_and_everything_it_loads_are_served_by_the_service,
    the_initializer_loads_the_served_document,
    the_documentation_is_gzipped_when_the_client_asks,
);

/// Whether the path of `url` ends with `.extension`.
fn has_extension(url: &Url, extension: &str) -> bool {
    std::path::Path::new(url.path())
        .extension()
        .is_some_and(|found| found.eq_ignore_ascii_case(extension))
}

/// The values of every `src=` and `href=` attribute of `html`, quoted either way.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=", "href="] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + attribute.len()..];
            if before.is_some_and(|c| !c.is_whitespace()) {
                continue; // `data-src=` and the like
            }
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let value = &rest[1..];
            if let Some(end) = value.find(quote) {
                found.push(value[..end].to_owned());
            }
        }
    }
    found
}

/// The `/docs/` page.
async fn docs_page(app: &TestApp) -> (Url, TestResponse) {
    let base = Url::parse(&format!("{}/docs/", app.address)).expect("a URL");
    let page = app.get("/docs/").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let content_type = page.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/html"),
        "/docs/ is HTML, got {content_type:?}"
    );
    (base, page)
}

/// Each `src`/`href` of the page, resolved against `/docs/`, checked to stay on the
/// service.
fn local_references(base: &Url, page: &TestResponse) -> Vec<Url> {
    let references = references(&page.body);
    assert!(
        page.body.contains("swagger-ui"),
        "/docs/ is Swagger UI: {}",
        page.body
    );
    assert!(!references.is_empty(), "the page loads scripts and styles");
    references
        .iter()
        .map(|reference| {
            let url = base
                .join(reference)
                .unwrap_or_else(|error| panic!("{reference:?} is not a URL: {error}"));
            assert!(
                url.scheme() == "http"
                    && url.host_str() == base.host_str()
                    && url.port() == base.port(),
                "{reference:?} leaves the service: {url}"
            );
            url
        })
        .collect()
}

async fn docs_redirects_to_docs_with_a_slash(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let response = send(&client, Method::GET, &format!("{}/docs", app.address), &[]).await;
    assert!(
        matches!(response.status, 301 | 302 | 303 | 307 | 308),
        "/docs redirects, got {}",
        response.status
    );
    let location = response.header("location").unwrap_or_default();
    let target = Url::parse(&format!("{}/docs", app.address))
        .expect("a URL")
        .join(location)
        .expect("a location");
    assert_eq!(target.path(), "/docs/", "Location: {location:?}");
    assert_eq!(
        target.host_str(),
        Some("127.0.0.1"),
        "Location: {location:?}"
    );
}

async fn the_swagger_ui_page_and_everything_it_loads_are_served_by_the_service(
    backend: TestBackend,
) {
    let app = TestApp::spawn(backend).await;
    let (base, page) = docs_page(&app).await;
    let lower = page.body.to_lowercase();
    for tag in ["<script", "<link"] {
        let mut rest = lower.as_str();
        while let Some(at) = rest.find(tag) {
            rest = &rest[at..];
            let end = rest.find('>').unwrap_or(rest.len());
            let element = &rest[..end];
            for remote in ["http://", "https://", "//"] {
                assert!(
                    !element.contains(&format!("src=\"{remote}"))
                        && !element.contains(&format!("href=\"{remote}"))
                        && !element.contains(&format!("src='{remote}"))
                        && !element.contains(&format!("href='{remote}")),
                    "{element}> loads from another host"
                );
            }
            rest = &rest[end..];
        }
    }
    let urls = local_references(&base, &page);
    let scripts = urls.iter().filter(|url| has_extension(url, "js")).count();
    let styles = urls.iter().filter(|url| has_extension(url, "css")).count();
    assert!(
        scripts >= 2 && styles >= 1,
        "the page loads its scripts and styles: {urls:?}"
    );
    for url in urls {
        // Not `send`: images are not UTF-8.
        let response = app
            .client
            .get(url.clone())
            .send()
            .await
            .unwrap_or_else(|error| panic!("{url}: {error}"));
        assert_eq!(response.status().as_u16(), 200, "{url}");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.bytes().await.expect("a body");
        assert!(!body.is_empty(), "{url} is empty");
        if has_extension(&url, "js") {
            assert!(content_type.contains("javascript"), "{url}: {content_type}");
        } else if has_extension(&url, "css") {
            assert!(
                content_type.starts_with("text/css"),
                "{url}: {content_type}"
            );
        } else if has_extension(&url, "png") {
            assert!(
                content_type.starts_with("image/png") && body.starts_with(b"\x89PNG"),
                "{url}: {content_type}"
            );
        }
    }
}

async fn the_initializer_loads_the_served_document(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let (base, page) = docs_page(&app).await;
    let mut initializers = Vec::new();
    for url in local_references(&base, &page) {
        if !has_extension(&url, "js") {
            continue;
        }
        let script = send(&app.client, Method::GET, url.as_str(), &[]).await;
        assert_eq!(script.status, 200, "{url}");
        if script.body.contains("SwaggerUIBundle(") && script.body.len() < 20_000 {
            initializers.push((url, script.body));
        }
    }
    let [(url, initializer)] = initializers.as_slice() else {
        panic!(
            "one script of /docs/ starts Swagger UI, found {}",
            initializers.len()
        );
    };
    let compact: String = initializer.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains("\"url\":\"/openapi.json\"") || compact.contains("url:\"/openapi.json\""),
        "{url} loads /openapi.json:\n{initializer}"
    );
    // No "Explore" bar: the base layout, without the top bar that loads any URL.
    assert!(
        compact.contains("\"layout\":\"BaseLayout\"") || compact.contains("layout:\"BaseLayout\""),
        "{url} uses the base layout:\n{initializer}"
    );
    assert!(
        !initializer.contains("petstore"),
        "{url} still names the pet store:\n{initializer}"
    );
    let document = app.get("/openapi.json").await;
    assert_eq!(document.status, 200, "{}", document.body);
    assert!(
        document.json()["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "/openapi.json is the OpenAPI 3.1 document"
    );
}

/// `GET url` with `Accept-Encoding: gzip` when `gzip`: the status, the
/// `Content-Encoding` and the body as sent (not decoded).
async fn raw_get(url: &str, gzip: bool) -> (u16, Option<String>, Vec<u8>) {
    let mut request = crate::support::client().get(url);
    if gzip {
        request = request.header("accept-encoding", "gzip");
    }
    let response = request.send().await.expect("the service answers");
    let status = response.status().as_u16();
    let encoding = response
        .headers()
        .get("content-encoding")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.bytes().await.expect("a body").to_vec();
    (status, encoding, body)
}

/// The Swagger UI bundle and `/openapi.json` come gzip-compressed to a client that
/// accepts it, and whole and plain to one that does not; decompressed, they are the
/// same bytes.
async fn the_documentation_is_gzipped_when_the_client_asks(backend: TestBackend) {
    use std::io::Read;
    let app = TestApp::spawn(backend).await;
    let (base, page) = docs_page(&app).await;
    let mut urls = vec![
        base.clone(),
        Url::parse(&format!("{}/openapi.json", app.address)).expect("a URL"),
    ];
    urls.extend(
        local_references(&base, &page)
            .into_iter()
            .filter(|url| has_extension(url, "js") || has_extension(url, "css")),
    );
    assert!(
        urls.len() > 3,
        "the page loads scripts and styles: {urls:?}"
    );
    let mut plain_total = 0;
    let mut gzip_total = 0;
    for url in urls {
        let (status, encoding, plain) = raw_get(url.as_str(), false).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(encoding, None, "{url} is plain unless asked");
        let (status, encoding, compressed) = raw_get(url.as_str(), true).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(
            encoding.as_deref(),
            Some("gzip"),
            "{url} is gzipped when asked"
        );
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut decoded)
            .unwrap_or_else(|error| panic!("{url} is valid gzip: {error}"));
        assert!(decoded == plain, "{url}: decompressed, the same bytes");
        plain_total += plain.len();
        gzip_total += compressed.len();
    }
    assert!(
        gzip_total * 2 < plain_total,
        "compression pays: {gzip_total} bytes instead of {plain_total}"
    );
}
