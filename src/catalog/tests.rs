use super::*;

fn model(id: &str, params: &[&str]) -> Model {
    Model {
        id: id.into(),
        name: Some(format!("Name of {id}")),
        context_length: Some(400_000),
        supported_parameters: params.iter().map(|p| p.to_string()).collect(),
        input_modalities: vec!["text".into(), "image".into(), "file".into()],
        description: Some("A model.\n\nMore about it.".into()),
        ..Model::default()
    }
}

fn catalogue() -> Vec<Model> {
    vec![
        model("openai/gpt-5.3-codex", &["tools", "reasoning"]),
        model("meta/llama-chat", &["max_tokens"]),
        model("anthropic/claude-sonnet-4.5", &["tools", "reasoning"]),
        model("mistral/devstral", &["tools"]),
        model("openai/gpt-5.3-codex", &["tools", "reasoning"]),
        Model {
            supported_parameters: Vec::new(),
            ..model("unknown/params", &[])
        },
    ]
}

/// A fixed time: 2026-12-01T22:31:05Z.
fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_164_265)
}

fn input<'a>(models: &'a [Model], own: &'a [Value]) -> BuildInput<'a> {
    BuildInput {
        models,
        configured: Some("openai/gpt-5.3-codex"),
        effort: Some("high"),
        all_models: false,
        own,
        codex_version: Some("codex-cli 0.171.0"),
        base_url: "https://modelgates.ai/api/v1",
        written_at: at(),
    }
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/codex")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every release a rule changes at, and the ends.
const VERSIONS: [CodexVersion; 8] = [
    CodexVersion::new(0, 137, 0),
    CodexVersion::new(0, 138, 0),
    CodexVersion::new(0, 144, 6),
    CodexVersion::new(0, 145, 0),
    CodexVersion::new(0, 146, 1),
    CodexVersion::new(0, 147, 0),
    CodexVersion::new(0, 148, 0),
    CodexVersion::new(0, 171, 0),
];

#[test]
fn the_configured_model_comes_first_then_every_tool_model_by_id() {
    let models = catalogue();
    let (chosen, without_tools) = select(&models, Some("openai/gpt-5.3-codex"), false);
    let ids: Vec<&str> = chosen.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "openai/gpt-5.3-codex",
            "anthropic/claude-sonnet-4.5",
            "mistral/devstral"
        ]
    );
    assert_eq!(without_tools, 2, "llama without tools, and unknown params");
    let (all, left) = select(&models, None, true);
    assert_eq!(all.len(), 5, "each id once");
    assert_eq!(left, 0);
    // A configured model without tools is still in, first.
    let (chosen, _) = select(&models, Some("meta/llama-chat"), false);
    assert_eq!(chosen[0].id, "meta/llama-chat");
}

#[test]
fn an_entry_has_what_every_release_requires_and_nothing_that_changes_the_request() {
    let e = entry(
        &model("openai/gpt-5.3-codex", &["tools", "reasoning"]),
        0,
        None,
    );
    let fields = e.as_object().unwrap();
    for field in required_fields(CodexVersion::OLDEST_TESTED) {
        assert!(fields.contains_key(field), "missing {field}");
    }
    for never in [
        "tool_mode",
        "multi_agent_version",
        "apply_patch_tool_type",
        "supports_search_tool",
    ] {
        assert!(!fields.contains_key(never), "{never} must be left out");
    }
    assert_eq!(e["use_responses_lite"], false);
    assert_eq!(e["supports_reasoning_summaries"], true);
    assert_eq!(e["supports_parallel_tool_calls"], true);
    assert_eq!(e["supported_in_api"], true);
    assert_eq!(e["visibility"], "list");
    assert_eq!(e["base_instructions"], BASE_INSTRUCTIONS);
    assert!(BASE_INSTRUCTIONS.starts_with("You are a coding agent running in the Codex CLI"));
    assert_eq!(e["context_window"], 400_000);
    assert_eq!(e["input_modalities"], serde_json::json!(["text", "image"]));
    assert_eq!(e["display_name"], "Name of openai/gpt-5.3-codex");
    assert_eq!(e["description"], "A model.");
}

#[test]
fn reasoning_levels_are_the_safe_names_and_include_the_configured_effort() {
    let reasoning = model("a/b", &["tools", "reasoning"]);
    assert_eq!(levels(&reasoning, None), ["low", "medium", "high", "xhigh"]);
    assert_eq!(
        levels(&reasoning, Some("minimal")),
        ["minimal", "low", "medium", "high", "xhigh"]
    );
    assert_eq!(
        levels(&reasoning, Some("max")),
        ["low", "medium", "high", "xhigh"]
    );
    let e = entry(&reasoning, 3, Some("none"));
    assert_eq!(e["default_reasoning_level"], "none");
    assert_eq!(e["priority"], 3);
    for level in e["supported_reasoning_levels"].as_array().unwrap() {
        assert!(EFFORTS.contains(&level["effort"].as_str().unwrap()));
        assert!(level["description"].is_string());
    }
    // Without `reasoning`: no level, no summaries (0.137-0.144 then send no effort).
    let plain = entry(&model("a/c", &["tools"]), 0, Some("high"));
    assert_eq!(plain["supported_reasoning_levels"], serde_json::json!([]));
    assert_eq!(plain["default_reasoning_level"], Value::Null);
    assert_eq!(plain["supports_reasoning_summaries"], false);
    assert_eq!(plain["default_reasoning_summary"], "none");
    // Known only by its id: the configured effort is trusted.
    let offline = entry(&offline_model("a/d"), 0, Some("high"));
    assert_eq!(offline["default_reasoning_level"], "high");
    assert_eq!(offline["display_name"], "a/d");
    assert_eq!(offline["context_window"], Value::Null);
    assert_eq!(offline["input_modalities"], serde_json::json!(["text"]));
}

#[test]
fn a_built_catalogue_loads_on_every_release_with_its_marker() {
    let models = catalogue();
    let built = build(&input(&models, &[])).unwrap();
    assert_eq!(built.ours.len(), 3);
    assert_eq!(built.own, 0);
    assert_eq!(built.without_tools, 2);
    assert!(built.text.ends_with("}\n"));
    let info = inspect(&built.text).unwrap();
    assert_eq!(info.slugs(), built.ours);
    assert!(info.contains("openai/gpt-5.3-codex"));
    assert!(info.is_ours());
    let marker = info.marker.clone().unwrap();
    assert_eq!(marker.written_at.as_deref(), Some("2026-12-01T22:31:05Z"));
    assert_eq!(
        marker.base_url.as_deref(),
        Some("https://modelgates.ai/api/v1")
    );
    assert_eq!(marker.codex_version, None, "no own entries");
    assert_eq!(info.written_at(), Some(at()));
    for v in VERSIONS {
        assert_eq!(info.problems_for(v), [], "{v}");
    }
    // The configured effort is the configured model's default level.
    let doc: Value = serde_json::from_str(&built.text).unwrap();
    assert_eq!(doc["models"][0]["default_reasoning_level"], "high");
    assert_eq!(doc["models"][1]["default_reasoning_level"], "medium");
    assert_eq!(doc["models"][1]["priority"], 1);
}

#[test]
fn nothing_to_list_is_an_error() {
    let models = [model("meta/llama-chat", &["max_tokens"])];
    let mut i = input(&models, &[]);
    i.configured = None;
    assert_eq!(build(&i), Err(CatalogError::Empty));
}

#[test]
fn the_installed_codex_entries_follow_ours_patched_to_load_on_older_releases() {
    let raw = fixture("debug-models-0.171.0.json");
    // As 0.171 prints them, they load on 0.148 and later only.
    let unpatched = inspect(&raw).unwrap();
    for v in [
        CodexVersion::new(0, 137, 0),
        CodexVersion::new(0, 144, 6),
        CodexVersion::new(0, 147, 0),
    ] {
        assert_ne!(unpatched.problems_for(v), [], "{v}");
    }
    assert_eq!(unpatched.problems_for(CodexVersion::new(0, 148, 0)), []);

    let own = own_entries(&raw).unwrap();
    assert_eq!(own.len(), 1);
    let models = catalogue();
    let built = build(&input(&models, &own)).unwrap();
    assert_eq!(built.own, 1);
    let info = inspect(&built.text).unwrap();
    assert_eq!(info.slugs().last(), Some(&"gpt-6.2-sol"));
    for v in VERSIONS {
        assert_eq!(info.problems_for(v), [], "{v}");
    }
    let doc: Value = serde_json::from_str(&built.text).unwrap();
    let theirs = &doc["models"][3];
    assert_eq!(theirs["priority"], 1 + 3, "shifted after our three");
    let efforts: Vec<&str> = theirs["supported_reasoning_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["effort"].as_str().unwrap())
        .collect();
    assert_eq!(
        efforts,
        ["low", "medium", "high", "xhigh"],
        "no max, no ultra"
    );
    assert_eq!(theirs["supports_reasoning_summaries"], true);
    assert_eq!(theirs["supports_parallel_tool_calls"], true);
    // What is not ours to judge stays: their own prompt, tools, modes.
    let original: Value = serde_json::from_str(&raw).unwrap();
    for field in [
        "base_instructions",
        "model_messages",
        "tool_mode",
        "shell_type",
    ] {
        assert_eq!(theirs[field], original["models"][0][field], "{field}");
    }
    assert_eq!(
        info.marker.unwrap().codex_version.as_deref(),
        Some("codex-cli 0.171.0")
    );
}

#[test]
fn own_entries_of_the_oldest_release_stay_as_they_were_apart_from_priority() {
    let raw = fixture("debug-models-0.137.0.json");
    let own = own_entries(&raw).unwrap();
    let original: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(own[0], original["models"][0]);
}

#[test]
fn own_entries_with_values_older_releases_do_not_know_are_made_safe() {
    let raw = r#"{"models": [{"slug": "x", "default_reasoning_level": "ultra",
        "supported_reasoning_levels": [{"effort": "max", "description": "m"}, {"effort": "high"}],
        "input_modalities": ["text", "audio"], "shell_type": "quantum", "visibility": "list",
        "web_search_tool_type": "video", "apply_patch_tool_type": "json",
        "default_verbosity": "loud", "truncation_policy": {"mode": "lines", "limit": 5}},
        {"no": "slug"}, 7]}"#;
    let own = own_entries(raw).unwrap();
    assert_eq!(own.len(), 1, "entries without a slug are dropped");
    let e = &own[0];
    assert_eq!(
        e["supported_reasoning_levels"],
        serde_json::json!([{"effort": "high", "description": level_description("high")}])
    );
    assert_eq!(e["default_reasoning_level"], "high");
    assert_eq!(e["input_modalities"], serde_json::json!(["text"]));
    assert_eq!(e["shell_type"], "shell_command");
    assert!(e.get("web_search_tool_type").is_none());
    assert!(e.get("apply_patch_tool_type").is_none());
    assert_eq!(e["default_verbosity"], Value::Null);
    assert_eq!(e["truncation_policy"]["mode"], "tokens");
    let text = format!(r#"{{"models": [{}]}}"#, e);
    for v in VERSIONS {
        // The prompt came from the template: fine everywhere.
        assert_eq!(inspect(&text).unwrap().problems_for(v), [], "{v}");
    }
    assert!(matches!(own_entries("[]"), Err(CatalogError::Shape(_))));
    assert!(matches!(own_entries("nope"), Err(CatalogError::NotJson(_))));
}

#[test]
fn an_own_entry_with_our_slug_is_left_out() {
    let own =
        own_entries(r#"{"models": [{"slug": "openai/gpt-5.3-codex", "priority": 0}]}"#).unwrap();
    let models = catalogue();
    let built = build(&input(&models, &own)).unwrap();
    assert_eq!(built.own, 0);
    assert_eq!(inspect(&built.text).unwrap().entries.len(), 3);
}

#[test]
fn inspect_names_what_each_release_refuses() {
    let read = |text: &str| inspect(text).unwrap();
    let old = CodexVersion::new(0, 137, 0);
    let new = CodexVersion::new(0, 171, 0);
    assert_eq!(
        read(r#"{"models": []}"#).problems_for(new),
        [Incompatibility::NoModels]
    );
    let models = catalogue();
    let built = build(&input(&models, &[])).unwrap();
    let mut doc: Value = serde_json::from_str(&built.text).unwrap();
    let first = doc["models"][0].as_object_mut().unwrap();
    first.remove("supports_parallel_tool_calls");
    first.insert(
        "supported_reasoning_levels".into(),
        serde_json::json!([{"effort": "max", "description": "x"}, {"effort": "low"}]),
    );
    first.insert("input_modalities".into(), serde_json::json!(["audio"]));
    let info = read(&doc.to_string());
    let slug = "openai/gpt-5.3-codex".to_string();
    assert_eq!(
        info.problems_for(old),
        [
            Incompatibility::Missing {
                slug: slug.clone(),
                field: "supports_parallel_tool_calls"
            },
            Incompatibility::MalformedLevel { slug: slug.clone() },
            Incompatibility::UnknownEffort {
                slug: slug.clone(),
                effort: "max".into()
            },
            Incompatibility::UnknownModality {
                slug: slug.clone(),
                modality: "audio".into()
            },
        ]
    );
    assert_eq!(
        info.problems_for(CodexVersion::new(0, 148, 0)),
        [Incompatibility::MalformedLevel { slug: slug.clone() }]
    );
    let first = doc["models"][0].as_object_mut().unwrap();
    first.remove("base_instructions");
    first.remove("supported_reasoning_levels");
    let info = read(&doc.to_string());
    let problems = info.problems_for(new);
    assert!(problems.contains(&Incompatibility::NoInstructions { slug: slug.clone() }));
    assert!(problems.contains(&Incompatibility::Missing {
        slug: slug.clone(),
        field: "supported_reasoning_levels"
    }));
    assert_eq!(
        problems[0].to_string(),
        "`openai/gpt-5.3-codex` has no `supported_reasoning_levels`"
    );

    for bad in [
        "",
        "[]",
        r#"{"models": 1}"#,
        r#"{"models": [{"slug": 1}]}"#,
        "{}",
    ] {
        assert!(inspect(bad).is_err(), "{bad:?}");
    }
    let foreign = read(r#"{"models": [{"slug": "x"}]}"#);
    assert!(!foreign.is_ours());
    assert_eq!(foreign.stale_age(at()), None, "no date: no age to judge");
}

#[test]
fn a_catalogue_is_stale_after_a_month() {
    let models = catalogue();
    let info = inspect(&build(&input(&models, &[])).unwrap().text).unwrap();
    let day = Duration::from_secs(86_400);
    assert_eq!(info.stale_age(at() + 29 * day), None);
    assert_eq!(info.stale_age(at() + 31 * day), Some(31 * day));
    assert_eq!(info.age(at() + day), Some(day));
    assert_eq!(info.age(at() - day), None, "written in the future");
}

#[test]
fn only_the_date_changing_is_no_change() {
    let models = catalogue();
    let a = build(&input(&models, &[])).unwrap().text;
    let mut later = input(&models, &[]);
    later.written_at = at() + Duration::from_secs(3600);
    let b = build(&later).unwrap().text;
    assert_ne!(a, b);
    assert!(same_apart_from_date(&a, &b));
    later.effort = Some("low");
    assert!(!same_apart_from_date(&a, &build(&later).unwrap().text));
    assert!(!same_apart_from_date(&a, "not json"));
}

#[test]
fn versions_are_read_from_what_codex_prints() {
    assert_eq!(
        CodexVersion::parse("codex-cli 0.169.0"),
        Some(CodexVersion::new(0, 169, 0))
    );
    assert_eq!(
        CodexVersion::parse("0.170.0-alpha.2"),
        Some(CodexVersion::new(0, 170, 0))
    );
    assert_eq!(CodexVersion::parse("codex-cli"), None);
    assert_eq!(CodexVersion::new(0, 144, 6).to_string(), "0.144.6");
    assert!(required_fields(CodexVersion::new(0, 144, 6)).contains(&"supports_reasoning_summaries"));
    assert!(
        !required_fields(CodexVersion::new(0, 145, 0)).contains(&"supports_reasoning_summaries")
    );
    assert!(required_fields(CodexVersion::new(0, 147, 0)).contains(&"supports_parallel_tool_calls"));
    assert!(
        !required_fields(CodexVersion::new(0, 148, 0)).contains(&"supports_parallel_tool_calls")
    );
    assert!(required_fields(CodexVersion::new(0, 146, 1)).contains(&"base_instructions"));
    assert!(!required_fields(CodexVersion::new(0, 147, 0)).contains(&"base_instructions"));
}

#[test]
fn dates_are_rfc3339_utc() {
    assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(at()), "2026-12-01T22:31:05Z");
    let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
    assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    for t in [UNIX_EPOCH, at(), leap] {
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
    }
    assert_eq!(parse_rfc3339("2026-12-02T00:31:05.123+02:00"), Some(at()));
    for bad in [
        "",
        "2026-12-01",
        "2026-13-01T00:00:00Z",
        "2026-12-01T22:31:05",
        "x",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
    }
}

#[test]
fn file_names_follow_the_profile() {
    assert_eq!(file_name(None), "modelgates-models.json");
    assert_eq!(file_name(Some("work")), "work.modelgates-models.json");
    assert_eq!(
        path_in(Path::new("/h/.codex"), Some("w")),
        PathBuf::from("/h/.codex/w.modelgates-models.json")
    );
    assert!(is_our_file_name("/h/.codex/modelgates-models.json"));
    assert!(is_our_file_name("/h/.codex/work.modelgates-models.json"));
    assert!(!is_our_file_name("/h/.codex/my-models.json"));
}

#[test]
fn descriptions_are_one_short_line() {
    assert_eq!(
        short_description("  Fast\tand\u{7}  cheap.\n\nMore."),
        "Fast and cheap."
    );
    let long = "word ".repeat(100);
    let short = short_description(&long);
    assert!(short.chars().count() <= MAX_DESCRIPTION, "{short}");
    assert!(short.ends_with("word…"), "{short}");
}

#[test]
fn model_ids_are_the_gateway_slugs_sorted_once_each_with_their_names() {
    let text = r#"{"models": [
        {"slug": "openai/gpt-5.3-codex", "display_name": "OpenAI: GPT-5.3 Codex", "priority": 0},
        {"slug": "anthropic/claude-sonnet-4.5", "display_name": 7},
        {"slug": "gpt-5.5", "display_name": "Codex's own"},
        {"slug": 12},
        {"display_name": "no slug"},
        {"slug": "openai/gpt-5.3-codex:free"},
        {"slug": "openai/gpt-5.3-codex", "display_name": "again"}
    ], "mg_codex": {"written_at": "2026-12-01T22:31:05Z"}}"#;
    assert_eq!(
        model_ids(text),
        [
            ("anthropic/claude-sonnet-4.5".to_string(), None),
            (
                "openai/gpt-5.3-codex".to_string(),
                Some("OpenAI: GPT-5.3 Codex".to_string())
            ),
            ("openai/gpt-5.3-codex:free".to_string(), None),
        ]
    );
    for broken in [
        "",
        "{",
        "[]",
        "{\"models\": 3}",
        "{\"models\": [1]}",
        "null",
    ] {
        assert_eq!(model_ids(broken), [], "{broken:?}");
    }
}
