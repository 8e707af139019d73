//! Logs: `tracing`, as text or JSON, filtered by `log.level` or `RUST_LOG`.

use std::fmt::{self, Write as _};
use std::fs::File;
use std::os::fd::AsFd;
use std::sync::Arc;

use chrono::{Datelike, Timelike, Utc};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::settings::{LogFormat, LogSettings};

/// Installs the global subscriber; `RUST_LOG`, when set, wins over `log.level`.
pub fn init(settings: &LogSettings) -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(filter) if !filter.is_empty() => {
            EnvFilter::try_new(filter).map_err(|e| format!("RUST_LOG: {e}"))?
        }
        _ => EnvFilter::try_new(&settings.level)
            .map_err(|e| format!("configuration error: log.level: {e}"))?,
    };
    // Colours only for a terminal: escape codes garble files and log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    // Each line goes out in one write(2) on a handle of the log's own: the standard
    // handle takes a process-wide lock around every line, and the workers queued on it.
    let out = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(|fd| Arc::new(File::from(fd)))
        .map_err(|e| format!("standard output: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(out);
    let result = match settings.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .fmt_fields(JsonFields)
            .event_format(JsonLine)
            .try_init(),
    };
    result.map_err(|e| e.to_string())
}

/// One JSON object per event, on one line: `timestamp` (UTC, microseconds), `level`, the
/// event's fields (`message` first), `target`, then, inside spans, `span` (the current
/// one's fields and `name`) and `spans` (all of them, outermost first), as
/// tracing-subscriber's own JSON format writes them with `flatten_event(true)`.
///
/// Written straight into the line's buffer: the stock formatter sends every value through
/// serde's map serializer and an `fmt::Write` adapter, which cost a third of the work of
/// answering an invalid request.
#[derive(Debug, Clone, Copy)]
pub struct JsonLine;

/// A span's fields as one JSON object, kept with the span for [`JsonLine`].
#[derive(Debug, Clone, Copy)]
pub struct JsonFields;

impl<'writer> FormatFields<'writer> for JsonFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut object = String::new();
        fields.record(&mut FieldWriter { line: &mut object });
        // The writer puts `,` before each field: the first becomes the opening brace.
        if object.is_empty() {
            writer.write_str("{}")
        } else {
            write!(writer, "{{{}}}", &object[1..])
        }
    }

    fn add_fields(
        &self,
        current: &mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let mut added = String::new();
        fields.record(&mut FieldWriter { line: &mut added });
        if added.is_empty() {
            return Ok(());
        }
        match current.fields.strip_suffix('}') {
            Some(open) if open.len() > 1 => {
                current.fields = format!("{open}{added}}}");
            }
            _ => current.fields = format!("{{{}}}", &added[1..]),
        }
        Ok(())
    }
}

impl<S> FormatEvent<S, JsonFields> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::with_capacity(320);
        let now = Utc::now();
        write!(
            line,
            "{{\"timestamp\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z\",\"level\":\"{}\"",
            now.year(),
            now.month(),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.timestamp_subsec_micros().min(999_999),
            event.metadata().level()
        )?;
        event.record(&mut FieldWriter { line: &mut line });
        line.push_str(",\"target\":");
        push_json_str(&mut line, event.metadata().target());
        if let Some(scope) = ctx.event_scope() {
            let mut spans = String::new();
            let mut current = None;
            for span in scope.from_root() {
                let extensions = span.extensions();
                let fields = extensions
                    .get::<FormattedFields<JsonFields>>()
                    .map_or("", |fields| fields.fields.as_str());
                let mut object = String::with_capacity(fields.len() + 32);
                // The stored fields are a JSON object (`{}` when there are none).
                match fields.strip_suffix('}') {
                    Some(open) if open.len() > 1 => {
                        object.push_str(open);
                        object.push(',');
                    }
                    _ => object.push('{'),
                }
                object.push_str("\"name\":");
                push_json_str(&mut object, span.name());
                object.push('}');
                if !spans.is_empty() {
                    spans.push(',');
                }
                spans.push_str(&object);
                current = Some(object);
            }
            if let Some(current) = current {
                write!(line, ",\"span\":{current},\"spans\":[{spans}]")?;
            }
        }
        line.push_str("}\n");
        writer.write_str(&line)
    }
}

/// Writes an event's fields as `,"name":value` pairs.
struct FieldWriter<'a> {
    line: &'a mut String,
}

impl FieldWriter<'_> {
    fn key(&mut self, field: &Field) {
        self.line.push(',');
        push_json_str(self.line, field.name());
        self.line.push(':');
    }
}

impl Visit for FieldWriter<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.key(field);
        if value.is_finite() {
            let _ = write!(self.line, "{value}");
        } else {
            // JSON has no NaN or infinity.
            self.line.push_str("null");
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.key(field);
        let _ = write!(self.line, "{value}");
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.key(field);
        let _ = write!(self.line, "{value}");
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.key(field);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.key(field);
        push_json_str(self.line, value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.key(field);
        push_json_str(self.line, &format!("{value:?}"));
    }
}

/// `value` as a JSON string, quoted and escaped.
fn push_json_str(line: &mut String, value: &str) {
    line.push('"');
    let mut start = 0;
    // Only ASCII needs escaping, and no byte of a multi-byte UTF-8 character is ASCII.
    for (at, byte) in value.bytes().enumerate() {
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        line.push_str(&value[start..at]);
        if escaped.is_empty() {
            let _ = write!(line, "\\u{byte:04x}");
        } else {
            line.push_str(escaped);
        }
        start = at + 1;
    }
    line.push_str(&value[start..]);
    line.push('"');
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use serde_json::Value;
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

    /// The lines `log` writes, each parsed as JSON, with its keys in the order written.
    fn lines(log: impl FnOnce()) -> Vec<(Value, Vec<String>)> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .fmt_fields(JsonFields)
            .event_format(JsonLine)
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        let text = String::from_utf8(captured.0.lock().expect("the buffer").clone())
            .expect("UTF-8 output");
        assert!(text.ends_with('\n'), "{text}");
        text.lines()
            .map(|line| {
                let value = serde_json::from_str(line).expect("one JSON object per line");
                let KeysInOrder(keys) = serde_json::from_str(line).expect("an object");
                (value, keys)
            })
            .collect()
    }

    /// The keys of a JSON object, in the order written.
    struct KeysInOrder(Vec<String>);

    impl<'de> serde::Deserialize<'de> for KeysInOrder {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Keys;
            impl<'de> serde::de::Visitor<'de> for Keys {
                type Value = KeysInOrder;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<KeysInOrder, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        keys.push(key);
                    }
                    Ok(KeysInOrder(keys))
                }
            }
            deserializer.deserialize_map(Keys)
        }
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
        let [(line, keys)] = lines.as_slice() else {
            panic!("one line: {lines:?}")
        };
        assert_eq!(
            keys,
            &[
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
        let [(line, keys)] = lines.as_slice() else {
            panic!("one line: {lines:?}")
        };
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["span"], serde_json::json!({"name": "empty"}));
        assert_eq!(
            line["spans"],
            serde_json::json!([{"request_id": "r-1", "name": "request"}, {"name": "empty"}])
        );
        assert_eq!(
            keys,
            &[
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
            lines[0].0["span"],
            serde_json::json!({"id": 7, "later": "now", "name": "request"})
        );
    }

    #[test]
    fn events_outside_spans_have_no_span_keys() {
        let lines = lines(|| tracing::error!("alone"));
        assert_eq!(lines[0].1, ["timestamp", "level", "message", "target"]);
    }
}
