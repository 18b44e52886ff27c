//! `config.provider`: where Codex sends its requests (`model_provider`, the
//! `[model_providers.modelgates]` fields, the key source, other providers that break the file).

use super::*;

#[derive(Serialize)]
struct ProviderDetails {
    model_provider: Option<String>,
    base_url: Option<String>,
    env_key: Option<String>,
    wire_api: Option<String>,
    auth_command: Option<String>,
    profiles_with_modelgates: Vec<String>,
}

/// What `config.provider` looks at besides the layers.
pub struct ProviderInputs<'a> {
    /// A project-local `.codex/config.toml` and its path.
    pub project_local: Option<(&'a Path, &'a ConfigDocument)>,
    /// A managed layer (`/etc/codex/managed_config.toml`, `requirements.toml`) and its path.
    pub managed: Vec<(&'a Path, &'a ConfigDocument)>,
    /// Profile files (`NAME.config.toml`) that set ModelGates up, when no `--profile` is given.
    pub modelgates_profiles: &'a [String],
    /// What loads the stored key in this terminal (`. ~/.config/mg-codex/env`).
    pub load: &'a str,
}

/// Why a `base_url` is probably not the API root (`https://modelgates.ai/api/v1`), if it is not.
fn wrong_path(url: &str) -> Option<(String, String)> {
    let parsed = url::Url::parse(url).ok()?;
    let path = parsed.path().trim_end_matches('/');
    let origin = parsed.origin().ascii_serialization();
    let suggested = format!("{origin}/api/v1");
    let why = if path.is_empty() {
        "has no path: the API is at `/api/v1`".to_string()
    } else if path.ends_with("/responses") || path.ends_with("/chat/completions") {
        "names an endpoint: Codex appends `/responses` to the API root itself".to_string()
    } else if path.ends_with("/api") {
        "stops at `/api`: the API is at `/api/v1`".to_string()
    } else if parsed.host_str() == Some("modelgates.ai") && path != "/api/v1" {
        format!("has the path `{path}`: ModelGates' API is at `/api/v1`")
    } else {
        return None;
    };
    (suggested != url.trim_end_matches('/')).then_some((why, suggested))
}

/// `config.provider`: ModelGates is the provider, and its table is what Codex needs.
pub fn provider(ctx: &Context, layers: &Layers, inputs: &ProviderInputs) -> Check {
    const ID: &str = "config.provider";
    let mut f = Vec::new();
    let field_str = |k: &str| layers.provider_str(PROVIDER_ID, k).map(str::to_string);
    let place = |path: &[&str]| layers.located(path);
    let provider_place = |field: &str| place(&["model_providers", PROVIDER_ID, field]);
    let details = ProviderDetails {
        model_provider: layers.root_str("model_provider").map(str::to_string),
        base_url: field_str("base_url"),
        env_key: field_str("env_key"),
        wire_api: field_str("wire_api"),
        auth_command: layers
            .item_at(&["model_providers", PROVIDER_ID, "auth", "command"])
            .and_then(Item::as_str)
            .map(str::to_string),
        profiles_with_modelgates: inputs.modelgates_profiles.to_vec(),
    };
    let init = || {
        ctx.run_with("init --yes", |c| {
            format!("`{c}` sets it up (it keeps your other settings)")
        })
    };
    // ModelGates set up in a profile file and the default left alone: that is a choice, not
    // a problem; the note says how to use it.
    let in_profile = inputs
        .modelgates_profiles
        .first()
        .filter(|_| ctx.profile.is_none());
    let profiles_note = |f: Finding| match in_profile {
        Some(name) => {
            let mut f = f;
            f.severity = crate::doctor::Status::Ok;
            f.code = "modelgates_in_profile_note";
            f.message = format!(
                "{}; ModelGates is set up in the profile `{name}`: run `codex --profile {name}` (`{}` checks it)",
                f.message,
                ctx.me.for_profile(Some(name)).command("doctor")
            );
            f
        }
        None => f.fix(init()),
    };
    match layers.root_str("model_provider") {
        Some(PROVIDER_ID) => {}
        Some(other) => f.push(profiles_note(at(
            Finding::fail(
                "provider_other",
                format!("`model_provider` is `{other}`, so Codex sends its requests there, not to ModelGates"),
            ),
            place(&["model_provider"]),
        ))),
        None => f.push(profiles_note(Finding::fail(
            "provider_not_selected",
            "`model_provider` is not set, so Codex sends its requests to OpenAI",
        ))),
    }
    for (file, managed) in &inputs.managed {
        for key in ["model_provider", "model"] {
            if let Some(value) = managed.root_str(key) {
                let ours = match key {
                    "model_provider" => value == PROVIDER_ID,
                    _ => layers.root_str("model") == Some(value),
                };
                if !ours {
                    f.push(
                        Finding::fail(
                            "managed_layer_pins",
                            format!(
                                "the managed config `{}` sets `{key} = \"{value}\"`, which overrides every config of yours",
                                file.display()
                            ),
                        )
                        .file(file, managed.line_of(&[key]))
                        .fix(Fix::instruction(format!(
                            "ask whoever manages this machine to change `{key}` in `{}` (it is not yours to edit)",
                            file.display()
                        ))),
                    );
                }
            }
        }
    }
    let selected = layers.root_str("model_provider") == Some(PROVIDER_ID);
    if let (true, None, false) = (selected, ctx.profile, inputs.modelgates_profiles.is_empty()) {
        let names = inputs.modelgates_profiles;
        f.push(Finding::note(
            "modelgates_profiles_note",
            format!(
                "the profile{} {} set{} up ModelGates too: `{}` checks one as Codex layers it",
                if names.len() == 1 { "" } else { "s" },
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if names.len() == 1 { "s" } else { "" },
                ctx.me.for_profile(Some(&names[0])).command("doctor")
            ),
        ));
    }
    match layers.provider_fields(PROVIDER_ID) {
        None if selected => f.push(
            Finding::fail(
                "provider_undefined",
                "`model_provider = \"modelgates\"` but there is no `[model_providers.modelgates]` table: Codex stops with \"Model provider `modelgates` not found\"",
            )
            .fix(init()),
        ),
        None => {}
        Some(fields) => {
            if field_str("name").is_none_or(|n| n.trim().is_empty()) {
                f.push(at(
                    Finding::fail(
                        "provider_name_missing",
                        "`[model_providers.modelgates]` has no `name`: Codex refuses the file (\"provider name must not be empty\")",
                    ),
                    place(&["model_providers", PROVIDER_ID]),
                ).fix(init()));
            }
            match field_str("base_url") {
                None => f.push(
                    Finding::fail(
                        "base_url_missing",
                        "`[model_providers.modelgates]` has no `base_url`, so Codex sends the requests (and the key) to api.openai.com",
                    )
                    .fix(init()),
                ),
                Some(url) if url.trim().is_empty() => f.push(
                    at(
                        Finding::fail(
                            "base_url_missing",
                            "`base_url` is empty, so Codex sends the requests (and the key) to api.openai.com",
                        ),
                        provider_place("base_url"),
                    )
                    .fix(init()),
                ),
                Some(url) => {
                    if let Err(e) = api::check_base_url(&url) {
                        f.push(
                            at(
                                Finding::fail("base_url_insecure", format!("`base_url` {e}")),
                                provider_place("base_url"),
                            )
                            .fix(ctx.run(&format!(
                                "init --yes --base-url {}",
                                api::DEFAULT_BASE_URL
                            ))),
                        );
                    } else if let Some((why, suggested)) = wrong_path(&url) {
                        f.push(
                            at(
                                Finding::warning(
                                    "base_url_wrong_path",
                                    format!("`base_url = \"{url}\"` {why}, so Codex's requests miss the API"),
                                ),
                                provider_place("base_url"),
                            )
                            .fix(ctx.run(&format!("init --yes --base-url {suggested}"))),
                        );
                    }
                }
            }
            let has = |k: &str| fields.iter().any(|n| n == k);
            if !has("env_key") && !has("auth") && !has("experimental_bearer_token") {
                f.push(
                    Finding::fail(
                        "env_key_missing",
                        "`[model_providers.modelgates]` has no `env_key` (nor `auth`), so Codex sends no key",
                    )
                    .fix(init()),
                );
            }
            if has("auth") && has("env_key") {
                f.push(
                    at(
                        Finding::fail(
                            "auth_with_env_key",
                            "`auth` and `env_key` together: Codex refuses the provider (\"provider auth cannot be combined with env_key\")",
                        ),
                        provider_place("auth"),
                    )
                    .fix(init()),
                );
            }
            if layers
                .provider_field(PROVIDER_ID, "requires_openai_auth")
                .and_then(Item::as_bool)
                == Some(true)
            {
                f.push(
                    at(
                        Finding::fail(
                            "requires_openai_auth",
                            "`requires_openai_auth = true` makes Codex send your OpenAI login to the gateway",
                        ),
                        provider_place("requires_openai_auth"),
                    )
                    .fix(init()),
                );
            }
            if has("experimental_bearer_token") {
                f.push(
                    at(
                        Finding::warning(
                            "bearer_token_in_config",
                            "`experimental_bearer_token` keeps a key in plain text in the config",
                        ),
                        provider_place("experimental_bearer_token"),
                    )
                    .fix({
                        let command =
                            format!("{} && {}", ctx.me.command("init --yes"), inputs.load);
                        Fix::command_with(
                            command.clone(),
                            format!("`{command}`: init moves the key into mg-codex's private store (for `MODELGATES_API_KEY`) and removes the line; the second part loads it in this terminal"),
                        )
                    }),
                );
            }
            let version = ctx.version();
            let unknown: Vec<&String> = fields
                .iter()
                .filter(|n| {
                    !KNOWN_PROVIDER_FIELDS.contains(&n.as_str())
                        || knowledge::unknown_provider_field(version, n)
                })
                .collect();
            for name in unknown {
                f.push(
                    at(
                        Finding::warning(
                            "unknown_provider_field",
                            format!("`{name}` in `[model_providers.modelgates]` is not a field Codex knows: it ignores it, and `--strict-config` refuses it"),
                        ),
                        provider_place(name),
                    )
                    .codex_version(ctx.version_text())
                    .fix(init()),
                );
            }
        }
    }
    // Every provider's wire API: one `chat` anywhere makes Codex refuse the whole file.
    for id in layers.provider_ids() {
        let place = place(&["model_providers", &id, "wire_api"]);
        match layers.provider_str(&id, "wire_api") {
            None | Some("responses") => {}
            Some(other) => {
                let (code, what) = if other == "chat" {
                    ("wire_api_chat", "is no longer supported (Chat Completions was removed): Codex refuses the whole file")
                } else {
                    ("wire_api_unknown", "is not a wire API Codex knows (only `responses`): Codex refuses the whole file")
                };
                let fix = if id == PROVIDER_ID {
                    init()
                } else {
                    edit_at(
                        place,
                        format!(
                            "set `wire_api = \"responses\"` in `[model_providers.{id}]` at {}, or delete that table",
                            where_(ctx, place)
                        ),
                    )
                };
                f.push(
                    at(
                        Finding::fail(
                            code,
                            format!("`wire_api = \"{other}\"` in `[model_providers.{id}]` {what}"),
                        ),
                        place,
                    )
                    .codex_version(ctx.version_text())
                    .fix(fix),
                );
            }
        }
        if RESERVED_PROVIDER_IDS.contains(&id.as_str()) {
            let place = layers.located(&["model_providers", &id]);
            f.push(
                at(
                    Finding::fail(
                        "reserved_provider_id",
                        format!("`[model_providers.{id}]` overrides a built-in provider: Codex refuses the whole file"),
                    ),
                    place,
                )
                .fix(edit_at(
                    place,
                    format!(
                        "rename `[model_providers.{id}]` (e.g. `{id}-custom`, and `model_provider` with it) or delete it, at {}",
                        where_(ctx, place)
                    ),
                )),
            );
        }
        // A second table for the same gateway (Codex's own gateway set-up writes `modelgates-2`).
        if id != PROVIDER_ID {
            let ours = layers.provider_str(PROVIDER_ID, "base_url");
            let theirs = layers.provider_str(&id, "base_url");
            if let (Some(a), Some(b)) = (ours, theirs) {
                if a.trim_end_matches('/') == b.trim_end_matches('/') {
                    let place = layers.located(&["model_providers", &id]);
                    f.push(
                        at(
                            Finding::warning(
                                "duplicate_gateway_table",
                                format!("`[model_providers.{id}]` is a second table for the same gateway (`{b}`); Codex's own gateway set-up writes such copies"),
                            ),
                            place,
                        )
                        .fix(edit_at(
                            place,
                            format!(
                                "delete `[model_providers.{id}]` at {} (and use `model_provider = \"modelgates\"`)",
                                where_(ctx, place)
                            ),
                        )),
                    );
                }
            }
        }
    }
    if let Some(legacy) = layers.root_str("profile") {
        let place = place(&["profile"]);
        f.push(
            at(
                Finding::fail(
                    "legacy_profile",
                    format!("legacy `profile = \"{legacy}\"`: current Codex refuses to start (profiles are now `NAME.config.toml` files, used with `--profile NAME`)"),
                ),
                place,
            )
            .fix(edit_at(
                place,
                format!(
                    "delete the line `profile = \"{legacy}\"` at {}; to keep that profile, move `[profiles.{legacy}]` into `{legacy}.config.toml` and run `codex --profile {legacy}`",
                    where_(ctx, place)
                ),
            )),
        );
    }
    if let Some(profiles) = layers.root("profiles").and_then(Item::as_table_like) {
        let names: Vec<String> = profiles.iter().map(|(k, _)| k.to_string()).collect();
        let place = place(&["profiles"]);
        match ctx.profile.filter(|p| names.iter().any(|n| n == p)) {
            Some(p) => f.push(
                at(
                    Finding::fail(
                        "profiles_table_blocks_profile",
                        format!("`[profiles.{p}]` exists: `codex --profile {p}` refuses to start until it moves to `{p}.config.toml`"),
                    ),
                    layers.located(&["profiles", p]),
                )
                .fix(edit_at(
                    layers.located(&["profiles", p]),
                    format!("move the settings of `[profiles.{p}]` into `{p}.config.toml` and delete the table"),
                )),
            ),
            None if !names.is_empty() => {
                // ModelGates set up only there: Codex ignores it, so the requests go elsewhere.
                let ours: Vec<&String> = names
                    .iter()
                    .filter(|n| {
                        layers
                            .item_at(&["profiles", n, "model_provider"])
                            .and_then(Item::as_str)
                            == Some(PROVIDER_ID)
                    })
                    .collect();
                let selected = layers.root_str("model_provider") == Some(PROVIDER_ID);
                let finding = match ours.first() {
                    Some(name) if !selected => Finding::fail(
                        "profiles_table",
                        format!("ModelGates is set up in `[profiles.{name}]`, a table current Codex ignores: it sends the requests to OpenAI instead"),
                    ),
                    _ => Finding::warning(
                        "profiles_table",
                        format!("`[profiles.*]` tables ({}) do nothing in current Codex", names.join(", ")),
                    ),
                };
                f.push(
                at(
                    finding,
                    place,
                )
                .fix(edit_at(
                    place,
                    "move each into `NAME.config.toml` (used by `codex --profile NAME`) and delete the table".into(),
                )),
            )
            }
            None => {}
        }
    }
    if let Some((path, local)) = inputs.project_local {
        let set: Vec<&str> = PROJECT_LOCAL_DENYLIST
            .iter()
            .copied()
            .filter(|k| local.document().contains_key(k))
            .collect();
        if !set.is_empty() {
            let line = set.iter().find_map(|k| local.line_of(&[k]));
            let finding = if selected {
                Finding::warning
            } else {
                Finding::fail
            };
            f.push(
                finding(
                    "project_local_provider_keys",
                    format!(
                        "`{}` sets {}, which Codex ignores in a project's config{}",
                        ctx.show(path),
                        set.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
                        if selected { "" } else { ": the provider it names is never used" }
                    ),
                )
                .file(path, line)
                .fix(Fix::edit(
                    path,
                    line,
                    format!(
                        "remove them from `{}`; provider settings belong in `$CODEX_HOME/config.toml` (`{}` writes them there)",
                        ctx.show(path),
                        ctx.me.command("init --yes")
                    ),
                )),
            );
        }
    }
    let ok = format!(
        "Codex uses ModelGates at `{}`",
        details.base_url.as_deref().unwrap_or("?")
    );
    Check::new(ID, Category::Config, ok, f).details(details)
}
