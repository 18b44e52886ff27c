//! The verbs' behaviour on small texts, byte for byte.

use super::*;

fn edit(text: &str, f: impl FnOnce(&mut ConfigDocument)) -> String {
    let mut doc = ConfigDocument::parse(text).unwrap();
    f(&mut doc);
    doc.render()
}

#[test]
fn root_key_goes_above_first_header() {
    let out = edit("[x]\ny = 1\n", |d| d.set_root_str("model", "m").unwrap());
    assert_eq!(out, "model = \"m\"\n\n[x]\ny = 1\n");
}

#[test]
fn root_key_follows_existing_root_keys() {
    let out = edit("a = 1\n\n[x]\ny = 1\n", |d| {
        d.set_root_str("model", "m").unwrap()
    });
    assert_eq!(out, "a = 1\nmodel = \"m\"\n\n[x]\ny = 1\n");
}

#[test]
fn schema_directive_stays_first() {
    let out = edit("#:schema https://x\n\n[x]\n", |d| {
        d.set_root_str("model", "m").unwrap()
    });
    assert_eq!(out, "#:schema https://x\n\nmodel = \"m\"\n\n[x]\n");
}

#[test]
fn comment_attached_to_first_header_stays_attached() {
    let out = edit("# about x\n[x]\n", |d| {
        d.set_root_str("model", "m").unwrap()
    });
    assert_eq!(out, "model = \"m\"\n\n# about x\n[x]\n");
}

#[test]
fn existing_value_keeps_comment_and_quoting() {
    let out = edit("model = 'a'   # mine\n", |d| {
        d.set_root_str("model", "b").unwrap()
    });
    assert_eq!(out, "model = 'b'   # mine\n");
}

#[test]
fn equal_value_is_a_no_op() {
    let mut doc = ConfigDocument::parse("model = 'a' # c\n").unwrap();
    doc.set_root_str("model", "a").unwrap();
    assert!(!doc.is_changed());
}

#[test]
fn crlf_is_kept_for_new_lines() {
    let out = edit("a = 1\r\n\r\n[x]\r\ny = 1\r\n", |d| {
        d.set_root_str("model", "m").unwrap();
        d.set_trust("/p", TrustLevel::Trusted).unwrap();
    });
    assert_eq!(
        out,
        "a = 1\r\nmodel = \"m\"\r\n\r\n[x]\r\ny = 1\r\n\r\n[projects.\"/p\"]\r\ntrust_level = \"trusted\"\r\n"
    );
}

#[test]
fn missing_final_newline_is_kept() {
    let out = edit("a = 1\n[x]\ny = 1", |d| {
        d.set_root_str("model", "m").unwrap()
    });
    assert_eq!(out, "a = 1\nmodel = \"m\"\n[x]\ny = 1");
}

#[test]
fn inline_projects_get_inline_entry() {
    let out = edit(
        "projects = { \"/a\" = { trust_level = \"trusted\" } } # c\n",
        |d| d.set_trust("/b", TrustLevel::Untrusted).unwrap(),
    );
    assert_eq!(
        out,
        "projects = { \"/a\" = { trust_level = \"trusted\" }, \"/b\" = { trust_level = \"untrusted\" } } # c\n"
    );
}

#[test]
fn dotted_projects_get_dotted_entry() {
    let out = edit("projects.\"/a\".trust_level = \"trusted\"\n\n[x]\n", |d| {
        d.set_trust("/b", TrustLevel::Trusted).unwrap()
    });
    assert_eq!(
        out,
        "projects.\"/a\".trust_level = \"trusted\"\nprojects.\"/b\".trust_level = \"trusted\"\n\n[x]\n"
    );
}

#[test]
fn parse_error_has_line_and_column() {
    let err = ConfigDocument::parse("a = 1\nb = \"x\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 7));
}

#[test]
fn non_utf8_is_an_error_with_position() {
    let err = ConfigDocument::from_bytes(b"a = 1\nb = \"\xff\"\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 6));
}

#[test]
fn leading_comments_of_a_file_without_tables_stay_first() {
    let out = edit("# my settings\n\n# more\n", |d| {
        d.set_root_str("model", "m").unwrap()
    });
    assert_eq!(out, "# my settings\n\nmodel = \"m\"\n# more\n");
}

#[test]
fn a_projects_key_that_is_not_a_table_is_an_error() {
    let mut doc = ConfigDocument::parse("projects = \"x\"\n").unwrap();
    let err = doc.set_trust("/p", TrustLevel::Trusted).unwrap_err();
    assert_eq!(err.path, "projects");
    assert!(!doc.is_changed());
}

#[test]
fn bom_is_kept() {
    let out = edit("\u{feff}a = 1\n", |d| d.set_root_str("model", "m").unwrap());
    assert_eq!(out, "\u{feff}a = 1\nmodel = \"m\"\n");
}

#[test]
fn removing_the_only_trust_entry_leaves_no_empty_header() {
    let out = edit(
        "a = 1\n\n[projects.\"/a\"]\ntrust_level = \"trusted\"\n",
        |d| {
            assert!(d.remove_trust("/a"));
        },
    );
    assert_eq!(out, "a = 1\n");
}

const DOCS: &str = "https://modelgates.ai/docs/_mcp/server";

#[test]
fn mcp_server_goes_at_the_end_with_one_blank_line_as_codex_writes_it() {
    let out = edit("model = \"o3\"\n\n[tui]\nx = 1\n", |d| {
        d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
    });
    assert_eq!(
        out,
        format!(
            "model = \"o3\"\n\n[tui]\nx = 1\n\n[mcp_servers.modelgates-docs]\nurl = \"{DOCS}\"\n"
        )
    );
}

#[test]
fn mcp_server_in_an_empty_file_has_no_blank_line_above() {
    let out = edit("", |d| {
        d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
    });
    assert_eq!(
        out,
        format!("[mcp_servers.modelgates-docs]\nurl = \"{DOCS}\"\n")
    );
}

#[test]
fn mcp_server_joins_its_siblings_after_their_sub_tables() {
    let out = edit(
        "[mcp_servers.a]\ncommand = \"x\" # c\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[tui]\nx = 1\n",
        |d| d.set_mcp_server_url("modelgates-docs", DOCS).unwrap(),
    );
    assert_eq!(
        out,
        format!("[mcp_servers.a]\ncommand = \"x\" # c\n\n[mcp_servers.a.env]\nK = \"v\"\n\n[mcp_servers.modelgates-docs]\nurl = \"{DOCS}\"\n\n[tui]\nx = 1\n")
    );
}

#[test]
fn mcp_server_keeps_the_inline_and_dotted_spellings() {
    let out = edit("mcp_servers = { a = { command = \"x\" } }\n", |d| {
        d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
    });
    assert_eq!(
        out,
        format!("mcp_servers = {{ a = {{ command = \"x\" }}, modelgates-docs = {{ url = \"{DOCS}\" }} }}\n")
    );
    let out = edit("mcp_servers.a.command = \"x\"\n\n[tui]\n", |d| {
        d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
    });
    assert_eq!(
        out,
        format!("mcp_servers.a.command = \"x\"\nmcp_servers.modelgates-docs.url = \"{DOCS}\"\n\n[tui]\n")
    );
}

#[test]
fn mcp_server_is_read_in_any_spelling() {
    for text in [
        "[mcp_servers.s]\nurl = \"https://u\"\nenabled = false\n",
        "mcp_servers = { s = { url = \"https://u\", enabled = false } }\n",
        "mcp_servers.s.url = \"https://u\"\nmcp_servers.s.enabled = false\n",
        "[mcp_servers]\ns = { url = \"https://u\", enabled = false }\n",
    ] {
        let doc = ConfigDocument::parse(text).unwrap();
        let server = doc.mcp_server("s").unwrap_or_else(|| panic!("{text}"));
        assert_eq!(server.url.as_deref(), Some("https://u"), "{text}");
        assert_eq!(server.enabled, Some(false), "{text}");
        assert_eq!(server.command, None, "{text}");
        assert!(server.is_table, "{text}");
        assert_eq!(doc.mcp_server_url("s"), Some("https://u"), "{text}");
        assert_eq!(doc.mcp_server("other"), None, "{text}");
    }
    let doc = ConfigDocument::parse("[mcp_servers]\ns = \"x\"\n").unwrap();
    assert!(!doc.mcp_server("s").unwrap().is_table);
    let doc = ConfigDocument::parse("[mcp_servers.s]\ncommand = \"npx\"\n").unwrap();
    assert_eq!(doc.mcp_server("s").unwrap().command.as_deref(), Some("npx"));
}

#[test]
fn the_same_mcp_url_again_is_a_no_op() {
    let text = format!("[mcp_servers.modelgates-docs]\nurl = '{DOCS}' # mine\n");
    let mut doc = ConfigDocument::parse(&text).unwrap();
    doc.set_mcp_server_url("modelgates-docs", DOCS).unwrap();
    assert!(!doc.is_changed());
    assert_eq!(doc.render(), text);
}

#[test]
fn adding_then_removing_an_mcp_server_gives_back_the_text() {
    for text in [
        "",
        "model = \"o3\"\n",
        "model = \"o3\"\n\n# trailing\n",
        "[mcp_servers.a]\ncommand = \"x\"\n\n[tui]\nx = 1\n",
        "mcp_servers = { a = { command = \"x\" } } # c\n",
        "a = 1\r\n\r\n[tui]\r\nx = 1",
    ] {
        let added = edit(text, |d| {
            d.set_mcp_server_url("modelgates-docs", DOCS).unwrap()
        });
        assert!(added.contains(DOCS), "{added}");
        let removed = edit(&added, |d| assert!(d.remove_mcp_server("modelgates-docs")));
        assert_eq!(removed, text);
    }
}

#[test]
fn removing_an_mcp_server_keeps_its_neighbours() {
    let out = edit(
        "[mcp_servers.a]\ncommand = \"x\"\n\n[mcp_servers.modelgates-docs]\nurl = \"u\"\n\n[mcp_servers.modelgates-docs.tools.search]\napproval_mode = \"approve\"\n\n[mcp_servers.b]\nurl = \"v\"\n",
        |d| assert!(d.remove_mcp_server("modelgates-docs")),
    );
    assert_eq!(
        out,
        "[mcp_servers.a]\ncommand = \"x\"\n\n[mcp_servers.b]\nurl = \"v\"\n"
    );
    let mut doc = ConfigDocument::parse("model = \"o3\"\n").unwrap();
    assert!(!doc.remove_mcp_server("modelgates-docs"));
    assert!(!doc.is_changed());
}

#[test]
fn an_mcp_servers_key_that_is_not_a_table_is_an_error() {
    let mut doc = ConfigDocument::parse("mcp_servers = 1\n").unwrap();
    let err = doc.set_mcp_server_url("modelgates-docs", DOCS).unwrap_err();
    assert_eq!(err.path, "mcp_servers");
    assert!(!doc.is_changed());
}
