//! The request log of the real binary, as JSON (`APP__LOG__FORMAT=json`): one line per
//! request, carrying its request id, and the searched identifiers only masked.

use std::time::Duration;

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, Service, TestBackend, TestDatabase, TestResponse, add_client,
    client, send, suite_tests, url_string,
};
use reqwest::Method;
use serde_json::Value;

suite_tests!("logs":
    every_request_has_one_json_log_line_with_its_request_id,
    searched_identifiers_appear_in_the_output_only_masked,
    refused_requests_leave_a_line_per_client_address_and_interval,
);

/// `568617084` in Arabic-Indic digits (`٥٦٨٦١٧٠٨٤`), percent-encoded.
const ARABIC_MOBILE: &str = "%D9%A5%D9%A6%D9%A8%D9%A6%D9%A1%D9%A7%D9%A0%D9%A8%D9%A4";

/// The requests sent: path and query, and for lookups that succeed the number of
/// customers found.
fn requests() -> Vec<(String, Option<usize>)> {
    let lookup = |query: &str| format!("{LOOKUP_PATH}?{query}");
    vec![
        (lookup(EXAMPLE_QUERY), Some(1)),
        (lookup("companyCode=jtc&customerId=54218&lang=en"), Some(1)),
        (
            lookup("companyCode=jtc&identificationNo=2103232123&lang=en"),
            Some(1),
        ),
        (
            lookup("companyCode=jtc&mobileNumber=568617084&lang=en"),
            Some(1),
        ),
        (
            lookup("companyCode=jtc&referenceNo=333215&lang=ar"),
            Some(1),
        ),
        (
            lookup(&format!(
                "companyCode=jtc&mobileNumber={ARABIC_MOBILE}&lang=ar"
            )),
            Some(1),
        ),
        (
            lookup("companyCode=jtc&mobileNumber=551234567&lang=en"),
            Some(2),
        ),
        (
            lookup("companyCode=jtc&referenceNo=POL-2025-000123&lang=en"),
            Some(2),
        ),
        (
            lookup("companyCode=jfc&identificationNo=1034567891&lang=en"),
            Some(1),
        ),
        (lookup("companyCode=jtc&customerId=99999&lang=en"), Some(0)),
        // Rejected: the invalid value is not logged either.
        (
            lookup("companyCode=jtc&mobileNumber=468617084&lang=en"),
            None,
        ),
        ("/health/live".to_owned(), None),
        ("/v1/core/nothing?mobileNumber=512345678".to_owned(), None),
    ]
}

/// Searched identifier values that must never be written in clear: as sent (the
/// Arabic-Indic one in its characters and percent-encoded) and in ASCII.
const SECRETS: &[&str] = &[
    "2103232123",
    "568617084",
    "333215",
    "٥٦٨٦١٧٠٨٤",
    ARABIC_MOBILE,
    "551234567",
    "POL-2025-000123",
    "1034567891",
    "468617084",
    "512345678",
];

/// Their masked forms, which the log shows instead (all but the last three characters
/// replaced by `*`).
const MASKED: &[&str] = &[
    "*******123",
    "******084",
    "***215",
    "******٠٨٤",
    "******567",
    "************123",
];

/// One exchange: the request, its response, the customers it should find.
struct Exchange {
    path: String,
    response: TestResponse,
    found: Option<usize>,
}

/// Runs the binary over the demo data with JSON logs, sends [`requests`], stops it;
/// returns the exchanges, its standard output and its standard error.
async fn run_with_json_logs(backend: TestBackend) -> (Vec<Exchange>, String, String) {
    // As in production: data loaded beforehand, no demo mode (whose start-up message
    // shows the example's identifiers as a `curl` to try).
    let database = TestDatabase::with_demo_data(backend).await;
    let folder = tempfile::tempdir().expect("an empty working folder");
    let url = url_string(database.url());
    let env = vec![
        ("APP__LOG__FORMAT", "json"),
        ("APP__LOG__LEVEL", "info"),
        ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
        ("DATABASE_URL", url.as_str()),
    ];
    let bearer = format!(
        "Bearer {}",
        add_client(database.url(), "log-reader", "all", None).await
    );
    let mut service = Service::start(folder.path(), &env).await;
    let mut exchanges = Vec::new();
    {
        let client = client();
        for (path, found) in requests() {
            let url = format!("{}{path}", service.address());
            let response = send(&client, Method::GET, &url, &[("authorization", &bearer)]).await;
            if let Some(found) = found {
                assert_eq!(
                    response.customers().len(),
                    found,
                    "{path}\n{}",
                    service.logs()
                );
            }
            exchanges.push(Exchange {
                path,
                response,
                found,
            });
        }
    }
    let status = service.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status}\n{}", service.logs());
    let stdout = service.stdout();
    let logs = service.logs();
    (exchanges, stdout, logs)
}

async fn every_request_has_one_json_log_line_with_its_request_id(backend: TestBackend) {
    let (exchanges, stdout, logs) = run_with_json_logs(backend).await;
    let lines: Vec<Value> = stdout
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("a log line is not JSON ({error}): {line}"))
        })
        .collect();
    assert!(
        lines.iter().all(Value::is_object),
        "every line is a JSON object\n{logs}"
    );
    let request_lines: Vec<&Value> = lines
        .iter()
        .filter(|line| line.get("request_id").is_some() && line.get("status").is_some())
        .collect();
    assert_eq!(
        request_lines.len(),
        exchanges.len(),
        "one request line per request\n{logs}"
    );
    for exchange in &exchanges {
        let id = exchange
            .response
            .header("x-request-id")
            .unwrap_or_else(|| panic!("{}: no X-Request-Id", exchange.path));
        let mine: Vec<&&Value> = request_lines
            .iter()
            .filter(|line| line["request_id"] == id)
            .collect();
        let [line] = mine.as_slice() else {
            panic!(
                "{}: {} lines with request_id {id}\n{logs}",
                exchange.path,
                mine.len()
            );
        };
        let what = format!("{}: {line}", exchange.path);
        assert_eq!(line["method"], "GET", "{what}");
        assert_eq!(
            line["status"].as_u64(),
            Some(u64::from(exchange.response.status)),
            "{what}"
        );
        let route = line["route"].as_str().unwrap_or_default();
        let path = exchange.path.split('?').next().unwrap_or_default();
        if exchange.response.status == 404 {
            assert!(!route.is_empty(), "{what}");
        } else {
            assert_eq!(route, path, "{what}");
        }
        // Whole microseconds, not a float of milliseconds that prints 17 digits.
        assert!(line["latency_us"].is_u64(), "a latency in µs: {what}");
        assert!(line.get("latency_ms").is_none(), "{what}");
        match exchange.found {
            Some(found) => assert_eq!(
                line["customers"].as_u64(),
                Some(found as u64),
                "customers is the number returned: {what}"
            ),
            None => assert!(
                line.get("customers")
                    .is_none_or(|c| !c.is_number() || c == 0),
                "{what}"
            ),
        }
    }
}

/// The JSON lines of `stdout` that log a request.
fn request_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line.get("request_id").is_some() && line.get("status").is_some())
        .collect()
}

/// The sum of `http_refused_requests_total` for `caller`, in a Prometheus text.
fn refused_total(metrics: &str, caller: &str) -> u64 {
    let label = format!("caller=\"{caller}\"");
    metrics
        .lines()
        .filter(|line| line.starts_with("http_refused_requests_total{") && line.contains(&label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn refused_requests_leave_a_line_per_client_address_and_interval(backend: TestBackend) {
    const ANONYMOUS: u64 = 300;
    const WRONG_KEY: u64 = 100;
    const ACCEPTED: usize = 3;
    let database = TestDatabase::with_demo_data(backend).await;
    let folder = tempfile::tempdir().expect("an empty working folder");
    let url = url_string(database.url());
    let env = vec![
        ("APP__LOG__FORMAT", "json"),
        ("APP__LOG__LEVEL", "info"),
        ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
        ("DATABASE_URL", url.as_str()),
    ];
    let bearer = format!(
        "Bearer {}",
        add_client(database.url(), "log-reader", "all", None).await
    );
    let mut service = Service::start(folder.path(), &env).await;
    let client = client();
    let lookup = format!("{}{LOOKUP_PATH}?{EXAMPLE_QUERY}", service.address());
    // The accepted lookups first: the refusals that follow spend the address's budget
    // of failed authentications, and then every request from it is a 429.
    for _ in 0..ACCEPTED {
        let response = send(&client, Method::GET, &lookup, &[("authorization", &bearer)]).await;
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let wrong = "Bearer clk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    for n in 0..ANONYMOUS + WRONG_KEY {
        let headers: &[(&str, &str)] = if n < WRONG_KEY {
            &[("authorization", wrong)]
        } else {
            &[]
        };
        let response = send(&client, Method::GET, &lookup, headers).await;
        *statuses.entry(response.status).or_default() += 1;
    }
    assert_eq!(
        statuses.keys().copied().collect::<Vec<_>>(),
        [401, 429],
        "{statuses:?}"
    );
    let metrics = send(
        &client,
        Method::GET,
        &format!("{}/metrics", service.address()),
        &[],
    )
    .await;
    assert_eq!(
        refused_total(&metrics.body, "-"),
        ANONYMOUS + WRONG_KEY,
        "the metrics count every refusal\n{}",
        metrics.body
    );
    let status = service.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status}\n{}", service.logs());
    let lines: Vec<Value> = request_lines(&service.stdout())
        .into_iter()
        .filter(|line| line["route"] == LOOKUP_PATH)
        .collect();
    let accepted = lines.iter().filter(|line| line["status"] == 200).count();
    let refused: Vec<&Value> = lines
        .iter()
        .filter(|line| line["status"] == 401 || line["status"] == 429)
        .collect();
    assert_eq!(accepted, ACCEPTED, "each accepted lookup has its line");
    // One line per interval of 10 s for the one client address: two should the
    // requests straddle the end of an interval, three on a very slow machine.
    assert!(
        (1..=3).contains(&refused.len()),
        "{} lines for {} refusals:\n{refused:#?}",
        refused.len(),
        ANONYMOUS + WRONG_KEY
    );
    assert_eq!(refused[0]["client_address"], "127.0.0.1", "{}", refused[0]);
    assert!(refused[0]["refusals_left_out"].is_u64(), "{}", refused[0]);
}

/// The output with the fields that hold random digits (timestamps, latencies, request
/// ids) left out, so that a value cannot be found in them by chance.
fn scanned_text(output: &str) -> Vec<String> {
    output
        .lines()
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(mut fields)) => {
                fields.retain(|name, _| {
                    name != "timestamp" && name != "request_id" && !name.starts_with("latency")
                });
                Value::Object(fields).to_string()
            }
            _ => line.to_owned(),
        })
        .collect()
}

async fn searched_identifiers_appear_in_the_output_only_masked(backend: TestBackend) {
    let (_, _, logs) = run_with_json_logs(backend).await;
    let scanned = scanned_text(&logs);
    let mut clear = Vec::new();
    for secret in SECRETS {
        for line in scanned.iter().filter(|line| line.contains(secret)) {
            clear.push(format!("{secret:?} in: {line}"));
        }
    }
    for masked in MASKED {
        assert!(
            logs.contains(masked),
            "the masked form {masked:?} is logged\n{logs}"
        );
    }
    assert!(
        clear.is_empty(),
        "searched identifiers are written in clear:\n{}",
        clear.join("\n")
    );
}
