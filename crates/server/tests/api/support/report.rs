//! The figures of the fault tests: each test prints one parseable line, and rewrites its
//! row of the table in `docs/reliability.md` when `FAULT_REPORT` names that file.

use std::sync::Mutex;

/// Where the table begins and ends in the report.
pub const TABLE_BEGIN: &str = "<!-- fault-table:begin -->";
/// See [`TABLE_BEGIN`].
pub const TABLE_END: &str = "<!-- fault-table:end -->";

/// Tests run on threads of one process: one rewrite of the file at a time.
static REPORT: Mutex<()> = Mutex::new(());

/// What one fault test measured.
#[derive(Debug, Clone)]
pub struct FaultFigures {
    /// The fault's id, the first column of its row (`frozen`, `stopped`...).
    pub fault: &'static str,
    /// What a client sees while the fault lasts, in words.
    pub client_sees: String,
    /// How the service recovers, in words.
    pub recovery: String,
    /// The measured figures, `name=value`.
    pub figures: Vec<(&'static str, String)>,
}

impl FaultFigures {
    /// Prints `FAULT <fault> name=value ...` (one line, for scripts) and, with
    /// `FAULT_REPORT=<file>`, writes the fault's row into that file's table.
    pub fn report(&self) {
        let figures: Vec<String> = self
            .figures
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        println!("FAULT {} {}", self.fault, figures.join(" "));
        if let Ok(path) = std::env::var("FAULT_REPORT") {
            let row = format!(
                "| {} | {} | {} | {} |",
                self.fault,
                self.client_sees,
                self.recovery,
                figures
                    .iter()
                    .map(|figure| format!("`{figure}`"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let _one = REPORT
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("FAULT_REPORT={path}: {error}"));
            std::fs::write(&path, with_row(&text, self.fault, &row))
                .unwrap_or_else(|error| panic!("FAULT_REPORT={path}: {error}"));
        }
    }
}

/// `text` with the table row of `fault` replaced by `row`, or `row` added at the end of
/// the table.
pub fn with_row(text: &str, fault: &str, row: &str) -> String {
    let begin = text
        .find(TABLE_BEGIN)
        .unwrap_or_else(|| panic!("the report has no {TABLE_BEGIN}"))
        + TABLE_BEGIN.len();
    let end = text
        .find(TABLE_END)
        .unwrap_or_else(|| panic!("the report has no {TABLE_END}"));
    let prefix = format!("| {fault} |");
    let mut lines: Vec<&str> = text[begin..end]
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    match lines.iter().position(|line| line.starts_with(&prefix)) {
        Some(at) => lines[at] = row,
        None => lines.push(row),
    }
    format!("{}\n{}\n{}", &text[..begin], lines.join("\n"), &text[end..])
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_row_is_replaced_or_added_inside_the_table() {
        let text = format!(
            "# Report\n\n{TABLE_BEGIN}\n| fault | sees |\n| --- | --- |\n| frozen | old |\n{TABLE_END}\nafter\n"
        );
        let replaced = with_row(&text, "frozen", "| frozen | new |");
        assert_eq!(
            replaced,
            format!(
                "# Report\n\n{TABLE_BEGIN}\n| fault | sees |\n| --- | --- |\n| frozen | new |\n{TABLE_END}\nafter\n"
            )
        );
        let added = with_row(&replaced, "stopped", "| stopped | 503 |");
        assert!(added.contains("| frozen | new |\n| stopped | 503 |\n<!-- fault-table:end -->"));
    }
}
