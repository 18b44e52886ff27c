//! Case fixtures: `fixtures/config/<case>/{in,out}/config.toml` plus an `ops` file, each case
//! named after the behaviour it pins down. The ops are applied through the library's locked
//! edit; the result must equal `out/config.toml` byte for byte, and a second run must write
//! nothing. Each case is a test of its own, named after its directory (`cases::crlf_file_stays_crlf`);
//! `every_case_directory_has_its_test` keeps the list and the directories the same.
//! `INSTA_UPDATE=always cargo test --test it cases::` writes `out/` from the current behaviour
//! (review it with `git diff fixtures/config`).
//!
//! `ops` lines: `set KEY VALUE` (top-level string), `remove KEY`, `provider ID FIELD VALUE`,
//! `trust KEY trusted|untrusted`, `untrust KEY` (remove the entry), `mcp NAME URL` (set
//! `mcp_servers.NAME.url`), `unmcp NAME` (remove the server).

use std::fs;
use std::path::Path;

use mg_codex::codex_config::{ConfigDocument, TrustLevel};
use mg_codex::config_file;

use crate::support::{accepting_new_output, case_dirs, fixtures_dir};

fn apply(doc: &mut ConfigDocument, ops: &str) {
    for line in ops
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["set", key, value] => doc.set_root_str(key, value).unwrap(),
            ["remove", key] => {
                doc.remove_root(key);
            }
            ["provider", id, field, value] => doc
                .set_provider_fields(id, &[(field, (*value).into())])
                .unwrap(),
            ["trust", key, level] => {
                let level = match *level {
                    "trusted" => TrustLevel::Trusted,
                    "untrusted" => TrustLevel::Untrusted,
                    other => panic!("unknown level {other}"),
                };
                doc.set_trust(key, level).unwrap();
            }
            ["untrust", key] => {
                doc.remove_trust(key);
            }
            ["mcp", name, url] => doc.set_mcp_server_url(name, url).unwrap(),
            ["unmcp", name] => {
                doc.remove_mcp_server(name);
            }
            _ => panic!("bad ops line: {line}"),
        }
    }
}

fn run_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let ops = fs::read_to_string(case.join("ops")).map_err(|e| format!("{name}: ops: {e}"))?;
    let input = fs::read(case.join("in/config.toml")).map_err(|e| format!("{name}: in: {e}"))?;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.toml");
    fs::write(&path, &input).unwrap();
    let (_, first) = config_file::edit(&path, |doc| {
        apply(doc, &ops);
        Ok(())
    })
    .map_err(|e| format!("{name}: edit failed: {e:#}"))?;
    let actual = fs::read(&path).unwrap();
    let expected_path = case.join("out/config.toml");
    if accepting_new_output() {
        fs::create_dir_all(case.join("out")).unwrap();
        fs::write(&expected_path, &actual).unwrap();
    }
    let expected = fs::read(&expected_path).map_err(|e| format!("{name}: out: {e}"))?;
    if actual != expected {
        return Err(format!(
            "{name}: output differs\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(&actual)
        ));
    }
    if first.changed != (input != expected) {
        return Err(format!(
            "{name}: reported changed={} but the bytes say otherwise",
            first.changed
        ));
    }
    ConfigDocument::from_bytes(&actual)
        .map_err(|e| format!("{name}: output does not parse: {e}"))?;
    let (_, second) = config_file::edit(&path, |doc| {
        apply(doc, &ops);
        Ok(())
    })
    .unwrap();
    if second.changed || fs::read(&path).unwrap() != expected {
        return Err(format!("{name}: a second run changed the file"));
    }
    Ok(())
}

/// One `#[test]` per case directory of `fixtures/config`, and [`CASES`] listing them.
macro_rules! config_cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let case = fixtures_dir().join("config").join(stringify!($case));
                if let Err(e) = run_case(&case) {
                    panic!("{e}\n(after a deliberate change: INSTA_UPDATE=always cargo test --test it cases::{})", stringify!($case));
                }
            }
        )*
        /// The cases that have a test.
        const CASES: &[&str] = &[$(stringify!($case)),*];
    };
}

config_cases![
    already_set_is_a_no_op,
    comment_attached_to_first_header_stays_attached,
    commented_out_tables_at_the_end_stay_at_the_end,
    crlf_file_stays_crlf,
    dotted_root_keys_are_not_tables,
    empty_file_gets_settings,
    existing_keys_change_in_place_keeping_comments,
    mcp_server_already_set_is_a_no_op,
    mcp_server_bare_header_with_inline_entries_gets_an_inline_entry,
    mcp_server_dotted_keys,
    mcp_server_existing_url_changes_in_place,
    mcp_server_goes_at_the_end_before_trailing_comments,
    mcp_server_inline_mcp_servers,
    mcp_server_joins_its_siblings,
    mcp_server_remove_from_an_inline_table_keeps_its_spacing,
    mcp_server_remove_keeps_neighbours_and_comments,
    mcp_server_remove_last_entry_leaves_no_header,
    missing_final_newline_is_kept,
    provider_dotted_keys,
    provider_existing_table_updated_in_place,
    provider_inline_model_providers,
    provider_inline_without_modelgates_gets_an_inline_entry,
    provider_table_joins_other_providers,
    quoting_styles_are_kept,
    root_keys_follow_existing_root_keys,
    root_keys_go_above_first_header,
    schema_directive_stays_first,
    trust_bare_projects_header_is_reused,
    trust_dotted_projects_keys,
    trust_existing_entry_changes_in_place,
    trust_inline_projects_table,
    trust_new_entry_creates_no_empty_parent_header,
    trust_new_entry_joins_its_siblings,
    trust_remove_keeps_neighbours_and_comments,
    trust_remove_last_entry_leaves_no_header,
    trust_windows_keys_keep_their_spelling,
];

/// A new case directory without a test (or a test whose directory is gone) fails here.
#[test]
fn every_case_directory_has_its_test() {
    let on_disk = case_dirs(&fixtures_dir().join("config"));
    assert!(on_disk.len() >= 20, "the case fixtures are missing");
    let listed: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        listed, on_disk,
        "`config_cases!` in tests/it/cases.rs must list exactly the directories of fixtures/config, sorted"
    );
}
