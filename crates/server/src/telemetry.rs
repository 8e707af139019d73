//! Logs: `tracing`, as text or JSON lines, filtered by `log.level` or `RUST_LOG`, written
//! to standard output (standard error for the administration commands) by a thread of
//! their own.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tracing::Level;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{FilterExt, Targets, filter_fn};
use tracing_subscriber::fmt::format::{DefaultFields, Format, Full, Json, JsonFields};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::settings::{LogFormat, LogSettings};
use crate::shutdown::LISTENER_CLOSED;
use customer_web::RateLimitedLog;

/// Installs the global subscriber; `RUST_LOG`, when set, wins over `log.level`.
///
/// Returns the guard of the thread that writes the lines: keep it for the life of the
/// process. Dropping it writes out the lines still queued (waiting up to a second), so
/// that the last lines before a normal exit are not lost.
pub fn init(settings: &LogSettings) -> Result<WorkerGuard, String> {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    init_writing_to(settings, std::io::stdout(), ansi)
}

/// [`init`], the lines written to standard error: for commands whose standard output is
/// their answer (`clients list --json`), which a log line would spoil.
pub fn init_on_stderr(settings: &LogSettings) -> Result<WorkerGuard, String> {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    init_writing_to(settings, std::io::stderr(), ansi)
}

fn init_writing_to<W>(settings: &LogSettings, output: W, ansi: bool) -> Result<WorkerGuard, String>
where
    W: std::io::Write + Send + 'static,
{
    let filter = match std::env::var("RUST_LOG") {
        Ok(filter) if !filter.is_empty() => {
            with_client_errors_quiet(EnvFilter::try_new(&filter), &filter)
                .map_err(|e| format!("RUST_LOG: {e}"))?
        }
        _ => with_client_errors_quiet(EnvFilter::try_new(&settings.level), &settings.level)
            .map_err(|e| format!("configuration error: log.level: {e}"))?,
    };
    // A request hands its line to a queue and goes on; one thread writes the lines, so
    // no worker waits for a slow terminal or pipe, nor for the others at the lock of the
    // standard output. Not lossy: when the queue is full (128,000 lines), a request waits
    // for room rather than its line being dropped, since a line may be the only record
    // of what was disclosed to whom.
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(output);
    // Colours only for a terminal: escape codes garble files and log collectors.
    let lines = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(writer);
    let lines = match settings.format {
        LogFormat::Text => lines.boxed(),
        LogFormat::Json => json_lines(lines).boxed(),
    };
    // actix's accept thread fails on the socket a drain has closed: expected, not news.
    let accept_after_close = filter_fn(|metadata| {
        !(metadata.target() == "actix_server::accept" && LISTENER_CLOSED.load(Ordering::SeqCst))
    });
    tracing_subscriber::registry()
        .with(lines.with_filter(filter.and(accept_after_close)))
        .with(ClientErrors::layer())
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(guard)
}

/// `filter` with actix-http's connection errors left out unless `text` names
/// `actix_http`: they are the clients' mistakes (a malformed request head, a connection
/// dropped half-way), which actix-http logs at ERROR; [`ClientErrors`] reports them at
/// WARN instead, a line at most every [`CLIENT_ERROR_LOG_INTERVAL`].
fn with_client_errors_quiet(
    filter: Result<EnvFilter, tracing_subscriber::filter::ParseError>,
    text: &str,
) -> Result<EnvFilter, tracing_subscriber::filter::ParseError> {
    let filter = filter?;
    if text.contains("actix_http") {
        return Ok(filter);
    }
    Ok(filter.add_directive(CLIENT_ERROR_TARGET.parse()?))
}

/// The directive that silences actix-http's connection errors.
const CLIENT_ERROR_TARGET: &str = "actix_http::h1::dispatcher=off";

/// The shortest time between two lines about clients' malformed requests.
const CLIENT_ERROR_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Turns actix-http's ERROR lines about connections into one WARN line a
/// [`CLIENT_ERROR_LOG_INTERVAL`], counting those in between.
struct ClientErrors {
    log: RateLimitedLog,
}

impl ClientErrors {
    fn layer<S>() -> impl Layer<S>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        Self {
            log: RateLimitedLog::new(CLIENT_ERROR_LOG_INTERVAL),
        }
        .with_filter(Targets::new().with_target("actix_http::h1::dispatcher", Level::ERROR))
    }
}

impl<S: tracing::Subscriber> Layer<S> for ClientErrors {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if let Some(since) = self.log.admit("client") {
            let mut message = Message(String::new());
            event.record(&mut message);
            tracing::warn!(
                error = message.0.as_str(),
                repeated = since,
                "a client sent a malformed request or dropped its connection \
                 (logged at most every 10 s)"
            );
        }
    }
}

/// The `message` of an event.
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// One JSON object per event, on one line: `timestamp` (UTC, microseconds), `level`, the
/// event's fields (`message` first), `target`, then, inside spans, `span` (the current
/// one's fields and `name`) and `spans` (all of them, outermost first).
fn json_lines<S, T, W>(
    layer: tracing_subscriber::fmt::Layer<S, DefaultFields, Format<Full, T>, W>,
) -> tracing_subscriber::fmt::Layer<S, JsonFields, Format<Json, T>, W> {
    layer
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(true)
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use serde_json::{Map, Value};
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("the buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Self;
        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    /// The lines `log` writes in the JSON format of the service, each parsed as a JSON
    /// object (whose keys keep the order written).
    fn lines(log: impl FnOnce()) -> Vec<Map<String, Value>> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(json_lines(
            tracing_subscriber::fmt::layer()
                .with_writer(captured.clone())
                .with_ansi(false),
        ));
        tracing::subscriber::with_default(subscriber, log);
        let text = String::from_utf8(captured.0.lock().expect("the buffer").clone())
            .expect("UTF-8 output");
        assert!(text.ends_with('\n'), "{text}");
        text.lines()
            .map(|line| match serde_json::from_str(line) {
                Ok(Value::Object(fields)) => fields,
                other => panic!("one JSON object per line, got {other:?}: {line}"),
            })
            .collect()
    }

    fn keys(line: &Map<String, Value>) -> Vec<&str> {
        line.keys().map(String::as_str).collect()
    }

    #[test]
    fn an_event_is_one_json_object_with_its_fields_typed_and_escaped() {
        let lines = lines(|| {
            tracing::info!(
                text = "a \"quoted\" \\ line\nwith\ttabs, \u{1} and العربية",
                count = 3_u64,
                delta = -4_i64,
                ratio = 0.25,
                nothing = f64::NAN,
                flag = true,
                missing = None::<u64>,
                debugged = ?vec!["x"],
                "hello {}",
                "world"
            );
        });
        let [line] = lines.as_slice() else {
            panic!("one line: {lines:?}")
        };
        assert_eq!(
            keys(line),
            [
                "timestamp",
                "level",
                "message",
                "text",
                "count",
                "delta",
                "ratio",
                "nothing",
                "flag",
                "debugged",
                "target"
            ]
        );
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "hello world");
        assert_eq!(
            line["text"],
            "a \"quoted\" \\ line\nwith\ttabs, \u{1} and العربية"
        );
        assert_eq!(line["count"], 3);
        assert_eq!(line["delta"], -4);
        assert_eq!(line["ratio"], 0.25);
        assert_eq!(line["nothing"], Value::Null);
        assert_eq!(line["flag"], true);
        assert_eq!(line["debugged"], "[\"x\"]");
        assert_eq!(line["target"], module_path!());
        let timestamp = line["timestamp"].as_str().expect("a string");
        assert!(
            chrono::DateTime::parse_from_rfc3339(timestamp).is_ok() && timestamp.len() == 27,
            "{timestamp}"
        );
    }

    #[test]
    fn events_in_spans_carry_the_current_span_and_all_spans() {
        let lines = lines(|| {
            let outer = tracing::info_span!("request", request_id = "r-1");
            let _outer = outer.enter();
            let inner = tracing::info_span!("empty");
            let _inner = inner.enter();
            tracing::warn!(reason = "x", "inside");
        });
        let [line] = lines.as_slice() else {
            panic!("one line: {lines:?}")
        };
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["span"], serde_json::json!({"name": "empty"}));
        assert_eq!(
            line["spans"],
            serde_json::json!([{"request_id": "r-1", "name": "request"}, {"name": "empty"}])
        );
        assert_eq!(
            keys(line),
            [
                "timestamp",
                "level",
                "message",
                "reason",
                "target",
                "span",
                "spans"
            ]
        );
    }

    #[test]
    fn fields_recorded_later_join_the_span() {
        let lines = lines(|| {
            let span = tracing::info_span!("request", id = 7_u64, later = tracing::field::Empty);
            span.record("later", "now");
            let _entered = span.enter();
            tracing::info!("inside");
        });
        assert_eq!(
            lines[0]["span"],
            serde_json::json!({"id": 7, "later": "now", "name": "request"})
        );
    }

    #[test]
    fn events_outside_spans_have_no_span_keys() {
        let lines = lines(|| tracing::error!("alone"));
        assert_eq!(keys(&lines[0]), ["timestamp", "level", "message", "target"]);
    }
}
