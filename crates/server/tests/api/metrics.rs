//! Prometheus metrics at `/metrics`: requests by route, method and status, request
//! latency by route, statement latency by statement, and the connection pool.

use std::collections::BTreeMap;

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, TestApp, TestBackend, TestDatabase, suite_tests, test_settings,
    url_string,
};

suite_tests!("metrics":
    metrics_are_prometheus_text,
    lookups_are_counted_by_route_method_and_status,
    bad_requests_are_counted_under_400,
    the_latency_histogram_counts_every_lookup,
    database_statements_are_timed,
    the_pool_is_reported,
);

/// One sample of the text exposition format.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
    /// The value as written.
    text: String,
}

impl Sample {
    /// The value of a counter, count, bucket or pool gauge: a whole number.
    fn whole(&self) -> u64 {
        self.text.parse().unwrap_or_else(|_| {
            panic!(
                "{}{:?} is a whole number, got {:?}",
                self.name, self.labels, self.text
            )
        })
    }
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).expect("a small number")
}

/// Parses `name{label="value",...} value` lines; the test fails on any other line
/// that is not a comment.
pub fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value_text) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("not a sample: {line:?}"));
            let value: f64 = match value_text {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                other => other
                    .parse()
                    .unwrap_or_else(|_| panic!("not a number in {line:?}")),
            };
            let (name, labels) = match series.split_once('{') {
                None => (series, BTreeMap::new()),
                Some((name, rest)) => {
                    let body = rest
                        .strip_suffix('}')
                        .unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
                    (name, parse_labels(body, line))
                }
            };
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
                "bad metric name in {line:?}"
            );
            Sample {
                name: name.to_owned(),
                labels,
                value,
                text: value_text.to_owned(),
            }
        })
        .collect()
}

fn parse_labels(body: &str, line: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once("=\"")
            .unwrap_or_else(|| panic!("bad labels in {line:?}"));
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(if escaped == 'n' { '\n' } else { escaped });
                    }
                }
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => value.push(c),
            }
        }
        let end = end.unwrap_or_else(|| panic!("unclosed label value in {line:?}"));
        labels.insert(name.to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    labels
}

/// The sample `name` with exactly the labels `labels`, if present.
pub fn sample<'s>(
    samples: &'s [Sample],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'s Sample> {
    let wanted: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let matching: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name && s.labels == wanted)
        .collect();
    assert!(
        matching.len() <= 1,
        "{name}{labels:?} appears {} times",
        matching.len()
    );
    matching.first().copied()
}

/// `GET /metrics`, checked and parsed.
async fn scrape(app: &TestApp) -> Vec<Sample> {
    let response = app.get("/metrics").await;
    assert_eq!(response.status, 200, "{}", response.body);
    parse(&response.body)
}

/// A counter or histogram count; before anything was counted it is absent: zero.
pub fn count(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> u64 {
    sample(samples, name, labels).map_or(0, Sample::whole)
}

/// A histogram's sum; absent: zero.
fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(samples, name, labels).map_or(0.0, |s| s.value)
}

fn requests(samples: &[Sample], status: &str) -> u64 {
    count(
        samples,
        "http_requests_total",
        &[
            ("route", LOOKUP_PATH),
            ("method", "GET"),
            ("status", status),
        ],
    )
}

/// Lookups that all answer 200, with how many customers each finds.
const LOOKUPS: [(&str, usize); 5] = [
    (EXAMPLE_QUERY, 1),
    ("companyCode=jtc&customerId=54218&lang=en", 1),
    ("companyCode=jtc&mobileNumber=551234567&lang=ar", 2),
    ("companyCode=jtc&referenceNo=POL-2025-000123&lang=en", 2),
    ("companyCode=jtc&customerId=99999&lang=en", 0),
];

async fn run_lookups(app: &TestApp) {
    for (query, found) in LOOKUPS {
        let response = app.lookup(query).await;
        assert_eq!(response.customers().len(), found, "{query}");
    }
}

async fn metrics_are_prometheus_text(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    run_lookups(&app).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain") && content_type.contains("version=0.0.4"),
        "the text exposition format, got {content_type:?}"
    );
    for (family, kind) in [
        ("http_requests_total", "counter"),
        ("http_request_duration_seconds", "histogram"),
        ("db_query_duration_seconds", "histogram"),
        ("db_pool_connections", "gauge"),
    ] {
        assert!(
            response
                .body
                .lines()
                .any(|line| line == format!("# TYPE {family} {kind}")),
            "# TYPE {family} {kind}\n{}",
            response.body
        );
        assert!(
            response
                .body
                .lines()
                .any(|line| line.starts_with(&format!("# HELP {family} "))),
            "# HELP {family}"
        );
    }
    let samples = parse(&response.body);
    // Every histogram's buckets are cumulative and end with +Inf = _count.
    for family in ["http_request_duration_seconds", "db_query_duration_seconds"] {
        let counts: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.name == format!("{family}_count"))
            .collect();
        assert!(!counts.is_empty(), "{family} has series");
        for series in counts {
            let mut buckets: Vec<(f64, u64)> = samples
                .iter()
                .filter(|s| {
                    s.name == format!("{family}_bucket") && {
                        let mut labels = s.labels.clone();
                        labels.remove("le");
                        labels == series.labels
                    }
                })
                .map(|s| {
                    let le = &s.labels["le"];
                    let bound = if le == "+Inf" {
                        f64::INFINITY
                    } else {
                        le.parse().expect("a numeric le")
                    };
                    (bound, s.whole())
                })
                .collect();
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert!(
                buckets.windows(2).all(|w| w[0].1 <= w[1].1),
                "{family}{:?} buckets are cumulative",
                series.labels
            );
            let last = buckets.last().expect("buckets");
            assert!(
                last.0.is_infinite() && last.1 == series.whole(),
                "{family}{:?}: +Inf bucket = count",
                series.labels
            );
        }
    }
}

async fn lookups_are_counted_by_route_method_and_status(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    // Once before, so that the counters exist; they must then move by exactly N.
    run_lookups(&app).await;
    let before = scrape(&app).await;
    let rounds = 3;
    for _ in 0..rounds {
        run_lookups(&app).await;
    }
    let after = scrape(&app).await;
    let n = rounds * to_u64(LOOKUPS.len());
    assert_eq!(
        requests(&after, "200") - requests(&before, "200"),
        n,
        "http_requests_total{{route=\"{LOOKUP_PATH}\",method=\"GET\",status=\"200\"}} went up by {n}"
    );
    assert_eq!(requests(&after, "400"), requests(&before, "400"));
    // The scrapes themselves are counted under their own route.
    assert!(
        count(
            &after,
            "http_requests_total",
            &[("route", "/metrics"), ("method", "GET"), ("status", "200")]
        ) >= 1,
        "/metrics is counted under its own route"
    );

    // From a fresh service: N lookups, exactly N counted.
    let fresh = TestApp::spawn(backend).await;
    let before = scrape(&fresh).await;
    run_lookups(&fresh).await;
    let after = scrape(&fresh).await;
    assert_eq!(
        requests(&after, "200") - requests(&before, "200"),
        to_u64(LOOKUPS.len())
    );
}

async fn bad_requests_are_counted_under_400(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let before = scrape(&app).await;
    let bad = [
        "companyCode=jtc&mobileNumber=468617084&lang=en".to_owned(),
        "lang=ar".to_owned(),
        "companyCode=nope&customerId=1&lang=en".to_owned(),
        format!("{EXAMPLE_QUERY}&pad={}", "x".repeat(3000)),
    ];
    for query in &bad {
        let response = app.lookup(query).await;
        assert_eq!(response.status, 400, "{}", response.body);
    }
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let after = scrape(&app).await;
    assert_eq!(
        requests(&after, "400") - requests(&before, "400"),
        to_u64(bad.len()),
        "every 400 is counted under status 400"
    );
    assert_eq!(requests(&after, "200") - requests(&before, "200"), 1);
}

async fn the_latency_histogram_counts_every_lookup(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let route = [("route", LOOKUP_PATH)];
    let before = scrape(&app).await;
    run_lookups(&app).await;
    let invalid = app.lookup("lang=en").await;
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    let after = scrape(&app).await;
    let n = to_u64(LOOKUPS.len()) + 1;
    let count_of =
        |samples: &[Sample]| count(samples, "http_request_duration_seconds_count", &route);
    assert_eq!(
        count_of(&after) - count_of(&before),
        n,
        "http_request_duration_seconds_count{{route=\"{LOOKUP_PATH}\"}} went up by {n}"
    );
    let sum_of = |samples: &[Sample]| sum(samples, "http_request_duration_seconds_sum", &route);
    assert!(
        sum_of(&after) > sum_of(&before),
        "http_request_duration_seconds_sum went up"
    );
    let inf = [("route", LOOKUP_PATH), ("le", "+Inf")];
    assert_eq!(
        count(&after, "http_request_duration_seconds_bucket", &inf)
            - count(&before, "http_request_duration_seconds_bucket", &inf),
        n
    );
}

/// Each lookup runs one statement, `find_customers` (it reads the contacts too); a
/// rejected request runs none.
async fn database_statements_are_timed(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let statement = |samples: &[Sample], name: &str| {
        count(
            samples,
            "db_query_duration_seconds_count",
            &[("statement", name)],
        )
    };
    let before = scrape(&app).await;
    run_lookups(&app).await;
    let invalid = app
        .lookup("companyCode=jtc&mobileNumber=468617084&lang=en")
        .await;
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    let after = scrape(&app).await;
    assert_eq!(
        statement(&after, "find_customers") - statement(&before, "find_customers"),
        to_u64(LOOKUPS.len()),
        "db_query_duration_seconds_count{{statement=\"find_customers\"}} went up once per lookup"
    );
    assert_eq!(
        statement(&after, "find_contacts"),
        0,
        "no second statement: the contacts come with the customers"
    );
    assert!(
        sum(
            &after,
            "db_query_duration_seconds_sum",
            &[("statement", "find_customers")]
        ) > 0.0
    );
}

async fn the_pool_is_reported(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut settings = test_settings(&url_string(database.url()));
    settings.database.pool.max_size = 3;
    let max = to_u64(settings.database.pool.max_size);
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let state = |samples: &[Sample], state: &str| {
        sample(samples, "db_pool_connections", &[("state", state)])
            .unwrap_or_else(|| panic!("db_pool_connections{{state=\"{state}\"}} is present"))
            .whole()
    };
    let idle_service = scrape(&app).await;
    assert_eq!(state(&idle_service, "max"), max);
    run_lookups(&app).await;
    let samples = scrape(&app).await;
    assert_eq!(
        state(&samples, "max"),
        max,
        "db_pool_connections{{state=\"max\"}} is database.max_connections"
    );
    let size = state(&samples, "size");
    let idle = state(&samples, "idle");
    let waiting = state(&samples, "waiting");
    assert!(
        (1..=max).contains(&size),
        "after lookups, 1 <= size <= max: {size}"
    );
    assert!(idle <= size, "idle <= size: {idle} > {size}");
    assert_eq!(waiting, 0, "no request waits for a connection now");
}
