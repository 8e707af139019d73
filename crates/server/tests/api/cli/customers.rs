//! `customer-api import` and `customer-api export`, run as an operator would: a report of
//! the rejected lines (each with its number and every problem) and a summary on standard
//! output, exit status 1 when a line was rejected; a file imported again, a dry run,
//! standard input; an export imported into an empty database giving the same export, on
//! one backend and from one backend to the other; an import killed part of the way and
//! run again.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Run, TestBackend, TestDatabase, command, run, url_string};
use crate::db;

/// A file of `lines` in `folder`, each ended by a line feed.
fn file(folder: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = folder.join(name);
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&path, text).expect("the file is written");
    path
}

fn folder() -> tempfile::TempDir {
    tempfile::tempdir().expect("a folder for the files")
}

/// `customer-api import PATH ARGS...`.
async fn import(database: &TestDatabase, path: &Path, args: &[&str]) -> Run {
    let path = path.to_str().expect("a UTF-8 path");
    let mut all = vec!["import", path];
    all.extend_from_slice(args);
    run(database, &all, &[]).await
}

/// `customer-api ARGS` with `input` on its standard input.
async fn run_with_input(database: &TestDatabase, args: &[&str], input: String) -> Run {
    let url = url_string(database.url());
    let args: Vec<String> = args.iter().map(|&arg| arg.to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let folder = folder();
        let mut child = command(folder.path(), &url, &args, &[])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("customer-api runs");
        let mut stdin = child.stdin.take().expect("a standard input");
        stdin
            .write_all(input.as_bytes())
            .expect("the input is written");
        drop(stdin);
        let output = child.wait_with_output().expect("customer-api ends");
        Run::of(output)
    })
    .await
    .expect("the command ran")
}

/// The export of `company`'s customers; the command must succeed.
async fn export(database: &TestDatabase, company: &str) -> String {
    run(database, &["export", "--company", company], &[])
        .await
        .ok()
        .to_owned()
}

/// The exports of `jtc` then `jfc`.
async fn export_all(database: &TestDatabase) -> String {
    let mut all = export(database, "jtc").await;
    all.push_str(&export(database, "jfc").await);
    all
}

/// The lines of an export as JSON, without the ids each database gives its rows
/// (`versionId`, and `contactId` of each contact).
fn without_ids(export: &str) -> Vec<Value> {
    export
        .lines()
        .map(|line| {
            let mut entry: Value = serde_json::from_str(line).expect("a JSON line");
            if let Some(fields) = entry.as_object_mut() {
                fields.remove("versionId");
            }
            if let Some(Value::Array(contacts)) = entry.get_mut("customerContacts") {
                for contact in contacts {
                    contact
                        .as_object_mut()
                        .expect("a contact object")
                        .remove("contactId");
                }
            }
            entry
        })
        .collect()
}

/// The lines of an export about customer `customer`, as JSON.
fn entries_of(export: &str, customer: i64) -> Vec<Value> {
    export
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .filter(|entry| entry["customerId"] == customer)
        .collect()
}

/// The summary line, up to its duration: `read N, created N, ..., rejected N`.
fn summary(run: &Run) -> &str {
    let last = run.stdout.lines().last().unwrap_or_default();
    last.split(" in ")
        .next()
        .unwrap_or_else(|| panic!("a summary: {run:?}"))
}

/// A database without customers, with the companies `jtc` and `jfc` added by the CLI.
async fn empty_with_companies(backend: TestBackend) -> TestDatabase {
    let database = TestDatabase::new(backend).await;
    for (code, ar, en) in [
        ("jtc", "جود للتكافل", "Jood Takaful"),
        ("jfc", "جود للتمويل", "Jood Finance"),
    ] {
        run(
            &database,
            &["companies", "add", code, "--name-ar", ar, "--name-en", en],
            &[],
        )
        .await
        .ok();
    }
    database
}

fn line(value: &Value) -> String {
    value.to_string()
}

/// The lines of the import tests: good ones, and others each wrong in its own ways.
fn report_lines() -> Vec<String> {
    vec![
        line(
            &json!({"companyCode": "jtc", "customerId": 93001, "firstName": "Noura",
            "mobileNumber": "551000001", "startDate": "2026-01-01T00:00:00"}),
        ),
        line(&json!({"companyCode": "jtc", "customerId": 93002,
            "mobileNumber": "468617084", "genderId": 99, "colour": "blue"})),
        String::new(),
        line(
            &json!({"companyCode": "jtc", "customerId": 93003, "firstName": "Sara",
            "customerContacts": [{"contactName": "A", "relationTypeId": 3}],
            "referenceNos": ["P-93003"]}),
        ),
        r#"{"companyCode": "jtc","#.to_owned(),
        line(&json!({"companyCode": "jtc", "customerId": 93009, "deleted": true})),
        line(
            &json!({"companyCode": "jtc", "customerId": 93001, "firstName": "Noura",
            "mobileNumber": "551000002", "startDate": "2026-02-01T00:00:00"}),
        ),
        line(
            &json!({"companyCode": "jtc", "customerId": 93001, "firstName": "Old",
            "startDate": "2025-12-01T00:00:00"}),
        ),
    ]
}

/// Each rejected line is reported with its number (and customer, once read) and every
/// problem, by field; the others are applied; the summary counts them; the exit status
/// is 1. In Arabic with `--lang ar`.
pub(super) async fn import_reports_each_rejected_line_and_applies_the_others(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let files = folder();
    let path = file(files.path(), "customers.jsonl", &report_lines());
    let first = import(&database, &path, &[]).await;
    assert_eq!(first.code, 1, "{first:?}");
    let reported: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(
        reported[..4],
        [
            "line 2: colour: is not a field of a customer document; \
             genderId: is not a known value of its reference table; \
             mobileNumber: must start with 5",
            "line 5: is not valid JSON",
            "line 6 (customer 93009): customerId: names no current customer: \
             there is nothing to close",
            "line 8 (customer 93001): startDate: must be later than the current \
             version's start, 2026-02-01T00:00:00",
        ],
        "{first:?}"
    );
    assert_eq!(reported.len(), 5, "{first:?}");
    assert_eq!(
        summary(&first),
        "read 7, created 2, changed 1, unchanged 0, closed 0, rejected 4"
    );
    assert!(
        first.stderr.contains("customer-api: 4 line(s) rejected"),
        "{first:?}"
    );
    let exported = export(&database, "jtc").await;
    let noura = entries_of(&exported, 93001);
    assert_eq!(noura.len(), 2, "{noura:?}");
    assert_eq!(
        (&noura[0]["mobileNumber"], &noura[0]["endDate"]),
        (&json!("551000001"), &json!("2026-02-01T00:00:00"))
    );
    assert_eq!(
        (&noura[1]["mobileNumber"], &noura[1]["endDate"]),
        (&json!("551000002"), &Value::Null)
    );
    let sara = entries_of(&exported, 93003);
    assert_eq!(sara.len(), 1);
    assert_eq!(sara[0]["customerContacts"][0]["contactName"], "A");
    assert_eq!(sara[0]["referenceNos"], json!(["P-93003"]));
    assert!(
        entries_of(&exported, 93002).is_empty(),
        "line 2 is not applied"
    );

    let arabic = import(&database, &path, &["--lang", "ar"]).await;
    assert_eq!(arabic.code, 1, "{arabic:?}");
    let reported: Vec<&str> = arabic.stdout.lines().collect();
    assert_eq!(
        reported[0],
        "line 2: colour: ليس حقلاً من حقول مستند العميل; \
         genderId: ليست قيمة معروفة في جدولها المرجعي; mobileNumber: يجب أن يبدأ بالرقم 5"
    );
    assert_eq!(reported[1], "line 5: ليس JSON صالحاً");
    assert!(
        reported[3].starts_with("line 8 (customer 93001): startDate: يجب أن يكون بعد"),
        "{arabic:?}"
    );
    assert_eq!(
        summary(&arabic),
        "read 7, created 0, changed 0, unchanged 3, closed 0, rejected 4",
        "the good lines were applied the first time"
    );
}

/// A customer's life, dated, interleaved with others' (company `jtc`, and one of
/// `jfc`): changes, closes and a re-creation, every kind of field, Arabic text, times
/// with a fraction and with an offset.
fn history_lines() -> Vec<String> {
    let first = json!({"companyCode": "jtc", "customerId": 94001,
        "firstName": "نورة", "lastName": "Al-Harbi", "nationalityId": 1, "genderId": 2,
        "customerTypeId": 1, "dateOfBirth": "1990-02-03", "mobileNumber": "٥٥١٠٠٠٠٠١",
        "identificationNo": "1000000001", "emailAddress": "noura@example.com",
        "additionalPhoneCodeId": 8, "additionalMobileNumber": "100 123 4567",
        "address1": "Line 1\nLine 2", "isActive": 1, "createdDate": "2024-12-31T23:59:59.5",
        "startDate": "2025-01-01T08:00:00",
        "customerContacts": [
            {"contactName": "A", "contactNumber": "011 234 5678", "relationTypeId": 3,
             "primaryContact": true, "contactStartDate": "2024-01-01"},
            {"contactName": "B", "relationTypeId": 6, "profession": "معلمة"}
        ],
        "referenceNos": ["P-1", "P-2"]});
    let mut second = first.clone();
    second["mobileNumber"] = json!("551000011");
    second["startDate"] = json!("2025-02-01T00:00:00Z");
    second["customerContacts"] = json!([{"contactName": "B", "relationTypeId": 6,
        "profession": "معلمة"}, {"contactName": "C"}]);
    second["referenceNos"] = json!(["P-2", "P-3"]);
    let mut third = second.clone();
    third["startDate"] = json!("2025-03-01T10:00:00+05:00");
    third["customerContacts"] = json!([{"contactName": "C"}]);
    third["referenceNos"] = json!([]);
    let simple = |customer: i64, company: &str, name: &str, start: &str| {
        line(
            &json!({"companyCode": company, "customerId": customer, "firstName": name,
            "startDate": start}),
        )
    };
    let close = |customer: i64, end: &str| {
        line(
            &json!({"companyCode": "jtc", "customerId": customer, "deleted": true,
            "endDate": end}),
        )
    };
    vec![
        line(&first),
        simple(94002, "jtc", "Sara", "2025-01-02T09:30:00.25"),
        line(&second),
        simple(94003, "jfc", "Elsewhere", "2025-01-05"),
        close(94002, "2025-03-01T00:00:00"),
        line(&third),
        simple(94002, "jtc", "Sara Again", "2025-04-01"),
        simple(94004, "jtc", "Brief", "2025-01-01"),
        close(94004, "2025-01-15T00:00:00"),
    ]
}

/// A database holding the demo data and [`history_lines`], imported by the CLI.
async fn with_history(backend: TestBackend) -> TestDatabase {
    let database = TestDatabase::with_demo_data(backend).await;
    let files = folder();
    let path = file(files.path(), "history.jsonl", &history_lines());
    let imported = import(&database, &path, &[]).await;
    imported.ok();
    assert_eq!(
        summary(&imported),
        "read 9, created 5, changed 2, unchanged 0, closed 2, rejected 0"
    );
    database
}

/// A file imported again changes nothing: every line is unchanged, the exit status 0,
/// the export the same.
pub(super) async fn importing_a_file_again_changes_nothing(backend: TestBackend) {
    let database = with_history(backend).await;
    let before = export_all(&database).await;
    let files = folder();
    let path = file(files.path(), "history.jsonl", &history_lines());
    for batch_size in ["1000", "2"] {
        let again = import(&database, &path, &["--batch-size", batch_size]).await;
        again.ok();
        assert_eq!(
            summary(&again),
            "read 9, created 0, changed 0, unchanged 9, closed 0, rejected 0",
            "batches of {batch_size}"
        );
    }
    assert_eq!(export_all(&database).await, before);
    let history = entries_of(&before, 94001);
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(
        history
            .iter()
            .map(|v| v["startDate"].as_str().expect("a start"))
            .collect::<Vec<_>>(),
        [
            "2025-01-01T08:00:00",
            "2025-02-01T03:00:00",
            "2025-03-01T08:00:00"
        ],
        "offsets converted to the local time (+03:00)"
    );
    assert_eq!(history[0]["mobileNumber"], "551000001");
    assert_eq!(
        history[0]["additionalMobileNumber"], "1001234567",
        "a home number under its own phone code"
    );
    assert_eq!(
        history[0]["customerContacts"][0]["contactNumber"],
        "0112345678"
    );
    let closes: Vec<Value> = entries_of(&before, 94002)
        .into_iter()
        .filter(|entry| entry["deleted"] == true)
        .collect();
    assert_eq!(
        closes,
        [
            json!({"companyCode": "jtc", "customerId": 94002, "deleted": true,
            "endDate": "2025-03-01T00:00:00"})
        ],
        "a close between the two lives of 94002"
    );
}

/// A dry run reports what the lines would do, rejected ones included, and writes
/// nothing; its summary says so.
pub(super) async fn import_dry_run_writes_nothing(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let before = export_all(&database).await;
    let files = folder();
    let path = file(files.path(), "customers.jsonl", &report_lines());
    let dry = import(&database, &path, &["--dry-run"]).await;
    assert_eq!(dry.code, 1, "{dry:?}");
    assert_eq!(dry.stdout.lines().count(), 5, "{dry:?}");
    assert!(
        dry.stdout
            .lines()
            .last()
            .is_some_and(|last| last.ends_with("(dry run: nothing was written)")),
        "{dry:?}"
    );
    assert_eq!(
        summary(&dry),
        "read 7, created 2, changed 1, unchanged 0, closed 0, rejected 4"
    );
    assert_eq!(export_all(&database).await, before, "nothing written");
    let real = import(&database, &path, &[]).await;
    assert_eq!(summary(&real), summary(&dry), "what the dry run said");
}

/// `import -` reads standard input, lines numbered as in a file.
pub(super) async fn import_reads_standard_input(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut input = report_lines().join("\r\n");
    input.push_str("\r\n");
    let piped = run_with_input(&database, &["import", "-"], input).await;
    assert_eq!(piped.code, 1, "{piped:?}");
    assert!(piped.stdout.starts_with("line 2: colour: "), "{piped:?}");
    assert!(
        piped
            .stdout
            .contains("\nline 8 (customer 93001): startDate: ")
    );
    assert_eq!(
        summary(&piped),
        "read 7, created 2, changed 1, unchanged 0, closed 0, rejected 4"
    );
    let good = report_lines()[0].clone() + "\n";
    let again = run_with_input(&database, &["import", "-", "--dry-run"], good).await;
    again.ok();
    assert_eq!(
        summary(&again),
        "read 1, created 0, changed 0, unchanged 1, closed 0, rejected 0"
    );
}

/// Exports `source` and imports it into a new database of `backend`: the export of that
/// database must say the same, but for the ids the new database gave its rows. Returns
/// the new database and its export.
async fn copy_into(source: &str, backend: TestBackend) -> (TestDatabase, String) {
    let target = empty_with_companies(backend).await;
    let files = folder();
    let lines: Vec<String> = source.lines().map(str::to_owned).collect();
    let path = file(files.path(), "export.jsonl", &lines);
    let imported = import(&target, &path, &["--batch-size", "7"]).await;
    imported.ok();
    let counts = summary(&imported);
    assert!(
        counts.contains(", unchanged 0, ") && counts.ends_with(", rejected 0"),
        "every line written: {imported:?}"
    );
    let copied = export_all(&target).await;
    assert_eq!(
        without_ids(&copied),
        without_ids(source),
        "the same customers, versions, closes, contacts and references"
    );
    (target, copied)
}

/// An export imported into an empty database gives the same export (but for the ids
/// of versions and contacts, which each database gives in the order it writes); that
/// export imported into another empty database gives it again, byte for byte. The
/// source imported again into itself changes nothing.
pub(super) async fn an_export_imported_into_an_empty_database_exports_the_same(
    backend: TestBackend,
) {
    let source = with_history(backend).await;
    let exported = export_all(&source).await;
    assert!(
        entries_of(&exported, 54218).len() == 1,
        "demo data included"
    );
    let (_copy, copied) = copy_into(&exported, backend).await;
    let (_again, again) = copy_into(&copied, backend).await;
    assert_eq!(again, copied, "byte for byte");
    let files = folder();
    let lines: Vec<String> = exported.lines().map(str::to_owned).collect();
    let into_itself = import(&source, &file(files.path(), "e.jsonl", &lines), &[]).await;
    into_itself.ok();
    let read = exported.lines().count();
    assert_eq!(
        summary(&into_itself),
        format!("read {read}, created 0, changed 0, unchanged {read}, closed 0, rejected 0")
    );
}

/// From SQLite to PostgreSQL and back, and from PostgreSQL to SQLite and back: the same
/// export each way (ids aside), the same bytes once the ids were given in export order,
/// and the same customers whichever backend they started on.
pub(super) async fn an_export_moves_between_sqlite_and_postgresql(_: TestBackend) {
    let mut started = Vec::new();
    for (from, to) in [
        (TestBackend::Sqlite, TestBackend::Postgres),
        (TestBackend::Postgres, TestBackend::Sqlite),
    ] {
        let source = with_history(from).await;
        let exported = export_all(&source).await;
        let (_there, there) = copy_into(&exported, to).await;
        let (_back, back) = copy_into(&there, from).await;
        assert_eq!(back, there, "{} and back, byte for byte", to.name());
        started.push(without_ids(&exported));
    }
    assert_eq!(started[0], started[1], "the same history on either backend");
}

/// A customer's two versions for each id of `ids` of `jtc`, all first versions first.
fn two_versions_each(ids: std::ops::Range<i64>) -> Vec<String> {
    let mut lines = Vec::new();
    for (start, name) in [
        ("2025-01-01T00:00:00", "First"),
        ("2025-06-01T00:00:00", "Second"),
    ] {
        for customer in ids.clone() {
            lines.push(line(&json!({"companyCode": "jtc", "customerId": customer,
                "firstName": name, "mobileNumber": format!("5{customer:08}"),
                "referenceNos": [format!("{name}-{customer}")], "startDate": start})));
        }
    }
    lines
}

/// `customer-api import PATH --batch-size 50` on the database at `url`, running, its
/// stderr written to `errors`.
fn spawn_import(
    url: &customer_infrastructure::DatabaseUrl,
    path: &Path,
    errors: &Path,
) -> std::process::Child {
    let path = path.to_str().expect("a UTF-8 path");
    let args: Vec<String> = ["import", path, "--batch-size", "50"]
        .map(str::to_owned)
        .to_vec();
    let folder = errors.parent().expect("a folder");
    command(folder, &url_string(url), &args, &[])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(errors).expect("a file for stderr"))
        .spawn()
        .expect("customer-api runs")
}

/// An import killed part of the way leaves the batches it committed; running it again
/// applies every line once: the lines applied before are unchanged (a first version
/// found among the earlier ones, a second as the current one), each customer ends with
/// its two versions and no more.
pub(super) async fn an_import_killed_part_of_the_way_completes_when_run_again(
    backend: TestBackend,
) {
    const CUSTOMERS: i64 = 4000;
    const FIRST: i64 = 300_000;
    let database = TestDatabase::with_demo_data(backend).await;
    let url = database.url().clone();
    let lines = two_versions_each(FIRST..FIRST + CUSTOMERS);
    let total = i64::try_from(lines.len()).expect("a count");
    let files = folder();
    let path = file(files.path(), "large.jsonl", &lines);
    let mine = format!("customer_versions WHERE customer_id >= {FIRST}");
    let work = folder();
    let errors = work.path().join("stderr");
    let mut child = spawn_import(&url, &path, &errors);
    let started = Instant::now();
    // Killed (SIGKILL: no chance to finish anything) once a batch of second versions is
    // committed: every customer has its first version, some their second too.
    while db::count(&url, &mine).await <= CUSTOMERS {
        if let Some(status) = child.try_wait().expect("the child's status") {
            panic!(
                "the import ended ({status}) before it could be killed part of the way: {}",
                std::fs::read_to_string(&errors).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not half way in 120 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().expect("the import is killed");
    let status = child.wait().expect("the import ends");
    assert_eq!(status.code(), None, "killed, not finished: {status:?}");
    let applied = db::count(&url, &mine).await;
    assert!(
        applied > 0 && applied < total,
        "part of the way: {applied} of {total} lines"
    );
    assert_eq!(applied % 50, 0, "whole batches only: {applied}");

    let rerun = import(&database, &path, &["--batch-size", "50"]).await;
    rerun.ok();
    let done = summary(&rerun);
    let counts: Vec<i64> = done
        .split(", ")
        .map(|part| {
            part.rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a count in {done}"))
        })
        .collect();
    // read, created, changed, unchanged, closed, rejected
    assert_eq!(counts[0], total, "{done}");
    assert_eq!(
        counts[3], applied,
        "the lines applied before are unchanged: {done}"
    );
    assert_eq!(counts[1] + counts[2] + counts[3], total, "{done}");
    assert_eq!((counts[4], counts[5]), (0, 0), "{done}");
    assert_eq!(db::count(&url, &mine).await, total, "one version per line");
    let complete = format!(
        "(SELECT customer_id FROM customer_versions WHERE customer_id >= {FIRST} \
         GROUP BY customer_id HAVING COUNT(*) = 2 AND MAX(customer_version_id) = 2 \
         AND MIN(customer_version_id) = 1) AS complete"
    );
    assert_eq!(db::count(&url, &complete).await, CUSTOMERS);
    let current = format!("{mine} AND end_date IS NULL AND first_name = 'Second'");
    assert_eq!(db::count(&url, &current).await, CUSTOMERS);
    let third = import(&database, &path, &["--batch-size", "1000"]).await;
    third.ok();
    assert_eq!(
        summary(&third),
        format!("read {total}, created 0, changed 0, unchanged {total}, closed 0, rejected 0")
    );
}

/// The indexes of the database at `url`, and (PostgreSQL) its foreign keys.
async fn schema_objects(url: &customer_infrastructure::DatabaseUrl, backend: TestBackend) -> i64 {
    match backend {
        TestBackend::Postgres => {
            db::count(url, "pg_indexes WHERE schemaname = current_schema()").await
                + db::count(url, "pg_constraint WHERE contype = 'f'").await
        }
        TestBackend::Sqlite => db::count(url, "sqlite_master WHERE type = 'index'").await,
    }
}

/// Into a database without customers, the import is an initial load, said on stderr: one
/// transaction. Killed part of the way, it has committed nothing and left every index and
/// foreign key; run again, it loads the whole file.
pub(super) async fn an_initial_load_killed_part_of_the_way_commits_nothing(backend: TestBackend) {
    const CUSTOMERS: i64 = 4000;
    let database = empty_with_companies(backend).await;
    let url = database.url().clone();
    let before = schema_objects(&url, backend).await;
    let lines = two_versions_each(1..CUSTOMERS + 1);
    let files = folder();
    let path = file(files.path(), "initial.jsonl", &lines);
    let work = folder();
    let errors = work.path().join("stderr");
    let mut child = spawn_import(&url, &path, &errors);
    let started = Instant::now();
    while !std::fs::read_to_string(&errors)
        .unwrap_or_default()
        .contains("an initial load")
    {
        assert!(
            child.try_wait().expect("the child's status").is_none(),
            "the import ended without saying it is an initial load: {}",
            std::fs::read_to_string(&errors).unwrap_or_default()
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no initial load in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Some batches in: the import of 8,000 lines takes seconds.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        child.try_wait().expect("the child's status").is_none(),
        "the import ended before it could be killed part of the way"
    );
    child.kill().expect("the import is killed");
    let status = child.wait().expect("the import ends");
    assert_eq!(status.code(), None, "killed, not finished: {status:?}");
    assert_eq!(db::count(&url, "customers").await, 0, "nothing committed");
    assert_eq!(db::count(&url, "customer_versions").await, 0);
    assert_eq!(
        schema_objects(&url, backend).await,
        before,
        "every index kept"
    );

    let rerun = import(&database, &path, &["--batch-size", "50"]).await;
    rerun.ok();
    assert!(rerun.stderr.contains("an initial load"), "{}", rerun.stderr);
    assert_eq!(
        summary(&rerun),
        format!(
            "read {}, created {CUSTOMERS}, changed {CUSTOMERS}, unchanged 0, closed 0, rejected 0",
            2 * CUSTOMERS
        )
    );
    assert_eq!(db::count(&url, "customer_versions").await, 2 * CUSTOMERS);
    assert_eq!(
        schema_objects(&url, backend).await,
        before,
        "every index rebuilt"
    );
    let again = import(&database, &path, &[]).await;
    again.ok();
    assert!(
        !again.stderr.contains("an initial load"),
        "customers are stored: batch by batch"
    );
}
