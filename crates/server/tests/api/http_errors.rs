//! Requests that actix-http refuses before any route or middleware sees them: their
//! answers are actix's own, with empty bodies (the README lists them); what is ours is
//! the log: no ERROR line for a client's mistake, one rate-limited WARN instead.

use std::fmt::Write as _;
use std::time::Duration;

use crate::support::{Service, TestBackend, TestDatabase, suite_tests, url_string};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

suite_tests!("http_errors":
    malformed_request_heads_get_actix_answers_and_log_one_warning,
);

/// Sends `bytes` on a new connection to `port` and reads what comes back until the
/// service closes the connection. A write the service cut short (it answers before the
/// whole of a huge head arrived) is not an error; what was read is kept.
async fn raw_exchange(port: u16, bytes: Vec<u8>) -> String {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("a connection");
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        writer
    });
    let mut answer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(count) = reader.read(&mut chunk).await {
            if count == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..count]);
        }
    })
    .await;
    assert!(read.is_ok(), "the service closes the connection");
    drop(writing.await);
    String::from_utf8_lossy(&answer).to_lowercase()
}

/// Each malformed head, with the status actix answers it with.
fn malformed_heads() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let path = "GET /health/live";
    let headers = (0..1000).fold(String::new(), |mut headers, i| {
        let _ = write!(headers, "X-Header-{i}: v\r\n");
        headers
    });
    let many_headers = format!("{path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
    vec![
        (
            "a 1 MiB header",
            format!(
                "{path} HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(1024 * 1024)
            )
            .into_bytes(),
            "431",
        ),
        ("1,000 headers", many_headers.into_bytes(), "431"),
        (
            "a 100 KiB request line",
            format!(
                "{path}?pad={} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(100 * 1024)
            )
            .into_bytes(),
            "400",
        ),
        (
            "a NUL in a header",
            format!("{path} HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n").into_bytes(),
            "400",
        ),
        (
            "no Host in HTTP/1.1",
            format!("{path} HTTP/1.1\r\n\r\n").into_bytes(),
            "400",
        ),
    ]
}

/// The real binary with JSON logs. Each malformed head gets actix's answer: the status,
/// `Content-Length: 0`, no body, no content type, no request id, and the connection
/// closed (pinned: the README's "Behaviour worth knowing" says so). A good request is
/// served afterwards. The output holds no ERROR line, and one WARN line (at most one
/// every 10 s) saying a client sent a malformed request, where actix-http alone would
/// have written an ERROR line for each.
async fn malformed_request_heads_get_actix_answers_and_log_one_warning(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    let folder = tempfile::tempdir().expect("a working folder");
    let url = url_string(database.url());
    let mut service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", url.as_str()),
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
            ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
            ("APP__SERVER__DRAIN_DELAY_MS", "0"),
            ("APP__LOG__FORMAT", "json"),
        ],
    )
    .await;
    let heads = malformed_heads();
    for (what, bytes, status) in &heads {
        let answer = raw_exchange(service.port, bytes.clone()).await;
        assert!(
            answer.starts_with(&format!("http/1.1 {status} ")),
            "{what}: {answer}"
        );
        assert!(answer.contains("content-length: 0\r\n"), "{what}: {answer}");
        assert!(answer.ends_with("\r\n\r\n"), "{what}: no body: {answer}");
        for header in ["content-type", "x-request-id"] {
            assert!(!answer.contains(header), "{what}: no {header}: {answer}");
        }
    }
    let good = raw_exchange(
        service.port,
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
    )
    .await;
    assert!(good.starts_with("http/1.1 200 "), "{good}");

    let status = service.terminate(Duration::from_secs(15)).await;
    assert!(status.success(), "{}", service.logs());
    let lines: Vec<Value> = service
        .stdout()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let errors: Vec<&Value> = lines
        .iter()
        .filter(|line| line["level"] == "ERROR")
        .collect();
    assert!(errors.is_empty(), "no ERROR line: {errors:?}");
    let warnings: Vec<&Value> = lines
        .iter()
        .filter(|line| {
            line["level"] == "WARN"
                && line["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("malformed request"))
        })
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one WARN line for {} malformed requests: {warnings:?}\n{}",
        heads.len(),
        service.logs()
    );
    drop(database);
}
