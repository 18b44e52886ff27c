//! The shared corpus of real-world `config.toml` files (`../shared/corpus`, read-only: every
//! file is copied into a fresh temp dir first).
//!
//! Every valid file gets the full ModelGates setup through the library's locked edit (root
//! `model_provider`, `model`, `model_reasoning_effort`, `[model_providers.modelgates]` and two
//! trusted projects); the result must parse, hold the owned values, keep every other value and
//! every other line byte for byte, and a second run must write nothing. The real Codex CLI must
//! load each edited file if it loaded the original (or fail for the same reason). Every invalid
//! file must be refused by `mg-codex trust` with its position, and left untouched.
//!
//! Each test collects the failures of all files and asserts once, so one run shows them all.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use mg_codex::codex_config::{ConfigDocument, TrustLevel};
use mg_codex::config_file::{self, SaveOutcome};
use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::support::{
    assert_no_failures, codex_bin, codex_cmd, codex_features_list, copy_corpus_file, corpus_files,
    first_cause, normalize_codex_error, par_map, run, run_with_timeout, unedited_verdict,
    verdict_problem, CorpusFile, TestContext, CODEX_TIMEOUT, VALID_CORPUS_DIRS,
};

/// The corpus folders whose files are valid TOML 1.1.
const VALID_DIRS: [&str; 2] = VALID_CORPUS_DIRS;
const INVALID_DIR: &str = "codex-config-invalid";

const PROVIDER: &str = "modelgates";
/// The root keys the setup owns, with the values it sets.
const OWNED_ROOT: [(&str, &str); 3] = [
    ("model_provider", PROVIDER),
    ("model", "openai/gpt-5.3-codex"),
    ("model_reasoning_effort", "high"),
];
const PROVIDER_FIELDS: [(&str, &str); 4] = [
    ("name", "ModelGates"),
    ("base_url", "https://modelgates.ai/api/v1"),
    ("env_key", "MODELGATES_API_KEY"),
    ("wire_api", "responses"),
];
/// The project directories created beside each copy (one with a space in its name).
const PROJECT_DIRS: [&str; 2] = ["proj a", "proj-b"];

const CODEX_THREADS: usize = 4;

// ----- corpus files and the edit -------------------------------------------------------------

/// A corpus file copied into a fresh temp dir as `config.toml`, with two real project
/// directories beside it.
struct Sandbox {
    /// Kept so the directory lives as long as the sandbox.
    _dir: tempfile::TempDir,
    config: PathBuf,
    /// The canonical paths of the project directories: the keys to trust.
    keys: [String; 2],
}

impl Sandbox {
    fn new(file: &CorpusFile) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_corpus_file(&file.path, dir.path());
        let config = dir.path().join("config.toml");
        let keys = make_projects(dir.path());
        Self {
            _dir: dir,
            config,
            keys,
        }
    }
}

/// Creates the project directories in `root`; returns their canonical paths (the keys).
fn make_projects(root: &Path) -> [String; 2] {
    PROJECT_DIRS.map(|name| {
        let project = root.join(name);
        fs::create_dir(&project).unwrap();
        fs::canonicalize(&project)
            .unwrap()
            .to_str()
            .expect("UTF-8 temp path")
            .to_string()
    })
}

/// The whole setup, as `mg-codex` applies it.
fn set_up(doc: &mut ConfigDocument, keys: &[String; 2]) -> anyhow::Result<()> {
    for (key, value) in OWNED_ROOT {
        doc.set_root_str(key, value).unwrap();
    }
    let fields: Vec<(&str, Value)> = PROVIDER_FIELDS
        .iter()
        .map(|&(field, value)| (field, Value::from(value)))
        .collect();
    doc.set_provider_fields(PROVIDER, &fields)?;
    for key in keys {
        doc.set_trust(key, TrustLevel::Trusted)?;
    }
    Ok(())
}

fn edit_config(config: &Path, keys: &[String; 2]) -> anyhow::Result<SaveOutcome> {
    config_file::edit(config, |doc| set_up(doc, keys)).map(|((), outcome)| outcome)
}

/// A corpus file after one edit of its copy.
struct Edited {
    label: String,
    sandbox: Sandbox,
    before: String,
    after: String,
    outcome: SaveOutcome,
}

/// Edits a copy of every valid corpus file; a file the edit fails on is a failure.
fn edit_every_valid_file(failures: &mut Vec<String>) -> Vec<Edited> {
    let mut edited = Vec::new();
    for file in corpus_files(&VALID_DIRS) {
        let sandbox = Sandbox::new(&file);
        let before = fs::read_to_string(&sandbox.config).unwrap();
        match edit_config(&sandbox.config, &sandbox.keys) {
            Ok(outcome) => {
                let after = fs::read_to_string(&sandbox.config).unwrap();
                edited.push(Edited {
                    label: file.label,
                    sandbox,
                    before,
                    after,
                    outcome,
                });
            }
            Err(err) => failures.push(format!("{}: the edit failed: {err:#}", file.label)),
        }
    }
    edited
}

/// Edits a copy of every valid file and fails with the `problems` of each (labelled, followed
/// by `show(edited)`), all at once.
#[track_caller]
fn check_every_edit(what: &str, problems: fn(&Edited) -> Vec<String>, show: fn(&Edited) -> String) {
    let mut failures = Vec::new();
    for e in edit_every_valid_file(&mut failures) {
        let found = problems(&e);
        if !found.is_empty() {
            failures.push(format!(
                "{}:\n  {}{}",
                e.label,
                found.join("\n  "),
                show(&e)
            ));
        }
    }
    assert_no_failures(what, &failures);
}

// ----- (a) the owned values --------------------------------------------------------------------

fn str_at<'a>(table: &'a dyn TableLike, path: &[&str]) -> Option<&'a str> {
    let (last, parents) = path.split_last()?;
    let mut table = table;
    for key in parents {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last)?.as_str()
}

fn owned_value_problems(e: &Edited) -> Vec<String> {
    let doc: DocumentMut = match e.after.parse() {
        Ok(doc) => doc,
        Err(err) => return vec![format!("the result is not valid TOML 1.1: {err}")],
    };
    let root = doc.as_table();
    let mut expected: Vec<(Vec<&str>, &str)> = Vec::new();
    for (key, value) in OWNED_ROOT {
        expected.push((vec![key], value));
    }
    for (field, value) in PROVIDER_FIELDS {
        expected.push((vec!["model_providers", PROVIDER, field], value));
    }
    for key in &e.sandbox.keys {
        expected.push((vec!["projects", key, "trust_level"], "trusted"));
    }
    let mut problems: Vec<String> = expected
        .into_iter()
        .filter_map(|(path, want)| {
            let got = str_at(root, &path);
            (got != Some(want)).then(|| format!("`{}` is {got:?}, not {want:?}", path.join(".")))
        })
        .collect();
    if !e.outcome.changed {
        problems.push("the edit reported no change".into());
    }
    problems
}

#[test]
fn edit_of_every_valid_file_parses_and_holds_the_owned_values() {
    check_every_edit("owned values after the edit", owned_value_problems, |e| {
        format!("\n--- result ---\n{}", e.after)
    });
}

// ----- (b) every value we do not own -----------------------------------------------------------

/// A document as plain data: path (keys and `[index]`es) -> typed value. Tables and arrays get an
/// entry of their own, so empty ones count too. Spelling (quoting, inline or not, dotted keys,
/// comments, whitespace) is ignored.
type Flat = BTreeMap<Vec<String>, String>;

fn flatten(doc: &DocumentMut) -> Flat {
    let mut out = Flat::new();
    flatten_table(doc.as_table(), &mut Vec::new(), &mut out);
    out
}

fn flatten_table(table: &dyn TableLike, path: &mut Vec<String>, out: &mut Flat) {
    out.insert(path.clone(), "table".into());
    for (key, item) in table.iter() {
        path.push(key.to_string());
        flatten_item(item, path, out);
        path.pop();
    }
}

fn flatten_item(item: &Item, path: &mut Vec<String>, out: &mut Flat) {
    match item {
        Item::None => {}
        Item::Value(value) => flatten_value(value, path, out),
        Item::Table(table) => flatten_table(table, path, out),
        Item::ArrayOfTables(array) => {
            out.insert(path.clone(), format!("array of {} tables", array.len()));
            for (i, table) in array.iter().enumerate() {
                path.push(format!("[{i}]"));
                flatten_table(table, path, out);
                path.pop();
            }
        }
    }
}

fn flatten_value(value: &Value, path: &mut Vec<String>, out: &mut Flat) {
    let plain = match value {
        Value::String(s) => format!("string {:?}", s.value()),
        Value::Integer(i) => format!("integer {}", i.value()),
        Value::Float(f) => format!("float {:?}", f.value()),
        Value::Boolean(b) => format!("boolean {}", b.value()),
        Value::Datetime(d) => format!("datetime {}", d.value()),
        Value::InlineTable(table) => return flatten_table(table, path, out),
        Value::Array(array) => {
            out.insert(path.clone(), format!("array of {}", array.len()));
            for (i, element) in array.iter().enumerate() {
                path.push(format!("[{i}]"));
                flatten_value(element, path, out);
                path.pop();
            }
            return;
        }
    };
    out.insert(path.clone(), plain);
}

/// The paths the setup owns: the three root keys, `model_providers.modelgates` and the two
/// project entries (whole subtrees), and the `model_providers` / `projects` tables themselves
/// (whose other children are still compared).
fn is_owned(path: &[String], keys: &[String; 2]) -> bool {
    match path {
        [key] => {
            OWNED_ROOT.iter().any(|(owned, _)| owned == key)
                || key == "model_providers"
                || key == "projects"
        }
        [parent, id, ..] if parent == "model_providers" => id == PROVIDER,
        [parent, key, ..] if parent == "projects" => keys.contains(key),
        _ => false,
    }
}

fn unowned_value_problems(e: &Edited) -> Vec<String> {
    let (Ok(before), Ok(after)) = (
        e.before.parse::<DocumentMut>(),
        e.after.parse::<DocumentMut>(),
    ) else {
        return vec!["the original or the result does not parse".into()];
    };
    let mut before = flatten(&before);
    let mut after = flatten(&after);
    before.retain(|path, _| !is_owned(path, &e.sandbox.keys));
    after.retain(|path, _| !is_owned(path, &e.sandbox.keys));
    let paths: BTreeSet<&Vec<String>> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| {
            format!(
                "`{}`: before {:?}, after {:?}",
                path.join("."),
                before.get(path),
                after.get(path)
            )
        })
        .collect()
}

#[test]
fn edit_of_every_valid_file_keeps_every_value_it_does_not_own() {
    check_every_edit(
        "values not owned by the edit",
        unowned_value_problems,
        |_| String::new(),
    );
}

// ----- (c) every original line, byte for byte ---------------------------------------------------

/// The original lines the edit may rewrite, by index.
#[derive(Default)]
struct OwnedLines {
    /// Lines of a root `model`, `model_provider` or `model_reasoning_effort` assignment whose
    /// value the edit changes: not checked.
    rewritten: BTreeSet<usize>,
    /// The line closing a root inline `projects = { ... }` (or `model_providers = { ... }`)
    /// table, which the edit must extend: its text up to the last `}` must start a new line, and
    /// its text from that `}` on (comment and line ending included) must end it.
    extended: BTreeSet<usize>,
}

fn owned_lines(before: &str) -> OwnedLines {
    let doc = toml_edit::Document::parse(before).expect("the original parses");
    let line_of = |offset: usize| before[..offset].matches('\n').count();
    let mut lines = OwnedLines::default();
    for (key, new) in OWNED_ROOT {
        let Some((key_repr, Item::Value(value))) = doc.as_table().get_key_value(key) else {
            continue;
        };
        if value.as_str() == Some(new) {
            continue;
        }
        let start = key_repr.span().expect("parsed keys have spans").start;
        let end = value.span().expect("parsed values have spans").end;
        lines
            .rewritten
            .extend(line_of(start)..=line_of(end.saturating_sub(1).max(start)));
    }
    for key in ["projects", "model_providers"] {
        if let Some(Item::Value(value @ Value::InlineTable(_))) = doc.as_table().get(key) {
            let end = value.span().expect("parsed values have spans").end;
            lines.extended.insert(line_of(end.saturating_sub(1)));
        }
    }
    lines
}

/// Whether `new` can stand for the original line `line` (see [`OwnedLines::extended`]).
fn extends(line: &str, new: &str) -> bool {
    let Some(close) = line.rfind('}') else {
        return false;
    };
    new.starts_with(line[..close].trim_end()) && new.ends_with(&line[close..])
}

fn line_problems(e: &Edited) -> Vec<String> {
    let mut problems = Vec::new();
    let owned = owned_lines(&e.before);
    let kept: Vec<(usize, &str)> = e
        .before
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| !owned.rewritten.contains(i))
        .collect();
    let mut new_lines = e.after.split_inclusive('\n');
    for (i, line) in kept {
        let extended = owned.extended.contains(&i);
        // The last line of a file without a final newline gains a line ending when the edit adds
        // text after it (the newline then goes missing at the new end instead: checked below).
        let matches = |new: &str| {
            new == line
                || (extended && extends(line, new))
                || (!line.ends_with('\n')
                    && new
                        .strip_prefix(line)
                        .is_some_and(|end| end == "\n" || end == "\r\n"))
        };
        if !new_lines.any(matches) {
            problems.push(format!(
                "original line {} {line:?} is missing, changed or out of order",
                i + 1
            ));
            break;
        }
    }
    let crlf = e.before.contains('\n')
        && e.before.matches('\n').count() == e.before.matches("\r\n").count();
    if crlf && e.after.matches('\n').count() != e.after.matches("\r\n").count() {
        problems.push("the original is CRLF, but the result has bare LF line endings".into());
    }
    if !e.before.contains('\r') && e.after.contains('\r') {
        problems.push("the original has no CR, but the result has".into());
    }
    if !e.before.is_empty() && !e.before.ends_with('\n') && e.after.ends_with('\n') {
        problems.push("the original has no final newline, but the result has one".into());
    }
    if !e.after.is_empty() && !e.after.ends_with('\n') && e.before.ends_with('\n') {
        problems.push("the result lost the final newline".into());
    }
    problems
}

#[test]
fn edit_of_every_valid_file_keeps_every_original_line_byte_for_byte() {
    check_every_edit("original lines after the edit", line_problems, |e| {
        format!(
            "\n--- original ---\n{}\n--- result ---\n{}",
            e.before, e.after
        )
    });
}

// ----- (d) idempotence ---------------------------------------------------------------------------

fn second_edit_problems(e: &Edited) -> Vec<String> {
    let config = &e.sandbox.config;
    let meta = fs::metadata(config).unwrap();
    let bytes = fs::read(config).unwrap();
    let outcome = match edit_config(config, &e.sandbox.keys) {
        Ok(outcome) => outcome,
        Err(err) => return vec![format!("the second edit failed: {err:#}")],
    };
    let meta_after = fs::metadata(config).unwrap();
    let mut problems = Vec::new();
    if outcome.changed {
        problems.push("the second edit reported a change".to_string());
    }
    let bytes_after = fs::read(config).unwrap();
    if bytes_after != bytes {
        problems.push(format!(
            "the second edit changed the bytes:\n--- after one edit ---\n{}\n--- after two ---\n{}",
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&bytes_after)
        ));
    }
    if meta_after.modified().unwrap() != meta.modified().unwrap() || meta_after.ino() != meta.ino()
    {
        problems.push("the second edit rewrote the file (mtime or inode changed)".into());
    }
    problems
}

#[test]
fn second_edit_of_every_valid_file_writes_nothing() {
    check_every_edit("a second identical edit", second_edit_problems, |_| {
        String::new()
    });
}

// ----- the real Codex CLI ------------------------------------------------------------------------

/// Codex's verdicts on one corpus file.
struct CodexCheck {
    label: String,
    loaded_before: bool,
    loaded_after: bool,
    /// Why the verdict after the edit is worse, if it is.
    problem: Option<String>,
}

/// Runs Codex on an unedited and on an edited copy of one file, each in its own `CODEX_HOME`.
fn codex_check(codex: &Path, file: &CorpusFile) -> CodexCheck {
    let mut check = CodexCheck {
        label: file.label.clone(),
        loaded_before: false,
        loaded_after: false,
        problem: None,
    };
    let root = tempfile::tempdir().expect("temp dir");
    let edited = root.path().join("edited");
    copy_corpus_file(&file.path, &edited);
    let keys = make_projects(root.path());
    if let Err(err) = edit_config(&edited.join("config.toml"), &keys) {
        check.problem = Some(format!("the edit failed: {err:#}"));
        return check;
    }
    let before = match unedited_verdict(codex, file) {
        Ok(verdict) => verdict,
        Err(e) => {
            check.problem = Some(format!("before the edit: {e}"));
            return check;
        }
    };
    check.loaded_before = before.loaded;
    let after = match codex_features_list(codex, root.path(), &edited) {
        Ok(verdict) => verdict,
        Err(e) => {
            check.problem = Some(format!("after the edit: {e}"));
            return check;
        }
    };
    check.loaded_after = after.loaded;
    check.problem = verdict_problem(&file.label, &before, &after, "the edit");
    check
}

#[test]
fn codex_loads_every_edited_file_it_loaded_before_and_fails_no_worse() {
    let Some(codex) = codex_bin() else {
        return;
    };
    let files = corpus_files(&VALID_DIRS);
    let checks = par_map(&files, CODEX_THREADS, |file| codex_check(&codex, file));
    let rejected = |loaded: fn(&CodexCheck) -> bool| -> Vec<&str> {
        checks
            .iter()
            .filter(|c| !loaded(c))
            .map(|c| c.label.as_str())
            .collect()
    };
    for (when, list) in [
        ("before", rejected(|c| c.loaded_before)),
        ("after", rejected(|c| c.loaded_after)),
    ] {
        eprintln!(
            "Codex rejects {} file(s) {when} the edit: {list:?}",
            list.len()
        );
    }
    let failures: Vec<String> = checks
        .iter()
        .filter_map(|c| c.problem.as_ref().map(|p| format!("{}: {p}", c.label)))
        .collect();
    assert_no_failures("Codex's verdict on the edited files", &failures);
}

// ----- invalid files ------------------------------------------------------------------------------

/// Where the file stops being valid (1-based line, column in characters), worked out here from
/// `toml_edit`'s error span; `None` if it parses.
fn first_error_position(bytes: &[u8]) -> Option<(usize, usize)> {
    let (text, offset) = match std::str::from_utf8(bytes) {
        Err(err) => (
            std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap(),
            err.valid_up_to(),
        ),
        Ok(text) => {
            let err = text.parse::<DocumentMut>().err()?;
            (text, err.span().map_or(0, |span| span.start))
        }
    };
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some((line, before[line_start..].chars().count() + 1))
}

#[test]
fn trust_refuses_every_invalid_file_with_its_position_and_leaves_it_untouched() {
    let mut failures = Vec::new();
    for file in corpus_files(&[INVALID_DIR]) {
        let ctx = TestContext::new();
        let bytes = copy_corpus_file(&file.path, &ctx.codex_home());
        let Some((line, column)) = first_error_position(&bytes) else {
            failures.push(format!(
                "{}: parses as TOML 1.1, so it is not invalid",
                file.label
            ));
            continue;
        };
        let out = run(ctx
            .cmd()
            .arg("--codex-home")
            .arg(ctx.codex_home())
            .arg("trust")
            .arg(ctx.work()));
        let mut problems = Vec::new();
        if out.code != 1 {
            problems.push(format!("exit code {}, not 1", out.code));
        }
        let position = format!("line {line}, column {column}");
        if !out.stderr.contains(&position) {
            problems.push(format!("stderr does not say `{position}`"));
        }
        if fs::read(ctx.config()).unwrap() != bytes {
            problems.push("the file changed".into());
        }
        let extra: Vec<String> = fs::read_dir(ctx.codex_home())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "config.toml" && name != "config.toml.mg-codex.lock")
            .collect();
        if !extra.is_empty() {
            problems.push(format!("files were created: {extra:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n--- stderr ---\n{}",
                file.label,
                problems.join("\n  "),
                out.stderr
            ));
        }
    }
    assert_no_failures("`mg-codex trust` on invalid files", &failures);
}

// ----- the Codex that judges -----------------------------------------------------------------------

/// `codex_features_list` asks the native binary behind the npm shim (as mg-codex does): on
/// every file Codex rejects unedited and on the first three it loads, the shim itself (node,
/// then the same binary) gives the same verdict and the same cause.
#[test]
fn the_npm_shim_and_its_native_codex_give_the_same_verdict() {
    let Some(codex) = codex_bin() else {
        return;
    };
    let files = corpus_files(&VALID_DIRS);
    let verdicts = par_map(&files, CODEX_THREADS, |file| unedited_verdict(&codex, file));
    let mut sample: Vec<usize> = (0..files.len())
        .filter(|&i| verdicts[i].as_ref().is_ok_and(|v| !v.loaded))
        .collect();
    assert!(!sample.is_empty(), "Codex rejects no corpus file unedited");
    sample.extend(
        (0..files.len())
            .filter(|&i| verdicts[i].as_ref().is_ok_and(|v| v.loaded))
            .take(3),
    );
    let mut failures = Vec::new();
    for i in sample {
        let file = &files[i];
        let native = verdicts[i].as_ref().unwrap();
        let root = tempfile::tempdir().expect("temp dir");
        let unedited = root.path().join("unedited");
        copy_corpus_file(&file.path, &unedited);
        let home = root.path().join("home");
        fs::create_dir_all(&home).unwrap();
        let out = run_with_timeout(
            codex_cmd(&codex, &home, &unedited).args(["features", "list"]),
            CODEX_TIMEOUT,
            root.path(),
            "shim",
        )
        .unwrap_or_else(|e| panic!("{}: {e}", file.label));
        let error = normalize_codex_error(&out.stderr, root.path());
        let (loaded, cause) = (out.code == 0, first_cause(&error));
        if loaded != native.loaded || (!loaded && cause != native.cause) {
            failures.push(format!(
                "{}: the native Codex {} ({}), the npm shim {} ({cause})",
                file.label,
                if native.loaded { "loads it" } else { "fails" },
                native.cause,
                if loaded { "loads it" } else { "fails" },
            ));
        }
    }
    assert_no_failures("the npm shim against its native Codex", &failures);
}
